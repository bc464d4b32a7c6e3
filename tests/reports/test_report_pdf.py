"""PDF: selectable text, marks on every page, metadata, embedded fonts, vector charts, layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import report_samples as samples
from pypdf import PdfReader

from lmns_desktop.reports.content import (
    UNSUPPRESSED_TEXT,
    Chart,
    Heading,
    Paragraph,
    Report,
    Table,
)
from lmns_desktop.reports.pdf import render_pdf


@pytest.fixture(scope="module")
def unsuppressed_pdf(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    out = tmp_path_factory.mktemp("pdf") / "profile.pdf"
    assert render_pdf(samples.sample_report(unsuppressed=True), out) == out
    return PdfReader(out)


def _pages(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_text_is_selectable_including_tables_notes_and_chart_text(unsuppressed_pdf) -> None:
    text = "\n".join(_pages(unsuppressed_pdf))
    for expected in ("Cohort equity profile — Ærø test", "Zoë Ní Bhriain",
                     "Period: April 2024 to March 2025", "Black or Black British", "2,100",
                     "Method: Wilson score intervals", "Women by ethnic group",
                     # chart titles, value labels and legends are vector text, not pictures
                     "Core20 share by ethnic group", "41.0%", "Special cause: improvement",
                     "× gap", "Quarter"):
        assert expected in text, expected


def test_marks_and_suppression_note_on_every_page(unsuppressed_pdf) -> None:
    pages = _pages(unsuppressed_pdf)
    assert len(pages) >= 4
    for n, text in enumerate(pages, start=1):
        assert UNSUPPRESSED_TEXT in text, n
        assert "rounded to the nearest 5" in text, n
        assert f"Page {n} of {len(pages)}" in text


def test_no_mark_when_disclosure_control_was_on(tmp_path: Path) -> None:
    report = Report("board", "Board pack", blocks=[Paragraph("Hello")])
    text = "".join(_pages(PdfReader(render_pdf(report, tmp_path / "b.pdf"))))
    assert "Unsuppressed" not in text and "Page 1 of 1" in text


def test_metadata(unsuppressed_pdf) -> None:
    meta = unsuppressed_pdf.metadata
    assert meta.title == "Cohort equity profile — Ærø test"
    assert meta.author == "Zoë Ní Bhriain"
    assert meta.subject == "Demo LMNS"
    assert meta.creator == "LMNS Inclusion Health Desktop"


def test_fonts_embedded_and_charts_are_vectors(unsuppressed_pdf) -> None:
    for page in unsuppressed_pdf.pages:
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font.get_object()["/BaseFont"]
        xobjects = resources.get("/XObject", {})
        images = [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
        assert images == []


def test_wide_table_goes_on_a_landscape_page(unsuppressed_pdf) -> None:
    pages = unsuppressed_pdf.pages
    wide = [i for i, p in enumerate(pages) if p.mediabox.width > p.mediabox.height]
    assert wide, "no landscape page"
    assert all(pages[i].mediabox.width < pages[i].mediabox.height
               for i in range(len(pages)) if i not in wide)
    text = pages[wide[0]].extract_text()
    assert "Evidence items by trust and quarter (wide)" in text and "Trust E" in text
    # the notes after the table stay with it rather than taking a page of their own
    assert "Source: demo cohort generated" in text


def test_too_wide_table_goes_landscape_without_the_flag(tmp_path: Path) -> None:
    cols = ("Area", *[f"Measure number {i}" for i in range(12)])
    table = Table(cols, (("North", *range(100000, 100012)),), numeric=tuple(range(1, 13)))
    reader = PdfReader(render_pdf(Report("board", "Wide", blocks=[table]), tmp_path / "w.pdf"))
    assert any(p.mediabox.width > p.mediabox.height for p in reader.pages)


def _page_of(pages: list[str], needle: str) -> int:
    found = [i for i, text in enumerate(pages) if needle in text]
    assert found, needle
    return found[0]


@pytest.mark.parametrize("filler", range(30, 38))
def test_heading_and_table_title_stay_with_the_table(tmp_path: Path, filler: int) -> None:
    """Whatever space is left on the page, the heading, title and first row share a page."""
    rows = tuple((f"Row {i} cell", i) for i in range(60))
    report = Report("board", "Orphans", blocks=[
        *[Paragraph(f"Filler line {i}.") for i in range(filler)],
        Heading("Orphan check heading"),
        Table(("Name", "Count"), rows, title="Orphan table title", numeric=(1,)),
    ])
    pages = _pages(PdfReader(render_pdf(report, tmp_path / "o.pdf")))
    page = _page_of(pages, "Orphan check heading")
    assert page == _page_of(pages, "Orphan table title") == _page_of(pages, "Row 0 cell")
    # a long table still starts on the page of its heading when a few rows fit there
    assert len(pages) <= 3


@pytest.mark.parametrize("filler", (40, 44, 48))
def test_heading_stays_with_its_chart(tmp_path: Path, filler: int) -> None:
    report = Report("board", "Orphans", blocks=[
        *[Paragraph(f"Filler line {i}.") for i in range(filler)],
        Heading("Chart heading here"),
        samples.bar_chart_vertical(),
    ])
    pages = _pages(PdfReader(render_pdf(report, tmp_path / "c.pdf")))
    assert _page_of(pages, "Chart heading here") == _page_of(pages, "Continuity of carer by trust")


def test_page_break_block_and_half_charts_side_by_side(tmp_path: Path) -> None:
    report = Report("board", "Breaks", blocks=[
        Paragraph("First page."),
        samples.bar_chart_vertical(),
        Chart("bar_ci", "Second half chart", [{"group": "A", "value": 3}], alt_text="a",
              width="half"),
    ])
    from lmns_desktop.reports.content import PageBreak

    report.add(PageBreak(), PageBreak(), Paragraph("After the break."))
    pages = _pages(PdfReader(render_pdf(report, tmp_path / "p.pdf")))
    assert len(pages) == 2  # two PageBreak blocks in a row do not make a blank page
    assert "Second half chart" in pages[0] and "Continuity of carer by trust" in pages[0]
    assert "After the break." in pages[1]


def test_small_file(tmp_path: Path) -> None:
    out = render_pdf(samples.sample_report(), tmp_path / "s.pdf")
    assert out.stat().st_size < 250_000
    assert re.match(rb"%PDF-1\.\d", out.read_bytes()[:8])


def test_odd_tables_and_trailing_headings(tmp_path: Path) -> None:
    from lmns_desktop.reports.content import PageBreak

    report = Report("board", "Odd", blocks=[
        Heading("Before the break"), PageBreak(),
        Table(("a", "b", "c"), (("ragged",), ("full", 1, 2)), title="Ragged rows"),
        Table((), (), title="No columns at all"),
        Table(("Only header",), ()),
        Heading("Trailing heading"),
    ])
    pages = _pages(PdfReader(render_pdf(report, tmp_path / "odd.pdf")))
    text = "\n".join(pages)
    assert text.count("Before the break") == 1 and text.count("Trailing heading") == 1
    assert "ragged" in text and "No columns at all" in text and "Only header" in text
    assert "Before the break" in pages[0] and "Ragged rows" in pages[1]
