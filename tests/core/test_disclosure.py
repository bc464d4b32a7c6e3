"""Disclosure control: 0 stays 0, 1-7 become *, the rest round to 5, % from rounded numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmns_desktop.core.disclosure import (
    DEFAULT_RULE,
    SuppressionRule,
    apply_to_table,
    round_counts,
    suppress_counts,
    suppress_percentages,
)

NOTE = (
    "Counts of 1 to 7 are shown as * and others are rounded to the nearest 5; percentages are "
    "calculated from the rounded numbers."
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, "*"),
        (5, "*"),
        (7, "*"),
        (8, 10),
        (9, 10),
        (10, 10),
        (12, 10),
        (13, 15),
        (17, 15),
        (18, 20),
        (22, 20),
        (23, 25),
        (1234, 1235),
        (1232, 1230),
    ],
)
def test_counts_follow_the_nhs_rule(count, shown) -> None:
    assert suppress_counts([count]).tolist() == [shown]


def test_missing_counts_stay_missing_and_are_not_marked_suppressed() -> None:
    rounded, hidden = round_counts([None, np.nan, 3, 40])
    assert np.isnan(rounded[:3]).all() and rounded[3] == 40
    assert hidden.tolist() == [False, False, True, False]
    assert suppress_counts(pd.Series([None, 3, 40], dtype="Int64")).tolist() == [None, "*", 40]


def test_series_index_is_kept() -> None:
    counts = pd.Series([3, 12], index=["Core20", "Not Core20"])
    assert suppress_counts(counts).to_dict() == {"Core20": "*", "Not Core20": 10}


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress_counts([4, -1])


def test_percentages_come_from_the_rounded_numbers() -> None:
    # 12/38 is 31.6% exactly, but 10/40 after rounding: 25%
    pct = suppress_percentages([12, 0, 3, 20, 9], [38, 38, 38, 5, 0])
    assert pct.tolist() == [25, 0, "*", "*", None]


def test_percentage_decimals_follow_the_4000_denominator_rule() -> None:
    pct = suppress_percentages([1234, 1234], [3999, 4000])
    # 1235/4000 -> 30.875 -> 30.9 (1 dp); 1235/4000 for 3999 as well, but 3999 rounds to 4000
    assert pct.tolist() == [30.9, 30.9]
    small = suppress_percentages([1234], [3997])  # 3997 -> 3995: whole numbers
    assert small.tolist() == [31]
    fixed = suppress_percentages([12], [38], decimals=2)
    assert fixed.tolist() == [25.0]


def test_rule_is_configurable_and_the_note_says_what_was_done() -> None:
    assert DEFAULT_RULE.note == NOTE
    old_hes = SuppressionRule(lower=1, upper=5, base=1)
    assert suppress_counts([0, 5, 6, 13], old_hes).tolist() == [0, "*", 6, 13]
    assert "Counts of 1 to 5" in old_hes.note and "nearest 1" in old_hes.note
    tens = SuppressionRule(upper=9, base=10, symbol="c")
    assert suppress_counts([9, 10, 14, 15], tens).tolist() == ["c", 10, 10, 20]


def test_a_shown_count_never_rounds_to_zero() -> None:
    lenient = SuppressionRule(lower=1, upper=1, base=5)
    assert suppress_counts([1, 2, 0], lenient).tolist() == ["*", 5, 0]


def test_fractional_counts_below_the_threshold_are_hidden() -> None:
    assert suppress_counts([0.4, 7.5, 8.0]).tolist() == ["*", 10, 10]


@pytest.mark.parametrize("kwargs", [{"lower": 0}, {"lower": 5, "upper": 4}, {"base": 0}])
def test_invalid_rules_are_rejected(kwargs) -> None:
    with pytest.raises(ValueError):
        SuppressionRule(**kwargs)


def test_apply_to_table_returns_a_display_copy_and_the_note() -> None:
    df = pd.DataFrame(
        {
            "group": ["Core20", "Not Core20", "Not known"],
            "count": [12, 523, 4],
            "denominator": [38, 1790, 38],
            "percent": [31.58, 29.22, 10.53],
            "ci_low": [18.0, 27.1, 4.2],
        }
    )
    before = df.copy()
    table, note = apply_to_table(
        df, ["count", "denominator"], {"percent": ("count", "denominator")}
    )
    assert note == NOTE
    assert table["count"].tolist() == [10, 525, "*"]
    assert table["denominator"].tolist() == [40, 1790, 40]
    assert table["percent"].tolist() == [25, 29, "*"]
    assert table["ci_low"].tolist() == [18.0, 27.1, 4.2]
    assert table["group"].tolist() == ["Core20", "Not Core20", "Not known"]
    pd.testing.assert_frame_equal(df, before)


def test_apply_to_table_can_add_a_percentage_column_and_names_missing_columns() -> None:
    df = pd.DataFrame({"n": [100, 7], "d": [400, 400]})
    table, _ = apply_to_table(df, ["n"], {"pct": ("n", "d")})
    assert table["pct"].tolist() == [25, "*"]
    assert table["d"].tolist() == [400, 400]  # not listed as a count column: unchanged
    with pytest.raises(KeyError, match="missing"):
        apply_to_table(df, ["missing"])
    with pytest.raises(KeyError, match="nope"):
        apply_to_table(df, [], {"pct": ("n", "nope")})


counts = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40)


@settings(deadline=None, max_examples=200)
@given(counts)
def test_property_shown_counts_reveal_nothing_small(values) -> None:
    shown = suppress_counts(values).tolist()
    for raw, out in zip(values, shown, strict=True):
        if raw == 0:
            assert out == 0
        elif raw <= 7:
            assert out == "*"
        else:
            assert isinstance(out, int)
            assert out % 5 == 0
            assert out >= 10  # never a value from 1 to 7
            assert abs(out - raw) <= 2


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=30))
def test_property_percentages_hide_whenever_a_number_is_hidden(pairs) -> None:
    num = [p[0] for p in pairs]
    den = [p[1] for p in pairs]
    pct = suppress_percentages(num, den, decimals=1).tolist()
    for n, d, out in zip(num, den, pct, strict=True):
        if 1 <= n <= 7 or 1 <= d <= 7:
            assert out == "*"
        elif d == 0:
            assert out is None
        else:
            rn, rd = (
                0 if n == 0 else int(np.floor(n / 5 + 0.5) * 5),
                int(np.floor(d / 5 + 0.5) * 5),
            )
            assert abs(out - 100 * rn / rd) <= 0.05 + 1e-9  # rounded to 1 dp


@settings(deadline=None, max_examples=100)
@given(
    counts,
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=50),
)
def test_property_any_rule_keeps_zero_and_multiples(values, lower, extra, base) -> None:
    rule = SuppressionRule(lower=lower, upper=lower + extra, base=base)
    for raw, out in zip(values, suppress_counts(values, rule).tolist(), strict=True):
        if raw == 0:
            assert out == 0
        elif raw <= rule.upper:
            assert out == "*"
        else:
            assert out % base == 0 and out > 0
