"""The exact point behind a numerical gradient-flow limit (untrusted search).

Gradient flow gives a direction ``u = θ/‖θ‖`` in floats. This module turns it into an exact
candidate KKT point ``θ̃``:

1. scale ``u`` to unit minimal margin (``Φ`` is m-homogeneous);
2. read off the structure: parameters that are numerically 0 (set to exactly 0), the active
   samples (margin numerically 1), the activation pattern of every sample (pre-activations
   numerically 0 become equations ``z = 0``, with the neuron off);
3. solve the KKT system of that structure exactly with sympy: active margins equal 1 and
   stationarity ``θ_p = Σ_i λ_i y_i ∂_p Φ_i(θ)`` for every non-zero parameter, with the sign
   of each parameter and multiplier taken from the numerics;
4. where the solution set is a manifold (symmetries), the free coordinates are set to nearby
   rationals; among several solutions the one closest to the numerics is kept.

Nothing here is a verdict: the caller hands the point to the kernel (a ``kkt`` certificate
searched by :mod:`symkkt.autosearch` and checked exactly). A failure returns ``None`` with a
reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np
import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from ..kernel.net import NetSpec

__all__ = ["Structure", "float_forward", "read_structure", "exact_limit"]

ZERO_TOL = 1e-4      # |θ_p| / ‖θ‖ below this: the parameter is 0 in the limit
ACTIVE_TOL = 1e-3    # margin below 1 + this (after scaling): the sample is active
KINK_TOL = 1e-5      # |pre-activation| / ‖θ‖^(l) below this: exactly 0


def float_forward(net: NetSpec, theta: Mapping[str, float], x: Sequence[float]
                  ) -> tuple[float, list[list[float]]]:
    """Φ(θ; x) in floats and the pre-activations of every hidden layer."""
    h = [float(v) for v in x]
    pre: list[list[float]] = []
    for l, layer in enumerate(net.layers):
        z = [sum(theta[n] * h[j] for j, n in enumerate(row) if n is not None) for row in layer]
        if l == net.depth - 1:
            return z[0], pre
        pre.append(z)
        h = z if net.activation == "linear" else [max(v, 0.0) for v in z]
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Structure:
    """What the numerics say about the limit (scaled to unit minimal margin)."""

    theta: dict[str, float]
    zero: frozenset[str]
    active: tuple[int, ...]
    patterns: tuple[tuple[tuple[int, ...], ...], ...]   # per sample, per hidden layer
    kinks: tuple[tuple[int, int, int], ...]             # (sample, layer, neuron) with z = 0


def read_structure(net: NetSpec, X, Y, direction: Sequence[float]) -> Structure | None:
    m = net.depth
    u = {p: float(v) for p, v in zip(net.params, direction)}
    margins = [y * float_forward(net, u, [float(c) for c in x])[0] for x, y in zip(X, Y)]
    gamma = min(margins)
    if not gamma > 0:
        return None
    s = gamma ** (-1.0 / m)
    theta = {p: v * s for p, v in u.items()}
    norm = math.sqrt(sum(v * v for v in theta.values()))
    zero = frozenset(p for p, v in theta.items() if abs(v) < ZERO_TOL * norm)
    for p in zero:
        theta[p] = 0.0
    margins = [y * float_forward(net, theta, [float(c) for c in x])[0] for x, y in zip(X, Y)]
    active = tuple(i for i, q in enumerate(margins) if q < 1 + ACTIVE_TOL)
    patterns, kinks = [], []
    for i, x in enumerate(X):
        _, pre = float_forward(net, theta, [float(c) for c in x])
        pat = []
        for l, layer in enumerate(pre):
            scale = max(1.0, norm) ** (l + 1) * max(abs(float(c)) for c in x)
            row = []
            for j, z in enumerate(layer):
                if abs(z) < KINK_TOL * scale:
                    row.append(0)
                    if net.activation == "relu":
                        kinks.append((i, l, j))
                else:
                    row.append(1 if (z > 0 or net.activation == "linear") else 0)
            pat.append(tuple(row))
        patterns.append(tuple(pat))
    return Structure(theta, zero, active, tuple(patterns), tuple(kinks))


def _rational_near(v: float, den: int = 1000) -> sympy.Rational:
    f = Fraction(v).limit_denominator(den)
    return sympy.Rational(f.numerator, f.denominator)


def exact_limit(net: NetSpec, X, Y, direction: Sequence[float], seconds: float = 20.0
                ) -> tuple[dict[str, sympy.Expr] | None, str]:
    """An exact point for the numerical limit direction, or ``(None, reason)``."""
    st = read_structure(net, X, Y, direction)
    if st is None:
        return None, "the limit direction does not separate the data"
    if not st.active:
        return None, "no active sample in the limit"
    if len(st.zero) == len(net.params):
        return None, "the limit is 0"
    # sign-aware symbols: a parameter p with a negative value is written -q with q > 0;
    # parameters of numerically equal size share q first (symmetric limits solve much faster),
    # then, if that system has no solution, every parameter gets its own
    for grouped in (True, False):
        sols, syms, unknowns, num = _solve(net, X, Y, st, grouped, seconds)
        if isinstance(sols, str):
            return None, sols
        if sols:
            break
    if not sols:
        return None, "the KKT system of the observed structure has no solution"
    return _closest(net, st, sols, syms, num)


def _solve(net: NetSpec, X, Y, st: Structure, grouped: bool, seconds: float):
    from ..kernel.budget import OutOfTime, budget

    syms: dict[str, sympy.Expr] = {}
    unknowns: list[sympy.Symbol] = []
    num: dict[sympy.Symbol, float] = {}
    for p in net.params:
        if p in st.zero:
            syms[p] = sympy.Integer(0)
            continue
        a = abs(st.theta[p])
        q = None
        if grouped:
            for s0, v0 in num.items():
                if abs(a - v0) <= 1e-7 * max(a, v0):
                    q = s0
                    break
        if q is None:
            q = sympy.Symbol(f"q{len(unknowns)}", positive=True)
            unknowns.append(q)
            num[q] = a
        syms[p] = q if st.theta[p] > 0 else -q
    lams = {i: sympy.Symbol(f"l{i}", nonnegative=True) for i in st.active}
    unknowns += list(lams.values())
    Xe = [[c if isinstance(c, sympy.Basic) else sympy.nsimplify(c) for c in x] for x in X]
    eqs: list[sympy.Expr] = []
    gsyms = {p: sympy.Symbol(f"_g_{p}") for p in net.params}
    grads: dict[int, dict[str, sympy.Expr]] = {}
    for i in st.active:
        phi_g, _ = net.forward(gsyms, Xe[i], st.patterns[i])
        sub = {gsyms[p]: syms[p] for p in net.params}
        eqs.append(sympy.expand(Y[i] * phi_g.xreplace(sub) - 1))
        grads[i] = {p: sympy.diff(phi_g, gsyms[p]).xreplace(sub) for p in net.params}
    for i, l, j in st.kinks:
        _, pre = net.forward(syms, Xe[i], st.patterns[i])
        eqs.append(sympy.expand(pre[l][j]))
    for p in net.params:
        if p not in st.zero:
            eqs.append(sympy.expand(syms[p] - sum(lams[i] * Y[i] * grads[i][p]
                                                  for i in st.active)))
    eqs = list(dict.fromkeys(e for e in eqs if e != 0))
    try:
        with budget(seconds):
            sols = sympy.solve(eqs, unknowns, dict=True)
    except OutOfTime:
        return f"the exact KKT system did not solve in {seconds:g} s", syms, unknowns, num
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError) as exc:
        return (f"sympy could not solve the KKT system ({type(exc).__name__})", syms,
                unknowns, num)
    return sols, syms, unknowns, num


def _closest(net: NetSpec, st: Structure, sols, syms, num):
    best, best_d = None, math.inf
    for sol in sols:
        free = [q for q in num if q not in sol]
        fix = {q: _rational_near(num[q]) for q in free}
        point = {}
        ok = True
        for p in net.params:
            e = syms[p]
            if e != 0:
                q = e if e.is_Symbol else -e
                val = sol.get(q, fix.get(q))
                if val is None:
                    ok = False
                    break
                val = _as_expr(val).xreplace(fix)
                if val.free_symbols:
                    ok = False
                    break
                e = val if syms[p].is_Symbol else -val
            point[p] = sympy.radsimp(sympy.nsimplify(e) if e.is_Float else e)
        if not ok:
            continue
        try:
            vals = np.array([float(point[p]) for p in net.params])
        except (TypeError, ValueError):
            continue
        ref = np.array([st.theta[p] for p in net.params])
        d = float(np.linalg.norm(vals / np.linalg.norm(vals) - ref / np.linalg.norm(ref)))
        if d < best_d:
            best, best_d = point, d
    if best is None:
        return None, "no real solution of the KKT system near the numerics"
    return best, f"exact solution of the KKT system (distance {best_d:.2e} from the numerics)"


def direction_error(net: NetSpec, point: Mapping[str, sympy.Expr], direction: Sequence[float]
                    ) -> float:
    """‖u − θ̃/‖θ̃‖‖ in floats (evidence)."""
    v = np.array([float(point[p]) for p in net.params])
    u = np.array([float(x) for x in direction])
    return float(np.linalg.norm(u / np.linalg.norm(u) - v / np.linalg.norm(v)))
