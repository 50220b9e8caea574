"""Mutations of valid certificates, for the ``soundness`` property.

Each mutation edits one thing of a :class:`~symkkt._fuzz.independent.Cert` (a copy): a
coordinate of the point (or of the better point), a multiplier, a label, an input, ε0, a
convex weight, a witness direction, an activation pattern, a coordinate of the curve, the
whole curve (frozen at the point: a "witness" of no decrease at all), or the curve kind.
Some mutants stay valid (a smaller ε0, mass moved between duplicated samples within the
non-negative range, ...); the property then asks the independent checker to confirm.

``augment`` makes new *valid* KKT certificates from old ones: it duplicates an active sample
and splits its multiplier (then the multipliers are no longer unique, so moving mass between
the copies keeps stationarity, and only the sign test of the kernel can reject a negative
one), and adds an inactive copy ``c·x`` (``c >= 1``; Φ is positively homogeneous in x).
"""

from __future__ import annotations

from typing import Callable

import sympy
from hypothesis import strategies as st
from sympy import Integer

from .independent import EPS, Cert
from .strategies import exact_numbers, positive_rationals, rationals

__all__ = ["OPS", "applicable_ops", "mutate", "augment"]

Draw = Callable


def _pick(draw: Draw, seq):
    return draw(st.sampled_from(list(seq)))


def _duplicates(c: Cert) -> list[tuple[int, int]]:
    out = []
    for i in range(len(c.X)):
        for j in range(len(c.X)):
            if i != j and c.Y[i] == c.Y[j] and c.X[i] == c.X[j]:
                out.append((i, j))
    return out


def _changed(new, old):
    return new if sympy.expand(new - old) != 0 else new + 1


# ------------------------------------------------------------------------------ the ops


def _op_point(draw, c: Cert):
    target = "point"
    if c.better is not None:
        target = _pick(draw, ("point", "better"))
    vec = c.point if target == "point" else c.better
    p = _pick(draw, c.params)
    old = vec[p]
    how = _pick(draw, ("shift", "negate", "replace", "zero"))
    if how == "shift":
        new = old + draw(rationals(-1, 1, 8, nonzero=True))
    elif how == "negate":
        new = -old if old != 0 else Integer(1)
    elif how == "replace":
        new = _changed(draw(exact_numbers(2, 4)), old)
    else:
        new = Integer(0) if old != 0 else Integer(1)
    vec[p] = sympy.expand(new)
    return f"{target}[{p}]: {old} -> {vec[p]} ({how})"


def _op_multiplier(draw, c: Cert):
    i = draw(st.integers(0, len(c.multipliers) - 1))
    old = c.multipliers[i]
    how = _pick(draw, ("shift", "negate", "replace"))
    if how == "shift":
        new = old + draw(rationals(-1, 1, 8, nonzero=True))
    elif how == "negate":
        new = -old if old != 0 else Integer(-1)
    else:
        new = _changed(draw(rationals(-3, 3, 8)), old)
    c.multipliers[i] = new
    _ensure_pieces(c, i)
    return f"multiplier[{i}]: {old} -> {new} ({how})"


def _transfer(draw, c: Cert, negative: bool):
    i, j = _pick(draw, _duplicates(c))
    lam_j = c.multipliers[j]
    if negative:  # more than sample j holds: λ_j < 0, stationarity still holds
        r = draw(positive_rationals(3, 8, min_value=1).filter(lambda v: v > 1))
    else:         # part of it: still a valid certificate
        r = draw(positive_rationals(1, 8).filter(lambda v: v < 1))
    delta = lam_j * r if lam_j != 0 else (r if negative else Integer(0))
    c.multipliers[i] = sympy.expand(c.multipliers[i] + delta)
    c.multipliers[j] = sympy.expand(lam_j - delta)
    _ensure_pieces(c, i)
    _ensure_pieces(c, j)
    return (f"move {delta} of multiplier mass from sample {j} to its duplicate {i}: "
            f"({c.multipliers[i]}, {c.multipliers[j]})")


def _op_transfer(draw, c: Cert):
    return _transfer(draw, c, negative=True)


def _op_split(draw, c: Cert):
    return _transfer(draw, c, negative=False)


def _ensure_pieces(c: Cert, i: int) -> None:
    """A ReLU sample that gets a multiplier needs pieces: copy a duplicate's, if any."""
    if c.subgradients is None or c.subgradients[i]:
        return
    for a, b in _duplicates(c):
        if a == i and c.subgradients[b]:
            c.subgradients[i] = [dict(q, witness=dict(q["witness"])) for q in c.subgradients[b]]
            return


def _op_label(draw, c: Cert):
    i = draw(st.integers(0, len(c.Y) - 1))
    c.Y[i] = -c.Y[i]
    return f"label[{i}] -> {c.Y[i]}"


def _op_data(draw, c: Cert):
    i = draw(st.integers(0, len(c.X) - 1))
    j = draw(st.integers(0, len(c.X[i]) - 1))
    old = c.X[i][j]
    c.X[i][j] = sympy.expand(old + draw(rationals(-1, 1, 8, nonzero=True)))
    return f"x[{i}][{j}]: {old} -> {c.X[i][j]}"


def _op_eps0(draw, c: Cert):
    r = draw(positive_rationals(4, 8).filter(lambda v: v != 1))
    old = c.eps0
    c.eps0 = old * r
    return f"eps0: {old} -> {c.eps0}"


def _pieces_at(c: Cert):
    return [(i, q) for i, pieces in enumerate(c.subgradients or []) for q in range(len(pieces))]


def _op_weight(draw, c: Cert):
    i, q = _pick(draw, _pieces_at(c))
    pieces = c.subgradients[i]
    if len(pieces) >= 2 and draw(st.booleans()):
        q2 = _pick(draw, [r for r in range(len(pieces)) if r != q])
        delta = draw(rationals(-1, 1, 8, nonzero=True))
        pieces[q]["weight"] += delta
        pieces[q2]["weight"] -= delta
        return f"move weight {delta} from piece {q2} to piece {q} of sample {i}"
    old = pieces[q]["weight"]
    pieces[q]["weight"] = old + draw(rationals(-1, 1, 8, nonzero=True))
    return f"weight of piece {q} of sample {i}: {old} -> {pieces[q]['weight']}"


def _op_witness(draw, c: Cert):
    i, q = _pick(draw, _pieces_at(c))
    wit = c.subgradients[i][q]["witness"]
    how = _pick(draw, ("coordinate", "negate", "clear"))
    if how == "coordinate" or not wit:
        p = _pick(draw, c.free)
        old = wit.get(p, Integer(0))
        wit[p] = _changed(draw(rationals(-3, 3, 4)), old)
        return f"witness of piece {q}, sample {i}: {p}: {old} -> {wit[p]}"
    if how == "negate":
        for p in wit:
            wit[p] = -wit[p]
        return f"witness of piece {q}, sample {i} negated"
    c.subgradients[i][q]["witness"] = {}
    return f"witness of piece {q}, sample {i} cleared"


def _op_pattern(draw, c: Cert):
    if c.curve is not None:
        i = draw(st.integers(0, len(c.patterns) - 1))
        pat = c.patterns[i]
        where = f"curve pattern of sample {i}"
    else:
        i, q = _pick(draw, _pieces_at(c))
        pat = c.subgradients[i][q]["pattern"]
        where = f"pattern of piece {q}, sample {i}"
    l = draw(st.integers(0, len(pat) - 1))
    j = draw(st.integers(0, len(pat[l]) - 1))
    pat[l][j] = 1 - pat[l][j]
    return f"{where}: neuron {j} of layer {l} flipped"


def _op_curve(draw, c: Cert):
    p = _pick(draw, c.params)
    old = c.curve[p]
    how = _pick(draw, ("freeze", "rescale", "shift"))
    if how == "freeze":
        c.curve[p] = c.point[p]
    elif how == "rescale":
        r = draw(positive_rationals(4, 4).filter(lambda v: v != 1))
        c.curve[p] = old.xreplace({EPS: r * EPS})
    else:
        power = draw(st.sampled_from((1, 2)))
        c.curve[p] = old + draw(rationals(-2, 2, 4, nonzero=True)) * EPS ** power
    return f"curve[{p}]: {old} -> {c.curve[p]} ({how})"


def _op_freeze(draw, c: Cert):
    c.curve = dict(c.point)
    return "the whole curve frozen at the point (norm constant)"


def _op_kind(draw, c: Cert):
    old = c.kind
    c.kind = "equal-norm" if old == "not-local" else "not-local"
    return f"kind: {old} -> {c.kind}"


OPS: dict[str, tuple[Callable[[Cert], bool], Callable]] = {
    "point": (lambda c: bool(c.params), _op_point),
    "multiplier": (lambda c: c.kind == "kkt", _op_multiplier),
    "multiplier-transfer": (lambda c: c.kind == "kkt" and bool(_duplicates(c)), _op_transfer),
    "multiplier-split": (lambda c: c.kind == "kkt" and bool(_duplicates(c)), _op_split),
    "label": (lambda c: c.kind in ("kkt", "not-local", "equal-norm", "better-point"),
              _op_label),
    "data": (lambda c: True, _op_data),
    "eps0": (lambda c: c.eps0 is not None, _op_eps0),
    "weight": (lambda c: c.kind == "kkt" and bool(_pieces_at(c)), _op_weight),
    "witness": (lambda c: c.kind == "kkt" and bool(_pieces_at(c)), _op_witness),
    "pattern": (lambda c: (c.kind == "kkt" and bool(_pieces_at(c)))
                or (c.curve is not None and c.patterns is not None), _op_pattern),
    "curve": (lambda c: c.curve is not None, _op_curve),
    "freeze": (lambda c: c.curve is not None, _op_freeze),
    "kind": (lambda c: c.kind in ("not-local", "equal-norm"), _op_kind),
}


def applicable_ops(c: Cert) -> list[str]:
    return [name for name, (ok, _) in OPS.items() if ok(c)]


def mutate(draw: Draw, c: Cert, op: str) -> tuple[Cert, str]:
    m = c.copy()
    return m, OPS[op][1](draw, m)


def augment(draw: Draw, c: Cert) -> tuple[Cert, str]:
    """A new valid KKT certificate from ``c``: a duplicated active sample with its multiplier
    split, and sometimes an inactive scaled copy of a sample."""
    m = c.copy()
    notes = []
    active = [i for i, l in enumerate(m.multipliers) if l != 0]
    if active:
        i = _pick(draw, active)
        r = draw(positive_rationals(1, 8).filter(lambda v: v < 1))
        lam = m.multipliers[i]
        m.multipliers[i] = lam * r
        m.X.append(list(m.X[i]))
        m.Y.append(m.Y[i])
        m.multipliers.append(sympy.expand(lam * (1 - r)))
        if m.subgradients is not None:
            m.subgradients.append([dict(q, pattern=[list(row) for row in q["pattern"]],
                                        witness=dict(q["witness"]))
                                   for q in m.subgradients[i]])
        notes.append(f"sample {i} duplicated, multiplier split {r}:{1 - r}")
    if draw(st.booleans()):
        j = draw(st.integers(0, len(m.X) - 1))
        s = draw(positive_rationals(3, 4, min_value=1))
        m.X.append([sympy.expand(s * v) for v in m.X[j]])
        m.Y.append(m.Y[j])
        m.multipliers.append(Integer(0))
        if m.subgradients is not None:
            m.subgradients.append([])
        notes.append(f"inactive copy {s}*x[{j}] added")
    return m, "; ".join(notes)
