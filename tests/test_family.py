"""The ``diagonal-family`` kernel kind: Theorem 5.1 for every depth m >= 3 in one certificate,
its cross-check against the per-depth certificates, and the rejections."""

from __future__ import annotations

import copy
import json

import pytest
import sympy

import theorems.thm_5_1 as t51
from symkkt.claims import REPORT_KINDS, run_claim
from symkkt.cli import main
from symkkt.errors import InputError
from symkkt.family import family_certificate, find_family_eps0
from symkkt.kernel import check_certificate, kinds
from symkkt.kernel.certificate import EPSILON
from symkkt.kernel.family import M, leading_term_in_m, multiplier_in_m, norm2_in_m
from symkkt.kernel.grammar import parse_exact, parse_number
from symkkt.kernel.exact import sign

eps = EPSILON


def base(**changes) -> dict:
    """Theorem 5.1's certificate (ReLU, eps0 = 1/2), with top-level fields replaced."""
    cert = family_certificate("relu", t51.X[0], t51.Y[0], t51.PRODUCTS, t51.products_curve(),
                              sympy.Rational(1, 2), depth_min=3)
    cert.update(changes)
    return cert


def with_curve(products, **changes) -> dict:
    cert = base(**changes)
    cert["curve"] = {"variable": "epsilon", "products": list(products)}
    return cert


def status(cert) -> tuple[str, str]:
    """``(status, reasons)``; status ``invalid`` for an unknown whose certificate provably fails."""
    v = check_certificate(cert)
    return ("invalid" if v.invalid else v.status), " ".join(v.reasons)


@pytest.fixture(scope="module")
def family_reports():
    reps = [run_claim(c) for c in t51.claims() if c.kind == "not-local-all-depths"]
    return {rep.claim.label: rep for rep in reps}


# ------------------------------------------------------------------------ Theorem 5.1


def test_kind_is_registered():
    assert "diagonal-family" in kinds()
    assert "not-local-all-depths" in REPORT_KINDS


@pytest.mark.parametrize("act", ["linear", "relu"])
def test_theorem_5_1_all_depths_verified(family_reports, act):
    rep = family_reports[f"{act}, all depths"]
    assert rep.status == "verified", rep.reasons
    v = rep.values
    assert v["eps0"] == "1/2" and v["depth_min"] == 3
    assert v["norm2"] == "3*2**(1/3)"
    assert v["multipliers"] == ["2**(1/3)"]
    assert v["leading_term"] == "-2**(1/3)*epsilon**2/3"
    assert "m" in v["norm2_in_m"] and "m" in v["leading_term_in_m"]
    assert "m" in v["multipliers_in_m"][0]
    assert any("Jensen" in r for r in rep.reasons)
    assert any(r.startswith("KKT for every m >= 3") for r in rep.reasons)
    out = rep.to_json()
    assert out["kind"] == "not-local-all-depths" and out["depths"] == "m >= 3"
    assert out["activation"] == act
    # the certificate is data: a JSON round trip gives the same verdict
    again = check_certificate(json.loads(json.dumps(rep.certificate)))
    assert again.status == "verified" and dict(again.values) == dict(rep.values)


def test_leading_term_in_m_is_the_papers():
    lt = leading_term_in_m(sympy.Rational(1, 2), t51.products_curve())
    expected = (2 - M) / M * 2 ** (1 - 2 / M) * eps ** 2
    assert sympy.simplify(lt - expected) == 0


def test_family_matches_the_per_depth_certificates():
    """For m = 3..8, the family's formulas in m, evaluated at m, equal the values of the
    per-depth kkt and not-local certificates (both computed, compared exactly)."""
    c = sympy.Rational(1, 2)
    lt = leading_term_in_m(c, t51.products_curve())
    n2 = norm2_in_m(t51.PRODUCTS)
    lam = multiplier_in_m(c, sympy.Integer(1))
    per_m = {}
    for claim in t51.claims():
        if claim.label.startswith("linear, m=") and claim.kind in ("kkt", "not-local") \
                and claim.label != "linear, m=2":
            rep = run_claim(claim)
            assert rep.status == "verified"
            per_m.setdefault(int(claim.label.split("=")[1]), {})[claim.kind] = rep.values
    assert sorted(per_m) == list(t51.DEPTHS)
    for m, vals in per_m.items():
        theirs_lt = parse_exact(vals["not-local"]["leading_term"], {"epsilon": eps})
        ours_lt = lt.xreplace({M: sympy.Integer(m)})
        coeff = sympy.expand((theirs_lt - ours_lt) / eps ** 2)
        assert not coeff.free_symbols and sign(coeff) == 0, (m, theirs_lt, ours_lt)
        assert sign(parse_number(vals["kkt"]["norm2"]) - n2.xreplace({M: m})) == 0
        assert sign(parse_number(vals["kkt"]["multipliers"][0])
                    - lam.xreplace({M: m})) == 0


def test_first_order_leading_term_is_reported():
    """x = (2, 1), c = (1/3, 1/3): the curve (1/3 + ε, 1/3 − 3ε/2) lowers the mean, so the
    first-order term 2 c̄^(2/m − 1) S1 (S1 = −ε/2) leads."""
    third = sympy.Rational(1, 3)
    cert = family_certificate("linear", (2, 1), 1, (third, third),
                              (third + eps, third - 3 * eps / 2), sympy.Rational(1, 10),
                              rule="none")
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert "multipliers" not in v.values
    assert any("not claimed" in r for r in v.reasons)
    lt = leading_term_in_m(third, (third + eps, third - 3 * eps / 2))
    assert sympy.simplify(lt + third ** (2 / M - 1) * eps) == 0
    assert v.values["leading_term"] == txt_at(lt, 3)


def txt_at(expr, m):
    from symkkt.kernel.grammar import to_text
    return to_text(sympy.simplify(sympy.radsimp(expr.xreplace({M: sympy.Integer(m)}))))


def test_search_picks_the_largest_eps0_on_the_ladder():
    cert, verdict, _ = find_family_eps0("linear", (1, 1), 1, t51.PRODUCTS, t51.products_curve())
    assert cert["eps0"] == "1/2" and verdict.ok      # eps0 = 1 makes u_2(1) = 0


def test_check_cert_and_latex_on_written_certificates(family_reports, tmp_path, capsys):
    from symkkt.latex import Certificate, latex

    files = []
    for label, rep in family_reports.items():
        f = tmp_path / f"{label.replace(' ', '_').replace(',', '').replace('>=', 'ge')}.json"
        f.write_text(json.dumps(rep.certificate))
        files.append(str(f))
        tex = latex(rep)
        assert "Every depth at once" in tex and r"\lambda(m)" in tex
        assert "cannot be read" not in tex
    with pytest.raises(SystemExit) as info:
        main(["check-cert", *files])
    assert info.value.code == 0, capsys.readouterr().out
    bad = base(depth_min=2)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f)])
    assert info.value.code == 1 and "m = 2" in capsys.readouterr().out
    assert "cannot be read" in latex(Certificate({**bad, "width": "two"}))


# ------------------------------------------------------------------------ rejections


def test_depth_min_2_is_refuted():
    st, why = status(base(depth_min=2))
    assert st == "invalid" and "linear" in why and "m = 2" in why


def test_mean_above_cbar_with_a_growing_norm_is_refuted():
    st, why = status(with_curve(["(1+2*epsilon)/2", "(1-epsilon)/2"]))
    assert st == "invalid" and "m = 3" in why and "norm" in why


def test_infeasible_curve_is_refuted():
    st, why = status(with_curve(["(1+epsilon)/2", "(1-3*epsilon/2)/2"]))
    assert st == "invalid" and "feasibility" in why


def test_eps0_too_large_is_refuted():
    st, why = status(base(eps0="2"))                  # u_2(2) = -1/2 < 0
    assert st == "invalid" and "u_2(epsilon) > 0" in why


def test_constant_curve_is_refuted():
    st, why = status(with_curve(["1/2", "1/2"]))
    assert st == "invalid" and "does not decrease" in why


def test_curve_not_tending_to_the_point_is_refuted():
    st, why = status(with_curve(["(1+epsilon)/2 + 1/10", "(1-epsilon)/2 - 1/10"]))
    assert st == "invalid" and "does not tend" in why


def test_unequal_products_are_unknown_for_the_norm():
    cert = with_curve(["1/4 + epsilon", "3/4 - epsilon"], point=["1/4", "3/4"],
                      multiplier_rule="none")
    st, why = status(cert)
    assert st == "unknown" and "every c_k equal" in why


def test_unequal_products_cannot_be_kkt_for_every_depth():
    st, why = status(base(point=["1/4", "3/4"]))
    assert st == "invalid" and "at most one m" in why


def test_negative_multiplier_is_refuted():
    cert = base(activation="linear", data={"x": [["3", "-1"]], "y": [1]})
    st, why = status(cert)
    assert st == "invalid" and "y*x_2 = -1 <= 0" in why


def test_negative_label_with_positive_products_is_refuted():
    cert = base(activation="linear", data={"x": [["1", "1"]], "y": [-1]})
    st, why = status(cert)
    assert st == "refuted" and "infeasible" in why


def test_inactive_constraint_is_refuted():
    st, why = status(base(data={"x": [["2", "2"]], "y": [1]}))
    assert st == "invalid" and "inactive" in why


def test_relu_with_a_non_positive_input_is_unknown():
    for x in (["-1", "-1"], ["1", "0"]):
        cert = base(data={"x": [x], "y": [-1 if x[0] == "-1" else 1]})
        st, why = status(cert)
        assert st == "unknown" and "x_k > 0" in why
    # the same data on a linear network is a valid family (y = -1, x = (-1, -1))
    cert = base(activation="linear", data={"x": [["-1", "-1"]], "y": [-1]})
    assert status(cert)[0] == "verified"


def test_non_positive_product_is_refuted():
    st, why = status(base(point=["0", "1/2"]))
    assert st == "invalid" and "not positive" in why


def test_never_verified_by_default():
    """Dropping the curve leaves a KKT-only certificate; dropping both is malformed."""
    cert = base()
    del cert["curve"], cert["eps0"]
    v = check_certificate(cert)
    assert v.status == "verified" and "leading_term" not in v.values
    with pytest.raises(InputError, match=r"\$: the certificate claims nothing"):
        check_certificate({**cert, "multiplier_rule": "none"})


@pytest.mark.parametrize("change, path", [
    ({"activation": "tanh"}, "$.activation"),
    ({"width": 0}, "$.width"),
    ({"width": True}, "$.width"),
    ({"width": 3}, "$.data.x[0]"),
    ({"depth_min": "3"}, "$.depth_min"),
    ({"depth_min": 3.0}, "$.depth_min"),
    ({"depth_min": 10 ** 6}, "$.depth_min"),
    ({"data": {"x": [["1", "1"], ["1", "1"]], "y": [1, 1]}}, "$.data"),
    ({"data": {"x": [["1", "1"]], "y": [2]}}, "$.data.y[0]"),
    ({"data": {"x": [["1", "__import__('os')"]], "y": [1]}}, "$.data.x[0][1]"),
    ({"point": ["1/2"]}, "$.point"),
    ({"point": ["1/2", "m"]}, "$.point[1]"),
    ({"point": ["1/2", 0.5]}, "$.point[1]"),
    ({"multiplier_rule": "kkt"}, "$.multiplier_rule"),
    ({"eps0": "sqrt(2)"}, "$.eps0"),
    ({"eps0": "-1/2"}, "$.eps0"),
    ({"curve": {"products": ["(1+epsilon)/2"]}}, "$.curve.products"),
    ({"curve": {"products": ["(1+epsilon)/2", "(1-delta)/2"]}}, "$.curve.products[1]"),
    ({"curve": {"products": ["1", "1"], "variable": "t"}}, "$.curve.variable"),
    ({"curve": {"products": ["1", "1"], "substitution_power": 13}},
     "$.curve.substitution_power"),
    ({"curve": "(1+epsilon)/2"}, "$.curve"),
])
def test_malformed_fields_are_input_errors(change, path):
    cert = copy.deepcopy(base())
    cert.update(change)
    with pytest.raises(InputError) as info:
        check_certificate(cert, source="fam.json")
    msg = str(info.value)
    assert msg.startswith(f"fam.json: {path}") and "\n" not in msg, msg


def test_missing_fields_are_input_errors():
    for key, path in (("activation", "$.activation"), ("point", "$.point"),
                      ("data", "$.data"), ("multiplier_rule", "$.multiplier_rule"),
                      ("eps0", "$.eps0")):
        cert = base()
        del cert[key]
        with pytest.raises(InputError, match=rf"^fam\.json: \{path}: missing"):
            check_certificate(cert, source="fam.json")
