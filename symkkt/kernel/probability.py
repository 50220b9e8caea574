"""``cone-probability``: the exact probability that Gaussian weights fall in given open cones.

The random objects are independent standard Gaussian vectors ``z_v ~ N(0, I_d)`` (``d`` = 1 or
2), named in ``variables`` (name -> dimension). An *event* constrains some of them to open
polyhedral cones ``{z : <c, z> > 0 for every row c}`` (``events``: a list of objects
name -> list of rows). The certificate also proves the events pairwise disjoint
(``disjoint``: for each pair, a variable and a Gordan vector ``μ >= 0``, not all 0, with
``Σ_j μ_j c_j = 0`` over the rows of both events for that variable, so the two cones cannot
both hold: ``0 = <Σ μ_j c_j, z> = Σ μ_j <c_j, z> > 0`` is impossible).

The kernel then computes, exactly, ``P(∪ events) = Σ_events Π_v P(z_v ∈ cone_v)`` with
(isotropy) ``P = angle / 2π`` for a cone in the plane: one row gives ``1/2``; two rows at angle
``φ = atan2(|c1 × c2|, <c1, c2>)`` give ``(π - φ) / 2π`` (0 when they are opposite); on the line
(``d = 1``) ``1/2`` if all rows have one sign, else 0. Cones with more than two rows in the
plane are not supported (``unknown``).

Values: ``probability`` (a closed form with ``atan``, in sympy syntax, which the whitelist
grammar does not cover) and ``probability_decimal`` (30 digits, for reading only).
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy

from .certificate import Reader, Failed, Invalid, Refuted, failed_verdict, Unknown, Verdict, decide, register_checker, txt

from .schema import MAX_EVENTS, MAX_VARIABLES  # noqa: F401  (declared with the other fields)

__all__ = ["cone_probability"]

ZERO = sympy.Integer(0)
HALF = sympy.Rational(1, 2)


def cone_probability(rows: list[list[sympy.Expr]], dim: int) -> sympy.Expr:
    """``P(<c, z> > 0 for every row c)`` for ``z ~ N(0, I_dim)``, exactly (dim 1 or 2)."""
    if not rows:
        return sympy.Integer(1)
    if dim == 1:
        signs = {decide(r[0]) for r in rows}
        return HALF if signs in ({1}, {-1}) else ZERO
    if any(all(decide(c) == 0 for c in r) for r in rows):
        return ZERO
    if len(rows) == 1:
        return HALF
    if len(rows) > 2:
        raise Unknown(f"a planar cone with {len(rows)} rows is not supported (at most 2)")
    (a1, a2), (b1, b2) = rows
    cross = sympy.expand(a1 * b2 - a2 * b1)
    dot = sympy.expand(a1 * b1 + a2 * b2)
    if decide(cross) == 0:
        return HALF if decide(dot) > 0 else ZERO
    phi = sympy.atan2(sympy.Abs(cross), dot)
    return sympy.simplify((sympy.pi - phi) / (2 * sympy.pi))


@register_checker("cone-probability")
def _check_cone_probability(rd: Reader, cert: dict) -> Verdict:
    # The schema checked: 1..MAX_VARIABLES variables of dimension 1 or 2, 1..MAX_EVENTS events
    # over declared variables with rows of their dimension, proofs naming two distinct event
    # indices in range and a declared variable.
    dims: dict[str, int] = dict(cert["variables"])
    events: list[dict[str, list[list[sympy.Expr]]]] = [
        {name: [[rd.number(c) for k, c in enumerate(row)]
                for r, row in enumerate(rows)] for name, rows in ev.items()}
        for e, ev in enumerate(cert["events"])]
    proofs: dict[tuple[int, int], tuple[str, list[sympy.Expr], str]] = {}
    for q, pr in enumerate(cert.get("disjoint", [])):
        p = f"$.disjoint[{q}]"
        i, j = sorted(pr["events"])
        if (i, j) in proofs:
            raise rd.fail(f"{p}.events", f"events {i} and {j} already have a proof "
                                         f"({proofs[(i, j)][2]})")
        var = pr["variable"]
        n_rows = len(events[i].get(var, [])) + len(events[j].get(var, []))
        if len(pr["gordan"]) != n_rows:
            raise rd.fail(f"{p}.gordan", f"expected {n_rows} entries (rows of event {i} then "
                                         f"event {j} for {var})")
        mu = [rd.number(v) for k, v in enumerate(pr["gordan"])]
        proofs[(i, j)] = (var, mu, p)
    values: dict[str, Any] = {}
    try:
        for i, j in itertools.combinations(range(len(events)), 2):
            if (i, j) not in proofs:
                raise Invalid(f"events {i + 1} and {j + 1} are not proven disjoint (no Gordan "
                              f"vector given)")
            var, mu, p = proofs[(i, j)]
            rows = events[i].get(var, []) + events[j].get(var, [])
            if any(decide(m) < 0 for m in mu):
                raise Invalid(f"disjointness of events {i + 1}, {j + 1}: a Gordan weight is "
                              f"negative")
            if decide(sympy.expand(sum(mu, ZERO))) <= 0:
                raise Invalid(f"disjointness of events {i + 1}, {j + 1}: the Gordan weights "
                              f"are all 0")
            for k in range(dims[var]):
                comb = sympy.expand(sum((m * r[k] for m, r in zip(mu, rows)), ZERO))
                if decide(comb) != 0:
                    raise Invalid(f"disjointness of events {i + 1}, {j + 1}: "
                                  f"sum mu_j c_j has coordinate {k + 1} = {txt(comb)} != 0")
        per_event = []
        total = ZERO
        for ev in events:
            pe = sympy.Integer(1)
            for name, rows in ev.items():
                pe *= cone_probability(rows, dims[name])
            pe = sympy.simplify(pe)
            per_event.append(pe)
            total += pe
        total = sympy.simplify(total)
        values["probability"] = sympy.sstr(total)
        values["probability_decimal"] = sympy.sstr(sympy.N(total, 30))
        values["events"] = [sympy.sstr(pe) for pe in per_event]
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"the events are pairwise disjoint; their probability under "
                                f"independent standard Gaussians is {values['probability']}",),
                   values)
