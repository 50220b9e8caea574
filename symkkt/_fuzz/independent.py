"""An exact certificate checker written independently of the kernel (for ``soundness``).

It shares no code with :mod:`symkkt.kernel`:

* its own reader of the number syntax (Python's ``ast``, whitelisted nodes only; never
  ``eval``), used on the certificates the bundled claims produced;
* its own sign decision: sympy's ``evalf(strict=True)`` (which raises instead of returning a
  number it cannot distinguish from 0), then a minimal polynomial (algebraic numbers) or
  ``simplify`` for the zero test, where the kernel uses mpmath interval enclosures;
* its own forward pass, piece gradients (``sympy.diff``) and witness test;
* for curves (``not-local``, ``equal-norm``), a different argument than the kernel's Taylor
  step + bisection: exact evaluation on a grid of 26 rational ε in ``(0, ε0]`` (ε0·j/8, geometric
  down to ``ε0·2^-76``, and next to ε0), which refutes for sure, and, where an obligation is a
  polynomial in ``t = ε^(1/k)`` with rational coefficients, exact real-root counting
  (Sturm, :meth:`sympy.Poly.count_roots`), which proves its sign on the whole interval.

:class:`Cert` is the structured (sympy) form of a certificate that the mutations edit;
:meth:`Cert.to_json` renders it for the kernel.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import sympy
from sympy import Integer, Rational

__all__ = ["EPS", "Cert", "Outcome", "Undecided", "NotReal", "parse", "isign", "check",
           "CHECKED_KINDS"]

EPS = sympy.Symbol("epsilon", positive=True)
_T = sympy.Symbol("t", positive=True)
CHECKED_KINDS = ("kkt", "not-local", "equal-norm", "better-point", "nonzero-inputs",
                 "nonzero-weights")


class Undecided(Exception):
    """A sign this checker cannot decide."""


class NotReal(Exception):
    """A value that is not a real number (e.g. the square root of a negative number)."""


# ------------------------------------------------------------------------------ reading

_FUNCS: dict[str, Callable] = {"sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos}


def parse(v: Any, names: Mapping[str, sympy.Symbol] | None = None) -> sympy.Expr:
    """An exact number (or an expression in ``names``) from a JSON int or string."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, int):
        return Integer(v)
    if not isinstance(v, str) or len(v) > 20000:
        raise ValueError(f"{v!r} is not a number")
    return _ev(ast.parse(v.strip(), mode="eval").body, names or {})


def _ev(n: ast.AST, names) -> sympy.Expr:
    if isinstance(n, ast.Constant) and not isinstance(n.value, bool):
        if isinstance(n.value, int):
            return Integer(n.value)
        if isinstance(n.value, float):  # a decimal literal: read its digits exactly
            return Rational(ast.unparse(n))
        raise ValueError(f"constant {n.value!r}")
    if isinstance(n, ast.Name):
        if n.id == "pi":
            return sympy.pi
        if n.id in names:
            return names[n.id]
        raise ValueError(f"unknown name {n.id!r}")
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        v = _ev(n.operand, names)
        return -v if isinstance(n.op, ast.USub) else v
    if isinstance(n, ast.BinOp):
        a, b = _ev(n.left, names), _ev(n.right, names)
        if isinstance(n.op, ast.Add):
            return a + b
        if isinstance(n.op, ast.Sub):
            return a - b
        if isinstance(n.op, ast.Mult):
            return a * b
        if isinstance(n.op, ast.Div):
            return a / b
        if isinstance(n.op, ast.Pow):
            if b.is_Integer and abs(int(b)) > 4096:
                raise ValueError("exponent too large")
            return a ** b
    if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and not n.keywords):
        args = [_ev(a, names) for a in n.args]
        if n.func.id == "Rational" and len(args) == 2 and all(a.is_Integer for a in args):
            return Rational(args[0], args[1])
        if n.func.id in _FUNCS and len(args) == 1:
            return _FUNCS[n.func.id](args[0])
    raise ValueError(f"unsupported syntax {ast.unparse(n)!r}")


# ------------------------------------------------------------------------------ signs

_X = sympy.Dummy("x")


def _algebraic(e: sympy.Expr) -> bool:
    return not e.has(sympy.pi, sympy.E, sympy.sin, sympy.cos, sympy.exp, sympy.log) and all(
        a.is_Rational for a in e.atoms(sympy.Number))


def isign(e) -> int:
    """The sign of a closed-form real constant; raises :class:`Undecided` or :class:`NotReal`."""
    if isinstance(e, int):
        return (e > 0) - (e < 0)
    if e.is_Rational:
        return int(bool(e > 0)) - int(bool(e < 0))
    if e.free_symbols:
        raise Undecided(f"not a constant: {e}")
    if e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise NotReal(f"not finite: {e}")
    for n in (40, 200):
        try:
            v = e.evalf(n, strict=True)
        except sympy.core.evalf.PrecisionExhausted:
            break
        re, im = v.as_real_imag()
        if im != 0:
            raise NotReal(f"{e} has imaginary part {im}")
        if re != 0:
            return 1 if re > 0 else -1
        break
    # indistinguishable from 0 numerically: decide exactly
    if _algebraic(e):
        try:
            mp = sympy.minimal_polynomial(e, _X)
        except Exception as exc:  # sympy raises several types; then we cannot tell
            raise Undecided(f"minimal polynomial of {e}: {type(exc).__name__}") from None
        if sympy.Poly(mp, _X).degree() == 1 and mp.subs(_X, 0) == 0:
            return 0
    else:
        try:
            if sympy.simplify(e) == 0:
                return 0
        except Exception:
            pass
        raise Undecided(f"cannot decide the sign of {e}")
    try:
        v = e.evalf(1000, strict=True, maxn=20000)
    except sympy.core.evalf.PrecisionExhausted:
        raise Undecided(f"{e} is non-zero but too close to 0") from None
    re, im = v.as_real_imag()
    if im != 0:
        raise NotReal(f"{e} has imaginary part {im}")
    return 1 if re > 0 else -1


# -------------------------------------------------------------------------- certificates


@dataclass
class Cert:
    """A certificate in structured form: sympy numbers, names and lists, edited in place."""

    kind: str
    activation: str
    layers: list                          # [layer][row][col] -> name or None
    X: list
    Y: list
    point: dict
    layer: int | None = None              # Problem 4's layer, None for Problem 2
    multipliers: list | None = None
    subgradients: list | None = None      # per sample: [{"weight", "pattern", "witness"}]
    curve: dict | None = None
    k: int = 1
    patterns: list | None = None
    eps0: sympy.Expr | None = None
    better: dict | None = None
    from_layer: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def params(self) -> list[str]:
        out: list[str] = []
        for layer in self.layers:
            for row in layer:
                for n in row:
                    if n is not None and n not in out:
                        out.append(n)
        return out

    @property
    def free(self) -> list[str]:
        if self.layer is None:
            return self.params
        return [n for n in self.params
                if any(n in row for row in self.layers[self.layer - 1])]

    @property
    def depth(self) -> int:
        return len(self.layers)

    def copy(self) -> "Cert":
        """A copy whose containers are new (sympy numbers are immutable and shared)."""
        def pieces(ps):
            return [{"weight": q["weight"], "pattern": [list(r) for r in q["pattern"]],
                     "witness": dict(q["witness"])} for q in ps]

        return replace(
            self, layers=[[list(r) for r in layer] for layer in self.layers],
            X=[list(x) for x in self.X], Y=list(self.Y), point=dict(self.point),
            multipliers=None if self.multipliers is None else list(self.multipliers),
            subgradients=(None if self.subgradients is None
                          else [pieces(ps) for ps in self.subgradients]),
            curve=None if self.curve is None else dict(self.curve),
            patterns=(None if self.patterns is None
                      else [[list(r) for r in pat] for pat in self.patterns]),
            better=None if self.better is None else dict(self.better), meta=dict(self.meta))

    # ---- JSON

    @classmethod
    def from_json(cls, d: dict) -> "Cert":
        net = d["network"]
        layers = [[[None if e in ("0", 0) else e for e in row] for row in layer]
                  for layer in net["layers"]]
        prob = d.get("problem") or {"number": 2}
        c = cls(kind=d["kind"], activation=net["activation"], layers=layers,
                X=[[parse(v) for v in x] for x in d["data"]["x"]], Y=list(d["data"]["y"]),
                point={p: parse(v) for p, v in d["point"].items()},
                layer=prob.get("layer") if prob.get("number") == 4 else None)
        if "multipliers" in d:
            c.multipliers = [parse(v) for v in d["multipliers"]]
        if d.get("subgradients") is not None:
            c.subgradients = [[{"weight": parse(q["weight"]),
                                "pattern": [list(r) for r in q["pattern"]],
                                "witness": {p: parse(v) for p, v in
                                            (q.get("witness") or {}).items()}}
                               for q in pieces] for pieces in d["subgradients"]]
        if "curve" in d:
            cv = d["curve"]
            c.curve = {p: parse(v, {"epsilon": EPS}) for p, v in cv["point"].items()}
            c.k = cv.get("substitution_power", 1)
            if cv.get("patterns") is not None:
                c.patterns = [[list(r) for r in pat] for pat in cv["patterns"]]
        if "eps0" in d:
            c.eps0 = parse(d["eps0"])
        if "better_point" in d:
            c.better = {p: parse(v) for p, v in d["better_point"].items()}
        if "from_layer" in d:
            c.from_layer = d["from_layer"]
        c.meta = {k: d[k] for k in ("theorem", "claim") if k in d}
        return c

    def to_json(self, to_text: Callable[[sympy.Expr], str]) -> dict:
        out: dict[str, Any] = {
            "symkkt_certificate": 1, "kind": self.kind,
            "network": {"activation": self.activation,
                        "layers": [[["0" if n is None else n for n in row] for row in layer]
                                   for layer in self.layers]},
            "data": {"x": [[to_text(v) for v in x] for x in self.X], "y": list(self.Y)},
            "point": {p: to_text(v) for p, v in self.point.items()},
            "problem": ({"number": 2} if self.layer is None
                        else {"number": 4, "layer": self.layer}),
        }
        out.update(self.meta)
        if self.multipliers is not None:
            out["multipliers"] = [to_text(v) for v in self.multipliers]
        if self.subgradients is not None:
            out["subgradients"] = [[{"weight": to_text(q["weight"]),
                                     "pattern": [list(r) for r in q["pattern"]],
                                     "witness": {p: to_text(v) for p, v in q["witness"].items()}}
                                    for q in pieces] for pieces in self.subgradients]
        if self.curve is not None:
            body: dict[str, Any] = {"variable": "epsilon", "substitution_power": self.k,
                                    "point": {p: to_text(v) for p, v in self.curve.items()}}
            if self.patterns is not None:
                body["patterns"] = [[list(r) for r in pat] for pat in self.patterns]
            out["curve"] = body
        if self.eps0 is not None:
            out["eps0"] = to_text(self.eps0)
        if self.better is not None:
            out["better_point"] = {p: to_text(v) for p, v in self.better.items()}
        if self.from_layer is not None:
            out["from_layer"] = self.from_layer
        return out


@dataclass(frozen=True)
class Outcome:
    """``valid`` True/False, or None when undecided; ``method`` says how strong a yes is."""

    valid: bool | None
    reason: str
    method: str = "exact"

    def to_json(self) -> dict:
        return {"valid": self.valid, "reason": self.reason, "method": self.method}


class _Invalid(Exception):
    pass


# ---------------------------------------------------------------------------- evaluation


def _forward(c: Cert, theta: Mapping, x, pattern=None):
    """Φ(θ; x) and the hidden pre-activations (ReLU decided by :func:`isign` unless a
    pattern is given)."""
    h = list(x)
    pre = []
    last = len(c.layers) - 1
    for l, layer in enumerate(c.layers):
        z = []
        for row in layer:
            acc = Integer(0)
            for j, n in enumerate(row):
                if n is not None:
                    acc += theta[n] * h[j]
            z.append(sympy.expand(acc))
        if l == last:
            return z[0], pre
        pre.append(z)
        if c.activation == "linear":
            h = z
        elif pattern is not None:
            h = [v if pattern[l][j] else Integer(0) for j, v in enumerate(z)]
        else:
            h = [v if isign(v) > 0 else Integer(0) for v in z]
    raise AssertionError("unreachable")


def _gradient(c: Cert, theta, x, pattern) -> dict:
    syms = {p: sympy.Dummy(p) for p in c.params}
    out, _ = _forward(c, syms, x, pattern)
    sub = {syms[p]: theta[p] for p in c.params}
    return {p: sympy.expand(sympy.diff(out, syms[p]).xreplace(sub)) for p in c.params}


def _norm2(theta, names) -> sympy.Expr:
    return sympy.expand(sum((theta[p] ** 2 for p in names), Integer(0)))


def _margins(c: Cert, theta) -> list:
    out = []
    for i, (x, y) in enumerate(zip(c.X, c.Y)):
        m = sympy.expand(y * _forward(c, theta, x)[0])
        if isign(m - 1) < 0:
            raise _Invalid(f"constraint {i + 1} fails: y*Phi = {m}")
        out.append(m)
    return out


# ------------------------------------------------------------------------------ checks


def _check_kkt(c: Cert) -> Outcome:
    theta, free = c.point, c.free
    lam = c.multipliers
    if lam is None or len(lam) != len(c.X):
        raise _Invalid("wrong number of multipliers")
    margins = _margins(c, theta)
    for i, (l, m) in enumerate(zip(lam, margins)):
        s = isign(l)
        if s < 0:
            raise _Invalid(f"multiplier {i + 1} = {l} is negative")
        if s > 0 and isign(m - 1) != 0:
            raise _Invalid(f"complementary slackness fails at sample {i + 1}")
    s_var = sympy.Dummy("s", positive=True)
    total = {p: Integer(0) for p in c.params}
    for i, x in enumerate(c.X):
        if isign(lam[i]) == 0:
            continue
        if c.activation == "linear":
            g = _gradient(c, theta, x, None)
        else:
            pieces = (c.subgradients or [[]] * len(c.X))[i]
            if not pieces:
                raise _Invalid(f"sample {i + 1} has a positive multiplier but no pieces")
            g = {p: Integer(0) for p in c.params}
            wsum = Integer(0)
            for q, piece in enumerate(pieces):
                w, pat, d = piece["weight"], piece["pattern"], piece["witness"]
                if isign(w) < 0:
                    raise _Invalid(f"sample {i + 1}: weight {q + 1} is negative")
                if any(p not in free and isign(v) != 0 for p, v in d.items()):
                    raise _Invalid(f"sample {i + 1}: witness {q + 1} moves a fixed parameter")
                moved = {p: theta[p] + s_var * d.get(p, 0) for p in c.params}
                _, pre = _forward(c, moved, x, pat)
                sym_pre = None
                for l, lay in enumerate(pre):
                    for j, z in enumerate(lay):
                        coeffs = sympy.Poly(z, s_var).all_coeffs()[::-1] if z.has(s_var) else [z]
                        lead = next((a for a in coeffs if isign(a) != 0), None)
                        want = 1 if pat[l][j] else -1
                        if lead is None:
                            # allowed if the piece's pre-activation is the zero polynomial in
                            # the free parameters (0 on the whole region, either bit)
                            if sym_pre is None:
                                us = {p: sympy.Dummy(p) for p in free}
                                _, sym_pre = _forward(
                                    c, {p: us.get(p, theta[p]) for p in c.params}, x, pat)
                            e = sympy.expand(sym_pre[l][j])
                            cs = (sympy.Poly(e, *e.free_symbols).coeffs() if e.free_symbols
                                  else [e])
                            if all(isign(a) == 0 for a in cs):
                                continue
                        if lead is None or isign(lead) != want:
                            raise _Invalid(f"sample {i + 1}, piece {q + 1}: the witness does "
                                           f"not put neuron {j + 1} of layer {l + 1} inside "
                                           f"the piece")
                wsum += w
                for p, v in _gradient(c, theta, x, pat).items():
                    g[p] += w * v
            if isign(wsum - 1) != 0:
                raise _Invalid(f"sample {i + 1}: weights sum to {wsum}")
        for p in c.params:
            total[p] += lam[i] * c.Y[i] * g[p]
    for p in free:
        if isign(sympy.expand(theta[p] - total[p])) != 0:
            raise _Invalid(f"stationarity fails for {p}")
    return Outcome(True, "feasible, λ >= 0, complementary slackness, witnesses and "
                         "stationarity hold")


def _grid(eps0: sympy.Rational) -> list:
    pts = {eps0 * Rational(j, 8) for j in range(1, 9)}
    pts |= {eps0 / Integer(2) ** j for j in range(1, 81, 5)}
    pts |= {eps0 * (1 - Rational(1, 2 ** j)) for j in (6, 20)}
    return sorted(pts)


def _upper_root(eps0: sympy.Rational, k: int) -> sympy.Rational:
    """A rational U >= eps0^(1/k), within 2^-30 of it."""
    scale = 2 ** 30
    num = eps0 * Integer(scale) ** k
    a = int(sympy.ceiling(num))
    r, exact = sympy.integer_nthroot(a, k)
    if not exact or Integer(r) ** k < num:
        r += 1
    return Rational(r, scale)


def _sturm_sign_constant(g: sympy.Expr, U: sympy.Rational) -> bool | None:
    """True if ``g(t)`` (a polynomial with rational coefficients) has no root in ``(0, U]``
    other than a root at 0 of any multiplicity; None if g is not such a polynomial."""
    try:
        poly = sympy.Poly(sympy.expand(g), _T)
    except sympy.PolynomialError:
        return None
    if poly.domain not in (sympy.ZZ, sympy.QQ):
        return None
    if poly.is_zero:
        return None
    while poly.coeff_monomial(1) == 0:
        poly = sympy.Poly(sympy.quo(poly.as_expr(), _T, _T), _T)
    return poly.count_roots(0, U) == 0


def _value_at_zero(g: sympy.Expr) -> sympy.Expr:
    v = g.xreplace({_T: Integer(0)})
    if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        v = sympy.limit(g, _T, 0, "+")
    return v


def _check_curve(c: Cert) -> Outcome:
    if c.curve is None or c.eps0 is None:
        raise _Invalid("no curve")
    if not (c.eps0.is_Rational and c.eps0 > 0):
        raise _Invalid(f"eps0 = {c.eps0} is not a positive rational")
    free, theta, k = c.free, c.point, c.k
    strict = c.kind == "not-local"
    sub = {EPS: _T ** k}
    curve_t = {p: c.curve[p].xreplace(sub) for p in c.params}
    for p in c.params:
        v0 = _value_at_zero(curve_t[p])
        if isign(v0 - theta[p]) != 0:
            raise _Invalid(f"the curve does not tend to the point: {p}(0+) = {v0}")
    for p in c.params:
        if p not in free and sympy.simplify(c.curve[p] - theta[p]) != 0:
            raise _Invalid(f"the curve moves the fixed parameter {p}")
    n_tilde = _norm2(theta, free)
    # 1. exact values on the grid
    for e in _grid(c.eps0):
        pt = {p: c.curve[p].xreplace({EPS: e}) for p in c.params}
        for p, v in pt.items():
            try:
                isign(v)
            except NotReal:
                raise _Invalid(f"{p}(epsilon={e}) is not real") from None
        for i, (x, y) in enumerate(zip(c.X, c.Y)):
            pat = c.patterns[i] if c.patterns is not None else None
            out, pre = _forward(c, pt, x, pat)
            if pat is not None:
                for l, lay in enumerate(pre):
                    for j, z in enumerate(lay):
                        s = isign(z)
                        if (pat[l][j] and s < 0) or (not pat[l][j] and s > 0):
                            raise _Invalid(f"at epsilon={e}: sample {i + 1}, neuron {j + 1} of "
                                           f"layer {l + 1} contradicts the pattern")
            if isign(sympy.expand(y * out - 1)) < 0:
                raise _Invalid(f"at epsilon={e}: constraint {i + 1} fails")
        d = isign(_norm2(pt, free) - n_tilde)
        if strict and d >= 0:
            raise _Invalid(f"at epsilon={e}: the norm does not decrease")
        if not strict and d != 0:
            raise _Invalid(f"at epsilon={e}: the norm is not constant")
    # 2. exact sign on the whole interval where the obligations are rational polynomials
    if not strict:
        diff = sympy.expand(_norm2(c.curve, free) - n_tilde)
        if diff != 0 and sympy.simplify(diff) != 0:
            return Outcome(None, "the norm difference is zero on the grid but not "
                                 "simplified to 0")
    obligations = []
    for i, (x, y) in enumerate(zip(c.X, c.Y)):
        pat = c.patterns[i] if c.patterns is not None else None
        out, pre = _forward(c, curve_t, x, pat or [[1] * len(l) for l in c.layers[:-1]])
        if pat is not None:
            for l, lay in enumerate(pre):
                for j, z in enumerate(lay):
                    obligations.append(z if pat[l][j] else -z)
        obligations.append(y * out - 1)
    if strict:
        obligations.append(n_tilde - _norm2(curve_t, free))
    U = _upper_root(c.eps0, k)
    for g in obligations:
        g = sympy.expand(g)
        if g == 0:
            continue
        ok = _sturm_sign_constant(g, U)
        if not ok:
            return Outcome(True, "every obligation holds at every grid point (exact "
                                 "values); some are not rational polynomials in t, so the "
                                 "interval between grid points is not proven", "grid")
    return Outcome(True, "every obligation holds on the grid and has no root in (0, eps0] "
                         "(Sturm)")


def _check_better(c: Cert) -> Outcome:
    if c.better is None:
        raise _Invalid("no better point")
    free = c.free
    for p in c.params:
        if p not in free and isign(c.better[p] - c.point[p]) != 0:
            raise _Invalid(f"the better point changes the fixed parameter {p}")
    try:
        _margins(c, c.better)
    except _Invalid as exc:
        raise _Invalid(f"the better point is infeasible: {exc}") from None
    if isign(_norm2(c.point, free) - _norm2(c.better, free)) <= 0:
        raise _Invalid("the better point is not strictly better")
    return Outcome(True, "feasible and strictly smaller")


def _check_nonzero(c: Cert) -> Outcome:
    if c.kind == "nonzero-inputs":
        first = c.from_layer or 1
        for i, x in enumerate(c.X):
            _, pre = _forward(c, c.point, x)
            for l in range(first - 1, len(pre)):
                for j, z in enumerate(pre[l]):
                    if isign(z) == 0:
                        raise _Invalid(f"sample {i + 1}: neuron {j + 1} of layer {l + 1} has "
                                       f"input 0")
        return Outcome(True, "every hidden input is non-zero")
    for l, layer in enumerate(c.layers[:-1]):
        for j, row in enumerate(layer):
            if all(n is None or isign(c.point[n]) == 0 for n in row):
                raise _Invalid(f"neuron {j + 1} of layer {l + 1} has zero incoming weights")
    return Outcome(True, "every hidden neuron has a non-zero weight vector")


_CHECKS = {"kkt": _check_kkt, "not-local": _check_curve, "equal-norm": _check_curve,
           "better-point": _check_better, "nonzero-inputs": _check_nonzero,
           "nonzero-weights": _check_nonzero}


def check(c: Cert) -> Outcome:
    """Is the certificate valid? Exact; ``valid=None`` when a sign is undecided."""
    fn = _CHECKS.get(c.kind)
    if fn is None:
        return Outcome(None, f"kind {c.kind!r} is not checked independently")
    try:
        return fn(c)
    except _Invalid as exc:
        return Outcome(False, str(exc))
    except NotReal as exc:
        return Outcome(False, f"a value is not real: {exc}")
    except Undecided as exc:
        return Outcome(None, f"undecided: {exc}")
    except (KeyError, IndexError, TypeError) as exc:
        return Outcome(False, f"malformed: {type(exc).__name__}: {exc}")
