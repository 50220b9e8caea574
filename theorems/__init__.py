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

REGISTRY: dict[str, str] = {
    "3.2": "thm_3_2",
    "4.1": "thm_4_1",
    "4.4": "thm_4_4",
    "5.1": "thm_5_1",
}


def ids() -> list[str]:
    """Every registered result id, in the paper's order."""
    return list(REGISTRY)


def load(result_id: str) -> ModuleType:
    """The module of one result; an unknown id is an :class:`InputError`."""
    if result_id not in REGISTRY:
        raise InputError(f"unknown theorem id {result_id!r} (known: {', '.join(REGISTRY)})")
    return importlib.import_module(f"theorems.{REGISTRY[result_id]}")
