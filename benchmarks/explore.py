"""Benchmark: the conjecture explorer on the bundled conjectures (issue 15, item 4).

Prints JSON. For each conjecture the paper answers negatively, the time to the first certified
counterexample (the explorer's ``first_counterexample_seconds``: from the first draw to the
kernel's verdict on the conclusion, before shrinking), median over the seeds, with how many
seeds found one; for each conjecture the paper answers positively, certified instances per
minute (instances whose conclusion the kernel verified, over the wall time of the run). The
baseline measured in the same process is the kernel alone re-checking one bundled
certificate, so that runs on loaded machines can be compared by ratio.

    PYTHONPATH=. python benchmarks/explore.py [--seeds 5] [--examples 20]
        [--conjectures NAME,NAME] [--shrink-seconds 5] [--out FILE]

``--out FILE`` writes the JSON (the load average is recorded: on a shared machine timings are
inflated by whatever else ran). No run of all five seeds is committed: one seed over every
bundled conjecture costs about as much as ``symkkt table --derive`` (35-40 min wall on 2 cores),
so five take hours; ``docs/explore.md`` reports the seed-0 times from ``table --derive``.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--shrink-seconds", type=float, default=5.0)
    ap.add_argument("--conjectures", default="")
    ap.add_argument("--out")
    args = ap.parse_args()
    bundled = bundled_conjectures()
    names = [n for n in args.conjectures.split(",") if n] or sorted(bundled)
    unknown = [n for n in names if n not in bundled]
    if unknown:
        raise SystemExit(f"unknown conjecture(s): {', '.join(unknown)}")
    base = _baseline_seconds()
    rows = {}
    for name in names:
        conj = load_conjecture(bundled[name])
        runs = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            res = explore_conjecture(conj, examples=args.examples, seed=seed,
                                     shrink_seconds=args.shrink_seconds)
            wall = time.perf_counter() - start
            runs.append({"seed": seed, "outcome": res.outcome, "counts": res.counts,
                         "seconds": round(wall, 2),
                         "first_counterexample_seconds": (
                             round(res.first_counterexample_seconds, 2)
                             if res.first_counterexample_seconds is not None else None)})
            print(json.dumps({"progress": name, **runs[-1]}), flush=True)
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
           "baseline_kernel_check_seconds": round(base, 4),
           "load_average": os.getloadavg(), "conjectures": rows}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
