"""Comparing two cohorts: Newcombe differences and cautious reach statements."""

from __future__ import annotations

import json

import pytest

from lmns_desktop.core import stats
from lmns_desktop.core.profiling import compare_cohorts, profile_cohort


def _cohort(make_frame, core20: int, others: int, unknown: int = 0, black: int = 0):
    n = core20 + others + unknown
    return make_frame({
        "imd_decile": [1] * core20 + [6] * others + [None] * unknown,
        "ethnic_category": ["N"] * black + ["A"] * (n - black),
    })


def test_core20_reach_statement_says_more_when_the_interval_excludes_zero(make_frame) -> None:
    a = profile_cohort(_cohort(make_frame, 310, 690))
    b = profile_cohort(_cohort(make_frame, 2400, 7600))
    cmp = compare_cohorts(a, b, "participants", "all bookings")
    core20 = cmp.core20
    assert core20.statement.startswith(
        "Core20 women are 31% of participants vs 24% of all bookings: a higher share (7.0 "
        "percentage points more, 95% CI")
    assert core20.direction == "more"
    d, low, high = stats.difference_ci(310, 1000, 2400, 10000)
    assert (core20.difference, core20.ci_low, core20.ci_high) == pytest.approx((d, low, high))
    assert cmp.statements()[0] == core20.statement


def test_similar_when_the_interval_includes_zero(make_frame) -> None:
    a = profile_cohort(_cohort(make_frame, 26, 74))
    b = profile_cohort(_cohort(make_frame, 2400, 7600))
    core20 = compare_cohorts(a, b).core20
    assert core20.direction == "similar"
    assert "a similar share" in core20.statement and "includes no difference" in core20.statement
    assert "more" not in core20.statement and "higher" not in core20.statement


def test_less_and_group_shares_are_of_all_rows(make_frame) -> None:
    a = profile_cohort(_cohort(make_frame, 100, 800, unknown=100, black=20))
    b = profile_cohort(_cohort(make_frame, 300, 700, black=150))
    cmp = compare_cohorts(a, b, "the doula project", "the LMNS")
    row = next(g for g in cmp.groups
               if g.dimension == "ethnic_group" and g.group == "Black or Black British")
    assert (row.share_a, row.share_b) == pytest.approx((2.0, 15.0))
    assert row.direction == "less"
    assert row.statement.startswith("Black or Black British women are 2% of the doula project "
                                    "vs 15% of the LMNS: a lower share (13.0 percentage points "
                                    "less")
    # Core20 uses rows with a known decile: 100 of 900, not of 1,000.
    assert cmp.core20.share_a == pytest.approx(100 / 9)
    assert len(cmp.statements(include_similar=False)) < len(cmp.statements())


def test_dimension_in_one_profile_only_is_noted(make_frame) -> None:
    a = profile_cohort(make_frame({"imd_decile": [1, 2, 3]}))
    b = profile_cohort(make_frame({"imd_decile": [1, 5, 9],
                                   "ethnic_category": ["A", "B", "C"]}))
    cmp = compare_cohorts(a, b)
    assert any("Ethnic group is only in the all bookings profile" in n for n in cmp.notes)
    assert all(g.dimension != "ethnic_group" for g in cmp.groups)


def test_empty_cohort_cannot_be_compared_but_does_not_raise(make_frame) -> None:
    a = profile_cohort(make_frame({"imd_decile": []}))
    b = profile_cohort(make_frame({"imd_decile": [1, 2, 3]}))
    cmp = compare_cohorts(a, b)
    assert cmp.core20 is None and any("cannot be compared" in n for n in cmp.notes)
    assert all(g.direction is None and "cannot be compared" in g.statement for g in cmp.groups)
    json.dumps(cmp.to_json(), allow_nan=False)


def test_demo_subset_reaches_the_core20(demo_frame) -> None:
    mask = (demo_frame["imd_decile"] <= 3).fillna(False).to_numpy()
    cmp = compare_cohorts(profile_cohort(demo_frame, mask=mask), profile_cohort(demo_frame))
    assert cmp.core20.direction == "more"
    q5 = next(g for g in cmp.groups if g.dimension == "imd_quintile" and g.group == 5)
    assert q5.direction == "less" and q5.share_a == 0
