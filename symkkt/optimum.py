"""Search for certified optima (untrusted): exact duals, optimum points, pattern enumeration.

Everything here is *search* (principle 1): floating-point solvers (scipy's HiGHS LP, SLSQP,
NNLS) only guess active sets, which are then solved exactly in sympy (rationals or algebraic
numbers such as ``4/sqrt(17)``); the resulting certificate is decided by
:mod:`symkkt.kernel.optimum`, never by this module.

Convex problems solved here (all with exact dual certificates, see the kernel's docstring):

* predictor space, fully-connected linear networks: ``min ‖β‖² s.t. y_i <β, x_i> >= 1`` (a QP;
  exact active-set solve of its dual). The global optimum of Problem 2 is the balanced,
  aligned, rank-one point ``W^(l) = c v_l v_(l-1)^T`` with ``c^m = ‖β*‖``.
* group problems ``min Σ_g ‖u_g‖ s.t. y_i Σ_g <u_g, F_gi> >= 1, <u_g, C_gk> >= 0``: depth-2
  linear networks (one group per neuron support) and depth-2 ReLU networks (one group per
  activation *option* = (active set A, output sign s); the cones C are the sign conditions).
  Float dual (SLSQP) + LP primal recovery guess the active structure; the KKT system of that
  structure (unit dual norms, complementary slackness, active margins) is solved exactly:
  samples split into components coupled through the groups; a component with one group has
  the closed form ``α = Q^+1 / sqrt(1^T Q^+ 1)`` (one square root); a coupled component is
  tried as ``α = β/sqrt(q)`` with a rational direction β (checked exactly), then 1-dimensional
  groups are linearized and the rest goes to sympy's polynomial solver under a time limit.
  Optima of high algebraic degree are out of reach of the grammar; ``exact=False`` (bracket
  mode) then certifies ``lower <= optimum <= upper`` with rounded rational duals and a
  rational feasible point (kernel kind ``optimum-bracket``).
* ReLU pattern enumeration: options realizable by a hyperplane arrangement (unrealizable ones
  come with exact Farkas proofs), then either the convex relaxation over all options (one
  dual certificate when its solution needs at most as many options as there are neurons), or
  enumeration of the maximal sets of options the neurons can take, pruned by (i) samples no
  option serves (one Farkas case each), (ii) sets already inside an earlier case's dual
  region; each remaining set is one convex problem (its count is reported).
* Problem 4 for one layer: the constraints are affine in ``u^(l)``; an exact QP dual.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import sympy
from sympy.core.sympify import _sympify as _strict

from .claims import Claim
from .errors import InvalidArgument, UndecidedError
from .kernel.exact import sign
from .kernel.grammar import to_text
from .kernel.optimum import relevant_neurons, support_groups
from .network import Network
from .problems import Instance


def _as_expr(v):
    """An exact expression from a sympy/Python number or a grammar string (never eval)."""
    if isinstance(v, str):
        from .kernel.grammar import parse_exact
        return parse_exact(v)
    return _strict(v)

__all__ = ["exact_qp", "predictor_optimum", "fc_linear_point", "GroupProblem",
           "solve_group", "linear_depth2_optimum", "relu_optimum", "OptimumSearch",
           "find_global", "global_certificate", "optimum_value_certificate", "bracket_certificate",
           "local_certificate", "per_layer_certificate", "global_claim", "optimum_value_claim",
           "local_claim", "per_layer_claims"]

ZERO = sympy.Integer(0)
ONE = sympy.Integer(1)
SOLVE_SECONDS = 20.0
"""Time limit for one sympy polynomial solve in the search (a timeout means 'not found')."""


class _Timeout(Exception):
    pass


@functools.lru_cache(maxsize=1)
def _blas_controls() -> list:
    """(get, set) pairs of the OpenBLAS builds bundled with numpy and scipy, if found.

    The float problems here are tiny; a multi-threaded BLAS spends far more time
    synchronizing threads than computing (measured: SLSQP 10x slower on a loaded 2-CPU
    machine), so :func:`_single_thread_blas` pins them to one thread while solving.
    """
    import ctypes
    import glob
    import os

    import scipy

    out = []
    for pkg, get, put in ((np, "scipy_openblas_get_num_threads64_",
                           "scipy_openblas_set_num_threads64_"),
                          (scipy, "scipy_openblas_get_num_threads",
                           "scipy_openblas_set_num_threads")):
        libdir = os.path.join(os.path.dirname(os.path.dirname(pkg.__file__)),
                              f"{pkg.__name__}.libs")
        for path in glob.glob(os.path.join(libdir, "libscipy_openblas*.so")):
            try:
                lib = ctypes.CDLL(path)
                g, s_ = getattr(lib, get), getattr(lib, put)
                g.restype = ctypes.c_int
                s_.argtypes = [ctypes.c_int]
                out.append((g, s_))
            except (OSError, AttributeError):
                continue
    return out


@contextlib.contextmanager
def _single_thread_blas():
    saved = []
    for get, put in _blas_controls():
        try:
            saved.append((put, get()))
            put(1)
        except Exception:  # noqa: BLE001 - a missing or odd BLAS just means no pinning
            pass
    try:
        yield
    finally:
        for put, n in saved:
            put(n)


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt pure-Python work after ``seconds`` (main thread on POSIX; else no limit).

    Search only: a timeout makes the search report 'not found', never a verdict. Nests with
    the claim's own budget (:mod:`symkkt.kernel.budget`): an outer budget that runs out first
    still stops the claim.
    """
    from .kernel.budget import OutOfTime, budget

    try:
        with budget(seconds):
            yield
    except OutOfTime:
        raise _Timeout() from None


# ----------------------------------------------------------------------------- helpers


def _f(e) -> float:
    if isinstance(e, (int, float)):
        return float(e)
    if isinstance(e, sympy.Rational):
        return int(e.p) / int(e.q)
    return float(sympy.N(e, 30))


def _simp(e: sympy.Expr) -> sympy.Expr:
    """Rationalized denominators, expanded (a form the grammar's to_text round-trips)."""
    e = sympy.expand(e)
    if e.is_Rational:
        return e
    e = sympy.expand(sympy.radsimp(e))
    return sympy.nsimplify(e) if e.is_Float else e


def _sgn(e) -> int:
    return sign(_simp(_as_expr(e)))


def _rat(x: float, den: int = 10 ** 12, down: bool = False) -> sympy.Rational:
    """A rational near ``x`` (below it when ``down``), exact from the float's binary value."""
    fr = Fraction(x).limit_denominator(den)
    if down and float(fr) > x:
        fr -= Fraction(1, den)
    return sympy.Rational(fr.numerator, fr.denominator)


def _dot(u, v) -> sympy.Expr:
    return sympy.expand(sum((a * b for a, b in zip(u, v)), ZERO))


def _txts(v: Iterable) -> list[str]:
    return [to_text(_simp(_as_expr(c))) for c in v]


def _solve_linear(M: sympy.Matrix, b: sympy.Matrix) -> sympy.Matrix | None:
    """One exact solution of ``M x = b`` (free variables at 0), or None if inconsistent.

    Plain Gauss-Jordan elimination on sympy numbers, pivots decided exactly (fast for the
    small rational systems of the search; algebraic entries are simplified as it goes).
    """
    rows, cols = M.shape
    A = [[_simp(M[r, c]) for c in range(cols)] + [_simp(b[r])] for r in range(rows)]
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        pr = next((i for i in range(r, rows) if _sgn(A[i][c]) != 0), None)
        if pr is None:
            continue
        A[r], A[pr] = A[pr], A[r]
        piv = A[r][c]
        A[r] = [_simp(v / piv) for v in A[r]]
        for i in range(rows):
            if i != r and A[i][c] != 0:
                f = A[i][c]
                A[i] = [_simp(v - f * w) for v, w in zip(A[i], A[r])]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(_sgn(A[i][cols]) != 0 for i in range(r, rows)):
        return None
    x = [ZERO] * cols
    for i, c in enumerate(pivots):
        x[c] = A[i][cols]
    return sympy.Matrix(x)


# ----------------------------------------------------------------------- QP: min ‖b‖²


def exact_qp(vectors: Sequence[Sequence[sympy.Expr]], Y: Sequence[int]
             ) -> tuple[list[sympy.Expr], list[sympy.Expr]] | None:
    """``min ‖b‖² s.t. y_i <b, a_i> >= 1``: exact dual ``α >= 0`` and ``b = Σ α_i y_i a_i``.

    The optimality conditions (α >= 0, feasibility, ``y_i <b, a_i> = 1`` where α_i > 0) are
    checked exactly; the support is guessed by a float solve, then every support by size.
    Returns None when the problem is infeasible or no support works.
    """
    from scipy.optimize import minimize

    n = len(vectors)
    if n == 0:
        return [], []
    A = [[_as_expr(c) for c in a] for a in vectors]
    Q = sympy.Matrix(n, n, lambda i, j: _simp(Y[i] * Y[j] * _dot(A[i], A[j])))
    Qf = np.array([[_f(v) for v in row] for row in Q.tolist()], dtype=float)
    with _single_thread_blas():
        res = minimize(lambda a: 0.5 * a @ Qf @ a - a.sum(),
                       np.ones(n) / max(1.0, np.trace(Qf)), jac=lambda a: Qf @ a - 1,
                       bounds=[(0, None)] * n, method="L-BFGS-B",
                       options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-12})
    af = res.x
    guess = tuple(i for i in range(n) if af[i] > 1e-7 * max(1.0, af.max()))
    tried = set()
    order = [guess] + sorted((s for r in range(1, n + 1) for s in itertools.combinations(range(n), r)),
                             key=lambda s: (len(set(s) ^ set(guess)), len(s)))
    for sup in order[: 1 + min(4096, 2 ** n)]:
        if sup in tried or not sup:
            continue
        tried.add(sup)
        sub = Q.extract(list(sup), list(sup))
        sol = _solve_linear(sub, sympy.ones(len(sup), 1))
        if sol is None:
            continue
        alpha = [ZERO] * n
        for i, v in zip(sup, sol):
            alpha[i] = v
        try:
            if any(_sgn(v) < 0 for v in alpha):
                continue
            d = len(A[0])
            b = [_simp(sum((alpha[i] * Y[i] * A[i][k] for i in range(n)), ZERO)) for k in range(d)]
            if any(_sgn(Y[i] * _dot(b, A[i]) - 1) < 0 for i in range(n)):
                continue
        except UndecidedError:
            continue
        return alpha, b
    return None


# ----------------------------------------------------------- predictor space (linear FC)


def is_fully_connected(net: Network) -> bool:
    return not net.has_sharing and all(n is not None for layer in net.layers for row in layer
                                       for n in row)


@functools.lru_cache(maxsize=64)
def predictor_optimum(X: tuple, Y: tuple):
    """Exact ``(α, β*, ‖β*‖²)`` of the predictor-space QP, or None if infeasible."""
    res = exact_qp(X, Y)
    if res is None:
        return None
    alpha, beta = res
    return alpha, beta, _simp(sum((b * b for b in beta), ZERO))


def _unit(v: Sequence) -> list[sympy.Expr]:
    n = sympy.sqrt(sum((_as_expr(c) ** 2 for c in v), ZERO))
    return [_simp(_as_expr(c) / n) for c in v]


def fc_linear_point(net: Network, beta: Sequence[sympy.Expr],
                    directions: Sequence[Sequence] | None = None) -> dict[str, sympy.Expr]:
    """Balanced aligned rank-one point of a fully-connected linear net computing ``β``.

    ``W^(1) = c v_1 β̂^T``, ``W^(l) = c v_l v_(l-1)^T``, ``W^(m) = c v_(m-1)^T`` with unit
    vectors ``v_l`` (default ``e_1``; ``directions`` gives them per hidden layer) and
    ``c = ‖β‖^(1/m)``: every layer has norm² ``c²``, so ‖θ‖² = m‖β‖^(2/m).
    """
    m = net.depth
    nb = sympy.sqrt(sum((_as_expr(b) ** 2 for b in beta), ZERO))
    c = _simp(nb ** sympy.Rational(1, m))
    bhat = [_simp(_as_expr(b) / nb) for b in beta]
    vs = [bhat]
    for l, w in enumerate(net.hidden_widths):
        if directions is not None:
            v = _unit(directions[l])
        else:
            v = [ONE] + [ZERO] * (w - 1)
        vs.append(v)
    vs.append([ONE])
    theta: dict[str, sympy.Expr] = {}
    for l, layer in enumerate(net.layers):
        for r, row in enumerate(layer):
            for k, name in enumerate(row):
                if name is not None:
                    theta[name] = _simp(c * vs[l + 1][r] * vs[l][k])
    return theta


# ------------------------------------------------------------------------ group problems


@dataclass
class GroupProblem:
    """``min Σ_g ‖u_g‖ s.t. y_i Σ_g <u_g, F[g][i]> >= 1 and <u_g, C[g][k]> >= 0``.

    ``C[g]`` maps a sample index k to its cone vector (only non-zero vectors are kept).
    """

    dims: list[int]
    F: list[list[list[sympy.Expr]]]
    C: list[dict[int, list[sympy.Expr]]]
    Y: list[int]
    prefer: list[float] | None = None
    """Tie-break costs for the primal recovery (smaller is preferred among equal optima)."""

    @property
    def n(self) -> int:
        return len(self.Y)

    def float_mats(self):
        """Per group the matrix mapping (α, μ_flat) to z_g, and the μ index layout."""
        n = self.n
        layout = []
        off = n
        for g in range(len(self.dims)):
            idx = {}
            for k in sorted(self.C[g]):
                idx[k] = off
                off += 1
            layout.append(idx)
        mats = []
        for g, d in enumerate(self.dims):
            M = np.zeros((d, off))
            for i in range(n):
                M[:, i] = [self.Y[i] * _f(v) for v in self.F[g][i]]
            for k, col in layout[g].items():
                M[:, col] = [_f(v) for v in self.C[g][k]]
            mats.append(M)
        return mats, layout, off


@dataclass
class GroupSolution:
    """Exact solution: dual ``alpha``, cone multipliers ``mu[g][k]``, primal ``u[g]``."""

    value: sympy.Expr
    alpha: list[sympy.Expr]
    mu: list[dict[int, sympy.Expr]]
    u: list[list[sympy.Expr]]
    r: list[sympy.Expr]


@dataclass
class FloatSolution:
    value: float
    alpha: np.ndarray
    mu: list[dict[int, float]]
    r: np.ndarray
    z: list[np.ndarray]


def _primal_feasible(prob: GroupProblem) -> bool:
    from scipy.optimize import linprog

    offs = np.cumsum([0] + prob.dims)
    nv = int(offs[-1])
    rows, rhs = [], []
    for i in range(prob.n):
        row = np.zeros(nv)
        for g in range(len(prob.dims)):
            row[offs[g]:offs[g + 1]] = [-prob.Y[i] * _f(v) for v in prob.F[g][i]]
        rows.append(row)
        rhs.append(-1.0)
    for g in range(len(prob.dims)):
        for k, vec in prob.C[g].items():
            row = np.zeros(nv)
            row[offs[g]:offs[g + 1]] = [-_f(v) for v in vec]
            rows.append(row)
            rhs.append(0.0)
    res = linprog(np.zeros(nv), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=[(None, None)] * nv, method="highs")
    return res.status == 0


def float_group(prob: GroupProblem) -> FloatSolution | None:
    """Float dual and primal radii; None if the primal is infeasible.

    The second-order cone program by Clarabel (:func:`.convex.conic_solve`); SLSQP on the
    dual (then an LP for the radii) only if Clarabel does not report a solution."""
    from .convex import conic_solve

    with _single_thread_blas():
        if FLOAT_SOLVER == "slsqp":
            return _float_group(prob)
        if not _primal_feasible(prob):
            return None
        fl = conic_solve(prob)
        return fl if fl is not None else _float_group(prob)


FLOAT_SOLVER = "clarabel"
"""``clarabel`` (default) or ``slsqp`` (the earlier dual solver; kept as a benchmark baseline)."""


def _float_group(prob: GroupProblem) -> FloatSolution | None:
    from scipy.optimize import linprog, minimize

    if not _primal_feasible(prob):
        return None
    mats, layout, nv = prob.float_mats()
    n = prob.n
    cons = [{"type": "ineq", "fun": (lambda v, M=M: 1.0 - (M @ v) @ (M @ v)),
             "jac": (lambda v, M=M: -2.0 * (M @ v) @ M)} for M in mats]
    x0 = np.zeros(nv)
    best = None
    for start in (1e-3, 1e-1):
        x0[:n] = start
        res = minimize(lambda v: -v[:n].sum(), x0,
                       jac=lambda v: np.concatenate([-np.ones(n), np.zeros(nv - n)]),
                       bounds=[(0, None)] * nv, constraints=cons, method="SLSQP",
                       options={"maxiter": 1000, "ftol": 1e-14})
        v = np.clip(res.x, 0, None)
        worst = max((np.linalg.norm(M @ v) for M in mats), default=0.0)
        if worst > 1:
            v = v / worst
        if best is None or v[:n].sum() > best[:n].sum():
            best = v
    v = best
    z = [M @ v for M in mats]
    def in_cone(g):
        return all(float(z[g] @ np.array([_f(c) for c in vec]))
                   >= -1e-6 * (1 + np.linalg.norm([_f(c) for c in vec]))
                   for vec in prob.C[g].values())

    # a group can carry u_g = r_g z_g only if its unit dual vector lies in its cone
    tight = [g for g, zz in enumerate(z) if np.linalg.norm(zz) > 1 - 1e-5 and in_cone(g)]
    # primal radii: min Σ r_g s.t. y_i Σ_g r_g <z_g, F_gi> >= 1, u_g = r_g z_g
    r = np.zeros(len(mats))
    if tight:
        A = np.array([[-prob.Y[i] * float(z[g] @ np.array([_f(c) for c in prob.F[g][i]]))
                       for g in tight] for i in range(n)])
        cost = np.ones(len(tight))
        if prob.prefer is not None:
            cost += 1e-7 * np.array([prob.prefer[g] for g in tight])
        lp = linprog(cost, A_ub=A, b_ub=-np.ones(n), bounds=[(0, None)] * len(tight),
                     method="highs")
        if lp.status == 0:
            r[tight] = lp.x
    mu = [{k: float(v[col]) for k, col in layout[g].items()} for g in range(len(mats))]
    return FloatSolution(float(v[:n].sum()), v[:n], mu, r, z)


def _exact_from_structure(prob: GroupProblem, I, G, K, fl: FloatSolution
                          ) -> GroupSolution | None:
    """Solve the KKT system of a guessed structure exactly.

    Structure: active samples I (α_i > 0), used groups G (u_g = r_g z_g, ‖z_g‖ = 1) and
    tight cone constraints K. With P_g the projection onto {u : <u, C_gk> = 0, (g,k) in K}
    and b_gi = P_g(y_i F_gi), the dual vector is z_g = Σ_i α_i b_gi, and with
    Q_g = [<b_gi, b_gj>] the conditions read ``α^T Q_g α = 1`` (g in G) and
    ``(Σ_g r_g Q_g) α = 1`` on I. Samples split into components coupled by the groups; a
    component with one group has the closed form ``α = Q^+ 1 / sqrt(1^T Q^+ 1)``,
    ``r = sqrt(1^T Q^+ 1)`` (one square root); a small coupled component is handed to sympy's
    polynomial solver, a larger one is given up (None).
    """
    n = prob.n
    Kg = {g: [k for (h, k) in K if h == g] for g in G}
    proj, pinv, cmat = {}, {}, {}
    b: dict[int, dict[int, sympy.Matrix]] = {}
    for g in G:
        d = prob.dims[g]
        Pm = sympy.eye(d)
        if Kg[g]:
            Cm = sympy.Matrix([[prob.C[g][k][c] for k in Kg[g]] for c in range(d)])
            gram = (Cm.T * Cm).applyfunc(_simp)
            if _sgn(gram.det()) == 0:
                return None
            inv = gram.inv().applyfunc(_simp)
            Pm = (Pm - Cm * inv * Cm.T).applyfunc(_simp)
            pinv[g], cmat[g] = inv, Cm
        proj[g] = Pm
        b[g] = {i: (Pm * sympy.Matrix([prob.Y[i] * v for v in prob.F[g][i]])).applyfunc(_simp)
                for i in I}
    support = {g: {i for i in I if any(_sgn(c) != 0 for c in b[g][i])} for g in G}
    if set(I) - set().union(*support.values()):
        return None          # an active sample no used group reaches
    # components: union of groups sharing a sample
    comps: list[tuple[set, set]] = []
    for g in G:
        merged = ({g}, set(support[g]))
        rest = []
        for cg, ci in comps:
            if ci & merged[1]:
                merged = (merged[0] | cg, merged[1] | ci)
            else:
                rest.append((cg, ci))
        comps = rest + [merged]
    alpha = [ZERO] * n
    rr = [ZERO] * len(prob.dims)
    for cg, ci in comps:
        idx = sorted(ci)
        Q = {g: sympy.Matrix(len(idx), len(idx),
                             lambda p, q: _simp(b[g][idx[p]].dot(b[g][idx[q]]))) for g in cg}
        if len(cg) == 1:
            (g,) = cg
            ah = _solve_linear(Q[g], sympy.ones(len(idx), 1))
            if ah is None:
                return None
            s1 = _simp(sum(ah, ZERO))
            if _sgn(s1) <= 0:
                return None
            t = _simp(sympy.sqrt(s1))
            rr[g] = t
            for p, i in enumerate(idx):
                alpha[i] = _simp(ah[p] / t)
            continue
        res = _coupled_component(prob, b, Q, sorted(cg), idx, fl)
        if res is None:
            return None
        for i, v in res[0].items():
            alpha[i] = v
        for g, v in res[1].items():
            rr[g] = v
    mu = [dict() for _ in prob.dims]
    for g in G:
        if Kg[g]:
            w = sympy.Matrix([sum((alpha[i] * prob.Y[i] * prob.F[g][i][c] for i in range(n)), ZERO)
                              for c in range(prob.dims[g])])
            mvec = (-(pinv[g] * cmat[g].T * w)).applyfunc(_simp)
            for k, v in zip(Kg[g], mvec):
                mu[g][k] = v
    return _assemble(prob, G, alpha, mu, rr)


def _rational_direction(Q, groups, idx, fl: FloatSolution):
    """Guess α = β/sqrt(q) with a *rational* direction β (Σβ = 1), verified exactly.

    Homogeneity: every ``α^T Q_g α = 1`` means ``β^T Q_g β = q`` for all g, and stationarity
    ``Σ_g r_g Q_g α = 1`` becomes the linear system ``Σ_g ρ_g Q_g β = 1``, ``r_g = ρ_g sqrt(q)``.
    Structured data (symmetries, small integers) often have a rational β; it is found by
    rounding the float direction and checked exactly, so a wrong guess costs nothing.
    """
    af = np.array([float(fl.alpha[i]) for i in idx])
    if af.sum() <= 0:
        return None
    for den in (12, 60, 840, 27720):
        beta = [_rat(float(v), den) for v in af / af.sum()]
        if any(_sgn(v) < 0 for v in beta):
            continue
        bv = sympy.Matrix(beta)
        qs = [_simp((bv.T * Q[g] * bv)[0]) for g in groups]
        if _sgn(qs[0]) <= 0 or any(_sgn(q - qs[0]) != 0 for q in qs[1:]):
            continue
        cols = sympy.Matrix.hstack(*[Q[g] * bv for g in groups])
        rho = _solve_linear(cols, sympy.ones(len(idx), 1))
        if rho is None or any(_sgn(v) < 0 for v in rho):
            continue
        root = _simp(sympy.sqrt(qs[0]))
        return ({i: _simp(v / root) for i, v in zip(idx, beta)},
                {g: _simp(v * root) for g, v in zip(groups, rho)})
    return None


def _coupled_component(prob, b, Q, groups, idx, fl: FloatSolution):
    """Several groups sharing samples: linearize, then a small polynomial system.

    A group whose projected vectors b_gi are all parallel (rank one; every 1-dimensional
    group) has ``z_g = (Σ_i α_i c_i) e`` and ``‖z_g‖ = 1`` is the *linear* equation
    ``Σ_i α_i c_i = ±1/‖e‖`` (sign from the float solution). The linear equations give
    ``α = α_p + N t``; the rest (``α^T Q_g α = 1`` for the other groups and
    ``(Σ_g r_g Q_g) α = 1``, linear in r) is solved for ``(t, r)`` by sympy when small.
    """
    guess = _rational_direction(Q, groups, idx, fl)
    if guess is not None:
        return guess
    rows, rhs = [], []
    quad = []
    for g in groups:
        vecs = [b[g][i] for i in idx]
        e = next((v for v in vecs if any(_sgn(c) != 0 for c in v)), None)
        coeffs = []
        for v in vecs:
            if all(_sgn(c) == 0 for c in v):
                coeffs.append(ZERO)
                continue
            k = next(c for c in range(len(e)) if _sgn(e[c]) != 0)
            ratio = _simp(v[k] / e[k])
            if any(_sgn(v[c] - ratio * e[c]) != 0 for c in range(len(e))):
                coeffs = None
                break
            coeffs.append(ratio)
        if coeffs is None:
            quad.append(g)
            continue
        zf = fl.z[g]
        ef = np.array([_f(c) for c in e])
        sig = 1 if float(zf @ ef) >= 0 else -1
        rows.append(coeffs)
        rhs.append(_simp(sig / sympy.sqrt(_dot(e, e))))
    m = len(idx)
    t = sympy.symbols(f"t0:{m}")
    if rows:
        L = sympy.Matrix(rows)
        try:
            sol, params = L.gauss_jordan_solve(sympy.Matrix(rhs))
        except ValueError:
            return None
        tau = list(params)
        av = [sympy.expand(v) for v in sol]
    else:
        tau = list(t)
        av = list(t)
    if len(tau) > 3:
        return None
    r = {g: sympy.Symbol(f"r{g}", positive=True) for g in groups}
    A = sympy.Matrix(av)
    eqs = [sympy.expand((A.T * Q[g] * A)[0] - 1) for g in quad]
    Msum = sum((r[g] * Q[g] for g in groups), sympy.zeros(m, m))
    eqs += [sympy.expand(e - 1) for e in Msum * A]
    unknowns = tau + list(r.values())
    try:
        with _time_limit(SOLVE_SECONDS):
            sols = sympy.solve(eqs, unknowns, dict=True, check=False)
    except (NotImplementedError, ValueError, _Timeout):
        return None
    guess_a = [float(fl.alpha[i]) for i in idx]
    guess_r = [float(fl.r[g]) for g in groups]

    def dist(sol):
        try:
            av_ = [complex(sympy.N(v.xreplace(sol), 20)) for v in av]
            rv_ = [complex(sympy.N(sol[r[g]], 20)) for g in groups]
        except (TypeError, KeyError):
            return float("inf")
        return sum(abs(x - y) for x, y in zip(av_ + rv_, guess_a + guess_r))

    good = [x for x in sols if not (set().union(*(_as_expr(v).free_symbols
                                                    for v in x.values())) & set(unknowns))]
    good = [x for x in good if dist(x) < 1e-4 * (1 + sum(map(abs, guess_a + guess_r)))]
    if not good:
        return None
    best = min(good, key=dist)
    return ({i: _simp(v.xreplace(best)) for i, v in zip(idx, av)},
            {g: _simp(best[r[g]]) for g in groups})


def _assemble(prob, G, alpha, mu, rr) -> GroupSolution | None:
    """Check the candidate exactly (signs, unit dual norms, primal feasibility) and build u."""
    n = prob.n
    if any(v.has(sympy.I) or _sgn(v) < 0 for v in alpha):
        return None
    if any(v.has(sympy.I) or _sgn(v) < 0 for d in mu for v in d.values()):
        return None
    if any(rr[g].has(sympy.I) or _sgn(rr[g]) < 0 for g in G):
        return None
    u = []
    for g, d in enumerate(prob.dims):
        if g not in G:
            u.append([ZERO] * d)
            continue
        z = [_simp(sum((alpha[i] * prob.Y[i] * prob.F[g][i][c] for i in range(n)), ZERO)
                   + sum((mu[g].get(k, 0) * prob.C[g][k][c] for k in prob.C[g]), ZERO))
             for c in range(d)]
        if _sgn(_dot(z, z) - 1) != 0:
            return None
        u.append([_simp(rr[g] * c) for c in z])
    for i in range(n):
        marg = prob.Y[i] * sum((_dot(u[g], prob.F[g][i]) for g in range(len(prob.dims))), ZERO)
        if _sgn(marg - 1) < 0:
            return None
    for g in G:
        for k, vec in prob.C[g].items():
            if _sgn(_dot(u[g], vec)) < 0:
                return None
    value = _simp(sum(alpha, ZERO))
    return GroupSolution(value, alpha, mu, u, rr)


def solve_group(prob: GroupProblem, fl: FloatSolution | None = None) -> GroupSolution | None:
    """Exact optimum of a group problem (None if infeasible or the structure is not found)."""
    fl = fl or float_group(prob)
    if fl is None:
        return None
    scale = max(1.0, float(np.max(fl.alpha)) if len(fl.alpha) else 1.0)
    tried = set()
    for tol in (1e-6, 1e-4, 1e-8):
        I = tuple(i for i in range(prob.n) if fl.alpha[i] > tol * scale)
        G = tuple(g for g in range(len(prob.dims)) if fl.r[g] > tol * max(1.0, fl.r.max()))
        if not I or not G:
            continue
        # cone constraints: active in the dual (μ > 0) or tight in the primal (<u, C> = 0)
        K_dual = tuple((g, k) for g in G for k in sorted(prob.C[g])
                       if fl.mu[g].get(k, 0) > tol * scale)
        K_primal = tuple((g, k) for g in G for k in sorted(prob.C[g])
                         if abs(float(fl.z[g] @ np.array([_f(c) for c in prob.C[g][k]])))
                         < 1e-6 * (1 + np.linalg.norm([_f(c) for c in prob.C[g][k]])))
        for K in (K_dual, K_primal):
            if (I, G, K) in tried:
                continue
            tried.add((I, G, K))
            sol = _exact_from_structure(prob, list(I), list(G), list(K), fl)
            if sol is not None and abs(_f(sol.value) - fl.value) <= 1e-6 * (1 + fl.value):
                return sol
    return None


# ---------------------------------------------------------------- depth-2 linear networks


@functools.lru_cache(maxsize=64)
def linear_depth2_optimum(net: Network, X: tuple, Y: tuple):
    """Neuron-sum optimum of a depth-2 linear net without sharing: (α, θ*, ‖θ*‖²) or None.

    Neurons with equal support form one group; its optimal ``u`` is split equally among them
    (so every relevant neuron is non-zero when its group is used).
    """
    groups = support_groups(net)
    prob = GroupProblem([len(s) for s, _ in groups],
                        [[[x[k] for k in s] for x in X] for s, _ in groups],
                        [dict() for _ in groups], list(Y))
    sol = solve_group(prob)
    if sol is None:
        return None
    theta = {p: ZERO for p in net.params}
    rel = {j: (names, v) for j, _, names, v in relevant_neurons(net)}
    for g, (s, js) in enumerate(groups):
        u = sol.u[g]
        if all(c == 0 for c in u):
            continue
        share = [_simp(c / len(js)) for c in u]
        nrm = _simp(sympy.sqrt(sum((c * c for c in share), ZERO)))
        root = _simp(sympy.sqrt(nrm))
        for j in js:
            names, v = rel[j]
            for name, c in zip(names, share):
                theta[name] = _simp(c / root)
            theta[v] = root
    return sol.alpha, theta, _simp(2 * sol.value)


# ------------------------------------------------------------------ depth-2 ReLU networks


Option = tuple[tuple[int, ...], int]


def _option_vectors(support, A, s, X):
    F = [[s * A[i] * x[k] for k in support] for i, x in enumerate(X)]
    C = {}
    for k, x in enumerate(X):
        vec = [(1 if A[k] else -1) * x[c] for c in support]
        if any(v != 0 for v in vec):
            C[k] = vec
    return F, C


def _realizable(xs_f: np.ndarray, A) -> bool:
    from scipy.optimize import linprog

    n, d = xs_f.shape
    if all(A):
        return True
    rows, rhs = [], []
    for i in range(n):
        if A[i]:
            rows.append(-xs_f[i]); rhs.append(0.0)
        else:
            rows.append(xs_f[i]); rhs.append(-1.0)
    res = linprog(np.zeros(d), A_ub=np.array(rows), b_ub=np.array(rhs),
                  bounds=[(None, None)] * d, method="highs")
    return res.status == 0


def _unrealizable_proof(xs, A) -> list[sympy.Expr] | None:
    """Exact ν >= 0: Σ_A ν x = Σ_notA ν x, Σ_notA ν = 1 (search: float LP, exact support)."""
    from scipy.optimize import linprog

    n, d = len(xs), len(xs[0])
    c = [1 if A[i] else -1 for i in range(n)]
    Aeq = np.array([[c[i] * _f(xs[i][k]) for i in range(n)] for k in range(d)]
                   + [[0.0 if A[i] else 1.0 for i in range(n)]])
    beq = np.array([0.0] * d + [1.0])
    res = linprog(np.ones(n), A_eq=Aeq, b_eq=beq, bounds=[(0, None)] * n, method="highs")
    if res.status != 0:
        return None
    sup = [i for i in range(n) if res.x[i] > 1e-9]
    M = sympy.Matrix([[c[i] * xs[i][k] for i in sup] for k in range(d)]
                     + [[0 if A[i] else 1 for i in sup]])
    sol = _solve_linear(M, sympy.Matrix([0] * d + [1]))
    if sol is None:
        return None
    nu = [ZERO] * n
    for i, v in zip(sup, sol):
        nu[i] = v
    if any(_sgn(v) < 0 for v in nu):
        return None
    return nu


def _exact_nnls(b: list[sympy.Expr], cols: dict[int, list[sympy.Expr]], n: int, exact_min: bool
                ) -> tuple[list[sympy.Expr], sympy.Expr]:
    """μ >= 0 (length n) with ‖b + Σ μ_k col_k‖ small; returns (μ, ‖z‖²) exactly.

    ``exact_min``: solve the float support's normal equations exactly (the true minimum, needed
    when the minimum is exactly 1); otherwise round the float μ to rationals.
    """
    from scipy.optimize import nnls

    ks = sorted(cols)
    mu = [ZERO] * n
    if ks:
        Af = np.array([[_f(cols[k][c]) for k in ks] for c in range(len(b))])
        bf = np.array([-_f(v) for v in b])
        x, _ = nnls(Af, bf)
        if exact_min:
            guess = tuple(k for k, v in zip(ks, x) if v > 1e-11)
            best = None
            cands = [guess] + [c for r in range(0, len(b) + 1)
                               for c in itertools.combinations(ks, r) if c != guess]
            for sup in cands:
                cand = [ZERO] * n
                if sup:
                    Cm = sympy.Matrix([[cols[k][c] for k in sup] for c in range(len(b))])
                    sol = _solve_linear(Cm.T * Cm, -(Cm.T * sympy.Matrix(b)))
                    if sol is None or any(_sgn(v) < 0 for v in sol):
                        continue
                    for k, v in zip(sup, sol):
                        cand[k] = v
                z = [_simp(b[c] + sum((cand[k] * cols[k][c] for k in ks), ZERO))
                     for c in range(len(b))]
                # optimal iff the residual z has <z, col_k> >= 0 for every column (KKT)
                if all(_sgn(_dot(z, cols[k])) >= 0 for k in ks):
                    best = cand
                    break
            if best is not None:
                mu = best
            else:
                exact_min = False
        if not exact_min:
            for k, v in zip(ks, x):
                mu[k] = _rat(float(v), 10 ** 15) if v > 0 else ZERO
    z = [_simp(b[c] + sum((mu[k] * cols[k][c] for k in ks), ZERO)) for c in range(len(b))]
    return mu, _simp(sum((v * v for v in z), ZERO))


@dataclass
class PatternStats:
    options: list[int] = field(default_factory=list)
    unrealizable: list[int] = field(default_factory=list)
    method: str = ""
    patterns_total: int = 0
    pruned_unserved: int = 0
    covered: int = 0
    solved: int = 0
    solved_infeasible: int = 0
    cases: int = 0
    seconds_search: float = 0.0
    seconds_exact: float = 0.0

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass
class ReluOptimum:
    """``value``: ‖θ*‖² (exact mode: the optimum; bracket mode: an upper bound, the norm² of a
    rational feasible point near the optimum, with ``lower`` the certified lower bound)."""

    value: sympy.Expr
    theta: dict[str, sympy.Expr]
    bound: dict
    stats: PatternStats
    exact: bool = True
    lower: sympy.Expr | None = None


class _ReluSetup:
    """Groups, options and realizability for a depth-2 ReLU network without sharing."""

    def __init__(self, net: Network, X, Y, universe: list[list[Option]] | None = None):
        """``universe``: the realizable options per group when already known (the regions of
        the arrangement, :mod:`.convex`); otherwise all ``2^n`` sets are tested."""
        if net.depth != 2 or net.activation != "relu" or net.has_sharing:
            raise InvalidArgument("pattern enumeration needs a depth-2 ReLU network without "
                                  "shared weights")
        self.net, self.X, self.Y, self.n = net, [list(x) for x in X], list(Y), len(X)
        self.Xf = np.array([[_f(v) for v in x] for x in self.X], dtype=float)
        self.groups = support_groups(net)
        self.universe: list[list[Option]] = []
        self.unreal: list[list[dict]] = []
        if universe is not None:
            self.universe = [list(U) for U in universe]
            self.unreal = [[] for _ in self.groups]
            return
        for support, _ in self.groups:
            xs = [[x[k] for k in support] for x in self.X]
            xf = np.array([[_f(v) for v in x] for x in xs], dtype=float)
            U, dead = [], []
            for A in itertools.product((0, 1), repeat=self.n):
                if not _realizable(xf, A):
                    nu = _unrealizable_proof(xs, A)
                    if nu is not None:
                        dead.append({"active": list(A), "nu": _txts(nu)})
                        continue
                U += [(A, 1), (A, -1)]
            self.universe.append(U)
            self.unreal.append(dead)

    def serves(self, g: int, o: Option, i: int) -> bool:
        A, s = o
        support = self.groups[g][0]
        return bool(A[i]) and s == self.Y[i] and any(self.X[i][k] != 0 for k in support)

    def useful(self, g: int) -> list[Option]:
        return [o for o in self.universe[g] if any(self.serves(g, o, i) for i in range(self.n))]

    def problem(self, chosen: list[tuple[int, Option]]) -> GroupProblem:
        dims, F, C = [], [], []
        for g, (A, s) in chosen:
            support = self.groups[g][0]
            f, c = _option_vectors(support, A, s, self.X)
            dims.append(len(support)); F.append(f); C.append(c)
        return GroupProblem(dims, F, C, self.Y, prefer=[sum(A) for _, (A, _) in chosen])

    def b_vector(self, g, o, alpha):
        (A, s), support = o, self.groups[g][0]
        return [_simp(sum((s * A[i] * alpha[i] * self.Y[i] * self.X[i][k] for i in range(self.n)),
                          ZERO)) for k in support]

    def float_nnls(self, g, o, alpha_f: np.ndarray) -> tuple[np.ndarray, float]:
        """Float μ >= 0 (one per sample) minimizing option o's dual vector, and its norm."""
        from scipy.optimize import nnls

        (A, s), support = o, list(self.groups[g][0])
        xs = self.Xf[:, support]
        coef = np.array([s * A[i] * alpha_f[i] * self.Y[i] for i in range(self.n)])
        b = coef @ xs
        mu = np.zeros(self.n)
        ks = [k for k in range(self.n) if np.any(xs[k] != 0)]
        if not ks:
            return mu, float(np.linalg.norm(b))
        M = np.array([(1 if A[k] else -1) * xs[k] for k in ks]).T
        x, res = nnls(M, -b)
        mu[ks] = x
        return mu, float(res)

    def float_m(self, g, o, alpha_f: np.ndarray) -> float:
        return self.float_nnls(g, o, alpha_f)[1]

    def case(self, alpha, infeasible=False, only: list[set] | None = None,
             tight_exact=False) -> tuple[dict, list[set]]:
        """Kernel JSON of one case and its allowed option sets (exactly checked here)."""
        opts_json, allowed = [], []
        af = np.array([_f(a) for a in alpha])
        for g, (support, _) in enumerate(self.groups):
            lst, ok = [], set()
            for o in self.universe[g]:
                if only is not None and o not in only[g]:
                    continue
                fm = self.float_m(g, o, af)
                if infeasible and fm > 1e-9:
                    continue
                if not infeasible and fm > 1 + 1e-7:
                    continue
                A, s = o
                _, cols = _option_vectors(support, A, s, self.X)
                near = infeasible or abs(fm - 1) < 1e-7
                exact_min = (near and (tight_exact or infeasible)) or fm < 1e-9
                mu, z2 = _exact_nnls(self.b_vector(g, o, alpha), cols, self.n, exact_min)
                try:
                    good = _sgn(z2) == 0 if infeasible else _sgn(1 - z2) >= 0
                except UndecidedError:
                    good = False
                if not good:
                    continue
                lst.append({"active": list(A), "sign": s, "mu": _txts(mu)})
                ok.add(o)
            opts_json.append(lst)
            allowed.append(ok)
        case = {"alpha": _txts(alpha), "options": opts_json}
        if infeasible:
            case["infeasible"] = True
        return case, allowed

    def farkas_unserved(self, i: int):
        alpha = [ONE if k == i else ZERO for k in range(self.n)]
        return self.case(alpha, infeasible=True)

    def theta_from(self, chosen: list[tuple[int, Option]], sol: GroupSolution):
        theta = {p: ZERO for p in self.net.params}
        rel = {j: (names, v) for j, _, names, v in relevant_neurons(self.net)}
        free = {g: list(js) for g, (_, js) in enumerate(self.groups)}
        for q, (g, (A, s)) in enumerate(chosen):
            if _sgn(sol.r[q]) == 0:
                continue
            if not free[g]:
                raise UndecidedError("more options than neurons")
            j = free[g].pop(0)
            names, v = rel[j]
            root = _simp(sympy.sqrt(sol.r[q]))
            for name, c in zip(names, sol.u[q]):
                theta[name] = _simp(c / root)
            theta[v] = _simp(s * root)
        return theta

    def rational_point(self, chosen, fl: FloatSolution) -> dict[str, sympy.Expr]:
        """A rational feasible point near the float optimum (output weights scaled up)."""
        theta = {p: ZERO for p in self.net.params}
        rel = {j: (names, v) for j, _, names, v in relevant_neurons(self.net)}
        free = {g: list(js) for g, (_, js) in enumerate(self.groups)}
        for q, (g, (A, s)) in enumerate(chosen):
            if fl.r[q] <= 1e-9 * max(1.0, fl.r.max()):
                continue
            if not free[g]:
                raise UndecidedError("more options than neurons")
            j = free[g].pop(0)
            names, v = rel[j]
            root = float(np.sqrt(fl.r[q]))
            for name, c in zip(names, fl.r[q] * fl.z[q] / root):
                theta[name] = _rat(float(c), 10 ** 9)
            theta[v] = _rat(s * root, 10 ** 9)
        margins = [self.Y[i] * self.net.output(theta, x) for i, x in enumerate(self.X)]
        low = min(margins)
        if _sgn(low) <= 0:
            raise UndecidedError("the rounded point has a non-positive margin")
        for p in (v for *_, v in relevant_neurons(self.net)):
            theta[p] = theta[p] / low          # Φ is linear in the output weights
        return theta

    def bound_json(self, cases: list[dict]) -> dict:
        return {"type": "patterns", "groups": [list(s) for s, _ in self.groups],
                "unrealizable": self.unreal, "cases": cases}


def _rounded_case(setup: _ReluSetup, fl: FloatSolution, only=None):
    alpha = [_rat(float(a) * (1 - 2e-6), 10 ** 12, down=True) if a > 0 else ZERO
             for a in fl.alpha]
    return setup.case(alpha, only=only)


def _bracket(setup, chosen, fl, cases, stats) -> ReluOptimum:
    theta = setup.rational_point(chosen, fl)
    lower = min(2 * sum((_as_expr(a) for a in c["alpha"]), ZERO)
                for c in cases if not c.get("infeasible"))
    value = _simp(sum((v ** 2 for v in theta.values()), ZERO))
    stats.cases = len(cases)
    return ReluOptimum(value, theta, setup.bound_json(cases), stats, exact=False, lower=lower)


def _relaxation(setup: _ReluSetup, stats: PatternStats, exact: bool = True
                ) -> ReluOptimum | None:
    chosen = [(g, o) for g in range(len(setup.groups)) for o in setup.useful(g)]
    prob = setup.problem(chosen)
    fl = float_group(prob)
    stats.solved += 1
    if fl is None:
        return None
    used: dict[int, int] = {}
    for q, (g, _) in enumerate(chosen):
        if fl.r[q] > 1e-6 * max(1.0, fl.r.max()):
            used[g] = used.get(g, 0) + 1
    if any(c > len(setup.groups[g][1]) for g, c in used.items()):
        return None  # the relaxation needs more neurons than the network has
    t0 = time.perf_counter()
    if not exact:
        case, _ = _rounded_case(setup, fl)
        stats.seconds_exact += time.perf_counter() - t0
        return _bracket(setup, chosen, fl, [case], stats)
    sol = solve_group(prob, fl)
    if sol is None:
        return None
    case, _ = setup.case(sol.alpha, tight_exact=True)
    stats.seconds_exact += time.perf_counter() - t0
    theta = setup.theta_from(chosen, sol)
    stats.cases = 1
    return ReluOptimum(_simp(2 * sol.value), theta, setup.bound_json([case]), stats)


def _enumerate(setup: _ReluSetup, stats: PatternStats, exact: bool = True
               ) -> ReluOptimum | None:
    """Maximal option sets, pruned; one convex problem per set not already covered.

    Returns None when no certificate is found; a result with ``theta`` None and only
    infeasible cases when every pattern is infeasible (Problem 2 has no feasible point).
    """
    from .kernel.optimum import _uncovered

    G = len(setup.groups)
    useful = [setup.useful(g) for g in range(G)]
    sizes = [min(len(setup.groups[g][1]), len(useful[g])) for g in range(G)]
    # generated lazily: C(options, width) sets can be millions (bounded memory; note that
    # itertools.product would first store every combination of each group)
    patterns = _lazy_product([(lambda g=g: itertools.combinations(useful[g], sizes[g]))
                              for g in range(G)])
    stats.patterns_total = 1
    for g in range(G):
        stats.patterns_total *= math.comb(len(useful[g]), sizes[g])
    farkas: dict[Any, tuple[dict, list[set]]] = {}
    solved: list[tuple[Any, FloatSolution, list[set]]] = []   # (chosen, fl, float allowed)

    def solve_float(chosen) -> bool:
        fl = float_group(setup.problem(chosen))
        stats.solved += 1
        if fl is None:
            stats.solved_infeasible += 1
            alpha = _farkas_alpha(setup, chosen)
            if alpha is None:
                return False
            farkas[("p", len(farkas))] = setup.case(alpha, infeasible=True)
            return True
        allowed = [{o for o in setup.universe[g] if (g, o) in chosen
                    or setup.float_m(g, o, fl.alpha) < 1 - 1e-6} for g in range(G)]
        solved.append((chosen, fl, allowed))
        return True

    for pat in patterns:
        chosen = [(g, o) for g in range(G) for o in pat[g]]
        unserved = [i for i in range(setup.n)
                    if not any(setup.serves(g, o, i) for g, o in chosen)]
        if unserved:
            stats.pruned_unserved += 1
            if unserved[0] not in farkas:
                farkas[unserved[0]] = setup.farkas_unserved(unserved[0])
            continue
        if any(all(o in allowed[g] for g in range(G) for o in pat[g])
               for allowed in [a for *_, a in solved] + [a for _, a in farkas.values()]):
            stats.covered += 1
            continue
        if not solve_float(chosen):
            return None
    t0 = time.perf_counter()
    if not solved:
        cases = [c for c, _ in farkas.values()]
        if not cases:
            return None
        stats.cases = len(cases)
        return ReluOptimum(sympy.oo, None, setup.bound_json(cases), stats, exact=exact)
    exact_cases: list[tuple[dict, list[set]]] = []
    best: list = []        # [value, chosen, GroupSolution]
    done = 0

    def exactify() -> bool:
        nonlocal done
        best_f = min(fl.value for _, fl, _ in solved)
        for chosen, fl, allowed in solved[done:]:
            if not exact:
                if not best or fl.value < best[0]:
                    best[:] = [fl.value, chosen, fl]
                exact_cases.append(_rounded_case(setup, fl, only=allowed))
                continue
            if fl.value <= best_f * (1 + 1e-5) + 1e-12:
                sol = solve_group(setup.problem(chosen), fl)
                if sol is None:
                    return False
                if not best or _sgn(sol.value - best[0]) < 0:
                    best[:] = [sol.value, chosen, sol]
                exact_cases.append(setup.case(sol.alpha, tight_exact=True, only=allowed))
            else:
                alpha = [_rat(float(a) * (1 - 2e-6), 10 ** 12, down=True) if a > 0 else ZERO
                         for a in fl.alpha]
                exact_cases.append(setup.case(alpha, only=allowed))
        done = len(solved)
        return True

    if not exactify():
        return None
    ks = [len(js) for _, js in setup.groups]
    for _ in range(100):     # repair: solve any set of options no exact case covers
        allowed = [a for _, a in exact_cases] + [a for _, a in farkas.values()]
        hole = _uncovered(setup.universe, ks, allowed)
        if hole is None:
            break
        stats.covered -= 1
        if not solve_float([(g, o) for g in range(G) for o in hole[g]]) or not exactify():
            return None
    else:
        return None
    if not exact:
        stats.seconds_exact += time.perf_counter() - t0
        return _bracket(setup, best[1], best[2],
                        [c for c, _ in exact_cases] + [c for c, _ in farkas.values()], stats)
    value, chosen, sol = best
    cases = []
    for c, _ in exact_cases:
        if _sgn(sum((_as_expr(a) for a in c["alpha"]), ZERO) - value) < 0:
            return None   # a rounded case fell below the optimum (a near tie)
        cases.append(c)
    cases += [c for c, _ in farkas.values()]
    stats.seconds_exact += time.perf_counter() - t0
    stats.cases = len(cases)
    theta = setup.theta_from(chosen, sol)
    return ReluOptimum(_simp(2 * value), theta, setup.bound_json(cases), stats)


def _lazy_product(factories):
    """``itertools.product`` of re-creatable iterables without storing any of them."""
    if not factories:
        yield ()
        return
    for head in factories[0]():
        for tail in _lazy_product(factories[1:]):
            yield (head,) + tail


def _farkas_alpha(setup: _ReluSetup, chosen) -> list[sympy.Expr] | None:
    """α >= 0, Σα = 1, with every chosen option's vector 0 for some μ >= 0 (exact)."""
    from scipy.optimize import linprog

    prob = setup.problem(chosen)
    mats, layout, nv = prob.float_mats()
    n = prob.n
    Aeq = np.vstack(mats + [np.concatenate([np.ones(n), np.zeros(nv - n)])[None, :]])
    beq = np.concatenate([np.zeros(sum(M.shape[0] for M in mats)), [1.0]])
    res = linprog(np.zeros(nv), A_eq=Aeq, b_eq=beq, bounds=[(0, None)] * nv, method="highs")
    if res.status != 0:
        return None
    sup = [c for c in range(nv) if res.x[c] > 1e-9]
    rows = []
    for g, d in enumerate(prob.dims):
        inv = {col: k for k, col in layout[g].items()}
        for c in range(d):
            rows.append([prob.Y[col] * prob.F[g][col][c] if col < n else
                         (prob.C[g][inv[col]][c] if col in inv else ZERO) for col in sup])
    rows.append([ONE if col < n else ZERO for col in sup])
    sol = _solve_linear(sympy.Matrix(rows), sympy.Matrix([0] * (len(rows) - 1) + [1]))
    if sol is None:
        return None
    full = [ZERO] * nv
    for col, v in zip(sup, sol):
        full[col] = v
    if any(_sgn(v) < 0 for v in full):
        return None
    return full[:n]


MAX_SAMPLES_ENUMERATION = 10
"""Above this many samples the 2^n activation sets are not enumerated (convex only)."""


@functools.lru_cache(maxsize=32)
def relu_optimum(net: Network, X: tuple, Y: tuple, method: str = "auto",
                 exact: bool = True) -> ReluOptimum | None:
    """Certified global optimum of a small depth-2 ReLU network without sharing.

    ``method``: ``relaxation`` (one convex problem over all options: enough when its solution
    uses at most as many options as there are neurons), ``enumerate`` (maximal option sets,
    one convex problem each), or ``auto`` (relaxation, then enumeration).
    ``exact=False`` (bracket mode): every dual is rounded down to rationals and θ* is a
    rational feasible point near the optimum, so ``lower <= optimum <= value`` is certified
    even when the optimum is an algebraic number of high degree.
    """
    if method not in ("auto", "relaxation", "enumerate", "convex"):
        raise InvalidArgument(f"method={method!r} must be auto, convex, relaxation or "
                              f"enumerate")
    if method == "convex":
        from .convex import convex_optimum

        return convex_optimum(net, X, Y)
    with _single_thread_blas():
        return _relu_optimum(net, X, Y, method, exact)


def _relu_optimum(net, X, Y, method, exact) -> ReluOptimum | None:
    t0 = time.perf_counter()
    setup = _ReluSetup(net, X, Y)
    stats = PatternStats(options=[len(U) for U in setup.universe],
                         unrealizable=[len(d) for d in setup.unreal])
    out = None
    if method in ("auto", "relaxation"):
        stats.method = "relaxation"
        out = _relaxation(setup, stats, exact)
    if out is None and method in ("auto", "enumerate"):
        stats.method = "enumerate"
        out = _enumerate(setup, stats, exact)
    stats.seconds_search = time.perf_counter() - t0 - stats.seconds_exact
    return out


# ------------------------------------------------------------------- global: dispatcher


@dataclass(frozen=True)
class OptimumSearch:
    """A certified-optimum search result: θ*, its value, the kernel's bound JSON, notes."""

    theta: dict | None
    value: sympy.Expr | None
    bound: dict | None
    reason: str
    stats: dict = field(default_factory=dict)


def find_global(net: Network, X: tuple, Y: tuple, method: str = "auto") -> OptimumSearch:
    """The optimum of Problem 2 with a lower-bound certificate, for the supported classes."""
    X = tuple(tuple(_as_expr(v) for v in x) for x in X)
    Y = tuple(int(y) for y in Y)
    try:
        if net.activation == "linear" and not net.has_sharing and net.depth == 2 \
                and not is_fully_connected(net):
            res = linear_depth2_optimum(net, X, Y)
            if res is None:
                return OptimumSearch(None, None, None, "the neuron-sum problem was not solved")
            alpha, theta, value = res
            return OptimumSearch(theta, value, {"type": "neuron-sum", "alpha": _txts(alpha)},
                                 "neuron-sum dual")
        if net.activation == "linear" and is_fully_connected(net):
            res = predictor_optimum(X, Y)
            if res is None:
                return OptimumSearch(None, None, None, "the data are not linearly separable "
                                                       "(predictor QP infeasible)")
            alpha, beta, rho2 = res
            m = net.depth
            theta = fc_linear_point(net, beta)
            return OptimumSearch(theta, _simp(m * rho2 ** sympy.Rational(1, m)),
                                 {"type": "predictor", "alpha": _txts(alpha)},
                                 "predictor-space QP dual")
        if net.activation == "relu" and net.depth == 2 and not net.has_sharing:
            if method in ("auto", "convex"):
                from .convex import convex_optimum

                res = convex_optimum(net, X, Y)
                if res is not None:
                    return OptimumSearch(res.theta, res.value, res.bound,
                                         "convex reformulation (arrangement dual)",
                                         res.stats.to_json())
                if method == "convex" or len(X) > MAX_SAMPLES_ENUMERATION:
                    return OptimumSearch(None, None, None, "the convex reformulation gave no "
                                                           "exact optimum")
            res = relu_optimum(net, X, Y, "auto" if method == "patterns" else method)
            if res is None:
                return OptimumSearch(None, None, None, "pattern enumeration found no "
                                                       "certificate")
            if res.theta is None:
                return OptimumSearch(None, None, None, "Problem 2 is infeasible for this "
                                                       "width (every pattern has a Farkas "
                                                       "certificate)", res.stats.to_json())
            return OptimumSearch(res.theta, res.value, res.bound, "activation patterns",
                                 res.stats.to_json())
    except UndecidedError as exc:
        return OptimumSearch(None, None, None, f"undecided: {exc}")
    return OptimumSearch(None, None, None, "no global-optimality method for this network "
                                           "class (deep sparse/shared or deep ReLU)")


def _point_json(theta: Mapping[str, sympy.Expr]) -> dict:
    return {p: to_text(_simp(v)) for p, v in theta.items()}


def _convex_applies(net: Network, method: str) -> bool:
    return (method in ("auto", "convex") and net.activation == "relu" and net.depth == 2
            and not net.has_sharing)


def global_certificate(inst: Instance, method: str = "auto") -> tuple[dict | None, str, dict]:
    """``global`` certificate for ``inst.point``; a better point is attached if one exists.

    Depth-2 ReLU networks without sharing: the convex reformulation first (:mod:`.convex`:
    the ``arrangement`` dual at the point, or a better point from the conic program), then,
    for few samples, the enumeration of activation patterns. ``method``: ``auto``,
    ``convex`` (only the first), ``patterns`` (only the second: relaxation over every
    activation set, then enumeration), ``relaxation`` or ``enumerate``."""
    reason = ""
    if _convex_applies(inst.network, method):
        from .convex import global_certificate as convex_global

        try:
            cert, reason, stats = convex_global(inst)
        except UndecidedError as exc:
            cert, reason, stats = None, f"undecided: {exc}", {}
        if cert is not None or method == "convex":
            return cert, reason, stats
        if len(inst.X) > MAX_SAMPLES_ENUMERATION:
            return None, (f"convex reformulation: {reason}; enumerating activation patterns "
                          f"of {len(inst.X)} samples is beyond this search"), stats
    res = find_global(inst.network, inst.X, inst.Y, method)
    if res.bound is None:
        return None, res.reason, res.stats
    cert = inst.base_json()
    cert.update({"kind": "global", "bound": res.bound})
    try:
        if _sgn(res.value - inst.norm2) < 0:
            cert["better_point"] = _point_json(res.theta)
    except UndecidedError:
        pass
    return cert, res.reason, res.stats


def bracket_certificate(inst: Instance, method: str = "auto") -> tuple[dict | None, str, dict]:
    """``optimum-bracket`` for a depth-2 ReLU instance: rounded duals, rational feasible point."""
    net = inst.network
    if not (net.activation == "relu" and net.depth == 2 and not net.has_sharing):
        return None, "bracket mode is implemented for depth-2 ReLU networks without sharing", {}
    res = relu_optimum(net, inst.X, inst.Y, method, False)
    if res is None or res.theta is None:
        return None, "no feasible pattern / no certificate", res.stats.to_json() if res else {}
    cert = inst.base_json()
    cert.update({"kind": "optimum-bracket", "point": _point_json(res.theta),
                 "bound": res.bound})
    return cert, "rounded pattern duals and a rational feasible point", res.stats.to_json()


def optimum_value_certificate(inst: Instance, method: str = "auto"
                              ) -> tuple[dict | None, str, dict]:
    """``global-optimum-value``: θ* with its bound; ``inst.point`` as the reference point."""
    res = find_global(inst.network, inst.X, inst.Y, method)
    if res.bound is None:
        return None, res.reason, res.stats
    cert = inst.base_json()
    cert.update({"kind": "global-optimum-value", "point": _point_json(res.theta),
                 "reference_point": _point_json(inst.point), "bound": res.bound})
    return cert, res.reason, res.stats


# --------------------------------------------------------------------- local, per layer


def local_certificate(inst: Instance, method: str = "auto") -> tuple[dict | None, str]:
    """``local``: the fixed-pattern neuron-sum dual (depth 2, no sharing) or SOSC.

    The dual is the KKT multipliers: at a KKT point of a 2-homogeneous problem
    ``‖θ̃‖² = 2Σλ_i`` and, for each neuron with ``v_j != 0``, ``‖z_j(λ)‖ = 1``.
    """
    from .kkt import find_kkt

    net = inst.network
    res = find_kkt(inst)
    if res.certificate is None:
        return None, f"no KKT multipliers: {res.reason}"
    from .kernel.certificate import check_certificate

    lam = res.multipliers
    tries = []
    if method in ("auto", "fixed-pattern") and net.depth == 2 and not net.has_sharing:
        tries.append(({"type": "fixed-pattern", "alpha": _txts(lam)},
                      "fixed-pattern dual from the KKT multipliers"))
    if method in ("auto", "sosc"):
        tries.append(({"type": "sosc", "multipliers": _txts(lam)},
                      "second-order sufficient conditions"))
    if not tries:
        return None, f"method {method!r} does not apply"
    first = None
    for bound, why in tries:      # the first the kernel accepts, else the first one
        cert = inst.base_json()
        cert.update({"kind": "local", "bound": bound})
        first = first or (cert, why)
        if len(tries) > 1 and check_certificate(cert).ok:
            return cert, why
    if method == "auto" and _convex_applies(net, method) and not check_certificate(first[0]).ok:
        # a global optimum is a local one: the arrangement bound holds on the whole feasible
        # set (e.g. at points with idle neurons, where the fixed pattern does not apply)
        from .convex import global_certificate as convex_global

        try:
            g, _, _ = convex_global(inst)
        except UndecidedError:
            g = None
        if g is not None and "bound" in g and "better_point" not in g:
            cert = inst.base_json()
            cert.update({"kind": "local", "bound": g["bound"]})
            if check_certificate(cert).ok:
                return cert, "a global optimum (convex reformulation)"
    return first


def per_layer_certificate(inst: Instance, local: bool) -> tuple[dict | None, str]:
    """``per-layer-global``/``per-layer-local`` for ``inst.layer``: exact QP over u^(l)."""
    net = inst.network
    if inst.layer is None:
        raise InvalidArgument("per-layer certificates need an instance with a layer")
    free = net.layer_params(inst.layer)
    vecs = []
    for x in inst.X:
        pattern = None
        if net.activation == "relu":
            signs = net.signs(inst.point, x)
            pattern = tuple(tuple(1 if s > 0 else 0 for s in layer) for layer in signs)
        g = net.piece_gradient(inst.point, x, pattern)
        vecs.append([g[p] for p in free])
    res = exact_qp(vecs, inst.Y)
    if res is None:
        return None, f"the Problem 4 QP for layer {inst.layer} was not solved"
    cert = inst.base_json()
    cert.update({"kind": "per-layer-local" if local else "per-layer-global",
                 "bound": {"type": "qp", "alpha": _txts(res[0])}})
    return cert, "QP dual"


# ------------------------------------------------------------------------------ claims


def global_claim(theorem: str, label: str, inst: Instance, method: str = "auto",
                 **extra: Any) -> Claim:
    """"``inst.point`` is a global optimum of Problem 2" (refuted with a better point if not)."""
    def search():
        cert, reason, _ = global_certificate(inst, method)
        return cert, reason

    return Claim(theorem, "global", label, inst, search, extra)


def optimum_value_claim(theorem: str, label: str, inst: Instance, method: str = "auto",
                        **extra: Any) -> Claim:
    """"The optimal value of Problem 2 on this dataset is ‖θ*‖²" (computed, then certified)."""
    def search():
        cert, reason, _ = optimum_value_certificate(inst, method)
        return cert, reason

    return Claim(theorem, "global-optimum-value", label, inst, search, extra)


def local_claim(theorem: str, label: str, inst: Instance, method: str = "auto",
                **extra: Any) -> Claim:
    """"``inst.point`` is a local optimum of Problem 2"."""
    def search():
        return local_certificate(inst, method)

    return Claim(theorem, "local", label, inst, search, extra)


def per_layer_claims(theorem: str, label: str, inst: Instance, local: bool = False,
                     layers: Iterable[int] | None = None, **extra: Any) -> list[Claim]:
    """One ``per-layer-global`` (or ``-local``) claim per layer (default: every layer)."""
    out = []
    for l in (layers or range(1, inst.network.depth + 1)):
        li = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=l)

        def search(li=li):
            return per_layer_certificate(li, local)

        out.append(Claim(theorem, "per-layer-local" if local else "per-layer-global",
                         f"{label}, layer {l}", li, search, dict(extra, layer=l)))
    return out
