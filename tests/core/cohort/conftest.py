"""Fixtures for the cohort import tests: generated workbooks, the bad-input corpus, IoD files."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohort_corpus import build_corpus  # noqa: E402

from lmns_desktop.core import demo_data  # noqa: E402

IOD2019_NAME = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"


def _shared_reference() -> Path | None:
    """The shared reference folder, found by walking up from this file to a 'shared' sibling."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def iod2019_path() -> Path:
    """The real IoD2019 File 1 (read in place, never copied into the repo)."""
    ref = _shared_reference()
    path = ref / IOD2019_NAME if ref else None
    if path is None or not path.is_file():
        pytest.skip(f"real reference file {IOD2019_NAME} not found in ../shared/reference")
    return path


@pytest.fixture(scope="session")
def demo_cohort_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600-row demo cohort written exactly as the app's demo generator writes it."""
    path = tmp_path_factory.mktemp("demo") / demo_data.COHORT_FILE
    return demo_data.write_cohort(path, rows=600)


@pytest.fixture(scope="session")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bad-input corpus, plus a locked file (no read permission) in a world-readable folder."""
    corpus = build_corpus(tmp_path_factory.mktemp("corpus"))
    locked_dir = Path(tempfile.mkdtemp(prefix="lmns-locked-"))
    os.chmod(locked_dir, 0o755)
    locked = locked_dir / "locked.xlsx"
    shutil.copyfile(corpus["macros.xlsm"], locked)
    os.chmod(locked, 0)
    corpus["locked.xlsx"] = locked
    yield corpus
    os.chmod(locked, 0o600)
    shutil.rmtree(locked_dir, ignore_errors=True)
