"""Benchmark: the conjecture explorer on the bundled conjectures (issue 15, item 4).

Prints JSON. For each conjecture the paper answers negatively, the time to the first certified
counterexample (the explorer's ``first_counterexample_seconds``: from the first draw to the
kernel's verdict on the conclusion, before shrinking), median over the seeds, with how many
seeds found one; for each conjecture the paper answers positively, certified instances per
minute (instances whose conclusion the kernel verified, over the wall time of the run). The
baseline measured in the same process is the kernel alone re-checking one bundled
certificate, so that runs on loaded machines can be compared by ratio.

    PYTHONPATH=. python benchmarks/explore.py [--seeds 5] [--examples 20]
        [--conjectures NAME,NAME] [--shrink-seconds 0] [--jobs 1] [--out FILE]

``--jobs J`` runs J searches (one conjecture, one seed) at once, one process each, longest
first; each search is serial, so on a machine with at least J idle cores a search's times are
those of a serial run. ``--out FILE`` writes the JSON (the load average is recorded: on a
shared machine timings are inflated by whatever else ran). Shrinking is off by default: it
comes after the time measured. ``benchmarks/explore_results.json``: the ten negative cells
over five seeds, the six positive cells over one seed (each positive search evaluates all its
draws, 1-4 minutes; the rate per minute needs no more), both with ``--jobs 2`` on an idle
2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from symkkt._explore.conjecture import load_conjecture
from symkkt.explore import bundled_conjectures, explore_conjecture

EXPECTED_NEGATIVE = (
    "relu-fc-gf-local", "diagonal-linear-depth2-gf-local",
    "relu-noshare-nonzero-weights-gf-local", "relu-noshare-nonzero-inputs-gf-global",
    "conv-linear-nonzero-inputs-gf-local", "conv-relu-nonzero-inputs-gf-local",
    "diagonal-linear-depth3-local", "diagonal-relu-depth3-nonzero-inputs-local",
    "relu-fc-gf-per-layer-local", "relu-fc-nonzero-inputs-gf-per-layer-global")
"""The conjectures the paper refutes (its counterexamples are in its appendix)."""


def _baseline_seconds() -> float:
    """The kernel re-checking one bundled certificate (the same-process yardstick)."""
    from symkkt.kernel import check_certificate, load_certificate

    path = Path(__file__).resolve().parent.parent / "tests" / "data" / "certificates" / \
        "not-local.json"
    cert = load_certificate(path.read_text())
    start = time.perf_counter()
    for _ in range(5):
        check_certificate(cert)
    return (time.perf_counter() - start) / 5


def _search(name: str, seed: int, examples: int, shrink_seconds: float) -> dict:
    conj = load_conjecture(bundled_conjectures()[name])
    start = time.perf_counter()
    res = explore_conjecture(conj, examples=examples, seed=seed, shrink_seconds=shrink_seconds)
    wall = time.perf_counter() - start
    return {"seed": seed, "outcome": res.outcome, "counts": res.counts,
            "seconds": round(wall, 2),
            "first_counterexample_seconds": (round(res.first_counterexample_seconds, 2)
                                             if res.first_counterexample_seconds is not None
                                             else None)}


def _run_all(tasks: list[tuple[str, int]], args) -> dict[tuple[str, int], dict]:
    out: dict[tuple[str, int], dict] = {}

    def done(key: tuple[str, int], run: dict) -> None:
        out[key] = run
        print(json.dumps({"progress": key[0], **run}), flush=True)

    if args.jobs == 1:
        for name, seed in tasks:
            done((name, seed), _search(name, seed, args.examples, args.shrink_seconds))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
        futures = {pool.submit(_search, name, seed, args.examples, args.shrink_seconds):
                   (name, seed) for name, seed in tasks}
        for fut in as_completed(futures):
            done(futures[fut], fut.result())
    return out


def main() -> None:
    from symkkt.derive import SCHEDULE_SECONDS

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--shrink-seconds", type=float, default=0.0)
    ap.add_argument("--conjectures", default="")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.jobs < 1 or args.seeds < 1 or args.examples < 1:
        raise SystemExit("--jobs, --seeds and --examples must be at least 1")
    bundled = bundled_conjectures()
    names = [n for n in args.conjectures.split(",") if n] or sorted(bundled)
    unknown = [n for n in names if n not in bundled]
    if unknown:
        raise SystemExit(f"unknown conjecture(s): {', '.join(unknown)}")
    base = _baseline_seconds()
    start = time.perf_counter()
    tasks = [(n, seed) for n in sorted(names, key=lambda n: -SCHEDULE_SECONDS.get(n, 1e9))
             for seed in range(args.seeds)]
    results = _run_all(tasks, args)
    rows = {}
    for name in names:
        runs = [results[(name, seed)] for seed in range(args.seeds)]
        firsts = [r["first_counterexample_seconds"] for r in runs
                  if r["first_counterexample_seconds"] is not None]
        row = {"expected": "counterexample" if name in EXPECTED_NEGATIVE else "none-found",
               "seeds_with_counterexample": len(firsts), "runs": runs}
        if firsts:
            med = statistics.median(firsts)
            row["median_first_counterexample_seconds"] = round(med, 2)
            row["median_first_counterexample_in_kernel_checks"] = round(med / base, 1)
        if name not in EXPECTED_NEGATIVE:
            total_min = sum(r["seconds"] for r in runs) / 60
            certified = sum(r["counts"]["verified"] for r in runs)
            row["certified_instances_per_minute"] = round(certified / total_min, 2) \
                if total_min else None
        rows[name] = row
    doc = {"benchmark": "explore", "seeds": args.seeds, "examples": args.examples,
           "shrink_seconds": args.shrink_seconds, "jobs": args.jobs,
           "wall_seconds": round(time.perf_counter() - start, 1),
           "baseline_kernel_check_seconds": round(base, 4),
           "load_average": os.getloadavg(), "cpu_count": os.cpu_count(),
           "conjectures": rows}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        tmp = Path(args.out + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(args.out)


if __name__ == "__main__":
    main()
