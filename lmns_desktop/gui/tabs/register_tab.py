"""The Register tab: the LMNS register of inclusion-health projects in a searchable table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.worker import Job, JobSlot

if TYPE_CHECKING:
    from lmns_desktop.core.register_store import Register


def _read_register(path: Path, *, progress, is_cancelled):  # noqa: ANN001, ANN202 - worker thread
    from lmns_desktop.core.register_store import read_register

    progress(10, f"Opening {path.name}")
    register = read_register(path)
    progress(100, "Register opened")
    return register


class RegisterTab(QWidget):
    """Shows the open register; emits ``register_changed`` when another one is loaded."""

    register_changed = Signal(object)
    load_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register: Register | None = None
        self.undo_stack = QUndoStack(self)
        self.jobs = JobSlot(self)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search projects (title, lead, trust, groups…)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search projects")
        self.search.setToolTip("Type to show only projects containing this text in any column")
        self.count_label = QLabel("No register open", self)
        self.count_label.setAccessibleName("Project count")
        self.table = FrameView(self, accessible_name="Projects table")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())

    def load(self, path: Path) -> Job:
        """Open a register in the background; ``register_changed`` fires when it is shown."""
        return self.jobs.start(
            Job(_read_register, Path(path), name="open register"),
            self._on_loaded,
            self.load_failed.emit,
            label=f"Opening {Path(path).name}…",
        )

    def _on_loaded(self, register: Register) -> None:
        self.register = register
        self.undo_stack.clear()
        self.table.frame_model.set_frame(register.projects)
        self.table.fit_columns()
        self._apply_search()
        self.register_changed.emit(register)

    def _apply_search(self) -> None:
        if self.register is None:
            return
        text = self.search.text().strip()
        model = self.table.frame_model
        if not text:
            model.set_row_filter(None)
        else:
            from lmns_desktop.core.table_filter import text_search_mask

            model.set_row_filter(text_search_mask(self.register.projects, text))
        total = len(self.register.projects)
        shown = model.rowCount()
        self.count_label.setText(
            f"{total:,} projects" if shown == total else f"{shown:,} of {total:,} projects"
        )

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key.Key_Escape and self.search.text():
            self.search.clear()
        else:
            super().keyPressEvent(event)
