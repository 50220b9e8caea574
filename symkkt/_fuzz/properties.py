"""The fuzz properties: strategies, checks and per-run notes.

Each property is a :class:`~symkkt.fuzz.Property` built here; :mod:`symkkt.fuzz` runs them
with hypothesis. A check raises :class:`PropertyFailure` with *claim data* (JSON: the
network, data, point, certificate, ... of the counterexample), which the runner prints for
the shrunk minimal example.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import sympy
from hypothesis import assume
from hypothesis import strategies as st
from sympy import Integer, Rational

from ..errors import InputError, UndecidedError
from ..kernel.certificate import EPSILON, check_certificate
from ..kernel.exact import _context, _Domain, interval_eval, sign
from ..kernel.grammar import parse_exact, parse_number, to_text
from ..network import Network
from ..problems import Instance
from . import bundled
from .independent import CHECKED_KINDS, Cert
from .independent import check as independent_check
from .mutate import applicable_ops, augment, mutate
from .strategies import (activations, epsilons, feasible_scale, init_3_2, networks,
                         separable_data, small_perturbations)

__all__ = ["PropertyFailure", "PropertySkipped", "Spec", "SPECS"]


class PropertyFailure(AssertionError):
    """A counterexample: ``message`` says what failed, ``data`` is the claim data (JSON)."""

    def __init__(self, message: str, data: dict) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class PropertySkipped(Exception):
    """The property cannot run here (a module it needs has not landed); message = reason."""


@dataclass
class Spec:
    """What :mod:`symkkt.fuzz` needs to run one property."""

    name: str
    summary: str
    strategy: Callable[[dict], Any]
    """``strategy(ctx)``: ctx holds ``profile`` and ``subset`` (ci: one claim per result and
    kind)."""
    check: Callable[[Any, dict], None]
    skip_reason: Callable[[], str | None] = lambda: None
    finish: Callable[[dict], dict] | None = None
    cost: float = 1.0
    """Examples run = ceil(cost × requested examples) (at least 1): expensive properties
    (every example a gradient-flow run or a full search) run fewer, said in the report."""
    state: dict = field(default_factory=dict)


def budget_spent(state: dict) -> bool:
    """True while shrinking once the runner's shrink budget is spent: a check that loops
    over many cases returns early (passes) so hypothesis stops shrinking."""
    stop = state.get("stop_at")
    return stop is not None and time.perf_counter() > stop


def _txt(v) -> str:
    return to_text(v) if isinstance(v, sympy.Basic) else str(v)


def _point_json(pt: dict) -> dict:
    return {p: _txt(v) for p, v in pt.items()}


def _instance_json(inst: Instance) -> dict:
    d = inst.base_json()
    d.pop("symkkt_certificate", None)
    return d


# ============================================================================ perturbations


@dataclass(frozen=True)
class CurveCase:
    claim_id: str
    kind: str                 # "not-local" or "equal-norm"
    instance: Instance
    curve: dict
    eps0: sympy.Rational
    certificate: dict


_CURVE_CACHE: dict[str, CurveCase | None] = {}


def _curve_claims(subset: bool):
    return bundled.claims(bundled.CURVE_CLAIM_KINDS, subset=subset)


def _curve_case(claim) -> CurveCase | None:
    """The claim's verified curve certificate, parsed (None if the claim is not verified)."""
    if claim.claim_id in _CURVE_CACHE:
        return _CURVE_CACHE[claim.claim_id]
    rep = bundled.report(claim)
    cert = rep.certificate
    case = None
    if rep.status == "verified" and cert and cert.get("kind") in ("not-local", "equal-norm"):
        curve = {p: parse_exact(str(v), {"epsilon": EPSILON})
                 for p, v in cert["curve"]["point"].items()}
        case = CurveCase(claim.claim_id, cert["kind"], claim.instance, curve,
                         parse_number(cert["eps0"]), cert)
    _CURVE_CACHE[claim.claim_id] = case
    return case


def _sign(e: sympy.Expr) -> int:
    """``sign``, but refining the kernel's validated enclosures first.

    The kernel's ``sign`` tries an exact zero test (a minimal polynomial) as soon as its
    first 64-bit enclosure contains 0, which can take minutes for a tiny non-zero difference
    of high-degree radicals (e.g. the norm difference of Theorem 5.1, m = 5, at
    ``ε = 2^-71``). Enclosures at up to 2500 bits settle every non-zero value we draw; only
    values they cannot separate from 0 go to ``sign``.
    """
    if e.is_Rational:
        return int(bool(e > 0)) - int(bool(e < 0))
    for prec in (64, 160, 400, 1000, 2500):
        try:
            v = interval_eval(e, _context(prec))
        except _Domain:
            break
        if v.a > 0:
            return 1
        if v.b < 0:
            return -1
    return sign(e)


def curve_failure(case: CurveCase, eps: sympy.Rational) -> str | None:
    """Why θ'(ε) is not a feasible point of strictly smaller norm (``equal-norm``: of equal
    norm), or None if it is. Exact: the network's forward pass (ReLU decided by ``sign``)."""
    inst = case.instance
    net, theta = inst.network, inst.point
    pt = {p: case.curve[p].xreplace({EPSILON: eps}) for p in net.params}
    for p, v in pt.items():
        if v.has(sympy.I, sympy.zoo, sympy.nan) or v.is_extended_real is False:
            return f"the curve is not real at epsilon = {to_text(eps)} ({p} = {v})"
    free = inst.free
    for p in net.params:
        if p not in free and _sign(pt[p] - theta[p]) != 0:
            return f"the curve moves {p}, which Problem 4 keeps fixed"
    for i, (x, y) in enumerate(zip(inst.X, inst.Y)):
        m = sympy.expand(y * net.output(pt, x))
        if _sign(m - 1) < 0:
            return f"constraint {i + 1} fails: y*Phi = {to_text(sympy.radsimp(m))} < 1"
    d = _sign(sympy.expand(sum((pt[p] ** 2 - theta[p] ** 2 for p in free), Integer(0))))
    if case.kind == "not-local" and d >= 0:
        return "the norm does not decrease" if d > 0 else "the norm is unchanged"
    if case.kind == "equal-norm" and d != 0:
        return "the norm is not constant"
    return None


def _perturbation_examples(ctx: dict):
    subset = ctx.get("subset", False)

    @st.composite
    def examples(draw):
        out = []
        for claim in _curve_claims(subset):
            case = _curve_case(claim)
            if case is not None:
                out.append((case, draw(epsilons(case.eps0))))
        assume(out)
        return out

    return examples()


def _check_perturbations(example, state: dict) -> None:
    state.setdefault("evaluations", 0)
    for case, eps in example:
        if budget_spent(state):
            return
        try:
            why = curve_failure(case, eps)
        except UndecidedError as exc:
            why = f"undecided: {exc}"
        state["evaluations"] += 1
        if why:
            raise PropertyFailure(
                f"{case.claim_id}: at epsilon = {to_text(eps)} in (0, {to_text(case.eps0)}]: "
                f"{why}",
                {"claim": case.claim_id, "epsilon": to_text(eps), "eps0": to_text(case.eps0),
                 "failure": why, **_instance_json(case.instance),
                 "curve": case.certificate["curve"]})


def _midpoint(a: sympy.Rational, b: sympy.Rational) -> sympy.Rational:
    return (a + b) / 2


def probe_above(case: CurveCase, max_factor: int = 64, bisections: int = 20) -> dict:
    """Where, above the reported ε0, the curve stops giving a feasible point of smaller norm.

    Scans ``ε0·(1 + j/8)`` (j = 1..8) and ``ε0·2^j`` up to ``max_factor·ε0``; at the first
    failure, bisects exactly between the last success and it. This is a report, not a
    proof: the property may fail and hold again between scanned points.
    """
    eps0 = case.eps0
    scan = [eps0 * (1 + Rational(j, 8)) for j in range(1, 9)]
    f = 4
    while f <= max_factor:
        scan.append(eps0 * f)
        f *= 2
    last_ok = eps0
    for e in scan:
        try:
            why = curve_failure(case, e)
        except UndecidedError as exc:
            why = f"undecided: {exc}"
        if why is None:
            last_ok = e
            continue
        bad, bad_why = e, why
        for _ in range(bisections):
            mid = _midpoint(last_ok, bad)
            try:
                w = curve_failure(case, mid)
            except UndecidedError as exc:
                w = f"undecided: {exc}"
            if w is None:
                last_ok = mid
            else:
                bad, bad_why = mid, w
        return {"claim": case.claim_id, "eps0": to_text(eps0), "fails": True,
                "holds_up_to": to_text(last_ok), "first_failure": to_text(bad),
                "first_failure_float": float(bad), "ratio_to_eps0": float(bad / eps0),
                "reason": bad_why}
    return {"claim": case.claim_id, "eps0": to_text(eps0), "fails": False,
            "holds_up_to": to_text(last_ok),
            "note": f"no failure found up to {max_factor}*eps0"}


def _finish_perturbations(state: dict) -> dict:
    probes, skipped = [], []
    for claim in _curve_claims(state.get("subset", False)):
        case = _curve_case(claim)
        if case is None:
            skipped.append(f"{claim.claim_id}: not verified, no eps0 to test")
            continue
        probes.append(probe_above(case))
    return {"claims": len(probes), "exact_evaluations": state.get("evaluations", 0),
            "scope": "one claim per result and kind (ci)" if state.get("subset")
            else "every bundled claim",
            "above_eps0": probes, "skipped_claims": skipped,
            "theorem_modules_failing": bundled.module_errors()}


# ============================================================================ robustness


def _svm_two(x1, x2):
    """``w`` with ``<w, x1> = <w, x2> = 1`` (both support vectors of the SVM through 0)."""
    M = sympy.Matrix([list(x1), list(x2)])
    return list(M.LUsolve(sympy.Matrix([1, 1])))


def _robust_3_2(deltas):
    """Theorem 3.2 on perturbed inputs: the KKT point recomputed exactly.

    GF (under 3.2's hypotheses) keeps neuron 2 idle and drives neuron 1 to the max-margin
    single neuron: ``w̃1 = w/‖w‖^(1/2)``, ``ṽ1 = ‖w‖^(1/2)`` with ``w`` the SVM solution
    ``<w, x_i> = 1`` (both inputs support vectors). Curve (the theorem's, generalized): switch
    on neuron 2 along ``a = (-1, 0)`` (active on x2 only) and move neuron 1 along ``δ`` with
    ``<δ, x1> = 0``, ``ṽ1 <δ, x2> = -<a, x2>``, so both margins stay exactly 1:
    ``w1' = w̃1 + ε δ``, ``w2' = √ε a``, ``v2' = √ε``.
    """
    from theorems import thm_3_2 as T

    X = [(Rational(x[0]) + deltas[2 * i], Rational(x[1]) + deltas[2 * i + 1])
         for i, x in enumerate(T.X)]
    w = _svm_two(*X)
    nw = sympy.sqrt(w[0] ** 2 + w[1] ** 2)
    root = sympy.sqrt(nw)
    w1 = [sympy.radsimp(v / root) for v in w]
    v1 = root
    point = {"w1_1": w1[0], "w1_2": w1[1], "w2_1": 0, "w2_2": 0, "v1": v1, "v2": 0}
    a = (Integer(-1), Integer(0))
    ax2 = a[0] * X[1][0] + a[1] * X[1][1]
    D = sympy.Matrix([list(X[0]), list(X[1])])
    delta = list(D.LUsolve(sympy.Matrix([0, -ax2 / v1])))
    eps = EPSILON
    curve = {"w1_1": w1[0] + eps * sympy.radsimp(delta[0]),
             "w1_2": w1[1] + eps * sympy.radsimp(delta[1]),
             "w2_1": sympy.sqrt(eps) * a[0], "w2_2": sympy.sqrt(eps) * a[1],
             "v1": v1, "v2": sympy.sqrt(eps)}
    inst = Instance.make(T.NETWORK, X, T.Y, point)
    return inst, curve, 2, False


def _robust_4_1(deltas, activation):
    """Theorem 4.1 on ``x = (a, b)``: ``w̃1 = w̃2 = (a^(-1/2), 0)``; curve
    ``w1' = w2' = (√((1-ε)/a), √(ε/b))`` (margin exactly 1, norm ``2/a - 2ε(1/a - 1/b)``)."""
    from symkkt.network import diagonal
    from theorems import thm_4_1 as T

    a = Rational(T.X[0][0]) + deltas[0]
    b = Rational(T.X[0][1]) + deltas[1]
    c = 1 / sympy.sqrt(a)
    point = {"w1_1": c, "w1_2": 0, "w2_1": c, "w2_2": 0}
    eps = EPSILON
    s1, s2 = sympy.sqrt((1 - eps) / a), sympy.sqrt(eps / b)
    curve = {"w1_1": s1, "w1_2": s2, "w2_1": s1, "w2_2": s2}
    inst = Instance.make(diagonal(2, 2, activation), [(a, b)], T.Y, point)
    return inst, curve, 2, False


def _robust_5_1(deltas, activation, m):
    """Theorem 5.1 (depth m) on ``x = (a, b)``: the interior KKT point with every layer
    ``(p, q)``, ``λ a p^(m-2) = λ b q^(m-2) = 1`` and margin 1: with
    ``C = a^(-2/(m-2)) + b^(-2/(m-2))``, ``P = a^(-2/(m-2))/C``, ``Q = b^(-2/(m-2))/C``,
    ``p = (P/a)^(1/m)``, ``q = (Q/b)^(1/m)`` (P, Q rational for m = 3, 4). Curve (the
    theorem's, generalized): ``p' = ((P+ε)/a)^(1/m)``, ``q' = ((Q-ε)/b)^(1/m)``.

    Note: for ``a != b`` gradient flow from ``w_j = (1, 1)`` no longer reaches this point
    (the larger coordinate's layer product blows up first); the property checks the
    verdicts about the recomputed point, not the GF limit.
    """
    from symkkt.network import diagonal
    from theorems import thm_5_1 as T

    a = Rational(T.X[0][0]) + deltas[0]
    b = Rational(T.X[0][1]) + deltas[1]
    e = Rational(2, m - 2)
    C = a ** (-e) + b ** (-e)
    P, Q = a ** (-e) / C, b ** (-e) / C
    p, q = (P / a) ** Rational(1, m), (Q / b) ** Rational(1, m)
    point = {f"w{l}_{k}": (p if k == 1 else q) for l in range(1, m + 1) for k in (1, 2)}
    eps = EPSILON
    pc, qc = ((P + eps) / a) ** Rational(1, m), ((Q - eps) / b) ** Rational(1, m)
    curve = {f"w{l}_{k}": (pc if k == 1 else qc) for l in range(1, m + 1) for k in (1, 2)}
    inst = Instance.make(diagonal(2, m, activation), [(a, b)], T.Y, point)
    return inst, curve, 1, True


def _remark_module():
    if importlib.util.find_spec("theorems.remark_3_2") is None:
        return None
    try:
        return importlib.import_module("theorems.remark_3_2")
    except Exception:
        return None


def _remark_instances(thm: str, act: str, m: int, deltas) -> tuple[list[dict], str] | None:
    """Remark 3.2's closed forms (``theorems.remark_3_2.cert_*``: the KKT point, multipliers,
    subgradients and curve as functions of the perturbation δ) instantiated at a concrete δ,
    as ordinary ``kkt`` and ``not-local`` certificates for the kernel.

    δ (drawn in ``[-1/16, 1/16]``) is scaled into the box of the radius the remark claims
    (``RADII``; the smallest if it lists several), so every instance is one the remark's
    symbolic proof covers; None when the remark does not cover the case (no module, no
    builder, 5.1 outside m = 3..8).
    """
    mod = _remark_module()
    if mod is None or (thm == "5.1" and not 3 <= m <= 8):
        return None
    builders = {"3.2": lambda r: mod.cert_3_2(r), "4.1": lambda r: mod.cert_4_1(act, r),
                "5.1": lambda r: mod.cert_5_1(act, r, m)}
    radii = getattr(mod, "RADII", {}).get(thm)
    if not radii or not callable(getattr(mod, f"cert_{thm.replace('.', '_')}", None)):
        return None
    r = min(radii) if isinstance(radii, (list, tuple)) else radii  # the claimed radius
    scale = r / Rational(1, 16)
    cert = builders[thm](r)
    params = cert.get("parameters", [])
    if len(params) != len(deltas):
        return None
    names = {p: sympy.Symbol(p, real=True) for p in params}
    env = {names[p]: d * scale for p, d in zip(params, deltas)}
    for aux in cert.get("aux", []):
        sym = sympy.Symbol(aux["name"], positive=True)
        names[aux["name"]] = sym
        base = parse_exact(str(aux["base"]), names).xreplace(env)
        env[sym] = sympy.radsimp(base) ** Rational(1, int(aux["root"]))
    names_eps = dict(names, epsilon=EPSILON)

    def num(v, eps=False):
        e = parse_exact(str(v), names_eps if eps else names).xreplace(env)
        return to_text(sympy.radsimp(sympy.expand(e)) if not eps else e)

    base = {"symkkt_certificate": 1, "network": cert["network"],
            "problem": cert.get("problem", {"number": 2}),
            "data": {"x": [[num(v) for v in x] for x in cert["data"]["x"]],
                     "y": cert["data"]["y"]},
            "point": {p: num(v) for p, v in cert["point"].items()},
            "theorem": "R3.2", "claim": f"R3.2 closed form at delta = "
                                        f"{[to_text(d * scale) for d in deltas]}"}
    kkt = dict(base, kind="kkt", multipliers=[num(v) for v in cert["multipliers"]])
    if cert.get("subgradients") is not None:
        kkt["subgradients"] = [[{"weight": num(q["weight"]), "pattern": q["pattern"],
                                 "witness": {p: num(v) for p, v in q["witness"].items()}}
                                for q in pieces] for pieces in cert["subgradients"]]
    curve = dict(cert["curve"], point={p: num(v, eps=True)
                                       for p, v in cert["curve"]["point"].items()})
    nl = dict(base, kind="not-local", curve=curve, eps0=cert["eps0"])
    return [kkt, nl], to_text(r)


def _robustness_examples(ctx: dict):
    d = small_perturbations()
    return st.one_of(
        st.tuples(st.just("3.2"), st.just("relu"), st.just(0), st.lists(d, min_size=4,
                                                                        max_size=4)),
        st.tuples(st.just("4.1"), activations, st.just(0), st.lists(d, min_size=2, max_size=2)),
        st.tuples(st.just("5.1"), activations, st.sampled_from((3, 4)),
                  st.lists(d, min_size=2, max_size=2)),
    )


def _check_robustness(example, state: dict) -> None:
    from symkkt.claims import curve_claim, kkt_claim, run_claim, structural_claim

    thm, act, m, deltas = example
    if thm == "3.2":
        inst, curve, k, nonzero = _robust_3_2(deltas)
    elif thm == "4.1":
        inst, curve, k, nonzero = _robust_4_1(deltas, act)
    else:
        inst, curve, k, nonzero = _robust_5_1(deltas, act, m)
    label = f"{act}, perturbed" + (f", m={m}" if thm == "5.1" else "")
    claims = [kkt_claim(thm, label, inst), curve_claim(thm, label, inst, curve, k=k)]
    if nonzero:
        claims.append(structural_claim(thm, label, inst, "inputs"))
    verdicts = {}
    for c in claims:
        if budget_spent(state):
            return
        try:
            rep = run_claim(c)
        except Exception as exc:  # search or kernel crashed: the verdict is not kept either
            verdicts[c.kind] = {"status": "error",
                                "reasons": [f"{type(exc).__name__}: {exc}"]}
            continue
        verdicts[c.kind] = {"status": rep.status, "reasons": list(rep.reasons),
                            "values": dict(rep.values)}
    state.setdefault("by_theorem", {}).setdefault(thm, 0)
    state["by_theorem"][thm] += 1
    remark_certs = None
    try:
        got = _remark_instances(thm, act, m, deltas)
    except Exception as exc:  # the remark's closed forms could not be instantiated
        verdicts["remark-3.2"] = {"status": "error",
                                  "reasons": [f"instantiating Remark 3.2's closed forms: "
                                              f"{type(exc).__name__}: {exc}"]}
        got = None
    if got is not None:
        remark_certs, radius = got
        for cert in remark_certs:
            try:
                v = check_certificate(cert, source=cert["claim"])
                verdicts[f"remark-3.2 {cert['kind']}"] = {
                    "status": v.status, "reasons": list(v.reasons), "radius": radius}
            except Exception as exc:
                verdicts[f"remark-3.2 {cert['kind']}"] = {
                    "status": "error", "reasons": [f"{type(exc).__name__}: {exc}"]}
        state["remark_instances"] = state.get("remark_instances", 0) + 1
    bad = [k for k, v in verdicts.items() if v["status"] != "verified"]
    if bad:
        raise PropertyFailure(
            f"Theorem {thm} ({act}) with inputs perturbed by "
            f"{[to_text(v) for v in deltas]}: {', '.join(bad)} not verified: "
            f"{verdicts[bad[0]]['reasons']}",
            {"theorem": thm, "activation": act, **({"m": m} if thm == "5.1" else {}),
             "perturbation": [to_text(v) for v in deltas], **_instance_json(inst),
             "curve": {p: to_text(v) for p, v in curve.items()}, "verdicts": verdicts,
             **({"remark_certificates": remark_certs} if remark_certs else {})})


def _finish_robustness(state: dict) -> dict:
    remark = _remark_module() is not None
    return {"examples_by_theorem": state.get("by_theorem", {}),
            "method": "per example: (1) the KKT point and curve recomputed in closed form "
                      "here (symkkt._fuzz.properties._robust_*), certified by "
                      "find_kkt/find_eps0 and the kernel like the theorems' claims; "
                      "(2) Remark 3.2's closed forms (theorems.remark_3_2.cert_*) "
                      "instantiated at the same perturbation scaled into the box of the "
                      "radius the remark claims, checked by the kernel as kkt and not-local",
            "remark_3_2_instances_checked": state.get("remark_instances", 0),
            "remark_3_2_module": "present" if remark else "absent: only (1)"}


# ============================================================================ soundness


_BASE_CACHE: dict[str, Cert | None] = {}


def _bundled_base(claim) -> Cert | None:
    """The claim's verified certificate in structured form (None if not verified/checkable)."""
    if claim.claim_id not in _BASE_CACHE:
        rep = bundled.report(claim)
        cert = rep.certificate
        base = None
        if rep.status == "verified" and cert and cert.get("kind") in CHECKED_KINDS:
            try:
                base = Cert.from_json(cert)
            except (ValueError, KeyError, TypeError, SyntaxError):
                base = None
        _BASE_CACHE[claim.claim_id] = base
    return _BASE_CACHE[claim.claim_id]


def _groups(subset: bool) -> dict[str, list]:
    groups: dict[str, list] = {"kkt": [], "curve": [], "other": []}
    for c in bundled.claims(bundled.SOUNDNESS_CLAIM_KINDS, subset=subset):
        g = ("kkt" if c.kind == "kkt" else
             "curve" if c.kind in bundled.CURVE_CLAIM_KINDS else "other")
        groups[g].append(c)
    return groups


@st.composite
def _random_better_point(draw):
    """A valid random ``better-point`` certificate: data separated by a random network,
    ``θ = 2cθ0`` and the better point ``cθ0`` (feasible, norm 4 times smaller)."""
    net = draw(networks())
    X, Y, theta0 = draw(separable_data(net))
    c = feasible_scale(net, theta0, X, Y)
    return Cert(kind="better-point", activation=net.activation,
                layers=[[list(r) for r in layer] for layer in net.layers],
                X=[list(x) for x in X], Y=list(Y),
                point={p: 2 * c * v for p, v in theta0.items()},
                better={p: c * v for p, v in theta0.items()},
                meta={"claim": "random better-point"})


def _soundness_examples(ctx: dict):
    """Per example: one KKT certificate (augmented: a duplicated active sample, sometimes an
    inactive scaled copy), one curve certificate and one other (a random better-point or a
    bundled nonzero-*/better-point), each mutated by every applicable operation."""
    groups = _groups(ctx.get("subset", False))

    @st.composite
    def examples(draw):
        bases = []
        for g in ("kkt", "curve", "other"):
            pool = groups[g]
            if g == "other" and (not pool or draw(st.booleans())):
                bases.append((draw(_random_better_point()), "random better-point"))
                continue
            if not pool:
                continue
            claim = draw(st.sampled_from(pool))
            base = _bundled_base(claim)
            if base is None:
                continue
            label = claim.claim_id
            if g == "kkt":
                base, note = augment(draw, base)
                label += f" + {note}" if note else ""
            bases.append((base, label))
        assume(bases)
        cases = []
        for base, label in bases:
            for op in applicable_ops(base):
                mutant, desc = mutate(draw, base, op)
                cases.append((label, op, desc, mutant))
        return cases

    return examples()


def _check_soundness(example, state: dict) -> None:
    stats = state.setdefault("mutants", {})
    for label, op, desc, mutant in example:
        if budget_spent(state):
            return
        st_op = stats.setdefault(op, {"tried": 0, "rejected": 0, "accepted_valid": 0})
        st_op["tried"] += 1
        try:
            cert = mutant.to_json(_to_text)
        except InputError:  # a mutated number the grammar cannot write: not a certificate
            st_op["unwritable"] = st_op.get("unwritable", 0) + 1
            continue
        try:
            verdict = check_certificate(cert, source="mutant")
        except InputError as exc:
            # Every mutant is well-formed (each number was written by to_text and reads
            # back), so this is the kernel refusing a well-formed certificate: a rejection,
            # not unsoundness, but a bug worth reporting.
            st_op["kernel_input_error"] = st_op.get("kernel_input_error", 0) + 1
            errs = state.setdefault("kernel_input_errors", [])
            if len(errs) < 5:
                errs.append({"base": label, "mutation": desc, "error": str(exc)})
            continue
        except Exception as exc:  # the kernel must answer or raise InputError, never crash
            raise PropertyFailure(f"the kernel crashed on a mutant of {label} ({desc}): "
                                  f"{type(exc).__name__}: {exc}",
                                  {"base": label, "mutation": op, "change": desc,
                                   "certificate": cert}) from None
        if verdict.status != "verified":
            st_op["rejected"] += 1
            continue
        outcome = independent_check(mutant)
        if outcome.valid is not True:
            raise PropertyFailure(
                f"the kernel verified a mutant of {label} ({desc}) that the independent "
                f"check {'rejects' if outcome.valid is False else 'cannot confirm'}: "
                f"{outcome.reason}",
                {"base": label, "mutation": op, "change": desc, "certificate": cert,
                 "kernel": {"status": verdict.status, "reasons": list(verdict.reasons)},
                 "independent": outcome.to_json()})
        st_op["accepted_valid"] += 1
        key = "confirmed_by_grid" if outcome.method == "grid" else "confirmed_exactly"
        state[key] = state.get(key, 0) + 1


def _finish_soundness(state: dict) -> dict:
    groups = _groups(state.get("subset", False))
    return {"mutants": state.get("mutants", {}),
            "valid_mutants_confirmed_exactly": state.get("confirmed_exactly", 0),
            "valid_mutants_confirmed_on_grid": state.get("confirmed_by_grid", 0),
            "kernel_input_errors_on_well_formed_mutants": state.get("kernel_input_errors", []),
            "bundled_bases": {g: len(v) for g, v in groups.items()},
            "kinds_not_mutated": sorted({c.kind for c in bundled.claims()}
                                        - set(bundled.SOUNDNESS_CLAIM_KINDS)),
            "theorem_modules_failing": bundled.module_errors()}


@lru_cache(maxsize=1 << 16)
def _to_text(e) -> str:
    return to_text(e)


# ============================================================================ positive


def _skip_positive() -> str | None:
    if importlib.util.find_spec("symkkt.optimum") is None:
        return ("symkkt.optimum is not present (the certified-optima issue has not landed)")
    try:
        opt = importlib.import_module("symkkt.optimum")
    except Exception as exc:  # a half-landed module: say so instead of failing
        return f"symkkt.optimum cannot be imported: {type(exc).__name__}: {exc}"
    missing = [n for n in ("find_global", "global_certificate", "optimum_value_certificate")
               if not callable(getattr(opt, n, None))]
    if missing:
        return f"symkkt.optimum lacks {', '.join(missing)}"
    return None


def _positive_examples(ctx: dict):
    from .strategies import diagonal_networks, fully_connected_networks

    linear = st.tuples(st.just("linear"), fully_connected_networks("linear", max_dim=3,
                                                                   max_depth=3))
    relu = st.tuples(st.just("relu"), st.one_of(
        fully_connected_networks("relu", max_dim=2, max_depth=2),
        diagonal_networks("relu", max_dim=2, max_depth=2)))

    @st.composite
    def examples(draw):
        out = []
        for which, net in (draw(linear), draw(relu)):  # one of each per example
            X, Y, theta0 = draw(separable_data(net, max_samples=3))
            out.append((which, net, X, Y, theta0, draw(st.integers(0, 2 ** 31 - 1))))
        return out

    return examples()


def _float_margins(net: Network, X, Y):
    """Float ``θ -> (y_i Φ(θ; x_i))_i`` and its Jacobian (numpy; search only)."""
    import numpy as np

    params = list(net.params)
    index = {p: k for k, p in enumerate(params)}
    layers = [np.array([[index[n] if n is not None else -1 for n in row] for row in layer])
              for layer in net.layers]
    Xf = np.array([[float(v) for v in x] for x in X])
    Yf = np.array([float(y) for y in Y])
    relu = net.activation == "relu"

    P = len(params)

    def forward(th):
        ext = np.append(th, 0.0)  # index -1 reads the structural zero
        hs, masks = [Xf], []
        h = Xf
        for l, idx in enumerate(layers):
            h = h @ ext[idx].T
            if l < len(layers) - 1:
                mask = (h > 0) if relu else np.ones_like(h, dtype=bool)
                h = np.where(mask, h, 0.0)
                masks.append(mask)
            hs.append(h)
        return ext, hs, masks

    def margins(th):
        return Yf * forward(th)[1][-1][:, 0]

    def jac(th):
        """Backpropagation: d(y_i Φ_i)/dθ, shared names summed (σ'(0) = 0)."""
        ext, hs, masks = forward(th)
        J = np.zeros((len(Yf), P + 1))
        g = np.ones((len(Yf), 1))                     # dΦ/d(output pre-activation)
        for l in range(len(layers) - 1, -1, -1):
            idx = layers[l]
            contrib = g[:, :, None] * hs[l][:, None, :]   # sample x rows x cols
            for r in range(idx.shape[0]):
                for c in range(idx.shape[1]):
                    J[:, idx[r, c]] += contrib[:, r, c]
            if l > 0:
                g = (g @ ext[idx]) * masks[l - 1]
        return Yf[:, None] * J[:, :P]

    return margins, jac


def _float_optimum(net: Network, X, Y, seed: int, starts: int = 16
                   ) -> tuple[float, dict] | None:
    """Best feasible squared norm found by SLSQP from many random starts (search only)."""
    import numpy as np
    from scipy.optimize import minimize

    params = list(net.params)
    P = len(params)
    margins, jac = _float_margins(net, X, Y)
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(starts):
        th0 = rng.normal(size=P) * 2
        res = minimize(lambda th: float(th @ th), th0, jac=lambda th: 2 * th, method="SLSQP",
                       constraints=[{"type": "ineq", "fun": lambda th: margins(th) - 1,
                                     "jac": jac}],
                       options={"maxiter": 200, "ftol": 1e-12})
        q = float(margins(res.x).min())
        if q > 1e-6:  # scale to margin 1 exactly (Φ is m-homogeneous): a feasible point
            th = res.x * (1 / q) ** (1 / net.depth)
            v = float(th @ th)
            if best is None or v < best[0]:
                best = (v, dict(zip(params, th.tolist())))
    return best


def _check_positive(example, state: dict) -> None:
    for case in example:
        if budget_spent(state):
            return
        _check_positive_case(case, state)


def _check_positive_case(example, state: dict) -> None:
    from symkkt.kkt import find_kkt
    from symkkt.optimum import find_global, global_certificate, optimum_value_certificate

    which, net, X, Y, theta0, seed = example
    data = {"network": net.to_json(),
            "data": {"x": [[to_text(v) for v in x] for x in X], "y": list(Y)}}
    counts = state.setdefault("counts", {"linear_certified": 0, "relu_compared": 0,
                                         "relu_no_float_point": 0, "unsupported": 0})
    res = find_global(net, X, Y)
    if res.theta is None or res.value is None:
        counts["unsupported"] += 1
        if which == "linear":  # linearly separable data: the construction must exist
            raise PropertyFailure(f"no global construction for a fully-connected linear "
                                  f"network on separable data: {res.reason}", data)
        return
    if which == "linear":
        inst = Instance.make(net, X, Y, res.theta)
        kkt = find_kkt(inst)
        cert, reason, _ = global_certificate(inst)
        verdicts = {"kkt": check_certificate(kkt.certificate).status if kkt.certificate
                    else f"no certificate: {kkt.reason}",
                    "global": check_certificate(cert).status if cert
                    else f"no certificate: {reason}"}
        if any(v != "verified" for v in verdicts.values()):
            raise PropertyFailure(f"the global construction is not certified KKT and global: "
                                  f"{verdicts}",
                                  {**_instance_json(inst), "verdicts": verdicts,
                                   "certificate": cert})
        counts["linear_certified"] += 1
        return
    # ReLU: the certified optimum must not exceed any feasible point's squared norm
    c = feasible_scale(net, theta0, X, Y)
    ref = Instance.make(net, X, Y, {p: c * v for p, v in theta0.items()})
    cert, reason, _ = optimum_value_certificate(ref)
    v = check_certificate(cert) if cert else None
    if v is None or v.status != "verified":
        raise PropertyFailure(f"the optimum found is not certified: "
                              f"{v.reasons if v else reason}",
                              {**data, "certificate": cert})
    value = res.value
    if _sign(sympy.expand(value - ref.norm2)) > 0:
        raise PropertyFailure(f"the certified optimum {to_text(value)} exceeds the squared "
                              f"norm {to_text(ref.norm2)} of a feasible point",
                              {**data, "certified_optimum": to_text(value),
                               "feasible_point": _point_json(ref.point)})
    found = _float_optimum(net, X, Y, seed)
    if found is None:
        counts["relu_no_float_point"] += 1
        return
    counts["relu_compared"] += 1
    if float(value) > found[0] * (1 + 1e-7) + 1e-9:
        raise PropertyFailure(
            f"the certified global optimum {to_text(value)} = {float(value):.12g} exceeds "
            f"the squared norm {found[0]:.12g} of a (float) feasible point found by SLSQP",
            {**data, "certified_optimum": to_text(value), "float_point": found[1]})


def _finish_positive(state: dict) -> dict:
    return {**state.get("counts", {}),
            "float_search": "SLSQP from 16 random starts per ReLU example (search only); "
                            "each end point with positive margins is rescaled to minimum "
                            "margin 1 (Φ is m-homogeneous) and its squared norm compared"}


# ============================================================================ gf


def _skip_gf() -> str | None:
    if importlib.util.find_spec("symkkt.gf") is None:
        return "symkkt.gf is not present (the gradient-flow issue has not landed)"
    try:
        gf = importlib.import_module("symkkt.gf")
    except Exception as exc:  # a half-landed module: say so instead of failing
        return f"symkkt.gf cannot be imported: {type(exc).__name__}: {exc}"
    if not callable(getattr(gf, "run_gf", None)):
        return "symkkt.gf has no run_gf"
    return None


GF_TARGET_NORM = 1e4


def _gf_examples(ctx: dict):
    from theorems import thm_3_2 as T

    losses = ("exp", "logistic")
    try:
        from symkkt.gf import LOSSES as L
        losses = tuple(L)
    except Exception:
        pass
    return st.tuples(init_3_2(tuple(tuple(Rational(v) for v in x) for x in T.X)),
                     st.sampled_from(losses))


def _check_gf(example, state: dict) -> None:
    from symkkt.gf import run_gf
    from theorems import thm_3_2 as T

    init, loss = example
    meets = getattr(T, "init_meets_hypotheses", None)
    if callable(meets):
        ok = meets(init)
        ok = ok[0] if isinstance(ok, tuple) else getattr(ok, "ok", ok)
        if not ok:
            raise PropertyFailure("thm_3_2.init_meets_hypotheses rejects an init built to "
                                  "meet the hypotheses",
                                  {"init": _point_json(init), "loss": loss})
    res = run_gf(T.NETWORK, T.X, T.Y, init, T.POINT, loss=loss, dps=30,
                 target_norm=GF_TARGET_NORM)
    err = res.direction_error
    # θ = (neuron 1, idle neuron 2): neuron 2 never moves, so its share of the direction
    # is about |(w2, v2)(0)| / |θ|; neuron 1 converges faster than that.
    idle = math.sqrt(sum(float(init[p]) ** 2 for p in ("w2_1", "w2_2", "v2")))
    tol = 10 * (idle + 1) / res.norm
    state.setdefault("worst_ratio", 0.0)
    if err is not None:
        state["worst_ratio"] = max(state["worst_ratio"], err / tol)
    if err is None or not err <= tol or res.margin_nondecreasing is False:
        raise PropertyFailure(
            f"gradient flow ({loss}) from an init meeting 3.2's hypotheses ends at direction "
            f"error {err} > {tol:.3g} from Theorem 3.2's KKT point at |theta| = {res.norm:.3g}"
            + (" (margin decreased)" if res.margin_nondecreasing is False else ""),
            {"theorem": "3.2", "init": _point_json(init), "loss": loss,
             "target": _point_json(T.POINT), "direction_error": err, "norm": res.norm,
             "stop_reason": res.stop_reason})


def _finish_gf(state: dict) -> dict:
    return {"target_norm": GF_TARGET_NORM,
            "tolerance": "direction error <= 10 (|(w2, v2)(0)| + 1) / |theta|",
            "worst_error_over_tolerance": state.get("worst_ratio")}


# ============================================================================ convergence


def _convergence_examples(ctx: dict):
    from . import convergence as C

    return C.examples(ctx)


def _check_convergence(example, state: dict) -> None:
    from . import convergence as C

    C.check(example, state, PropertyFailure, budget_spent)


def _finish_convergence(state: dict) -> dict:
    from . import convergence as C

    return C.finish(state)


def _skip_convergence() -> str | None:
    from . import convergence as C

    return C.skip_reason()


# ============================================================================ registry


SPECS: dict[str, Spec] = {}


def _register(spec: Spec) -> None:
    SPECS[spec.name] = spec


_register(Spec(
    "perturbations",
    "every not-local (and equal-norm) claim: θ'(ε) is feasible with strictly smaller "
    "(equal) norm at random exact ε in (0, ε0]; probe above ε0",
    _perturbation_examples, _check_perturbations, finish=_finish_perturbations))
_register(Spec(
    "robustness",
    "small exact perturbations of the inputs of 3.2, 4.1, 5.1 keep the kkt / not-local / "
    "nonzero-inputs verdicts (point and certificates recomputed)",
    _robustness_examples, _check_robustness, finish=_finish_robustness, cost=0.25))
_register(Spec(
    "soundness",
    "mutated valid certificates are rejected by the kernel unless an independent exact "
    "check confirms the mutant is still valid",
    _soundness_examples, _check_soundness, finish=_finish_soundness, cost=0.5))
_register(Spec(
    "positive",
    "global construction certified global (linear); certified optimum <= float optimizer "
    "from many starts (small ReLU)",
    _positive_examples, _check_positive, skip_reason=_skip_positive,
    finish=_finish_positive, cost=0.5))
_register(Spec(
    "gf",
    "gradient flow from random inits meeting 3.2's hypotheses reaches 3.2's KKT point",
    _gf_examples, _check_gf, skip_reason=_skip_gf, finish=_finish_gf, cost=0.1))
_register(Spec(
    "convergence",
    "random inits in the invariant sets of 3.2, 4.1, 4.4, 5.1 with L < 1: convergence "
    "certificates verified; mutants (init off the set, data, a set that is not invariant, "
    "L >= 1, no positivity, the point doubled) not verified; "
    "some flows compared",
    _convergence_examples, _check_convergence, skip_reason=_skip_convergence,
    finish=_finish_convergence, cost=1.0))
