"""Benchmark: certified global / not-global verdicts on depth-2 ReLU networks at scale (issue 17).

Instances (seeded): ``n`` hidden neurons, ``k`` samples in R^d.

* ``planted``: a few *support* samples whose optimum θ* (width n) the convex reformulation
  finds exactly, plus random extra samples labelled by θ* with margin >= 2. Adding constraints
  that θ* satisfies keeps it optimal, so ``global`` at θ* must be verified — but the
  certificate must cover the whole arrangement of all k samples.
* ``worse``: the same data, θ* with every output weight times 11/10 (feasible, not optimal):
  ``global`` must be refuted (a better point).
* ``3.2-embedded``: Theorem 3.2's KKT point in neuron 1 (the others idle) with Theorem 3.2's
  two samples and random extra samples of margin > 1: not a global optimum.

Per instance the ``global`` claim is decided by the convex reformulation (``method=convex``)
and, where asked, by the activation-pattern methods it replaces, in the same run:
``enumerate`` (one convex problem per set of options, ``C(options, width)`` of them),
``relaxation-slsqp`` (the earlier default: one relaxation over all 2^k activation sets,
solved by SLSQP, then enumeration) and ``patterns`` (the same with the Clarabel solver), each in a child process with a time limit and its peak RSS.
Prints JSON; per baseline ``convex_speedup`` is its CPU seconds over the convex method's on
the same instance (``convex_speedup_at_least`` when it ran out of CPU time or memory). CPU
time, not wall time: the ratios do not depend on the machine's load.

    PYTHONPATH=. python benchmarks/global_scale.py [--sizes 8:8:4,12:12:4] [--seeds 2]
        [--enumerate-up-to 8] [--limit 300]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import time

import sympy


def _data_point(rng, d):
    return tuple(sympy.Integer(rng.randint(-3, 3)) for _ in range(d))


def planted(n: int, k: int, d: int, seed: int):
    from symkkt.convex import convex_optimum
    from symkkt.network import fully_connected

    net = fully_connected([d, n], "relu")
    for attempt in range(200):
        rng = random.Random(1000 * seed + attempt)
        m = rng.choice((2, 3, 4))
        S = []
        while len(S) < m:
            x = _data_point(rng, d)
            if any(v != 0 for v in x) and x not in S:
                S.append(x)
        YS = [rng.choice((1, -1)) for _ in S]
        res = convex_optimum(net, tuple(S), tuple(YS))
        if res is None:
            continue
        X, Y = list(S), list(YS)
        tries = 0
        while len(X) < k and tries < 10_000:
            tries += 1
            x = _data_point(rng, d)
            out = net.output(res.theta, x)
            if sympy.sign(out) == 0:
                continue
            c = 1
            while abs(c * out) < 2:
                c += 1
            x = tuple(c * v for v in x)
            if x in X:
                continue
            X.append(x)
            Y.append(1 if out > 0 else -1)
        if len(X) == k:
            return net, tuple(X), tuple(Y), res.theta
    raise RuntimeError("no planted instance found")


def embedded_32(n: int, k: int, d: int, seed: int):
    from symkkt.network import fully_connected

    net = fully_connected([d, n], "relu")
    pad = [sympy.Integer(0)] * (d - 2)
    X = [tuple([sympy.Integer(1), sympy.Rational(1, 4)] + pad),
         tuple([sympy.Integer(-1), sympy.Rational(1, 4)] + pad)]
    Y = [1, 1]
    rng = random.Random(seed)
    while len(X) < k:
        # the point computes Φ(x) = 4 relu(x_2): x_2 >= 1, label +1: margin >= 4
        x = tuple([sympy.Integer(rng.randint(-3, 3)), sympy.Integer(rng.randint(1, 3))]
                  + [sympy.Integer(rng.randint(-3, 3)) for _ in pad])
        if x not in X:
            X.append(x)
            Y.append(1)
    theta = {p: sympy.Integer(0) for p in net.params}
    theta.update({"w1_2": sympy.Integer(2), "v1": sympy.Integer(2)})
    return net, tuple(X), tuple(Y), theta


MEMORY_LIMIT_GB = 6.0
CPU_LIMIT = [300.0]         # CPU seconds per decision (set from --limit)


def _decide(args, queue):
    net_spec, X, Y, theta, method = args
    if method == "relaxation-slsqp":      # the earlier default: SLSQP on the relaxation
        import symkkt.optimum as O

        O.FLOAT_SOLVER = "slsqp"
        method = "patterns"
    limit = int(MEMORY_LIMIT_GB * 2 ** 30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(CPU_LIMIT[0])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))   # SIGXCPU: out of CPU time
    from symkkt.kernel import check_certificate
    from symkkt.optimum import global_certificate
    from symkkt.problems import Instance

    net = net_spec
    t0 = time.perf_counter()
    try:
        cert, reason, stats = global_certificate(Instance.make(net, X, Y, theta), method)
    except MemoryError:
        queue.put({"status": f"out of memory (> {MEMORY_LIMIT_GB:g} GB)",
                   "seconds": round(time.perf_counter() - t0, 3),
                   "cpu_seconds": round(time.process_time(), 3)})
        return
    t1 = time.perf_counter()
    status = None
    if cert is not None:
        status = check_certificate(json.loads(json.dumps(cert))).status
    t2 = time.perf_counter()
    queue.put({"status": status or "unknown", "reason": reason,
               "seconds_search": round(t1 - t0, 3), "seconds_kernel": round(t2 - t1, 3),
               "seconds": round(t2 - t0, 3), "cpu_seconds": round(time.process_time(), 3),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                    1),
               "regions": stats.get("regions") if isinstance(stats, dict) else None})


def decide(net, X, Y, theta, method: str, limit: float) -> dict:
    """One decision in a child process: at most ``limit`` CPU seconds (RLIMIT_CPU) and
    ``MEMORY_LIMIT_GB`` of address space; a wall-clock guard of 20 x ``limit`` on top."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    CPU_LIMIT[0] = limit
    p = ctx.Process(target=_decide, args=((net, X, Y, theta, method), q))
    t0 = time.perf_counter()
    p.start()
    p.join(20 * limit)
    if p.is_alive():
        p.kill()
        p.join()
        return {"status": "timeout", "seconds": round(time.perf_counter() - t0, 1)}
    if p.exitcode == -24:       # SIGXCPU
        return {"status": f"out of CPU time (> {limit:g} s)", "cpu_seconds": limit,
                "seconds": round(time.perf_counter() - t0, 1)}
    try:
        return q.get(timeout=5)
    except Exception:
        return {"status": f"crashed (exit {p.exitcode})"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="8:8:4,12:12:4", help="n:k:d,...")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--enumerate-up-to", type=int, default=8,
                    help="also run the pattern enumeration when k <= this")
    ap.add_argument("--limit", type=float, default=300.0, help="CPU seconds per decision")
    args = ap.parse_args()
    load0 = os.getloadavg()
    rows = []
    for size in args.sizes.split(","):
        n, k, d = (int(v) for v in size.split(":"))
        for seed in range(args.seeds):
            net, X, Y, th = planted(n, k, d, seed)
            worse = dict(th)
            for j in range(n):
                worse[f"v{j + 1}"] = worse[f"v{j + 1}"] * sympy.Rational(11, 10)
            cases = [("planted", (net, X, Y, th), "verified"),
                     ("worse", (net, X, Y, worse), "refuted")]
            if d >= 2:
                cases.append(("3.2-embedded", embedded_32(n, k, d, seed), "refuted"))
            for name, (nt, XX, YY, point), expect in cases:
                row = {"n": n, "k": k, "d": d, "seed": seed, "instance": name,
                       "expected": expect}
                row["convex"] = decide(nt, XX, YY, point, "convex", args.limit)
                if k <= args.enumerate_up_to:
                    c = row["convex"].get("cpu_seconds")
                    for base in ("enumerate", "relaxation-slsqp", "patterns"):
                        e = row[base] = decide(nt, XX, YY, point, base, args.limit)
                        if c and e.get("status") in ("verified", "refuted"):
                            e["convex_speedup"] = round(e["cpu_seconds"] / c, 1)
                        elif c and e.get("cpu_seconds"):
                            e["convex_speedup_at_least"] = round(e["cpu_seconds"] / c, 1)
                rows.append(row)
                print(json.dumps(row), flush=True)
    print(json.dumps({"benchmark": "global_scale", "load_average_start": load0,
                      "load_average_end": os.getloadavg(), "cpus": os.cpu_count(),
                      "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
