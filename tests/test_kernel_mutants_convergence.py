"""Kernel mutants of convergence.py: the invariant set's identities, the KKT points of the cone,
the exact real-root solver, the losses of Theorem 2.1 and the reader's defaults.

Each test makes a wrong certificate (or input) fail, or a right one pass, on a case where a
one-token change of the kernel would give the other answer. Networks are diagonal: with the
equal groups ``a = w1_1 = w2_1`` and ``b = w1_2 = w2_2`` the margin of ``x`` is
``x_1 a^2 + x_2 b^2``.
"""

from __future__ import annotations

import copy

import pytest
import sympy
from sympy import I, Integer, Rational as R, sqrt

import theorems.thm_3_2 as t32
from symkkt.claims import convergence_claim
from symkkt.errors import InputError
from symkkt.kernel import check_certificate
from symkkt.kernel.certificate import Reader, Unknown
from symkkt.kernel.convergence import (
    _consistent, _is_zero, _kkt_on_cone, _nonneg_on_orthant, _Pieces, _real, _real_solutions,
    _region_sign, _terms, expand_class, pattern_classes)
from symkkt.network import diagonal, fully_connected
from symkkt.problems import Instance

GROUPS = {"equal": [["w1_1", "w2_1"], ["w1_2", "w2_2"]], "positive": ["w1_1", "w1_2"]}
ZERO = sqrt(3 + 2 * sqrt(2)) - 1 - sqrt(2)      # exactly 0, not syntactically
x, a, b, c = sympy.symbols("x a b c")


def cert_of(inst, init, **inv):
    cert, _ = convergence_claim("t", "x", inst, init, **inv).search()
    return cert


def diag_cert(X, point, init, act="linear", **inv):
    inst = Instance.make(diagonal(2, 2, act), X, [1] * len(X), point)
    return cert_of(inst, init, **(inv or GROUPS))


def pair(va, vb):
    return {"w1_1": va, "w2_1": va, "w1_2": vb, "w2_2": vb}


def kernel_net(net):
    inst = Instance.make(net, [(1,) * net.input_dim], [1], {p: 1 for p in net.params})
    return Reader("t").network(inst.base_json()["network"])


# ------------------------------------------------------------------ the invariant set


def test_a_drift_on_a_forced_piece_is_invalid_even_if_zero_at_init():
    # ReLU, x = (1, 1), w1_1 = w1_2 = g > 0 declared equal: both hidden inputs are g > 0, so
    # the piece is forced on the whole set; dPhi/dw1_1 - dPhi/dw1_2 = w2_1 - w2_2 is not 0 on
    # the set (it is 0 at init, w2_1 = w2_2 = 2): the set is not invariant (invalid), not
    # merely "not shown" (unknown).
    inst = Instance.make(diagonal(2, 2, "relu"), [(1, 1)], [1], pair(1, 1))
    cert = cert_of(inst, pair(2, 2), equal=[["w1_1", "w1_2"]], positive=["w1_1"])
    v = check_certificate(cert)
    assert v.status == "unknown" and v.invalid
    assert "kkt_points_on_invariant" not in v.values


def test_positivity_uses_the_component_at_zero():
    # x = (-1, 1): y*dPhi/dw1_1 = -a is a multiple of a (h = 0 at a = 0): a stays > 0 (it
    # decays to 0); the limit is on the face a = 0, b = 1.
    cert = diag_cert([(-1, 1)], pair(0, 1), pair(1, 2))
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert v.values["kkt_points_on_invariant"] == 1


def test_the_kkt_point_of_the_open_face_survives_the_later_faces():
    # x1 = (2, -1), x2 = (-1, 2): the only KKT point is a = b = 1 (lambda = 1, 1); the faces
    # a = 0 and b = 0 are feasible (margins not identically 0) but hold no KKT point.
    v = check_certificate(diag_cert([(2, -1), (-1, 2)], pair(1, 1), pair(1, 1)))
    assert v.status == "verified", v.reasons
    assert v.values["kkt_points_on_invariant"] == 1


def test_an_infeasible_face_does_not_end_the_search():
    # x = (1, 0): the face a = 0 is infeasible (margin identically 0), the KKT point a = 1
    # lies on the next face b = 0; b = 1 would not be a KKT point.
    v = check_certificate(diag_cert([(1, 0)], pair(1, 0), pair(1, 1)))
    assert v.status == "verified", v.reasons
    assert v.values["kkt_points_on_invariant"] == 1
    assert check_certificate(diag_cert([(1, 0)], pair(1, 1), pair(1, 1))).status == "refuted"


def test_the_exponential_loss_is_not_the_logistic_one():
    # init a = b = 3/4: margins 9/16, 9/16; exp loss 2 e^(-9/16) = 1.14 >= 1, logistic loss
    # 0.90 < 1 (but > log 2): Theorem 2.1 applies to neither.
    for losses in (["exp"], ["logistic"]):
        cert = diag_cert([(2, -1), (-1, 2)], pair(1, 1), pair(R(3, 4), R(3, 4)))
        cert["losses"] = losses
        v = check_certificate(cert)
        assert v.status == "unknown" and v.invalid, losses
        assert v.values["init_margins"] == ["9/16", "9/16"]
        assert "kkt_points_on_invariant" not in v.values


def test_omitted_invariant_fields_and_losses_default_to_empty_and_both():
    cert = diag_cert([(2, -1), (-1, 2)], pair(1, 1), pair(1, 1))
    del cert["invariant"]["fixed"], cert["losses"]
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert v.values["losses"] == ["exp", "logistic"]
    cert = cert_of(t32.instance(), t32.CONVERGENCE_INIT, fixed=["w2_1", "w2_2", "v2"])
    del cert["invariant"]["equal"], cert["invariant"]["positive"]
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert v.values["invariant"] == {"fixed": ["w2_1", "w2_2", "v2"], "equal": [],
                                     "positive": []}


@pytest.mark.parametrize("inv", [
    {"fixed": ["w1_2", "w2_2", "w1_1"], "equal": [["w1_1", "w2_1"]]},
    {"equal": [["w1_1", "w2_1"], ["w1_1", "w1_2"]]},
])
def test_a_name_twice_in_fixed_and_equal_is_an_input_error(inv):
    # (no positive coordinate, so nothing else in the invariant is wrong)
    cert = diag_cert([(1, 2)], pair(1, 0), pair(1, 0), fixed=["w1_2", "w2_2"],
                     equal=[["w1_1", "w2_1"]])
    cert = copy.deepcopy(cert)
    cert["invariant"] = inv
    with pytest.raises(InputError):
        check_certificate(cert)


# ------------------------------------------------------------------ pieces on a set


def test_pieces_with_different_gradients_on_the_cone_are_unknown():
    # Theorem 3.2 with only w2 fixed (v2 free): neuron 2's input vanishes on V, but its two
    # states give different gradients in w2 (v2*x vs 0): the Clarke subdifferential there is
    # not a single gradient, nothing is concluded.
    net = Reader("t").network(t32.instance().base_json()["network"])
    with pytest.raises(Unknown):
        _kkt_on_cone(net, t32.X, t32.Y, ["w2_1", "w2_2"], [], [], _Pieces(net))


def test_an_inactive_neuron_passes_zero_to_the_next_layer():
    # depth 3, x = 1: layer 1 input -a < 0 (inactive), so layer 2's input b*0 vanishes.
    net = kernel_net(diagonal(1, 3, "relu"))
    theta = {"w1_1": -a, "w2_1": b, "w3_1": c}
    assert pattern_classes(net, theta, (1,), [a, b, c], frozenset({a, b})) == [((0,), (None,))]
    theta = {"w1_1": a, "w2_1": b, "w3_1": c}
    assert pattern_classes(net, theta, (1,), [a, b, c], frozenset({a, b})) == [((1,), (1,))]


def test_at_most_max_patterns_hidden_states():
    for width, ok in ((12, True), (13, False)):
        net = kernel_net(fully_connected([1, width], "relu"))
        theta = {p: sympy.Symbol(f"s_{p}") for p in net.params}
        gens = list(theta.values())
        if ok:
            assert len(pattern_classes(net, theta, (1,), gens, frozenset())) == 2 ** 12
        else:
            with pytest.raises(Unknown):
                pattern_classes(net, theta, (1,), gens, frozenset())


def test_expand_class_gives_both_states_of_each_vanishing_input():
    assert expand_class(None) == [None]
    assert expand_class(((None, 1),)) == [((0, 1),), ((1, 1),)]
    assert expand_class(((None,), (0, None))) == [((0,), (0, 0)), ((0,), (0, 1)),
                                                  ((1,), (0, 0)), ((1,), (0, 1))]
    assert len(expand_class(((None,) * 12,))) == 2 ** 12
    with pytest.raises(Unknown):
        expand_class(((None,) * 13,))


def test_consistency_of_a_pattern_with_a_point():
    net = kernel_net(diagonal(1, 2, "relu"))
    on, off = ((1,),), ((0,),)
    at_zero = {"w1_1": Integer(0), "w2_1": Integer(1)}
    assert _consistent(net, at_zero, (1,), on) and _consistent(net, at_zero, (1,), off)
    plus = {"w1_1": Integer(1), "w2_1": Integer(1)}
    assert _consistent(net, plus, (1,), on) and not _consistent(net, plus, (1,), off)
    minus = {"w1_1": Integer(-1), "w2_1": Integer(1)}
    assert not _consistent(net, minus, (1,), on) and _consistent(net, minus, (1,), off)


# ------------------------------------------------------------------ exact identities


def test_exact_zero_tests_of_polynomials():
    assert _is_zero(Integer(1)) is False
    assert _is_zero(Integer(0)) is True
    assert _is_zero(ZERO) is True
    assert _is_zero(ZERO * x + ZERO * x * a) is True      # coefficients, not Poly generators
    assert _is_zero(ZERO * x + x) is False


def test_terms_and_region_signs():
    assert _terms(Integer(2), []) == [((), 2)]
    assert _terms(ZERO, []) == []
    assert _terms(Integer(1), [a]) == [((0,), 1)]
    pos = frozenset({a, b})
    assert _region_sign(Integer(1), [a], pos) == 1
    assert _region_sign(Integer(0), [a], pos) == 0
    assert _region_sign(a + 2 * b, [a, b], pos) == 1
    assert _region_sign(-a * b, [a, b], pos) == -1
    assert _region_sign(a - b, [a, b], pos) is None
    assert _region_sign(a + c, [a, b, c], pos) is None


def test_non_negative_on_the_orthant():
    pos = frozenset({a, b})
    assert _nonneg_on_orthant(a * b + R(1, 2) * a, [a, b], pos)
    assert not _nonneg_on_orthant(a * b - R(1, 2) * a, [a, b], pos)
    assert not _nonneg_on_orthant(-a, [a], pos)
    assert not _nonneg_on_orthant(c, [a, c], pos)


# ------------------------------------------------------------------ real roots


def test_constant_equations():
    assert _real_solutions([], []) == [()]
    assert _real_solutions([Integer(2)], []) == []
    assert _real_solutions([Integer(-2)], []) == []
    assert _real_solutions([ZERO], []) == [()]
    assert _real_solutions([Integer(1), x - 1], [x]) == []
    assert _real_solutions([Integer(2), x - 1], [x]) == []
    assert _real_solutions([ZERO, x - 1], [x]) == [(1,)]
    with pytest.raises(Unknown):          # only a zero constant: x is unconstrained
        _real_solutions([ZERO], [x])


def test_algebraic_coefficients_are_numbers_not_generators():
    # sqrt(2) x = 2 and x^2 = 2: x = sqrt(2) (with sqrt(2) a free generator: no solution)
    assert _real_solutions([x**2 - 2, sqrt(2) * x - 2], [x]) == [(sqrt(2),)]
    # a coefficient that is an exact zero written with sin and cos: the expression domain
    # (no extension) would take it for non-zero and divide by it; the number field does not
    trig_zero = sympy.sin(sympy.pi / 7)**2 + sympy.cos(sympy.pi / 7)**2 - 1
    assert _real_solutions([sympy.expand(trig_zero * x**2 + x - 1)], [x]) == [(1,)]


def test_no_root_is_dropped():
    with pytest.raises(Unknown):          # not solvable in radicals: never a shorter list
        _real_solutions([x**5 - x - 1], [x])
    with pytest.raises(Unknown):          # casus irreducibilis: is_real undecided by sympy
        _real_solutions([x**3 - 3 * x - 1], [x])
    # the complex roots come first; the real ones after them are kept
    sols = _real_solutions([x**4 - 2 * x**2 - 1], [x])
    assert sorted(s[0] for s in sols) == [-sqrt(1 + sqrt(2)), sqrt(1 + sqrt(2))]
    # two non-real roots with is_real None (Cardano form) are dropped, the real one kept
    assert len(_real_solutions([x**3 + x + 1], [x])) == 1
    assert len(_real_solutions([x**3 + x + 1, a - x], [a, x])) == 1


def test_real_decides_when_sympy_cannot():
    v = sqrt(2) * (1 + I) * (1 - I) / 2
    assert v.is_real is None and _real(v) is True
    w = (1 + sqrt(2) * I) * (2 + I)
    assert _real(w) is False
    assert _real(sqrt(2)) is True and _real(I) is False


# ------------------------------------------------------------------ the KKT systems


def test_a_solution_with_a_negative_multiplier_does_not_hide_the_next():
    # x1 = (2, 1, 3), x2 = (3, 0, 0), a > 0, b and c free: with both samples active the
    # system has the solutions b = +-1/sqrt(3) (lambda2 = -1/3, discarded) listed before
    # c = +-1/3 (lambda = 1/3, 1/9: KKT points); with x1 alone active, a = 1/sqrt(2).
    net = kernel_net(diagonal(3, 2, "linear"))
    groups = [["w1_1", "w2_1"], ["w1_2", "w2_2"], ["w1_3", "w2_3"]]
    pts = _kkt_on_cone(net, [(2, 1, 3), (3, 0, 0)], [1, 1], [], groups, ["w1_1"],
                       _Pieces(net))
    got = sorted((p["w1_1"], p["w1_2"], p["w1_3"]) for p in pts)
    assert got == sorted([(sqrt(2) / 2, 0, 0), (sqrt(3) / 3, 0, R(-1, 3)),
                          (sqrt(3) / 3, 0, R(1, 3))])
    assert all(p["w2_3"] == p["w1_3"] for p in pts)


def test_an_inconsistent_solution_does_not_hide_the_next():
    # ReLU, a = w1_1 = w2_1 free: on the active piece a = -1 and a = 1 solve the system (in
    # that order); a = -1 makes the hidden input negative (inconsistent), a = 1 is the KKT
    # point.
    inst = Instance.make(diagonal(1, 2, "relu"), [(1,)], [1], {"w1_1": 1, "w2_1": 1})
    v = check_certificate(cert_of(inst, {"w1_1": 2, "w2_1": 2}, equal=[["w1_1", "w2_1"]]))
    assert v.status == "verified", v.reasons
    assert v.values["kkt_points_on_invariant"] == 1


def test_an_infeasible_solution_does_not_hide_the_next():
    # x1 = (2, 1), x2 = (4, -1), a and b free. With x1 alone active the system has
    # b = +-1 (lambda = 1; x2's margin -1 < 1: dropped) listed before a = +-1/sqrt(2)
    # (lambda = 1/2; x2's margin 2: the KKT points); no other active set gives one.
    net = kernel_net(diagonal(2, 2, "linear"))
    pts = _kkt_on_cone(net, [(2, 1), (4, -1)], [1, 1], [], GROUPS["equal"], [],
                       _Pieces(net))
    got = sorted((p["w1_1"], p["w1_2"], p["w2_1"], p["w2_2"]) for p in pts)
    assert got == [(-sqrt(2) / 2, 0, -sqrt(2) / 2, 0), (sqrt(2) / 2, 0, sqrt(2) / 2, 0)]


def test_real_solutions_are_remembered_as_fresh_lists(monkeypatch):
    import symkkt.kernel.convergence as CV

    x, y = sympy.symbols("x y")
    CV._SOLVED.clear()
    first = _real_solutions([x ** 2 - 2, y - x], [x, y])
    assert len(first) == 2 and len(CV._SOLVED) >= 1
    first.clear()                                  # the caller's copy, not the memo
    again = _real_solutions([x ** 2 - 2, y - x], [x, y])
    assert sorted(again, key=str) == sorted([(-sqrt(2), -sqrt(2)), (sqrt(2), sqrt(2))], key=str)
    for _ in range(2):                             # what raises is not remembered
        with pytest.raises(Unknown):
            _real_solutions([x - y], [x, y])
    assert ((x - y,), (x, y)) not in CV._SOLVED
    monkeypatch.setattr(CV, "_SOLVED_MAX", 2)
    CV._SOLVED.clear()
    for n in range(2, 7):
        assert _real_solutions([x - n], [x]) == [(n,)]
        assert len(CV._SOLVED) <= 2
    assert ((x - 6,), (x,)) in CV._SOLVED
