"""The paper's results, one module per result, each reading like the paper.

A module defines ``THEOREM`` (its id), ``TITLE``, ``STATEMENT`` (the claim in our words) and
``claims()``, the list of :class:`symkkt.claims.Claim` it makes. No checking logic lives here:
modules build datasets, networks, points and curves, and the kernel decides.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from symkkt.errors import InputError

__all__ = ["REGISTRY", "ids", "load"]

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
        head, _, rest = rid.partition(" ")
        nums = [int(n) if n.isdigit() else 0 for n in head.replace("R", "").split(".")]
        return (nums, rid.startswith("R"), rid)

    return {rid: found[rid] for rid in sorted(found, key=key)}


REGISTRY: dict[str, str] = _discover()


def ids() -> list[str]:
    """Every registered result id, in the paper's order."""
    return list(REGISTRY)


def load(result_id: str) -> ModuleType:
    """The module of one result; an unknown id is an :class:`InputError`."""
    if result_id not in REGISTRY:
        raise InputError(f"unknown theorem id {result_id!r} (known: {', '.join(REGISTRY)})")
    return importlib.import_module(f"theorems.{REGISTRY[result_id]}")
