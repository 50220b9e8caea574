"""The documentation site: statements as math, math rendered by MathJax, a page per result,
every command in the command table."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import theorems
from symkkt.io import safe_filename
from symkkt.latex.statement import check_statement_tex, split_math, statement_markdown

ROOT = Path(__file__).resolve().parent.parent
HAVE_MKDOCS = all(importlib.util.find_spec(m) is not None
                  for m in ("mkdocs", "material", "pymdownx", "mkdocstrings"))


@pytest.mark.parametrize("rid", theorems.ids())
def test_every_result_has_a_latex_statement(rid):
    mod = theorems.load(rid)
    tex = getattr(mod, "STATEMENT_TEX", None)
    assert isinstance(tex, str) and tex.strip(), f"{rid}: no STATEMENT_TEX"
    check_statement_tex(tex)
    assert any(kind != "text" for kind, _ in split_math(tex)), rid
    # real mathematics, not ASCII pseudo-math or Python syntax
    assert ">=" not in tex and "**" not in tex and "sqrt(" not in tex and "``" not in tex


def test_statement_subset_is_enforced():
    for bad in ("$x", r"\[ x", r"text with \cite{x}", "a_b in text", "$$x$$"):
        with pytest.raises(ValueError):
            check_statement_tex(bad)
    md = statement_markdown("Let $x_1 = 1$.\n\n\\emph{Why.} \\[ a \\geq b \\]\nso.")
    assert "$x_1 = 1$" in md and "*Why.*" in md and "$$\na \\geq b\n$$" in md


@pytest.mark.parametrize("rid", theorems.ids())
def test_generated_page_per_result_with_math(rid):
    page = ROOT / "docs" / "theorems" / f"{safe_filename(rid)}.md"
    assert page.exists(), f"no page for {rid}: run python docs/gen_theorem_pages.py {rid}"
    text = page.read_text(encoding="utf-8")
    statement = text.split("## Statement", 1)[1].split("## Claims", 1)[0]
    assert "$" in statement and "``" not in statement
    assert "[text of" not in text and ">=" not in statement


def test_optimum_is_labelled_theta_star():
    text = (ROOT / "docs" / "theorems" / "3.2.md").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if "global-optimum-value" in ln and "|" in ln)
    assert r"\Vert\theta^*\Vert^2 = \frac{16 \sqrt{17}}{17}" in row
    assert r"\Vert\tilde\theta\Vert^2 = 8" in row


def test_every_command_in_the_command_table():
    from symkkt.cli import app

    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    table = [ln for ln in index.splitlines() if ln.startswith("| `symkkt ")]
    for name in names:
        assert any(re.match(rf"\| `symkkt {re.escape(name)}\b", ln) for ln in table), name


@pytest.mark.skipif(not HAVE_MKDOCS,
                    reason="mkdocs, mkdocs-material or pymdown-extensions not installed "
                           "(pip install '.[docs]')")
def test_mkdocs_renders_math(tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(site)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rid in ("3.2", "R3.2", "3.2.P"):
        html = (site / "theorems" / safe_filename(rid) / "index.html").read_text("utf-8")
        assert re.search(r"<script[^>]+mathjax[^>]*\.js", html, re.I), rid
        assert "javascripts/mathjax.js" in html
        assert 'class="arithmatex"' in html, rid   # math spans for MathJax, not code spans
    html = (site / "theorems" / "3.2" / "index.html").read_text("utf-8")
    assert r"\|\tilde\theta\|^2" in html or r"\Vert\tilde\theta\Vert^2" in html
    # a page per command
    from symkkt.cli import app
    import typer

    for name in typer.main.get_command(app).commands:
        assert (site / "commands" / name / "index.html").is_file(), name
    # API pages from the docstrings (mkdocstrings): the public functions and the kernel's
    api = (site / "api" / "index.html").read_text("utf-8")
    for name in ("symkkt.verify", "symkkt._api.check", "symkkt.check_certificate",
                 "symkkt.gradient_flow",
                 "symkkt.kernel.check_certificate", "symkkt.errors.InputError"):
        assert f'id="{name}"' in api, name


def test_command_pages_are_up_to_date():
    """docs/commands/ is generated from the CLI's definitions: rerun the generator after
    changing a command (python docs/gen_command_pages.py)."""
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "gen_command_pages.py"),
                           "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = (ROOT / "docs" / "commands" / "verify.md").read_text(encoding="utf-8")
    assert "`--timeout`" in page and "`--jobs`, `-j`" in page
