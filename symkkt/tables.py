"""Tables of verdicts regenerated from verified claims (generic machinery, no verdicts here).

A table is a list of :class:`Row`; each cell names the result whose claims feed it, the
activation, and the claim kinds that must be present (the row's assumption, e.g.
``nonzero-inputs``, and ``kkt`` for "GF converges to a KKT point that ..."). The verdict of a
cell is *derived from the kinds of its verified claims*, never typed in:

* ``not-local``          some verified ``not-local`` (or ``per-layer-not-local``) claim;
* ``local-not-global``   verified ``local`` and ``not-global`` claims (per-layer likewise);
* ``global``             verified ``global`` claims and no ``not-global`` one.

A cell whose result is missing, has no claim for the activation, has a claim that is not
``verified``, lacks a required kind, or whose kinds give no verdict, shows ``unverified``
with the result id (and why, in JSON). The layout of the paper's tables lives in
``theorems/tables.py``.

Each verified cell also says its *basis* (``basis`` in JSON, in brackets in md/latex):

* ``all-data``       a verified family claim (``extra["basis"] == "all-data"``, report kinds
  ``global-all-data``/``per-layer-global-all-data``: a kernel lemma for every dataset, see
  :mod:`symkkt.kernel.linfamily`) of depth >= the cell's ``min_depth`` backs the positive
  verdict; ``basis_detail`` lists their labels (the family each covers);
* ``instances (N)``  the positive verdict rests on N certified instances only;
* ``example``        a negative verdict (``not-local``): an existence statement, for which one
  certified example is the whole proof;
* ``local-not-global`` cells combine the two, e.g. ``instances (2) + example``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["Cell", "Row", "cell_verdict", "build", "render", "VERDICTS", "FORMATS"]

VERDICTS = ("global", "local-not-global", "not-local")
FORMATS = ("md", "latex", "json")
WORDS = {"global": "Global", "local-not-global": "Local, not global", "not-local": "Not local"}


@dataclass(frozen=True)
class Cell:
    """Which result's claims decide this cell.

    ``theorem``: candidate ids (the first one registered is used; e.g. ``("4.2(1)",)``);
    ``display``: how the source is shown (``"4.2"``); ``requires``: claim kinds that must be
    present and verified; ``per_layer``: read the ``per-layer-*`` kinds.
    """

    theorem: tuple[str, ...]
    activation: str
    display: str
    requires: tuple[str, ...] = ()
    per_layer: bool = False
    min_depth: int = 0
    """Family claims count for the ``all-data`` basis only if their depth is at least this
    (Table 2, deep networks: a depth-2 family does not cover it)."""


@dataclass(frozen=True)
class Row:
    setting: str
    linear: Cell
    relu: Cell
    note: str = ""


ALL_DATA_SUFFIX = "-all-data"
POSITIVE = ("global", "local")


def _derive(kinds: set[str], per_layer: bool) -> str | None:
    kinds = {k[:-len(ALL_DATA_SUFFIX)] if k.endswith(ALL_DATA_SUFFIX) else k for k in kinds}
    p = "per-layer-" if per_layer else ""
    if f"{p}not-local" in kinds:
        return "not-local"
    if f"{p}local" in kinds and f"{p}not-global" in kinds:
        return "local-not-global"
    if f"{p}global" in kinds and f"{p}not-global" not in kinds:
        return "global"
    return None


def cell_verdict(cell: Cell, claims: Sequence[Mapping[str, Any]],
                 registered: Iterable[str]) -> dict:
    """The verdict of one cell from report claims (``ClaimReport.to_json()`` dicts)."""
    registered = set(registered)
    tid = next((t for t in cell.theorem if t in registered), None)
    out: dict[str, Any] = {"theorem": tid or cell.theorem[0], "display": cell.display,
                           "verdict": "unverified"}
    if tid is None:
        out["reason"] = f"result {cell.display} is not in this build"
        return out
    mine = [c for c in claims if c.get("theorem") == tid
            and c.get("activation") == cell.activation]
    out["claims"] = len(mine)
    if not mine:
        out["reason"] = f"no {cell.activation} claim of {tid} was run"
        return out
    bad = [c for c in mine if c.get("status") != "verified"]
    if bad:
        out["reason"] = "not verified: " + ", ".join(f"{c.get('id')} ({c.get('status')})"
                                                     for c in bad)
        return out
    kinds = {c.get("kind") for c in mine}
    missing = [k for k in cell.requires if k not in kinds]
    if missing:
        out["reason"] = f"missing verified claim kind(s): {', '.join(missing)}"
        return out
    verdict = _derive(kinds, cell.per_layer)
    if verdict is None:
        out["reason"] = f"the verified kinds {sorted(kinds)} give no verdict"
        return out
    out["verdict"] = verdict
    out["kinds"] = sorted(kinds)
    out.update(_basis(cell, verdict, mine))
    return out


def _basis(cell: Cell, verdict: str, mine: Sequence[Mapping[str, Any]]) -> dict:
    """``basis`` (and ``basis_detail``) of a verified cell: see the module docstring."""
    if verdict == "not-local":
        return {"basis": "example"}
    p = "per-layer-" if cell.per_layer else ""
    family = [c for c in mine if c.get("basis") == "all-data"
              and c.get("kind") == f"{p}global{ALL_DATA_SUFFIX}"
              and int(c.get("depth") or 0) >= cell.min_depth]
    positive = {f"{p}{k}" for k in POSITIVE}
    labels = {c.get("label") or (str(c.get("id", "")).split("/") + [""])[1] for c in mine
              if c.get("kind") in positive and c.get("basis") != "all-data"}
    if verdict == "global" and family:
        return {"basis": "all-data",
                "basis_detail": sorted(str(c.get("label") or c.get("id")) for c in family)}
    basis = f"instances ({len(labels)})"
    if verdict == "local-not-global":
        basis += " + example"
    return {"basis": basis}


def build(layout: Mapping[str, Sequence[Row]], claims: Sequence[Mapping[str, Any]],
          registered: Iterable[str]) -> dict:
    """``{"table1": [{"setting", "linear", "relu", "linear_theorem", ...}], ...}``."""
    registered = list(registered)
    doc: dict[str, list] = {}
    for name, rows in layout.items():
        out = []
        for row in rows:
            entry: dict[str, Any] = {"setting": row.setting}
            for col in ("linear", "relu"):
                v = cell_verdict(getattr(row, col), claims, registered)
                entry[col] = v["verdict"]
                entry[f"{col}_theorem"] = v["display"]
                if "basis" in v:
                    entry[f"{col}_basis"] = v["basis"]
                if "basis_detail" in v:   # the families (claim labels) behind "all-data"
                    entry[f"{col}_covers"] = v["basis_detail"]
                entry[f"{col}_detail"] = v
            out.append(entry)
        doc[name] = out
    return doc


def _cell_text(entry: dict, col: str, latex: bool = False) -> str:
    v, src = entry[col], entry[f"{col}_theorem"]
    if v == "unverified":
        return f"unverified ({src})"
    basis = entry.get(f"{col}_basis")
    return f"{WORDS[v]} (Thm. {src})" + (f" [{basis}]" if basis else "")


def _latex_escape(s: str) -> str:
    return (s.replace("\\", r"\textbackslash{}").replace("&", r"\&").replace("%", r"\%")
            .replace("_", r"\_").replace("#", r"\#"))


def render(doc: dict, fmt: str, titles: Mapping[str, str] | None = None) -> str:
    """Markdown, LaTeX or JSON text of :func:`build`'s output."""
    import json

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} must be one of {', '.join(FORMATS)}")
    titles = titles or {}
    if fmt == "json":
        slim = {name: [{k: v for k, v in e.items() if not k.endswith("_detail")}
                       for e in rows] for name, rows in doc.items()}
        return json.dumps(slim, indent=2, ensure_ascii=False)
    parts = []
    for name, rows in doc.items():
        title = titles.get(name, name)
        if fmt == "md":
            parts.append(f"**{title}**\n")
            parts.append("| Setting | Linear | ReLU |")
            parts.append("| --- | --- | --- |")
            for e in rows:
                parts.append(f"| {e['setting']} | {_cell_text(e, 'linear')} | "
                             f"{_cell_text(e, 'relu')} |")
            parts.append("")
        else:
            parts.append(r"\begin{table}[h]\centering")
            parts.append(r"\begin{tabular}{lll}\hline")
            parts.append(r" & Linear & ReLU \\ \hline")
            for e in rows:
                parts.append(f"{_latex_escape(e['setting'])} & "
                             f"{_latex_escape(_cell_text(e, 'linear'))} & "
                             f"{_latex_escape(_cell_text(e, 'relu'))} \\\\")
            parts.append(r"\hline\end{tabular}")
            parts.append(f"\\caption{{{_latex_escape(title)}}}")
            parts.append(r"\end{table}")
            parts.append("")
    return "\n".join(parts)
