"""Small helpers shared by the cohort modules (no Qt, no cell values in logs)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from lmns_desktop.core.jobs import Cancelled, CancelledFn, ProgressFn

T = TypeVar("T")

#: Texts Excel shows for formula errors; readers keep them as read, normalisation treats them as
#: missing and counts them.
EXCEL_ERRORS: frozenset[str] = frozenset(
    {
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#N/A N/A",
    }
)

#: How often long blocking calls check for cancellation (seconds); well under the 0.5 s promise.
POLL_SECONDS = 0.05


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> "A", 27 -> "AB")."""
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based column index of spreadsheet column letters ("A" -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_WS = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def clean_header(text: object) -> str:
    """Header text as shown: whitespace (including line breaks inside a cell) collapsed."""
    return _WS.sub(" ", str(text)).strip()


def header_key(text: str) -> str:
    """Header text reduced for matching: lower case, "&" as "and", punctuation as spaces."""
    t = str(text).lower().replace("&", " and ").replace("'", "")
    return _NON_ALNUM.sub(" ", t).strip()


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 row" / "3 rows", with thousands separators."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def row_list(rows: Iterable[int], limit: int = 10) -> str:
    """Row numbers for a sentence: "rows 4, 9 and 12" or "rows 4, 9, ... (27 in all)"."""
    rows = list(rows)
    if not rows:
        return "no rows"
    shown = [f"{r:,}" for r in rows[:limit]]
    if len(rows) > limit:
        return f"rows {', '.join(shown)}, ... ({len(rows):,} in all)"
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def run_cancellable(
    fn: Callable[[], T],
    *,
    is_cancelled: CancelledFn,
    progress: ProgressFn | None = None,
    start: int = 0,
    end: int = 0,
    message: str = "",
    expected_seconds: float = 1.0,
) -> T:
    """Run a blocking call (a Rust reader that releases the GIL) on a helper thread.

    The caller's thread polls ``is_cancelled`` every 50 ms and raises :class:`Cancelled` at once
    when asked, so a 5-second read can still be stopped within the 0.5 s promise. An abandoned
    call finishes in the background and its result is dropped. Progress creeps from ``start``
    towards ``end`` against ``expected_seconds`` so the bar moves during long reads.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    if is_cancelled():
        raise Cancelled
    thread = threading.Thread(target=target, name="lmns-cohort-read", daemon=True)
    t0 = time.perf_counter()
    thread.start()
    last = -1
    while True:
        thread.join(POLL_SECONDS)
        if not thread.is_alive():
            break
        if is_cancelled():
            raise Cancelled
        if progress is not None and end > start:
            frac = min(0.95, (time.perf_counter() - t0) / max(expected_seconds, 0.1))
            pct = start + int((end - start) * frac)
            if pct != last:
                progress(pct, message)
                last = pct
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
