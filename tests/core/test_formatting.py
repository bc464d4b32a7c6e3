"""Display text and sort order for tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lmns_desktop.core.formatting import format_column, sort_order


def test_dates_show_day_first() -> None:
    s = pd.Series(pd.to_datetime(["2024-02-03", None, "2025-12-31"]))
    assert format_column(s).tolist() == ["03/02/2024", "", "31/12/2025"]


def test_whole_floats_show_without_decimals_and_others_trimmed() -> None:
    assert format_column(pd.Series([1.0, 2.0, np.nan])).tolist() == ["1", "2", ""]
    assert format_column(pd.Series([1.5, 2.25, 3.0])).tolist() == ["1.5", "2.25", "3"]


def test_mixed_object_column_formats_each_kind() -> None:
    s = pd.Series([pd.Timestamp("2024-01-05"), 3.0, "text", None], dtype=object)
    assert format_column(s).tolist() == ["05/01/2024", "3", "text", ""]


def test_text_column_keeps_leading_zeros() -> None:
    assert format_column(pd.Series(["0123456789", None], dtype="string")).tolist() == ["0123456789", ""]


@given(st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), max_size=60), st.booleans())
def test_sort_order_is_a_permutation_sorted_with_missing_last(values: list, ascending: bool) -> None:
    s = pd.Series(values, dtype="Int64")
    order = sort_order(s, ascending)
    assert sorted(order.tolist()) == list(range(len(values)))
    ordered = [values[i] for i in order]
    present = [v for v in ordered if v is not None]
    assert present == sorted(present, reverse=not ascending)
    assert all(v is None for v in ordered[len(present):])


def test_sort_order_is_stable_and_case_insensitive() -> None:
    s = pd.Series(["b", "A", "a", "B"])
    assert sort_order(s).tolist() == [1, 2, 0, 3]


def test_nullable_flags_show_yes_no_and_blank_for_unknown() -> None:
    s = pd.Series([True, False, None], dtype="boolean")
    assert format_column(s).tolist() == ["Yes", "No", ""]
