"""The compiled interval evaluator encloses exactly what the tree-walking one does."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symkkt.kernel.budget import OutOfTime, budget
from symkkt.kernel.exact import _context, _Domain, interval_eval
from symkkt.kernel.ieval import compile_interval, compiled

x, y = sympy.symbols("x y", real=True)

LEAVES = st.sampled_from([x, y, sympy.Integer(2), sympy.Rational(-3, 7), sympy.pi, sympy.E,
                          sympy.Integer(0)])


def _exprs():
    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1]),
            st.tuples(children, st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-1, 3),
                                                 x])).map(lambda t: t[0] ** t[1]),
            children.map(sympy.sin), children.map(sympy.cos), children.map(sympy.exp),
            children.map(sympy.log),
        )
    return st.recursive(LEAVES, extend, max_leaves=6)


def _both(e, env, prec=96):
    """Both evaluators' results; ``None`` when one takes over 2 s (towers such as
    ``exp(exp(exp(x)))**4`` make mpmath slow: such draws say nothing about equality)."""
    ctx = _context(prec)
    out = []
    for fn in (lambda: interval_eval(e, ctx, env), lambda: compile_interval(e)(ctx, env)):
        try:
            with budget(2):
                v = fn()
            out.append(("ok", str(v.a), str(v.b)))
        except OutOfTime:
            return None
        except _Domain:
            out.append(("domain",))
        except (OverflowError, ZeroDivisionError, ValueError) as exc:
            out.append(("error", type(exc).__name__))
    return out


@settings(max_examples=300, deadline=None)
@given(_exprs(), st.fractions(-3, 3, max_denominator=8), st.fractions(0, 1, max_denominator=8))
def test_same_enclosure_as_the_tree_walk(e, lo, width):
    ctx = _context(96)
    env = {x: ctx.mpf([ctx.mpf(lo.numerator) / lo.denominator,
                       ctx.mpf((lo + width).numerator) / (lo + width).denominator]),
           y: ctx.mpf(2)}
    got = _both(e, env)
    assume(got is not None)
    a, b = got
    assert a == b, e


def test_shared_subexpressions_are_evaluated_once():
    s = sympy.sqrt(x + 1)
    e = s * s + s ** 3 + sympy.exp(s)
    prog = compile_interval(e)
    distinct = {ins for ins in prog.code}
    assert len(prog.code) == len(distinct)
    ctx = _context(64)
    v = prog(ctx, {x: ctx.mpf([1, 2])})
    w = interval_eval(e, ctx, {x: ctx.mpf([1, 2])})
    assert (v.a, v.b) == (w.a, w.b)


def test_refusals_match():
    ctx = _context(64)
    for e in (1 / x, sympy.sqrt(x), sympy.log(x), x ** sympy.Rational(1, 3),
              sympy.Float(1.5) * x, sympy.I * x):
        with pytest.raises(_Domain):
            interval_eval(e, ctx, {x: ctx.mpf([-1, 1])})
        with pytest.raises(_Domain):
            compile_interval(e)(ctx, {x: ctx.mpf([-1, 1])})
    with pytest.raises(_Domain):
        compile_interval(x + y)(ctx, {x: ctx.mpf(1)})     # y is free


def test_deep_expressions_do_not_recurse():
    e = x
    for k in range(3000):
        e = sympy.Add(e, sympy.Integer(k), evaluate=False) if k % 2 else sympy.Mul(
            e, sympy.Rational(k + 1, k + 2), evaluate=False)
    ctx = _context(64)
    v = compile_interval(e)(ctx, {x: ctx.mpf(1)})
    assert v.a <= v.b


def test_constants_follow_the_precision():
    prog = compiled(sympy.Rational(1, 3) * x)
    lo = prog(_context(53), {x: _context(53).mpf(1)})
    hi = prog(_context(400), {x: _context(400).mpf(1)})
    assert hi.b - hi.a < lo.b - lo.a          # tighter at higher precision
    assert lo.a <= sympy.Rational(1, 3) <= lo.b


# --------------------------------------------------------------- the bisection arithmetics

from fractions import Fraction  # noqa: E402

from symkkt.kernel.ieval import Mpfr, Mpi, arithmetic  # noqa: E402

ALGEBRAIC_LEAVES = st.sampled_from([x, y, sympy.Integer(2), sympy.Rational(-3, 7),
                                    sympy.Rational(5, 3), sympy.Integer(0)])


def _algebraic():
    """Random expressions MPFR evaluates: no sin, cos, pi or E."""
    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1]),
            st.tuples(children, st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-1, 3),
                                                 x])).map(lambda t: t[0] ** t[1]),
            children.map(sympy.exp), children.map(sympy.log),
        )
    return st.recursive(ALGEBRAIC_LEAVES, extend, max_leaves=6)


def _mpfr_and_mpmath(e, box, prec=96):
    """MPFR's enclosure and mpmath's tree walk on the same box, as pairs of Fractions (or
    "domain" / "error"); None when one takes over 2 s."""
    ar = Mpfr(prec)
    ctx = _context(prec)
    env = {s: ar.interval(lo, hi) for s, (lo, hi) in box.items()}
    menv = {s: ctx.mpf([(ctx.mpf(lo.numerator) / lo.denominator).a,
                        (ctx.mpf(hi.numerator) / hi.denominator).b])
            for s, (lo, hi) in box.items()}
    out = []
    for fn, conv in ((lambda: ar.run(compile_interval(e), env),
                      lambda v: (_fraction(v[0]), _fraction(v[1]))),
                     (lambda: interval_eval(e, ctx, menv),
                      lambda v: (_mpf_fraction(v.a), _mpf_fraction(v.b)))):
        try:
            with budget(2):
                out.append(conv(fn()))
        except OutOfTime:
            return None
        except _Domain:
            out.append("domain")
        except (OverflowError, ZeroDivisionError, ValueError):
            out.append("error")
    return out


def _fraction(v) -> Fraction:
    return Fraction(*v.as_integer_ratio())


@settings(max_examples=300, deadline=None)
@given(_algebraic(), st.fractions(-3, 3, max_denominator=8), st.fractions(0, 1, max_denominator=8))
def test_mpfr_encloses_within_mpmath(e, lo, width):
    """MPFR's correctly rounded endpoints give an enclosure inside mpmath's (so every box the
    bisection proved with mpmath it proves here), refusing no more often."""
    assume(compile_interval(e).mpfr_ok)          # (sympy may turn log(-3) into ... + I*pi)
    box = {x: (lo, lo + width), y: (Fraction(2), Fraction(2))}
    got = _mpfr_and_mpmath(e, box)
    assume(got is not None)
    fast, ref = got
    if ref in ("domain", "error"):
        return
    assert fast not in ("domain", "error"), e
    assert ref[0] <= fast[0] <= fast[1] <= ref[1], e


@settings(max_examples=200, deadline=None)
@given(_algebraic(), st.fractions(-3, 3, max_denominator=8), st.fractions(0, 1, max_denominator=8))
def test_mpfr_enclosure_contains_the_values(e, lo, width):
    """Rigour: the exact value at the box's ends and middle (enclosed by mpmath at 400 bits)
    lies in MPFR's enclosure of the whole box."""
    ar = Mpfr(96)
    prog = compile_interval(e)
    assume(prog.mpfr_ok)
    try:
        with budget(2):
            v = ar.run(prog, {x: ar.interval(lo, lo + width), y: ar.interval(Fraction(2),
                                                                              Fraction(2))})
    except (OutOfTime, _Domain):
        return
    vlo, vhi = _fraction(v[0]), _fraction(v[1])
    ctx = _context(400)
    for pt in (lo, lo + width / 2, lo + width):
        try:
            with budget(2):
                w = interval_eval(e, ctx, {x: ctx.mpf(pt.numerator) / pt.denominator,
                                           y: ctx.mpf(2)})
        except (OutOfTime, _Domain, OverflowError, ZeroDivisionError, ValueError):
            continue
        wlo, whi = _mpf_fraction(w.a), _mpf_fraction(w.b)
        assert not (whi < vlo or wlo > vhi), (e, pt)


def _mpf_fraction(v) -> Fraction:
    from mpmath.libmp import to_rational

    p, q = to_rational(v._mpi_[0])
    return Fraction(p, q)


def test_mpfr_refusals_and_traps():
    ar = Mpfr(64)
    one = {x: ar.interval(Fraction(-1), Fraction(1))}
    for e in (1 / x, sympy.sqrt(x), sympy.log(x), x ** sympy.Rational(1, 3), x ** -2):
        with pytest.raises(_Domain):
            ar.run(compile_interval(e), one)
    with pytest.raises(_Domain):
        ar.run(compile_interval(x + y), one)                  # y is free
    with pytest.raises(_Domain):                              # overflow traps, never inf
        ar.run(compile_interval(sympy.exp(sympy.exp(sympy.exp(x)))),
               {x: ar.interval(Fraction(30), Fraction(31))})
    with pytest.raises(_Domain):
        ar.root(ar.interval(Fraction(0), Fraction(1)), 3)
    lo, hi = ar.root(ar.interval(Fraction(8), Fraction(27)), 3)
    assert lo <= 2 and hi >= 3 and lo ** 3 <= 8 and hi ** 3 >= 27


def test_even_powers_of_an_interval_straddling_zero_are_nonnegative():
    ar = Mpfr(96)
    v = ar.run(compile_interval(x ** 2 + x ** 4), {x: ar.interval(Fraction(-1, 10),
                                                                   Fraction(3, 10))})
    assert ar.nonnegative(v) and not ar.positive(v)
    assert v[1] >= Fraction(9, 100) + Fraction(81, 10000)


def test_the_arithmetic_falls_back_to_mpmath_for_sin_cos_pi():
    assert isinstance(arithmetic(96, [compile_interval(x * y)]), Mpfr)
    # on [1, 2]: sin > 0.8, pi*x and E + x > 3; cos runs from 0.54 to -0.42 (no sign)
    for e, positive in ((sympy.sin(x), True), (sympy.cos(x), False), (sympy.pi * x, True),
                        (sympy.E + x, True)):
        ar = arithmetic(96, [compile_interval(x), compile_interval(e)])
        assert isinstance(ar, Mpi)
        v = ar.run(compile_interval(e), {x: ar.interval(Fraction(1), Fraction(2))})
        assert ar.positive(v) is positive and ar.nonnegative(v) is positive
        assert not ar.negative(v)
    with pytest.raises(ValueError):
        Mpfr(96).run(compile_interval(sympy.sin(x)), {x: Mpfr(96).interval(Fraction(0),
                                                                            Fraction(1))})


@pytest.mark.parametrize("lo, hi", [(Fraction(-1, 3), Fraction(1, 10)),
                                    (Fraction(-2, 3), Fraction(1, 7)),
                                    (Fraction(-1, 7), Fraction(1, 10)),
                                    (Fraction(-1, 10), Fraction(1, 3))])
def test_even_powers_straddling_zero_bound_the_larger_end(lo, hi):
    """Regression: the upper end of ``[a, b]^2`` must come from ``a^2`` or ``b^2`` rounded up
    at the working precision. (``-a`` on an mpfr rounds to the global context's 53 bits,
    which for a non-dyadic end gave an upper bound below ``max(a^2, b^2)``.)"""
    ar = Mpfr(96)
    for n in (2, 4):
        v = ar.run(compile_interval(x ** n), {x: ar.interval(lo, hi)})
        assert _fraction(v[0]) == 0
        assert _fraction(v[1]) >= max(lo ** n, hi ** n)
        w = interval_eval(x ** n, _context(96), {x: _context(96).mpf(
            [(_context(96).mpf(lo.numerator) / lo.denominator).a,
             (_context(96).mpf(hi.numerator) / hi.denominator).b])})
        assert _fraction(v[1]) <= _mpf_fraction(w.b)          # and as tight as mpmath's


@pytest.mark.parametrize("p, q", [(1, 3), (-1, 3), (2 ** 100 + 1, 1), (-(2 ** 100 + 1), 1),
                                  (10 ** 40 + 1, 7), (3, 2 ** 200 + 1), (0, 5),
                                  (-(3 ** 90), 2 ** 61 - 1)])
def test_mpfr_rationals_are_rounded_outward_exactly(p, q):
    """An end p/q enters as [down(p/q), up(p/q)], each correctly rounded: numerators and
    denominators wider than the precision are not rounded first."""
    ar = Mpfr(96)
    lo, hi = ar.interval(Fraction(p, q), Fraction(p, q))
    assert _fraction(lo) <= Fraction(p, q) <= _fraction(hi)
    assert _fraction(hi) - _fraction(lo) <= abs(Fraction(p, q)) / 2 ** 94    # tight


def _exact_ends(v) -> tuple[Fraction, Fraction]:
    from mpmath.libmp import to_rational

    return tuple(Fraction(*to_rational(end)) for end in v)


def test_mpmath_arithmetic_encloses_and_decides_signs_exactly_at_zero():
    """The fallback arithmetic (sin, cos, pi): enclosures contain the values, a sign is
    decided only by an end strictly past 0, and roots refuse an interval reaching 0."""
    ar = Mpi(96)
    one_two = {x: ar.interval(Fraction(1), Fraction(2))}
    v = ar.run(compile_interval(sympy.cos(x + 1)), one_two)       # cos on [2, 3] < 0
    lo, hi = _exact_ends(v)
    assert lo <= Fraction(-98999, 100000) and hi >= Fraction(-41615, 100000) and hi < 0
    assert ar.negative(v) and not ar.positive(v) and not ar.nonnegative(v)
    z = ar.run(compile_interval(x), {x: ar.interval(Fraction(0), Fraction(1))})
    assert ar.nonnegative(z) and not ar.positive(z) and not ar.negative(z)
    z = ar.run(compile_interval(x), {x: ar.interval(Fraction(-1), Fraction(0))})
    assert not ar.negative(z) and not ar.nonnegative(z)
    r = ar.root(ar.interval(Fraction(4), Fraction(9)), 2)           # sqrt([4, 9]) ∋ 2, 3
    lo, hi = _exact_ends(r)
    assert lo <= 2 and hi >= 3 and hi - lo < Fraction(11, 10)
    r3 = ar.root(ar.interval(Fraction(8), Fraction(8)), 3)
    lo, hi = _exact_ends(r3)
    assert lo <= 2 <= hi and hi - lo < Fraction(1, 10**20)
    with pytest.raises(_Domain):
        ar.root(ar.interval(Fraction(0), Fraction(1)), 2)


_ENDS = [Fraction(v) for v in (-2, -1, 0, 1, 2)]
_BOXES = [(a, b) for a in _ENDS for b in _ENDS if a <= b]


@pytest.mark.parametrize("arith", [Mpfr, Mpi])
def test_interval_products_are_the_exact_hull_in_every_sign_case(arith):
    """``[a, b] * [c, d]`` for every sign pattern of the ends (either factor positive,
    negative, straddling 0, or with an end exactly 0): with small integer ends every product is
    exact, so the enclosure must be exactly ``[min, max]`` of the four end products. A wrong
    branch gives a wrong (too narrow: unsound) or too wide end."""
    ar = arith(64)
    prog = compile_interval(x * y)
    for a, b in _BOXES:
        for c, d in _BOXES:
            v = ar.run(prog, {x: ar.interval(a, b), y: ar.interval(c, d)})
            ends = _exact_ends(v) if arith is Mpi else (_fraction(v[0]), _fraction(v[1]))
            prods = [a * c, a * d, b * c, b * d]
            assert ends == (min(prods), max(prods)), ((a, b), (c, d), ends)
