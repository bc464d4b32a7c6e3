"""The Windows size estimate pairs each Linux file with its Windows counterpart, and no other."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "build_scripts"))
from windows_size import file_key  # noqa: E402


@pytest.mark.parametrize(
    ("linux", "windows"),
    [
        ("PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt6Core.dll"),
        ("PySide6/QtWidgets.abi3.so", "PySide6/QtWidgets.pyd"),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/plugins/imageformats/qjpeg.dll"),
        ("pyarrow/lib.cpython-311-x86_64-linux-gnu.so", "pyarrow/lib.cp311-win_amd64.pyd"),
        ("pyarrow/libarrow.so.2600", "pyarrow/arrow.dll"),
        ("pyarrow/libparquet.so.2600", "pyarrow/parquet.dll"),
        (
            "numpy.libs/libscipy_openblas64_-fdde5778.so",
            "numpy.libs/libscipy_openblas64_-63c857e738469261263c764a36be9436.dll",
        ),
        (
            "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
            "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf",
        ),
    ],
)
def test_counterparts_share_a_key(linux: str, windows: str) -> None:
    assert file_key(linux) == file_key(windows)


@pytest.mark.parametrize(
    ("linux", "windows"),
    [
        ("pyarrow/libarrow.so.2600", "pyarrow/arrow_flight.dll"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt6Core5Compat.dll"),
        ("pyarrow/lib.cpython-311-x86_64-linux-gnu.so", "pyarrow/_flight.cp311-win_amd64.pyd"),
        (
            "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
            "pandas/_libs/lib.cp311-win_amd64.pyd",
        ),
    ],
)
def test_different_files_do_not(linux: str, windows: str) -> None:
    assert file_key(linux) != file_key(windows)
