"""Small wrappers the printer knows how to typeset: a certificate, and its kernel reading.

:class:`Certificate` wraps a certificate dict (as written by ``symkkt verify
--certificates``) so a notebook shows it typeset (``_repr_latex_``) and ``check()`` re-runs the
kernel. :class:`KernelView` is the certificate *as the kernel reads it*: the network, data and
point parsed with the kernel's own reader and whitelist grammar, so every formula the printer
shows is computed from the same sympy objects the checker used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import sympy

from ..errors import InputError, InvalidArgument

__all__ = ["Certificate", "KernelView", "COMMON_FIELDS"]

COMMON_FIELDS = ("symkkt_certificate", "kind", "theorem", "claim", "network", "data", "point",
                 "problem")


@dataclass(frozen=True)
class KernelView:
    """Network, data, point and problem of a certificate, parsed exactly as the kernel does."""

    network: Any  # symkkt.kernel.net.NetSpec
    X: tuple[tuple[sympy.Expr, ...], ...]
    Y: tuple[int, ...]
    point: Mapping[str, sympy.Expr]
    layer: int | None
    reader: Any = field(repr=False, compare=False)

    @property
    def free(self) -> tuple[str, ...]:
        net = self.network
        return net.params if self.layer is None else net.layer_params(self.layer)

    @staticmethod
    def read(cert: Mapping[str, Any], source: str = "<certificate>") -> "KernelView":
        from ..kernel.certificate import Reader, problem_layer
        from ..kernel.schema import validate

        rd = Reader(source)
        c = dict(cert)
        validate(c, source)   # the reader converts only what the schema accepted
        net = rd.network(c["network"])
        X, Y = rd.data(c["data"])
        theta = rd.point(c["point"], net)
        layer = problem_layer(rd, c, net)
        return KernelView(net, tuple(tuple(x) for x in X), tuple(Y), theta, layer, rd)

    def instance(self):
        """The same data as a :class:`symkkt.problems.Instance` (for ``_print_Instance``)."""
        from ..problems import Instance

        return Instance(self.network, self.X, self.Y, dict(self.point), self.layer)


class Certificate:
    """A certificate dict with a typeset notebook view and a kernel re-check.

    ``values`` optionally carries the verdict's values (``eps0``, ``leading_term``, ...) so the
    printer can show them; they are re-derived from the certificate when absent.
    """

    def __init__(self, data: Mapping[str, Any], source: str = "<certificate>",
                 values: Mapping[str, Any] | None = None, status: str | None = None) -> None:
        if not isinstance(data, Mapping):
            raise InvalidArgument(f"a certificate must be a mapping, not {type(data).__name__}")
        self.data = dict(data)
        self.source = source
        self._values = dict(values) if values is not None else None
        self._status = status

    @classmethod
    def from_file(cls, path: str | Path) -> "Certificate":
        from ..kernel.certificate import load_certificate

        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                             str(p)) from None
        return cls(load_certificate(text, str(p)), str(p))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "?"))

    @cached_property
    def verdict(self):
        from ..kernel.certificate import check_certificate

        return check_certificate(self.data, source=self.source)

    def check(self):
        """The kernel's verdict on this certificate (cached)."""
        return self.verdict

    @property
    def values(self) -> Mapping[str, Any]:
        if self._values is None:
            try:
                self._values = dict(self.verdict.values)
            except InputError:
                self._values = {}
        return self._values

    @property
    def status(self) -> str | None:
        if self._status is None:
            try:
                self._status = self.verdict.status
            except InputError:
                self._status = None
        return self._status

    def view(self) -> KernelView:
        return KernelView.read(self.data, self.source)

    def to_json(self) -> dict:
        return json.loads(json.dumps(self.data))

    def __repr__(self) -> str:
        return f"Certificate(kind={self.kind!r}, claim={self.data.get('claim')!r})"

    def _repr_latex_(self) -> str:
        from .printer import notebook_latex

        return notebook_latex(self)
