"""The Register tab: the LMNS register of inclusion-health projects.

A searchable, filterable, sortable project table with an edit form, per-project evidence,
measures (with an SPC chart) and PDSA cycles, a coverage matrix and a problems panel. Every change
goes through ``core.register_model`` as an undoable command; the tab shows, it does not decide.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.theme import inset_spin_box_text
from lmns_desktop.gui.widgets.chart_view import ChartView
from lmns_desktop.gui.widgets.coverage_view import CoverageView
from lmns_desktop.gui.widgets.empty_state import EmptyState
from lmns_desktop.gui.widgets.filter_bar import FilterBar
from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.widgets.problems_view import ProblemsView
from lmns_desktop.gui.worker import Job, JobSlot

if TYPE_CHECKING:
    from lmns_desktop.core.register_model import Edit, RegisterDocument

SHEET_PROJECTS, SHEET_EVIDENCE, SHEET_MEASURES, SHEET_PDSA = "Projects", "Evidence", "Measures", "PDSA"
CHILD_LABELS = {SHEET_EVIDENCE: "evidence item", SHEET_MEASURES: "measure value", SHEET_PDSA: "PDSA cycle"}


def _read_register(path: Path, *, progress, is_cancelled):  # noqa: ANN001, ANN202 - worker thread
    from lmns_desktop.core import file_safety as fs
    from lmns_desktop.core.register_store import read_register

    progress(10, f"Opening {path.name}")
    doc = read_register(path)
    progress(100, "Register opened")
    return OpenResult(doc, fs.check_lock(path), fs.excel_lock_owner(path))


def _save_register(doc, path, overwrite, keep, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core import file_safety as fs
    from lmns_desktop.core.register_store import save_register

    progress(20, f"Saving {Path(path).name if path else 'register'}")
    try:
        return SaveResult(save_register(doc, path, overwrite=overwrite, keep_backups=keep))
    except fs.FileChangedError as exc:
        return SaveResult(None, "changed", str(exc))
    except fs.FileInUseError as exc:
        return SaveResult(None, "in_use", str(exc))


@dataclass
class OpenResult:
    doc: Any
    lock: Any  # someone else's LockInfo, or None
    excel_owner: str | None


@dataclass
class SaveResult:
    """A save either wrote ``path`` or met a conflict the user must decide about."""

    path: Path | None
    conflict: str = ""  # "changed" (someone else saved) or "in_use" (open in Excel)
    message: str = ""


def _journal(journal, snapshot, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    return journal.maybe_write(snapshot)


class ChildPanel(QWidget):
    """A project's rows of one child sheet (evidence, measures or PDSA) with add/edit/delete."""

    add_requested = Signal(str)
    edit_requested = Signal(str, int)
    delete_requested = Signal(str, list)

    def __init__(self, sheet: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        label = CHILD_LABELS[sheet]
        self.table = FrameView(self, accessible_name=f"{sheet} of the selected project")
        self.add_button = QPushButton(f"Add {label}…", self)
        self.edit_button = QPushButton("Edit…", self)
        self.delete_button = QPushButton("Delete", self)
        for button, tip in ((self.add_button, f"Add a {label} to the selected project"),
                            (self.edit_button, f"Edit the selected {label}"),
                            (self.delete_button, f"Delete the selected {label}s")):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        buttons = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        self.trend_button: QPushButton | None = None
        if sheet == SHEET_EVIDENCE:
            self.trend_button = QPushButton("Compare profile snapshots…", self)
            self.trend_button.setToolTip("Line up this project's cohort profile snapshots over time")
            self.trend_button.setEnabled(False)
            buttons.addWidget(self.trend_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.sheet))
        self.edit_button.clicked.connect(self._edit_current)
        self.delete_button.clicked.connect(self._delete_selected)
        self.table.activated.connect(lambda _: self._edit_current())

    def show_rows(self, frame: Any) -> None:
        if self.trend_button is not None:
            from lmns_desktop.core.profiling.snapshot import snapshots_in

            self.snapshots = snapshots_in(list(frame["Summary"])) if "Summary" in frame else []
            self.trend_button.setEnabled(bool(self.snapshots))
        self.table.frame_model.refresh_frame(frame)
        self.table.fit_columns(max_width=260)  # a project's rows are few: size to their text
        if "Project ID" in frame.columns:  # the panel is already about one project
            self.table.setColumnHidden(list(frame.columns).index("Project ID"), True)
        if "Measure" in frame.columns:  # long names repeat down the rows; the picker has them
            column = list(frame.columns).index("Measure")
            self.table.setColumnWidth(column, min(self.table.columnWidth(column),
                                                  self.fontMetrics().averageCharWidth() * 18))
        has = len(frame) > 0
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def selected_keys(self) -> list[int]:
        frame = self.table.frame_model.frame()
        if frame is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return [int(frame.index[self.table.frame_model.source_row(r)]) for r in rows]

    def _edit_current(self) -> None:
        keys = self.selected_keys()
        if keys:
            self.edit_requested.emit(self.sheet, keys[0])

    def _delete_selected(self) -> None:
        keys = self.selected_keys()
        if keys:
            self.delete_requested.emit(self.sheet, keys)


class RegisterTab(QWidget):
    """Shows and edits the open register; emits ``register_changed`` after every change."""

    register_changed = Signal(object)  # after opening and after every edit
    document_opened = Signal(object)  # OpenResult-like: the document and any locks found
    load_failed = Signal(str)
    modified_changed = Signal(bool)
    saved = Signal(Path)
    save_failed = Signal(str)
    save_conflict = Signal(str, str)  # kind ("changed" or "in_use"), message
    message = Signal(str)
    # Next steps offered by the empty state before any register is open.
    open_requested = Signal()
    new_register_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.doc: RegisterDocument | None = None
        self.read_only_source = False
        self._recovered = False
        self._data_dir = data_dir
        self._journal: Any = None
        self.undo_stack = QUndoStack(self)
        self.jobs = JobSlot(self)
        self.journal_jobs = JobSlot(self)
        self.problems: list[Any] = []
        self.keep_backups = 10  # from the preferences
        self._build()
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        self._refresh_timer = QTimer(self, singleShot=True, interval=150)
        self._refresh_timer.timeout.connect(self._apply_filters)
        self.journal_timer = QTimer(self, interval=30_000)
        self.journal_timer.timeout.connect(self.write_recovery)
        self.journal_timer.start()
        self._set_enabled_actions()

    # --- building ----------------------------------------------------------------------
    def install_shortcuts(self) -> None:
        from PySide6.QtCore import Qt

        for action, shortcut in self._shortcuts:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build(self) -> None:
        self._shortcuts: list[tuple[QAction, QKeySequence]] = []
        self.new_action = self._action("&New project…", "Add a project to the register",
                                       QKeySequence("Ctrl+Shift+N"), self.new_project)
        self.edit_action = self._action("&Edit project…", "Edit the selected project (Enter)",
                                        QKeySequence("Ctrl+E"), self.edit_selected_project)
        self.duplicate_action = self._action("D&uplicate project", "Copy the selected project "
                                             "(without its evidence)", QKeySequence("Ctrl+D"),
                                             self.duplicate_selected_project)
        self.delete_action = self._action("&Delete project…", "Delete the selected project and "
                                          "its evidence, measures and PDSA cycles",
                                          QKeySequence(QKeySequence.StandardKey.Delete),
                                          self.delete_selected_project)
        buttons = QHBoxLayout()
        for action in (self.new_action, self.edit_action, self.duplicate_action, self.delete_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            buttons.addWidget(button)
        self.columns_button = QToolButton(self)
        self.columns_button.setText("Columns")
        self.columns_button.setToolTip("Choose which columns the table shows")
        self.columns_button.setAccessibleName("Choose columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self.columns_button)
        self.columns_button.setMenu(self.columns_menu)
        buttons.addWidget(self.columns_button)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search projects (title, lead, trust, groups…)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search projects")
        self.search.setToolTip("Type to show only projects containing this text in any column (Esc clears)")
        self.count_label = QLabel("No register open", self)
        self.count_label.setAccessibleName("Project count")
        buttons.addWidget(self.search, 1)
        buttons.addWidget(self.count_label)

        self.filter_bar = FilterBar(self)
        self.table = FrameView(self, accessible_name="Projects table")
        self.table.setToolTip("Double-click or press Enter to edit a project")
        self.evidence_panel = ChildPanel(SHEET_EVIDENCE, self)
        self.pdsa_panel = ChildPanel(SHEET_PDSA, self)
        self.measures_panel = ChildPanel(SHEET_MEASURES, self)
        self.measure_picker = QComboBox(self)
        self.measure_picker.setAccessibleName("Measure to chart")
        self.measure_picker.setToolTip("Choose the measure to show as an SPC (XmR) chart")
        self.spc_chart = ChartView(self, accessible_name="SPC chart of the selected measure")
        self.spc_summary = QLabel(self)
        self.spc_summary.setWordWrap(True)
        measures_page = QWidget(self)
        measures_layout = QVBoxLayout(measures_page)
        self.baseline_spin = QSpinBox(self)
        self.baseline_spin.setRange(0, 60)
        self.baseline_spin.setSpecialValueText("none")
        inset_spin_box_text(self.baseline_spin)
        self.baseline_spin.setAccessibleName("Fixed baseline points")
        self.baseline_spin.setToolTip("Fix the mean and limits on the first N points (12 to 20 is "
                                      "usual); 'none' uses every point")
        self.recalc_combo = QComboBox(self)
        self.recalc_combo.setAccessibleName("Recalculate limits from")
        self.recalc_combo.setToolTip("Start new limits from this period, e.g. after a change was made")
        self.trend_combo = QComboBox(self)
        self.trend_combo.addItem("7 points", 7)
        self.trend_combo.addItem("6 points", 6)
        self.trend_combo.setAccessibleName("Trend rule length")
        self.trend_combo.setToolTip("How many rising or falling points make a trend")
        picker_row = QHBoxLayout()
        picker_row.addWidget(QLabel("Measure:", measures_page))
        picker_row.addWidget(self.measure_picker, 1)
        for text, widget in (("Baseline:", self.baseline_spin), ("Recalculate from:", self.recalc_combo),
                             ("Trend:", self.trend_combo)):
            label = QLabel(text, measures_page)
            label.setBuddy(widget)
            picker_row.addWidget(label)
            picker_row.addWidget(widget)
        measures_layout.addLayout(picker_row)
        measures_split = QSplitter(parent=measures_page)
        measures_split.addWidget(self.spc_chart)
        measures_split.addWidget(self.measures_panel)
        measures_split.setSizes([620, 480])
        measures_split.setStretchFactor(0, 3)
        self.spc_chart.setMinimumHeight(200)
        measures_layout.addWidget(measures_split, 1)
        measures_layout.addWidget(self.spc_summary)

        self.detail_tabs = QTabWidget(self)
        self.detail_tabs.setAccessibleName("Selected project's details")
        self.detail_tabs.addTab(self.evidence_panel, "Evidence")
        self.detail_tabs.addTab(measures_page, "Measures (SPC)")
        self.detail_tabs.addTab(self.pdsa_panel, "PDSA cycles")
        # Size the details by the page shown, not the tallest (the SPC chart), so the projects
        # table keeps its rows on a 1366x768 laptop at 125-150% scaling.
        self.detail_tabs.currentChanged.connect(self._size_details_by_current_page)
        self._size_details_by_current_page(0)
        self.detail_title = QLabel("Select a project to see its evidence, measures and PDSA cycles.", self)
        self.detail_title.setWordWrap(True)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail_tabs, 1)

        split = QSplitter(parent=self)
        # Qt.Vertical (2) through the property system: importing PySide's Qt namespace costs
        # ~40 ms, which start-up need not pay before the window is on screen.
        split.setProperty("orientation", 2)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setSizes([400, 330])
        projects_page = QWidget(self)
        projects_layout = QVBoxLayout(projects_page)
        projects_layout.setContentsMargins(0, 0, 0, 0)
        projects_layout.addWidget(self.filter_bar)
        projects_layout.addWidget(split, 1)

        self.coverage = CoverageView(self)
        self.problems_view = ProblemsView(self)
        self.pages = QTabWidget(self)
        self.pages.setAccessibleName("Register views")
        self.pages.addTab(projects_page, "Projects")
        self.pages.addTab(self.coverage, "Coverage")
        self.pages.addTab(self.problems_view, "Problems")
        self.pages.setTabToolTip(1, "PLUS groups × sub-workstreams: where are the gaps?")
        self.pages.setTabToolTip(2, "Validation problems, with sheet, row and column")

        self.empty_state = EmptyState(
            "No register open",
            "The register lists your LMNS's inclusion-health projects under Core20PLUS5, with "
            "their evidence and measures. Open your register, start a new one, or look around "
            "the demo register first.", self)
        self.empty_state.add_button("&Open register…", "Open an LMNS register workbook (Ctrl+O)",
                                    self.open_requested.emit, default=True)
        self.empty_state.add_button("&New register", "Start an empty register (Ctrl+N)",
                                    self.new_register_requested.emit)
        self.empty_state.add_button("Explore the &demo", "Open the demo register and cohort "
                                    "(made-up data)", self.demo_requested.emit)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.empty_state)
        self.body.addWidget(self.pages)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.body, 1)

        self.search.textChanged.connect(lambda _: self._refresh_timer.start())
        self.filter_bar.changed.connect(self._apply_filters)
        # "activated" covers double-click and Enter (and single click where the style says so).
        self.table.activated.connect(lambda _: self.edit_selected_project())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_details())
        assert self.evidence_panel.trend_button is not None
        self.evidence_panel.trend_button.clicked.connect(self.show_snapshot_trend)
        for panel in (self.evidence_panel, self.measures_panel, self.pdsa_panel):
            panel.add_requested.connect(self.add_child)
            panel.edit_requested.connect(self.edit_child)
            panel.delete_requested.connect(self.delete_children)
        self.measure_picker.currentIndexChanged.connect(lambda _: self._on_measure_changed())
        for signal in (self.baseline_spin.valueChanged, self.recalc_combo.currentIndexChanged,
                       self.trend_combo.currentIndexChanged):
            signal.connect(lambda *_: self._draw_spc())
        self.coverage.cell_activated.connect(self._on_coverage_cell)
        self.problems_view.problem_activated.connect(self._on_problem)

    def _action(self, text: str, tip: str, shortcut: QKeySequence, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip} ({shortcut.toString()})")
        action.setStatusTip(tip)
        self._shortcuts.append((action, shortcut))  # set by install_shortcuts, after first paint
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # --- state ------------------------------------------------------------------------
    @property
    def register(self) -> RegisterDocument | None:
        return self.doc

    def is_modified(self) -> bool:
        return self.doc is not None and (not self.undo_stack.isClean() or self._recovered)

    def needs_save_as(self) -> bool:
        return self.doc is not None and (self.doc.path is None or self.read_only_source)

    def _set_enabled_actions(self) -> None:
        has_doc = self.doc is not None
        has_row = has_doc and self._current_project_key() is not None
        self.new_action.setEnabled(has_doc)
        self.edit_action.setEnabled(has_row)
        self.duplicate_action.setEnabled(has_row)
        self.delete_action.setEnabled(has_row)
        for panel in (self.evidence_panel, self.measures_panel, self.pdsa_panel):
            panel.add_button.setEnabled(has_row)

    def _size_details_by_current_page(self, index: int) -> None:
        for i in range(self.detail_tabs.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.detail_tabs.widget(i).setSizePolicy(policy, policy)

    # --- loading and saving -------------------------------------------------------------
    def load(self, path: Path, *, read_only_source: bool = False) -> Job:
        """Open a register in the background; ``register_changed`` fires when it is shown."""
        path = Path(path)
        return self.jobs.start(
            Job(_read_register, path, name="open register"),
            lambda result: self._on_opened(result, read_only_source),
            self.load_failed.emit,
            label=f"Opening {path.name}…",
        )

    def _on_opened(self, result: OpenResult, read_only_source: bool) -> None:
        self.set_document(result.doc, read_only_source=read_only_source)
        self.document_opened.emit(result)

    def set_document(self, doc: RegisterDocument, *, read_only_source: bool = False,
                     recovered: bool = False) -> None:
        """Show ``doc`` (opened, imported, new or recovered from a crash)."""
        self.doc = doc
        self.body.setCurrentWidget(self.pages)
        self.read_only_source = read_only_source
        self._recovered = recovered
        self.undo_stack.clear()
        self.table.frame_model.set_frame(doc.projects)
        self._build_columns_menu()
        self.table.fit_columns()
        self._refresh_all()
        if self.table.frame_model.rowCount():
            self.table.setCurrentIndex(self.table.frame_model.index(0, 0))
        self.modified_changed.emit(self.is_modified())
        self.register_changed.emit(doc)

    def close_document(self) -> None:
        """Forget the open register (after the user chose to discard changes)."""
        from lmns_desktop.core import file_safety as fs

        if self.doc is not None and self.doc.path is not None and not self.read_only_source:
            fs.release_lock(self.doc.path)

    def save(self, path: Path | None = None, *, overwrite: bool = False) -> Job | None:
        if self.doc is None:
            return None
        self.setEnabled(False)  # no edits while the file is written
        return self.jobs.start(
            Job(_save_register, self.doc, path, overwrite, self.keep_backups, name="save register"),
            self._on_saved,
            lambda message: self._on_save_failed(message),
            label="Saving the register…",
        )

    def _on_saved(self, result: SaveResult) -> None:
        self.setEnabled(True)
        if result.path is None:
            self.save_conflict.emit(result.conflict, result.message)
            return
        path = result.path
        self.read_only_source = False
        self._recovered = False
        self.undo_stack.setClean()
        if self._journal is not None:
            self._journal.clear(path)
        self.modified_changed.emit(False)
        self.saved.emit(Path(path))

    def _on_save_failed(self, message: str) -> None:
        self.setEnabled(True)
        self.save_failed.emit(message)

    def attach_journal(self, journal: Any) -> None:
        self._journal = journal

    def write_recovery(self) -> None:
        """Journal unsaved edits (a copy, written in the worker) so a crash loses little."""
        if self._journal is None or self.doc is None or not self.is_modified() or self.journal_jobs.busy:
            return
        snapshot = copy.copy(self.doc)
        snapshot.frames = {k: v.copy() for k, v in self.doc.frames.items()}
        snapshot.raw = copy.deepcopy(self.doc.raw)
        snapshot.user_lists = copy.deepcopy(self.doc.user_lists)
        self.journal_jobs.start(Job(_journal, self._journal, snapshot, name="recovery"),
                                lambda _: None, lambda _: None)

    # --- refreshing ---------------------------------------------------------------------
    def _on_clean_changed(self, _clean: bool) -> None:
        self.modified_changed.emit(self.is_modified())

    def _on_index_changed(self, _index: int) -> None:
        self._after_edit()

    def _after_edit(self) -> None:
        self.modified_changed.emit(self.is_modified())
        if self.doc is not None:
            self.register_changed.emit(self.doc)

    def refresh_sheets(self, sheets: tuple[str, ...]) -> None:
        """Called by undo commands after the document changed."""
        if self.doc is None:
            return
        if SHEET_PROJECTS in sheets:
            key = self._current_project_key()
            self.table.frame_model.refresh_frame(self.doc.projects)
            self._apply_filters()
            if key is not None:
                self.select_project(key)
        self._refresh_all(projects=False)

    def _refresh_all(self, projects: bool = True) -> None:
        assert self.doc is not None
        from lmns_desktop.core import coverage
        from lmns_desktop.core.register_validation import validate

        doc = self.doc
        self.filter_bar.set_options({
            "sub_workstreams": doc.list_values("SUB_WORKSTREAMS"),
            "statuses": doc.list_values("PROJECT_STATUSES"),
            "rags": doc.list_values("RAG_RATINGS"),
            "plus_groups": doc.list_values("PLUS_GROUPS"),
            "trusts": doc.list_values("TRUSTS"),
            "leads": sorted({str(v) for v in doc.projects["Lead"].dropna()}),
        })
        if projects:
            self._apply_filters()
        self.problems = validate(doc)
        self.problems_view.set_problems(self.problems)
        self.pages.setTabText(2, f"Problems ({len(self.problems)})" if self.problems else "Problems")
        flags: dict[int, str] = {}
        row_numbers = doc.row_numbers(SHEET_PROJECTS)
        position_of_row = {int(r): i for i, r in enumerate(row_numbers)}
        for problem in self.problems:
            if problem.sheet == SHEET_PROJECTS and problem.row in position_of_row:
                pos = position_of_row[problem.row]
                flags[pos] = (flags[pos] + "\n" if pos in flags else "") + problem.message
        self.table.frame_model.set_row_flags(flags)
        self.coverage.show_coverage(
            coverage.coverage_matrix(doc.projects, doc.list_values("PLUS_GROUPS")),
            coverage.summary_cards(doc),
        )
        self._show_details()
        self._set_enabled_actions()

    def _apply_filters(self) -> None:
        if self.doc is None:
            return
        from lmns_desktop.core.coverage import filter_mask

        projects = self.doc.projects
        arguments = self.filter_bar.mask_arguments()
        text = self.search.text().strip()
        if text or arguments:
            self.table.frame_model.set_row_filter(filter_mask(projects, text=text, **arguments))
        else:
            self.table.frame_model.set_row_filter(None)
        total, shown = len(projects), self.table.frame_model.rowCount()
        self.count_label.setText(
            f"{total:,} projects" if shown == total else f"{shown:,} of {total:,} projects"
        )
        self._set_enabled_actions()

    def _build_columns_menu(self) -> None:
        self.columns_menu.clear()
        model = self.table.frame_model
        for col in range(model.columnCount()):
            name = model.headerData(col, _horizontal())
            action = self.columns_menu.addAction(str(name))
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.toggled.connect(lambda on, c=col: self.table.setColumnHidden(c, not on))

    # --- selection ----------------------------------------------------------------------
    def _current_project_key(self) -> int | None:
        """Row key of the selected project, read from the frame the table shows (which may be
        the one from before an edit), and None if that project no longer exists."""
        index = self.table.currentIndex()
        shown = self.table.frame_model.frame()
        if self.doc is None or shown is None or not index.isValid():
            return None
        key = int(shown.index[self.table.frame_model.source_row(index.row())])
        return key if key in self.doc.projects.index else None

    def current_project_id(self) -> str | None:
        key = self._current_project_key()
        return None if key is None else str(self.doc.projects.at[key, "ID"])  # type: ignore[union-attr]

    def select_project(self, key: int) -> bool:
        if self.doc is None or key not in self.doc.projects.index:
            return False
        pos = int(self.doc.projects.index.get_loc(key))
        row = self.table.frame_model.view_row_of(pos)
        if row is None:
            return False
        self.table.setCurrentIndex(self.table.frame_model.index(row, 0))
        self.table.scrollTo(self.table.currentIndex())
        return True

    def _show_details(self) -> None:
        if self.doc is None:
            return
        key = self._current_project_key()
        if key is None:
            self.detail_title.setText("Select a project to see its evidence, measures and PDSA cycles.")
            empty = self.doc.evidence.iloc[0:0]
            self.evidence_panel.show_rows(empty)
            self.measures_panel.show_rows(self.doc.measures.iloc[0:0])
            self.pdsa_panel.show_rows(self.doc.pdsa.iloc[0:0])
            self.measure_picker.clear()
            self.spc_chart.clear("Select a project with measures to see its SPC chart.")
            self._set_enabled_actions()
            return
        project = self.doc.projects.loc[key]
        pid = str(project["ID"])
        self.detail_title.setText(f"<b>{pid}</b> — {project['Title']}")
        self.evidence_panel.show_rows(self.doc.children(SHEET_EVIDENCE, pid))
        self.pdsa_panel.show_rows(self.doc.children(SHEET_PDSA, pid))
        measures = self.doc.children(SHEET_MEASURES, pid)
        self.measures_panel.show_rows(measures)
        names = sorted({str(m) for m in measures["Measure"].dropna()})
        current = self.measure_picker.currentText()
        self.measure_picker.blockSignals(True)
        self.measure_picker.clear()
        self.measure_picker.addItems(names)
        if current in names:
            self.measure_picker.setCurrentText(current)
        self.measure_picker.blockSignals(False)
        self._on_measure_changed()
        self._set_enabled_actions()

    def _on_measure_changed(self) -> None:
        """A new measure: offer its periods as recalculation points, then draw it."""
        from lmns_desktop.reports.measures import measure_series

        self.recalc_combo.blockSignals(True)
        self.recalc_combo.clear()
        self.recalc_combo.addItem("no recalculation", None)
        pid = self.current_project_id()
        if self.doc is not None and pid and self.measure_picker.currentText():
            series = measure_series(self.doc.children(SHEET_MEASURES, pid), self.measure_picker.currentText())
            for i, period in enumerate(series["Period"]):
                if i > 0:
                    self.recalc_combo.addItem(f"{period:%b %Y}", i)
        self.recalc_combo.blockSignals(False)
        self._draw_spc()

    def _draw_spc(self) -> None:
        if self.doc is None or self._current_project_key() is None:
            return
        name = self.measure_picker.currentText()
        pid = self.current_project_id() or ""
        if not name:
            self.spc_chart.clear("This project has no measures yet. Add measure values to see "
                                 "an SPC chart.")
            self.spc_summary.setText("")
            return
        from lmns_desktop.reports.charts import draw_chart
        from lmns_desktop.reports.measures import measure_chart

        spec, summary = measure_chart(
            self.doc.children(SHEET_MEASURES, pid), name,
            baseline_points=self.baseline_spin.value() or None,
            recalc_from=self.recalc_combo.currentData(),
            trend_length=self.trend_combo.currentData() or 7,
        )
        if spec is None:
            self.spc_chart.clear(summary)
        else:
            self.spc_chart.draw(lambda fig: draw_chart(fig, spec), spec.alt_text)
        self.spc_summary.setText(summary)

    # --- editing ------------------------------------------------------------------------
    def _push(self, text: str, apply: Callable[[], Edit]) -> bool:
        from lmns_desktop.core.errors import UserError
        from lmns_desktop.gui.register_commands import EditCommand

        assert self.doc is not None
        command = EditCommand(text, self.doc, apply, self.refresh_sheets)
        try:
            self.undo_stack.push(command)
        except UserError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def _choices(self) -> dict[str, list[str]]:
        from lmns_desktop.core import register_schema as rs

        assert self.doc is not None
        keys = {c.choices for cols in rs.SHEET_COLUMNS.values() for c in cols if c.choices}
        return {key: self.doc.list_values(key) for key in keys}

    def _ask_record(self, sheet: str, title: str, values: dict[str, Any], key: int | None) -> dict[str, Any] | None:
        from lmns_desktop.core import register_schema as rs
        from lmns_desktop.core.register_validation import validate_row
        from lmns_desktop.gui import dialogs

        doc = self.doc
        assert doc is not None
        return dialogs.edit_record(
            self, title, rs.SHEET_COLUMNS[sheet], self._choices(), values,
            lambda fields: validate_row(sheet, fields, doc, key),
        )

    def _row_values(self, sheet: str, key: int) -> dict[str, Any]:
        assert self.doc is not None
        row = self.doc.frames[sheet].loc[key]
        values = {str(c): row[c] for c in self.doc.frames[sheet].columns}
        for (raw_key, column), raw in self.doc.raw.get(sheet, {}).items():
            if raw_key == key:  # text that did not fit the column's kind is shown as it is
                values[column] = raw
        return values

    def new_project(self) -> None:
        if self.doc is None:
            return
        from lmns_desktop.core import register_model as rm
        from lmns_desktop.core import vocab

        defaults = {"ID": rm.next_project_id(self.doc), "Status": "Idea",
                    "Clinical area": vocab.DEFAULT_CLINICAL_AREA}
        fields = self._ask_record(SHEET_PROJECTS, "New project", defaults, None)
        if fields is None:
            return
        doc = self.doc
        result: dict[str, Edit] = {}

        def apply() -> Edit:
            result["edit"] = rm.add_project(doc, fields)
            return result["edit"]

        if self._push(f"New project {fields.get('ID')}", apply):
            self.select_project(result["edit"].keys[0])  # type: ignore[attr-defined]
            self.message.emit(f"Added project {fields.get('ID')}")

    def edit_selected_project(self) -> None:
        key = self._current_project_key()
        if key is None or self.doc is None:
            return
        from lmns_desktop.core import register_model as rm

        before = self._row_values(SHEET_PROJECTS, key)
        fields = self._ask_record(SHEET_PROJECTS, f"Edit project {before.get('ID')}", before, key)
        if fields is None:
            return
        changes = {k: v for k, v in fields.items() if not _same(before.get(k), v)}
        if not changes:
            return
        doc = self.doc
        if self._push(f"Edit project {fields.get('ID')}", lambda: rm.update_project(doc, key, changes)):
            self.message.emit(f"Saved changes to {fields.get('ID')} (not yet written to the file)")

    def duplicate_selected_project(self) -> None:
        key = self._current_project_key()
        if key is None or self.doc is None:
            return
        from lmns_desktop.core import register_model as rm

        doc = self.doc
        result: dict[str, Edit] = {}

        def apply() -> Edit:
            result["edit"] = rm.duplicate_project(doc, key)
            return result["edit"]

        if self._push("Duplicate project", apply):
            self.select_project(result["edit"].keys[0])  # type: ignore[attr-defined]

    def delete_selected_project(self) -> None:
        key = self._current_project_key()
        if key is None or self.doc is None:
            return
        from lmns_desktop.core import register_model as rm
        from lmns_desktop.gui import dialogs

        pid = str(self.doc.projects.at[key, "ID"])
        children = sum(len(self.doc.children(s, pid)) for s in (SHEET_EVIDENCE, SHEET_MEASURES, SHEET_PDSA))
        question = f"Delete project {pid}, “{self.doc.projects.at[key, 'Title']}”"
        question += f", with its {children} evidence, measure and PDSA rows?" if children else "?"
        if not dialogs.ask_yes_no(self, "Delete project", question + " You can undo this (Ctrl+Z)."):
            return
        doc = self.doc
        if self._push(f"Delete project {pid}", lambda: rm.delete_project(doc, key)):
            self.message.emit(f"Deleted project {pid}")

    def add_child(self, sheet: str) -> None:
        pid = self.current_project_id()
        if pid is None or self.doc is None:
            return
        from lmns_desktop.core import register_model as rm

        values: dict[str, Any] = {"Project ID": pid}
        if sheet == SHEET_EVIDENCE:
            values["ID"] = rm.next_evidence_id(self.doc)
        if sheet == SHEET_PDSA:
            values["Cycle"] = len(self.doc.children(SHEET_PDSA, pid)) + 1
        if sheet == SHEET_MEASURES and self.measure_picker.currentText():
            values["Measure"] = self.measure_picker.currentText()
        fields = self._ask_record(sheet, f"Add {CHILD_LABELS[sheet]} to {pid}", values, None)
        if fields is None:
            return
        doc = self.doc
        add = {SHEET_EVIDENCE: rm.add_evidence, SHEET_MEASURES: rm.add_measure, SHEET_PDSA: rm.add_pdsa}[sheet]
        self._push(f"Add {CHILD_LABELS[sheet]} to {pid}", lambda: add(doc, fields))

    def edit_child(self, sheet: str, key: int) -> None:
        if self.doc is None:
            return
        from lmns_desktop.core import register_model as rm

        before = self._row_values(sheet, key)
        fields = self._ask_record(sheet, f"Edit {CHILD_LABELS[sheet]}", before, key)
        if fields is None:
            return
        changes = {k: v for k, v in fields.items() if not _same(before.get(k), v)}
        if changes:
            doc = self.doc
            self._push(f"Edit {CHILD_LABELS[sheet]}", lambda: rm.update_row(doc, sheet, key, changes))

    def delete_children(self, sheet: str, keys: list[int]) -> None:
        if self.doc is None or not keys:
            return
        from lmns_desktop.core import register_model as rm
        from lmns_desktop.gui import dialogs

        label = CHILD_LABELS[sheet]
        n = len(keys)
        if not dialogs.ask_yes_no(self, f"Delete {label}", f"Delete {n} {label}{'s' if n > 1 else ''}? "
                                  "You can undo this (Ctrl+Z)."):
            return
        doc = self.doc
        self._push(f"Delete {n} {label}{'s' if n > 1 else ''}", lambda: rm.delete_rows(doc, sheet, keys))

    def add_snapshot_evidence(self, project_id: str, snapshot: dict[str, Any]) -> bool:
        """Store a cohort profile snapshot as an "Audit or QI data" evidence row (undoable)."""
        if self.doc is None:
            return False
        from datetime import date

        from lmns_desktop.core import register_model as rm
        from lmns_desktop.core.profiling.snapshot import snapshot_text

        doc = self.doc
        fields = {
            "Project ID": project_id, "Type": "Audit or QI data", "Date": date.today(),
            "Title": f"Cohort profile: {snapshot.get('cohort_name', 'cohort')}",
            "Summary": snapshot_text(snapshot),
        }
        ok = self._push(f"Add profile snapshot to {project_id}", lambda: rm.add_evidence(doc, fields))
        if ok:
            self.message.emit(f"Added the cohort profile to {project_id}'s evidence (save to keep it)")
        return ok

    def show_snapshot_trend(self) -> None:
        """The selected project's profile snapshots side by side, oldest first."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox

        from lmns_desktop.core.profiling import compare_snapshots

        snapshots = getattr(self.evidence_panel, "snapshots", [])
        if not snapshots:
            return
        trend = compare_snapshots(snapshots)
        table = trend.table.set_index("created_at").T.reset_index().rename(columns={"index": "Measure"})
        dialog = QDialog(self)
        dialog.setWindowTitle(f"Profile snapshots of {self.current_project_id()} over time")
        view = FrameView(dialog, accessible_name="Snapshots over time")
        view.frame_model.set_frame(table.astype(str).replace({"nan": "", "None": ""}))
        view.fit_columns()
        notes = QLabel(" ".join(trend.notes) or "Figures are disclosure-controlled aggregates.", dialog)
        notes.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        close.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view, 1)
        layout.addWidget(notes)
        layout.addWidget(close)
        dialog.resize(820, 560)
        dialog.show()
        self.snapshot_dialog = dialog

    # --- navigation from other views ----------------------------------------------------
    def _on_coverage_cell(self, group: str, stream: str) -> None:
        self.search.clear()
        self.filter_bar.clear()
        self.filter_bar.set_value("sub_workstreams", stream)
        if group == "Core20":
            self.filter_bar.set_value("core20", "Yes")
        else:
            self.filter_bar.set_value("plus_groups", group)
        self.pages.setCurrentIndex(0)
        self._apply_filters()

    def _on_problem(self, sheet: str, row: int) -> None:
        if self.doc is None:
            return
        numbers = list(self.doc.row_numbers(sheet))
        if row not in numbers:
            return
        key = int(self.doc.frames[sheet].index[numbers.index(row)])
        if sheet != SHEET_PROJECTS:
            pid = self.doc.frames[sheet].at[key, "Project ID"]
            key = self.doc.find_project(str(pid)) if isinstance(pid, str) else None
            if key is None:
                return
        self.search.clear()
        self.filter_bar.clear()
        self.pages.setCurrentIndex(0)
        self.select_project(key)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key.Key_Escape and (self.search.text() or self.filter_bar.is_active()):
            self.search.clear()
            self.filter_bar.clear()
        else:
            super().keyPressEvent(event)


def _same(a: Any, b: Any) -> bool:
    """Form values equal to what was there (None, NaN and NaT all mean empty)."""
    import pandas as pd

    empty_a = a is None or (not isinstance(a, str) and bool(pd.isna(a)))
    empty_b = b is None or (not isinstance(b, str) and bool(pd.isna(b)))
    if empty_a or empty_b:
        return empty_a and empty_b
    if hasattr(a, "date") and hasattr(b, "year") and not isinstance(b, str):
        a_date = a.date() if hasattr(a, "hour") else a
        b_date = b.date() if hasattr(b, "hour") else b
        return a_date == b_date
    try:
        return bool(a == b) or str(a) == str(b)
    except (TypeError, ValueError):
        return False


def _horizontal():  # noqa: ANN202
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
