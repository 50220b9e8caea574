"""Search for a KKT certificate: multipliers, convex weights over pieces, witnesses.

Untrusted search (principle 1): the pieces adjacent to θ are enumerated with witness
directions, the multiplier system ``θ = Σ_i Σ_q μ_iq y_i ∇Φ_q(θ; x_i)``, ``μ >= 0``, is solved
by a floating-point LP (scipy's HiGHS) only to guess the support, and the support is then
solved exactly with sympy. The result is a certificate that :mod:`symkkt.kernel` re-checks.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import numpy as np
import sympy

from .errors import UndecidedError
from .kernel.certificate import witness_reason
from .kernel.exact import sign
from .kernel.grammar import to_text
from .network import Network, Pattern
from .problems import Instance

__all__ = ["KKTSearch", "find_kkt", "adjacent_pieces"]

MAX_ZERO_NEURONS = 10


@dataclass(frozen=True)
class KKTSearch:
    """The search outcome: a certificate (``None`` when the search failed) and why."""

    certificate: dict | None
    reason: str
    multipliers: tuple[sympy.Expr, ...] = ()
    pieces: tuple = field(default=())


def _witness_candidates(net: Network, x, pattern: Pattern, free, rng: random.Random):
    """Directions to try: first a constructive one for first-layer zero neurons, then random."""
    d: dict[str, sympy.Expr] = {}
    if net.depth >= 2:
        for j, row in enumerate(net.layers[0]):
            s = 1 if pattern[0][j] else -1
            for k, name in enumerate(row):
                if name is not None and name in free:
                    d[name] = d.get(name, 0) + s * x[k]
    yield d
    for _ in range(200):
        yield {p: sympy.Integer(rng.randint(-3, 3)) for p in free}


def _silent(net: Network, point, l: int, j: int) -> bool:
    """Neuron ``j`` of hidden layer ``l`` (0-based) has every outgoing weight exactly 0 at the
    point: with its input 0 its output is 0 in either piece, and nothing downstream depends on
    it, so the piece gradient of Φ(·; x) is the same whether it passes or blocks."""
    for row in net.layers[l + 1]:
        name = row[j]
        if name is not None and sign(point[name]) != 0:
            return False
    return True


def adjacent_pieces(inst: Instance, x) -> list[tuple[Pattern, dict]]:
    """Patterns of the smooth pieces adjacent to the point at input ``x``, with witnesses.

    Only the bits of zero-input neurons that change the gradient are enumerated: a *silent*
    zero-input neuron (every outgoing weight 0, e.g. an idle neuron) gives the same gradient
    either way, so its bit is set to 0 (then 1 if no witness realizes that) instead of
    doubling the pieces. ``MAX_ZERO_NEURONS`` bounds the other zero inputs."""
    net = inst.network
    if net.activation == "linear":
        return [(net.all_active(), {})]
    signs = net.signs(inst.point, x)
    zeros = [(l, j) for l, layer in enumerate(signs) for j, s in enumerate(layer) if s == 0]
    silent = [z for z in zeros if _silent(net, inst.point, *z)]
    loud = [z for z in zeros if z not in silent]
    if len(loud) > MAX_ZERO_NEURONS:
        raise UndecidedError(f"{len(loud)} hidden inputs that matter are exactly 0; "
                             f"enumerating 2^{len(loud)} pieces is beyond this search")
    rng = random.Random(0)
    out = []
    for bits in itertools.product((1, 0), repeat=len(loud)):
        for quiet in ((0,), (1,)) if silent else ((0,),):
            pat = [[1 if s > 0 else 0 for s in layer] for layer in signs]
            for (l, j), b in zip(loud, bits):
                pat[l][j] = b
            for (l, j) in silent:
                pat[l][j] = quiet[0]
            pattern: Pattern = tuple(tuple(r) for r in pat)
            found = None
            for d in _witness_candidates(net, x, pattern, inst.free, rng):
                if witness_reason(net, inst.point, x, pattern, d, inst.free) is None:
                    found = (pattern, {p: v for p, v in d.items() if v != 0})
                    break
            if found is not None:
                out.append(found)
                break
    return out


def _exact_nonneg_solution(A: sympy.Matrix, b: sympy.Matrix, support: list[int]):
    """Solve ``A[:, support] μ = b`` exactly (free parameters at 0); None if inconsistent."""
    sub = A.extract(list(range(A.rows)), support)
    try:
        sol, params = sub.gauss_jordan_solve(b)
    except ValueError:
        return None
    if params.shape[0]:
        sol = sol.xreplace({s: 0 for s in params})
    mu = [sympy.Integer(0)] * A.cols
    for c, v in zip(support, sol):
        mu[c] = sympy.radsimp(sympy.nsimplify(v) if v.is_Float else sympy.simplify(v))
    try:
        if any(sign(v) < 0 for v in mu):
            return None
    except UndecidedError:
        return None
    return mu


def find_kkt(inst: Instance) -> KKTSearch:
    """Find multipliers and subgradients proving ``inst.point`` is a KKT point, if it is."""
    net = inst.network
    margins = inst.margins
    try:
        signs = [sign(m - 1) for m in margins]
    except UndecidedError as exc:
        return KKTSearch(None, f"margins undecided: {exc}")
    if any(s < 0 for s in signs):
        i = signs.index(-1)
        return KKTSearch(None, f"the point is infeasible: constraint {i + 1} has y*Phi = "
                               f"{to_text(margins[i])} < 1")
    active = [i for i, s in enumerate(signs) if s == 0]
    columns: list[tuple[int, Pattern, dict, dict]] = []
    for i in active:
        seen = set()
        try:
            pieces = adjacent_pieces(inst, inst.X[i])
        except UndecidedError as exc:
            return KKTSearch(None, str(exc))
        for pattern, wit in pieces:
            g = net.piece_gradient(inst.point, inst.X[i], pattern)
            key = tuple(sympy.srepr(g[p]) for p in inst.free)
            if key in seen:
                continue
            seen.add(key)
            columns.append((i, pattern, wit, g))
    free = inst.free
    A = sympy.Matrix(len(free), len(columns),
                     lambda r, c: inst.Y[columns[c][0]] * columns[c][3][free[r]])
    b = sympy.Matrix([inst.point[p] for p in free])
    mu = None
    if columns:
        mu = _exact_nonneg_solution(A, b, list(range(len(columns))))
        if mu is None:
            support = _lp_support(A, b)
            if support is not None:
                mu = _exact_nonneg_solution(A, b, support)
    elif all(sign(v) == 0 for v in b):
        mu = []
    if mu is None:
        return KKTSearch(None, "no non-negative multipliers satisfy stationarity with the "
                               "pieces adjacent to the point")
    lam = [sympy.Integer(0)] * len(inst.X)
    for (i, *_), m in zip(columns, mu):
        lam[i] += m
    lam = [sympy.radsimp(sympy.simplify(v)) for v in lam]
    subgradients: list[list[dict]] = [[] for _ in inst.X]
    for (i, pattern, wit, _), m in zip(columns, mu):
        if sign(lam[i]) == 0 or sign(m) == 0:
            continue
        subgradients[i].append({"weight": to_text(sympy.radsimp(sympy.simplify(m / lam[i]))),
                                "pattern": [list(r) for r in pattern],
                                "witness": {p: to_text(v) for p, v in wit.items()}})
    cert = inst.base_json()
    cert.update({"kind": "kkt", "multipliers": [to_text(v) for v in lam]})
    if net.activation == "relu":
        cert["subgradients"] = subgradients
    return KKTSearch(cert, "found", tuple(lam), tuple(columns))


def _lp_support(A: sympy.Matrix, b: sympy.Matrix) -> list[int] | None:
    """Guess the support of a non-negative solution with a float LP (search only)."""
    from scipy.optimize import linprog

    An = np.array(A.evalf(30).tolist(), dtype=float)
    bn = np.array(b.evalf(30).tolist(), dtype=float).ravel()
    res = linprog(np.ones(A.cols), A_eq=An, b_eq=bn, bounds=[(0, None)] * A.cols,
                  method="highs")
    if res.status != 0:
        return None
    return [c for c, v in enumerate(res.x) if v > 1e-9]
