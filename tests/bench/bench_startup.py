"""Time to first window: the app against a bare PySide6 window, in one run (target ratio <= 1.5),
and the frozen one-folder build against the app from source when a build exists (target <= 1.5x).

Run: python3 build_scripts/dev.py bench startup   (after dev.py bundle for the frozen figure)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


FROZEN = Path(__file__).resolve().parents[2] / "dist" / "lmns-desktop" / "lmns-desktop"


def first_window_seconds(code: str | None, env: dict[str, str], exe: Path | None = None) -> float:
    return startup_seconds(code, env, exe)["first-window"]


def startup_seconds(code: str | None, env: dict[str, str], exe: Path | None = None) -> dict[str, float]:
    """Seconds from launch to each probe line: "first-window" (the first event-loop turn after
    show(), i.e. the window painted) and, for the app, "tabs-ready" (all three tabs built)."""
    start = time.time()
    command = [str(exe)] if exe is not None else [sys.executable, "-c", str(code)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    marks = dict(line.split() for line in out.stdout.splitlines()
                 if line.startswith(("first-window", "tabs-ready")))
    return {name: float(stamp) - start for name, stamp in marks.items()}


def main(repeats: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "LMNS_STARTUP_PROBE": "1", "LMNS_DATA_DIR": tmp}
        first_window_seconds(BARE, env)  # warm the file cache for both
        first_window_seconds(APP, env)
        bare, app, ready = [], [], []
        for _ in range(repeats):  # interleaved, so machine noise hits both alike
            bare.append(first_window_seconds(BARE, env))
            marks = startup_seconds(APP, env)
            app.append(marks["first-window"])
            ready.append(marks["tabs-ready"])
    b, a, r = statistics.median(bare), statistics.median(app), statistics.median(ready)
    print(f"bare PySide6 window: median {b:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in bare)})")
    print(f"LMNS app window:     median {a:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in app)})")
    print(f"ratio app/bare: {a / b:.2f}  (target <= 1.5)")
    print(f"LMNS tabs built:     median {r:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in ready)}); "
          f"ratio to bare window {r / b:.2f}")
    frozen_exe = Path(os.environ.get("LMNS_FROZEN_APP", FROZEN))
    if frozen_exe.exists():
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   "LMNS_STARTUP_PROBE": "1", "LMNS_DATA_DIR": tmp}
            first_window_seconds(None, env, frozen_exe)
            frozen = [first_window_seconds(None, env, frozen_exe) for _ in range(repeats)]
        f = statistics.median(frozen)
        print(f"frozen app window:   median {f:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in frozen)})")
        print(f"ratio frozen/source: {f / a:.2f}  (target <= 1.5)")
    else:
        print(f"no frozen build at {frozen_exe}: run dev.py bundle first for the frozen figure")


if __name__ == "__main__":
    main()
