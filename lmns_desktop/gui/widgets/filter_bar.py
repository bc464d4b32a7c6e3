"""The register's filter bar: one drop-down per filter, read as keyword arguments for
``core.coverage.filter_mask``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from lmns_desktop.gui.widgets.flow_layout import FlowLayout

ALL = "All"
#: (label, filter_mask keyword, whether the values are a multi-valued column)
FILTERS: tuple[tuple[str, str], ...] = (
    ("Sub-workstream", "sub_workstreams"),
    ("Status", "statuses"),
    ("RAG", "rags"),
    ("PLUS group", "plus_groups"),
    ("Trust", "trusts"),
    ("Lead", "leads"),
    ("Core20", "core20"),
)


class FilterBar(QWidget):
    """Drop-downs for the register filters; ``changed`` fires when any of them changes.

    The label-and-drop-down pairs wrap onto a second row when the window is too narrow for
    them (a larger text size or display scaling), rather than cutting the labels short.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self)
        layout.setContentsMargins(6, 4, 6, 2)  # the first label clear of the page's border
        self.combos: dict[str, QComboBox] = {}
        self.captions: dict[str, QLabel] = {}
        for label, key in FILTERS:
            pair = QWidget(self)
            pair.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            combo = QComboBox(pair)
            combo.setAccessibleName(f"Filter by {label.lower()}")
            combo.setToolTip(f"Show only projects with this {label.lower()}")
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            combo.currentIndexChanged.connect(self.changed)
            caption = QLabel(f"{label}:", pair)
            caption.setBuddy(combo)
            row.addWidget(caption)
            row.addWidget(combo, 1)
            layout.addWidget(pair)
            self.combos[key] = combo
            self.captions[key] = caption
        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.setToolTip("Show all projects again")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        self.set_options({})

    def set_options(self, options: dict[str, Sequence[str]]) -> None:
        """Fill the drop-downs, keeping the current choices where they still exist."""
        for key, combo in self.combos.items():
            current = combo.currentText()
            values = ["Yes", "No"] if key == "core20" else list(options.get(key, ()))
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *values])
            index = combo.findText(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)

    def set_value(self, key: str, value: str) -> None:
        combo = self.combos[key]
        index = combo.findText(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def clear(self) -> None:
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.changed.emit()

    def is_active(self) -> bool:
        return any(c.currentIndex() > 0 for c in self.combos.values())

    def mask_arguments(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, combo in self.combos.items():
            if combo.currentIndex() <= 0:
                continue
            value = combo.currentText()
            out[key] = (value == "Yes") if key == "core20" else [value]
        return out
