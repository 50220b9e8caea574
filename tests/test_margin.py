"""``margin-decreases``: the normalized margin of a non-homogeneous network strictly decreases
along gradient flow (result ``NH``), and the kernel rejects every broken ingredient."""

from __future__ import annotations

import copy
import json

import pytest
import sympy

import theorems.thm_nonhomogeneous as nh
from symkkt.cli import main
from symkkt.errors import InputError
from symkkt.kernel import check_certificate
from symkkt.nonhom import margin_certificate


@pytest.fixture(scope="module")
def cert():
    c, reason = margin_certificate(nh.model())
    assert c is not None, reason
    return json.loads(json.dumps(c))


def test_the_bundled_result_verifies_with_an_explicit_interval(cert):
    v = check_certificate(cert)
    assert v.status == "verified", v.reasons
    assert v.values["homogeneous"] is False and v.values["degree"] == 2
    assert v.values["init_margins"] == ["3/2"]
    assert v.values["normalized_margin_at_init"] == "2/3"
    # dγ/dt at 0 = e^{-q}(N|∇q|² - 2qθ·∇q)/N² with q = 3/2, N = 9/4: -5 e^{-3/2}/27
    got = sympy.sympify(v.values["derivative_at_init"]["exp"])
    assert sympy.simplify(got + sympy.Rational(5, 27) * sympy.exp(-sympy.Rational(3, 2))) == 0
    lo, hi = (sympy.Rational(t) for t in v.values["interval"])
    assert lo == 0 and hi > 0


def test_the_homogeneous_contrast_is_refuted():
    c = dict(nh.homogeneous_model().base_json(), radius="1/16")
    v = check_certificate(c)
    assert v.status == "refuted" and "increases" in v.reasons[0]
    assert v.values["homogeneous"] is True


def test_a_radius_too_large_fails_the_certificate_only(cert):
    bad = dict(cert, radius="2")          # the box then holds 0 or a sign change of dγ/dt
    v = check_certificate(bad)
    assert v.status == "unknown" and v.invalid


def test_loss_at_init_not_below_l0_fails_the_certificate(cert):
    # margin 0 at init: L = 1 (exp), log 2 (logistic); the statement's setting is not met
    for losses in (["exp"], ["logistic"]):
        bad = copy.deepcopy(cert)
        bad["init"] = {"a": "1", "b": "-1", "c": "1"}
        bad["losses"] = losses
        v = check_certificate(bad)
        assert v.invalid and "loss at init" in v.reasons[0]


def test_tied_smallest_margins_fail_the_certificate(cert):
    bad = copy.deepcopy(cert)
    bad["data"] = {"x": [["1"], ["1"]], "y": [1, 1]}
    v = check_certificate(bad)
    assert v.invalid and "tie" in v.reasons[0]


def test_two_samples_with_a_unique_smallest_margin(cert):
    ok = copy.deepcopy(cert)
    ok["data"] = {"x": [["1"], ["2"]], "y": [1, 1]}
    v = check_certificate(ok)
    assert v.status == "verified" and v.values["min_sample"] == 1


@pytest.mark.parametrize("mutate, path", [
    (lambda c: c.update(degree=3), "$.degree"),
    (lambda c: c.update(degree=True), "$.degree"),
    (lambda c: c["model"].update(output="sqrt(a)*x + c*x"), "$.model.output"),
    (lambda c: c["model"].update(output="a*b*y + c"), "$.model.output"),
    (lambda c: c["model"].update(inputs=["a"]), "$.model.inputs[0]"),
    (lambda c: c.update(radius="-1/2"), "$.radius"),
    (lambda c: c["init"].pop("c"), "$.init"),
    (lambda c: c.update(extra=1), "$.extra"),
    (lambda c: c["data"].update(y=[0]), "$.data.y[0]"),
    (lambda c: c["data"].update(x=[["1", "2"]]), "$.data.x[0]"),
])
def test_malformed_certificates_are_input_errors(cert, mutate, path):
    bad = copy.deepcopy(cert)
    mutate(bad)
    with pytest.raises(InputError) as info:
        check_certificate(bad)
    assert path in str(info.value)


def test_check_cert_round_trip(tmp_path, capsys, cert):
    f = tmp_path / "nh.json"
    f.write_text(json.dumps(cert))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f)])
    assert info.value.code == 0
    f.write_text(json.dumps(dict(cert, radius="2")))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f)])
    assert info.value.code == 1
    capsys.readouterr()


def test_gradient_flow_shows_the_decrease_and_the_contrast():
    runs = nh.margin_runs(t_end=1.0, dps=20)
    g = runs["non-homogeneous"]["gamma"]
    assert all(b < a for a, b in zip(g, g[1:]))            # strictly decreasing samples
    h = runs["homogeneous"]["gamma"]
    assert all(b > a for a, b in zip(h, h[1:]))            # the homogeneous one increases
    assert g[0] == pytest.approx(2 / 3) and h[0] == pytest.approx(2 / 5)
