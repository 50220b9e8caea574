"""Theorem 4.1: depth-2 diagonal networks (linear and ReLU) may converge to a non-local optimum.

Statement (our words). The depth-2 diagonal network ``Φ(θ; x) = <w1 ∘ w2, x>`` (with σ applied
to ``w1 ∘ x`` for ReLU) on the single example ``x = (1, 2)``, ``y = 1``. From
``w1(0) = w2(0) = (1, 0)`` the second coordinate never moves and gradient flow converges in
direction to ``w̃1 = w̃2 = (1, 0)``, a KKT point of Problem 2 with ``‖θ̃‖² = 2``. It is not a
local optimum: ``w1' = w2' = (√(1-ε), √(ε/2))`` keeps the margin exactly 1 and has norm
``2 - ε``.
"""

from __future__ import annotations

from sympy import sqrt

from symkkt.claims import curve_claim, kkt_claim
from symkkt.network import diagonal
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

THEOREM = "4.1"
TITLE = "Depth-2 diagonal network: KKT point that is not a local optimum"
STATEMENT = __doc__

X = [(1, 2)]
Y = [1]
POINT = {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0}
CURVE = {"w1_1": sqrt(1 - eps), "w1_2": sqrt(eps / 2),
         "w2_1": sqrt(1 - eps), "w2_2": sqrt(eps / 2)}
GF_INIT = {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0}


def instance(activation: str) -> Instance:
    return Instance.make(diagonal(2, 2, activation), X, Y, POINT)


def claims():
    out = []
    for act in ("linear", "relu"):
        inst = instance(act)
        out += [kkt_claim(THEOREM, act, inst), curve_claim(THEOREM, act, inst, CURVE, k=2)]
    return out


def gf_runs():
    """Gradient-flow runs, one per activation, from the paper's ``w1(0) = w2(0) = (1, 0)``."""
    return [{"label": act, "instance": instance(act), "init": dict(GF_INIT)}
            for act in ("linear", "relu")]
