"""Claim files: a user's network, data, point and claimed verdicts, in TOML.

The format is documented in ``docs/claim-files.md``. This module only *reads* a claim file;
:mod:`symkkt.check` runs the claims. Reading is safe by construction:

* the text is parsed by the standard library's ``tomllib`` (a data format, never code);
* every number goes through the kernel's whitelist grammar (:func:`parse_exact` on Python's
  ``ast``; never ``eval``, ``sympify`` or ``parse_expr``), which bounds exponents, nesting and
  length, and names nothing but the declared ones;
* sizes are bounded (file, network, data), so reading cannot hang or exhaust memory;
* nothing else is read and nothing is written.

Every problem is an :class:`~symkkt.errors.InputError` located at ``file:line:col``.
``tomllib`` reports no positions for valid documents, so :class:`Locator` re-scans the (then
known to be valid) text for the position of each key and value.
"""

from __future__ import annotations

import keyword
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

import sympy

from .errors import InputError, UndecidedError
from .kernel.exact import sign
from .kernel.grammar import parse_exact, parse_number
from .kernel.net import NetSpec

__all__ = ["KINDS", "ClaimSpec", "CurveSpec", "ClaimFile", "Locator", "load_claim_file",
           "parse_claim_text", "LIMITS"]

KINDS = ("kkt", "not-kkt", "not-local", "local", "global", "not-global", "convergence")
LOSSES = ("exp", "logistic")
EPSILON = sympy.Symbol("epsilon", positive=True)

LIMITS = {
    "file_bytes": 1_000_000,   # the whole claim file
    "layers": 8,               # depth of the network
    "width": 64,               # neurons per layer, and input dimension
    "params": 512,             # distinct parameters
    "samples": 100,            # data points
    "claims": 64,              # [[claim]] tables per file
    "int_digits": 1000,        # digits of a TOML integer
    "name_length": 64,         # characters of a parameter name or a claim label
    "sum_power": 64,           # exponent of a power of a sum, e.g. (1 + sqrt(2))**64
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LABEL = re.compile(r"[A-Za-z0-9_.=+-]+\Z")
_RESERVED = {"epsilon"}  # the curve variable; any other identifier may name a parameter

_TOP_KEYS = ("title", "network", "data", "point", "claim")
_CLAIM_KEYS = ("kind", "label", "problem", "layer", "multipliers", "curve", "better_point",
               "init", "losses", "invariant")
_CONVERGENCE_KEYS = ("init", "losses", "invariant")
_INVARIANT_KEYS = ("fixed", "equal", "positive")
_CURVE_KEYS = ("point", "substitution_power", "eps0")


# ------------------------------------------------------------------------------ locating


class Locator:
    """Positions (1-based line, column) of the keys and values of a *valid* TOML text.

    A path is a tuple of keys and array indices, e.g. ``("data", "x", 1, 0)`` or
    ``("claim", 0, "kind")``; array-of-tables elements are indexed in order. For a string value
    the position is that of its first character inside the quotes, so a grammar error can
    point into the string. Unknown paths fall back to the nearest known ancestor.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: dict[tuple, tuple[int, int]] = {}
        self.keys: dict[tuple, tuple[int, int]] = {}
        self._starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._starts.append(i + 1)
        try:
            self._scan()
        except (IndexError, ValueError, RecursionError):
            pass  # positions are a convenience: keep whatever was found

    # -- public

    def position(self, i: int) -> tuple[int, int]:
        """Line and column (1-based) of character offset ``i``."""
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, i - self._starts[lo] + 1

    def end(self) -> tuple[int, int]:
        return self.position(len(self.text))

    def value(self, path: tuple) -> tuple[int, int]:
        return self._lookup(path, prefer_value=True)

    def key(self, path: tuple) -> tuple[int, int]:
        return self._lookup(path, prefer_value=False)

    def _lookup(self, path: tuple, prefer_value: bool) -> tuple[int, int]:
        p = tuple(path)
        while p:
            first, second = (self.values, self.keys) if prefer_value else (self.keys, self.values)
            if p in first:
                return first[p]
            if p in second:
                return second[p]
            p = p[:-1]
        return 1, 1

    # -- scanner (the text is valid TOML: tomllib accepted it)

    def _scan(self) -> None:
        t = self.text
        n = len(t)
        i = 0
        table: tuple = ()
        aot: dict[tuple, int] = {}

        def resolve(keys: list[str]) -> tuple:
            res: tuple = ()
            for k in keys:
                res = res + (k,)
                if res in aot:
                    res = res + (aot[res] - 1,)
            return res

        while i < n:
            i = self._skip(i, newlines=True)
            if i >= n:
                break
            if t[i] == "[":
                double = t.startswith("[[", i)
                j = i + (2 if double else 1)
                keys, j = self._key(j)
                j = self._skip(j, newlines=False)
                j += 2 if double else 1
                if double:
                    parent = resolve(keys[:-1]) + (keys[-1],)
                    aot[parent] = aot.get(parent, 0) + 1
                    table = parent + (aot[parent] - 1,)
                    self.keys.setdefault(parent, self.position(i))
                else:
                    table = resolve(keys)
                self.keys[table] = self.position(i)
                i = self._eol(j)
                continue
            keys, j = self._key(i)
            path = table + tuple(keys)
            self.keys[path] = self.position(i)
            j = self._skip(j, newlines=False)
            j = self._skip(j + 1, newlines=False)  # '='
            j = self._value(j, path)
            i = self._eol(j)

    def _skip(self, i: int, newlines: bool) -> int:
        t = self.text
        while i < len(t):
            ch = t[i]
            if ch in " \t\r" or (newlines and ch == "\n"):
                i += 1
            elif ch == "#":
                while i < len(t) and t[i] != "\n":
                    i += 1
            else:
                break
        return i

    def _eol(self, i: int) -> int:
        t = self.text
        while i < len(t) and t[i] != "\n":
            i += 1
        return i + 1

    def _key(self, i: int) -> tuple[list[str], int]:
        t = self.text
        keys: list[str] = []
        while True:
            i = self._skip(i, newlines=False)
            if t[i] in "\"'":
                s, i = self._string(i)
                keys.append(s)
            else:
                j = i
                while j < len(t) and (t[j].isalnum() or t[j] in "_-"):
                    j += 1
                keys.append(t[i:j])
                i = j
            i = self._skip(i, newlines=False)
            if i < len(t) and t[i] == ".":
                i += 1
                continue
            return keys, i

    def _string(self, i: int) -> tuple[str, int]:
        """A quoted string at ``i``: (its raw content, the index after it)."""
        t = self.text
        q = t[i]
        if t.startswith(q * 3, i):
            end = i + 3
            while True:
                k = t.index(q * 3, end)
                if q == '"' and _escaped(t, k):
                    end = k + 1
                    continue
                while t.startswith(q, k + 3):  # up to two quotes may precede the closer
                    k += 1
                return t[i + 3:k], k + 3
        j = i + 1
        while t[j] != q or (q == '"' and _escaped(t, j)):
            j += 1
        return t[i + 1:j], j + 1

    def _value(self, i: int, path: tuple) -> int:
        t = self.text
        ch = t[i]
        if ch in "\"'":
            off = 3 if t.startswith(ch * 3, i) else 1
            start = i + off
            if off == 3 and t.startswith("\n", start):
                start += 1
            elif off == 3 and t.startswith("\r\n", start):
                start += 2
            self.values[path] = self.position(start)
            _, j = self._string(i)
            return j
        self.values[path] = self.position(i)
        if ch == "[":
            j = i + 1
            idx = 0
            while True:
                j = self._skip(j, newlines=True)
                if t[j] == "]":
                    return j + 1
                j = self._value(j, path + (idx,))
                idx += 1
                j = self._skip(j, newlines=True)
                if t[j] == ",":
                    j += 1
        if ch == "{":
            j = i + 1
            while True:
                j = self._skip(j, newlines=False)
                if t[j] == "}":
                    return j + 1
                keys, k = self._key(j)
                sub = path + tuple(keys)
                self.keys[sub] = self.position(j)
                k = self._skip(k, newlines=False)
                k = self._skip(k + 1, newlines=False)
                j = self._value(k, sub)
                j = self._skip(j, newlines=False)
                if t[j] == ",":
                    j += 1
        j = i
        while j < len(t) and t[j] not in ",]}\n#" and not (t[j] in " \t\r"
                                                           and not _in_datetime(t, i, j)):
            j += 1
        return j


def _escaped(t: str, k: int) -> bool:
    """True if the character at ``k`` is preceded by an odd number of backslashes."""
    n = 0
    while k - 1 - n >= 0 and t[k - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def _in_datetime(t: str, start: int, j: int) -> bool:
    # a TOML date-time may use a space between date and time: "1979-05-27 07:32:00"
    return t[j] == " " and re.fullmatch(r"\d{4}-\d{2}-\d{2}", t[start:j]) is not None and \
        j + 1 < len(t) and t[j + 1].isdigit()


# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class CurveSpec:
    """A hand-made curve θ'(ε) for a ``not-local`` claim (parameters not listed stay fixed)."""

    point: Mapping[str, sympy.Expr]
    substitution_power: int | None = None
    eps0: sympy.Rational | None = None


@dataclass(frozen=True)
class ClaimSpec:
    """One ``[[claim]]`` table."""

    index: int                     # 1-based position in the file
    kind: str
    label: str
    layer: int | None = None       # Problem 4 for this layer (1-based); None = Problem 2
    multipliers: tuple[sympy.Expr, ...] | None = None
    curve: CurveSpec | None = None
    better_point: Mapping[str, sympy.Expr] | None = None
    line: int = 1
    init: Mapping[str, sympy.Expr] | None = None        # kind "convergence": θ(0)
    losses: tuple[str, ...] = LOSSES                     # kind "convergence"
    invariant: Mapping[str, Any] | None = None           # kind "convergence"; None = search


@dataclass(frozen=True)
class ClaimFile:
    """A validated claim file: everything exact, every name checked."""

    source: str
    network: NetSpec
    X: tuple[tuple[sympy.Expr, ...], ...]
    Y: tuple[int, ...]
    point: Mapping[str, sympy.Expr]
    claims: tuple[ClaimSpec, ...]
    title: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------ reading


class _TomlFloat(str):
    """The raw text of a TOML float (kept as text so it can be read exactly)."""


def load_claim_file(path: str | Path) -> ClaimFile:
    """Read and validate one claim file; any problem is an InputError at ``file:line:col``."""
    p = Path(path)
    source = str(path)
    try:
        if not p.is_file():
            raise InputError("no such file" if not p.exists() else "not a regular file",
                             source)
        size = p.stat().st_size
        if size > LIMITS["file_bytes"]:
            raise InputError(f"file too large: {size} bytes (the limit is "
                             f"{LIMITS['file_bytes']} bytes)", source, 1, 1)
        with p.open("rb") as fh:
            data = fh.read(LIMITS["file_bytes"] + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source) from None
    return parse_claim_bytes(data, source)


def parse_claim_bytes(data: bytes, source: str) -> ClaimFile:
    if len(data) > LIMITS["file_bytes"]:
        raise InputError(f"file too large: more than {LIMITS['file_bytes']} bytes", source, 1, 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[:exc.start]
        line = head.count(b"\n") + 1
        col = exc.start - (head.rfind(b"\n") + 1) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", source, line,
                         col) from None
    return parse_claim_text(text, source)


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*\Z")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*\Z")


def parse_claim_text(text: str, source: str = "<claims>") -> ClaimFile:
    """Parse and validate claim-file text (see :func:`load_claim_file`)."""
    if not isinstance(text, str):
        raise InputError("claim file text must be a string", source)
    return _Builder(text, source, load_toml(text, source)).build()


def load_toml(text: str, source: str) -> dict:
    """TOML text as a document, within the size limit, every error an :class:`InputError`
    located at ``source:line:col`` (shared by claim files and conjecture files)."""
    if len(text.encode("utf-8", "surrogatepass")) > LIMITS["file_bytes"]:
        raise InputError(f"file too large: more than {LIMITS['file_bytes']} bytes", source, 1, 1)
    if "\x00" in text:
        i = text.index("\x00")
        line = text.count("\n", 0, i) + 1
        raise InputError("malformed TOML: NUL character", source, line,
                         i - (text.rfind("\n", 0, i) + 1) + 1)
    try:
        doc = tomllib.loads(text, parse_float=_TomlFloat)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        if m:
            raise InputError(f"malformed TOML: {msg[:m.start()]}", source, int(m.group(1)),
                             int(m.group(2))) from None
        m = _TOML_END.search(msg)
        line, col = _end(text)
        raise InputError(f"malformed TOML: {msg[:m.start()] if m else msg} (at the end of "
                         f"the file)", source, line, col) from None
    except RecursionError:
        raise InputError("malformed TOML: arrays or tables nested too deeply", source, 1,
                         1) from None
    except (ValueError, MemoryError) as exc:  # e.g. an integer with too many digits
        raise InputError(f"malformed TOML: {str(exc).split(';')[0]}", source, 1, 1) from None
    return doc


def _end(text: str) -> tuple[int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


class _Builder:
    """Validate the parsed document against the claim-file schema, with positions."""

    def __init__(self, text: str, source: str, doc: dict) -> None:
        self.source = source
        self.doc = doc
        self.loc = Locator(text)

    # -- errors

    def at_value(self, path: tuple, msg: str) -> InputError:
        line, col = self.loc.value(path)
        return InputError(msg, self.source, line, col)

    def at_key(self, path: tuple, msg: str) -> InputError:
        line, col = self.loc.key(path)
        return InputError(msg, self.source, line, col)

    def where(self, path: tuple) -> str:
        out = ""
        for p in path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out

    # -- typed access

    def table(self, obj: Any, path: tuple, allowed: tuple[str, ...]) -> dict:
        if not isinstance(obj, dict):
            raise self.at_value(path, f"{self.where(path)} must be a table, not "
                                      f"{_tname(obj)}")
        for k in obj:
            if k not in allowed:
                raise self.at_key(path + (k,), f"unknown key {k!r} in "
                                               f"{self.where(path) or 'the top level'} "
                                               f"(allowed: {', '.join(allowed)})")
        return obj

    def require(self, obj: dict, key: str, path: tuple):
        if key not in obj:
            raise self.at_key(path, f"{self.where(path) or 'the file'} is missing the key "
                                    f"{key!r}")
        return obj[key]

    def array(self, obj: Any, path: tuple, what: str) -> list:
        if not isinstance(obj, list):
            raise self.at_value(path, f"{self.where(path)} must be an array ({what}), not "
                                      f"{_tname(obj)}")
        return obj

    def integer(self, obj: Any, path: tuple) -> int:
        if isinstance(obj, bool) or not isinstance(obj, int):
            raise self.at_value(path, f"{self.where(path)} must be an integer, not "
                                      f"{_tname(obj)}")
        return obj

    def number(self, obj: Any, path: tuple, names: Mapping[str, sympy.Symbol] | None = None
               ) -> sympy.Expr:
        """An exact number: a TOML integer, a TOML float (read exactly) or grammar text."""
        line, col = self.loc.value(path)
        if isinstance(obj, bool):
            raise InputError(f"{self.where(path)} must be a number, not a boolean", self.source,
                             line, col)
        if isinstance(obj, int):
            if len(str(abs(obj))) > LIMITS["int_digits"]:
                raise InputError(f"{self.where(path)}: integer with more than "
                                 f"{LIMITS['int_digits']} digits", self.source, line, col)
            return sympy.Integer(obj)
        if isinstance(obj, _TomlFloat):
            return _toml_float(str(obj), self.source, line, col, self.where(path))
        if isinstance(obj, str):
            try:
                if names:
                    v = parse_exact(obj, names, source=self.source, line=line, col=col)
                else:
                    v = parse_number(obj, source=self.source, line=line, col=col)
            except InputError:
                raise
            except (RecursionError, MemoryError):
                raise InputError(f"{self.where(path)}: expression too deeply nested or too "
                                 f"large", self.source, line, col) from None
            except Exception as exc:  # sympy failing on odd input is still bad input
                raise InputError(f"{self.where(path)}: cannot evaluate {_short(obj)} "
                                 f"({type(exc).__name__})", self.source, line, col) from None
            return _real(v, self.source, line, col, self.where(path))
        raise InputError(f"{self.where(path)} must be a number (an integer or a string such "
                         f"as \"1/4\" or \"sqrt(2)/2\"), not {_tname(obj)}", self.source, line,
                         col)

    # -- sections

    def build(self) -> ClaimFile:
        doc = self.table(self.doc, (), _TOP_KEYS)
        for key in ("network", "data", "point", "claim"):
            if key not in doc:
                raise InputError(f"missing [{key}]{' table' if key != 'claim' else ''}"
                                 + (" (add at least one [[claim]] table)" if key == "claim"
                                    else ""), self.source, 1, 1)
        title = doc.get("title")
        if title is not None and not (isinstance(title, str) and len(title) <= 200):
            raise self.at_value(("title",), "title must be a string of at most 200 characters")
        net = self.network(doc["network"])
        X, Y = self.data(doc["data"], net)
        point = self.point(doc["point"], net)
        claims = self.claims(doc["claim"], net, len(X))
        return ClaimFile(self.source, net, X, Y, point, claims, title)

    def network(self, obj: Any) -> NetSpec:
        path = ("network",)
        obj = self.table(obj, path, ("activation", "layers"))
        act = self.require(obj, "activation", path)
        if act not in ("linear", "relu"):
            raise self.at_value(path + ("activation",), f"activation {act!r} must be "
                                                        f"\"linear\" or \"relu\"")
        lp = path + ("layers",)
        layers_raw = self.array(self.require(obj, "layers", path), lp,
                                "one matrix per layer, input to output")
        if not layers_raw:
            raise self.at_value(lp, "network.layers is empty: give at least one layer")
        if len(layers_raw) > LIMITS["layers"]:
            raise self.at_value(lp, f"{len(layers_raw)} layers: at most {LIMITS['layers']} "
                                    f"are supported")
        layers = []
        seen: dict[str, int] = {}
        prev_out: int | None = None
        for l, layer in enumerate(layers_raw, start=1):
            ll = lp + (l - 1,)
            rows = self.array(layer, ll, f"layer {l}: a list of rows, one per neuron")
            if not rows:
                raise self.at_value(ll, f"layer {l} has no rows (neurons)")
            if len(rows) > LIMITS["width"]:
                raise self.at_value(ll, f"layer {l} has {len(rows)} neurons: at most "
                                        f"{LIMITS['width']} are supported")
            width = None
            out_rows = []
            for r, row in enumerate(rows):
                rp = ll + (r,)
                entries = self.array(row, rp, f"row {r + 1} of layer {l}: one entry per input")
                if not entries:
                    raise self.at_value(rp, f"row {r + 1} of layer {l} is empty")
                if width is None:
                    width = len(entries)
                    if width > LIMITS["width"]:
                        raise self.at_value(rp, f"layer {l} has {width} inputs: at most "
                                                f"{LIMITS['width']} are supported")
                elif len(entries) != width:
                    raise self.at_value(rp, f"wrong shape: row {r + 1} of layer {l} has "
                                            f"{len(entries)} entries, row 1 has {width}")
                names = []
                for c, e in enumerate(entries):
                    names.append(self.entry(e, rp + (c,), l, seen))
                out_rows.append(tuple(names))
            if prev_out is not None and width != prev_out:
                raise self.at_value(ll, f"wrong shape: layer {l} takes {width} inputs but "
                                        f"layer {l - 1} has {prev_out} neurons")
            prev_out = len(rows)
            layers.append(tuple(out_rows))
        if len(layers[-1]) != 1:
            raise self.at_value(lp + (len(layers) - 1,),
                                f"wrong shape: the output layer must have one row (one output "
                                f"neuron), not {len(layers[-1])}")
        if len(seen) > LIMITS["params"]:
            raise self.at_value(lp, f"{len(seen)} parameters: at most {LIMITS['params']} are "
                                    f"supported")
        if not seen:
            raise self.at_value(lp, "the network has no parameters (every entry is 0)")
        try:
            return NetSpec(act, tuple(layers))
        except InputError as exc:
            raise self.at_value(lp, exc.message) from None

    def entry(self, e: Any, path: tuple, layer: int, seen: dict[str, int]) -> str | None:
        if isinstance(e, int) and not isinstance(e, bool) and e == 0:
            return None
        if isinstance(e, str):
            if e.strip() == "0":
                return None
            self.check_name(e, path, f"weight entry in layer {layer}")
            first = seen.setdefault(e, layer)
            if first != layer:
                raise self.at_value(path, f"parameter {e!r} is used in layers {first} and "
                                          f"{layer}: weights may be shared inside one layer "
                                          f"only")
            return e
        raise self.at_value(path, f"weight entry {_short(e)} must be 0 or a parameter name "
                                  f"(a string such as \"w1\")")

    def check_name(self, name: str, path: tuple, what: str, key: bool = False) -> None:
        err = self.at_key if key else self.at_value
        if len(name) > LIMITS["name_length"]:
            raise err(path, f"{what}: name longer than {LIMITS['name_length']} characters")
        if not _NAME.match(name) or keyword.iskeyword(name):
            raise err(path, f"{what}: {name!r} is not an identifier (letters, digits and _, "
                            f"not starting with a digit, not a Python keyword)")
        if name in _RESERVED:
            raise err(path, f"{what}: {name!r} is reserved for the curve variable")

    def data(self, obj: Any, net: NetSpec):
        path = ("data",)
        obj = self.table(obj, path, ("x", "y"))
        xp, yp = path + ("x",), path + ("y",)
        xs = self.array(self.require(obj, "x", path), xp, "one input vector per sample")
        ys = self.array(self.require(obj, "y", path), yp, "one label per sample")
        if not xs:
            raise self.at_value(xp, "data.x is empty: give at least one sample")
        if len(xs) > LIMITS["samples"]:
            raise self.at_value(xp, f"{len(xs)} samples: at most {LIMITS['samples']} are "
                                    f"supported")
        if len(ys) != len(xs):
            raise self.at_value(yp, f"wrong shape: {len(xs)} inputs in data.x but {len(ys)} "
                                    f"labels in data.y")
        X = []
        for i, x in enumerate(xs):
            ip = xp + (i,)
            row = self.array(x, ip, f"input {i + 1}: {net.input_dim} numbers")
            if len(row) != net.input_dim:
                raise self.at_value(ip, f"wrong shape: input {i + 1} has {len(row)} entries, "
                                        f"the network takes {net.input_dim}")
            vals = tuple(self.number(v, ip + (j,)) for j, v in enumerate(row))
            try:
                zero = all(sign(v) == 0 for v in vals)
            except UndecidedError:
                raise self.at_value(ip, f"cannot decide exactly whether input {i + 1} is "
                                        f"zero") from None
            if zero:
                raise self.at_value(ip, f"input {i + 1} is the zero vector: no network in N "
                                        f"can give it a positive margin")
            X.append(vals)
        Y = []
        for i, y in enumerate(ys):
            if isinstance(y, bool) or not isinstance(y, int) or y not in (1, -1):
                raise self.at_value(yp + (i,), f"label {i + 1} is {_short(y)}: labels must be "
                                               f"the integers 1 or -1")
            Y.append(int(y))
        return tuple(X), tuple(Y)

    def point(self, obj: Any, net: NetSpec, path: tuple = ("point",),
              names: Mapping[str, sympy.Symbol] | None = None, complete: bool = True,
              what: str = "point") -> dict[str, sympy.Expr]:
        if not isinstance(obj, dict):
            raise self.at_value(path, f"{self.where(path)} must be a table mapping parameter "
                                      f"names to numbers, not {_tname(obj)}")
        for k in obj:
            if k not in net.params:
                self.check_name(k, path + (k,), f"{what}", key=True)
                raise self.at_key(path + (k,), f"unknown parameter {k!r} in "
                                               f"[{self.where(path)}]: the network's "
                                               f"parameters are {', '.join(net.params)}")
        if complete:
            missing = [p for p in net.params if p not in obj]
            if missing:
                raise self.at_key(path, f"[{self.where(path)}] is missing parameter(s) "
                                        f"{', '.join(missing)}: give every parameter a value")
        return {p: self.number(obj[p], path + (p,), names) for p in net.params if p in obj}

    def claims(self, obj: Any, net: NetSpec, n: int) -> tuple[ClaimSpec, ...]:
        path = ("claim",)
        if not isinstance(obj, list) or not all(isinstance(c, dict) for c in obj):
            raise self.at_key(path, "claims must be an array of tables: write [[claim]] "
                                    "(double brackets) before each claim")
        if not obj:
            raise self.at_key(path, "no claims: add at least one [[claim]] table")
        if len(obj) > LIMITS["claims"]:
            raise self.at_key(path, f"{len(obj)} claims: at most {LIMITS['claims']} per file")
        out = []
        labels: dict[str, int] = {}
        for c, raw in enumerate(obj):
            cp = path + (c,)
            raw = self.table(raw, cp, _CLAIM_KEYS)
            kind = self.require(raw, "kind", cp)
            if kind not in KINDS:
                raise self.at_value(cp + ("kind",), f"unknown claim kind {_short(kind)} "
                                                    f"(one of: {', '.join(KINDS)})")
            label = raw.get("label", f"claim{c + 1}")
            if not (isinstance(label, str) and _LABEL.match(label)
                    and len(label) <= LIMITS["name_length"]):
                raise self.at_value(cp + ("label",), "label must be a short string of letters, "
                                                     "digits and . _ - + =")
            if label in labels:
                raise self.at_value(cp + ("label",), f"label {label!r} is also used by claim "
                                                     f"{labels[label]}")
            labels[label] = c + 1
            for key in _CONVERGENCE_KEYS:
                if key in raw and kind != "convergence":
                    raise self.at_key(cp + (key,), f"{key} is only read for kind "
                                                   f"\"convergence\", not {kind!r}")
            conv: dict[str, Any] = {}
            if kind == "convergence":
                conv = self.convergence(raw, cp, net, n)
            layer = self.problem(raw, cp, net)
            multipliers = None
            if "multipliers" in raw:
                mp = cp + ("multipliers",)
                if kind != "kkt":
                    raise self.at_key(mp, f"multipliers are only read for kind \"kkt\", not "
                                          f"{kind!r}")
                ms = self.array(raw["multipliers"], mp, "one multiplier per sample")
                if len(ms) != n:
                    raise self.at_value(mp, f"wrong shape: {len(ms)} multipliers for {n} "
                                            f"samples")
                multipliers = tuple(self.number(v, mp + (i,)) for i, v in enumerate(ms))
            curve = None
            if "curve" in raw:
                if kind != "not-local":
                    raise self.at_key(cp + ("curve",), f"a curve is only read for kind "
                                                       f"\"not-local\", not {kind!r}")
                curve = self.curve(raw["curve"], cp + ("curve",), net)
            better = None
            if "better_point" in raw:
                bp = cp + ("better_point",)
                if kind != "not-global":
                    raise self.at_key(bp, f"better_point is only read for kind "
                                          f"\"not-global\", not {kind!r}")
                better = self.point(raw["better_point"], net, bp, complete=False,
                                    what="better_point")
            line = self.loc.key(cp)[0]
            out.append(ClaimSpec(c + 1, kind, label, layer, multipliers, curve, better, line,
                                 **conv))
        return tuple(out)

    def convergence(self, raw: dict, cp: tuple, net: NetSpec, n: int) -> dict[str, Any]:
        """The keys of a ``convergence`` claim: ``init``, ``losses``, ``invariant``."""
        from .kernel.convergence import MAX_SAMPLES

        if "layer" in raw or raw.get("problem", 2) != 2:
            key = "layer" if "layer" in raw else "problem"
            raise self.at_key(cp + (key,), "kind \"convergence\" is about Problem 2 only (all "
                                           "parameters): remove problem/layer")
        if n > MAX_SAMPLES:
            raise self.at_value(cp + ("kind",), f"kind \"convergence\" handles at most "
                                                f"{MAX_SAMPLES} samples; the file has {n}")
        if "init" not in raw:
            raise self.at_key(cp, "kind \"convergence\" needs init = {name = number, ...}: "
                                  "the initialization theta(0), every parameter")
        init = self.point(raw["init"], net, cp + ("init",), what="init")
        out: dict[str, Any] = {"init": init}
        if "losses" in raw:
            lp = cp + ("losses",)
            items = self.array(raw["losses"], lp, f"a subset of {list(LOSSES)}")
            if not items:
                raise self.at_value(lp, f"losses is empty: give a subset of {list(LOSSES)} "
                                        f"or leave the key out (both)")
            seen: list[str] = []
            for i, v in enumerate(items):
                if v not in LOSSES or not isinstance(v, str):
                    raise self.at_value(lp + (i,), f"unknown loss {_short(v)} (allowed: "
                                                   f"{', '.join(LOSSES)})")
                if v in seen:
                    raise self.at_value(lp + (i,), f"loss {v!r} is listed twice")
                seen.append(v)
            out["losses"] = tuple(seen)
        if "invariant" in raw:
            out["invariant"] = self.invariant(raw["invariant"], cp + ("invariant",), net)
        return out

    def invariant(self, obj: Any, path: tuple, net: NetSpec) -> dict[str, Any]:
        obj = self.table(obj, path, _INVARIANT_KEYS)

        def names(v: Any, p: tuple, what: str) -> list[str]:
            items = self.array(v, p, what)
            out = []
            for i, n in enumerate(items):
                if not isinstance(n, str):
                    raise self.at_value(p + (i,), f"{self.where(p)}: {_short(n)} must be a "
                                                  f"parameter name (a string)")
                if n not in net.params:
                    raise self.at_value(p + (i,), f"unknown parameter {_short(n)} in "
                                                  f"{self.where(p)}: the network's parameters "
                                                  f"are {', '.join(net.params)}")
                out.append(n)
            return out

        seen: dict[str, str] = {}

        def once(n: str, p: tuple, what: str) -> None:
            if n in seen:
                raise self.at_value(p, f"parameter {n!r} is in {seen[n]} and in {what}: each "
                                       f"name at most once in fixed and equal")
            seen[n] = what

        fp = path + ("fixed",)
        fixed = names(obj.get("fixed", []), fp, "parameter names that keep their initial value")
        for i, n in enumerate(fixed):
            once(n, fp + (i,), "fixed")
        ep = path + ("equal",)
        groups = self.array(obj.get("equal", []), ep, "groups of parameter names that stay "
                                                      "equal, e.g. [[\"v1\", \"v2\"]]")
        equal = []
        for k, g in enumerate(groups):
            gp = ep + (k,)
            grp = names(g, gp, "a group of parameter names")
            if len(grp) < 2:
                raise self.at_value(gp, f"{self.where(gp)}: a group needs at least 2 names")
            for i, n in enumerate(grp):
                once(n, gp + (i,), f"equal group {k + 1}")
            equal.append(grp)
        pp = path + ("positive",)
        positive = names(obj.get("positive", []), pp, "parameter names that stay > 0")
        for i, n in enumerate(positive):
            if n in fixed:
                raise self.at_value(pp + (i,), f"parameter {n!r} is fixed: it cannot also be "
                                               f"positive")
            if n in positive[:i]:
                raise self.at_value(pp + (i,), f"parameter {n!r} is listed twice")
        return {"fixed": fixed, "equal": equal, "positive": positive}

    def problem(self, raw: dict, cp: tuple, net: NetSpec) -> int | None:
        number = raw.get("problem")
        if number is not None:
            number = self.integer(number, cp + ("problem",))
            if number not in (2, 4):
                raise self.at_value(cp + ("problem",), f"problem {number} must be 2 (all "
                                                       f"parameters) or 4 (one layer)")
        layer = raw.get("layer")
        if layer is None:
            if number == 4:
                raise self.at_key(cp + ("problem",), "problem = 4 needs layer = l (the layer "
                                                     "to optimize, counted from 1)")
            return None
        layer = self.integer(layer, cp + ("layer",))
        if number == 2:
            raise self.at_key(cp + ("layer",), "layer is only used with problem = 4")
        if not 1 <= layer <= net.depth:
            raise self.at_value(cp + ("layer",), f"layer {layer} must be between 1 and "
                                                 f"{net.depth}")
        return layer

    def curve(self, obj: Any, path: tuple, net: NetSpec) -> CurveSpec:
        obj = self.table(obj, path, _CURVE_KEYS)
        pt = self.point(self.require(obj, "point", path), net, path + ("point",),
                        names={"epsilon": EPSILON}, complete=False, what="curve point")
        if not pt:
            raise self.at_value(path + ("point",), "the curve moves no parameter")
        k = obj.get("substitution_power")
        if k is not None:
            k = self.integer(k, path + ("substitution_power",))
            if not 1 <= k <= 12:
                raise self.at_value(path + ("substitution_power",),
                                    f"substitution_power {k} must be between 1 and 12")
        eps0 = None
        if "eps0" in obj:
            eps0 = self.number(obj["eps0"], path + ("eps0",))
            if not (eps0.is_Rational and eps0 > 0):
                raise self.at_value(path + ("eps0",), "eps0 must be a positive rational")
        return CurveSpec(pt, k, eps0)


_FLOAT = re.compile(r"[+-]?(\d+)(\.\d+)?([eE][+-]?\d+)?\Z")


def _toml_float(raw: str, source: str, line: int, col: int, where: str) -> sympy.Rational:
    text = raw.replace("_", "")
    m = _FLOAT.match(text)
    if not m:
        raise InputError(f"{where}: {raw} is not a finite number", source, line, col)
    if m.group(3) and abs(int(m.group(3)[1:])) > 1000:
        raise InputError(f"{where}: exponent in {raw} is above 1000", source, line, col)
    if len(text) > 1100:
        raise InputError(f"{where}: number too long", source, line, col)
    f = Fraction(text)
    return sympy.Rational(f.numerator, f.denominator)


def _real(v: Any, source: str, line: int, col: int, where: str) -> sympy.Expr:
    """``v`` if it is a finite real number (curves may contain ``epsilon``)."""
    if not isinstance(v, sympy.Expr):
        raise InputError(f"{where}: not a number", source, line, col)
    bad = (sympy.I, sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)
    if any(v.has(b) for b in bad) or v.is_extended_real is False or v.is_finite is False:
        raise InputError(f"{where}: {_short(str(v))} is not a finite real number", source,
                         line, col)
    for node in sympy.preorder_traversal(v):
        if (isinstance(node, sympy.Pow) and node.base.is_Add and node.exp.is_Integer
                and abs(node.exp) > LIMITS["sum_power"]):
            raise InputError(f"{where}: a power of a sum with exponent {node.exp} is too "
                             f"expensive to expand exactly (at most {LIMITS['sum_power']})",
                             source, line, col)
    return v


def _tname(obj: Any) -> str:
    if isinstance(obj, bool):
        return "a boolean"
    if isinstance(obj, int):
        return "an integer"
    if isinstance(obj, _TomlFloat):
        return "a float"
    if isinstance(obj, str):
        return "a string"
    if isinstance(obj, list):
        return "an array"
    if isinstance(obj, dict):
        return "a table"
    return f"a {type(obj).__name__} value"


def _short(obj: Any) -> str:
    r = repr(obj) if not isinstance(obj, _TomlFloat) else str(obj)
    return r if len(r) <= 40 else r[:37] + "..."
