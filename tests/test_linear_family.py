"""Family certificates for all data (issue 16 part 2): ``linear-per-layer-family`` (Theorem
5.2 for a shape) and ``depth2-linear-family`` (Theorem 4.2(1) every width, Theorem 3.1 at
depth 2); re-checked with ``check-cert``; rejected when tampered (a broken certificate is
``unknown``/invalid, never ``refuted``); the tables' basis column."""

from __future__ import annotations

import copy
import json

import pytest

import theorems.thm_3_1 as t31
import theorems.thm_4_2_1 as t421
import theorems.thm_5_2 as t52
from symkkt.claims import REPORT_KINDS, run_claim
from symkkt.cli import main
from symkkt.errors import InputError
from symkkt.kernel import check_certificate, kinds
from symkkt.kernel.linfamily import block_identities, layer_facts
from symkkt.linfamily import depth2_family_certificate, per_layer_family_certificate
from symkkt.network import fully_connected
from symkkt.tables import Cell, cell_verdict

CONV = {"activation": "linear", "layers": [[["a", "b", "0", "0"], ["0", "0", "a", "b"]],
                                          [["v1", "v2"]]]}


def layer_cert(shape=CONV, **changes) -> dict:
    cert = {"symkkt_certificate": 1, "kind": "linear-per-layer-family",
            "shape": copy.deepcopy(shape), "multiplier_rule": "lam"}
    cert.update(changes)
    return cert


def d2_cert(**changes) -> dict:
    cert = depth2_family_certificate("singletons", [1], "excluded", "l1")
    cert.update(changes)
    return cert


def status(cert) -> tuple[str, str]:
    v = check_certificate(cert)
    return ("invalid" if v.invalid else v.status), " ".join(v.reasons)


@pytest.fixture(scope="module")
def reports():
    out = []
    for mod in (t52, t421, t31):
        out += [run_claim(c) for c in mod.claims() if c.extra.get("basis") == "all-data"]
    return out


# ------------------------------------------------------------------------- verified


def test_kinds_and_report_kinds_are_registered():
    assert {"linear-per-layer-family", "depth2-linear-family"} <= set(kinds())
    assert {"global-all-data", "per-layer-global-all-data"} <= set(REPORT_KINDS)


def test_every_family_claim_verifies(reports):
    by_theorem = {}
    for rep in reports:
        assert rep.status == "verified", (rep.claim.claim_id, rep.reasons)
        assert rep.to_json()["basis"] == "all-data"
        by_theorem.setdefault(rep.claim.theorem, []).append(rep)
    assert set(by_theorem) == {"5.2", "4.2(1)", "3.1"}
    assert len(by_theorem["5.2"]) == 4          # conv, diagonal, fully-connected, shared sparse
    l1 = [r for r in by_theorem["4.2(1)"] if r.certificate.get("predictor") == "l1"]
    assert l1 and l1[0].certificate["supports"] == "singletons"
    fc = by_theorem["3.1"][0].certificate
    assert fc["supports"] == "common" and fc["zero_neurons"] == "allowed" and \
        fc["predictor"] == "l2"


def test_check_cert_rechecks_the_written_certificates(reports, tmp_path, capsys):
    files = []
    for i, rep in enumerate(reports):
        f = tmp_path / f"c{i}.json"
        f.write_text(json.dumps(rep.certificate))
        files.append(str(f))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", *files])
    assert info.value.code == 0, capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(layer_cert(multiplier_rule="2*lam")))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(bad)])
    assert info.value.code == 1
    assert "unknown" in capsys.readouterr().out


def test_phi_is_computed_from_the_shape_with_symbolic_inputs():
    v = check_certificate(layer_cert())
    assert v.ok
    assert v.values["phi"] == ("p_a*p_v1*xi_1 + p_a*p_v2*xi_3 + p_b*p_v1*xi_2 + "
                               "p_b*p_v2*xi_4")
    deep = per_layer_family_certificate(fully_connected([2, 2, 2], "linear"))
    v = check_certificate(deep)
    assert v.ok and v.values["monomials"] == 8 and v.values["layers"] == [1, 2, 3]


def test_sharing_inside_a_layer_is_degree_one():
    # the same parameter twice in one row: Phi = v*a*(x1 + x2), degree 1 in layer 1
    defects, values = layer_facts([[["a", "a"]], [["v"]]], [1, 2])
    assert defects == [] and values["monomials"] == 2


def test_identically_zero_output_is_vacuous():
    shape = {"activation": "linear", "layers": [[["a", "0"], ["0", "b"]], [["0", "0"]]]}
    v = check_certificate(layer_cert(shape))
    assert v.ok and "vacuously" in " ".join(v.reasons)


def test_depth2_family_covers_every_support_size_listed():
    v = check_certificate(depth2_family_certificate("any", [1, 2, 5], "excluded"))
    assert v.ok and v.values["support_sizes"] == [1, 2, 5]
    assert all(block_identities(r) == [] for r in (1, 2, 3, 7))


# ------------------------------------------------------------------------- rejected


def test_a_parameter_shared_across_layers_is_refused():
    shape = {"activation": "linear", "layers": [[["a", "b"]], [["a"]]]}
    with pytest.raises(InputError) as info:
        check_certificate(layer_cert(shape))
    assert "$.shape" in str(info.value) and "across layers" in str(info.value)
    # the kernel's own check on raw layers reports it too (degree 2 in both layers)
    defects, _ = layer_facts([[["a", "b"]], [["a"]]], [1, 2])
    assert any("occurs in layers [1, 2]" in d for d in defects)
    assert any("layer 1" in d and "degree 2" in d for d in defects)
    assert any("layer 2" in d and "degree 2" in d for d in defects)


def test_a_relu_shape_is_invalid_not_refuted():
    st, why = status(layer_cert({**CONV, "activation": "relu"}))
    assert st == "invalid" and "ReLU" in why


@pytest.mark.parametrize("rule", ["2*lam", "lam**2", "0", "lam + 1"])
def test_a_wrong_multiplier_rule_is_invalid(rule):
    st, why = status(layer_cert(multiplier_rule=rule))
    assert st == "invalid" and "multiplier_rule" in why
    st, why = status(d2_cert(multiplier_rule=rule))
    assert st == "invalid" and "multiplier_rule" in why


def test_an_equivalent_multiplier_rule_is_accepted():
    assert check_certificate(layer_cert(multiplier_rule="(2*lam)/2")).ok


@pytest.mark.parametrize("cert, path", [
    (layer_cert(note="x"), "$.note"),
    (layer_cert(layers=[3]), "$.layers[0]"),
    (layer_cert(layers=[1, 1]), "$.layers[1]"),
    (layer_cert(multiplier_rule="mu"), "$.multiplier_rule"),
    (layer_cert(multiplier_rule="__import__('os')"), "$.multiplier_rule"),
    (layer_cert(shape={"activation": "tanh", "layers": CONV["layers"]}), "$.shape.activation"),
    (d2_cert(width=3), "$.width"),
    (d2_cert(supports="diagonal"), "$.supports"),
    (d2_cert(support_sizes=[2]), "$.support_sizes"),
    (d2_cert(support_sizes=[0]), "$.support_sizes[0]"),
    (d2_cert(zero_neurons=True), "$.zero_neurons"),
    (d2_cert(predictor="l3"), "$.predictor"),
])
def test_malformed_certificates_are_input_errors(cert, path):
    with pytest.raises(InputError) as info:
        check_certificate(cert)
    assert path in str(info.value)


@pytest.mark.parametrize("changes, words", [
    ({"zero_neurons": "allowed"}, "common support"),           # Theorem 4.1's counterexample
    ({"supports": "any", "support_sizes": [1, 2]}, "predictor 'l1' needs singleton"),
    ({"predictor": "l2"}, "predictor 'l2' needs a common support"),
    ({"supports": "any", "support_sizes": [2], "zero_neurons": "allowed", "predictor": None},
     "common support"),
])
def test_depth2_claims_beyond_the_lemma_are_invalid(changes, words):
    cert = d2_cert(**changes)
    if cert.get("predictor") is None:
        cert.pop("predictor")
    st, why = status(cert)
    assert st == "invalid" and words in why


def test_no_tampered_certificate_is_refuted():
    tampered = [layer_cert({**CONV, "activation": "relu"}), layer_cert(multiplier_rule="0"),
                d2_cert(zero_neurons="allowed"), d2_cert(predictor="l2")]
    assert all(check_certificate(c).status == "unknown" for c in tampered)


# ------------------------------------------------------------------------- tables


def _claim(tid, kind, label, depth=2, basis=None):
    c = {"theorem": tid, "id": f"{tid}/{label}/{kind}", "kind": kind, "label": label,
         "activation": "linear", "status": "verified", "depth": depth, "values": {}}
    if basis:
        c["basis"] = basis
    return c


def test_table_cells_say_their_basis():
    inst = [_claim("3.1", "kkt", "A"), _claim("3.1", "global", "A"),
            _claim("3.1", "global", "B", depth=3)]
    fam = _claim("3.1", "global-all-data", "fc, all data", basis="all-data")
    shallow = Cell(("3.1",), "linear", "3.1")
    deep = Cell(("3.1",), "linear", "3.1", min_depth=3)
    v = cell_verdict(shallow, inst + [fam], ["3.1"])
    assert v["verdict"] == "global" and v["basis"] == "all-data"
    assert v["basis_detail"] == ["fc, all data"]
    v = cell_verdict(deep, inst + [fam], ["3.1"])            # a depth-2 family: not deep
    assert v["verdict"] == "global" and v["basis"] == "instances (2)"
    assert cell_verdict(shallow, inst, ["3.1"])["basis"] == "instances (2)"
    neg = [_claim("4.1", "kkt", "d"), _claim("4.1", "not-local", "d")]
    assert cell_verdict(Cell(("4.1",), "linear", "4.1"), neg, ["4.1"])["basis"] == "example"
    fam_only = [_claim("5.2", "per-layer-global-all-data", "s", depth=3, basis="all-data")]
    v = cell_verdict(Cell(("5.2",), "linear", "5.2", per_layer=True, min_depth=3), fam_only,
                     ["5.2"])
    assert v["verdict"] == "global" and v["basis"] == "all-data"


def test_every_claim_json_says_its_basis():
    from symkkt.claims import ClaimReport

    inst = t421.instance("diagonal d=2")
    by_kind: dict = {}
    for c in t421.claims():
        by_kind.setdefault(c.kind, c)         # the first claim of each kind: a built instance
    assert ClaimReport(by_kind["global"], "verified", (), {}, 0.0).to_json()["basis"] == \
        "instance"
    found = [c for c in t421.claims() if "found point" in c.label and c.kind == "global"]
    assert found and all(ClaimReport(c, "verified", (), {}, 0.0).to_json()["basis"] == "found"
                         for c in found)
    assert ClaimReport(by_kind["global-all-data"], "verified", (), {}, 0.0).to_json()[
        "basis"] == "all-data"
    from symkkt.claims import curve_claim
    neg = curve_claim("4.1", "x", inst, {p: 1 for p in inst.network.params})
    assert ClaimReport(neg, "verified", (), {}, 0.0).to_json()["basis"] == "example"
