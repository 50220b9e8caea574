"""One exception hierarchy for symkkt.

Every error the program raises on purpose derives from :class:`SymkktError`.
The command line turns :class:`InputError` into one line ``file:line:col: message``
and exit code 2; nothing else is ever shown to the user as a traceback.
"""

from __future__ import annotations

__all__ = [
    "SymkktError",
    "InputError",
    "InvalidArgument",
    "CertificateError",
    "UndecidedError",
]


class SymkktError(Exception):
    """Root of every error symkkt raises deliberately."""


class InputError(SymkktError, ValueError):
    """Bad user input: a claim file, a certificate, an option.

    ``source``, ``line`` and ``col`` locate the problem (1-based) when known; ``str(err)``
    is then ``source:line:col: message``, the one line the CLI prints.
    """

    def __init__(self, message: str, source: str | None = None, line: int | None = None,
                 col: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.col = col
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        if self.source is None:
            return ""
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts) + ": "

    def at(self, source: str, line: int | None = None, col: int | None = None) -> "InputError":
        """Return a copy located at ``source:line:col`` (keeping a more precise location)."""
        return InputError(self.message, source,
                          self.line if self.line is not None and line is None else line or self.line,
                          self.col if self.col is not None and col is None else col or self.col)


class InvalidArgument(InputError, TypeError):
    """A Python caller passed an argument of the wrong type or value."""


class CertificateError(SymkktError):
    """A certificate is structurally unusable (missing field, wrong shape)."""


class UndecidedError(SymkktError):
    """An exact decision (a sign, a zero test) could not be made with the methods at hand.

    Never silently treated as a yes or a no: callers turn it into the status ``unknown``.
    """
