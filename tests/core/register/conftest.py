"""Fixtures for the register tests: a small valid register, in memory and on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from register_fixtures import small_sheets

from lmns_desktop.core.register_model import RegisterDocument
from lmns_desktop.core.register_store import read_register, save_register


@pytest.fixture
def doc() -> RegisterDocument:
    return RegisterDocument(small_sheets())


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    path = tmp_path / "register.xlsx"
    save_register(RegisterDocument(small_sheets()), path)
    return path


@pytest.fixture
def opened(register_file: Path) -> RegisterDocument:
    return read_register(register_file)
