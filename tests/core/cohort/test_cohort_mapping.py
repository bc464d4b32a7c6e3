"""Column mapping: synonyms, fuzzy matches, value evidence, and saved profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lmns_desktop.core import demo_data, vocab
from lmns_desktop.core.cohort.mapping import (
    HIGH_CONFIDENCE,
    delete_profile,
    find_profile,
    heading_match,
    layout_signature,
    list_profiles,
    load_profile,
    mapping_from_suggestions,
    save_profile,
    suggest_mapping,
    validate_mapping,
)
from lmns_desktop.core.errors import UserError


def test_demo_cohort_maps_fully_with_high_confidence() -> None:
    frame = demo_data.make_cohort(rows=300)
    suggestions = suggest_mapping(list(frame.columns), frame)
    got = {s.column: s.field for s in suggestions}
    assert got == {col: fld for fld, col in demo_data.COHORT_COLUMNS.items()}
    assert all(s.high_confidence and s.confidence >= HIGH_CONFIDENCE for s in suggestions)
    assert all(s.reason for s in suggestions)


def test_every_canonical_field_has_a_name_that_maps_exactly() -> None:
    for fld in vocab.CANONICAL_FIELDS:
        assert heading_match(vocab.FIELD_LABELS[fld])[:2] == (fld, 1.0), fld
        assert heading_match(fld)[:2] == (fld, 1.0), fld


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("NHS No.", "nhs_number"),
        ("nhs_number", "nhs_number"),
        ("D.O.B", "date_of_birth"),
        ("Mother's Postcode", "postcode"),
        ("Postcode at booking (mother)", "postcode"),
        ("Ethnicty", "ethnic_category"),
        ("IMD Decile 2019", "imd_decile"),
        ("Smoking status at delivery", "smoking_at_delivery"),
        ("LSOA11CD", "lsoa"),
        ("Booking gestation (weeks)", "gestation_at_booking_weeks"),
        ("GestAgeBooking", "gestation_at_booking_weeks"),
        ("Interpreter required?", "interpreter_needed"),
        ("PPH >= 1500 ml", "pph_1500ml"),
        ("3rd / 4th degree tear", "third_fourth_degree_tear"),
        ("Continuity of Carer", "continuity_of_carer"),
    ],
)
def test_heading_variants(heading: str, field: str) -> None:
    got, conf, reason = heading_match(heading, fuzzy=True)
    assert got == field and conf >= 0.6, (heading, got, conf, reason)


@pytest.mark.parametrize("heading", ["Notes", "Gestation", "Unit ID", "Comments", "Date"])
def test_ambiguous_headings_are_not_guessed(heading: str) -> None:
    assert heading_match(heading, fuzzy=True)[0] is None


def test_values_support_and_contradict_headings() -> None:
    samples = {
        "Postcode": ["E01000001", "E01000002", "E01000003"],  # mislabelled: these are LSOAs
        "Number": ["999 329 1623", "9993291624", "9993291625"],
        "Region": ["NF1 1AB", "RV2 3CD", "EM10 1ZZ"],
    }
    s = {x.column: x for x in suggest_mapping(list(samples), samples)}
    assert s["Number"].field == "nhs_number" and "values look like" in s["Number"].reason
    assert s["Region"].field == "postcode"
    assert s["Postcode"].field == "lsoa"  # the values won over the heading
    alone = suggest_mapping(["Area code"], {"Area code": ["E01000001", "E01033768"]})
    assert alone[0].field == "lsoa" and alone[0].confidence < HIGH_CONFIDENCE


def test_each_field_used_once_and_loser_explained() -> None:
    s = suggest_mapping(["Booking Date", "Date of booking", "Comments"])
    assert [x.field for x in s] == ["booking_date", None, None]
    assert "matched better" in s[1].reason
    assert "grouping field" in s[2].reason


def test_mapping_from_suggestions_threshold() -> None:
    s = suggest_mapping(["Pseudo ID", "Ethnicty", "Whatever"])
    assert mapping_from_suggestions(s) == {"Pseudo ID": "patient_id", "Ethnicty": "ethnic_category"}
    assert mapping_from_suggestions(s, threshold=0.95) == {"Pseudo ID": "patient_id"}


def test_layout_signature_ignores_order_case_and_spacing() -> None:
    a = layout_signature(["Pseudo ID", "NHS Number", "Booking Date"])
    assert a == layout_signature(["booking  date", "NHS number", "pseudo id"])
    assert a != layout_signature(["Pseudo ID", "NHS Number"])


def test_profiles_round_trip_and_auto_find(tmp_path: Path) -> None:
    frame = demo_data.make_cohort(rows=50)
    cols = list(frame.columns)
    mapping = mapping_from_suggestions(suggest_mapping(cols, frame))
    folder = tmp_path / "profiles"
    saved = save_profile(folder, "BadgerNet monthly", mapping, cols)
    assert saved.path is not None and saved.path.name == "BadgerNet_monthly.json"
    loaded = load_profile(saved.path)
    assert loaded.mapping == mapping and loaded.signature == layout_signature(cols)
    assert find_profile(folder, list(reversed(cols))).name == "BadgerNet monthly"
    assert find_profile(folder, cols[:-1]) is None
    assert [p.name for p in list_profiles(folder)] == ["BadgerNet monthly"]
    assert delete_profile(folder, "BadgerNet monthly") and list_profiles(folder) == []


def test_profile_files_hold_names_never_values(tmp_path: Path) -> None:
    frame = demo_data.make_cohort(rows=20)
    cols = list(frame.columns)
    saved = save_profile(
        tmp_path, "p", mapping_from_suggestions(suggest_mapping(cols, frame)), cols
    )
    text = saved.path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert set(data) == {"version", "name", "signature", "saved_at", "columns", "mapping"}
    for col in ("Pseudo ID", "NHS Number", "Postcode", "Mother DOB"):
        for value in frame[col].astype(str).head(20):
            assert value not in text


def test_plain_json_mapping_file_and_bad_files(tmp_path: Path) -> None:
    plain = tmp_path / "m.json"
    plain.write_text(json.dumps({"ID": "patient_id", "Eth": "ethnic_category", "Other": None}))
    assert load_profile(plain).mapping == {"ID": "patient_id", "Eth": "ethnic_category"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON"):
        load_profile(bad)
    unknown = tmp_path / "u.json"
    unknown.write_text(json.dumps({"ID": "shoe_size"}))
    with pytest.raises(UserError, match="not a field this app knows"):
        load_profile(unknown)
    assert [p.name for p in list_profiles(tmp_path)] == ["m"]  # unreadable ones skipped


def test_validate_mapping_rejects_two_columns_for_one_field() -> None:
    with pytest.raises(UserError, match="both 'A' and 'B'"):
        validate_mapping({"A": "age", "B": "age"})
    with pytest.raises(UserError, match="needs a name"):
        save_profile(Path("/nonexistent"), "  ", {}, [])


def test_sample_values_from_frame_with_missing_column() -> None:
    frame = pd.DataFrame({"Postcode": ["NF1 1AB"] * 5})
    s = suggest_mapping(["Postcode", "Extra"], frame)
    assert s[0].field == "postcode" and s[1].field is None


def test_ids_that_look_like_local_ethnic_codes_stay_ids() -> None:
    """'P1', 'N2'... are valid local ethnic codes, but a column of distinct ones is an ID."""
    ids = {"Pseudo ID": [f"{c}{i}" for i, c in enumerate("PNHAJKLMRS" * 3)]}
    assert suggest_mapping(["Pseudo ID"], ids)[0].field == "patient_id"
    codes = {"Code": ["A", "N", "A1", "H", "J", "99", "Z", "A", "N", "C", "A", "B"]}
    s = suggest_mapping(["Code"], codes)[0]
    assert s.field == "ethnic_category" and "values look like" in s.reason


def test_column_samples_are_distinct_text_with_dates_day_first() -> None:
    from lmns_desktop.core.cohort.mapping import column_samples

    table = pd.DataFrame(
        {
            "When": ["2024-03-01 00:00:00", "2024-03-01 10:30:00", None, "01/02/2024", "x"],
            "Code": ["A", " A ", "B", None, "C"],
            "Empty": [None] * 5,
        },
        dtype="str",
    )
    assert column_samples(table) == {
        "When": ["01/03/2024", "01/03/2024 10:30", "01/02/2024"],
        "Code": ["A", "B", "C"],
        "Empty": [],
    }
    assert column_samples(table, count=1, scan=1) == {
        "When": ["01/03/2024"],
        "Code": ["A"],
        "Empty": [],
    }
