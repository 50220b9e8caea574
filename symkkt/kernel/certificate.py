"""Read a certificate (plain JSON data) and check it exactly.

The kernel trusts nothing that produced the certificate: it re-parses every number with the
whitelist grammar, re-evaluates the network, and decides every sign exactly. The certificate
format is documented in ``docs/certificates.md``; the kinds checked here are

``kkt``
    feasibility, ``λ >= 0``, complementary slackness and stationarity
    ``θ = Σ λ_i y_i g_i`` with ``g_i`` a convex combination of gradients of smooth pieces,
    each piece witnessed by a direction ``d`` that puts ``θ + s d`` strictly inside it.
``not-local``
    a curve ``θ'(ε)`` with ``θ'(ε) -> θ̃``, an explicit rational ``ε0`` and a proof that every
    constraint holds and ``‖θ'(ε)‖² < ‖θ̃‖²`` for all ``ε`` in ``(0, ε0]``.
``equal-norm``
    the same curve data, proving the constraints hold and ``‖θ'(ε)‖² = ‖θ̃‖²`` identically
    (used to show a boundary case gives no decrease).

Both Problem 2 (all parameters) and Problem 4 (one layer, the others fixed) are supported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy

from ..errors import InputError, UndecidedError
from .exact import leading_term, prove_nonnegative, sign, interval_eval, _context, _Domain
from .grammar import parse_exact, parse_number, to_text
from .net import NetSpec, Pattern
from .schema import FORMAT_VERSION, KINDS as SCHEMAS, _key_path, validate

__all__ = ["Verdict", "check_certificate", "load_certificate", "kinds", "register_checker", "FORMAT_VERSION",
           "Reader", "Refuted", "Unknown", "decide", "txt", "norm2", "problem_layer", "feasibility", "witness_reason", "EPSILON"]

EPSILON = sympy.Symbol("epsilon", positive=True)


@dataclass(frozen=True)
class Verdict:
    """What the kernel concluded about one certificate.

    ``status``: ``verified`` (every check passed exactly), ``refuted`` (a check provably
    fails; ``reasons`` says which) or ``unknown`` (some check could not be decided).
    ``values``: exact numbers, as strings in the whitelist grammar.
    """

    status: str
    reasons: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "verified"


class Refuted(Exception):
    """Raised inside a checker when a check provably fails (message = the reason)."""


class Unknown(Exception):
    """Raised inside a checker when a check cannot be decided (message = the reason)."""


# ------------------------------------------------------------------------------ parsing


class Reader:
    """Typed access to the certificate's fields with ``source: $.path: message`` errors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, msg: str) -> InputError:
        return InputError(f"{path}: {msg}", source=self.source)

    def get(self, obj: Any, key: str, path: str, typ: type | tuple = object, required=True):
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object")
        if key not in obj:
            if required:
                raise self.fail(f"{path}.{key}", "missing")
            return None
        v = obj[key]
        if typ is not object and not isinstance(v, typ):
            names = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
            raise self.fail(f"{path}.{key}", f"expected {names}, got {type(v).__name__}")
        return v

    def number(self, v: Any, path: str, names: Mapping[str, sympy.Symbol] | None = None):
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise self.fail(path, f"expected an exact number (integer or string), got "
                                  f"{type(v).__name__}")
        try:
            if names:
                return parse_exact(str(v), names, source=self.source)
            return parse_number(v, source=self.source)
        except InputError as exc:
            raise self.fail(path, exc.message) from None

    def curve(self, cert: dict, net: NetSpec, n_samples: int, names: Mapping[str, Any]):
        """``(k, curve point, eps0, patterns)`` of a curve certificate; ``epsilon`` is added
        to the declared ``names``. Patterns are ``None`` for linear networks."""
        curve = self.get(cert, "curve", "$", dict)
        k = self.get(curve, "substitution_power", "$.curve", int, required=False) or 1
        if isinstance(k, bool) or not 1 <= k <= 12:
            raise self.fail("$.curve.substitution_power", f"k={k} must be an integer in 1..12")
        cnames = dict(names)
        cnames["epsilon"] = EPSILON
        path_pt = self.point(self.get(curve, "point", "$.curve", dict), net, "$.curve.point",
                             cnames)
        eps0 = self.number(self.get(cert, "eps0", "$"), "$.eps0")
        if not (eps0.is_Rational and eps0 > 0):
            raise self.fail("$.eps0", f"eps0={eps0} must be a positive rational")
        patterns = None
        if net.activation == "relu":
            raw = self.get(curve, "patterns", "$.curve", list)
            if len(raw) != n_samples:
                raise self.fail("$.curve.patterns", f"{len(raw)} patterns for {n_samples} "
                                                    f"samples")
            patterns = [net.check_pattern_shape(p, f"$.curve.patterns[{i}]")
                        for i, p in enumerate(raw)]
        return k, path_pt, eps0, patterns

    def network(self, obj: Any) -> NetSpec:
        act = self.get(obj, "activation", "$.network", str)
        layers = self.get(obj, "layers", "$.network", list)
        out = []
        for l, layer in enumerate(layers):
            p = f"$.network.layers[{l}]"
            if not isinstance(layer, list) or not all(isinstance(r, list) for r in layer):
                raise self.fail(p, "expected a list of rows")
            rows = []
            for r, row in enumerate(layer):
                names = []
                for c, e in enumerate(row):
                    if e == "0" or e == 0:
                        names.append(None)
                    elif isinstance(e, str) and e.isidentifier():
                        names.append(e)
                    else:
                        raise self.fail(f"{p}[{r}][{c}]", f"entry {e!r} is neither 0 nor a "
                                                          f"parameter name")
                rows.append(tuple(names))
            out.append(tuple(rows))
        try:
            return NetSpec(act, tuple(out))
        except InputError as exc:
            raise self.fail("$.network", exc.message) from None

    def data(self, obj: Any, net: NetSpec, names: Mapping[str, sympy.Symbol] | None = None):
        """``(X, Y)``; with ``names`` the inputs may be expressions in those symbols."""
        xs = self.get(obj, "x", "$.data", list)
        ys = self.get(obj, "y", "$.data", list)
        if len(xs) != len(ys) or not xs:
            raise self.fail("$.data", f"{len(xs)} inputs but {len(ys)} labels")
        what = "expressions" if names else "numbers"
        X = []
        for i, x in enumerate(xs):
            if not isinstance(x, list) or len(x) != net.input_dim:
                raise self.fail(f"$.data.x[{i}]", f"expected a list of {net.input_dim} {what}")
            X.append([self.number(v, f"$.data.x[{i}][{j}]", names) for j, v in enumerate(x)])
        Y = []
        for i, y in enumerate(ys):
            if isinstance(y, bool) or y not in (1, -1):
                raise self.fail(f"$.data.y[{i}]", f"label {y!r} must be 1 or -1")
            Y.append(int(y))
        return X, Y

    def point(self, obj: Any, net: NetSpec, path: str, names=None) -> dict[str, sympy.Expr]:
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object mapping parameter names to numbers")
        missing = [p for p in net.params if p not in obj]
        extra = [k for k in obj if k not in net.params]
        if missing:
            raise self.fail(path, f"missing parameter(s) {', '.join(missing)}")
        if extra:
            raise self.fail(path, f"unknown parameter(s) {', '.join(map(str, extra))}")
        return {p: self.number(obj[p], f"{path}.{p}", names) for p in net.params}


# ----------------------------------------------------------------------------- checking


def txt(e: sympy.Expr) -> str:
    return to_text(sympy.nsimplify(e) if e.is_Float else e)


def norm2(theta: Mapping[str, sympy.Expr], names) -> sympy.Expr:
    return sympy.expand(sympy.radsimp(sympy.expand(sum((theta[p] ** 2 for p in names),
                                                       sympy.Integer(0)))))


def decide(expr: sympy.Expr) -> int:
    try:
        return sign(expr)
    except UndecidedError as exc:
        raise Unknown(str(exc)) from None


def problem_layer(rd: Reader, cert: dict, net: NetSpec) -> int | None:
    prob = rd.get(cert, "problem", "$", dict, required=False) or {"number": 2}
    number = rd.get(prob, "number", "$.problem", int)
    if number == 2:
        return None
    if number == 4:
        layer = rd.get(prob, "layer", "$.problem", int)
        if not 1 <= layer <= net.depth:
            raise rd.fail("$.problem.layer", f"layer={layer} must be between 1 and {net.depth}")
        return layer
    raise rd.fail("$.problem.number", f"problem {number} must be 2 or 4")


def feasibility(net, theta, X, Y, what: str | None = None) -> list[sympy.Expr]:
    """The margins ``y_i Φ(θ; x_i)``; Refuted if one is below 1 (the reason starts with
    ``"{what} is infeasible: "`` when ``what`` names the point)."""
    margins = []
    for i, (x, y) in enumerate(zip(X, Y)):
        m = sympy.expand(y * net.output(theta, x))
        if decide(m - 1) < 0:
            msg = f"constraint {i + 1} fails: y*Phi = {txt(m)} < 1"
            raise Refuted(f"{what} is infeasible: {msg}" if what else msg)
        margins.append(m)
    return margins


def witness_reason(net: NetSpec, theta, x, pattern: Pattern, d, free) -> str | None:
    """None if θ + s d lies strictly inside piece ``pattern`` for all small s > 0."""
    bad = [p for p, v in d.items() if p not in free and v != 0]
    if bad:
        return f"the witness moves {', '.join(bad)}, which this problem keeps fixed"
    s = sympy.Symbol("s", positive=True)
    moved = {p: theta[p] + s * d.get(p, 0) for p in net.params}
    _, pre = net.forward(moved, x, pattern)
    for l, layer in enumerate(pre):
        for j, z in enumerate(layer):
            coeffs = sympy.Poly(sympy.expand(z), s).all_coeffs()[::-1]
            lead = next((c for c in coeffs if decide(c) != 0), None)
            if lead is None:
                return (f"pre-activation of neuron {j + 1} in layer {l + 1} is identically 0 "
                        f"along the witness")
            want = 1 if pattern[l][j] else -1
            if decide(lead) != want:
                return (f"neuron {j + 1} in layer {l + 1} is "
                        f"{'negative' if want == 1 else 'positive'} along the witness, but the "
                        f"piece says {'active' if want == 1 else 'inactive'}")
    return None


def _check_kkt(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(rd.get(cert, "network", "$", dict))
    X, Y = rd.data(rd.get(cert, "data", "$", dict), net)
    theta = rd.point(rd.get(cert, "point", "$", dict), net, "$.point")
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    lam_raw = rd.get(cert, "multipliers", "$", list)
    if len(lam_raw) != len(X):
        raise rd.fail("$.multipliers", f"{len(lam_raw)} multipliers for {len(X)} samples")
    lam = [rd.number(v, f"$.multipliers[{i}]") for i, v in enumerate(lam_raw)]
    subs = rd.get(cert, "subgradients", "$", list, required=net.activation == "relu")
    if subs is not None and len(subs) != len(X):
        raise rd.fail("$.subgradients", f"{len(subs)} entries for {len(X)} samples")
    values = {"norm2": txt(norm2(theta, net.params)),
              "multipliers": [txt(v) for v in lam]}
    if layer is not None:
        values["layer_norm2"] = txt(norm2(theta, free))
    try:
        margins = feasibility(net, theta, X, Y)
        for i, (lm, m) in enumerate(zip(lam, margins)):
            if decide(lm) < 0:
                raise Refuted(f"multiplier {i + 1} is negative: {txt(lm)}")
            if decide(lm) > 0 and decide(m - 1) != 0:
                raise Refuted(f"complementary slackness fails at sample {i + 1}: multiplier "
                               f"{txt(lm)} > 0 but y*Phi = {txt(m)} > 1")
        grads = []
        for i, x in enumerate(X):
            if decide(lam[i]) == 0:
                grads.append({p: sympy.Integer(0) for p in net.params})
                continue
            if net.activation == "linear":
                grads.append(net.piece_gradient(theta, x, None))
                continue
            pieces = subs[i]
            path = f"$.subgradients[{i}]"
            if not isinstance(pieces, list) or not pieces:
                raise rd.fail(path, "expected a non-empty list of pieces")
            total = sympy.Integer(0)
            g = {p: sympy.Integer(0) for p in net.params}
            for q, piece in enumerate(pieces):
                pp = f"{path}[{q}]"
                w = rd.number(rd.get(piece, "weight", pp), f"{pp}.weight")
                pat = net.check_pattern_shape(rd.get(piece, "pattern", pp, list), pp)
                wit_raw = rd.get(piece, "witness", pp, dict, required=False) or {}
                unknown = [k for k in wit_raw if k not in net.params]
                if unknown:
                    raise rd.fail(f"{pp}.witness", f"unknown parameter(s) {', '.join(unknown)}")
                wit = {k: rd.number(v, f"{pp}.witness.{k}") for k, v in wit_raw.items()}
                if decide(w) < 0:
                    raise Refuted(f"convex weight {q + 1} of sample {i + 1} is negative")
                why = witness_reason(net, theta, x, pat, wit, free)
                if why:
                    raise Refuted(f"sample {i + 1}, piece {q + 1}: {why}")
                total += w
                for p, v in net.piece_gradient(theta, x, pat).items():
                    g[p] += w * v
            if decide(total - 1) != 0:
                raise Refuted(f"convex weights of sample {i + 1} sum to {txt(total)}, not 1")
            grads.append(g)
        for p in free:
            rhs = sum((lam[i] * Y[i] * grads[i][p] for i in range(len(X))), sympy.Integer(0))
            if decide(sympy.expand(theta[p] - rhs)) != 0:
                raise Refuted(f"stationarity fails for {p}: theta = {txt(theta[p])} but "
                               f"sum lambda_i y_i g_i = {txt(sympy.radsimp(rhs))}")
    except Refuted as exc:
        return Verdict("refuted", (str(exc),), values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", ("feasible, multipliers >= 0, complementary slackness and "
                                "stationarity hold exactly",), values)


def _check_curve(rd: Reader, cert: dict, kind: str) -> Verdict:
    net = rd.network(rd.get(cert, "network", "$", dict))
    X, Y = rd.data(rd.get(cert, "data", "$", dict), net)
    theta = rd.point(rd.get(cert, "point", "$", dict), net, "$.point")
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    curve = rd.get(cert, "curve", "$", dict)
    var = rd.get(curve, "variable", "$.curve", str, required=False) or "epsilon"
    if var != "epsilon":
        raise rd.fail("$.curve.variable", f"variable={var!r} must be 'epsilon'")
    k, path_pt, eps0, patterns = rd.curve(cert, net, len(X), {})
    n_tilde = norm2(theta, free)
    n_curve = sympy.expand(sum((path_pt[p] ** 2 for p in free), sympy.Integer(0)))
    diff = n_curve - n_tilde
    values: dict[str, Any] = {"norm2": txt(norm2(theta, net.params)), "eps0": txt(eps0)}
    if layer is not None:
        values["layer_norm2"] = txt(n_tilde)
    reasons: list[str] = []
    try:
        # the curve leaves every fixed parameter alone and tends to θ̃
        t = sympy.Symbol("t", positive=True)
        ctx = _context(80)
        hi = ctx.exp(ctx.log(ctx.mpf(int(eps0.p)) / ctx.mpf(int(eps0.q))) / k).b
        for p in net.params:
            if p not in free and decide_sym(path_pt[p] - theta[p]) != 0:
                raise Refuted(f"the curve moves {p}, which Problem 4 for layer {layer} fixes")
            g = path_pt[p].xreplace({EPSILON: t ** k})
            at0 = g.xreplace({t: sympy.Integer(0)})
            if at0.has(sympy.nan, sympy.zoo) or decide(at0 - theta[p]) != 0:
                raise Refuted(f"the curve does not tend to the point: {p}(0+) = {txt(at0)} "
                               f"!= {txt(theta[p])}")
            try:
                interval_eval(g, ctx, {t: ctx.mpf([0, hi])})
            except _Domain as exc:
                raise Unknown(f"cannot show {p}(epsilon) is continuous on [0, eps0]: {exc}")
        obligations: list[tuple[str, sympy.Expr, bool]] = []
        for i, (x, y) in enumerate(zip(X, Y)):
            out, pre = net.forward(path_pt, x, patterns[i] if patterns else None)
            if patterns:
                for l, lay in enumerate(pre):
                    for j, z in enumerate(lay):
                        s = 1 if patterns[i][l][j] else -1
                        obligations.append((f"sample {i + 1}: neuron {j + 1} of layer {l + 1} "
                                            f"{'>= 0' if s > 0 else '<= 0'}", s * z, False))
            obligations.append((f"constraint {i + 1}: y*Phi >= 1", y * out - 1, False))
        for label, f, strict in obligations:
            pr = prove_nonnegative(sympy.expand(f), EPSILON, eps0, k=k, strict=strict)
            if pr.status == "refuted":
                raise Refuted(f"{label}: {pr.reason}")
            if pr.status == "unknown":
                raise Unknown(f"{label}: {pr.reason}")
        if kind == "not-local":
            pr = prove_nonnegative(sympy.expand(-diff), EPSILON, eps0, k=k, strict=True)
            if pr.status != "verified":
                exc = Refuted if pr.status == "refuted" else Unknown
                raise exc(f"norm comparison |theta'|^2 < |theta|^2: {pr.reason}")
            try:
                values["leading_term"] = txt(leading_term(diff, EPSILON, k))
            except UndecidedError as exc:
                raise Unknown(f"leading term: {exc}")
            reasons.append(f"for every epsilon in (0, {txt(eps0)}] all constraints hold and "
                           f"the norm decreases; |theta'|^2 - |theta|^2 = "
                           f"{values['leading_term']} + o(.)")
        else:
            if decide_sym(diff) != 0:
                raise Refuted("the norm is not constant along the curve")
            values["leading_term"] = "0"
            reasons.append("all constraints hold and the norm is constant along the curve")
    except Refuted as exc:
        return Verdict("refuted", (str(exc),), values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", tuple(reasons), values)


def decide_sym(expr: sympy.Expr) -> int:
    """Sign of a possibly symbolic expression when it is identically 0 (0) or a constant."""
    if not expr.free_symbols:
        return decide(expr)
    if sympy.simplify(expr) == 0:
        return 0
    return 1


def _check_nonzero(rd: Reader, cert: dict, what: str) -> Verdict:
    """Every hidden pre-activation (``inputs``) or incoming weight row (``weights``) is non-zero."""
    net = rd.network(rd.get(cert, "network", "$", dict))
    X, _ = rd.data(rd.get(cert, "data", "$", dict), net)
    theta = rd.point(rd.get(cert, "point", "$", dict), net, "$.point")
    values = {"norm2": txt(norm2(theta, net.params))}
    try:
        if what == "inputs":
            first = rd.get(cert, "from_layer", "$", int, required=False) or 1
            for i, x in enumerate(X):
                _, pre = net.forward(theta, x)
                for l, layer in enumerate(pre[first - 1:], start=first):
                    for j, z in enumerate(layer):
                        if decide(z) == 0:
                            raise Refuted(f"sample {i + 1}: the input to neuron {j + 1} of "
                                           f"layer {l} is 0")
            return Verdict("verified", (f"every input to a hidden neuron in layers >= {first} "
                                        f"is non-zero on every sample",), values)
        for l, layer in enumerate(net.layers[:-1], start=1):
            for j, row in enumerate(layer):
                if all(n is None or decide(theta[n]) == 0 for n in row):
                    raise Refuted(f"neuron {j + 1} of layer {l} has a zero incoming weight "
                                   f"vector")
        return Verdict("verified", ("every hidden neuron has a non-zero incoming weight "
                                    "vector",), values)
    except Refuted as exc:
        return Verdict("refuted", (str(exc),), values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)


def _check_better_point(rd: Reader, cert: dict) -> Verdict:
    """``better_point`` is feasible and has strictly smaller norm than ``point``: not global."""
    net = rd.network(rd.get(cert, "network", "$", dict))
    X, Y = rd.data(rd.get(cert, "data", "$", dict), net)
    theta = rd.point(rd.get(cert, "point", "$", dict), net, "$.point")
    better = rd.point(rd.get(cert, "better_point", "$", dict), net, "$.better_point")
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    values = {"norm2": txt(norm2(theta, net.params)),
              "better_norm2": txt(norm2(better, net.params))}
    if layer is not None:
        values["layer_norm2"] = txt(norm2(theta, free))
        values["better_layer_norm2"] = txt(norm2(better, free))
    try:
        for p in net.params:
            if p not in free and decide(better[p] - theta[p]) != 0:
                raise Refuted(f"the better point changes {p}, which Problem 4 for layer "
                              f"{layer} fixes")
        feasibility(net, better, X, Y, "the better point")
        gap = norm2(theta, free) - norm2(better, free)
        if decide(gap) <= 0:
            raise Refuted(f"the better point is not better: its squared norm is "
                          f"{txt(norm2(better, free))} >= {txt(norm2(theta, free))}")
    except Refuted as exc:
        return Verdict("refuted", (str(exc),), values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", ("a feasible point with strictly smaller norm exists, so the "
                                "point is not a global optimum",), values)


_CHECKERS: dict[str, Callable[[Reader, dict], Verdict]] = {}


def register_checker(kind: str):
    """Decorator: make ``fn(reader, cert) -> Verdict`` the checker of certificate ``kind``.

    Other kernel modules (never search code) register their kinds this way; the kernel
    package imports them all on first use. Every kind has its fields declared in
    :mod:`.schema`, which :func:`check_certificate` validates before the checker runs.
    """
    def deco(fn):
        if kind not in SCHEMAS:
            raise ValueError(f"kind {kind!r} has no table in symkkt/kernel/schema.py")
        if kind in _CHECKERS:
            raise ValueError(f"checker for kind {kind!r} registered twice")
        _CHECKERS[kind] = fn
        return fn
    return deco


_CHECKERS.update({
    "better-point": _check_better_point,
    "nonzero-inputs": lambda rd, c: _check_nonzero(rd, c, "inputs"),
    "nonzero-weights": lambda rd, c: _check_nonzero(rd, c, "weights"),
    "kkt": _check_kkt,
    "not-local": lambda rd, c: _check_curve(rd, c, "not-local"),
    "equal-norm": lambda rd, c: _check_curve(rd, c, "equal-norm"),
})


def kinds() -> tuple[str, ...]:
    """Every certificate kind the kernel can check."""
    return tuple(_CHECKERS)


def check_certificate(cert: Any, source: str = "<certificate>") -> Verdict:
    """Check one certificate (a dict as read from JSON). Malformed data raises InputError: the
    whole certificate is first validated against its kind's table in :mod:`.schema`."""
    validate(cert, source)
    return _CHECKERS[cert["kind"]](Reader(source), cert)


class _Repeated(dict):
    """A JSON object in which the key ``repeated`` occurs more than once."""

    repeated: str


def _object(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    rep = _Repeated(out)
    seen: set[str] = set()
    for k, _ in pairs:
        if k in seen:
            rep.repeated = k
            return rep
        seen.add(k)
    raise AssertionError("unreachable: fewer keys than pairs means a repeated key")


def _repeated_key(doc: Any) -> str | None:
    """The JSON path of the first repeated key in ``doc`` (document order), if any."""
    stack: list[tuple[str, Any]] = [("$", doc)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, _Repeated):
            return _key_path(path, v.repeated)
        if isinstance(v, dict):
            stack.extend(reversed([(_key_path(path, k), x) for k, x in v.items()]))
        elif isinstance(v, list):
            stack.extend(reversed([(f"{path}[{i}]", x) for i, x in enumerate(v)]))
    return None


def load_certificate(text: str, source: str = "<certificate>") -> Any:
    """Parse JSON text (numbers only as ints or strings are used later). A key repeated in
    one object is an error (``json.loads`` would keep the last one silently, so a reader of
    the file and the kernel could see different values)."""
    try:
        doc = json.loads(text, parse_float=lambda s: s, parse_constant=lambda s: s,
                         object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source, exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", source) from None
    where = _repeated_key(doc)
    if where is not None:
        raise InputError(f"{where}: duplicate key (a key may occur only once per object)",
                         source)
    return doc
