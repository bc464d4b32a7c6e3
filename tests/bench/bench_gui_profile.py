"""Cohort tab on the 200,000-row demo cohort: recompute after a filter change, and the longest
event-loop stall on the GUI thread while it runs (target: never blocked for more than 100 ms).

Run: python3 build_scripts/dev.py bench gui_profile
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LMNS_DATA_DIR", tempfile.mkdtemp(prefix="lmns-bench-"))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lmns_desktop.core import demo_data  # noqa: E402
from lmns_desktop.gui.main_window import MainWindow  # noqa: E402
from lmns_desktop.gui.settings import Settings  # noqa: E402

ROWS = 200_000
CACHE = Path(tempfile.gettempdir()) / f"lmns-bench-cohort-{ROWS}.xlsx"


class StallMeter:
    """A 5 ms timer on the GUI thread: the longest gap between ticks is the longest stall."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.longest = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now


def wait(app: QApplication, condition, timeout: float = 600.0) -> float:  # noqa: ANN001
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > timeout:
            raise TimeoutError
    return time.perf_counter() - start


def main() -> None:
    app = QApplication.instance() or QApplication([])
    if not CACHE.exists():
        print(f"writing a {ROWS:,}-row demo cohort to {CACHE} (once)…")
        demo_data.write_cohort(CACHE, rows=ROWS)
    window = MainWindow(Settings(Path(os.environ["LMNS_DATA_DIR"]) / "s.ini"))
    window.show()
    meter = StallMeter()
    meter.start()
    tab = window.cohort_tab
    window.import_cohort(CACHE)
    took = wait(app, lambda: tab.profile_view.profile is not None)
    print(f"import + first profile of {ROWS:,} rows: {took:.1f} s; longest GUI stall {meter.longest * 1000:.0f} ms")
    view = tab.profile_view
    times, stalls = [], []
    for index in (1, 2, 0, 3, 0):
        if index >= view.trust_combo.count():
            continue
        before = view.profile
        meter.start()
        start = time.perf_counter()
        view.trust_combo.setCurrentIndex(index)
        wait(app, lambda b=before: view.profile is not b)
        times.append(time.perf_counter() - start - view._timer.interval() / 1000)
        stalls.append(meter.longest)
    print(f"recompute after a filter change: median {statistics.median(times) * 1000:.0f} ms "
          f"(excluding the {view._timer.interval()} ms typing pause; target < 150 ms)")
    print(f"longest GUI-thread stall during recomputes: {max(stalls) * 1000:.0f} ms (target <= 100 ms)")
    window.close()


if __name__ == "__main__":
    main()
