"""Networks of class N as the kernel sees them: weight patterns, exact evaluation, pieces.

A network is a list of layers, input to output; each layer is a matrix whose entries are
``None`` (a structural zero) or a parameter name; the same name twice in one layer is a shared
weight. Hidden layers apply the activation (``"linear"`` or ``"relu"``), the last layer has a
single row and no activation. Φ is then homogeneous of degree = depth in the parameters.

A *piece* of a ReLU network at an input ``x`` is an activation pattern: per hidden layer, per
neuron, 1 (the neuron passes its input) or 0 (it outputs 0). With the pattern fixed, Φ is a
polynomial in the parameters; the Clarke subdifferential at θ is the convex hull of the
gradients of the pieces whose open region has θ in its closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Sequence

import sympy

from ..errors import InputError
from .exact import sign

__all__ = ["NetSpec", "Pattern"]

Pattern = tuple[tuple[int, ...], ...]
"""Per hidden layer, per neuron: 1 = active (passes its input), 0 = inactive (outputs 0)."""

ACTIVATIONS = ("linear", "relu")


@dataclass(frozen=True)
class NetSpec:
    """The weight-sharing pattern of a network in N, plus its activation."""

    activation: str
    layers: tuple[tuple[tuple[str | None, ...], ...], ...]

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise InputError(f"activation={self.activation!r} must be one of {ACTIVATIONS}")
        if len(self.layers) < 1:
            raise InputError("a network needs at least one layer")
        prev = None
        seen: dict[str, int] = {}
        for l, layer in enumerate(self.layers, start=1):
            if not layer or not all(layer):
                raise InputError(f"layer {l} has an empty matrix or an empty row")
            widths = {len(row) for row in layer}
            if len(widths) != 1:
                raise InputError(f"layer {l} has rows of different lengths {sorted(widths)}")
            (width_in,) = widths
            if prev is not None and width_in != prev:
                raise InputError(f"layer {l} takes {width_in} inputs but layer {l - 1} "
                                 f"has {prev} neurons")
            prev = len(layer)
            for row in layer:
                for name in row:
                    if name is None:
                        continue
                    if not isinstance(name, str) or not name.isidentifier():
                        raise InputError(f"parameter name {name!r} in layer {l} is not an "
                                         f"identifier")
                    if seen.setdefault(name, l) != l:
                        raise InputError(f"parameter {name!r} appears in layers {seen[name]} "
                                         f"and {l}; sharing across layers is not allowed in N")
        if len(self.layers[-1]) != 1:
            raise InputError(f"the output layer must have one neuron, not {len(self.layers[-1])}")

    # -- structure ----------------------------------------------------------------------

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def input_dim(self) -> int:
        return len(self.layers[0][0])

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return tuple(len(layer) for layer in self.layers[:-1])

    @cached_property
    def params(self) -> tuple[str, ...]:
        """Parameter names in order of first appearance, layer by layer."""
        out: list[str] = []
        for layer in self.layers:
            for row in layer:
                for name in row:
                    if name is not None and name not in out:
                        out.append(name)
        return tuple(out)

    def layer_params(self, l: int) -> tuple[str, ...]:
        """Parameters of layer ``l`` (1-based)."""
        if not 1 <= l <= self.depth:
            raise InputError(f"layer={l} must be between 1 and {self.depth}")
        out: list[str] = []
        for row in self.layers[l - 1]:
            for name in row:
                if name is not None and name not in out:
                    out.append(name)
        return tuple(out)

    @cached_property
    def has_sharing(self) -> bool:
        for layer in self.layers:
            names = [n for row in layer for n in row if n is not None]
            if len(names) != len(set(names)):
                return True
        return False

    def all_active(self) -> Pattern:
        return tuple(tuple(1 for _ in range(w)) for w in self.hidden_widths)

    def to_json(self) -> dict:
        return {"activation": self.activation,
                "layers": [[[("0" if n is None else n) for n in row] for row in layer]
                           for layer in self.layers]}

    # -- evaluation ---------------------------------------------------------------------

    def forward(self, theta: Mapping[str, sympy.Expr], x: Sequence[sympy.Expr],
                pattern: Pattern | None = None) -> tuple[sympy.Expr, list[list[sympy.Expr]]]:
        """Φ(θ; x) and the pre-activations of every hidden layer.

        With ``pattern=None`` a ReLU is applied by deciding the sign of its input exactly
        (θ must then be numeric); with a pattern, neuron j of hidden layer l passes its input
        iff ``pattern[l][j] == 1`` (θ may be symbolic). Linear networks ignore the pattern.
        """
        if len(x) != self.input_dim:
            raise InputError(f"input of dimension {len(x)} for a network with input "
                             f"dimension {self.input_dim}")
        h: list[sympy.Expr] = list(x)
        pre: list[list[sympy.Expr]] = []
        for l, layer in enumerate(self.layers):
            z = [sympy.Add(*[theta[n] * h[j] for j, n in enumerate(row) if n is not None])
                 for row in layer]
            if l == self.depth - 1:
                return sympy.expand(z[0]), pre
            z = [sympy.expand(v) for v in z]
            pre.append(z)
            if self.activation == "linear":
                h = z
            elif pattern is not None:
                h = [v if pattern[l][j] else sympy.Integer(0) for j, v in enumerate(z)]
            else:
                h = [v if sign(v) > 0 else sympy.Integer(0) for v in z]
        raise AssertionError("unreachable")

    def output(self, theta: Mapping[str, sympy.Expr], x: Sequence[sympy.Expr]) -> sympy.Expr:
        return self.forward(theta, x)[0]

    def signs(self, theta: Mapping[str, sympy.Expr], x: Sequence[sympy.Expr]
              ) -> tuple[tuple[int, ...], ...]:
        """Exact signs (-1, 0, 1) of every hidden pre-activation at a numeric θ."""
        _, pre = self.forward(theta, x)
        return tuple(tuple(sign(v) for v in layer) for layer in pre)

    def piece_gradient(self, theta: Mapping[str, sympy.Expr], x: Sequence[sympy.Expr],
                       pattern: Pattern | None) -> dict[str, sympy.Expr]:
        """Gradient of the smooth piece ``pattern`` of Φ(·; x) at θ (shared weights summed).

        By backpropagation through the piece polynomial: ``h^(0) = x``,
        ``h^(l) = P_l ⊙ W^(l) h^(l-1)`` for the hidden layers (``P_l`` the pattern's bits of
        layer l; all ones for a linear network, which ignores the pattern), ``δ = 1`` at the
        output and ``δ^(l) = P_l ⊙ (W^(l+1))ᵀ δ^(l+1)``; then
        ``∂Φ/∂W^(l)_jk = δ^(l)_j h^(l-1)_k``, and a parameter's derivative is the sum over
        the entries it occupies. θ may be symbolic."""
        pat = (pattern if pattern is not None and self.activation == "relu"
               else self.all_active())
        hs: list[list[sympy.Expr]] = [list(x)]
        for l, layer in enumerate(self.layers[:-1]):
            h = hs[-1]
            hs.append([sympy.expand(sympy.Add(*[theta[n] * h[k] for k, n in enumerate(row)
                                                if n is not None]))
                       if pat[l][j] else sympy.Integer(0)
                       for j, row in enumerate(layer)])
        grad: dict[str, list[sympy.Expr]] = {p: [] for p in self.params}
        delta: list[sympy.Expr] = [sympy.Integer(1)]
        for l in range(self.depth - 1, -1, -1):
            layer, h = self.layers[l], hs[l]
            for j, row in enumerate(layer):
                if delta[j] == 0:
                    continue
                for k, n in enumerate(row):
                    if n is not None:
                        grad[n].append(delta[j] * h[k])
            if l == 0:
                break
            back = [sympy.Integer(0)] * len(layer[0])
            for j, row in enumerate(layer):
                for k, n in enumerate(row):
                    if n is not None and pat[l - 1][k]:
                        back[k] += theta[n] * delta[j]
            delta = [sympy.expand(v) for v in back]
        return {p: sympy.expand(sympy.Add(*terms)) for p, terms in grad.items()}

    def check_pattern_shape(self, pattern: Sequence[Sequence[int]], where: str) -> Pattern:
        widths = self.hidden_widths
        if len(pattern) != len(widths) or any(len(p) != w for p, w in zip(pattern, widths)):
            raise InputError(f"{where}: pattern shape {[len(p) for p in pattern]} does not "
                             f"match the hidden widths {list(widths)}")
        if any(b not in (0, 1) or isinstance(b, bool) for row in pattern for b in row):
            raise InputError(f"{where}: pattern entries must be 0 or 1")
        return tuple(tuple(int(b) for b in row) for row in pattern)
