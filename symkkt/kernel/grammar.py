"""The whitelist grammar for exact numbers: user text in, exact sympy expressions out.

Design principle 4: text from claim files and certificates is never handed to ``eval``,
``sympify``, ``parse_expr`` or ``S(text)`` (they all execute code). Instead the text is parsed by
``ast.parse(text, mode="eval")`` and the tree is walked with a whitelist, building sympy objects
directly. The grammar is exactly:

* integer literals (decimal, at most ``MAX_DIGITS`` digits) and decimal literals such as
  ``0.25`` or ``1.5e-3``, converted exactly from their *text* (never through a float);
* names: the declared symbols passed by the caller, and ``pi``;
* binary ``+ - * / **``, unary ``+ -``, parentheses;
* calls ``sqrt(e)``, ``sin(e)``, ``cos(e)`` and ``Rational(p, q)`` (``p``, ``q`` integer-valued),
  positional arguments only.

Everything else is an :class:`~symkkt.errors.InputError` located at the offending node in the
caller's file. Because sympy evaluates eagerly (``sqrt(8) -> 2*sqrt(2)``, ``2**(1/3)*2**(1/5)``
combines exponents, roots factor their radicands, assumptions may compute minimal polynomials),
hostile text could make a parser hang even without executing code. The walker therefore

* bounds the text length, the nesting depth (of operations, and of brackets) and every
  exponent (which must be a rational number, checked *before* the power is built);
* predicts, before each sympy call, the bit size of every numerator and denominator the call can
  create and refuses above ``MAX_BITS``; predicts the size of the integers without small prime
  factors that a root extraction may have to factor and refuses above ``MAX_ROOT_BITS`` (sympy's
  ``factorint`` is slow there, and fails with an ``OverflowError`` above 1024 bits);
* charges root extractions and trigonometric evaluations to a deterministic work budget
  (the same text is accepted or refused on every machine);
* refuses numeric sums that ``evalf`` cannot separate from zero (these are what drive sympy into
  ``minimal_polynomial``) and values that are not real.

All state lives in one :class:`_Parser` per call: there is no global state.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy.core.numbers import Rational as _SympyRational
from sympy.printing.str import StrPrinter

from ..errors import InputError, InvalidArgument

__all__ = [
    "parse_exact",
    "parse_number",
    "to_text",
    "FUNCTIONS",
    "RESERVED_NAMES",
    "MAX_TEXT_LENGTH",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_DIGITS",
    "MAX_BITS",
    "MAX_ROOT_BITS",
    "WORK_BUDGET",
]

MAX_TEXT_LENGTH = 10_000
"""Longest accepted text, in characters."""
MAX_LENGTH = MAX_TEXT_LENGTH
"""Former name of MAX_TEXT_LENGTH."""
MAX_DEPTH = 50
"""Deepest accepted nesting of operations (a chain ``a + b - c + ...`` counts once), and of
parentheses."""
MAX_EXPONENT = 1000
"""Largest accepted absolute value of an exponent (written, or in the built result)."""
MAX_DIGITS = 1000
"""Most digits in one integer literal (or in the mantissa or exponent of a decimal literal)."""
MAX_BITS = 14_000
"""Largest bit length of any numerator or denominator in any intermediate result.

About 4200 decimal digits: below Python's limit of 4300 digits for ``str(int)``, so every
accepted value can be printed."""
MAX_ROOT_BITS = 1_000
"""Largest size (bits) of the part without prime factors below 1000 of an integer that one root
extraction may have to factor (``sqrt`` of a 300-digit number is fine, of a 1000-digit one not,
unless it is a perfect square)."""
WORK_BUDGET = 4_000
"""Work units per text. One unit is about 0.1 ms of sympy (uncached, worst case, on a 2020s
machine), so any accepted text is evaluated in well under a second."""

FUNCTIONS: tuple[str, ...] = ("sqrt", "sin", "cos", "Rational")
"""The only callable names."""
RESERVED_NAMES: frozenset[str] = frozenset(FUNCTIONS) | {"pi"}
"""Names that cannot be declared as symbols."""

_OP_COST = 4
"""Work units per sympy construction (Add, Mul, Pow, Rational)."""
_TRIG_COST = 300
_TRIG_COST_BY_DENOMINATOR = {120: 3000, 60: 3000, 20: 1500, 15: 1200, 40: 1000, 30: 1000,
                             24: 800, 105: 800, 84: 800, 12: 600, 8: 500, 10: 500, 55: 500}
"""sympy evaluates ``cos(k*pi/q)`` for these ``q`` to (large) radicals: up to 0.3 s uncached."""
_EVALF_COST = 5
_SUM_POWER_COST = 40
"""A power of a sum makes sympy query assumptions of the sum (up to 5 ms)."""
_SMALL_PRIMES: tuple[int, ...] = tuple(int(p) for p in sympy.primerange(2, 1000))
_OPERATOR_TEXT = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
    ast.Invert: "~", ast.Not: "not", ast.UAdd: "+", ast.USub: "-",
}
_NODE_TEXT: dict[type, str] = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Slice: "slices are",
    ast.Lambda: "lambda expressions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "conditional expressions are",
    ast.JoinedStr: "f-strings are",
    ast.FormattedValue: "f-strings are",
    ast.NamedExpr: "assignment expressions (:=) are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.Tuple: "tuples are",
    ast.List: "lists are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.Starred: "starred expressions are",
    ast.Await: "await expressions are",
    ast.Yield: "yield expressions are",
    ast.YieldFrom: "yield expressions are",
}
"""What to call a refused AST node in an error (the node's class name is added)."""
_INT_LITERAL = re.compile(r"[0-9](?:_?[0-9])*\Z")
_DECIMAL_LITERAL = re.compile(
    r"(?P<int>[0-9](?:_?[0-9])*)?(?:\.(?P<frac>[0-9](?:_?[0-9])*)?)?"
    r"(?:[eE](?P<exp>[+-]?[0-9](?:_?[0-9])*))?\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEADING_BLANK = re.compile(r"[ \t\f\r\n]*")


# ----------------------------------------------------------------------------- public API


def parse_exact(text: str, names: Mapping[str, sympy.Symbol] | None = None, *,
                source: str = "<string>", line: int = 1, col: int = 1) -> sympy.Expr:
    """Parse ``text`` in the whitelist grammar into an exact sympy expression.

    ``names`` maps the declared symbol names to their sympy symbols (``pi`` is always known).
    ``source``/``line``/``col`` say where ``text`` starts in the user's file (1-based), so that
    errors point into that file: an :class:`InputError` whose ``str`` is
    ``source:line:col: message``. Nothing is executed; the work is bounded (see the module
    docstring), so any text is answered quickly with an expression or an ``InputError``.
    """
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a str, got {type(text).__name__}")
    checked = _check_names(names)
    # A text is parsed once per symbol table: certificates repeat their numbers, and every
    # to_text reads its output back (17,000 parses of 500 texts in `symkkt verify`). What
    # raises is not remembered (an error names the place it was found).
    key = (text, tuple(sorted(checked.items())))
    hit = _PARSED.get(key)
    if hit is None:
        hit = _Parser(text, checked, source, line, col).parse()
        if len(_PARSED) >= _MEMO_MAX:
            _PARSED.clear()
        _PARSED[key] = hit
    return hit


_MEMO_MAX = 4096
_PARSED: dict[tuple, sympy.Expr] = {}
_WRITTEN: dict[tuple, str] = {}


def parse_number(value: int | str, *, source: str = "<string>", line: int = 1,
                 col: int = 1) -> sympy.Expr:
    """Read one exact number without free names: a Python ``int`` or a string in the grammar.

    Meant for JSON values: ``bool`` and ``float`` are refused (a float is not exact; write
    ``"0.1"`` or ``"1/10"`` instead), as is every other type, with the given location.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        hint = " (floats are not exact: write the number as a string such as \"1/10\")" \
            if isinstance(value, float) else ""
        raise InputError(f"expected an exact number (an integer or a string), got "
                         f"{type(value).__name__}{hint}", source, line, col)
    if isinstance(value, int):
        if abs(value) >= 10 ** MAX_DIGITS:
            raise InputError(f"integer with more than {MAX_DIGITS} digits", source, line, col)
        return sympy.Integer(value)
    return parse_exact(value, None, source=source, line=line, col=col)


def to_text(expr: sympy.Expr | int) -> str:
    """Write an exact sympy expression in the grammar, such that parsing it gives it back.

    The output uses only grammar constructs (``sqrt(2)/2``, ``2**(2/3)``, ``-1/4``, ``pi``,
    ``sin(pi/7)``, ``epsilon**(1/3)``, ``3/7``). The round trip is checked here, with ``names``
    the free symbols of ``e``: ``parse_exact(to_text(e), names) == e`` structurally whenever
    ``e`` is in sympy's canonical form. A few sympy results are not (``sqrt(12**(5/7))`` gives
    ``2**(1/7)*2**(4/7)*3**(5/14)``); their text reads back as the canonical form of the same
    value. An expression the grammar cannot say (a float, ``I``, ``exp``, a symbolic exponent)
    or whose text the parser would refuse (beyond its limits) raises :class:`InvalidArgument`:
    a certificate holding it could not be read back.
    """
    if isinstance(expr, bool) or not isinstance(expr, (int, sympy.Expr)):
        raise InvalidArgument(f"to_text expects an exact sympy expression, got "
                              f"{type(expr).__name__}")
    key = (expr, type(expr))
    hit = _WRITTEN.get(key)
    if hit is None:
        hit = _to_text(expr)                # InvalidArgument propagates, nothing remembered
        if len(_WRITTEN) >= _MEMO_MAX:
            _WRITTEN.clear()
        _WRITTEN[key] = hit
    return hit


def _to_text(expr: sympy.Expr | int) -> str:
    e = sympy.Integer(expr) if isinstance(expr, int) else expr
    _check_printable(e)
    text = _GrammarPrinter().doprint(e)
    names: dict[str, sympy.Symbol] = {}
    for s in e.free_symbols:
        if not isinstance(s, sympy.Symbol) or s.name in names:
            raise InvalidArgument(f"cannot write {text!r}: ambiguous or unsupported symbol {s!r}")
        names[s.name] = s
    checked_names = _check_names(names)
    current = e
    for _ in range(3):
        try:
            back = parse_exact(text, checked_names, source="<to_text>")
        except InputError as exc:
            raise InvalidArgument(f"cannot write the expression in the grammar: "
                                  f"{exc.message}") from None
        if back == current:
            return text
        # A non-canonical input: print the canonical form of the same value instead.
        current, text = back, _GrammarPrinter().doprint(back)
    return text


# ----------------------------------------------------------------------------- helpers


def _check_names(names: Mapping[str, sympy.Symbol] | None) -> dict[str, sympy.Symbol]:
    """Validate the caller's symbol table (a programming error raises InvalidArgument)."""
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise InvalidArgument(f"names must be a mapping, got {type(names).__name__}")
    out: dict[str, sympy.Symbol] = {}
    for k, v in names.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise InvalidArgument(f"symbol name {k!r} is not an identifier")
        if k in RESERVED_NAMES:
            raise InvalidArgument(f"symbol name {k!r} is reserved")
        if not isinstance(v, sympy.Symbol):
            raise InvalidArgument(f"names[{k!r}] must be a sympy Symbol, got {type(v).__name__}")
        out[k] = v
    return out


def _bits(n: int) -> int:
    """Bit length of ``|n|``."""
    return abs(n).bit_length()


def _den_bits(q: int) -> int:
    """Smallest ``d`` with ``q <= 2**d`` (0 for an integer), so that products add exactly."""
    return (q - 1).bit_length()


def _short(value: object, limit: int = 40) -> str:
    """``str(value)`` shortened for error messages (huge integers stay readable)."""
    if isinstance(value, (int, sympy.Integer)):
        n = int(value)
        if abs(n).bit_length() > 4 * limit:
            digits = int(abs(n).bit_length() * 0.30103) + 1
            return f"{'-' if n < 0 else ''}(a number of about {digits} digits)"
    s = sympy.sstr(value) if isinstance(value, sympy.Basic) else str(value)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _hard_bits(n: int) -> int:
    """Bit length of ``|n|`` once its prime factors below 1000 are divided out.

    That part is what sympy's root extraction may have to test for primality and perfect powers.
    """
    n = abs(n)
    if n < 2:
        return 0
    for p in _SMALL_PRIMES:
        if n % p == 0:
            n //= p
            while n % p == 0:
                n //= p
            if n == 1:
                return 0
    return n.bit_length()


@dataclass(frozen=True)
class _RootProfile:
    """The top-level numeric factors of an expression that sympy may merge or take roots of.

    ``lcm``: lcm of the exponent denominators of the numeric radicals ``r**(p/q)``;
    ``num_bits``/``den_bits``: total size of the numerators/denominators of the radicands (and of
    the plain rational factors, when those are included); ``hard_num``/``hard_den``: the same
    without prime factors below 1000; ``radicals``: how many radicals there are.
    """

    lcm: int = 1
    num_bits: int = 0
    den_bits: int = 0
    hard_num: int = 0
    hard_den: int = 0
    radicals: int = 0

    def plus(self, other: "_RootProfile") -> "_RootProfile":
        """Profile of a product: radicands multiply, denominators combine by lcm."""
        return _RootProfile(math.lcm(self.lcm, other.lcm), self.num_bits + other.num_bits,
                            self.den_bits + other.den_bits, self.hard_num + other.hard_num,
                            self.hard_den + other.hard_den, self.radicals + other.radicals)

    def sizes(self, q: int) -> tuple[int, int]:
        """``(size, hard)``: bounds on the bits of the integers a root of index ``q*lcm`` builds
        (``radicand**(index-1)`` at worst) and of their parts without small prime factors."""
        mult = max(q * self.lcm - 1, 1)
        return (mult * max(self.num_bits, self.den_bits),
                mult * max(self.hard_num, self.hard_den))


def _rational_profile(r: sympy.Rational, lcm: int, radical: bool) -> _RootProfile:
    """Profile of one rational factor (``radical``: it is the radicand of a root of index lcm)."""
    p, q = int(r.p), int(r.q)
    return _RootProfile(lcm, _bits(p), _den_bits(q), _hard_bits(p), _hard_bits(q),
                        int(radical))


def _is_numeric_radical(a: sympy.Basic) -> bool:
    """``r**(p/q)`` with ``r`` and ``p/q`` rational (sympy keeps ``q > 1`` there)."""
    return bool(a.is_Pow and isinstance(a.base, _SympyRational)
                and isinstance(a.exp, _SympyRational))


def _root_profile(expr: sympy.Expr, *, radicals_only: bool) -> _RootProfile:
    """Profile of the top-level factors of ``expr`` (see :class:`_RootProfile`)."""
    out = _RootProfile()
    for a in sympy.Mul.make_args(expr):
        if isinstance(a, _SympyRational):
            if not radicals_only and a != 1 and a != -1:
                out = out.plus(_rational_profile(a, 1, False))
        elif _is_numeric_radical(a):
            out = out.plus(_rational_profile(a.base, int(a.exp.q), True))
    return out


def _pi_denominator(arg: sympy.Expr) -> int:
    """``q`` when ``arg`` is a rational multiple ``p*pi/q`` of pi (term by term), else 0.

    sympy's ``sin``/``cos`` evaluate exactly (from tables of radicals) only for such arguments.
    """
    if not arg.has(sympy.pi):
        return 0
    total = sympy.S.Zero
    for term in sympy.Add.make_args(arg):
        coeff = term.as_coefficient(sympy.pi)
        if not isinstance(coeff, _SympyRational):
            return 0
        total += coeff
    return int(total.q)


def _root_cost(size: int, hard: int) -> int:
    """Work units charged for a root extraction (see :class:`_RootProfile`).

    Calibrated on sympy 1.14 worst cases: about 1.5 ms for a small root (trial division up to
    2**15), 50 ms when the hard part reaches 1000 bits, 7 ms to trial-divide a 14000-bit
    integer.
    """
    return 15 + (hard * hard) // 2_000 + size // 200


@dataclass(frozen=True)
class _Stats:
    """Facts about one built expression, computed once per distinct subexpression.

    Every rational ``p/q`` in it that is not an exponent has ``|p| < 2**num_bits`` and
    ``q <= 2**den_bits``; every exponent ``p/q`` has ``|p|, q < 2**exp_bits``; ``max_exp`` is
    the largest absolute value of an exponent; ``numeric`` says there are no free symbols.
    These bounds behave like logarithmic heights: adding or multiplying values adds them, a
    power multiplies them, which is what the size predictions before each sympy call use.
    """

    num_bits: int
    den_bits: int
    exp_bits: int
    max_exp: sympy.Rational
    numeric: bool


# ----------------------------------------------------------------------------- the parser


class _Parser:
    """One parse: the text, the declared names, the start location, the memo and the budget."""

    def __init__(self, text: str, names: dict[str, sympy.Symbol], source: str, line: int,
                 col: int) -> None:
        self.text = text
        self.names = names
        self.source = source
        self.line = line
        self.col = col
        self.lines: list[str] = []
        self.line_bytes: list[bytes] = []
        self.stats_memo: dict[sympy.Basic, _Stats] = {}
        self.sign_memo: dict[sympy.Basic, int] = {}
        self.work = 0

    # --- locations and errors

    def error_at(self, rel_line: int, rel_col0: int, message: str) -> InputError:
        """An InputError at a position of the parsed text (1-based line, 0-based char col)."""
        rel_line = max(1, rel_line)
        rel_col0 = max(0, rel_col0)
        line = self.line + rel_line - 1
        col = self.col + rel_col0 if rel_line == 1 else rel_col0 + 1
        return InputError(message, self.source, line, col)

    def error(self, node: ast.AST, message: str) -> InputError:
        """An InputError at ``node`` (ast columns are UTF-8 byte offsets: convert to chars)."""
        lineno = getattr(node, "lineno", 1) or 1
        byte_col = getattr(node, "col_offset", 0) or 0
        char_col = byte_col
        if 1 <= lineno <= len(self.line_bytes):
            raw = self.line_bytes[lineno - 1]
            char_col = len(raw[:byte_col].decode("utf-8", errors="ignore"))
        return self.error_at(lineno, char_col, message)

    def segment(self, node: ast.AST) -> str:
        """The source text of a one-line node (``ast.get_source_segment`` is O(text) a call)."""
        lineno, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
        if lineno != end or not 1 <= lineno <= len(self.line_bytes):
            return ""
        raw = self.line_bytes[lineno - 1]
        return raw[node.col_offset:node.end_col_offset].decode("utf-8", errors="replace")

    def charge(self, node: ast.AST, units: int) -> None:
        """Spend work units; refuse the text when the budget is exhausted."""
        self.work += units
        if self.work > WORK_BUDGET:
            raise self.error(node, "expression is too costly to evaluate exactly "
                                   f"(work budget of {WORK_BUDGET} units exceeded)")

    # --- entry point

    def parse(self) -> sympy.Expr:
        """Check the raw text, parse it with ``ast`` and evaluate the tree."""
        text = self.text
        if len(text) > MAX_TEXT_LENGTH:
            raise self.error_at(1, 0, f"text is longer than {MAX_TEXT_LENGTH} characters")
        nul = text.find("\x00")
        if nul >= 0:
            before = _NEWLINE.split(text[:nul])
            raise self.error_at(len(before), len(before[-1]), "text contains a null byte")
        # Leading blanks would be an "unexpected indent": skip them, keeping locations right.
        skip = _LEADING_BLANK.match(text)
        k = skip.end() if skip else 0
        if k:
            prefix = _NEWLINE.split(text[:k])
            if len(prefix) > 1:
                self.line += len(prefix) - 1
                self.col = 1 + len(prefix[-1])
            else:
                self.col += len(prefix[-1])
            text = text[k:]
        if not text.strip():
            raise self.error_at(1, 0, "expression is empty")
        self.lines = _NEWLINE.split(text)
        try:
            with warnings.catch_warnings():
                # e.g. "invalid decimal literal" for 1if: such text is refused anyway.
                warnings.simplefilter("ignore")
                tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            lineno = exc.lineno or 1
            offset = (exc.offset or 1) - 1
            if lineno > len(self.lines):
                lineno, offset = len(self.lines), len(self.lines[-1])
            raise self.error_at(lineno, offset, f"syntax error: {exc.msg}") from None
        except (RecursionError, MemoryError):
            raise self.error_at(1, 0, f"expression is nested deeper than {MAX_DEPTH} levels") \
                from None
        except (ValueError, OverflowError) as exc:  # e.g. UnicodeEncodeError (lone surrogates)
            raise self.error_at(1, 0, f"invalid text: {_short(exc, 80)}") from None
        self.line_bytes = [ln.encode("utf-8") for ln in self.lines]
        if text.count("(") + text.count("[") + text.count("{") > MAX_DEPTH:
            self.check_brackets(text)
        try:
            result = self.walk(tree.body, 0)
        except InputError:
            raise
        except RecursionError:
            raise self.error_at(1, 0, "expression is too complex to evaluate") from None
        except Exception as exc:  # noqa: BLE001 - sympy internals must never escape raw
            raise self.error_at(1, 0, f"cannot evaluate the expression exactly "
                                      f"({type(exc).__name__})") from None
        return result

    def check_brackets(self, text: str) -> None:
        """Refuse brackets nested deeper than MAX_DEPTH (they create no AST nodes, so the walk
        cannot see them); the error points at the outermost bracket of the deep group."""
        stack: list[tuple[int, int]] = []
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type != tokenize.OP:
                    continue
                if tok.string in "([{":
                    stack.append(tok.start)
                    if len(stack) > MAX_DEPTH:
                        raise self.error_at(stack[0][0], stack[0][1], f"expression is nested "
                                            f"deeper than {MAX_DEPTH} levels (parentheses)")
                elif tok.string in ")]}" and stack:
                    stack.pop()
        except (tokenize.TokenError, SyntaxError):
            return  # ast accepted the text; tokenize is only a depth probe

    # --- the walk

    def walk(self, node: ast.AST, depth: int) -> sympy.Expr:
        """Evaluate one node of the whitelist; ``depth`` counts enclosing operations."""
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        depth += 1
        if depth > MAX_DEPTH:
            raise self.error(node, f"expression is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return self.add_chain(node, depth)
            if isinstance(node.op, (ast.Mult, ast.Div)):
                return self.mul_chain(node, depth)
            if isinstance(node.op, ast.Pow):
                base = self.walk(node.left, depth)
                exponent = self.walk(node.right, depth)
                return self.power(node, base, exponent, node.right)
            op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"operator '{op}' is not allowed (allowed: + - * / **)")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.walk(node.operand, depth)
            if isinstance(node.op, ast.USub):
                value = self.walk(node.operand, depth)
                return self.negate(node, value)
            op = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"operator '{op}' is not allowed (allowed: unary + -)")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        kind = type(node).__name__
        what, verb = _NODE_TEXT.get(type(node), "expressions are").rsplit(" ", 1)
        raise self.error(node, f"{what} ({kind}) {verb} not allowed")

    def constant(self, node: ast.Constant) -> sympy.Expr:
        """A literal: integers and decimals exactly from their text; everything else refused."""
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.error(node, f"'{value}' is not allowed (only numbers)")
        if isinstance(value, (str, bytes)):
            raise self.error(node, f"{type(value).__name__} literals are not allowed "
                                   "(only numbers)")
        if isinstance(value, complex):
            raise self.error(node, "complex numbers are not allowed")
        segment = self.segment(node)
        if isinstance(value, int):
            if not _INT_LITERAL.match(segment):
                raise self.error(node, f"only decimal integer literals are allowed, got "
                                       f"{_short(segment)!r}")
            digits = segment.replace("_", "")
            if len(digits) > MAX_DIGITS:
                raise self.error(node, f"integer literal with more than {MAX_DIGITS} digits")
            return sympy.Integer(int(digits))
        if isinstance(value, float):
            m = _DECIMAL_LITERAL.match(segment)
            if not m or not (m.group("int") or m.group("frac")):
                raise self.error(node, f"malformed decimal literal {_short(segment)!r}")
            int_part = (m.group("int") or "").replace("_", "")
            frac_part = (m.group("frac") or "").replace("_", "")
            exp_text = (m.group("exp") or "0").replace("_", "")
            if len(int_part) + len(frac_part) > MAX_DIGITS or len(exp_text) > MAX_DIGITS:
                raise self.error(node, f"decimal literal with more than {MAX_DIGITS} digits")
            exp10 = int(exp_text) - len(frac_part)
            if abs(int(exp_text)) > MAX_EXPONENT:
                raise self.error(node, f"decimal exponent {_short(int(exp_text))} exceeds the "
                                       f"limit of {MAX_EXPONENT} in absolute value")
            mantissa = int(int_part + frac_part or "0")
            if exp10 >= 0:
                return sympy.Integer(mantissa * 10 ** exp10)
            return sympy.Rational(mantissa, 10 ** (-exp10))
        raise self.error(node, f"literals of type {type(value).__name__} are not allowed")

    def name(self, node: ast.Name) -> sympy.Expr:
        """A declared symbol or ``pi``."""
        if node.id == "pi":
            return sympy.pi
        symbol = self.names.get(node.id)
        if symbol is None:
            allowed = ", ".join(sorted(self.names) + ["pi"])
            raise self.error(node, f"name '{node.id}' is not declared (allowed: {allowed})")
        return symbol

    @staticmethod
    def _spine(node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[ast.AST, bool]]:
        """Flatten a left-associated chain ``a op b op c`` into ``[(a, False), (b, inv), ...]``.

        Iterative, so a long chain costs one nesting level, not one per operator.
        """
        items: list[tuple[ast.AST, bool]] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ops):
            items.append((cur.right, isinstance(cur.op, (ast.Sub, ast.Div))))
            cur = cur.left
        items.append((cur, False))
        items.reverse()
        return items

    def add_chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """``a + b - c ...``: all terms at once, after predicting the size of the result."""
        terms: list[sympy.Expr] = []
        for operand, negate in self._spine(node, (ast.Add, ast.Sub)):
            value = self.walk(operand, depth)
            terms.append(self.negate(operand, value) if negate else value)
        # Like terms add their coefficients: a/b + c/d = (ad + cb)/(bd).
        stats = [self.stats(t, node) for t in terms]
        dens = sum(s.den_bits for s in stats)
        nums = max(s.num_bits + dens - s.den_bits for s in stats) + len(terms).bit_length()
        self.check_bits(node, max(nums, dens))
        self.charge(node, _OP_COST + len(terms) // 4)
        return self.checked(node, sympy.Add(*terms))

    def negate(self, node: ast.AST, value: sympy.Expr) -> sympy.Expr:
        """``-value`` (a sum distributes the sign over its terms)."""
        self.charge(node, _OP_COST + len(value.args) // 4)
        return self.checked(node, -value)

    def mul_chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """``a * b / c ...``: divisors inverted (never an exact zero), then one product."""
        factors: list[sympy.Expr] = []
        for operand, invert in self._spine(node, (ast.Mult, ast.Div)):
            value = self.walk(operand, depth)
            if invert:
                if value == 0:
                    raise self.error(operand, "division by zero")
                value = self.power(operand, value, sympy.S.NegativeOne, operand)
            factors.append(value)
        return self.multiply(node, factors)

    def multiply(self, node: ast.AST, factors: list[sympy.Expr]) -> sympy.Expr:
        """The product of ``factors`` after predicting its size and root-combination cost."""
        # Coefficients multiply; powers of a common base add their exponents.
        stats = [self.stats(f, node) for f in factors]
        self.check_bits(node, max(sum(s.num_bits for s in stats), sum(s.den_bits for s in stats),
                                  sum(s.exp_bits for s in stats) + len(factors).bit_length()))
        # sympy merges numeric radicals: 2**(1/3)*3**(1/3) -> 6**(1/3), 2**(1/3)*2**(1/5) ->
        # 2**(8/15); the merged root may have to factor radicands up to lcm * total size.
        if sum(_is_numeric_radical(a) for f in factors for a in sympy.Mul.make_args(f)) >= 2:
            profile = _RootProfile()
            for f in factors:
                profile = profile.plus(_root_profile(f, radicals_only=True))
            self.check_root(node, *profile.sizes(1))
        self.charge(node, _OP_COST + len(factors) // 4)
        return self.checked(node, sympy.Mul(*factors))

    def power(self, node: ast.AST, base: sympy.Expr, exponent: sympy.Expr,
              exp_node: ast.AST) -> sympy.Expr:
        """``base ** exponent`` with a rational exponent of at most MAX_EXPONENT, checked first."""
        if not isinstance(exponent, _SympyRational):
            what = "a declared symbol" if exponent.free_symbols else _short(exponent)
            raise self.error(exp_node, f"the exponent must be a rational number, got {what}")
        if abs(exponent) > MAX_EXPONENT:
            raise self.error(exp_node, f"exponent {_short(exponent)} exceeds the limit of "
                                       f"{MAX_EXPONENT} in absolute value")
        if base == 0 and exponent < 0:
            raise self.error(node, "0 cannot be raised to a negative power")
        p, q = int(exponent.p), int(exponent.q)
        if q != 1 and base != 0 and not base.free_symbols and (
                base < 0 if isinstance(base, _SympyRational) else self.sign(base, node) < 0):
            raise self.error(node, f"({_short(base)})**({exponent}) is not a finite real "
                                   "number (root of a negative number)")
        # (a/b)**(p/q) keeps at most a**ceil(p/q) and b**ceil(p/q) outside the root, and the
        # exponents inside the base are multiplied by p/q.
        s = self.stats(base, node)
        grow = max(1, -(-abs(p) // q))  # ceil(|exponent|)
        self.check_bits(node, max(grow * (s.num_bits + s.den_bits),
                                  s.exp_bits + _bits(p) + _bits(q)))
        if isinstance(base, _SympyRational) and q != 1 and \
                sympy.integer_nthroot(abs(int(base.p)), q)[1] and \
                sympy.integer_nthroot(int(base.q), q)[1]:
            pass  # an exact root: sympy finds it with one integer_nthroot, nothing to factor
        elif q != 1 or any(_is_numeric_radical(a) for a in sympy.Mul.make_args(base)):
            self.check_root(node, *_root_profile(base, radicals_only=False).sizes(q))
        self.charge(node, _SUM_POWER_COST if base.is_Add else _OP_COST)
        return self.checked(node, sympy.Pow(base, exponent))

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        """``sqrt(e)``, ``sin(e)``, ``cos(e)``, ``Rational(p, q)``; nothing else."""
        allowed = ", ".join(FUNCTIONS)
        func = node.func
        if not isinstance(func, ast.Name):
            what = _NODE_TEXT.get(type(func), "expressions are").rsplit(" ", 1)[0]
            raise self.error(node, f"calls of {what} ({type(func).__name__}) are not allowed "
                                   f"(allowed: {allowed})")
        if func.id not in FUNCTIONS:
            raise self.error(node, f"calls to '{func.id}' are not allowed (allowed: {allowed})")
        if node.keywords:
            raise self.error(node, f"keyword arguments are not allowed in {func.id}()")
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.error(a, f"starred arguments are not allowed in {func.id}()")
        want = 2 if func.id == "Rational" else 1
        if len(node.args) != want:
            raise self.error(node, f"{func.id}() takes exactly {want} argument"
                                   f"{'s' if want > 1 else ''}, got {len(node.args)}")
        args = [self.walk(a, depth) for a in node.args]
        if func.id == "sqrt":
            return self.power(node, args[0], sympy.S.Half, node)
        if func.id == "Rational":
            for a, a_node in zip(args, node.args):
                if not isinstance(a, sympy.Integer):
                    raise self.error(a_node, f"Rational() needs integers, got {_short(a)}")
            if args[1] == 0:
                raise self.error(node.args[1], "division by zero")
            self.charge(node, _OP_COST)
            return self.checked(node, sympy.Rational(args[0], args[1]))
        self.charge(node, _TRIG_COST_BY_DENOMINATOR.get(_pi_denominator(args[0]), _TRIG_COST))
        fn = sympy.sin if func.id == "sin" else sympy.cos
        return self.checked(node, fn(args[0]))

    # --- guards

    def check_bits(self, node: ast.AST, predicted: int) -> None:
        """Refuse a sympy call whose numbers could exceed MAX_BITS bits."""
        if predicted > MAX_BITS:
            raise self.error(node, f"number too large: the result could need {predicted} bits "
                                   f"(limit {MAX_BITS})")

    def check_root(self, node: ast.AST, size: int, hard: int) -> None:
        """Refuse or charge a sympy call that may build ``size``-bit integers and factor
        ``hard``-bit ones (see :class:`_RootProfile`)."""
        if size > MAX_BITS:
            raise self.error(node, f"root too costly to evaluate exactly: it may build a "
                                   f"{size}-bit integer (limit {MAX_BITS})")
        if hard > MAX_ROOT_BITS:
            raise self.error(node, f"root too costly to evaluate exactly: it may have to factor "
                                   f"a {hard}-bit integer (limit {MAX_ROOT_BITS})")
        self.charge(node, _root_cost(size, hard))

    def checked(self, node: ast.AST, value: sympy.Expr) -> sympy.Expr:
        """Accept a freshly built value only if it is a finite real expression within limits.

        A numeric sum (or a root of one) that ``evalf`` cannot tell from zero at sympy's default
        precision cap is refused here, before any later sympy constructor can ask for its sign:
        sympy would then compute a minimal polynomial, which can take minutes.
        """
        s = self.stats(value, node)
        if max(s.num_bits, s.den_bits, s.exp_bits) > MAX_BITS:
            raise self.error(node, f"number too large: more than {MAX_BITS} bits")
        if s.max_exp > MAX_EXPONENT:
            raise self.error(node, f"exponent {_short(s.max_exp)} in the result exceeds the "
                                   f"limit of {MAX_EXPONENT} in absolute value")
        if s.numeric and isinstance(value, sympy.Add):
            self.sign(value, node)
        return value

    def stats(self, expr: sympy.Expr, node: ast.AST) -> _Stats:
        """Size facts of ``expr``, memoised per distinct subexpression.

        Refuses what the grammar cannot produce legitimately: ``I``, infinities, ``nan``, powers
        with non-rational exponents, functions other than ``sin``/``cos``.
        """
        memo = self.stats_memo
        got = memo.get(expr)
        if got is not None:
            return got
        zero = sympy.S.Zero
        if isinstance(expr, _SympyRational):
            out = _Stats(_bits(int(expr.p)), _den_bits(int(expr.q)), 0, zero, True)
        elif isinstance(expr, sympy.Symbol):
            out = _Stats(0, 0, 0, zero, False)
        elif expr is sympy.pi:
            out = _Stats(0, 0, 0, zero, True)
        elif isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow, sympy.sin, sympy.cos)):
            args = expr.args[:1] if isinstance(expr, sympy.Pow) else expr.args
            subs = [self.stats(a, node) for a in args]
            max_exp = max(s.max_exp for s in subs)
            exp_bits = max(s.exp_bits for s in subs)
            if isinstance(expr, sympy.Pow):
                if not isinstance(expr.exp, _SympyRational):
                    raise self.error(node, f"unsupported value {_short(expr)} "
                                           "(a power with a non-rational exponent)")
                if not expr.exp.is_Integer and subs[0].numeric and (
                        expr.base < 0 if isinstance(expr.base, _SympyRational)
                        else self.sign(expr.base, node) < 0):
                    raise self.error(node, f"the value is not a finite real number (it "
                                           f"contains {_short(expr)})")
                max_exp = max(max_exp, abs(expr.exp))
                exp_bits = max(exp_bits, _bits(int(expr.exp.p)), _bits(int(expr.exp.q)))
            out = _Stats(max(s.num_bits for s in subs), max(s.den_bits for s in subs), exp_bits,
                         max_exp, all(s.numeric for s in subs))
        elif expr is sympy.S.ImaginaryUnit:
            raise self.error(node, "the value is not a finite real number")
        elif expr in (sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity,
                      sympy.S.NaN):
            raise self.error(node, f"the value is undefined ({expr})")
        else:
            raise self.error(node, f"unsupported value {_short(expr)}")
        memo[expr] = out
        return out

    def sign(self, expr: sympy.Expr, node: ast.AST) -> int:
        """The sign (+1 or -1) of a numeric value, which must be real and told from zero by
        ``evalf`` (at most about 333 bits of cancellation, sympy's default cap)."""
        got = self.sign_memo.get(expr)
        if got is not None:
            return got
        self.charge(node, _EVALF_COST + len(expr.args))
        approx = expr.evalf(2)
        if not isinstance(approx, sympy.Float):
            raise self.error(node, "the value is not a finite real number")
        if getattr(approx, "_prec", 0) <= 1 or approx == 0:
            raise self.error(node, "cannot certify this number: it is zero or within about "
                                   "1e-100 of zero (write it in a simpler form)")
        out = 1 if approx > 0 else -1
        self.sign_memo[expr] = out
        return out


# ----------------------------------------------------------------------------- printing


class _GrammarPrinter(StrPrinter):
    """sympy's str printer, which prints supported expressions in the grammar, with one fix.

    ``Mul(1/2, 1/(x + 1))`` prints as ``1/(2*(x + 1))`` in sympy, which reads back as
    ``1/(2*x + 2)`` (a rational times a sum distributes). When a product has a fractional
    coefficient and a denominator, the coefficient's denominator is printed last instead:
    ``1/(x + 1)/2``. Likewise ``-1*(a + b)*c`` keeps its ``-1``. Integers with more than
    ``MAX_DIGITS`` digits are printed in Horner form with ``10**1000``.
    """

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return _integer_text(int(expr.p))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        p, q = int(expr.p), int(expr.q)
        if q == 1:
            return _integer_text(p)
        if abs(p) < 10 ** MAX_DIGITS and q < 10 ** MAX_DIGITS:
            return f"{p}/{q}"
        return f"{_integer_text(p)}/{_integer_text(q)}"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        factors = sympy.Mul.make_args(rest)
        if isinstance(coeff, _SympyRational) and coeff.q != 1 and any(
                f.is_Pow and f.exp.is_negative for f in factors):
            top = rest if coeff.p == 1 else sympy.Mul(sympy.Integer(coeff.p), rest,
                                                      evaluate=False)
            return f"{self._print(top)}/{coeff.q}"
        if coeff == -1 and any(f.is_Add for f in factors):
            # "-(a + b)*c" would read back as (-a - b)*c: keep the -1 as a factor.
            return f"-1*{self._print(rest)}"
        return super()._print_Mul(expr)


def _integer_text(n: int) -> str:
    """An integer in the grammar: plain digits, or ``((a*10**1000 + b)*10**1000 + c)`` when it
    has more than ``MAX_DIGITS`` digits (literals are limited to that many)."""
    if abs(n) < 10 ** MAX_DIGITS:
        return str(n)
    chunks: list[int] = []
    m = abs(n)
    while m:
        m, r = divmod(m, 10 ** MAX_DIGITS)
        chunks.append(r)
    text = str(chunks.pop())
    while chunks:
        text = f"({text})*10**{MAX_DIGITS} + {chunks.pop()}"
    return f"{'-' if n < 0 else ''}({text})"


def _check_printable(expr: sympy.Basic) -> None:
    """Refuse, with a clear message, expressions the grammar has no words for."""
    stack = [expr]
    seen: set[int] = set()
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, _SympyRational) or e is sympy.pi:
            continue
        if isinstance(e, sympy.Symbol):
            if not e.name.isidentifier() or e.name in RESERVED_NAMES:
                raise InvalidArgument(f"cannot write symbol {e.name!r} in the grammar")
            continue
        if isinstance(e, sympy.Pow):
            if not isinstance(e.exp, _SympyRational):
                raise InvalidArgument(f"cannot write {_short(e)}: exponents must be rational "
                                      "numbers")
        elif not isinstance(e, (sympy.Add, sympy.Mul, sympy.sin, sympy.cos)):
            raise InvalidArgument(f"cannot write {_short(e)} in the grammar "
                                  f"(unsupported {type(e).__name__})")
        stack.extend(e.args)
