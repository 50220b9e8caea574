"""Our own constructions for 4.2(2), 4.3 (negative), 5.3, 5.4 (negative): every claim verifies,
and the kernel REJECTS the near misses (infeasible or worse "better" points, points off the
KKT set, forged Clarke weights, per-layer curves that move another layer, too large ε0)."""

import copy
import json

import pytest
import sympy
from sympy import Integer, Rational

from symkkt.claims import run_claim
from symkkt.kernel import check_certificate, load_certificate
from symkkt.kkt import find_kkt
from symkkt.perturb import EPSILON as eps
from symkkt.perturb import curve_certificate, find_eps0
import theorems.neg_4_3 as n43
import theorems.neg_5_4 as n54
import theorems.thm_4_2_2 as t422
import theorems.thm_4_3 as t43
import theorems.thm_5_3 as t53
import theorems.thm_5_4 as t54


def roundtrip(cert):
    return load_certificate(json.dumps(cert))


def check(cert):
    return check_certificate(roundtrip(cert))


# ------------------------------------------------------------------ every claim verifies


CLAIMS = {c.claim_id: c for mod in (t422, t53, n43, n54) for c in mod.claims()}


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_construction_claim_verified(claim_id):
    rep = run_claim(CLAIMS[claim_id])
    assert rep.status == "verified", (claim_id, rep.reasons)


def test_registered_modules_carry_the_negative_parts():
    ids43 = {c.claim_id for c in t43.claims()}
    ids54 = {c.claim_id for c in t54.claims()}
    assert {c.claim_id for c in n43.claims()} <= ids43
    assert {c.claim_id for c in n54.claims()} <= ids54
    kinds43 = {c.kind for c in t43.negative_claims()}
    assert {"local", "not-global", "nonzero-inputs", "kkt"} <= kinds43
    kinds54 = {c.kind for c in t54.negative_claims()}
    assert {"per-layer-local", "per-layer-not-global", "nonzero-inputs"} <= kinds54


def test_422_numbers():
    res = find_kkt(t422.instance())
    assert [str(v) for v in res.multipliers] == ["1", "1", "1/2"]
    assert t422.instance().norm2 == 5
    # neuron 1 sits on a kink of x2 and only its inactive piece is used there
    pieces = res.certificate["subgradients"][1]
    assert all(p["pattern"][0][0] == 0 for p in pieces)
    cur = find_eps0(t422.instance(), t422.curve())
    assert cur.verdict.ok and cur.verdict.values["eps0"] == "1"
    assert cur.verdict.values["leading_term"] == "-2*epsilon"


def test_53_numbers():
    cur = find_eps0(t53.instance(1), t53.curve())
    assert cur.verdict.ok
    assert cur.verdict.values["layer_norm2"] == "5/2"
    assert cur.verdict.values["leading_term"] == "-2*epsilon"


# ------------------------------------------------------------------------- rejections


def better_cert(inst, better):
    cert = inst.base_json()
    cert.update(kind="better-point", better_point={p: str(better[p]) for p in better})
    return cert


def test_infeasible_better_point_refuted():
    inst = n43.instance("fully connected")
    bad = dict(n43.FC_BETTER, v1=Rational(1, 2))             # margin 1/2 on x1
    v = check(better_cert(inst, bad))
    assert v.invalid and "infeasible" in v.reasons[0]
    # inactive on its own sample: w1 points away from x1
    bad = dict(n43.FC_BETTER, w1_1=Rational(-4, 5))
    assert check(better_cert(inst, bad)).invalid


def test_larger_norm_better_point_refuted():
    inst = n43.instance("locally connected")
    worse = dict(n43.SPARSE_BETTER, v1=Integer(2), v2=Integer(2))   # feasible, norm 30/5
    v = check(better_cert(inst, worse))
    assert v.invalid and "not better" in v.reasons[0]
    # the point itself is not strictly better than itself
    assert check(better_cert(inst, inst.point)).invalid


def test_per_layer_better_point_changing_another_layer_refuted():
    inst = n54.instance("depth 3, fully connected", layer=1)
    good = n54.better_layer1("depth 3, fully connected")
    assert check(better_cert(inst, good)).status == "verified"
    moved = dict(good, W3_1_1=Rational(11, 10))
    v = check(better_cert(inst, moved))
    assert v.invalid and "W3_1_1" in v.reasons[0]
    # the full-problem better point of 4.3 changes v too: not a Problem-4 certificate
    inst2 = n43.instance("fully connected", layer=2)
    assert check(better_cert(inst2, n43.FC_BETTER)).invalid


def test_point_off_the_kkt_set_fails():
    inst = t422.instance()
    cert = find_kkt(inst).certificate
    # unbalanced neurons 3, 4: still feasible (margins 1) but not stationary
    moved = dict(t422.POINT, w3_1=Rational(-3, 5), w3_2=Rational(-4, 5), v3=Rational(-1, 4),
                 w4_1=Rational(-3, 5), w4_2=Rational(-4, 5), v4=Rational(-1, 4))
    off = inst.with_point(moved)
    assert find_kkt(off).certificate is None
    forged = copy.deepcopy(cert)
    forged["point"] = {p: str(v) for p, v in moved.items()}
    v = check(forged)
    assert v.invalid and "stationarity" in v.reasons[0]
    # rotate neuron 1 off the kink: the old multipliers no longer fit
    forged = copy.deepcopy(cert)
    forged["point"]["w1_2"] = "1/10"
    assert check(forged).invalid
    # the 4.3 local point, neurons unbalanced
    moved = dict(n43.FC_POINT, w1_2=Integer(2), v1=Rational(1, 2))
    assert find_kkt(n43.instance("fully connected").with_point(moved)).certificate is None


def test_forged_clarke_weight_at_the_kink_refuted():
    cert = find_kkt(t422.instance()).certificate
    forged = copy.deepcopy(cert)
    # claim neuron 1 is (half) active on x2: stationarity then needs w1_2 = 1/2, not 0
    inactive = forged["subgradients"][1][0]
    active = copy.deepcopy(inactive)
    active["pattern"][0][0] = 1
    active["witness"] = {"w1_2": "1"}
    inactive["weight"] = "1/2"
    active["weight"] = "1/2"
    forged["subgradients"][1].append(active)
    v = check(forged)
    assert v.invalid and "stationarity" in v.reasons[0]


def test_per_layer_curve_moving_another_layer_refuted():
    # 4.2(2)'s curve also shrinks v2: it is not a Problem-4 curve for layer 1
    cert = curve_certificate(t53.instance(1), t422.curve(), Rational(1, 2))
    v = check(cert)
    assert v.invalid and "v2" in v.reasons[0]


@pytest.mark.parametrize("which,eps0", [("4.2(2)", Integer(2)), ("4.2(2)", Rational(4, 3)),
                                        ("5.3", Integer(1)), ("5.3", Rational(3, 2))])
def test_too_large_eps0_not_verified(which, eps0):
    inst, curve = ((t422.instance(), t422.curve()) if which == "4.2(2)"
                   else (t53.instance(1), t53.curve()))
    ok = curve_certificate(inst, curve, Rational(1, 2))
    assert check(ok).status == "verified"
    cert = copy.deepcopy(ok)
    cert["eps0"] = str(eps0)       # patterns along (0, 1/2] kept: honest except for eps0
    assert check(cert).status != "verified"


def test_local_methods_do_not_apply_at_kinks():
    """Sanity: the fixed-pattern / per-layer QP certificates need non-zero inputs; at the
    4.2(2) point (kinks) neither verifies, as it must not (the point is not local)."""
    from symkkt.optimum import local_claim, per_layer_claims

    assert run_claim(local_claim("test", "kinks", t422.instance())).status != "verified"
    (c,) = per_layer_claims("test", "kinks", t422.instance(), local=True, layers=[1])
    assert run_claim(c).status != "verified"


def test_global_claim_at_43_point_refuted():
    from symkkt.optimum import global_claim

    rep = run_claim(global_claim("test", "fc", n43.instance("fully connected")))
    assert rep.status == "refuted"


def test_gf_runs_have_matching_inits():
    for mod in (t422, t53, n43, n54):
        for run in mod.gf_runs():
            inst = run["instance"]
            assert set(run["init"]) == set(inst.network.params)
            assert run["init"] != dict(inst.point)


# ------------------------------------------------------------ idle neurons (issue 17, item 2)


@pytest.mark.parametrize("n", [12, 40])
def test_kkt_search_collapses_idle_neurons(n):
    """Theorem 3.2's KKT point in neuron 1 and n - 1 idle neurons: 2(n - 1) hidden inputs are
    exactly 0, but an idle neuron's bit does not change the gradient, so the search does not
    enumerate 2^(n-1) pieces per sample (it used to give up above 10) and the kernel verifies."""
    from symkkt.claims import kkt_claim, run_claim
    from symkkt.network import fully_connected
    from symkkt.problems import Instance
    from theorems import thm_3_2

    net = fully_connected([2, n], "relu")
    pt = {p: 0 for p in net.params}
    pt.update({"w1_2": 2, "v1": 2})
    rep = run_claim(kkt_claim("T", "idle", Instance.make(net, thm_3_2.X, thm_3_2.Y, pt)))
    assert rep.status == "verified", rep.reasons


def test_kkt_search_has_no_cap_on_zero_inputs_that_matter():
    """Zero inputs at neurons with a non-zero output weight change the gradient. The former
    enumeration (kept as the benchmark's baseline) refuses more than MAX_ZERO_NEURONS of
    them; the search does not list pieces and answers (Theorem 4.2(2)'s kinks on x2 plus
    MAX_ZERO_NEURONS + 1 neurons with output weight 1 and incoming weights 0)."""
    from symkkt.errors import UndecidedError
    from symkkt.kkt import MAX_ZERO_NEURONS, adjacent_pieces
    from symkkt.network import fully_connected
    from symkkt.problems import Instance

    extra = MAX_ZERO_NEURONS + 1
    n = 4 + extra
    net = fully_connected([2, n], "relu")
    pt = {p: 0 for p in net.params}
    base = t422.POINT
    for j in range(1, 5):
        for k in (1, 2):
            pt[f"w{j}_{k}"] = base[f"w{j}_{k}"]
        pt[f"v{j}"] = base[f"v{j}"]
    # incoming weights 0, output weight 1: not stationary in v (its gradient relu(0) is 0
    # while v = 1), so not a KKT point; the search says so without the cap
    for j in range(5, n + 1):
        pt[f"v{j}"] = 1
    inst = Instance.make(net, t422.X, t422.Y, pt)
    with pytest.raises(UndecidedError):
        adjacent_pieces(inst, inst.X[1])
    res = find_kkt(inst)
    assert res.certificate is None and res.stats["zero_inputs_that_matter"] > MAX_ZERO_NEURONS
    # the same neurons with output weight 0 (idle): Theorem 4.2(2)'s point, verified
    for j in range(5, n + 1):
        pt[f"v{j}"] = 0
    res = find_kkt(inst.with_point(pt))
    assert res.certificate is not None and check(res.certificate).status == "verified"


@pytest.mark.parametrize("tid", ["4.2(2)", "4.3", "5.3", "5.4"])
def test_constructions_say_why_there_is_no_exact_convergence_claim(tid):
    """Issue 16: for each construction, verify's JSON has a convergence claim or says why none
    exists (here: why none, on the construction's kkt claims)."""
    from symkkt.claims import ClaimReport
    from symkkt.suite import collect

    claims = [c for c in collect([tid]) if c.kind in ("kkt", "convergence")]
    stated = [ClaimReport(c, "verified", (), {}, 0.0).to_json().get("exact_convergence")
              for c in claims if c.kind == "kkt"]
    has_claim = any(c.kind == "convergence" for c in claims)
    assert has_claim or any(s and s.startswith("none:") for s in stated)
