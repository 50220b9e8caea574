"""``symkkt table --derive``: the paper's Tables 1 and 2 from search alone.

Each cell of the tables is a setting (architecture, activation, hypotheses on the point
gradient flow reaches) and a verdict: *Global*, *Local, not global* or *Not local* (of Problem
2, or per layer of Problem 4 in Table 2's last rows). Here no theorem module is read: each
cell names at most two bundled conjectures (``symkkt/conjectures/``), "the point is a local
optimum" and "the point is a global optimum" of that setting, and the explorer
(:mod:`symkkt.explore`) searches both:

* a certified counterexample to *local* → **Not local** (citing the counterexample file);
* otherwise a certified counterexample to *global* → **Local, not global** (its file; the
  local part is "no counterexample in N");
* otherwise → **Global**, meaning only "no counterexample in N instances (k certified)".

A negative cell is a proof (the counterexample is re-checked by the kernel before it is
written); a positive cell is evidence, never "proved". A cell whose search finds nothing where
the paper has a counterexample says "no counterexample found": the comparison with the paper
is printed, not assumed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

__all__ = ["DeriveCell", "DeriveRow", "DERIVE_LAYOUT", "PAPER", "derive_tables",
           "render_derived"]


@dataclass(frozen=True)
class DeriveCell:
    """The conjectures of one cell: ``local`` (the point is a local optimum) and ``global``
    (a global one); either may be absent (the other decides)."""

    local: str | None = None
    global_: str | None = None


@dataclass(frozen=True)
class DeriveRow:
    setting: str
    linear: DeriveCell
    relu: DeriveCell


_C = DeriveCell

DERIVE_LAYOUT: dict[str, list[DeriveRow]] = {
    "table1": [
        DeriveRow("Fully-connected",
                  _C(global_="fc-linear-global"), _C(local="relu-fc-gf-local")),
        DeriveRow("N_no-share",
                  _C(local="diagonal-linear-depth2-gf-local"),
                  _C(local="relu-fc-gf-local")),
        DeriveRow("N_no-share assuming non-zero weights vectors",
                  _C(global_="diagonal-linear-depth2-nonzero-global"),
                  _C(local="relu-noshare-nonzero-weights-gf-local")),
        DeriveRow("N_no-share assuming non-zero inputs to all neurons",
                  _C(global_="diagonal-linear-depth2-nonzero-global"),
                  _C(local="relu-depth2-nonzero-inputs-local",
                     global_="relu-noshare-nonzero-inputs-gf-global")),
        DeriveRow("N assuming non-zero inputs to all neurons",
                  _C(local="conv-linear-nonzero-inputs-gf-local"),
                  _C(local="conv-relu-nonzero-inputs-gf-local")),
    ],
    "table2": [
        DeriveRow("Fully-connected",
                  _C(global_="fc-linear-depth3-global"), _C(local="relu-fc-gf-local")),
        DeriveRow("N_no-share assuming non-zero inputs to all neurons",
                  _C(local="diagonal-linear-depth3-local"),
                  _C(local="diagonal-relu-depth3-nonzero-inputs-local")),
        DeriveRow("N - max margin for each layer separately",
                  _C(global_="linear-depth3-per-layer-global"),
                  _C(local="relu-fc-gf-per-layer-local")),
        DeriveRow("N - max margin for each layer separately, assuming non-zero inputs to all "
                  "neurons",
                  _C(global_="linear-depth3-per-layer-global"),
                  _C(local="relu-fc-nonzero-inputs-per-layer-local",
                     global_="relu-fc-nonzero-inputs-gf-per-layer-global")),
    ],
}

TITLES = {"table1": "Table 1: Results on depth-2 networks (derived by search)",
          "table2": "Table 2: Results on deep networks (derived by search)"}

WORDS = {"global": "Global", "local-not-global": "Local, not global", "not-local": "Not local",
         "not-found": "no counterexample found"}

PAPER: dict[str, list[tuple[str, str]]] = {
    "table1": [("global", "not-local"), ("not-local", "not-local"),
               ("global", "not-local"), ("global", "local-not-global"),
               ("not-local", "not-local")],
    "table2": [("global", "not-local"), ("not-local", "not-local"),
               ("global", "not-local"), ("global", "local-not-global")],
}
"""The paper's verdicts, used only to print the comparison (never to decide a cell)."""


def _cells(layout: Mapping[str, Sequence[DeriveRow]]):
    for name, rows in layout.items():
        for r, row in enumerate(rows):
            for col in ("linear", "relu"):
                yield name, r, col, getattr(row, col)


def derive_tables(*, examples: int, seed: int = 0, out_dir: Path | None = None,
                  shrink_seconds: float = 20.0, jobs: int = 1,
                  layout: Mapping[str, Sequence[DeriveRow]] = DERIVE_LAYOUT,
                  on_conjecture: Callable[[str, Any], None] | None = None) -> dict:
    """Run every conjecture the layout names (each once, however many cells cite it) and
    derive each cell's verdict. Returns the document :func:`render_derived` prints."""
    from .explore import bundled_conjectures, explore_conjecture, write_counterexample
    from ._explore.conjecture import load_conjecture

    bundled = bundled_conjectures()
    runs: dict[str, dict] = {}

    def run(name: str) -> dict:
        if name in runs:
            return runs[name]
        conj = load_conjecture(bundled[name])
        start = time.perf_counter()
        res = explore_conjecture(conj, examples=examples, seed=seed,
                                 shrink_seconds=shrink_seconds, jobs=jobs)
        entry: dict[str, Any] = {"conjecture": name, "outcome": res.outcome,
                                 "counts": res.counts, "seconds": round(
                                     time.perf_counter() - start, 1),
                                 "first_counterexample_seconds": (
                                     round(res.first_counterexample_seconds, 1)
                                     if res.first_counterexample_seconds is not None
                                     else None)}
        if res.outcome == "counterexample" and out_dir is not None:
            write_counterexample(res, out_dir)
            entry["claim_file"] = res.claim_file
            entry["recheck"] = res.recheck
            # a counterexample counts only once the kernel re-verified its claim file
            if not all(s == "verified" for s in (res.recheck or {}).values()):
                entry["outcome"] = "none-found"
                entry["note"] = "the counterexample did not re-check: not counted"
        runs[name] = entry
        if on_conjecture is not None:
            on_conjecture(name, entry)
        return entry

    doc: dict[str, list] = {name: [{"setting": row.setting} for row in rows]
                            for name, rows in layout.items()}
    for name, r, col, cell in _cells(layout):
        local = run(cell.local) if cell.local else None
        glob = None
        if local is not None and local["outcome"] == "counterexample":
            verdict, cite = "not-local", local
        else:
            glob = run(cell.global_) if cell.global_ else None
            if glob is not None and glob["outcome"] == "counterexample":
                verdict, cite = "local-not-global", glob
            elif cell.global_ is None:
                # only a local conjecture, and no counterexample to it: the paper's cell is a
                # negative one that search did not reproduce
                verdict, cite = "not-found", None
            else:
                verdict, cite = "global", None
        entry = doc[name][r]
        entry[col] = verdict
        entry[f"{col}_evidence"] = {
            "counterexample": cite.get("claim_file") if cite else None,
            "searched": [e for e in (local, glob) if e is not None]}
        paper = PAPER.get(name, [])
        if r < len(paper):
            entry[f"{col}_paper"] = paper[r][0 if col == "linear" else 1]
    return {"tables": doc, "conjectures": runs, "examples": examples, "seed": seed}


def _cell_text(entry: dict, col: str) -> str:
    v = entry[col]
    ev = entry[f"{col}_evidence"]
    if v in ("not-local", "local-not-global"):
        cx = ev["counterexample"] or "counterexample not written (no --out)"
        text = f"{WORDS[v]} [counterexample: {cx}]"
    else:
        searched = ev["searched"]
        n = sum(e["counts"]["instances"] for e in searched)
        k = sum(e["counts"]["verified"] for e in searched)
        text = f"{WORDS[v]} [no counterexample in {n} ({k} certified)]"
    paper = entry.get(f"{col}_paper")
    if paper is not None and paper != v:
        text += f" (paper: {WORDS[paper]})"
    return text


def render_derived(doc: dict, fmt: str) -> str:
    """Markdown, LaTeX or JSON of :func:`derive_tables`'s document."""
    from .tables import FORMATS, _latex_escape

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} must be one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False)
    parts = []
    for name, rows in doc["tables"].items():
        title = TITLES.get(name, name)
        if fmt == "md":
            parts += [f"**{title}**\n", "| Setting | Linear | ReLU |", "| --- | --- | --- |"]
            parts += [f"| {e['setting']} | {_cell_text(e, 'linear')} | {_cell_text(e, 'relu')} |"
                      for e in rows]
            parts.append("")
        else:
            parts += [r"\begin{table}[h]\centering\small",
                      r"\begin{tabular}{p{0.3\linewidth}p{0.32\linewidth}p{0.32\linewidth}}"
                      r"\hline",
                      r"Setting & Linear & ReLU \\ \hline"]
            parts += [f"{_latex_escape(e['setting'])} & "
                      f"{_latex_escape(_cell_text(e, 'linear'))} & "
                      f"{_latex_escape(_cell_text(e, 'relu'))} \\\\" for e in rows]
            parts += [r"\hline\end{tabular}", f"\\caption{{{_latex_escape(title)}}}",
                      r"\end{table}", ""]
    return "\n".join(parts)


def matches_paper(doc: dict) -> bool:
    return all(e.get(f"{c}_paper") in (None, e[c]) for rows in doc["tables"].values()
               for e in rows for c in ("linear", "relu"))
