"""A calm, non-blocking notice in the corner of the window after a save or an export, with
"Open file" and "Open folder" buttons; it hides itself after a few seconds."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SHOWN_MS = 8000


class Toast(QFrame):
    """One notice at a time; ``notify`` replaces the previous one."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setAccessibleName("Notice")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.open_file_button = QPushButton("Open file", self)
        self.open_folder_button = QPushButton("Open folder", self)
        self.close_button = QPushButton("Close", self)
        for button, tip in ((self.open_file_button, "Open the saved file"),
                            (self.open_folder_button, "Show the folder it was saved in"),
                            (self.close_button, "Hide this notice")):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        for button in (self.open_file_button, self.open_folder_button, self.close_button):
            layout.addWidget(button)
        self.path: Path | None = None
        self.timer = QTimer(self, singleShot=True, interval=SHOWN_MS)
        self.timer.timeout.connect(self.hide)
        self.open_file_button.clicked.connect(lambda: self._open(self.path))
        self.open_folder_button.clicked.connect(lambda: self._open(self.path.parent if self.path else None))
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def notify(self, text: str, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.label.setText(text)
        for button in (self.open_file_button, self.open_folder_button):
            button.setVisible(self.path is not None)
        self._place()
        self.show()
        self.raise_()
        self.timer.start()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(560, max(320, parent.width() // 2))
        self.resize(width, self.sizeHint().height())
        self.move(parent.width() - width - 16, parent.height() - self.height() - 40)

    @staticmethod
    def _open(path: Path | None) -> None:
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
