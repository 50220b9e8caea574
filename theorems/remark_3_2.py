"""Remark 3.2: the negative results survive small perturbations of the inputs.

Statement (our words). Perturb every input coordinate by at most ``r`` (the ``δ``'s below,
``|δ_k| <= r``). For each construction we recompute, as closed-form functions of ``δ``, the KKT
point, its multipliers and the perturbation curve, and the kernel proves (kind ``robust``) that
for **every** ``δ`` in the box the point is a KKT point of Problem 2 and is not a local optimum
(one ε0 for the whole box). Certified radii: 3.2: ``r = 1/10``; 4.1: ``r = 49/100`` (the exact
supremum is 1/2); 5.1: ``r = 1/2``. Larger radii are refuted by the same kernel (tests show it):
3.2 at 1/4 (``x1``, ``x2`` can be parallel), 4.1 at 1/2 (``x = (3/2, 3/2)``: no decrease), 5.1 at
1 (``x_1 = 0``).

* Theorem 3.2: ``x1 = (1 + δ1, 1/4 + δ2)``, ``x2 = (-1 + δ3, 1/4 + δ4)``. With ``M`` the matrix
  of rows ``x1, x2``, ``u = M^{-1}(1, 1)`` is the min-norm vector with ``<u, x_i> = 1``,
  ``u = λ1 x1 + λ2 x2`` with ``λ = (M Mᵀ)^{-1}(1, 1)`` and ``‖u‖² = λ1 + λ2 =: N``. The KKT
  point is ``w̃1 = u/ρ``, ``ṽ1 = ρ``, ``w̃2 = 0``, ``ṽ2 = 0`` with ``ρ = N^(1/4)`` (balanced),
  multipliers ``λ_i/ρ²``. Curve: ``w2' = √ε x2``, ``v2' = √ε`` (serves ``x2`` alone since
  ``<x1, x2> < 0``), ``w1' = w̃1 - ε (‖x2‖²/ρ) M^{-1}(0, 1)``, ``v1' = ρ``: both margins stay 1.
* Theorem 4.1 (linear and ReLU): ``x = (1 + δ1, 2 + δ2)``; ``w̃1 = w̃2 = (1/√x_1, 0)``,
  ``λ = 1/x_1``; curve ``w1' = w2' = (√(1-ε)/√x_1, √(ε/x_2))`` with norm change
  ``2ε (1/x_2 - 1/x_1) < 0`` iff ``x_2 > x_1``: the exact supremum radius is ``1/2``.
* Theorem 5.1, m = 3 (linear and ReLU): ``x = (1 + δ1, 1 + δ2)``; ``Λ = 1/x_1² + 1/x_2²``,
  ``μ = Λ^(-1/3)``, every layer ``w̃_j = (μ/x_1, μ/x_2)``, ``λ = 1/μ``; curve
  ``w_j' = ((μ/x_1)(1 + ε s_2)^(1/3), (μ/x_2)(1 - ε s_1)^(1/3))``,
  ``s_k = x_{3-k}² / (x_1² + x_2²)``: the margin stays 1, the first-order change of the norm
  vanishes identically and the second-order change is negative (strict concavity of s^(2/3)).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import sympy
from sympy import Rational, sqrt

from symkkt.claims import Claim
from symkkt.kernel.grammar import to_text
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text
from symkkt.network import diagonal
from symkkt.perturb import EPSILON as eps

from . import thm_3_2, thm_4_1, thm_5_1

THEOREM = "R3.2"
TITLE = "Remark 3.2: robustness of the negative results to perturbed inputs"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""\emph{Robustness to small perturbations.} Theorem 3.2 holds even if the inputs $x_1, x_2$ are
slightly perturbed, so it is not sensitive to small changes in the dataset; the same holds for
the negative results of Theorems 4.1 and 5.1.

\emph{What is certified.} Perturb every input coordinate by $\delta_k$ with
$|\delta_k| \leq r$. The KKT point, its multipliers and the perturbation curve are closed-form
functions of $\delta$, and one certificate per construction (kind \emph{robust}) proves that
for \emph{every} $\delta$ in the box the point is a KKT point of Problem 2 that is not a local
optimum, with one $\varepsilon_0$ for the whole box. Certified radii: $r = \tfrac{1}{10}$ for
Theorem 3.2 ($x_1 = (1 + \delta_1, \tfrac14 + \delta_2)$,
$x_2 = (-1 + \delta_3, \tfrac14 + \delta_4)$), $r = \tfrac{49}{100}$ for Theorem 4.1 (the
exact supremum is $\tfrac12$), and $r = \tfrac12$ for Theorem 5.1 at $m = 3$.
"""

# The certified radius of each construction, and a larger one the kernel rejects (refuted:
# tests/test_remarks.py): 3.2 at 1/4 (x1, x2 can be parallel), 4.1 at 1/2 (x = (3/2, 3/2):
# the norm no longer decreases; 1/2 is the exact supremum), 5.1 at 1 (x_1 = 0).
RADII = {"3.2": Rational(1, 10), "4.1": Rational(49, 100), "5.1": Rational(1, 2)}
TOO_LARGE = {"3.2": Rational(1, 4), "4.1": Rational(1, 2), "5.1": Rational(1, 1)}
EPS0 = {"3.2": Rational(1, 4), "4.1": Rational(1, 2), "5.1": Rational(1, 4)}


def _T(e) -> str:
    return to_text(_as_expr(e))


def _d(n: int) -> list[sympy.Symbol]:
    return [sympy.Symbol(f"d{k}", real=True) for k in range(1, n + 1)]


# ------------------------------------------------------------------------ Theorem 3.2


def cert_3_2(radius: sympy.Rational, eps0: sympy.Rational = EPS0["3.2"]) -> dict:
    d1, d2, d3, d4 = _d(4)
    rho = sympy.Symbol("rho", positive=True)
    x1 = [thm_3_2.X[0][0] + d1, thm_3_2.X[0][1] + d2]
    x2 = [thm_3_2.X[1][0] + d3, thm_3_2.X[1][1] + d4]
    M = sympy.Matrix([x1, x2])
    Minv = M.inv()
    u = [sympy.factor(v) for v in Minv * sympy.Matrix([1, 1])]
    y = [sympy.factor(v) for v in Minv * sympy.Matrix([0, 1])]
    lam = [sympy.factor(v) for v in (M * M.T).inv() * sympy.Matrix([1, 1])]
    N = sympy.factor(lam[0] + lam[1])
    point = {"w1_1": u[0] / rho, "w1_2": u[1] / rho, "w2_1": 0, "w2_2": 0, "v1": rho, "v2": 0}
    n2 = x2[0] ** 2 + x2[1] ** 2
    curve = {"w1_1": u[0] / rho - eps * n2 * y[0] / rho,
             "w1_2": u[1] / rho - eps * n2 * y[1] / rho,
             "w2_1": sqrt(eps) * x2[0], "w2_2": sqrt(eps) * x2[1], "v1": rho,
             "v2": sqrt(eps)}
    X = [x1, x2]
    return {
        "symkkt_certificate": 1, "kind": "robust", "theorem": THEOREM,
        "network": thm_3_2.NETWORK.to_json(), "problem": {"number": 2},
        "parameters": ["d1", "d2", "d3", "d4"], "radius": _T(radius),
        "aux": [{"name": "rho", "base": _T(N), "root": 4}],
        "data": {"x": [[_T(v) for v in x] for x in X], "y": list(thm_3_2.Y)},
        "point": {p: _T(v) for p, v in point.items()},
        "multipliers": [_T(l / rho ** 2) for l in lam],
        "subgradients": [[{"weight": "1", "pattern": [[1, 0]],
                           "witness": {"w2_1": _T(-x[0]), "w2_2": _T(-x[1])}}] for x in X],
        "curve": {"variable": "epsilon", "substitution_power": 2,
                  "point": {p: _T(v) for p, v in curve.items()},
                  "patterns": [[[1, 0]], [[1, 1]]]},
        "eps0": _T(eps0),
    }


# ------------------------------------------------------------------------ Theorem 4.1


def cert_4_1(activation: str, radius: sympy.Rational,
             eps0: sympy.Rational = EPS0["4.1"]) -> dict:
    d1, d2 = _d(2)
    rho = sympy.Symbol("rho", positive=True)
    sig = sympy.Symbol("sig", positive=True)
    x = [thm_4_1.X[0][0] + d1, thm_4_1.X[0][1] + d2]
    point = {"w1_1": 1 / rho, "w1_2": 0, "w2_1": 1 / rho, "w2_2": 0}
    curve = {"w1_1": sqrt(1 - eps) / rho, "w1_2": sqrt(eps) / sig,
             "w2_1": sqrt(1 - eps) / rho, "w2_2": sqrt(eps) / sig}
    net = diagonal(2, 2, activation)
    cert = {
        "symkkt_certificate": 1, "kind": "robust", "theorem": THEOREM,
        "network": net.to_json(), "problem": {"number": 2},
        "parameters": ["d1", "d2"], "radius": _T(radius),
        "aux": [{"name": "rho", "base": _T(x[0]), "root": 2},
                {"name": "sig", "base": _T(x[1]), "root": 2}],
        "data": {"x": [[_T(v) for v in x]], "y": list(thm_4_1.Y)},
        "point": {p: _T(v) for p, v in point.items()},
        "multipliers": [_T(1 / x[0])],
        "curve": {"variable": "epsilon", "substitution_power": 2,
                  "point": {p: _T(v) for p, v in curve.items()}},
        "eps0": _T(eps0),
    }
    if activation == "relu":
        cert["subgradients"] = [[{"weight": "1", "pattern": [[1, 0]],
                                  "witness": {"w1_2": "-1"}}]]
        cert["curve"]["patterns"] = [[[1, 1]]]
    return cert


# ------------------------------------------------------------------------ Theorem 5.1


def cert_5_1(activation: str, radius: sympy.Rational, m: int = 3,
             eps0: sympy.Rational = EPS0["5.1"]) -> dict:
    d1, d2 = _d(2)
    mu = sympy.Symbol("mu", positive=True)
    x = [thm_5_1.X[0][0] + d1, thm_5_1.X[0][1] + d2]
    S = x[0] ** 2 + x[1] ** 2
    base = x[0] ** 2 * x[1] ** 2 / S          # 1/Λ, Λ = 1/x1² + 1/x2²
    s1, s2 = x[1] ** 2 / S, x[0] ** 2 / S
    # general m: w = (μ/x_k)^(2/m) ... kept to m = 3 here: μ^(m-2) = ... see docstring
    if m != 3:
        raise ValueError("the robust certificate for Theorem 5.1 is written for m = 3")
    c = [mu / x[0], mu / x[1]]
    cc = [c[0] * (1 + eps * s2) ** Rational(1, 3), c[1] * (1 - eps * s1) ** Rational(1, 3)]
    point = {f"w{l}_{k}": c[k - 1] for l in range(1, m + 1) for k in (1, 2)}
    curve = {f"w{l}_{k}": cc[k - 1] for l in range(1, m + 1) for k in (1, 2)}
    net = diagonal(2, m, activation)
    cert = {
        "symkkt_certificate": 1, "kind": "robust", "theorem": THEOREM,
        "network": net.to_json(), "problem": {"number": 2},
        "parameters": ["d1", "d2"], "radius": _T(radius),
        "aux": [{"name": "mu", "base": _T(base), "root": 3}],
        "data": {"x": [[_T(v) for v in x]], "y": list(thm_5_1.Y)},
        "point": {p: _T(v) for p, v in point.items()},
        "multipliers": [_T(1 / mu)],
        "curve": {"variable": "epsilon", "substitution_power": 1,
                  "point": {p: _T(v) for p, v in curve.items()}},
        "eps0": _T(eps0),
    }
    if activation == "relu":
        cert["subgradients"] = [[{"weight": "1", "pattern": [[1, 1]] * (m - 1),
                                  "witness": {}}]]
        cert["curve"]["patterns"] = [[[1, 1]] * (m - 1)]
    return cert


# ----------------------------------------------------------------------------- claims


def largest_radius(build: Callable[[sympy.Rational], dict], radii: Sequence[sympy.Rational]
                   ) -> tuple[dict | None, str]:
    """The certificate for the first radius (largest first) that the kernel verifies
    (exploration helper; the claims below use the fixed radii above)."""
    from symkkt.kernel import check_certificate

    tried = []
    for r in radii:
        cert = build(r)
        v = check_certificate(cert, source=f"R3.2 radius {r}")
        if v.ok:
            return cert, f"verified at r = {to_text(r)}" + (f"; {'; '.join(tried)}"
                                                            if tried else "")
        tried.append(f"r = {to_text(r)}: {v.status} ({'; '.join(v.reasons)[:200]})")
    return None, "no radius verified: " + " | ".join(tried)


def _extra(which: str, **more: Any) -> dict:
    return {"perturbed": which, "radius": to_text(RADII[which]),
            "rejected_radius": to_text(TOO_LARGE[which]), **more}


def claims():
    out: list[Claim] = [Claim(THEOREM, "robust", "3.2, relu", thm_3_2.instance(),
                              lambda: (cert_3_2(RADII["3.2"]), "closed form in delta"),
                              _extra("3.2"))]
    for act in ("linear", "relu"):
        out.append(Claim(THEOREM, "robust", f"4.1, {act}", thm_4_1.instance(act),
                         lambda act=act: (cert_4_1(act, RADII["4.1"]), "closed form in delta"),
                         _extra("4.1", sup_radius="1/2")))
    for act in ("linear", "relu"):
        out.append(Claim(THEOREM, "robust", f"5.1, {act}, m=3", thm_5_1.instance(act, 3),
                         lambda act=act: (cert_5_1(act, RADII["5.1"]), "closed form in delta"),
                         _extra("5.1", m=3)))
    return out
