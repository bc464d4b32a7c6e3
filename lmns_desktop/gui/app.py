"""Start the GUI: application object, logging, crash handler, settings, window.

The window is shown before pandas and matplotlib are imported; data loads in worker threads.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from lmns_desktop import __version__, paths
from lmns_desktop.applog import setup_logging
from lmns_desktop.gui.crash import install_excepthook
from lmns_desktop.gui.main_window import MainWindow
from lmns_desktop.gui.settings import Settings

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_ORG)
    app.setApplicationVersion(__version__)
    icon = paths.resource_path("icons", "app.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def create_window(settings: Settings | None = None) -> MainWindow:
    return MainWindow(settings or Settings())


def run_gui(register: Path | None = None, *, demo: bool = False) -> int:
    """Open the main window (on the demo data, a given register, or the last one)."""
    log_file = setup_logging()
    install_excepthook(log_file)
    app = make_application()
    window = create_window()
    window.show()
    log.info("Window shown (version %s)", __version__)
    if demo:
        QTimer.singleShot(0, window.open_demo)
    elif register is not None:
        QTimer.singleShot(0, lambda: window.open_register(register))
    return app.exec()
