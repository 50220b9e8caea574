"""The convex reformulation of depth-2 ReLU max-margin problems (issue 17, item 1).

Kernel: the ``arrangement`` bound (regions counted by Zaslavsky's theorem, one dual check per
region and sign) accepts a correct certificate and rejects every tampering. Search: the
regions are all found, the conic program's optimum is certified, a worse point is refuted
with a better one, and the result agrees with the enumeration of activation patterns.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
from math import comb
from pathlib import Path

import numpy as np
import pytest
import sympy

from symkkt.arrangement import regions
from symkkt.convex import convex_optimum, global_certificate, prepare
from symkkt.errors import InputError
from symkkt.kernel import check_certificate
from symkkt.kernel.arrangement import distinct_hyperplanes, region_count
from symkkt.network import fully_connected
from symkkt.optimum import relu_optimum
from symkkt.problems import Instance

DATA = Path(__file__).parent / "data" / "certificates"


def bundled() -> dict:
    return json.loads((DATA / "global-arrangement.json").read_text(encoding="utf-8"))


def check(cert):
    return check_certificate(json.loads(json.dumps(cert)))


def dataset(k: int, d: int, seed: int):
    rng = random.Random(seed)
    X: list[tuple] = []
    while len(X) < k:
        x = tuple(sympy.Integer(rng.randint(-3, 3)) for _ in range(d))
        if all(v == 0 for v in x) or x in X:
            continue
        X.append(x)
    return tuple(X), tuple(rng.choice((1, -1)) for _ in range(k))


# ------------------------------------------------------------------------ region counting


def _brute_regions(X) -> int:
    """Sign vectors realized with margin (LP feasibility per sign vector): a test oracle."""
    from scipy.optimize import linprog

    Xf = np.array([[float(v) for v in x] for x in X if any(v != 0 for v in x)])
    count = 0
    for signs in itertools.product((1, -1), repeat=len(Xf)):
        A = -np.array(signs)[:, None] * Xf
        res = linprog(np.zeros(Xf.shape[1]), A_ub=A, b_ub=-np.ones(len(Xf)),
                      bounds=[(None, None)] * Xf.shape[1], method="highs")
        count += res.status == 0
    return count


def test_region_count_known_arrangements():
    assert region_count([]) == 1
    assert region_count([(0, 0)]) == 1
    assert region_count([(1, 0, 0), (0, 1, 0), (0, 0, 1)]) == 8
    # parallel normals are one hyperplane; zero normals none
    assert region_count([(1, 0), (0, 1), (1, 1), (2, 2), (0, 0), (-1, -1)]) == 6
    # the braid arrangement x_i = x_j in R^n has n! regions
    for n, fact in ((3, 6), (4, 24), (5, 120)):
        vs = []
        for i, j in itertools.combinations(range(n), 2):
            v = [0] * n
            v[i], v[j] = 1, -1
            vs.append(v)
        assert region_count(vs) == fact
    # generic central arrangement of k hyperplanes in R^d: 2 Σ_{i<d} C(k-1, i)
    vs = [(1, t, t * t) for t in range(1, 8)]   # moment curve: general position
    assert region_count(vs) == 2 * sum(comb(6, i) for i in range(3))


def test_region_count_algebraic_entries():
    r2 = sympy.sqrt(2)
    assert region_count([(1, r2), (r2, 2), (1, 0)]) == 4          # two distinct lines
    assert region_count([(1, r2), (r2, 3), (1, 0)]) == 6
    assert distinct_hyperplanes([(1, r2), (0, 0), (r2, 2), (1, 0)]) == [[0, 2], [3]]


@pytest.mark.parametrize("seed", range(6))
def test_region_count_matches_brute_force(seed):
    rng = random.Random(seed)
    d = 2 + seed % 2
    X = [tuple(rng.randint(-2, 2) for _ in range(d)) for _ in range(6)]
    assert region_count(X) == _brute_regions(X)


@pytest.mark.parametrize("k,d,seed", [(6, 2, 0), (8, 3, 1), (10, 4, 2), (7, 3, 3)])
def test_regions_are_every_region_with_exact_interior_points(k, d, seed):
    X, _ = dataset(k, d, seed)
    cells = regions(X)
    assert len(cells) == region_count(X) == len({c.active for c in cells})
    for c in cells:
        for x, a in zip(X, c.active):
            dot = sum(u * v for u, v in zip(c.point, x))
            assert (dot > 0) == bool(a) and dot != 0


# ----------------------------------------------------------------------- kernel: accepts


def test_bundled_arrangement_certificate_is_verified():
    v = check(bundled())
    assert v.status == "verified", v.reasons
    assert v.values["bound_type"] == "arrangement"
    assert v.values["regions"] == [6]
    assert sympy.simplify(sympy.sympify(v.values["lower_bound"])
                          - sympy.sympify(v.values["norm2"])) == 0


# ----------------------------------------------------------------------- kernel: rejects


def _bound(cert):
    return cert["bound"]


def _unknown_with(cert, text):
    v = check(cert)
    assert v.status == "unknown", (v.status, v.reasons)
    assert any(text in r for r in v.reasons), v.reasons
    return v


def test_rejects_a_negative_alpha():
    cert = bundled()
    _bound(cert)["alpha"][1] = "-" + _bound(cert)["alpha"][1]
    _unknown_with(cert, "negative")


def test_rejects_a_negative_mu():
    cert = bundled()
    _bound(cert)["cells"][0][1]["mu"][0][0] = "-1/3"
    _unknown_with(cert, "negative")


def test_rejects_a_tampered_dual():
    cert = bundled()
    _bound(cert)["alpha"] = [f"2*({a})" for a in _bound(cert)["alpha"]]
    _unknown_with(cert, "dual norm^2")


def test_rejects_a_missing_region():
    cert = bundled()
    del _bound(cert)["cells"][0][2]
    _unknown_with(cert, "5 regions listed, but the samples' hyperplane arrangement has 6")


def test_rejects_a_region_listed_twice():
    cert = bundled()
    cells = _bound(cert)["cells"][0]
    cells[2] = copy.deepcopy(cells[1])
    _unknown_with(cert, "listed twice")


def test_rejects_a_point_outside_its_region():
    cert = bundled()
    cells = _bound(cert)["cells"][0]
    cells[0]["point"] = list(cells[1]["point"])
    _unknown_with(cert, "not strictly inside")


def test_rejects_a_wrong_active_set():
    cert = bundled()
    cell = _bound(cert)["cells"][0][0]
    cell["active"][1] = 1 - cell["active"][1]
    _unknown_with(cert, "not strictly inside")


def test_rejects_a_point_on_a_hyperplane():
    cert = bundled()
    _bound(cert)["cells"][0][0]["point"] = ["0", "-1"]      # <(0,-1), (3,0)> = 0
    _unknown_with(cert, "not strictly inside")


def _with_zero_sample(bit: int) -> dict:
    """The bundled certificate plus a sample that is 0 (no hyperplane), with the given bit."""
    cert = bundled()
    cert["data"]["x"].append(["0", "0"])
    cert["data"]["y"].append(1)
    b = _bound(cert)
    b["alpha"].append("0")
    for cell in b["cells"][0]:
        cell["active"].append(bit)
        for mu in cell["mu"]:
            mu.append("0")
    return cert


def test_rejects_a_bit_for_a_zero_sample():
    _unknown_with(_with_zero_sample(1), "is 0 on the support")


def test_a_zero_sample_with_bit_0_is_accepted():
    # the zero sample makes the point infeasible (margin 0 < 1): refuted, not by the bound
    v = check(_with_zero_sample(0))
    assert v.status == "refuted" and "lower_bound" in v.values


def test_rejects_a_bound_below_the_norm():
    cert = bundled()
    cert["point"] = {p: f"2*({v})" if p.startswith("v") else v
                     for p, v in cert["point"].items()}
    _unknown_with(cert, "is below")


def test_refutes_an_infeasible_point():
    cert = bundled()
    cert["point"] = {p: "0" for p in cert["point"]}
    v = check(cert)
    assert v.status == "refuted", v.reasons


def test_not_applicable_to_a_linear_network():
    cert = bundled()
    cert["network"]["activation"] = "linear"
    _unknown_with(cert, "needs a depth-2 ReLU network")


def test_input_errors_for_malformed_regions():
    cert = bundled()
    _bound(cert)["cells"][0][0]["point"] = ["1"]
    with pytest.raises(InputError, match=r"\$\.bound\.cells\[0\]\[0\]\.point"):
        check_certificate(cert, source="c.json")
    cert = bundled()
    _bound(cert)["cells"][0][0]["mu"] = [["0"] * 4]
    with pytest.raises(InputError, match=r"mu"):
        check_certificate(cert, source="c.json")
    cert = bundled()
    _bound(cert)["groups"] = [[1, 0]]
    with pytest.raises(InputError, match=r"\$\.bound\.groups"):
        check_certificate(cert, source="c.json")
    cert = bundled()
    _bound(cert)["cells"] = []
    with pytest.raises(InputError, match=r"\$\.bound\.cells"):
        check_certificate(cert, source="c.json")


# ---------------------------------------------------------------------------------- search


@pytest.mark.parametrize("k,d,n,seed", [(4, 2, 4, 0), (4, 2, 4, 3), (5, 2, 5, 4), (6, 3, 6, 3)])
def test_convex_optimum_is_certified_and_a_worse_point_refuted(k, d, n, seed):
    X, Y = dataset(k, d, seed)
    net = fully_connected([d, n], "relu")
    res = convex_optimum(net, X, Y)
    if res is None:
        pytest.skip("no exact optimum for this dataset")
    inst = Instance.make(net, X, Y, res.theta)
    cert, _, _ = global_certificate(inst)
    v = check(cert)
    assert v.status == "verified", v.reasons
    worse = dict(res.theta)
    for j in range(n):
        worse[f"v{j + 1}"] = worse[f"v{j + 1}"] * sympy.Rational(11, 10)
    cert, _, _ = global_certificate(Instance.make(net, X, Y, worse))
    v = check(cert)
    assert v.status == "refuted", v.reasons


def test_convex_agrees_with_pattern_enumeration():
    from theorems import thm_3_2 as t32

    inst = t32.instance()
    relu_optimum.cache_clear()
    enum = relu_optimum(inst.network, inst.X, inst.Y, "enumerate")
    conv = convex_optimum(inst.network, inst.X, inst.Y)
    assert enum is not None and conv is not None
    assert conv.bound["type"] == "arrangement" and enum.bound["type"] == "patterns"
    assert sympy.simplify(enum.value - conv.value) == 0


def test_too_narrow_network_gives_no_optimum_but_a_lower_bound_is_not_claimed():
    X, Y = dataset(4, 2, 0)
    net = fully_connected([2, 1], "relu")        # the optimum needs 3 neurons
    assert convex_optimum(net, X, Y) is None
    prep = prepare(net, X, Y)
    assert prep.fl is not None and not prep.fits()


def test_a_nearly_optimal_point_is_never_verified():
    X, Y = dataset(4, 2, 0)
    net = fully_connected([2, 4], "relu")
    prep = prepare(net, X, Y)
    near = prep.setup.rational_point(prep.chosen, prep.fl)   # within rounding of the optimum
    cert, reason, _ = global_certificate(Instance.make(net, X, Y, near))
    if cert is not None:
        assert check(cert).status != "verified"
    else:
        assert reason
