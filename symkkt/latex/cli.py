"""``symkkt latex`` and ``symkkt report``: derivation documents and the combined PDF report.

Plain typer-annotated functions; :mod:`symkkt.cli` registers them with
``app.command("latex")(latex)`` and ``app.command("report")(report)``.

Exit codes: 0 documents written (and compiled, with ``--pdf``); 1 some document failed to
compile (one line per failure on stderr: the first error line of the LaTeX log); 2 bad input,
or ``--pdf`` without latexmk/pdflatex (one line naming the Debian packages, checked before any
work: nothing is written).
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, List, Optional

import typer

from ..errors import InputError

__all__ = ["latex", "report", "build_documents", "compile_documents"]


def _gf_evidence(reports: list, dps: int) -> tuple[list, str | None]:
    """``attach_gf``'s evidence; a run that fails becomes a note (evidence only)."""
    from ..gf.suite import attach_gf

    try:
        return list(attach_gf(reports, dps=dps)), None
    except InputError:
        raise
    except Exception as exc:  # evidence only: the documents are still written
        return reports, f"the gradient-flow run failed: {type(exc).__name__}: {exc}"


def _run(ids: list[str], gf: bool, dps: int = 30):
    """Collect and check the claims of ``ids``; with ``gf``, attach evidence and runs."""
    import theorems

    from ..suite import collect, run_suite
    from .document import group_reports
    from .plot import gf_runs_for

    modules = {rid: theorems.load(rid) for rid in ids}  # unknown ids fail before any work
    start = time.perf_counter()
    reports = run_suite(collect(ids))
    note = None
    runs: dict[str, list] = {}
    if gf:
        reports, note = _gf_evidence(reports, dps)
        for rid, mod in modules.items():
            reps = [r for r in reports if r.claim.theorem == rid]
            groups = [(label, rs[0].claim) for label, rs in group_reports(reps)]
            rr, n2 = gf_runs_for(mod, groups, dps=dps)
            runs[rid] = rr
            note = note or n2
    return modules, reports, runs, note, time.perf_counter() - start


def build_documents(ids: list[str], gf: bool = False, dps: int = 30):
    """The derivation documents of ``ids`` (``Document`` objects) and the reports."""
    from .document import result_document

    modules, reports, runs, note, seconds = _run(ids, gf, dps)
    docs = []
    for rid, mod in modules.items():
        reps = [r for r in reports if r.claim.theorem == rid]
        docs.append(result_document(rid, reps, module=mod, gf_runs=runs.get(rid, ()),
                                    gf_note=note, gf_requested=gf))
    return docs, reports, seconds


def _write_document(doc, out: Path) -> Path:
    from ..io import write_atomic

    tex_path = out / f"{doc.name}.tex"
    for fname, data in doc.files.items():
        write_atomic(out / fname, data)
    write_atomic(tex_path, doc.tex)
    return tex_path


def compile_documents(docs: list, out: Path) -> tuple[list[tuple[Any, Any]], list[str]]:
    """Compile in parallel (one latexmk per core); returns (doc, Compiled) pairs and errors."""
    from .compile import LatexError, compile_pdf

    def one(doc):
        try:
            return doc, compile_pdf(doc.tex, out / f"{doc.name}.pdf", name="document",
                                    files=doc.files), None
        except LatexError as exc:
            return doc, None, str(exc)

    workers = max(1, min(len(docs), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, docs))
    done = [(d, c) for d, c, e in results if c is not None]
    errors = [e for _, _, e in results if e]
    return done, errors


def latex(
    ids: Optional[List[str]] = typer.Argument(None, help="result ids, e.g. 3.2 4.4"),
    all_: bool = typer.Option(False, "--all", help="every bundled result"),
    out: Path = typer.Option(Path("out"), "--out", help="directory for .tex (and .pdf)"),
    pdf: bool = typer.Option(False, "--pdf", help="compile with latexmk/pdflatex"),
    gf: bool = typer.Option(False, "--gf/--no-gf", help="add gradient-flow evidence and plots"),
) -> None:
    """Write one derivation document per result (.tex; with --pdf also the PDF)."""
    import theorems

    from ..io import check_writable_dir
    from .compile import LatexMissing, latex_available, missing_message

    if all_ and ids:
        raise InputError("give result ids or --all, not both")
    if not all_ and not ids:
        raise InputError("give one or more result ids (see `symkkt list`) or --all")
    check_writable_dir(out, "--out")
    if pdf and not latex_available():      # before any work
        raise LatexMissing(missing_message())
    selected = theorems.ids() if all_ else list(dict.fromkeys(ids or []))
    for rid in selected:
        theorems.load(rid)
    docs, reports, seconds = build_documents(selected, gf=gf)
    out.mkdir(parents=True, exist_ok=True)
    written = [_write_document(d, out) for d in docs]
    typer.echo(f"wrote {len(written)} .tex file{'s' if len(written) != 1 else ''} to {out} "
               f"(checking took {seconds:.1f} s)")
    if not pdf:
        return
    start = time.perf_counter()
    done, errors = compile_documents(docs, out)
    for doc, comp in done:
        extra = f", {comp.overfull} overfull boxes" if comp.overfull else ""
        typer.echo(f"{comp.pdf}: {comp.pages or '?'} pages, {comp.seconds:.1f} s{extra}")
    typer.echo(f"compiled {len(done)} of {len(docs)} PDFs in "
               f"{time.perf_counter() - start:.1f} s")
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    if errors:
        raise typer.Exit(1)


def report(
    pdf_path: Path = typer.Option(..., "--pdf", help="the PDF to write, e.g. report.pdf"),
    ids: Optional[List[str]] = typer.Argument(None, help="result ids (default: all)"),
    tex: Optional[Path] = typer.Option(None, "--tex",
                                       help="where to write the .tex (default: next to the PDF)"),
    gf: bool = typer.Option(False, "--gf/--no-gf", help="add gradient-flow evidence and plots"),
) -> None:
    """The combined report: every result, Tables 1 and 2, verdicts and timings, as a PDF."""
    import theorems

    from ..io import check_writable_file, write_atomic
    from .compile import LatexError, LatexMissing, compile_pdf, latex_available, missing_message
    from .document import report_document

    check_writable_file(pdf_path, "--pdf")
    if pdf_path.suffix.lower() != ".pdf":
        raise InputError(f"--pdf={str(pdf_path)!r} must end in .pdf")
    tex_path = tex if tex is not None else pdf_path.with_suffix(".tex")
    check_writable_file(tex_path, "--tex")
    if not latex_available():              # before any work
        raise LatexMissing(missing_message())
    selected = list(dict.fromkeys(ids)) if ids else theorems.ids()
    modules, reports, runs, note, seconds = _run(selected, gf)
    doc = report_document(reports, seconds=seconds, gf_runs=runs, gf_note=note,
                          gf_requested=gf)
    for fname, data in doc.files.items():
        write_atomic(tex_path.parent / fname, data)
    write_atomic(tex_path, doc.tex)
    typer.echo(f"wrote {tex_path} ({len(reports)} claims, checking took {seconds:.1f} s)")
    try:
        comp = compile_pdf(doc.tex, pdf_path, name="report", files=doc.files)
    except LatexError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    extra = f", {comp.overfull} overfull boxes" if comp.overfull else ""
    typer.echo(f"{comp.pdf}: {comp.pages or '?'} pages, {comp.seconds:.1f} s{extra}")


if __name__ == "__main__":  # pragma: no cover
    app = typer.Typer(add_completion=False)
    app.command("latex")(latex)
    app.command("report")(report)
    app(sys.argv[1:])
