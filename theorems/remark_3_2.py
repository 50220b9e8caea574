"""Remark 3.2: the negative results survive small perturbations of the inputs.

Statement (our words). Perturb every input coordinate by at most ``r`` (the ``δ``'s below,
``|δ_k| <= r``). For each construction we recompute, as closed-form functions of ``δ``, the KKT
point, its multipliers and the certificate of the negative result, and the kernel proves (kind
``robust``) that for **every** ``δ`` in the box the point is a KKT point of Problem 2 and the
negative result holds: not a local optimum (3.2, 4.1, 5.1; one ε0 for the whole box), a local
but not a global optimum (4.3), or a layer that is a local but not a global optimum of its
Problem 4 (5.4). The paper names exactly these five: 3.2, 4.1, 4.3, 5.1 and 5.4.

Certified radii: 3.2: ``r = 1/10``; 4.1: ``r = 49/100`` (the exact supremum is 1/2); 4.3 and
5.4: ``r = 1/25``; 5.1: ``r = 1/2`` at every depth m = 3..8. At a larger radius the kernel finds
each certificate false somewhere in the box (tests show it): 3.2 at 1/4 (``x1``, ``x2`` can be
parallel), 4.1 at 1/2 (``x = (3/2, 3/2)``: no decrease), 5.1 at 1 (``x_1 = 0``), 4.3 and 5.4 at
1/20 (the samples' angle drops below 120 degrees at a corner, where merging the two neurons
beats splitting them).

* Theorem 3.2: ``x1 = (1 + δ1, 1/4 + δ2)``, ``x2 = (-1 + δ3, 1/4 + δ4)``. With ``M`` the matrix
  of rows ``x1, x2``, ``u = M^{-1}(1, 1)`` is the min-norm vector with ``<u, x_i> = 1``,
  ``u = λ1 x1 + λ2 x2`` with ``λ = (M Mᵀ)^{-1}(1, 1)`` and ``‖u‖² = λ1 + λ2 =: N``. The KKT
  point is ``w̃1 = u/ρ``, ``ṽ1 = ρ``, ``w̃2 = 0``, ``ṽ2 = 0`` with ``ρ = N^(1/4)`` (balanced),
  multipliers ``λ_i/ρ²``. Curve: ``w2' = √ε x2``, ``v2' = √ε`` (serves ``x2`` alone since
  ``<x1, x2> < 0``), ``w1' = w̃1 - ε (‖x2‖²/ρ) M^{-1}(0, 1)``, ``v1' = ρ``: both margins stay 1.
* Theorem 4.1 (linear and ReLU): ``x = (1 + δ1, 2 + δ2)``; ``w̃1 = w̃2 = (1/√x_1, 0)``,
  ``λ = 1/x_1``; curve ``w1' = w2' = (√(1-ε)/√x_1, √(ε/x_2))`` with norm change
  ``2ε (1/x_2 - 1/x_1) < 0`` iff ``x_2 > x_1``: the exact supremum radius is ``1/2``.
* Theorem 5.1, depth m = 3..8 (linear and ReLU): ``x = (1 + δ1, 1 + δ2)``; with
  ``a_k = x_k^(1/(m-2))`` every layer is ``w̃_j = (μ/a_1, μ/a_2)``, ``μ^m = 1/(a_1^-2 + a_2^-2)``,
  ``λ = μ^(2-m)``; curve ``w_j' = ((μ/a_1)(1 + ε s_2)^(1/m), (μ/a_2)(1 - ε s_1)^(1/m))``,
  ``s_k = a_{3-k}² / (a_1² + a_2²)``: the margin stays 1, the first-order change of the norm
  vanishes identically and the second-order change is negative (strict concavity of
  ``s^(2/m)``). At m = 3, ``a_k = x_k``.
* Theorems 4.3 and 5.4 (depth-2 ReLU, fully connected, two neurons): ``x1 = (1 + δ1, 1/2 + δ2)``,
  ``x2 = (-1 + δ3, 1/2 + δ4)``, labels +1. With ``u = M^{-1}(1, 1) = Σ μ_i x_i``,
  ``μ = (M Mᵀ)^{-1}(1, 1)``, ``N = μ_1 + μ_2 = ‖u‖²`` and ``ρ = (N/4)^(1/4)``, both neurons are
  ``w̃_j = u/(2ρ)``, ``ṽ_j = ρ``, multipliers ``μ/(2ρ²)``, every hidden input ``1/(2ρ) > 0``.
  4.3: local by the dual bound over θ̃'s (frozen) activation pattern with α = λ; not global by
  ``w_j = x_j/b_j³``, ``v_j = 1/b_j``, ``b_j = ‖x_j‖^(1/2)`` (each neuron serves one sample).
  5.4: every layer is a local optimum of its Problem 4 (the pattern is frozen, so Φ is linear
  in each layer near θ̃ and the KKT conditions are those of a convex program); layer 1 is not
  a global one: ``w_j = x_j/(ρ‖x_j‖²)`` with ``v`` fixed has a smaller layer norm.
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

from . import neg_4_3, thm_3_2, thm_4_1, thm_5_1

THEOREM = "R3.2"
TITLE = "Remark 3.2: robustness of the negative results to perturbed inputs"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""\emph{Robustness to small perturbations.} Theorem 3.2 holds even if the inputs $x_1, x_2$ are
slightly perturbed, so it is not sensitive to small changes in the dataset. Such robustness to
small perturbations holds also for the negative results in Theorems 4.1, 4.3, 5.1 and 5.4.

\emph{What is certified.} Perturb every input coordinate by $\delta_k$ with
$|\delta_k| \leq r$. The KKT point, its multipliers and the certificate of the negative result
are closed-form functions of $\delta$, and one certificate per construction (kind
\emph{robust}) proves that for \emph{every} $\delta$ in the box the point is a KKT point of
Problem 2 and the negative result holds: not a local optimum for Theorems 3.2, 4.1 and 5.1
(one $\varepsilon_0$ for the whole box), a local but not a global optimum for Theorem 4.3, a
first layer that is a local but not a global optimum of Problem 4 for Theorem 5.4. Certified
radii: $r = \tfrac{1}{10}$ for Theorem 3.2 ($x_1 = (1 + \delta_1, \tfrac14 + \delta_2)$,
$x_2 = (-1 + \delta_3, \tfrac14 + \delta_4)$), $r = \tfrac{49}{100}$ for Theorem 4.1 (the
exact supremum is $\tfrac12$), $r = \tfrac{1}{25}$ for Theorems 4.3 and 5.4
($x_1 = (1 + \delta_1, \tfrac12 + \delta_2)$, $x_2 = (-1 + \delta_3, \tfrac12 + \delta_4)$),
and $r = \tfrac12$ for Theorem 5.1 at every depth $3 \leq m \leq 8$.
"""

# The certified radius of each construction, and a larger one at which the kernel finds the
# certificate false somewhere in the box (tests/test_remarks.py): 3.2 at 1/4 (x1, x2 can be
# parallel), 4.1 at 1/2 (x = (3/2, 3/2): the norm no longer decreases; 1/2 is the exact
# supremum), 5.1 at 1 (x_1 = 0), 4.3 and 5.4 at 1/20 (at the corner x1 = (19/20, 11/20),
# x2 = (-19/20, 11/20) the angle between the samples is below 120 degrees, and merging the two
# neurons is then cheaper than splitting them: the better point is no longer better).
RADII = {"3.2": Rational(1, 10), "4.1": Rational(49, 100), "5.1": Rational(1, 2),
         "4.3": Rational(1, 25), "5.4": Rational(1, 25)}
TOO_LARGE = {"3.2": Rational(1, 4), "4.1": Rational(1, 2), "5.1": Rational(1, 1),
             "4.3": Rational(1, 20), "5.4": Rational(1, 20)}
EPS0 = {"3.2": Rational(1, 4), "4.1": Rational(1, 2), "5.1": Rational(1, 4)}
DEPTHS_5_1 = range(3, 9)   # Theorem 5.1: one certificate per depth m = 3..8


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
    """Theorem 5.1 at depth ``m >= 3``, inputs ``x = (1 + δ1, 1 + δ2)``.

    With ``a_k = x_k^(1/(m-2))`` (aux, ``a_k = x_k`` at m = 3) the balanced KKT point is
    ``w_j = (μ/a_1, μ/a_2)`` in every layer, ``μ^m = 1/(a_1^-2 + a_2^-2)`` (margin 1), with
    multiplier ``λ = μ^(2-m)``. Curve: ``w_j' = ((μ/a_1)(1 + ε s_2)^(1/m),
    (μ/a_2)(1 - ε s_1)^(1/m))`` with ``s_k = a_(3-k)² / (a_1² + a_2²)``: the margin stays 1
    (``β_k x_k = μ^m / a_k²``), the first-order norm change vanishes and the second-order one
    is negative (strict concavity of ``s^(2/m)``)."""
    if not 3 <= m <= 8:
        raise ValueError(f"m={m}: the robust certificate for Theorem 5.1 is written for "
                         f"3 <= m <= 8")
    d1, d2 = _d(2)
    mu = sympy.Symbol("mu", positive=True)
    x = [thm_5_1.X[0][0] + d1, thm_5_1.X[0][1] + d2]
    aux = []
    if m == 3:
        a = x
    else:
        a = [sympy.Symbol("a1", positive=True), sympy.Symbol("a2", positive=True)]
        aux = [{"name": "a1", "base": _T(x[0]), "root": m - 2},
               {"name": "a2", "base": _T(x[1]), "root": m - 2}]
    S = a[0] ** 2 + a[1] ** 2
    base = a[0] ** 2 * a[1] ** 2 / S          # μ^m = 1/(a_1^-2 + a_2^-2)
    s1, s2 = a[1] ** 2 / S, a[0] ** 2 / S
    c = [mu / a[0], mu / a[1]]
    cc = [c[0] * (1 + eps * s2) ** Rational(1, m), c[1] * (1 - eps * s1) ** Rational(1, m)]
    point = {f"w{l}_{k}": c[k - 1] for l in range(1, m + 1) for k in (1, 2)}
    curve = {f"w{l}_{k}": cc[k - 1] for l in range(1, m + 1) for k in (1, 2)}
    net = diagonal(2, m, activation)
    cert = {
        "symkkt_certificate": 1, "kind": "robust", "theorem": THEOREM,
        "network": net.to_json(), "problem": {"number": 2},
        "parameters": ["d1", "d2"], "radius": _T(radius),
        "aux": aux + [{"name": "mu", "base": _T(base), "root": m}],
        "data": {"x": [[_T(v) for v in x]], "y": list(thm_5_1.Y)},
        "point": {p: _T(v) for p, v in point.items()},
        "multipliers": [_T(mu ** (2 - m))],
        "curve": {"variable": "epsilon", "substitution_power": 1,
                  "point": {p: _T(v) for p, v in curve.items()}},
        "eps0": _T(eps0),
    }
    if activation == "relu":
        cert["subgradients"] = [[{"weight": "1", "pattern": [[1, 1]] * (m - 1),
                                  "witness": {}}]]
        cert["curve"]["patterns"] = [[[1, 1]] * (m - 1)]
    return cert


# ------------------------------------------------------- Theorems 4.3 and 5.4 (negative)


def _merged(radius: sympy.Rational):
    """Theorem 4.3's fully-connected construction with ``x1 = (1 + δ1, 1/2 + δ2)``,
    ``x2 = (-1 + δ3, 1/2 + δ4)``, labels +1: the perturbed KKT point with two identical
    neurons serving both samples, and the parts both certificates share.

    ``u = M^{-1}(1, 1)`` is the min-norm vector with ``<u, x_i> = 1``; ``u = Σ μ_i x_i`` with
    ``μ = (M Mᵀ)^{-1}(1, 1)``, ``‖u‖² = μ_1 + μ_2 =: N``. Balanced neurons ``w̃_j = u/(2ρ)``,
    ``ṽ_j = ρ`` with ``ρ = (N/4)^(1/4)`` give margins ``2ρ<u, x_i>/(2ρ) = 1``, multipliers
    ``λ = μ/(2ρ²)``, ``‖θ̃‖² = 4ρ² = 2√N``; every hidden input is ``1/(2ρ) > 0``."""
    d1, d2, d3, d4 = _d(4)
    rho = sympy.Symbol("rho", positive=True)
    x1 = [neg_4_3.FC_X[0][0] + d1, neg_4_3.FC_X[0][1] + d2]
    x2 = [neg_4_3.FC_X[1][0] + d3, neg_4_3.FC_X[1][1] + d4]
    M = sympy.Matrix([x1, x2])
    u = [sympy.factor(v) for v in M.inv() * sympy.Matrix([1, 1])]
    mu = [sympy.factor(v) for v in (M * M.T).inv() * sympy.Matrix([1, 1])]
    N = sympy.factor(mu[0] + mu[1])
    point = {"w1_1": u[0] / (2 * rho), "w1_2": u[1] / (2 * rho),
             "w2_1": u[0] / (2 * rho), "w2_2": u[1] / (2 * rho), "v1": rho, "v2": rho}
    X = [x1, x2]
    cert = {
        "symkkt_certificate": 1, "kind": "robust", "theorem": THEOREM,
        "network": neg_4_3.FC.to_json(), "problem": {"number": 2},
        "parameters": ["d1", "d2", "d3", "d4"], "radius": _T(radius),
        "aux": [{"name": "rho", "base": _T(N / 4), "root": 4}],
        "data": {"x": [[_T(v) for v in x] for x in X], "y": list(neg_4_3.FC_Y)},
        "point": {p: _T(v) for p, v in point.items()},
        "multipliers": [_T(l / (2 * rho ** 2)) for l in mu],
        "subgradients": [[{"weight": "1", "pattern": [[1, 1]], "witness": {}}] for _ in X],
    }
    return cert, X, rho


def cert_4_3(radius: sympy.Rational) -> dict:
    """KKT, local (the ``pattern`` bound with α = λ: each neuron's dual vector
    ``Σ λ_i x_i = u/(2ρ²)`` has norm ``√N/(2ρ²) = 1``) and not global: each neuron serves one
    sample, ``w_j = x_j/b_j³``, ``v_j = 1/b_j`` with ``b_j = ‖x_j‖^(1/2)`` (aux), feasible
    while ``<x1, x2> < 0`` (the other input is negative), of norm
    ``2/b_1² + 2/b_2² < 4ρ²``."""
    cert, X, rho = _merged(radius)
    b = [sympy.Symbol("b1", positive=True), sympy.Symbol("b2", positive=True)]
    for j, x in enumerate(X, start=1):
        cert["aux"].append({"name": f"b{j}", "base": _T(x[0] ** 2 + x[1] ** 2), "root": 4})
    better = {}
    for j, x in enumerate(X, start=1):
        better.update({f"w{j}_1": x[0] / b[j - 1] ** 3, f"w{j}_2": x[1] / b[j - 1] ** 3,
                       f"v{j}": 1 / b[j - 1]})
    cert["bound"] = {"type": "pattern", "alpha": list(cert["multipliers"])}
    cert["better_point"] = {"point": {p: _T(v) for p, v in better.items()}}
    return cert


def cert_5_4(radius: sympy.Rational) -> dict:
    """KKT, every layer a local optimum of its Problem 4 (``per_layer_local``: every hidden
    input is ``1/(2ρ) > 0``), and layer 1 not a global optimum of its Problem 4: with ``v``
    fixed at ``ρ``, ``w_j = x_j/(ρ‖x_j‖²)`` is feasible while ``<x1, x2> < 0``, of layer norm
    ``(1/‖x_1‖² + 1/‖x_2‖²)/ρ² < 2ρ² = ‖ũ^(1)‖²``."""
    cert, X, rho = _merged(radius)
    better = {"v1": rho, "v2": rho}
    for j, x in enumerate(X, start=1):
        n2 = x[0] ** 2 + x[1] ** 2
        better.update({f"w{j}_1": x[0] / (rho * n2), f"w{j}_2": x[1] / (rho * n2)})
    cert["per_layer_local"] = True
    cert["better_point"] = {"point": {p: _T(v) for p, v in better.items()}, "layer": 1}
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
    out.append(Claim(THEOREM, "robust", "4.3, relu, fully connected",
                     neg_4_3.instance("fully connected"),
                     lambda: (cert_4_3(RADII["4.3"]), "closed form in delta"), _extra("4.3")))
    for act in ("linear", "relu"):
        for m in DEPTHS_5_1:
            out.append(Claim(THEOREM, "robust", f"5.1, {act}, m={m}", thm_5_1.instance(act, m),
                             lambda act=act, m=m: (cert_5_1(act, RADII["5.1"], m),
                                                   "closed form in delta"),
                             _extra("5.1", m=m)))
    out.append(Claim(THEOREM, "robust", "5.4, relu, depth 2, layer 1",
                     neg_4_3.instance("fully connected"),
                     lambda: (cert_5_4(RADII["5.4"]), "closed form in delta"), _extra("5.4")))
    return out
