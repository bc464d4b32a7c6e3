"""Cohort filters: vectorised masks with reasons, on fields, dimensions and user columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core.profiling import (
    CohortFilter,
    prepare_cohort,
    profile_cohort,
)


def test_empty_filter_keeps_everything(small_frame) -> None:
    result = CohortFilter().apply(small_frame)
    assert result.mask.all() and result.excluded == {}
    assert CohortFilter().is_empty and CohortFilter().describe() == "All rows"


def test_date_range_is_inclusive_and_drops_missing_dates(small_frame) -> None:
    flt = CohortFilter(date_from="2024-04-01", date_to=dt.date(2024, 5, 1))
    result = flt.apply(small_frame)
    dates = pd.to_datetime(small_frame["booking_date"])
    expected = (dates >= "2024-04-01") & (dates < "2024-05-02")
    assert result.mask.tolist() == expected.fillna(False).tolist()
    assert result.n_kept == 4  # 1 Apr, 15 Apr, 30 Apr and 1 May, both ends included
    assert result.excluded == {"booking date missing": 1,
                               "booking date outside the date range": 7}
    assert sum(result.excluded.values()) == len(small_frame) - result.n_kept


def test_date_range_includes_times_on_the_last_day(make_frame) -> None:
    frame = make_frame({"delivery_date": ["2024-05-31 23:59", "2024-06-01 00:00"]})
    mask = CohortFilter(date_field="delivery_date", date_to="2024-05-31").mask(frame)
    assert mask.tolist() == [True, False]


def test_open_ended_ranges(small_frame) -> None:
    after = CohortFilter(date_from="2024-09-01").mask(small_frame)
    assert after.sum() == 2
    before = CohortFilter(date_to="2024-04-15").mask(small_frame)
    assert before.sum() == 2


def test_trusts_and_sites_match_case_insensitively(small_frame) -> None:
    frame = small_frame.assign(site=["A", "b", "A", "B", "a", "C", "c", "A", "B", "A", "b", "C"])
    result = CohortFilter(trusts=("t1", " T2 "), sites=("a",)).apply(frame)
    expected = frame["trust"].isin(["T1", "T2"]) & frame["site"].str.upper().eq("A")
    assert result.mask.tolist() == expected.tolist()
    assert result.excluded == {"trust not selected": 3, "site not selected": 4}


def test_values_on_a_user_column_and_on_a_boolean_field(small_frame) -> None:
    frame = small_frame.assign(project_arm=["doula", "usual", None] * 4)
    mask = CohortFilter(values={"project_arm": "Doula"}).mask(frame)
    assert mask.tolist() == (frame["project_arm"] == "doula").fillna(False).tolist()
    not_known = CohortFilter(values={"project_arm": ["Not known"]}).mask(frame)
    assert not_known.tolist() == frame["project_arm"].isna().tolist()
    homeless = CohortFilter(values={"homelessness": [True]}).mask(frame)
    assert homeless.tolist() == frame["homelessness"].fillna(False).tolist()
    assert (CohortFilter(values={"homelessness": "Yes"}).mask(frame) == homeless).all()


def test_values_on_dimensions_use_group_labels(small_frame) -> None:
    black = CohortFilter(values={"ethnic_group": "Black or Black British"}).mask(small_frame)
    assert black.tolist() == small_frame["ethnic_category"].isin(["N", "M"]).fillna(
        False).tolist()
    core20 = CohortFilter(values={"core20": ["Core20"]}).mask(small_frame)
    assert core20.tolist() == (small_frame["imd_decile"] <= 2).fillna(False).tolist()
    quint = CohortFilter(values={"imd_quintile": [1, "2"]}).mask(small_frame)
    assert quint.sum() == int((small_frame["imd_decile"] <= 4).sum())
    deciles = CohortFilter(values={"imd_decile": [10]}).mask(small_frame)
    assert deciles.sum() == 2


def test_condition_on_a_missing_column_keeps_nothing_and_says_so(small_frame) -> None:
    result = CohortFilter(values={"parity": 0}).apply(small_frame)
    assert not result.mask.any()
    assert result.excluded == {"parity not selected": len(small_frame)}


def test_filter_result_feeds_the_profile_with_reasons(demo_frame) -> None:
    flt = CohortFilter(date_from="2025-01-01", date_to="2025-06-30",
                       values={"ethnic_group": ["Asian or Asian British"]})
    prepared = prepare_cohort(demo_frame)
    result = flt.apply(demo_frame, prepared)
    p = profile_cohort(prepared, mask=result)
    assert p.n_rows == result.n_kept > 0
    assert p.excluded_reasons == result.excluded
    assert p.n_excluded == len(demo_frame) - p.n_rows
    assert p.breakdowns["ethnic_group"].group("Asian or Asian British").count == p.n_rows
    direct = ((demo_frame["booking_date"] >= "2025-01-01")
              & (demo_frame["booking_date"] < "2025-07-01")
              & demo_frame["ethnic_category"].isin(["H", "J", "K", "L"])).to_numpy()
    assert np.array_equal(result.mask, direct)


def test_describe_reads_as_a_sentence() -> None:
    flt = CohortFilter(date_field="delivery_date", date_from="2024-04-01",
                       date_to="2025-03-31", trusts=("Riverside",),
                       values={"ethnic_group": ["Black or Black British"]})
    assert flt.describe() == ("Rows with delivery date 01/04/2024 to 31/03/2025; trust: "
                              "Riverside; ethnic group: Black or Black British")


def test_bad_filters_are_refused() -> None:
    with pytest.raises(ValueError, match="after its end"):
        CohortFilter(date_from="2025-01-02", date_to="2025-01-01")
    with pytest.raises(ValueError, match="booking_date or delivery_date"):
        CohortFilter(date_field="date_of_birth")


def test_derived_fields_can_be_filtered_without_a_prepared_cohort(small_frame) -> None:
    mask = CohortFilter(values={"age_under_20": "Yes"}).mask(small_frame)
    assert mask.tolist() == (small_frame["age"] < 20).fillna(False).tolist()


def test_identifiers_cannot_be_filtered_on() -> None:
    with pytest.raises(ValueError, match="identifies people"):
        CohortFilter(values={"nhs_number": "9990000000"})
