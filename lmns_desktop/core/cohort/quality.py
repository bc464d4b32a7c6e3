"""Data-quality report for an imported cohort, for the screen and for ``lmns-desktop check``.

Problems are located by spreadsheet row number (what the user sees in Excel), never by an
identifier, so the report can be written to disk and shared. Values of identifier fields are
never included; unmapped ethnicity labels are listed only when seen at least twice, so that a
wrongly mapped free-text column cannot put a person's details into the report.

JSON form (:meth:`QualityReport.to_dict`); keys are stable, new keys may be added, none renamed:

``schema`` ("lmns-cohort-quality"), ``version`` (1),
``source``: {``file``, ``format``, ``sheet``, ``header_rows`` [int], ``first_data_row``,
``last_data_row``, ``encoding``, ``delimiter``},
``n_rows`` (rows imported), ``n_columns`` (columns found), ``n_excluded`` (rows left out),
``mapping``: {field: {``column``, ``confidence`` 0-1, ``reason``}},
``unmapped_columns``: [column] (kept as grouping fields),
``fields``: {field: {``column`` (null if derived), ``present``, ``missing``, ``completeness``
(percent, 1 d.p.), ``invalid``: [issue], ``warnings``: [issue], ``out_of_range``: null or
{``min``, ``max``, ``count``, ``rows``, ``more``}, ``changes``: {kind: count}}},
``duplicates``: {"patient_id"|"nhs_number": {``duplicated_values``, ``rows_involved``, ``rows``,
``more``}},
``consistency``: [issue] (e.g. delivery before booking),
``excluded_rows``: [{``row``, ``reason``}], ``blank_rows_skipped``,
``ethnicity_unmapped``: {``values``: [{``value``, ``count``}], ``other_values``, ``other_rows``},
``imd_source``: {source: rows} (e.g. {"given": 4800, "IoD2019 via LSOA": 150, "not known": 50}),
``imd_edition`` (null or "IoD2019"/"IoD2025"), ``vintage_mismatch`` (bool),
``notes``: [sentence].

An *issue* is {``kind``, ``description``, ``count``, ``rows`` (up to 20 spreadsheet rows),
``more`` (rows not listed)}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lmns_desktop.core import vocab

from ._util import plural
from .header import ExcludedRow, HeaderInfo
from .mapping import Suggestion
from .normalise import Normalised

SCHEMA = "lmns-cohort-quality"
VERSION = 1
MAX_ROWS = 20

#: Plausible ranges; values outside are kept but reported (DESIGN/issue: age 10-60,
#: gestation at booking 4-42 weeks, BMI 12-80).
RANGES: dict[str, tuple[float, float]] = {
    "age": (10, 60),
    "gestation_at_booking_weeks": (4, 42),
    "bmi": (12, 80),
    "parity": (0, 20),
}


@dataclass(frozen=True)
class Issue:
    """A kind of problem, how many rows have it and which (spreadsheet row numbers)."""

    kind: str
    description: str
    rows: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, object]:
        shown = [int(r) for r in self.rows[:MAX_ROWS]]
        return {
            "kind": self.kind,
            "description": self.description,
            "count": self.count,
            "rows": shown,
            "more": max(0, self.count - len(shown)),
        }


@dataclass
class FieldQuality:
    """Completeness and problems of one canonical field."""

    field: str
    column: str | None
    present: int
    missing: int
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    out_of_range: tuple[float, float, Issue] | None = None
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def completeness(self) -> float:
        total = self.present + self.missing
        return round(100.0 * self.present / total, 1) if total else 0.0

    def to_dict(self) -> dict[str, object]:
        oor = None
        if self.out_of_range is not None:
            lo, hi, issue = self.out_of_range
            d = issue.to_dict()
            oor = {"min": lo, "max": hi, "count": d["count"], "rows": d["rows"], "more": d["more"]}
        return {
            "column": self.column,
            "present": self.present,
            "missing": self.missing,
            "completeness": self.completeness,
            "invalid": [i.to_dict() for i in self.invalid],
            "warnings": [i.to_dict() for i in self.warnings],
            "out_of_range": oor,
            "changes": dict(self.changes),
        }


@dataclass(frozen=True)
class Duplicates:
    """Values of an identifier that appear on more than one row (values themselves not kept)."""

    field: str
    duplicated_values: int
    rows: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        shown = [int(r) for r in self.rows[:MAX_ROWS]]
        return {
            "duplicated_values": self.duplicated_values,
            "rows_involved": len(self.rows),
            "rows": shown,
            "more": max(0, len(self.rows) - len(shown)),
        }


@dataclass
class QualityReport:
    """Everything the user should know about the quality of an imported cohort."""

    source: dict[str, object]
    n_rows: int
    n_columns: int
    mapping: dict[str, Suggestion]
    unmapped_columns: list[str]
    fields: dict[str, FieldQuality]
    duplicates: dict[str, Duplicates]
    consistency: list[Issue]
    excluded_rows: list[ExcludedRow]
    blank_rows_skipped: int
    unmapped_ethnicity: dict[str, int]
    imd_source: dict[str, int]
    imd_edition: str | None
    vintage_mismatch: bool
    notes: list[str]

    @property
    def n_excluded(self) -> int:
        return len(self.excluded_rows)

    def summary(self) -> list[str]:
        """Short sentences for the top of the quality panel."""
        out = [
            f"{self.n_rows:,} rows imported from {self.source.get('sheet') or 'the file'}; "
            f"{len(self.mapping)} of {self.n_columns} columns mapped."
        ]
        if self.excluded_rows:
            out.append(f"{plural(self.n_excluded, 'row')} left out (totals, notes or stray cells).")
        bad = sum(i.count for fq in self.fields.values() for i in fq.invalid)
        if bad:
            out.append(
                f"{plural(bad, 'value')} could not be used and "
                f"{'was' if bad == 1 else 'were'} left blank."
            )
        for dup in self.duplicates.values():
            out.append(
                f"{plural(dup.duplicated_values, 'duplicated ' + vocab.FIELD_LABELS[dup.field])} "
                f"on {plural(len(dup.rows), 'row')}."
            )
        return out

    def to_dict(self) -> dict[str, object]:
        """The JSON-able form written by ``lmns-desktop check`` (keys in the module docstring)."""
        shown = [(v, c) for v, c in self.unmapped_ethnicity.items() if c >= 2][:MAX_ROWS]
        shown_values = {v for v, _ in shown}
        other = [(v, c) for v, c in self.unmapped_ethnicity.items() if v not in shown_values]
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "source": dict(self.source),
            "n_rows": self.n_rows,
            "n_columns": self.n_columns,
            "n_excluded": self.n_excluded,
            "mapping": {
                f: {
                    "column": s.column,
                    "confidence": round(float(s.confidence), 3),
                    "reason": s.reason,
                }
                for f, s in self.mapping.items()
            },
            "unmapped_columns": list(self.unmapped_columns),
            "fields": {f: fq.to_dict() for f, fq in self.fields.items()},
            "duplicates": {f: d.to_dict() for f, d in self.duplicates.items()},
            "consistency": [i.to_dict() for i in self.consistency],
            "excluded_rows": [{"row": e.row, "reason": e.reason} for e in self.excluded_rows],
            "blank_rows_skipped": self.blank_rows_skipped,
            "ethnicity_unmapped": {
                "values": [{"value": v[:40], "count": c} for v, c in shown],
                "other_values": len(other),
                "other_rows": int(sum(c for _, c in other)),
            },
            "imd_source": dict(self.imd_source),
            "imd_edition": self.imd_edition,
            "vintage_mismatch": bool(self.vintage_mismatch),
            "notes": list(self.notes),
        }


def _rows(index: pd.Index, mask: np.ndarray | pd.Series) -> tuple[int, ...]:
    m = np.asarray(mask, dtype=bool)
    return tuple(np.asarray(index)[m].astype(np.int64).tolist())


def build_quality_report(
    normalised: Normalised,
    header: HeaderInfo,
    mapping: Iterable[Suggestion],
    *,
    source: Mapping[str, object] | None = None,
    imd_source: Mapping[str, int] | None = None,
    imd_edition: str | None = None,
    vintage_mismatch: bool = False,
    notes: Sequence[str] = (),
    today: date | None = None,
) -> QualityReport:
    """Assemble the report from the normalised frame and the records of what was changed."""
    frame = normalised.frame
    index = frame.index
    n = len(frame)
    used = {s.field: s for s in mapping if s.field}
    by_field_changes = normalised.changes_by_field()

    fields: dict[str, FieldQuality] = {}
    derived_only = [f for f in ("age", "age_under_20") if f in frame.columns and f not in used]
    for fld in [f for f in vocab.CANONICAL_FIELDS if f in frame.columns]:
        s = frame[fld]
        present = int(s.notna().sum())
        fq = FieldQuality(
            fld,
            used[fld].column if fld in used else None,
            present,
            n - present,
            changes=by_field_changes.get(fld, {}),
        )
        for p in normalised.problems:
            if p.field != fld:
                continue
            issue = Issue(p.kind, p.description, tuple(p.rows.astype(np.int64).tolist()))
            (fq.warnings if p.severity == "warning" else fq.invalid).append(issue)
        if fld in RANGES:
            lo, hi = RANGES[fld]
            values = pd.to_numeric(s, errors="coerce")
            bad = (values < lo) | (values > hi)
            bad = bad.fillna(False).to_numpy(dtype=bool)
            if bad.any():
                label = vocab.FIELD_LABELS.get(fld, fld)
                fq.out_of_range = (
                    lo,
                    hi,
                    Issue(
                        "out_of_range",
                        f"{label} outside {lo:g} to {hi:g}; kept, but check it",
                        _rows(index, bad),
                    ),
                )
        fields[fld] = fq
    for fld in derived_only:
        if fld in fields:
            fields[fld].column = None

    duplicates: dict[str, Duplicates] = {}
    for fld in ("patient_id", "nhs_number"):
        if fld in frame.columns:
            s = frame[fld]
            dup = (s.duplicated(keep=False) & s.notna()).to_numpy(dtype=bool)
            if dup.any():
                duplicates[fld] = Duplicates(fld, int(s[dup].nunique()), _rows(index, dup))

    consistency = _consistency(frame, today or date.today())
    src = dict(source or {})
    src.setdefault("header_rows", list(header.header_rows))
    src.setdefault("first_data_row", header.first_data_row)
    src.setdefault("last_data_row", header.last_data_row)
    if imd_source is None and "imd_source" in frame.columns:
        counts = frame["imd_source"].astype("str").fillna("not known").value_counts()
        imd_source = {str(k): int(v) for k, v in counts.items()}
    report_notes = list(notes)
    missing_key = _missing_key_fields(set(frame.columns))
    report_notes.extend(missing_key)
    return QualityReport(
        source=src,
        n_rows=n,
        n_columns=len(header.columns),
        mapping={f: s for f, s in used.items()},
        unmapped_columns=list(normalised.grouping_columns),
        fields=fields,
        duplicates=duplicates,
        consistency=consistency,
        excluded_rows=list(header.excluded_rows),
        blank_rows_skipped=header.blank_rows_skipped,
        unmapped_ethnicity=dict(normalised.unmapped_ethnicity),
        imd_source=dict(imd_source or {}),
        imd_edition=imd_edition,
        vintage_mismatch=vintage_mismatch,
        notes=report_notes,
    )


def _consistency(frame: pd.DataFrame, today: date) -> list[Issue]:
    out: list[Issue] = []
    idx = frame.index
    cols = frame.columns
    if "booking_date" in cols and "delivery_date" in cols:
        bad = (frame["delivery_date"] < frame["booking_date"]).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            out.append(
                Issue(
                    "delivery_before_booking",
                    "delivery date is before the booking date",
                    _rows(idx, bad),
                )
            )
    if "date_of_birth" in cols and "booking_date" in cols:
        bad = (frame["date_of_birth"] >= frame["booking_date"]).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            out.append(
                Issue(
                    "birth_after_booking",
                    "date of birth is on or after the booking date",
                    _rows(idx, bad),
                )
            )
    limit = pd.Timestamp(today)
    for fld in ("date_of_birth", "booking_date"):
        if fld in cols:
            bad = (frame[fld] > limit).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                out.append(
                    Issue(
                        f"{fld}_in_future",
                        f"{vocab.FIELD_LABELS[fld].lower()} is in the future",
                        _rows(idx, bad),
                    )
                )
    return out


def _missing_key_fields(columns: set[str]) -> list[str]:
    notes = []
    if not columns & {"imd_decile", "lsoa", "postcode"}:
        notes.append(
            "No IMD decile, LSOA or postcode column was mapped, so Core20 and "
            "deprivation cannot be profiled; map one if the file has it."
        )
    if "ethnic_category" not in columns:
        notes.append("No ethnicity column was mapped, so ethnic groups cannot be profiled.")
    return notes


__all__ = ["Duplicates", "FieldQuality", "Issue", "QualityReport", "build_quality_report"]
