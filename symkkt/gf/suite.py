"""Gradient flow as evidence next to the verdicts of ``symkkt verify``.

:func:`attach_gf` runs, for every (theorem, label) among the reports whose theorem module
declares a matching run in ``gf_runs()``, the high-precision flow once with the
**exponential loss** (the logistic loss has the same limit and is checked by the tests and
available from ``symkkt gf --loss logistic``), to ``‖θ‖ = SUITE_TARGET_NORM``, towards the
module's exact KKT point (``run["instance"].point``). Every claim with that theorem and label
gets ``evidence["gf"]``: the run's JSON without the trajectory, plus the label, the init and,
where the module can decide it, ``init_meets_hypotheses``. Claims without a run (e.g.
Theorem 5.1 at depths other than 3) get no ``"gf"`` key. A run may instead carry
``"evidence"``, a function of ``dps`` returning the JSON to attach (a module whose model is
not a network of class N, such as the non-homogeneous result ``NH``).

Gradient flow is evidence only: a report's status, reasons and values are never touched.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

from ..claims import ClaimReport
from ..errors import SymkktError
from .flow import run_gf

__all__ = ["attach_gf", "SUITE_LOSS", "SUITE_TARGET_NORM", "init_json", "runs_for"]

SUITE_LOSS = "exp"
SUITE_TARGET_NORM = 1e13
"""A decade past 10^12, so the runs report ``‖θ‖ >= 10^12`` with a direction error below
10^-12 (Theorem 3.2's idle neuron alone contributes ``‖(w2(0), v2(0))‖/‖θ‖``)."""


def init_json(init: dict) -> dict:
    return {k: str(v) for k, v in init.items()}


def runs_for(theorem_id: str) -> list[dict]:
    """The ``gf_runs()`` of a theorem module (``[]`` if it declares none)."""
    import theorems

    mod = theorems.load(theorem_id)
    fn = getattr(mod, "gf_runs", None)
    return list(fn()) if fn is not None else []


def hypotheses_check(theorem_id: str, init: dict) -> bool | None:
    """The module's exact ``init_meets_hypotheses(init)``, or ``None`` if it has none."""
    import theorems

    fn = getattr(theorems.load(theorem_id), "init_meets_hypotheses", None)
    return None if fn is None else bool(fn(init))


def attach_gf(reports: Iterable[ClaimReport], *, dps: int = 30, console=None,
              target_norm: float = SUITE_TARGET_NORM) -> list[ClaimReport]:
    """New reports with ``evidence["gf"]`` for every claim that has a gradient-flow run.

    One run per distinct (theorem, label); statuses are never changed. A run that fails
    (it should not) is recorded as ``{"error": ...}`` instead of aborting the suite.
    ``console`` (a rich Console, typically stderr) shows a progress bar.
    """
    reports = list(reports)
    keys: list[tuple[str, str]] = []
    for rep in reports:
        key = (rep.claim.theorem, rep.claim.label)
        if key not in keys:
            keys.append(key)
    runs: dict[tuple[str, str], dict] = {}
    for theorem in dict.fromkeys(t for t, _ in keys):
        try:
            declared = runs_for(theorem)
        except SymkktError:          # not a bundled result (e.g. a user's claim file)
            continue
        for run in declared:
            if (theorem, run["label"]) in keys:
                runs[(theorem, run["label"])] = run
    todo = [k for k in keys if k in runs]
    results: dict[tuple[str, str], dict[str, Any]] = {}

    progress = None
    if console is not None and todo:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        progress = Progress(TextColumn("gradient flow {task.description}"), BarColumn(),
                            TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                            console=console, transient=True, disable=not console.is_terminal)
        progress.start()
        task = progress.add_task("", total=len(todo))
    try:
        for key in todo:
            run = runs[key]
            if progress is not None:
                progress.update(task, description=f"{key[0]}/{key[1]}")
            entry: dict[str, Any] = {"label": key[1], "init": init_json(run["init"])}
            if "evidence" in run:     # a module's own flow (e.g. a non-homogeneous model)
                try:
                    entry.update(run["evidence"](dps))
                except (SymkktError, ArithmeticError, ValueError) as exc:
                    entry["error"] = f"{type(exc).__name__}: {exc}"
                results[key] = entry
                if progress is not None:
                    progress.advance(task)
                continue
            inst = run["instance"]
            try:
                ok = hypotheses_check(key[0], run["init"])
                # a module may ask for more digits or a smaller norm (e.g. 4.4: its invariant
                # set is a saddle of the flow, rounding errors grow with the norm)
                res = run_gf(inst.network, inst.X, inst.Y, run["init"], inst.point,
                             loss=SUITE_LOSS, dps=max(dps, run.get("dps", dps)),
                             target_norm=min(target_norm, run.get("target_norm", target_norm)))
                entry.update(res.to_json(trajectory=False))
                if ok is not None:
                    entry["init_meets_hypotheses"] = ok
            except (SymkktError, ArithmeticError, ValueError) as exc:
                entry["error"] = f"{type(exc).__name__}: {exc}"
            results[key] = entry
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    out = []
    for rep in reports:
        key = (rep.claim.theorem, rep.claim.label)
        if key in results:
            rep = dataclasses.replace(rep, evidence={**rep.evidence, "gf": dict(results[key])})
        out.append(rep)
    return out
