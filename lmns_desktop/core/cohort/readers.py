"""Read a cohort file of any supported format into a :class:`RawTable` of text cells.

Why text: the header row is not known yet and identifiers (NHS numbers, pseudo-IDs with leading
zeros) must never be turned into numbers, so every cell is kept as text in one neutral form
whatever the format: numbers in shortest form ("28", "27.7", "9993291623"), date cells as ISO
("2024-03-01 00:00:00"), booleans "true"/"false", formula errors as Excel shows them ("#N/A").
Empty cells are missing (NA). :mod:`normalise` parses types later, column by column, counting
every change.

Engines (measured by ``tests/bench/bench_cohort_import.py`` on a 200,000-row demo export, as
whole subprocesses on 2 vCPUs): fastexcel (calamine in Rust, Arrow output, releases the GIL)
3.3 s; python-calamine ``to_python`` 4.6 s; pandas' calamine engine 8.2 s; openpyxl 53 s. So
.xlsx/.xlsm/.xls/.ods are read with fastexcel as strings (which also reports formula-error
cells); python-calamine supplies the first cell's position for .xls/.ods and is the fallback
engine. Splitting a big sheet's XML into row blocks parsed on two threads was tried and gave
nothing on 2 cores (each block re-parses the shared strings), so it is not used. CSV goes
through Arrow's reader for tidy UTF-8 files and pandas' C parser otherwise (ragged title rows,
blank lines, other encodings), with the encoding and delimiter sniffed here.

Files are recognised by their content, not their extension, so a PDF or Word file renamed
``.xlsx``, an ``.xlsx`` renamed ``.xls`` or a CSV renamed ``.xlsx`` each get a clear sentence
(or are read with a note). Password-protected workbooks (.xlsx and .xls) are decrypted in memory
with msoffcrypto-tool; nothing decrypted touches the disk.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lmns_desktop.core.errors import UserError
from lmns_desktop.core.jobs import (
    Cancelled,
    CancelledFn,
    ProgressFn,
    check_cancelled,
    never_cancelled,
    no_progress,
)

from . import xlsx_read
from ._util import column_letter, run_cancellable

log = logging.getLogger(__name__)

EXCEL_EXTENSIONS: dict[str, str] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsm",
    ".xls": "xls",
    ".ods": "ods",
}
TEXT_EXTENSIONS: dict[str, str] = {".csv": "csv", ".tsv": "csv", ".txt": "csv"}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(EXCEL_EXTENSIONS) + tuple(TEXT_EXTENSIONS)
_SUPPORTED_TEXT = ".xlsx, .xlsm, .xls, .ods or .csv"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", ";", "\t", "|")
# Rough read speed of the fast path (compressed bytes per second), for the progress bar only.
_BYTES_PER_SECOND = 9_000_000


def _default_engine() -> str:
    try:
        import fastexcel  # noqa: F401
    except ImportError:  # pragma: no cover - fastexcel is a dependency; keep a working fallback
        return "calamine"
    return "fastexcel"


#: "fastexcel" (fast path) or "calamine" (python-calamine lists); tests compare the two.
ENGINE = _default_engine()


# --- Errors --------------------------------------------------------------------------------


class CohortFileError(UserError):
    """A cohort or reference file cannot be read; the message says why and what to do."""


class PasswordRequired(CohortFileError):
    """The workbook is password-protected: ask the user for the password and try again."""


class WrongPassword(PasswordRequired):
    """The password given does not open the workbook: ask again."""


# --- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of a workbook, as the sheet picker shows it."""

    name: str
    index: int
    visible: bool = True


@dataclass(frozen=True)
class CellRange:
    """A merged block of cells, 0-based absolute sheet positions, inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class RawTable:
    """Every cell of one sheet as text, before any header is assumed.

    ``cells`` has integer column labels 0..n-1 and a default index; row ``i`` is spreadsheet row
    ``first_row + i`` and column ``j`` is sheet column ``first_col + j`` (0 = A), so messages
    can point at the cell the user sees in Excel.
    """

    cells: pd.DataFrame
    sheet: str
    file_format: str
    first_row: int = 1
    first_col: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    sheets: tuple[str, ...] = ()
    error_cells: int = 0
    file_name: str = ""
    _merged_loader: Callable[[], list[CellRange]] | None = field(default=None, repr=False)
    _merged: list[CellRange] | None = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return self.cells.shape[1]

    def row_number(self, i: int) -> int:
        """Spreadsheet row number (1-based) of ``cells`` row ``i``."""
        return self.first_row + int(i)

    def letter(self, j: int) -> str:
        """Spreadsheet column letters of ``cells`` column ``j``."""
        return column_letter(self.first_col + int(j))

    def where(self) -> str:
        """How sentences name this table: "sheet 'Data' of 'x.xlsx'" or "file 'x.csv'"."""
        if self.file_format in ("csv", "html"):
            return f"file '{self.file_name or self.sheet}'"
        if self.file_name:
            return f"sheet '{self.sheet}' of '{self.file_name}'"
        return f"sheet '{self.sheet}'"

    def merged_ranges(self) -> list[CellRange]:
        """Merged cell blocks, loaded on first use (it costs a second pass over big .xlsx)."""
        if self._merged is None:
            try:
                self._merged = self._merged_loader() if self._merged_loader else []
            except Exception:  # merged cells are a nicety; never fail an import for them
                log.warning("merged cell ranges could not be read", exc_info=True)
                self._merged = []
        return self._merged


# --- Public functions ----------------------------------------------------------------------


def list_sheets(path: str | Path, password: str | None = None) -> list[SheetInfo]:
    """Sheets of a workbook in workbook order (one pseudo-sheet named after a CSV file)."""
    src = _open_source(Path(path), password)
    if src.kind == "csv":
        return [SheetInfo(src.path.stem, 0, True)]
    if src.kind == "html":
        return [SheetInfo(src.path.stem, 0, True)]
    return _excel_sheets(src)


def read_raw(
    path: str | Path,
    sheet: str | None = None,
    password: str | None = None,
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> RawTable:
    """Read one sheet (the first visible sheet holding a table when ``sheet`` is None)."""
    path = Path(path)
    progress(0, f"Opening {path.name}")
    src = _open_source(path, password)
    check_cancelled(is_cancelled)
    if src.kind == "csv":
        raw = _read_csv(src, progress=progress, is_cancelled=is_cancelled)
    elif src.kind == "html":
        raw = _read_html(src)
    else:
        raw = _read_excel(src, sheet, progress=progress, is_cancelled=is_cancelled)
    raw.notes[:0] = src.notes
    raw.file_name = path.name
    progress(100, f"Read {raw.n_rows:,} rows")
    log.info(
        "read %s sheet=%s format=%s rows=%d cols=%d",
        path.name,
        raw.sheet,
        raw.file_format,
        raw.n_rows,
        raw.n_cols,
    )
    return raw


# --- Recognising the file ------------------------------------------------------------------


@dataclass
class _Source:
    path: Path
    kind: str  # "xlsx" | "xlsm" | "xls" | "ods" | "csv" | "html"
    data: bytes | None = None  # decrypted workbook, or whole file when the extension lies
    notes: list[str] = field(default_factory=list)

    def fastexcel_source(self) -> str | bytes:
        return self.data if self.data is not None else str(self.path)

    def zip_source(self) -> str | io.BytesIO:
        return io.BytesIO(self.data) if self.data is not None else str(self.path)

    def calamine_source(self) -> str | io.BytesIO:
        return io.BytesIO(self.data) if self.data is not None else str(self.path)


def _open_source(path: Path, password: str | None) -> _Source:
    """Check the file exists and is readable, and work out what it really contains."""
    name = path.name
    if name.startswith("~$"):
        raise CohortFileError(
            f"'{name}' is the small lock file Excel makes while a workbook is open, not the "
            f"workbook itself; choose '{name[2:]}' instead."
        )
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "no extension"
        raise CohortFileError(
            f"'{name}' has {shown}, which is not a cohort file type this app reads; save it "
            f"from Excel as {_SUPPORTED_TEXT} and open that."
        )
    try:
        if path.is_dir():
            raise CohortFileError(
                f"'{name}' is a folder, not a file; choose the cohort file inside it."
            )
        with open(path, "rb") as fh:
            head = fh.read(8192)
            size = fh.seek(0, io.SEEK_END)
    except FileNotFoundError:
        raise CohortFileError(
            f"The file '{name}' was not found; it may have been moved or renamed. Choose it again."
        ) from None
    except PermissionError:
        raise CohortFileError(
            f"'{name}' cannot be opened: another program (often Excel, or OneDrive syncing) has "
            f"it locked, or you do not have permission. Close it there and try again."
        ) from None
    except OSError as exc:
        raise CohortFileError(
            f"'{name}' could not be read from the disk ({exc.strerror or 'input/output error'}); "
            f"copy it to your computer and try again."
        ) from None
    if size == 0:
        raise CohortFileError(
            f"'{name}' is empty (0 bytes): the export or copy did not finish. Export the cohort "
            f"again and open the new file."
        )

    if head.startswith(b"%PDF"):
        raise CohortFileError(
            f"'{name}' is a PDF document, not a spreadsheet (it was probably renamed to {ext}); "
            f"export the cohort from the source system as .xlsx or .csv."
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_source(path, ext, password)
    if head.startswith(_OLE_MAGIC):
        return _ole_source(path, ext, password)
    text_kind = _text_kind(head)
    if text_kind == "html":
        note = (
            f"'{name}' is a web page (HTML table) saved with a spreadsheet name; it was read "
            f"as a table."
        )
        return _Source(path, "html", notes=[note])
    if text_kind == "spreadsheetml":
        raise CohortFileError(
            f"'{name}' is an Excel 2003 XML spreadsheet, which this app cannot read; open it in "
            f"Excel and save it as .xlsx."
        )
    if text_kind == "text":
        notes = []
        if ext in EXCEL_EXTENSIONS:
            notes.append(
                f"'{name}' is a plain-text (CSV) file with a {ext} name; it was read as CSV."
            )
        return _Source(path, "csv", notes=notes)
    if ext in TEXT_EXTENSIONS:
        raise CohortFileError(
            f"'{name}' is not a text (CSV) file: it holds binary data. Export the cohort again "
            f"as CSV or .xlsx."
        )
    raise CohortFileError(
        f"'{name}' is not a spreadsheet this app can read (its contents are not a {ext} "
        f"workbook); open it in Excel and save it as .xlsx, or export it again."
    )


def _text_kind(head: bytes) -> str | None:
    """ "text", "html", "spreadsheetml" or None (binary) for the first bytes of a file."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM ("Unicode text" from Excel)
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if b"\x00" in body:
        return None
    try:
        sample = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 4:  # not just a character cut at the 8 KB boundary
            sample = body.decode("cp1252", errors="replace")
        else:
            sample = body[: exc.start].decode("utf-8")
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(2, len(sample) // 100):
        return None
    start = sample.lstrip().lower()[:400]
    if start.startswith(("<!doctype html", "<html", "<table")) or (
        start.startswith("<") and "<table" in sample.lower()
    ):
        return "html"
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in sample:
        return "spreadsheetml"
    return "text"


def _zip_source(path: Path, ext: str, password: str | None) -> _Source:
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise CohortFileError(
            f"'{name}' is damaged: it is not a complete workbook (it may have been copied or "
            f"downloaded only in part). Open it in Excel to repair it, or export it again."
        ) from None
    if "xl/workbook.xml" in names:
        kind = "xlsm" if ext == ".xlsm" else "xlsx"
    elif "xl/workbook.bin" in names:
        raise CohortFileError(
            f"'{name}' is an Excel binary workbook (.xlsb), which this app does not read; open "
            f"it in Excel and save it as .xlsx."
        )
    elif b"opendocument.spreadsheet" in mimetype or ("content.xml" in names and not mimetype):
        kind = "ods"
    elif "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise CohortFileError(
            f"'{name}' is a Word document, not a spreadsheet; export the cohort as .xlsx or .csv."
        )
    elif any(n.startswith("ppt/") for n in names):
        raise CohortFileError(
            f"'{name}' is a PowerPoint file, not a spreadsheet; export the cohort as .xlsx or .csv."
        )
    else:
        raise CohortFileError(
            f"'{name}' is a zip archive, not a workbook; unzip it and open the spreadsheet inside."
        )
    src = _Source(path, kind)
    named = EXCEL_EXTENSIONS.get(ext)
    ooxml = ("xlsx", "xlsm")
    if named != kind and not (named in ooxml and kind in ooxml):
        # calamine picks its parser from the extension, so hand it the bytes instead
        src.data = path.read_bytes()
        src.notes.append(
            f"'{name}' is really an .{kind} workbook with a {ext} name; it was read as .{kind}."
        )
    return src


def _ole_source(path: Path, ext: str, password: str | None) -> _Source:
    """An OLE2 container: an .xls workbook or a password-protected .xlsx."""
    import olefile

    name = path.name
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except OSError:
        raise CohortFileError(
            f"'{name}' is damaged: it looks like an Excel 97-2003 file but cannot be opened. "
            f"Open it in Excel to repair it, or export it again."
        ) from None
    if "EncryptionInfo" in streams and "EncryptedPackage" in streams:
        data = _decrypt(path, password)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
        if "xl/workbook.bin" in names:
            raise CohortFileError(
                f"'{name}' is an Excel binary workbook (.xlsb), which this app does not read; "
                f"open it in Excel and save it as .xlsx."
            )
        kind = "xlsm" if ext == ".xlsm" else "xlsx"
        note = f"'{name}' is password-protected; it was opened with the password given."
        return _Source(path, kind, data=data, notes=[note])
    if "Workbook" in streams or "Book" in streams:
        src = _Source(path, "xls")
        if _xls_encrypted(path):
            src.data = _decrypt(path, password)
            src.notes.append(
                f"'{name}' is password-protected; it was opened with the password given."
            )
        elif ext != ".xls":
            src.data = path.read_bytes()
            src.notes.append(
                f"'{name}' is really an Excel 97-2003 (.xls) workbook with a {ext} name; it was "
                f"read as .xls."
            )
        return src
    if "WordDocument" in streams:
        raise CohortFileError(
            f"'{name}' is a Word document, not a spreadsheet; export the cohort as .xlsx or .csv."
        )
    raise CohortFileError(
        f"'{name}' is an Office file but not a workbook this app can read; open it in Excel and "
        f"save it as .xlsx."
    )


def _xls_encrypted(path: Path) -> bool:
    """Legacy .xls files protected with a password carry a FILEPASS record."""
    import msoffcrypto

    try:
        with open(path, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # not something msoffcrypto understands: let calamine judge it
        return False


def _decrypt(path: Path, password: str | None) -> bytes:
    """Decrypt a protected Office file in memory."""
    import struct

    import msoffcrypto
    from msoffcrypto import exceptions as mexc

    name = path.name
    if not password:
        raise PasswordRequired(
            f"'{name}' is protected with a password; enter the password to open it."
        )
    out = io.BytesIO()
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            if office.format == "ooxml":
                office.load_key(password=password, verify_password=True)
            else:  # Excel 97-2003 (.xls): load_key always checks the password
                office.load_key(password=password)
                _keep_xls_decryption_in_memory()
            office.decrypt(out)
    except mexc.InvalidKeyError:  # a wrong password; other DecryptionErrors are not that
        raise WrongPassword(
            f"The password for '{name}' is not correct; check it (passwords are case-sensitive) "
            f"and try again."
        ) from None
    except (
        mexc.DecryptionError, mexc.FileFormatError, mexc.ParseError, OSError, ValueError,
        struct.error,
    ):  # an encryption method or layout msoffcrypto does not support
        raise CohortFileError(
            f"'{name}' is password-protected in a way this app cannot open; open it in Excel, "
            f"remove the password (File > Info > Protect Workbook) and save a copy."
        ) from None
    return out.getvalue()


def _keep_xls_decryption_in_memory() -> None:
    """msoffcrypto rewrites a decrypted .xls in a ``tempfile.TemporaryFile``; make it a BytesIO.

    Its Xls97File.decrypt copies the workbook to a temporary file to put the decrypted stream
    back into the container, which would write patient data to the temp folder (on Windows a
    named file). Its module-level ``tempfile`` is swapped for one whose TemporaryFile is in
    memory; tests check that no temporary file is made.
    """
    from types import SimpleNamespace

    from msoffcrypto.format import xls97

    xls97.tempfile = SimpleNamespace(TemporaryFile=io.BytesIO)  # type: ignore[assignment]


# --- Excel workbooks -----------------------------------------------------------------------


def _excel_sheets(src: _Source) -> list[SheetInfo]:
    if src.kind in ("xlsx", "xlsm"):
        try:
            return _xlsx_sheets(src)
        except (KeyError, zipfile.BadZipFile, ValueError, SyntaxError):
            pass  # let calamine judge (and explain) an unusual package
    import python_calamine as pcal

    try:
        with pcal.CalamineWorkbook.from_object(src.calamine_source()) as wb:
            meta = wb.sheets_metadata
    except Exception as exc:  # python-calamine raises its own error types
        raise _damaged(src, exc) from None
    return [
        SheetInfo(m.name, i, m.visible == pcal.SheetVisibleEnum.Visible)
        for i, m in enumerate(meta)
        if m.typ == pcal.SheetTypeEnum.WorkSheet
    ]


def _damaged(src: _Source, exc: Exception) -> CohortFileError:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return PasswordRequired(
            f"'{src.path.name}' is protected with a password; enter the password to open it."
        )
    log.info("workbook could not be parsed: %s", type(exc).__name__)
    return CohortFileError(
        f"'{src.path.name}' is damaged or not a valid {src.kind} workbook, so it cannot be read; "
        f"open it in Excel to repair it, or export it again."
    )


def _read_excel(
    src: _Source, sheet: str | None, *, progress: ProgressFn, is_cancelled: CancelledFn
) -> RawTable:
    sheets = _excel_sheets(src)
    names = tuple(s.name for s in sheets)
    if sheet is not None:
        match = [s for s in sheets if s.name == sheet] or [
            s for s in sheets if s.name.strip().lower() == sheet.strip().lower()
        ]
        if not match:
            raise CohortFileError(
                f"'{src.path.name}' has no sheet called '{sheet}'; its sheets are "
                f"{', '.join(repr(n) for n in names)}."
            )
        candidates = match[:1]
    else:
        candidates = [s for s in sheets if s.visible] + [s for s in sheets if not s.visible]
    if not candidates:
        raise CohortFileError(f"'{src.path.name}' has no worksheets with data.")

    expected = max(0.5, src.path.stat().st_size / _BYTES_PER_SECOND)
    chosen: RawTable | None = None
    first_empty: str | None = None
    for info in candidates:
        check_cancelled(is_cancelled)
        raw = _read_sheet(src, info.name, progress, is_cancelled, expected)
        raw.sheets = names
        if raw.n_rows == 0:
            first_empty = first_empty or info.name
            continue
        if sheet is not None or _looks_tabular(raw):
            chosen = raw
            break
        if chosen is None:
            chosen = raw  # keep the first non-empty sheet in case none looks like a table
    if chosen is None:
        if sheet is not None or len(candidates) == 1:
            raise CohortFileError(
                f"The sheet '{first_empty or candidates[0].name}' in '{src.path.name}' is empty; "
                f"choose the sheet that holds the cohort, or export it again."
            )
        raise CohortFileError(
            f"'{src.path.name}' has no data on any sheet; export the cohort again."
        )
    if sheet is None and len(names) > 1:
        hidden = any(s.name == chosen.sheet and not s.visible for s in sheets)
        chosen.notes.append(
            f"The workbook has {len(names)} sheets; '{chosen.sheet}'"
            f"{' (a hidden sheet)' if hidden else ''} was read. Choose another sheet if the "
            f"cohort is elsewhere."
        )
    return chosen


def _looks_tabular(raw: RawTable) -> bool:
    """A sheet with at least one row of three or more filled cells near the top."""
    top = raw.cells.iloc[:40]
    return bool((top.notna().sum(axis=1) >= min(3, raw.n_cols)).any()) and raw.n_rows >= 2


def _read_sheet(
    src: _Source, sheet: str, progress: ProgressFn, is_cancelled: CancelledFn, expected: float
) -> RawTable:
    message = f"Reading sheet '{sheet}'"
    progress(2, message)
    fast = ENGINE == "fastexcel"
    try:
        cells, errors, origin, merged = run_cancellable(
            lambda: _fast_read(src, sheet) if fast else _calamine_read(src, sheet),
            is_cancelled=is_cancelled,
            progress=progress,
            start=2,
            end=95,
            message=message,
            expected_seconds=expected if fast else expected * 1.5,
        )
    except (CohortFileError, Cancelled):
        raise
    except MemoryError:
        raise CohortFileError(
            f"The sheet '{sheet}' is too large to load on this computer; delete unused rows and "
            f"columns in Excel, or export fewer columns."
        ) from None
    except Exception as exc:
        raise _damaged(src, exc) from None
    raw = RawTable(cells, sheet=sheet, file_format=src.kind, error_cells=errors)
    if raw.n_rows == 0:
        return raw
    if origin is None:
        origin = _origin(src, sheet, cells)
    raw.first_row, raw.first_col = origin[0] + 1, origin[1]
    if merged is not None:
        raw._merged = merged
    else:
        raw._merged_loader = lambda: _merged_ranges(src, sheet)
    if errors:
        raw.notes.append(
            f"{errors:,} cell{'s' if errors != 1 else ''} on sheet '{sheet}' "
            f"{'holds' if errors == 1 else 'hold'} formula errors such as #N/A or #DIV/0!; they "
            f"are treated as missing values."
        )
    return raw


_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")

_FastResult = tuple[pd.DataFrame, int, "tuple[int, int] | None", "list[CellRange] | None"]


def _fast_read(src: _Source, sheet: str) -> _FastResult:
    if src.kind in ("xlsx", "xlsm"):
        fast = _fastexcel_read_xlsx(src, sheet)
        if fast is not None:
            return fast
    return _fastexcel_read(src.fastexcel_source(), sheet)


def _fastexcel_read_xlsx(src: _Source, sheet: str) -> _FastResult | None:
    """The quickest .xlsx path (:mod:`.xlsx_read`), taking the read started ahead by
    :func:`lmns_desktop.core.cohort.import_cohort` when there is one. None when an error cell
    cannot be placed (then the lazy read, which reports errors itself)."""
    fast = xlsx_read.claim(src.path, sheet) if src.data is None else None
    if fast is None:
        fast = xlsx_read.read_sheet(src.fastexcel_source(), sheet)
    if fast is None or fast.scan.errors is None:
        return None
    batch, errors = fast.batch, fast.scan.errors
    merged = [CellRange(*m) for m in fast.scan.merged]
    frame = pd.DataFrame(
        {j: pd.array(batch.column(j), dtype="str") for j in range(batch.num_columns)},
        index=pd.RangeIndex(batch.num_rows),
    )
    if not errors:
        return frame, 0, None, merged
    origin = _xlsx_origin(src, sheet, frame) if len(frame) else None
    if origin is None:
        return None
    fixes: dict[int, list[tuple[int, str]]] = {}
    for (row, col), text in errors.items():
        r, c = row - origin[0], col - origin[1]
        if not (0 <= r < len(frame) and 0 <= c < frame.shape[1]):
            return None
        fixes.setdefault(c, []).append((r, text))
    for col, cells in fixes.items():
        values = frame[col].to_numpy(dtype=object, copy=True)
        for row, text in cells:
            values[row] = text
        frame[col] = pd.array(values, dtype="str")
    return frame, len(errors), origin, merged


def _fastexcel_read(source: str | bytes, sheet: str) -> _FastResult:
    """Read a sheet with fastexcel as strings; formula errors put back as Excel shows them."""
    import fastexcel

    reader = fastexcel.read_excel(source)
    xs = reader.load_sheet(sheet, header_row=None, dtypes="string")
    batch, errs = xs.to_arrow_with_errors()
    fixes: dict[int, list[tuple[int, str]]] = {}
    n_err = 0
    for err in errs.errors if errs is not None else []:
        m = _ERROR_DETAIL.search(err.detail)
        if not m:
            continue
        row, col = err.offset_position
        fixes.setdefault(col, []).append((row, xlsx_read.ERROR_TEXT.get(m.group(1), "#VALUE!")))
        n_err += 1
    columns = {}
    for j in range(batch.num_columns):
        arr = batch.column(j)
        if j in fixes:
            values = np.asarray(arr.to_pylist(), dtype=object)
            for row, text in fixes[j]:
                values[row] = text
            columns[j] = pd.array(values, dtype="str")
        else:
            columns[j] = pd.array(arr, dtype="str")
    return pd.DataFrame(columns, index=pd.RangeIndex(batch.num_rows)), n_err, None, None


def _calamine_read(src: _Source, sheet: str) -> _FastResult:
    """Fallback engine: python-calamine list of lists, converted to the same text form."""
    import python_calamine as pcal

    with pcal.CalamineWorkbook.from_object(src.calamine_source()) as wb:
        sh = wb.get_sheet_by_name(sheet)
        start = sh.start or (0, 0)
        rows = sh.to_python(skip_empty_area=True)
    width = max((len(r) for r in rows), default=0)
    cols: dict[int, list[str | None]] = {j: [] for j in range(width)}
    for r in rows:
        for j in range(width):
            cols[j].append(_cell_text(r[j]) if j < len(r) else None)
    frame = pd.DataFrame(
        {j: pd.array(v, dtype="str") for j, v in cols.items()}, index=pd.RangeIndex(len(rows))
    )
    return frame, 0, (int(start[0]), int(start[1])), None


def _cell_text(value: object) -> str | None:
    """One cell as text, in the same form fastexcel's string mode gives."""
    import datetime as dt

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    return str(value)


# -- where the data starts (fastexcel does not say) ----------------------------------------

_XML_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/?)>")
_XML_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_XML_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")


def _origin(src: _Source, sheet: str, cells: pd.DataFrame) -> tuple[int, int]:
    """0-based (row, column) of the sheet's first used cell, i.e. of ``cells`` [0, 0]."""
    if src.kind in ("xlsx", "xlsm"):
        try:
            found = _xlsx_origin(src, sheet, cells)
        except Exception:
            log.warning("could not locate first cell from sheet XML", exc_info=True)
            found = None
        if found is not None:
            return found
    import python_calamine as pcal

    with pcal.CalamineWorkbook.from_object(src.calamine_source()) as wb:
        start = wb.get_sheet_by_name(sheet).start
    return (int(start[0]), int(start[1])) if start else (0, 0)


def _xlsx_sheets(src: _Source) -> list[SheetInfo]:
    out = [
        SheetInfo(name, index, visible)
        for index, name, visible in xlsx_read.list_worksheets(src.zip_source())
    ]
    if not out:
        raise ValueError("no worksheets")
    return out


def _xlsx_origin(src: _Source, sheet: str, cells: pd.DataFrame) -> tuple[int, int] | None:
    """Find the first used cell from the head of the sheet XML, checked against the cells read."""
    with zipfile.ZipFile(src.zip_source()) as zf:
        part = xlsx_read.worksheet_parts(zf).get(sheet)
        if not part:
            return None
        with zf.open(part) as fh:
            buf = b""
            while True:
                chunk = fh.read(1 << 16)
                buf += chunk
                found = _first_valued_row(buf)
                if found is not None or not chunk or len(buf) > (8 << 20):
                    break
    if found is None:
        return None
    row_no, xml_cols = found
    first = cells.iloc[0]
    fe_cols = [j for j in range(len(first)) if pd.notna(first.iloc[j])]
    if not fe_cols or not xml_cols:
        return None
    offset = xml_cols[0] - fe_cols[0]
    if offset < 0 or [c - offset for c in xml_cols if c - offset < len(first)] != fe_cols:
        return None
    return row_no - 1, offset


def _first_valued_row(buf: bytes) -> tuple[int, list[int]] | None:
    """(row number, [0-based columns with a value]) of the first row element holding values."""
    from ._util import column_index

    pos = 0
    while True:
        m = _XML_ROW.search(buf, pos)
        if not m:
            return None
        if m.group(2) == b"/":  # <row .../> holds no cells
            pos = m.end()
            continue
        end = re.compile(rb"</(?:\w+:)?row>").search(buf, m.end())
        if not end:
            return None  # row not complete in this buffer yet
        body = buf[m.end() : end.start()]
        cols = []
        row_no = None
        for cm in _XML_CELL.finditer(body):
            inner = cm.group(2) or b""
            ref = xlsx_read.XML_REF.search(cm.group(1))
            if ref is None:
                raise ValueError("cell without a reference")
            if _XML_VALUE.search(inner):
                cols.append(column_index(ref.group(1).decode()))
                row_no = int(ref.group(2))
        if cols and row_no is not None:
            return row_no, cols
        pos = end.end()


def _merged_ranges(src: _Source, sheet: str) -> list[CellRange]:
    if src.kind in ("xlsx", "xlsm"):
        return _xlsx_merged(src, sheet)
    if src.kind == "xls":
        import python_calamine as pcal

        with pcal.CalamineWorkbook.from_object(src.calamine_source()) as wb:
            ranges = wb.get_sheet_by_name(sheet).merged_cell_ranges or []
        return [CellRange(a[0], a[1], b[0], b[1]) for a, b in ranges]
    return []


def _xlsx_merged(src: _Source, sheet: str) -> list[CellRange]:
    """Merged ranges live after the cell data: one streaming pass over the sheet XML."""
    scan = xlsx_read.scan_sheet(src.zip_source(), sheet)
    return [CellRange(*m) for m in scan.merged] if scan is not None else []


# --- CSV -----------------------------------------------------------------------------------


def _sniff_encoding(data: bytes) -> tuple[str, str]:
    """(Python codec, name for a note) of a CSV file's bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "UTF-16"
    try:
        data.decode("utf-8")
        return "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252", "Windows-1252 (Western European)"
    except UnicodeDecodeError:
        return "latin-1", "Latin-1"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most consistent, widest rows."""
    best, best_score = ",", -1.0
    for delim in _DELIMITERS:
        try:
            widths = [
                len(r) for r in csv.reader(lines, delimiter=delim) if any(c.strip() for c in r)
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        values, counts = np.unique(widths, return_counts=True)
        mode = int(values[np.argmax(counts)])
        if mode < 2:
            continue
        share = counts.max() / len(widths)
        score = share * np.log1p(mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(src: _Source, *, progress: ProgressFn, is_cancelled: CancelledFn) -> RawTable:
    """CSV as text cells: Arrow's multi-threaded reader for tidy UTF-8 files, else pandas.

    pandas' C parser copes with ragged rows (titles above the table) and blank lines, which
    Arrow rejects; both keep one row per record so spreadsheet row numbers stay right.
    """
    name = src.path.name
    data = src.data if src.data is not None else src.path.read_bytes()
    codec, codec_name = _sniff_encoding(data)
    head = data[:200_000].decode(codec, errors="replace")
    blank = " \t\r\n\ufeff\x00"
    if not head.strip(blank) and not data.decode(codec, errors="replace").strip(blank):
        raise CohortFileError(
            f"'{name}' has no data in it (only blank lines); export the cohort again."
        )
    check_cancelled(is_cancelled)
    head_lines = head.splitlines()[:200]
    delim = _sniff_delimiter(head_lines[:50])
    try:
        width = max((len(r) for r in csv.reader(head_lines, delimiter=delim)), default=1)
    except csv.Error:
        width = 1
    progress(10, f"Reading {name}")
    expected = max(0.3, len(data) / 60_000_000)
    frame = None
    if codec in ("utf-8", "utf-8-sig"):
        body = data[3:] if codec == "utf-8-sig" else data
        frame = run_cancellable(
            lambda: _arrow_csv(body, delim),
            is_cancelled=is_cancelled,
            progress=progress,
            start=10,
            end=95,
            message=f"Reading {name}",
            expected_seconds=expected / 4,
        )
    if frame is None:
        text = data.decode(codec, errors="strict" if codec != "latin-1" else "replace")
        del data
        frame = _pandas_csv(text, delim, width, name, progress, is_cancelled, expected)
    notes = []
    if codec_name != "UTF-8":
        notes.append(f"'{name}' was read as {codec_name} text.")
    return RawTable(
        frame,
        sheet=src.path.stem,
        file_format="csv",
        encoding=codec,
        delimiter=delim,
        notes=notes,
        sheets=(src.path.stem,),
    )


def _arrow_csv(body: bytes, delim: str) -> pd.DataFrame | None:
    """Arrow's CSV reader, all columns text; None when the file is not a tidy rectangle."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.large_string() for i in range(4096)},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if any(not pa.types.is_large_string(t) for t in table.schema.types):
        return None  # more columns than typed above: never let Arrow guess numbers
    return pd.DataFrame(
        {j: pd.array(table.column(j), dtype="str") for j in range(table.num_columns)},
        index=pd.RangeIndex(table.num_rows),
    )


def _pandas_csv(
    text: str,
    delim: str,
    width: int,
    name: str,
    progress: ProgressFn,
    is_cancelled: CancelledFn,
    expected: float,
) -> pd.DataFrame:
    def parse(n: int) -> pd.DataFrame:
        return pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            names=range(n),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            quotechar='"',
            engine="c",
        )

    for _ in range(6):
        try:
            frame = run_cancellable(
                lambda n=width: parse(n),
                is_cancelled=is_cancelled,
                progress=progress,
                start=10,
                end=95,
                message=f"Reading {name}",
                expected_seconds=expected,
            )
        except pd.errors.ParserError as exc:
            m = re.search(r"saw (\d+)", str(exc))
            if not m:
                raise CohortFileError(
                    f"'{name}' is not a well-formed CSV file (a quoted value is never closed, "
                    f"or the rows are broken); open it in Excel, check it and save it again."
                ) from None
            width = max(width + 1, int(m.group(1)))
            continue
        frame.columns = range(frame.shape[1])
        return frame
    raise CohortFileError(
        f"'{name}' has rows of very different lengths and could not be read as CSV; open it in "
        f"Excel, check it and save it again."
    )


# --- HTML tables saved as .xls -------------------------------------------------------------


def _read_html(src: _Source) -> RawTable:
    from lxml import html as lhtml

    name = src.path.name
    try:
        doc = lhtml.fromstring(src.path.read_bytes())
    except Exception:
        raise CohortFileError(
            f"'{name}' is a damaged web page and cannot be read as a table."
        ) from None
    tables = doc.xpath("//table")
    if not tables:
        raise CohortFileError(
            f"'{name}' is a web page with no table in it; export the cohort as .xlsx or .csv."
        )
    table = max(tables, key=lambda t: len(t.xpath(".//tr")))
    rows: list[list[str | None]] = []
    for tr in table.xpath(".//tr"):
        row: list[str | None] = []
        for cell in tr.xpath("./th|./td"):
            value = cell.text_content().strip() or None
            span = int(cell.get("colspan", "1") or 1)
            row.extend([value] + [None] * (span - 1))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    cols = {
        j: pd.array([r[j] if j < len(r) else None for r in rows], dtype="str") for j in range(width)
    }
    return RawTable(
        pd.DataFrame(cols, index=pd.RangeIndex(len(rows))),
        sheet=src.path.stem,
        file_format="html",
        sheets=(src.path.stem,),
    )
