"""Import an existing register from any workbook layout through column mapping.

Why: most LMNSs already keep a tracker spreadsheet with their own headings. The user picks the
sheet and header row, checks the suggested column mapping, previews, and imports; columns that
are not mapped are kept as extra columns, values are tidied (dates, list labels, yes/no) and
every remaining problem is reported against the row of the original sheet.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_model import (
    RegisterDocument,
    build_frame,
    next_project_id,
    parse_date_text,
)
from lmns_desktop.core.register_validation import Problem, validate

MIN_CONFIDENCE = 0.6
CSV_SHEET = "CSV"

#: Other names seen for the register's columns in trackers (compared after normalising).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    rs.SHEET_PROJECTS: {
        "ID": (
            "project id",
            "ref",
            "reference",
            "project ref",
            "project number",
            "no",
            "id number",
        ),
        "Title": ("project title", "project name", "name", "project", "initiative", "scheme"),
        "Aim": ("aim statement", "aims", "objective", "objectives", "purpose", "goal"),
        "Sub-workstream": ("workstream", "sub workstream", "work stream", "theme", "stream"),
        "PLUS groups": (
            "plus group",
            "population group",
            "population groups",
            "target group",
            "target groups",
            "groups",
            "population",
            "inclusion groups",
        ),
        "Core20 focus": ("core20", "core 20", "core20 plus", "deprivation focus", "most deprived"),
        "Clinical area": ("clinical focus", "area", "specialty", "service area"),
        "Trust": ("organisation", "organization", "provider", "trust name", "hospital", "site"),
        "Lead": ("project lead", "owner", "lead name", "responsible", "contact", "led by"),
        "Status": ("project status", "stage", "phase", "state"),
        "RAG": ("rag rating", "rag status", "rating", "red amber green"),
        "Start date": ("start", "date started", "commenced", "begin date", "from"),
        "Target end date": (
            "end date",
            "target date",
            "due date",
            "completion date",
            "end",
            "deadline",
        ),
        "Outcome measures": ("outcome measure", "outcomes", "outcome"),
        "Process measures": ("process measure", "process"),
        "Balancing measures": ("balancing measure", "balancing"),
        "Co-production (MNVP)": (
            "co production",
            "coproduction",
            "mnvp",
            "mvp",
            "co produced",
            "service user involvement",
        ),
        "Co-production note": ("co production notes", "mnvp notes", "coproduction details"),
        "IHI progress score": ("ihi score", "progress score", "life qi score", "score"),
        "Equity priority": ("priority", "equity priorities", "health inequalities priority"),
        "Pledge prong": ("pledge", "prong", "pledge 1 prong"),
        "Next steps": ("next actions", "actions", "next step", "action"),
        "Last updated": ("updated", "date updated", "last update", "modified"),
        "Notes": ("comments", "comment", "note", "remarks", "update", "progress notes"),
    },
    rs.SHEET_EVIDENCE: {
        "ID": ("evidence id", "ref", "reference"),
        "Project ID": ("project", "project ref", "project reference"),
        "Type": ("evidence type", "activity type", "kind"),
        "Date": ("event date", "date of event", "when"),
        "Title": ("event", "activity", "name"),
        "People reached": ("attendees", "attendance", "number reached", "participants", "reach"),
        "Groups reached": ("groups", "plus groups", "population groups"),
        "Summary": ("description", "details", "notes"),
        "Link": ("url", "evidence link", "file", "location"),
    },
    rs.SHEET_MEASURES: {
        "Project ID": ("project", "project ref"),
        "Measure": ("measure name", "indicator", "metric"),
        "Period": ("month", "date", "period start"),
        "Value": ("rate", "percentage", "result"),
        "Numerator": ("count", "num"),
        "Denominator": ("total", "den", "denom"),
        "Improvement direction": ("direction", "polarity"),
    },
    rs.SHEET_PDSA: {
        "Project ID": ("project",),
        "Cycle": ("cycle number", "pdsa cycle", "pdsa"),
        "Change idea": ("change", "idea"),
        "Prediction": ("predictions", "hypothesis"),
        "Start date": ("start",),
        "End date": ("end",),
        "Result": ("results", "outcome", "study"),
        "Decision": ("act", "adopt adapt abandon"),
    },
}

#: Tracker spellings of list values, mapped to the register's labels.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "PROJECT_STATUSES": {
        "on hold": "Paused",
        "hold": "Paused",
        "paused": "Paused",
        "completed": "Complete",
        "closed": "Complete",
        "done": "Complete",
        "finished": "Complete",
        "in progress": "Active",
        "live": "Active",
        "ongoing": "Active",
        "open": "Active",
        "implementation": "Active",
        "not started": "Idea",
        "proposed": "Idea",
        "proposal": "Idea",
        "planned": "Planning",
        "scoping": "Planning",
        "abandoned": "Stopped",
        "cancelled": "Stopped",
        "canceled": "Stopped",
        "embedded": "Sustaining",
        "sustain": "Sustaining",
        "business as usual": "Sustaining",
        "bau": "Sustaining",
    },
    "RAG_RATINGS": {
        "r": "Red",
        "a": "Amber",
        "g": "Green",
        "b": "Blue",
        "complete": "Blue",
        "amber/red": "Amber",
        "amber/green": "Amber",
    },
    "PDSA_DECISIONS": {"adopted": "Adopt", "adapted": "Adapt", "abandoned": "Abandon"},
}


@dataclass(frozen=True)
class Suggestion:
    """A suggested register column for a source column; ``confidence`` is 0-1."""

    target: str | None
    confidence: float


@dataclass
class ImportReport:
    """What an import did: mapped, kept as extra columns, tidied, and what still needs fixing."""

    source_sheet: str
    header_row: int
    rows_imported: int = 0
    mapped: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    ids_assigned: int = 0
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def problem_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    def summary(self) -> list[str]:
        """The report as sentences for the import dialog."""
        lines = [f"{self.rows_imported} rows imported from '{self.source_sheet}'."]
        lines.append(f"{len(self.mapped)} columns mapped to register columns.")
        if self.ignored:
            lines.append(
                f"{len(self.ignored)} columns kept as extra columns: "
                + ", ".join(self.ignored)
                + "."
            )
        if self.missing_required:
            lines.append("Required columns not mapped: " + ", ".join(self.missing_required) + ".")
        if self.ids_assigned:
            lines.append(f"{self.ids_assigned} rows had no ID and were given new IDs.")
        lines.extend(self.changed)
        if self.problems:
            lines.append(f"{len(self.problem_rows)} rows have problems to fix (listed below).")
        return lines


# --- reading any workbook ------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    frame = pd.read_csv(
        io.StringIO(text),
        header=None,
        dtype=object,
        keep_default_na=False,
        sep=None,
        engine="python",
    )
    return frame.to_numpy(dtype=object).tolist()


def _book(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    path = Path(path)
    if not path.exists():
        raise UserError(f"{path.name} was not found. Check the folder and try again.")
    try:
        data = path.read_bytes()  # read once: no handle left open that would block Excel
    except OSError as exc:
        raise UserError(f"{path.name} could not be read ({exc.strerror}).") from exc
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and "EncryptedPackage".encode(
        "utf-16-le"
    ) in data:
        raise UserError(
            f"{path.name} is protected with a password. Remove the password in Excel, save it, "
            "and import it again."
        )
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's own error types
        raise UserError(
            f"{path.name} could not be read as a spreadsheet (xlsx, xlsm, xls, ods or csv). "
            "Check that it is not damaged and try again."
        ) from exc


def list_sheets(path: Path) -> list[str]:
    """The workbook's sheet names (a CSV file has one, called "CSV")."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return [CSV_SHEET]
    return list(_book(path).sheet_names)


def read_grid(path: Path, sheet: str, max_rows: int | None = None) -> list[list[Any]]:
    """A sheet's cells as rows (blank cells are None), from A1."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        grid = _read_csv(path)
    else:
        book = _book(path)
        if sheet not in book.sheet_names:
            raise UserError(f"{path.name} has no sheet called '{sheet}'.")
        try:
            grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise UserError(f"The sheet '{sheet}' of {path.name} could not be read.") from exc
    grid = [
        [None if v == "" else v for v in row] for row in (grid[:max_rows] if max_rows else grid)
    ]
    return grid


def _letter(j: int) -> str:
    from lmns_desktop.core.register_store import _col_letter

    return _col_letter(j)


def source_headers(grid: Sequence[Sequence[Any]], header_row: int) -> list[str]:
    """Names for the source columns: header text, "Column C" when blank, letter when repeated."""
    row = list(grid[header_row - 1]) if 0 < header_row <= len(grid) else []
    width = max((len(r) for r in grid), default=0)
    names: list[str] = []
    for j in range(width):
        value = row[j] if j < len(row) else None
        if value is None or str(value).strip() == "":
            name = f"Column {_letter(j)}"
        elif isinstance(value, float) and value.is_integer():
            name = str(int(value))
        else:
            name = str(value).strip()
        if name in names:
            name = f"{name} ({_letter(j)})"
        names.append(name)
    return names


# --- suggestions ---------------------------------------------------------------------------


def _score(source: str, target: str, synonyms: Sequence[str]) -> float:
    s = rs.normalise_header(source)
    if not s:
        return 0.0
    t = rs.normalise_header(target)
    if s == t:
        return 1.0
    if s in {rs.normalise_header(x) for x in synonyms}:
        return 0.95
    best = max(
        difflib.SequenceMatcher(None, s, rs.normalise_header(c)).ratio()
        for c in (target, *synonyms)
    )
    if t in s.split() or (len(t) > 3 and t in s):
        best = max(best, 0.75)
    return round(min(best, 0.9), 3)


def suggest_columns(
    headers: Sequence[str], sheet: str = rs.SHEET_PROJECTS
) -> dict[str, Suggestion]:
    """For each source header, the register column it most likely is (each used once).

    Exact names score 1.0, known synonyms 0.95, otherwise difflib similarity (at most 0.9);
    below 0.6 the column is left unmapped (it will be kept as an extra column).
    """
    synonyms = SYNONYMS.get(sheet, {})
    scored = [
        (_score(h, target, synonyms.get(target, ())), i, target)
        for i, h in enumerate(headers)
        for target in rs.headers(sheet)
    ]
    scored.sort(key=lambda x: (-x[0], x[1]))
    result: dict[str, Suggestion] = {h: Suggestion(None, 0.0) for h in headers}
    used_targets: set[str] = set()
    used_sources: set[int] = set()
    for score, i, target in scored:
        if score < MIN_CONFIDENCE:
            break
        if i in used_sources or target in used_targets:
            continue
        used_sources.add(i)
        used_targets.add(target)
        result[headers[i]] = Suggestion(target, score)
    return result


def guess_header_row(grid: Sequence[Sequence[Any]], sheet: str = rs.SHEET_PROJECTS) -> int:
    """The most likely header row (1-based) among the first 20: the one whose cells look most
    like register headings."""
    best_row, best_score = 1, -1.0
    for i, row in enumerate(grid[:20]):
        texts = [str(v) for v in row if isinstance(v, str) and v.strip()]
        if len(texts) < 2:
            continue
        suggestions = suggest_columns(texts, sheet)
        score = sum(s.confidence for s in suggestions.values() if s.target) + 0.01 * len(texts)
        if score > best_score:
            best_row, best_score = i + 1, score
    return best_row


# --- import --------------------------------------------------------------------------------


def _tidy_choice(value: object, key: str, allowed: Sequence[str]) -> object:
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    folded = {a.casefold(): a for a in allowed}
    if text.casefold() in folded:
        return folded[text.casefold()]
    synonym = VALUE_SYNONYMS.get(key, {}).get(text.casefold())
    if synonym:
        return synonym
    close = difflib.get_close_matches(text, list(allowed), n=1, cutoff=0.85)
    return close[0] if close else value


def _tidy(col: rs.Column, value: object, doc: RegisterDocument) -> object:
    if value is None:
        return None
    if col.kind == "date" and isinstance(value, str):
        return parse_date_text(value) or value
    if col.kind == "yesno":
        text = str(value).strip().casefold()
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if text in rs.YES_WORDS:
            return "Yes"
        if text in rs.NO_WORDS:
            return "No"
        return value
    if col.kind == "choice" and col.choices:
        return _tidy_choice(value, col.choices, doc.list_values(col.choices) or [])
    if col.kind == "multi" and col.choices:
        from lmns_desktop.core.register_model import join_multi, split_multi

        allowed = doc.list_values(col.choices)
        parts = [_tidy_choice(p, col.choices, allowed) for p in split_multi(value)]
        return join_multi(str(p) for p in parts)
    if col.kind in ("text",) and isinstance(value, str):
        return value.strip() or None
    return value


def import_register(
    path: Path,
    sheet: str,
    header_row: int,
    mapping: Mapping[str, str | None],
    target: str = rs.SHEET_PROJECTS,
    into: RegisterDocument | None = None,
    max_rows: int | None = None,
) -> tuple[RegisterDocument, ImportReport]:
    """Import one sheet of any workbook into the register's ``target`` sheet.

    ``mapping`` maps source headers (as :func:`source_headers` names them) to register columns
    (None or absent: keep as an extra column). Returns a new, unsaved document (or ``into``
    with ``target`` filled) and a report whose problems name the rows of the source sheet.
    """
    grid = read_grid(path, sheet)
    if not 0 < header_row <= len(grid):
        raise UserError(
            f"Row {header_row} is not a row of the sheet '{sheet}'; choose the header row."
        )
    names = source_headers(grid, header_row)
    body = grid[header_row:]
    keep = [i for i, r in enumerate(body) if any(v is not None and str(v).strip() for v in r)]
    if max_rows is not None:
        keep = keep[:max_rows]
    source_rows = [header_row + 1 + i for i in keep]
    doc = into if into is not None else RegisterDocument(lists={})
    if into is not None and len(into.frames[target]):
        raise UserError(f"The register already has rows on {target}; import into a new register.")
    report = ImportReport(sheet, header_row, rows_imported=len(keep))
    known = {c.header: c for c in rs.SHEET_COLUMNS[target]}
    columns: dict[str, list[Any]] = {}
    for j, name in enumerate(names):
        values = [body[i][j] if j < len(body[i]) else None for i in keep]
        mapped_to = mapping.get(name)
        if mapped_to in known and mapped_to not in columns:
            col = known[mapped_to]
            tidied = [_tidy(col, v, doc) for v in values]
            changed = [
                (v, t)
                for v, t in zip(values, tidied, strict=True)
                if v is not None
                and t is not None
                and str(v) != str(t)
                and not (col.kind == "date" and not isinstance(v, str))
            ]
            if changed:
                v, t = changed[0]
                shown = t.strftime(rs.MESSAGE_DATE_FORMAT) if hasattr(t, "strftime") else t
                report.changed.append(
                    f"{mapped_to}: {len(changed)} values tidied "
                    f"(for example '{v}' became '{shown}')."
                )
            columns[mapped_to] = tidied
            report.mapped[name] = mapped_to
        elif any(v is not None for v in values):
            extra = name if name not in known else f"{name} (imported)"
            columns[extra] = values
            report.ignored.append(name)
    report.missing_required = [
        c.header for c in rs.SHEET_COLUMNS[target] if c.required and c.header not in columns
    ]
    if target in (rs.SHEET_PROJECTS, rs.SHEET_EVIDENCE):
        ids = columns.setdefault("ID", [None] * len(keep))
        missing = [i for i, v in enumerate(ids) if v is None or not str(v).strip()]
        if missing:
            from lmns_desktop.core.register_model import _next_id

            taken = [v for v in ids if isinstance(v, str)]
            if target == rs.SHEET_PROJECTS and into is not None:
                taken.append(next_project_id(into))
            prefix, width = (
                (rs.PROJECT_ID_PREFIX, rs.PROJECT_ID_WIDTH)
                if target == rs.SHEET_PROJECTS
                else (rs.EVIDENCE_ID_PREFIX, rs.EVIDENCE_ID_WIDTH)
            )
            for i in missing:
                ids[i] = _next_id(taken, prefix, width)
                taken.append(ids[i])
            report.ids_assigned = len(missing)
            if "ID" in report.missing_required:
                report.missing_required.remove("ID")
        ids[:] = [str(int(v)) if isinstance(v, float) and v.is_integer() else v for v in ids]
    frame, raw = build_frame(target, columns, source_rows)
    doc.header_rows[target] = header_row
    doc.adopt_frame(target, frame, raw, {k: k for k in source_rows})
    if target == rs.SHEET_PROJECTS and into is None:
        doc.user_lists["TRUSTS"] = sorted({str(t) for t in frame["Trust"].dropna().unique()})
    doc.dirty = True
    for p in validate(doc):
        if p.sheet != target:
            continue
        body_text = p.message.split(": ", 1)[1] if ": " in p.message else p.message
        report.problems.append(
            Problem(sheet, p.row, p.column, f"Row {p.row} of '{sheet}': {body_text}")
        )
    return doc, report


def preview(
    path: Path,
    sheet: str,
    header_row: int,
    mapping: Mapping[str, str | None],
    rows: int = 20,
    target: str = rs.SHEET_PROJECTS,
) -> pd.DataFrame:
    """The first ``rows`` rows as they would be imported (mapped and tidied)."""
    doc, _ = import_register(path, sheet, header_row, mapping, target=target, max_rows=rows)
    return doc.frames[target]
