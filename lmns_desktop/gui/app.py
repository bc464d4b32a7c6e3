"""Start the GUI: application object, logging, crash handler, settings, window.

The window is shown before pandas and matplotlib are imported; data loads in worker threads.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import lmns_desktop
from lmns_desktop import paths
from lmns_desktop.applog import log_file, setup_logging
from lmns_desktop.gui import clipboard
from lmns_desktop.gui.crash import install_excepthook
from lmns_desktop.gui.main_window import MainWindow
from lmns_desktop.gui.settings import Settings

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_ORG)
    icon = paths.resource_path("icons", "app.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def create_window(settings: Settings | None = None) -> MainWindow:
    return MainWindow(settings or Settings())


def run_gui(register: Path | None = None, *, demo: bool = False) -> int:
    """Open the main window (on the demo data, a given register, or the last one)."""
    install_excepthook(log_file())
    app = make_application()
    window = create_window()
    window.show()
    if os.environ.get("LMNS_STARTUP_PROBE"):  # used by tests/bench/bench_startup.py
        QTimer.singleShot(0, lambda: print(f"first-window {time.time():.6f}", flush=True))
        window.tabs_ready.connect(lambda: (print(f"tabs-ready {time.time():.6f}", flush=True),
                                           app.quit()))
    QTimer.singleShot(0, setup_logging)  # after the window: logging.handlers costs ~15 ms
    QTimer.singleShot(0, lambda: app.setApplicationVersion(lmns_desktop.__version__))
    log.info("Window shown")
    def first_load() -> None:
        window.apply_preferences()
        if window.offer_recovery():
            return
        if demo:
            window.open_demo()
        elif register is not None:
            window.open_register(register)
        elif window.preferences().show_welcome_page and not window.settings.recent_registers:
            window.show_welcome()

    QTimer.singleShot(0, first_load)
    # Background jobs must end before Qt tears down, or a late result can crash the exit.
    app.aboutToQuit.connect(lambda: QThreadPool.globalInstance().waitForDone(10_000))
    app.aboutToQuit.connect(clipboard.release)
    return app.exec()
