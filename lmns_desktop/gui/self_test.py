"""``lmns-desktop --self-test``: prove an installed or frozen build works, with no network.

Opens the window offscreen, loads the demo register and cohort, computes the cohort profile,
writes the board summary as PDF and Excel to a temp folder and checks them, then exits 0 — or
prints what failed and exits 1.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from pathlib import Path


class NetworkUsed(RuntimeError):
    pass


def _forbid_network() -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed("the app tried to open a network connection")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def run_self_test(timeout: float = 120.0) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("LMNS_NO_CRASH_DIALOG", "1")
    _forbid_network()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lmns-self-test-") as tmp:
        from lmns_desktop.applog import setup_logging

        setup_logging()  # the result goes to the user's log, where IT will look for it
        from PySide6.QtWidgets import QApplication

        from lmns_desktop.gui.app import make_application
        from lmns_desktop.gui.main_window import MainWindow
        from lmns_desktop.gui.settings import Settings

        app = make_application()
        window = MainWindow(Settings(Path(tmp) / "settings.ini"))
        window.show()
        errors: list[str] = []
        window.register_tab.load_failed.connect(errors.append)
        window.cohort_tab.load_failed.connect(errors.append)
        window.reports_tab.failed.connect(errors.append)
        window.open_demo()

        def wait(condition, what: str) -> bool:  # noqa: ANN001
            end = time.monotonic() + timeout
            while time.monotonic() < end and not condition() and not errors:
                QApplication.processEvents()
                time.sleep(0.01)
            if not condition():
                failures.append(f"{what}: {'; '.join(errors) or 'timed out'}")
                return False
            return True

        loaded = (
            wait(lambda: window.register_tab.register is not None, "loading the demo register")
            and wait(lambda: window.cohort_tab.cohort is not None, "loading the demo cohort")
            and wait(lambda: window.reports_tab.profile is not None, "profiling the demo cohort")
        )
        if loaded:
            for name, magic in (("board.pdf", b"%PDF-"), ("board.xlsx", b"PK")):
                out = Path(tmp) / name
                window.reports_tab.save(out)
                written = wait(lambda o=out: o.exists() and not window.reports_tab.jobs.busy,
                               f"writing {name}")
                if written and out.read_bytes()[: len(magic)] != magic:
                    failures.append(f"writing {name}: the file is not a {out.suffix} file")
        window.close()
        app.processEvents()
    import logging

    log = logging.getLogger("lmns_desktop.self_test")
    if failures:
        log.error("Self-test failed: %s", "; ".join(failures))
        for failure in failures:
            print(f"self-test FAILED: {failure}", file=sys.stderr)
        return 1
    log.info("Self-test passed")
    print("self-test passed: window opened, demo loaded, cohort profiled, PDF and Excel written, "
          "no network used")
    return 0
