"""Every KKT point of Problem 2 of a small depth-2 network, found exactly (search, untrusted).

For a depth-2 network without shared weights, ``Φ(θ; x) = Σ_j v_j σ(<w_j, x|S_j>)`` (``S_j`` the
support of neuron j). Take a KKT point whose hidden inputs are all non-zero (every ReLU input
keeps a strict sign, so Φ is smooth there) and let ``A`` be the samples with ``λ_i > 0`` and
``T_j ⊆ A`` those on which neuron j is active. With ``z_j = Σ_{i ∈ T_j} λ_i y_i x_i|S_j``,
stationarity reads ``w_j = v_j z_j`` and ``v_j = <w_j, z_j>``, so a neuron is either idle
(``w_j = 0``, ``v_j = 0``) or has ``‖z_j‖ = 1``, and then ``w_j = v_j z_j`` with ``s_j = v_j²``
free. The active margins are ``y_i Σ_j s_j [i ∈ T_j] <z_j, x_i|S_j> = 1``. For every choice of
``A``, of the ``T_j`` and of the idle neurons this is a square polynomial system in
``(λ_A, s)``: ``‖z_j‖² = 1`` (quadratic in λ) and the margins (linear in s). Its exact
solutions with ``λ > 0``, ``s > 0`` give candidate points ``v_j = ±√s_j``, ``w_j = v_j z_j``
(for ReLU the sign of ``v_j`` must make neuron j active exactly on ``T_j`` among ``A``; a
linear neuron's sign is free and one representative is kept).

What this finds: every KKT point whose non-idle neurons have non-zero inputs on every sample
and whose multipliers are isolated solutions of their system (one representative per sign
class of a linear neuron; a continuum of solutions, e.g. the split of one predictor over
several linear neurons, is reported as a note, not enumerated). Points with an input exactly 0
at a non-idle ReLU neuron are not searched. Every point returned has been *re-checked* by the
kernel's ``kkt`` certificate; nothing here is trusted.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Sequence

import sympy

from .errors import InvalidArgument
from .kernel.exact import sign
from .kernel.net import NetSpec

__all__ = ["EnumerationResult", "depth2_kkt_points"]

SECONDS_PER_SYSTEM = 5.0
"""A system sympy cannot solve in this time is skipped (the result is then incomplete)."""

MAX_SYSTEMS = 20000
"""Refuse instances with more (A, T, idle) systems than this (the enumeration is exponential
in samples × neurons; it is meant for the small instances of the explorer and the theorems)."""


@dataclass
class EnumerationResult:
    """The points found (exact, each certified KKT by the kernel) and what was not covered."""

    points: list[dict[str, sympy.Expr]] = field(default_factory=list)
    systems: int = 0
    solved: int = 0
    complete: bool = True
    notes: list[str] = field(default_factory=list)


def _support(net: NetSpec, j: int) -> list[tuple[int, str]]:
    return [(c, n) for c, n in enumerate(net.layers[0][j]) if n is not None]


def _check_network(net: NetSpec) -> None:
    if net.depth != 2:
        raise InvalidArgument(f"depth={net.depth}: the enumeration is for depth-2 networks")
    if net.has_sharing:
        raise InvalidArgument("the enumeration needs a network without shared weights")
    if any(n is None for n in net.layers[1][0]):
        raise InvalidArgument("the enumeration needs every hidden neuron connected to the "
                              "output")


def _is_pos(e: sympy.Expr) -> bool:
    try:
        return sign(e) > 0
    except Exception:   # undecidable in the search: not a candidate
        return False


def depth2_kkt_points(net: NetSpec, X: Sequence[Sequence], Y: Sequence[int], *,
                      seconds: float = 60.0, nonzero_only: bool = False,
                      certify: bool = True, max_systems: int = MAX_SYSTEMS,
                      per_system: float = SECONDS_PER_SYSTEM) -> EnumerationResult:
    """The KKT points of Problem 2 described in the module docstring.

    ``nonzero_only``: only points without idle neurons (every hidden input non-zero), the
    points the hypotheses ``nonzero-neurons`` / ``nonzero-inputs`` are about.
    ``certify``: keep only the candidates whose ``kkt`` certificate the kernel verifies (off
    when the caller certifies each point itself, e.g. as a ``kkt`` claim).
    Running out of ``seconds`` stops the search with ``complete = False``; a system sympy does
    not solve within ``per_system`` seconds is skipped (also ``complete = False``).
    """
    from .autosearch import kkt_certificate
    from .problems import Instance, exact

    _check_network(net)
    if seconds <= 0:
        raise InvalidArgument(f"seconds={seconds} must be positive")
    Xe = [[exact(v) for v in x] for x in X]
    k, n = len(Xe), len(net.layers[0])
    relu = net.activation == "relu"
    res = EnumerationResult()
    total = 0
    for a in range(1, k + 1):
        per = 2 ** a if relu else 1          # T_j ⊆ A (ReLU), T_j = A (linear)
        idle = 1 if nonzero_only else 2
        total += sympy.binomial(k, a) * (per * idle) ** n
    if total > max_systems:
        raise InvalidArgument(f"{total} systems to solve (k={k} samples, n={n} neurons) is "
                              f"more than max_systems={max_systems}")
    lam = sympy.symbols(f"lam0:{k}", positive=True)
    s = sympy.symbols(f"s0:{n}", positive=True)
    deadline = time.monotonic() + seconds
    seen: set[tuple] = set()
    for a in range(1, k + 1):
        for A in itertools.combinations(range(k), a):
            Ts = ([list(itertools.chain.from_iterable(itertools.combinations(A, r)
                                                      for r in range(a + 1)))]
                  if relu else [[A]])[0]
            options = [Ts + ([None] if not nonzero_only else []) for _ in range(n)]
            for choice in itertools.product(*options):
                if time.monotonic() > deadline:
                    res.complete = False
                    res.notes.append(f"stopped after {seconds:g} s: {res.systems} of {total} "
                                     f"systems solved")
                    return res
                res.systems += 1
                # neurons with T_j = ∅ cannot have |z_j| = 1: they are idle (None) only
                if any(T is not None and not T for T in choice):
                    continue
                per = min(per_system, max(deadline - time.monotonic(), 0.1))
                pts = _solve(net, Xe, Y, A, choice, lam, s, res, per)
                for pt in pts:
                    key = tuple(sympy.srepr(sympy.nsimplify(pt[p])) for p in net.params)
                    if key in seen:
                        continue
                    seen.add(key)
                    if not certify:
                        res.points.append(pt)
                        continue
                    f = kkt_certificate(Instance.make(net, X, Y, pt))
                    if f.verdict is not None and f.verdict.ok:
                        res.points.append(pt)
    return res


def _solve(net, X, Y, A, choice, lam, s, res, per_system) -> list[dict]:
    """Exact solutions of one system, as points (possibly several signs per neuron)."""
    n = len(net.layers[0])
    z = []
    for j in range(n):
        T = choice[j]
        sup = _support(net, j)
        if T is None:
            z.append(None)
            continue
        z.append([sum((lam[i] * Y[i] * X[i][c] for i in T), sympy.Integer(0)) for c, _ in sup])
    eqs = []
    unknowns = [lam[i] for i in A]
    for j in range(n):
        if z[j] is not None:
            eqs.append(sympy.expand(sum(v * v for v in z[j]) - 1))
            unknowns.append(s[j])
    for i in A:
        m = sympy.Integer(0)
        for j in range(n):
            if z[j] is None or i not in choice[j]:
                continue
            sup = _support(net, j)
            m += s[j] * sum((zc * X[i][c] for zc, (c, _) in zip(z[j], sup)), sympy.Integer(0))
        eqs.append(sympy.expand(Y[i] * m - 1))
    # neurons with the same T_j and support have the same z_j, hence the same equation
    # |z_j|^2 = 1: solve each equation once (sympy is much slower on a repeated one)
    eqs = list(dict.fromkeys(eqs))
    sols = _timed_solve(eqs, unknowns, per_system, res)
    if sols is None:
        return []
    res.solved += 1
    out = []
    for sol in sols:
        free = {u for u in unknowns if u not in sol} | set().union(
            *[sol[u].free_symbols for u in unknowns if u in sol])
        if free and all(f in s for f in free):
            # a continuum: the free output weights s_f trade with the others (neurons with the
            # same z_j). One representative: every s linked to a free one is equal.
            linked = sorted({u for u in unknowns if u in s and (u in free or (
                u in sol and sol[u].free_symbols & free))}, key=str)
            extra = [linked[0] - u for u in linked[1:]]
            again = _timed_solve(eqs + extra, unknowns, per_system, res)
            if again is None:
                return out
            _note(res, "a continuum of KKT points (the output of one direction split over "
                       "several neurons): one representative, the equal split, is kept")
            sol_list = [g for g in again if all(u in g and not g[u].free_symbols
                                                for u in unknowns)]
        elif free:
            _note(res, "a continuum of multipliers was not enumerated")
            res.complete = False
            continue
        else:
            sol_list = [sol]
        for sol in sol_list:
            out += _points(net, X, Y, A, choice, z, s, unknowns, sol)
    return out


def _note(res: EnumerationResult, text: str) -> None:
    if text not in res.notes:
        res.notes.append(text)


def _timed_solve(eqs, unknowns, seconds, res):
    from .kernel.budget import OutOfTime, budget

    try:
        with budget(seconds):
            return sympy.solve(eqs, unknowns, dict=True, simplify=False)
    except OutOfTime:
        res.complete = False
        _note(res, f"some systems were not solved within {seconds:g} s each")
    except (NotImplementedError, ValueError, TypeError) as exc:
        res.complete = False
        _note(res, f"some systems could not be solved ({type(exc).__name__})")
    return None


def _points(net, X, Y, A, choice, z, s, unknowns, sol) -> list[dict]:
    """The points of one exact solution: ``v_j = ±√s_j``, ``w_j = v_j z_j``."""
    n = len(net.layers[0])
    relu = net.activation == "relu"
    out: list[dict] = []
    if not all(_is_pos(sol[u]) for u in unknowns):
        return out
    zs = [None if zj is None else [sympy.radsimp(c.xreplace(sol)) for c in zj] for zj in z]
    signs_per_neuron = []
    for j in range(n):
        if zs[j] is None:
            signs_per_neuron.append([0])
            continue
        if not relu:
            signs_per_neuron.append([1])
            continue
        ok = []
        for sg in (1, -1):
            sup = _support(net, j)
            good = True
            for i in range(len(X)):
                inner = sg * sum((zc * X[i][c] for zc, (c, _) in zip(zs[j], sup)),
                                 sympy.Integer(0))
                try:
                    si = sign(inner)
                except Exception:
                    good = False
                    break
                want_active = i in choice[j]
                if i in A and si != (1 if want_active else -1):
                    good = False
                    break
                if si == 0:      # an input exactly 0: not searched here
                    good = False
                    break
            if good:
                ok.append(sg)
        signs_per_neuron.append(ok)
    for sgs in itertools.product(*signs_per_neuron):
        pt: dict[str, sympy.Expr] = {}
        for j in range(n):
            vname = net.layers[1][0][j]
            sup = _support(net, j)
            if zs[j] is None:
                pt[vname] = sympy.Integer(0)
                for _, name in sup:
                    pt[name] = sympy.Integer(0)
                continue
            v = sgs[j] * sympy.sqrt(sol[s[j]])
            pt[vname] = sympy.radsimp(v)
            for zc, (_, name) in zip(zs[j], sup):
                pt[name] = sympy.radsimp(v * zc)
        if _feasible(net, pt, X, Y):
            out.append(pt)
    return out


def _feasible(net: NetSpec, pt, X, Y) -> bool:
    """Every margin at least 1 (samples outside the active set are not in the system)."""
    try:
        return all(sign(y * net.output(pt, x) - 1) >= 0 for x, y in zip(X, Y))
    except Exception:   # undecidable here: the kernel decides later, keep the candidate
        return True
