"""``margin-decreases``: for a non-homogeneous network the normalized margin may strictly
decrease along gradient flow (the question of Lyu and Li 2019, answered in the first version of
the paper's abstract).

The network is a *polynomial model*: ``Φ(θ; x)`` is a polynomial in the parameters θ (for
example a sum of paths of different depths, ``a b x + c x``, or a network with an output bias);
its coefficients may involve the inputs. ``L`` (the field ``degree``) is its top total degree in
θ; the **normalized margin** is

    γ(θ) = min_i y_i Φ(θ; x_i) / ‖θ‖^L,

the quantity Lyu and Li show is non-decreasing along gradient flow for an L-homogeneous network
once ``L(θ) < ℓ(0)`` (their smoothed margin, and the normalized margin in the limit). For a
non-homogeneous Φ we use the top degree, the exponent under which γ is scale-invariant to
leading order as ``‖θ‖ → ∞``.

Statement: gradient flow ``dθ/dt = -∇L(θ)`` from ``init`` (for each listed loss, exponential
``Σ e^{-q_i}`` or logistic ``Σ log(1 + e^{-q_i})``, ``q_i = y_i Φ(θ; x_i)``), started where
``L(θ(0)) < ℓ(0)``, has ``γ(θ(t))`` strictly decreasing on ``[0, T]``, with ``T > 0`` explicit.

Proof checked here, exactly or with validated interval arithmetic (mpmath ``iv``, outward
rounding; no tolerance):

1. ``Φ`` is a polynomial in θ of total degree ``L`` (so the flow is smooth: a unique C¹
   solution); ``L(θ(0)) < ℓ(0)`` (1 for exp, log 2 for logistic), decided exactly.
2. ``B`` is the box of half-width ``radius`` around θ(0). On ``B``: ``0 ∉ B``; the sample
   ``i*`` with the smallest margin at θ(0) keeps it (``q_j - q_{i*} > 0`` for ``j ≠ i*``) and
   ``q_{i*} > 0``; so ``γ = q_{i*} / N^{L/2}`` on ``B`` (``N = ‖θ‖²``), a smooth function.
3. ``dγ/dt = ∇γ · (-∇L) = N^{-L/2-1} H`` with
   ``H = Σ_i w_i (N ∇q_{i*}·∇q_i - L q_{i*} θ·∇q_i)`` and ``-∇L = Σ_i w_i ∇q_i``
   (``w_i = e^{-q_i}`` for exp, ``1/(1 + e^{q_i})`` for logistic). ``H < 0`` on ``B`` is proven
   by interval evaluation on sub-boxes (bisection, bounded).
4. ``‖∇L‖ <= M`` on ``B`` (interval upper bound, rounded up to a rational): a solution starting
   at θ(0) stays in the ball of radius ``M t`` around it, hence in ``B``, for ``t <= T = r/M``.

So ``dγ/dt < 0`` on ``[0, T]``: γ strictly decreases there. ``refuted`` only when ``H(θ(0)) > 0``
exactly (γ strictly *increases* at first, so no ``T > 0`` works); the certificate fails
(``unknown``) when the box proofs fail (a radius too large), the loss at init is not below
``ℓ(0)`` or the smallest margin is tied at θ(0).

Values: ``init_margins``, ``normalized_margin_at_init``, ``degree``, ``homogeneous`` (whether
every monomial has degree L; for a homogeneous Φ, Lyu and Li's theorem says γ does not
decrease), per loss ``derivative_at_init`` (the exact closed form of ``dγ/dt`` at ``t = 0``)
with a decimal enclosure ``derivative_at_init_enclosure`` (``exp`` is outside the grammar,
so this value is written by sympy, for reading), and ``interval`` ``[0, T]``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

import mpmath
import sympy

from .certificate import (Failed, Invalid, Reader, Refuted, Unknown, Verdict, decide,
                          failed_verdict, register_checker, txt)
from .exact import _context, _Domain
from .ieval import compiled

__all__ = ["MAX_BOXES", "LOSSES", "margin_quantities"]

LOSSES = ("exp", "logistic")
MAX_BOXES = 4096
"""At most this many sub-boxes are evaluated per inequality (the proof is bounded)."""
_PREC = 96
_ZERO = sympy.Integer(0)


def margin_quantities(phi: sympy.Expr, params: Sequence[sympy.Symbol],
                      inputs: Sequence[sympy.Symbol], X, Y) -> list[sympy.Expr]:
    """The margins ``q_i(θ) = y_i Φ(θ; x_i)`` as polynomials in the parameters."""
    out = []
    for x, y in zip(X, Y):
        out.append(sympy.expand(y * phi.xreplace(dict(zip(inputs, x)))))
    return out


def _weight(loss: str, q: sympy.Expr) -> sympy.Expr:
    return sympy.exp(-q) if loss == "exp" else 1 / (1 + sympy.exp(q))


def _loss_value(loss: str, qs: Sequence[sympy.Expr]) -> sympy.Expr:
    if loss == "exp":
        return sympy.Add(*[sympy.exp(-q) for q in qs])
    return sympy.Add(*[sympy.log(1 + sympy.exp(-q)) for q in qs])


def _interval(ctx, lo: Fraction, hi: Fraction):
    a = ctx.mpf(lo.numerator) / lo.denominator
    b = ctx.mpf(hi.numerator) / hi.denominator
    return ctx.mpf([a.a, b.b])


def _enclose(expr: sympy.Expr, box: Mapping[sympy.Symbol, tuple[Fraction, Fraction]]):
    ctx = _context(_PREC)
    env = {s: _interval(ctx, lo, hi) for s, (lo, hi) in box.items()}
    return compiled(expr)(ctx, env)


def _prove_negative(expr: sympy.Expr, box: dict, what: str) -> int:
    """``expr < 0`` on the whole box, by interval evaluation on bisected sub-boxes; the number
    of boxes used, or Invalid."""
    todo = [box]
    used = 0
    while todo:
        b = todo.pop()
        used += 1
        if used > MAX_BOXES:
            raise Invalid(f"{what}: not proven < 0 on the box within {MAX_BOXES} sub-boxes "
                          f"(a smaller radius may work)")
        try:
            v = _enclose(expr, b)
            if v.b < 0:
                continue
        except _Domain:
            pass
        # split the widest side
        s, (lo, hi) = max(b.items(), key=lambda kv: kv[1][1] - kv[1][0])
        mid = (lo + hi) / 2
        todo.append({**b, s: (lo, mid)})
        todo.append({**b, s: (mid, hi)})
    return used


@register_checker("margin-decreases")
def _check_margin(rd: Reader, cert: dict) -> Verdict:
    model = cert["model"]
    pnames = model["parameters"]
    inames = model["inputs"]
    params = [sympy.Symbol(p, real=True) for p in pnames]
    inputs = [sympy.Symbol(x, real=True) for x in inames]
    names = {**dict(zip(pnames, params)), **dict(zip(inames, inputs))}
    phi = rd.number(model["output"], names)
    data = cert["data"]
    X = [[rd.number(v) for v in row] for row in data["x"]]
    Y = [int(y) for y in data["y"]]
    init_raw = cert["init"]
    init = {params[pnames.index(p)]: rd.number(v) for p, v in init_raw.items()}
    degree = cert["degree"]
    losses = list(dict.fromkeys(cert.get("losses")
                                or list(LOSSES)))
    radius = rd.number(cert["radius"])
    if not (radius.is_Rational and radius > 0):
        raise rd.fail("$.radius", f"radius={radius} must be a positive rational")
    try:
        poly = sympy.Poly(sympy.expand(phi), *params)
    except sympy.PolynomialError:
        raise rd.fail("$.model.output", "the output must be a polynomial in the parameters") \
            from None
    if any(c.has(*params) for c in poly.coeffs()):
        raise rd.fail("$.model.output", "the output must be a polynomial in the parameters")
    monomials = [m for m, c in poly.terms() if sympy.expand(c) != 0]
    top = max((sum(m) for m in monomials), default=0)
    if top != degree:
        raise rd.fail("$.degree", f"degree={degree} is not the output's top degree {top} in "
                                  f"the parameters")
    homogeneous = all(sum(m) == top for m in monomials)
    qs = margin_quantities(phi, params, inputs, X, Y)
    at0 = {s: init[s] for s in params}
    values: dict[str, Any] = {"degree": degree, "homogeneous": homogeneous, "losses": losses,
                              "radius": txt(radius)}
    try:
        margins0 = [sympy.expand(q.xreplace(at0)) for q in qs]
        values["init_margins"] = [txt(m) for m in margins0]
        n0 = sympy.expand(sum((v ** 2 for v in at0.values()), _ZERO))
        if decide(n0) == 0:
            raise Invalid("init is 0: the normalized margin is undefined")
        for loss in losses:
            ell0 = sympy.Integer(1) if loss == "exp" else sympy.log(2)
            if decide(ell0 - _loss_value(loss, margins0)) <= 0:
                raise Invalid(f"the {loss} loss at init is not < "
                              f"{'1' if loss == 'exp' else 'log(2)'} (init margins "
                              f"{', '.join(txt(m) for m in margins0)})")
        star = 0
        for j in range(1, len(qs)):
            if decide(margins0[j] - margins0[star]) < 0:
                star = j
        for j in range(len(qs)):
            if j != star and decide(margins0[j] - margins0[star]) == 0:
                raise Invalid(f"samples {star + 1} and {j + 1} tie for the smallest margin at "
                              f"init: the normalized margin is not smooth there")
        values["min_sample"] = star + 1
        L = sympy.Integer(degree)
        values["normalized_margin_at_init"] = txt(sympy.radsimp(
            margins0[star] / n0 ** (L / 2)))
        r = Fraction(int(radius.p), int(radius.q))
        box = {s: (Fraction(int(sympy.fraction(v)[0]), int(sympy.fraction(v)[1])) - r,
                   Fraction(int(sympy.fraction(v)[0]), int(sympy.fraction(v)[1])) + r)
               for s, v in at0.items() if v.is_Rational}
        if len(box) != len(params):
            raise Invalid("every init value must be rational (the box is built around it)")
        if all(lo <= 0 <= hi for lo, hi in box.values()):
            raise Invalid("the box around init contains 0 (choose a smaller radius)")
        N = sum((s ** 2 for s in params), _ZERO)
        boxes = 0
        for j in range(len(qs)):
            if j != star:
                boxes += _prove_negative(sympy.expand(qs[star] - qs[j]), box,
                                         f"sample {star + 1} keeps the smallest margin "
                                         f"(q_{star + 1} - q_{j + 1} < 0)")
        boxes += _prove_negative(-qs[star], box, f"q_{star + 1} > 0 on the box")
        grads = [[sympy.diff(q, s) for s in params] for q in qs]
        theta_dot_gq = [sympy.expand(sum((s * g for s, g in zip(params, grads[i])), _ZERO))
                        for i in range(len(qs))]
        gstar = grads[star]
        for loss in losses:
            w = [_weight(loss, q) for q in qs]
            H = sympy.Add(*[w[i] * (N * sympy.expand(sum((a * b for a, b in zip(gstar, grads[i])),
                                                          _ZERO))
                                    - L * qs[star] * theta_dot_gq[i])
                            for i in range(len(qs))])
            h0 = H.xreplace(at0)
            s0 = decide(h0)
            deriv0 = h0 / n0 ** (L / 2 + 1)
            # exp() is outside the grammar: the closed form is written by sympy, for reading
            values.setdefault("derivative_at_init", {})[loss] = sympy.sstr(
                sympy.factor_terms(sympy.expand(deriv0)))
            enc = _enclose(deriv0, {})
            values.setdefault("derivative_at_init_enclosure", {})[loss] = \
                f"[{mpmath.nstr(mpmath.mpf(enc.a.a), 8)}, {mpmath.nstr(mpmath.mpf(enc.b.b), 8)}]"
            if s0 > 0:
                raise Refuted(f"{loss} loss: d gamma/dt at t = 0 is "
                              f"{values['derivative_at_init'][loss]} > 0: the normalized margin "
                              f"strictly increases at first")
            if s0 == 0:
                raise Unknown(f"{loss} loss: d gamma/dt = 0 at t = 0; the first order does "
                              f"not decide")
            boxes += _prove_negative(H, box, f"{loss} loss: d gamma/dt < 0 on the box")
        # speed bound: |grad L| <= sum_i w_i |grad q_i| <= M on the box, for every listed loss
        M = Fraction(0)
        for loss in losses:
            speed2 = sympy.Add(*[sympy.Add(*[_weight(loss, qs[i]) * grads[i][k]
                                             for i in range(len(qs))]) ** 2
                                 for k in range(len(params))])
            up = _max_on_box(speed2, box)
            M = max(M, _sqrt_up(up))
        if M == 0:
            raise Invalid("the flow does not move: no interval to report")
        T = r / M
        values["speed_bound"] = txt(sympy.Rational(M.numerator, M.denominator))
        values["interval"] = ["0", txt(sympy.Rational(T.numerator, T.denominator))]
        values["sub_boxes"] = boxes
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (
        f"L(theta(0)) < l(0) for the {' and '.join(losses)} loss; on the box of half-width "
        f"{txt(radius)} around theta(0) sample {values['min_sample']} has the smallest margin "
        f"and d gamma/dt = grad gamma . (-grad L) < 0 (interval proof, {values['sub_boxes']} "
        f"sub-boxes); |grad L| <= {values['speed_bound']} keeps the flow in the box, so the "
        f"normalized margin strictly decreases on [0, {values['interval'][1]}]",), values)


def _max_on_box(expr: sympy.Expr, box: dict) -> Fraction:
    """A rational upper bound of ``expr`` on the box (one interval evaluation)."""
    try:
        return _frac_up(_enclose(expr, box).b)
    except _Domain as exc:
        raise Invalid(f"cannot bound the speed of the flow on the box: {exc}") from None


def _frac_up(x) -> Fraction:
    """A rational >= the mpf interval endpoint ``x``."""
    import mpmath

    m, e = mpmath.mpf(x).man_exp
    f = Fraction(int(m)) * (Fraction(2) ** int(e))
    # round up to 8 significant digits so the reported numbers stay short
    if f <= 0:
        return Fraction(0)
    k = 0
    g = f
    while g >= 10 ** 8:
        g /= 10
        k += 1
    while g < 10 ** 7:
        g *= 10
        k -= 1
    num = -(-g.numerator // g.denominator)
    return Fraction(num) * (Fraction(10) ** k)


def _sqrt_up(x: Fraction) -> Fraction:
    """A rational >= sqrt(x)."""
    if x <= 0:
        return Fraction(0)
    import math

    s = Fraction(math.isqrt(int(x * 10 ** 16)) + 1, 10 ** 8)
    while s * s < x:
        s += Fraction(1, 10 ** 8)
    return s
