"""Importing a register kept in someone else's layout."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lmns_desktop.core import register_import as ri
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_store import read_register, save_register

TRACKER_HEADERS = [
    "Ref",
    "Project name",
    "Workstream",
    "Population groups",
    "Status",
    "RAG rating",
    "Start",
    "Owner",
    "Budget £",
    "MNVP",
]


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Read me"
    ws = wb.create_sheet("2025 tracker")
    ws.append(["Northfield LMNS equity projects - tracker"])
    ws.append(TRACKER_HEADERS)
    ws.append(
        [None, "Hub", "culture", "Sex workers", "On hold", "r", "01/06/2024", "Ann", 100, "Y"]
    )
    ws.append(
        [
            "P-7",
            "Walks",
            "Systems & processes",
            "Coastal communities; sex workers",
            "Completed",
            "G",
            datetime(2024, 2, 1),
            "Bob",
            None,
            "no",
        ]
    )
    ws.append([None] * 10)
    ws.append([None, "Mystery", "Finance", "Martians", "Live", "Green", "soon", None, 5, None])
    path = tmp_path / "tracker.xlsx"
    wb.save(path)
    return path


def test_list_sheets_and_header_row(tracker: Path) -> None:
    assert ri.list_sheets(tracker) == ["Read me", "2025 tracker"]
    grid = ri.read_grid(tracker, "2025 tracker")
    assert ri.guess_header_row(grid) == 2
    assert ri.source_headers(grid, 2) == TRACKER_HEADERS


def test_suggest_columns(tracker: Path) -> None:
    suggestions = ri.suggest_columns(TRACKER_HEADERS)
    targets = {h: s.target for h, s in suggestions.items()}
    assert targets == {
        "Ref": "ID",
        "Project name": "Title",
        "Workstream": "Sub-workstream",
        "Population groups": "PLUS groups",
        "Status": "Status",
        "RAG rating": "RAG",
        "Start": "Start date",
        "Owner": "Lead",
        "Budget £": None,
        "MNVP": "Co-production (MNVP)",
    }
    assert suggestions["Status"].confidence == 1.0
    assert suggestions["Project name"].confidence == 0.95
    assert suggestions["Budget £"].confidence == 0.0
    fuzzy = ri.suggest_columns(["Sub-workstrem", "Titel"])
    assert (
        fuzzy["Sub-workstrem"].target == "Sub-workstream"
        and 0.6 <= fuzzy["Sub-workstrem"].confidence <= 0.9
    )
    assert fuzzy["Titel"].target == "Title"


def test_import_maps_tidies_keeps_and_reports(tracker: Path, tmp_path: Path) -> None:
    mapping = {h: s.target for h, s in ri.suggest_columns(TRACKER_HEADERS).items()}
    doc, report = ri.import_register(tracker, "2025 tracker", 2, mapping)
    p = doc.projects
    assert p["Title"].tolist() == ["Hub", "Walks", "Mystery"]
    assert p["ID"].tolist() == ["IH-0001", "P-7", "IH-0002"]
    assert report.ids_assigned == 2 and report.rows_imported == 3
    assert p["Sub-workstream"].tolist() == ["Culture", "Systems and processes", "Finance"]
    assert p["Status"].tolist() == ["Paused", "Complete", "Active"]
    assert p["RAG"].tolist() == ["Red", "Green", "Green"]
    assert p["Start date"].iloc[0] == pd.Timestamp(2024, 6, 1)
    assert p["PLUS groups"].iloc[1] == "Coastal communities; Sex workers"
    assert p["Co-production (MNVP)"].tolist()[:2] == ["Yes", "No"]
    assert p["Budget £"].tolist() == [100, None, 5]
    assert report.ignored == ["Budget £"] and report.mapped["Project name"] == "Title"
    assert any(line.startswith("Status: 3 values tidied") for line in report.changed)
    messages = [pr.message for pr in report.problems]
    assert (
        "Row 6 of '2025 tracker': start date 'soon' is not a date; type it as dd/mm/yyyy."
        in messages
    )
    assert any(m.startswith("Row 6 of '2025 tracker': sub-workstream 'Finance'") for m in messages)
    assert report.problem_rows == [6]
    assert report.summary()[0] == "3 rows imported from '2025 tracker'."

    path = save_register(doc, tmp_path / "imported.xlsx")
    again = read_register(path)
    assert again.extra_columns("Projects") == ["Budget £"]
    assert again.projects["Title"].tolist() == ["Hub", "Walks", "Mystery"]
    ws = openpyxl.load_workbook(path)["Projects"]
    assert ws.max_row == 4  # the blank source row was not imported


def test_unmapped_required_columns_are_reported(tracker: Path) -> None:
    doc, report = ri.import_register(tracker, "2025 tracker", 2, {"Project name": "Title"})
    assert report.missing_required == ["Sub-workstream", "Status"]
    assert len(doc.extra_columns("Projects")) == 9
    assert sum("status is missing" in p.message for p in report.problems) == 3


def test_preview_limits_rows(tracker: Path) -> None:
    frame = ri.preview(tracker, "2025 tracker", 2, {"Project name": "Title"}, rows=2)
    assert frame["Title"].tolist() == ["Hub", "Walks"]


def test_import_evidence_into_the_same_document(tracker: Path, tmp_path: Path) -> None:
    doc, _ = ri.import_register(tracker, "2025 tracker", 2, {"Project name": "Title", "Ref": "ID"})
    csv = tmp_path / "events.csv"
    csv.write_text("Project,Event date,Attendees,Kind\nP-7,03/02/2025,12,Other\n", encoding="utf-8")
    grid = ri.read_grid(csv, ri.CSV_SHEET)
    headers = ri.source_headers(grid, 1)
    mapping = {h: s.target for h, s in ri.suggest_columns(headers, "Evidence").items()}
    assert mapping == {
        "Project": "Project ID",
        "Event date": "Date",
        "Attendees": "People reached",
        "Kind": "Type",
    }
    doc, report = ri.import_register(csv, ri.CSV_SHEET, 1, mapping, target="Evidence", into=doc)
    assert doc.evidence["ID"].tolist() == ["EV-00001"]
    assert doc.evidence["Date"].iloc[0] == pd.Timestamp(2025, 2, 3)
    assert doc.evidence["People reached"].iloc[0] == 12
    assert report.problems == []
    with pytest.raises(UserError, match="already has rows"):
        ri.import_register(csv, ri.CSV_SHEET, 1, mapping, target="Evidence", into=doc)


def test_import_bad_inputs(tmp_path: Path, tracker: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook at all")
    with pytest.raises(UserError, match="could not be read as a spreadsheet"):
        ri.list_sheets(junk)
    with pytest.raises(UserError, match="no sheet called 'Nope'"):
        ri.read_grid(tracker, "Nope")
    with pytest.raises(UserError, match="Row 99 is not a row"):
        ri.import_register(tracker, "2025 tracker", 99, {})
