"""The kernel accepts the bundled certificates and REJECTS every kind of wrong one."""

import copy
import json

import pytest
import sympy

from symkkt.errors import InputError
from symkkt.kernel import check_certificate, load_certificate
from symkkt.kkt import find_kkt
from symkkt.perturb import find_eps0
import theorems.thm_3_2 as t32
import theorems.thm_4_4 as t44


@pytest.fixture(scope="module")
def kkt32():
    res = find_kkt(t32.instance())
    assert res.certificate is not None
    return res.certificate


@pytest.fixture(scope="module")
def curve44():
    res = find_eps0(t44.instance("relu"), t44.CURVE, k=2)
    assert res.certificate is not None
    return res.certificate


def roundtrip(cert):
    return load_certificate(json.dumps(cert))


def test_kkt_32_verified_with_derived_multipliers(kkt32):
    v = check_certificate(roundtrip(kkt32))
    assert v.status == "verified"
    assert v.values["multipliers"] == ["2", "2"]
    assert v.values["norm2"] == "8"


def test_point_moved_off_kkt_set_is_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["point"]["w1_2"] = "3"            # still feasible, but stationarity breaks
    v = check_certificate(bad)
    assert v.invalid
    assert any("stationarity" in r or "complementary" in r for r in v.reasons)


def test_wrong_multiplier_is_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["multipliers"] = ["3", "1"]
    v = check_certificate(bad)
    assert v.invalid and "stationarity" in v.reasons[0]


def test_negative_multiplier_is_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["multipliers"] = ["-2", "2"]
    v = check_certificate(bad)
    assert v.invalid and "negative" in v.reasons[0]


def test_infeasible_point_is_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["point"]["v1"] = "1"              # margins drop to 1/2
    v = check_certificate(bad)
    assert v.status == "refuted" and "constraint" in v.reasons[0]


def test_bad_convex_weights_and_witness_are_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["subgradients"][0][0]["weight"] = "1/2"
    assert check_certificate(bad).invalid
    bad = copy.deepcopy(kkt32)
    # the idle neuron (w2 = 0) lies on a kink: a piece with a witness pointing the wrong way
    piece = bad["subgradients"][0][0]
    piece["witness"] = {"w2_1": "1", "w2_2": "0"}   # <w2, x1> = s > 0: neuron 2 active
    piece["pattern"] = [[1, 0]]
    v = check_certificate(bad)
    assert v.invalid and "witness" in v.reasons[0]


def test_wrong_label_is_refuted(kkt32):
    bad = copy.deepcopy(kkt32)
    bad["data"]["y"] = [1, -1]
    assert check_certificate(bad).status == "refuted"


def test_curve_44_verified(curve44):
    v = check_certificate(roundtrip(curve44))
    assert v.status == "verified"
    assert v.values["leading_term"] == "-epsilon/2"
    assert sympy.Rational(v.values["eps0"]) > 0


def test_eps0_too_large_is_rejected(curve44):
    bad = copy.deepcopy(curve44)
    bad["eps0"] = "1"          # the ReLU input -4 sqrt(eps) + (1-eps)/sqrt(2) turns negative
    v = check_certificate(bad)
    assert v.invalid


def test_curve_whose_norm_grows_is_refuted(curve44):
    bad = copy.deepcopy(curve44)
    # w' = (sqrt(eps), 1 + eps): margin still >= 1 but the norm grows
    bad["curve"]["point"]["w2"] = "1 + epsilon"
    v = check_certificate(bad)
    assert v.invalid and "norm" in v.reasons[0]


def test_curve_not_tending_to_point_is_refuted(curve44):
    bad = copy.deepcopy(curve44)
    bad["curve"]["point"]["w1"] = "sqrt(epsilon) + 1/10"
    assert check_certificate(bad).invalid


def test_per_layer_curve_may_not_move_other_layers():
    from symkkt.problems import Instance
    inst = t32.instance()
    inst4 = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=1)
    res = find_eps0(inst4, t32.CURVE, k=2, ladder=[sympy.Rational(1, 2)])
    assert res.certificate is None
    assert res.verdict.invalid and "fixes" in res.verdict.reasons[0]


@pytest.mark.parametrize("mutate, fragment", [
    (lambda c: c.pop("point"), "$.point"),
    (lambda c: c.update(kind="magic"), "$.kind"),
    (lambda c: c["data"].update(y=[1, 2]), "$.data.y[1]"),
    (lambda c: c["point"].update(w1_1="__import__('os')"), "$.point.w1_1"),
    (lambda c: c["point"].update(zz="1"), "unknown parameter"),
    (lambda c: c["data"].update(x=[["1"], ["2"]]), "$.data.x[0]"),
    (lambda c: c.update(symkkt_certificate=7), "version"),
])
def test_malformed_certificates_raise_input_error(kkt32, mutate, fragment):
    bad = copy.deepcopy(kkt32)
    mutate(bad)
    with pytest.raises(InputError) as info:
        check_certificate(bad, source="c.json")
    assert fragment in str(info.value)
    assert str(info.value).startswith("c.json")


def test_invalid_json_is_input_error():
    with pytest.raises(InputError) as info:
        load_certificate('{"a": ', "c.json")
    assert str(info.value).startswith("c.json:1:")


def test_eps0_search_steps_down_past_a_curve_leaving_the_real_domain():
    """The fuzz counterexample of issue 14: on Theorem 5.1's ReLU network (m = 3) with
    x = (1, 17/16), u_2(epsilon) = 4096/9265 - 16 epsilon/17 turns negative at
    epsilon ~ 0.47, so the curve's cube root has no real enclosure at eps0 = 1 or 1/2; the
    search must step down to 1/4 instead of giving up."""
    import sympy
    from sympy import Rational as R

    from symkkt.network import diagonal
    from symkkt.perturb import EPSILON, find_eps0
    from symkkt.problems import Instance

    c1, c2 = R(289, 545), R(4096, 9265)
    point, curve = {}, {}
    for layer in (1, 2, 3):
        point[f"w{layer}_1"], point[f"w{layer}_2"] = c1 ** R(1, 3), c2 ** R(1, 3)
        curve[f"w{layer}_1"] = (EPSILON + c1) ** R(1, 3)
        curve[f"w{layer}_2"] = (c2 - R(16, 17) * EPSILON) ** R(1, 3)
    inst = Instance.make(diagonal(2, 3, "relu"), [(1, R(17, 16))], [1], point)
    res = find_eps0(inst, curve, 1)
    assert res.certificate is not None, res.reason
    assert sympy.Rational(res.certificate["eps0"]) == R(1, 4)
    assert check_certificate(res.certificate).status == "verified"
