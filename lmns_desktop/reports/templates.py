"""Report templates: functions that build a :class:`Report` from register and profile data."""

from __future__ import annotations

from datetime import datetime

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.register_store import Register
from lmns_desktop.reports.content import Heading, KeyFigures, Note, Paragraph, Report, Table

TEMPLATES: dict[str, str] = {
    "board": "LMNS board summary",
    "project": "Project one-pager",
    "cohort": "Cohort equity profile",
}
TEMPLATE_DESCRIPTIONS: dict[str, str] = {
    "board": "Register overview for the LMNS board: projects by sub-workstream and status.",
    "project": "One page per project: aim, groups served, evidence and measures.",
    "cohort": "Who the cohort is and how outcomes differ by deprivation and ethnicity.",
}


def board_summary(register: Register, *, title: str = "", author: str = "") -> Report:
    """LMNS board summary: register counts by sub-workstream and status."""
    import pandas as pd

    projects = register.projects
    name = register.path.stem if register.path else "register"
    report = Report(
        kind="board",
        title=title or TEMPLATES["board"],
        subtitle=f"Register: {name} · generated {datetime.now():%d/%m/%Y}",
        author=author,
    )
    status_col, stream_col = "Status", "Sub-workstream"
    active = projects[status_col].isin(vocab.ACTIVE_STATUSES).sum() if len(projects) else 0
    report.add(
        Heading("Register overview"),
        KeyFigures(
            (
                ("Projects", f"{len(projects):,}"),
                ("Active projects", f"{int(active):,}"),
                ("Evidence items", f"{len(register.evidence):,}"),
                ("Measures recorded", f"{register.measures['Measure'].nunique() if len(register.measures) else 0:,}"),
            )
        ),
    )
    if projects.empty:
        report.add(Paragraph("The register has no projects yet."))
        return report

    streams = [s for s in vocab.SUB_WORKSTREAMS]
    extra_streams = sorted(set(projects[stream_col].dropna().astype(str)) - set(streams))
    statuses = list(vocab.PROJECT_STATUSES)
    extra_status = sorted(set(projects[status_col].dropna().astype(str)) - set(statuses))
    table = pd.crosstab(
        projects[stream_col].fillna(vocab.NOT_KNOWN).astype(str),
        projects[status_col].fillna(vocab.NOT_KNOWN).astype(str),
    )
    row_order = streams + extra_streams + ([vocab.NOT_KNOWN] if vocab.NOT_KNOWN in table.index else [])
    col_order = statuses + extra_status + ([vocab.NOT_KNOWN] if vocab.NOT_KNOWN in table.columns else [])
    table = table.reindex(index=row_order, columns=col_order, fill_value=0)
    rows = [
        (stream, *(int(v) for v in table.loc[stream]), int(table.loc[stream].sum()))
        for stream in table.index
    ]
    rows.append(("Total", *(int(v) for v in table.sum(axis=0)), int(table.to_numpy().sum())))
    report.add(
        Heading("Projects by sub-workstream and status"),
        Table(
            columns=("Sub-workstream", *table.columns, "Total"),
            rows=tuple(rows),
            numeric=tuple(range(1, len(table.columns) + 2)),
            emphasis_rows=(len(rows) - 1,),
            note="Counts of projects in the register; management information, not published statistics.",
        ),
    )
    rag = projects["RAG"].fillna(vocab.NOT_KNOWN).astype(str).value_counts()
    rag_order = [r for r in vocab.RAG_RATINGS if r in rag.index] + sorted(
        set(rag.index) - set(vocab.RAG_RATINGS)
    )
    report.add(
        Heading("Projects by RAG rating", level=2),
        Table(
            columns=("RAG", "Projects"),
            rows=tuple((r, int(rag[r])) for r in rag_order),
            numeric=(1,),
        ),
        Note(
            f"Active means status {', '.join(sorted(vocab.ACTIVE_STATUSES))}. "
            f"Source: {register.path.name if register.path else 'unsaved register'}, sheet {rs.SHEET_PROJECTS}."
        ),
    )
    return report
