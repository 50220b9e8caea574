"""Kernel checker for ``not-kkt`` certificates: the point is provably not a KKT point.

Two ways, both decided exactly:

* the point is **infeasible**: some constraint ``y_i Φ(θ; x_i) >= 1`` fails (no field needed);
* a **Farkas vector** ``z`` (field ``farkas``: parameter -> exact number, over the problem's
  free parameters) with ``<z, θ> < 0`` and ``<z, y_i g> >= 0`` for every active sample ``i``
  (``y_i Φ_i = 1``) and every gradient ``g`` of every smooth piece whose pattern agrees with the
  strict signs of the hidden pre-activations at θ (the pattern of a neuron whose input is
  exactly 0 ranges over both values).

Why the second is a proof. KKT needs ``θ = Σ_i λ_i y_i g_i`` with ``λ_i >= 0``, ``λ_i = 0`` off
the active set, and ``g_i`` in the Clarke subdifferential of ``Φ(·; x_i)`` (restricted to the
free parameters for Problem 4). Near θ every pre-activation that is non-zero at θ keeps its
sign, and at almost every nearby point Φ coincides with one of the piece polynomials above, so
the Clarke subdifferential is contained in the convex hull of those pieces' gradients at θ
(Clarke's gradient formula, ignoring the null set where some pre-activation vanishes without
vanishing identically). Then ``<z, θ> = Σ λ_i <z, y_i g_i> >= 0``, contradicting
``<z, θ> < 0``. The pattern set used is a superset of the adjacent pieces, which only makes
the check stronger.
"""

from __future__ import annotations

import itertools

import sympy

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, norm2, problem_layer,
                          register_checker, txt)

__all__ = ["MAX_ZERO_INPUTS"]

MAX_ZERO_INPUTS = 12
"""At most this many hidden inputs may be exactly 0 on one active sample (2^12 patterns)."""


@register_checker("not-kkt")
def _check_not_kkt(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    raw = cert.get("farkas")   # its keys are free parameters of the problem (schema)
    z = None
    if raw is not None:
        z = {p: rd.number(raw[p]) if p in raw else sympy.Integer(0)
             for p in free}
    values = {"norm2": txt(norm2(theta, net.params))}
    if layer is not None:
        values["layer_norm2"] = txt(norm2(theta, free))
    try:
        active = []
        for i, (x, y) in enumerate(zip(X, Y)):
            m = sympy.expand(y * net.output(theta, x))
            s = decide(m - 1)
            if s < 0:
                return Verdict("verified", (f"the point is infeasible: constraint {i + 1} has "
                                            f"y*Phi = {txt(m)} < 1, so it is not a KKT point",),
                               values)
            if s == 0:
                active.append(i)
        if z is None:
            raise Invalid("the point is feasible and the certificate gives no Farkas vector")
        zt = sympy.expand(sum((z[p] * theta[p] for p in free), sympy.Integer(0)))
        values["farkas_dot_point"] = txt(sympy.radsimp(zt))
        if decide(zt) >= 0:
            raise Invalid(f"<z, theta> = {txt(zt)} is not negative")
        pieces = 0
        for i in active:
            x = X[i]
            signs = net.signs(theta, x)
            zeros = [(l, j) for l, lay in enumerate(signs) for j, s in enumerate(lay) if s == 0]
            if net.activation == "linear":
                patterns = [net.all_active()]
            else:
                if len(zeros) > MAX_ZERO_INPUTS:
                    raise Unknown(f"sample {i + 1}: {len(zeros)} hidden inputs are exactly 0; "
                                  f"more than {MAX_ZERO_INPUTS} is beyond this checker")
                patterns = []
                for bits in itertools.product((0, 1), repeat=len(zeros)):
                    pat = [[1 if s > 0 else 0 for s in lay] for lay in signs]
                    for (l, j), b in zip(zeros, bits):
                        pat[l][j] = b
                    patterns.append(tuple(tuple(r) for r in pat))
            for pat in patterns:
                g = net.piece_gradient(theta, x, pat)
                v = sympy.expand(Y[i] * sum((z[p] * g[p] for p in free), sympy.Integer(0)))
                if decide(v) < 0:
                    raise Invalid(f"sample {i + 1}, pattern {[list(r) for r in pat]}: "
                                  f"<z, y*g> = {txt(v)} < 0")
                pieces += 1
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"no KKT multipliers exist: <z, theta> < 0 while <z, y_i g> >= 0 "
                                f"for all {pieces} piece gradient(s) of the {len(active)} active "
                                f"constraint(s) (a superset of the Clarke subdifferentials)",),
                   values)
