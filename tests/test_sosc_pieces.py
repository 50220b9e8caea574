"""Local optimality by second-order conditions piece by piece (issue 17, item 3).

A depth-3 fully-connected ReLU network with two paths: path 1 (e_1 -> 1 -> output +1) serves
x1 = (1, 0) (label +1), path 2 (x2 -> 1 -> output y2) serves x2 = (-3/5, 4/5) (label y2).
On each sample the other path's layer-2 neuron has input exactly 0 (a kink), so the pattern
is not constant near the point. With y2 = -1 switching a kink on lowers the margin: the point
is a local optimum, proven on the 4 pieces around it. With y2 = +1 it raises it: not local
(a curve proves it), and the piecewise check must not verify.
"""

from __future__ import annotations

import copy
import json

import pytest
from sympy import Integer, Rational

from symkkt.claims import run_claim
from symkkt.kernel import check_certificate
from symkkt.kernel import sosc as S
from symkkt.network import fully_connected
from symkkt.optimum import local_certificate, local_claim
from symkkt.problems import Instance


def two_paths(y2: int, depth: int = 3) -> Instance:
    net = fully_connected([2] + [2] * (depth - 1), "relu")
    pt = {p: Integer(0) for p in net.params}
    pt["W1_1_1"] = 1
    pt["W1_2_1"], pt["W1_2_2"] = Rational(-3, 5), Rational(4, 5)
    for l in range(2, depth):
        pt[f"W{l}_1_1"] = pt[f"W{l}_2_2"] = 1
    pt[f"W{depth}_1_1"], pt[f"W{depth}_1_2"] = 1, y2
    return Instance.make(net, [(1, 0), (Rational(-3, 5), Rational(4, 5))], [1, y2], pt)


def check(cert):
    return check_certificate(json.loads(json.dumps(cert)))


@pytest.fixture(scope="module")
def local_cert():
    cert, _ = local_certificate(two_paths(-1), "sosc")
    return cert


def test_depth_3_kinks_local_verified(local_cert):
    v = check(local_cert)
    assert v.status == "verified", v.reasons
    assert v.values["pieces"] == 4 and v.values["lower_bound"] == v.values["norm2"]
    # through the claim (auto method), as symkkt verify/check run it
    assert run_claim(local_claim("T", "two paths", two_paths(-1))).status == "verified"


def test_depth_3_kinks_not_local_is_not_verified():
    """y2 = +1: the kinks help the margin (not a local optimum); some piece has no
    non-negative sign multipliers."""
    inst = two_paths(1)
    cert, _ = local_certificate(inst, "sosc")
    v = check(cert)
    assert v.status == "unknown" and "non-negative multipliers" in v.reasons[0]
    from symkkt.autosearch import search_not_local

    assert search_not_local(inst, seconds=60).ok


def test_tampered_piecewise_certificates_rejected(local_cert):
    # multipliers doubled: not stationary on any piece
    bad = copy.deepcopy(local_cert)
    bad["bound"]["multipliers"] = ["2", "2"]
    assert check(bad).status != "verified"
    # a negative multiplier
    bad["bound"]["multipliers"] = ["1", "-1"]
    v = check(bad)
    assert v.invalid and "negative" in v.reasons[0]
    # complementary slackness: a multiplier on a sample whose margin is not 1
    inst = two_paths(-1)
    pt = {p: str(v) for p, v in inst.point.items()}
    pt.update({"W1_1_1": "2"})                     # margin of x1 becomes 2
    bad = copy.deepcopy(local_cert)
    bad["point"] = pt
    v = check(bad)
    assert v.invalid and "slackness" in v.reasons[0]
    # an infeasible point
    bad = copy.deepcopy(local_cert)
    bad["point"]["W3_1_1"] = "1/2"
    assert check(bad).status != "verified"
    # a point moved off the KKT set (path 1 unbalanced, margins kept): not stationary
    bad = copy.deepcopy(local_cert)
    bad["point"].update({"W1_1_1": "2", "W3_1_1": "1/2"})
    assert check(bad).status != "verified"


def test_zero_inputs_only_on_inactive_samples_do_not_block():
    """A third sample with margin > 1 sits on a kink: the pattern there is irrelevant (the
    constraint stays strict near the point), so one piece per kink of the active samples."""
    base = two_paths(-1)
    inst = Instance.make(base.network, list(base.X) + [(2, 0)], list(base.Y) + [1],
                         base.point)
    assert inst.margins[2] == 2
    assert any(s == 0 for row in inst.network.signs(inst.point, (2, 0)) for s in row)
    cert, _ = local_certificate(inst, "sosc")
    v = check(cert)
    assert v.status == "verified" and v.values["pieces"] == 4


def test_too_many_pieces_is_unknown(local_cert, monkeypatch):
    monkeypatch.setattr(S, "MAX_PIECES", 3)
    v = check(local_cert)
    assert v.status == "unknown" and "beyond this check" in v.reasons[0]


def test_derivatives_from_terms():
    import sympy

    a, b, c = sympy.symbols("a b c")
    g, h = S._derivatives(3 * a ** 2 * b + a * c - 2 * c ** 3 + 5, [a, b, c],
                          [Integer(1), Integer(2), Integer(-1)])
    assert g == [3 * 2 * 1 * 2 - 1, 3, 1 - 6]
    assert h == {(0, 0): 12, (0, 1): 6, (0, 2): 1, (2, 2): 12}


def test_nonneg_combination():
    cols = [[Integer(1), Integer(0)], [Integer(0), Integer(1)], [Integer(1), Integer(1)]]
    assert S._nonneg_combination(cols, [Integer(2), Integer(3)]) == [2, 3, 0]
    assert S._nonneg_combination(cols, [Integer(-1), Integer(3)]) is None
    assert S._nonneg_combination([[Integer(1), Integer(1)]], [Integer(1), Integer(2)]) is None
