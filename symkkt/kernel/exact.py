"""Exact decisions on real numbers and on real functions of one variable.

This is the arithmetic heart of the kernel. Nothing here uses a floating-point tolerance:

* :func:`sign` decides the sign of a closed-form real number. It first encloses the number
  in a validated interval (mpmath's interval arithmetic, outward rounding) at increasing
  precision; if 0 stays inside, it proves the number is zero exactly (minimal polynomial for
  algebraic numbers, sympy simplification otherwise) or, for an algebraic number that is
  provably not zero, keeps refining until the interval leaves 0. If neither works it raises
  :class:`UndecidedError`, never guesses.
* :func:`prove_nonnegative` proves ``f(eps) >= 0`` (or ``> 0``) for every ``eps`` in
  ``(0, eps0]``. It substitutes ``eps = t**k`` (clearing radicals of ``eps``), finds the first
  non-vanishing derivative ``g^(j)(0)`` exactly, proves ``g^(j) > 0`` on ``[0, t1]`` by
  interval bisection (Taylor: then ``g > 0`` on ``(0, t1]``) and ``g > 0`` on ``[t1, t0]`` by
  interval bisection. Interval evaluation refuses any operation outside its smooth domain
  (a root of an interval reaching 0, a division by an interval containing 0), so a success
  also proves ``g`` is smooth on ``[0, t0]``, which the Taylor step needs.

The interval contexts are private to the kernel (``MPIntervalContext`` instances, one per
precision), so the global ``mpmath.mp``/``mpmath.iv`` precision is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text
from mpmath.ctx_iv import MPIntervalContext

from ..errors import UndecidedError

__all__ = [
    "sign",
    "is_zero",
    "interval_eval",
    "Proof",
    "prove_nonnegative",
    "leading_term",
]

_PRECISIONS = (64, 160, 400, 1000, 2500)
_MAX_DERIVATIVE = 8


_CONTEXTS: dict[int, MPIntervalContext] = {}


def _context(prec: int) -> MPIntervalContext:
    """The module's interval context at ``prec`` bits: one per precision, made once (making
    one costs more than most evaluations). Callers only read ``ctx.prec``, never set it."""
    ctx = _CONTEXTS.get(prec)
    if ctx is None or ctx.prec != prec:      # (made anew should anything have changed it)
        ctx = MPIntervalContext()
        ctx.prec = prec
        _CONTEXTS[prec] = ctx
    return ctx


class _Domain(Exception):
    """An interval operation left its smooth domain (internal; becomes 'cannot enclose')."""


def interval_eval(expr: sympy.Expr, ctx: MPIntervalContext, env: dict | None = None):
    """Enclose ``expr`` in an mpmath interval; ``env`` maps Symbols to intervals.

    Raises :class:`_Domain` when an operation is not provably inside its smooth domain.
    """
    env = env or {}
    cache: dict = {}

    def ev(e):
        hit = cache.get(e)
        if hit is not None:
            return hit
        r = _ev(e)
        cache[e] = r
        return r

    def _ev(e):
        if e.is_Integer:
            return ctx.mpf(int(e))
        if e.is_Rational:
            return ctx.mpf(int(e.p)) / ctx.mpf(int(e.q))
        if e.is_Symbol:
            if e in env:
                return env[e]
            raise _Domain(f"free symbol {e}")
        if e is sympy.pi:
            return ctx.pi
        if e is sympy.E:
            return ctx.e
        if e.is_Add:
            acc = ctx.mpf(0)
            for a in e.args:
                acc = acc + ev(a)
            return acc
        if e.is_Mul:
            acc = ctx.mpf(1)
            for a in e.args:
                acc = acc * ev(a)
            return acc
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                b = ev(base)
                n = int(ex)
                if n < 0:
                    if b.a <= 0 <= b.b:
                        raise _Domain("division by an interval containing 0")
                    return ctx.mpf(1) / (b ** (-n))
                return b ** n
            b = ev(base)
            if not b.a > 0:
                raise _Domain("non-integer power of an interval reaching 0")
            return ctx.exp(ctx.log(b) * ev(ex))
        if isinstance(e, sympy.sin):
            return ctx.sin(ev(e.args[0]))
        if isinstance(e, sympy.cos):
            return ctx.cos(ev(e.args[0]))
        if isinstance(e, sympy.exp):
            return ctx.exp(ev(e.args[0]))
        if isinstance(e, sympy.log):
            a = ev(e.args[0])
            if not a.a > 0:
                raise _Domain("log of an interval reaching 0")
            return ctx.log(a)
        raise _Domain(f"cannot enclose {type(e).__name__}")

    return ev(_as_expr(expr) if not isinstance(expr, sympy.Basic) else expr)


_TRIG = (sympy.sin, sympy.cos, sympy.tan)


def _is_algebraic(expr: sympy.Expr) -> bool:
    """True if ``expr`` is built from rationals by field operations, rational powers and
    sin/cos/tan of rational multiples of π (those values are algebraic: ``cos(kπ/n)`` is a
    root of a Chebyshev polynomial, which is how sympy's ``minimal_polynomial`` treats it)."""
    trig = {}
    for f in expr.atoms(sympy.Function):
        if not isinstance(f, _TRIG) or not (f.args[0] / sympy.pi).is_Rational:
            return False
        trig[f] = sympy.Dummy()
    rest = expr.xreplace(trig) if trig else expr
    if rest.has(sympy.pi, sympy.E):
        return False
    return all(a.is_Rational for a in rest.atoms(sympy.Number))


def _exact_zero(expr: sympy.Expr) -> bool | None:
    """True if ``expr`` is provably 0, False if provably not, None if undecided."""
    if expr.is_Rational:
        return expr == 0
    if _is_algebraic(expr):
        x = sympy.Dummy("x")
        try:
            poly = sympy.minimal_polynomial(expr, x)
        except Exception:  # sympy raises several types here; any failure = undecided
            poly = None
        if poly is not None:
            return sympy.Poly(poly, x).degree() == 1 and poly.subs(x, 0) == 0
    try:
        simp = sympy.simplify(expr)
    except Exception:
        return None
    if simp == 0:
        return True
    if simp.is_Rational:
        return False
    return None


# Decisions made once per process: the checks ask for the same signs, proofs and leading
# terms again (a search tries a certificate before the claim checks it; several claims share
# a point). Each is a function of its arguments alone; what raises is not remembered.
_MEMO_MAX = 4096
_SIGNS: dict = {}
_PROOFS: dict = {}
_LEADING: dict = {}


def _remembered(memo: dict, key, compute):
    hit = memo.get(key)
    if hit is None:
        hit = compute()
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[key] = hit
    return hit


def sign(expr: sympy.Expr | int) -> int:
    """The sign (-1, 0 or 1) of a closed-form real constant, decided exactly.

    Raises :class:`UndecidedError` if neither validated enclosures nor an exact zero test
    settle it.
    """
    expr = _as_expr(expr) if isinstance(expr, (int, Fraction)) else expr
    if expr.is_Rational:
        return int(bool(expr > 0)) - int(bool(expr < 0))
    return _remembered(_SIGNS, (expr, type(expr)), lambda: _sign(expr))


def _sign(expr: sympy.Expr) -> int:
    if expr.free_symbols:
        raise UndecidedError(f"sign of a non-constant expression {expr}")
    for i, prec in enumerate(_PRECISIONS):
        try:
            v = interval_eval(expr, _context(prec))
        except _Domain as exc:
            raise UndecidedError(f"cannot enclose {expr}: {exc}") from None
        if v.a > 0:
            return 1
        if v.b < 0:
            return -1
        # refine once before the (costly) exact zero test; if it says "not 0" or cannot
        # tell, the finer enclosures decide
        if i == 1 and _exact_zero(expr) is True:
            return 0
    raise UndecidedError(f"could not decide the sign of {expr}")


def is_zero(expr: sympy.Expr) -> bool:
    """True iff ``expr`` is exactly zero (raises UndecidedError when it cannot tell)."""
    return sign(expr) == 0


# --------------------------------------------------------------------------------------
# One-variable positivity on (0, eps0]


@dataclass(frozen=True)
class Proof:
    """The outcome of :func:`prove_nonnegative`.

    ``status`` is ``"verified"``, ``"refuted"`` or ``"unknown"``; ``reason`` says why in one
    sentence; ``counterexample`` is an exact ``eps`` where the inequality fails (refuted);
    ``order`` is ``(j, c)`` with ``g(t) = c t^j / j! + o(t^j)`` after ``eps = t**k``.
    """

    status: str
    reason: str
    counterexample: sympy.Expr | None = None
    identically_zero: bool = False


def _substitute(f: sympy.Expr, eps: sympy.Symbol, k: int) -> tuple[sympy.Expr, sympy.Symbol]:
    t = sympy.Symbol("t", positive=True)
    g = f.xreplace({eps: t ** k})
    # powsimp/expand_power_base with t positive turns sqrt(t**2/2) into t*sqrt(2)/2.
    g = sympy.powdenest(sympy.expand_power_base(g, force=False), force=False)
    return g, t


def _value_at_zero(g: sympy.Expr, t: sympy.Symbol) -> sympy.Expr:
    v = g.xreplace({t: sympy.Integer(0)})
    if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise UndecidedError("the function is not finite at eps = 0 after the substitution")
    return v


def _interval_positive(g: sympy.Expr, t: sympy.Symbol, lo, hi, ctx, budget: list[int]) -> bool:
    """Prove ``g > 0`` on ``[lo, hi]`` (mpf endpoints) by interval bisection."""
    from mpmath.libmp import fzero, mpf_lt

    from .ieval import compiled

    run = compiled(g).run      # interval_eval's enclosures, bit for bit, without the tree walk
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            return False
        try:
            v = run(ctx.prec, {t: ctx.mpf([a, b])._mpi_})
        except _Domain:
            v = None
        if v is not None and mpf_lt(fzero, v[0]):
            continue
        if v is not None and mpf_lt(v[1], fzero):
            return False
        if b - a < ctx.mpf(2) ** (-40) * (1 + abs(b)):
            return False
        m = (a + b) / 2
        m = m.a if hasattr(m, "a") else m
        stack.append((m, b))
        stack.append((a, m))
    return True


def _sample_sign(f: sympy.Expr, eps: sympy.Symbol, e: sympy.Rational) -> int:
    """``sign(f(e))``: read off an enclosure of ``f`` at the point ``e`` where it excludes 0
    (the sign of the exact value), else decided by :func:`sign` on ``f(e)``."""
    from mpmath.libmp import fzero, mpf_lt

    from .ieval import compiled, raw_fraction

    q = Fraction(int(e.p), int(e.q))
    try:
        lo, hi = compiled(f).run(64, {eps: raw_fraction(q, q, 64)})
        if mpf_lt(fzero, lo):
            return 1
        if mpf_lt(hi, fzero):
            return -1
    except _Domain:
        pass
    return sign(f.xreplace({eps: e}))


def _nonzero_somewhere(g: sympy.Expr, t: sympy.Symbol) -> bool:
    """True if ``g`` is provably not 0 at some rational ``t`` (an enclosure there without 0),
    so it is not identically 0 (a cheap look before ``simplify``)."""
    ctx = _context(64)
    for q in (sympy.Rational(1, 7), sympy.Rational(1, 1000)):
        try:
            v = interval_eval(g, ctx, {t: ctx.mpf(int(q.p)) / ctx.mpf(int(q.q))})
        except _Domain:
            continue
        if v.a > 0 or v.b < 0:
            return True
    return False


def leading_term(f: sympy.Expr, eps: sympy.Symbol, k: int = 1) -> sympy.Expr:
    """The leading term ``c * eps**(j/k)`` of ``f`` at ``eps -> 0+`` (0 if f is identically 0).

    Decided exactly from derivatives of ``g(t) = f(t**k)`` at 0; raises UndecidedError if no
    derivative up to order 8 is provably non-zero.
    """
    return _remembered(_LEADING, (f, eps, k, type(k)), lambda: _leading_term(f, eps, k))


def _leading_term(f: sympy.Expr, eps: sympy.Symbol, k: int) -> sympy.Expr:
    g, t = _substitute(f, eps, k)
    if not _nonzero_somewhere(g, t) and sympy.simplify(g) == 0:
        return sympy.Integer(0)
    d = g
    for j in range(_MAX_DERIVATIVE + 1):
        c = sympy.radsimp(sympy.simplify(_value_at_zero(d, t)))
        if sign(c) != 0:
            return sympy.simplify(c / sympy.factorial(j)) * eps ** sympy.Rational(j, k)
        d = sympy.diff(d, t)
    raise UndecidedError(f"no non-zero derivative up to order {_MAX_DERIVATIVE}")


def _sample_points(eps0: sympy.Rational) -> Iterable[sympy.Rational]:
    for div in (1, 2, 3, 10, 100, 1000, 10 ** 6):
        yield eps0 / div


def prove_nonnegative(f: sympy.Expr, eps: sympy.Symbol, eps0: sympy.Rational, *, k: int = 1,
                      strict: bool = False, budget: int = 4000) -> Proof:
    """Prove ``f(eps) >= 0`` (``> 0`` if ``strict``) for every ``eps`` in ``(0, eps0]``.

    A failure at an exact sample point gives ``refuted`` with the counterexample; a negative
    leading derivative gives ``refuted`` too (then ``f < 0`` for all small ``eps``, provided
    ``f(t**k)`` is smooth at 0, which is checked). Otherwise ``verified`` or ``unknown``.
    """
    # (the types too: 1 == Integer(1), but only a sympy Rational is a valid eps0)
    return _remembered(_PROOFS, (f, eps, eps0, type(eps0), k, type(k), strict, budget),
                       lambda: _prove_nonnegative(f, eps, eps0, k, strict, budget))


def _prove_nonnegative(f: sympy.Expr, eps: sympy.Symbol, eps0: sympy.Rational, k: int,
                       strict: bool, budget: int) -> Proof:
    if not (isinstance(eps0, sympy.Rational) and eps0 > 0):
        raise UndecidedError(f"eps0={eps0} must be a positive rational")
    if not (isinstance(k, int) and k >= 1):
        raise UndecidedError(f"k={k} must be a positive integer")
    want = "> 0" if strict else ">= 0"
    # 1. Exact samples: cheap refutation.
    nonzero = False            # some sample is not 0: f is not identically 0
    for e in _sample_points(eps0):
        try:
            s = _sample_sign(f, eps, e)
        except UndecidedError:
            continue
        if s < 0 or (strict and s == 0):
            return Proof("refuted", f"fails at epsilon = {e}: the value is not {want}",
                         counterexample=e)
        nonzero = nonzero or s != 0
    g, t = _substitute(f, eps, k)
    try:
        if not nonzero and sympy.simplify(g) == 0:
            if strict:
                return Proof("refuted", "the function is identically 0", counterexample=eps0,
                             identically_zero=True)
            return Proof("verified", "identically 0", identically_zero=True)
    except Exception:  # simplify may fail on odd input; fall through to the analytic proof
        pass
    ctx = _context(120)
    t0 = ctx.exp(ctx.log(ctx.mpf(int(eps0.p)) / ctx.mpf(int(eps0.q))) / k)
    hi = t0.b
    # 2. First non-vanishing derivative at 0.
    d = g
    j = None
    for order in range(_MAX_DERIVATIVE + 1):
        try:
            c = _value_at_zero(d, t)
            s = sign(c)
        except UndecidedError as exc:
            return Proof("unknown", f"derivative {order} at 0 undecided: {exc}")
        if s < 0:
            return Proof("refuted", f"the leading term at eps -> 0+ (derivative {order}) is "
                                    f"negative, so the function is < 0 for small eps")
        if s > 0:
            j = order
            break
        d = sympy.diff(d, t)
    if j is None:
        return Proof("unknown", f"all derivatives up to order {_MAX_DERIVATIVE} vanish at 0")
    left = [budget]
    # 3. d = g^(j) > 0 on [0, t1]; then g > 0 on [t1, hi].
    t1 = hi
    for _ in range(40):
        if _interval_positive(d, t, ctx.mpf(0), t1, ctx, left):
            break
        t1 = (ctx.mpf(t1) / 4).a
        if left[0] <= 0:
            return Proof("unknown", "interval bisection budget exhausted near 0")
    else:
        return Proof("unknown", f"could not prove derivative {j} positive near 0")
    if t1 < hi and not _interval_positive(g, t, t1, hi, ctx, left):
        return Proof("unknown", f"could not prove {want} on the whole interval by bisection")
    return Proof("verified", f"derivative {j} of f(t**{k}) is positive at 0 and the bound "
                             f"holds on (0, eps0] by validated bisection")
