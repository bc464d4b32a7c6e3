"""Statistical disclosure control for figures shared beyond the team.

NHS England's secondary-care rule (HES/ECDS and NHS Maternity Statistics since September 2018):
0 stays 0, counts of 1 to 7 are shown as ``*``, every other count is rounded to the nearest 5, and
percentages are worked out from the rounded numbers (``*`` when either number is suppressed). It
stops a reader recovering small numbers of women from a table or from a percentage. On-screen
management views may show exact numbers; exports for wider circulation go through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_RULE",
    "DisclosedTable",
    "SuppressionRule",
    "apply_to_table",
    "round_counts",
    "suppress_counts",
    "suppress_percentages",
]

#: Rounded denominators below this give whole-number percentages (NHS Digital: one decimal place
#: is only accurate to +/-0.1 once the rounded denominator is at least 4,000).
ONE_DECIMAL_FROM = 4000


@dataclass(frozen=True)
class SuppressionRule:
    """Which counts are hidden and how the rest are rounded.

    Counts from ``lower`` to ``upper`` (inclusive) are shown as ``symbol``; so are counts above 0
    but below ``lower`` (fractional counts), which are smaller still. Other non-zero counts are
    rounded half-up to the nearest ``base``, and never to 0, so 0 always means none.
    """

    lower: int = 1
    upper: int = 7
    base: int = 5
    symbol: str = "*"

    def __post_init__(self) -> None:
        if self.lower < 1:
            raise ValueError("The smallest suppressed count must be at least 1, so 0 stays 0.")
        if self.upper < self.lower:
            raise ValueError("The largest suppressed count must not be below the smallest.")
        if self.base < 1:
            raise ValueError("Counts must be rounded to a multiple of at least 1.")

    @property
    def note(self) -> str:
        """The sentence printed under a table to which the rule was applied."""
        return (
            f"Counts of {self.lower} to {self.upper} are shown as {self.symbol} and others are "
            f"rounded to the nearest {self.base}; percentages are calculated from the rounded "
            "numbers."
        )


DEFAULT_RULE = SuppressionRule()


class DisclosedTable(NamedTuple):
    """A display copy of a table with disclosure control applied, and the note that says so."""

    frame: pd.DataFrame
    note: str


def _counts(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = pd.to_numeric(
            pd.Series(np.ravel(np.asarray(values, dtype=object))), errors="coerce"
        ).to_numpy(dtype=float, na_value=np.nan)
    if np.any(arr < 0):
        raise ValueError("Counts must not be negative.")
    return arr


def round_counts(
    counts: Any, rule: SuppressionRule = DEFAULT_RULE
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers after the rule: (rounded counts, suppressed mask).

    Rounded counts are floats with NaN where the count is suppressed or missing; the mask is True
    only where the rule hid a count (missing counts are not "suppressed").
    """
    x = _counts(counts)
    suppressed = (x > 0) & (x <= rule.upper)
    rounded = np.floor(x / rule.base + 0.5) * rule.base
    # A shown non-zero count must not round to 0: 0 means none.
    rounded = np.where((x > 0) & (rounded == 0), float(rule.base), rounded)
    rounded = np.where(suppressed, np.nan, rounded)
    return rounded, suppressed


def _index_of(values: Any, n: int) -> pd.Index:
    if isinstance(values, pd.Series):
        return values.index
    return pd.RangeIndex(n)


def suppress_counts(counts: Any, rule: SuppressionRule = DEFAULT_RULE) -> pd.Series:
    """Display values for counts: whole numbers, ``rule.symbol`` where hidden, None if missing."""
    rounded, suppressed = round_counts(counts, rule)
    out = np.empty(rounded.size, dtype=object)
    for i, (value, hidden) in enumerate(zip(rounded, suppressed, strict=True)):
        out[i] = rule.symbol if hidden else (None if np.isnan(value) else int(value))
    return pd.Series(out, index=_index_of(counts, rounded.size), dtype=object)


def _round_half_up(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    scale = 10.0**decimals
    return np.floor(values * scale + 0.5) / scale


def suppress_percentages(
    numerators: Any,
    denominators: Any,
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    multiplier: float = 100,
    decimals: int | None = None,
) -> pd.Series:
    """Percentages recomputed from the rounded numbers; ``rule.symbol`` if either is hidden.

    ``decimals=None`` follows NHS Digital: one decimal place when the rounded denominator is at
    least 4,000, whole numbers otherwise. A denominator that is missing or rounds to 0 gives None.
    """
    num, num_hidden = round_counts(numerators, rule)
    den, den_hidden = round_counts(denominators, rule)
    if num.size != den.size:
        raise ValueError("Give one denominator per numerator.")
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(den > 0, num / np.where(den > 0, den, 1.0) * multiplier, np.nan)
    places = (
        np.where(den >= ONE_DECIMAL_FROM, 1, 0) if decimals is None else np.full(pct.size, decimals)
    )
    pct = _round_half_up(pct, places)
    hidden = num_hidden | den_hidden
    out = np.empty(pct.size, dtype=object)
    for i in range(pct.size):
        if hidden[i]:
            out[i] = rule.symbol
        elif np.isnan(pct[i]):
            out[i] = None
        else:
            out[i] = int(pct[i]) if places[i] == 0 else float(pct[i])
    return pd.Series(out, index=_index_of(numerators, pct.size), dtype=object)


def apply_to_table(
    df: pd.DataFrame,
    count_cols: Iterable[str],
    pct_pairs: Mapping[str, tuple[str, str]] | None = None,
    rule: SuppressionRule = DEFAULT_RULE,
    *,
    decimals: int | None = None,
) -> DisclosedTable:
    """A display copy of ``df`` with counts suppressed and rounded and percentages recomputed.

    ``pct_pairs`` maps a percentage column (new or replaced) to its (numerator, denominator)
    columns; percentages always come from the exact numbers in ``df`` run through the rule, so
    the order of columns does not matter. Other columns are copied unchanged (standardised rates
    and confidence intervals need no disclosure control). ``df`` itself is never modified.
    """
    out = df.copy()
    for col in count_cols:
        if col not in df.columns:
            raise KeyError(f"No column named {col!r} to apply disclosure control to.")
        out[col] = suppress_counts(df[col], rule)
    for pct_col, (num_col, den_col) in (pct_pairs or {}).items():
        for col in (num_col, den_col):
            if col not in df.columns:
                raise KeyError(f"No column named {col!r} for percentage {pct_col!r}.")
        out[pct_col] = suppress_percentages(df[num_col], df[den_col], rule, decimals=decimals)
    return DisclosedTable(out, rule.note)
