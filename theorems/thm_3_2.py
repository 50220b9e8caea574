"""Theorem 3.2: depth-2 fully-connected ReLU networks may converge to a non-local optimum.

Statement (our words). Take the ReLU network ``Φ(θ; x) = v1 σ(<w1, x>) + v2 σ(<w2, x>)`` on
``R^2``, the data ``x1 = (1, 1/4)``, ``x2 = (-1, 1/4)`` with ``y1 = y2 = 1``. If the
initialization has ``<w1(0), x_i> > 0``, ``<w2(0), x_i> < 0`` for both i and ``v1(0) > 0``,
gradient flow converges in direction to ``θ̃``: ``w̃1 = (0, 2)``, ``ṽ1 = 2``, ``w̃2 = 0``,
``ṽ2 = 0``. This point is a KKT point of Problem 2 (the multipliers are derived, not typed
in) but not a local optimum: switching on the idle second neuron lowers the norm.

Our curve (the paper only says "slightly change w1, w2 and v2"): for ε > 0,
``w1' = (ε/4, 2 - ε)``, ``v1' = 2``, ``w2' = (-√ε, 0)``, ``v2' = √ε``. Neuron 1 then gives
``x1`` exactly margin 1 and ``x2`` margin ``1 - ε``, neuron 2 is active on ``x2`` only and
adds ``ε``; the norm is ``8 - 2ε + 17ε²/16``. With ``ε = t²`` everything is polynomial.

Convergence, exactly. While ``<w2, x_i> < 0`` for both inputs, Φ does not depend on ``w2, v2``
near θ, so every solution of the (Clarke) flow keeps ``w2, v2`` at their initial values: the
set ``{w2 = w2(0), v2 = v2(0)}`` is invariant and the limit direction has ``w2 = 0, v2 = 0``.
The only KKT point of Problem 2 with ``w2 = 0, v2 = 0`` is θ̃ (a point ``w1 = (0, -2)``,
``v1 = -2`` solves the smooth piece's equations but switches neuron 1 off). Theorem 2.1 needs
``L(θ(t0)) < 1`` for some ``t0``; the paper proves that every initialization meeting the
hypotheses gets there (its appendix, not reproduced), we check it exactly at ``t0 = 0`` for
``CONVERGENCE_INIT``, which meets the hypotheses and has margins ``6/5`` and ``4/5``.
"""

from __future__ import annotations

import sympy
from sympy import Rational, sqrt

from symkkt.claims import convergence_claim, curve_claim, kkt_claim
from symkkt.network import fully_connected
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

THEOREM = "3.2"
TITLE = "Depth-2 fully-connected ReLU: KKT point that is not a local optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $\Phi$ be a depth-2 fully-connected ReLU network with input dimension 2 and two hidden
neurons: for $\theta = [w_1, w_2, v]$ and $x \in \mathbb{R}^2$,
\[ \Phi(\theta; x) = v_1\, \sigma(\langle w_1, x\rangle) + v_2\, \sigma(\langle w_2, x\rangle),
   \qquad \sigma(z) = \max(z, 0). \]
Consider minimizing the exponential or the logistic loss using gradient flow on the dataset
$x_1 = (1, \tfrac14)$, $x_2 = (-1, \tfrac14)$, $y_1 = y_2 = 1$. Assume that the
initialization satisfies $\langle w_1(0), x_i\rangle > 0$ and $\langle w_2(0), x_i\rangle < 0$
for $i \in \{1, 2\}$, and $v_1(0) > 0$. Then gradient flow converges to zero loss, and
converges in direction to a KKT point of Problem 2 which is not a local optimum.

\emph{What is certified.} The limit is $\tilde w_1 = (0, 2)$, $\tilde v_1 = 2$,
$\tilde w_2 = 0$, $\tilde v_2 = 0$ with $\|\tilde\theta\|^2 = 8$: a KKT point (multipliers
derived by the search), and not a local optimum along the curve
\[ w_1'(\varepsilon) = \bigl(\tfrac{\varepsilon}{4},\, 2 - \varepsilon\bigr),\quad
   v_1' = 2,\quad w_2'(\varepsilon) = (-\sqrt{\varepsilon},\, 0),\quad
   v_2'(\varepsilon) = \sqrt{\varepsilon}, \]
which keeps both margins at least 1 and has
$\|\theta'(\varepsilon)\|^2 = 8 - 2\varepsilon + \tfrac{17}{16}\varepsilon^2 < 8$ for small
$\varepsilon > 0$. The set $\{w_2 = w_2(0),\ v_2 = v_2(0)\}$ is invariant while the second
neuron is inactive on both inputs, and $\tilde\theta$ is the only KKT point on its cone: gradient
flow converges in direction to $\tilde\theta$. The global optimum $\theta^*$ (one neuron per
input) has $\|\theta^*\|^2 = 16/\sqrt{17}$.
"""

NETWORK = fully_connected([2, 2], "relu")
X = [(1, Rational(1, 4)), (-1, Rational(1, 4))]
Y = [1, 1]
POINT = {"w1_1": 0, "w1_2": 2, "w2_1": 0, "w2_2": 0, "v1": 2, "v2": 0}

CURVE = {"w1_1": eps / 4, "w1_2": 2 - eps, "w2_1": -sqrt(eps), "w2_2": sympy.Integer(0),
         "v1": sympy.Integer(2), "v2": sqrt(eps)}

# Gradient-flow initialization meeting the hypotheses: <w1, x_i> > 0, <w2, x_i> < 0, v1 > 0.
GF_INIT = {"w1_1": Rational(1, 10), "w1_2": 1, "w2_1": Rational(1, 10), "w2_2": -1,
           "v1": Rational(1, 2), "v2": Rational(3, 10)}
# An initialization meeting the hypotheses with L(θ(0)) < 1 for both losses, so Theorem 2.1
# applies from t = 0 (the exact "convergence" claim starts here).
CONVERGENCE_INIT = {"w1_1": Rational(1, 10), "w1_2": 2, "w2_1": Rational(1, 10), "w2_2": -1,
                    "v1": 2, "v2": Rational(3, 10)}


def instance() -> Instance:
    return Instance.make(NETWORK, X, Y, POINT)


def claims():
    from symkkt.optimum import optimum_value_claim

    inst = instance()
    return [
        kkt_claim(THEOREM, "relu", inst),
        curve_claim(THEOREM, "relu", inst, CURVE, k=2),
        # The certified global optimum of this dataset (computed by activation-pattern
        # search, not typed in): each neuron serves one input, |theta*|^2 = 16/sqrt(17); the
        # values also give the ratio |theta~|^2/|theta*|^2 = sqrt(17)/2.
        optimum_value_claim(THEOREM, "relu", inst),
        convergence_claim(THEOREM, "relu", inst, CONVERGENCE_INIT, fixed=("w2_1", "w2_2", "v2")),
    ]


# ---------------------------------------------------------------- gradient flow (evidence)


def init_meets_hypotheses(init) -> bool:
    """Theorem 3.2's hypotheses on θ(0), decided exactly: ``<w1(0), x_i> > 0`` and
    ``<w2(0), x_i> < 0`` for both inputs, and ``v1(0) > 0``. Values: ints, Fractions or
    sympy numbers; a missing parameter is an :class:`~symkkt.errors.InputError`."""
    from symkkt.errors import InputError
    from symkkt.kernel.exact import sign
    from symkkt.problems import exact

    missing = [p for p in ("w1_1", "w1_2", "w2_1", "w2_2", "v1") if p not in init]
    if missing:
        raise InputError(f"init is missing parameter(s) {', '.join(missing)}")
    w1 = (exact(init["w1_1"]), exact(init["w1_2"]))
    w2 = (exact(init["w2_1"]), exact(init["w2_2"]))
    for x in X:
        xe = [exact(v) for v in x]
        if sign(w1[0] * xe[0] + w1[1] * xe[1]) <= 0:
            return False
        if sign(w2[0] * xe[0] + w2[1] * xe[1]) >= 0:
            return False
    return sign(exact(init["v1"])) > 0


HYPOTHESES = "<w1(0), x_i> > 0 and <w2(0), x_i> < 0 for i = 1, 2, and v1(0) > 0"


def gf_runs():
    """Gradient-flow runs backing the claims labelled ``"relu"``: ``GF_INIT`` meets the
    hypotheses; the flow's limit direction should be the KKT point of :func:`instance`."""
    return [{"label": "relu", "instance": instance(), "init": dict(GF_INIT)}]
