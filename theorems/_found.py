"""KKT points that are *found*, not built: the positive theorems exercised on random data.

A positive theorem says "every KKT point with property H has conclusion C". Building the point
as an optimum never tests the implication. Here the data are drawn (a seeded generator, so
every run draws the same small integers), every KKT point of the instance with non-zero
neurons / inputs is found by exact enumeration of active sets and activation patterns
(:mod:`symkkt.kktenum`, search), and each point found gets the claims ``kkt``, the hypothesis
and the conclusion, each decided by the kernel. How many points there are is whatever the
enumeration finds: no count is written down here.
"""

from __future__ import annotations

import functools
import random
from typing import Callable

from symkkt.claims import Claim, kkt_claim, structural_claim
from symkkt.kernel.net import NetSpec
from symkkt.kktenum import depth2_kkt_points
from symkkt.problems import Instance

ENUMERATION_SECONDS = 600.0
PER_SYSTEM_SECONDS = 60.0
"""Generous budgets: on these tiny instances every system solves in well under a second, and
a budget that a loaded machine could exhaust would make the set of claims depend on the load."""


def random_data(seed: int, samples: int, dim: int, bound: int = 3
                ) -> tuple[list[tuple[int, ...]], list[int]]:
    """Small integer inputs in ``[-bound, bound]^dim`` (no zero input, no repeated input) and
    labels ±1, drawn by ``random.Random(seed)``."""
    rng = random.Random(seed)
    X: list[tuple[int, ...]] = []
    while len(X) < samples:
        x = tuple(rng.randint(-bound, bound) for _ in range(dim))
        if any(x) and x not in X:
            X.append(x)
    Y = [rng.choice((1, -1)) for _ in range(samples)]
    return X, Y


@functools.lru_cache(maxsize=None)
def _points(net: NetSpec, X: tuple, Y: tuple):
    return depth2_kkt_points(net, X, Y, seconds=ENUMERATION_SECONDS, nonzero_only=True,
                             certify=False, per_system=PER_SYSTEM_SECONDS)


def found_claims(theorem: str, name: str, net: NetSpec, X, Y, hypothesis: str | None,
                 conclusion: Callable[..., Claim]) -> list[Claim]:
    """``kkt`` + ``hypothesis`` (``inputs``, ``weights`` or None) + the conclusion for every
    point the enumeration finds (without idle neurons) on this instance."""
    res = _points(net, tuple(tuple(x) for x in X), tuple(Y))
    extra = {"basis": "found", "found_points": len(res.points),
             "enumeration_complete": res.complete, "enumeration_notes": list(res.notes),
             "data": {"x": [list(x) for x in X], "y": list(Y)}}
    out: list[Claim] = []
    for k, pt in enumerate(res.points, start=1):
        inst = Instance.make(net, X, Y, pt)
        label = f"{name}, found point {k}"
        out.append(kkt_claim(theorem, label, inst, **extra))
        if hypothesis is not None:
            out.append(structural_claim(theorem, label, inst, hypothesis, **extra))
        made = conclusion(theorem, label, inst, **extra)
        out.extend(made if isinstance(made, list) else [made])
    return out
