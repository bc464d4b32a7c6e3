"""IMD deciles from the official English Indices of Deprivation files, by LSOA or postcode.

The user (or IT, in a read-only ``reference`` folder) supplies the IoD File 1 workbook
(2019: sheet ``IMD2019``, LSOA 2011 codes; 2025: sheet ``IMD25``, LSOA 2021 codes) or the File 7
CSV, and optionally a postcode-to-LSOA lookup (ONS NSPL/ONSPD CSV with ``pcd``/``pcds`` and
``lsoa11``/``lsoa21`` columns, or a filtered extract). Each is imported once into a compact
Parquet cache in the user's data folder. Columns are found by prefix after collapsing
whitespace (the published headers contain line breaks and long suffixes such as "(where 1 is
most deprived 10% of LSOAs)"), and the edition from the LSOA header, the sheet name, the codes
or the file name.

:func:`derive_imd` fills ``imd_decile`` where the cohort has none, and records in
``imd_source`` where every decile came from ("given", "IoD2019 via LSOA", "IoD2025 via
postcode", ...). Mixing editions is the classic mistake (LSOA 2011 codes looked up in the 2025
file or 2021 codes in the 2019 file): codes that are not found at a high rate, codes that only
exist in one edition, or a column headed "LSOA 2011" against the 2025 file are all explained in
notes and flagged in ``DeprivationResult.vintage_mismatch``. The reference files are public
data; cohort postcodes are never cached or written anywhere.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
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

from ._util import clean_header, plural, run_cancellable
from .normalise import derive_imd_flags, postcode_key

log = logging.getLogger(__name__)

#: Edition -> LSOA boundaries it uses.
EDITIONS: dict[str, str] = {"IoD2019": "2011", "IoD2025": "2021"}
#: Highest LSOA 2011 code; LSOA 2021 added codes above it (E01033769 onwards).
LAST_LSOA_2011 = "E01033768"
#: Expected number of English LSOAs in a complete national file.
NATIONAL_LSOAS = {"IoD2019": 32_844, "IoD2025": 33_755}
_CACHE_IMD = "imd_{edition}.parquet"
_CACHE_POSTCODES = "postcode_lsoa.parquet"
_META_KEY = b"lmns_reference"
_REFERENCE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".parquet")


class ReferenceFileError(UserError):
    """A deprivation reference file cannot be used; the message says why."""


# --- Tables --------------------------------------------------------------------------------


def _as_bytes(values: pd.Series | np.ndarray | list, width: int) -> np.ndarray:
    """Fixed-width ASCII bytes for fast sorted lookups (non-ASCII characters become "?").

    Callers looking *up* keys pass ``width + 1`` so that a longer value can never be truncated
    into a false match.
    """
    arr = pd.Series(values, dtype="str").fillna("").to_numpy(dtype=object)
    try:
        return np.asarray(arr, dtype=f"S{width}")
    except UnicodeEncodeError:
        return np.asarray([v.encode("ascii", "replace") for v in arr], dtype=f"S{width}")


def _sorted_lookup(keys: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found mask, position in table) for each key in a sorted fixed-width bytes table."""
    if len(table) == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.intp)
    pos = np.searchsorted(table, keys)
    pos = np.clip(pos, 0, len(table) - 1)
    found = (table[pos] == keys) & (keys != b"")
    return found, pos


@dataclass(frozen=True)
class ImdTable:
    """National IMD deciles by LSOA for one edition (decile 1 = most deprived 10%)."""

    edition: str
    lsoa: np.ndarray  # sorted, dtype S9
    decile: np.ndarray  # int8, aligned with lsoa
    source: str = ""
    imported_at: str = ""

    @property
    def lsoa_vintage(self) -> str:
        return EDITIONS[self.edition]

    def __len__(self) -> int:
        return len(self.lsoa)

    def lookup(self, codes: pd.Series) -> pd.Series:
        """IMD decile for each LSOA code (nullable Int8; NA where not in this edition)."""
        keys = _as_bytes(codes, 10)
        found, pos = _sorted_lookup(keys, self.lsoa)
        arr = pd.array(np.where(found, self.decile[pos], 0), dtype="Int8")
        arr[~found] = pd.NA
        return pd.Series(arr, index=codes.index)

    def contains(self, codes: pd.Series) -> np.ndarray:
        return _sorted_lookup(_as_bytes(codes, 10), self.lsoa)[0]


@dataclass(frozen=True)
class PostcodeLookup:
    """Postcode (no spaces, upper case) -> LSOA code(s), for each LSOA vintage available."""

    postcode: np.ndarray  # sorted, dtype S7
    lsoa: dict[str, np.ndarray]  # "2011"/"2021" -> S9 codes aligned with postcode (b"" if none)
    source: str = ""
    imported_at: str = ""

    def __len__(self) -> int:
        return len(self.postcode)

    @property
    def vintages(self) -> tuple[str, ...]:
        return tuple(sorted(self.lsoa))

    def lookup(self, postcodes: pd.Series, vintage: str) -> pd.Series:
        """LSOA code of each postcode for a vintage (NA where unknown)."""
        keys = _as_bytes(postcode_key(postcodes.astype("str")), 8)
        found, pos = _sorted_lookup(keys, self.postcode)
        codes = self.lsoa[vintage][pos]
        found &= codes != b""
        out = pd.Series(
            np.where(found, codes.astype("U9"), None), index=postcodes.index, dtype="str"
        )
        return out


@dataclass
class DeprivationReference:
    """The reference tables available to :func:`derive_imd`."""

    imd: dict[str, ImdTable] = field(default_factory=dict)
    postcodes: PostcodeLookup | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def editions(self) -> list[str]:
        return sorted(self.imd)

    def describe(self) -> str:
        parts = [f"{e} ({len(t):,} LSOAs, from {t.source})" for e, t in sorted(self.imd.items())]
        if self.postcodes is not None:
            parts.append(
                f"postcode lookup ({len(self.postcodes):,} postcodes, LSOA "
                f"{'/'.join(self.postcodes.vintages)}, from {self.postcodes.source})"
            )
        return "; ".join(parts) if parts else "no reference files"


# --- Reading the official files ------------------------------------------------------------


def _key(header: str) -> str:
    return clean_header(header).lower()


def _find_column(columns: list[str], *prefixes: str) -> str | None:
    keyed = {c: _key(c) for c in columns}
    for prefix in prefixes:
        for col, k in keyed.items():
            if k.startswith(prefix):
                return col
    return None


def _edition_from(text: str) -> str | None:
    t = text.lower()
    if re.search(r"2025|iod25|imd25|\b25\b", t):
        return "IoD2025"
    if re.search(r"2019|iod19|imd19", t):
        return "IoD2019"
    return None


def read_imd_file(
    path: str | Path,
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> ImdTable:
    """Read an IoD File 1 workbook or File 7 CSV (2019 or 2025) into an :class:`ImdTable`."""
    from .header import detect_header
    from .readers import CohortFileError, list_sheets, read_raw

    path = Path(path)
    name = path.name
    try:
        sheets = [s.name for s in list_sheets(path)]
    except CohortFileError as exc:
        raise ReferenceFileError(str(exc)) from None
    preferred = [s for s in sheets if re.fullmatch(r"(?i)imd\s*(2019|2025|25|19)", s.strip())]
    order = preferred + [s for s in sheets if s not in preferred and s.lower() != "notes"]
    last_error = None
    for sheet in order:
        check_cancelled(is_cancelled)
        try:
            raw = read_raw(
                path,
                sheet,
                progress=lambda p, m: progress(p * 8 // 10, m),
                is_cancelled=is_cancelled,
            )
            table, _info = detect_header(raw)
        except CohortFileError as exc:
            last_error = exc
            continue
        columns = [str(c) for c in table.columns]
        lsoa_col = _find_column(columns, "lsoa code", "lsoa11cd", "lsoa21cd", "lsoa")
        decile_col = _find_column(
            columns,
            "index of multiple deprivation (imd) decile",
            "index of multiple deprivation decile",
            "imd decile",
            "imd_decile",
        )
        if lsoa_col is None or decile_col is None:
            continue
        progress(85, "Checking the IMD file")
        return _imd_table(table, lsoa_col, decile_col, name, sheet)
    if last_error is not None and len(order) == 1:
        raise ReferenceFileError(str(last_error))
    raise ReferenceFileError(
        f"'{name}' does not look like the English Indices of Deprivation file: no sheet has an "
        f"'LSOA code' column and an 'Index of Multiple Deprivation (IMD) Decile' column. Use "
        f"File 1 (or File 7) from gov.uk."
    )


def _imd_table(
    table: pd.DataFrame, lsoa_col: str, decile_col: str, name: str, sheet: str
) -> ImdTable:
    codes = table[lsoa_col].astype("str").str.strip().str.upper()
    deciles = pd.to_numeric(table[decile_col], errors="coerce")
    ok = codes.str.fullmatch(r"E01\d{6}").fillna(False) & deciles.between(1, 10)
    bad = int((~ok).sum())
    if ok.sum() == 0:
        raise ReferenceFileError(
            f"'{name}' has no usable rows: the LSOA codes or IMD deciles are not in the expected "
            f"form (E01... codes and deciles 1 to 10)."
        )
    codes, deciles = codes[ok], deciles[ok].astype(np.int8)
    if codes.duplicated().any():
        raise ReferenceFileError(
            f"'{name}' lists some LSOA codes more than once, so it is not an IoD file as "
            f"published; download File 1 again from gov.uk."
        )
    edition = _edition_from(_key(lsoa_col).replace("2011", "2019").replace("2021", "2025"))
    if edition is None:
        edition = _edition_from(sheet) or None
    if edition is None:
        if (codes > LAST_LSOA_2011).any():
            edition = "IoD2025"
        elif len(codes) == NATIONAL_LSOAS["IoD2019"]:
            edition = "IoD2019"
        else:
            edition = _edition_from(name)
    if edition is None:
        raise ReferenceFileError(
            f"The edition of '{name}' (2019 or 2025) cannot be told from its headings or name; "
            f"use the file as published on gov.uk, or put 2019 or 2025 in its file name."
        )
    order = np.argsort(_as_bytes(codes, 9), kind="stable")
    lsoa = _as_bytes(codes, 9)[order]
    dec = deciles.to_numpy(dtype=np.int8)[order]
    if bad:
        log.info("IMD file %s: %d rows without a code or decile skipped", name, bad)
    return ImdTable(edition, lsoa, dec, name, _now())


_PC_COLUMNS = ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "pcds_", "post code")
_LSOA_COLUMN = re.compile(r"^lsoa ?(11|21|2011|2021)(cd| code)?$|^lsoa code \((2011|2021)\)$")


def read_postcode_lookup(
    path: str | Path,
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> PostcodeLookup:
    """Read an ONS postcode directory (NSPL/ONSPD CSV, full or filtered) or an .xlsx extract."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() in (".csv", ".txt"):
        frame, pc_col, lsoa_cols = _read_postcode_csv(path, progress, is_cancelled)
    else:
        from .header import detect_header
        from .readers import CohortFileError, read_raw

        try:
            raw = read_raw(path, progress=progress, is_cancelled=is_cancelled)
            frame, _ = detect_header(raw)
        except CohortFileError as exc:
            raise ReferenceFileError(str(exc)) from None
        pc_col, lsoa_cols = _postcode_columns([str(c) for c in frame.columns])
    if pc_col is None or not lsoa_cols:
        raise ReferenceFileError(
            f"'{name}' does not look like a postcode lookup: it needs a postcode column ('pcd' "
            f"or 'pcds') and an LSOA column ('lsoa11' or 'lsoa21')."
        )
    check_cancelled(is_cancelled)
    progress(80, "Indexing postcodes")
    keys = _as_bytes(postcode_key(frame[pc_col].astype("str")), 7)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    first &= keys != b""
    lsoa = {}
    for vintage, col in lsoa_cols.items():
        codes = frame[col].astype("str").str.strip().str.upper()
        codes = codes.where(codes.str.fullmatch(r"[EWSN]\d{8}").fillna(False), "")
        lsoa[vintage] = _as_bytes(codes, 9)[order][first]
    if not first.any():
        raise ReferenceFileError(f"'{name}' has no postcodes in it.")
    return PostcodeLookup(keys[first], lsoa, name, _now())


def _postcode_columns(columns: list[str]) -> tuple[str | None, dict[str, str]]:
    keyed = {c: _key(c) for c in columns}
    pc_col = next((c for p in _PC_COLUMNS for c, k in keyed.items() if k == p), None)
    lsoa_cols: dict[str, str] = {}
    for col, k in keyed.items():
        m = _LSOA_COLUMN.match(k)
        if m:
            year = m.group(1) or m.group(3)
            lsoa_cols.setdefault("2011" if year in ("11", "2011") else "2021", col)
    return pc_col, lsoa_cols


def _read_postcode_csv(
    path: Path, progress: ProgressFn, is_cancelled: CancelledFn
) -> tuple[pd.DataFrame, str | None, dict[str, str]]:
    """Read only the postcode and LSOA columns of a (possibly 1 GB) CSV, with Arrow."""
    import pyarrow.csv as pacsv

    from .readers import _sniff_delimiter

    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:20]
    if not lines:
        raise ReferenceFileError(f"'{path.name}' is empty.")
    delim = _sniff_delimiter(lines)
    header = next(iter(csv.reader([lines[0]], delimiter=delim)))
    pc_col, lsoa_cols = _postcode_columns(header)
    if pc_col is None or not lsoa_cols:
        return pd.DataFrame(), pc_col, lsoa_cols
    wanted = [pc_col, *lsoa_cols.values()]

    def read() -> pd.DataFrame:
        tbl = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8", block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: "string" for c in wanted},
                strings_can_be_null=True,
            ),
        )
        return pd.DataFrame({c: pd.array(tbl.column(c), dtype="str") for c in wanted})

    expected = max(0.5, path.stat().st_size / 150_000_000)
    try:
        frame = run_cancellable(
            read,
            is_cancelled=is_cancelled,
            progress=progress,
            start=5,
            end=75,
            message=f"Reading {path.name}",
            expected_seconds=expected,
        )
    except (UserError, Cancelled):
        raise
    except Exception:
        raise ReferenceFileError(
            f"'{path.name}' could not be read as a CSV postcode lookup; download it again."
        ) from None
    return frame, pc_col, lsoa_cols


# --- Cache -----------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _write_parquet(table: object, target: Path, meta: dict[str, object]) -> Path:
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode("utf-8")})
    fd, tmp = tempfile.mkstemp(prefix=".ref-", suffix=".parquet", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ReferenceFileError(
            f"The reference cache could not be saved in '{target.parent}'; check you can save "
            f"files there."
        ) from None
    return target


def _source_stamp(path: Path) -> dict[str, object]:
    st = path.stat()
    return {"source": path.name, "size": st.st_size, "mtime": int(st.st_mtime)}


def _fixed_column(values: np.ndarray) -> object:
    """A fixed-width bytes array as an Arrow fixed_size_binary column (zero-copy)."""
    import pyarrow as pa

    width = values.dtype.itemsize
    data = np.ascontiguousarray(values)
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(data), [None, pa.py_buffer(data.tobytes())]
    )


def _bytes_column(column: object, width: int) -> np.ndarray:
    """Back from a cached column to fixed-width bytes: zero-copy for fixed_size_binary."""
    import pyarrow as pa

    arr = column.combine_chunks()
    if (
        pa.types.is_fixed_size_binary(arr.type)
        and arr.type.byte_width == width
        and not arr.null_count
    ):
        buf = arr.buffers()[1]
        return np.frombuffer(buf, dtype=f"S{width}", count=len(arr), offset=arr.offset * width)
    return _as_bytes(arr.to_numpy(zero_copy_only=False), width)


def cache_imd(
    table: ImdTable, cache_dir: str | Path, stamp: dict[str, object] | None = None
) -> Path:
    """Store an IMD table as ``imd_<edition>.parquet`` (LSOA code + decile only)."""
    import pyarrow as pa

    tbl = pa.table(
        {
            "lsoa": _fixed_column(table.lsoa),
            "decile": pa.array(table.decile, type=pa.int8()),
        }
    )
    meta = {
        "kind": "imd",
        "edition": table.edition,
        "source": table.source,
        "imported_at": table.imported_at,
        **(stamp or {}),
    }
    return _write_parquet(tbl, Path(cache_dir) / _CACHE_IMD.format(edition=table.edition), meta)


def cache_postcodes(
    lookup: PostcodeLookup, cache_dir: str | Path, stamp: dict[str, object] | None = None
) -> Path:
    """Store a postcode lookup as ``postcode_lsoa.parquet`` (public reference data only)."""
    import pyarrow as pa

    cols = {"postcode": _fixed_column(lookup.postcode)}
    for vintage, codes in lookup.lsoa.items():
        cols[f"lsoa{vintage[2:]}"] = _fixed_column(codes)
    meta = {
        "kind": "postcodes",
        "source": lookup.source,
        "imported_at": lookup.imported_at,
        **(stamp or {}),
    }
    return _write_parquet(pa.table(cols), Path(cache_dir) / _CACHE_POSTCODES, meta)


def _read_cache(path: Path) -> tuple[ImdTable | PostcodeLookup, dict[str, object]]:
    import pyarrow.parquet as pq

    try:
        tbl = pq.read_table(path)
        meta = json.loads((tbl.schema.metadata or {}).get(_META_KEY, b"{}"))
    except Exception:
        raise ReferenceFileError(
            f"The cached reference file '{path.name}' is damaged; import the reference file again."
        ) from None
    if meta.get("kind") == "imd":
        lsoa = _bytes_column(tbl.column("lsoa"), 9)
        dec = tbl.column("decile").to_numpy().astype(np.int8)
        order = np.argsort(lsoa, kind="stable")  # sorted when written; cheap if so
        return ImdTable(
            str(meta["edition"]),
            lsoa[order],
            dec[order],
            str(meta.get("source", "")),
            str(meta.get("imported_at", "")),
        ), meta
    if meta.get("kind") == "postcodes":
        pcs = _bytes_column(tbl.column("postcode"), 7)
        lsoa = {}
        for name in tbl.column_names:
            m = re.fullmatch(r"lsoa(11|21)", name)
            if m:
                lsoa["20" + m.group(1)] = _bytes_column(tbl.column(name), 9)
        return PostcodeLookup(
            pcs, lsoa, str(meta.get("source", "")), str(meta.get("imported_at", ""))
        ), meta
    raise ReferenceFileError(f"'{path.name}' is not a reference cache made by this app.")


def import_reference_file(
    path: str | Path,
    cache_dir: str | Path | None = None,
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> ImdTable | PostcodeLookup:
    """Import an IoD file or a postcode lookup (kind told from its columns) and cache it."""
    path = Path(path)
    if not path.is_file():
        raise ReferenceFileError(
            f"The reference file '{path.name}' was not found; choose it again."
        )
    if path.suffix.lower() == ".parquet":
        result, _ = _read_cache(path)
    else:
        result = _read_any(path, progress, is_cancelled)
    if cache_dir is not None:
        stamp = _source_stamp(path)
        if isinstance(result, ImdTable):
            cache_imd(result, cache_dir, stamp)
        else:
            cache_postcodes(result, cache_dir, stamp)
    progress(100, "Reference file imported")
    return result


def _read_any(
    path: Path, progress: ProgressFn, is_cancelled: CancelledFn
) -> ImdTable | PostcodeLookup:
    looks_postcode = bool(re.search(r"(?i)nspl|onspd|postcode|pcd", path.name))
    first, second = (
        (read_postcode_lookup, read_imd_file)
        if looks_postcode
        else (read_imd_file, read_postcode_lookup)
    )
    try:
        return first(path, progress=progress, is_cancelled=is_cancelled)
    except ReferenceFileError as exc1:
        try:
            return second(path, progress=progress, is_cancelled=is_cancelled)
        except ReferenceFileError:
            raise exc1 from None


def load_reference(
    cache_dir: str | Path | None = None,
    reference_dir: str | Path | None = None,
    *,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> DeprivationReference:
    """Cached tables from ``cache_dir`` plus any files IT placed in ``reference_dir``.

    Files in ``reference_dir`` (read-only; never written to) are imported into ``cache_dir``
    when they are new or changed, so the next start is fast; without a cache folder they are
    read into memory each time.
    """
    ref = DeprivationReference()
    cached_meta: dict[str, dict[str, object]] = {}
    if cache_dir is not None and Path(cache_dir).is_dir():
        for path in sorted(Path(cache_dir).glob("*.parquet")):
            if path.name.startswith("."):
                continue
            try:
                item, meta = _read_cache(path)
            except ReferenceFileError as exc:
                ref.notes.append(str(exc))
                continue
            _add(ref, item)
            cached_meta[str(meta.get("source", ""))] = meta
    if reference_dir is not None and Path(reference_dir).is_dir():
        files = [
            p
            for p in sorted(Path(reference_dir).iterdir())
            if p.is_file()
            and p.suffix.lower() in _REFERENCE_SUFFIXES
            and not p.name.startswith(("~$", "."))
        ]
        for i, path in enumerate(files):
            check_cancelled(is_cancelled)
            progress(int(100 * i / max(1, len(files))), f"Loading {path.name}")
            meta = cached_meta.get(path.name)
            stamp = _source_stamp(path)
            if meta and meta.get("size") == stamp["size"] and meta.get("mtime") == stamp["mtime"]:
                continue  # already cached from this very file
            if not re.search(
                r"(?i)imd|iod|depriv|file_?[17]|nspl|onspd|postcode|pcd|lsoa", path.name
            ):
                continue
            try:
                item = (
                    _read_cache(path)[0]
                    if path.suffix.lower() == ".parquet"
                    else _read_any(path, no_progress, is_cancelled)
                )
            except UserError as exc:
                ref.notes.append(f"The reference file '{path.name}' was not used: {exc}")
                continue
            _add(ref, item, replace=True)
            if cache_dir is not None and path.suffix.lower() != ".parquet":
                try:
                    if isinstance(item, ImdTable):
                        cache_imd(item, cache_dir, stamp)
                    else:
                        cache_postcodes(item, cache_dir, stamp)
                except ReferenceFileError as exc:
                    ref.notes.append(str(exc))
    progress(100, "Reference data loaded")
    return ref


def _add(ref: DeprivationReference, item: ImdTable | PostcodeLookup, replace: bool = False) -> None:
    if isinstance(item, ImdTable):
        if replace or item.edition not in ref.imd:
            ref.imd[item.edition] = item
    elif replace or ref.postcodes is None:
        ref.postcodes = item


# --- Deriving deciles ------------------------------------------------------------------------


@dataclass
class DeprivationResult:
    """The cohort with deciles filled in, and what happened."""

    frame: pd.DataFrame
    edition: str | None
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)
    vintage_mismatch: bool = False
    lsoa_not_found: int = 0
    postcode_not_found: int = 0


def _hint(column_name: str | None) -> str | None:
    if not column_name:
        return None
    k = _key(column_name)
    if re.search(r"2011|\b11\b|lsoa11", k):
        return "IoD2019"
    if re.search(r"2021|\b21\b|lsoa21", k):
        return "IoD2025"
    return None


def choose_edition(
    frame: pd.DataFrame, reference: DeprivationReference, lsoa_column: str | None = None
) -> str | None:
    """The edition that fits the cohort: LSOA match rate, then the column's year, then newest."""
    editions = reference.editions
    if not editions:
        return None
    if len(editions) == 1:
        return editions[0]
    hint = _hint(lsoa_column)
    if "lsoa" in frame.columns:
        codes = pd.Series(frame["lsoa"].dropna().unique(), dtype="str")
        codes = codes[codes.str.startswith("E01")]
        if len(codes):
            rates = {e: float(reference.imd[e].contains(codes).mean()) for e in editions}
            best = max(rates.values())
            close = [e for e in editions if rates[e] >= best - 0.005]
            if len(close) == 1:
                return close[0]
            if hint in close:
                return hint
            return sorted(close)[-1]
    if hint in editions:
        return hint
    pcs = reference.postcodes
    if pcs is not None and "postcode" in frame.columns:
        usable = [e for e in editions if EDITIONS[e] in pcs.lsoa]
        if usable:
            return sorted(usable)[-1]
    return editions[-1]


def derive_imd(
    frame: pd.DataFrame,
    reference: DeprivationReference | None,
    *,
    edition: str | None = None,
    lsoa_column: str | None = None,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> DeprivationResult:
    """Fill missing ``imd_decile`` from LSOA, then postcode; record ``imd_source`` per row.

    ``lsoa_column`` is the source heading of the LSOA column (e.g. "LSOA 2011"), used to warn
    when its year does not match the edition.
    """
    frame = frame.copy()
    notes: list[str] = []
    n = len(frame)
    if "imd_decile" not in frame.columns:
        frame["imd_decile"] = pd.array([pd.NA] * n, dtype="Int8")
    if "imd_source" not in frame.columns:
        src = pd.Series(pd.NA, index=frame.index, dtype="str")
        src[frame["imd_decile"].notna().to_numpy()] = "given"
        frame["imd_source"] = src
    given = frame["imd_decile"].notna().to_numpy()
    if reference is None or not reference.imd:
        derive_imd_flags(frame)
        if not given.all() and ("lsoa" in frame.columns or "postcode" in frame.columns):
            notes.append(
                "No IMD reference file is loaded, so deciles could not be worked out from LSOA "
                "or postcode; import the Indices of Deprivation file (File 1) once to do so."
            )
        return DeprivationResult(frame, None, _source_counts(frame), notes)
    if edition is not None and edition not in reference.imd:
        raise ReferenceFileError(
            f"The {edition} file has not been imported; import it, or choose "
            f"{' or '.join(reference.editions)}."
        )
    edition = edition or choose_edition(frame, reference, lsoa_column)
    table = reference.imd[edition]
    progress(10, f"Looking up IMD deciles ({edition})")
    check_cancelled(is_cancelled)
    mismatch = False
    lsoa_missing = 0
    pc_missing = 0
    decile = frame["imd_decile"].astype("Int8").copy()
    source = frame["imd_source"].astype("str").copy()

    if "lsoa" in frame.columns:
        lsoa = frame["lsoa"]
        looked = table.lookup(lsoa)
        has_code = (
            lsoa.notna().to_numpy()
            & lsoa.astype("str").str.startswith("E01").fillna(False).to_numpy()
        )
        found = looked.notna().to_numpy()
        fill = ~given & found
        decile[fill] = looked[fill]
        source[fill] = f"{edition} via LSOA"
        not_found = has_code & ~found
        lsoa_missing = int(not_found.sum())
        mismatch |= _vintage_notes(
            frame, lsoa, has_code, not_found, edition, lsoa_column, reference, notes
        )
        both = given & found
        if both.sum() >= 20:
            agree = float((frame["imd_decile"][both].astype("Int8") == looked[both]).mean())
            if agree < 0.9:
                notes.append(
                    f"The file's own IMD deciles agree with {edition} for only {agree:.0%} of the "
                    f"{int(both.sum()):,} rows that have both; they may be from another edition or "
                    f"ranked locally rather than nationally. The file's deciles were kept."
                )
    check_cancelled(is_cancelled)
    progress(50, "Looking up postcodes")
    pcs = reference.postcodes
    still = decile.isna().to_numpy()
    if "postcode" in frame.columns and still.any():
        postcodes = frame["postcode"]
        has_pc = (
            still
            & postcodes.notna().to_numpy()
            & ~postcodes.astype("str").str.startswith("ZZ99").fillna(False).to_numpy()
        )
        vintage = EDITIONS[edition]
        if pcs is None:
            if has_pc.any():
                n_pc = int(has_pc.sum())
                notes.append(
                    f"{plural(n_pc, 'row')} {'has' if n_pc == 1 else 'have'} a postcode but no "
                    f"decile; import a postcode-to-LSOA lookup (ONS NSPL) to fill them."
                )
        elif vintage not in pcs.lsoa:
            notes.append(
                f"The postcode lookup has LSOA {'/'.join(pcs.vintages)} codes, but {edition} needs "
                f"LSOA {vintage} codes, so postcodes were not used; import a lookup with "
                f"'lsoa{vintage[2:]}' codes."
            )
        elif has_pc.any():
            sub = postcodes[has_pc]
            codes = pcs.lookup(sub, vintage)
            looked = table.lookup(codes)
            ok = looked.notna().to_numpy()
            rows = np.flatnonzero(has_pc)[ok]
            decile.iloc[rows] = looked.to_numpy()[ok]
            source.iloc[rows] = f"{edition} via postcode"
            pc_missing = int((~ok).sum())
            if pc_missing:
                notes.append(
                    f"{plural(pc_missing, 'postcode')} {'was' if pc_missing == 1 else 'were'} not "
                    f"found in the postcode lookup ({pcs.source}) or had no {edition} LSOA; the "
                    f"lookup may be filtered to another area or out of date."
                )
    frame["imd_decile"] = decile.astype("Int8")
    frame["imd_source"] = source
    derive_imd_flags(frame)
    counts = _source_counts(frame)
    derived = sum(v for k, v in counts.items() if k not in ("given", "not known"))
    if derived and counts.get("given"):
        notes.append(
            f"IMD deciles come from two places: {counts['given']:,} from the file itself (edition "
            f"not stated) and {derived:,} from {edition}. Check they are the same edition."
        )
    progress(100, "IMD deciles done")
    log.info("derive_imd edition=%s counts=%s mismatch=%s", edition, counts, mismatch)
    return DeprivationResult(frame, edition, counts, notes, mismatch, lsoa_missing, pc_missing)


def _vintage_notes(
    frame: pd.DataFrame,
    lsoa: pd.Series,
    has_code: np.ndarray,
    not_found: np.ndarray,
    edition: str,
    lsoa_column: str | None,
    reference: DeprivationReference,
    notes: list[str],
) -> bool:
    """Explain LSOA codes that do not fit the edition; True when editions look mixed up."""
    mismatch = False
    n_codes = int(has_code.sum())
    if not n_codes:
        return False
    hint = _hint(lsoa_column)
    if hint is not None and hint != edition:
        year = EDITIONS[hint]
        notes.append(
            f"The LSOA column is headed '{lsoa_column}' (LSOA {year} codes) but deciles were "
            f"taken from {edition}, which uses LSOA {EDITIONS[edition]} boundaries; about 5% of "
            f"codes differ between the two, so some deciles will be missing or wrong. Import the "
            f"{hint} file for this cohort."
        )
        mismatch = True
    codes = lsoa.astype("str")
    if edition == "IoD2019":
        newer = has_code & (codes > LAST_LSOA_2011).fillna(False).to_numpy()
        if newer.any():
            notes.append(
                f"{plural(int(newer.sum()), 'LSOA code')} ({newer.mean():.1%} of rows) "
                f"{'is an LSOA 2021 code' if newer.sum() == 1 else 'are LSOA 2021 codes'} that "
                f"did not exist in 2011, so IoD2019 has no decile for "
                f"{'it' if newer.sum() == 1 else 'them'}; the cohort uses 2021 boundaries — "
                f"import the IoD2025 file."
            )
            mismatch = True
    other = [e for e in reference.imd if e != edition]
    missing = int(not_found.sum())
    rate = missing / n_codes
    if missing:
        explained = ""
        if other:
            alt = reference.imd[other[0]]
            in_other = alt.contains(lsoa[not_found])
            if in_other.mean() > 0.5:
                explained = (
                    f" {int(in_other.sum()):,} of them are in {other[0]}, so the cohort "
                    f"probably uses LSOA {EDITIONS[other[0]]} codes."
                )
                mismatch = True
        if rate > 0.02 or explained:
            notes.append(
                f"{plural(missing, 'LSOA code')} ({rate:.1%}) {'was' if missing == 1 else 'were'} "
                f"not found in {edition} (LSOA {EDITIONS[edition]}).{explained or _USUAL_CAUSE}"
            )
            if rate > 0.05:
                mismatch = True
        else:
            notes.append(
                f"{plural(missing, 'LSOA code')} {'was' if missing == 1 else 'were'} not found in "
                f"{edition}; {'its' if missing == 1 else 'their'} decile was left blank."
            )
    return mismatch


_USUAL_CAUSE = (
    " This usually means the codes are from a different LSOA edition (2011 or 2021) than the "
    "IMD file, or are not English."
)


def _source_counts(frame: pd.DataFrame) -> dict[str, int]:
    src = frame["imd_source"].astype("str").fillna("not known")
    return {str(k): int(v) for k, v in src.value_counts().items()}
