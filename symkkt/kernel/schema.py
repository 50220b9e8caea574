"""The certificate schema: every kind's fields, types and ranges, declared in one place.

Before a checker runs, :func:`validate` reads the whole certificate against its kind's table
(:data:`KINDS`): every field of every nested object, list and map. A certificate is refused with
an :class:`~symkkt.errors.InputError` naming the field's JSON path (one line, e.g.
``cert.json: $.from_layer: from_layer=-1 must be in 1..2``) when a field

* is missing, or present where the table does not allow it (``unknown field``: nothing is
  silently ignored);
* has the wrong JSON type: a boolean is never an integer (``true`` is not the version ``1``),
  an exact number is a JSON integer or a string in the whitelist grammar (parsed here);
* is out of its range: integers (``from_layer`` in ``1..m``, sample indices in ``0..n-1``),
  list lengths (one multiplier per sample), enumerations, parameter names of the network,
  activation patterns of the network's hidden widths.

Ranges may depend on other fields (:class:`Dim`: the depth ``m``, the number of samples ``n``,
the input dimension ``d``, ...): fields are read in table order, so the ``network`` and
``data`` a range refers to have been validated (and the network built) before. Checks that need
exact arithmetic or relations between several fields (``eps0`` a positive rational, ``groups``
equal to the network's supports, ...) stay with the checker, which reports them at their path
too. Duplicate JSON keys are refused by :func:`~symkkt.kernel.certificate.load_certificate`.

:func:`render_markdown` writes the same tables as the field reference of
``docs/certificates.md`` (``python docs/gen_field_reference.py``).

Every exact number is parsed here with the whitelist grammar (with the names its field may
use), so a malformed number is an input error wherever it is, even in a part of the
certificate the checker would never reach. This module imports only :mod:`symkkt.errors` and
the kernel's own :mod:`.grammar` and :mod:`.net`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import sympy

from ..errors import InputError
from .grammar import MAX_DIGITS, parse_exact, parse_number
from .net import NetSpec

__all__ = ["KINDS", "KindSchema", "LongInt", "FloatText", "validate", "render_markdown", "FORMAT_VERSION",
           "MAX_WIDTH", "MAX_DEPTH_MIN", "MAX_PARAMETERS", "MAX_VARIABLES", "MAX_EVENTS",
           "MAX_SUBSTITUTION_POWER", "MAX_ROOT", "MULTIPLIER_RULES", "LOSSES", "RESERVED", "EPSILON",
           "LAM", "MAX_SUPPORT"]

FORMAT_VERSION = 1
MAX_WIDTH = 64                 # diagonal-family: width n in 1..64
MAX_DEPTH_MIN = 1000           # diagonal-family: depth_min at most 1000
MAX_PARAMETERS = 6             # robust: at most 6 box parameters
MAX_VARIABLES = 16             # cone-probability: at most 16 Gaussian variables
MAX_EVENTS = 16                # cone-probability: at most 16 events
MAX_SUBSTITUTION_POWER = 12    # curves: epsilon = t**k, k in 1..12
MAX_ROOT = 12                  # robust aux: q-th roots, q in 2..12
MULTIPLIER_RULES = ("balanced", "none")   # diagonal-family
LOSSES = ("exp", "logistic")               # convergence
RESERVED = frozenset({"epsilon", "pi", "sqrt", "sin", "cos", "Rational", "t", "s", "E", "I"})
"""Names a ``robust`` parameter or aux may not take (grammar names and the kernel's own)."""
EPSILON = sympy.Symbol("epsilon", positive=True)


# ------------------------------------------------------------------------------ context


class _Ctx:
    """The certificate being validated and what ranges depend on (the built network)."""

    def __init__(self, root: dict, source: str) -> None:
        self.root = root
        self.source = source
        self.net: NetSpec | None = None
        self.box: dict[str, sympy.Symbol] = {}   # robust: parameters and aux names so far

    def fail(self, path: str, msg: str) -> InputError:
        return InputError(f"{path}: {msg}", source=self.source)

    @property
    def free(self) -> tuple[str, ...]:
        """The parameters the problem optimizes over (one layer's for Problem 4)."""
        prob = self.root.get("problem") or {}
        if prob.get("number") == 4:
            return self.net.layer_params(prob["layer"])
        return self.net.params


@dataclass(frozen=True)
class Dim:
    """A size that depends on other fields: ``name`` in the docs, ``fn`` reads it."""

    name: str
    fn: Callable[[_Ctx], int]
    offset: int = 0

    def __sub__(self, k: int) -> "Dim":
        return Dim(self.name, self.fn, self.offset - k)

    def value(self, ctx: _Ctx) -> int:
        return self.fn(ctx) + self.offset

    def __str__(self) -> str:
        if self.offset == 0:
            return self.name
        return f"{self.name}{self.offset:+d}"


DEPTH = Dim("m", lambda c: c.net.depth)
SAMPLES = Dim("n", lambda c: len(c.root["data"]["x"]))
INPUT_DIM = Dim("d", lambda c: c.net.input_dim)
WIDTH = Dim("w", lambda c: c.root["width"])
N_PARAMETERS = Dim("K", lambda c: len(c.root["parameters"]))
N_EVENTS = Dim("E", lambda c: len(c.root["events"]))

DIMS_DOC = [("m", "the depth: the number of layers of `network`"),
            ("n", "the number of samples: the length of `data.x`"),
            ("d", "the input dimension: the row length of the first layer"),
            ("w", "`diagonal-family`: the value of `width`"),
            ("K", "`robust`: the number of `parameters`"),
            ("E", "`cone-probability`: the number of `events`"),
            ("p", "`margin-decreases`: the number of `model.inputs`")]


def _bound(b: int | Dim | None, ctx: _Ctx) -> int | None:
    return b.value(ctx) if isinstance(b, Dim) else b


class LongInt(str):
    """A JSON integer literal of more than ``MAX_DIGITS`` digits, kept as its text by
    :func:`~symkkt.kernel.certificate.load_certificate` (Python refuses to convert very long
    ones) so that the schema refuses it at its path. Never a string, never an integer."""


class FloatText(str):
    """A JSON number with a fraction or exponent (or ``NaN``/``Infinity``), kept as its text by
    :func:`~symkkt.kernel.certificate.load_certificate`: an exact number field reads it as a
    decimal with the grammar (never through a float); it is never a string or an integer."""


def _short(v: Any, limit: int = 40) -> str:
    """One line, at most ``limit`` characters: values go into one-line error messages."""
    if isinstance(v, LongInt) or (_is_int(v) and v.bit_length() > 4 * limit):
        return "<an integer of more than 40 digits>"
    text = json.dumps(v, ensure_ascii=True, default=repr)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _what(v: Any) -> str:
    """The JSON type of ``v``, as an error message names it."""
    if v is None:
        return "null"
    if isinstance(v, LongInt):
        return f"an integer of {len(v.lstrip('-'))} digits"
    if isinstance(v, FloatText):
        return f"the number {_short(str(v))[1:-1]}"
    if isinstance(v, bool):
        return f"the boolean {_short(v)}"
    if isinstance(v, int):
        return f"the integer {_short(v)}"
    if isinstance(v, str):
        return f"the string {_short(v)}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return f"a {type(v).__name__}"


def _key_path(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{_short(key)}]"


def _field_name(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    return last.split("[", 1)[0] or last


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# --------------------------------------------------------------------------------- specs


class Spec:
    """A JSON value's type and range."""

    def check(self, v: Any, path: str, ctx: _Ctx) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def text(self) -> str:
        """The type column of the docs."""
        raise NotImplementedError  # pragma: no cover - abstract

    def plural(self) -> str:
        """The type of the entries of a list, in the docs."""
        return f"entries: {self.text()}"

    def rows(self, path: str) -> list["Row"]:
        """Nested rows of the docs (objects inside)."""
        return []


@dataclass(frozen=True)
class Version(Spec):
    """The format version: exactly the integer ``FORMAT_VERSION``."""

    def check(self, v, path, ctx):
        if not _is_int(v):
            raise ctx.fail(path, f"expected the integer {FORMAT_VERSION} (format version), got "
                                 f"{_what(v)}")
        if v != FORMAT_VERSION:
            raise ctx.fail(path, f"format version {_short(v)} is not supported (this kernel "
                                 f"reads {FORMAT_VERSION})")

    def text(self):
        return f"the integer `{FORMAT_VERSION}`"


@dataclass(frozen=True)
class Int(Spec):
    """An integer (never a boolean) in ``lo..hi`` (either end may depend on other fields)."""

    lo: int | Dim | None = None
    hi: int | Dim | None = None

    def _range(self, lo, hi) -> str:
        if lo is not None and hi is not None:
            return f"{lo}..{hi}"
        if lo is not None:
            return f">= {lo}"
        return f"<= {hi}"

    def check(self, v, path, ctx):
        lo, hi = _bound(self.lo, ctx), _bound(self.hi, ctx)
        rng = "" if lo is None and hi is None else f" in {self._range(lo, hi)}"
        if not _is_int(v):
            raise ctx.fail(path, f"expected an integer{rng}, got {_what(v)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            empty = " (no value is possible here)" if lo is not None and hi is not None \
                and hi < lo else ""
            raise ctx.fail(path, f"{_field_name(path)}={_short(v)} must be in "
                                 f"{self._range(lo, hi)}{empty}")

    def text(self):
        if self.lo is None and self.hi is None:
            return "integer"
        return f"integer in {self._range(self.lo, self.hi)}" if self.lo is not None \
            and self.hi is not None else f"integer {self._range(self.lo, self.hi)}"

    def plural(self):
        return "integers" + self.text()[len("integer"):]


@dataclass(frozen=True)
class Enum(Spec):
    """One of the listed JSON values, compared with their type (``true`` is not ``1``)."""

    values: tuple

    def check(self, v, path, ctx):
        if not any(type(v) is type(w) and v == w for w in self.values):
            raise ctx.fail(path, f"{_field_name(path)}={_short(v)} must be one of "
                                 f"{', '.join(_short(w) for w in self.values)}")

    def text(self):
        return " \\| ".join(f"`{json.dumps(w)}`" for w in self.values)

    def plural(self):
        return "values " + self.text()


@dataclass(frozen=True)
class Str(Spec):
    """A string; with ``identifier`` a Python identifier (a name in the grammar)."""

    identifier: bool = False

    def check(self, v, path, ctx):
        if not isinstance(v, str) or isinstance(v, (LongInt, FloatText)):
            raise ctx.fail(path, f"expected a string, got {_what(v)}")
        if self.identifier and not v.isidentifier():
            raise ctx.fail(path, f"{_short(v)} is not an identifier")

    def text(self):
        return "identifier" if self.identifier else "string"

    def plural(self):
        return self.text() + "s"


@dataclass(frozen=True)
class Bool(Spec):
    def check(self, v, path, ctx):
        if not isinstance(v, bool):
            raise ctx.fail(path, f"expected true or false, got {_what(v)}")

    def text(self):
        return "boolean"


@dataclass(frozen=True)
class Names:
    """The names an expression may use: ``doc`` for the docs, ``fn`` gives the symbols."""

    doc: str
    fn: Callable[[_Ctx], dict]


EPS = Names("`epsilon`", lambda c: {"epsilon": EPSILON})
BOX = Names("the parameters and aux names", lambda c: dict(c.box))
BOX_EARLIER = Names("the parameters and earlier aux names", lambda c: dict(c.box))
BOX_EPS = Names("`epsilon`, the parameters and aux names",
                lambda c: {**c.box, "epsilon": EPSILON})


@dataclass(frozen=True)
class Number(Spec):
    """An exact number: a JSON integer or a string in the whitelist grammar, parsed here (the
    checker parses it again into the same value); with ``names`` an expression in them."""

    names: Names | None = None

    def check(self, v, path, ctx):
        if not (_is_int(v) or isinstance(v, str)):
            raise ctx.fail(path, f"expected an exact number (an integer or a string), got "
                                 f"{_what(v)}")
        if isinstance(v, LongInt):
            raise ctx.fail(path, f"integer with more than {MAX_DIGITS} digits")
        try:
            if self.names is None:
                parse_number(v, source=ctx.source)
            else:
                parse_exact(str(v), self.names.fn(ctx), source=ctx.source)
        except InputError as exc:
            raise ctx.fail(path, exc.message) from None

    def text(self):
        return f"expression in {self.names.doc}" if self.names else "exact number"

    def plural(self):
        return f"expressions in {self.names.doc}" if self.names else "exact numbers"


@dataclass(frozen=True)
class List(Spec):
    """A list of ``item``; ``length`` exact, or between ``min`` and ``max``."""

    item: Spec
    length: int | Dim | None = None
    min: int | Dim | None = None
    max: int | Dim | None = None
    unique: bool = False

    def check(self, v, path, ctx):
        if not isinstance(v, list):
            raise ctx.fail(path, f"expected a list, got {_what(v)}")
        n = _bound(self.length, ctx)
        lo, hi = _bound(self.min, ctx), _bound(self.max, ctx)
        if n is not None and len(v) != n:
            raise ctx.fail(path, f"expected {n} entries ({self.length}), got {len(v)}")
        if (lo is not None and len(v) < lo) or (hi is not None and len(v) > hi):
            want = f"{lo}..{hi}" if hi is not None else f"at least {lo}"
            if lo is None:
                want = f"at most {hi}"
            raise ctx.fail(path, f"expected {want} entries, got {len(v)}")
        for i, x in enumerate(v):
            self.item.check(x, f"{path}[{i}]", ctx)
        if self.unique:
            for i, x in enumerate(v):
                if x in v[:i]:
                    raise ctx.fail(f"{path}[{i}]", f"{_short(x)} appears twice")

    def _count(self) -> str:
        if self.length is not None:
            return f"{self.length} "
        if self.min is not None and self.max is not None:
            return f"{self.min}..{self.max} "
        if self.min is not None:
            return f">= {self.min} "
        if self.max is not None:
            return f"<= {self.max} "
        return ""

    def text(self):
        return f"list of {self._count()}{self.item.plural()}" + \
            (", distinct" if self.unique else "")

    def plural(self):
        return "lists of " + self.text()[len("list of "):]

    def rows(self, path):
        return self.item.rows(path + "[]")


@dataclass(frozen=True)
class Cond:
    """When a field is required (True), forbidden (False) or optional (None)."""

    text: str
    rule: Callable[[_Ctx, dict], bool | None]


@dataclass(frozen=True)
class Field:
    name: str
    spec: Spec
    doc: str
    required: bool | Cond = True


@dataclass(frozen=True)
class Row:
    path: str
    type: str
    required: str
    doc: str


@dataclass(frozen=True)
class Obj(Spec):
    """An object with exactly the declared fields (unknown fields are errors), read in
    declaration order; ``after`` runs on the valid object (e.g. builds the network)."""

    fields: tuple[Field, ...]
    after: Callable[[dict, str, _Ctx], None] | None = None
    name: str = "object"

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object, got {_what(v)}")
        known = [f.name for f in self.fields]
        for k in v:
            if k not in known:
                raise ctx.fail(_key_path(path, k), f"unknown field (allowed: "
                                                   f"{', '.join(known) or 'none'})")
        for f in self.fields:
            p = _key_path(path, f.name)
            if isinstance(f.required, Cond):
                need = f.required.rule(ctx, v)
            else:
                need = True if f.required else None
            if f.name not in v:
                if need:
                    why = f" ({f.required.text})" if isinstance(f.required, Cond) else ""
                    raise ctx.fail(p, f"missing{why}")
                continue
            if need is False:
                raise ctx.fail(p, f"not allowed here ({f.required.text})")
            f.spec.check(v[f.name], p, ctx)
        if self.after is not None:
            self.after(v, path, ctx)

    def text(self):
        return self.name

    def plural(self):
        return "objects"

    def rows(self, path):
        out = []
        for f in self.fields:
            p = f"{path}.{f.name}" if path else f.name
            req = f.required.text if isinstance(f.required, Cond) else \
                ("yes" if f.required else "no")
            out.append(Row(p, f.spec.text(), req, f.doc))
            out += f.spec.rows(p)
        return out


@dataclass(frozen=True)
class Tagged(Spec):
    """An object whose field ``key`` selects one of ``variants`` (each an :class:`Obj`
    without the key, which is added)."""

    key: str
    variants: Mapping[Any, Obj]
    doc: str

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object, got {_what(v)}")
        kp = _key_path(path, self.key)
        if self.key not in v:
            raise ctx.fail(kp, "missing")
        tag = v[self.key]
        variant = next((o for t, o in self.variants.items()
                        if type(t) is type(tag) and t == tag), None)
        if variant is None:
            raise ctx.fail(kp, f"{self.key}={_short(tag)} must be one of "
                               f"{', '.join(_short(t) for t in self.variants)}")
        full = Obj((Field(self.key, Enum((tag,)), self.doc),) + variant.fields, variant.after)
        full.check(v, path, ctx)

    def text(self):
        return f"object, by `{self.key}`"

    def plural(self):
        return f"objects, by `{self.key}`"

    def rows(self, path):
        out = [Row(f"{path}.{self.key}", Enum(tuple(self.variants)).text(), "yes", self.doc)]
        merged: dict[tuple, list] = {}
        order = []
        for tag, obj in self.variants.items():
            for r in obj.rows(path):
                key = (r.path, r.type, r.required, r.doc)
                if key not in merged:
                    merged[key] = []
                    order.append(key)
                merged[key].append(tag)
        for key in order:
            tags = ", ".join(f"`{json.dumps(t)}`" for t in merged[key])
            p, typ, req, doc = key
            out.append(Row(p, typ, f"{self.key} {tags}: {req}", doc))
        return out


@dataclass(frozen=True)
class ParamMap(Spec):
    """An object from parameter names of the network to ``value``: ``keys`` is ``all``
    (exactly the parameters), ``some`` (a subset) or ``free`` (a subset of the problem's free
    parameters)."""

    value: Spec
    keys: str = "all"

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object mapping parameter names to numbers, got "
                                 f"{_what(v)}")
        allowed = ctx.free if self.keys == "free" else ctx.net.params
        extra = [k for k in v if k not in allowed]
        if extra:
            what = "free parameter(s) of this problem" if self.keys == "free" else "parameter(s)"
            raise ctx.fail(path, f"unknown {what} {', '.join(_short(k) for k in extra)}")
        if self.keys == "all":
            missing = [p for p in ctx.net.params if p not in v]
            if missing:
                raise ctx.fail(path, f"missing parameter(s) {', '.join(missing)}")
        for k in v:
            self.value.check(v[k], f"{path}.{k}", ctx)

    def text(self):
        which = {"all": "every parameter", "some": "some parameters",
                 "free": "some free parameters"}[self.keys]
        return f"object: {which} → {self.value.text()}"


@dataclass(frozen=True)
class ParamName(Spec):
    """A parameter name of the network."""

    def check(self, v, path, ctx):
        if not isinstance(v, str) or v not in ctx.net.params:
            raise ctx.fail(path, f"{_short(v)} is not a parameter of the network")

    def text(self):
        return "parameter name"

    def plural(self):
        return "parameter names"


@dataclass(frozen=True)
class Entry(Spec):
    """A weight-matrix entry: ``"0"`` (or ``0``) for a structural zero, else a name."""

    def check(self, v, path, ctx):
        if (isinstance(v, str) and (v == "0" or v.isidentifier())) or (_is_int(v) and v == 0):
            return
        raise ctx.fail(path, f"entry {_short(v)} is neither 0 nor a parameter name")

    def text(self):
        return "`\"0\"` or a parameter name"

    def plural(self):
        return "entries `\"0\"` or a parameter name"


@dataclass(frozen=True)
class Pattern(Spec):
    """An activation pattern: per hidden layer, per neuron, 0 or 1."""

    def check(self, v, path, ctx):
        widths = ctx.net.hidden_widths
        if not isinstance(v, list) or len(v) != len(widths):
            raise ctx.fail(path, f"expected a list of {len(widths)} hidden layers, got "
                                 f"{_what(v) if not isinstance(v, list) else len(v)}")
        for l, (row, w) in enumerate(zip(v, widths)):
            if not isinstance(row, list) or len(row) != w:
                raise ctx.fail(f"{path}[{l}]", f"expected {w} entries 0/1 (hidden layer "
                                               f"{l + 1})")
            for j, b in enumerate(row):
                if not (_is_int(b) and b in (0, 1)):
                    raise ctx.fail(f"{path}[{l}][{j}]", f"expected 0 or 1, got {_what(b)}")

    def text(self):
        return "pattern: per hidden layer, per neuron 0 or 1"

    def plural(self):
        return "patterns (per hidden layer, per neuron 0 or 1)"


@dataclass(frozen=True)
class FreshName(Spec):
    """``robust``: a new name (an identifier, not reserved, not a network parameter, not
    declared before). With ``declare`` (box parameters) it is declared here, a real symbol;
    aux names are declared after their entry, positive symbols, by the aux object's
    ``after``."""

    declare: bool = False

    def check(self, v, path, ctx):
        Str(identifier=True).check(v, path, ctx)
        if v in RESERVED or v in ctx.net.params or v in ctx.box:
            raise ctx.fail(path, f"{_short(v)} must be a fresh name (not a network parameter, "
                                 f"a reserved name or a name declared before)")
        if self.declare:
            ctx.box[v] = sympy.Symbol(v, real=True)

    def text(self):
        return "fresh identifier"

    def plural(self):
        return "fresh identifiers"


@dataclass(frozen=True)
class NameMap(Spec):
    """An object from identifiers (declared here) to ``value``, with 1..``max`` entries."""

    value: Spec
    max: int

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object, got {_what(v)}")
        if not 1 <= len(v) <= self.max:
            raise ctx.fail(path, f"expected 1..{self.max} entries, got {len(v)}")
        for k, x in v.items():
            if not (isinstance(k, str) and k.isidentifier()):
                raise ctx.fail(_key_path(path, k), "not an identifier")
            self.value.check(x, f"{path}.{k}", ctx)

    def text(self):
        return f"object: 1..{self.max} names → {self.value.text()}"


@dataclass(frozen=True)
class VariableName(Spec):
    """``cone-probability``: a variable declared in ``$.variables``."""

    def check(self, v, path, ctx):
        if not isinstance(v, str) or v not in ctx.root["variables"]:
            raise ctx.fail(path, f"{_short(v)} is not a declared variable")

    def text(self):
        return "a name from `variables`"


@dataclass(frozen=True)
class Event(Spec):
    """``cone-probability``: declared variable → list of rows of that variable's dimension."""

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object (variable → list of rows), got "
                                 f"{_what(v)}")
        dims = ctx.root["variables"]
        for k, rows in v.items():
            p = _key_path(path, k)
            if k not in dims:
                raise ctx.fail(p, "not a declared variable")
            List(List(Number(), length=dims[k])).check(rows, p, ctx)

    def text(self):
        return "object: variable → list of rows (each of the variable's dimension) of exact " \
               "numbers"

    def plural(self):
        return "objects: variable → list of rows (each of the variable's dimension) of exact " \
               "numbers"


# ----------------------------------------------------------------------------- the tables


def _declare_aux(obj: dict, path: str, ctx: _Ctx) -> None:
    """A robust aux name is usable in the numbers after its own entry."""
    ctx.box[obj["name"]] = sympy.Symbol(obj["name"], positive=True)


def _build_network(obj: dict, path: str, ctx: _Ctx) -> None:
    layers = tuple(tuple(tuple(None if e in ("0", 0) else e for e in row) for row in layer)
                   for layer in obj["layers"])
    try:
        ctx.net = NetSpec(obj["activation"], layers)
    except InputError as exc:
        raise ctx.fail(path, exc.message) from None


def _network(activations: tuple[str, ...]) -> Obj:
    return Obj((
        Field("activation", Enum(activations),
              "hidden activation" + (" (this kind: linear networks only)"
                                     if activations == ("linear",) else "")),
        Field("layers", List(List(List(Entry(), min=1), min=1), min=1),
              "layers input to output, each a matrix (list of rows); a name repeated inside "
              "a layer is a shared weight; the last layer has one row"),
    ), after=_build_network, name="network (object)")


def _data(names: Names | None = None) -> Obj:
    return Obj((
        Field("x", List(List(Number(names), length=INPUT_DIM), min=1),
              "inputs, one per sample"),
        Field("y", List(Enum((1, -1)), length=SAMPLES), "labels"),
    ), name="data (object)")


DATA = _data()
POINT = ParamMap(Number())


def _problem(numbers: tuple[int, ...]) -> Tagged:
    variants = {2: Obj(()), 4: Obj((Field("layer", Int(1, DEPTH),
                                          "the layer whose parameters are free"),))}
    return Tagged("number", {n: variants[n] for n in numbers},
                  "2: all parameters; 4: only layer `layer`, the others fixed")


RELU = Cond("ReLU networks only; required there",
            lambda ctx, obj: ctx.net.activation == "relu")
WITH_CURVE = Cond("exactly when `curve` is given", lambda ctx, obj: "curve" in obj)
RELU_WITH_MULTIPLIERS = Cond("ReLU with `multipliers` only; required there",
                             lambda ctx, obj: ctx.net.activation == "relu"
                             and "multipliers" in obj)
UNLESS_BETTER = Cond("required unless `better_point` is given",
                     lambda ctx, obj: True if "better_point" not in obj else None)
SEVERAL_EVENTS = Cond("required with 2 or more events",
                      lambda ctx, obj: True if len(obj["events"]) > 1 else None)


def _numbers(length: Dim | int, names: Names | None = None) -> List:
    return List(Number(names), length=length)


def _subgradients(required: bool | Cond, names: Names | None = None) -> Field:
    piece = Obj((
        Field("weight", Number(names), "convex weight (>= 0; the weights of a sample sum "
                                       "to 1)"),
        Field("pattern", Pattern(), "the smooth piece"),
        Field("witness", ParamMap(Number(names), "some"),
              "direction d (missing parameters 0): θ + s·d lies strictly inside the piece "
              "for small s > 0", required=False),
    ))
    return Field("subgradients", List(List(piece), length=SAMPLES),
                 "per sample, the pieces of its Clarke subgradient (`[]` when λ_i = 0)",
                 required)


def _curve_obj(names: Names) -> Obj:
    return Obj((
        Field("variable", Enum(("epsilon",)), "the curve variable", required=False),
        Field("substitution_power", Int(1, MAX_SUBSTITUTION_POWER),
              "k: the kernel substitutes epsilon = t**k (default 1)", required=False),
        Field("point", ParamMap(Number(names)), "θ'(ε)"),
        Field("patterns", List(Pattern(), length=SAMPLES),
              "per sample, the activation pattern along the curve", RELU),
    ))


CURVE_FIELDS = (
    Field("curve", _curve_obj(EPS), "the curve θ'(ε) → θ̃ as ε → 0+"),
    Field("eps0", Number(), "a positive rational: the claim holds for every ε in (0, eps0]"),
)

ALPHA = Field("alpha", _numbers(SAMPLES), "dual variables α >= 0, one per sample")
BOUNDS = {
    "predictor": Obj((ALPHA,)),
    "neuron-sum": Obj((ALPHA,)),
    "patterns": Obj((
        Field("groups", List(List(Int(0, INPUT_DIM - 1))),
              "supports (0-based input coordinates) of the relevant neurons, distinct, in "
              "order of first appearance (compared with the network's)"),
        Field("cases", List(Obj((
            Field("alpha", _numbers(SAMPLES), "α >= 0"),
            Field("infeasible", Bool(), "a Farkas case (default false)", required=False),
            Field("options", List(List(Obj((
                Field("active", List(Int(0, 1), length=SAMPLES), "the active set A, 0/1 per "
                                                                  "sample"),
                Field("sign", Enum((1, -1)), "the sign s of the output weight"),
                Field("mu", _numbers(SAMPLES), "μ >= 0"),
            )))), "per group, the options (A, s) this case allows"),
        )), min=1), "the cases; together they must cover every option combination"),
        Field("unrealizable", List(List(Obj((
            Field("active", List(Int(0, 1), length=SAMPLES), "the active set A"),
            Field("nu", _numbers(SAMPLES), "ν >= 0 proving no weight vector has active set A"),
        )))), "per group, activation sets proven impossible", required=False),
    )),
    "arrangement": Obj((
        ALPHA,
        Field("groups", List(List(Int(0, INPUT_DIM - 1))),
              "supports (0-based input coordinates) of the relevant neurons, distinct, in "
              "order of first appearance (compared with the network's)"),
        Field("cells", List(List(Obj((
            Field("active", List(Int(0, 1), length=SAMPLES),
                  "the region's activation set A: 1 where <w, x_i|S> > 0 inside it, 0 where "
                  "< 0 or x_i|S = 0"),
            Field("point", List(Number(), min=1), "a point w strictly inside the region (one "
                                                 "number per support coordinate)"),
            Field("mu", List(_numbers(SAMPLES), length=2),
                  "μ >= 0 for the output sign +1, then for -1"),
        )))), "per group, every region of the hyperplane arrangement of the samples "
              "(restricted to the support), each once"),
    )),
    "fixed-pattern": Obj((ALPHA,)),
    "sosc": Obj((Field("multipliers", _numbers(SAMPLES), "KKT multipliers λ, one per "
                                                          "sample"),)),
    "qp": Obj((ALPHA,)),
}


def _bound_field(types: Sequence[str]) -> Tagged:
    return Tagged("type", {t: BOUNDS[t] for t in types}, "the dual bound")


GLOBAL_TYPES = ("predictor", "neuron-sum", "patterns", "arrangement")


@dataclass(frozen=True)
class KindSchema:
    """A kind's table: the instance fields when ``instance`` (``network``, then ``pre``, then
    ``data``, ``problem``, ``point``, whose numbers may use ``names``), with the allowed
    problems and activations, then ``fields``."""

    fields: tuple[Field, ...]
    doc: str
    instance: bool = True
    problems: tuple[int, ...] = (2, 4)
    activations: tuple[str, ...] = ("linear", "relu")
    problem_required: bool = False
    pre: tuple[Field, ...] = ()
    names: Names | None = None

    def obj(self) -> Obj:
        common = (
            Field("symkkt_certificate", Version(), "format version"),
            Field("kind", Str(), "what is certified"),
            Field("theorem", Str(), "informational: the result it came from", required=False),
            Field("claim", Str(), "informational: the claim id", required=False),
        )
        inst = ()
        if self.instance:
            inst = (
                Field("network", _network(self.activations), "the network"),
                *self.pre,
                Field("data", _data(self.names), "the samples"),
                Field("problem", _problem(self.problems),
                      "the problem (default `{\"number\": 2}`)", self.problem_required),
                Field("point", ParamMap(Number(self.names)), "the point θ̃"),
            )
        return Obj(common + inst + self.fields)


_kinds_body: dict[str, KindSchema] = {
    "kkt": KindSchema((
        Field("multipliers", _numbers(SAMPLES), "λ_i, one per sample"),
        _subgradients(RELU),
    ), "θ̃ is a KKT point (given multipliers and subgradients)"),
    "not-local": KindSchema(CURVE_FIELDS, "θ̃ is not a local optimum: a curve with a smaller "
                                          "norm"),
    "equal-norm": KindSchema(CURVE_FIELDS, "a feasible curve of constant norm"),
    "nonzero-inputs": KindSchema((
        Field("from_layer", Int(1, DEPTH),
              "check the hidden layers l >= from_layer (default 1; m: none, the output layer "
              "has no activation, as in Theorem 5.4 for l = m)", required=False),
    ), "every hidden pre-activation at θ̃ is non-zero (`problem` does not change the check)"),
    "nonzero-weights": KindSchema((), "every hidden neuron has a non-zero incoming weight "
                                      "vector (`problem` does not change the check)"),
    "better-point": KindSchema((
        Field("better_point", POINT, "a feasible point of strictly smaller norm"),
    ), "θ̃ is not a global optimum"),
    "not-kkt": KindSchema((
        Field("farkas", ParamMap(Number(), "free"),
              "a Farkas vector z (missing free parameters 0); not needed when θ̃ is "
              "infeasible", required=False),
    ), "θ̃ is not a KKT point"),
    "global": KindSchema((
        Field("bound", _bound_field(GLOBAL_TYPES), "lower bound on ‖θ‖² over the feasible set",
              UNLESS_BETTER),
        Field("better_point", POINT, "a better feasible point: refutes global optimality",
              required=False),
    ), "θ̃ is a global optimum (or, with `better_point`, is not)", problems=(2,)),
    "global-optimum-value": KindSchema((
        Field("bound", _bound_field(GLOBAL_TYPES), "lower bound equal to ‖θ*‖²"),
        Field("reference_point", POINT, "θ̃, for the ratio ‖θ̃‖²/‖θ*‖²", required=False),
    ), "`point` θ* is a global optimum: the optimal value", problems=(2,)),
    "optimum-bracket": KindSchema((
        Field("bound", _bound_field(GLOBAL_TYPES), "a global lower bound"),
    ), "the optimal value lies in [lower bound, ‖point‖²]", problems=(2,)),
    "local": KindSchema((
        Field("bound", _bound_field(("fixed-pattern", "sosc") + GLOBAL_TYPES),
              "lower bound on ‖θ‖² near θ̃"),
    ), "θ̃ is a local optimum", problems=(2,)),
    "per-layer-global": KindSchema((
        Field("bound", _bound_field(("qp",)), "lower bound on ‖u^(l)‖²"),
    ), "Problem 4: ũ^(l) is a global optimum", problems=(4,), problem_required=True),
    "per-layer-local": KindSchema((
        Field("bound", _bound_field(("qp",)), "lower bound on ‖u^(l)‖² near ũ^(l)"),
    ), "Problem 4: ũ^(l) is a local optimum", problems=(4,), problem_required=True),
    "l1-better": KindSchema((
        Field("better_beta", _numbers(INPUT_DIM), "a feasible predictor with smaller ℓ1 norm"),
    ), "β̃ is not optimal for Problem 3", problems=(2,), activations=("linear",)),
    "l1-optimal": KindSchema((
        Field("dual", _numbers(SAMPLES), "LP dual μ, one per sample"),
    ), "β̃ is optimal for Problem 3", problems=(2,), activations=("linear",)),
    "robust": KindSchema((
        Field("multipliers", _numbers(SAMPLES, BOX), "KKT section: λ_i(δ)", required=False),
        _subgradients(RELU_WITH_MULTIPLIERS, BOX),
        Field("curve", _curve_obj(BOX_EPS), "not-local section: θ'(ε, δ)", required=False),
        Field("eps0", Number(), "a positive rational (one for the whole box)", WITH_CURVE),
        Field("bound", Tagged("type", {
            "subsets": Obj((Field("alpha", _numbers(SAMPLES, BOX), "α(δ) >= 0"),)),
            "pattern": Obj((Field("alpha", _numbers(SAMPLES, BOX), "α(δ) >= 0"),))},
            "the dual bound: `subsets` over every set of samples (global), `pattern` over "
            "θ̃'s activation pattern (local)"), "global or local section", required=False),
        Field("better_point", Obj((
            Field("point", ParamMap(Number(BOX)), "θ'(δ): feasible, strictly smaller norm"),
            Field("layer", Int(1, DEPTH), "θ' differs from θ̃ only in this layer (Problem 4)",
                  required=False),
        )), "not-global section", required=False),
        Field("per_layer_local", Enum((True,)), "every layer is a local optimum of its "
                                                "Problem 4 (needs `multipliers`)",
              required=False),
    ), "one certificate for a whole box of parameters (at least one of the sections "
       "`multipliers`, `curve`, `bound`, `better_point`, `per_layer_local`); `data.x` and "
       "`point` may be expressions in the parameters and aux names", problems=(2,), names=BOX,
       pre=(
        Field("parameters", List(FreshName(declare=True), min=1, max=MAX_PARAMETERS),
              "the box parameters δ: fresh names (not a network parameter, not reserved)"),
        Field("radius", Number(), "a positive rational r"),
        Field("center", _numbers(N_PARAMETERS), "the box centre, rationals (default 0)",
              required=False),
        Field("aux", List(Obj((
            Field("name", FreshName(), "a fresh name a"),
            Field("base", Number(BOX_EARLIER), "B > 0 on the box"),
            Field("root", Int(2, MAX_ROOT), "q: a = B^(1/q)"),
        ), after=_declare_aux)), "auxiliary radicals a = B^(1/q) > 0", required=False),
    )),
    "optimum-ratio": KindSchema((
        Field("optimum", Obj((
            Field("point", POINT, "θ*, a global optimum"),
            Field("bound", _bound_field(GLOBAL_TYPES), "its lower bound"),
        )), "the certified optimum"),
        Field("ratio2", Number(), "the claimed ‖θ̃‖²/‖θ*‖²"),
        Field("angle", Obj((
            Field("samples", List(Int(0, SAMPLES - 1), length=2),
                  "two sample indices (0-based)"),
            Field("alpha", Number(), "the angle between them, in [0, π]"),
        )), "optional angle between two samples", required=False),
    ), "how far θ̃ is from the optimum, and what θ̃ is", problems=(2,)),
    "cone-probability": KindSchema((
        Field("variables", NameMap(Enum((1, 2)), MAX_VARIABLES),
              "independent standard Gaussian vectors: name → dimension"),
        Field("events", List(Event(), min=1, max=MAX_EVENTS),
              "each event constrains variables to open cones {z : <c, z> > 0 for every row c}"),
        Field("disjoint", List(Obj((
            Field("events", List(Int(0, N_EVENTS - 1), length=2, unique=True),
                  "two event indices (0-based)"),
            Field("variable", VariableName(), "the variable of the proof"),
            Field("gordan", List(Number()), "μ >= 0, not all 0, Σ μ_j c_j = 0 over the rows "
                                            "of both events (in order)"),
        ))), "pairwise disjointness proofs", SEVERAL_EVENTS),
    ), "P(union of the events) for Gaussian weights", instance=False),
    "diagonal-family": KindSchema((
        Field("activation", Enum(("linear", "relu")), "hidden activation"),
        Field("width", Int(1, MAX_WIDTH), "the width n of the diagonal network"),
        Field("depth_min", Int(None, MAX_DEPTH_MIN), "every depth m >= depth_min (< 3 is "
                                                      "refuted)"),
        Field("data", Obj((
            Field("x", List(_numbers(WIDTH), length=1), "the one input"),
            Field("y", List(Enum((1, -1)), length=1), "its label"),
        )), "exactly one sample"),
        Field("point", _numbers(WIDTH), "the products c_k > 0"),
        Field("multiplier_rule", Enum(MULTIPLIER_RULES),
              "`balanced`: KKT for every m; `none`: not claimed"),
        Field("curve", Obj((
            Field("variable", Enum(("epsilon",)), "the curve variable", required=False),
            Field("substitution_power", Int(1, MAX_SUBSTITUTION_POWER),
                  "k: epsilon = t**k (default 1)", required=False),
            Field("products", _numbers(WIDTH, EPS), "u_k(ε)"),
        )), "optional curve of products", required=False),
        Field("eps0", Number(), "a positive rational", WITH_CURVE),
    ), "every depth m >= depth_min of a diagonal network at once", instance=False),
    "convergence": KindSchema((
        Field("init", POINT, "θ(0)"),
        Field("losses", List(Enum(LOSSES), min=1, unique=True),
              "the losses (default both)", required=False),
        Field("invariant", Obj((
            Field("fixed", List(ParamName(), unique=True), "parameters that keep their "
                                                            "initial value", required=False),
            Field("equal", List(List(ParamName(), min=2, unique=True)),
                  "groups that stay equal (a name at most once in fixed and equal)",
                  required=False),
            Field("positive", List(ParamName(), unique=True), "parameters that stay > 0 (not "
                                                               "fixed ones)", required=False),
        )), "the invariant set"),
    ), "gradient flow from `init` converges in direction to θ̃", problems=(2,)),
}

# margin-decreases: a polynomial model (not class N) with its own names
MAX_MODEL_NAMES = 16
MAX_MODEL_SAMPLES = 64
MAX_MODEL_DEGREE = 12
MODEL_INPUTS = Dim("p", lambda c: len(c.root["model"]["inputs"]))
MODEL_NAMES = Names("the model's parameters and inputs",
                    lambda c: {n: sympy.Symbol(n, real=True)
                               for n in [*c.root["model"]["parameters"],
                                         *c.root["model"]["inputs"]]})


@dataclass(frozen=True)
class ModelName(Spec):
    """``margin-decreases``: an identifier, not reserved, not used before in the model."""

    def check(self, v, path, ctx):
        Str(identifier=True).check(v, path, ctx)
        if v in RESERVED or v in ctx.box:
            raise ctx.fail(path, f"{_short(v)} must be a fresh name (not reserved, not used "
                                 f"twice in the model)")
        ctx.box[v] = sympy.Symbol(v, real=True)

    def text(self):
        return "fresh identifier"

    def plural(self):
        return "fresh identifiers"


@dataclass(frozen=True)
class ModelPoint(Spec):
    """``margin-decreases``: the model's parameters → exact numbers (every one)."""

    def check(self, v, path, ctx):
        if not isinstance(v, dict):
            raise ctx.fail(path, f"expected an object mapping parameter names to numbers, got "
                                 f"{_what(v)}")
        names = ctx.root["model"]["parameters"]
        extra = [k for k in v if k not in names]
        if extra:
            raise ctx.fail(path, f"unknown parameter(s) {', '.join(_short(k) for k in extra)}")
        missing = [n for n in names if n not in v]
        if missing:
            raise ctx.fail(path, f"missing parameter(s) {', '.join(missing)}")
        for k in v:
            Number().check(v[k], f"{path}.{k}", ctx)

    def text(self):
        return "object: every model parameter → exact number"


_kinds_body["margin-decreases"] = KindSchema((
    Field("model", Obj((
        Field("parameters", List(ModelName(), min=1, max=MAX_MODEL_NAMES),
              "the parameter names θ"),
        Field("inputs", List(ModelName(), min=1, max=MAX_MODEL_NAMES), "the input names x"),
        Field("output", Number(MODEL_NAMES), "Φ(θ; x), a polynomial in θ"),
    )), "a polynomial model (e.g. paths of different depths, or an output bias)"),
    Field("data", Obj((
        Field("x", List(List(Number(), length=MODEL_INPUTS), min=1, max=MAX_MODEL_SAMPLES),
              "the inputs"),
        Field("y", List(Enum((1, -1)), length=SAMPLES), "the labels"),
    )), "the samples"),
    Field("init", ModelPoint(), "θ(0), rationals"),
    Field("degree", Int(1, MAX_MODEL_DEGREE), "L, the output's top degree in θ: γ = min_i "
                                              "y_i Φ_i / ‖θ‖^L"),
    Field("losses", List(Enum(LOSSES), min=1, unique=True), "the losses (default both)",
          required=False),
    Field("radius", Number(), "a positive rational r: the proof's box around θ(0)"),
), "the normalized margin strictly decreases along gradient flow from `init` on an explicit "
   "interval [0, T]", instance=False)


# linear-per-layer-family, depth2-linear-family (Theorems 5.2, 4.2(1), 3.1 at depth 2 for all
# data): the multiplier rule is an expression in `lam` (Problem 2's multiplier λ_i)
MAX_SUPPORT = 64
LAM = sympy.Symbol("lam", real=True)
LAM_NAMES = Names("`lam`", lambda c: {"lam": LAM})
SUPPORT_RULES = ("singletons", "common", "any")
ZERO_NEURONS = ("excluded", "allowed")
PREDICTOR_PROBLEMS = ("l1", "l2")

_kinds_body["linear-per-layer-family"] = KindSchema((
    Field("shape", _network(("linear", "relu")),
          "the layer structure (entries 0 or parameter names; a name repeated inside a layer "
          "is shared; sharing across layers is refused); no data, no point"),
    Field("layers", List(Int(1, DEPTH), min=1, unique=True),
          "the layers l claimed (default every layer)", required=False),
    Field("multiplier_rule", Number(LAM_NAMES),
          "Problem 4's multiplier μ_i as a function of Problem 2's λ_i = `lam` (must be `lam`)"),
), "for every dataset and every KKT point θ̃ of Problem 2 of a linear network of this shape, "
   "every claimed layer ũ^(l) is a global optimum of Problem 4", instance=False)

_kinds_body["depth2-linear-family"] = KindSchema((
    Field("supports", Enum(SUPPORT_RULES),
          "the hidden neurons' input supports: `singletons` (one input each, every input "
          "seen: diagonal networks), `common` (every neuron sees all d inputs: "
          "fully-connected), `any` (no-share, sizes in `support_sizes`)"),
    Field("support_sizes", List(Int(1, MAX_SUPPORT), min=1, unique=True),
          "the support sizes r covered (`singletons`: [1]; `common`: the input dimensions d "
          "covered)"),
    Field("zero_neurons", Enum(ZERO_NEURONS),
          "`excluded`: the KKT point has every incoming weight vector non-zero (Theorem "
          "4.2(1)); `allowed`: any KKT point"),
    Field("predictor", Enum(PREDICTOR_PROBLEMS),
          "also claim β̃ = Σ_j v_j w_j solves Problem 3 (`l1`) or the SVM (`l2`)",
          required=False),
    Field("multiplier_rule", Number(LAM_NAMES),
          "the neuron-sum problem's multiplier as a function of Problem 2's λ_i = `lam` "
          "(must be `lam`)"),
), "for every depth-2 linear network in N_no-share of these supports, every width and every "
   "dataset, every KKT point θ̃ of Problem 2 (with non-zero neurons if `excluded`) is a global "
   "optimum", instance=False)

RATIO_VERDICT_KINDS = ("not-local", "local", "global")

# optimum-ratio's nested verdict: the kind-specific fields of one of RATIO_VERDICT_KINDS
# (its network, data, point and problem are the outer certificate's).
_ratio = _kinds_body["optimum-ratio"]
_kinds_body["optimum-ratio"] = KindSchema(_ratio.fields[:2] + (
    Field("verdict", Tagged("kind", {k: Obj(_kinds_body[k].fields) for k in RATIO_VERDICT_KINDS},
                            "the nested certificate's kind"),
          "the fields of a certificate of that kind about θ̃; it must be verified",
          required=False),) + _ratio.fields[2:], _ratio.doc, problems=_ratio.problems)

KINDS: Mapping[str, KindSchema] = _kinds_body
"""Every certificate kind's schema."""

_OBJS = {k: s.obj() for k, s in KINDS.items()}


# ---------------------------------------------------------------------------- validation


def validate(cert: Any, source: str = "<certificate>") -> None:
    """Check the whole certificate against its kind's table; InputError with the JSON path of
    the first offending field (one line)."""
    ctx = _Ctx(cert, source)
    if not isinstance(cert, dict):
        raise ctx.fail("$", f"a certificate must be a JSON object, got {_what(cert)}")
    if "symkkt_certificate" not in cert:
        raise ctx.fail("$.symkkt_certificate", "missing")
    Version().check(cert["symkkt_certificate"], "$.symkkt_certificate", ctx)
    if "kind" not in cert:
        raise ctx.fail("$.kind", "missing")
    kind = cert["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise ctx.fail("$.kind", f"kind={_short(kind)} is not one of {', '.join(KINDS)}")
    _OBJS[kind].check(cert, "$", ctx)


# ------------------------------------------------------------------------------- the docs


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: Sequence[Row]) -> list[str]:
    out = ["| field | type | required | meaning |", "| --- | --- | --- | --- |"]
    for r in rows:
        typ = r.type if "\\|" in r.type else _cell(r.type)
        out.append(f"| `{r.path}` | {typ} | {_cell(r.required)} | {_cell(r.doc)} |")
    return out


_SHARED = ("network", "data", "point")


def render_markdown() -> str:
    """The field reference: one table per kind, the shared instance fields once."""
    lines = [
        "Generated from `symkkt/kernel/schema.py` by `python docs/gen_field_reference.py`; "
        "do not edit by hand. The kernel validates every certificate against these tables "
        "before checking it: a missing or unknown field, a wrong JSON type (a boolean is "
        "never an integer), an out-of-range value or a duplicate key anywhere is an input "
        "error naming the field's JSON path (`symkkt check-cert` exits 2). An *exact number* "
        "is a JSON integer or a string in the whitelist grammar. Sizes that depend on other "
        "fields:",
        "",
    ]
    lines += [f"- `{name}`: {doc}" for name, doc in DIMS_DOC]
    lines += ["", "### Instance fields", "",
              "Kinds about a network, its data and a point (every kind below except "
              + ", ".join(f"`{k}`" for k, ks in KINDS.items() if not ks.instance)
              + ") have these fields; `problem` is listed with each kind (the problems it "
              "allows).", ""]
    shared = [Row("network", "object", "yes", "the network"),
              *_network(("linear", "relu")).rows("network"),
              Row("data", "object", "yes", "the samples"), *DATA.rows("data"),
              Row("point", POINT.text(), "yes", "the point θ̃")]
    lines += _table(shared)
    for kind, ks in KINDS.items():
        lines += ["", f"### `{kind}`", "", f"Certifies: {ks.doc}.", ""]
        rows = []
        if ks.instance:
            act = "" if ks.activations == ("linear", "relu") else \
                f" (activation {' or '.join(ks.activations)} only)"
            rows.append(Row("network, data, point", "instance fields" + act, "yes",
                            "see *Instance fields*"))
            prob = _problem(ks.problems)
            rows.append(Row("problem", prob.text(), "yes" if ks.problem_required else "no",
                            "the problem (default `{\"number\": 2}`)"))
            rows += prob.rows("problem")
        for f in ks.fields:
            req = f.required.text if isinstance(f.required, Cond) else \
                ("yes" if f.required else "no")
            rows.append(Row(f.name, f.spec.text(), req, f.doc))
            rows += f.spec.rows(f.name)
        lines += _table(rows)
    return "\n".join(lines) + "\n"
