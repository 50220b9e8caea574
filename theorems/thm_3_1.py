"""Theorem 3.1: fully-connected linear networks converge to a global optimum of Problem 2.

Statement (our words). For a depth-m fully-connected linear network (m >= 2) and any dataset
that gradient flow can fit (L(θ(t0)) < 1), gradient flow converges in direction to a global
optimum of Problem 2. The limit θ̃ has balanced, aligned, rank-one layers
``W̃^(l) = C v_l v_(l-1)^T`` (unit vectors v_l, ``v_0`` the direction of the max-margin
predictor β*, ``v_m = 1``) with ``C^m = ‖β*‖ = min ‖u‖ s.t. y_i <u, x_i> >= 1``.

What we certify, per depth m in {2, 3, 4} and per dataset (three of them): the point built
from the exact predictor-space solution (β* and its dual are computed, not typed in; hidden
directions ``v_l = (3/5, 4/5)`` so every neuron is used) is a KKT point, and it is a global
optimum: the predictor-space QP dual α gives ``‖θ‖² >= m·‖β‖^(2/m) >= m·(2Σα - ‖Σα_i y_i
x_i‖²)^(1/m)`` for every feasible θ, which equals ``‖θ̃‖²`` exactly (basis: instances).

For all data at depth 2 (kernel kind ``depth2-linear-family``, report kind
``global-all-data``, basis ``all-data``): for every width, every input dimension
d <= 16 and every dataset, *every* KKT point of Problem 2 of a depth-2 fully-connected linear
network is a global optimum and its predictor solves the SVM (the neuron-sum lemma with a
common support: zero neurons are allowed, see :mod:`symkkt.kernel.linfamily`). Depth m >= 3
for all data is *not* certified: the paper's proof uses the alignment of the gradient-flow
limit, not a property of every KKT point, and the per-KKT-point argument of depth 2 (balanced
neurons, a convex neuron-sum problem) has no analogue we could check.
"""

from __future__ import annotations

from sympy import Rational

from symkkt.claims import kkt_claim
from symkkt.linfamily import depth2_family_claim
from symkkt.network import fully_connected
from symkkt.optimum import fc_linear_point, global_claim, predictor_optimum
from symkkt.problems import Instance, exact

THEOREM = "3.1"
TITLE = "Fully-connected linear networks: GF converges to a global optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $m \geq 2$ and let $\Phi$ be a depth-$m$ fully-connected linear network parameterized by
$\theta$. Consider minimizing the exponential or the logistic loss over a dataset
$\{(x_i, y_i)\}_{i=1}^n$ using gradient flow, and assume that
$\mathcal{L}(\theta(t_0)) < 1$ for some time $t_0$. Then gradient flow converges in direction
to a global optimum of Problem 2,
\[ \min_\theta \tfrac12 \|\theta\|^2 \quad \text{s.t.} \quad y_i \Phi(\theta; x_i) \geq 1
   \ \text{ for all } i \in [n]. \]

\emph{What is certified.} For depths $m \in \{2, 3, 4\}$ and three datasets, the point with
balanced, aligned, rank-one layers $\tilde W^{(l)} = C\, v_l v_{l-1}^\top$ (unit vectors
$v_l$, $v_0 = \beta^*/\|\beta^*\|$, $C^m = \|\beta^*\|$, where $\beta^*$ is the max-margin
predictor) is a KKT point and a global optimum: the predictor-space dual $\alpha \geq 0$ gives,
for every feasible $\theta$,
\[ \|\theta\|^2 \geq m\,\|\beta\|^{2/m}
   \geq m \Bigl(2\sum_i \alpha_i - \Bigl\|\sum_i \alpha_i y_i x_i\Bigr\|^2\Bigr)^{1/m}
   = \|\tilde\theta\|^2. \]
"""

DEPTHS = (2, 3, 4)
FAMILY_DIMS = 16
"""The all-data claim at depth 2 covers every input dimension d <= FAMILY_DIMS."""
HIDDEN_WIDTH = 2
DIRECTION = (Rational(3, 5), Rational(4, 5))

DATASETS = {
    # two samples, both support vectors: beta* = (1/3, 1/3)
    "A": ([(2, 1), (1, 2)], [1, 1]),
    # Theorem 3.2's data: beta* = (0, 4)
    "B": ([(1, Rational(1, 4)), (-1, Rational(1, 4))], [1, 1]),
    # R^3, both labels, two of four samples are support vectors
    "C": ([(1, 0, 1), (0, 1, -1), (-1, -1, 0), (2, 1, 1)], [1, -1, -1, 1]),
}


def _data(name: str):
    X, Y = DATASETS[name]
    return tuple(tuple(exact(v) for v in x) for x in X), tuple(Y)


def instance(name: str, m: int) -> Instance:
    """The balanced aligned KKT point (the GF limit) for dataset ``name`` and depth ``m``."""
    X, Y = _data(name)
    res = predictor_optimum(X, Y)
    if res is None:
        raise ValueError(f"dataset {name} is not linearly separable")
    net = fully_connected([len(X[0])] + [HIDDEN_WIDTH] * (m - 1), "linear")
    theta = fc_linear_point(net, res[1], [DIRECTION] * (m - 1))
    return Instance.make(net, X, Y, theta)


def claims():
    out = []
    for name in DATASETS:
        for m in DEPTHS:
            inst = instance(name, m)
            label = f"data {name}, m={m}"
            out += [kkt_claim(THEOREM, label, inst, m=m), global_claim(THEOREM, label, inst, m=m)]
    out.append(depth2_family_claim(THEOREM, f"fully-connected d<={FAMILY_DIMS}, m=2, every "
                                            f"width, all data", instance("A", 2), "common",
                                   list(range(1, FAMILY_DIMS + 1)), "allowed", "l2", m=2))
    return out
