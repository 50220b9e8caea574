"""``convergence``: gradient flow from θ(0) converges in direction to θ̃, by an invariant set.

Gradient flow (GF) on the exponential or logistic loss, ``dθ/dt ∈ -∂°L(θ)`` (the Clarke
subdifferential for ReLU networks), is numerically evidence only. This kind proves the
*direction* of convergence exactly, from three ingredients:

1. **Theorem 2.1** (Lyu and Li 2019, Ji and Telgarsky 2020; cited, not re-proven): if
   ``L(θ(t0)) < ℓ(0)`` for some t0 (``ℓ(0) = 1`` for the exponential loss, ``log 2`` for the
   logistic loss: every sample strictly classified), then ``‖θ(t)‖ → ∞`` and
   ``θ(t)/‖θ(t)‖`` converges to the direction of a KKT point of Problem 2. The kernel checks
   ``L(θ(0)) < ℓ(0)`` exactly (interval enclosure of ``Σ exp(-y_i Φ_i)`` against 1, or of
   ``Σ log(1 + exp(-y_i Φ_i))`` against ``log 2``) for every listed loss.
2. **An invariant set** ``S`` of the flow containing θ(0): coordinates that keep their initial
   value (``fixed``), groups of coordinates that stay equal (``equal``), and coordinates that
   stay strictly positive (``positive``). Every trajectory from θ(0) stays in
   ``S ∩ {positive > 0}``, so the limit direction lies in the cone ``V ∩ {positive >= 0}``,
   where ``V`` is ``S`` with the fixed coordinates set to 0 (they are bounded while
   ``‖θ‖ → ∞``).
3. **Uniqueness**: every KKT point of Problem 2 in ``V ∩ {positive >= 0}`` equals θ̃.

How 2 is checked. ``S`` is parametrised by one symbol per equality group and per free
coordinate (fixed coordinates are their initial values). For ReLU networks the kernel
enumerates, per sample, the activation patterns possible near ``S ∩ {positive > 0}``: a hidden
input whose restriction to ``S`` is a non-zero polynomial in the positive symbols only, with
all coefficients of one strict sign, has that strict sign near ``S ∩ {positive > 0}``; any
other input (undetermined, or identically 0 on ``S``) may take either state. For every sample i
and every such pattern π, with ``G = ∇Φ_i^π`` restricted to ``S`` (exact polynomial identities):

* ``G_p ≡ 0`` for a fixed p; ``G_p ≡ G_q`` for p, q in one group: the components of the vector
  field normal to ``S`` vanish on ``S`` for *every* selection of the Clarke subdifferential
  (``-∂°L ⊆ Σ_i -ℓ'(y_iΦ_i) y_i conv{∇Φ_i^π}``), so near ``S`` they are bounded by
  ``K·dist(θ, S)`` and Grönwall's inequality keeps every solution in ``S`` (uniqueness of
  solutions is not needed, which matters for the ReLU inclusion);
* for a positive p with symbol r: ``y_i G_p = r·q + h`` where ``h`` (G_p at r = 0) is a
  polynomial in positive symbols with non-negative coefficients, so along the flow
  ``dr/dt = r·g(t) + h(t)`` with ``h >= 0`` while the positive coordinates are >= 0, hence
  ``r(t) >= r(0)·exp(∫g) > 0`` (a first-exit-time argument covers all three at once).

How 3 is checked. For each subset Z of the positive symbols (set to 0; the others > 0) and
each non-empty set A of active samples, the kernel solves exactly (``solve_poly_system``, a
lex Gröbner basis, ``strict=True`` so no root is silently dropped) the polynomial system
``θ = Σ_{i∈A} λ_i y_i G_i(θ)``, ``y_i Φ_i(θ) = 1 (i ∈ A)`` on ``V``; it keeps the real
solutions with ``λ >= 0``, the other constraints satisfied, positive symbols > 0, and (ReLU) a
pattern consistent with the solution's signs. For ReLU, the patterns of sample i whose margin
vanishes identically on ``V`` are discarded (they cannot be adjacent at a feasible point, where
Φ_i = that piece's value = 0); the remaining patterns must share one gradient on ``V``, so the
Clarke subdifferential of Φ_i at every feasible point of ``V`` is that single gradient.
Otherwise, or if a system is not zero-dimensional, the verdict is ``unknown``.

Verdicts: ``verified`` when 1-3 hold and the only surviving KKT point is θ̃; ``refuted``
(the statement "GF converges in direction to the KKT point θ̃" is false) only when 1 and 2 hold
and θ̃ is not among the KKT points of the cone: gradient flow provably converges to the
direction of one of those, and θ̃ is not it (or is not a KKT point); ``unknown`` when the
certificate does not apply or fails (θ(0) not in ``S``, ``L(θ(0)) >= ℓ(0)``: Theorem 2.1 is
silent, though gradient flow may well converge; an identity fails, so ``S`` is not shown
invariant; the positivity rule, only sufficient, fails), when another KKT point survives (the
argument cannot tell which one GF picks) or something is undecidable.

Fields (besides ``network``, ``data``, ``point`` = θ̃; Problem 2 only): ``init`` (parameter ->
exact number), ``losses`` (subset of ``["exp", "logistic"]``, default both), ``invariant``:
``{"fixed": [names], "equal": [[names], ...], "positive": [names]}`` (each name at most once in
``fixed`` and ``equal``; a positive name may not be fixed).
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Mapping, Sequence

import sympy
from sympy.polys.polyerrors import PolynomialError

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, norm2, register_checker, txt)
from .net import NetSpec, Pattern
from .schema import LOSSES  # declared with the other fields, re-exported

__all__ = ["LOSSES", "pattern_classes", "expand_class"]

MAX_PATTERNS = 4096
MAX_SAMPLES = 10


# ------------------------------------------------------------------------ exact identities


def _is_zero(expr: sympy.Expr) -> bool:
    """Decide ``expr ≡ 0`` for a polynomial with algebraic coefficients, exactly."""
    e = sympy.expand(expr)
    if e == 0:
        return True
    gens = sorted(e.free_symbols, key=str)
    if not gens:
        return decide(e) == 0
    try:
        coeffs = sympy.Poly(e, *gens).coeffs()
    except PolynomialError:
        raise Unknown(f"not a polynomial in the invariant set's coordinates: {e}") from None
    return all(decide(c) == 0 for c in coeffs)


def _terms(e: sympy.Expr, gens: Sequence[sympy.Symbol]):
    """Non-zero ``(monomial exponents, coefficient)`` pairs of a polynomial."""
    e = sympy.expand(e)
    if e == 0:
        return []
    if not gens:
        return [((), e)] if decide(e) != 0 else []
    poly = sympy.Poly(e, *gens)
    return [(m, c) for m, c in poly.terms() if decide(c) != 0]


def _region_sign(z: sympy.Expr, gens: Sequence[sympy.Symbol],
                 positive: frozenset) -> int | None:
    """Strict sign of ``z`` on ``{positive symbols > 0}`` if its form fixes it, 0 if ``z ≡ 0``,
    None if undetermined."""
    terms = _terms(z, gens)
    if not terms:
        return 0
    signs = set()
    for monom, coeff in terms:
        if any(k and gens[j] not in positive for j, k in enumerate(monom)):
            return None
        signs.add(decide(coeff))
    return signs.pop() if len(signs) == 1 else None


def _nonneg_on_orthant(h: sympy.Expr, gens: Sequence[sympy.Symbol],
                       positive: frozenset) -> bool:
    """``h`` is a polynomial in positive symbols with coefficients >= 0 (so ``h >= 0``)."""
    for monom, coeff in _terms(h, gens):
        if any(k and gens[j] not in positive for j, k in enumerate(monom)):
            return False
        if decide(coeff) < 0:
            return False
    return True


# ------------------------------------------------------------------------ pieces on a set


def pattern_classes(net: NetSpec, theta: Mapping[str, sympy.Expr], x, gens, positive
              ) -> list[tuple | None]:
    """Activation-pattern *classes* possible near ``{θ(r) : positive symbols > 0}`` at ``x``.

    Entries are 1 (active), 0 (inactive) or None: the hidden input vanishes identically on
    the set, so both states give the same values there (but maybe different gradients; see
    :func:`expand_class`). A hidden input of undetermined sign splits the class in two.
    """
    if net.activation == "linear":
        return [None]
    states: list[tuple[tuple, list]] = [((), list(x))]
    for layer in net.layers[:-1]:
        nxt = []
        for prefix, h in states:
            z = [sympy.expand(sympy.Add(*[theta[n] * h[j] for j, n in enumerate(row)
                                          if n is not None])) for row in layer]
            choices = []
            for v in z:
                s = _region_sign(v, gens, positive)
                choices.append((1,) if s == 1 else (0,) if s == -1 else (None,) if s == 0
                               else (0, 1))
            for pick in product(*choices):
                nxt.append((prefix + (pick,),
                            [v if b == 1 else sympy.Integer(0) for v, b in zip(z, pick)]))
                if len(nxt) > MAX_PATTERNS:
                    raise Unknown(f"more than {MAX_PATTERNS} activation patterns to consider")
        states = nxt
    return [p for p, _ in states]


def expand_class(cls: tuple | None) -> list[Pattern | None]:
    """The concrete patterns of a class (None entries take both states)."""
    if cls is None:
        return [None]
    slots = [(l, j) for l, row in enumerate(cls) for j, b in enumerate(row) if b is None]
    if 2 ** len(slots) > MAX_PATTERNS:
        raise Unknown(f"more than {MAX_PATTERNS} activation patterns to consider")
    out = []
    for bits in product((0, 1), repeat=len(slots)):
        rows = [list(r) for r in cls]
        for (l, j), b in zip(slots, bits):
            rows[l][j] = b
        out.append(tuple(tuple(r) for r in rows))
    return out


def _representative(cls: tuple | None) -> Pattern | None:
    """One concrete pattern of a class: its values on the set are those of every member."""
    if cls is None:
        return None
    return tuple(tuple(0 if b is None else b for b in row) for row in cls)


class _Pieces:
    """Φ_i^π and ∇Φ_i^π as polynomials in one symbol per parameter (cached)."""

    def __init__(self, net: NetSpec) -> None:
        self.net = net
        self.syms = {p: sympy.Symbol(f"_t_{p}") for p in net.params}
        self._cache: dict = {}

    def get(self, x, pattern):
        key = (tuple(x), pattern)
        if key not in self._cache:
            phi, _ = self.net.forward(self.syms, x, pattern)
            grad = {p: sympy.diff(phi, s) for p, s in self.syms.items()}
            self._cache[key] = (phi, grad)
        return self._cache[key]

    def on(self, theta: Mapping[str, sympy.Expr]) -> dict:
        return {self.syms[p]: theta[p] for p in self.net.params}


# ------------------------------------------------------------------------------ the checker


def _read_invariant(rd: Reader, cert: dict, net: NetSpec):
    """``fixed``, ``equal``, ``positive``: the schema checked they are lists of parameter
    names (distinct within each list, groups of at least 2); the relations between them are
    checked here."""
    inv = cert["invariant"]
    fixed = list(inv.get("fixed", []))
    equal = [list(g) for g in inv.get("equal", [])]
    positive = list(inv.get("positive", []))
    seen: set[str] = set()
    for n in fixed + [n for g in equal for n in g]:
        if n in seen:
            raise rd.fail("$.invariant", f"parameter {n} appears twice in fixed/equal")
        seen.add(n)
    for n in positive:
        if n in fixed:
            raise rd.fail("$.invariant.positive", f"{n} is fixed; it cannot be positive")
    return fixed, equal, positive


def _read_losses(rd: Reader, cert: dict) -> list[str]:
    """The losses (a non-empty list of distinct LOSSES, checked by the schema); default all."""
    return list(cert.get("losses", LOSSES))


LOSS_AT_ZERO = {"exp": sympy.Integer(1), "logistic": sympy.log(2)}
"""``ℓ(0)`` per loss: Theorem 2.1 (Lyu and Li 2019, Ji and Telgarsky 2020) needs
``L(θ(t0)) < ℓ(0)``, i.e. every sample strictly classified (for the logistic loss ``< 1`` is
not enough: a sample at margin 0 contributes only ``log 2``)."""
LOSS_AT_ZERO_TEXT = {"exp": "1", "logistic": "log(2)"}


def _loss(kind: str, margins: Sequence[sympy.Expr]) -> sympy.Expr:
    if kind == "exp":
        return sympy.Add(*[sympy.exp(-m) for m in margins])
    return sympy.Add(*[sympy.log(1 + sympy.exp(-m)) for m in margins])


def _setting(net: NetSpec, fixed, equal, values: Mapping[str, sympy.Expr] | None):
    """Parametrise ``S`` (fixed = ``values``) or ``V`` (fixed = 0, ``values=None``)."""
    theta: dict[str, sympy.Expr] = {}
    rep: dict[str, sympy.Symbol] = {}
    for k, g in enumerate(equal):
        s = sympy.Symbol(f"_g{k}")
        for n in g:
            theta[n] = rep[n] = s
    for n in net.params:
        if n in fixed:
            theta[n] = values[n] if values is not None else sympy.Integer(0)
        elif n not in theta:
            theta[n] = rep[n] = sympy.Symbol(f"_r_{n}")
    gens = list(dict.fromkeys(rep.values()))
    return theta, rep, gens


def _check_invariance(net, X, Y, init, fixed, equal, positive, pieces) -> list[str]:
    """Tangency and positivity on every piece possible near the set (see the module doc).

    A failed identity refutes the certificate only where the failing piece provably occurs:
    for a linear network (one piece), for a piece forced on the whole set (every hidden sign
    determined there), or for the piece of θ(0) itself when θ(0)'s hidden inputs are all
    non-zero and the normal component is non-zero at θ(0) (then the flow leaves the set at
    once). Otherwise the enumerated piece may never occur and the verdict is ``unknown``. A
    failed positivity rule is ``unknown`` too: the rule is only sufficient.
    """
    theta, rep, gens = _setting(net, fixed, equal, init)
    pos = frozenset(rep[n] for n in positive)
    sub = pieces.on(theta)
    at_init = {rep[n]: init[n] for n in rep}
    n_pieces = 0

    def fail(msg: str, pat, comp: sympy.Expr, x, forced: bool) -> None:
        if pat is None or forced:
            raise Invalid(msg)
        _, pre = net.forward(init, x, pat)
        strict = all(decide(z) == (1 if pat[l][j] else -1)
                     for l, layer in enumerate(pre) for j, z in enumerate(layer))
        if strict and decide(sympy.expand(comp.xreplace(at_init))) != 0:
            raise Invalid(msg + " (this piece is the one at init, where the component is "
                                "non-zero)")
        raise Unknown(msg + "; this piece may never occur along the flow, so the set is not "
                            "refuted, only not shown invariant")

    for i, (x, y) in enumerate(zip(X, Y)):
        classes = pattern_classes(net, theta, x, gens, pos)
        forced = len(classes) == 1 and (classes[0] is None
                                        or all(b is not None for r in classes[0] for b in r))
        for pat in (p for c in classes for p in expand_class(c)):
            n_pieces += 1
            _, grad = pieces.get(x, pat)
            g = {p: sympy.expand(grad[p].xreplace(sub)) for p in net.params}
            where = f"sample {i + 1}" + ("" if pat is None else f", pattern {list(pat)}")
            for p in fixed:
                if not _is_zero(g[p]):
                    fail(f"{where}: dPhi/d{p} = {txt(g[p])} is not 0 on the invariant set, so "
                         f"{p} does not stay fixed", pat, g[p], x, forced)
            for grp in equal:
                for q in grp[1:]:
                    d = sympy.expand(g[grp[0]] - g[q])
                    if not _is_zero(d):
                        fail(f"{where}: dPhi/d{grp[0]} - dPhi/d{q} = {txt(d)} is not 0 on the "
                             f"invariant set, so {grp[0]} and {q} drift apart", pat, d, x,
                             forced)
            for p in positive:
                h = sympy.expand((y * g[p]).xreplace({rep[p]: 0}))
                if not _nonneg_on_orthant(h, gens, pos):
                    raise Unknown(f"{where}: y*dPhi/d{p} = {txt(sympy.expand(y * g[p]))} is "
                                  f"not (multiple of {p}) + (non-negative polynomial in the "
                                  f"positive coordinates), so {p} > 0 is not shown invariant")
    return [f"the invariant set is tangent to every piece of the flow ({n_pieces} "
            f"sample-pieces checked)"]


def _kkt_on_cone(net, X, Y, fixed, equal, positive, pieces) -> list[dict]:
    """Every KKT point of Problem 2 on ``V ∩ {positive >= 0}`` (exactly), or Unknown."""
    theta_v, rep, gens_all = _setting(net, fixed, equal, None)
    pos_all = list(dict.fromkeys(rep[n] for n in positive))
    found: list[dict] = []
    for nz in range(len(pos_all) + 1):
        for zero in combinations(pos_all, nz):
            zsub = {s: sympy.Integer(0) for s in zero}
            theta = {p: v.xreplace(zsub) for p, v in theta_v.items()}
            gens = [s for s in gens_all if s not in zero]
            pos = frozenset(s for s in pos_all if s not in zero)
            sub = pieces.on(theta)
            phis, grads, pats = [], [], []
            infeasible = False
            for i, (x, y) in enumerate(zip(X, Y)):
                keep = []
                for cls in pattern_classes(net, theta, x, gens, pos):
                    phi, _ = pieces.get(x, _representative(cls))
                    phi_v = sympy.expand(y * phi.xreplace(sub))
                    if _is_zero(phi_v):
                        continue       # margin 0 on the set: never adjacent where feasible
                    for pat in expand_class(cls):
                        _, grad = pieces.get(x, pat)
                        keep.append((pat, phi_v, {p: sympy.expand(grad[p].xreplace(sub))
                                                  for p in net.params}))
                if not keep:
                    infeasible = True
                    break
                base = keep[0][2]
                for pat, _, g in keep[1:]:
                    if not all(_is_zero(g[p] - base[p]) for p in net.params):
                        raise Unknown(f"sample {i + 1}: pieces {list(keep[0][0])} and "
                                      f"{list(pat)} have different gradients on the "
                                      f"invariant subspace")
                phis.append(keep[0][1])
                grads.append(base)
                pats.append([k[0] for k in keep])
            if infeasible:
                continue
            found += _solve_cases(net, X, Y, theta, gens, pos, phis, grads, pats)
    unique: list[dict] = []
    for pt in found:
        if not any(all(decide(pt[p] - q[p]) == 0 for p in net.params) for q in unique):
            unique.append(pt)
    return unique


def _solve_cases(net, X, Y, theta, gens, pos, phis, grads, pats) -> list[dict]:
    n = len(X)
    out = []
    for size in range(1, n + 1):
        for active in combinations(range(n), size):
            lams = [sympy.Symbol(f"_lambda{i}") for i in active]
            eqs = []
            for p in net.params:
                rhs = sympy.Add(*[lm * Y[i] * grads[i][p] for lm, i in zip(lams, active)])
                eqs.append(sympy.expand(theta[p] - rhs))
            eqs += [sympy.expand(phis[i] - 1) for i in active]
            eqs = [e for e in eqs if e != 0]
            unknowns = list(gens) + lams
            try:
                sols = _real_solutions(eqs, unknowns)
            except Unknown as exc:
                raise Unknown(f"the KKT system with active samples "
                              f"{[i + 1 for i in active]}: {exc}") from None
            except Exception as exc:  # sympy polys errors: report, never guess
                raise Unknown(f"the KKT system with active samples "
                              f"{[i + 1 for i in active]} could not be solved: "
                              f"{type(exc).__name__}") from None
            for sol in sols:
                vals = dict(zip(unknowns, sol))
                if any(decide(vals[lm]) < 0 for lm in lams):
                    continue
                if any(decide(vals[s]) <= 0 for s in gens if s in pos):
                    continue
                pt = {p: sympy.radsimp(theta[p].xreplace(vals)) for p in net.params}
                if any(decide(phis[i].xreplace(vals) - 1) < 0 for i in range(n)):
                    continue
                if net.activation == "relu" and not all(
                        any(_consistent(net, pt, X[i], pat) for pat in pats[i])
                        for i in range(n)):
                    continue
                out.append(pt)
    return out


_SOLVED: dict[tuple, list[tuple]] = {}
_SOLVED_MAX = 1024


def _real_solutions(eqs: list, gens: list) -> list[tuple]:
    """:func:`_solve_real`, each system solved once per process (the checks meet the same
    systems again: about half the work of a ``symkkt verify``)."""
    key = (tuple(eqs), tuple(gens))
    hit = _SOLVED.get(key)
    if hit is None:
        hit = _solve_real(list(eqs), list(gens))   # Unknown propagates, nothing cached
        if len(_SOLVED) >= _SOLVED_MAX:
            _SOLVED.clear()
        _SOLVED[key] = hit
    return list(hit)


def _solve_real(eqs: list, gens: list) -> list[tuple]:
    """Every real solution of a zero-dimensional polynomial system, exactly.

    Lex Gröbner basis over the algebraic number field of the coefficients (exact arithmetic,
    ``extension=True``); its last element is univariate in the last unknown, whose roots are
    found in radicals with ``strict=True`` (an unsolvable factor is an error, never a silently
    shorter list). Non-real roots are dropped (decided exactly) before back-substitution, which
    loses only non-real solutions; constants left after substitution are decided exactly.
    """
    eqs = [e for e in eqs if e != 0]
    if not gens:
        return [()] if all(decide(e) == 0 for e in eqs) else []
    consts = [e for e in eqs if not e.free_symbols & set(gens)]
    if any(decide(e) != 0 for e in consts):
        return []
    eqs = [e for e in eqs if e.free_symbols & set(gens)]
    if not eqs:
        raise Unknown("not zero-dimensional (an unknown is unconstrained)")
    basis = sympy.groebner(eqs, *gens, order="lex", extension=True)
    exprs = list(basis.exprs)
    if any(not e.free_symbols & set(gens) for e in exprs):
        return []                         # the basis is {1}: no solution at all
    if not basis.is_zero_dimensional:
        raise Unknown("not zero-dimensional (infinitely many solutions)")
    last = gens[-1]
    univ = [e for e in exprs if e.free_symbols & set(gens) == {last}]
    if not univ:
        raise Unknown("no univariate polynomial in the lex basis")
    f = min(univ, key=lambda e: sympy.degree(e, last))
    try:
        zeros = sympy.roots(sympy.Poly(f, last), strict=True)
    except Exception as exc:   # UnsolvableFactorError and friends: never guess
        raise Unknown(f"roots not expressible in radicals ({type(exc).__name__})") from None
    out = []
    for z in zeros:
        if not _real(z):
            continue
        rest = [sympy.expand(e.xreplace({last: z})) for e in exprs]
        for sol in _real_solutions(rest, gens[:-1]):
            out.append(sol + (z,))
    return out


def _real(v: sympy.Expr) -> bool:
    if v.is_real is True:
        return True
    if v.is_real is False:
        return False
    return decide(sympy.im(v)) == 0


def _consistent(net: NetSpec, pt, x, pattern) -> bool:
    _, pre = net.forward(pt, x, pattern)
    for l, layer in enumerate(pre):
        for j, z in enumerate(layer):
            s = decide(z)
            if (pattern[l][j] == 1 and s < 0) or (pattern[l][j] == 0 and s > 0):
                return False
    return True


@register_checker("convergence")
def _check_convergence(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])   # Problem 2 only (schema)
    X, Y = rd.data(cert["data"])
    if len(X) > MAX_SAMPLES:
        raise rd.fail("$.data", f"{len(X)} samples; this kind handles at most {MAX_SAMPLES}")
    point = rd.point(cert["point"], net)
    init = rd.point(cert["init"], net)
    losses = _read_losses(rd, cert)
    fixed, equal, positive = _read_invariant(rd, cert, net)
    values = {"norm2": txt(norm2(point, net.params)), "losses": losses,
              "invariant": {"fixed": fixed, "equal": equal, "positive": positive}}
    reasons: list[str] = []
    try:
        for grp in equal:
            for q in grp[1:]:
                if decide(init[grp[0]] - init[q]) != 0:
                    raise Invalid(f"init is not in the invariant set: {grp[0]} = "
                                  f"{txt(init[grp[0]])} but {q} = {txt(init[q])}")
        for p in positive:
            if decide(init[p]) <= 0:
                raise Invalid(f"init has {p} = {txt(init[p])}, not > 0")
        margins = [sympy.expand(y * net.output(init, x)) for x, y in zip(X, Y)]
        values["init_margins"] = [txt(m) for m in margins]
        for loss in losses:
            if decide(LOSS_AT_ZERO[loss] - _loss(loss, margins)) <= 0:
                raise Invalid(f"the {loss} loss at init is not < {LOSS_AT_ZERO_TEXT[loss]} "
                              f"(init margins {', '.join(txt(m) for m in margins)}), so "
                              f"Theorem 2.1 does not apply from t = 0 (gradient flow may still "
                              f"converge; this certificate cannot tell)")
        reasons.append("L(theta(0)) < l(0) for the "
                       + " and ".join(f"{loss} loss (l(0) = {LOSS_AT_ZERO_TEXT[loss]})"
                                      for loss in losses)
                       + ": every sample is strictly classified, Theorem 2.1 applies: "
                         "||theta|| -> oo and the direction converges to a KKT point")
        pieces = _Pieces(net)
        reasons += _check_invariance(net, X, Y, init, fixed, equal, positive, pieces)
        kkts = _kkt_on_cone(net, X, Y, fixed, equal, positive, pieces)
        values["kkt_points_on_invariant"] = len(kkts)
        hit = [q for q in kkts if all(decide(q[p] - point[p]) == 0 for p in net.params)]
        others = [q for q in kkts if q not in hit]
        if not hit:
            raise Refuted("the point is not a KKT point of Problem 2 in the invariant cone"
                          + (f"; the cone's KKT point(s): "
                             f"{[{p: txt(v) for p, v in q.items()} for q in kkts]}"
                             if kkts else ""))
        if others:
            raise Unknown(f"the invariant cone holds {len(others)} other KKT point(s), e.g. "
                          f"{ {p: txt(v) for p, v in others[0].items()} }; the invariant does "
                          f"not say which one gradient flow reaches")
        reasons.append("the point is the only KKT point of Problem 2 in the invariant cone, so "
                       "gradient flow from init converges in direction to it")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", tuple(reasons), values)
