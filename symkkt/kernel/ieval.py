"""Compiled interval evaluation: one walk of the expression, many boxes.

:func:`symkkt.kernel.exact.interval_eval` walks the sympy tree on every call; validated
bisection calls it thousands of times on the same expression (Remark 3.2: 19,000 calls, 1.1M
node visits). :func:`compile_interval` walks the tree once, into a straight-line program over
the distinct sub-expressions (shared nodes once), and converts its constants once per
precision.

Running the program is the same interval arithmetic, operation for operation, as
``interval_eval``: mpmath's ``iv`` context is a thin object layer over the interval functions
of ``mpmath.libmp.libmpi`` (``mpi_add``, ``mpi_mul``, ``mpi_div``, ``mpi_pow_int``,
``mpi_exp``, ``mpi_log``, ``mpi_cos``, ``mpi_sin``: endpoints rounded outward, floor and
ceiling), and the program calls those same functions on raw endpoint pairs, skipping only the
per-operation wrapping (type checks, conversions, one Python object per intermediate). The
enclosures are bit for bit the ones ``interval_eval`` gives (the kernel's tests compare the
endpoints on random expressions), with the same refusals outside the smooth domain
(:class:`~symkkt.kernel.exact._Domain`). An ``ivmpf`` of any context can be passed in ``env``.

Two ways to run a program: ``prog(ctx, env)`` with mpmath intervals in and out, and
``prog.run(prec, env)`` with raw ``(lo, hi)`` pairs of mpmath ``mpf`` tuples (see
:func:`raw_interval`, :func:`raw_fraction`), for the bisection loops that evaluate one
program on thousands of boxes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Mapping

import sympy
from mpmath.libmp import (fone, fzero, from_int, mpf_e, mpf_le, mpf_lt, mpf_pi,
                          round_ceiling, round_floor)
from mpmath.libmp.libmpi import (mpi_add, mpi_cos, mpi_div, mpi_exp, mpi_log, mpi_mul,
                                 mpi_pos, mpi_pow_int, mpi_sin)
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .exact import _Domain

__all__ = ["compile_interval", "compiled", "Compiled", "raw_interval", "raw_fraction",
           "raw_int", "aux_root"]

# opcodes
(_CONST, _SYM, _ADD, _MUL, _IPOW, _RPOW, _SIN, _COS, _EXP, _LOG, _PI, _E, _FAIL, _ADD2,
 _MUL2, _NPOW) = range(16)

_ZERO_I = (fzero, fzero)


def raw_int(n: int, prec: int) -> tuple:
    """The interval mpmath's ``iv`` makes of the integer ``n`` at ``prec`` bits."""
    return from_int(n, prec, round_floor), from_int(n, prec, round_ceiling)


def raw_fraction(lo: Fraction, hi: Fraction, prec: int) -> tuple:
    """``[lo, hi]`` exactly as ``ctx.mpf([ctx.mpf(p_lo)/ctx.mpf(q_lo), ...])`` makes it: each
    endpoint divided out in interval arithmetic, the lower end of the one, the upper of the
    other (outward rounding)."""
    a = mpi_div(raw_int(lo.numerator, prec), raw_int(lo.denominator, prec), prec)[0]
    b = mpi_div(raw_int(hi.numerator, prec), raw_int(hi.denominator, prec), prec)[1]
    return a, b


def raw_interval(v, ctx=None) -> tuple:
    """The ``(lo, hi)`` endpoint pair of an mpmath interval (or of a number, converted by
    ``ctx`` as ``iv`` arithmetic would convert it)."""
    r = getattr(v, "_mpi_", None)
    if r is None:
        if ctx is None:
            raise TypeError(f"not an interval: {v!r}")
        r = ctx.convert(v)._mpi_
    return r


def aux_root(b: tuple, q: int, prec: int) -> tuple:
    """``exp(log(b) / q)`` as ``ctx.exp(ctx.log(b) / q)`` computes it: an enclosure of the
    positive ``q``-th root of every point of ``b`` (the caller has checked ``b > 0``)."""
    return mpi_exp(mpi_div(mpi_log(b, prec), raw_int(q, prec), prec), prec)


class Compiled:
    """A straight-line interval program for one expression; call with ``(ctx, env)``."""

    __slots__ = ("expr", "code", "consts", "_const_cache")

    def __init__(self, expr: sympy.Expr, code: list[tuple], consts: list[sympy.Rational]):
        self.expr = expr
        self.code = code
        self.consts = consts
        self._const_cache: dict[int, list[tuple]] = {}

    def _constants(self, prec: int) -> list[tuple]:
        hit = self._const_cache.get(prec)
        if hit is None:
            hit = [raw_int(int(c), prec) if c.is_Integer else
                   mpi_div(raw_int(int(c.p), prec), raw_int(int(c.q), prec), prec)
                   for c in self.consts]
            self._const_cache[prec] = hit
        return hit

    def __call__(self, ctx, env: Mapping[sympy.Symbol, Any] | None = None):
        prec = ctx.prec
        raw = {}
        if env:
            for k, v in env.items():
                raw[k] = mpi_pos(raw_interval(v, ctx), prec)
        return ctx.make_mpf(self.run(prec, raw))

    def run(self, prec: int, env: Mapping[sympy.Symbol, tuple]) -> tuple:
        """The enclosure as a raw ``(lo, hi)`` pair; ``env`` maps symbols to raw pairs of at
        most ``prec`` bits (as every operation here returns)."""
        consts = self._constants(prec)
        vals: list[Any] = []
        push = vals.append
        add, mul = mpi_add, mpi_mul
        for op, x, y in self.code:
            if op == _MUL2:
                push(mul(vals[x], vals[y], prec))
            elif op == _ADD2:
                push(add(vals[x], vals[y], prec))
            elif op == _CONST:
                push(consts[x])
            elif op == _SYM:
                v = env.get(x)
                if v is None:
                    raise _Domain(f"free symbol {x}")
                push(v)
            elif op == _IPOW:
                push(mpi_pow_int(vals[x], y, prec))
            elif op == _MUL:
                acc = vals[x[0]]
                for j in x[1:]:
                    acc = mul(acc, vals[j], prec)
                push(acc)
            elif op == _ADD:
                acc = vals[x[0]]
                for j in x[1:]:
                    acc = add(acc, vals[j], prec)
                push(acc)
            elif op == _NPOW:
                b = vals[x]
                if mpf_le(b[0], fzero) and mpf_le(fzero, b[1]):
                    raise _Domain("division by an interval containing 0")
                push(mpi_div((fone, fone), mpi_pow_int(b, y, prec), prec))
            elif op == _RPOW:
                b = vals[x]
                if not mpf_lt(fzero, b[0]):
                    raise _Domain("non-integer power of an interval reaching 0")
                push(mpi_exp(mul(mpi_log(b, prec), vals[y], prec), prec))
            elif op == _SIN:
                push(mpi_sin(vals[x], prec))
            elif op == _COS:
                push(mpi_cos(vals[x], prec))
            elif op == _EXP:
                push(mpi_exp(vals[x], prec))
            elif op == _LOG:
                a = vals[x]
                if not mpf_lt(fzero, a[0]):
                    raise _Domain("log of an interval reaching 0")
                push(mpi_log(a, prec))
            elif op == _PI:
                push((mpf_pi(prec, round_floor), mpf_pi(prec, round_ceiling)))
            elif op == _E:
                push((mpf_e(prec, round_floor), mpf_e(prec, round_ceiling)))
            else:
                raise _Domain(x)
        return vals[-1]


def compile_interval(expr: sympy.Expr) -> Compiled:
    """Compile ``expr`` (numbers, symbols, ``+ * **``, ``sin cos exp log``, ``pi``, ``E``)."""
    expr = _as_expr(expr) if not isinstance(expr, sympy.Basic) else expr
    index: dict[sympy.Basic, int] = {}
    code: list[tuple] = []
    consts: list[sympy.Rational] = []

    # iterative post-order walk (no recursion limit on deep expressions)
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if e in index:
            continue
        kids = _children(e)
        if not ready and kids:
            stack.append((e, True))
            stack.extend((k, False) for k in reversed(kids) if k not in index)
            continue
        code.append(_instruction(e, index, consts))
        index[e] = len(code) - 1
    assert index[expr] == len(code) - 1    # post-order: the root comes last
    return Compiled(expr, code, consts)


def _children(e: sympy.Basic) -> tuple:
    if e.is_Add or e.is_Mul:
        return e.args
    if e.is_Pow:
        base, ex = e.args
        return (base,) if ex.is_Integer else (base, ex)
    if isinstance(e, (sympy.sin, sympy.cos, sympy.exp, sympy.log)):
        return (e.args[0],)
    return ()


def _instruction(e: sympy.Basic, index: Mapping, consts: list) -> tuple:
    """One instruction ``(op, x, y)``. An n-ary sum or product is evaluated left to right
    from its first term (``0 + a`` and ``1 * a`` are ``a`` exactly: every value here has at
    most ``prec`` bits), as ``interval_eval`` does from 0 and 1."""
    if e.is_Rational:
        consts.append(e)
        return (_CONST, len(consts) - 1, None)
    if e.is_Symbol:
        return (_SYM, e, None)
    if e is sympy.pi:
        return (_PI, None, None)
    if e is sympy.E:
        return (_E, None, None)
    if e.is_Add or e.is_Mul:
        args = tuple(index[a] for a in e.args)
        if len(args) == 2:
            return (_ADD2 if e.is_Add else _MUL2, args[0], args[1])
        return (_ADD if e.is_Add else _MUL, args, None)
    if e.is_Pow:
        base, ex = e.args
        if ex.is_Integer:
            n = int(ex)
            return (_NPOW, index[base], -n) if n < 0 else (_IPOW, index[base], n)
        return (_RPOW, index[base], index[ex])
    if isinstance(e, sympy.sin):
        return (_SIN, index[e.args[0]], None)
    if isinstance(e, sympy.cos):
        return (_COS, index[e.args[0]], None)
    if isinstance(e, sympy.exp):
        return (_EXP, index[e.args[0]], None)
    if isinstance(e, sympy.log):
        return (_LOG, index[e.args[0]], None)
    return (_FAIL, f"cannot enclose {type(e).__name__}", None)


_CACHE: dict[sympy.Basic, Compiled] = {}
_CACHE_MAX = 4096


def compiled(expr: sympy.Expr) -> Compiled:
    """``compile_interval`` with a bounded cache keyed by the expression."""
    hit = _CACHE.get(expr)
    if hit is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        hit = _CACHE[expr] = compile_interval(expr)
    return hit


def evaluator(expr: sympy.Expr) -> Callable[[int, Mapping], tuple]:
    """The raw runner of ``expr``'s (cached) program: ``fn(prec, env) -> (lo, hi)``."""
    return compiled(expr).run
