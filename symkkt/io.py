"""Atomic, checked file output: a report is either written whole or not at all.

Every command checks its output paths with :func:`check_writable_file` or
:func:`check_writable_dir` *before* any work, so a bad path costs one line and exit code 2,
never a finished computation. The checks are real probes: ``os.access`` says "writable" for
root under ``/proc`` and ``/sys`` and on read-only mounts, so the directory that will receive
the file is tested by creating and removing an empty probe file in it.

:func:`write_atomic` writes a temp file next to the target and renames it over the target.
The temp file is created with mode ``0o666`` and the process umask applied by the kernel
(``0644`` under umask ``022``), like any ``open(path, "w")``; directories are created with
``0o777`` minus the umask.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["check_writable_file", "check_writable_dir", "check_distinct", "write_atomic",
           "write_json", "safe_filename"]


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _open_new(directory: Path, prefix: str) -> tuple[int, Path]:
    """Create a new, empty file in ``directory`` (mode 0o666 minus the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = directory / f".{prefix}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))


def _probe_dir(directory: Path) -> str | None:
    """``None`` if a file can be created (and removed) in ``directory``, else the reason."""
    try:
        fd, tmp = _open_new(directory, "symkkt-probe")
    except OSError as exc:
        return f"creating a file there failed: {_why(exc)}"
    os.close(fd)
    try:
        os.unlink(tmp)
    except OSError as exc:  # created but not removable: still refuse, and say so
        return f"cannot remove the probe file {str(tmp)!r}: {_why(exc)}"
    return None


def _existing_ancestor(p: Path) -> Path:
    probe = p
    while not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    return probe


def check_writable_file(path: str | os.PathLike, option: str) -> Path:
    """Fail early (before any work) if ``path`` cannot be written as a regular file.

    Refused: an existing directory or other non-regular file (a device, a FIFO: the atomic
    rename would replace it), a parent that does not exist or is not a directory, and a
    directory in which no file can be created. Nothing is left behind by the check.
    """
    p = Path(path)
    shown = f"{option}={str(p)!r}"
    real = Path(os.path.realpath(p))
    if real.is_dir():
        raise InputError(f"{shown} is a directory, not a file")
    if os.path.lexists(real) and not real.is_file():
        raise InputError(f"{shown} exists and is not a regular file")
    if real.is_file() and not os.access(real, os.W_OK):
        raise InputError(f"{shown} is a read-only file")
    parent = real.parent
    given_parent = str(p.parent)
    if not parent.exists():
        raise InputError(f"{shown}: directory {given_parent!r} does not exist")
    if not parent.is_dir():
        raise InputError(f"{shown}: {given_parent!r} is not a directory")
    why = _probe_dir(parent)
    if why is not None:
        raise InputError(f"{shown}: directory {given_parent!r} is not writable ({why})")
    return p


def check_writable_dir(path: str | os.PathLike, option: str) -> Path:
    """A directory that exists (or can be created) and in which files can be created.

    Refused: an existing file (or anything but a directory) at ``path`` or at one of its
    ancestors, and a directory (the nearest existing ancestor, when ``path`` does not exist
    yet) in which no file can be created. Nothing is created by the check.
    """
    p = Path(path)
    shown = f"{option}={str(p)!r}"
    if os.path.lexists(p) and not p.is_dir():
        raise InputError(f"{shown} exists and is not a directory")
    probe = Path(os.path.realpath(_existing_ancestor(Path(os.path.abspath(p)))))
    if not probe.is_dir():
        raise InputError(f"{shown}: {str(probe)!r} exists and is not a directory")
    why = _probe_dir(probe)
    if why is not None:
        raise InputError(f"{shown}: directory {str(probe)!r} is not writable ({why})")
    return p


def check_distinct(**outputs: str | os.PathLike | None) -> None:
    """Two outputs of one command must not be the same path (``--json c --certificates c``
    would fail after the work). Keywords name the options: ``check_distinct(json=a, plot=b)``;
    ``None`` values are skipped."""
    given = [(f"--{k.replace('_', '-')}", Path(os.path.realpath(v)))
             for k, v in outputs.items() if v is not None]
    for i, (opt_a, a) in enumerate(given):
        for opt_b, b in given[i + 1:]:
            if a == b:
                raise InputError(f"{opt_a} and {opt_b} are the same path {str(a)!r}")


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Write to a temp file in the same directory, then rename over ``path``.

    A symbolic link at ``path`` is followed (its target is replaced, not the link). The file
    gets mode ``0o666`` minus the umask; missing parent directories are created likewise.
    """
    p = Path(os.path.realpath(path))
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _open_new(p.parent, p.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode() if isinstance(text, str) else text)
        if os.path.lexists(p) and not stat.S_ISREG(os.lstat(p).st_mode):
            raise OSError(errno.EEXIST, "exists and is not a regular file", str(p))
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def safe_filename(text: str) -> str:
    """A file name from a claim id: ``3.2/relu/kkt`` -> ``3.2_relu_kkt``."""
    return re.sub(r"[^A-Za-z0-9.=-]+", "_", text).strip("_") or "claim"
