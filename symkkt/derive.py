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
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .errors import InputError

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


SCHEDULE_SECONDS: dict[str, float] = {
    "relu-fc-gf-per-layer-local": 294,
    "fc-linear-depth3-global": 281,
    "fc-linear-global": 248,
    "linear-depth3-per-layer-global": 233,
    "conv-relu-nonzero-inputs-gf-local": 143,
    "relu-depth2-nonzero-inputs-local": 87,
    "relu-fc-nonzero-inputs-per-layer-local": 85,
    "relu-noshare-nonzero-weights-gf-local": 66,
    "diagonal-linear-depth2-nonzero-global": 61,
    "relu-noshare-nonzero-inputs-gf-global": 51,
    "relu-fc-nonzero-inputs-gf-per-layer-global": 49,
    "relu-fc-gf-local": 45,
    "diagonal-linear-depth2-gf-local": 44,
    "conv-linear-nonzero-inputs-gf-local": 40,
    "diagonal-linear-depth3-local": 19,
    "diagonal-relu-depth3-nonzero-inputs-local": 14}
"""Seconds each bundled conjecture took, searched serially, in the derivation measured in
docs/explore.md. Used only for the order in which searches start (longest first, so that the
last one to finish is short); no verdict depends on it. An unlisted conjecture starts first
(its cost is unknown)."""


def _needed(layout: Mapping[str, Sequence[DeriveRow]], runs: Mapping[str, dict]) -> list[str]:
    """The conjectures some cell needs, given the searches finished so far: every ``local``
    one, and a ``global`` one once its cell has no local conjecture or the local search ended
    without a counterexample (a counterexample to *local* decides the cell alone)."""
    out: list[str] = []
    for _, _, _, cell in _cells(layout):
        if cell.local:
            out.append(cell.local)
        if cell.global_ and (cell.local is None or (
                cell.local in runs and runs[cell.local]["outcome"] != "counterexample")):
            out.append(cell.global_)
    return list(dict.fromkeys(out))


def _start_order(names: Sequence[str]) -> list[str]:
    return sorted(names, key=lambda n: -SCHEDULE_SECONDS.get(n, float("inf")))


def _search_one(name: str, examples: int, seed: int, shrink_seconds: float,
                out_dir: Path | None) -> dict:
    """One bundled conjecture searched serially (in a worker process under ``jobs > 1``):
    the summary entry the tables cite; its counterexample written and re-checked."""
    from .explore import bundled_conjectures, explore_conjecture, write_counterexample
    from ._explore.conjecture import load_conjecture

    conj = load_conjecture(bundled_conjectures()[name])
    start = time.perf_counter()
    res = explore_conjecture(conj, examples=examples, seed=seed, shrink_seconds=shrink_seconds)
    entry: dict[str, Any] = {"conjecture": name, "outcome": res.outcome,
                             "counts": res.counts,
                             "first_counterexample_seconds": (
                                 round(res.first_counterexample_seconds, 1)
                                 if res.first_counterexample_seconds is not None else None)}
    if res.outcome == "counterexample" and out_dir is not None:
        write_counterexample(res, out_dir)
        entry["claim_file"] = res.claim_file
        entry["recheck"] = res.recheck
        # a counterexample counts only once the kernel re-verified its claim file
        if not all(s == "verified" for s in (res.recheck or {}).values()):
            entry["outcome"] = "none-found"
            entry["note"] = "the counterexample did not re-check: not counted"
    entry["seconds"] = round(time.perf_counter() - start, 1)
    return entry


def _search_all(layout: Mapping[str, Sequence[DeriveRow]], task: Callable[[str], dict],
                jobs: int, on_done: Callable[[str, dict], None]) -> dict[str, dict]:
    """Run ``task`` on every conjecture :func:`_needed` names, ``jobs`` searches at a time in
    forked processes (each search serial: a search stops at its first counterexample, so one
    process per search wastes nothing, where processes within a search evaluate draws that an
    early counterexample makes moot). Longest first; a cell's global search is started as soon
    as its local one has ended without a counterexample."""
    runs: dict[str, dict] = {}

    def finish(name: str, entry: dict) -> None:
        runs[name] = entry
        on_done(name, entry)

    if jobs == 1:
        while ready := _start_order([n for n in _needed(layout, runs) if n not in runs]):
            finish(ready[0], task(ready[0]))
        return runs
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    inflight: dict[Any, str] = {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        while True:
            started = set(inflight.values())
            for name in _start_order([n for n in _needed(layout, runs)
                                      if n not in runs and n not in started]):
                inflight[pool.submit(task, name)] = name
            if not inflight:
                return runs
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            for fut in done:
                finish(inflight.pop(fut), fut.result())


def derive_tables(*, examples: int, seed: int = 0, out_dir: Path | None = None,
                  shrink_seconds: float = 20.0, jobs: int = 1,
                  layout: Mapping[str, Sequence[DeriveRow]] = DERIVE_LAYOUT,
                  on_conjecture: Callable[[str, Any], None] | None = None) -> dict:
    """Run every conjecture the layout needs (each once, however many cells cite it; ``jobs``
    at a time) and derive each cell's verdict. Returns the document :func:`render_derived`
    prints."""
    if jobs < 1:
        raise InputError(f"jobs={jobs} must be at least 1")
    task = partial(_search_one, examples=examples, seed=seed, shrink_seconds=shrink_seconds,
                   out_dir=out_dir)
    runs = _search_all(layout, task, jobs, on_conjecture or (lambda name, entry: None))

    doc: dict[str, list] = {name: [{"setting": row.setting} for row in rows]
                            for name, rows in layout.items()}
    for name, r, col, cell in _cells(layout):
        local = runs[cell.local] if cell.local else None
        glob = None
        if local is not None and local["outcome"] == "counterexample":
            verdict, cite = "not-local", local
        else:
            glob = runs[cell.global_] if cell.global_ else None
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
