"""``optimum-ratio``: how far a point is from the certified optimum, and what the point is.

A certificate of this kind bundles, about one network, dataset and point θ̃:

``optimum``   ``{"point": θ*, "bound": {...}}``: a global optimum θ* of Problem 2 with the lower
              bound of a ``global-optimum-value`` certificate (checked by that kind's checker,
              with θ̃ as its reference point).
``ratio2``    the claimed exact value of ``‖θ̃‖² / ‖θ*‖²``; checked as
              ``‖θ̃‖² - ratio2 · ‖θ*‖² = 0`` exactly, so a wrong ratio is refuted.
``verdict``   optional: the kind-specific fields of a ``not-local``, ``local`` or ``global``
              certificate about θ̃ (its ``network``, ``data``, ``point`` and ``problem`` are
              taken from this certificate, so it cannot be about something else). Its verdict
              must be ``verified``; the kind becomes the value ``verdict``.
``angle``     optional ``{"samples": [i, j], "alpha": a}`` (0-based sample indices, an exact
              angle ``0 <= a <= pi``): checked as ``<x_i, x_j> = ‖x_i‖ ‖x_j‖ cos a``; then
              ``alpha`` is reported with the values.

Verdict: ``verified`` iff the optimum is certified, θ̃ is feasible, the ratio is exact, the
angle (if any) is right and the nested verdict (if any) is verified. ``refuted`` if any of
these provably fails (including a nested certificate that is refuted); ``unknown`` otherwise.
"""

from __future__ import annotations

from typing import Any

import sympy

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, check_certificate, decide,
                          feasibility, norm2, register_checker, txt)
from .schema import RATIO_VERDICT_KINDS

__all__ = ["VERDICT_KINDS"]

VERDICT_KINDS = RATIO_VERDICT_KINDS
"""The kinds a nested ``verdict`` may have (declared in :mod:`.schema`)."""


def _zero(e: sympy.Expr) -> bool:
    """Exactly whether a closed-form constant is 0. ``decide`` first; if it cannot tell (sin
    and cos of rational multiples of π are not tried by its minimal-polynomial test), the
    minimal polynomial of ``e`` itself (sympy computes it for such values): ``e = 0`` iff
    it is ``x``; otherwise ``e != 0``."""
    try:
        return decide(e) == 0
    except Unknown:
        x = sympy.Dummy("x")
        try:
            poly = sympy.Poly(sympy.minimal_polynomial(e, x), x)
        except Exception:  # sympy raises several types here; any failure = undecided
            raise Unknown(f"cannot decide whether {txt(e)} is 0") from None
        return poly.as_expr() == x  # the minimal polynomial of 0 is x


def _nested(cert: dict, kind: str, body: dict, extra: dict | None = None) -> dict:
    out = {k: v for k, v in body.items() if k not in ("network", "data", "point", "problem",
                                                      "kind", "symkkt_certificate")}
    out.update({"symkkt_certificate": cert["symkkt_certificate"], "kind": kind,
                "network": cert["network"], "data": cert["data"], "point": cert["point"]})
    if "problem" in cert:
        out["problem"] = cert["problem"]
    out.update(extra or {})
    return out


@register_checker("optimum-ratio")
def _check_ratio(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])          # Problem 2 only (schema)
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    opt = cert["optimum"]
    opt_point_raw = opt["point"]
    opt_point = rd.point(opt_point_raw, net)
    bound = opt["bound"]
    ratio2 = rd.number(cert["ratio2"])
    verdict_raw = cert.get("verdict")
    vkind = None if verdict_raw is None else verdict_raw["kind"]   # one of VERDICT_KINDS
    angle_raw = cert.get("angle")
    n2 = norm2(theta, net.params)
    o2 = norm2(opt_point, net.params)
    values: dict[str, Any] = {"norm2": txt(n2), "optimum": txt(o2), "ratio2": txt(ratio2)}
    try:
        if angle_raw is not None:
            idx = angle_raw["samples"]   # two sample indices in 0..n-1 (schema)
            alpha = rd.number(angle_raw["alpha"])
            if decide(alpha) < 0 or decide(sympy.pi - alpha) < 0:
                raise Invalid(f"the angle {txt(alpha)} is not in [0, pi]")
            a, b = (X[i] for i in idx)
            dot = sympy.expand(sum((p * q for p, q in zip(a, b)), sympy.Integer(0)))
            na = sympy.sqrt(sympy.expand(sum((p * p for p in a), sympy.Integer(0))))
            nb = sympy.sqrt(sympy.expand(sum((q * q for q in b), sympy.Integer(0))))
            if not _zero(sympy.expand(dot - na * nb * sympy.cos(alpha))):
                raise Invalid(f"samples {idx[0] + 1} and {idx[1] + 1} are not at angle "
                              f"{txt(alpha)}")
            values["alpha"] = txt(alpha)
        inner = _nested(cert, "global-optimum-value", {"bound": bound},
                        {"point": opt_point_raw, "reference_point": cert["point"]})
        v = check_certificate(inner, source=f"{rd.source}:optimum")
        if v.status != "verified":
            exc = Invalid if v.status == "refuted" or v.invalid else Unknown
            raise exc(f"the optimum is not certified: {'; '.join(v.reasons)}")
        values["lower_bound"] = v.values.get("lower_bound")
        if values["lower_bound"]:   # proven equal to |theta*|^2; usually the simpler form
            values["optimum"] = values["lower_bound"]
        feasibility(net, theta, X, Y, refutes=False)
        if decide(o2) <= 0:
            raise Invalid(f"the optimal value {txt(o2)} is not positive")
        actual = sympy.radsimp(n2 / o2)
        if not _zero(sympy.expand(n2 - ratio2 * o2)):
            raise Refuted(f"wrong ratio: |theta|^2/|theta*|^2 = {txt(actual)}, not the "
                          f"claimed {txt(ratio2)}")
        if vkind is not None:
            nested = _nested(cert, vkind, verdict_raw)
            vv = check_certificate(nested, source=f"{rd.source}:verdict")
            if vv.status != "verified":
                exc = Invalid if vv.status == "refuted" or vv.invalid else Unknown
                raise exc(f"the {vkind} certificate is not verified: {'; '.join(vv.reasons)}")
            values["verdict"] = vkind
            for key in ("eps0", "leading_term"):
                if key in vv.values:
                    values[key] = vv.values[key]
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    reasons = [f"|theta|^2 / |theta*|^2 = {txt(ratio2)} with theta* a certified global optimum "
               f"(|theta*|^2 = {txt(o2)})"]
    if vkind is not None:
        reasons.append(f"the point is certified {vkind}")
    return Verdict("verified", tuple(reasons), values)
