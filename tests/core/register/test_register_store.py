"""Register store: round trips keep everything; bad files give one clear sentence."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font, PatternFill
from register_fixtures import small_sheets

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_model import RegisterDocument, add_project, delete_rows, update_row
from lmns_desktop.core.register_store import (
    check_register,
    counts_by,
    load_bytes,
    read_register,
    save_register,
    to_bytes,
    upgrade_register,
    write_new_register,
)
from lmns_desktop.core.register_validation import validate


def _values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _frames_equal(a: RegisterDocument, b: RegisterDocument) -> None:
    for sheet in rs.SHEET_COLUMNS:
        pd.testing.assert_frame_equal(
            a.frames[sheet].reset_index(drop=True), b.frames[sheet].reset_index(drop=True)
        )


# --- new registers are formatted for Excel -------------------------------------------------


def test_new_register_is_formatted_for_excel(register_file: Path) -> None:
    wb = openpyxl.load_workbook(register_file)
    assert wb.sheetnames == ["Projects", "Evidence", "Measures", "PDSA", "Lists", "_meta"]
    assert wb["Lists"].sheet_state == "hidden" and wb["_meta"].sheet_state == "hidden"
    ws = wb["Projects"]
    assert [c.value for c in ws[1]] == rs.headers(rs.SHEET_PROJECTS)
    head = ws["A1"]
    assert (
        head.fill.fgColor.rgb == "FF005EB8" and head.font.bold and head.font.color.rgb == "FFFFFFFF"
    )
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:X4"
    assert ws.column_dimensions["B"].width == 40
    start = ws["L2"]
    assert start.value == datetime(2024, 1, 1) and start.number_format == "dd/mm/yyyy"
    formulas = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert formulas["D2:D1048576"] == "Lists!$A$2:$A$6"  # sub-workstreams
    assert formulas["F2:F1048576"] == '"Yes,No"'
    lists = wb["Lists"]
    assert [lists.cell(row=r, column=1).value for r in range(2, 7)] == list(vocab.SUB_WORKSTREAMS)
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(values_only=True)}
    assert meta["schema_version"] == rs.SCHEMA_VERSION
    assert {"app_version", "saved_at", "saved_by", "machine"} <= set(meta)


def test_demo_register_round_trips_and_is_valid(tmp_path: Path) -> None:
    from lmns_desktop.core import demo_data

    path = demo_data.write_register(tmp_path / "demo.xlsx")
    doc = read_register(path)
    assert len(doc.projects) == 48 and validate(doc) == []
    before = _values(path)
    save_register(doc)
    after = _values(path)
    for sheet in ("Projects", "Evidence", "Measures", "PDSA", "Lists"):
        assert before[sheet] == after[sheet]
    _frames_equal(doc, read_register(path))


def test_counts_by_orders_fixed_list_first(opened: RegisterDocument) -> None:
    counts = counts_by(opened.projects, "Status", vocab.PROJECT_STATUSES)
    assert list(counts.index) == ["Planning", "Active", "Complete"]


# --- unknown columns and sheets ------------------------------------------------------------


def _hand_made(path: Path) -> Path:
    """A register someone edited in Excel: extra columns with styles and a formula, an extra
    sheet with merged cells, and columns in their own order."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    headers = ["ID", "Title", "Budget (£)", "Sub-workstream", "Status", "Start date", "Owner email"]
    ws.append(headers)
    ws.append(["IH-0001", "Hub", 1200, "Culture", "Active", datetime(2024, 6, 1), "a@nhs.net"])
    ws.append(["IH-0002", "Interpreters", 900.5, "Culture", "Idea", datetime(2024, 7, 1), None])
    ws.append(["IH-0003", "Outreach", None, "Culture", "Active", datetime(2024, 8, 1), "c@nhs.net"])
    ws["C2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["C3"].font = Font(italic=True, color="FF0000")
    ws["C4"] = "=C2+C3"
    notes = wb.create_sheet("Board notes")
    notes["A1"] = "Agreed at board"
    notes["B3"] = date(2025, 1, 31)
    notes.merge_cells("A1:C1")
    notes["A1"].font = Font(bold=True, size=14)
    wb.create_sheet("Evidence").append(rs.headers(rs.SHEET_EVIDENCE))
    wb.save(path)
    return path


def test_unknown_columns_and_sheets_survive_a_save(tmp_path: Path) -> None:
    path = _hand_made(tmp_path / "hand.xlsx")
    doc = read_register(path)
    assert doc.extra_columns("Projects") == ["Budget (£)", "Owner email"]
    save_register(doc)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Projects", "Board notes", "Evidence"]
    ws = wb["Projects"]
    header = [c.value for c in ws[1]]
    assert header[:7] == [
        "ID",
        "Title",
        "Budget (£)",
        "Sub-workstream",
        "Status",
        "Start date",
        "Owner email",
    ]
    assert "Aim" in header[7:]  # missing known columns are added after the user's own
    assert ws["C2"].value == 1200 and ws["C3"].value == 900.5 and ws["C4"].value == "=C2+C3"
    assert ws["C2"].fill.fgColor.rgb == "00FFFF00"
    assert ws["C3"].font.italic and ws["C3"].font.color.rgb == "00FF0000"
    assert ws["G2"].value == "a@nhs.net" and ws["G3"].value is None
    assert ws["F2"].value == datetime(2024, 6, 1)
    notes = wb["Board notes"]
    assert notes["A1"].value == "Agreed at board" and notes["A1"].font.bold
    assert "A1:C1" in {str(r) for r in notes.merged_cells.ranges}
    assert notes["B3"].value == datetime(2025, 1, 31)


def test_unknown_cells_follow_their_rows_when_rows_change(tmp_path: Path) -> None:
    path = _hand_made(tmp_path / "hand.xlsx")
    doc = read_register(path)
    first = doc.find_project("IH-0001")
    delete_rows(doc, "Projects", [first])
    add_project(doc, {"Title": "New", "Sub-workstream": "Culture", "Status": "Idea"})
    key = doc.find_project("IH-0002")
    update_row(doc, "Projects", key, {"Title": "Interpreters first", "Owner email": "b@nhs.net"})
    save_register(doc)
    ws = openpyxl.load_workbook(path)["Projects"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"IH-0002", "IH-0003", "IH-0004"}
    assert rows["IH-0002"][1] == "Interpreters first" and rows["IH-0002"][2] == 900.5
    assert rows["IH-0002"][6] == "b@nhs.net"
    assert ws["C2"].font.italic  # the IH-0002 budget cell kept its style after moving up a row
    assert rows["IH-0004"][2] is None
    again = read_register(path)
    assert again.projects["Title"].tolist() == ["Interpreters first", "Outreach", "New"]


_cell_values = st.one_of(
    st.none(),
    st.integers(-10_000, 10_000),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 4)),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        min_size=1,
        max_size=12,
    ).filter(lambda s: s.strip() and not s.startswith("=")),
    st.booleans(),
    st.dates(date(1950, 1, 1), date(2090, 12, 31)).map(lambda d: datetime(d.year, d.month, d.day)),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    columns=st.lists(
        st.tuples(st.integers(0, 8), st.lists(_cell_values, min_size=3, max_size=3)),
        min_size=1,
        max_size=3,
    ),
    extra_sheet=st.lists(_cell_values, min_size=1, max_size=4),
)
def test_random_unknown_columns_and_sheets_round_trip(
    tmp_path: Path, columns: list[tuple[int, list]], extra_sheet: list
) -> None:
    headers = list(rs.headers(rs.SHEET_PROJECTS)[:6])
    rows = [[f"IH-000{i}", f"P{i}", None, "Culture", None, "No"] for i in (1, 2, 3)]
    for n, (pos, values) in enumerate(columns):
        at = min(pos, len(headers))
        headers.insert(at, f"Extra {n}")
        for row, value in zip(rows, values, strict=True):
            row.insert(at, value)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    other = wb.create_sheet("Other")
    for value in extra_sheet:
        other.append([value])
    path = tmp_path / f"random-{abs(hash(str(columns)))}.xlsx"
    wb.save(path)
    before = _values(path)
    save_register(read_register(path), keep_backups=0)
    after = _values(path)
    assert after["Other"] == before["Other"]
    got_header = list(after["Projects"][0])
    for n in range(len(columns)):
        j = headers.index(f"Extra {n}")
        assert got_header[j] == f"Extra {n}"
        assert [r[j] for r in after["Projects"][1:]] == [r[j] for r in before["Projects"][1:]]


def test_text_in_date_cells_is_kept_and_reported(tmp_path: Path) -> None:
    path = _hand_made(tmp_path / "hand.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Projects"]["F3"] = "next spring"
    wb.save(path)
    doc = read_register(path)
    problems = validate(doc)
    assert any(
        p.message
        == "Projects row 3: start date 'next spring' is not a date; type it as dd/mm/yyyy."
        for p in problems
    )
    save_register(doc)
    assert openpyxl.load_workbook(path)["Projects"]["F3"].value == "next spring"


# --- bad input -----------------------------------------------------------------------------


def _single_sentence(message: str) -> None:
    assert message.endswith(".") and len(message) > 20
    assert "Traceback" not in message and "\n" not in message


def _excel_with_meta(path: Path, version: int) -> Path:
    doc = RegisterDocument(small_sheets())
    save_register(doc, path)
    wb = openpyxl.load_workbook(path)
    wb["_meta"]["B1"] = version
    wb.save(path)
    return path


def _encrypted_like(path: Path) -> Path:
    """An OLE compound file holding an EncryptedPackage stream, as Excel writes for passwords."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text("ID,Title\nIH-0001,x\n") or p, "is not an Excel workbook"),
        (lambda p: p.write_bytes(b"") or p, "is empty"),
        (_encrypted_like, "is protected with a password"),
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) or p,
            "old-style Excel file",
        ),
        (lambda p: _excel_with_meta(p, rs.SCHEMA_VERSION + 1), "newer version"),
    ],
    ids=["csv-text", "empty", "password", "xls", "newer-schema"],
)
def test_bad_files_give_one_sentence_and_are_not_touched(
    tmp_path: Path, make, expected: str
) -> None:
    path = tmp_path / "bad.xlsx"
    make(path)
    before = path.read_bytes()
    with pytest.raises(UserError) as info:
        read_register(path)
    assert expected in str(info.value)
    _single_sentence(str(info.value).split(". ")[0] + ".")
    assert path.read_bytes() == before
    assert not (tmp_path / ".backups").exists()


def test_corrupt_workbook(tmp_path: Path, register_file: Path) -> None:
    data = register_file.read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="damaged|not an Excel workbook"):
        read_register(broken)
    # a zip whose sheet XML is garbage
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[:200]
            dst.writestr(item, body)
    broken.write_bytes(out.getvalue())
    with pytest.raises(UserError, match="damaged"):
        read_register(broken)


def test_password_protected_file_made_by_msoffcrypto(tmp_path: Path, register_file: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    target = tmp_path / "locked.xlsx"
    with register_file.open("rb") as plain, target.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    with target.open("rb") as handle:
        assert msoffcrypto.OfficeFile(handle).is_encrypted()
    with pytest.raises(UserError, match="protected with a password"):
        read_register(target)


def test_missing_projects_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Tracker"
    path = tmp_path / "tracker.xlsx"
    wb.save(path)
    with pytest.raises(UserError, match="has no sheet called 'Projects'.*Import register"):
        read_register(path)


def test_missing_file() -> None:
    with pytest.raises(UserError, match="was not found"):
        read_register(Path("/nonexistent/register.xlsx"))


def test_duplicate_ids_and_unknown_labels_are_flagged_not_dropped(tmp_path: Path) -> None:
    path = _hand_made(tmp_path / "hand.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Projects"]
    ws["A3"] = "IH-0001"
    ws["D4"] = "Cultre"
    wb.save(path)
    doc = read_register(path)
    assert len(doc.projects) == 3
    messages = [p.message for p in validate(doc)]
    assert "Projects row 3: project ID IH-0001 is used more than once (also in row 2)." in messages
    assert any(
        m.startswith("Projects row 4: sub-workstream 'Cultre' is not one of the five")
        for m in messages
    )
    save_register(doc)
    assert [r[0] for r in _values(path)["Projects"][1:]] == ["IH-0001", "IH-0001", "IH-0003"]


# --- upgrade, check, bytes -----------------------------------------------------------------


def test_upgrade_keeps_a_title_banner_and_adds_missing_parts(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "projects"
    ws["A1"] = "Northfield LMNS inclusion projects"
    ws["A1"].font = Font(bold=True, size=16)
    ws.append([])
    ws.append(["id", "TITLE", "Sub workstream", "status", "RAG", "Comments"])
    ws.append(["IH-0001", "Hub", "Culture", "Active", "Green", "ok"])
    ws.append(["IH-0002", "Walks", "Culture", "Idea", "Red", None])
    src = tmp_path / "old.xlsx"
    wb.save(src)
    before = src.read_bytes()
    out = upgrade_register(src, tmp_path / "new.xlsx")
    assert src.read_bytes() == before
    doc = read_register(out)
    assert doc.projects["Title"].tolist() == ["Hub", "Walks"]
    assert doc.meta["schema_version"] == str(rs.SCHEMA_VERSION)
    assert doc.row_number("Projects", doc.find_project("IH-0002")) == 5
    new = openpyxl.load_workbook(out)
    assert new.sheetnames == ["projects", "Evidence", "Measures", "PDSA", "Lists", "_meta"]
    sheet = new["projects"]
    assert sheet["A1"].value == "Northfield LMNS inclusion projects" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A4"
    assert [c.value for c in sheet[3]][:6] == [
        "ID",
        "Title",
        "Sub-workstream",
        "Status",
        "RAG",
        "Comments",
    ]
    assert sheet["F4"].value == "ok"


def test_check_register_json_shape(tmp_path: Path, register_file: Path) -> None:
    wb = openpyxl.load_workbook(register_file)
    wb["Measures"]["E2"] = 500  # numerator above the denominator of 100
    wb.save(register_file)
    result = check_register(register_file)
    assert {k: result[k] for k in ("projects", "evidence", "measures")} == {
        "projects": 3,
        "evidence": 2,
        "measures": 3,
    }
    assert result["problems"] == [
        {
            "sheet": "Measures",
            "row": 2,
            "column": "Numerator",
            "message": "Measures row 2: numerator 500 is larger than denominator 100.",
        }
    ]


def test_bytes_round_trip_without_a_file(doc: RegisterDocument) -> None:
    again = load_bytes(to_bytes(doc), "memory.xlsx")
    _frames_equal(doc, again)
    assert again.user_lists["TRUSTS"] == sorted(vocab.TRUSTS_DEMO[1:4])


def test_user_lists_are_stored_in_the_workbook(tmp_path: Path, doc: RegisterDocument) -> None:
    from lmns_desktop.core.register_model import add_list_value

    add_list_value(doc, "PLUS_GROUPS", "Young parents")
    add_list_value(doc, "TRUSTS", "Hillside NHS Trust")
    path = save_register(doc, tmp_path / "lists.xlsx")
    again = read_register(path)
    assert again.user_lists["PLUS_GROUPS"] == ["Young parents"]
    assert "Hillside NHS Trust" in again.list_values("TRUSTS")
    assert "Young parents" in again.list_values("PLUS_GROUPS")


def test_write_new_register_accepts_no_sheets(tmp_path: Path) -> None:
    path = write_new_register(tmp_path / "empty.xlsx", {})
    doc = read_register(path)
    assert len(doc.projects) == 0 and list(doc.projects.columns) == rs.headers(rs.SHEET_PROJECTS)


# --- Excel details -------------------------------------------------------------------------


def _rewrite_part(path: Path, part: str, change) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, change(body) if item.filename == part else body)
    path.write_bytes(out.getvalue())


def test_styles_without_number_formats_stay_in_schema_order(tmp_path: Path) -> None:
    import re

    from lxml import etree

    path = _hand_made(tmp_path / "hand.xlsx")
    _rewrite_part(
        path, "xl/styles.xml", lambda b: re.sub(rb"<numFmts[^>]*?(/>|>.*?</numFmts>)", b"", b)
    )
    save_register(read_register(path))
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("xl/styles.xml"))
    order = [etree.QName(c).localname for c in root]
    assert order[:3] == ["numFmts", "fonts", "fills"]
    assert openpyxl.load_workbook(path)["Projects"]["F2"].number_format == "dd/mm/yyyy"


def test_excel_table_is_resized_and_keeps_its_header_names(tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    ws.append(["ID", "TITLE", "Sub-workstream", "Status", "Budget"])
    ws.append(["IH-0001", "Hub", "Culture", "Active", 10])
    ws.append(["IH-0002", "Walks", "Culture", "Idea", 20])
    ws.add_table(Table(displayName="ProjectTable", ref="A1:E3"))
    path = tmp_path / "table.xlsx"
    wb.save(path)
    doc = read_register(path)
    add_project(doc, {"Title": "Third", "Sub-workstream": "Culture", "Status": "Idea"})
    save_register(doc)
    again = openpyxl.load_workbook(path)["Projects"]
    table = again.tables["ProjectTable"]
    assert table.ref == "A1:E4"
    assert [c.value for c in again[1]][:5] == ["ID", "TITLE", "Sub-workstream", "Status", "Budget"]
    assert again.auto_filter.ref is None  # the table has its own filter
    assert read_register(path).projects["Title"].tolist() == ["Hub", "Walks", "Third"]


def test_filter_database_names_are_written(register_file: Path) -> None:
    with zipfile.ZipFile(register_file) as z:
        workbook = z.read("xl/workbook.xml").decode()
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        "Projects!$A$1:$X$4</definedName>"
    ) in workbook
    assert workbook.count("_xlnm._FilterDatabase") == 4  # one per record sheet
    save_register(read_register(register_file))
    with zipfile.ZipFile(register_file) as z:
        assert z.read("xl/workbook.xml").decode().count("_xlnm._FilterDatabase") == 4


def test_sheets_written_with_namespace_prefixes_round_trip(tmp_path: Path) -> None:
    """Files from .NET tools write ``<x:worksheet xmlns:x=...>``; their cells must survive."""
    import re

    path = _hand_made(tmp_path / "prefixed.xlsx")

    def prefix(body: bytes) -> bytes:
        text = body.decode()
        text = re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s>/])", r"<\1x:\2", text)
        return text.replace('<x:worksheet xmlns="', '<x:worksheet xmlns:x="').encode()

    _rewrite_part(path, "xl/worksheets/sheet1.xml", prefix)
    assert b"<x:c " in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    doc = read_register(path)
    assert doc.projects["Title"].tolist() == ["Hub", "Interpreters", "Outreach"]
    update_row(doc, "Projects", doc.find_project("IH-0001"), {"Status": "Paused"})
    save_register(doc)
    ws = openpyxl.load_workbook(path)["Projects"]
    assert ws["E2"].value == "Paused" and ws["C2"].value == 1200 and ws["C4"].value == "=C2+C3"
    assert ws["C2"].fill.fgColor.rgb == "00FFFF00"
    assert read_register(path).projects["Status"].tolist() == ["Paused", "Idea", "Active"]


def test_formulas_in_unknown_columns_follow_moved_rows(tmp_path: Path) -> None:
    """A formula filled down in Excel is stored as a shared formula; deleting its first row
    must not leave the others pointing at a master that is gone."""
    import re

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    ws.append(["ID", "Title", "Sub-workstream", "Status", "Label"])
    for i in (1, 2, 3):
        ws.append([f"IH-000{i}", f"P{i}", "Culture", "Active", f'=B{i + 1}&"!"'])
    path = tmp_path / "shared.xlsx"
    wb.save(path)

    def share(body: bytes) -> bytes:
        text = body.decode()
        text = text.replace('<f>B2&amp;"!"</f>', '<f t="shared" ref="E2:E4" si="0">B2&amp;"!"</f>')
        return re.sub(r'<f>B[34]&amp;"!"</f>', '<f t="shared" si="0"/>', text).encode()

    _rewrite_part(path, "xl/worksheets/sheet1.xml", share)
    assert zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").count(b't="shared"') == 3
    doc = read_register(path)
    delete_rows(doc, "Projects", [doc.find_project("IH-0001")])
    save_register(doc)
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b't="shared"' not in sheet_xml
    ws = openpyxl.load_workbook(path)["Projects"]
    assert [ws["A2"].value, ws["E2"].value] == ["IH-0002", '=B2&"!"']
    assert [ws["A3"].value, ws["E3"].value] == ["IH-0003", '=B3&"!"']
