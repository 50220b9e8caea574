"""Theorem 5.2: in linear networks every layer of the KKT point is a global optimum of Problem 4.

Statement (our words). For any depth-m linear network in N (sparsity and sharing allowed),
gradient flow converges in direction to a KKT point θ̃ of Problem 2 such that, for every layer
l, ``ũ^(l)`` is a global optimum of Problem 4 (minimize ‖u^(l)‖ over layer l alone, the other
layers fixed at θ̃, subject to the margins).

Why. With the other layers fixed, Φ(θ; x_i) = <a_i, u^(l)> is linear in u^(l) (a_i is the
gradient with respect to layer l), so Problem 4 is a convex QP; its exact dual α >= 0 gives
``‖u^(l)‖² >= 2Σα - ‖Σ α_i y_i a_i‖²``, which we show equals ``‖ũ^(l)‖²``.

Instances: the linear convolutional network of Theorem 4.4 (two disjoint patches, one shared
filter) at its KKT point, and the depth-3 diagonal linear network of Theorem 5.1 at its KKT
point; both are *not* local optima of Problem 2 (Theorems 4.4, 5.1), yet every single layer is
globally optimal: any improvement must move at least two layers at once (basis: instances).

For all data (kernel kind ``linear-per-layer-family``, report kind
``per-layer-global-all-data``, basis ``all-data``): for each of the shapes above, a depth-3
fully-connected shape and a depth-3 shape with sparsity and sharing, and *every* dataset,
every KKT point of Problem 2 has every layer a global optimum of Problem 4. The kernel checks
on the shape, with symbolic inputs, that Φ has degree exactly 1 in each layer's parameters
(no parameter in two layers); the lemma (Problem 4 is then convex and Problem 2's KKT
conditions, restricted to the layer, are Problem 4's with the same multipliers) is in
:mod:`symkkt.kernel.linfamily`.
"""

from __future__ import annotations

from symkkt.claims import kkt_claim
from symkkt.kernel.net import NetSpec
from symkkt.linfamily import per_layer_family_claim
from symkkt.network import fully_connected
from symkkt.problems import Instance
from symkkt.optimum import per_layer_claims

from . import thm_4_4, thm_5_1

THEOREM = "5.2"
TITLE = "Linear networks: every layer of the KKT point is a global optimum of Problem 4"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $m \geq 2$ and let $\Phi$ be any depth-$m$ linear network in $\mathcal{N}$, parameterized
by $\theta = [u^{(l)}]_{l=1}^m$. Consider minimizing the exponential or the logistic loss over
a dataset $\{(x_i, y_i)\}_{i=1}^n$ using gradient flow, and assume that
$\mathcal{L}(\theta(t_0)) < 1$ for some $t_0$. Then gradient flow converges in direction to a
KKT point $\tilde\theta = [\tilde u^{(l)}]_{l=1}^m$ of Problem 2 such that for every layer
$l \in [m]$ the parameter vector $\tilde u^{(l)}$ is a global optimum of Problem 4 with
respect to $\tilde\theta$,
\[ \min_{u^{(l)}} \tfrac12 \bigl\|u^{(l)}\bigr\|^2 \quad \text{s.t.} \quad
   y_i \Phi(\theta'; x_i) \geq 1 \ \text{ for all } i \in [n], \]
where $\theta'$ is $\tilde\theta$ with layer $l$ replaced by $u^{(l)}$.

\emph{Why, exactly.} With the other layers fixed, $\Phi(\theta'; x_i) = \langle a_i,
u^{(l)}\rangle$ is linear in $u^{(l)}$, so Problem 4 is a convex QP and its dual
$\alpha \geq 0$ gives
$\|u^{(l)}\|^2 \geq 2\sum_i \alpha_i - \bigl\|\sum_i \alpha_i y_i a_i\bigr\|^2
= \|\tilde u^{(l)}\|^2$. Certified for the linear networks of Theorems 4.4 and 5.1 (not local
optima of Problem 2, yet every layer is globally optimal).
"""


def instances():
    return {"conv (Thm 4.4)": thm_4_4.instance("linear"),
            "diagonal m=3 (Thm 5.1)": thm_5_1.instance("linear", 3)}


# Shapes certified for every dataset besides the instances' own. A claim needs a
# representative instance for display: the shape at θ = 1 with one sample x = 1 (the family
# certificate never uses data or a point).
SHARED_SPARSE = NetSpec("linear", ((("a", "b", None), (None, "a", "b"), ("c", None, "c")),
                                   (("d", "e", None), (None, "d", "e")), (("f", "g"),)))
SHAPES = {"fully-connected 2-2-2-1": fully_connected([2, 2, 2], "linear"),
          "sparse, shared, 3-3-2-1": SHARED_SPARSE}


def claims():
    out = []
    for label, inst in instances().items():
        out.append(kkt_claim(THEOREM, label, inst))
        out += per_layer_claims(THEOREM, label, inst)
        out.append(per_layer_family_claim(THEOREM, f"{label} shape, all data", inst))
    for label, net in SHAPES.items():
        rep = Instance.make(net, [[1] * net.input_dim], [1], {p: 1 for p in net.params})
        out.append(per_layer_family_claim(THEOREM, f"{label}, all data", rep,
                                          representative="theta = 1, x = 1 (display only)"))
    return out
