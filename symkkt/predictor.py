"""Search side of Problem 3 (ℓ1 margin in predictor space) for linear networks.

``min ‖β‖₁ s.t. y_i <β, x_i> >= 1`` is a linear program. A float LP (scipy's HiGHS) only guesses
the support of β and the active constraints; the values are then solved exactly (sympy), and
the kernel (:mod:`symkkt.kernel.predictor`) decides. For a KKT point of a depth-2 diagonal
linear network, the KKT multipliers themselves are the LP dual: at every coordinate with
``w1_k, w2_k != 0`` stationarity gives ``Σ λ_i y_i x_ik = sign(β_k)``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .claims import Claim
from .errors import UndecidedError
from .kernel.grammar import to_text
from .kernel.predictor import predictor
from .problems import Instance

__all__ = ["predictor", "l1_optimum", "l1_better_certificate", "l1_optimal_certificate",
           "l1_better_claim", "l1_optimal_claim"]

ZERO = sympy.Integer(0)


def _f(e) -> float:
    return float(sympy.N(e, 30))


def _solve(rows: list[list[sympy.Expr]], rhs: list[sympy.Expr], n: int) -> list | None:
    """One exact solution of ``rows · z = rhs`` (free unknowns set to 0), or None."""
    if not rows:
        return [ZERO] * n
    A = sympy.Matrix(rows)
    b = sympy.Matrix(rhs)
    try:
        sol, params = A.gauss_jordan_solve(b)
    except ValueError:
        return None
    if params.shape[0]:
        sol = sol.xreplace({p: 0 for p in params})
    return [sympy.radsimp(sympy.simplify(v)) for v in sol]


def l1_optimum(X: Sequence[Sequence[sympy.Expr]], Y: Sequence[int]
               ) -> tuple[list[sympy.Expr], list[sympy.Expr]] | None:
    """An exact ℓ1-optimal predictor β* and LP dual μ for the data, or None (search only)."""
    from scipy.optimize import linprog

    n, d = len(X), len(X[0])
    Xf = np.array([[_f(v) for v in x] for x in X])
    Yf = np.array(Y, dtype=float)
    # β = p - q, p, q >= 0: min Σ p + q  s.t.  -y_i x_i (p - q) <= -1
    A = -(Yf[:, None] * Xf)
    res = linprog(np.ones(2 * d), A_ub=np.hstack([A, -A]), b_ub=-np.ones(n),
                  bounds=[(0, None)] * (2 * d), method="highs")
    if res.status != 0:
        return None
    beta_f = res.x[:d] - res.x[d:]
    mu_f = -np.asarray(res.ineqlin.marginals)
    support = [k for k in range(d) if abs(beta_f[k]) > 1e-9]
    active = [i for i in range(n) if mu_f[i] > 1e-9 or abs(Yf[i] * Xf[i] @ beta_f - 1) < 1e-9]
    rows = [[Y[i] * X[i][k] for k in support] for i in active]
    sol = _solve(rows, [sympy.Integer(1)] * len(active), len(support))
    if sol is None:
        return None
    beta = [ZERO] * d
    for k, v in zip(support, sol):
        beta[k] = v
    # dual: Σ μ_i y_i x_ik = sign(β_k) on the support, μ_i = 0 off the active set
    rows = [[Y[i] * X[i][k] for i in active] for k in support]
    rhs = [sympy.Integer(1 if beta_f[k] > 0 else -1) for k in support]
    mu_a = _solve(rows, rhs, len(active))
    if mu_a is None:
        return None
    mu = [ZERO] * n
    for i, v in zip(active, mu_a):
        mu[i] = v
    return beta, mu


def l1_better_certificate(inst: Instance) -> tuple[dict | None, str]:
    """``l1-better``: an exact ℓ1-optimal predictor, if it beats the point's predictor."""
    res = l1_optimum(inst.X, inst.Y)
    if res is None:
        return None, "the l1 LP was not solved exactly"
    beta, _ = res
    try:
        cur = sum((abs(_f(b)) for b in predictor(inst.network, inst.point)), 0.0)
        if sum(abs(_f(b)) for b in beta) >= cur - 1e-12:
            return None, "the point's predictor already has the smallest l1 norm found"
    except UndecidedError as exc:
        return None, str(exc)
    cert = inst.base_json()
    cert.update({"kind": "l1-better", "better_beta": [to_text(b) for b in beta]})
    return cert, "l1 LP"


def l1_optimal_certificate(inst: Instance, dual: Sequence[sympy.Expr] | None = None
                           ) -> tuple[dict | None, str]:
    """``l1-optimal``: LP dual from the KKT multipliers (default) or from the LP."""
    if dual is None:
        from .kkt import find_kkt

        res = find_kkt(inst)
        if res.certificate is None:
            return None, f"no KKT multipliers: {res.reason}"
        dual = res.multipliers
        how = "the KKT multipliers as LP dual"
    else:
        how = "given LP dual"
    cert = inst.base_json()
    cert.update({"kind": "l1-optimal", "dual": [to_text(_as_expr(m)) for m in dual]})
    return cert, how


def l1_better_claim(theorem: str, label: str, inst: Instance, **extra: Any) -> Claim:
    """"The point's predictor is not an optimum of Problem 3": a better β, found by LP."""
    return Claim(theorem, "l1-better", label, inst, lambda: l1_better_certificate(inst), extra)


def l1_optimal_claim(theorem: str, label: str, inst: Instance,
                     dual: Sequence[sympy.Expr] | None = None, **extra: Any) -> Claim:
    """"The point's predictor is an optimum of Problem 3": exact LP dual."""
    return Claim(theorem, "l1-optimal", label, inst,
                 lambda: l1_optimal_certificate(inst, dual), extra)
