"""symkkt: exact certificates for KKT points of the max-margin problem.

Search for multipliers, curves and bounds is untrusted; every verdict is re-checked by the
small exact kernel in :mod:`symkkt.kernel` from a JSON certificate.

The public API (``docs/python.md``)::

    import symkkt
    r = symkkt.verify("3.2")            # bundled results; r.summary, r.claims, r.to_json()
    r = symkkt.check("claims.toml")     # or check(network=..., data=..., point=..., claims=[...])
    c = symkkt.check_certificate("cert.json")
    f = symkkt.gradient_flow("3.2")

Heavy modules (sympy, the kernel, the theorems) load on the first call, not on import.
"""

from ._api import (CertificateResult, ClaimResult, FlowReport, FlowRun, Report, check,
                   check_certificate, gradient_flow, verify)
from .errors import CertificateError, InputError, InvalidArgument, SymkktError, UndecidedError

__version__ = "0.1.0"

__all__ = ["verify", "check", "check_certificate", "gradient_flow", "Report", "ClaimResult",
           "CertificateResult", "FlowReport", "FlowRun", "CertificateError", "InputError",
           "InvalidArgument", "SymkktError", "UndecidedError", "__version__"]


def _keep_check_function() -> None:
    """``symkkt.check`` is the API function, although a submodule has the same name.

    Importing the submodule (``from symkkt.check import ...``, as the CLI does) makes Python
    set the package attribute ``check`` to the module; a property on the package's class
    ignores that assignment, so ``symkkt.check(...)`` always calls :func:`check`. The module
    stays available as ``sys.modules["symkkt.check"]`` and through ``from symkkt.check import``.
    """
    import sys
    import types

    api_check = check

    class _Package(types.ModuleType):
        @property
        def check(self):
            return api_check

        @check.setter
        def check(self, value):  # the import system binding the submodule: ignored
            pass

    sys.modules[__name__].__class__ = _Package


_keep_check_function()
del _keep_check_function
