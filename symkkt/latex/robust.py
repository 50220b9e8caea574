"""LaTeX of a ``robust`` certificate: one certificate for a whole box of datasets.

The data, the point θ̃(δ), the multipliers, the curve θ'(ε, δ) and the dual variables are
closed-form functions of the box parameters δ. Every field is parsed with the kernel's own
whitelist grammar (the declared parameter names, the ``aux`` roots and ``epsilon``; never
``sympify``), and printed by sympy: parameters ``d1, d2, ...`` as ``δ_1, δ_2, ...``. Long
expressions are made readable in two ways: sub-expressions shared by several fields (typically
a common denominator) get names ``D_1, D_2, ...`` defined once (sympy's ``cse``), and sums that
are still wider than a line are split between terms over the rows of an ``align*``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import sympy

from ..errors import InputError
from .escape import escape_text, tex_name
from .layout import tex_width

if TYPE_CHECKING:  # pragma: no cover
    from .objects import Certificate
    from .printer import SymkktLatexPrinter

__all__ = ["robust_tex"]

EPS = "epsilon"


class _Fields:
    """Parses the certificate's expressions with the kernel grammar and the declared names."""

    def __init__(self, cert: "Certificate") -> None:
        from ..kernel.grammar import parse_exact

        self._parse = parse_exact
        self.source = cert.source
        data = cert.data
        self.params = [str(n) for n in data.get("parameters") or []]
        self.names: dict[str, sympy.Symbol] = {}
        for name in self.params:
            # d1 -> delta1, so the printer writes \delta_{1}
            shown = "delta" + name[1:] if name[:1] == "d" and name[1:].isdigit() else name
            self.names[name] = sympy.Symbol(shown, real=True)
        self.aux: list[tuple[sympy.Symbol, Any, int]] = []
        for i, a in enumerate(data.get("aux") or []):
            sym = sympy.Symbol(str(a["name"]), positive=True)
            base = self.expr(a["base"], f"$.aux[{i}].base")
            self.names[str(a["name"])] = sym
            self.aux.append((sym, base, int(a["root"])))
        self.eps = sympy.Symbol("epsilon", positive=True)

    def expr(self, text: Any, path: str, eps: bool = False) -> sympy.Expr:
        if isinstance(text, bool):
            raise InputError(f"{path}: expected a number or an expression")
        if isinstance(text, int):
            return sympy.Integer(text)
        if not isinstance(text, str):
            raise InputError(f"{path}: expected a number or an expression")
        names = dict(self.names)
        if eps:
            names[EPS] = self.eps
        return self._parse(text, names, source=f"{self.source} {path}")


def robust_tex(p: "SymkktLatexPrinter", cert: "Certificate") -> str:
    from .objects import COMMON_FIELDS

    try:
        f = _Fields(cert)
        return _body(p, cert, f)
    except (InputError, ArithmeticError, ValueError, TypeError, KeyError, IndexError,
            AttributeError) as exc:  # display only: never lose a document
        return (escape_text(f"(This certificate could not be written out in full: "
                            f"{type(exc).__name__}: {exc}; its fields follow.)") + "\n\n"
                + p.generic_fields({k: v for k, v in cert.data.items()
                                    if k not in COMMON_FIELDS}))


def _named(exprs: list[sympy.Expr], min_width: float = 14) -> tuple[list, list[sympy.Expr]]:
    """Shared sub-expressions wider than ``min_width`` named ``D_1, D_2, ...`` (sympy cse)."""
    from .printer import SymkktLatexPrinter

    pr = SymkktLatexPrinter()
    names = sympy.numbered_symbols("D", start=1)
    try:
        reps, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("_cse"),
                                  optimizations=None, order="none")
    except Exception:  # pragma: no cover - display only
        return [], exprs
    keep: list[tuple[sympy.Symbol, sympy.Expr]] = []
    back: dict[sympy.Symbol, sympy.Expr] = {}
    for sym, val in reps:
        val = val.xreplace(back)
        if val.is_Add and tex_width(pr.doprint(val)) >= min_width:
            new = next(names)
            keep.append((new, val))
            back[sym] = new
        else:
            back[sym] = val
    out = [e.xreplace(back) for e in reduced]
    # a name used once is clearer written out (unless that makes a line too wide)
    counts = {s: sum(e.has(s) for e in out) + sum(v.has(s) for _, v in keep) for s, _ in keep}
    final, sub = [], {}
    for s, v in keep:
        v = v.xreplace(sub)
        if counts[s] <= 1:
            sub[s] = v
        else:
            final.append((s, v))
    return final, [e.xreplace(sub) for e in out]


def _body(p: "SymkktLatexPrinter", cert: "Certificate", f: _Fields) -> str:
    data = cert.data
    net = data.get("network") or {}
    layers = net.get("layers") or []
    act = str(net.get("activation", ""))
    params: list[str] = []
    for layer in layers:
        for row in layer:
            for e in row:
                if isinstance(e, str) and e not in ("0",) and e not in params:
                    params.append(e)
    radius = f.expr(data.get("radius", "0"), "$.radius")
    centers = data.get("center")
    center = ([f.expr(c, f"$.center[{k}]") for k, c in enumerate(centers)]
              if isinstance(centers, list) else [sympy.Integer(0)] * len(f.params))
    deltas = [f.names[n] for n in f.params]
    out = []
    box = ", ".join(
        (f"{p.tex(d)} \\in [{p.tex(c - radius)}, {p.tex(c + radius)}]") for d, c in
        zip(deltas, center))
    out.append(r"\textbf{A whole box of datasets.} The data, the point $\tilde\theta(\delta)$"
               r", its multipliers and the curve $\theta'(\varepsilon, \delta)$ below are "
               r"closed-form functions of the parameters, and the kernel proves every "
               r"check for \emph{every} parameter value in the box (identities exactly, "
               r"signs by validated interval bisection of the box):"
               + f" \\[ {box}. \\]")
    # every expression of the certificate, parsed once, then shared parts named
    X = [[f.expr(v, f"$.data.x[{i}][{k}]") for k, v in enumerate(row)]
         for i, row in enumerate((data.get("data") or {}).get("x") or [])]
    Y = list((data.get("data") or {}).get("y") or [])
    point = {q: f.expr(v, f"$.point.{q}") for q, v in (data.get("point") or {}).items()}
    mults = [f.expr(v, f"$.multipliers[{i}]") for i, v in enumerate(data.get("multipliers")
                                                                     or [])]
    curve = data.get("curve") or {}
    cpoint = {q: f.expr(v, f"$.curve.point.{q}", eps=True)
              for q, v in (curve.get("point") or {}).items()}
    alpha_raw = ((data.get("bound") or {}).get("alpha") or []) if isinstance(
        data.get("bound"), Mapping) else []
    alpha = [f.expr(v, f"$.bound.alpha[{i}]") for i, v in enumerate(alpha_raw)]
    bound_type = (data.get("bound") or {}).get("type") if isinstance(
        data.get("bound"), Mapping) else None
    better_sec = data.get("better_point") if isinstance(data.get("better_point"),
                                                        Mapping) else {}
    better = {q: f.expr(v, f"$.better_point.point.{q}")
              for q, v in (better_sec.get("point") or {}).items()}
    flat = [e for row in X for e in row] + list(point.values()) + mults \
        + list(cpoint.values()) + alpha + list(better.values())
    named, reduced = _named(flat)
    it = iter(reduced)
    X = [[next(it) for _ in row] for row in X]
    point = {q: next(it) for q in point}
    mults = [next(it) for _ in mults]
    cpoint = {q: next(it) for q in cpoint}
    alpha = [next(it) for _ in alpha]
    better = {q: next(it) for q in better}

    if f.aux or named:
        rows = []
        for sym, base, q in f.aux:
            rows += p.rows(p.tex(sym), Tex_root(p, base, q))
        for sym, val in named:
            rows += p.rows(p.tex(sym), val)
        out.append("Names used below (each root is the positive real root, its radicand "
                   "proven positive on the box; the other names abbreviate shared "
                   "sub-expressions):")
        out.append(p.align(rows))
    out.append(f"{escape_text(act.capitalize() or 'The')} network; the data:")
    rows = []
    for i, row in enumerate(X):
        rows += p.rows(f"x_{{{i + 1}}}", sympy.Tuple(*row),
                       suffix=f",\\quad y_{{{i + 1}}} = {p.tex(sympy.Integer(Y[i]))}"
                       if i < len(Y) else "")
    out.append(p.align(rows))
    if point:
        out.append(r"The point $\tilde\theta(\delta)$:")
        rows = []
        for q in params or list(point):
            if q in point:
                rows += p.rows(tex_name(q, accent=r"\tilde"), point[q])
        out.append(p.align(rows))
    if mults:
        out.append(r"\textbf{KKT for every $\delta$.} The multipliers, non-negative on the "
                   r"box; stationarity and complementary slackness hold as identities in "
                   r"$\delta$:")
        out.append(p.align(sum((p.rows(f"\\lambda_{{{i + 1}}}", m) for i, m in
                                enumerate(mults)), [])))
        subs = data.get("subgradients")
        if isinstance(subs, list) and any(subs):
            lines = []
            for i, pieces in enumerate(subs):
                for q, piece in enumerate(pieces or []):
                    if not isinstance(piece, Mapping):
                        continue
                    pat = " | ".join("".join(str(b) for b in lay)
                                     for lay in piece.get("pattern") or [])
                    w = f.expr(piece.get("weight", 1), f"$.subgradients[{i}][{q}].weight")
                    wit = piece.get("witness") or {}
                    wtex = ", ".join(
                        f"d_{{{tex_name(k)}}} = "
                        f"{p.tex(f.expr(v, f'$.subgradients[{i}][{q}].witness.{k}'))}"
                        for k, v in wit.items())
                    lines.append(f"sample ${i + 1}$: weight ${p.tex(w)}$ on pattern "
                                 f"$\\mathtt{{{pat}}}$" + (f", witness ${wtex}$" if wtex
                                                          else ""))
            if lines:
                out.append("Subgradient pieces (activation pattern per hidden layer, 1 = "
                           "active; the witness direction enters the piece, with the sign of "
                           "its first non-vanishing coefficient proven on the box):")
                out.append(r"\begin{itemize}" + "".join(r"\item " + ln for ln in lines)
                           + r"\end{itemize}")
    if cpoint:
        k = curve.get("substitution_power", 1) or 1
        out.append(r"\textbf{Not a local optimum, for every $\delta$.} The curve "
                   r"$\theta'(\varepsilon, \delta) \to \tilde\theta(\delta)$ as "
                   r"$\varepsilon \to 0^+$:")
        rows = []
        for q in params or list(cpoint):
            if q in cpoint:
                rows += p.rows(tex_name(q, prime=True) + r"(\varepsilon)", cpoint[q])
        out.append(p.align(rows))
        pats = curve.get("patterns")
        if isinstance(pats, list) and pats:
            desc = "; ".join(f"sample ${i + 1}$: $\\mathtt{{"
                             + " | ".join("".join(str(b) for b in lay) for lay in pat)
                             + "}$" for i, pat in enumerate(pats) if isinstance(pat, list))
            out.append("Activation patterns along the curve: " + desc + ".")
        eps0 = data.get("eps0")
        tail = ""
        if k and k > 1:
            tail = (f" (after $\\varepsilon = t^{{{k}}}$, the first non-vanishing "
                    r"coefficient in $t$ of every obligation is proven positive on the box)")
        if eps0 is not None:
            out.append(r"For every $\delta$ in the box and every $\varepsilon \in (0, "
                       r"\varepsilon_0]$ all constraints hold along the curve and "
                       r"$\|\theta'(\varepsilon, \delta)\|^2 < \|\tilde\theta(\delta)\|^2$"
                       + tail + ", where")
            out.append(p.align(p.rows(r"\varepsilon_0", f.expr(eps0, "$.eps0"))))
    if alpha and bound_type == "pattern":
        out.append(r"\textbf{Local optimum, for every $\delta$.} Every hidden input at "
                   r"$\tilde\theta(\delta)$ keeps a strict sign on the box, so near "
                   r"$\tilde\theta$ the activation pattern is that of $\tilde\theta$; with "
                   r"$A_j$ the samples on which neuron $j$ is active there, dual variables "
                   r"$\alpha(\delta) \geq 0$ with $\bigl\|\sum_{i \in A_j} \alpha_i y_i "
                   r"x_i|_{S_j}\bigr\| \leq 1$ for every neuron $j$ (support $S_j$) and "
                   r"$\|\tilde\theta(\delta)\|^2 = 2\sum_i \alpha_i$ give "
                   r"$\|\theta\|^2 \geq \|\tilde\theta\|^2$ for every feasible $\theta$ "
                   r"near $\tilde\theta$:")
        out.append(p.align(sum((p.rows(f"\\alpha_{{{i + 1}}}", a) for i, a in
                                enumerate(alpha)), [])))
    elif alpha:
        out.append(r"\textbf{Global optimum, for every $\delta$.} Dual variables "
                   r"$\alpha(\delta) \geq 0$ with $\bigl\|\sum_{i \in A} \alpha_i y_i "
                   r"x_i|_{S_j}\bigr\| \leq 1$ for every set $A$ of samples and every neuron "
                   r"support $S_j$, and $\|\tilde\theta(\delta)\|^2 = 2\sum_i \alpha_i$:")
        out.append(p.align(sum((p.rows(f"\\alpha_{{{i + 1}}}", a) for i, a in
                                enumerate(alpha)), [])))
    if data.get("per_layer_local") is True:
        out.append(r"\textbf{Every layer a local optimum of its Problem 4, for every "
                   r"$\delta$.} Every hidden input at $\tilde\theta(\delta)$ keeps a strict "
                   r"sign on the box, so near $\tilde\theta$ the activation pattern is frozen "
                   r"and $\Phi$ is linear in each layer with the others fixed: Problem 4 of "
                   r"layer $l$ is, near $\tilde\theta$, a convex program whose KKT conditions "
                   r"are those of Problem 2 read on layer $l$ (the multipliers above).")
    if better:
        lay = better_sec.get("layer")
        head = (r"\textbf{Not a global optimum, for every $\delta$.} A feasible point "
                r"$\theta''(\delta)$ ($y_i \Phi(\theta''; x_i) \geq 1$ on the box) with "
                r"$\|\theta''(\delta)\|^2 < \|\tilde\theta(\delta)\|^2$:"
                if lay is None else
                r"\textbf{Layer " + escape_text(str(lay)) + r" not a global optimum of its "
                r"Problem 4, for every $\delta$.} A feasible point $\theta''(\delta)$ equal "
                r"to $\tilde\theta(\delta)$ outside layer " + escape_text(str(lay))
                + r", with a strictly smaller norm of that layer:")
        out.append(head)
        rows = []
        for q in params or list(better):
            if q in better and (lay is None or better[q] != point.get(q)):
                rows += p.rows(tex_name(q) + "''", better[q])
        out.append(p.align(rows))
    vb = p.values_block({k: v for k, v in cert.values.items()
                         if k not in ("eps0",)}) if cert.values else ""
    if vb:
        out.append(vb)
    return "\n\n".join(o for o in out if o)


def Tex_root(p: "SymkktLatexPrinter", base: sympy.Expr, q: int):
    """``base^(1/q)`` as notation (not evaluated: sympy would pull factors out)."""
    from .printer import Tex

    inner = p.tex(base)
    return Tex(r"\sqrt{" + inner + "}" if q == 2 else r"\sqrt[" + str(q) + "]{" + inner + "}")
