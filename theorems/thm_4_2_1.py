"""Theorem 4.2(1): depth-2 linear networks without sharing, all neurons non-zero: global optimum.

Statement (our words). Let Φ be a depth-2 linear network in N_no-share (any sparsity pattern,
no shared weights). If gradient flow converges in direction to a KKT point θ̃ of Problem 2 in
which every hidden neuron has a non-zero incoming weight vector, then θ̃ is a global optimum.

Why (the paper's proof idea, which the certificate makes exact). With ``u_j = v_j w_j``,
``‖θ‖² >= Σ_j (v_j² + ‖w_j‖²) >= 2 Σ_j ‖u_j‖`` and Φ(θ; x) = Σ_j <u_j, x|S_j>, so Problem 2 is
bounded below by twice the convex problem ``min Σ_j ‖u_j‖`` s.t. the margins, whose Lagrange
dual gives, for α >= 0 with ``‖Σ_i α_i y_i x_i|S_j‖ <= 1`` for every neuron, the bound 2Σα.

Instances (points computed from the exact solution of the Σ‖u_j‖ problem, the optimal u of a
support split evenly over its neurons, each neuron balanced ``|v_j| = ‖w_j‖``):

* the depth-2 diagonal network on R^2 with ``x = (2, 1), (1, 2)``, both labels 1
  (``β* = (1/3, 1/3)``, dense, so both neurons are non-zero);
* the depth-2 diagonal network on R^3 with ``x = (3,1,1), (1,3,1), (1,1,3)``;
* a sparse non-diagonal network on R^3: neuron 1 sees coordinates 1-2, neuron 2 sees 2-3,
  data ``(1,1,0), (0,1,1), (1,0,1)``, all labels 1 (optimum ``‖θ*‖² = √5``).

Each gets a KKT claim, a non-zero-weights claim and a global claim (the neuron-sum dual):
basis ``instances (3)``.

For all data (kernel kind ``depth2-linear-family``, report kind ``global-all-data``, basis
``all-data``): for every width and every dataset, every KKT point of a depth-2 *diagonal*
linear network whose neurons are all non-zero is a global optimum, and its predictor solves
Problem 3 (Remark 4.1); and the same global optimality for every depth-2 network in
N_no-share whose neurons have supports of size at most 16. The lemma (balanced neurons, then
the convex neuron-sum problem with the same multipliers) is in
:mod:`symkkt.kernel.linfamily`.
"""

from __future__ import annotations

from symkkt.claims import kkt_claim, structural_claim
from symkkt.kernel.net import NetSpec
from symkkt.linfamily import depth2_family_claim
from symkkt.network import diagonal
from symkkt.optimum import global_claim, linear_depth2_optimum
from symkkt.problems import Instance, exact

THEOREM = "4.2(1)"
TITLE = "Depth-2 linear networks without sharing, non-zero neurons: global optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a depth-2 linear network in $\mathcal{N}_{\text{no-share}}$ parameterized by
$\theta$. Consider minimizing the exponential or the logistic loss over a dataset
$\{(x_i, y_i)\}_{i=1}^n$ using gradient flow, assume that $\mathcal{L}(\theta(t_0)) < 1$ for
some $t_0$, and let $\tilde\theta$ be the KKT point of Problem 2 to which $\theta(t)$
converges in direction. If in the network parameterized by $\tilde\theta$ all hidden neurons
have non-zero incoming weight vectors, then $\tilde\theta$ is a global optimum of Problem 2.

\emph{Why, exactly.} With $u_j = v_j w_j$ and $S_j$ the support of neuron $j$,
$\|\theta\|^2 \geq 2\sum_j \|u_j\|$ and
$\Phi(\theta; x) = \sum_j \langle u_j, x|_{S_j}\rangle$, so for every $\alpha \geq 0$ with
$\bigl\|\sum_i \alpha_i y_i x_i|_{S_j}\bigr\| \leq 1$ for every neuron,
every feasible $\theta$ has $\|\theta\|^2 \geq 2\sum_i \alpha_i$. Certified on two diagonal
networks and a sparse network on $\mathbb{R}^3$: a KKT point, non-zero weights, and a dual
$\alpha$ with $2\sum_i \alpha_i = \|\tilde\theta\|^2$.
"""

SPARSE = NetSpec("linear", ((("a1", "a2", None), (None, "b2", "b3")), (("v1", "v2"),)))

CASES = {
    "diagonal d=2": (diagonal(2, 2, "linear"), [(2, 1), (1, 2)], [1, 1]),
    "diagonal d=3": (diagonal(3, 2, "linear"), [(3, 1, 1), (1, 3, 1), (1, 1, 3)], [1, 1, 1]),
    "sparse": (SPARSE, [(1, 1, 0), (0, 1, 1), (1, 0, 1)], [1, 1, 1]),
}


def instance(label: str) -> Instance:
    net, X, Y = CASES[label]
    Xe = tuple(tuple(exact(v) for v in x) for x in X)
    res = linear_depth2_optimum(net, Xe, tuple(Y))
    if res is None:
        raise ValueError(f"{label}: the neuron-sum problem was not solved")
    return Instance.make(net, Xe, Y, res[1])


FOUND_SEED = 1


def found_claims():
    """KKT ⇒ global on points found, not built: every KKT point with non-zero neurons of the
    depth-2 diagonal network on R^3 for random data (three samples, seed ``FOUND_SEED``), by
    exact enumeration (:mod:`theorems._found`)."""
    from ._found import found_claims as found, random_data

    X, Y = random_data(FOUND_SEED, 3, 3)
    return found(THEOREM, f"diagonal d=3, random data (seed {FOUND_SEED})",
                 diagonal(3, 2, "linear"), X, Y, "weights", global_claim)


def claims():
    out = []
    for label in CASES:
        inst = instance(label)
        out += [kkt_claim(THEOREM, label, inst), structural_claim(THEOREM, label, inst, "weights"),
                global_claim(THEOREM, label, inst)]
    out += found_claims()
    out.append(depth2_family_claim(THEOREM, "diagonal, every width, all data",
                                   instance("diagonal d=2"), "singletons", [1], "excluded",
                                   "l1"))
    out.append(depth2_family_claim(THEOREM, "no-share, supports of size <= 16, every width, "
                                            "all data", instance("sparse"), "any",
                                   list(range(1, 17)), "excluded"))
    return out
