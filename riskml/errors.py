"""riskml's own errors: each message says what was expected, what was received and the fix."""

from __future__ import annotations

__all__ = ["CommandError"]


class CommandError(ValueError):
    """A command-line or study-file input that cannot be used; the message says why and
    how to fix it."""
