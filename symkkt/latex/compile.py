"""Compile a ``.tex`` document with latexmk/pdflatex in a temporary directory.

The PDF is copied to its destination atomically (``symkkt.io.write_atomic``): a failed run
leaves no half-written PDF behind. On a LaTeX error, the first error line of the log (and its
input line) becomes the one-line message of :class:`LatexError`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import InputError, SymkktError
from ..io import write_atomic

__all__ = ["DEBIAN_PACKAGES", "LatexMissing", "LatexError", "Compiled", "latex_available",
           "compile_pdf", "missing_message"]

DEBIAN_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "lmodern", "latexmk")
LATEXMK_FLAGS = ("-pdf", "-interaction=nonstopmode", "-halt-on-error", "-norc")


class LatexMissing(InputError):
    """``--pdf`` was asked but latexmk or pdflatex is not installed."""


class LatexError(SymkktError):
    """pdflatex stopped with an error; the message is the log's first error line."""


@dataclass(frozen=True)
class Compiled:
    pdf: Path
    seconds: float
    overfull: int
    pages: int | None
    overfull_pt: tuple[float, ...] = ()   # widths of the overfull \hbox'es, in pt


def latex_available() -> bool:
    return bool(shutil.which("latexmk") and shutil.which("pdflatex"))


def missing_message() -> str:
    missing = [t for t in ("latexmk", "pdflatex") if not shutil.which(t)]
    return (f"--pdf needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'}"
            f" not installed (Debian/Ubuntu: apt-get install {' '.join(DEBIAN_PACKAGES)}); "
            f"nothing was written (without --pdf, `symkkt latex` writes the .tex files)")


def first_error(log: str) -> str:
    """The first ``! ...`` error of a TeX log with its ``l.N`` input line, as one line."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            msg = line[1:].strip()
            for follow in lines[i + 1:i + 12]:
                m = re.match(r"l\.(\d+)", follow)
                if m:
                    return f"{msg} (line {m.group(1)})"
            return msg
        m = re.match(r"^.*?\.tex:(\d+): (.*)$", line)
        if m:
            return f"{m.group(2).strip()} (line {m.group(1)})"
    return "pdflatex failed (no error line in the log)"


def compile_pdf(tex: str, pdf_path: str | os.PathLike, *, name: str = "document",
                files: Mapping[str, bytes] | None = None, timeout: float = 600) -> Compiled:
    """Compile ``tex`` (plus auxiliary ``files``, e.g. figures) and write ``pdf_path``."""
    if not latex_available():
        raise LatexMissing(missing_message())
    start = time.perf_counter()
    dest = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="symkkt-latex-") as tmp:
        work = Path(tmp)
        (work / f"{name}.tex").write_text(tex, encoding="utf-8")
        for fname, data in (files or {}).items():
            target = work / fname
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        env = dict(os.environ)
        env.setdefault("max_print_line", "10000")
        try:
            proc = subprocess.run(["latexmk", *LATEXMK_FLAGS, f"{name}.tex"], cwd=work,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise LatexError(f"{dest.name}: latexmk did not finish within {timeout:.0f} s")
        except OSError as exc:
            raise LatexMissing(f"cannot run latexmk: {exc.strerror or exc}") from None
        log_path = work / f"{name}.log"
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        pdf = work / f"{name}.pdf"
        if proc.returncode != 0 or not pdf.exists():
            msg = first_error(log) if log else proc.stdout.decode("latin-1")[-300:].strip()
            raise LatexError(f"{dest.name}: LaTeX error: {msg}")
        overfull = log.count("Overfull \\hbox") + log.count("Overfull \\vbox")
        widths = tuple(float(w) for w in
                       re.findall(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)", log))
        m = re.search(r"Output written on .*?\((\d+) pages?", log)
        write_atomic(dest, pdf.read_bytes())
    return Compiled(dest, time.perf_counter() - start, overfull,
                    int(m.group(1)) if m else None, widths)
