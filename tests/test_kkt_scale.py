"""KKT search without per-piece blow-up (issue 17, item 2), and the kernel's re-check.

Instances: paths through a deep fully-connected ReLU network (neuron j of layer 1 has a unit
incoming weight vector, weight 1 through every inner layer, output weight ±1), so every
active sample sits on the kinks of the other paths in every layer. No timing is asserted
(see ``benchmarks/kkt_scale.py``); the work is counted instead.
"""

from __future__ import annotations

import copy
import itertools
import json
import random

import pytest
import sympy
from sympy import Integer, Rational

from symkkt.kernel import check_certificate
from symkkt.kernel.certificate import witness_reason
from symkkt.kernel.net import NetSpec
from symkkt.kkt import EXHAUSTIVE_BITS, Sample, _Fail, adjacent_pieces, find_kkt
from symkkt.network import conv_disjoint, diagonal, fully_connected, path_point
from symkkt.problems import Instance


def paths(depth, width, d, firsts, outs, X, Y, layer=None):
    net = fully_connected([d] + [width] * (depth - 1), "relu")
    return Instance.make(net, X, Y, path_point(net, firsts, outs), layer)


def kinks(depth, width, d=None):
    """Paths on e_1 .. e_n (n = min(d, width - 1)) serve those samples (+1), a path on -e_1
    serves -e_1 (-1), the other neurons are idle, and (2, ..., 2) is an inactive sample: a
    KKT point with λ = 1 on the active samples, whose Clarke weights sit on the inactive side
    of every kink."""
    d = d or width - 1
    n = min(d, width - 1)
    firsts = [tuple(1 if c == j else 0 for c in range(d)) for j in range(n)]
    firsts.append(tuple(-1 if c == 0 else 0 for c in range(d)))
    X = list(firsts) + [tuple(2 for _ in range(d))]
    Y = [1] * n + [-1, 1]
    return paths(depth, width, d, firsts, [1] * n + [-1], X, Y)


def mixed_many(g, depth=2):
    """``g`` copies of a gadget on disjoint coordinates: neuron A on x1 = e0 - e1 needs its
    ACTIVE piece on x2 = e1 (Clarke weight 1), neuron C on x3 = e2 its INACTIVE piece there:
    neither one-sided piece works, pricing must find the mixed one."""
    d = 3 * g
    firsts, X = [], []
    for t in range(g):
        def e(c):
            return tuple(1 if q == 3 * t + c else 0 for q in range(d))
        firsts += [e(0), e(1), e(2)]
        X += [tuple(a - b for a, b in zip(e(0), e(1))), e(1), e(2)]
    return paths(depth, d, d, firsts, [1] * d, X, [1] * d)


def kernel(cert):
    return check_certificate(json.loads(json.dumps(cert)))


# ---------------------------------------------------------------- the kernel's piece gradient


def _symbolic_gradient(net, theta, x, pattern):
    """The former definition: differentiate the piece polynomial symbolically."""
    syms = {p: sympy.Symbol(f"_p_{p}") for p in net.params}
    out, _ = net.forward(syms, x, pattern if pattern is not None else net.all_active())
    sub = {syms[p]: theta[p] for p in net.params}
    return {p: sympy.expand(sympy.diff(out, syms[p]).xreplace(sub)) for p in net.params}


@pytest.mark.parametrize("net", [
    fully_connected([2, 3, 3], "relu"), fully_connected([3, 2, 2, 2], "relu"),
    diagonal(3, 3, "relu"), conv_disjoint(2, 3, "relu"), fully_connected([2, 3, 3], "linear"),
    NetSpec("relu", ((("a", "b"), ("b", "a"), ("c", None)), (("v", "v", "u"),)))])
def test_backprop_gradient_equals_the_piece_polynomial_derivative(net):
    rng = random.Random(3)
    for trial in range(12):
        th = {p: Rational(rng.randint(-5, 5), rng.randint(1, 3)) for p in net.params}
        if trial % 3 == 0:
            th[net.params[0]] = sympy.sqrt(2)
        x = [rng.randint(-3, 3) for _ in range(net.input_dim)]
        pat = tuple(tuple(rng.randint(0, 1) for _ in range(w)) for w in net.hidden_widths)
        for pt in (pat, None):
            a, b = net.piece_gradient(th, x, pt), _symbolic_gradient(net, th, x, pt)
            assert all(sympy.simplify(a[p] - b[p]) == 0 for p in net.params)
    sym = {p: sympy.Symbol(p) for p in net.params}
    a, b = net.piece_gradient(sym, x, pat), _symbolic_gradient(net, sym, x, pat)
    assert all(sympy.expand(a[p] - b[p]) == 0 for p in net.params)


# ---------------------------------------------------------------- search: verified, and cheap


@pytest.mark.parametrize("depth,width", [(3, 4), (4, 4), (5, 4), (4, 8)])
def test_deep_kinks_verified_with_few_pieces(depth, width):
    inst = kinks(depth, width)
    res = find_kkt(inst)
    assert res.certificate is not None, res.reason
    assert kernel(res.certificate).status == "verified"
    st = res.stats
    # (width - 2) kinks per layer and sample on the other paths: 2^z adjacent patterns,
    # of which the search built a handful (two per active sample here)
    assert st["zero_inputs_that_matter"] >= (depth - 1) * (width - 2)
    assert st["witnesses"] <= 2 * width
    assert st["rounds"] == 1
    assert all(len(s) == 1 for s in res.certificate["subgradients"][:width])


def test_more_zero_inputs_than_the_former_cap_verified():
    """Depth 4, width 16: over 40 hidden inputs that matter are 0 per active sample (the
    former search gave up above 10)."""
    inst = kinks(4, 16)
    res = find_kkt(inst)
    assert res.certificate is not None, res.reason
    assert res.stats["zero_inputs_that_matter"] > 40
    assert kernel(res.certificate).status == "verified"


@pytest.mark.parametrize("g", [1, 5])
def test_pricing_finds_the_mixed_piece(g):
    """Neither one-sided piece works; the LP's dual prices the patterns (every pattern for
    g = 1, bit-flip search beyond EXHAUSTIVE_BITS for g = 5) and the mixed one is added."""
    inst = mixed_many(g)
    res = find_kkt(inst)
    assert res.certificate is not None, res.reason
    assert res.stats["rounds"] >= 2
    if g == 5:
        assert res.stats["zero_inputs_that_matter"] > EXHAUSTIVE_BITS
    assert kernel(res.certificate).status == "verified"
    for t in range(g):
        (piece,) = res.certificate["subgradients"][3 * t + 1]
        assert piece["pattern"][0][3 * t] == 1         # A active on its kink
        assert piece["pattern"][0][3 * t + 2] == 0     # C inactive on its kink


def test_generated_and_enumerated_agree():
    for inst in (kinks(3, 3), mixed_many(1), mixed_many(1, depth=3)):
        a, b = find_kkt(inst), find_kkt(inst, "enumerate")
        assert (a.certificate is None) == (b.certificate is None)
        if a.certificate is not None:
            assert a.multipliers == b.multipliers
            assert b.stats["witness_checks"] > a.stats["witness_checks"]


def test_constructed_witnesses_are_sound_and_reach_every_piece_the_baseline_reaches():
    """Every pattern over the zero inputs of a depth-3 sample: a constructed witness passes
    the kernel's test, and the construction reaches at least what random witnesses reach."""
    inst = kinks(3, 3)
    for i in (0, 1):
        src = Sample(inst, i)
        base = {tuple(map(tuple, p)) for p, _ in adjacent_pieces(inst, inst.X[i])}
        reached = set()
        for bits in itertools.product((0, 1), repeat=len(src.loud)):
            try:
                pat, d = src.construct(dict(zip(src.loud, bits)))
            except _Fail:
                continue
            assert witness_reason(inst.network, inst.point, src.x, pat, d, inst.free) is None
            assert src.bits_of(pat) == bits
            reached.add(pat)
        assert base <= reached


def test_construction_refuses_a_forced_side():
    """Problem 4 for the first layer of a depth-3 path network: the inner weights are fixed,
    so a kink pushed active forces the path's layer-2 neuron active; asking for it inactive
    cannot be met."""
    inst = kinks(3, 3)
    sub = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=1)
    src = Sample(sub, 0)
    (l1,) = [z for z in src.loud if z[0] == 0]
    (l2,) = [z for z in src.loud if z[0] == 1 and z[1] == l1[1]]
    pat, d = src.construct({l1: 1})
    assert pat[1][l2[1]] == 1
    assert witness_reason(sub.network, sub.point, src.x, pat, d, sub.free) is None
    with pytest.raises(_Fail):
        src.construct({l1: 1, l2: 0})


@pytest.mark.parametrize("layer", [1, 2, 3, 4])
def test_problem_4_kkt_on_every_layer_of_a_deep_network(layer):
    """Below the free layer the kinks cannot move: their pre-activations are the zero
    polynomial in the free parameters (``vanishing_inputs``), 0 on the whole piece, so
    either bit is a piece; above it they are pushed as in Problem 2."""
    inst = kinks(4, 4)
    sub = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=layer)
    res = find_kkt(sub)
    assert res.certificate is not None, res.reason
    assert kernel(res.certificate).status == "verified"


def test_vanishing_input_accepted_only_when_it_vanishes_on_the_piece():
    """An empty witness leaves every kink at 0 along the ray. For Problem 4 of the output
    layer those pre-activations do not depend on the free parameters: a piece. For Problem
    2 (or the first layer) they do: no witness."""
    from symkkt.kernel.certificate import vanishing_inputs

    inst = kinks(3, 3)
    x = inst.X[0]
    signs = inst.network.signs(inst.point, x)
    pat = tuple(tuple(1 if s > 0 else 0 for s in row) for row in signs)
    zeros = {(l, j) for l, row in enumerate(signs) for j, s in enumerate(row) if s == 0}
    out = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=3)
    assert zeros <= vanishing_inputs(out.network, out.point, x, pat, out.free)
    assert witness_reason(out.network, out.point, x, pat, {}, out.free) is None
    ones = tuple(tuple(1 if (l, j) in zeros else b for j, b in enumerate(row))
                 for l, row in enumerate(pat))             # the kinks active: still a piece
    assert witness_reason(out.network, out.point, x, ones, {}, out.free) is None
    assert not zeros & vanishing_inputs(inst.network, inst.point, x, pat, inst.free)
    # Problem 4 of layer 1: the layer-2 neurons of the paths whose kink is off are fed only
    # by them (inner weights fixed): they vanish, the kink itself does not
    first = inst.network.layer_params(1)
    assert zeros & vanishing_inputs(inst.network, inst.point, x, pat, first) == \
        {z for z in zeros if z[0] == 1}
    for free in (inst.free, first):
        why = witness_reason(inst.network, inst.point, x, pat, {}, free)
        assert why is not None and "identically 0" in why
    # Problem 4 of layer 2: the layer-1 kink is fixed (it vanishes, on either side); its
    # layer-2 successor has free weights on the active path (it does not)
    mid = Instance.make(inst.network, inst.X, inst.Y, inst.point, layer=2)
    (k1,) = [j for (l, j) in zeros if l == 0]
    for p in (pat, ones):
        v = vanishing_inputs(mid.network, mid.point, x, p, mid.free)
        assert (0, k1) in v and (1, k1) not in v
    cert = find_kkt(out).certificate
    for s in cert["subgradients"]:
        for q in s:
            q["witness"] = {}
    assert kernel(cert).status == "verified"
    cert = find_kkt(inst).certificate
    for s in cert["subgradients"]:
        for q in s:
            q["witness"] = {}
    v = kernel(cert)
    assert v.status == "unknown" and "identically 0" in v.reasons[0]


# ---------------------------------------------------------------- refutations and tampering


def test_unbalanced_path_is_not_kkt():
    inst = kinks(4, 4)
    pt = dict(inst.point)
    pt["W1_1_1"], pt["W4_1_1"] = Integer(2), Rational(1, 2)    # same margins, not stationary
    off = inst.with_point(pt)
    assert off.margins == inst.margins
    assert find_kkt(off).certificate is None
    forged = copy.deepcopy(find_kkt(inst).certificate)
    forged["point"] = {p: str(v) for p, v in pt.items()}
    v = kernel(forged)
    assert v.status != "verified" and "stationarity" in v.reasons[0]


def test_deep_embedding_of_the_mixed_gadget_is_not_kkt():
    """In depth 3 the active piece A needs on x2 also feeds the inner weight from neuron B's
    path into A's path, which no other piece cancels: not a KKT point, and the search says
    so (no certificate), as enumeration does."""
    inst = mixed_many(1, depth=3)
    assert find_kkt(inst).certificate is None
    from symkkt.autosearch import prove_not_kkt

    nk = prove_not_kkt(inst)
    assert nk.verdict is not None and nk.verdict.status == "verified"


def test_tampered_deep_certificates_rejected():
    inst = kinks(4, 4)
    cert = find_kkt(inst).certificate
    assert kernel(cert).status == "verified"
    # a negative multiplier
    bad = copy.deepcopy(cert)
    bad["multipliers"][0] = "-1"
    v = kernel(bad)
    assert v.status != "verified" and "negative" in v.reasons[0]
    # an infeasible point: refuted
    bad = copy.deepcopy(cert)
    bad["point"]["W4_1_1"] = "1/2"
    assert kernel(bad).status == "refuted"
    # a witness that leaves the piece: flip its sign
    bad = copy.deepcopy(cert)
    piece = bad["subgradients"][0][0]
    assert piece["witness"]
    piece["witness"] = {p: str(-sympy.Rational(v)) for p, v in piece["witness"].items()}
    v = kernel(bad)
    assert v.status != "verified" and "witness" in v.reasons[0]
    # the pattern of a kink flipped, the witness kept
    bad = copy.deepcopy(cert)
    pat = bad["subgradients"][0][0]["pattern"]
    l, j = next((l, j) for l, row in enumerate(pat) for j, b in enumerate(row)
                if b == 0 and (l, j) in Sample(inst, 0).loud)
    pat[l][j] = 1
    assert kernel(bad).status != "verified"
    # a witness with a moved parameter removed
    bad = copy.deepcopy(cert)
    wit = bad["subgradients"][1][0]["witness"]
    wit.pop(next(iter(wit)))
    assert kernel(bad).status != "verified"
    # convex weights that do not sum to 1
    bad = copy.deepcopy(cert)
    bad["subgradients"][0][0]["weight"] = "1/2"
    assert kernel(bad).status != "verified"


def test_kkt_with_given_multipliers_on_a_deep_network():
    from symkkt.autosearch import kkt_with_multipliers

    inst = kinks(4, 4)
    lam = [Integer(1)] * 4 + [Integer(0)]
    f = kkt_with_multipliers(inst, lam)
    assert f.verdict is not None and f.verdict.ok
    f = kkt_with_multipliers(inst, [Integer(2)] + lam[1:])
    assert not (f.verdict is not None and f.verdict.ok)
    f = kkt_with_multipliers(inst, lam[:4] + [Integer(1)])   # slackness: sample 5 has margin 4
    assert f.verdict is not None and f.verdict.status != "verified"


# ---------------------------------------------------------------- not-kkt at scale


def _not_kkt(inst, farkas):
    cert = inst.base_json()
    cert.update({"kind": "not-kkt", "farkas": {p: str(v) for p, v in farkas.items()}})
    return kernel(cert)


def test_not_kkt_with_many_idle_neurons():
    """Theorem 3.2's point with neuron 1 unbalanced and 63 idle neurons: 63 zero inputs per
    sample, all dead (their bits change no gradient), so the refutation stays small."""
    from symkkt.autosearch import prove_not_kkt
    from theorems import thm_3_2

    net = fully_connected([2, 64], "relu")
    pt = {p: 0 for p in net.params}
    pt.update({"w1_2": 4, "v1": 1})
    inst = Instance.make(net, thm_3_2.X, thm_3_2.Y, pt)
    assert find_kkt(inst).certificate is None
    nk = prove_not_kkt(inst)
    assert nk.verdict is not None and nk.verdict.status == "verified"


def test_not_kkt_depth_2_checks_the_minimizing_pattern():
    """One hidden layer: <z, y g> is affine in the bits. Neurons 2 and 3 have input 0 and
    output weight 1 (not KKT: their output weight gets no gradient). Each single flip keeps
    <z, y g> >= 0 but both together do not: the kernel must find that pattern."""
    net = fully_connected([2, 3], "relu")
    pt = {p: 0 for p in net.params}
    pt.update({"w1_1": 1, "v1": 1, "v2": 1, "v3": 1})
    inst = Instance.make(net, [(1, 1)], [1], pt)
    assert find_kkt(inst).certificate is None
    z = {"v1": 1, "v2": -5, "w2_1": Rational(-3, 10), "w2_2": Rational(-3, 10),
         "w3_1": Rational(-3, 10), "w3_2": Rational(-3, 10)}
    v = _not_kkt(inst, z)
    assert v.status == "unknown" and v.invalid and "switched on" in v.reasons[0]
    z.update({k: Rational(-1, 5) for k in ("w2_1", "w2_2", "w3_1", "w3_2")})
    assert _not_kkt(inst, z).status == "verified"
    # a single flip below 0 is caught as such
    z.update({"w2_1": -2})
    v = _not_kkt(inst, z)
    assert v.invalid and "pattern" in v.reasons[0]


def test_not_kkt_keeps_the_bit_of_a_zero_input_that_matters():
    """Depth 3: neuron b of layer 1 has input 0 but feeds neuron c, which reaches the output:
    b is not dead, so the pattern with b on is checked, and a Farkas vector negative there
    is rejected."""
    from symkkt.kernel.notkkt import dead_neurons

    net = fully_connected([1, 2, 1], "relu")
    pt = {p: 0 for p in net.params}
    pt.update({"W1_1_1": 1, "W2_1_1": 1, "W2_1_2": 1, "W3_1_1": 1})
    inst = Instance.make(net, [(1,)], [1], pt)
    assert dead_neurons(net, inst.point) == set()
    bad = {"W3_1_1": 1, "W1_2_1": -2, "W2_1_2": -3}
    v = _not_kkt(inst, bad)
    assert v.invalid and "pattern" in v.reasons[0]
    assert _not_kkt(inst, dict(bad, W1_2_1=0)).status == "verified"
    # with c's output weight 0, c and then b are dead (and the point infeasible: no matter)
    assert dead_neurons(net, dict(inst.point, W3_1_1=Integer(0))) == {(0, 0), (0, 1), (1, 0)}
    assert dead_neurons(net, dict(inst.point, W2_1_2=Integer(0))) == {(0, 1)}


def test_path_point_builds_paths_and_rejects_what_the_network_lacks():
    from symkkt.errors import InvalidArgument

    net = fully_connected([2, 3, 3], "relu")
    pt = path_point(net, [(1, Rational(-3, 5))], [-1])
    assert pt["W1_1_1"] == 1 and pt["W1_1_2"] == Rational(-3, 5)
    assert pt["W2_1_1"] == 1 and pt["W3_1_1"] == -1
    assert sum(1 for v in pt.values() if v != 0) == 4          # every other weight 0
    assert all(isinstance(v, sympy.Basic) for v in pt.values())
    with pytest.raises(InvalidArgument, match="does not have"):
        path_point(net, [(1, 0)] * 4, [1] * 4)                  # 4 paths, width 3
    with pytest.raises(InvalidArgument, match="must equal"):
        path_point(net, [(1, 0)], [1, 1])
