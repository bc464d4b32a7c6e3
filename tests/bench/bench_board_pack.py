"""The real board pack at size: demo register + a 200,000-row cohort profile, ~20 A4 pages.

The LMNS board summary (with the cohort's equity headline) is followed by the one-pagers of the
projects needing attention until the pack reaches about 20 pages, then rendered to PDF and Excel
(targets: each under 5 s) and Word (timed). Pages are rendered to PNG with pdftoppm when it is
installed, so a person can look at them.
Run: python tests/bench/bench_board_pack.py [OUTDIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from lmns_desktop.core import demo_data
from lmns_desktop.core.profiling import canonical_demo_frame, profile_cohort
from lmns_desktop.core.register_model import RegisterDocument
from lmns_desktop.reports.build import ReportRequest, build_report
from lmns_desktop.reports.content import PageBreak, Report
from lmns_desktop.reports.templates import attention_frame, one_pager_blocks

TARGET_PAGES = 20
ROWS = 200_000
TODAY = date(2026, 11, 1)  # the demo register's "today"
COHORT_INFO = {"source": "demo_cohort.xlsx", "sheet": "Bookings", "rows": ROWS,
               "iod_edition": "IMD decile column in the file (IoD2019)",
               "quality": ["Synthetic demo data: no real person's records."]}


def _pages(report: Report, folder: Path) -> int:
    from pypdf import PdfReader

    from lmns_desktop.reports.pdf import render_pdf

    return len(PdfReader(render_pdf(report, folder / "count.pdf")).pages)


def board_pack(register: RegisterDocument, profile: Any, folder: Path) -> Report:
    """The board summary, then one-pagers of the projects needing attention, to ~20 pages."""
    request = ReportRequest(kind="board", title="LMNS board pack", author="Benchmark")
    report = build_report(request, register=register, profile=profile,
                          cohort_info=COHORT_INFO, today=TODAY)
    start, end = request.period(TODAY)
    missing = TARGET_PAGES - _pages(report, folder)
    for _, project in attention_frame(register.projects, TODAY).head(max(missing, 0)).iterrows():
        report.add(PageBreak(), *one_pager_blocks(register, project, start, end))
    return report


def _time(label: str, func: Any, *args: Any) -> tuple[float, Path]:
    start = time.perf_counter()
    out = func(*args)
    elapsed = time.perf_counter() - start
    print(f"{label:6s} {elapsed:6.2f} s  {out.stat().st_size / 1e6:6.2f} MB  {out}")
    return elapsed, out


def main() -> int:
    from lmns_desktop.reports.docx import render_docx
    from lmns_desktop.reports.pdf import render_pdf
    from lmns_desktop.reports.xlsx import render_xlsx

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    register = RegisterDocument(demo_data.make_register())
    started = time.perf_counter()
    frame = canonical_demo_frame(ROWS)
    profiled = time.perf_counter()
    profile = profile_cohort(frame)
    print(f"cohort {ROWS:,} rows: made in {profiled - started:.2f} s, profiled in "
          f"{time.perf_counter() - profiled:.2f} s")
    started = time.perf_counter()
    build_report(ReportRequest(kind="board"), register=register, profile=profile,
                 cohort_info=COHORT_INFO, today=TODAY)
    print(f"board content built in {time.perf_counter() - started:.2f} s")
    report = board_pack(register, profile, folder)  # also warms up imports and fonts
    pdf_s, pdf = _time("PDF", render_pdf, report, folder / "board_pack.pdf")
    xlsx_s, _ = _time("Excel", render_xlsx, report, folder / "board_pack.xlsx")
    _time("Word", render_docx, report, folder / "board_pack.docx")
    from pypdf import PdfReader

    pages = len(PdfReader(pdf).pages)
    charts = sum(type(b).__name__ == "Chart" for b in report.blocks)
    print(f"PDF pages: {pages}; charts: {charts}; blocks: {len(report.blocks)}")
    (folder / "count.pdf").unlink(missing_ok=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(folder / "page")],
                       check=True)
        print(f"page images: {folder}/page-*.png")
    ok = pdf_s < 5 and xlsx_s < 5
    print("targets met" if ok else "TARGETS MISSED (PDF < 5 s, Excel < 5 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
