"""Theorem 5.1: deep diagonal networks may converge to a non-local optimum, all inputs non-zero.

Statement (our words). For depth ``m >= 3``, the depth-m diagonal network (linear or ReLU) on
``x = (1, 1)``, ``y = 1``. From ``w_j(0) = (1, 1)`` gradient flow converges in direction to
``w̃_j = (2^(-1/m), 2^(-1/m))`` for every layer j, a KKT point with ``‖θ̃‖² = 2m·2^(-2/m)`` whose
hidden inputs are all non-zero. It is not a local optimum: moving every layer to
``w_j' = (((1+ε)/2)^(1/m), ((1-ε)/2)^(1/m))`` keeps the output exactly 1 and changes the norm
to ``m[((1+ε)/2)^(2/m) + ((1-ε)/2)^(2/m)]``, smaller by strict concavity of ``s^(2/m)`` when
``m > 2``.

Convergence, exactly (claim kind ``convergence``, m = 3..8). From ``w_j(0) = (1, 1)`` all
coordinates stay equal (``x = (1, 1)``, all layers equal) and positive, ``L(θ(0)) < 1``
(margin 2), and the only KKT point with all coordinates equal and >= 0 is θ̃: by Theorem 2.1
gradient flow converges in direction to θ̃.

What is certified. For every depth ``m >= 3`` at once, per activation (claim kind
``not-local-all-depths``, kernel kind ``diagonal-family``): the balanced point with products
``c = (1/2, 1/2)`` (every layer ``(c_k^(1/m))_k``) is a KKT point with
``λ(m) = 2^(1-2/m)``, and the curve with products ``u(ε) = ((1+ε)/2, (1-ε)/2)`` stays feasible,
tends to it, and has strictly smaller norm for every ``ε`` in ``(0, 1/2]``: by the kernel's
balanced-network lemma (``Φ = Σ_k u_k x_k``, ``‖θ‖² = m Σ_k u_k^(2/m)``, every ReLU input
positive) and Jensen for the strictly concave ``t^(2/m)``, with the leading term
``((2-m)/m)·2^(1-2/m)·ε²`` computed for symbolic m. Besides, per depth m = 3..8 exactly (ε0
proven per m): KKT, not a local optimum, every hidden input non-zero; and the boundary m = 2,
where ``s^(2/m) = s`` is linear: the same curve keeps the norm exactly constant (no decrease).
"""

from __future__ import annotations

from sympy import Integer, Rational

from symkkt.claims import convergence_claim, curve_claim, kkt_claim, structural_claim
from symkkt.family import family_claim
from symkkt.network import diagonal
from symkkt.perturb import EPSILON as eps
from symkkt.problems import Instance

THEOREM = "5.1"
TITLE = "Deep diagonal networks: non-zero inputs, still not a local optimum"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""Let $m \geq 3$ and let $\Phi$ be a depth-$m$ linear or ReLU diagonal network parameterized by
$\theta$. Consider minimizing the exponential or the logistic loss using gradient flow. There
exist a dataset $\{(x, y)\} \subseteq \mathbb{R}^2 \times \{-1, 1\}$ of size 1 and an
initialization $\theta(0)$ such that gradient flow converges to zero loss, and converges in
direction to a KKT point $\tilde\theta$ of Problem 2 which is not a local optimum. Moreover,
all inputs to neurons in the computation $\Phi(\tilde\theta; x)$ are non-zero.

\emph{What is certified.} On $x = (1, 1)$, $y = 1$, from $w_j(0) = (1, 1)$ every layer
converges in direction to $\tilde w_j = (2^{-1/m}, 2^{-1/m})$, a KKT point with
$\|\tilde\theta\|^2 = 2m \cdot 2^{-2/m}$ and multiplier $\lambda(m) = 2^{1-2/m}$. Moving every
layer to
\[ w_j'(\varepsilon) = \Bigl(\bigl(\tfrac{1+\varepsilon}{2}\bigr)^{1/m},\,
   \bigl(\tfrac{1-\varepsilon}{2}\bigr)^{1/m}\Bigr) \]
keeps the output at exactly 1 and gives
$\|\theta'(\varepsilon)\|^2 = m\bigl[\bigl(\tfrac{1+\varepsilon}{2}\bigr)^{2/m}
+ \bigl(\tfrac{1-\varepsilon}{2}\bigr)^{2/m}\bigr] < \|\tilde\theta\|^2$ by strict concavity
of $s \mapsto s^{2/m}$ for $m > 2$. This is certified for every $m \geq 3$ at once, and per
depth $m = 3, \ldots, 8$ exactly; at $m = 2$ the same curve keeps the norm constant.
"""

DEPTHS = tuple(range(3, 9))
X = [(1, 1)]
Y = [1]


def point(m: int) -> dict:
    c = Integer(2) ** Rational(-1, m)
    return {f"w{l}_{k}": c for l in range(1, m + 1) for k in (1, 2)}


def curve(m: int) -> dict:
    a = ((1 + eps) / 2) ** Rational(1, m)
    b = ((1 - eps) / 2) ** Rational(1, m)
    return {f"w{l}_{k}": (a if k == 1 else b) for l in range(1, m + 1) for k in (1, 2)}


PRODUCTS = (Rational(1, 2), Rational(1, 2))
"""Every layer of the KKT point is ``(c_1^(1/m), c_2^(1/m))``: the products, free of m."""


def products_curve() -> tuple:
    """The products ``u_k(ε)`` of the curve (every layer ``(u_1^(1/m), u_2^(1/m))``)."""
    return ((1 + eps) / 2, (1 - eps) / 2)


def gf_init(m: int) -> dict:
    return {f"w{l}_{k}": Integer(1) for l in range(1, m + 1) for k in (1, 2)}


def invariant(m: int) -> dict:
    """The flow-invariant set through ``gf_init(m)``: every coordinate equal (``x = (1, 1)``
    and all layers equal), and positive (``dw/dt`` is a multiple of ``w^(m-1)``)."""
    return {"equal": [[f"w{l}_{k}" for l in range(1, m + 1) for k in (1, 2)]],
            "positive": ["w1_1"]}


OFF_RAY_DEPTHS = (3, 4)
"""Depths with an off-ray convergence claim (and, at m = 3, a gradient-flow run)."""
OFF_RAY_SCALES = (Integer(1), Rational(1, 2), Integer(2), Rational(3, 2))


def off_ray_init(m: int) -> dict:
    """Layer l is ``(c_l, c_l)`` with unequal ``c_l`` (``OFF_RAY_SCALES``, cycled): off θ̃'s ray,
    inside the invariant set ``off_ray_invariant(m)``."""
    return {f"w{l}_{k}": OFF_RAY_SCALES[(l - 1) % len(OFF_RAY_SCALES)]
            for l in range(1, m + 1) for k in (1, 2)}


def off_ray_invariant(m: int) -> dict:
    """Each layer keeps its two coordinates equal (the data ``x = (1, 1)`` is symmetric) and
    positive; the cone's only KKT point is θ̃ (balancedness makes every layer equal)."""
    return {"equal": [[f"w{l}_1", f"w{l}_2"] for l in range(1, m + 1)],
            "positive": [f"w{l}_1" for l in range(1, m + 1)]}


def instance(activation: str, m: int) -> Instance:
    return Instance.make(diagonal(2, m, activation), X, Y, point(m))


def claims(depths=DEPTHS):
    out = []
    for act in ("linear", "relu"):
        for m in depths:
            inst = instance(act, m)
            label = f"{act}, m={m}"
            out += [kkt_claim(THEOREM, label, inst, m=m),
                    curve_claim(THEOREM, label, inst, curve(m), m=m),
                    structural_claim(THEOREM, label, inst, "inputs", m=m),
                    convergence_claim(THEOREM, label, inst, gf_init(m), **invariant(m), m=m)]
            if m in OFF_RAY_DEPTHS:
                out.append(convergence_claim(THEOREM, f"{label}, off-ray", inst,
                                             off_ray_init(m), **off_ray_invariant(m), m=m))
        inst2 = instance(act, 2)
        out.append(curve_claim(THEOREM, f"{act}, m=2", inst2, curve(2), no_decrease=True, m=2))
        out.append(family_claim(THEOREM, f"{act}, all depths", act, X[0], Y[0], PRODUCTS,
                                products_curve(), depth_min=3))
    return out


def gf_runs(depths=(3,)):
    """Gradient-flow runs from ``w_j(0) = (1, 1)``, per activation and depth (default m = 3;
    the claims of other depths get no run)."""
    return ([{"label": f"{act}, m={m}", "instance": instance(act, m), "init": gf_init(m)}
             for act in ("linear", "relu") for m in depths]
            + [{"label": f"{act}, m={m}, off-ray", "instance": instance(act, m),
                "init": off_ray_init(m)}
               for act in ("linear", "relu") for m in depths if m in OFF_RAY_DEPTHS])
