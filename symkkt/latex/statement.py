"""A result's statement as mathematics: ``STATEMENT_TEX`` for PDFs, Markdown+MathJax for docs.

Each theorem module may define ``STATEMENT_TEX``, its statement in a small LaTeX subset that
both pdflatex and MathJax (through pymdown-extensions' arithmatex) understand:

* paragraphs separated by blank lines;
* inline math ``$...$`` and display math ``\\[ ... \\]`` (anything amsmath offers inside);
* in text: ``\\emph{...}``, ``\\textbf{...}``, ``--``/``---``, ``~``, ``\\ldots``, ``\\ ``
  and ``.\\ `` (an inter-word space after an abbreviation).

:func:`statement_tex` picks it (else the module's plain-text ``STATEMENT``, escaped);
:func:`statement_markdown` turns it into Markdown with ``$...$``/``$$...$$`` math for the
docs site; :func:`check_statement_tex` rejects anything outside the subset (tests run it on
every bundled module).
"""

from __future__ import annotations

import re
from typing import Any

from .escape import statement_to_tex

__all__ = ["statement_tex", "statement_markdown", "check_statement_tex", "split_math"]

_TEXT_COMMANDS = {"emph", "textbf", "ldots"}
_DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.S)


def statement_tex(module: Any) -> str:
    """The statement of a result module as LaTeX paragraphs (``STATEMENT_TEX`` if given)."""
    tex = getattr(module, "STATEMENT_TEX", None)
    if isinstance(tex, str) and tex.strip():
        return tex.strip()
    return statement_to_tex(getattr(module, "STATEMENT", None) or
                            getattr(module, "__doc__", None))


def split_math(tex: str) -> list[tuple[str, str]]:
    """``[(kind, text)]`` with kind ``"text"``, ``"inline"`` or ``"display"``, in order.

    Raises ``ValueError`` on an unclosed ``$`` or ``\\[``.
    """
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(tex):
        d = tex.find(r"\[", pos)
        i = tex.find("$", pos)
        while i > 0 and tex[i - 1] == "\\":
            i = tex.find("$", i + 1)
        if d < 0 and i < 0:
            out.append(("text", tex[pos:]))
            break
        if d >= 0 and (i < 0 or d < i):
            end = tex.find(r"\]", d + 2)
            if end < 0:
                raise ValueError(f"unclosed \\[ at offset {d}")
            out.append(("text", tex[pos:d]))
            out.append(("display", tex[d + 2:end]))
            pos = end + 2
        else:
            end = i + 1
            while True:
                end = tex.find("$", end)
                if end < 0:
                    raise ValueError(f"unclosed $ at offset {i}")
                if tex[end - 1] != "\\":
                    break
                end += 1
            if end == i + 1:
                raise ValueError(f"empty or display $$ at offset {i} (use \\[ ... \\])")
            out.append(("text", tex[pos:i]))
            out.append(("inline", tex[i + 1:end]))
            pos = end + 1
    return [(k, t) for k, t in out if t or k != "text"]


def check_statement_tex(tex: str) -> None:
    """Raise ``ValueError`` when ``tex`` leaves the subset both pdflatex and MathJax read."""
    for kind, text in split_math(tex):
        if kind != "text":
            if "\n\n" in text.strip():
                raise ValueError(f"blank line inside math: {text[:40]!r}")
            continue
        for m in re.finditer(r"\\([A-Za-z]+)", text):
            if m.group(1) not in _TEXT_COMMANDS:
                raise ValueError(f"text command \\{m.group(1)} is not in the statement subset")
        bad = set(re.findall(r"[#%&_^<>|]", text))
        if bad:
            raise ValueError(f"characters {''.join(sorted(bad))} in text (put them in math)")
        if text.count("{") != text.count("}"):
            raise ValueError(f"unbalanced braces in text: {text[:60]!r}")


def _text_md(text: str) -> str:
    t = text
    t = re.sub(r"\\emph\{([^{}]*)\}", r"*\1*", t)
    t = re.sub(r"\\textbf\{([^{}]*)\}", r"**\1**", t)
    t = t.replace(r"\ldots", "…").replace("---", "—").replace("--", "–")
    t = t.replace(".\\ ", ". ").replace("\\ ", " ").replace("~", "\u00a0")
    return t


def statement_markdown(tex: str) -> str:
    """``STATEMENT_TEX`` as Markdown: text converted, math kept for arithmatex/MathJax.

    Inline math stays ``$...$``; display math becomes its own ``$$ ... $$`` block.
    """
    paragraphs: list[str] = []
    cur: list[str] = []
    for kind, text in split_math(tex):
        if kind == "inline":
            cur.append("$" + " ".join(text.split()) + "$")
        elif kind == "display":
            para = "".join(cur).strip()
            if para:
                paragraphs.append(para)
            cur = []
            paragraphs.append("$$\n" + "\n".join(ln.strip() for ln in text.strip().splitlines())
                              + "\n$$")
        else:
            parts = re.split(r"\n\s*\n", text)
            for j, part in enumerate(parts):
                if j:
                    para = "".join(cur).strip()
                    if para:
                        paragraphs.append(para)
                    cur = []
                cur.append(" ".join(_text_md(part).split(" ")).replace("\n", " "))
    para = "".join(cur).strip()
    if para:
        paragraphs.append(para)
    return "\n\n".join(re.sub(r"  +", " ", p) if not p.startswith("$$") else p
                       for p in paragraphs)
