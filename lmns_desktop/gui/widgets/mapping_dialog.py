"""Review the column mapping of an imported cohort: each column, its examples, the field it is
mapped to and how sure the app is; save the mapping as a named profile (names only, no values)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.core import vocab

UNMAPPED = "(not mapped: keep as a grouping field)"
SAMPLES = 3


class MappingDialog(QDialog):
    """``mapping()`` gives {column: field or None}; ``profile_name()`` the name to save under."""

    def __init__(self, suggestions: Sequence[Any], samples: dict[str, list[str]], *,
                 identifier_fields: Sequence[str] = vocab.IDENTIFIER_FIELDS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check the column mapping")
        self.setAccessibleName("Column mapping")
        self.fields = [(f, vocab.FIELD_LABELS.get(f, f)) for f in vocab.CANONICAL_FIELDS]
        intro = QLabel(
            "Each column of the file is matched to one of the app's fields. Check the matches, "
            "change any that are wrong, and save the mapping to reuse it the next time a file "
            "with the same columns is opened. Identifier examples are hidden.", self)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(suggestions), 4, self)
        self.table.setHorizontalHeaderLabels(["Column in the file", "Examples", "App field", "Match"])
        self.table.setAccessibleName("Columns and their fields")
        self.table.verticalHeader().setVisible(False)
        for i, s in enumerate(suggestions):
            name = QTableWidgetItem(s.column)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            hidden = s.field in identifier_fields
            example = "hidden (identifier)" if hidden else ", ".join(samples.get(s.column, [])[:SAMPLES])
            examples = QTableWidgetItem(example)
            examples.setFlags(Qt.ItemFlag.ItemIsEnabled)
            examples.setToolTip(example)  # a long example is cut short in the cell
            combo = QComboBox(self.table)
            combo.setAccessibleName(f"Field for column {s.column}")
            combo.addItem(UNMAPPED, None)
            for key, label in self.fields:
                combo.addItem(label, key)
            if s.field:
                combo.setCurrentIndex(max(combo.findData(s.field), 0))
            confidence = QTableWidgetItem(f"{s.confidence:.0%}" if s.field else "–")
            confidence.setToolTip(s.reason)
            confidence.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if s.field and s.confidence < 0.8:
                confidence.setText(f"{s.confidence:.0%} — check")
            self.table.setItem(i, 0, name)
            self.table.setItem(i, 1, examples)
            self.table.setCellWidget(i, 2, combo)
            self.table.setItem(i, 3, confidence)
        self._fit_columns()
        self.profile_edit = QLineEdit(self)
        self.profile_edit.setPlaceholderText("e.g. BadgerNet bookings export")
        self.profile_edit.setAccessibleName("Save this mapping as")
        self.profile_edit.setToolTip("Give the mapping a name to save it (column names only, never values)")
        self.problem = QLabel(self)
        from lmns_desktop.gui.theme import signal_colour

        self.problem.setStyleSheet(f"color: {signal_colour('error', self)};")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this mapping")
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        save_row = QHBoxLayout()
        save_row.addWidget(QLabel("Save as:", self))
        save_row.addWidget(self.profile_edit, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(save_row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(900, 640)

    def _fit_columns(self) -> None:
        """Whole names, whole drop-downs and whole match figures; the examples get what is left.

        Why not equal widths: at 150% or with a larger text size the drop-downs were cut
        ("Gestation at booking (weel") while the match column stood half empty.
        """
        header = self.table.horizontalHeader()
        mode = QHeaderView.ResizeMode
        header.setSectionResizeMode(0, mode.ResizeToContents)
        header.setSectionResizeMode(1, mode.Stretch)
        header.setSectionResizeMode(2, mode.Fixed)
        header.setSectionResizeMode(3, mode.ResizeToContents)
        combos = [self.table.cellWidget(i, 2) for i in range(self.table.rowCount())]
        widest = max((c.sizeHint().width() for c in combos if c is not None), default=0)
        grid = 1 if self.table.showGrid() else 0  # a cell is its column less the grid line
        header.resizeSection(2, max(widest + grid, header.sectionSizeHint(2)))

    def mapping(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i in range(self.table.rowCount()):
            combo = self.table.cellWidget(i, 2)
            out[self.table.item(i, 0).text()] = combo.currentData()  # type: ignore[union-attr]
        return out

    def profile_name(self) -> str:
        return self.profile_edit.text().strip()

    def _on_ok(self) -> None:
        used: dict[str, str] = {}
        for column, field in self.mapping().items():
            if field is None:
                continue
            if field in used:
                label = vocab.FIELD_LABELS.get(field, field)
                self.problem.setText(f"“{label}” is chosen for both “{used[field]}” and “{column}”. "
                                     "Choose it for one column only.")
                return
            used[field] = column
        self.accept()
