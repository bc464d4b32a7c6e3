"""Excel: one sheet per section, real numbers with formats, frozen headers, charts, Notes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import report_samples as samples

from lmns_desktop.reports.content import UNSUPPRESSED_TEXT, Heading, Report, Table
from lmns_desktop.reports.xlsx import parse_figure, render_xlsx, sheet_name


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("xlsx") / "profile.xlsx"
    assert render_xlsx(samples.sample_report(unsuppressed=True), out) == out
    return openpyxl.load_workbook(out)


def _find(ws, value):  # noqa: ANN001, ANN202
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not on sheet {ws.title}")


def test_one_sheet_per_top_level_section(workbook) -> None:
    assert workbook.sheetnames == ["Summary", "Who is in the cohort", "Outcomes",
                                   "Continuity of carer", "Coverage and evidence", "Notes"]
    summary = workbook["Summary"]
    assert summary["A1"].value == "Cohort equity profile — Ærø test"
    assert _find(summary, "Contents").row > 1
    link = _find(summary, "Outcomes")
    assert link.hyperlink is not None and "Outcomes" in link.hyperlink.location


def test_numbers_are_numbers_with_formats(workbook) -> None:
    ws = workbook["Who is in the cohort"]
    white = _find(ws, "White")
    women, percent = ws.cell(white.row, 2), ws.cell(white.row, 3)
    assert women.value == 100 and women.data_type == "n" and women.number_format == "#,##0"
    assert percent.value == 12.5 and percent.number_format == "0.0"
    total = _find(ws, "Total")
    assert ws.cell(total.row, 2).value == 2100 and ws.cell(total.row, 2).font.b
    header = _find(ws, "Ethnic group")
    assert header.font.b and header.fill.fgColor.rgb.endswith("005EB8")
    assert header.font.color.rgb.endswith("FFFFFF")


def test_key_figures_parsed_to_numbers(workbook) -> None:
    ws = workbook["Who is in the cohort"]
    label = _find(ws, "Core20")
    value = ws.cell(label.row, 2)
    assert value.value == 31.2 and value.number_format == '0.0"%"'
    assert ws.cell(_find(ws, "Women").row, 2).value == 4985


def test_frozen_panes_and_column_widths(workbook) -> None:
    ws = workbook["Who is in the cohort"]
    header = _find(ws, "Ethnic group")
    assert ws.freeze_panes == f"A{header.row + 1}"
    assert ws.column_dimensions["A"].width >= len("Asian or Asian British")
    assert workbook["Outcomes"].freeze_panes == "A2"


def test_charts_native_or_pictures_with_their_data(workbook) -> None:
    first = workbook["Who is in the cohort"]
    assert len(first._charts) == 1  # the bar chart is a native Excel chart
    outcomes = workbook["Outcomes"]
    assert len(outcomes._images) == 2 and not outcomes._charts  # equiplot, gradient
    # the chart data sits beside the chart as numbers
    quantile = _find(outcomes, "quantile")
    assert outcomes.cell(quantile.row + 1, quantile.column).value == 1
    assert isinstance(outcomes.cell(quantile.row + 1, quantile.column + 1).value, float)
    assert len(workbook["Continuity of carer"]._charts) == 2
    assert len(workbook["Continuity of carer"]._images) == 1  # SPC


def test_notes_sheet(workbook) -> None:
    ws = workbook["Notes"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Zoë Ní Bhriain" in values
    assert datetime(2025, 11, 3, 9, 30) in values
    assert "April 2024 to March 2025" in values and "Trust A, Trust B" in values
    joined = "\n".join(str(v) for v in values)
    assert UNSUPPRESSED_TEXT in joined
    assert "Method: Wilson score intervals" in joined and "Percent of all women" in joined
    assert "gaps are marked with a cross" in joined  # chart alt text listed


def test_unsuppressed_mark_on_every_sheet(workbook) -> None:
    for ws in workbook.worksheets[:-1]:
        values = [c.value for row in ws.iter_rows(max_row=3) for c in row]
        assert UNSUPPRESSED_TEXT in values, ws.title
        assert UNSUPPRESSED_TEXT in ws.oddHeader.center.text


def test_suppression_note_on_notes_sheet_when_suppressed(tmp_path: Path) -> None:
    report = samples.sample_report()
    wb = openpyxl.load_workbook(render_xlsx(report, tmp_path / "s.xlsx"))
    values = [c.value for row in wb["Notes"].iter_rows() for c in row]
    assert report.suppression_note in values
    assert UNSUPPRESSED_TEXT not in "".join(str(v) for v in values)


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    assert sheet_name("Outcomes: by [group] / area?*", used) == "Outcomes by group area"
    long = "A very long section heading that goes on and on"
    first = sheet_name(long, used)
    second = sheet_name(long, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert second.endswith("(2)")
    assert sheet_name("history", used) != "history"


def test_duplicate_and_awkward_headings_still_open(tmp_path: Path) -> None:
    report = Report("board", "Dupes", blocks=[
        Heading("Summary"), Table(("a", "b"), (("=SUM(A1)", 1),)),
        Heading("Notes"), Heading("It's [odd]"),
    ])
    wb = openpyxl.load_workbook(render_xlsx(report, tmp_path / "d.xlsx"))
    assert len(set(wb.sheetnames)) == len(wb.sheetnames) == 5
    assert wb.sheetnames[-1] == "Notes"
    ws = wb.worksheets[1]
    cell = _find(ws, "=SUM(A1)")
    assert cell.data_type == "s"  # text that looks like a formula stays text


@pytest.mark.parametrize(("text", "value", "fmt"), [
    ("4,985", 4985, "#,##0"), ("31.2%", 31.2, '0.0"%"'), ("12.50", 12.5, "#,##0.00"),
    ("−3", -3, "#,##0"), ("n/a", "n/a", ""), ("5 of 7", "5 of 7", ""),
])
def test_parse_figure(text: str, value: object, fmt: str) -> None:
    assert parse_figure(text) == (value, fmt)
