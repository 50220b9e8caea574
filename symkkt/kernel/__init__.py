"""The trusted kernel: exact parsing, evaluation and checking of certificates.

It imports nothing from symkkt's search code (only :mod:`symkkt.errors`), reads certificates
as plain JSON data, and decides every sign exactly. ``symkkt check-cert`` uses only this
package.
"""

from .certificate import (FORMAT_VERSION, Verdict, check_certificate, kinds, load_certificate,
                          register_checker)
from .grammar import parse_exact, parse_number, to_text
from . import optimum as _optimum  # noqa: F401  (registers the certified-optimum kinds)
from . import notkkt as _notkkt  # noqa: F401  (registers not-kkt)
from . import robust as _robust  # noqa: F401  (registers the parametric kind 'robust')
from . import predictor as _predictor  # noqa: F401  (registers l1-better, l1-optimal)
from . import ratio as _ratio  # noqa: F401  (registers optimum-ratio)
from . import probability as _probability  # noqa: F401  (registers cone-probability)
from . import family as _family  # noqa: F401  (registers diagonal-family)
from . import convergence as _convergence  # noqa: F401  (registers convergence)
from . import margin as _margin  # noqa: F401  (registers margin-decreases)
from . import linfamily as _linfamily  # noqa: F401  (linear-per-layer-family, depth2-linear-family)

__all__ = ["FORMAT_VERSION", "kinds", "register_checker", "Verdict", "check_certificate", "load_certificate",
           "parse_exact", "parse_number", "to_text", "forget"]


def forget() -> None:
    """Drop everything the kernel remembers within this process (signs, proofs, leading terms,
    real solutions, parses and texts, compiled interval programs, curves in t), so the next
    check starts from scratch: for timing a check, or a budget, as a fresh process would."""
    from . import convergence, exact, grammar, ieval, robust

    for memo in (exact._SIGNS, exact._PROOFS, exact._LEADING, convergence._SOLVED,
                 grammar._PARSED, grammar._WRITTEN, ieval._CACHE, robust._IN_T):
        memo.clear()
