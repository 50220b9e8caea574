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

from .certificate import Reader, Refuted, Unknown, Verdict, decide, register_checker, txt

__all__ = ["cone_probability"]

ZERO = sympy.Integer(0)
HALF = sympy.Rational(1, 2)
MAX_VARIABLES = 16
MAX_EVENTS = 16


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
    raw_vars = rd.get(cert, "variables", "$", dict)
    if not raw_vars or len(raw_vars) > MAX_VARIABLES:
        raise rd.fail("$.variables", f"expected 1..{MAX_VARIABLES} variables")
    dims: dict[str, int] = {}
    for name, d in raw_vars.items():
        if not name.isidentifier():
            raise rd.fail(f"$.variables.{name}", "not an identifier")
        if isinstance(d, bool) or d not in (1, 2):
            raise rd.fail(f"$.variables.{name}", f"dimension {d!r} must be 1 or 2")
        dims[name] = d
    raw_events = rd.get(cert, "events", "$", list)
    if not raw_events or len(raw_events) > MAX_EVENTS:
        raise rd.fail("$.events", f"expected 1..{MAX_EVENTS} events")
    events: list[dict[str, list[list[sympy.Expr]]]] = []
    for e, ev in enumerate(raw_events):
        p = f"$.events[{e}]"
        if not isinstance(ev, dict):
            raise rd.fail(p, "expected an object: variable -> list of rows")
        out = {}
        for name, rows in ev.items():
            if name not in dims:
                raise rd.fail(f"{p}.{name}", "not a declared variable")
            if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == dims[name]
                                                     for r in rows):
                raise rd.fail(f"{p}.{name}", f"expected a list of rows of length {dims[name]}")
            out[name] = [[rd.number(c, f"{p}.{name}[{r}][{k}]") for k, c in enumerate(row)]
                         for r, row in enumerate(rows)]
        events.append(out)
    proofs_raw = rd.get(cert, "disjoint", "$", list, required=len(events) > 1) or []
    proofs: dict[tuple[int, int], tuple[str, list[sympy.Expr], str]] = {}
    for q, pr in enumerate(proofs_raw):
        p = f"$.disjoint[{q}]"
        pair = rd.get(pr, "events", p, list)
        if (len(pair) != 2 or any(isinstance(i, bool) or not isinstance(i, int)
                                  or not 0 <= i < len(events) for i in pair)
                or pair[0] == pair[1]):
            raise rd.fail(f"{p}.events", "expected two distinct event indices")
        var = rd.get(pr, "variable", p, str)
        if var not in dims:
            raise rd.fail(f"{p}.variable", "not a declared variable")
        gordan = rd.get(pr, "gordan", p, list)
        mu = [rd.number(v, f"{p}.gordan[{k}]") for k, v in enumerate(gordan)]
        proofs[tuple(sorted(pair))] = (var, mu, p)
    values: dict[str, Any] = {}
    try:
        for i, j in itertools.combinations(range(len(events)), 2):
            if (i, j) not in proofs:
                raise Refuted(f"events {i + 1} and {j + 1} are not proven disjoint (no Gordan "
                              f"vector given)")
            var, mu, p = proofs[(i, j)]
            rows = events[i].get(var, []) + events[j].get(var, [])
            if len(mu) != len(rows):
                raise rd.fail(f"{p}.gordan", f"expected {len(rows)} entries (rows of event "
                                             f"{i} then event {j} for {var})")
            if any(decide(m) < 0 for m in mu):
                raise Refuted(f"disjointness of events {i + 1}, {j + 1}: a Gordan weight is "
                              f"negative")
            if decide(sympy.expand(sum(mu, ZERO))) <= 0:
                raise Refuted(f"disjointness of events {i + 1}, {j + 1}: the Gordan weights "
                              f"are all 0")
            for k in range(dims[var]):
                comb = sympy.expand(sum((m * r[k] for m, r in zip(mu, rows)), ZERO))
                if decide(comb) != 0:
                    raise Refuted(f"disjointness of events {i + 1}, {j + 1}: "
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
    except Refuted as exc:
        return Verdict("refuted", (str(exc),), values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", (f"the events are pairwise disjoint; their probability under "
                                f"independent standard Gaussians is {values['probability']}",),
                   values)
