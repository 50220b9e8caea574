#!/usr/bin/env python3
"""Mutation testing of the trusted kernel (``symkkt/kernel/``) with mutmut 3.

Usage (from the repository root, with ``pip install -e '.[test,mutation]'``)::

    python tools/mutation.py exact net          # run mutmut on these kernel files, then summarize
    python tools/mutation.py --all              # every file in symkkt/kernel/
    python tools/mutation.py --summary exact    # no run: summarize the last results in mutants/
    python tools/mutation.py --json out.json exact
    python tools/mutation.py --fresh exact      # rerun every mutant, not only the undetected
    python tools/mutation.py --direct exact     # rerun the undetected ones by plain pytest

A file is named by its module (``exact``) or path (``symkkt/kernel/exact.py``). Without a file
the five files the kernel's soundness rests on are run: exact, net, grammar, certificate,
convergence.

mutmut's configuration (which files are mutated, the fast test selection) is
``[tool.mutmut]`` in pyproject.toml; mutmut writes its work to ``mutants/`` (git-ignored). The
run is niced and uses one child process (``--max-children``, default 1) so it shares a small
machine politely.

The summary counts, per file: mutants, killed, timeout (a mutant that makes the tests hang or
run 5x longer counts as detected), equivalent and tuning (listed with a one-line reason in
``tools/mutation_equivalent.toml``: no observable change, or only a search constant such as a
budget or a precision changes and every answer stays sound), survived (every other undetected
mutant, including those no selected test reaches) and the score
``(killed + timeout) / (mutants - equivalent - tuning)``.
A mutant listed as equivalent that is killed is reported as a stale entry.

``--direct`` reruns each mutant mutmut left undetected with plain pytest in ``mutants/``
(``MUTANT_UNDER_TEST=<name>``, ``-x``) on the file's own tests (``test_<file>.py`` and
``test_kernel_mutants_<file>.py``, both in the selection), after copying the current tests
there. mutmut forks each mutant's run from one process that has already imported the kernel
and collected the tests, so state built before the fork (interval contexts, memos) hides some
mutated code from it, and it runs only the tests its coverage run saw reach the function; a
fresh pytest per mutant has neither blind spot. A direct kill counts as killed (the column says how many); a direct
survivor stays a survivor. Results go to ``mutants/symkkt/kernel/<file>.py.direct.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = Path("symkkt/kernel")
DEFAULT = ["exact", "net", "grammar", "certificate", "convergence"]
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.toml"

DETECTED = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout",
            152: "timeout", 255: "timeout", -9: "timeout", -11: "killed"}
# -9 is mutmut's SIGKILL after the CPU limit; -11 (segfault) is a crash caused by the mutant.


def module_of(name: str) -> str:
    stem = Path(name).stem if name.endswith(".py") else name.rsplit(".", 1)[-1]
    if not (ROOT / KERNEL / f"{stem}.py").is_file():
        raise SystemExit(f"error: no kernel file {KERNEL / (stem + '.py')}")
    return stem


def all_modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / KERNEL).glob("*.py") if p.stem != "__init__")


def undetected(module: str) -> list[str] | None:
    """Names of the module's mutants not (yet) detected in the last run, None if no run."""
    meta = ROOT / "mutants" / KERNEL / f"{module}.py.meta"
    if not meta.is_file():
        return None
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    return sorted(n for n, c in codes.items() if c is None or c not in DETECTED)


def run_mutmut(modules: list[str], max_children: int, fresh: bool) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    cmd = [str(mutmut) if mutmut.exists() else "mutmut", "run",
           "--max-children", str(max_children)]
    for m in modules:
        names = None if fresh else undetected(m)
        if names is None:
            cmd.append(f"symkkt.kernel.{m}.*")
        elif names:
            cmd += names
        else:
            print(f"{m}.py: every mutant already detected (--fresh reruns all)",
                  file=sys.stderr)
    if cmd[-1] == str(max_children):
        return 0
    if os.name == "posix":
        cmd = ["nice", "-n", "10"] + cmd
    print("$", " ".join(cmd[:8]), "..." if len(cmd) > 8 else "", file=sys.stderr, flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def direct_path(module: str) -> Path:
    return ROOT / "mutants" / KERNEL / f"{module}.py.direct.json"


def direct_tests(module: str) -> list[str]:
    """The file's own tests, among the mutmut selection."""
    return [t for t in (f"tests/test_{module}.py", f"tests/test_kernel_mutants_{module}.py")
            if (ROOT / t).is_file()]


def run_direct(modules: list[str], timeout: float, jobs: int = 1) -> int:
    """Rerun every undetected mutant by plain pytest on the file's own tests, ``jobs`` at a
    time; results are saved after each mutant (an interrupted run resumes)."""
    from concurrent.futures import ThreadPoolExecutor

    mut = ROOT / "mutants"
    if not mut.is_dir():
        print("error: no mutants/ directory: run mutmut first", file=sys.stderr)
        return 2
    shutil.copytree(ROOT / "tests", mut / "tests", dirs_exist_ok=True)

    def one(name: str, tests: list[str]) -> str:
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
        if os.name == "posix":
            cmd = ["nice", "-n", "10"] + cmd
        env = dict(os.environ, MUTANT_UNDER_TEST=name)
        try:
            rc = subprocess.call(cmd, cwd=mut, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout"
        return "survived" if rc == 0 else "killed"

    for m in modules:
        names = undetected(m)
        tests = direct_tests(m)
        if names is None or not tests:
            print(f"{m}.py: {'no mutmut results' if names is None else 'no own tests'}",
                  file=sys.stderr)
            continue
        path = direct_path(m)
        done = json.loads(path.read_text("utf-8")) if path.is_file() else {}
        todo = [n for n in names if n not in done]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for i, (name, status) in enumerate(
                    zip(todo, pool.map(lambda n: one(n, tests), todo)), 1):
                done[name] = status
                print(f"[{i}/{len(todo)}] {name}: {status}", file=sys.stderr, flush=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n", "utf-8")
                tmp.replace(path)
    return 0


def load_equivalent() -> dict[str, tuple[str, str]]:
    """mutant name -> (category, reason); category "equivalent" or "tuning"."""
    if not EQUIVALENT.is_file():
        return {}
    data = tomllib.loads(EQUIVALENT.read_text("utf-8"))
    return {name: (cat, str(reason)) for cat in ("equivalent", "tuning")
            for name, reason in data.get(cat, {}).items()}


def summarize(modules: list[str]) -> dict:
    equivalent = load_equivalent()
    out = {}
    for m in modules:
        meta = ROOT / "mutants" / KERNEL / f"{m}.py.meta"
        if not meta.is_file():
            out[m] = {"error": f"no results ({meta.relative_to(ROOT)} missing): run it first"}
            continue
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        dpath = direct_path(m)
        direct = json.loads(dpath.read_text("utf-8")) if dpath.is_file() else {}
        row = {"mutants": len(codes), "killed": 0, "timeout": 0, "equivalent": 0,
               "tuning": 0, "survived": 0, "not_checked": 0, "killed_directly": 0}
        survivors, stale = [], []
        for name, code in sorted(codes.items()):
            status = DETECTED.get(code)
            if not status and direct.get(name) in ("killed", "timeout"):
                status = direct[name]
                row["killed_directly"] += 1
            if code is None and not status:
                row["not_checked"] += 1
            elif status:
                row[status] += 1
                if name in equivalent:
                    stale.append(name)
            elif name in equivalent:
                row[equivalent[name][0]] += 1
            else:
                row["survived"] += 1
                survivors.append(name)
        denom = row["mutants"] - row["equivalent"] - row["tuning"] - row["not_checked"]
        row["score"] = round(100 * (row["killed"] + row["timeout"]) / denom, 1) if denom else None
        row["surviving_mutants"] = survivors
        row["stale_equivalent_entries"] = stale
        out[m] = row
    return out


def markdown(summary: dict) -> str:
    lines = ["| kernel file | mutants | killed | timeout | equivalent | tuning | survived | score |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for m, r in summary.items():
        if "error" in r:
            lines.append(f"| `{m}.py` | {r['error']} | | | | | | |")
            continue
        score = "n/a" if r["score"] is None else f"{r['score']}%"
        extra = f" ({r['not_checked']} not checked)" if r["not_checked"] else ""
        killed = f"{r['killed']}"
        if r.get("killed_directly"):
            killed += f" ({r['killed_directly']} directly)"
        lines.append(f"| `{m}.py` | {r['mutants']} | {killed} | {r['timeout']} | "
                     f"{r['equivalent']} | {r['tuning']} | {r['survived']}{extra} | {score} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="kernel modules or paths (default: the five core)")
    ap.add_argument("--all", action="store_true", help="every file in symkkt/kernel/")
    ap.add_argument("--summary", action="store_true", help="do not run mutmut, only summarize")
    ap.add_argument("--json", metavar="FILE", help="also write the summary as JSON")
    ap.add_argument("--max-children", type=int, default=1,
                    help="mutmut's child processes (with --direct: pytest runs at once)")
    ap.add_argument("--fresh", action="store_true",
                    help="rerun every mutant (default: only those not detected last time; "
                         "mutmut itself reruns all after a change of its configuration)")
    ap.add_argument("--survivors", action="store_true", help="list surviving mutant names")
    ap.add_argument("--direct", action="store_true",
                    help="rerun mutmut's undetected mutants by plain pytest on the file's "
                         "own tests (no mutmut run)")
    ap.add_argument("--direct-timeout", type=float, default=600.0,
                    help="seconds per direct pytest run before it counts as a timeout")
    args = ap.parse_args(argv)
    modules = all_modules() if args.all else [module_of(f) for f in args.files] or DEFAULT
    if args.direct:
        rc = run_direct(modules, args.direct_timeout, args.max_children)
        if rc != 0:
            return rc
    elif not args.summary:
        rc = run_mutmut(modules, args.max_children, args.fresh)
        if rc != 0:
            print(f"error: mutmut exited with {rc}", file=sys.stderr)
            return rc
    summary = summarize(modules)
    print(markdown(summary))
    for m, r in summary.items():
        if args.survivors and r.get("surviving_mutants"):
            print(f"\nsurvivors in {m}.py (`mutmut show NAME` for the diff):")
            print("\n".join("  " + n for n in r["surviving_mutants"]))
        if r.get("stale_equivalent_entries"):
            print(f"\nwarning: killed but listed as equivalent in {EQUIVALENT.name}: "
                  + ", ".join(r["stale_equivalent_entries"]), file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
