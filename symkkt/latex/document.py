"""Whole LaTeX documents: one derivation per result, and the combined report.

A derivation document reads top to bottom like a referee's check of one result: the statement,
a summary of the claims and their verdicts, then per instance (network, data, point) the
setting and, per claim, the certificate written out (KKT system and its solution, the
perturbation and the norm comparison with the proven ε0, structural facts, lower bounds), and
finally the gradient-flow evidence. The report puts every result together with the verdict
summary, timings, and the paper's Tables 1 and 2 when ``theorems.tables`` provides them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .. import __version__
from ..claims import STATUSES
from .escape import escape_text
from .layout import tex_width
from .objects import KernelView
from .printer import KIND_TITLES, SymkktLatexPrinter
from .statement import statement_tex

__all__ = ["Document", "PREAMBLE", "result_document", "report_document", "group_reports",
           "table_data", "result_title", "figure_name"]

PREAMBLE = r"""\documentclass[10pt,a4paper]{article}
\usepackage[T1]{fontenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2.2cm]{geometry}
\usepackage{array,booktabs,longtable}
\usepackage{graphicx}
\usepackage{xcolor}
\usepackage{microtype}
\usepackage[hidelinks,bookmarksnumbered]{hyperref}
\allowdisplaybreaks
\setlength{\emergencystretch}{4em}
\setcounter{MaxMatrixCols}{12}
\hbadness=10000
\sloppy
\definecolor{okgreen}{rgb}{0,0.45,0.15}
\definecolor{badred}{rgb}{0.7,0,0}
\definecolor{unkorange}{rgb}{0.65,0.4,0}
\newcommand{\statusverified}{\textcolor{okgreen}{verified}}
\newcommand{\statusrefuted}{\textcolor{badred}{refuted}}
\newcommand{\statusunknown}{\textcolor{unkorange}{unknown}}
\newcommand{\status}[1]{\texorpdfstring{\textbf{\csname status#1\endcsname}}{#1}}
\newcolumntype{L}[1]{>{\raggedright\arraybackslash}p{#1}}
% sections are lettered (A, B.1, ...) so they never read like the paper's result numbers
\renewcommand{\thesection}{\Alph{section}}
"""


@dataclass
class Document:
    """A ``.tex`` text plus the auxiliary files (figures) it includes, by file name."""

    name: str
    tex: str
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def result_title(result_id: str, module: Any = None) -> str:
    kind = "Remark" if result_id.startswith("R") else (
        "Table" if result_id.lower().startswith("table") else "Theorem")
    num = result_id[1:] if result_id.startswith("R") else result_id
    title = getattr(module, "TITLE", "") if module is not None else ""
    head = f"{kind} {num}" if kind != "Table" else result_id
    if title and title.lower().startswith(head.lower()):
        return title
    return f"{head}: {title}" if title else head


def figure_name(result_id: str) -> str:
    """A figure file name graphicx accepts (a single dot, before the extension)."""
    safe = "".join(c if c.isalnum() else "-" for c in result_id).strip("-") or "result"
    return f"gf-{safe}.pdf"


def group_reports(reports: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Consecutive claims about the same labelled instance, in order of first appearance."""
    groups: list[tuple[str, Any, list[Any]]] = []
    for rep in reports:
        c = rep.claim
        for label, inst, reps in groups:
            if label == c.label and inst == c.instance:
                reps.append(rep)
                break
        else:
            groups.append((c.label, c.instance, [rep]))
    return [(label, reps) for label, _, reps in groups]


def _slash_breaks(text_tex: str) -> str:
    return text_tex.replace("/", r"/\allowbreak{}").replace(",", r",\allowbreak{}")


def _key_values(printer: SymkktLatexPrinter, values: Mapping[str, Any], budget: float = 24
                ) -> str:
    labels = {"norm2": r"\|\tilde\theta\|^2 =", "layer_norm2": r"\|\tilde u\|^2 =",
              "multipliers": r"\lambda =", "eps0": r"\varepsilon_0 =",
              "leading_term": r"\Delta\|\theta\|^2 \sim", "lower_bound": r"\text{bound} =",
              "better_norm2": r"\|\hat\theta\|^2 ="}
    parts = []
    for key, lab in labels.items():
        if key not in values:
            continue
        t = f"{lab} {printer.value_tex(values[key])}"
        if tex_width(t) <= budget:
            parts.append(f"${t}$")
    return ", ".join(parts)


def summary_table(printer: SymkktLatexPrinter, reports: Sequence[Any]) -> str:
    lines = [r"\begin{longtable}{L{0.27\linewidth}L{0.16\linewidth}lL{0.27\linewidth}r}",
             r"\toprule claim & kind & verdict & key values & s \\ \midrule \endhead",
             r"\bottomrule \endfoot"]
    for rep in reports:
        c = rep.claim
        lines.append(r"\texttt{" + _slash_breaks(escape_text(c.claim_id)) + "} & "
                     + escape_text(KIND_TITLES.get(c.kind, c.kind)) + " & "
                     + r"\status{" + rep.status + "} & "
                     + _key_values(printer, rep.values) + " & "
                     + escape_text(f"{rep.seconds:.2f}") + r" \\")
    lines.append(r"\end{longtable}")
    return "\n".join(lines)


def _verdict_line(reports: Sequence[Any]) -> str:
    counts = {s: sum(r.status == s for r in reports) for s in STATUSES}
    total = sum(r.seconds for r in reports)
    return escape_text(f"{len(reports)} claims: {counts['verified']} verified, "
                       f"{counts['refuted']} refuted, {counts['unknown']} unknown; "
                       f"search and exact checking took {total:.1f} s in total.")


def _gf_block(printer: SymkktLatexPrinter, reps: Sequence[Any]) -> str:
    seen: list[str] = []
    blocks = []
    for rep in reps:
        gf = (rep.evidence or {}).get("gf")
        if not gf:
            continue
        key = json.dumps(gf, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.append(key)
        blocks.append(printer.gf_table(gf))
    return "\n\n".join(blocks)


def _instance_of(reps: Sequence[Any]):
    """The instance as the kernel read it from the first certificate (else the claim's)."""
    for rep in reps:
        if rep.certificate is not None:
            try:
                return KernelView.read(rep.certificate, rep.claim.claim_id).instance()
            except Exception:
                continue
    return reps[0].claim.instance


def result_body(result_id: str, module: Any, reports: Sequence[Any], *, level: int,
                settings: Mapping[str, Any] | None = None, figure: str | None = None,
                gf_note: str | None = None, gf_requested: bool = False) -> str:
    """Statement, summary and derivations of one result; headings start at ``level``."""
    heads = ("section", "subsection", "subsubsection", "paragraph")
    claim_printer = SymkktLatexPrinter(dict(settings or {}, heading_level=min(level + 1, 2),
                                            gf=False))
    p = claim_printer
    out = []
    statement = statement_tex(module)
    if statement:
        out.append(f"\\{heads[level]}{{Statement}}\n" if level == 0 else
                   f"\\{heads[level + 1]}*{{Statement}}\n")
        out.append(statement)
    out.append((f"\\{heads[level]}{{Claims and verdicts}}" if level == 0 else
                f"\\{heads[level + 1]}*{{Claims and verdicts}}"))
    out.append(_verdict_line(reports))
    out.append(summary_table(p, reports))
    for label, reps in group_reports(reports):
        out.append(f"\\{heads[level]}{{Instance \\texorpdfstring{{\\texttt{{"
                   f"{_slash_breaks(escape_text(label))}}}}}{{{escape_text(label)}}}}}")
        inst = _instance_of(reps)
        if type(inst).__name__ in ("Instance", "KernelView"):  # others: the certificate says it
            out.append(p.doprint(inst))
        for rep in reps:
            out.append(p.doprint(rep))
        gf = _gf_block(p, reps)
        if gf:
            out.append(gf)
    gf_head = (f"\\{heads[level]}{{Gradient flow}}" if level == 0 else
               f"\\{heads[level + 1]}*{{Gradient flow}}")
    if figure:
        out.append(gf_head)
        out.append(escape_text(
            "Numerical evidence (not part of any verdict): the rescaled gradient flow "
            "integrated in high precision from the result's initialization. Left: distance "
            "of θ/‖θ‖ to θ̃/‖θ̃‖ and the normalized margin against ‖θ‖; right (depth 2): each "
            "neuron's u_j = v_j w_j scaled by ‖θ‖², as in the paper's Figure 1."))
        out.append(r"\begin{center}\includegraphics[width=0.95\linewidth]{" + figure
                   + r"}\end{center}")
    elif gf_requested or gf_note:
        out.append(gf_head)
        out.append(escape_text(gf_note or "This result declares no gradient-flow run."))
    return "\n\n".join(o for o in out if o)


def result_document(result_id: str, reports: Sequence[Any], *, module: Any = None,
                    settings: Mapping[str, Any] | None = None, gf_runs: Sequence[Any] = (),
                    gf_note: str | None = None, gf_requested: bool = False) -> Document:
    """The derivation document of one result (``reports`` are its claims' reports)."""
    if module is None:
        import theorems

        module = theorems.load(result_id)
    from ..io import safe_filename

    name = safe_filename(result_id)
    files: dict[str, bytes] = {}
    figure = None
    if gf_runs:
        from .plot import figure_pdf

        data = figure_pdf(gf_runs, result_title(result_id, module))
        if data:
            figure = figure_name(result_id)
            files[figure] = data
    body = result_body(result_id, module, reports, level=0, settings=settings, figure=figure,
                       gf_note=gf_note, gf_requested=gf_requested)
    tex = "\n".join([
        PREAMBLE,
        r"\title{" + escape_text(result_title(result_id, module)) + "}",
        r"\author{symkkt " + escape_text(__version__) + r" --- exact derivation}",
        r"\date{" + escape_text(time.strftime("%Y-%m-%d")) + "}",
        r"\begin{document}",
        r"\maketitle",
        r"\tableofcontents",
        body,
        r"\end{document}",
        "",
    ])
    return Document(name, tex, files)


# ----------------------------------------------------------------------------- tables


def table_data(reports: Sequence[Any]) -> dict:
    """Tables 1 and 2 (``theorems.tables``' layout) derived from the verdicts in ``reports``.

    A cell whose result was not run (a report over a few ids) reads "unverified" with the
    reason, exactly as ``symkkt table`` would: never the paper's word.
    """
    import theorems
    from theorems.tables import LAYOUT

    from ..tables import build

    return build(LAYOUT, [r.to_json() for r in reports], theorems.ids())


def _cell(entry: Mapping[str, Any], col: str) -> str:
    from ..tables import WORDS

    verdict = entry.get(col)
    src = entry.get(f"{col}_theorem", "")
    if verdict in WORDS:
        return (escape_text(WORDS[verdict]) + r" {\footnotesize(Thm.~" + escape_text(src)
                + ")}")
    detail = entry.get(f"{col}_detail") or {}
    reason = detail.get("reason", "") if isinstance(detail, Mapping) else ""
    out = r"\textcolor{unkorange}{unverified} {\footnotesize(" + escape_text(src) + ")}"
    if reason:
        out += r" {\footnotesize " + escape_text(reason) + "}"
    return out


def tables_tex(data: Mapping[str, Any], level: str = "section") -> str:
    """The paper's Tables 1 and 2 as ``longtable``s (setting, linear, ReLU)."""
    from theorems.tables import TITLES

    out = [f"\\{level}{{Tables 1 and 2}}",
           escape_text("Regenerated from the verdicts above (never from a typed-in grid): each "
                       "cell is the verdict derived from the kinds of the verified claims of "
                       "the result it names; a cell whose claims are not all verified reads "
                       "\u201cunverified\u201d.")]
    for key in ("table1", "table2"):
        rows = data.get(key)
        if not isinstance(rows, list):
            continue
        lines = [r"\begin{longtable}{L{0.40\linewidth}L{0.25\linewidth}L{0.25\linewidth}}",
                 r"\caption*{\textbf{" + escape_text(TITLES.get(key, key)) + r"}}\\",
                 r"\toprule Setting & Linear & ReLU \\ \midrule",
                 r"\endhead \bottomrule \endfoot"]
        for r in rows:
            lines.append(escape_text(r.get("setting", "")) + " & " + _cell(r, "linear")
                         + " & " + _cell(r, "relu") + r" \\")
        lines.append(r"\end{longtable}")
        out.append("\n".join(lines))
    return "\n\n".join(out)


def report_document(reports: Sequence[Any], *, seconds: float | None = None,
                    settings: Mapping[str, Any] | None = None,
                    gf_runs: Mapping[str, Sequence[Any]] | None = None,
                    gf_note: str | None = None, gf_requested: bool = False) -> Document:
    """The combined report: summary, timings, Tables 1 and 2, then every result."""
    import theorems

    by_result: dict[str, list[Any]] = {}
    for rep in reports:
        by_result.setdefault(rep.claim.theorem, []).append(rep)
    files: dict[str, bytes] = {}
    out = [PREAMBLE,
           r"\title{symkkt report: margin maximization in linear and ReLU networks}",
           r"\author{symkkt " + escape_text(__version__) + "}",
           r"\date{" + escape_text(time.strftime("%Y-%m-%d %H:%M")) + "}",
           r"\begin{document}", r"\maketitle",
           escape_text("Every claim below was decided by the exact kernel from a certificate: "
                       "verified (every check passed exactly), refuted (a check provably "
                       "fails) or unknown (no certificate, or a check could not be decided). "
                       "Gradient-flow numbers are evidence shown next to the verdicts, never "
                       "verdicts."),
           r"\tableofcontents", r"\section{Summary}", _verdict_line(reports)]
    if seconds is not None:
        out.append(escape_text(f"Wall time of the whole run: {seconds:.1f} s."))
    lines = [r"\begin{longtable}{L{0.36\linewidth}rrrrr}",
             r"\toprule result & claims & verified & refuted & unknown & s \\ \midrule "
             r"\endhead \bottomrule \endfoot"]
    for rid, reps in by_result.items():
        try:
            mod = theorems.load(rid)
        except Exception:
            mod = None
        counts = [sum(r.status == s for r in reps) for s in STATUSES]
        lines.append(escape_text(result_title(rid, mod)) + " & " + f"{len(reps)} & "
                     + " & ".join(str(c) for c in counts) + " & "
                     + escape_text(f"{sum(r.seconds for r in reps):.2f}") + r" \\")
    lines.append(r"\end{longtable}")
    out.append("\n".join(lines))
    out.append(tables_tex(table_data(reports)))
    for rid, reps in by_result.items():
        try:
            mod = theorems.load(rid)
        except Exception:
            mod = None
        out.append(r"\section{" + escape_text(result_title(rid, mod)) + "}")
        figure = None
        runs = (gf_runs or {}).get(rid) or ()
        if runs:
            from .plot import figure_pdf

            data = figure_pdf(runs, result_title(rid, mod))
            if data:
                figure = figure_name(rid)
                files[figure] = data
        out.append(result_body(rid, mod, reps, level=1, settings=settings, figure=figure,
                               gf_note=gf_note, gf_requested=gf_requested))
    out += [r"\end{document}", ""]
    return Document("report", "\n\n".join(out), files)
