"""The LaTeX printer for symkkt's objects, an extension of sympy's ``LatexPrinter``.

Modelled on ``sympy/printing/latex.py``: settings live in ``_default_settings`` (an unknown
key is an :class:`~symkkt.errors.InvalidArgument`), and ``_print`` dispatches on the class name
to ``_print_ClaimReport``, ``_print_Instance``, ``_print_NetSpec``, ``_print_Certificate`` and
``_print_KernelView``; certificates dispatch once more on their kind (``_cert_kkt``,
``_cert_not_local``, ...; unknown kinds get a generic rendering of their fields).

Every formula is printed by sympy from sympy objects, and those objects are the checker's: the
certificate is read with the kernel's own reader and whitelist grammar
(:class:`~symkkt.latex.objects.KernelView`), Φ and the piece gradients are recomputed with
the kernel's :class:`~symkkt.kernel.net.NetSpec`, and the stationarity equations, the
constraints along the curve and ``‖θ'(ε)‖² − ‖θ̃‖²`` are the expressions the kernel checks.
Numbers reported by the verdict (``eps0``, ``leading_term``, ...) are parsed back with the
kernel grammar. Only notation (``\\|\\tilde\\theta\\|^2``, ``\\lambda_i``) is written by hand.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping, Sequence

import sympy
from sympy.core.sympify import _sympify as _as_expr  # refuses strings: never parses text
from sympy.printing.latex import LatexPrinter as _SympyLatexPrinter

from ..errors import InputError, InvalidArgument, UndecidedError
from .escape import escape_math_text, escape_text, tex_name
from .layout import tex_width
from .objects import COMMON_FIELDS, Certificate, KernelView

__all__ = ["SymkktLatexPrinter", "latex", "notebook_latex", "KIND_TITLES", "Tex"]

EPS_NAME = "epsilon"

KIND_TITLES = {
    "kkt": "KKT point",
    "not-local": "not a local optimum",
    "not-global": "not a global optimum",
    "better-point": "not a global optimum",
    "equal-norm": "no decrease along the curve",
    "no-decrease": "no decrease along the curve",
    "nonzero-inputs": "every hidden input is non-zero",
    "nonzero-weights": "every hidden neuron has non-zero incoming weights",
    "global": "global optimum",
    "local": "local optimum",
    "per-layer-global": "global optimum of Problem 4 (per layer)",
    "per-layer-local": "local optimum of Problem 4 (per layer)",
    "per-layer-not-local": "not a local optimum of Problem 4 (per layer)",
    "per-layer-not-global": "not a global optimum of Problem 4 (per layer)",
    "convergence": "gradient flow converges to the point",
    "global-optimum-value": "the global optimum value",
    "not-local-all-depths": "KKT point and not a local optimum, for every depth m",
    "diagonal-family": "KKT point and not a local optimum, for every depth m",
    "global-all-data": "every KKT point is a global optimum, for every dataset",
    "per-layer-global-all-data": "every layer a global optimum of Problem 4, for every dataset",
    "linear-per-layer-family": "every layer a global optimum of Problem 4, for every dataset",
    "depth2-linear-family": "every KKT point is a global optimum, for every dataset",
}

_HEADINGS = ("section", "subsection", "subsubsection", "paragraph")


class Tex(str):
    """Hand-written notation (not a result): passed through the layout untouched."""


class SymkktLatexPrinter(_SympyLatexPrinter):
    """sympy's LaTeX printer, extended with derivation output for symkkt's objects.

    Extra settings (besides sympy's own, e.g. ``mul_symbol``, ``fold_short_frac``):

    ``line_width``
        display width budget in characters before a sum is split into rows (default 78).
    ``max_tex_chars``
        a single term whose TeX is longer than this is summarised, not typeset (default 6000).
    ``max_rows``
        rows shown per list (samples, parameters, constraints) before "n more" (default 300).
    ``heading_level``
        0: claims are ``\\section``s, 1: ``\\subsection``s (default), 2: ``\\subsubsection``s.
    ``target``
        ``"document"`` (pdflatex; default) or ``"mathjax"`` (notebook ``_repr_latex_``).
    ``gf``
        include gradient-flow evidence tables (default True).
    ``solve_kkt``
        re-solve the stationarity system in the multipliers with sympy (default True).
    """

    printmethod = "_latex"  # sympy objects that know their own LaTeX (pi, E, ...) keep it

    _default_settings: dict[str, Any] = dict(_SympyLatexPrinter._default_settings)
    _default_settings.update({
        "line_width": 78,
        "max_tex_chars": 6000,
        "max_rows": 300,
        "heading_level": 1,
        "target": "document",
        "gf": True,
        "solve_kkt": True,
    })

    def __init__(self, settings: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        merged = dict(settings or {})
        merged.update(kwargs)
        try:
            super().__init__(merged or None)
        except TypeError as exc:
            raise InvalidArgument(f"{exc} Known settings: "
                                  f"{', '.join(sorted(self._default_settings))}") from None
        except ValueError as exc:
            raise InvalidArgument(str(exc)) from None
        s = self._settings
        for key, lo in (("line_width", 20), ("max_tex_chars", 100), ("max_rows", 1)):
            v = s[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
                raise InvalidArgument(f"setting {key}={v!r} must be a number >= {lo}")
        if s["heading_level"] not in (0, 1, 2):
            raise InvalidArgument(f"setting heading_level={s['heading_level']!r} must be 0, 1 "
                                  f"or 2")
        if s["target"] not in ("document", "mathjax"):
            raise InvalidArgument(f"setting target={s['target']!r} must be 'document' or "
                                  f"'mathjax'")

    # ------------------------------------------------------------------ sympy overrides

    def _print_Symbol(self, expr, style="plain"):
        names = self._settings.get("symbol_names") or {}
        if expr in names:
            return names[expr]
        return tex_name(expr.name)

    _print_Dummy = _print_Symbol

    _MAX_DIGITS = 250

    def _huge_int(self, n: int) -> str | None:
        """A stand-in for an integer with more than ``_MAX_DIGITS`` digits, else None."""
        if abs(n).bit_length() <= self._MAX_DIGITS * 3.33:
            return None
        import mpmath

        with mpmath.workprec(80):
            x = mpmath.mpf(n)
            e = int(mpmath.floor(mpmath.log10(abs(x))))
            mant = float(x / mpmath.power(10, e))
        return (r"\left[\text{" + f"{e + 1}-digit integer" + r"} \approx "
                + f"{mant:.6f}" + r" \times 10^{" + str(e) + r"}\right]")

    def _print_int(self, expr, **kwargs):
        big = self._huge_int(int(expr))
        return big if big is not None else str(expr)

    def _print_Rational(self, expr, **kwargs):
        p, q = int(expr.p), int(expr.q)
        if self._huge_int(p) is None and self._huge_int(q) is None:
            return super()._print_Rational(expr, **kwargs)
        num = self._huge_int(p) or str(p)
        if q == 1:
            return num
        den = self._huge_int(q) or str(q)
        return "\\frac{" + num + "}{" + den + "}"

    def emptyPrinter(self, expr):  # objects sympy does not know: escaped text, never raw
        if isinstance(expr, str):
            return r"\text{" + escape_text(expr) + "}"
        return r"\text{" + escape_text(repr(expr)) + "}"

    # ------------------------------------------------------------------ small helpers

    def tex(self, expr) -> str:
        """sympy's LaTeX of ``expr`` (a sympy object, a number, or a Tex notation string)."""
        if isinstance(expr, Tex):
            return str(expr)
        if isinstance(expr, (sympy.Tuple, list, tuple)):
            return r"\left(" + ", ".join(self.tex(e) for e in expr) + r"\right)"
        if isinstance(expr, bool):
            return r"\text{" + ("true" if expr else "false") + "}"
        if isinstance(expr, (int, float)):
            expr = _as_expr(expr)
        return self._print(expr)

    def _heading(self, offset: int, title: str, star: bool = False) -> str:
        level = min(self._settings["heading_level"] + offset, len(_HEADINGS) - 1)
        cmd = _HEADINGS[level]
        return f"\\{cmd}{'*' if star else ''}{{{title}}}"

    def _summary(self, expr, tex: str) -> str:
        """A stand-in for a term too large to typeset: its size and value."""
        parts = [r"\text{[", escape_text(f"{len(tex)} characters of TeX"), r", omitted]}"]
        try:
            if isinstance(expr, sympy.Basic) and not expr.free_symbols:
                parts.append(r"\approx " + self._print(sympy.Float(sympy.N(expr, 12), 12)))
            elif isinstance(expr, sympy.Basic):
                parts.append(r"\text{ in } " + ", ".join(
                    self._print(s) for s in sorted(expr.free_symbols, key=str)[:5]))
        except Exception:  # pragma: no cover - numeric evaluation is best effort
            pass
        return "".join(parts)

    def _fit(self, expr, tex: str, width: float) -> str:
        """``tex`` if it fits ``width`` characters; else scaled down, or summarised."""
        w = tex_width(tex)
        if w <= width * 1.15:
            return tex
        if len(tex) <= self._settings["max_tex_chars"] and w <= width * 1.8:
            if self._settings["target"] == "mathjax":
                return tex
            return (r"\resizebox{0.82\linewidth}{!}{$\displaystyle " + tex + "$}")
        return self._summary(expr, tex)

    def terms(self, expr) -> list[tuple[Any, str]]:
        """The signed terms of a sum as ``(term, tex)`` (``"a"``, ``"+ b"``, ``"- c"``)."""
        if isinstance(expr, (sympy.Tuple, list, tuple)):
            items = list(expr)
            if not items:
                return [(expr, "()")]
            out = []
            for i, item in enumerate(items):
                t = self.tex(item)
                t = ("(" if i == 0 else "") + t + (")" if i == len(items) - 1 else ",")
                out.append((item, t))
            return out
        if isinstance(expr, Tex) or not isinstance(expr, sympy.Add):
            return [(expr, self.tex(expr))]
        out = []
        for i, term in enumerate(self._as_ordered_terms(expr, order=None)):
            sign = ""
            if i:
                if term.could_extract_minus_sign():
                    sign, term = "- ", -term
                else:
                    sign = "+ "
            t = self._print(term)
            if self._needs_add_brackets(term):
                t = r"\left(%s\right)" % t
            out.append((term, sign + t))
        return out

    def chunks(self, expr, width: float) -> list[str]:
        """Lines of at most ``width`` characters, splitting a sum between its terms."""
        lines: list[str] = []
        cur, cur_w = "", 0.0
        for term, t in self.terms(expr):
            tw = tex_width(t)
            if cur and cur_w + tw + 1 > width:
                lines.append(cur)
                cur, cur_w = "", 0.0
            if not cur and tw > width:
                lines.append(self._fit(term, t, width))
                continue
            cur = f"{cur} {t}" if cur else t
            cur_w += tw + 1
        if cur:
            lines.append(cur)
        return lines or ["0"]

    def rows(self, lhs: str, *rhs, rel: str = "=", suffix: str = "") -> list[str]:
        """``align*`` rows ``lhs &= r1 = r2 ...`` with long right-hand sides split."""
        width = self._settings["line_width"]
        lhs_w = tex_width(lhs)
        budget = max(width - min(lhs_w, width / 2) - 3, 20)
        out: list[str] = []
        cur = f"{lhs} &{rel} "
        cur_w = lhs_w + 2
        first = True
        for r in rhs:
            lines = self.chunks(r, budget)
            if not first:
                joined = f"{rel} " + lines[0]
                lw = tex_width(joined)
                if len(lines) == 1 and cur_w + lw <= width:
                    cur += " " + joined
                    cur_w += lw
                    continue
                out.append(cur)
                cur = f"&{rel} " + lines[0]
                cur_w = lhs_w + tex_width(lines[0]) + 2
            else:
                cur += lines[0]
                cur_w += tex_width(lines[0])
            for ln in lines[1:]:
                out.append(cur)
                cur = r"&\quad " + ln
                cur_w = lhs_w + 2 + tex_width(ln)
            first = False
        if suffix:
            if cur_w + tex_width(suffix) > width + 8:
                out.append(cur)
                cur = r"&\quad " + suffix
            else:
                cur += " " + suffix
        out.append(cur)
        return out

    def align(self, rows: Sequence[str]) -> str:
        rows = [r for r in rows if r]
        if not rows:
            return ""
        if self._settings["target"] == "mathjax":
            return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def packed(self, pairs: Sequence[tuple[str, Any]], rel: str = "=") -> str:
        """``name = value`` pairs in order, several short ones to a row when they fit."""
        width = self._settings["line_width"]
        entries: list[tuple[str, Any, str, float]] = []
        for lhs, val in pairs[: self._settings["max_rows"]]:
            t = self.tex(val)
            entries.append((lhs, val, t, tex_width(lhs) + tex_width(t) + 3))
        short = [w for _, _, _, w in entries if w <= width / 2]
        per_row = max(1, min(4, int(width // (max(short) + 8)))) if short else 1
        rows: list[str] = []
        buf: list[str] = []
        for lhs, val, t, w in entries:
            if w <= width / 2:
                buf.append(f"{lhs} &{rel} {t}")
                if len(buf) == per_row:
                    rows.append(" & ".join(buf))
                    buf = []
                continue
            if buf:
                rows.append(" & ".join(buf))
                buf = []
            rows.extend(self.rows(lhs, val, rel=rel))
        if buf:
            rows.append(" & ".join(buf))
        if len(pairs) > len(entries):
            rows.append(r"&\text{" + escape_text(f"... {len(pairs) - len(entries)} more")
                        + "}")
        return self.align(rows)

    def inline(self, expr, width: float | None = None) -> str:
        """``$...$`` for running text / table cells (summarised when too long)."""
        t = self.tex(expr)
        width = width or self._settings["line_width"]
        if tex_width(t) > width * 3 or len(t) > self._settings["max_tex_chars"]:
            t = self._summary(expr, t)
        return f"${t}$"

    def _limit(self, seq: Sequence, what: str) -> tuple[list, str]:
        n = self._settings["max_rows"]
        seq = list(seq)
        if len(seq) <= n:
            return seq, ""
        return seq[:n], (f"\n\n\\emph{{{escape_text(f'... and {len(seq) - n} more {what}, not shown.')}}}")

    # ------------------------------------------------------------------ value parsing

    def parse_value(self, v: Any):
        """A verdict value (grammar string, int, list) as a sympy object, or None."""
        from ..kernel.certificate import EPSILON
        from ..kernel.grammar import parse_exact, parse_number

        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return sympy.Integer(v)
        if isinstance(v, float):
            return sympy.Float(v, 6)
        if isinstance(v, str):
            try:
                return parse_exact(v, {EPS_NAME: EPSILON}, source="<values>")
            except (InputError, Exception):
                try:
                    return parse_number(v, source="<values>")
                except Exception:
                    return None
        if isinstance(v, (list, tuple)):
            parsed = [self.parse_value(x) for x in v]
            if all(p is not None for p in parsed):
                return sympy.Tuple(*parsed)
        return None

    def value_tex(self, v: Any) -> str:
        """A value of any JSON type as math TeX (exact numbers through sympy)."""
        p = self.parse_value(v)
        if p is not None:
            return self.tex(p)
        if isinstance(v, bool):
            return r"\text{" + ("yes" if v else "no") + "}"
        if isinstance(v, dict):
            inner = ", ".join(f"\\mathrm{{{escape_math_text(k)}}}: {self.value_tex(x)}"
                              for k, x in list(v.items())[:12])
            return r"\{" + inner + (r", \ldots" if len(v) > 12 else "") + r"\}"
        if isinstance(v, (list, tuple)):
            inner = ", ".join(self.value_tex(x) for x in list(v)[:12])
            return r"\left(" + inner + (r", \ldots" if len(v) > 12 else "") + r"\right)"
        text = str(v)
        if len(text) > 120:
            return r"\text{" + escape_text(f"[text of {len(text)} characters]") + "}"
        return r"\mathrm{" + escape_math_text(text) + "}"

    # ------------------------------------------------------------------ networks

    def param_symbols(self, net) -> dict[str, sympy.Symbol]:
        return {p: sympy.Symbol(p) for p in net.params}

    def network_formula(self, net) -> sympy.Expr:
        """Φ(θ; x) as a sympy expression in the parameter symbols and ``x_k`` (σ = ReLU)."""
        sigma = sympy.Function("sigma")
        th = self.param_symbols(net)
        # Dummies: an input x_k never coincides with a parameter that happens to be named x1
        h: list[sympy.Expr] = [sympy.Dummy(f"x{k}") for k in range(1, net.input_dim + 1)]
        for l, layer in enumerate(net.layers):
            z = [sympy.Add(*[th[n] * h[j] for j, n in enumerate(row) if n is not None])
                 for row in layer]
            if l == net.depth - 1:
                return z[0]
            h = z if net.activation == "linear" else [sigma(v) if v != 0 else v for v in z]
        raise AssertionError("unreachable")

    def _print_NetSpec(self, net) -> str:
        th = self.param_symbols(net)
        out = []
        widths = ", ".join(str(w) for w in net.hidden_widths) or "none"
        act = "ReLU" if net.activation == "relu" else "Linear"
        out.append(f"{act} network of depth ${net.depth}$ ($\\Phi$ is "
                   f"${net.depth}$-homogeneous in $\\theta$), input dimension "
                   f"${net.input_dim}$, hidden widths ${widths}$, ${len(net.params)}$ "
                   f"parameters{', with shared weights' if net.has_sharing else ''}.")
        mats = []
        for l, layer in enumerate(net.layers, start=1):
            rows, cols = len(layer), len(layer[0])
            if rows <= 12 and cols <= 10:
                m = sympy.Matrix([[th[n] if n is not None else 0 for n in row]
                                  for row in layer])
                mats.append((Tex(f"W^{{({l})}}"), m))
        if len(mats) == net.depth:
            out.append("Weight matrices, input to output (a name used twice in a layer is a "
                       "shared weight, $0$ a structural zero):")
            out.append(self.packed(mats))
        else:
            out.append(r"Some weight matrices are too large to print; layer $l$ maps "
                       r"$h^{(l-1)}$ to $\sigma(W^{(l)} h^{(l-1)})$, with $h^{(0)} = x$.")
        phi = self.network_formula(net)
        ftex = self.tex(phi)
        if len(ftex) <= self._settings["max_tex_chars"]:
            out.append(r"The network as a formula, with $\sigma(z) = \max(z, 0)$:"
                       if net.activation == "relu" else "The network as a formula:")
            out.append(self.align(self.rows(r"\Phi(\theta; x)", phi)))
        else:
            out.append(escape_text(f"The closed formula of Φ has {len(ftex)} characters of "
                                   f"TeX and is not printed."))
        return "\n\n".join(o for o in out if o)

    # ------------------------------------------------------------------ instances

    def _problem_tex(self, layer: int | None) -> str:
        if layer is None:
            return (r"\noindent Problem 2: \[ \min_{\theta}\ \tfrac12 \|\theta\|^2 \quad"
                    r"\text{s.t.}\quad y_i \Phi(\theta; x_i) \geq 1 \ \text{ for all } i. \]")
        return (f"\\noindent Problem 4 for layer ${layer}$, every other layer fixed at the "
                f"point: \\[ \\min_{{u^{{({layer})}}}}\\ \\tfrac12 \\|u^{{({layer})}}\\|^2 "
                f"\\quad\\text{{s.t.}}\\quad y_i \\Phi(\\theta; x_i) \\geq 1 \\ \\text{{ for "
                f"all }} i. \\]")

    def _print_Instance(self, inst) -> str:
        from ..kernel.certificate import norm2
        from ..kernel.exact import sign

        net = inst.network
        n = len(inst.X)
        out = [self._problem_tex(inst.layer), self._print(net)]
        out.append(f"Data (${n}$ sample{'s' if n != 1 else ''}):")
        shown, more = self._limit(list(enumerate(zip(inst.X, inst.Y), start=1)), "samples")
        rows = []
        for i, (x, y) in shown:
            xt = self.rows(f"x_{{{i}}}", sympy.Tuple(*x))
            xt[-1] += f", & y_{{{i}}} &= {self.tex(sympy.Integer(y))}"
            rows += xt
        out.append(self.align(rows) + more)
        out.append(r"The point $\tilde\theta$:")
        out.append(self.packed([(tex_name(p, accent=r"\tilde"), inst.point[p])
                                for p in net.params]))
        rows = self.rows(r"\|\tilde\theta\|^2", norm2(inst.point, net.params))
        if inst.layer is not None:
            rows += self.rows(f"\\|\\tilde u^{{({inst.layer})}}\\|^2",
                              norm2(inst.point, net.layer_params(inst.layer)))
        out.append(self.align(rows))
        out.append(r"Margins at $\tilde\theta$ (a constraint is active when its margin is "
                   r"$1$):")
        mrows = []
        for i, (x, y) in shown:
            lhs = f"y_{{{i}}}\\Phi(\\tilde\\theta; x_{{{i}}})"
            try:
                m = sympy.expand(y * net.output(inst.point, x))
                s = sign(m - 1)
                note = (r"\quad\text{(active)}" if s == 0 else
                        r"\quad\text{(inactive)}" if s > 0 else r"\quad\text{(violated)}")
                mrows += self.rows(lhs, m, suffix=note)
            except UndecidedError as exc:
                mrows.append(f"{lhs} &\\quad \\text{{{escape_text(f'undecided: {exc}')}}}")
        out.append(self.align(mrows) + more)
        return "\n\n".join(o for o in out if o)

    def _print_KernelView(self, view: KernelView) -> str:
        return self._print_Instance(view.instance())

    # ------------------------------------------------------------------ reports

    def claim_title(self, rep) -> str:
        c = rep.claim
        words = KIND_TITLES.get(c.kind, c.kind)
        return (f"{escape_text(words[0].upper() + words[1:])} "
                f"({escape_text(c.label)}): \\status{{{rep.status}}}")

    def _print_ClaimReport(self, rep) -> str:
        c = rep.claim
        out = [self._heading(0, self.claim_title(rep))]
        out.append(r"\noindent\textbf{Claim} \texttt{" + escape_text(c.claim_id) + "}"
                   + r" \quad \textbf{verdict} \status{" + rep.status + "}"
                   + r" \quad \textbf{time} " + escape_text(f"{rep.seconds:.2f} s"))
        if rep.reasons:
            out.append(r"\begin{itemize}" + "".join(r"\item " + self.reason_tex(r)
                                                    for r in rep.reasons)
                       + r"\end{itemize}")
        if rep.certificate is not None:
            cert = Certificate(rep.certificate, source=c.claim_id, values=rep.values,
                               status=rep.status)
            out.append(self._print(cert))
        else:
            out.append("No certificate was found, so the kernel had nothing to check: the "
                       "verdict is unknown.")
            out.append(self.values_block(rep.values))
        gf = (rep.evidence or {}).get("gf") if self._settings["gf"] else None
        if gf:
            out.append(self.gf_table(gf))
        return "\n\n".join(o for o in out if o)

    _WORDS = {">=": r"$\geq$", "<=": r"$\leq$", "!=": r"$\neq$", "->": r"$\to$",
              "|theta|^2": r"$\|\theta\|^2$", "|theta|": r"$\|\theta\|$"}

    def reason_tex(self, text: str) -> str:
        """A kernel reason as running text with its exact numbers typeset by sympy.

        Each whitespace-separated token that the kernel grammar reads as a number (or an
        expression in epsilon) becomes math; ``>=``, ``<=`` and ``|theta|`` become symbols.
        Text is never evaluated: tokens are parsed by the whitelist grammar or left as text.
        """
        out = []
        for tok in str(text).split(" "):
            if tok in self._WORDS:
                out.append(self._WORDS[tok])
                continue
            core, tail = tok, ""
            while core and core[-1] in ",;:.":
                core, tail = core[:-1], core[-1] + tail
            lead = ""
            if core.startswith("(") and core.count("(") > core.count(")"):
                lead, core = "(", core[1:]
            if core.endswith(")") and core.count(")") > core.count("("):
                core, tail = core[:-1], ")" + tail
            if core in self._WORDS:
                out.append(escape_text(lead) + self._WORDS[core] + escape_text(tail))
                continue
            parsed = None
            if core and any(ch.isdigit() for ch in core) and not core.isalpha():
                parsed = self.parse_value(core)
            if parsed is not None and not isinstance(parsed, sympy.Float):
                out.append(escape_text(lead) + f"${self.tex(parsed)}$" + escape_text(tail))
            else:
                out.append(escape_text(tok))
        return " ".join(out)

    def values_block(self, values: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
        """The verdict's values: numbers through sympy, point-like dicts as name = value."""
        skip = set(skip)
        pairs: list[tuple[str, Any]] = []
        subs: list[str] = []
        for k, v in values.items():
            if k in skip:
                continue
            key = r"\mathrm{" + escape_math_text(k) + "}"
            if isinstance(v, Mapping) and v:
                inner = []
                for kk, vv in v.items():
                    parsed = self.parse_value(vv)
                    name = (tex_name(kk) if isinstance(kk, str) and kk.isidentifier()
                            else r"\mathrm{" + escape_math_text(kk) + "}")
                    inner.append((name, parsed if parsed is not None
                                  else Tex(self.value_tex(vv))))
                subs.append(r"\noindent$" + key + r"$:" + "\n" + self.packed(inner))
                continue
            parsed = self.parse_value(v)
            pairs.append((key, parsed if parsed is not None else Tex(self.value_tex(v))))
        if not pairs and not subs:
            return ""
        return "\n\n".join(["Values reported by the kernel:"]
                             + ([self.packed(pairs)] if pairs else []) + subs)

    def gf_table(self, gf: Any) -> str:
        """Gradient-flow evidence (a dict, or a list of dicts) as a small table."""
        runs = gf if isinstance(gf, list) else [gf]
        runs = [r for r in runs if isinstance(r, dict)]
        if not runs:
            return ""
        keys: list[str] = []
        for r in runs:
            for k, v in r.items():
                if k not in keys and not isinstance(v, (list, dict)):
                    keys.append(k)
        keys = keys[:14]
        if self._settings["target"] == "mathjax":
            return self.packed([(r"\mathrm{" + escape_math_text(k) + "}",
                                 Tex(self.value_tex(runs[0].get(k)))) for k in keys])
        head = "Gradient-flow evidence (numerical, not part of the verdict)"
        lines = [r"\begin{center}\small", r"\begin{tabular}{l" + "l" * len(runs) + "}",
                 r"\toprule", r"\multicolumn{" + str(len(runs) + 1) + "}{l}{"
                 + escape_text(head) + r"} \\", r"\midrule"]
        for k in keys:
            cells = [_gf_cell(r.get(k)) for r in runs]
            lines.append(r"\texttt{" + escape_text(k) + "} & " + " & ".join(cells) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
        return "\n".join(lines)

    # ------------------------------------------------------------------ certificates

    def _print_Certificate(self, cert: Certificate) -> str:
        kind = cert.kind
        if kind == "diagonal-family":  # no network field: read by its own kernel reader
            from .family import family_tex
            return family_tex(self, cert)
        if kind in ("linear-per-layer-family", "depth2-linear-family"):  # no data, no point
            return (escape_text("A family certificate for every dataset: no data and no point; "
                                "the kernel checks the lemma's hypotheses symbolically "
                                "(symkkt/kernel/linfamily.py). Its fields:") + "\n\n"
                    + self.generic_fields(cert.data))
        if kind == "robust":  # expressions in the box parameters: parsed with their names
            from .robust import robust_tex
            return robust_tex(self, cert)
        try:
            view = cert.view()
        except (InputError, TypeError, KeyError, ValueError) as exc:  # a kind without a network
            return (escape_text(f"The certificate cannot be read by the kernel: {exc}") + "\n\n"
                    + self.generic_fields(cert.data))
        method = getattr(self, "_cert_" + kind.replace("-", "_"), None)
        if method is None:
            body = self._cert_generic(cert, view)
        else:
            try:
                body = method(cert, view)
            except InputError as exc:
                body = (escape_text(f"Part of the certificate is malformed: {exc}") + "\n\n"
                        + self.generic_fields(cert.data))
            except (UndecidedError, ArithmeticError, ValueError, TypeError, KeyError,
                    IndexError, AttributeError) as exc:  # display only: never lose a document
                body = (escape_text(f"(This certificate could not be written out in full: "
                                    f"{type(exc).__name__}: {exc}; its fields follow.)")
                        + "\n\n" + self._cert_generic(cert, view))
        return body

    def _multipliers(self, cert: Certificate, view: KernelView) -> list[sympy.Expr]:
        rd = view.reader
        raw = cert.data.get("multipliers", [])
        return [rd.number(v) for v in raw]

    def _cert_kkt(self, cert: Certificate, view: KernelView) -> str:
        from ..kernel.exact import sign

        net, X, Y, theta = view.network, view.X, view.Y, view.point
        rd = view.reader
        free = view.free
        lam = self._multipliers(cert, view)
        if len(lam) != len(X):
            return escape_text(f"{len(lam)} multipliers for {len(X)} samples.")
        n = len(X)
        L = [sympy.Symbol(f"lambda{i}") for i in range(1, n + 1)]
        out = []
        pb = ("Problem 2" if view.layer is None else
              f"Problem 4 (layer ${view.layer}$; only the coordinates of that layer)")
        out.append(
            f"The KKT conditions of {pb}: feasibility $y_i\\Phi(\\tilde\\theta; x_i) \\geq 1$, "
            r"multipliers $\lambda_i \geq 0$, complementary slackness "
            r"$\lambda_i\,(y_i\Phi(\tilde\theta; x_i) - 1) = 0$, and stationarity "
            r"$\tilde\theta = \sum_i \lambda_i y_i g_i$ with $g_i$ in the Clarke "
            r"subdifferential of $\Phi(\cdot\,; x_i)$ at $\tilde\theta$.")
        grads: list[dict[str, sympy.Expr]] = []
        subs = cert.data.get("subgradients")
        piece_rows: list[str] = []
        for i, x in enumerate(X):
            if net.activation == "linear":
                grads.append(net.piece_gradient(theta, x, None))
                continue
            pieces = subs[i] if isinstance(subs, list) and i < len(subs) else []
            g = {p: sympy.Integer(0) for p in net.params}
            for q, piece in enumerate(pieces or []):
                pp = f"$.subgradients[{i}][{q}]"
                w = rd.number(piece.get("weight"))
                pat = net.check_pattern_shape(piece.get("pattern", []), pp)
                wit = {k: rd.number(v)
                       for k, v in (piece.get("witness") or {}).items()}
                for p, v in net.piece_gradient(theta, x, pat).items():
                    g[p] += w * v
                pat_txt = " | ".join("".join(str(b) for b in layer) for layer in pat)
                row = (f"\\alpha_{{{i + 1},{q + 1}}} &= {self.tex(w)} && \\text{{pattern }}"
                       f"\\ \\mathtt{{{escape_math_text(pat_txt)}}}")
                dparts = [f"d_{{{tex_name(p)}}} = {self.tex(v)}" for p, v in wit.items()
                          if v != 0]
                dtex = ",\\ ".join(dparts)
                if dparts and tex_width(dtex) < 44:
                    row += ",\\quad " + dtex
                elif dparts:
                    row += r",\quad d\ \text{in the certificate}"
                piece_rows.append(row)
            grads.append({p: sympy.expand(v) for p, v in g.items()})
        if net.activation == "relu":
            out.append(
                r"Subgradients: for each sample with $\lambda_i > 0$, $g_i = \sum_q "
                r"\alpha_{i,q} \nabla\Phi_q(\tilde\theta; x_i)$ is a convex combination of "
                r"gradients of smooth pieces adjacent to $\tilde\theta$. A piece is an "
                r"activation pattern (per hidden layer, $1$ = neuron active); its witness "
                r"direction $d$ (non-zero components shown) puts $\tilde\theta + s\,d$ strictly "
                r"inside the piece for all small $s > 0$:")
            out.append(self.align(piece_rows) if piece_rows else
                       r"(No sample has a positive multiplier.)")
        margins: list[sympy.Expr | None] = []
        for x, y in zip(X, Y):
            try:
                margins.append(sympy.expand(y * net.output(theta, x)))
            except UndecidedError:
                margins.append(None)
        active = []
        for i, m in enumerate(margins):
            try:
                if m is not None and sign(m - 1) == 0:
                    active.append(i)
            except UndecidedError:
                pass
        shown_params, more = self._limit(free, "parameters")
        rhs_sym = {p: sympy.Add(*[L[i] * Y[i] * grads[i][p] for i in range(n)]) for p in free}
        sys_rows = []
        for p in shown_params:
            sys_rows += self.rows(tex_name(p, accent=r"\tilde"), theta[p], rhs_sym[p])
        out.append(r"Stationarity, one equation per parameter $p$, with $g_i[p] = "
                   r"\partial\Phi/\partial p$ at $\tilde\theta$ and the multipliers unknown:")
        out.append(self.align(sys_rows) + more)
        inactive = [i for i in range(n) if i not in active]
        if inactive:
            out.append(r"Complementary slackness forces $\lambda_i = 0$ for the inactive "
                       r"constraints $i \in \{" + ", ".join(str(i + 1) for i in inactive)
                       + r"\}$.")
        if self._settings["solve_kkt"] and len(free) <= 200 and n <= 200 and active:
            try:
                unknowns = [L[i] for i in active]
                zero = {L[i]: 0 for i in inactive}
                eqs = [sympy.expand(theta[p] - rhs_sym[p].xreplace(zero)) for p in free]
                A, b = sympy.linear_eq_to_matrix(eqs, unknowns)
                try:
                    sol, params = A.gauss_jordan_solve(b)
                except ValueError:
                    sol = None
                if sol is not None:
                    tup = [sympy.radsimp(sympy.nsimplify(v) if v.is_Float else v)
                           for v in sol]
                    family = bool(params.shape[0])
                    out.append("Solving this linear system exactly (sympy) for the "
                               "multipliers of the active constraints gives "
                               + ("a family of solutions, of which the certificate picks a "
                                  "member:" if family else "the unique solution:"))
                    out.append(self.packed([(f"\\lambda_{{{i + 1}}}", sympy.radsimp(v))
                                            for i, v in zip(active, tup)]))
                else:
                    out.append("The linear system has no solution with these subgradients.")
            except Exception as exc:  # pragma: no cover - display only
                out.append(escape_text(f"(The system was not re-solved for display: "
                                       f"{type(exc).__name__}.)"))
        out.append("The multipliers of the certificate:")
        out.append(self.packed([(f"\\lambda_{{{i + 1}}}", v) for i, v in enumerate(lam)]))
        check_rows = []
        for i, (m, lm) in enumerate(zip(margins, lam)):
            if m is None:
                continue
            prod = sympy.radsimp(sympy.expand(lm * (m - 1)))
            check_rows += self.rows(f"\\lambda_{{{i + 1}}}\\,(y_{{{i + 1}}}\\Phi(\\tilde\\theta;"
                                    f" x_{{{i + 1}}}) - 1)",
                                    sympy.Mul(lm, m - 1, evaluate=False), prod)
        out.append("Complementary slackness, both factors computed exactly:")
        out.append(self.align(check_rows))
        out.append(r"Stationarity at these multipliers: the left side $\tilde p$ and the right "
                   r"side $\sum_i \lambda_i y_i g_i[p]$ evaluated and simplified; the kernel "
                   r"proved every pair equal.")
        rows = []
        for p in shown_params:
            rhs = sympy.radsimp(sympy.expand(sum((lam[i] * Y[i] * grads[i][p]
                                                  for i in range(n)), sympy.Integer(0))))
            rows += self.rows(tex_name(p, accent=r"\tilde"), theta[p],
                              Tex(r"\textstyle\sum_i \lambda_i y_i g_i[" + tex_name(p) + "]"),
                              rhs)
        out.append(self.align(rows) + more)
        return "\n\n".join(o for o in out if o)

    def _curve(self, cert: Certificate, view: KernelView):
        from ..kernel.certificate import EPSILON

        rd = view.reader
        curve = cert.data.get("curve") or {}
        k = curve.get("substitution_power", 1) or 1
        path_pt = rd.point(curve.get("point"), view.network,
                           {EPS_NAME: EPSILON})
        patterns = None
        if view.network.activation == "relu" and isinstance(curve.get("patterns"), list):
            patterns = [view.network.check_pattern_shape(p, f"$.curve.patterns[{i}]")
                        for i, p in enumerate(curve["patterns"])]
        return EPSILON, k, path_pt, patterns

    def _cert_not_local(self, cert: Certificate, view: KernelView, equal: bool = False) -> str:
        from ..kernel.certificate import norm2

        net, X, Y, theta = view.network, view.X, view.Y, view.point
        eps, k, path_pt, patterns = self._curve(cert, view)
        free = view.free
        e = self.tex(eps)
        out = [r"The perturbation: a curve $\theta'(\varepsilon)$ with $\theta'(\varepsilon) "
               r"\to \tilde\theta$ as $\varepsilon \to 0^+$"
               + (f", moving only layer ${view.layer}$" if view.layer else "") + ":"]
        out.append(self.packed([(tex_name(p, prime=True) + f"({e})", path_pt[p])
                                for p in net.params]))
        if k > 1:
            out.append(f"The kernel substitutes $\\varepsilon = t^{{{k}}}$ (clearing the "
                       f"radicals of $\\varepsilon$) and works in $t \\geq 0$.")
        out.append(
            (r"Along the curve each pre-activation $z^{(l)}_j$ has the sign of its pattern and "
             r"each constraint holds: " if net.activation == "relu" else
             r"Along the curve each constraint holds: ")
            + r"these are the expressions the kernel proves non-negative (or non-positive) "
              r"for every $\varepsilon \in (0, \varepsilon_0]$.")
        rows = []
        shown, more = self._limit(list(enumerate(zip(X, Y))), "samples")
        for i, (x, y) in shown:
            outv, pre = net.forward(path_pt, x, patterns[i] if patterns else None)
            if patterns:
                for l, lay in enumerate(pre):
                    for j, z in enumerate(lay):
                        s = 1 if patterns[i][l][j] else -1
                        rows += self.rows(f"z^{{({l + 1})}}_{{{j + 1}}}(\\theta'({e}); "
                                          f"x_{{{i + 1}}})", sympy.expand(z),
                                          suffix=r"\geq 0" if s > 0 else r"\leq 0")
            rows += self.rows(f"y_{{{i + 1}}}\\Phi(\\theta'({e}); x_{{{i + 1}}}) - 1",
                              sympy.expand(y * outv - 1), suffix=r"\geq 0")
        out.append(self.align(rows) + more)
        n_tilde = norm2(theta, free)
        n_curve = sympy.expand(sum((path_pt[p] ** 2 for p in free), sympy.Integer(0)))
        diff = sympy.expand(n_curve - n_tilde)
        if view.layer is None:
            lhs_curve, lhs_point = r"\|\theta'(" + e + r")\|^2", r"\|\tilde\theta\|^2"
        else:
            lhs_curve = f"\\|u'^{{({view.layer})}}({e})\\|^2"
            lhs_point = f"\\|\\tilde u^{{({view.layer})}}\\|^2"
        lhs = f"{lhs_curve} - {lhs_point}"
        out.append("The norm along the curve, and its difference to the point's:")
        simp = _simplified(diff)
        rhs = [diff] if simp == diff else [diff, simp]
        out.append(self.align(self.rows(lhs_curve, n_curve) + self.rows(lhs_point, n_tilde)
                              + self.rows(lhs, *rhs)))
        values = cert.values
        eps0 = self.parse_value(values.get("eps0", cert.data.get("eps0")))
        lead = None
        if not equal:
            lead = (self.parse_value(values["leading_term"]) if "leading_term" in values
                    else None)
            if lead is None:
                try:
                    from ..kernel.exact import leading_term

                    lead = leading_term(diff, eps, k)
                except Exception:
                    lead = None
        if equal:
            out.append(r"The difference is identically $0$: the norm is constant along the "
                       r"curve, so this curve gives no decrease.")
        if lead is not None:
            order = None
            try:
                powers = [a.as_base_exp()[1] for a in sympy.Mul.make_args(lead) if a.has(eps)]
                order = powers[0] if len(powers) == 1 else None
            except Exception:
                order = None
            o_term = (f"o\\left({self.tex(eps ** order)}\\right)" if order is not None
                      else r"o(\cdot)")
            out.append("Its leading term, as reported by the kernel's verdict:")
            out.append(self.align(self.rows(lhs, Tex(self.tex(lead) + " + " + o_term))))
        if eps0 is not None:
            claim = ("all constraints hold and the norm is constant" if equal else
                     r"all constraints hold and $\|\theta'(\varepsilon)\| < \|\tilde\theta\|$")
            out.append(r"The proven $\varepsilon_0$ (exact): for every $\varepsilon \in (0, "
                       r"\varepsilon_0]$ " + claim + ", where")
            out.append(self.align(self.rows(r"\varepsilon_0", eps0)))
            if not equal:
                out.append(
                    r"How it is proven: with $\varepsilon = t^k$, each function $g(t)$ above has "
                    r"an exactly computed first non-vanishing derivative $g^{(j)}(0)$ of the "
                    r"right sign; validated interval bisection shows that $g^{(j)}$ keeps "
                    r"that sign on $[0, t_1]$ (so $g > 0$ on $(0, t_1]$ by Taylor's theorem) "
                    r"and that $g > 0$ on $[t_1, t_0]$. Hence $\tilde\theta$ is not a local "
                    r"optimum: points arbitrarily close to it are feasible and have a smaller "
                    r"norm.")
        return "\n\n".join(o for o in out if o)

    def _cert_equal_norm(self, cert: Certificate, view: KernelView) -> str:
        return self._cert_not_local(cert, view, equal=True)

    def _cert_better_point(self, cert: Certificate, view: KernelView) -> str:
        from ..kernel.certificate import norm2

        net, X, Y, theta = view.network, view.X, view.Y, view.point
        better = view.reader.point(cert.data.get("better_point"), net)
        free = view.free
        out = [r"A feasible point $\hat\theta$ with a strictly smaller norm:"]
        out.append(self.packed([(tex_name(p, accent=r"\hat"), better[p]) for p in net.params]))
        rows = []
        shown, more = self._limit(list(enumerate(zip(X, Y))), "samples")
        for i, (x, y) in shown:
            try:
                m = sympy.expand(y * net.output(better, x))
                rows += self.rows(f"y_{{{i + 1}}}\\Phi(\\hat\\theta; x_{{{i + 1}}})", m,
                                  suffix=r"\geq 1")
            except UndecidedError:
                pass
        out.append(self.align(rows) + more)
        nb, nt = norm2(better, free), norm2(theta, free)
        out.append(self.align(self.rows(r"\|\hat\theta\|^2", nb)
                              + self.rows(r"\|\tilde\theta\|^2", nt)
                              + self.rows(r"\|\tilde\theta\|^2 - \|\hat\theta\|^2",
                                          sympy.radsimp(nt - nb), suffix=r"> 0")))
        return "\n\n".join(o for o in out if o)

    def _cert_nonzero_inputs(self, cert: Certificate, view: KernelView) -> str:
        net, X, theta = view.network, view.X, view.point
        first = cert.data.get("from_layer", 1) or 1
        out = [f"The input to every hidden neuron (layers $\\geq {first}$) at $\\tilde\\theta$, "
               f"on every sample; each is non-zero, so the activation pattern is constant "
               f"near $\\tilde\\theta$:"]
        rows = []
        shown, more = self._limit(list(enumerate(X)), "samples")
        for i, x in shown:
            try:
                _, pre = net.forward(theta, x)
            except UndecidedError:
                continue
            for l, lay in enumerate(pre[first - 1:], start=first):
                for j, z in enumerate(lay):
                    rows += self.rows(f"z^{{({l})}}_{{{j + 1}}}(x_{{{i + 1}}})", z,
                                      suffix=r"\neq 0")
        out.append(self.align(rows[: self._settings["max_rows"]]) + more)
        return "\n\n".join(o for o in out if o)

    def _cert_nonzero_weights(self, cert: Certificate, view: KernelView) -> str:
        net, theta = view.network, view.point
        out = [r"The incoming weight vector of every hidden neuron at $\tilde\theta$ (each "
               r"non-zero):"]
        pairs = []
        for l, layer in enumerate(net.layers[:-1], start=1):
            for j, row in enumerate(layer, start=1):
                vec = sympy.Tuple(*[theta[n] if n is not None else 0 for n in row])
                pairs.append((f"w^{{({l})}}_{{{j}}}", vec))
        out.append(self.packed(pairs))
        return "\n\n".join(o for o in out if o)

    _BOUND_TEXT = {
        "predictor": r"Predictor-space bound (linear network without sharing): $\Phi(\theta; x) = "
                     r"\langle\beta, x\rangle$ and $\|\theta\|^2 \geq m\,\|\beta\|^{2/m}$; "
                     r"weak duality of $\min \|\beta\|^2$ s.t.\ $y_i\langle\beta, "
                     r"x_i\rangle \geq 1$ with multipliers $\alpha \geq 0$ gives "
                     r"$\|\beta\|^2 \geq 2\sum_i\alpha_i - \|\sum_i \alpha_i y_i x_i\|^2$.",
        "neuron-sum": r"Neuron-sum bound (depth 2, linear, no sharing): $\|\theta\|^2 \geq "
                      r"2\sum_j \|u_j\|$ with $u_j = v_j w_j$, and dual variables $\alpha \geq "
                      r"0$ with $\|\sum_i \alpha_i y_i x_i|_{S_j}\| \leq 1$ for every neuron "
                      r"give $\|\theta\|^2 \geq 2\sum_i \alpha_i$.",
        "patterns": r"Activation-pattern bound (depth 2 ReLU): every combination of neuron "
                    r"options is covered by a case with dual variables, each case giving "
                    r"$\|\theta\|^2 \geq 2\sum_i\alpha_i$ or proving the options infeasible; "
                    r"the bound is the minimum over cases.",
        "fixed-pattern": r"Fixed-pattern bound: near $\tilde\theta$ the activation pattern is "
                         r"constant, the problem is the linear neuron-sum problem of that "
                         r"pattern, and its dual gives $\|\theta\|^2 \geq 2\sum_i\alpha_i$ "
                         r"on a neighbourhood.",
        "sosc": r"Second-order sufficient conditions: with the pattern fixed near "
                r"$\tilde\theta$, the Hessian of the Lagrangian is positive definite on the "
                r"critical subspace, so $\tilde\theta$ is a strict local minimum.",
        "qp": r"Per-layer bound: with the other layers fixed, $\Phi$ is linear in this layer, "
              r"Problem 4 is a convex QP, and its dual gives the bound.",
    }

    def _cert_bound(self, cert: Certificate, view: KernelView) -> str:
        """``global``/``local``/``per-layer-*``: a lower bound from dual variables."""
        from ..kernel.certificate import norm2

        values = cert.values
        bound = cert.data.get("bound") if isinstance(cert.data.get("bound"), dict) else {}
        typ = str(bound.get("type", values.get("bound_type", "")))
        out = []
        if typ in self._BOUND_TEXT:
            out.append(self._BOUND_TEXT[typ])
        elif typ:
            out.append(r"Lower bound of type \texttt{" + escape_text(typ) + "}.")
        rest = {k: v for k, v in bound.items() if k != "type"}
        optimum = cert.kind == "global-optimum-value"
        if optimum:
            out.append(self._optimum_point(cert, view))
        if typ == "patterns" and rest:
            out.append(self.patterns_tex(bound, view))
        elif rest:
            out.append("The dual certificate, every number parsed exactly with the kernel "
                       "grammar:")
            out.append(self.generic_fields(rest))
        rows = []
        n2 = norm2(view.point, view.network.params)
        lb = self.parse_value(values.get("lower_bound"))
        if view.layer is not None:
            ln2 = norm2(view.point, view.free)
            llb = self.parse_value(values.get("layer_lower_bound"))
            rows += self.rows(f"\\|\\tilde u^{{({view.layer})}}\\|^2", ln2)
            if llb is not None:
                rows += self.rows(r"\text{lower bound on } \|u^{(" + str(view.layer)
                                  + r")}\|^2", llb)
                rows += self.rows(r"\text{bound} - \|\tilde u^{(" + str(view.layer)
                                  + r")}\|^2", sympy.radsimp(sympy.expand(llb - ln2)))
        else:
            rows += self.rows(r"\|\theta^*\|^2" if optimum else r"\|\tilde\theta\|^2", n2)
            if lb is not None:
                rows += self.rows(r"L", lb)
                rows += self.rows(r"L - \|\theta^*\|^2" if optimum else
                                  r"L - \|\tilde\theta\|^2",
                                  sympy.radsimp(sympy.expand(lb - n2)))
        if rows:
            where = {"local": "every feasible point near the point",
                     "per-layer-local": "every feasible layer near the point's",
                     "per-layer-global": "every feasible layer (the others fixed)"}.get(
                cert.kind, "every feasible point")
            out.append(f"The bound $L$ (recomputed by the kernel from the dual variables and "
                       f"reported in its verdict) holds for {where}; it equals the point's "
                       f"value, so the point attains it:")
            out.append(self.align(rows))
        better = cert.data.get("better_point")
        if isinstance(better, dict):
            try:
                bp = view.reader.point(better, view.network)
                out.append(r"A better feasible point $\hat\theta$ (refuting optimality):")
                out.append(self.packed([(tex_name(p, accent=r"\hat"), bp[p])
                                        for p in view.network.params]))
                out.append(self.align(self.rows(r"\|\hat\theta\|^2",
                                                norm2(bp, view.network.params))))
            except InputError:
                pass
        skip = ("norm2", "layer_norm2", "lower_bound", "layer_lower_bound", "bound_type",
                "better_point")
        if optimum:
            skip += ("optimum", "optimum_point", "reference_norm2", "ratio2", "cases",
                     "infeasible_cases", "options")
        other = {k: v for k, v in values.items() if k not in skip}
        if other:
            out.append(self.values_block(other))
        return "\n\n".join(o for o in out if o)

    def _optimum_point(self, cert: Certificate, view: KernelView) -> str:
        """``global-optimum-value``: θ* (the certified optimum), its margins, and θ̃'s ratio."""
        from ..kernel.certificate import norm2

        net, X, Y, star = view.network, view.X, view.Y, view.point
        out = [r"The certificate's point is the global optimum $\theta^*$ of Problem 2 for "
               r"this dataset (not the KKT point $\tilde\theta$):"]
        out.append(self.packed([(tex_name(p) + "^*", star[p]) for p in net.params]))
        rows = []
        for i, (x, y) in enumerate(zip(X, Y)):
            try:
                m = sympy.radsimp(sympy.expand(y * net.output(star, x)))
            except UndecidedError:
                continue
            rows += self.rows(f"y_{{{i + 1}}}\\Phi(\\theta^*; x_{{{i + 1}}})", m,
                              suffix=r"\geq 1")
        if rows:
            out.append("It is feasible:")
            out.append(self.align(rows))
        ref = cert.data.get("reference_point")
        if isinstance(ref, dict):
            try:
                rp = view.reader.point(ref, net)
                nr, ns = norm2(rp, net.params), norm2(star, net.params)
                out.append(r"Compared with the reference point $\tilde\theta$ (the KKT point "
                           r"of the result):")
                out.append(self.align(
                    self.rows(r"\|\tilde\theta\|^2", nr) + self.rows(r"\|\theta^*\|^2", ns)
                    + self.rows(r"\|\tilde\theta\|^2 / \|\theta^*\|^2",
                                sympy.radsimp(nr / ns))))
            except (InputError, ZeroDivisionError):
                pass
        return "\n\n".join(out)

    def _active_set_tex(self, active: Sequence[int]) -> str:
        members = [str(i + 1) for i, a in enumerate(active) if a]
        return r"\{" + ", ".join(members) + r"\}" if members else r"\emptyset"

    def _vector_tex(self, raw: Any, view: KernelView) -> str:
        try:
            vals = [view.reader.number(v) for v in raw]
        except (InputError, TypeError):
            return r"\text{(unreadable)}"
        return self.tex(sympy.Tuple(*vals))

    def patterns_tex(self, bound: Mapping[str, Any], view: KernelView) -> str:
        """The ``patterns`` dual as tables: groups, unrealizable sets, and one table per case.

        A neuron's option is (A, s): A the samples it is active on, s the sign of its output
        weight; each case lists alpha and, per option it allows, the vector mu.
        """
        groups = bound.get("groups") or []
        out = []
        glines = []
        for g, support in enumerate(groups):
            coords = ", ".join(str(int(c) + 1) for c in support)
            glines.append(f"$G_{{{g + 1}}}$: neurons whose layer-1 support is "
                          f"$\\{{{coords}\\}}$")
        if glines:
            out.append(r"Neuron groups (neurons with equal support are interchangeable): "
                       + "; ".join(glines) + ".")
        unreal = bound.get("unrealizable") or []
        urows = []
        for g, lst in enumerate(unreal):
            for q, e in enumerate(lst or []):
                if not isinstance(e, Mapping):
                    continue
                urows.append(f"$G_{{{g + 1}}}$ & ${self._active_set_tex(e.get('active', []))}$"
                             f" & ${self._vector_tex(e.get('nu', []), view)}$ \\\\")
        if urows:
            out.append(r"Activation sets no neuron can realize ($\nu \geq 0$ with "
                       r"$\sum_{i \in A} \nu_i x_i = \sum_{i \notin A} \nu_i x_i$ and "
                       r"$\sum_{i \notin A}\nu_i > 0$):")
            out.append("\\begin{center}\\begin{tabular}{lll}\\toprule group & set $A$ & "
                       "$\\nu$ \\\\ \\midrule\n" + "\n".join(urows)
                       + "\n\\bottomrule\\end{tabular}\\end{center}")
        else:
            out.append("No activation set is excluded as unrealizable: every option is covered "
                       "by the cases below.")
        for c, case in enumerate(bound.get("cases") or []):
            if not isinstance(case, Mapping):
                continue
            alpha = self._vector_tex(case.get("alpha", []), view)
            try:
                a_vals = [view.reader.number(v) for v in case.get("alpha", [])]
                total = self.tex(sympy.radsimp(2 * sympy.Add(*a_vals)))
            except (InputError, TypeError):
                total = r"\text{?}"
            head = (f"Case {c + 1}: $\\alpha = {alpha}$, "
                    + ("infeasible (Farkas: every vector below is exactly $0$ and "
                       "$\\sum_i \\alpha_i > 0$)." if case.get("infeasible") else
                       f"bound $2\\sum_i \\alpha_i = {total}$."))
            lines = [r"\begin{longtable}{lllL{0.5\linewidth}}",
                     r"\toprule group & active set $A$ & sign $s$ & $\mu$ \\ \midrule "
                     r"\endhead \bottomrule \endfoot"]
            for g, opts in enumerate(case.get("options") or []):
                for q, o in enumerate(opts or []):
                    if not isinstance(o, Mapping):
                        continue
                    sign = "+1" if o.get("sign", 1) == 1 else "-1"
                    mu = self._vector_tex(o.get("mu", []), view)
                    lines.append(f"$G_{{{g + 1}}}$ & "
                                 f"${self._active_set_tex(o.get('active', []))}$ & ${sign}$ & "
                                 f"${mu}$ \\\\")
            lines.append(r"\end{longtable}")
            out.append(head)
            out.append("\n".join(lines))
        out.append(r"For every option $(A, s)$ of a case the kernel checks "
                   r"$\bigl\|s\,g_A + \sum_i \mu_i c_i x_i\bigr\| \leq 1$ with "
                   r"$g_A = \sum_{i \in A} \alpha_i y_i x_i$ and $c_i = \pm 1$ as $i \in A$ "
                   r"or not, and that the cases cover every combination of options.")
        return "\n\n".join(out)

    _cert_global = _cert_bound
    _cert_local = _cert_bound
    _cert_per_layer_global = _cert_bound
    _cert_per_layer_local = _cert_bound
    _cert_global_optimum_value = _cert_bound

    def set_display(self, name: str, conds: Sequence[str], punct: str = "") -> str:
        """``name = {θ : c1, c2, ...}`` displayed, the conditions wrapped over rows that fit.

        A condition wider than a row (a long chain ``a = b = c = ...``) continues on the
        next row at one of its ``=`` signs.
        """
        width = self._settings["line_width"] - 14
        tokens: list[tuple[str, str]] = []   # (separator before, text)
        for c in conds:
            parts = c.split(" = ") if tex_width(c) > width else [c]
            tokens.append((r",\ " if tokens else "", parts[0]))
            tokens += [(" = ", q) for q in parts[1:]]
        lines: list[str] = [""]
        used = 0.0
        for sep, text in tokens:
            w = tex_width(text) + 2
            if lines[-1] and used + w > width:
                if sep.startswith(","):
                    lines[-1] += ","
                    lines.append("")
                else:
                    lines.append("= ")
                used = 0.0
            else:
                lines[-1] += sep
            lines[-1] += text
            used += w
        body = (f"{name} = \\{{\\theta :\\ & " + ("\\\\\n& ").join(lines)
                + r"\}" + punct)
        return "\n\\begin{align*}\n" + body + "\n\\end{align*}\n"

    def _cert_convergence(self, cert: Certificate, view: KernelView) -> str:
        """The invariant-set argument: θ(0), the set, and the uniqueness statement."""
        net = view.network
        init = view.reader.point(cert.data.get("init"), net)
        inv = cert.data.get("invariant") or {}
        fixed = list(inv.get("fixed") or [])
        equal = [list(g) for g in inv.get("equal") or []]
        positive = list(inv.get("positive") or [])
        out = [r"Gradient flow starts at $\theta(0)$:",
               self.packed([(tex_name(p) + "(0)", init[p]) for p in net.params])]
        conds = [f"{tex_name(p)} = {self.tex(init[p])}" for p in fixed]
        conds += [" = ".join(tex_name(p) for p in g) for g in equal]
        conds += [f"{tex_name(p)} > 0" for p in positive]
        cone = [f"{tex_name(p)} = 0" for p in fixed]
        cone += [" = ".join(tex_name(p) for p in g) for g in equal]
        cone += [f"{tex_name(p)} \\geq 0" for p in positive]
        losses = " and ".join(cert.data.get("losses") or ["exp", "logistic"])
        out.append(
            r"\textbf{Theorem 2.1} (Lyu--Li, Ji--Telgarsky; cited): if $L(\theta(t_0)) < 1$ "
            r"then $\|\theta(t)\| \to \infty$ and $\theta(t)/\|\theta(t)\|$ converges to the "
            r"direction of a KKT point of Problem 2. Here $L(\theta(0)) < 1$ for the "
            + escape_text(losses) + r" loss, decided exactly from the margins at $\theta(0)$.")
        if conds:
            out.append(r"\textbf{Invariant set.} Every solution of the (Clarke) flow stays in "
                       + self.set_display("S", conds, ".")
                       + r"For every sample and every activation pattern possible near $S$, the "
                       r"piece gradient has vanishing components normal to $S$ on $S$ "
                       r"(Gr\"onwall), and each positive coordinate $r$ obeys "
                       r"$\dot r = r\,g + h$ with $h \geq 0$; all identities are exact.")
        if cone:
            out.append(r"Hence the limit direction lies in the cone "
                       + self.set_display("C", cone, ",")
                       + r"and every KKT point of Problem 2 in $C$ (all active sets, solved "
                       r"exactly) equals $\tilde\theta$: gradient flow from $\theta(0)$ "
                       r"converges in direction to $\tilde\theta$.")
        vb = self.values_block({k: v for k, v in cert.values.items()
                                if k in ("norm2", "init_margins", "kkt_points_on_invariant")})
        if vb:
            out.append(vb)
        return "\n\n".join(o for o in out if o)

    def _cert_generic(self, cert: Certificate, view: KernelView) -> str:
        out = [r"Certificate of kind \texttt{" + escape_text(cert.kind) + r"}. Its fields "
               r"beyond the common ones, every number parsed exactly with the kernel grammar:"]
        out.append(self.generic_fields({k: v for k, v in cert.data.items()
                                        if k not in COMMON_FIELDS}))
        vb = self.values_block(cert.values)
        if vb:
            out.append(vb)
        return "\n\n".join(o for o in out if o)

    def generic_fields(self, data: Mapping[str, Any], depth: int = 0) -> str:
        """Fields of an unknown certificate kind: nested items, numbers through sympy."""
        if not data:
            return ""
        items = []
        for k, v in list(data.items())[: self._settings["max_rows"]]:
            items.append(r"\item \texttt{" + escape_text(k) + "}: " + self.generic_value(v, depth))
        if len(data) > self._settings["max_rows"]:
            items.append(r"\item " + escape_text(f"... {len(data) - self._settings['max_rows']}"
                                                  f" more fields"))
        return "\\begin{itemize}\n" + "\n".join(items) + "\n\\end{itemize}"

    def inline_value(self, v: Any, depth: int = 0) -> str:
        """A nested JSON value as one run of text: numbers typeset, keys in typewriter."""
        parsed = self.parse_value(v)
        if parsed is not None:
            return self.inline(parsed, width=60)
        if isinstance(v, (str, bool)) or v is None:
            return escape_text(v if isinstance(v, str) else json.dumps(v))
        if depth > 12:
            return r"\ldots"
        if isinstance(v, Mapping):
            return ("[" + "; ".join(r"\texttt{" + escape_text(k) + "}: "
                                    + self.inline_value(x, depth + 1)
                                    for k, x in list(v.items())[:40]) + "]")
        if isinstance(v, (list, tuple)):
            items = [self.inline_value(x, depth + 1) for x in list(v)[:40]]
            return "(" + ", ".join(items) + (r", \ldots" if len(v) > 40 else "") + ")"
        return escape_text(repr(v))

    def generic_value(self, v: Any, depth: int = 0) -> str:
        """One JSON value: exact numbers typeset, structures as nested lists (depth <= 3)."""
        parsed = self.parse_value(v)
        if parsed is not None:
            t = self.tex(parsed)
            if tex_width(t) < 50:
                return f"${t}$"
            return "\n" + self.align([r"&\quad " + c for c in self.chunks(parsed, 60)])
        if isinstance(v, (str, bool)) or v is None:
            return escape_text(v if isinstance(v, str) else json.dumps(v))
        if depth >= 3:   # LaTeX nests at most 4 lists: deeper structures inline
            return self.inline_value(v)
        if isinstance(v, Mapping):
            if all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v.values()):
                pairs = []
                for kk, vv in v.items():
                    pv = self.parse_value(vv)
                    name = (tex_name(kk) if isinstance(kk, str) and kk.isidentifier()
                            else r"\mathrm{" + escape_math_text(kk) + "}")
                    pairs.append((name, pv if pv is not None else Tex(self.value_tex(vv))))
                return "\n" + self.packed(pairs)
            return "\n" + self.generic_fields(v, depth + 1)
        if isinstance(v, (list, tuple)):
            shown = list(v)[:20]
            items = [r"\item " + self.generic_value(x, depth + 1) for x in shown]
            if len(v) > 20:
                items.append(r"\item " + escape_text(f"... {len(v) - 20} more"))
            if not items:
                return "$()$"
            return "\n\\begin{itemize}\n" + "\n".join(items) + "\n\\end{itemize}"
        return escape_text(repr(v))


def _simplified(expr: sympy.Expr) -> sympy.Expr:
    """A cheap simplification of ``expr`` for display (never used for a decision)."""
    if len(sympy.srepr(expr)) > 4000:
        return expr
    try:
        s = sympy.radsimp(sympy.together(expr))
        if sympy.count_ops(s) < sympy.count_ops(expr):
            return s
        s = sympy.factor_terms(expr)
        return s if sympy.count_ops(s) < sympy.count_ops(expr) else expr
    except Exception:  # pragma: no cover
        return expr


def _gf_cell(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"${v}$"
    if isinstance(v, float):
        if v == 0 or not math.isfinite(v):
            return escape_text(str(v))
        if 1e-3 <= abs(v) < 1e5:
            return f"${v:.4g}$"
        mant, exp = f"{v:.3e}".split("e")
        return f"${mant}\\times 10^{{{int(exp)}}}$"
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return r"\texttt{" + escape_text(v[:60]) + "}"
        return _gf_cell(f)
    if v is None:
        return "--"
    return escape_text(json.dumps(v)[:60])


def latex(obj: Any, **settings: Any) -> str:
    """LaTeX of a symkkt object (ClaimReport, Instance, NetSpec, Certificate) or sympy expr."""
    return SymkktLatexPrinter(settings).doprint(obj)


def notebook_latex(obj: Any) -> str:
    """A short MathJax-friendly summary for ``_repr_latex_`` (notebooks)."""
    p = SymkktLatexPrinter({"target": "mathjax", "line_width": 90})
    rows: list[str] = []
    values: Mapping[str, Any] = {}
    cert: Certificate | None = None
    if isinstance(obj, Certificate):
        cert = obj
        st = obj.status or "unchecked"
        rows.append(r"&\mathrm{certificate\ " + escape_math_text(obj.kind) + r"}:\ "
                    r"\mathrm{" + escape_math_text(st) + "}")
        values = obj.values
    else:  # ClaimReport
        rows.append(r"&\mathrm{" + escape_math_text(obj.claim.claim_id) + r"}:\ \mathbf{"
                    + escape_math_text(obj.status) + "}")
        values = obj.values
        if obj.certificate is not None:
            cert = Certificate(obj.certificate, source=obj.claim.claim_id, values=obj.values,
                               status=obj.status)
    labels = {"norm2": r"\|\tilde\theta\|^2 =", "layer_norm2": r"\|\tilde u\|^2 =",
              "multipliers": r"\lambda =", "eps0": r"\varepsilon_0 =",
              "leading_term": r"\|\theta'(\varepsilon)\|^2 - \|\tilde\theta\|^2 \sim",
              "lower_bound": r"\text{lower bound} =", "better_norm2": r"\|\hat\theta\|^2 ="}
    for k, v in values.items():
        lab = labels.get(k, r"\mathrm{" + escape_math_text(k) + "} =")
        rows.append(f"&{lab} {p.value_tex(v)}")
    if cert is not None and cert.kind in ("not-local", "equal-norm"):
        try:
            view = cert.view()
            _, _, path_pt, _ = p._curve(cert, view)
            pt = ", ".join(f"{tex_name(q, prime=True)} = {p.tex(path_pt[q])}"
                           for q in view.network.params[:8])
            rows.append(r"&\theta'(\varepsilon):\ " + pt
                        + (r",\ \ldots" if len(view.network.params) > 8 else ""))
        except Exception:
            pass
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"
