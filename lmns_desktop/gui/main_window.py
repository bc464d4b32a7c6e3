"""The main window: menus, status bar, the three tabs and all the wiring between them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QWidget

import lmns_desktop
from lmns_desktop import paths
from lmns_desktop.gui import dialogs
from lmns_desktop.gui.forms.ui_main_window import Ui_MainWindow
from lmns_desktop.gui.settings import Settings
from lmns_desktop.gui.widgets.progress_panel import ProgressPanel

if TYPE_CHECKING:
    from lmns_desktop.gui.tabs.cohort_tab import CohortTab
    from lmns_desktop.gui.tabs.register_tab import RegisterTab
    from lmns_desktop.gui.tabs.reports_tab import ReportsTab

log = logging.getLogger(__name__)

TAB_TOPICS = ("register", "cohort", "reports")
TAB_TITLES = (
    ("&Register", "Projects in the LMNS register"),
    ("&Cohort profiling", "Import and profile a patient cohort"),
    ("R&eports", "Board summary, project one-pager, cohort profile"),
)
#: Menu shortcuts, installed just after the window is first shown: Qt's first setShortcut costs
#: ~20-50 ms (it builds the shortcut map), which the first paint should not wait for.
SHORTCUTS = {
    "new_action": "Ctrl+N", "open_action": "Ctrl+O", "import_cohort_action": "Ctrl+I",
    "save_action": "Ctrl+S", "save_as_action": "Ctrl+Shift+S", "print_action": "Ctrl+P",
    "quit_action": "Ctrl+Q", "help_action": "F1",
}


class MainWindow(QMainWindow):
    """One window, three tabs. Cross-tab wiring lives here and nowhere else."""

    ready = Signal()
    #: The three tabs exist (just after the first paint, or on first use).
    tabs_ready = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.register_path: Path | None = None
        self.is_demo = False
        self._journal = None  # made on first use: core.file_safety loads pandas
        self._close_after_save = False
        self._locked_path: Path | None = None
        self._tabs: tuple[RegisterTab, CohortTab, ReportsTab] | None = None
        # Empty pages first; the real tabs are built just after the window is first painted
        # (see _build_tabs), so the window appears as fast as a bare Qt window.
        for title, tip in TAB_TITLES:
            index = self.ui.tabs.addTab(QWidget(self.ui.tabs), title)
            self.ui.tabs.setTabToolTip(index, tip)

        from lmns_desktop.gui.widgets.toast import Toast

        self.toast = Toast(self)
        self.progress_panel = ProgressPanel(self)
        self.statusBar().addPermanentWidget(self.progress_panel)
        self.undo_group = QUndoGroup(self)
        undo = self.undo_group.createUndoAction(self, "&Undo")
        redo = self.undo_group.createRedoAction(self, "&Redo")
        self.ui.edit_menu.addAction(undo)
        self.ui.edit_menu.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        self.ui.edit_menu.addSeparator()

        self._add_code_actions()
        self.setAcceptDrops(True)
        self._connect_actions()
        self._restore_state()
        self.ui.tabs.currentChanged.connect(lambda i: setattr(self.settings, "last_tab", i))
        self._update_title()
        self._rebuild_recent_menu()

    # --- the tabs, built once the window is on screen ---------------------------------
    @property
    def register_tab(self) -> RegisterTab:
        return self._built_tabs()[0]

    @property
    def cohort_tab(self) -> CohortTab:
        return self._built_tabs()[1]

    @property
    def reports_tab(self) -> ReportsTab:
        return self._built_tabs()[2]

    def paintEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        super().paintEvent(event)
        if self._tabs is None:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._built_tabs)

    def _built_tabs(self) -> tuple[RegisterTab, CohortTab, ReportsTab]:
        """The three tabs, built on first use (normally just after the first paint)."""
        if self._tabs is None:
            self._tabs = self._build_tabs()
            self.install_shortcuts()
            self.tabs_ready.emit()
        return self._tabs

    def _build_tabs(self) -> tuple[RegisterTab, CohortTab, ReportsTab]:
        from lmns_desktop.gui.tabs.cohort_tab import CohortTab
        from lmns_desktop.gui.tabs.register_tab import RegisterTab
        from lmns_desktop.gui.tabs.reports_tab import ReportsTab

        register, cohort, reports = RegisterTab(self), CohortTab(self), ReportsTab(self, self.settings)
        tabs = self.ui.tabs
        current = tabs.currentIndex()
        tabs.blockSignals(True)  # swapping pages must not count as the user changing tab
        try:
            for index, tab in enumerate((register, cohort, reports)):
                placeholder = tabs.widget(index)
                tabs.removeTab(index)
                tabs.insertTab(index, tab, TAB_TITLES[index][0])
                tabs.setTabToolTip(index, TAB_TITLES[index][1])
                placeholder.deleteLater()
            tabs.setCurrentIndex(current)
        finally:
            tabs.blockSignals(False)
        self._tabs = (register, cohort, reports)
        for tab in self._tabs:
            self.progress_panel.attach(tab.jobs)
        self.undo_group.addStack(register.undo_stack)
        self.undo_group.setActiveStack(register.undo_stack)
        self.ui.edit_menu.insertActions(
            self._preferences_separator,
            [register.new_action, register.edit_action, register.duplicate_action,
             register.delete_action])
        self._wire_tabs()
        self._update_title()
        return self._tabs

    def install_shortcuts(self) -> None:
        """Keyboard shortcuts for the menus and the register (see ``SHORTCUTS``)."""
        if self.ui.help_action.shortcut().toString():
            return
        for name, keys in SHORTCUTS.items():
            getattr(self.ui, name).setShortcut(QKeySequence(keys))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence.StandardKey.Redo])
        self.preferences_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.register_tab.install_shortcuts()

    # --- set-up -------------------------------------------------------------------------
    def _connect_actions(self) -> None:
        ui = self.ui
        ui.new_action.triggered.connect(self._on_new_triggered)
        ui.open_action.triggered.connect(self._on_open_triggered)
        ui.open_demo_action.triggered.connect(self.open_demo)
        ui.import_register_action.triggered.connect(self._on_import_register_triggered)
        ui.import_cohort_action.triggered.connect(self._on_import_cohort_triggered)
        ui.save_action.triggered.connect(self._on_save_triggered)
        ui.save_as_action.triggered.connect(self._on_save_as_triggered)
        ui.print_action.triggered.connect(self._on_print_triggered)
        ui.quit_action.triggered.connect(self.close)
        ui.help_action.triggered.connect(self._on_help_triggered)
        ui.open_log_folder_action.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))
        )
        ui.about_action.triggered.connect(self._on_about_triggered)
        from PySide6.QtGui import QAction

        guide = QAction("&User guide", self)
        guide.setToolTip("The built-in guide: tasks step by step, statistics, glossary")
        guide.triggered.connect(lambda: self.show_help("index"))
        tour = QAction("Take the &tour", self)
        tour.triggered.connect(self.show_tour)
        welcome = QAction("&Welcome page", self)
        welcome.triggered.connect(self.show_welcome)
        for action in (welcome, tour, guide):
            ui.help_menu.insertAction(ui.help_action, action)
        self.preferences_action = QAction("&Preferences…", self)
        self.preferences_action.setToolTip("Backups, disclosure control, confidence level, targets, theme")
        self.preferences_action.triggered.connect(self._on_preferences_triggered)
        self._preferences_separator = ui.edit_menu.addSeparator()
        ui.edit_menu.addAction(self.preferences_action)
        ui.save_action.setEnabled(False)
        ui.save_as_action.setEnabled(False)

    def _wire_tabs(self) -> None:
        self.register_tab.register_changed.connect(self.reports_tab.set_register)
        self.register_tab.document_opened.connect(self._on_register_opened)
        self.register_tab.modified_changed.connect(self._on_modified_changed)
        self.register_tab.saved.connect(self._on_register_saved)
        self.register_tab.save_failed.connect(self._on_save_failed)
        self.register_tab.save_conflict.connect(self._on_save_conflict)
        self.register_tab.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.register_tab.load_failed.connect(lambda m: self._show_error("The register could not be opened", m))
        self.cohort_tab.cohort_loaded.connect(self._on_cohort_loaded)
        self.cohort_tab.profile_ready.connect(self.reports_tab.set_profile)
        self.cohort_tab.password_needed.connect(self._on_password_needed)
        self.cohort_tab.snapshot_requested.connect(self._on_snapshot_requested)
        self.cohort_tab.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.cohort_tab.load_failed.connect(lambda m: self._show_error("The cohort could not be imported", m))
        self.cohort_tab.import_requested.connect(self._on_import_cohort_triggered)
        self.cohort_tab.compare_requested.connect(self._on_compare_requested)
        self.cohort_tab.demo_requested.connect(lambda: self.import_cohort(paths.demo_dir() / "demo_cohort.xlsx"))
        self.register_tab.open_requested.connect(self._on_open_triggered)
        self.register_tab.new_register_requested.connect(self._on_new_triggered)
        self.register_tab.demo_requested.connect(self.open_demo)
        self.reports_tab.save_requested.connect(self._on_save_report_requested)
        self.reports_tab.print_requested.connect(self._on_print_triggered)
        self.reports_tab.print_preview_requested.connect(lambda: self.reports_tab.prepare_print(preview=True))
        self.reports_tab.print_ready.connect(self._on_print_ready)
        self.reports_tab.report_saved.connect(self._on_report_saved)
        self.reports_tab.open_check.toggled.connect(
            lambda on: setattr(self.settings, "report_open_when_done", on))
        self.reports_tab.failed.connect(lambda m: self._show_error("The report could not be made", m))

    def _restore_state(self) -> None:
        if self.settings.window_geometry is not None:
            self.restoreGeometry(self.settings.window_geometry)
        else:  # first start: fit the laptop screen (often 1366x768) with a margin
            screen = self.screen().availableGeometry()
            self.resize(min(1280, int(screen.width() * 0.92)), min(800, int(screen.height() * 0.9)))
            frame = self.frameGeometry()
            frame.moveCenter(screen.center())
            self.move(frame.topLeft())
        if self.settings.window_state is not None:
            self.restoreState(self.settings.window_state)
        last = self.settings.last_tab
        if 0 <= last < self.ui.tabs.count():
            self.ui.tabs.setCurrentIndex(last)

    # --- opening things -----------------------------------------------------------------
    def open_register(self, path: Path, *, demo: bool = False) -> None:
        if not self._may_discard_changes():
            return
        self.register_tab.close_document()
        self.is_demo = demo
        self.register_tab.load(Path(path), read_only_source=demo)

    def import_cohort(self, path: Path) -> None:
        self.cohort_tab.load(Path(path))

    def open_demo(self) -> None:
        demo = paths.demo_dir()
        self.open_register(demo / "demo_register.xlsx", demo=True)
        self.import_cohort(demo / "demo_cohort.xlsx")

    def _on_register_opened(self, result) -> None:  # noqa: ANN001
        register = result.doc
        self.register_path = register.path
        if result.excel_owner:
            self._show_error("The register is open in Excel",
                             f"{register.path.name} is open in Excel by {result.excel_owner}. You can "
                             "look and edit here, but to save you will need them to close it first, "
                             "or save your changes as a copy.")
        elif result.lock is not None and not result.lock.is_stale():
            self._show_error("Someone else is editing this register",
                             f"{result.lock.describe()} If you edit it too, one of you will have to "
                             "save a copy. Ask them to save and close it first if you can.")
        if not self.is_demo and register.path is not None:
            self.settings.add_recent_register(register.path)
            self.settings.last_folder = register.path.parent
            self._rebuild_recent_menu()
        self.ui.save_as_action.setEnabled(True)
        self.ui.save_action.setEnabled(True)
        self._update_title()
        self.statusBar().showMessage(
            f"Opened {register.path.name if register.path else 'register'}: "
            f"{len(register.projects):,} projects", 8000
        )

    def _on_cohort_loaded(self, frame) -> None:  # noqa: ANN001
        source = self.cohort_tab.source
        if source is not None and source.parent != paths.demo_dir():
            self.settings.add_recent_cohort(source)
            self._rebuild_recent_menu()
        self.statusBar().showMessage(f"Imported cohort: {len(frame):,} rows", 8000)

    def _on_compare_requested(self) -> None:
        path = dialogs.open_file(self, "Choose the cohort to compare with", self.settings.last_folder,
                                 dialogs.COHORT_FILTER)
        if path is not None:
            self.cohort_tab.compare_with(path)

    def _on_password_needed(self, path: Path, message: str) -> None:
        password = dialogs.ask_password(self, "Password needed", f"{message}\n\nPassword for {path.name}:")
        if password:  # used in memory for this import only; never stored
            self.cohort_tab.load(path, password=password)

    def _on_snapshot_requested(self, snapshot) -> None:  # noqa: ANN001
        doc = self.register_tab.doc
        if doc is None or doc.projects.empty:
            self._show_error("No register open", "Open the register first, then add the profile "
                             "to a project's evidence.")
            return
        items = [f"{pid} — {title}" for pid, title in zip(doc.projects["ID"].astype(str),
                                                          doc.projects["Title"].astype(str))]
        current = self.register_tab.current_project_id()
        if current:
            items.sort(key=lambda item: not item.startswith(current + " "))
        choice = dialogs.choose_item(self, "Add to project evidence",
                                     "Store this profile (aggregate, disclosure-controlled figures) "
                                     "as evidence of project:", items)
        if choice:
            self.register_tab.add_snapshot_evidence(choice.split(" — ")[0], snapshot)

    def _add_code_actions(self) -> None:
        """File-menu entries built in code: recent cohorts and the deprivation reference."""
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QMenu

        self.recent_cohorts_menu = QMenu("Recent &cohorts", self.ui.file_menu)
        self.ui.file_menu.insertMenu(self.ui.import_register_action, self.recent_cohorts_menu)
        self.reference_action = QAction("Import &deprivation reference file…", self)
        self.reference_action.setToolTip("Import the English IoD file (2019 or 2025) or a postcode "
                                         "to LSOA lookup once, so deciles can be worked out from "
                                         "LSOA codes or postcodes")
        self.reference_action.triggered.connect(self._on_import_reference_triggered)
        self.ui.file_menu.insertAction(self.ui.save_action, self.reference_action)
        self.ui.file_menu.insertSeparator(self.ui.save_action)

    def _on_import_reference_triggered(self) -> None:
        path = dialogs.open_file(self, "Import a deprivation reference file", self.settings.last_folder,
                                 "Reference files (*.xlsx *.csv *.zip);;All files (*)")
        if path is None:
            return
        from lmns_desktop.gui.worker import Job

        def run(p, *, progress, is_cancelled):  # noqa: ANN001, ANN202
            from lmns_desktop.core.cohort.deprivation import import_reference_file

            return import_reference_file(p, paths.user_data_dir() / "reference", progress=progress,
                                         is_cancelled=is_cancelled)

        self.cohort_tab.jobs.start(
            Job(run, path, name="import reference"),
            lambda table: dialogs.show_info(self, "Reference file imported", f"{path.name} was imported "
                                            "and will be used to work out IMD deciles for new cohorts."),
            lambda m: self._show_error("The reference file could not be imported", m),
            label=f"Importing {path.name}…",
        )

    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        path = files[0]
        if self.ui.tabs.currentWidget() is self.register_tab and path.suffix.lower() == ".xlsx":
            self.open_register(path)
        else:
            self.ui.tabs.setCurrentWidget(self.cohort_tab)
            self.import_cohort(path)

    def _update_title(self) -> None:
        name = "LMNS Inclusion Health"
        if self.register_path is not None:
            suffix = " (demo)" if self.is_demo else ""
            name = f"{self.register_path.name}{suffix}[*] — LMNS Inclusion Health"
        elif self._tabs is not None and self.register_tab.doc is not None:
            name = f"Unsaved register[*] — {name}"
        else:
            name += "[*]"
        self.setWindowTitle(name)

    def _rebuild_recent_menu(self) -> None:
        menu = self.ui.recent_menu
        menu.clear()
        recent = self.settings.recent_registers
        for i, path in enumerate(recent, start=1):
            action = menu.addAction(f"&{i} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear list", self._clear_recent)
        else:
            menu.addAction("No recent registers").setEnabled(False)
        cohorts = self.settings.recent_cohorts
        self.recent_cohorts_menu.clear()
        for i, path in enumerate(cohorts, start=1):
            action = self.recent_cohorts_menu.addAction(f"&{i} {path.name}")
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.import_cohort(p))
        if not cohorts:
            self.recent_cohorts_menu.addAction("No recent cohorts").setEnabled(False)

    def _open_recent(self, path: Path) -> None:
        if not path.exists():
            self._show_error("The register could not be opened",
                             f"{path.name} is no longer at {path.parent}. It has been removed from the list.")
            self.settings.remove_recent_register(path)
            self._rebuild_recent_menu()
            return
        self.open_register(path)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_registers()
        self._rebuild_recent_menu()

    # --- menu actions -------------------------------------------------------------------
    def _on_new_triggered(self) -> None:
        target = dialogs.save_file(self, "New register", self.settings.last_folder / "LMNS register.xlsx",
                                   dialogs.EXCEL_FILTER)
        if target is None:
            return
        from lmns_desktop.core.errors import UserError
        from lmns_desktop.core.register_store import write_new_register

        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        try:
            write_new_register(target, {})
        except (OSError, UserError) as exc:
            log.exception("Could not create a register")
            self._show_error("The register could not be created",
                             f"{target.name} could not be written: {exc}. Choose another folder.")
            return
        self.open_register(target)

    def _on_open_triggered(self) -> None:
        path = dialogs.open_file(self, "Open register", self.settings.last_folder, dialogs.EXCEL_FILTER)
        if path is not None:
            self.open_register(path)

    def _on_import_register_triggered(self) -> None:
        path = dialogs.open_file(self, "Import a register from a workbook", self.settings.last_folder,
                                 dialogs.WORKBOOK_FILTER)
        if path is None or not self._may_discard_changes():
            return
        doc, report = dialogs.import_register(self, path)
        if doc is None:
            return
        self.register_tab.close_document()
        self.is_demo = False
        self.register_path = None
        self.register_tab.set_document(doc, recovered=True)  # new and unsaved until saved
        self.ui.save_action.setEnabled(True)
        self.ui.save_as_action.setEnabled(True)
        self._update_title()
        lines = report.summary()
        lines += [p.message for p in report.problems[:15]]
        if len(report.problems) > 15:
            lines.append(f"… and {len(report.problems) - 15} more in the Problems view.")
        lines.append("Save the register (Ctrl+S) to keep it.")
        dialogs.show_info(self, "Register imported", "\n".join(lines))

    def _on_import_cohort_triggered(self) -> None:
        path = dialogs.open_file(self, "Import cohort", self.settings.last_folder, dialogs.COHORT_FILTER)
        if path is not None:
            self.ui.tabs.setCurrentWidget(self.cohort_tab)
            self.import_cohort(path)

    def _on_save_triggered(self) -> None:
        if self.register_tab.doc is None:
            return
        if self.register_tab.needs_save_as():
            self._on_save_as_triggered()
        else:
            self.register_tab.save()

    def _on_save_as_triggered(self) -> None:
        doc = self.register_tab.doc
        if doc is None:
            return
        name = doc.path.name if doc.path is not None else "LMNS register.xlsx"
        if self.is_demo:
            name = "My LMNS register.xlsx"
        target = dialogs.save_file(self, "Save register as", self.settings.last_folder / name,
                                   dialogs.EXCEL_FILTER)
        if target is None:
            self._close_after_save = False
            return
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        self.register_tab.save(target, overwrite=True)

    def _on_register_saved(self, path: Path) -> None:
        self.is_demo = False
        self.register_path = path
        self._locked_path = None
        self.settings.add_recent_register(path)
        self.settings.last_folder = path.parent
        self._rebuild_recent_menu()
        self._update_title()
        self.statusBar().showMessage(f"Saved {path.name} (a backup of the previous version was kept)", 8000)
        self.toast.notify(f"Register saved: {path.name}. The previous version is in the .backups folder.", path)
        if self._close_after_save:
            self.close()

    def _on_save_failed(self, message: str) -> None:
        self._close_after_save = False
        self._show_error("The register was not saved", message)

    def _on_save_conflict(self, kind: str, message: str) -> None:
        if kind == "changed":
            choice = dialogs.choose(
                self, "Someone else changed the register",
                f"{message}\n\nReload discards your changes and opens their version. Save as copy "
                "keeps both. Overwrite replaces their changes with yours.",
                ["Save as copy…", "Reload", "Overwrite"],
            )
            if choice == "Reload" and self.register_path is not None:
                self.register_tab.undo_stack.setClean()
                self.register_tab.load(self.register_path)
            elif choice == "Overwrite":
                self.register_tab.save(overwrite=True)
            elif choice == "Save as copy…":
                self._on_save_as_triggered()
            else:
                self._close_after_save = False
        else:
            choice = dialogs.choose(self, "The register is open elsewhere", message, ["Save as copy…"])
            if choice == "Save as copy…":
                self._on_save_as_triggered()
            else:
                self._close_after_save = False

    def _on_modified_changed(self, modified: bool) -> None:
        self.setWindowModified(modified)
        path = self.register_path
        if modified and path is not None and not self.is_demo and self._locked_path != path:
            from lmns_desktop.core import file_safety as fs

            try:
                fs.acquire_lock(path, override=True)  # the user was warned on opening
                self._locked_path = path
            except OSError:
                log.warning("Could not write the lock file beside the register")

    def _may_discard_changes(self) -> bool:
        """Ask before losing unsaved edits; True when it is fine to go on."""
        if not self.register_tab.is_modified():
            return True
        answer = dialogs.ask_save_discard_cancel(
            self, "Unsaved changes", "The register has unsaved changes. Save them first?"
        )
        if answer == "save":
            self._on_save_triggered()
            return False  # the save runs in the background; the user tries again after it
        return answer == "discard"

    @property
    def journal(self):  # noqa: ANN201 - RecoveryJournal, imported lazily
        if self._journal is None:
            from lmns_desktop.core.file_safety import RecoveryJournal

            self._journal = RecoveryJournal(paths.user_data_dir())
            self.register_tab.attach_journal(self._journal)
        return self._journal

    def offer_recovery(self) -> bool:
        """After a crash: offer the unsaved register the journal kept. True if one was restored."""
        entries = self.journal.entries()
        if not entries:
            return False
        entry = entries[0]
        if not dialogs.ask_yes_no(self, "Recover unsaved changes?",
                                  f"LMNS Inclusion Health closed before saving {entry.describe()}. "
                                  "Recover those changes now? (No discards them.)"):
            self.journal.discard(entry)
            return False
        doc = self.journal.recover(entry)
        self.is_demo = False
        self.register_path = doc.path
        self.register_tab.set_document(doc, recovered=True)
        self.ui.save_action.setEnabled(True)
        self.ui.save_as_action.setEnabled(True)
        self._update_title()
        self.journal.discard(entry)
        self.statusBar().showMessage("Recovered unsaved changes: save them to keep them.", 10000)
        return True

    def _on_save_report_requested(self, format_name: str) -> None:
        from lmns_desktop.gui.tabs.reports_tab import FORMATS

        _, suffix, file_filter = next(f for f in FORMATS if f[0] == format_name)
        key = self.reports_tab.template_key
        suggested = self.settings.last_folder / f"{key}-report{suffix}"
        target = dialogs.save_file(self, f"Save report as {format_name}", suggested, file_filter)
        if target is None:
            return
        if target.suffix.lower() != suffix:
            target = target.with_suffix(suffix)
        self.settings.last_folder = target.parent
        self.reports_tab.save(target)

    def _on_report_saved(self, path: Path) -> None:
        self.statusBar().showMessage(f"Saved {path}", 8000)
        self.toast.notify(f"Report saved: {path.name}", path)
        if self.reports_tab.open_check.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _on_print_triggered(self) -> None:
        self.reports_tab.prepare_print(preview=False)

    def _on_print_ready(self, html: str, title: str, preview: bool) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        document = QTextDocument(self)
        document.setHtml(html)
        if preview:
            dialog = QPrintPreviewDialog(printer, self)
            dialog.setWindowTitle(f"Print preview — {title}")
            dialog.paintRequested.connect(document.print_)
            dialogs.run_dialog(dialog)
            return
        dialog = QPrintDialog(printer, self)
        if dialogs.run_dialog(dialog):
            document.print_(printer)
            self.statusBar().showMessage(f"Sent “{title}” to the printer", 5000)

    def _on_help_triggered(self) -> None:
        """F1: the user guide at the page for the current tab."""
        index = self.ui.tabs.currentIndex()
        self.show_help(TAB_TOPICS[index] if 0 <= index < len(TAB_TOPICS) else "index")

    def show_help(self, topic: str = "index") -> None:
        from lmns_desktop.gui.widgets.help_browser import HelpBrowser

        self.help_browser = HelpBrowser.show_topic(self, topic)

    def show_tour(self) -> None:
        from lmns_desktop.gui.widgets.welcome_page import GuidedTour

        self.tour = GuidedTour(self)
        self.tour.show_tab.connect(self.ui.tabs.setCurrentIndex)
        self.tour.start()

    def show_welcome(self) -> None:
        """The welcome page: starting points for a first-time user (Help > Welcome page)."""
        from PySide6.QtWidgets import QDialog, QVBoxLayout

        from lmns_desktop.gui.widgets.welcome_page import WelcomePage

        dialog = QDialog(self)
        dialog.setWindowTitle("Welcome to LMNS Inclusion Health")
        page = WelcomePage(dialog)
        QVBoxLayout(dialog).addWidget(page)
        for signal, action in (
            (page.explore_demo_requested, self.open_demo),
            (page.open_register_requested, self._on_open_triggered),
            (page.new_register_requested, self._on_new_triggered),
            (page.import_cohort_requested, self._on_import_cohort_triggered),
            (page.tour_requested, self.show_tour),
            (page.guide_requested, self.show_help),
        ):
            signal.connect(dialog.accept)
            signal.connect(action)
        dialog.resize(760, 520)
        dialog.show()
        self.welcome = dialog

    def preferences(self):  # noqa: ANN201 - gui.preferences.Preferences
        from lmns_desktop.gui.preferences import load_preferences

        return load_preferences(self.settings.qsettings)

    def _on_preferences_triggered(self) -> None:
        from lmns_desktop.gui.preferences import save_preferences
        from lmns_desktop.gui.widgets.preferences_dialog import edit_preferences

        changed = edit_preferences(self, self.preferences(), default_data_folder=paths.user_data_dir())
        if changed is None:
            return
        save_preferences(self.settings.qsettings, changed)
        self.apply_preferences(changed)
        self.statusBar().showMessage("Preferences saved", 5000)

    def apply_preferences(self, prefs=None) -> None:  # noqa: ANN001
        """Theme, statistics options and disclosure rule from the user's preferences."""
        from PySide6.QtWidgets import QApplication

        from lmns_desktop.gui.theme import apply_theme

        prefs = prefs or self.preferences()
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, prefs.theme)
        self.cohort_tab.profile_view.set_options(prefs.to_profile_options())
        self.reports_tab.suppression_rule = prefs.to_suppression_rule()
        self.register_tab.keep_backups = prefs.backups_kept

    def _on_about_triggered(self) -> None:
        dialogs.show_info(
            self,
            "About LMNS Inclusion Health",
            f"LMNS Inclusion Health Desktop {lmns_desktop.__version__}\n\n"
            "A register of Core20PLUS5 inclusion-health projects, cohort equity profiling and "
            "board reports for Local Maternity and Neonatal Systems.\n\n"
            "Works offline: no data leaves this computer.\n"
            f"Settings: {self.settings.path}\nLogs: {paths.log_dir()}",
        )

    def _show_error(self, title: str, message: str) -> None:
        self.statusBar().showMessage(title, 8000)
        dialogs.show_error(self, title, message)

    # --- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.register_tab.is_modified() and not self._close_after_save:
            answer = dialogs.ask_save_discard_cancel(
                self, "Unsaved changes", "The register has unsaved changes. Save them before closing?"
            )
            if answer == "cancel":
                event.ignore()
                return
            if answer == "save":
                self._close_after_save = True
                self._on_save_triggered()
                event.ignore()  # closes again once the save has finished
                return
        if self._close_after_save and self.register_tab.is_modified():
            event.ignore()
            return
        self.register_tab.close_document()
        if self._journal is not None:
            self._journal.clear(self.register_path)
        for slot in (self.register_tab.jobs, self.cohort_tab.jobs, self.reports_tab.jobs):
            slot.cancel()
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.last_tab = self.ui.tabs.currentIndex()
        self.settings.sync()
        event.accept()
