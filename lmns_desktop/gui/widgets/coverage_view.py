"""Coverage of PLUS groups x sub-workstreams, with summary cards; gaps are marked, not only
coloured, and clicking a cell asks the register table to filter to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    import pandas as pd

    from lmns_desktop.core.coverage import SummaryCards

GAP_TEXT = "gap"


class _Card(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("summary_card")
        layout = QVBoxLayout(self)
        self.value = QLabel("–", self)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.setToolTip(detail)
        self.setAccessibleDescription(f"{value}. {detail}")


class CoverageView(QWidget):
    """Summary cards above the coverage matrix."""

    cell_activated = Signal(str, str)  # PLUS group (or "Core20"), sub-workstream

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        cards = QGridLayout()
        self.cards = {
            "projects": _Card("Projects in the register", self),
            "active": _Card("Active projects (planning, active, sustaining)", self),
            "evidence": _Card("Evidence events this quarter", self),
            "reached": _Card("People reached this quarter", self),
            "status": _Card("By status", self),
            "rag": _Card("By RAG", self),
        }
        for i, card in enumerate(self.cards.values()):
            cards.addWidget(card, 0, i)
        self.matrix = QTableWidget(self)
        self.matrix.setAccessibleName("Coverage matrix")
        self.matrix.setToolTip("Active projects per PLUS group and sub-workstream. "
                               "Cells marked 'gap' have none. Click a cell to list its projects.")
        self.matrix.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.cellActivated.connect(self._on_cell)
        self.matrix.cellClicked.connect(self._on_cell)
        self.legend = QLabel("Each cell counts active projects. “gap” marks a PLUS group with no "
                             "active project in that sub-workstream.", self)
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(cards)
        layout.addWidget(self.matrix, 1)
        layout.addWidget(self.legend)

    def show_coverage(self, matrix: pd.DataFrame, cards: SummaryCards) -> None:
        from lmns_desktop.gui.theme import signal_colour

        for key in ("projects", "active", "evidence", "reached"):
            self.cards[key].value.setStyleSheet(f"color: {signal_colour('figure', self)};")
        from PySide6.QtCore import Qt

        self.cards["projects"].set(f"{cards.projects:,}")
        self.cards["active"].set(f"{cards.active_projects:,}")
        quarter = f"{cards.quarter_start:%d/%m/%Y} to {cards.quarter_end:%d/%m/%Y}"
        self.cards["evidence"].set(f"{cards.evidence_this_quarter:,}", quarter)
        self.cards["reached"].set(f"{cards.people_reached_this_quarter:,}", quarter)
        self.cards["status"].set(
            ", ".join(f"{int(v)} {k.lower()}" for k, v in cards.by_status.items() if v) or "–"
        )
        self.cards["rag"].set(", ".join(f"{int(v)} {k}" for k, v in cards.by_rag.items() if v) or "–")
        for key in ("status", "rag"):
            self.cards[key].value.setStyleSheet("")
            font = self.cards[key].value.font()
            font.setPointSizeF(self.font().pointSizeF() * 1.05)
            self.cards[key].value.setFont(font)
            self.cards[key].value.setWordWrap(True)

        self.matrix.clear()
        self.matrix.setRowCount(len(matrix.index))
        self.matrix.setColumnCount(len(matrix.columns))
        import textwrap

        # Long sub-workstream names wrap onto two lines rather than being cut off.
        self.matrix.setHorizontalHeaderLabels([textwrap.fill(str(c), 22) for c in matrix.columns])
        self.matrix.setVerticalHeaderLabels([str(i) for i in matrix.index])
        bold = QFont(self.font())
        bold.setBold(True)
        for r, group in enumerate(matrix.index):
            for c, stream in enumerate(matrix.columns):
                count = int(matrix.iat[r, c])
                item = QTableWidgetItem(str(count) if count else GAP_TEXT)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(Qt.ItemDataRole.UserRole, (str(group), str(stream)))
                item.setToolTip(f"{group} × {stream}: {count} active project{'s' if count != 1 else ''}")
                if count == 0:
                    item.setBackground(QBrush(QColor(signal_colour("gap_bg", self))))
                    item.setForeground(QBrush(QColor(signal_colour("gap_fg", self))))
                else:
                    item.setFont(bold)
                self.matrix.setItem(r, c, item)

    def _on_cell(self, row: int, column: int) -> None:
        from PySide6.QtCore import Qt

        item = self.matrix.item(row, column)
        if item is not None:
            group, stream = item.data(Qt.ItemDataRole.UserRole)
            self.cell_activated.emit(group, stream)
