"""The "register problems" panel: every validation problem as a sentence naming sheet, row and
column; activating one asks the tab to show that row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget


class ProblemsView(QWidget):
    problem_activated = Signal(str, int)  # sheet, Excel row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("No problems found.", self)
        self.heading.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Register problems")
        self.list.setToolTip("Double-click or press Enter to go to the row")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)

    def set_problems(self, problems: Sequence[Any]) -> None:
        from PySide6.QtCore import Qt

        self.list.clear()
        for problem in problems:
            item = QListWidgetItem(problem.message, self.list)
            item.setData(Qt.ItemDataRole.UserRole, (problem.sheet, int(problem.row)))
            item.setToolTip(f"Sheet {problem.sheet}, row {problem.row}, column {problem.column}")
        n = len(problems)
        self.heading.setText(
            "No problems found." if n == 0 else
            f"{n} problem{'s' if n != 1 else ''} to look at. Rows with problems are kept as they "
            "are; correct them in the form or in Excel."
        )

    def _on_activated(self, item: QListWidgetItem) -> None:
        from PySide6.QtCore import Qt

        sheet, row = item.data(Qt.ItemDataRole.UserRole)
        self.problem_activated.emit(sheet, row)
