"""The Cohort profiling tab: an imported patient-level cohort, shown with its row count."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.worker import Job, JobSlot

if TYPE_CHECKING:
    import pandas as pd


def _load_cohort(path: Path, *, progress, is_cancelled):  # noqa: ANN001, ANN202 - worker thread
    from lmns_desktop.core.cohort_loader import load_cohort_table

    return load_cohort_table(path, progress=progress, is_cancelled=is_cancelled)


class CohortTab(QWidget):
    """Imports a cohort in the background and shows it; identifiers stay in memory only."""

    cohort_loaded = Signal(object)
    load_failed = Signal(str)
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cohort: pd.DataFrame | None = None
        self.source: Path | None = None
        self.jobs = JobSlot(self)

        self.import_button = QPushButton("Import cohort…", self)
        self.import_button.setToolTip("Import a patient-level spreadsheet (Ctrl+I)")
        self.import_button.setAccessibleName("Import cohort")
        self.summary = QLabel("No cohort imported. Use Import cohort… or drop a file here.", self)
        self.summary.setAccessibleName("Cohort summary")
        self.table = FrameView(self, accessible_name="Cohort table")

        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.import_button.clicked.connect(self.import_requested)

    def load(self, path: Path) -> Job:
        path = Path(path)
        return self.jobs.start(
            Job(_load_cohort, path, name="import cohort"),
            lambda frame: self._on_loaded(path, frame),
            self.load_failed.emit,
            label=f"Importing {path.name}…",
        )

    def _on_loaded(self, path: Path, frame: pd.DataFrame) -> None:
        self.cohort, self.source = frame, path
        self.table.frame_model.set_frame(frame)
        self.table.fit_columns()
        self.summary.setText(
            f"{path.name}: {len(frame):,} rows × {len(frame.columns)} columns"
        )
        self.cohort_loaded.emit(frame)
