"""The table model at 200,000 rows x 30 columns: build-and-show and header-click sort.

Targets: shown in <= 0.3 s, sort <= 0.5 s. Run: python3 build_scripts/dev.py bench table
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lmns_desktop.core.demo_data import make_cohort  # noqa: E402
from lmns_desktop.gui.widgets.frame_view import FrameView  # noqa: E402


def main() -> None:
    app = QApplication.instance() or QApplication([])
    frame = make_cohort(200_000).iloc[:, :30]
    print(f"frame: {frame.shape[0]:,} rows x {frame.shape[1]} columns")
    view = FrameView()
    view.resize(1280, 700)
    view.show()
    app.processEvents()

    start = time.perf_counter()
    view.frame_model.set_frame(frame)
    view.fit_columns()
    view.viewport().repaint()
    app.processEvents()
    shown = time.perf_counter() - start
    print(f"model built and first screen painted: {shown:.3f} s (target <= 0.3 s)")

    for name in ("Booking Date", "Ethnic Category", "BMI", "Pseudo ID"):
        col = list(frame.columns).index(name)
        start = time.perf_counter()
        view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
        view.viewport().repaint()
        app.processEvents()
        took = time.perf_counter() - start
        print(f"header-click sort on {name!r}: {took:.3f} s (target <= 0.5 s)")

    start = time.perf_counter()
    view.frame_model.set_row_filter(np.asarray(pd.to_numeric(frame["IMD Decile"]) <= 2))
    view.viewport().repaint()
    app.processEvents()
    print(f"filter to Core20 rows ({view.frame_model.rowCount():,}): {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
