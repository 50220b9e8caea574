"""Non-homogeneous networks: the normalized margin may strictly decrease along gradient flow.

Statement (our words; the first version of the paper's abstract answers this question of Lyu
and Li 2019). For homogeneous networks, once ``L(θ) < ℓ(0)`` the normalized margin does not
decrease along gradient flow. Without homogeneity it may: take the sum of a depth-2 path and a
depth-1 path,

    Φ(θ; x) = a b x + c x,        θ = (a, b, c),

a polynomial of top degree ``L = 2`` in θ (an output bias behaves the same way: a path of
another length), the single example ``x = 1``, ``y = 1``, and ``θ(0) = (1, 1/2, 1)``, where the
margin is ``3/2`` and ``L(θ(0)) = e^{-3/2} < 1`` (logistic: ``log(1 + e^{-3/2}) < log 2``). The
normalized margin ``γ(θ) = min_i y_i Φ(θ; x_i) / ‖θ‖^L`` strictly decreases on an explicit
interval ``[0, T]`` of gradient flow, for both losses: at ``t = 0``

    dγ/dt = ∇γ · (-∇L) = e^{-q} (N ‖∇q‖² − 2 q θ·∇q) / N²

(``q = ab + c``, ``N = ‖θ‖²``; the kernel computes it exactly: ``−5 e^{-3/2}/27`` for the
exponential loss, ``−5/(27 (1 + e^{3/2}))`` for the logistic loss), and the kernel (kind ``margin-decreases``) proves ``dγ/dt < 0``
on a box around ``θ(0)`` that the flow cannot leave before ``T`` (validated interval
arithmetic).

Why the top degree: ``γ`` is then invariant, to leading order, under ``θ → αθ`` for large
``α`` (the regime where Lyu and Li's monotonicity is stated); the depth-1 path ``c x`` grows
only linearly with ``α`` while ``‖θ‖²`` grows quadratically, so the flow, which first mostly
pushes ``c`` (its gradient is 1), lowers ``γ``.

Contrast: the homogeneous network ``Φ = a b x`` from ``(a, b) = (1, 1/2)`` has ``dγ/dt > 0``
at ``t = 0``; the same kind of certificate is then *refuted* by the kernel (the margin
strictly increases at first), in line with Lyu and Li's theorem.
"""

from __future__ import annotations

import sympy
from sympy import Rational

from symkkt.nonhom import PolynomialModel, margin_claim, normalized_margin_flow

THEOREM = "NH"
TITLE = "Non-homogeneous network: the normalized margin strictly decreases"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""
For homogeneous networks, once $\mathcal{L}(\theta) < \ell(0)$ the normalized margin does not
decrease along gradient flow (Lyu and Li). Without homogeneity it may. Take the sum of a
depth-2 path and a depth-1 path,
\[ \Phi(\theta; x) = a b x + c x, \qquad \theta = (a, b, c), \]
of top degree $L = 2$ in $\theta$, the single example $x = 1$, $y = 1$, and
$\theta(0) = (1, \tfrac12, 1)$, where the margin is $\tfrac32$ and
$\mathcal{L}(\theta(0)) = e^{-3/2} < 1$. Then the normalized margin
$\gamma(\theta) = \min_i y_i \Phi(\theta; x_i) / \|\theta\|^L$ strictly decreases on an
explicit interval $[0, T]$ of gradient flow, for the exponential and the logistic loss: at
$t = 0$, with $q = ab + c$ and $N = \|\theta\|^2$,
\[ \frac{d\gamma}{dt} = e^{-q}\, \frac{N \|\nabla q\|^2 - 2 q\, \theta \cdot \nabla q}{N^2}
   = -\frac{5}{27} e^{-3/2} \quad \text{(exponential loss)}, \]
and the kernel (kind \emph{margin-decreases}) proves $d\gamma/dt < 0$ on a box around
$\theta(0)$ that the flow cannot leave before $T$. For the homogeneous network
$\Phi = a b x$ from $(a, b) = (1, \tfrac12)$ the same certificate is refuted: the margin
increases at first, in line with Lyu and Li's theorem.
"""

_a, _b, _c, _x = (sympy.Symbol(n, real=True) for n in ("a", "b", "c", "x"))
OUTPUT = _a * _b * _x + _c * _x
X = [(1,)]
Y = [1]
INIT = {"a": Rational(1), "b": Rational(1, 2), "c": Rational(1)}
HOMOGENEOUS_OUTPUT = _a * _b * _x
HOMOGENEOUS_INIT = {"a": Rational(1), "b": Rational(1, 2)}


def model() -> PolynomialModel:
    return PolynomialModel(("a", "b", "c"), ("x",), OUTPUT, tuple(map(tuple, X)), tuple(Y),
                           dict(INIT), degree=2)


def homogeneous_model() -> PolynomialModel:
    """The same data without the depth-1 path: 2-homogeneous, γ does not decrease."""
    return PolynomialModel(("a", "b"), ("x",), HOMOGENEOUS_OUTPUT, tuple(map(tuple, X)),
                           tuple(Y), dict(HOMOGENEOUS_INIT), degree=2)


def claims():
    return [margin_claim(THEOREM, "paths", model(), depths="paths of depth 2 and 1")]


def margin_runs(t_end: float = 2.0, dps: int = 30) -> dict:
    """γ(t) along the flow (exponential loss) for the model and its homogeneous contrast."""
    return {"non-homogeneous": normalized_margin_flow(model(), "exp", t_end, dps=dps),
            "homogeneous": normalized_margin_flow(homogeneous_model(), "exp", t_end, dps=dps)}


def gf_runs():
    """Evidence for ``symkkt verify``: γ(t) on [0, 2] (exponential loss), next to the contrast."""
    def evidence(dps: int) -> dict:
        runs = margin_runs(dps=dps)
        nh, hom = runs["non-homogeneous"], runs["homogeneous"]
        return {"loss": "exp", "t_end": nh["t"][-1],
                "normalized_margin": {"start": nh["gamma_start"], "end": nh["gamma_end"],
                                      "decreasing_until": nh["decreasing_until"]},
                "homogeneous_contrast": {"start": hom["gamma_start"], "end": hom["gamma_end"]}}

    return [{"label": "paths", "init": dict(INIT), "evidence": evidence}]
