"""Unhandled errors: full trace to the log file, a plain sentence to the user."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from lmns_desktop.core.errors import user_message

log = logging.getLogger("lmns_desktop.crash")


def install_excepthook(log_file: Path) -> None:
    """Log every unhandled exception and show a calm dialog instead of a traceback."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from lmns_desktop.applog import setup_logging

        setup_logging()
        log.critical("Unhandled error", exc_info=(exc_type, exc, tb))
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None or os.environ.get("LMNS_NO_CRASH_DIALOG"):
            sys.__excepthook__(exc_type, exc, tb)
            return
        sys.excepthook = sys.__excepthook__  # a failure in the dialog must not loop
        try:
            QMessageBox.critical(
                None,
                "Something went wrong",
                f"{user_message(exc)}\n\nDetails were saved to:\n{log_file}",
            )
        finally:
            sys.excepthook = hook

    sys.excepthook = hook
