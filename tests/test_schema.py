"""The strict certificate reader (issue 14, item 2).

Every kind's fields, types and ranges are declared once in ``symkkt/kernel/schema.py``; the
whole certificate is validated against them before any checker runs. Duplicate keys, booleans
for integers, out-of-range values, unknown fields and wrong types are input errors: one line,
the field's JSON path, exit 2 from ``symkkt check-cert``. The valid certificates are in
``tests/data/certificates/`` (one per kind, written by ``symkkt verify --certificates``, plus
``not-kkt`` and ``optimum-bracket`` from the search code).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from symkkt.cli import main
from symkkt.errors import InputError
from symkkt.kernel import check_certificate, kinds, load_certificate, register_checker
from symkkt.kernel.schema import KINDS, render_markdown, validate

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "certificates"


def bundled(kind: str) -> dict:
    return json.loads((DATA / f"{kind}.json").read_text(encoding="utf-8"))


def rejected(cert, path: str) -> str:
    """The one-line InputError for ``cert``, which must start at ``path``."""
    with pytest.raises(InputError) as info:
        check_certificate(cert, source="c.json")
    msg = str(info.value)
    assert msg.startswith(f"c.json: {path}: "), msg
    assert "\n" not in msg and len(msg) < 400, msg
    return msg


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    cap = capsys.readouterr()
    return info.value.code, cap.out, cap.err


# ------------------------------------------------------------------------------ every kind


def test_every_checked_kind_has_a_table_and_every_table_a_checker():
    assert set(KINDS) == set(kinds())
    with pytest.raises(ValueError, match="no table"):
        register_checker("no-such-kind")(lambda rd, cert: None)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_bundled_certificate_of_every_kind_is_verified(kind):
    cert = bundled(kind)
    assert cert["kind"] == kind
    v = check_certificate(cert, source=f"{kind}.json")
    assert v.status == "verified", v.reasons


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_unknown_top_level_field_is_refused(kind):
    cert = bundled(kind)
    cert["note"] = "reviewed"
    msg = rejected(cert, "$.note")
    assert "unknown field" in msg


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_version_true_is_not_version_1(kind):
    cert = bundled(kind)
    cert["symkkt_certificate"] = True
    assert "the boolean true" in rejected(cert, "$.symkkt_certificate")
    cert["symkkt_certificate"] = 2
    assert "not supported" in rejected(cert, "$.symkkt_certificate")
    del cert["symkkt_certificate"]
    rejected(cert, "$.symkkt_certificate")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_informational_fields_must_be_strings(kind):
    cert = bundled(kind)
    cert["theorem"] = 5
    rejected(cert, "$.theorem")


# ----------------------------------------------------------------------- duplicate keys


def test_a_duplicate_key_at_the_top_is_refused():
    text = json.dumps(bundled("kkt"))
    assert load_certificate(text, "c.json")["kind"] == "kkt"
    dup = text.replace('"kind": "kkt"', '"kind": "not-kkt", "kind": "kkt"')
    with pytest.raises(InputError) as info:
        load_certificate(dup, "c.json")
    assert str(info.value) == "c.json: $.kind: duplicate key (a key may occur only once per " \
                              "object)"


@pytest.mark.parametrize("kind", ["kkt", "not-local", "global", "convergence", "robust"])
def test_a_duplicate_parameter_in_the_point_is_refused(kind):
    """A reviewer reading the first ``w`` and the kernel checking the last is impossible."""
    cert = bundled(kind)
    p = next(iter(cert["point"]))
    text = json.dumps(cert).replace('"point": {', f'"point": {{"{p}": "7", ', 1)
    with pytest.raises(InputError) as info:
        load_certificate(text, "c.json")
    assert str(info.value).startswith(f"c.json: $.point.{p}: duplicate key")


def test_a_duplicate_key_deep_inside_is_refused_with_its_path():
    cert = bundled("global-optimum-value")
    text = json.dumps(cert).replace('"sign": 1,', '"sign": -1, "sign": 1,', 1)
    with pytest.raises(InputError) as info:
        load_certificate(text, "c.json")
    assert str(info.value).startswith(
        "c.json: $.bound.cases[0].options[0][0].sign: duplicate key")


@pytest.mark.parametrize("field, path, fragment", [
    ("from_layer", "$.from_layer", "expected an integer in 1..2, got an integer of 5001 digits"),
    ("theorem", "$.theorem", "expected a string, got an integer of 5001 digits"),
    ("symkkt_certificate", "$.symkkt_certificate", "got an integer of 5001 digits"),
])
def test_a_huge_integer_literal_is_refused_at_its_path(field, path, fragment):
    """Python refuses to convert integers of more than 4300 digits; the loader keeps such a
    literal as text, so it is an input error at its path, not a crash."""
    cert = bundled("nonzero-inputs")
    cert[field] = "HUGE"
    text = json.dumps(cert).replace('"HUGE"', "1" + "0" * 5000)
    assert fragment in rejected(load_certificate(text, "c.json"), path)
    cert = bundled("nonzero-inputs")
    cert["data"]["x"][0][0] = "HUGE"
    text = json.dumps(cert).replace('"HUGE"', "-" + "9" * 5000)
    assert "more than 1000 digits" in rejected(load_certificate(text, "c.json"),
                                               "$.data.x[0][0]")
    cert = bundled("nonzero-inputs")
    cert["from_layer"] = 10 ** 5000                 # the same from Python
    assert "from_layer=<an integer of more than 40 digits>" in rejected(cert, "$.from_layer")


def test_json_floats_are_exact_decimals_in_number_fields_and_nothing_else():
    cert = bundled("nonzero-inputs")
    text = json.dumps(cert).replace('"claim": "5.4/Thm 3.2 KKT point/nonzero-inputs"',
                                    '"claim": 5.4')
    assert "expected a string, got the number 5.4" in rejected(load_certificate(text), "$.claim")
    text = json.dumps(cert).replace('"from_layer": 2', '"from_layer": 2.0')
    assert "got the number 2.0" in rejected(load_certificate(text), "$.from_layer")
    text = json.dumps(cert).replace('"from_layer": 2', '"from_layer": NaN')
    rejected(load_certificate(text), "$.from_layer")
    x = cert["data"]["x"][0][0]
    assert x == "1"
    text = json.dumps(cert).replace('"x": [["1"', '"x": [[1.0e0', 1)
    assert check_certificate(load_certificate(text)).status == "verified"
    text = json.dumps(cert).replace('"x": [["1"', '"x": [[Infinity', 1)
    rejected(load_certificate(text), "$.data.x[0][0]")


# ----------------------------------------------------------------------------- from_layer


@pytest.mark.parametrize("value, fragment", [
    (-1, "from_layer=-1 must be in 1..2"),
    (0, "from_layer=0 must be in 1..2"),
    (3, "from_layer=3 must be in 1..2"),
    (True, "expected an integer in 1..2, got the boolean true"),
    ("1", "expected an integer in 1..2, got the string"),
    (1.0, "expected an integer"),
])
def test_from_layer_must_be_a_layer_of_the_network(value, fragment):
    cert = bundled("nonzero-inputs")      # Theorem 5.4: depth 2, from layer 2
    cert["from_layer"] = value
    assert fragment in rejected(cert, "$.from_layer")


def test_from_layer_is_read_as_given():
    """Theorem 3.2's KKT point has a zero input in layer 1: from layer 2 (the output layer,
    no activation: nothing to check) it is verified, from layer 1 it is not."""
    cert = bundled("nonzero-inputs")
    assert check_certificate(cert).status == "verified"
    cert["from_layer"] = 1
    assert check_certificate(cert).status != "verified"
    del cert["from_layer"]                  # default: layer 1
    assert check_certificate(cert).status != "verified"


def test_from_layer_belongs_to_nonzero_inputs_only():
    cert = bundled("nonzero-weights")
    cert["from_layer"] = 1
    rejected(cert, "$.from_layer")


# ------------------------------------------------------------------- booleans, types, nesting


def _set(path, value):
    """A mutation setting ``cert[path...] = value`` (path: keys and indices)."""
    def mutate(cert):
        obj = cert
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return mutate


def _del(path):
    def mutate(cert):
        obj = cert
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return mutate


CASES = [
    # booleans are never integers
    ("per-layer-local", _set(("problem", "layer"), True), "$.problem.layer"),
    ("kkt", _set(("network", "layers", 0, 0, 0), False), "$.network.layers[0][0][0]"),
    ("kkt", _set(("data", "y", 0), True), "$.data.y[0]"),
    ("kkt", _set(("subgradients", 0, 0, "pattern", 0, 0), True),
     "$.subgradients[0][0].pattern[0][0]"),
    ("not-local", _set(("curve", "substitution_power"), True), "$.curve.substitution_power"),
    ("diagonal-family", _set(("width",), True), "$.width"),
    ("cone-probability", _set(("variables", "v1"), True), "$.variables.v1"),
    ("cone-probability", _set(("disjoint", 0, "events", 1), True), "$.disjoint[0].events[1]"),
    ("global-optimum-value", _set(("bound", "cases", 0, "options", 0, 0, "sign"), True),
     "$.bound.cases[0].options[0][0].sign"),
    ("robust", _set(("aux", 0, "root"), True), "$.aux[0].root"),
    # unknown fields, nested
    ("kkt", _set(("subgradients", 0, 0, "note"), "x"), "$.subgradients[0][0].note"),
    ("not-local", _set(("curve", "note"), "x"), "$.curve.note"),
    ("global", _set(("bound", "note"), "x"), "$.bound.note"),
    ("kkt", _set(("network", "bias"), []), "$.network.bias"),
    ("kkt", _set(("data", "weights"), []), "$.data.weights"),
    ("kkt", _set(("problem", "layer"), 1), "$.problem.layer"),      # Problem 2 has no layer
    ("optimum-ratio", _set(("verdict", "note"), "x"), "$.verdict.note"),
    ("optimum-ratio", _set(("optimum", "note"), "x"), "$.optimum.note"),
    ("global-optimum-value", _set(("bound", "cases", 0, "note"), "x"),
     "$.bound.cases[0].note"),
    ("convergence", _set(("invariant", "note"), []), "$.invariant.note"),
    ("diagonal-family", _set(("curve", "note"), "x"), "$.curve.note"),
    ("robust", _set(("aux", 0, "note"), "x"), "$.aux[0].note"),
    # fields only where they mean something
    ("equal-norm", _set(("curve", "patterns"), [[]]), "$.curve.patterns"),     # linear net
    ("robust", _del(("curve",)), "$.eps0"),                       # eps0 without a curve
    ("diagonal-family", _del(("curve",)), "$.eps0"),
    ("not-local", _del(("curve", "patterns")), "$.curve.patterns"),             # ReLU net
    ("kkt", _del(("subgradients",)), "$.subgradients"),
    ("local", _set(("problem",), {"number": 4, "layer": 1}), "$.problem.number"),
    ("per-layer-global", _set(("problem",), {"number": 2}), "$.problem.number"),
    ("per-layer-local", _del(("problem",)), "$.problem"),
    ("global", _set(("bound", "type"), "sosc"), "$.bound.type"),
    ("local", _set(("bound", "type"), "qp"), "$.bound.type"),
    ("l1-better", _set(("network", "activation"), "relu"), "$.network.activation"),
    ("not-kkt", _set(("problem",), {"number": 4, "layer": 2}), "$.farkas"),  # not free
    # out-of-range indices and lengths
    ("optimum-ratio", _set(("angle", "samples"), [0, 2]), "$.angle.samples[1]"),
    ("optimum-ratio", _set(("angle", "samples"), [0]), "$.angle.samples"),
    ("cone-probability", _set(("disjoint", 0, "events"), [0, 2]), "$.disjoint[0].events[1]"),
    ("cone-probability", _set(("disjoint", 0, "events"), [1, 1]), "$.disjoint[0].events[1]"),
    ("global-optimum-value", _set(("bound", "groups"), [[0, 2]]), "$.bound.groups[0][1]"),
    ("global-optimum-value", _set(("bound", "cases", 0, "options", 0, 0, "active"), [2, 0]),
     "$.bound.cases[0].options[0][0].active[0]"),
    ("global-optimum-value", _set(("bound", "cases", 0, "options", 0, 0, "mu"), ["0"]),
     "$.bound.cases[0].options[0][0].mu"),
    ("global-optimum-value", _set(("bound", "cases"), []), "$.bound.cases"),
    ("kkt", _set(("subgradients", 0, 0, "pattern"), [[1, 1, 1]]),
     "$.subgradients[0][0].pattern[0]"),
    ("kkt", _set(("subgradients", 0, 0, "pattern"), [[1, 1], [1]]),
     "$.subgradients[0][0].pattern"),
    ("kkt", _set(("subgradients", 0, 0, "pattern", 0, 1), 2),
     "$.subgradients[0][0].pattern[0][1]"),
    ("kkt", _set(("multipliers",), ["1", "1"]), "$.multipliers"),
    ("kkt", _set(("subgradients",), []), "$.subgradients"),
    ("not-local", _set(("curve", "patterns"), []), "$.curve.patterns"),
    ("not-local", _set(("curve", "substitution_power"), 13), "$.curve.substitution_power"),
    ("l1-better", _set(("better_beta",), ["1"]), "$.better_beta"),
    ("l1-optimal", _set(("dual",), []), "$.dual"),
    ("robust", _set(("center",), ["0"]), "$.center"),
    ("robust", _set(("parameters",), ["w1_1"]), "$.parameters[0]"),     # a network parameter
    ("robust", _set(("parameters",), ["d1", "d1"]), "$.parameters[1]"),
    ("robust", _set(("parameters",), ["pi"]), "$.parameters[0]"),
    ("robust", _set(("aux", 0, "name"), "d1"), "$.aux[0].name"),
    ("robust", _set(("aux", 0, "root"), 13), "$.aux[0].root"),
    ("diagonal-family", _set(("depth_min",), 1001), "$.depth_min"),
    ("diagonal-family", _set(("point",), ["1"]), "$.point"),
    ("convergence", _set(("losses",), ["exp", "exp"]), "$.losses[1]"),
    ("convergence", _set(("losses",), []), "$.losses"),
    ("convergence", _set(("invariant", "fixed"), ["w9"]), "$.invariant.fixed[0]"),
    ("convergence", _set(("invariant", "equal"), [["w1_1"]]), "$.invariant.equal[0]"),
    ("better-point", _del(("better_point", "v1")), "$.better_point"),
    ("better-point", _set(("better_point", "zz"), "1"), "$.better_point"),
    # wrong types
    ("kkt", _set(("multipliers",), {"0": "1"}), "$.multipliers"),
    ("kkt", _set(("multipliers", 0), 1.5), "$.multipliers[0]"),
    ("kkt", _set(("multipliers", 0), None), "$.multipliers[0]"),
    ("kkt", _set(("point",), []), "$.point"),
    ("kkt", _set(("data", "x", 0), "1, 1"), "$.data.x[0]"),
    ("kkt", _set(("network",), "relu"), "$.network"),
    ("kkt", _set(("subgradients", 0, 0, "witness"), ["1"]), "$.subgradients[0][0].witness"),
    ("kkt", _set(("kind",), ["kkt"]), "$.kind"),
    ("global-optimum-value", _set(("bound", "cases", 0, "infeasible"), "no"),
     "$.bound.cases[0].infeasible"),
    ("cone-probability", _set(("events", 0), [["1", "1"]]), "$.events[0]"),
    ("cone-probability", _set(("events", 0, "q"), [["1"]]), "$.events[0].q"),
    ("cone-probability", _set(("events", 0, "w1"), [["1"]]), "$.events[0].w1[0]"),
    ("not-local", _set(("eps0",), 0.5), "$.eps0"),
    ("convergence", _set(("init",), None), "$.init"),
]


@pytest.mark.parametrize("kind, mutate, path", CASES,
                         ids=[f"{k}:{p}" for k, _, p in CASES])
def test_malformed_fields_are_refused_with_their_path(kind, mutate, path):
    cert = copy.deepcopy(bundled(kind))
    mutate(cert)
    rejected(cert, path)


def test_a_second_disjointness_proof_for_the_same_pair_is_refused():
    cert = bundled("cone-probability")
    cert["disjoint"].append(dict(cert["disjoint"][0], events=[1, 0]))
    assert "already have a proof" in rejected(cert, "$.disjoint[1].events")


def test_a_malformed_number_is_refused_even_where_the_checker_never_looks():
    """Numbers are parsed before any check: today's verdict must not hide a malformed one."""
    cert = bundled("kkt")
    cert["point"] = {p: "0" for p in cert["point"]}          # infeasible: refuted at once
    assert check_certificate(cert).status == "refuted"
    cert["subgradients"][0][0]["weight"] = "__import__('os')"
    rejected(cert, "$.subgradients[0][0].weight")
    cert = bundled("global")
    cert["better_point"] = {p: "0" for p in cert["point"]}    # infeasible: unknown at once
    assert check_certificate(cert).status == "unknown"
    cert["bound"]["alpha"][0] = "sqrt("
    rejected(cert, "$.bound.alpha[0]")


def test_names_in_expressions_follow_the_field():
    cert = bundled("robust")
    cert["aux"][0]["base"] = "sig + 1"          # aux 1 is declared after aux 0
    rejected(cert, "$.aux[0].base")
    cert = bundled("robust")
    cert["radius"] = "d1"                        # a number, not an expression
    rejected(cert, "$.radius")
    cert = bundled("kkt")
    cert["point"][next(iter(cert["point"]))] = "epsilon"
    rejected(cert, f"$.point.{next(iter(cert['point']))}")


def test_an_unknown_field_with_a_newline_in_its_name_stays_one_line():
    cert = bundled("kkt")
    cert["a\nb" * 40] = 1
    with pytest.raises(InputError) as info:
        check_certificate(cert, source="c.json")
    msg = str(info.value)
    assert msg.startswith('c.json: $["a\\nba\\nb') and "unknown field" in msg
    assert "\n" not in msg and len(msg) < 300


def test_validate_needs_an_object_a_version_and_a_known_kind():
    with pytest.raises(InputError, match=r"^c\.json: \$: a certificate must be a JSON object"):
        validate([], "c.json")
    cert = bundled("kkt")
    cert["kind"] = "magic"
    rejected(cert, "$.kind")
    del cert["kind"]
    rejected(cert, "$.kind")


# -------------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize("edit, path", [
    (lambda t: t.replace('"symkkt_certificate": 1', '"symkkt_certificate": true'),
     "$.symkkt_certificate"),
    (lambda t: t.replace('"from_layer": 2', '"from_layer": -1'), "$.from_layer"),
    (lambda t: t.replace('"from_layer": 2', '"from_layer": 2, "from_layer": 1'),
     "$.from_layer"),
    (lambda t: t.replace('"from_layer": 2', '"from_layer": 2, "reviewed": true'),
     "$.reviewed"),
])
def test_check_cert_exits_2_with_one_line_naming_the_field(tmp_path, capsys, edit, path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(bundled("nonzero-inputs")), encoding="utf-8")
    code, out, _ = run(["check-cert", str(good)], capsys)
    assert code == 0, out
    bad = tmp_path / "bad.json"
    text = edit(good.read_text(encoding="utf-8"))
    assert text != good.read_text(encoding="utf-8")
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(["check-cert", str(good), str(bad)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"{bad}: {path}: " in lines[0], err


# -------------------------------------------------------------------------------- the docs


def _generator():
    spec = importlib.util.spec_from_file_location("gen_field_reference",
                                                  ROOT / "docs" / "gen_field_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_field_reference_in_the_docs_is_up_to_date():
    gen = _generator()
    page = gen.PAGE.read_text(encoding="utf-8")
    assert gen.HEADING in page and gen.BEGIN in page and gen.END in page
    assert gen.updated(page) == page, "run: python docs/gen_field_reference.py"


def test_the_field_reference_lists_every_kind_and_field():
    text = render_markdown()
    for kind, ks in KINDS.items():
        assert f"### `{kind}`" in text
        for f in ks.fields:
            assert f"| `{f.name}` |" in text, (kind, f.name)
    assert "| `from_layer` | integer in 1..m |" in text
    assert "| `problem.layer` | integer in 1..m |" in text


def test_the_generator_replaces_only_its_own_section():
    gen = _generator()
    page = "# Title\n\nintro\n\n## Another section\n\ntext\n"
    once = gen.updated(page)
    assert once.startswith(page.rstrip("\n")) and gen.HEADING in once
    edited = once.replace("intro", "intro, edited") + "\n## Added later\n\nmore\n"
    stale = edited.replace("integer in 1..m", "integer in 1..42", 1)
    again = gen.updated(stale)
    assert again == edited
    assert again.count(gen.BEGIN) == 1 and "## Added later" in again
