"""Render a :class:`Report` to an A4 PDF with ReportLab (no display needed).

Text stays selectable and the font (DejaVu Sans, shipped with matplotlib, which covers non-Latin
names) is embedded. Tables split across pages with their header repeated; every page carries the
title, the generated date and "Page n of m".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lmns_desktop.core.errors import UserError
from lmns_desktop.reports.content import (
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Report,
    Table,
)

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#E8EDEE"
FONT, FONT_BOLD = "LMNSSans", "LMNSSans-Bold"


def _register_fonts() -> None:
    from matplotlib import get_data_path
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


def _styles() -> dict[str, object]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    blue = colors.HexColor(NHS_BLUE)
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=24, textColor=blue, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, textColor=colors.HexColor(NHS_DARK_GREY), spaceAfter=14),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, textColor=blue, spaceBefore=10, spaceAfter=6, keepWithNext=True),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4, keepWithNext=True),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor(NHS_DARK_GREY)),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0, textColor=colors.white),
        "figure_value": ParagraphStyle("fv", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22, textColor=blue, alignment=1, spaceAfter=0),
        "figure_label": ParagraphStyle("fl", parent=base, fontSize=8.5, leading=10.5, alignment=1, spaceAfter=0),
    }


def _escape(text: object) -> str:
    from xml.sax.saxutils import escape

    return escape("" if text is None else str(text))


def _table(block: Table, width: float, st: dict[str, object]) -> object:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle
    from reportlab.platypus import Paragraph as P

    numeric = set(block.numeric)
    cell, cell_r = st["cell"], _right(st["cell"])
    header = [P(_escape(c), _right(st["head"]) if i in numeric else st["head"])
              for i, c in enumerate(block.columns)]
    body = [
        [P(_escape(_display(v)), cell_r if i in numeric else cell) for i, v in enumerate(row)]
        for row in block.rows
    ]
    table = LongTable([header, *body], colWidths=_column_widths(block, width), repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NHS_BLUE)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F4F6F7")]),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D8DDE0")),
    ]
    for row in block.emphasis_rows:
        style.append(("LINEABOVE", (0, row + 1), (-1, row + 1), 1, colors.HexColor(NHS_DARK_GREY)))
        style.append(("BACKGROUND", (0, row + 1), (-1, row + 1), colors.HexColor(NHS_PALE_GREY)))
    table.setStyle(TableStyle(style))
    return table


def _column_widths(block: Table, width: float) -> list[float]:
    """Columns as wide as their longest word or number; the first (labels) takes the rest."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 16.0  # cell padding (6 + 6) and a little air, so words never break
    natural = []
    for i, name in enumerate(block.columns):
        words = [stringWidth(w, FONT_BOLD, 8) for w in str(name).split()] or [0.0]
        cells = [stringWidth(_display(row[i]), FONT, 8.5) for row in block.rows if i < len(row)]
        longest_word = max(words)
        natural.append(max([longest_word, *cells]) + pad)
    if len(natural) == 1:
        return [width]
    rest = natural[1:]
    first = max(width - sum(rest), width * 0.22)
    if first + sum(rest) > width:  # too wide: shrink the other columns in proportion
        scale = (width - first) / sum(rest)
        rest = [w * scale for w in rest]
    return [width - sum(rest), *rest]


def _key_figures(block: KeyFigures, width: float, st: dict[str, object]) -> object:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle
    from reportlab.platypus import Paragraph as P

    cells = [[P(_escape(v), st["figure_value"]) for _, v in block.items],
             [P(_escape(label), st["figure_label"]) for label, _ in block.items]]
    n = max(len(block.items), 1)
    table = LongTable(cells, colWidths=[width / n] * n)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(NHS_PALE_GREY)),
        ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return table


def _flowables(report: Report, width: float) -> list[object]:
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    st = _styles()
    out: list[object] = [P(_escape(report.title), st["title"])]
    if report.subtitle:
        out.append(P(_escape(report.subtitle), st["subtitle"]))
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append(P(_escape(block.text), st["h1" if block.level <= 1 else "h2"]))
        elif isinstance(block, Paragraph):
            out.append(P(_escape(block.text), st["body"]))
        elif isinstance(block, Note):
            out.append(P(_escape(block.text), st["note"]))
        elif isinstance(block, PageBreak):
            out.append(RLPageBreak())
        elif isinstance(block, KeyFigures):
            out += [_key_figures(block, width, st), Spacer(1, 8)]
        elif isinstance(block, Table):
            if block.title:
                out.append(P(_escape(block.title), st["h2"]))
            out += [_table(block, width, st), Spacer(1, 4)]
            if block.note:
                out.append(P(_escape(block.note), st["note"]))
    return out


def _right(style: object) -> object:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "_r", parent=style, alignment=2)  # type: ignore[attr-defined]


def _display(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _canvas_class(report: Report) -> type:
    """A canvas that holds pages back until the end, so footers can say "Page n of m"."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    generated = f"Generated {report.generated:%d/%m/%Y %H:%M}"

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = self._pagesize
            margin = 18 * mm
            self.saveState()
            self.setFillColor(colors.HexColor(NHS_BLUE))
            self.rect(0, h - 6 * mm, w, 6 * mm, stroke=0, fill=1)
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor(NHS_DARK_GREY))
            self.drawString(margin, h - 12 * mm, report.title)
            self.drawRightString(w - margin, h - 12 * mm, generated)
            self.drawString(margin, 10 * mm, "LMNS Inclusion Health")
            self.drawRightString(w - margin, 10 * mm, f"Page {self._pageNumber} of {total}")
            if report.watermark:
                self.setFont(FONT_BOLD, 9)
                self.setFillColor(colors.HexColor("#DA291C"))
                self.drawCentredString(w / 2, 10 * mm, report.watermark)
            self.restoreState()

    return NumberedCanvas


def render_pdf(report: Report, out: Path) -> Path:
    """Write ``report`` to ``out`` atomically (a temp file in the same folder, then replace)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()
    out = Path(out)
    folder = out.parent
    if not folder.is_dir():
        raise UserError(f"The folder {folder} does not exist. Choose another place to save the PDF.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~lmns-", suffix=".pdf", dir=folder)
    except OSError as exc:
        raise UserError(
            f"The folder {folder} cannot be written to. Choose another folder and try again."
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        doc = SimpleDocTemplate(
            str(tmp), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
            bottomMargin=18 * mm, title=report.title, author=report.author or "LMNS Inclusion Health",
            subject=report.subtitle, creator="LMNS Inclusion Health Desktop",
        )
        doc.build(_flowables(report, doc.width), canvasmaker=_canvas_class(report))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved report gets normal rights
        os.replace(tmp, out)
    except PermissionError as exc:
        raise UserError(
            f"{out.name} could not be written: it may be open in another program or the folder is "
            "read-only. Close it or choose another folder, then try again."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out
