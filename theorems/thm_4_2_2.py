"""Theorem 4.2(2): ReLU, every neuron with non-zero weights, yet not a local optimum.

Statement (our words). Non-zero incoming weight vectors do not rescue depth-2 ReLU networks:
there are a fully-connected ReLU network ``Φ(θ; x) = Σ_{j<=4} v_j σ(<w_j, x>)`` on ``R^2``,
a dataset and an initialization from which gradient flow converges in direction to a KKT
point θ̃ of Problem 2 in which every hidden neuron has a non-zero incoming weight vector, and
θ̃ is not a local optimum.

Our construction (the paper's appendix is not used). Data

    x1 = (1, 0),  x2 = (0, 1)         with y = +1,
    x3 = (-6/5, -8/5)   (‖x3‖ = 2)    with y = -1.

KKT point θ̃ (‖θ̃‖² = 5): ``w̃1 = (1, 0), ṽ1 = 1`` serves x1, ``w̃2 = (0, 1), ṽ2 = 1`` serves
x2, and the two parallel neurons ``w̃3 = w̃4 = (-3/10, -2/5), ṽ3 = ṽ4 = -1/2`` share x3
(each gives ``-1/2``). All three margins are 1, every neuron is balanced and non-zero.

Why it is a KKT point but not a local optimum. The point has *kinks*: ``<w̃1, x2> = 0`` and
``<w̃2, x1> = 0``. Stationarity ``w_j = v_j Σ_i λ_i y_i g_ij x_i`` (g_ij in the Clarke
subdifferential of σ at ``<w_j, x_i>``) forces the weight of the active piece of neuron 1 on
x2 to be 0 (else w̃1 would get a component along x2), so the multipliers ``λ = (1, 1, 1/2)``
(derived by :func:`symkkt.kkt.find_kkt`, not typed in) use only the inactive piece there.
But ``y2 ṽ1 > 0``: turning neuron 1 *on* for x2 is free at first order. Rotating
``w1' = (1, ε)`` makes neuron 1 contribute ``ε`` to x2 while its margin on x1 is unchanged
and ``<w1', x3> < 0``; neuron 2 can then shrink to ``w2' = (0, 1 - ε/2), v2' = 1 - ε/2``
(margin on x2 ``ε + (1 - ε/2)² = 1 + ε²/4``). Both layers move, and

    ‖θ'(ε)‖² = 5 - 2ε + 3ε²/2 < 5    for 0 < ε < 4/3.

In the language of first-order conditions: at a kink with ``y_i v_j > 0`` a KKT point is a
local optimum only if the active piece gets Clarke weight 1; here it gets 0.

Gradient flow. From ``GF_INIT`` (``w1(0) = (1/2, -1/10)``, ``w2(0) = (-1/10, 1/2)``,
``w3(0) = w4(0) = (-3/10, -1/5)``, ``v(0) = (1/2, 1/2, -1/2, -1/2)``) neuron 1 is active
only on x1 (``<w1, x2> = -1/10`` stays: x1 has no second coordinate, so the second
coordinate of w1 never receives gradient), neuron 2 only on x2, neurons 3 and 4 (identical
throughout) only on x3 (they move along x3, which stays in the open third quadrant). The
small negative components stay constant while ‖θ‖ → ∞, so in direction they vanish and the
kinks appear only in the limit: GF converges in direction to θ̃ (checked numerically: the
normalized margin tends to 1/5 and the direction error is about 1.5·10^-3 at ‖θ‖ = 150).
"""

from __future__ import annotations

from sympy import Integer, Rational

from symkkt.claims import curve_claim, kkt_claim, structural_claim
from symkkt.network import fully_connected
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

from .neg_4_3 import NO_EXACT_CONVERGENCE

THEOREM = "4.2(2)"
TITLE = "Depth-2 ReLU, non-zero weight vectors: KKT point that is not a local optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a fully-connected depth-2 ReLU network with input dimension 2 and 4 hidden
neurons, $\Phi(\theta; x) = \sum_{j=1}^4 v_j\, \sigma(\langle w_j, x\rangle)$. Consider
minimizing the exponential or the logistic loss using gradient flow. There exist a dataset and
an initialization $\theta(0)$ such that gradient flow converges to zero loss, and converges in
direction to a KKT point $\tilde\theta$ of Problem 2 which is not a local optimum, and in the
network parameterized by $\tilde\theta$ all hidden neurons have non-zero incoming weights.

\emph{What is certified.} Data $x_1 = (1, 0)$, $x_2 = (0, 1)$ with $y = 1$ and
$x_3 = (-\tfrac65, -\tfrac85)$ with $y = -1$. The point $\tilde w_1 = (1, 0)$,
$\tilde w_2 = (0, 1)$, $\tilde w_3 = \tilde w_4 = (-\tfrac{3}{10}, -\tfrac25)$,
$\tilde v = (1, 1, -\tfrac12, -\tfrac12)$, with $\|\tilde\theta\|^2 = 5$, is a KKT point with
multipliers $\lambda = (1, 1, \tfrac12)$ and non-zero weight vectors, but it sits on a kink
($\langle \tilde w_1, x_2\rangle = 0$ with $y_2 \tilde v_1 > 0$): the curve
$w_1' = (1, \varepsilon)$, $w_2' = (0, 1 - \tfrac{\varepsilon}{2})$,
$v_2' = 1 - \tfrac{\varepsilon}{2}$ is feasible and
$\|\theta'(\varepsilon)\|^2 = 5 - 2\varepsilon + \tfrac32\varepsilon^2 < 5$.
"""

NETWORK = fully_connected([2, 4], "relu")
X = [(1, 0), (0, 1), (Rational(-6, 5), Rational(-8, 5))]
Y = [1, 1, -1]
POINT = {"w1_1": Integer(1), "w1_2": Integer(0), "v1": Integer(1),
         "w2_1": Integer(0), "w2_2": Integer(1), "v2": Integer(1),
         "w3_1": Rational(-3, 10), "w3_2": Rational(-2, 5), "v3": Rational(-1, 2),
         "w4_1": Rational(-3, 10), "w4_2": Rational(-2, 5), "v4": Rational(-1, 2)}

# Neuron 1 turns on for x2; neuron 2 (both layers) shrinks. Parameters not listed stay fixed.
CURVE = {"w1_2": eps, "w2_2": 1 - eps / 2, "v2": 1 - eps / 2}

GF_INIT = {"w1_1": Rational(1, 2), "w1_2": Rational(-1, 10), "v1": Rational(1, 2),
           "w2_1": Rational(-1, 10), "w2_2": Rational(1, 2), "v2": Rational(1, 2),
           "w3_1": Rational(-3, 10), "w3_2": Rational(-1, 5), "v3": Rational(-1, 2),
           "w4_1": Rational(-3, 10), "w4_2": Rational(-1, 5), "v4": Rational(-1, 2)}


def curve() -> dict:
    """The full curve θ'(ε): every parameter, the fixed ones at their value at θ̃."""
    return {p: CURVE.get(p, POINT[p]) for p in NETWORK.params}


def instance(layer: int | None = None) -> Instance:
    return Instance.make(NETWORK, X, Y, POINT, layer=layer)


# Scaled by 3 (every activation sign unchanged, the network is homogeneous): the margins grow
# 9-fold (27-fold at depth 3) and L(theta(0)) < l(0) for both losses (exp: 1, logistic: log 2),
# so Theorem 2.1 applies from t = 0. The paper-like GF_INIT has L > 1. That gradient flow
# reaches θ̃ is evidence only here (no exact convergence claim: see docs/convergence.md,
# 'The constructions 4.2(2), 4.3, 5.3, 5.4', for what was tried).
GF_INIT_SCALED = {k: 3 * v for k, v in GF_INIT.items()}


def gf_runs() -> list[dict]:
    return [{"label": "relu", "instance": instance(), "init": dict(GF_INIT_SCALED)}]


def claims():
    inst = instance()
    return [
        kkt_claim(THEOREM, "relu", inst, exact_convergence=NO_EXACT_CONVERGENCE),
        structural_claim(THEOREM, "relu", inst, "weights"),
        curve_claim(THEOREM, "relu", inst, curve()),
    ]
