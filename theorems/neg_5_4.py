"""Theorem 5.4, negative part: a layer can be a local but not a global optimum of Problem 4.

Statement (our words). There are ReLU networks, datasets and initializations from which
gradient flow converges in direction to a KKT point θ̃ of Problem 2 with every input to every
hidden neuron non-zero, such that the first layer ``ũ^(1)`` is a local optimum of Problem 4
(minimize ``‖u^(1)‖²`` with the other layers fixed at θ̃) but not a global one.

Depth 2 (fully connected, two neurons): the instance of Theorem 4.3's negative part
(:mod:`theorems.neg_4_3`): ``x1 = (1, 1/2)``, ``x2 = (-1, 1/2)``, labels +1,
``w̃1 = w̃2 = (0, 1)``, ``ṽ = (1, 1)``, ``‖ũ^(1)‖² = 2``. With v fixed, near ``ũ^(1)`` the
constraints are ``<w1 + w2, x_i> >= 1``, linear, and the QP dual ``α = (1, 1)`` bounds
``‖u^(1)‖² >= 2`` (kind ``per-layer-local``). Changing only the first layer to
``w1 = (4/5, 2/5)``, ``w2 = (-4/5, 2/5)`` (each neuron serves one sample, the other input is
``-3/5 < 0``) is feasible with ``‖u^(1)‖² = 8/5 < 2`` (``per-layer-not-global``).

Depth 3 (fully connected, widths 2-2-1: ``Φ = c σ(v1 σ(<w1, x>) + v2 σ(<w2, x>))``). Data
``x1 = (2, 1)``, ``x2 = (-2, 1)``, labels +1 (angle ``arccos(-3/5)`` again). KKT point
(``‖θ̃‖² = 3``, one per layer, multipliers ``(1/2, 1/2)`` derived by the search):

    w̃1 = (0, 3/5), w̃2 = (0, 4/5),  ṽ = (3/5, 4/5),  c̃ = 1,

every first-layer input is 3/5 or 4/5, the second-layer input is 1 on both samples. Layer 1
with ``v, c`` fixed: near ``ũ^(1)`` the constraint is ``<3/5 w1 + 4/5 w2, x_i> >= 1``, whose
QP optimum is the point (``‖ũ^(1)‖² = 1``). Globally, neuron 2 (the larger output weight
4/5) can serve x1 alone and neuron 1 serve x2 alone:

    w1 = (-2/3, 1/3), w2 = (1/2, 1/4):  ‖u^(1)‖² = 125/144 < 1,

with ``3/5·<w1, x2> = 1``, ``4/5·<w2, x1> = 1`` and the cross inputs ``-1 < 0``, ``-3/4 < 0``.
(The second layer is a local optimum of its Problem 4 as well, certified too.)

Gradient flow. Depth 2: ``GF_INIT_FC`` of :mod:`theorems.neg_4_3`. Depth 3: from
``GF_INIT_DEEP`` (``w1(0) = (0, 1/5)``, ``v1(0) = 2/5``, ``w2(0) = (0, 1/2)``,
``v2(0) = 3/10``, ``c(0) = 1/2``) the mirror symmetry ``x ↦ (-x_1, x_2)`` keeps the first
coordinates at 0, both first-layer neurons grow with the same rate, ``w_j[2] + v_j`` keeps its
ratio ``3 : 4`` and ``w_j[2] - v_j`` stays bounded, so GF converges in direction to θ̃
(checked numerically).
"""

from __future__ import annotations

from sympy import Integer, Rational

from symkkt.claims import kkt_claim, structural_claim
from symkkt.network import fully_connected
from symkkt.optimum import per_layer_claims
from symkkt.problems import Instance

from . import neg_4_3

THEOREM = "5.4"

DEEP = fully_connected([2, 2, 1], "relu")
DEEP_X = [(2, 1), (-2, 1)]
DEEP_Y = [1, 1]
DEEP_POINT = {"W1_1_1": Integer(0), "W1_1_2": Rational(3, 5),
              "W1_2_1": Integer(0), "W1_2_2": Rational(4, 5),
              "W2_1_1": Rational(3, 5), "W2_1_2": Rational(4, 5), "W3_1_1": Integer(1)}
DEEP_BETTER_LAYER1 = {"W1_1_1": Rational(-2, 3), "W1_1_2": Rational(1, 3),
                      "W1_2_1": Rational(1, 2), "W1_2_2": Rational(1, 4)}
GF_INIT_DEEP = {"W1_1_1": Integer(0), "W1_1_2": Rational(1, 5),
                "W1_2_1": Integer(0), "W1_2_2": Rational(1, 2),
                "W2_1_1": Rational(2, 5), "W2_1_2": Rational(3, 10), "W3_1_1": Rational(1, 2)}

LABELS = ("depth 2, fully connected", "depth 3, fully connected")


def instance(label: str, layer: int | None = None) -> Instance:
    if label == "depth 2, fully connected":
        return neg_4_3.instance("fully connected", layer)
    if label == "depth 3, fully connected":
        return Instance.make(DEEP, DEEP_X, DEEP_Y, DEEP_POINT, layer=layer)
    raise KeyError(label)


def better_layer1(label: str) -> dict:
    """A point that differs from θ̃ only in layer 1, feasible, with a smaller layer norm."""
    inst = instance(label)
    if label == "depth 2, fully connected":
        new = {p: v for p, v in neg_4_3.FC_BETTER.items() if p.startswith("w")}
    else:
        new = DEEP_BETTER_LAYER1
    return {p: new.get(p, inst.point[p]) for p in inst.network.params}


def gf_init(label: str) -> dict:
    if label == "depth 2, fully connected":
        return neg_4_3.gf_init("fully connected")
    return dict(GF_INIT_DEEP)


# Scaled by 3 (every activation sign unchanged, the network is homogeneous): the margins grow
# 9-fold (27-fold at depth 3) and L(theta(0)) < l(0) for both losses (exp: 1, logistic: log 2),
# so Theorem 2.1 applies from t = 0. The paper-like GF_INIT has L > 1. That gradient flow
# reaches θ̃ is evidence only here (no exact convergence claim: see docs/convergence.md,
# 'The constructions 4.2(2), 4.3, 5.3, 5.4', for what was tried).
def gf_runs() -> list[dict]:
    return [{"label": f"negative, {lab}", "instance": instance(lab),
             "init": {k: 3 * v for k, v in gf_init(lab).items()}} for lab in LABELS]


def claims(theorem: str = THEOREM):
    out = []
    for lab in LABELS:
        inst = instance(lab)
        label = f"negative, {lab}"
        layers = [1] if inst.network.depth == 2 else [1, 2]
        out += [kkt_claim(theorem, label, inst,
                          exact_convergence=neg_4_3.NO_EXACT_CONVERGENCE),
                structural_claim(theorem, label, inst, "inputs"),
                *per_layer_claims(theorem, label, inst, local=True, layers=layers),
                neg_4_3.better_point_claim(theorem, f"{label}, layer 1", instance(lab, 1),
                                           better_layer1(lab))]
    return out
