"""Report rendering at board-pack size: a synthetic ~20-page report with ~15 charts.

Targets: PDF <= 5 s and < 2 MB, Excel <= 5 s; Word is timed. Pages are rendered to PNG with
pdftoppm (when installed) so a person can look at them.
Run: python3 build_scripts/dev.py bench reports   (or: python tests/bench/bench_reports.py [OUTDIR])
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

import report_samples as samples  # noqa: E402

from lmns_desktop.core import vocab  # noqa: E402
from lmns_desktop.reports.content import (  # noqa: E402
    Heading,
    KeyFigures,
    Note,
    Paragraph,
    Report,
    ReportOptions,
    Table,
)
from lmns_desktop.reports.docx import render_docx  # noqa: E402
from lmns_desktop.reports.pdf import render_pdf  # noqa: E402
from lmns_desktop.reports.xlsx import render_xlsx  # noqa: E402

LOREM = ("The LMNS equity and equality action plan asks every trust to show who its services "
         "reach and how outcomes differ between groups, with honest uncertainty. ")


def board_pack(seed: int = 1) -> Report:
    """A report shaped like a real board pack: sections of text, tables and charts."""
    rnd = random.Random(seed)
    report = Report(
        kind="board", title="LMNS board pack — equity and inclusion", subtitle="Synthetic data",
        author="Benchmark", unsuppressed=True,
        suppression_note="Counts of 1 to 7 are shown as * and others are rounded to the nearest "
                         "5; percentages are calculated from the rounded numbers.",
        options=ReportOptions(period="April 2024 to March 2025", trusts=("Trust A", "Trust B")),
    )
    chart_makers = [samples.bar_chart, samples.equiplot_chart, samples.gradient_chart,
                    samples.spc_chart_spec, samples.coverage_chart]
    charts = 0
    for section in range(5):
        report.add(Heading(f"Section {section + 1}: {vocab.SUB_WORKSTREAMS[section]}"),
                   KeyFigures((("Projects", f"{rnd.randint(5, 40)}"),
                               ("Women reached", f"{rnd.randint(500, 5000):,}"),
                               ("Core20", f"{rnd.uniform(15, 45):.1f}%"))),
                   Paragraph(LOREM * 3))
        for k in range(3):  # every kind three times
            report.add(chart_makers[(section * 3 + k) % len(chart_makers)]())
            charts += 1
        rows = tuple(
            (f"Project {section}-{i:03d}", rnd.choice(vocab.SUB_WORKSTREAMS),
             rnd.randint(0, 900), rnd.uniform(0, 100), rnd.choice(["Red", "Amber", "Green"]))
            for i in range(130)
        )
        report.add(Heading("Projects", level=2),
                   Table(("Project", "Sub-workstream", "Women reached", "Core20 %", "RAG"),
                         rows, title=f"Projects in section {section + 1}", numeric=(2, 3),
                         formats=("", "", "count", "percent", "")),
                   Note("Source: synthetic register. " + LOREM))
    report.add(Heading("Appendix: evidence by trust and quarter"), samples.wide_table())
    assert charts == 15
    return report


def _time(label: str, func, *args) -> tuple[float, Path]:  # noqa: ANN001
    start = time.perf_counter()
    out = func(*args)
    elapsed = time.perf_counter() - start
    size = out.stat().st_size
    print(f"{label:6s} {elapsed:6.2f} s  {size / 1e6:6.2f} MB  {out}")
    return elapsed, out


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    report = board_pack()
    # warm up (imports, font cache), as the running app would be by then
    render_pdf(samples.sample_report(), folder / "warm.pdf")
    pdf_s, pdf = _time("PDF", render_pdf, report, folder / "board_pack.pdf")
    xlsx_s, _ = _time("Excel", render_xlsx, report, folder / "board_pack.xlsx")
    docx_s, _ = _time("Word", render_docx, report, folder / "board_pack.docx")
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    print(f"PDF pages: {pages}")
    ok = pdf_s <= 5 and xlsx_s <= 5 and pdf.stat().st_size < 2e6
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(folder / "page")],
                       check=True)
        print(f"page images: {folder}/page-*.png")
    print("targets met" if ok else "TARGETS MISSED (PDF <= 5 s and < 2 MB, Excel <= 5 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
