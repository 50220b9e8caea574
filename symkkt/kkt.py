"""Search for a KKT certificate: multipliers, convex weights over pieces, witnesses.

Untrusted search (principle 1). The multiplier system ``θ = Σ_i Σ_q μ_iq y_i ∇Φ_q(θ; x_i)``,
``μ >= 0`` (one column per adjacent smooth piece ``q`` of an active sample ``i``) is solved by
a floating-point LP (scipy's HiGHS) only to guess the support; the support is then solved
exactly with sympy, and the kernel re-checks the certificate.

Pieces are not listed. At an input where ``z`` hidden inputs that matter are exactly 0 there
are up to ``2^z`` adjacent pieces, but a certificate needs only *some* adjacent pieces whose
gradients' convex combinations satisfy stationarity. So the LP is solved by column
generation: start from the two one-sided pieces of every active sample (every zero input
inactive, every one active); while the LP is infeasible, its dual (a Farkas vector ``z``)
prices the pieces, and the best-priced piece that is adjacent (a witness is constructed) is
added. Pricing evaluates ``y_i <z, ∇Φ_q>`` in floats by backpropagation for a batch of
patterns: over all patterns when ``z`` is small, by bit-flip local search otherwise; both are
polynomial per evaluation, and only the pieces the LP asks for get an exact gradient and a
witness. Pieces with equal gradients are one column.

Witnesses are built layer by layer (:meth:`Sample.construct`): the pre-activations along
``θ + s d`` are polynomials in ``s``; a neuron whose input is 0 at θ is pushed to the side
its pattern asks for by moving its own incoming weights along the leading coefficient of its
input vector (the previous layer's output, or its first non-zero order), scaled so that this
term dominates; a neuron whose leading term does not depend on its own weights keeps the
sign it is forced to. Bits that do not change the gradient (a *dead* neuron: every
non-zero outgoing weight feeds a dead neuron, e.g. an idle one; more generally a neuron whose
back-propagated signal is 0 in the pattern) take whatever side the construction gives. Random directions are a last resort. Every
witness is re-checked by the kernel's :func:`witness_reason` before use.

:func:`adjacent_pieces` is the former method (every pattern enumerated, random witnesses),
kept as the baseline of ``benchmarks/kkt_scale.py``.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

import numpy as np
import sympy

from .errors import UndecidedError
from .kernel.certificate import Unknown, vanishing_inputs, witness_reason
from .kernel.exact import sign
from .kernel.notkkt import dead_neurons
from .kernel.grammar import to_text
from .network import Network, Pattern
from .problems import Instance

__all__ = ["KKTSearch", "Sample", "find_kkt", "stationary_pieces", "adjacent_pieces"]

MAX_ZERO_NEURONS = 10
"""Bound of the baseline enumeration :func:`adjacent_pieces` only (not of :func:`find_kkt`)."""

EXHAUSTIVE_BITS = 12
"""Pricing evaluates every pattern when at most this many zero inputs matter (2^12 float
backpropagations, vectorized); above, it searches by bit flips (polynomial)."""

CANDIDATES_PER_SAMPLE = 8
"""Best-priced patterns per sample and round for which a witness is attempted."""

RANDOM_WITNESSES = 12
"""Random directions tried for a pattern the layered construction does not reach."""

ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class KKTSearch:
    """The search outcome: a certificate (``None`` when the search failed) and why.

    ``stats``: the work done (``patterns``: patterns adjacent to the point's zero inputs,
    counted, never listed, ``priced``: patterns evaluated in floats, ``witnesses``: patterns
    for which a witness was attempted, ``columns``: distinct piece gradients in the LP,
    ``rounds``: LP solves)."""

    certificate: dict | None
    reason: str
    multipliers: tuple[sympy.Expr, ...] = ()
    pieces: tuple = field(default=())
    stats: dict = field(default_factory=dict)


class _Fail(Exception):
    """The layered witness construction does not reach the pattern."""


def _sgn(v) -> int:
    try:
        return sign(v)
    except UndecidedError as exc:
        raise _Fail(str(exc)) from None


def _f(v) -> float:
    return float(sympy.N(v, 30))


# -- polynomials in s as coefficient lists (index = power of s) -------------------------------


def _padd(a: list, b: list) -> list:
    if len(a) < len(b):
        a, b = b, a
    return [u + b[i] if i < len(b) else u for i, u in enumerate(a)]


def _pscale(c, a: list) -> list:
    return [c * u for u in a]


def _lowest(a: list) -> int | None:
    """Index of the first coefficient that is not exactly 0."""
    for i, u in enumerate(a):
        if u != 0 and _sgn(u) != 0:
            return i
    return None


class Sample:
    """The pieces adjacent to θ at one input, produced on demand (never listed)."""

    def __init__(self, inst: Instance, i: int) -> None:
        net = inst.network
        self.inst, self.net, self.i = inst, net, i
        self.x = inst.X[i]
        self.y = inst.Y[i]
        self.theta = inst.point
        self.free = set(inst.free)
        self.linear = net.activation == "linear"
        if self.linear:
            self.signs = tuple(tuple(1 for _ in range(w)) for w in net.hidden_widths)
        else:
            self.signs = net.signs(inst.point, self.x)
        zeros = [(l, j) for l, layer in enumerate(self.signs) for j, s in enumerate(layer)
                 if s == 0]
        # dead neurons (every non-zero outgoing weight feeds a dead one, e.g. idle ones):
        # their bit changes no piece gradient, so it is not priced (it follows)
        dead = dead_neurons(net, inst.point) if not self.linear else set()
        self.silent = [z for z in zeros if z in dead]
        self.loud = [z for z in zeros if z not in self.silent]
        self._float_model()

    # -- floats for pricing ------------------------------------------------------------------

    def _float_model(self) -> None:
        net = self.net
        th = {p: _f(v) for p, v in self.theta.items()}
        self.W = []
        for layer in net.layers:
            self.W.append(np.array([[th[n] if n is not None else 0.0 for n in row]
                                    for row in layer]))
        h = np.array([_f(v) for v in self.x])
        self.h = [h]
        for l in range(net.depth - 1):
            z = self.W[l] @ h
            mask = np.array([1.0 if s > 0 else 0.0 for s in self.signs[l]])
            h = np.where(mask > 0, z, 0.0)
            self.h.append(h)
        self.base = [np.array([1.0 if s > 0 else 0.0 for s in layer]) for layer in self.signs]
        self.loud_index = {z: q for q, z in enumerate(self.loud)}

    def _masks(self, bits: np.ndarray) -> list[np.ndarray]:
        """Per hidden layer, a (batch, width) 0/1 matrix for a (batch, loud) bit matrix."""
        out = []
        for l, b in enumerate(self.base):
            m = np.repeat(b[None, :], bits.shape[0], axis=0)
            for q, (ll, j) in enumerate(self.loud):
                if ll == l:
                    m[:, j] = bits[:, q]
            out.append(m)
        return out

    def reduce(self, z: dict[str, float]) -> list[np.ndarray]:
        """Per layer l, ``r^(l)_j = Σ_k z[W^(l)_jk] h^(l-1)_k``: then
        ``<z, ∇Φ_P> = Σ_l <δ^(l)(P), r^(l)>`` (h at θ does not depend on the pattern)."""
        return [np.array([[z.get(n, 0.0) if n is not None else 0.0 for n in row]
                          for row in layer]) @ self.h[l]
                for l, layer in enumerate(self.net.layers)]

    def values(self, bits: np.ndarray, r: list[np.ndarray]) -> np.ndarray:
        """``y <z, ∇Φ_P(θ; x)>`` for every row ``P`` of ``bits`` (floats, backpropagation);
        ``r = self.reduce(z)``."""
        net = self.net
        masks = self._masks(bits)
        batch = bits.shape[0]
        total = np.zeros(batch)
        delta = np.ones((batch, 1))
        for l in range(net.depth - 1, -1, -1):
            total += delta @ r[l]
            if l == 0:
                break
            delta = masks[l - 1] * (delta @ self.W[l])
        return self.y * total

    def idle_bits(self, bits: np.ndarray) -> list[tuple[int, int]]:
        """Loud neurons whose back-propagated signal is exactly 0 in this pattern: their bit
        does not change the gradient at θ (their input and output are 0 there)."""
        net = self.net
        masks = self._masks(bits[None, :])
        delta = np.ones((1, 1))
        idle = []
        for l in range(net.depth - 1, 0, -1):
            back = delta @ self.W[l]
            for j in range(back.shape[1]):
                if (l - 1, j) in self.loud_index and back[0, j] == 0.0:
                    idle.append((l - 1, j))
            delta = masks[l - 1] * back
        return idle

    def price(self, z: dict[str, float], offset: float, tol: float, known: list,
              rng: random.Random) -> tuple[list[np.ndarray], int]:
        """Patterns (loud bits) with value ``> tol``, best first, and how many were evaluated.
        ``known``: bit vectors of this sample's columns (starts of the local search)."""
        n = len(self.loud)
        z = self.reduce(z)
        if n == 0:
            v = self.values(np.zeros((1, 0)), z) + offset
            return ([np.zeros(0, dtype=int)] if v[0] > tol else []), 1
        if n <= EXHAUSTIVE_BITS:
            allb = np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)
            vals = self.values(allb, z) + offset
            order = np.argsort(-vals, kind="stable")
            out = [allb[k].astype(int) for k in order[:4 * CANDIDATES_PER_SAMPLE]
                   if vals[k] > tol]
            return out, len(allb)
        starts = [np.zeros(n, dtype=int), np.ones(n, dtype=int)] + [np.array(b) for b in known]
        starts += [np.array([rng.randint(0, 1) for _ in range(n)]) for _ in range(4)]
        found: dict[tuple, float] = {}
        evaluated = 0
        for b in starts:
            b = b.astype(float)
            v = float(self.values(b[None, :], z)[0]) + offset
            evaluated += 1
            for _ in range(4 * n + 4):
                flips = np.repeat(b[None, :], n, axis=0)
                flips[np.arange(n), np.arange(n)] = 1 - flips[np.arange(n), np.arange(n)]
                vals = self.values(flips, z) + offset
                evaluated += n
                k = int(np.argmax(vals))
                if vals[k] <= v + 1e-12 * (1 + abs(v)):
                    break
                b, v = flips[k], float(vals[k])
            found[tuple(int(t) for t in b)] = v
        ranked = sorted(found.items(), key=lambda kv: -kv[1])
        return [np.array(b) for b, v in ranked if v > tol], evaluated

    # -- witnesses -----------------------------------------------------------------------------

    def construct(self, target: dict[tuple[int, int], int], rng: random.Random | None = None
                  ) -> tuple[Pattern, dict]:
        """A pattern and a direction ``d`` with ``θ + s d`` strictly inside it for small s > 0.

        ``target``: the bit wanted at each zero-input neuron it names; the others follow (take
        the side the construction gives). Layer by layer the pre-activations along the
        direction are exact polynomials in ``s``. A zero-input neuron whose leading term
        depends on its own incoming weights (free parameters not yet moved) gets
        ``d = ±c·H_q`` on them (``H_q`` the first non-zero coefficient of its input), ``c`` a
        power of 2 large enough for that term to decide the sign; otherwise its sign is
        forced. With ``rng`` the rows of neurons with non-zero input also move at random
        (other first-order inputs for the layers above) and followers pick a random side.
        Raises :class:`_Fail` when the pattern is not reached this way."""
        net, theta, free = self.net, self.theta, self.free
        D: dict[str, sympy.Expr] = {}
        h: list[list] = [[v] for v in self.x]
        pattern: list[tuple[int, ...]] = []
        for l, layer in enumerate(net.layers[:-1]):
            sg = self.signs[l]
            if rng is not None:
                zero_rows = {n for j, row in enumerate(layer) if sg[j] == 0 for n in row}
                for j, row in enumerate(layer):
                    for n in row:
                        if (n is not None and sg[j] != 0 and n in free and n not in D
                                and n not in zero_rows and rng.random() < 0.5):
                            D[n] = sympy.Integer(rng.choice((-2, -1, 1, 2)))

            def inputs(row):
                H: dict[str, list] = {}
                for k, n in enumerate(row):
                    if n is not None:
                        H[n] = _padd(H.get(n, []), h[k])
                return H

            def pre(H):
                z: list = []
                for n, hp in H.items():
                    z = _padd(z, _pscale(theta[n], hp))
                    if n in D and D[n] != 0:
                        z = _padd(z, [ZERO] + _pscale(D[n], hp))
                return [sympy.expand(c) for c in z]

            bits: list[int] = []
            vanish: set[int] = set()
            for j, row in enumerate(layer):
                if sg[j] != 0:
                    bits.append(1 if sg[j] > 0 else 0)
                    continue
                want = target.get((l, j))
                H = inputs(row)
                pushers = [n for n in H if n in free and n not in D]
                lows = [(q, n) for n in pushers for q in [_lowest(H[n])] if q is not None]
                q = min((q for q, _ in lows), default=None)
                base = pre(H)
                m0 = _lowest(base)
                if m0 is not None and (q is None or m0 <= q):
                    forced = 1 if _sgn(base[m0]) > 0 else 0
                    if want is not None and want != forced:
                        raise _Fail(f"neuron {j + 1} of layer {l + 1} is forced to "
                                    f"{'active' if forced else 'inactive'}")
                    bits.append(forced)
                    continue
                if q is None:
                    # 0 along the direction and no weight of its own to move: fine only if
                    # 0 on the whole piece (vanishing_inputs), then either bit
                    prefix = pattern + [tuple(bits) + (0,) * (len(layer) - len(bits))]
                    prefix += [(0,) * w for w in net.hidden_widths[l + 1:]]
                    if (l, j) not in vanishing_inputs(net, theta, self.x, tuple(prefix),
                                                      self.inst.free):
                        raise _Fail(f"neuron {j + 1} of layer {l + 1}: input identically 0")
                    vanish.add(j)
                    bits.append(want if want is not None else 0)
                    continue
                if want is None:
                    want = rng.randint(0, 1) if rng is not None else 0
                s = 1 if want else -1
                lead = [(n, H[n][q]) for n in pushers if len(H[n]) > q]
                N = sympy.expand(sympy.Add(*(v ** 2 for _, v in lead)))
                b0 = base[q + 1] if q + 1 < len(base) else ZERO
                c = 2 ** max(0, math.ceil(math.log2(2 * abs(_f(b0)) / _f(N) + 1)))
                if rng is not None:
                    c *= rng.choice((1, 2, 4))
                for _ in range(64):
                    if _sgn(sympy.expand(b0 + s * c * N)) == s:
                        break
                    c *= 2
                else:
                    raise _Fail(f"neuron {j + 1} of layer {l + 1}: no scale found")
                for n in pushers:
                    v = H[n][q] if len(H[n]) > q else ZERO
                    D[n] = sympy.expand(s * c * v)
                bits.append(want)
            # the whole layer again with the final direction (shared weights may have moved
            # after a neuron's sign was read)
            nh = []
            for j, row in enumerate(layer):
                z = pre(inputs(row))
                if sg[j] == 0 and j not in vanish:
                    m = _lowest(z)
                    if m is None or (_sgn(z[m]) > 0) != bool(bits[j]):
                        raise _Fail(f"neuron {j + 1} of layer {l + 1} moved by shared weights")
                nh.append(z if bits[j] else [])
            h = nh
            pattern.append(tuple(bits))
        return tuple(pattern), {p: v for p, v in D.items() if v != 0}

    def witness(self, target: dict[tuple[int, int], int], stats: dict,
                rng: random.Random) -> tuple[Pattern, dict] | None:
        """A kernel-checked witness for a pattern agreeing with ``target``, or None."""
        if self.linear:
            return self.net.all_active(), {}
        stats["witnesses"] = stats.get("witnesses", 0) + 1
        tries: list = [None] + [random.Random(rng.random()) for _ in range(4)]
        for r in tries:
            try:
                pattern, d = self.construct(target, r)
            except _Fail:
                continue
            if self._checked(pattern, d, stats):
                return pattern, d
        # last resort: random directions for the pattern with followers inactive
        pat = [[1 if s > 0 else 0 for s in layer] for layer in self.signs]
        for (l, j), b in target.items():
            pat[l][j] = b
        pattern = tuple(tuple(r) for r in pat)
        free = self.inst.free
        for _ in range(RANDOM_WITNESSES):
            d = {p: sympy.Integer(rng.randint(-3, 3)) for p in free}
            if self._checked(pattern, d, stats):
                return pattern, {p: v for p, v in d.items() if v != 0}
        return None

    def _checked(self, pattern: Pattern, d: dict, stats: dict) -> bool:
        """The kernel's own test of a witness (an undecidable sign is a failure)."""
        stats["witness_checks"] = stats.get("witness_checks", 0) + 1
        try:
            return witness_reason(self.net, self.theta, self.x, pattern, d,
                                  self.inst.free) is None
        except (Unknown, UndecidedError):
            return False

    def target(self, bits) -> dict[tuple[int, int], int]:
        """The wanted bits of a loud bit vector; neurons whose bit does not matter follow."""
        bits = np.asarray(bits, dtype=float)
        idle = set(self.idle_bits(bits)) if len(self.loud) else set()
        return {z: int(b) for z, b in zip(self.loud, bits) if z not in idle}

    def bits_of(self, pattern: Pattern) -> tuple[int, ...]:
        return tuple(pattern[l][j] for l, j in self.loud)


def _silent(net: Network, point, l: int, j: int) -> bool:
    """Neuron ``j`` of hidden layer ``l`` (0-based) has every outgoing weight exactly 0 at the
    point: with its input 0 its output is 0 in either piece, and nothing downstream depends on
    it, so the piece gradient of Φ(·; x) is the same whether it passes or blocks."""
    for row in net.layers[l + 1]:
        name = row[j]
        if name is not None and sign(point[name]) != 0:
            return False
    return True


@dataclass
class _Column:
    sample: int
    pattern: Pattern
    witness: dict
    grad: dict
    vec: np.ndarray


def stationary_pieces(inst: Instance, samples: list[int], lam: list | None = None,
                      stats: dict | None = None):
    """Columns (adjacent pieces with witnesses) and exact ``μ >= 0`` with
    ``Σ μ_c y_c ∇Φ_c = θ`` on the free parameters (and, with ``lam``, ``Σ_{c of i} μ_c =
    λ_i`` for every sample in ``samples``), by column generation; ``(None, reason)`` when the
    search finds none. ``samples``: the samples whose pieces may be used."""
    stats = {} if stats is None else stats
    free = list(inst.free)
    rng = random.Random(0)
    try:
        srcs = {i: Sample(inst, i) for i in samples}
    except UndecidedError as exc:
        return None, f"signs at the point undecided: {exc}"
    stats["patterns"] = sum(2 ** len(s.loud) for s in srcs.values())
    stats["zero_inputs"] = max((len(s.loud) + len(s.silent) for s in srcs.values()), default=0)
    stats["zero_inputs_that_matter"] = max((len(s.loud) for s in srcs.values()), default=0)
    order = list(samples)
    rows = len(free) + (len(order) if lam is not None else 0)
    b_exact = [inst.point[p] for p in free] + (
        [lam[i] for i in order] if lam is not None else [])
    bf = np.array([_f(v) for v in b_exact])
    scale = 1.0 + float(np.abs(bf).sum())
    cols: list[_Column] = []
    keys: set = set()

    def add(i: int, target: dict) -> bool:
        src = srcs[i]
        found = src.witness(target, stats, rng)
        if found is None:
            return False
        pattern, wit = found
        g = inst.network.piece_gradient(inst.point, src.x, pattern)
        key = (i, tuple(sympy.srepr(g[p]) for p in free))
        if key in keys:
            return False
        keys.add(key)
        vec = np.zeros(rows)
        vec[:len(free)] = [src.y * _f(g[p]) for p in free]
        if lam is not None:
            vec[len(free) + order.index(i)] = 1.0
        cols.append(_Column(i, pattern, wit, g, vec))
        return True

    for i in order:
        src = srcs[i]
        for b in (0, 1):
            add(i, src.target(np.full(len(src.loud), b)))
            if not src.loud:
                break
    max_rounds = 10 * (rows + len(order)) + 20
    stats["priced"] = 0
    for rnd in range(max_rounds):
        stats["rounds"] = rnd + 1
        stats["columns"] = len(cols)
        if not cols:
            if all(_sgn(v) == 0 for v in b_exact):
                return ([], []), "found"
            return None, "no adjacent piece found with a witness"
        A = np.array([c.vec for c in cols]).T
        feasible, support, z = _phase_one(A, bf, scale)
        if feasible:
            mu = _exact_solution(inst, cols, b_exact, free, order, lam, support)
            if mu is None:
                mu = _exact_solution(inst, cols, b_exact, free, order, lam,
                                     list(range(len(cols))))
            if mu is not None:
                return (cols, mu), "found"
            if z is None:
                return None, "the float LP is feasible but no exact non-negative solution " \
                             "was found on its support"
        zf = {p: float(z[r]) for r, p in enumerate(free)}
        tol = 1e-9 * (1.0 + float(np.abs(z).sum()))
        added = False
        for i in order:
            src = srcs[i]
            offset = float(z[len(free) + order.index(i)]) if lam is not None else 0.0
            known = [np.array(src.bits_of(c.pattern)) for c in cols if c.sample == i]
            cands, n = src.price(zf, offset, tol, known, rng)
            stats["priced"] += n
            for bits in cands[:CANDIDATES_PER_SAMPLE]:
                # a new column that does not improve (a follower took another side) stays
                if add(i, src.target(bits)) and float(cols[-1].vec @ z) > tol:
                    added = True
                    break
        if not added:
            return None, (f"no non-negative multipliers satisfy stationarity with the "
                          f"{len(cols)} adjacent piece(s) found, and pricing found no "
                          f"adjacent piece that would help")
    return None, f"column generation did not converge in {max_rounds} rounds"


def _phase_one(A: np.ndarray, b: np.ndarray, scale: float):
    """``min Σ|r|`` over ``Aμ + r = b, μ >= 0`` (HiGHS): (feasible, support, dual z). The
    dual satisfies ``<z, a> <= 0`` for every column and ``<z, b> > 0`` when infeasible: a
    column with ``<z, a> > 0`` is an improving piece."""
    from scipy.optimize import linprog

    m, n = A.shape
    c = np.concatenate([np.zeros(n), np.ones(2 * m)])
    Aeq = np.hstack([A, np.eye(m), -np.eye(m)])
    res = linprog(c, A_eq=Aeq, b_eq=b, bounds=[(0, None)] * (n + 2 * m), method="highs")
    if res.status != 0:
        return False, [], None
    z = np.asarray(res.eqlin.marginals, dtype=float)
    mu = res.x[:n]
    feasible = res.fun <= 1e-9 * scale
    top = max(1.0, float(mu.max()) if n else 1.0)
    support = [c for c, v in enumerate(mu) if v > 1e-9 * top]
    return feasible, support, (None if feasible else z)


def _exact_solution(inst, cols, b_exact, free, order, lam, support):
    rows = len(b_exact)
    A = sympy.Matrix(rows, len(cols), lambda r, c: (
        inst.Y[cols[c].sample] * cols[c].grad[free[r]] if r < len(free)
        else (1 if lam is not None and order[r - len(free)] == cols[c].sample else 0)))
    return _exact_nonneg_solution(A, sympy.Matrix(b_exact), support)


def _exact_nonneg_solution(A: sympy.Matrix, b: sympy.Matrix, support: list[int]):
    """Solve ``A[:, support] μ = b`` exactly (free parameters at 0); None if inconsistent."""
    if not support:
        return [ZERO] * A.cols if all(sign(v) == 0 for v in b) else None
    sub = A.extract(list(range(A.rows)), support)
    try:
        sol, params = sub.gauss_jordan_solve(b)
    except ValueError:
        return None
    if params.shape[0]:
        sol = sol.xreplace({s: 0 for s in params})
    mu = [ZERO] * A.cols
    for c, v in zip(support, sol):
        mu[c] = sympy.radsimp(sympy.nsimplify(v) if v.is_Float else sympy.simplify(v))
    try:
        if any(sign(v) < 0 for v in mu):
            return None
    except UndecidedError:
        return None
    return mu


def find_kkt(inst: Instance, method: str = "generate") -> KKTSearch:
    """Find multipliers and subgradients proving ``inst.point`` is a KKT point, if it is.

    ``method="generate"`` (default): column generation over lazily built pieces;
    ``"enumerate"``: the former method, every adjacent piece listed (the benchmark's
    baseline; bounded by ``MAX_ZERO_NEURONS``)."""
    net = inst.network
    margins = inst.margins
    try:
        signs = [sign(m - 1) for m in margins]
    except UndecidedError as exc:
        return KKTSearch(None, f"margins undecided: {exc}")
    if any(s < 0 for s in signs):
        i = signs.index(-1)
        return KKTSearch(None, f"the point is infeasible: constraint {i + 1} has y*Phi = "
                               f"{to_text(margins[i])} < 1")
    active = [i for i, s in enumerate(signs) if s == 0]
    stats: dict = {"method": method}
    if method == "enumerate":
        found = _enumerate(inst, active, stats)
    else:
        found, why = stationary_pieces(inst, active, None, stats)
        if found is None:
            return KKTSearch(None, why, stats=stats)
        found = list(found[0]), found[1]
    if isinstance(found, str):
        return KKTSearch(None, found, stats=stats)
    columns, mu = found
    lam = [ZERO] * len(inst.X)
    for c, m in zip(columns, mu):
        lam[c.sample] += m
    lam = [sympy.radsimp(sympy.simplify(v)) for v in lam]
    subgradients: list[list[dict]] = [[] for _ in inst.X]
    for c, m in zip(columns, mu):
        if sign(lam[c.sample]) == 0 or sign(m) == 0:
            continue
        subgradients[c.sample].append({
            "weight": to_text(sympy.radsimp(sympy.simplify(m / lam[c.sample]))),
            "pattern": [list(r) for r in c.pattern],
            "witness": {p: to_text(v) for p, v in c.witness.items()}})
    cert = inst.base_json()
    cert.update({"kind": "kkt", "multipliers": [to_text(v) for v in lam]})
    if net.activation == "relu":
        cert["subgradients"] = subgradients
    return KKTSearch(cert, "found", tuple(lam), tuple(columns), stats)


# -- the baseline: every adjacent piece enumerated --------------------------------------------


def _witness_candidates(net: Network, x, pattern: Pattern, free, rng: random.Random):
    """Directions to try: first a constructive one for first-layer zero neurons, then random."""
    d: dict[str, sympy.Expr] = {}
    if net.depth >= 2:
        for j, row in enumerate(net.layers[0]):
            s = 1 if pattern[0][j] else -1
            for k, name in enumerate(row):
                if name is not None and name in free:
                    d[name] = d.get(name, 0) + s * x[k]
    yield d
    for _ in range(200):
        yield {p: sympy.Integer(rng.randint(-3, 3)) for p in free}


def adjacent_pieces(inst: Instance, x, stats: dict | None = None
                    ) -> list[tuple[Pattern, dict]]:
    """Every pattern of the smooth pieces adjacent to the point at input ``x`` that random
    witnesses reach (the former method; :func:`find_kkt` no longer lists pieces).

    A silent zero-input neuron's bit is set to 0 (then 1) instead of doubling the pieces;
    ``MAX_ZERO_NEURONS`` bounds the other zero inputs (UndecidedError above)."""
    net = inst.network
    if net.activation == "linear":
        return [(net.all_active(), {})]
    signs = net.signs(inst.point, x)
    zeros = [(l, j) for l, layer in enumerate(signs) for j, s in enumerate(layer) if s == 0]
    silent = [z for z in zeros if _silent(net, inst.point, *z)]
    loud = [z for z in zeros if z not in silent]
    if len(loud) > MAX_ZERO_NEURONS:
        raise UndecidedError(f"{len(loud)} hidden inputs that matter are exactly 0; "
                             f"enumerating 2^{len(loud)} pieces is beyond this search")
    rng = random.Random(0)
    out = []
    for bits in itertools.product((1, 0), repeat=len(loud)):
        for quiet in ((0,), (1,)) if silent else ((0,),):
            pat = [[1 if s > 0 else 0 for s in layer] for layer in signs]
            for (l, j), b in zip(loud, bits):
                pat[l][j] = b
            for (l, j) in silent:
                pat[l][j] = quiet[0]
            pattern: Pattern = tuple(tuple(r) for r in pat)
            found = None
            for d in _witness_candidates(net, x, pattern, inst.free, rng):
                if stats is not None:
                    stats["witness_checks"] = stats.get("witness_checks", 0) + 1
                if witness_reason(net, inst.point, x, pattern, d, inst.free) is None:
                    found = (pattern, {p: v for p, v in d.items() if v != 0})
                    break
            if found is not None:
                out.append(found)
                break
    return out


def _enumerate(inst: Instance, active: list[int], stats: dict):
    net = inst.network
    columns: list[_Column] = []
    stats["patterns"] = 0
    for i in active:
        seen = set()
        try:
            pieces = adjacent_pieces(inst, inst.X[i], stats)
        except UndecidedError as exc:
            return str(exc)
        stats["patterns"] += len(pieces)
        for pattern, wit in pieces:
            g = net.piece_gradient(inst.point, inst.X[i], pattern)
            key = tuple(sympy.srepr(g[p]) for p in inst.free)
            if key in seen:
                continue
            seen.add(key)
            columns.append(_Column(i, pattern, wit, g, np.zeros(0)))
    stats["columns"] = len(columns)
    free = inst.free
    A = sympy.Matrix(len(free), len(columns),
                     lambda r, c: inst.Y[columns[c].sample] * columns[c].grad[free[r]])
    b = sympy.Matrix([inst.point[p] for p in free])
    mu = None
    if columns:
        mu = _exact_nonneg_solution(A, b, list(range(len(columns))))
        if mu is None:
            support = _lp_support(A, b)
            if support is not None:
                mu = _exact_nonneg_solution(A, b, support)
    elif all(sign(v) == 0 for v in b):
        mu = []
    if mu is None:
        return ("no non-negative multipliers satisfy stationarity with the pieces adjacent "
                "to the point")
    return columns, mu


def _lp_support(A: sympy.Matrix, b: sympy.Matrix) -> list[int] | None:
    """Guess the support of a non-negative solution with a float LP (search only)."""
    from scipy.optimize import linprog

    An = np.array(A.evalf(30).tolist(), dtype=float)
    bn = np.array(b.evalf(30).tolist(), dtype=float).ravel()
    res = linprog(np.ones(A.cols), A_eq=An, b_eq=bn, bounds=[(0, None)] * A.cols,
                  method="highs")
    if res.status != 0:
        return None
    return [c for c, v in enumerate(res.x) if v > 1e-9]
