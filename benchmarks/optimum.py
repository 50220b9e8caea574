"""Benchmark: certified global optima of depth-2 ReLU networks by activation patterns.

Prints JSON: for each (neurons k, samples n) and seed, the search time (float solves), the
exact time (exact duals and the optimal point), the kernel's checking time, the number of
options, of maximal option sets (patterns), of sets pruned (no option serves some sample),
covered by an earlier dual (not solved), and solved, plus the verdict. Data: integer points
in [-3, 3]^2, no two on the same ray, random labels (seeded), so runs are reproducible.

Two modes per instance: ``exact`` (the optimum in closed form: kind ``global``, bound equal
to ‖θ*‖²) and ``bracket`` (rounded rational duals and a rational feasible point: kind
``optimum-bracket``, the optimum certified to lie in [lower, upper]); exact succeeds when the
optimum is a low-degree algebraic number the grammar can write.

    PYTHONPATH=. python benchmarks/optimum.py [--neurons 1,2,3,4] [--samples 2,3,4] [--seeds 3]
        [--method enumerate|relaxation|auto] [--modes exact,bracket]

``benchmarks/optimum_results.json`` is one run (``--neurons 1,2,3,4,5 --samples 2,3,4
--seeds 2``) on a shared 2-CPU machine (its load average is recorded: timings are inflated).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

import sympy

from symkkt.kernel import check_certificate
from symkkt.network import fully_connected
from symkkt.optimum import relu_optimum
from symkkt.problems import Instance


def dataset(n: int, seed: int):
    rng = random.Random(seed)
    X: list[tuple[int, int]] = []
    while len(X) < n:
        x = (rng.randint(-3, 3), rng.randint(-3, 3))
        # no point on the ray of another (Φ(c x) = c Φ(x): such data are degenerate)
        if x == (0, 0) or any(x[0] * z[1] == x[1] * z[0] and x[0] * z[0] + x[1] * z[1] > 0
                              for z in X):
            continue
        X.append(x)
    Y = [rng.choice((1, -1)) for _ in range(n)]
    return tuple(tuple(sympy.Integer(v) for v in x) for x in X), tuple(Y)


def run(k: int, n: int, seed: int, method: str, mode: str = "exact") -> dict:
    X, Y = dataset(n, seed)
    net = fully_connected([2, k], "relu")
    relu_optimum.cache_clear()
    t0 = time.perf_counter()
    res = relu_optimum(net, X, Y, method, mode == "exact")
    total = time.perf_counter() - t0
    row = {"neurons": k, "samples": n, "seed": seed, "method": method, "mode": mode,
           "data": {"x": [[int(v) for v in x] for x in X], "y": list(Y)},
           "seconds_total": round(total, 3)}
    if res is None:
        row["status"] = "no certificate found"
        return row
    zero = {p: 0 for p in net.params}
    inst = Instance.make(net, X, Y, res.theta if res.theta is not None else zero)
    cert = inst.base_json()
    kind = "global" if mode == "exact" else "optimum-bracket"
    cert.update({"kind": kind, "bound": res.bound})
    t1 = time.perf_counter()
    verdict = check_certificate(json.loads(json.dumps(cert)))
    row["seconds_check"] = round(time.perf_counter() - t1, 3)
    row.update(res.stats.to_json())
    if res.theta is None:
        row["status"] = ("infeasible (certified: every case Farkas)"
                         if "every case is infeasible" in " ".join(verdict.reasons)
                         else f"infeasible? kernel: {verdict.status}")
        return row
    row.update({"status": verdict.status, "upper": str(res.value),
                "upper_float": float(res.value)})
    if res.lower is not None:
        row["lower_float"] = float(res.lower)
        row["relative_gap"] = float((res.value - res.lower) / res.value)
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", default="1,2,3,4")
    ap.add_argument("--samples", default="2,3,4")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--method", default="enumerate")
    ap.add_argument("--modes", default="exact,bracket")
    a = ap.parse_args(argv)
    rows = []
    for n in map(int, a.samples.split(",")):
        for k in map(int, a.neurons.split(",")):
            for seed in range(a.seeds):
                for mode in a.modes.split(","):
                    rows.append(run(k, n, seed, a.method, mode))
                    print(json.dumps(rows[-1]), file=sys.stderr)
    summary = {}
    for r in rows:
        key = f"{r['mode']} k={r['neurons']},n={r['samples']}"
        s = summary.setdefault(key, {"runs": 0, "verified": 0, "infeasible": 0,
                                     "not_found": 0, "max_seconds_total": 0.0,
                                     "max_seconds_check": 0.0, "max_patterns": 0,
                                     "max_solved": 0})
        s["runs"] += 1
        s["verified"] += r.get("status") == "verified"
        s["infeasible"] += r.get("status", "").startswith("infeasible")
        s["not_found"] += r.get("status") == "no certificate found"
        s["max_seconds_total"] = max(s["max_seconds_total"], r["seconds_total"])
        s["max_seconds_check"] = max(s["max_seconds_check"], r.get("seconds_check", 0.0))
        s["max_patterns"] = max(s["max_patterns"], r.get("patterns_total", 0))
        s["max_solved"] = max(s["max_solved"], r.get("solved", 0))
    import os
    import platform

    print(json.dumps({"benchmark": "relu_optimum", "method": a.method,
                      "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                  "load_average_at_end": os.getloadavg()},
                      "summary": summary, "runs": rows}, indent=1))


if __name__ == "__main__":
    main()
