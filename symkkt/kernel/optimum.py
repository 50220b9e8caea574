"""Certified optima: exact lower bounds on the optimal value of Problem 2 or Problem 4.

A claim "θ̃ is a global (local) optimum" is certified by a *lower bound* ``L`` on ``‖θ‖²`` over
every feasible θ (every feasible θ near θ̃) together with ``L = ‖θ̃‖²`` and θ̃ feasible. Every
bound below comes from weak duality of a convex problem that the network's non-convex problem
reduces to; the certificate carries the dual variables, the kernel recomputes the bound from
them and compares exactly (``decide``: validated intervals plus exact zero tests). Nothing here
solves an optimization problem.

Kinds registered here (``docs/certificates.md`` has the JSON):

``global``            Problem 2, ``L`` bounds ``‖θ‖²`` for every feasible θ.
``global-optimum-value``  the same bound, proving that the given point θ* is optimal: the
                      certified optimal value of Problem 2 for the dataset (``reference_point``
                      θ̃ gives the ratio ``‖θ̃‖²/‖θ*‖²``).
``optimum-bracket``   a global lower bound L and a feasible point with ‖θ‖² = U: the
                      optimal value lies in [L, U] (for optima beyond the grammar).
``local``             Problem 2, ``L`` bounds ``‖θ‖²`` for every feasible θ in a neighbourhood.
``per-layer-global``  Problem 4 for layer ``l``: every feasible ``u^(l)`` (others fixed).
``per-layer-local``   Problem 4, every feasible ``u^(l)`` near ``ũ^(l)``.

Bound types and why each is sound (x|S: x restricted to the coordinates S; a neuron is
*relevant* if it has an output parameter and a non-empty support S_j in layer 1):

``predictor`` (linear network without shared weights, any depth m; tight when fully connected).
    Φ(θ; x) = <β, x> with β = W^(m)···W^(1), so ‖β‖ <= Π‖W^(l)‖_op <= Π‖W^(l)‖_F, and without
    sharing ‖θ‖² = Σ_l ‖W^(l)‖_F² >= m (Π_l ‖W^(l)‖_F²)^(1/m) >= m ‖β‖^(2/m) (AM-GM).
    For α >= 0 and a feasible β (y_i <β, x_i> >= 1): ‖β‖² >= ‖β‖² - 2Σα_i(y_i<β,x_i> - 1)
    >= min_b (‖b‖² - 2<b, w>) + 2Σα = 2Σα - ‖w‖², w = Σ α_i y_i x_i (QP weak duality).
    Hence ‖θ‖² >= m·D^(1/m) with D = 2Σα - ‖w‖² (bound 0 if D <= 0).
``neuron-sum`` (depth 2, linear, no sharing).
    Φ = Σ_j v_j <w_j, x|S_j> = Σ_j <u_j, x|S_j>, u_j = v_j w_j, and ‖θ‖² >= Σ_j (v_j² + ‖w_j‖²)
    >= 2Σ_j ‖u_j‖. If α >= 0 and ‖z_j‖ <= 1 with z_j = Σ α_i y_i x_i|S_j for every relevant j,
    then for feasible θ: Σα <= Σ α_i y_i Φ_i = Σ_j <u_j, z_j> <= Σ_j ‖u_j‖ <= ½‖θ‖².
``patterns`` (depth 2, ReLU, no sharing).
    A neuron's *option* is (A, s): A = {i : <w_j, x_i|S_j> >= 0}, s = +1 if v_j >= 0 else -1.
    On the closed cone C_A = {w : c_i <w, x_i> >= 0}, c_i = +1 (i in A) or -1 (i not in A),
    Σ_i a_i σ(<w, x_i>) = <g_A, w> with g_A = Σ_{i in A} a_i x_i, a_i = α_i y_i. A *case* gives
    α >= 0 and, for each neuron j and each option o = (A, s) it allows, μ^o >= 0 with
    ‖s g_A + Σ_i μ^o_i c_i x_i|S_j‖ <= 1. For a feasible θ whose options are all allowed:
    Σα <= Σ α_i y_i Φ_i = Σ_j |v_j| <s g_A, w_j> <= Σ_j |v_j| <s g_A + Σ μ c x, w_j>
    <= Σ_j |v_j| ‖w_j‖ <= ½‖θ‖², so ‖θ‖² >= 2Σα. An ``infeasible`` case has every such vector
    exactly 0 and Σα > 0: the same chain gives Σα <= 0, so no feasible θ has those options
    (Farkas). The kernel itself checks that the cases *cover* every combination of options:
    it enumerates all options (2^n sets A times 2 signs per distinct support) except those
    proven unrealizable (ν >= 0 with Σ_{i in A} ν_i x_i = Σ_{i not in A} ν_i x_i on S and
    Σ_{i not in A} ν_i > 0: then <w, x_i> >= 0 on A and < 0 off A is impossible), and every
    set of min(k_S, #options) options of each support class (k_S relevant neurons with support
    S) must lie inside one case. Neurons with equal support are interchangeable (swapping
    their parameters keeps Φ and ‖θ‖), so sets, not ordered tuples, suffice; smaller sets and
    repeated options lie inside a maximal set. The bound is the minimum over feasible cases.
``arrangement`` (depth 2, ReLU, no sharing; any width, any number of samples).
    One case allowing every option, listed per *region* of the samples' hyperplane
    arrangement (with a strict interior point each) instead of per activation set; the
    chain of ``patterns`` gives ``‖θ‖² >= 2Σα`` for every feasible θ of any width (the
    convex reformulation). Completeness: the number of distinct regions listed must equal
    the exact region count of the arrangement (Zaslavsky; :mod:`.arrangement`).
``fixed-pattern`` (``local``; depth 2, no sharing; ReLU needs every hidden input non-zero at θ̃).
    The pre-activations keep their strict signs on a neighbourhood U of θ̃, so on U
    Φ(θ; x_i) = Σ_j v_j P_ji <w_j, x_i|S_j> with the pattern P of θ̃. If α >= 0 and
    ‖Σ_i α_i y_i P_ji x_i|S_j‖ <= 1 for every relevant j, the neuron-sum chain gives
    ‖θ‖² >= 2Σα for every feasible θ in U.
``sosc`` (``local``; any depth, sharing allowed).
    With every hidden input of the samples with λ_i > 0 non-zero, the problem is smooth on U
    (pattern fixed): min ½‖θ‖² s.t. h_i(θ) = y_i Φ_P(θ; x_i) - 1 >= 0. Given λ >= 0 with the
    KKT conditions at θ̃, H = I - Σ λ_i y_i ∇²Φ_P,i(θ̃) positive definite on
    {d : ∇h_i·d = 0 for every i with λ_i > 0} (a superset of the critical cone) makes θ̃ a
    strict local minimum (second-order sufficient conditions, e.g. Nocedal-Wright Thm 12.6).
    Where some of those inputs are exactly 0, the same conditions on every piece around θ̃,
    with the sign constraints of the zero inputs added (:mod:`.sosc` has the argument).
``qp`` (Problem 4 for layer l). With the other layers fixed, Φ is linear in u^(l) for a linear
    network (for ReLU: for the last layer always; for layer l < m near θ̃ when every input to
    a neuron in layers >= l is non-zero, since then the pattern of layers >= l is constant
    near ũ^(l) and layers < l do not depend on u^(l)): Φ(θ; x_i) = <a_i, u^(l)> with a_i the
    gradient of the piece at θ̃. QP weak duality as above: ‖u^(l)‖² >= 2Σα - ‖Σ α_i y_i a_i‖².

Verdicts. ``verified``: the bound holds, equals ‖θ̃‖² exactly and θ̃ is feasible. ``refuted``:
a check of the certificate provably fails (negative α, a dual norm > 1, a bound that differs
from ‖θ̃‖², θ̃ infeasible, a bound type that is not sound for this network), or, for
``global``, a supplied ``better_point`` is feasible with strictly smaller norm (θ̃ is then
provably not a global optimum). ``unknown``: the method does not apply at θ̃ (a zero hidden
input, a reduced Hessian that is not positive definite), a supplied better point fails to be
better, or a sign cannot be decided.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping, Sequence

import sympy

from .certificate import (Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, feasibility, norm2,
                          problem_layer, register_checker, txt)
from .net import NetSpec

__all__ = ["relevant_neurons", "support_groups", "MAX_SAMPLES_PATTERNS"]

ZERO = sympy.Integer(0)
ONE = sympy.Integer(1)
MAX_SAMPLES_PATTERNS = 14
MAX_COVER_NODES = 2_000_000


# ------------------------------------------------------------------------------ structure


def relevant_neurons(net: NetSpec) -> list[tuple[int, tuple[int, ...], tuple[str, ...], str]]:
    """Depth 2: (j, support S_j, incoming names on S_j, output name) of each relevant neuron.

    A neuron is relevant when its output weight is a parameter and its incoming row has at
    least one parameter; the others contribute nothing to Φ.
    """
    out = []
    for j, row in enumerate(net.layers[0]):
        v = net.layers[1][0][j]
        support = tuple(k for k, n in enumerate(row) if n is not None)
        if v is None or not support:
            continue
        out.append((j, support, tuple(row[k] for k in support), v))
    return out


def support_groups(net: NetSpec) -> list[tuple[tuple[int, ...], list[int]]]:
    """Distinct supports of the relevant neurons (first appearance order) and their neurons."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for j, support, _, _ in relevant_neurons(net):
        groups.setdefault(support, []).append(j)
    return list(groups.items())


def _canon(e: sympy.Expr) -> sympy.Expr:
    """Rationalized denominators, expanded: equal numbers print alike and round-trip."""
    return sympy.expand(sympy.radsimp(sympy.expand(e)))


def _t(e: sympy.Expr) -> str:
    return txt(_canon(e))


def _require(cond: bool, msg: str) -> None:
    if not cond:
        raise Invalid(f"bound not applicable: {msg}")


def _restrict(x: Sequence[sympy.Expr], support: Sequence[int]) -> list[sympy.Expr]:
    return [x[k] for k in support]


def _sq(v: Sequence[sympy.Expr]) -> sympy.Expr:
    return sympy.expand(sum((c * c for c in v), ZERO))


def _combo(coeffs: Sequence[sympy.Expr], vecs: Sequence[Sequence[sympy.Expr]], dim: int):
    return [sympy.expand(sum((c * v[k] for c, v in zip(coeffs, vecs) if c != 0), ZERO))
            for k in range(dim)]


def _numbers(rd: Reader, raw: list) -> list[sympy.Expr]:
    """Exact values of a list of numbers (the schema checked its length: one per sample)."""
    return [rd.number(v) for v in raw]


def _nonneg(vals: Sequence[sympy.Expr], what: str) -> None:
    for i, v in enumerate(vals):
        if decide(v) < 0:
            raise Invalid(f"{what}[{i + 1}] = {_t(v)} is negative")


def _zero_inputs(net: NetSpec, theta, X, from_layer: int = 1) -> str | None:
    """None if every hidden pre-activation in layers >= from_layer is non-zero at θ̃."""
    for i, x in enumerate(X):
        _, pre = net.forward(theta, x)
        for l, layer in enumerate(pre, start=1):
            if l < from_layer:
                continue
            for j, z in enumerate(layer):
                if decide(z) == 0:
                    return f"sample {i + 1}: the input to neuron {j + 1} of layer {l} is 0"
    return None


def _pattern(net: NetSpec, theta, x):
    if net.activation == "linear":
        return None
    _, pre = net.forward(theta, x)
    return tuple(tuple(1 if decide(z) > 0 else 0 for z in layer) for layer in pre)


# --------------------------------------------------------------------------------- bounds


def _bound_predictor(rd: Reader, b: dict, net: NetSpec, X, Y) -> tuple[sympy.Expr, dict]:
    alpha = _numbers(rd, b["alpha"])
    _require(net.activation == "linear", "the predictor bound needs a linear network")
    _require(not net.has_sharing, "the predictor bound needs a network without shared weights")
    _nonneg(alpha, "alpha")
    m = net.depth
    w = _combo([a * y for a, y in zip(alpha, Y)], X, net.input_dim)
    D = sympy.expand(2 * sum(alpha, ZERO) - _sq(w))
    bound = m * D ** sympy.Rational(1, m) if decide(D) > 0 else ZERO
    return bound, {"predictor_dual_value": _t(D), "predictor": [_t(c) for c in w]}


def _neuron_sum(net: NetSpec, alpha, X, Y, masks=None) -> sympy.Expr:
    """2Σα after checking ‖Σ α_i y_i P_ji x_i|S_j‖ <= 1 for every relevant neuron j."""
    for j, support, _, _ in relevant_neurons(net):
        coeffs = [a * y * (1 if masks is None else masks[i][j])
                  for i, (a, y) in enumerate(zip(alpha, Y))]
        z = _combo(coeffs, [_restrict(x, support) for x in X], len(support))
        n2 = _sq(z)
        if decide(1 - n2) < 0:
            raise Invalid(f"dual constraint fails for neuron {j + 1}: "
                          f"|sum_i alpha_i y_i x_i|^2 = {_t(n2)} > 1")
    return sympy.expand(2 * sum(alpha, ZERO))


def _bound_neuron_sum(rd: Reader, b: dict, net: NetSpec, X, Y):
    alpha = _numbers(rd, b["alpha"])
    _require(net.depth == 2 and net.activation == "linear",
             "the neuron-sum bound needs a depth-2 linear network (use patterns for ReLU)")
    _require(not net.has_sharing, "the neuron-sum bound needs a network without shared weights")
    _nonneg(alpha, "alpha")
    return _neuron_sum(net, alpha, X, Y), {}


def _options_of(rd: Reader, raw: list, path: str):
    """``((A, s), mu, path)`` per option (the schema checked A is 0/1 per sample, s = ±1)."""
    out = []
    for q, o in enumerate(raw):
        p = f"{path}[{q}]"
        out.append(((tuple(o["active"]), o["sign"]), _numbers(rd, o["mu"]), p))
    return out


def _bound_patterns(rd: Reader, b: dict, net: NetSpec, X, Y):
    n = len(X)
    _require(net.depth == 2 and net.activation == "relu",
             "the patterns bound needs a depth-2 ReLU network")
    _require(not net.has_sharing, "the patterns bound needs a network without shared weights")
    if n > MAX_SAMPLES_PATTERNS:
        raise Unknown(f"{n} samples: enumerating 2^{n} activation sets is beyond this kernel")
    groups = support_groups(net)
    if [list(s) for s, _ in groups] != b["groups"]:
        raise rd.fail("$.bound.groups", f"expected the supports of the relevant neurons "
                                        f"{[list(s) for s, _ in groups]} (0-based input "
                                        f"coordinates, first appearance order)")
    G = len(groups)
    # realizability proofs shrink the universe of options
    unreal_raw = b.get("unrealizable", [[] for _ in groups])
    if len(unreal_raw) != G:
        raise rd.fail("$.bound.unrealizable", f"expected one list per group ({G})")
    universes = []
    for g, (support, _) in enumerate(groups):
        xs = [_restrict(x, support) for x in X]
        dead = set()
        for q, e in enumerate(unreal_raw[g]):
            p = f"$.bound.unrealizable[{g}][{q}]"
            act = e["active"]
            nu = _numbers(rd, e["nu"])
            _nonneg(nu, f"unrealizability proof {q + 1} of group {g + 1}: nu")
            off = sum((nu[i] for i in range(n) if not act[i]), ZERO)
            if decide(off) <= 0:
                raise Invalid(f"unrealizability proof {q + 1} of group {g + 1}: the weights "
                              f"off the active set must have a positive sum")
            comb = _combo([nu[i] * (1 if act[i] else -1) for i in range(n)], xs, len(support))
            if any(decide(c) != 0 for c in comb):
                raise Invalid(f"unrealizability proof {q + 1} of group {g + 1}: "
                              f"sum_A nu x - sum_notA nu x = {[_t(c) for c in comb]} != 0")
            dead.add(tuple(act))
        universes.append([(A, s) for A in itertools.product((0, 1), repeat=n)
                          if A not in dead for s in (1, -1)])
    cases_raw = b["cases"]   # at least one (schema)
    allowed: list[list[set]] = []
    bounds: list[sympy.Expr] = []
    n_infeasible = 0
    for c, case in enumerate(cases_raw):
        p = f"$.bound.cases[{c}]"
        alpha = _numbers(rd, case["alpha"])
        infeasible = case.get("infeasible", False)
        opts_raw = case["options"]
        if len(opts_raw) != G:
            raise rd.fail(f"{p}.options", f"expected one list of options per group ({G})")
        _nonneg(alpha, f"case {c + 1}: alpha")
        a = [al * y for al, y in zip(alpha, Y)]
        sets = []
        for g, (support, _) in enumerate(groups):
            xs = [_restrict(x, support) for x in X]
            opts = _options_of(rd, opts_raw[g], f"{p}.options[{g}]")
            ok = set()
            for (A, s), mu, op in opts:
                _nonneg(mu, f"case {c + 1}, {op}: mu")
                coeffs = [s * a[i] * A[i] + mu[i] * (1 if A[i] else -1) for i in range(n)]
                z = _combo(coeffs, xs, len(support))
                if infeasible:
                    if any(decide(v) != 0 for v in z):
                        raise Invalid(f"case {c + 1} (infeasible), option active={list(A)} "
                                      f"sign={s} of group {g + 1}: the Farkas vector "
                                      f"{[_t(v) for v in z]} is not 0")
                else:
                    n2 = _sq(z)
                    if decide(1 - n2) < 0:
                        raise Invalid(f"case {c + 1}, option active={list(A)} sign={s} of "
                                      f"group {g + 1}: dual norm^2 {_t(n2)} > 1")
                ok.add((A, s))
            sets.append(ok)
        if infeasible:
            if decide(sum(alpha, ZERO)) <= 0:
                raise Invalid(f"case {c + 1} (infeasible): the multipliers must have a "
                              f"positive sum")
            n_infeasible += 1
        else:
            bounds.append(sympy.expand(2 * sum(alpha, ZERO)))
        allowed.append(sets)
    ks = [len(js) for _, js in groups]
    hole = _uncovered(universes, ks, allowed)
    if hole is not None:
        desc = "; ".join(f"group {g + 1}: " + ", ".join(f"(active={list(A)}, sign={s})"
                                                       for A, s in T)
                         for g, T in enumerate(hole))
        raise Invalid(f"the cases do not cover every activation pattern: {desc}")
    if not bounds:
        raise Invalid("every case is infeasible, so Problem 2 has no feasible point at all")
    lb = bounds[0]
    for v in bounds[1:]:
        if decide(v - lb) < 0:
            lb = v
    return lb, {"cases": len(cases_raw), "infeasible_cases": n_infeasible,
                "options": [len(U) for U in universes]}


def _all_rational(*lists) -> bool:
    return all(isinstance(v, sympy.Rational) for lst in lists for v in lst)


def _dual_norm2(coeffs: Sequence[sympy.Expr], xs: Sequence[Sequence[sympy.Expr]], dim: int,
                fast: list | None):
    """``‖Σ_i coeffs_i xs_i‖²`` exactly: gmpy2 rationals when ``fast`` (the rational rows)
    is given and every coefficient is rational, else sympy."""
    if fast is not None and _all_rational(coeffs):
        import gmpy2

        cs = [gmpy2.mpq(int(c.p), int(c.q)) for c in coeffs]
        z = [sum((c * x[k] for c, x in zip(cs, fast) if c != 0), gmpy2.mpq(0))
             for k in range(dim)]
        n2 = sum((v * v for v in z), gmpy2.mpq(0))
        return sympy.Rational(int(n2.numerator), int(n2.denominator))
    return _sq(_combo(coeffs, xs, dim))


def _below_one_by_enclosure(coeffs: Sequence[sympy.Expr], xs: Sequence[Sequence[sympy.Expr]],
                            dim: int) -> bool:
    """True if validated intervals prove ``‖Σ_i coeffs_i xs_i‖² < 1`` (False: not proven by
    this cheap look; the caller then decides exactly). Outward rounding throughout; ``z_k²``
    of an interval straddling 0 is over-estimated, which keeps the upper bound valid."""
    from .exact import _Domain, _context, interval_eval

    ctx = _context(96)
    try:
        cs = [interval_eval(c, ctx) for c in coeffs]
        total = ctx.mpf(0)
        for k in range(dim):
            zk = ctx.mpf(0)
            for c, x in zip(cs, xs):
                if x[k] != 0:
                    zk = zk + c * interval_eval(x[k], ctx)
            total = total + zk * zk
    except _Domain:
        return False
    return bool(total.b < 1)


def _bound_arrangement(rd: Reader, b: dict, net: NetSpec, X, Y):
    """``arrangement``: the convex reformulation of depth-2 ReLU max-margin problems.

    Soundness. Let α >= 0, a_i = α_i y_i, and for a region R (activation set A, c_i = +1 on
    A, -1 off A) and a sign s, μ >= 0 with ‖z‖ <= 1, z = Σ_i (s a_i A_i + μ_i c_i) x_i|S.
    Every neuron w_j (support S) lies in the closure of some region R (the closures of the
    regions cover R^|S|), where σ(<w_j, x_i>) = A_i <w_j, x_i> and c_i <w_j, x_i> >= 0. So for
    a feasible θ of ANY width, Σα <= Σ_i a_i Φ(θ; x_i) = Σ_j |v_j| <s_j g_A, w_j>
    <= Σ_j |v_j| <z, w_j> <= Σ_j |v_j| ‖w_j‖ <= ½‖θ‖² (s_j the sign of v_j,
    g_A = Σ_{i in A} a_i x_i): ‖θ‖² >= 2Σα. Completeness: every listed region is checked by a
    strict interior point, the regions are distinct, and their number equals the exact
    count of regions of the arrangement (Zaslavsky's theorem, :mod:`.arrangement`); so no
    region is missing without enumerating the 2^n activation sets.
    """
    from .arrangement import region_count

    n = len(X)
    _require(net.depth == 2 and net.activation == "relu",
             "the arrangement bound needs a depth-2 ReLU network")
    _require(not net.has_sharing, "the arrangement bound needs a network without shared weights")
    groups = support_groups(net)
    if [list(s) for s, _ in groups] != b["groups"]:
        raise rd.fail("$.bound.groups", f"expected the supports of the relevant neurons "
                                        f"{[list(s) for s, _ in groups]} (0-based input "
                                        f"coordinates, first appearance order)")
    cells_raw = b["cells"]
    if len(cells_raw) != len(groups):
        raise rd.fail("$.bound.cells", f"expected one list of regions per group "
                                       f"({len(groups)})")
    alpha = _numbers(rd, b["alpha"])
    _nonneg(alpha, "alpha")
    a = [al * y for al, y in zip(alpha, Y)]
    regions = []
    for g, (support, _) in enumerate(groups):
        xs = [_restrict(x, support) for x in X]
        dim = len(support)
        fast = None
        if _all_rational([v for x in xs for v in x]):
            import gmpy2

            fast = [[gmpy2.mpq(int(v.p), int(v.q)) for v in x] for x in xs]
        nonzero = [any(decide(v) != 0 for v in x) for x in xs]
        seen: set[tuple[int, ...]] = set()
        for c, cell in enumerate(cells_raw[g]):
            p = f"$.bound.cells[{g}][{c}]"
            A = tuple(cell["active"])
            point = _numbers(rd, cell["point"])
            if len(point) != dim:
                raise rd.fail(f"{p}.point", f"expected {dim} numbers (the support of group "
                                            f"{g + 1}), got {len(point)}")
            for i in range(n):
                if not nonzero[i]:
                    if A[i]:
                        raise Invalid(f"group {g + 1}, region {c + 1}: sample {i + 1} is 0 on "
                                      f"the support, so its bit must be 0")
                    continue
                v = decide(sympy.expand(sum((u * w for u, w in zip(point, xs[i])), ZERO)))
                if v == 0 or (v > 0) != bool(A[i]):
                    raise Invalid(f"group {g + 1}, region {c + 1}: the point is not strictly "
                                  f"inside the region (<point, x_{i + 1}> has sign {v}, bit "
                                  f"{A[i]})")
            if A in seen:
                raise Invalid(f"group {g + 1}, region {c + 1}: active={list(A)} is listed "
                              f"twice")
            seen.add(A)
            for q, s in enumerate((1, -1)):
                mu = _numbers(rd, cell["mu"][q])
                _nonneg(mu, f"group {g + 1}, region {c + 1}, sign {s}: mu")
                coeffs = [s * a[i] * A[i] + mu[i] * (1 if A[i] else -1) for i in range(n)]
                exact_fast = fast is not None and _all_rational(coeffs)
                if not exact_fast and _below_one_by_enclosure(coeffs, xs, dim):
                    continue
                n2 = _dual_norm2(coeffs, xs, dim, fast)
                if decide(1 - n2) < 0:
                    raise Invalid(f"group {g + 1}, region active={list(A)}, sign {s}: dual "
                                  f"norm^2 {_t(n2)} > 1")
        try:
            total = region_count(xs)
        except OverflowError as exc:
            raise Unknown(f"counting the regions of group {g + 1}: {exc}") from None
        if len(seen) != total:
            raise Invalid(f"group {g + 1}: {len(seen)} regions listed, but the samples' "
                          f"hyperplane arrangement has {total}")
        regions.append(total)
    return sympy.expand(2 * sum(alpha, ZERO)), {"regions": regions}


def _uncovered(universes, ks, allowed) -> list | None:
    """An uncovered choice of option sets (one per group), or None if every one is covered.

    Choices are sets of exactly min(k_g, |U_g|) options per group (maximal: every smaller or
    repeated choice lies inside one of them). Depth-first over options in a fixed order; a
    branch is closed as soon as one case still alive allows every option left to choose.
    """
    G = len(universes)
    sizes = [min(k, len(U)) for k, U in zip(ks, universes)]
    suffix = [[frozenset(U[i:]) for i in range(len(U) + 1)] for U in universes]
    full = [frozenset(U) for U in universes]
    nodes = [0]

    def rest_allowed(c, g, start):
        case = allowed[c]
        if not suffix[g][start] <= case[g]:
            return False
        return all(full[h] <= case[h] for h in range(g + 1, G))

    def dfs(g, start, chosen, alive):
        nodes[0] += 1
        if nodes[0] > MAX_COVER_NODES:
            raise Unknown("covering check: too many option combinations")
        if not alive:
            return chosen
        if g == G:
            return None
        if any(rest_allowed(c, g, start) for c in alive):
            return None
        cur = chosen[-1]
        need = sizes[g] - len(cur)
        if need == 0:
            return dfs(g + 1, 0, chosen + [[]], alive) if g + 1 < G else None
        U = universes[g]
        for idx in range(start, len(U) - need + 1):
            o = U[idx]
            nxt = [c for c in alive if o in allowed[c][g]]
            r = dfs(g, idx + 1, chosen[:-1] + [cur + [o]], nxt)
            if r is not None:
                return r
        return None

    if G == 0:
        return None
    return dfs(0, 0, [[]], list(range(len(allowed))))


def _bound_fixed_pattern(rd: Reader, b: dict, net: NetSpec, theta, X, Y):
    alpha = _numbers(rd, b["alpha"])
    _require(net.depth == 2, "the fixed-pattern bound needs a depth-2 network")
    _require(not net.has_sharing, "the fixed-pattern bound needs a network without shared "
                                  "weights")
    _nonneg(alpha, "alpha")
    masks = None
    if net.activation == "relu":
        why = _zero_inputs(net, theta, X)
        if why:
            raise Unknown(f"the activation pattern is not constant near the point ({why})")
        masks = [_pattern(net, theta, x)[0] for x in X]
    return _neuron_sum(net, alpha, X, Y, masks), {}


# ------------------------------------------------------------------- exact linear algebra


def _clean(e: sympy.Expr) -> sympy.Expr:
    e = sympy.expand(e)
    if e.is_Rational:
        return e
    return sympy.radsimp(e)


def _nullspace(J: list[list[sympy.Expr]], ncols: int) -> list[list[sympy.Expr]]:
    """Exact basis of {d : J d = 0}, pivots decided exactly."""
    M = [[_clean(v) for v in row] for row in J]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        pr = next((i for i in range(r, len(M)) if decide(M[i][c]) != 0), None)
        if pr is None:
            continue
        M[r], M[pr] = M[pr], M[r]
        inv = 1 / M[r][c]
        M[r] = [_clean(v * inv) for v in M[r]]
        for i in range(len(M)):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [_clean(a - f * bb) for a, bb in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
        if r == len(M):
            break
    basis = []
    for fcol in (c for c in range(ncols) if c not in pivots):
        d = [ZERO] * ncols
        d[fcol] = ONE
        for row, pc in zip(M, pivots):
            d[pc] = _clean(-row[fcol])
        basis.append(d)
    return basis


def _positive_definite(S: list[list[sympy.Expr]]) -> tuple[bool, str]:
    """Exact test of a symmetric matrix: Gaussian elimination, every pivot decided > 0."""
    M = [[_clean(v) for v in row] for row in S]
    k = len(M)
    for r in range(k):
        s = decide(M[r][r])
        if s <= 0:
            return False, f"pivot {r + 1} of the reduced Hessian is {_t(M[r][r])} <= 0"
        for i in range(r + 1, k):
            f = M[i][r] / M[r][r]
            for j in range(r, k):
                M[i][j] = _clean(M[i][j] - f * M[r][j])
    return True, ""


def _bound_sosc(rd: Reader, b: dict, net: NetSpec, theta, X, Y):
    from .sosc import bound_sosc   # piece by piece where a hidden input is 0 (kernel/sosc.py)

    return bound_sosc(rd, b, net, theta, X, Y)


def _bound_layer_qp(rd: Reader, b: dict, net: NetSpec, theta, X, Y, layer: int, local: bool):
    alpha = _numbers(rd, b["alpha"])
    if net.activation == "relu" and layer < net.depth:
        _require(local, f"for a ReLU network Phi is linear in layer {layer} only locally "
                        f"(use per-layer-local), globally only in the last layer")
        why = _zero_inputs(net, theta, X, from_layer=layer)
        if why:
            raise Unknown(f"the pattern of layers >= {layer} is not constant near the point "
                          f"({why})")
    _nonneg(alpha, "alpha")
    free = net.layer_params(layer)
    a = []
    for x in X:
        g = net.piece_gradient(theta, x, _pattern(net, theta, x))
        a.append([g[p] for p in free])
    w = _combo([al * y for al, y in zip(alpha, Y)], a, len(free))
    D = sympy.expand(2 * sum(alpha, ZERO) - _sq(w))
    return D, {}


_GLOBAL_BOUNDS = {"predictor": _bound_predictor, "neuron-sum": _bound_neuron_sum,
                  "patterns": _bound_patterns, "arrangement": _bound_arrangement}


def _global_bound(rd: Reader, b: dict, net: NetSpec, X, Y):
    typ = b["type"]   # one of _GLOBAL_BOUNDS (schema)
    lb, info = _GLOBAL_BOUNDS[typ](rd, b, net, X, Y)
    return typ, lb, info


# ------------------------------------------------------------------------------- checkers


def _common(rd: Reader, cert: dict):
    """Network, data and point. The schema allows only the kind's problem (Problem 2 for
    ``global``, ``global-optimum-value``, ``optimum-bracket`` and ``local``, Problem 4 for
    ``per-layer-*``) and only the kind's bound types."""
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    return net, X, Y, theta




def _compare(lb: sympy.Expr, n2: sympy.Expr, what: str) -> None:
    s = decide(sympy.expand(lb - n2))
    if s < 0:
        raise Invalid(f"the lower bound {_t(lb)} is below {what} = {_t(n2)}: the "
                      f"certificate does not prove optimality")
    if s > 0:
        raise Invalid(f"the lower bound {_t(lb)} exceeds {what} = {_t(n2)} of a feasible "
                      f"point: the certificate is inconsistent")


@register_checker("global")
def _check_global(rd: Reader, cert: dict) -> Verdict:
    net, X, Y, theta = _common(rd, cert)
    better_raw = cert.get("better_point")
    b = cert.get("bound")   # present unless better_point is (schema)
    better = rd.point(better_raw, net) if better_raw is not None else None
    n2 = norm2(theta, net.params)
    values: dict[str, Any] = {"norm2": _t(n2)}
    try:
        if better is not None:
            return _refute_with(rd, b, net, X, Y, theta, better, values)
        typ, lb, info = _global_bound(rd, b, net, X, Y)
        values.update({"lower_bound": _t((lb)), "bound_type": typ, **info})
        feasibility(net, theta, X, Y)
        _compare(lb, n2, "|theta|^2")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"every feasible point has |theta|^2 >= {values['lower_bound']}"
                                f" ({typ} dual), which the feasible point attains",), values)


def _refute_with(rd, b, net, X, Y, theta, better, values) -> Verdict:
    n2 = norm2(theta, net.params)
    bn2 = norm2(better, net.params)
    values.update({"better_norm2": _t(bn2),
                   "better_point": {p: _t(v) for p, v in better.items()}})
    try:
        feasibility(net, better, X, Y)
    except Failed as exc:
        return Verdict("unknown", (f"the better point does not refute global optimality: it "
                                   f"is infeasible ({exc})",), values)
    if decide(sympy.expand(n2 - bn2)) <= 0:
        return Verdict("unknown", (f"the better point does not refute global optimality: its "
                                   f"norm^2 {_t(bn2)} is not below {_t(n2)}",), values)
    reasons = [f"not a global optimum: the better point is feasible with |theta*|^2 = "
               f"{_t(bn2)} < {_t(n2)} = |theta|^2"]
    if b is not None:
        try:
            typ, lb, _ = _global_bound(rd, b, net, X, Y)
            values["lower_bound"] = _t((lb))
            if decide(sympy.expand(lb - bn2)) == 0:
                values["optimum"] = _t(bn2)
                reasons.append(f"the better point is a global optimum: every feasible point "
                               f"has |theta|^2 >= {_t(lb)} ({typ} dual)")
        except (Failed, Unknown) as exc:
            reasons.append(f"(the lower bound supplied with it was not accepted: {exc})")
    return Verdict("refuted", tuple(reasons), values)


@register_checker("global-optimum-value")
def _check_optimum_value(rd: Reader, cert: dict) -> Verdict:
    """``point`` θ* is a global optimum; its norm² is the optimal value of Problem 2."""
    net, X, Y, theta = _common(rd, cert)
    b = cert["bound"]
    ref_raw = cert.get("reference_point")
    ref = rd.point(ref_raw, net) if ref_raw is not None else None
    n2 = norm2(theta, net.params)
    values: dict[str, Any] = {"norm2": _t(n2), "optimum": _t(n2),
                              "optimum_point": {p: _t(v) for p, v in theta.items()}}
    try:
        typ, lb, info = _global_bound(rd, b, net, X, Y)
        values.update({"lower_bound": _t((lb)), "bound_type": typ, **info})
        feasibility(net, theta, X, Y, "the optimum point")
        _compare(lb, n2, "|theta*|^2")
        if ref is not None:
            rn2 = norm2(ref, net.params)
            feasibility(net, ref, X, Y, "the reference point", refutes=False)
            values["reference_norm2"] = _t(rn2)
            values["ratio2"] = _t(sympy.radsimp(rn2 / n2))
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"the optimal value of Problem 2 is {values['optimum']}: the "
                                f"point attains it and every feasible point has |theta|^2 >= "
                                f"{values['lower_bound']} ({typ} dual)",), values)


@register_checker("optimum-bracket")
def _check_bracket(rd: Reader, cert: dict) -> Verdict:
    """``lower_bound <= OPT <= ‖point‖²``: a global lower bound and a feasible point.

    For data whose optimum is an algebraic number beyond the grammar (high degree), this
    certifies the optimal value of Problem 2 to within the reported gap.
    """
    net, X, Y, theta = _common(rd, cert)
    b = cert["bound"]
    n2 = norm2(theta, net.params)
    values: dict[str, Any] = {"norm2": _t(n2)}
    try:
        typ, lb, info = _global_bound(rd, b, net, X, Y)
        values.update({"lower_bound": _t(lb), "bound_type": typ, **info})
        feasibility(net, theta, X, Y, "the point", refutes=False)
        gap = _canon(n2 - lb)
        if decide(gap) < 0:
            raise Invalid(f"the lower bound {_t(lb)} exceeds |theta|^2 = {_t(n2)} of a "
                          f"feasible point: the certificate is inconsistent")
        values["gap"] = _t(gap)
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"the optimal value of Problem 2 lies in "
                                f"[{values['lower_bound']}, {values['norm2']}] ({typ} dual and "
                                f"a feasible point)",), values)


@register_checker("local")
def _check_local(rd: Reader, cert: dict) -> Verdict:
    net, X, Y, theta = _common(rd, cert)
    b = cert["bound"]
    typ = b["type"]   # fixed-pattern, sosc or a global type (schema)
    n2 = norm2(theta, net.params)
    values: dict[str, Any] = {"norm2": _t(n2), "bound_type": typ}
    try:
        if typ == "fixed-pattern":
            lb, info = _bound_fixed_pattern(rd, b, net, theta, X, Y)
        elif typ == "sosc":
            lb, info = _bound_sosc(rd, b, net, theta, X, Y)
        else:
            _, lb, info = _global_bound(rd, b, net, X, Y)
        values.update({"lower_bound": _t((lb)), **info})
        feasibility(net, theta, X, Y)
        _compare(lb, n2, "|theta|^2")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    where = "near the point" if typ in ("fixed-pattern", "sosc") else "everywhere"
    return Verdict("verified", (f"every feasible point {where} has |theta|^2 >= "
                                f"{values['lower_bound']} ({typ}), attained at the point",),
                   values)


def _check_per_layer(rd: Reader, cert: dict, local: bool) -> Verdict:
    net, X, Y, theta = _common(rd, cert)
    layer = problem_layer(rd, cert, net)   # Problem 4 (schema)
    b = cert["bound"]
    typ = b["type"]   # "qp" (schema)
    free = net.layer_params(layer)
    n2 = norm2(theta, net.params)
    ln2 = norm2(theta, free)
    values: dict[str, Any] = {"norm2": _t(n2), "layer_norm2": _t(ln2), "bound_type": typ}
    try:
        D, _ = _bound_layer_qp(rd, b, net, theta, X, Y, layer, local)
        values["layer_lower_bound"] = _t((D))
        values["lower_bound"] = _t((D + n2 - ln2))
        feasibility(net, theta, X, Y)
        _compare(D, ln2, f"|u^({layer})|^2")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    where = f"near u^({layer})" if local else "everywhere"
    return Verdict("verified", (f"Problem 4 for layer {layer}: every feasible u^({layer}) "
                                f"{where} has |u|^2 >= {values['layer_lower_bound']} (QP dual, "
                                f"Phi linear in this layer), attained at the point",), values)


register_checker("per-layer-global")(lambda rd, c: _check_per_layer(rd, c, False))
register_checker("per-layer-local")(lambda rd, c: _check_per_layer(rd, c, True))
