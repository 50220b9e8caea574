"""``robust``: one certificate for a whole box of datasets (parametric certificates).

The data, the point θ̃(δ), the multipliers, the curve θ'(ε, δ) and the dual variables are
closed-form functions of a few real *parameters* ``δ = (δ_1, ..., δ_K)``; the certificate
claims that for **every** δ in the box ``[-r, r]^K`` the usual checks hold. This is how a
verdict is shown to survive perturbing the inputs (Remark 3.2), or to hold on a whole interval
of a data parameter (Remark 3.1).

Fields (besides ``network``; ``problem`` must be Problem 2):

``parameters``  list of names (identifiers, at most 6); ``radius``: a positive rational r;
                ``center`` (optional, default 0): one rational per parameter. The box is
                ``[center_k - r, center_k + r]`` for every k.
``aux``         optional list ``{"name": a, "base": B, "root": q}``: ``a`` is the positive real
                root ``B^(1/q)`` (q in 2..12) of an expression ``B`` in the parameters and
                earlier aux names; ``B > 0`` is proven on the box first. Identities are decided
                with ``a`` as a symbol, reducing modulo ``a^q = B``; enclosures use
                ``a ∈ exp(log(B(box)) / q)``.
``data``        ``{"x": [[expr...]...], "y": [...]}``: inputs may depend on the parameters.
``point``       θ̃(δ): parameter -> expression.
Sections (at least one):
``multipliers`` (+ ``subgradients`` for ReLU): θ̃(δ) is a KKT point of Problem 2 for every δ,
                with the conditions of the ``kkt`` kind (each hidden input at θ̃ vanishes
                identically or keeps a strict sign on the box; each witness's first
                non-vanishing coefficient keeps the right strict sign on the box).
``curve`` + ``eps0``: θ̃(δ) is not a local optimum for every δ: the ``not-local`` kind's
                conditions, for every ε in (0, eps0] (one eps0 for the whole box).
``bound``       ``{"type": "subsets", "alpha": [...]}``: θ̃(δ) is a global optimum for every δ
                (depth-2 networks without shared weights): if ``α >= 0`` and
                ``‖Σ_{i in A} α_i y_i x_i|S_j‖ <= 1`` for every set A of samples and every
                neuron support S_j, then for every feasible θ, with A_j the samples neuron j
                is active on (all of them for a linear network),
                ``Σα <= Σ α_i y_i Φ_i = Σ_j v_j <w_j, Σ_{i in A_j} α_i y_i x_i|S_j>
                <= Σ_j |v_j| ‖w_j‖ <= ½‖θ‖²``; with ``‖θ̃‖² = 2Σα`` θ̃ is optimal.
                ``{"type": "pattern", "alpha": [...]}``: θ̃(δ) is a local optimum for every δ:
                the same bound with A_j only the samples on which neuron j is active at θ̃;
                every hidden input at θ̃ must keep a strict sign on the box, so the pattern,
                hence A_j, is the same for every θ near θ̃, and the chain above holds there.
``better_point`` ``{"point": θ'(δ), "layer": l (optional)}``: θ̃(δ) is not a global optimum
                for every δ: θ' is feasible (``y_i Φ(θ'; x_i) >= 1`` on the box) with
                ``‖θ'‖² < ‖θ̃‖²``; with ``layer``, θ' differs from θ̃ only in layer l (checked
                as identities) and its layer norm is smaller: not a global optimum of
                Problem 4 for that layer.
``per_layer_local`` ``true``, with ``multipliers``: every layer of θ̃(δ) is a local optimum of
                its Problem 4 for every δ. Lemma: if every hidden input at θ̃ keeps a strict
                sign (ReLU), the pattern is frozen near θ̃ and Φ is linear in each layer there,
                so Problem 4 is locally a convex program whose KKT conditions are the
                Problem-2 ones read on that layer.

How "for every δ" (and ε) is proven, never sampled:

* *identities* (stationarity, complementary slackness, active margins, the curve tending to
  the point, vanishing low-order coefficients in ε): the expression, with aux names as
  symbols, is brought to one fraction; its numerator must reduce to the zero polynomial modulo
  the aux relations ``den(B)·a^q - num(B)`` (pseudo-remainders, top of the tower first). Where
  the identity fails at an exact sample point the certificate is refuted; if neither, unknown.
* *signs on the box*: validated interval arithmetic (MPFR through gmpy2, or mpmath for sin
  and cos; outward rounding, :mod:`.ieval`) with bisection
  of the box; the data, the point and the curve must have enclosures on every piece (so they
  are defined and continuous on the whole box). An enclosure wholly of the wrong sign on a
  sub-box proves the check false there (refuted).
* *for every ε in (0, eps0]*: with ε = t^k, let ``g(t, δ)`` be the obligation. The first
  t-coefficient (or t-derivative at 0) that does not vanish identically, of order j, must be
  > 0 on the box. If g is a polynomial in t (coefficients kept unexpanded), ``g = t^j h``
  exactly and ``h > 0`` is proven on ``[0, t0] × box``. Otherwise ``g^(j) > 0`` on
  ``[0, t1] × box`` (Taylor: ``g > 0`` on ``(0, t1]``) and ``g / t^j > 0`` on ``[t1, t0] × box``.
  Several equal forms of each expression are tried (as given; expanded with aux powers
  lowered; factored), smallest first, after a short try of the form as given. Exact samples (box corners and centre, several ε)
  refute a false claim first.

Verdicts: ``verified`` if every check holds for the whole box; ``refuted`` if a check provably
fails at some δ (the reason names it, with the point); ``unknown`` otherwise (for instance when
the bisection budget runs out: a smaller radius may then verify).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Mapping, Sequence

import sympy

from ..errors import InputError, UndecidedError
from .certificate import (EPSILON, Reader, Failed, Invalid, failed_verdict, Unknown, Verdict,
                          register_checker, txt)
from .exact import _Domain, leading_term, sign
from .ieval import arithmetic, compiled
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text
from .net import NetSpec
from .schema import MAX_PARAMETERS  # declared with the other fields, re-exported

__all__ = ["ParamSpace", "MAX_PARAMETERS"]

MAX_DERIVATIVE = 6
BOX_BUDGET = 6000
QUICK_BUDGET = 256
_LARGE = 3000
"""Operations from which an expanded form is not factored (nor made before the form given
has been tried)."""
"""Boxes for an expression as given, before its other forms are made (``eps_nonnegative``)."""
ZERO = sympy.Integer(0)
T = sympy.Symbol("t", positive=True)


# ------------------------------------------------------------------------ the parameter box


class ParamSpace:
    """The parameters, their box ``[c_k - r, c_k + r]`` and the aux radicals over it."""

    def __init__(self, params: list[sympy.Symbol], radius: sympy.Rational,
                 aux: list[tuple[sympy.Symbol, int, sympy.Expr]],
                 centre: list[sympy.Rational] | None = None):
        self.params = params
        self.radius = radius
        self.centre = centre or [ZERO] * len(params)
        self.aux = aux
        self._programs: list | None = None
        self._at: dict[frozenset, dict] = {}
        self._samples: list[dict] | None = None
        r = Fraction(int(radius.p), int(radius.q))
        self.box = [(Fraction(int(c.p), int(c.q)) - r, Fraction(int(c.p), int(c.q)) + r)
                    for c in self.centre]

    def at(self, pt: Mapping[sympy.Symbol, sympy.Expr]) -> dict:
        """The point with every aux's exact value ``B(pt)^(1/q)`` added (worked out once per
        point: the same sample points serve every check)."""
        key = frozenset(pt.items())
        hit = self._at.get(key)
        if hit is not None:
            return dict(hit)
        env = dict(pt)
        for a, q, base in self.aux:
            b = base.xreplace(env)
            if b.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or sign(b) <= 0:
                raise Invalid(f"the base of aux {a} is not positive at {self.describe(pt)}")
            env[a] = b ** sympy.Rational(1, q)
        self._at[key] = dict(env)
        return env

    def value(self, e: sympy.Expr, pt: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
        """``e`` at an exact point of the box (aux names replaced by their values)."""
        return _as_expr(e).xreplace(self.at(pt))

    def programs(self) -> list:
        """The interval programs of the aux bases (:mod:`.ieval`), in order."""
        if self._programs is None:
            self._programs = [compiled(base) for _, _, base in self.aux]
        return self._programs

    def raw_env(self, ar, env: dict) -> dict:
        """Add an enclosure of every aux to ``env`` (intervals of the parameters in the
        arithmetic ``ar`` of :mod:`.ieval`), in place, in order.

        ``a = B^(1/q)``: the positive ``q``-th roots of the enclosure of ``B`` on the box; a
        base interval reaching 0 is outside the smooth domain (``_Domain``).
        """
        for (a, q, _), prog in zip(self.aux, self.programs()):
            env[a] = ar.root(ar.run(prog, env), q)
        return env

    def samples(self) -> list[dict[sympy.Symbol, sympy.Rational]]:
        """Exact sample points: the centre, the corners (or the axis ends), two inner points."""
        if self._samples is None:
            self._samples = self._make_samples()
        return [dict(p) for p in self._samples]

    def _make_samples(self) -> list[dict[sympy.Symbol, sympy.Rational]]:
        r = self.radius
        K = len(self.params)
        c = dict(zip(self.params, self.centre))
        pts = [dict(c)]
        if K <= 4:
            for signs in itertools.product((1, -1), repeat=K):
                pts.append({p: c[p] + s * r for p, s in zip(self.params, signs)})
        else:
            for p in self.params:
                for s in (1, -1):
                    pts.append({q: c[q] + (s * r if q == p else ZERO) for q in self.params})
        fr = [sympy.Rational(1, 3), sympy.Rational(-2, 3), sympy.Rational(1, 2),
              sympy.Rational(-1, 5), sympy.Rational(3, 4), sympy.Rational(-1, 7)]
        pts.append({p: c[p] + fr[i % len(fr)] * r for i, p in enumerate(self.params)})
        pts.append({p: c[p] - fr[(i + 1) % len(fr)] * r for i, p in enumerate(self.params)})
        return pts

    def describe(self, pt: Mapping[sympy.Symbol, sympy.Expr]) -> str:
        return ", ".join(f"{p} = {txt(_as_expr(pt[p]))}" for p in self.params)


# -------------------------------------------------------------------------------- deciding


def upper_root(eps0: sympy.Rational, k: int) -> Fraction:
    """A rational ``t0 >= eps0^(1/k)`` (checked exactly), within about 2^-40 of it."""
    e = Fraction(int(eps0.p), int(eps0.q))
    t0 = Fraction(float(e) ** (1.0 / k)).limit_denominator(2 ** 40) + Fraction(1, 2 ** 40)
    while t0 ** k < e:
        t0 += Fraction(1, 2 ** 30)
    return t0


_PREC = 96
"""Bits of the interval endpoints in the bisections."""


class _Endpoints:
    """``[lo, hi]`` as intervals of the arithmetic ``ar``, each end converted once per
    bisection (sub-boxes share most of their sides)."""

    def __init__(self, ar):
        self.ar = ar
        self.seen: dict[tuple[int, int, int, int], tuple] = {}

    def __call__(self, lo: Fraction, hi: Fraction) -> tuple:
        key = (lo.numerator, lo.denominator, hi.numerator, hi.denominator)
        hit = self.seen.get(key)
        if hit is None:
            hit = self.seen[key] = self.ar.interval(lo, hi)
        return hit


def box_sign(f: sympy.Expr, variables: Sequence[sympy.Symbol],
             box: Sequence[tuple[Fraction, Fraction]], space: ParamSpace | None = None, *,
             strict: bool = True, budget: int = BOX_BUDGET) -> tuple[str, dict | None]:
    """Prove ``f > 0`` (``>= 0`` when not strict) on the box by validated bisection.

    Returns ``("verified", None)``, ``("negative", point)`` when ``f < 0`` on a whole sub-box
    (``point`` is its centre, as exact rationals), or ``("unknown", None)``.
    """
    prog = compiled(f)
    ar = arithmetic(_PREC, [prog] + (space.programs() if space is not None else []))
    side = _Endpoints(ar)
    widths = [float(hi - lo) or 1.0 for lo, hi in box]
    # each box with its sides' widths relative to the first box's (the split goes across the
    # relatively widest side; a child recomputes only the side that was split)
    stack = [(list(box), [float(hi - lo) / w for (lo, hi), w in zip(box, widths)])]
    left = budget
    while stack:
        b, rel = stack.pop()
        left -= 1
        if left < 0:
            return "unknown", None
        env = {v: side(lo, hi) for v, (lo, hi) in zip(variables, b)}
        try:
            if space is not None:
                space.raw_env(ar, env)
            v = ar.run(prog, env)
        except _Domain:
            v = None
        if v is not None and (ar.positive(v) or (not strict and ar.nonnegative(v))):
            continue
        if v is not None and ar.negative(v):
            return "negative", {var: sympy.Rational((lo + hi) / 2) for var, (lo, hi)
                                in zip(variables, b)}
        i = max(range(len(b)), key=rel.__getitem__)
        lo, hi = b[i]
        if hi - lo < Fraction(1, 2 ** 40):
            return "unknown", None
        mid = (lo + hi) / 2
        b1, b2 = list(b), list(b)
        b1[i] = (lo, mid)
        b2[i] = (mid, hi)
        r1, r2 = list(rel), list(rel)
        r1[i] = float(mid - lo) / widths[i]
        r2[i] = float(hi - mid) / widths[i]
        stack.append((b2, r2))
        stack.append((b1, r1))
    return "verified", None


def box_defined(exprs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                box: Sequence[tuple[Fraction, Fraction]], space: ParamSpace | None = None,
                budget: int = BOX_BUDGET) -> bool:
    """True if every expression has a validated enclosure on every piece of a subdivision of
    the box, i.e. it is defined (every root of a positive interval, no division by an
    interval containing 0) and continuous on the whole box."""
    progs = [compiled(e) for e in exprs]
    ar = arithmetic(_PREC, progs + (space.programs() if space is not None else []))
    side = _Endpoints(ar)
    stack = [list(box)]
    while stack:
        b = stack.pop()
        budget -= 1
        if budget < 0:
            return False
        env = {v: side(lo, hi) for v, (lo, hi) in zip(variables, b)}
        try:
            if space is not None:
                space.raw_env(ar, env)
            for prog in progs:
                ar.run(prog, env)
            continue
        except _Domain:
            pass
        i = max(range(len(b)), key=lambda j: b[j][1] - b[j][0])
        lo, hi = b[i]
        if hi - lo < Fraction(1, 2 ** 30):
            return False
        mid = (lo + hi) / 2
        b1, b2 = list(b), list(b)
        b1[i] = (lo, mid)
        b2[i] = (mid, hi)
        stack += [b2, b1]
    return True


def _expansion_size(e: sympy.Expr) -> int:
    """About ``count_ops(expand(e))``, without expanding: terms multiply across a product,
    a power of a sum has multinomially many, and expand also expands inside a denominator
    (an order only: which form to try first)."""
    def walk(x) -> tuple[int, int]:            # (terms, operations per term)
        if x.is_Atom:
            return 1, 1
        if x.is_Add:
            parts = [walk(a) for a in x.args]
            terms = sum(t for t, _ in parts)
            return terms, max(1, sum(t * o for t, o in parts) // terms)
        if x.is_Mul:
            terms, ops = 1, 0
            for a in x.args:
                t, o = walk(a)
                terms, ops = terms * t, ops + o
            return terms, ops
        if x.is_Pow and x.exp.is_Integer:
            t, o = walk(x.base)
            n = int(x.exp)
            if n > 0:
                return math.comb(t + n - 1, n), n * o
            return 1, math.comb(t - n - 1, -n) * -n * o
        return 1, sum(t * o for t, o in map(walk, x.args))

    try:
        terms, ops = walk(e)
    except RecursionError:       # (too deep to expand anyway)
        return _LARGE
    return terms * ops


_IN_T: dict = {}


def in_t(e: sympy.Expr, k: int) -> sympy.Expr:
    """``e`` with ``ε = t^k``, radicals of ``t^k`` denested (``t > 0``): made once per
    expression (a curve repeats the same coordinate in every layer)."""
    key = (e, k)
    hit = _IN_T.get(key)
    if hit is None:
        g = e.xreplace({EPSILON: T ** k})
        hit = sympy.powdenest(sympy.expand_power_base(g, force=False), force=False)
        if len(_IN_T) >= 4096:
            _IN_T.clear()
        _IN_T[key] = hit
    return hit


class _NotPolynomial(Exception):
    pass


def t_coefficients(e: sympy.Expr, t: sympy.Symbol = T) -> dict[int, sympy.Expr]:
    """``e`` as ``Σ_j C_j t^j`` when it is a polynomial in ``t``, with every t-free subterm
    kept as it is (not expanded): coefficients stay compact, so their interval enclosures
    stay tight. Raises ``_NotPolynomial`` otherwise."""
    if not e.has(t):
        return {0: e}
    if e == t:
        return {1: sympy.Integer(1)}
    if e.is_Add:
        out: dict[int, sympy.Expr] = {}
        for a in e.args:
            for j, c in t_coefficients(a, t).items():
                out[j] = out.get(j, ZERO) + c
        return out
    if e.is_Mul:
        out = {0: sympy.Integer(1)}
        for a in e.args:
            other = t_coefficients(a, t)
            new: dict[int, sympy.Expr] = {}
            for i, c in out.items():
                for j, d in other.items():
                    new[i + j] = new.get(i + j, ZERO) + c * d
            out = new
        return out
    if e.is_Pow and e.exp.is_Integer and int(e.exp) >= 0:
        base = t_coefficients(e.base, t)
        out = {0: sympy.Integer(1)}
        for _ in range(int(e.exp)):
            new = {}
            for i, c in out.items():
                for j, d in base.items():
                    new[i + j] = new.get(i + j, ZERO) + c * d
            out = new
        return out
    raise _NotPolynomial(str(e)[:80])


class Decider:
    """Identities and signs of expressions in the parameters (and ε) over the box."""

    def __init__(self, space: ParamSpace):
        self.space = space
        self._zeros: dict[tuple, tuple[bool | None, str]] = {}

    # -- identities

    def _reduces_to_zero(self, e: sympy.Expr) -> bool:
        """``_reduce(e) == 0`` computed in sympy's sparse polynomial arithmetic over QQ (the
        symbols of ``e`` and of the aux bases as generators, each aux ``a`` reduced modulo
        ``den(B)·a^q - num(B)`` by pseudo-remainder, top of the tower first): many times
        faster than ``together``/``expand`` on expressions. False when it does not reduce to
        0 or when ``e`` has anything but rationals, symbols, ``+``, ``*`` and integer powers;
        :meth:`_reduce` then decides as before."""
        from sympy.polys.domains import QQ
        from sympy.polys.fields import field

        aux = self.space.aux
        syms = sorted(e.free_symbols.union(*[{a} | b.free_symbols for a, _, b in aux]),
                      key=sympy.default_sort_key)
        try:
            K, *gens = field(syms, QQ)
            gen = dict(zip(syms, gens))
            seen: dict = {}

            def conv(x):
                hit = seen.get(x)
                if hit is not None:
                    return hit
                if x.is_Rational:
                    r = K(QQ(int(x.p), int(x.q)))
                elif x.is_Symbol:
                    r = gen[x]
                elif x.is_Add or x.is_Mul:
                    parts = [conv(a) for a in x.args]
                    r = parts[0]
                    for v in parts[1:]:
                        r = r + v if x.is_Add else r * v
                elif x.is_Pow and x.exp.is_Integer:
                    r = conv(x.base) ** int(x.exp)
                else:
                    raise ValueError(f"not a rational function: {type(x).__name__}")
                seen[x] = r
                return r

            num = conv(e).numer
            ring = num.ring
            for a, q, base in reversed(aux):
                if num == 0:
                    break
                b = conv(base)
                num = num.prem(ring(b.denom) * ring.gens[syms.index(a)] ** q - ring(b.numer),
                               ring.gens[syms.index(a)])
            return num == 0
        except (ValueError, TypeError, ZeroDivisionError, RecursionError,
                sympy.polys.polyerrors.PolynomialError):
            return False

    def _reduce(self, e: sympy.Expr) -> sympy.Expr | None:
        if self._reduces_to_zero(e):
            return sympy.Integer(0)
        try:
            num = sympy.expand(sympy.numer(sympy.together(e)))
            if num == 0:
                return num
            for a, q, base in reversed(self.space.aux):
                if not num.has(a):
                    continue
                bn, bd = sympy.fraction(sympy.together(base))
                rel = sympy.expand(a ** q * bd - bn)
                num = sympy.expand(sympy.prem(num, rel, a))
                if num == 0:
                    return num
            return num
        except (sympy.PolynomialError, sympy.polys.polyerrors.PolificationFailed,
                sympy.polys.polyerrors.GeneratorsNeeded, TypeError, ValueError):
            return None

    def zero(self, e: sympy.Expr, extra: Mapping[sympy.Symbol, Sequence[sympy.Expr]] | None = None
             ) -> tuple[bool | None, str]:
        """(True, "") if ``e`` vanishes identically on the box; (False, where) if it provably
        does not vanish at an exact sample point; (None, why) if undecided. (Decided once per
        expression: the checks ask about the same ones several times.)"""
        e = _as_expr(e)
        if e == 0:
            return True, ""
        extra = extra or {}
        key = (e, tuple((s, tuple(v)) for s, v in extra.items()))
        hit = self._zeros.get(key)
        if hit is None:
            hit = self._zeros[key] = self._decide_zero(e, extra)
        return hit

    def _decide_zero(self, e: sympy.Expr, extra: Mapping[sympy.Symbol, Sequence[sympy.Expr]]
                     ) -> tuple[bool | None, str]:
        others = list(extra.items())
        combos = list(itertools.product(*[vals for _, vals in others])) if others else [()]
        points = self.space.samples()[:6]
        # Not an identity, seen cheaply: e is provably non-zero at the first sample point (an
        # enclosure without 0 there). That is the exact witness the search below would find
        # first (an identity vanishes wherever it is defined, so the reduction cannot prove
        # it zero), found without the costly reduction.
        sub = {s: v for (s, _), v in zip(others, combos[0])}
        if self._encloses_nonzero(e, points[0], sub):
            got = self._witness(e, points[0], sub)
            if got is not None and got[1]:
                return got[0]
        red = self._reduce(e)
        if red is not None and red == 0:
            return True, ""
        # an exact witness that the identity fails
        for pt in points:
            for combo in combos:
                got = self._witness(e, pt, {s: v for (s, _), v in zip(others, combo)})
                if got is not None:
                    return got[0]
        return None, "the identity could not be decided"

    def _witness(self, e: sympy.Expr, pt: Mapping, sub: Mapping
                 ) -> tuple[tuple[bool, str], bool] | None:
        """``((False, where), finite)`` if ``e`` is provably not 0 at the point (``finite``:
        a non-zero number there, not undefined), None if that cannot be told."""
        try:
            v = self.space.value(e, pt).xreplace(sub)
            if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                return (False, f"undefined at {self.space.describe(pt)}"), False
            s = sign(v)
        except UndecidedError:
            return None
        except (ZeroDivisionError, TypeError):
            return (False, f"undefined at {self.space.describe(pt)}"), False
        if s != 0:
            return (False, (f"at {self.space.describe(pt)} it is about "
                            f"{sympy.sstr(sympy.N(v, 6))}, not 0")), True
        return None

    def _enclosure(self, e: sympy.Expr, pt: Mapping, sub: Mapping) -> tuple[Any, Any]:
        """A validated enclosure of ``e`` at the exact rational point (plus ``sub``, aux
        values enclosed from their bases) and its arithmetic (:mod:`.ieval`), or
        ``(None, None)`` where there is none."""
        prog = compiled(e)
        ar = arithmetic(_PREC, [prog] + self.space.programs())
        env = {}
        for s, v in list(pt.items()) + list(sub.items()):
            if not (isinstance(v, sympy.Basic) and v.is_Rational):
                return None, None
            f = Fraction(int(v.p), int(v.q))
            env[s] = ar.interval(f, f)
        try:
            self.space.raw_env(ar, env)
            return ar.run(prog, env), ar
        except _Domain:
            return None, None

    def _encloses_nonzero(self, e: sympy.Expr, pt: Mapping, sub: Mapping) -> bool:
        """True if ``e``'s enclosure at the point excludes 0: then it is a finite non-zero
        number there (only a hint: the caller decides exactly)."""
        v, ar = self._enclosure(e, pt, sub)
        return v is not None and (ar.positive(v) or ar.negative(v))

    def _encloses_sign(self, e: sympy.Expr, pt: Mapping, sub: Mapping, strict: bool) -> bool:
        """True if ``e``'s enclosure at the point proves it ``> 0`` (``>= 0`` if not strict):
        the exact sample check there would pass, so it can be skipped."""
        v, ar = self._enclosure(e, pt, sub)
        return v is not None and (ar.positive(v) or (not strict and ar.nonnegative(v)))

    def require_zero(self, e: sympy.Expr, what: str, extra=None) -> None:
        ok, where = self.zero(e, extra)
        if ok is True:
            return
        if ok is False:
            raise Invalid(f"{what} fails: {where}")
        raise Unknown(f"{what}: {where}")

    def normal(self, e: sympy.Expr) -> sympy.Expr:
        """An equal expression with every power ``a^n`` of an aux (n outside 0..q-1) rewritten
        as ``a^(n mod q) · B^(n div q)``; nothing is expanded, so factored forms (which give
        tight interval enclosures) survive."""
        for a, q, base in reversed(self.space.aux):
            def repl(p, q=q, base=base, a=a):
                k, r = divmod(int(p.exp), q)
                return a ** r * base ** k
            e = e.replace(lambda x, a=a, q=q: (x.is_Pow and x.base == a and x.exp.is_Integer
                                               and not 0 <= int(x.exp) < q), repl)
        return e

    def expanded(self, e: sympy.Expr) -> sympy.Expr:
        """An equal expression, expanded, with aux powers lowered (cancels large terms that
        would otherwise blow up interval enclosures, e.g. ``a² - (a - ε k)²``)."""
        e = sympy.expand(e)
        for _ in range(4):
            f = sympy.expand(self.normal(e))
            if f == e:
                break
            e = f
        return e

    # -- signs on the box

    def positive(self, e: sympy.Expr, what: str, strict: bool = True) -> None:
        """Prove ``e > 0`` (``>= 0`` if not strict) on the whole box, or refute it at a point."""
        expl = self.normal(_as_expr(e))
        for pt in self.space.samples():
            if self._encloses_sign(expl, pt, {}, strict):
                continue                    # the exact check below would pass
            try:
                v = self.space.value(expl, pt)
                if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                    raise Invalid(f"{what}: undefined at {self.space.describe(pt)}")
                s = sign(v)
            except UndecidedError:
                continue
            if s < 0 or (strict and s == 0):
                raise Invalid(f"{what} fails at {self.space.describe(pt)}")
        status, pt = box_sign(expl, self.space.params, self.space.box, self.space,
                              strict=strict)
        if status == "verified":
            return
        if status == "negative":
            raise Invalid(f"{what} fails near {self.space.describe(pt)}")
        raise Unknown(f"{what}: could not be proven on the whole box (bisection budget)")

    def sign_class(self, e: sympy.Expr, what: str) -> int:
        """0 if ``e`` vanishes identically, else its strict sign, the same on the whole box."""
        ok, where = self.zero(e)
        if ok is True:
            return 0
        centre = dict(zip(self.space.params, self.space.centre))
        try:
            s = sign(self.space.value(e, centre))
        except UndecidedError as exc:
            raise Unknown(f"{what}: {exc}") from None
        if s == 0:
            raise Unknown(f"{what} is 0 at the centre of the box but not identically 0")
        self.positive(s * e, f"{what} keeps its sign {'+' if s > 0 else '-'}")
        return s

    # -- for every epsilon in (0, eps0] and every delta

    def eps_nonnegative(self, f: sympy.Expr, eps0: sympy.Rational, k: int, strict: bool,
                        what: str) -> None:
        space = self.space
        f = _as_expr(f)
        ok, _ = self.zero(f, {EPSILON: [eps0, eps0 / 3]})
        if ok is True:
            if strict:
                raise Invalid(f"{what}: identically 0, not > 0")
            return
        for pt in space.samples():
            for e in (eps0, eps0 / 2, eps0 / 16, eps0 / 1024):
                if self._encloses_sign(f, pt, {EPSILON: e}, strict):
                    continue                # the exact check below would pass
                try:
                    v = space.value(f, pt).xreplace({EPSILON: e})
                    if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                        raise Invalid(f"{what}: undefined at epsilon = {txt(e)}, "
                                      f"{space.describe(pt)}")
                    s = sign(v)
                except UndecidedError:
                    continue
                if s < 0 or (strict and s == 0):
                    raise Invalid(f"{what} fails at epsilon = {txt(e)}, {space.describe(pt)}")
        g = in_t(f, k)
        try:
            coeffs = {j: c for j, c in t_coefficients(g).items()}
        except _NotPolynomial:
            coeffs = None
        d = g
        order = None
        for j in range(MAX_DERIVATIVE + 1):
            if coeffs is not None:
                c = coeffs.get(j, ZERO) * sympy.factorial(j)
            else:
                c = d.xreplace({T: ZERO})
            if c.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                raise Unknown(f"{what}: derivative {j} is not finite at epsilon = 0")
            z, _ = self.zero(c)
            if z is True:
                if coeffs is None:
                    d = sympy.diff(d, T)
                continue
            if z is None:
                raise Unknown(f"{what}: cannot tell whether derivative {j} at epsilon = 0 "
                              f"vanishes identically")
            try:
                self.positive(c, f"{what}: leading coefficient (t-derivative {j})")
            except Failed as exc:
                raise type(exc)(f"{exc} (so it fails for small epsilon)") from None
            order = j
            break
        if order is None:
            raise Unknown(f"{what}: derivatives up to order {MAX_DERIVATIVE} vanish at 0")
        if coeffs is not None:
            # the lower coefficients vanish identically: g = Σ_{j >= order} C_j t^j exactly
            d = sympy.Add(*[c * sympy.factorial(j) / sympy.factorial(j - order)
                            * T ** (j - order) for j, c in coeffs.items() if j >= order])
            g_over = sympy.Add(*[c * T ** (j - order) for j, c in coeffs.items()
                                 if j >= order])
        else:
            g_over = g / T ** order
        t0 = upper_root(eps0, k)
        variables = [T] + space.params

        def forms(e):
            """``(form, quick)`` pairs: the form as given, tried first on a small budget
            (``quick``: it usually succeeds, and the other forms can cost more to make than
            the proof); then equal expressions with different enclosures, smallest first:
            the compact form, the expanded one (aux powers lowered, collected in t) and the
            factored one."""
            yield e, True
            # an expansion this large will not be smaller than e (so e comes first in the
            # order below anyway): try e before collecting and measuring it, which costs
            # more than most proofs
            large = _expansion_size(e) >= _LARGE
            if large:
                yield e, False
            out = [e]
            ex = sympy.collect(self.expanded(e), T)
            if ex != e:
                out.append(ex)
            if sympy.count_ops(ex) < _LARGE:
                try:
                    fa = sympy.factor(sympy.cancel(sympy.together(ex)))
                    if fa not in out:
                        out.append(fa)
                except (sympy.PolynomialError, TypeError, ValueError):
                    pass
            for f in sorted(out, key=sympy.count_ops):
                if not (large and f is e):
                    yield f, False

        if coeffs is not None:
            # g = t^order · h with h a polynomial in t: g > 0 on (0, t0] iff h > 0 there, and
            # h > 0 on [0, t0] x box is one bisection (no Taylor step needed)
            last = "unknown"
            for form, quick in forms(g_over):
                status, pt = box_sign(form, variables, [(Fraction(0), t0)] + space.box, space,
                                      budget=QUICK_BUDGET if quick else 4 * BOX_BUDGET)
                if status == "verified":
                    return
                if status == "negative":
                    t, rest = pt[T], {p: pt[p] for p in space.params}
                    raise Invalid(f"{what} fails near epsilon = {txt(t ** k)}, "
                                  f"{space.describe(rest)}")
                last = status
            raise Unknown(f"{what}: could not prove it on [0, eps0] x box by bisection "
                          f"({last})")
        # 1. g^(order) > 0 on [0, t1] x box (Taylor: g > 0 on (0, t1])
        t1 = None
        for form, quick in forms(d):
            t = t0
            for _ in range(1 if quick else 6):      # quick: only t1 = t0 (no step 2 then)
                status, _ = box_sign(form, variables, [(Fraction(0), t)] + space.box, space,
                                     budget=QUICK_BUDGET if quick else BOX_BUDGET // 3)
                if status == "verified":
                    t1 = t
                    break
                t = t / 4
            if t1 is not None:
                break
        if t1 is None:
            raise Unknown(f"{what}: could not prove derivative {order} positive near "
                          f"epsilon = 0 on the whole box")
        if t1 < t0:
            # 2. t > 0 there, so g > 0 iff g / t^order > 0; dividing keeps the leading term
            # free of t, which tightens the enclosure
            last = "unknown"
            for form, quick in forms(g_over):
                status, pt = box_sign(form, variables, [(t1, t0)] + space.box, space,
                                      budget=QUICK_BUDGET if quick else BOX_BUDGET)
                if status == "verified":
                    return
                if status == "negative":
                    t, rest = pt[T], {p: pt[p] for p in space.params}
                    raise Invalid(f"{what} fails near epsilon = {txt(t ** k)}, "
                                  f"{space.describe(rest)}")
                last = status
            raise Unknown(f"{what}: could not prove it on [t1, t0] x box by bisection ({last})")


# --------------------------------------------------------------------------------- reading


def _read_space(rd: Reader, cert: dict, net: NetSpec):
    """The names (parameters: real symbols; aux: positive ones) and the box. The schema has
    checked that the names are fresh identifiers (1..MAX_PARAMETERS parameters), one centre
    value per parameter and every root in 2..12; the exact checks are here."""
    names: dict[str, sympy.Symbol] = {n: sympy.Symbol(n, real=True) for n in cert["parameters"]}
    params = list(names.values())
    radius = rd.number(cert["radius"])
    if not (radius.is_Rational and radius > 0):
        raise rd.fail("$.radius", f"radius={radius} must be a positive rational")
    centre = None
    if "center" in cert:
        centre = [rd.number(v) for v in cert["center"]]
        if not all(v.is_Rational for v in centre):
            raise rd.fail("$.center", "the centre must be rational")
    aux = []
    for i, a in enumerate(cert.get("aux", [])):
        base = rd.number(a["base"], dict(names))  # earlier names only
        sym = sympy.Symbol(a["name"], positive=True)
        aux.append((sym, a["root"], base))
        names[a["name"]] = sym
    return names, ParamSpace(params, radius, aux, centre)


def _read_data(rd: Reader, cert: dict, net: NetSpec, names):
    return rd.data(cert["data"], names)


def _forward(net: NetSpec, theta, x, dec: Decider, where: str):
    """Φ(θ; x) with every hidden pre-activation's sign decided on the whole box: the output
    and, per hidden layer, the signs (-1, 0 identically, +1) of the neurons' inputs."""
    h = list(x)
    signs_out = []
    for l, layer in enumerate(net.layers):
        z = [sympy.expand(sympy.Add(*[theta[n] * h[j] for j, n in enumerate(row)
                                      if n is not None])) for row in layer]
        if l == net.depth - 1:
            return z[0], tuple(signs_out)
        signs = [dec.sign_class(v, f"{where}: input to neuron {j + 1} of layer {l + 1}")
                 for j, v in enumerate(z)]
        signs_out.append(tuple(signs))
        if net.activation == "relu":
            h = [v if s > 0 else ZERO for v, s in zip(z, signs)]
        else:
            h = z
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------- the sections


def _kkt_section(rd: Reader, cert, net, X, Y, theta, names, dec: Decider, margins) -> None:
    lam = [rd.number(v, names) for v in cert["multipliers"]]
    subs = cert.get("subgradients")  # one list per sample, exactly for ReLU (schema)
    grads = []
    s_sym = sympy.Symbol("s", positive=True)
    for i, x in enumerate(X):
        ls = dec.sign_class(lam[i], f"multiplier {i + 1}")
        if ls < 0:
            raise Invalid(f"multiplier {i + 1} is negative on the box")
        if ls == 0:
            grads.append({p: ZERO for p in net.params})
            continue
        dec.require_zero(margins[i] - 1, f"complementary slackness at sample {i + 1} "
                                         f"(multiplier > 0, so y*Phi must be 1)")
        if net.activation == "linear":
            grads.append(net.piece_gradient(theta, x, None))
            continue
        pieces = subs[i]
        path = f"$.subgradients[{i}]"
        if not pieces:
            raise rd.fail(path, "expected a non-empty list of pieces (multiplier > 0)")
        total = ZERO
        g = {p: ZERO for p in net.params}
        for q, piece in enumerate(pieces):
            w = rd.number(piece["weight"], names)
            pat = tuple(tuple(row) for row in piece["pattern"])
            wit = {k: rd.number(v, names)
                   for k, v in piece.get("witness", {}).items()}
            if dec.sign_class(w, f"sample {i + 1}, piece {q + 1}: weight") < 0:
                raise Invalid(f"convex weight {q + 1} of sample {i + 1} is negative")
            moved = {p: theta[p] + s_sym * wit.get(p, 0) for p in net.params}
            _, pre = net.forward(moved, x, pat)
            for l, layer in enumerate(pre):
                for j, z in enumerate(layer):
                    poly = sympy.Poly(sympy.expand(z), s_sym)
                    coeffs = poly.all_coeffs()[::-1]
                    want = 1 if pat[l][j] else -1
                    lead = None
                    for c in coeffs:
                        z, why = dec.zero(c)
                        if z is None:
                            raise Unknown(f"sample {i + 1}, piece {q + 1}: cannot tell whether "
                                          f"a coefficient along the witness vanishes ({why})")
                        if z is False:
                            lead = c
                            break
                    label = (f"sample {i + 1}, piece {q + 1}: neuron {j + 1} of layer {l + 1} "
                             f"along the witness")
                    if lead is None:
                        raise Invalid(f"{label} is identically 0")
                    dec.positive(want * lead, f"{label} is "
                                              f"{'positive' if want > 0 else 'negative'}")
            total += w
            for p, v in net.piece_gradient(theta, x, pat).items():
                g[p] += w * v
        dec.require_zero(total - 1, f"convex weights of sample {i + 1} sum to 1")
        grads.append(g)
    for p in net.params:
        rhs = sum((lam[i] * Y[i] * grads[i][p] for i in range(len(X))), ZERO)
        dec.require_zero(theta[p] - rhs, f"stationarity for {p}")


def _curve_section(rd: Reader, cert, net, X, Y, theta, names, dec: Decider, values) -> None:
    k, path_pt, eps0, patterns = rd.curve(cert, net, len(X), names)
    values["eps0"] = txt(eps0)
    space = dec.space
    tbox = [(Fraction(0), upper_root(eps0, k))] + space.box
    gs = []
    for p in net.params:
        g = in_t(path_pt[p], k)
        at0 = g.xreplace({T: ZERO})
        if at0.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise Invalid(f"the curve is undefined at epsilon = 0 for {p}")
        dec.require_zero(at0 - theta[p], f"the curve tends to the point ({p})")
        gs.append(g)
    if not box_defined(gs, [T] + space.params, tbox, space):
        raise Unknown("cannot show the curve is defined and continuous on [0, eps0] x box")
    for i, (x, y) in enumerate(zip(X, Y)):
        out, pre = net.forward(path_pt, x, patterns[i] if patterns else None)
        if patterns:
            for l, lay in enumerate(pre):
                for j, z in enumerate(lay):
                    s = 1 if patterns[i][l][j] else -1
                    dec.eps_nonnegative(s * z, eps0, k, False,
                                        f"sample {i + 1}: neuron {j + 1} of layer {l + 1} "
                                        f"{'>= 0' if s > 0 else '<= 0'} along the curve")
        dec.eps_nonnegative(y * out - 1, eps0, k, False,
                            f"constraint {i + 1}: y*Phi >= 1 along the curve")
    n_tilde = sum((theta[p] ** 2 for p in net.params), ZERO)
    n_curve = sum((path_pt[p] ** 2 for p in net.params), ZERO)
    dec.eps_nonnegative(n_tilde - n_curve, eps0, k, True,
                        "norm comparison |theta'|^2 < |theta|^2")
    centre = dict(zip(space.params, space.centre))
    try:
        diff0 = sympy.expand(space.value(n_curve - n_tilde, centre))
        values["leading_term_at_centre"] = txt(sympy.radsimp(leading_term(diff0, EPSILON, k)))
    except (UndecidedError, InputError, ValueError, TypeError, Failed, Unknown):
        pass


def _relevant(net: NetSpec):
    out = []
    for j, row in enumerate(net.layers[0]):
        v = net.layers[1][0][j]
        support = tuple(c for c, n in enumerate(row) if n is not None)
        if v is not None and support:
            out.append((j, support))
    return out


def _bound_section(rd: Reader, cert, net, X, Y, theta, names, dec: Decider, signs) -> str:
    """The dual bound; returns what it proves (``global`` or ``local``)."""
    b = cert["bound"]   # type "subsets" or "pattern", one alpha per sample (schema)
    if net.depth != 2 or net.has_sharing:
        raise Invalid("bound not applicable: the dual bound needs a depth-2 network "
                      "without shared weights")
    alpha = [rd.number(v, names) for v in b["alpha"]]
    for i, a in enumerate(alpha):
        if dec.sign_class(a, f"alpha[{i + 1}]") < 0:
            raise Invalid(f"alpha[{i + 1}] is negative on the box")
    if b["type"] == "subsets":
        if len(X) > 10:
            raise Unknown(f"{len(X)} samples: 2^{len(X)} subsets is beyond this kernel")
        sets = {j: [A for A in itertools.product((0, 1), repeat=len(X)) if any(A)]
                for j, _ in _relevant(net)}
    else:
        # θ̃'s pattern, frozen on a neighbourhood: every hidden input must keep a strict sign.
        sets = {}
        for j, _ in _relevant(net):
            if net.activation == "relu" and any(signs[i][0][j] == 0 for i in range(len(X))):
                raise Invalid(f"pattern bound not applicable: the input to hidden neuron "
                              f"{j + 1} vanishes identically on a sample, so the pattern is "
                              f"not frozen near the point")
            sets[j] = [tuple(1 if net.activation == "linear" or signs[i][0][j] > 0 else 0
                             for i in range(len(X)))]
    for j, support in _relevant(net):
        for A in sets[j]:
            z = [sum((alpha[i] * Y[i] * X[i][c] for i in range(len(X)) if A[i]), ZERO)
                 for c in support]
            n2 = sum((v * v for v in z), ZERO)
            members = [i + 1 for i in range(len(X)) if A[i]]
            what = f"dual norm for neuron {j + 1}, samples {members} <= 1"
            ok, _ = dec.zero(1 - n2)
            if ok is True:
                continue
            dec.positive(1 - n2, what, strict=False)
    lb = 2 * sum(alpha, ZERO)
    n2 = sum((theta[p] ** 2 for p in net.params), ZERO)
    dec.require_zero(n2 - lb, "the lower bound 2*sum(alpha) equals |theta|^2")
    return "global" if b["type"] == "subsets" else "local"


def _better_section(rd: Reader, cert, net, X, Y, theta, names, dec: Decider, values) -> str:
    """A feasible point with a strictly smaller norm for every δ (Problem 2), or, with
    ``layer``, one that differs from θ̃ only in that layer and has a strictly smaller layer
    norm (Problem 4 of that layer): θ̃ is not a global optimum."""
    sec = cert["better_point"]
    better = rd.point(sec["point"], net, names)
    layer = sec.get("layer")
    free = net.layer_params(layer) if layer is not None else net.params
    for p in net.params:
        if p not in free:
            dec.require_zero(better[p] - theta[p], f"the better point leaves {p} "
                                                   f"(not in layer {layer}) unchanged")
    if not box_defined([better[p] for p in free], dec.space.params, dec.space.box, dec.space):
        raise Unknown("cannot show the better point is defined (finite) on the whole box")
    for i, (x, y) in enumerate(zip(X, Y)):
        out, _ = _forward(net, better, x, dec, f"better point, sample {i + 1}")
        m = y * out
        if dec.zero(m - 1)[0] is not True:
            dec.positive(m - 1, f"better point, constraint {i + 1}: y*Phi >= 1", strict=False)
    gap = sum((theta[p] ** 2 - better[p] ** 2 for p in free), ZERO)
    try:
        centre = dict(zip(dec.space.params, dec.space.centre))
        values["better_norm2_at_centre"] = txt(sympy.radsimp(sympy.expand(dec.space.value(
            sum((better[p] ** 2 for p in free), ZERO), centre))))
    except (InputError, ValueError, TypeError, Failed, Unknown, UndecidedError):
        pass
    dec.positive(gap, "the better point's norm is strictly smaller"
                      + (f" (layer {layer})" if layer is not None else ""))
    if layer is None:
        return "not-global"
    values["better_layer"] = layer
    return "per-layer-not-global"


def _per_layer_local_section(net, X, signs) -> str:
    """Every layer of θ̃ is a local optimum of its Problem 4, for every δ.

    Lemma (checked here: its hypotheses; the KKT section has proven the rest). If every hidden
    input at θ̃ keeps a strict sign on every sample (ReLU), the activation pattern is constant
    near θ̃, so there Φ(θ; x_i) is linear in each layer u^(l) with the other layers fixed (a
    product of masked matrices): near θ̃, Problem 4 of layer l is the convex program
    ``min ‖u‖² s.t. y_i <a_i, u> >= 1`` restricted to a neighbourhood, and the Problem-2 KKT
    conditions, read on layer l's coordinates, are that program's KKT conditions (same
    multipliers). So u^(l) minimizes it, hence is a local optimum of Problem 4. Linear
    networks need no pattern (Φ is linear in each layer everywhere)."""
    if net.activation == "relu":
        for i in range(len(X)):
            for l, layer in enumerate(signs[i]):
                for j, s in enumerate(layer):
                    if s == 0:
                        raise Invalid(f"per-layer local not applicable: the input to neuron "
                                      f"{j + 1} of layer {l + 1} vanishes identically on "
                                      f"sample {i + 1} (the pattern is not frozen)")
    return "per-layer-local"


# --------------------------------------------------------------------------------- checker


@register_checker("robust")
def _check_robust(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])   # Problem 2 only (schema)
    names, space = _read_space(rd, cert, net)
    X, Y = _read_data(rd, cert, net, names)
    theta = rd.point(cert["point"], net, names)
    sections = [s for s in ("multipliers", "curve", "bound", "better_point",
                            "per_layer_local") if s in cert]
    if not sections:
        raise rd.fail("$", "expected at least one of multipliers (KKT), curve (not local), "
                           "bound (global or local), better_point (not global) or "
                           "per_layer_local")
    if "per_layer_local" in cert and "multipliers" not in cert:
        raise rd.fail("$.per_layer_local", "needs the KKT section (multipliers)")
    dec = Decider(space)
    centre = dict(zip(space.params, space.centre))
    values: dict[str, Any] = {"radius": txt(space.radius),
                              "parameters": [str(p) for p in space.params],
                              "center": [txt(c) for c in space.centre]}
    try:
        values["norm2"] = txt(sympy.radsimp(sympy.expand(space.value(
            sum((theta[p] ** 2 for p in net.params), ZERO), centre))))
    except (InputError, ValueError, TypeError, Failed, Unknown, UndecidedError):
        pass
    proven = []
    try:
        for a, q, base in space.aux:
            dec.positive(base, f"the base of aux {a} is positive")
        defined = [v for x in X for v in x] + [theta[p] for p in net.params]
        if not box_defined(defined, space.params, space.box, space):
            raise Unknown("cannot show the data and the point are defined (finite) on the "
                          "whole box")
        margins, signs = [], []
        for i, (x, y) in enumerate(zip(X, Y)):
            out, sg = _forward(net, theta, x, dec, f"sample {i + 1}")
            signs.append(sg)
            m = y * out
            if dec.zero(m - 1)[0] is not True:
                dec.positive(m - 1, f"constraint {i + 1}: y*Phi >= 1")
            margins.append(m)
        if "multipliers" in cert:
            _kkt_section(rd, cert, net, X, Y, theta, names, dec, margins)
            proven.append("kkt")
        if "curve" in cert:
            _curve_section(rd, cert, net, X, Y, theta, names, dec, values)
            proven.append("not-local")
        if "bound" in cert:
            proven.append(_bound_section(rd, cert, net, X, Y, theta, names, dec, signs))
        if "per_layer_local" in cert:
            proven.append(_per_layer_local_section(net, X, signs))
        if "better_point" in cert:
            proven.append(_better_section(rd, cert, net, X, Y, theta, names, dec, values))
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    values["verdicts"] = proven
    box = ", ".join(f"{p} in [{txt(c - space.radius)}, {txt(c + space.radius)}]"
                    for p, c in zip(space.params, space.centre))
    return Verdict("verified", (f"for every {box}: " + ", ".join(proven)
                                + " hold exactly",), values)
