"""Exact enumeration of the KKT points of small depth-2 networks (symkkt.kktenum, search).

The enumeration is untrusted: these tests check that it finds the points the paper's
constructions are about (without being told them), that what it returns is what the kernel
certifies, and that it refuses what it cannot do."""

from __future__ import annotations

import pytest
import sympy

from symkkt.errors import InvalidArgument
from symkkt.kernel import check_certificate
from symkkt.kktenum import depth2_kkt_points
from symkkt.network import diagonal, fully_connected
from symkkt.problems import Instance
from theorems import neg_4_3, thm_4_1


def _same(p, q):
    return all(sympy.simplify(p[k] - q[k]) == 0 for k in p)


def test_finds_the_local_not_global_point_of_theorem_4_3():
    net = neg_4_3.FC
    res = depth2_kkt_points(net, neg_4_3.FC_X, neg_4_3.FC_Y, nonzero_only=True, seconds=600,
                            per_system=60)
    assert res.complete
    # the merged point (both neurons (0, 1), v = 1) is the equal-split representative of a
    # continuum, and the split point (each neuron serves one sample) is found too
    assert any(_same(p, neg_4_3.FC_POINT) for p in res.points)
    norms = sorted(sympy.nsimplify(sum(v ** 2 for v in p.values())) for p in res.points)
    assert sympy.Integer(4) in norms and any(n < 4 for n in norms)


def test_finds_theorem_4_1_kkt_point_and_the_optimum():
    net = diagonal(2, 2, "linear")
    res = depth2_kkt_points(net, thm_4_1.X, thm_4_1.Y, seconds=600, per_system=60)
    pts = res.points
    assert any(_same(p, {"w1_1": 1, "w2_1": 1, "w1_2": 0, "w2_2": 0}) for p in pts)
    half = 1 / sympy.sqrt(2)
    assert any(_same(p, {"w1_1": 0, "w2_1": 0, "w1_2": half, "w2_2": half}) for p in pts)
    # nonzero_only drops both (each has a zero neuron)
    assert depth2_kkt_points(net, thm_4_1.X, thm_4_1.Y, nonzero_only=True).points == []


def test_every_point_returned_is_certified_kkt_and_feasible():
    net = fully_connected([2, 2], "relu")
    X, Y = [(3, 0), (-3, -1)], [-1, -1]
    res = depth2_kkt_points(net, X, Y, seconds=600, per_system=60)
    assert res.points
    from symkkt.autosearch import kkt_certificate

    for p in res.points:
        f = kkt_certificate(Instance.make(net, X, Y, p))
        assert f.verdict is not None and f.verdict.ok
        cert = Instance.make(net, X, Y, p).base_json()
        cert["kind"] = "nonzero-inputs"
        v = check_certificate(cert)
        # an idle neuron (all weights 0) is the only way an input is 0 here
        idle = any(all(p[n] == 0 for n in (f"w{j}_1", f"w{j}_2", f"v{j}")) for j in (1, 2))
        assert v.ok != idle


def test_uncertified_candidates_still_satisfy_the_margins():
    net = fully_connected([2, 2], "linear")
    X, Y = [(1, 2), (2, -1)], [1, 1]
    res = depth2_kkt_points(net, X, Y, certify=False)
    for p in res.points:
        for x, y in zip(X, Y):
            assert y * net.output(p, x) >= 1


@pytest.mark.parametrize("net, why", [
    (fully_connected([2, 2, 1], "linear"), "depth"),
    (diagonal(2, 3, "linear"), "depth"),
])
def test_refuses_what_it_cannot_do(net, why):
    with pytest.raises(InvalidArgument, match=why):
        depth2_kkt_points(net, [(1, 2)], [1])


def test_refuses_shared_weights_bad_budget_and_too_many_systems():
    from symkkt.kernel.net import NetSpec

    shared = NetSpec("linear", ((("a", "a"), ("b", "c")), (("v1", "v2"),)))
    with pytest.raises(InvalidArgument, match="shared"):
        depth2_kkt_points(shared, [(1, 2)], [1])
    net = fully_connected([2, 2], "relu")
    with pytest.raises(InvalidArgument, match="seconds"):
        depth2_kkt_points(net, [(1, 2)], [1], seconds=0)
    with pytest.raises(InvalidArgument, match="max_systems"):
        depth2_kkt_points(net, [(1, 2), (2, 1), (1, 1)], [1, 1, 1], max_systems=10)


def test_out_of_time_is_incomplete_not_wrong():
    net = fully_connected([2, 2], "relu")
    res = depth2_kkt_points(net, [(2, 1), (-1, 2), (1, -3)], [1, 1, -1], seconds=0.5)
    assert not res.complete and res.notes
