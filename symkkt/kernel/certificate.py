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
from .budget import OutOfTime, budget
from .grammar import MAX_DIGITS, parse_exact, parse_number, to_text
from .net import NetSpec, Pattern
from .schema import FORMAT_VERSION, KINDS as SCHEMAS, FloatText, LongInt, _key_path, validate

__all__ = ["Verdict", "check_certificate", "load_certificate", "kinds", "register_checker", "FORMAT_VERSION",
           "Reader", "Failed", "Refuted", "Invalid", "Unknown", "failed_verdict", "decide", "txt", "norm2", "problem_layer", "feasibility", "witness_reason", "vanishing_inputs", "EPSILON"]

EPSILON = sympy.Symbol("epsilon", positive=True)


@dataclass(frozen=True)
class Verdict:
    """What the kernel concluded about one certificate.

    ``status``: ``verified`` (every check passed exactly), ``refuted`` (the statement the
    certificate is about is provably false; ``reasons`` says why) or ``unknown`` (the
    certificate fails a check, ``invalid``, or some check could not be decided). A failed
    certificate is a reason, never a refutation: the statement may hold with another one.
    ``values``: exact numbers, as strings in the whitelist grammar.
    """

    status: str
    reasons: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    invalid: bool = False
    """True when the certificate provably fails a check that does not refute the statement
    (status ``unknown``): the certificate is wrong, the statement undecided."""

    @property
    def ok(self) -> bool:
        return self.status == "verified"


class Failed(Exception):
    """A check failed (message = the reason). Raise one of the two subclasses."""


class Refuted(Failed):
    """Raised inside a checker when the *statement* the certificate is about is provably false
    (e.g. the point violates a constraint, so it is not a KKT point): status ``refuted``."""


class Invalid(Failed):
    """Raised inside a checker when the *certificate* provably fails a check (a negative given
    multiplier, a curve whose norm grows, a better point that is not better) but the statement
    may still be true with another certificate: status ``unknown``, the failure as reason."""


def failed_verdict(exc: Failed, values: Mapping[str, Any]) -> "Verdict":
    """The verdict for a failed check: ``refuted`` only for :class:`Refuted`."""
    if isinstance(exc, Refuted):
        return Verdict("refuted", (str(exc),), values)
    return Verdict("unknown", (f"the certificate fails: {exc}",), values, invalid=True)


class Unknown(Exception):
    """Raised inside a checker when a check cannot be decided (message = the reason)."""


# ------------------------------------------------------------------------------ parsing


class Reader:
    """Access to the fields of a certificate that :func:`.schema.validate` has accepted.

    The schema has checked every field's presence, JSON type, range and length (the network
    is well formed, one label ±1 per input, every point names exactly the parameters, ...)
    and parsed every number with the names its field may use, so the reader only converts.
    Checks that need exact values (``eps0`` a positive rational, ...) are reported as
    ``source: $.path: message`` like the schema's.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, msg: str) -> InputError:
        return InputError(f"{path}: {msg}", source=self.source)

    def number(self, v: int | str, names: Mapping[str, sympy.Symbol] | None = None):
        """The exact value of a number field. The schema parsed the same text with the same
        ``names`` (and reported any error at the field's path), so the grammar accepts it."""
        if names:
            return parse_exact(str(v), names, source=self.source)
        return parse_number(v, source=self.source)

    def curve(self, cert: dict, net: NetSpec, n_samples: int, names: Mapping[str, Any]):
        """``(k, curve point, eps0, patterns)`` of a curve certificate; ``epsilon`` is added
        to the declared ``names``. Patterns are ``None`` for linear networks."""
        curve = cert["curve"]
        k = curve.get("substitution_power", 1)
        cnames = dict(names)
        cnames["epsilon"] = EPSILON
        path_pt = self.point(curve["point"], net, cnames)
        eps0 = self.number(cert["eps0"])
        if not (eps0.is_Rational and eps0 > 0):
            raise self.fail("$.eps0", f"eps0={eps0} must be a positive rational")
        patterns = None
        if net.activation == "relu":
            patterns = [_pattern(p) for p in curve["patterns"]]
        return k, path_pt, eps0, patterns

    def network(self, obj: dict) -> NetSpec:
        return NetSpec(obj["activation"], tuple(
            tuple(tuple(None if e in ("0", 0) else e for e in row) for row in layer)
            for layer in obj["layers"]))

    def data(self, obj: dict, names: Mapping[str, sympy.Symbol] | None = None):
        """``(X, Y)``; with ``names`` the inputs may be expressions in those symbols."""
        X = [[self.number(v, names) for v in x] for x in obj["x"]]
        return X, list(obj["y"])

    def point(self, obj: dict, net: NetSpec, names=None) -> dict[str, sympy.Expr]:
        return {p: self.number(obj[p], names) for p in net.params}


def _pattern(raw: list[list[int]]) -> Pattern:
    """An activation pattern (its shape checked by the schema) as a tuple of tuples."""
    return tuple(tuple(row) for row in raw)


# ----------------------------------------------------------------------------- checking


def txt(e: sympy.Expr) -> str:
    return to_text(sympy.nsimplify(e) if e.is_Float else e)


def norm2(theta: Mapping[str, sympy.Expr], names) -> sympy.Expr:
    return sympy.expand(sympy.radsimp(sympy.expand(sympy.Add(*(theta[p] ** 2 for p in names)))))


def decide(expr: sympy.Expr) -> int:
    try:
        return sign(expr)
    except UndecidedError as exc:
        raise Unknown(str(exc)) from None


def problem_layer(rd: Reader, cert: dict, net: NetSpec) -> int | None:
    """Problem 4's layer, or None for Problem 2 (the schema allows only the kind's problems
    and a layer in 1..depth)."""
    prob = cert.get("problem", {"number": 2})
    return prob["layer"] if prob["number"] == 4 else None


def _forward(net: NetSpec, theta, x):
    """``net.forward`` at a numeric θ; a ReLU input whose sign cannot be decided exactly is
    :class:`Unknown` (never an escaping :class:`UndecidedError`)."""
    try:
        return net.forward(theta, x)
    except UndecidedError as exc:
        raise Unknown(str(exc)) from None


def feasibility(net, theta, X, Y, what: str | None = None,
                refutes: bool = True) -> list[sympy.Expr]:
    """The margins ``y_i Φ(θ; x_i)``; if one is below 1, :class:`Refuted` (the statement is
    about this point and needs it feasible) or, with ``refutes=False``, :class:`Invalid` (an
    auxiliary point of the certificate). The reason starts with ``"{what} is infeasible: "``
    when ``what`` names the point."""
    margins = []
    for i, (x, y) in enumerate(zip(X, Y)):
        m = sympy.expand(y * _forward(net, theta, x)[0])
        if decide(m - 1) < 0:
            msg = f"constraint {i + 1} fails: y*Phi = {txt(m)} < 1"
            raise (Refuted if refutes else Invalid)(f"{what} is infeasible: {msg}" if what
                                                    else msg)
        margins.append(m)
    return margins


def vanishing_inputs(net: NetSpec, theta, x, pattern: Pattern, free) -> set[tuple[int, int]]:
    """Hidden neurons ``(l, j)`` (0-based) whose pre-activation on piece ``pattern`` is the
    zero polynomial in the free parameters (the others fixed at θ): e.g. a neuron fed only by
    neurons the piece switches off, or, in Problem 4, a neuron below the free layer whose
    input is 0 at θ. Such a neuron outputs 0 throughout the piece's region, so its bit
    changes neither Φ nor its gradient in the free parameters there."""
    syms = {p: sympy.Symbol(f"_u_{p}") for p in free}
    moved = {p: syms.get(p, theta[p]) for p in net.params}
    _, pre = net.forward(moved, x, pattern)
    gens = list(syms.values())
    out = set()
    for l, layer in enumerate(pre):
        for j, z in enumerate(layer):
            e = sympy.expand(z)
            coeffs = sympy.Poly(e, *gens).coeffs() if e.free_symbols else [e]
            if all(decide(c) == 0 for c in coeffs):
                out.add((l, j))
    return out


def witness_reason(net: NetSpec, theta, x, pattern: Pattern, d, free) -> str | None:
    """None if θ + s d lies inside piece ``pattern`` for all small s > 0: every hidden
    pre-activation along the ray, computed with the pattern, has a leading coefficient of the
    pattern's sign, or is the zero polynomial in the free parameters (then it is 0 on the
    whole region and the neuron outputs 0 whichever its bit; :func:`vanishing_inputs`).

    Why this is the Clarke condition: on the open set where every other pre-activation has
    its strict sign, induction over the layers shows Φ equals the piece polynomial (a
    vanishing pre-activation is 0 there, and ``relu(0) = 0 = b·0`` for either bit ``b``), so
    the piece gradient at ``θ + s d`` is a gradient of Φ, and its limit as ``s -> 0`` is the
    piece gradient at θ."""
    bad = [p for p, v in d.items() if p not in free and v != 0]
    if bad:
        return f"the witness moves {', '.join(bad)}, which this problem keeps fixed"
    s = sympy.Symbol("s", positive=True)
    moved = {p: theta[p] + s * d.get(p, 0) for p in net.params}
    _, pre = net.forward(moved, x, pattern)
    vanishing = None
    for l, layer in enumerate(pre):
        for j, z in enumerate(layer):
            coeffs = sympy.Poly(sympy.expand(z), s).all_coeffs()[::-1]
            lead = next((c for c in coeffs if decide(c) != 0), None)
            if lead is None:
                if vanishing is None:
                    vanishing = vanishing_inputs(net, theta, x, pattern, free)
                if (l, j) in vanishing:
                    continue
                return (f"pre-activation of neuron {j + 1} in layer {l + 1} is identically 0 "
                        f"along the witness")
            want = 1 if pattern[l][j] else -1
            if decide(lead) != want:
                return (f"neuron {j + 1} in layer {l + 1} is "
                        f"{'negative' if want == 1 else 'positive'} along the witness, but the "
                        f"piece says {'active' if want == 1 else 'inactive'}")
    return None


def _check_kkt(rd: Reader, cert: dict) -> Verdict:
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    lam = [rd.number(v) for v in cert["multipliers"]]
    subs = cert.get("subgradients")  # one list per sample, exactly for ReLU (schema)
    values = {"norm2": txt(norm2(theta, net.params)),
              "multipliers": [txt(v) for v in lam]}
    if layer is not None:
        values["layer_norm2"] = txt(norm2(theta, free))
    try:
        margins = feasibility(net, theta, X, Y)
        for i, (lm, m) in enumerate(zip(lam, margins)):
            if decide(lm) < 0:
                raise Invalid(f"multiplier {i + 1} is negative: {txt(lm)}")
            if decide(lm) > 0 and decide(m - 1) != 0:
                raise Invalid(f"complementary slackness fails at sample {i + 1}: multiplier "
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
            if not pieces:
                raise rd.fail(path, "expected a non-empty list of pieces (multiplier > 0)")
            total = sympy.Integer(0)
            g = {p: sympy.Integer(0) for p in net.params}
            for q, piece in enumerate(pieces):
                w = rd.number(piece["weight"])
                pat = _pattern(piece["pattern"])
                wit = {k: rd.number(v)
                       for k, v in piece.get("witness", {}).items()}
                if decide(w) < 0:
                    raise Invalid(f"convex weight {q + 1} of sample {i + 1} is negative")
                why = witness_reason(net, theta, x, pat, wit, free)
                if why:
                    raise Invalid(f"sample {i + 1}, piece {q + 1}: {why}")
                total += w
                for p, v in net.piece_gradient(theta, x, pat).items():
                    g[p] += w * v
            if decide(total - 1) != 0:
                raise Invalid(f"convex weights of sample {i + 1} sum to {txt(total)}, not 1")
            grads.append(g)
        for p in free:
            rhs = sympy.Add(*(lam[i] * Y[i] * grads[i][p] for i in range(len(X))))
            if decide(sympy.expand(theta[p] - rhs)) != 0:
                raise Invalid(f"stationarity fails for {p}: theta = {txt(theta[p])} but "
                               f"sum lambda_i y_i g_i = {txt(sympy.radsimp(rhs))}")
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)
    return Verdict("verified", ("feasible, multipliers >= 0, complementary slackness and "
                                "stationarity hold exactly",), values)


def _check_curve(rd: Reader, cert: dict, kind: str) -> Verdict:
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    layer = problem_layer(rd, cert, net)
    free = net.params if layer is None else net.layer_params(layer)
    k, path_pt, eps0, patterns = rd.curve(cert, net, len(X), {})
    n_tilde = norm2(theta, free)
    n_curve = sympy.expand(sympy.Add(*(path_pt[p] ** 2 for p in free)))
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
                raise Invalid(f"the curve moves {p}, which Problem 4 for layer {layer} fixes")
            g = path_pt[p].xreplace({EPSILON: t ** k})
            at0 = g.xreplace({t: sympy.Integer(0)})
            # the grammar's only infinity is 1/0 (zoo, never +-oo): a pole, so the curve does
            # not tend to the point; nan is an indeterminate form (0/0, zoo - zoo) whose
            # limit is not read off the formula (1/(e*(1+e)) - 1/e tends to -1)
            if at0.has(sympy.nan):
                raise Unknown(f"cannot evaluate {p}(epsilon) at epsilon = 0 (an indeterminate "
                              f"form)")
            if at0.has(sympy.zoo):
                raise Invalid(f"the curve does not tend to the point: {p}(epsilon) has a pole "
                              f"at epsilon = 0")
            if decide(at0 - theta[p]) != 0:
                raise Invalid(f"the curve does not tend to the point: {p}(0+) = {txt(at0)} "
                               f"!= {txt(theta[p])}")
            try:
                interval_eval(g, ctx, {t: ctx.mpf([0, hi])})
            except _Domain as exc:
                raise Unknown(f"cannot show {p}(epsilon) is continuous on [0, eps0]: {exc}")
        obligations: list[tuple[str, sympy.Expr]] = []   # each f >= 0 on (0, eps0]
        for i, (x, y) in enumerate(zip(X, Y)):
            out, pre = net.forward(path_pt, x, patterns[i] if patterns else None)
            if patterns:
                for l, lay in enumerate(pre):
                    for j, z in enumerate(lay):
                        on = patterns[i][l][j]
                        obligations.append((f"sample {i + 1}: neuron {j + 1} of layer {l + 1} "
                                            f"{'>= 0' if on else '<= 0'}", z if on else -z))
            obligations.append((f"constraint {i + 1}: y*Phi >= 1", y * out - 1))
        for label, f in obligations:
            pr = prove_nonnegative(sympy.expand(f), EPSILON, eps0, k=k)
            if pr.status == "refuted":
                raise Invalid(f"{label}: {pr.reason}")
            if pr.status == "unknown":
                raise Unknown(f"{label}: {pr.reason}")
        if kind == "not-local":
            pr = prove_nonnegative(sympy.expand(-diff), EPSILON, eps0, k=k, strict=True)
            if pr.status != "verified":
                exc = Invalid if pr.status == "refuted" else Unknown
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
                raise Invalid("the norm is not constant along the curve")
            values["leading_term"] = "0"
            reasons.append("all constraints hold and the norm is constant along the curve")
    except Failed as exc:
        return failed_verdict(exc, values)
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
    net = rd.network(cert["network"])
    X, _ = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    values = {"norm2": txt(norm2(theta, net.params))}
    try:
        if what == "inputs":
            first = cert.get("from_layer", 1)   # in 1..depth (schema)
            for i, x in enumerate(X):
                _, pre = _forward(net, theta, x)
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
    except Failed as exc:
        return failed_verdict(exc, values)
    except Unknown as exc:
        return Verdict("unknown", (str(exc),), values)


def _check_better_point(rd: Reader, cert: dict) -> Verdict:
    """``better_point`` is feasible and has strictly smaller norm than ``point``: not global."""
    net = rd.network(cert["network"])
    X, Y = rd.data(cert["data"])
    theta = rd.point(cert["point"], net)
    better = rd.point(cert["better_point"], net)
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
                raise Invalid(f"the better point changes {p}, which Problem 4 for layer "
                              f"{layer} fixes")
        feasibility(net, better, X, Y, "the better point", refutes=False)
        gap = norm2(theta, free) - norm2(better, free)
        if decide(gap) <= 0:
            raise Invalid(f"the better point is not better: its squared norm is "
                          f"{txt(norm2(better, free))} >= {txt(norm2(theta, free))}")
    except Failed as exc:
        return failed_verdict(exc, values)
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


def check_certificate(cert: Any, source: str = "<certificate>",
                      timeout: float | None = None) -> Verdict:
    """Check one certificate (a dict as read from JSON). Malformed data raises InputError: the
    whole certificate is first validated against its kind's table in :mod:`.schema`.

    Checking is bounded: with ``timeout`` (seconds of wall time; enforced in the main thread
    of a POSIX process), running out of time is ``unknown``, and so are running out of stack
    (``RecursionError``, e.g. deeply nested radicals) and of memory (``MemoryError``): the
    kernel never guesses and never crashes on a well-formed certificate."""
    if timeout is not None and not timeout > 0:
        raise InputError(f"timeout={timeout!r} must be a positive number of seconds")
    validate(cert, source)
    try:
        with budget(timeout):
            return _CHECKERS[cert["kind"]](Reader(source), cert)
    except OutOfTime as exc:
        return Verdict("unknown", (f"the kernel ran out of time: {exc}",))
    except RecursionError:
        return Verdict("unknown", ("the kernel ran out of stack (RecursionError): the "
                                   "expressions are nested too deeply to check",))
    except MemoryError:
        return Verdict("unknown", ("the kernel ran out of memory (MemoryError)",))
    except UndecidedError as exc:  # a checker that let one escape: undecided, never a crash
        return Verdict("unknown", (str(exc),))


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


def _integer(digits: str) -> int | LongInt:
    """A JSON integer; one too long for any field stays text for the schema to refuse."""
    return int(digits) if len(digits.lstrip("-")) <= MAX_DIGITS else LongInt(digits)


def load_certificate(text: str, source: str = "<certificate>") -> Any:
    """Parse JSON text: integers as ints, other JSON numbers as their text (an exact number
    field reads ``0.5`` as the decimal 1/2, never through a float). A key repeated in
    one object is an error (``json.loads`` would keep the last one silently, so a reader of
    the file and the kernel could see different values)."""
    try:
        doc = json.loads(text, parse_float=FloatText, parse_constant=FloatText,
                         parse_int=_integer, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source, exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", source) from None
    where = _repeated_key(doc)
    if where is not None:
        raise InputError(f"{where}: duplicate key (a key may occur only once per object)",
                         source)
    return doc
