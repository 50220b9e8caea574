"""Non-homogeneous networks: the normalized margin along gradient flow (search and evidence).

The kernel kind ``margin-decreases`` (:mod:`symkkt.kernel.margin`) proves that the normalized
margin ``γ = min_i y_i Φ_i / ‖θ‖^L`` strictly decreases on an explicit interval ``[0, T]``.
This module is the untrusted side: it describes a polynomial model, finds a box radius the
kernel accepts (largest first), and integrates the flow numerically (mpmath's Taylor-series ODE
solver at a chosen precision) to show ``γ(t)`` next to the verdict, as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text

from .claims import Claim
from .kernel.certificate import check_certificate
from .kernel.grammar import to_text

__all__ = ["PolynomialModel", "margin_certificate", "margin_claim", "normalized_margin_flow",
           "RADII"]

RADII = tuple(sympy.Rational(1, 2 ** k) for k in range(1, 13))
"""Box radii tried by the search, largest first (those a float scan already rejects are
skipped: the scan only saves time, the kernel decides)."""


class _ModelNetwork:
    """What reports need of a network: ``activation``, ``depth`` (the top degree), ``params``."""

    activation = "linear"

    def __init__(self, params: Sequence[str], degree: int) -> None:
        self.params = tuple(params)
        self.depth = degree


@dataclass(frozen=True)
class PolynomialModel:
    """``Φ(θ; x)`` a polynomial in the parameters (coefficients may involve the inputs), with
    its data and initialization: the non-homogeneous counterpart of an ``Instance``."""

    params: tuple[str, ...]
    inputs: tuple[str, ...]
    output: sympy.Expr
    X: tuple[tuple[sympy.Expr, ...], ...]
    Y: tuple[int, ...]
    init: Mapping[str, sympy.Expr]
    degree: int
    layer: None = None
    network: Any = field(default=None, compare=False)
    reports_norm2 = False
    """Reports show no ``‖θ̃‖²``: the statement is about the flow from ``init``, not a KKT
    point."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "network", _ModelNetwork(self.params, self.degree))

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        return {n: sympy.Symbol(n, real=True) for n in (*self.params, *self.inputs)}

    @property
    def point(self) -> Mapping[str, sympy.Expr]:
        """The init (reports show ``‖θ(0)‖²`` as ``norm2``)."""
        return self.init

    @property
    def norm2(self) -> sympy.Expr:
        return sympy.expand(sum((_as_expr(v) ** 2 for v in self.init.values()),
                                sympy.Integer(0)))

    def base_json(self) -> dict:
        return {"symkkt_certificate": 1, "kind": "margin-decreases",
                "model": {"parameters": list(self.params), "inputs": list(self.inputs),
                          "output": to_text(self.output)},
                "data": {"x": [[to_text(_as_expr(v)) for v in x] for x in self.X],
                         "y": list(self.Y)},
                "init": {p: to_text(_as_expr(self.init[p])) for p in self.params},
                "degree": self.degree}


def margin_certificate(model: PolynomialModel, losses: Sequence[str] = ("exp", "logistic"),
                       radii: Sequence[sympy.Rational] = RADII) -> tuple[dict | None, str]:
    """The first radius (largest first) whose certificate the kernel verifies."""
    last = "no radius tried"
    for r in radii:
        if not _float_scan_ok(model, losses, r):
            last = f"radius {r}: a float sample of d gamma/dt on the box is >= 0"
            continue
        cert = dict(model.base_json(), losses=list(losses), radius=to_text(r))
        v = check_certificate(cert, source="margin-decreases")
        if v.ok:
            return cert, f"box radius {r}"
        if v.status == "refuted":
            return cert, f"refuted: {v.reasons[0]}"
        last = v.reasons[0] if v.reasons else v.status
    return None, f"no radius verified: {last}"


def _float_scan_ok(model: PolynomialModel, losses: Sequence[str], r) -> bool:
    """Untrusted pre-check: ``dγ/dt < 0`` at the box's corners and centre, in floats."""
    import itertools
    import math

    syms = model.symbols
    params = [syms[p] for p in model.params]
    qs = [sympy.expand(y * model.output.xreplace({syms[n]: v for n, v in zip(model.inputs, x)}))
          for x, y in zip(model.X, model.Y)]
    fq = sympy.lambdify(params, qs, modules="math")
    fg = sympy.lambdify(params, [[sympy.diff(q, s) for s in params] for q in qs],
                        modules="math")
    c = [float(model.init[p]) for p in model.params]
    rf = float(r)
    L = model.degree
    for signs in itertools.chain([[0] * len(c)], itertools.product((-1, 1), repeat=len(c))):
        th = [ci + si * rf for ci, si in zip(c, signs)]
        q, g = fq(*th), fg(*th)
        star = min(range(len(q)), key=lambda i: q[i])
        n2 = sum(v * v for v in th)
        for loss in losses:
            w = [math.exp(-qi) if loss == "exp" else 1 / (1 + math.exp(qi)) for qi in q]
            h = sum(w[i] * (n2 * sum(a * b for a, b in zip(g[star], g[i]))
                            - L * q[star] * sum(t * b for t, b in zip(th, g[i])))
                    for i in range(len(q)))
            if not h < 0:
                return False
    return True


def margin_claim(theorem: str, label: str, model: PolynomialModel,
                 losses: Sequence[str] = ("exp", "logistic"), **extra: Any) -> Claim:
    """"The normalized margin strictly decreases along GF from ``model.init``"."""
    def search():
        return margin_certificate(model, losses)

    return Claim(theorem, "margin-decreases", label, model, search, extra)  # type: ignore[arg-type]


def normalized_margin_flow(model: PolynomialModel, loss: str = "exp", t_end: float = 2.0,
                           samples: int = 41, dps: int = 30) -> dict:
    """γ(t) along ``dθ/dt = -∇L(θ)`` from ``model.init``, by mpmath's Taylor ODE solver.

    Evidence only. Returns ``{"t": [...], "gamma": [...], "loss": [...], "norm": [...]}`` as
    floats, plus ``"decreasing_until"``: the last sampled time up to which γ decreased.
    """
    import mpmath

    if loss not in ("exp", "logistic"):
        raise ValueError(f"loss={loss!r} must be 'exp' or 'logistic'")
    syms = model.symbols
    params = [syms[p] for p in model.params]
    qs = [sympy.expand(y * model.output.xreplace({syms[n]: v for n, v in zip(model.inputs, x)}))
          for x, y in zip(model.X, model.Y)]
    grads = [[sympy.diff(q, s) for s in params] for q in qs]
    fq = sympy.lambdify(params, qs, modules="mpmath")
    fg = sympy.lambdify(params, grads, modules="mpmath")
    L = model.degree
    with mpmath.workdps(dps):
        def rhs(t, th):
            q = fq(*th)
            g = fg(*th)
            w = [mpmath.exp(-qi) if loss == "exp" else 1 / (1 + mpmath.exp(qi)) for qi in q]
            return [mpmath.fsum(w[i] * g[i][k] for i in range(len(q)))
                    for k in range(len(params))]

        y0 = [mpmath.mpf(sympy.Rational(model.init[p]).p) / sympy.Rational(model.init[p]).q
              for p in model.params]
        sol = mpmath.odefun(rhs, 0, y0)
        ts, gammas, losses, norms = [], [], [], []
        for j in range(samples):
            t = mpmath.mpf(t_end) * j / (samples - 1)
            th = sol(t)
            q = fq(*th)
            n2 = mpmath.fsum(v * v for v in th)
            ts.append(float(t))
            gammas.append(float(min(q) / n2 ** (mpmath.mpf(L) / 2)))
            losses.append(float(mpmath.fsum(mpmath.exp(-qi) if loss == "exp"
                                            else mpmath.log1p(mpmath.exp(-qi)) for qi in q)))
            norms.append(float(mpmath.sqrt(n2)))
    until = 0.0
    for j in range(1, samples):
        if gammas[j] < gammas[j - 1]:
            until = ts[j]
        else:
            break
    return {"loss": loss, "dps": dps, "t": ts, "gamma": gammas, "loss_value": losses,
            "norm": norms, "decreasing_until": until,
            "gamma_start": gammas[0], "gamma_end": gammas[-1]}
