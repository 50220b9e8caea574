"""Regions of a central hyperplane arrangement, counted exactly.

The ``arrangement`` bound (:mod:`.optimum`) lists the regions of the arrangement
``{w : <w, x_i> = 0}`` of a dataset's samples, one dual check per region. The kernel must know
the list is complete without enumerating the ``2^n`` sign vectors: it counts the regions with
Zaslavsky's theorem (Stanley, *An Introduction to Hyperplane Arrangements*, Thm 2.5),

    r(A) = Σ_F |μ(0̂, F)|,

the sum over the flats F of the intersection lattice (the subspaces cut out by subsets of the
hyperplanes) of the Möbius function, ``μ(0̂) = 1`` and ``μ(F) = −Σ_{G ⊊ F} μ(G)``. A flat is
stored as the set of hyperplanes containing it (a closed set of normals: every normal in the
span of its members); flats of rank r + 1 are the closures of a rank-r flat plus one more
hyperplane. The work is polynomial in the number of flats, which is at most
``Σ_{r<=d} C(h, r)`` for h distinct hyperplanes in R^d.

Zero normals define no hyperplane; parallel normals (``x_j = c x_i``) define the same one and
are merged. Rational data use exact rationals (gmpy2); other exact numbers are decided by
:func:`.exact.sign` (validated intervals, then exact zero tests), never by a tolerance.
"""

from __future__ import annotations

from typing import Callable, Sequence

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .exact import sign

__all__ = ["region_count", "distinct_hyperplanes", "MAX_FLATS"]

MAX_FLATS = 200_000
"""The counter gives up (raises ``OverflowError``) beyond this many flats."""


def _field(vectors: Sequence[Sequence[sympy.Expr]]) -> tuple[list[list], Callable[[object], bool]]:
    """The vectors in a fast exact type and a zero test for it."""
    if all(isinstance(v, (int, sympy.Integer, sympy.Rational)) for x in vectors for v in x):
        import gmpy2

        conv = [[gmpy2.mpq(int(sympy.Rational(v).p), int(sympy.Rational(v).q)) for v in x]
                for x in vectors]
        return conv, lambda v: v == 0
    conv = [[sympy.expand(_as_expr(v)) for v in x] for x in vectors]
    return conv, lambda v: sign(sympy.expand(v)) == 0


class _Span:
    """A subspace in reduced row-echelon form: membership by one reduction pass."""

    __slots__ = ("rows", "zero")

    def __init__(self, rows: list[tuple[int, list]], zero) -> None:
        self.rows = rows
        self.zero = zero

    def residual(self, v: list) -> list:
        for p, row in self.rows:
            c = v[p]
            if not self.zero(c):
                v = [a - c * b for a, b in zip(v, row)]
        return v

    def contains(self, v: list) -> bool:
        return all(self.zero(c) for c in self.residual(list(v)))

    def extended(self, v: list) -> "_Span | None":
        """The span with ``v`` added, or None if ``v`` is already inside."""
        r = self.residual(list(v))
        q = next((k for k, c in enumerate(r) if not self.zero(c)), None)
        if q is None:
            return None
        piv = r[q]
        r = [c / piv for c in r]
        rows = []
        for p, row in self.rows:
            c = row[q]
            rows.append((p, row if self.zero(c) else [a - c * b for a, b in zip(row, r)]))
        rows.append((q, r))
        return _Span(rows, self.zero)


def distinct_hyperplanes(vectors: Sequence[Sequence[sympy.Expr]]) -> list[list[int]]:
    """Classes of the non-zero vectors by the hyperplane they define (parallel = same).

    Returns the classes as lists of indices into ``vectors``, in order of first appearance;
    zero vectors belong to no class.
    """
    conv, zero = _field(vectors)
    classes: list[tuple[_Span, list[int]]] = []
    for i, v in enumerate(conv):
        if all(zero(c) for c in v):
            continue
        for span, members in classes:
            if span.contains(v):
                members.append(i)
                break
        else:
            span = _Span([], zero).extended(v)
            assert span is not None
            classes.append((span, [i]))
    return [members for _, members in classes]


def region_count(vectors: Sequence[Sequence[sympy.Expr]]) -> int:
    """The number of regions (connected components of the complement) of the central
    arrangement of the hyperplanes ``<w, v> = 0``, ``v`` in ``vectors`` (zero vectors
    ignored, parallel ones merged). With no hyperplane there is one region."""
    conv, zero = _field(vectors)
    reps: list[list] = []
    for members in distinct_hyperplanes(vectors):
        reps.append(conv[members[0]])
    h = len(reps)
    empty: frozenset[int] = frozenset()
    spans: dict[frozenset[int], _Span] = {empty: _Span([], zero)}
    ranks: list[list[frozenset[int]]] = [[empty]]
    while True:
        nxt: dict[frozenset[int], _Span] = {}
        for F in ranks[-1]:
            span = spans[F]
            done: set[int] = set(F)
            for j in range(h):
                if j in done:
                    continue
                ext = span.extended(reps[j])
                assert ext is not None  # j is not in the closed set F
                G = frozenset(k for k in range(h) if k == j or k in F or ext.contains(reps[k]))
                done |= G
                if G not in nxt and G not in spans:
                    nxt[G] = ext
        if not nxt:
            break
        spans.update(nxt)
        if len(spans) > MAX_FLATS:
            raise OverflowError(f"more than {MAX_FLATS} flats")
        ranks.append(list(nxt))
    mu: dict[frozenset[int], int] = {empty: 1}
    total = 1
    for r in range(1, len(ranks)):
        lower = [G for rr in range(r) for G in ranks[rr]]
        for F in ranks[r]:
            m = -sum(mu[G] for G in lower if G <= F)
            mu[F] = m
            total += abs(m)
    return total
