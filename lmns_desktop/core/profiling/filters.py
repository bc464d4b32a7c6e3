"""Cohort filters: date range, trusts and sites, and "field is one of these values" conditions.

A filter turns into a boolean row mask with vectorised pandas/numpy operations, and says how many
rows each condition removed, so a profile can state why rows were excluded. Conditions can name
canonical fields, breakdown dimensions (e.g. ``ethnic_group``, ``imd_quintile``, ``core20``, using
their group labels and "Not known") or any other column the user kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import vocab
from lmns_desktop.core.profiling.dimensions import (
    IDENTIFIER_REASON,
    NOT_KNOWN,
    PreparedCohort,
    encode_dimension,
    lower_label,
)

DateLike = dt.date | dt.datetime | pd.Timestamp | str

_DIMENSION_FIELDS = frozenset(
    {"imd_quintile", "core20", "ethnic_group", "core20_black_asian", "core20plus5_focus"}
)


@dataclass(frozen=True)
class FilterResult:
    """The rows a filter keeps, and how many each condition removed (in the order applied)."""

    mask: np.ndarray
    excluded: Mapping[str, int]

    @property
    def n_kept(self) -> int:
        return int(np.count_nonzero(self.mask))


def _timestamp(value: DateLike) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp


def _fmt(value: DateLike) -> str:
    return _timestamp(value).strftime("%d/%m/%Y")


def _as_tuple(values: Any) -> tuple[Any, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return (values,)
    return tuple(values)


@dataclass(frozen=True)
class CohortFilter:
    """Which rows of a cohort to profile. Empty conditions keep everything.

    ``date_from``/``date_to`` are inclusive whole days on ``date_field`` (``booking_date`` or
    ``delivery_date``); rows with no date are left out when a range is set. ``values`` maps a
    field, dimension or column to the values to keep (one value means "equals"); "Not known"
    selects missing values. Text matches ignore case and surrounding spaces.
    """

    date_field: str = "booking_date"
    date_from: DateLike | None = None
    date_to: DateLike | None = None
    trusts: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.date_field not in ("booking_date", "delivery_date"):
            raise ValueError("Filter dates on booking_date or delivery_date.")
        if (self.date_from is not None and self.date_to is not None
                and _timestamp(self.date_from) > _timestamp(self.date_to)):
            raise ValueError("The start of the date range is after its end.")
        for name in self.values:
            if name in vocab.IDENTIFIER_FIELDS:
                raise ValueError(f"Cannot filter on {vocab.FIELD_LABELS[name]}: "
                                 + IDENTIFIER_REASON[0].lower() + IDENTIFIER_REASON[1:])

    @property
    def is_empty(self) -> bool:
        return (self.date_from is None and self.date_to is None and not self.trusts
                and not self.sites and not self.values)

    def describe(self) -> str:
        """The filter as a sentence for a report footer."""
        parts = []
        label = vocab.FIELD_LABELS[self.date_field].lower()
        if self.date_from is not None and self.date_to is not None:
            parts.append(f"{label} {_fmt(self.date_from)} to {_fmt(self.date_to)}")
        elif self.date_from is not None:
            parts.append(f"{label} from {_fmt(self.date_from)}")
        elif self.date_to is not None:
            parts.append(f"{label} up to {_fmt(self.date_to)}")
        if self.trusts:
            parts.append("trust: " + ", ".join(self.trusts))
        if self.sites:
            parts.append("site: " + ", ".join(self.sites))
        for name, wanted in self.values.items():
            shown = ", ".join(str(v) for v in _as_tuple(wanted))
            parts.append(f"{lower_label(name)}: {shown}")
        return "All rows" if not parts else "Rows with " + "; ".join(parts)

    def apply(
        self, frame: pd.DataFrame, prepared: PreparedCohort | None = None
    ) -> FilterResult:
        """Evaluate the filter on ``frame``; ``prepared`` (same frame) speeds up dimensions.

        A condition on a column the cohort lacks keeps no rows (and says so), rather than
        silently keeping everyone.
        """
        n = len(frame)
        keep = np.ones(n, dtype=bool)
        excluded: dict[str, int] = {}

        def narrow(condition: np.ndarray, reason: str) -> None:
            nonlocal keep
            dropped = int(np.count_nonzero(keep & ~condition))
            if dropped:
                excluded[reason] = excluded.get(reason, 0) + dropped
            keep &= condition

        if self.date_from is not None or self.date_to is not None:
            label = vocab.FIELD_LABELS[self.date_field].lower()
            if self.date_field not in frame.columns:
                narrow(np.zeros(n, dtype=bool), f"no {label} column")
            else:
                dates = pd.to_datetime(frame[self.date_field], errors="coerce")
                if getattr(dates.dt, "tz", None) is not None:
                    dates = dates.dt.tz_localize(None)
                known = dates.notna().to_numpy(dtype=bool)
                narrow(known, f"{label} missing")
                inside = known.copy()
                if self.date_from is not None:
                    start = _timestamp(self.date_from).normalize()
                    inside &= (dates >= start).to_numpy(dtype=bool, na_value=False)
                if self.date_to is not None:
                    end = _timestamp(self.date_to).normalize() + pd.Timedelta(days=1)
                    inside &= (dates < end).to_numpy(dtype=bool, na_value=False)
                narrow(inside, f"{label} outside the date range")
        if self.trusts:
            narrow(_text_in(frame, "trust", self.trusts), "trust not selected")
        if self.sites:
            narrow(_text_in(frame, "site", self.sites), "site not selected")
        for name, wanted in self.values.items():
            narrow(_values_in(frame, prepared, name, _as_tuple(wanted)),
                   f"{lower_label(name)} not selected")
        return FilterResult(keep, excluded)

    def mask(self, frame: pd.DataFrame, prepared: PreparedCohort | None = None) -> np.ndarray:
        """Boolean row mask (True = keep)."""
        return self.apply(frame, prepared).mask


def _norm(value: Any) -> str:
    return str(value).strip().casefold()


def _text_in(frame: pd.DataFrame, column: str, wanted: Iterable[Any]) -> np.ndarray:
    """Rows whose ``column`` matches one of ``wanted`` (case-insensitive), per distinct value."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    targets = {_norm(v) for v in wanted}
    want_missing = _norm(NOT_KNOWN) in targets
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    hit = np.array([_norm(_label(u)) in targets or _norm(u) in targets for u in uniques]
                   + [want_missing], dtype=bool)
    return hit[codes]


def _label(value: Any) -> Any:
    """Booleans as Yes/No and whole floats as ints, so "Yes" and 3 match as users expect."""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _values_in(
    frame: pd.DataFrame, prepared: PreparedCohort | None, name: str, wanted: tuple[Any, ...]
) -> np.ndarray:
    if name in _DIMENSION_FIELDS or name not in frame.columns:
        dim = encode_dimension(prepared if prepared is not None else frame, name)
        if dim is None:
            return np.zeros(len(frame), dtype=bool)
        targets = {_norm(v) for v in wanted}
        hit = np.array([_norm(g) in targets for g in dim.all_groups], dtype=bool)
        return hit[dim.codes]
    return _text_in(frame, name, [_label(v) for v in wanted])
