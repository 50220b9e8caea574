"""Theorem 4.3, negative part: non-zero hidden inputs give a local, not a global optimum.

Statement (our words). There are depth-2 ReLU networks in N_no-share (one with a sparse,
locally connected first layer, and a fully-connected one), datasets and initializations
from which gradient flow converges in direction to a KKT point θ̃ of Problem 2 in which the
input to every hidden neuron is non-zero on every sample, so that θ̃ is a local optimum
(the positive part), yet θ̃ is not a global optimum.

Construction, fully connected (two hidden neurons on ``R^2``). Data ``x1 = (1, 1/2)``,
``x2 = (-1, 1/2)``, both with label +1 (the angle between them is ``arccos(-3/5)``, about
127 degrees). KKT point: two *identical* neurons serving both samples,

    w̃1 = w̃2 = (0, 1),  ṽ1 = ṽ2 = 1,    ‖θ̃‖² = 4,

hidden inputs ``<w̃_j, x_i> = 1/2 != 0``, margins ``2 · 1/2 = 1``, multipliers ``λ = (1, 1)``
(derived by the KKT search). Locally the pattern is frozen, Φ is the linear network
``<v1 w1 + v2 w2, x>``, and the neuron-sum bound ``‖θ‖² >= 2‖Σ v_j w_j‖ >= 2 · 2`` certifies
local optimality (kind ``local``). A better point lets each neuron serve *one* sample:

    w1 = (4/5, 2/5), w2 = (-4/5, 2/5), v1 = v2 = 1,    ‖θ‖² = 18/5 < 4,

feasible since ``<w1, x1> = 1``, ``<w1, x2> = -3/5 < 0`` (and symmetrically). The certified
global optimum (activation-pattern enumeration, kind ``global-optimum-value``) is
``u_j = x_j/‖x_j‖²`` balanced, with ``‖θ*‖² = 8/√5`` (ratio ``‖θ̃‖²/‖θ*‖² = √5/2``). For
unit inputs at angle α, merging costs ``2√(2/(1 + cos α))`` against 4 for splitting: merging
loses once α exceeds 120 degrees (here ``cos α = -3/5``).

Construction, locally connected (N_no-share, not fully connected). Input ``R^3``; neuron 1
sees coordinates (1, 2), neuron 2 sees (2, 3), no weight shared. Data
``x1 = (1, 1/2, -1)``, ``x2 = (-1, 1/2, 1)``, labels +1. Neuron 1 sees the same two vectors
as above, neuron 2 sees ``(1/2, -1)`` and ``(1/2, 1)``: the same geometry, rotated. KKT
point ``w̃1 = (0, 1)`` (coordinates 1, 2), ``w̃2 = (1, 0)`` (coordinates 2, 3),
``ṽ = (1, 1)``, ‖θ̃‖² = 4, every hidden input 1/2; better point ``w1 = (4/5, 2/5)``,
``w2 = (2/5, 4/5)``, ``v = (1, 1)`` with ‖θ‖² = 18/5; optimum ``8/√5`` again.

Gradient flow. Mirror-symmetric initializations (``GF_INIT_FC``: ``w1(0) = (1/10, 1/2)``,
``w2(0) = (-1/10, 1/2)``, ``v(0) = (1/2, 1/2)``; the sparse analogue ``GF_INIT_SPARSE``)
keep both neurons active on both samples; the flow is then that of a depth-2 linear
network, the mirror symmetry (swap x1, x2 and the neurons) is preserved and the two
neurons align with the merged direction: GF converges in direction to θ̃ (checked
numerically, direction error about ``1/‖θ‖``).
"""

from __future__ import annotations

from sympy import Integer, Rational

from symkkt.claims import Claim, kkt_claim, structural_claim
from symkkt.kernel.grammar import to_text
from symkkt.network import Network, fully_connected
from symkkt.optimum import local_claim, optimum_value_claim
from symkkt.problems import Instance

THEOREM = "4.3"

ONE, ZERO = Integer(1), Integer(0)

FC = fully_connected([2, 2], "relu")
FC_X = [(1, Rational(1, 2)), (-1, Rational(1, 2))]
FC_Y = [1, 1]
FC_POINT = {"w1_1": ZERO, "w1_2": ONE, "w2_1": ZERO, "w2_2": ONE, "v1": ONE, "v2": ONE}
FC_BETTER = {"w1_1": Rational(4, 5), "w1_2": Rational(2, 5), "w2_1": Rational(-4, 5),
             "w2_2": Rational(2, 5), "v1": ONE, "v2": ONE}
GF_INIT_FC = {"w1_1": Rational(1, 10), "w1_2": Rational(1, 2), "w2_1": Rational(-1, 10),
              "w2_2": Rational(1, 2), "v1": Rational(1, 2), "v2": Rational(1, 2)}

# Locally connected: neuron 1 on coordinates 1, 2; neuron 2 on coordinates 2, 3.
SPARSE = Network("relu", ((("w1_1", "w1_2", None), (None, "w2_2", "w2_3")), (("v1", "v2"),)))
SPARSE_X = [(1, Rational(1, 2), -1), (-1, Rational(1, 2), 1)]
SPARSE_Y = [1, 1]
SPARSE_POINT = {"w1_1": ZERO, "w1_2": ONE, "w2_2": ONE, "w2_3": ZERO, "v1": ONE, "v2": ONE}
SPARSE_BETTER = {"w1_1": Rational(4, 5), "w1_2": Rational(2, 5), "w2_2": Rational(2, 5),
                 "w2_3": Rational(4, 5), "v1": ONE, "v2": ONE}
GF_INIT_SPARSE = {"w1_1": Rational(1, 10), "w1_2": Rational(1, 2), "w2_2": Rational(1, 2),
                  "w2_3": Rational(1, 10), "v1": Rational(1, 2), "v2": Rational(1, 2)}

LABELS = ("fully connected", "locally connected")

NO_EXACT_CONVERGENCE = (
    "none: the limit has hidden inputs that vanish only in the limit or sit on kinks, so no "
    "invariant set of the kernel's form (fixed, equal, positive coordinates) pins it down and "
    "the cone's Clarke KKT points are not enumerated; gradient flow reaching it is numerical "
    "evidence (see docs/convergence.md, 'The constructions 4.2(2), 4.3, 5.3, 5.4')")
"""Why these constructions have no exact ``convergence`` claim (in ``verify``'s JSON as
``exact_convergence`` of their ``kkt`` claims)."""


def instance(label: str, layer: int | None = None) -> Instance:
    if label == "fully connected":
        return Instance.make(FC, FC_X, FC_Y, FC_POINT, layer=layer)
    if label == "locally connected":
        return Instance.make(SPARSE, SPARSE_X, SPARSE_Y, SPARSE_POINT, layer=layer)
    raise KeyError(label)


def better_point(label: str) -> dict:
    return dict(FC_BETTER if label == "fully connected" else SPARSE_BETTER)


def gf_init(label: str) -> dict:
    return dict(GF_INIT_FC if label == "fully connected" else GF_INIT_SPARSE)


def better_point_claim(theorem: str, label: str, inst: Instance, better: dict) -> Claim:
    """"Not a global optimum" (Problem 2) or "not a global optimum of Problem 4" (with
    ``inst.layer``): ``better`` is a feasible point with strictly smaller (layer) norm."""
    def search():
        cert = inst.base_json()
        cert.update(kind="better-point",
                    better_point={p: to_text(better[p]) for p in inst.network.params})
        return cert, "constructed"

    kind = "not-global" if inst.layer is None else "per-layer-not-global"
    return Claim(theorem, kind, label, inst, search)


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
        out += [kkt_claim(theorem, label, inst, exact_convergence=NO_EXACT_CONVERGENCE),
                structural_claim(theorem, label, inst, "inputs"),
                local_claim(theorem, label, inst),
                better_point_claim(theorem, label, inst, better_point(lab)),
                optimum_value_claim(theorem, label, inst)]
    return out
