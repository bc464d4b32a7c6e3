"""Render a :class:`Report` as a Word document (python-docx).

Why Word as well as PDF: board papers are assembled in Word, so the report must paste in well:
real Heading 1/2 styles (the navigation pane and a table of contents work), real tables whose
header row repeats on every page, charts as pictures with alt text, page numbers in the footer
and the "Unsuppressed" warning in the header of every page when disclosure control was off.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from lmns_desktop.reports.content import (
    Chart,
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Report,
    Table,
)

NHS_BLUE = "005EB8"
NHS_DARK_GREY = "425563"
NHS_PALE_GREY = "E8EDEE"
NHS_RED = "DA291C"
FONT = "Arial"
CHART_DPI = 200
MARGIN_MM = 18.0
A4_MM = (210.0, 297.0)


def _display(value: object) -> str:
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
    return "" if value is None else str(value)


def _set_font(style: Any, size: float | None = None, bold: bool | None = None,
              color: str | None = None) -> None:
    """Set a style's font, replacing theme fonts (which would otherwise win over the name)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:eastAsia"), FONT)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = RGBColor.from_string(color)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row: Any) -> None:
    """Mark a table row as the header that Word repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    no_split = OxmlElement("w:cantSplit")
    trpr.append(no_split)


def _borders(table: Any, color: str = "BFC6CB") -> None:
    """Thin light-grey rules instead of Table Grid's black ones."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), color)
        borders.append(el)
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    tblpr.append(borders)


def _column_widths_mm(block: Table, total: float) -> list[float]:
    """Columns sized to their longest word or value (about 1.9 mm a character, plus padding)."""
    natural = []
    for i, name in enumerate(block.columns):
        longest = max([len(w) for w in str(name).split()] or [0])
        cells = [len(_display(row[i])) for row in block.rows[:500] if i < len(row)]
        natural.append(max([longest, *cells]) * 1.9 + 6)
    if len(natural) == 1:
        return [total]
    rest = natural[1:]
    first = max(total - sum(rest), min(natural[0], total * 0.22))
    if first + sum(rest) > total:
        scale = (total - first) / sum(rest)
        rest = [w * scale for w in rest]
    return [total - sum(rest), *rest]


def _set_widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths in the grid (LibreOffice) and on every cell (Word)."""
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _field(paragraph: Any, instr: str) -> None:
    """A field such as PAGE or NUMPAGES (Word fills it in when the page is laid out)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


class _Writer:
    def __init__(self, report: Report) -> None:
        import docx

        self.report = report
        self.doc = docx.Document()
        self._styles()
        self.orientation = "portrait"
        self._page_setup(self.doc.sections[0], "portrait")
        self._header_footer(self.doc.sections[0])
        self.pictures = 0

    # --- styles and pages -------------------------------------------------------------------

    def _styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt

        styles = self.doc.styles
        _set_font(styles["Normal"], 10, color="212B32")
        styles["Normal"].paragraph_format.space_after = Pt(6)
        _set_font(styles["Title"], 22, True, NHS_BLUE)
        _set_font(styles["Heading 1"], 15, True, NHS_BLUE)
        _set_font(styles["Heading 2"], 12, True, "212B32")
        _set_font(styles["Subtitle"], 11, False, NHS_DARK_GREY)
        styles["Subtitle"].font.italic = False
        _set_font(styles["Caption"], 9.5, True, "212B32")
        styles["Caption"].font.italic = False
        for name in ("Heading 1", "Heading 2", "Caption"):
            styles[name].paragraph_format.keep_with_next = True
        note = styles.add_style("Report Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        _set_font(note, 8, color=NHS_DARK_GREY)
        note.paragraph_format.space_after = Pt(4)
        info = styles.add_style("Report Info", WD_STYLE_TYPE.PARAGRAPH)
        info.base_style = styles["Normal"]
        _set_font(info, 9, color=NHS_DARK_GREY)
        info.paragraph_format.space_after = Pt(0)
        cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = styles["Normal"]
        _set_font(cell, 8.5)
        cell.paragraph_format.space_after = Pt(0)
        cell.paragraph_format.space_before = Pt(0)
        self.cell_style = cell
        self.note_style = note

    def _page_setup(self, section: Any, orientation: str) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        w, h = A4_MM if orientation == "portrait" else A4_MM[::-1]
        section.orientation = WD_ORIENT.PORTRAIT if orientation == "portrait" \
            else WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(w), Mm(h)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN_MM))
        section.header_distance = section.footer_distance = Mm(8)

    def _header_footer(self, section: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        report = self.report
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Report Info"]
        head.add_run(report.title)
        if report.page_marks:
            head.alignment = WD_ALIGN_PARAGRAPH.LEFT
            mark = section.header.add_paragraph(style="Report Info")
            mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = mark.add_run(" · ".join(report.page_marks))
            run.bold = True
            run.font.size = Pt(10)
            run.font.color.rgb = RGBColor.from_string(NHS_RED)
        foot = section.footer.paragraphs[0]
        foot.style = self.doc.styles["Report Info"]
        if report.suppression_note:
            foot.add_run(report.suppression_note).font.size = Pt(7)
            foot = section.footer.add_paragraph(style="Report Info")
        foot.add_run("LMNS Inclusion Health    ·    Page ")
        _field(foot, "PAGE")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES")

    def _orient(self, wanted: str) -> None:
        from docx.enum.section import WD_SECTION

        if wanted == self.orientation:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page_setup(section, wanted)
        self.orientation = wanted

    @property
    def text_width_mm(self) -> float:
        page = A4_MM[0] if self.orientation == "portrait" else A4_MM[1]
        return page - 2 * MARGIN_MM

    # --- blocks -----------------------------------------------------------------------------

    def title(self) -> None:
        from docx.shared import RGBColor

        report, doc = self.report, self.doc
        doc.add_paragraph(report.title, style="Title")
        if report.subtitle:
            doc.add_paragraph(report.subtitle, style="Subtitle")
        for line in report.info_lines():
            doc.add_paragraph(line, style="Report Info")
        if report.unsuppressed:
            para = doc.add_paragraph(style="Report Info")
            run = para.add_run(report.page_marks[0])
            run.bold = True
            run.font.color.rgb = RGBColor.from_string(NHS_RED)
            para.add_run(": disclosure control was switched off; exact small numbers are shown.")
        doc.add_paragraph()

    def table(self, block: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        wide = block.landscape or len(block.columns) > 7
        self._orient("landscape" if wide else "portrait")
        doc = self.doc
        if block.title:
            doc.add_paragraph(block.title, style="Caption")
        if not block.columns:
            return
        numeric = set(block.numeric)
        emphasis = set(block.emphasis_rows)
        # set the style id in the XML: python-docx's style setter searches all styles per call
        cell_style_id = self.cell_style.style_id
        table = doc.add_table(rows=len(block.rows) + 1, cols=len(block.columns))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        _borders(table)
        _set_widths(table, _column_widths_mm(block, self.text_width_mm))
        rows = table.rows
        white = RGBColor(0xFF, 0xFF, 0xFF)
        head = rows[0]
        _repeat_header(head)
        for i, (cell, name) in enumerate(zip(head.cells, block.columns, strict=False)):
            para = cell.paragraphs[0]
            para._p.style = cell_style_id
            run = para.add_run(str(name))
            run.bold = True
            run.font.color.rgb = white
            if i in numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _shade(cell, NHS_BLUE)
        for r, (row, values) in enumerate(zip(rows[1:], block.rows, strict=False)):
            bold = r in emphasis
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
                para = cell.paragraphs[0]
                para._p.style = cell_style_id
                run = para.add_run(_display(value))
                if bold:
                    run.bold = True
                if i in numeric:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if bold:
                    _shade(cell, NHS_PALE_GREY)
        if block.note:
            doc.add_paragraph(block.note, style=self.note_style)
        else:
            doc.add_paragraph(style=self.note_style)

    def key_figures(self, block: KeyFigures) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        self._orient("portrait")
        cell_style_id = self.cell_style.style_id
        n = max(len(block.items), 1)
        table = self.doc.add_table(rows=2, cols=n)
        for i, (label, value) in enumerate(block.items):
            top, bottom = table.cell(0, i), table.cell(1, i)
            for cell in (top, bottom):
                _shade(cell, NHS_PALE_GREY)
            para = top.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(str(value))
            run.bold = True
            run.font.size = Pt(18)
            run.font.color.rgb = RGBColor.from_string(NHS_BLUE)
            para = bottom.paragraphs[0]
            para._p.style = cell_style_id
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.add_run(str(label))
        self.doc.add_paragraph()

    def charts(self, specs: list[Chart]) -> None:
        """One chart, or two half-width charts side by side, as PNG pictures with alt text."""
        from docx.shared import Mm

        self._orient("portrait")
        if len(specs) == 1:
            para = self.doc.add_paragraph()
            self._picture(para, specs[0])
            if specs[0].note:
                self.doc.add_paragraph(specs[0].note, style=self.note_style)
            return
        table = self.doc.add_table(rows=1, cols=len(specs))  # no style: no borders
        half = self.text_width_mm / 2
        _set_widths(table, [half] * len(specs))
        for cell, spec in zip(table.rows[0].cells, specs, strict=True):
            self._picture(cell.paragraphs[0], spec, max_width_mm=half - 3)
            if spec.note:
                cell.add_paragraph(spec.note, style=self.note_style)
        self.doc.add_paragraph().paragraph_format.space_after = Mm(1)

    def _picture(self, para: Any, spec: Chart, max_width_mm: float | None = None) -> None:
        from docx.shared import Inches, Mm

        from lmns_desktop.reports.charts import chart_png, chart_size

        para.paragraph_format.keep_together = True
        w_in, h_in = chart_size(spec)
        png = chart_png(spec, dpi=CHART_DPI)
        width = min(w_in * 25.4, max_width_mm or self.text_width_mm)
        shape = para.add_run().add_picture(io.BytesIO(png), width=Mm(width))
        shape.height = int(Inches(h_in) * Mm(width) / Inches(w_in))
        self.pictures += 1
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", spec.alt_text)
        doc_pr.set("title", spec.title)

    def write(self) -> None:
        self.title()
        blocks = self.report.blocks
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if isinstance(block, Heading):
                nxt = next((b for b in blocks[i + 1:] if not isinstance(b, Heading)), None)
                if isinstance(nxt, Table) and (nxt.landscape or len(nxt.columns) > 7):
                    self._orient("landscape")  # the heading goes with its landscape table
                elif self.orientation == "landscape":
                    self._orient("portrait")
                self.doc.add_heading(block.text, level=1 if block.level <= 1 else 2)
            elif isinstance(block, Paragraph):
                self.doc.add_paragraph(block.text)
            elif isinstance(block, Note):
                self.doc.add_paragraph(block.text, style=self.note_style)
            elif isinstance(block, KeyFigures):
                self.key_figures(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, PageBreak):
                self.doc.add_page_break()
            elif isinstance(block, Chart):
                pair = [block]
                if block.width == "half" and i + 1 < len(blocks) and \
                        isinstance(blocks[i + 1], Chart) and blocks[i + 1].width == "half":
                    pair.append(blocks[i + 1])
                self.charts(pair)
                i += len(pair)
                continue
            i += 1
        props = self.doc.core_properties
        report = self.report
        props.title = report.title
        props.author = report.author or "LMNS Inclusion Health"
        props.subject = report.subtitle
        props.keywords = f"LMNS, {report.kind}"
        props.comments = "Made by LMNS Inclusion Health Desktop"
        props.created = report.generated
        props.last_modified_by = props.author
        props.language = "en-GB"


def write_docx(report: Report, target: Any) -> None:
    """Write the document to a path or a binary file object."""
    writer = _Writer(report)
    writer.write()
    writer.doc.save(target)


def render_docx(report: Report, out: Path) -> Path:
    """Write ``report`` to ``out`` (.docx) atomically; plain-sentence UserError on failure."""
    from lmns_desktop.reports.render import atomic_save

    return atomic_save(Path(out), "Word document", lambda tmp: write_docx(report, str(tmp)))
