"""Builders for the bad-input corpus: awkward files users really send, each with what must happen.

Each case is (file name, builder, expectation). The expectation is either
``("error", phrase)``: import_cohort must raise a UserError whose message contains the phrase, or
``("ok", check)``: the import must succeed and ``check(result)`` must hold (usually that a note
names the oddity). Nothing here is real data.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter
from cohort_xls_writer import Cell, write_xls

from lmns_desktop.core.cohort.pipeline import CohortImport

HEAD = [
    "Pseudo ID",
    "NHS Number",
    "Mother DOB",
    "Booking Date",
    "Postcode",
    "Ethnic Category",
    "IMD Decile",
    "Interpreter Required",
    "Preterm (<37 wks)",
]


def _rows(n: int = 6) -> list[list[object]]:
    eth = ["A", "N", "Black African", "H", "99", "White - Other"]
    return [
        [
            f"P{i:04d}",
            f"999{i:07d}",
            date(1990, 1 + i % 12, 1 + i % 27),
            date(2024, 5, 1 + i % 28),
            f"NF{1 + i % 9} {i % 9}AB",
            eth[i % len(eth)],
            1 + i % 10,
            "Y" if i % 3 else "N",
            "N" if i % 4 else "Y",
        ]
        for i in range(n)
    ]


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "Data") -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, (date, datetime)):
                ws.write_datetime(
                    r, c, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day), fmt
                )
            else:
                ws.write(r, c, v)
    wb.close()


def _good_xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Data")
    for r, row in enumerate([HEAD] + _rows()):
        for c, v in enumerate(row):
            ws.write(r, c, v.isoformat() if isinstance(v, date) else v)
    wb.close()
    return buf.getvalue()


def _csv_text(delim: str = ",") -> str:
    lines = [delim.join(HEAD)]
    for row in _rows():
        lines.append(
            delim.join(v.strftime("%d/%m/%Y") if isinstance(v, date) else str(v) for v in row)
        )
    return "\n".join(lines) + "\n"


def has_note(*phrases: str) -> Callable[[CohortImport], bool]:
    def check(result: CohortImport) -> bool:
        text = " ".join(result.notes).lower()
        return all(p.lower() in text for p in phrases)

    check.__name__ = f"note:{'+'.join(phrases)}"
    return check


def _imports(n_rows: int) -> Callable[[CohortImport], bool]:
    def check(result: CohortImport) -> bool:
        return len(result.frame) == n_rows

    return check


def both(*checks: Callable[[CohortImport], bool]) -> Callable[[CohortImport], bool]:
    def check(result: CohortImport) -> bool:
        return all(c(result) for c in checks)

    return check


# --- builders ------------------------------------------------------------------------------


def b_zero_xlsx(p: Path) -> None:
    p.write_bytes(b"")


def b_blank_lines_csv(p: Path) -> None:
    p.write_text("\n\n   \n\n", encoding="utf-8")


def b_bom_only_csv(p: Path) -> None:
    p.write_bytes(b"\xef\xbb\xbf")


def b_pdf_renamed(p: Path) -> None:
    p.write_bytes(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
    )


def b_docx_renamed(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")


def b_pptx_renamed(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("ppt/presentation.xml", "<p:presentation/>")


def b_random_binary(p: Path) -> None:
    p.write_bytes(bytes(range(256)) * 8)


def b_truncated_zip(p: Path) -> None:
    data = _good_xlsx_bytes()
    p.write_bytes(data[: len(data) // 2])


def b_plain_zip(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")


def b_corrupt_sheet_xml(p: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(_good_xlsx_bytes()))
    with zipfile.ZipFile(p, "w") as zf:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 3] + b"<<<garbage"
            zf.writestr(item, data)


def b_unsupported_ext(p: Path) -> None:
    p.write_bytes(b"not relevant")


def b_lock_file(p: Path) -> None:
    p.write_bytes(b"\x0bsomeone   " * 10)


def b_folder(p: Path) -> None:
    p.mkdir()


def b_encrypted(p: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(_good_xlsx_bytes())
    with open(p, "wb") as out:
        OOXMLFile(plain).encrypt("Pa55word", out)


def b_empty_workbook(p: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(p)


def b_only_headers_xlsx(p: Path) -> None:
    _xlsx(p, [HEAD])


def b_only_headers_csv(p: Path) -> None:
    p.write_text(",".join(HEAD) + "\n", encoding="utf-8")


def b_title_only(p: Path) -> None:
    _xlsx(p, [["Maternity bookings report"], [], ["Produced 01/10/2025"]])


def b_formula_errors(p: Path) -> None:
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["Pseudo ID", "Age at Booking", "BMI", "IMD Decile", "Ethnic Category"])
    for r in range(1, 8):
        ws.write(r, 0, f"P{r}")
        ws.write_formula(r, 1, "=NA()", None, "#N/A") if r == 2 else ws.write(r, 1, 20 + r)
        ws.write_formula(r, 2, "=1/0", None, "#DIV/0!") if r in (3, 4) else ws.write(r, 2, 24.5)
        ws.write(r, 3, r)
        ws.write_formula(r, 4, "=XX()", None, "#NAME?") if r == 5 else ws.write(r, 4, "A")
    wb.close()


def b_mixed_types(p: Path) -> None:
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Data")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Pseudo ID", "Booking Date", "Age at Booking", "Parity", "Homeless"])
    values = [
        ("P1", datetime(2024, 3, 1), 31, 0, "Y"),
        ("P2", "02/03/2024", "32", "G2P1", "Yes"),
        ("P3", 45354, "33 years", "1+0", 1),
        ("P4", "4 Mar 2024", 34.0, 2, True),
        ("P5", "31/02/2024", "thirty", "lots", "maybe"),
        ("P6", None, None, None, None),
    ]
    for r, row in enumerate(values, start=1):
        for c, v in enumerate(row):
            if isinstance(v, datetime):
                ws.write_datetime(r, c, v, fmt)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()


def b_emoji_non_latin(p: Path) -> None:
    rows = [["Pseudo ID", "Ethnic Category 🌍", "Notes 备注", "اسم", "Trust"]]
    rows += [
        [f"P{i}", ["A", "Black African", "R"][i % 3], "😀 تجربة 日本語 ✓", "مريم", "Trust ✓"]
        for i in range(5)
    ]
    _xlsx(p, rows)


def b_huge_sparse(p: Path) -> None:
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Data")
    for r, row in enumerate(
        [HEAD[:4]] + [row[:2] + [row[2].isoformat(), row[3].isoformat()] for row in _rows()]
    ):
        ws.write_row(r, 0, row)
    ws.write(1_048_575, 0, "stray")
    wb.close()


def b_csv_bom(p: Path) -> None:
    p.write_bytes(b"\xef\xbb\xbf" + _csv_text().encode("utf-8"))


def b_csv_cp1252(p: Path) -> None:
    text = (
        _csv_text().replace("White - Other", "Européenne £")
        + "P9999,9990000099,01/01/1990,01/05/2024,NF1 1AB,Zoë,3,Y,N\n"
    )
    p.write_bytes(text.encode("cp1252"))


def b_csv_utf16_tab(p: Path) -> None:
    p.write_bytes(_csv_text("\t").encode("utf-16"))


def b_csv_semicolon(p: Path) -> None:
    p.write_text(_csv_text(";"), encoding="utf-8")


def b_tsv(p: Path) -> None:
    p.write_text(_csv_text("\t"), encoding="utf-8")


def b_csv_ragged_title(p: Path) -> None:
    p.write_text("Bookings export\nRun on 01/10/2025,by system\n\n" + _csv_text(), encoding="utf-8")


def b_csv_unclosed_quote(p: Path) -> None:
    p.write_text(",".join(HEAD) + '\nP1,"9990000001,01/01/1990\nP2,x\n', encoding="utf-8")


def b_xlsx_as_csv(p: Path) -> None:
    p.write_bytes(_good_xlsx_bytes())


def b_xlsx_as_xls(p: Path) -> None:
    p.write_bytes(_good_xlsx_bytes())


def b_xls_as_xlsx(p: Path) -> None:
    write_xls(
        p,
        {
            "Data": [HEAD]
            + [[v.isoformat() if isinstance(v, date) else v for v in r] for r in _rows()]
        },
    )


def b_csv_as_xlsx(p: Path) -> None:
    p.write_text(_csv_text(), encoding="utf-8")


def b_html_as_xls(p: Path) -> None:
    cells = "".join(f"<th>{h}</th>" for h in HEAD)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in _rows())
    p.write_text(
        f"<html><body><table><tr>{cells}</tr>{body}</table></body></html>", encoding="utf-8"
    )


def b_spreadsheetml(p: Path) -> None:
    p.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="Sheet1"></Worksheet></Workbook>',
        encoding="utf-8",
    )


def b_dupes_blank_columns(p: Path) -> None:
    rows = [["Pseudo ID", None, "Date", "Date", None, "Postcode"]]
    rows += [
        [f"P{i}", None, f"0{1 + i}/01/2024", f"1{i}/02/2024", None, "nf1 1ab"] for i in range(5)
    ]
    _xlsx(p, rows)


def b_totals_row(p: Path) -> None:
    rows = [HEAD] + _rows() + [["Total", None, None, None, None, None, 33, None, None]]
    _xlsx(p, rows)


def b_nhs_scientific_csv(p: Path) -> None:
    p.write_text(
        "Pseudo ID,NHS Number\nP1,9.99329E+09\nP2,9993291623\nP3,999 329 1624\n", encoding="utf-8"
    )


def b_impossible_dates(p: Path) -> None:
    p.write_text(
        "Pseudo ID,Booking Date,Mother DOB\nP1,31/02/2024,01/01/1990\nP2,29/02/2023,12/31/1991\n"
        "P3,29/02/2024,01/13/1992\n",
        encoding="utf-8",
    )


def b_unknown_headings(p: Path) -> None:
    p.write_text("Alpha,Beta,Gamma\n1,2,3\n4,5,6\n", encoding="utf-8")


def b_no_header(p: Path) -> None:
    p.write_text("1,2,3\n4,5,6\n7,8,9\n", encoding="utf-8")


def b_hidden_sheet_data(p: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet("Data")
    for row in [HEAD] + [[v.isoformat() if isinstance(v, date) else v for v in r] for r in _rows()]:
        ws.append(row)
    ws.sheet_state = "hidden"
    wb.save(p)


def b_ods(p: Path) -> None:
    frame = pd.DataFrame(
        [[v.isoformat() if isinstance(v, date) else v for v in r] for r in _rows()], columns=HEAD
    )
    frame.to_excel(p, engine="odf", index=False, sheet_name="Data")


def b_empty_ods(p: Path) -> None:
    pd.DataFrame().to_excel(p, engine="odf", index=False, sheet_name="Data")


def b_xls_errors_merged(p: Path) -> None:
    rows = [
        ["Bookings", None, None],
        [None, None, None],
        ["Pseudo ID", "Booking", None],
        [None, "Date", "Site"],
        ["P1", date(2024, 1, 2), "North"],
        ["P2", Cell("#N/A"), "South"],
        ["P3", date(2024, 1, 4), "North"],
    ]
    write_xls(p, [("Data", rows, False, [(0, 0, 0, 2), (2, 0, 3, 0), (2, 1, 2, 2)])])


def b_long_text(p: Path) -> None:
    _xlsx(p, [["Pseudo ID", "Notes"], ["P1", "x" * 32_000], ["P2", "short"]])


def b_merged_title(p: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "LMNS maternity bookings 2024/25 — OFFICIAL SENSITIVE"
    ws.merge_cells("A1:I1")
    ws["A2"] = "Source: BadgerNet"
    for row in [HEAD] + [[v.isoformat() if isinstance(v, date) else v for v in r] for r in _rows()]:
        ws.append(row)
    wb.save(p)


def b_xlsm(p: Path) -> None:
    p.write_bytes(_good_xlsx_bytes())


def b_nhs_numbers_as_numbers(p: Path) -> None:
    _xlsx(
        p,
        [
            ["Pseudo ID", "NHS Number"],
            ["P1", 9993291623],
            ["P2", 4010232137],
            ["P3", "401 023 2137"],
        ],
    )


def b_dates_all_styles(p: Path) -> None:
    p.write_text(
        "Pseudo ID,Booking Date\nP1,01/03/2024\nP2,1-Mar-24\nP3,2024-03-01\nP4,01.03.2024\n"
        "P5,45352\nP6,1st March 2024\n",
        encoding="utf-8",
    )


def b_footnotes(p: Path) -> None:
    rows = (
        [HEAD]
        + _rows()
        + [[None] * 9, ["Source: maternity information system extract, October 2025"]]
    )
    _xlsx(p, rows)


def b_wide_merged_header(p: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Pseudo ID", "Dates", None, "Outcomes", None])
    ws.append([None, "Booking", "Delivery", "Preterm", "Stillbirth"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    for i in range(4):
        ws.append([f"P{i}", "01/02/2024", "01/09/2024", "N", "N"])
    wb.save(p)


#: (file name, builder, expectation); expectation ("error", phrase) or ("ok", check).
CASES: list[tuple[str, Callable[[Path], None], tuple[str, object]]] = [
    ("zero_bytes.xlsx", b_zero_xlsx, ("error", "is empty (0 bytes)")),
    ("zero_bytes.csv", b_zero_xlsx, ("error", "is empty (0 bytes)")),
    ("blank_lines.csv", b_blank_lines_csv, ("error", "has no data in it")),
    ("bom_only.csv", b_bom_only_csv, ("error", "has no data in it")),
    ("report.pdf.xlsx", b_pdf_renamed, ("error", "is a PDF document")),
    ("letter.xlsx", b_docx_renamed, ("error", "is a Word document")),
    ("slides.xlsx", b_pptx_renamed, ("error", "is a PowerPoint file")),
    ("noise.xlsx", b_random_binary, ("error", "is not a spreadsheet this app can read")),
    ("truncated.xlsx", b_truncated_zip, ("error", "is damaged")),
    ("archive.xlsx", b_plain_zip, ("error", "is a zip archive, not a workbook")),
    ("corrupt_sheet.xlsx", b_corrupt_sheet_xml, ("error", "is damaged")),
    ("cohort.docx", b_unsupported_ext, ("error", "not a cohort file type")),
    ("cohort.pdf", b_pdf_renamed, ("error", "not a cohort file type")),
    ("~$cohort.xlsx", b_lock_file, ("error", "lock file")),
    ("folder.xlsx", b_folder, ("error", "is a folder")),
    ("protected.xlsx", b_encrypted, ("error", "protected with a password")),
    ("empty_workbook.xlsx", b_empty_workbook, ("error", "is empty")),
    ("only_headers.xlsx", b_only_headers_xlsx, ("error", "no rows of data")),
    ("only_headers.csv", b_only_headers_csv, ("error", "no rows of data")),
    ("title_only.xlsx", b_title_only, ("error", "not a table")),
    ("formula_errors.xlsx", b_formula_errors, ("ok", has_note("formula errors"))),
    ("mixed_types.xlsx", b_mixed_types, ("ok", _imports(6))),
    ("emoji_non_latin.xlsx", b_emoji_non_latin, ("ok", _imports(5))),
    (
        "huge_sparse.xlsx",
        b_huge_sparse,
        ("ok", both(_imports(6), has_note("row 1,048,576", "stray"))),
    ),
    ("utf8_bom.csv", b_csv_bom, ("ok", _imports(6))),
    ("windows_1252.csv", b_csv_cp1252, ("ok", has_note("Windows-1252"))),
    ("unicode_text.txt", b_csv_utf16_tab, ("ok", both(_imports(6), has_note("UTF-16")))),
    ("semicolons.csv", b_csv_semicolon, ("ok", _imports(6))),
    ("tabs.tsv", b_tsv, ("ok", _imports(6))),
    ("ragged_title.csv", b_csv_ragged_title, ("ok", both(_imports(6), has_note("skipped")))),
    ("unclosed_quote.csv", b_csv_unclosed_quote, ("error", "not a well-formed CSV")),
    ("workbook_named.csv", b_xlsx_as_csv, ("ok", has_note("really an .xlsx workbook"))),
    ("new_format.xls", b_xlsx_as_xls, ("ok", has_note("really an .xlsx workbook"))),
    ("old_format.xlsx", b_xls_as_xlsx, ("ok", has_note("Excel 97-2003"))),
    ("text_named.xlsx", b_csv_as_xlsx, ("ok", has_note("plain-text (CSV) file"))),
    ("web_export.xls", b_html_as_xls, ("ok", both(_imports(6), has_note("web page")))),
    ("excel2003.xls", b_spreadsheetml, ("error", "Excel 2003 XML")),
    (
        "dupes_blanks.xlsx",
        b_dupes_blank_columns,
        ("ok", has_note("Repeated headings", "no heading and no data")),
    ),
    ("totals_row.xlsx", b_totals_row, ("ok", both(_imports(6), has_note("totals row")))),
    ("nhs_scientific.csv", b_nhs_scientific_csv, ("ok", _imports(3))),
    ("impossible_dates.csv", b_impossible_dates, ("ok", _imports(3))),
    ("unknown_headings.csv", b_unknown_headings, ("ok", has_note("No IMD decile"))),
    ("no_header.csv", b_no_header, ("ok", has_note("No heading row was found"))),
    (
        "hidden_data_sheet.xlsx",
        b_hidden_sheet_data,
        ("ok", both(_imports(6), has_note("'Data' (a hidden sheet) was read"))),
    ),
    ("libreoffice.ods", b_ods, ("ok", _imports(6))),
    ("empty.ods", b_empty_ods, ("error", "empty")),
    (
        "legacy_errors_merged.xls",
        b_xls_errors_merged,
        ("ok", both(_imports(3), has_note("combined"))),
    ),
    ("long_text.xlsx", b_long_text, ("ok", _imports(2))),
    ("merged_title.xlsx", b_merged_title, ("ok", both(_imports(6), has_note("skipped")))),
    ("macros.xlsm", b_xlsm, ("ok", _imports(6))),
    ("nhs_as_numbers.xlsx", b_nhs_numbers_as_numbers, ("ok", _imports(3))),
    ("date_styles.csv", b_dates_all_styles, ("ok", _imports(6))),
    ("footnotes.xlsx", b_footnotes, ("ok", both(_imports(6), has_note("note below the data")))),
    ("two_row_header.xlsx", b_wide_merged_header, ("ok", both(_imports(4), has_note("combined")))),
]


def build_corpus(folder: Path) -> dict[str, Path]:
    """Write every corpus file into ``folder``; returns {case name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, builder, _exp in CASES:
        path = folder / name
        builder(path)
        out[name] = path
    return out
