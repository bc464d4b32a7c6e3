"""Time to first window: the app against a bare PySide6 window, in one run (target ratio <= 1.5).

Run: python3 build_scripts/dev.py bench startup
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 800); w.show()
QTimer.singleShot(0, lambda: (print(f"first-window {time.time():.6f}", flush=True), app.quit()))
app.exec()
"""
APP = "from lmns_desktop.cli import main; main([])"


def first_window_seconds(code: str, env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    line = next(line for line in out.stdout.splitlines() if line.startswith("first-window"))
    return float(line.split()[1]) - start


def main(repeats: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "LMNS_STARTUP_PROBE": "1", "LMNS_DATA_DIR": tmp}
        first_window_seconds(BARE, env)  # warm the file cache for both
        first_window_seconds(APP, env)
        bare, app = [], []
        for _ in range(repeats):  # interleaved, so machine noise hits both alike
            bare.append(first_window_seconds(BARE, env))
            app.append(first_window_seconds(APP, env))
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare PySide6 window: median {b:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in bare)})")
    print(f"LMNS app window:     median {a:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in app)})")
    print(f"ratio app/bare: {a / b:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
