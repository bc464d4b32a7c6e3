"""Coverage matrix, summary cards and table filters for the Register tab (pandas, no Qt).

Why here: the board asks "where are the gaps?" (PLUS groups x sub-workstreams with no active
project) and the table must filter 2,000 projects as the user types, so every helper is
vectorised and returns a boolean mask the GUI's proxy model can apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.register_model import RegisterDocument

CORE20_ROW = "Core20"


def _multi_normalised(series: pd.Series) -> pd.Series:
    """``;a;b;`` lower-case form of a multi-valued column, for exact item membership tests."""
    text = series.astype("str").fillna("").str.casefold()
    return ";" + text.str.replace(r"\s*[;\n]\s*", ";", regex=True).str.strip() + ";"


def _contains_item(normalised: pd.Series, item: str) -> np.ndarray:
    needle = ";" + item.strip().casefold() + ";"
    return normalised.str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)


def is_yes(series: pd.Series) -> np.ndarray:
    """True where a yes-no cell says yes (Yes, Y, TRUE, 1; any case)."""
    folded = series.astype("str").str.strip().str.casefold()
    return folded.isin(rs.YES_WORDS).to_numpy(dtype=bool)


def active_mask(projects: pd.DataFrame) -> np.ndarray:
    """Projects counted as active (Planning, Active, Sustaining)."""
    status = projects["Status"].astype("str").str.strip()
    return status.isin(vocab.ACTIVE_STATUSES).to_numpy(dtype=bool)


def coverage_matrix(
    projects: pd.DataFrame, plus_groups: Sequence[str] | None = None
) -> pd.DataFrame:
    """Active projects per PLUS group (rows, then a Core20 row) and sub-workstream (columns).

    A project tagged with several PLUS groups counts once in each. Zero cells are the gaps.
    """
    groups = list(plus_groups) if plus_groups is not None else list(vocab.PLUS_GROUPS)
    active = projects[active_mask(projects)]
    sub = active["Sub-workstream"].astype("str").str.strip()
    tags = _multi_normalised(active["PLUS groups"])
    core20 = is_yes(active["Core20 focus"])
    data = np.zeros((len(groups) + 1, len(vocab.SUB_WORKSTREAMS)), dtype=np.int64)
    in_sub = [(sub == s).to_numpy(dtype=bool) for s in vocab.SUB_WORKSTREAMS]
    for i, group in enumerate(groups):
        has = _contains_item(tags, group)
        for j, m in enumerate(in_sub):
            data[i, j] = int((has & m).sum())
    for j, m in enumerate(in_sub):
        data[len(groups), j] = int((core20 & m).sum())
    return pd.DataFrame(
        data,
        index=pd.Index(groups + [CORE20_ROW], name="Group"),
        columns=pd.Index(list(vocab.SUB_WORKSTREAMS), name="Sub-workstream"),
    )


def coverage_gaps(matrix: pd.DataFrame) -> list[tuple[str, str]]:
    """(group, sub-workstream) pairs with no active project, in matrix order."""
    rows, cols = np.nonzero(matrix.to_numpy() == 0)
    return [(str(matrix.index[r]), str(matrix.columns[c])) for r, c in zip(rows, cols, strict=True)]


def quarter_bounds(day: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the calendar quarter containing ``day``."""
    start_month = 3 * ((day.month - 1) // 3) + 1
    start = pd.Timestamp(day.year, start_month, 1)
    end = start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class SummaryCards:
    """Numbers for the summary cards above the register table."""

    projects: int
    active_projects: int
    by_status: pd.Series
    by_rag: pd.Series
    quarter_start: pd.Timestamp
    quarter_end: pd.Timestamp
    evidence_this_quarter: int
    people_reached_this_quarter: int


def _counts(series: pd.Series, order: Sequence[str]) -> pd.Series:
    counts = series.astype("str").str.strip().fillna(vocab.NOT_KNOWN).value_counts()
    labels = [v for v in order if v in counts.index] + sorted(set(counts.index) - set(order))
    return counts.reindex(labels).astype(int)


def summary_cards(doc: RegisterDocument, today: date | None = None) -> SummaryCards:
    """Projects by status and RAG; evidence events and people reached this calendar quarter."""
    today = today or date.today()
    start, end = quarter_bounds(today)
    projects, evidence = doc.projects, doc.evidence
    when = evidence["Date"]
    in_quarter = ((when >= start) & (when <= end)).fillna(False).to_numpy(dtype=bool)
    reached = evidence.loc[in_quarter, "People reached"].clip(lower=0).sum()
    return SummaryCards(
        projects=len(projects),
        active_projects=int(active_mask(projects).sum()),
        by_status=_counts(projects["Status"], vocab.PROJECT_STATUSES),
        by_rag=_counts(projects["RAG"], vocab.RAG_RATINGS),
        quarter_start=start,
        quarter_end=end,
        evidence_this_quarter=int(in_quarter.sum()),
        people_reached_this_quarter=int(reached) if pd.notna(reached) else 0,
    )


# --- filters -------------------------------------------------------------------------------


def text_mask(frame: pd.DataFrame, text: str) -> np.ndarray:
    """Rows where any text column contains ``text`` (case-insensitive, literal; words ANDed)."""
    words = [w.casefold() for w in re.split(r"\s+", text.strip()) if w]
    mask = np.ones(len(frame), dtype=bool)
    if not words:
        return mask
    columns = [
        c
        for c in frame.columns
        if not (
            pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_datetime64_any_dtype(frame[c])
        )
    ]
    if not columns:
        return np.zeros(len(frame), dtype=bool)
    haystack = frame[columns[0]].astype("str").fillna("")
    for c in columns[1:]:
        haystack = haystack + "\x1f" + frame[c].astype("str").fillna("")
    haystack = haystack.str.casefold()
    for word in words:
        mask = mask & haystack.str.contains(word, regex=False).fillna(False).to_numpy(dtype=bool)
    return mask


def values_mask(series: pd.Series, values: Iterable[str] | None) -> np.ndarray:
    """Rows whose cell is one of ``values`` (trimmed, case-insensitive); None means no filter."""
    if values is None:
        return np.ones(len(series), dtype=bool)
    wanted = {v.strip().casefold() for v in values}
    folded = series.astype("str").str.strip().str.casefold()
    hit = folded.isin(wanted).to_numpy(dtype=bool)
    if vocab.NOT_KNOWN.casefold() in wanted:
        hit = hit | series.isna().to_numpy()
    return hit


def multi_mask(
    series: pd.Series, values: Iterable[str] | None, match_all: bool = False
) -> np.ndarray:
    """Rows whose multi-valued cell contains any (or all) of ``values``."""
    if values is None:
        return np.ones(len(series), dtype=bool)
    normalised = _multi_normalised(series)
    items = list(values)
    if not items:
        return (
            np.zeros(len(series), dtype=bool) if not match_all else np.ones(len(series), dtype=bool)
        )
    masks = [_contains_item(normalised, v) for v in items]
    return np.logical_and.reduce(masks) if match_all else np.logical_or.reduce(masks)


def filter_mask(
    projects: pd.DataFrame,
    *,
    text: str = "",
    sub_workstreams: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    rags: Iterable[str] | None = None,
    plus_groups: Iterable[str] | None = None,
    trusts: Iterable[str] | None = None,
    leads: Iterable[str] | None = None,
    core20: bool | None = None,
    active_only: bool = False,
) -> np.ndarray:
    """The register table's filters combined (AND across filters, OR within one filter)."""
    mask = text_mask(projects, text) if text.strip() else np.ones(len(projects), dtype=bool)
    mask = np.array(mask, dtype=bool)
    mask &= values_mask(projects["Sub-workstream"], sub_workstreams)
    mask &= values_mask(projects["Status"], statuses)
    mask &= values_mask(projects["RAG"], rags)
    mask &= values_mask(projects["Trust"], trusts)
    mask &= values_mask(projects["Lead"], leads)
    mask &= multi_mask(projects["PLUS groups"], plus_groups)
    if core20 is not None:
        yes = is_yes(projects["Core20 focus"])
        mask &= yes if core20 else ~yes
    if active_only:
        mask &= active_mask(projects)
    return mask
