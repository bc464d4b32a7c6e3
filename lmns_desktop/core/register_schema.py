"""The register workbook's layout: sheet names, column headers and their kinds.

The register is one ``.xlsx`` the user owns (DESIGN.md section 3). Headers here are the ones a
person sees in Excel; code refers to columns through these constants so a label is changed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SCHEMA_VERSION = 1

SHEET_PROJECTS = "Projects"
SHEET_EVIDENCE = "Evidence"
SHEET_MEASURES = "Measures"
SHEET_PDSA = "PDSA"
SHEET_LISTS = "Lists"
SHEET_META = "_meta"

Kind = Literal["text", "date", "number", "integer", "yesno", "choice", "multi"]


@dataclass(frozen=True)
class Column:
    """One known column of a register sheet."""

    header: str
    kind: Kind = "text"
    required: bool = False
    width: int = 18
    #: For ``choice``/``multi`` columns: the name of the list in ``core.vocab`` (or the Lists sheet).
    choices: str | None = None


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("ID", required=True, width=10),
    Column("Title", required=True, width=40),
    Column("Aim", width=50),
    Column("Sub-workstream", "choice", required=True, width=28, choices="SUB_WORKSTREAMS"),
    Column("PLUS groups", "multi", width=40, choices="PLUS_GROUPS"),
    Column("Core20 focus", "yesno", width=12),
    Column("Clinical area", "choice", width=22, choices="CLINICAL_AREAS"),
    Column("Trust", "choice", width=36, choices="TRUSTS"),
    Column("Lead", width=20),
    Column("Status", "choice", required=True, width=12, choices="PROJECT_STATUSES"),
    Column("RAG", "choice", width=8, choices="RAG_RATINGS"),
    Column("Start date", "date", width=12),
    Column("Target end date", "date", width=14),
    Column("Outcome measures", width=30),
    Column("Process measures", width=30),
    Column("Balancing measures", width=30),
    Column("Co-production (MNVP)", "yesno", width=14),
    Column("Co-production note", width=30),
    Column("IHI progress score", "number", width=10),
    Column("Equity priority", "choice", width=30, choices="EQUITY_PRIORITIES"),
    Column("Pledge prong", "choice", width=30, choices="PLEDGE_PRONGS"),
    Column("Next steps", width=30),
    Column("Last updated", "date", width=12),
    Column("Notes", width=40),
)

EVIDENCE_COLUMNS: tuple[Column, ...] = (
    Column("ID", required=True, width=10),
    Column("Project ID", required=True, width=10),
    Column("Type", "choice", required=True, width=30, choices="EVIDENCE_TYPES"),
    Column("Date", "date", required=True, width=12),
    Column("Title", width=40),
    Column("People reached", "integer", width=10),
    Column("Groups reached", "multi", width=40, choices="PLUS_GROUPS"),
    Column("Summary", width=50),
    Column("Link", width=30),
)

MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("Project ID", required=True, width=10),
    Column("Measure", required=True, width=36),
    Column("Period", "date", required=True, width=12),
    Column("Value", "number", width=10),
    Column("Numerator", "integer", width=10),
    Column("Denominator", "integer", width=12),
    Column("Improvement direction", "choice", width=14, choices="IMPROVEMENT_DIRECTIONS"),
)

PDSA_COLUMNS: tuple[Column, ...] = (
    Column("Project ID", required=True, width=10),
    Column("Cycle", "integer", required=True, width=8),
    Column("Change idea", width=40),
    Column("Prediction", width=40),
    Column("Start date", "date", width=12),
    Column("End date", "date", width=12),
    Column("Result", width=40),
    Column("Decision", "choice", width=10, choices="PDSA_DECISIONS"),
)

SHEET_COLUMNS: dict[str, tuple[Column, ...]] = {
    SHEET_PROJECTS: PROJECT_COLUMNS,
    SHEET_EVIDENCE: EVIDENCE_COLUMNS,
    SHEET_MEASURES: MEASURE_COLUMNS,
    SHEET_PDSA: PDSA_COLUMNS,
}

IMPROVEMENT_DIRECTIONS: tuple[str, ...] = ("Higher is better", "Lower is better", "Neither")

#: Separator for multi-valued cells (PLUS groups); a semicolon survives Excel's CSV round trips.
MULTI_SEPARATOR = "; "


def headers(sheet: str) -> list[str]:
    """The known column headers of a register sheet, in order."""
    return [c.header for c in SHEET_COLUMNS[sheet]]


# --- Extensions for the register store, validation and import -------------------------------

#: Application name written to ``_meta`` (a register names the program that saved it).
APP_NAME = "LMNS Inclusion Health Desktop"

#: Keys written to the hidden ``_meta`` sheet, in order; unknown keys found there are kept.
META_KEYS: tuple[str, ...] = (
    "schema_version",
    "app",
    "app_version",
    "saved_at",
    "saved_by",
    "machine",
)

PROJECT_ID_PREFIX = "IH-"
PROJECT_ID_WIDTH = 4
EVIDENCE_ID_PREFIX = "EV-"
EVIDENCE_ID_WIDTH = 5

#: The column that names a row's project on each child sheet.
PROJECT_REF = "Project ID"
CHILD_SHEETS: tuple[str, ...] = (SHEET_EVIDENCE, SHEET_MEASURES, SHEET_PDSA)

YES_NO: tuple[str, ...] = ("Yes", "No")

#: Spellings read as yes / no in yes-no cells (compared case-insensitively).
YES_WORDS: frozenset[str] = frozenset({"yes", "y", "true", "1"})
NO_WORDS: frozenset[str] = frozenset({"no", "n", "false", "0"})

#: Date format shown in Excel and in messages.
EXCEL_DATE_FORMAT = "dd/mm/yyyy"
MESSAGE_DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class ListDef:
    """A fixed or user-extendable list, kept as one column of the hidden ``Lists`` sheet.

    Why in the workbook: user-added PLUS groups and trusts must travel with the register so a
    colleague opening it on another laptop sees the same drop-downs and validation.
    """

    key: str
    header: str
    #: ``True`` when users may add their own values (PLUS groups, trusts).
    extendable: bool = False


LIST_DEFS: tuple[ListDef, ...] = (
    ListDef("SUB_WORKSTREAMS", "Sub-workstreams"),
    ListDef("PLUS_GROUPS", "PLUS groups", extendable=True),
    ListDef("TRUSTS", "Trusts", extendable=True),
    ListDef("PROJECT_STATUSES", "Project statuses"),
    ListDef("RAG_RATINGS", "RAG ratings"),
    ListDef("CLINICAL_AREAS", "Clinical areas"),
    ListDef("EVIDENCE_TYPES", "Evidence types"),
    ListDef("EQUITY_PRIORITIES", "Equity priorities"),
    ListDef("PLEDGE_PRONGS", "Pledge prongs"),
    ListDef("IMPROVEMENT_DIRECTIONS", "Improvement directions"),
    ListDef("PDSA_DECISIONS", "PDSA decisions"),
    ListDef("YES_NO", "Yes/No"),
)
LIST_BY_KEY: dict[str, ListDef] = {d.key: d for d in LIST_DEFS}


def fixed_list(key: str) -> tuple[str, ...]:
    """The built-in values of a list (empty for trusts, which each LMNS names itself)."""
    from lmns_desktop.core import vocab

    if key == "IMPROVEMENT_DIRECTIONS":
        return IMPROVEMENT_DIRECTIONS
    if key == "YES_NO":
        return YES_NO
    if key == "TRUSTS":
        return ()
    return tuple(getattr(vocab, key))


def column(sheet: str, header: str) -> Column:
    """The known column ``header`` of ``sheet`` (KeyError when it is not known)."""
    for col in SHEET_COLUMNS[sheet]:
        if col.header == header:
            return col
    raise KeyError(f"{sheet} has no column {header!r}")


def normalise_header(text: object) -> str:
    """A header reduced for matching: case, spaces and punctuation do not matter."""
    import re

    return re.sub(r"[^0-9a-z]+", " ", str(text or "").casefold()).strip()
