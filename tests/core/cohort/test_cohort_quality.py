"""Data-quality report: completeness, invalid values by row, duplicates, ranges, JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmns_desktop.core import demo_data
from lmns_desktop.core.cohort.pipeline import import_cohort

TOP_KEYS = {
    "schema",
    "version",
    "source",
    "n_rows",
    "n_columns",
    "n_excluded",
    "mapping",
    "unmapped_columns",
    "fields",
    "duplicates",
    "consistency",
    "excluded_rows",
    "blank_rows_skipped",
    "ethnicity_unmapped",
    "imd_source",
    "imd_edition",
    "vintage_mismatch",
    "notes",
}
FIELD_KEYS = {
    "column",
    "present",
    "missing",
    "completeness",
    "invalid",
    "warnings",
    "out_of_range",
    "changes",
}
ISSUE_KEYS = {"kind", "description", "count", "rows", "more"}

HEADINGS = (
    "Pseudo ID,NHS Number,Age at Booking,Gestation at Booking (weeks),BMI,Booking Date,"
    "Delivery Date,Ethnic Category,Team"
)
CSV = (
    "LMNS bookings extract\n"
    + HEADINGS
    + """
P1,9993291623,9,3,11,01/03/2024,01/10/2024,A,Blue
P2,9993291624,30,12,25,01/03/2024,01/02/2024,Martian,Blue
P1,9993291625,61,43,81,02/03/2024,,Martian,Green
P4,9993291623,thirty,12+2,24.5,31/02/2024,01/10/2024,Zorblax Smith,
P5,,25,10,,01/01/2099,,B,Red
Total,,,,,,,,
"""
)


@pytest.fixture
def report(tmp_path: Path) -> dict:
    path = tmp_path / "q.csv"
    path.write_text(CSV, encoding="utf-8")
    return import_cohort(path).quality.to_dict()


def test_json_shape_is_stable(report: dict) -> None:
    assert set(report) == TOP_KEYS
    assert report["schema"] == "lmns-cohort-quality" and report["version"] == 1
    assert json.loads(json.dumps(report)) == report
    for fq in report["fields"].values():
        assert set(fq) == FIELD_KEYS
        for issue in fq["invalid"] + fq["warnings"]:
            assert set(issue) == ISSUE_KEYS
    assert report["source"]["header_rows"] == [2] and report["source"]["format"] == "csv"
    assert report["n_rows"] == 5 and report["n_columns"] == 9


def test_completeness_invalid_and_ranges(report: dict) -> None:
    f = report["fields"]
    assert (
        f["bmi"]["present"] == 4 and f["bmi"]["missing"] == 1 and f["bmi"]["completeness"] == 80.0
    )
    assert (
        f["age"]["invalid"][0]["rows"] == [6] and f["age"]["invalid"][0]["kind"] == "unrecognised"
    )
    assert f["age"]["out_of_range"] == {"min": 10, "max": 60, "count": 2, "rows": [3, 5], "more": 0}
    assert f["gestation_at_booking_weeks"]["out_of_range"]["rows"] == [3, 5]
    assert f["bmi"]["out_of_range"]["rows"] == [3, 5]
    assert f["booking_date"]["invalid"][0]["kind"] == "impossible_date"
    assert f["booking_date"]["invalid"][0]["rows"] == [6]
    assert f["nhs_number"]["warnings"][0]["kind"] == "check_digit"
    assert f["age_under_20"]["column"] is None  # derived


def test_duplicates_consistency_and_exclusions(report: dict) -> None:
    assert report["duplicates"]["patient_id"] == {
        "duplicated_values": 1,
        "rows_involved": 2,
        "rows": [3, 5],
        "more": 0,
    }
    assert report["duplicates"]["nhs_number"]["rows"] == [3, 6]
    kinds = {c["kind"]: c["rows"] for c in report["consistency"]}
    assert kinds["delivery_before_booking"] == [4]
    assert kinds["booking_date_in_future"] == [7]
    assert report["excluded_rows"] == [{"row": 8, "reason": "looks like a totals row"}]
    assert report["n_excluded"] == 1
    assert report["unmapped_columns"] == ["Team"]


def test_unmapped_ethnicity_singletons_are_not_written(report: dict) -> None:
    """A value seen once could be a name in a wrongly mapped column: counted, not listed."""
    assert report["ethnicity_unmapped"] == {
        "values": [{"value": "Martian", "count": 2}],
        "other_values": 1,
        "other_rows": 1,
    }
    assert "Zorblax" not in json.dumps(report)


def test_no_identifier_values_in_the_report(tmp_path: Path) -> None:
    path = demo_data.write_cohort(tmp_path / "demo.xlsx", rows=300)
    result = import_cohort(path)
    text = json.dumps(result.quality.to_dict())
    frame = result.frame
    for fld in ("patient_id", "nhs_number", "postcode"):
        for value in frame[fld].dropna().astype(str):
            assert value not in text, fld
    for value in frame["date_of_birth"].dropna().dt.strftime("%Y-%m-%d").head(100):
        assert value not in text


def test_rows_are_capped_at_twenty(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "Pseudo ID,Age at Booking\n" + "".join(f"P{i},x\n" for i in range(45)), encoding="utf-8"
    )
    issue = import_cohort(path).quality.to_dict()["fields"]["age"]["invalid"][0]
    assert issue["count"] == 45 and len(issue["rows"]) == 20 and issue["more"] == 25
    assert issue["rows"][:3] == [2, 3, 4]


def test_summary_sentences(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(CSV, encoding="utf-8")
    summary = import_cohort(path).quality.summary()
    assert summary[0].startswith("5 rows imported") and any("left out" in s for s in summary)
    assert any("duplicated Pseudo-ID" in s for s in summary)
