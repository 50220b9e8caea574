"""Bounded checking: time budgets that nest, for the kernel and for the search around it.

A budget is a deadline on the wall clock. Budgets nest (a claim's budget around the kernel's
budget for one certificate): the earliest deadline is armed with ``SIGALRM``; when it passes,
:class:`BudgetExceeded` is raised *in the running code*, carrying the budget it belongs to, and
only the :func:`budget` block that owns it turns it into :class:`OutOfTime`; an inner block
lets an outer budget's expiry pass through.

:class:`BudgetExceeded` derives from ``BaseException`` so that no ``except Exception`` on the
way (sympy and our own code have several) swallows it. Signals need the main thread of a
POSIX process; elsewhere a budget is not enforced (the caller's docs say so).
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

__all__ = ["BudgetExceeded", "OutOfTime", "budget", "enforceable"]


class BudgetExceeded(BaseException):
    """Raised by the alarm inside the running code; ``token`` names the budget that ran out."""

    def __init__(self, token: object, seconds: float) -> None:
        super().__init__(f"time budget of {seconds:g} s exhausted")
        self.token = token
        self.seconds = seconds


class OutOfTime(Exception):
    """What the owner of a budget sees when it ran out (an ordinary exception)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"time budget of {seconds:g} s exhausted")
        self.seconds = seconds


RETRY_SECONDS = 0.1
"""After a budget's alarm, how soon it fires again if its exception did not reach its block."""

# (deadline, token, seconds), outermost first
_active: list[tuple[float, object, float]] = []
_saved_handler = None


def enforceable() -> bool:
    """True where budgets can interrupt running code (POSIX, main thread)."""
    return (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


def _on_alarm(signum, frame) -> None:
    now = time.monotonic()
    expired = [entry for entry in _active if entry[0] <= now + 1e-3]
    if not expired:       # woke up early (rounding): re-arm for the earliest deadline
        _arm()
        return
    deadline, token, seconds = expired[0]          # the outermost expired budget wins
    # Until the owning block has handled it, the alarm repeats: Python ignores an exception
    # raised inside a gc callback or a __del__ ("Exception ignored in ..."), and hypothesis
    # times garbage collection with a gc callback, so a one-shot alarm could be lost there and
    # the budget never enforced (seen: a 20 s sympy.solve still running after 10 minutes).
    signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
    raise BudgetExceeded(token, seconds)


def _arm() -> None:
    if not _active:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(d for d, _, _ in _active) - time.monotonic()
    # a deadline already past has raised (its exception is on its way to its block): strike
    # again only if it was lost, not at once inside the unwinding (e.g. in contextlib's
    # __exit__ before the block's cleanup, which would then be skipped)
    signal.setitimer(signal.ITIMER_REAL, remaining if remaining > 0 else RETRY_SECONDS)


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the block within ``seconds`` of wall time, else raise :class:`OutOfTime`.

    ``None`` or a non-positive value means no budget of this block's own (outer budgets still
    apply). Where budgets cannot be enforced (not the main thread), the block runs unbounded.
    """
    global _saved_handler
    if seconds is None or seconds <= 0 or not enforceable():
        yield
        return
    token = object()
    entry = (time.monotonic() + seconds, token, float(seconds))
    if not _active:
        _saved_handler = signal.signal(signal.SIGALRM, _on_alarm)
    _active.append(entry)
    _arm()
    try:
        yield
    except BudgetExceeded as exc:
        if exc.token is not token:
            raise
        # no second alarm while this expiry becomes OutOfTime (an inner block's exit may
        # have re-armed the timer for this, already expired, deadline); the finally unblocks
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        raise OutOfTime(seconds) from None
    finally:
        # no alarm between the block's end and the bookkeeping: a pending one is delivered
        # after the unblock, to the budgets still active (or ignored if none has expired).
        # An alarm can still strike before the mask takes effect (the block has ended): it
        # must not skip the bookkeeping (a stale entry would fire later, anywhere). Our own
        # expiry then comes too late to matter; an outer one is raised after the bookkeeping.
        late = None
        while True:
            try:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                break
            except BudgetExceeded as exc:
                late = exc if exc.token is not token else late
        try:
            _active.remove(entry)
            _arm()                    # the next deadline, or disarmed when none is left
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
        if not _active:               # our handler saw any pending alarm; now restore
            signal.signal(signal.SIGALRM, _saved_handler or signal.SIG_DFL)
            _saved_handler = None
        if late is not None:
            raise late
