"""The register in memory and the pure edit operations behind the GUI's undo stack.

Why a document class: the GUI, the validator, the coverage views and the store all need the same
typed frames (one per known sheet), the user's own lists (PLUS groups, trusts), the values that
did not fit a column's kind (kept verbatim so a save never loses them) and a ``dirty`` flag.

Rows are addressed by a *row key* (the DataFrame index), never by position or project ID: keys
are stable across sorting, undo and saving, and a register with duplicate IDs still works.
Every operation applies itself and returns an :class:`Edit` whose ``undo``/``redo`` replay it
exactly (a QUndoCommand calls the operation in its first ``redo`` and ``edit.redo`` after that).
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core.errors import UserError

_EXCEL_EPOCH = pd.Timestamp(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 31/12/9999


# --- value coercion ------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_timestamp(value: object) -> pd.Timestamp | None:
    """A date-like value as a Timestamp; ``None`` when it is not one (text, bool...)."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value
    if isinstance(value, datetime | date):
        try:
            return pd.Timestamp(value)
        except (ValueError, OverflowError):
            return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        serial = float(value)
        if 1 <= serial <= _MAX_SERIAL:
            try:
                return _EXCEL_EPOCH + pd.Timedelta(days=serial)
            except (ValueError, OverflowError):
                return None
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _text_of(value: object) -> str:
    """How a non-text value reads in a text column (so search and display still see it)."""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime(rs.MESSAGE_DATE_FORMAT)
    return str(value)


def coerce_values(col: rs.Column, values: Sequence[object]) -> tuple[pd.Series, dict[int, object]]:
    """Values of one column converted to the column's kind, and the originals that did not fit.

    The second item maps a position to the original value wherever the typed frame cannot hold
    it exactly (text in a date cell, a number in a text cell): the store writes those originals
    back unless the cell is edited, and validation reports them. Plain types take fast paths
    because a large register has hundreds of thousands of cells.
    """
    raw: dict[int, object] = {}
    kind = col.kind
    out: list[object] = []
    append = out.append
    if kind == "date":
        for i, v in enumerate(values):
            t = type(v)
            if t is datetime or t is date or t is pd.Timestamp:
                if 1678 <= v.year <= 2261:  # type: ignore[attr-defined]
                    append(v)
                else:
                    raw[i] = v
                    append(None)
            elif _is_blank(v) or (t is float and v != v):
                append(None)
            else:
                ts = _as_timestamp(v)
                if ts is None or not 1678 <= ts.year <= 2261:
                    raw[i] = v
                    append(None)
                else:
                    append(ts)
        series = pd.Series(pd.to_datetime(pd.Series(out, dtype=object)), dtype="datetime64[ns]")
        return series, raw
    if kind in ("number", "integer"):
        nan = math.nan
        for i, v in enumerate(values):
            t = type(v)
            if t is float or t is int:
                if kind == "integer" and t is float and not v.is_integer():  # type: ignore[union-attr]
                    raw[i] = v
                    append(nan)
                else:
                    append(v)
                continue
            if _is_blank(v):
                append(nan)
                continue
            number = _as_number(v)
            if number is None or (kind == "integer" and not number.is_integer()):
                raw[i] = v
                append(nan)
            else:
                append(number)
        arr = np.asarray(out, dtype=float)
        if kind == "integer":
            return pd.Series(pd.array(arr, dtype="Float64").astype("Int64")), raw
        return pd.Series(arr, dtype="float64"), raw
    for i, v in enumerate(values):
        if type(v) is str:
            append(v if v.strip() else None)
        elif _is_blank(v):
            append(None)
        else:
            if kind == "yesno" and isinstance(v, bool | np.bool_):
                append("Yes" if v else "No")
            else:
                append(_text_of(v))
            raw[i] = v.item() if isinstance(v, np.generic) else v
    return pd.Series(out, dtype="str"), raw


def coerce_input(col: rs.Column, value: object) -> object:
    """A value typed into the edit form, converted for the frame; UserError when it cannot be.

    Forms validate first (``register_validation.validate_row``); this is the last guard.
    """
    if _is_blank(value):
        return {"date": pd.NaT, "number": np.nan, "integer": pd.NA}.get(col.kind)
    if col.kind == "date":
        ts = _as_timestamp(value)
        if ts is None and isinstance(value, str):
            ts = parse_date_text(value)
        if ts is None:
            raise UserError(f"{col.header} '{value}' is not a date; type it as dd/mm/yyyy.")
        return ts
    if col.kind in ("number", "integer"):
        number = _as_number(value)
        if number is None or (col.kind == "integer" and not number.is_integer()):
            word = "a whole number" if col.kind == "integer" else "a number"
            raise UserError(f"{col.header} '{value}' is not {word}.")
        return int(number) if col.kind == "integer" else number
    if isinstance(value, bool | np.bool_) and col.kind == "yesno":
        return "Yes" if value else "No"
    return value if isinstance(value, str) else _text_of(value)


_DATE_TEXT = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")
_ISO_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def parse_date_text(text: str) -> pd.Timestamp | None:
    """A date typed as text, read the British way (dd/mm/yyyy) or as ISO yyyy-mm-dd."""
    match = _DATE_TEXT.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            if year < 100:
                year += 2000
            return pd.Timestamp(year, month, day)
        match = _ISO_TEXT.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return pd.Timestamp(year, month, day)
    except ValueError:
        return None
    return None


def empty_frame(sheet: str, extras: Sequence[str] = ()) -> pd.DataFrame:
    """An empty frame with the sheet's known columns (typed) followed by ``extras`` (text)."""
    data: dict[str, pd.Series] = {}
    for col in rs.SHEET_COLUMNS[sheet]:
        data[col.header] = coerce_values(col, [])[0]
    for name in extras:
        data[name] = pd.Series([], dtype=object)
    frame = pd.DataFrame(data)
    frame.index = pd.Index([], dtype="int64")
    return frame


def build_frame(
    sheet: str, columns: Mapping[str, Sequence[object]], keys: Sequence[int]
) -> tuple[pd.DataFrame, dict[tuple[int, str], object]]:
    """A typed frame from raw column values (known headers typed, others kept as they are)."""
    n = len(keys)
    data: dict[str, Any] = {}
    raw: dict[tuple[int, str], object] = {}
    for col in rs.SHEET_COLUMNS[sheet]:
        values = columns.get(col.header)
        series, col_raw = coerce_values(col, values if values is not None else [None] * n)
        data[col.header] = series.to_numpy() if col.kind == "date" else series.array
        for pos, original in col_raw.items():
            raw[(int(keys[pos]), col.header)] = original
    known = set(data)
    for name, values in columns.items():
        if name not in known:
            data[name] = pd.Series(list(values), dtype=object).array
    frame = pd.DataFrame(data, index=pd.Index(np.asarray(keys, dtype="int64")))
    return frame, raw


# --- the document --------------------------------------------------------------------------


class RegisterDocument:
    """A register in memory: typed frames for Projects, Evidence, Measures and PDSA, plus lists.

    ``store_state`` is opaque here: the store keeps the original workbook package in it so a
    save writes back every sheet, column and style the app does not know.
    """

    def __init__(
        self,
        sheets: Mapping[str, pd.DataFrame] | None = None,
        path: Path | None = None,
        meta: Mapping[str, str] | None = None,
        lists: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.path: Path | None = Path(path) if path is not None else None
        self.meta: dict[str, str] = dict(meta or {})
        self.frames: dict[str, pd.DataFrame] = {}
        self.raw: dict[str, dict[tuple[int, str], object]] = {s: {} for s in rs.SHEET_COLUMNS}
        self.user_lists: dict[str, list[str]] = {d.key: [] for d in rs.LIST_DEFS if d.extendable}
        #: Row of the header on each sheet (1 unless the sheet has a title banner above it).
        self.header_rows: dict[str, int] = {s: 1 for s in rs.SHEET_COLUMNS}
        #: Excel row of each row key in the file as opened (until rows are inserted/deleted).
        self.source_rows: dict[str, dict[int, int]] = {s: {} for s in rs.SHEET_COLUMNS}
        self._renumbered: set[str] = set(rs.SHEET_COLUMNS)
        self._next_key: dict[str, int] = {}
        self.dirty = False
        #: Increases with every change; the recovery journal writes only when it moved on.
        self.version = 0
        self.store_state: Any = None
        for sheet in rs.SHEET_COLUMNS:
            given = (sheets or {}).get(sheet)
            self._set_initial(sheet, given)
        for key, values in (lists or {}).items():
            self.user_lists[key] = [v for v in values if v not in rs.fixed_list(key)]
        if lists is None:
            self._default_trusts()

    # -- construction helpers
    def _set_initial(self, sheet: str, given: pd.DataFrame | None) -> None:
        if given is None:
            self.frames[sheet] = empty_frame(sheet)
            self._next_key[sheet] = 0
            return
        keys = list(range(len(given)))
        columns = {str(c): given[c].tolist() for c in given.columns}
        frame, raw = build_frame(sheet, columns, keys)
        self.frames[sheet] = frame
        self.raw[sheet] = raw
        self._next_key[sheet] = len(keys)

    def _default_trusts(self) -> None:
        trusts = self.frames[rs.SHEET_PROJECTS]["Trust"].dropna().unique().tolist()
        self.user_lists["TRUSTS"] = sorted(str(t) for t in trusts)

    def adopt_frame(
        self,
        sheet: str,
        frame: pd.DataFrame,
        raw: dict[tuple[int, str], object],
        source_rows: dict[int, int] | None,
    ) -> None:
        """Install a frame built by the store or the importer (keys are the frame's index)."""
        self.frames[sheet] = frame
        self.raw[sheet] = raw
        self._next_key[sheet] = int(frame.index.max()) + 1 if len(frame) else 0
        if source_rows is None:
            self._renumbered.add(sheet)
            self.source_rows[sheet] = {}
        else:
            self._renumbered.discard(sheet)
            self.source_rows[sheet] = source_rows

    # -- compatibility with the first ``Register`` and convenience views
    @property
    def sheets(self) -> dict[str, pd.DataFrame]:
        return self.frames

    @property
    def projects(self) -> pd.DataFrame:
        return self.frames[rs.SHEET_PROJECTS]

    @property
    def evidence(self) -> pd.DataFrame:
        return self.frames[rs.SHEET_EVIDENCE]

    @property
    def measures(self) -> pd.DataFrame:
        return self.frames[rs.SHEET_MEASURES]

    @property
    def pdsa(self) -> pd.DataFrame:
        return self.frames[rs.SHEET_PDSA]

    def extra_columns(self, sheet: str) -> list[str]:
        """Columns of ``sheet`` the app does not know (kept and saved back in place)."""
        known = set(rs.headers(sheet))
        return [c for c in self.frames[sheet].columns if c not in known]

    def list_values(self, key: str) -> list[str]:
        """A list's values for drop-downs and validation: built-in first, then the user's own."""
        fixed = list(rs.fixed_list(key))
        return fixed + [v for v in self.user_lists.get(key, []) if v not in fixed]

    # -- row numbers
    def row_numbers(self, sheet: str) -> np.ndarray:
        """Excel row of every row of ``sheet``, in frame order (header is row ``header_rows``).

        Rows keep their number in the opened file until rows are inserted or deleted; then
        they are numbered as they will be saved.
        """
        frame = self.frames[sheet]
        first = self.header_rows.get(sheet, 1) + 1
        if sheet in self._renumbered:
            return np.arange(first, first + len(frame))
        mapping = self.source_rows[sheet]
        return np.fromiter((mapping[k] for k in frame.index), dtype=np.int64, count=len(frame))

    def row_number(self, sheet: str, key: int) -> int:
        pos = self.frames[sheet].index.get_loc(key)
        return int(self.row_numbers(sheet)[pos])

    # -- change tracking
    def new_keys(self, sheet: str, n: int) -> list[int]:
        start = self._next_key.get(sheet, 0)
        self._next_key[sheet] = start + n
        return list(range(start, start + n))

    def touch(self, sheet: str | None = None, structural: bool = False) -> None:
        """Record a change: marks the document dirty and bumps ``version``."""
        self.dirty = True
        self.version += 1
        if structural and sheet is not None:
            self._renumbered.add(sheet)

    def mark_saved(
        self,
        path: Path,
        source_rows: Mapping[str, dict[int, int]],
        header_rows: Mapping[str, int] | None = None,
    ) -> None:
        """Called by the store after a successful save: rows now have their saved numbers."""
        self.path = Path(path)
        self.dirty = False
        self.header_rows.update(header_rows or {})
        for sheet, mapping in source_rows.items():
            self.source_rows[sheet] = mapping
            self._renumbered.discard(sheet)

    # -- lookups
    def find_project(self, project_id: str) -> int | None:
        """Row key of the (first) project with this ID."""
        ids = self.projects["ID"]
        hits = ids.index[ids.fillna("").str.strip() == str(project_id).strip()]
        return int(hits[0]) if len(hits) else None

    def children(self, sheet: str, project_id: str) -> pd.DataFrame:
        frame = self.frames[sheet]
        return frame[frame[rs.PROJECT_REF].fillna("").str.strip() == str(project_id).strip()]


# --- IDs -----------------------------------------------------------------------------------


def _next_id(values: Iterable[object], prefix: str, width: int) -> str:
    pattern = re.compile(rf"^\s*{re.escape(prefix)}(\d+)\s*$", re.IGNORECASE)
    highest = 0
    for v in values:
        match = pattern.match(str(v)) if isinstance(v, str) else None
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1:0{width}d}"


def next_project_id(doc: RegisterDocument) -> str:
    """The next free project ID (IH-0001 style): one more than the highest in use."""
    return _next_id(doc.projects["ID"].dropna(), rs.PROJECT_ID_PREFIX, rs.PROJECT_ID_WIDTH)


def next_evidence_id(doc: RegisterDocument) -> str:
    """The next free evidence ID (EV-00001 style)."""
    return _next_id(doc.evidence["ID"].dropna(), rs.EVIDENCE_ID_PREFIX, rs.EVIDENCE_ID_WIDTH)


# --- edits ---------------------------------------------------------------------------------


@dataclass
class Edit(ABC):
    """A change that can be undone and redone; ``sheets`` says which frames to refresh."""

    description: str

    @property
    def sheets(self) -> tuple[str, ...]:
        return ()

    @abstractmethod
    def undo(self, doc: RegisterDocument) -> None:
        """Put the document back as it was before this edit."""

    @abstractmethod
    def redo(self, doc: RegisterDocument) -> None:
        """Apply this edit again after it was undone."""


def _insert(
    doc: RegisterDocument,
    sheet: str,
    rows: pd.DataFrame,
    positions: Sequence[int],
    raw: Mapping[tuple[int, str], object],
) -> None:
    frame = doc.frames[sheet]
    for name in rows.columns:
        if name not in frame.columns:
            frame[name] = pd.Series(dtype=object)
    rows = rows.reindex(columns=frame.columns)
    combined = pd.concat([frame, rows.astype(frame.dtypes.to_dict())])
    order = list(frame.index)
    for pos, key in sorted(zip(positions, rows.index, strict=True)):
        order.insert(min(pos, len(order)), key)
    doc.frames[sheet] = combined.loc[order]
    doc.raw[sheet].update(raw)
    doc.touch(sheet, structural=True)


def _remove(doc: RegisterDocument, sheet: str, keys: Sequence[int]) -> None:
    doc.frames[sheet] = doc.frames[sheet].drop(index=list(keys))
    dropped = set(keys)
    store = doc.raw[sheet]
    for cell in [c for c in store if c[0] in dropped]:
        del store[cell]
    doc.touch(sheet, structural=True)


@dataclass
class RowsInserted(Edit):
    """Rows added to a sheet at ``positions`` (positions in the frame after insertion)."""

    sheet: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    positions: list[int] = field(default_factory=list)
    raw: dict[tuple[int, str], object] = field(default_factory=dict)

    @property
    def sheets(self) -> tuple[str, ...]:
        return (self.sheet,)

    @property
    def keys(self) -> list[int]:
        return [int(k) for k in self.rows.index]

    def undo(self, doc: RegisterDocument) -> None:
        _remove(doc, self.sheet, self.keys)

    def redo(self, doc: RegisterDocument) -> None:
        _insert(doc, self.sheet, self.rows, self.positions, self.raw)


@dataclass
class RowsDeleted(Edit):
    """Rows removed from a sheet; undo puts them back where they were, with their raw values."""

    sheet: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    positions: list[int] = field(default_factory=list)
    raw: dict[tuple[int, str], object] = field(default_factory=dict)

    @property
    def sheets(self) -> tuple[str, ...]:
        return (self.sheet,)

    @property
    def keys(self) -> list[int]:
        return [int(k) for k in self.rows.index]

    def undo(self, doc: RegisterDocument) -> None:
        _insert(doc, self.sheet, self.rows, self.positions, self.raw)

    def redo(self, doc: RegisterDocument) -> None:
        _remove(doc, self.sheet, self.keys)


@dataclass
class CellsChanged(Edit):
    """Cells of one row changed: ``before``/``after`` map column to value."""

    sheet: str = ""
    key: int = 0
    before: dict[str, object] = field(default_factory=dict)
    after: dict[str, object] = field(default_factory=dict)
    raw_before: dict[tuple[int, str], object] = field(default_factory=dict)

    @property
    def sheets(self) -> tuple[str, ...]:
        return (self.sheet,)

    def _apply(self, doc: RegisterDocument, values: Mapping[str, object]) -> None:
        frame = doc.frames[self.sheet]
        for name, value in values.items():
            if name not in frame.columns:
                frame[name] = pd.Series(dtype=object)
            frame.loc[self.key, name] = value
            doc.raw[self.sheet].pop((self.key, name), None)
        doc.touch(self.sheet)

    def undo(self, doc: RegisterDocument) -> None:
        self._apply(doc, self.before)
        doc.raw[self.sheet].update(self.raw_before)

    def redo(self, doc: RegisterDocument) -> None:
        self._apply(doc, self.after)


@dataclass
class ListChanged(Edit):
    """The user's own values of an extendable list (PLUS groups, trusts) changed."""

    key: str = ""
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    def undo(self, doc: RegisterDocument) -> None:
        doc.user_lists[self.key] = list(self.before)
        doc.touch()

    def redo(self, doc: RegisterDocument) -> None:
        doc.user_lists[self.key] = list(self.after)
        doc.touch()


@dataclass
class CompoundEdit(Edit):
    """Several edits undone and redone as one (deleting a project with its evidence)."""

    edits: list[Edit] = field(default_factory=list)

    @property
    def sheets(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.edits:
            seen.update(dict.fromkeys(e.sheets))
        return tuple(seen)

    def undo(self, doc: RegisterDocument) -> None:
        for e in reversed(self.edits):
            e.undo(doc)

    def redo(self, doc: RegisterDocument) -> None:
        for e in self.edits:
            e.redo(doc)


# --- operations ----------------------------------------------------------------------------


def _typed_row(
    doc: RegisterDocument, sheet: str, key: int, fields: Mapping[str, object]
) -> pd.DataFrame:
    frame = doc.frames[sheet]
    known = {c.header: c for c in rs.SHEET_COLUMNS[sheet]}
    values: dict[str, list[object]] = {}
    for name in frame.columns:
        value = fields.get(name)
        col = known.get(name)
        values[name] = [coerce_input(col, value) if col is not None else value]
    for name, value in fields.items():
        if name not in values:
            values[name] = [value]
    row, _ = build_frame(sheet, values, [key])
    return row


def add_row(
    doc: RegisterDocument,
    sheet: str,
    fields: Mapping[str, object] | None = None,
    position: int | None = None,
) -> RowsInserted:
    """Add one row to ``sheet`` (at the end unless ``position`` is given)."""
    fields = dict(fields or {})
    if sheet == rs.SHEET_EVIDENCE and _is_blank(fields.get("ID")):
        fields["ID"] = next_evidence_id(doc)
    key = doc.new_keys(sheet, 1)[0]
    row = _typed_row(doc, sheet, key, fields)
    pos = len(doc.frames[sheet]) if position is None else int(position)
    edit = RowsInserted(f"Add {sheet.lower()} row", sheet, row, [pos], {})
    edit.redo(doc)
    return edit


def add_project(
    doc: RegisterDocument,
    fields: Mapping[str, object] | None = None,
    position: int | None = None,
    today: date | None = None,
) -> RowsInserted:
    """Add a project with the next free ID (unless one is given); ``edit.keys[0]`` is its key."""
    fields = dict(fields or {})
    if _is_blank(fields.get("ID")):
        fields["ID"] = next_project_id(doc)
    elif doc.find_project(str(fields["ID"])) is not None:
        raise UserError(f"Project ID {fields['ID']} is already used; choose another ID.")
    fields.setdefault("Last updated", today or date.today())
    edit = add_row(doc, rs.SHEET_PROJECTS, fields, position)
    edit.description = f"Add project {fields['ID']}"
    return edit


def add_evidence(doc: RegisterDocument, fields: Mapping[str, object]) -> RowsInserted:
    """Add an evidence row (next free EV- ID unless given)."""
    return add_row(doc, rs.SHEET_EVIDENCE, fields)


def add_measure(doc: RegisterDocument, fields: Mapping[str, object]) -> RowsInserted:
    """Add one measure value (a project's measure for one period)."""
    return add_row(doc, rs.SHEET_MEASURES, fields)


def add_pdsa(doc: RegisterDocument, fields: Mapping[str, object]) -> RowsInserted:
    """Add a PDSA cycle row."""
    return add_row(doc, rs.SHEET_PDSA, fields)


def update_row(
    doc: RegisterDocument, sheet: str, key: int, changes: Mapping[str, object]
) -> CellsChanged:
    """Change cells of one row; values are converted to the column's kind (UserError if not)."""
    frame = doc.frames[sheet]
    if key not in frame.index:
        raise KeyError(f"{sheet} has no row with key {key}")
    known = {c.header: c for c in rs.SHEET_COLUMNS[sheet]}
    after: dict[str, object] = {}
    for name, value in changes.items():
        col = known.get(name)
        after[name] = coerce_input(col, value) if col is not None else value
    before = {n: (frame.at[key, n] if n in frame.columns else None) for n in after}
    raw_before = {(key, n): doc.raw[sheet][(key, n)] for n in after if (key, n) in doc.raw[sheet]}
    edit = CellsChanged(f"Edit {sheet.lower()} row", sheet, int(key), before, after, raw_before)
    edit.redo(doc)
    return edit


def update_project(
    doc: RegisterDocument, key: int, changes: Mapping[str, object], today: date | None = None
) -> Edit:
    """Edit a project; a changed ID is carried to its evidence, measures and PDSA rows."""
    changes = dict(changes)
    changes.setdefault("Last updated", today or date.today())
    old_id = doc.projects.at[key, "ID"]
    new_id = changes.get("ID", old_id)
    if _is_blank(new_id):
        raise UserError("A project must have an ID.")
    if new_id == old_id or (not isinstance(old_id, str) and _is_blank(old_id)):
        edit = update_row(doc, rs.SHEET_PROJECTS, key, changes)
        edit.description = f"Edit project {new_id}"
        return edit
    other = doc.find_project(str(new_id))
    if other is not None and other != key:
        raise UserError(f"Project ID {new_id} is already used; choose another ID.")
    edits: list[Edit] = []
    if isinstance(old_id, str) and old_id.strip():
        for sheet in rs.CHILD_SHEETS:
            for child in doc.children(sheet, old_id).index:
                edits.append(update_row(doc, sheet, int(child), {rs.PROJECT_REF: new_id}))
    edits.append(update_row(doc, rs.SHEET_PROJECTS, key, changes))
    return CompoundEdit(f"Rename project {old_id} to {new_id}", edits)


def delete_rows(doc: RegisterDocument, sheet: str, keys: Iterable[int]) -> RowsDeleted:
    """Delete rows by key; undo restores them in place with any raw values."""
    frame = doc.frames[sheet]
    wanted = [int(k) for k in keys]
    positions = sorted(int(frame.index.get_loc(k)) for k in wanted)
    ordered = [int(frame.index[p]) for p in positions]
    rows = frame.loc[ordered].copy()
    dropped = set(ordered)
    raw = {c: v for c, v in doc.raw[sheet].items() if c[0] in dropped}
    edit = RowsDeleted(f"Delete {len(ordered)} {sheet.lower()} row(s)", sheet, rows, positions, raw)
    edit.redo(doc)
    return edit


def delete_project(doc: RegisterDocument, key: int, cascade: bool = True) -> Edit:
    """Delete a project and (``cascade``) its evidence, measures and PDSA rows, as one edit."""
    project_id = doc.projects.at[key, "ID"]
    edits: list[Edit] = []
    if cascade and isinstance(project_id, str) and project_id.strip():
        # Another row with the same (duplicate) ID keeps the children.
        ids = doc.projects["ID"].fillna("").str.strip()
        if int((ids == project_id.strip()).sum()) == 1:
            for sheet in rs.CHILD_SHEETS:
                child_keys = list(doc.children(sheet, project_id).index)
                if child_keys:
                    edits.append(delete_rows(doc, sheet, child_keys))
    edits.append(delete_rows(doc, rs.SHEET_PROJECTS, [key]))
    return CompoundEdit(f"Delete project {project_id}", edits)


def duplicate_project(doc: RegisterDocument, key: int, today: date | None = None) -> RowsInserted:
    """Copy a project (not its evidence) just below it, with a new ID and "(copy)" title."""
    frame = doc.projects
    source = frame.loc[key]
    new_key = doc.new_keys(rs.SHEET_PROJECTS, 1)[0]
    row = frame.loc[[key]].copy()
    row.index = pd.Index([new_key], dtype="int64")
    row.loc[new_key, "ID"] = next_project_id(doc)
    title = source["Title"]
    row.loc[new_key, "Title"] = f"{title} (copy)" if isinstance(title, str) else "(copy)"
    row.loc[new_key, "Last updated"] = pd.Timestamp(today or date.today())
    raw = {
        (new_key, col): v
        for (k, col), v in doc.raw[rs.SHEET_PROJECTS].items()
        if k == key and col not in ("ID", "Title", "Last updated")
    }
    pos = int(frame.index.get_loc(key)) + 1
    edit = RowsInserted(f"Duplicate project {source['ID']}", rs.SHEET_PROJECTS, row, [pos], raw)
    edit.redo(doc)
    return edit


def add_list_value(doc: RegisterDocument, key: str, value: str) -> ListChanged:
    """Add a user's own PLUS group or trust; stored in the workbook's Lists sheet."""
    definition = rs.LIST_BY_KEY[key]
    if not definition.extendable:
        raise UserError(f"The list of {definition.header.lower()} is fixed and cannot be changed.")
    value = value.strip()
    if not value:
        raise UserError("Type a name to add to the list.")
    existing = [v.casefold() for v in doc.list_values(key)]
    if value.casefold() in existing:
        raise UserError(f"'{value}' is already in the list of {definition.header.lower()}.")
    before = list(doc.user_lists.get(key, []))
    edit = ListChanged(f"Add '{value}' to {definition.header}", key, before, before + [value])
    edit.redo(doc)
    return edit


def remove_list_value(doc: RegisterDocument, key: str, value: str) -> ListChanged:
    """Remove a user-added value (built-in values cannot be removed)."""
    definition = rs.LIST_BY_KEY[key]
    before = list(doc.user_lists.get(key, []))
    if value not in before:
        raise UserError(f"'{value}' is not one of your own {definition.header.lower()}.")
    edit = ListChanged(
        f"Remove '{value}' from {definition.header}", key, before, [v for v in before if v != value]
    )
    edit.redo(doc)
    return edit


def split_multi(value: object) -> list[str]:
    """The items of a multi-valued cell ("a; b"), trimmed; empty for a blank cell."""
    if _is_blank(value):
        return []
    return [part.strip() for part in re.split(r"[;\n]", str(value)) if part.strip()]


def join_multi(items: Iterable[str]) -> str:
    return rs.MULTI_SEPARATOR.join(items)
