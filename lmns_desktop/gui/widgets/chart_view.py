"""A matplotlib Figure on a Qt canvas (never pyplot), with "Copy chart" to the clipboard.

matplotlib loads the first time a chart is shown, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

#: Dots per inch of an on-screen chart at 100% scaling (matplotlib's own default). Given to the
#: Figure rather than read from matplotlib's settings: report jobs draw charts in worker threads
#: inside ``rc_context`` (which sets 72 dpi for print), and a Figure made meanwhile took that
#: value, so chart text came out at 72% of its size. Qt's canvas multiplies it by the display
#: scaling (150% gives 150 dpi), so charts stay sharp and the same size relative to the window.
SCREEN_DPI = 100


class ChartView(QWidget):
    """Holds one Figure; ``draw(fn)`` clears it and lets ``fn(figure)`` draw."""

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = "Chart") -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.figure: Any = None
        self.canvas: Any = None

    def _ensure_canvas(self) -> None:
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.figure = Figure(layout="constrained", dpi=SCREEN_DPI)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setParent(self)
        self.canvas.setAccessibleName(self.accessibleName())
        self._layout.addWidget(self.canvas)

    def draw(self, fn: Callable[[Any], None], description: str = "") -> None:
        self._ensure_canvas()
        self.figure.clear()
        fn(self.figure)
        if description:
            self.canvas.setAccessibleDescription(description)
            self.canvas.setToolTip(description)
        self.canvas.draw_idle()

    def clear(self, message: str = "") -> None:
        self._ensure_canvas()
        self.figure.clear()
        if message:
            self.figure.text(
                0.5, 0.5, message, ha="center", va="center", wrap=True, color="#425563", fontsize=10
            )
        self.canvas.draw_idle()

    def copy_to_clipboard(self) -> None:
        """Put the chart on the clipboard as an image (paste into Word or PowerPoint)."""
        if self.canvas is None:
            return
        from PySide6.QtWidgets import QApplication

        QApplication.clipboard().setPixmap(self.canvas.grab())
