"""Certified optima: the kernel accepts exact dual certificates and REJECTS every wrong one.

Positive cases come from the search (``symkkt.optimum``); every negative case mutates a good
certificate (a bound too high, a dual that violates a constraint, a negative multiplier,
broken complementary slackness, an uncovered activation pattern, ...) and must not verify.
"""

import ast
import copy
import json
import pathlib

import pytest
import sympy
from sympy import Rational, sqrt

from symkkt.errors import InputError
from symkkt.kernel import check_certificate, load_certificate
from symkkt.network import diagonal, fully_connected
from symkkt.optimum import (exact_qp, find_global, global_certificate, local_certificate,
                            optimum_value_certificate, per_layer_certificate, relu_optimum)
from symkkt.problems import Instance, exact
import theorems.thm_3_1 as t31
import theorems.thm_3_2 as t32
import theorems.thm_4_2_1 as t421
import theorems.thm_4_3 as t43
import theorems.thm_5_1 as t51
import theorems.thm_5_2 as t52


def roundtrip(cert):
    return load_certificate(json.dumps(cert))


def check(cert):
    return check_certificate(roundtrip(cert))


def S(e):
    return sympy.sympify(e)


def same(a, b) -> bool:
    return sympy.simplify(S(a) - S(b)) == 0


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pred31():
    cert, _, _ = global_certificate(t31.instance("A", 3))
    assert cert is not None and cert["bound"]["type"] == "predictor"
    return cert


@pytest.fixture(scope="module")
def nsum421():
    cert, _, _ = global_certificate(t421.instance("sparse"))
    assert cert is not None and cert["bound"]["type"] == "neuron-sum"
    return cert


@pytest.fixture(scope="module")
def opt32():
    cert, _, stats = optimum_value_certificate(t32.instance(), "enumerate")
    assert cert is not None and cert["bound"]["type"] == "patterns"
    return cert


@pytest.fixture(scope="module")
def local43():
    cert, _ = local_certificate(t43.positive_instance("two neurons, Thm 3.2 data"))
    assert cert is not None
    return cert


@pytest.fixture(scope="module")
def layer52():
    inst = t52.instances()["diagonal m=3 (Thm 5.1)"]
    cert, _ = per_layer_certificate(Instance.make(inst.network, inst.X, inst.Y, inst.point,
                                                  layer=2), local=False)
    assert cert is not None
    return cert


# ------------------------------------------------------------------ predictor (Thm 3.1)


@pytest.mark.parametrize("name", sorted(t31.DATASETS))
@pytest.mark.parametrize("m", t31.DEPTHS)
def test_predictor_global_verified(name, m):
    inst = t31.instance(name, m)
    cert, _, _ = global_certificate(inst)
    v = check(cert)
    assert v.status == "verified", v.reasons
    assert same(v.values["lower_bound"], v.values["norm2"])
    assert same(v.values["norm2"], inst.norm2)


def test_predictor_optimum_is_computed():
    X, Y = t31._data("B")
    alpha, beta = exact_qp(X, Y)
    assert beta == [0, 4] and alpha == [8, 8]


def test_predictor_negative_multiplier_refuted(pred31):
    bad = copy.deepcopy(pred31)
    bad["bound"]["alpha"][0] = "-1/9"
    v = check(bad)
    assert v.invalid and "negative" in v.reasons[0]


def test_predictor_suboptimal_dual_is_refuted(pred31):
    bad = copy.deepcopy(pred31)        # complementary slackness / optimality broken
    bad["bound"]["alpha"] = ["1/9", "0"]
    v = check(bad)
    assert v.invalid and "below" in v.reasons[0]


def test_predictor_not_sound_for_relu(pred31):
    bad = copy.deepcopy(pred31)
    bad["network"]["activation"] = "relu"
    v = check(bad)
    assert v.status != "verified" and "not applicable" in v.reasons[0]


def test_predictor_not_sound_with_sharing():
    inst = t52.instances()["conv (Thm 4.4)"]
    cert = inst.base_json()
    cert.update({"kind": "global", "bound": {"type": "predictor", "alpha": ["1"]}})
    v = check(cert)
    assert v.invalid and "shared" in v.reasons[0]


def test_global_on_non_optimal_point_refuted(pred31):
    bad = copy.deepcopy(pred31)        # a feasible point with a larger norm
    for p in bad["point"]:
        bad["point"][p] = f"2*({bad['point'][p]})"
    v = check(bad)
    assert v.invalid and "below" in v.reasons[0]


def test_global_on_infeasible_point_refuted(pred31):
    bad = copy.deepcopy(pred31)        # bound now exceeds the norm, but the point fails
    for p in bad["point"]:
        bad["point"][p] = f"({bad['point'][p]})/2"
    v = check(bad)
    assert v.status == "refuted" and "constraint" in v.reasons[0]


# ----------------------------------------------------------------- neuron-sum (Thm 4.2(1))


@pytest.mark.parametrize("label", list(t421.CASES))
def test_neuron_sum_global_verified(label):
    cert, _, _ = global_certificate(t421.instance(label))
    v = check(cert)
    assert v.status == "verified", v.reasons
    assert same(v.values["lower_bound"], v.values["norm2"])


def test_neuron_sum_bound_too_high_refuted(nsum421):
    bad = copy.deepcopy(nsum421)       # scale α up: 2Σα exceeds the optimum
    bad["bound"]["alpha"] = [f"11/10*({a})" for a in bad["bound"]["alpha"]]
    v = check(bad)
    assert v.invalid and "dual constraint fails" in v.reasons[0]


def test_neuron_sum_negative_alpha_refuted(nsum421):
    bad = copy.deepcopy(nsum421)
    bad["bound"]["alpha"][0] = "-1"
    assert check(bad).invalid


def test_neuron_sum_not_sound_for_relu(nsum421):
    bad = copy.deepcopy(nsum421)
    bad["network"]["activation"] = "relu"
    v = check(bad)
    assert v.invalid and "not applicable" in v.reasons[0]


# ------------------------------------------------------------ patterns (Thm 3.2 optimum)


def test_optimum_value_of_theorem_3_2(opt32):
    v = check(opt32)
    assert v.status == "verified", v.reasons
    assert same(v.values["norm2"], 16 / sqrt(17))
    assert same(v.values["lower_bound"], 16 / sqrt(17))
    assert same(v.values["ratio2"], sqrt(17) / 2)
    assert same(v.values["reference_norm2"], 8)


def test_global_claim_on_theorem_3_2_kkt_point_refuted_with_better_point():
    inst = t32.instance()
    cert, _, _ = global_certificate(inst)
    assert "better_point" in cert
    v = check(cert)
    assert v.status == "refuted"
    assert "not a global optimum" in v.reasons[0]
    assert same(v.values["better_norm2"], 16 / sqrt(17))
    assert sympy.N(S(v.values["better_norm2"])) < 8
    assert same(v.values["optimum"], 16 / sqrt(17))
    assert set(v.values["better_point"]) == set(inst.network.params)


def test_global_claim_without_better_point_on_3_2_refuted(opt32):
    bad = copy.deepcopy(opt32)         # the bound alone: 16/sqrt(17) is below 8
    bad["kind"] = "global"
    bad["point"] = bad.pop("reference_point")
    v = check(bad)
    assert v.invalid and "below" in v.reasons[0]


def test_better_point_that_is_not_better_is_unknown():
    inst = t32.instance()
    cert = inst.base_json()
    cert.update({"kind": "global", "better_point": dict(cert["point"])})
    v = check(cert)
    assert v.status == "unknown" and "does not refute" in v.reasons[0]


def test_patterns_alpha_too_high_refuted(opt32):
    bad = copy.deepcopy(opt32)
    bad["bound"]["cases"][0]["alpha"] = ["1", "1"]
    v = check(bad)
    assert v.invalid and "> 1" in v.reasons[0]


def test_patterns_negative_mu_refuted(opt32):
    bad = copy.deepcopy(opt32)
    bad["bound"]["cases"][0]["options"][0][0]["mu"][0] = "-1"
    assert check(bad).invalid


def test_patterns_dropped_option_is_an_uncovered_pattern(opt32):
    bad = copy.deepcopy(opt32)
    opts = bad["bound"]["cases"][0]["options"][0]
    bad["bound"]["cases"][0]["options"][0] = [o for o in opts
                                              if not (o["active"] == [1, 0] and o["sign"] == 1)]
    v = check(bad)
    assert v.invalid and "do not cover" in v.reasons[0]


def test_patterns_fake_infeasible_case_refuted(opt32):
    bad = copy.deepcopy(opt32)
    bad["bound"]["cases"][0]["infeasible"] = True
    v = check(bad)
    assert v.invalid and "Farkas" in v.reasons[0]


def test_patterns_fake_unrealizability_proof_refuted(opt32):
    bad = copy.deepcopy(opt32)
    bad["bound"]["unrealizable"] = [[{"active": [1, 0], "nu": ["1", "1"]}]]
    v = check(bad)
    assert v.invalid and "unrealizability" in v.reasons[0]


def test_patterns_wrong_groups_is_malformed(opt32):
    bad = copy.deepcopy(opt32)
    bad["bound"]["groups"] = [[0]]
    with pytest.raises(InputError):
        check(bad)


def test_patterns_not_sound_with_linear_network(opt32):
    bad = copy.deepcopy(opt32)
    bad["network"]["activation"] = "linear"
    assert check(bad).invalid


def test_pattern_enumeration_four_neurons_three_samples():
    """Enumeration (no relaxation shortcut) on 4 neurons x 3 samples: finishes, verified,
    and agrees with the convex relaxation. Timing lives in benchmarks/optimum.py."""
    net = fully_connected([2, 4], "relu")
    X = tuple(tuple(exact(v) for v in x) for x in [(2, -1), (-1, 2), (-1, -1)])
    Y = (1, 1, -1)
    enum = relu_optimum(net, X, Y, "enumerate")
    relax = relu_optimum(net, X, Y, "relaxation")
    assert enum is not None and relax is not None
    assert same(enum.value, relax.value)
    assert same(enum.value, 2 * (2 / sqrt(5) + 1 / sqrt(2)))
    st = enum.stats
    assert st.method == "enumerate" and st.solved >= 1
    assert st.patterns_total == st.pruned_unserved + st.covered + st.solved
    inst = Instance.make(net, X, Y, enum.theta)
    cert = inst.base_json()
    cert.update({"kind": "global", "bound": enum.bound})
    v = check(cert)
    assert v.status == "verified", v.reasons


def test_pattern_enumeration_needs_cases_when_neurons_are_few():
    """Two neurons, three samples: the relaxation needs three options, so the certificate
    is a case split with Farkas cases for patterns that leave a sample unserved."""
    net = fully_connected([2, 2], "relu")
    X = tuple(tuple(exact(v) for v in x) for x in [(2, -1), (-1, 2), (-1, -1)])
    Y = (1, 1, -1)
    res = relu_optimum(net, X, Y)
    assert res is not None and res.stats.method == "enumerate"
    cases = res.bound["cases"]
    assert any(c.get("infeasible") for c in cases) and len(cases) >= 2
    inst = Instance.make(net, X, Y, res.theta)
    cert = inst.base_json()
    cert.update({"kind": "global", "bound": res.bound})
    assert check(cert).status == "verified"
    # dropping the non-Farkas case leaves patterns uncovered
    bad = copy.deepcopy(cert)
    bad["bound"]["cases"] = [c for c in cases if c.get("infeasible")]
    assert check(bad).invalid


# ------------------------------------------------------------------------------ local


def test_local_fixed_pattern_verified(local43):
    v = check(local43)
    assert v.status == "verified", v.reasons
    assert same(v.values["lower_bound"], v.values["norm2"])


def test_local_alpha_violating_dual_constraint_refuted(local43):
    bad = copy.deepcopy(local43)
    bad["bound"]["alpha"] = [f"2*({a})" for a in bad["bound"]["alpha"]]
    v = check(bad)
    assert v.invalid and "> 1" in v.reasons[0]


def test_local_with_zero_hidden_input_is_unknown():
    cert, _ = local_certificate(t32.instance())      # w2 = 0: inputs to neuron 2 are 0
    v = check(cert)
    assert v.status == "unknown" and "not constant" in v.reasons[0]


def test_local_sosc_verified_on_scalar_deep_chain():
    inst = Instance.make(diagonal(1, 3, "linear"), [(1,)], [1],
                         {"w1_1": 1, "w2_1": 1, "w3_1": 1})
    cert, _ = local_certificate(inst, "sosc")
    v = check(cert)
    assert v.status == "verified", v.reasons
    assert v.values["critical_dim"] == 2


def test_local_sosc_fails_where_not_local_optimum():
    cert, _ = local_certificate(t51.instance("linear", 3), "sosc")   # Thm 5.1: not local
    v = check(cert)
    assert v.status == "unknown" and "second-order" in v.reasons[0]


def test_local_sosc_broken_stationarity_refuted():
    inst = Instance.make(diagonal(1, 3, "linear"), [(1,)], [1],
                         {"w1_1": 1, "w2_1": 1, "w3_1": 1})
    cert, _ = local_certificate(inst, "sosc")
    bad = copy.deepcopy(cert)
    bad["bound"]["multipliers"] = ["2"]
    assert check(bad).invalid


# -------------------------------------------------------------------------- per layer


def test_per_layer_global_verified(layer52):
    v = check(layer52)
    assert v.status == "verified", v.reasons
    assert same(v.values["layer_lower_bound"], v.values["layer_norm2"])
    assert same(v.values["lower_bound"], v.values["norm2"])


def test_per_layer_wrong_alpha_refuted(layer52):
    bad = copy.deepcopy(layer52)
    bad["bound"]["alpha"] = ["1"]
    assert check(bad).invalid
    bad["bound"]["alpha"] = ["-1"]
    v = check(bad)
    assert v.invalid and "negative" in v.reasons[0]


def test_per_layer_global_not_sound_for_relu_hidden_layer():
    inst = t51.instance("relu", 3)
    cert, _ = per_layer_certificate(Instance.make(inst.network, inst.X, inst.Y, inst.point,
                                                  layer=1), local=True)
    assert check(cert).status == "verified"
    bad = copy.deepcopy(cert)
    bad["kind"] = "per-layer-global"
    v = check(bad)
    assert v.invalid and "not applicable" in v.reasons[0]


def test_per_layer_local_with_zero_input_is_unknown():
    inst = t32.instance()
    li = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=1)
    cert, _ = per_layer_certificate(li, local=True)
    v = check(cert)
    assert v.status == "unknown" and "not constant" in v.reasons[0]


def test_per_layer_needs_problem_4(layer52):
    bad = copy.deepcopy(layer52)
    bad["problem"] = {"number": 2}
    with pytest.raises(InputError):
        check(bad)


# ------------------------------------------------------------------------ search side


def test_find_global_reports_unsupported_class():
    res = find_global(diagonal(2, 3, "linear"), ((exact(1), exact(1)),), (1,))
    assert res.bound is None and "no global-optimality method" in res.reason


def test_kernel_module_imports_only_kernel_and_errors():
    src = pathlib.Path(__file__).resolve().parents[1] / "symkkt" / "kernel" / "optimum.py"
    tree = ast.parse(src.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            assert node.level == 1 or mod.startswith(("sympy", "typing", "__future__")) or \
                mod in ("itertools",), mod
            assert not mod.startswith(("symkkt.", "optimum", "problems", "network")) or \
                node.level == 1
        if isinstance(node, ast.Import):
            for a in node.names:
                # gmpy2: exact rationals (a declared dependency), for speed only
                assert a.name in ("itertools", "sympy", "gmpy2"), a.name


def test_optimum_bracket_certifies_an_interval():
    from symkkt.optimum import bracket_certificate

    net = fully_connected([2, 3], "relu")
    inst = Instance.make(net, [(2, -1), (-1, 2), (-1, -1)], [1, 1, -1],
                         {p: 0 for p in net.params})
    cert, _, _ = bracket_certificate(inst)
    v = check(cert)
    assert v.status == "verified", v.reasons
    lo, hi = S(v.values["lower_bound"]), S(v.values["norm2"])
    opt = 2 * (2 / sqrt(5) + 1 / sqrt(2))
    assert lo <= opt <= hi and (hi - lo) / hi < Rational(1, 10 ** 4)
    bad = copy.deepcopy(cert)
    bad["bound"]["cases"][0]["alpha"] = ["1", "1", "1"]      # a bound above the optimum
    assert check(bad).invalid
