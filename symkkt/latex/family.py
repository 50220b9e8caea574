"""LaTeX of a ``diagonal-family`` certificate (every depth ``m >= m_min`` at once).

The certificate has no ``network`` field (no depth-m network is ever built), so it is not
read through :class:`~symkkt.latex.objects.KernelView`; the fields are read with the kernel's
own :func:`~symkkt.kernel.family.read_family`, and every formula in ``m`` is the kernel's
(:func:`~symkkt.kernel.family.norm2_in_m`, ``multiplier_in_m``, ``leading_term_in_m``),
printed by sympy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ..errors import InputError, UndecidedError
from .escape import escape_text

if TYPE_CHECKING:  # pragma: no cover
    from .objects import Certificate
    from .printer import SymkktLatexPrinter

__all__ = ["family_tex"]


def family_tex(p: "SymkktLatexPrinter", cert: "Certificate") -> str:
    """The derivation: lemma, point and KKT multiplier in m, curve, Jensen, leading term."""
    from ..kernel.certificate import Reader
    from ..kernel.family import read_family
    from ..kernel.schema import validate
    from .objects import COMMON_FIELDS

    try:
        validate(cert.data, cert.source)
        spec = read_family(Reader(cert.source), cert.data)
    except InputError as exc:
        return (escape_text(f"The certificate cannot be read by the kernel: {exc}") + "\n\n"
                + p.generic_fields({k: v for k, v in cert.data.items()
                                    if k not in COMMON_FIELDS}))
    try:
        return _body(p, cert, spec)
    except (UndecidedError, ArithmeticError, ValueError, TypeError, KeyError, IndexError,
            AttributeError) as exc:  # display only: never lose a document
        return (escape_text(f"(This certificate could not be written out in full: "
                            f"{type(exc).__name__}: {exc}; its fields follow.)") + "\n\n"
                + p.generic_fields({k: v for k, v in cert.data.items()
                                    if k not in COMMON_FIELDS}))


def _body(p: "SymkktLatexPrinter", cert: "Certificate", spec) -> str:
    from ..kernel.family import M, leading_term_in_m, multiplier_in_m, norm2_in_m

    n, m0 = spec.width, spec.depth_min
    out = [
        r"\textbf{Every depth at once.} This certificate covers the depth-$m$ diagonal "
        + escape_text(spec.activation) + f" network of width ${n}$ for \\emph{{every}} "
        f"integer $m \\geq {m0}$. Kernel lemma (balanced diagonal networks): at the point "
        r"whose every layer is $(c_1^{1/m}, \ldots, c_n^{1/m})$ with all $c_k > 0$, "
        r"$\Phi(\theta; x) = \sum_k c_k x_k$ (for ReLU every $x_k > 0$, so every hidden "
        r"input $c_k^{l/m} x_k$ is positive and each ReLU acts as the identity) and "
        r"$\|\theta\|^2 = m \sum_k c_k^{2/m}$. The products $c_k$ do not involve $m$; the "
        f"instance shown for this claim is the representative depth $m = {m0}$."]
    out.append(f"Data ($y = {spec.y}$) and products of the point:")
    out.append(p.packed([(f"x_{{{k}}}", v) for k, v in enumerate(spec.x, start=1)]
                        + [(f"c_{{{k}}}", v) for k, v in enumerate(spec.point, start=1)]))
    out.append(p.align(p.rows(r"\|\tilde\theta\|^2", norm2_in_m(spec.point))))
    if spec.rule == "balanced":
        a = sympy.expand(spec.y * spec.x[0])
        out.append(r"\textbf{KKT for every $m$.} Stationarity at a balanced point reads "
                   r"$\lambda\, y x_k = c_k^{(2-m)/m}$ per coordinate; with every "
                   r"$(c_k, y x_k)$ equal and the constraint active, one multiplier works "
                   r"for all $m$:")
        out.append(p.align(p.rows(r"\lambda(m)", multiplier_in_m(spec.point[0], a))))
    if spec.curve is not None:
        out.append(r"\textbf{Not a local optimum for every $m$.} Every layer of "
                   r"$\theta'(\varepsilon)$ is $(u_1(\varepsilon)^{1/m}, \ldots, "
                   r"u_n(\varepsilon)^{1/m})$ with")
        out.append(p.packed([(f"u_{{{k}}}(\\varepsilon)", u)
                             for k, u in enumerate(spec.curve, start=1)]))
        norm_curve = M * sympy.Add(*[u ** (2 / M) for u in spec.curve])
        out.append(p.align(p.rows(r"\|\theta'(\varepsilon)\|^2", norm_curve)))
        out.append(
            f"For every $\\varepsilon \\in (0, {p.tex(spec.eps0)}]$ the kernel proves "
            r"$u_k(\varepsilon) > 0$, $y \sum_k u_k(\varepsilon) x_k \geq 1$, "
            r"$\frac1n \sum_k u_k(\varepsilon) \leq \bar c$ and that the $u_k(\varepsilon)$ "
            r"are not all equal (or the mean is strictly below $\bar c$), and "
            r"$u_k(0^+) = c_k$. Jensen's inequality for the strictly concave, increasing "
            r"$t \mapsto t^{2/m}$ ($m \geq 3$) then gives $\sum_k u_k^{2/m} < "
            r"n\,(\mathrm{mean}\,u)^{2/m} \leq n\,\bar c^{2/m}$, i.e. "
            r"$\|\theta'(\varepsilon)\|^2 < \|\tilde\theta\|^2$, for every depth at once.")
        try:
            lt = leading_term_in_m(spec.point[0], spec.curve, spec.k)
            out.append("Leading term (second-order Taylor expansion of $t^{2/m}$ at "
                       r"$\bar c$, computed exactly):")
            out.append(p.align(p.rows(r"\|\theta'(\varepsilon)\|^2 - \|\tilde\theta\|^2",
                                      lt, rel=r"\sim")))
        except (UndecidedError, ArithmeticError, ValueError, TypeError):
            pass
    shown = {k: v for k, v in cert.values.items()
             if k in ("eps0", "depth_min", "norm2", "multipliers", "leading_term")}
    vb = p.values_block(shown)
    if vb:
        out.append(vb.replace("Values reported by the kernel:",
                              f"Values reported by the kernel (at $m = {m0}$ where marked):"))
    return "\n\n".join(o for o in out if o)
