"""Properties every confidence interval in ``core.stats`` must have, for any valid input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lmns_desktop.core import stats

settings.register_profile("stats", deadline=None, max_examples=150)
settings.load_profile("stats")

levels = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])
sizes = st.integers(min_value=1, max_value=10**7)


@st.composite
def count_and_total(draw, max_n: int = 10**7) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    x = draw(st.integers(min_value=0, max_value=n))
    return x, n


@given(count_and_total(), levels)
def test_wilson_contains_estimate_and_stays_within_0_100(xn, level) -> None:
    x, n = xn
    value, lower, upper = stats.wilson_ci(x, n, level)
    assert 0.0 <= lower <= value <= upper <= 100.0
    assert value == pytest.approx(100.0 * x / n)
    assert upper > lower


@given(st.integers(min_value=1, max_value=10**6), levels)
def test_wilson_zero_and_full_counts(n, level) -> None:
    zero = stats.wilson_ci(0, n, level)
    full = stats.wilson_ci(n, n, level)
    assert zero.value == 0.0 and zero.lower == 0.0 and 0.0 < zero.upper < 100.0
    assert full.value == 100.0 and full.upper == 100.0 and 0.0 < full.lower < 100.0
    # the score interval is symmetric: x of n mirrors n - x of n
    assert full.lower == pytest.approx(100.0 - zero.upper, rel=1e-9)


@given(count_and_total(max_n=10**5), levels)
def test_wilson_mirrors_the_complement(xn, level) -> None:
    x, n = xn
    a = stats.wilson_ci(x, n, level)
    b = stats.wilson_ci(n - x, n, level)
    assert a.lower == pytest.approx(100.0 - b.upper, rel=1e-9, abs=1e-9)
    assert a.upper == pytest.approx(100.0 - b.lower, rel=1e-9, abs=1e-9)


@given(count_and_total(max_n=10**5), st.integers(min_value=2, max_value=50), levels)
def test_wilson_narrows_as_n_grows_with_p_fixed(xn, factor, level) -> None:
    x, n = xn
    small = stats.wilson_ci(x, n, level)
    large = stats.wilson_ci(x * factor, n * factor, level)
    assert large.upper - large.lower < small.upper - small.lower


@given(count_and_total(max_n=10**5))
def test_wilson_widens_with_confidence(xn) -> None:
    x, n = xn
    narrow = stats.wilson_ci(x, n, 0.9)
    wide = stats.wilson_ci(x, n, 0.99)
    assert wide.lower <= narrow.lower and wide.upper >= narrow.upper
    assert wide.upper - wide.lower > narrow.upper - narrow.lower


@given(st.lists(count_and_total(max_n=10**4), min_size=1, max_size=20), levels)
def test_wilson_arrays_match_scalars(pairs, level) -> None:
    x = np.array([p[0] for p in pairs])
    n = np.array([p[1] for p in pairs])
    value, lower, upper = stats.wilson_ci(x, n, level)
    assert isinstance(lower, np.ndarray) and lower.shape == x.shape
    for i, (xi, ni) in enumerate(pairs):
        single = stats.wilson_ci(int(xi), int(ni), level)
        assert isinstance(single.lower, float)
        assert lower[i] == pytest.approx(single.lower, rel=1e-12, abs=1e-15)
        assert upper[i] == pytest.approx(single.upper, rel=1e-12)


def test_wilson_missing_and_empty_inputs_give_nan() -> None:
    value, lower, upper = stats.wilson_ci([None, 3, 0, np.nan], [10, None, 0, 5])
    assert np.isnan(value[:3]).all() and np.isnan(lower[:3]).all() and np.isnan(upper[:3]).all()
    assert value[3] != value[3]  # x missing
    with pytest.raises(ValueError, match="larger than its denominator"):
        stats.wilson_ci(6, 5)
    with pytest.raises(ValueError, match="negative"):
        stats.wilson_ci(-1, 5)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**7), levels)
def test_rate_ci_contains_rate_and_is_non_negative(x, n, level) -> None:
    value, lower, upper = stats.rate_ci(x, n, level, multiplier=1000)
    assert 0.0 <= lower <= value <= upper
    assert value == pytest.approx(1000.0 * x / n)
    if x == 0:
        assert lower == 0.0 and upper > 0.0


@given(st.integers(min_value=0, max_value=10**5), levels)
def test_poisson_count_limits_increase_with_the_count(x, level) -> None:
    a = stats.poisson_count_ci(x, level)
    b = stats.poisson_count_ci(x + 1, level)
    assert b.upper > a.upper
    assert b.lower >= a.lower


@given(st.integers(min_value=1, max_value=10**6), levels)
def test_byars_limits_bracket_the_count_when_defined(x, level) -> None:
    _, lower, upper = stats.byars_count_ci(x, level)
    assert upper > x
    assert math.isnan(lower) or 0.0 <= lower < x


@st.composite
def two_groups(draw, max_n: int = 10**5):
    n1 = draw(st.integers(min_value=1, max_value=max_n))
    n0 = draw(st.integers(min_value=1, max_value=max_n))
    a = draw(st.integers(min_value=0, max_value=n1))
    b = draw(st.integers(min_value=0, max_value=n0))
    return a, n1, b, n0


@given(two_groups(), levels)
def test_risk_ratio_contains_ratio_or_is_flagged(groups, level) -> None:
    a, n1, b, n0 = groups
    result = stats.risk_ratio(a, n1, b, n0, level)
    if a == 0 or b == 0:
        assert result.zero_count is True
        assert math.isnan(result.ratio) and math.isnan(result.lower) and math.isnan(result.upper)
    else:
        assert result.zero_count is False
        assert 0.0 < result.lower <= result.ratio <= result.upper
        assert result.ratio == pytest.approx((a / n1) / (b / n0))


@given(two_groups(), levels)
def test_risk_ratio_swapping_groups_inverts_it(groups, level) -> None:
    a, n1, b, n0 = groups
    assume(a > 0 and b > 0)
    fwd = stats.risk_ratio(a, n1, b, n0, level)
    back = stats.risk_ratio(b, n0, a, n1, level)
    assert back.ratio == pytest.approx(1.0 / fwd.ratio, rel=1e-9)
    assert back.lower == pytest.approx(1.0 / fwd.upper, rel=1e-9)
    assert back.upper == pytest.approx(1.0 / fwd.lower, rel=1e-9)


@given(
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**7),
    levels,
)
def test_rate_ratio_contains_ratio(a, n1, b, n0, level) -> None:
    result = stats.rate_ratio(a, n1, b, n0, level)
    assert 0.0 < result.lower < result.ratio < result.upper
    # the interval on the log scale is symmetric about ln(ratio)
    assert math.log(result.upper) - math.log(result.ratio) == pytest.approx(
        math.log(result.ratio) - math.log(result.lower), rel=1e-9
    )


@given(two_groups(), levels)
def test_difference_ci_contains_difference_and_is_bounded(groups, level) -> None:
    x1, n1, x2, n2 = groups
    value, lower, upper = stats.difference_ci(x1, n1, x2, n2, level)
    assert -100.0 - 1e-9 <= lower <= value <= upper <= 100.0 + 1e-9
    swapped = stats.difference_ci(x2, n2, x1, n1, level)
    assert swapped.value == pytest.approx(-value, abs=1e-9)
    assert swapped.lower == pytest.approx(-upper, abs=1e-9)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=2, max_size=50), levels)
def test_mean_ci_contains_mean(values, level) -> None:
    result = stats.mean_ci(values, level)
    assert result.n == len(values)
    assert result.lower <= result.value + 1e-9 and result.value <= result.upper + 1e-9


def test_mean_ci_with_fewer_than_two_values() -> None:
    assert stats.mean_ci([]).n == 0 and math.isnan(stats.mean_ci([]).value)
    one = stats.mean_ci([4.0, None])
    assert one.value == 4.0 and math.isnan(one.lower) and one.n == 1


@settings(max_examples=25)
@given(
    st.lists(st.floats(min_value=1.0, max_value=100.0), min_size=5, max_size=10),
    st.floats(min_value=-50.0, max_value=50.0),
)
def test_sii_shifts_not_at_all_when_values_shift(values, shift) -> None:
    """The SII measures a gradient: adding a constant to every quantile leaves it unchanged."""
    k = len(values)
    q = np.arange(1, k + 1)
    pop = np.linspace(900, 1100, k)
    se = np.full(k, 0.5)
    base = stats.sii_rii(q, pop, values, se=se, reps=1000)
    moved = stats.sii_rii(q, pop, np.array(values) + shift, se=se, reps=1000)
    assert moved.sii == pytest.approx(base.sii, abs=1e-6)
    assert moved.sii_lower[0] == pytest.approx(base.sii_lower[0], abs=1e-6)
    assert base.sii_lower[0] <= base.sii <= base.sii_upper[0] or base.sii == pytest.approx(0)


@settings(max_examples=25)
@given(st.floats(min_value=-5.0, max_value=5.0), st.floats(min_value=10.0, max_value=50.0))
def test_sii_recovers_an_exact_straight_line(slope, start) -> None:
    """Values lying on a line in rank give that line's slope and intercept, whatever the pops."""
    pop = np.array([1200.0, 800.0, 1000.0, 1500.0, 500.0])
    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    values = start + slope * rank
    result = stats.sii_rii(np.arange(1, 6), pop, values, se=np.full(5, 0.1), reps=1000)
    assert result.sii == pytest.approx(slope, abs=1e-9)
    assert result.intercept == pytest.approx(start, rel=1e-9)
    assert result.rii == pytest.approx((start + slope) / start, rel=1e-9)
