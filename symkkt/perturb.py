"""Perturbation certificates: "not a local optimum" with a proven ε0.

Given a KKT point θ̃ and a closed-form curve ``θ'(ε)``, this module (search side) picks the
activation pattern along the curve and the largest ``ε0`` from a ladder ``1, 1/2, 1/4, ...``
that the kernel can prove, and returns the certificate. The proof itself is the kernel's
(:func:`symkkt.kernel.exact.prove_nonnegative`): nothing here decides a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .errors import UndecidedError
from .kernel.certificate import EPSILON, Verdict, check_certificate
from .kernel.exact import sign
from .kernel.grammar import to_text
from .problems import Instance

__all__ = ["EPSILON", "CurveSearch", "curve_certificate", "find_eps0"]

LADDER = tuple(sympy.Rational(1, 2 ** i) for i in range(0, 31))


@dataclass(frozen=True)
class CurveSearch:
    certificate: dict | None
    verdict: Verdict | None
    reason: str


def _patterns(inst: Instance, curve: Mapping[str, sympy.Expr], probe: sympy.Rational):
    """Activation pattern of every sample at ``ε = probe`` (a zero input counts as active)."""
    net = inst.network
    pt = {p: curve[p].xreplace({EPSILON: probe}) for p in net.params}
    pats = []
    for x in inst.X:
        _, pre = net.forward(pt, x)
        pats.append([[1 if sign(z) >= 0 else 0 for z in layer] for layer in pre])
    return pats


def curve_certificate(inst: Instance, curve: Mapping[str, sympy.Expr], eps0: sympy.Rational,
                      k: int = 1, kind: str = "not-local") -> dict:
    """The certificate JSON for a curve (every parameter given, fixed ones may be omitted)."""
    full = {p: _as_expr(curve.get(p, inst.point[p])) for p in inst.network.params}
    cert = inst.base_json()
    body = {"variable": "epsilon", "substitution_power": k,
            "point": {p: to_text(v) for p, v in full.items()}}
    if inst.network.activation == "relu":
        body["patterns"] = _patterns(inst, full, eps0 / 2)
    cert.update({"kind": kind, "curve": body, "eps0": to_text(eps0)})
    return cert


def find_eps0(inst: Instance, curve: Mapping[str, sympy.Expr], k: int = 1,
              kind: str = "not-local", ladder=LADDER) -> CurveSearch:
    """The largest ε0 on ``ladder`` for which the kernel verifies the curve certificate."""
    last: Verdict | None = None
    undecided: str | None = None
    for eps0 in ladder:
        # A curve may leave the real domain (a radical of a negative number) or cross a
        # kink for larger epsilon: an undecidable enclosure at this eps0 is a reason to step
        # down the ladder, not to give up.
        try:
            cert = curve_certificate(inst, curve, eps0, k, kind)
        except UndecidedError as exc:
            undecided = f"pattern along the curve undecided at eps0 = {eps0}: {exc}"
            continue
        verdict = check_certificate(cert)
        if verdict.ok:
            return CurveSearch(cert, verdict, "verified")
        last = verdict
    if last is None:
        return CurveSearch(None, None, undecided or "no eps0 on the ladder verified")
    reason = last.reasons[0] if last.reasons else "no eps0 on the ladder verified"
    return CurveSearch(None, last, reason)
