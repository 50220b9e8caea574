"""Benchmark: how close to the limit direction does each integrator get in the same time?

On Theorem 3.2's data and initialization (``theorems.thm_3_2``: ``GF_INIT``, exact limit
``instance().point``), with the exponential loss, each contender gets the same wall-time
budget:

(a) float64 ``scipy.integrate.LSODA`` on the real-time flow ``dθ/dt = −∇L`` (t_bound 1e300);
(b) mpmath (private context, ``--dps`` digits) on the same real-time flow, with the same
    integrator as ``symkkt.gf`` (extrapolated linearly implicit Euler, exact Jacobian);
(c) the rescaled flow of ``symkkt.gf.run_gf`` (stops at ``--target-norm``, usually well
    inside the budget).

It reports the direction error ``‖θ/‖θ‖ − θ̃/‖θ̃‖‖`` reached, ``‖θ‖``, ``log t``, steps and
right-side evaluations, and for (c) the right-side evaluations per decade of ``‖θ‖``. Prints
JSON; ``--out FILE`` also writes it. About 3 budgets in total (default 8 s each).

A second round stops each contender at the same ‖θ‖ (``--equal-norm``, default 50: inside
float64's reach) and reports wall and CPU seconds and their ratio to the rescaled flow's: the
cost at equal reach, next to the machine's load average at the start and the end.

    python benchmarks/gf.py [--budget 8] [--dps 30] [--target-norm 1e13] [--equal-norm 50]
                            [--out gf.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from symkkt.gf import run_gf  # noqa: E402
from symkkt.gf.flow import _CompiledNet, _lu, _lu_solve, _to_mpf  # noqa: E402
from theorems import thm_3_2  # noqa: E402


def _setup():
    inst = thm_3_2.instance()
    net = inst.network
    params = net.params
    target = np.array([float(inst.point[p]) for p in params])
    target /= np.linalg.norm(target)
    return inst, net, params, target


def _direction_error(theta, target) -> float:
    theta = np.asarray(theta, dtype=float)
    return float(np.linalg.norm(theta / np.linalg.norm(theta) - target))


# ----------------------------------------------------------------- (a) float64 LSODA


def float64_lsoda(budget: float, stop_norm: float | None = None) -> dict:
    from scipy.integrate import LSODA

    inst, net, params, target = _setup()
    comp = _CompiledNet(net)
    X = [[float(v) for v in x] for x in inst.X]
    Y = list(inst.Y)
    evals = [0]
    underflow = [False]

    def rhs(t, th):
        evals[0] += 1
        th = list(th)
        out = np.zeros(len(th))
        for x, y in zip(X, Y):
            phi, g, _ = comp.grad(th, x, 0.0, 0.0)
            w = math.exp(-y * phi)
            if w == 0.0:
                underflow[0] = True
            out += w * y * np.array(g, dtype=float)
        return out

    th0 = np.array([float(thm_3_2.GF_INIT[p]) for p in params])
    solver = LSODA(rhs, 0.0, th0, t_bound=1e300, rtol=1e-10, atol=1e-12)
    start = time.perf_counter()
    cpu0 = time.process_time()
    steps = 0
    stopped = "budget"
    while time.perf_counter() - start < budget:
        msg = solver.step()
        steps += 1
        if stop_norm is not None and np.linalg.norm(solver.y) >= stop_norm:
            stopped = f"norm {stop_norm:g} reached"
            break
        if solver.status == "finished":
            stopped = "t_bound 1e300 reached"
            break
        if solver.status == "failed":
            stopped = f"failed: {msg}"
            break
    th = solver.y
    q = float(min(y * comp.grad([float(v) for v in th], x, 0.0, 0.0)[0]
                  for x, y in zip(X, Y)))
    return {"method": "scipy LSODA, float64, real time t", "direction_error":
            _direction_error(th, target), "norm": float(np.linalg.norm(th)),
            "t": float(solver.t), "log_t": math.log(solver.t) if solver.t > 0 else None,
            "min_margin_q": q, "loss_underflowed": bool(underflow[0] or q > 745),
            "steps": steps, "rhs_evals": evals[0],
            "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu0, 3), "stopped": stopped}


# ----------------------------------------------------------------- (b) mpmath real time


def mpmath_real_time(budget: float, dps: int, stop_norm: float | None = None) -> dict:
    """dθ/dt = Σ_i e^{−q_i} y_i ∇Φ_i in θ-coordinates, extrapolated linearly implicit Euler
    (harmonic sequence, order 6, componentwise error relative to ‖θ‖), exact Jacobian
    ``Σ_i e^{−q_i}(y_i H_i − g_i g_iᵀ)`` (Hessian by exact unit differences)."""
    inst, net, params, target = _setup()
    ctx = mpmath.MPContext()
    ctx.dps = dps
    comp = _CompiledNet(net)
    X = [[_to_mpf(ctx, v, "x") for v in x] for x in inst.X]
    Y = list(inst.Y)
    P = len(params)
    zero = ctx.zero
    evals = [0]

    def parts(th):
        evals[0] += 1
        out = []
        for x, y in zip(X, Y):
            phi, g, pat = comp.grad(th, x, zero, zero)
            out.append((y * phi, [y * v for v in g], pat, x, y))
        return out

    def rhs(th, pr=None):
        pr = pr or parts(th)
        return [ctx.fsum(ctx.exp(-q) * g[k] for q, g, _, _, _ in pr) for k in range(P)]

    def jac(th, pr):
        J = [[zero] * P for _ in range(P)]
        for q, g, pat, x, y in pr:
            w = ctx.exp(-q)
            for b in range(P):
                tb = list(th)
                tb[b] += 1
                _, gb, _ = comp.grad(tb, x, zero, zero, pattern=pat)
                for a in range(P):
                    J[a][b] += w * (y * gb[a] - g[a] - g[a] * g[b])
        return J

    th = [_to_mpf(ctx, thm_3_2.GF_INIT[p], "init") for p in params]
    t = ctx.zero
    H = ctx.mpf("0.01")
    k = 6
    rtol = ctx.mpf(10) ** -10
    start = time.perf_counter()
    cpu0 = time.process_time()
    steps = rejected = 0
    stopped = "budget"
    while time.perf_counter() - start < budget:
        if stop_norm is not None and ctx.sqrt(ctx.fsum(v * v for v in th)) >= stop_norm:
            stopped = f"norm {stop_norm:g} reached"
            break
        pr = parts(th)
        f0 = rhs(th, pr)
        J = jac(th, pr)
        tab = []
        for j in range(k):
            n = j + 1
            h = H / n
            M = [[(1 if a == b else 0) - h * J[a][b] for b in range(P)] for a in range(P)]
            LU, perm = _lu(ctx, M)
            yy, f = list(th), f0
            for i in range(n):
                if i:
                    f = rhs(yy)
                d = _lu_solve(ctx, LU, perm, [h * v for v in f])
                yy = [a + b for a, b in zip(yy, d)]
            row = [yy]
            for l in range(1, j + 1):
                ratio = ctx.mpf(n) / (n - l) - 1
                row.append([a + (a - b) / ratio for a, b in zip(row[l - 1], tab[j - 1][l - 1])])
            tab.append(row)
        new, low = tab[k - 1][k - 1], tab[k - 1][k - 2]
        nrm = ctx.sqrt(ctx.fsum(v * v for v in th))
        err = max(abs(a - b) for a, b in zip(new, low)) / (rtol * nrm)
        fac = min(4, max(ctx.mpf("0.2"), ctx.mpf("0.9") * (1 / max(err, 1e-30)) ** (ctx.one / k)))
        steps += 1
        if err <= 1:
            th, t = new, t + H
        else:
            rejected += 1
        H *= fac
    thf = [float(v) for v in th]
    return {"method": f"mpmath ({dps} digits), real time t, extrapolated linearly implicit "
            f"Euler (order {k})", "direction_error": _direction_error(thf, target),
            "norm": float(np.linalg.norm(thf)), "t": float(t),
            "log_t": float(ctx.log(t)) if t > 0 else None, "steps": steps,
            "rejected": rejected, "rhs_evals": evals[0],
            "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu0, 3), "stopped": stopped}


# ----------------------------------------------------------------- (c) the rescaled flow


def rescaled(budget: float, dps: int, target_norm: float) -> dict:
    inst = thm_3_2.instance()
    start, cpu0 = time.perf_counter(), time.process_time()
    res = run_gf(inst.network, inst.X, inst.Y, thm_3_2.GF_INIT, inst.point, loss="exp",
                 dps=dps, target_norm=target_norm, max_seconds=budget)
    out = {"method": "symkkt.gf.run_gf: rescaled flow in (θ/‖θ‖, log‖θ‖), "
           f"{dps} digits"}
    out.update(res.to_json(trajectory=False))
    out["wall_seconds"] = round(time.perf_counter() - start, 3)
    out["cpu_seconds"] = round(time.process_time() - cpu0, 3)
    out["rhs_evals_per_decade"] = per_decade(res)
    return out


def per_decade(res) -> list[dict]:
    """Right-side evaluations spent while ‖θ‖ crossed each decade (a step spanning several
    decades is shared in proportion to the log-norm it covered)."""
    traj = res.trajectory
    counts: dict[int, float] = {}
    for a, b in zip(traj, traj[1:]):
        la, lb = a.log_norm / math.log(10), b.log_norm / math.log(10)
        work = b.rhs_evals - a.rhs_evals
        if lb <= la:
            counts[math.floor(la)] = counts.get(math.floor(la), 0) + work
            continue
        d = math.floor(la)
        while d < lb:
            lo, hi = max(la, d), min(lb, d + 1)
            if hi > lo:
                counts[d] = counts.get(d, 0) + work * (hi - lo) / (lb - la)
            d += 1
    return [{"decade": f"1e{d}..1e{d + 1}", "rhs_evals": round(v)}
            for d, v in sorted(counts.items()) if round(v)]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=8.0, help="wall seconds per contender")
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--target-norm", type=float, default=1e13)
    ap.add_argument("--equal-norm", type=float, default=50.0,
                    help="second round: each contender stops at this ‖θ‖ (cost at equal reach)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    load = (lambda: list(os.getloadavg())) if hasattr(os, "getloadavg") else (lambda: None)
    load_start = load()
    doc = {
        "benchmark": "gf", "theorem": "3.2", "loss": "exp",
        "budget_seconds": args.budget,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "mpmath": mpmath.__version__, "backend": mpmath.libmp.BACKEND,
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
        "float64_real_time": float64_lsoda(args.budget),
        "mpmath_real_time": mpmath_real_time(args.budget, args.dps),
        "rescaled": rescaled(args.budget, args.dps, args.target_norm),
        # The same three, each stopped at ‖θ‖ = equal_norm (well inside float64's reach): the
        # cost to get equally far. CPU seconds are less sensitive to the machine's load.
        "equal_norm": {
            "norm": args.equal_norm,
            "float64_real_time": float64_lsoda(args.budget * 4, args.equal_norm),
            "mpmath_real_time": mpmath_real_time(args.budget * 4, args.dps, args.equal_norm),
            "rescaled": rescaled(args.budget * 4, args.dps, args.equal_norm),
        },
    }
    doc["machine"]["load_average"] = {"start": load_start, "end": load()}
    eq = doc["equal_norm"]
    cpu = {k: eq[k].get("cpu_seconds") for k in ("float64_real_time", "mpmath_real_time",
                                                   "rescaled")}
    if all(cpu.values()):
        eq["cpu_ratio_vs_rescaled"] = {k: round(v / cpu["rescaled"], 2) for k, v in cpu.items()}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out is not None:
        from symkkt.io import write_json

        write_json(args.out, doc)
    return doc


if __name__ == "__main__":
    main()
