"""The bundled theorems' claims and their certificates, run once per process (lazily).

The properties draw claims by index and only run (search + kernel) the ones they need;
reports are cached, so pytest and ``symkkt fuzz`` pay for each claim at most once.
"""

from __future__ import annotations

import threading
from typing import Iterable

from ..claims import Claim, ClaimReport, run_claim

__all__ = ["claims", "report", "module_errors", "CURVE_CLAIM_KINDS", "SOUNDNESS_CLAIM_KINDS"]

CURVE_CLAIM_KINDS = ("not-local", "per-layer-not-local", "no-decrease")
SOUNDNESS_CLAIM_KINDS = ("kkt", "not-local", "per-layer-not-local", "no-decrease",
                         "nonzero-inputs", "nonzero-weights", "not-global",
                         "per-layer-not-global")

_lock = threading.Lock()
_claims: list[Claim] | None = None
_reports: dict[str, ClaimReport] = {}
_errors: dict[str, str] = {}


def module_errors() -> dict[str, str]:
    """Result id -> error, for theorem modules whose ``claims()`` raised."""
    claims()
    return dict(_errors)


def claims(kinds: Iterable[str] | None = None, subset: bool = False) -> list[Claim]:
    """Every claim of the bundled results (``theorems``), optionally of the given kinds.

    ``subset``: only the first claim of each (result, kind), e.g. Theorem 5.1's ``m = 3``
    and not ``m = 4..8`` (the ``ci`` profile uses it to stay fast).
    """
    global _claims
    with _lock:
        if _claims is None:
            import theorems

            found: list[Claim] = []
            for rid in theorems.ids():
                try:
                    found.extend(theorems.load(rid).claims())
                except Exception as exc:  # one broken module must not hide the others
                    _errors[rid] = f"{type(exc).__name__}: {exc}"
            _claims = found
    out = list(_claims) if kinds is None else [c for c in _claims if c.kind in set(kinds)]
    if subset:
        seen: set = set()
        keep = []
        for c in out:
            if (c.theorem, c.kind) not in seen:
                seen.add((c.theorem, c.kind))
                keep.append(c)
        out = keep
    return out


def report(claim: Claim) -> ClaimReport:
    """The (cached) kernel report of one claim."""
    with _lock:
        hit = _reports.get(claim.claim_id)
    if hit is None:
        hit = run_claim(claim)
        with _lock:
            _reports[claim.claim_id] = hit
    return hit
