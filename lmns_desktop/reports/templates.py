"""Report templates: the LMNS board summary, project one-pagers and the cohort equity profile.

Each template turns register data and/or a cohort profile into a :class:`Report` of blocks, so
every renderer (PDF, Excel, Word, print preview) draws the same content. Nothing here imports
Qt or draws a chart: charts are specs. :func:`lmns_desktop.reports.build.build_report` is the
entry point (it checks the request first); :func:`board_summary` is kept for older callers.

Disclosure control (DOMAIN.md 5e): every count that comes from the cohort (women, events, rows)
goes through :mod:`lmns_desktop.core.disclosure` unless the user switched it off — counts of 1
to 7 become ``*``, others are rounded to the nearest 5, percentages are recomputed from the
rounded numbers, and a rate, CI or ratio that rests on a hidden count is left blank. Register
counts (projects, evidence items, people reached at events) are management information about
projects, not about individual women, so they are shown exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from lmns_desktop.core import vocab
from lmns_desktop.core.disclosure import SuppressionRule
from lmns_desktop.core.errors import UserError
from lmns_desktop.reports.content import (
    Block,
    Chart,
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    ReferenceLine,
    Report,
    ReportOptions,
    Table,
)

if TYPE_CHECKING:
    import pandas as pd

    from lmns_desktop.core.profiling.model import OutcomeGroup, OutcomeProfile, Profile
    from lmns_desktop.core.register_model import RegisterDocument
    from lmns_desktop.reports.build import ReportRequest

TEMPLATES: dict[str, str] = {
    "board": "LMNS board summary",
    "project": "Project one-pager",
    "cohort": "Cohort equity profile",
}
TEMPLATE_DESCRIPTIONS: dict[str, str] = {
    "board": "Register overview for the LMNS board: projects by sub-workstream, status and RAG, "
             "coverage gaps, evidence in the period, projects needing attention and, with a "
             "cohort, the headline equity profile.",
    "project": "One page per project: aim, groups served, status, evidence timeline, SPC charts "
               "of its measures, PDSA cycles and next steps.",
    "cohort": "Who the cohort is and how outcomes differ by deprivation and ethnicity, with "
              "confidence intervals, SII/RII and disclosure control.",
}

OUTREACH = "Inclusion health outreach event"
LEARNING = "Local learning event"
CLOSED_STATUSES: frozenset[str] = frozenset({"Complete", "Stopped"})
ATTENTION_RAGS: tuple[str, ...] = ("Red", "Amber")
#: Long text goes in a paragraph, not a table cell: a wide cell would push the table landscape.
MAX_CELL_CHARS = 70
CONTINUITY = "continuity_of_carer"
#: How many findings the board's equity headline repeats (the cohort report has them all).
BOARD_FINDINGS = 8
MANAGEMENT_NOTE = ("Counts of projects and evidence from the register: management information, "
                   "not published statistics, so they are shown exactly.")


# --- small helpers ---------------------------------------------------------------------------


class UKDate(date):
    """A date that prints as dd/mm/yyyy (the PDF shows ``str()`` of a cell; Excel a real date)."""

    def __str__(self) -> str:
        return self.strftime("%d/%m/%Y")


def uk_date(value: Any) -> UKDate | None:
    """A table cell for a date (None for a missing one)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return UKDate(value.year, value.month, value.day)


def long_date(day: date) -> str:
    """"1 October 2026" (no platform-specific strftime flags)."""
    return f"{day.day} {day:%B %Y}"


def period_text(start: date, end: date) -> str:
    return f"{long_date(start)} to {long_date(end)}"


def _text(value: Any) -> str:
    """A register cell as display text ("" when blank)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if type(value).__name__ in ("NAType", "NaTType"):
        return ""
    return str(value).strip()


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _join(items: Sequence[str]) -> str:
    """"a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _blank(value: float | None) -> float | None:
    """A float for a table cell: NaN/None -> None (a blank cell), else the float."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _fmt_pct(value: Any) -> str:
    """A disclosed or exact percentage as text for a sentence or key figure."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value}%"
    return f"{value:.1f}%"


def _fmt_count(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    return f"{int(value):,}"


# --- disclosure control ----------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """Cohort counts and percentages as they may be shown: controlled (default) or exact."""

    on: bool = True
    rule: SuppressionRule = SuppressionRule()

    def count(self, n: Any) -> int | str | None:
        """A count for display: ``*``, a multiple of 5, or exact when control is off."""
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return None
        if not self.on:
            return int(n)
        from lmns_desktop.core.disclosure import suppress_counts

        return suppress_counts([n], self.rule).iloc[0]  # type: ignore[no-any-return]

    def pct(self, num: Any, den: Any, *, decimals: int | None = None) -> float | int | str | None:
        """A percentage from the rounded numbers (``*`` if either is hidden); exact when off.

        ``decimals`` None follows NHS Digital (one decimal place only when the rounded
        denominator is at least 4,000); exact percentages always get one decimal place.
        """
        if den is None or not den:
            return None
        if not self.on:
            return round(100.0 * float(num) / float(den), 1)
        from lmns_desktop.core.disclosure import suppress_percentages

        return suppress_percentages([num], [den], self.rule,  # type: ignore[no-any-return]
                                    decimals=decimals).iloc[0]

    def hidden(self, *counts: Any) -> bool:
        """True when any of ``counts`` is hidden by the rule (so anything built on it is too)."""
        if not self.on:
            return False
        return any(c is not None and 0 < float(c) <= self.rule.upper for c in counts)

    def ci(self, low: float, high: float, *counts: Any) -> tuple[float | None, float | None]:
        """Confidence limits, blank when they rest on a hidden count."""
        if self.hidden(*counts):
            return None, None
        return _blank(low), _blank(high)

    @property
    def note(self) -> str:
        if self.on:
            return (f"Disclosure control applied: {self.rule.note} Rates, confidence intervals "
                    "and ratios that rest on a hidden count are left blank.")
        return ("Disclosure control was switched off: exact counts, including small numbers, "
                "are shown. Unsuppressed — internal use only; do not share beyond the team.")

    def mask_text(self, text: str) -> str:
        """Counts of people or rows inside free text (importer and profile notes) controlled."""
        if not self.on:
            return text

        def sub(match: re.Match[str]) -> str:
            shown = self.count(int(match.group(1).replace(",", "")))
            return f"{_fmt_count(shown)}{match.group(2)}"

        return _COUNT_IN_TEXT.sub(sub, text)


_COUNT_IN_TEXT = re.compile(
    r"(?<![\w.,/\-–])(\d{1,3}(?:,\d{3})+|\d+)(\s+(?:rows?|women|woman|records?|people|person|"
    r"births?|bookings?|patients?|cases?|values?|cells?|events?|pregnanc(?:y|ies)|"
    r"duplicated)\b)"
)


def _report(kind: str, request: ReportRequest, subtitle: str, *, period: str,
            disclosure: Disclosure | None) -> Report:
    """A Report with the request's title, author, options and disclosure marks."""
    title = request.title or TEMPLATES[kind]
    report = Report(
        kind=kind,  # type: ignore[arg-type]
        title=title,
        subtitle=subtitle,
        author=request.author,
        options=ReportOptions(period=period, trusts=tuple(request.trusts), title=title,
                              author=request.author),
    )
    if disclosure is not None:
        if disclosure.on:
            report.suppression_note = disclosure.rule.note
        else:
            report.unsuppressed = True
    return report


# --- register helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterView:
    """The register cut to the chosen trusts: projects and their evidence, measures and PDSA."""

    projects: pd.DataFrame
    evidence: pd.DataFrame
    measures: pd.DataFrame
    pdsa: pd.DataFrame
    all_projects: int
    unmatched_trusts: tuple[str, ...]


def register_view(register: RegisterDocument, trusts: Sequence[str]) -> RegisterView:
    """Projects of ``trusts`` (all when empty) and the child rows that belong to them."""
    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.core.coverage import values_mask

    projects = register.projects
    if not trusts:
        return RegisterView(projects, register.evidence, register.measures, register.pdsa,
                            len(projects), ())
    chosen = projects[values_mask(projects["Trust"], trusts)]
    present = {_text(t).casefold() for t in projects["Trust"]}
    unmatched = tuple(t for t in trusts if t.casefold() not in present)
    ids = set(chosen["ID"].astype("str").str.strip().dropna())

    def children(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame[rs.PROJECT_REF].astype("str").str.strip().isin(ids).to_numpy()]

    return RegisterView(chosen, children(register.evidence), children(register.measures),
                        children(register.pdsa), len(projects), unmatched)


def _in_period(dates: pd.Series, start: date, end: date) -> Any:
    import pandas as pd

    first = pd.Timestamp(start)
    after = pd.Timestamp(end) + pd.Timedelta(days=1)
    return ((dates >= first) & (dates < after)).fillna(False).to_numpy(dtype=bool)


def _people(series: pd.Series) -> int:
    import pandas as pd

    total = pd.to_numeric(series, errors="coerce").clip(lower=0).sum()
    return int(total) if pd.notna(total) else 0


def quarters(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar quarters that overlap ``start``..``end``, as (first day, last day)."""
    from lmns_desktop.core.coverage import quarter_bounds

    out = []
    q_start, q_end = (t.date() for t in quarter_bounds(start))
    while q_start <= end:
        out.append((q_start, q_end))
        nxt = q_end.toordinal() + 1
        q_start, q_end = (t.date() for t in quarter_bounds(date.fromordinal(nxt)))
    return out


def quarter_label(first: date, last: date) -> str:
    return f"{first:%b}–{last:%b %Y}"


def attention_frame(projects: pd.DataFrame, today: date) -> pd.DataFrame:
    """Projects rated Red or Amber, or past their target end date and not complete or stopped.

    Adds ``_overdue_days`` (NaN when not overdue) and ``_rag_order``; sorted Red, Amber, then
    other overdue projects, most overdue first.
    """
    import numpy as np
    import pandas as pd

    rag = projects["RAG"].astype("str").str.strip()
    status = projects["Status"].astype("str").str.strip()
    end = projects["Target end date"]
    late = (end < pd.Timestamp(today)).fillna(False) & ~status.isin(CLOSED_STATUSES).fillna(False)
    flagged = rag.isin(ATTENTION_RAGS).fillna(False) | late
    out = projects[flagged.to_numpy(dtype=bool)].copy()
    days = (pd.Timestamp(today) - out["Target end date"]).dt.days.astype("float")
    out["_overdue_days"] = np.where(late[flagged].to_numpy(dtype=bool), days, np.nan)
    order = {r: i for i, r in enumerate(ATTENTION_RAGS)}
    out["_rag_order"] = rag[flagged].map(order).fillna(len(order)).to_numpy()
    return out.sort_values(["_rag_order", "_overdue_days"], ascending=[True, False],
                           kind="mergesort", na_position="last")


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    """``order`` first (as found), then the rest sorted, then "Not known"."""
    found = set(values)
    head = [v for v in order if v in found]
    rest = sorted(found - set(order) - {vocab.NOT_KNOWN})
    return head + rest + ([vocab.NOT_KNOWN] if vocab.NOT_KNOWN in found else [])


def _crosstab(rows: pd.Series, cols: pd.Series, row_order: Sequence[str],
              col_order: Sequence[str]) -> pd.DataFrame:
    """Counts of rows x cols: every listed label (zeros shown), then any other value found,
    then "Not known" for blank cells, so a typo in the register is counted, not dropped."""
    import pandas as pd

    r = rows.astype("str").str.strip().fillna(vocab.NOT_KNOWN).replace("", vocab.NOT_KNOWN)
    c = cols.astype("str").str.strip().fillna(vocab.NOT_KNOWN).replace("", vocab.NOT_KNOWN)
    table = pd.crosstab(r, c) if len(r) else pd.DataFrame(dtype=int)
    r_labels = [*row_order, *[v for v in _ordered(table.index, row_order) if v not in row_order]]
    c_labels = [*col_order, *[v for v in _ordered(table.columns, col_order) if v not in col_order]]
    return table.reindex(index=r_labels, columns=c_labels, fill_value=0).astype(int)


def _count_table(table: pd.DataFrame, label: str, *, title: str = "", note: str = "",
                 landscape: bool = False, total_col: bool = True) -> Table:
    """A crosstab as a Table with a Total column and a bold Total row."""
    rows: list[tuple[object, ...]] = []
    for name in table.index:
        values = [int(v) for v in table.loc[name]]
        rows.append((name, *values, *([sum(values)] if total_col else [])))
    sums = [int(v) for v in table.sum(axis=0)]
    rows.append(("Total", *sums, *([sum(sums)] if total_col else [])))
    columns = (label, *[str(c) for c in table.columns], *(["Total"] if total_col else []))
    return Table(columns=columns, rows=tuple(rows), title=title, note=note,
                 numeric=tuple(range(1, len(columns))), emphasis_rows=(len(rows) - 1,),
                 landscape=landscape, formats=("", *["count"] * (len(columns) - 1)))


# --- LMNS board summary ----------------------------------------------------------------------


def board_summary(register: RegisterDocument, *, title: str = "", author: str = "") -> Report:
    """LMNS board summary of the whole register for the current quarter (GUI and CLI)."""
    from lmns_desktop.reports.build import ReportRequest, build_report

    return build_report(ReportRequest(kind="board", title=title, author=author),
                        register=register)


def board_report(
    request: ReportRequest,
    register: RegisterDocument,
    *,
    profile: Profile | None = None,
    cohort_info: Mapping[str, Any] | None = None,
    today: date,
) -> Report:
    """The LMNS board summary: register overview, coverage, evidence, attention list, equity."""
    start, end = request.period(today)
    view = register_view(register, request.trusts)
    name = register.path.stem if register.path else "unsaved register"
    disclosure = Disclosure(not request.unsuppressed, request.suppression_rule) if profile else None
    report = _report("board", request, f"Register: {name} · {period_text(start, end)}",
                     period=period_text(start, end), disclosure=disclosure)
    projects = view.projects
    cohort = _cohort_name(cohort_info or {}, request.cohort_name)
    if view.unmatched_trusts:
        report.add(Note(f"No project in the register belongs to "
                        f"{_join(list(view.unmatched_trusts))}; check the trust names."))
    if register.projects.empty:
        report.add(
            Heading("Register overview"),
            KeyFigures((("Projects", "0"), ("Active projects", "0"),
                        ("Evidence items in period", "0"), ("People reached in period", "0"))),
            Paragraph("The register has no projects yet, so there is nothing to summarise. Add "
                      "projects on the Register tab (or import an existing register), then "
                      "make the board summary again."),
        )
        if profile is not None:
            _equity_headline(report, profile, cohort, disclosure or Disclosure())
        return report

    _board_overview(report, register, view, start, end, today)
    if projects.empty:
        report.add(Paragraph("No project belongs to the chosen trusts, so the tables are empty."))
    else:
        _board_tables(report, view, today)
        _board_coverage(report, register, projects)
        _board_evidence(report, view, start, end)
    if profile is not None:
        _equity_headline(report, profile, cohort, disclosure or Disclosure())
    return report


def _board_overview(report: Report, register: RegisterDocument, view: RegisterView,
                    start: date, end: date, today: date) -> None:
    from lmns_desktop.core.coverage import active_mask
    from lmns_desktop.core.register_validation import validate

    projects, evidence = view.projects, view.evidence
    active = int(active_mask(projects).sum())
    in_period = _in_period(evidence["Date"], start, end)
    period_ev = evidence[in_period]
    types = period_ev["Type"].astype("str").str.strip()
    people = _people(period_ev["People reached"])
    attention = attention_frame(projects, today)
    n_red = int((attention["RAG"].astype("str").str.strip() == "Red").sum())
    n_amber = int((attention["RAG"].astype("str").str.strip() == "Amber").sum())
    n_late = int(attention["_overdue_days"].notna().sum())

    report.add(
        Heading("Register overview"),
        KeyFigures((
            ("Projects", f"{len(projects):,}"),
            ("Active projects", f"{active:,}"),
            ("Evidence items in period", f"{int(in_period.sum()):,}"),
            ("People reached in period", f"{people:,}"),
        )),
    )
    scope = (f" ({_plural(len(projects), 'project')} for the chosen trusts)"
             if _is_cut(view) else "")
    messages = [
        f"The register holds {_plural(view.all_projects, 'project')}{scope}; "
        f"{active:,} {'is' if active == 1 else 'are'} active (planning, active or sustaining).",
        f"{_plural(len(attention), 'project')} need{'s' if len(attention) == 1 else ''} "
        f"attention: {n_red:,} rated Red, {n_amber:,} rated Amber and {n_late:,} past "
        f"{'its' if n_late == 1 else 'their'} target end date (some may be both).",
        f"From {period_text(start, end)}, {_plural(int(in_period.sum()), 'evidence item')} "
        f"{'was' if int(in_period.sum()) == 1 else 'were'} recorded, including "
        f"{_plural(int((types == OUTREACH).sum()), 'outreach event')} and "
        f"{_plural(int((types == LEARNING).sum()), 'learning event')}, reaching "
        f"{_plural(people, 'person', 'people')}.",
    ]
    gaps = _gap_sentence(_coverage(register, projects), short=True)
    if gaps:
        messages.append(gaps)
    report.add(Heading("Key messages", level=2), *[Paragraph(m) for m in messages])

    rag = projects["RAG"].astype("str").str.strip().fillna(vocab.NOT_KNOWN)
    rag = rag.replace("", vocab.NOT_KNOWN)
    is_active = active_mask(projects)
    order = _ordered(rag, vocab.RAG_RATINGS)
    rows: list[tuple[object, ...]] = [
        (r, int((rag == r).sum()), int(((rag == r).to_numpy() & is_active).sum()))
        for r in order
    ]
    rows.append(("Total", len(projects), active))
    report.add(Table(("RAG rating", "Projects", "Active projects"), tuple(rows),
                     title="Projects by RAG rating", numeric=(1, 2),
                     emphasis_rows=(len(rows) - 1,), formats=("", "count", "count")))
    problems = validate(register)
    if problems:
        report.add(Note(f"Register checks found {_plural(len(problems), 'problem')} (for "
                        f"example: {problems[0].message}). The figures count rows as they are; "
                        "fix the problems on the Register tab."))
    else:
        report.add(Note("Register checks found no problems."))


def _is_cut(view: RegisterView) -> bool:
    """True when the view is a cut of the register (some trusts chosen)."""
    return len(view.projects) != view.all_projects or bool(view.unmatched_trusts)


def _board_tables(report: Report, view: RegisterView, today: date) -> None:
    projects = view.projects
    status = _crosstab(projects["Sub-workstream"], projects["Status"], vocab.SUB_WORKSTREAMS,
                       vocab.PROJECT_STATUSES)
    rag = _crosstab(projects["Sub-workstream"], projects["RAG"], vocab.SUB_WORKSTREAMS,
                    vocab.RAG_RATINGS)
    report.add(
        Heading("Projects by sub-workstream and status"),
        _count_table(status, "Sub-workstream", note=MANAGEMENT_NOTE),
        Heading("Projects by sub-workstream and RAG rating", level=2),
        # landscape like the status table above, so both share one page
        _count_table(rag, "Sub-workstream", landscape=True,
                     note="Blue means complete. Active means status Planning, Active or "
                          "Sustaining."),
    )
    attention = attention_frame(projects, today)
    report.add(Heading("Projects needing attention"))
    if attention.empty:
        report.add(Paragraph("No project is rated Red or Amber or past its target end date."))
        return
    rows = []
    for _, p in attention.iterrows():
        days = p["_overdue_days"]
        trust = _text(p["Trust"])
        rows.append((
            f"{_text(p['ID'])} {_text(p['Title'])}" + (f" ({trust})" if trust else ""),
            _text(p["Lead"]),
            _text(p["RAG"]),
            _text(p["Status"]),
            uk_date(p["Target end date"]),
            None if math.isnan(days) else int(days),
        ))
    report.add(Table(
        ("Project (trust)", "Lead", "RAG", "Status", "Target end date", "Days overdue"),
        tuple(rows), numeric=(5,), landscape=True, formats=("", "", "", "", "", "count"),
        title=f"{_plural(len(rows), 'project')} rated Red or Amber or past the target end date",
        note=f"Overdue: the target end date is before {long_date(today)} and the status is not "
             "Complete or Stopped. Red first, then Amber, then other overdue projects; most "
             "overdue first.",
    ))


def _coverage(register: RegisterDocument, projects: pd.DataFrame) -> pd.DataFrame:
    from lmns_desktop.core.coverage import coverage_matrix

    return coverage_matrix(projects, plus_groups=register.list_values("PLUS_GROUPS"))


def _gap_sentence(matrix: pd.DataFrame, *, short: bool = False, top: int = 4) -> str:
    """The biggest coverage gaps in words: groups with the most sub-workstreams uncovered.

    The ``top`` worst groups are named, and any group tied with the last of them too, so a
    group is never left out of the sentence by the order of the rows alone.
    """
    gaps = matrix == 0
    per_group = gaps.sum(axis=1)
    total = int(gaps.to_numpy().sum())
    if total == 0:
        return ("Every PLUS group and the Core20 has at least one active project in every "
                "sub-workstream.")
    n_cols = matrix.shape[1]
    worst = per_group[per_group > 0].sort_values(ascending=False, kind="mergesort")
    cut = int(worst.iloc[min(top, len(worst)) - 1])
    worst = worst[worst >= cut]
    parts = []
    for group, count in worst.items():
        if short:
            parts.append(f"{group} ({count} of {n_cols})")
        elif count == n_cols:
            parts.append(f"{group} (no active project in any sub-workstream)")
        else:
            missing = [str(c) for c in matrix.columns if gaps.loc[group, c]]
            parts.append(f"{group} ({count} of {n_cols}: {_join(missing)})")
    if short:
        return ("Biggest coverage gaps (sub-workstreams with no active project): "
                f"{'; '.join(parts)}.")
    per_col = gaps.sum(axis=0)
    col = str(per_col.idxmax())
    return (f"{total} of {gaps.size} group and sub-workstream combinations have no active "
            f"project. Biggest gaps: {'; '.join(parts)}. {col} has the most gaps "
            f"({int(per_col.max())} of {matrix.shape[0]} groups).")


def _board_coverage(report: Report, register: RegisterDocument, projects: pd.DataFrame) -> None:
    matrix = _coverage(register, projects)
    records = [{"row": str(g), "column": str(s), "count": int(matrix.loc[g, s])}
               for g in matrix.index for s in matrix.columns]
    rows = tuple((str(g), *[int(v) if v else "gap" for v in matrix.loc[g]]) for g in matrix.index)
    n_gaps = int((matrix == 0).to_numpy().sum())
    report.add(
        Heading("Coverage: PLUS groups and sub-workstreams"),
        Paragraph(_gap_sentence(matrix)),
        Chart("coverage", "Active projects by PLUS group and sub-workstream", records,
              alt_text=f"Heatmap of active projects for {matrix.shape[0]} groups (PLUS groups "
                       f"and the Core20) across the five sub-workstreams; {n_gaps} cells have "
                       "no active project and are marked as gaps.",
              height_in=min(1.6 + 0.27 * matrix.shape[0], 6.0)),
        Table(("Group", *[str(c) for c in matrix.columns]), rows,
              title="Active projects by group and sub-workstream ('gap' = none)",
              numeric=tuple(range(1, matrix.shape[1] + 1)),
              formats=("", *["count"] * matrix.shape[1]),
              note="Active projects (Planning, Active or Sustaining). A project tagged with "
                   "several PLUS groups counts once in each; the Core20 row counts projects "
                   "with a Core20 focus."),
    )


def _board_evidence(report: Report, view: RegisterView, start: date, end: date) -> None:
    import pandas as pd

    evidence = view.evidence
    period = evidence[_in_period(evidence["Date"], start, end)]
    qs = quarters(start, end)
    labels = [quarter_label(a, b) for a, b in qs]
    when = period["Date"]
    q_of = pd.Series(vocab.NOT_KNOWN, index=period.index, dtype="object")
    for (a, b), label in zip(qs, labels, strict=True):
        q_of[_in_period(when, a, b)] = label
    types = period["Type"]
    by_type = _crosstab(types, q_of, vocab.EVIDENCE_TYPES, labels)
    report.add(Heading("Evidence in the period"))
    if period.empty:
        report.add(Paragraph(f"No evidence was recorded from {period_text(start, end)}."))
        return
    report.add(_count_table(by_type, "Evidence type", total_col=len(labels) > 1,
                            title=f"Evidence items by type and quarter, {period_text(start, end)}"))
    t = types.astype("str").str.strip()
    people = pd.to_numeric(period["People reached"], errors="coerce").clip(lower=0)
    rows: list[tuple[object, ...]] = []
    for label in labels:
        here = (q_of == label).to_numpy()
        rows.append((label, int(((t == OUTREACH).to_numpy() & here).sum()),
                     int(((t == LEARNING).to_numpy() & here).sum()), int(here.sum()),
                     _people(people[here])))
    rows.append(("Total", int((t == OUTREACH).sum()), int((t == LEARNING).sum()), len(period),
                 _people(people)))
    report.add(Table(
        ("Quarter", "Outreach events", "Learning events", "All evidence items",
         "People reached"), tuple(rows),
        title="Outreach and learning events and people reached, by quarter",
        numeric=(1, 2, 3, 4), emphasis_rows=(len(rows) - 1,),
        formats=("", "count", "count", "count", "count"),
        note="People reached is the sum over evidence items in the period (the same person may "
             "be counted at more than one event).",
    ))
    totals = by_type.sum(axis=1)
    data = [{"group": str(k), "value": int(v), "label": f"{int(v):,}"} for k, v in totals.items()]
    top = str(totals.idxmax())
    report.add(Chart(
        "bar_ci", f"Evidence items by type, {period_text(start, end)}", data,
        alt_text=f"Bar chart of {len(period):,} evidence items in the period by type; the most "
                 f"common type is {top.lower()} ({int(totals.max()):,}).",
        y_label="Evidence items", orientation="horizontal",
    ))


# --- the equity headline on the board summary ------------------------------------------------


def _cohort_name(info: Mapping[str, Any], name: str = "") -> str:
    return name or str(info.get("source") or "") or "the cohort"


def _equity_headline(report: Report, profile: Profile, name: str, d: Disclosure) -> None:
    """Core20 share, most vs least deprived outcome ratios and the top findings."""
    from lmns_desktop.core.profiling.dimensions import IMD_QUINTILE

    c = profile.core20
    core20 = d.pct(c.count, c.denominator) if c.reason is None else None
    focus = profile.continuity.get("focus_group")
    coc = (d.pct(focus.numerator, focus.denominator)
           if focus is not None and focus.reason is None else None)
    report.add(
        Heading("Cohort equity profile: headline"),
        Paragraph(f"Headline figures from {name} ({_fmt_count(d.count(profile.n_rows))} women). "
                  "The cohort equity profile report has the full tables, charts and methods."),
        KeyFigures((
            ("Women in the cohort", _fmt_count(d.count(profile.n_rows))),
            ("Core20 share", _fmt_pct(core20)),
            ("National Core20 share", f"{c.national_percent:g}%"),
            ("Focus group on continuity of carer", _fmt_pct(coc)),
        )),
    )
    rows: list[tuple[object, ...]] = []
    chart: list[dict[str, Any]] = []
    for outcome in profile.outcomes.values():
        groups = outcome.by_dimension.get(IMD_QUINTILE)
        if not groups:
            continue
        most = next((g for g in groups if g.group == 1), None)
        least = next((g for g in groups if g.is_reference), None)
        if most is None or least is None:
            continue
        hide = d.hidden(most.numerator, most.denominator, least.numerator, least.denominator)
        ratio = None if hide or most.reason else _blank(most.ratio)
        lo, hi = (None, None) if ratio is None else (_blank(most.ratio_ci_low),
                                                     _blank(most.ratio_ci_high))
        rows.append((outcome.label, d.pct(most.numerator, most.denominator, decimals=1),
                     d.pct(least.numerator, least.denominator, decimals=1), ratio, lo, hi))
        chart.append({"group": outcome.label, "value": ratio, "ci_low": lo, "ci_high": hi,
                      **({"label": "*" if hide else "n/a"} if ratio is None else {})})
    if rows:
        report.add(
            Table(("Outcome", "Most deprived quintile %", "Least deprived quintile %", "Ratio",
                   "Ratio CI low", "Ratio CI high"), tuple(rows),
                  title="Outcomes in the most deprived against the least deprived IMD quintile",
                  numeric=(1, 2, 3, 4, 5),
                  formats=("", "percent", "percent", "ratio", "ratio", "ratio"),
                  note="Ratio: the rate in the most deprived quintile divided by the rate in the "
                       "least deprived, with its 95% confidence interval (Katz log method). "
                       "Above 1: more common in the most deprived areas."),
            Chart("bar_ci", "Ratio of outcome rates: most against least deprived quintile",
                  chart, alt_text=_ratio_alt(rows), x_label="", y_label="Ratio (1 = no "
                  "difference)", reference_lines=(ReferenceLine(1.0, "No difference (ratio 1)"),),
                  orientation="horizontal"),
        )
    findings = _top_findings(profile, d)
    if findings:
        report.add(Heading("Top findings", level=2), *[Paragraph(f) for f in findings])
    report.add(Note(d.note))


def _ratio_alt(rows: Sequence[tuple[object, ...]]) -> str:
    shown = [(str(r[0]), r[3]) for r in rows if isinstance(r[3], float)]
    if not shown:
        return "Bar chart of outcome ratios; none could be shown."
    label, value = max(shown, key=lambda x: abs(math.log(x[1])) if x[1] else 0.0)
    return (f"Bar chart of the ratio of each outcome's rate in the most deprived to the least "
            f"deprived quintile, with 95% confidence intervals; the largest difference is "
            f"{label.lower()} (ratio {value:.2f}).")


def _top_findings(profile: Profile, d: Disclosure) -> list[str]:
    """Core20 and continuity findings, then the deprivation gradients (SII), at most eight."""
    every = cohort_findings(profile, d)
    head = [f for f in every if "slope index of inequality" not in f][:3]
    gradients = [f for f in every if "slope index of inequality" in f]
    return (head[:1] + [f for f in head[1:] if "continuity-of-carer" in f] + gradients
            )[:BOARD_FINDINGS]


# --- findings with disclosure control ---------------------------------------------------------


_CAVEAT_COUNTS = re.compile(r"\((a small group: |based on only )([\d,]+)( women| events)")


def cohort_findings(profile: Profile, d: Disclosure) -> list[str]:
    """The profile's plain-English findings, with any count in them under disclosure control."""
    from lmns_desktop.core.profiling.findings import (
        continuity_findings,
        core20_finding,
        findings,
    )
    from lmns_desktop.core.profiling.wording import capitalise

    core = capitalise(core20_finding(profile))
    continuity = {capitalise(s) for s in continuity_findings(profile)}
    out = []
    for sentence in findings(profile):
        if sentence == core:  # recomputed from the rounded numbers, continuity after it
            out += [_core20_sentence(profile, d), *_continuity_sentences(profile, d)]
        elif sentence not in continuity:
            out.append(_CAVEAT_COUNTS.sub(
                lambda m: f"({m.group(1)}{_fmt_count(d.count(int(m.group(2).replace(',', ''))))}"
                          f"{m.group(3)}", sentence))
    return out


def _core20_sentence(profile: Profile, d: Disclosure) -> str:
    c = profile.core20
    if c.reason is not None or not math.isfinite(c.percent):
        return f"The Core20 share cannot be worked out: {c.reason or 'no data'}"
    if d.hidden(c.count, c.denominator):
        return ("The Core20 share is not shown: the numbers are small enough to identify women "
                "(disclosure control).")
    level = f"{profile.confidence * 100:g}%"
    shown = _fmt_pct(d.pct(c.count, c.denominator))
    against = {"higher": "more than", "lower": "fewer than"}.get(c.comparison or "", "similar to")
    return (f"Core20 women (IMD deciles 1–2) are {shown} ({level} CI {c.ci_low:.1f}–"
            f"{c.ci_high:.1f}%) of the {_fmt_count(d.count(c.denominator))} women with a known "
            f"IMD decile, {against} the national {c.national_percent:g}%.")


def _continuity_sentences(profile: Profile, d: Disclosure) -> list[str]:
    out = []
    for key, c in profile.continuity.items():
        if c.reason is not None:
            continue
        who = "of all women" if key == "overall" else "of the Core20PLUS5 maternity focus group"
        if d.hidden(c.numerator, c.denominator):
            out.append(f"The continuity-of-carer share {who} is not shown (small numbers).")
            continue
        out.append(f"{_fmt_pct(d.pct(c.numerator, c.denominator))} ({c.ci_low:.1f}–"
                   f"{c.ci_high:.1f}%) {who} are on a continuity-of-carer pathway: {c.status} "
                   f"of {c.target_percent:g}%.")
    return out


# --- project one-pager -----------------------------------------------------------------------


def project_report(request: ReportRequest, register: RegisterDocument, *, today: date) -> Report:
    """One page per project; with no project ID, every project of the chosen trusts.

    A single project's page carries the project's name as the report title; several projects
    get a list of the projects first, then each project on a new page.
    """
    start, end = request.period(today)
    if request.project_id:
        key = register.find_project(request.project_id)
        if key is None:
            raise UserError(
                f"There is no project with ID '{request.project_id}' in the register. Check the "
                "ID on the Register tab (IDs look like IH-0001) and try again."
            )
        chosen = register.projects.loc[[key]]
    else:
        if register.projects.empty:
            raise UserError("The register has no projects yet, so there are no one-pagers to "
                            "make. Add projects on the Register tab first.")
        chosen = register_view(register, request.trusts).projects
        if chosen.empty:
            raise UserError(
                f"No project belongs to {_join(list(request.trusts))}. Check the trust names, "
                "or leave the trusts empty for every project."
            )
    period = period_text(start, end)
    if len(chosen) == 1:
        row = chosen.iloc[0]
        name = f"{_text(row['ID'])} {_text(row['Title'])}".strip()
        trust = _text(row["Trust"])
        report = _report("project", replace(request, title=request.title or name),
                         TEMPLATES["project"] + (f" · {trust}" if trust else ""),
                         period=period, disclosure=None)
        report.add(*one_pager_blocks(register, row, start, end, heading=bool(request.title)))
        return report
    report = _report("project", replace(request, title=request.title or "Project one-pagers"),
                     f"{_plural(len(chosen), 'project')}, one page each", period=period,
                     disclosure=None)
    rows = tuple((f"{_text(p['ID'])} {_text(p['Title'])}".strip(), _text(p["Lead"]),
                  _text(p["Status"]), _text(p["RAG"]), _blank(_number(p["IHI progress score"])))
                 for _, p in chosen.iterrows())
    report.add(Heading("Projects in this pack"),
               Table(("Project", "Lead", "Status", "RAG", "IHI progress score"), rows,
                     numeric=(4,), formats=("", "", "", "", "decimal"),
                     note="Each project follows on its own page, in this order."))
    for _, row in chosen.iterrows():
        report.add(PageBreak(), *one_pager_blocks(register, row, start, end))
    return report


#: Shorter evidence types for the one-pager's timeline (a narrow column leaves room for titles).
EVIDENCE_SHORT: dict[str, str] = {
    OUTREACH: "Outreach event",
    LEARNING: "Learning event",
    "Service user feedback / co-production (MNVP)": "Service user feedback (MNVP)",
}


def _evidence_title(title: Any, kind: Any) -> str:
    """The title without a leading copy of its type ("Local learning event - ...")."""
    text, kind_text = _text(title), _text(kind)
    if kind_text and text.casefold().startswith(kind_text.casefold()):
        rest = text[len(kind_text):].lstrip(" -–:")
        return rest or text
    return text or kind_text


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def progress_text(score: Any) -> str:
    """"3.0 — Modest improvement" from the IHI/Life QI progress score ("" when blank)."""
    value = _number(score)
    if value is None:
        return _text(score)
    label = vocab.IHI_PROGRESS_SCORES.get(round(value * 2) / 2)
    return f"{value:.1f} — {label}" if label else f"{value:.1f}"


def one_pager_blocks(register: RegisterDocument, project: pd.Series, start: date, end: date, *,
                     heading: bool = True) -> list[Block]:
    """One project's page: key facts, aim, measures with SPC charts, evidence, PDSA, next steps.

    Kept to about one A4 page: short facts in a table, tags in one line of small print, each
    PDSA cycle's prediction and result beside its change idea.
    """
    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.reports.measures import measure_chart

    pid = _text(project["ID"])
    evidence = register.children(rs.SHEET_EVIDENCE, pid).sort_values("Date", kind="mergesort")
    measures = register.children(rs.SHEET_MEASURES, pid)
    pdsa = register.children(rs.SHEET_PDSA, pid).sort_values("Cycle", kind="mergesort")
    blocks: list[Block] = []
    if heading:
        blocks.append(Heading(f"{pid} {_text(project['Title'])}".strip()))
    blocks += [
        KeyFigures((
            ("Status", _text(project["Status"]) or "Not known"),
            ("RAG", _text(project["RAG"]) or "Not known"),
            ("Evidence items", f"{len(evidence):,}"),
            ("People reached", f"{_people(evidence['People reached']):,}"),
        )),
        Paragraph(f"Aim: {_text(project['Aim']) or 'not recorded'}"),
    ]
    coprod = _text(project["Co-production (MNVP)"])
    coprod_note = _text(project["Co-production note"])
    first, last = uk_date(project["Start date"]), uk_date(project["Target end date"])
    dates = f"{first or 'not set'} to {last or 'not set'}" if first or last else ""
    details = [
        ("Sub-workstream", _text(project["Sub-workstream"])),
        ("Groups served (PLUS)", _text(project["PLUS groups"]).replace("\n", "; ")),
        # a single project's page names the trust in its subtitle
        ("Trust", _text(project["Trust"]) if heading else ""),
        ("Lead", _text(project["Lead"])),
        ("Start to target end", dates),
        ("IHI progress score", progress_text(project["IHI progress score"])),
        ("Co-production (MNVP)", f"{coprod} — {coprod_note}" if coprod_note else coprod),
    ]
    short = [(k, v) for k, v in details if v and len(str(v)) <= MAX_CELL_CHARS]
    blocks.append(Table(("Project detail", "Recorded"), tuple(short)))
    blocks += [Paragraph(f"{k}: {v}") for k, v in details if v and len(str(v)) > MAX_CELL_CHARS]
    tags = [(k, _text(project[k])) for k in ("Core20 focus", "Clinical area", "Equity priority",
                                             "Pledge prong")]
    updated = uk_date(project["Last updated"])
    small = [f"{k}: {v}" for k, v in tags if v] + ([f"Last updated: {updated}"] if updated else [])
    if small:
        blocks.append(Note(". ".join(small) + "."))

    stated = [(k, _text(project[f"{k} measures"])) for k in ("Outcome", "Process", "Balancing")]
    blocks.append(Paragraph("Measures — " + ("; ".join(
        f"{k.lower()}: {v}" for k, v in stated if v) or "none stated") + "."))
    names = list(dict.fromkeys(measures["Measure"].dropna().astype("str")))
    if not names:
        blocks.append(Note("No measure values are recorded on the Measures sheet yet."))
    for name in names:
        chart, reading = measure_chart(measures, name)
        if chart is not None:
            blocks.append(replace(chart, height_in=1.8, note=f"Reading: {reading}"))
        else:
            blocks.append(Paragraph(f"{name}: {reading}"))

    if evidence.empty:
        blocks.append(Paragraph("Evidence timeline: no evidence is recorded for this project "
                                "yet."))
    else:
        in_period = _in_period(evidence["Date"], start, end)
        rows = tuple(
            (_evidence_title(e["Title"], e["Type"]), uk_date(e["Date"]),
             EVIDENCE_SHORT.get(_text(e["Type"]), _text(e["Type"])),
             None if _number(e["People reached"]) is None else int(e["People reached"]))
            for _, e in evidence.iterrows()
        )
        blocks.append(Table(
            ("Evidence", "Date", "Type", "People reached"), rows, numeric=(3,),
            formats=("", "", "", "count"),
            title=f"Evidence timeline (oldest first; {int(in_period.sum()):,} in the period)",
        ))

    if pdsa.empty:
        blocks.append(Paragraph("PDSA cycles: none are recorded for this project yet."))
    else:
        rows = []
        for _, c in pdsa.iterrows():
            said = [f"{k.lower()}: {_text(c[k])}" for k in ("Prediction", "Result") if _text(c[k])]
            idea = _text(c["Change idea"]) or "—"
            rows.append((idea + (f" ({'; '.join(said)})" if said else ""),
                         None if _number(c["Cycle"]) is None else int(c["Cycle"]),
                         uk_date(c["Start date"]), uk_date(c["End date"]), _text(c["Decision"])))
        blocks.append(Table(("Change idea (prediction; result)", "Cycle", "Start", "End",
                             "Decision"), tuple(rows), numeric=(1,), title="PDSA cycles"))
    blocks.append(Paragraph(f"Next steps: {_text(project['Next steps']) or 'none recorded'}."
                            .replace("..", ".")))
    return blocks


# --- cohort equity profile -------------------------------------------------------------------


def _group_label(dimension: str, group: Any, reference: bool) -> str:
    from lmns_desktop.core.profiling.dimensions import IMD_DECILE, IMD_QUINTILE

    ref = " (reference)" if reference else ""
    if group == vocab.NOT_KNOWN:
        return {IMD_QUINTILE: "IMD not known", "ethnic_group": "Ethnic group not known"}.get(
            dimension, "Not known")
    if dimension in (IMD_QUINTILE, IMD_DECILE):
        unit = "quintile" if dimension == IMD_QUINTILE else "decile"
        last = 5 if dimension == IMD_QUINTILE else 10
        end = " (most deprived)" if group == 1 else (
            " (least deprived)" if group == last else "")
        if reference and end:
            end = end[:-1] + ", reference)"
            ref = ""
        return f"IMD {unit} {group}{end}{ref}"
    if dimension == "ethnic_category":
        return f"{group} {vocab.ETHNIC_CATEGORIES.get(str(group), '')}".strip() + ref
    return f"{group}{ref}"


def cohort_report(request: ReportRequest, profile: Profile, info: Mapping[str, Any], *,
                  today: date) -> Report:
    """The cohort equity profile: who is in the cohort and how outcomes differ between groups."""
    d = Disclosure(not request.unsuppressed, request.suppression_rule)
    name = _cohort_name(info, request.cohort_name)
    explicit = request.period_start is not None or request.period_end is not None
    period = period_text(*request.period(today)) if explicit else ""
    report = _report("cohort", request, f"{name} · {_fmt_count(d.count(profile.n_rows))} women",
                     period=period, disclosure=d)
    _cohort_source(report, profile, info, d, name)
    _cohort_shares(report, profile, d)
    _cohort_ethnicity(report, profile, d)
    _cohort_outcomes(report, profile, d)
    _cohort_inequality(report, profile, d)
    _cohort_continuity(report, profile, d)
    findings = cohort_findings(profile, d)
    report.add(Heading("Findings"), *[Paragraph(f) for f in findings],
               Note("Differences are stated only where the 95% confidence interval excludes no "
                    "difference; small groups are said aloud. " + d.note))
    _ethnic_categories(report, profile, d)
    _cohort_methods(report, profile, info, d)
    return report


def _cohort_source(report: Report, profile: Profile, info: Mapping[str, Any], d: Disclosure,
                   name: str) -> None:
    c = profile.core20
    report.add(
        Heading("Data source and quality"),
        KeyFigures((
            ("Women profiled", _fmt_count(d.count(profile.n_rows))),
            ("Rows left out", _fmt_count(d.count(profile.n_excluded))),
            ("Core20 share", _fmt_pct(d.pct(c.count, c.denominator)) if c.reason is None
             else "n/a"),
            ("Outcomes profiled", f"{len(profile.outcomes)}"),
        )),
    )
    source = str(info.get("source") or "not recorded")
    facts: list[tuple[str, Any]] = [("Data source", source)]
    if name not in (source, "the cohort"):
        facts.insert(0, ("Cohort", name))
    if info.get("sheet"):
        facts.append(("Sheet", str(info["sheet"])))
    if info.get("rows") is not None:
        facts.append(("Rows read", d.count(int(info["rows"]))))
    facts.append(("Rows profiled", d.count(profile.n_rows)))
    facts.append(("Rows left out", d.count(profile.n_excluded)))
    for reason, rows in profile.excluded_reasons.items():
        facts.append((f"Left out: {reason}", d.count(rows)))
    facts.append(("IMD source (IoD edition)", str(info.get("iod_edition") or "not recorded")))
    if info.get("mapping_name"):
        facts.append(("Mapping profile", str(info["mapping_name"])))
    short = [(k, v) for k, v in facts if len(str(v)) <= MAX_CELL_CHARS and
             len(k) <= MAX_CELL_CHARS]
    report.add(Table(("About the data", "Value"), tuple(short), title="Data source",
                     numeric=(), note=d.note if d.on else ""))
    report.add(*[Paragraph(f"{k}: {d.mask_text(str(v))}") for k, v in facts
                 if (k, v) not in short])
    quality = [str(q) for q in info.get("quality") or ()]
    notes = [*quality, *profile.notes,
             *[f"{vocab.FIELD_LABELS.get(k, k)}: {v}" for k, v in profile.unavailable.items()]]
    report.add(Heading("Data quality", level=2))
    if notes:
        report.add(*[Paragraph(d.mask_text(n)) for n in notes])
    else:
        report.add(Paragraph("No data-quality summary was given with the cohort."))
    for line in info.get("filters") or ():
        report.add(Note(f"Filter: {line}"))
    mapping = dict(info.get("mapping") or {})
    if mapping:
        rows = tuple((vocab.FIELD_LABELS.get(f, f), str(col)) for f, col in mapping.items()
                     if f not in vocab.IDENTIFIER_FIELDS)
        hidden = [f for f in mapping if f in vocab.IDENTIFIER_FIELDS]
        report.add(Table(("Field", "Column in the file"), rows, title="Column mapping used",
                         note=(f"{_plural(len(hidden), 'identifier field')} (not listed) "
                               "were mapped and used in memory only." if hidden else "")))


def _share_rows(d: Disclosure, counts: Sequence[int],
                lows: Sequence[float], highs: Sequence[float], denominator: int,
                labels: Sequence[str]) -> tuple[list[tuple[object, ...]], list[dict[str, Any]]]:
    """Table rows (label, women, %, CI low, CI high) and bar_ci records, under control."""
    rows, records = [], []
    for label, n, lo, hi in zip(labels, counts, lows, highs, strict=True):
        share = d.pct(n, denominator)
        low, high = d.ci(lo, hi, n, denominator)
        rows.append((label, d.count(n), share, low, high))
        value = share if isinstance(share, int | float) else None
        rec: dict[str, Any] = {"group": label, "value": value, "ci_low": low, "ci_high": high}
        if value is None:
            rec["label"] = "*" if share == d.rule.symbol else "n/a"
        records.append(rec)
    return rows, records


SHARE_COLUMNS = ("Group", "Women", "Percent", "CI low", "CI high")
SHARE_FORMATS = ("", "count", "percent", "percent", "percent")


def _cohort_shares(report: Report, profile: Profile, d: Disclosure) -> None:
    from lmns_desktop.core import stats
    from lmns_desktop.core.profiling.dimensions import IMD_QUINTILE

    c = profile.core20
    report.add(Heading("Core20 and PLUS groups"), Paragraph(_core20_sentence(profile, d)))
    quint = profile.breakdowns.get(IMD_QUINTILE)
    if quint is not None and c.reason is None:
        known = [g for g in quint.groups if g.group != vocab.NOT_KNOWN]
        unknown = [g for g in quint.groups if g.group == vocab.NOT_KNOWN]
        den = sum(g.count for g in known)
        core_rows, _ = _share_rows(
            d, [c.count, c.denominator - c.count],
            [c.ci_low, 100 - c.ci_high], [c.ci_high, 100 - c.ci_low], c.denominator,
            ["Core20 (IMD deciles 1–2)", "Not Core20 (deciles 3–10)"])
        core_rows.append(("Women with a known IMD decile", d.count(c.denominator),
                          d.pct(c.denominator, c.denominator), None, None))
        report.add(Table(SHARE_COLUMNS, tuple(core_rows), title="Core20 share",
                         numeric=(1, 2, 3, 4), formats=SHARE_FORMATS,
                         emphasis_rows=(len(core_rows) - 1,),
                         note=f"Percent of women with a known IMD decile (national share "
                              f"{c.national_percent:g}%). Wilson 95% confidence intervals."))
        counts = [g.count for g in known]
        ci = stats.wilson_ci(counts, [den] * len(counts), profile.confidence)
        rows, records = _share_rows(
            d, counts, list(ci.lower), list(ci.upper), den,
            [_group_label(IMD_QUINTILE, g.group, False) for g in known])
        for g in unknown:
            rows.append(("IMD not known", d.count(g.count), None, None, None))
        report.add(
            Table(SHARE_COLUMNS, tuple(rows), title="Women by IMD quintile",
                  numeric=(1, 2, 3, 4), formats=SHARE_FORMATS,
                  note="Percent of women with a known IMD decile; nationally each quintile "
                       "holds 20% of the population. Quintile 1 is the Core20."),
            Chart("bar_ci", "Women by IMD quintile against the national 20%",
                  [{**r, "group": f"Q{i + 1}"} for i, r in enumerate(records)],
                  alt_text=f"Bar chart of the share of women in each IMD quintile with 95% "
                           f"confidence intervals and a line at the national 20%; quintile 1 "
                           f"(the Core20) is {_fmt_pct(rows[0][2])}.",
                  y_label="Women with a known IMD decile (%)", x_label="IMD quintile "
                  "(Q1 = most deprived, the Core20)", percent=True, width="half",
                  orientation="vertical",
                  reference_lines=(ReferenceLine(c.national_percent,
                                                 f"National share {c.national_percent:g}%"),)),
        )
    flags = [f for f in vocab.PLUS_FLAG_FIELDS if f in profile.breakdowns]
    if not flags:
        report.add(Paragraph("The cohort has no PLUS group flags (such as homelessness or "
                             "interpreter needed), so PLUS shares cannot be shown."))
        return
    labels, counts, lows, highs, unknown_counts = [], [], [], [], []
    for f in flags:
        b = profile.breakdowns[f]
        yes = next((g for g in b.groups if g.group == "Yes"), None)
        nk = next((g for g in b.groups if g.group == vocab.NOT_KNOWN), None)
        labels.append(vocab.FIELD_LABELS.get(f, f))
        counts.append(yes.count if yes else 0)
        lows.append(yes.ci_low if yes else 0.0)
        highs.append(yes.ci_high if yes else math.nan)
        unknown_counts.append(nk.count if nk else 0)
    rows, records = _share_rows(d, counts, lows, highs, profile.n_rows, labels)
    rows = [(*r, d.count(u)) for r, u in zip(rows, unknown_counts, strict=True)]
    report.add(
        Chart("bar_ci", "PLUS groups: share of women flagged", records,
              alt_text="Bar chart of the share of women with each PLUS flag, with 95% "
                       "confidence intervals.",
              y_label="Women flagged (%)", percent=True, width="half"),
        Table(("PLUS flag", "Women flagged", "Percent", "CI low", "CI high", "Not known"),
              tuple(rows), title="PLUS groups", numeric=(1, 2, 3, 4, 5),
              formats=("", "count", "percent", "percent", "percent", "count"),
              note="Percent of all women profiled (women whose flag is not known count in the "
                   "denominator). " + d.note),
    )


def _cohort_ethnicity(report: Report, profile: Profile, d: Disclosure) -> None:
    report.add(Heading("Ethnic groups"))
    group = profile.breakdowns.get("ethnic_group")
    if group is None:
        report.add(Paragraph("The cohort has no ethnic category column, so ethnic groups "
                             "cannot be shown."))
        return
    labels = [_group_label("ethnic_group", g.group, False) for g in group.groups]
    rows, records = _share_rows(d, [g.count for g in group.groups],
                                [g.ci_low for g in group.groups],
                                [g.ci_high for g in group.groups], profile.n_rows, labels)
    biggest = max(group.groups, key=lambda g: g.count)
    report.add(
        Chart("bar_ci", "Women by ethnic group", records,
              alt_text=f"Bar chart of the share of women in each ethnic group with 95% "
                       f"confidence intervals; the largest group is {biggest.group}.",
              y_label="Women (%)", percent=True, orientation="horizontal"),
        Table(SHARE_COLUMNS, tuple(rows), title="Women by ethnic group", numeric=(1, 2, 3, 4),
              formats=SHARE_FORMATS,
              note="Percent of all women profiled. 'Not known' holds not stated (Z), not known "
                   "(99) and blank ethnic categories; they are reported, never dropped. "
                   + d.note),
    )


def _ethnic_categories(report: Report, profile: Profile, d: Disclosure) -> None:
    """The 18 NHS ethnic categories: detail for the appendix (a long table)."""
    category = profile.breakdowns.get("ethnic_category")
    if category is None:
        return
    rows, _ = _share_rows(d, [g.count for g in category.groups],
                          [g.ci_low for g in category.groups],
                          [g.ci_high for g in category.groups], profile.n_rows,
                          [_group_label("ethnic_category", g.group, False)
                           for g in category.groups])
    report.add(Heading("Appendix: women by NHS ethnic category"),
               Table(SHARE_COLUMNS, tuple(rows), numeric=(1, 2, 3, 4), formats=SHARE_FORMATS,
                     note="Percent of all women profiled. Z (not stated) and 99 (not known) "
                          "are their own groups here. " + d.note))


OUTCOME_COLUMNS = ("Group", "Women (known outcome)", "With outcome", "Rate %", "Rate CI low",
                   "Rate CI high", "Ratio", "Ratio CI low", "Ratio CI high")
OUTCOME_FORMATS = ("", "count", "count", "percent", "percent", "percent", "ratio", "ratio",
                   "ratio")


def _outcome_rows(d: Disclosure, dimension: str, groups: Sequence[OutcomeGroup]
                  ) -> tuple[list[tuple[object, ...]], list[dict[str, Any]]]:
    """Table rows and chart records for one outcome in one dimension, under control."""
    ref = next((g for g in groups if g.is_reference), None)
    ref_hidden = ref is not None and d.hidden(ref.numerator, ref.denominator)
    rows, records = [], []
    for g in groups:
        hidden = d.hidden(g.numerator, g.denominator)
        rate = d.pct(g.numerator, g.denominator, decimals=1) if g.denominator else None
        lo, hi = d.ci(g.ci_low, g.ci_high, g.numerator, g.denominator)
        if g.is_reference:
            ratio, r_lo, r_hi = (None if hidden else 1.0), None, None
        elif hidden or ref_hidden or g.reason is not None:
            ratio, r_lo, r_hi = None, None, None
        else:
            ratio, r_lo, r_hi = _blank(g.ratio), _blank(g.ratio_ci_low), _blank(g.ratio_ci_high)
        label = _group_label(dimension, g.group, g.is_reference)
        rows.append((label, d.count(g.denominator), d.count(g.numerator), rate, lo, hi, ratio,
                     r_lo, r_hi))
        value = rate if isinstance(rate, int | float) else None
        rec: dict[str, Any] = {"group": g.group, "value": value, "ci_low": lo, "ci_high": hi}
        if value is None:
            rec["label"] = "*" if hidden else "n/a"
        records.append(rec)
    return rows, records


def _fit_line(profile: Profile, groups: Sequence[OutcomeGroup]) -> tuple[float, float] | None:
    """The fitted SII line (intercept, slope) for the gradient chart, or None if not computable.

    The profile keeps only the SII and its limits; the line needs the intercept too, so the
    point estimate is refitted from the same counts (it does not depend on the simulation).
    """
    import warnings

    import numpy as np

    from lmns_desktop.core import stats
    from lmns_desktop.reports.charts import fit_from_sii

    known = [g for g in groups if g.group != vocab.NOT_KNOWN]
    if len(known) < 5 or any(g.denominator == 0 for g in known):
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = stats.sii_from_counts(
                [float(g.group) for g in known], [g.numerator for g in known],
                [g.denominator for g in known], multiplier=100,
                confidence=(profile.confidence,), reps=1000, seed=profile.options.sii_seed)
    except (ValueError, np.linalg.LinAlgError):
        return None
    return fit_from_sii(result)


def _signed(value: float) -> str:
    """+1.2 / −0.4; two decimals where one would print a non-zero value as 0.0."""
    places = 2 if value and abs(value) < 0.05 else 1
    return f"{value:+.{places}f}".replace("-", "−")


def _sii_text(index: Any, level: str) -> str:
    if index is None:
        return ""
    if index.reason is not None or not math.isfinite(index.value):
        return index.reason or "Not computable."
    return (f"SII {_signed(index.value)} percentage points ({level} CI "
            f"{_signed(index.ci_low)} to {_signed(index.ci_high)})")


def _cohort_outcomes(report: Report, profile: Profile, d: Disclosure) -> None:
    from lmns_desktop.core.profiling.dimensions import ETHNIC_GROUP, IMD_QUINTILE

    # each outcome fills most of a page: start each on its own, the first after the intro
    report.add(PageBreak(), Heading("Outcome gaps by deprivation and ethnicity"))
    if not profile.outcomes:
        report.add(Paragraph("The cohort has no outcome columns (such as preterm birth or "
                             "continuity of carer), so no outcome gaps can be shown. Map the "
                             "outcome columns when importing the cohort to see them."))
        return
    level = f"{profile.confidence * 100:g}%"
    report.add(Paragraph(
        "For each outcome: the rate by IMD quintile with the fitted slope index of inequality "
        "(SII) line, the rate by ethnic group, and each group's ratio to the reference group "
        "(the least deprived quintile; White) with its confidence interval. A ratio above 1 "
        "means the outcome is more common than in the reference group."))
    for i, outcome in enumerate(profile.outcomes.values()):
        if i:
            report.add(PageBreak())
        _outcome_section(report, profile, outcome, d, level, IMD_QUINTILE, ETHNIC_GROUP)


def _outcome_section(report: Report, profile: Profile, outcome: OutcomeProfile, d: Disclosure,
                     level: str, imd: str, eth: str) -> None:
    overall = d.pct(outcome.numerator, outcome.denominator, decimals=1)
    lo, hi = d.ci(outcome.ci_low, outcome.ci_high, outcome.numerator, outcome.denominator)
    ci = f" ({level} CI {lo:.1f}–{hi:.1f}%)" if lo is not None and hi is not None else ""
    sii = outcome.sii.get(imd)
    text = (f"Overall {_fmt_pct(overall)}{ci} of {_fmt_count(d.count(outcome.denominator))} "
            f"women with a known outcome.")
    if sii is not None:
        text += f" Across IMD quintiles: {_sii_text(sii, level).rstrip('.')}."
    report.add(Heading(outcome.label, level=2), Paragraph(text))
    charts: list[Block] = []
    tables: list[tuple[object, ...]] = []
    if imd in outcome.by_dimension:
        rows, records = _outcome_rows(d, imd, outcome.by_dimension[imd])
        tables += rows
        fit = _fit_line(profile, outcome.by_dimension[imd]) if sii and sii.reason is None \
            else None
        data = [{"quantile": r["group"], "value": r["value"], "ci_low": r["ci_low"],
                 "ci_high": r["ci_high"],
                 "population": d.count(g.denominator) if isinstance(
                     d.count(g.denominator), int) else None}
                for r, g in zip(records, outcome.by_dimension[imd], strict=True)
                if r["group"] != vocab.NOT_KNOWN]
        charts.append(Chart(
            "gradient", f"{outcome.label} by IMD quintile", data,
            alt_text=f"{outcome.label} by IMD quintile (1 = most deprived) with 95% "
                     f"confidence intervals" + (f" and the fitted SII line: "
                                                f"{_sii_text(sii, level)}." if fit else "."),
            y_label=f"{outcome.label} (%)", percent=True, width="half", fit=fit,
            fit_label=_sii_text(sii, level).split(" (")[0] if fit else ""))
    if eth in outcome.by_dimension:
        rows, records = _outcome_rows(d, eth, outcome.by_dimension[eth])
        tables += rows
        charts.append(Chart(
            "bar_ci", f"{outcome.label} by ethnic group",
            [{**r, "group": _short_ethnic(str(r["group"]))} for r in records],
            alt_text=f"Bar chart of {outcome.label.lower()} by ethnic group with 95% "
                     "confidence intervals.",
            y_label=f"{outcome.label} (%)", percent=True, width="half",
            orientation="horizontal"))
    report.add(*charts)
    if tables:
        report.add(Table(OUTCOME_COLUMNS, tuple(tables),
                         title=f"{outcome.label}: rates and ratios by group",
                         numeric=tuple(range(1, 9)), formats=OUTCOME_FORMATS))


def _short_ethnic(group: str) -> str:
    return {"Asian or Asian British": "Asian", "Black or Black British": "Black",
            "Other ethnic group": "Other"}.get(group, group)


def _cohort_inequality(report: Report, profile: Profile, d: Disclosure) -> None:
    from lmns_desktop.core.profiling.dimensions import IMD_QUINTILE

    if not profile.outcomes:
        return
    level = f"{profile.confidence * 100:g}%"
    report.add(PageBreak(), Heading("Inequality across deprivation"))
    dots: list[dict[str, Any]] = []
    for outcome in profile.outcomes.values():
        for g in outcome.by_dimension.get(IMD_QUINTILE, ()):
            if g.group == vocab.NOT_KNOWN:
                continue
            rate = d.pct(g.numerator, g.denominator, decimals=1)
            dots.append({"outcome": outcome.label, "group": _quintile_name(g.group),
                         "value": rate if isinstance(rate, int | float) else None})
    if dots:
        top = {}
        for rec in dots:
            if rec["value"] is not None:
                top[rec["outcome"]] = max(top.get(rec["outcome"], 0.0), rec["value"])
        common = [o for o, v in top.items() if v >= 15]
        rare = [o for o in dict.fromkeys(r["outcome"] for r in dots) if o not in common]
        for names, title in ((rare, "Less common outcomes (under 15%)"),
                             (common, "More common outcomes")):
            if names:
                recs = [r for r in dots if r["outcome"] in names]
                report.add(Chart(
                    "equiplot", f"{title} by IMD quintile", recs,
                    alt_text=f"Dot plot of {len(names)} outcomes, one dot per IMD quintile; "
                             "the wider the spread of dots on a line, the bigger the gap.",
                    y_label="Rate (%)", percent=True))
    rows = []
    for outcome in profile.outcomes.values():
        sii, rii = outcome.sii.get(IMD_QUINTILE), outcome.rii.get(IMD_QUINTILE)
        if sii is None or rii is None:
            continue
        ok = sii.reason is None and math.isfinite(sii.value)
        if not ok:
            gradient = "Not computable"
        elif sii.ci_low > 0 or sii.ci_high < 0:
            gradient = "Higher: least deprived" if sii.value > 0 else "Higher: most deprived"
        else:
            gradient = "No clear gradient"
        rows.append((outcome.label, _blank(sii.value), _blank(sii.ci_low), _blank(sii.ci_high),
                     _blank(rii.value), _blank(rii.ci_low), _blank(rii.ci_high), gradient))
    if rows:
        report.add(Table(
            ("Outcome", "SII (points)", "SII CI low", "SII CI high", "RII", "RII CI low",
             "RII CI high", "Gradient"), tuple(rows),
            title="Slope and relative index of inequality across IMD quintiles",
            numeric=(1, 2, 3, 4, 5, 6),
            formats=("", "decimal", "decimal", "decimal", "ratio", "ratio", "ratio", ""),
            note=f"SII: the fitted difference in percentage points between the least and the "
                 f"most deprived ends (negative: higher in the most deprived areas). RII: their "
                 f"ratio. {level} confidence intervals by simulation "
                 f"({profile.options.sii_reps:,} repetitions). Confidence intervals and "
                 "regression results are complex calculations that need no disclosure control."))
        reasons = {r[0]: r for r in rows if r[-1] == "Not computable"}
        for label in reasons:
            outcome = next(o for o in profile.outcomes.values() if o.label == label)
            index = outcome.sii.get(IMD_QUINTILE)
            if index is not None and index.reason:
                report.add(Note(f"{label}: {index.reason}"))


def _quintile_name(group: Any) -> str:
    return {1: "Q1 most deprived", 5: "Q5 least deprived"}.get(group, f"Q{group}")


def _cohort_continuity(report: Report, profile: Profile, d: Disclosure) -> None:
    from lmns_desktop.core.profiling.dimensions import IMD_QUINTILE

    report.add(Heading("Continuity of carer"))
    usable = [c for c in profile.continuity.values() if c.reason is None]
    if not usable:
        reason = next(iter(profile.continuity.values())).reason if profile.continuity else ""
        report.add(Paragraph(f"Continuity of carer cannot be shown. {reason or ''}".strip()))
        return
    target = usable[0].target_percent
    rows, records = [], []
    for c in usable:
        share = d.pct(c.numerator, c.denominator)
        lo, hi = d.ci(c.ci_low, c.ci_high, c.numerator, c.denominator)
        rows.append((c.group, d.count(c.numerator), d.count(c.denominator), share, lo, hi,
                     c.status if not d.hidden(c.numerator, c.denominator) else "*"))
        value = share if isinstance(share, int | float) else None
        records.append({"group": c.group, "value": value, "ci_low": lo, "ci_high": hi,
                        **({"label": "*"} if value is None else {})})
    target_line = (ReferenceLine(target, f"Target {target:g}%"),)
    report.add(
        Paragraph(" ".join(_continuity_sentences(profile, d))),
        Chart("bar_ci", f"Continuity of carer against the {target:g}% target", records,
              alt_text=f"Bar chart of the share of women on a continuity-of-carer pathway, all "
                       f"women and the focus group, with 95% confidence intervals and a line "
                       f"at the {target:g}% target.",
              y_label="Women on a continuity pathway (%)", percent=True, width="half",
              orientation="vertical", reference_lines=target_line),
    )
    outcome = profile.outcomes.get(CONTINUITY)
    by_imd = outcome.by_dimension.get(IMD_QUINTILE) if outcome is not None else None
    if by_imd:
        _, recs = _outcome_rows(d, IMD_QUINTILE, by_imd)
        recs = [{**r, "group": f"Q{r['group']}"} for r in recs if r["group"] != vocab.NOT_KNOWN]
        report.add(Chart(
            "bar_ci", "Continuity of carer by IMD quintile", recs,
            alt_text=f"Bar chart of the share of women on a continuity-of-carer pathway in each "
                     f"IMD quintile (Q1 = most deprived) with 95% confidence intervals and a "
                     f"line at the {target:g}% target.",
            y_label="Women on a continuity pathway (%)", x_label="IMD quintile (Q1 = most "
            "deprived)", percent=True, width="half", orientation="vertical",
            reference_lines=target_line))
    report.add(
        Table(("Group", "On pathway", "Women (known)", "Percent", "CI low", "CI high",
               "Against target"), tuple(rows), title="Continuity of carer",
              numeric=(1, 2, 3, 4, 5),
              formats=("", "count", "count", "percent", "percent", "percent", ""),
              note=f"The focus group is the Core20PLUS5 maternity focus: women in the Core20 or "
                   f"of Black, Asian or Mixed ethnicity. Target {target:g}% (a setting). "
                   "Original Core20PLUS5 wording used the most deprived decile; the Core20 is "
                   "the most deprived quintile."),
    )


def _cohort_methods(report: Report, profile: Profile, info: Mapping[str, Any],
                    d: Disclosure) -> None:
    level = f"{profile.confidence * 100:g}%"
    edition = info.get("iod_edition") or "not recorded with the cohort"
    o = profile.options
    report.add(
        PageBreak(),
        Heading("Methods and caveats"),
        Paragraph(f"Proportions (shares of women and outcome rates) have {level} confidence "
                  "intervals by the Wilson score method, the OHID/PHE standard; it stays within "
                  "0–100% even for 0 or all events."),
        Paragraph("Counts and crude rates per 1,000 (where shown) use Byar's method, with exact "
                  "Poisson limits when there are fewer than 10 events."),
        Paragraph("Ratios compare each group with its reference group (the least deprived IMD "
                  "quintile; White; 'No' for a PLUS flag). Risk ratios of two proportions have "
                  "Katz log-method intervals, SE(ln RR) = √(1/a − 1/n₁ + 1/b − 1/n₀); ratios of "
                  "two rates use SE = √(1/a + 1/b). A ratio is not computable when either "
                  "group has no events; 'Not known' groups are reported but not compared."),
        Paragraph(f"The slope index of inequality (SII) and relative index of inequality (RII) "
                  f"follow the PHE method (Low and Low, 2004): each IMD quintile is placed at "
                  f"the midpoint of its cumulative share of women, rates are fitted by least "
                  f"squares weighted by those shares, and the SII is the fitted difference "
                  f"between the least and the most deprived ends. Limits come from "
                  f"{o.sii_reps:,} seeded simulations on the logit scale."),
        Paragraph(f"Small numbers: groups with fewer than {o.small_number_threshold} women with "
                  "a known outcome, or fewer events, are flagged in the findings; their rates "
                  "and ratios are uncertain, and wide confidence intervals say so."),
        Paragraph("Disclosure control: " + (
            f"{d.rule.note} Rates, confidence intervals and ratios resting on a hidden count "
            "are left blank. Confidence intervals and regression results (SII/RII) are "
            "complex calculations and are shown as computed." if d.on else
            "switched off for this report, so exact counts including small numbers are shown. "
            "Unsuppressed — internal use only.")),
        Paragraph(f"Deprivation: English Indices of Deprivation, national IMD deciles (1 = most "
                  f"deprived 10% of areas); the Core20 is deciles 1–2 and quintiles pair "
                  f"deciles (1–2, 3–4, …). IMD source for this cohort: {edition}. IoD2019 "
                  "uses 2011 LSOAs and IoD2025 uses 2021 LSOAs; editions are not mixed."),
        Paragraph("Denominators: a breakdown's percent is of all women profiled (women whose "
                  "value is not known are included and shown as 'Not known'); the Core20 "
                  "share is of women with a known IMD decile; an outcome's rate in a group is "
                  "of that group's women whose outcome is known (yes or no)."),
    )
