"""The paper's results, one module per result, each reading like the paper.

A module defines ``THEOREM`` (its id), ``TITLE``, ``STATEMENT`` (the claim in our words) and
``claims()``, the list of :class:`symkkt.claims.Claim` it makes. No checking logic lives here:
modules build datasets, networks, points and curves, and the kernel decides.
"""

from __future__ import annotations

import difflib
import importlib
import re
from types import ModuleType

from symkkt.errors import InputError

__all__ = ["REGISTRY", "ids", "load", "resolve", "aliases", "remark_ids"]

def _discover() -> dict[str, str]:
    """Map result id -> module name for every ``thm_*``/``remark_*``/``table*`` module here.

    A module declares its id in ``THEOREM``; ids sort in the paper's order (3.2 < 4.2.1 <
    4.10), remarks after theorems of the same number.
    """
    import pkgutil

    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith(("thm_", "remark_", "table")):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            rid = getattr(mod, "THEOREM", None)
            if rid:
                found[rid] = info.name

    def key(rid: str):
        nums = [int(n) for n in re.findall(r"\d+", rid)] or [10 ** 6]  # "NH": after the paper
        return (nums[:2], rid.startswith("R"), nums[2:], rid)

    return {rid: found[rid] for rid in sorted(found, key=key)}


REGISTRY: dict[str, str] = _discover()


def ids() -> list[str]:
    """Every registered result id, in the paper's order."""
    return list(REGISTRY)


def remark_ids() -> list[str]:
    """The registered remarks (``R3.1``, …), in the paper's order."""
    return [rid for rid in REGISTRY if rid.startswith("R")]


def aliases(result_id: str) -> list[str]:
    """The spellings accepted for one id: ``4.2(1)`` is also ``4.2.1``; ``R3.1`` also
    ``r3.1``; ``3.2.P`` also ``3.2.p`` (matching is case-insensitive)."""
    out = [result_id]
    dotted = re.sub(r"\((\d+)\)$", r".\1", result_id)
    if dotted != result_id:
        out.append(dotted)
    return out


def _alias_map() -> dict[str, str]:
    return {a.lower(): rid for rid in REGISTRY for a in aliases(rid)}


def resolve(text: str, *, remarks_only: bool = False) -> str:
    """The registered id for a spelling of it (see :func:`aliases`); an unknown id is an
    :class:`InputError` naming the near misses ("did you mean …") or, with none, the ids."""
    if not isinstance(text, str):
        raise InputError(f"result id {text!r} must be a string")
    table = _alias_map()
    if remarks_only:
        table = {a: rid for a, rid in table.items() if rid.startswith("R")}
        table.update({a[1:]: rid for a, rid in list(table.items()) if a.startswith("r")})
    key = text.strip().lower()
    if key in table:
        return table[key]
    what = "remark" if remarks_only else "theorem id"
    known = remark_ids() if remarks_only else list(REGISTRY)
    near = list(dict.fromkeys(table[a] for a in difflib.get_close_matches(key, table, n=3,
                                                                           cutoff=0.6)))
    hint = (f"did you mean {' or '.join(near)}?" if near else f"known: {', '.join(known)}")
    raise InputError(f"unknown {what} {text!r} ({hint})")


def load(result_id: str) -> ModuleType:
    """The module of one result (any spelling :func:`resolve` accepts); an unknown id is an
    :class:`InputError`."""
    rid = result_id if result_id in REGISTRY else resolve(result_id)
    return importlib.import_module(f"theorems.{REGISTRY[rid]}")
