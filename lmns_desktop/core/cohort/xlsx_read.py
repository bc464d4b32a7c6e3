"""The fast .xlsx read: fastexcel's eager Arrow read, with one pass over the sheet XML on the
second core at the same time to find what fastexcel's eager mode does not report (formula-error
cells and merged ranges).

No pandas or numpy here, on purpose: :func:`read_ahead` starts the read before they are even
imported, so a command-line import (``lmns-desktop check``) spends the ~0.8 s of loading pandas
and the app's modules while the Rust reader is already working on the file.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ._util import column_index

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

Source = str | BinaryIO
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

#: fastexcel's error kinds -> the text Excel shows in the cell.
ERROR_TEXT: dict[str, str] = {
    "NA": "#N/A",
    "Div0": "#DIV/0!",
    "Value": "#VALUE!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Num": "#NUM!",
    "Null": "#NULL!",
    "GettingData": "#GETTING_DATA",
}

XML_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_XML_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_XML_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")


@dataclass
class SheetScan:
    """What one pass over a sheet's XML found, in 0-based absolute sheet positions."""

    #: (row, column) -> error text such as "#N/A"; None when an error cell had no reference
    #: (then the caller needs a reader that reports errors itself).
    errors: dict[tuple[int, int], str] | None = field(default_factory=dict)
    #: Merged blocks as (first row, first column, last row, last column), inclusive.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class FastRead:
    """One sheet read as text columns (no header assumed), plus its XML scan."""

    batch: pa.RecordBatch
    scan: SheetScan


def _workbook(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """[(sheet name, relationship id, state)] from workbook.xml, and {id: target part}."""
    import xml.etree.ElementTree as ET

    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        targets[rel.get("Id", "")] = (target, kind)
    sheets = [
        (sh.get("name", ""), sh.get(f"{_NS_REL}id", ""), sh.get("state", "visible"))
        for sh in wb.iter(f"{_NS_MAIN}sheet")
    ]
    return sheets, targets  # type: ignore[return-value]


def worksheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name in an OOXML package."""
    sheets, targets = _workbook(zf)
    return {name: targets.get(rid, ("", ""))[0] for name, rid, _ in sheets}


def list_worksheets(source: Source) -> list[tuple[int, str, bool]]:
    """(index among all sheets, name, visible) of each worksheet (charts sheets are skipped);
    from workbook.xml, so milliseconds even for a big file."""
    with zipfile.ZipFile(source) as zf:
        sheets, targets = _workbook(zf)
    return [
        (i, name, state == "visible")
        for i, (name, rid, state) in enumerate(sheets)
        if targets.get(rid, ("", ""))[1] == "worksheet"
    ]


def scan_sheet(source: Source, sheet: str) -> SheetScan | None:
    """Formula-error cells and merged ranges of one sheet, streaming its XML once.

    zlib releases the GIL, so this runs beside fastexcel's read at almost no cost in wall time.
    Only the few places holding ``t="e"`` are parsed. None when the sheet part is missing.
    """
    errors: dict[tuple[int, int], str] | None = {}
    with zipfile.ZipFile(source) as zf:
        part = worksheet_parts(zf).get(sheet)
        if not part:
            return None
        tail: bytes | None = None  # everything after the cell data, once reached
        with zf.open(part) as fh:
            pending = b""
            while True:
                chunk = fh.read(1 << 20)
                if tail is not None:
                    if not chunk:
                        break
                    tail += chunk
                    continue
                buf = pending + chunk
                at = buf.rfind(b"sheetData")
                end_match = _SHEETDATA_END.search(buf, max(0, at - 16)) if at >= 0 else None
                if end_match is not None:
                    head, tail, pending = buf[: end_match.start()], buf[end_match.end() :], b""
                else:
                    # Look only at whole rows; a row cut by the chunk waits for the next one.
                    end = buf.rfind(b"row>")
                    cut = len(buf) if not chunk else (end + 4 if end >= 0 else 0)
                    head, pending = buf[:cut], buf[cut:]
                if errors is not None:
                    errors = _error_cells(head, errors)
                if not chunk:
                    break
    merged = [
        (int(r1) - 1, column_index(c1.decode()), int(r2) - 1, column_index(c2.decode()))
        for c1, r1, c2, r2 in _MERGE.findall(tail or b"")
    ]
    return SheetScan(errors, merged)


def _error_cells(
    xml: bytes, found: dict[tuple[int, int], str]
) -> dict[tuple[int, int], str] | None:
    """Add the error cells of a run of whole rows to ``found``; None if one cannot be placed."""
    expected = xml.count(b't="e"')
    if not expected:
        return found
    matches = list(_XML_ERROR_CELL.finditer(xml))
    if len(matches) != expected:
        return None
    for m in matches:
        ref = XML_REF.search(m.group(1))
        if ref is None:
            return None
        value = _XML_ERROR_VALUE.search(m.group(2) or b"")
        text = value.group(1).decode("ascii", "replace") if value else ""
        key = (int(ref.group(2)) - 1, column_index(ref.group(1).decode()))
        found[key] = text if text in ERROR_TEXT.values() else "#VALUE!"
    return found


def read_sheet(source: str | bytes, sheet: str) -> FastRead | None:
    """Read a sheet as text with fastexcel's eager read while a second thread scans its XML.

    About 10% faster than fastexcel's lazy read, which reports errors itself but converts
    twice. None when the sheet is not in the package.
    """
    import io

    zip_source = io.BytesIO(source) if isinstance(source, bytes) else source
    with ThreadPoolExecutor(1, thread_name_prefix="xlsx-scan") as pool:
        scan = pool.submit(scan_sheet, zip_source, sheet)
        batch = _eager_read(source, sheet)
        found = scan.result()
    return FastRead(batch, found) if found is not None else None


def _eager_read(source: str | bytes, sheet: str) -> pa.RecordBatch:
    import fastexcel

    return fastexcel.read_excel(source).load_sheet(
        sheet, header_row=None, dtypes="string", eager=True
    )


# --- Reading ahead -------------------------------------------------------------------------

_ahead: dict[tuple[str, str, int, int], Future[pa.RecordBatch]] = {}
_ahead_lock = threading.Lock()


def _key(path: Path, sheet: str) -> tuple[str, str, int, int]:
    st = path.stat()
    return (os.path.realpath(path), sheet, st.st_size, st.st_mtime_ns)


@contextmanager
def read_ahead(path: str | Path, sheet: str | None = None) -> Iterator[bool]:
    """Within the block, a plain .xlsx/.xlsm is being read on a background thread, and the
    import's reader (:func:`claim`) takes that result instead of reading again. Yields whether a
    read was started; an unclaimed one is forgotten at the end (its thread finishes alone).

    ``sheet`` None reads the first visible worksheet, the one the import will most likely choose.
    Anything unusual (another format, a damaged or encrypted file, a missing sheet) starts
    nothing: the import then reads the file itself and explains any problem.
    """
    key = _start(Path(path), sheet)
    try:
        yield key is not None
    finally:
        if key is not None:
            with _ahead_lock:
                _ahead.pop(key, None)


def _start(path: Path, sheet: str | None) -> tuple[str, str, int, int] | None:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return None
        sheets = list_worksheets(str(path))
        if sheet is None:
            sheet = next((name for _, name, visible in sheets if visible), None)
        if sheet is None or all(name != sheet for _, name, _ in sheets):
            return None
        key = _key(path, sheet)
        import fastexcel  # noqa: F401 - loaded here, not mid-import on the reading thread
    except Exception:  # noqa: BLE001 - any oddity is for the real read to explain
        log.debug("no read-ahead", exc_info=True)
        return None

    future: Future[pa.RecordBatch] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            future.set_result(_eager_read(str(path), sheet))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever claims it
            future.set_exception(exc)

    with _ahead_lock:
        _ahead[key] = future
    threading.Thread(target=run, name="xlsx-read-ahead", daemon=True).start()
    return key


def claim(path: str | Path, sheet: str) -> FastRead | None:
    """The read started by :func:`read_ahead` for this sheet of this file, waiting for it;
    None when there is none (or the file has changed since). Raises what the read raised.

    The XML scan runs here, in the claiming thread, rather than when the read started: by now
    the imports are done, so the scan has the second core to itself and never slows the read.
    """
    try:
        key = _key(Path(path), sheet)
    except OSError:
        return None
    with _ahead_lock:
        future = _ahead.pop(key, None)
    if future is None:
        return None
    try:
        found = scan_sheet(str(path), sheet)
    except Exception as exc:  # noqa: BLE001 - the read's own error, if any, explains better
        batch = future.result()
        raise exc from None
    batch = future.result()
    return FastRead(batch, found) if found is not None else None
