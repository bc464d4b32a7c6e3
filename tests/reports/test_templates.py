"""Report templates: board summary, project one-pagers and the cohort equity profile.

Figures are checked against independent pandas computations on the demo register's raw sheets
(not through the template's helpers), disclosure control is checked on every count in the
cohort report, and every template is rendered to PDF, Excel and Word and read back.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lmns_desktop.core import demo_data, vocab
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.profiling import canonical_demo_frame, profile_cohort
from lmns_desktop.core.register_model import RegisterDocument
from lmns_desktop.reports import templates
from lmns_desktop.reports.build import COHORT_INFO_KEYS, ReportRequest, build_report
from lmns_desktop.reports.content import (
    UNSUPPRESSED_TEXT,
    Chart,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    Report,
    Table,
)
from lmns_desktop.reports.render import save_report

TODAY = date(2026, 11, 1)  # the demo register's "today"
ACTIVE = {"Planning", "Active", "Sustaining"}
INFO = {
    "source": "demo_cohort.xlsx",
    "sheet": "Bookings",
    "rows": 20_003,
    "quality": ["3 rows had a postcode that could not be read.", "IMD decile missing in 603 rows."],
    "mapping": {"patient_id": "Pseudo ID", "imd_decile": "IMD Decile",
                "ethnic_category": "Ethnic Category", "preterm_birth": "Preterm (<37 wks)"},
    "iod_edition": "IMD decile column in the file (IoD2019)",
}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheets() -> dict[str, pd.DataFrame]:
    return demo_data.make_register()


@pytest.fixture(scope="module")
def register(sheets: dict[str, pd.DataFrame]) -> RegisterDocument:
    return RegisterDocument({k: v.copy() for k, v in sheets.items()})


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return canonical_demo_frame(20_000)


@pytest.fixture(scope="module")
def profile(cohort: pd.DataFrame) -> Any:
    return profile_cohort(cohort)


@pytest.fixture(scope="module")
def small_profile() -> Any:
    """A small cohort: many groups fall to 1-7 women or events, so suppression must show."""
    return profile_cohort(canonical_demo_frame(400, seed=7))


@pytest.fixture(scope="module")
def board(register: RegisterDocument, profile: Any) -> Report:
    return build_report(ReportRequest(kind="board", author="Test"), register=register,
                        profile=profile, cohort_info=INFO, today=TODAY)


@pytest.fixture(scope="module")
def cohort_report(profile: Any) -> Report:
    return build_report(ReportRequest(kind="cohort", cohort_name="Demo bookings"),
                        profile=profile, cohort_info=INFO, today=TODAY)


def _tables(report: Report) -> list[Table]:
    return [b for b in report.blocks if isinstance(b, Table)]


def _table(report: Report, first_column: str, title: str = "") -> Table:
    found = [t for t in _tables(report) if t.columns[0] == first_column and title in t.title]
    assert found, f"no table starting with {first_column!r} ({title!r})"
    return found[0]


def _section(report: Report, heading: str) -> list[Any]:
    """Blocks under a level-1 heading, up to the next one."""
    out: list[Any] = []
    inside = False
    for block in report.blocks:
        if isinstance(block, Heading) and block.level <= 1:
            inside = block.text == heading
            continue
        if inside:
            out.append(block)
    assert out, f"no section {heading!r}"
    return out


def _round5(x: int) -> int:
    return int(math.floor(x / 5 + 0.5) * 5)


# --- board summary: figures against independent pandas --------------------------------------


def test_overview_key_figures_match_pandas(board: Report, sheets: dict[str, pd.DataFrame]
                                           ) -> None:
    projects, evidence = sheets["Projects"], sheets["Evidence"]
    start, end = pd.Timestamp(2026, 10, 1), pd.Timestamp(2026, 12, 31)
    in_q = evidence[(evidence["Date"] >= start) & (evidence["Date"] <= end)]
    figures = dict(next(b for b in board.blocks if isinstance(b, KeyFigures)).items)
    assert figures["Projects"] == f"{len(projects):,}"
    assert figures["Active projects"] == f"{projects['Status'].isin(ACTIVE).sum():,}"
    assert figures["Evidence items in period"] == f"{len(in_q):,}"
    assert figures["People reached in period"] == f"{int(in_q['People reached'].sum()):,}"
    assert board.options.period == "1 October 2026 to 31 December 2026"
    assert "Period: 1 October 2026 to 31 December 2026" in board.info_lines()


def test_status_and_rag_tables_match_crosstab(board: Report,
                                              sheets: dict[str, pd.DataFrame]) -> None:
    projects = sheets["Projects"]
    expected = pd.crosstab(projects["Sub-workstream"], projects["Status"]).reindex(
        index=list(vocab.SUB_WORKSTREAMS), columns=list(vocab.PROJECT_STATUSES), fill_value=0)
    table = _table(board, "Sub-workstream")
    assert table.columns == ("Sub-workstream", *vocab.PROJECT_STATUSES, "Total")
    for row in table.rows[:-1]:
        assert list(row[1:-1]) == expected.loc[row[0]].tolist()
        assert row[-1] == expected.loc[row[0]].sum()
    assert table.rows[-1] == ("Total", *expected.sum().tolist(), len(projects))

    rag = _table(board, "RAG rating")
    counts = projects["RAG"].value_counts()
    active = projects[projects["Status"].isin(ACTIVE)]["RAG"].value_counts()
    for name, n, n_active in rag.rows[:-1]:
        assert n == counts[name] and n_active == active.get(name, 0)
    assert rag.rows[-1] == ("Total", len(projects), len(active.index) and int(active.sum()))

    by_rag = [t for t in _tables(board) if "Red" in t.columns][0]
    expected_rag = pd.crosstab(projects["Sub-workstream"], projects["RAG"])
    for row in by_rag.rows[:-1]:
        for col, value in zip(by_rag.columns[1:-1], row[1:-1], strict=True):
            assert value == expected_rag.loc[row[0]].get(col, 0)
    assert by_rag.rows[-1][-1] == len(projects)


def _expected_coverage(projects: pd.DataFrame) -> pd.DataFrame:
    active = projects[projects["Status"].isin(ACTIVE)]
    out = pd.DataFrame(0, index=[*vocab.PLUS_GROUPS, "Core20"], columns=vocab.SUB_WORKSTREAMS)
    for _, p in active.iterrows():
        tags = {t.strip() for t in str(p["PLUS groups"]).split(";") if t.strip()}
        for tag in tags:
            out.loc[tag, p["Sub-workstream"]] += 1
        if p["Core20 focus"] == "Yes":
            out.loc["Core20", p["Sub-workstream"]] += 1
    return out


def test_coverage_gaps_are_marked_and_listed(board: Report,
                                             sheets: dict[str, pd.DataFrame]) -> None:
    expected = _expected_coverage(sheets["Projects"])
    table = _table(board, "Group")
    assert [r[0] for r in table.rows] == list(expected.index)
    for row in table.rows:
        want = ["gap" if v == 0 else int(v) for v in expected.loc[row[0]]]
        assert list(row[1:]) == want, row[0]
    chart = next(b for b in board.blocks if isinstance(b, Chart) and b.kind == "coverage")
    assert sum(r["count"] == 0 for r in chart.records) == int((expected == 0).sum().sum())
    gaps = (expected == 0).sum(axis=1)
    assert gaps.max() > 0
    sentence = next(b.text for b in _section(board, "Coverage: PLUS groups and sub-workstreams")
                    if isinstance(b, Paragraph))
    for group in gaps[gaps == gaps.max()].index:  # every worst group is named
        assert group in sentence
    assert f"{int((expected == 0).sum().sum())} of {expected.size}" in sentence


def test_attention_list_is_red_amber_and_overdue(board: Report,
                                                 sheets: dict[str, pd.DataFrame]) -> None:
    p = sheets["Projects"]
    overdue = (p["Target end date"] < pd.Timestamp(TODAY)) & ~p["Status"].isin(
        ["Complete", "Stopped"])
    expected = set(p.loc[p["RAG"].isin(["Red", "Amber"]) | overdue, "ID"])
    table = _table(board, "Project (trust)")
    ids = [str(r[0]).split()[0] for r in table.rows]
    assert set(ids) == expected and len(ids) == len(expected)
    rags = [r[2] for r in table.rows]
    order = [{"Red": 0, "Amber": 1}.get(r, 2) for r in rags]
    assert order == sorted(order)  # Red, then Amber, then others
    for row in table.rows:
        pid = str(row[0]).split()[0]
        is_late = bool(overdue[p["ID"] == pid].iloc[0])
        assert (row[5] is not None) == is_late
        if is_late:
            end = p.loc[p["ID"] == pid, "Target end date"].iloc[0]
            assert row[5] == (pd.Timestamp(TODAY) - end).days


def test_evidence_by_type_and_quarter_counts_only_the_period(
        register: RegisterDocument, sheets: dict[str, pd.DataFrame]) -> None:
    request = ReportRequest(kind="board", period_start=date(2026, 1, 15),
                            period_end=date(2026, 8, 31))
    report = build_report(request, register=register, today=TODAY)
    ev = sheets["Evidence"]
    when = ev["Date"]
    table = _table(report, "Evidence type")
    assert table.columns[1:] == ("Jan–Mar 2026", "Apr–Jun 2026", "Jul–Sep 2026", "Total")
    bounds = [(pd.Timestamp(2026, 1, 15), pd.Timestamp(2026, 3, 31)),
              (pd.Timestamp(2026, 4, 1), pd.Timestamp(2026, 6, 30)),
              (pd.Timestamp(2026, 7, 1), pd.Timestamp(2026, 8, 31))]
    for row in table.rows[:-1]:
        of_type = ev[ev["Type"] == row[0]]
        want = [int(((of_type["Date"] >= a) & (of_type["Date"] <= b)).sum()) for a, b in bounds]
        assert list(row[1:-1]) == want, row[0]
    in_period = ev[(when >= bounds[0][0]) & (when <= bounds[-1][1])]
    assert table.rows[-1][-1] == len(in_period)
    people = _table(report, "Quarter")
    assert people.rows[-1] == (
        "Total", int((in_period["Type"] == templates.OUTREACH).sum()),
        int((in_period["Type"] == templates.LEARNING).sum()), len(in_period),
        int(in_period["People reached"].sum()))
    assert report.options.period == "15 January 2026 to 31 August 2026"


def test_trust_filter_limits_projects_and_evidence(register: RegisterDocument,
                                                   sheets: dict[str, pd.DataFrame]) -> None:
    trust = vocab.TRUSTS_DEMO[1]
    report = build_report(ReportRequest(kind="board", trusts=[trust.upper() + " "],
                                        period_start=date(2023, 1, 1)),
                          register=register, today=TODAY)
    p = sheets["Projects"]
    mine = p[p["Trust"] == trust]
    figures = dict(next(b for b in report.blocks if isinstance(b, KeyFigures)).items)
    assert figures["Projects"] == f"{len(mine)}"
    ev = sheets["Evidence"]
    assert figures["Evidence items in period"] == f"{ev['Project ID'].isin(mine['ID']).sum()}"
    assert report.options.trusts == (trust.upper(),)
    attention = _table(report, "Project (trust)")
    assert all(trust in str(r[0]) for r in attention.rows)
    assert "48 projects (12 projects for the chosen trusts)" in report.text()


def test_equity_headline_with_disclosure(board: Report, profile: Any) -> None:
    section = _section(board, "Cohort equity profile: headline")
    figures = dict(next(b for b in section if isinstance(b, KeyFigures)).items)
    assert figures["Women in the cohort"] == f"{_round5(profile.n_rows):,}"
    c = profile.core20
    assert figures["Core20 share"] == f"{100 * _round5(c.count) / _round5(c.denominator):.1f}%"
    ratios = next(b for b in section if isinstance(b, Table))
    preterm = next(r for r in ratios.rows if r[0] == vocab.FIELD_LABELS["preterm_birth"])
    q1 = profile.outcomes["preterm_birth"].group("imd_quintile", 1)
    assert preterm[3] == pytest.approx(q1.ratio) and preterm[4] < preterm[3] < preterm[5]
    text = "\n".join(b.text for b in section if isinstance(b, Paragraph))
    assert "national 20%" in text and "slope index of inequality" in text
    assert board.suppression_note and not board.unsuppressed
    assert any("Disclosure control applied" in b.text for b in section
               if hasattr(b, "text") and not isinstance(b, Heading))


def test_board_without_profile_has_no_cohort_section(register: RegisterDocument) -> None:
    report = build_report(ReportRequest(kind="board"), register=register, today=TODAY)
    assert "Cohort equity profile: headline" not in report.text()
    assert report.suppression_note == "" and not report.unsuppressed


def test_board_summary_wrapper_keeps_the_old_contract(register: RegisterDocument) -> None:
    report = templates.board_summary(register, title="March board", author="A. Author")
    assert report.kind == "board" and report.title == "March board"
    assert report.author == "A. Author"
    assert "Projects by sub-workstream and status" in report.text()
    assert set(templates.TEMPLATES) == set(templates.TEMPLATE_DESCRIPTIONS) == {
        "board", "project", "cohort"}


# --- project one-pagers -----------------------------------------------------------------------


def test_one_pager_has_the_facts_and_an_spc_chart_per_measure(
        register: RegisterDocument, sheets: dict[str, pd.DataFrame]) -> None:
    report = build_report(ReportRequest(kind="project", project_id=" IH-0005 "),
                          register=register, today=TODAY)
    p = sheets["Projects"].set_index("ID").loc["IH-0005"]
    text = report.text()
    assert report.title == f"IH-0005 {p['Title']}"
    for value in (p["Aim"], p["Sub-workstream"], p["Status"], p["RAG"], p["Lead"], p["Trust"],
                  p["Next steps"], p["Process measures"]):
        assert str(value) in text
    score = float(p["IHI progress score"])
    assert f"{score:.1f} — {vocab.IHI_PROGRESS_SCORES[score]}" in text
    for group in str(p["PLUS groups"]).split("; "):
        assert group in text
    measures = sheets["Measures"][sheets["Measures"]["Project ID"] == "IH-0005"]
    spc = [b for b in report.blocks if isinstance(b, Chart) and b.kind == "spc"]
    assert len(spc) == measures["Measure"].nunique() > 0
    assert all(c.note.startswith("Reading: ") and "points" in c.note for c in spc)
    assert [len(c.records) for c in spc] == [len(measures[measures["Measure"] == c.title])
                                             for c in spc]
    evidence = _table(report, "Evidence")
    ev = sheets["Evidence"][sheets["Evidence"]["Project ID"] == "IH-0005"].sort_values("Date")
    assert [r[1] for r in evidence.rows] == [d.date() for d in ev["Date"]]
    assert [r[3] for r in evidence.rows] == ev["People reached"].tolist()
    assert str(evidence.rows[0][1]) == f"{ev['Date'].iloc[0]:%d/%m/%Y}"  # UK date in PDF cells
    pdsa = _table(report, "Change idea (prediction; result)")
    assert [r[1] for r in pdsa.rows] == [1, 2]
    assert "Attendance rose from 61% to 72%" in str(pdsa.rows[0][0])
    bare = build_report(ReportRequest(kind="project", project_id="IH-0003"), register=register,
                        today=TODAY)
    assert "PDSA cycles: none are recorded" in bare.text()


def test_one_pagers_for_every_project_each_on_a_new_page(
        register: RegisterDocument, sheets: dict[str, pd.DataFrame]) -> None:
    trust = vocab.TRUSTS_DEMO[2]
    report = build_report(ReportRequest(kind="project", trusts=[trust]), register=register,
                          today=TODAY)
    ids = sheets["Projects"].loc[sheets["Projects"]["Trust"] == trust, "ID"].tolist()
    headings = [b.text.split()[0] for b in report.blocks
                if isinstance(b, Heading) and b.level == 1][1:]
    assert headings == ids
    for i, block in enumerate(report.blocks):
        if isinstance(block, Heading) and block.level == 1 and block.text.startswith("IH-"):
            assert isinstance(report.blocks[i - 1], PageBreak)
    contents = _table(report, "Project")
    assert [str(r[0]).split()[0] for r in contents.rows] == ids
    everyone = build_report(ReportRequest(kind="project"), register=register, today=TODAY)
    assert sum(isinstance(b, PageBreak) for b in everyone.blocks) == len(sheets["Projects"])


# --- cohort equity profile: disclosure control ---------------------------------------------


def _count_cells(report: Report) -> list[Any]:
    cells = []
    for table in _tables(report):
        for i, fmt in enumerate(table.formats):
            if fmt == "count":
                cells += [row[i] for row in table.rows]
    return cells


def _assert_controlled(report: Report) -> None:
    cells = [c for c in _count_cells(report) if c is not None]
    assert cells
    for c in cells:
        assert c == "*" or (isinstance(c, int) and c % 5 == 0), c
    for table in _tables(report):  # a percentage next to a hidden count is hidden too
        if "Percent" in table.columns and "Women" in table.columns:
            w, p = table.columns.index("Women"), table.columns.index("Percent")
            for row in table.rows:
                if row[w] == "*":
                    assert row[p] == "*"
    for text in re.findall(r"([\d,*]+) (?:women|events|rows)\b", report.text()):
        assert text == "*" or int(text.replace(",", "")) % 5 == 0, text


def test_cohort_counts_are_controlled_and_percentages_from_rounded(cohort_report: Report,
                                                                   profile: Any) -> None:
    _assert_controlled(cohort_report)
    core = _table(cohort_report, "Group", "Core20 share")
    c = profile.core20
    assert core.rows[0][1] == _round5(c.count)
    assert core.rows[0][2] == round(100 * _round5(c.count) / _round5(c.denominator), 1)
    assert cohort_report.suppression_note and not cohort_report.unsuppressed
    assert UNSUPPRESSED_TEXT not in cohort_report.page_marks
    notes = [t for t in cohort_report.notes() if "Disclosure control applied" in t]
    assert len(notes) >= 3
    text = cohort_report.text()
    assert "* rows had a postcode" in text and "605 rows" in text  # importer lines controlled


def test_small_cohort_hides_small_numbers_and_blanks_what_rests_on_them(small_profile: Any
                                                                         ) -> None:
    report = build_report(ReportRequest(kind="cohort"), profile=small_profile, today=TODAY)
    _assert_controlled(report)
    assert "*" in _count_cells(report)
    hidden_rows = 0
    for table in _tables(report):
        if table.columns[:3] == ("Group", "Women (known outcome)", "With outcome"):
            for row in table.rows:
                if "*" in (row[1], row[2]):
                    hidden_rows += 1
                    assert row[3] == "*" and row[4:] == (None,) * 5, row
    assert hidden_rows > 0
    for chart in (b for b in report.blocks if isinstance(b, Chart)):
        for rec in chart.records:
            pop = rec.get("population")
            assert pop is None or pop % 5 == 0
            if rec.get("label") == "*":
                assert rec["value"] is None and rec.get("ci_low") is None


def test_unsuppressed_shows_exact_counts_and_sets_the_watermark(profile: Any) -> None:
    report = build_report(ReportRequest(kind="cohort", unsuppressed=True), profile=profile,
                          cohort_info=INFO, today=TODAY)
    assert report.unsuppressed and report.page_marks[0] == UNSUPPRESSED_TEXT
    assert report.suppression_note == ""
    core = _table(report, "Group", "Core20 share")
    assert core.rows[0][1] == profile.core20.count
    assert "3 rows had a postcode" in report.text()
    assert "Disclosure control was switched off" in report.text()


def test_cohort_report_sections_and_charts(cohort_report: Report, profile: Any) -> None:
    text = cohort_report.text()
    for key in ("demo_cohort.xlsx", "Bookings", INFO["iod_edition"], "Wilson", "Byar",
                "Katz", "Low and Low", "Denominators", "Methods and caveats"):
        assert key in text
    assert "Pseudo ID" not in text  # identifier columns are not listed
    charts = [b for b in cohort_report.blocks if isinstance(b, Chart)]
    gradients = [c for c in charts if c.kind == "gradient"]
    assert len(gradients) == len(profile.outcomes)
    assert all(c.fit is not None for c in gradients if "Stillbirth" not in c.title)
    preterm = next(c for c in gradients if c.title.startswith("Preterm"))
    sii = profile.outcomes["preterm_birth"].sii["imd_quintile"].value
    assert preterm.fit[1] == pytest.approx(sii, rel=1e-9)
    shares = next(c for c in charts if c.kind == "bar_ci" and "national" in c.title)
    assert shares.reference_lines[0].value == 20.0
    assert any(c.kind == "equiplot" for c in charts)
    sii_table = _table(cohort_report, "Outcome", "Slope")
    assert len(sii_table.rows) == len(profile.outcomes)
    target = next(c for c in charts if "target" in c.title)
    assert target.reference_lines[0].value == profile.options.continuity_target_percent
    assert sum(isinstance(b, PageBreak) for b in cohort_report.blocks) >= len(profile.outcomes)
    assert set(COHORT_INFO_KEYS) >= set(INFO)


# --- bad input ---------------------------------------------------------------------------------


def test_bad_requests_raise_plain_sentences(register: RegisterDocument, profile: Any) -> None:
    with pytest.raises(UserError, match="No register is open"):
        build_report(ReportRequest(kind="board"), profile=profile, today=TODAY)
    with pytest.raises(UserError, match="No register is open"):
        build_report(ReportRequest(kind="project"), today=TODAY)
    with pytest.raises(UserError, match="no project with ID 'IH-9999'"):
        build_report(ReportRequest(kind="project", project_id="IH-9999"), register=register,
                     today=TODAY)
    with pytest.raises(UserError, match="No cohort has been profiled"):
        build_report(ReportRequest(kind="cohort"), register=register, today=TODAY)
    with pytest.raises(UserError, match="starts on 01/12/2026, after it ends"):
        build_report(ReportRequest(period_start=date(2026, 12, 1), period_end=date(2026, 11, 1)),
                     register=register, today=TODAY)
    with pytest.raises(UserError, match="no 'annual' report"):
        build_report(ReportRequest(kind="annual"), register=register)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="No project belongs to Nowhere Trust"):
        build_report(ReportRequest(kind="project", trusts=["Nowhere Trust"]), register=register)


def test_empty_register_board_says_so() -> None:
    report = build_report(ReportRequest(kind="board"), register=RegisterDocument(), today=TODAY)
    assert "The register has no projects yet" in report.text()
    with pytest.raises(UserError, match="no projects yet"):
        build_report(ReportRequest(kind="project"), register=RegisterDocument(), today=TODAY)


def test_cohort_without_outcomes_or_rows(cohort: pd.DataFrame) -> None:
    no_outcomes = profile_cohort(cohort.drop(columns=list(vocab.OUTCOME_FIELDS)).head(3000))
    report = build_report(ReportRequest(kind="cohort"), profile=no_outcomes, today=TODAY)
    assert "has no outcome columns" in report.text()
    assert not [b for b in report.blocks if isinstance(b, Chart) and b.kind == "gradient"]
    assert "Continuity of carer cannot be shown" in report.text()
    _assert_controlled(report)
    empty = profile_cohort(cohort.head(0))
    with pytest.raises(UserError, match="no rows to profile"):
        build_report(ReportRequest(kind="cohort"), profile=empty, today=TODAY)


# --- rendering: PDF, Excel, Word read back ----------------------------------------------------


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_board_renders_to_pdf_xlsx_docx(board: Report, tmp_path: Path,
                                        sheets: dict[str, pd.DataFrame]) -> None:
    import docx
    import openpyxl

    pages = _pdf_text(save_report(board, tmp_path / "board.pdf"))
    text = " ".join(" ".join(pages).split())
    projects = sheets["Projects"]
    assert "LMNS board summary" in text and "Projects needing attention" in text
    figures = dict(next(b for b in board.blocks if isinstance(b, KeyFigures)).items)
    for value in figures.values():
        assert value in text
    assert re.search(r"Total 3 5 21 8 4 4 3 48", text)  # the status table's total row
    assert all(board.suppression_note[:40] in p.replace("\n", " ") for p in pages)

    wb = openpyxl.load_workbook(save_report(board, tmp_path / "board.xlsx"))
    ws = next(wb[n] for n in wb.sheetnames if n.startswith("Projects by sub-workstream"))
    culture = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Culture")
    expected = pd.crosstab(projects["Sub-workstream"], projects["Status"]).reindex(
        columns=list(vocab.PROJECT_STATUSES), fill_value=0).loc["Culture"].tolist()
    assert list(culture[1:8]) == expected and all(isinstance(v, int) for v in culture[1:9])
    cov = next(wb[n] for n in wb.sheetnames if n.startswith("Coverage"))
    values = [v for row in cov.iter_rows(values_only=True) for v in row]
    assert "gap" in values

    document = docx.Document(save_report(board, tmp_path / "board.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for h in ("Register overview", "Projects by sub-workstream and status",
              "Coverage: PLUS groups and sub-workstreams", "Evidence in the period",
              "Projects needing attention", "Cohort equity profile: headline"):
        assert h in headings


def test_project_pack_renders_each_project_from_a_new_page(register: RegisterDocument,
                                                           tmp_path: Path) -> None:
    import docx
    import openpyxl

    report = build_report(ReportRequest(kind="project", trusts=[vocab.TRUSTS_DEMO[3]]),
                          register=register, today=TODAY)
    ids = [b.text.split()[0] for b in report.blocks
           if isinstance(b, Heading) and b.text.startswith("IH-")]
    pages = _pdf_text(save_report(report, tmp_path / "pack.pdf"))
    starts = [next((i for i in ids if p.lstrip().startswith(i)), None) for p in pages]
    assert [s for s in starts if s] == ids  # every project heads a page of its own
    assert len(pages) <= 2 * len(ids) + 1
    wb = openpyxl.load_workbook(save_report(report, tmp_path / "pack.xlsx"))
    assert sum(name.startswith("IH-") for name in wb.sheetnames) == len(ids)
    document = docx.Document(save_report(report, tmp_path / "pack.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split()[0] for h in headings if h.startswith("IH-")] == ids


def test_single_one_pager_fits_one_page(register: RegisterDocument, tmp_path: Path) -> None:
    report = build_report(ReportRequest(kind="project", project_id="IH-0005"),
                          register=register, today=TODAY)
    pages = _pdf_text(save_report(report, tmp_path / "one.pdf"))
    assert len(pages) == 1 and "Next steps" in pages[0]


def test_cohort_renders_with_marks_and_numbers(cohort_report: Report, profile: Any,
                                               tmp_path: Path) -> None:
    import docx
    import openpyxl

    pages = _pdf_text(save_report(cohort_report, tmp_path / "cohort.pdf"))
    text = " ".join(" ".join(pages).split())
    assert f"{_round5(profile.n_rows):,}" in text
    assert "Methods and caveats" in pages[-1]
    assert all("Counts of 1 to 7 are shown as *" in p.replace("\n", " ") for p in pages)
    wb = openpyxl.load_workbook(save_report(cohort_report, tmp_path / "cohort.xlsx"))
    ws = wb["Core20 and PLUS groups"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Core20 (IMD deciles 1–2)")
    assert row[1] == _round5(profile.core20.count) and isinstance(row[2], float)
    document = docx.Document(save_report(cohort_report, tmp_path / "cohort.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Methods and caveats" in headings and "Preterm birth (<37 weeks)" in headings

    unsuppressed = build_report(ReportRequest(kind="cohort", unsuppressed=True),
                                profile=profile, today=TODAY)
    pages = _pdf_text(save_report(unsuppressed, tmp_path / "internal.pdf"))
    assert all(UNSUPPRESSED_TEXT in p for p in pages)


def test_a_stricter_rule_is_applied_and_stated(small_profile: Any) -> None:
    from lmns_desktop.core.disclosure import SuppressionRule

    rule = SuppressionRule(upper=10, base=10)
    report = build_report(ReportRequest(kind="cohort", rule=rule), profile=small_profile,
                          today=TODAY)
    cells = [c for c in _count_cells(report) if c is not None]
    assert "*" in cells
    assert all(c == "*" or c % 10 == 0 for c in cells)
    assert report.suppression_note == rule.note
    assert "Counts of 1 to 10 are shown as *" in report.text()


def test_importing_the_request_module_does_not_load_pandas() -> None:
    import subprocess
    import sys

    code = ("import sys, lmns_desktop.reports.build as b; b.ReportRequest(kind='board'); "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
