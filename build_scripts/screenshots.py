"""Screenshots of the real window on the demo data: every tab, the main views and dialogs.

For the README and for reviews at each display scaling (see docs/scaling/README.md). Run under
a real display or Xvfb, with a screen big enough for the scaling, e.g.:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python build_scripts/screenshots.py \\
        /tmp/shots --scale 100
    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 2049x1152x24" \\
        .venv/bin/python build_scripts/screenshots.py docs/scaling --only tabs,dialogs
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python build_scripts/screenshots.py \\
        docs --only readme --no-suffix

Files are named ``{prefix}-{shot}@{scale}.png`` (``window-register@150.png``); the scale comes
from ``--scale`` (which sets QT_SCALE_FACTOR) or from QT_SCALE_FACTOR. Screens for 125%, 150%
and 200%: 1708x960, 2049x1152 and 2732x1536 (all 1366x768 logical pixels). Dialogs are opened
through the window's own actions and buttons, grabbed while they are up, then cancelled.
The PNGs are squeezed with optipng when it is installed. Qt's xcb plugin under Xvfb needs the
libxcb-cursor0, libxcb-icccm4 and libxcb-keysyms1 packages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TABS = ("register", "cohort", "reports")
VIEWS = (
    "register-measures",
    "register-coverage",
    "register-problems",
    "cohort-bars",
    "cohort-equiplot",
    "cohort-gradient",
    "cohort-quality",
    "reports-preview",
)
PREFERENCE_PAGES = ("general", "statistics", "disclosure", "lists")
DIALOGS = (
    "record-dialog",
    "mapping-dialog",
    *(f"preferences-{page}" for page in PREFERENCE_PAGES),
    "help",
    "welcome",
)
#: The shots the README shows (saved with --no-suffix into docs/).
README = ("register", "cohort", "register-measures", "reports-preview", "cohort-gradient")
GROUPS = {
    "tabs": TABS,
    "views": VIEWS,
    "dialogs": DIALOGS,
    "readme": README,
    "all": TABS + VIEWS + DIALOGS,
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default="docs", help="folder for the PNGs")
    parser.add_argument("legacy_prefix", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="window", help="start of every file name")
    parser.add_argument(
        "--scale",
        type=int,
        metavar="PERCENT",
        help="display scaling, e.g. 150 (sets QT_SCALE_FACTOR); default: from QT_SCALE_FACTOR",
    )
    parser.add_argument(
        "--only",
        default="all",
        metavar="NAMES",
        help="comma-separated shots or groups: "
        + ", ".join(f"{k} ({' '.join(v)})" for k, v in GROUPS.items() if k != "all")
        + ", all",
    )
    parser.add_argument(
        "--no-suffix", action="store_true", help="no @scale in the file names (the README's shots)"
    )
    parser.add_argument("--theme", default="light", choices=("light", "dark", "system"))
    parser.add_argument("--no-optimise", action="store_true", help="do not run optipng")
    args = parser.parse_args(argv)
    if args.legacy_prefix:
        args.prefix = args.legacy_prefix
    wanted: list[str] = []
    for name in filter(None, (n.strip() for n in args.only.split(","))):
        for shot in GROUPS.get(name, (name,)):
            if shot not in GROUPS["all"]:
                parser.error(f"unknown shot {shot!r}")
            if shot not in wanted:
                wanted.append(shot)
    args.wanted = wanted
    return args


def scale_percent(args: argparse.Namespace) -> int:
    """The scaling in percent; ``--scale`` also sets QT_SCALE_FACTOR (before Qt starts)."""
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale / 100:g}"
        return args.scale
    return round(float(os.environ.get("QT_SCALE_FACTOR") or 1) * 100)


class Shooter:
    """Drives the real window and saves one PNG per shot."""

    def __init__(
        self, app: Any, window: Any, out: Path, prefix: str, suffix: str, wanted: list[str]
    ) -> None:
        self.app, self.window, self.out = app, window, out
        self.prefix, self.suffix, self.wanted = prefix, suffix, wanted
        self.saved: list[Path] = []

    # --- waiting and grabbing ---------------------------------------------------------------
    def settle(self, seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise RuntimeError(f"Timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.02)

    def grab(self, widget, name: str) -> None:  # noqa: ANN001
        """Save what is on screen where ``widget`` is (so popups and overlaps show as seen)."""
        if name not in self.wanted:
            return
        from PySide6.QtWidgets import QApplication

        self.settle()
        frame = widget.frameGeometry()
        screen = widget.screen() or QApplication.primaryScreen()
        shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        target = self.out / f"{self.prefix}-{name}{self.suffix}.png"
        if not shot.save(str(target)):
            raise RuntimeError(f"Could not save {target}")
        self.saved.append(target)
        print(f"{target} {shot.width()}x{shot.height()}")

    def while_modal(self, trigger: Callable[[], object], on_open: Callable[[object], None]) -> None:
        """Run ``trigger`` (which shows a modal dialog), call ``on_open(dialog)``, then cancel it."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        state: dict[str, object] = {"done": False, "returned": False, "error": None}
        deadline = time.monotonic() + 30

        def poll() -> None:
            if state["returned"]:
                return
            dialog = QApplication.activeModalWidget()
            if dialog is None or not dialog.isVisible():
                if time.monotonic() < deadline:
                    QTimer.singleShot(50, poll)
                return
            try:
                on_open(dialog)
            except Exception as exc:  # noqa: BLE001 - raised again once the dialog is closed
                state["error"] = exc
            finally:
                state["done"] = True
                dialog.reject()

        QTimer.singleShot(0, poll)
        trigger()
        state["returned"] = True
        if state["error"] is not None:
            raise state["error"]  # type: ignore[misc]
        if not state["done"]:
            raise RuntimeError("The dialog did not open")

    def wants(self, *names: str) -> bool:
        return any(n in self.wanted for n in names)

    # --- the shots ----------------------------------------------------------------------------
    def run(self) -> None:
        window = self.window
        tabs = window.ui.tabs
        register, cohort, reports = window.register_tab, window.cohort_tab, window.reports_tab
        self.wait_for(
            lambda: register.register is not None and cohort.cohort is not None, "the demo data"
        )
        view = cohort.profile_view
        self.wait_for(lambda: view.profile is not None, "the cohort profile")

        # Register: the projects, the selected project's measures (SPC), coverage, problems.
        tabs.setCurrentIndex(0)
        register.pages.setCurrentIndex(0)
        register.detail_tabs.setCurrentIndex(0)
        self.grab(window, "register")
        if self.wants("register-measures"):
            register.detail_tabs.setCurrentIndex(1)
            self.grab(window, "register-measures")
            register.detail_tabs.setCurrentIndex(0)
        for index, name in ((1, "register-coverage"), (2, "register-problems")):
            if self.wants(name):
                register.pages.setCurrentIndex(index)
                self.grab(window, name)
        register.pages.setCurrentIndex(0)
        if self.wants("record-dialog"):
            self.while_modal(
                register.edit_action.trigger, lambda dialog: self.grab(dialog, "record-dialog")
            )
        if self.wants("help"):
            window.ui.help_action.trigger()  # F1: the guide at the register's page
            self.wait_for(
                lambda: (
                    getattr(window, "help_browser", None) is not None
                    and window.help_browser.isVisible()
                ),
                "the user guide",
            )
            self.grab(window.help_browser, "help")
            window.help_browser.close()
        if self.wants(*(f"preferences-{page}" for page in PREFERENCE_PAGES)):

            def pages(dialog) -> None:  # noqa: ANN001 - the PreferencesDialog
                for index, page in enumerate(PREFERENCE_PAGES):
                    dialog.tabs.setCurrentIndex(index)
                    self.grab(dialog, f"preferences-{page}")

            self.while_modal(window.preferences_action.trigger, pages)
        if self.wants("welcome"):
            window.show_welcome()
            self.grab(window.welcome, "welcome")
            window.welcome.reject()

        # Cohort profiling: preterm birth by IMD quintile, each chart kind, data quality.
        tabs.setCurrentIndex(1)
        cohort.pages.setCurrentIndex(0)
        view.outcome_combo.setCurrentIndex(max(view.outcome_combo.findData("preterm_birth"), 0))
        view.chart_combo.setCurrentIndex(max(view.chart_combo.findData("bars"), 0))
        self.grab(window, "cohort")
        for kind in ("bars", "equiplot", "gradient"):
            if self.wants(f"cohort-{kind}"):
                view.chart_combo.setCurrentIndex(view.chart_combo.findData(kind))
                self.grab(window, f"cohort-{kind}")
        view.chart_combo.setCurrentIndex(max(view.chart_combo.findData("bars"), 0))
        if self.wants("cohort-quality"):
            cohort.pages.setCurrentIndex(2)
            self.grab(window, "cohort-quality")
            cohort.pages.setCurrentIndex(0)
        if self.wants("mapping-dialog"):
            self.while_modal(
                cohort.mapping_button.click, lambda dialog: self.grab(dialog, "mapping-dialog")
            )

        # Reports: the board summary with its live preview.
        tabs.setCurrentIndex(2)
        self.wait_for(lambda: reports.last_report is not None, "the report preview")
        self.grab(window, "reports")
        self.grab(window, "reports-preview")


def optimise(paths: list[Path]) -> None:
    """Squeeze the PNGs losslessly (they are committed) when optipng is installed."""
    optipng = shutil.which("optipng")
    if optipng is None or not paths:
        if paths:
            print("optipng not found: PNGs left as Qt saved them")
        return
    subprocess.run([optipng, "-quiet", "-o2", "-strip", "all", *map(str, paths)], check=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    percent = scale_percent(args)
    suffix = "" if args.no_suffix else f"@{percent}"
    # A fresh data folder and settings: no saved window size, theme or recent files.
    data_dir = Path(tempfile.mkdtemp(prefix="lmns-shots-"))
    os.environ["LMNS_DATA_DIR"] = str(data_dir)
    from lmns_desktop.gui.app import create_window, make_application
    from lmns_desktop.gui.preferences import save_preferences
    from lmns_desktop.gui.settings import Settings

    app = make_application()
    settings = Settings(data_dir / "settings.ini")
    window = create_window(settings)
    prefs = window.preferences()
    save_preferences(settings.qsettings, replace(prefs, theme=args.theme))
    window.show()
    window.apply_preferences()  # as app.run_gui does: the theme
    window.open_demo()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(app, window, out, args.prefix, suffix, args.wanted)
    try:
        shooter.run()
    finally:
        window.setWindowModified(False)
        window.close()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10_000)
    if not args.no_optimise:
        optimise(shooter.saved)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
