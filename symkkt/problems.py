"""Problem 2 and Problem 4 instances: a network, a dataset and a point, all exact.

Problem 2: ``min ½‖θ‖²  s.t.  y_i Φ(θ; x_i) >= 1``. Problem 4 for layer ``l``: the same over
``u^(l)`` only, every other layer fixed at the point. An :class:`Instance` carries everything a
certificate needs and renders the common JSON fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Sequence

import sympy

from .errors import InvalidArgument
from .kernel.grammar import to_text
from .network import Network

__all__ = ["Instance", "exact"]


def exact(v) -> sympy.Expr:
    """Turn a Python int / Fraction / sympy number into a sympy number (never from text)."""
    if isinstance(v, sympy.Basic):
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        from fractions import Fraction
        if isinstance(v, Fraction):
            return sympy.Rational(v.numerator, v.denominator)
        raise InvalidArgument(f"value {v!r} must be an int, a Fraction or a sympy number")
    return sympy.Integer(v)


@dataclass(frozen=True)
class Instance:
    """A network, a dataset ``(X, Y)`` and a point θ; ``layer`` selects Problem 4."""

    network: Network
    X: tuple[tuple[sympy.Expr, ...], ...]
    Y: tuple[int, ...]
    point: Mapping[str, sympy.Expr]
    layer: int | None = None

    @staticmethod
    def make(network: Network, X: Sequence[Sequence], Y: Sequence[int],
             point: Mapping[str, object], layer: int | None = None) -> "Instance":
        Xe = tuple(tuple(exact(v) for v in x) for x in X)
        if len(Xe) != len(Y):
            raise InvalidArgument(f"{len(Xe)} inputs but {len(Y)} labels")
        for i, x in enumerate(Xe):
            if len(x) != network.input_dim:
                raise InvalidArgument(f"input {i + 1} has dimension {len(x)}, the network "
                                      f"takes {network.input_dim}")
        if any(y not in (1, -1) for y in Y):
            raise InvalidArgument(f"labels {list(Y)} must be 1 or -1")
        missing = [p for p in network.params if p not in point]
        if missing:
            raise InvalidArgument(f"point is missing parameter(s) {', '.join(missing)}")
        pt = {p: exact(point[p]) for p in network.params}
        if layer is not None:
            network.layer_params(layer)
        return Instance(network, Xe, tuple(int(y) for y in Y), pt, layer)

    @property
    def free(self) -> tuple[str, ...]:
        return self.network.params if self.layer is None else self.network.layer_params(self.layer)

    @cached_property
    def norm2(self) -> sympy.Expr:
        return sympy.expand(sympy.radsimp(sympy.expand(sum(v ** 2 for v in self.point.values()))))

    @cached_property
    def margins(self) -> tuple[sympy.Expr, ...]:
        return tuple(sympy.expand(y * self.network.output(self.point, x))
                     for x, y in zip(self.X, self.Y))

    def with_point(self, point: Mapping[str, object]) -> "Instance":
        return Instance.make(self.network, self.X, self.Y, point, self.layer)

    def base_json(self) -> dict:
        """The fields every certificate about this instance carries."""
        return {
            "symkkt_certificate": 1,
            "network": self.network.to_json(),
            "data": {"x": [[to_text(v) for v in x] for x in self.X], "y": list(self.Y)},
            "point": {p: to_text(v) for p, v in self.point.items()},
            "problem": {"number": 2} if self.layer is None else {"number": 4,
                                                                  "layer": self.layer},
        }
