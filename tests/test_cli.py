"""The command line: verdicts, JSON report, certificates, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

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
