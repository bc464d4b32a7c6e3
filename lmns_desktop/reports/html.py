"""Render a :class:`Report` to simple HTML for Qt's print, print preview and on-screen preview.

Charts are embedded as PNG data URLs (Qt's QTextDocument shows them) with alt text, so the
HTML is one self-contained string.
"""

from __future__ import annotations

import base64
from html import escape

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

_CSS = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #212b32; }
h1.title { color: #005EB8; font-size: 20pt; margin-bottom: 2px; }
p.subtitle { color: #425563; }
h1 { color: #005EB8; font-size: 14pt; margin-top: 12px; }
h2 { font-size: 11.5pt; margin-top: 10px; }
table.data { border-collapse: collapse; margin: 4px 0; }
table.data th { background: #005EB8; color: white; padding: 4px 6px; text-align: left; }
table.data td { padding: 3px 6px; border-bottom: 1px solid #d8dde0; }
td.num, th.num { text-align: right; }
tr.total td { font-weight: bold; background: #e8edee; }
table.figures td { background: #e8edee; padding: 8px 16px; text-align: center; }
span.figure { color: #005EB8; font-size: 16pt; font-weight: bold; }
p.note { color: #425563; font-size: 8pt; }
p.watermark { color: #da291c; font-weight: bold; }
p.info { color: #425563; font-size: 9pt; margin: 0; }
p.chart-title { font-weight: bold; margin-bottom: 2px; }
"""

#: Screen resolution for chart pictures (96 px per inch, at printed size).
CHART_DPI = 96


def _chart(spec: Chart, dpi: int = CHART_DPI) -> str:
    from lmns_desktop.reports.charts import chart_png, chart_size

    w_in, h_in = chart_size(spec)
    data = base64.b64encode(chart_png(spec, dpi=dpi)).decode("ascii")
    img = (f'<img src="data:image/png;base64,{data}" alt="{escape(spec.alt_text)}" '
           f'width="{round(w_in * CHART_DPI)}" height="{round(h_in * CHART_DPI)}"/>')
    note = f'<p class="note">{escape(spec.note)}</p>' if spec.note else ""
    return f"<p>{img}</p>{note}"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape("" if value is None else str(value))


def render_html(report: Report, *, charts: bool = True) -> str:
    """The report as one HTML document (Qt's rich-text subset); ``charts=False`` skips them."""
    parts = [f'<html lang="en-GB"><head><title>{escape(report.title)}</title>'
             f"<style>{_CSS}</style></head><body>"]
    parts.append(f'<h1 class="title">{escape(report.title)}</h1>')
    if report.subtitle:
        parts.append(f'<p class="subtitle">{escape(report.subtitle)}</p>')
    for line in report.info_lines():
        parts.append(f'<p class="info">{escape(line)}</p>')
    for mark in report.page_marks:
        parts.append(f'<p class="watermark">{escape(mark)}</p>')
    if report.suppression_note:
        parts.append(f'<p class="note">{escape(report.suppression_note)}</p>')
    for block in report.blocks:
        if isinstance(block, Heading):
            tag = "h1" if block.level <= 1 else "h2"
            parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Note):
            parts.append(f'<p class="note">{escape(block.text)}</p>')
        elif isinstance(block, PageBreak):
            parts.append('<p style="page-break-after: always;"></p>')
        elif isinstance(block, KeyFigures):
            cells = "".join(
                f'<td><span class="figure">{escape(v)}</span><br/>{escape(label)}</td>'
                for label, v in block.items
            )
            parts.append(f'<table class="figures" cellspacing="4"><tr>{cells}</tr></table>')
        elif isinstance(block, Table):
            if block.title:
                parts.append(f"<h2>{escape(block.title)}</h2>")
            numeric = set(block.numeric)
            head = "".join(
                f'<th class="{"num" if i in numeric else ""}">{escape(c)}</th>'
                for i, c in enumerate(block.columns)
            )
            rows = []
            for r, row in enumerate(block.rows):
                cells = "".join(
                    f'<td class="{"num" if i in numeric else ""}">{_cell(v)}</td>'
                    for i, v in enumerate(row)
                )
                cls = ' class="total"' if r in block.emphasis_rows else ""
                rows.append(f"<tr{cls}>{cells}</tr>")
            parts.append(
                f'<table class="data" width="100%" cellspacing="0"><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
            if block.note:
                parts.append(f'<p class="note">{escape(block.note)}</p>')
        elif isinstance(block, Chart):
            if charts:
                parts.append(_chart(block))
            else:
                parts.append(f'<p class="chart-title">{escape(block.title)}</p>'
                             f'<p class="note">{escape(block.alt_text)}</p>')
    parts.append("</body></html>")
    return "".join(parts)
