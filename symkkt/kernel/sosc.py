"""The ``sosc`` bound of a ``local`` certificate: second-order sufficient conditions, piece by
piece where a hidden input is exactly 0 (any depth, sharing allowed).

Let ``A = {i : λ_i > 0}`` (every such constraint is active: complementary slackness) and, for
``i`` in ``A``, ``Z_i`` the hidden neurons whose input on ``x_i`` is exactly 0 at θ̃ (none for
a linear network). A *piece* ``P`` chooses a bit for every ``c`` in every ``Z_i``; the other
neurons keep the sign they have at θ̃. With ``Φ_P,i`` the piece polynomial and ``z_c^P`` the
pre-activation of ``c`` computed with ``P`` (polynomials in θ), the piece problem is the
smooth program

    NLP_P:   min ½‖θ‖²   s.t.  y_i Φ_P,i(θ) >= 1  (i in A),   s_c z_c^P(θ) >= 0  (c in Z_i),

``s_c = +1`` if ``P`` switches ``c`` on, ``-1`` if off. The checker requires, for *every*
piece, ``ν >= 0`` with ``θ̃ = Σ_i λ_i y_i ∇Φ_P,i(θ̃) + Σ_c ν_c s_c ∇z_c^P(θ̃)`` (stationarity:
the KKT multipliers λ are the certificate's, the same for every piece; the ``ν`` are solved
for exactly, free variables at 0) and the Lagrangian Hessian
``I - Σ λ_i y_i ∇²Φ_P,i - Σ ν_c s_c ∇²z_c^P`` positive definite on
``{d : y_i ∇Φ_P,i·d = 0 (i in A), ∇z_c^P·d = 0 (ν_c > 0)}`` (a superset of the critical
cone). Then θ̃ is a strict local minimum of every NLP_P (second-order sufficient conditions,
Nocedal-Wright Thm 12.6: no constraint qualification needed).

Why that makes θ̃ a local optimum of Problem 2. On a small neighbourhood U of θ̃ every
pre-activation non-zero at θ̃ keeps its sign, every constraint outside ``A`` stays strictly
satisfied (Φ is continuous) and those in ``A`` with λ_i = 0 may be dropped (a relaxation).
Give a feasible θ in U the piece ``P(θ)`` of its own signs (an input exactly 0 either way:
``relu(0) = 0 = b·0``). By induction over the layers the actual pre-activations at θ are the
``z^P(θ)``, so ``Φ(θ; x_i) = Φ_P,i(θ)`` and ``s_c z_c^P(θ) >= 0``: θ is feasible for
NLP_{P(θ)}. Finitely many pieces, each with θ̃ a strict local minimum, so ``‖θ‖² > ‖θ̃‖²``
for every feasible θ ≠ θ̃ near θ̃. Without zero inputs there is one piece and no ``ν``: the
classical conditions on the fixed pattern.

The pieces are enumerated (``Π_i 2^|Z_i|``, at most :data:`MAX_PIECES`; beyond, ``unknown``).
A piece without non-negative ``ν`` or with a reduced Hessian that is not positive definite
is ``unknown`` (the point may still be local, or not: e.g. at Theorem 4.2(2)'s kink ``ν``
would be negative, and the point is not local).

Not covered, and why. (1) Idle neurons (every incoming and outgoing weight 0): their bits
are pieces like any other, but the test is typically degenerate there. Switching an idle
neuron on for a sample served by one balanced path is a flat second-order direction (it
splits the path: at a KKT point balance makes the Hessian block singular, e.g.
``‖λ_i x_i‖ = 1`` in depth 2), so local optimality is decided at higher order, which this
bound does not look at; and their pieces are enumerated jointly, so a few idle neurons already
exceed :data:`MAX_PIECES`. (2) A sign constraint with ``ν_c = 0`` is left out of the
subspace, which is then larger than the critical cone (there ``∇z_c·d >= 0``): a direction
the piece's own wedge excludes can make the reduced Hessian singular, and the answer is
``unknown`` (copositivity on the cone would be needed).
"""

from __future__ import annotations

import itertools

import sympy

from .certificate import Invalid, Unknown, decide, norm2
from .net import NetSpec
from .optimum import ONE, ZERO, _clean, _nullspace, _numbers, _positive_definite, _t

__all__ = ["MAX_PIECES", "bound_sosc"]

MAX_PIECES = 256
"""At most this many pieces (``Π_i 2^|Z_i|`` over the samples with λ_i > 0) are checked."""


def _derivatives(expr: sympy.Expr, gens: list[sympy.Symbol], at: list[sympy.Expr]):
    """Gradient (list) and Hessian (dict (a, b) -> value, a <= b, non-zero entries) of a
    polynomial at a point, from its terms (no symbolic differentiation)."""
    n = len(gens)
    grad = [ZERO] * n
    hess: dict[tuple[int, int], sympy.Expr] = {}
    e = sympy.expand(expr)
    if not e.free_symbols:
        return grad, hess
    for mono, coeff in sympy.Poly(e, *gens).terms():
        idx = [a for a, k in enumerate(mono) if k]

        def value(skip: dict[int, int]) -> sympy.Expr:
            v = coeff
            for a in idx:
                k = mono[a] - skip.get(a, 0)
                if k:
                    v = v * at[a] ** k
            return v

        for a in idx:
            grad[a] += mono[a] * value({a: 1})
            for b in idx:
                if b < a:
                    continue
                if a == b:
                    if mono[a] >= 2:
                        h = mono[a] * (mono[a] - 1) * value({a: 2})
                    else:
                        continue
                else:
                    h = mono[a] * mono[b] * value({a: 1, b: 1})
                hess[(a, b)] = hess.get((a, b), ZERO) + h
    return [_clean(g) for g in grad], {k: _clean(v) for k, v in hess.items()}


def _nonneg_combination(cols: list[list[sympy.Expr]], r: list[sympy.Expr]):
    """``ν`` with ``Σ_c ν_c cols[c] = r`` (exact elimination, pivots decided exactly, free
    variables 0), or None when the system is inconsistent or that solution has a negative
    entry."""
    m, k = len(r), len(cols)
    M = [[_clean(cols[c][row]) for c in range(k)] + [_clean(r[row])] for row in range(m)]
    pivots: list[tuple[int, int]] = []
    row = 0
    for c in range(k):
        pr = next((i for i in range(row, m) if M[i][c] != 0 and decide(M[i][c]) != 0), None)
        if pr is None:
            continue
        M[row], M[pr] = M[pr], M[row]
        inv = 1 / M[row][c]
        M[row] = [_clean(v * inv) for v in M[row]]
        for i in range(m):
            if i != row and M[i][c] != 0:
                f = M[i][c]
                M[i] = [_clean(a - f * b) for a, b in zip(M[i], M[row])]
        pivots.append((row, c))
        row += 1
        if row == m:
            break
    for i in range(row, m):
        if M[i][k] != 0 and decide(M[i][k]) != 0:
            return None
    nu = [ZERO] * k
    for prow, c in pivots:
        nu[c] = M[prow][k]
    if any(decide(v) < 0 for v in nu):
        return None
    return nu


def bound_sosc(rd, b: dict, net: NetSpec, theta, X, Y):
    lam = _numbers(rd, b["multipliers"])
    params = list(net.params)
    n = len(params)
    gens = [sympy.Symbol(f"_q_{p}") for p in params]
    syms = dict(zip(params, gens))
    at = [theta[p] for p in params]
    used: list[int] = []
    for i, (x, y) in enumerate(zip(X, Y)):
        if decide(lam[i]) < 0:
            raise Invalid(f"multiplier {i + 1} is negative: {_t(lam[i])}")
        if decide(lam[i]) == 0:
            continue
        margin = sympy.expand(y * net.output(theta, x))
        if decide(margin - 1) != 0:
            raise Invalid(f"complementary slackness fails at sample {i + 1}: multiplier "
                          f"{_t(lam[i])} > 0 but y*Phi = {_t(margin)}")
        used.append(i)
    # per sample: the strict signs at θ̃ and the zero inputs
    base: dict[int, list[list[int]]] = {}
    zeros: dict[int, list[tuple[int, int]]] = {}
    for i in used:
        if net.activation == "linear":
            base[i], zeros[i] = [[1] * w for w in net.hidden_widths], []
            continue
        _, pre = net.forward(theta, X[i])
        signs = [[decide(z) for z in layer] for layer in pre]
        base[i] = [[1 if s > 0 else 0 for s in layer] for layer in signs]
        zeros[i] = [(l, j) for l, layer in enumerate(signs) for j, s in enumerate(layer)
                    if s == 0]
    count = 1
    for i in used:
        count *= 2 ** len(zeros[i])
    if count > MAX_PIECES:
        raise Unknown(f"{count} pieces around the point (hidden inputs exactly 0 on samples "
                      f"with a positive multiplier); more than {MAX_PIECES} is beyond this "
                      f"check")
    cache: dict = {}

    def local(i: int, bits: tuple[int, ...]):
        """y ∇Φ_P,i, y ∇²Φ_P,i and, per zero input c, (s_c ∇z_c, s_c ∇²z_c) at θ̃."""
        key = (i, bits)
        if key not in cache:
            pat = [list(r) for r in base[i]]
            for (l, j), bit in zip(zeros[i], bits):
                pat[l][j] = bit
            pattern = tuple(tuple(r) for r in pat)
            phi, pre = net.forward(syms, X[i], pattern if net.activation == "relu" else None)
            g, h = _derivatives(Y[i] * phi, gens, at)
            cons = []
            for (l, j), bit in zip(zeros[i], bits):
                cg, ch = _derivatives((1 if bit else -1) * pre[l][j], gens, at)
                cons.append((cg, ch))
            cache[key] = (g, h, cons)
        return cache[key]

    dims = []
    for k, choice in enumerate(itertools.product(
            *(list(itertools.product((0, 1), repeat=len(zeros[i]))) for i in used))):
        where = "" if count == 1 else f"piece {k + 1} of {count}: "
        parts = [local(i, bits) for i, bits in zip(used, choice)]
        r = [theta[p] for p in params]
        for i, (g, _, _) in zip(used, parts):
            r = [a - lam[i] * v for a, v in zip(r, g)]
        cons = [c for _, _, cs in parts for c in cs]
        if not cons:
            for p, v in zip(params, r):
                if decide(_clean(v)) != 0:
                    raise Invalid(f"stationarity fails for {p}: theta = {_t(theta[p])} but "
                                  f"sum lambda_i y_i grad_i = {_t(theta[p] - v)}")
            nu: list = []
        else:
            nu = _nonneg_combination([cg for cg, _ in cons], r)
            if nu is None:
                raise Unknown(f"{where}no non-negative multipliers of the zero inputs' sign "
                              f"constraints make the point stationary on this piece; local "
                              f"optimality undecided")
        H = [[ONE if a == c else ZERO for c in range(n)] for a in range(n)]

        def sub(hess, w):
            for (a, c), v in hess.items():
                H[a][c] -= w * v
                if a != c:
                    H[c][a] -= w * v

        J = []
        for i, (g, h, _) in zip(used, parts):
            J.append(g)
            sub(h, lam[i])
        for (cg, ch), v in zip(cons, nu):
            if decide(v) > 0:
                J.append(cg)
                sub(ch, v)
        Zb = _nullspace(J, n)
        dims.append(len(Zb))
        if not Zb:
            continue
        S = [[_clean(sum((Zb[a][p] * H[p][q] * Zb[c][q] for p in range(n) for q in range(n)
                          if Zb[a][p] != 0 and Zb[c][q] != 0), ZERO))
              for c in range(len(Zb))] for a in range(len(Zb))]
        ok, why = _positive_definite(S)
        if not ok:
            raise Unknown(f"{where}second-order sufficient condition not met ({why}); local "
                          f"optimality undecided")
    info = {"critical_dim": max(dims)}
    if count > 1:
        info["pieces"] = count
    return norm2(theta, net.params), info
