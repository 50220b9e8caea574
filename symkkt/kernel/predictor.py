"""Predictor space (Problem 3): ℓ1 margin of the linear predictor of a linear network.

A linear network in N computes ``x -> <β, x>`` with ``β = W^(m) ··· W^(1)``; the kernel reads β
off the network itself (``β_k = Φ(θ; e_k)``, linear in x), never from the certificate.
Problem 3 is ``min ‖β‖₁ s.t. y_i <β, x_i> >= 1``. Two kinds:

``l1-better``  (β̃ is *not* optimal for Problem 3)
    field ``better_beta``: a list of ``d`` exact numbers. Checked: the network is linear,
    θ̃ is feasible for Problem 2 (so β̃ is feasible for Problem 3: ``y_i <β̃, x_i> =
    y_i Φ(θ̃; x_i) >= 1``), the better predictor is feasible (``y_i <β, x_i> >= 1``) and
    ``‖β‖₁ < ‖β̃‖₁``.
``l1-optimal`` (β̃ *is* optimal for Problem 3)
    field ``dual``: one ``μ_i`` per sample. Weak LP duality: if ``μ >= 0`` and
    ``|Σ_i μ_i y_i x_ik| <= 1`` for every coordinate k, every feasible β has
    ``‖β‖₁ >= <β, Σ μ_i y_i x_i> = Σ μ_i y_i <β, x_i> >= Σ μ_i``. Checked: those conditions,
    θ̃ feasible, and ``Σ μ_i = ‖β̃‖₁`` exactly.

Verdicts: ``verified`` when every check passes; ``refuted`` when a check provably fails (an
infeasible better predictor, one that is not shorter, a negative or too large dual, a dual
bound that differs from ‖β̃‖₁); ``unknown`` when a sign cannot be decided.
"""

from __future__ import annotations

from typing import Any

import sympy

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, feasibility, norm2,
                          register_checker, txt)

__all__ = ["predictor", "l1_norm"]

ZERO = sympy.Integer(0)


def predictor(net, theta) -> list[sympy.Expr]:
    """β of a linear network: ``β_k = Φ(θ; e_k)``."""
    d = net.input_dim
    out = []
    for k in range(d):
        e = [sympy.Integer(1) if j == k else ZERO for j in range(d)]
        out.append(sympy.expand(net.output(theta, e)))
    return out


def l1_norm(beta) -> sympy.Expr:
    total = ZERO
    for b in beta:
        s = decide(b)
        total += b if s > 0 else -b if s < 0 else ZERO
    return sympy.expand(total)


def _common(rd: Reader, cert: dict, kind: str):
    """Network, data, point. The schema allows these kinds only for linear networks (a ReLU
    network has no single predictor β) and Problem 2 (the whole network)."""
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    return net, X, Y, theta


def _numbers(rd: Reader, raw: list) -> list[sympy.Expr]:
    return [rd.number(v) for v in raw]


@register_checker("l1-better")
def _check_l1_better(rd: Reader, cert: dict) -> Verdict:
    net, X, Y, theta = _common(rd, cert, "l1-better")
    better = _numbers(rd, cert["better_beta"])   # d entries (schema)
    beta = predictor(net, theta)
    values: dict[str, Any] = {"norm2": txt(norm2(theta, net.params)),
                              "beta": [txt(b) for b in beta],
                              "better_beta": [txt(b) for b in better]}
    try:
        values["l1"] = txt(l1_norm(beta))
        values["better_l1"] = txt(l1_norm(better))
        feasibility(net, theta, X, Y, "the point (hence its predictor)", refutes=False)
        for i, (x, y) in enumerate(zip(X, Y)):
            m = sympy.expand(y * sum((b * xi for b, xi in zip(better, x)), ZERO))
            if decide(m - 1) < 0:
                raise Invalid(f"the better predictor is infeasible: constraint {i + 1} has "
                              f"y<beta, x> = {txt(m)} < 1")
        gap = sympy.expand(l1_norm(beta) - l1_norm(better))
        if decide(gap) <= 0:
            raise Invalid(f"the better predictor is not better: |beta|_1 = "
                          f"{values['better_l1']} >= {values['l1']}")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"a feasible predictor with |beta|_1 = {values['better_l1']} < "
                                f"{values['l1']} = |beta~|_1 exists: beta~ is not an optimum "
                                f"of Problem 3",), values)


@register_checker("l1-optimal")
def _check_l1_optimal(rd: Reader, cert: dict) -> Verdict:
    net, X, Y, theta = _common(rd, cert, "l1-optimal")
    mu = _numbers(rd, cert["dual"])   # one per sample (schema)
    beta = predictor(net, theta)
    values: dict[str, Any] = {"norm2": txt(norm2(theta, net.params)),
                              "beta": [txt(b) for b in beta],
                              "dual": [txt(m) for m in mu]}
    try:
        l1 = l1_norm(beta)
        values["l1"] = txt(l1)
        feasibility(net, theta, X, Y)
        for i, m in enumerate(mu):
            if decide(m) < 0:
                raise Invalid(f"dual variable {i + 1} is negative: {txt(m)}")
        for k in range(net.input_dim):
            z = sympy.expand(sum((m * y * x[k] for m, x, y in zip(mu, X, Y)), ZERO))
            if decide(1 - z) < 0 or decide(1 + z) < 0:
                raise Invalid(f"dual constraint fails at coordinate {k + 1}: "
                              f"|sum_i mu_i y_i x_ik| = |{txt(z)}| > 1")
        bound = sympy.expand(sum(mu, ZERO))
        values["lower_bound"] = txt(bound)
        s = decide(sympy.expand(bound - l1))
        if s < 0:
            raise Invalid(f"the dual bound {txt(bound)} is below |beta~|_1 = {txt(l1)}: the "
                          f"certificate does not prove optimality")
        if s > 0:
            raise Invalid(f"the dual bound {txt(bound)} exceeds |beta~|_1 = {txt(l1)} of a "
                          f"feasible predictor: the certificate is inconsistent")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"every feasible predictor has |beta|_1 >= {values['l1']} (LP "
                                f"dual), attained by beta~: an optimum of Problem 3",), values)
