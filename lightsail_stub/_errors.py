"""Exceptions: the library's own (for the person writing the test) and Lightsail's (for the
code under test, which sees them as botocore ``ClientError`` after the real parser)."""

from __future__ import annotations


def safe_repr(value: object) -> str:
    """``repr(value)`` for an error message, which must reach the user whatever the value:
    an int over Python's int-to-str limit, or an object whose ``repr`` raises, is described
    instead."""
    try:
        return repr(value)
    except Exception:  # an int over sys.get_int_max_str_digits() digits; a broken __repr__
        if type(value) is int:  # only a long one fails (log10(2) = 0.30103)
            return f"<an int of about {int(value.bit_length() * 0.30103) + 1} digits>"
        return f"<{type(value).__name__} object that can't be shown>"


class LightsailStubError(AssertionError):
    """Base of the errors lightsail-stub raises about the test itself (not Lightsail answers).

    An ``AssertionError`` so that pytest reports it as a test failure with its message."""


class UnhandledOperationError(LightsailStubError):
    """A Lightsail operation the stub does not serve was called while a stub was active."""


class UnsupportedRegionError(LightsailStubError):
    """A Lightsail client for a Region that the botocore model does not list was used."""


class ScenarioError(LightsailStubError):
    """A scenario raised, or returned something that is not an outcome."""


class UnusedScenarioError(LightsailStubError):
    """With ``assert_all_used=True``: a scenario limited with ``times=`` (or a
    ``sequence``) did not answer as many calls as it was meant to."""


class ServiceError(Exception):
    """Internal: an operation's answer is a Lightsail error. Turned into the error body."""

    def __init__(self, shape: str, message: str) -> None:
        super().__init__(message)
        self.shape = shape
        self.message = message
