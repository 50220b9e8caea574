"""Remarks 3.1, 3.2, 4.1 and Theorem 3.2's probability: positive cases and rejections.

Every rejection is the kernel's: a wrong ratio, a too-large robustness radius, an infeasible
"better" predictor, a wrong dual, a probability certificate without a disjointness proof.
"""

import copy
import json

import pytest
import sympy
from sympy import Rational

from symkkt.errors import InputError
from symkkt.kernel import check_certificate, load_certificate, parse_exact
import theorems.remark_3_1 as r31
import theorems.remark_3_2 as r32
import theorems.remark_4_1 as r41
import theorems.thm_3_2_probability as prob
from symkkt.predictor import l1_better_certificate, l1_optimal_certificate


def roundtrip(cert):
    return load_certificate(json.dumps(cert))


# ------------------------------------------------------------------------- Remark 3.1


@pytest.fixture(scope="module")
def ratio_56():
    cert, _ = r31.ratio_certificate(r31.parse_alpha("5*pi/6"))
    assert cert is not None
    return cert


def test_ratio_and_verdict_for_obtuse_angle(ratio_56):
    v = check_certificate(roundtrip(ratio_56))
    assert v.status == "verified", v.reasons
    assert v.values["verdict"] == "not-local" and v.values["alpha"] == "5*pi/6"
    # ratio2 = 1/(2 cos(5pi/12)) = (sqrt(2) + sqrt(6))/2
    got = parse_exact(v.values["ratio2"])
    assert sympy.simplify(got - (sympy.sqrt(2) + sympy.sqrt(6)) / 2) == 0
    assert v.values["optimum"] == "4"


def test_wrong_ratio_is_refuted(ratio_56):
    bad = copy.deepcopy(ratio_56)
    bad["ratio2"] = "2"
    v = check_certificate(bad)
    assert v.status == "refuted" and "wrong ratio" in v.reasons[0]


def test_wrong_angle_and_tampered_optimum_are_refuted(ratio_56):
    bad = copy.deepcopy(ratio_56)
    bad["angle"]["alpha"] = "3*pi/4"
    assert check_certificate(bad).invalid
    bad = copy.deepcopy(ratio_56)
    bad["optimum"]["bound"]["cases"][0]["alpha"] = ["2", "2"]   # dual norm too large
    v = check_certificate(bad)
    assert v.invalid and "optimum" in v.reasons[0]


def test_global_at_threshold_and_below():
    for text in ("2*pi/3", "pi/2"):
        cert, _ = r31.ratio_certificate(r31.parse_alpha(text))
        v = check_certificate(cert)
        assert v.status == "verified" and v.values["verdict"] == "global"
        assert v.values["ratio2"] == "1"


def test_claimed_not_local_curve_is_refuted_below_threshold():
    # at alpha = pi/2 < 2pi/3 the curve of the obtuse case increases the norm
    alpha = r31.parse_alpha("pi/2")
    from symkkt.perturb import curve_certificate
    cert = curve_certificate(r31.instance(alpha), r31.curve(alpha), Rational(1, 8), 2)
    assert check_certificate(cert).invalid


def test_formulas_and_limit():
    f = r31.formulas()
    assert f["threshold"] == "[2*pi/3]"
    assert f["limit_ratio2_alpha_to_pi"] == "oo"
    assert f["limit_(pi-alpha)*ratio2"] == "1"


def test_parametric_range_certificates():
    g = r31._range_certificate(*r31.GLOBAL_C, "global")
    v = check_certificate(roundtrip(g))
    assert v.status == "verified" and v.values["verdicts"] == ["kkt", "global"]
    (lo, hi), e0 = r31.NOT_LOCAL_C[1]
    v = check_certificate(r31._range_certificate(lo, hi, "not-local", e0))
    assert v.status == "verified" and v.values["verdicts"] == ["kkt", "not-local"]


def test_global_range_across_threshold_is_rejected():
    # c = cos(alpha/2) down to 2/5 (alpha > 2pi/3): the dual bound fails there
    v = check_certificate(r31._range_certificate(Rational(2, 5), Rational(3, 5), "global"))
    assert v.invalid and "dual norm" in v.reasons[0]


def test_not_local_range_across_threshold_is_rejected():
    v = check_certificate(r31._range_certificate(Rational(2, 5), Rational(3, 5), "not-local",
                                                 Rational(1, 64)))
    assert v.invalid and "norm comparison" in v.reasons[0]


@pytest.mark.parametrize("text", ["pi", "0", "-pi/3", "7*pi/6"])
def test_alpha_outside_open_interval_is_input_error(text):
    with pytest.raises(InputError):
        r31.parse_alpha(text)


@pytest.mark.parametrize("text", ["__import__('os')", "pi.real", "exp(1)"])
def test_alpha_text_is_never_evaluated(text):
    with pytest.raises(InputError):
        r31.parse_alpha(text)


# ------------------------------------------------------------------------- Remark 3.2


def test_robust_41_certified_radius_and_exact_supremum():
    v = check_certificate(roundtrip(r32.cert_4_1("relu", r32.RADII["4.1"])))
    assert v.status == "verified" and v.values["radius"] == "49/100"
    v = check_certificate(r32.cert_4_1("linear", Rational(1, 2)))
    assert v.invalid and "norm comparison" in v.reasons[0]


@pytest.mark.parametrize("which", ["3.2", "5.1"])
def test_too_large_radius_is_refuted(which):
    r = r32.TOO_LARGE[which]
    cert = r32.cert_3_2(r) if which == "3.2" else r32.cert_5_1("relu", r)
    v = check_certificate(cert)
    assert v.invalid, v.reasons


def test_robust_51_small_radius_verified():
    v = check_certificate(r32.cert_5_1("linear", Rational(1, 10)))
    assert v.status == "verified"
    assert v.values["leading_term_at_centre"] == "-2**(1/3)*epsilon**2/12"


def test_robust_tampered_multiplier_is_refuted():
    cert = r32.cert_4_1("linear", Rational(1, 10))
    cert["multipliers"] = ["2/(d1 + 1)"]
    v = check_certificate(cert)
    assert v.invalid and "stationarity" in v.reasons[0]


def test_robust_bad_names_are_input_errors():
    cert = r32.cert_4_1("linear", Rational(1, 10))
    cert["parameters"] = ["w1_1", "d2"]
    with pytest.raises(InputError):
        check_certificate(cert)
    cert = r32.cert_4_1("linear", Rational(1, 10))
    cert["data"]["x"][0][0] = "__import__('os').system('true')"
    with pytest.raises(InputError):
        check_certificate(cert)


@pytest.mark.parametrize("which", ["4.3", "5.4"])
def test_robust_43_54_certified_radius(which):
    build = r32.cert_4_3 if which == "4.3" else r32.cert_5_4
    v = check_certificate(roundtrip(build(r32.RADII[which])))
    assert v.status == "verified", v.reasons
    want = (["kkt", "local", "not-global"] if which == "4.3" else
            ["kkt", "per-layer-local", "per-layer-not-global"])
    assert v.values["verdicts"] == want
    assert v.values.get("better_layer") == (None if which == "4.3" else 1)
    # the better point at delta = 0 is the unperturbed construction's (computed, not copied)
    assert v.values["better_norm2_at_centre"] == ("8*sqrt(5)/5" if which == "4.3" else "8/5")


@pytest.mark.parametrize("which", ["4.3", "5.4"])
def test_robust_43_54_too_large_radius_fails(which):
    build = r32.cert_4_3 if which == "4.3" else r32.cert_5_4
    v = check_certificate(build(r32.TOO_LARGE[which]))
    assert v.invalid and "better point" in v.reasons[0], v.reasons


@pytest.mark.parametrize("m", [4, 8])
def test_robust_51_every_depth(m):
    v = check_certificate(roundtrip(r32.cert_5_1("linear", r32.RADII["5.1"], m)))
    assert v.status == "verified", v.reasons
    assert v.values["verdicts"] == ["kkt", "not-local"]


def test_robust_51_depth_outside_range_is_refused():
    for m in (2, 9):
        with pytest.raises(ValueError):
            r32.cert_5_1("linear", r32.RADII["5.1"], m)


def test_robust_51_point_moved_off_the_kkt_set_fails():
    # moved down: infeasible (the margin drops below 1)
    cert = r32.cert_5_1("linear", Rational(1, 10), 5)
    cert["point"]["w1_1"] = f"({cert['point']['w1_1']})*(1 - 1/100)"
    v = check_certificate(cert)
    assert v.invalid and "constraint 1" in v.reasons[0]
    # a wrong multiplier: stationarity fails
    cert = r32.cert_5_1("relu", Rational(1, 10), 6)
    cert["multipliers"] = [f"({cert['multipliers'][0]})*(101/100)"]
    v = check_certificate(cert)
    assert v.invalid and "stationarity" in v.reasons[0]


R_SMALL = Rational(1, 100)


def _scaled(cert, section, names, factor):
    pt = cert["better_point"]["point"] if section == "better" else cert["point"]
    for n in names:
        pt[n] = f"({pt[n]})*({factor})"
    return cert


def test_robust_better_point_infeasible_fails():
    # the better point's first neuron scaled down: sample 1's margin drops below 1
    cert = _scaled(r32.cert_4_3(R_SMALL), "better", ["v1"], "9/10")
    v = check_certificate(cert)
    assert v.invalid and "constraint 1" in v.reasons[0]


def test_robust_better_point_not_smaller_fails():
    # scaling a feasible point up keeps it feasible but its norm exceeds |theta~|^2 = 4
    cert = _scaled(r32.cert_4_3(R_SMALL), "better",
                   ["w1_1", "w1_2", "w2_1", "w2_2", "v1", "v2"], "11/10")
    v = check_certificate(cert)
    assert v.invalid and "strictly smaller" in v.reasons[0]


def test_robust_layer_better_point_must_keep_other_layers():
    # a "layer 1" better point that also changes v (layer 2) proves nothing about Problem 4
    cert = r32.cert_5_4(R_SMALL)
    cert["better_point"]["point"]["v1"] = f"2*({cert['better_point']['point']['v1']})"
    v = check_certificate(cert)
    assert v.invalid and "unchanged" in v.reasons[0]


def test_robust_pattern_bound_rejects_too_large_alpha():
    cert = r32.cert_4_3(R_SMALL)
    del cert["better_point"]
    cert["bound"]["alpha"] = [f"({a})*(11/10)" for a in cert["bound"]["alpha"]]
    v = check_certificate(cert)
    assert v.invalid


def test_robust_pattern_bound_and_per_layer_local_need_nonzero_inputs():
    # 3.2's point has an idle neuron (w2 = 0, v2 = 0): its inputs vanish identically, so the
    # pattern is not frozen and neither lemma applies (the point is not even local)
    cert = r32.cert_3_2(R_SMALL)
    del cert["curve"], cert["eps0"]
    cert["bound"] = {"type": "pattern", "alpha": list(cert["multipliers"])}
    v = check_certificate(cert)
    assert v.invalid and "pattern" in v.reasons[0]
    del cert["bound"]
    cert["per_layer_local"] = True
    v = check_certificate(cert)
    assert v.invalid and "pattern" in v.reasons[0]


def test_robust_per_layer_local_needs_the_kkt_section():
    cert = r32.cert_5_4(R_SMALL)
    del cert["multipliers"], cert["subgradients"]
    with pytest.raises(InputError):
        check_certificate(cert)
    cert = r32.cert_5_4(R_SMALL)
    cert["per_layer_local"] = False
    with pytest.raises(InputError):
        check_certificate(cert)


# ------------------------------------------------------------------------- Remark 4.1


def test_l1_better_and_optimal():
    cert, _ = l1_better_certificate(r41.instance_41())
    v = check_certificate(roundtrip(cert))
    assert v.status == "verified" and v.values["better_beta"] == ["0", "1/2"]
    assert v.values["l1"] == "1" and v.values["better_l1"] == "1/2"
    cert, _ = l1_optimal_certificate(r41.instance_nonzero())
    v = check_certificate(cert)
    assert v.status == "verified" and v.values["lower_bound"] == "2/3"


def test_infeasible_better_predictor_is_refuted():
    cert, _ = l1_better_certificate(r41.instance_41())
    cert["better_beta"] = ["0", "1/4"]          # <beta, x> = 1/2 < 1
    v = check_certificate(cert)
    assert v.invalid and "infeasible" in v.reasons[0]
    cert["better_beta"] = ["1", "1"]            # feasible, but |beta|_1 = 2
    v = check_certificate(cert)
    assert v.invalid and "not better" in v.reasons[0]


def test_wrong_l1_dual_is_refuted():
    # Theorem 4.1's point: the KKT multiplier 1 is not an l1 dual (|1 * x|_inf = 2 > 1)
    cert, _ = l1_optimal_certificate(r41.instance_41(), dual=[1])
    v = check_certificate(cert)
    assert v.invalid and "dual constraint" in v.reasons[0]
    cert, _ = l1_optimal_certificate(r41.instance_41(), dual=[Rational(1, 2)])
    v = check_certificate(cert)
    assert v.invalid and "below" in v.reasons[0]


def test_l1_kinds_reject_relu():
    cert, _ = l1_optimal_certificate(r41.thm_4_1.instance("relu"), dual=[Rational(1, 2)])
    with pytest.raises(InputError):
        check_certificate(cert)


# ------------------------------------------------------------ Theorem 3.2, probability


def test_probability_closed_form_and_monte_carlo():
    v = check_certificate(roundtrip(prob.certificate()))
    assert v.status == "verified"
    # the kernel's closed form has atan, outside the grammar: compare its decimal expansion
    assert abs(sympy.Float(v.values["probability_decimal"], 30) - prob.CLOSED_FORM.evalf(30)) \
        < sympy.Float("1e-28")
    assert v.values["probability"] == "atan(8/15)**2/(4*pi**2)"
    mc = prob.monte_carlo(100_000, seed=1)
    assert abs(mc["z_score"]) < 5


def test_probability_without_disjointness_is_refuted():
    cert = prob.certificate()
    cert["disjoint"][0]["gordan"] = ["1", "0", "0", "0"]
    v = check_certificate(cert)
    assert v.invalid and "disjoint" in v.reasons[0]
    cert = prob.certificate()
    cert["disjoint"] = []
    assert check_certificate(cert).invalid


def test_gf_classification():
    theta = {"w1_1": 0, "w1_2": 2 ** -0.5, "w2_1": 0, "w2_2": 0, "v1": 2 ** -0.5, "v2": 0}
    assert prob.classify(theta) == "kkt-not-local"
    both = {"w1_1": 0, "w1_2": .5, "w2_1": 0, "w2_2": .5, "v1": .5, "v2": .5}
    assert prob.classify(both) == "local-not-global"
    each = {"w1_1": .49, "w1_2": .12, "w2_1": -.49, "w2_2": .12, "v1": .5, "v2": .5}
    assert prob.classify(each) == "global"
