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
:func:`raw_interval`, :func:`raw_fraction`).

The bisection loops, which evaluate one program on thousands of boxes, go through an
*arithmetic* (:func:`arithmetic`): :class:`Mpi`, the operations above, or, for programs
without ``sin``/``cos``/``pi``/``E``, :class:`Mpfr`, the same endpoint interval arithmetic
done by MPFR (through gmpy2): every endpoint is the correctly rounded result of its operation
(rounded down for a lower end, up for an upper end), which mpmath's directed results only
bound. Each MPFR operation is a single C call, and the roots of the ``robust`` kind's aux
values are MPFR's correctly rounded ``q``-th roots instead of ``exp(log(b) / q)``. An
enclosure is never wider than mpmath's for the same operations, so a box proven with mpmath is
proven here too; overflow and invalid operations trap (no infinite or NaN endpoint is ever
used) and count as leaving the smooth domain.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

import sympy
from mpmath.libmp import (fone, fzero, from_int, mpf_e, mpf_le, mpf_lt, mpf_pi,
                          round_ceiling, round_floor)
from mpmath.libmp.libmpi import (mpi_add, mpi_cos, mpi_div, mpi_exp, mpi_log, mpi_mul,
                                 mpi_pos, mpi_pow_int, mpi_sin)
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .exact import _Domain

__all__ = ["compile_interval", "compiled", "Compiled", "raw_interval", "raw_fraction",
           "raw_int", "aux_root", "arithmetic", "Mpi", "Mpfr"]

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

    __slots__ = ("expr", "code", "consts", "_const_cache", "mpfr_ok")

    def __init__(self, expr: sympy.Expr, code: list[tuple], consts: list[sympy.Rational]):
        self.expr = expr
        self.code = code
        self.consts = consts
        self._const_cache: dict[Any, list[tuple]] = {}
        self.mpfr_ok = not any(ins[0] in (_SIN, _COS, _PI, _E) for ins in code)

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


# ------------------------------------------------------------------------- arithmetics


class Mpi:
    """Interval arithmetic of :meth:`Compiled.run` (mpmath's ``libmpi``): raw ``(lo, hi)``
    pairs of mpf tuples at ``prec`` bits."""

    def __init__(self, prec: int):
        self.prec = prec

    def interval(self, lo: Fraction, hi: Fraction) -> tuple:
        return raw_fraction(lo, hi, self.prec)

    def run(self, prog: Compiled, env: Mapping) -> tuple:
        return prog.run(self.prec, env)

    def root(self, b: tuple, q: int) -> tuple:
        """An enclosure of the positive ``q``-th roots of ``b`` (``b > 0`` checked here)."""
        if not mpf_lt(fzero, b[0]):
            raise _Domain("a root of an interval reaching 0")
        return aux_root(b, q, self.prec)

    @staticmethod
    def positive(v: tuple) -> bool:
        return mpf_lt(fzero, v[0])

    @staticmethod
    def nonnegative(v: tuple) -> bool:
        return mpf_le(fzero, v[0])

    @staticmethod
    def negative(v: tuple) -> bool:
        return mpf_lt(v[1], fzero)


def _mpfr_zero():
    import gmpy2

    return gmpy2.mpfr(0)


_MPFR_ZERO = _mpfr_zero()


class Mpfr:
    """Interval arithmetic on ``(lo, hi)`` pairs of gmpy2 ``mpfr`` at ``prec`` bits: each
    lower end computed in a round-down context, each upper end in a round-up one (MPFR's
    results are correctly rounded, so each is the tightest bound at this precision).

    Overflow, invalid operations (such as ``0 * inf``) and division by zero trap, and are
    reported as :class:`_Domain`: no endpoint is ever infinite or NaN (the inputs are
    finite), so the case analysis below never sees one."""

    def __init__(self, prec: int):
        import gmpy2

        self.prec = prec
        traps = dict(trap_overflow=True, trap_invalid=True, trap_divzero=True,
                     trap_erange=True)
        self.down = gmpy2.context(precision=prec, round=gmpy2.RoundDown, **traps)
        self.up = gmpy2.context(precision=prec, round=gmpy2.RoundUp, **traps)
        self._mpz = gmpy2.mpz
        self._dsquare, self._usquare = self.down.square, self.up.square
        self._errors = (gmpy2.DivisionByZeroError, gmpy2.InvalidOperationError,
                        gmpy2.OverflowResultError, gmpy2.RangeError)
        self.zero = gmpy2.mpfr(0)

    def _rational(self, p: int, q: int) -> tuple:
        """``[p/q, p/q]`` rounded outward: the integers enter MPFR exactly and one division
        is correctly rounded each way."""
        p, q = self._mpz(p), self._mpz(q)
        return self.down.div(p, q), self.up.div(p, q)

    def interval(self, lo: Fraction, hi: Fraction) -> tuple:
        return (self._rational(lo.numerator, lo.denominator)[0],
                self._rational(hi.numerator, hi.denominator)[1])

    def _constants(self, prog: Compiled) -> list[tuple]:
        key = ("mpfr", self.prec)
        hit = prog._const_cache.get(key)
        if hit is None:
            hit = [self._rational(int(c.p), int(c.q)) for c in prog.consts]
            prog._const_cache[key] = hit
        return hit

    def root(self, b: tuple, q: int) -> tuple:
        """The positive ``q``-th roots of ``b`` (``b > 0`` checked here), rounded outward."""
        if not b[0] > 0:
            raise _Domain("a root of an interval reaching 0")
        try:
            return self.down.root(b[0], q), self.up.root(b[1], q)
        except self._errors as exc:
            raise _Domain(f"{type(exc).__name__} in a root") from None

    def positive(self, v: tuple) -> bool:
        return v[0] > 0

    def nonnegative(self, v: tuple) -> bool:
        return v[0] >= 0

    def negative(self, v: tuple) -> bool:
        return v[1] < 0

    def run(self, prog: Compiled, env: Mapping) -> tuple:
        """The enclosure of ``prog`` on ``env`` (symbols to mpfr pairs of this arithmetic);
        the operations and refusals of :meth:`Compiled.run`."""
        if not prog.mpfr_ok:
            raise ValueError("sin, cos, pi and E are evaluated by Mpi")
        consts = self._constants(prog)
        try:
            return self._run(prog.code, consts, env)
        except self._errors as exc:
            raise _Domain(f"{type(exc).__name__} in interval arithmetic") from None

    def _run(self, code: list[tuple], consts: list[tuple], env: Mapping) -> tuple:
        down, up = self.down, self.up
        dadd, uadd, dmul, umul = down.add, up.add, down.mul, up.mul
        mul, ipow = self._mul, self._ipow
        vals: list[Any] = []
        push = vals.append
        for op, x, y in code:
            if op == _MUL2:
                push(mul(vals[x], vals[y], dmul, umul))
            elif op == _ADD2:
                a, b = vals[x], vals[y]
                push((dadd(a[0], b[0]), uadd(a[1], b[1])))
            elif op == _CONST:
                push(consts[x])
            elif op == _SYM:
                v = env.get(x)
                if v is None:
                    raise _Domain(f"free symbol {x}")
                push(v)
            elif op == _IPOW:
                push(ipow(vals[x], y))
            elif op == _MUL:
                acc = vals[x[0]]
                for j in x[1:]:
                    acc = mul(acc, vals[j], dmul, umul)
                push(acc)
            elif op == _ADD:
                lo, hi = vals[x[0]]
                for j in x[1:]:
                    v = vals[j]
                    lo, hi = dadd(lo, v[0]), uadd(hi, v[1])
                push((lo, hi))
            elif op == _NPOW:
                b = vals[x]
                if b[0] <= 0 <= b[1]:
                    raise _Domain("division by an interval containing 0")
                p = ipow(b, y)          # of one strict sign: 1/p is [1/hi, 1/lo]
                push((down.div(1, p[1]), up.div(1, p[0])))
            elif op == _RPOW:
                b = vals[x]
                if not b[0] > 0:
                    raise _Domain("non-integer power of an interval reaching 0")
                m = mul((down.log(b[0]), up.log(b[1])), vals[y], dmul, umul)
                push((down.exp(m[0]), up.exp(m[1])))
            elif op == _EXP:
                a = vals[x]
                push((down.exp(a[0]), up.exp(a[1])))
            elif op == _LOG:
                a = vals[x]
                if not a[0] > 0:
                    raise _Domain("log of an interval reaching 0")
                push((down.log(a[0]), up.log(a[1])))
            else:
                raise _Domain(x)
        return vals[-1]

    @staticmethod
    def _mul(s: tuple, t: tuple, dmul, umul, zero=_MPFR_ZERO) -> tuple:
        """``[a, b] * [c, d]``, by the signs of the ends (two products, four if both
        intervals straddle 0), each rounded outward."""
        a, b = s
        c, d = t
        if a >= zero:
            if c >= zero:
                return dmul(a, c), umul(b, d)
            if d <= zero:
                return dmul(b, c), umul(a, d)
            return dmul(b, c), umul(b, d)
        if b <= zero:
            if c >= zero:
                return dmul(a, d), umul(b, c)
            if d <= zero:
                return dmul(b, d), umul(a, c)
            return dmul(a, d), umul(a, c)
        if c >= zero:
            return dmul(a, d), umul(b, d)
        if d <= zero:
            return dmul(b, c), umul(a, c)
        return min(dmul(a, d), dmul(b, c)), max(umul(a, c), umul(b, d))

    def _ipow(self, s: tuple, n: int) -> tuple:
        """``[a, b]^n`` for an integer ``n >= 1``: monotone for odd ``n``; for even ``n`` by
        the signs ([0, max(a^n, b^n)] when the interval straddles 0). (Every operation goes
        through a context: Python's operators on mpfr, even ``-a``, round to the global
        context's 53 bits.)"""
        a, b = s
        if n == 2:
            dpow, upow = self._dsquare, self._usquare
        else:
            dpow, upow = (lambda x: self.down.pow(x, n)), (lambda x: self.up.pow(x, n))
        if n & 1 or a >= self.zero:
            return dpow(a), upow(b)
        if b <= self.zero:
            return dpow(b), upow(a)
        return self.zero, max(upow(a), upow(b))


def arithmetic(prec: int, progs: list[Compiled]):
    """:class:`Mpfr` if it evaluates every program (no ``sin``/``cos``/``pi``/``E``), else
    :class:`Mpi`; one per precision."""
    key = (prec, all(p.mpfr_ok for p in progs))
    hit = _ARITHMETICS.get(key)
    if hit is None:
        hit = _ARITHMETICS[key] = Mpfr(prec) if key[1] else Mpi(prec)
    return hit


_ARITHMETICS: dict[tuple[int, bool], Any] = {}


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
