"""A read-only table model over a pandas DataFrame that stays fast at 200,000 rows.

The frame is never copied or changed. Display text is made a whole column at a time (by
``core.formatting``) the first time the column is painted and then cached; sorting and filtering
only change a row-order array, so a header click on 200k rows is one numpy argsort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex

if TYPE_CHECKING:  # pandas, numpy and Qt's big ``Qt`` namespace (~20 ms) load after the window
    import numpy as np
    import pandas as pd
    from PySide6.QtCore import Qt

_Index = QModelIndex | QPersistentModelIndex
MASK_TEXT = "••••••"
PAGE_ROWS = 512


def pd_is_numeric(dtype: Any) -> bool:
    """Numbers are right-aligned; booleans are not numbers to a reader."""
    import pandas as pd

    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole, as an int so defaults need no Qt import


class FrameModel(QAbstractTableModel):
    """Shows a DataFrame; ``sort`` and ``set_row_filter`` reorder rows without touching data."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._df: pd.DataFrame | None = None
        self._order: np.ndarray | None = None
        self._filter: np.ndarray | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._text: dict[int, np.ndarray] = {}
        self._formatted: dict[int, np.ndarray] = {}
        self._headers: list[str] = []
        self._numeric: list[bool] = []
        self._masked: set[str] = set()
        self._row_flags: dict[int, str] = {}
        self._header_tips: dict[str, str] = {}

    # --- content --------------------------------------------------------------------------
    def set_frame(self, df: pd.DataFrame) -> None:
        import numpy as np

        self.beginResetModel()
        self._df = df
        self._filter = None
        self._sort = None
        self._row_flags = {}
        self._order = np.arange(len(df))
        self._text, self._formatted = {}, {}
        self._headers = [str(c) for c in df.columns]
        self._numeric = [pd_is_numeric(dtype) for dtype in df.dtypes]
        self.endResetModel()

    def refresh_frame(self, df: pd.DataFrame) -> None:
        """Show a changed frame keeping the current sort (the caller re-applies its filter)."""
        import numpy as np

        self.beginResetModel()
        self._df = df
        self._filter = None
        self._text, self._formatted = {}, {}
        self._headers = [str(c) for c in df.columns]
        self._numeric = [
            pd_is_numeric(dtype) for dtype in df.dtypes
        ]
        self._order = np.arange(len(df))
        if self._sort is not None and self._sort[0] < len(self._headers):
            self._apply_order()
        else:
            self._sort = None
        self.endResetModel()

    def set_row_flags(self, flags: dict[int, str]) -> None:
        """Mark rows (by frame position) with a problem; the message is the row's tooltip."""
        self._row_flags = dict(flags)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def frame(self) -> pd.DataFrame | None:
        return self._df

    def set_masked_columns(self, columns: set[str]) -> None:
        """Columns whose values are shown as dots (identifiers), until unmasked."""
        self._masked = set(columns)
        if self._df is not None and self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def set_header_tooltips(self, tips: dict[str, str]) -> None:
        self._header_tips = dict(tips)

    def source_row(self, view_row: int) -> int:
        """The DataFrame position shown at ``view_row``."""
        assert self._order is not None
        return int(self._order[view_row])

    def view_row_of(self, source_row: int) -> int | None:
        import numpy as np

        if self._order is None:
            return None
        hits = np.flatnonzero(self._order == source_row)
        return int(hits[0]) if len(hits) else None

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._order is None else len(self._order)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or self._df is None:
            return None
        from PySide6.QtCore import Qt

        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if self._headers[col] in self._masked:
                return MASK_TEXT if role == Qt.ItemDataRole.DisplayRole else "Identifier hidden"
            text = self._cell_text(col, index.row())
            if role == Qt.ItemDataRole.ToolTipRole and self._row_flags:
                flag = self._row_flags.get(int(self._order[index.row()]))
                return f"{text}\n\nProblem: {flag}" if flag else text
            return text
        if role == Qt.ItemDataRole.BackgroundRole and self._row_flags:
            if int(self._order[index.row()]) in self._row_flags:
                from PySide6.QtGui import QColor

                return QColor("#FDE8E6")
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self._row_flags:
            if int(self._order[index.row()]) in self._row_flags:
                from PySide6.QtWidgets import QApplication, QStyle

                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if self._numeric[col] else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _cell_text(self, col: int, view_row: int) -> str:
        """Display text, formatted a page of rows at a time around the one asked for.

        Formatting a whole 200k-row date column costs ~0.3 s; a page of 512 rows costs ~1 ms,
        so the first screen appears at once and scrolling formats only what is seen.
        """
        import numpy as np

        assert self._order is not None and self._df is not None
        source = self._order[view_row]
        done = self._formatted.get(col)
        if done is None:
            done = self._formatted[col] = np.zeros(len(self._df), dtype=bool)
            self._text[col] = np.empty(len(self._df), dtype=object)
        if not done[source]:
            from lmns_desktop.core.formatting import format_column

            page = self._order[max(0, view_row - PAGE_ROWS // 2): view_row + PAGE_ROWS // 2]
            page = page[~done[page]]
            self._text[col][page] = format_column(self._df.iloc[page, col])
            done[page] = True
        return self._text[col][source]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE) -> Any:
        from PySide6.QtCore import Qt

        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole and section < len(self._headers):
                return self._headers[section]
            if role == Qt.ItemDataRole.ToolTipRole and section < len(self._headers):
                name = self._headers[section]
                return self._header_tips.get(name, f"{name} — click to sort")
        elif role == Qt.ItemDataRole.DisplayRole and self._order is not None:
            return str(int(self._order[section]) + 1)
        return None

    @property
    def sort_key(self) -> tuple[int, Qt.SortOrder] | None:
        """(column, order) of the current sort, or None while rows are in the frame's order."""
        return self._sort

    def sort(self, column: int, order: Qt.SortOrder | int = 0) -> None:
        if self._df is None or not 0 <= column < len(self._headers):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._apply_order()
        self.layoutChanged.emit()

    def set_row_filter(self, mask: np.ndarray | None) -> None:
        """Show only rows where ``mask`` is true (None shows all); keeps the current sort."""
        import numpy as np

        self.beginResetModel()
        self._filter = None if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool))
        self._apply_order()
        self.endResetModel()

    def _apply_order(self) -> None:
        import numpy as np
        from PySide6.QtCore import Qt

        from lmns_desktop.core.formatting import sort_order

        assert self._df is not None
        if self._sort is None:
            order = np.arange(len(self._df))
        else:
            column, direction = self._sort
            order = sort_order(self._df.iloc[:, column], direction == Qt.SortOrder.AscendingOrder)
        if self._filter is not None:
            keep = np.zeros(len(self._df), dtype=bool)
            keep[self._filter] = True
            order = order[keep[order]]
        self._order = order
