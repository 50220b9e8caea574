"""One explored instance: gradient flow, the exact limit, the hypotheses, the conclusion.

Floats (the flow, the structure read off it) are search and evidence. Every verdict comes from
the kernel: the limit is a KKT point only if a ``kkt`` certificate is verified; ``nonzero-*``
hypotheses by the kernel kinds ``nonzero-weights`` / ``nonzero-inputs``; the conclusion by
running it as a claim of a claim file (:func:`symkkt.check.run_claim_file`: curves, better
points, certified optima), whose status is the kernel's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..kernel.net import NetSpec
from .conjecture import Conjecture

__all__ = ["Case", "PointResult", "InstanceResult", "build_network", "evaluate",
           "conclusion_claim", "negation_claim"]

GF_TARGET_NORM = 1e6
GF_SECONDS = 3.0
GF_SECONDS_STRUCTURED = 12.0
"""The few deterministic initializations get a longer flow than the drawn ones (CPU s)."""
GF_WALL_FACTOR = 10.0
GF_DPS = 30
GF_EVIDENCE = 1e-4       # direction error below which "gf-limit" counts as held (evidence)


@dataclass(frozen=True)
class Case:
    """What hypothesis draws: data, labels, a sparsity mask, an exact init, a seed."""

    X: tuple[tuple[int, ...], ...]
    Y: tuple[int, ...]
    mask: tuple[bool, ...]          # no-share: first-layer entries removed (True = removed)
    inits: tuple[tuple[int, ...], ...]   # gradient-flow initializations (small integers)

    def key(self) -> tuple:
        return (self.X, self.Y, self.mask, self.inits)

    def to_json(self) -> dict:
        return {"x": [list(x) for x in self.X], "y": list(self.Y), "mask": list(self.mask),
                "inits": [list(i) for i in self.inits]}


def build_network(conj: Conjecture, mask: tuple[bool, ...]) -> NetSpec:
    net = conj.base_network()
    if conj.architecture != "no-share" or not any(mask):
        return net
    first = net.layers[0]
    k = 0
    rows = []
    for row in first:
        new = []
        for name in row:
            new.append(None if mask[k] else name)
            k += 1
        rows.append(tuple(new))
    return NetSpec(net.activation, (tuple(rows),) + net.layers[1:])


@dataclass
class PointResult:
    point: dict[str, sympy.Expr]
    source: str = "gradient flow"   # or "enumeration" (exact, symkkt.kktenum)
    inits: list[dict[str, Any]] = field(default_factory=list)   # init + direction error
    kkt: str = "unknown"
    hypotheses: dict[str, str] = field(default_factory=dict)
    hypothesis_certificates: dict[str, dict] = field(default_factory=dict)
    held: bool = False
    conclusion: str = "not-run"
    reasons: list[str] = field(default_factory=list)
    certificate: dict | None = None

    @property
    def best_error(self) -> float:
        errs = [i["direction_error"] for i in self.inits if i["direction_error"] is not None]
        return min(errs) if errs else math.inf

    def to_json(self) -> dict:
        from ..autosearch import text

        return {"point": {p: text(v) for p, v in self.point.items()},
                "source": self.source, "gf_runs": self.inits, "kkt": self.kkt, "hypotheses": self.hypotheses,
                "hypotheses_held": self.held, "conclusion": self.conclusion,
                "reasons": self.reasons}


@dataclass
class InstanceResult:
    case: Case
    network: NetSpec
    points: list[PointResult]
    notes: list[str]

    @property
    def held(self) -> bool:
        return any(p.held for p in self.points)

    @property
    def status(self) -> str:
        """counterexample | verified | unknown | hypotheses-not-held."""
        held = [p for p in self.points if p.held]
        if any(p.conclusion == "refuted" for p in held):
            return "counterexample"
        if not held:
            return "hypotheses-not-held"
        if all(p.conclusion == "verified" for p in held):
            return "verified"
        return "unknown"

    def counterexample(self) -> PointResult | None:
        cands = [p for p in self.points if p.held and p.conclusion == "refuted"]
        return min(cands, key=lambda p: p.best_error) if cands else None

    def to_json(self) -> dict:
        return {"case": self.case.to_json(), "network": self.network.to_json(),
                "status": self.status, "points": [p.to_json() for p in self.points],
                "notes": self.notes}


def conclusion_claim(conj: Conjecture) -> dict:
    kind = "local" if conj.conclusion.endswith("local") else "global"
    claim: dict[str, Any] = {"kind": kind, "label": "conclusion"}
    if conj.problem == 4:
        claim.update({"problem": 4, "layer": conj.layer})
    return claim


def negation_claim(conj: Conjecture) -> dict:
    claim = conclusion_claim(conj)
    claim["kind"] = "not-" + claim["kind"]
    claim["label"] = "counterexample"
    return claim


def structured_inits(net: NetSpec, case: Case) -> list[dict[str, sympy.Integer]]:
    """Deterministic initializations tried before the drawn ones: all ones (balanced and
    symmetric), and for depth-2 networks one neuron along ``Σ y_i x_i`` with output weight 1
    and every other neuron idle (all its weights 0; gradient flow keeps it so), and every
    neuron along ``Σ y_i x_i`` with output weight 1 (merged neurons stay merged), and one
    neuron per sample (cyclically)."""
    out = [{p: sympy.Integer(1) for p in net.params}]
    s = [sum(y * x[k] for x, y in zip(case.X, case.Y)) for k in range(net.input_dim)]
    last = net.layers[-1][0]
    if len(last) == net.input_dim and net.depth > 2 and len(case.X) == 1:
        # a diagonal network on one sample: the first layer makes every hidden input |x_k| > 0
        # (ReLU passes it), the last layer carries the label, the layers between are 1: every
        # path contributes y |x_k|, so every coordinate stays live
        (x,), (y,) = case.X, case.Y
        signed = {p: sympy.Integer(1) for p in net.params}
        for k, name in enumerate(net.layers[0][k][k] for k in range(net.input_dim)):
            if name is not None and x[k] < 0:
                signed[name] = sympy.Integer(-1)
        for name in last:
            if name is not None:
                signed[name] = sympy.Integer(y)
        if signed not in out:
            out.append(signed)
    if net.depth == 2 and net.has_sharing:
        # a convolution: the filter's first coordinate 0, the rest ±1 — invariant under the
        # mirror (x1, x2, x3, x4) -> (-x3, x4, -x1, x2) of mirror-symmetric data, so the
        # flow stays symmetric (Theorem 4.4 is of this kind). The signs are those of
        # Σ y_i x_i in the first patch, so the filter starts active on the data.
        row = net.layers[0][0]
        first = next((name for name in row if name is not None), None)
        if first is not None:
            sym = {p: sympy.Integer(1) for p in net.params}
            for k, name in enumerate(row):
                if name is not None and s[k] < 0:
                    sym[name] = sympy.Integer(-1)
            sym[first] = sympy.Integer(0)
            if sym not in out:
                out.append(sym)
    if net.depth == 2:
        if any(s):
            init = {p: sympy.Integer(0) for p in net.params}
            row = net.layers[0][0]
            for k, name in enumerate(row):
                if name is not None:
                    init[name] = sympy.Integer(s[k])
            out_name = net.layers[1][0][0]
            if out_name is not None and any(init[n] != 0 for n in row if n is not None):
                init[out_name] = sympy.Integer(1)
                out.append(init)
            # every neuron along the same direction, output weights 1: the neurons stay equal
            # (merged) along the flow
            merged = {p: sympy.Integer(0) for p in net.params}
            for j, row in enumerate(net.layers[0]):
                for k, name in enumerate(row):
                    if name is not None:
                        merged[name] = sympy.Integer(s[k])
                out_j = net.layers[1][0][j]
                if out_j is not None:
                    merged[out_j] = sympy.Integer(1)
            if len(net.layers[0]) > 1 and merged not in out:
                out.append(merged)
        # one neuron per sample (cyclically): neuron j along x_(j mod k) on its support, output
        # weight y_(j mod k). A neuron starts with input exactly 0 on samples orthogonal to
        # its own and keeps it (no gradient through an inactive ReLU), so the limit can have
        # kinks at live neurons (Theorems 4.2(2) and 5.3 are of this kind)
        if len(case.X) >= 2 and len(net.layers[0]) >= len(case.X):
            per = {p: sympy.Integer(0) for p in net.params}
            for j, row in enumerate(net.layers[0]):
                i = j % len(case.X)
                for k, name in enumerate(row):
                    if name is not None:
                        per[name] = sympy.Integer(case.X[i][k])
                out_j = net.layers[1][0][j]
                if out_j is not None and any(per[n] != 0 for n in row if n is not None):
                    per[out_j] = sympy.Integer(case.Y[i])
            if per not in out:
                out.append(per)
    return out


def _inits(net: NetSpec, case: Case) -> list[dict[str, sympy.Integer]]:
    """The structured initializations, then the case's (θ(0) = 0 is left out)."""
    out = structured_inits(net, case)
    out += [{p: sympy.Integer(v) for p, v in zip(net.params, init)} for init in case.inits]
    seen, uniq = set(), []
    for i in out:
        key = tuple(i[p] for p in net.params)
        if any(v != 0 for v in key) and key not in seen:
            seen.add(key)
            uniq.append(i)
    return uniq


ENUM_SECONDS = 20.0
"""Budget of the exact enumeration of one instance's KKT points (option a)."""


def _enumerable(conj: Conjecture, net: NetSpec) -> bool:
    """Exact enumeration applies to depth-2 networks without sharing whose every hidden neuron
    reaches the output, when the hypotheses are about KKT points (not where gradient flow
    goes: ``gf-limit`` needs a flow to each point)."""
    return (net.depth == 2 and not net.has_sharing and "gf-limit" not in conj.hypotheses
            and all(n is not None for n in net.layers[1][0]))


def _stalled(sample) -> bool:
    """Stop a run that is still at L >= 1 after many steps (it converges to a stationary
    point of the loss, e.g. every neuron switched off, instead of separating the data)."""
    return sample.step >= 40 and sample.log_loss >= 0


def _linearly_separable(X, Y) -> bool:
    """Float LP (search only): is there β with y_i <β, x_i> >= 1? Linear networks need it."""
    import numpy as np
    from scipy.optimize import linprog

    A = -np.array([[y * float(c) for c in x] for x, y in zip(X, Y)])
    res = linprog(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(len(X)),
                  bounds=[(None, None)] * A.shape[1], method="highs")
    return res.status == 0


def evaluate(conj: Conjecture, case: Case, *, seconds: float = 30.0) -> InstanceResult:
    """Run gradient flow from the case's inits, certify the limits and decide the conclusion."""
    from .. import autosearch as A
    from ..gf.flow import run_gf
    from ..kernel.budget import OutOfTime, budget
    from ..kernel.certificate import check_certificate
    from ..problems import Instance
    from .limit import direction_error, exact_limit

    net = build_network(conj, case.mask)
    notes: list[str] = []
    points: list[PointResult] = []
    if net.activation == "linear" and not _linearly_separable(case.X, case.Y):
        notes.append("the data are not linearly separable: a linear network cannot reach "
                     "positive margins (skipped)")
        return InstanceResult(case, net, points, notes)
    by_key: dict[tuple, PointResult] = {}
    gf_needed = True
    if _enumerable(conj, net):
        # (a) every KKT point of the instance, exactly (search; each is certified below)
        from ..kktenum import depth2_kkt_points

        nonzero = any(h in ("nonzero-neurons", "nonzero-inputs") for h in conj.hypotheses)
        try:
            found = depth2_kkt_points(net, case.X, case.Y, seconds=min(ENUM_SECONDS, seconds),
                                      nonzero_only=nonzero, certify=False)
        except Exception as exc:   # search: a failure is a note
            notes.append(f"exact enumeration failed: {type(exc).__name__}: {str(exc)[:120]}")
        else:
            if not found.complete:
                notes.append("exact enumeration incomplete: " + "; ".join(found.notes))
            for point in found.points:
                key = tuple(sympy.srepr(point[p]) for p in net.params)
                if key not in by_key:
                    by_key[key] = PointResult(point, source="enumeration")
                    points.append(by_key[key])
            # A complete enumeration has every KKT point the hypotheses can hold at (with
            # non-zero inputs, or any point of a linear network): no flow can add one.
            if found.complete and (nonzero or net.activation == "linear"):
                notes.append("exact enumeration complete: gradient flow not needed")
                gf_needed = False
    n_structured = len(structured_inits(net, case))
    for q, init in enumerate(_inits(net, case) if gf_needed else []):
        limit = GF_SECONDS_STRUCTURED if q < n_structured else GF_SECONDS
        try:
            # CPU seconds (the same search at any machine load); the wall-time budget only
            # stops a single step that hangs at huge precision
            with budget(GF_WALL_FACTOR * limit + 5.0):
                r = run_gf(net, case.X, case.Y, init, dps=GF_DPS, target_norm=GF_TARGET_NORM,
                           max_cpu_seconds=limit, max_steps=600, callback=_stalled)
        except OutOfTime:
            notes.append(f"gradient flow from an init ran out of "
                         f"{GF_WALL_FACTOR * limit + 5:g} s of wall time")
            continue
        except Exception as exc:  # the flow is search: a failure is a note
            notes.append(f"gradient flow failed: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if r.stop_reason != "target_norm" or not r.log_loss < 0:
            notes.append(f"gradient flow from an init stopped ({r.stop_reason}) before "
                         f"|theta| = {GF_TARGET_NORM:g}")
            continue
        direction = [float(v) for v in r.direction_text]
        point, why = exact_limit(net, case.X, case.Y, direction, seconds=min(20.0, seconds))
        if point is None:
            notes.append(f"exact limit not reconstructed: {why}")
            continue
        key = tuple(sympy.srepr(point[p]) for p in net.params)
        pr = by_key.get(key)
        if pr is None:
            pr = by_key[key] = PointResult(point, source="gradient flow")
            points.append(pr)
        pr.inits.append({"init": {p: str(v) for p, v in init.items()},
                         "direction_error": direction_error(net, point, direction),
                         "norm": r.norm, "gf_seconds": round(r.seconds, 3),
                         "loss": r.loss, "dps": r.dps})
    for pr in points:
        inst = Instance.make(net, case.X, case.Y, pr.point)
        f = A.kkt_certificate(inst)
        pr.kkt = f.verdict.status if f.verdict is not None else "unknown"
        if pr.kkt != "verified":
            pr.reasons.append(f"the reconstructed limit is not certified KKT: "
                              f"{f.reason or 'no certificate'}")
            continue
        pr.hypotheses["kkt"] = "verified"
        held = True
        for h in conj.hypotheses:
            if h == "kkt":
                continue
            if h == "gf-limit":
                ok = pr.best_error <= GF_EVIDENCE
                pr.hypotheses[h] = ("evidence" if ok else "no-evidence")
                held &= ok
                continue
            cert = inst.base_json()
            if h == "nonzero-neurons":
                cert["kind"] = "nonzero-weights"
            else:
                cert["kind"] = "nonzero-inputs"
                if conj.problem == 4 and conj.layer is not None and conj.layer > 1:
                    cert["from_layer"] = conj.layer
            v = check_certificate(cert, source=h)
            pr.hypotheses[h] = v.status
            pr.hypothesis_certificates[h] = cert
            held &= v.ok
        pr.held = held
        if not held:
            continue
        pr.conclusion, pr.reasons, pr.certificate = run_conclusion(conj, net, case, pr.point,
                                                                   seconds)
    return InstanceResult(case, net, points, notes)


def claim_text(net: NetSpec, case: Case, point, claims: list[dict], title: str | None = None
               ) -> str:
    from .._api import claim_file_text
    from ..autosearch import text

    return claim_file_text(net.to_json(), {"x": [list(x) for x in case.X], "y": list(case.Y)},
                           {p: text(v) for p, v in point.items()}, claims, title=title)


def run_conclusion(conj: Conjecture, net: NetSpec, case: Case, point, seconds: float):
    """The conclusion as a claim (``symkkt check``'s machinery): status, reasons, certificate."""
    from ..check import run_claim_file
    from ..claimfile import parse_claim_text

    cf = parse_claim_text(claim_text(net, case, point, [conclusion_claim(conj)]),
                          "explore-instance.toml")
    (rep,) = run_claim_file(cf, seconds=seconds, timeout=max(2 * seconds, 30.0))
    return rep.status, list(rep.reasons), rep.certificate
