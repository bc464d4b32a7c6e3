"""Errors that carry a plain sentence for the user.

Core code raises :class:`UserError` (or a subclass) for expected problems with the user's files;
anything else is a bug, logged in full and reported with a generic sentence.
"""

from __future__ import annotations

GENERIC_MESSAGE = (
    "Something unexpected went wrong. Your files have not been changed. "
    "Details were saved to the log file; Help > Open log folder shows it."
)


class UserError(Exception):
    """An expected problem, with a message that says what is wrong and what to do."""


def user_message(exc: BaseException) -> str:
    """The sentence to show for an exception: its own message if it is a UserError."""
    if isinstance(exc, UserError):
        return str(exc)
    return GENERIC_MESSAGE
