"""Claims, their reports, and the runner that turns a search result into a kernel verdict.

A :class:`Claim` is what a theorem module declares: which statement (``kind``) about which
instance, and how to *search* for a certificate. :func:`run_claim` runs the search, hands the
certificate to the kernel and records the kernel's verdict, never the search's opinion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .kernel.certificate import Verdict, check_certificate
from .kernel.grammar import to_text
from .problems import Instance

__all__ = ["Claim", "ClaimReport", "Search", "run_claim", "STATUSES", "REPORT_KINDS",
           "kkt_claim", "curve_claim", "structural_claim", "convergence_claim"]

STATUSES = ("verified", "refuted", "unknown")
REPORT_KINDS = ("kkt", "not-local", "not-global", "local", "global", "per-layer-global",
                "per-layer-local", "per-layer-not-local", "per-layer-not-global",
                "no-decrease", "nonzero-inputs", "nonzero-weights", "convergence",
                "not-local-all-depths", "global-all-data", "per-layer-global-all-data")

Search = Callable[[], "tuple[dict | None, str]"]
"""Returns ``(certificate, reason)``; ``certificate is None`` when the search failed."""


@dataclass(frozen=True)
class Claim:
    """One statement of a theorem about one instance, with the search that backs it."""

    theorem: str
    kind: str
    label: str
    instance: Instance
    search: Search
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def claim_id(self) -> str:
        return f"{self.theorem}/{self.label}/{self.kind}"


@dataclass(frozen=True)
class ClaimReport:
    """The verdict on a claim: status from the kernel, exact values, timing."""

    claim: Claim
    status: str
    reasons: tuple[str, ...]
    values: Mapping[str, Any]
    seconds: float
    certificate: dict | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        c = self.claim
        net = c.instance.network
        out = {"theorem": c.theorem, "id": c.claim_id, "kind": c.kind, "label": c.label,
               "status": self.status, "activation": net.activation, "depth": net.depth,
               "values": dict(self.values), "reasons": list(self.reasons),
               "seconds": round(self.seconds, 4)}
        if c.instance.layer is not None:
            out["layer"] = c.instance.layer
        out.update({k: v for k, v in c.extra.items() if k not in out})
        out.setdefault("basis", claim_basis(c.kind))
        out.update(self.evidence)
        return out

    def _repr_latex_(self) -> str:
        """Typeset summary for notebooks (MathJax); see :mod:`symkkt.latex`."""
        from .latex.printer import notebook_latex

        return notebook_latex(self)


NEGATIVE_KINDS = ("not-local", "not-global", "per-layer-not-local", "per-layer-not-global",
                  "not-local-all-depths")


def claim_basis(kind: str) -> str:
    """What a claim of this report kind proves from (unless its ``extra`` says ``basis``):
    ``example`` for an existence statement (a negative result: one example is its proof),
    ``instance`` for a statement about this instance only (a positive theorem is then
    certified on instances, not for all data; the family claims say ``all-data``)."""
    return "example" if kind in NEGATIVE_KINDS else "instance"


SECONDS_PER_CLAIM = 300.0
"""Default wall-time budget of one claim, search and kernel together (``--timeout``)."""


def run_claim(claim: Claim, timeout: float | None = SECONDS_PER_CLAIM) -> ClaimReport:
    """Search, then let the kernel decide. A failed search is ``unknown``, never a verdict.

    Bounded: within ``timeout`` seconds of wall time (search and kernel together), else
    ``unknown``; running out of stack or memory is ``unknown`` too."""
    from .kernel.budget import OutOfTime, budget

    start = time.perf_counter()
    cert = None
    try:
        with budget(timeout):
            cert, reason = claim.search()
            if cert is None:
                verdict = Verdict("unknown", (f"no certificate: {reason}",))
            else:
                cert = dict(cert)
                cert.setdefault("theorem", claim.theorem)
                cert.setdefault("claim", claim.claim_id)
                verdict = check_certificate(cert, source=claim.claim_id)
    except OutOfTime as exc:
        verdict = Verdict("unknown", (f"time limit: the search and checks did not finish "
                                      f"({exc})",))
    except RecursionError:
        verdict = Verdict("unknown", ("ran out of stack (RecursionError): expressions nested "
                                      "too deeply",))
    except MemoryError:
        verdict = Verdict("unknown", ("ran out of memory (MemoryError)",))
    values = dict(verdict.values)
    if getattr(claim.instance, "reports_norm2", True):   # not for a model without a θ̃
        values.setdefault("norm2", to_text(claim.instance.norm2))
    return ClaimReport(claim, verdict.status, tuple(verdict.reasons), values,
                       time.perf_counter() - start, cert)


# ---------------------------------------------------------------- vocabulary for theorems


def kkt_claim(theorem: str, label: str, inst: Instance, **extra: Any) -> Claim:
    """"``inst.point`` is a KKT point of Problem 2 (or 4)": multipliers found by search."""
    from .kkt import find_kkt

    def search():
        res = find_kkt(inst)
        return res.certificate, res.reason

    return Claim(theorem, "kkt", label, inst, search, extra)


def curve_claim(theorem: str, label: str, inst: Instance, curve: Mapping[str, Any], k: int = 1,
                *, kind: str | None = None, no_decrease: bool = False, **extra: Any) -> Claim:
    """"Not a local optimum" (or, with ``no_decrease``, "this curve gives equal norm")."""
    from .perturb import find_eps0

    cert_kind = "equal-norm" if no_decrease else "not-local"
    if kind is None:
        kind = ("no-decrease" if no_decrease else
                "not-local" if inst.layer is None else "per-layer-not-local")

    def search():
        res = find_eps0(inst, curve, k, cert_kind)
        return res.certificate, res.reason

    return Claim(theorem, kind, label, inst, search, extra)


def structural_claim(theorem: str, label: str, inst: Instance, what: str,
                     from_layer: int = 1, **extra: Any) -> Claim:
    """Every hidden input is non-zero (``what='inputs'``) or every neuron has non-zero
    incoming weights (``what='weights'``), decided exactly at the point."""
    kind = {"inputs": "nonzero-inputs", "weights": "nonzero-weights"}[what]

    def search():
        cert = inst.base_json()
        cert["kind"] = kind
        if what == "inputs" and from_layer != 1:
            cert["from_layer"] = from_layer
        return cert, "constructed"

    return Claim(theorem, kind, label, inst, search, extra)


def convergence_claim(theorem: str, label: str, inst: Instance, init: Mapping[str, Any], *,
                      fixed: Sequence[str] = (), equal: Sequence[Sequence[str]] = (),
                      positive: Sequence[str] = (), losses: Sequence[str] = ("exp", "logistic"),
                      **extra: Any) -> Claim:
    """"Gradient flow from ``init`` converges in direction to ``inst.point``", proven by the
    invariant set (``fixed`` coordinates, ``equal`` groups, ``positive`` coordinates) on which
    the point is the only KKT point (kernel kind ``convergence``; Theorem 2.1 cited)."""
    from .problems import exact

    def search():
        cert = inst.base_json()
        cert.update({"kind": "convergence",
                     "init": {p: to_text(exact(init[p])) for p in inst.network.params},
                     "losses": list(losses),
                     "invariant": {"fixed": list(fixed), "equal": [list(g) for g in equal],
                                   "positive": list(positive)}})
        return cert, "constructed"

    return Claim(theorem, "convergence", label, inst, search, extra)
