"""Search side of ``diagonal-family`` certificates: one claim for every depth ``m >= m_min``.

A balanced diagonal network is described by the *products* ``c_k`` (every layer is
``(c_1^(1/m), ..., c_n^(1/m))``) and a curve by products ``u_k(ε)``; see
:mod:`symkkt.kernel.family` for the lemma and the proof the kernel checks. This module only
writes the certificate and picks ``eps0`` (the largest value on a ladder ``1, 1/2, 1/4, ...``
the kernel verifies); it decides nothing.

The claim carries a representative :class:`~symkkt.problems.Instance`, the depth-``m_min``
network at the balanced point (used for display and as a fallback ``norm2``), and
``extra["depths"] = "m >= m_min"``.
"""

from __future__ import annotations

from typing import Any, Sequence

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .claims import Claim
from .errors import InvalidArgument
from .kernel.certificate import Verdict, check_certificate
from .kernel.family import KIND
from .kernel.grammar import to_text
from .network import diagonal
from .perturb import LADDER
from .problems import Instance, exact

__all__ = ["family_certificate", "find_family_eps0", "family_claim", "balanced_instance",
           "REPORT_KIND"]

REPORT_KIND = "not-local-all-depths"
"""The report kind of a family claim: not a local optimum (and KKT) for every depth."""


def balanced_instance(activation: str, x: Sequence, y: int, products: Sequence,
                      depth: int) -> Instance:
    """The depth-``depth`` diagonal network at the balanced point with these products."""
    cs = [exact(c) for c in products]
    point = {f"w{l}_{k}": c ** sympy.Rational(1, depth)
             for l in range(1, depth + 1) for k, c in enumerate(cs, start=1)}
    return Instance.make(diagonal(len(cs), depth, activation), [x], [y], point)


def family_certificate(activation: str, x: Sequence, y: int, products: Sequence,
                       curve: Sequence | None, eps0: Any = None, *, depth_min: int = 3,
                       k: int = 1, rule: str = "balanced") -> dict:
    """The ``diagonal-family`` certificate (JSON data, every number in the grammar)."""
    if len(x) != len(products) or (curve is not None and len(curve) != len(products)):
        raise InvalidArgument(f"x, products and curve must have the same length "
                              f"({len(x)}, {len(products)}, "
                              f"{None if curve is None else len(curve)})")
    cert: dict[str, Any] = {
        "symkkt_certificate": 1, "kind": KIND, "activation": activation,
        "width": len(products), "depth_min": depth_min,
        "data": {"x": [[to_text(exact(v)) for v in x]], "y": [int(y)]},
        "point": [to_text(exact(c)) for c in products],
        "multiplier_rule": rule,
    }
    if curve is not None:
        body: dict[str, Any] = {"variable": "epsilon",
                                "products": [to_text(_as_expr(u)) for u in curve]}
        if k != 1:
            body["substitution_power"] = k
        cert["curve"] = body
        cert["eps0"] = to_text(exact(eps0))
    return cert


def find_family_eps0(activation: str, x: Sequence, y: int, products: Sequence,
                     curve: Sequence, *, depth_min: int = 3, k: int = 1,
                     rule: str = "balanced", ladder=LADDER
                     ) -> tuple[dict | None, Verdict | None, str]:
    """The certificate with the largest ``eps0`` on ``ladder`` the kernel verifies."""
    last: Verdict | None = None
    for eps0 in ladder:
        cert = family_certificate(activation, x, y, products, curve, eps0,
                                  depth_min=depth_min, k=k, rule=rule)
        verdict = check_certificate(cert)
        if verdict.ok:
            return cert, verdict, "verified"
        last = verdict
    reason = last.reasons[0] if last and last.reasons else "no eps0 on the ladder verified"
    return None, last, reason


def family_claim(theorem: str, label: str, activation: str, x: Sequence, y: int,
                 products: Sequence, curve: Sequence, *, depth_min: int = 3, k: int = 1,
                 kind: str = REPORT_KIND, **extra: Any) -> Claim:
    """"For every depth ``m >= depth_min`` the balanced point is a KKT point and not a local
    optimum", certified once for all m by the kernel kind ``diagonal-family``."""
    inst = balanced_instance(activation, x, y, products, depth_min)
    extra = {"depths": f"m >= {depth_min}", **extra}

    def search():
        cert, _, reason = find_family_eps0(activation, x, y, products, curve,
                                           depth_min=depth_min, k=k)
        return cert, reason

    return Claim(theorem, kind, label, inst, search, extra)
