"""Theorem 5.4 (positive part): ReLU, non-zero inputs in layers >= l: layer l is a local optimum.

Statement (our words). For any depth-m ReLU network in N, let θ̃ be the KKT point gradient flow
converges to in direction. If on every sample the inputs to all neurons in layers >= l are
non-zero, then ``ũ^(l)`` is a local optimum of Problem 4 (layer l alone, the other layers
fixed at θ̃); it need not be a global one.

Why (made exact by the certificate). Layers below l do not depend on u^(l); the pattern of
layers >= l is constant for u^(l) near ``ũ^(l)`` (strict signs), so there Φ(θ; x_i) =
<a_i, u^(l)> is linear in u^(l), and the exact QP dual of ``min ‖u‖² s.t. y_i <a_i, u> >= 1``
bounds ‖u^(l)‖² from below near ``ũ^(l)``. For l = m (the output layer) the hypothesis is
empty: the last layer of a KKT point is always a local (indeed global) optimum of Problem 4.

Instances: the depth-3 diagonal ReLU network of Theorem 5.1 (all inputs non-zero: every layer;
the point is not a local optimum of Problem 2), the three-neuron depth-2 instance of Theorem
4.3 (both layers), and Theorem 3.2's KKT point (a neuron with zero input in layer 1, so only
the output layer qualifies).
"""

from __future__ import annotations

from symkkt.claims import kkt_claim, structural_claim
from symkkt.network import fully_connected
from symkkt.optimum import per_layer_claims

from . import thm_3_2, thm_4_3, thm_5_1

THEOREM = "5.4"
TITLE = "ReLU, non-zero inputs from layer l on: layer l is a local optimum of Problem 4"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $m \geq 2$ and let $\Phi$ be any depth-$m$ ReLU network in $\mathcal{N}$ parameterized by
$\theta = [u^{(l)}]_{l=1}^m$. Consider minimizing the exponential or the logistic loss over a
dataset $\{(x_i, y_i)\}_{i=1}^n$ using gradient flow, and assume that
$\mathcal{L}(\theta(t_0)) < 1$ for some $t_0$. Let $\tilde\theta = [\tilde u^{(l)}]_{l=1}^m$
be the KKT point of Problem 2 to which $\theta(t)$ converges in direction. Let $l \in [m]$ and
assume that for every $i \in [n]$ the inputs to all neurons in layers $\geq l$ in the
computation $\Phi(\tilde\theta; x_i)$ are non-zero. Then the parameter vector $\tilde u^{(l)}$
is a local optimum of Problem 4 with respect to $\tilde\theta$. However, it may not be a
global optimum.

\emph{Why, exactly.} Near $\tilde u^{(l)}$ the activation pattern of the layers $\geq l$ is
constant, so $\Phi(\theta'; x_i) = \langle a_i, u^{(l)}\rangle$ is linear there and the exact
dual of $\min \|u\|^2$ s.t.\ $y_i\langle a_i, u\rangle \geq 1$ bounds $\|u^{(l)}\|^2$ from
below near $\tilde u^{(l)}$. Certified on the depth-3 diagonal ReLU network of Theorem 5.1,
the three-neuron instance of Theorem 4.3 and the output layer of Theorem 3.2's KKT point; a
better layer is certified for the negative part.
"""


def instances():
    """label -> (instance, first layer from which every hidden input is non-zero)."""
    return {
        "diagonal m=3 (Thm 5.1)": (thm_5_1.instance("relu", 3), 1),
        "three neurons (Thm 4.3)": (thm_4_3.positive_instance("three neurons, both labels"), 1),
        "Thm 3.2 KKT point": (thm_3_2.instance(), 2),
    }


def negative_claims():
    """The negative part: layer 1 local but not global for Problem 4 (construction in
    :mod:`theorems.neg_5_4`: depth-2 and depth-3 fully-connected networks)."""
    from . import neg_5_4

    return neg_5_4.claims(THEOREM)


def found_claims():
    """Every layer a local optimum of Problem 4 on KKT points that are found by exact
    enumeration on random data (the data of Theorem 4.3's found points,
    :mod:`theorems._found`), not built."""
    from ._found import found_claims as found, random_data
    from .thm_4_3 import FOUND_SEED

    X, Y = random_data(FOUND_SEED, 2, 2)

    def per_layer(theorem, label, inst, **extra):
        return per_layer_claims(theorem, label, inst, local=True, **extra)

    return found(THEOREM, f"random data (seed {FOUND_SEED})", fully_connected([2, 2], "relu"),
                 X, Y, "inputs", per_layer)


def claims():
    out = []
    for label, (inst, first) in instances().items():
        out.append(kkt_claim(THEOREM, label, inst))
        out.append(structural_claim(THEOREM, label, inst, "inputs", from_layer=first))
        out += per_layer_claims(THEOREM, label, inst, local=True,
                                layers=range(first, inst.network.depth + 1))
    return out + found_claims() + negative_claims()


def gf_runs():
    """Gradient-flow runs of the negative part (:mod:`theorems.neg_5_4`), as evidence in
    ``symkkt verify``."""
    from . import neg_5_4

    return neg_5_4.gf_runs()
