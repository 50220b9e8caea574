"""Family kinds for linear networks: Theorems 5.2, 4.2(1) and 3.1 (depth 2) for *all* data.

The instance kinds (``kkt``, ``global``, ``per-layer-global``) check one network, one dataset
and one point. The two kinds here check a *lemma's hypotheses* once, symbolically, and the
lemma (stated below, proved in this docstring) then gives the conclusion for every dataset
``{(x_i, y_i)}`` (any number of samples, any values) and every KKT point. No data and no point
appear in these certificates: the kernel works with symbols for the inputs and, per neuron,
for the stationarity combination ``s = Σ_i λ_i y_i x_i``.

``linear-per-layer-family`` (Theorem 5.2)
=========================================

**Lemma A.** Let Φ(θ; x) be a network of class N whose every monomial, as a polynomial in the
parameters and the inputs, has degree exactly 1 in the parameters of layer l (a parameter
shared *inside* the layer counts once per occurrence in a monomial; a monomial with two
occurrences would have degree 2), and whose layer-l parameters occur in no other layer. Then
for every dataset and every KKT point θ̃ of Problem 2 with multipliers λ, ``ũ^(l)`` is a KKT
point, with the *same* multipliers λ, of Problem 4 for layer l, hence its global optimum.

*Proof.* Write ``Φ(θ; x) = Σ_{p ∈ layer l} p · G_p(θ_{-l}; x)`` (degree exactly 1 in the
layer's parameters, none of which occurs in ``G_p``). With the other layers fixed at θ̃,
Problem 4 is ``min ½‖u‖² s.t. y_i Σ_p u_p G_p(θ̃_{-l}; x_i) >= 1``: linear constraints and a
strictly convex objective, so its KKT conditions are sufficient for global optimality (no
constraint qualification is needed for sufficiency). At ``u = ũ^(l)`` the constraint values
are Problem 2's at θ̃, so feasibility, ``λ_i >= 0`` and complementary slackness carry over;
Φ is a polynomial, so its Clarke subdifferential is its gradient, and Problem 2's stationarity
in the coordinate p is ``ũ_p = Σ_i λ_i y_i ∂Φ_i/∂p = Σ_i λ_i y_i G_p(θ̃_{-l}; x_i)``, which is
Problem 4's stationarity in the coordinate p (``∂/∂p`` of a shared parameter sums its
occurrences in both problems alike). ∎

**What the kernel checks** on the certificate's ``shape`` (for each claimed layer):

1. the activation is linear (a ReLU Φ is not a polynomial: Problem 4 is not convex in
   general, Theorem 5.3; the certificate is *invalid*, the statement not refuted);
2. no parameter name occurs in two layers (the schema refuses such a shape already: class N
   forbids it; the kernel checks it again on the raw layers);
3. Φ(θ; ξ), computed by the kernel from the raw layers with a symbol per parameter and per
   input coordinate ξ_j (exact expansion, :class:`sympy.Poly`), has in every monomial degree
   exactly 1 in the claimed layer's parameters (the hypothesis of Lemma A) and degree 1 in ξ;
   Φ ≡ 0 (a shape whose output is identically 0) is reported: Problem 2 is then infeasible for
   every dataset and the statement holds vacuously;
4. ``multiplier_rule`` is exactly ``lam`` (μ_i = λ_i, the rule of the proof); any other rule
   is invalid: Problem 4's stationarity with μ ≠ λ fails for some dataset.

``depth2-linear-family`` (Theorem 4.2(1); Theorem 3.1 at depth 2)
=================================================================

A depth-2 linear network in N_no-share is ``Φ(θ; x) = Σ_j v_j <w_j, x|S_j>``: hidden neuron j
has incoming weights w_j on its support ``S_j`` (|S_j| = r_j) and output weight v_j, every
parameter in one place. Put ``u_j = v_j w_j`` and ``s_j = Σ_i λ_i y_i x_i|S_j``.

**Lemma B.** (i) At every KKT point of Problem 2, each neuron satisfies ``‖w_j‖² = v_j²``,
and if ``v_j != 0`` then ``‖s_j‖ = 1`` and ``u_j = v_j² s_j``, so ``u_j / ‖u_j‖ = s_j``;
if ``w_j != 0`` then ``v_j != 0``. (ii) Hence ``‖θ̃‖² = 2 Σ_j ‖ũ_j‖``, and if every neuron
has ``w_j != 0`` (``zero_neurons: excluded``), or if all supports are equal (``common``,
zero neurons allowed: some neuron is non-zero because θ̃ is feasible, and every ``s_j`` is the
same vector of norm 1), then ``ũ`` with the *same* multipliers λ is a KKT point of the convex
neuron-sum problem ``min Σ_j ‖u_j‖ s.t. y_i Σ_j <u_j, x_i|S_j> >= 1`` (affine constraints;
``s_j ∈ ∂‖u_j‖``: equal to ``u_j/‖u_j‖`` when ``u_j != 0``, of norm <= 1 when ``u_j = 0``),
hence its global optimum. (iii) Every feasible θ has ``‖θ‖² = Σ_j (‖w_j‖² + v_j²) >=
2 Σ_j |v_j| ‖w_j‖ = 2 Σ_j ‖u_j‖`` (AM-GM: ``a² + b² - 2ab = (a - b)²``) and ``(u_j)`` is
feasible for the neuron-sum problem, so ``‖θ‖² >= 2 Σ_j ‖ũ_j‖ = ‖θ̃‖²``: θ̃ is a global
optimum of Problem 2. (iv) For ``β = Σ_j u_j`` (each ``u_j`` placed on its support), whose
constraints are those of Problem 3 (``l1``) or the SVM (``l2``): with singleton supports
``Σ_j |u_j| >= ‖β‖_1`` and with the common support ``[d]`` ``Σ_j ‖u_j‖ >= ‖β‖_2`` (triangle
inequality), and every β is reached (every input coordinate is some neuron's support: the
classes below say so), so the neuron-sum optimum equals the optimum of Problem 3, resp. the
SVM, and ``β̃`` attains it: ``β̃`` solves Problem 3, resp. the SVM.

*Proof of (i).* Stationarity of Problem 2 in w_j and v_j reads ``E_t := w_{j,t} - v_j s_{j,t}
= 0`` and ``F := v_j - <w_j, s_j> = 0`` (Φ is linear in the data, so
``Σ_i λ_i y_i ∇Φ(θ; x_i) = ∇Φ(θ; Σ_i λ_i y_i x_i)``). The polynomial identities

* balance:    ``‖w‖² - v² = Σ_t w_t E_t - v F``,
* unit:       ``v (1 - ‖s‖²) = F + Σ_t s_t E_t``,
* direction:  ``v w_t - v² s_t = v E_t`` for every t,
* non-zero:   ``w_t = v s_t + E_t`` (so ``v = 0`` forces ``w = 0``)

give (i). ∎

**What the kernel checks**, for each support size r in ``support_sizes``: it builds the
neuron block ``φ = v Σ_{t<=r} w_t ξ_t`` with symbols, checks that ∂φ/∂w_t and ∂φ/∂v are
linear in ξ (so that the sum over samples is the block at ``ξ = s``), derives ``E_t`` and ``F``
from these derivatives, and proves the four identities above by exact expansion (the
cofactors are the lemma's). Then the combination of fields: ``singletons`` needs
``support_sizes = [1]`` (an input error otherwise; for ``common`` each size is an input
dimension d covered);
``zero_neurons: allowed`` needs ``common`` (else *invalid*: a zero neuron needs
``‖s_j‖ <= 1``, which the KKT conditions do not give; Theorem 4.1's diagonal network is a
counterexample to the unrestricted statement); ``predictor: l1`` needs ``singletons`` and
``l2`` needs ``common`` (else invalid); ``multiplier_rule`` must be exactly ``lam``.

The lemma covers *every width* (any number of neurons of the checked support sizes) and every
dataset; the per-neuron identities do not depend on the width. The classes: ``singletons``: every hidden neuron sees exactly one input coordinate, and
every coordinate is seen (for ``predictor`` only; global optimality holds without it);
``common``: every hidden neuron sees all d inputs; ``any``: no-share supports of the listed
sizes. ``supports: singletons`` is every depth-2 diagonal network (Theorem 4.2(1), and Remark 4.1: β̃ solves Problem 3);
``common`` with sizes D and ``zero_neurons: allowed`` is every depth-2 fully-connected linear
network on R^d, d in D, (Theorem 3.1 at depth 2: every KKT point is a global optimum, and its predictor
solves the SVM). Theorem 3.1 at depth m >= 3 is *not* covered: the paper's proof uses the
alignment of the GF limit (Ji and Telgarsky), not a property of every KKT point.
"""

from __future__ import annotations

from typing import Any

import sympy

from .certificate import Invalid, Reader, Unknown, Verdict, failed_verdict, register_checker, \
    Failed, txt
from .schema import LAM

__all__ = ["KIND_LAYER", "KIND_DEPTH2", "layer_facts", "block_identities", "MAX_MONOMIALS"]

KIND_LAYER = "linear-per-layer-family"
KIND_DEPTH2 = "depth2-linear-family"
MAX_MONOMIALS = 20_000
"""A shape whose Φ has more paths (monomials) than this is ``unknown`` (too large)."""


def _raw_layers(shape: dict) -> list[list[list[str | None]]]:
    return [[[None if e in ("0", 0) else e for e in row] for row in layer]
            for layer in shape["layers"]]


def _paths(layers) -> int:
    """The number of input-to-output paths through non-zero entries (an upper bound on the
    number of monomials of Φ)."""
    count = [1] * len(layers[0][0])
    for layer in layers:
        count = [sum(count[j] for j, e in enumerate(row) if e is not None) for row in layer]
    return sum(count)


def layer_facts(layers, claimed) -> tuple[list[str], dict[str, Any]]:
    """Check Lemma A's hypotheses on raw layers (entries ``None`` or names).

    Returns ``(defects, values)``: ``defects`` is empty exactly when the hypotheses hold for
    every claimed layer (1-based). Works on raw layers, without :class:`~.net.NetSpec`, so a
    shape that shares a parameter across layers is reported here too."""
    defects: list[str] = []
    where: dict[str, set[int]] = {}
    for l, layer in enumerate(layers, start=1):
        for row in layer:
            for e in row:
                if e is not None:
                    where.setdefault(e, set()).add(l)
    for name, ls in where.items():
        if len(ls) > 1:
            defects.append(f"parameter {name!r} occurs in layers {sorted(ls)}: the layer's "
                           f"stationarity is not Problem 2's in that coordinate")
    if _paths(layers) > MAX_MONOMIALS:
        raise Unknown(f"Phi has more than {MAX_MONOMIALS} monomials: too large to expand")
    syms = {name: sympy.Symbol(f"p_{name}", real=True) for name in where}
    xi = [sympy.Symbol(f"xi_{j + 1}", real=True) for j in range(len(layers[0][0]))]
    h: list[sympy.Expr] = list(xi)
    for layer in layers:
        h = [sympy.expand(sympy.Add(*[syms[e] * h[j] for j, e in enumerate(row)
                                      if e is not None])) for row in layer]
    phi = sympy.expand(sympy.Add(*h))
    values: dict[str, Any] = {}
    if phi == 0:
        values["phi"] = "0"
        return defects, values
    gens = list(syms.values()) + xi
    poly = sympy.Poly(phi, *gens)
    npar = len(syms)
    index = {name: i for i, name in enumerate(syms)}
    values["monomials"] = len(poly.monoms())
    for mono in poly.monoms():
        dx = sum(mono[npar:])
        if dx != 1:
            defects.append(f"a monomial of Phi has degree {dx} in the input (not linear in x)")
            break
    for l in claimed:
        names = {e for row in layers[l - 1] for e in row if e is not None}
        for mono in poly.monoms():
            d = sum(mono[index[n]] for n in names)
            if d != 1:
                term = sympy.Mul(*[g ** k for g, k in zip(gens, mono)])
                defects.append(f"layer {l}: the monomial {txt(term)} of Phi has degree {d} in "
                               f"the layer's parameters (Lemma A needs exactly 1)")
                break
    if len(str(phi)) <= 400:
        values["phi"] = txt(phi)
    return defects, values


def _rule_defect(rd: Reader, cert: dict) -> str | None:
    rule = rd.number(cert["multiplier_rule"], {"lam": LAM})
    diff = sympy.expand(rule - LAM)
    if diff == 0:
        return None
    return (f"multiplier_rule {txt(rule)} is not lam: the proof's multipliers are Problem 2's "
            f"(mu_i = lambda_i); with mu = {txt(rule)} stationarity fails for some dataset")


@register_checker(KIND_LAYER)
def _check_layer_family(rd: Reader, cert: dict) -> Verdict:
    shape = cert["shape"]
    layers = _raw_layers(shape)
    m = len(layers)
    claimed = sorted(cert.get("layers") or range(1, m + 1))
    values: dict[str, Any] = {"depth": m, "layers": claimed, "samples": "every dataset"}
    try:
        if shape["activation"] != "linear":
            raise Invalid("the shape is ReLU: Phi is not a polynomial in the layer's "
                          "parameters, so Problem 4 need not be convex and Lemma A does not "
                          "apply (Theorem 5.3: for ReLU a layer may fail to be even a local "
                          "optimum)")
        defects, more = layer_facts(layers, claimed)
        values.update(more)
        if defects:
            raise Invalid("; ".join(defects))
        why = _rule_defect(rd, cert)
        if why:
            raise Invalid(why)
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    reasons = []
    if values.get("phi") == "0":
        reasons.append("Phi is identically 0 for this shape: Problem 2 is infeasible for every "
                       "dataset, so the statement holds vacuously")
    else:
        reasons.append(f"Phi (symbolic inputs, {values['monomials']} monomials) has degree "
                       f"exactly 1 in the parameters of each of the layers {claimed} and in the "
                       f"input; no parameter occurs in two layers")
    reasons.append("Lemma A: for every dataset and every KKT point of Problem 2 with "
                   "multipliers lambda, each claimed layer is a KKT point of the convex "
                   "Problem 4 (linear constraints) with the same multipliers, hence its global "
                   "optimum")
    return Verdict("verified", tuple(reasons), values)


# ------------------------------------------------------------------------ depth2-linear-family


def block_identities(r: int) -> list[str]:
    """Prove Lemma B(i)'s identities for a neuron of support size ``r``; the defects (empty
    when every identity holds)."""
    v = sympy.Symbol("v", real=True)
    w = [sympy.Symbol(f"w_{t}", real=True) for t in range(1, r + 1)]
    xi = [sympy.Symbol(f"xi_{t}", real=True) for t in range(1, r + 1)]
    s = [sympy.Symbol(f"s_{t}", real=True) for t in range(1, r + 1)]
    phi = v * sympy.Add(*[wt * xt for wt, xt in zip(w, xi)])
    grads = [sympy.diff(phi, wt) for wt in w] + [sympy.diff(phi, v)]
    defects = []
    for g in grads:
        coeffs = [sympy.diff(g, x) for x in xi]
        if any(c.has(*xi) for c in coeffs) or \
                sympy.expand(g - sympy.Add(*[c * x for c, x in zip(coeffs, xi)])) != 0:
            defects.append(f"r = {r}: a derivative of the neuron's output is not linear in x")
    at_s = dict(zip(xi, s))
    E = [sympy.expand(wt - gt.xreplace(at_s)) for wt, gt in zip(w, grads[:-1])]
    F = sympy.expand(v - grads[-1].xreplace(at_s))
    nw2 = sympy.Add(*[wt ** 2 for wt in w])
    ns2 = sympy.Add(*[st ** 2 for st in s])
    checks = [("balance |w|^2 - v^2 = sum_t w_t E_t - v F",
               nw2 - v ** 2 - (sympy.Add(*[wt * et for wt, et in zip(w, E)]) - v * F)),
              ("unit v(1 - |s|^2) = F + sum_t s_t E_t",
               v * (1 - ns2) - (F + sympy.Add(*[st * et for st, et in zip(s, E)])))]
    for t in range(r):
        checks.append((f"direction v w_{t + 1} - v^2 s_{t + 1} = v E_{t + 1}",
                       v * w[t] - v ** 2 * s[t] - v * E[t]))
        checks.append((f"non-zero w_{t + 1} = v s_{t + 1} + E_{t + 1}",
                       w[t] - v * s[t] - E[t]))
    for label, expr in checks:
        if sympy.expand(expr) != 0:
            defects.append(f"r = {r}: the identity {label} fails")
    return defects


@register_checker(KIND_DEPTH2)
def _check_depth2_family(rd: Reader, cert: dict) -> Verdict:
    supports = cert["supports"]
    sizes = sorted(cert["support_sizes"])
    zero = cert["zero_neurons"]
    predictor = cert.get("predictor")
    if supports == "singletons" and sizes != [1]:
        raise rd.fail("$.support_sizes", f"supports 'singletons' means support_sizes [1], "
                                         f"not {sizes}")
    values: dict[str, Any] = {"support_sizes": sizes, "width": "every width",
                              "samples": "every dataset", "depth": 2}
    try:
        defects = [d for r in sizes for d in block_identities(r)]
        if defects:
            raise Invalid("; ".join(defects))
        if zero == "allowed" and supports != "common":
            raise Invalid("zero_neurons 'allowed' needs a common support: at a zero neuron the "
                          "neuron-sum problem needs |s_j| <= 1, which the KKT conditions of "
                          "Problem 2 do not give when supports differ (Theorem 4.1: a depth-2 "
                          "diagonal network has a KKT point with a zero neuron that is not a "
                          "local optimum)")
        if predictor == "l1" and supports != "singletons":
            raise Invalid("predictor 'l1' needs singleton supports (then sum_j |u_j| >= "
                          "|beta|_1); with larger supports the neuron-sum norm is not the l1 "
                          "norm")
        if predictor == "l2" and supports != "common":
            raise Invalid("predictor 'l2' needs a common support (then sum_j |u_j| >= "
                          "|beta|_2); with different supports the neuron-sum norm is not the "
                          "l2 norm")
        why = _rule_defect(rd, cert)
        if why:
            raise Invalid(why)
    except Failed as exc:
        return failed_verdict(exc, values)
    values["identity"] = "|theta~|^2 = 2*sum_j |v_j|*|w_j| = 2*sum_j |u_j|"
    reasons = [f"per neuron of support size r in {sizes}: stationarity gives |w_j| = |v_j|, "
               f"|s_j| = 1 and u_j = v_j^2 s_j when v_j != 0, and w_j = v_j s_j (exact "
               f"polynomial identities)"]
    if zero == "excluded":
        reasons.append("every incoming weight vector is non-zero (hypothesis), so every v_j "
                       "!= 0 and s_j = u_j/|u_j|")
    else:
        reasons.append("common support: every s_j is the same s, of norm 1 at the non-zero "
                       "neuron that feasibility gives, so s in the subdifferential of |u_j| "
                       "at u_j = 0 too")
    reasons.append("Lemma B: u~ is a KKT point (same multipliers) of the convex neuron-sum "
                   "problem, |theta~|^2 = 2 sum_j |u~_j| <= |theta|^2 for every feasible "
                   "theta (AM-GM): a global optimum of Problem 2, for every width and dataset")
    if predictor:
        values["predictor"] = predictor
        reasons.append({"l1": "beta~ solves Problem 3 (min |beta|_1): sum_j |u_j| >= |beta|_1",
                        "l2": "beta~ solves the SVM (min |beta|_2): sum_j |u_j| >= |beta|_2"}
                       [predictor])
    return Verdict("verified", tuple(reasons), values)
