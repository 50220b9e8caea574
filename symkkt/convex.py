"""Global optima of depth-2 ReLU networks by the convex reformulation (search).

With balanced neurons, Problem 2 for a depth-2 ReLU network without sharing is
``min Σ_j ‖u_j‖`` over neurons ``u_j = |v_j| w_j`` with signs ``s_j`` (Pilanci and Ergen,
"Neural networks are convex regularizers", ICML 2020): a neuron in the closure of a region R of
the samples' hyperplane arrangement computes a *linear* function there. Allowing one neuron per
(region, sign) gives a convex second-order cone program whose value is a lower bound on
``½‖θ‖²`` for a network of any width, and equals the optimum as soon as the network has as
many neurons (per support) as the program uses. The regions number at most
``2 Σ_{r<d} C(n-1, r)`` (:mod:`.arrangement`), so this replaces the enumeration of activation
patterns (``C(options, width)`` convex problems) by one conic program.

Steps: the regions with exact interior points; the SOCP in floats (Clarabel, an interior-point
conic solver; search only); its structure (active samples, used regions, tight cone
constraints) solved exactly with :func:`.optimum.solve_group`; then exact dual multipliers μ for
every (region, sign) so that the kernel's ``arrangement`` bound
(:func:`symkkt.kernel.optimum._bound_arrangement`) recomputes ``2Σα`` and checks it. Nothing
here is trusted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import sympy

from .arrangement import Cell, regions
from .errors import UndecidedError
from .network import Network
from .kernel.optimum import relevant_neurons, support_groups
from .optimum import (FloatSolution, GroupProblem, Option, PatternStats, ReluOptimum, _ReluSetup,
                      _exact_nnls, _f, _option_vectors, _point_json, _sgn, _simp, _txts,
                      solve_group)
from .problems import Instance

__all__ = ["convex_optimum", "conic_solve", "prepare", "dual_bound", "alpha_at_point",
           "global_certificate"]

ZERO = sympy.Integer(0)


def conic_solve(prob: GroupProblem) -> FloatSolution | None:
    """``min Σ_g ‖u_g‖`` s.t. margins >= 1 and cone constraints, by Clarabel (floats).

    Returns the primal radii ``r_g = ‖u_g‖`` and the dual ``α`` (margin rows), ``μ`` (cone
    rows), ``z_g = Σ α_i y_i F_gi + Σ μ_gk C_gk``; None unless Clarabel reports ``Solved``.
    """
    import clarabel
    import scipy.sparse as sp

    n, G = prob.n, len(prob.dims)
    mats, layout, nv_dual = prob.float_mats()
    offs = np.cumsum([0] + [d + 1 for d in prob.dims])      # u_g then t_g per group
    nv = int(offs[-1])
    rows, cols, vals, b = [], [], [], []
    r = 0
    for i in range(n):                                       # -y_i Σ <u_g, F_gi> + s = -1
        for g in range(G):
            M = mats[g]
            for c in range(prob.dims[g]):
                v = M[c, i]
                if v != 0.0:
                    rows.append(r); cols.append(int(offs[g]) + c); vals.append(-v)
        b.append(-1.0)
        r += 1
    cone_rows: list[tuple[int, int]] = []
    for g in range(G):                                       # -<u_g, C_gk> + s = 0
        for k, col in layout[g].items():
            M = mats[g]
            for c in range(prob.dims[g]):
                v = M[c, col]
                if v != 0.0:
                    rows.append(r); cols.append(int(offs[g]) + c); vals.append(-v)
            b.append(0.0)
            cone_rows.append((g, k))
            r += 1
    n_lin = r
    for g in range(G):                                       # (t_g, u_g) in the SOC
        d = prob.dims[g]
        rows.append(r); cols.append(int(offs[g]) + d); vals.append(-1.0)
        b.append(0.0)
        r += 1
        for c in range(d):
            rows.append(r); cols.append(int(offs[g]) + c); vals.append(-1.0)
            b.append(0.0)
            r += 1
    A = sp.csc_matrix((vals, (rows, cols)), shape=(r, nv))
    P = sp.csc_matrix((nv, nv))
    q = np.zeros(nv)
    for g in range(G):
        q[int(offs[g]) + prob.dims[g]] = 1.0
    cones = [clarabel.NonnegativeConeT(n_lin)] + [clarabel.SecondOrderConeT(d + 1)
                                                  for d in prob.dims]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = 1e-11
    settings.tol_feas = 1e-11
    sol = clarabel.DefaultSolver(P, q, A, np.array(b), cones, settings).solve()
    if str(sol.status) not in ("Solved", "SolverStatus.Solved", "AlmostSolved",
                               "SolverStatus.AlmostSolved"):
        return None
    x, z = np.array(sol.x), np.array(sol.z)
    alpha = np.clip(z[:n], 0, None)
    mu: list[dict[int, float]] = [dict() for _ in range(G)]
    for (g, k), v in zip(cone_rows, z[n:n_lin]):
        mu[g][k] = max(float(v), 0.0)
    dual = np.concatenate([alpha, np.zeros(nv_dual - n)])
    for g in range(G):
        for k, col in layout[g].items():
            dual[col] = mu[g][k]
    zs = [M @ dual for M in mats]
    radii = np.array([float(np.linalg.norm(x[int(offs[g]):int(offs[g]) + prob.dims[g]]))
                      for g in range(G)])
    sparse = _basic_radii(prob, zs, radii)
    if sparse is not None:
        radii = sparse
    return FloatSolution(float(alpha.sum()), alpha, mu, radii, zs)


def _basic_radii(prob: GroupProblem, zs: list[np.ndarray], radii: np.ndarray
                 ) -> np.ndarray | None:
    """A *vertex* among the optimal primal solutions (at most n groups used).

    An interior-point method returns the analytic centre of the optimal face: with ties it
    spreads the solution over every tight group, more neurons than needed. With the dual
    fixed, an optimal primal puts ``u_g = r_g z_g`` on tight groups (``‖z_g‖ = 1``); the radii
    solve an LP (``min Σ r_g`` s.t. the margins), whose simplex solution is basic.
    """
    from scipy.optimize import linprog

    n = prob.n
    tight = [g for g, z in enumerate(zs) if np.linalg.norm(z) > 1 - 1e-6 and all(
        float(z @ np.array([float(c) for c in vec])) >= -1e-7 * (1 + np.linalg.norm(z))
        for vec in prob.C[g].values())]
    if not tight:
        return None
    F = [[np.array([float(v) for v in prob.F[g][i]]) for i in range(n)] for g in tight]
    A = np.array([[-prob.Y[i] * float(zs[g] @ F[q][i]) for q, g in enumerate(tight)]
                  for i in range(n)])
    cost = np.ones(len(tight))
    if prob.prefer is not None:
        cost += 1e-7 * np.array([prob.prefer[g] for g in tight])
    lp = linprog(cost, A_ub=A, b_ub=-np.ones(n), bounds=[(0, None)] * len(tight),
                 method="highs-ds")
    if lp.status != 0:
        return None
    out = np.zeros(len(zs))
    out[tight] = lp.x
    return out


@dataclass
class _Prepared:
    """Regions, the option universe, the conic program over the useful options and its
    float solution (None if Clarabel did not solve it)."""

    setup: _ReluSetup
    cells: list[list[Cell]]
    chosen: list[tuple[int, Option]]
    prob: GroupProblem
    fl: FloatSolution | None
    seconds: float

    def used(self) -> dict[int, int]:
        """Options with a non-zero radius, counted per support group."""
        out: dict[int, int] = {}
        if self.fl is None:
            return out
        scale = max(1.0, float(self.fl.r.max()) if len(self.fl.r) else 1.0)
        for q, (g, _) in enumerate(self.chosen):
            if self.fl.r[q] > 1e-6 * scale:
                out[g] = out.get(g, 0) + 1
        return out

    def fits(self) -> bool:
        """The network has enough neurons of each support for the float solution."""
        return all(c <= len(self.setup.groups[g][1]) for g, c in self.used().items())


def prepare(net: Network, X, Y, seconds: float | None = None) -> _Prepared:
    """Regions (exact interior points) and the float conic program (search)."""
    t0 = time.perf_counter()
    groups = support_groups(net)
    cells_per_group: list[list[Cell]] = []
    universe: list[list[Option]] = []
    for support, _ in groups:
        xs = [[x[k] for k in support] for x in X]
        cells = regions(xs, seconds=seconds)
        cells_per_group.append(cells)
        universe.append([(c.active, s) for c in cells for s in (1, -1)])
    setup = _ReluSetup(net, X, Y, universe=universe)
    chosen = [(g, o) for g in range(len(setup.groups)) for o in setup.useful(g)]
    prob = setup.problem(chosen)
    fl = conic_solve(prob)
    return _Prepared(setup, cells_per_group, chosen, prob, fl, time.perf_counter() - t0)


def _region_mu(setup: _ReluSetup, g: int, A, s: int, alpha, alpha_f) -> list[sympy.Expr] | None:
    """Exact μ for one (region, sign), cheapest first.

    No sample the region serves (``s y_i α_i <= 0`` on A): μ_i = α_i on A cancels every term,
    ``z = 0``. Clearly inside the unit ball (float norm below 1 - 1e-7): the NNLS μ rounded to
    rationals (the kernel re-checks; rounding moves z by about 1e-12). Near 1: the exact
    minimum of the NNLS on its support (:func:`.optimum._exact_nnls`)."""
    n = setup.n
    support = setup.groups[g][0]
    live = [i for i in range(n) if A[i] and alpha_f[i] > 0 and any(
        setup.X[i][k] != 0 for k in support)]
    if all(s * setup.Y[i] < 0 for i in live):
        return [alpha[i] if (A[i] and i in live) else ZERO for i in range(n)]
    mu_f, norm_f = setup.float_nnls(g, (A, s), alpha_f)
    if norm_f < 1 - 1e-7:
        return [sympy.Rational(round(float(v) * 10 ** 12), 10 ** 12) if v > 1e-14 else ZERO
                for v in mu_f]
    _, cols = _option_vectors(support, A, s, setup.X)
    mu, z2 = _exact_nnls(setup.b_vector(g, (A, s), alpha), cols, n, True)
    try:
        return mu if _sgn(1 - z2) >= 0 else None
    except UndecidedError:
        return None


def dual_bound(prep: _Prepared, alpha: Sequence[sympy.Expr]) -> dict | None:
    """The kernel's ``arrangement`` bound for ``alpha``: exact μ for every (region, sign),
    or None if some region's dual check fails (``alpha`` is not dual feasible)."""
    alpha = list(alpha)
    alpha_f = np.array([_f(a) for a in alpha])
    cells_json = []
    for g, cells in enumerate(prep.cells):
        lst = []
        for cell in cells:
            mus = []
            for s in (1, -1):
                mu = _region_mu(prep.setup, g, cell.active, s, alpha, alpha_f)
                if mu is None:
                    return None
                mus.append(_txts(mu))
            lst.append({"active": list(cell.active), "point": _txts(cell.point), "mu": mus})
        cells_json.append(lst)
    return {"type": "arrangement", "alpha": _txts(alpha),
            "groups": [list(s) for s, _ in prep.setup.groups], "cells": cells_json}


def convex_optimum(net: Network, X: tuple, Y: tuple, seconds: float | None = None
                   ) -> ReluOptimum | None:
    """The certified global optimum of a depth-2 ReLU network without sharing, or None.

    None when the conic program needs more neurons of some support than the network has (its
    value is then only a lower bound), when the exact structure is not found (an optimum of
    high algebraic degree), or when the program is infeasible.
    """
    prep = prepare(net, X, Y, seconds)
    stats = PatternStats(options=[len(U) for U in prep.setup.universe], method="convex",
                         solved=1, seconds_search=prep.seconds)
    if prep.fl is None or not prep.fits():
        return None
    t1 = time.perf_counter()
    sol = solve_group(prep.prob, prep.fl)
    if sol is None:
        return None
    bound = dual_bound(prep, sol.alpha)
    if bound is None:
        return None
    try:
        theta = prep.setup.theta_from(prep.chosen, sol)
    except UndecidedError:
        return None
    stats.seconds_exact = time.perf_counter() - t1
    stats.cases = 1
    return ReluOptimum(_simp(2 * sol.value), theta, bound, stats)


def alpha_at_point(prep: _Prepared, theta: Mapping[str, sympy.Expr]) -> list[sympy.Expr] | None:
    """Exact dual α making the given point stationary for the conic program, or None.

    At an optimal θ̃ each neuron ``u_j = |v_j| w_j`` is a primal block and stationarity reads
    ``Σ_{i active, <w_j,x_i> > 0} s_j α_i y_i x_i + Σ_{k: <w_j,x_k> = 0} β_jk x_k = w_j/‖w_j‖``
    (the β of samples on the neuron's hyperplanes absorb the cone multipliers), a *linear*
    system in (α, β) over the point's number field: no polynomial solving. Free parameters
    are chosen so that α is near the float dual (rounded to rationals: any value solves the
    system exactly). The kernel checks the result; nothing here is trusted.
    """
    setup = prep.setup
    net, X, Y, n = setup.net, setup.X, setup.Y, setup.n
    margins = [_simp(Y[i] * net.output(theta, x)) for i, x in enumerate(X)]
    try:
        if any(_sgn(m - 1) < 0 for m in margins):
            return None
        active = [i for i in range(n) if _sgn(margins[i] - 1) == 0]
    except UndecidedError:
        return None
    unknowns = {("a", i): sympy.Symbol(f"a{i}") for i in active}
    eqs: list[sympy.Expr] = []
    for j, support, names, v in relevant_neurons(net):
        w = [theta[p] for p in names]
        try:
            if _sgn(theta[v]) == 0 or all(_sgn(c) == 0 for c in w):
                continue
            s = _sgn(theta[v])
        except UndecidedError:
            return None
        norm = _simp(sympy.sqrt(sum((c * c for c in w), ZERO)))
        e = [_simp(c / norm) for c in w]
        lhs = [ZERO] * len(support)
        for k in range(n):
            xk = [X[k][c] for c in support]
            p = _sgn(_simp(sum((a * b for a, b in zip(w, xk)), ZERO)))
            if p > 0 and k in active:
                coef = s * Y[k] * unknowns[("a", k)]
            elif p == 0:
                coef = unknowns.setdefault(("b", j, k), sympy.Symbol(f"b{j}_{k}"))
            else:
                continue
            lhs = [l + coef * c for l, c in zip(lhs, xk)]
        eqs += [sympy.expand(l - ec) for l, ec in zip(lhs, e)]
    syms = list(unknowns.values())
    if not syms:
        return None
    M, rhs = sympy.linear_eq_to_matrix(eqs, syms)
    try:
        sol, params = M.gauss_jordan_solve(rhs)
    except ValueError:
        return None
    if params.shape[0]:
        sol = sol.xreplace(_free_values(sol, list(params), syms, unknowns, prep))
    alpha = [ZERO] * n
    for (kind, *rest), sym in unknowns.items():
        if kind == "a":
            alpha[rest[0]] = _simp(sol[syms.index(sym)])
    try:
        if any(_sgn(a) < 0 for a in alpha):
            return None
    except UndecidedError:
        return None
    return alpha


def _free_values(sol, params, syms, unknowns, prep: _Prepared) -> dict:
    """Rational values of the free parameters putting α nearest the float dual (else 0)."""
    zero = {t: ZERO for t in params}
    if prep.fl is None:
        return zero
    rows, target = [], []
    for (kind, *rest), sym in unknowns.items():
        if kind != "a":
            continue
        e = sol[syms.index(sym)]
        try:
            rows.append([_f(e.diff(t)) for t in params])
            target.append(float(prep.fl.alpha[rest[0]]) - _f(e.xreplace(zero)))
        except (TypeError, ValueError):
            return zero
    if not rows:
        return zero
    tau, *_ = np.linalg.lstsq(np.array(rows), np.array(target), rcond=None)
    return {t: sympy.Rational(round(float(v) * 10 ** 9), 10 ** 9) for t, v in zip(params, tau)}


def global_certificate(inst: Instance, seconds: float | None = None
                       ) -> tuple[dict | None, str, dict]:
    """``global`` for ``inst.point`` by the convex reformulation: the arrangement bound at the
    point's own dual (verified when the point is optimal) or a strictly better feasible point
    (refuted). ``(None, reason, stats)`` when neither is found."""
    net = inst.network
    prep = prepare(net, inst.X, inst.Y, seconds)
    stats = {"method": "convex", "regions": [len(c) for c in prep.cells],
             "seconds_search": round(prep.seconds, 3)}
    if prep.fl is None:
        return None, "the conic program was not solved (infeasible data?)", stats
    value_f = 2 * prep.fl.value
    n2 = inst.norm2
    cert = inst.base_json()
    cert["kind"] = "global"
    if _f(n2) > value_f * (1 + 1e-7) + 1e-12:
        if not prep.fits():
            return None, (f"the point is not optimal for the convex program (|theta|^2 = "
                          f"{_f(n2):.6g} > {value_f:.6g}) but its optimum needs more neurons "
                          f"than the network has"), stats
        opt = None
        try:
            sol = solve_group(prep.prob, prep.fl)
            if sol is not None:
                opt = (prep.setup.theta_from(prep.chosen, sol), sol)
        except UndecidedError:
            opt = None
        if opt is not None:
            bound = dual_bound(prep, opt[1].alpha)
            if bound is not None:
                cert["bound"] = bound
            cert["better_point"] = _point_json(opt[0])
            return cert, "a better point: the convex program's optimum", stats
        try:
            better = prep.setup.rational_point(prep.chosen, prep.fl)
        except UndecidedError as exc:
            return None, f"no better point: {exc}", stats
        cert["better_point"] = _point_json(better)
        return cert, "a better point: a rational point near the convex program's optimum", stats
    alpha = alpha_at_point(prep, inst.point)
    if alpha is None:
        return None, "no dual for the point (not stationary for the convex program)", stats
    bound = dual_bound(prep, alpha)
    if bound is None:
        return None, "the point's dual violates the dual constraint of some region", stats
    cert["bound"] = bound
    try:
        if _sgn(2 * sum(alpha, ZERO) - n2) != 0:
            return None, "the point's dual bound differs from |theta|^2", stats
    except UndecidedError as exc:
        return None, f"undecided: {exc}", stats
    return cert, "the convex reformulation's dual at the point", stats
