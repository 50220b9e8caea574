"""LaTeX derivations, PDFs and notebook output for symkkt's results.

* :class:`SymkktLatexPrinter` / :func:`latex` -- sympy's LaTeX printer extended with
  ``_print_ClaimReport``, ``_print_Instance``, ``_print_NetSpec`` and ``_print_Certificate``.
* :func:`result_document` / :func:`report_document` -- whole ``.tex`` documents.
* :func:`compile_pdf` -- latexmk in a temporary directory, PDF copied atomically.
* :class:`Certificate` -- a certificate dict with ``_repr_latex_`` and ``check()``.
"""

from .compile import LatexError, LatexMissing, compile_pdf, latex_available
from .document import report_document, result_document
from .escape import escape_math_text, escape_text, tex_name
from .objects import Certificate, KernelView
from .printer import SymkktLatexPrinter, latex, notebook_latex

__all__ = ["SymkktLatexPrinter", "latex", "notebook_latex", "Certificate", "KernelView",
           "result_document", "report_document", "compile_pdf", "latex_available",
           "LatexError", "LatexMissing", "escape_text", "escape_math_text", "tex_name"]
