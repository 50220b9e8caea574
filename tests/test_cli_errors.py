"""Usage errors, refused output paths and file modes (issue 14, items 4 and 5).

Every usage error is one line on stderr and exit code 2 (typer's own exception classes, not
a separately installed ``click``); every output path is checked before any work, and a
refused one leaves nothing behind; outputs get mode 0o666 minus the umask.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import symkkt.fuzz as F
from symkkt.cli import main
from symkkt.errors import InputError
from symkkt.io import check_writable_dir, check_writable_file, write_atomic, write_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "linear-global.toml"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    cap = capsys.readouterr()
    return info.value.code, cap.out, cap.err


def assert_one_line_exit_2(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    assert err.startswith("error: "), err
    assert "Traceback" not in err and "internal error" not in err, err
    for n in needles:
        assert n in err, (n, err)


@pytest.fixture
def no_work(monkeypatch):
    """Any check, search or gradient flow reached by these tests is a failure: the errors
    must come before the work."""
    import symkkt.suite

    def refuse(*a, **k):
        raise AssertionError("work started before the usage/path error")

    monkeypatch.setattr(symkkt.suite, "run_suite", refuse)
    monkeypatch.setattr(F, "run_property", refuse)


# --- usage errors ---------------------------------------------------------------------------

USAGE = [  # arguments, what the line must name, the command it names
    (["verify", "--bogus"], "No such option: --bogus", "symkkt verify"),
    (["check"], "Missing argument 'files'", "symkkt check"),
    (["check-cert"], "Missing argument 'files'", "symkkt check-cert"),
    (["gf", "3.2", "--dps", "abc"], "'--dps'", "symkkt gf"),
    (["fuzz", "--examples", "abc"], "'--examples'", "symkkt fuzz"),
    (["fuzz", "--examples", "20", "--bogus"], "--bogus", "symkkt fuzz"),
    (["verify", "3.2", "--dps"], "'--dps' requires an argument", "symkkt"),
    (["nosuchcommand"], "No such command 'nosuchcommand'", "symkkt"),
    (["remark"], "Missing argument 'number'", "symkkt remark"),
    (["table", "--bogus"], "--bogus", "symkkt table"),
    (["probability", "--samples", "x"], "'--samples'", "symkkt probability"),
    (["latex", "3.2", "--bogus"], "--bogus", "symkkt latex"),
    (["report"], "'--pdf'", "symkkt report"),
    (["list", "extra"], "extra", "symkkt list"),
]


@pytest.mark.parametrize("args,needle,command", USAGE, ids=[" ".join(a) for a, *_ in USAGE])
def test_usage_error_is_one_line_exit_2(args, needle, command, no_work, capsys):
    code, out, err = run(args, capsys)
    assert_one_line_exit_2(code, err, needle, f"error: {command}: ",
                           f"(try '{command} --help')")
    assert out == ""


def test_no_command_shows_help_and_one_error_line(capsys):
    code, out, err = run([], capsys)
    assert_one_line_exit_2(code, err, "missing command")
    assert "verify" in out and "check-cert" in out


def test_usage_errors_without_the_click_package(tmp_path):
    """The README's install (no extras) has no ``click``: typer vendors its own. Simulate
    that: ``import click`` fails, and the usage errors must still be one line, exit 2."""
    if typer.BadParameter.__module__.split(".")[0] == "click":
        pytest.skip("this typer uses the click package itself")
    code = (
        "import sys\n"
        "sys.modules['click'] = None  # `import click` raises ImportError\n"
        "from symkkt.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    for args in (["verify", "--bogus"], ["check"], ["gf", "3.2", "--dps", "abc"]):
        r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL, cwd=tmp_path)
        assert_one_line_exit_2(r.returncode, r.stderr)


def test_fuzz_examples_on_the_command_line_is_detected(monkeypatch, capsys):
    """``--examples`` given wins over the profile; not given, the profile's count is used.
    (The detection read click's context, which is not typer's: always 'given'.)"""
    seen = []

    def fake(name, *, examples, seed, profile, on_example=None):
        seen.append(examples)
        return F.PropertyResult(name=name, status="passed", examples=examples,
                                requested=examples)

    monkeypatch.setattr(F, "run_property", fake)
    code, _, err = run(["fuzz", "perturbations", "--profile", "thorough"], capsys)
    assert code == 0, err
    code, _, err = run(["fuzz", "perturbations", "--profile", "thorough", "--examples", "3"],
                       capsys)
    assert code == 0, err
    assert seen == [F.PROFILES["thorough"]["max_examples"], 3]


def test_internal_error_is_one_line_exit_3(monkeypatch, capsys):
    import symkkt.suite

    def boom(*a, **k):
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(symkkt.suite, "collect", boom)
    monkeypatch.delenv("SYMKKT_DEBUG", raising=False)
    code, _, err = run(["verify", "--no-gf"], capsys)
    assert code == 3 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("internal error: RuntimeError: first line second line")


# --- output paths ---------------------------------------------------------------------------

def unwritable_dirs():
    """Directories no file can be created in, whoever runs the tests (root included)."""
    dirs = [d for d in ("/proc", "/sys") if os.path.isdir(d)]
    if not dirs:
        pytest.skip("no /proc or /sys here")
    return dirs


def snapshot(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def refused_cases(tmp: Path) -> list[tuple[list[str], str]]:
    (tmp / "adir").mkdir()
    (tmp / "afile").write_text("keep")
    (tmp / "adir.pdf").mkdir()
    bad = unwritable_dirs()[0]
    return [
        (["verify", "4.1", "--no-gf", "--json", f"{bad}/r.json"], "--json"),
        (["verify", "4.1", "--no-gf", "--json", str(tmp / "adir")], "is a directory"),
        (["verify", "4.1", "--no-gf", "--json", str(tmp / "afile" / "r.json")],
         "is not a directory"),
        (["verify", "4.1", "--no-gf", "--certificates", f"{bad}/certs"], "--certificates"),
        (["verify", "4.1", "--no-gf", "--certificates", str(tmp / "afile")],
         "not a directory"),
        (["verify", "4.1", "--no-gf", "--certificates", str(tmp / "afile" / "sub" / "c")],
         "not a directory"),
        (["verify", "4.1", "--no-gf", "--json", str(tmp / "r.json"), "--certificates",
          f"{bad}/c"], "--certificates"),
        (["verify", "4.1", "--no-gf", "--json", str(tmp / "same"), "--certificates",
          str(tmp / "same")], "--json and --certificates are the same path"),
        (["gf", "3.2", "--json", str(tmp / "g"), "--plot", str(tmp / "g")],
         "--json and --plot are the same path"),
        (["check", str(EXAMPLE), "--json", f"{bad}/r.json"], "--json"),
        (["check", str(EXAMPLE), "--certificates", f"{bad}/c"], "--certificates"),
        (["check", str(EXAMPLE), "--certificates", str(tmp / "afile")], "not a directory"),
        (["gf", "3.2", "--json", f"{bad}/g.json"], "--json"),
        (["gf", "3.2", "--plot", f"{bad}/g.png"], "--plot"),
        (["gf", "3.2", "--plot", str(tmp / "adir")], "is a directory"),
        (["fuzz", "--json", f"{bad}/f.json"], "--json"),
        (["remark", "3.2", "--json", f"{bad}/r.json"], "--json"),
        (["probability", "--json", f"{bad}/p.json"], "--json"),
        (["latex", "3.2", "--out", f"{bad}/tex"], "--out"),
        (["latex", "3.2", "--out", str(tmp / "afile")], "not a directory"),
        (["report", "--pdf", f"{bad}/r.pdf"], "--pdf"),
        (["report", "--pdf", str(tmp / "adir.pdf")], "is a directory"),
        (["report", "--pdf", str(tmp / "r.pdf"), "--tex", f"{bad}/r.tex"], "--tex"),
    ]


def test_refused_output_paths_exit_2_and_write_nothing(tmp_path, no_work, capsys):
    cases = refused_cases(tmp_path)
    before = snapshot(tmp_path)
    for args, needle in cases:
        code, out, err = run(args, capsys)
        assert_one_line_exit_2(code, err, needle)
        assert snapshot(tmp_path) == before, args
    assert (tmp_path / "afile").read_text() == "keep"


@pytest.mark.parametrize("bad", ["/proc", "/sys"])
def test_checks_probe_for_real(bad):
    """``os.access`` says writable for root under /proc and /sys: the check creates a file."""
    if not os.path.isdir(bad):
        pytest.skip(f"no {bad}")
    with pytest.raises(InputError, match=f"directory '{bad}' is not writable"):
        check_writable_file(f"{bad}/x.json", "--json")
    with pytest.raises(InputError, match=f"directory '{bad}' is not writable"):
        check_writable_dir(f"{bad}/new/certs", "--certificates")


@pytest.mark.skipif(IS_ROOT, reason="root may write into a read-only directory")
def test_read_only_directory_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            check_writable_file(ro / "x.json", "--json")
        with pytest.raises(InputError, match="not writable"):
            check_writable_dir(ro / "c", "--certificates")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_checks_accept_and_leave_nothing(tmp_path):
    assert check_writable_file(tmp_path / "r.json", "--json") == tmp_path / "r.json"
    assert check_writable_dir(tmp_path / "a" / "b", "--certificates") == tmp_path / "a" / "b"
    assert check_writable_dir(tmp_path, "--out") == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_non_regular_files_are_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        check_writable_file(fifo, "--json")
    with pytest.raises(OSError):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_write_atomic_follows_a_symlink(tmp_path):
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


# --- modes ----------------------------------------------------------------------------------

@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask):
        os.umask(mask)

    yield set_
    os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_write_atomic_honours_the_umask(tmp_path, umask, mask):
    umask(mask)
    write_json(tmp_path / "new" / "sub" / "r.json", {"a": 1})
    write_atomic(tmp_path / "b.bin", b"\x00")
    assert mode(tmp_path / "new" / "sub" / "r.json") == 0o666 & ~mask
    assert mode(tmp_path / "b.bin") == 0o666 & ~mask
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "sub") == 0o777 & ~mask
    assert json.loads((tmp_path / "new" / "sub" / "r.json").read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "new"]  # no temp left


def test_verify_outputs_are_0644_under_umask_022(tmp_path, umask, capsys):
    umask(0o022)
    code, out, err = run(["verify", "4.1", "--no-gf", "--json", str(tmp_path / "r.json"),
                          "--certificates", str(tmp_path / "certs")], capsys)
    assert code == 0, out + err
    certs = sorted((tmp_path / "certs").glob("*.json"))
    assert certs
    assert mode(tmp_path / "r.json") == 0o644
    assert all(mode(c) == 0o644 for c in certs), [oct(mode(c)) for c in certs]
    assert mode(tmp_path / "certs") == 0o755
