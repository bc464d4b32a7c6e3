"""A tiny Excel 97-2003 (.xls, BIFF8) writer for test fixtures.

Nothing installed can write .xls (xlwt is gone), so tests build small workbooks byte by byte:
one OLE2 compound file holding a BIFF8 "Workbook" stream with a shared-string table, numbers,
text, booleans, error cells, date-formatted numbers and merged ranges. Good for a few thousand
cells (the compound file uses a single FAT sector, so streams up to ~60 KB).

``write_xls(path, sheets, password="...")`` writes a password-protected workbook, encrypted as
Excel 2003 and later do by default: RC4 CryptoAPI (MS-OFFCRYPTO 2.3.5, 128-bit key, SHA-1), or
with ``scheme="rc4"`` the older Office 97/2000 RC4 scheme (MS-OFFCRYPTO 2.3.6, MD5). A FILEPASS
record follows the workbook BOF and the rest of the stream is encrypted as MS-XLS 2.2.10 says:
one RC4 key per 1024-byte block of the stream, the keystream position being the byte's offset
in its block; record headers, BOF records and the stream-position field of BOUNDSHEET records
stay in the clear (the keystream still advances over them).
"""

from __future__ import annotations

import hashlib
import os
import struct
from datetime import date, datetime

_ERRORS = {
    "#NULL!": 0x00,
    "#DIV/0!": 0x07,
    "#VALUE!": 0x0F,
    "#REF!": 0x17,
    "#NAME?": 0x1D,
    "#NUM!": 0x24,
    "#N/A": 0x2A,
}


def _rec(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _ustr16(text: str) -> bytes:
    """BIFF8 unicode string with a 16-bit length, stored UTF-16LE."""
    return struct.pack("<HB", len(text.encode("utf-16-le")) // 2, 1) + text.encode("utf-16-le")


def _ustr8(text: str) -> bytes:
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


class Cell:
    """An error cell value, e.g. Cell.error("#N/A")."""

    def __init__(self, error: str):
        self.error = error

    @classmethod
    def err(cls, text: str) -> Cell:
        return cls(text)


def _globals(
    sheets: list[tuple[str, bool]], sst: list[str], sheet_offsets: list[int], filepass: bytes = b""
) -> bytes:
    out = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    if filepass:
        out += _rec(0x002F, filepass)  # FILEPASS: must come straight after the BOF
    out += _rec(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
    out += _rec(0x003D, struct.pack("<HHHHHHHHH", 0, 0, 0x4000, 0x3000, 0x38, 0, 0, 1, 0x258))
    font = struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _ustr8("Arial")
    for _ in range(5):
        out += _rec(0x0031, font)
    # XF records: 15 style XFs + cell XF 15 (General) + cell XF 16 (date, built-in format 14).
    style = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    for _ in range(15):
        out += _rec(0x00E0, style)
    out += _rec(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    out += _rec(0x00E0, struct.pack("<HHHBBBBIIH", 0, 14, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    out += _rec(0x0293, struct.pack("<HBB", 0x8000, 0, 0xFF))  # STYLE (Normal)
    for (name, hidden), offset in zip(sheets, sheet_offsets):
        out += _rec(0x0085, struct.pack("<IBB", offset, 1 if hidden else 0, 0) + _ustr8(name))
    body = struct.pack("<II", len(sst), len(sst)) + b"".join(_ustr16(s) for s in sst)
    out += _rec(0x00FC, body)
    out += _rec(0x000A, b"")
    return out


def _sheet(
    rows: list[list[object]], sst_index: dict[str, int], merges: list[tuple[int, int, int, int]]
) -> bytes:
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    out = _rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    out += _rec(0x0200, struct.pack("<IIHHH", 0, n_rows, 0, n_cols, 0))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Cell):
                out += _rec(0x0205, struct.pack("<HHHBB", r, c, 15, _ERRORS[value.error], 1))
            elif isinstance(value, bool):
                out += _rec(0x0205, struct.pack("<HHHBB", r, c, 15, int(value), 0))
            elif isinstance(value, (int, float)):
                out += _rec(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
            elif isinstance(value, (date, datetime)):
                d = (
                    value
                    if isinstance(value, datetime)
                    else datetime(value.year, value.month, value.day)
                )
                serial = (d - datetime(1899, 12, 30)).total_seconds() / 86400.0
                out += _rec(0x0203, struct.pack("<HHHd", r, c, 16, serial))
            else:
                out += _rec(0x00FD, struct.pack("<HHHI", r, c, 15, sst_index[str(value)]))
    if merges:
        body = struct.pack("<H", len(merges)) + b"".join(
            struct.pack("<HHHH", r0, r1, c0, c1) for r0, c0, r1, c1 in merges
        )
        out += _rec(0x00E5, body)
    out += _rec(0x000A, b"")
    return out


def workbook_stream(
    sheets: list[tuple[str, list[list[object]], bool, list[tuple[int, int, int, int]]]],
    filepass: bytes = b"",
) -> bytes:
    """The BIFF8 Workbook stream for (name, rows, hidden, merges) sheets (not yet encrypted)."""
    sst: list[str] = []
    index: dict[str, int] = {}
    for _name, rows, _hidden, _m in sheets:
        for row in rows:
            for v in row:
                if isinstance(v, str) and v not in index:
                    index[v] = len(sst)
                    sst.append(v)
    bodies = [_sheet(rows, index, merges) for _n, rows, _h, merges in sheets]
    meta = [(name, hidden) for name, _r, hidden, _m in sheets]
    size = len(_globals(meta, sst, [0] * len(sheets), filepass))
    offsets = []
    pos = size
    for body in bodies:
        offsets.append(pos)
        pos += len(body)
    return _globals(meta, sst, offsets, filepass) + b"".join(bodies)


# --- Encryption (MS-OFFCRYPTO 2.3.5 / 2.3.6, MS-XLS 2.2.10) ---------------------------------

_CSP_NAME = "Microsoft Enhanced Cryptographic Provider v1.0"
# Records that are never encrypted (MS-XLS 2.2.10): BOF, FILEPASS, USREXCL, FILELOCK,
# INTERFACEHDR, RRDINFO, RRDHEAD.
_CLEAR_RECORDS = {0x0809, 0x002F, 0x0194, 0x0195, 0x00E1, 0x0196, 0x0138}
_BOUNDSHEET = 0x0085


def _rc4(key: bytes):
    from cryptography.hazmat.primitives.ciphers import Cipher

    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    except ImportError:  # cryptography < 43
        from cryptography.hazmat.primitives.ciphers.algorithms import ARC4
    return Cipher(ARC4(key), mode=None).encryptor()


def _block_key(scheme: str, password: str, salt: bytes, block: int) -> bytes:
    if scheme == "cryptoapi":  # MS-OFFCRYPTO 2.3.5.2: SHA-1, 128-bit key
        from msoffcrypto.method.rc4_cryptoapi import _makekey

        return _makekey(password, salt, 128, block)
    from msoffcrypto.method.rc4 import _makekey  # MS-OFFCRYPTO 2.3.6.2: MD5

    return _makekey(password, salt, block)


def _filepass(scheme: str, password: str, salt: bytes) -> bytes:
    """The FILEPASS record body: encryption header plus the password verifier."""
    verifier = os.urandom(16)
    rc4 = _rc4(_block_key(scheme, password, salt, 0))
    if scheme == "cryptoapi":
        encrypted = rc4.update(verifier + hashlib.sha1(verifier).digest())
        flags = 0x04  # fCryptoAPI
        header = struct.pack("<IIIIIIII", flags, 0, 0x6801, 0x8004, 128, 1, 0, 0)  # RC4, SHA-1
        header += (_CSP_NAME + "\0").encode("utf-16-le")
        return (
            struct.pack("<HHHII", 1, 2, 2, flags, len(header))
            + header
            + struct.pack("<I", 16)
            + salt
            + encrypted[:16]
            + struct.pack("<I", 20)
            + encrypted[16:]
        )
    if scheme == "rc4":
        encrypted = rc4.update(verifier + hashlib.md5(verifier).digest())
        return struct.pack("<HHH", 1, 1, 1) + salt + encrypted
    raise ValueError(f"unknown encryption scheme {scheme!r}")


def _encrypt_stream(stream: bytes, scheme: str, password: str, salt: bytes) -> bytes:
    """The BIFF8 stream encrypted record by record, leaving in the clear what must stay so."""
    clear = bytearray(len(stream))  # 1 where the byte stays as it is
    pos = 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        clear[pos : pos + 4] = b"\x01" * 4
        if rtype in _CLEAR_RECORDS:
            clear[pos + 4 : pos + 4 + size] = b"\x01" * size
        elif rtype == _BOUNDSHEET:
            clear[pos + 4 : pos + 8] = b"\x01" * 4  # lbPlyPos: where the sheet's BOF is
        pos += 4 + size
    out = bytearray(stream)
    for start in range(0, len(stream), 1024):
        keystream = _rc4(_block_key(scheme, password, salt, start // 1024)).update(bytes(1024))
        for i in range(start, min(start + 1024, len(stream))):
            if not clear[i]:
                out[i] ^= keystream[i - start]
    return bytes(out)


def _cfb(stream: bytes, name: str = "Workbook") -> bytes:
    """Wrap one stream in an OLE2 compound file (v3, 512-byte sectors, one FAT sector).

    Sector 0 is the FAT, sector 1 the directory, sectors 2.. the stream (padded to 4096 bytes
    so that it lives in normal sectors, not the mini stream).
    """
    size = max(len(stream), 4096)
    n = (size + 511) // 512
    if n + 2 > 128:
        raise ValueError("fixture too large for the tiny .xls writer")
    stream = stream.ljust(n * 512, b"\x00")
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fatsect, end] + [i + 3 for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108

    def entry(ename: str, etype: int, child: int, start: int, length: int) -> bytes:
        raw = ename.encode("utf-16-le") + b"\x00\x00" if ename else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), etype, 1)
            + struct.pack("<III", free, free, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<III", start, length, 0)
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(name, 2, free, 2, size)
        + entry("", 0, free, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def write_xls(path, sheets, password: str | None = None, scheme: str = "cryptoapi") -> None:
    """Write an .xls file. ``sheets``: {name: rows} or a list of (name, rows, hidden, merges).

    With a ``password`` the workbook is encrypted; ``scheme`` is "cryptoapi" (RC4 CryptoAPI,
    what Excel 2003 and later write) or "rc4" (the Office 97/2000 RC4 scheme).
    """
    if isinstance(sheets, dict):
        sheets = [(name, rows, False, []) for name, rows in sheets.items()]
    if password is None:
        stream = workbook_stream(sheets)
    else:
        salt = os.urandom(16)
        stream = workbook_stream(sheets, _filepass(scheme, password, salt))
        # _cfb pads a short stream with zero bytes up to 4096, which msoffcrypto's decrypt walks
        # as 4-byte record headers and fails on a ragged tail (the short-read bug of
        # msoffcrypto-tool issue #83): a filler record after the last EOF, where readers stop,
        # makes the padding line up.
        stream += _rec(0, bytes(-len(stream) % 4))
        stream = _encrypt_stream(stream, scheme, password, salt)
    with open(path, "wb") as fh:
        fh.write(_cfb(stream))
