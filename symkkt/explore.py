"""``symkkt explore FILE.toml``: search counterexamples to a conjecture, certify them.

A conjecture file (:mod:`symkkt._explore.conjecture`, format in ``docs/explore.md``) names a
family of instances (architecture, activation, sizes, number of samples, labels), hypotheses
on a KKT point (``kkt``, ``gf-limit``, ``nonzero-neurons``, ``nonzero-inputs``) and a
conclusion (``global``, ``local``, ``per-layer-global``, ``per-layer-local``).

hypothesis draws instances (seeded, reproducible; shrinking goes towards fewer samples, smaller
integers and more zeros). For each instance, gradient flow (:mod:`symkkt.gf`) runs from a few
exact initializations; each limit direction is turned into an exact point
(:mod:`symkkt._explore.limit`), which counts only if the kernel verifies a ``kkt`` certificate
for it. The hypotheses are checked by the kernel (``nonzero-*``) or, for ``gf-limit``, by the
flow's direction error (evidence, labelled as such); the conclusion is run as a claim of a
claim file, exactly as ``symkkt check`` runs it. The conclusion ``refuted`` by the kernel on a
point meeting the hypotheses is a counterexample: hypothesis shrinks it, and it is written to
``--out`` as a claim file (``kkt`` + the negated conclusion, + an exact ``convergence`` claim
when one is found) with its certificates and the gradient-flow evidence. Otherwise the answer
is "no counterexample in N instances" with counts, never "proved".

KKT points come from two searches: (a) for depth-2 networks without shared weights and
hypotheses without ``gf-limit``, exact enumeration of active sets and activation patterns
(:mod:`symkkt.kktenum`; when it completes and the hypotheses require non-zero neurons or inputs,
or the network is linear, it has every point the hypotheses can hold at, and no flow is run);
(b) gradient flow and the exact limit, as above.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from ._explore.conjecture import Conjecture, load_conjecture
from ._explore.instance import Case, InstanceResult, evaluate, negation_claim
from .errors import InputError

__all__ = ["explore", "explore_conjecture", "ExploreResult", "cases", "bundled_conjectures"]

DEFAULT_EXAMPLES = 20
SHRINK_SECONDS = 60.0
SECONDS_PER_CLAIM = 30.0
INIT_BOUND = 2
"""Initializations are integer points of [-2, 2]^P (shrinking: towards 0, i.e. idle neurons)."""


def bundled_conjectures() -> dict[str, Path]:
    """The conjecture files shipped in ``symkkt/conjectures/``, by stem."""
    here = Path(__file__).parent / "conjectures"
    return {p.stem: p for p in sorted(here.glob("*.toml"))}


def cases(conj: Conjecture):
    """The hypothesis strategy of the instances of a conjecture."""
    from hypothesis import strategies as st

    net = conj.base_network()
    d = net.input_dim
    K = conj.max_coordinate
    lo, hi = conj.samples
    n_first = sum(1 for row in net.layers[0] for _ in row)
    n_rows = len(net.layers[0])

    def mirrored(x: tuple[int, ...]) -> tuple[int, ...]:
        """x reflected in its first coordinate (per patch for a convolution)."""
        if conj.architecture == "conv":
            p = conj.patch
            return tuple(-v if k % p == 0 else v for k, v in enumerate(x))
        return (-x[0],) + tuple(x[1:])

    @st.composite
    def draw_case(draw):
        n = draw(st.integers(lo, hi))
        vec = st.tuples(*[st.integers(-K, K)] * d).filter(any)
        X = list(draw(st.lists(vec, min_size=n, max_size=n, unique=True)))
        # symmetric data (shrinking prefers them: the first choice): the second sample is the
        # mirror image of the first, or, for one sample of a convolution, the second patch
        # mirrors the first. The paper's constructions are of this kind (3.2, 4.3, 4.4).
        # Or the second sample is the first turned by 90 degrees in its first two coordinates
        # (and a third, if any, opposite to both): orthogonal samples put a neuron serving one
        # of them exactly on a kink of the other (Theorems 4.2(2) and 5.3).
        shape = draw(st.sampled_from(("mirror", "none", "rotate")))
        if shape == "mirror":
            if n >= 2 and mirrored(X[0]) != X[0] and mirrored(X[0]) not in X[2:]:
                X[1] = mirrored(X[0])
            elif n == 1 and conj.architecture == "conv" and conj.patches >= 2:
                first = X[0][:conj.patch]
                # half of these with the mirrored coordinate dominant in its patch, as in
                # Theorem 4.4's (4, a, -4, a) with a small: among small integers such
                # proportions are otherwise rare
                big = max(range(1, conj.patch), key=lambda k: abs(first[k]), default=0)
                if big and abs(first[big]) > abs(first[0]) and draw(st.booleans()):
                    first = (first[big],) + first[1:big] + (first[0],) + first[big + 1:]
                X[0] = first + mirrored(first) + X[0][2 * conj.patch:]
        elif shape == "rotate" and n >= 2 and d >= 2 and conj.architecture != "conv":
            turned = (-X[0][1], X[0][0]) + tuple(X[0][2:])
            if turned not in X[2:]:
                X[1] = turned
                # a third sample opposite to the pair (negative inner product with both)
                opposite = tuple(-(a + b) for a, b in zip(X[0], X[1]))
                if n >= 3 and any(opposite) and opposite not in X[:2] + X[3:]:
                    X[2] = opposite
        X = tuple(X)
        if conj.labels == "positive":
            Y = (1,) * n
        else:
            Y = tuple(draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n)))
            if shape == "rotate" and n >= 2:
                Y = (Y[0], Y[0]) + Y[2:]        # an orthogonal pair of one class
        mask: tuple[bool, ...] = (False,) * n_first if conj.architecture == "no-share" else ()
        # half of the sparsity masks are dense (a dense network is the first shrink target)
        if conj.architecture == "no-share" and draw(st.booleans()):
            m = list(draw(st.lists(st.booleans(), min_size=n_first, max_size=n_first)))
            per = n_first // n_rows
            for r in range(n_rows):   # every neuron keeps at least one incoming weight
                if all(m[r * per:(r + 1) * per]):
                    m[r * per] = False
            mask = tuple(m)
        entry = st.integers(-INIT_BOUND, INIT_BOUND)
        inits = tuple(tuple(draw(entry) for _ in net.params) for _ in range(conj.inits))
        return Case(X, tuple(Y), mask, inits)

    return draw_case()


class _Counterexample(Exception):
    def __init__(self, key: tuple) -> None:
        super().__init__("counterexample")
        self.key = key


@dataclass
class ExploreResult:
    conjecture: Conjecture
    outcome: str                      # "counterexample" | "none-found"
    results: list[InstanceResult]     # every distinct instance evaluated, in order
    counterexample: InstanceResult | None
    seconds: float
    first_counterexample_seconds: float | None
    seed: int
    examples: int
    claim_file: str | None = None
    certificates: list[str] | None = None
    recheck: dict | None = None

    @property
    def counts(self) -> dict:
        st = [r.status for r in self.results]
        return {"instances": len(st),
                "hypotheses_held": sum(r.held for r in self.results),
                "verified": st.count("verified"), "unknown": st.count("unknown"),
                "counterexamples": st.count("counterexample"),
                "hypotheses_not_held": st.count("hypotheses-not-held")}

    def summary(self) -> str:
        c = self.counts
        if self.outcome == "counterexample":
            return (f"counterexample found after {c['instances']} instances "
                    f"({self.first_counterexample_seconds:.1f} s to the first, shrunk); "
                    f"claim file: {self.claim_file or '(not written: no --out)'}")
        return (f"no counterexample in {c['instances']} instances: hypotheses held in "
                f"{c['hypotheses_held']}, conclusion verified in {c['verified']}, unknown in "
                f"{c['unknown']} (not a proof)")



def _result_json(res: ExploreResult) -> dict:
    out: dict[str, Any] = {
        "outcome": res.outcome, "conjecture": res.conjecture.to_json(),
        "instances": res.counts["instances"], "counts": res.counts,
        "seed": res.seed, "examples": res.examples, "seconds": round(res.seconds, 3),
        "first_counterexample_seconds": (round(res.first_counterexample_seconds, 3)
                                         if res.first_counterexample_seconds is not None
                                         else None),
        "summary": res.summary(),
        "results": [r.to_json() for r in res.results],
    }
    if res.outcome == "counterexample":
        out["counterexample"] = res.counterexample.to_json()
        out["claim_file"] = res.claim_file
        out["certificates"] = res.certificates or []
        out["recheck"] = res.recheck
    return out


ExploreResult.to_json = _result_json  # type: ignore[assignment]


_WORKER_CONJ: Conjecture | None = None
"""The conjecture a forked worker evaluates (set before the pool forks: nothing to pickle)."""


def _evaluate_in_worker(case: Case, seconds: float) -> InstanceResult:
    assert _WORKER_CONJ is not None
    return evaluate(_WORKER_CONJ, case, seconds=seconds)


def _settings(conj: Conjecture, examples: int, seed: int, body, phases):
    from hypothesis import HealthCheck, given, seed as hyp_seed, settings

    test = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                    phases=phases, print_blob=False, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))(given(cases(conj))(body))
    return hyp_seed(seed)(test)


def _prefetch(conj: Conjecture, examples: int, seed: int, seconds: float, jobs: int,
              memo: dict) -> None:
    """Evaluate, in ``jobs`` forked processes, the instances hypothesis draws first.

    Pass 1 runs the same seeded generation with a body that only records the cases (every
    one passes); the search that follows draws the same cases in the same order up to its
    first counterexample (generation depends only on the seed and on every earlier case
    having passed), so it finds them in ``memo``; draws after the first counterexample are
    not needed and those not yet started are cancelled. Shrinking then evaluates serially."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from hypothesis import Phase

    drawn: list[Case] = []
    keys: set[tuple] = set()

    def record(case: Case) -> None:
        if case.key() not in keys:
            keys.add(case.key())
            drawn.append(case)

    _settings(conj, examples, seed, record, [Phase.generate])()
    global _WORKER_CONJ
    _WORKER_CONJ = conj
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [(c, pool.submit(_evaluate_in_worker, c, seconds)) for c in drawn]
            for i, (case, fut) in enumerate(futures):
                try:
                    memo[case.key()] = res = fut.result()
                except Exception:   # a worker that failed: the search evaluates it again
                    continue
                if res.status == "counterexample":
                    # the search stops at its first counterexample in draw order: later draws
                    # are never read, so those not yet started are dropped
                    for _, later in futures[i + 1:]:
                        later.cancel()
                    break
    finally:
        _WORKER_CONJ = None


def explore_conjecture(conj: Conjecture, *, examples: int = DEFAULT_EXAMPLES, seed: int = 0,
                       shrink_seconds: float = SHRINK_SECONDS,
                       seconds_per_claim: float = SECONDS_PER_CLAIM,
                       on_instance: Callable[[InstanceResult, bool], None] | None = None,
                       jobs: int = 1) -> ExploreResult:
    """Draw up to ``examples`` instances; stop at the first counterexample and shrink it.

    ``jobs > 1`` evaluates the first ``examples`` draws in that many processes before the
    search (which then reads them back in the same order): faster when no counterexample is
    found early, the same instances either way (and the same verdicts, except where a
    wall-clock budget, e.g. of a gradient-flow run, ran out in one run and not the other)."""
    from hypothesis import Phase

    if jobs < 1:
        raise InputError(f"jobs={jobs} must be at least 1")
    memo: dict[tuple, InstanceResult] = {}
    order: list[InstanceResult] = []
    seen: set[tuple] = set()
    start = time.perf_counter()
    state: dict[str, Any] = {"first": None, "shrink_deadline": None}
    if jobs > 1:
        _prefetch(conj, examples, seed, seconds_per_claim, jobs, memo)

    def body(case: Case) -> None:
        key = case.key()
        res = memo.get(key)
        if res is None:
            dl = state["shrink_deadline"]
            if dl is not None and time.perf_counter() > dl:
                return   # out of shrinking time: unseen instances pass
            res = evaluate(conj, case, seconds=seconds_per_claim)
            memo[key] = res
        if key not in seen:
            seen.add(key)
            order.append(res)
            if on_instance is not None:
                on_instance(res, state["first"] is not None)
        if res.status == "counterexample":
            if state["first"] is None:
                state["first"] = time.perf_counter() - start
                state["shrink_deadline"] = time.perf_counter() + shrink_seconds
            raise _Counterexample(key)

    test = _settings(conj, examples, seed, body, [Phase.generate, Phase.shrink])
    found: InstanceResult | None = None
    try:
        test()
    except _Counterexample as exc:
        found = memo[exc.key]
    return ExploreResult(conj, "counterexample" if found is not None else "none-found", order,
                         found, time.perf_counter() - start, state["first"], seed, examples)


# ------------------------------------------------------------------------------ output


def write_counterexample(res: ExploreResult, out_dir: Path, timeout: float = 120.0) -> None:
    """The shrunk counterexample as a claim file, re-checked by ``symkkt check``'s machinery;
    its certificates (``check-cert``) and the gradient-flow evidence next to it."""
    from . import invariant as I
    from ._explore.instance import claim_text
    from .check import run_claim_file
    from .claimfile import parse_claim_text
    from .io import safe_filename, write_atomic, write_json
    from .problems import Instance

    inst_res = res.counterexample
    pr = inst_res.counterexample()
    conj = res.conjecture
    net = inst_res.network
    case = inst_res.case
    stem = safe_filename(Path(conj.source).stem + "-counterexample")
    claims: list[dict] = [{"kind": "kkt", "label": "kkt-point"}, negation_claim(conj)]
    conv_note = "no exact convergence certificate found (gradient-flow evidence only)"
    inst = Instance.make(net, case.X, case.Y, pr.point)
    runs = [i for i in pr.inits if i.get("direction_error") is not None]
    best = min(runs, key=lambda i: i["direction_error"]) if runs else None
    if best is not None:
        init = {p: _exact_init(v) for p, v in best["init"].items()}
        try:
            search = I.search_invariant(inst, init, seconds=30.0)
            if search.verdict is not None and search.verdict.ok:
                claims.append({"kind": "convergence", "label": "gf-limit", "init": init,
                               "invariant": search.certificate["invariant"]})
                conv_note = ("gradient flow from init provably converges in direction to the "
                             "point")
        except Exception as exc:  # search only
            conv_note += f" ({type(exc).__name__})"
    title = f"counterexample to: {conj.title}"[:200]
    text = claim_text(net, case, pr.point, claims, title=title)
    head = [f"# symkkt explore: a counterexample to {Path(conj.source).name}",
            f"# hypotheses: {', '.join(f'{k}={v}' for k, v in pr.hypotheses.items())}"]
    if best is not None:
        head += [f"# gf-limit evidence: direction error {best['direction_error']:.3e} at "
                 f"|theta| = {best['norm']:.3g} (loss {best['loss']}, {best['dps']} digits)",
                 f"# {conv_note}", ""]
    else:
        head += ["# the point was found by exact enumeration of the KKT points (active sets "
                 "and activation patterns), not by a gradient-flow run", ""]
    text = "\n".join(head) + text
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}.toml"
    cf = parse_claim_text(text, str(path))
    reports = run_claim_file(cf, seconds=SECONDS_PER_CLAIM, timeout=timeout)
    write_atomic(path, text)
    certs = []
    cdir = out_dir / f"{stem}-certificates"
    cdir.mkdir(parents=True, exist_ok=True)
    for rep in reports:
        if rep.certificate is not None:
            p = cdir / f"{safe_filename(rep.claim.claim_id)}.json"
            write_json(p, rep.certificate)
            certs.append(str(p))
    for h, cert in pr.hypothesis_certificates.items():
        p = cdir / f"{stem}-hypothesis-{h}.json"
        write_json(p, cert)
        certs.append(str(p))
    res.certificates = certs
    if runs:
        ev = out_dir / f"{stem}-gf-evidence.json"
        write_json(ev, {"label": "evidence (floating point, not a proof)", "runs": pr.inits,
                        "point": pr.to_json()["point"]})
        res.certificates.append(str(ev))
    res.claim_file = str(path)
    res.recheck = {rep.claim.claim_id: rep.status for rep in reports}


def _exact_init(v: str):
    import sympy

    from .kernel.grammar import parse_number

    return parse_number(v) if not isinstance(v, sympy.Basic) else v


# ------------------------------------------------------------------------------ command


def explore(
    file: Path = typer.Argument(..., help="conjecture file (TOML), or the name of a bundled "
                                          "one (see docs/explore.md)"),
    examples: int = typer.Option(DEFAULT_EXAMPLES, "--examples", help="instances to draw"),
    seed: int = typer.Option(0, "--seed", help="hypothesis seed: same seed, same instances"),
    json_path: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                             help="write the JSON report here"),
    out_dir: Optional[Path] = typer.Option(None, "--out", metavar="DIR",
                                           help="write a counterexample (claim file, "
                                                "certificates, evidence) here"),
    shrink_seconds: float = typer.Option(SHRINK_SECONDS, "--shrink-seconds",
                                         help="wall-time budget for shrinking"),
    jobs: int = typer.Option(1, "--jobs", help="evaluate the drawn instances in this many "
                                               "processes (the same instances)"),
) -> None:
    """Search counterexamples to a conjecture; exit 0 if none found, 1 if one is certified."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from .io import check_writable_dir, check_writable_file, write_json

    if examples < 1:
        raise InputError(f"--examples={examples} must be at least 1")
    if not shrink_seconds >= 0:
        raise InputError(f"--shrink-seconds={shrink_seconds} must be >= 0")
    if jobs < 1:
        raise InputError(f"--jobs={jobs} must be at least 1")
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if out_dir is not None:
        check_writable_dir(out_dir, "--out")
    path = Path(file)
    if not path.exists() and str(file) in bundled_conjectures():
        path = bundled_conjectures()[str(file)]
    conj = load_conjecture(path)
    out = Console()
    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("exploring", total=examples)
        tally = {"held": 0, "verified": 0, "unknown": 0}

        def seen(r: InstanceResult, shrinking: bool) -> None:
            tally["held"] += r.held
            tally["verified"] += r.status == "verified"
            tally["unknown"] += r.status == "unknown"
            what = "shrinking" if shrinking or r.status == "counterexample" else "exploring"
            progress.update(task, advance=0 if shrinking else 1,
                            description=f"{what}: held {tally['held']}, verified "
                                        f"{tally['verified']}, unknown {tally['unknown']}")

        if jobs > 1:
            progress.update(task, description=f"evaluating the draws in {jobs} processes")
        res = explore_conjecture(conj, examples=examples, seed=seed,
                                 shrink_seconds=shrink_seconds, on_instance=seen, jobs=jobs)
        if res.outcome == "counterexample" and out_dir is not None:
            progress.update(task, description="re-checking the counterexample")
            write_counterexample(res, out_dir)
    out.print(f"{conj.title}: {res.summary()}", markup=False, soft_wrap=True)
    if res.outcome == "counterexample":
        pr = res.counterexample.counterexample()
        out.print("instance: " + json.dumps(res.counterexample.case.to_json()), markup=False,
                  soft_wrap=True)
        out.print("point: " + json.dumps(pr.to_json()["point"]), markup=False, soft_wrap=True)
        out.print("conclusion refuted: " + "; ".join(pr.reasons), markup=False, soft_wrap=True)
        if res.recheck is not None:
            out.print("re-check: " + ", ".join(f"{k} {v}" for k, v in res.recheck.items()),
                      markup=False, soft_wrap=True)
    if json_path is not None:
        write_json(json_path, res.to_json())
    raise typer.Exit(1 if res.outcome == "counterexample" else 0)
