"""Word: real heading styles, real tables with a repeated header, pictures with alt text."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import report_samples as samples
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from lmns_desktop.reports.content import UNSUPPRESSED_TEXT
from lmns_desktop.reports.docx import render_docx


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    out = tmp_path_factory.mktemp("docx") / "profile.docx"
    assert render_docx(samples.sample_report(unsuppressed=True), out) == out
    return docx.Document(out)


def test_headings_use_word_heading_styles(document) -> None:
    styled = [(p.style.name, p.text) for p in document.paragraphs
              if p.style.name.startswith(("Heading", "Title"))]
    assert styled == [
        ("Title", "Cohort equity profile — Ærø test"),
        ("Heading 1", "Who is in the cohort"),
        ("Heading 1", "Outcomes"),
        ("Heading 2", "By ethnic group"),
        ("Heading 1", "Continuity of carer"),
        ("Heading 1", "Coverage and evidence"),
    ]


def test_tables_have_text_and_a_repeating_header(document) -> None:
    ethnic = next(t for t in document.tables if t.cell(0, 0).text == "Ethnic group")
    assert [c.text for c in ethnic.rows[0].cells] == ["Ethnic group", "Women", "Percent"]
    assert [c.text for c in ethnic.rows[1].cells] == ["White", "100", "12.5"]
    assert ethnic.rows[-1].cells[1].text == "2,100"
    header = ethnic.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    shading = ethnic.rows[0].cells[0]._tc.tcPr.find(qn("w:shd"))
    assert shading.get(qn("w:fill")) == "005EB8"
    figures = next(t for t in document.tables if t.cell(1, 0).text == "Women")
    assert figures.cell(0, 0).text == "4,985"


def test_charts_are_pictures_with_alt_text(document) -> None:
    shapes = document.inline_shapes
    assert len(shapes) == 7
    descriptions = [s._inline.docPr.get("descr") for s in shapes]
    assert all(descriptions)
    assert descriptions[0].startswith("Bar chart: Core20 share")
    assert shapes[0].width > shapes[0].height > 0


def test_title_page_info_notes_and_page_furniture(document) -> None:
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Author: Zoë Ní Bhriain" in text and "Period: April 2024 to March 2025" in text
    note = next(p for p in document.paragraphs if p.text.startswith("Method: Wilson"))
    assert note.style.name == "Report Note"
    section = document.sections[0]
    assert UNSUPPRESSED_TEXT in "\n".join(p.text for p in section.header.paragraphs)
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    assert "rounded to the nearest 5" in "\n".join(p.text for p in section.footer.paragraphs)
    assert document.core_properties.title == "Cohort equity profile — Ærø test"
    assert document.core_properties.author == "Zoë Ní Bhriain"


def test_wide_table_in_a_landscape_section(document) -> None:
    orientations = [s.orientation for s in document.sections]
    assert orientations[0] == WD_ORIENT.PORTRAIT and WD_ORIENT.LANDSCAPE in orientations
    landscape = next(s for s in document.sections if s.orientation == WD_ORIENT.LANDSCAPE)
    assert landscape.page_width > landscape.page_height


def test_no_header_mark_when_suppressed(tmp_path: Path) -> None:
    doc = docx.Document(render_docx(samples.sample_report(), tmp_path / "s.docx"))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    assert "Unsuppressed" not in header and "Cohort equity profile" in header
