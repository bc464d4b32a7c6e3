"""Bad and thin input: the profile still builds and says what cannot be computed and why."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core.profiling import (
    NOT_KNOWN,
    compare_cohorts,
    cross_tab,
    findings,
    profile_cohort,
    profile_snapshot,
    profile_to_json,
)


def _everything(profile) -> None:
    """Every consumer of a profile works on it."""
    json.dumps(profile_to_json(profile), allow_nan=False)
    assert findings(profile)
    json.dumps(profile_snapshot(profile, cohort_name="x", date_range=None, mapping={},
                                iod_edition=None))
    compare_cohorts(profile, profile)


def test_empty_frame(make_frame) -> None:
    frame = make_frame({"imd_decile": [], "ethnic_category": [], "preterm_birth": []})
    p = profile_cohort(frame)
    assert p.n_rows == 0
    assert all(g.count == 0 and math.isnan(g.percent) for g in p.breakdowns["imd_decile"].groups)
    assert p.core20.reason and "no row has a known IMD decile" in p.core20.reason
    assert p.outcomes["preterm_birth"].sii["imd_quintile"].reason
    assert any("No rows" in n for n in p.notes)
    _everything(p)


def test_frame_with_no_columns_at_all() -> None:
    p = profile_cohort(pd.DataFrame(index=range(5)))
    assert p.n_rows == 5 and p.breakdowns == {} and p.outcomes == {}
    assert "imd_decile" in p.unavailable and "ethnic_category" in p.unavailable
    assert p.continuity["overall"].reason
    assert findings(p)[0].startswith("The Core20 share cannot be worked out")
    _everything(p)


def test_no_imd_information(make_frame) -> None:
    frame = make_frame({"ethnic_category": ["A", "N", "H", "A"],
                        "preterm_birth": [True, False, True, False]})
    p = profile_cohort(frame)
    assert "imd_decile" not in p.breakdowns and "core20" not in p.breakdowns
    assert p.unavailable["imd_decile"] == "The cohort has no IMD decile column."
    assert p.core20.reason.startswith("Not computable")
    assert p.outcomes["preterm_birth"].sii == {}
    data = profile_to_json(p)
    assert data["outcomes"]["preterm_birth"]["sii"]["value"] is None
    assert data["outcomes"]["preterm_birth"]["sii"]["reason"]
    # The focus group is still known for Black/Asian/Mixed women (Core20 OR ethnicity).
    assert p.breakdowns["core20plus5_focus"].group("Yes").count == 2
    assert any("only partly known" in n for n in p.notes)
    _everything(p)


def test_quintile_only_still_gives_core20(make_frame) -> None:
    frame = make_frame({"imd_quintile": [1, 1, 3, 5, None]})
    p = profile_cohort(frame)
    assert (p.core20.count, p.core20.denominator) == (2, 4)
    assert "imd_decile" not in p.breakdowns and "imd_quintile" in p.breakdowns


def test_core20_flag_only(make_frame) -> None:
    frame = make_frame({"core20": [True, False, None, True]})
    p = profile_cohort(frame)
    assert (p.core20.count, p.core20.denominator) == (2, 3)


def test_no_ethnicity(make_frame) -> None:
    frame = make_frame({"imd_decile": [1, 5, 10, 2], "stillbirth": [True, False, False, True]})
    p = profile_cohort(frame)
    assert "ethnic_group" not in p.breakdowns and "ethnic_category" not in p.breakdowns
    assert "core20_black_asian" in p.unavailable
    _everything(p)


def test_single_group(make_frame) -> None:
    frame = make_frame({"imd_decile": [3] * 6, "ethnic_category": ["A"] * 6,
                        "caesarean": [True, False, True, False, False, True]})
    p = profile_cohort(frame)
    rows = p.outcomes["caesarean"].by_dimension["imd_decile"]
    assert rows[2].numerator == 3 and rows[2].denominator == 6
    assert "reference group (10) has no one" in rows[2].reason
    assert "decile" in p.outcomes["caesarean"].sii["imd_decile"].reason
    assert p.outcomes["caesarean"].group("ethnic_group", "White").is_reference
    _everything(p)


def test_all_outcomes_missing(make_frame) -> None:
    frame = make_frame({"imd_decile": [1, 2, 3, 10, 9, 5], "preterm_birth": [None] * 6,
                        "continuity_of_carer": [None] * 6})
    frame["preterm_birth"] = frame["preterm_birth"].astype("boolean")
    frame["continuity_of_carer"] = frame["continuity_of_carer"].astype("boolean")
    p = profile_cohort(frame)
    out = p.outcomes["preterm_birth"]
    assert out.denominator == 0 and math.isnan(out.rate)
    assert all(r.reason for r in out.by_dimension["imd_quintile"])
    assert out.sii["imd_quintile"].reason
    assert p.continuity["overall"].reason == "Not computable: no one with a known value."
    _everything(p)


def test_reference_group_with_no_events(make_frame) -> None:
    frame = make_frame({"imd_decile": [1] * 10 + [10] * 10,
                        "stillbirth": [True] * 2 + [False] * 8 + [False] * 10})
    p = profile_cohort(frame)
    row = p.outcomes["stillbirth"].group("imd_decile", 1)
    assert math.isnan(row.ratio) and "no events in the reference group (10)" in row.reason
    assert row.rate == pytest.approx(20.0)


def test_group_with_no_events_against_a_reference_with_events(make_frame) -> None:
    frame = make_frame({"imd_decile": [1] * 10 + [10] * 10,
                        "stillbirth": [False] * 10 + [True] * 3 + [False] * 7})
    row = profile_cohort(frame).outcomes["stillbirth"].group("imd_decile", 1)
    assert math.isnan(row.ratio) and "no events in this group" in row.reason


def test_no_events_anywhere_gives_an_sii_reason(make_frame) -> None:
    frame = make_frame({"imd_decile": list(range(1, 11)) * 3, "stillbirth": [False] * 30})
    p = profile_cohort(frame)
    assert p.outcomes["stillbirth"].sii["imd_decile"].reason == (
        "Not computable: there are no events in any IMD group.")


def test_zero_denominators_everywhere_but_one_group(make_frame) -> None:
    frame = make_frame({"ethnic_category": ["A", "A", "N", "N"],
                        "low_birth_weight": [True, False, None, None]})
    frame["low_birth_weight"] = frame["low_birth_weight"].astype("boolean")
    rows = profile_cohort(frame).outcomes["low_birth_weight"].by_dimension["ethnic_group"]
    black = next(r for r in rows if r.group == "Black or Black British")
    assert black.denominator == 0 and black.reason == "No one in this group has a known outcome."
    assert math.isnan(black.rate)


def test_all_values_junk(make_frame) -> None:
    frame = pd.DataFrame({"imd_decile": ["x", "y"], "ethnic_category": ["?", "!"],
                          "preterm_birth": ["perhaps", "unknown"]})
    p = profile_cohort(frame)
    assert p.breakdowns["imd_decile"].group(NOT_KNOWN).count == 2
    assert p.breakdowns["ethnic_group"].group(NOT_KNOWN).count == 2
    assert p.outcomes["preterm_birth"].denominator == 0
    assert len(p.notes) >= 3
    _everything(p)


def test_cross_tab_of_a_missing_dimension_says_why(make_frame) -> None:
    frame = make_frame({"imd_decile": [1, 2]})
    with pytest.raises(ValueError, match="no ethnic category"):
        cross_tab(frame, "core20", "ethnic_group")


def test_mask_keeping_nothing(small_frame) -> None:
    p = profile_cohort(small_frame, mask=np.zeros(len(small_frame), dtype=bool))
    assert p.n_rows == 0 and p.n_excluded == len(small_frame)
    _everything(p)
