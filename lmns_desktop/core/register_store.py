"""Read and write the register workbook, keeping everything the app does not understand.

The register is the user's file. Reading uses python-calamine (fast: a 72,000-row register opens
in well under two seconds) and keeps the original ``.xlsx`` package in memory. Saving rewrites
only the cells the app owns: each known sheet's XML is regenerated from the frames, while
unknown columns (cells, styles, formulas), unknown sheets, styles, charts, names and macros are
carried over byte for byte. openpyxl would need ~15 s to load and save the same file.

Saving is safe (see :mod:`file_safety`): conflict detection, a backup, then an atomic replace.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import file_safety as fs
from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_model import RegisterDocument, build_frame

#: The first version's name for a register in memory; the document class replaces it.
Register = RegisterDocument

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
WORKSHEET_REL = REL_NS + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_M = f"{{{MAIN_NS}}}"
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
_DAY_NS = 86_400 * 10**9
_MAX_ROW = 1_048_576
#: zlib level for the saved package: 3 is about twice as fast as 6 for a few % more bytes.
COMPRESS_LEVEL = 3
RECORD_SHEETS: tuple[str, ...] = tuple(rs.SHEET_COLUMNS)

_EMPTY_SHEET = (
    f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetViews><sheetView workbookViewId="0"/>'
    '</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData/><pageMargins left="0.7" '
    'right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
).encode()


# --- state kept between open and save ------------------------------------------------------


@dataclass
class SheetLayout:
    """Where a known sheet's columns and rows were in the file, to write them back in place."""

    name: str
    part: str | None
    header_row: int = 1
    known_cols: dict[str, int] = field(default_factory=dict)  # header -> 0-based column
    extra_cols: dict[str, int] = field(default_factory=dict)  # frame column -> 0-based column
    key_rows: dict[int, int] = field(default_factory=dict)  # row key -> Excel row in the file
    extras_loaded: pd.DataFrame | None = None
    last_row: int = 0
    #: Header text as the file spells it (kept when the sheet is an Excel table, whose column
    #: names must match the header cells exactly).
    header_text: dict[str, str] = field(default_factory=dict)


@dataclass
class StoreState:
    """The workbook package as last opened or saved, and how the known sheets sit in it."""

    package: bytes
    fingerprint: fs.Fingerprint | None
    layouts: dict[str, SheetLayout]


# --- opening -------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UserError(f"The register {path.name} was not found. Check the folder and try again.")
    if path.is_dir():
        raise UserError(f"{path.name} is a folder, not a register workbook.")
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise UserError(
            f"{path.name} could not be read: you do not have permission, or it is locked by "
            "another program. Close it there and try again."
        ) from exc
    except OSError as exc:
        raise UserError(f"{path.name} could not be read ({exc.strerror}).") from exc


def _check_container(data: bytes, name: str) -> None:
    """One clear sentence for files that are not an .xlsx package."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UserError(
                f"{name} is protected with a password. Open it in Excel, remove the password "
                "(File > Info > Protect Workbook), save it, and open it here again."
            )
        raise UserError(
            f"{name} is an old-style Excel file (.xls). Open it in Excel, save it as an .xlsx "
            "workbook, and open that here, or use File > Import register."
        )
    if not data:
        raise UserError(f"{name} is empty (0 bytes): it is not a register workbook.")
    if not data.startswith(b"PK"):
        raise UserError(
            f"{name} is not an Excel workbook. Choose an .xlsx register, or import a "
            "spreadsheet through File > Import register."
        )


def _damaged(name: str) -> UserError:
    return UserError(
        f"{name} could not be read: the workbook looks damaged or incomplete. "
        "Open a backup from the .backups folder beside it, or repair it in Excel."
    )


@dataclass
class _SheetRef:
    name: str
    state: str
    part: str
    rid: str


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in (base_dir + "/" + target).split("/") if p]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p != ".":
            out.append(p)
    return "/".join(out)


def _workbook_part(zf: zipfile.ZipFile) -> str:
    from lxml import etree

    try:
        rels = etree.fromstring(zf.read("_rels/.rels"))
    except KeyError:
        return "xl/workbook.xml"
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            return _resolve("", rel.get("Target", ""))
    return "xl/workbook.xml"


def _rels_part(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _sheet_refs(zf: zipfile.ZipFile, wb_part: str) -> list[_SheetRef]:
    from lxml import etree

    wb = etree.fromstring(zf.read(wb_part))
    rels = etree.fromstring(zf.read(_rels_part(wb_part)))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    base = wb_part.rpartition("/")[0]
    out = []
    sheets = wb.find(_M + "sheets")
    for sheet in sheets if sheets is not None else []:
        rid = sheet.get(f"{{{REL_NS}}}id", "")
        target = targets.get(rid)
        if target is None:
            continue
        out.append(
            _SheetRef(
                sheet.get("name", ""), sheet.get("state", "visible"), _resolve(base, target), rid
            )
        )
    return out


def _find_sheet(refs: Sequence[_SheetRef], name: str) -> _SheetRef | None:
    for ref in refs:
        if ref.name == name:
            return ref
    for ref in refs:
        if ref.name.strip().casefold() == name.casefold():
            return ref
    return None


def _col_letter(index0: int) -> str:
    n = index0 + 1
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v == "")


def _header_row_index(grid: list[list[Any]], headers: Sequence[str]) -> int:
    """The 0-based row holding the headers: the first of the top rows naming two known columns."""
    wanted = {rs.normalise_header(h) for h in headers}
    need = min(2, len(wanted))
    for i, row in enumerate(grid[:10]):
        hits = sum(1 for v in row if isinstance(v, str) and rs.normalise_header(v) in wanted)
        if hits >= need:
            return i
    return 0


def _frame_from_grid(
    doc: RegisterDocument, sheet: str, grid: list[list[Any]], part: str | None, known: Sequence[str]
) -> SheetLayout:
    """Turn a sheet's cell grid into a typed frame plus the layout needed to write it back."""
    layout = SheetLayout(sheet, part)
    if not grid:
        doc.adopt_frame(sheet, build_frame(sheet, {}, [])[0], {}, {})
        return layout
    h = _header_row_index(grid, known)
    layout.header_row = h + 1
    header = grid[h]
    width = max(len(r) for r in grid)
    body = grid[h + 1 :]
    known_norm = {rs.normalise_header(k): k for k in known}
    names: dict[int, str] = {}
    used: set[str] = set()
    for j in range(width):
        text = header[j] if j < len(header) else ""
        norm = rs.normalise_header(text) if isinstance(text, str) else ""
        target = known_norm.get(norm)
        if target is not None and target not in layout.known_cols:
            layout.known_cols[target] = j
            layout.header_text[target] = str(text)
            continue
        has_data = any(j < len(r) and not _blank(r[j]) for r in body)
        if _blank(text) and not has_data:
            continue
        name = str(text).strip() if not _blank(text) else f"Column {_col_letter(j)}"
        if isinstance(text, float) and text.is_integer():
            name = str(int(text))
        if name in used or name in known_norm.values():
            name = f"{name} ({_col_letter(j)})"
        used.add(name)
        names[j] = name
        layout.extra_cols[name] = j
    keep = [i for i, r in enumerate(body) if any(not _blank(v) for v in r)]
    keys = [h + 2 + i for i in keep]
    columns: dict[str, list[Any]] = {}
    for header_name, j in layout.known_cols.items():
        columns[header_name] = [body[i][j] if j < len(body[i]) else None for i in keep]
    for name, j in layout.extra_cols.items():
        values = [body[i][j] if j < len(body[i]) else None for i in keep]
        columns[name] = [None if _blank(v) else v for v in values]
    frame, raw = build_frame(sheet, columns, keys)
    layout.key_rows = {k: k for k in keys}
    layout.last_row = len(grid)
    if layout.extra_cols:
        layout.extras_loaded = frame[list(layout.extra_cols)].copy()
    doc.header_rows[sheet] = layout.header_row
    doc.adopt_frame(sheet, frame, raw, dict(layout.key_rows))
    return layout


def _grid(book: Any, name: str) -> list[list[Any]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _read_meta(grid: list[list[Any]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in grid:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            meta[row[0].strip()] = "" if _blank(value) else str(value)
    return meta


def _check_schema(meta: dict[str, str], name: str) -> None:
    text = meta.get("schema_version", "")
    try:
        version = int(float(text)) if text else 0
    except ValueError:
        return
    if version > rs.SCHEMA_VERSION:
        raise UserError(
            f"{name} was saved by a newer version of {rs.APP_NAME} (register format {version}; "
            f"this version reads up to format {rs.SCHEMA_VERSION}). Install the newer version "
            "to open it; the file has not been changed."
        )


def load_bytes(data: bytes, name: str = "register") -> RegisterDocument:
    """Open a register from the bytes of an ``.xlsx`` file (``name`` is used in messages)."""
    from python_calamine import CalamineWorkbook

    _check_container(data, name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        wb_part = _workbook_part(zf)
        refs = _sheet_refs(zf, wb_part)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, KeyError) and "xl/" not in str(exc) and "workbook" not in str(exc):
            raise _damaged(name) from exc
        raise UserError(
            f"{name} is not an Excel workbook (it may be another kind of document, or damaged). "
            "Choose an .xlsx register."
        ) from exc
    except Exception as exc:  # lxml.etree.XMLSyntaxError and friends
        raise _damaged(name) from exc
    projects_ref = _find_sheet(refs, rs.SHEET_PROJECTS)
    if projects_ref is None:
        raise UserError(
            f"{name} has no sheet called '{rs.SHEET_PROJECTS}'. Open a register made by this "
            "app, or bring this workbook in through File > Import register."
        )
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise _damaged(name) from exc
    doc = RegisterDocument()
    layouts: dict[str, SheetLayout] = {}
    try:
        meta_ref = _find_sheet(refs, rs.SHEET_META)
        if meta_ref is not None:
            doc.meta = _read_meta(_grid(book, meta_ref.name))
            _check_schema(doc.meta, name)
        for sheet in RECORD_SHEETS:
            ref = _find_sheet(refs, sheet)
            grid = _grid(book, ref.name) if ref is not None else []
            layouts[sheet] = _frame_from_grid(
                doc, sheet, grid, ref.part if ref else None, rs.headers(sheet)
            )
        lists_ref = _find_sheet(refs, rs.SHEET_LISTS)
        if lists_ref is not None:
            layouts[rs.SHEET_LISTS] = _read_lists(doc, _grid(book, lists_ref.name), lists_ref.part)
        else:
            doc.user_lists["TRUSTS"] = sorted(
                {str(t) for t in doc.projects["Trust"].dropna().unique()}
            )
    except UserError:
        raise
    except Exception as exc:
        raise _damaged(name) from exc
    if meta_ref is not None:
        layouts[rs.SHEET_META] = SheetLayout(rs.SHEET_META, meta_ref.part)
    doc.store_state = StoreState(data, None, layouts)
    doc.dirty = False
    return doc


def _read_lists(doc: RegisterDocument, grid: list[list[Any]], part: str) -> SheetLayout:
    layout = SheetLayout(rs.SHEET_LISTS, part)
    if not grid:
        return layout
    by_norm = {rs.normalise_header(d.header): d for d in rs.LIST_DEFS}
    header = grid[0]
    for j, text in enumerate(header):
        d = by_norm.get(rs.normalise_header(text)) if isinstance(text, str) else None
        if d is None:
            if any(j < len(r) and not _blank(r[j]) for r in grid):
                layout.extra_cols[f"Column {_col_letter(j)}"] = j
            continue
        if d.header in layout.known_cols:
            continue
        layout.known_cols[d.header] = j
        if d.extendable:
            values = [r[j] for r in grid[1:] if j < len(r) and not _blank(r[j])]
            fixed = set(rs.fixed_list(d.key))
            doc.user_lists[d.key] = [str(v).strip() for v in values if str(v).strip() not in fixed]
    layout.last_row = len(grid)
    return layout


def read_register(path: Path) -> RegisterDocument:
    """Open a register workbook; raise :class:`UserError` with a plain sentence when it cannot."""
    path = Path(path)
    data = _read_bytes(path)
    doc = load_bytes(data, path.name)
    doc.path = path
    doc.store_state.fingerprint = fs.Fingerprint.of_bytes(path, data)
    return doc


# --- writing cells -------------------------------------------------------------------------

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL_XML.sub("", text)


def _num(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


def _value_cell(ref: str, value: object, style: int = 0, date_style: int = 0) -> str:
    """One cell's XML for any Python value (raw values, extras, list and meta cells)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}"{_s(style)} t="b"><v>{int(bool(value))}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        return f'<c r="{ref}"{_s(style)}><v>{_num(float(value))}</v></c>'
    if isinstance(value, datetime | date | pd.Timestamp):
        ts = pd.Timestamp(value)
        serial = (ts - pd.Timestamp(1899, 12, 30)) / pd.Timedelta(days=1)
        return f'<c r="{ref}"{_s(style or date_style)}><v>{_num(float(serial))}</v></c>'
    if isinstance(value, time):
        serial = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return f'<c r="{ref}"{_s(style)}><v>{_num(serial)}</v></c>'
    if isinstance(value, timedelta):
        return f'<c r="{ref}"{_s(style)}><v>{_num(value.total_seconds() / 86400)}</v></c>'
    text = _esc(str(value))
    return f'<c r="{ref}"{_s(style)} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _column_cells(
    letter: str,
    rows: Sequence[str],
    series: pd.Series,
    kind: str,
    raw: dict[int, object],
    date_style: int,
) -> list[str]:
    """XML for one known column, all rows at once (the hot path of saving)."""
    n = len(rows)
    if kind == "date":
        values = series.to_numpy(dtype="datetime64[ns]")
        serial = (values - _EXCEL_EPOCH).astype("timedelta64[ns]").astype("int64") / _DAY_NS
        nat = np.isnat(values)
        s = _s(date_style)
        out = [
            "" if nat[i] else f'<c r="{letter}{rows[i]}"{s}><v>{_num(float(serial[i]))}</v></c>'
            for i in range(n)
        ]
    elif kind in ("number", "integer"):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        out = [
            "" if math.isnan(v) else f'<c r="{letter}{r}"><v>{_num(float(v))}</v></c>'
            for v, r in zip(values.tolist(), rows, strict=True)
        ]
    else:
        out = [
            f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{_esc(v)}</t></is></c>'
            if isinstance(v, str)
            else ""
            for v, r in zip(series.tolist(), rows, strict=True)
        ]
    for pos, value in raw.items():
        out[pos] = _value_cell(f"{letter}{rows[pos]}", value, date_style=date_style)
    return out


# --- sheet XML surgery ---------------------------------------------------------------------

_SHEETDATA = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(?:/>|>.*</(?:\w+:)?sheetData>)", re.S)
_ROW_ATTRS = re.compile(
    rb"<(?:\w+:)?row\b[^>]*\s(?:ht|hidden|s|customFormat|outlineLevel|collapsed)=", re.S
)
_XMLNS = re.compile(r'\sxmlns(?::\w+)?="[^"]*"')
_REF = re.compile(r"^([A-Z]+)(\d+)$")

_ORDER = (
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_RANK = {name: i for i, name in enumerate(_ORDER)}


@dataclass
class _OutColumn:
    """One column of a regenerated sheet: ours (values) or kept (copied from the old file)."""

    pos: int
    header: str | None = None  # ours: header text; None: copy the old header cell
    cells: list[str] | None = None  # ours: XML per data row
    source: int | None = None  # kept: 0-based column in the old file
    overrides: dict[int, object] = field(default_factory=dict)  # kept: new values by row pos
    width: float | None = None


@dataclass
class _SheetSpec:
    header_row: int
    n_rows: int
    columns: list[_OutColumn]
    row_sources: list[int | None]
    header_style: int
    validations: list[tuple[str, str, bool]] = field(default_factory=list)
    autofilter: bool = True
    freeze: bool = True
    known_positions: set[int] = field(default_factory=set)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


#: Child order of styles.xml's root (Excel rejects parts whose children are out of order).
_STYLE_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_STYLE_RANK = {name: i for i, name in enumerate(_STYLE_ORDER)}


def _insert_child(root: Any, elem: Any) -> None:
    ranks = _STYLE_RANK if _local(root.tag) == "styleSheet" else _RANK
    rank = ranks.get(_local(elem.tag), len(ranks))
    for i, child in enumerate(root):
        if ranks.get(_local(child.tag), -1) > rank:
            root.insert(i, elem)
            return
    root.append(elem)


def _child(root: Any, name: str, create: bool = True) -> Any:
    from lxml import etree

    found = root.find(_M + name)
    if found is None and create:
        found = etree.Element(_M + name)
        _insert_child(root, found)
    return found


_Rows = dict[int, tuple[dict[str, str], dict[int, Any]]]


def _parse_rows(
    original: bytes, m: re.Match[bytes], wanted: set[int], header_row: int
) -> tuple[_Rows, dict[str, tuple[str, str]]]:
    """Old rows by number (their attributes, and their cells by 0-based column: every cell
    down to the header, below it only the ``wanted`` columns), and the shared formulas'
    master text and cell by shared index (to unshare copied formula cells)."""
    from lxml import etree

    root_tag = re.search(rb"<(?:\w+:)?worksheet\b[^>]*>", original)
    prefix = m.group(1)
    close = b"</" + (prefix + b":" if prefix else b"") + b"worksheet>"
    wrapped = (root_tag.group(0) if root_tag else b"<worksheet>") + m.group(0) + close
    root = etree.fromstring(wrapped, parser=etree.XMLParser(huge_tree=True))
    rows: _Rows = {}
    masters: dict[str, tuple[str, str]] = {}
    sheet_data = root[0] if len(root) else None
    if sheet_data is None:
        return rows, masters
    for formula in sheet_data.iter(_M + "f"):
        if formula.get("t") == "shared" and formula.text:
            masters[formula.get("si", "")] = (formula.text, formula.getparent().get("r") or "")
    row_tag, cell_tag = _M + "row", _M + "c"
    next_row = 1
    for row in sheet_data.iterchildren(row_tag):
        r = int(row.get("r") or next_row)
        next_row = r + 1
        cells: dict[int, Any] = {}
        if wanted or r <= header_row:
            next_col = 0
            for cell in row.iterchildren(cell_tag):
                ref = cell.get("r")
                match = _REF.match(ref) if ref else None
                col = _col_index(match.group(1)) if match else next_col
                next_col = col + 1
                if r > header_row and col not in wanted:
                    continue
                if match is None:
                    cell.set("r", f"{_col_letter(col)}{r}")
                cells[col] = cell
        rows[r] = (dict(row.attrib), cells)
    return rows, masters


def _translate(formula: str, origin: str, dest: str) -> str:
    """A formula moved from one cell to another, relative references shifted as Excel does."""
    from openpyxl.formula.translate import Translator

    try:
        return Translator("=" + formula, origin=origin).translate_formula(dest)[1:]
    except Exception:  # an unusual formula is kept as written rather than lost
        return formula


def _cell_xml(cell: Any, ref: str, masters: dict[str, tuple[str, str]] | None = None) -> str:
    """A kept cell's XML at its new place: shared formulas become ordinary ones (the master
    may be gone) and relative references follow the row when it moved."""
    from lxml import etree

    formula = cell.find(_M + "f")
    old_ref = cell.get("r") or ref
    if formula is not None:
        if formula.get("t") == "shared":
            text = formula.text
            if not text and masters and formula.get("si", "") in masters:
                master_text, master_ref = masters[formula.get("si", "")]
                text = _translate(master_text, master_ref, old_ref)
            for attr in ("t", "ref", "si"):
                formula.attrib.pop(attr, None)
            formula.text = text
            if not text:
                cell.remove(formula)
        if formula.text and formula.get("t") != "array" and old_ref != ref:
            formula.text = _translate(formula.text, old_ref, ref)
    cell.set("r", ref)
    return _XMLNS.sub("", etree.tostring(cell, encoding="unicode", with_tail=False))


def _replace_value(cell: Any, ref: str, value: object, date_style: int) -> str:
    style = int(cell.get("s") or 0) if cell is not None else 0
    return _value_cell(ref, value, style=style, date_style=date_style)


def _row_attr_xml(attrs: dict[str, str], nsmap: dict[str | None, str]) -> str:
    prefixes = {uri: p for p, uri in nsmap.items() if p}
    out = []
    for key, value in attrs.items():
        if key in ("r", "spans"):
            continue
        if key.startswith("{"):
            uri, _, local = key[1:].partition("}")
            prefix = prefixes.get(uri)
            if prefix is None:
                continue
            key = f"{prefix}:{local}"
        out.append(f' {key}="{_esc(value).replace(chr(34), "&quot;")}"')
    return "".join(out)


def _sqref_columns(sqref: str) -> set[int]:
    cols: set[int] = set()
    for part in sqref.split():
        ends = [re.match(r"\$?([A-Z]+)", p.replace("$", "")) for p in part.split(":")]
        idx = [_col_index(e.group(1)) for e in ends if e]
        if idx:
            cols.update(range(min(idx), max(idx) + 1))
    return cols


def _render_sheet(original: bytes | None, spec: _SheetSpec, date_style: int) -> bytes:
    """New XML for a known sheet: generated cells for our columns, old cells kept for the rest."""
    from lxml import etree

    source = original or _EMPTY_SHEET
    m = _SHEETDATA.search(source)
    if m is None:
        raise ValueError("sheet has no sheetData")
    kept_cols = [c for c in spec.columns if c.source is not None]
    need_rows = original is not None and (
        kept_cols or spec.header_row > 1 or _ROW_ATTRS.search(m.group(0)) is not None
    )
    wanted = {c.source for c in kept_cols if c.source is not None}
    old_rows, masters = (
        _parse_rows(source, m, wanted, spec.header_row) if need_rows else ({}, {})
    )
    skeleton = (
        source[: m.start()]
        + (b"<%s:sheetData/>" % m.group(1) if m.group(1) else b"<sheetData/>")
        + source[m.end() :]
    )
    root = etree.fromstring(skeleton, parser=etree.XMLParser(huge_tree=True))
    if root.prefix is not None:  # .NET-style "x:" prefixes: add a default namespace for our cells
        new_root = etree.Element(
            root.tag, attrib=dict(root.attrib), nsmap={**root.nsmap, None: MAIN_NS}
        )
        new_root.extend(list(root))
        root = new_root
    nsmap = dict(root.nsmap)

    hr = spec.header_row
    last_row = hr + spec.n_rows
    columns = sorted(spec.columns, key=lambda c: c.pos)
    last_col = max((c.pos for c in columns), default=0)
    letters = {c.pos: _col_letter(c.pos) for c in columns}

    # -- sheetData
    parts: list[str] = []
    for r in range(1, hr):
        if r in old_rows:
            attrs, cells = old_rows[r]
            body = "".join(
                _cell_xml(cells[c], f"{_col_letter(c)}{r}", masters) for c in sorted(cells)
            )
            parts.append(f'<row r="{r}"{_row_attr_xml(attrs, nsmap)}>{body}</row>')
    head_attrs, head_cells = old_rows.get(hr, ({}, {}))
    head = []
    for col in columns:
        ref = f"{letters[col.pos]}{hr}"
        if col.header is not None:
            head.append(_value_cell(ref, col.header, style=spec.header_style))
        elif col.source in head_cells:
            head.append(_cell_xml(head_cells[col.source], ref, masters))
    parts.append(f'<row r="{hr}"{_row_attr_xml(head_attrs, nsmap)}>{"".join(head)}</row>')
    row_numbers = [str(hr + 1 + i) for i in range(spec.n_rows)]
    col_cells: list[list[str]] = []
    for col in columns:
        if col.cells is not None:
            col_cells.append(col.cells)
            continue
        cells_out = []
        letter = letters[col.pos]
        for i, src_row in enumerate(spec.row_sources):
            ref = f"{letter}{row_numbers[i]}"
            old = old_rows.get(src_row, (None, {}))[1].get(col.source) if src_row else None
            if i in col.overrides:
                cells_out.append(_replace_value(old, ref, col.overrides[i], date_style))
            elif old is not None:
                cells_out.append(_cell_xml(old, ref, masters))
            else:
                cells_out.append("")
        col_cells.append(cells_out)
    for i, cells in enumerate(zip(*col_cells, strict=True)) if col_cells else []:
        src_row = spec.row_sources[i]
        attrs = _row_attr_xml(old_rows[src_row][0], nsmap) if src_row in old_rows else ""
        parts.append(f'<row r="{row_numbers[i]}"{attrs}>{"".join(cells)}</row>')

    # -- sheet furniture: dimension, frozen header, widths, filter, drop-downs
    last_letter = _col_letter(last_col)
    _child(root, "dimension").set("ref", f"A1:{last_letter}{max(last_row, hr)}")
    if spec.freeze:
        _freeze(root, hr)
    _set_widths(root, {c.pos: c.width for c in columns if c.width})
    has_table = root.find(_M + "tableParts") is not None
    if spec.autofilter and not has_table:
        _child(root, "autoFilter").set("ref", f"A{hr}:{last_letter}{max(last_row, hr + 1)}")
    _set_validations(root, spec, hr)

    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    placeholder = re.search(rb"<(?:(\w+):)?sheetData/>", xml)
    assert placeholder is not None
    p = placeholder.group(1)
    tag = (p + b":sheetData") if p else b"sheetData"
    body = "".join(parts).encode("utf-8")
    return (
        xml[: placeholder.start()]
        + b"<"
        + tag
        + b">"
        + body
        + b"</"
        + tag
        + b">"
        + xml[placeholder.end() :]
    )


def _freeze(root: Any, hr: int) -> None:
    from lxml import etree

    views = _child(root, "sheetViews")
    view = views.find(_M + "sheetView")
    if view is None:
        view = etree.SubElement(views, _M + "sheetView", workbookViewId="0")
    pane = view.find(_M + "pane")
    if pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == str(hr):
        return
    for old in view.findall(_M + "pane") + view.findall(_M + "selection"):
        view.remove(old)
    pane = etree.Element(_M + "pane")
    pane.attrib.update(
        {
            "ySplit": str(hr),
            "topLeftCell": f"A{hr + 1}",
            "activePane": "bottomLeft",
            "state": "frozen",
        }
    )
    selection = etree.Element(_M + "selection")
    selection.attrib.update(
        {"pane": "bottomLeft", "activeCell": f"A{hr + 1}", "sqref": f"A{hr + 1}"}
    )
    view.insert(0, selection)
    view.insert(0, pane)


def _set_widths(root: Any, widths: dict[int, float]) -> None:
    """Give our columns a width unless the user already set one (theirs wins)."""
    from lxml import etree

    if not widths:
        return
    cols = _child(root, "cols")
    covered: set[int] = set()
    for col in cols:
        lo, hi = int(col.get("min", "1")) - 1, int(col.get("max", "1")) - 1
        covered.update(range(lo, min(hi, 16_383) + 1))
    for pos, width in widths.items():
        if pos in covered:
            continue
        el = etree.SubElement(cols, _M + "col")
        el.attrib.update(
            {"min": str(pos + 1), "max": str(pos + 1), "width": str(width), "customWidth": "1"}
        )
    cols[:] = sorted(cols, key=lambda c: int(c.get("min", "1")))


def _set_validations(root: Any, spec: _SheetSpec, hr: int) -> None:
    """Replace drop-downs on our columns with the current lists; keep the user's own."""
    from lxml import etree

    ours = spec.known_positions
    dvs = root.find(_M + "dataValidations")
    if dvs is not None:
        for dv in list(dvs):
            if _sqref_columns(dv.get("sqref", "")) <= ours:
                dvs.remove(dv)
    ext_list = root.find(_M + "extLst")
    if ext_list is not None:
        for dv in ext_list.iter(f"{{{X14_NS}}}dataValidation"):
            sqref = dv.find(f"{{{XM_NS}}}sqref")
            if sqref is not None and _sqref_columns(sqref.text or "") <= ours:
                parent = dv.getparent()
                parent.remove(dv)
                if not len(parent):
                    ext = parent.getparent()
                    ext.getparent().remove(ext)
        if not len(ext_list):
            root.remove(ext_list)
    if spec.validations:
        dvs = _child(root, "dataValidations")
        for letter, formula, strict in spec.validations:
            dv = etree.SubElement(dvs, _M + "dataValidation")
            dv.attrib.update(
                {
                    "type": "list",
                    "allowBlank": "1",
                    "showErrorMessage": "1",
                    "sqref": f"{letter}{hr + 1}:{letter}{_MAX_ROW}",
                }
            )
            if not strict:
                dv.set("errorStyle", "warning")
            dv.set("errorTitle", "Not in the list")
            dv.set("error", "Choose a value from the drop-down list.")
            etree.SubElement(dv, _M + "formula1").text = formula
    if dvs is not None:
        if len(dvs):
            dvs.set("count", str(len(dvs)))
        else:
            root.remove(dvs)


# --- package-level edits -------------------------------------------------------------------


class _Package:
    """The parts of an .xlsx zip; changed parts are replaced, everything else copied as is."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = self.zip.namelist()
        self.changed: dict[str, bytes | None] = {}

    def read(self, name: str) -> bytes:
        if name in self.changed:
            value = self.changed[name]
            if value is None:
                raise KeyError(name)
            return value
        return self.zip.read(name)

    def exists(self, name: str) -> bool:
        if name in self.changed:
            return self.changed[name] is not None
        return name in self.names

    def write(self, name: str, data: bytes) -> None:
        self.changed[name] = data

    def remove(self, name: str) -> None:
        self.changed[name] = None

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
            order = ["[Content_Types].xml"] + [n for n in self.names if n != "[Content_Types].xml"]
            order += [n for n in self.changed if n not in self.names]
            for name in order:
                if not self.exists(name):
                    continue
                if name in self.changed:
                    z.writestr(name, self.changed[name] or b"")
                else:
                    old = self.zip.getinfo(name)  # copied, not reused: writing mutates it
                    info = zipfile.ZipInfo(name, date_time=old.date_time)
                    info.external_attr = old.external_attr
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, self.zip.read(name), compresslevel=COMPRESS_LEVEL)
        return out.getvalue()


def _template_package() -> bytes:
    """An empty workbook package to write a brand-new register into."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = rs.SHEET_PROJECTS
    for name in RECORD_SHEETS[1:]:
        wb.create_sheet(name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _elem_key(elem: Any) -> tuple[Any, ...]:
    return (
        _local(elem.tag),
        tuple(sorted(elem.attrib.items())),
        tuple(_elem_key(c) for c in elem),
    )


def _find_or_add(parent: Any, elem: Any) -> int:
    key = _elem_key(elem)
    for i, child in enumerate(parent):
        if _elem_key(child) == key:
            return i
    parent.append(elem)
    parent.set("count", str(len(parent)))
    return len(parent) - 1


def _ensure_styles(pkg: _Package, styles_part: str) -> dict[str, int]:
    """Add (once) the header style (NHS Blue, white bold) and the dd/mm/yyyy date style."""
    from lxml import etree

    root = etree.fromstring(pkg.read(styles_part))

    def el(tag: str, children: Iterable[Any] = (), **attrs: str) -> Any:
        e = etree.Element(_M + tag)
        for k, v in attrs.items():
            e.set(k, v)
        e.extend(children)
        return e

    num_fmts = _child(root, "numFmts")
    fmt_id = None
    for nf in num_fmts:
        if (nf.get("formatCode") or "").casefold() == rs.EXCEL_DATE_FORMAT:
            fmt_id = int(nf.get("numFmtId", "0"))
    if fmt_id is None:
        fmt_id = max([163] + [int(nf.get("numFmtId", "0")) for nf in num_fmts]) + 1
        num_fmts.append(el("numFmt", numFmtId=str(fmt_id), formatCode=rs.EXCEL_DATE_FORMAT))
        num_fmts.set("count", str(len(num_fmts)))
    fonts, fills, xfs = _child(root, "fonts"), _child(root, "fills"), _child(root, "cellXfs")
    if not len(xfs):
        xfs.append(el("xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0"))
    font_id = _find_or_add(
        fonts,
        el(
            "font",
            [
                el("b"),
                el("sz", val="11"),
                el("color", rgb="FFFFFFFF"),
                el("name", val="Calibri"),
                el("family", val="2"),
            ],
        ),
    )
    fill_id = _find_or_add(
        fills,
        el(
            "fill",
            [
                el(
                    "patternFill",
                    [el("fgColor", rgb="FF005EB8"), el("bgColor", indexed="64")],
                    patternType="solid",
                )
            ],
        ),
    )
    header = el(
        "xf",
        [el("alignment", vertical="center", wrapText="1")],
        numFmtId="0",
        fontId=str(font_id),
        fillId=str(fill_id),
        borderId="0",
        xfId="0",
        applyFont="1",
        applyFill="1",
        applyAlignment="1",
    )
    date_xf = el(
        "xf",
        numFmtId=str(fmt_id),
        fontId="0",
        fillId="0",
        borderId="0",
        xfId="0",
        applyNumberFormat="1",
    )
    ids = {"header": _find_or_add(xfs, header), "date": _find_or_add(xfs, date_xf)}
    pkg.write(
        styles_part, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    )
    return ids


class _Workbook:
    """workbook.xml, its relationships and the content types: add sheets, hide, drop calcChain."""

    def __init__(self, pkg: _Package) -> None:
        from lxml import etree

        self.pkg = pkg
        self.part = _workbook_part(pkg.zip)
        self.base = self.part.rpartition("/")[0]
        self.rels_part = _rels_part(self.part)
        self.root = etree.fromstring(pkg.read(self.part))
        self.rels = etree.fromstring(pkg.read(self.rels_part))
        self.types = etree.fromstring(pkg.read("[Content_Types].xml"))

    def refs(self) -> list[_SheetRef]:
        targets = {r.get("Id"): r.get("Target", "") for r in self.rels}
        out = []
        for sheet in self.root.find(_M + "sheets"):
            rid = sheet.get(f"{{{REL_NS}}}id", "")
            if rid in targets:
                out.append(
                    _SheetRef(
                        sheet.get("name", ""),
                        sheet.get("state", "visible"),
                        _resolve(self.base, targets[rid]),
                        rid,
                    )
                )
        return out

    def styles_part(self) -> str:
        for rel in self.rels:
            if rel.get("Type", "").endswith("/styles"):
                return _resolve(self.base, rel.get("Target", ""))
        raise ValueError("workbook has no styles part")

    def add_sheet(self, name: str, hidden: bool) -> str:
        from lxml import etree

        existing = {r.part for r in self.refs()} | set(self.pkg.names)
        n = 1
        while f"{self.base}/worksheets/sheet{n}.xml" in existing:
            n += 1
        part = f"{self.base}/worksheets/sheet{n}.xml"
        rids = {r.get("Id") for r in self.rels}
        k = len(rids) + 1
        while f"rId{k}" in rids:
            k += 1
        rel = etree.SubElement(self.rels, f"{{{PKG_REL_NS}}}Relationship")
        rel.attrib.update(
            {"Id": f"rId{k}", "Type": WORKSHEET_REL, "Target": f"worksheets/sheet{n}.xml"}
        )
        sheets = self.root.find(_M + "sheets")
        ids = [int(s.get("sheetId", "0")) for s in sheets]
        sheet = etree.SubElement(sheets, _M + "sheet")
        sheet.attrib.update({"name": name, "sheetId": str(max(ids, default=0) + 1)})
        if hidden:
            sheet.set("state", "hidden")
        sheet.set(f"{{{REL_NS}}}id", f"rId{k}")
        override = etree.SubElement(self.types, f"{{{CT_NS}}}Override")
        override.attrib.update({"PartName": "/" + part, "ContentType": WORKSHEET_CT})
        self.pkg.write(part, _EMPTY_SHEET)
        return part

    def hide(self, name: str) -> None:
        for sheet in self.root.find(_M + "sheets"):
            if sheet.get("name") == name:
                sheet.set("state", "hidden")

    def tidy(self, filter_refs: dict[str, str]) -> None:
        """Drop the calculation chain (stale after cells change; Excel rebuilds it), keep the
        active tab on a visible sheet and point hidden filter names at the new ranges."""
        for rel in list(self.rels):
            if rel.get("Type", "").endswith("/calcChain"):
                target = _resolve(self.base, rel.get("Target", ""))
                self.rels.remove(rel)
                self.pkg.remove(target)
                for ov in list(self.types):
                    if ov.get("PartName", "").lstrip("/") == target:
                        self.types.remove(ov)
        sheets = list(self.root.find(_M + "sheets"))
        view = self.root.find(f"{_M}bookViews/{_M}workbookView")
        if view is not None:
            active = int(view.get("activeTab", "0"))
            if active >= len(sheets) or sheets[active].get("state", "visible") != "visible":
                visible = [
                    i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"
                ]
                view.set("activeTab", str(visible[0] if visible else 0))
                view.set("firstSheet", "0")
        self._filter_names(sheets, filter_refs)

    def _filter_names(self, sheets: list[Any], filter_refs: dict[str, str]) -> None:
        """The hidden ``_xlnm._FilterDatabase`` name Excel writes for each auto-filter
        (LibreOffice needs it to show the filter buttons)."""
        from lxml import etree

        if not filter_refs:
            return
        names = self.root.find(_M + "definedNames")
        if names is None:
            names = etree.Element(_M + "definedNames")
            order = [
                "fileVersion",
                "fileSharing",
                "workbookPr",
                "workbookProtection",
                "bookViews",
                "sheets",
                "functionGroups",
                "externalReferences",
            ]
            last = max((i for i, c in enumerate(self.root) if _local(c.tag) in order), default=-1)
            self.root.insert(last + 1, names)
        index = {s.get("name"): i for i, s in enumerate(sheets)}
        existing = {
            dn.get("localSheetId"): dn for dn in names if dn.get("name") == "_xlnm._FilterDatabase"
        }
        for sheet, ref in filter_refs.items():
            sheet_id = str(index.get(sheet, -1))
            dn = existing.get(sheet_id)
            if dn is None:
                dn = etree.SubElement(names, _M + "definedName")
                dn.attrib.update(
                    {"name": "_xlnm._FilterDatabase", "localSheetId": sheet_id, "hidden": "1"}
                )
            dn.text = ref

    def save(self) -> None:
        from lxml import etree

        def dump(root: Any) -> bytes:
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

        self.pkg.write(self.part, dump(self.root))
        self.pkg.write(self.rels_part, dump(self.rels))
        self.pkg.write("[Content_Types].xml", dump(self.types))


# --- saving --------------------------------------------------------------------------------


def _table_parts(pkg: _Package, sheet_part: str) -> list[str]:
    """The Excel table parts ("Format as Table") attached to a sheet."""
    from lxml import etree

    rels_part = _rels_part(sheet_part)
    if not pkg.exists(rels_part):
        return []
    base = sheet_part.rpartition("/")[0]
    rels = etree.fromstring(pkg.read(rels_part))
    return [
        _resolve(base, r.get("Target", ""))
        for r in rels
        if r.get("Type", "").endswith("/table") and r.get("TargetMode") != "External"
    ]


def _resize_table(pkg: _Package, part: str, header_row: int, last_row: int) -> None:
    """Make a table cover the rows as saved (same columns, header row to the last row)."""
    from lxml import etree

    if not pkg.exists(part):
        return
    root = etree.fromstring(pkg.read(part))
    match = re.match(r"^([A-Z]+)\d+:([A-Z]+)\d+$", root.get("ref", ""))
    if match is None:
        return
    extra = int(root.get("totalsRowCount", "0") or 0)
    ref = f"{match.group(1)}{header_row}:{match.group(2)}{last_row + extra}"
    root.set("ref", ref)
    auto = root.find(_M + "autoFilter")
    if auto is not None:
        auto.set("ref", f"{match.group(1)}{header_row}:{match.group(2)}{last_row}")
    pkg.write(part, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _quote_sheet(name: str) -> str:
    return (
        name
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name)
        else "'" + name.replace("'", "''") + "'"
    )


def _record_spec(
    doc: RegisterDocument,
    sheet: str,
    layout: SheetLayout | None,
    styles: dict[str, int],
    list_ranges: dict[str, str],
    has_table: bool = False,
) -> tuple[_SheetSpec, SheetLayout]:
    frame = doc.frames[sheet]
    known = rs.SHEET_COLUMNS[sheet]
    hr = layout.header_row if layout else 1
    n = len(frame)
    rows = [str(hr + 1 + i) for i in range(n)]
    taken: set[int] = set()
    positions: dict[str, int] = {}
    if layout:
        positions.update(layout.known_cols)
        positions.update({k: v for k, v in layout.extra_cols.items() if k in frame.columns})
        taken.update(layout.known_cols.values())
        taken.update(layout.extra_cols.values())
    nxt = max(taken, default=-1) + 1
    for name in list(rs.headers(sheet)) + doc.extra_columns(sheet):
        if name not in positions:
            positions[name] = nxt
            nxt += 1
    raw_by_col: dict[str, dict[int, object]] = {}
    if doc.raw[sheet]:
        pos_of = {k: i for i, k in enumerate(frame.index)}
        for (key, col), value in doc.raw[sheet].items():
            if key in pos_of:
                raw_by_col.setdefault(col, {})[pos_of[key]] = value
    old_rows = layout.key_rows if layout else {}
    row_sources = [old_rows.get(int(k)) for k in frame.index]
    columns: list[_OutColumn] = []
    validations: list[tuple[str, str, bool]] = []
    for col in known:
        pos = positions[col.header]
        letter = _col_letter(pos)
        cells = _column_cells(
            letter,
            rows,
            frame[col.header],
            col.kind,
            raw_by_col.get(col.header, {}),
            styles["date"],
        )
        header = col.header
        if has_table and layout is not None:
            header = layout.header_text.get(col.header, col.header)
        columns.append(_OutColumn(pos, header=header, cells=cells, width=col.width))
        if col.kind == "choice" and col.choices in list_ranges:
            strict = not rs.LIST_BY_KEY[col.choices].extendable
            validations.append((letter, list_ranges[col.choices], strict))
        elif col.kind == "yesno":
            validations.append((letter, '"Yes,No"', False))
    loaded = layout.extras_loaded if layout else None
    for name in doc.extra_columns(sheet):
        pos = positions[name]
        series = frame[name]
        in_old = layout is not None and name in layout.extra_cols
        if not in_old:
            values = series.tolist()
            cells = [
                _value_cell(f"{_col_letter(pos)}{rows[i]}", v, date_style=styles["date"])
                for i, v in enumerate(values)
            ]
            columns.append(_OutColumn(pos, header=name, cells=cells))
            continue
        columns.append(
            _OutColumn(
                pos,
                source=layout.extra_cols[name],
                overrides=_changed_extras(series, loaded, name, row_sources),
            )
        )
    spec = _SheetSpec(
        header_row=hr,
        n_rows=n,
        columns=columns,
        row_sources=row_sources,
        header_style=styles["header"],
        validations=validations,
        known_positions={positions[h] for h in rs.headers(sheet)},
    )
    new_layout = SheetLayout(
        sheet,
        layout.part if layout else None,
        hr,
        {h: positions[h] for h in rs.headers(sheet)},
        {name: positions[name] for name in doc.extra_columns(sheet)},
        {int(k): hr + 1 + i for i, k in enumerate(frame.index)},
        frame[doc.extra_columns(sheet)].copy() if doc.extra_columns(sheet) else None,
        hr + n,
        {
            h: (layout.header_text.get(h, h) if has_table and layout else h)
            for h in rs.headers(sheet)
        },
    )
    return spec, new_layout


def _changed_extras(
    series: pd.Series, loaded: pd.DataFrame | None, name: str, row_sources: list[int | None]
) -> dict[int, object]:
    """Cells of an unknown column whose value differs from the file (edited or new rows):
    only those are rewritten; the others are copied with their style and formula."""
    values = series.tolist()
    if loaded is not None and name in loaded.columns:
        before = loaded[name].reindex(series.index).tolist()
    else:
        before = [None] * len(values)
    changed: dict[int, object] = {}
    for i, (old, new) in enumerate(zip(before, values, strict=True)):
        if row_sources[i] is None:
            if not _blank_value(new):
                changed[i] = new
        elif old is not new and not _same(old, new):
            changed[i] = new
    return changed


def _blank_value(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _same(a: object, b: object) -> bool:
    if _blank_value(a) and _blank_value(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _lists_spec(
    doc: RegisterDocument, layout: SheetLayout | None, styles: dict[str, int]
) -> tuple[_SheetSpec, dict[str, str], SheetLayout]:
    positions: dict[str, int] = dict(layout.known_cols) if layout else {}
    taken = set(positions.values()) | (set(layout.extra_cols.values()) if layout else set())
    nxt = max(taken, default=-1) + 1
    for d in rs.LIST_DEFS:
        if d.header not in positions:
            positions[d.header] = nxt
            nxt += 1
    values = {d.header: doc.list_values(d.key) for d in rs.LIST_DEFS}
    old_last = layout.last_row if layout else 1
    n = max(max(len(v) for v in values.values()), old_last - 1, 0)
    ranges: dict[str, str] = {}
    columns: list[_OutColumn] = []
    for d in rs.LIST_DEFS:
        pos = positions[d.header]
        letter = _col_letter(pos)
        items = values[d.header]
        cells = [
            _value_cell(f"{letter}{i + 2}", items[i]) if i < len(items) else "" for i in range(n)
        ]
        columns.append(_OutColumn(pos, header=d.header, cells=cells, width=40))
        if items:
            ranges[d.key] = f"{_quote_sheet(rs.SHEET_LISTS)}!${letter}$2:${letter}${len(items) + 1}"
    for _name, src in layout.extra_cols.items() if layout else []:
        columns.append(_OutColumn(src, source=src))
    spec = _SheetSpec(
        header_row=1,
        n_rows=n,
        columns=columns,
        row_sources=[i + 2 if i + 2 <= old_last else None for i in range(n)],
        header_style=styles["header"],
        autofilter=False,
        known_positions=set(positions.values()),
    )
    new_layout = SheetLayout(
        rs.SHEET_LISTS,
        layout.part if layout else None,
        known_cols=positions,
        extra_cols=dict(layout.extra_cols) if layout else {},
        last_row=n + 1,
    )
    return spec, ranges, new_layout


def _meta_sheet(meta: dict[str, str]) -> bytes:
    rows = []
    for i, (key, value) in enumerate(meta.items(), start=1):
        val: object = value
        if key == "schema_version":
            val = int(value)
        rows.append(f'<row r="{i}">{_value_cell(f"A{i}", key)}{_value_cell(f"B{i}", val)}</row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="2" width="24" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


def _meta_for_save(doc: RegisterDocument) -> dict[str, str]:
    from lmns_desktop import __version__

    meta = {
        "schema_version": str(rs.SCHEMA_VERSION),
        "app": rs.APP_NAME,
        "app_version": __version__,
        "saved_at": datetime.now().isoformat(timespec="seconds"),
        "saved_by": fs.current_user(),
        "machine": fs.current_machine(),
    }
    for key, value in doc.meta.items():
        if key not in meta:
            meta[key] = value
    return meta


def _serialise(doc: RegisterDocument) -> tuple[bytes, StoreState, dict[str, str]]:
    state: StoreState | None = doc.store_state
    pkg = _Package(state.package if state else _template_package())
    layouts = dict(state.layouts) if state else {}
    wb = _Workbook(pkg)
    refs = {r.name: r for r in wb.refs()}

    def part_for(sheet: str, hidden: bool = False) -> str:
        ref = _find_sheet(list(refs.values()), sheet)
        if ref is not None:
            if hidden:
                wb.hide(ref.name)
            return ref.part
        return wb.add_sheet(sheet, hidden)

    parts = {s: part_for(s) for s in RECORD_SHEETS}
    parts[rs.SHEET_LISTS] = part_for(rs.SHEET_LISTS, hidden=True)
    parts[rs.SHEET_META] = part_for(rs.SHEET_META, hidden=True)
    styles = _ensure_styles(pkg, wb.styles_part())

    lists_layout = layouts.get(rs.SHEET_LISTS)
    if lists_layout is not None and lists_layout.part != parts[rs.SHEET_LISTS]:
        lists_layout = None
    spec, ranges, new_lists = _lists_spec(doc, lists_layout, styles)
    original = pkg.read(parts[rs.SHEET_LISTS]) if lists_layout else None
    pkg.write(parts[rs.SHEET_LISTS], _render_sheet(original, spec, styles["date"]))
    new_lists.part = parts[rs.SHEET_LISTS]
    new_layouts: dict[str, SheetLayout] = {rs.SHEET_LISTS: new_lists}

    filter_refs: dict[str, str] = {}
    for sheet in RECORD_SHEETS:
        layout = layouts.get(sheet)
        if layout is not None and layout.part != parts[sheet]:
            layout = None
        original = pkg.read(parts[sheet]) if layout is not None and layout.part else None
        tables = _table_parts(pkg, parts[sheet]) if original and b"tablePart" in original else []
        spec, new_layout = _record_spec(doc, sheet, layout, styles, ranges, bool(tables))
        pkg.write(parts[sheet], _render_sheet(original, spec, styles["date"]))
        new_layout.part = parts[sheet]
        new_layouts[sheet] = new_layout
        last_row = max(spec.header_row + spec.n_rows, spec.header_row + 1)
        for table in tables:
            _resize_table(pkg, table, spec.header_row, last_row)
        if not tables:
            last = _col_letter(max(c.pos for c in spec.columns))
            ref = _find_sheet(wb.refs(), sheet)
            name = ref.name if ref else sheet
            filter_refs[name] = f"{_quote_sheet(name)}!$A${spec.header_row}:${last}${last_row}"
    meta = _meta_for_save(doc)
    pkg.write(parts[rs.SHEET_META], _meta_sheet(meta))
    new_layouts[rs.SHEET_META] = SheetLayout(rs.SHEET_META, parts[rs.SHEET_META])
    wb.tidy(filter_refs)
    wb.save()
    data = pkg.to_bytes()
    return data, StoreState(data, None, new_layouts), meta


def to_bytes(doc: RegisterDocument) -> bytes:
    """The register as the bytes of an ``.xlsx`` file (used by saving and crash recovery)."""
    return _serialise(doc)[0]


def _same_file(a: Path, b: Path | None) -> bool:
    if b is None:
        return False
    try:
        return a.resolve() == Path(b).resolve()
    except OSError:
        return False


def save_register(
    doc: RegisterDocument,
    path: Path | None = None,
    *,
    overwrite: bool = False,
    keep_backups: int = fs.DEFAULT_BACKUPS,
    ignore_excel_lock: bool = False,
) -> Path:
    """Save safely: check for others' changes, back up, write atomically, then release our lock.

    Raises :class:`file_safety.FileChangedError` when the file changed on disk since it was
    opened (``overwrite=True`` after the user chose to), :class:`file_safety.FileInUseError`
    when it is open in Excel, and :class:`file_safety.SaveError` when writing failed; in every
    case the file on disk is unchanged.
    """
    target = Path(path) if path is not None else doc.path
    if target is None:
        raise UserError("Choose where to save the register (File > Save as).")
    target = Path(target)
    state: StoreState | None = doc.store_state
    if state is not None and not overwrite and _same_file(target, doc.path):
        fs.check_not_changed(target, state.fingerprint)
    if not ignore_excel_lock:
        owner = fs.excel_lock_owner(target)
        if owner is not None:
            raise fs.FileInUseError(
                f"{target.name} is open in Excel by {owner}. Ask them to close it and save "
                "again, or save your changes as a copy."
            )
    try:
        data, new_state, meta = _serialise(doc)
    except UserError:
        raise
    except Exception as exc:
        raise fs.SaveError(
            f"{target.name} could not be saved because the register could not be written out. "
            "Nothing was overwritten: the file on disk is as it was."
        ) from exc
    fs.make_backup(target, keep_backups)
    fs.atomic_write(target, data)
    new_state.fingerprint = fs.Fingerprint.of_bytes(target, data)
    doc.store_state = new_state
    doc.meta = meta
    doc.mark_saved(
        target,
        {s: dict(new_state.layouts[s].key_rows) for s in RECORD_SHEETS},
        {s: new_state.layouts[s].header_row for s in RECORD_SHEETS},
    )
    fs.release_lock(target)
    return target


def write_new_register(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write a brand-new register workbook, formatted for Excel users."""
    doc = RegisterDocument(sheets)
    return save_register(doc, Path(path))


# --- CLI-ready functions -------------------------------------------------------------------


def check_register(path: Path) -> dict[str, Any]:
    """``lmns-desktop register check``: counts and validation problems as JSON-ready data."""
    from lmns_desktop.core.register_validation import validate

    doc = read_register(Path(path))
    return {
        "projects": len(doc.projects),
        "evidence": len(doc.evidence),
        "measures": len(doc.measures),
        "problems": [p.as_dict() for p in validate(doc)],
    }


def upgrade_register(path: Path, out: Path) -> Path:
    """``lmns-desktop register upgrade``: re-save any older or hand-made layout in the current
    schema (missing sheets and columns added), keeping everything else as it was."""
    doc = read_register(Path(path))
    out = Path(out)
    return save_register(doc, out, overwrite=_same_file(out, Path(path)))


def counts_by(projects: pd.DataFrame, column: str, order: tuple[str, ...] = ()) -> pd.Series:
    """Number of projects per value of ``column``, fixed-list values first and in list order."""
    counts = projects[column].fillna(vocab.NOT_KNOWN).astype(str).value_counts()
    ordered = [v for v in order if v in counts.index] + sorted(set(counts.index) - set(order))
    return counts.reindex(ordered)
