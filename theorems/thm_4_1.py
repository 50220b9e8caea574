"""Theorem 4.1: depth-2 diagonal networks (linear and ReLU) may converge to a non-local optimum.

Statement (our words). The depth-2 diagonal network ``Φ(θ; x) = <w1 ∘ w2, x>`` (with σ applied
to ``w1 ∘ x`` for ReLU) on the single example ``x = (1, 2)``, ``y = 1``. From
``w1(0) = w2(0) = (1, 0)`` the second coordinate never moves and gradient flow converges in
direction to ``w̃1 = w̃2 = (1, 0)``, a KKT point of Problem 2 with ``‖θ̃‖² = 2``. It is not a
local optimum: ``w1' = w2' = (√(1-ε), √(ε/2))`` keeps the margin exactly 1 and has norm
``2 - ε``.

Convergence, exactly. The set ``{w1_2 = w2_2 = 0, w1_1 = w2_1 > 0}`` contains ``θ(0)`` and is
invariant under the flow (both losses, both activations): ``∂Φ/∂w1_2 = 2 w2_2``,
``∂Φ/∂w2_2 = 2σ(2 w1_2)`` vanish on it, ``∂Φ/∂w1_1 = ∂Φ/∂w2_1`` there, and ``dw1_1/dt`` is a
multiple of ``w1_1``. ``L(θ(0)) < 1`` (margin 1), so by Theorem 2.1 the direction converges to a
KKT point in the cone ``{w1_2 = w2_2 = 0, w1_1 = w2_1 >= 0}``, whose only KKT point is θ̃.
"""

from __future__ import annotations

from sympy import Rational, sqrt

from symkkt.claims import convergence_claim, curve_claim, kkt_claim
from symkkt.network import diagonal
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

THEOREM = "4.1"
TITLE = "Depth-2 diagonal network: KKT point that is not a local optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a depth-2 linear or ReLU diagonal network parameterized by
$\theta = [w_1, w_2]$, $\Phi(\theta; x) = \langle w_1 \circ w_2, x\rangle$ (with $\sigma$
applied to $w_1 \circ x$ for ReLU). Consider minimizing the exponential or the logistic loss
using gradient flow. There exist a dataset $\{(x, y)\} \subseteq \mathbb{R}^2 \times \{-1, 1\}$
of size 1 and an initialization $\theta(0)$ such that gradient flow converges to zero loss,
and converges in direction to a KKT point $\tilde\theta$ of Problem 2 which is not a local
optimum.

\emph{What is certified.} On $x = (1, 2)$, $y = 1$, from $w_1(0) = w_2(0) = (1, 0)$, the
set $\{w_{1,2} = w_{2,2} = 0,\ w_{1,1} = w_{2,1} > 0\}$ is invariant and gradient flow
converges in direction to $\tilde w_1 = \tilde w_2 = (1, 0)$ with $\|\tilde\theta\|^2 = 2$, a
KKT point. The curve
$w_1'(\varepsilon) = w_2'(\varepsilon) = \bigl(\sqrt{1 - \varepsilon},\, \sqrt{\varepsilon/2}\bigr)$
keeps the margin at exactly 1 and has $\|\theta'(\varepsilon)\|^2 = 2 - \varepsilon$.
"""

X = [(1, 2)]
Y = [1]
POINT = {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0}
CURVE = {"w1_1": sqrt(1 - eps), "w1_2": sqrt(eps / 2),
         "w2_1": sqrt(1 - eps), "w2_2": sqrt(eps / 2)}
GF_INIT = {"w1_1": 1, "w1_2": 0, "w2_1": 1, "w2_2": 0}
# The flow-invariant set through GF_INIT (checked by the kernel, kind "convergence").
INVARIANT = {"fixed": ["w1_2", "w2_2"], "equal": [["w1_1", "w2_1"]], "positive": ["w1_1"]}
# Off θ̃'s ray (unbalanced layers), inside the larger invariant set {w1_2 = w2_2 = 0,
# w1_1, w2_1 > 0}; its cone's only KKT point is θ̃ too (w1_1 = λ w2_1, w2_1 = λ w1_1), so the
# exact claim holds from here and the gradient-flow run exercises the integrator.
OFF_RAY_INIT = {"w1_1": Rational(1, 2), "w1_2": 0, "w2_1": 2, "w2_2": 0}
OFF_RAY_INVARIANT = {"fixed": ["w1_2", "w2_2"], "positive": ["w1_1", "w2_1"]}


def instance(activation: str) -> Instance:
    return Instance.make(diagonal(2, 2, activation), X, Y, POINT)


def claims():
    out = []
    for act in ("linear", "relu"):
        inst = instance(act)
        out += [kkt_claim(THEOREM, act, inst), curve_claim(THEOREM, act, inst, CURVE, k=2),
                convergence_claim(THEOREM, act, inst, GF_INIT, **INVARIANT),
                convergence_claim(THEOREM, f"{act}, off-ray", inst, OFF_RAY_INIT,
                                  **OFF_RAY_INVARIANT)]
    return out


def gf_runs():
    """Gradient-flow runs per activation: from the paper's ``w1(0) = w2(0) = (1, 0)`` (on θ̃'s
    ray: the flow only grows the norm) and from ``OFF_RAY_INIT`` (unbalanced layers: the
    direction has to converge)."""
    return ([{"label": act, "instance": instance(act), "init": dict(GF_INIT)}
             for act in ("linear", "relu")]
            + [{"label": f"{act}, off-ray", "instance": instance(act), "init": dict(OFF_RAY_INIT)}
               for act in ("linear", "relu")])
