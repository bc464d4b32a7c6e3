"""Breakdown dimensions of a normalised cohort, encoded once as small integer codes.

Why codes: every count in a profile is then a ``np.bincount`` over integer arrays, so a profile of
200,000 rows (and every recompute after a filter change) stays well under a second. A cohort is
encoded once by :func:`prepare_cohort`; profiles, cross-tabs and filters reuse the codes.

Every dimension's groups are listed in a fixed order with "Not known" last (DESIGN.md section 5):
missing values are reported, never dropped. IMD groups are integers (decile 1 = most deprived),
all other groups are strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lmns_desktop.core import vocab

NOT_KNOWN = vocab.NOT_KNOWN
Group = int | str

# --- dimension names and groups ------------------------------------------------------------

IMD_DECILE = "imd_decile"
IMD_QUINTILE = "imd_quintile"
CORE20 = "core20"
ETHNIC_GROUP = "ethnic_group"
ETHNIC_CATEGORY = "ethnic_category"
#: Intersection of Core20 with Black or Asian ethnicity (the original continuity-of-carer groups).
CORE20_BLACK_ASIAN = "core20_black_asian"
#: The Core20PLUS5 maternity focus group: Core20, or Black, Asian or Mixed ethnicity.
FOCUS_GROUP = "core20plus5_focus"

CORE20_GROUPS: tuple[str, ...] = ("Core20", "Not Core20")
YES_NO: tuple[str, ...] = ("Yes", "No")
INTERSECTION_GROUPS: tuple[str, ...] = (
    "Core20 and Black or Asian",
    "Core20, not Black or Asian",
    "Not Core20, Black or Asian",
    "Not Core20, not Black or Asian",
)
ETHNIC_CODES: tuple[str, ...] = tuple(vocab.ETHNIC_CATEGORIES)  # A..S, Z, 99

#: The dimensions a profile reports by default, in report order (PLUS flags follow).
CORE_DIMENSIONS: tuple[str, ...] = (
    IMD_DECILE,
    IMD_QUINTILE,
    CORE20,
    ETHNIC_GROUP,
    ETHNIC_CATEGORY,
    CORE20_BLACK_ASIAN,
    FOCUS_GROUP,
)
#: Dimensions across which the slope and relative index of inequality are computed.
DEPRIVATION_DIMENSIONS: tuple[str, ...] = (IMD_DECILE, IMD_QUINTILE)

DEFAULT_REFERENCE_GROUPS: Mapping[str, Group] = {
    IMD_DECILE: 10,
    IMD_QUINTILE: 5,
    CORE20: "Not Core20",
    ETHNIC_GROUP: "White",
    ETHNIC_CATEGORY: "A",
    CORE20_BLACK_ASIAN: "Not Core20, not Black or Asian",
    FOCUS_GROUP: "No",
    **dict.fromkeys(vocab.PLUS_FLAG_FIELDS, "No"),
}

DIMENSION_LABELS: Mapping[str, str] = {
    IMD_DECILE: "IMD decile",
    IMD_QUINTILE: "IMD quintile",
    CORE20: "Core20",
    ETHNIC_GROUP: "Ethnic group",
    ETHNIC_CATEGORY: "Ethnic category",
    CORE20_BLACK_ASIAN: "Core20 and Black or Asian ethnicity",
    FOCUS_GROUP: "Core20PLUS5 maternity focus group",
}


def dimension_label(name: str) -> str:
    """Plain label of a dimension (field labels for PLUS flags, the name for user columns)."""
    return DIMENSION_LABELS.get(name) or vocab.FIELD_LABELS.get(name, name)


def lower_label(name: str) -> str:
    """The label for use inside a sentence: "ethnic group", but "IMD decile" and "Core20"."""
    label = dimension_label(name)
    first = label.split(" ", 1)[0]
    if first.isupper() or any(ch.isdigit() for ch in first):
        return label
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class EncodedDimension:
    """One breakdown dimension: its known groups and one code per row.

    ``codes[i]`` indexes ``groups``; the value ``len(groups)`` means "Not known".
    ``uncompared`` lists groups that are reported but, like "Not known", never compared
    (ethnic category Z "not stated" and 99 "not known").
    """

    name: str
    label: str
    groups: tuple[Group, ...]
    codes: np.ndarray
    source: str
    uncompared: tuple[Group, ...] = ()

    @property
    def all_groups(self) -> tuple[Group, ...]:
        """Known groups then "Not known"."""
        return (*self.groups, NOT_KNOWN)

    @property
    def not_known_code(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class PreparedCohort:
    """A cohort encoded for fast profiling: dimension codes and outcome states, no raw values.

    Outcome states are int8: 0 = not known, 1 = no, 2 = yes. Prepare once per imported cohort and
    pass it to ``profile_cohort`` with a new mask after every filter change.
    """

    n_rows: int
    fields_present: tuple[str, ...]
    other_columns: tuple[str, ...]
    dimensions: Mapping[str, EncodedDimension]
    outcomes: Mapping[str, np.ndarray]
    unavailable: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


#: A user's column with more distinct values than this is not used as a breakdown.
MAX_EXTRA_GROUPS = 50
IDENTIFIER_REASON = ("It identifies people, so it is never used to break down or filter a "
                     "cohort.")


# --- value coercion -------------------------------------------------------------------------

_YES = frozenset({"y", "yes", "true", "t", "1", "1.0"})
_NO = frozenset({"n", "no", "false", "f", "0", "0.0"})


def _factorized(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 = missing) and the distinct values: Python work per value, not per row."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes), uniques


def bool_states(series: pd.Series) -> tuple[np.ndarray, int]:
    """Yes/no values as int8 states (0 not known, 1 no, 2 yes) and how many were unreadable.

    The importer gives pandas ``boolean`` columns; numbers 0/1 and Y/N text are also accepted so
    that a hand-made frame works too.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        raw = series.to_numpy(dtype=np.int8, na_value=-1)
        return (raw + 1).astype(np.int8), 0
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        states = np.where(values == 1, 2, np.where(values == 0, 1, 0)).astype(np.int8)
        bad = int(np.count_nonzero(~np.isnan(values) & (values != 0) & (values != 1)))
        return states, bad
    codes, uniques = _factorized(series)
    lookup = np.zeros(len(uniques) + 1, dtype=np.int8)  # last slot: missing (-1)
    bad_slots = []
    for i, value in enumerate(uniques):
        text = str(value).strip().casefold()
        if text in _YES:
            lookup[i] = 2
        elif text in _NO:
            lookup[i] = 1
        elif text:
            bad_slots.append(i)
    states = lookup[codes]
    bad = int(np.isin(codes, bad_slots).sum()) if bad_slots else 0
    return states, bad


def _decile_codes(series: pd.Series) -> tuple[np.ndarray, int]:
    """Decile codes 0-9 (decile 1-10) and 10 for not known; count of values outside 1-10."""
    values = pd.to_numeric(series, errors="coerce")
    arr = np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    ok = np.isfinite(arr) & (arr >= 1) & (arr <= 10) & (arr == np.round(arr))
    codes = np.where(ok, np.nan_to_num(arr, nan=1.0) - 1, 10).astype(np.int8)
    present = series.notna().to_numpy(dtype=bool)
    return codes, int(np.count_nonzero(present & ~ok))


def _quintile_codes(series: pd.Series) -> tuple[np.ndarray, int]:
    values = pd.to_numeric(series, errors="coerce")
    arr = np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    ok = np.isfinite(arr) & (arr >= 1) & (arr <= 5) & (arr == np.round(arr))
    codes = np.where(ok, np.nan_to_num(arr, nan=1.0) - 1, 5).astype(np.int8)
    present = series.notna().to_numpy(dtype=bool)
    return codes, int(np.count_nonzero(present & ~ok))


def _ethnic_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into ETHNIC_CODES (len = not known) and the distinct values that were not codes.

    X (HES "not known") counts as 99; a two-character local code such as "A1" counts as its
    first letter (NHS Data Dictionary). Anything else is "Not known" and listed for the user.
    """
    codes, uniques = _factorized(series)
    index = {code: i for i, code in enumerate(ETHNIC_CODES)}
    not_known = len(ETHNIC_CODES)
    lookup = np.full(len(uniques) + 1, not_known, dtype=np.int8)
    unmapped: list[str] = []
    for i, value in enumerate(uniques):
        text = str(value).strip().upper()
        if text in index:
            lookup[i] = index[text]
        elif text == "X":
            lookup[i] = index["99"]
        elif len(text) == 2 and text[0] in index and text[0] not in "Z9":
            lookup[i] = index[text[0]]
        elif text:
            unmapped.append(str(value))
    return lookup[codes], unmapped


# Ethnic code index -> ethnic group index (5 = not known): built from vocab, not repeated here.
_GROUP_INDEX = {g: i for i, g in enumerate(vocab.ETHNIC_GROUPS)}
_ETHNIC_TO_GROUP = np.array(
    [_GROUP_INDEX.get(vocab.ethnic_group(code), len(vocab.ETHNIC_GROUPS)) for code in ETHNIC_CODES]
    + [len(vocab.ETHNIC_GROUPS)],
    dtype=np.int8,
)
_BLACK_OR_ASIAN = ("Asian or Asian British", "Black or Black British")
_FOCUS_ETHNIC = ("Mixed", *_BLACK_OR_ASIAN)


def _group_membership(group_codes: np.ndarray, members: Sequence[str]) -> np.ndarray:
    """States (0 not known, 1 no, 2 yes) of belonging to any of the named ethnic groups."""
    wanted = [_GROUP_INDEX[g] for g in members]
    known = group_codes < len(vocab.ETHNIC_GROUPS)
    return np.where(known, np.where(np.isin(group_codes, wanted), 2, 1), 0).astype(np.int8)


def _yes_no_codes(states: np.ndarray) -> np.ndarray:
    """Yes/No/Not known codes (0, 1, 2) from states (2 yes, 1 no, 0 not known)."""
    return np.array([2, 1, 0], dtype=np.int8)[states]


def _categorical(series: pd.Series) -> tuple[tuple[Group, ...], np.ndarray]:
    """Any column as groups (its distinct values, sorted) and codes; blanks are "Not known"."""
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        series = series.astype("string").str.strip().replace("", pd.NA)
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    groups = tuple(_plain(v) for v in uniques)
    codes = np.where(codes < 0, len(groups), codes).astype(np.int32)
    return groups, codes


def _plain(value: object) -> Group:
    """A JSON-friendly group label."""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


# --- preparation ----------------------------------------------------------------------------


def prepare_cohort(
    frame: pd.DataFrame, *, extra_dimensions: Iterable[str] = ()
) -> PreparedCohort:
    """Encode a normalised cohort (canonical column names) for profiling. Never raises on data.

    ``extra_dimensions`` names other columns to break down by (e.g. ``trust``, ``site`` or a
    user's own column); their groups are the distinct values.
    """
    n = len(frame)
    columns = [str(c) for c in frame.columns]
    canonical = set(vocab.CANONICAL_FIELDS) | {IMD_QUINTILE, CORE20}
    fields_present = tuple(c for c in (*vocab.CANONICAL_FIELDS, IMD_QUINTILE, CORE20)
                           if c in columns)
    other_columns = tuple(c for c in columns if c not in canonical)
    dims: dict[str, EncodedDimension] = {}
    unavailable: dict[str, str] = {}
    notes: list[str] = []

    def add(name: str, groups: Sequence[Group], codes: np.ndarray, source: str,
            uncompared: tuple[Group, ...] = ()) -> None:
        dims[name] = EncodedDimension(name, dimension_label(name), tuple(groups), codes, source,
                                      uncompared)

    # Deprivation: a decile gives quintile and Core20; failing that a quintile, then a Core20 flag.
    core20_states: np.ndarray | None = None
    if IMD_DECILE in columns:
        dc, bad = _decile_codes(frame[IMD_DECILE])
        if bad:
            notes.append(f"{bad:,} IMD decile values were not whole numbers 1 to 10 and count "
                         "as not known.")
        add(IMD_DECILE, range(1, 11), dc, "imd_decile column")
        add(IMD_QUINTILE, range(1, 6), np.where(dc == 10, 5, dc // 2).astype(np.int8),
            "derived from imd_decile")
        core20_states = np.where(dc == 10, 0, np.where(dc <= 1, 2, 1)).astype(np.int8)
        core20_source = "derived from imd_decile (deciles 1-2)"
    else:
        unavailable[IMD_DECILE] = "The cohort has no IMD decile column."
        if IMD_QUINTILE in columns:
            qc, bad = _quintile_codes(frame[IMD_QUINTILE])
            if bad:
                notes.append(f"{bad:,} IMD quintile values were not whole numbers 1 to 5 and "
                             "count as not known.")
            add(IMD_QUINTILE, range(1, 6), qc, "imd_quintile column")
            core20_states = np.where(qc == 5, 0, np.where(qc == 0, 2, 1)).astype(np.int8)
            core20_source = "derived from imd_quintile (quintile 1)"
        else:
            unavailable[IMD_QUINTILE] = "The cohort has no IMD decile or quintile column."
            if CORE20 in columns:
                core20_states, bad = bool_states(frame[CORE20])
                core20_source = "core20 column"
                if bad:
                    notes.append(f"{bad:,} Core20 values were not yes or no and count as not "
                                 "known.")
    if core20_states is not None:
        add(CORE20, CORE20_GROUPS, _yes_no_codes(core20_states), core20_source)
    else:
        unavailable[CORE20] = "The cohort has no IMD decile, IMD quintile or Core20 column."

    # Ethnicity.
    eth_group_codes: np.ndarray | None = None
    if ETHNIC_CATEGORY in columns:
        ec, unmapped = _ethnic_codes(frame[ETHNIC_CATEGORY])
        if unmapped:
            shown = ", ".join(repr(v) for v in sorted(unmapped)[:5])
            more = f" and {len(unmapped) - 5} more" if len(unmapped) > 5 else ""
            notes.append(f"{len(unmapped)} ethnic category values were not NHS codes and count "
                         f"as not known: {shown}{more}.")
        add(ETHNIC_CATEGORY, ETHNIC_CODES, ec, "ethnic_category column", ("Z", "99"))
        eth_group_codes = _ETHNIC_TO_GROUP[ec]
        add(ETHNIC_GROUP, vocab.ETHNIC_GROUPS, eth_group_codes, "derived from ethnic_category")
    else:
        reason = "The cohort has no ethnic category column."
        unavailable[ETHNIC_CATEGORY] = reason
        unavailable[ETHNIC_GROUP] = reason

    # Intersections (Kleene logic: a known "no" on one side can still decide the answer).
    if core20_states is not None and eth_group_codes is not None:
        ba = _group_membership(eth_group_codes, _BLACK_OR_ASIAN)
        known = (core20_states > 0) & (ba > 0)
        inter = np.where(known, (2 - core20_states) * 2 + (2 - ba), 4).astype(np.int8)
        add(CORE20_BLACK_ASIAN, INTERSECTION_GROUPS, inter, "derived from Core20 and ethnicity")
    else:
        unavailable[CORE20_BLACK_ASIAN] = "Needs both deprivation and ethnicity."
    if core20_states is not None or eth_group_codes is not None:
        c20 = core20_states if core20_states is not None else np.zeros(n, dtype=np.int8)
        bam = (_group_membership(eth_group_codes, _FOCUS_ETHNIC) if eth_group_codes is not None
               else np.zeros(n, dtype=np.int8))
        focus = np.where((c20 == 2) | (bam == 2), 2,
                         np.where((c20 == 1) & (bam == 1), 1, 0)).astype(np.int8)
        add(FOCUS_GROUP, YES_NO, _yes_no_codes(focus), "derived from Core20 and ethnicity")
        if core20_states is None or eth_group_codes is None:
            missing = "deprivation" if core20_states is None else "ethnicity"
            notes.append(f"The cohort has no {missing} data, so the Core20PLUS5 focus group is "
                         "only partly known.")
    else:
        unavailable[FOCUS_GROUP] = "Needs deprivation or ethnicity."

    # PLUS flags (age under 20 is derived from age when not given).
    for flag in vocab.PLUS_FLAG_FIELDS:
        if flag in columns:
            states, bad = bool_states(frame[flag])
            if bad:
                notes.append(f"{bad:,} values of {vocab.FIELD_LABELS[flag]} were not yes or no "
                             "and count as not known.")
            add(flag, YES_NO, _yes_no_codes(states), f"{flag} column")
        elif flag == "age_under_20" and "age" in columns:
            age = pd.to_numeric(frame["age"], errors="coerce").to_numpy(dtype=float,
                                                                       na_value=np.nan)
            states = np.where(np.isnan(age), 0, np.where(age < 20, 2, 1)).astype(np.int8)
            add(flag, YES_NO, _yes_no_codes(states), "derived from age")

    for name in extra_dimensions:
        if name in dims:
            continue
        if name in vocab.IDENTIFIER_FIELDS:
            unavailable[name] = IDENTIFIER_REASON
            continue
        if name not in columns:
            unavailable[name] = f"The cohort has no column named {name!r}."
            continue
        groups, codes = _categorical(frame[name])
        if len(groups) > MAX_EXTRA_GROUPS:
            unavailable[name] = (f"{name} has {len(groups):,} different values, too many to "
                                 f"break down by (at most {MAX_EXTRA_GROUPS}).")
            continue
        add(name, groups, codes, f"{name} column")

    outcomes: dict[str, np.ndarray] = {}
    for name in vocab.OUTCOME_FIELDS:
        if name in columns:
            states, bad = bool_states(frame[name])
            if bad:
                notes.append(f"{bad:,} values of {vocab.FIELD_LABELS[name]} were not yes or no "
                             "and count as not known.")
            outcomes[name] = states

    return PreparedCohort(
        n_rows=n,
        fields_present=fields_present,
        other_columns=other_columns,
        dimensions=dims,
        outcomes=outcomes,
        unavailable=unavailable,
        notes=tuple(notes),
    )


def encode_dimension(
    data: pd.DataFrame | PreparedCohort, name: str
) -> EncodedDimension | None:
    """One dimension by name, from a prepared cohort or a frame (any column works as a dimension).

    Returns None when the cohort lacks it.
    """
    if isinstance(data, PreparedCohort):
        return data.dimensions.get(name)
    prepared = prepare_cohort(data, extra_dimensions=[name] if name not in _KNOWN else ())
    return prepared.dimensions.get(name)


_KNOWN = frozenset((*CORE_DIMENSIONS, *vocab.PLUS_FLAG_FIELDS))
