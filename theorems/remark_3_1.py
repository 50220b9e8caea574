"""Remark 3.1: the sub-optimality of Theorem 3.2's KKT point is unbounded.

Setting (our words). The network of Theorem 3.2, ``Φ(θ; x) = v1 σ(<w1, x>) + v2 σ(<w2, x>)``, on
two **unit** inputs at angle ``α`` (``0 < α < π``), ``x1 = (sin(α/2), cos(α/2))``,
``x2 = (-sin(α/2), cos(α/2))``, ``y1 = y2 = 1``; write ``c = cos(α/2)``, ``s = sin(α/2)``.
(Theorem 3.2's data are ``(±1, 1/4)``: equal norms, ``cos α = -15/17``; scaling the inputs
scales every feasible θ by a common factor, so verdicts and ratios only depend on α.)

The KKT point. One neuron serves both inputs, the other is idle:
``w̃1 = (0, a)``, ``ṽ1 = a``, ``w̃2 = 0``, ``ṽ2 = 0`` with ``a = c^(-1/2)`` (balanced, margins
``a² c = 1``); multipliers ``λ1 = λ2 = 1/(2c)``; ``‖θ̃‖² = 2/c = 2 sec(α/2)``.

The global optimum. Every θ has ``‖θ‖² >= 2 Σ_j |v_j| ‖w_j‖`` and
``Σ_i λ_i <= Σ_i λ_i Φ(θ; x_i) <= Σ_j |v_j| ‖w_j‖ max_A ‖Σ_{i in A} λ_i x_i‖``, so with
``λ_i = λ`` and ``max_A ‖Σ_A λ x_i‖ = λ max(1, 2c) <= 1`` we get ``‖θ‖² >= 4λ``,
``λ = min(1, 1/(2c))``. Both values are attained: ``2/c`` by θ̃, ``4`` by
``w1 = x1, v1 = 1, w2 = x2, v2 = 1`` (feasible when ``cos α <= 0``). Hence, exactly,

    ‖θ*‖² = min(2/c, 4),     ‖θ̃‖² / ‖θ*‖² = max(1, 1/(2 cos(α/2))).

Verdicts (derived, then certified). For ``α <= 2π/3`` (``c >= 1/2``) θ̃ attains the bound: it
is a **global** optimum. For ``α > 2π/3`` it is **not even a local** optimum: the curve
``w1' = (ε/(2as), a - ε/(2ac))``, ``v1' = a``, ``w2' = √ε x2``, ``v2' = √ε`` keeps both margins
exactly 1 (neuron 2 serves ``x2`` alone since ``<x1, x2> = cos α < 0``) and

    ‖θ'(ε)‖² - ‖θ̃‖² = ε (2 - 1/c) + ε² / (4 s² c),

negative for ``0 < ε < 4 s² (1 - 2c)``. There is no "local but not global" range: the
threshold is exactly ``α = 2π/3`` (``<x1, x2> = -1/2``), not only "close to π". As ``α -> π``
the ratio ``1/(2c)`` tends to infinity; exactly, ``lim (π - α) · ratio2 = 1``.

What is certified, and how (all by the kernel):

* for each α of a list (default below, or ``symkkt remark 3.1 --alpha ...``): ``kkt`` of θ̃,
  and one ``optimum-ratio`` certificate holding the exact ``ratio2`` from the formula above
  (refuted if wrong), the certified optimum θ* (``global-optimum-value`` with a
  pattern-enumeration dual), the angle α of the data, and the verdict of θ̃: ``not-local``
  (the curve, with a proven ε0) or ``global`` (the same dual bound at θ̃);
* the whole range, parametrically (kind ``robust``, the data as functions of ``c``): θ̃ is a
  KKT point and a global optimum for every ``c`` in ``[1/2, 1 - 2^-20]`` (α from about 0.0028
  up to and including 2π/3), and a KKT point that is not a local optimum for every ``c`` in a
  union of closed intervals covering ``[10^-6, 1/2 - 5·10^-6]`` (α from 2π/3 + 1.2·10^-5 to
  π - 2·10^-6; one ε0 per interval, smaller as the interval approaches 1/2). The two tiny
  open ends near ``c = 1/2`` and ``c = 0`` are covered by the formula and by per-α
  certificates, not by one certificate: the decrease ``ε (2 - 1/c)`` vanishes at ``c = 1/2``
  and the point blows up at ``c = 0``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import sympy
import typer
from sympy import Rational, cos, pi, sin, sqrt

from symkkt.claims import Claim
from symkkt.errors import InputError, UndecidedError
from symkkt.kernel.exact import sign
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text
from symkkt.kernel.grammar import parse_exact, to_text
from symkkt.network import fully_connected
from symkkt.perturb import EPSILON as eps
from symkkt.perturb import curve_certificate
from symkkt.problems import Instance

THEOREM = "R3.1"
TITLE = "Remark 3.1: unbounded sub-optimality; exact ratio and verdict as functions of the angle"
STATEMENT = __doc__
# The statement as mathematics (LaTeX: paragraphs, $...$ and \[...\], \emph): rendered in
# the PDFs and, through MathJax, on the docs site.
STATEMENT_TEX = r"""\emph{Unbounded sub-optimality.} In the setting of Theorem 3.2, for every $M > 0$ there is a
dataset, with the angle $\alpha$ between $x_1$ and $x_2$ close enough to $\pi$, such that
$\|\tilde\theta\| / \|\theta^*\| \geq M$, where $\tilde\theta$ is the KKT point gradient flow
converges to and $\theta^*$ a global optimum of Problem 2.

\emph{What is certified.} On unit inputs $x_{1,2} = (\pm \sin\frac{\alpha}{2},
\cos\frac{\alpha}{2})$ with $y_1 = y_2 = 1$, write $c = \cos\frac{\alpha}{2}$. The KKT point
$\tilde w_1 = (0, c^{-1/2})$, $\tilde v_1 = c^{-1/2}$, $\tilde w_2 = 0$, $\tilde v_2 = 0$ has
$\|\tilde\theta\|^2 = 2/c$, the global optimum has $\|\theta^*\|^2 = \min(2/c, 4)$, and exactly
\[ \frac{\|\tilde\theta\|^2}{\|\theta^*\|^2} = \max\Bigl(1, \frac{1}{2\cos(\alpha/2)}\Bigr)
   \xrightarrow[\alpha \to \pi]{} \infty. \]
For $\alpha \leq 2\pi/3$ the point $\tilde\theta$ is a global optimum; for $\alpha > 2\pi/3$ it
is not even a local optimum. Certified per angle (KKT, the exact ratio, the optimum $\theta^*$,
the verdict) and for whole ranges of $c$ at once (kind \emph{robust}).
"""

NETWORK = fully_connected([2, 2], "relu")
DEFAULT_ALPHAS = ("pi/3", "pi/2", "2*pi/3", "3*pi/4", "5*pi/6", "6*pi/7")
THRESHOLD = 2 * pi / 3

ALPHA = sympy.Symbol("alpha", positive=True)


# --------------------------------------------------------------------- the exact formulas


def formulas() -> dict[str, Any]:
    """The closed forms in α (derived symbolically; the per-α certificates check them)."""
    c = cos(ALPHA / 2)
    kkt2 = 2 / c
    opt2 = sympy.Min(2 / c, 4)
    ratio_hi = 1 / (2 * c)
    thr = sympy.solve(sympy.Eq(2 / c, 4), ALPHA)
    lim = sympy.limit(ratio_hi, ALPHA, pi, "-")
    rate = sympy.limit((pi - ALPHA) * ratio_hi, ALPHA, pi, "-")
    eps_s = sympy.Symbol("epsilon", positive=True)
    s = sin(ALPHA / 2)
    diff = eps_s * (2 - 1 / c) + eps_s ** 2 / (4 * s ** 2 * c)
    return {
        "norm2_kkt": sympy.sstr(kkt2),
        "norm2_optimum": sympy.sstr(opt2),
        "ratio2": sympy.sstr(sympy.Max(1, ratio_hi)),
        "threshold": sympy.sstr([t for t in thr if 0 < t < pi]),
        "global": "0 < alpha <= 2*pi/3",
        "not_local": "2*pi/3 < alpha < pi",
        "local_not_global": "never",
        "norm_change_along_curve": sympy.sstr(diff),
        "limit_ratio2_alpha_to_pi": sympy.sstr(lim),
        "limit_(pi-alpha)*ratio2": sympy.sstr(rate),
    }


# ---------------------------------------------------------------------- one angle alpha


def parse_alpha(text: str, source: str = "--alpha") -> sympy.Expr:
    """An exact angle from user text (whitelist grammar only), checked to lie in (0, π)."""
    a = parse_exact(text, {}, source=source)
    try:
        if sign(a) <= 0 or sign(pi - a) <= 0:
            raise InputError(f"alpha={text!r} must lie strictly between 0 and pi", source)
        c = cos(a / 2)
        sign(c)
    except UndecidedError as exc:
        raise InputError(f"alpha={text!r}: cannot decide its position exactly ({exc})",
                         source) from None
    return a


def canon(e: sympy.Expr) -> sympy.Expr:
    """The expression as the grammar reads it back (certificates must round-trip exactly)."""
    return parse_exact(sympy.sstr(_as_expr(e), order=None), {"epsilon": eps})


def half_angle(alpha: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """``(sin(α/2), cos(α/2))`` with rationalized denominators (cheaper exact decisions)."""
    return canon(sympy.radsimp(sin(alpha / 2))), canon(sympy.radsimp(cos(alpha / 2)))


def data(alpha: sympy.Expr):
    s, c = half_angle(alpha)
    return [(s, c), (-s, c)], [1, 1]


def _a(alpha: sympy.Expr) -> sympy.Expr:
    """``a = cos(α/2)^(-1/2)``, written as ``sqrt(1/c)`` with 1/c rationalized."""
    _, c = half_angle(alpha)
    return canon(sqrt(sympy.radsimp(1 / c)))


def kkt_point(alpha: sympy.Expr) -> dict:
    a = _a(alpha)
    return {"w1_1": 0, "w1_2": a, "w2_1": 0, "w2_2": 0, "v1": a, "v2": 0}


def is_global(alpha: sympy.Expr) -> bool:
    return sign(THRESHOLD - alpha) >= 0


def optimum_point(alpha: sympy.Expr) -> dict:
    if is_global(alpha):
        return kkt_point(alpha)
    s, c = half_angle(alpha)
    return {"w1_1": s, "w1_2": c, "w2_1": -s, "w2_2": c, "v1": 1, "v2": 1}


def ratio2(alpha: sympy.Expr) -> sympy.Expr:
    """max(1, 1/(2 cos(α/2))), exactly."""
    _, c = half_angle(alpha)
    return sympy.Integer(1) if is_global(alpha) else canon(sympy.radsimp(1 / (2 * c)))


def patterns_bound(alpha: sympy.Expr) -> dict:
    """The dual of the optimum: one case, ``α_i = min(1, 1/(2c))``, every option allowed.

    Option (A, s): ``s g_A + Σ μ_i c_i x_i`` with μ = 0 for s = +1 (norms λ, λ, 2cλ <= 1) and
    ``μ_i = λ`` on A for s = -1 (the vector is then 0).
    """
    _, c = half_angle(alpha)
    lam = canon(sympy.radsimp(1 / (2 * c))) if is_global(alpha) else sympy.Integer(1)
    options = []
    for A in ((0, 0), (0, 1), (1, 0), (1, 1)):
        for sgn in (1, -1):
            mu = [to_text(lam) if (sgn == -1 and A[i]) else "0" for i in range(2)]
            options.append({"active": list(A), "sign": sgn, "mu": mu})
    return {"type": "patterns", "groups": [[0, 1]],
            "cases": [{"alpha": [to_text(lam)] * 2, "options": [options]}]}


def curve(alpha: sympy.Expr) -> dict:
    """The not-local curve (α > 2π/3); ``ε = t²`` clears the square roots."""
    s, c = half_angle(alpha)
    a = _a(alpha)
    k1 = canon(sympy.radsimp(1 / (2 * s)) / a)
    k2 = canon(sympy.radsimp(1 / (2 * c)) / a)
    return {"w1_1": canon(eps * k1), "w1_2": canon(a - eps * k2),
            "w2_1": canon(-sqrt(eps) * s), "w2_2": canon(sqrt(eps) * c), "v1": a,
            "v2": sqrt(eps)}


def eps0(alpha: sympy.Expr) -> sympy.Rational:
    """A power of 1/2 below half of ``min(1, 4 s² (1 - 2c))`` (search; the kernel proves it)."""
    s, c = half_angle(alpha)
    bound = min(1.0, float(4 * s ** 2 * (1 - 2 * c))) / 2
    e = Rational(1, 2)
    while float(e) > bound and e > Rational(1, 2 ** 40):
        e /= 2
    return e


def instance(alpha: sympy.Expr) -> Instance:
    X, Y = data(alpha)
    return Instance.make(NETWORK, X, Y, kkt_point(alpha))


def ratio_certificate(alpha: sympy.Expr, claimed: sympy.Expr | None = None
                      ) -> tuple[dict | None, str]:
    """The ``optimum-ratio`` certificate for one α (``claimed`` overrides the formula)."""
    inst = instance(alpha)
    opt = Instance.make(NETWORK, inst.X, inst.Y, optimum_point(alpha))
    cert = inst.base_json()
    bound = patterns_bound(alpha)
    cert.update({"kind": "optimum-ratio",
                 "optimum": {"point": opt.base_json()["point"], "bound": bound},
                 "ratio2": to_text(ratio2(alpha) if claimed is None else claimed),
                 "angle": {"samples": [0, 1], "alpha": to_text(alpha)}})
    if is_global(alpha):
        cert["verdict"] = {"kind": "global", "bound": bound}
        return cert, "dual bound attained by the point"
    try:
        cc = curve_certificate(inst, curve(alpha), eps0(alpha), 2)
    except UndecidedError as exc:
        return None, f"the activation pattern along the curve is undecided: {exc}"
    cert["verdict"] = {"kind": "not-local", "curve": cc["curve"], "eps0": cc["eps0"]}
    return cert, "curve with eps0 from the formula (the kernel proves it)"


def kkt_certificate(alpha: sympy.Expr, inst: Instance) -> tuple[dict | None, str]:
    """The KKT certificate with the derived multipliers ``λ1 = λ2 = 1/(2c)``.

    Stationarity at θ̃: ``w̃1 = Σ λ_i ṽ1 x_i = λ a (0, 2c)`` and ``ṽ1 = Σ λ_i <w̃1, x_i> = 2λ a c``
    both give ``λ = 1/(2c)``; neuron 2 (``w̃2 = 0, ṽ2 = 0``) sits on the kink of both inputs and
    its inactive piece (witness ``w2 -> -x_i``) has gradient 0. The generic multiplier search
    finds the same numbers, but in forms that make the kernel's exact zero tests much slower
    for nested radicals, so the derived form is used. The kernel decides either way.
    """
    _, c = half_angle(alpha)
    lam = to_text(canon(sympy.radsimp(1 / (2 * c))))
    cert = inst.base_json()
    cert.update({"kind": "kkt", "multipliers": [lam, lam],
                 "subgradients": [[{"weight": "1", "pattern": [[1, 0]],
                                    "witness": {"w2_1": to_text(canon(-x[0])),
                                                "w2_2": to_text(canon(-x[1]))}}]
                                  for x in inst.X]})
    return cert, "derived multipliers 1/(2 cos(alpha/2))"


def alpha_claims(alpha_texts) -> list[Claim]:
    out = []
    for text in alpha_texts:
        alpha = parse_alpha(text)
        label = f"alpha={to_text(alpha)}"
        inst = instance(alpha)
        out.append(Claim(THEOREM, "kkt", label, inst,
                         lambda alpha=alpha, inst=inst: kkt_certificate(alpha, inst),
                         {"alpha": to_text(alpha)}))
        out.append(Claim(THEOREM, "optimum-ratio", label, inst,
                         lambda alpha=alpha: ratio_certificate(alpha),
                         {"alpha": to_text(alpha)}))
    return out


# ------------------------------------------------------------------- the whole range in c

GLOBAL_C = (Rational(1, 2), 1 - Rational(1, 2 ** 20))
NOT_LOCAL_C = [((Rational(1, 10 ** 6), Rational(1, 1000)), Rational(1, 64)),
               ((Rational(1, 1000), Rational(99, 200)), Rational(1, 64)),
               ((Rational(99, 200), Rational(999, 2000)), Rational(1, 512)),
               ((Rational(999, 2000), Rational(9999, 20000)), Rational(1, 8192)),
               ((Rational(9999, 20000), Rational(99999, 200000)), Rational(1, 131072))]


def _range_certificate(c_lo, c_hi, what: str, eps0=None) -> dict:
    """``robust`` certificate with the parameter ``c = cos(α/2)`` in ``[c_lo, c_hi]``.

    Aux radicals: ``sn = sqrt(1 - c²)`` (= sin(α/2)) and ``a = sqrt(1/c)``.
    """
    centre = (c_lo + c_hi) / 2
    radius = (c_hi - c_lo) / 2
    c = sympy.Symbol("c", real=True)
    sn = sympy.Symbol("sn", positive=True)
    a = sympy.Symbol("a", positive=True)
    X = [(sn, c), (-sn, c)]
    point = {"w1_1": 0, "w1_2": a, "w2_1": 0, "w2_2": 0, "v1": a, "v2": 0}
    lam = 1 / (2 * c)
    T = lambda e: to_text(_as_expr(e))  # noqa: E731
    cert = {"symkkt_certificate": 1, "kind": "robust", "network": NETWORK.to_json(),
            "problem": {"number": 2}, "parameters": ["c"], "center": [T(centre)],
            "radius": T(radius),
            "aux": [{"name": "sn", "base": T(1 - c ** 2), "root": 2},
                    {"name": "a", "base": T(1 / c), "root": 2}],
            "data": {"x": [[T(v) for v in x] for x in X], "y": [1, 1]},
            "point": {p: T(v) for p, v in point.items()},
            "multipliers": [T(lam), T(lam)],
            "subgradients": [[{"weight": "1", "pattern": [[1, 0]],
                               "witness": {"w2_1": T(-x[0]), "w2_2": T(-x[1])}}] for x in X]}
    if what == "global":
        cert["bound"] = {"type": "subsets", "alpha": [T(lam), T(lam)]}
    else:
        path = {"w1_1": eps / (2 * a * sn), "w1_2": a - eps / (2 * a * c),
                "w2_1": -sqrt(eps) * sn, "w2_2": sqrt(eps) * c, "v1": a, "v2": sqrt(eps)}
        cert["curve"] = {"variable": "epsilon", "substitution_power": 2,
                         "point": {p: T(v) for p, v in path.items()},
                         "patterns": [[[1, 0]], [[1, 1]]]}
        cert["eps0"] = T(eps0)
    return cert


def _alpha_range(c_lo, c_hi) -> str:
    lo, hi = 2 * sympy.acos(c_hi), 2 * sympy.acos(c_lo)
    return (f"{sympy.sstr(lo)} <= alpha <= {sympy.sstr(hi)} "
            f"({float(lo):.6f} .. {float(hi):.6f})")


def range_claims() -> list[Claim]:
    """One ``robust`` claim per interval of ``c = cos(α/2)``: global, then not-local."""
    base = instance(pi / 2)
    out = [Claim(THEOREM, "robust", f"global, c in [{to_text(GLOBAL_C[0])}, "
                                    f"{to_text(GLOBAL_C[1])}]", base,
                 lambda: (_range_certificate(*GLOBAL_C, "global"), "parametric in c"),
                 {"alpha_range": _alpha_range(*GLOBAL_C), "verdict": "global",
                  "formulas": formulas()})]
    for (lo, hi), e0 in NOT_LOCAL_C:
        out.append(Claim(THEOREM, "robust", f"not-local, c in [{to_text(lo)}, {to_text(hi)}]",
                         base,
                         lambda lo=lo, hi=hi, e0=e0: (_range_certificate(lo, hi, "not-local",
                                                                         e0),
                                                      "parametric in c"),
                         {"alpha_range": _alpha_range(lo, hi), "verdict": "not-local"}))
    return out


def claims(alphas=DEFAULT_ALPHAS, with_range: bool = True):
    out = alpha_claims(alphas)
    if with_range:
        out += range_claims()
    return out


# ----------------------------------------------------------------- `symkkt remark` command


def cli_remark(number: str = typer.Argument(..., help="remark number: 3.1, 3.2 or 4.1"),
               alpha: Optional[List[str]] = typer.Option(
                   None, "--alpha", help="an angle for remark 3.1, e.g. 5*pi/6 (repeatable)"),
               json_path: Optional[Path] = typer.Option(None, "--json",
                                                        help="write the JSON report")) -> None:
    """Run one remark's claims: ``3.1`` (per angle; ``--alpha`` repeatable), ``3.2``, ``4.1``.

    Registered by the lead as ``symkkt remark NUMBER [--alpha A ...] [--json FILE]``; exits 0
    only if every claim is verified.
    """
    from rich.console import Console
    from rich.table import Table

    from symkkt.io import check_writable_file, write_json
    from symkkt.suite import report_json, run_suite

    # typer passes OptionInfo defaults when called directly as a function
    alpha = None if alpha is None or not isinstance(alpha, (list, tuple)) else list(alpha)
    json_path = json_path if isinstance(json_path, (str, Path)) else None
    number = number.strip().removeprefix("R")
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if number == "3.1":
        texts = alpha or list(DEFAULT_ALPHAS)
        cl = claims(texts, with_range=not alpha)
    elif alpha:
        raise InputError(f"--alpha applies to remark 3.1 only, not {number!r}")
    else:
        import theorems
        cl = theorems.load(f"R{number}").claims()
    reports = run_suite(cl)
    doc = report_json(reports)
    out = Console()
    table = Table(title=f"Remark {number}")
    for col in ("claim", "status", "values"):
        table.add_column(col, overflow="fold")
    keys = ("alpha", "ratio2", "verdict", "eps0", "radius", "verdicts", "optimum", "norm2",
            "probability", "l1", "better_l1")
    for rep in reports:
        vals = dict(rep.values)
        if "alpha" in rep.claim.extra:
            vals.setdefault("alpha", rep.claim.extra["alpha"])
        shown = "  ".join(f"{k}={vals[k]}" for k in keys if k in vals)
        table.add_row(rep.claim.claim_id, rep.status, shown)
    out.print(table)
    for rep in reports:
        if rep.status != "verified":
            out.print(f"{rep.claim.claim_id}: {'; '.join(rep.reasons)}")
    if number == "3.1":
        out.print("formulas: " + json.dumps(formulas(), ensure_ascii=False))
    if json_path is not None:
        write_json(json_path, doc)
    s = doc["summary"]
    raise typer.Exit(0 if s["verified"] == s["total"] else 1)
