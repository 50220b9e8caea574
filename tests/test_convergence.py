"""The ``convergence`` kind: invariant sets + uniqueness of the KKT point (exact), and that it
rejects every broken ingredient."""

from __future__ import annotations

import copy

import pytest
import theorems.thm_3_2 as t32
import theorems.thm_4_1 as t41
import theorems.thm_4_4 as t44
import theorems.thm_5_1 as t51
from symkkt.claims import convergence_claim, run_claim
from symkkt.errors import InputError
from symkkt.kernel import check_certificate
from symkkt.network import diagonal
from symkkt.problems import Instance


def cert_of(inst, init, **inv):
    claim = convergence_claim("t", "x", inst, init, **inv)
    cert, _ = claim.search()
    return cert


def cert_41(act="linear", **override):
    inv = {**t41.INVARIANT, **override}
    return cert_of(t41.instance(act), t41.GF_INIT, **inv)


def diag_names(m):
    return [f"w{l}_{k}" for l in range(1, m + 1) for k in (1, 2)]


# ------------------------------------------------------------------------------- verified


@pytest.mark.parametrize("act", ["linear", "relu"])
def test_bundled_theorems_verify(act):
    for cert in (cert_41(act),
                 cert_of(t44.instance(act), t44.GF_INIT, **t44.INVARIANT),
                 cert_of(t51.instance(act, 3), t51.gf_init(3), equal=[diag_names(3)],
                         positive=["w1_1"])):
        v = check_certificate(cert)
        assert v.status == "verified", v.reasons
        assert v.values["kkt_points_on_invariant"] == 1


def test_theorem_3_2_idle_neuron():
    cert = cert_of(t32.instance(), t32.CONVERGENCE_INIT, fixed=["w2_1", "w2_2", "v2"])
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert v.values["init_margins"] == ["6/5", "4/5"]


def test_bundled_claims_are_run_and_verified():
    claims = [c for mod in (t32, t41, t44) for c in mod.claims() if c.kind == "convergence"]
    assert len(claims) == 9     # 3.2; 4.1 and 4.4 from the paper's init and off the ray
    for c in claims:
        rep = run_claim(c)
        assert rep.status == "verified", (c.claim_id, rep.reasons)


def test_even_depth_needs_the_positive_coordinate():
    # m = 4: t and -t both give a KKT point on the symmetric line; positivity picks one.
    inst = t51.instance("linear", 4)
    ok = check_certificate(cert_of(inst, t51.gf_init(4), equal=[diag_names(4)],
                                   positive=["w1_1"]))
    assert ok.status == "verified", ok.reasons
    v = check_certificate(cert_of(inst, t51.gf_init(4), equal=[diag_names(4)]))
    assert v.status == "unknown"
    assert "other KKT point" in v.reasons[0]


# ------------------------------------------------------------------------------- rejected


def test_init_outside_the_set_is_rejected_not_refuted():
    inst = t41.instance("linear")
    init = {**t41.GF_INIT, "w2_1": 2}
    v = check_certificate(cert_of(inst, init, **t41.INVARIANT))
    assert v.invalid and "not in the invariant set" in v.reasons[0]


def test_nonpositive_init_for_a_positive_coordinate_is_rejected():
    inst = t41.instance("linear")
    init = {"w1_1": -1, "w1_2": 0, "w2_1": -1, "w2_2": 0}
    v = check_certificate(cert_of(inst, init, **t41.INVARIANT))
    assert v.invalid and "not > 0" in v.reasons[0]


def test_init_loss_at_least_one_is_unknown_not_refuted():
    # Theorem 3.2's GF_INIT meets the paper's hypotheses but has L(theta(0)) > 1.
    assert t32.init_meets_hypotheses(t32.GF_INIT)
    v = check_certificate(cert_of(t32.instance(), t32.GF_INIT, fixed=["w2_1", "w2_2", "v2"]))
    assert v.invalid and "loss at init is not < 1" in v.reasons[0]
    only_logistic = cert_of(t32.instance(), t32.GF_INIT, fixed=["w2_1", "w2_2", "v2"],
                            losses=("logistic",))
    v = check_certificate(only_logistic)
    assert v.invalid and "logistic" in v.reasons[0]


def test_a_coordinate_that_moves_is_not_fixed():
    # Fixing w1_2 but not w2_2: dPhi/dw1_2 = 2*w2_2 does not vanish on the set.
    v = check_certificate(cert_41(fixed=["w1_2"]))
    assert v.invalid and "w1_2 does not stay fixed" in v.reasons[0]


def test_a_dead_neuron_that_is_not_dead_is_not_fixed():
    # w1 is the active neuron of 3.2: its coordinates move.
    v = check_certificate(cert_of(t32.instance(), t32.CONVERGENCE_INIT,
                                  fixed=["w2_1", "w2_2", "v2", "w1_1"]))
    assert v.invalid and "w1_1" in v.reasons[0]


def test_coordinates_that_drift_apart_are_rejected():
    # x = (1, 2): from w1 = w2 = (1, 1) the second coordinates grow twice as fast.
    inst = Instance.make(diagonal(2, 2, "linear"), [(1, 2)], [1],
                         {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0})
    init = {p: 1 for p in inst.network.params}
    v = check_certificate(cert_of(inst, init, equal=[["w1_1", "w1_2", "w2_1", "w2_2"]]))
    assert v.invalid and "drift apart" in v.reasons[0]


def test_positivity_without_a_proof_is_not_taken_on_trust():
    # dv1/dt = sum c_i sigma(<w1, x_i>) is not (multiple of v1) + (polynomial >= 0 in the
    # positive coordinates): the kernel will not take v1 > 0 on trust. The rule is only
    # sufficient, so this is unknown, not refuted.
    v = check_certificate(cert_of(t32.instance(), t32.CONVERGENCE_INIT,
                                  fixed=["w2_1", "w2_2", "v2"], positive=["v1"]))
    assert v.status == "unknown" and "v1 > 0 is not shown invariant" in v.reasons[0]


def test_a_failure_on_a_piece_that_may_not_occur_is_unknown_and_at_init_invalid():
    # 5.1 ReLU without "positive": the sign of t is undetermined, so mixed patterns such as
    # (off, on) are enumerated although they never occur on the equal set.
    names = diag_names(3)
    v = check_certificate(cert_of(t51.instance("relu", 3), t51.gf_init(3), equal=[names]))
    assert v.status == "unknown" and "may never occur" in v.reasons[0]
    # 3.2 with the live neuron's w1_1 declared fixed: neuron 1 is undetermined on the set,
    # but at init it is active on both inputs and dPhi/dw1_1 != 0 there: refuted.
    v = check_certificate(cert_of(t32.instance(), t32.CONVERGENCE_INIT,
                                  fixed=["w2_1", "w2_2", "v2", "w1_1"]))
    assert v.invalid and "the one at init" in v.reasons[0]


def test_a_point_that_is_not_the_limit_is_refuted():
    for point in ({"w1_1": -1, "w1_2": 0, "w2_1": -1, "w2_2": 0},   # the mirror KKT point
                  {"w1_1": 2, "w1_2": 0, "w2_1": 2, "w2_2": 0},     # feasible, not KKT
                  {"w1_1": 0, "w1_2": 1, "w2_1": 0, "w2_2": 1}):    # outside the set
        inst = Instance.make(diagonal(2, 2, "linear"), [(1, 2)], [1], point)
        v = check_certificate(cert_of(inst, t41.GF_INIT, **t41.INVARIANT))
        assert v.status == "refuted", point
        assert "not a KKT point" in v.reasons[0]


def test_two_kkt_points_on_the_set_is_unknown_not_verified():
    # Without w1_1 = w2_1 > 0 the set holds (1, 1) and (-1, -1): GF's choice is not decided.
    v = check_certificate(cert_41(equal=[], positive=[]))
    assert v.status == "unknown" and "other KKT point" in v.reasons[0]


def test_tampered_certificate_numbers_are_checked():
    cert = cert_41()
    cert["init"]["w1_2"] = "1/1000"     # off the set: w1_2 is declared fixed... at 1/1000
    v = check_certificate(cert)
    # Fixed at 1/1000 then dPhi/dw2_2 = 2*sigma(2*w1_2) != 0 on the set: not invariant.
    assert v.invalid and "w2_2 does not stay fixed" in v.reasons[0]


# ------------------------------------------------------------------------------ malformed


@pytest.mark.parametrize("mutate, where", [
    (lambda c: c["invariant"].update(fixed=["nope"]), "$.invariant.fixed"),
    (lambda c: c["invariant"].update(equal=[["w1_1"]]), "$.invariant.equal[0]"),
    (lambda c: c["invariant"].update(fixed=["w1_1"], equal=[["w1_1", "w2_1"]]), "$.invariant"),
    (lambda c: c["invariant"].update(positive=["w1_2"]), "$.invariant.positive"),
    (lambda c: c["invariant"].update(extra=[]), "$.invariant"),
    (lambda c: c.update(losses=["hinge"]), "$.losses"),
    (lambda c: c.update(losses=[]), "$.losses"),
    (lambda c: c.pop("init"), "$.init"),
    (lambda c: c["init"].update(w1_1="x**2"), "$.init.w1_1"),
    (lambda c: c.update(problem={"number": 4, "layer": 1}), "$.problem"),
])
def test_malformed_fields_are_input_errors(mutate, where):
    cert = copy.deepcopy(cert_41())
    mutate(cert)
    with pytest.raises(InputError) as err:
        check_certificate(cert)
    assert where in str(err.value)


def test_values_are_computed():
    v = check_certificate(cert_41())
    assert v.values["norm2"] == "2"
    assert v.values["init_margins"] == ["1"]
    assert v.values["invariant"]["fixed"] == ["w1_2", "w2_2"]


def test_a_continuum_of_kkt_points_is_unknown():
    # Fully connected linear net, no invariant: the KKT points form a continuum (rotations of
    # the hidden layer), so the system is not zero-dimensional and nothing is concluded.
    from symkkt.network import fully_connected
    inst = Instance.make(fully_connected([1, 2], "linear"), [(1,)], [1],
                         {"w1_1": 1, "w2_1": 0, "v1": 1, "v2": 0})
    v = check_certificate(cert_of(inst, {"w1_1": 1, "w2_1": 1, "v1": 1, "v2": 1}))
    assert v.status == "unknown" and "zero-dimensional" in v.reasons[0]


def test_deep_relu_identically_zero_faces_do_not_explode():
    # m = 8 ReLU: on the face w = 0 all 14 hidden inputs vanish; the pattern class is
    # discarded as a whole (margin 0 there) instead of enumerating 2^14 patterns.
    v = check_certificate(cert_of(t51.instance("relu", 8), t51.gf_init(8), **t51.invariant(8)))
    assert v.status == "verified", v.reasons


def test_real_solutions_are_exact_and_complete():
    import sympy
    from symkkt.kernel.convergence import _real_solutions
    x, y = sympy.symbols("x y")
    assert _real_solutions([x**2 + 1], [x]) == []
    sols = _real_solutions([x**2 - 2, y - x], [x, y])
    assert sorted(s[0] for s in sols) == [-sympy.sqrt(2), sympy.sqrt(2)]
    assert all(s[1] == s[0] for s in sols)
    # t^7 = 1/2 has one real root out of seven.
    assert len(_real_solutions([2 * x**7 - 1, y - x], [y, x])) == 1


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_numerical_flow_agrees_with_the_exact_claims(loss):
    # Evidence and proof side by side: from each exact claim's init, the high-precision flow
    # keeps the invariant coordinates where the kernel says they stay and reaches theta~.
    from symkkt.gf.flow import run_gf
    cases = [(t32.instance(), t32.CONVERGENCE_INIT, {"fixed": ["w2_1", "w2_2", "v2"]}),
             (t44.instance("relu"), t44.GF_INIT, t44.INVARIANT),
             (t41.instance("relu"), t41.GF_INIT, t41.INVARIANT)]
    for inst, init, inv in cases:
        fixed = inv["fixed"]
        cert = cert_of(inst, init, **inv)
        res = run_gf(inst.network, inst.X, inst.Y, init, inst.point, loss=loss, dps=30,
                     target_norm=1e8)
        assert check_certificate(cert).status == "verified"
        assert res.direction_error is not None and res.direction_error < 1e-6
        assert res.norm >= 1e8
        params = list(inst.network.params)
        for sample in res.trajectory:
            theta = sample.theta()
            for p in fixed:
                # up to the integrator's tolerance, relative to the norm: the fixed
                # coordinates do not grow with the flow (they would be O(norm) otherwise)
                assert abs(theta[params.index(p)] - float(init[p])) <= 1e-9 * sample.norm


def test_logistic_needs_every_sample_strictly_classified():
    """Theorem 2.1 needs L(theta(0)) < l(0): log 2 for the logistic loss, not 1.

    A third sample sits at margin 0 at init (both neurons off on it): the logistic loss is
    about 0.69 + 2e-4 < 1 but > log 2. The argument does not apply, so the certificate fails;
    the statement is not refuted either (unknown)."""
    from sympy import Rational as R
    init = {**t32.CONVERGENCE_INIT, "v1": 20}
    inst = Instance.make(t32.NETWORK, list(t32.X) + [(-10, R(1, 2))], list(t32.Y) + [1],
                         t32.POINT)
    cert = cert_of(inst, init, fixed=["w2_1", "w2_2", "v2"])
    cert["losses"] = ["logistic"]
    v = check_certificate(cert)
    assert v.values["init_margins"] == ["12", "8", "0"]
    assert v.status == "unknown" and v.invalid and "log(2)" in v.reasons[0]
    # the same sample moved to where neuron 1 sees it at init: the argument goes through
    inst_ok = Instance.make(t32.NETWORK, list(t32.X) + [(1, R(1, 2))], list(t32.Y) + [1],
                            t32.POINT)
    cert_ok = cert_of(inst_ok, init, fixed=["w2_1", "w2_2", "v2"])
    cert_ok["losses"] = ["logistic"]
    ok = check_certificate(cert_ok)
    assert ok.status == "verified" and ok.values["init_margins"] == ["12", "8", "22"]
