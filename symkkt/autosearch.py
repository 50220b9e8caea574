"""Automatic search for the certificates a claim file asks for (untrusted; the kernel decides).

Nothing here decides a verdict. Every function returns a certificate together with the
kernel's :class:`~symkkt.kernel.certificate.Verdict` on exactly that certificate, or ``None``
with the reason the search gave up.

``not-local``: a curve ``θ'(ε) = θ̃ + s·d1 + s²·d2`` (``s = ε`` or ``s = √ε``), closed form,
with a kernel-proven ``ε0``. Candidate directions ``d1`` come from

* **first order on adjacent pieces** (``first-order``): for a ReLU point with hidden inputs at
  exactly 0, each choice of the pieces entered gives a linear program in ``d1`` (every active
  margin non-decreasing at first order, the entered pieces consistent, ``<θ̃, d1>`` minimal);
  at a non-KKT point the exact Farkas vector is such a direction;
* **idle neurons** (``idle-neuron``, the mechanism of Theorem 3.2): a hidden neuron whose
  incoming and outgoing weights are all 0 is switched on at order ``√ε`` to serve support
  samples, its outgoing weights chosen to minimize the Lagrangian's second-order term;
* **sharing and coordinate seeds** (``symmetry-breaking``, the mechanism of Theorem 4.4): one
  parameter (shared ones first) is moved at order ``√ε`` and every other parameter compensates
  optimally (an exact equality-constrained quadratic minimization on the critical subspace),
  which breaks the symmetry of a shared filter between its patches;
* **negative curvature** (``second-order``): eigenvectors of the Lagrangian's Hessian
  ``I - Σ λ_i ∇²(y_i Φ_i)`` on the critical subspace ``{d : <∇(y_i Φ_i), d> = 0, λ_i > 0}``
  (computed in floats, rounded to rationals, mapped back exactly).

For each ``d1`` the correction ``d2`` is solved exactly so that every active margin is
unchanged at second order, then tilted by ``η θ̃`` to make every active margin grow strictly
while the norm still decreases; the activation pattern along the curve is recomputed exactly
and the construction repeated until it is consistent. A float scan picks a plausible ``ε0`` on
the ladder ``1, 1/2, 1/4, …`` and the kernel proves (or rejects) it.

``not-global``: a strictly better feasible point, from a proven curve (evaluated at a square
rational ``ε <= ε0``), or from a float optimizer (SLSQP, multi-start, including one start per
assignment of hidden neurons to samples for depth-2 networks) rounded to rationals and then
rescaled exactly until feasible.

``not-kkt``: the point is infeasible, or an exact Farkas vector separates ``θ̃`` from the cone
of every piece gradient of the active constraints (checked by :mod:`symkkt.kernel.notkkt`).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .errors import UndecidedError
from .kernel import notkkt as _notkkt  # noqa: F401  (registers the "not-kkt" checker)
from .kernel.certificate import Verdict, check_certificate
from .kernel.exact import sign
from .errors import InvalidArgument
from .kernel.grammar import to_text
from .kkt import Sample, find_kkt, stationary_pieces
from .perturb import EPSILON, LADDER, curve_certificate
from .problems import Instance

__all__ = ["Found", "Budget", "search_not_local", "check_curve", "search_better_point",
           "prove_not_kkt", "kkt_certificate", "kkt_with_multipliers", "point_on_curve"]

_T = sympy.Symbol("_s", positive=True)


BUDGET_EXHAUSTED = "budget exhausted"
"""The search log's line when a search stopped on its budget (``Found.exhausted``)."""


@dataclass
class Found:
    """A search outcome: the certificate and the kernel's verdict on it (or why none)."""

    certificate: dict | None
    verdict: Verdict | None
    reason: str
    strategy: str | None = None
    log: list[str] = field(default_factory=list)
    exhausted: bool = False
    """The search stopped on its budget with candidates left: no certificate is no answer."""

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


class Budget:
    """A wall-clock budget shared by the strategies of one claim."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def over(self) -> bool:
        return self.left() <= 0


# ================================================================ exact linear algebra


def _domain_rows(A: Sequence[Sequence[sympy.Expr]], extra: Sequence[sympy.Expr] = ()):
    from sympy.polys.constructor import construct_domain

    flat = [_as_expr(e) for r in A for e in r] + [_as_expr(e) for e in extra]
    return construct_domain(flat, field=True, extension=True)


def _rref(A: Sequence[Sequence[sympy.Expr]], b: Sequence[sympy.Expr] | None = None):
    """RREF of ``A`` (or ``[A | b]``) over an exact field; (matrix as sympy rows, pivots)."""
    from sympy.polys.matrices import DomainMatrix

    m = len(A)
    n = len(A[0]) if m else 0
    cols = n + (1 if b is not None else 0)
    dom, el = _domain_rows(A, list(b) if b is not None else [])
    rows = []
    for i in range(m):
        r = list(el[i * n:(i + 1) * n])
        if b is not None:
            r.append(el[m * n + i])
        rows.append(r)
    R, piv = DomainMatrix(rows, (m, cols), dom).rref()
    M = R.to_Matrix()
    return [[M[i, j] for j in range(cols)] for i in range(m)], list(piv)


def solve_exact(A: Sequence[Sequence[sympy.Expr]], b: Sequence[sympy.Expr]
                ) -> list[sympy.Expr] | None:
    """A solution of ``A x = b`` with free variables 0, exactly; None if inconsistent."""
    m = len(A)
    if m == 0:
        return None
    n = len(A[0])
    try:
        R, piv = _rref(A, b)
    except Exception:  # construct_domain/rref refuse odd expressions: no exact answer
        return None
    if n in piv:
        return None
    x = [sympy.Integer(0)] * n
    for i, p in enumerate(piv):
        x[p] = sympy.radsimp(R[i][n])
    return x


def nullspace_exact(A: Sequence[Sequence[sympy.Expr]], n: int) -> list[list[sympy.Expr]] | None:
    """A basis of ``{d : A d = 0}`` (all of R^n if A has no rows)."""
    if not A:
        return [[sympy.Integer(int(i == j)) for i in range(n)] for j in range(n)]
    try:
        R, piv = _rref(A)
    except Exception:
        return None
    basis = []
    for f in range(n):
        if f in piv:
            continue
        v = [sympy.Integer(0)] * n
        v[f] = sympy.Integer(1)
        for i, p in enumerate(piv):
            v[p] = sympy.radsimp(-R[i][f])
        basis.append(v)
    return basis


def least_norm(A: Sequence[Sequence[sympy.Expr]], b: Sequence[sympy.Expr]
               ) -> list[sympy.Expr] | None:
    """The minimum-norm solution ``x = Aᵀ y``, ``(A Aᵀ) y = b``; None if inconsistent."""
    if not A:
        return None
    n = len(A[0])
    G = [[sympy.expand(sum(A[i][k] * A[j][k] for k in range(n))) for j in range(len(A))]
         for i in range(len(A))]
    y = solve_exact(G, b)
    if y is None:
        return None
    x = [sympy.radsimp(sympy.expand(sum(A[i][k] * y[i] for i in range(len(A)))))
         for k in range(n)]
    # (A Aᵀ) y = b is consistent with A x = b only if b is in the range: check exactly
    for i in range(len(A)):
        if not _is0(sum(A[i][k] * x[k] for k in range(n)) - b[i]):
            return None
    return x


def _is0(e) -> bool:
    try:
        return sign(sympy.expand(e)) == 0
    except UndecidedError:
        return False


def _sgn(e) -> int | None:
    try:
        return sign(sympy.expand(e))
    except UndecidedError:
        return None


def _dot(a, b):
    return sympy.expand(sum((x * y for x, y in zip(a, b)), sympy.Integer(0)))


def _rat(x: float, den: int = 64) -> sympy.Rational:
    f = Fraction(x).limit_denominator(den)
    return sympy.Rational(f.numerator, f.denominator)


def text(e) -> str:
    """``to_text`` of an exact value, trying equivalent forms that print back exactly."""
    e = _as_expr(e)
    last: Exception | None = None
    for form in (lambda v: v, sympy.expand, lambda v: sympy.expand(sympy.radsimp(v)),
                 lambda v: sympy.nsimplify(v) if v.is_Float else sympy.simplify(v)):
        try:
            return to_text(form(e))
        except InvalidArgument as exc:
            last = exc
    raise last  # type: ignore[misc]


def _pow2_below(x: float) -> sympy.Rational:
    """The largest ``2**-j <= x`` (``j`` in 0..60), or ``2**-60``."""
    j = 0
    while j < 60 and 2.0 ** -j > x:
        j += 1
    return sympy.Rational(1, 2 ** j)


def _f(e) -> float:
    return float(sympy.N(e, 30))


# ================================================================ floats (search only)


class FloatNet:
    """Float evaluation of a network in N with backpropagation (search only)."""

    def __init__(self, inst: Instance) -> None:
        self.net = inst.network
        self.params = list(inst.network.params)
        self.index = {p: i for i, p in enumerate(self.params)}
        self.layers = [[[(self.index[n] if n is not None else -1) for n in row]
                        for row in layer] for layer in inst.network.layers]
        self.X = [np.array([_f(v) for v in x]) for x in inst.X]
        self.Y = np.array(inst.Y, dtype=float)
        self.relu = inst.network.activation == "relu"

    def weights(self, th: np.ndarray):
        out = []
        for layer in self.layers:
            W = np.zeros((len(layer), len(layer[0])))
            for i, row in enumerate(layer):
                for j, k in enumerate(row):
                    if k >= 0:
                        W[i, j] = th[k]
            out.append(W)
        return out

    def forward(self, th: np.ndarray, x: np.ndarray):
        Ws = self.weights(th)
        h = x
        hs, zs = [h], []
        for l, W in enumerate(Ws):
            z = W @ h
            if l == len(Ws) - 1:
                return float(z[0]), zs, hs, Ws
            zs.append(z)
            h = np.maximum(z, 0.0) if self.relu else z
            hs.append(h)
        raise AssertionError

    def margin_grad(self, th: np.ndarray, i: int):
        out, zs, hs, Ws = self.forward(th, self.X[i])
        y = self.Y[i]
        g = np.zeros(len(self.params))
        delta = np.array([y])
        for l in range(len(Ws) - 1, -1, -1):
            gW = np.outer(delta, hs[l])
            for a, row in enumerate(self.layers[l]):
                for b, k in enumerate(row):
                    if k >= 0:
                        g[k] += gW[a, b]
            if l == 0:
                break
            delta = Ws[l].T @ delta
            if self.relu:
                delta = delta * (zs[l - 1] > 0)
        return y * out, g

    def margins(self, th: np.ndarray) -> np.ndarray:
        return np.array([self.Y[i] * self.forward(th, x)[0] for i, x in enumerate(self.X)])

    def patterns(self, th: np.ndarray, tol: float):
        """Per sample, per hidden neuron: +1 (> tol), -1 (< -tol) or 0."""
        out = []
        for x in self.X:
            _, zs, _, _ = self.forward(th, x)
            out.append([[1 if v > tol else (-1 if v < -tol else 0) for v in z] for z in zs])
        return out


# ================================================================ exact local model


class LocalModel:
    """Exact piece polynomials of the margins at θ̃: gradients and Hessians, cached."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.net = inst.network
        self.free = list(inst.free)
        self.syms = {p: sympy.Symbol(f"_q_{p}") for p in self.net.params}
        self.at = {self.syms[p]: inst.point[p] for p in self.net.params}
        self.theta = [inst.point[p] for p in self.free]
        self._poly: dict = {}
        self._grad: dict = {}
        self._hess: dict = {}
        self.margins = [sympy.expand(y * self.net.output(inst.point, x))
                        for x, y in zip(inst.X, inst.Y)]
        self.active = [i for i, m in enumerate(self.margins) if _is0(m - 1)]
        self.signs = [self.net.signs(inst.point, x) for x in inst.X]

    def poly(self, i: int, pattern) -> sympy.Expr:
        key = (i, pattern)
        if key not in self._poly:
            out, _ = self.net.forward(self.syms, self.inst.X[i], pattern)
            self._poly[key] = sympy.expand(self.inst.Y[i] * out)
        return self._poly[key]

    def grad(self, i: int, pattern) -> list[sympy.Expr]:
        key = (i, pattern)
        if key not in self._grad:
            # backpropagation (the kernel's piece gradient), not the expanded polynomial
            g = self.net.piece_gradient(self.inst.point, self.inst.X[i], pattern)
            y = self.inst.Y[i]
            self._grad[key] = [sympy.expand(y * g[p]) for p in self.free]
        return self._grad[key]

    def hess(self, i: int, pattern) -> list[list[sympy.Expr]]:
        key = (i, pattern)
        if key not in self._hess:
            M = self.poly(i, pattern)
            first = [sympy.diff(M, self.syms[p]) for p in self.free]
            self._hess[key] = [[sympy.expand(sympy.diff(f, self.syms[q]).xreplace(self.at))
                                for q in self.free] for f in first]
        return self._hess[key]

    def quad(self, i: int, pattern, d) -> sympy.Expr:
        H = self.hess(i, pattern)
        n = len(d)
        return sympy.expand(sum(H[a][b] * d[a] * d[b] for a in range(n) for b in range(n)
                                if d[a] != 0 and d[b] != 0))

    def base_pattern(self, i: int, zero_bit: int = 1):
        return tuple(tuple(1 if s > 0 else (zero_bit if s == 0 else 0) for s in lay)
                     for lay in self.signs[i])

    def full(self, d_free: Sequence[sympy.Expr]) -> dict[str, sympy.Expr]:
        out = {p: sympy.Integer(0) for p in self.net.params}
        for p, v in zip(self.free, d_free):
            out[p] = v
        return out

    def ray_pattern(self, i: int, d1, d2):
        """The pattern of sample i along θ̃ + s d1 + s² d2 for small s > 0 (exact)."""
        if self.net.activation == "linear":
            return self.net.all_active()
        D1, D2 = self.full(d1), self.full(d2)
        theta = {p: self.inst.point[p] + _T * D1[p] + _T ** 2 * D2[p] for p in self.net.params}
        h = list(self.inst.X[i])
        pat = []
        for l, layer in enumerate(self.net.layers[:-1]):
            bits, nh = [], []
            for row in layer:
                z = sympy.expand(sum((theta[n] * h[j] for j, n in enumerate(row)
                                      if n is not None), sympy.Integer(0)))
                s = _leading_sign(z)
                if s is None:
                    raise UndecidedError("pattern along the curve undecided")
                bits.append(1 if s >= 0 else 0)
                nh.append(z if s >= 0 else sympy.Integer(0))
            pat.append(tuple(bits))
            h = nh
        return tuple(pat)


def _leading_sign(z: sympy.Expr) -> int | None:
    """Sign of the lowest-order non-zero coefficient of a polynomial in ``_T`` (0 if z ≡ 0)."""
    if z == 0:
        return 0
    try:
        coeffs = sympy.Poly(z, _T).all_coeffs()[::-1]
    except sympy.PolynomialError:
        return None
    for c in coeffs:
        s = _sgn(c)
        if s is None:
            return None
        if s != 0:
            return s
    return 0


# ================================================================ curves from directions


@dataclass
class Candidate:
    strategy: str
    d1: list[sympy.Expr]
    note: str = ""


def build_curve(model: LocalModel, d1: Sequence[sympy.Expr]):
    """From ``d1`` build ``(curve, k, info)``: margins kept at second order, norm decreasing.

    Returns None when ``d1`` cannot give a decrease (some active margin decreases at first
    order, or the first- and second-order norm terms are not negative).
    """
    inst = model.inst
    n = len(model.free)
    theta = model.theta
    th2 = _dot(theta, theta)
    if all(_is0(v) for v in d1) or _is0(th2):
        return None
    d2 = [sympy.Integer(0)] * n
    pats = [model.ray_pattern(i, d1, d2) for i in range(len(inst.X))]
    for _ in range(4):
        a = {i: _dot(model.grad(i, pats[i]), d1) for i in model.active}
        if any((_sgn(v) or 0) < 0 or _sgn(v) is None for v in a.values()):
            return None
        n1 = sympy.radsimp(2 * _dot(theta, d1))
        s1 = _sgn(n1)
        if s1 is None or s1 > 0:
            return None
        rows = [i for i in model.active if _sgn(a[i]) == 0]
        A = [model.grad(i, pats[i]) for i in rows]
        r = [sympy.radsimp(-model.quad(i, pats[i], d1) / 2) for i in rows]
        d2 = [sympy.Integer(0)] * n
        if rows:
            sol = least_norm(A, r)
            if sol is None:
                return None
            d2 = sol
            # the part of θ̃ orthogonal to the active gradients lowers the norm for free
            proj = least_norm(A, [_dot(g, theta) for g in A])
            if proj is not None:
                perp = [sympy.radsimp(t - p) for t, p in zip(theta, proj)]
                if not all(_is0(v) for v in perp):
                    d2 = [sympy.radsimp(x - v) for x, v in zip(d2, perp)]
        else:
            perp = list(theta)
        c2 = sympy.radsimp(_dot(d1, d1) + 2 * _dot(theta, d2))
        sc2 = _sgn(c2)
        if sc2 is None or (s1 == 0 and sc2 >= 0):
            return None
        # tilt by eta*theta: active margins gain eta*<g, theta> = eta*(homogeneity degree)
        bound = -c2 if s1 == 0 else -n1
        eta = _pow2_below(max(_f(bound), 0.0) / (4 * _f(th2)))
        d2 = [sympy.radsimp(x + eta * t) for x, t in zip(d2, theta)]
        d2 = _round_if_safe(model, pats, rows, d1, d2, s1, eta, th2)
        new = [model.ray_pattern(i, d1, d2) for i in range(len(inst.X))]
        if new == pats:
            k = 1 if s1 < 0 else 2
            s = EPSILON if k == 1 else sympy.sqrt(EPSILON)
            curve = {p: sympy.expand(inst.point[p] + s * v1 + s ** 2 * v2)
                     for p, v1, v2 in zip(model.free, d1, d2)}
            return curve, k, {"d1": d1, "d2": d2, "order": 1 if s1 < 0 else 2}
        pats = new
    return None


def _round_if_safe(model, pats, rows, d1, d2, s1, eta, th2):
    """Replace d2 by a nearby rational vector when the strict inequalities survive."""
    if all(v.is_Rational for v in d2) or not all(v.is_Rational for v in model.theta):
        return d2  # (rounding next to an irrational point only makes the leading term messier)
    for den in (64, 4096):
        cand = [_rat(_f(v), den) for v in d2]
        ok = True
        for i in rows:
            if (_sgn(_dot(model.grad(i, pats[i]), cand) + model.quad(i, pats[i], d1) / 2)
                    or 0) <= 0:
                ok = False
                break
        if ok and s1 == 0:
            ok = (_sgn(_dot(d1, d1) + 2 * _dot(model.theta, cand)) or 0) < 0
        if ok:
            return cand
    return d2


# ================================================================ candidate generators


def _neuron_blocks(model: LocalModel):
    """Idle hidden neurons: (layer, row, incoming param indices, outgoing param indices)."""
    net = model.net
    free_ix = {p: i for i, p in enumerate(model.free)}
    out = []
    for l in range(net.depth - 1):
        layer, nxt = net.layers[l], net.layers[l + 1]
        counts = _counts(layer)
        ncounts = _counts(nxt)
        for j, row in enumerate(layer):
            inc = [n for n in row if n is not None]
            outg = [r[j] for r in nxt if r[j] is not None]
            if not inc or not outg:
                continue
            if any(counts[n] != 1 or n not in free_ix for n in inc):
                continue
            if any(ncounts[n] != 1 or n not in free_ix for n in outg):
                continue
            if any(not _is0(model.inst.point[n]) for n in inc + outg):
                continue
            out.append((l, j, [free_ix[n] for n in inc], [free_ix[n] for n in outg]))
    return out


def _counts(layer) -> dict[str, int]:
    c: dict[str, int] = {}
    for row in layer:
        for n in row:
            if n is not None:
                c[n] = c.get(n, 0) + 1
    return c


def _features(model: LocalModel, l: int, i: int) -> list[sympy.Expr]:
    """The input h_{l}(x_i) to hidden layer l (0-based) at θ̃."""
    h = list(model.inst.X[i])
    for ll, layer in enumerate(model.net.layers[:l]):
        z = [sympy.expand(sum((model.inst.point[n] * h[j] for j, n in enumerate(row)
                               if n is not None), sympy.Integer(0))) for row in layer]
        h = z if model.net.activation == "linear" else [v if (_sgn(v) or 0) > 0
                                                         else sympy.Integer(0) for v in z]
    return h


def _qmatrix(model: LocalModel, lam: Sequence[sympy.Expr], pats) -> list[list[sympy.Expr]]:
    n = len(model.free)
    Q = [[sympy.Integer(int(a == b)) for b in range(n)] for a in range(n)]
    for i in model.active:
        if _is0(lam[i]):
            continue
        H = model.hess(i, pats[i])
        for a in range(n):
            for b in range(n):
                if H[a][b] != 0:
                    Q[a][b] = Q[a][b] - lam[i] * H[a][b]
    return [[sympy.expand(v) for v in r] for r in Q]


def gen_idle_neurons(model: LocalModel, lam) -> Iterator[Candidate]:
    """Theorem 3.2's mechanism: switch on an idle neuron to serve support samples."""
    n = len(model.free)
    blocks = _neuron_blocks(model)
    if not blocks:
        return
    support = [i for i in model.active if (_sgn(lam[i]) or 0) > 0] or list(model.active)
    for (l, j, inc, outg) in blocks:
        row = model.net.layers[l][j]
        feats = {i: _features(model, l, i) for i in range(len(model.inst.X))}
        dirs: list[list[sympy.Expr]] = []

        def masked(v):
            return [v[c] for c, name in enumerate(row) if name is not None]

        for i in support:
            dirs.append(masked(feats[i]))
        for a, b in itertools.combinations(support, 2):
            dirs.append(masked([u + v for u, v in zip(feats[a], feats[b])]))
            dirs.append(masked([u - v for u, v in zip(feats[a], feats[b])]))
        for sgn in (1, -1):
            same = [i for i in support if model.inst.Y[i] == sgn]
            if len(same) > 2:
                dirs.append(masked([sum(feats[i][c] for i in same) for c in range(len(row))]))
        seen = set()
        for u in dirs + [[-v for v in u] for u in dirs]:
            key = tuple(sympy.srepr(v) for v in u)
            if key in seen or all(_is0(v) for v in u):
                continue
            seen.add(key)
            d = [sympy.Integer(0)] * n
            for ix, v in zip(inc, u):
                d[ix] = v
            # this neuron's pattern from u, the others as at θ̃ (zero inputs: active)
            pats = []
            for i in range(len(model.inst.X)):
                base = [list(r) for r in model.base_pattern(i)]
                base[l][j] = 1 if (_sgn(_dot(masked(feats[i]), u)) or 0) > 0 else 0
                pats.append(tuple(tuple(r) for r in base))
            Q = _qmatrix(model, lam, pats)
            # optimal outgoing weights given u: c = -Q_cc^{-1} Q_cu u
            Qcc = [[Q[a][b] for b in outg] for a in outg]
            rhs = [-sum(Q[a][b] * d[b] for b in inc) for a in outg]
            c = solve_exact(Qcc, rhs)
            if c is None:
                continue
            for ix, v in zip(outg, c):
                d[ix] = sympy.radsimp(v)
            if all(_is0(d[ix]) for ix in outg):
                continue
            yield Candidate("idle-neuron", d, f"neuron {j + 1} of layer {l + 1}")


def _critical_rows(model: LocalModel, lam, pats):
    return [model.grad(i, pats[i]) for i in model.active if (_sgn(lam[i]) or 0) > 0]


def gen_seeds(model: LocalModel, lam, pats) -> Iterator[Candidate]:
    """Theorem 4.4's mechanism: move one parameter (shared ones first), compensate optimally."""
    n = len(model.free)
    Q = _qmatrix(model, lam, pats)
    A = _critical_rows(model, lam, pats)
    shared = set()
    for layer in model.net.layers:
        shared |= {p for p, c in _counts(layer).items() if c > 1}
    order = sorted(range(n), key=lambda a: (model.free[a] not in shared,
                                            not _is0(model.theta[a]), a))
    for a in order[:48]:
        others = [b for b in range(n) if b != a]
        m = len(A)
        # minimize (e_a + c)ᵀ Q (e_a + c) over c on the others, subject to A (e_a + c) = 0
        K = [[Q[r][s] for s in others] + [A[q][r] for q in range(m)] for r in others]
        K += [[A[q][s] for s in others] + [0] * m for q in range(m)]
        rhs = [-Q[r][a] for r in others] + [-A[q][a] for q in range(m)]
        sol = solve_exact(K, rhs) if K else None
        if sol is None:
            continue
        d = [sympy.Integer(0)] * n
        d[a] = sympy.Integer(1)
        for b, v in zip(others, sol[:len(others)]):
            d[b] = sympy.radsimp(v)
        q = _dot(d, [_dot(Q[r], d) for r in range(n)])
        if (_sgn(q) or 0) < 0:
            tag = "shared " if model.free[a] in shared else ""
            yield Candidate("symmetry-breaking", d, f"seed {tag}parameter {model.free[a]}")


def gen_eigen(model: LocalModel, lam, pats) -> Iterator[Candidate]:
    """Negative curvature of the Lagrangian on the critical subspace (floats -> exact)."""
    n = len(model.free)
    if n > 80:
        return
    Q = _qmatrix(model, lam, pats)
    A = _critical_rows(model, lam, pats)
    N = nullspace_exact(A, n)
    if not N:
        return
    Nf = np.array([[_f(v) for v in col] for col in N]).T  # n x r
    Qf = np.array([[_f(v) for v in r] for r in Q])
    R = Nf.T @ Qf @ Nf
    R = (R + R.T) / 2
    try:
        w, V = np.linalg.eigh(R)
    except np.linalg.LinAlgError:
        return
    for val, vec in sorted(zip(w, V.T), key=lambda t: t[0]):
        if val >= -1e-12:
            break
        vec = vec / np.max(np.abs(vec))
        for den in (8, 64, 1024):
            c = [_rat(v, den) for v in vec]
            d = [sympy.radsimp(sum(c[j] * N[j][r] for j in range(len(N)))) for r in range(n)]
            q = _dot(d, [_dot(Q[r], d) for r in range(n)])
            if (_sgn(q) or 0) < 0:
                yield Candidate("second-order", d, f"eigenvalue {val:.3g}")
                break


def gen_first_order(model: LocalModel, budget: Budget, max_combos: int = 256
                    ) -> Iterator[Candidate]:
    """Directional derivatives on adjacent pieces: an LP per choice of the pieces entered."""
    from scipy.optimize import linprog

    net = model.net
    n = len(model.free)
    zeros = []
    for i in model.active:
        for l, lay in enumerate(model.signs[i]):
            for j, s in enumerate(lay):
                if s == 0:
                    zeros.append((i, l, j))
    if net.activation == "linear":
        zeros = []
    if len(zeros) > 12:
        return
    combos = list(itertools.product((1, 0), repeat=len(zeros)))
    random.Random(1).shuffle(combos)
    th = np.array([_f(v) for v in model.theta])
    for bits in combos[:max_combos]:
        if budget.over():
            return
        pats = {}
        for i in model.active:
            pat = [list(r) for r in model.base_pattern(i, 0)]
            for (ii, l, j), b in zip(zeros, bits):
                if ii == i:
                    pat[l][j] = b
            pats[i] = tuple(tuple(r) for r in pat)
        A_ub, b_ub = [], []
        for i in model.active:
            g = np.array([_f(v) for v in model.grad(i, pats[i])])
            A_ub.append(-g)
            b_ub.append(0.0)
        for (i, l, j), b in zip(zeros, bits):
            zg = _preact_grad(model, i, pats[i], l, j)
            zf = np.array([_f(v) for v in zg])
            A_ub.append(-zf if b else zf)
            b_ub.append(-1e-3)
        try:
            res = linprog(th, A_ub=np.array(A_ub), b_ub=np.array(b_ub),
                          bounds=[(-1, 1)] * n, method="highs")
        except ValueError:
            continue
        if res.status != 0 or res.fun > -1e-9:
            continue
        vec = res.x / np.max(np.abs(res.x))
        for den in (16, 1024):
            yield Candidate("first-order", [_rat(v, den) for v in vec],
                            f"pieces {list(bits)}")


def _preact_grad(model: LocalModel, i: int, pattern, l: int, j: int):
    key = ("z", i, pattern, l, j)
    if key not in model._grad:
        _, pre = model.net.forward(model.syms, model.inst.X[i], pattern)
        z = pre[l][j]
        model._grad[key] = [sympy.expand(sympy.diff(z, model.syms[p]).xreplace(model.at))
                            for p in model.free]
    return model._grad[key]


# ================================================================ ε0: floats, then kernel


def _float_curve(model: LocalModel, info, k: int):
    fn = FloatNet(model.inst)
    base = np.array([_f(model.inst.point[p]) for p in fn.params])
    d1 = np.zeros(len(fn.params))
    d2 = np.zeros(len(fn.params))
    for p, v1, v2 in zip(model.free, info["d1"], info["d2"]):
        d1[fn.index[p]] = _f(v1)
        d2[fn.index[p]] = _f(v2)
    free_ix = [fn.index[p] for p in model.free]

    def at(eps: float):
        s = eps if k == 1 else math.sqrt(eps)
        return base + s * d1 + s * s * d2

    return fn, at, free_ix, base


def estimate_eps0(model: LocalModel, info, k: int) -> list[sympy.Rational]:
    """Ladder values (largest first) on which a float scan finds no violation."""
    fn, at, free_ix, base = _float_curve(model, info, k)
    n0 = float(np.sum(base[free_ix] ** 2))
    out = []
    for eps0 in LADDER:
        e0 = float(eps0)
        ref = fn.patterns(at(e0 / 2), 1e-300)
        ok = True
        for r in np.concatenate([np.geomspace(1.0, 1e-7, 90), np.linspace(1, 0.5, 12)]):
            th = at(e0 * r)
            if np.any(fn.margins(th) < 1 - 1e-12):
                ok = False
                break
            if float(np.sum(th[free_ix] ** 2)) >= n0:
                ok = False
                break
            pat = fn.patterns(th, 1e-12)
            if any(p != 0 and q != 0 and p != q for A, B in zip(pat, ref) for a, b in zip(A, B)
                   for p, q in zip(a, b)):
                ok = False
                break
        if ok:
            out.append(eps0)
            if len(out) >= 3:
                break
        elif out:
            break
    return out


def check_curve(inst: Instance, curve: Mapping[str, sympy.Expr], k: int,
                ladder: Iterable[sympy.Rational], budget: Budget | None = None,
                strategy: str | None = None, note: str = "") -> Found:
    """Ask the kernel about the curve for each ε0 of ``ladder`` until one is verified."""
    last: Verdict | None = None
    cert = None
    tried = 0
    undecided: str | None = None
    for eps0 in ladder:
        if budget is not None and budget.over() and tried:
            break
        tried += 1
        try:
            cert = curve_certificate(inst, curve, eps0, k, "not-local")
        except UndecidedError as exc:
            # the curve may leave the real domain or cross a kink for larger epsilon:
            # step down the ladder
            undecided = f"pattern along the curve undecided at eps0 = {eps0}: {exc}"
            continue
        v = check_certificate(cert, source="not-local")
        if v.ok:
            return Found(cert, v, f"{strategy or 'curve'}{': ' + note if note else ''}",
                         strategy)
        last = v
    if last is None:
        return Found(None, None, undecided or "no eps0 could be proven", strategy)
    reason = last.reasons[0] if last.reasons else "no eps0 could be proven"
    return Found(cert, last, reason, strategy)


# ================================================================ public searches


def _lam(model: LocalModel, kkt) -> list[sympy.Expr] | None:
    if kkt.certificate is None:
        return None
    return list(kkt.multipliers)


def search_not_local(inst: Instance, seconds: float = 120.0, max_candidates: int = 40) -> Found:
    """A kernel-verified ``not-local`` certificate for ``inst.point``, or why none was found."""
    budget = Budget(seconds)
    log: list[str] = []
    try:
        model = LocalModel(inst)
    except UndecidedError as exc:
        return Found(None, None, f"signs at the point undecided: {exc}")
    if any((_sgn(m - 1) or 0) < 0 for m in model.margins):
        return Found(None, None, "the point is infeasible")
    kkt = _find_kkt(inst)
    lam = _lam(model, kkt)
    gens: list[Iterator[Candidate]] = []
    if lam is None:
        nk = prove_not_kkt(inst)
        if nk.ok and "farkas" in (nk.certificate or {}):
            z = nk.certificate["farkas"]
            d = [_sympify_text(z.get(p, "0")) for p in model.free]
            gens.append(iter([Candidate("first-order", d, "exact Farkas vector")]))
        gens.append(gen_first_order(model, budget))
        log.append("no KKT multipliers found: first-order search only")
    else:
        gens.append(gen_idle_neurons(model, lam))
        pats_list = _pattern_resolutions(model, kkt)
        for pats in pats_list:
            gens.append(gen_seeds(model, lam, pats))
        for pats in pats_list:
            gens.append(gen_eigen(model, lam, pats))
        if inst.network.activation == "relu":
            gens.append(gen_first_order(model, budget))
    seen: set = set()
    count = 0
    last_reason = "no candidate direction decreases the norm"
    exhausted = False
    for cand in itertools.chain(*(_safe(g, log) for g in gens)):
        if budget.over() or count >= max_candidates:
            log.append(BUDGET_EXHAUSTED)
            exhausted = True
            break
        key = tuple(sympy.srepr(v) for v in cand.d1)
        if key in seen:
            continue
        seen.add(key)
        count += 1
        try:
            built = build_curve(model, cand.d1)
        except (UndecidedError, ValueError, ArithmeticError, sympy.PolynomialError):
            built = None
        if built is None:
            log.append(f"{cand.strategy} ({cand.note}): no decrease")
            continue
        curve, k, info = built
        try:
            with np.errstate(all="ignore"):
                ladder = estimate_eps0(model, info, k)
        except (ValueError, ArithmeticError):
            ladder = []
        if not ladder:
            log.append(f"{cand.strategy} ({cand.note}): no eps0 passes the float scan")
            continue
        found = check_curve(inst, curve, k, ladder, budget, cand.strategy, cand.note)
        log.append(f"{cand.strategy} ({cand.note}): kernel "
                   f"{found.verdict.status if found.verdict else 'n/a'}")
        if found.ok:
            found.log = log
            return found
        last_reason = f"{cand.strategy}: {found.reason}"
    return Found(None, None, f"no curve found ({count} candidate direction(s) tried; last: "
                             f"{last_reason})", None, log, exhausted)


def _safe(gen: Iterator[Candidate], log: list[str]) -> Iterator[Candidate]:
    """Candidates of one generator; a float or exact-arithmetic failure ends it quietly."""
    try:
        yield from gen
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, UndecidedError,
            sympy.PolynomialError) as exc:
        log.append(f"a generator stopped: {type(exc).__name__}: {str(exc)[:80]}")


def _pattern_resolutions(model: LocalModel, kkt) -> list[list]:
    """Patterns at θ̃ for the second-order model: zero inputs active, inactive, as in KKT."""
    n = len(model.inst.X)
    out = [[model.base_pattern(i, 1) for i in range(n)]]
    off = [model.base_pattern(i, 0) for i in range(n)]
    if off != out[0]:
        out.append(off)
    subs = (kkt.certificate or {}).get("subgradients")
    if subs:
        pats = []
        for i in range(n):
            if subs[i]:
                pats.append(tuple(tuple(r) for r in subs[i][0]["pattern"]))
            else:
                pats.append(out[0][i])
        if pats not in out:
            out.append(pats)
    return out


def _sympify_text(v) -> sympy.Expr:
    from .kernel.grammar import parse_number

    return parse_number(v)


def point_on_curve(cert: dict) -> dict[str, sympy.Expr] | None:
    """A point of a verified curve at a square rational ``ε <= ε0`` (exact)."""
    from .kernel.grammar import parse_exact, parse_number

    eps0 = parse_number(cert["eps0"])
    j = 0
    while sympy.Rational(1, 4 ** j) > eps0:
        j += 1
    eps = sympy.Rational(1, 4 ** j)
    return {p: sympy.radsimp(parse_exact(v, {"epsilon": EPSILON}).xreplace({EPSILON: eps}))
            for p, v in cert["curve"]["point"].items()}


# ---------------------------------------------------------------- not-kkt


def prove_not_kkt(inst: Instance) -> Found:
    """A kernel-verified ``not-kkt`` certificate: infeasible, or an exact Farkas vector."""
    cert = inst.base_json()
    cert["kind"] = "not-kkt"
    try:
        model = LocalModel(inst)
    except UndecidedError as exc:
        return Found(None, None, f"signs at the point undecided: {exc}")
    if any((_sgn(m - 1) or 0) < 0 for m in model.margins):
        v = check_certificate(cert, source="not-kkt")
        return Found(cert, v, "infeasible point", "infeasible")
    net = inst.network
    dead = _notkkt.dead_neurons(net, inst.point) if net.activation == "relu" else set()
    cols = []
    affine: list[tuple[int, tuple, list]] = []   # (sample, base pattern, zero inputs)
    for i in model.active:
        base = model.base_pattern(i, 0)
        zs = [(l, j) for l, lay in enumerate(model.signs[i]) for j, s in enumerate(lay)
              if s == 0 and (l, j) not in dead]
        if net.activation == "linear":
            pats = [net.all_active()]
        elif len(zs) <= _notkkt.MAX_ZERO_INPUTS:
            pats = [_switch(base, [z for z, b in zip(zs, bits) if b])
                    for bits in itertools.product((0, 1), repeat=len(zs))]
        elif net.depth == 2:
            # affine in the bits: the kernel checks the base, the single flips and the
            # minimizing pattern; the last is added below as a cutting plane
            pats = [base] + [_switch(base, [z]) for z in zs]
            affine.append((i, base, zs))
        else:
            return Found(None, None, f"sample {i + 1} has {len(zs)} zero hidden inputs whose "
                                     f"bit matters")
        for pat in pats:
            cols.append(model.grad(i, pat))
    theta = model.theta
    z = _farkas(cols, theta)
    for _ in range(4 * len(affine)):
        if z is None:
            break
        cut = []
        for i, base, zs in affine:
            f0 = _dot(z, model.grad(i, base))
            low = [zj for zj in zs if (_sgn(_dot(z, model.grad(i, _switch(base, [zj]))) - f0)
                                       or 0) < 0]
            worst = _switch(base, low)
            if (_sgn(_dot(z, model.grad(i, worst))) or 0) < 0:
                cut.append(model.grad(i, worst))
        if not cut:
            break
        cols += cut
        z = _farkas(cols, theta)
    if z is None:
        return Found(None, None, "no Farkas vector found: the point may be a KKT point")
    cert["farkas"] = {p: text(v) for p, v in zip(model.free, z) if v != 0}
    v = check_certificate(cert, source="not-kkt")
    return Found(cert, v, "Farkas vector", "farkas")


def _switch(pattern, on) -> tuple:
    """``pattern`` with the neurons ``on`` (layer, index) switched on."""
    pat = [list(r) for r in pattern]
    for l, j in on:
        pat[l][j] = 1
    return tuple(tuple(r) for r in pat)


def _farkas(cols: list[list[sympy.Expr]], b: list[sympy.Expr]) -> list[sympy.Expr] | None:
    """z with <z, b> < 0 and <z, c> >= 0 for every column c (exact), if one is found."""
    n = len(b)

    def good(z):
        if (_sgn(_dot(z, b)) or 0) >= 0:
            return False
        return all((_sgn(_dot(z, c)) if _sgn(_dot(z, c)) is not None else -1) >= 0
                   for c in cols)

    if not cols:
        z = [-v for v in b]
        return z if good(z) else None
    from scipy.optimize import linprog, nnls

    C = np.array([[_f(v) for v in c] for c in cols]).T  # n x m
    bf = np.array([_f(v) for v in b])
    # 1. projection onto the cone: the residual of the exact least squares on the NNLS face
    try:
        mu, _ = nnls(C, bf)
        face = [j for j, v in enumerate(mu) if v > 1e-10]
    except Exception:
        face = []
    A = [cols[j] for j in face]
    if A:
        proj = least_norm(A, [_dot(c, b) for c in A])
        if proj is not None:
            z = [sympy.radsimp(p - t) for p, t in zip(proj, b)]
            if good(z):
                return z
    elif good([-v for v in b]):
        return [-v for v in b]
    # 2. a float LP, rounded, then made exactly orthogonal to the tight columns
    res = linprog(bf, A_ub=-C.T, b_ub=np.zeros(C.shape[1]), bounds=[(-1, 1)] * n,
                  method="highs")
    if res.status != 0 or res.fun > -1e-9:
        return None
    zf = res.x
    tight = [cols[j] for j in range(len(cols)) if abs(float(C[:, j] @ zf)) < 1e-7]
    for den in (64, 4096, 10 ** 6):
        z = [_rat(v, den) for v in zf]
        if tight:
            p = least_norm(tight, [_dot(c, z) for c in tight])
            if p is not None:
                # remove the tight columns' span component: z <- z - proj
                z = [sympy.radsimp(a - q) for a, q in zip(z, p)]
        if good(z):
            return z
    return None


# ---------------------------------------------------------------- kkt


def _find_kkt(inst: Instance):
    """``find_kkt``, with a failure to write its numbers turned into a failed search."""
    try:
        return find_kkt(inst)
    except (InvalidArgument, UndecidedError) as exc:
        from .kkt import KKTSearch

        return KKTSearch(None, f"the KKT search failed: {exc}")


def kkt_certificate(inst: Instance) -> Found:
    res = _find_kkt(inst)
    if res.certificate is None:
        return Found(None, None, res.reason)
    v = check_certificate(res.certificate, source="kkt")
    return Found(res.certificate, v, "multipliers found by search", "search")


def kkt_with_multipliers(inst: Instance, lam: Sequence[sympy.Expr]) -> Found:
    """The ``kkt`` certificate with the user's multipliers (convex weights searched)."""
    cert = inst.base_json()
    cert.update({"kind": "kkt", "multipliers": [text(v) for v in lam]})
    net = inst.network
    if net.activation == "linear":
        return Found(cert, check_certificate(cert, source="kkt"), "given multipliers", "given")
    model = LocalModel(inst)
    subs: list[list[dict]] = [[] for _ in inst.X]
    samples = [i for i in range(len(inst.X)) if not _is0(lam[i])]
    # a placeholder (one adjacent piece, weight 1) lets the kernel refute feasibility, signs
    # and complementary slackness, which do not depend on the pieces
    rng = random.Random(0)
    try:
        for i in samples:
            src = Sample(inst, i)
            found = src.witness(src.target(np.zeros(len(src.loud))), {}, rng)
            if found is not None:
                pat, wit = found
                subs[i] = [{"weight": "1", "pattern": [list(r) for r in pat],
                            "witness": {p: text(v) for p, v in wit.items()}}]
    except UndecidedError as exc:
        return Found(None, None, str(exc))
    # stationarity with λ fixed: Σ μ_iq y_i g_iq = θ and Σ_q μ_iq = λ_i, μ >= 0, over pieces
    # generated on demand
    found, _ = stationary_pieces(inst, samples, list(lam))
    mu = None
    if found is not None:
        cols, mu = found
        subs = [[] for _ in inst.X]
        for c, m in zip(cols, mu):
            if _is0(m):
                continue
            subs[c.sample].append({"weight": text(sympy.radsimp(m / lam[c.sample])),
                                   "pattern": [list(r) for r in c.pattern],
                                   "witness": {p: text(v) for p, v in c.witness.items()}})
    cert["subgradients"] = subs
    v = check_certificate(cert, source="kkt")
    if mu is None and not v.ok:
        # only a refutation that does not depend on the pieces is a refutation of the claim
        pre = _kkt_precheck(model, lam)
        if pre is None:
            return Found(None, v, "no convex combination of the adjacent pieces' gradients "
                                  "satisfies stationarity with these multipliers (search); "
                                  "not proven impossible")
    return Found(cert, v, "given multipliers", "given")


def _kkt_precheck(model: LocalModel, lam) -> str | None:
    """A violated piece-independent KKT condition (feasibility, sign, slackness), if any."""
    for i, m in enumerate(model.margins):
        if (_sgn(m - 1) or 0) < 0:
            return "infeasible"
        if (_sgn(lam[i]) or 0) < 0:
            return "negative multiplier"
        if (_sgn(lam[i]) or 0) > 0 and (_sgn(m - 1) or 0) > 0:
            return "complementary slackness"
    return None


# ---------------------------------------------------------------- better points


def better_point_certificate(inst: Instance, better: Mapping[str, sympy.Expr]) -> dict:
    cert = inst.base_json()
    cert["kind"] = "better-point"
    cert["better_point"] = {p: text(sympy.radsimp(better.get(p, inst.point[p])))
                            for p in inst.network.params}
    return cert


def search_better_point(inst: Instance, seconds: float = 60.0,
                        curve_cert: dict | None = None, starts: int = 48) -> Found:
    """A kernel-verified ``better-point`` certificate (the point is not a global optimum)."""
    budget = Budget(seconds)
    log: list[str] = []
    if curve_cert is not None:
        pt = point_on_curve(curve_cert)
        if pt is not None:
            cert = better_point_certificate(inst, pt)
            v = check_certificate(cert, source="not-global")
            log.append(f"point on the not-local curve: {v.status}")
            if v.ok:
                return Found(cert, v, "a point on the proven not-local curve", "curve", log)
    fn = FloatNet(inst)
    free_ix = [fn.index[p] for p in inst.free]
    base = np.array([_f(inst.point[p]) for p in fn.params])
    n0 = float(np.sum(base[free_ix] ** 2))
    best: list[tuple[float, np.ndarray]] = []
    exhausted = False
    for th in _starts(inst, fn, base, free_ix, starts):
        if budget.over():
            log.append(BUDGET_EXHAUSTED)
            exhausted = True
            break
        res = _slsqp(fn, th, free_ix, base)
        if res is None:
            continue
        val = float(np.sum(res[free_ix] ** 2))
        if val < n0 * (1 - 1e-9):
            best.append((val, res))
    best.sort(key=lambda t: t[0])
    tried = 0
    for val, th in best:
        if budget.over() and tried:
            break
        tried += 1
        pt = _repair(inst, fn, th, free_ix)
        if pt is None:
            continue
        cert = better_point_certificate(inst, pt)
        v = check_certificate(cert, source="not-global")
        log.append(f"optimizer point with |theta|^2 ~ {val:.6g}: {v.status}")
        if v.ok:
            return Found(cert, v, f"float optimizer (|theta|^2 ~ {val:.6g}), rounded and "
                                  f"rescaled exactly", "optimizer", log)
        if tried >= 6:
            break
    return Found(None, None, f"no strictly better feasible point found ({len(best)} float "
                             f"candidate(s))", None, log, exhausted)


def _starts(inst: Instance, fn: FloatNet, base, free_ix, count: int):
    rng = np.random.default_rng(0)
    net = inst.network
    yield base.copy()
    for scale in (0.05, 0.2, 0.5):
        for _ in range(2):
            th = base.copy()
            th[free_ix] += scale * (1 + np.abs(base[free_ix])) * rng.standard_normal(len(free_ix))
            yield th
    if net.depth == 2 and inst.layer is None:
        hidden = len(net.layers[0])
        n = len(inst.X)
        assigns = list(itertools.product(range(n + 1), repeat=hidden)) \
            if (n + 1) ** hidden <= count else \
            [tuple(rng.integers(0, n + 1, hidden)) for _ in range(count)]
        for assign in assigns[:count]:
            th = np.zeros(len(fn.params))
            for j, i in enumerate(assign):
                row = net.layers[0][j]
                if i == n:
                    continue
                x = fn.X[i]
                for c, name in enumerate(row):
                    if name is not None:
                        th[fn.index[name]] += x[c]
                out = net.layers[1][0][j]
                if out is not None:
                    th[fn.index[out]] += fn.Y[i]
            th += 0.01 * rng.standard_normal(len(th))
            yield th
    for _ in range(count // 4):
        th = base.copy()
        th[free_ix] = rng.standard_normal(len(free_ix))
        yield th


def _slsqp(fn: FloatNet, th0: np.ndarray, free_ix, base) -> np.ndarray | None:
    from scipy.optimize import minimize

    full = base.copy()

    def unpack(u):
        th = full.copy()
        th[free_ix] = u
        return th

    def cons(u):
        return fn.margins(unpack(u)) - 1

    def cons_jac(u):
        th = unpack(u)
        return np.array([fn.margin_grad(th, i)[1][free_ix] for i in range(len(fn.X))])

    u0 = th0[free_ix]
    m = fn.margins(unpack(u0))
    if np.min(m) > 0 and len(free_ix) == len(base):
        u0 = u0 * (1 / np.min(m)) ** (1 / fn.net.depth)
    try:
        with np.errstate(all="ignore"):
            res = minimize(lambda u: 0.5 * float(u @ u), u0, jac=lambda u: u, method="SLSQP",
                           constraints=[{"type": "ineq", "fun": cons, "jac": cons_jac}],
                           options={"maxiter": 300, "ftol": 1e-12})
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(res.x)):
        return None
    th = unpack(res.x)
    if np.min(fn.margins(th)) < 1 - 1e-6:
        return None
    return th


def _repair(inst: Instance, fn: FloatNet, th: np.ndarray, free_ix) -> dict | None:
    """Round to rationals, then scale the free parameters up until exactly feasible."""
    pt = dict(inst.point)
    for p in inst.free:
        pt[p] = _rat(float(th[fn.index[p]]), 10 ** 6)
    try:
        margins = [sympy.expand(y * inst.network.output(pt, x)) for x, y in zip(inst.X, inst.Y)]
        m0 = min(margins, key=_f)
        if (_sgn(m0) or 0) <= 0:
            return None
        degree = inst.network.depth if inst.layer is None else 1
        c = _rat(_f(m0) ** (-1.0 / degree) * (1 + 1e-9), 10 ** 9)
        for _ in range(5):
            if all((_sgn(c ** degree * m - 1) or -1) >= 0 for m in margins):
                break
            c = c * (1 + sympy.Rational(1, 10 ** 6))
        else:
            return None
    except UndecidedError:
        return None
    for p in inst.free:
        pt[p] = pt[p] * c
    return pt
