"""The Qt-free half of background work: progress callbacks and cancellation.

Long-running core functions take ``progress`` and ``is_cancelled`` keyword arguments so that the
GUI worker, the command line and tests can all drive them.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, str], None]
CancelledFn = Callable[[], bool]


class Cancelled(Exception):
    """The user asked to stop; not an error."""


def no_progress(percent: int, message: str) -> None:
    """Progress sink for callers that do not show progress."""


def never_cancelled() -> bool:
    return False


def check_cancelled(is_cancelled: CancelledFn) -> None:
    """Raise :class:`Cancelled` if the caller asked to stop."""
    if is_cancelled():
        raise Cancelled
