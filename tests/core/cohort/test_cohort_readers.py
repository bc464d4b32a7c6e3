"""Readers: every format gives the same text cells, identifiers stay text, positions are right."""

from __future__ import annotations

import struct
import threading
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from cohort_xls_writer import Cell, write_xls

from lmns_desktop.core.cohort import readers
from lmns_desktop.core.cohort.readers import RawTable, list_sheets, read_raw
from lmns_desktop.core.jobs import Cancelled

ROWS = [
    ["Pseudo ID", "NHS Number", "Booking Date", "Age", "BMI", "Flag"],
    ["P001", "9993291623", date(2024, 3, 1), 31, 27.5, "Y"],
    ["0042", "0123456789", date(2024, 12, 25), 19, 30.25, "N"],
]
EXPECTED = [
    ["Pseudo ID", "NHS Number", "Booking Date", "Age", "BMI", "Flag"],
    ["P001", "9993291623", "2024-03-01 00:00:00", "31", "27.5", "Y"],
    ["0042", "0123456789", "2024-12-25 00:00:00", "19", "30.25", "N"],
]


def _cells(raw: RawTable) -> list[list[str | None]]:
    return [[None if pd.isna(v) else v for v in row] for row in raw.cells.itertuples(index=False)]


def write_xlsx(
    path: Path, rows: list[list[object]], start: tuple[int, int] = (0, 0), sheet: str = "Data"
) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(start[0] + r, start[1] + c, datetime(v.year, v.month, v.day), fmt)
            elif v is not None:
                ws.write(start[0] + r, start[1] + c, v)
    wb.close()
    return path


@pytest.fixture(params=["fastexcel", "calamine"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the fast engine and with the python-calamine fallback."""
    monkeypatch.setattr(readers, "ENGINE", request.param)
    return request.param


def test_xlsx_cells_as_text(tmp_path: Path, engine: str) -> None:
    raw = read_raw(write_xlsx(tmp_path / "c.xlsx", ROWS))
    assert _cells(raw) == EXPECTED
    assert (raw.first_row, raw.first_col, raw.sheet, raw.file_format) == (1, 0, "Data", "xlsx")
    assert all(raw.cells[j].dtype == "str" for j in raw.cells.columns)


def test_xlsx_offset_origin(tmp_path: Path, engine: str) -> None:
    """Data that starts at C5 keeps its spreadsheet row numbers and column letters."""
    raw = read_raw(write_xlsx(tmp_path / "c.xlsx", ROWS, start=(4, 2)))
    assert (raw.first_row, raw.first_col) == (5, 2)
    assert raw.row_number(1) == 6 and raw.letter(0) == "C"
    assert _cells(raw) == EXPECTED


def test_xlsm_and_numbers_as_identifiers(tmp_path: Path, engine: str) -> None:
    rows = [["NHS Number", "Big"], [9993291623, 1234567890123.0], [4010232137, 12.0]]
    raw = read_raw(write_xlsx(tmp_path / "c.xlsm", rows))
    assert raw.file_format == "xlsm"
    assert _cells(raw)[1:] == [["9993291623", "1234567890123"], ["4010232137", "12"]]


def test_xls(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "c.xls"
    write_xls(path, {"Data": ROWS})
    raw = read_raw(path)
    assert raw.file_format == "xls"
    assert _cells(raw) == EXPECTED


def test_xls_errors_and_merges(tmp_path: Path) -> None:
    path = tmp_path / "c.xls"
    rows = [["Title"], [], ["A", "B"], ["x", Cell("#DIV/0!")], ["y", True]]
    write_xls(path, [("S", rows, False, [(0, 0, 0, 1)])])
    raw = read_raw(path)
    assert _cells(raw)[3:] == [["x", "#DIV/0!"], ["y", "true"]]
    assert raw.error_cells == 1
    assert [(m.first_row, m.first_col, m.last_row, m.last_col) for m in raw.merged_ranges()] == [
        (0, 0, 0, 1)
    ]


def test_ods(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "c.ods"
    frame = pd.DataFrame([r for r in EXPECTED[1:]], columns=EXPECTED[0])
    frame.to_excel(path, engine="odf", index=False, sheet_name="Data")
    raw = read_raw(path)
    assert raw.file_format == "ods"
    assert _cells(raw)[0] == EXPECTED[0]
    assert _cells(raw)[1][:2] == ["P001", "9993291623"]


@pytest.mark.parametrize(
    ("encoding", "bom", "note"),
    [
        ("utf-8", b"", None),
        ("utf-8", b"\xef\xbb\xbf", None),
        ("cp1252", b"", "Windows-1252"),
        ("utf-16", b"", "UTF-16"),
    ],
)
@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_csv_encodings_and_delimiters(
    tmp_path: Path, encoding: str, bom: bytes, note: str | None, delim: str
) -> None:
    text = "\n".join(
        delim.join(r)
        for r in [
            ["Pseudo ID", "NHS Number", "Town"],
            ["0042", "0123456789", "Bürgel £"],
            ["P2", "", "Zoë"],
        ]
    )
    path = tmp_path / "c.csv"
    path.write_bytes(bom + text.encode(encoding))
    raw = read_raw(path)
    assert raw.delimiter == delim
    assert _cells(raw) == [
        ["Pseudo ID", "NHS Number", "Town"],
        ["0042", "0123456789", "Bürgel £"],
        ["P2", None, "Zoë"],
    ]
    assert (note is None and not raw.notes) or any(note in n for n in raw.notes)


def test_csv_quoted_commas_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('ID,Notes\nP1,"a, b"\nP2,"line1\nline2"\n', encoding="utf-8")
    assert _cells(read_raw(path))[1:] == [["P1", "a, b"], ["P2", "line1\nline2"]]


def test_csv_rows_longer_than_the_first_lines(tmp_path: Path) -> None:
    lines = ["Title"] + ["a,b"] * 300 + ["a,b,c,d"]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    raw = read_raw(path)
    assert raw.n_cols == 4 and raw.n_rows == 302


def test_list_sheets_and_choice(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb["Notes"]["A1"] = "About this export"
    ws = wb.create_sheet("Bookings")
    for row in EXPECTED:
        ws.append(row)
    hidden = wb.create_sheet("Lookup")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    path = tmp_path / "c.xlsx"
    wb.save(path)
    assert [(s.name, s.visible) for s in list_sheets(path)] == [
        ("Notes", True),
        ("Bookings", True),
        ("Lookup", False),
    ]
    raw = read_raw(path)
    assert raw.sheet == "Bookings"  # the notes sheet is not a table
    assert any("3 sheets" in n for n in raw.notes)
    assert read_raw(path, sheet="notes").sheet == "Notes"  # case-insensitive name


def test_password_protected(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", ROWS, start=(2, 1))
    enc = tmp_path / "enc.xlsx"
    with open(plain, "rb") as src, open(enc, "wb") as out:
        OOXMLFile(src).encrypt("open sesame", out)
    with pytest.raises(readers.PasswordRequired, match="protected with a password"):
        read_raw(enc)
    with pytest.raises(readers.WrongPassword):
        read_raw(enc, password="Open Sesame")
    raw = read_raw(enc, password="open sesame")
    assert _cells(raw) == EXPECTED and (raw.first_row, raw.first_col) == (3, 1)


@pytest.mark.parametrize("scheme", ["cryptoapi", "rc4"])
def test_password_protected_xls(
    tmp_path: Path, engine: str, scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel 97-2003 encryption: RC4 CryptoAPI (Excel 2003 and later) and Office 97 RC4."""
    import tempfile

    enc = tmp_path / "enc.xls"
    rows = [[]] + [[None, *row] for row in ROWS]  # the table starts at B2
    write_xls(enc, [("Data", rows, False, [])], password="open sesame", scheme=scheme)
    with pytest.raises(readers.PasswordRequired, match="protected with a password"):
        read_raw(enc)
    with pytest.raises(readers.PasswordRequired, match="protected with a password"):
        list_sheets(enc)
    with pytest.raises(readers.WrongPassword, match="not correct"):
        read_raw(enc, password="Open Sesame")

    def no_temp_files(*args: object, **kwargs: object) -> None:
        raise AssertionError("decrypted data must stay in memory")

    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "SpooledTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    raw = read_raw(enc, password="open sesame")
    assert _cells(raw) == EXPECTED and (raw.first_row, raw.first_col) == (2, 1)
    assert raw.file_format == "xls"
    assert any("password-protected" in n for n in raw.notes)
    assert [s.name for s in list_sheets(enc, password="open sesame")] == ["Data"]


def test_xls_encrypted_in_an_unknown_way_is_not_called_a_wrong_password(tmp_path: Path) -> None:
    """A FILEPASS header of an encryption version msoffcrypto does not know: the message says
    the app cannot open it (and how to get a copy it can), not that the password is wrong."""
    enc = tmp_path / "odd.xls"
    write_xls(enc, {"Data": ROWS}, password="open sesame", scheme="rc4")
    body = enc.read_bytes()
    rc4_filepass = b"\x2f\x00" + struct.pack("<H", 54) + struct.pack("<HHH", 1, 1, 1)
    assert body.count(rc4_filepass) == 1
    enc.write_bytes(body.replace(rc4_filepass, rc4_filepass[:6] + struct.pack("<HH", 9, 9)))
    with pytest.raises(readers.CohortFileError) as caught:
        read_raw(enc, password="open sesame")
    assert not isinstance(caught.value, readers.WrongPassword)
    assert "cannot open" in str(caught.value) and "odd.xls" in str(caught.value)


def test_merged_ranges_from_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "Group"
    ws.merge_cells("B2:D2")
    ws.merge_cells("A5:A6")
    ws["A5"] = "x"
    path = tmp_path / "m.xlsx"
    wb.save(path)
    raw = read_raw(path)
    assert sorted(
        (m.first_row, m.first_col, m.last_row, m.last_col) for m in raw.merged_ranges()
    ) == [(1, 1, 1, 3), (4, 0, 5, 0)]


def test_fast_and_fallback_engines_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["t"], [], ["A", "B", "C"]] + [
        [f"r{i}", i * 1.5, date(2024, 1, 1 + i % 28)] for i in range(200)
    ]
    path = write_xlsx(tmp_path / "c.xlsx", rows, start=(1, 3))
    fast = read_raw(path)
    monkeypatch.setattr(readers, "ENGINE", "calamine")
    slow = read_raw(path)
    assert (fast.first_row, fast.first_col) == (slow.first_row, slow.first_col) == (2, 3)
    pd.testing.assert_frame_equal(fast.cells, slow.cells)


def test_read_can_be_cancelled_quickly(tmp_path: Path) -> None:
    """Cancel pressed once the file is being parsed takes effect within 0.5 s, long before the
    read would end (the pandas path parses in chunks and looks between them)."""
    path = tmp_path / "big.csv"
    row = ",".join(["P0000001", "9993291623", "01/02/2024", "NF1 1AB", "Y", "N"] * 4)
    # a title line above the table sends it down the (slower) pandas path
    path.write_text("Bookings export\n" + "\n".join([row] * 250_000), encoding="utf-8")
    t0 = time.perf_counter()
    assert read_raw(path).n_rows == 250_001
    full = time.perf_counter() - t0
    flag = threading.Event()
    pressed: list[float] = []
    reports: list[int] = []

    def progress(pct: int, message: str) -> None:
        reports.append(pct)
        if len(reports) == 4 and not pressed:  # a few chunks parsed: the user presses Cancel
            pressed.append(time.perf_counter())
            flag.set()

    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        read_raw(path, progress=progress, is_cancelled=flag.is_set)
    assert pressed, "no progress was reported while reading"
    assert time.perf_counter() - pressed[0] < 0.5
    assert time.perf_counter() - t0 < full  # it really stopped early rather than finishing


def test_arrow_and_pandas_csv_parsers_agree() -> None:
    """The fast Arrow CSV path and the pandas fallback give identical text cells."""
    text = (
        'ID,Notes,NHS,Empty\n0042,"a, b",0123456789,\nP2,"two\nlines",,""\n'
        "P3,  spaced  ,9993291623,x\n"
    )
    fast = readers._arrow_csv(text.encode("utf-8"), ",")
    slow = readers._pandas_csv(text, ",", 4, "t.csv", lambda p, m: None, lambda: False, 1.0)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, slow)
    assert readers._arrow_csv(b"Title\na,b\n1,2\n", ",") is None  # ragged: pandas handles it
