"""A layout that puts its items in a row and wraps onto more rows when they do not fit.

Why: a row of labelled drop-downs (the register's filters) that fits at 100% with the usual font
no longer fits with a larger text size or a narrower window, and a box layout then squeezes the
labels until their text is cut ("Sub-workstrea"). Wrapping keeps every label whole. The rows
are balanced (eight items wrap as four and four, not seven and one) and each is justified like a
box layout: items with an Expanding size policy share the spare width.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QStyle, QWidget


class FlowLayout(QLayout):
    """Left to right, wrapping; use ``addWidget`` as with any layout."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = -1) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing

    # --- QLayout ----------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt API
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Everything on one row."""
        visible = self._visible()
        margins = self.contentsMargins()
        width = sum(item.sizeHint().width() for item in visible)
        width += self.horizontal_spacing() * max(len(visible) - 1, 0)
        height = max((item.sizeHint().height() for item in visible), default=0)
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        """As narrow as the widest item: everything else wraps."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # --- arranging ----------------------------------------------------------------------------
    def horizontal_spacing(self) -> int:
        return (
            self._spacing
            if self._spacing >= 0
            else self._style_spacing(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)
        )

    def vertical_spacing(self) -> int:
        return (
            self._spacing
            if self._spacing >= 0
            else self._style_spacing(QStyle.PixelMetric.PM_LayoutVerticalSpacing)
        )

    def _style_spacing(self, metric: QStyle.PixelMetric) -> int:
        parent = self.parentWidget()
        value = parent.style().pixelMetric(metric, None, parent) if parent is not None else -1
        return value if value >= 0 else 6

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each row at ``width`` (content width, without the margins).

        As few rows as fit, then balanced: the narrowest width that still needs no more rows,
        so eight items wrap as four and four rather than seven and one.
        """
        hints = [(item, item.sizeHint().width()) for item in self._visible()]
        fewest = len(self._greedy(hints, width))
        low = max((hint for _, hint in hints), default=0)
        high = max(width, low)
        while low < high:
            middle = (low + high) // 2
            if len(self._greedy(hints, middle)) <= fewest:
                high = middle
            else:
                low = middle + 1
        return self._greedy(hints, high)

    def _greedy(self, hints: list[tuple[QLayoutItem, int]], width: int) -> list[list[QLayoutItem]]:
        gap = self.horizontal_spacing()
        rows: list[list[QLayoutItem]] = []
        used = 0
        for item, hint in hints:
            if rows and used + gap + hint <= width:
                rows[-1].append(item)
                used += gap + hint
            else:
                rows.append([item])
                used = hint
        return rows

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        gap, line_gap = self.horizontal_spacing(), self.vertical_spacing()
        rows = self.rows(area.width())
        y = area.y()
        for index, row in enumerate(rows):
            height = max(item.sizeHint().height() for item in row)
            if apply:
                widths = [min(item.sizeHint().width(), area.width()) for item in row]
                spare = area.width() - sum(widths) - gap * (len(row) - 1)
                growing = [i for i, item in enumerate(row) if _grows(item)]
                if spare > 0 and growing:
                    share, extra = divmod(spare, len(growing))
                    for n, i in enumerate(growing):
                        widths[i] += share + (1 if n < extra else 0)
                x = area.x()
                for item, width in zip(row, widths):
                    item_height = min(
                        height, max(item.sizeHint().height(), item.minimumSize().height())
                    )
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                    x += width + gap
            y += height + (line_gap if index < len(rows) - 1 else 0)
        return y - area.y() + margins.top() + margins.bottom()


def _grows(item: QLayoutItem) -> bool:
    """True for items that take a share of spare width (an Expanding size policy)."""
    return bool(item.expandingDirections() & Qt.Orientation.Horizontal)
