"""Register validation: every problem as a full sentence naming the sheet, Excel row and column.

Why sentences: users fix problems in Excel or in the edit form, so a message must say where
("Projects row 14") and what is wrong in plain words. Invalid rows are flagged, never dropped.
Checks are vectorised per column so a 72,000-row register validates in well under a second.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core.register_model import RegisterDocument, build_frame, parse_date_text

IHI_MIN, IHI_MAX, IHI_STEP = 0.5, 5.0, 0.5


@dataclass(frozen=True)
class Problem:
    """One problem: ``row`` is the Excel row number (the header is row 1)."""

    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _phrase(header: str) -> str:
    """A column name inside a sentence: "target end date", but "IHI progress score"."""
    first, _, rest = header.partition(" ")
    if first.isupper() or (len(first) > 1 and first[1:].isupper()):
        return header
    return header[0].lower() + header[1:]


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime(rs.MESSAGE_DATE_FORMAT)
    if hasattr(value, "strftime"):
        return value.strftime(rs.MESSAGE_DATE_FORMAT)  # type: ignore[union-attr]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _list_phrase(key: str) -> str:
    return {
        "SUB_WORKSTREAMS": "one of the five sub-workstreams",
        "PROJECT_STATUSES": "a project status in the list",
        "RAG_RATINGS": "a RAG rating (Red, Amber, Green or Blue)",
        "PDSA_DECISIONS": "Adopt, Adapt or Abandon",
    }.get(key, f"in the list of {_phrase(rs.LIST_BY_KEY[key].header)}")


def _suggest(value: str, allowed: list[str]) -> str:
    folded = {a.casefold(): a for a in allowed}
    match = folded.get(value.strip().casefold())
    if match is None:
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
        match = close[0] if close else None
    return f" (did you mean '{match}'?)" if match else ""


_Finding = tuple[int, str, str]  # position in frame, column, sentence body (no row prefix)


def _findings(
    sheet: str,
    frame: pd.DataFrame,
    raw: Mapping[tuple[int, str], object],
    lists: Mapping[str, list[str]],
    project_ids: set[str] | None,
    other_ids: Mapping[str, int] | None = None,
    row_numbers: np.ndarray | None = None,
) -> list[_Finding]:
    """Problems of one sheet as (position, column, sentence body)."""
    out: list[_Finding] = []
    n = len(frame)
    if n == 0:
        return out
    pos_of = {k: i for i, k in enumerate(frame.index)}
    raw_at: dict[str, dict[int, object]] = {}
    for (key, col), value in raw.items():
        if key in pos_of:
            raw_at.setdefault(col, {})[pos_of[key]] = value
    for col in rs.SHEET_COLUMNS[sheet]:
        series = frame[col.header]
        bad_raw = raw_at.get(col.header, {})
        phrase = _phrase(col.header)
        if col.kind in ("date", "number", "integer"):
            for pos, value in sorted(bad_raw.items()):
                if col.kind == "date":
                    body = f"{phrase} '{_show(value)}' is not a date; type it as dd/mm/yyyy."
                elif col.kind == "integer":
                    body = f"{phrase} '{_show(value)}' is not a whole number."
                else:
                    body = f"{phrase} '{_show(value)}' is not a number."
                out.append((pos, col.header, body))
        missing = series.isna().to_numpy()
        if col.required:
            for pos in np.flatnonzero(missing):
                if int(pos) not in bad_raw:
                    out.append((int(pos), col.header, f"{phrase} is missing."))
        if col.kind == "choice" and col.choices:
            allowed = lists.get(col.choices, [])
            if not allowed:
                continue
            text = series.str.strip()
            bad = ~missing & ~text.isin(allowed).to_numpy()
            for pos in np.flatnonzero(bad):
                value = series.iloc[pos]
                out.append(
                    (
                        int(pos),
                        col.header,
                        f"{phrase} '{value}' is not {_list_phrase(col.choices)}"
                        f"{_suggest(value, allowed)}.",
                    )
                )
        elif col.kind == "multi" and col.choices:
            allowed_set = set(lists.get(col.choices, []))
            allowed = lists.get(col.choices, [])
            for pos in np.flatnonzero(~missing):
                cell = series.iloc[pos]
                parts = [p.strip() for p in str(cell).replace("\n", ";").split(";") if p.strip()]
                for part in parts:
                    if part not in allowed_set:
                        out.append(
                            (
                                int(pos),
                                col.header,
                                f"{phrase} '{part}' is not {_list_phrase(col.choices)}"
                                f"{_suggest(part, allowed)}; correct it or add it to the list.",
                            )
                        )
        elif col.kind == "yesno":
            words = rs.YES_WORDS | rs.NO_WORDS
            folded = series.str.strip().str.casefold()
            bad = ~missing & ~folded.isin(words).to_numpy()
            for pos in np.flatnonzero(bad):
                out.append(
                    (int(pos), col.header, f"{phrase} '{series.iloc[pos]}' should be Yes or No.")
                )
    out.extend(_sheet_rules(sheet, frame, project_ids, other_ids, row_numbers))
    return out


def _date_order(frame: pd.DataFrame, start: str, end: str, out: list[_Finding]) -> None:
    s, e = frame[start], frame[end]
    bad = (e < s).fillna(False).to_numpy(dtype=bool)
    for pos in np.flatnonzero(bad):
        out.append(
            (
                int(pos),
                end,
                f"{_phrase(end)} {_show(e.iloc[pos])} is before "
                f"{_phrase(start)} {_show(s.iloc[pos])}.",
            )
        )


def _duplicates(
    frame: pd.DataFrame,
    column: str,
    label: str,
    out: list[_Finding],
    other_ids: Mapping[str, int] | None,
    row_numbers: np.ndarray | None,
) -> None:
    ids = frame[column].str.strip()
    present = ids.notna().to_numpy()
    if other_ids is not None:
        for pos in np.flatnonzero(present):
            value = ids.iloc[pos]
            if value in other_ids:
                out.append(
                    (
                        int(pos),
                        column,
                        f"{label} {value} is already used in row {other_ids[value]}.",
                    )
                )
        return
    dup = ids.duplicated(keep=False).to_numpy() & present
    if not dup.any():
        return
    rows = row_numbers if row_numbers is not None else np.arange(2, len(frame) + 2)
    first_row: dict[str, int] = {}
    for pos in np.flatnonzero(dup):
        value = ids.iloc[pos]
        if value not in first_row:
            first_row[value] = int(rows[pos])
            continue
        out.append(
            (
                int(pos),
                column,
                f"{label} {value} is used more than once (also in row {first_row[value]}).",
            )
        )


def _sheet_rules(
    sheet: str,
    frame: pd.DataFrame,
    project_ids: set[str] | None,
    other_ids: Mapping[str, int] | None,
    row_numbers: np.ndarray | None,
) -> list[_Finding]:
    out: list[_Finding] = []
    if sheet == rs.SHEET_PROJECTS:
        _duplicates(frame, "ID", "project ID", out, other_ids, row_numbers)
        _date_order(frame, "Start date", "Target end date", out)
        score = frame["IHI progress score"]
        valid = score.isna() | (
            (score >= IHI_MIN) & (score <= IHI_MAX) & ((score / IHI_STEP) % 1 == 0)
        )
        for pos in np.flatnonzero(~valid.to_numpy(dtype=bool)):
            out.append(
                (
                    int(pos),
                    "IHI progress score",
                    f"IHI progress score {_show(score.iloc[pos])} must be between 0.5 and 5.0 in "
                    "steps of 0.5.",
                )
            )
        return out
    if project_ids is not None:
        refs = frame[rs.PROJECT_REF].str.strip()
        unknown = refs.notna().to_numpy() & ~refs.isin(project_ids).to_numpy()
        for pos in np.flatnonzero(unknown):
            out.append(
                (
                    int(pos),
                    rs.PROJECT_REF,
                    f"project ID {refs.iloc[pos]} does not match any project "
                    "on the Projects sheet.",
                )
            )
    if sheet == rs.SHEET_EVIDENCE:
        _duplicates(frame, "ID", "evidence ID", out, other_ids, row_numbers)
        reached = frame["People reached"]
        for pos in np.flatnonzero((reached < 0).fillna(False).to_numpy(dtype=bool)):
            out.append(
                (
                    int(pos),
                    "People reached",
                    f"people reached {reached.iloc[pos]} cannot be negative.",
                )
            )
    elif sheet == rs.SHEET_MEASURES:
        num, den = frame["Numerator"], frame["Denominator"]
        for name, series in (("Numerator", num), ("Denominator", den)):
            for pos in np.flatnonzero((series < 0).fillna(False).to_numpy(dtype=bool)):
                out.append(
                    (int(pos), name, f"{_phrase(name)} {series.iloc[pos]} cannot be negative.")
                )
        over = ((num > den) & (den >= 0)).fillna(False).to_numpy(dtype=bool)
        for pos in np.flatnonzero(over):
            out.append(
                (
                    int(pos),
                    "Numerator",
                    f"numerator {num.iloc[pos]} is larger than denominator {den.iloc[pos]}.",
                )
            )
    elif sheet == rs.SHEET_PDSA:
        cycle = frame["Cycle"]
        for pos in np.flatnonzero((cycle < 1).fillna(False).to_numpy(dtype=bool)):
            out.append((int(pos), "Cycle", f"cycle {cycle.iloc[pos]} must be 1 or more."))
        _date_order(frame, "Start date", "End date", out)
    return out


def _lists(doc: RegisterDocument | None) -> dict[str, list[str]]:
    if doc is not None:
        return {d.key: doc.list_values(d.key) for d in rs.LIST_DEFS}
    return {d.key: list(rs.fixed_list(d.key)) for d in rs.LIST_DEFS}


def _sentence(sheet: str, row: int, body: str) -> str:
    return f"{sheet} row {row}: {body}"


def validate(doc: RegisterDocument) -> list[Problem]:
    """All problems of a register, sheet by sheet, in row order."""
    lists = _lists(doc)
    ids = doc.projects["ID"].str.strip().dropna()
    project_ids = set(ids.tolist())
    problems: list[Problem] = []
    for sheet in rs.SHEET_COLUMNS:
        frame = doc.frames[sheet]
        rows = doc.row_numbers(sheet)
        found = _findings(
            sheet,
            frame,
            doc.raw[sheet],
            lists,
            None if sheet == rs.SHEET_PROJECTS else project_ids,
            row_numbers=rows,
        )
        order = {c.header: i for i, c in enumerate(rs.SHEET_COLUMNS[sheet])}
        for pos, column, body in sorted(found, key=lambda f: (f[0], order.get(f[1], 99))):
            row = int(rows[pos])
            problems.append(Problem(sheet, row, column, _sentence(sheet, row, body)))
    return problems


def problem_rows(problems: list[Problem], sheet: str) -> set[int]:
    """Excel rows of ``sheet`` that have a problem (for highlighting rows in the table)."""
    return {p.row for p in problems if p.sheet == sheet}


def validate_row(
    sheet: str,
    fields: Mapping[str, object],
    doc: RegisterDocument | None = None,
    key: int | None = None,
) -> dict[str, str]:
    """Problems of one row being edited in a form: ``{column: message}`` (empty when valid).

    Date text is read as dd/mm/yyyy; with ``doc`` the user's own lists apply, IDs are checked
    for uniqueness against the other rows (``key`` is the row being edited) and child rows for
    a matching project.
    """
    values: dict[str, list[object]] = {}
    for col in rs.SHEET_COLUMNS[sheet]:
        value = fields.get(col.header)
        if col.kind == "date" and isinstance(value, str) and value.strip():
            value = parse_date_text(value) or value
        values[col.header] = [value]
    frame, raw = build_frame(sheet, values, [0])
    other_ids: dict[str, int] | None = None
    project_ids: set[str] | None = None
    if doc is not None:
        if sheet in (rs.SHEET_PROJECTS, rs.SHEET_EVIDENCE):
            other = doc.frames[sheet]
            rows = doc.row_numbers(sheet)
            keep = other.index != key if key is not None else np.ones(len(other), dtype=bool)
            ids = other["ID"].str.strip()
            other_ids = {}
            for value, row, k in zip(ids.tolist(), rows.tolist(), keep.tolist(), strict=True):
                if k and isinstance(value, str) and value not in other_ids:
                    other_ids[value] = row
        if sheet != rs.SHEET_PROJECTS:
            project_ids = set(doc.projects["ID"].str.strip().dropna().tolist())
    found = _findings(sheet, frame, raw, _lists(doc), project_ids, other_ids)
    messages: dict[str, str] = {}
    for _pos, column, body in found:
        text = body[0].upper() + body[1:]
        messages[column] = f"{messages[column]} {text}" if column in messages else text
    return messages


def validate_project(
    fields: Mapping[str, object], doc: RegisterDocument | None = None, key: int | None = None
) -> dict[str, str]:
    """The project edit form's check: ``{column: message}`` for each field with a problem."""
    return validate_row(rs.SHEET_PROJECTS, fields, doc, key)
