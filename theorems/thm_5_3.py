"""Theorem 5.3: in ReLU networks, GF need not reach a local optimum of Problem 4 per layer.

Statement (our words). Unlike linear networks (Theorem 5.2, every layer of the KKT point is a
global optimum of Problem 4), already a fully-connected depth-2 ReLU network with input
dimension 2 and 4 hidden neurons has a dataset and an initialization from which gradient
flow converges in direction to a KKT point θ̃ of Problem 2 whose *first layer* is not a
local optimum of Problem 4 (minimize ``‖u^(1)‖²`` over the first layer alone, the output
weights fixed at ``ṽ``, subject to all margin constraints).

Construction: the dataset, KKT point and initialization of Theorem 4.2(2)
(:mod:`theorems.thm_4_2_2`): ``x1 = (1, 0)``, ``x2 = (0, 1)`` with label +1,
``x3 = (-6/5, -8/5)`` with label -1; ``w̃1 = (1, 0)``, ``w̃2 = (0, 1)``,
``w̃3 = w̃4 = (-3/10, -2/5)``, ``ṽ = (1, 1, -1/2, -1/2)``; multipliers ``λ = (1, 1, 1/2)``
derived by the KKT search. The first layer has ``‖ũ^(1)‖² = 5/2``.

Why layer 1 alone can improve. Neuron 1 sits on a kink of x2 (``<w̃1, x2> = 0``) with
``y2 ṽ1 = 1 > 0``, so rotating it toward x2 adds margin to x2 at first order while the cost
is second order; neuron 2 then gives up the same amount. Only first-layer weights move:

    w1'(ε) = (1, ε),  w2'(ε) = (0, 1 - ε),  v, w3, w4 fixed,

keeps all margins exactly 1 (``ε + (1 - ε) = 1`` on x2) and gives
``‖u^(1)'‖² = 5/2 - 2ε + 2ε² < 5/2`` for ``0 < ε < 1``. The output layer, by contrast, is a
global optimum of its Problem 4 (Φ is linear in v once w is fixed; certified by the exact QP
dual), so the failure is specific to the layer below the kinks, which Theorem 5.4's
non-zero-input hypothesis excludes.
"""

from __future__ import annotations

from symkkt.claims import curve_claim, kkt_claim
from symkkt.optimum import per_layer_claims
from symkkt.perturb import EPSILON as eps

from . import thm_4_2_2 as base
from .neg_4_3 import NO_EXACT_CONVERGENCE

THEOREM = "5.3"
TITLE = "Depth-2 ReLU: the first layer of a KKT point need not be a local optimum of Problem 4"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a fully-connected depth-2 ReLU network with input dimension 2 and 4 hidden
neurons parameterized by $\theta$. Consider minimizing the exponential or the logistic loss
using gradient flow. There exist a dataset and an initialization $\theta(0)$ such that
gradient flow converges to zero loss, and converges in direction to a KKT point
$\tilde\theta$ of Problem 2, such that the weights of the first layer are not a local optimum
of Problem 4 with respect to $\tilde\theta$.

\emph{What is certified.} The dataset and KKT point of Theorem 4.2(2):
$x_1 = (1, 0)$, $x_2 = (0, 1)$ with $y = 1$, $x_3 = (-\tfrac65, -\tfrac85)$ with $y = -1$,
$\tilde w_1 = (1, 0)$, $\tilde w_2 = (0, 1)$,
$\tilde w_3 = \tilde w_4 = (-\tfrac{3}{10}, -\tfrac25)$, $\tilde v = (1, 1, -\tfrac12,
-\tfrac12)$, with $\|\tilde u^{(1)}\|^2 = \tfrac52$. Moving the first layer alone,
$w_1'(\varepsilon) = (1, \varepsilon)$, $w_2'(\varepsilon) = (0, 1 - \varepsilon)$, keeps all
margins at exactly 1 and gives
$\|u^{(1)\prime}\|^2 = \tfrac52 - 2\varepsilon + 2\varepsilon^2 < \tfrac52$ for
$0 < \varepsilon < 1$. The output layer is a global optimum of its Problem 4.
"""

NETWORK = base.NETWORK
X, Y, POINT = base.X, base.Y, base.POINT

# First-layer parameters only; every other parameter stays at θ̃.
CURVE = {"w1_2": eps, "w2_2": 1 - eps}
GF_INIT = dict(base.GF_INIT)


def curve() -> dict:
    return {p: CURVE.get(p, POINT[p]) for p in NETWORK.params}


def instance(layer: int | None = None):
    return base.instance(layer)


def gf_runs() -> list[dict]:
    """From Theorem 4.2(2)'s ``GF_INIT_SCALED`` (``L(θ(0)) < ℓ(0)`` for both losses)."""
    return [{"label": "relu", "instance": instance(), "init": dict(base.GF_INIT_SCALED)}]


def claims():
    inst = instance()
    return [
        kkt_claim(THEOREM, "relu", inst, exact_convergence=NO_EXACT_CONVERGENCE),
        curve_claim(THEOREM, "relu, layer 1", instance(layer=1), curve()),
        *per_layer_claims(THEOREM, "relu", inst, local=False, layers=[2]),
    ]
