"""The public Python API (``import symkkt``): reports, validators, claim values, notebook."""

import dataclasses
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

import symkkt

ROOT = Path(__file__).resolve().parent.parent

RELU_32 = dict(
    network={"activation": "relu", "layers": [[["w1_1", "w1_2"], ["w2_1", "w2_2"]],
                                              [["v1", "v2"]]]},
    data={"x": [[1, Fraction(1, 4)], [-1, "1/4"]], "y": [1, 1]},
    point={"w1_1": 0, "w1_2": 2, "w2_1": 0, "w2_2": 0, "v1": sympy.Integer(2), "v2": 0},
)


def test_import_is_light_and_all_is_explicit():
    code = ("import sys, symkkt; print(sorted(m for m in ('sympy', 'theorems', 'mpmath', "
            "'symkkt.kernel', 'rich') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, cwd=str(ROOT))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
    for name in ("verify", "check", "check_certificate", "gradient_flow", "InvalidArgument",
                 "InputError"):
        assert name in symkkt.__all__
    assert all(hasattr(symkkt, name) for name in symkkt.__all__)


@pytest.fixture(scope="module")
def report_41():
    return symkkt.verify("4.1")


def test_verify_report(report_41):
    r = report_41
    assert r.status == "verified" and r.ok
    assert len(r) == len(r.claims) > 0
    assert all(c.status == "verified" and c.id.startswith("4.1/") for c in r.claims)
    n = len(r)
    assert r.summary.startswith(f"{n} verified, 0 refuted, 0 unknown of {n}")
    doc = r.to_json()
    assert doc["summary"]["verified"] == doc["summary"]["total"] == n
    assert json.loads(json.dumps(doc)) == doc
    assert r["4.1/linear/kkt"].values["norm2"] == "2"
    html = r._repr_html_()
    assert html.startswith("<table") and all(c.id in html for c in r.claims)
    assert r._repr_latex_().startswith("$$")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.title = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.claims[0].status = "refuted"


def test_verify_ids_aliases_and_keyword():
    r = symkkt.verify(["4.2.1"], k="global and not sparse")
    assert len(r) >= 1
    assert all(c.theorem == "4.2(1)" and c.kind in ("global", "global-all-data")
               and "sparse" not in c.id for c in r.claims)


@pytest.mark.parametrize("call", [
    lambda: symkkt.verify(3),
    lambda: symkkt.verify(["3.2", 4]),
    lambda: symkkt.verify("3.2", gf="yes"),
    lambda: symkkt.verify("3.2", timeout=0),
    lambda: symkkt.verify("3.2", timeout=float("nan")),
    lambda: symkkt.verify("3.2", dps=5),
    lambda: symkkt.check(),
    lambda: symkkt.check(3),
    lambda: symkkt.check(str(ROOT / "examples" / "relu-not-local.toml"), **RELU_32,
                         claims=["kkt"]),
    lambda: symkkt.check(**RELU_32, claims=[]),
    lambda: symkkt.check(**RELU_32, claims=[object()]),
    lambda: symkkt.check_certificate(42),
    lambda: symkkt.gradient_flow("3.2", loss="square"),
    lambda: symkkt.gradient_flow(),
])
def test_bad_arguments_are_invalid_argument(call):
    with pytest.raises(symkkt.InvalidArgument) as info:
        call()
    assert "\n" not in str(info.value)


def test_unknown_id_is_input_error():
    with pytest.raises(symkkt.InputError):
        symkkt.verify("9.9")


def test_check_values_match_the_claim_file():
    from_file = symkkt.check(ROOT / "examples" / "relu-not-local.toml")
    from_values = symkkt.check(**RELU_32, claims=[{"kind": "kkt", "label": "kkt-point"},
                                                  {"kind": "not-local", "label": "escape"}])
    assert [c.status for c in from_values] == [c.status for c in from_file] == \
        ["verified", "verified"]
    assert [dict(c.values) for c in from_values] == [dict(c.values) for c in from_file]


def test_check_values_are_validated_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    bad = dict(RELU_32, point={**RELU_32["point"],
                               "v2": f"__import__('os').mkdir('{marker}')"})
    with pytest.raises(symkkt.InputError):
        symkkt.check(**bad, claims=["kkt"])
    assert not marker.exists()
    with pytest.raises(symkkt.InvalidArgument):   # a missing parameter
        symkkt.check(**dict(RELU_32, point={"w1_1": 0}), claims=["kkt"])
    with pytest.raises(symkkt.InvalidArgument):   # an unknown claim kind
        symkkt.check(**RELU_32, claims=["maybe"])


def test_check_values_floats_and_fractions_are_exact():
    a = symkkt.check(**dict(RELU_32, data={"x": [[1, 0.25], [-1, Fraction(1, 4)]],
                                           "y": [1, 1]}), claims=["kkt"])
    assert a.status == "verified" and a.claims[0].values["multipliers"] == ["2", "2"]


def test_check_refuted_claim():
    r = symkkt.check(ROOT / "examples" / "refuted-local.toml")
    assert r.status == "refuted" and not r.ok
    assert r.counts["refuted"] >= 1


def test_check_certificate_dict_and_path(report_41, tmp_path):
    cert = dict(report_41["4.1/linear/kkt"].certificate)
    ok = symkkt.check_certificate(cert)
    assert ok.ok and ok.status == "verified" and ok.kind == "kkt"
    bad = dict(cert, multipliers=["-1"])
    res = symkkt.check_certificate(bad)
    assert not res.ok
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    assert symkkt.check_certificate(path).ok
    assert symkkt.check_certificate(str(path)).to_json()["valid"] is True
    with pytest.raises(symkkt.InputError):
        symkkt.check_certificate({"kind": "kkt"})


def test_check_is_the_function_after_the_submodule_is_imported():
    import symkkt.check as mod  # noqa: F401  (binds the submodule's name on the package)
    from symkkt.check import run_claim_file  # noqa: F401

    assert symkkt.check.__module__ == "symkkt._api" and callable(symkkt.check)


def test_gradient_flow_from_values():
    f = symkkt.gradient_flow(network={"activation": "linear", "layers": [[["w"]], [["v"]]]},
                             data={"x": [[1]], "y": [1]}, init={"w": "1/2", "v": 1},
                             target={"w": 1, "v": 1}, target_norm=1e4, dps=15)
    assert f.status == "reached" and len(f.runs) == 1
    assert f.runs[0].direction_error < 1e-3
    assert f.to_json()["runs"][0]["gf"]["norm"] >= 1e4 * (1 - 1e-6)
    assert "<table" in f._repr_html_() and f._repr_latex_().startswith("$$")


def test_gradient_flow_of_a_result():
    f = symkkt.gradient_flow("3.2", target_norm=1e4, dps=15)
    assert len(f.runs) >= 1 and all(r.direction_error is not None for r in f.runs)
    with pytest.raises(symkkt.InvalidArgument):
        symkkt.gradient_flow("3.2", label="no-such-run")
    with pytest.raises(symkkt.InvalidArgument):
        symkkt.gradient_flow("3.2", init={"nope": 1})


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"]
            cells.append("".join(src) if isinstance(src, list) else src)
    return cells


def test_quickstart_notebook_runs(tmp_path, monkeypatch):
    """Execute the example notebook's code cells in order, in one namespace (no Jupyter)."""
    nb = ROOT / "examples" / "quickstart.ipynb"
    cells = _code_cells(nb)
    assert len(cells) >= 4
    monkeypatch.chdir(ROOT / "examples")
    ns: dict = {"__name__": "__notebook__"}
    for i, src in enumerate(cells):
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        exec(compile("\n".join(lines), f"{nb.name}[cell {i}]", "exec"), ns)
    # the notebook's own results, not just "it ran"
    assert ns["report"].status == "verified"
    assert ns["mine"].status == "verified"
    assert ns["cert"].ok
