"""Run the bundled results (the ``theorems`` package) and assemble the JSON report."""

from __future__ import annotations

import time
from typing import Callable, Iterable

from . import __version__
from .claims import SECONDS_PER_CLAIM, STATUSES, Claim, ClaimReport, run_claim

__all__ = ["collect", "run_suite", "report_json", "finish_run", "key_values", "show_invariant",
           "STATUS_STYLE"]


def collect(ids: Iterable[str] | None = None) -> list[Claim]:
    """Every claim of the selected results (all when ``ids`` is empty); unknown ids raise."""
    import theorems

    selected = list(ids) if ids else theorems.ids()
    modules = [theorems.load(i) for i in selected]  # validate every id before any work
    out: list[Claim] = []
    for mod in modules:
        out.extend(mod.claims())
    return out


def run_suite(claims: list[Claim], on_done: Callable[[ClaimReport], None] | None = None,
              timeout: float | None = SECONDS_PER_CLAIM) -> list[ClaimReport]:
    """Run every claim, each within ``timeout`` seconds (search and kernel together)."""
    reports = []
    for claim in claims:
        rep = run_claim(claim, timeout)
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


STATUS_STYLE = {"verified": "green", "refuted": "red", "unknown": "yellow"}
KEY_VALUES = ("norm2", "layer_norm2", "multipliers", "eps0", "leading_term", "lower_bound",
              "better_norm2", "init_margins", "invariant", "kkt_points_on_invariant")


def key_values(values: dict) -> str:
    """The values worth a table column, ``key=value`` (lists in parentheses, invariant sets as
    ``fixed={a,b} equal={c=d} positive={e}``)."""
    parts = []
    for key in KEY_VALUES:
        if key in values:
            v = values[key]
            if isinstance(v, dict):
                v = show_invariant(v)
            elif isinstance(v, list):
                v = "(" + ", ".join(map(str, v)) + ")"
            parts.append(f"{key}={v}")
    return "  ".join(parts)


def show_invariant(inv: dict) -> str:
    """``fixed={a,b} equal={c=d} positive={e}`` (empty parts left out)."""
    parts = []
    if inv.get("fixed"):
        parts.append("fixed={" + ",".join(inv["fixed"]) + "}")
    if inv.get("equal"):
        parts.append("equal={" + " ".join("=".join(g) for g in inv["equal"]) + "}")
    if inv.get("positive"):
        parts.append("positive={" + ",".join(inv["positive"]) + "}")
    return " ".join(parts) or "{}"


def finish_run(reports: list[ClaimReport], elapsed: float, *, title: str, out,
               json_path=None, certificates=None, all_reasons: bool = False,
               note: str | None = None) -> int:
    """What ``verify`` and ``check`` do after the work: the table, the summary line, the
    reasons (of every claim, or of those not verified), then the certificates and the JSON
    report (atomic writes). Returns the exit code: 0 iff every claim is verified."""
    from rich.table import Table

    from .io import safe_filename, write_json

    table = Table(title=title)
    for col in ("claim", "status", "key values", "s"):
        table.add_column(col, overflow="fold")
    for rep in reports:
        table.add_row(rep.claim.claim_id, f"[{STATUS_STYLE[rep.status]}]{rep.status}[/]",
                      key_values(rep.values), f"{rep.seconds:.2f}")
    out.print(table)
    doc = report_json(reports, elapsed)
    s = doc["summary"]
    out.print(f"{s['verified']} verified, {s['refuted']} refuted, {s['unknown']} unknown of "
              f"{s['total']} claims in {elapsed:.1f} s")
    if note:
        out.print(note)
    for rep in reports:
        if all_reasons or rep.status != "verified":
            out.print(f"[{STATUS_STYLE[rep.status]}]{rep.claim.claim_id}[/]: "
                      f"{'; '.join(rep.reasons)}", soft_wrap=True, highlight=False)
    if certificates is not None:
        certificates.mkdir(parents=True, exist_ok=True)
        for rep in reports:
            if rep.certificate is not None:
                write_json(certificates / f"{safe_filename(rep.claim.claim_id)}.json",
                           rep.certificate)
    if json_path is not None:
        write_json(json_path, doc)
    return 0 if s["verified"] == s["total"] else 1
