"""Logging to a rotating file in the per-user folder.

Log messages name files, sheets, rows and columns, never cell values: patient identifiers must
not reach the log.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lmns_desktop import paths

LOG_FILE_NAME = "lmns-desktop.log"
_configured: Path | None = None


def log_file() -> Path:
    """Where the log is written (the folder is created; the file may not exist yet)."""
    return paths.log_dir() / LOG_FILE_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Send the app's log to ``<data folder>/logs/lmns-desktop.log`` (5 files of 1 MB)."""
    import logging.handlers

    global _configured
    target = log_file()
    if _configured == target:
        return target
    handler = logging.handlers.RotatingFileHandler(
        target, maxBytes=1_000_000, backupCount=4, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root = logging.getLogger("lmns_desktop")
    for old in [h for h in root.handlers if getattr(h, "_lmns", False)]:
        root.removeHandler(old)
        old.close()
    handler._lmns = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _configured = target
    return target
