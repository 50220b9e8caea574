"""``symkkt check FILE.toml…``: the user's own claims, searched automatically, checked exactly.

For each ``[[claim]]`` of each claim file (format: ``docs/claim-files.md``) the search in
:mod:`symkkt.autosearch` (and :mod:`symkkt.optimum` for certified optima) produces a
certificate and the kernel decides it. How a claim's status follows from kernel verdicts:

=============  =========================================  ==========================================
claim          verified when the kernel verifies           refuted when the kernel verifies
=============  =========================================  ==========================================
``kkt``        a ``kkt`` certificate (the given            a ``not-kkt`` certificate (infeasible, or
               multipliers if they work, else searched     an exact Farkas vector); given
               ones)                                       multipliers that fail are a reason only
``not-kkt``    a ``not-kkt`` certificate                   a ``kkt`` certificate
``not-local``  a ``not-local`` curve (or: the point is     a ``local`` (``per-layer-local``)
               infeasible)                                 certificate
``local``      a ``local`` (``per-layer-local``)           a ``not-local`` curve, or infeasibility
               certificate
``global``     a ``global`` (``per-layer-global``)         a ``better-point`` certificate (or a
               certificate                                 ``global`` one carrying a better point),
                                                           or infeasibility
``not-global`` a ``better-point`` certificate (or:         a ``global`` (``per-layer-global``)
               infeasible)                                 certificate
=============  =========================================  ==========================================

``convergence`` ("gradient flow from ``init`` converges in direction to the point") is decided
by one ``convergence`` certificate: its invariant is the file's ``invariant`` when given, else
the one :mod:`symkkt.invariant` finds; the claim's status is the kernel's verdict on it
(``refuted`` only when Theorem 2.1 applies, the set is invariant and the point is not among the
KKT points of the invariant cone; ``unknown`` when the certificate does not apply or fails, the
cone holds another KKT point, or something is undecidable).

Anything else is ``unknown`` with the reason the search gave up. Exit code 0 if every claim is
verified, 1 if any is refuted or unknown, 2 for bad input (one line ``file:line:col: message``;
every file is validated before any work and nothing is written).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .claimfile import ClaimFile, ClaimSpec, load_claim_file
from .errors import InputError, UndecidedError
from .kernel.budget import BudgetExceeded, OutOfTime, budget

__all__ = ["check", "check_timeout", "run_claim_file", "run_spec", "SECONDS_PER_CLAIM",
           "HARD_LIMIT_PER_CLAIM"]

SECONDS_PER_CLAIM = 60.0
"""Wall-clock budget of the automatic search for one claim (the kernel's checks come on top)."""

HARD_LIMIT_PER_CLAIM = 300.0
"""Default ``--timeout``: a claim still running after this many seconds (search and kernel
together) stops with status ``unknown``."""

QUICK_CURVE_SECONDS = 5.0
"""A ``global`` claim first looks this long for a proven not-local curve (a better point at
once); the full search for one comes last, after the optimum search and the better-point
search (its exact algebra can take tens of seconds on a point that is in fact global)."""

HARD_LIMIT_PER_FILE = 60.0
"""Reading and validating one claim file may take at most this long (else bad input)."""


_TimeUp = OutOfTime
"""Raised by :func:`time_limit` when its budget runs out (an outer budget passes through)."""


def time_limit(seconds: float):
    """Raise :class:`_TimeUp` after ``seconds`` of wall time (POSIX main thread only); nests
    with the kernel's own budgets (:mod:`symkkt.kernel.budget`)."""
    return budget(seconds)


# ------------------------------------------------------------------------------ running


@dataclass
class _Outcome:
    status: str
    reasons: list[str]
    values: dict
    certificate: dict | None
    evidence: dict = field(default_factory=dict)


class _Session:
    """Search results shared by the claims of one file (same instance, same layer)."""

    def __init__(self, cf: ClaimFile) -> None:
        self.cf = cf
        self._cache: dict[tuple, Any] = {}

    def instance(self, layer: int | None):
        from .problems import Instance

        key = ("inst", layer)
        if key not in self._cache:
            self._cache[key] = Instance.make(self.cf.network, self.cf.X, self.cf.Y,
                                             self.cf.point, layer)
        return self._cache[key]

    def memo(self, key: tuple, fn: Callable[[], Any]) -> Any:
        """``fn()`` once per key and file. Failures are memoized too: a search that ran out
        of the claim's time (or raised) is not started again by a later claim of the run."""
        if key not in self._cache:
            try:
                self._cache[key] = fn()
            except BudgetExceeded:
                self._cache[key] = _Failed(f"the search {key[0]!r} ran out of time for an "
                                           f"earlier claim of this file")
                raise
            except (OutOfTime, RecursionError, MemoryError, Exception) as exc:
                self._cache[key] = _Failed(f"the search {key[0]!r} failed for an earlier "
                                           f"claim of this file: {type(exc).__name__}: "
                                           f"{str(exc)[:200]}")
                raise
        hit = self._cache[key]
        if isinstance(hit, _Failed):
            raise _Memoized(hit.reason)
        return hit

    def known(self, key: tuple) -> bool:
        return key in self._cache

    def put(self, key: tuple, value: Any) -> None:
        self._cache.setdefault(key, value)


@dataclass(frozen=True)
class _Failed:
    reason: str


class _Memoized(Exception):
    """A search that already failed in this run: the claim is unknown at once."""


def _verdict_values(found) -> dict:
    return dict(found.verdict.values) if found is not None and found.verdict is not None else {}


def _base_values(inst) -> dict:
    from .autosearch import text as to_text

    out = {"norm2": to_text(inst.norm2)}
    if inst.layer is not None:
        import sympy

        out["layer_norm2"] = to_text(sympy.radsimp(sympy.expand(
            sum((inst.point[p] ** 2 for p in inst.free), sympy.Integer(0)))))
    return out


def _ok(found) -> bool:
    return found is not None and found.verdict is not None and found.verdict.ok


def _why(found, default: str) -> str:
    if found is None:
        return default
    if found.verdict is not None and found.verdict.reasons and not found.verdict.ok:
        return f"{found.reason}: {found.verdict.reasons[0]}" if found.reason else \
            found.verdict.reasons[0]
    return found.reason or default


def run_spec(session: _Session, spec: ClaimSpec, seconds: float = SECONDS_PER_CLAIM
             ) -> _Outcome:
    """Search for the certificates of one claim and map the kernel's verdicts to a status."""
    from . import autosearch as A

    inst = session.instance(spec.layer)
    L = spec.layer
    base = _base_values(inst)

    def outcome(status, reasons, found=None, evidence=None, values=None):
        vals = dict(base)
        vals.update(values if values is not None else _verdict_values(found))
        ev = dict(evidence or {})
        if found is not None:
            if found.strategy:
                ev.setdefault("strategy", found.strategy)
            if found.certificate is not None:
                ev.setdefault("certificate_kind", found.certificate.get("kind"))
            if found.log:
                ev.setdefault("search_log", list(found.log))
        return _Outcome(status, [r for r in reasons if r], vals,
                        found.certificate if found is not None else None, ev)

    def not_kkt():
        return session.memo(("not-kkt", L), lambda: A.prove_not_kkt(inst))

    def kkt():
        return session.memo(("kkt", L), lambda: A.kkt_certificate(inst))

    def infeasible():
        nk = not_kkt()
        return nk if _ok(nk) and nk.strategy == "infeasible" else None

    def curve():
        def go():
            if spec.curve is not None:
                return _hand_curve(inst, spec, seconds)
            return A.search_not_local(inst, seconds=seconds)
        key = ("curve", L, spec.index if spec.curve is not None else None)
        return session.memo(key, go)

    cut_short: list[bool] = []

    def quick_curve():
        """:func:`curve` within :data:`QUICK_CURVE_SECONDS`. A finished search is shared with
        :func:`curve`; one cut short is no answer (``cut_short``), and leaves the full search
        to a later :func:`curve`."""
        key = ("curve", L, None)
        if spec.curve is not None or session.known(key):
            return curve()
        try:
            with time_limit(QUICK_CURVE_SECONDS):
                found = A.search_not_local(inst, seconds=QUICK_CURVE_SECONDS)
        except OutOfTime:
            cut_short.append(True)
            return None
        if _ok(found) or not found.exhausted:
            session.put(key, found)
        else:
            cut_short.append(True)
        return found

    def local():
        return session.memo(("local", L), lambda: _optimum(inst, "local"))

    def glob():
        return session.memo(("global", L), lambda: _optimum(inst, "global"))

    def better():
        def go():
            if spec.better_point is not None:
                cert = A.better_point_certificate(inst, spec.better_point)
                from .kernel.certificate import check_certificate

                v = check_certificate(cert, source="not-global")
                return A.Found(cert, v, "the better point given in the claim file", "given")
            g = glob()
            if g is not None and g.certificate is not None and \
                    "better_point" in g.certificate:
                cert = inst.base_json()
                cert.update({"kind": "better-point",
                             "better_point": g.certificate["better_point"]})
                from .kernel.certificate import check_certificate

                v = check_certificate(cert, source="not-global")
                if v.ok:
                    return A.Found(cert, v, "the certified global optimum is better",
                                   "optimum")
            c = curve() if spec.kind in ("not-global", "global") else None
            return A.search_better_point(inst, seconds=seconds,
                                         curve_cert=c.certificate if _ok(c) else None)
        key = ("better", L, spec.index if spec.better_point is not None else None)
        return session.memo(key, go)

    kind = spec.kind
    if kind == "convergence":
        f = session.memo(("convergence", spec.index), lambda: _convergence(inst, spec, seconds))
        if f.verdict is None:
            return outcome("unknown", [f.reason], f)
        return outcome(f.verdict.status, list(f.verdict.reasons), f)
    if kind == "kkt":
        given: list[str] = []
        if spec.multipliers is not None:
            f = A.kkt_with_multipliers(inst, spec.multipliers)
            if f.verdict is not None and f.verdict.ok:
                return outcome("verified", list(f.verdict.reasons), f)
            # The given multipliers fail: a reason, not a refutation (the point may be KKT
            # with other multipliers). Search, and let the search decide.
            given = ["the given multipliers are not KKT multipliers ("
                     + ("; ".join(f.verdict.reasons) if f.verdict is not None
                        else _why(f, "no certificate")) + "); searched instead"]
        f = kkt()
        if _ok(f):
            return outcome("verified", given + list(f.verdict.reasons), f)
        nk = not_kkt()
        if _ok(nk):
            return outcome("refuted", given + ["not a KKT point: " + nk.verdict.reasons[0]], nk)
        return outcome("unknown", given + [f"no KKT certificate: {_why(f, 'search failed')}; "
                                           f"no proof of the contrary: "
                                           f"{_why(nk, 'search failed')}"], f)
    if kind == "not-kkt":
        nk = not_kkt()
        if _ok(nk):
            return outcome("verified", list(nk.verdict.reasons), nk)
        f = kkt()
        if _ok(f):
            return outcome("refuted", ["the point is a KKT point: " + f.verdict.reasons[0]], f)
        return outcome("unknown", [f"no exact proof that no multipliers exist: "
                                   f"{_why(nk, 'search failed')}"], nk)
    if kind == "not-local":
        inf = infeasible()
        if inf is not None:
            return outcome("verified", ["not a local optimum: " + inf.verdict.reasons[0]], inf)
        c = curve()
        if _ok(c):
            return outcome("verified", list(c.verdict.reasons), c)
        lo = local()
        if _ok(lo):
            return outcome("refuted", ["the point is a local optimum: " + lo.verdict.reasons[0]],
                           lo)
        return outcome("unknown", [f"no curve proven: {_why(c, 'search failed')}"], c)
    if kind == "local":
        inf = infeasible()
        if inf is not None:
            return outcome("refuted", ["not a local optimum: " + inf.verdict.reasons[0]], inf)
        lo = local()
        if _ok(lo):
            return outcome("verified", list(lo.verdict.reasons), lo)
        c = curve()
        if _ok(c):
            return outcome("refuted", ["not a local optimum: " + c.verdict.reasons[0]], c)
        return outcome("unknown", [f"no local-optimality certificate: "
                                   f"{_why(lo, 'search failed')}; no curve found either"], lo)
    if kind == "global":
        inf = infeasible()
        if inf is not None:
            return outcome("refuted", ["not a global optimum: " + inf.verdict.reasons[0]], inf)
        def via_curve(c):
            """A point on a proven not-local curve, certified better (or None)."""
            if not _ok(c):
                return None
            pt = A.point_on_curve(c.certificate)
            if pt is None:
                return None
            from .kernel.certificate import check_certificate

            cert = A.better_point_certificate(inst, pt)
            v = check_certificate(cert, source="not-global")
            if not v.ok:
                return None
            return outcome("refuted", ["not a global optimum: " + v.reasons[0]],
                           A.Found(cert, v, "a point on the proven not-local curve", "curve"))

        # the cheap refutation first: a proven not-local curve gives a better point at once,
        # before the optimum search (exponential in the width for ReLU networks)
        quick = via_curve(quick_curve())
        if quick is not None:
            return quick
        g = glob()
        if _ok(g):
            return outcome("verified", list(g.verdict.reasons), g)
        b = better()
        if _ok(b):
            vals = _verdict_values(b)
            if g is not None and g.verdict is not None and "lower_bound" in g.verdict.values:
                vals.setdefault("lower_bound", g.verdict.values["lower_bound"])
            return outcome("refuted", ["not a global optimum: " + b.verdict.reasons[0]], b,
                           values=vals)
        if cut_short:                       # the quick look ran out of time: the full one
            late = via_curve(curve())
            if late is not None:
                return late
        return outcome("unknown", [f"no global-optimality certificate: "
                                   f"{_why(g, 'search failed')}; no better point found"], g)
    if kind == "not-global":
        inf = infeasible()
        if inf is not None:
            return outcome("verified", ["not a global optimum: " + inf.verdict.reasons[0]], inf)
        b = better()
        if _ok(b):
            return outcome("verified", list(b.verdict.reasons), b)
        g = glob()
        if _ok(g):
            return outcome("refuted", ["the point is a global optimum: " + g.verdict.reasons[0]],
                           g)
        return outcome("unknown", [f"no better point found: {_why(b, 'search failed')}"], b)
    raise AssertionError(f"unhandled kind {kind}")


def _hand_curve(inst, spec: ClaimSpec, seconds: float):
    """A curve given in the claim file: guess k if not given, search ε0 if not given."""
    import sympy

    from . import autosearch as A
    from .perturb import EPSILON, LADDER

    cs = spec.curve
    curve = {p: cs.point.get(p, inst.point[p]) for p in inst.network.params}
    if cs.substitution_power is not None:
        ks = [cs.substitution_power]
    else:
        ks = [1, 2, 3, 4, 6]
        dens = {sympy.fraction(sympy.Rational(e.exp))[1] for v in curve.values()
                for e in _as_expr(v).atoms(sympy.Pow) if e.base.has(EPSILON)
                and e.exp.is_Rational}
        if dens:
            lcm = int(sympy.ilcm(*dens)) if len(dens) > 1 else int(next(iter(dens)))
            ks = [lcm] if lcm <= 12 else ks
    ladder = [cs.eps0] if cs.eps0 is not None else list(LADDER[:12])
    budget = A.Budget(seconds)
    last = None
    for k in ks:
        f = A.check_curve(inst, curve, k, ladder, budget, "given-curve",
                          "the curve given in the claim file")
        if f.ok:
            return f
        last = f
    return last


def _convergence(inst, spec: ClaimSpec, seconds: float):
    """The ``convergence`` certificate: the file's invariant, or the one searched for."""
    from . import autosearch as A
    from . import invariant as I
    from .kernel.certificate import check_certificate

    if spec.invariant is not None:
        cert = I.convergence_certificate(inst, spec.init, spec.invariant, spec.losses)
        v = check_certificate(cert, source="convergence")
        return A.Found(cert, v, "the invariant given in the claim file", "given-invariant")
    res = I.search_invariant(inst, spec.init, spec.losses, seconds=seconds)
    return A.Found(res.certificate, res.verdict, res.reason, "invariant-search",
                   list(res.log))


def _optimum(inst, which: str):
    """A certified optimum from :mod:`symkkt.optimum` (kernel-checked), or None."""
    from . import autosearch as A
    from .kernel.certificate import check_certificate

    try:
        from . import optimum as O
    except ImportError:  # pragma: no cover - the module ships with symkkt
        return A.Found(None, None, "certified optima are not available in this build")
    try:
        if inst.layer is not None:
            cert, reason = O.per_layer_certificate(inst, local=(which == "local"))
        elif which == "local":
            cert, reason = O.local_certificate(inst)
        else:
            cert, reason, _ = O.global_certificate(inst)
    except UndecidedError as exc:
        return A.Found(None, None, f"undecided: {exc}")
    if cert is None:
        return A.Found(None, None, reason)
    if which == "global" and "better_point" in cert:
        # the optimum found is better than the point: not a certificate of optimality; the
        # better point is checked on its own (kind better-point) by the not-global search
        return A.Found(cert, None, reason, "optimum")
    return A.Found(cert, check_certificate(cert, source=which), reason, "optimum")


# ------------------------------------------------------------------------------ reports


def run_claim_file(cf: ClaimFile, on_done: Callable | None = None,
                   seconds: float = SECONDS_PER_CLAIM, timeout: float | None = None) -> list:
    """Run every claim of a validated file; a list of :class:`symkkt.claims.ClaimReport`.

    ``seconds`` bounds each automatic search; ``timeout`` (default
    :data:`HARD_LIMIT_PER_CLAIM`) bounds each claim as a whole, kernel included."""
    if timeout is None:
        timeout = HARD_LIMIT_PER_CLAIM
    from .claims import Claim, ClaimReport

    session = _Session(cf)
    reports = []
    stem = Path(cf.source).stem
    for spec in cf.claims:
        start = time.perf_counter()
        inst = session.instance(spec.layer)
        try:
            with time_limit(timeout):
                out = run_spec(session, spec, min(seconds, timeout))
        except _TimeUp:
            out = _Outcome("unknown", [f"time limit: the search and checks did not finish in "
                                       f"{timeout:g} s"], _base_values(inst), None)
        except _Memoized as exc:
            out = _Outcome("unknown", [str(exc)], _base_values(inst), None)
        except RecursionError:
            out = _Outcome("unknown", ["ran out of stack (RecursionError): expressions nested "
                                       "too deeply"], _base_values(inst), None)
        except MemoryError:
            out = _Outcome("unknown", ["ran out of memory (MemoryError)"], _base_values(inst),
                           None)
        except Exception as exc:  # a search failure is "unknown", never a verdict
            if os.environ.get("SYMKKT_DEBUG"):
                raise
            out = _Outcome("unknown", [f"the search failed: {type(exc).__name__}: "
                                       f"{str(exc)[:200]}"], _base_values(inst), None)
        extra: dict[str, Any] = {"file": cf.source, "claim_index": spec.index,
                                 "line": spec.line}
        if spec.layer is not None:
            extra["problem"] = 4
        cert = out.certificate
        if cert is not None:
            cert = dict(cert)
            cert.setdefault("theorem", cf.source)
            cert.setdefault("claim", f"{stem}/{spec.label}/{spec.kind}")
        claim = Claim(stem, spec.kind, spec.label, inst, lambda c=cert: (c, "claim file"),
                      extra)
        rep = ClaimReport(claim, out.status, tuple(out.reasons), out.values,
                          time.perf_counter() - start, cert, out.evidence)
        reports.append(rep)
        if on_done:
            on_done(rep)
    return reports


def check_timeout(seconds: float, option: str = "--timeout") -> float:
    """A finite positive number of seconds, else bad input (exit 2)."""
    if not (seconds > 0 and seconds < float("inf")):
        raise InputError(f"{option}={seconds:g} must be a positive number of seconds")
    return seconds


def _load(path: Path) -> ClaimFile:
    try:
        with time_limit(HARD_LIMIT_PER_FILE):
            return load_claim_file(path)
    except _TimeUp:
        raise InputError(f"reading the file took longer than {HARD_LIMIT_PER_FILE:.0f} s "
                         f"(numbers too complex?)", str(path), 1, 1) from None


def check(
    files: List[Path] = typer.Argument(..., help="claim files (TOML)"),
    json_path: Optional[Path] = typer.Option(None, "--json", help="write the JSON report here"),
    certificates: Optional[Path] = typer.Option(None, "--certificates",
                                                help="write one certificate per claim here"),
    timeout: float = typer.Option(HARD_LIMIT_PER_CLAIM, "--timeout", metavar="SECONDS",
                                  help="wall-time budget per claim, search and kernel "
                                       "together; running out is 'unknown'"),
) -> None:
    """Check the claims of your own claim files: exit 0 if all are verified, 1 if not."""
    from rich.console import Console

    from .io import check_distinct, check_writable_dir, check_writable_file
    from .suite import finish_run

    out = Console()
    check_timeout(timeout)
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if certificates is not None:
        check_writable_dir(certificates, "--certificates")
    check_distinct(json=json_path, certificates=certificates)
    inputs = {Path(f).resolve() for f in files}
    if json_path is not None and Path(json_path).resolve() in inputs:
        raise InputError(f"--json={str(json_path)!r} is one of the claim files; refusing to "
                         f"overwrite it")
    stems: dict[str, Path] = {}
    for f in files:  # claim ids and certificate names start with the file's name
        stem = Path(f).stem
        if stem in stems:
            same = Path(f).resolve() == Path(stems[stem]).resolve()
            raise InputError(f"{str(f)!r} is given twice" if same else
                             f"{str(stems[stem])!r} and {str(f)!r} have the same name "
                             f"{stem!r}: their claim ids and certificates would collide "
                             f"(rename one, or check them in separate runs)")
        stems[stem] = Path(f)
    parsed = [_load(f) for f in files]  # validate every file before any work
    start = time.perf_counter()
    reports = []
    for cf in parsed:
        reports.extend(run_claim_file(cf, timeout=timeout))
    elapsed = time.perf_counter() - start
    raise typer.Exit(finish_run(reports, elapsed, title="symkkt check", out=out,
                                json_path=json_path, certificates=certificates,
                                all_reasons=True))
