"""The kernel's exact decisions: signs of closed forms and positivity on (0, eps0]."""

import pytest
import sympy
from sympy import Integer, Rational, pi, sqrt

from symkkt.errors import UndecidedError
from symkkt.kernel.exact import leading_term, prove_nonnegative, sign

eps = sympy.Symbol("epsilon", positive=True)


@pytest.mark.parametrize("expr, expected", [
    (Integer(0), 0), (Rational(-1, 3), -1), (sqrt(2) - Rational(141421, 100000), 1),
    (sqrt(2) * sqrt(8) - 4, 0), (Integer(2) ** Rational(1, 3) - Rational(126, 100), -1),
    (sqrt(2) / 2 - 1 / sqrt(2), 0), (sqrt(3) + sqrt(2) - sqrt(5 + 2 * sqrt(6)), 0),
    (pi - Rational(355, 113), -1), (sympy.sin(pi / 6) - Rational(1, 2), 0),
    # very close but not equal: the interval refinement must separate it from 0
    (sqrt(10 ** 20 + 1) - 10 ** 10, 1),
])
def test_sign(expr, expected):
    assert sign(expr) == expected


def test_sign_refuses_symbols():
    with pytest.raises(UndecidedError):
        sign(eps + 1)


def test_proves_theorem_4_4_norm_decrease():
    # |theta'|^2 - |theta|^2 = -eps/2 + eps^2 for Theorem 4.4's curve
    f = eps / 2 - eps ** 2
    assert prove_nonnegative(f, eps, Rational(1, 4), strict=True).status == "verified"
    assert prove_nonnegative(f, eps, Rational(1, 3), strict=True).status == "verified"


def test_rejects_eps0_too_large():
    f = eps / 2 - eps ** 2          # negative for eps > 1/2
    p = prove_nonnegative(f, eps, Integer(1), strict=True)
    assert p.status == "refuted"
    assert p.counterexample is not None and p.counterexample > Rational(1, 2)


def test_eps0_exactly_at_root_strict_is_refuted():
    f = eps / 2 - eps ** 2          # zero at eps = 1/2
    assert prove_nonnegative(f, eps, Rational(1, 2), strict=True).status == "refuted"


def test_negative_leading_term_is_refuted():
    f = -eps + 1000 * eps ** 2      # negative for small eps, positive at the sample points
    p = prove_nonnegative(f, eps, Integer(1), strict=True)
    assert p.status == "refuted"


def test_radicals_cleared_by_substitution():
    # sqrt(eps) - eps >= 0 on (0, 1]; with eps = t^2 it is t - t^2
    f = sqrt(eps) - eps
    assert prove_nonnegative(f, eps, Rational(1, 2), k=2, strict=True).status == "verified"


def test_identically_zero_is_nonstrict_only():
    f = sqrt(1 - eps) ** 2 + eps - 1
    assert prove_nonnegative(f, eps, Rational(1, 2), k=2).status == "verified"
    assert prove_nonnegative(f, eps, Rational(1, 2), k=2, strict=True).status == "refuted"


def test_concavity_of_deep_diagonal_curve():
    m = 3
    c = Integer(2) ** Rational(-1, m)
    f = 2 * m * c ** 2 - m * (((1 + eps) / 2) ** Rational(2, m) + ((1 - eps) / 2) ** Rational(2, m))
    assert prove_nonnegative(f, eps, Rational(1, 2), strict=True).status == "verified"
    lt = leading_term(-f, eps)
    assert sign(lt.coeff(eps, 2)) < 0 and lt.has(eps)


def test_leading_term_values():
    assert leading_term(-eps / 2 + eps ** 2, eps) == -eps / 2
    assert leading_term(-2 * eps + Rational(17, 16) * eps ** 2, eps, k=2) == -2 * eps
    assert leading_term(Integer(0) * eps, eps) == 0


def test_bad_eps0_is_rejected():
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, Integer(0))
    with pytest.raises(UndecidedError):
        prove_nonnegative(eps, eps, sqrt(2) / 10)


_S, _C, _T, _TINY = sympy.sin, sympy.cos, sympy.tan, Rational(1, 10**30)


@pytest.mark.parametrize("expr, zero", [
    (_S(3 * pi / 7) ** 2 + _C(3 * pi / 7) ** 2 - 1, True),
    (-1 / _S(pi / 14) + 2 + 4 * _C(2 * pi / 7), True),          # Remark 3.2's leading term
    (_T(pi / 7) - _S(pi / 7) / _C(pi / 7), True),
    (-1 / _S(pi / 14) + 2 + 4 * _C(2 * pi / 7) + _TINY, False),  # 1e-30 from an identity
    (_C(pi / 5) - Rational(1, 4) - sqrt(5) / 4 + _TINY ** 2, False),
], ids=["pythagoras", "remark-3.2", "tan", "near-identity", "near-golden"])
def test_exact_zero_of_trig_values_at_rational_multiples_of_pi(expr, zero):
    """sin/cos/tan of rational multiples of π are algebraic: the zero test is exact (minimal
    polynomial), also for differences far below any float's resolution."""
    from symkkt.kernel.exact import _exact_zero, _is_algebraic

    assert _is_algebraic(expr)
    assert _exact_zero(expr) is zero
    if not expr.has(sympy.tan):          # (no interval enclosure of tan: sign is undecided)
        assert (sign(expr) == 0) is zero


@pytest.mark.parametrize("expr", [_S(1) + 1, _C(sqrt(2) * pi), pi - 3, sympy.exp(1) - 2,
                                  _S(pi / 7) + pi, sympy.E * sqrt(2)])
def test_transcendental_values_are_not_taken_for_algebraic(expr):
    from symkkt.kernel.exact import _is_algebraic

    assert not _is_algebraic(expr)
