"""Theorem 4.4: with shared weights (a convolution), non-zero inputs do not save local optimality.

Statement (our words). The convolutional network with two disjoint patches
``Φ(θ; x) = v1 σ(<w, x^(1)>) + v2 σ(<w, x^(2)>)``, ``x^(1) = (x1, x2)``, ``x^(2) = (x3, x4)``,
linear or ReLU, on the single example ``x = (4, 1/√2, -4, 1/√2)``, ``y = 1``. From
``w(0) = (0, 1)``, ``v(0) = (1/√2, 1/√2)`` the symmetry keeps ``w`` on its ray and gradient
flow converges in direction to ``w̃ = (0, 1)``, ``ṽ = (1/√2, 1/√2)``: a KKT point with
``‖θ̃‖² = 2`` whose hidden inputs ``<w̃, x^(j)> = 1/√2`` are both non-zero. It is not a local
optimum: ``w' = (√ε, 1 - ε)``, ``v' = (1/√2 + √ε/2, 1/√2 - √ε/2)`` has margin ``1 + 3ε`` and
norm² ``2 - ε/2 + ε²``.

Convergence, exactly. The mirror symmetry ``(w1, w2, v1, v2) -> (-w1, w2, v2, v1)`` of the
data gives the invariant set ``{w1 = 0, v1 = v2, w2 > 0, v1 > 0}`` through ``θ(0)``: on it
``∂Φ/∂w1 = 4(v1 - v2)σ' = 0``, ``∂Φ/∂v1 = ∂Φ/∂v2 = w2/√2`` and ``dw2/dt``, ``dv1/dt`` are
non-negative polynomials in ``w2, v1``. ``L(θ(0)) < 1`` (margin 1), and θ̃ is the only KKT
point of the cone ``{w1 = 0, v1 = v2, w2 >= 0, v1 >= 0}``: gradient flow reaches θ̃'s direction.
"""

from __future__ import annotations

from sympy import sqrt

from symkkt.claims import convergence_claim, curve_claim, kkt_claim, structural_claim
from symkkt.network import conv_disjoint
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

THEOREM = "4.4"
TITLE = "Convolution with disjoint patches: non-zero inputs, still not a local optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a depth-2 linear or ReLU network in $\mathcal{N}$ parameterized by
$\theta = [w, v]$ with $w, v \in \mathbb{R}^2$, such that for $x \in \mathbb{R}^4$
\[ \Phi(\theta; x) = \sum_{j=1}^2 v_j\, \sigma(\langle w, x^{(j)}\rangle), \qquad
   x^{(1)} = (x_1, x_2),\quad x^{(2)} = (x_3, x_4): \]
a convolutional network with two disjoint patches. Consider minimizing the exponential or the
logistic loss using gradient flow. There exist a dataset $\{(x, y)\}$ of size 1 and an
initialization $\theta(0)$ such that gradient flow converges to zero loss, and converges in
direction to a KKT point $\tilde\theta = [\tilde w, \tilde v]$ of Problem 2 which is not a
local optimum. Moreover, $\langle \tilde w, x^{(j)}\rangle \neq 0$ for $j \in \{1, 2\}$.

\emph{What is certified.} On $x = (4, \tfrac{1}{\sqrt2}, -4, \tfrac{1}{\sqrt2})$, $y = 1$,
from $w(0) = (0, 1)$, $v(0) = (\tfrac{1}{\sqrt2}, \tfrac{1}{\sqrt2})$, the mirror symmetry
keeps $\{w_1 = 0,\ v_1 = v_2\}$ invariant and gradient flow converges in direction to
$\tilde w = (0, 1)$, $\tilde v = (\tfrac{1}{\sqrt2}, \tfrac{1}{\sqrt2})$ with
$\|\tilde\theta\|^2 = 2$ and hidden inputs $\tfrac{1}{\sqrt2} \neq 0$. The curve
$w' = (\sqrt\varepsilon,\, 1 - \varepsilon)$,
$v' = (\tfrac{1}{\sqrt2} + \tfrac{\sqrt\varepsilon}{2},\,
\tfrac{1}{\sqrt2} - \tfrac{\sqrt\varepsilon}{2})$ has margin $1 + 3\varepsilon$ and
$\|\theta'(\varepsilon)\|^2 = 2 - \tfrac{\varepsilon}{2} + \varepsilon^2$.
"""

X = [(4, 1 / sqrt(2), -4, 1 / sqrt(2))]
Y = [1]
POINT = {"w1": 0, "w2": 1, "v1": 1 / sqrt(2), "v2": 1 / sqrt(2)}
CURVE = {"w1": sqrt(eps), "w2": 1 - eps, "v1": 1 / sqrt(2) + sqrt(eps) / 2,
         "v2": 1 / sqrt(2) - sqrt(eps) / 2}
GF_INIT = dict(POINT)
# The flow-invariant set through GF_INIT (checked by the kernel, kind "convergence").
INVARIANT = {"fixed": ["w1"], "equal": [["v1", "v2"]], "positive": ["w2", "v1"]}
# Off θ̃'s ray in the same invariant set (w2 = 2, v1 = v2 = 1: w2² - 2 v1² = 2 is conserved on
# the set, so the direction converges like 1/‖θ‖²). The set is a saddle of the flow: rounding
# errors off it grow with the norm, so this run uses OFF_RAY_DPS digits up to OFF_RAY_NORM.
OFF_RAY_INIT = {"w1": 0, "w2": 2, "v1": 1, "v2": 1}
OFF_RAY_DPS = 250
OFF_RAY_NORM = 1e9


def instance(activation: str) -> Instance:
    return Instance.make(conv_disjoint(2, 2, activation), X, Y, POINT)


def claims():
    out = []
    for act in ("linear", "relu"):
        inst = instance(act)
        out += [kkt_claim(THEOREM, act, inst), curve_claim(THEOREM, act, inst, CURVE, k=2),
                structural_claim(THEOREM, act, inst, "inputs"),
                convergence_claim(THEOREM, act, inst, GF_INIT, **INVARIANT),
                convergence_claim(THEOREM, f"{act}, off-ray", inst, OFF_RAY_INIT, **INVARIANT)]
    return out


def gf_runs():
    """Gradient-flow runs, one per activation, from ``w(0) = (0, 1)``,
    ``v(0) = (1/√2, 1/√2)``."""
    return ([{"label": act, "instance": instance(act), "init": dict(GF_INIT)}
             for act in ("linear", "relu")]
            + [{"label": f"{act}, off-ray", "instance": instance(act),
                "init": dict(OFF_RAY_INIT), "dps": OFF_RAY_DPS, "target_norm": OFF_RAY_NORM}
               for act in ("linear", "relu")])
