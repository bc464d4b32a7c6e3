"""XmR charts with Making Data Count rules, on small hand-made series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core.spc import LIMIT_FACTOR, NEAR_FACTOR, xmr

# A stable baseline: mean 10, every moving range 2, so AMR 2, limits 4.68-15.32 and near limits
# 6.453-13.547. It ends below the mean so a run that follows starts fresh.
BASE = [11.0, 9.0] * 6


def _flags(result, rule: str) -> list[int]:
    return [i for i, v in enumerate(result.points[rule]) if v]


def test_limits_are_mean_plus_minus_2_66_average_moving_range() -> None:
    result = xmr([1.0, 3.0, 2.0, 4.0])
    pts = result.points
    amr = (2 + 1 + 2) / 3
    assert pts["mean"].tolist() == [2.5] * 4
    assert pts["amr"].iloc[0] == pytest.approx(amr)
    assert pts["upper_limit"].iloc[0] == pytest.approx(2.5 + 2.66 * amr)
    assert pts["lower_limit"].iloc[0] == pytest.approx(2.5 - 2.66 * amr)
    assert pts["upper_near"].iloc[0] == pytest.approx(2.5 + 1.7733333 * amr)
    assert pts["lower_near"].iloc[0] == pytest.approx(2.5 - 1.7733333 * amr)
    assert math.isnan(pts["moving_range"].iloc[0])
    assert pts["moving_range"].tolist()[1:] == [2.0, 1.0, 2.0]
    assert abs(NEAR_FACTOR - 2 / 3 * LIMIT_FACTOR) < 1e-12


def test_baseline_is_stable_and_common_cause() -> None:
    result = xmr(BASE)
    assert not result.points["special_cause"].any()
    assert set(result.points["classification"]) == {"common"}
    assert result.variation == "common_cause"


def test_astronomical_point_above_the_upper_limit() -> None:
    result = xmr([*BASE, 16.0], baseline_points=12)
    assert _flags(result, "astronomical") == [12]
    assert _flags(result, "special_cause") == [12]
    assert result.points["classification"].iloc[-1] == "improvement"
    assert result.variation == "improvement_high"
    down = xmr([*BASE, 16.0], baseline_points=12, improvement="decrease")
    assert down.variation == "concern_high"
    low = xmr([*BASE, 4.0], baseline_points=12)
    assert low.variation == "concern_low"


def test_a_point_exactly_on_the_limit_is_not_astronomical() -> None:
    result = xmr([*BASE, 10 + 2.66 * 2], baseline_points=12)
    assert not result.points["astronomical"].any()


def test_shift_needs_seven_points_on_one_side() -> None:
    seven = xmr([*BASE, 11.5, 12, 11.5, 12, 11.5, 12, 11.5], baseline_points=12)
    assert _flags(seven, "shift") == list(range(12, 19))
    assert set(seven.points["classification"].iloc[12:]) == {"improvement"}
    six = xmr([*BASE, 11.5, 12, 11.5, 12, 11.5, 12], baseline_points=12)
    assert not six.points["shift"].any()
    # BASE[:-1] ends above the mean, so the run below starts with the new points
    below = xmr([*BASE[:-1], 8.5, 8, 8.5, 8, 8.5, 8, 8.5], baseline_points=11)
    assert _flags(below, "shift") == list(range(11, 18))
    assert below.variation == "concern_low"


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    broken = xmr([*BASE, 11.5, 12, 11.5, 10.0, 12, 11.5, 12], baseline_points=12)
    assert not broken.points["shift"].any()


def test_shift_length_is_configurable() -> None:
    six = xmr([*BASE, 11.5, 12, 11.5, 12, 11.5, 12], baseline_points=12, shift_length=6)
    assert _flags(six, "shift") == list(range(12, 18))


def test_trend_needs_seven_strictly_rising_points() -> None:
    rising = [8.6, 9.0, 9.4, 9.8, 10.2, 10.6, 11.0]
    result = xmr([*BASE, *rising], baseline_points=12)
    assert _flags(result, "trend") == list(range(12, 19))
    assert not result.points["shift"].any() and not result.points["astronomical"].any()
    assert set(result.points["direction"].iloc[12:]) == {1}
    # a trend is classified by where it is heading, even for points below the mean
    assert set(result.points["classification"].iloc[12:]) == {"improvement"}
    assert result.variation == "improvement_high"
    six = xmr([*BASE, *rising[:6]], baseline_points=12)
    assert not six.points["trend"].any()


def test_falling_trend_and_a_flat_step_breaks_it() -> None:
    falling = [11.4, 11.0, 10.6, 10.2, 9.8, 9.4, 9.0]
    result = xmr([*BASE[:-1], *falling], baseline_points=11, improvement="increase")
    assert _flags(result, "trend") == list(range(11, 18))
    assert result.variation == "concern_low"
    flat = [11.4, 11.0, 10.6, 10.6, 10.2, 9.8, 9.4, 9.0]
    assert not xmr([*BASE[:-1], *flat], baseline_points=11).points["trend"].any()


def test_two_of_three_beyond_the_same_near_limit() -> None:
    result = xmr([*BASE, 14.0, 10.0, 14.0], baseline_points=12)
    assert _flags(result, "two_of_three") == [12, 14]
    assert _flags(result, "special_cause") == [12, 14]
    assert result.points["classification"].iloc[13] == "common"
    assert result.variation == "improvement_high"


def test_two_of_three_on_opposite_sides_is_not_special() -> None:
    result = xmr([*BASE, 14.0, 10.0, 6.0], baseline_points=12)
    assert not result.points["two_of_three"].any()
    spread = xmr([*BASE, 14.0, 10.0, 10.0, 14.0], baseline_points=12)
    assert not spread.points["two_of_three"].any()


def test_neutral_measures_have_neither_improvement_nor_concern() -> None:
    result = xmr([*BASE, 16.0], baseline_points=12, improvement="neutral", target=12.0)
    assert result.points["classification"].iloc[-1] == "neither"
    assert result.variation == "neither_high"
    assert result.assurance is None


def test_recalculation_points_start_new_limits() -> None:
    first = [10.0, 11.0, 9.0, 10.0, 11.0, 9.0, 10.0, 11.0, 9.0, 10.0]
    second = [v + 10 for v in first]
    together = xmr(first + second)
    assert together.points["shift"].any()
    split = xmr(first + second, recalc_at=[10])
    assert split.points["segment"].tolist() == [0] * 10 + [1] * 10
    assert split.points["mean"].iloc[0] == pytest.approx(10.0)
    assert split.points["mean"].iloc[-1] == pytest.approx(20.0)
    assert math.isnan(split.points["moving_range"].iloc[10])  # no range across the change
    assert not split.points["special_cause"].any()


def test_fixed_baseline_keeps_limits_from_the_first_points() -> None:
    result = xmr([*BASE, 30.0, 31.0], baseline_points=12)
    assert result.points["mean"].tolist() == [10.0] * 14
    assert result.points["amr"].iloc[-1] == pytest.approx(2.0)
    free = xmr([*BASE, 30.0, 31.0])
    assert free.points["mean"].iloc[0] > 10.0


def test_assurance_against_a_target() -> None:
    # limits 4.68 to 15.32
    assert xmr(BASE, target=3.0).assurance == "pass"
    assert xmr(BASE, target=17.0).assurance == "fail"
    assert xmr(BASE, target=12.0).assurance == "hit_and_miss"
    assert xmr(BASE, target=3.0, improvement="decrease").assurance == "fail"
    assert xmr(BASE, target=17.0, improvement="decrease").assurance == "pass"
    assert xmr(BASE).assurance is None
    assert xmr(BASE, target=3.0).target == 3.0


def test_fewer_than_two_points() -> None:
    empty = xmr([])
    assert empty.points.empty and empty.variation is None and empty.assurance is None
    one = xmr([5.0], target=3.0)
    assert one.points["mean"].iloc[0] == 5.0
    assert math.isnan(one.points["upper_limit"].iloc[0])
    assert one.points["classification"].tolist() == ["common"]
    assert one.variation == "common_cause"
    assert one.assurance is None


def test_constant_series_has_zero_moving_range_and_no_special_cause() -> None:
    result = xmr([7.0] * 20, target=7.0)
    assert result.points["amr"].iloc[0] == 0.0
    assert (result.points["upper_limit"] == 7.0).all()
    assert not result.points["special_cause"].any()
    assert result.variation == "common_cause"
    assert result.assurance == "hit_and_miss"


def test_missing_values_are_skipped_not_counted() -> None:
    values = [*BASE, 11.5, 12, 11.5, None, 12, 11.5, 12, 11.5]
    result = xmr(values, baseline_points=12)
    pts = result.points
    assert pts["classification"].iloc[15] is None
    assert not pts["special_cause"].iloc[15]
    # the gap neither breaks nor counts: 7 observed points above the mean make a shift
    assert _flags(result, "shift") == [12, 13, 14, 16, 17, 18, 19]
    assert pts["moving_range"].iloc[16] == pytest.approx(0.5)  # 12 vs 11.5 across the gap
    nan_first = xmr([np.nan, *BASE])
    assert nan_first.points["mean"].iloc[1] == pytest.approx(10.0)
    assert nan_first.variation == "common_cause"


def test_series_index_is_kept() -> None:
    months = pd.date_range("2024-01-01", periods=5, freq="MS")
    result = xmr(pd.Series([1.0, 2.0, 1.5, 2.5, 2.0], index=months))
    assert list(result.points.index) == list(months)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"improvement": "up"},
        {"baseline_points": 1},
        {"trend_length": 1},
        {"recalc_at": [12]},
        {"recalc_at": [-1]},
    ],
)
def test_invalid_options_are_rejected(kwargs) -> None:
    with pytest.raises(ValueError):
        xmr(BASE, **kwargs)
