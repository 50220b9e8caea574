"""Run the bundled results (the ``theorems`` package) and assemble the JSON report."""

from __future__ import annotations

import time
from typing import Callable, Iterable

from . import __version__
from .claims import STATUSES, Claim, ClaimReport, run_claim

__all__ = ["collect", "run_suite", "report_json"]


def collect(ids: Iterable[str] | None = None) -> list[Claim]:
    """Every claim of the selected results (all when ``ids`` is empty); unknown ids raise."""
    import theorems

    selected = list(ids) if ids else theorems.ids()
    modules = [theorems.load(i) for i in selected]  # validate every id before any work
    out: list[Claim] = []
    for mod in modules:
        out.extend(mod.claims())
    return out


def run_suite(claims: list[Claim], on_done: Callable[[ClaimReport], None] | None = None
              ) -> list[ClaimReport]:
    reports = []
    for claim in claims:
        rep = run_claim(claim)
        reports.append(rep)
        if on_done:
            on_done(rep)
    return reports


def report_json(reports: list[ClaimReport], seconds: float | None = None) -> dict:
    summary = {s: sum(r.status == s for r in reports) for s in STATUSES}
    summary["total"] = len(reports)
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return {"symkkt": __version__, "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "claims": [r.to_json() for r in reports], "summary": summary}
