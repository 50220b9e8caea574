"""Hypothesis strategies for symkkt's objects.

Exact numbers (sympy rationals and simple algebraic numbers), networks of class N (fully
connected, diagonal, convolutional, and random sparsity/sharing patterns), datasets that the
network separates (labels ±1), points, feasible points, initializations meeting Theorem 3.2's
hypotheses, and ε values in ``(0, ε0]``. Every strategy draws integers and fractions only, so
hypothesis shrinks toward small numerators, small denominators and small networks. The
number strategies are cached (building a hypothesis strategy is not free and the mutations
ask for the same ones thousands of times).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Sequence

import sympy
from hypothesis import assume
from hypothesis import strategies as st
from sympy import Integer, Rational

from ..kernel.exact import sign
from ..network import Network, conv_disjoint, diagonal, fully_connected

__all__ = [
    "rationals", "positive_rationals", "algebraics", "exact_numbers", "activations",
    "fully_connected_networks", "diagonal_networks", "conv_networks", "patterned_networks",
    "networks", "separable_data", "points", "feasible_scale", "init_3_2", "epsilons",
    "small_perturbations", "to_rational",
]

SQUAREFREE = (2, 3, 5, 6, 7)


def to_rational(f: Fraction) -> sympy.Rational:
    return Rational(f.numerator, f.denominator)


@lru_cache(maxsize=None)
def rationals(min_value=-3, max_value=3, max_denominator: int = 8, nonzero: bool = False):
    """Exact rationals in ``[min_value, max_value]`` (shrinking toward 0, then small denominators)."""
    s = st.fractions(Fraction(min_value), Fraction(max_value),
                     max_denominator=max_denominator).map(to_rational)
    return s.filter(lambda r: r != 0) if nonzero else s


@lru_cache(maxsize=None)
def positive_rationals(max_value=3, max_denominator: int = 8, min_value=0):
    """Exact rationals in ``(min_value, max_value]``."""
    return (st.fractions(Fraction(min_value), Fraction(max_value), max_denominator=max_denominator)
            .filter(lambda f: f > min_value).map(to_rational))


@lru_cache(maxsize=None)
def algebraics(max_value=3, max_denominator: int = 6):
    """Simple algebraic numbers: ``a + b·sqrt(s)`` (s square-free) and ``r**(1/k)`` (r > 0)."""
    quad = st.builds(lambda a, b, s: a + b * sympy.sqrt(s),
                     rationals(-max_value, max_value, max_denominator),
                     rationals(-2, 2, 4, nonzero=True), st.sampled_from(SQUAREFREE))
    root = st.builds(lambda r, k, s: s * r ** Rational(1, k),
                     positive_rationals(max_value, max_denominator), st.integers(2, 4),
                     st.sampled_from((1, -1)))
    return st.one_of(quad, root)


@lru_cache(maxsize=None)
def exact_numbers(max_value=3, max_denominator: int = 8):
    """Mostly rationals, sometimes a simple algebraic number."""
    return st.one_of(rationals(-max_value, max_value, max_denominator),
                     algebraics(max_value, max_denominator))


activations = st.sampled_from(("linear", "relu"))


@st.composite
def fully_connected_networks(draw, activation=None, max_dim: int = 3, max_depth: int = 3):
    act = activation or draw(activations)
    depth = draw(st.integers(2, max_depth))
    widths = [draw(st.integers(1, max_dim)) for _ in range(depth)]
    return fully_connected(widths, act)


@st.composite
def diagonal_networks(draw, activation=None, max_dim: int = 3, max_depth: int = 4):
    act = activation or draw(activations)
    return diagonal(draw(st.integers(1, max_dim)), draw(st.integers(2, max_depth)), act)


@st.composite
def conv_networks(draw, activation=None):
    act = activation or draw(activations)
    return conv_disjoint(draw(st.integers(1, 2)), draw(st.integers(1, 3)), act)


@st.composite
def patterned_networks(draw, activation=None, max_dim: int = 3, max_depth: int = 3):
    """Random sparsity and sharing: each entry is 0 or a name from a small per-layer pool."""
    act = activation or draw(activations)
    depth = draw(st.integers(2, max_depth))
    dims = [draw(st.integers(1, max_dim)) for _ in range(depth)] + [1]
    layers = []
    for l in range(1, depth + 1):
        rows, cols = dims[l], dims[l - 1]
        pool = draw(st.integers(1, rows * cols))
        entry = st.one_of(st.none(), st.integers(1, pool).map(lambda k, l=l: f"a{l}_{k}"))
        layer = tuple(tuple(draw(entry) for _ in range(cols)) for _ in range(rows))
        # every layer needs a parameter, or Φ is identically 0
        assume(any(n is not None for row in layer for n in row))
        layers.append(layer)
    return Network(act, tuple(layers))


def networks(activation=None):
    """Any network of class N from the builders and random patterns (small)."""
    return st.one_of(fully_connected_networks(activation), diagonal_networks(activation),
                     conv_networks(activation), patterned_networks(activation))


@st.composite
def points(draw, net: Network, values=None, nonzero: bool = False):
    """A point: every parameter of ``net`` -> an exact number."""
    v = values if values is not None else (rationals(-2, 2, 4, nonzero=True) if nonzero
                                          else exact_numbers(2, 4))
    return {p: draw(v) for p in net.params}


@st.composite
def separable_data(draw, net: Network, max_samples: int = 4, theta=None):
    """``(X, Y, θ0)``: inputs, labels ±1 and a point ``θ0`` with ``y_i Φ(θ0; x_i) > 0``.

    The labels are the signs of a random network of the class, so the data is separable *by
    this network* (after scaling θ0, see :func:`feasible_scale`); inputs with ``Φ = 0`` are
    dropped.
    """
    theta0 = theta or draw(points(net, rationals(-2, 2, 3, nonzero=True)))
    n = draw(st.integers(1, max_samples))
    X, Y = [], []
    for _ in range(n):
        x = [draw(rationals(-2, 2, 4)) for _ in range(net.input_dim)]
        s = sign(net.output(theta0, x))
        if s != 0:
            X.append(x)
            Y.append(s)
    assume(X)
    return X, Y, theta0


def feasible_scale(net: Network, theta: dict, X, Y) -> sympy.Rational:
    """The least positive integer c with ``y_i Φ(c θ; x_i) >= 1`` for all i (θ must separate)."""
    m = min(Y[i] * net.output(theta, x) for i, x in enumerate(X))
    c = 1
    while sign(Integer(c) ** net.depth * m - 1) < 0:
        c *= 2
    lo, hi = c // 2, c
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sign(Integer(mid) ** net.depth * m - 1) >= 0:
            hi = mid
        else:
            lo = mid
    return Integer(hi)


@st.composite
def init_3_2(draw, X: Sequence[Sequence] = ((1, Rational(1, 4)), (-1, Rational(1, 4)))):
    """An initialization meeting Theorem 3.2's hypotheses for inputs ``X`` (both with second
    coordinate > 0): ``<w1, x_i> > 0``, ``<w2, x_i> < 0`` for every i, and ``v1 > 0``.

    Built exactly: ``w = (a, b)`` with ``b`` beyond the largest ``|a x_i1| / x_i2`` bound.
    """
    assert all(x[1] > 0 for x in X), "the construction needs x_i2 > 0"

    def neuron(s):
        a = draw(rationals(-2, 2, 4))
        bound = max(abs(a * x[0]) / x[1] for x in X)  # need s*b*x2 > |a x1|
        b = s * (bound + draw(positive_rationals(2, 4)))
        return a, b

    a1, b1 = neuron(1)
    a2, b2 = neuron(-1)
    v1 = draw(positive_rationals(2, 4))
    v2 = draw(rationals(-2, 2, 4))
    return {"w1_1": a1, "w1_2": b1, "w2_1": a2, "w2_2": b2, "v1": v1, "v2": v2}


@lru_cache(maxsize=None)
def epsilons(eps0: sympy.Rational):
    """Exact rationals in ``(0, eps0]``: ``eps0`` itself, ``eps0·p/q``, and ``eps0/2^j``."""
    return st.one_of(
        st.just(eps0),
        st.fractions(Fraction(0), Fraction(1), max_denominator=10 ** 6)
        .filter(lambda f: f > 0).map(lambda f: eps0 * to_rational(f)),
        st.integers(1, 80).map(lambda j: eps0 / Integer(2) ** j),
    )


@lru_cache(maxsize=None)
def small_perturbations(bound=Rational(1, 16), max_denominator: int = 64):
    """Exact rationals in ``[-bound, bound]``."""
    return st.fractions(-Fraction(bound.p, bound.q), Fraction(bound.p, bound.q),
                        max_denominator=max_denominator).map(to_rational)
