"""Reading ahead: the package's import_cohort starts reading a plain .xlsx before pandas loads.

The result must be exactly what the plain pipeline gives, the file must be read once, a file
changed in the meantime must not be used stale, and cancelling must still be quick.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lmns_desktop.core.cohort import import_cohort, pipeline, xlsx_read
from lmns_desktop.core.cohort.readers import CohortFileError
from lmns_desktop.core.jobs import Cancelled

REPO = Path(__file__).resolve().parents[3]


def _workbook(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _cohort_rows(n: int, tag: str = "P") -> list[list[object]]:
    header = ["Pseudo ID", "Ethnic category", "IMD decile", "Preterm birth"]
    return [header] + [[f"{tag}{i:05d}", "A", i % 10 + 1, "Y" if i % 4 else "N"] for i in range(n)]


def test_the_package_does_not_load_pandas_until_it_is_needed() -> None:
    code = (
        "import sys, lmns_desktop.core.cohort as c\n"
        "from lmns_desktop.core.cohort import import_cohort\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))\n"
        "print(c.MappingProfile.__module__, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "lmns_desktop.core.cohort.mapping True"


def test_every_exported_name_resolves() -> None:
    import lmns_desktop.core.cohort as package

    for name in package.__all__:
        assert getattr(package, name) is not None, name
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_same_result_as_the_plain_pipeline(demo_cohort_xlsx: Path) -> None:
    ahead = import_cohort(demo_cohort_xlsx)
    plain = pipeline.import_cohort(demo_cohort_xlsx)
    pd.testing.assert_frame_equal(ahead.frame, plain.frame)
    assert ahead.quality.to_dict() == plain.quality.to_dict()
    assert ahead.notes == plain.notes and ahead.source == plain.source


def test_the_file_is_read_once(demo_cohort_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fastexcel

    opened: list[object] = []
    real = fastexcel.read_excel

    def counted(source: object, *args: object, **kwargs: object) -> object:
        opened.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(fastexcel, "read_excel", counted)
    result = import_cohort(demo_cohort_xlsx)
    assert len(result.frame) == 600
    assert opened == [str(demo_cohort_xlsx)]


def test_a_read_ahead_is_claimed_once_and_forgotten_after_the_block(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Data": _cohort_rows(5)})
    with xlsx_read.read_ahead(path) as started:
        assert started
        first = xlsx_read.claim(path, "Data")
        assert first is not None and first.batch.num_rows == 6
        assert first.scan.errors == {} and first.scan.merged == []
        assert xlsx_read.claim(path, "Data") is None  # taken
    with xlsx_read.read_ahead(path):
        pass
    assert xlsx_read.claim(path, "Data") is None  # unclaimed, then forgotten


def test_a_file_changed_after_the_read_started_is_read_again(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Data": _cohort_rows(5, "OLD")})
    with xlsx_read.read_ahead(path) as started:
        assert started
        time.sleep(0.05)  # a different modification time even on coarse clocks
        _workbook(path, {"Data": _cohort_rows(7, "NEW")})
        result = pipeline.import_cohort(path)
    assert len(result.frame) == 7
    assert result.frame["patient_id"].str.startswith("NEW").all()


def test_the_import_chooses_a_sheet_other_than_the_one_read_ahead(tmp_path: Path) -> None:
    """The first visible sheet is a cover note, so the import moves on to the data sheet."""
    path = _workbook(
        tmp_path / "c.xlsx",
        {"About": [["Bookings export, run 01/03/2025"]], "Bookings": _cohort_rows(8)},
    )
    result = import_cohort(path)
    assert result.sheet == "Bookings" and len(result.frame) == 8
    assert xlsx_read.claim(path, "About") is None


@pytest.mark.parametrize(
    "name, body",
    [
        ("truncated.xlsx", None),
        ("not_a_zip.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("report.xlsx", b"%PDF-1.7\n" + b"x" * 200),
    ],
)
def test_bad_files_give_the_same_sentence_with_or_without_reading_ahead(
    tmp_path: Path, name: str, body: bytes | None
) -> None:
    path = tmp_path / name
    if body is None:
        full = _workbook(tmp_path / "full.xlsx", {"Data": _cohort_rows(50)}).read_bytes()
        body = full[: len(full) // 2]
    path.write_bytes(body)
    with pytest.raises(CohortFileError) as plain:
        pipeline.import_cohort(path)
    with pytest.raises(CohortFileError) as ahead:
        import_cohort(path)
    assert str(ahead.value) == str(plain.value)
    assert name in str(ahead.value)


def test_cancel_while_reading_ahead_is_quick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel pressed while the background read is busy takes effect within 0.5 s, without
    waiting for the read to end (here made to take 3 s, as a big file would on a slow laptop)."""
    path = _workbook(tmp_path / "big.xlsx", {"Data": _cohort_rows(2_000)})
    flag = threading.Event()
    fired: list[float] = []
    real = xlsx_read._eager_read

    def slow_read(source: str | bytes, sheet: str) -> object:
        fired.append(time.perf_counter())
        flag.set()  # the user presses Cancel just as the read gets going
        batch = real(source, sheet)
        time.sleep(3.0)
        return batch

    monkeypatch.setattr(xlsx_read, "_eager_read", slow_read)
    with pytest.raises(Cancelled):
        import_cohort(path, is_cancelled=flag.is_set)
    assert fired, "the read-ahead never started"
    assert time.perf_counter() - fired[0] < 0.5


def test_the_command_line_check_reads_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``lmns-desktop check`` on an .xlsx reads it once, through the read-ahead."""
    from lmns_desktop.cli import main

    path = _workbook(tmp_path / "c.xlsx", {"Data": _cohort_rows(40)})
    monkeypatch.setenv("LMNS_DATA_DIR", str(tmp_path / "data"))
    claimed: list[bool] = []
    real = xlsx_read.claim

    def watched(p: str | Path, sheet: str) -> xlsx_read.FastRead | None:
        found = real(p, sheet)
        claimed.append(found is not None)
        return found

    monkeypatch.setattr(xlsx_read, "claim", watched)
    assert main(["check", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["n_rows"] == 40
    assert claimed == [True]
