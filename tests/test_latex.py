"""LaTeX derivations: computed numbers in the .tex, PDFs that render, escaping, long
expressions, printer settings, the missing-LaTeX path, and the mkdocs build."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
import sympy

from symkkt.errors import InvalidArgument
from symkkt.kernel.grammar import parse_number
from symkkt.latex import Certificate, SymkktLatexPrinter, compile_pdf, latex
from symkkt.latex.cli import compile_documents
from symkkt.latex.document import PREAMBLE, Document, result_document
from symkkt.latex.escape import escape_text
from symkkt.suite import collect, run_suite

ROOT = Path(__file__).resolve().parent.parent
HAVE_LATEX = bool(shutil.which("latexmk") and shutil.which("pdflatex"))
HAVE_PDFTOPPM = bool(shutil.which("pdftoppm"))
NO_LATEX = ("latexmk/pdflatex not installed (Debian: texlive-latex-base "
            "texlive-latex-recommended latexmk)")

SPECIAL = r"a#b$c%d&e~f_g^h\i{j}} θ̃ 中 `x`"


@pytest.fixture(scope="module")
def reports():
    # the KKT and perturbation claims of two results (other kinds have their own tests)
    return {rid: run_suite([c for c in collect([rid]) if c.kind in ("kkt", "not-local")])
            for rid in ("3.2", "4.4")}


@pytest.fixture(scope="module")
def documents(reports):
    return {rid: result_document(rid, reps) for rid, reps in reports.items()}


def _special_document() -> Document:
    """A claim whose label, title and parameter names are full of TeX specials."""
    from symkkt.claims import kkt_claim, run_claim
    from symkkt.network import Network
    from symkkt.problems import Instance

    net = Network("linear", (((("a_1__x", "b_c"),)), (("v_",),)))
    inst = Instance.make(net, [(1, 0)], [1], {"a_1__x": 1, "b_c": 0, "v_": 1})
    rep = run_claim(kkt_claim("T#1", SPECIAL, inst))
    assert rep.status == "verified"
    module = types.SimpleNamespace(TITLE=f"title {SPECIAL}", STATEMENT=f"Statement ``{SPECIAL}``"
                                   f" and {SPECIAL} with θ̃ ≥ ‖x‖².")
    return result_document("T#1", [rep], module=module)


def _stress_document(n: int = 2000) -> Document:
    """The special-character document with a 2000-term expression appended (one compile)."""
    xs = sympy.symbols(f"x1:{n + 1}")
    expr = sympy.Add(*[sympy.Rational(k, k + 1) * x ** (k % 5 + 1) for k, x in enumerate(xs)])
    p = SymkktLatexPrinter()
    huge = sympy.Integer(7) ** 6000  # one term far too wide for a line: summarised
    body = p.align(p.rows(r"f", expr) + p.rows(r"g", huge * xs[0] + 1))
    cert = {"symkkt_certificate": 1, "kind": "future-kind",
            "network": {"activation": "linear", "layers": [[["w1"]], [["v1"]]]},
            "data": {"x": [["1"]], "y": [1]}, "point": {"w1": "1", "v1": "1"},
            "dual": {"alpha": [str(k) for k in range(400)],
                     "long": " + ".join(f"{k}/{k + 1}" for k in range(1, 300))}}
    special = _special_document()
    head, _, _ = special.tex.rpartition(r"\end{document}")
    tex = "\n".join([head, r"\section{A long expression}", body, latex(Certificate(cert)),
                     r"\end{document}", ""])
    assert len(tex) > 40_000
    return Document("stress", tex)


def test_tex_contains_computed_eps0_and_multipliers(reports, documents):
    for rid, reps in reports.items():
        tex = documents[rid].tex
        seen_mult = seen_eps = False
        for rep in reps:
            for i, m in enumerate(rep.values.get("multipliers", []), start=1):
                assert f"\\lambda_{{{i}}} &= {sympy.latex(parse_number(m))}" in tex
                seen_mult = True
            if "eps0" in rep.values:
                assert f"\\varepsilon_0 &= {sympy.latex(parse_number(rep.values['eps0']))}" in tex
                seen_eps = True
        assert seen_mult and seen_eps, rid
    # 3.2: the numbers of the paper, computed (λ = (2, 2), ε0 = 1/2, leading term −2ε)
    assert "\\lambda_{1} &= 2" in documents["3.2"].tex
    assert "\\varepsilon_0 &= \\frac{1}{2}" in documents["3.2"].tex
    assert "- 2 \\varepsilon + o\\left(\\varepsilon\\right)" in documents["3.2"].tex


def test_escaping_of_user_text():
    out = escape_text(SPECIAL)
    for raw, esc in (("#", r"\#"), ("$", r"\$"), ("%", r"\%"), ("&", r"\&"), ("_", r"\_"),
                     ("{", r"\{"), ("}", r"\}"), ("~", r"\textasciitilde{}"),
                     ("^", r"\textasciicircum{}"), ("\\", r"\textbackslash{}")):
        assert esc in out, raw
    assert "中" not in out and "[U+4E2D]" in out
    doc = _special_document()
    assert SPECIAL not in doc.tex
    assert r"\mathit{a\_1\_\_x}" in doc.tex  # user parameter names escaped in formulas


def test_unknown_printer_settings_raise():
    with pytest.raises(InvalidArgument, match="Unknown setting 'line_widht'"):
        SymkktLatexPrinter({"line_widht": 60})
    with pytest.raises(InvalidArgument):
        latex(sympy.Integer(1), colour="red")
    with pytest.raises(InvalidArgument):
        SymkktLatexPrinter(line_width=-3)
    with pytest.raises(InvalidArgument):
        SymkktLatexPrinter(target="html")
    assert SymkktLatexPrinter(line_width=40).doprint(sympy.sqrt(2)) == r"\sqrt{2}"


def test_notebook_reprs(reports):
    rep = next(r for r in reports["3.2"] if r.claim.kind == "not-local")
    out = rep._repr_latex_()
    assert out.startswith("$$") and out.endswith("$$")
    assert r"\varepsilon_0 = \frac{1}{2}" in out and r"\mathbf{verified}" in out
    cert = Certificate(rep.certificate)
    assert cert.check().status == "verified"
    assert r"\varepsilon_0 = \frac{1}{2}" in cert._repr_latex_()


def _dark_pixels(png: Path) -> int:
    import matplotlib.image as mpimg

    img = mpimg.imread(str(png))
    gray = img[..., :3].mean(axis=2) if img.ndim == 3 else img
    if gray.max() > 1.5:  # 8-bit
        gray = gray / 255.0
    return int((gray < 0.5).sum())


@pytest.mark.skipif(not HAVE_LATEX, reason=NO_LATEX)
def test_pdfs_compile_and_render(documents, tmp_path):
    docs = list(documents.values()) + [_stress_document()]
    done, errors = compile_documents(docs, tmp_path)
    assert not errors, errors
    assert len(done) == len(docs)
    for doc, comp in done:
        assert comp.pdf.stat().st_size > 5000, doc.name
        assert comp.overfull <= 5, (doc.name, comp.overfull)  # no overfull-box flood
    if not HAVE_PDFTOPPM:
        pytest.skip("pdftoppm not installed (Debian: poppler-utils): PDFs compiled, not rendered")
    for doc in list(documents.values()):
        prefix = tmp_path / f"page-{doc.name}"
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1",
                        str(tmp_path / f"{doc.name}.pdf"), str(prefix)], check=True)
        (png,) = tmp_path.glob(f"page-{doc.name}*.png")
        assert _dark_pixels(png) > 200, f"page 1 of {doc.name}.pdf looks blank"


@pytest.mark.skipif(not HAVE_LATEX, reason=NO_LATEX)
def test_latex_error_is_one_line(tmp_path):
    from symkkt.latex.compile import LatexError

    bad = PREAMBLE + "\\begin{document}\n\\undefinedmacro\n\\end{document}\n"
    with pytest.raises(LatexError) as info:
        compile_pdf(bad, tmp_path / "bad.pdf")
    msg = str(info.value)
    assert "Undefined control sequence" in msg and "\n" not in msg
    assert not (tmp_path / "bad.pdf").exists()


def test_pdf_without_latexmk_exits_2_and_writes_nothing(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent("""
        import sys
        from symkkt.cli import app, main
        from symkkt.latex.cli import latex
        if "latex" not in {c.name for c in app.registered_commands}:
            app.command("latex")(latex)
        main(sys.argv[1:])
    """))
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]]
                                                       if env.get("PYTHONPATH") else []))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(script), "latex", "4.1", "--out", str(out),
                           "--pdf"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "texlive-latex-base" in lines[0] and "latexmk" in lines[0]
    assert not out.exists()        # refused before any work


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None
                    or importlib.util.find_spec("material") is None,
                    reason="mkdocs/mkdocs-material not installed (pip install '.[docs]')")
def test_mkdocs_build_strict(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "theorems" / "index.html").exists()


# ----------------------------------------------------------------------------- issue 18

FORBIDDEN = ("[text of", "textquotedbl", "**", "sqrt(", r"\ttfamily", ">=")


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "certificates")
                                        .glob("*.json")), ids=lambda p: p.stem)
def test_every_certificate_kind_is_typeset(path):
    """No verbatim JSON, placeholder or Python syntax for any kind (robust included)."""
    tex = latex(Certificate.from_file(path))
    assert not [b for b in FORBIDDEN if b in tex], path.stem


def test_global_optimum_value_is_theta_star_and_dual_is_a_table():
    tex = latex(Certificate.from_file(ROOT / "tests/data/certificates/global-optimum-value.json"))
    assert r"\|\theta^*\|^2 &= \frac{16 \sqrt{17}}{17}" in tex
    assert r"\|\tilde\theta\|^2 &= 8" in tex
    assert r"\begin{longtable}" in tex and "active set $A$" in tex


def _overfull_over(comp, limit=5.0):
    return [w for w in comp.overfull_pt if w > limit]


def test_report_has_tables_statements_and_no_python_syntax(reports, tmp_path):
    from symkkt.latex.document import report_document

    reps = run_suite(collect(["3.2"]))
    doc = report_document(reps)
    assert r"\renewcommand{\thesection}{\Alph{section}}" in doc.tex
    assert "not available in this build" not in doc.tex
    assert "Table 1: Results on depth-2 networks" in doc.tex
    assert "Table 2: Results on deep networks" in doc.tex
    assert r"\Phi(\theta; x) = v_1\, \sigma" in doc.tex        # STATEMENT_TEX, as math
    if not HAVE_LATEX:
        pytest.skip(NO_LATEX)
    comp = compile_pdf(doc.tex, tmp_path / "r.pdf", name="report", files=doc.files)
    assert not _overfull_over(comp), comp.overfull_pt
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Table 1" in text and "Table 2" in text and "Not local (Thm. 3.2)" in text
        for bad in ("[text of", '{"', "**", ">="):
            assert bad not in text, bad


@pytest.mark.skipif(not HAVE_LATEX, reason=NO_LATEX)
def test_no_bundled_document_has_an_overfull_box_over_5pt(tmp_path):
    """Every bundled result's derivation compiles with no overfull \\hbox wider than 5 pt."""
    import theorems
    from symkkt.latex.cli import build_documents

    docs, _, _ = build_documents(theorems.ids())
    done, errors = compile_documents(docs, tmp_path)
    assert not errors, errors
    wide = {d.name: _overfull_over(c) for d, c in done if _overfull_over(c)}
    assert not wide, wide


def test_missing_latex_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    """``--pdf`` without latexmk/pdflatex: exit 2 at once, one line, nothing written (the
    suite is not run: the search would fail the test if it were called)."""
    from symkkt.cli import main
    from symkkt.latex import compile as latex_compile
    import symkkt.latex.cli as latex_cli

    monkeypatch.setattr(latex_compile.shutil, "which", lambda name: None)

    def boom(*a, **k):
        raise AssertionError("the work started before the LaTeX check")

    monkeypatch.setattr(latex_cli, "build_documents", boom)
    monkeypatch.setattr(latex_cli, "_run", boom)
    for args in (["latex", "3.2", "--pdf", "--out", str(tmp_path / "o")],
                 ["report", "--pdf", str(tmp_path / "r.pdf")]):
        with pytest.raises(SystemExit) as info:
            main(args)
        err = capsys.readouterr().err
        assert info.value.code == 2 and len(err.strip().splitlines()) == 1
        assert "latexmk" in err
    assert not any(tmp_path.iterdir())
