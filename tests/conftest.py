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
