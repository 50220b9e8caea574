"""``diagonal-family``: one certificate for a diagonal network of *every* depth ``m >= m_min``.

The per-depth kinds (``kkt``, ``not-local``) build one network and check one depth. This kind
checks a whole family at once, through a structural lemma about *balanced* diagonal networks,
so the kernel never builds a depth-m network and never needs a value of m.

**Lemma (balanced diagonal networks).** Let ``Φ(θ; x) = Σ_k (Π_{j=1..m} w_{j,k}) x_k`` be the
depth-m diagonal network of width n (for ReLU, σ is applied to each of the m−1 hidden layers;
the last layer is linear). At the *layer-balanced, positive* point described by products
``u_1, ..., u_n > 0``, where every layer equals ``(u_1^(1/m), ..., u_n^(1/m))``:

* ``‖θ‖² = Σ_j Σ_k (u_k^(1/m))² = m Σ_k u_k^(2/m)``;
* ``Φ = Σ_k u_k x_k`` for a linear network; for ReLU the same holds when every ``x_k > 0``:
  the pre-activation of hidden neuron k in layer l is ``u_k^(l/m) x_k > 0``, so every ReLU
  acts as the identity, on a neighbourhood of the point too (Φ is smooth there and equals the
  linear diagonal network).

The products are expressions that do not involve m, so every check below is m-free except the
norm comparison, which is done for all m at once by concavity.

**KKT for every m >= m_min** (``multiplier_rule: "balanced"``; Problem 2, one sample). At a
balanced point Φ is smooth (above), ``∂Φ/∂w_{j,k} = x_k u_k^((m-1)/m)``, so stationarity
``θ = λ y ∇Φ`` reads, per coordinate k, ``u_k^(1/m) = λ y x_k u_k^((m-1)/m)``, i.e.
``λ · y x_k = c_k^((2-m)/m)``. The kernel proves: the constraint is active
(``y Σ c_k x_k = 1`` exactly) and all pairs ``(c_k, y x_k)`` are identical, ``= (c, a)`` with
``a > 0``; then ``λ(m) = c^((2-m)/m) / a > 0`` solves every equation for every m, and
feasibility, ``λ >= 0``, complementary slackness and stationarity all hold. It *refutes*
when KKT provably fails for some ``m >= m_min``: the point is infeasible; the constraint is
inactive (then ``λ = 0`` and θ = 0, but ``c > 0``); some ``y x_k <= 0`` (``λ y x_k <= 0 <
c_k^((2-m)/m)``); ``c_k = c_l`` but ``y x_k != y x_l`` (no λ for any m); or ``c_k != c_l``:
then ``(c_k / c_l)^((2-m)/m) = (y x_k)/(y x_l)`` holds for at most one m (a strictly monotone
function of ``(2-m)/m``), and the kernel names an m in ``{m_min, m_min + 1}`` where it fails.
``"none"`` claims nothing about KKT.

**Not a local optimum for every m >= m_min** (``curve``). The curve is given by products
``u_k(ε)`` (expressions in ``epsilon`` only); every layer of ``θ'(ε)`` is
``(u_1(ε)^(1/m), ..., u_n(ε)^(1/m))``. For every ε in ``(0, eps0]`` the kernel proves, with
:func:`~symkkt.kernel.exact.prove_nonnegative` (a proof on the whole interval, not sampling):

1. ``u_k(ε) > 0`` for every k (every layer entry is real and positive; for ReLU, with
   ``x_k > 0``, every pre-activation along the curve is positive, so the lemma applies);
2. feasibility ``y Σ_k u_k(ε) x_k − 1 >= 0``;
3. with every ``c_k`` equal to ``c̄`` (otherwise ``unknown``): ``n c̄ − Σ_k u_k(ε) >= 0``, and
   either some ``u_a(ε) − u_b(ε)`` has a strict sign on ``(0, eps0]`` or
   ``n c̄ − Σ_k u_k(ε) > 0`` there. **Jensen**: ``φ(t) = t^s`` with ``s = 2/m ∈ (0, 2/3]`` is
   strictly concave and strictly increasing on ``t > 0``, so
   ``Σ_k φ(u_k) <= n φ(mean u) <= n φ(c̄)``; the first inequality is strict when the ``u_k``
   are not all equal, the second when ``mean u < c̄``. Hence
   ``‖θ'(ε)‖² = m Σ_k u_k^s < m n c̄^s = ‖θ̃‖²`` for every ε in ``(0, eps0]`` and every
   ``m >= 3``. For ``m = 2`` (``s = 1``) φ is linear and nothing is strict: ``depth_min < 3``
   is refuted;
4. ``u_k(0+) = c_k`` exactly (after ``ε = t^k``, with continuity on ``[0, eps0]`` by validated
   interval evaluation), so ``θ'(ε) → θ̃`` for every m: the perturbation is arbitrarily small.

If step 3's bound fails at some exact ε (``mean u(ε) > c̄``) the kernel looks for a genuine
counterexample there: ``m`` in ``m_min .. m_min + 20`` with ``Σ u_k(ε)^(2/m) >= n c̄^(2/m)``, or
``Π_k u_k(ε) > c̄^n`` (then ``f(s) = Σ u_k^s − n c̄^s`` has ``f(0) = 0``, ``f'(0) > 0``: the norm
grows for every large m). Found: ``refuted``; not found: ``unknown`` (Jensen does not apply).
A curve whose products equal ``c̄`` identically (the point itself) is ``refuted``.

**Fields.** ``activation`` (``"linear"``/``"relu"``), ``width`` n (1..``MAX_WIDTH``),
``depth_min`` (an integer; ``< 3`` refuted, at most ``MAX_DEPTH_MIN``), ``data``
(``{"x": [[x_1, ..., x_n]], "y": [±1]}``: exactly one sample), ``point`` (the n products
``c_k``), ``multiplier_rule`` (``"balanced"`` or ``"none"``), ``curve`` (optional:
``{"variable": "epsilon", "substitution_power": k, "products": [u_1(ε), ..., u_n(ε)]}``) and
``eps0`` (a positive rational; required with ``curve``). At least one of KKT or curve must be
claimed.

**Values.** ``norm2``, ``multipliers`` and ``leading_term`` are the exact values at
``m = depth_min``, in the whitelist grammar like every other kind's values; the same quantities
as expressions in the depth ``m`` are under ``norm2_in_m``, ``multipliers_in_m`` and
``leading_term_in_m``, written by sympy's ``sstr`` (for instance ``2**(1 - 2/m)*m``): they have
symbolic exponents, which the grammar refuses by design, so they are for reading, not for
parsing back. ``norm2`` is ``m Σ c_k^(2/m)``, ``multipliers`` ``[λ(m)]``, and the leading term of
``‖θ'(ε)‖² − ‖θ̃‖²`` as ε → 0+, from the second-order Taylor expansion of ``t^s`` at ``c̄``,
``m Σ_k [s c̄^(s-1) (u_k − c̄) + ½ s(s−1) c̄^(s-2) (u_k − c̄)²] + O(Σ|u_k − c̄|³)
= 2 c̄^(s-1) S1 + (s−1) c̄^(s-2) S2 + ...`` with ``S1 = Σ(u_k − c̄)``, ``S2 = Σ(u_k − c̄)²``: the
leading terms of S1 and S2 are computed exactly and the lower order wins (both when equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import sympy

from ..errors import UndecidedError
from .certificate import EPSILON, Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, register_checker, txt
from .exact import _context, _Domain, leading_term, prove_nonnegative
from .exact import interval_eval as _enclose
from .schema import MAX_DEPTH_MIN, MAX_WIDTH, MULTIPLIER_RULES as RULES

__all__ = ["KIND", "M", "FamilySpec", "read_family", "norm2_in_m", "multiplier_in_m",
           "leading_term_in_m", "MAX_WIDTH", "MAX_DEPTH_MIN", "RULES"]

KIND = "diagonal-family"
M = sympy.Symbol("m", positive=True, integer=True)
"""The depth, as a symbol (only in reported values; never in a certificate)."""
_COUNTEREXAMPLE_DEPTHS = 20
_MAX_PAIRS = 40
ZERO = sympy.Integer(0)


@dataclass(frozen=True)
class FamilySpec:
    """A ``diagonal-family`` certificate as the kernel reads it (every number exact)."""

    activation: str
    width: int
    depth_min: int
    x: tuple[sympy.Expr, ...]
    y: int
    point: tuple[sympy.Expr, ...]
    rule: str
    curve: tuple[sympy.Expr, ...] | None
    k: int
    eps0: sympy.Rational | None


def _numbers(rd: Reader, raw: list, names=None) -> tuple[sympy.Expr, ...]:
    return tuple(rd.number(v, names) for v in raw)


def read_family(rd: Reader, cert: dict) -> FamilySpec:
    """The fields as exact values. The schema (:mod:`.schema`) has checked their types,
    ranges and lengths (width 1..MAX_WIDTH, depth_min <= MAX_DEPTH_MIN, one sample, ``width``
    coordinates everywhere); what needs exact values is checked here (InputError with the
    field's ``$.path``)."""
    n = cert["width"]
    raw_curve = cert.get("curve")
    curve, k, eps0 = None, 1, None
    if raw_curve is not None:
        k = raw_curve.get("substitution_power", 1)
        curve = _numbers(rd, raw_curve["products"], {"epsilon": EPSILON})
        eps0 = rd.number(cert["eps0"])
        if not (eps0.is_Rational and eps0 > 0):
            raise rd.fail("$.eps0", f"eps0={eps0} must be a positive rational")
    elif cert["multiplier_rule"] == "none":
        raise rd.fail("$", "the certificate claims nothing: give a curve or "
                           "multiplier_rule 'balanced'")
    return FamilySpec(cert["activation"], n, cert["depth_min"],
                      _numbers(rd, cert["data"]["x"][0]), cert["data"]["y"][0],
                      _numbers(rd, cert["point"]), cert["multiplier_rule"], curve, k,
                      eps0)


# ------------------------------------------------------------------ expressions in the depth m


def _tidy(e: sympy.Expr) -> sympy.Expr:
    """A readable form of an expression in ``m`` (display only, never used to decide)."""
    if sympy.count_ops(e) > 400:
        return e
    try:
        return sympy.simplify(e)
    except Exception:  # simplify may fail on odd input; the unsimplified value is still right
        return e


def norm2_in_m(point: Sequence[sympy.Expr]) -> sympy.Expr:
    """``‖θ̃‖² = m Σ_k c_k^(2/m)`` at the balanced point with products ``c_k``."""
    return _tidy(M * sympy.Add(*[c ** (2 / M) for c in point]))


def multiplier_in_m(c: sympy.Expr, a: sympy.Expr) -> sympy.Expr:
    """``λ(m) = c^((2-m)/m) / a``: the multiplier at a balanced point with ``c_k = c``,
    ``y x_k = a``."""
    return _tidy(c ** ((2 - M) / M) / a)


def _order(lt: sympy.Expr) -> sympy.Expr:
    """The exponent of ε in a leading term ``c·ε^p`` (oo for 0)."""
    if lt == 0:
        return sympy.oo
    _, p = lt.as_coeff_exponent(EPSILON)
    return p


def leading_term_in_m(cbar: sympy.Expr, curve: Sequence[sympy.Expr], k: int = 1) -> sympy.Expr:
    """The leading term of ``m Σ_k u_k(ε)^(2/m) − m n c̄^(2/m)`` as ε → 0+, for symbolic m.

    Second-order Taylor expansion of ``t^s`` (``s = 2/m``) at ``c̄``: the first-order part is
    ``2 c̄^(s-1) S1`` and the second-order part ``(s − 1) c̄^(s-2) S2`` with ``S1 = Σ(u_k − c̄)``
    and ``S2 = Σ(u_k − c̄)²`` (remainder ``O(Σ|u_k − c̄|³)``, of higher order than S2). The
    leading terms of S1 and S2 are computed exactly; the lower order wins, both count when
    their orders are equal. Raises UndecidedError when a leading term cannot be decided.
    """
    s = 2 / M
    diffs = [sympy.expand(u - cbar) for u in curve]
    lt1 = leading_term(sympy.Add(*diffs), EPSILON, k)
    lt2 = leading_term(sympy.expand(sympy.Add(*[d ** 2 for d in diffs])), EPSILON, k)
    p1, p2 = _order(lt1), _order(lt2)
    first = 2 * cbar ** (s - 1) * lt1
    second = (s - 1) * cbar ** (s - 2) * lt2
    if p1 == sympy.oo and p2 == sympy.oo:
        return ZERO
    if p1 < p2:
        return _tidy(first)
    if p2 < p1:
        return _tidy(second)
    return _tidy(first + second)


# --------------------------------------------------------------------------------- checking


def _prove(label: str, f: sympy.Expr, spec: FamilySpec, strict: bool):
    """prove_nonnegative, turned into Refuted / Unknown; returns the Proof when verified."""
    pr = prove_nonnegative(sympy.expand(f), EPSILON, spec.eps0, k=spec.k, strict=strict)
    if pr.status == "refuted":
        raise Invalid(f"{label}: {pr.reason}")
    if pr.status == "unknown":
        raise Unknown(f"{label}: {pr.reason}")
    return pr


def _try(f: sympy.Expr, spec: FamilySpec, strict: bool):
    return prove_nonnegative(sympy.expand(f), EPSILON, spec.eps0, k=spec.k, strict=strict)


def _check_kkt(spec: FamilySpec, values: dict) -> str:
    a = [sympy.expand(spec.y * xk) for xk in spec.x]
    for i, ak in enumerate(a):
        if decide(ak) <= 0:
            raise Invalid(f"KKT: stationarity at a balanced point needs lambda*y*x_k = "
                          f"c_k^((2-m)/m) > 0 for every k, with lambda >= 0; but y*x_{i + 1} = "
                          f"{txt(ak)} <= 0, so no depth m has multipliers")
    c0, a0 = spec.point[0], a[0]
    for i in range(1, spec.width):
        ci, ai = spec.point[i], a[i]
        same_c = decide(sympy.expand(ci - c0)) == 0
        same_a = decide(sympy.expand(ai - a0)) == 0
        if same_c and same_a:
            continue
        if same_c:
            raise Invalid(f"KKT: c_1 = c_{i + 1} but y*x_1 = {txt(a0)} != y*x_{i + 1} = "
                          f"{txt(ai)}: stationarity lambda*y*x_k = c_k^((2-m)/m) fails for "
                          f"every m")
        # (c_1/c_i)^t = a_1/a_i for at most one t = (2-m)/m: find a depth where it fails.
        for m in (spec.depth_min, spec.depth_min + 1):
            t = sympy.Rational(2 - m, m)
            gap = c0 ** t * ai - ci ** t * a0
            if decide(gap) != 0:
                raise Invalid(f"KKT: c_1 = {txt(c0)} != c_{i + 1} = {txt(ci)}; at depth m = "
                              f"{m} stationarity needs c_1^((2-m)/m)/(y*x_1) = "
                              f"c_{i + 1}^((2-m)/m)/(y*x_{i + 1}), which fails (the two sides "
                              f"agree for at most one m)")
        raise Unknown("KKT: the multiplier equations could not be decided")  # pragma: no cover
    lam = multiplier_in_m(c0, a0)
    values["multipliers_in_m"] = [sympy.sstr(lam)]
    values["multipliers"] = [txt(sympy.radsimp(
        c0 ** sympy.Rational(2 - spec.depth_min, spec.depth_min) / a0))]
    return (f"KKT for every m >= {spec.depth_min}: the constraint is active, all (c_k, y*x_k) "
            f"equal ({txt(c0)}, {txt(a0)}), so lambda(m) = {sympy.sstr(lam)} > 0 solves "
            f"stationarity lambda*y*x_k = c_k^((2-m)/m) in every coordinate")


def _counterexample(spec: FamilySpec, cbar: sympy.Expr, eps: sympy.Rational) -> str | None:
    """A depth m >= depth_min where the norm does not decrease at ``eps``, in words."""
    n = spec.width
    u = [sympy.radsimp(uk.xreplace({EPSILON: eps})) for uk in spec.curve]
    for m in range(spec.depth_min, spec.depth_min + _COUNTEREXAMPLE_DEPTHS + 1):
        s = sympy.Rational(2, m)
        try:
            d = decide(sympy.Add(*[uk ** s for uk in u]) - n * cbar ** s)
        except Unknown:
            continue
        if d >= 0:
            return (f"at m = {m}, epsilon = {txt(eps)}: sum_k u_k^(2/m) >= n*cbar^(2/m), so "
                    f"|theta'|^2 >= |theta|^2")
    try:
        if decide(sympy.Mul(*u) - cbar ** n) > 0:
            return (f"at epsilon = {txt(eps)}: prod_k u_k > cbar^n, so "
                    f"d/ds [sum_k u_k^s - n*cbar^s] > 0 at s = 0: the norm grows for every "
                    f"large m")
    except Unknown:
        pass
    return None


def _mean_failure(spec: FamilySpec, cbar: sympy.Expr, f: sympy.Expr, proof) -> None:
    """The bound mean(u) <= cbar failed: refute with a counterexample, else unknown."""
    candidates = [proof.counterexample] if proof.counterexample is not None else []
    candidates += [spec.eps0 / 10 ** j for j in range(0, 13)]
    for eps in candidates:
        try:
            if decide(f.xreplace({EPSILON: eps})) >= 0:
                continue
        except Unknown:
            continue
        why = _counterexample(spec, cbar, eps)
        if why:
            raise Invalid(f"norm comparison: {why}")
        raise Unknown(f"norm comparison: mean_k u_k(epsilon) > cbar at epsilon = {txt(eps)}, "
                      f"so the Jensen bound does not apply, and no depth m with a larger norm "
                      f"was found there")
    raise Unknown(f"norm comparison: mean_k u_k(epsilon) <= cbar: {proof.reason}")


def _check_norm(spec: FamilySpec) -> str:
    n = spec.width
    cbar = spec.point[0]
    for i, c in enumerate(spec.point[1:], start=2):
        if decide(sympy.expand(c - cbar)) != 0:
            raise Unknown(f"norm comparison: the Jensen argument needs every c_k equal, but "
                          f"c_1 = {txt(cbar)} != c_{i} = {txt(c)}")
    f = sympy.expand(n * cbar - sympy.Add(*spec.curve))
    pr = _try(f, spec, strict=False)
    if pr.status != "verified":
        _mean_failure(spec, cbar, f, pr)
    # strictness: the u_k are not all equal, or the mean is strictly below cbar
    tried = 0
    for a in range(n):
        for b in range(a + 1, n):
            d = sympy.expand(spec.curve[a] - spec.curve[b])
            if d == 0 or tried >= _MAX_PAIRS:
                continue
            tried += 1
            for sgn, (p, q) in ((1, (a, b)), (-1, (b, a))):
                if _try(sgn * d, spec, strict=True).status == "verified":
                    return (f"u_{p + 1}(epsilon) > u_{q + 1}(epsilon) and mean_k u_k(epsilon) "
                            f"<= cbar on (0, eps0]: Jensen for the strictly concave, increasing "
                            f"t^(2/m) gives sum_k u_k^(2/m) < n*mean(u)^(2/m) <= n*cbar^(2/m)")
    if _try(f, spec, strict=True).status == "verified":
        return ("mean_k u_k(epsilon) < cbar on (0, eps0]: t^(2/m) is concave and strictly "
                "increasing, so sum_k u_k^(2/m) <= n*mean(u)^(2/m) < n*cbar^(2/m)")
    t = sympy.Symbol("t", positive=True)
    if all(sympy.simplify((u - cbar).xreplace({EPSILON: t ** spec.k})) == 0
           for u in spec.curve):
        raise Invalid("norm comparison: the curve is the point itself (u_k(epsilon) = c_k for "
                      "every k and epsilon), so the norm does not decrease")
    for j in range(0, 7):
        eps = spec.eps0 / 10 ** j
        try:
            if all(decide(sympy.expand(u.xreplace({EPSILON: eps}) - cbar)) == 0
                   for u in spec.curve):
                raise Invalid(f"norm comparison: at epsilon = {txt(eps)} every u_k equals "
                              f"cbar, so theta'(epsilon) = theta and the norm does not "
                              f"decrease")
        except Unknown:
            continue
    raise Unknown("norm comparison: could not prove on (0, eps0] that the u_k(epsilon) are "
                  "not all equal nor that their mean is below cbar")


def _check_curve(spec: FamilySpec, values: dict) -> list[str]:
    reasons = []
    t = sympy.Symbol("t", positive=True)
    ctx = _context(80)
    e0 = spec.eps0
    hi = ctx.exp(ctx.log(ctx.mpf(int(e0.p)) / ctx.mpf(int(e0.q))) / spec.k).b
    for i, (u, c) in enumerate(zip(spec.curve, spec.point), start=1):
        g = u.xreplace({EPSILON: t ** spec.k})
        at0 = g.xreplace({t: ZERO})
        if at0.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or decide(at0 - c) != 0:
            raise Invalid(f"the curve does not tend to the point: u_{i}(0+) = {txt(at0)} != "
                          f"c_{i} = {txt(c)}")
        try:
            _enclose(g, ctx, {t: ctx.mpf([0, hi])})
        except _Domain as exc:
            raise Unknown(f"cannot show u_{i}(epsilon) is continuous on [0, eps0]: {exc}")
    for i, u in enumerate(spec.curve, start=1):
        _prove(f"u_{i}(epsilon) > 0", u, spec, strict=True)
    margin = sympy.Add(*[u * xk for u, xk in zip(spec.curve, spec.x)])
    _prove("feasibility y*sum_k u_k(epsilon) x_k >= 1", spec.y * margin - 1, spec, strict=False)
    reasons.append(_check_norm(spec))
    cbar = spec.point[0]
    try:
        lt = leading_term_in_m(cbar, spec.curve, spec.k)
        values["leading_term_in_m"] = sympy.sstr(lt)
        at = sympy.radsimp(lt.xreplace({M: sympy.Integer(spec.depth_min)}))
        values["leading_term"] = txt(sympy.simplify(at))
    except UndecidedError as exc:
        reasons.append(f"(leading term not reported: {exc})")
    reasons.insert(0, f"for every epsilon in (0, {txt(e0)}] and every m >= {spec.depth_min}: "
                      f"every u_k(epsilon) > 0, the constraint holds and "
                      f"|theta'(epsilon)|^2 < |theta|^2; u_k(0+) = c_k, so theta'(epsilon) -> "
                      f"theta")
    if "leading_term_in_m" in values:
        reasons.append(f"|theta'|^2 - |theta|^2 = {values['leading_term_in_m']} + o(.)")
    return reasons


@register_checker(KIND)
def _check_family(rd: Reader, cert: dict) -> Verdict:
    spec = read_family(rd, cert)
    n = spec.width
    values: dict[str, Any] = {"depth_min": spec.depth_min}
    if spec.eps0 is not None:
        values["eps0"] = txt(spec.eps0)
    reasons: list[str] = []
    try:
        if spec.depth_min < 3:
            raise Invalid(f"depth_min = {spec.depth_min}: the family argument needs m >= 3 "
                          f"(t^(2/m) strictly concave); for m = 2, t^(2/m) = t is linear, so "
                          f"no strict decrease, and for m = 1 it is convex")
        for i, c in enumerate(spec.point, start=1):
            if decide(c) <= 0:
                raise Invalid(f"the point is not positive: c_{i} = {txt(c)} <= 0")
        values["norm2_in_m"] = sympy.sstr(norm2_in_m(spec.point))
        values["norm2"] = txt(sympy.expand(sympy.radsimp(
            spec.depth_min * sympy.Add(*[c ** sympy.Rational(2, spec.depth_min)
                                         for c in spec.point]))))
        if spec.activation == "relu":
            for i, xk in enumerate(spec.x, start=1):
                if decide(xk) <= 0:
                    raise Unknown(f"ReLU: the balanced-network lemma needs every x_k > 0 (then "
                                  f"every hidden pre-activation is positive); x_{i} = {txt(xk)}")
        margin = sympy.expand(spec.y * sympy.Add(*[c * xk for c, xk in zip(spec.point, spec.x)]))
        sm = decide(margin - 1)
        if sm < 0:
            raise Refuted(f"the point is infeasible: y*Phi = y*sum_k c_k x_k = {txt(margin)} "
                          f"< 1")
        if spec.rule == "balanced":
            if sm > 0:
                raise Invalid(f"KKT: the constraint is inactive (y*Phi = {txt(margin)} > 1), so "
                              f"complementary slackness forces lambda = 0 and stationarity "
                              f"theta = 0, but every c_k > 0")
            reasons.append(_check_kkt(spec, values))
        else:
            reasons.append("KKT: not claimed (multiplier_rule 'none')")
        if spec.curve is not None:
            reasons[:0] = _check_curve(spec, values)
        lemma = ("balanced-network lemma: at the point, Phi = sum_k c_k x_k and |theta|^2 = "
                 "m*sum_k c_k^(2/m)" + (", every ReLU input > 0" if spec.activation == "relu"
                                        else ""))
        reasons.append(f"{lemma} (width {n}, every depth m >= {spec.depth_min})")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", tuple(reasons), values)
