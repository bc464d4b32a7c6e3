"""Find the header row of a raw sheet and cut out the data table below it.

Exports rarely start at A1: there are titles, run dates and notes above the headings, merged
heading cells, blank spacer columns, duplicate headings, and totals or footnotes below the data.
:func:`detect_header` deals with each of these and says what it did in plain notes, so the user
can check the result against the sheet in Excel (every row is kept under its spreadsheet row
number in the frame's index).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._util import EXCEL_ERRORS, clean_header, plural
from .mapping import heading_match
from .readers import CohortFileError, RawTable

log = logging.getLogger(__name__)

_SCAN_ROWS = 60
_NUMBER = re.compile(r"^[-+(]?[£$€]?\s*[\d,]*\.?\d+(?:[eE][-+]?\d+)?\)?%?$")
_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
    r"|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$"
)
_TOTAL = re.compile(
    r"^\s*(?:grand\s+|sub[\s-]*)?totals?\b|^\s*(?:sum|count|average|mean|median|overall)\b\s*:?",
    re.I,
)
_FOOTNOTE = re.compile(
    r"^\s*(?:source|notes?|\*|generated|exported|produced|report (?:run|date)|printed|data "
    r"(?:as at|extracted)|extracted|run date|end of report|confidential|official)",
    re.I,
)
#: A value this far below the rest of the data is stray (e.g. a cell at row 1,048,576).
_STRAY_GAP = 1000


@dataclass(frozen=True)
class ExcludedRow:
    """A spreadsheet row left out of the cohort, and why (for the data-quality report)."""

    row: int
    reason: str


@dataclass
class HeaderInfo:
    """Where the table was found and what was changed to make it a clean table."""

    header_rows: tuple[int, ...]
    columns: list[str]
    source_columns: list[str]
    first_data_row: int
    last_data_row: int
    dropped_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)
    excluded_rows: list[ExcludedRow] = field(default_factory=list)
    blank_rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def header_row(self) -> int | None:
        """Spreadsheet row number of the (last) heading row, None if no heading was found."""
        return self.header_rows[-1] if self.header_rows else None

    def source_column(self, column: str) -> str:
        """Spreadsheet column letters of a table column."""
        return self.source_columns[self.columns.index(column)]


def _is_heading_text(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    text = str(value).strip()
    if not text or len(text) > 120 or text in EXCEL_ERRORS:
        return False
    if text.lower() in ("true", "false"):
        return False
    return not (_NUMBER.match(text) or _DATE.match(text))


def _row_values(cells: pd.DataFrame, pos: int) -> list[str | None]:
    row = cells.iloc[pos]
    out: list[str | None] = []
    for v in row.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            s = str(v)
            out.append(s if s.strip() else None)
    return out


@dataclass
class _RowStats:
    pos: int
    width: int
    text_share: float
    distinct_share: float
    known: int


def _stats(values: list[str | None], pos: int) -> _RowStats:
    filled = [v for v in values if v is not None]
    width = len(filled)
    if not width:
        return _RowStats(pos, 0, 0.0, 0.0, 0)
    texts = [v for v in filled if _is_heading_text(v)]
    distinct = len({clean_header(v).lower() for v in filled})
    known = sum(1 for v in texts if heading_match(v)[1] >= 0.9)
    return _RowStats(pos, width, len(texts) / width, distinct / width, known)


def _header_like(s: _RowStats, typical_width: int) -> bool:
    need = max(2, math.ceil(0.5 * typical_width)) if typical_width > 1 else 1
    return s.width >= need and s.text_share >= 0.75 and s.distinct_share >= 0.5


def detect_header(raw: RawTable, *, scan_rows: int = _SCAN_ROWS) -> tuple[pd.DataFrame, HeaderInfo]:
    """Return the data table (index = spreadsheet row numbers) and what was found and changed."""
    cells = raw.cells
    where = raw.where()
    if raw.n_rows == 0 or raw.n_cols == 0:
        raise CohortFileError(f"The {where} is empty; choose the sheet that holds the cohort.")
    filled = cells.notna()
    counts = filled.sum(axis=1).to_numpy()
    nonblank = np.flatnonzero(counts > 0)
    if nonblank.size == 0:
        raise CohortFileError(f"The {where} is empty; choose the sheet that holds the cohort.")

    window = [int(p) for p in nonblank[:scan_rows]]
    stats = [_stats(_row_values(cells, p), p) for p in window]
    typical = max(s.width for s in stats)
    if int(counts.max()) < 2:
        raise CohortFileError(
            f"The {where} holds only a title or notes, not a table (no row has two or more filled "
            f"cells); choose the sheet or file that holds the cohort."
        )
    candidates = [s for s in stats if _header_like(s, typical)]
    notes: list[str] = []

    if candidates:
        header = candidates[0]
        for later in candidates[1:4]:
            if later.known >= header.known + 2 and later.width >= header.width * 0.8:
                header = later
                break
        h = header.pos
        names = [clean_header(v) if v is not None else "" for v in _row_values(cells, h)]
        header_positions = [h]
        data_start = h + 1
        names, data_start, header_positions, merge_notes = _apply_merges(
            raw, cells, names, header_positions, data_start, typical
        )
        notes.extend(merge_notes)
        skipped = [raw.row_number(p) for p in nonblank if p < header_positions[0]]
        if skipped:
            rows = _rows_phrase([raw.row_number(p) for p in header_positions])
            pronoun = "it" if len(header_positions) == 1 else "them"
            notes.append(
                f"The headings are in {rows}; {plural(len(skipped), 'row')} above {pronoun} "
                f"(titles or notes) {'was' if len(skipped) == 1 else 'were'} skipped."
            )
    else:
        h = None
        header_positions = []
        data_start = int(nonblank[0])
        names = [""] * raw.n_cols
        notes.append(
            f"No heading row was found on {where}; the columns are named by their letters "
            f"(Column A, Column B, ...). Map them to fields by hand."
        )

    # Columns: drop those with no heading and no data; name headless columns by letter.
    data_filled = counts[data_start:] if data_start < raw.n_rows else np.array([], dtype=int)
    col_has_data = (
        filled.iloc[data_start:].any(axis=0).to_numpy()
        if data_start < raw.n_rows
        else np.zeros(raw.n_cols, dtype=bool)
    )
    keep_cols: list[int] = []
    dropped: list[str] = []
    headless: list[str] = []
    for j, name in enumerate(names):
        letter = raw.letter(j)
        if not name and not col_has_data[j]:
            dropped.append(letter)
            continue
        if not name:
            names[j] = f"Column {letter}"
            if h is not None:
                headless.append(letter)
        keep_cols.append(j)
    if dropped:
        notes.append(
            f"{_columns_phrase(dropped)} had no heading and no data and "
            f"{'was' if len(dropped) == 1 else 'were'} left out."
        )
    if headless:
        notes.append(
            f"{_columns_phrase(headless)} {'has' if len(headless) == 1 else 'have'} data but no "
            f"heading, so {'it is' if len(headless) == 1 else 'they are'} named by letter "
            f"(e.g. 'Column {headless[0]}')."
        )
    final_names, renamed = _dedupe([names[j] for j in keep_cols])
    letters = [raw.letter(j) for j in keep_cols]
    renamed_notes = {new: letters[final_names.index(new)] for new in renamed}
    if renamed:
        shown = ", ".join(f"'{new}' (column {renamed_notes[new]})" for new in list(renamed)[:5])
        notes.append(f"Repeated headings were made unique: {shown}.")

    # Rows: trailing blanks, blank rows inside the data, totals and footnotes at the bottom.
    positions = np.flatnonzero(data_filled > 0) + data_start
    if positions.size == 0:
        hdr = _rows_phrase([raw.row_number(p) for p in header_positions])
        raise CohortFileError(
            f"The {where} has column headings in {hdr} but no rows of data below them; check "
            f"that the export included the data, not just the headings."
        )
    excluded, positions = _bottom_rows(raw, cells, counts, positions, len(keep_cols))
    if positions.size == 0:
        raise CohortFileError(
            f"The {where} has headings but its only rows below them are totals or notes; check "
            f"that the export included the data."
        )
    last = int(positions[-1])
    blank_inside = int((counts[data_start : last + 1] == 0).sum())
    if blank_inside:
        verb = "was" if blank_inside == 1 else "were"
        notes.append(f"{plural(blank_inside, 'blank row')} inside the data {verb} skipped.")
    for ex in excluded:
        notes.append(f"Row {ex.row:,} {ex.reason} and was left out.")

    first = int(positions[0])
    if positions.size == last - first + 1:  # no gaps: a slice, no copy of a big sheet
        frame = cells.iloc[first : last + 1, keep_cols]
        frame.index = pd.RangeIndex(first + raw.first_row, last + 1 + raw.first_row, name="row")
    else:
        frame = cells.iloc[positions, keep_cols]
        frame.index = pd.Index(positions + raw.first_row, name="row")
    frame.columns = final_names
    info = HeaderInfo(
        header_rows=tuple(raw.row_number(p) for p in header_positions),
        columns=final_names,
        source_columns=letters,
        first_data_row=raw.row_number(int(positions[0])),
        last_data_row=raw.row_number(last),
        dropped_columns=dropped,
        renamed_columns={new: letters[final_names.index(new)] for new in renamed},
        excluded_rows=excluded,
        blank_rows_skipped=blank_inside,
        notes=notes,
    )
    log.info(
        "header rows=%s columns=%d data rows=%d excluded=%d",
        info.header_rows,
        len(final_names),
        len(frame),
        len(excluded),
    )
    return frame, info


def _rows_phrase(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]:,}"
    return f"rows {rows[0]:,} to {rows[-1]:,}"


def _columns_phrase(letters: list[str]) -> str:
    if len(letters) == 1:
        return f"Column {letters[0]}"
    if len(letters) <= 6:
        return f"Columns {', '.join(letters[:-1])} and {letters[-1]}"
    return f"{len(letters)} columns ({', '.join(letters[:5])}, ...)"


def _dedupe(names: list[str]) -> tuple[list[str], list[str]]:
    """'Date', 'Date' -> 'Date', 'Date (2)'; returns the names and the ones that were renamed."""
    seen: set[str] = set()
    out: list[str] = []
    renamed: list[str] = []
    counts: dict[str, int] = {}
    taken = {n.lower() for n in names}
    for name in names:
        key = name.lower()
        if key not in seen:
            seen.add(key)
            out.append(name)
            continue
        n = counts.get(key, 1)
        while True:
            n += 1
            candidate = f"{name} ({n})"
            if candidate.lower() not in seen and candidate.lower() not in taken:
                break
        counts[key] = n
        seen.add(candidate.lower())
        out.append(candidate)
        renamed.append(candidate)
    return out, renamed


def _apply_merges(
    raw: RawTable,
    cells: pd.DataFrame,
    names: list[str],
    header_positions: list[int],
    data_start: int,
    typical: int,
) -> tuple[list[str], int, list[int], list[str]]:
    """Fill merged heading cells across, and combine a two-row heading made with merges.

    Merged ranges are only fetched when the headings have gaps or repeats, or a row next to
    them also looks like headings, because on a big .xlsx that costs a pass over the sheet.
    """
    h = header_positions[0]
    gaps = any(not n for n in names)
    repeats = len({n.lower() for n in names if n}) < sum(1 for n in names if n)
    nxt = h + 1
    next_values = _row_values(cells, nxt) if nxt < raw.n_rows else []
    next_like = bool(next_values) and _header_like(_stats(next_values, nxt), typical)
    above_values = _row_values(cells, h - 1) if h > 0 else []
    above_sparse = any(v is not None for v in above_values)
    if not (gaps or repeats or next_like or above_sparse):
        return names, data_start, header_positions, []
    merged = raw.merged_ranges()
    if not merged:
        return names, data_start, header_positions, []
    notes: list[str] = []

    def absolute(pos: int) -> int:
        return pos + raw.first_row - 1  # 0-based sheet row of a cells row

    def fill(values: list[str], pos: int) -> tuple[list[str], bool]:
        """Values of row ``pos`` with merged blocks covering it filled in; True if any were."""
        row = absolute(pos)
        changed = False
        values = list(values)
        for m in merged:
            if not (m.first_row <= row <= m.last_row):
                continue
            r0, c0 = m.first_row - raw.first_row + 1, m.first_col - raw.first_col
            if not (0 <= r0 < raw.n_rows and 0 <= c0 < raw.n_cols):
                continue
            value = cells.iat[r0, c0]
            if pd.isna(value):
                continue
            text = clean_header(value)
            for col in range(max(m.first_col, raw.first_col), m.last_col + 1):
                j = col - raw.first_col
                if 0 <= j < len(values) and not values[j]:
                    values[j] = text
                    changed = True
        return values, changed

    def spans(pos: int) -> bool:
        """A merged block across columns in row ``pos``, or down from it into the next row."""
        row = absolute(pos)
        return any(
            (m.first_row == row and m.last_col > m.first_col) or (m.first_row <= row < m.last_row)
            for m in merged
        )

    pair: tuple[int, int] | None = None
    if above_sparse and spans(h - 1):
        pair = (h - 1, h)
    elif next_like and spans(h):
        pair = (h, nxt)
    if pair is not None:
        top_pos, sub_pos = pair
        top_raw = [clean_header(v) if v is not None else "" for v in _row_values(cells, top_pos)]
        sub_raw = [clean_header(v) if v is not None else "" for v in _row_values(cells, sub_pos)]
        top, _ = fill(top_raw, top_pos)
        sub, _ = fill(sub_raw, sub_pos)
        combined = [f"{a} - {b}" if a and b and a != b else (a or b) for a, b in zip(top, sub)]
        notes.append(
            f"The headings span rows {raw.row_number(top_pos):,} and {raw.row_number(sub_pos):,} "
            f"(merged cells); they were combined, e.g. '{_example(combined, top, sub)}'."
        )
        return combined, sub_pos + 1, [top_pos, sub_pos], notes
    top, changed = fill(names, h)
    if changed:
        filled_cols = [raw.letter(j) for j, (a, b) in enumerate(zip(names, top)) if a != b]
        notes.append(
            f"Merged heading cells were filled across into {_columns_phrase(filled_cols).lower()}."
        )
    return top, data_start, header_positions, notes


def _example(combined: list[str], top: list[str], sub: list[str]) -> str:
    for c, a, b in zip(combined, top, sub):
        if a and b and a != b:
            return c
    return next((c for c in combined if c), "")


def _bottom_rows(
    raw: RawTable, cells: pd.DataFrame, counts: np.ndarray, positions: np.ndarray, width: int
) -> tuple[list[ExcludedRow], np.ndarray]:
    """Totals rows, footnotes and stray far-away cells at the bottom, to be left out."""
    excluded: list[ExcludedRow] = []
    keep = positions
    for _ in range(10):
        if keep.size < 2:
            break
        pos = int(keep[-1])
        prev = int(keep[-2])
        values = [v for v in _row_values(cells, pos) if v is not None]
        reason = None
        if pos - prev > _STRAY_GAP:
            reason = "holds a stray value far below the rest of the data"
        elif any(_TOTAL.match(v) for v in values[:3]):
            reason = "looks like a totals row"
        elif (
            len(values) == 1
            and width >= 3
            and _is_heading_text(values[0])
            and (
                _FOOTNOTE.match(values[0])
                or ((pos - prev > 1 or excluded) and len(values[0]) >= 25 and " " in values[0])
            )
        ):
            reason = "looks like a note below the data"
        if reason is None:
            break
        excluded.append(ExcludedRow(raw.row_number(pos), reason))
        keep = keep[:-1]
    excluded.reverse()
    return excluded, keep


__all__ = ["ExcludedRow", "HeaderInfo", "detect_header"]
