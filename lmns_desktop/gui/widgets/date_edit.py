"""A UK date picker that keyboard users can Tab out of.

QDateEdit uses Tab to move between day, month and year, and when it shows special text (no date)
Tab never leaves it: a keyboard trap. Here Tab always moves to the next control; the arrow keys
still move between day, month and year.
"""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget

EMPTY_DATE = QDate(1900, 1, 1)


class DateEdit(QDateEdit):
    """dd/mm/yyyy with a calendar; ``empty_text`` (e.g. "any") allows no date at all."""

    def __init__(self, parent: QWidget | None = None, *, empty_text: str = "") -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd/MM/yyyy")
        if empty_text:
            self.setMinimumDate(EMPTY_DATE)
            self.setSpecialValueText(empty_text)
            self.setDate(EMPTY_DATE)

    def is_empty(self) -> bool:
        return bool(self.specialValueText()) and self.date() == EMPTY_DATE

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 - Qt API
        return QWidget.focusNextPrevChild(self, next)
