"""symkkt/kernel/exact.py under mutation testing (issue 14, tools/mutation.py).

Each test pins down a decision the kernel's soundness rests on, found by a mutant that survived
the older tests: a proof that must not be given (a bisection that stops early, a budget that
runs out, an enclosure that touches 0), a counterexample that must be the real one, a sign that
must not be 0. They assert on statuses, values and exception types, never on wording.
"""

import pytest
import sympy
from sympy import Integer, Rational, cos, cosh, pi, sin, sinh, sqrt

from symkkt.errors import UndecidedError
from symkkt.kernel.exact import (_Domain, _context, _interval_positive, interval_eval, is_zero,
                                 leading_term, prove_nonnegative, sign)

eps = sympy.Symbol("epsilon", positive=True)
t = sympy.Symbol("t", positive=True)
TINY = Rational(1, 10 ** 60)


# ------------------------------------------------------------------ sign and the zero test

def test_rational_valued_radical_near_zero_is_not_zero():
    # sqrt(3 + 2 sqrt(2)) = 1 + sqrt(2): the expression is exactly -10^-60 (a rational whose
    # minimal polynomial has degree 1 but is not x), inside every early enclosure of 0.
    assert sign(sqrt(3 + 2 * sqrt(2)) - sqrt(2) - 1 - TINY) == -1
    assert sign(sqrt(3 + 2 * sqrt(2)) - sqrt(2) - 1 + TINY) == 1
    assert sign(sqrt(3 + 2 * sqrt(2)) - sqrt(2) - 1) == 0


def test_transcendental_zero_and_near_zero():
    # not algebraic (sin, cos): decided by simplification
    z = sin(1) ** 2 + cos(1) ** 2 - 1
    assert sign(z) == 0
    assert sign(z - TINY) == -1
    assert sign(z + TINY) == 1


def test_is_zero():
    assert is_zero(sqrt(2) * sqrt(8) - 4) is True
    assert is_zero(sqrt(2) - 1) is False
    assert is_zero(Integer(0)) is True
    assert is_zero(Rational(1, 7)) is False


def test_sign_of_constants_and_plain_numbers():
    assert sign(3) == 1 and sign(-3) == -1 and sign(0) == 0
    assert sign(pi - Rational(314159, 100000)) == 1
    assert sign(pi - Rational(314160, 100000)) == -1
    assert sign(sympy.E - Rational(271828, 100000)) == 1
    assert sign(sympy.E - Rational(271829, 100000)) == -1
    assert sign(sympy.exp(1) - sympy.E) == 0


def test_sign_refuses_what_it_cannot_enclose():
    with pytest.raises(UndecidedError):
        sign(sinh(1) - 1)          # sinh has no enclosure: undecided, never guessed
    with pytest.raises(UndecidedError):
        sign(sqrt(pi - 4))         # not real: no enclosure


# ------------------------------------------------------------------ interval evaluation

def test_interval_eval_encloses_the_value():
    ctx = _context(64)
    cases = [
        (Integer(3), 3), (Rational(-5, 4), -1.25), (sqrt(2) + 1, 2.41421356),
        (Integer(2) * sqrt(3), 3.46410161), (pi, 3.14159265), (sympy.E, 2.71828182),
        (sin(Rational(1, 2)), 0.47942553), (cos(Rational(1, 2)), 0.87758256),
        (sympy.exp(Rational(1, 3), evaluate=False), 1.39561242),
        (sympy.log(3), 1.09861228), (1 / sqrt(2), 0.70710678), (Integer(3) ** Rational(2, 3),
                                                              2.08008382),
        (sympy.Pow(sqrt(2) + 1, -2), 0.17157287), (sympy.Pow(sqrt(2) + 1, 3), 14.0710678),
    ]
    for expr, approx in cases:
        v = interval_eval(expr, ctx)
        assert v.a <= approx + 1e-7 and v.b >= approx - 1e-7, expr
        assert v.b - v.a < 1e-12, expr


def test_interval_eval_refuses_domain_errors():
    ctx = _context(64)
    env = {t: ctx.mpf([0, 1])}
    with pytest.raises(_Domain):
        interval_eval(1 / t, ctx, env)                # division by an interval containing 0
    with pytest.raises(_Domain):
        interval_eval(t ** -3, ctx, env)
    with pytest.raises(_Domain):
        interval_eval(sqrt(t), ctx, env)              # root of an interval reaching 0
    with pytest.raises(_Domain):
        interval_eval(sympy.log(t), ctx, env)         # log of an interval reaching 0
    with pytest.raises(_Domain):
        interval_eval(t + 1, ctx, {})                 # a free symbol without an interval
    with pytest.raises(_Domain):
        interval_eval(sinh(t), ctx, env)
    # strictly inside the domain: fine
    pos = {t: ctx.mpf([1, 2])}
    assert interval_eval(1 / t, ctx, pos).a >= 0.5 - 1e-12
    assert interval_eval(sqrt(t), ctx, pos).b <= 1.5
    assert interval_eval(t ** -2, ctx, pos).a >= 0.25 - 1e-12


def test_interval_eval_sums_and_products_of_intervals():
    ctx = _context(64)
    env = {t: ctx.mpf([1, 2])}
    v = interval_eval(t + 3, ctx, env)
    assert v.a == 4 and v.b == 5
    v = interval_eval(3 * t, ctx, env)
    assert v.a == 3 and v.b == 6
    v = interval_eval(t ** 2 - 2 * t, ctx, env)          # a sum of products
    assert v.a <= -1 and v.b >= 0


# ------------------------------------------------------------------ validated bisection

def _pos(g, lo, hi, budget=4000):
    ctx = _context(120)
    return _interval_positive(g, t, ctx.mpf(lo), ctx.mpf(hi), ctx, [budget])


def test_bisection_proves_only_true_positivity():
    assert _pos(t + 1, 0, 1) is True
    assert _pos(1 + t - t ** 2, 0, 1) is True
    # negative on the right half: every piece must be proven, not the first one
    assert _pos(Rational(1, 2) - t, 0, 1) is False
    assert _pos(t - Rational(1, 2), 0, 1) is False
    # zero at an endpoint: an enclosure touching 0 is not a proof of > 0
    assert _pos(t, 0, 1) is False
    assert _pos(1 - t, 0, 1) is False
    # a function outside its domain on part of the interval is not proven
    assert _pos(sqrt(t - Rational(1, 2)) + 1, 0, 1) is False


def test_bisection_budget_is_respected():
    assert _pos(t + 1, 0, 1, budget=1) is True          # one enclosure suffices
    assert _pos(t + 1, 0, 1, budget=0) is False         # no budget, no proof
    # positive, but needs several bisections: an exhausted budget is not a proof
    g = t ** 2 - t + Rational(1, 4) + Rational(1, 1000)   # expanded: loose enclosures
    assert _pos(g, 0, 1) is True
    assert _pos(g, 0, 1, budget=3) is False
    ctx = _context(120)
    left = [5]
    _interval_positive(g, t, ctx.mpf(0), ctx.mpf(1), ctx, left)
    assert left[0] < 0                                  # each enclosure is charged


# ------------------------------------------------------------------ prove_nonnegative

@pytest.mark.parametrize("div", [1, 2, 3, 10, 100, 1000, 10 ** 6])
def test_each_sample_point_catches_a_narrow_failure(div):
    # f < 0 only within 1e-4 (relative) of eps0/div, > 0 near 0: only that sample sees it
    e = Rational(1, div)
    f = (eps - e) ** 2 - (e / 10 ** 4) ** 2
    p = prove_nonnegative(f, eps, Integer(1))
    assert p.status == "refuted"
    assert p.counterexample == e
    assert sign(f.xreplace({eps: p.counterexample})) < 0


def test_undecided_sample_does_not_stop_the_others():
    # sqrt(1/2 - eps) is not real at eps0 = 1 (sample undecided); at eps = 1/2 f = -1 < 0
    f = sqrt(Rational(1, 2) - eps) - 1
    p = prove_nonnegative(f, eps, Integer(1))
    assert p.status == "refuted"
    assert p.counterexample == Rational(1, 2)


def test_identically_zero_without_enclosure():
    # cosh^2 - sinh^2 - 1 = 0, but cosh/sinh have no enclosure: only simplification sees it
    f = cosh(eps) ** 2 - sinh(eps) ** 2 - 1
    p = prove_nonnegative(f, eps, Rational(1, 2))
    assert p.status == "verified" and p.identically_zero is True
    p = prove_nonnegative(f, eps, Rational(1, 2), strict=True)
    assert p.status == "refuted" and p.identically_zero is True
    assert p.counterexample == Rational(1, 2)


def test_default_is_nonstrict_and_k_one():
    assert prove_nonnegative(eps - eps, eps, Rational(1, 2)).status == "verified"
    # with k = 1, sqrt(eps) is not smooth at 0: no Taylor proof, never a false one
    assert prove_nonnegative(sqrt(eps) - eps, eps, Rational(1, 2)).status == "unknown"
    assert prove_nonnegative(sqrt(eps) - eps, eps, Rational(1, 2), k=2).status == "verified"


@pytest.mark.parametrize("k", [0, -1, 2.0, 1.5])
def test_bad_k_is_rejected(k):
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, Integer(1), k=k)


def test_bad_eps0_types_are_rejected():
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, Rational(-1, 2))
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, 1)                  # a Python int, not a sympy Rational
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, sympy.Float(0.5))


def test_leading_derivative_order():
    # first non-zero derivative of order j: positive -> verified, negative -> refuted
    for j in range(1, 9):
        f = eps ** j - eps ** (j + 1)
        assert prove_nonnegative(f, eps, Rational(1, 2), strict=True).status == "verified", j
    f = -eps ** 3 + 10 ** 7 * eps ** 4          # < 0 only for eps < 1e-7, below the samples
    p = prove_nonnegative(f, eps, Integer(1), strict=True)
    assert p.status == "refuted" and p.counterexample is None
    # all derivatives up to 8 vanish: not decided
    assert prove_nonnegative(eps ** 9, eps, Rational(1, 2), strict=True).status == "unknown"


def test_positive_near_zero_but_not_proven_on_the_rest():
    # derivative 0 positive at 0, then negative in a narrow window away from every sample:
    # bisection must not prove it
    f = (eps - Rational(7, 10)) ** 2 - Rational(1, 10 ** 6)
    p = prove_nonnegative(f, eps, Integer(1))
    assert p.status in ("unknown", "refuted")
    assert p.status != "verified"


def test_budget_exhausted_is_unknown():
    f = eps ** 2 - eps + Rational(1, 4) + Rational(1, 1000)
    assert prove_nonnegative(f, eps, Integer(1)).status == "verified"
    assert prove_nonnegative(f, eps, Integer(1), budget=2).status == "unknown"


# ------------------------------------------------------------------ leading_term

def test_leading_term_orders_and_limits():
    assert leading_term(eps ** 8, eps) == eps ** 8
    assert leading_term(3 * eps ** 8 + eps ** 9, eps) == 3 * eps ** 8
    with pytest.raises(UndecidedError):
        leading_term(eps ** 9, eps)                     # beyond derivative 8
    assert leading_term(sqrt(eps) - eps, eps, k=2) == sqrt(eps)
    with pytest.raises(UndecidedError):
        leading_term(sqrt(eps), eps)                    # default k = 1: not smooth at 0
    assert leading_term(Rational(2, 3) + eps, eps) == Rational(2, 3)
    assert leading_term(-eps ** 2 / 6 + eps ** 3, eps) == -eps ** 2 / 6


# ------------------------------------------------------------------ added after the first run

def test_enclosure_with_an_exact_zero_endpoint_is_not_a_sign():
    # z is exactly 0; z**2 encloses to [0, tiny] and -z**2 to [-tiny, 0]: an endpoint at 0
    # says nothing about the sign, the zero test must decide
    z = sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2)
    assert sign(z ** 2) == 0
    assert sign(-z ** 2) == 0
    assert sign(z ** 2 + TINY) == 1


def test_interval_eval_domain_edges():
    ctx = _context(64)
    with pytest.raises(_Domain):
        interval_eval(1 / t, ctx, {t: ctx.mpf([-1, 0])})     # 0 as the upper endpoint
    v = interval_eval(sympy.log(t), ctx, {t: ctx.mpf([0.5, 1])})
    assert v.a < -0.69 and v.b >= 0                          # log on (0, 1] is fine
    v = interval_eval(1 / t, ctx, {t: ctx.mpf([-2, -1])})
    assert v.a <= -1 and v.b >= -0.5 - 1e-12 and v.b < 0
    v = interval_eval(3, ctx)                                # a Python int
    assert v.a == 3 and v.b == 3


def test_radicals_of_products_are_not_split():
    # sqrt((eps-1)(eps-2)) is real and > 1/2 on (0, 1/2]; splitting it into
    # sqrt(eps-1)*sqrt(eps-2) would give -sqrt(2) at 0 (two imaginary factors)
    f = sqrt((eps - 1) * (eps - 2)) - Rational(1, 2)
    assert prove_nonnegative(f, eps, Rational(1, 2), strict=True).status == "verified"


def test_roots_of_powers_are_not_denested():
    # ((eps-2)**3)**(1/3) is the principal (non-real) cube root of a negative number,
    # not eps - 2: nothing may be proven about it
    f = ((eps - 2) ** 3) ** Rational(1, 3) + 3
    assert prove_nonnegative(f, eps, Rational(1, 2)).status == "unknown"


def test_k_substitution_covers_the_whole_interval():
    # with k = 2 the bisection runs over t in [0, eps0**(1/2)], all of (0, eps0]; f < 0 in a
    # narrow window around 7/20 that no sample point hits: never verified
    f = (eps - Rational(7, 20)) ** 2 - Rational(1, 10 ** 6)
    assert prove_nonnegative(f, eps, Rational(1, 2), k=2).status != "verified"
    assert prove_nonnegative(f, eps, Rational(1, 2), k=3).status != "verified"


def test_not_smooth_at_zero_is_unknown_not_verified():
    # 1 + sqrt(eps) > 0, but with k = 1 no enclosure of sqrt near 0 exists: the derivative
    # step fails at every scale and the answer must be 'unknown' (callers treat any other
    # status but 'refuted' and 'unknown' as a proof)
    assert prove_nonnegative(1 + sqrt(eps), eps, Rational(1, 2)).status == "unknown"
    assert prove_nonnegative(1 + sqrt(eps), eps, Rational(1, 2), k=2).status == "verified"


# ---------------------------------------------------------- decisions made once per process


def test_signs_proofs_and_leading_terms_are_remembered():
    import symkkt.kernel.exact as E

    for memo in (E._SIGNS, E._PROOFS, E._LEADING):
        memo.clear()
    v = sqrt(2) - Rational(7, 5)
    assert sign(v) == 1 and list(E._SIGNS.values()) == [1]
    assert sign(v) == 1 and len(E._SIGNS) == 1
    assert sign(Rational(-3, 4)) == -1 and len(E._SIGNS) == 1    # rationals: decided at once
    f = eps - eps ** 2
    p = prove_nonnegative(f, eps, Rational(1, 2))
    assert prove_nonnegative(f, eps, Rational(1, 2)) is p
    assert prove_nonnegative(f, eps, Rational(1, 2), strict=True) is not p   # another question
    assert len(E._PROOFS) == 2
    lt = leading_term(f, eps)
    assert leading_term(f, eps) is lt and lt == eps and len(E._LEADING) == 1
    assert leading_term(f, eps, 2) == eps and len(E._LEADING) == 2


def test_a_remembered_answer_is_not_given_to_an_argument_of_another_type():
    # 1 == Integer(1) and they hash alike, but only a sympy Rational is a valid eps0
    assert prove_nonnegative(eps, eps, Integer(1)).status == "verified"
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, 1)
    assert leading_term(eps - eps ** 2, eps, 1) == eps
    assert leading_term(eps - eps ** 2, eps, Integer(1)) == eps


def test_what_raises_is_not_remembered_and_the_memo_is_bounded(monkeypatch):
    import symkkt.kernel.exact as E

    x = sympy.Symbol("x")
    for _ in range(2):
        with pytest.raises(UndecidedError):
            sign(x + 1)
    assert not any(key[0] == x + 1 for key in E._SIGNS)
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, Rational(-1))
    assert not any(key[2] == Rational(-1) for key in E._PROOFS)
    monkeypatch.setattr(E, "_MEMO_MAX", 3)
    E._SIGNS.clear()
    for n in range(2, 9):
        assert sign(sqrt(n) - 1) == 1
        assert len(E._SIGNS) <= 3
    assert any(key[0] == sqrt(8) - 1 for key in E._SIGNS)


# ------------------------------------------------------------------ the cheap non-zero look

def test_nonzero_somewhere_answers_only_on_an_enclosure_without_zero():
    """``_nonzero_somewhere`` lets ``leading_term`` skip ``simplify``: it must say "not 0" only
    where an enclosure excludes 0 (an exact 0, whose enclosure is ``[0, 0]``, is no proof)."""
    from symkkt.kernel.exact import _nonzero_somewhere

    assert _nonzero_somewhere(t, t) is True
    assert _nonzero_somewhere(-t, t) is True
    assert _nonzero_somewhere(1 / (7 * t - 1), t) is True     # undefined at 1/7, not at 1/1000
    assert _nonzero_somewhere(sympy.Integer(0), t) is False
    assert _nonzero_somewhere(sympy.Mul(0, t, evaluate=False), t) is False
    assert _nonzero_somewhere((t - Rational(1, 7)) * (t - Rational(1, 1000)), t) is False


def test_leading_term_of_a_function_zero_at_the_samples_is_not_zero():
    """Zero at both quick-look points but not identically 0: the leading term is its value at
    0, not 0; and a function that is identically 0 without looking so has leading term 0."""
    f = (eps - Rational(1, 7)) * (eps - Rational(1, 1000))
    assert leading_term(f, eps) == Rational(1, 7000)
    assert leading_term(sin(eps) ** 2 + cos(eps) ** 2 - 1, eps) == 0
