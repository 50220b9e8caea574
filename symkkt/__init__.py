"""symkkt: exact certificates for KKT points of the max-margin problem.

Search for multipliers, curves and bounds is untrusted; every verdict is re-checked by the
small exact kernel in :mod:`symkkt.kernel` from a JSON certificate.
"""

from .errors import CertificateError, InputError, InvalidArgument, SymkktError, UndecidedError

__version__ = "0.1.0"

__all__ = ["CertificateError", "InputError", "InvalidArgument", "SymkktError",
           "UndecidedError", "__version__"]
