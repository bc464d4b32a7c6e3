"""Screenshots of every tab of the real window on the demo data (for the README and reviews).

Run under a real display or Xvfb, e.g.:
    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python build_scripts/screenshots.py docs
Set QT_SCALE_FACTOR=1.5 to see the window at 150% scaling.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main(out_dir: str = "docs", prefix: str = "window") -> int:
    os.environ.setdefault("LMNS_DATA_DIR", tempfile.mkdtemp(prefix="lmns-shots-"))
    from PySide6.QtWidgets import QApplication

    from lmns_desktop.gui.app import create_window, make_application

    app = make_application()
    window = create_window()
    window.show()
    window.open_demo()
    end = time.monotonic() + 60
    while time.monotonic() < end and (
        window.register_tab.register is None or window.cohort_tab.cohort is None
    ):
        app.processEvents()
        time.sleep(0.02)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = ("register", "cohort", "reports")
    for index, name in enumerate(names):
        window.ui.tabs.setCurrentIndex(index)
        for _ in range(30):
            app.processEvents()
            time.sleep(0.02)
        screen = QApplication.primaryScreen()
        frame = window.frameGeometry()
        shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        target = out / f"{prefix}-{name}.png"
        shot.save(str(target))
        print(target)
    # The register's detail views and the edit form, for reviews.
    window.ui.tabs.setCurrentIndex(0)
    tab = window.register_tab
    tab.detail_tabs.setCurrentIndex(1)
    _settle(app)
    _grab(window, out / f"{prefix}-register-measures.png")
    tab.pages.setCurrentIndex(1)
    _settle(app)
    _grab(window, out / f"{prefix}-register-coverage.png")
    tab.pages.setCurrentIndex(0)
    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.gui.widgets.record_dialog import RecordDialog

    key = tab._current_project_key()
    values = tab._row_values("Projects", key) if key is not None else {}
    dialog = RecordDialog("Edit project", rs.PROJECT_COLUMNS, tab._choices(), values, lambda f: {}, window)
    dialog.show()
    _settle(app)
    _grab(dialog, out / f"{prefix}-edit-form.png")
    dialog.close()

    # The cohort views: each chart kind, data quality, the mapping dialog; the report preview.
    window.ui.tabs.setCurrentIndex(1)
    view = window.cohort_tab.profile_view
    end = time.monotonic() + 60
    while view.profile is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    view.outcome_combo.setCurrentIndex(max(view.outcome_combo.findData("preterm_birth"), 0))
    for kind in ("bars", "equiplot", "gradient"):
        view.chart_combo.setCurrentIndex(view.chart_combo.findData(kind))
        _settle(app)
        _grab(window, out / f"{prefix}-cohort-{kind}.png")
    window.cohort_tab.pages.setCurrentIndex(2)
    _settle(app)
    _grab(window, out / f"{prefix}-cohort-quality.png")
    window.cohort_tab.pages.setCurrentIndex(0)
    from lmns_desktop.gui.widgets.mapping_dialog import MappingDialog

    imported = window.cohort_tab.imported
    mapping = MappingDialog(imported.mapping, {s.column: ["…"] for s in imported.mapping}, parent=window)
    mapping.show()
    _settle(app)
    _grab(mapping, out / f"{prefix}-mapping.png")
    mapping.close()
    window.ui.tabs.setCurrentIndex(2)
    end = time.monotonic() + 30
    while window.reports_tab.last_report is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)
    _settle(app)
    _grab(window, out / f"{prefix}-reports-preview.png")
    window.close()
    return 0


def _settle(app) -> None:  # noqa: ANN001
    for _ in range(30):
        app.processEvents()
        time.sleep(0.02)


def _grab(widget, target: Path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    frame = widget.frameGeometry()
    shot = QApplication.primaryScreen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    shot.save(str(target))
    print(target)


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
