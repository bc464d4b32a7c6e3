"""Render a :class:`Report` to an A4 PDF with ReportLab (no display needed).

Text stays selectable and the font (DejaVu Sans, shipped with matplotlib, which covers non-Latin
names) is embedded once. Tables split across pages with their header repeated; tables too wide
for portrait go on landscape pages; every page carries the title, the generated date,
"Page n of m", the suppression note and, when disclosure control was off, the "Unsuppressed"
warning.

Charts are drawn as vector graphics straight onto the ReportLab canvas by a small matplotlib
renderer (:class:`_CanvasRenderer`): chart text is real, selectable text in the same embedded
font, so a 15-chart pack stays small, with no extra dependency (svglib drops hatch patterns and
brings four packages; pdfrw is unmaintained and embeds a font subset per chart).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#E8EDEE"
NHS_RED = "#DA291C"
FONT, FONT_BOLD = "LMNSSans", "LMNSSans-Bold"
MARGIN_MM = 18.0


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


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    blue = colors.HexColor(NHS_BLUE)
    grey = colors.HexColor(NHS_DARK_GREY)
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20,
                                leading=24, textColor=blue, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, textColor=grey,
                                   spaceAfter=2),
        "info": ParagraphStyle("info", parent=base, fontSize=8.5, leading=11, textColor=grey,
                               spaceAfter=0),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                             textColor=blue, spaceBefore=10, spaceAfter=6, keepWithNext=True),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                             spaceBefore=8, spaceAfter=4, keepWithNext=True),
        "table_title": ParagraphStyle("tt", parent=base, fontName=FONT_BOLD, fontSize=9.5,
                                      leading=12, spaceBefore=6, spaceAfter=3),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=grey),
        "footnote": ParagraphStyle("fn", parent=base, fontSize=7, leading=8.5, textColor=grey,
                                   spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                               spaceAfter=0, textColor=colors.white),
        "figure_value": ParagraphStyle("fv", parent=base, fontName=FONT_BOLD, fontSize=18,
                                       leading=22, textColor=blue, alignment=1, spaceAfter=0),
        "figure_label": ParagraphStyle("fl", parent=base, fontSize=8.5, leading=10.5,
                                       alignment=1, spaceAfter=0),
    }


def _escape(text: object) -> str:
    from xml.sax.saxutils import escape

    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _right(style: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "_r", parent=style, alignment=2)


def _no_keep(style: Any) -> Any:
    """The same style without keepWithNext (a long table after it gets a CondPageBreak)."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "_nk", parent=style, keepWithNext=False)


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _display(value.item())  # type: ignore[attr-defined]
    return "" if value is None else str(value)


# --- tables -------------------------------------------------------------------------------------


def _natural_widths(block: Table, whole_header: bool = False) -> list[float]:
    """Each column as wide as its longest value and header word (or whole header), plus padding."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 16.0  # cell padding (6 + 6) and a little air, so words never break
    natural = []
    for i, name in enumerate(block.columns):
        parts = [str(name)] if whole_header else str(name).split()
        words = [stringWidth(w, FONT_BOLD, 8) for w in parts] or [0.0]
        cells = [stringWidth(_display(row[i]), FONT, 8.5) for row in block.rows if i < len(row)]
        natural.append(max([max(words), *cells]) + pad)
    return natural


def _column_widths(block: Table, width: float) -> list[float]:
    """Columns at their natural width (headers unwrapped when there is room); the first
    (labels) takes the rest."""
    natural = _natural_widths(block, whole_header=True)
    if sum(natural[1:]) + min(natural[0], width * 0.22) > width:
        natural = _natural_widths(block)
    if len(natural) == 1:
        return [width]
    rest = natural[1:]
    first = max(width - sum(rest), min(natural[0], width * 0.22))
    if first + sum(rest) > width:  # too wide: shrink the other columns in proportion
        scale = (width - first) / sum(rest)
        rest = [w * scale for w in rest]
    return [width - sum(rest), *rest]


def _needs_landscape(block: Table, portrait_width: float) -> bool:
    if block.landscape:
        return True
    natural = _natural_widths(block)
    # the label column may wrap down to 22% of the page; the others must fit as they are
    return sum(natural[1:]) + min(natural[0], portrait_width * 0.22) > portrait_width * 1.001


def _table(block: Table, width: float, st: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle
    from reportlab.platypus import Paragraph as P

    numeric = set(block.numeric)
    plain = (st["cell"], _right(st["cell"]))
    bold = (_bold(st["cell"]), _right(_bold(st["cell"])))
    emphasis = set(block.emphasis_rows)
    header = [P(_escape(c), _right(st["head"]) if i in numeric else st["head"])
              for i, c in enumerate(block.columns)]
    ncols = len(block.columns)
    body = [
        [P(_escape(_display(v)), (bold if r in emphasis else plain)[i in numeric])
         for i, v in enumerate((*row, *[""] * (ncols - len(row)))[:ncols])]
        for r, row in enumerate(block.rows)
    ]
    table = LongTable([header, *body], colWidths=_column_widths(block, width), repeatRows=1,
                      hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NHS_BLUE)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # ReportLab's default would add Helvetica
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F4F6F7")]),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D8DDE0")),
    ]
    for row in block.emphasis_rows:
        if 0 <= row < len(block.rows):
            style.append(("LINEABOVE", (0, row + 1), (-1, row + 1), 1,
                          colors.HexColor(NHS_DARK_GREY)))
            style.append(("BACKGROUND", (0, row + 1), (-1, row + 1),
                          colors.HexColor(NHS_PALE_GREY)))
    table.setStyle(TableStyle(style))
    return table


def _bold(style: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "_b", parent=style, fontName=FONT_BOLD)


def _key_figures(block: KeyFigures, width: float, st: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    cells = [[P(_escape(v), st["figure_value"]) for _, v in block.items],
             [P(_escape(label), st["figure_label"]) for label, _ in block.items]]
    n = max(len(block.items), 1)
    table = RLTable(cells, colWidths=[width / n] * n)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(NHS_PALE_GREY)),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return table


# --- charts: a matplotlib renderer that draws on the ReportLab canvas ---------------------------


def _rl_path(canv: Any, path: Any, transform: Any) -> Any:
    """A ReportLab path object from a matplotlib Path in display units (points)."""
    from matplotlib.path import Path as MPath

    p = canv.beginPath()
    last = (0.0, 0.0)
    for verts, code in path.iter_segments(transform, simplify=False, curves=True):
        if code == MPath.MOVETO:
            p.moveTo(*verts)
            last = tuple(verts[-2:])
        elif code == MPath.LINETO:
            p.lineTo(*verts)
            last = tuple(verts[-2:])
        elif code == MPath.CURVE3:  # quadratic -> cubic
            (cx, cy), (x, y) = verts[:2], verts[2:]
            x0, y0 = last
            p.curveTo(x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0),
                      x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y), x, y)
            last = (x, y)
        elif code == MPath.CURVE4:
            p.curveTo(*verts)
            last = tuple(verts[-2:])
        elif code == MPath.CLOSEPOLY:
            p.close()
    return p


@functools.cache
def _renderer_class() -> type:
    """Built on first use so matplotlib is imported only when a chart is drawn."""
    from matplotlib.backend_bases import GraphicsContextBase, RendererBase
    from matplotlib.font_manager import weight_dict
    from matplotlib.transforms import Affine2D

    caps = {"butt": 0, "round": 1, "projecting": 2}
    joins = {"miter": 0, "round": 1, "bevel": 2}

    class CanvasRenderer(RendererBase):
        """Draws a Figure (at 72 dpi, so one pixel is one point) onto a ReportLab canvas."""

        def __init__(self, canv: Any, width: float, height: float) -> None:
            super().__init__()
            self.canv, self.width, self.height = canv, width, height

        def flipy(self) -> bool:
            return False

        def get_canvas_width_height(self) -> tuple[float, float]:
            return self.width, self.height

        def points_to_pixels(self, points: float) -> float:
            return points

        def new_gc(self) -> GraphicsContextBase:
            return GraphicsContextBase()

        def _clip(self, gc: GraphicsContextBase) -> None:
            rect = gc.get_clip_rectangle()
            if rect is not None:
                p = self.canv.beginPath()
                p.rect(rect.x0, rect.y0, rect.width, rect.height)
                self.canv.clipPath(p, stroke=0, fill=0)
            clip_path, clip_trans = gc.get_clip_path()
            if clip_path is not None:
                tpath, affine = clip_path.get_transformed_path_and_affine()
                self.canv.clipPath(_rl_path(self.canv, tpath, affine), stroke=0, fill=0,
                                   fillMode=1)

        def _stroke_style(self, gc: GraphicsContextBase) -> None:
            r, g, b, a = gc.get_rgb()
            self.canv.setStrokeColorRGB(r, g, b)
            self.canv.setStrokeAlpha(a)
            self.canv.setLineWidth(gc.get_linewidth())
            self.canv.setLineCap(caps.get(gc.get_capstyle(), 0))
            self.canv.setLineJoin(joins.get(gc.get_joinstyle(), 0))
            offset, dashes = gc.get_dashes()
            if dashes is not None and len(dashes):
                self.canv.setDash([float(d) for d in dashes], float(offset or 0))
            else:
                self.canv.setDash([], 0)

        def draw_path(self, gc: GraphicsContextBase, path: Any, transform: Any,
                      rgbFace: Any = None) -> None:  # noqa: N803 - matplotlib API
            canv = self.canv
            canv.saveState()
            self._clip(gc)
            stroke = gc.get_linewidth() > 0 and gc.get_rgb()[3] > 0
            fill = rgbFace is not None
            if fill:
                alpha = gc.get_alpha() if gc.get_forced_alpha() else (
                    rgbFace[3] if len(rgbFace) > 3 else 1.0)
                fill = alpha > 0
                canv.setFillColorRGB(*rgbFace[:3])
                canv.setFillAlpha(alpha)
            if stroke:
                self._stroke_style(gc)
            if stroke or fill:
                canv.drawPath(_rl_path(canv, path, transform), stroke=int(stroke),
                              fill=int(fill), fillMode=1)
            if gc.get_hatch():
                self._hatch(gc, path, transform)
            canv.restoreState()

        def _hatch(self, gc: GraphicsContextBase, path: Any, transform: Any) -> None:
            """Tile the hatch (72 pt cells, as matplotlib's PDF backend) inside the shape."""
            canv = self.canv
            canv.saveState()
            canv.clipPath(_rl_path(canv, path, transform), stroke=0, fill=0, fillMode=1)
            r, g, b, a = gc.get_hatch_color()
            canv.setStrokeColorRGB(r, g, b)
            canv.setFillColorRGB(r, g, b)
            canv.setStrokeAlpha(a)
            canv.setFillAlpha(a)
            canv.setLineWidth(gc.get_hatch_linewidth())
            canv.setDash([], 0)
            hatch = gc.get_hatch_path()
            ext = path.get_extents(transform)
            for ix in range(math.floor(ext.x0 / 72), math.ceil(ext.x1 / 72)):
                for iy in range(math.floor(ext.y0 / 72), math.ceil(ext.y1 / 72)):
                    cell = Affine2D().scale(72).translate(ix * 72, iy * 72)
                    canv.drawPath(_rl_path(canv, hatch, cell), stroke=1, fill=1, fillMode=1)
            canv.restoreState()

        def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str, prop: Any,
                      angle: float, ismath: Any = False, mtext: Any = None) -> None:
            if ismath:  # mathtext: fall back to outlines
                self._draw_text_as_path(gc, x, y, s, prop, angle, ismath)
                return
            weight = prop.get_weight()
            weight = weight_dict.get(weight, 400) if isinstance(weight, str) else weight
            canv = self.canv
            canv.saveState()
            r, g, b, a = gc.get_rgb()
            canv.setFillColorRGB(r, g, b)
            canv.setFillAlpha(a)
            canv.setFont(FONT_BOLD if weight >= 600 else FONT, prop.get_size_in_points())
            canv.translate(x, y)
            if angle:
                canv.rotate(angle)
            canv.drawString(0, 0, s)
            canv.restoreState()

        def draw_image(self, gc: GraphicsContextBase, x: float, y: float, im: Any,
                       transform: Any = None) -> None:
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            h, w = im.shape[:2]
            if not (w and h):
                return
            self.canv.saveState()
            self._clip(gc)
            self.canv.drawImage(ImageReader(Image.fromarray(im)), x, y, w, h, mask="auto")
            self.canv.restoreState()

    return CanvasRenderer


def draw_figure(fig: Figure, canv: Any, x: float = 0.0, y: float = 0.0) -> None:
    """Draw a matplotlib Figure as vectors on a ReportLab canvas, bottom-left at (x, y)."""
    from lmns_desktop.reports.charts import chart_style

    fig.set_dpi(72)
    renderer = _renderer_class()(canv, fig.bbox.width, fig.bbox.height)
    canv.saveState()
    canv.translate(x, y)
    with chart_style():
        fig.draw(renderer)
    canv.restoreState()


def _chart_flowable(spec: Chart, width: float) -> Any:
    from reportlab.platypus import Flowable

    from lmns_desktop.reports.charts import chart_size

    class ChartFlowable(Flowable):
        """A chart drawn at print size when the page is drawn (never split)."""

        def __init__(self) -> None:
            super().__init__()
            w_in, h_in = chart_size(spec)
            self.width = min(w_in * 72, width)
            self.height = h_in * 72
            self.hAlign = "LEFT"

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            from lmns_desktop.reports.charts import chart_figure

            fig = chart_figure(spec, self.width / 72, self.height / 72)
            draw_figure(fig, self.canv)

    return ChartFlowable()


def _chart_cell(spec: Chart, width: float, st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    out = [_chart_flowable(spec, width)]
    if spec.note:
        out += [Spacer(1, 2), P(_escape(spec.note), st["note"])]
    return out


def _chart_row(specs: list[Chart], width: float, st: dict[str, Any]) -> Any:
    """Two half-width charts side by side (a borderless table row)."""
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    col = width / 2
    row = [_chart_cell(s, col - 4, st) for s in specs] + [[]] * (2 - len(specs))
    table = RLTable([row], colWidths=[col, col], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                               ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    return table


# --- layout -------------------------------------------------------------------------------------


def _units(blocks: list[Any]) -> list[list[Any]]:
    """Headings grouped with the block after them; consecutive half-width charts paired."""
    units: list[list[Any]] = []
    pending: list[Any] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Heading):
            pending.append(block)
            i += 1
            continue
        if isinstance(block, Chart) and block.width == "half":
            pair = [block]
            if i + 1 < len(blocks) and isinstance(blocks[i + 1], Chart) and \
                    blocks[i + 1].width == "half":
                pair.append(blocks[i + 1])
            units.append([*pending, tuple(pair)])
            i += len(pair)
        else:
            units.append([*pending, block])
            i += 1
        pending = []
    if pending:
        units.append(pending)
    return units


def _min_table_height(block: Table, width: float, st: dict[str, Any]) -> float:
    """Space for the table title, the header and the first few rows (no orphaned titles)."""
    from reportlab.platypus import Paragraph as P

    need = 0.0
    if block.title:
        _, h = P(_escape(block.title), st["table_title"]).wrap(width, 1e6)
        need += h + 9
    return need + 24 + 15 * min(3, len(block.rows))


def _flowables(report: Report, portrait: float, landscape: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak, NextPageTemplate, Spacer
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph as P

    st = _styles()
    out: list[Any] = [P(_escape(report.title), st["title"])]
    if report.subtitle:
        out.append(P(_escape(report.subtitle), st["subtitle"]))
    for line in report.info_lines():
        out.append(P(_escape(line), st["info"]))
    if report.unsuppressed:
        out.append(P(f'<font color="{NHS_RED}"><b>{_escape(report.page_marks[0])}</b></font>: '
                     "disclosure control was switched off; exact small numbers are shown.",
                     st["info"]))
    out.append(Spacer(1, 12))

    orientation, pending_break = "portrait", False
    for unit in _units(report.blocks):
        main = unit[-1]
        if isinstance(main, PageBreak):
            out += [P(_escape(h.text), st["h1" if h.level <= 1 else "h2"]) for h in unit[:-1]]
            pending_break = True
            continue
        if isinstance(main, Table) and main.columns and _needs_landscape(main, portrait):
            wanted = "landscape"
        elif isinstance(main, Note | Paragraph) and len(unit) == 1 and not pending_break:
            wanted = orientation  # small print after a landscape table stays with it
        else:
            wanted = "portrait"
        width = landscape if wanted == "landscape" else portrait
        if wanted != orientation:
            out += [NextPageTemplate(wanted), RLPageBreak()]
            orientation, pending_break = wanted, False
        elif pending_break:
            out.append(RLPageBreak())
            pending_break = False
        headings = [b for b in unit if isinstance(b, Heading)]
        if isinstance(main, Table):
            # a long table must not drag its heading to a new page (keepWithNext would), so
            # break only when the heading, title and a few rows do not fit here
            need = _min_table_height(main, width, st)
            paras = [P(_escape(h.text), _no_keep(st["h1" if h.level <= 1 else "h2"]))
                     for h in headings]
            need += sum(p.wrap(width, 1e6)[1] + 14 for p in paras)
            out.append(CondPageBreak(need))
            out += paras
        else:
            out += [P(_escape(h.text), st["h1" if h.level <= 1 else "h2"]) for h in headings]
        if not isinstance(main, Heading):  # trailing headings have no block of their own
            out += _block(main, width, st)
    return out


def _block(block: Any, width: float, st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    if isinstance(block, Heading):
        return [P(_escape(block.text), st["h1" if block.level <= 1 else "h2"])]
    if isinstance(block, Paragraph):
        return [P(_escape(block.text), st["body"])]
    if isinstance(block, Note):
        return [P(_escape(block.text), st["note"])]
    if isinstance(block, KeyFigures):
        return [_key_figures(block, width, st), Spacer(1, 8)]
    if isinstance(block, Table):
        out: list[Any] = []
        if block.title:
            out.append(P(_escape(block.title), st["table_title"]))
        if block.columns:
            out += [_table(block, width, st), Spacer(1, 4)]
        if block.note:
            out.append(P(_escape(block.note), st["note"]))
        return out
    if isinstance(block, Chart):
        return [*_chart_cell(block, width, st), Spacer(1, 8)]
    if isinstance(block, tuple):  # paired half-width charts
        if len(block) == 1:
            return [*_chart_cell(block[0], width / 2 - 4, st), Spacer(1, 8)]
        return [_chart_row(list(block), width, st), Spacer(1, 8)]
    return []


# --- pages --------------------------------------------------------------------------------------


def _bottom_margin(report: Report) -> float:
    from reportlab.lib.units import mm

    return (MARGIN_MM + (7 if report.suppression_note else 0)) * mm


def _fit(text: str, width: float, font: str = FONT, size: float = 8) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _canvas_class(report: Report) -> type:
    """A canvas that holds pages back until the end, so footers can say "Page n of m"."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph as P

    generated = f"Generated {report.generated:%d/%m/%Y %H:%M}"
    marks = report.page_marks
    note_style = _styles()["footnote"]

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self.setViewerPreference("DisplayDocTitle", "true")

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
            margin = MARGIN_MM * mm
            self.saveState()
            # the top band is red, with the warning in it, when the report is marked
            self.setFillColor(colors.HexColor(NHS_RED if marks else NHS_BLUE))
            self.rect(0, h - 6 * mm, w, 6 * mm, stroke=0, fill=1)
            if marks:
                self.setFont(FONT_BOLD, 9)
                self.setFillColor(colors.white)
                self.drawCentredString(w / 2, h - 4.3 * mm, " · ".join(marks))
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor(NHS_DARK_GREY))
            room = w - 2 * margin - stringWidth(generated, FONT, 8) - 12
            self.drawString(margin, h - 12 * mm, _fit(report.title, room))
            self.drawRightString(w - margin, h - 12 * mm, generated)
            self.drawString(margin, 10 * mm, "LMNS Inclusion Health")
            self.drawRightString(w - margin, 10 * mm, f"Page {self._pageNumber} of {total}")
            if report.suppression_note:
                para = P(_escape(report.suppression_note), note_style)
                _, ph = para.wrap(w - 2 * margin, 30 * mm)
                para.drawOn(self, margin, 14 * mm)
            if marks:
                self.setFont(FONT_BOLD, 9)
                self.setFillColor(colors.HexColor(NHS_RED))
                self.drawCentredString(w / 2, 10 * mm, " · ".join(marks))
                # a faint diagonal mark across the page, so a cropped copy still says so
                self.setFillAlpha(0.08)
                self.setFont(FONT_BOLD, 40)
                self.translate(w / 2, h / 2)
                self.rotate(math.degrees(math.atan2(h, w)))
                self.drawCentredString(0, 0, marks[0])
            self.restoreState()

    return NumberedCanvas


def _document(report: Report, target: str) -> Any:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    margin, bottom = MARGIN_MM * mm, _bottom_margin(report)
    templates = []
    for name, size in (("portrait", A4), ("landscape", landscape(A4))):
        frame = Frame(margin, bottom, size[0] - 2 * margin, size[1] - margin - bottom,
                      id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    return BaseDocTemplate(
        target, pagesize=A4, pageTemplates=templates, leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=bottom, title=report.title,
        author=report.author or "LMNS Inclusion Health", subject=report.subtitle,
        creator="LMNS Inclusion Health Desktop", keywords=["LMNS", report.kind], lang="en-GB",
        initialFontName=FONT,  # no unembedded Helvetica in the page resources
    )


def write_pdf(report: Report, handle: Any) -> None:
    """Write the PDF to an open binary file (or a path)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm

    _register_fonts()
    doc = _document(report, handle)
    portrait = A4[0] - 2 * MARGIN_MM * mm
    wide = landscape(A4)[0] - 2 * MARGIN_MM * mm
    doc.build(_flowables(report, portrait, wide), canvasmaker=_canvas_class(report))


def render_pdf(report: Report, out: Path) -> Path:
    """Write ``report`` to ``out`` atomically (a temp file in the same folder, then replace)."""
    from lmns_desktop.reports.render import atomic_save

    return atomic_save(Path(out), "PDF", lambda tmp: write_pdf(report, str(tmp)))
