"""Read and write the register workbook.

The register is the user's file: every sheet and column the app does not know is kept. Reading
uses openpyxl so that dates stay dates and unknown sheets can be carried through a save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.errors import UserError


@dataclass
class Register:
    """A register in memory: one DataFrame per known sheet, plus where it came from."""

    sheets: dict[str, pd.DataFrame]
    path: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def projects(self) -> pd.DataFrame:
        return self.sheets[rs.SHEET_PROJECTS]

    @property
    def evidence(self) -> pd.DataFrame:
        return self.sheets[rs.SHEET_EVIDENCE]

    @property
    def measures(self) -> pd.DataFrame:
        return self.sheets[rs.SHEET_MEASURES]


def read_register(path: Path) -> Register:
    """Open a register workbook; raise :class:`UserError` with a plain sentence when it cannot."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"The register {path.name} was not found. Check the folder and try again.")
    try:
        book = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise UserError(
            f"{path.name} could not be opened as an Excel workbook. "
            "Check that it is an .xlsx register and not open in another program."
        ) from exc
    if rs.SHEET_PROJECTS not in book:
        raise UserError(
            f"{path.name} has no sheet called '{rs.SHEET_PROJECTS}'. "
            "Open a register made by this app, or import it through File > Import register."
        )
    sheets = {}
    for name in rs.SHEET_COLUMNS:
        frame = book.get(name)
        sheets[name] = frame if frame is not None else pd.DataFrame(columns=rs.headers(name))
    meta_frame = book.get(rs.SHEET_META)
    meta = {}
    if meta_frame is not None and len(meta_frame.columns) >= 2:
        meta = {str(k): str(v) for k, v in zip(meta_frame.iloc[:, 0], meta_frame.iloc[:, 1])}
    return Register(sheets=sheets, path=path, meta=meta)


def write_new_register(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write a brand-new register workbook, formatted for Excel users."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="005EB8")
    for name, columns in rs.SHEET_COLUMNS.items():
        ws = wb.create_sheet(name)
        frame = sheets.get(name, pd.DataFrame(columns=[c.header for c in columns]))
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        kinds = {c.header: c for c in columns}
        for idx, header in enumerate(frame.columns, start=1):
            letter = get_column_letter(idx)
            col = kinds.get(header)
            ws.column_dimensions[letter].width = col.width if col else 16
            cell = ws.cell(row=1, column=idx)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if col is not None and col.kind == "date":
                for (c,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    c.number_format = "DD/MM/YYYY"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    meta = wb.create_sheet(rs.SHEET_META)
    for key, value in (("schema_version", rs.SCHEMA_VERSION), ("app", "LMNS Inclusion Health Desktop")):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    wb.save(path)
    return path


def _cell_value(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def counts_by(projects: pd.DataFrame, column: str, order: tuple[str, ...] = ()) -> pd.Series:
    """Number of projects per value of ``column``, fixed-list values first and in list order."""
    counts = projects[column].fillna(vocab.NOT_KNOWN).astype(str).value_counts()
    ordered = [v for v in order if v in counts.index] + sorted(set(counts.index) - set(order))
    return counts.reindex(ordered)
