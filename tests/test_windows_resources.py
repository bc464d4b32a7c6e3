"""The Windows icon and version resource the bundle build makes (build_scripts/windows_resources)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build_scripts"))

import windows_resources  # noqa: E402


def test_icon_has_every_windows_size_drawn_from_the_app_svg(qapp, tmp_path: Path) -> None:
    ico = windows_resources.make_icon(REPO / "lmns_desktop" / "resources" / "icons" / "app.svg",
                                      tmp_path / "app.ico")
    with Image.open(ico) as image:
        assert set(image.info["sizes"]) == {(s, s) for s in windows_resources.ICON_SIZES}
        image.size = (256, 256)
        big = image.convert("RGBA")
    # The artwork is really there: not a blank or fully transparent square.
    assert big.getextrema()[3][1] == 255
    assert len(np.unique(np.asarray(big).reshape(-1, 4), axis=0)) > 10


def test_a_broken_svg_is_refused(qapp, tmp_path: Path) -> None:
    bad = tmp_path / "bad.svg"
    bad.write_text("not an svg")
    with pytest.raises(ValueError, match="not a valid SVG"):
        windows_resources.make_icon(bad, tmp_path / "x.ico")


@pytest.mark.parametrize(("version", "numbers"), [
    ("0.1.0", (0, 1, 0, 0)), ("1.2.3rc1", (1, 2, 3, 0)), ("2.10.4.7", (2, 10, 4, 7)),
    ("3.0.dev5", (3, 0, 0, 0)),
])
def test_version_resource_carries_the_package_version(tmp_path: Path, version: str,
                                                       numbers: tuple[int, ...]) -> None:
    text = windows_resources.make_version_file(version, tmp_path / "v.txt").read_text()
    tree = ast.parse(text, mode="eval")  # PyInstaller evaluates this text as one expression
    call = tree.body
    assert isinstance(call, ast.Call) and call.func.id == "VSVersionInfo"
    assert f"filevers={numbers}" in text and f"prodvers={numbers}" in text
    assert text.count(f"'{version}'") == 2  # FileVersion and ProductVersion
    assert "0x0809" in text  # English (United Kingdom)
