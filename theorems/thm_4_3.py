"""Theorem 4.3 (positive part): depth-2 ReLU, all hidden inputs non-zero: a local optimum.

Statement (our words). Let Φ be a depth-2 ReLU network in N_no-share. If gradient flow
converges in direction to a KKT point θ̃ of Problem 2 such that on every sample the input to
every hidden neuron is non-zero, then θ̃ is a local optimum of Problem 2. (It need not be a
global one, even for fully-connected networks: the negative part.)

Why (made exact by the certificate). Near θ̃ every hidden input keeps its strict sign, so on
a neighbourhood Φ(θ; x_i) = Σ_j v_j P_ji <w_j, x_i> with θ̃'s activation pattern P: a depth-2
*linear* network with a sample-dependent mask. The neuron-sum bound of Theorem 4.2(1) applies
to it: for α >= 0 with ``‖Σ_i α_i y_i P_ji x_i‖ <= 1`` for every neuron, every feasible θ in the
neighbourhood has ``‖θ‖² >= 2Σα``. At a KKT point the multipliers λ are such an α (each used
neuron has ``‖z_j(λ)‖ = 1``) and ``‖θ̃‖² = 2Σλ``.

Positive instances (each neuron serves exactly one sample, ``u_j = y_j x_j/‖x_j‖²`` balanced as
``w_j = u_j/√‖u_j‖``, ``|v_j| = √‖u_j‖``; the samples have pairwise negative inner products, so
every hidden input is non-zero):

* Theorem 3.2's data ``(1, 1/4), (-1, 1/4)``, two neurons (this point is even the global
  optimum, ``‖θ‖² = 16/√17``);
* ``(4, -3), (-3, 4)`` with label 1 and ``(-1, -1)`` with label -1, three neurons
  (``‖θ̃‖² = 4/5 + √2``).

Each gets a KKT claim, a non-zero-inputs claim and a local claim. And on random data (seed
``FOUND_SEED``, two samples in R^2, two neurons) every KKT point with non-zero hidden inputs is
found by exact enumeration of active sets and activation patterns (not built as an optimum),
and each one gets the same three claims: the implication exercised (basis ``found``).
"""

from __future__ import annotations

import sympy
from sympy import Rational

from symkkt.claims import kkt_claim, structural_claim
from symkkt.network import fully_connected
from symkkt.optimum import local_claim
from symkkt.problems import Instance, exact

THEOREM = "4.3"
TITLE = "Depth-2 ReLU without sharing, non-zero hidden inputs: local (not always global) optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a depth-2 ReLU network in $\mathcal{N}_{\text{no-share}}$ parameterized by
$\theta$. Consider minimizing the exponential or the logistic loss over a dataset
$\{(x_i, y_i)\}_{i=1}^n$ using gradient flow, assume that $\mathcal{L}(\theta(t_0)) < 1$ for
some $t_0$, and let $\tilde\theta$ be the KKT point of Problem 2 to which $\theta(t)$
converges in direction. Assume that for every $i \in [n]$ the inputs to all hidden neurons in
the computation $\Phi(\tilde\theta; x_i)$ are non-zero. Then $\tilde\theta$ is a local
optimum of Problem 2. However, it may not be a global optimum, even if the network $\Phi$ is
fully connected.

\emph{Why, exactly.} Near $\tilde\theta$ the activation pattern $P$ is constant, so
$\Phi(\theta; x_i) = \sum_j v_j P_{ji} \langle w_j, x_i\rangle$ there: a masked linear network,
and every $\alpha \geq 0$ with $\bigl\|\sum_i \alpha_i y_i P_{ji} x_i\bigr\| \leq 1$ for every
neuron gives $\|\theta\|^2 \geq 2\sum_i \alpha_i$ on a neighbourhood. The KKT multipliers are
such an $\alpha$, with $\|\tilde\theta\|^2 = 2\sum_i \lambda_i$. For the negative part, a
feasible point with a strictly smaller norm is certified.
"""

POSITIVE = {
    "two neurons, Thm 3.2 data": ([(1, Rational(1, 4)), (-1, Rational(1, 4))], [1, 1]),
    "three neurons, both labels": ([(4, -3), (-3, 4), (-1, -1)], [1, 1, -1]),
}


def one_neuron_per_sample(X, Y) -> dict:
    """Neuron j serves sample j alone with margin exactly 1, balanced."""
    theta = {}
    for j, (x, y) in enumerate(zip(X, Y), start=1):
        x = [exact(v) for v in x]
        nx2 = sum(v ** 2 for v in x)
        root = sympy.sqrt(sympy.sqrt(nx2))          # sqrt(|u_j|)^-1, |u_j| = 1/|x_j|
        for k, v in enumerate(x, start=1):
            theta[f"w{j}_{k}"] = sympy.radsimp(v / nx2 * root)
        theta[f"v{j}"] = sympy.radsimp(y / root)
    return theta


def positive_instance(label: str) -> Instance:
    X, Y = POSITIVE[label]
    net = fully_connected([len(X[0]), len(X)], "relu")
    return Instance.make(net, X, Y, one_neuron_per_sample(X, Y))


FOUND_SEED = 0
"""Random data (two samples in R^2, :func:`theorems._found.random_data`) on which every KKT
point with non-zero hidden inputs is *found* by exact enumeration, then certified local."""


def found_claims():
    """KKT ⇒ local on points that are found, not built (:mod:`theorems._found`)."""
    from ._found import found_claims as found, random_data

    X, Y = random_data(FOUND_SEED, 2, 2)
    return found(THEOREM, f"random data (seed {FOUND_SEED})", fully_connected([2, 2], "relu"),
                 X, Y, "inputs", local_claim)


def positive_claims():
    out = []
    for label in POSITIVE:
        inst = positive_instance(label)
        out += [kkt_claim(THEOREM, label, inst), structural_claim(THEOREM, label, inst, "inputs"),
                local_claim(THEOREM, label, inst)]
    return out + found_claims()


def negative_claims():
    """The negative part: a local but not global optimum (construction in
    :mod:`theorems.neg_4_3`: fully-connected and locally connected networks)."""
    from . import neg_4_3

    return neg_4_3.claims(THEOREM)


def claims():
    return positive_claims() + negative_claims()


def gf_runs():
    """Gradient-flow runs of the negative part (:mod:`theorems.neg_4_3`), as evidence in
    ``symkkt verify``."""
    from . import neg_4_3

    return neg_4_3.gf_runs()
