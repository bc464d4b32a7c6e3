"""Progress bar, message and Cancel button for the status bar, driven by a JobSlot."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from lmns_desktop.gui.worker import JobSlot


class ProgressPanel(QWidget):
    """Shows the running job of any attached slot; hidden when nothing runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(180)
        self.bar.setAccessibleName("Progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the current task (Esc)")
        self.cancel_button.setAccessibleName("Cancel the current task")
        for w in (self.label, self.bar, self.cancel_button):
            layout.addWidget(w)
        self._slot: JobSlot | None = None
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.hide()

    def attach(self, slot: JobSlot) -> None:
        slot.started.connect(lambda label, s=slot: self._on_started(s, label))
        slot.progress.connect(lambda p, m, s=slot: self._on_progress(s, p, m))
        slot.done.connect(lambda s=slot: self._on_done(s))

    def _on_started(self, slot: JobSlot, label: str) -> None:
        self._slot = slot
        self.bar.setValue(0)
        self.label.setText(label)
        self.show()

    def _on_progress(self, slot: JobSlot, percent: int, message: str) -> None:
        if slot is self._slot:
            self.bar.setValue(percent)
            if message:
                self.label.setText(message)

    def _on_done(self, slot: JobSlot) -> None:
        if slot is self._slot:
            self._slot = None
            self.hide()

    def _on_cancel_clicked(self) -> None:
        if self._slot is not None:
            self._slot.cancel()
