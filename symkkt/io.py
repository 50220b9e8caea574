"""Atomic, checked file output: a report is either written whole or not at all."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["check_writable_file", "check_writable_dir", "write_atomic", "write_json",
           "safe_filename"]


def check_writable_file(path: str | os.PathLike, option: str) -> Path:
    """Fail early (before any work) if ``path`` cannot be written."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InputError(f"{option}={str(p)!r} is a directory, not a file")
    if not parent.is_dir():
        raise InputError(f"{option}={str(p)!r}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option}={str(p)!r}: directory {str(parent)!r} is not writable")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(f"{option}={str(p)!r} is not writable")
    return p


def check_writable_dir(path: str | os.PathLike, option: str) -> Path:
    """A directory that exists (or can be created) and is writable."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{option}={str(p)!r} exists and is not a directory")
    probe = p
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise InputError(f"{option}={str(p)!r} is not writable")
    return p


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Write to a temp file in the same directory, then rename over ``path``."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=str(p.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode() if isinstance(text, str) else text)
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
