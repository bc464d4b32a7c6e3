"""Header detection: titles above, merges, blanks, duplicates, totals and notes below."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lmns_desktop.core.cohort.header import detect_header
from lmns_desktop.core.cohort.readers import CohortFileError, RawTable, read_raw


def raw_of(rows: list[list[object]], first_row: int = 1, first_col: int = 0) -> RawTable:
    width = max(len(r) for r in rows)
    cols = {
        j: pd.array([r[j] if j < len(r) else None for r in rows], dtype="str") for j in range(width)
    }
    return RawTable(
        pd.DataFrame(cols),
        sheet="S",
        file_format="xlsx",
        first_row=first_row,
        first_col=first_col,
        file_name="t.xlsx",
    )


DATA = [
    ["P1", "9993291623", "01/02/2024", "Y"],
    ["P2", "9993291624", "02/02/2024", "N"],
    ["P3", "9993291625", "03/02/2024", "Y"],
]
HEAD = ["Pseudo ID", "NHS Number", "Booking Date", "Homeless"]


def test_plain_header_in_row_one() -> None:
    frame, info = detect_header(raw_of([HEAD, *DATA]))
    assert list(frame.columns) == HEAD
    assert frame.index.tolist() == [2, 3, 4] and frame.index.name == "row"
    assert info.header_rows == (1,) and info.notes == []


def test_titles_and_notes_above_are_skipped() -> None:
    rows = [["Maternity bookings"], ["Run 01/10/2025", None, "Site: all"], [], HEAD, *DATA]
    frame, info = detect_header(raw_of(rows, first_row=3, first_col=1))
    assert info.header_row == 6 and info.first_data_row == 7 and info.last_data_row == 9
    assert info.source_columns == ["B", "C", "D", "E"]
    assert any("2 rows above it" in n for n in info.notes)
    assert frame.loc[7, "Pseudo ID"] == "P1"


def test_known_headings_beat_a_wide_title_row() -> None:
    rows = [["Report", "Northfield", "All sites", "2024"], HEAD, *DATA]
    _, info = detect_header(raw_of(rows))
    assert info.header_row == 2


def test_blank_columns_dropped_and_headless_named() -> None:
    rows = [
        ["Pseudo ID", None, None, "Postcode"],
        ["P1", None, "x", "NF1 1AB"],
        ["P2", None, None, "NF1 1AC"],
    ]
    frame, info = detect_header(raw_of(rows))
    assert list(frame.columns) == ["Pseudo ID", "Column C", "Postcode"]
    assert info.dropped_columns == ["B"]
    assert any("Column B had no heading and no data" in n for n in info.notes)
    assert any("Column C has data but no heading" in n for n in info.notes)


def test_duplicate_headings_are_numbered() -> None:
    rows = [["Date", "date", "Date", "Date (2)"], *[["1", "2", "3", "4"]] * 2]
    frame, info = detect_header(raw_of(rows))
    # an existing "Date (2)" keeps its name; the repeats take the next free numbers
    assert list(frame.columns) == ["Date", "date (3)", "Date (4)", "Date (2)"]
    assert set(info.renamed_columns) == {"date (3)", "Date (4)"}


def test_header_whitespace_and_line_breaks_cleaned() -> None:
    frame, _ = detect_header(
        raw_of([["  Pseudo\nID ", "Index of Multiple\n Deprivation"], ["1", "2"], ["3", "4"]])
    )
    assert list(frame.columns) == ["Pseudo ID", "Index of Multiple Deprivation"]


def test_trailing_blank_rows_totals_and_notes_excluded() -> None:
    rows = [
        HEAD,
        *DATA,
        [],
        ["P4", "9993291626", "04/02/2024", "N"],
        [],
        [],
        ["Grand total", None, None, "2"],
        ["Source: export of 1 October 2025 by the information team"],
        [],
        [],
    ]
    frame, info = detect_header(raw_of(rows))
    assert frame.index.tolist() == [2, 3, 4, 6]
    assert [(e.row, e.reason) for e in info.excluded_rows] == [
        (9, "looks like a totals row"),
        (10, "looks like a note below the data"),
    ]
    assert info.blank_rows_skipped == 1
    assert info.last_data_row == 6


def test_stray_cell_far_below() -> None:
    cells = [HEAD, *DATA] + [[]] * 3000 + [["x"]]
    frame, info = detect_header(raw_of(cells))
    assert len(frame) == 3
    assert info.excluded_rows[0].row == 3005


def test_totals_in_second_column() -> None:
    rows = [HEAD, *DATA, [None, "TOTAL:", None, "2"]]
    frame, info = detect_header(raw_of(rows))
    assert len(frame) == 3 and info.excluded_rows[0].row == 5


def test_only_headers_is_a_user_error() -> None:
    with pytest.raises(CohortFileError, match="column headings in row 2 but no rows of data"):
        detect_header(raw_of([["Title"], HEAD]))


def test_empty_and_title_only() -> None:
    with pytest.raises(CohortFileError, match="is empty"):
        detect_header(raw_of([[None, None]]))
    with pytest.raises(CohortFileError, match="not a table"):
        detect_header(raw_of([["Title"], [], ["Note"]]))


def test_no_heading_row_names_columns_by_letter() -> None:
    frame, info = detect_header(raw_of([["1", "2"], ["3", "4"]], first_col=2))
    assert list(frame.columns) == ["Column C", "Column D"] and info.header_row is None
    assert frame.index.tolist() == [1, 2]


def test_single_row_merged_heading_forward_filled(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Pseudo ID", "Date", None, "Site"])
    ws.merge_cells("B1:C1")
    ws.append(["P1", "01/01/2024", "02/01/2024", "North"])
    ws.append(["P2", "01/01/2024", "03/01/2024", "South"])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    frame, info = detect_header(read_raw(path))
    assert list(frame.columns) == ["Pseudo ID", "Date", "Date (2)", "Site"]
    assert any("filled across" in n for n in info.notes)


def test_two_row_header_below_a_title(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Bookings"
    ws.append([])
    ws.append(["Pseudo ID", "Outcomes", None, None])
    ws.append([None, "Preterm", "Stillbirth", "Caesarean"])
    ws.merge_cells("B3:D3")
    ws.merge_cells("A3:A4")
    for i in range(3):
        ws.append([f"P{i}", "N", "N", "Y"])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    frame, info = detect_header(read_raw(path))
    assert list(frame.columns) == [
        "Pseudo ID",
        "Outcomes - Preterm",
        "Outcomes - Stillbirth",
        "Outcomes - Caesarean",
    ]
    assert info.header_rows == (3, 4) and frame.index.tolist() == [5, 6, 7]


def test_large_sheet_is_sliced_not_copied() -> None:
    n = 50_000
    cells = pd.DataFrame(
        {
            0: pd.array(["ID"] + [f"P{i}" for i in range(n)], dtype="str"),
            1: pd.array(["Age"] + [str(20 + i % 30) for i in range(n)], dtype="str"),
        }
    )
    raw = RawTable(cells, sheet="S", file_format="xlsx")
    frame, info = detect_header(raw)
    assert len(frame) == n and info.last_data_row == n + 1
    assert np.array_equal(frame.index.to_numpy()[:3], [2, 3, 4])
