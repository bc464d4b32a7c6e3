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
