"""An edit form built from the register schema: one widget per known column.

The schema (``core.register_schema``) is the single source of truth for which fields exist and of
what kind, so the form is generated rather than drawn in Designer: a new column needs no new form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from lmns_desktop.core.register_schema import MULTI_SEPARATOR, Column
from lmns_desktop.gui.theme import inset_spin_box_text
from lmns_desktop.gui.widgets.date_edit import EMPTY_DATE as _EMPTY_DATE
from lmns_desktop.gui.widgets.date_edit import DateEdit

#: Text columns long enough to deserve a multi-line box.
LONG_TEXT = {"Aim", "Notes", "Summary", "Outcome measures", "Process measures",
             "Balancing measures", "Co-production note", "Change idea", "Prediction", "Result",
             "Next steps"}


class _DateEdit(DateEdit):
    """A UK date picker that can also be empty (shown as "not set")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, empty_text="not set")

    def value(self) -> dt.date | None:
        date = self.date()
        return None if date == _EMPTY_DATE else date.toPython()

    def set_value(self, value: Any) -> None:
        if value is None or _is_missing(value):
            self.setDate(_EMPTY_DATE)
        else:
            as_date = value.date() if isinstance(value, dt.datetime) else value
            self.setDate(QDate(as_date.year, as_date.month, as_date.day))


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


class RecordForm(QWidget):
    """Fields for one record; ``values()`` returns {header: value} with None for empty."""

    changed = Signal()

    def __init__(self, columns: Sequence[Column], choices: Mapping[str, Sequence[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from lmns_desktop.gui.theme import signal_colour
        self.columns = list(columns)
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for column in self.columns:
            editor = self._make_editor(column, choices.get(column.choices or "", ()))
            editor.setObjectName(_object_name(column.header))
            editor.setAccessibleName(column.header)
            editor.setToolTip(_tooltip(column))
            label = QLabel(f"{column.header}{' *' if column.required else ''}:", self)
            label.setBuddy(editor)
            error = QLabel(self)
            error.setStyleSheet(f"color: {signal_colour('error', self)};")
            error.setWordWrap(True)
            error.hide()
            error.setAccessibleName(f"{column.header} problem")
            layout.addRow(label, editor)
            layout.addRow("", error)
            self.editors[column.header] = editor
            self.error_labels[column.header] = error

    # --- building -----------------------------------------------------------------------
    def _make_editor(self, column: Column, options: Sequence[str]) -> QWidget:
        kind = column.kind
        if kind == "date":
            editor: QWidget = _DateEdit(self)
            editor.dateChanged.connect(self.changed)
        elif kind in ("choice", "yesno"):
            editor = QComboBox(self)
            items = ["Yes", "No"] if kind == "yesno" else list(options)
            editor.addItems(["", *items])
            editor.currentIndexChanged.connect(self.changed)
        elif kind == "multi":
            editor = QListWidget(self)
            for option in options:
                item = QListWidgetItem(option, editor)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            editor.setSpacing(1)  # tick boxes of neighbouring rows do not touch
            editor.setMinimumHeight(120)
            editor.setMaximumHeight(190)
            editor.itemChanged.connect(self.changed)
        elif kind == "number":
            editor = QDoubleSpinBox(self)
            editor.setDecimals(1)
            if column.header == "IHI progress score":
                editor.setRange(0.0, 5.0)
                editor.setSingleStep(0.5)
            else:
                editor.setRange(-1e9, 1e9)
            editor.setSpecialValueText("not set")
            editor.setValue(editor.minimum())
            inset_spin_box_text(editor)
            editor.valueChanged.connect(self.changed)
        elif kind == "integer":
            editor = QSpinBox(self)
            editor.setRange(-1, 10_000_000)
            editor.setSpecialValueText("not set")
            editor.setValue(-1)
            inset_spin_box_text(editor)
            editor.valueChanged.connect(self.changed)
        elif column.header in LONG_TEXT:
            editor = QPlainTextEdit(self)
            editor.setTabChangesFocus(True)
            editor.setMaximumHeight(70)
            editor.textChanged.connect(self.changed)
        else:
            editor = QLineEdit(self)
            editor.textChanged.connect(self.changed)
        return editor

    # --- values -------------------------------------------------------------------------
    def set_values(self, values: Mapping[str, Any]) -> None:
        for column in self.columns:
            self._set(column, self.editors[column.header], values.get(column.header))

    def _set(self, column: Column, editor: QWidget, value: Any) -> None:
        missing = value is None or _is_missing(value)
        if isinstance(editor, _DateEdit):
            editor.set_value(value)
        elif isinstance(editor, QComboBox):
            text = "" if missing else str(value)
            if text and editor.findText(text) < 0:
                editor.addItem(text)  # an unknown value is kept and shown, never lost
            editor.setCurrentText(text)
        elif isinstance(editor, QListWidget):
            chosen = set() if missing else {v.strip() for v in str(value).split(";") if v.strip()}
            present = {editor.item(i).text() for i in range(editor.count())}
            for extra in sorted(chosen - present):
                item = QListWidgetItem(extra, editor)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            for i in range(editor.count()):
                item = editor.item(i)
                state = Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked
                item.setCheckState(state)
        elif isinstance(editor, QDoubleSpinBox | QSpinBox):
            editor.setValue(editor.minimum() if missing else float(value) if isinstance(editor, QDoubleSpinBox) else int(value))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if missing else str(value))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if missing else str(value))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in self.columns:
            editor = self.editors[column.header]
            value: Any
            if isinstance(editor, _DateEdit):
                value = editor.value()
            elif isinstance(editor, QComboBox):
                value = editor.currentText() or None
            elif isinstance(editor, QListWidget):
                checked = [editor.item(i).text() for i in range(editor.count())
                           if editor.item(i).checkState() == Qt.CheckState.Checked]
                value = MULTI_SEPARATOR.join(checked) or None
            elif isinstance(editor, QDoubleSpinBox | QSpinBox):
                value = None if editor.value() == editor.minimum() else editor.value()
            elif isinstance(editor, QPlainTextEdit):
                value = editor.toPlainText().strip() or None
            else:
                value = editor.text().strip() or None  # type: ignore[attr-defined]
            out[column.header] = value
        return out

    def set_errors(self, errors: Mapping[str, str]) -> None:
        """Show each problem under its field; the first field with a problem gets focus."""
        first = None
        for header, label in self.error_labels.items():
            message = errors.get(header)
            label.setText(message or "")
            label.setVisible(bool(message))
            if message and first is None:
                first = self.editors[header]
        if first is not None:
            first.setFocus()


def _object_name(header: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in header.lower()).strip("_") + "_edit"


def _tooltip(column: Column) -> str:
    hints = {
        "date": "A date (dd/mm/yyyy). Leave as 'not set' if unknown.",
        "choice": "Choose from the list.",
        "multi": "Tick every group that applies.",
        "yesno": "Yes or No; leave blank if not known.",
        "number": "A number; leave as 'not set' if unknown.",
        "integer": "A whole number; leave as 'not set' if unknown.",
        "text": "Free text.",
    }
    required = " Required." if column.required else ""
    return f"{column.header}: {hints[column.kind]}{required}"
