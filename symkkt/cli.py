"""The ``symkkt`` command line (typer + rich).

Exit codes: 0 every claim verified / every certificate valid; 1 some claim refuted or
unknown; 2 bad input (one line on stderr, no traceback, nothing written).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import List, NoReturn, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import InputError, SymkktError
from .claims import SECONDS_PER_CLAIM
from .suite import STATUS_STYLE, finish_run

CERT_TIMEOUT = 300.0
"""Default ``check-cert --timeout``: seconds of kernel time per certificate."""

class _App(typer.Typer):
    """The command-line app. The commands implemented in other modules (fuzzing, LaTeX,
    gradient flow, ...) are registered when the command list is first read after this module
    is loaded, unless :func:`main` runs one of the commands defined here (``verify``,
    ``list``, ``check-cert``): then their modules (hypothesis, LaTeX, ...) are never imported,
    a third of ``symkkt verify``'s start-up."""

    _armed = False          # set once this module has defined its own commands
    _own_only = False       # set by main() for a command of this module

    @property
    def registered_commands(self):
        if self._armed and not self._own_only:
            type(self)._armed = False
            _register_commands()
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value):
        self._commands = value


OWN_COMMANDS = ("list", "verify", "check-cert")


app = _App(add_completion=False, no_args_is_help=True,
                  help="Exact certificates for KKT points of the max-margin problem.")
out = Console()
err = Console(stderr=True)



@app.command("list")
def list_cmd() -> None:
    """List the bundled results and their claims."""
    import theorems

    table = Table(title="bundled results")
    table.add_column("id")
    table.add_column("title")
    for rid in theorems.ids():
        table.add_row(rid, theorems.load(rid).TITLE)
    out.print(table)


@app.command()
def verify(
    ids: Optional[List[str]] = typer.Argument(
        None, help="result ids, e.g. 3.2 4.2.1 R3.1 (default: all; see 'symkkt list')"),
    keyword: Optional[str] = typer.Option(
        None, "-k", metavar="EXPRESSION",
        help="only the claims whose id contains these words, combined with and, or, not "
             "(as in pytest), e.g. -k 'relu and not kkt'"),
    details: bool = typer.Option(False, "--details",
                                 help="one line per claim instead of one row per result"),
    json_path: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                             help="write the JSON report (exact values)"),
    certificates: Optional[Path] = typer.Option(None, "--certificates", metavar="DIR",
                                                help="write one certificate per claim here"),
    gf: bool = typer.Option(True, "--gf/--no-gf",
                            help="run gradient flow as evidence (direction error and norm "
                                 "in the table)"),
    dps: int = typer.Option(30, "--dps", help="decimal digits for gradient flow (>= 15)"),
    timeout: float = typer.Option(SECONDS_PER_CLAIM, "--timeout", metavar="SECONDS",
                                  help="wall-time budget per claim, search and kernel "
                                       "together; running out is 'unknown'"),
    jobs: int = typer.Option(1, "--jobs", "-j", metavar="J",
                             help="run the claims in J worker processes (same verdicts)"),
) -> None:
    """Verify every claim of the selected results; exit 0 only if all are verified."""
    from .io import check_distinct, check_writable_dir, check_writable_file
    from .suite import collect, run_suite

    if json_path is not None:
        check_writable_file(json_path, "--json")
    if certificates is not None:
        check_writable_dir(certificates, "--certificates")
    check_distinct(json=json_path, certificates=certificates)
    from .check import check_timeout

    check_timeout(timeout)
    if not 1 <= jobs <= 64:
        raise InputError(f"--jobs={jobs} must be between 1 and 64")
    if dps < 15:
        raise InputError(f"--dps={dps} must be at least 15")
    claims = collect(ids, keyword)
    start = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as progress:
        task = progress.add_task("verifying", total=len(claims))

        def done(rep):
            progress.update(task, advance=1, description=rep.claim.claim_id)

        reports = run_suite(claims, done, timeout=timeout, jobs=jobs)
    if gf:
        from .gf.suite import attach_gf

        reports = attach_gf(reports, dps=dps, console=err)
    elapsed = time.perf_counter() - start
    raise typer.Exit(finish_run(reports, elapsed, title="symkkt verify", out=out,
                                json_path=json_path, certificates=certificates,
                                details=details, gf=gf))


@app.command("check-cert")
def check_cert(
    files: List[Path] = typer.Argument(..., help="certificate JSON files"),
    timeout: float = typer.Option(CERT_TIMEOUT, "--timeout", metavar="SECONDS",
                                  help="wall-time budget per certificate; running out is "
                                       "'unknown' (invalid), never a crash"),
) -> None:
    """Re-check saved certificates with the kernel alone (exit 0 valid, 1 invalid, 2 unreadable)."""
    from .check import check_timeout
    from .kernel import check_certificate, load_certificate
    from .kernel.schema import validate

    check_timeout(timeout)
    docs = []
    for f in files:   # every file read and validated before any checking
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                             str(f)) from None
        doc = load_certificate(text, str(f))
        validate(doc, str(f))
        docs.append((f, doc))
    results = [(f, check_certificate(doc, str(f), timeout=timeout)) for f, doc in docs]
    bad = 0
    for f, v in results:
        style = STATUS_STYLE[v.status]
        out.print(f"{f}: [{style}]{'valid' if v.ok else 'invalid'}[/] ({v.status}) "
                  f"{'; '.join(v.reasons)}")
        bad += not v.ok
    raise typer.Exit(1 if bad else 0)


def _register_commands() -> None:
    """Commands implemented in their own modules (imported lazily by typer at call time)."""
    from .check import check
    from .fuzz import fuzz
    from .gf.cli import gf
    from .latex.cli import latex, report

    app.command("check")(check)
    app.command("gf")(gf)
    app.command("latex")(latex)
    app.command("report")(report)
    app.command("fuzz")(fuzz)
    app.command("table")(table)
    app.command("remark")(remark)
    app.command("probability")(probability)
    app.command("explore")(__import__("symkkt.explore", fromlist=["explore"]).explore)


def table(fmt: str = typer.Option("md", "--format", metavar="md|latex|json",
                                  help="output format: Markdown, LaTeX (booktabs) or JSON"),
          derive: bool = typer.Option(False, "--derive",
                                      help="derive the tables by conjecture search alone "
                                           "(no theorem module is read)"),
          examples: int = typer.Option(20, "--examples", help="--derive: instances per "
                                                              "conjecture"),
          seed: int = typer.Option(0, "--seed", help="--derive: hypothesis seed"),
          out_dir: Optional[Path] = typer.Option(None, "--out", metavar="DIR",
                                                 help="--derive: write the counterexamples "
                                                      "(claim files, certificates) here"),
          jobs: int = typer.Option(1, "--jobs", help="--derive: conjecture searches run at "
                                                     "once, one process each"),
          ) -> None:
    """Regenerate the paper's Tables 1 and 2 from the verdicts of the verified claims.

    Exit 0 if every cell is verified, 1 otherwise. With --derive every cell comes from the
    bundled conjectures (symkkt explore): a certified counterexample or "no counterexample in
    N"; exit 0 if every cell agrees with the paper, 1 otherwise.
    """
    if derive:
        return _table_derive(fmt, examples, seed, out_dir, jobs)
    import theorems
    from theorems.tables import TITLES, cited_ids, render, run_claims, tables_from_claims

    from .suite import collect, progress_bar
    from .tables import FORMATS

    if fmt not in FORMATS:
        raise InputError(f"--format={fmt!r} must be one of {', '.join(FORMATS)}")
    wanted = [t for t in cited_ids() if t in theorems.ids()]
    with progress_bar(err, len(collect(wanted))) as bar:
        task = bar.add_task("checking", total=len(collect(wanted)))
        claims, registered = run_claims(
            on_done=lambda rep: bar.update(task, advance=1, description=rep.claim.claim_id))
    doc = tables_from_claims(claims, registered)
    Console(soft_wrap=True, highlight=False, markup=False).print(render(doc, fmt, TITLES))
    ok = all(e[c] != "unverified" for rows in doc.values() for e in rows
             for c in ("linear", "relu"))
    raise typer.Exit(0 if ok else 1)


def _table_derive(fmt: str, examples: int, seed: int, out_dir: Optional[Path],
                  jobs: int) -> None:
    from .derive import DERIVE_LAYOUT, derive_tables, matches_paper, render_derived
    from .io import check_writable_dir
    from .tables import FORMATS

    if fmt not in FORMATS:
        raise InputError(f"--format={fmt!r} must be one of {', '.join(FORMATS)}")
    if examples < 1:
        raise InputError(f"--examples={examples} must be at least 1")
    if jobs < 1:
        raise InputError(f"--jobs={jobs} must be at least 1")
    if out_dir is not None:
        check_writable_dir(out_dir, "--out")
    names = {n for rows in DERIVE_LAYOUT.values() for row in rows
             for cell in (row.linear, row.relu) for n in (cell.local, cell.global_) if n}
    from .suite import progress_bar

    with progress_bar(err, len(names)) as bar:
        task = bar.add_task("searching", total=len(names))
        def done(name: str, e: dict) -> None:
            bar.update(task, advance=1, description=f"{name}: {e['outcome']}")
            if not err.is_terminal:     # a log line per conjecture when there is no bar
                err.print(f"{name}: {e['outcome']} ({e['counts']['instances']} instances, "
                          f"{e['seconds']} s)", highlight=False, markup=False)

        doc = derive_tables(examples=examples, seed=seed, out_dir=out_dir, jobs=jobs,
                            on_conjecture=done)
    Console(soft_wrap=True, highlight=False, markup=False).print(render_derived(doc, fmt))
    raise typer.Exit(0 if matches_paper(doc) else 1)


def remark(number: str = typer.Argument(..., help="remark number: 3.1, 3.2 or 4.1 (R3.1 "
                                                   "also works)"),
           alpha: Optional[List[str]] = typer.Option(
               None, "--alpha", metavar="ANGLE",
               help="an angle for Remark 3.1, e.g. 5*pi/6 (repeatable; default: six angles "
                    "and the ranges of the angle)"),
           json_path: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                                    help="write the JSON report")) -> None:
    """Check one remark's claims: 3.1 (per angle), 3.2 or 4.1; exit 0 only if all are
    verified."""
    import json

    import theorems
    from theorems import remark_3_1

    from .io import check_writable_file, write_json
    from .suite import print_claims, report_json, run_suite, showing_progress

    rid = theorems.resolve(number, remarks_only=True)
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if rid == "R3.1":
        cl = remark_3_1.claims(alpha or list(remark_3_1.DEFAULT_ALPHAS), with_range=not alpha)
    elif alpha:
        raise InputError(f"--alpha applies to remark 3.1 only, not {number!r}")
    else:
        cl = theorems.load(rid).claims()
    start = time.perf_counter()
    with showing_progress(err):
        reports = run_suite(cl)
    elapsed = time.perf_counter() - start
    print_claims(reports, out, f"Remark {rid.removeprefix('R')}",
                 keys=("alpha", "ratio2", "verdict", "eps0", "radius", "verdicts", "optimum",
                       "norm2", "probability", "l1", "better_l1"))
    doc = report_json(reports, elapsed)
    s = doc["summary"]
    out.print(f"{s['verified']} verified, {s['refuted']} refuted, {s['unknown']} unknown of "
              f"{s['total']} claims in {elapsed:.1f} s")
    for rep in reports:
        if rep.status != "verified":
            out.print(f"{rep.claim.claim_id}: {'; '.join(rep.reasons)}", markup=False,
                      soft_wrap=True)
    if rid == "R3.1":
        out.print("formulas: " + json.dumps(remark_3_1.formulas(), ensure_ascii=False),
                  markup=False, soft_wrap=True)
    if json_path is not None:
        write_json(json_path, doc)
    raise typer.Exit(0 if s["verified"] == s["total"] else 1)


def probability(samples: int = typer.Option(100, "--samples", help="gradient-flow runs"),
                seed: int = typer.Option(0, "--seed", help="random seed of the "
                                                           "initializations: same seed, same "
                                                           "runs"),
                workers: int = typer.Option(0, "--workers", help="processes (0: all cores)"),
                max_seconds: float = typer.Option(5.0, "--max-seconds", metavar="SECONDS",
                                                  help="wall-time budget per run"),
                json_path: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                                         help="write the JSON report")
                ) -> None:
    """Theorem 3.2 "with constant probability": the exact probability of its hypotheses,
    checked by the kernel, and Monte Carlo runs of gradient flow (evidence).

    Exit 0 if the kernel verifies the closed form.
    """
    from theorems import thm_3_2_probability as P

    from .suite import progress_bar

    if samples < 1 or workers < 0 or not 0 < max_seconds < float("inf"):
        raise InputError("--samples must be >= 1, --workers >= 0 and --max-seconds > 0")
    real = P.gf_monte_carlo

    def with_progress(*args, **kwargs):
        with progress_bar(err, None, f"gradient-flow Monte Carlo, {samples} runs") as bar:
            bar.add_task("", total=None)
            return real(*args, **kwargs)

    P.gf_monte_carlo = with_progress
    try:
        P.cli_probability(samples=samples, seed=seed, workers=workers,
                          max_seconds=max_seconds, json_path=json_path)
    finally:
        P.gf_monte_carlo = real


_App._armed = True


def _typer_error_classes() -> tuple[type, type]:
    """typer's own ``(ClickException, UsageError)`` classes.

    typer >= 0.20 vendors click (``typer._click``) and no longer depends on the ``click``
    package; older typer re-exports click's classes. Either way ``typer.BadParameter`` derives
    from both, so they are read off its MRO rather than imported from a package that may be
    absent, or present but a different one (mkdocs brings its own click).
    """
    mro = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
    return mro["ClickException"], mro["UsageError"]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _fail(message: str, code: int) -> NoReturn:
    err.print(_one_line(message), markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def _usage_error(exc: Exception) -> str:
    """One line for a typer usage error: what, in which command, and where to look."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "symkkt"
    if type(exc).__name__ == "NoArgsIsHelpError":
        # typer has printed the help (rich writes it while formatting); say what is missing
        if str(getattr(exc, "message", "")).strip():
            out.print(exc.message, markup=False, highlight=False)
        return f"error: {command}: missing command or argument (see the help above)"
    what = _one_line(exc.format_message()).rstrip(".")
    return f"error: {command}: {what} (try '{command} --help')"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; every error ends in one line on stderr.

    Exit codes: what the command returns (0/1); 2 for bad input (typer's usage errors, a bad
    option value, an unwritable path, a malformed file: nothing written); 3 for an internal
    error (a bug: one line, ``SYMKKT_DEBUG=1`` shows the traceback); 130 if interrupted.

    Run as the program (``argv`` None: the ``symkkt`` command, ``python -m symkkt.cli``), it
    leaves without tearing the interpreter down once everything is written (see
    :func:`_leave_quickly`).
    """
    try:
        _main(argv)
    except SystemExit as exc:
        if argv is None and isinstance(exc.code, int):
            _leave_quickly(exc.code)
        raise


def _leave_quickly(code: int) -> None:
    """At interpreter exit, flush stdout and stderr and end the process with ``code`` before
    the interpreter frees its objects one by one (half a second after ``symkkt verify``:
    sympy's caches and the kernel's memos). Registered last, so it runs first among the exit
    handlers; by then every file the command wrote is closed and its worker pool shut down."""
    import atexit

    def leave() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)

    atexit.register(leave)


def _main(argv: list[str] | None) -> None:
    click_exception, usage_error = _typer_error_classes()
    args = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in args if not a.startswith("-")), None)
    app._own_only = command in OWN_COMMANDS
    try:
        rc = app(args=argv, prog_name="symkkt", standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SymkktError as exc:  # InputError and the other deliberate errors
        _fail(f"error: {exc}", 2)
    except (KeyboardInterrupt, typer.Abort):
        _fail("interrupted", 130)
    except usage_error as exc:
        _fail(_usage_error(exc), 2)
    except click_exception as exc:  # e.g. a file option typer could not open: bad input too
        _fail(f"error: {exc.format_message()}", 2)
    except BrokenPipeError:  # `symkkt ... | head`: stdout went away, nothing to report
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(1)
    except Exception as exc:  # a genuine bug
        if os.environ.get("SYMKKT_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set SYMKKT_DEBUG=1 for a "
              f"traceback)", 3)


if __name__ == "__main__":
    main()
