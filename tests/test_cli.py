"""The command line: verdicts, JSON report, certificates, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest
import sympy

from symkkt.cli import main


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    cap = capsys.readouterr()
    return info.value.code, cap.out, cap.err


@pytest.fixture(scope="module")
def verified_32(tmp_path_factory):
    d = tmp_path_factory.mktemp("v")
    with pytest.raises(SystemExit) as info:
        main(["verify", "3.2", "4.1", "4.4", "--no-gf", "--json", str(d / "r.json"),
              "--certificates", str(d / "certs")])
    return info.value.code, d


def test_verify_json_values_are_computed(verified_32):
    code, d = verified_32
    assert code == 0
    doc = json.loads((d / "r.json").read_text())
    by = {c["id"]: c for c in doc["claims"]}
    kkt = by["3.2/relu/kkt"]
    assert kkt["status"] == "verified" and kkt["values"]["norm2"] == "8"
    assert kkt["values"]["multipliers"] == ["2", "2"]
    assert kkt["activation"] == "relu" and kkt["depth"] == 2
    nl = by["3.2/relu/not-local"]
    assert nl["values"]["leading_term"] == "-2*epsilon" and nl["values"]["eps0"]
    assert by["4.1/linear/kkt"]["values"]["norm2"] == "2"
    assert by["4.4/relu/not-local"]["values"]["leading_term"] == "-epsilon/2"
    assert doc["summary"]["verified"] == doc["summary"]["total"] == len(doc["claims"])


def test_check_cert_accepts_and_rejects(verified_32, capsys, tmp_path):
    _, d = verified_32
    files = sorted((d / "certs").glob("*.json"))
    assert len(files) >= 8
    code, out, _ = run(["check-cert", *map(str, files)], capsys)
    assert code == 0, out
    cert = json.loads((d / "certs" / "3.2_relu_kkt.json").read_text())
    cert["multipliers"] = ["2", "-2"]
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(cert))
    code, out, _ = run(["check-cert", str(bad)], capsys)
    assert code == 1 and "negative" in out


def test_check_cert_unreadable_is_exit_2(capsys, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    code, _, err = run(["check-cert", str(bad)], capsys)
    assert code == 2 and err.count("\n") == 1 and "x.json:1:" in err
    code, _, err = run(["check-cert", str(tmp_path / "missing.json")], capsys)
    assert code == 2 and "cannot read" in err


def test_unknown_theorem_is_exit_2(capsys):
    code, out, err = run(["verify", "9.9", "--no-gf"], capsys)
    assert code == 2 and "unknown theorem id '9.9'" in err and "Traceback" not in err


def test_unwritable_json_path_is_exit_2_and_nothing_written(capsys, tmp_path):
    code, _, err = run(["verify", "4.1", "--no-gf", "--json",
                        str(tmp_path / "no" / "such" / "r.json")], capsys)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "no").exists()


def test_low_dps_is_exit_2(capsys):
    code, _, err = run(["verify", "4.1", "--dps", "5"], capsys)
    assert code == 2 and "--dps=5" in err


def test_console_script_runs():
    exe = os.path.join(os.path.dirname(sys.executable), "symkkt")
    if not os.path.exists(exe):
        pytest.skip("symkkt console script not installed in this environment")
    r = subprocess.run([exe, "list"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "3.2" in r.stdout


# ------------------------------------------------------------ issue 18: a CLI that reads well


def run_80(args, tmp_path=None):
    """The installed command's module in a subprocess, at 80 columns."""
    env = dict(os.environ, COLUMNS="80", LINES="50", TERM="dumb")
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "symkkt.cli", *args], capture_output=True,
                          text=True, timeout=600, env=env)


def _width(line):
    from rich.cells import cell_len

    return cell_len(line)


def test_verify_one_row_per_result_fits_80_columns(tmp_path):
    r = run_80(["verify", "3.2", "4.2.1", "R3.2", "--no-gf", "--json", str(tmp_path / "r.json")])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(_width(ln.rstrip()) <= 80 for ln in lines)
    claims = json.loads((tmp_path / "r.json").read_text())["claims"]
    rows = [ln for ln in lines if ln.startswith("│")]
    for rid in ("3.2", "4.2(1)", "R3.2"):
        assert sum(ln.split("│")[1].strip() == rid for ln in rows) == 1
    assert not any(c["id"] in r.stdout for c in claims)   # per result, not per claim
    assert len(claims) > len(rows)


def test_verify_details_never_breaks_an_id(tmp_path):
    r = run_80(["verify", "5.4", "4.2.1", "--no-gf", "--details", "--json",
                str(tmp_path / "r.json")])
    assert r.returncode == 0, r.stderr
    ids = [c["id"] for c in json.loads((tmp_path / "r.json").read_text())["claims"]]
    assert max(map(len, ids)) > 60        # ids longer than a table column can hold
    lines = r.stdout.splitlines()
    assert all(_width(ln.rstrip()) <= 80 for ln in lines)
    for cid in ids:
        assert any(cid in ln for ln in lines), cid


def test_verify_shows_gradient_flow_per_result():
    r = run_80(["verify", "4.1", "--dps", "15"])
    assert r.returncode == 0, r.stderr
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("│ 4.1 "))
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert len(cells) == 6
    direction_error, norm = float(cells[3]), float(cells[4])
    assert 0 <= direction_error < 1e-6 and norm >= 1e12


def test_verify_keyword_selects_claims(capsys, tmp_path):
    out = tmp_path / "k.json"
    code, _, _ = run(["verify", "-k", "4.2.1 and global", "--no-gf", "--json", str(out)],
                     capsys)
    assert code == 0
    claims = json.loads(out.read_text())["claims"]
    assert claims and all(c["theorem"] == "4.2(1)" and c["kind"] in ("global", "global-all-data")
                          for c in claims)
    out2 = tmp_path / "k2.json"
    code, _, _ = run(["verify", "4.1", "-k", "not (kkt or local)", "--no-gf", "--json",
                      str(out2)], capsys)
    kinds = {c["kind"] for c in json.loads(out2.read_text())["claims"]}
    assert code == 0 and kinds and not kinds & {"kkt", "not-local", "local"}


@pytest.mark.parametrize("pattern", ["zzz-no-such-claim", "relu and", "(relu", "or"])
def test_verify_bad_keyword_is_exit_2(capsys, pattern):
    code, out, err = run(["verify", "-k", pattern, "--no-gf"], capsys)
    assert code == 2 and err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("spelling,canonical", [("4.2.1", "4.2(1)"), ("r4.1", "R4.1"),
                                                ("4.2.2", "4.2(2)")])
def test_id_spellings(capsys, tmp_path, spelling, canonical):
    out = tmp_path / "r.json"
    code, _, _ = run(["verify", spelling, "--no-gf", "--json", str(out)], capsys)
    assert code == 0
    assert {c["theorem"] for c in json.loads(out.read_text())["claims"]} == {canonical}


def test_near_miss_id_suggests(capsys):
    code, _, err = run(["verify", "4.2.3", "--no-gf"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "4.2(1)" in err or "4.2(2)" in err
    assert "5.4" not in err                      # suggestions, not the whole list


def test_unknown_remark_names_remarks_only(capsys):
    code, _, err = run(["remark", "3.3"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "3.1" in err or "3.2" in err
    assert "5.4" not in err and "4.2(1)" not in err


def test_help_texts():
    import typer

    from symkkt.cli import app

    group = typer.main.get_command(app)
    assert len(group.commands) >= 11
    for name, cmd in group.commands.items():
        text = cmd.help or ""
        assert text.strip(), name
        assert "``" not in text and "Registered by" not in text, name
        for p in cmd.params:
            if p.param_type_name == "option" and p.name != "help":
                assert getattr(p, "help", None), f"{name} {p.opts}"


def test_check_refuses_two_files_with_the_same_name(capsys, tmp_path):
    src = os.path.join(os.path.dirname(__file__), "..", "examples", "linear-global.toml")
    text = open(src).read()
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.toml").write_text(text)
    certs = tmp_path / "certs"
    code, _, err = run(["check", str(tmp_path / "a" / "x.toml"), str(tmp_path / "b" / "x.toml"),
                        "--certificates", str(certs)], capsys)
    assert code == 2 and err.count("\n") == 1 and not certs.exists()


def test_fuzz_counterexample_is_a_claim_file(tmp_path, capsys):
    from symkkt.claims import run_claim
    from symkkt.fuzz import counterexample_claim_file
    from symkkt.suite import collect

    claim = next(c for c in collect(["3.2"]) if c.kind == "not-local")
    cert = run_claim(claim).certificate
    ce = {"claim": claim.claim_id, "eps0": cert["eps0"],
          **{k: cert[k] for k in ("network", "data", "point", "curve")}}
    text = counterexample_claim_file(ce, "perturbations: a made-up failure")
    assert text is not None
    f = tmp_path / "ce.toml"
    f.write_text(text)
    out = tmp_path / "r.json"
    code, _, err = run(["check", str(f), "--json", str(out)], capsys)
    assert code == 0, err
    (claim_json,) = json.loads(out.read_text())["claims"]
    assert claim_json["kind"] == "not-local" and claim_json["status"] == "verified"
    assert counterexample_claim_file({"example": [1, 2]}, "x") is None


def test_readable_values_are_equal_and_shorter():
    from symkkt.kernel.grammar import parse_exact
    from symkkt.readable import readable

    x = sympy.Symbol("x")
    for text in ("2*sqrt(2)*sqrt(2 - sqrt(2)) + 4*sqrt(2 - sqrt(2))",
                 "sqrt(2 - sqrt(2))*(sqrt(2) + 2)/2", "2*sqrt(2) + 2*sqrt(6)"):
        shown = readable(text)
        assert len(shown) < len(text)
        diff = sympy.sympify(shown) - parse_exact(text, {})    # sympify: test-side only
        assert sympy.minimal_polynomial(diff, x) == x          # exactly equal
    assert readable("16*sqrt(17)/17") == "16*sqrt(17)/17"
    assert readable("not a number at all (") == "not a number at all ("
