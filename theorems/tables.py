"""The layout of the paper's Tables 1 and 2: rows, settings, and which result feeds each cell.

Only the *layout* is written here (the paper's rows, and for each cell the result id, the
activation and the claim kinds its row assumes). The verdict in each cell is derived by
:mod:`symkkt.tables` from the kinds of the claims the kernel verified when the suite runs; a
cell whose claims are not all verified reads "unverified (<result>)", never the paper's word.

``table_command`` is the ``symkkt table [--format md|latex|json]`` command (registered by the
lead): it runs the suite for the results the tables cite and prints both tables.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from symkkt.tables import Cell, Row, build, render

__all__ = ["TABLE1", "TABLE2", "LAYOUT", "TITLES", "cited_ids", "tables_from_claims",
           "run_claims", "table_command"]


def _c(theorem: str | tuple[str, ...], activation: str, display: str | None = None,
       requires: tuple[str, ...] = (), per_layer: bool = False, min_depth: int = 0) -> Cell:
    ids = (theorem,) if isinstance(theorem, str) else theorem
    return Cell(ids, activation, display or ids[0], requires, per_layer, min_depth)


_42_1 = ("4.2(1)", "4.2.1", "4.2 (1)")
_42_2 = ("4.2(2)", "4.2.2", "4.2 (2)")

TABLE1 = [
    Row("Fully-connected",
        _c("3.1", "linear"), _c("3.2", "relu", requires=("kkt",))),
    Row("N_no-share",
        _c("4.1", "linear", requires=("kkt",)), _c("3.2", "relu", requires=("kkt",))),
    Row("N_no-share assuming non-zero weights vectors",
        _c(_42_1, "linear", "4.2", requires=("nonzero-weights",)),
        _c(_42_2, "relu", "4.2", requires=("kkt", "nonzero-weights"))),
    Row("N_no-share assuming non-zero inputs to all neurons",
        _c(_42_1, "linear", "4.2", requires=("nonzero-weights",)),
        _c("4.3", "relu", requires=("nonzero-inputs",)),
        note="non-zero inputs imply non-zero weight vectors, so Theorem 4.2(1) applies"),
    Row("N assuming non-zero inputs to all neurons",
        _c("4.4", "linear", requires=("kkt", "nonzero-inputs")),
        _c("4.4", "relu", requires=("kkt", "nonzero-inputs"))),
]

TABLE2 = [
    Row("Fully-connected",
        # deep networks: the depth-2 family of Theorem 3.1 does not give this cell all data
        _c("3.1", "linear", min_depth=3), _c("3.2", "relu", requires=("kkt",))),
    Row("N_no-share assuming non-zero inputs to all neurons",
        _c("5.1", "linear", requires=("kkt", "nonzero-inputs")),
        _c("5.1", "relu", requires=("kkt", "nonzero-inputs"))),
    Row("N - max margin for each layer separately",
        _c("5.2", "linear", per_layer=True, min_depth=3),
        _c("5.3", "relu", requires=("kkt",), per_layer=True)),
    Row("N - max margin for each layer separately, assuming non-zero inputs to all neurons",
        _c("5.2", "linear", per_layer=True, min_depth=3),
        _c("5.4", "relu", requires=("nonzero-inputs",), per_layer=True)),
]

LAYOUT = {"table1": TABLE1, "table2": TABLE2}
TITLES = {"table1": "Table 1: Results on depth-2 networks",
          "table2": "Table 2: Results on deep networks"}


def cited_ids(layout: Mapping[str, Sequence[Row]] = LAYOUT) -> list[str]:
    """Every result id the layout names (all candidates), in order of appearance."""
    out: list[str] = []
    for rows in layout.values():
        for row in rows:
            for cell in (row.linear, row.relu):
                for t in cell.theorem:
                    if t not in out:
                        out.append(t)
    return out


def run_claims(ids: Sequence[str] | None = None,
               on_done: Callable | None = None) -> tuple[list[dict], list[str]]:
    """Run the suite for the cited results that exist; return (claim JSONs, registered ids)."""
    import time

    import theorems
    from symkkt.claims import ClaimReport, run_claim
    from symkkt.suite import collect

    registered = theorems.ids()
    wanted = [t for t in (ids or cited_ids()) if t in registered]
    reports = []
    for claim in collect(wanted):
        start = time.perf_counter()
        try:
            rep = run_claim(claim)
        except Exception as exc:  # a crashing search or check: the cell shows "unverified"
            rep = ClaimReport(claim, "unknown", (f"crashed: {type(exc).__name__}: {exc}",),
                              {}, time.perf_counter() - start)
        reports.append(rep)
        if on_done:
            on_done(rep)
    return [r.to_json() for r in reports], registered


def tables_from_claims(claims: Sequence[Mapping[str, Any]], registered: Sequence[str]) -> dict:
    return build(LAYOUT, claims, registered)


def table_command(format: str = "md") -> None:
    """Regenerate the paper's Tables 1 and 2 from the verdicts of the verified claims.

    ``--format md|latex|json``. Exit 0 if every cell is verified, 1 otherwise, 2 for an
    unknown format.
    """
    import typer
    from rich.console import Console

    from symkkt.errors import InputError
    from symkkt.tables import FORMATS

    fmt = format if isinstance(format, str) else "md"
    if fmt not in FORMATS:
        raise InputError(f"--format={fmt!r} must be one of {', '.join(FORMATS)}")
    err = Console(stderr=True)
    claims, registered = run_claims(
        on_done=lambda rep: err.print(f"  {rep.claim.claim_id}: {rep.status}",
                                      highlight=False) if err.is_terminal else None)
    doc = tables_from_claims(claims, registered)
    text = render(doc, fmt, TITLES)
    Console(soft_wrap=True, highlight=False, markup=False).print(text)
    ok = all(e[c] != "unverified" for rows in doc.values() for e in rows
             for c in ("linear", "relu"))
    raise typer.Exit(0 if ok else 1)
