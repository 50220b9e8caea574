"""The trusted kernel: exact parsing, evaluation and checking of certificates.

It imports nothing from symkkt's search code (only :mod:`symkkt.errors`), reads certificates
as plain JSON data, and decides every sign exactly. ``symkkt check-cert`` uses only this
package.
"""

from .certificate import FORMAT_VERSION, KINDS, Verdict, check_certificate, load_certificate
from .grammar import parse_exact, parse_number, to_text

__all__ = ["FORMAT_VERSION", "KINDS", "Verdict", "check_certificate", "load_certificate",
           "parse_exact", "parse_number", "to_text"]
