"""Run the bundled results (the ``theorems`` package) and assemble the JSON report."""

from __future__ import annotations

import re
import time
from typing import Callable, Iterable

from . import __version__
from .errors import InputError
from .claims import SECONDS_PER_CLAIM, STATUSES, Claim, ClaimReport, run_claim

__all__ = ["collect", "select", "keyword_matcher", "run_suite", "report_json", "finish_run",
           "key_values", "show_invariant", "STATUS_STYLE", "result_table", "print_claims",
           "gf_summary"]


def collect(ids: Iterable[str] | None = None, keyword: str | None = None) -> list[Claim]:
    """Every claim of the selected results (all when ``ids`` is empty), in the paper's order.

    Ids may be spelled as :func:`theorems.resolve` accepts (``4.2.1`` for ``4.2(1)``,
    ``r3.1``); an unknown id raises :class:`InputError` with "did you mean". ``keyword``
    keeps the claims matching a ``-k`` expression (:func:`keyword_matcher`); matching none
    is an :class:`InputError` too."""
    import theorems

    match = keyword_matcher(keyword) if keyword is not None else None
    selected = list(ids) if ids else theorems.ids()
    resolved = list(dict.fromkeys(theorems.resolve(i) for i in selected))  # all ids first
    modules = [theorems.load(i) for i in resolved]
    out: list[Claim] = []
    for mod in modules:
        out.extend(mod.claims())
    if match is not None:
        out = select(out, match)
        if not out:
            raise InputError(f"-k {keyword!r} matches no claim of "
                             f"{'the selected results' if ids else 'any result'}")
    return out


def select(claims: list[Claim], match: Callable[[str], bool]) -> list[Claim]:
    """The claims whose id, in any spelling of its result id, ``match`` accepts."""
    import theorems

    kept = []
    for c in claims:
        rest = c.claim_id[len(c.theorem):]
        names = [a + rest for a in theorems.aliases(c.theorem)] if \
            c.claim_id.startswith(c.theorem) else [c.claim_id]
        if any(match(n.lower()) for n in names):
            kept.append(c)
    return kept


_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def keyword_matcher(pattern: str) -> Callable[[str], bool]:
    """A ``-k`` expression as in pytest: words matched as case-insensitive substrings of a
    claim id, combined with ``and``, ``or``, ``not`` and parentheses (parsed here, never
    evaluated as Python). A malformed expression is an :class:`InputError`."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise InputError("-k needs a non-empty expression, e.g. -k 'relu and not kkt'")
    tokens = _TOKEN.findall(pattern)
    pos = 0

    def bad(msg: str) -> InputError:
        return InputError(f"-k {pattern!r}: {msg}")

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def expr_or():
        left = expr_and()
        while peek() == "or":
            take()
            right = expr_and()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def expr_and():
        left = expr_not()
        while peek() == "and":
            take()
            right = expr_not()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def expr_not():
        if peek() == "not":
            take()
            inner = expr_not()
            return lambda s: not inner(s)
        return atom()

    def atom():
        tok = peek()
        if tok is None:
            raise bad("the expression ends too early")
        if tok == "(":
            take()
            inner = expr_or()
            if peek() != ")":
                raise bad("a '(' is not closed")
            take()
            return inner
        if tok in (")", "and", "or"):
            raise bad(f"unexpected {tok!r}")
        word = take().lower()
        return lambda s: word in s

    fn = expr_or()
    if pos != len(tokens):
        raise bad(f"unexpected {tokens[pos]!r}")
    return fn


_PROGRESS: list = []
"""Consoles that :func:`showing_progress` asked :func:`run_suite` to show a progress bar on."""


class showing_progress:
    """``with showing_progress(console): ...``: every :func:`run_suite` call inside (without
    its own ``on_done``) shows a transient progress bar on ``console`` if it is a terminal.
    Lets a command show progress for work that calls :func:`run_suite` deep inside."""

    def __init__(self, console) -> None:
        self.console = console

    def __enter__(self):
        _PROGRESS.append(self.console)
        return self

    def __exit__(self, *exc) -> None:
        _PROGRESS.pop()


def progress_bar(console, total: int | None, what: str = "{task.description}"):
    """A transient rich progress bar on ``console`` (disabled when it is not a terminal)."""
    from rich.progress import (BarColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn)

    cols = [SpinnerColumn(), TextColumn(what), BarColumn()]
    if total is not None:
        cols.append(TextColumn("{task.completed}/{task.total}"))
    cols.append(TimeElapsedColumn())
    return Progress(*cols, console=console, transient=True, disable=not console.is_terminal)


def run_suite(claims: list[Claim], on_done: Callable[[ClaimReport], None] | None = None,
              timeout: float | None = SECONDS_PER_CLAIM, jobs: int = 1) -> list[ClaimReport]:
    """Run every claim, each within ``timeout`` seconds (search and kernel together).

    ``jobs > 1`` runs bundled claims in that many worker processes (each rebuilds the claim
    from its result module and runs the same search and kernel: the verdicts are the same as
    in a serial run); reports come back in the claims' order."""
    if on_done is None and _PROGRESS:
        with progress_bar(_PROGRESS[-1], len(claims)) as bar:
            task = bar.add_task("checking", total=len(claims))

            def advance(rep: ClaimReport) -> None:
                bar.update(task, advance=1, description=rep.claim.claim_id)

            return run_suite(claims, advance, timeout, jobs)
    if jobs > 1 and len(claims) > 1:
        return _run_parallel(claims, on_done, timeout, jobs)
    reports = []
    for claim in claims:
        rep = run_claim(claim, timeout)
        reports.append(rep)
        if on_done:
            on_done(rep)
    return reports


_WORKER_CLAIMS: dict[str, dict[str, Claim]] = {}


def _run_in_worker(theorem: str, claim_ids: tuple[str, ...], timeout: float | None) -> list:
    """Worker side of :func:`_run_parallel`: the claims as the parent built them (a forked
    worker inherits :data:`_WORKER_CLAIMS`), else rebuilt from their module, and run."""
    import theorems

    from .readable import readable

    known = _WORKER_CLAIMS.get(theorem)
    if known is None or any(c not in known for c in claim_ids):
        known = _WORKER_CLAIMS[theorem] = {c.claim_id: c
                                           for c in theorems.load(theorem).claims()}
    out = []
    for claim_id in claim_ids:
        rep = run_claim(known[claim_id], timeout)
        shown = {text: readable(text) for text in _shown_texts(rep.values)}
        out.append((rep.status, tuple(rep.reasons), dict(rep.values), rep.seconds,
                    rep.certificate, dict(rep.evidence), shown))
    return out


CHUNK = 4
"""Claims per task of ``--jobs``: consecutive claims of one result (they share points, so a
worker's remembered signs and proofs serve the next one), few enough to balance the load."""


def _chunks(claims: list[Claim], size: int = CHUNK) -> list[list[int]]:
    """Indices of consecutive claims of the same result, at most ``size`` per chunk."""
    out: list[list[int]] = []
    for i, c in enumerate(claims):
        if out and len(out[-1]) < size and claims[out[-1][-1]].theorem == c.theorem:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _run_parallel(claims: list[Claim], on_done, timeout, jobs: int) -> list[ClaimReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import theorems

    from .readable import remember

    known = set(theorems.ids())
    if any(c.theorem not in known for c in claims):     # not bundled: cannot be rebuilt
        return run_suite(claims, on_done, timeout, jobs=1)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if "fork" in methods:       # the workers inherit the claims: none is built twice
        for c in claims:
            _WORKER_CLAIMS.setdefault(c.theorem, {})[c.claim_id] = c
    out: list[ClaimReport | None] = [None] * len(claims)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        chunks = _chunks(claims)
        futures = [pool.submit(_run_in_worker, claims[ix[0]].theorem,
                               tuple(claims[i].claim_id for i in ix), timeout)
                   for ix in chunks]
        for ix, fut in zip(chunks, futures):
            for i, res in zip(ix, fut.result()):
                status, reasons, values, seconds, cert, evidence, shown = res
                remember(shown)                     # the table's readable forms, made there
                out[i] = ClaimReport(claims[i], status, reasons, values, seconds, cert,
                                     evidence)
                if on_done:
                    on_done(out[i])
    return [r for r in out if r is not None]


def report_json(reports: list[ClaimReport], seconds: float | None = None) -> dict:
    summary = {s: sum(r.status == s for r in reports) for s in STATUSES}
    summary["total"] = len(reports)
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return {"symkkt": __version__, "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "claims": [r.to_json() for r in reports], "summary": summary}


STATUS_STYLE = {"verified": "green", "refuted": "red", "unknown": "yellow"}
KEY_VALUES = ("norm2", "layer_norm2", "multipliers", "eps0", "leading_term", "lower_bound",
              "better_norm2", "init_margins", "invariant", "kkt_points_on_invariant",
              "normalized_margin_at_init", "interval")


def key_values(values: dict, keys: Iterable[str] = KEY_VALUES) -> str:
    """The values worth a table column, ``key=value`` (lists in parentheses, invariant sets as
    ``fixed={a,b} equal={c=d} positive={e}``)."""
    parts = []
    for key in keys:
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


def _claims_text(done: int, total: int) -> str:
    style = "green" if done == total else "red"
    return f"[{style}]{done}/{total}[/]"


SHOWN_KEYS = ("norm2", "leading_term", "normalized_margin_at_init")
"""The values the one-row-per-result table shows readable (:func:`_result_values`)."""


def _shown_texts(values: dict) -> list[str]:
    """The exact strings of a claim's values that the table shows readable."""
    out = [values[k] for k in SHOWN_KEYS if isinstance(values.get(k), str)]
    iv = values.get("interval")
    if isinstance(iv, list) and len(iv) > 1 and isinstance(iv[1], str):
        out.append(iv[1])
    return out


def _result_values(reps: list[ClaimReport]) -> str:
    """A result's key values for the one-row-per-result table: its distinct ‖θ̃‖² and
    leading terms, shown readable (:func:`symkkt.readable.readable`; the JSON keeps the
    exact strings)."""
    from .readable import readable

    def distinct(key: str) -> list[str]:
        seen = []
        for r in reps:
            v = r.values.get(key)
            shown = readable(v).replace(" ", "") if isinstance(v, str) else None
            if shown is not None and shown not in seen:   # no spaces: wraps between values
                seen.append(shown)
        return seen

    parts = []
    for key, name in zip(SHOWN_KEYS, ("‖θ̃‖²", "Δ‖θ‖²", "γ(0)")):
        vals = distinct(key)
        if vals:
            more = f" (+{len(vals) - 2})" if len(vals) > 2 else ""
            parts.append(f"{name} = {', '.join(vals[:2])}{more}")
    intervals = [r.values["interval"] for r in reps if isinstance(r.values.get("interval"), list)]
    if intervals:      # margin-decreases: γ strictly decreases on [0, T]
        parts.append(f"γ↓ on [0, {readable(intervals[0][1]).replace(' ', '')}]")
    return "; ".join(parts)


def gf_summary(reps: list[ClaimReport]) -> tuple[str, str]:
    """(largest direction error, smallest final ‖θ‖) over the gradient-flow runs attached to
    these reports (``evidence["gf"]``), formatted; ``("-", "-")`` without runs."""
    errs, norms, failed = [], [], False
    seen = set()
    for r in reps:
        g = r.evidence.get("gf") if r.evidence else None
        if not g or g.get("label") in seen:
            continue
        seen.add(g.get("label"))
        if "error" in g:
            failed = True
            continue
        if g.get("direction_error") is not None:
            errs.append(float(g["direction_error"]))
        try:
            norms.append(float(g["norm"]))
        except (KeyError, TypeError, ValueError):
            pass
    err = f"{max(errs):.1e}" if errs else ("failed" if failed else "-")
    norm = f"{min(norms):.0e}".replace("e+", "e") if norms else "-"
    return err, norm


def result_table(reports: list[ClaimReport], title: str, *, gf: bool = False):
    """One row per result: claims verified/total, key values, gradient flow, seconds."""
    from rich.table import Table

    groups: dict[str, list[ClaimReport]] = {}
    for rep in reports:
        groups.setdefault(rep.claim.theorem, []).append(rep)
    table = Table(title=title)
    table.add_column("result", no_wrap=True)
    table.add_column("claims", no_wrap=True, justify="right")
    table.add_column("key values", overflow="fold", ratio=1)
    if gf:
        table.add_column("GF dir. err", no_wrap=True)
        table.add_column("GF ‖θ‖", no_wrap=True)
    table.add_column("s", no_wrap=True, justify="right")
    for rid, reps in groups.items():
        done = sum(r.status == "verified" for r in reps)
        row = [rid, _claims_text(done, len(reps)), _result_values(reps)]
        if gf:
            row.extend(gf_summary(reps))
        row.append(f"{sum(r.seconds for r in reps):.1f}")
        table.add_row(*row)
    return table


def print_claims(reports: list[ClaimReport], out, title: str | None = None,
                 keys: Iterable[str] = KEY_VALUES) -> None:
    """Every claim: its id on a line of its own when needed (an id is never broken), then
    status, seconds, and its key values (readable) indented below; gradient flow if run."""
    from rich.text import Text

    from .readable import readable

    if title:
        out.print(Text(title, style="bold"))
    width = out.width
    for rep in reports:
        cid = rep.claim.claim_id
        status = Text(f"{rep.status:<8}", style=STATUS_STYLE[rep.status])
        secs = f"{rep.seconds:7.2f} s"
        line = Text.assemble(status, f" {secs}  ", Text(cid, no_wrap=True))
        if line.cell_len <= width:
            out.print(line, no_wrap=True, overflow="ignore", crop=False)
        else:
            out.print(Text.assemble(status, f" {secs}"))
            out.print(Text("  " + cid), no_wrap=True, overflow="ignore", crop=False)
        vals = {k: (readable(v) if isinstance(v, str) else v) for k, v in rep.values.items()}
        for k, v in rep.claim.extra.items():
            if k in keys and k not in vals:
                vals[k] = v
        shown = key_values(vals, keys)
        g = rep.evidence.get("gf") if rep.evidence else None
        if g:
            err, norm = gf_summary([rep])
            shown += f"  GF: dir. err {err} at ‖θ‖ {norm}"
        if shown:
            from rich.padding import Padding

            out.print(Padding(Text(shown.strip()), (0, 0, 0, 4)), highlight=False)


def finish_run(reports: list[ClaimReport], elapsed: float, *, title: str, out,
               json_path=None, certificates=None, all_reasons: bool = False,
               note: str | None = None, details: bool = True, gf: bool = False) -> int:
    """What ``verify`` and ``check`` do after the work: the table (one row per result, or
    with ``details`` every claim), the summary line, the reasons (of every claim, or of those
    not verified), then the certificates and the JSON report (atomic writes). Returns the
    exit code: 0 iff every claim is verified."""
    from rich.text import Text

    from .io import safe_filename, write_json

    if details:
        print_claims(reports, out, title)
    else:
        out.print(result_table(reports, title, gf=gf))
    doc = report_json(reports, elapsed)
    s = doc["summary"]
    out.print(f"{s['verified']} verified, {s['refuted']} refuted, {s['unknown']} unknown of "
              f"{s['total']} claims in {elapsed:.1f} s")
    if note:
        out.print(note)
    for rep in reports:
        if all_reasons or rep.status != "verified":
            out.print(Text.assemble(Text(rep.claim.claim_id, style=STATUS_STYLE[rep.status]),
                                    ": " + "; ".join(rep.reasons)), soft_wrap=True)
    if certificates is not None:
        certificates.mkdir(parents=True, exist_ok=True)
        for rep in reports:
            if rep.certificate is not None:
                write_json(certificates / f"{safe_filename(rep.claim.claim_id)}.json",
                           rep.certificate)
    if json_path is not None:
        write_json(json_path, doc)
    return 0 if s["verified"] == s["total"] else 1
