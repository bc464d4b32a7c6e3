"""The Qt-free report content model: chart specs, page marks and the report's text."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import report_samples as samples

from lmns_desktop.core.spc import xmr
from lmns_desktop.reports.content import (
    UNSUPPRESSED_TEXT,
    Chart,
    Report,
    ReportOptions,
    spc_chart,
)


def test_chart_rejects_unknown_kind_and_missing_keys() -> None:
    with pytest.raises(ValueError, match="Unknown chart kind"):
        Chart("pie", "t", [], alt_text="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lacks value"):
        Chart("bar_ci", "Share", [{"group": "A"}], alt_text="a")


def test_chart_takes_a_dataframe_and_makes_values_plain() -> None:
    frame = pd.DataFrame({"group": ["A", "B"], "value": [1.5, float("nan")],
                          "ci_low": [1, 2], "ci_high": [2, 3]})
    chart = Chart("bar_ci", "Share", frame, alt_text="a")
    assert chart.records[0] == {"group": "A", "value": 1.5, "ci_low": 1, "ci_high": 2}
    assert chart.records[1]["value"] is None
    assert type(chart.records[0]["ci_low"]) is int  # numpy int64 -> int
    assert chart.columns() == ["group", "value", "ci_low", "ci_high"]


def test_page_marks_and_text_cover_new_blocks() -> None:
    report = samples.sample_report(unsuppressed=True)
    assert report.page_marks == [UNSUPPRESSED_TEXT]
    text = report.text()
    assert UNSUPPRESSED_TEXT in text
    assert "Coverage: PLUS groups × sub-workstreams" in text  # chart title
    assert "gaps are marked with a cross" in text  # chart alt text
    assert "rounded to the nearest 5" in text  # suppression note
    assert samples.sample_report().page_marks == []


def test_watermark_and_unsuppressed_are_not_repeated() -> None:
    report = Report("board", "T", watermark=UNSUPPRESSED_TEXT, unsuppressed=True)
    assert report.page_marks == [UNSUPPRESSED_TEXT]
    draft = Report("board", "T", watermark="Draft", unsuppressed=True)
    assert draft.page_marks == [UNSUPPRESSED_TEXT, "Draft"]


def test_options_fill_title_and_author_and_info_lines() -> None:
    report = Report("board", "", options=ReportOptions(
        period="Q1 2025", trusts=("Trust A", "Trust B"), title="Board pack", author="Ann"))
    assert (report.title, report.author) == ("Board pack", "Ann")
    lines = report.info_lines()
    assert lines[:3] == ["Period: Q1 2025", "Trusts: Trust A, Trust B", "Author: Ann"]
    assert lines[3].startswith("Generated: ")


def test_notes_collects_note_blocks_and_table_and_chart_notes() -> None:
    notes = samples.sample_report().notes()
    assert "Percent of all women in the cohort." in notes
    assert any(n.startswith("Source: demo cohort. Whiskers") for n in notes)
    assert notes[-1].startswith("Source: demo cohort generated")


def test_spc_chart_from_xmr_keeps_limits_and_classes() -> None:
    values = [10, 11, 9, 10, 12, 10, 11, 30, 10, 9]
    result = xmr(values, improvement="decrease", target=8.0)
    chart = spc_chart(result, [f"M{i}" for i in range(10)], title="Falls", alt_text="a")
    assert chart.kind == "spc" and chart.improvement == "decrease" and chart.target == 8.0
    assert chart.records[7]["classification"] == "concern"
    assert math.isclose(chart.records[0]["upper_limit"], result.points["upper_limit"].iloc[0])
    assert chart.records[0]["x"] == "M0"
