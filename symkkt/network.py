"""Network class N and its builders: fully connected, diagonal, convolutional.

The class itself is the kernel's :class:`~symkkt.kernel.net.NetSpec` (one definition, used by
search and checker alike): layers of weight matrices whose entries are ``None`` (zero) or a
parameter name, a name used twice in a layer being a shared weight. The builders below only
choose names and sparsity patterns.
"""

from __future__ import annotations

from typing import Sequence

from .errors import InvalidArgument
from .kernel.net import NetSpec, Pattern

__all__ = ["Network", "Pattern", "fully_connected", "diagonal", "conv_disjoint",
           "two_layer_names", "path_point"]

Network = NetSpec


def _check_activation(activation: str) -> None:
    if activation not in ("linear", "relu"):
        raise InvalidArgument(f"activation={activation!r} must be 'linear' or 'relu'")


def fully_connected(widths: Sequence[int], activation: str = "relu") -> Network:
    """A fully-connected network with layer widths ``widths = (d, d_1, ..., d_{m-1})``.

    Depth 2 uses the paper's names: ``w{j}_{k}`` (neuron j, input k) and ``v{j}``; deeper
    networks name entry (i, j) of layer l ``W{l}_{i}_{j}``, all 1-based.
    """
    _check_activation(activation)
    widths = list(widths)
    if len(widths) < 2 or any(not isinstance(w, int) or w < 1 for w in widths):
        raise InvalidArgument(f"widths={widths} must be at least two positive integers "
                              f"(input dimension, then hidden widths)")
    dims = widths + [1]
    layers = []
    for l in range(1, len(dims)):
        d_in, d_out = dims[l - 1], dims[l]
        if len(dims) == 3:
            rows = ([tuple(f"w{i}_{j}" for j in range(1, d_in + 1)) for i in range(1, d_out + 1)]
                    if l == 1 else [tuple(f"v{j}" for j in range(1, d_in + 1))])
        else:
            rows = [tuple(f"W{l}_{i}_{j}" for j in range(1, d_in + 1))
                    for i in range(1, d_out + 1)]
        layers.append(tuple(rows))
    return Network(activation, tuple(layers))


def path_point(net: Network, firsts: Sequence[Sequence], outs: Sequence) -> dict:
    """A point of the fully-connected ``net`` (:func:`fully_connected`) whose hidden neuron j
    of every layer is one *path*: first-layer weights ``firsts[j]``, weight 1 from neuron j to
    neuron j in the layers between, output weight ``outs[j]``; every other weight 0 (neurons
    beyond ``len(firsts)`` are idle). Deep test networks with chosen kinks are built so.
    Values are exact numbers (ints, Fractions, sympy numbers; never strings)."""
    from sympy import Integer
    from sympy.core.sympify import _sympify as _exact

    names = set(net.params)
    depth = net.depth
    if len(firsts) != len(outs):
        raise InvalidArgument(f"len(firsts)={len(firsts)} must equal len(outs)={len(outs)}")
    pt = {p: Integer(0) for p in net.params}
    for j, w in enumerate(firsts, start=1):
        keys = [f"W1_{j}_{c}" if depth > 2 else f"w{j}_{c}" for c in range(1, len(w) + 1)]
        keys += [f"W{l}_{j}_{j}" for l in range(2, depth)]
        keys.append(f"W{depth}_1_{j}" if depth > 2 else f"v{j}")
        missing = [k for k in keys if k not in names]
        if missing:
            raise InvalidArgument(f"path {j} needs parameters {missing} that the network "
                                  f"does not have (widths too small?)")
        for key, v in zip(keys, list(w) + [1] * (depth - 2) + [outs[j - 1]]):
            pt[key] = _exact(v)
    return pt


def diagonal(dim: int, depth: int, activation: str = "relu") -> Network:
    """A depth-``depth`` diagonal network on R^dim: ``w{l}_{k}`` is coordinate k of layer l."""
    _check_activation(activation)
    if dim < 1 or depth < 2:
        raise InvalidArgument(f"dim={dim} must be >= 1 and depth={depth} must be >= 2")
    layers = []
    for l in range(1, depth):
        layers.append(tuple(tuple(f"w{l}_{k}" if j == k else None for j in range(1, dim + 1))
                            for k in range(1, dim + 1)))
    layers.append((tuple(f"w{depth}_{k}" for k in range(1, dim + 1)),))
    return Network(activation, tuple(layers))


def conv_disjoint(patch: int, patches: int, activation: str = "relu") -> Network:
    """Depth-2 convolution with ``patches`` disjoint patches of size ``patch``.

    One shared filter ``w1..w{patch}`` (first layer), output weights ``v1..v{patches}``:
    ``Φ(x) = Σ_j v_j σ(<w, x^(j)>)`` with ``x^(j)`` the j-th block of ``patch`` coordinates.
    """
    _check_activation(activation)
    if patch < 1 or patches < 1:
        raise InvalidArgument(f"patch={patch} and patches={patches} must be positive")
    d = patch * patches
    rows = []
    for j in range(patches):
        rows.append(tuple(f"w{k - j * patch + 1}" if j * patch <= k < (j + 1) * patch else None
                          for k in range(d)))
    out = (tuple(f"v{j}" for j in range(1, patches + 1)),)
    return Network(activation, (tuple(rows), out))


def two_layer_names(net: Network) -> tuple[list[list[str | None]], list[str | None]]:
    """For a depth-2 network: incoming weight names per hidden neuron, and output names."""
    if net.depth != 2:
        raise InvalidArgument(f"depth={net.depth} must be 2")
    return [list(r) for r in net.layers[0]], list(net.layers[1][0])
