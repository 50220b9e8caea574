"""Gradient flow far past float64: the rescaled flow in high precision.

Gradient flow ``dθ/dt = −∇L(θ)`` with the exponential or logistic loss drives ``L → 0`` and
``‖θ‖ → ∞``, but only like ``‖θ(t)‖^m ~ log t``; float64 underflows near ``L ≈ e^-745`` long
before the direction has converged. We integrate the *same trajectory* in rescaled times.

Time variables
--------------
* ``s`` with ``ds = L dt``: ``dθ/ds = −∇L/L = Σ_i c_i y_i ∇Φ_i(θ)``, a softmax-weighted sum
  (``c_i = −ℓ'(q_i)/L``, ``q_i = y_i Φ(θ; x_i)``; for the exponential loss ``c = softmax(−q)``),
  computed with log-sum-exp, so nothing underflows.
* ``τ`` with ``dτ = ‖θ‖^(m−2) ds`` (``τ = s`` for depth 2). In ``τ``, ``log ‖θ‖`` grows at a
  bounded rate (about ``m`` times the normalized margin) for every depth; in ``s`` a depth
  ``m >= 3`` network reaches ``‖θ‖ = ∞`` at a finite ``s``.

Coordinates
-----------
The state is ``(u, ρ)`` with ``θ = e^ρ u``, ``‖u‖ = 1``: the direction and the log-norm,

    du/dτ = G − (u·G) u,    dρ/dτ = u·G,    G = Σ_i c_i y_i ∇Φ_i(u),  q_i = e^(mρ) y_i Φ_i(u)

(``Φ`` is m-homogeneous). ``u`` converges and ``ρ`` grows linearly, so the solution is smooth
and steps grow as the direction converges; ``u`` is renormalized after every step (an exact
change of variables: ``ρ`` absorbs ``log ‖u‖``).

Integrator
----------
The system is *stiff* as soon as two or more samples are support vectors (Theorem 3.2):
margin differences relax at rate ``~‖θ‖^m`` per unit of ``τ``, so any explicit Runge–Kutta
pair (Dormand–Prince, Bogacki–Shampine) is stability-limited to raising ``−log L`` by O(1)
per step, i.e. ~10^24 steps to reach ``‖θ‖ = 10^12`` (real-time integrators hit the same
wall). We use the extrapolated linearly implicit Euler method (Deuflhard's EULSIM,
Hairer–Wanner's SEULEX family): substeps ``(I − hJ) Δ = h f``, harmonic step sequence
1, 2, …, k, Aitken–Neville extrapolation to order k, the difference of the last two entries
of the last tableau row as the embedded error estimate (an embedded pair of orders k and
k−1), and SEULEX-style order and step-size selection (k = 3…12, work per unit step).

``J`` is the exact Jacobian, assembled as ``K0 + e^(mρ) U Vᵀ``: the low-rank stiff part
(``−Σ c_i d_i d_iᵀ``, ``d_i = g_i − G``, lifted through the projection, and ``∂G/∂ρ``)
analytically, the Hessian of ``Φ`` exactly from the frozen activation pattern (``Φ`` is
linear in each layer's parameters, so a unit difference of gradients is exact). The stiff
part grows like ``e^(mρ)`` *along* a step (by e^3 or more on long steps), and a Jacobian
frozen at the step's start then under-damps and diverges; every substep therefore uses the
stiff part at its own ``ρ``, through a rank-``(n+1)`` Woodbury update of the column's LU
factorization. Entries reach ``e^(mρ)``, so the linear algebra runs with ``log2 ‖hJ‖ + 16``
extra bits. Everything that depends on margin *differences* is computed from
``e^(mρ)(yΦ_i − yΦ_j)``, never from ``q_i − q_j``; see :class:`_Flow`.

Error control is relative to the *change* over the step: ``‖err_u‖ <= atol + rtol ‖Δu‖``
and ``|err_ρ| <= atol + rtol |Δρ|``. A part of ``u`` that decays like ``1/‖θ‖`` (an idle
neuron) so keeps about ``rtol`` relative accuracy per unit of ``log ‖θ‖`` (componentwise
relative control would instead chase the stiff, super-exponentially decaying components),
and the reported direction error is accurate to about ``30 rtol`` relative (3·10^-7 at the
default ``rtol = 10^-8``; measured against ``rtol = 10^-12`` on Theorem 3.2). A third
criterion keeps the error of every margin difference ``e^(mρ)(g_i − G)·δu`` at the end of
the step below 1/4: beyond O(1) the softmax saturates and no linearly implicit step brings
the stiff part back. ``atol`` (default ``10^(−dps+6)``) sits above rounding.

Precision limit: margin differences are resolved to ``10^-dps e^(mρ) = 10^-dps ‖θ‖^m``, so
runs with two or more support vectors need ``dps`` comfortably above ``m log10 ‖θ‖``
(30 digits reach ``‖θ‖ = 10^13`` at depth 2); single-sample runs have no such limit.

Along the run
-------------
``‖θ‖``, ``log L``, real time ``log t`` (``t = ∫ e^φ dτ``, ``φ = −(m−2)ρ − log L``, summed
per step in log space from a cubic Hermite model of ``φ``; about 10^-3 absolute while
``log t`` is O(10), negligible relative error later), the normalized margin
``min_i y_i Φ_i / ‖θ‖^m``, the smoothed margin ``ℓ^{-1}(L)/‖θ‖^m`` (Lyu–Li's
``γ̃``), the direction error ``‖θ/‖θ‖ − θ̃/‖θ̃‖‖`` when a target is given, steps and
right-side evaluations.

``margin_nondecreasing`` checks the normalized margin between consecutive accepted steps
once ``L < 1`` (``log L < 0``), allowing a relative drop of ``margin_slack`` (default
``100 (rtol + 10^(−dps+6))``) for integration and rounding error. ``None`` if ``L < 1`` was
never reached.

Precision: every number lives in a private ``mpmath.MPContext`` (gmpy2 backend when
installed); the global ``mpmath.mp`` is never touched.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import mpmath
import sympy
from mpmath.libmp import (fzero, mpf_abs, mpf_add, mpf_cmp, mpf_div, mpf_mul, mpf_sub,
                          mpf_sum)

from ..errors import InputError
from ..kernel.net import NetSpec

__all__ = ["LOSSES", "GFSample", "GFResult", "run_gf", "MIN_DPS"]

LOSSES = ("exp", "logistic")
MIN_DPS = 15
_K_MIN, _K_START, _K_MAX = 3, 6, 12   # extrapolation columns (= order of the solution)
_SEQ = tuple(range(1, _K_MAX + 2))     # harmonic step-number sequence 1, 2, 3, ...
# work to reach column j: right sides (n_i − 1 new + 1 per solve, LU ≈ 2) plus a Jacobian
_WORK = {j: 8 + sum(2 * n + 1 for n in _SEQ[:j]) for j in range(1, _K_MAX + 2)}
_QUAD_PIECES = 16      # pieces of the per-step log-space quadrature for t
_LN2 = math.log(2)
_LAND = 1e-10          # the last step aims at log ‖θ‖ = log(target_norm) + _LAND
_QTOL = 0.25           # tolerated error of a margin difference q_i − q_j per step


# ------------------------------------------------------------------------ results


@dataclass(frozen=True)
class GFSample:
    """One accepted step of a run (floats; good for plots and progress bars)."""

    step: int
    rhs_evals: int
    tau: float
    log_norm: float              # natural log of ‖θ‖
    log_loss: float              # natural log of L (may be −1e24)
    log_time: float | None       # natural log of the real time t (None at t = 0)
    normalized_margin: float     # min_i y_i Φ_i / ‖θ‖^m
    smoothed_margin: float | None
    direction_error: float | None
    direction: tuple[float, ...]  # θ/‖θ‖, in the order of NetSpec.params

    @property
    def norm(self) -> float:
        return _exp_float(self.log_norm)

    def theta(self) -> tuple[float, ...]:
        r = self.norm
        return tuple(r * v for v in self.direction)

    def to_json(self) -> dict:
        return {"step": self.step, "rhs_evals": self.rhs_evals, "tau": self.tau,
                "log_norm": self.log_norm, "norm": _json_float(self.norm),
                "log_loss": self.log_loss, "log_time": self.log_time,
                "normalized_margin": self.normalized_margin,
                "smoothed_margin": self.smoothed_margin,
                "direction_error": self.direction_error,
                "direction": list(self.direction)}


@dataclass(frozen=True)
class GFResult:
    """The outcome of :func:`run_gf`. ``to_json()`` gives plain JSON types.

    Numbers that can exceed float range or need all digits are also given as decimal
    strings (``*_text``) at the run's precision.
    """

    loss: str
    dps: int
    sigma_prime_zero: float
    params: tuple[str, ...]
    depth: int
    norm: float
    log_norm: float
    log_loss: float
    log_time: float | None
    normalized_margin: float
    smoothed_margin: float | None
    direction_error: float | None
    margin_nondecreasing: bool | None
    margin_worst_drop: float
    margin_slack: float
    steps: int
    rejected: int
    rhs_evals: int
    jacobians: int
    seconds: float
    cpu_seconds: float
    stop_reason: str
    rtol: float
    atol: float
    direction_text: tuple[str, ...]
    direction_error_text: str | None
    log_loss_text: str
    trajectory: tuple[GFSample, ...] = field(repr=False)

    def to_json(self, trajectory: bool = True) -> dict:
        out: dict[str, Any] = {
            "loss": self.loss, "dps": self.dps, "sigma_prime_zero": self.sigma_prime_zero,
            "direction_error": self.direction_error,
            "direction_error_text": self.direction_error_text,
            "norm": _json_float(self.norm), "log_norm": self.log_norm,
            "log_loss": self.log_loss, "log_loss_text": self.log_loss_text,
            "log_time": self.log_time,
            "normalized_margin": self.normalized_margin,
            "smoothed_margin": self.smoothed_margin,
            "margin_nondecreasing": self.margin_nondecreasing,
            "margin_worst_drop": self.margin_worst_drop, "margin_slack": self.margin_slack,
            "steps": self.steps, "rejected": self.rejected, "rhs_evals": self.rhs_evals,
            "jacobians": self.jacobians, "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "stop_reason": self.stop_reason, "rtol": self.rtol, "atol": self.atol,
            "method": "extrapolated linearly implicit Euler (orders %d-%d)" % (_K_MIN, _K_MAX),
            "params": list(self.params),
            "direction": dict(zip(self.params, self.direction_text)),
        }
        if trajectory:
            out["trajectory"] = [s.to_json() for s in self.trajectory]
        return out


def _exp_float(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _json_float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return str(x)


# ------------------------------------------------------------------------ the network


class _CompiledNet:
    """A NetSpec compiled to index lists: per layer, per row, (input index, param index)."""

    def __init__(self, net: NetSpec) -> None:
        index = {p: i for i, p in enumerate(net.params)}
        self.P = len(net.params)
        self.depth = net.depth
        self.relu = net.activation == "relu"
        self.layers = [[tuple((j, index[name]) for j, name in enumerate(row) if name is not None)
                        for row in layer] for layer in net.layers]

    def grad(self, theta, x, zero, spz, pattern=None):
        """``(Φ, ∇Φ, pattern)`` at ``theta`` for one input ``x``.

        ``pattern[l][j]`` is σ' of neuron j of hidden layer l (1, 0, or ``spz`` at an exact
        0). Given a pattern, the network is evaluated *linearized* on it (``h = σ'·z``): the
        smooth piece, used for exact Hessians.
        """
        hs = [x]
        pats = []
        h = x
        last = len(self.layers) - 1
        for l, layer in enumerate(self.layers):
            z = []
            for row in layer:
                acc = zero
                for j, p in row:
                    acc += theta[p] * h[j]
                z.append(acc)
            if l == last:
                phi = z[0]
                break
            if not self.relu:
                d = None
                h = z
            elif pattern is not None:
                d = pattern[l]
                h = [zi * di for zi, di in zip(z, d)]
            else:
                d = tuple(1 if zi > 0 else (spz if zi == 0 else 0) for zi in z)
                h = [zi if zi > 0 else zero for zi in z]
            pats.append(d)
            hs.append(h)
        g = [zero] * self.P
        delta = [1]
        for l in range(last, -1, -1):
            h = hs[l]
            nxt = [zero] * len(h) if l > 0 else None
            for r, row in enumerate(self.layers[l]):
                dr = delta[r]
                if dr == 0:
                    continue
                for j, p in row:
                    g[p] += dr * h[j]
                    if nxt is not None:
                        nxt[j] += dr * theta[p]
            if l > 0:
                d = pats[l - 1]
                delta = nxt if d is None else [v * dj for v, dj in zip(nxt, d)]
        return phi, g, tuple(pats)


# ------------------------------------------------------------------------ linear algebra


# Dense LU on raw mpmath numbers (``mpf._mpf_`` tuples): products are exact, each dot
# product is rounded once to ``prec`` (``mpf_sum``); about 2x faster than mpf objects.


def _raw_dot(xs, ys, prec):
    if not xs:
        return fzero
    return mpf_sum([mpf_mul(a, b) for a, b in zip(xs, ys)], prec, "n")


def _lu_raw(M, prec):
    """LU with partial pivoting (Doolittle, dot-product form) of a square list of rows of
    raw numbers, in place; returns (LU, perm). Raises ZeroDivisionError if singular."""
    n = len(M)
    perm = list(range(n))
    for k in range(n):
        colk = [M[p][k] for p in range(k)]
        if k:
            for i in range(k, n):
                row = M[i]
                row[k] = mpf_sub(row[k], _raw_dot(row[:k], colk, prec), prec, "n")
        piv = k
        best = mpf_abs(M[k][k])
        for i in range(k + 1, n):
            v = mpf_abs(M[i][k])
            if mpf_cmp(v, best) > 0:
                piv, best = i, v
        if best == fzero:
            raise ZeroDivisionError("singular matrix")
        if piv != k:
            M[k], M[piv] = M[piv], M[k]
            perm[k], perm[piv] = perm[piv], perm[k]
        rowk = M[k]
        if k:
            lk = rowk[:k]
            for j in range(k + 1, n):
                rowk[j] = mpf_sub(rowk[j], _raw_dot(lk, [M[p][j] for p in range(k)], prec),
                                  prec, "n")
        pk = rowk[k]
        for i in range(k + 1, n):
            M[i][k] = mpf_div(M[i][k], pk, prec, "n")
    return M, perm


def _solve_raw(LU, perm, b, prec):
    n = len(LU)
    y = [b[perm[i]] for i in range(n)]
    for i in range(1, n):
        y[i] = mpf_sub(y[i], _raw_dot(LU[i][:i], y[:i], prec), prec, "n")
    for i in range(n - 1, -1, -1):
        row = LU[i]
        acc = y[i] if i == n - 1 else mpf_sub(y[i], _raw_dot(row[i + 1:], y[i + 1:], prec),
                                              prec, "n")
        y[i] = mpf_div(acc, row[i], prec, "n")
    return y


def _lu(ctx, M):
    """LU with partial pivoting of mpf rows at ``ctx.prec`` (raw inside)."""
    return _lu_raw([[v._mpf_ for v in row] for row in M], ctx.prec)


def _lu_solve(ctx, LU, perm, b):
    """Solve with a factorization from :func:`_lu`; mpf in, mpf out."""
    mk = ctx.make_mpf
    return [mk(v) for v in _solve_raw(LU, perm, [ctx.convert(v)._mpf_ for v in b], ctx.prec)]


# ------------------------------------------------------------------------ the vector field


class _Eval:
    """Everything computed at one state ``(u, ρ)``."""

    __slots__ = ("f", "G", "s", "c", "q", "qmin", "yphi", "g", "pats", "logL", "E", "S1",
                 "sig", "dphi", "margin", "smoothed")


class _Flow:
    """The vector field of ``(u, ρ)`` and its exact Jacobian.

    Precision notes. ``q_i = e^(mρ) y_i Φ_i(u)`` is huge (10^26 at ‖θ‖ = 10^13 for depth 2);
    everything that only depends on *differences* of margins is computed from
    ``e^(mρ)(yΦ_i − yΦ_j)`` (never ``q_i − q_j``), the softmax weights are shifted by
    ``q_min`` and normalized, ``S − 1 = Σc_i − 1`` (0 for exp) comes from a series, and the
    stiff part of the Jacobian uses the covariance form ``−Σ c_i (g_i − G)(g_i − G)ᵀ``. A
    naive ``G Gᵀ − Σ c_i g_i g_iᵀ`` or ``Σ c_j q_j − q_i`` turns a 10^-30 rounding of
    ``Σ c_i`` into O(10^-4) garbage in ``J`` and cripples the step size.
    """

    def __init__(self, ctx, net: NetSpec, X, Y, loss: str, spz) -> None:
        self.ctx = ctx
        self.net = _CompiledNet(net)
        self.m = net.depth
        self.P = self.net.P
        self.X = X
        self.Y = Y
        self.loss = loss
        self.spz = spz
        self.zero = ctx.zero
        self.one = ctx.one
        self.evals = 0
        self.jacs = 0
        self.series_z = ctx.mpf(10) ** -3
        self.eps = ctx.mpf(2) ** (-ctx.prec - 8)

    def tiny_exp(self, x):
        """``exp(x)`` for ``x <= 0``, or exactly 0 when it is below ``2^-(prec+64)``: such a
        term cannot change a sum that has a term 1 at this precision, and mpmath's exp of a
        huge negative argument (|x| ~ 1e30 late in a run) can overflow GMP and abort the
        process (not an exception)."""
        ctx = self.ctx
        if x < -(ctx.prec + 64) * ctx.ln2:
            return self.zero
        return ctx.exp(x)

    def logsumexp(self, vals):
        ctx = self.ctx
        mx = max(vals)
        return mx + ctx.log(ctx.fsum(self.tiny_exp(v - mx) for v in vals))

    # -- logistic-loss helpers, z = e^{−q}
    def _ratio_minus_one(self, z):
        """σ(−q)/ℓ(q) − 1 = (z/(1+z) − log1p z)/log1p z, without cancellation."""
        ctx = self.ctx
        if z == 0:
            return self.zero
        l1 = ctx.log1p(z)
        if z < self.series_z:
            # Σ_{k>=2} (−1)^(k+1) (k−1)/k z^k, until the terms drop below the precision
            zk = z * z
            floor = zk * self.eps
            terms = []
            k = 2
            while zk > floor:
                t = zk * (k - 1) / k
                terms.append(-t if k % 2 == 0 else t)
                zk *= z
                k += 1
            num = ctx.fsum(terms)
        else:
            num = z / (1 + z) - l1
        return num / l1

    def _weights(self, yphi, E):
        """Softmax-type weights: (c, logL, S − 1, σ(−q_i), q, q_min)."""
        ctx = self.ctx
        ymin = min(yphi)
        qmin = E * ymin
        qd = [E * (v - ymin) for v in yphi]           # >= 0, exact differences
        q = [qmin + d for d in qd]
        n = len(yphi)
        if self.loss == "exp":
            lse = self.logsumexp([-d for d in qd])
            c = [self.tiny_exp(-d - lse) for d in qd]
            tot = ctx.fsum(c)
            c = [v / tot for v in c]
            return c, -qmin + lse, self.zero, [self.zero] * n, q, qmin
        if qmin > 0:
            # z = e^{−q} only matters through z, z·q and z·e^(mρ); below 2^-(prec+40) of
            # those it is dropped, which also skips exp of huge arguments
            cut = (ctx.prec + 40 + max(ctx.mag(E), 0)) * _LN2
            z = [ctx.exp(-qi) if qi < cut + max(ctx.mag(qi), 0) * _LN2 else self.zero
                 for qi in q]
            a = [-d - ctx.log1p(zi) for d, zi in zip(qd, z)]
            b = [-d + (ctx.log(ctx.log1p(zi) / zi) if zi != 0 else self.zero)
                 for d, zi in zip(qd, z)]
            lse = self.logsumexp(b)
            c = [self.tiny_exp(v - lse) for v in a]
            w = [self.tiny_exp(v - lse) for v in b]
            S1 = ctx.fsum(wj * self._ratio_minus_one(zj) for wj, zj in zip(w, z))
            sig = [zi / (1 + zi) for zi in z]
            return c, -qmin + lse, S1, sig, q, qmin
        # some margin <= 0: nothing is huge on the small side, direct formulas
        la, lb, sig = [], [], []
        for qi in q:
            if qi > 0:
                e = ctx.exp(-qi)
                la.append(-(qi + ctx.log1p(e)))
                lb.append(ctx.log(ctx.log1p(e)))
                sig.append(e / (1 + e))
            else:
                e = ctx.exp(qi)
                la.append(-ctx.log1p(e))
                lb.append(ctx.log(-qi + ctx.log1p(e)))
                sig.append(1 / (1 + e))
        lse = self.logsumexp(lb)
        c = [self.tiny_exp(v - lse) for v in la]
        return c, lse, ctx.fsum(c) - 1, sig, q, qmin

    def evaluate(self, y, full: bool = True) -> _Eval:
        """The right side at ``y``; ``full`` adds the diagnostics (φ', margins)."""
        ctx = self.ctx
        P, m = self.P, self.m
        u = y[:P]
        rho = y[P]
        self.evals += 1
        E = ctx.exp(m * rho)
        ev = _Eval()
        yphi, gs, pats = [], [], []
        for x, yi in zip(self.X, self.Y):
            phi, g, pat = self.net.grad(u, x, self.zero, self.spz)
            if yi < 0:
                phi = -phi
                g = [-v for v in g]
            yphi.append(phi)
            gs.append(g)
            pats.append(pat)
        c, logL, S1, sig, q, qmin = self._weights(yphi, E)
        G = [ctx.fsum(ci * g[k] for ci, g in zip(c, gs)) for k in range(P)]
        s = ctx.fsum(uk * Gk for uk, Gk in zip(u, G))
        f = [Gk - s * uk for Gk, uk in zip(G, u)]
        f.append(s)
        ev.f, ev.G, ev.s, ev.c, ev.q, ev.qmin, ev.yphi, ev.g, ev.pats = \
            f, G, s, c, q, qmin, yphi, gs, pats
        ev.logL, ev.E, ev.S1, ev.sig = logL, E, S1, sig
        if not full:
            return ev
        # φ = −(m−2)ρ − log L (d t/dτ = e^φ) and dφ/dτ = −(m−2)ρ' + e^(mρ) G·u' + mρ' Σc_i q_i
        Gu = ctx.fsum(Gk * fk for Gk, fk in zip(G, f[:P]))
        cq = ctx.fsum(ci * qi for ci, qi in zip(c, q))
        ev.dphi = -(m - 2) * s + E * Gu + m * s * cq
        nu2 = ctx.fsum(v * v for v in u)
        ev.margin = min(yphi) / nu2 ** (ctx.mpf(m) / 2)
        ev.smoothed = self._smoothed_margin(logL, E, nu2)
        return ev

    def _smoothed_margin(self, logL, E, nu2):
        """ℓ^{-1}(L)/‖θ‖^m (Lyu–Li): −log L for exp, −log(e^L − 1) for logistic."""
        ctx = self.ctx
        if self.loss == "exp":
            num = -logL
        else:
            if logL > 4:
                return None
            L = ctx.exp(logL)
            num = -ctx.log(ctx.expm1(L))
        return num / (E * nu2 ** (ctx.mpf(self.m) / 2))

    def jacobian(self, y, ev: _Eval):
        """The exact Jacobian of (u', ρ') at y as ``(K0, U, V)``: ``J = K0 + e^(mρ) Σ_t U_t V_tᵀ``.

        The low-rank part is the stiff one (``−Σ c_i d_i d_iᵀ``, ``d_i = g_i − G``, and
        ``∂G/∂ρ``), lifted by ``W x = (x − u(u·x), u·x)``; it scales exactly like e^(mρ),
        so along a step the integrator rescales it by a Woodbury update. The logistic
        loss's extra terms (``(S−1) G Gᵀ + Σ c_i σ(−q_i) g_i g_iᵀ``, of size e^(mρ−q)) stay in
        ``K0``.
        """
        ctx = self.ctx
        P, m = self.P, self.m
        u = y[:P]
        self.jacs += 1
        zero = self.zero
        E, c, gs, G, s, S1, sig = ev.E, ev.c, ev.g, ev.G, ev.s, ev.S1, ev.sig
        n = len(c)
        # Hessian part Σ c_i y_i H_i: exact unit differences on the frozen pattern.
        JGu = [[zero] * P for _ in range(P)]
        for x, yi, ci, g, pat in zip(self.X, self.Y, c, gs, ev.pats):
            w = ci if yi > 0 else -ci
            for b in range(P):
                ub = list(u)
                ub[b] += 1
                _, gb, _ = self.net.grad(ub, x, zero, self.spz, pattern=pat)
                # H e_b = ∇Φ(u + e_b) − ∇Φ(u); g already carries the sign y_i
                for a in range(P):
                    JGu[a][b] += w * gb[a] - ci * g[a]
        # small logistic terms, kept exact in K0
        for a in range(P):
            for b in range(P):
                acc = S1 * G[a] * G[b]
                for i in range(n):
                    if sig[i]:
                        acc += c[i] * sig[i] * gs[i][a] * gs[i][b]
                if acc:
                    JGu[a][b] += E * acc
        # stiff vectors d_i = g_i − G = Σ_j c_j (g_i − g_j) − (S−1) g_i
        D = []
        for i in range(n):
            gi = gs[i]
            D.append([ctx.fsum(c[j] * (gi[k] - gs[j][k]) for j in range(n) if j != i)
                      - S1 * gi[k] for k in range(P)])
        # ∂G/∂ρ / e^(mρ) = m Σ_i c_i g_i (Σ_j c_j (yΦ_j − yΦ_i) + (S−1 + σ(−q_i)) yΦ_i)
        yphi = ev.yphi
        coef = [ctx.fsum(c[j] * (yphi[j] - yphi[i]) for j in range(n) if j != i)
                + (S1 + sig[i]) * yphi[i] for i in range(n)]
        RT = [m * ctx.fsum(c[i] * gs[i][a] * coef[i] for i in range(n)) for a in range(P)]

        def lift(x):
            ux = ctx.fsum(a * b for a, b in zip(u, x))
            return [a - b * ux for a, b in zip(x, u)] + [ux]

        U = [lift([-c[i] * v for v in D[i]]) for i in range(n)] + [lift(RT)]
        V = [D[i] + [zero] for i in range(n)] + [[zero] * P + [self.one]]
        # K0 = the rest: Hessian and small terms in G', then the projection
        ds_du = [G[b] + ctx.fsum(u[a] * JGu[a][b] for a in range(P)) for b in range(P)]
        K0 = []
        for a in range(P):
            row = [JGu[a][b] - u[a] * ds_du[b] for b in range(P)]
            row[a] -= s
            row.append(zero)
            K0.append(row)
        K0.append(ds_du + [zero])
        return K0, U, V

    def full_jacobian(self, y, ev: _Eval, scale=1):
        """Dense ``K0 + scale·e^(mρ) U Vᵀ`` (tests and small systems)."""
        K0, U, V = self.jacobian(y, ev)
        Es = ev.E * scale
        return [[K0[a][b] + Es * self.ctx.fsum(Ut[a] * Vt[b] for Ut, Vt in zip(U, V))
                 for b in range(self.P + 1)] for a in range(self.P + 1)]


# ------------------------------------------------------------------------ helpers


def _to_mpf(ctx, v, what: str):
    if isinstance(v, bool):
        raise InputError(f"{what}: {v!r} is not a number")
    if isinstance(v, int):
        return ctx.mpf(v)
    if isinstance(v, Fraction):
        return ctx.mpf(v.numerator) / v.denominator
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InputError(f"{what}: {v!r} is not finite")
        return ctx.mpf(v)
    if isinstance(v, sympy.Basic):
        if v.free_symbols:
            raise InputError(f"{what}: {v} is not a number")
        if v.is_Integer:
            return ctx.mpf(int(v))
        if v.is_Rational:
            return ctx.mpf(int(v.p)) / int(v.q)
        val = sympy.N(v, ctx.dps + 15)
        if not val.is_real or not val.is_Float:
            raise InputError(f"{what}: {v} is not a real number")
        return ctx.mpf(val._mpf_)
    if isinstance(v, mpmath.mpf) or type(v).__name__ == "mpf":
        return ctx.mpf(v)
    raise InputError(f"{what}: {v!r} must be an int, a Fraction, a float or a sympy number")


def _vector(ctx, net: NetSpec, values: Mapping[str, Any], what: str):
    if not isinstance(values, Mapping):
        raise InputError(f"{what} must be a dict parameter name -> number")
    missing = [p for p in net.params if p not in values]
    if missing:
        raise InputError(f"{what} is missing parameter(s) {', '.join(missing)}")
    unknown = [k for k in values if k not in net.params]
    if unknown:
        raise InputError(f"{what} has unknown parameter(s) {', '.join(map(str, unknown))} "
                         f"(the network has {', '.join(net.params)})")
    return [_to_mpf(ctx, values[p], f"{what}[{p}]") for p in net.params]


def _lexprel(ctx, d):
    """log((e^d − 1)/d), stable for every real d."""
    if d == 0:
        return ctx.zero
    if d > 0:
        return d + ctx.log(ctx.expm1(-d) / (-d))
    return ctx.log(ctx.expm1(d) / d)


def _log_step_time(ctx, H, phi0, phi1, dphi0, dphi1):
    """log ∫_0^H e^{φ(τ)} dτ with φ the cubic Hermite interpolant (piecewise-exponential)."""
    n = _QUAD_PIECES
    d0, d1 = dphi0 * H, dphi1 * H
    vals = []
    for k in range(n + 1):
        x = ctx.mpf(k) / n
        h00 = (1 + 2 * x) * (1 - x) ** 2
        h10 = x * (1 - x) ** 2
        h01 = x * x * (3 - 2 * x)
        h11 = x * x * (x - 1)
        vals.append(h00 * phi0 + h10 * d0 + h01 * phi1 + h11 * d1)
    logdx = ctx.log(H / n)
    logs = [logdx + vals[k] + _lexprel(ctx, vals[k + 1] - vals[k]) for k in range(n)]
    mx = max(logs)
    cut = -(ctx.prec + 64) * ctx.ln2      # see _Flow.tiny_exp: no exp of huge negatives
    return mx + ctx.log(ctx.fsum(ctx.exp(v - mx) for v in logs if v - mx >= cut))


def _logaddexp(ctx, a, b):
    if a is None:
        return b
    if a < b:
        a, b = b, a
    return a + ctx.log1p(ctx.exp(b - a))


def _nstr(ctx, x, n):
    return ctx.nstr(x, n, min_fixed=-3, max_fixed=3) if ctx.isfinite(x) else str(x)


# ------------------------------------------------------------------------ the driver


def run_gf(network: NetSpec, X: Sequence[Sequence[Any]], Y: Sequence[int],
           init: Mapping[str, Any], target: Mapping[str, Any] | None = None, *,
           loss: str = "exp", dps: int = 30, target_norm: float = 1e12,
           target_direction_error: float | None = None, sigma_prime_zero: Any = 0,
           max_steps: int = 2000, max_seconds: float | None = None,
           rtol: float | None = None, atol: float | None = None,
           callback: Callable[[GFSample], Any] | None = None,
           max_cpu_seconds: float | None = None) -> GFResult:
    """Integrate gradient flow from ``init`` until ``‖θ‖ >= target_norm``.

    Parameters
    ----------
    network, X, Y
        The network (a :class:`~symkkt.kernel.net.NetSpec`) and the data (exact or float
        numbers, labels ±1).
    init, target
        Dicts parameter name -> number (sympy, int, Fraction, float). ``target`` (optional)
        is the point θ̃ whose direction the flow should reach; without it no direction
        error is reported.
    loss
        ``"exp"`` (``ℓ(q) = e^{−q}``) or ``"logistic"`` (``ℓ(q) = log(1 + e^{−q})``).
    dps
        Decimal digits of the private mpmath context (at least 15).
    target_norm
        Stop once ``‖θ‖`` reaches it; the last step is shortened so the final norm is the
        target up to a relative 10^-8 (never below it).
    target_direction_error
        Also stop once the direction error is at most this (needs ``target``).
    sigma_prime_zero
        ReLU's σ'(0) used where a pre-activation is exactly 0.
    max_steps, max_seconds, max_cpu_seconds
        Caps on attempted (accepted + rejected) steps, on wall time and on this process's
        CPU time (the same on a busy machine: searches that must give the same answer at
        any load budget CPU time; stop reason ``max_seconds`` for either). A step costs
        O(k²) right sides and O(k P³) arithmetic for P parameters; ReLU kinks crossed
        along the way cost rejected steps.
    rtol, atol
        Error tolerances (see the module notes: relative to the change of ``u`` and of
        ``ρ`` over a step); defaults ``10^-min(8, dps−8)`` and ``10^-(dps−6)``. The
        direction error is then accurate to about ``30 rtol`` relative.
    callback
        Called with a :class:`GFSample` after every accepted step; a true return value
        stops the run (``stop_reason = "callback"``).

    Raises :class:`~symkkt.errors.InputError` for an unknown loss, ``dps < 15``, an init
    missing a parameter (or with an unknown one), ``target_norm <= 0``, or ``θ(0) = 0``.
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    if loss not in LOSSES:
        raise InputError(f"loss={loss!r} must be one of {', '.join(LOSSES)}")
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < MIN_DPS:
        raise InputError(f"dps={dps!r} must be an integer >= {MIN_DPS}")
    try:
        target_norm = float(target_norm)
    except (TypeError, ValueError):
        raise InputError(f"target_norm={target_norm!r} must be a positive number") from None
    if not target_norm > 0 or math.isnan(target_norm):
        raise InputError(f"target_norm={target_norm!r} must be positive")
    if target_direction_error is not None and not target_direction_error >= 0:
        raise InputError(f"target_direction_error={target_direction_error!r} must be >= 0")
    if not isinstance(max_steps, int) or max_steps < 1:
        raise InputError(f"max_steps={max_steps!r} must be a positive integer")
    if not isinstance(network, NetSpec):
        raise InputError("network must be a NetSpec (symkkt.network.Network)")
    if len(X) != len(Y) or not X:
        raise InputError(f"{len(X)} inputs but {len(Y)} labels")
    if any(y not in (1, -1) for y in Y):
        raise InputError(f"labels {list(Y)} must be 1 or -1")

    ctx = mpmath.MPContext()
    ctx.dps = dps
    P = len(network.params)
    Xm = []
    for i, x in enumerate(X):
        if len(x) != network.input_dim:
            raise InputError(f"input {i + 1} has dimension {len(x)}, the network takes "
                             f"{network.input_dim}")
        Xm.append([_to_mpf(ctx, v, f"X[{i}]") for v in x])
    theta0 = _vector(ctx, network, init, "init")
    spz = _to_mpf(ctx, sigma_prime_zero, "sigma_prime_zero")
    r0 = ctx.sqrt(ctx.fsum(v * v for v in theta0))
    if r0 == 0:
        raise InputError("init is θ = 0, where the direction is undefined")
    tgt = None
    if target is not None:
        tv = _vector(ctx, network, target, "target")
        tn = ctx.sqrt(ctx.fsum(v * v for v in tv))
        if tn == 0:
            raise InputError("target is θ = 0, which has no direction")
        tgt = [v / tn for v in tv]
    rtol_m = ctx.mpf(10) ** (-min(8, dps - 8)) if rtol is None else ctx.mpf(rtol)
    atol_m = ctx.mpf(10) ** (-(dps - 6)) if atol is None else ctx.mpf(atol)
    margin_slack = 100 * (rtol_m + ctx.mpf(10) ** (-(dps - 6)))
    qnoise = ctx.mpf(10) ** (-(dps - 4))   # rounding floor of a margin difference / e^(mρ)

    flow = _Flow(ctx, network, Xm, [int(v) for v in Y], loss, spz)
    m = flow.m
    y = [v / r0 for v in theta0] + [ctx.log(r0)]
    rho_target = ctx.log(ctx.mpf(target_norm))

    def direction_error(u):
        if tgt is None:
            return None
        return ctx.sqrt(ctx.fsum((a - b) ** 2 for a, b in zip(u, tgt)))

    def phi_of(ev, rho):
        return -(m - 2) * rho - ev.logL

    ev = flow.evaluate(y)
    tau = ctx.zero
    log_t = None
    steps = rejected = accepted = 0
    samples: list[GFSample] = []
    prev_margin = None
    worst_drop = ctx.zero
    monotone: bool | None = None

    def sample(ev, y, derr) -> GFSample:
        return GFSample(step=accepted, rhs_evals=flow.evals, tau=float(tau),
                        log_norm=float(y[P]), log_loss=float(ev.logL),
                        log_time=None if log_t is None else float(log_t),
                        normalized_margin=float(ev.margin),
                        smoothed_margin=None if ev.smoothed is None else float(ev.smoothed),
                        direction_error=None if derr is None else float(derr),
                        direction=tuple(float(v) for v in y[:P]))

    derr = direction_error(y[:P])
    samples.append(sample(ev, y, derr))
    if ev.logL < 0:
        prev_margin = ev.margin
        monotone = True
    stop_reason = None
    if y[P] >= rho_target:
        stop_reason = "target_norm"
    elif target_direction_error is not None and derr is not None and \
            derr <= target_direction_error:
        stop_reason = "target_direction_error"
    # initial step: a small change of ρ or u
    fn = max(abs(v) for v in ev.f)
    H = ctx.mpf("0.01") / max(fn, ctx.mpf("1e-3"))
    k = _K_START
    jac = None

    def error_norm(cand, low, H, ev):
        """Error of ``low`` against ``cand`` relative to the change over the step."""
        du = ctx.sqrt(ctx.fsum((a - b) ** 2 for a, b in zip(cand[:P], low[:P])))
        move_u = ctx.sqrt(ctx.fsum((a - b) ** 2 for a, b in zip(cand[:P], y[:P])))
        drho = abs(cand[P] - low[P])
        move_r = abs(cand[P] - y[P])
        out = max(du / (atol_m + rtol_m * move_u), drho / (atol_m + rtol_m * move_r))
        if len(ev.g) > 1:
            # margin differences e^(mρ)(g_i − G)·δu must stay O(1): beyond, the softmax
            # saturates and a linearly implicit step cannot bring the stiff part back
            diff = [a - b for a, b in zip(cand[:P], low[:P])]
            Eend = ev.E * ctx.exp(m * max(cand[P] - y[P], 0))
            dq = max(abs(ctx.fsum((gk - Gk) * dk for gk, Gk, dk in zip(g, ev.G, diff)))
                     for g in ev.g) * Eend
            out = max(out, dq / (_QTOL + Eend * qnoise))
        return out

    while stop_reason is None:
        if steps >= max_steps:
            stop_reason = "max_steps"
            break
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            stop_reason = "max_seconds"
            break
        if max_cpu_seconds is not None and time.process_time() - cpu_start > max_cpu_seconds:
            stop_reason = "max_seconds"
            break
        # shorten the step to land on the target norm (predicted with ρ' = s)
        landing = False
        if ev.s > 0:
            Hland = (rho_target + _LAND - y[P]) / ev.s
            if Hland <= H:
                H = Hland
                landing = True
        steps += 1
        if jac is None:
            jac = flow.jacobian(y, ev)
        # The stiff part of J scales exactly like e^(mρ), which grows along the step: each
        # substep uses it at the substep's ρ (a frozen J under-damps, then diverges), by a
        # Woodbury update of the column's factorization (rank r = samples + 1).
        K0, U, V = jac
        r = len(U)
        Vr = [[v._mpf_ for v in Vt] for Vt in V]
        UV = [[ctx.fdot([Ut[a] for Ut in U], [Vt[b] for Vt in V]) for b in range(P + 1)]
              for a in range(P + 1)]
        jmax = max([abs(v) for row in K0 for v in row] + [abs(v) * ev.E for row in UV for v in row])
        tab: list[list[list]] = []
        errs: dict[int, Any] = {}
        failed = False
        for j in range(k):
            n = _SEQ[j]
            h = H / n
            extra = max(0, int(ctx.log(jmax * abs(h) * ctx.exp(m * abs(ev.s) * H) + 1, 2))) + 16
            yy = list(y)
            f = ev.f
            try:
                with ctx.extraprec(extra):
                    prec = ctx.prec
                    hE = h * ev.E
                    M = [[((1 if a == b else 0) - h * K0[a][b] - hE * UV[a][b])._mpf_
                          for b in range(P + 1)] for a in range(P + 1)]
                    LU, perm = _lu_raw(M, prec)
                    if n > 1:
                        Zr = [_solve_raw(LU, perm, [(hE * v)._mpf_ for v in Ut], prec)
                              for Ut in U]
                        VZ = [[_raw_dot(Vt, Zs, prec) for Zs in Zr] for Vt in Vr]
                        Zrows = [[Zs[kk] for Zs in Zr] for kk in range(P + 1)]
                    hr = h._mpf_
                for i in range(n):
                    if i > 0:
                        f = flow.evaluate(yy, full=False).f
                    with ctx.extraprec(extra):
                        prec = ctx.prec
                        d = _solve_raw(LU, perm, [mpf_mul(hr, v._mpf_, prec, "n") for v in f],
                                       prec)
                        gm1 = ctx.expm1(m * (yy[P] - y[P])) if i > 0 else 0
                        if gm1:
                            # (M − (γ−1) hE U Vᵀ) x = b:  x = d + Z (I/(γ−1) − VᵀZ)^{-1} Vᵀ d
                            inv = (1 / gm1)._mpf_
                            Sm = [[mpf_sub(inv if a == b else fzero, VZ[a][b], prec, "n")
                                   for b in range(r)] for a in range(r)]
                            sl, sp = _lu_raw(Sm, prec)
                            w = _solve_raw(sl, sp, [_raw_dot(Vt, d, prec) for Vt in Vr], prec)
                            d = [mpf_add(dk, _raw_dot(Zrows[kk], w, prec), prec, "n")
                                 for kk, dk in enumerate(d)]
                    yy = [a + ctx.make_mpf(b) for a, b in zip(yy, d)]
            except ZeroDivisionError:
                failed = True
                break
            if not all(ctx.isfinite(v) for v in yy):
                failed = True
                break
            # Aitken–Neville: row j of the extrapolation tableau
            row = [yy]
            for l in range(1, j + 1):
                ratio = ctx.mpf(_SEQ[j]) / _SEQ[j - l] - 1
                row.append([a + (a - b) / ratio for a, b in zip(row[l - 1], tab[j - 1][l - 1])])
            tab.append(row)
            if j >= 1:
                errs[j + 1] = error_norm(row[j], row[j - 1], H, ev)
        if failed:
            H = H / 4
            rejected += 1
            continue
        # order and step-size selection (work per unit step, as in SEULEX)
        hopt = {}
        for j, e in errs.items():
            fac = ctx.mpf("0.94") * (ctx.mpf("0.65") / max(e, ctx.mpf(10) ** -40)) ** (ctx.one / j)
            hopt[j] = H * min(max(fac, ctx.mpf("0.1")), ctx.mpf(8))
        work = {j: _WORK[j] / hopt[j] for j in hopt}
        err = errs[k]
        if err > 1:
            rejected += 1
            kk = min((j for j in (k - 1, k) if j in work), key=lambda j: work[j])
            H = hopt[kk]
            k = max(kk, _K_MIN)
            continue
        ynew = tab[k - 1][k - 1]
        # accept: renormalize u (θ = e^ρ u unchanged)
        nu = ctx.sqrt(ctx.fsum(v * v for v in ynew[:P]))
        ynew = [v / nu for v in ynew[:P]] + [ynew[P] + ctx.log(nu)]
        if landing and ynew[P] > rho_target + 100 * _LAND and ev.s > 0:
            # overshot the target norm: retry with a secant-shortened step
            H = H * (rho_target + _LAND - y[P]) / (ynew[P] - y[P])
            rejected += 1
            continue
        if k - 1 in work and work[k - 1] < ctx.mpf("0.8") * work[k] and k > _K_MIN:
            knew, Hnew = k - 1, hopt[k - 1]
        elif k - 1 in work and work[k] < ctx.mpf("0.9") * work[k - 1] and k < _K_MAX:
            knew, Hnew = k + 1, hopt[k] * _WORK[k + 1] / _WORK[k]
        else:
            knew, Hnew = k, hopt[k]
        ev_new = flow.evaluate(ynew)
        phi0, phi1 = phi_of(ev, y[P]), phi_of(ev_new, ynew[P])
        lt = _log_step_time(ctx, H, phi0, phi1, ev.dphi, ev_new.dphi)
        log_t = _logaddexp(ctx, log_t, lt)
        tau += H
        y, ev = ynew, ev_new
        jac = None
        accepted += 1
        k, H = knew, Hnew
        derr = direction_error(y[:P])
        if ev.logL < 0:
            if prev_margin is not None:
                drop = (prev_margin - ev.margin) / abs(prev_margin)
                if drop > worst_drop:
                    worst_drop = drop
                if drop > margin_slack:
                    monotone = False
            elif monotone is None:
                monotone = True
            prev_margin = ev.margin
        smp = sample(ev, y, derr)
        samples.append(smp)
        if callback is not None and callback(smp):
            stop_reason = "callback"
        elif y[P] >= rho_target:
            stop_reason = "target_norm"
        elif target_direction_error is not None and derr is not None and \
                derr <= target_direction_error:
            stop_reason = "target_direction_error"

    derr = direction_error(y[:P])
    return GFResult(
        loss=loss, dps=dps, sigma_prime_zero=float(spz), params=tuple(network.params),
        depth=m, norm=_exp_float(float(y[P])), log_norm=float(y[P]),
        log_loss=float(ev.logL), log_time=None if log_t is None else float(log_t),
        normalized_margin=float(ev.margin),
        smoothed_margin=None if ev.smoothed is None else float(ev.smoothed),
        direction_error=None if derr is None else float(derr),
        margin_nondecreasing=monotone, margin_worst_drop=float(worst_drop),
        margin_slack=float(margin_slack), steps=accepted, rejected=rejected,
        rhs_evals=flow.evals, jacobians=flow.jacs, seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu_start,
        stop_reason=stop_reason, rtol=float(rtol_m), atol=float(atol_m),
        direction_text=tuple(_nstr(ctx, v, dps) for v in y[:P]),
        direction_error_text=None if derr is None else _nstr(ctx, derr, dps),
        log_loss_text=_nstr(ctx, ev.logL, dps),
        trajectory=tuple(samples))
