"""Kernel mutants of certificate.py: the witness of a piece, the curve reader's defaults.

Each test makes a wrong certificate (or a wrong witness) fail, or a right one pass, on a case
where a one-token change of the kernel would give the other answer.
"""

from __future__ import annotations

import copy
import json

import pytest
import sympy

import theorems.thm_3_2 as t32
from symkkt.kernel import check_certificate
from symkkt.kernel.certificate import Reader, witness_reason
from symkkt.kkt import find_kkt
from symkkt.perturb import find_eps0

R = sympy.Rational


@pytest.fixture(scope="module")
def net32():
    cert = find_kkt(t32.instance()).certificate
    return Reader("t").network(cert["network"])


# Theorem 3.2's network: Φ = v1 σ(<w1, x>) + v2 σ(<w2, x>); at θ̃ neuron 2 is 0 (w2 = 0).
THETA = {"w1_1": R(0), "w1_2": R(2), "w2_1": R(0), "w2_2": R(0), "v1": R(2), "v2": R(0)}
X1 = (R(1), R(1, 4))


def test_a_witness_that_moves_a_fixed_parameter_is_refused(net32):
    free = ("w1_1", "w1_2", "v1")                       # Problem 4-like: only layer-1 of n1
    # neuron 2 (w2 = 0) switched off by moving w2: allowed only if w2 is free
    d = {"w2_1": R(-1)}
    assert witness_reason(net32, THETA, X1, ((1, 0),), d, net32.params) is None
    assert witness_reason(net32, THETA, X1, ((1, 0),), d, free) is not None
    # a displacement of exactly 1 on a fixed parameter is a move too (w2_1 fixed, w2_2 free:
    # the witness is otherwise valid, <w2(s), x1> = s - 2s < 0)
    free2 = ("w1_1", "w1_2", "v1", "w2_2")
    d1 = {"w2_1": R(1), "w2_2": R(-8)}
    assert witness_reason(net32, THETA, X1, ((1, 0),), d1, net32.params) is None
    assert witness_reason(net32, THETA, X1, ((1, 0),), d1, free2) is not None


def test_an_explicit_zero_on_a_fixed_parameter_is_no_move(net32):
    free = ("w1_1", "w1_2", "v1", "w2_1", "w2_2")
    d = {"w2_1": R(-1), "v2": R(0)}                      # v2 fixed, explicitly not moved
    assert witness_reason(net32, THETA, X1, ((1, 0),), d, free) is None


def test_omitted_witness_entries_do_not_move(net32):
    # only w2 moves: w1 stays, so neuron 1 stays active (<w1, x1> = 1/2 > 0); if omitted
    # entries moved by 1, <w1 + s(1, 1), x> would still be positive but v/w2 entries would
    # change the pattern: with d = {w2_1: -1}, <w2, x1> = -s < 0 (inactive), as the piece says
    assert witness_reason(net32, THETA, X1, ((1, 0),), {"w2_1": R(-1)}, net32.params) is None
    # the same witness cannot certify the active piece for neuron 2
    assert witness_reason(net32, THETA, X1, ((1, 1),), {"w2_1": R(-1)}, net32.params) \
        is not None
    # omitted w2 entries: neuron 2's input stays identically 0 -> no piece is witnessed (if
    # omitted entries moved by 1, w2 = (s, s) would witness the active piece)
    assert witness_reason(net32, THETA, X1, ((1, 0),), {"v1": R(1)}, net32.params) \
        is not None
    assert witness_reason(net32, THETA, X1, ((1, 1),), {"v1": R(1)}, net32.params) \
        is not None


def test_the_lowest_order_term_decides_the_side(net32):
    # <w2 + s d, x1> with d = (1, -4) is s*(1 - 1) = 0: identically zero along the witness
    assert witness_reason(net32, THETA, X1, ((1, 0),), {"w2_1": R(1), "w2_2": R(-4)},
                          net32.params) is not None
    # w1 moves so that <w1(s), x1> = 1/2 - s + ...: the constant 1/2 decides (active), even
    # though the s-term is negative
    assert witness_reason(net32, THETA, X1, ((1, 0),),
                          {"w1_1": R(-1), "w2_1": R(-1)}, net32.params) is None


def test_a_curve_without_substitution_power_means_k_1():
    import theorems.thm_4_2_2 as t422

    res = find_eps0(t422.instance(), t422.curve(), k=1)
    assert res.certificate is not None, res.reason
    cert = json.loads(json.dumps(res.certificate))
    explicit = copy.deepcopy(cert)
    explicit["curve"]["substitution_power"] = 1
    cert["curve"].pop("substitution_power", None)
    a, b = check_certificate(cert), check_certificate(explicit)
    assert a.status == b.status == "verified"
    assert a.values["leading_term"] == b.values["leading_term"] == "-2*epsilon"


# ------------------------------------------------------------------------------- kkt


@pytest.fixture(scope="module")
def kkt32():
    return json.loads(json.dumps(find_kkt(t32.instance()).certificate))


def test_a_convex_combination_of_pieces_with_a_zero_weight(kkt32):
    """At θ̃ neuron 2 is 0 (w2 = 0, v2 = 0): both of its pieces have the same gradient, so
    weights 1/2, 1/2 (and a third piece of weight 0) are a valid Clarke combination. A kernel
    that kept only the last weight or the last piece's gradient, or refused a zero weight,
    would reject it."""
    cert = copy.deepcopy(kkt32)
    (active,) = cert["subgradients"][0]
    off = {"weight": "1/2", "pattern": [[1, 0]],
           "witness": {"w1_1": "1", "w1_2": "1/4", "w2_1": "-1", "w2_2": "-1/4"}}
    zero = {"weight": "0", "pattern": [[1, 0]], "witness": {"w2_1": "-1"}}
    cert["subgradients"][0] = [dict(active, weight="1/2"), off, zero]
    assert check_certificate(cert).status == "verified"
    # weights that do not sum to 1, or a negative weight, fail the certificate
    bad = copy.deepcopy(cert)
    bad["subgradients"][0][2]["weight"] = "1/3"
    assert check_certificate(bad).invalid
    bad["subgradients"][0][2]["weight"] = "-1/3"
    bad["subgradients"][0][0]["weight"] = "5/6"
    assert check_certificate(bad).invalid


def test_a_zero_multiplier_on_an_inactive_sample():
    """A third sample far from the boundary (margin 8 > 1) gets λ = 0: complementary
    slackness holds, and its gradient does not enter stationarity."""
    from symkkt.problems import Instance

    inst = Instance.make(t32.NETWORK, list(t32.X) + [(0, 1)], list(t32.Y) + [1], t32.POINT)
    cert = json.loads(json.dumps(find_kkt(inst).certificate))
    assert cert["multipliers"][2] == "0"
    assert check_certificate(cert).status == "verified"
    bad = copy.deepcopy(cert)
    bad["multipliers"][2] = "1/100"           # λ > 0 on a constraint that is not active
    assert check_certificate(bad).invalid


def test_linear_kkt_uses_the_one_gradient():
    import theorems.thm_4_1 as t41

    cert = json.loads(json.dumps(find_kkt(t41.instance("linear")).certificate))
    v = check_certificate(cert)
    assert v.status == "verified" and v.values["multipliers"] == ["1"]
    bad = copy.deepcopy(cert)
    bad["multipliers"] = ["2"]
    assert check_certificate(bad).invalid


def test_problem_4_kkt_point_that_is_not_a_problem_2_kkt_point():
    """Φ = w1_1 w2_1 x1 + w1_2 w2_2 x2, x = (1, 2), θ = (w1, w2) = ((1/2, 0), (2, 0)): for
    layer 1 alone (w2 fixed) it is KKT with λ = 1/4; for Problem 2 it is not (w2_1 = 2 would
    need λ = 4)."""
    from symkkt.network import diagonal
    from symkkt.problems import Instance

    pt = {"w1_1": R(1, 2), "w1_2": R(0), "w2_1": R(2), "w2_2": R(0)}
    inst4 = Instance.make(diagonal(2, 2, "linear"), [(1, 2)], [1], pt, layer=1)
    cert = json.loads(json.dumps(find_kkt(inst4).certificate))
    v = check_certificate(cert)
    assert v.status == "verified"
    assert v.values["multipliers"] == ["1/4"] and v.values["layer_norm2"] == "1/4"
    assert v.values["norm2"] == "17/4"
    whole = copy.deepcopy(cert)
    whole.pop("problem")                         # the same multipliers for Problem 2
    assert check_certificate(whole).invalid


# ----------------------------------------------------------------------------- curves


@pytest.fixture(scope="module")
def layer_curve():
    """Theorem 5.3: layer 1 of θ̃ is not a local optimum of Problem 4 (a verified curve)."""
    import theorems.thm_5_3 as t53

    res = find_eps0(t53.instance(layer=1), t53.curve(), k=1)
    assert res.certificate is not None, res.reason
    return json.loads(json.dumps(res.certificate))


def test_a_problem_4_curve_may_move_only_its_layer(layer_curve):
    v = check_certificate(layer_curve)
    assert v.status == "verified" and "layer_norm2" in v.values
    moved = copy.deepcopy(layer_curve)
    fixed = next(p for p in moved["curve"]["point"] if p.startswith("v"))
    moved["curve"]["point"][fixed] = f"{moved['point'][fixed]} - epsilon/100"
    assert check_certificate(moved).invalid          # a fixed parameter moves


def test_a_curve_must_tend_to_the_point(layer_curve):
    off = copy.deepcopy(layer_curve)
    off["curve"]["point"]["w1_1"] = f"({off['point']['w1_1']}) + 1/1000"
    assert check_certificate(off).invalid
    pole = copy.deepcopy(layer_curve)
    pole["curve"]["point"]["w1_1"] = f"({pole['point']['w1_1']}) + 1/epsilon"
    assert check_certificate(pole).invalid          # undefined at 0: a reason, no crash


@pytest.fixture(scope="module")
def constant_norm():
    """Theorem 5.1 at m = 2: the curve keeps the norm exactly (kind equal-norm)."""
    import theorems.thm_5_1 as t51

    res = find_eps0(t51.instance("linear", 2), t51.curve(2), k=1, kind="equal-norm")
    assert res.certificate is not None, res.reason
    return json.loads(json.dumps(res.certificate))


def test_equal_norm_is_verified_and_a_decrease_is_not_equal(constant_norm):
    v = check_certificate(constant_norm)
    assert v.status == "verified" and v.values["leading_term"] == "0"
    # the same curve is not a proof of "not a local optimum": the norm does not decrease
    as_not_local = dict(constant_norm, kind="not-local")
    assert check_certificate(as_not_local).status != "verified"
    # a curve whose norm changes is not "equal-norm"
    shrink = copy.deepcopy(constant_norm)
    for p, e in shrink["curve"]["point"].items():
        shrink["curve"]["point"][p] = f"({e})*(1 + epsilon)"
    assert check_certificate(shrink).invalid


def test_the_leading_term_uses_the_substitution_power():
    import theorems.thm_4_4 as t44

    res = find_eps0(t44.instance("relu"), t44.CURVE, k=2)
    v = check_certificate(json.loads(json.dumps(res.certificate)))
    assert v.status == "verified" and v.values["leading_term"] == "-epsilon/2"
