"""Register snapshots: aggregates only, disclosure-controlled, comparable over time."""

from __future__ import annotations

import datetime as dt
import json
import math

from lmns_desktop.core.disclosure import SuppressionRule
from lmns_desktop.core.profiling import (
    compare_snapshots,
    profile_cohort,
    profile_snapshot,
)
from lmns_desktop.core.profiling.snapshot import EVIDENCE_TYPE


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    else:
        yield str(value)


def _snap(profile, **kw):
    args = {"cohort_name": "Doula project", "date_range": ("2024-04-01", dt.date(2025, 3, 31)),
            "mapping": {"patient_id": "Pseudo ID", "imd_decile": "IMD Decile"},
            "iod_edition": "IoD2019", "created_at": dt.datetime(2025, 5, 1, 9, 30)}
    return profile_snapshot(profile, **{**args, **kw})


def test_snapshot_holds_no_row_level_data_or_identifiers(demo_frame, demo_profile) -> None:
    snap = _snap(demo_profile)
    text = json.dumps(snap, allow_nan=False)
    strings = set(_strings(snap))
    for column in ("patient_id", "nhs_number", "postcode", "lsoa"):
        assert not strings & set(demo_frame[column].astype(str)), column
    assert "Pseudo ID" not in text  # only field names of the mapping are kept
    assert snap["fields_mapped"] == ["imd_decile", "patient_id"]
    assert len(text) < 40_000  # small: a register cell, not a data set
    assert snap["evidence_type"] == EVIDENCE_TYPE == "Audit or QI data"
    assert (snap["date_from"], snap["date_to"]) == ("2024-04-01", "2025-03-31")
    assert snap["created_at"] == "2025-05-01T09:30:00"


def test_counts_are_suppressed_and_rounded_and_percentages_recomputed(make_frame) -> None:
    frame = make_frame({
        "imd_decile": [1] * 3 + [6] * 13 + [10] * 87,
        "preterm_birth": [True] * 2 + [False] * 1 + [True] * 12 + [False] * 1 + [False] * 87,
    })
    snap = _snap(profile_cohort(frame))
    quint = {g["group"]: g for g in snap["breakdowns"]["imd_quintile"]}
    assert quint[1]["count"] == "*" and quint[1]["percent"] == "*"
    assert quint[3]["count"] == 15 and quint[3]["percent"] == 14  # 15 / 105, whole numbers
    assert quint[5]["count"] == 85 and quint[2]["count"] == 0
    assert snap["n_rows"] == 105
    rows = {r["group"]: r for r in snap["outcomes"]["preterm_birth"]["imd_quintile"]}
    assert rows[1]["numerator"] == "*" and rows[1]["rate"] == "*"
    assert rows[1]["ratio"] == "*" and rows[1]["ratio_ci_low"] is None
    assert rows[3]["numerator"] == 10 and rows[3]["denominator"] == 15
    assert snap["disclosure"]["applied"] is True
    assert "rounded to the nearest 5" in snap["disclosure"]["note"]
    assert snap["summary"].startswith("Cohort profile of Doula project (2024-04-01 to "
                                      "2025-03-31): 105 women; Core20 *%")


def test_ratios_survive_when_no_count_behind_them_is_hidden(demo_profile) -> None:
    snap = _snap(demo_profile)
    rows = {r["group"]: r for r in snap["outcomes"]["preterm_birth"]["imd_quintile"]}
    exact = demo_profile.outcomes["preterm_birth"].group("imd_quintile", 1)
    assert rows[1]["ratio"] == exact.ratio and rows[5]["ratio"] == 1.0
    assert isinstance(rows[1]["numerator"], int) and rows[1]["numerator"] % 5 == 0
    assert snap["outcomes"]["preterm_birth"]["sii"]["imd_quintile"]["value"] < 0


def test_a_stricter_rule_is_applied(make_frame) -> None:
    frame = make_frame({"imd_decile": [1] * 9 + [10] * 30})
    snap = _snap(profile_cohort(frame), rule=SuppressionRule(upper=10, base=10))
    quint = {g["group"]: g["count"] for g in snap["breakdowns"]["imd_quintile"]}
    assert quint[1] == "*" and quint[5] == 30
    assert snap["disclosure"]["upper"] == 10


def test_compare_snapshots_orders_by_period_and_flags_what_differs(demo_frame) -> None:
    early = profile_cohort(demo_frame, mask=(demo_frame["booking_date"] < "2025-04-01").to_numpy())
    late = profile_cohort(demo_frame, mask=(demo_frame["booking_date"] >= "2025-04-01").to_numpy())
    s_late = _snap(late, date_range=("2025-04-01", "2026-03-31"), iod_edition="IoD2025")
    s_early = _snap(early, date_range=("2024-04-01", "2025-03-31"))
    trend = compare_snapshots([s_late, s_early])
    table = trend.table
    assert table["date_from"].tolist() == ["2024-04-01", "2025-04-01"]
    assert table["core20_percent"].tolist() == [s_early["core20"]["percent"],
                                                s_late["core20"]["percent"]]
    assert "preterm_birth SII (imd_quintile)" in table.columns
    assert any("different IoD editions" in n for n in trend.notes)


def test_compare_snapshots_leaves_suppressed_values_blank(make_frame) -> None:
    small = _snap(profile_cohort(make_frame({"imd_decile": [1] * 3 + [10] * 30})))
    trend = compare_snapshots([small])
    assert math.isnan(trend.table.loc[0, "imd_quintile: 1 percent"])
    assert trend.table.loc[0, "imd_quintile: 5 percent"] == 86  # 30 / 35 after rounding 33 to 35
    assert any("left blank" in n for n in trend.notes)
