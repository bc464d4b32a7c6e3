"""Read one big .xlsx sheet on several cores by splitting its XML into row blocks.

calamine parses a sheet on one thread, and on a 200,000-row export parsing is most of the
import. The sheet XML is a flat list of ``<row>`` elements, so it can be cut at row boundaries
into blocks; each block becomes a small in-memory workbook (same shared strings and styles),
parsed by fastexcel on its own thread (fastexcel releases the GIL), and the blocks are joined.

Positions stay exact: every block is pinned to column A with a sentinel cell (block 0 at A1,
later blocks on the row just before their first row), so block outputs line up on absolute
sheet coordinates; blank gaps between blocks are filled and leading empty rows and columns are
trimmed, giving the same range calamine gives for the whole sheet. Anything unusual (rows
without ``r`` numbers, rows out of order, namespace surprises) makes :func:`read_split` return
None and the caller reads the sheet the ordinary way. Nothing is written to disk.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Sheets whose XML is smaller than this are read in one piece (splitting costs ~0.1 s).
MIN_SPLIT_BYTES = 40_000_000
_SENTINEL = "\u2063lmns-pin\u2063"
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_SHEETDATA_OPEN = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*>")
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/>'
                b"</worksheet>")


def _pin_cell(prefix: bytes, row: int) -> bytes:
    return (b'<%sc r="A%d" t="inlineStr"><%sis><%st>%s</%st></%sis></%sc>'
            % (prefix, row, prefix, prefix, _SENTINEL.encode("utf-8"), prefix, prefix, prefix))


def _pin_row(prefix: bytes, row: int) -> bytes:
    return b'<%srow r="%d">%s</%srow>' % (prefix, row, _pin_cell(prefix, row), prefix)


def _split_points(body: bytes, row_tag: bytes, parts: int) -> list[int]:
    """Offsets in ``body`` where row elements start, cutting it into ``parts`` similar blocks."""
    cuts = [0]
    for i in range(1, parts):
        pos = body.find(row_tag, len(body) * i // parts)
        if pos <= cuts[-1]:
            break
        cuts.append(pos)
    return cuts


def _block_zip(members: list[tuple[zipfile.ZipInfo, bytes | None]], part: str, sheet_xml: bytes) -> bytes:
    """A stored (uncompressed) workbook with ``sheet_xml`` as ``part``; other sheets emptied."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as out:
        for info, content in members:
            if info.filename == part:
                out.writestr(info.filename, sheet_xml)
            elif content is None:
                out.writestr(info.filename, _EMPTY_SHEET)
            else:
                out.writestr(info.filename, content)
    return buf.getvalue()


def read_split(
    zip_source: str | io.BytesIO,
    part: str,
    sheet: str,
    read_block: Callable[[bytes, str], tuple[pd.DataFrame, int]],
    parts: int | None = None,
    min_bytes: int = MIN_SPLIT_BYTES,
) -> tuple[pd.DataFrame, int, tuple[int, int]] | None:
    """(cells, formula-error count, 0-based origin) read in parallel blocks, or None to decline.

    ``read_block(workbook_bytes, sheet)`` reads one block workbook (fastexcel, text cells).
    """
    parts = parts or min(4, os.cpu_count() or 1)
    if parts < 2:
        return None
    with zipfile.ZipFile(zip_source) as zf:
        try:
            info = zf.getinfo(part)
        except KeyError:
            return None
        if info.file_size < min_bytes:
            return None
        data = zf.read(part)
        m = _SHEETDATA_OPEN.search(data)
        if not m:
            return None
        prefix = m.group(1)
        close = data.rfind(b"</" + prefix + b"sheetData>")
        if close < 0:
            return None
        head, body, tail = data[:m.end()], data[m.end():close], data[close:]
        del data
        row_tag = b"<" + prefix + b"row "
        cuts = _split_points(body, row_tag, parts)
        if len(cuts) < 2:
            return None
        blocks = [body[a:b] for a, b in zip(cuts, cuts[1:] + [len(body)])]
        del body
        firsts = []
        for block in blocks:
            rm = _ROW_NUMBER.match(block)
            if not rm:
                return None  # rows without r="n": positions cannot be pinned
            firsts.append(int(rm.group(1)))
        for prev, first in zip(blocks, firsts[1:]):
            last = [int(x) for x in _ROW_NUMBER.findall(prev[-4096:])] or [0]
            if first <= last[-1]:
                return None  # rows out of order
        members = [
            (i, None if (i.filename != part and i.filename.startswith("xl/worksheets/")
                         and i.filename.endswith(".xml")) or i.filename == part
             else zf.read(i.filename))
            for i in zf.infolist()
        ]
        workbooks = []
        for i, (block, first) in enumerate(zip(blocks, firsts)):
            if i == 0:
                if first > 1:
                    pinned = _pin_row(prefix, 1) + block
                else:
                    open_end = block.index(b">") + 1
                    cell = re.match(rb'\s*<(?:\w+:)?c\b[^>]*\br="A1"', block[open_end:])
                    pinned = block if cell else block[:open_end] + _pin_cell(prefix, 1) + block[open_end:]
            else:
                pinned = _pin_row(prefix, first - 1) + block
            workbooks.append(_block_zip(members, part, head + pinned + tail))
            blocks[i] = b""
    results: list[tuple[pd.DataFrame, int] | BaseException | None] = [None] * len(workbooks)

    def work(i: int) -> None:
        try:
            results[i] = read_block(workbooks[i], sheet)
        except BaseException as exc:  # re-raised below, in the caller's thread
            results[i] = exc
        workbooks[i] = b""

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(workbooks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return _join([r for r in results], firsts)  # type: ignore[misc]


def _join(results: list[tuple[pd.DataFrame, int]], firsts: list[int]
          ) -> tuple[pd.DataFrame, int, tuple[int, int]] | None:
    """Stack block outputs on absolute rows, fill gaps, trim to the used range."""
    import pyarrow as pa

    width = max(frame.shape[1] for frame, _ in results)
    pieces: list[list[object]] = [[] for _ in range(width)]
    next_row = 1  # 1-based absolute row of the next output row
    errors = 0
    for i, (frame, n_err) in enumerate(results):
        errors += n_err
        if i == 0:
            start_row = 1
            rows = frame
            if len(frame) and frame.iat[0, 0] == _SENTINEL:
                frame.iat[0, 0] = None
        else:
            start_row = firsts[i]
            rows = frame.iloc[1:]  # drop the pin row
        gap = start_row - next_row
        if gap < 0:
            return None
        for j in range(width):
            if gap:
                pieces[j].append(pa.nulls(gap, pa.large_string()))
            if j < rows.shape[1]:
                col = pa.array(rows.iloc[:, j].array, type=pa.large_string())
            else:
                col = pa.nulls(len(rows), pa.large_string())
            pieces[j].append(col)
        next_row = start_row + len(rows)
    columns = [pa.concat_arrays(p) if p else pa.array([], pa.large_string()) for p in pieces]
    n = len(columns[0]) if columns else 0
    used_cols = [j for j, c in enumerate(columns) if c.null_count < len(c)]
    if not used_cols:
        return pd.DataFrame(index=pd.RangeIndex(0)), errors, (0, 0)
    filled = np.zeros(n, dtype=bool)
    for j in used_cols:
        filled |= columns[j].is_valid().to_numpy(zero_copy_only=False)
    rows_used = np.flatnonzero(filled)
    r0, r1 = int(rows_used[0]), int(rows_used[-1]) + 1
    c0, c1 = used_cols[0], used_cols[-1] + 1
    out = pd.DataFrame(
        {j - c0: pd.array(columns[j].slice(r0, r1 - r0), dtype="str") for j in range(c0, c1)},
        index=pd.RangeIndex(r1 - r0),
    )
    return out, errors, (r0, c0)
