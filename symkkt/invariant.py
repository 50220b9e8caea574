"""Search for a flow-invariant set through θ(0) (untrusted; the kernel's ``convergence`` decides).

The kernel kind ``convergence`` (:mod:`symkkt.kernel.convergence`) proves "gradient flow from
θ(0) converges in direction to θ̃" from an invariant set ``S`` given by ``fixed`` coordinates
(they keep their initial value), ``equal`` groups (they stay equal) and ``positive``
coordinates (they stay > 0). This module *finds* such a set when the user gives none. It
decides nothing: every candidate goes to the kernel, and the kernel's verdict is the answer.

Candidates come from θ(0) alone:

(a) **dead first-layer neurons** (ReLU): a neuron whose pre-activation is exactly < 0 on
    every sample at θ(0) and whose incoming weights are shared with no live neuron; its
    incoming parameters and the outgoing ones used by dead neurons only are fixed (a weight
    shared with a live neuron moves, and then the neuron may come alive);
(b) **zeros**: coordinates equal to 0 at θ(0) are fixed;
(c) **ties**: the other coordinates are grouped by their exact value at θ(0), one ``equal``
    group per value with at least two members;
(d) **signs**: a group (or single coordinate) with value > 0 is ``positive`` (one
    representative name per group).

Refinement (the search side repeats the kernel's identities with sympy, see
:func:`_violations`): on the set the candidate describes, with the activation patterns
possible near it, a fixed coordinate whose gradient component does not vanish is freed, a
group whose members' gradient components differ is split into the classes of equal
components, and a positive coordinate whose sign is not shown to persist loses ``positive``;
repeat until nothing changes. Each check only gets harder on a larger set, so the result is
the strongest candidate of this family that passes them all (the greatest fixed point).

The kernel is then asked (a bounded number of calls, :data:`MAX_KERNEL_CALLS`):

* the refined candidate: ``verified`` → done; ``refuted`` after the invariance check (θ̃ is not
  the cone's KKT point) or ``unknown`` → that is the answer (a weaker set only has a larger
  cone, so it cannot help);
* the certificate fails earlier (``unknown``, ``invalid``): if it also fails for the empty
  invariant, the problem is θ(0) itself (``L(θ(0)) >= ℓ(0)``) and the refined candidate's
  verdict is returned; otherwise the search and the kernel disagree about an identity (a search
  bug), and the kernel is used as an oracle, weakening greedily (positives, then groups, then
  fixed coordinates) until the invariance check passes.

What it cannot find: invariants that are not of this coordinate form (e.g. ``w1 = -w2``,
``w1 = 2*w2``, sign-flipped coordinates that stay negative, linear subspaces not aligned with
the axes), dead neurons beyond the first layer unless their coordinates are 0, or an
invariant through a θ(0) with ``L(θ(0)) >= ℓ(0)`` (the kernel needs Theorem 2.1 from t = 0).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import sympy
from sympy.polys.polyerrors import PolynomialError

from .errors import InvalidArgument, UndecidedError
from .kernel.certificate import Unknown, Verdict, check_certificate
from .kernel.convergence import LOSSES, expand_class, pattern_classes
from .kernel.exact import sign
from .kernel.net import NetSpec
from .problems import Instance, exact

__all__ = ["LOSSES", "MAX_KERNEL_CALLS", "InvariantSearch", "candidate_invariant",
           "convergence_certificate", "find_invariant", "search_invariant"]

MAX_KERNEL_CALLS = 20


class _GiveUp(Exception):
    """The search-side computation cannot continue (too many patterns, undecidable sign)."""


@dataclass
class InvariantSearch:
    """The outcome: the certificate sent last to the kernel and the kernel's verdict on it."""

    certificate: dict | None
    verdict: Verdict | None
    reason: str
    log: list[str] = field(default_factory=list)
    kernel_calls: int = 0

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


# ------------------------------------------------------------------------------ candidates


@dataclass
class _Class:
    members: list[str]
    value: sympy.Expr
    positive: bool


@dataclass
class _Candidate:
    fixed: list[str]
    classes: list[_Class]

    def invariant(self) -> dict:
        return {"fixed": list(self.fixed),
                "equal": [list(c.members) for c in self.classes if len(c.members) > 1],
                "positive": [c.members[0] for c in self.classes if c.positive]}

    def copy(self) -> "_Candidate":
        return _Candidate(list(self.fixed), [_Class(list(c.members), c.value, c.positive)
                                             for c in self.classes])


def _sign(v: sympy.Expr) -> int | None:
    try:
        return sign(v)
    except UndecidedError:
        return None


def _group_by_value(names: Sequence[str], values: Mapping[str, sympy.Expr]) -> list[_Class]:
    out: list[_Class] = []
    for n in names:
        for c in out:
            if _sign(sympy.expand(values[n] - c.value)) == 0:
                c.members.append(n)
                break
        else:
            out.append(_Class([n], values[n], _sign(values[n]) == 1))
    return out


def _dead_names(net: NetSpec, X, values: Mapping[str, sympy.Expr]) -> list[str]:
    """Parameters of first-layer ReLU neurons that are dead on every sample at θ(0), and
    nowhere else in the network."""
    if net.activation != "relu" or net.depth < 2:
        return []
    first, second = net.layers[0], net.layers[1]
    dead = set()
    for j, row in enumerate(first):
        signs = [_sign(sympy.expand(sympy.Add(*[values[n] * x[k] for k, n in enumerate(row)
                                                if n is not None]))) for x in X]
        if all(s == -1 for s in signs):
            dead.add(j)
    # a dead neuron stays dead only if none of its incoming weights is shared with a live one
    rows_of: dict[str, set[int]] = {}
    for j, row in enumerate(first):
        for n in row:
            if n is not None:
                rows_of.setdefault(n, set()).add(j)
    changed = True
    while changed:
        changed = False
        for j in sorted(dead):
            if any(n is not None and not rows_of[n] <= dead for n in first[j]):
                dead.discard(j)
                changed = True
    if not dead:
        return []
    ok = {n for n, rows in rows_of.items() if rows <= dead}
    cols_of: dict[str, set[int]] = {}
    for row in second:
        for j, n in enumerate(row):
            if n is not None:
                cols_of.setdefault(n, set()).add(j)
    ok |= {n for n, cols in cols_of.items() if cols <= dead}
    return [p for p in net.params if p in ok]


def _initial(net: NetSpec, X, values: Mapping[str, sympy.Expr]) -> _Candidate:
    dead = set(_dead_names(net, X, values))
    fixed = [p for p in net.params if p in dead or _sign(values[p]) == 0]
    rest = [p for p in net.params if p not in fixed]
    return _Candidate(fixed, _group_by_value(rest, values))


# ------------------------------------------------------------------- the search-side checks


def _poly_terms(e: sympy.Expr):
    """``[(monomial as {symbol: power}, coefficient sign)]`` of a polynomial, zero terms out."""
    e = sympy.expand(e)
    if e == 0:
        return []
    gens = sorted(e.free_symbols, key=str)
    if not gens:
        s = _sign(e)
        if s is None:
            raise _GiveUp(f"cannot decide the sign of {e}")
        return [({}, s)] if s else []
    try:
        terms = sympy.Poly(e, *gens).terms()
    except PolynomialError:
        raise _GiveUp(f"not a polynomial: {e}") from None
    out = []
    for monom, coeff in terms:
        s = _sign(coeff)
        if s is None:
            raise _GiveUp(f"cannot decide the sign of {coeff}")
        if s:
            out.append(({g: k for g, k in zip(gens, monom) if k}, s))
    return out


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    return not _poly_terms(a - b)


def _nonneg(h: sympy.Expr, pos: frozenset) -> bool:
    return all(s > 0 and all(g in pos for g in m) for m, s in _poly_terms(h))


class _Pieces:
    def __init__(self, net: NetSpec) -> None:
        self.net = net
        self.syms = {p: sympy.Symbol(f"_q_{p}") for p in net.params}
        self.cache: dict = {}

    def grad(self, i: int, x, pattern):
        key = (i, pattern)
        if key not in self.cache:
            phi, _ = self.net.forward(self.syms, x, pattern)
            self.cache[key] = {p: sympy.diff(phi, s) for p, s in self.syms.items()}
        return self.cache[key]


def _on_set(net: NetSpec, cand: _Candidate, values):
    theta: dict[str, sympy.Expr] = {p: values[p] for p in cand.fixed}
    syms = []
    for k, c in enumerate(cand.classes):
        s = sympy.Symbol(f"_c{k}")
        syms.append(s)
        for n in c.members:
            theta[n] = s
    pos = frozenset(s for s, c in zip(syms, cand.classes) if c.positive)
    return theta, syms, pos


def _patterns(net: NetSpec, theta, x, pos):
    """Concrete activation patterns possible near the candidate set (the kernel's own
    enumeration, so search and kernel look at the same pieces)."""
    gens = sorted(set().union(*(v.free_symbols for v in theta.values())), key=str)
    try:
        classes = pattern_classes(net, theta, x, gens, pos)
        return [p for c in classes for p in expand_class(c)]
    except Unknown as exc:
        raise _GiveUp(str(exc)) from None


def _violations(net, X, Y, values, cand: _Candidate, pieces: _Pieces):
    """``(fixed names that move, {class index: split}, class indices not shown positive)``."""
    theta, syms, pos = _on_set(net, cand, values)
    sub = {pieces.syms[p]: theta[p] for p in net.params}
    grads: list[tuple[int, dict]] = []
    for i, (x, y) in enumerate(zip(X, Y)):
        for pat in _patterns(net, theta, x, pos):
            g = pieces.grad(i, x, pat)
            grads.append((y, {p: sympy.expand(g[p].xreplace(sub)) for p in net.params}))
    moving = [p for p in cand.fixed if any(_poly_terms(g[p]) for _, g in grads)]
    splits: dict[int, list[list[str]]] = {}
    for k, c in enumerate(cand.classes):
        if len(c.members) < 2:
            continue
        parts: list[list[str]] = []
        for n in c.members:
            for part in parts:
                if all(_same(g[n], g[part[0]]) for _, g in grads):
                    part.append(n)
                    break
            else:
                parts.append([n])
        if len(parts) > 1:
            splits[k] = parts
    not_pos = []
    for k, c in enumerate(cand.classes):
        if not c.positive:
            continue
        rep = c.members[0]
        if not all(_nonneg(sympy.expand(y * g[rep]).xreplace({syms[k]: 0}), pos)
                   for y, g in grads):
            not_pos.append(k)
    return moving, splits, not_pos


def _refine(net, X, Y, values, cand: _Candidate, log: list[str], deadline: float
            ) -> _Candidate:
    pieces = _Pieces(net)
    for _ in range(4 * len(net.params) + 8):
        if time.monotonic() > deadline:
            raise _GiveUp("the search ran out of time")
        moving, splits, not_pos = _violations(net, X, Y, values, cand, pieces)
        if not (moving or splits or not_pos):
            return cand
        new = cand.copy()
        if moving:
            log.append(f"free {', '.join(moving)} (their gradient component does not vanish "
                       f"on the set)")
            new.fixed = [p for p in new.fixed if p not in moving]
        for k in not_pos:
            log.append(f"drop positive {cand.classes[k].members[0]} (its sign is not shown to "
                       f"persist)")
            new.classes[k].positive = False
        classes: list[_Class] = []
        for k, c in enumerate(new.classes):
            if k in splits:
                log.append(f"split {{{', '.join(c.members)}}} into "
                           + " | ".join("{" + ", ".join(p) + "}" for p in splits[k]))
                classes += [_Class(p, c.value, c.positive) for p in splits[k]]
            else:
                classes.append(c)
        classes += _group_by_value(moving, values)
        new.classes = classes
        cand = new
    raise _GiveUp("the refinement did not settle")


# ------------------------------------------------------------------------------ kernel side


def convergence_certificate(inst: Instance, init: Mapping[str, object], invariant: Mapping,
                            losses: Sequence[str] = LOSSES) -> dict:
    """The ``convergence`` certificate for ``inst`` (Problem 2) from θ(0) = ``init``."""
    from .autosearch import text

    if inst.layer is not None:
        raise InvalidArgument("convergence is about Problem 2 only (the instance has a layer)")
    cert = inst.base_json()
    cert.update({"kind": "convergence",
                 "init": {p: text(exact(init[p])) for p in inst.network.params},
                 "losses": list(losses),
                 "invariant": {"fixed": list(invariant.get("fixed", ())),
                               "equal": [list(g) for g in invariant.get("equal", ())],
                               "positive": list(invariant.get("positive", ()))}})
    return cert


def candidate_invariant(inst: Instance, init: Mapping[str, object], seconds: float = 60.0,
                        log: list[str] | None = None) -> dict:
    """The refined candidate of the module docstring (search side only; not checked)."""
    net = inst.network
    values = {p: exact(init[p]) for p in net.params}
    log = log if log is not None else []
    cand = _initial(net, inst.X, values)
    log.append(f"candidate from theta(0): {_show(cand.invariant())}")
    cand = _refine(net, inst.X, inst.Y, values, cand, log, time.monotonic() + seconds)
    return cand.invariant()


def _show(inv: Mapping) -> str:
    return (f"fixed={list(inv['fixed'])} equal={[list(g) for g in inv['equal']]} "
            f"positive={list(inv['positive'])}")


def _invariance_refuted(v: Verdict) -> bool:
    """The certificate failed (``invalid``) before the KKT points of the cone were computed:
    θ(0) is off the set, ``L(θ(0)) >= ℓ(0)``, or an identity fails."""
    return v.invalid and "kkt_points_on_invariant" not in v.values


def _weaker(inv: dict):
    """Greedy one-step weakenings: drop a positive, then split a group, then free a fixed."""
    for k in range(len(inv["positive"])):
        yield {**inv, "positive": inv["positive"][:k] + inv["positive"][k + 1:]}
    for k in range(len(inv["equal"])):
        gone = set(inv["equal"][k])
        yield {**inv, "equal": inv["equal"][:k] + inv["equal"][k + 1:],
               "positive": [p for p in inv["positive"] if p not in gone]}
    for k in range(len(inv["fixed"])):
        yield {**inv, "fixed": inv["fixed"][:k] + inv["fixed"][k + 1:]}


def search_invariant(inst: Instance, init: Mapping[str, object],
                     losses: Sequence[str] = LOSSES, seconds: float = 60.0) -> InvariantSearch:
    """Find an invariant set through ``init`` and return the kernel's verdict on it."""
    net = inst.network
    missing = [p for p in net.params if p not in init]
    if missing:
        raise InvalidArgument(f"init is missing parameter(s) {', '.join(missing)}")
    log: list[str] = []
    calls = 0

    def kernel(inv: dict):
        nonlocal calls
        calls += 1
        cert = convergence_certificate(inst, init, inv, losses)
        v = check_certificate(cert, source="convergence")
        log.append(f"kernel on {_show(inv)}: {v.status}")
        return cert, v

    empty = {"fixed": [], "equal": [], "positive": []}
    try:
        best = candidate_invariant(inst, init, seconds, log)
    except _GiveUp as exc:
        log.append(f"search-side refinement gave up: {exc}; using the empty invariant")
        best = empty
    except Exception as exc:  # the search is untrusted: a failure only weakens the candidate
        log.append(f"search-side refinement failed ({type(exc).__name__}: {str(exc)[:120]}); "
                   f"using the empty invariant")
        best = empty
    log.append(f"strongest candidate: {_show(best)}")
    cert, v = kernel(best)
    if v.ok or not _invariance_refuted(v):
        return InvariantSearch(cert, v, "the invariant found from theta(0)", log, calls)
    if best != empty:
        _, v0 = kernel(empty)
        if _invariance_refuted(v0):
            # theta(0) itself fails (L(theta(0)) >= 1): the candidate's verdict says so
            return InvariantSearch(cert, v, "the invariant found from theta(0)", log, calls)
    # the kernel rejects an identity the search accepted (a search bug): weaken greedily,
    # the kernel as the oracle, within the call budget
    first = (cert, v)
    inv = best
    while calls < MAX_KERNEL_CALLS:
        steps = list(_weaker(inv))
        if not steps:
            break
        for w in steps:
            if calls >= MAX_KERNEL_CALLS:
                break
            c, wv = kernel(w)
            if not _invariance_refuted(wv):
                return InvariantSearch(c, wv, "a weakening of the invariant found from "
                                              "theta(0) (kernel-guided)", log, calls)
        inv = steps[0]
    return InvariantSearch(first[0], first[1], "the invariant found from theta(0)", log, calls)


def find_invariant(inst: Instance, init: Mapping[str, object],
                   losses: Sequence[str] = LOSSES, seconds: float = 60.0
                   ) -> tuple[dict | None, str]:
    """``(certificate, reason)`` for "GF from ``init`` converges in direction to
    ``inst.point``": the strongest candidate the kernel verifies, else the certificate whose
    verdict (refuted / unknown) is the kernel's answer on the best candidate."""
    res = search_invariant(inst, init, losses, seconds)
    return res.certificate, res.reason
