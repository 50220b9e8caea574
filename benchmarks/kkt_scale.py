"""Benchmark: the KKT claim on wide depth-2 ReLU networks with idle neurons (issue 17).

Theorem 3.2's KKT point sits in neuron 1 of a fully-connected ReLU network with ``n`` hidden
neurons; the other ``n - 1`` are idle (all weights 0), so every sample has ``n - 1`` hidden
inputs exactly 0. Extra samples (seeded, labels chosen so their margins at the point exceed 1)
make ``k`` samples in all. Before the idle-neuron collapse the search enumerated ``2^(n-1)``
pieces per active sample and gave up above 10; now an idle neuron's bit is not enumerated.

Prints JSON: per (n, k) the search+kernel seconds of the ``kkt`` claim, the kernel alone on its
certificate (same process: the ratio is load-independent), and the verdict.

    PYTHONPATH=. python benchmarks/kkt_scale.py [--neurons 4,8,16,32,64] [--samples 2,8,16]
"""

from __future__ import annotations

import argparse
import json
import random
import time

from sympy import Rational

from symkkt.claims import kkt_claim, run_claim
from symkkt.kernel import check_certificate
from symkkt.network import fully_connected
from symkkt.problems import Instance


def instance(n: int, k: int, seed: int = 0) -> Instance:
    net = fully_connected([2, n], "relu")
    X = [(1, Rational(1, 4)), (-1, Rational(1, 4))]
    Y = [1, 1]
    rng = random.Random(seed)
    while len(X) < k:
        # the point computes Phi(x) = 4 relu(x_2): samples with x_2 >= 1 and label +1 have
        # margin >= 4 > 1 (inactive constraints)
        x = (rng.randint(-3, 3), rng.randint(1, 3))
        if x not in X:
            X.append(x)
            Y.append(1)
    pt = {p: 0 for p in net.params}
    pt.update({"w1_2": 2, "v1": 2})
    return Instance.make(net, X, Y, pt)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--neurons", default="4,8,16,32,64")
    ap.add_argument("--samples", default="2,8,16")
    args = ap.parse_args()
    rows = []
    for n in [int(v) for v in args.neurons.split(",")]:
        for k in [int(v) for v in args.samples.split(",")]:
            inst = instance(n, k)
            start = time.perf_counter()
            rep = run_claim(kkt_claim("bench", f"n={n}, k={k}", inst), timeout=600)
            total = time.perf_counter() - start
            kernel = None
            if rep.certificate is not None:
                t = time.perf_counter()
                check_certificate(rep.certificate)
                kernel = time.perf_counter() - t
            rows.append({"neurons": n, "samples": k, "zero_inputs_per_sample": n - 1,
                         "status": rep.status, "seconds": round(total, 3),
                         "kernel_seconds": round(kernel, 3) if kernel is not None else None,
                         "ratio_to_kernel": round(total / kernel, 2) if kernel else None})
            print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"benchmark": "kkt_scale", "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
