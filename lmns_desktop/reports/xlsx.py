"""Render a :class:`Report` as a formatted Excel workbook (xlsxwriter).

Why a workbook as well as a PDF: managers re-use the numbers in their own packs, so cells hold
real numbers with number formats (not text), each top-level section gets its own sheet with a
frozen header, simple bar charts are native Excel charts they can restyle, and a "Notes" sheet
carries methods, the disclosure-control sentence and sources. xlsxwriter (not openpyxl) writes
it because it sets alt text on pictures, custom error bars on native charts, and is fast.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lmns_desktop.reports.content import (
    UNSUPPRESSED_TEXT,
    Chart,
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
NHS_RED = "#DA291C"
FONT = "Arial"
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "decimal": "0.0", "ratio": "0.00"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ROW_PX = 20  # default row height in pixels (15 pt)


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, not 'History'."""
    name = _BAD_SHEET_CHARS.sub(" ", str(text))
    name = re.sub(r"\s+", " ", name).strip().strip("'") or "Sheet"
    if name.lower() == "history":
        name = "History (report)"
    base, n = name[:31].rstrip(), 1
    name = base
    while name.lower() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
    used.add(name.lower())
    return name


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


_NUMBER_TEXT = re.compile(r"^\s*(-?[\d,]*\.?\d+)\s*(%?)\s*$")


def parse_figure(text: str) -> tuple[Any, str]:
    """A key-figure text as (number, format) when it is one ("4,985", "31.2%"), else (text, "")."""
    match = _NUMBER_TEXT.match(str(text).replace("\u2212", "-"))
    if not match:
        return text, ""
    digits, percent = match.groups()
    digits = digits.replace(",", "")
    if percent:
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        return float(digits), ("0." + "0" * decimals if decimals else "0") + '"%"'
    if "." in digits:
        decimals = len(digits.split(".")[1])
        return float(digits), "#,##0." + "0" * decimals
    return int(digits), "#,##0"


@dataclass
class _Sheet:
    """One worksheet being filled top to bottom."""

    ws: Any
    name: str
    row: int = 0
    widths: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    max_col: int = 0

    def width(self, col: int, text: str) -> None:
        longest = max((len(line) for line in str(text).split("\n")), default=0)
        self.widths[col] = max(self.widths.get(col, 0), longest)
        self.max_col = max(self.max_col, col)


class _Writer:
    def __init__(self, report: Report, target: Any) -> None:
        import xlsxwriter

        self.report = report
        self.wb = xlsxwriter.Workbook(target, {"nan_inf_to_errors": True,
                                               "default_date_format": "dd/mm/yyyy"})
        self.wb.set_properties({
            "title": report.title, "subject": report.subtitle,
            "author": report.author or "LMNS Inclusion Health",
            "company": "LMNS Inclusion Health", "keywords": f"LMNS, {report.kind}",
            "comments": "Made by LMNS Inclusion Health Desktop", "created": report.generated,
        })
        self.used: set[str] = {"notes"}  # kept for the Notes sheet, written last
        self.sheets: list[_Sheet] = []
        self._formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.chart_no = 0

    # formats are cached: a workbook allows a limited number of distinct ones
    def fmt(self, **props: Any) -> Any:
        props = {"font_name": FONT, "font_size": 10, **props}
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def new_sheet(self, title: str, exact: bool = False) -> _Sheet:
        name = title if exact else sheet_name(title, self.used)
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        marks = " · ".join(self.report.page_marks).replace("&", "&&")
        title_text = self.report.title[:80].replace("&", "&&")
        header = f"&L{title_text}" + (f'&C&"Arial,Bold"&KDA291C{marks}' if marks else "")
        ws.set_header(header)
        ws.set_footer("&LLMNS Inclusion Health&RPage &P of &N")
        sheet = _Sheet(ws, name)
        self.sheets.append(sheet)
        return sheet

    # --- blocks ---------------------------------------------------------------------------

    def heading(self, sh: _Sheet, text: str, level: int) -> None:
        size = {0: 16, 1: 14}.get(level, 12)
        color = NHS_BLUE if level <= 1 else "#212B32"
        sh.ws.write_string(sh.row, 0, text, self.fmt(bold=True, font_size=size, font_color=color))
        sh.ws.set_row(sh.row, size * 1.6)
        sh.row += 1 if level == 0 else 2

    def marks(self, sh: _Sheet) -> None:
        for mark in self.report.page_marks:
            sh.ws.write_string(sh.row, 0, mark, self.fmt(bold=True, font_color=NHS_RED))
            sh.row += 1

    def paragraph(self, sh: _Sheet, text: str, note: bool = False) -> None:
        fmt = self.fmt(font_size=8, italic=True, font_color=NHS_DARK_GREY) if note else self.fmt()
        if len(text) <= 120:
            sh.ws.write_string(sh.row, 0, text, fmt)
        else:  # long text: wrap it across the first columns
            wrap = self.fmt(font_size=8 if note else 10, italic=note, text_wrap=True,
                            valign="top", font_color=NHS_DARK_GREY if note else "#212B32")
            last = max(sh.max_col, 5)
            sh.ws.merge_range(sh.row, 0, sh.row, last, text, wrap)
            lines = math.ceil(len(text) / (12 * (last + 1)))
            sh.ws.set_row(sh.row, max(15, lines * (11 if note else 13)))
        sh.row += 1 if note else 2

    def header_row(self, sh: _Sheet, columns: list[str], numeric: set[int]) -> None:
        for c, name in enumerate(columns):
            fmt = self.fmt(bold=True, font_color="#FFFFFF", bg_color=NHS_BLUE, text_wrap=True,
                           valign="vcenter", align="right" if c in numeric else "left",
                           border=1, border_color="#FFFFFF")
            sh.ws.write_string(sh.row, c, str(name), fmt)
            sh.width(c, max(str(name).split(), key=len, default=""))
        longest = max((len(str(n)) for n in columns), default=0)
        if longest > 18:
            sh.ws.set_row(sh.row, 28)
        sh.row += 1

    def cell(self, sh: _Sheet, col: int, value: Any, number_format: str, *, bold: bool = False,
             numeric: bool = False, top_border: bool = False) -> None:
        value = _plain(value)
        base: dict[str, Any] = {"bold": bold}
        if top_border:
            base |= {"top": 1, "top_color": NHS_DARK_GREY, "bg_color": NHS_PALE_GREY}
        ws = sh.ws
        if value is None:
            ws.write_blank(sh.row, col, None, self.fmt(**base))
        elif isinstance(value, bool):
            ws.write_string(sh.row, col, "Yes" if value else "No", self.fmt(**base))
            sh.width(col, "Yes")
        elif isinstance(value, int | float):
            fmt = number_format or ("#,##0" if isinstance(value, int) else "0.0")
            ws.write_number(sh.row, col, value, self.fmt(num_format=fmt, **base))
            sh.width(col, f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
        elif isinstance(value, datetime | date):
            fmt = "dd/mm/yyyy hh:mm" if isinstance(value, datetime) and (
                value.hour or value.minute) else "dd/mm/yyyy"
            if not isinstance(value, datetime):
                value = datetime(value.year, value.month, value.day)
            ws.write_datetime(sh.row, col, value, self.fmt(num_format=fmt, **base))
            sh.width(col, "00/00/0000")
        else:
            text = str(value)
            align = {"align": "right"} if numeric else {}
            ws.write_string(sh.row, col, text, self.fmt(**base, **align))
            sh.width(col, text)

    def table(self, sh: _Sheet, block: Table) -> None:
        if block.title:
            sh.ws.write_string(sh.row, 0, block.title, self.fmt(bold=True, font_size=11))
            sh.row += 1
        numeric = set(block.numeric)
        if sh.freeze is None and sh.row < 15:
            sh.freeze = (sh.row + 1, 0)
        self.header_row(sh, list(block.columns), numeric)
        emphasis = set(block.emphasis_rows)
        for r, row in enumerate(block.rows):
            for c, value in enumerate(row):
                self.cell(sh, c, value, NUMBER_FORMATS.get(block.format_of(c), ""),
                          bold=r in emphasis, numeric=c in numeric, top_border=r in emphasis)
            sh.row += 1
        if block.note:
            self.paragraph(sh, block.note, note=True)
        sh.row += 1

    def key_figures(self, sh: _Sheet, block: KeyFigures) -> None:
        self.header_row(sh, ["Key figure", "Value"], {1})
        for label, text in block.items:
            value, number_format = parse_figure(text)
            sh.ws.write_string(sh.row, 0, str(label), self.fmt())
            sh.width(0, str(label))
            if number_format:
                sh.ws.write_number(sh.row, 1, value,
                                   self.fmt(num_format=number_format, bold=True,
                                            font_color=NHS_BLUE))
            else:
                sh.ws.write_string(sh.row, 1, str(value),
                                   self.fmt(bold=True, font_color=NHS_BLUE, align="right"))
            sh.width(1, str(text))
            sh.row += 1
        sh.row += 1

    def chart(self, sh: _Sheet, spec: Chart) -> None:
        """The chart's data as a table, then a native bar chart or the chart as a picture."""
        self.chart_no += 1
        sh.ws.write_string(sh.row, 0, spec.title, self.fmt(bold=True, font_size=11))
        sh.row += 1
        if spec.subtitle:
            self.paragraph(sh, spec.subtitle, note=True)
        anchor = sh.row
        if spec.kind == "bar_ci":
            self._native_bar(sh, spec, anchor)
        else:
            self._picture(sh, spec, anchor)
        cols = spec.columns()
        self.header_row(sh, cols, set(range(1, len(cols))))
        fmt = NUMBER_FORMATS["percent"] if spec.percent else ""
        for rec in spec.records:
            for c, key in enumerate(cols):
                value = rec.get(key)
                self.cell(sh, c, value, fmt if isinstance(_plain(value), float) else "")
            sh.row += 1
        sh.row += 1
        if spec.note:
            self.paragraph(sh, spec.note, note=True)

    def _picture(self, sh: _Sheet, spec: Chart, anchor: int) -> None:
        from lmns_desktop.reports.charts import chart_png, chart_size

        png = chart_png(spec, dpi=150)
        sh.ws.insert_image(anchor, 0, f"chart{self.chart_no}.png", {
            "image_data": io.BytesIO(png), "description": spec.alt_text, "object_position": 3,
        })
        _, h_in = chart_size(spec)
        sh.row = anchor + math.ceil(h_in * 96 / _ROW_PX) + 1

    def _native_bar(self, sh: _Sheet, spec: Chart, anchor: int) -> None:
        """A column chart of the spec's data (written just below), with CI error bars."""
        recs = spec.records
        n = len(recs)
        height_px = 300
        first = anchor + math.ceil(height_px / _ROW_PX) + 1  # the data table's header row
        cols = spec.columns()
        name = sh.name
        cat_col, val_col = cols.index("group"), cols.index("value")
        chart = self.wb.add_chart({"type": "column"})
        series: dict[str, Any] = {
            "name": spec.y_label or "Value",
            "categories": [name, first + 1, cat_col, first + n, cat_col],
            "values": [name, first + 1, val_col, first + n, val_col],
            "fill": {"color": NHS_BLUE}, "border": {"color": "#003087"}, "gap": 60,
            "data_labels": {"value": True, "num_format": '0.0"%"' if spec.percent else "0.0",
                            "position": "inside_end", "font": {"color": "#FFFFFF", "size": 8}},
        }
        if "ci_low" in cols and "ci_high" in cols:
            plus, minus = [], []
            for rec in recs:
                v, lo, hi = (_plain(rec.get(k)) for k in ("value", "ci_low", "ci_high"))
                ok = all(isinstance(x, int | float) for x in (v, lo, hi))
                plus.append(max(hi - v, 0) if ok else 0)
                minus.append(max(v - lo, 0) if ok else 0)
            series["y_error_bars"] = {"type": "custom", "plus_values": plus,
                                      "minus_values": minus, "end_style": 1,
                                      "line": {"color": "#212B32", "width": 1}}
        chart.add_series(series)
        lines = [ln for ln in spec.reference_lines if ln.axis == "value"]
        for i, line in enumerate(lines):
            # a reference line is a constant line series; its values sit in a helper column
            helper = len(cols) + 1 + i
            sh.ws.write_string(first, helper, line.label, self.fmt(italic=True, font_size=8))
            for r in range(n):
                sh.ws.write_number(first + 1 + r, helper, line.value,
                                   self.fmt(font_size=8, num_format="0.0",
                                            font_color=NHS_DARK_GREY))
            ref_chart = self.wb.add_chart({"type": "line"})
            ref_chart.add_series({
                "name": line.label,
                "categories": [name, first + 1, cat_col, first + n, cat_col],
                "values": [name, first + 1, helper, first + n, helper],
                "line": {"color": "#212B32", "width": 1.5,
                         "dash_type": ("dash", "round_dot", "dash_dot")[i % 3]},
                "marker": {"type": "none"},
            })
            chart.combine(ref_chart)
        chart.set_title({"name": spec.title, "name_font": {"size": 11, "bold": True}})
        chart.set_legend({"position": "bottom"} if lines else {"none": True})
        chart.set_y_axis({"name": spec.y_label, "min": 0,
                          "name_font": {"size": 9, "bold": False},
                          "num_format": '0"%"' if spec.percent else "General",
                          "major_gridlines": {"visible": True,
                                              "line": {"color": "#D8DDE0"}}})
        chart.set_x_axis({"name": spec.x_label, "name_font": {"size": 9, "bold": False}})
        chart.set_size({"width": 640, "height": height_px})
        chart.set_chartarea({"border": {"none": True}})
        sh.ws.insert_chart(anchor, 0, chart, {"object_position": 3,
                                              "description": spec.alt_text})
        sh.row = first

    # --- sheets ---------------------------------------------------------------------------

    def write(self) -> None:
        report = self.report
        summary = self.new_sheet("Summary")
        self.heading(summary, report.title, 0)
        self.marks(summary)
        if report.subtitle:
            summary.ws.write_string(summary.row, 0, report.subtitle,
                                    self.fmt(font_color=NHS_DARK_GREY))
            summary.row += 1
        for line in report.info_lines():
            summary.ws.write_string(summary.row, 0, line, self.fmt(font_color=NHS_DARK_GREY))
            summary.row += 1
        summary.row += 1
        contents_row = summary.row
        sections = [b.text for b in report.blocks if isinstance(b, Heading) and b.level <= 1]
        summary.row += len(sections) + 3 if sections else 0
        sheet = summary
        section_sheets: list[_Sheet] = []
        for block in report.blocks:
            if isinstance(block, Heading) and block.level <= 1:
                self._finish(sheet)
                sheet = self.new_sheet(block.text)
                section_sheets.append(sheet)
                self.heading(sheet, block.text, 1)
                if report.page_marks:
                    sheet.row -= 1
                    self.marks(sheet)
                    sheet.row += 1
            elif isinstance(block, Heading):
                self.heading(sheet, block.text, 2)
            elif isinstance(block, Paragraph):
                self.paragraph(sheet, block.text)
            elif isinstance(block, Note):
                self.paragraph(sheet, block.text, note=True)
            elif isinstance(block, KeyFigures):
                self.key_figures(sheet, block)
            elif isinstance(block, Table):
                self.table(sheet, block)
            elif isinstance(block, Chart):
                self.chart(sheet, block)
            elif isinstance(block, PageBreak):
                continue
        self._finish(sheet)
        if section_sheets:
            self._contents(summary, contents_row, section_sheets)
        self._notes()

    def _contents(self, summary: _Sheet, row: int, sheets: list[_Sheet]) -> None:
        ws = summary.ws
        ws.write_string(row, 0, "Contents", self.fmt(bold=True, font_size=12))
        for i, sh in enumerate([*sheets, None]):
            target = sh.name if sh else "Notes"
            ws.write_url(row + 1 + i, 0, f"internal:'{target.replace(chr(39), chr(39) * 2)}'!A1",
                         self.fmt(font_color=NHS_BLUE, underline=1), string=target)
        summary.width(0, max([s.name for s in sheets] + ["Contents"], key=len))

    def _notes(self) -> None:
        report = self.report
        sh = self.new_sheet("Notes", exact=True)
        self.heading(sh, "Notes", 1)
        label = self.fmt(bold=True, valign="top")
        wrap = self.fmt(text_wrap=True, valign="top")
        sh.ws.set_column(0, 0, 22)
        sh.ws.set_column(1, 1, 100)

        def row(name: str, value: Any, fmt: Any = None) -> None:
            sh.ws.write_string(sh.row, 0, name, label)
            if isinstance(value, datetime):
                sh.ws.write_datetime(sh.row, 1, value,
                                     self.fmt(num_format="dd/mm/yyyy hh:mm", align="left"))
            else:
                sh.ws.write_string(sh.row, 1, str(value), fmt or wrap)
                lines = math.ceil(len(str(value)) / 95)
                if lines > 1:
                    sh.ws.set_row(sh.row, 13 * lines)
            sh.row += 1

        row("Title", report.title)
        if report.subtitle:
            row("Subtitle", report.subtitle)
        row("Author", report.author or "LMNS Inclusion Health")
        row("Generated", report.generated)
        if report.options.period:
            row("Period", report.options.period)
        if report.options.trusts:
            row("Trusts", ", ".join(report.options.trusts))
        sh.row += 1
        if report.unsuppressed:
            row("Disclosure control", f"{UNSUPPRESSED_TEXT}: disclosure control was switched "
                "off, so exact small numbers are shown. Do not share beyond the team.",
                self.fmt(text_wrap=True, bold=True, font_color=NHS_RED))
        elif report.suppression_note:
            row("Disclosure control", report.suppression_note)
        if report.watermark and report.watermark != UNSUPPRESSED_TEXT:
            row("Marking", report.watermark)
        notes = report.notes()
        for i, text in enumerate(notes):
            row("Notes and sources" if i == 0 else "", text)
        charts = [b for b in report.blocks if isinstance(b, Chart)]
        if charts:
            sh.row += 1
            for i, spec in enumerate(charts):
                row("Charts" if i == 0 else "", f"{spec.title}: {spec.alt_text}")
        sh.freeze = (1, 0)
        sh.ws.freeze_panes(1, 0)

    def _finish(self, sh: _Sheet) -> None:
        for col, chars in sh.widths.items():
            sh.ws.set_column(col, col, max(8.0, min(chars * 1.1 + 2, 60.0)))
        if sh.freeze:
            sh.ws.freeze_panes(*sh.freeze)
        elif sh.name != "Summary":
            sh.ws.freeze_panes(1, 0)
        if sh.max_col >= 7:
            sh.ws.set_landscape()

    def close(self) -> None:
        self.wb.close()


def write_xlsx(report: Report, target: Any) -> None:
    """Write the workbook to a path or a binary file object."""
    writer = _Writer(report, target)
    writer.write()
    writer.close()


def render_xlsx(report: Report, out: Path) -> Path:
    """Write ``report`` to ``out`` (.xlsx) atomically; plain-sentence UserError on failure."""
    from lmns_desktop.reports.render import atomic_save

    return atomic_save(Path(out), "Excel workbook", lambda tmp: write_xlsx(report, str(tmp)))
