"""Compiled Designer forms match their ui/*.ui sources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _compile_ui_module():
    spec = importlib.util.spec_from_file_location("compile_ui", REPO / "build_scripts" / "compile_ui.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_ui_file_has_an_up_to_date_form() -> None:
    compile_ui = _compile_ui_module()
    expected = compile_ui.expected_forms()
    assert expected, "no ui/*.ui files found"
    for target, source in expected.items():
        assert target.exists(), f"{target.name} is missing: run python3 build_scripts/dev.py ui"
        assert target.read_text(encoding="utf-8") == source, (
            f"{target.name} is out of date with its .ui file: run python3 build_scripts/dev.py ui"
        )
