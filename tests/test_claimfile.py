"""Claim files: every kind of bad input is one located line, exit code 2, nothing written.

Each error case runs through ``symkkt.cli.main(["check", ...])`` with ``--json`` and
``--certificates`` pointing at paths that must stay absent. The fuzz tests feed random bytes,
TOML-ish text and random Python ASTs (as number strings) to the claim-file parser: nothing but
:class:`~symkkt.errors.InputError` may escape, and nothing may hang.
"""

from __future__ import annotations

import ast
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symkkt.check import _TimeUp, check as check_cmd, time_limit
from symkkt.claimfile import Locator, parse_claim_bytes, parse_claim_text
from symkkt.cli import app, main
from symkkt.errors import InputError


def _ensure_registered() -> None:
    if not any(c.name == "check" or c.callback is check_cmd for c in app.registered_commands):
        app.command("check")(check_cmd)


_ensure_registered()

BASE = """\
[network]
activation = "relu"
layers = [
  [["a1", "a2"], ["b1", "b2"]],
  [["v1", "v2"]],
]

[data]
x = [["1", "1/4"], ["-1", "1/4"]]
y = [1, 1]

[point]
a1 = "0"
a2 = "2"
b1 = "0"
b2 = "0"
v1 = "2"
v2 = "0"

[[claim]]
kind = "kkt"
"""


def pos(text: str, needle: str, offset: int = 0, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` plus ``offset``."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    i += offset
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def run_bad(tmp_path, capsys, text: str | bytes, name: str = "claims.toml"):
    """Run ``symkkt check`` on bad input: exit 2, one line, no traceback, nothing written."""
    f = tmp_path / name
    if isinstance(text, bytes):
        f.write_bytes(text)
    else:
        f.write_text(text, encoding="utf-8")
    out_json = tmp_path / "report.json"
    out_dir = tmp_path / "certs"
    with pytest.raises(SystemExit) as info:
        main(["check", str(f), "--json", str(out_json), "--certificates", str(out_dir)])
    cap = capsys.readouterr()
    assert info.value.code == 2, cap.out + cap.err
    assert "Traceback" not in cap.err and "Traceback" not in cap.out
    lines = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert len(lines) == 1, cap.err
    assert not out_json.exists() and not out_dir.exists()
    assert cap.out == ""  # no work was done, no table printed
    m = re.match(r"error: (.*?):(\d+):(\d+): (.*)$", lines[0])
    assert m, lines[0]
    assert m.group(1) == str(f)
    return int(m.group(2)), int(m.group(3)), m.group(4)


def test_base_is_valid():
    cf = parse_claim_text(BASE, "base.toml")
    assert cf.network.params == ("a1", "a2", "b1", "b2", "v1", "v2")
    assert [c.kind for c in cf.claims] == ["kkt"]


# ------------------------------------------------------------------ located errors


CASES = []


def case(label, text, where, offset, message, nth=0):
    CASES.append(pytest.param(text, where, offset, message, nth, id=label))


# malformed TOML: tomllib's own position
case("toml-invalid-value", edit('activation = "relu"', "activation = relu"),
     "relu", 0, "malformed TOML: Invalid value")
case("toml-duplicate-key", edit('v2 = "0"', 'v2 = "0"\nv2 = "1"'), 'v2 = "1"', 8,
     "malformed TOML")
# names
case("unknown-parameter", edit('v2 = "0"', 'v2 = "0"\nzz = 1'), "zz = 1", 0,
     "unknown parameter 'zz'")
case("missing-parameter", edit('v2 = "0"\n', ""), "[point]", 0,
     "missing parameter(s) v2")
case("name-not-identifier", edit('["b1", "b2"]', '["1b", "b2"]'), '"1b"', 1,
     "'1b' is not an identifier")
case("name-keyword", edit('["b1", "b2"]', '["for", "b2"]'), '"for"', 1,
     "'for' is not an identifier")
case("point-key-not-identifier", edit('v2 = "0"', 'v2 = "0"\nx-y = 1'), "x-y = 1", 0,
     "'x-y' is not an identifier")
case("shared-across-layers", edit('[["v1", "v2"]]', '[["v1", "a1"]]'), '"a1"]]', 1,
     "used in layers 1 and 2")
# shapes
case("ragged-rows", edit('["b1", "b2"]', '["b1"]'), '["b1"]', 0, "wrong shape: row 2")
case("layer-mismatch", edit('[["v1", "v2"]]', '[["v1", "v2", "v3"]]'), '[["v1"', 0,
     "wrong shape: layer 2 takes 3 inputs")
case("output-two-rows", edit('[["v1", "v2"]]', '[["v1", "v2"], ["v3", "v4"]]'),
     '[["v1"', 0, "the output layer must have one row")
case("input-dimension", edit('["-1", "1/4"]', '["-1", "1/4", "3"]'), '["-1"', 0,
     "wrong shape: input 2 has 3 entries")
case("label-count", edit("y = [1, 1]", "y = [1]"), "[1]", 0, "wrong shape: 2 inputs")
case("multiplier-count", edit('kind = "kkt"', 'kind = "kkt"\nmultipliers = ["1"]'),
     '["1"]', 0, "wrong shape: 1 multipliers for 2 samples")
# labels
case("label-two", edit("y = [1, 1]", "y = [1, 2]"), "2]", 0, "labels must be the integers 1 or -1")
case("label-bool", edit("y = [1, 1]", "y = [1, true]"), "true", 0, "labels must be")
case("label-string", edit("y = [1, 1]", 'y = ["1", 1]'), '"1", 1]', 1, "labels must be")
# zero input
case("zero-input", edit('["-1", "1/4"]', '[0, "1/4 - 0.25"]'), '[0, "1/4', 0,
     "input 2 is the zero vector")
# unknown keys and kinds
case("unknown-top-key", "foo = 1\n" + BASE, "foo", 0, "unknown key 'foo'")
case("unknown-claim-key", edit('kind = "kkt"', 'kind = "kkt"\ncurv = 1'), "curv", 0,
     "unknown key 'curv'")
case("unknown-kind", edit('kind = "kkt"', 'kind = "optimal"'), '"optimal"', 1,
     "unknown claim kind 'optimal'")
case("unknown-network-key", edit('activation = "relu"', 'activation = "relu"\nbias = 1'),
     "bias", 0, "unknown key 'bias'")
case("bad-activation", edit('activation = "relu"', 'activation = "tanh"'), '"tanh"', 1,
     "must be \"linear\" or \"relu\"")
case("claim-not-array", edit("[[claim]]", "[claim]"), "[claim]", 0,
     "claims must be an array of tables")
case("problem-without-layer", edit('kind = "kkt"', 'kind = "kkt"\nproblem = 4'), "problem",
     0, "problem = 4 needs layer")
case("layer-out-of-range", edit('kind = "kkt"', 'kind = "kkt"\nproblem = 4\nlayer = 3'),
     "3\n", 0, "layer 3 must be between 1 and 2")
case("curve-on-wrong-kind", edit('kind = "kkt"', 'kind = "kkt"\ncurve = {point = {a1 = 1}}'),
     "curve", 0, "a curve is only read for kind \"not-local\"")
case("duplicate-label", BASE + '\n[[claim]]\nkind = "kkt"\nlabel = "x"\n[[claim]]\n'
     'kind = "local"\nlabel = "x"\n', '"x"', 1, "label 'x' is also used", nth=1)
# expressions outside the grammar: the column points inside the string
case("attribute-access", edit('v1 = "2"', 'v1 = "1 + (2).real"'), "(2).real", 0, "Attribute")
case("call-not-listed", edit('v1 = "2"', 'v1 = "__import__(\'os\')"'), "__import__", 0,
     "calls to '__import__' are not allowed")
case("call-exec", edit('b2 = "0"', 'b2 = "exec(\'1\')"'), "exec", 0,
     "calls to 'exec' are not allowed")
case("name-not-declared", edit('v1 = "2"', 'v1 = "2*a1"'), "2*a1", 2,
     "name 'a1' is not declared")
case("epsilon-outside-curve", edit('v1 = "2"', 'v1 = "epsilon"'), "epsilon", 0,
     "name 'epsilon' is not declared")
case("exponent-above-1000", edit('v1 = "2"', 'v1 = "2**1001"'), "1001", 0,
     "exponent 1001 exceeds the limit of 1000")
case("nesting-deeper-than-50", edit('v1 = "2"', 'v1 = "' + "(" * 60 + "1" + ")" * 60 + '"'),
     '"((', 1, "nested deeper than 50")
case("text-longer-than-10000", edit('v1 = "2"', 'v1 = "' + "1" * 10_001 + '"'), '"111', 1,
     "longer than 10000 characters")
case("syntax-error", edit('x = [["1", "1/4"]', 'x = [["1", "1/+"]'), '1/+', 0,
     "syntax error")
case("lambda", edit('v1 = "2"', 'v1 = "(lambda: 1)()"'), "(lambda", 0, "not allowed")
case("string-literal", edit('v1 = "2"', "v1 = \"'2'\""), "'2'", 0, "str literals")
case("complex-number", edit('v1 = "2"', 'v1 = "sqrt(-1)"'), "sqrt(-1)", 0,
     "not a finite real number")
case("toml-float-exponent", edit('v1 = "2"', "v1 = 1e1001"), "1e1001", 0,
     "exponent in 1e1001 is above 1000")
case("toml-float-inf", edit('v1 = "2"', "v1 = inf"), "inf", 0, "not a finite number")
case("integer-too-long", edit('v1 = "2"', "v1 = " + "7" * 1001), "777", 0,
     "integer with more than 1000 digits")
case("power-of-sum", edit('v1 = "2"', 'v1 = "(1 + sqrt(2))**100"'), "(1 + sqrt", 0,
     "power of a sum with exponent 100")
case("number-wrong-type", edit('v1 = "2"', "v1 = [2]"), "[2]", 0, "must be a number")

# kind "convergence": init, losses, invariant
CONV_INIT = 'a1 = "1/10", a2 = 2, b1 = "1/10", b2 = -1, v1 = 2, v2 = "3/10"'
CONV = edit('kind = "kkt"', 'kind = "convergence"\ninit = {' + CONV_INIT + '}')


def conv(old: str, new: str) -> str:
    return edit(old, new, CONV)


case("conv-missing-init", edit('kind = "kkt"', 'kind = "convergence"'), "[[claim]]", 0,
     'kind "convergence" needs init')
case("conv-init-missing-param", conv(', v2 = "3/10"', ""), "init", 0,
     "[claim[0].init] is missing parameter(s) v2")
case("conv-init-unknown-param", conv('v2 = "3/10"', 'v2 = "3/10", zz = 1'), "zz", 0,
     "unknown parameter 'zz' in [claim[0].init]")
case("conv-init-not-a-number", conv('a2 = 2', 'a2 = "x**2"'), "x**2", 0,
     "name 'x' is not declared")
case("conv-init-bool", conv('a2 = 2', 'a2 = true'), "true", 0,
     "claim[0].init.a2 must be a number, not a boolean")
case("conv-init-not-a-table", conv("init = {" + CONV_INIT + "}", "init = [1, 2]"), "[1, 2]", 0,
     "must be a table mapping parameter names to numbers")
case("conv-init-on-other-kind", edit('kind = "kkt"', 'kind = "kkt"\ninit = {a1 = 1}'), "init",
     0, 'init is only read for kind "convergence"')
case("conv-unknown-invariant-name", conv("init =", 'invariant = {fixed = ["b1", "zz"]}\ninit ='),
     '"zz"', 1, "unknown parameter 'zz' in claim[0].invariant.fixed")
case("conv-unknown-name-in-group",
     conv("init =", 'invariant = {equal = [["a1", "b1"], ["v1", "q"]]}\ninit ='), '"q"', 1,
     "unknown parameter 'q' in claim[0].invariant.equal[1]")
case("conv-unknown-positive-name", conv("init =", 'invariant = {positive = ["a3"]}\ninit ='),
     '"a3"', 1, "unknown parameter 'a3'")
case("conv-invariant-unknown-key", conv("init =", 'invariant = {fixd = ["b1"]}\ninit ='),
     "fixd", 0, "unknown key 'fixd'")
case("conv-invariant-name-not-string", conv("init =", 'invariant = {fixed = [1]}\ninit ='),
     "1]}", 0, "must be a parameter name")
case("conv-group-of-one", conv("init =", 'invariant = {equal = [["a1"]]}\ninit ='), '["a1"]',
     0, "a group needs at least 2 names")
case("conv-name-twice", conv("init =", 'invariant = {fixed = ["b1"], equal = [["b1", "a1"]]}'
                                       '\ninit ='), '"b1", "a1"', 1,
     "parameter 'b1' is in fixed and in equal group 1")
case("conv-positive-and-fixed", conv("init =", 'invariant = {fixed = ["b1"], positive = '
                                               '["b1"]}\ninit ='), '"b1"]}', 1,
     "parameter 'b1' is fixed: it cannot also be positive")
case("conv-bad-loss", conv("init =", 'losses = ["exp", "hinge"]\ninit ='), '"hinge"', 1,
     "unknown loss 'hinge' (allowed: exp, logistic)")
case("conv-empty-losses", conv("init =", 'losses = []\ninit ='), "[]", 0, "losses is empty")
case("conv-losses-not-array", conv("init =", 'losses = "exp"\ninit ='), '"exp"', 1,
     "must be an array")
case("conv-loss-twice", conv("init =", 'losses = ["exp", "exp"]\ninit ='), '"exp"]', 1,
     "loss 'exp' is listed twice")
case("conv-layer", conv("init =", "layer = 1\ninit ="), "layer = 1", 0,
     'kind "convergence" is about Problem 2 only')
case("conv-problem-4", conv("init =", "problem = 4\ninit ="), "problem", 0,
     'kind "convergence" is about Problem 2 only')
case("conv-multipliers", conv("init =", 'multipliers = [1, 1]\ninit ='), "multipliers", 0,
     'multipliers are only read for kind "kkt"')
case("conv-too-many-samples",
     edit('x = [["1", "1/4"], ["-1", "1/4"]]\ny = [1, 1]',
          "x = [" + ", ".join(f'[{k}, 1]' for k in range(1, 12)) + "]\ny = ["
          + ", ".join(["1"] * 11) + "]", CONV), '"convergence"', 1,
     'kind "convergence" handles at most 10 samples')


@pytest.mark.parametrize("text, where, offset, message, nth", CASES)
def test_error_is_located(tmp_path, capsys, text, where, offset, message, nth):
    line, col, msg = run_bad(tmp_path, capsys, text)
    assert message in msg, msg
    assert (line, col) == pos(text, where, offset, nth), (line, col, msg)


def test_malformed_toml_at_end_of_file(tmp_path, capsys):
    text = BASE + "extra = [1, 2\n"
    line, col, msg = run_bad(tmp_path, capsys, text)
    assert msg.startswith("malformed TOML: Unclosed array")
    assert line == text.count("\n") + 1


def test_file_too_large(tmp_path, capsys):
    text = BASE + "#" * 1_000_001 + "\n"
    line, col, msg = run_bad(tmp_path, capsys, text)
    assert (line, col) == (1, 1) and msg.startswith("file too large")


def test_not_utf8(tmp_path, capsys):
    data = BASE.encode().replace(b'"relu"', b'"rel\xff"')
    line, col, msg = run_bad(tmp_path, capsys, data)
    assert msg.startswith("not UTF-8") and line == 2


def test_missing_file(tmp_path, capsys):
    out_json = tmp_path / "r.json"
    with pytest.raises(SystemExit) as info:
        main(["check", str(tmp_path / "nope.toml"), "--json", str(out_json)])
    cap = capsys.readouterr()
    assert info.value.code == 2 and "no such file" in cap.err and "Traceback" not in cap.err
    assert not out_json.exists()


def test_second_file_bad_means_no_work_and_no_output(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(BASE)
    bad = tmp_path / "bad.toml"
    bad.write_text(edit("y = [1, 1]", "y = [1, 0]"))
    out_json = tmp_path / "r.json"
    with pytest.raises(SystemExit) as info:
        main(["check", str(good), str(bad), "--json", str(out_json)])
    cap = capsys.readouterr()
    assert info.value.code == 2 and cap.out == ""
    assert cap.err.startswith(f"error: {bad}:10:9: label 2 is 0")
    assert not out_json.exists()


def test_bad_convergence_claim_in_a_second_file_means_no_search(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(CONV)
    bad = tmp_path / "bad.toml"
    bad.write_text(conv("init =", 'invariant = {positive = ["nope"]}\ninit ='))
    out_json = tmp_path / "r.json"
    with pytest.raises(SystemExit) as info:
        main(["check", str(good), str(bad), "--json", str(out_json)])
    cap = capsys.readouterr()
    assert info.value.code == 2 and cap.out == "" and "Traceback" not in cap.err
    assert cap.err.startswith(f"error: {bad}:") and "unknown parameter 'nope'" in cap.err
    assert not out_json.exists()


def test_convergence_problem_2_is_accepted():
    cf = parse_claim_text(conv("init =", "problem = 2\ninit ="), "c.toml")
    spec = cf.claims[0]
    assert spec.kind == "convergence" and spec.layer is None and spec.invariant is None
    assert spec.init["a1"] == parse_claim_text(CONV, "c.toml").claims[0].init["a1"]


def test_json_may_not_overwrite_a_claim_file(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text(BASE)
    with pytest.raises(SystemExit) as info:
        main(["check", str(f), "--json", str(f)])
    cap = capsys.readouterr()
    assert info.value.code == 2 and "refusing to overwrite" in cap.err
    assert f.read_text() == BASE


def test_unwritable_json_directory(tmp_path, capsys):
    f = tmp_path / "c.toml"
    f.write_text(BASE)
    with pytest.raises(SystemExit) as info:
        main(["check", str(f), "--json", str(tmp_path / "no" / "such" / "r.json")])
    cap = capsys.readouterr()
    assert info.value.code == 2 and "does not exist" in cap.err and cap.out == ""


# ------------------------------------------------------------------ the locator


def test_locator_positions():
    text = 'a = 1\n[t]\nb = [ "x",\n  "yy" ]\n[[c]]\nk = {m = "z"}\n[[c]]\nk = 2\n'
    loc = Locator(text)
    assert loc.value(("a",)) == (1, 5)
    assert loc.value(("t", "b", 0)) == (3, 8)      # inside the quotes
    assert loc.value(("t", "b", 1)) == (4, 4)
    assert loc.value(("c", 0, "k", "m")) == (6, 11)
    assert loc.key(("c", 1, "k")) == (8, 1)
    assert loc.value(("c", 1, "k", "nope")) == (8, 5)  # nearest known ancestor


def test_curve_and_float_values_are_exact():
    text = edit('kind = "kkt"', 'kind = "not-local"\n[claim.curve]\n'
                'point = {b1 = "-sqrt(epsilon)", a1 = "epsilon/4"}\nsubstitution_power = 2')
    text = edit('["-1", "1/4"]', '["-1", 0.25]', text)
    cf = parse_claim_text(text, "c.toml")
    import sympy

    assert cf.X[1][1] == sympy.Rational(1, 4)
    spec = cf.claims[0]
    assert spec.curve.substitution_power == 2
    assert str(spec.curve.point["b1"]) == "-sqrt(epsilon)"


# ------------------------------------------------------------------ fuzzing


def _parse_only_input_errors(fn, *args):
    try:
        with time_limit(20):
            fn(*args)
    except InputError:
        pass
    except _TimeUp:
        pytest.fail(f"parsing took longer than 20 s: {args!r:.300}")


FUZZ = settings(max_examples=70, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_random_bytes(data):
    _parse_only_input_errors(parse_claim_bytes, data, "fuzz.toml")


@FUZZ
@given(st.binary(max_size=200), st.integers(0, len(BASE)))
def test_fuzz_bytes_spliced_into_a_valid_file(junk, at):
    raw = BASE.encode()
    _parse_only_input_errors(parse_claim_bytes, raw[:at] + junk + raw[at:], "fuzz.toml")


_FRAGMENTS = [
    "[network]", "[data]", "[point]", "[[claim]]", "[claim.curve]", 'activation = "relu"',
    'activation = "linear"', 'layers = [[["a", "b"]]]', 'layers = [[["a", 0]], [["c"]]]',
    'layers = [[["a", "b"], ["c", "d"]], [["e", "f"]]]', "layers = []", "x = [[1, 2]]",
    'x = [["1/2", "sqrt(2)"]]', "x = [[0, 0]]", "y = [1]", "y = [-1, 1]", "y = [2]",
    "a = 1", 'b = "sqrt(2)"', 'a = "pi"', "c = 1", "d = -1", "e = 0.5", "f = 1e3",
    'kind = "kkt"', 'kind = "not-local"', 'kind = "global"', 'kind = "nope"', "problem = 4",
    "layer = 1", "layer = 0", 'multipliers = ["1"]', 'label = "l"', "point = {a = 1}",
    'point = {a = "epsilon"}', 'a = "(1).__class__"', 'a = "2**1001"', "title = 'x'",
    "[a.b.c]", "x = {y = [1, {z = 2}]}", '"""', "'''", "=", ",", "[", "]", "{", "}", "#",
    "\\", '"', "'", "\n", " ", "1979-05-27T07:32:00Z", "true", "nan", "+inf",
    'kind = "convergence"', "[claim.init]", "[claim.invariant]", "init = {a = 1, b = 0}",
    'invariant = {fixed = ["a"], equal = [["b", "c"]], positive = ["d"]}', 'losses = ["exp"]',
    "fixed = []", 'equal = [["a"]]', 'positive = ["zz"]',
]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS),
                          st.text(alphabet='abcxy019_."[]{}=,#\\ \n-+*/()\'', max_size=12)),
                max_size=40),
       st.sampled_from(["\n", " ", ""]))
def test_fuzz_tomlish_text(parts, sep):
    _parse_only_input_errors(parse_claim_text, sep.join(parts), "fuzz.toml")


_NAMES = ["a1", "pi", "epsilon", "sqrt", "x", "__import__", "open", "Rational", "sin"]
_leaf = st.one_of(
    st.integers(-1000, 1000).map(lambda v: ast.Constant(v)),
    st.floats(allow_nan=True, allow_infinity=False, width=32).map(lambda v: ast.Constant(v)),
    st.sampled_from(["s", b"b", None, True, ...]).map(lambda v: ast.Constant(v)),
    st.sampled_from(_NAMES).map(lambda n: ast.Name(n, ast.Load())),
)
_binops = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod, ast.FloorDiv, ast.BitXor,
           ast.MatMult, ast.LShift]
_unops = [ast.USub, ast.UAdd, ast.Not, ast.Invert]


def _extend(children):
    return st.one_of(
        st.builds(lambda op, a, b: ast.BinOp(a, op(), b), st.sampled_from(_binops), children,
                  children),
        st.builds(lambda op, a: ast.UnaryOp(op(), a), st.sampled_from(_unops), children),
        st.builds(lambda f, args: ast.Call(ast.Name(f, ast.Load()), args, []),
                  st.sampled_from(["sqrt", "sin", "cos", "Rational", "exec", "eval", "open",
                                   "getattr"]), st.lists(children, max_size=3)),
        st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), children,
                  st.sampled_from(["real", "__class__", "system"])),
        st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children, children),
        st.builds(lambda a, b: ast.Compare(a, [ast.Lt()], [b]), children, children),
        st.builds(lambda a: ast.Lambda(ast.arguments([], [], None, [], [], None, []), a),
                  children),
        st.builds(lambda xs: ast.Tuple(xs, ast.Load()), st.lists(children, max_size=3)),
    )


_exprs = st.recursive(_leaf, _extend, max_leaves=25)


def _source(node) -> str:
    return ast.unparse(ast.fix_missing_locations(ast.Expression(node)))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_exprs, st.sampled_from(["point", "data", "curve", "multiplier", "init"]))
def test_fuzz_random_ast_numbers(node, where):
    try:
        src = _source(node)
    except (ValueError, RecursionError):
        return
    lit = json.dumps(src)  # a TOML basic string (JSON escapes are TOML escapes)
    if where == "point":
        text = edit('v1 = "2"', f"v1 = {lit}")
    elif where == "data":
        text = edit('"-1", "1/4"', f'"-1", {lit}')
    elif where == "curve":
        text = edit('kind = "kkt"', f'kind = "not-local"\ncurve = {{point = {{v2 = {lit}}}}}')
    elif where == "init":
        text = edit('kind = "kkt"', f'kind = "convergence"\ninit = {{a1 = {lit}, a2 = 1, '
                                    f'b1 = 0, b2 = 0, v1 = 1, v2 = 0}}')
    else:
        text = edit('kind = "kkt"', f'kind = "kkt"\nmultipliers = [{lit}, 0]')
    _parse_only_input_errors(parse_claim_text, text, "fuzz.toml")
