"""A dialog around :class:`RecordForm` that validates before it closes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from lmns_desktop.core.register_schema import Column
from lmns_desktop.gui.widgets.record_form import RecordForm

Validator = Callable[[dict[str, Any]], Mapping[str, str]]


class RecordDialog(QDialog):
    """Edit one record; OK is refused (with messages under the fields) until it is valid."""

    def __init__(self, title: str, columns: Sequence[Column], choices: Mapping[str, Sequence[str]],
                 values: Mapping[str, Any], validate: Validator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.validate = validate
        self.form = RecordForm(columns, choices, self)
        self.form.set_values(values)
        scroll = QScrollArea(self)
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        self.summary = QLabel("Fields marked * are required.", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(640, 680 if len(columns) > 10 else 420)

    def values(self) -> dict[str, Any]:
        return self.form.values()

    def _on_ok(self) -> None:
        errors = dict(self.validate(self.values()))
        self.form.set_errors(errors)
        if errors:
            n = len(errors)
            self.summary.setText(f"Please correct {n} field{'s' if n > 1 else ''} before saving.")
            from lmns_desktop.gui.theme import signal_colour

            self.summary.setStyleSheet(f"color: {signal_colour('error', self)};")
            return
        self.accept()
