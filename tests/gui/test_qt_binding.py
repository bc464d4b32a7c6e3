"""The Qt binding does not leak references to None (PySide6 6.12.0 does on Python 3.11, and a
long session then dies with "deallocating None")."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette


def test_calls_returning_nothing_keep_none_alive(qapp, tmp_path) -> None:
    palette, colour = QPalette(), QColor("#ffffff")
    settings = QSettings(str(tmp_path / "x.ini"), QSettings.Format.IniFormat)
    before = sys.getrefcount(None)
    for _ in range(500):
        palette.setColor(QPalette.ColorRole.Window, colour)
        settings.setValue("key", 1)
    assert sys.getrefcount(None) >= before - 50
