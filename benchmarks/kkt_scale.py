"""Benchmark: the ``kkt`` claim at scale (issue 17, item 2), new search against enumeration.

Families (all exact, seeded; ``λ = 1`` on the active samples where the point is KKT):

``idle``
    Theorem 3.2's KKT point in neuron 1 of a depth-2 network with ``n`` hidden neurons, the
    other ``n - 1`` idle (every sample has ``n - 1`` zero inputs, all silent).
``paths``
    A fully-connected ReLU network of the given depth and width in which path j (unit
    incoming weight vector ``e_j``, weight 1 through every inner layer, output weight 1)
    serves the sample ``e_j`` (+1) and one path on ``-e_1`` serves ``-e_1`` (-1); the other
    neurons are idle, extra samples are inactive (margin > 1). Every active sample sits on
    the kinks of the other paths in *every* layer: ``(depth - 1)(paths - 1)`` zero inputs
    that matter per sample (Theorem 4.2(2)'s kinks, carried through the depth).
``mixed``
    ``g`` copies of a depth-2 gadget on disjoint coordinates where one kink needs its active
    piece and another its inactive one on the same sample: neither one-sided piece works,
    the LP's dual must price the mixed pattern.
``kinks-4.2(2)``
    Theorem 4.2(2)'s data and point carried through depth 4 (width 4, one idle neuron): the
    instance the former method needed 143 s for.
refutations (``expect: not verified``)
    ``paths-unbalanced``: a ``paths`` point with one path rescaled (first layer x2, output
    x1/2): same margins, not stationary. ``mixed-deep``: the gadget in depth 3, where the
    active piece also feeds an inner weight that no piece cancels: not a KKT point.

Per instance: the ``kkt`` claim as ``symkkt check`` runs it (status, seconds: search, kernel,
and on failure the not-kkt refutation), the kernel alone on the certificate, the search's
work (zero inputs, adjacent patterns ``2^z`` summed over active samples, pieces built,
witness checks, LP rounds, columns) and, in the same run, the former method (every adjacent
piece enumerated with random witnesses) under ``--baseline-timeout``, with the ratios.

    PYTHONPATH=. python benchmarks/kkt_scale.py [--quick] [--baseline-timeout 300]
        [--only paths,mixed] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

from sympy import Integer, Rational

from symkkt.check import run_claim_file
from symkkt.claimfile import ClaimFile, ClaimSpec
from symkkt.kernel import check_certificate
from symkkt.kernel.budget import OutOfTime, budget
from symkkt.kkt import find_kkt
from symkkt.network import fully_connected, path_point
from symkkt.problems import Instance


# ------------------------------------------------------------------------------ instances


def idle(n: int, k: int, seed: int = 0) -> Instance:
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


def _paths(depth, width, d, firsts, outs, X, Y) -> Instance:
    net = fully_connected([d] + [width] * (depth - 1), "relu")
    return Instance.make(net, X, Y, path_point(net, firsts, outs))


def paths(depth: int, width: int, d: int | None = None, k: int | None = None,
          seed: int = 0, unbalanced: bool = False) -> Instance:
    d = d or max(2, width - 1)
    n = min(d, width - 1)
    firsts = [tuple(1 if c == j else 0 for c in range(d)) for j in range(n)]
    firsts.append(tuple(-1 if c == 0 else 0 for c in range(d)))
    outs = [1] * n + [-1]
    X, Y = list(firsts), [1] * n + [-1]
    rng = random.Random(seed)
    k = k or len(X) + 1
    while len(X) < k:
        x = tuple(rng.randint(0, 3) for _ in range(d))
        if sum(x[:n]) >= 2 and x not in X:       # margin sum(x[:n]) > 1: inactive
            X.append(x)
            Y.append(1)
    inst = _paths(depth, width, d, firsts, outs, X, Y)
    if unbalanced:
        pt = dict(inst.point)
        w1 = "W1_1_1" if depth > 2 else "w1_1"
        v1 = f"W{depth}_1_1" if depth > 2 else "v1"
        pt[w1], pt[v1] = Integer(2), Rational(1, 2)
        inst = inst.with_point(pt)
    return inst


def mixed(g: int, depth: int = 2) -> Instance:
    d = 3 * g
    firsts, X = [], []
    for t in range(g):
        def e(c):
            return tuple(1 if q == 3 * t + c else 0 for q in range(d))
        firsts += [e(0), e(1), e(2)]
        X += [tuple(a - b for a, b in zip(e(0), e(1))), e(1), e(2)]
    return _paths(depth, d, d, firsts, [1] * d, X, [1] * d)


def kinks_422(depth: int) -> Instance:
    """Theorem 4.2(2)'s construction carried through the depth (width 4, 4 samples): paths on
    e_1, e_2 (+1) and on (-3/5, -4/5) (-1), weight 1 through the inner layers, neuron 4
    idle, and the inactive sample (2, 2)."""
    firsts = [(1, 0), (0, 1), (Rational(-3, 5), Rational(-4, 5))]
    X = [(1, 0), (0, 1), (Rational(-3, 5), Rational(-4, 5)), (2, 2)]
    return _paths(depth, 4, 2, firsts, [1, 1, -1], X, [1, 1, -1, 1])


def cases(quick: bool) -> list[tuple[str, dict, Instance, bool]]:
    """(family, parameters, instance, expected KKT)."""
    out = []
    for n, k in ([(16, 8), (64, 16)] if quick else [(8, 8), (16, 16), (64, 16)]):
        out.append(("idle", {"neurons": n, "samples": k}, idle(n, k), True))
    depths = [2, 3, 4] if quick else [2, 3, 4, 5, 6]
    for depth in depths:
        out.append(("paths", {"depth": depth, "width": 4, "samples": 4},
                    paths(depth, 4, k=4), True))
    out.append(("kinks-4.2(2)", {"depth": 4, "width": 4, "samples": 4}, kinks_422(4), True))
    for width in ([8] if quick else [6, 8, 12, 16]):
        out.append(("paths", {"depth": 4, "width": width, "samples": width},
                    paths(4, width, k=width), True))
    out.append(("paths", {"depth": 3, "width": 6, "samples": 6}, paths(3, 6, k=6), True))
    out.append(("paths", {"depth": 2, "width": 16, "d": 5, "samples": 16},
                paths(2, 16, d=5, k=16), True))
    for g in ([1, 5] if quick else [1, 2, 4, 5, 6]):
        out.append(("mixed", {"gadgets": g, "width": 3 * g, "samples": 3 * g}, mixed(g), True))
    out.append(("paths-unbalanced", {"depth": 4, "width": 4, "samples": 4},
                paths(4, 4, k=4, unbalanced=True), False))
    if not quick:
        out.append(("paths-unbalanced", {"depth": 4, "width": 8, "samples": 8},
                    paths(4, 8, k=8, unbalanced=True), False))
    out.append(("mixed-deep", {"gadgets": 1, "depth": 3}, mixed(1, depth=3), False))
    return out


# ------------------------------------------------------------------------------ running


def _check(inst: Instance, label: str, timeout: float):
    """The ``kkt`` claim as ``symkkt check`` runs it."""
    cf = ClaimFile(source=f"{label}.toml", network=inst.network, X=inst.X, Y=inst.Y,
                   point=inst.point, claims=(ClaimSpec(1, "kkt", "kkt"),))
    (rep,) = run_claim_file(cf, timeout=timeout)
    return rep


def _search(inst: Instance, method: str, timeout: float | None) -> dict:
    start = time.perf_counter()
    try:
        with budget(timeout):
            res = find_kkt(inst, method)
            status = "no certificate"
            if res.certificate is not None:
                status = check_certificate(json.loads(json.dumps(res.certificate))).status
    except OutOfTime:
        return {"status": "time limit", "seconds": round(time.perf_counter() - start, 3)}
    out = {"status": status, "seconds": round(time.perf_counter() - start, 3)}
    out.update({k: v for k, v in res.stats.items() if k != "method"})
    if res.certificate is None:
        out["reason"] = res.reason[:160]
    return out


def run(family: str, params: dict, inst: Instance, kkt: bool, baseline_timeout: float,
        timeout: float) -> dict:
    label = f"{family}-" + "-".join(f"{k}{v}" for k, v in params.items())
    row: dict = {"family": family, **params, "expect": "kkt" if kkt else "not verified",
                 "parameters": len(inst.network.params)}
    rep = _check(inst, label, timeout)
    row["status"] = rep.status
    row["seconds"] = round(rep.seconds, 3)
    if rep.status != "verified":
        row["reason"] = (rep.reasons[0] if rep.reasons else "")[:200]
    if rep.certificate is not None and rep.certificate.get("kind") == "kkt":
        t = time.perf_counter()
        check_certificate(json.loads(json.dumps(rep.certificate)))
        row["kernel_seconds"] = round(time.perf_counter() - t, 3)
    row["search"] = _search(inst, "generate", timeout)
    if baseline_timeout > 0:
        row["baseline"] = _search(inst, "enumerate", baseline_timeout)
        new, old = row["search"], row["baseline"]
        if "beyond this search" in old.get("reason", ""):
            # the former cap on zero inputs: no answer, nothing to compare
            row["baseline_answer"] = "unknown (" + old["reason"] + ")"
        elif old.get("seconds") and new.get("seconds"):
            row["seconds_ratio"] = round(old["seconds"] / new["seconds"], 1)
            if old["status"] == "time limit":
                row["seconds_ratio"] = f">= {row['seconds_ratio']}"
        if old.get("witness_checks") and new.get("witness_checks"):
            row["witness_checks_ratio"] = round(old["witness_checks"] / new["witness_checks"], 1)
    row["ok"] = (rep.status == "verified") == kkt
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a smaller grid")
    ap.add_argument("--baseline-timeout", type=float, default=300.0,
                    help="seconds for the former enumeration per instance (0: skip it)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per claim")
    ap.add_argument("--only", default="", help="comma-separated families")
    ap.add_argument("--json", default="", help="also write the result here")
    args = ap.parse_args()
    only = {f for f in args.only.split(",") if f}
    rows = []
    for family, params, inst, kkt in cases(args.quick):
        if only and family not in only:
            continue
        rows.append(run(family, params, inst, kkt, args.baseline_timeout, args.timeout))
        print(json.dumps(rows[-1]), flush=True)
    doc = {"benchmark": "kkt_scale", "load_average": list(os.getloadavg()),
           "cpus": os.cpu_count(), "rows": rows}
    text = json.dumps(doc, indent=1)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
