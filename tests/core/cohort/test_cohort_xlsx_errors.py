"""Formula errors in .xlsx: the fast path (eager read + XML scan) must agree with fastexcel's own
error report (the lazy read), wherever the data starts and however big the sheet is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmns_desktop.core.cohort import readers
from lmns_desktop.core.cohort.readers import read_raw

ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _write(path: Path, grid: list[list[object]], start: tuple[int, int]) -> Path:
    """Strings, numbers and formula cells whose cached result is an error (as Excel saves them)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            at = (start[0] + r, start[1] + c)
            if isinstance(value, str) and value in ERRORS:
                ws.write_formula(*at, "=1/0", None, value)
            elif value is not None:
                ws.write(*at, value)
    wb.close()
    return path


def _lazy_cells(path: Path) -> tuple[list[list[object]], int]:
    """fastexcel's own error report, through the lazy read the fast path replaces."""
    frame, errors, _, _ = readers._fastexcel_read(str(path), "Data")
    return _rows(frame), errors


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


cell = st.one_of(st.none(), st.sampled_from(ERRORS), st.integers(-5, 500),
                 st.text("abcXYZ ", min_size=1, max_size=5).filter(str.strip))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    grid=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=2, max_size=12),
    start=st.tuples(st.integers(0, 6), st.integers(0, 4)),
)
def test_errors_land_where_the_lazy_read_puts_them(tmp_path: Path, grid, start) -> None:
    grid = [["ID", "Value", "Note"], *grid]  # a filled first row, as any header row is
    path = _write(tmp_path / "e.xlsx", grid, start)
    raw = read_raw(path)
    expected, count = _lazy_cells(path)
    assert _rows(raw.cells) == expected
    assert raw.error_cells == count == sum(v in ERRORS for row in grid for v in row)
    assert (raw.first_row, raw.first_col) == (start[0] + 1, start[1])


def test_errors_across_many_chunks_of_sheet_xml(tmp_path: Path) -> None:
    """A sheet of several MB of XML: errors before, on and after the 1 MB read boundaries."""
    rows = [["ID", "Ethnic category", "IMD decile", "Outcome"]]
    for i in range(40_000):
        err = ERRORS[i % len(ERRORS)] if i % 997 == 0 or i in (9_000, 9_001) else f"code{i % 17}"
        rows.append([f"P{i:06d}", err, i % 10 + 1, "Y" if i % 3 else "N"])
    path = _write(tmp_path / "big.xlsx", rows, (3, 1))
    raw = read_raw(path)
    expected, count = _lazy_cells(path)
    assert count == sum(1 for row in rows if row[1] in ERRORS) > 40
    assert _rows(raw.cells) == expected
    assert raw.error_cells == count


def test_an_error_cell_without_a_reference_falls_back_to_the_lazy_read(tmp_path: Path) -> None:
    """Cell references are optional in OOXML; without one the scan cannot place the error."""
    import zipfile

    path = _write(tmp_path / "e.xlsx", [["A", "B"], ["x", "#N/A"], ["y", 2]], (0, 0))
    patched = tmp_path / "noref.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2" t="e">', b'<c t="e">')
                assert b'<c t="e">' in data
            out.writestr(item, data)
    raw = read_raw(patched)
    assert _rows(raw.cells) == [["A", "B"], ["x", "#N/A"], ["y", "2"]]
    assert raw.error_cells == 1


@pytest.mark.parametrize("name", ["e.xlsx", "e.xlsm"])
def test_no_errors_means_no_note(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, [["A", "B"], ["x", 1]], (0, 0))
    raw = read_raw(path)
    assert raw.error_cells == 0 and not any("formula errors" in n for n in raw.notes)


def test_merged_ranges_come_from_the_same_pass_as_the_errors(tmp_path: Path) -> None:
    """Merged cells are listed after megabytes of cell XML; the fast read finds them without a
    second pass, and they match what was written, in 0-based sheet positions."""
    path = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.merge_range(0, 1, 0, 3, "Maternity bookings")  # a title over B1:D1
    ws.merge_range(1, 0, 2, 0, "ID")  # a heading merged down A2:A3
    for i in range(30_000):
        ws.write_row(3 + i, 0, [f"P{i:06d}", "A", i % 10 + 1, "=1/0" if i == 20_000 else "Y"])
    ws.write_formula(3 + 20_000, 3, "=1/0", None, "#DIV/0!")
    ws.merge_range(30_010, 0, 30_011, 3, "Total")
    wb.close()
    raw = read_raw(path)
    assert raw._merged is not None  # found by the read itself, not by a later pass
    found = {(m.first_row, m.first_col, m.last_row, m.last_col) for m in raw.merged_ranges()}
    assert found == {(0, 1, 0, 3), (1, 0, 2, 0), (30_010, 0, 30_011, 3)}
    assert raw.error_cells == 1
