"""Benchmark: the scaling table of issue 17 in one command (every claim kind at scale).

Runs, each in its own process, and collects their JSON into one document:

* ``kkt_scale.py``    the ``kkt`` claim: depth-2 networks with idle neurons up to n = k = 16,
                      d = 5, deep networks with kinks in every layer (depth 4, width 4 and
                      wider), refutations; the former piece enumeration in the same run.
* ``global_scale.py`` ``global`` / ``not-global`` on depth-2 ReLU networks (n = k = 8, d = 4
                      and n = k = 12, d = 4): the convex reformulation, and at n = k = 8 the
                      pattern enumeration, the earlier SLSQP relaxation and the relaxation
                      with Clarabel in the same run (CPU-time ratios, peak memory).
* ``exact_suite.py``  ``symkkt verify --no-gf``'s claims per result, search and kernel.

Each part records the machine's load average. Prints the combined JSON on stdout.

    PYTHONPATH=. python benchmarks/scale.py [--quick] [--limit 120]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(args: list[str], timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    t0 = time.perf_counter()
    try:
        out = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                             timeout=timeout, env=env, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    seconds = round(time.perf_counter() - t0, 1)
    text = out.stdout
    # every script ends with one JSON document (some print progress lines before it)
    start = text.rfind("\n{")
    try:
        doc = json.loads(text[start + 1:] if start >= 0 else text)
    except json.JSONDecodeError:
        return {"error": f"exit {out.returncode}: {out.stderr.strip()[-300:]}",
                "seconds": seconds}
    return {"seconds": seconds, "result": doc}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller grids")
    ap.add_argument("--limit", type=float, default=120.0,
                    help="CPU seconds per baseline decision (global_scale)")
    a = ap.parse_args()
    parts = {
        "kkt": ["benchmarks/kkt_scale.py"] + (["--quick"] if a.quick else []),
        "global": ["benchmarks/global_scale.py", "--seeds", "1", "--limit", str(a.limit),
                   "--sizes", "8:8:4" if a.quick else "8:8:4,12:12:4"],
        "exact_suite": ["benchmarks/exact_suite.py"],
    }
    doc = {"benchmark": "scale", "load_average_start": os.getloadavg(),
           "cpus": os.cpu_count()}
    for name, args in parts.items():
        doc[name] = _run(args, timeout=6 * 3600)
        print(f"{name}: {doc[name].get('seconds')} s", file=sys.stderr, flush=True)
    doc["load_average_end"] = os.getloadavg()
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
