"""The regions of a dataset's hyperplane arrangement, each with an exact interior point.

Search (untrusted): a ReLU neuron ``w`` with no sample exactly on its hyperplanes lies in one
region of the arrangement ``{w : <w, x_i> = 0}``; its activation set ``A = {i : <w, x_i> > 0}``
is the region's sign vector. The convex reformulation of depth-2 ReLU max-margin problems
(:mod:`.convex`) needs every region; there are at most ``2 Σ_{r<d} C(n-1, r)`` of them, not
``2^n``. They are found by sampling random directions (most regions at once, vectorized), then
a breadth-first walk across walls: a region's neighbour through hyperplane ``h`` has the same
signs except on ``h``, and one LP (HiGHS) tells whether it exists. The walk stops as soon as the
number of regions found equals the exact count (:func:`.kernel.arrangement.region_count`), so
the kernel's completeness check is met by construction. Interior points are rational and
checked exactly here (strict signs), as the kernel will check them again.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .errors import UndecidedError
from .kernel.arrangement import distinct_hyperplanes, region_count
from .kernel.exact import sign

__all__ = ["Cell", "regions"]


@dataclass(frozen=True)
class Cell:
    """A region: ``active[i] = 1`` iff ``<point, x_i> > 0`` (0 for zero samples)."""

    active: tuple[int, ...]
    point: tuple[sympy.Rational, ...]


def _f(v) -> float:
    return float(sympy.N(v, 30)) if not isinstance(v, (int, float)) else float(v)


def _rational_rows(xs):
    """The rows as gmpy2 rationals when every entry is rational (fast exact signs)."""
    if all(isinstance(v, sympy.Rational) for x in xs for v in x):
        import gmpy2

        return [[gmpy2.mpq(int(v.p), int(v.q)) for v in x] for x in xs]
    return None


def _exact_signs(xs, p, fast=None) -> tuple[int, ...] | None:
    """Sign vector of ``p`` over the non-zero samples, None if some product is 0."""
    if fast is not None:
        import gmpy2

        q = [gmpy2.mpq(int(v.p), int(v.q)) for v in p]
        out = []
        for x in fast:
            if all(v == 0 for v in x):
                out.append(0)
                continue
            t = sum(a * b for a, b in zip(x, q))
            if t == 0:
                return None
            out.append(1 if t > 0 else 0)
        return tuple(out)
    out = []
    for x in xs:
        if all(v == 0 for v in x):
            out.append(0)
            continue
        s = sign(sympy.expand(sum((a * b for a, b in zip(x, p)), sympy.Integer(0))))
        if s == 0:
            return None
        out.append(1 if s > 0 else 0)
    return tuple(out)


def _rational(p: np.ndarray, den: int) -> tuple[sympy.Rational, ...]:
    scale = float(np.max(np.abs(p))) or 1.0
    return tuple(sympy.Rational(round(float(v) / scale * den), den) for v in p)


def _exact_cell(xs, p: np.ndarray, want: tuple[int, ...] | None, fast=None) -> Cell | None:
    """Round ``p`` to rationals until its exact signs are strict (and equal ``want``)."""
    for den in (1000, 10 ** 6, 10 ** 10, 10 ** 16):
        q = _rational(p, den)
        try:
            s = _exact_signs(xs, q, fast)
        except UndecidedError:
            s = None
        if s is not None and (want is None or s == want):
            return Cell(s, q)
    return None


def _lp_point(Xf: np.ndarray, reps: list[int], signs: dict[int, int]) -> np.ndarray | None:
    """A point with ``s_h <x_h, w> >= 1`` for every class representative (None: empty)."""
    from scipy.optimize import linprog

    d = Xf.shape[1]
    A = np.array([-signs[h] * Xf[reps[h]] for h in range(len(reps))])
    scale = np.maximum(np.linalg.norm(A, axis=1), 1e-300)
    res = linprog(np.zeros(d), A_ub=A / scale[:, None], b_ub=-np.ones(len(reps)) / scale,
                  bounds=[(None, None)] * d, method="highs")
    if res.status != 0:
        return None
    return res.x


def regions(X: Sequence[Sequence[sympy.Expr]], *, seed: int = 0, samples: int | None = None,
            seconds: float | None = None) -> list[Cell]:
    """Every region of the arrangement of the non-zero rows of ``X``, with interior points.

    Raises :class:`UndecidedError` if the walk ends (or ``seconds`` run out) before the exact
    count is reached (a region too thin for the float LP, say).
    """
    xs = [[_as_expr(v) for v in x] for x in X]
    d = len(xs[0]) if xs else 0
    total = region_count(xs)
    classes = distinct_hyperplanes(xs)
    if not classes:
        return [Cell(tuple(0 for _ in xs), tuple(sympy.Integer(0) for _ in range(d)))]
    deadline = None if seconds is None else time.monotonic() + seconds
    Xf = np.array([[_f(v) for v in x] for x in xs], dtype=float)
    reps = [c[0] for c in classes]
    fast = _rational_rows(xs)
    found: dict[tuple[int, ...], Cell] = {}

    def add(cell: Cell) -> None:
        if cell.active not in found:
            found[cell.active] = cell
            neg = tuple(sympy.Integer(0) - v for v in cell.point)
            flip = tuple(0 if all(v == 0 for v in x) else 1 - a
                         for x, a in zip(xs, cell.active))
            found.setdefault(flip, Cell(flip, neg))

    # 1. random directions, and random points near every line where r - 1 hyperplanes meet
    #    (each region of an essential arrangement has such a line on its boundary); in the
    #    normals' row space, so a non-essential arrangement is handled the same way
    rng = np.random.default_rng(seed)
    R = Xf[reps] / np.linalg.norm(Xf[reps], axis=1)[:, None]
    _, sv, Vt = np.linalg.svd(R, full_matrices=False)
    r = int(np.sum(sv > 1e-10 * sv[0]))
    B = Vt[:r].T                                   # d x r, orthonormal row-space basis
    Rr = R @ B
    cand = [rng.standard_normal((samples or min(200_000, max(4000, 40 * total)), r))]
    if r >= 2:
        import itertools

        per = 4 * 2 ** (r - 1)
        lines = []
        for sub in itertools.islice(itertools.combinations(range(len(reps)), r - 1), 20000):
            _, s2, V2 = np.linalg.svd(Rr[list(sub)])
            if s2[-1] > 1e-9:
                lines.append(V2[-1])
        for l in lines:
            dist = np.abs(Rr @ l)
            dist = dist[dist > 1e-9]
            delta = 0.25 * (float(dist.min()) if dist.size else 1.0)
            U = rng.standard_normal((per, r))
            U /= np.linalg.norm(U, axis=1)[:, None]
            cand.append(l[None, :] + delta * U)
            cand.append(-l[None, :] + delta * U)
    Wr = np.vstack(cand)
    P = Rr @ Wr.T                                  # classes x candidates
    margin = np.min(np.abs(P), axis=0) / np.linalg.norm(Wr, axis=1)
    keys: dict[tuple, int] = {}
    for c in np.argsort(-margin):                  # the deepest point of each sign vector
        if margin[c] < 1e-12:
            break
        key = tuple((P[:, c] > 0).astype(int))
        keys.setdefault(key, int(c))
    same = {i: (h, bool(Xf[i] @ Xf[reps[h]] > 0)) for h, m in enumerate(classes) for i in m}

    def want_of(class_pos: Sequence[bool]) -> tuple[int, ...]:
        """Per-sample active bits of the region with these signs on the classes."""
        return tuple(0 if i not in same else int(class_pos[same[i][0]] == same[i][1])
                     for i in range(len(xs)))

    for key, c in keys.items():
        if len(found) >= total:
            break
        want = want_of([bool(b) for b in key])
        if want in found:
            continue
        cell = _exact_cell(xs, B @ Wr[c], want, fast)
        if cell is not None:
            add(cell)
    # 2. walk across walls until the count is reached
    def class_signs(cell: Cell) -> dict[int, int]:
        out = {}
        for h, r in enumerate(reps):
            out[h] = 1 if cell.active[r] else -1
        return out

    queue = list(found.values())
    tried: set[tuple[int, ...]] = set()
    pos = 0
    while len(found) < total and pos < len(queue):
        if deadline is not None and time.monotonic() > deadline:
            break
        cell = queue[pos]
        pos += 1
        base = class_signs(cell)
        for h in range(len(reps)):
            signs = dict(base)
            signs[h] = -signs[h]
            want_t = want_of([signs[hh] > 0 for hh in range(len(reps))])
            if want_t in found or want_t in tried:
                continue
            tried.add(want_t)
            p = _lp_point(Xf, reps, signs)
            if p is None:
                continue
            new = _exact_cell(xs, p, want_t, fast)
            if new is not None:
                before = len(found)
                add(new)
                queue.extend(list(found.values())[before:])
            if len(found) >= total:
                break
    if len(found) != total:
        raise UndecidedError(f"found {len(found)} of the {total} regions of the samples' "
                             f"hyperplane arrangement")
    return sorted(found.values(), key=lambda c: c.active, reverse=True)


def _selftest(n: int = 12, d: int = 4, seed: int = 0) -> None:   # pragma: no cover - manual
    rng = random.Random(seed)
    X = [[rng.randint(-9, 9) for _ in range(d)] for _ in range(n)]
    t = time.perf_counter()
    cells = regions(X)
    print(len(cells), time.perf_counter() - t)
