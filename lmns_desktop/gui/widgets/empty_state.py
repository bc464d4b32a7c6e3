"""An empty-state page: what this area is for and the one or two things to do next.

Why: a blank table tells a first-time user nothing. Each tab shows one of these until it has
data, with buttons for the next step (their keyboard shortcuts are in the tooltips).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """A heading, a sentence and buttons, centred in the space a table would fill."""

    def __init__(self, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(heading)
        self.heading = QLabel(f"<h2>{heading}</h2>", self)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        # A comfortable reading measure (about 65 characters) that grows with the user's font.
        self.text.setFixedWidth(self.fontMetrics().averageCharWidth() * 65)
        self.buttons: list[QPushButton] = []
        self._row = QHBoxLayout()
        self._row.addStretch(1)
        self._row.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(2)
        for label in (self.heading, self.text):
            line = QHBoxLayout()
            line.addStretch(1)
            line.addWidget(label)
            line.addStretch(1)
            column.addLayout(line)
        column.addSpacing(12)
        column.addLayout(self._row)
        column.addStretch(3)
        self.setLayout(column)

    def add_button(self, text: str, tip: str, slot: Callable[[], object], *,
                   default: bool = False) -> QPushButton:
        """A next-step button; the first added with ``default`` is drawn as the main one."""
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setDefault(default)
        button.clicked.connect(lambda: slot())
        self._row.insertWidget(self._row.count() - 1, button)
        self.buttons.append(button)
        return button
