"""The installed ``lmns-desktop`` command: version, demo data, reports, self-test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from lmns_desktop import __version__
from lmns_desktop.cli import main


def _entry_point() -> list[str]:
    exe = shutil.which("lmns-desktop", path=str(Path(sys.executable).parent))
    assert exe, "the lmns-desktop entry point is not installed"
    return [exe]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LMNS_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(_entry_point() + args, capture_output=True, text=True, env=env, timeout=180)


def test_version_from_the_installed_command(tmp_path) -> None:
    result = _run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"lmns-desktop {__version__}"


def test_self_test_from_the_installed_command(tmp_path) -> None:
    result = _run(["--self-test"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "self-test passed" in result.stdout


def test_demo_data_writes_both_workbooks(tmp_path) -> None:
    assert main(["demo-data", str(tmp_path / "out"), "--rows", "250", "--seed", "5"]) == 0
    cohort = pd.read_excel(tmp_path / "out" / "demo_cohort.xlsx", engine="calamine")
    assert len(cohort) == 250
    assert (tmp_path / "out" / "demo_register.xlsx").exists()


def test_report_board_makes_a_pdf(tmp_path, demo_files) -> None:
    register, _ = demo_files
    out = tmp_path / "board.pdf"
    assert main(["report", "board", "--register", str(register), "--out", str(out), "--title", "March board"]) == 0
    reader = PdfReader(out)
    assert reader.metadata.title == "March board"
    assert "Projects by sub-workstream and status" in " ".join(p.extract_text() for p in reader.pages)


@pytest.mark.parametrize("content", [b"", b"not a workbook"])
def test_report_on_a_bad_register_says_why_on_one_line(tmp_path, capsys, content) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    assert main(["report", "board", "--register", str(bad), "--out", str(tmp_path / "x.pdf")]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("lmns-desktop: bad.xlsx") and "\n" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_register_check_lists_problems_with_sheet_row_and_column(tmp_path, demo_files) -> None:
    import json

    from lmns_desktop.core import register_model as rm
    from lmns_desktop.core.register_store import read_register, save_register

    doc = read_register(demo_files[0])
    rm.update_project(doc, doc.find_project("IH-0004"), {"Sub-workstream": "Culture "})
    doc.projects.loc[doc.find_project("IH-0006"), "ID"] = "IH-0005"  # a duplicate ID
    bad = save_register(doc, tmp_path / "bad register.xlsx")
    out = tmp_path / "problems.json"
    assert main(["register", "check", str(bad), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["projects"] == 48 and result["evidence"] > 0 and result["measures"] > 0
    assert {"sheet", "row", "column", "message"} <= set(result["problems"][0])
    duplicate = [p for p in result["problems"] if "IH-0005" in p["message"]]
    assert duplicate and duplicate[0]["sheet"] == "Projects" and duplicate[0]["column"] == "ID"


def test_register_upgrade_keeps_unknown_columns(tmp_path) -> None:
    import openpyxl

    old = tmp_path / "old.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projects"
    ws.append(["ID", "Title", "Sub-workstream", "Status", "Budget code"])
    ws.append(["IH-0001", "Doulas", "Culture", "Active", "X-17"])
    wb.create_sheet("Minutes").append(["Kept as it is"])
    wb.save(old)
    out = tmp_path / "new.xlsx"
    assert main(["register", "upgrade", str(old), "--out", str(out)]) == 0
    upgraded = openpyxl.load_workbook(out)
    assert {"Projects", "Evidence", "Measures", "Minutes"} <= set(upgraded.sheetnames)
    headers = [c.value for c in upgraded["Projects"][1]]
    assert "Budget code" in headers and "Aim" in headers
    assert upgraded["Minutes"]["A1"].value == "Kept as it is"


def test_register_check_on_a_missing_file_fails_with_one_line(tmp_path, capsys) -> None:
    assert main(["register", "check", str(tmp_path / "nope.xlsx")]) != 0
    err = capsys.readouterr().err.strip()
    assert "nope.xlsx" in err and "\n" not in err


def test_profile_json_has_the_contract_keys_and_the_demo_gradient(tmp_path, demo_files) -> None:
    import json

    out = tmp_path / "profile.json"
    assert main(["profile", str(demo_files[1]), "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"n_rows", "n_excluded", "fields_mapped", "imd_source", "core20", "breakdowns", "outcomes"} <= set(data)
    assert data["n_rows"] == 5000
    assert set(data["core20"]) >= {"count", "denominator", "percent", "ci_low", "ci_high"}
    assert {"imd_decile", "imd_quintile", "ethnic_group", "ethnic_category"} <= set(data["breakdowns"])
    preterm = {row["group"]: row for row in data["outcomes"]["preterm_birth"]["imd_quintile"]}
    assert preterm[1]["ratio"] > 1 and preterm[1]["ratio_ci_low"] > 1  # built into the demo
    assert data["outcomes"]["preterm_birth"]["sii"]["value"] < 0
    nhs = pd.read_excel(demo_files[1], engine="calamine", dtype=str)["NHS Number"].head(50)
    text = out.read_text(encoding="utf-8")
    assert not any(n in text for n in nhs)  # no identifiers in the output


def test_check_reports_quality_and_exits_zero_for_a_messy_file(tmp_path, capsys) -> None:
    import json

    messy = tmp_path / "messy.csv"
    messy.write_text("Booking report\n\nNHS Number,Age,Ethnicity,IMD Decile\n"
                     "9990000001,29,White British,3\n9990000002,abc,Martian,12\n", encoding="utf-8")
    assert main(["check", str(messy)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_rows"] == 2
    assert "9990000001" not in json.dumps(report)


def test_check_on_an_unreadable_file_fails_with_one_line(tmp_path, capsys) -> None:
    bad = tmp_path / "renamed.xlsx"
    bad.write_bytes(b"%PDF-1.5 not a workbook")
    assert main(["check", str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert "renamed.xlsx" in err and "\n" not in err


def _protected_workbook(write, path: Path, password: str) -> Path:
    """A small cohort with a password: .xlsx (Agile encryption) or .xls (RC4 CryptoAPI)."""
    rows = [["Pseudo ID", "NHS Number", "Age"], ["P001", "9990000001", 29], ["P002", "9990000002", 31]]
    return write(path, rows, password)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_check_on_a_password_protected_workbook_says_so_in_one_line(tmp_path, capsys, protected_workbook,
                                                                   suffix) -> None:
    protected = _protected_workbook(protected_workbook, tmp_path / f"cohort{suffix}", "open sesame")
    assert main(["check", str(protected)]) != 0
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert f"cohort{suffix}" in err and "protected with a password" in err and "\n" not in err
    assert "--ask-password" in err
    assert "9990000001" not in captured.out + captured.err


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_check_asks_for_the_password_unseen_and_opens_the_workbook(
    tmp_path, capsys, monkeypatch, protected_workbook, suffix
) -> None:
    import getpass
    import json

    protected = _protected_workbook(protected_workbook, tmp_path / f"cohort{suffix}", "open sesame")
    prompts: list[str] = []

    def typed(prompt: str) -> str:
        prompts.append(prompt)
        return "open sesame"

    monkeypatch.setattr(getpass, "getpass", typed)
    assert main(["check", str(protected), "--ask-password"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["n_rows"] == 2
    assert prompts == [f"Password for cohort{suffix}: "]
    assert "open sesame" not in out and "9990000001" not in out


def test_check_with_a_wrong_password_says_so(tmp_path, capsys, monkeypatch, protected_workbook) -> None:
    import getpass

    protected = _protected_workbook(protected_workbook, tmp_path / "cohort.xlsx", "open sesame")
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "Open Sesame")
    assert main(["check", str(protected), "--ask-password"]) != 0
    err = capsys.readouterr().err.strip()
    assert "not correct" in err and "case-sensitive" in err and "Open Sesame" not in err


@pytest.mark.parametrize("kind", ["board", "project", "cohort"])
@pytest.mark.parametrize("suffix", [".pdf", ".xlsx"])
def test_report_command_makes_every_template_in_pdf_and_excel(tmp_path, demo_files, kind, suffix) -> None:
    out = tmp_path / f"{kind}{suffix}"
    args = ["report", kind, "--register", str(demo_files[0]), "--cohort", str(demo_files[1]), "--out", str(out)]
    if kind == "project":
        args += ["--project", "IH-0001"]
    assert main(args) == 0
    if suffix == ".pdf":
        text = " ".join(p.extract_text() for p in PdfReader(out).pages)
        assert {"board": "board summary", "project": "IH-0001", "cohort": "Core20"}[kind] in text
    else:
        import openpyxl

        book = openpyxl.load_workbook(out)
        assert len(book.sheetnames) >= 2


def test_profile_derives_imd_from_lsoa_with_the_official_iod_file(tmp_path) -> None:
    import json
    from pathlib import Path

    iod = Path(__file__).resolve().parents[3] / "shared" / "reference" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    if not iod.exists():
        pytest.skip(f"the IoD2019 reference file is not at {iod} (it lives in ../shared, outside the repo)")
    cohort = tmp_path / "lsoa only.csv"
    cohort.write_text("ID,LSOA code,Ethnicity\nA1,E01000001,A\nA2,E01000005,N\nA3,E01033768,J\n", encoding="utf-8")
    out = tmp_path / "p.json"
    assert main(["profile", str(cohort), "--imd-lookup", str(iod), "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["core20"]["denominator"] == 3
    assert "IoD2019" in data["imd_source"]


def test_an_unwritable_data_folder_gives_a_sentence_not_a_traceback(tmp_path, monkeypatch, capsys) -> None:
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("LMNS_DATA_DIR", str(blocker / "data"))
    assert main(["--version"]) != 0
    err = capsys.readouterr().err
    assert "data folder" in err and "LMNS_DATA_DIR" in err and "Traceback" not in err
