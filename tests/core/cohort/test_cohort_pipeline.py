"""import_cohort end to end: the demo cohort, progress, cancel, mappings and profiles."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from lmns_desktop.core import demo_data, vocab
from lmns_desktop.core.cohort import (
    CohortImport,
    finish_import,
    import_cohort,
    save_profile,
    start_import,
)
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.jobs import Cancelled


def test_demo_cohort_imports_fully(demo_cohort_xlsx: Path) -> None:
    result = import_cohort(demo_cohort_xlsx)
    assert isinstance(result, CohortImport)
    assert result.sheet == demo_data.COHORT_SHEET and len(result.frame) == 600
    assert result.fields_mapped == {f: c for f, c in demo_data.COHORT_COLUMNS.items()}
    assert all(s.confidence >= 0.8 for s in result.mapping)
    f = result.frame
    assert f.index.tolist()[:2] == [2, 3] and f.index.name == "row"
    assert f["nhs_number"].dtype == "str" and f["nhs_number"].str.fullmatch(r"999\d{7}").all()
    assert str(f["booking_date"].dtype).startswith("datetime64")
    assert f["homelessness"].dtype == "boolean" and f["imd_decile"].dtype == "Int8"
    assert set(f["ethnic_category"].dropna()) <= set(vocab.ETHNIC_CATEGORIES)
    expected = demo_data.make_cohort(rows=600)
    assert f["ethnic_category"].notna().sum() == expected["Ethnic Category"].notna().sum()
    assert f["age"].tolist() == expected["Age at Booking"].astype(float).tolist()
    assert (f["core20"] == (f["imd_decile"] <= 2)).dropna().all()
    # demo NHS numbers deliberately fail the check digit: a warning, not an error
    assert {p.kind for p in result.problems} == {"check_digit"}
    assert result.quality.to_dict()["fields"]["patient_id"]["completeness"] == 100.0


def test_progress_is_staged_and_monotonic(demo_cohort_xlsx: Path) -> None:
    seen: list[tuple[int, str]] = []
    import_cohort(demo_cohort_xlsx, progress=lambda p, m: seen.append((p, m)))
    pcts = [p for p, _ in seen]
    assert pcts == sorted(pcts) and pcts[-1] == 100 and pcts[0] == 0
    messages = " ".join(m for _, m in seen)
    for stage in ("Reading", "header", "Matching", "Normalising", "quality"):
        assert stage in messages


@pytest.mark.parametrize("stop_at", [5, 57, 60, 70, 92])
def test_cancel_at_every_stage(demo_cohort_xlsx: Path, stop_at: int) -> None:
    state = {"pct": 0}

    def progress(p: int, m: str) -> None:
        state["pct"] = p

    with pytest.raises(Cancelled):
        import_cohort(
            demo_cohort_xlsx, progress=progress, is_cancelled=lambda: state["pct"] >= stop_at
        )


def test_cancel_latency_during_a_long_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    frame = demo_data.make_cohort(rows=2_000)
    pd.concat([frame] * 40).to_csv(path, index=False)
    flag = threading.Event()
    timer = threading.Timer(0.2, flag.set)
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(Cancelled):
        import_cohort(path, is_cancelled=flag.is_set)
    timer.join()
    assert time.perf_counter() - t0 - 0.2 < 0.5


def test_profile_saved_then_applied_automatically(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    path = tmp_path / "export.csv"
    path.write_text(
        "Ref,Eth grp,When booked,Team\nA1,N,01/02/2024,Blue\nA2,A,02/02/2024,Red\n",
        encoding="utf-8",
    )
    first = import_cohort(path, profiles_dir=profiles)
    assert first.profile is None
    mapping = {"Ref": "patient_id", "Eth grp": "ethnic_category", "When booked": "booking_date"}
    save_profile(profiles, "Team spreadsheet", mapping, list(first.header.columns))
    again = tmp_path / "export2.csv"
    again.write_text("ref,ETH GRP,When booked,Team\nB1,H,03/02/2024,Blue\n", encoding="utf-8")
    second = import_cohort(again, profiles_dir=profiles)
    assert second.profile == "Team spreadsheet"
    assert second.fields_mapped == {
        "patient_id": "ref",
        "ethnic_category": "ETH GRP",
        "booking_date": "When booked",
    }
    assert second.frame["ethnic_category"].tolist() == ["H"]
    assert second.grouping_fields == ["Team"]
    assert any("saved mapping 'Team spreadsheet' was applied" in n for n in second.notes)
    saved = json.loads(next(profiles.glob("*.json")).read_text())
    assert "B1" not in json.dumps(saved) and "A1" not in json.dumps(saved)


def test_explicit_mapping_dict_and_file(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Col1,Col2,Col3\nP1,Y,x\nP2,N,y\n", encoding="utf-8")
    result = import_cohort(
        path, mapping={"Col1": "patient_id", "Col2": "homelessness", "Gone": "age"}
    )
    assert result.fields_mapped == {"patient_id": "Col1", "homelessness": "Col2"}
    assert result.frame["homelessness"].tolist() == [True, False]
    assert any("not in this file ('Gone')" in n for n in result.notes)
    mfile = tmp_path / "m.json"
    mfile.write_text(json.dumps({"Col1": "patient_id"}), encoding="utf-8")
    assert import_cohort(path, mapping=mfile).fields_mapped == {"patient_id": "Col1"}
    with pytest.raises(UserError, match="does not fit this file"):
        import_cohort(path, mapping={"Nope": "age"})


def test_low_confidence_suggestions_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Pseudo ID,Homeles\nP1,01/02/2024\nP2,02/02/2024\n", encoding="utf-8")
    result = import_cohort(path)
    assert "homelessness" not in result.fields_mapped
    assert any("Column 'Homeles' might be homelessness" in n for n in result.notes)
    assert "Homeles" in result.grouping_fields


def test_timings_and_source(demo_cohort_xlsx: Path) -> None:
    result = import_cohort(demo_cohort_xlsx, sheet=demo_data.COHORT_SHEET)
    assert set(result.timings) >= {"read", "header", "map", "normalise", "quality", "total"}
    assert result.source.file == demo_cohort_xlsx.name and result.source.file_format == "xlsx"
    assert result.column_mapping["Pseudo ID"] == "patient_id"


def test_cancel_while_reading_a_workbook_is_not_reported_as_damage(demo_cohort_xlsx: Path) -> None:
    state = {"msg": ""}
    with pytest.raises(Cancelled):
        import_cohort(
            demo_cohort_xlsx,
            progress=lambda p, m: state.__setitem__("msg", m),
            is_cancelled=lambda: state["msg"].startswith("Reading sheet"),
        )


def test_prepare_then_finish_with_a_reviewed_mapping(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Pseudo ID,Homeles,Team\nP1,01/02/2024,Blue\nP2,02/02/2024,Red\n", encoding="utf-8"
    )
    pending = start_import(path)
    assert pending.columns == ["Pseudo ID", "Homeles", "Team"]
    proposed = {s.column: (s.field, s.alternatives) for s in pending.suggestions}
    assert proposed["Pseudo ID"][0] == "patient_id"
    assert proposed["Homeles"] == (None, ("homelessness",))  # shown for review, not applied
    result = finish_import(pending, mapping={"Pseudo ID": "patient_id", "Homeles": "booking_date"})
    assert result.fields_mapped == {"patient_id": "Pseudo ID", "booking_date": "Homeles"}
    assert result.frame["booking_date"].dt.day.tolist() == [1, 2]
    assert not any("might be" in n for n in result.notes)
    assert result.grouping_fields == ["Team"]
    again = finish_import(pending)  # the proposal as it stood
    assert again.fields_mapped == {"patient_id": "Pseudo ID"}


def test_examples_for_the_mapping_dialog_are_the_files_own_text(demo_cohort_xlsx: Path) -> None:
    result = import_cohort(demo_cohort_xlsx)
    as_read = pd.read_excel(demo_cohort_xlsx, engine="calamine", dtype=str).head(200)
    assert set(result.samples) == set(as_read.columns)
    for column, examples in result.samples.items():
        assert 1 <= len(examples) <= 3 and len(set(examples)) == len(examples), column
    assert result.samples["Smoker at Booking"][0] == as_read["Smoker at Booking"].dropna().iloc[0]
    assert set(result.samples["Smoker at Booking"]) <= {"Y", "N"}  # not the cleaned True/False
    assert result.samples["Age at Booking"][:2] == list(
        as_read["Age at Booking"].dropna().drop_duplicates().head(2)
    )
    booking = pd.to_datetime(as_read["Booking Date"].dropna().iloc[0])
    assert result.samples["Booking Date"][0] == booking.strftime("%d/%m/%Y")  # as Excel shows it
