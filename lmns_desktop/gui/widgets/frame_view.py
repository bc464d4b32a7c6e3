"""A QTableView set up for big frames: fixed row heights, header-click sorting, no auto-resize."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from lmns_desktop.gui.models.frame_model import FrameModel


class FrameView(QTableView):
    """Table view for a :class:`FrameModel`; never measures every row (that is what freezes)."""

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = "Table") -> None:
        super().__init__(parent)
        self.frame_model = FrameModel(self)
        self.setModel(self.frame_model)
        self.setAccessibleName(accessible_name)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab moves to the next control; arrows move in the table
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setDefaultSectionSize(130)
        horizontal.setHighlightSections(False)
        horizontal.setSortIndicatorShown(True)
        # Sorting is switched on when data arrives: the first use of Qt's sort-order enum costs
        # ~40 ms (PySide builds the whole Qt namespace), which the start-up window need not pay.
        self.frame_model.modelReset.connect(self._sync_sort_indicator)

    def _sync_sort_indicator(self) -> None:
        """Show no sort arrow while the rows are in the file's own order."""
        header = self.horizontalHeader()
        if self.frame_model.sort_key is None:
            header.setSortIndicator(-1, header.sortIndicatorOrder())
        if not self.isSortingEnabled():
            self.setSortingEnabled(True)

    def fit_columns(self, max_width: int = 320) -> None:
        """Size columns from the header and the first visible rows only (fast on any size)."""
        model = self.frame_model
        metrics = self.fontMetrics()
        sample = min(model.rowCount(), 60)
        for col in range(model.columnCount()):
            texts = [str(model.headerData(col, _horizontal()) or "")]
            texts += [str(model.index(r, col).data() or "") for r in range(sample)]
            width = max(metrics.horizontalAdvance(t) for t in texts) + 28
            self.setColumnWidth(col, min(max(width, 60), max_width))


def _horizontal():  # small helper keeps the loop readable
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
