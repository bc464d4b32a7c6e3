"""A project's measure over time as an SPC (XmR) chart spec and a one-line reading of it.

Shared by the Register tab (on screen) and the project one-pager (PDF, Word, Excel).
"""

from __future__ import annotations

import pandas as pd

from lmns_desktop.core.spc import xmr
from lmns_desktop.reports.content import Chart, spc_chart

DIRECTIONS = {"Higher is better": "increase", "Lower is better": "decrease", "Neither": "neutral"}
VARIATION_WORDS = {
    "improvement_high": "special cause variation: improvement (higher)",
    "improvement_low": "special cause variation: improvement (lower)",
    "concern_high": "special cause variation: concern (higher)",
    "concern_low": "special cause variation: concern (lower)",
    "neither_high": "special cause variation (higher)",
    "neither_low": "special cause variation (lower)",
    "common_cause": "common cause variation only",
}
ASSURANCE_WORDS = {
    "pass": "the target is consistently met",
    "fail": "the target is consistently missed",
    "hit_and_miss": "the target will be met only some of the time",
}
MIN_POINTS = 2


def measure_series(measures: pd.DataFrame, name: str) -> pd.DataFrame:
    """One measure's values by period, oldest first, without empty values."""
    rows = measures[measures["Measure"].astype("string") == name]
    rows = rows[rows["Period"].notna() & rows["Value"].notna()]
    return rows.sort_values("Period", kind="mergesort")


def measure_chart(measures: pd.DataFrame, name: str, *, target: float | None = None,
                  baseline_points: int | None = None, recalc_from: int | None = None,
                  trend_length: int = 7) -> tuple[Chart | None, str]:
    """The SPC chart spec for one measure and a plain sentence about what it shows.

    ``baseline_points`` fixes the limits on the first points (12 to 20 is usual);
    ``recalc_from`` starts new limits at that point (0-based), e.g. after a known change.
    """
    series = measure_series(measures, name)
    if len(series) < MIN_POINTS:
        return None, f"“{name}” has {len(series)} value(s); an SPC chart needs at least {MIN_POINTS}."
    direction_text = series["Improvement direction"].dropna().astype(str)
    improvement = DIRECTIONS.get(direction_text.iloc[-1] if len(direction_text) else "", "neutral")
    recalc = [recalc_from] if recalc_from is not None and 0 < recalc_from < len(series) else None
    baseline = baseline_points if baseline_points and baseline_points < len(series) else None
    result = xmr(series["Value"].astype(float).to_numpy(), improvement=improvement, target=target,
                 baseline_points=baseline, recalc_at=recalc, trend_length=trend_length)
    labels = [f"{p:%b %Y}" for p in series["Period"]]
    chart = spc_chart(
        result, labels, title=name, recalc_at=tuple(recalc or ()),
        alt_text=f"XmR chart of {name} over {len(series)} periods: "
                 f"{VARIATION_WORDS.get(result.variation or '', 'no signal')}.",
    )
    n = len(series)
    reading = VARIATION_WORDS.get(result.variation or "", "no signal")
    text = f"{n} points, {series['Period'].min():%b %Y} to {series['Period'].max():%b %Y}: {reading}"
    if result.assurance:
        text += f"; {ASSURANCE_WORDS.get(result.assurance, result.assurance)}"
    if baseline:
        text += f"; limits fixed on the first {baseline} points"
    if recalc:
        text += f"; limits recalculated from {labels[recalc[0]]}"
    if n < 15:
        text += ". With fewer than 15 points, read the limits with caution"
    return chart, text + "."
