"""The pandas-backed table model: display, header-click sorting and filtering."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QPoint, Qt

from lmns_desktop.gui.widgets.frame_view import FrameView


def _view(qtbot, frame: pd.DataFrame) -> FrameView:
    view = FrameView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.frame_model.set_frame(frame)
    view.show()
    qtbot.waitExposed(view)
    return view


def _column(view: FrameView, col: int) -> list[str]:
    model = view.frame_model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _click_header(qtbot, view: FrameView, col: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_set_frame_shows_every_row_with_uk_dates(qtbot) -> None:
    frame = pd.DataFrame({"When": pd.to_datetime(["2024-03-01", "2023-12-25"]), "N": [2, 10]})
    view = _view(qtbot, frame)
    assert view.frame_model.rowCount() == 2
    assert _column(view, 0) == ["01/03/2024", "25/12/2023"]
    assert view.frame_model.headerData(1, Qt.Orientation.Horizontal) == "N"


def test_clicking_a_header_sorts_and_clicking_again_reverses(qtbot) -> None:
    frame = pd.DataFrame({"Name": ["b", "c", "a"], "N": [2, 10, 1]})
    view = _view(qtbot, frame)
    _click_header(qtbot, view, 1)
    first = _column(view, 1)
    _click_header(qtbot, view, 1)
    second = _column(view, 1)
    assert {tuple(first), tuple(second)} == {("1", "2", "10"), ("10", "2", "1")}
    assert frame["N"].tolist() == [2, 10, 1]  # the user's data is never reordered


def test_row_filter_keeps_the_sort(qtbot) -> None:
    frame = pd.DataFrame({"N": [5, 3, 9, 1]})
    view = _view(qtbot, frame)
    view.frame_model.sort(0, Qt.SortOrder.AscendingOrder)
    view.frame_model.set_row_filter(np.array([True, False, True, True]))
    assert _column(view, 0) == ["1", "5", "9"]
    view.frame_model.set_row_filter(None)
    assert _column(view, 0) == ["1", "3", "5", "9"]


def test_masked_columns_hide_identifiers(qtbot) -> None:
    frame = pd.DataFrame({"NHS Number": ["9990000000"], "Age": [30]})
    view = _view(qtbot, frame)
    view.frame_model.set_masked_columns({"NHS Number"})
    assert _column(view, 0) == ["••••••"]
    assert _column(view, 1) == ["30"]


def test_large_frame_paints_without_formatting_every_column(qtbot) -> None:
    frame = pd.DataFrame(np.arange(200_000 * 3).reshape(-1, 3), columns=list("abc"))
    view = _view(qtbot, frame)
    assert view.frame_model.rowCount() == 200_000
    assert view.frame_model.index(199_999, 2).data() == str(200_000 * 3 - 1)
