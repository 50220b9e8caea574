"""Conjecture files (TOML): what ``symkkt explore`` searches counterexamples for.

Read with the claim files' conventions (:mod:`symkkt.claimfile`): ``tomllib`` only (data, never
code), bounded sizes, a whitelist of keys and values, and every problem one
:class:`~symkkt.errors.InputError` at ``file:line:col`` (exit code 2). Format::

    [conjecture]
    title = "depth-2 ReLU: GF reaches a local optimum"
    activation = "relu"                  # linear | relu
    architecture = "fully-connected"     # fully-connected | diagonal | conv | no-share
    input_dim = 2
    hidden = [2]                         # fully-connected, no-share: hidden widths
    # depth = 3                          # diagonal: depth m (width = input_dim)
    # patch = 2, patches = 2             # conv (input_dim = patch * patches)
    samples = 2                          # or [min, max]
    labels = "any"                       # any | positive
    hypotheses = ["gf-limit"]            # kkt, gf-limit, nonzero-neurons, nonzero-inputs
    problem = 2                          # 2, or 4 with layer = l
    conclusion = "local"                 # global | local | per-layer-global | per-layer-local
    max_coordinate = 3                   # data coordinates are integers in [-3, 3]
    inits = 3                            # gradient-flow initializations per instance

Instead of ``architecture`` a top-level ``[network]`` table (as in claim files) fixes the
network itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..claimfile import LIMITS, _Builder, _short, load_toml
from ..errors import InputError
from ..kernel.net import NetSpec
from ..network import conv_disjoint, diagonal, fully_connected

__all__ = ["Conjecture", "load_conjecture", "parse_conjecture_text", "ARCHITECTURES",
           "HYPOTHESES", "CONCLUSIONS"]

ARCHITECTURES = ("fully-connected", "diagonal", "conv", "no-share")
HYPOTHESES = ("kkt", "gf-limit", "nonzero-neurons", "nonzero-inputs")
CONCLUSIONS = ("global", "local", "per-layer-global", "per-layer-local")
LABELS = ("any", "positive")
_KEYS = ("title", "activation", "architecture", "input_dim", "hidden", "depth", "patch",
         "patches", "samples", "labels", "hypotheses", "problem", "layer", "conclusion",
         "max_coordinate", "inits")
_EXPLORE_LIMITS = {"input_dim": 6, "hidden": 4, "width": 6, "depth": 6, "samples": 8,
                   "max_coordinate": 100, "inits": 16}


@dataclass(frozen=True)
class Conjecture:
    """A validated conjecture: the family of instances and the claimed implication."""

    source: str
    title: str
    activation: str
    architecture: str            # one of ARCHITECTURES, or "network" for a [network] table
    input_dim: int
    hidden: tuple[int, ...]
    depth: int
    samples: tuple[int, int]
    labels: str
    hypotheses: tuple[str, ...]
    problem: int
    layer: int | None
    conclusion: str
    max_coordinate: int = 3
    inits: int = 2
    patch: int = 2
    patches: int = 2
    network: NetSpec | None = field(default=None, repr=False)

    def base_network(self) -> NetSpec:
        """The network (for ``no-share`` the fully-connected one a sparsity mask thins)."""
        if self.network is not None:
            return self.network
        if self.architecture in ("fully-connected", "no-share"):
            return fully_connected([self.input_dim, *self.hidden], self.activation)
        if self.architecture == "diagonal":
            return diagonal(self.input_dim, self.depth, self.activation)
        return conv_disjoint(self.patch, self.patches, self.activation)

    def to_json(self) -> dict:
        out = {"source": self.source, "title": self.title, "activation": self.activation,
               "architecture": self.architecture, "input_dim": self.input_dim,
               "hidden": list(self.hidden), "depth": self.depth,
               "samples": list(self.samples), "labels": self.labels,
               "hypotheses": list(self.hypotheses), "problem": self.problem,
               "layer": self.layer, "conclusion": self.conclusion,
               "max_coordinate": self.max_coordinate, "inits": self.inits}
        if self.architecture == "conv":
            out.update({"patch": self.patch, "patches": self.patches})
        if self.network is not None:
            out["network"] = self.network.to_json()
        return out


def load_conjecture(path: str | Path) -> Conjecture:
    p = Path(path)
    source = str(path)
    try:
        if not p.is_file():
            raise InputError("no such file" if not p.exists() else "not a regular file", source)
        size = p.stat().st_size
        if size > LIMITS["file_bytes"]:
            raise InputError(f"file too large: {size} bytes (the limit is "
                             f"{LIMITS['file_bytes']} bytes)", source, 1, 1)
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[:exc.start]
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", source,
                         head.count(b"\n") + 1, exc.start - (head.rfind(b"\n") + 1) + 1) from None
    return parse_conjecture_text(text, source)


def parse_conjecture_text(text: str, source: str = "<conjecture>") -> Conjecture:
    return _Reader(text, source, load_toml(text, source)).build()


class _Reader(_Builder):
    def choice(self, obj: dict, key: str, path: tuple, allowed: tuple[str, ...],
               default: str | None = None) -> str:
        if key not in obj:
            if default is not None:
                return default
            raise self.at_key(path, f"[conjecture] is missing the key {key!r}")
        v = obj[key]
        if not isinstance(v, str) or v not in allowed:
            raise self.at_value(path + (key,), f"{key} {_short(v)} must be one of: "
                                               f"{', '.join(allowed)}")
        return v

    def bounded(self, obj: dict, key: str, path: tuple, lo: int, hi: int,
                default: int | None = None) -> int:
        if key not in obj:
            if default is not None:
                return default
            raise self.at_key(path, f"[conjecture] is missing the key {key!r}")
        v = self.integer(obj[key], path + (key,))
        if not lo <= v <= hi:
            raise self.at_value(path + (key,), f"{key} = {v} must be between {lo} and {hi}")
        return v

    def build(self) -> Conjecture:
        doc = self.table(self.doc, (), ("conjecture", "network"))
        if "conjecture" not in doc:
            raise InputError("missing [conjecture] table", self.source, 1, 1)
        path = ("conjecture",)
        c = self.table(doc["conjecture"], path, _KEYS)
        L = _EXPLORE_LIMITS
        title = c.get("title", Path(self.source).stem)
        if not (isinstance(title, str) and len(title) <= 200):
            raise self.at_value(path + ("title",), "title must be a string of at most 200 "
                                                   "characters")
        net = None
        if "network" in doc:
            if "architecture" in c:
                raise self.at_key(path + ("architecture",), "give either architecture or a "
                                                            "[network] table, not both")
            net = self.network(doc["network"])
            if len(net.params) > 24 or net.depth > L["depth"]:
                raise self.at_value(("network",), "network too large to explore: at most 24 "
                                                  f"parameters and depth {L['depth']}")
            activation = net.activation
            if "activation" in c and c["activation"] != activation:
                raise self.at_value(path + ("activation",), "activation differs from the "
                                                            "[network] table's")
            arch, input_dim, hidden, depth = "network", net.input_dim, net.hidden_widths, \
                net.depth
            for key in ("input_dim", "hidden", "depth", "patch", "patches"):
                if key in c:
                    raise self.at_key(path + (key,), f"{key} is fixed by the [network] table")
        else:
            activation = self.choice(c, "activation", path, ("linear", "relu"))
            arch = self.choice(c, "architecture", path, ARCHITECTURES)
            input_dim = self.bounded(c, "input_dim", path, 1, L["input_dim"],
                                     default=None if arch != "conv" else -1)
            hidden: tuple[int, ...] = ()
            depth = 2
            allowed = {"fully-connected": ("hidden",), "no-share": ("hidden",),
                       "diagonal": ("depth",), "conv": ("patch", "patches")}[arch]
            for key in ("hidden", "depth", "patch", "patches"):
                if key in c and key not in allowed:
                    raise self.at_key(path + (key,), f"{key} is not read for architecture "
                                                     f"{arch!r} (it reads: "
                                                     f"{', '.join(allowed)})")
            if arch in ("fully-connected", "no-share"):
                hp = path + ("hidden",)
                hs = self.array(self.require(c, "hidden", path), hp, "hidden widths")
                if not 1 <= len(hs) <= L["hidden"]:
                    raise self.at_value(hp, f"hidden must list 1 to {L['hidden']} widths")
                for i, h in enumerate(hs):
                    v = self.integer(h, hp + (i,))
                    if not 1 <= v <= L["width"]:
                        raise self.at_value(hp + (i,), f"hidden width {v} must be between 1 "
                                                       f"and {L['width']}")
                hidden = tuple(hs)
                depth = len(hidden) + 1
            elif arch == "diagonal":
                depth = self.bounded(c, "depth", path, 2, L["depth"])
                hidden = (input_dim,) * (depth - 1)
            else:
                patch = self.bounded(c, "patch", path, 1, 4, default=2)
                patches = self.bounded(c, "patches", path, 1, 4, default=2)
                if "input_dim" in c and input_dim != patch * patches:
                    raise self.at_value(path + ("input_dim",), f"input_dim {input_dim} must be "
                                                               f"patch * patches = "
                                                               f"{patch * patches}")
                input_dim = patch * patches
                hidden = (patches,)
        sp = path + ("samples",)
        raw = self.require(c, "samples", path)
        if isinstance(raw, list):
            if len(raw) != 2:
                raise self.at_value(sp, "samples must be an integer or [min, max]")
            lo, hi = (self.integer(v, sp + (i,)) for i, v in enumerate(raw))
        else:
            lo = hi = self.integer(raw, sp)
        if not 1 <= lo <= hi <= L["samples"]:
            raise self.at_value(sp, f"samples must satisfy 1 <= min <= max <= {L['samples']}")
        labels = self.choice(c, "labels", path, LABELS, default="any")
        hp = path + ("hypotheses",)
        hyps = self.array(c.get("hypotheses", []), hp, f"a subset of {list(HYPOTHESES)}")
        seen: list[str] = []
        for i, h in enumerate(hyps):
            if not isinstance(h, str) or h not in HYPOTHESES:
                raise self.at_value(hp + (i,), f"unknown hypothesis {_short(h)} (one of: "
                                               f"{', '.join(HYPOTHESES)})")
            if h in seen:
                raise self.at_value(hp + (i,), f"hypothesis {h!r} is listed twice")
            seen.append(h)
        problem = self.integer(c.get("problem", 2), path + ("problem",))
        if problem not in (2, 4):
            raise self.at_value(path + ("problem",), f"problem {problem} must be 2 or 4")
        layer = None
        if problem == 4:
            layer = self.bounded(c, "layer", path, 1, depth)
        elif "layer" in c:
            raise self.at_key(path + ("layer",), "layer is only read with problem = 4")
        conclusion = self.choice(c, "conclusion", path, CONCLUSIONS)
        if conclusion.startswith("per-layer") != (problem == 4):
            raise self.at_value(path + ("conclusion",),
                                f"conclusion {conclusion!r} needs problem = 4 and a layer"
                                if conclusion.startswith("per-layer") else
                                f"problem = 4 needs a per-layer conclusion, not "
                                f"{conclusion!r}")
        maxc = self.bounded(c, "max_coordinate", path, 1, L["max_coordinate"], default=3)
        inits = self.bounded(c, "inits", path, 1, L["inits"], default=2)
        kw: dict[str, Any] = {}
        if arch == "conv":
            kw = {"patch": patch, "patches": patches}
        return Conjecture(self.source, title, activation, arch, input_dim, tuple(hidden),
                          depth, (lo, hi), labels, tuple(seen), problem, layer, conclusion,
                          maxc, inits, network=net, **kw)
