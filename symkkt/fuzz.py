"""``symkkt fuzz``: hypothesis-driven search for counterexamples to symkkt's promises.

Properties (each named, run by pytest via :func:`run_property` and by ``symkkt fuzz``):

``perturbations``
    For every not-local (and equal-norm) claim of the bundled theorems and ε drawn as an
    exact rational in ``(0, ε0]``: θ'(ε) is feasible and has strictly smaller (equal) norm,
    decided exactly (the network's exact forward pass, ``sign``). Afterwards each curve is
    probed above its ε0 and the first failure found is *reported* (not a failure).
``robustness``
    Small exact perturbations of the inputs of Theorems 3.2, 4.1 and 5.1 keep the verdicts
    (kkt, not-local, and for 5.1 nonzero-inputs), with the KKT point and the curve
    recomputed in closed form and the certificates searched and kernel-checked anew.
``soundness``
    Random mutations of valid certificates (point coordinate, multiplier, label, input, ε0,
    convex weight, witness direction, pattern, curve) are rejected by the kernel, unless an
    independent exact checker (:mod:`symkkt._fuzz.independent`, sharing no code with the
    kernel) confirms the mutant is still valid.
``positive``
    Needs :mod:`symkkt.optimum`: linear networks' global constructions are certified global;
    for small ReLU networks the certified optimum is <= every feasible point a float
    optimizer finds from many starts. Skipped with a reason while that module is absent.
``gf``
    Needs :mod:`symkkt.gf`: gradient flow from random initializations meeting Theorem 3.2's
    hypotheses converges in direction to 3.2's KKT point.
``convergence``
    Needs the kernel kind ``convergence``: random exact inits inside the invariant sets of
    Theorems 3.2, 4.1, 4.4 and 5.1 (m = 3, 4) with ``L(θ(0)) < 1``: the certificate is
    verified; its mutants (init off the set, perturbed data, a set that is not invariant,
    ``L(θ(0)) >= 1``, no positivity, the point doubled) are not; about a quarter of the
    examples also run the flow (:mod:`symkkt.gf`) and compare its direction with θ̃.

Reproducible: a run is determined by ``--seed`` (hypothesis' ``seed``), the profile and the
example count; the example database is off. A failure is shrunk by hypothesis and the
minimal counterexample is printed as a claim file (TOML) that ``symkkt check`` reads when
it has a network, data and a point, else as claim data (JSON).

Profiles (hypothesis settings profiles registered on import): ``ci`` (few examples, no
deadline; tests load it in ``tests/conftest.py``) and ``thorough`` (thousands of examples).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer
from hypothesis import HealthCheck, Phase, Verbosity, given, seed as hyp_seed, settings

from .errors import InputError

__all__ = ["PROFILES", "PropertyResult", "property_names", "run_property", "fuzz",
           "report_json", "resolve_examples", "counterexample_claim_file"]

_CLAIM_KIND = {"kkt": "kkt", "not-kkt": "not-kkt", "not-local": "not-local",
               "per-layer-not-local": "not-local", "local": "local", "per-layer-local": "local",
               "global": "global", "per-layer-global": "global", "not-global": "not-global",
               "better-point": "not-global"}


def counterexample_claim_file(ce: Any, message: str = "") -> str | None:
    """A counterexample that has a network, data and a point, as a claim file (TOML) that
    ``symkkt check`` reads; ``None`` when it has none (it is then printed as JSON).

    The claim is the kind the failing certificate or claim was about (``kkt`` if unclear),
    with the curve of a ``not-local`` counterexample; the file is read back with the
    claim-file reader before it is returned."""
    if not isinstance(ce, dict):
        return None
    keys = ("network", "data", "point")
    src = ce if all(isinstance(ce.get(k), dict) for k in keys) else ce.get("certificate")
    if not isinstance(src, dict) or not all(isinstance(src.get(k), dict) for k in keys):
        return None
    kind = src.get("kind") or str(ce.get("claim", "")).rsplit("/", 1)[-1]
    kind = _CLAIM_KIND.get(kind, "kkt")
    claim: dict[str, Any] = {"kind": kind}
    problem = src.get("problem")
    if isinstance(problem, dict) and problem.get("number") == 4 and "layer" in problem:
        claim.update({"problem": 4, "layer": problem["layer"]})
    curve = ce.get("curve", src.get("curve"))
    if kind == "not-local" and isinstance(curve, dict):
        if isinstance(curve.get("point"), dict):   # a certificate's curve
            cs = {"point": curve["point"]}
            if isinstance(curve.get("substitution_power"), int):
                cs["substitution_power"] = curve["substitution_power"]
        else:                                       # parameter -> expression in epsilon
            cs = {"point": curve}
        eps0 = ce.get("eps0", src.get("eps0"))
        if isinstance(eps0, str):
            cs["eps0"] = eps0
        claim["curve"] = cs
    from ._api import claim_file_text
    from .claimfile import parse_claim_text
    from .errors import SymkktError

    try:
        text = claim_file_text(src["network"], src["data"], src["point"], [claim])
        parse_claim_text(text, "<counterexample>")
    except SymkktError:
        if "curve" not in claim:
            return None
        claim.pop("curve")   # keep the instance even if the curve is not claim-file syntax
        try:
            text = claim_file_text(src["network"], src["data"], src["point"], [claim])
            parse_claim_text(text, "<counterexample>")
        except SymkktError:
            return None
    head = "".join(f"# {line}\n" for line in
                   (f"symkkt fuzz counterexample: {message}"[:2000]).splitlines())
    return head + text

_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
           HealthCheck.large_base_example]

PROFILES: dict[str, dict[str, Any]] = {
    "ci": {"max_examples": 10, "deadline": None, "database": None, "print_blob": False,
           "suppress_health_check": _HEALTH},
    "thorough": {"max_examples": 2000, "deadline": None, "database": None,
                 "print_blob": False, "suppress_health_check": _HEALTH},
}
for _name, _kw in PROFILES.items():
    settings.register_profile(_name, **_kw)

DEFAULT_EXAMPLES = 100


def property_names() -> list[str]:
    from ._fuzz.properties import SPECS

    return list(SPECS)


@dataclass
class PropertyResult:
    """The outcome of one property: ``passed``, ``failed`` or ``skipped``."""

    name: str
    status: str
    examples: int = 0
    requested: int = 0
    shrinks: int = 0
    digest: str = ""
    """A hash of the examples generated (same seed, profile and count: same digest)."""
    seconds: float = 0.0
    summary: str = ""
    reason: str | None = None          # why skipped
    message: str | None = None         # what failed
    counterexample: dict | None = None  # the shrunk minimal counterexample, as claim data
    notes: dict = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return int(self.status == "failed")

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "examples": self.examples,
                "examples_requested": self.requested, "failures": self.failures,
                "shrink_runs": self.shrinks, "examples_digest": self.digest,
                "seconds": round(self.seconds, 3), "summary": self.summary,
                "reason": self.reason, "message": self.message,
                "counterexample": self.counterexample, "notes": self.notes}


def _jsonable(obj: Any) -> Any:
    """Claim data as plain JSON (sympy numbers as text in the whitelist grammar)."""
    import sympy

    from .kernel.grammar import to_text

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, sympy.Basic):
        try:
            return to_text(obj)
        except InputError:  # e.g. a non-real value in a failure report
            return str(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    return repr(obj)


def run_property(name: str, *, examples: int | None = None, seed: int = 0,
                 profile: str = "ci", shrink: bool = True, scope: str | None = None,
                 shrink_seconds: float = 60.0,
                 on_example: Callable[[int, int], None] | None = None) -> PropertyResult:
    """Run one property with hypothesis. ``examples=None`` takes the profile's count.

    The property's cost factor scales the count (at least 1 example). ``scope``: ``"all"``
    bundled claims, or ``"subset"`` (the first claim of each result and kind); the default
    is ``"subset"`` for the test suite's setting (profile ``ci`` with its own count) and
    ``"all"`` otherwise. A failure is shrunk (unless ``shrink=False``; for at most
    ``shrink_seconds``, after which every new candidate is skipped so hypothesis stops with
    the smallest failing example so far, re-checked) and returned as claim data, never
    raised.
    """
    from ._fuzz.properties import SPECS, PropertyFailure, PropertySkipped

    if name not in SPECS:
        raise InputError(f"unknown property {name!r} (known: {', '.join(SPECS)})")
    if profile not in PROFILES:
        raise InputError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    spec = SPECS[name]
    start = time.perf_counter()
    requested = examples if examples is not None else PROFILES[profile]["max_examples"]
    n = max(1, math.ceil(requested * spec.cost))
    result = PropertyResult(name, "passed", 0, n, summary=spec.summary)
    reason = spec.skip_reason()
    if reason:
        result.status, result.reason = "skipped", reason
        return result
    if scope is None:
        scope = "subset" if examples is None and profile == "ci" else "all"
    if scope not in ("all", "subset"):
        raise InputError(f"scope={scope!r} must be 'all' or 'subset'")
    state: dict = {"profile": profile, "subset": scope == "subset"}
    seen: dict[str, Any] = {"examples": 0, "shrinks": 0, "failure": None, "error": None, "example": None,
                            "first_failure": None, "failing": set(),
                            "trace": hashlib.sha256()}

    def body(example):
        first = seen["first_failure"]
        replay = repr(example) in seen["failing"]
        if first is not None and time.perf_counter() - first > shrink_seconds and not replay:
            return  # shrink budget spent: only the best failing example is run again
        # checks that loop over many cases poll this and stop early (= pass) once the
        # shrink budget is spent, so one long candidate cannot overrun it
        state["stop_at"] = None if first is None or replay else first + shrink_seconds
        if first is None:
            seen["examples"] += 1
            seen["trace"].update(repr(example).encode())
        else:
            seen["shrinks"] += 1
        seen["example"] = example
        seen["failure"] = seen["error"] = None
        if on_example:
            on_example(seen["examples"] + seen["shrinks"], n)
        try:
            spec.check(example, state)
        except PropertySkipped:
            raise
        except Exception as exc:
            seen["failure" if isinstance(exc, PropertyFailure) else "error"] = exc
            if seen["first_failure"] is None:
                seen["first_failure"] = time.perf_counter()
            seen["failing"].add(repr(example))
            raise

    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    cfg = settings(settings.get_profile(profile), max_examples=n, database=None,
                   deadline=None, derandomize=False, report_multiple_bugs=False,
                   verbosity=Verbosity.quiet, phases=phases, print_blob=False)
    # Hypothesis' own cap on shrinking time (an engine constant, read when shrinking
    # starts); restored afterwards. Without it a failure could shrink for 5 minutes.
    from hypothesis.internal.conjecture import engine as _engine

    old_cap = getattr(_engine, "MAX_SHRINKING_SECONDS", None)
    if old_cap is not None:
        _engine.MAX_SHRINKING_SECONDS = shrink_seconds
    try:
        test = hyp_seed(seed)(cfg(given(spec.strategy(dict(state)))(body)))
        test()
    except PropertySkipped as exc:
        result.status, result.reason = "skipped", str(exc)
    except BaseException as exc:  # the failure hypothesis re-raised for the minimal example
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        result.status = "failed"
        fail = seen["failure"] if isinstance(seen["failure"], PropertyFailure) else None
        if fail is None and isinstance(exc, PropertyFailure):
            fail = exc
        if fail is not None:
            result.message = fail.message
            result.counterexample = _jsonable(fail.data)
        else:
            err = seen["error"] or exc
            result.message = f"{type(err).__name__}: {err}"
            result.counterexample = {"example": _jsonable(seen["example"])}
    finally:
        if old_cap is not None:
            _engine.MAX_SHRINKING_SECONDS = old_cap
    result.examples = seen["examples"]
    result.shrinks = seen["shrinks"]
    result.digest = seen["trace"].hexdigest()[:16]
    if spec.finish is not None and result.status != "skipped":
        try:
            result.notes = _jsonable(spec.finish(state))
        except Exception as exc:  # notes are a report; never hide the verdict behind them
            result.notes = {"error": f"{type(exc).__name__}: {exc}"}
    result.seconds = time.perf_counter() - start
    return result


def report_json(results: list[PropertyResult], *, seed: int, profile: str, examples: int,
                seconds: float) -> dict:
    from . import __version__

    summary = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "skipped")}
    summary["seconds"] = round(seconds, 3)
    return {"symkkt": __version__, "command": "fuzz", "seed": seed, "profile": profile,
            "examples_requested": examples,
            "properties": [r.to_json() for r in results], "summary": summary}


def resolve_examples(examples: int, given: bool, profile: str) -> int:
    """Examples per property: ``--examples`` if given, else the larger of its default (100)
    and the profile's count (``thorough``: 2000)."""
    return examples if given else max(examples, PROFILES[profile]["max_examples"])


def _given(value: Any) -> tuple[Any, bool]:
    """A typer parameter's value when the function is called directly (OptionInfo default)."""
    from typer.models import ArgumentInfo, OptionInfo

    if isinstance(value, (OptionInfo, ArgumentInfo)):
        return value.default, False
    return value, True


def _explicit_on_command_line(ctx: Any, param: str) -> bool | None:
    """Whether ``param`` was typed on the command line (``None``: not run as a command).

    ``ctx`` is the context typer passes to the command; the parameter source is compared by
    name, so neither ``click`` nor typer's vendored copy of it is imported here.
    """
    if ctx is None or not hasattr(ctx, "get_parameter_source") or param not in ctx.params:
        return None
    source = ctx.get_parameter_source(param)
    return None if source is None else source.name != "DEFAULT"


def fuzz(
    properties: Optional[List[str]] = typer.Argument(
        None, help="properties to run (default: all): perturbations, robustness, soundness, "
                   "positive, gf, convergence"),
    examples: int = typer.Option(
        DEFAULT_EXAMPLES, "--examples",
        help="examples per property (default 100, or the profile's count if larger); costly "
             "properties run a stated fraction"),
    seed: int = typer.Option(0, "--seed", help="hypothesis seed: same seed, same run"),
    json_path: Optional[Path] = typer.Option(None, "--json", help="write the JSON report"),
    profile: str = typer.Option("ci", "--profile", help="hypothesis profile: ci or thorough"),
    ctx: typer.Context = None,  # type: ignore[assignment]  # given by typer, None if called
) -> None:
    """Search for counterexamples with hypothesis; print each shrunk one as claim data.

    Exit 0 if no property failed (skipped ones do not fail), 1 otherwise, 2 on bad input.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from .io import check_writable_file, write_json

    properties, _ = _given(properties)
    examples, given_ex = _given(examples)
    seed, _ = _given(seed)
    json_path, _ = _given(json_path)
    profile, _ = _given(profile)
    cli = _explicit_on_command_line(ctx, "examples")
    if cli is not None:
        given_ex = cli
    known = property_names()
    names = list(properties or known)
    bad = [p for p in names if p not in known]
    if bad:
        raise InputError(f"unknown property {bad[0]!r} (known: {', '.join(known)})")
    if profile not in PROFILES:
        raise InputError(f"--profile={profile!r} is not one of {', '.join(PROFILES)}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise InputError(f"--examples={examples!r} must be a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"--seed={seed!r} must be an integer")
    if json_path is not None:
        check_writable_file(json_path, "--json")
    examples = resolve_examples(examples, given_ex, profile)

    out = Console()
    err = Console(stderr=True)
    start = time.perf_counter()
    results: list[PropertyResult] = []
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        for nm in names:
            task = progress.add_task(nm, total=None)

            def tick(done: int, total: int, task=task, nm=nm) -> None:
                label = nm if done <= total else f"{nm} (shrinking)"
                progress.update(task, completed=min(done, total), total=total,
                                description=label)

            res = run_property(nm, examples=examples, seed=seed, profile=profile,
                               on_example=tick)
            progress.update(task, completed=res.requested, total=res.requested)
            results.append(res)
    elapsed = time.perf_counter() - start

    table = Table(title=f"symkkt fuzz (seed {seed}, profile {profile})")
    for col in ("property", "status", "examples", "s", "note"):
        table.add_column(col, overflow="fold")
    style = {"passed": "green", "failed": "red", "skipped": "yellow"}
    for r in results:
        note = r.reason or r.message or ""
        table.add_row(r.name, f"[{style[r.status]}]{r.status}[/]", f"{r.examples}/{r.requested}",
                      f"{r.seconds:.1f}", note)
    out.print(table)
    for r in results:
        if r.status == "failed":
            out.print(f"[red]{r.name}[/]: {r.message}", markup=True, highlight=False)
            toml = counterexample_claim_file(r.counterexample, f"{r.name}: {r.message}")
            if toml is not None:
                out.print("minimal counterexample, as a claim file for 'symkkt check':",
                          highlight=False)
                print(toml, file=sys.stdout, flush=True)
            else:
                out.print("minimal counterexample (claim data):", highlight=False)
                print(json.dumps(r.counterexample, indent=2, ensure_ascii=False),
                      file=sys.stdout, flush=True)
    for r in results:
        for probe in (r.notes or {}).get("above_eps0", []):
            if probe.get("fails"):
                out.print(f"above eps0: {probe['claim']}: holds up to {probe['holds_up_to']}, "
                          f"fails at {probe['first_failure']} "
                          f"({probe['ratio_to_eps0']:.3g} x eps0): {probe['reason']}",
                          markup=False, highlight=False)
    n_failed = sum(r.status == "failed" for r in results)
    out.print(f"{sum(r.status == 'passed' for r in results)} passed, {n_failed} failed, "
              f"{sum(r.status == 'skipped' for r in results)} skipped in {elapsed:.1f} s")
    if json_path is not None:
        write_json(json_path, report_json(results, seed=seed, profile=profile,
                                          examples=examples, seconds=elapsed))
    raise typer.Exit(1 if n_failed else 0)
