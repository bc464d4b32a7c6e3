"""Shared fixtures. Qt runs offscreen; every test gets its own per-user data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt
os.environ["LMNS_NO_CRASH_DIALOG"] = "1"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate settings, logs and caches per test (the app reads LMNS_DATA_DIR)."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("LMNS_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo register and a 5,000-row demo cohort, generated once per session."""
    from lmns_desktop.core import demo_data

    return demo_data.write_demo_files(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def protected_workbook():
    """Write ``rows`` as a password-protected .xlsx or .xls (by the path's suffix)."""

    def write(path: Path, rows: list[list[object]], password: str) -> Path:
        import importlib.util
        import io

        import openpyxl
        from msoffcrypto.format.ooxml import OOXMLFile

        if path.suffix == ".xls":
            writer = Path(__file__).resolve().parent / "core" / "cohort" / "cohort_xls_writer.py"
            spec = importlib.util.spec_from_file_location("cohort_xls_writer", writer)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.write_xls(path, {"Data": rows}, password=password)
            return path
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        plain = io.BytesIO()
        wb.save(plain)
        plain.seek(0)
        with open(path, "wb") as out:
            OOXMLFile(plain).encrypt(password, out)
        return path

    return write
