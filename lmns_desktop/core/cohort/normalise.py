"""Turn mapped text columns into typed canonical fields, counting every change.

Each field has one normaliser that works on the *distinct* values of a column (a 200,000-row
export has a few thousand distinct dates and a handful of distinct flag spellings), so the cost
is per distinct value, not per row. Nothing is invented: an impossible date (31/02/2024), an
unreadable flag or an unknown ethnicity becomes missing and is reported with its spreadsheet
rows; blank stays unknown, never "no".

Output types: dates ``datetime64[ns]`` (date part); age, gestation, BMI, parity ``float64``;
``imd_decile``/``imd_quintile`` nullable ``Int8``; yes/no flags nullable ``boolean``; ethnic
category NHS codes "A".."S", "Z", "99" (``str``); identifiers and other text ``str``. Derived
columns: ``age`` (from date of birth at booking, where missing), ``age_under_20``,
``imd_quintile``, ``core20`` (deciles 1-2), ``most_deprived_decile`` (decile 1),
``ethnic_group``. Unmapped columns are kept as read, under their own names.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lmns_desktop.core import vocab
from lmns_desktop.core.jobs import (
    CancelledFn,
    ProgressFn,
    check_cancelled,
    never_cancelled,
    no_progress,
)

from ._util import EXCEL_ERRORS, plural

log = logging.getLogger(__name__)

DATE_FIELDS: tuple[str, ...] = ("date_of_birth", "booking_date", "delivery_date")
NUMBER_FIELDS: tuple[str, ...] = ("age", "gestation_at_booking_weeks", "parity", "bmi")
FLAG_FIELDS: tuple[str, ...] = (
    ("smoking_at_booking", "smoking_at_delivery") + vocab.PLUS_FLAG_FIELDS + vocab.OUTCOME_FIELDS
)
TEXT_FIELDS: tuple[str, ...] = ("patient_id", "trust", "site")
DERIVED_FIELDS: tuple[str, ...] = (
    "imd_quintile",
    "core20",
    "most_deprived_decile",
    "ethnic_group",
    "imd_source",
)

# --- Records of what changed ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """``count`` values of ``field`` were changed in one way (``kind`` is a stable key)."""

    field: str
    kind: str
    count: int
    description: str


@dataclass(frozen=True)
class Problem:
    """Values of a field that are invalid (set to missing) or suspicious (kept, ``warning``)."""

    field: str
    kind: str
    rows: np.ndarray
    description: str
    severity: str = "invalid"  # "invalid" (value left blank) or "warning" (value kept)

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Normalised:
    """The normalised cohort and everything that was changed on the way."""

    frame: pd.DataFrame
    fields: dict[str, str]  # canonical field -> source column
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmapped_ethnicity: dict[str, int] = field(default_factory=dict)
    grouping_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def changes_by_field(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for ch in self.changes:
            out.setdefault(ch.field, {})[ch.kind] = out.get(ch.field, {}).get(ch.kind, 0) + ch.count
        return out


class _Tracker:
    """Collects changes and problems for one field.

    Per-distinct-value normalisers label distinct values (``change``/``problem`` take indices
    into ``uniques``); vectorised ones pass masks over them (``change_u``/``problem_u``).
    """

    def __init__(
        self,
        fld: str,
        index: pd.Index,
        codes: np.ndarray | None = None,
        uniques: list[str] | None = None,
    ):
        self.field = fld
        self.index = index
        self.codes = codes if codes is not None else np.zeros(0, dtype=np.intp)
        self.uniques = uniques or []
        self.counts = (
            np.bincount(self.codes[self.codes >= 0], minlength=len(self.uniques))
            if self.uniques
            else np.zeros(0, dtype=np.int64)
        )
        self.changes: list[Change] = []
        self.problems: list[Problem] = []
        self.direct = False

    def _add_change(self, kind: str, n: int, description: str) -> None:
        if n:
            text = description.format(n=plural(n, "value"))
            if n == 1:
                text = text.replace(" were ", " was ", 1)
            self.changes.append(Change(self.field, kind, n, text))

    def change(self, kind: str, which: Sequence[int], description: str) -> None:
        if len(which):
            self._add_change(kind, int(self.counts[list(which)].sum()), description)

    def problem(
        self, kind: str, which: Sequence[int], description: str, severity: str = "invalid"
    ) -> None:
        if len(which):
            mask = np.isin(self.codes, np.asarray(list(which), dtype=self.codes.dtype))
            self.problem_mask(kind, mask, description, severity)

    def change_u(self, kind: str, mask_u: np.ndarray, description: str) -> None:
        """Count a change from a mask over the distinct values."""
        self._add_change(kind, int(self.counts[np.asarray(mask_u, dtype=bool)].sum()), description)

    def problem_u(
        self, kind: str, mask_u: np.ndarray, description: str, severity: str = "invalid"
    ) -> None:
        """Record the rows whose distinct value is flagged in ``mask_u``."""
        if np.any(mask_u):
            rows = np.append(np.asarray(mask_u, dtype=bool), False)[self.codes]
            self.problem_mask(kind, rows, description, severity)

    def problem_mask(
        self, kind: str, mask: np.ndarray, description: str, severity: str = "invalid"
    ) -> None:
        rows = np.asarray(self.index[np.asarray(mask, dtype=bool)], dtype=np.int64)
        if rows.size:
            self.problems.append(Problem(self.field, kind, rows, description, severity))


def _factorize(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes), [str(u) for u in np.asarray(uniques, dtype=object).tolist()]


def _expand(codes: np.ndarray, values: np.ndarray, missing: object) -> np.ndarray:
    """Per-row array from per-distinct-value results (code -1 = missing)."""
    ext = np.append(values, np.array([missing], dtype=values.dtype))
    return ext[codes]  # -1 picks the appended missing value


_MISSING_MARKERS = frozenset(
    {
        "null",
        "none",
        "nan",
        "n/a",
        "na",
        "-",
        "--",
        "?",
        "not known",
        "unknown",
        "not recorded",
        "missing",
        "blank",
        "not applicable",
        "nk",
        "n.k.",
        "unk",
    }
)


def _split_special(t: _Tracker, stripped: list[str]) -> tuple[list[int], list[int], list[int]]:
    """Indices of distinct values that are blank, formula errors or missing markers."""
    blank = [i for i, s in enumerate(stripped) if not s]
    errors = [i for i, s in enumerate(stripped) if s.upper() in EXCEL_ERRORS]
    markers = [i for i, s in enumerate(stripped) if s.lower() in _MISSING_MARKERS]
    t.change("blank", blank, "{n} held only spaces and were treated as missing")
    t.change(
        "formula_error",
        errors,
        "{n} were spreadsheet errors (#N/A, #DIV/0! ...) and were treated as missing",
    )
    t.problem("formula_error", errors, "spreadsheet formula error (#N/A, #DIV/0! ...)")
    t.change(
        "missing_marker",
        markers,
        "{n} said the value is not known (e.g. 'N/A', 'Unknown') and were treated as missing",
    )
    return blank, errors, markers



def _distinct_values(
    series: pd.Series, fld: str
) -> tuple[np.ndarray, list[str], _Tracker, list[str], set[int]]:
    """The common start of every normaliser: distinct values, their tracker, the values
    stripped, and the indices of blanks, formula errors and missing markers (already counted)."""
    codes, uniques = _factorize(series)
    t = _Tracker(fld, series.index, codes, uniques)
    stripped = [u.strip() for u in uniques]
    blank, errors, markers = _split_special(t, stripped)
    return codes, uniques, t, stripped, set(blank) | set(errors) | set(markers)

def _unique_frame(series: pd.Series, fld: str, direct: bool = False) -> tuple[_Tracker, pd.Series]:
    """Tracker plus the distinct values as a string Series (vectorised work on distinct values).

    ``direct`` skips finding distinct values for identifier columns, where nearly every value
    is different anyway: the "distinct values" are then the rows themselves.
    """
    if direct:
        n = len(series)
        codes = np.arange(n, dtype=np.intp)
        codes[series.isna().to_numpy()] = -1
        uniq = pd.Series(series.array, dtype="str")
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        codes = np.asarray(codes)
        uniq = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    t = _Tracker(fld, series.index, codes, [""] * len(uniq))
    t.direct = direct
    return t, uniq


def _special_u(t: _Tracker, stripped: pd.Series, markers: bool = True) -> np.ndarray:
    """Mask over distinct values that are blank, formula errors or "not known" markers.

    Cheap regular expressions pick the few candidates first, so identifier columns with
    200,000 distinct values cost milliseconds.
    """
    n = len(stripped)
    blank = _rx(stripped, r"^$")
    errors = np.zeros(n, dtype=bool)
    cand = np.flatnonzero(_rx(stripped, r"^#"))
    if cand.size:
        errors[cand] = stripped.iloc[cand].str.upper().isin(list(EXCEL_ERRORS)).to_numpy(dtype=bool)
    marker = np.zeros(n, dtype=bool)
    if markers:
        cand = np.flatnonzero(_rx(stripped, r"^[A-Za-z?/.\- ]{1,16}$"))
        if cand.size:
            marker[cand] = (
                stripped.iloc[cand].str.lower().isin(list(_MISSING_MARKERS)).to_numpy(dtype=bool)
            )
    t.change_u("blank", blank, "{n} held only spaces and were treated as missing")
    t.change_u(
        "formula_error",
        errors,
        "{n} were spreadsheet errors (#N/A, #DIV/0! ...) and were treated as missing",
    )
    t.problem_u("formula_error", errors, "spreadsheet formula error (#N/A, #DIV/0! ...)")
    t.change_u(
        "missing_marker",
        marker,
        "{n} said the value is not known (e.g. 'N/A', 'Unknown') and were treated as missing",
    )
    return blank | errors | marker


def _expand_u(t: _Tracker, values: pd.Series, index: pd.Index, name: str) -> pd.Series:
    """Per-row string Series from per-distinct-value results."""
    arr = values.array
    if t.direct:  # one "distinct value" per row, missing rows already missing
        return pd.Series(arr, index=index, name=name, dtype="str")
    taken = arr.take(t.codes, allow_fill=True)
    return pd.Series(taken, index=index, name=name, dtype="str")


def _arrow(series: pd.Series) -> object:
    """The column as an Arrow chunked array (zero-copy for Arrow-backed string columns)."""
    import pyarrow as pa

    arr = pa.array(series.array, type=pa.large_string())
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _rx(series: pd.Series, pattern: str) -> np.ndarray:
    """Row mask of values matching a regular expression (RE2 via Arrow: fast on 200k rows)."""
    import pyarrow.compute as pc

    hit = pc.fill_null(pc.match_substring_regex(_arrow(series), pattern), False)
    return hit.to_numpy()


def _rx_sub(series: pd.Series, pattern: str, repl: str) -> pd.Series:
    import pyarrow.compute as pc

    out = pc.replace_substring_regex(_arrow(series), pattern, repl)
    return pd.Series(pd.array(out, dtype="str"), index=series.index, name=series.name)


def _squash_spaces(series: pd.Series) -> pd.Series:
    """Strip and collapse runs of spaces, only touching the values that need it (fast path)."""
    needs = _rx(series, r"^\s|\s$|\s\s|[\t\r\n]")
    if not needs.any():
        return series
    out = series.copy()
    out[needs] = series[needs].str.replace(r"\s+", " ", regex=True).str.strip()
    return out


# --- Dates ---------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$"
)
_DMY = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$",
    re.I,
)
_DMONY = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([A-Za-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})$"
)
_MONDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_YMD8 = re.compile(r"^(19\d{2}|20\d{2})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serial numbers accepted as dates: 1 Jan 1900 .. 31 Dec 2099.
_SERIAL_RANGE = (2, 73415)


def _month(name: str) -> int | None:
    key = name.lower()[:3]
    if name.lower().startswith("sept"):
        key = "sep"
    return _MONTHS.get(key)


def _year(two: str, pivot: int) -> int:
    y = int(two)
    if len(two) == 4:
        return y
    return 2000 + y if 2000 + y <= pivot else 1900 + y


def parse_uk_dates(
    values: Sequence[str], pivot_year: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """Parse distinct date texts day-first: (datetime64[ns] array, kind per value).

    Kinds: "iso", "text", "month_name", "serial", "two_digit_year", "impossible",
    "month_first" (e.g. 12/31/2024, which is not a UK date) and "unrecognised". Impossible and
    unrecognised values are NaT, never rolled over or guessed.
    """
    pivot = pivot_year or (date.today().year + 1)
    n = len(values)
    ymd = np.full((n, 3), -1, dtype=np.int64)
    kinds = ["unrecognised"] * n
    serial_idx: list[int] = []
    serial_val: list[float] = []
    for i, raw in enumerate(values):
        s = raw.strip()
        m = _ISO.match(s)
        if m:
            ymd[i] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            kinds[i] = "iso"
            continue
        m = _DMY.match(s)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
            if mo > 12 and d <= 12:
                kinds[i] = "month_first"
                continue
            ymd[i] = (_year(y, pivot), mo, d)
            kinds[i] = "two_digit_year" if len(y) == 2 else "text"
            continue
        m = _DMONY.match(s)
        if m and _month(m.group(2)):
            y = m.group(3)
            ymd[i] = (_year(y, pivot), _month(m.group(2)), int(m.group(1)))
            kinds[i] = "two_digit_year" if len(y) == 2 else "month_name"
            continue
        m = _MONDY.match(s)
        if m and _month(m.group(1)):
            ymd[i] = (int(m.group(3)), _month(m.group(1)), int(m.group(2)))
            kinds[i] = "month_name"
            continue
        m = _YMD8.match(s)
        if m:
            ymd[i] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            kinds[i] = "text"
            continue
        if _SERIAL.match(s):
            v = float(s)
            if _SERIAL_RANGE[0] <= v <= _SERIAL_RANGE[1]:
                serial_idx.append(i)
                serial_val.append(v)
                kinds[i] = "serial"
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ymd[:, 0] >= 0
    if ok.any():
        parts = pd.DataFrame({"year": ymd[ok, 0], "month": ymd[ok, 1], "day": ymd[ok, 2]})
        valid = (
            parts["month"].between(1, 12)
            & parts["day"].between(1, 31)
            & parts["year"].between(1800, 2200)
        )
        parsed = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
        if valid.any():
            parsed[valid] = pd.to_datetime(parts[valid], errors="coerce").astype("datetime64[ns]")
        out[ok] = parsed.to_numpy(dtype="datetime64[ns]")
        for i in np.flatnonzero(ok)[parsed.isna().to_numpy()]:
            kinds[i] = "impossible"
    if serial_idx:
        days = np.floor(np.asarray(serial_val))
        stamps = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).to_numpy(dtype="datetime64[ns]")
        out[np.asarray(serial_idx)] = stamps
    return out, kinds


def _normalise_date(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    codes, uniques, t, stripped, special = _distinct_values(series, fld)
    values, kinds = parse_uk_dates(stripped)
    for i in special:
        values[i] = np.datetime64("NaT")
        kinds[i] = "special"
    by = _group(kinds)
    t.change("text_date", by.get("text", []), "{n} were text dates read day-first (dd/mm/yyyy)")
    t.change("month_name_date", by.get("month_name", []), "{n} were text dates with a month name")
    t.change(
        "two_digit_year",
        by.get("two_digit_year", []),
        "{n} had a two-digit year, read as 19xx or 20xx (whichever is not in the future)",
    )
    t.change(
        "excel_serial",
        by.get("serial", []),
        "{n} were Excel date serial numbers and were converted to dates",
    )
    bad = by.get("impossible", [])
    t.change("impossible_date", bad, "{n} were impossible dates (e.g. 31/02) and were left blank")
    t.problem("impossible_date", bad, "impossible date (such as 31 February); left blank")
    mf = by.get("month_first", [])
    t.change("month_first", mf, "{n} looked month-first (US style) and were left blank")
    t.problem("month_first", mf, "date looks month-first (mm/dd/yyyy), not a UK date; left blank")
    un = by.get("unrecognised", [])
    t.change("unrecognised", un, "{n} were not recognisable dates and were left blank")
    t.problem("unrecognised", un, "not a recognisable date; left blank")
    # Keep the date part only (Excel date-times carry a time of day).
    days = values.astype("datetime64[D]").astype("datetime64[ns]")
    out = pd.Series(_expand(codes, days, np.datetime64("NaT")), index=series.index, name=fld)
    return out, t


def _group(kinds: Sequence[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, k in enumerate(kinds):
        out.setdefault(k, []).append(i)
    return out


# --- Numbers -------------------------------------------------------------------------------

_NUM = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_NUM_UNIT = re.compile(
    r"^([-+]?\d+(?:[.,]\d+)?)\s*(?:y|yr|yrs|years?|wks?|weeks?|w|kg/m2|kg/m²|kg\s*/\s*m\^?2)?\.?$",
    re.I,
)
_WEEKS_DAYS = re.compile(
    r"^(\d{1,2})\s*(?:\+|w(?:ee)?ks?\s*|w\s*\+?\s*)\s*(\d)\s*(?:d(?:ays?)?)?$", re.I
)
_PARITY = re.compile(r"^(?:G\s*\d+\s*)?P\s*(\d+)(?:\s*\+\s*\d+)?$|^(\d+)\s*\+\s*\d+$", re.I)


def _parse_number(text: str, fld: str) -> tuple[float | None, str]:
    s = text.strip()
    if _NUM.match(s):
        return float(s), "number"
    if fld == "gestation_at_booking_weeks":
        m = _WEEKS_DAYS.match(s)
        if m:
            return int(m.group(1)) + int(m.group(2)) / 7.0, "weeks_days"
    if fld == "parity":
        m = _PARITY.match(s)
        if m:
            return float(m.group(1) or m.group(2)), "parity_notation"
    m = _NUM_UNIT.match(s)
    if m:
        return float(m.group(1).replace(",", ".")), "with_units"
    return None, "unrecognised"


def _normalise_number(
    series: pd.Series, fld: str, source_column: str
) -> tuple[pd.Series, _Tracker]:
    codes, uniques, t, stripped, special = _distinct_values(series, fld)
    values = np.full(len(uniques), np.nan)
    kinds = []
    for i, s in enumerate(stripped):
        if i in special:
            kinds.append("special")
            continue
        v, kind = _parse_number(s, fld)
        kinds.append(kind)
        if v is not None:
            values[i] = v
    by = _group(kinds)
    t.change(
        "with_units", by.get("with_units", []), "{n} had units or a comma decimal that were removed"
    )
    t.change("weeks_days", by.get("weeks_days", []), "{n} were written as weeks+days (e.g. 12+3)")
    t.change(
        "parity_notation",
        by.get("parity_notation", []),
        "{n} were written in obstetric notation (e.g. G2P1 or 1+0); the parity was kept",
    )
    un = by.get("unrecognised", [])
    t.change("unrecognised", un, "{n} were not numbers and were left blank")
    t.problem("unrecognised", un, "not a number; left blank")
    if fld == "gestation_at_booking_weeks" and "day" in source_column.lower():
        values = values / 7.0
        t.change(
            "days_to_weeks",
            [i for i, k in enumerate(kinds) if k in ("number", "with_units")],
            "{n} were in days (the heading says days) and were converted to weeks",
        )
    out = pd.Series(_expand(codes, values, np.nan), index=series.index, name=fld, dtype="float64")
    return out, t


# --- Yes/no flags --------------------------------------------------------------------------

FLAG_TRUE: frozenset[str] = frozenset(
    {
        "y",
        "yes",
        "true",
        "t",
        "1",
        "1.0",
        "x",
        "✓",
        "✔",
        "☑",
        "✅",
        "ticked",
        "tick",
        "checked",
        "positive",
        "present",
        "on",
        "current",
        "current smoker",
        "smoker",
        "yes - current",
        "smoking",
        "yes current",
        "confirmed",
        "identified",
        "disclosed",
        "breast",
        "breast milk",
        "maternal or donor breast milk",
        "01",
        "02",
    }
)
FLAG_FALSE: frozenset[str] = frozenset(
    {
        "n",
        "no",
        "false",
        "f",
        "0",
        "0.0",
        "✗",
        "✘",
        "☐",
        "unticked",
        "not ticked",
        "unchecked",
        "negative",
        "absent",
        "off",
        "none",
        "non-smoker",
        "non smoker",
        "nonsmoker",
        "never",
        "never smoked",
        "ex-smoker",
        "ex smoker",
        "former smoker",
        "not smoking",
        "no - never",
        "not current",
        "not breast milk",
        "formula",
        "03",
        "not present",
        "not identified",
        "no concerns",
        "not disclosed",
    }
)
FLAG_UNKNOWN: frozenset[str] = frozenset(
    {
        "u",
        "unknown",
        "not known",
        "nk",
        "n/k",
        "not recorded",
        "not stated",
        "declined",
        "not asked",
        "n/a",
        "na",
        "-",
        "?",
        "unsure",
        "null",
        "missing",
        "zz",
        "99",
        "9",
        "z",
    }
)


def flag_value(text: str) -> bool | None | str:
    """True/False for a yes/no spelling, None for "unknown", "invalid" otherwise."""
    s = " ".join(str(text).strip().lower().split())
    if not s:
        return None
    if s in FLAG_TRUE:
        return True
    if s in FLAG_FALSE:
        return False
    if s in FLAG_UNKNOWN or s.upper() in EXCEL_ERRORS:
        return None
    return "invalid"


def _normalise_flag(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    codes, uniques = _factorize(series)
    t = _Tracker(fld, series.index, codes, uniques)
    stripped = [u.strip() for u in uniques]
    errors = [i for i, s in enumerate(stripped) if s.upper() in EXCEL_ERRORS]
    t.change(
        "formula_error",
        errors,
        "{n} were spreadsheet errors (#N/A, #DIV/0! ...) and were treated as unknown",
    )
    t.problem("formula_error", errors, "spreadsheet formula error (#N/A, #DIV/0! ...)")
    values = np.zeros(len(uniques), dtype=np.int8)  # 1 true, 0 false, -1 unknown
    recoded, unknown, invalid = [], [], []
    for i, s in enumerate(stripped):
        v = flag_value(s)
        if v is True or v is False:
            values[i] = 1 if v else 0
            recoded.append(i)
        elif v is None:
            values[i] = -1
            if s and i not in errors:
                unknown.append(i)
        else:
            values[i] = -1
            invalid.append(i)
    t.change("recoded", recoded, "{n} were recoded to yes/no (e.g. 'Y', '1', '✓')")
    t.change(
        "explicit_unknown", unknown, "{n} said 'unknown' (or similar) and were kept as unknown"
    )
    t.change("unrecognised", invalid, "{n} were not a recognisable yes/no and were left unknown")
    t.problem("unrecognised", invalid, "not a recognisable yes/no value; left unknown")
    per_row = _expand(codes, values, np.int8(-1))
    arr = pd.array(per_row == 1, dtype="boolean")
    arr[per_row < 0] = pd.NA
    return pd.Series(arr, index=series.index, name=fld), t


# --- Ethnicity -----------------------------------------------------------------------------

_NATIONAL_LETTERS = frozenset("ABCDEFGHJKLMNPRSZ")
_ETHNIC_NOT_KNOWN = frozenset(
    {
        "99",
        "9",
        "x",
        "xx",
        "not known",
        "unknown",
        "not recorded",
        "not asked",
        "nk",
        "unk",
        "missing",
        "na",
        "n a",
        "not available",
        "unable to ask",
        "not given",
        "unable to establish",
    }
)
_ETHNIC_NOT_STATED = frozenset(
    {
        "z",
        "zz",
        "not stated",
        "declined",
        "refused",
        "prefer not to say",
        "declined to state",
        "not disclosed",
        "patient declined",
        "withheld",
        "ns",
        "declined to answer",
        "chose not to say",
        "preferred not to say",
        "did not wish to state",
    }
)
_ETHNIC_EXTRA: dict[str, tuple[str, ...]] = {
    "A": (
        "white british",
        "british",
        "white english",
        "english",
        "welsh",
        "scottish",
        "northern irish",
        "white uk",
        "white welsh",
        "white scottish",
        "white english welsh scottish northern irish or british",
        "english welsh scottish northern irish or british",
        "white english welsh scottish northern irish british",
        "white british english",
        "wb",
    ),
    "B": ("white irish", "irish"),
    "C": (
        "white other",
        "other white",
        "any other white background",
        "white any other",
        "white european",
        "european",
        "eastern european",
        "white eastern european",
        "polish",
        "white other european",
        "gypsy or irish traveller",
        "gypsy",
        "traveller",
        "irish traveller",
        "roma",
        "white gypsy or irish traveller",
        "white roma",
        "white other background",
        "gypsy traveller",
        "white any other white background",
        "other white background",
    ),
    "D": (
        "white and black caribbean",
        "mixed white and black caribbean",
        "mixed white black caribbean",
        "white black caribbean",
    ),
    "E": (
        "white and black african",
        "mixed white and black african",
        "mixed white black african",
        "white black african",
    ),
    "F": ("white and asian", "mixed white and asian", "mixed white asian", "white asian"),
    "G": (
        "any other mixed background",
        "mixed other",
        "other mixed",
        "mixed",
        "mixed any other",
        "any other mixed or multiple ethnic background",
        "mixed multiple",
        "other mixed background",
        "mixed or multiple",
        "mixed other background",
        "mixed any other mixed background",
    ),
    "H": ("indian", "asian indian", "british indian", "indian british", "asian british indian"),
    "J": ("pakistani", "asian pakistani", "british pakistani", "asian british pakistani"),
    "K": ("bangladeshi", "asian bangladeshi", "british bangladeshi", "asian british bangladeshi"),
    "L": (
        "any other asian background",
        "asian other",
        "other asian",
        "asian",
        "asian any other",
        "sri lankan",
        "tamil",
        "nepali",
        "asian other background",
        "other asian background",
        "asian british other",
        "asian any other asian background",
        "asian british",
    ),
    "M": ("caribbean", "black caribbean", "black british caribbean", "caribbean black"),
    "N": (
        "african",
        "black african",
        "black british african",
        "somali",
        "nigerian",
        "ghanaian",
        "eritrean",
        "african black",
    ),
    "P": (
        "any other black background",
        "black other",
        "other black",
        "black",
        "black british",
        "black any other",
        "black other background",
        "other black background",
        "black any other black background",
        "black british other",
    ),
    "R": (
        "chinese",
        "other chinese",
        "asian chinese",
        "chinese other ethnic group",
        "other ethnic group chinese",
    ),
    "S": (
        "any other ethnic group",
        "other",
        "other ethnic group",
        "arab",
        "other arab",
        "other ethnic",
        "any other",
        "latin american",
        "other any other ethnic group",
        "any other ethnic background",
        "other ethnic background",
        "other any other",
    ),
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CODE_LABEL = re.compile(r"^([A-HJ-NPRSZ]\d?|99)\s*[-:.)–]\s*\S", re.I)
_LABEL_CODE = re.compile(r"\(\s*([A-HJ-NPRSZ]\d?|99)\s*\)$", re.I)
_LOOSE_DROP = frozenset(
    {"any", "background", "group", "ethnic", "or", "and", "the", "of", "groups"}
)


def _ekey(text: str) -> str:
    return _NON_ALNUM.sub(" ", text.lower().replace("&", " and ")).strip()


def _loose(key: str) -> str:
    return " ".join(w for w in key.split() if w not in _LOOSE_DROP)


def _build_ethnic_table() -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    for code, label in vocab.ETHNIC_CATEGORIES.items():
        exact[_ekey(label)] = code
        if " - " in label:
            group, sub = label.split(" - ", 1)
            exact.setdefault(_ekey(sub), code)
            exact.setdefault(_ekey(f"{group.split()[0]} {sub}"), code)
            exact.setdefault(_ekey(f"{group} {sub}"), code)
    for code, labels in _ETHNIC_EXTRA.items():
        for lab in labels:
            exact[_ekey(lab)] = code
    for lab in _ETHNIC_NOT_KNOWN:
        exact[_ekey(lab)] = "99"
    for lab in _ETHNIC_NOT_STATED:
        exact[_ekey(lab)] = "Z"
    loose: dict[str, str] = {}
    clash: set[str] = set()
    for key, code in exact.items():
        lk = _loose(key)
        if lk in loose and loose[lk] != code:
            clash.add(lk)
        loose.setdefault(lk, code)
    for lk in clash:
        loose.pop(lk, None)
    return exact, loose


_ETHNIC_EXACT, _ETHNIC_LOOSE = _build_ethnic_table()


def ethnic_code(text: object) -> str | None:
    """NHS ethnic category code for a code or label ("A1" -> "A", "Black African" -> "N").

    Returns "99" for not known (including "X" and "9") and "Z" for not stated; None when the
    value cannot be mapped (the caller lists those for the user).
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    up = s.upper()
    if up in ("99", "9", "X", "XX"):
        return "99"
    if up in ("NA", "N/A", "NK", "UNK"):
        return "99"
    if up in ("NS",):
        return "Z"
    if len(up) == 1:
        return up if up in _NATIONAL_LETTERS else None
    if len(up) == 2 and up[0] in _NATIONAL_LETTERS and up[1].isalnum() and up.isascii():
        return up[0]  # local two-character code: the first character is the national code
    m = _CODE_LABEL.match(s) or _LABEL_CODE.search(s)
    if m:
        code = m.group(1).upper()
        return "99" if code == "99" else code[0]
    key = _ekey(s)
    if key in _ETHNIC_EXACT:
        return _ETHNIC_EXACT[key]
    return _ETHNIC_LOOSE.get(_loose(key))


def _normalise_ethnicity(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker, dict[str, int]]:
    codes, uniques = _factorize(series)
    t = _Tracker(fld, series.index, codes, uniques)
    stripped = [u.strip() for u in uniques]
    errors = [i for i, s in enumerate(stripped) if s.upper() in EXCEL_ERRORS]
    t.change(
        "formula_error",
        errors,
        "{n} were spreadsheet errors (#N/A ...) and were treated as not known",
    )
    values = np.empty(len(uniques), dtype=object)
    local, labels, unmapped, x_codes = [], [], [], []
    for i, s in enumerate(stripped):
        if i in errors or not s:
            values[i] = None
            continue
        code = ethnic_code(s)
        values[i] = code
        if code is None:
            unmapped.append(i)
        elif s.upper() in ("X", "XX", "9"):
            x_codes.append(i)
        elif len(s) == 2 and s.upper() != code and s.upper() != "99":
            local.append(i)
        elif s.upper() != code:
            labels.append(i)
    t.change(
        "local_code",
        local,
        "{n} were local two-character codes reduced to the national letter (e.g. A1 -> A)",
    )
    t.change("label", labels, "{n} were labels mapped to NHS codes (e.g. 'Black African' -> N)")
    t.change("x_not_known", x_codes, "{n} were 'X' or '9' and were recorded as 99 (not known)")
    t.change(
        "unmapped",
        unmapped,
        "{n} could not be mapped to an NHS ethnic category and were left blank",
    )
    t.problem("unmapped", unmapped, "not a known NHS ethnic category code or label; left blank")
    counts = {uniques[i]: int(t.counts[i]) for i in unmapped}
    out = pd.Series(_expand(codes, values, None), index=series.index, name=fld)
    return out.astype("str"), t, dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# --- Postcodes, LSOA, NHS number, IMD ------------------------------------------------------

_PC_FULL = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_PC_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
_PC_PSEUDO = re.compile(r"^ZZ99\d[A-Z]{2}$")


def normalise_postcode(text: str) -> tuple[str | None, str]:
    """("OUT IN" or None, kind): kind is "ok", "reformatted", "pseudo", "partial" or "invalid"."""
    compact = re.sub(r"[^A-Z0-9]", "", str(text).upper())
    if compact == "GIR0AA":
        return "GIR 0AA", "ok" if text.strip() == "GIR 0AA" else "reformatted"
    if _PC_PSEUDO.match(compact):
        return f"{compact[:4]} {compact[4:]}", "pseudo"
    m = _PC_FULL.match(compact)
    if m:
        formatted = f"{m.group(1)} {m.group(2)}"
        return formatted, "ok" if formatted == text.strip() else "reformatted"
    if _PC_DISTRICT.match(compact):
        return None, "partial"
    return None, "invalid"


def postcode_key(series: pd.Series) -> pd.Series:
    """Postcodes reduced for joining to a lookup: upper case, no spaces."""
    return _rx_sub(series.astype("str").str.upper(), r"[^A-Z0-9]", "")


def _normalise_postcode(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    t, uniq = _unique_frame(series, fld)
    stripped = _squash_spaces(uniq)
    special = _special_u(t, stripped)
    compact = postcode_key(stripped)
    full = _rx(compact, r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$") & ~special
    gir = (compact == "GIR0AA").fillna(False).to_numpy(dtype=bool) & ~special
    pseudo = _rx(compact, r"^ZZ99\d[A-Z]{2}$") & ~special
    formatted = compact.str[:-3] + " " + compact.str[-3:]
    partial = _rx(compact, r"^[A-Z]{1,2}\d[A-Z\d]?$") & ~special & ~full
    ok = full | gir
    invalid = ~special & ~ok & ~partial
    reformatted = ok & (formatted != uniq).fillna(True).to_numpy(dtype=bool)
    t.change_u(
        "reformatted", reformatted & ~pseudo, "{n} were put in standard form (capitals, one space)"
    )
    t.change_u(
        "pseudo",
        pseudo,
        "{n} were ZZ99 pseudo-postcodes (no fixed abode or resident "
        "overseas); kept, but they have no LSOA",
    )
    t.change_u(
        "partial", partial, "{n} were only a postcode district (e.g. NF10) and were left blank"
    )
    t.problem_u("partial", partial, "only the postcode district, not a full postcode; left blank")
    t.change_u("invalid", invalid, "{n} were not valid UK postcodes and were left blank")
    t.problem_u("invalid", invalid, "not a valid UK postcode; left blank")
    values = formatted.where(ok, None).astype("str")
    return _expand_u(t, values, series.index, fld), t


_LSOA_ENGLAND = re.compile(r"^E01\d{6}$")
_LSOA_WALES = re.compile(r"^W01\d{6}$")


def _normalise_lsoa(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    codes, uniques, t, stripped, special = _distinct_values(series, fld)
    values = np.empty(len(uniques), dtype=object)
    reformatted, welsh, invalid = [], [], []
    for i, s in enumerate(stripped):
        values[i] = None
        if i in special:
            continue
        compact = re.sub(r"\s+", "", s.upper())
        if _LSOA_ENGLAND.match(compact) or _LSOA_WALES.match(compact):
            values[i] = compact
            if compact != s:
                reformatted.append(i)
            if compact.startswith("W"):
                welsh.append(i)
        else:
            invalid.append(i)
    t.change("reformatted", reformatted, "{n} were put in standard form (capitals, no spaces)")
    t.change("welsh", welsh, "{n} were Welsh LSOAs (W01...), which have no English IMD decile")
    t.change("invalid", invalid, "{n} were not LSOA codes (E01 and six digits) and were left blank")
    t.problem("invalid", invalid, "not an LSOA code (E01 followed by six digits); left blank")
    out = pd.Series(_expand(codes, values, None), index=series.index, name=fld)
    return out.astype("str"), t


def nhs_number_valid(digits: str) -> bool:
    """Modulus 11 check digit of a ten-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


_SCI = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")


def _ascii_block(values: pd.Series) -> bytes:
    """The characters of equal-length ASCII strings run together (zero-copy via Arrow)."""
    arr = _arrow(values).combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = arr.buffers()[2]
    return data.to_pybytes()[int(offsets[0]) : int(offsets[-1])] if data is not None else b""


def nhs_check_digits_ok(digits: pd.Series) -> np.ndarray:
    """Vectorised Modulus 11 check of ten-digit strings (all values must be ten digits)."""
    if len(digits) == 0:
        return np.zeros(0, dtype=bool)
    raw = np.frombuffer(_ascii_block(digits), dtype=np.uint8)
    d = raw.reshape(-1, 10).astype(np.int64) - 48
    total = d[:, :9] @ np.arange(10, 1, -1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return (check != 10) & (check == d[:, 9])


def _normalise_nhs(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    t, uniq = _unique_frame(series, fld, direct=True)
    stripped = uniq.str.strip()
    special = _special_u(t, stripped)
    sci = _rx(stripped, _SCI.pattern) & ~special
    digits = _rx_sub(stripped, r"[\s-]|\.0$", "")
    ten = _rx(digits, r"^\d{10}$") & ~special & ~sci
    invalid = ~special & ~ten & ~sci
    cleaned = ten & (digits != uniq).fillna(False).to_numpy(dtype=bool)
    check_ok = np.ones(len(uniq), dtype=bool)
    check_ok[ten] = nhs_check_digits_ok(digits[ten])
    t.change_u("cleaned", cleaned, "{n} had spaces, dashes or '.0' removed")
    t.change_u(
        "scientific",
        sci,
        "{n} were in scientific notation (e.g. 9.99E+09), so digits were lost; left blank",
    )
    t.problem_u(
        "scientific",
        sci,
        "NHS number saved in scientific notation (digits lost when "
        "the CSV was saved from Excel); left blank",
    )
    t.change_u("invalid", invalid, "{n} were not ten-digit NHS numbers and were left blank")
    t.problem_u("invalid", invalid, "not a ten-digit NHS number; left blank")
    t.problem_u(
        "check_digit",
        ten & ~check_ok,
        "NHS number fails the check digit (typing error, or a test number); kept",
        severity="warning",
    )
    return _expand_u(t, digits.where(ten, None).astype("str"), series.index, fld), t


_DECILE = re.compile(r"^\D{0,16}?(\d{1,2})(?:\.0+)?(?:\s*[-:(].*|\s+\D.*)?$")


def _normalise_decile(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    codes, uniques, t, stripped, special = _distinct_values(series, fld)
    values = np.full(len(uniques), -1, dtype=np.int16)
    text, invalid = [], []
    for i, s in enumerate(stripped):
        if i in special:
            continue
        m = re.fullmatch(r"\d{1,2}(?:\.0+)?", s)
        if m:
            v = int(float(s))
        else:
            m = _DECILE.match(s)
            v = int(m.group(1)) if m else -1
            if m:
                text.append(i)
        if 1 <= v <= 10:
            values[i] = v
        else:
            invalid.append(i)
            if i in text:
                text.remove(i)
    t.change("from_text", text, "{n} were read from text such as 'Decile 3' or '1 - most deprived'")
    t.change("invalid", invalid, "{n} were not deciles 1 to 10 and were left blank")
    t.problem("invalid", invalid, "not an IMD decile from 1 to 10; left blank")
    per_row = _expand(codes, values, np.int16(-1))
    arr = pd.array(per_row, dtype="Int8")
    arr[per_row < 0] = pd.NA
    return pd.Series(arr, index=series.index, name=fld), t


def _normalise_text(series: pd.Series, fld: str) -> tuple[pd.Series, _Tracker]:
    t, uniq = _unique_frame(series, fld, direct=fld == "patient_id")
    cleaned = _squash_spaces(uniq)
    # an ID is never a "not known" marker
    special = _special_u(t, cleaned, markers=fld != "patient_id")
    trimmed = ~special & (cleaned != uniq).fillna(False).to_numpy(dtype=bool)
    t.change_u("trimmed", trimmed, "{n} had extra spaces removed")
    return _expand_u(t, cleaned.where(~special, None).astype("str"), series.index, fld), t


# --- Derived fields ------------------------------------------------------------------------


def completed_years(born: pd.Series, on: pd.Series) -> pd.Series:
    """Age in completed years on a date (NaN where either date is missing)."""
    b = pd.to_datetime(born)
    o = pd.to_datetime(on)
    years = o.dt.year - b.dt.year
    before = (o.dt.month < b.dt.month) | ((o.dt.month == b.dt.month) & (o.dt.day < b.dt.day))
    return (years - before.astype("float64")).astype("float64")


def derive_imd_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """(Re)compute ``imd_quintile``, ``core20`` and ``most_deprived_decile`` from ``imd_decile``."""
    if "imd_decile" not in frame.columns:
        return frame
    dec = frame["imd_decile"].astype("Int8")
    quint = ((dec + 1) // 2).astype("Int8")
    frame["imd_quintile"] = quint
    frame["core20"] = (dec <= 2).astype("boolean")
    frame["most_deprived_decile"] = (dec == 1).astype("boolean")
    return frame


def _ethnic_groups(codes: pd.Series) -> pd.Series:
    out = codes.map(dict(vocab.ETHNIC_GROUP_OF_CODE)).astype("str")
    return out.fillna(vocab.NOT_KNOWN)


# --- The whole frame -----------------------------------------------------------------------


_WORKERS = max(1, min(2, os.cpu_count() or 1))


def _normalise_field(
    frame: pd.DataFrame, fld: str, col: str, is_cancelled: CancelledFn
) -> tuple[pd.Series, _Tracker, dict[str, int]]:
    """One canonical field's normalised values and what changed (runs on a worker thread)."""
    check_cancelled(is_cancelled)
    series = frame[col]
    if isinstance(series, pd.DataFrame):  # duplicate names should not happen after header
        series = series.iloc[:, 0]
    series = series.astype("str") if series.dtype != "str" else series
    unmapped: dict[str, int] = {}
    if fld in DATE_FIELDS:
        s, t = _normalise_date(series, fld)
    elif fld in NUMBER_FIELDS:
        s, t = _normalise_number(series, fld, col)
    elif fld in FLAG_FIELDS:
        s, t = _normalise_flag(series, fld)
    elif fld == "ethnic_category":
        s, t, unmapped = _normalise_ethnicity(series, fld)
    elif fld == "postcode":
        s, t = _normalise_postcode(series, fld)
    elif fld == "lsoa":
        s, t = _normalise_lsoa(series, fld)
    elif fld == "nhs_number":
        s, t = _normalise_nhs(series, fld)
    elif fld == "imd_decile":
        s, t = _normalise_decile(series, fld)
    else:
        s, t = _normalise_text(series, fld)
    return s, t, unmapped


def normalise(
    frame: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> Normalised:
    """Normalise a table (columns as found, index = spreadsheet rows) under a column mapping.

    ``mapping`` is {source column: canonical field}. Returns canonical columns first (in
    :data:`vocab.CANONICAL_FIELDS` order, then derived ones), then unmapped columns as read.
    """
    fields = {fld: col for col, fld in mapping.items() if fld and col in frame.columns}
    out: dict[str, pd.Series] = {}
    changes: list[Change] = []
    problems: list[Problem] = []
    notes: list[str] = []
    unmapped_eth: dict[str, int] = {}
    todo = [f for f in vocab.CANONICAL_FIELDS if f in fields]
    # Fields are independent and most of the work is in Arrow kernels that release the GIL,
    # so two threads normalise about 1.5x faster; results are gathered in field order.
    pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="normalise")
    try:
        futures = [
            pool.submit(_normalise_field, frame, fld, fields[fld], is_cancelled) for fld in todo
        ]
        for n, (fld, future) in enumerate(zip(todo, futures, strict=True)):
            progress(
                int(100 * n / max(1, len(todo))),
                f"Normalising {vocab.FIELD_LABELS.get(fld, fld)}",
            )
            s, t, eth = future.result()
            out[fld] = s
            changes.extend(t.changes)
            problems.extend(t.problems)
            if fld == "ethnic_category":
                unmapped_eth = eth
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

    check_cancelled(is_cancelled)
    _derive_age(out, fields, changes, notes)
    if "age_under_20" not in out and "age" in out:
        age = out["age"]
        flag = pd.array(age < 20, dtype="boolean")
        flag[age.isna().to_numpy()] = pd.NA
        out["age_under_20"] = pd.Series(flag, index=frame.index, name="age_under_20")
        n = int(age.notna().sum())
        if n:
            changes.append(
                Change(
                    "age_under_20",
                    "derived_from_age",
                    n,
                    f"{plural(n, 'value')} were derived from age (under 20 at booking)",
                )
            )
    ordered = {f: out[f] for f in vocab.CANONICAL_FIELDS if f in out}
    result = pd.DataFrame(ordered, index=frame.index)
    derive_imd_flags(result)
    if "ethnic_category" in result.columns:
        result["ethnic_group"] = _ethnic_groups(result["ethnic_category"])
    if "imd_decile" in result.columns:
        src = pd.Series(pd.NA, index=result.index, dtype="str")
        src[result["imd_decile"].notna().to_numpy()] = "given"
        result["imd_source"] = src

    mapped_cols = set(fields.values())
    grouping = []
    reserved = set(result.columns)
    for col in frame.columns:
        if col in mapped_cols:
            continue
        name = col if col not in reserved else f"{col} (source)"
        s = frame[col]
        result[name] = s.iloc[:, 0] if isinstance(s, pd.DataFrame) else s
        grouping.append(name)
    progress(100, "Normalised")
    log.info(
        "normalised fields=%d changes=%d problems=%d", len(fields), len(changes), len(problems)
    )
    return Normalised(result, fields, changes, problems, unmapped_eth, grouping, notes)


def _derive_age(
    out: dict[str, pd.Series], fields: Mapping[str, str], changes: list[Change], notes: list[str]
) -> None:
    dob, booking = out.get("date_of_birth"), out.get("booking_date")
    if dob is None:
        return
    if booking is None:
        if "age" not in out:
            notes.append(
                "Age could not be worked out from date of birth because no booking date "
                "column is mapped."
            )
        return
    derived = completed_years(dob, booking)
    if "age" in out:
        missing = out["age"].isna() & derived.notna()
        n = int(missing.sum())
        if n:
            out["age"] = out["age"].where(~missing, derived)
            changes.append(
                Change(
                    "age",
                    "derived_from_dob",
                    n,
                    f"{plural(n, 'missing age')} were worked out from date of birth at booking",
                )
            )
    else:
        out["age"] = derived.rename("age")
        n = int(derived.notna().sum())
        changes.append(
            Change(
                "age",
                "derived_from_dob",
                n,
                f"{plural(n, 'age')} were worked out from date of birth at booking",
            )
        )
