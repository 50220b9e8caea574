"""Benchmark: how long ``symkkt verify --no-gf`` takes (issue 17, item "Speed").

Prints JSON with

* ``load_average``: the machine's load (1, 5 and 15 minutes, ``os.getloadavg``) at the start
  and at the end. The machine has 2 cores and is shared: wall times grow with the load, so read
  them together with it;
* ``runs``: ``symkkt verify --no-gf`` in a subprocess, serial and with ``--jobs 2`` (each
  ``--repeat`` times): wall seconds, the CPU seconds of the process and its children, the exit
  code, verified/total and the seconds per result (the sum of its claims' seconds, from the
  ``--json`` report; with ``--jobs 2`` these are the workers' seconds);
* ``same_verdicts``: whether both runs give every claim the same status, values and reasons;
* ``baseline`` (with ``--baseline REV``): the same serial run of another revision (``git
  archive REV`` into a temporary directory, run from there), under the same load;
* ``evaluator``: in-process, on the boxes of the bisections the kernel runs for Remark 3.2's
  Theorem 3.2 certificate (the largest bisections of ``verify``): seconds per box, aux roots
  included, for the tree walk (``exact.interval_eval``, mpmath ``iv``, one walk of the sympy
  tree per box), the compiled program over mpmath interval objects (the evaluator before this
  change, kept here for the comparison), the compiled program over mpmath's raw interval
  functions (``Compiled.run``: the tree walk's enclosures bit for bit) and the MPFR arithmetic
  the bisections use now (``ieval.Mpfr``), with the ratios; ``checked`` says the compiled
  enclosures equal the tree walk's and MPFR's lie inside them on every box.

Usage::

    python benchmarks/verify_speed.py [--repeat N] [--baseline REV] [--skip-runs] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_verify(jobs: int, cwd: str = ROOT, env: dict | None = None) -> dict:
    """One ``verify --no-gf`` in a subprocess, with its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        cmd = [sys.executable, "-m", "symkkt.cli", "verify", "--no-gf", "--json", out]
        if jobs > 1:
            cmd += ["--jobs", str(jobs)]
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
        try:
            with open(out) as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            doc = None
    row = {"jobs": jobs, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
           "exit_code": proc.returncode}
    if doc is None:
        row["error"] = proc.stderr.strip()[-500:]
        return row
    per: dict[str, float] = defaultdict(float)
    for c in doc["claims"]:
        per[c["theorem"]] += c["seconds"]
    s = doc["summary"]
    row.update({"verified": s["verified"], "total": s["total"],
                "claims_s": s.get("seconds"),
                "per_result_s": {k: round(v, 2) for k, v in per.items()},
                "_claims": [(c["id"], c["status"], c["values"], c["reasons"])
                            for c in doc["claims"]]})
    return row


def run_baseline(rev: str) -> dict:
    """The serial run of revision ``rev``, from a ``git archive`` of it."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = dict(os.environ, PYTHONPATH=tmp)
        row = run_verify(1, cwd=tmp, env=env)
    row["revision"] = rev
    return row


# ------------------------------------------------------------------- evaluator, in-process


def _old_compiled_call(prog, ctx, env):
    """The compiled program's loop as it was before the raw arithmetics: every operation on
    mpmath interval objects (``ctx.mpf``, operators, ``ctx.exp``...)."""
    from symkkt.kernel import ieval as I
    from symkkt.kernel.exact import _Domain

    consts = [ctx.mpf(int(c.p)) / ctx.mpf(int(c.q)) if not c.is_Integer else ctx.mpf(int(c))
              for c in prog.consts]
    vals = []
    for op, x, y in prog.code:
        if op == I._CONST:
            vals.append(consts[x])
        elif op == I._SYM:
            if env.get(x) is None:
                raise _Domain("free symbol")
            vals.append(env[x])
        elif op in (I._ADD, I._ADD2):
            acc = ctx.mpf(0)
            for j in (x if op == I._ADD else (x, y)):
                acc = acc + vals[j]
            vals.append(acc)
        elif op in (I._MUL, I._MUL2):
            acc = ctx.mpf(1)
            for j in (x if op == I._MUL else (x, y)):
                acc = acc * vals[j]
            vals.append(acc)
        elif op == I._IPOW:
            vals.append(vals[x] ** y)
        elif op == I._NPOW:
            b = vals[x]
            if b.a <= 0 <= b.b:
                raise _Domain("division")
            vals.append(ctx.mpf(1) / (b ** y))
        elif op == I._RPOW:
            b = vals[x]
            if not b.a > 0:
                raise _Domain("root")
            vals.append(ctx.exp(ctx.log(b) * vals[y]))
        elif op == I._EXP:
            vals.append(ctx.exp(vals[x]))
        elif op == I._LOG:
            vals.append(ctx.log(vals[x]))
        else:
            raise _Domain("not in this benchmark")
    return vals[-1]


def _boxes(f, variables, box, space, per_call: int) -> list:
    """The first ``per_call`` boxes of the bisection of ``f`` (the kernel's order)."""
    from symkkt.kernel.exact import _Domain
    from symkkt.kernel.ieval import arithmetic, compiled

    prog = compiled(f)
    ar = arithmetic(96, [prog] + space.programs())
    out, stack = [], [list(box)]
    widths = [float(hi - lo) or 1.0 for lo, hi in box]
    while stack and len(out) < per_call:
        b = stack.pop()
        out.append(b)
        env = {v: ar.interval(lo, hi) for v, (lo, hi) in zip(variables, b)}
        try:
            space.raw_env(ar, env)
            v = ar.run(prog, env)
        except _Domain:
            v = None
        if v is not None and (ar.positive(v) or ar.negative(v)):
            continue
        i = max(range(len(b)), key=lambda j: float(b[j][1] - b[j][0]) / widths[j])
        lo, hi = b[i]
        mid = (lo + hi) / 2
        b1, b2 = list(b), list(b)
        b1[i], b2[i] = (lo, mid), (mid, hi)
        stack += [b2, b1]
    return out


def evaluator_ratio(per_call: int = 200, max_cases: int = 40) -> dict:
    """Seconds per box of the four evaluators on the bisections of Remark 3.2's Theorem 3.2
    certificate (captured from the kernel's own calls)."""
    from mpmath.libmp import to_rational

    import symkkt.kernel.robust as R
    from symkkt.kernel import check_certificate
    from symkkt.kernel.exact import _context, _Domain, interval_eval
    from symkkt.kernel.ieval import Mpfr, aux_root, compiled, raw_fraction
    from theorems.remark_3_2 import RADII, cert_3_2

    calls = []
    original = R.box_sign

    def capture(f, variables, box, space=None, **kw):
        if space is not None:
            calls.append((f, list(variables), list(box), space))
        return original(f, variables, box, space, **kw)

    R.box_sign = capture
    try:
        verdict = check_certificate(cert_3_2(RADII["3.2"]))
    finally:
        R.box_sign = original
    # the largest expressions first (they dominate the bisections' time)
    calls.sort(key=lambda c: -len(compiled(c[0]).code))
    cases = []
    seen = set()
    for f, variables, box, space in calls:
        if f in seen or compiled(f).mpfr_ok is False:
            continue
        seen.add(f)
        cases.append((f, variables, space, _boxes(f, variables, box, space, per_call)))
        if len(cases) >= max_cases:
            break
    ctx = _context(96)
    ar = Mpfr(96)

    def tree(f, variables, space, b):
        env = {v: ctx.mpf([(ctx.mpf(lo.numerator) / ctx.mpf(lo.denominator)).a,
                           (ctx.mpf(hi.numerator) / ctx.mpf(hi.denominator)).b])
               for v, (lo, hi) in zip(variables, b)}
        for a, q, base in space.aux:
            bb = interval_eval(base, ctx, env)
            if not bb.a > 0:
                raise _Domain("aux")
            env[a] = ctx.exp(ctx.log(bb) / q)
        return env, interval_eval(f, ctx, env)

    def old(f, variables, space, b):
        env = {v: ctx.mpf([(ctx.mpf(lo.numerator) / ctx.mpf(lo.denominator)).a,
                           (ctx.mpf(hi.numerator) / ctx.mpf(hi.denominator)).b])
               for v, (lo, hi) in zip(variables, b)}
        for a, q, base in space.aux:
            bb = _old_compiled_call(compiled(base), ctx, env)
            if not bb.a > 0:
                raise _Domain("aux")
            env[a] = ctx.exp(ctx.log(bb) / q)
        return env, _old_compiled_call(compiled(f), ctx, env)

    def raw(f, variables, space, b):
        env = {v: raw_fraction(lo, hi, 96) for v, (lo, hi) in zip(variables, b)}
        for a, q, base in space.aux:
            env[a] = aux_root(compiled(base).run(96, env), q, 96)
        return env, compiled(f).run(96, env)

    def mpfr(f, variables, space, b):
        env = {v: ar.interval(lo, hi) for v, (lo, hi) in zip(variables, b)}
        space.raw_env(ar, env)
        return env, ar.run(compiled(f), env)

    evaluators = {"tree_walk": tree, "compiled_ivmpf_objects": old, "compiled_raw_mpi": raw,
                  "mpfr": mpfr}
    seconds = {}
    results: dict[str, list] = {}
    nboxes = sum(len(c[3]) for c in cases)
    for name, fn in evaluators.items():
        out = []
        t0 = time.process_time()
        for f, variables, space, boxes in cases:
            for b in boxes:
                try:
                    out.append(fn(f, variables, space, b)[1])
                except _Domain:
                    out.append(None)
        seconds[name] = time.process_time() - t0
        results[name] = out

    def frac(x):
        return Fraction(*to_rational(x))

    same, nested = True, True
    for t, r, m in zip(results["tree_walk"], results["compiled_raw_mpi"], results["mpfr"]):
        if t is None:
            continue
        tt = (t.a._mpi_[0], t.b._mpi_[1])
        same = same and r is not None and tuple(r) == tt
        if m is None:
            nested = False
            continue
        lo, hi = Fraction(*m[0].as_integer_ratio()), Fraction(*m[1].as_integer_ratio())
        nested = nested and frac(tt[0]) <= lo <= hi <= frac(tt[1])
    per_box = {k: round(v / nboxes * 1e6, 1) for k, v in seconds.items()}
    return {"certificate": "Remark 3.2, Theorem 3.2 (robust, radius 1/10)",
            "kernel_verdict": verdict.status, "expressions": len(cases), "boxes": nboxes,
            "microseconds_per_box": per_box,
            "ratio_to_mpfr": {k: round(v / seconds["mpfr"], 1) for k, v in seconds.items()},
            "checked": {"compiled_equals_tree_walk": same, "mpfr_inside_tree_walk": nested}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each mode")
    ap.add_argument("--baseline", metavar="REV", help="also time this git revision (serial)")
    ap.add_argument("--skip-runs", action="store_true", help="only the in-process evaluator")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()
    sys.path.insert(0, ROOT)
    doc: dict = {"benchmark": "verify_speed", "cpus": os.cpu_count(),
                 "load_average": {"start": _load()}}
    if not args.skip_runs:
        runs = []
        for _ in range(args.repeat):
            for jobs in (1, 2):
                row = run_verify(jobs)
                row["load_after"] = _load()
                runs.append(row)
        claims = [r.pop("_claims", None) for r in runs]
        doc["runs"] = runs
        doc["same_verdicts"] = all(c == claims[0] for c in claims) and claims[0] is not None
        if args.baseline:
            base = run_baseline(args.baseline)
            base.pop("_claims", None)
            base["load_after"] = _load()
            doc["baseline"] = base
    doc["evaluator"] = evaluator_ratio()
    doc["load_average"]["end"] = _load()
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
