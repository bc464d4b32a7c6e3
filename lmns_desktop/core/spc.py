"""XmR (individuals) statistical process control with NHS England "Making Data Count" rules.

Why: boards read project measures as SPC charts, so the app marks special causes the way the MDC
tools (and the NHS-R ``NHSRplotthedots`` package) do. Limits are mean +/- 2.66 x the average moving
range; the near limits are two thirds of the way out (mean +/- 1.773 x AMR).

Special-cause rules, evaluated within each segment:

* astronomical point: a value outside the process limits;
* shift: a run of ``shift_length`` (7) or more values on the same side of the mean (a value on
  the mean breaks the run);
* trend: ``trend_length`` (7) or more values each strictly above (or below) the one before;
* two of three: two of three consecutive values beyond the same near limit.

Missing values are skipped: they get no flags, and neither break nor extend a run or trend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["LIMIT_FACTOR", "NEAR_FACTOR", "XmrResult", "xmr"]

Improvement = Literal["increase", "decrease", "neutral"]

#: Process limits are mean +/- 2.66 x AMR (3 sigma for individuals, via d2 = 1.128).
LIMIT_FACTOR = 2.66
#: Near limits are two thirds of the way to the process limits (2 sigma).
NEAR_FACTOR = 2.0 * LIMIT_FACTOR / 3.0

_DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}


@dataclass(frozen=True)
class XmrResult:
    """An XmR chart: one row per point plus the summary icons.

    ``points`` columns: value, segment, mean, moving_range, amr, lower_limit, upper_limit,
    lower_near, upper_near, the rule flags astronomical, shift, trend, two_of_three, their union
    special_cause, direction (+1 high or rising, -1 low or falling, 0 none) and classification
    ("improvement", "concern", "neither" for a neutral measure, "common"; None where the value is
    missing).

    ``variation`` is the MDC variation icon for the latest point: "common_cause",
    "improvement_high", "improvement_low", "concern_high", "concern_low", "neither_high" or
    "neither_low" (None with no values). ``assurance`` compares ``target`` with the latest limits:
    "pass" (the process consistently meets it), "fail" (consistently misses it), "hit_and_miss",
    or None when there is no target, the measure is neutral or the limits are unknown.
    """

    points: pd.DataFrame
    improvement: str
    variation: str | None
    assurance: str | None
    target: float | None


def _runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, stop, code) for each run of equal, non-zero codes."""
    runs = []
    start = 0
    for i in range(1, codes.size + 1):
        if i == codes.size or codes[i] != codes[start]:
            if codes[start] != 0:
                runs.append((start, i, int(codes[start])))
            start = i
    return runs


def _segment_flags(
    y: np.ndarray, mean: float, amr: float, trend_length: int, shift_length: int
) -> dict[str, np.ndarray]:
    """Rule flags and directions for the observed values of one segment."""
    n = y.size
    upper, lower = mean + LIMIT_FACTOR * amr, mean - LIMIT_FACTOR * amr
    near_hi, near_lo = mean + NEAR_FACTOR * amr, mean - NEAR_FACTOR * amr
    side = np.sign(y - mean).astype(int) if n else np.zeros(0, dtype=int)

    astronomical = (y > upper) | (y < lower)

    shift = np.zeros(n, dtype=bool)
    for start, stop, _ in _runs(side):
        if stop - start >= shift_length:
            shift[start:stop] = True

    trend = np.zeros(n, dtype=bool)
    trend_dir = np.zeros(n, dtype=int)
    if n >= 2:
        steps = np.sign(np.diff(y)).astype(int)
        for start, stop, code in _runs(steps):
            # steps start..stop-1 join values start..stop: that is stop - start + 1 values
            if stop - start + 1 >= trend_length:
                trend[start : stop + 1] = True
                trend_dir[start : stop + 1] = code

    two_of_three = np.zeros(n, dtype=bool)
    for beyond in (y > near_hi, y < near_lo):
        for i in range(max(n - 2, 0)):
            window = beyond[i : i + 3]
            if window.sum() >= 2:
                two_of_three[i : i + 3] |= window

    by_side = astronomical | shift | two_of_three
    direction = np.where(by_side, side, np.where(trend, trend_dir, 0))
    return {
        "astronomical": astronomical,
        "shift": shift,
        "trend": trend,
        "two_of_three": two_of_three,
        "direction": direction,
    }


def _segment_starts(n: int, recalc_at: Iterable[int] | None) -> list[int]:
    starts = {0}
    for pos in recalc_at or ():
        pos = int(pos)
        if not 0 <= pos < n:
            raise ValueError(
                f"A recalculation point must be the position of a value (0 to {n - 1}), not {pos}."
            )
        starts.add(pos)
    return sorted(starts)


def xmr(
    values: Any,
    *,
    improvement: Improvement = "increase",
    baseline_points: int | None = None,
    recalc_at: list[int] | None = None,
    trend_length: int = 7,
    shift_length: int = 7,
    target: float | None = None,
) -> XmrResult:
    """Build an XmR chart with Making Data Count special-cause rules.

    Parameters
    ----------
    values
        The measure in time order (list, array or Series; a Series keeps its index).
    improvement
        Which way is better: "increase", "decrease" or "neutral" (special causes are "neither").
    baseline_points
        Fix the mean and limits on the first N values of each segment (at least 2).
    recalc_at
        Positions (0-based) where the process changed: limits are recalculated from there on.
    trend_length, shift_length
        Points needed for a trend or a shift (MDC uses 7 for both).
    target
        Optional target for the assurance icon.
    """
    if improvement not in _DIRECTIONS:
        raise ValueError("improvement must be 'increase', 'decrease' or 'neutral'.")
    if trend_length < 2 or shift_length < 2:
        raise ValueError("A trend or shift needs at least 2 points.")
    if baseline_points is not None and baseline_points < 2:
        raise ValueError("A baseline needs at least 2 points to estimate the moving range.")

    index = values.index if isinstance(values, pd.Series) else None
    y = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce")
    y = y.to_numpy(dtype=float, na_value=np.nan)
    n = y.size
    if index is None:
        index = pd.RangeIndex(n)

    cols: dict[str, np.ndarray] = {
        name: np.full(n, np.nan)
        for name in (
            "mean",
            "moving_range",
            "amr",
            "lower_limit",
            "upper_limit",
            "lower_near",
            "upper_near",
        )
    }
    flags = {
        name: np.zeros(n, dtype=bool) for name in ("astronomical", "shift", "trend", "two_of_three")
    }
    direction = np.zeros(n, dtype=int)
    segment = np.zeros(n, dtype=int)

    starts = _segment_starts(n, recalc_at) if n else []
    stops = [*starts[1:], n] if starts else []
    for seg_no, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        segment[start:stop] = seg_no
        positions = start + np.flatnonzero(~np.isnan(y[start:stop]))
        observed = y[positions]
        basis = observed if baseline_points is None else observed[:baseline_points]
        mean = float(basis.mean()) if basis.size else np.nan
        amr = float(np.abs(np.diff(basis)).mean()) if basis.size >= 2 else np.nan
        cols["mean"][start:stop] = mean
        cols["amr"][start:stop] = amr
        cols["lower_limit"][start:stop] = mean - LIMIT_FACTOR * amr
        cols["upper_limit"][start:stop] = mean + LIMIT_FACTOR * amr
        cols["lower_near"][start:stop] = mean - NEAR_FACTOR * amr
        cols["upper_near"][start:stop] = mean + NEAR_FACTOR * amr
        if positions.size >= 2:
            cols["moving_range"][positions[1:]] = np.abs(np.diff(observed))
        found = _segment_flags(observed, mean, amr, trend_length, shift_length)
        for name in flags:
            flags[name][positions] = found[name]
        direction[positions] = found["direction"]

    special = flags["astronomical"] | flags["shift"] | flags["trend"] | flags["two_of_three"]
    good = _DIRECTIONS[improvement]
    missing = np.isnan(y)
    classification = np.where(
        ~special,
        "common",
        "neither" if good == 0 else np.where(direction == good, "improvement", "concern"),
    ).astype(object)
    classification[missing] = None

    points = pd.DataFrame(
        {
            "value": y,
            "segment": segment,
            **cols,
            **flags,
            "special_cause": special,
            "direction": direction,
        },
        index=index,
    )
    # object dtype keeps None for missing values (pandas would otherwise infer a string dtype)
    points["classification"] = pd.Series(classification, index=index, dtype=object)
    return XmrResult(
        points=points,
        improvement=improvement,
        variation=_variation(points),
        assurance=_assurance(points, improvement, target),
        target=None if target is None else float(target),
    )


def _variation(points: pd.DataFrame) -> str | None:
    observed = points[points["value"].notna()]
    if observed.empty:
        return None
    last = observed.iloc[-1]
    if last["classification"] == "common":
        return "common_cause"
    return f"{last['classification']}_{'high' if last['direction'] > 0 else 'low'}"


def _assurance(points: pd.DataFrame, improvement: str, target: float | None) -> str | None:
    if target is None or improvement == "neutral" or points.empty:
        return None
    last = points.iloc[-1]
    lower, upper = last["lower_limit"], last["upper_limit"]
    if np.isnan(lower) or np.isnan(upper):
        return None
    target = float(target)
    if target > upper:
        return "fail" if improvement == "increase" else "pass"
    if target < lower:
        return "pass" if improvement == "increase" else "fail"
    return "hit_and_miss"
