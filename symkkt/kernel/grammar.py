"""The whitelist grammar for exact numbers in user text (claim files, certificates).

Text is parsed with :func:`ast.parse` and the tree is walked with a whitelist that builds
sympy objects directly; nothing is ever passed to ``eval``, ``sympify`` or ``parse_expr``.
Accepted: integer and decimal literals (decimals read exactly from their text), declared
names and ``pi``, ``+ - * / **``, unary ``+ -``, parentheses, and the calls ``sqrt``, ``sin``,
``cos`` and ``Rational(p, q)``. Limits keep hostile input cheap: at most 10 000 characters,
nesting at most 50, integer literals of at most 1000 digits, exponents at most 1000 in
absolute value (and numeric).
"""

from __future__ import annotations

import ast
from typing import Mapping

import sympy

from ..errors import InputError

__all__ = ["parse_exact", "parse_number", "to_text", "MAX_LENGTH", "MAX_DEPTH",
           "MAX_EXPONENT", "MAX_DIGITS", "FUNCTIONS"]

MAX_LENGTH = 10_000
MAX_DEPTH = 50
MAX_EXPONENT = 1000
MAX_DIGITS = 1000
FUNCTIONS = ("sqrt", "sin", "cos", "Rational")


class _Walker:
    def __init__(self, names: Mapping[str, sympy.Symbol], source: str, line: int, col: int):
        self.names = dict(names)
        self.source = source
        self.line = line
        self.col = col

    def err(self, node: ast.AST | None, msg: str) -> InputError:
        if node is None or not hasattr(node, "lineno"):
            return InputError(msg, self.source, self.line, self.col)
        ln = node.lineno
        co = node.col_offset
        return InputError(msg, self.source, self.line + ln - 1,
                          (self.col + co) if ln == 1 else co + 1)

    def walk(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.err(node, f"expression is nested deeper than {MAX_DEPTH} levels")
        d = depth + 1
        if isinstance(node, ast.Expression):
            return self.walk(node.body, d)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or v is None or not isinstance(v, (int, float)):
                raise self.err(node, f"{type(v).__name__} literals are not allowed; "
                                     f"only numbers")
            if isinstance(v, int):
                if v.bit_length() > MAX_DIGITS * 3.33:
                    raise self.err(node, f"integer literal longer than {MAX_DIGITS} digits")
                return sympy.Integer(v)
            seg = ast.get_source_segment(self._text, node)
            if seg is None:
                raise self.err(node, "cannot read the decimal literal")
            if len(seg) > MAX_DIGITS:
                raise self.err(node, f"decimal literal longer than {MAX_DIGITS} characters")
            mant, _, exp = seg.lower().replace("_", "").partition("e")
            if exp and abs(int(exp)) > MAX_EXPONENT:
                raise self.err(node, f"exponent {exp} exceeds the limit of {MAX_EXPONENT} in "
                                     f"absolute value")
            return sympy.Rational(mant) * sympy.Integer(10) ** int(exp or 0)
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return sympy.pi
            if node.id in self.names:
                return self.names[node.id]
            allowed = ", ".join(sorted(self.names) + ["pi"])
            raise self.err(node, f"name {node.id!r} is not declared (allowed: {allowed})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = self.walk(node.operand, d)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                base = self.walk(node.left, d)
                ex = self.walk(node.right, d)
                if ex.free_symbols:
                    raise self.err(node.right, "an exponent must be a number, not contain a "
                                               "name")
                if not ex.is_Rational:
                    raise self.err(node.right, "an exponent must be rational")
                if abs(ex) > MAX_EXPONENT:
                    raise self.err(node.right, f"exponent {ex} exceeds the limit of "
                                               f"{MAX_EXPONENT} in absolute value")
                if base == 0 and ex < 0:
                    raise self.err(node, "0 raised to a negative power")
                if base.is_Rational and ex.is_Integer and abs(base.p).bit_length() * abs(ex) > 4000:
                    raise self.err(node, "power too large to compute exactly here")
                return base ** ex
            ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                   ast.Mult: lambda a, b: a * b}
            left = self.walk(node.left, d)
            right = self.walk(node.right, d)
            if isinstance(node.op, ast.Div):
                if right == 0:
                    raise self.err(node, "division by zero")
                return left / right
            for typ, fn in ops.items():
                if isinstance(node.op, typ):
                    return fn(left, right)
            raise self.err(node, f"operator {type(node.op).__name__} is not allowed "
                                 f"(allowed: + - * / **)")
        if isinstance(node, ast.Call):
            fname = node.func.id if isinstance(node.func, ast.Name) else None
            if fname not in FUNCTIONS:
                shown = fname or ast.get_source_segment(self._text, node.func) or "?"
                raise self.err(node, f"calls to {shown!r} are not allowed (allowed: "
                                     f"{', '.join(FUNCTIONS)})")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise self.err(node, f"{fname}() takes positional arguments only")
            args = [self.walk(a, d) for a in node.args]
            if fname == "Rational":
                if len(args) != 2 or not all(a.is_Integer for a in args):
                    raise self.err(node, "Rational(p, q) needs two integers")
                if args[1] == 0:
                    raise self.err(node, "Rational(p, 0): division by zero")
                return sympy.Rational(args[0], args[1])
            if len(args) != 1:
                raise self.err(node, f"{fname}() takes exactly one argument")
            return {"sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos}[fname](args[0])
        raise self.err(node, f"{type(node).__name__} is not allowed in a number (allowed: "
                             f"numbers, declared names, pi, + - * / **, parentheses, "
                             f"{', '.join(FUNCTIONS)})")

    def parse(self, text: str) -> sympy.Expr:
        if not isinstance(text, str):
            raise self.err(None, f"expected text, got {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise self.err(None, f"text is longer than {MAX_LENGTH} characters")
        if not text.strip():
            raise self.err(None, "empty expression")
        lead = len(text) - len(text.lstrip(" \t"))
        text = text.strip()
        self.col += lead
        self._text = text
        depth = 0
        for ch in text:  # cheap pre-check: ast.parse itself recurses on deep parentheses
            if ch in "([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise self.err(None, f"expression is nested deeper than {MAX_DEPTH} "
                                         f"levels")
            elif ch in ")]":
                depth -= 1
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            ln = (exc.lineno or 1)
            co = (exc.offset or 1)
            raise InputError(f"syntax error: {exc.msg}", self.source, self.line + ln - 1,
                             (self.col + co - 1) if ln == 1 else co) from None
        except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
            raise self.err(None, f"cannot parse: {type(exc).__name__}") from None
        try:
            return self.walk(tree, 0)
        except RecursionError:
            raise self.err(None, f"expression is nested deeper than {MAX_DEPTH} levels") from None


def parse_exact(text: str, names: Mapping[str, sympy.Symbol] | None = None, *,
                source: str = "<string>", line: int = 1, col: int = 1) -> sympy.Expr:
    """Parse ``text`` into an exact sympy expression; ``names`` are the declared symbols."""
    return _Walker(names or {}, source, line, col).parse(text)


def parse_number(value: int | str, *, source: str = "<string>", line: int = 1,
                 col: int = 1) -> sympy.Expr:
    """An exact constant from a Python int or a grammar string without free names."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"expected an integer or a string, got {type(value).__name__}",
                         source, line, col)
    if isinstance(value, int):
        if value.bit_length() > MAX_DIGITS * 3.33:
            raise InputError(f"integer longer than {MAX_DIGITS} digits", source, line, col)
        return sympy.Integer(value)
    return parse_exact(value, {}, source=source, line=line, col=col)


def to_text(expr: sympy.Expr) -> str:
    """Print an exact expression in the grammar (``parse_exact(to_text(e)) == e``)."""
    if isinstance(expr, int):
        return str(expr)
    return sympy.sstr(expr, order=None)
