"""Bounded checking: nested time budgets, and the kernel's answer when it runs out."""

from __future__ import annotations

import json
import signal
import time

import pytest

from symkkt.cli import main
from symkkt.kernel import certificate as kc
from symkkt.kernel import check_certificate
from symkkt.kernel.budget import OutOfTime, budget
from symkkt.suite import collect


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_budget_interrupts_and_restores_the_handler():
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(OutOfTime):
        with budget(0.05):
            _spin(5)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_budget_that_is_not_exhausted_changes_nothing():
    with budget(5):
        x = sum(range(1000))
    assert x == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_inner_budget_runs_out_first_and_outer_goes_on():
    hit = []
    with budget(5):
        try:
            with budget(0.05):
                _spin(5)
        except OutOfTime as exc:
            hit.append(exc.seconds)
        _spin(0.05)           # the outer budget is re-armed and still alive
    assert hit == [0.05]


def test_outer_budget_running_out_passes_through_the_inner_one():
    inner_caught = []
    with pytest.raises(OutOfTime) as info:
        with budget(0.05):
            try:
                with budget(10):
                    _spin(5)
            except OutOfTime:     # the inner block must not see the outer budget's expiry
                inner_caught.append(True)
    assert info.value.seconds == 0.05 and not inner_caught


def test_no_except_exception_swallows_the_budget():
    with pytest.raises(OutOfTime):
        with budget(0.05):
            try:
                _spin(5)
            except Exception:     # noqa: BLE001 - the point of the test
                pass
            _spin(5)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_alarm_lost_in_a_gc_callback_fires_again():
    """Python ignores an exception raised inside a gc callback ("Exception ignored in ...");
    hypothesis installs one. An alarm that strikes there must not leave the budget
    unenforced: it fires again until its block ends (before, such a run went on for ever)."""
    import gc

    lost: list[bool] = []

    def slow_once(phase, info):
        if phase == "start" and not lost:
            lost.append(True)
            _spin(2)          # the alarm strikes in here; its exception is ignored

    gc.callbacks.append(slow_once)
    try:
        with pytest.raises(OutOfTime):
            with budget(0.05):
                gc.collect()
                _spin(10)
    finally:
        gc.callbacks.remove(slow_once)
    assert lost


def test_a_budget_exception_swallowed_once_is_raised_again():
    caught: list[bool] = []
    with pytest.raises(OutOfTime):
        with budget(0.05):
            try:
                _spin(10)
            except BaseException as exc:  # noqa: BLE001 - a swallowing context
                caught.append(type(exc).__name__)
            _spin(10)                     # the alarm must come again
    assert caught == ["BudgetExceeded"]


@pytest.fixture(scope="module")
def not_local_32():
    (claim,) = [c for c in collect(["3.2"]) if c.kind == "not-local"]
    cert, _ = claim.search()
    return json.loads(json.dumps(cert))


def test_kernel_out_of_time_is_unknown(not_local_32):
    from symkkt.kernel import forget

    assert check_certificate(not_local_32).status == "verified"
    forget()        # the check above remembered its decisions: time one from scratch
    v = check_certificate(not_local_32, timeout=0.001)
    assert v.status == "unknown" and "ran out of time" in v.reasons[0]


@pytest.mark.parametrize("exc", [RecursionError, MemoryError])
def test_kernel_out_of_stack_or_memory_is_unknown(monkeypatch, not_local_32, exc):
    def boom(rd, cert):
        raise exc()
    monkeypatch.setitem(kc._CHECKERS, "not-local", boom)
    v = check_certificate(not_local_32)
    assert v.status == "unknown" and exc.__name__ in v.reasons[0]


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_kernel_timeout_must_be_positive(not_local_32, bad):
    with pytest.raises(ValueError):
        check_certificate(not_local_32, timeout=bad)


def test_check_cert_timeout(tmp_path, capsys, not_local_32):
    f = tmp_path / "c.json"
    f.write_text(json.dumps(not_local_32))
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f), "--timeout", "0.001"])
    out = capsys.readouterr().out
    assert info.value.code == 1 and "ran out of time" in out and "Traceback" not in out
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f)])
    assert info.value.code == 0
    with pytest.raises(SystemExit) as info:
        main(["check-cert", str(f), "--timeout", "-3"])
    assert info.value.code == 2


def test_verify_timeout_is_unknown_not_a_crash(tmp_path, capsys):
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as info:
        main(["verify", "3.2", "--no-gf", "--timeout", "0.001", "--json", str(out)])
    assert info.value.code == 1
    doc = json.loads(out.read_text())
    statuses = {c["status"] for c in doc["claims"]}
    assert statuses <= {"verified", "unknown"} and "unknown" in statuses
    assert any("time limit" in c["reasons"][0] for c in doc["claims"]
               if c["status"] == "unknown")


def test_jobs_give_the_same_verdicts_as_a_serial_run(tmp_path, capsys):
    docs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"r{jobs}.json"
        with pytest.raises(SystemExit) as info:
            main(["verify", "4.1", "NH", "--no-gf", "--jobs", jobs, "--json", str(out)])
        assert info.value.code == 0
        docs.append(json.loads(out.read_text()))
    one, two = ([(c["id"], c["status"], c["values"], c["reasons"]) for c in d["claims"]]
                for d in docs)
    assert one == two and len(one) >= 5
    with pytest.raises(SystemExit) as info:
        main(["verify", "4.1", "--no-gf", "--jobs", "0"])
    assert info.value.code == 2
    capsys.readouterr()


def test_jobs_chunks_are_consecutive_claims_of_one_result():
    """--jobs sends consecutive claims of one result together (they share remembered signs),
    never more than CHUNK, never two results in one task, every claim exactly once."""
    from types import SimpleNamespace

    from symkkt.suite import CHUNK, _chunks

    claims = [SimpleNamespace(theorem=t) for t in
              ["3.1"] * (2 * CHUNK + 1) + ["3.2"] + ["4.1"] * 2 + ["3.1"]]
    chunks = _chunks(claims)
    assert [i for ix in chunks for i in ix] == list(range(len(claims)))
    for ix in chunks:
        assert 1 <= len(ix) <= CHUNK
        assert len({claims[i].theorem for i in ix}) == 1
        assert ix == list(range(ix[0], ix[-1] + 1))
    assert [len(ix) for ix in chunks] == [CHUNK, CHUNK, 1, 1, 2, 1]
