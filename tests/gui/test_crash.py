"""Unhandled errors go to the log with their trace; logs hold no cell values."""

from __future__ import annotations

import sys

from lmns_desktop import applog
from lmns_desktop.gui.crash import install_excepthook


def test_unhandled_error_is_logged_with_its_trace(monkeypatch) -> None:
    log_file = applog.setup_logging()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(log_file)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    text = log_file.read_text(encoding="utf-8")
    assert "Unhandled error" in text and "ZeroDivisionError" in text and "Traceback" in text


def test_log_lives_in_the_per_user_folder(user_data_dir) -> None:
    log_file = applog.setup_logging()
    assert log_file.is_relative_to(user_data_dir)
