"""Copying tables to the clipboard as rich text and tab-separated text.

A QMimeData made in Python and handed to the clipboard is destroyed by Qt after Python has shut
down, which crashes the exit; ``release()`` (called when the app quits) swaps it for plain text
made by Qt itself, so what the user copied still pastes after the app has closed.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

_ours: list[QMimeData] = []


def copy_rich(text: str, html: str) -> None:
    """Put ``text`` (tab-separated, for Excel) and ``html`` (for Word/PowerPoint) on the clipboard."""
    data = QMimeData()
    data.setText(text)
    data.setHtml(html)
    QApplication.clipboard().setMimeData(data)
    _ours[:] = [data]


def release() -> None:
    """Replace our clipboard data with Qt-made plain text (see the module docstring)."""
    if not _ours:
        return
    clipboard = QApplication.clipboard()
    text = _ours[0].text()
    clipboard.setText(text)
    _ours.clear()
