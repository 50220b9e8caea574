"""The public Python API (re-exported by :mod:`symkkt`; see ``docs/python.md``).

Four functions, each returning a frozen report object:

* :func:`verify` runs the bundled results (``symkkt verify``);
* :func:`check` runs a claim file, or the same content given as Python values
  (``symkkt check``);
* :func:`check_certificate` re-checks one certificate with the kernel alone
  (``symkkt check-cert``);
* :func:`gradient_flow` integrates the high-precision gradient flow (``symkkt gf``).

Arguments are validated first (:class:`~symkkt.errors.InvalidArgument`, one line); bad
content (a malformed network, an unknown parameter, a malformed certificate) is an
:class:`~symkkt.errors.InputError`. Python values given to :func:`check` go through the
claim-file reader, so they are validated exactly like a file: nothing is ever evaluated.

Everything heavy (sympy, the kernel, the theorems) is imported when a function is called,
so ``import symkkt`` stays fast.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from .errors import InputError, InvalidArgument

__all__ = ["verify", "check", "check_certificate", "gradient_flow", "Report", "ClaimResult",
           "CertificateResult", "FlowReport", "FlowRun"]

STATUSES = ("verified", "refuted", "unknown")
DEFAULT_TIMEOUT = 300.0


# ----------------------------------------------------------------------------- validators


def _type_name(x: Any) -> str:
    return type(x).__name__


def _ids_arg(ids: Any) -> list[str] | None:
    if ids is None:
        return None
    if isinstance(ids, str):
        return [ids]
    if isinstance(ids, (list, tuple)) and all(isinstance(i, str) for i in ids):
        return list(ids)
    raise InvalidArgument(f"ids={ids!r} must be a string or a list of strings")


def _timeout_arg(timeout: Any) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or \
            not (0 < timeout < math.inf):
        raise InvalidArgument(f"timeout={timeout!r} must be a positive number of seconds")
    return float(timeout)


def _bool_arg(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def _int_arg(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be an integer of at least {minimum}")
    return value


def _optional_str(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(f"{name}={value!r} must be a string")
    return value


def _path_arg(name: str, value: Any) -> str:
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise InvalidArgument(f"{name}={value!r} must be a path (a string or os.PathLike)")


# ------------------------------------------------------------------------------ reports


def _html_table(header: Sequence[str], rows: Iterable[Sequence[str]], caption: str) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _overall(statuses: Sequence[str]) -> str:
    if statuses and all(s == "verified" for s in statuses):
        return "verified"
    return "refuted" if "refuted" in statuses else "unknown"


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim: ``status`` from the kernel, exact ``values`` (strings in the
    kernel's grammar), ``reasons``, ``seconds``, the ``certificate`` (a dict, or ``None``) and
    ``evidence`` (gradient flow; never part of the verdict)."""

    id: str
    theorem: str
    kind: str
    label: str
    status: str
    reasons: tuple[str, ...]
    values: Mapping[str, Any]
    seconds: float
    certificate: Mapping[str, Any] | None = field(default=None, repr=False)
    evidence: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _report: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def _of(cls, rep) -> "ClaimResult":
        c = rep.claim
        return cls(c.claim_id, c.theorem, c.kind, c.label, rep.status, tuple(rep.reasons),
                   dict(rep.values), rep.seconds, rep.certificate, dict(rep.evidence), rep)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def summary(self) -> str:
        return f"{self.id}: {self.status}"

    def to_json(self) -> dict:
        return self._report.to_json()

    def _repr_html_(self) -> str:
        return _html_table(("claim", "status", "values", "s"),
                           [(self.id, self.status, _values_text(self.values),
                             f"{self.seconds:.2f}")], self.summary)

    def _repr_latex_(self) -> str:
        return self._report._repr_latex_()


def _values_text(values: Mapping[str, Any]) -> str:
    from .suite import key_values

    return key_values(dict(values))


@dataclass(frozen=True)
class Report:
    """The verdicts of a run of :func:`verify` or :func:`check`.

    ``claims`` (a tuple of :class:`ClaimResult`), ``status`` (``verified`` if every claim
    is, ``refuted`` if any is, else ``unknown``), ``summary``, ``seconds``, ``to_json()``
    (the same document as ``--json``). Indexing by claim id gives that claim."""

    title: str
    claims: tuple[ClaimResult, ...]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.claims) for s in STATUSES}

    @property
    def status(self) -> str:
        return _overall([c.status for c in self.claims])

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def summary(self) -> str:
        n = self.counts
        return (f"{n['verified']} verified, {n['refuted']} refuted, {n['unknown']} unknown "
                f"of {len(self.claims)} claims")

    def __len__(self) -> int:
        return len(self.claims)

    def __iter__(self):
        return iter(self.claims)

    def __getitem__(self, key: int | str) -> ClaimResult:
        if isinstance(key, int):
            return self.claims[key]
        for c in self.claims:
            if c.id == key:
                return c
        raise KeyError(key)

    def to_json(self) -> dict:
        from .suite import report_json

        return report_json([c._report for c in self.claims], self.seconds)

    def __repr__(self) -> str:
        return f"<symkkt.Report {self.title!r}: {self.summary}>"

    def _repr_html_(self) -> str:
        rows = [(c.id, c.status, _values_text(c.values), f"{c.seconds:.2f}")
                for c in self.claims]
        return _html_table(("claim", "status", "values", "s"), rows,
                           f"{self.title}: {self.summary}")

    def _repr_latex_(self) -> str:
        return "\n".join(c._repr_latex_() for c in self.claims)


@dataclass(frozen=True)
class CertificateResult:
    """The kernel's verdict on one certificate (:func:`check_certificate`)."""

    source: str
    kind: str
    status: str
    reasons: tuple[str, ...]
    values: Mapping[str, Any]
    invalid: bool = False
    certificate: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def claims(self) -> tuple["CertificateResult", ...]:
        return (self,)

    @property
    def summary(self) -> str:
        return (f"certificate {self.kind} ({self.source}): "
                f"{'valid' if self.ok else 'invalid'} ({self.status})")

    def to_json(self) -> dict:
        return {"source": self.source, "kind": self.kind, "status": self.status,
                "valid": self.ok, "reasons": list(self.reasons), "values": dict(self.values)}

    def _repr_html_(self) -> str:
        return _html_table(("kind", "status", "values", "reasons"),
                           [(self.kind, self.status, _values_text(self.values),
                             "; ".join(self.reasons))], self.summary)

    def _repr_latex_(self) -> str:
        from .latex.printer import Certificate, notebook_latex

        return notebook_latex(Certificate(dict(self.certificate or {}), source=self.source,
                                          values=self.values, status=self.status))


@dataclass(frozen=True)
class FlowRun:
    """One gradient-flow run: its label, init, and the :class:`symkkt.gf.GFResult`."""

    label: str
    init: Mapping[str, str]
    result: Any = field(repr=False)

    @property
    def direction_error(self) -> float | None:
        return self.result.direction_error

    @property
    def norm(self) -> float:
        return self.result.norm

    def to_json(self, trajectory: bool = False) -> dict:
        return {"label": self.label, "init": dict(self.init),
                "gf": self.result.to_json(trajectory=trajectory)}


def _sci(x: float | None) -> str:
    return "-" if x is None else f"{x:.2e}"


@dataclass(frozen=True)
class FlowReport:
    """The runs of :func:`gradient_flow` (evidence, never a verdict)."""

    title: str
    loss: str
    runs: tuple[FlowRun, ...]

    @property
    def claims(self) -> tuple[FlowRun, ...]:
        return self.runs

    @property
    def status(self) -> str:
        """``"reached"`` if every run reached its target norm, else ``"stopped"``."""
        return "reached" if all(r.result.stop_reason.startswith("target")
                                for r in self.runs) else "stopped"

    @property
    def summary(self) -> str:
        parts = [f"{r.label}: direction error {_sci(r.direction_error)} at ‖θ‖ = "
                 f"{r.norm:.3g}" for r in self.runs]
        return f"{len(self.runs)} gradient-flow run(s), {self.loss} loss; " + "; ".join(parts)

    def to_json(self, trajectory: bool = False) -> dict:
        return {"title": self.title, "loss": self.loss,
                "runs": [r.to_json(trajectory) for r in self.runs]}

    def _repr_html_(self) -> str:
        rows = [(r.label, _sci(r.direction_error), f"{r.norm:.3g}",
                 f"{r.result.normalized_margin:.6g}", r.result.stop_reason) for r in self.runs]
        return _html_table(("run", "direction error", "‖θ‖", "normalized margin",
                            "stopped by"), rows, self.summary)

    def _repr_latex_(self) -> str:
        rows = [rf"&\mathrm{{{_tex_text(r.label)}}}:\ \|\theta/\|\theta\| - "
                rf"\tilde\theta/\|\tilde\theta\|\| = {_tex_sci(r.direction_error)}"
                rf"\ \text{{at}}\ \|\theta\| = {_tex_sci(r.norm)}" for r in self.runs]
        return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


def _tex_text(s: str) -> str:
    return re.sub(r"([_{}#$%&^\\ ])", r"\\\1", s)


def _tex_sci(x: float | None) -> str:
    if x is None:
        return r"\text{-}"
    if x == 0:
        return "0"
    m, e = f"{x:.2e}".split("e")
    return rf"{m} \cdot 10^{{{int(e)}}}"


def _report(title: str, reps: Sequence[Any], seconds: float) -> Report:
    return Report(title, tuple(ClaimResult._of(r) for r in reps), seconds)


# ------------------------------------------------------------------------------ verify


def verify(ids: str | Sequence[str] | None = None, *, k: str | None = None, gf: bool = False,
           dps: int = 30, timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Verify the claims of bundled results (``symkkt verify``).

    ``ids``: a result id (``"3.2"``, ``"4.2.1"``, ``"R3.1"``) or a list of them; ``None``
    runs every result. ``k``: a ``-k`` expression on claim ids (``"relu and not kkt"``).
    ``gf``: also run gradient flow as evidence (``evidence["gf"]`` of each claim; off by
    default here because it takes long). ``timeout``: seconds per claim.
    """
    import time

    ids_list = _ids_arg(ids)
    k = _optional_str("k", k)
    gf = _bool_arg("gf", gf)
    dps = _int_arg("dps", dps, 15)
    timeout = _timeout_arg(timeout)
    from .suite import collect, run_suite

    claims = collect(ids_list, k)
    start = time.perf_counter()
    reps = run_suite(claims, timeout=timeout)
    if gf:
        from .gf.suite import attach_gf

        reps = attach_gf(reps, dps=dps)
    title = "symkkt verify " + (" ".join(ids_list) if ids_list else "(all results)")
    return _report(title, reps, time.perf_counter() - start)


# ------------------------------------------------------------------------------- check


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def _toml_key(k: Any, where: str) -> str:
    if not isinstance(k, str):
        raise InvalidArgument(f"{where}: key {k!r} must be a string")
    return k if _BARE_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def _toml_value(v: Any, where: str) -> str:
    """One TOML value for a Python value; numbers stay exact (a sympy number or Fraction
    becomes its exact text, which the claim-file reader parses with the kernel's grammar)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InvalidArgument(f"{where}={v!r} must be a finite number")
        text = repr(v)  # the shortest decimal that reads back as v, read exactly
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(v, Fraction):
        return json.dumps(f"{v.numerator}/{v.denominator}")
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Mapping):
        items = ", ".join(f"{_toml_key(key, where)} = {_toml_value(x, f'{where}.{key}')}"
                          for key, x in v.items())
        return "{" + items + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    mod = type(v).__module__ or ""
    if mod.startswith("sympy"):
        import sympy

        if isinstance(v, sympy.Expr):
            from .kernel.grammar import to_text

            return json.dumps(to_text(v))
    raise InvalidArgument(f"{where}={v!r} must be a number (int, Fraction, float, a sympy "
                          f"number or a string such as '1/4' or 'sqrt(2)/2'), a list or a "
                          f"dict, not {_type_name(v)}")


def claim_file_text(network: Any, data: Any, point: Any, claims: Any,
                    title: str | None = None) -> str:
    """The claim file (TOML) with this content: the same tables as a file would have
    (``docs/claim-files.md``). Raises :class:`InvalidArgument` for values TOML cannot hold."""
    return _claim_file_lines(network, data, point, claims, title)[0]


def _claim_file_lines(network: Any, data: Any, point: Any, claims: Any,
                      title: str | None = None) -> tuple[str, list[str]]:
    """The TOML text and, per line, the argument it comes from (``point.w1``)."""
    if not isinstance(network, Mapping):
        raise InvalidArgument(f"network={_short(network)} must be a dict with 'activation' "
                              f"and 'layers', as the [network] table of a claim file")
    if not isinstance(data, Mapping):
        raise InvalidArgument(f"data={_short(data)} must be a dict with 'x' and 'y', as the "
                              f"[data] table of a claim file")
    if not isinstance(point, Mapping):
        raise InvalidArgument(f"point={_short(point)} must be a dict parameter name -> number")
    if isinstance(claims, (str, Mapping)):
        claims = [claims]
    if not isinstance(claims, (list, tuple)) or not claims:
        raise InvalidArgument(f"claims={_short(claims)} must be a non-empty list of claim "
                              f"kinds ('kkt', 'global', …) or dicts like {{'kind': 'kkt'}}")
    lines, where = [], []
    if title is not None:
        lines.append(f"title = {_toml_value(title, 'title')}")
        where.append("title")
    for name, table in (("network", network), ("data", data), ("point", point)):
        lines.append(f"[{name}]")
        where.append(name)
        for key, v in table.items():
            lines.append(f"{_toml_key(key, name)} = {_toml_value(v, f'{name}.{key}')}")
            where.append(f"{name}.{key}")
    for i, c in enumerate(claims):
        if isinstance(c, str):
            c = {"kind": c}
        if not isinstance(c, Mapping):
            raise InvalidArgument(f"claims[{i}]={_short(c)} must be a claim kind or a dict")
        lines.append("[[claim]]")
        where.append(f"claims[{i}]")
        for key, v in c.items():
            lines.append(f"{_toml_key(key, f'claims[{i}]')} = "
                         f"{_toml_value(v, f'claims[{i}].{key}')}")
            where.append(f"claims[{i}].{key}")
    return "\n".join(lines) + "\n", where


def _short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def _from_values(network, data, point, claims, title, source: str):
    from .claimfile import parse_claim_text

    text, where = _claim_file_lines(network, data, point, claims, title)
    try:
        return parse_claim_text(text, source)
    except InvalidArgument:
        raise
    except InputError as exc:
        # positions refer to the generated TOML, not to the caller's code: name the argument
        arg = where[exc.line - 1] if exc.line is not None and 0 < exc.line <= len(where) \
            else None
        msg = exc.message
        if arg is not None and not msg.startswith(arg.replace("claims[", "claim[")):
            msg = f"{arg}: {msg}"
        raise InvalidArgument(msg) from None


def check(path: str | os.PathLike | None = None, *, network: Mapping | None = None,
          data: Mapping | None = None, point: Mapping | None = None,
          claims: Sequence[Any] | None = None, title: str | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Check a claim file (``symkkt check FILE.toml``), or the same content as values.

    Either ``check("file.toml")`` or ``check(network=..., data=..., point=...,
    claims=[...])`` with the claim file's tables as dicts, e.g.
    ``network={"activation": "linear", "layers": [[["w1", "w2"]], [["v"]]]}``,
    ``data={"x": [[1, 0], [0, 1]], "y": [1, -1]}``, ``point={"w1": "sqrt(2)/2", ...}``,
    ``claims=["kkt", {"kind": "global"}]``. Numbers: int, ``Fraction``, sympy numbers,
    strings in the grammar (``"sqrt(2)/2"``), and floats (read as the decimal ``repr``
    shows). Validation is the claim-file reader's: an :class:`InvalidArgument` names the
    offending entry (``data.x[0][1]``)."""
    import time

    timeout = _timeout_arg(timeout)
    title = _optional_str("title", title)
    given = {"network": network, "data": data, "point": point, "claims": claims}
    if path is not None:
        path = _path_arg("path", path)
        extra = [k for k, v in given.items() if v is not None]
        if extra:
            raise InvalidArgument(f"give either a claim file path or {', '.join(given)}, not "
                                  f"both (got path and {', '.join(extra)})")
        from .check import _load

        from pathlib import Path

        cf = _load(Path(path))
        name = path
    else:
        missing = [k for k, v in given.items() if v is None]
        if missing:
            raise InvalidArgument(f"check() needs a claim file path, or network, data, point "
                                  f"and claims (missing: {', '.join(missing)})")
        cf = _from_values(network, data, point, claims, title, source="<check arguments>")
        name = "<check arguments>"
    from .check import run_claim_file

    start = time.perf_counter()
    reps = run_claim_file(cf, timeout=timeout)
    return _report(f"symkkt check {name}", reps, time.perf_counter() - start)


# --------------------------------------------------------------------------- certificates


def check_certificate(certificate: str | os.PathLike | Mapping[str, Any], *,
                      timeout: float = DEFAULT_TIMEOUT) -> CertificateResult:
    """Re-check one certificate with the kernel alone (``symkkt check-cert``).

    ``certificate``: a path to a JSON file, or the certificate as a dict (as ``json.load``
    gives it, or as ``Report.claims[i].certificate``). A malformed certificate is an
    :class:`InputError`; a wrong one is a result with ``ok == False``."""
    timeout = _timeout_arg(timeout)
    from .kernel import check_certificate as kernel_check
    from .kernel import load_certificate

    if isinstance(certificate, Mapping):
        # the same reading as a file: through JSON text, so the kernel sees plain data
        try:
            text = json.dumps(certificate, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"certificate: not JSON data ({exc})") from None
        source = "<certificate>"
    elif isinstance(certificate, (str, os.PathLike)):
        source = os.fspath(certificate)
        try:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                             source) from None
    else:
        raise InvalidArgument(f"certificate={_short(certificate)} must be a path or a dict")
    doc = load_certificate(text, source)
    v = kernel_check(doc, source, timeout=timeout)
    kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
    return CertificateResult(source, str(kind), v.status, tuple(v.reasons), dict(v.values),
                             v.invalid, doc)


# --------------------------------------------------------------------------- gradient flow


def gradient_flow(result: str | None = None, *, label: str | None = None,
                  network: Mapping | None = None, data: Mapping | None = None,
                  init: Mapping | None = None, target: Mapping | None = None,
                  loss: str = "exp", dps: int = 30, target_norm: float = 1e12,
                  max_seconds: float | None = None) -> FlowReport:
    """Integrate the high-precision gradient flow (``symkkt gf``); evidence, not a verdict.

    Either ``gradient_flow("3.2")`` (the runs a bundled result declares; ``label`` picks
    one; ``init`` overrides some initial values) or ``gradient_flow(network=..., data=...,
    init=..., target=...)`` with the claim file's tables as dicts (``target``, optional, is
    the point θ̃ whose direction is measured)."""
    from .gf import LOSSES, MIN_DPS

    result = _optional_str("result", result)
    label = _optional_str("label", label)
    if loss not in LOSSES:
        raise InvalidArgument(f"loss={loss!r} must be one of {', '.join(LOSSES)}")
    dps = _int_arg("dps", dps, MIN_DPS)
    if isinstance(target_norm, bool) or not isinstance(target_norm, (int, float)) or \
            not (1 < target_norm < math.inf):
        raise InvalidArgument(f"target_norm={target_norm!r} must be a number > 1")
    if max_seconds is not None:
        max_seconds = _timeout_arg(max_seconds)
    if init is not None and not isinstance(init, Mapping):
        raise InvalidArgument(f"init={_short(init)} must be a dict parameter name -> number")
    from .gf import run_gf

    runs: list[tuple[str, Any, dict, Any]] = []   # (label, instance-like, init, target)
    if result is not None:
        if network is not None or data is not None or target is not None:
            raise InvalidArgument("give either a result id or network, data and init, not "
                                  "both")
        from .gf.suite import runs_for

        import theorems

        rid = theorems.resolve(result)
        declared = runs_for(rid)
        if not declared:
            raise InvalidArgument(f"result {rid} declares no gradient-flow run")
        if label is not None:
            labels = [r["label"] for r in declared]
            declared = [r for r in declared if r["label"] == label]
            if not declared:
                raise InvalidArgument(f"label={label!r}: result {rid} has runs "
                                      f"{', '.join(map(repr, labels))}")
        for run in declared:
            inst = run["instance"]
            values = dict(run["init"])
            if init:
                unknown = [p for p in init if p not in inst.network.params]
                if unknown:
                    raise InvalidArgument(f"init: unknown parameter(s) {', '.join(unknown)} "
                                          f"(the network has {', '.join(inst.network.params)})")
                values.update({p: _exact_number(f"init[{p!r}]", v) for p, v in init.items()})
            runs.append((run["label"], inst.network, inst.X, inst.Y, values, inst.point))
        title = f"gradient flow, result {rid}"
    else:
        missing = [k for k, v in (("network", network), ("data", data), ("init", init))
                   if v is None]
        if missing:
            raise InvalidArgument(f"gradient_flow() needs a result id, or network, data and "
                                  f"init (missing: {', '.join(missing)})")
        cf = _from_values(network, data, target if target is not None else init,
                          [{"kind": "convergence", "init": dict(init)}], None,
                          "<gradient_flow arguments>")
        runs.append((label or "run", cf.network, cf.X, cf.Y, dict(cf.claims[0].init),
                     dict(cf.point) if target is not None else None))
        title = "gradient flow"
    out = []
    for lab, net, X, Y, values, tgt in runs:
        res = run_gf(net, X, Y, values, tgt, loss=loss, dps=dps, target_norm=target_norm,
                     max_seconds=max_seconds)
        out.append(FlowRun(lab, {p: str(v) for p, v in values.items()}, res))
    return FlowReport(title, loss, tuple(out))


def _exact_number(where: str, v: Any):
    """An exact number from a Python value (never evaluated: strings go through the
    kernel's grammar)."""
    from .kernel.grammar import parse_number

    if isinstance(v, bool):
        raise InvalidArgument(f"{where}={v!r} must be a number, not a boolean")
    if isinstance(v, (int, Fraction)):
        return Fraction(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InvalidArgument(f"{where}={v!r} must be a finite number")
        return Fraction(repr(v))
    if isinstance(v, str):
        try:
            return parse_number(v, source=where)
        except InputError as exc:
            raise InvalidArgument(f"{where}: {exc.message}") from None
    if (type(v).__module__ or "").startswith("sympy"):
        import sympy

        if isinstance(v, sympy.Expr) and v.is_number:
            return v
    raise InvalidArgument(f"{where}={_short(v)} must be a number, not {_type_name(v)}")
