"""Compiled interval evaluation: one walk of the expression, many boxes.

:func:`symkkt.kernel.exact.interval_eval` walks the sympy tree on every call; validated
bisection calls it thousands of times on the same expression (Remark 3.2: 19,000 calls, 1.1M
node visits). :func:`compile_interval` walks the tree once, into a straight-line program over
the distinct sub-expressions (shared nodes once), and converts its constants once per
precision. Running the program is the same interval arithmetic, operation for operation, as
``interval_eval`` (mpmath ``iv``, outward rounding), with the same refusals outside the smooth
domain (:class:`~symkkt.kernel.exact._Domain`): an enclosure from here is as valid as one from
there, which the kernel's tests check on random expressions.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .exact import _Domain

__all__ = ["compile_interval", "compiled", "Compiled"]

# opcodes
_CONST, _SYM, _ADD, _MUL, _IPOW, _RPOW, _SIN, _COS, _EXP, _LOG, _PI, _E, _FAIL = range(13)


class Compiled:
    """A straight-line interval program for one expression; call with ``(ctx, env)``."""

    __slots__ = ("expr", "code", "consts", "_const_cache")

    def __init__(self, expr: sympy.Expr, code: list[tuple], consts: list[sympy.Rational]):
        self.expr = expr
        self.code = code
        self.consts = consts
        self._const_cache: dict[int, list[Any]] = {}

    def _constants(self, ctx) -> list[Any]:
        hit = self._const_cache.get(ctx.prec)
        if hit is None:
            hit = [ctx.mpf(int(c.p)) / ctx.mpf(int(c.q)) if not c.is_Integer
                   else ctx.mpf(int(c)) for c in self.consts]
            self._const_cache[ctx.prec] = hit
        return hit

    def __call__(self, ctx, env: Mapping[sympy.Symbol, Any] | None = None):
        env = env or {}
        consts = self._constants(ctx)
        vals: list[Any] = [None] * len(self.code)
        for i, ins in enumerate(self.code):
            op = ins[0]
            if op == _CONST:
                vals[i] = consts[ins[1]]
            elif op == _SYM:
                v = env.get(ins[1])
                if v is None:
                    raise _Domain(f"free symbol {ins[1]}")
                vals[i] = v
            elif op == _ADD:
                acc = ctx.mpf(0)
                for j in ins[1]:
                    acc = acc + vals[j]
                vals[i] = acc
            elif op == _MUL:
                acc = ctx.mpf(1)
                for j in ins[1]:
                    acc = acc * vals[j]
                vals[i] = acc
            elif op == _IPOW:
                b, n = vals[ins[1]], ins[2]
                if n < 0:
                    if b.a <= 0 <= b.b:
                        raise _Domain("division by an interval containing 0")
                    vals[i] = ctx.mpf(1) / (b ** (-n))
                else:
                    vals[i] = b ** n
            elif op == _RPOW:
                b = vals[ins[1]]
                if not b.a > 0:
                    raise _Domain("non-integer power of an interval reaching 0")
                vals[i] = ctx.exp(ctx.log(b) * vals[ins[2]])
            elif op == _SIN:
                vals[i] = ctx.sin(vals[ins[1]])
            elif op == _COS:
                vals[i] = ctx.cos(vals[ins[1]])
            elif op == _EXP:
                vals[i] = ctx.exp(vals[ins[1]])
            elif op == _LOG:
                a = vals[ins[1]]
                if not a.a > 0:
                    raise _Domain("log of an interval reaching 0")
                vals[i] = ctx.log(a)
            elif op == _PI:
                vals[i] = ctx.pi
            elif op == _E:
                vals[i] = ctx.e
            else:
                raise _Domain(ins[1])
        return vals[-1]


def compile_interval(expr: sympy.Expr) -> Compiled:
    """Compile ``expr`` (numbers, symbols, ``+ * **``, ``sin cos exp log``, ``pi``, ``E``)."""
    expr = _as_expr(expr) if not isinstance(expr, sympy.Basic) else expr
    index: dict[sympy.Basic, int] = {}
    code: list[tuple] = []
    consts: list[sympy.Rational] = []

    def emit(ins: tuple) -> int:
        code.append(ins)
        return len(code) - 1

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
        index[e] = emit(_instruction(e, index, consts))
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
    if e.is_Rational:
        consts.append(e)
        return (_CONST, len(consts) - 1)
    if e.is_Symbol:
        return (_SYM, e)
    if e is sympy.pi:
        return (_PI,)
    if e is sympy.E:
        return (_E,)
    if e.is_Add:
        return (_ADD, tuple(index[a] for a in e.args))
    if e.is_Mul:
        return (_MUL, tuple(index[a] for a in e.args))
    if e.is_Pow:
        base, ex = e.args
        if ex.is_Integer:
            return (_IPOW, index[base], int(ex))
        return (_RPOW, index[base], index[ex])
    if isinstance(e, sympy.sin):
        return (_SIN, index[e.args[0]])
    if isinstance(e, sympy.cos):
        return (_COS, index[e.args[0]])
    if isinstance(e, sympy.exp):
        return (_EXP, index[e.args[0]])
    if isinstance(e, sympy.log):
        return (_LOG, index[e.args[0]])
    return (_FAIL, f"cannot enclose {type(e).__name__}")


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
