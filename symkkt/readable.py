"""Exact values shown short for reading (tables only; the JSON keeps the exact strings).

:func:`readable` tries a few rewritings of an exact number (denesting radicals, factoring,
and forms ``c·f(kπ/n)^±1`` with ``f`` = cos, sin, tan and a small rational ``c``, which is
how angles in the paper's remarks look: ``2*sqrt(2)*sqrt(2 - sqrt(2)) + 4*sqrt(2 - sqrt(2))``
is ``2/cos(3*pi/8)``), keeps only candidates that the kernel proves **equal** to the value
(:func:`symkkt.kernel.exact.sign` of the difference is exactly 0; floats only *propose*
candidates), and shows the shortest. An expression ``c·ε^k`` (a leading term) is shown with
its coefficient so rewritten. Anything that fails or takes long is shown as given.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

__all__ = ["readable", "remember"]

_DENOMINATORS = (3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 24)
_MIN_LENGTH = 12


_SHOWN: dict[str, str] = {}
"""Forms already worked out in this process (or handed over by :func:`remember`)."""


def readable(text: str) -> str:
    """The shortest string provably equal to ``text`` among a few rewritings (or ``text``)."""
    if not isinstance(text, str) or len(text) < _MIN_LENGTH:
        return text
    hit = _SHOWN.get(text)
    if hit is not None:
        return hit
    try:
        out = _readable(text)
    except Exception:   # a display nicety: never an error
        return text
    if len(_SHOWN) < 4096:
        _SHOWN[text] = out
    return out


def remember(shown: dict) -> None:
    """Take forms worked out by another process (the workers of ``verify --jobs``, which
    render their claims' values while the table's process waits)."""
    for text, out in shown.items():
        if isinstance(text, str) and isinstance(out, str) and len(_SHOWN) < 4096:
            _SHOWN.setdefault(text, out)


def _readable(text: str) -> str:
    import sympy

    from .kernel.budget import OutOfTime, budget
    from .kernel.grammar import parse_exact, to_text

    eps = sympy.Symbol("epsilon", positive=True)
    try:
        with budget(2.0):
            expr = parse_exact(text, {"epsilon": eps})
            free = expr.free_symbols
            if not free:
                best = _shortest(expr)
                return best if len(best) < len(text) else text
            if free != {eps}:
                return text
            coeff, rest = expr.as_independent(eps, as_Add=False)
            if coeff.free_symbols or coeff == 1 or coeff == -1:
                return text
            c = _shortest(coeff)
            shown = f"({c})" if any(ch in c.lstrip("-") for ch in "+-") else c
            out = f"{shown}*{to_text(rest)}"
            return out if len(out) < len(text) else text
    except (OutOfTime, RecursionError, MemoryError):
        return text


def _shortest(v) -> str:
    import sympy

    from .kernel.exact import sign
    from .kernel.grammar import to_text

    given = to_text(v)
    if v.is_Rational or not v.is_number:
        return given
    cands: list[str] = []
    for f in (sympy.sqrtdenest, sympy.radsimp, sympy.factor, sympy.nsimplify):
        try:
            cands.append(to_text(f(v)) if f is not sympy.nsimplify else str(f(v)))
        except Exception:
            pass
    cands.extend(_trig_candidates(v))
    if len(given) > 24:   # a + c·f(kπ/n)^±1 with a small integer a (leading terms)
        for a in (-2, -1, 1, 2):
            for c in _trig_candidates(v - a):
                cands.append(f"{a} + {c}" if not c.startswith("-") else f"{a} - {c[1:]}")
    best = given
    for c in sorted(set(cands), key=lambda c: (len(c), c)):   # (ties: the same every run)
        if len(c) >= len(best):
            break
        try:
            from .kernel.grammar import parse_exact

            w = parse_exact(c, {})
            if sign(v - w) == 0:
                best = c
                break
        except Exception:
            continue
    return best


def _trig_candidates(v) -> list[str]:
    """``p/q*f(k*pi/n)`` and ``p/q/f(k*pi/n)`` whose value agrees with ``v`` to 40 digits
    (proposals only: each is then proven equal, or dropped)."""
    import mpmath

    x = v.evalf(50)
    out: list[str] = []
    with mpmath.workdps(50):
        try:
            xf = mpmath.mpf(str(x))
        except Exception:
            return []
        if xf == 0:
            return []
        xd = float(xf)
        finite = math.isfinite(xd) and xd != 0
        for n, k, name, t, td in _trig_table():
            for op, r in (("*", xf / t), ("/", xf * t)):
                if finite and not _near_fraction(xd / td if op == "*" else xd * td):
                    continue        # (a float look first: the 40-digit test below would fail)
                frac = Fraction(str(mpmath.nstr(r, 45))).limit_denominator(1000)
                if frac == 0 or abs(r - mpmath.mpf(frac.numerator) / frac.denominator) \
                        > mpmath.mpf("1e-40") * max(1, abs(r)):
                    continue
                arg = f"{k}*pi/{n}" if k != 1 else f"pi/{n}"
                out.append(_compose(frac, op, f"{name}({arg})"))
    return out


def _near_fraction(r: float) -> bool:
    """True unless ``r`` is provably farther than ``1e-9·max(1, |r|)`` from every fraction
    with denominator at most 1000 (a candidate within ``1e-40`` at 50 digits is within
    ``1e-15`` in floats, so this never drops one)."""
    if not math.isfinite(r):
        return True
    f = Fraction(r).limit_denominator(1000)
    return abs(r - f) <= 1e-9 * max(1.0, abs(r))


@lru_cache(maxsize=1)
def _trig_table() -> list[tuple]:
    """``(n, k, name, f(k*pi/n), float)`` for the angles tried, in order, at 50 digits."""
    import mpmath

    out = []
    with mpmath.workdps(50):
        for n in _DENOMINATORS:
            for k in range(1, 2 * n):
                if math.gcd(k, n) != 1:
                    continue
                angle = mpmath.pi * k / n
                for name, fn in (("cos", mpmath.cos), ("sin", mpmath.sin)):
                    t = fn(angle)
                    if abs(t) < mpmath.mpf("1e-30"):
                        continue
                    out.append((n, k, name, t, float(t)))
    return out


def _compose(c: Fraction, op: str, f: str) -> str:
    sgn = "-" if c < 0 else ""
    c = abs(c)
    p, q = c.numerator, c.denominator
    if op == "*":
        head = f if p == 1 else f"{p}*{f}"
        return sgn + (head if q == 1 else f"{head}/{q}")
    # c / f
    num = str(p)
    return sgn + (f"{num}/{f}" if q == 1 else f"{num}/({q}*{f})")
