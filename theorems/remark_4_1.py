"""Remark 4.1: margin maximization in predictor space (ℓ1) for depth-2 diagonal linear networks.

Statement (our words). A depth-2 diagonal linear network computes ``x -> <β, x>`` with
``β = w1 ∘ w2``, and ``‖θ‖² = ‖w1‖² + ‖w2‖² >= 2 Σ_k |w1_k w2_k| = 2‖β‖₁`` with equality when
balanced: a global optimum of Problem 2 gives an optimum of Problem 3,
``min ‖β‖₁ s.t. y_i <β, x_i> >= 1`` (Gunasekar et al.). Two consequences, both certified here:

1. Theorem 4.1 carries over to predictor space. Its KKT point ``w̃1 = w̃2 = (1, 0)`` on
   ``x = (1, 2)`` has ``β̃ = (1, 0)``, ``‖β̃‖₁ = 1``, but ``β* = (0, 1/2)`` is feasible
   (``<β*, x> = 1``) with ``‖β*‖₁ = 1/2``: β̃ is not ℓ1-optimal (kind ``l1-better``, β* found by
   an LP and solved exactly). β* itself is ℓ1-optimal: the LP dual ``μ = 1/2`` has
   ``‖μ x‖_∞ = 1`` and ``Σμ = 1/2`` (kind ``l1-optimal``, on the balanced point
   ``w1 = w2 = (0, 1/√2)`` whose predictor is β*).
2. With non-zero weight vectors (Theorem 4.2(1)) the predictor is ℓ1-optimal. On
   ``x1 = (2, 1)``, ``x2 = (1, 2)`` (``y = 1``) the point ``w1 = w2 = (1/√3, 1/√3)`` is a KKT
   point (multipliers derived: ``λ = (1/3, 1/3)``) whose hidden neurons all have non-zero
   incoming weights; ``β̃ = (1/3, 1/3)``, and the KKT multipliers are an exact LP dual:
   ``Σ_i λ_i x_i = (1, 1)``, so ``‖Σ λ_i x_i‖_∞ = 1`` and ``Σλ = 2/3 = ‖β̃‖₁``. (Why in general:
   stationarity ``w1_k = w2_k Σ_i λ_i y_i x_ik`` and ``w2_k = w1_k Σ_i λ_i y_i x_ik`` force
   ``Σ_i λ_i y_i x_ik = sign(β_k)`` at every coordinate with non-zero weights.)
"""

from __future__ import annotations

from sympy import Rational, sqrt

from symkkt.claims import kkt_claim, structural_claim
from symkkt.network import diagonal
from symkkt.predictor import l1_better_claim, l1_optimal_claim
from symkkt.problems import Instance

from . import thm_4_1

THEOREM = "R4.1"
TITLE = "Remark 4.1: predictor space (l1) for depth-2 diagonal linear networks"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""\emph{Predictor space for diagonal linear networks.} A depth-2 diagonal linear network
computes $x \mapsto \langle \beta, x\rangle$ with $\beta = w_1 \circ w_2$, and
$\|\theta\|^2 \geq 2\|\beta\|_1$ with equality when balanced, so a global optimum of Problem 2
gives an optimum of Problem 3,
\[ \min_\beta \|\beta\|_1 \quad \text{s.t.} \quad y_i\langle \beta, x_i\rangle \geq 1
   \ \text{ for all } i \in [n]. \]
Theorem 4.1 carries over to predictor space: gradient flow may converge to a KKT point whose
predictor $\tilde\beta$ is not an optimum of Problem 3. With non-zero weight vectors
(Theorem 4.2(1)) the predictor is a global optimum of Problem 3.

\emph{What is certified.} On $x = (1, 2)$: $\tilde\beta = (1, 0)$ with
$\|\tilde\beta\|_1 = 1$, while $\beta^* = (0, \tfrac12)$ is feasible with
$\|\beta^*\|_1 = \tfrac12$ and is $\ell_1$-optimal (dual $\mu = \tfrac12$). On
$x_1 = (2, 1)$, $x_2 = (1, 2)$ the KKT point $w_1 = w_2 = (\tfrac{1}{\sqrt3},
\tfrac{1}{\sqrt3})$ has $\tilde\beta = (\tfrac13, \tfrac13)$, and its multipliers are an exact
dual: $\bigl\|\sum_i \lambda_i x_i\bigr\|_\infty = 1$ and
$\sum_i \lambda_i = \tfrac23 = \|\tilde\beta\|_1$.
"""

NONZERO_X = [(2, 1), (1, 2)]
NONZERO_Y = [1, 1]
NONZERO_POINT = {"w1_1": 1 / sqrt(3), "w1_2": 1 / sqrt(3), "w2_1": 1 / sqrt(3),
                 "w2_2": 1 / sqrt(3)}
OPTIMUM_41 = {"w1_1": 0, "w1_2": 1 / sqrt(2), "w2_1": 0, "w2_2": 1 / sqrt(2)}


def instance_41() -> Instance:
    """Theorem 4.1's KKT point, linear network."""
    return thm_4_1.instance("linear")


def instance_41_optimum() -> Instance:
    return Instance.make(diagonal(2, 2, "linear"), thm_4_1.X, thm_4_1.Y, OPTIMUM_41)


def instance_nonzero() -> Instance:
    return Instance.make(diagonal(2, 2, "linear"), NONZERO_X, NONZERO_Y, NONZERO_POINT)


def claims():
    inst = instance_41()
    opt = instance_41_optimum()
    nz = instance_nonzero()
    return [
        l1_better_claim(THEOREM, "4.1 point", inst),
        l1_optimal_claim(THEOREM, "4.1 optimum", opt, dual=[Rational(1, 2)]),
        kkt_claim(THEOREM, "non-zero weights", nz),
        structural_claim(THEOREM, "non-zero weights", nz, "weights"),
        l1_optimal_claim(THEOREM, "non-zero weights", nz),
    ]
