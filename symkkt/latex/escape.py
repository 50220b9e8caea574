"""Making user-provided text safe for LaTeX: labels, names, reasons, statements.

Nothing a user writes (a claim label, a parameter name, a reason string, a docstring) reaches
the ``.tex`` file unescaped. Three contexts:

* :func:`escape_text` -- running text (paragraphs, table cells). The ten TeX specials
  ``# $ % & ~ _ ^ \\ { }`` become their text-mode forms, common mathematical Unicode
  (``θ ε ‖ ≥ √ ² ...``) becomes ``\\ensuremath{...}``, any other non-ASCII character becomes a
  visible ``[U+XXXX]`` (pdflatex would otherwise stop with "Unicode character not set up").
* :func:`escape_math_text` -- text inside math mode (``\\mathrm{...}``), used for labels in
  formulas and in notebook (MathJax) output, where text-mode commands do not exist.
* :func:`tex_name` -- a parameter name as a math symbol: ``w1_2`` -> ``w_{1,2}``, ``lambda3``
  -> ``\\lambda_{3}``, anything else -> ``\\mathit{...}`` with every special escaped.

:func:`statement_to_tex` turns a theorem module's docstring (reStructuredText-ish: paragraphs,
````code```` spans) into escaped paragraphs.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["escape_text", "escape_math_text", "tex_name", "name_parts", "statement_to_tex",
           "UNICODE_MATH"]

# Math-mode replacements of the Unicode characters our docstrings and reasons use.
UNICODE_MATH: dict[str, str] = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon", "φ": r"\varphi", "χ": r"\chi",
    "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta",
    "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi",
    "Ω": r"\Omega", "ϕ": r"\phi",
    "‖": r"\|", "≥": r"\geq", "≤": r"\leq", "≠": r"\neq", "≈": r"\approx", "→": r"\to",
    "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "∈": r"\in",
    "∉": r"\notin", "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum",
    "∏": r"\prod", "√": r"\surd", "∘": r"\circ", "·": r"\cdot", "×": r"\times",
    "−": "-", "±": r"\pm", "∓": r"\mp", "⟨": r"\langle", "⟩": r"\rangle", "ℓ": r"\ell",
    "ℝ": r"\mathbf{R}", "ℕ": r"\mathbf{N}", "∀": r"\forall", "∃": r"\exists",
    "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset",
    "′": r"{}'", "″": r"{}''", "∼": r"\sim", "≡": r"\equiv", "⊥": r"\perp",
    "⁰": "^{0}", "¹": "^{1}", "²": "^{2}", "³": "^{3}", "⁴": "^{4}", "⁵": "^{5}",
    "⁶": "^{6}", "⁷": "^{7}", "⁸": "^{8}", "⁹": "^{9}", "⁺": "^{+}", "⁻": "^{-}",
    "ᵀ": "^{T}", "ⁿ": "^{n}", "ᵏ": "^{k}", "ᵐ": "^{m}",
    "₀": "_{0}", "₁": "_{1}", "₂": "_{2}", "₃": "_{3}", "₄": "_{4}", "₅": "_{5}",
    "₆": "_{6}", "₇": "_{7}", "₈": "_{8}", "₉": "_{9}", "ᵢ": "_{i}", "ⱼ": "_{j}",
    "ₖ": "_{k}", "ₗ": "_{l}", "ₘ": "_{m}", "ₙ": "_{n}",
}

# Text-mode forms that need no math.
_UNICODE_TEXT: dict[str, str] = {
    "—": "---", "–": "--", "“": "``", "”": "''", "‘": "`", "’": "'", "…": r"\ldots{}",
    "\u00a0": "~", "é": r"\'e", "è": r"\`e", "ö": r"\"o", "ü": r"\"u", "ä": r"\"a",
    "Ö": r"\"O", "Ü": r"\"U", "Ä": r"\"A", "ß": r"\ss{}", "ñ": r"\~n", "ç": r"\c{c}",
}

_TEXT_SPECIALS: dict[str, str] = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "\"": r"\textquotedbl{}",
}

_MATH_SPECIALS: dict[str, str] = {
    "\\": r"\backslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_", "~": r"\sim{}", "^": r"\hat{}", " ": r"\ ", "'": r"{}'",
    "\"": r"{}''", "-": r"\text{-}",
}

_COMBINING = {"\u0303": r"\tilde", "\u0302": r"\hat", "\u0304": r"\bar", "\u0307": r"\dot",
              "\u0308": r"\ddot", "\u20d7": r"\vec"}

_TEXT_ACCENTS = {"\u0301": "\\'", "\u0300": "\\`", "\u0308": '\\"', "\u0327": "\\c",
                 "\u030c": "\\v", "\u0306": "\\u", "\u030a": "\\r"}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _codepoint(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def _math_char(ch: str) -> str | None:
    """Math-mode form of one character, or None when it has none."""
    if ch in UNICODE_MATH:
        return UNICODE_MATH[ch]
    if ch.isascii() and ch.isalnum():
        return ch
    return None


def _clusters(text: str):
    """Yield (base, combining-marks) pairs: 'θ̃' -> ('θ', '\u0303')."""
    i = 0
    n = len(text)
    while i < n:
        base = text[i]
        i += 1
        marks = ""
        while i < n and unicodedata.combining(text[i]):
            marks += text[i]
            i += 1
        yield base, marks


def escape_text(text: object) -> str:
    """Escape arbitrary text for LaTeX running text (paragraphs, table cells, headings)."""
    s = _CONTROL.sub("", unicodedata.normalize("NFD", str(text)))
    s = s.replace("\r\n", "\n").replace("\t", " ")
    out: list[str] = []
    for base, marks in _clusters(s):
        if marks and base.isascii() and base.isalpha() and all(m in _TEXT_ACCENTS
                                                                for m in marks):
            inner = base
            for m in marks:
                inner = f"{_TEXT_ACCENTS[m]}{{{inner}}}"
            out.append(inner)
        elif marks:
            inner = _math_char(base)
            if inner is None:
                out.append(escape_text(base) + "".join(_codepoint(m) for m in marks))
                continue
            for m in marks:
                cmd = _COMBINING.get(m)
                inner = f"{cmd}{{{inner}}}" if cmd else inner + _codepoint(m)
            out.append(f"\\ensuremath{{{inner}}}")
        elif base in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[base])
        elif base.isascii():
            out.append(base)
        elif base in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[base])
        elif base in UNICODE_MATH:
            out.append(f"\\ensuremath{{{UNICODE_MATH[base]}}}")
        else:
            out.append(_codepoint(base))
    return "".join(out)


def escape_math_text(text: object) -> str:
    """Escape text for use inside ``\\mathrm{...}`` (valid in LaTeX and in MathJax)."""
    s = _CONTROL.sub("", unicodedata.normalize("NFD", str(text)))
    s = s.replace("\n", " ").replace("\t", " ")
    out: list[str] = []
    for base, marks in _clusters(s):
        inner = _math_char(base)
        if inner is None:
            if base in _MATH_SPECIALS:
                inner = _MATH_SPECIALS[base]
            elif base.isascii():
                inner = base
            else:
                inner = r"\text{" + _codepoint(base) + "}"
        for m in marks:
            cmd = _COMBINING.get(m)
            inner = f"{cmd}{{{inner}}}" if cmd else inner
        out.append(inner)
    return "".join(out)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
          "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi",
          "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma",
          "Upsilon", "Phi", "Psi", "Omega"}

_NAME = re.compile(r"^([A-Za-z]+?)(\d*)((?:_\d+)*)$")


def name_parts(name: str) -> tuple[str, str]:
    """A parameter name as (base, subscript) TeX: ``w1_2`` -> (``w``, ``1,2``).

    The subscript is ``""`` when there is none. Names outside the ``letters digits _digits``
    pattern become ``\\mathit{...}`` with every TeX special escaped.
    """
    m = _NAME.match(name)
    if m:
        base, head, rest = m.groups()
        if base in _GREEK:
            base_tex = "\\varepsilon" if base == "epsilon" else "\\" + base
        elif len(base) == 1:
            base_tex = base
        else:
            base_tex = f"\\mathit{{{base}}}"
        idx = ([head] if head else []) + [p for p in rest.split("_") if p]
        return base_tex, ",".join(idx)
    return f"\\mathit{{{escape_math_text(name)}}}", ""


def tex_name(name: str, accent: str | None = None, prime: bool = False) -> str:
    """A parameter name as a TeX math symbol, optionally ``\\tilde``-accented or primed."""
    base, sub = name_parts(name)
    if accent:
        base = f"{accent}{{{base}}}"
    if prime:
        base = f"{base}'"
    return f"{base}_{{{sub}}}" if sub else base


_CODE = re.compile(r"``(.+?)``", re.S)


def statement_to_tex(doc: str | None) -> str:
    """A theorem docstring as escaped LaTeX paragraphs (````code```` -> typewriter)."""
    if not doc:
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]
    out = []
    for p in paragraphs:
        p = " ".join(line.strip() for line in p.splitlines())
        pieces = []
        pos = 0
        for m in _CODE.finditer(p):
            pieces.append(escape_text(p[pos:m.start()]))
            pieces.append(r"\texttt{" + escape_text(m.group(1)) + "}")
            pos = m.end()
        pieces.append(escape_text(p[pos:]))
        out.append("".join(pieces))
    return "\n\n".join(out)
