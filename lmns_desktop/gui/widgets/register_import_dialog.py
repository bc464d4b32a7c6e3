"""Import an existing register from any workbook layout: sheet, header row, column mapping,
preview, then import with a report. Reading happens in the worker; the dialog only shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.worker import Job, JobSlot

KEEP = "(keep as an extra column)"
SAMPLE_ROWS = 3


def _inspect(path: Path, sheet: str | None, header_row: int | None, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core import register_import as ri

    sheets = ri.list_sheets(path)
    sheet = sheet if sheet in sheets else sheets[0]
    grid = ri.read_grid(path, sheet, max_rows=200)
    row = header_row or ri.guess_header_row(grid)
    headers = ri.source_headers(grid, row)
    samples = {
        h: [str(r[j]) for r in grid[row:row + 20] if j < len(r) and r[j] not in (None, "")][:SAMPLE_ROWS]
        for j, h in enumerate(headers)
    }
    return {"sheets": sheets, "sheet": sheet, "header_row": row, "headers": headers,
            "samples": samples, "suggestions": ri.suggest_columns(headers)}


def _preview(path: Path, sheet: str, row: int, mapping: dict[str, str | None], *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core import register_import as ri

    return ri.preview(path, sheet, row, mapping)


def _import(path: Path, sheet: str, row: int, mapping: dict[str, str | None], *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core import register_import as ri

    return ri.import_register(path, sheet, row, mapping)


class RegisterImportDialog(QDialog):
    """After ``exec()`` is accepted, ``result_doc`` and ``report`` hold the imported register."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from lmns_desktop.core import register_schema as rs

        self.path = Path(path)
        self.setWindowTitle(f"Import a register from {self.path.name}")
        self.result_doc: Any = None
        self.report: Any = None
        self.jobs = JobSlot(self)
        self.targets = [KEEP, *rs.headers(rs.SHEET_PROJECTS)]
        self._loading = False

        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setAccessibleName("Sheet to import")
        self.header_spin = QSpinBox(self)
        self.header_spin.setRange(1, 200)
        self.header_spin.setAccessibleName("Header row")
        self.header_spin.setToolTip("The row that holds the column names (found automatically)")
        self.mapping = QTableWidget(0, 4, self)
        self.mapping.setHorizontalHeaderLabels(["Column in the file", "Examples", "Register column", "Match"])
        self.mapping.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping.setAccessibleName("Column mapping")
        self.mapping.setToolTip("Choose the register column for each column of the file; "
                                "unmapped columns are kept as extra columns, never dropped")
        self.preview = FrameView(self, accessible_name="Preview of the imported projects")
        self.status = QLabel("Reading the workbook…", self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setEnabled(False)

        form = QFormLayout()
        form.addRow("Sheet:", self.sheet_combo)
        form.addRow("Header row:", self.header_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Columns:", self))
        layout.addWidget(self.mapping, 2)
        layout.addWidget(QLabel("Preview (first rows as they will be imported):", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(900, 680)

        self.sheet_combo.currentTextChanged.connect(lambda s: self._inspect(s, None))
        self.header_spin.valueChanged.connect(lambda r: self._inspect(self.sheet_combo.currentText(), r))
        self.buttons.accepted.connect(self._on_import)
        self.buttons.rejected.connect(self.reject)
        self._inspect(None, None)

    # --- steps --------------------------------------------------------------------------
    def _inspect(self, sheet: str | None, header_row: int | None) -> None:
        if self._loading:
            return
        self.import_button.setEnabled(False)
        self.jobs.start(Job(_inspect, self.path, sheet, header_row, name="inspect"),
                        self._on_inspected, self._on_failed)

    def _on_inspected(self, info: dict[str, Any]) -> None:
        self._loading = True
        self.sheet_combo.clear()
        self.sheet_combo.addItems(info["sheets"])
        self.sheet_combo.setCurrentText(info["sheet"])
        self.header_spin.setValue(info["header_row"])
        self._loading = False
        self.mapping.setRowCount(len(info["headers"]))
        for i, header in enumerate(info["headers"]):
            suggestion = info["suggestions"].get(header)
            self.mapping.setItem(i, 0, QTableWidgetItem(header))
            self.mapping.setItem(i, 1, QTableWidgetItem(", ".join(info["samples"].get(header, []))))
            combo = QComboBox(self.mapping)
            combo.addItems(self.targets)
            combo.setAccessibleName(f"Register column for {header}")
            if suggestion is not None and suggestion.target:
                combo.setCurrentText(suggestion.target)
            combo.currentIndexChanged.connect(lambda _: self._refresh_preview())
            self.mapping.setCellWidget(i, 2, combo)
            confidence = suggestion.confidence if suggestion is not None and suggestion.target else 0.0
            match = QTableWidgetItem(f"{confidence:.0%}" if confidence else "–")
            match.setToolTip("How sure the suggestion is; check any below 80%")
            self.mapping.setItem(i, 3, match)
            for col in (0, 1, 3):
                self.mapping.item(i, col).setFlags(Qt.ItemFlag.ItemIsEnabled)
        self._refresh_preview()

    def current_mapping(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i in range(self.mapping.rowCount()):
            header = self.mapping.item(i, 0).text()
            target = self.mapping.cellWidget(i, 2).currentText()  # type: ignore[union-attr]
            out[header] = None if target == KEEP else target
        return out

    def _refresh_preview(self) -> None:
        mapping = self.current_mapping()
        self.jobs.start(Job(_preview, self.path, self.sheet_combo.currentText(), self.header_spin.value(),
                            mapping, name="preview"), self._on_preview, self._on_failed)

    def _on_preview(self, frame: Any) -> None:
        self.preview.frame_model.set_frame(frame)
        self.preview.fit_columns()
        mapped = sum(1 for v in self.current_mapping().values() if v)
        self.status.setText(f"{mapped} columns mapped; the rest will be kept as extra columns. "
                            "Press Import to bring the rows in (nothing is saved until you save).")
        self.import_button.setEnabled(True)

    def _on_import(self) -> None:
        self.import_button.setEnabled(False)
        self.status.setText("Importing…")
        self.jobs.start(Job(_import, self.path, self.sheet_combo.currentText(), self.header_spin.value(),
                            self.current_mapping(), name="import register"),
                        self._on_imported, self._on_failed)

    def _on_imported(self, result: tuple[Any, Any]) -> None:
        self.result_doc, self.report = result
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        from lmns_desktop.gui.theme import signal_colour

        self.status.setStyleSheet(f"color: {signal_colour('error', self)};")
