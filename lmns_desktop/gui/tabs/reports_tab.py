"""The Reports tab: choose a template and its options, preview it, save PDF/Excel/Word or print.

Building and rendering run in the worker; the tab only gathers options and shows results.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.widgets.date_edit import DateEdit
from lmns_desktop.gui.worker import Job, JobSlot

if TYPE_CHECKING:
    from lmns_desktop.core.register_model import RegisterDocument
    from lmns_desktop.gui.settings import Settings

# Kept here (not imported from reports.templates) so the window opens before pandas loads.
TEMPLATES = (
    ("board", "LMNS board summary", "Register overview for the LMNS board: projects by "
     "sub-workstream, status and RAG, coverage gaps, evidence this period, projects needing "
     "attention and, with a cohort loaded, the headline equity profile."),
    ("project", "Project one-pager", "One page per project: aim, groups served, status, evidence "
     "timeline, SPC chart of each measure, PDSA cycles and next steps."),
    ("cohort", "Cohort equity profile", "Who the cohort is, Core20 and PLUS shares, outcome gaps "
     "by deprivation and ethnicity with confidence intervals, SII/RII, findings and methods."),
)
ALL_PROJECTS = "All projects (one page each)"
FORMATS = (("PDF", ".pdf", "PDF files (*.pdf)"), ("Excel", ".xlsx", "Excel workbooks (*.xlsx)"),
           ("Word", ".docx", "Word documents (*.docx)"))


def _build(request, register, profile, cohort_info, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.reports.build import build_report

    progress(10, "Building the report")
    return build_report(request, register=register, profile=profile, cohort_info=cohort_info)


def _preview(request, register, profile, cohort_info, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.reports.html import render_html

    report = _build(request, register, profile, cohort_info, progress=progress, is_cancelled=is_cancelled)
    progress(60, "Drawing the preview")
    return report, render_html(report, charts=True)


def _save(request, register, profile, cohort_info, out, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.reports.render import save_report

    report = _build(request, register, profile, cohort_info, progress=progress, is_cancelled=is_cancelled)
    progress(50, f"Writing {Path(out).name}")
    return save_report(report, out)


class ReportsTab(QWidget):
    """Template list, options, live preview and the save/print buttons."""

    report_saved = Signal(Path)
    pdf_saved = Signal(Path)  # kept for callers that only care about PDFs
    save_requested = Signal(str)  # the format: "PDF", "Excel" or "Word"
    save_pdf_requested = Signal()
    print_requested = Signal()
    print_preview_requested = Signal()
    failed = Signal(str)
    print_ready = Signal(str, str, bool)  # html, title, whether to show the preview first

    def __init__(self, parent: QWidget | None = None, settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.register: RegisterDocument | None = None
        self.profile: Any = None
        self.cohort_info: dict[str, Any] | None = None
        self.last_report: Any = None
        self.suppression_rule: Any = None  # from the preferences (None: the NHS default)
        self.jobs = JobSlot(self)
        self.preview_jobs = JobSlot(self)
        self._preview_timer = QTimer(self, singleShot=True, interval=400)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._build_ui()
        self._restore_options()
        self._refresh()

    # --- building -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.template_list = QListWidget(self)
        self.template_list.setAccessibleName("Report templates")
        self.template_list.setToolTip("Choose the report to make")
        for key, name, description in TEMPLATES:
            item = QListWidgetItem(name)
            item.setData(256, key)
            item.setToolTip(description)
            self.template_list.addItem(item)
        self.template_list.setMaximumWidth(240)

        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Report title")
        self.title_edit.setPlaceholderText("The template's name")
        self.title_edit.setToolTip("Printed at the top of the report; leave blank for the template's name")
        self.author_edit = QLineEdit(self)
        self.author_edit.setAccessibleName("Report author")
        self.author_edit.setToolTip("Printed on the report and in the file's properties")
        self.period_from = self._date_edit("Start of the reporting period")
        self.period_to = self._date_edit("End of the reporting period")
        self.trust_list = QListWidget(self)
        self.trust_list.setAccessibleName("Trusts to include")
        self.trust_list.setToolTip("Tick the trusts to include; none ticked means all trusts")
        self.trust_list.setMaximumHeight(90)
        self.trust_list.setSpacing(1)  # tick boxes must not touch
        self.project_combo = QComboBox(self)
        self.project_combo.setAccessibleName("Project for the one-pager")
        self.project_combo.setToolTip("The project for the one-pager, or every project")
        self.suppress_check = QCheckBox("Apply disclosure control to cohort figures (recommended)", self)
        self.suppress_check.setChecked(True)
        self.suppress_check.setToolTip("Counts of 1 to 7 are shown as * and others rounded to the nearest 5. "
                                       "Untick only for internal use: every page is then marked "
                                       "'Unsuppressed — internal use only'.")
        self.open_check = QCheckBox("Open the file when it is saved", self)
        self.open_check.setAccessibleName("Open the file when it is saved")

        options = QGroupBox("Options", self)
        form = QFormLayout(options)
        form.addRow("Title:", self.title_edit)
        form.addRow("Author:", self.author_edit)
        period = QHBoxLayout()
        period.addWidget(self.period_from)
        period.addWidget(QLabel("to", self))
        period.addWidget(self.period_to)
        form.addRow("Period:", period)
        form.addRow("Trusts:", self.trust_list)
        form.addRow("Project:", self.project_combo)
        form.addRow("", self.suppress_check)

        self.save_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for name, _suffix, _filter in FORMATS:
            button = QPushButton(f"Save {name}…", self)
            button.setAccessibleName(f"Save {name}")
            button.setToolTip(f"Save the report as a {name} file")
            button.clicked.connect(lambda _=False, n=name: self.save_requested.emit(n))
            buttons.addWidget(button)
            self.save_buttons[name] = button
        self.save_pdf_button = self.save_buttons["PDF"]
        self.print_button = QPushButton("Print…", self)
        self.print_button.setAccessibleName("Print report")
        self.print_button.setToolTip("Print the report (Ctrl+P)")
        self.preview_button = QPushButton("Print preview…", self)
        self.preview_button.setAccessibleName("Print preview")
        self.preview_button.setToolTip("See the pages as they will print, and set up the page")
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Report status")
        self.preview = QTextBrowser(self)
        self.preview.setAccessibleName("Report preview")
        self.preview.setOpenLinks(False)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.description)
        left_layout.addWidget(options)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.open_check)
        left_layout.addWidget(self.status)
        left_layout.addStretch(1)
        split = QSplitter(parent=self)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setSizes([480, 620])
        layout = QHBoxLayout(self)
        layout.addWidget(self.template_list)
        layout.addWidget(split, 1)

        self.template_list.currentRowChanged.connect(self._on_template_changed)
        self.save_requested.connect(lambda n: self.save_pdf_requested.emit() if n == "PDF" else None)
        self.print_button.clicked.connect(self.print_requested)
        self.preview_button.clicked.connect(self.print_preview_requested)
        for signal in (self.title_edit.textChanged, self.author_edit.textChanged,
                       self.period_from.dateChanged, self.period_to.dateChanged,
                       self.trust_list.itemChanged, self.project_combo.currentIndexChanged,
                       self.suppress_check.toggled):
            signal.connect(self._options_changed)

    def _date_edit(self, tip: str) -> DateEdit:
        edit = DateEdit(self)
        edit.setAccessibleName(tip)
        edit.setToolTip(tip)
        return edit

    def _restore_options(self) -> None:
        today = date.today()
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        self.period_from.setDate(QDate(start.year, start.month, start.day))
        self.period_to.setDate(QDate(today.year, today.month, today.day))
        if self.settings is not None:
            self.author_edit.setText(self.settings.report_author)
            self.open_check.setChecked(self.settings.report_open_when_done)
        row = [k for k, _, _ in TEMPLATES].index(self.settings.report_template) if (
            self.settings is not None and self.settings.report_template in [k for k, _, _ in TEMPLATES]) else 0
        self.template_list.setCurrentRow(row)

    # --- state ----------------------------------------------------------------------------
    @property
    def template_key(self) -> str:
        item = self.template_list.currentItem()
        return str(item.data(256)) if item else "board"

    def set_register(self, register: RegisterDocument) -> None:
        self.register = register
        trusts = sorted({str(t) for t in register.projects["Trust"].dropna()})
        from PySide6.QtCore import Qt

        ticked = set(self._ticked_trusts())
        self.trust_list.blockSignals(True)
        self.trust_list.clear()
        for trust in trusts:
            item = QListWidgetItem(trust, self.trust_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if trust in ticked else Qt.CheckState.Unchecked)
        self.trust_list.blockSignals(False)
        current = self.project_combo.currentText()
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        self.project_combo.addItem(ALL_PROJECTS)
        for pid, title in zip(register.projects["ID"].astype(str), register.projects["Title"].astype(str)):
            self.project_combo.addItem(f"{pid} — {title}", pid)
        index = self.project_combo.findText(current)
        self.project_combo.setCurrentIndex(max(index, 0))
        self.project_combo.blockSignals(False)
        self._refresh()

    def _ticked_trusts(self) -> list[str]:
        from PySide6.QtCore import Qt

        items = (self.trust_list.item(i) for i in range(self.trust_list.count()))
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def set_profile(self, profile: Any, cohort_info: dict[str, Any] | None = None) -> None:
        self.profile, self.cohort_info = profile, cohort_info
        self._refresh()

    def request(self) -> Any:
        """The options as a ``reports.build.ReportRequest``."""
        from lmns_desktop.reports.build import ReportRequest

        trusts = self._ticked_trusts()
        project = self.project_combo.currentData() if self.project_combo.currentIndex() > 0 else None
        return ReportRequest(
            kind=self.template_key,
            title=self.title_edit.text().strip(),
            author=self.author_edit.text().strip(),
            period_start=self.period_from.date().toPython(),
            period_end=self.period_to.date().toPython(),
            trusts=trusts,
            project_id=project,
            cohort_name=(self.cohort_info or {}).get("source", ""),
            unsuppressed=not self.suppress_check.isChecked(),
            **({"rule": self.suppression_rule} if self.suppression_rule is not None else {}),
        )

    def _ready(self) -> tuple[bool, str]:
        key = self.template_key
        if key in ("board", "project") and self.register is None:
            return False, "Open a register to make this report (File > Open register)."
        if key == "cohort" and self.profile is None:
            return False, "Import a cohort to make this report (File > Import cohort)."
        return True, ""

    def _on_template_changed(self, row: int) -> None:
        self.description.setText(TEMPLATES[row][2] if 0 <= row < len(TEMPLATES) else "")
        if self.settings is not None and 0 <= row < len(TEMPLATES):
            self.settings.report_template = TEMPLATES[row][0]
        self.project_combo.setEnabled(self.template_key == "project")
        self._refresh()

    def _options_changed(self, *_: Any) -> None:
        if self.settings is not None:
            self.settings.report_author = self.author_edit.text().strip()
        from lmns_desktop.gui.theme import signal_colour

        off = f"color: {signal_colour('error', self)};"
        self.suppress_check.setStyleSheet("" if self.suppress_check.isChecked() else off)
        self._preview_timer.start()

    def _refresh(self) -> None:
        ready, why = self._ready()
        for button in (*self.save_buttons.values(), self.print_button, self.preview_button):
            button.setEnabled(ready)
        self.status.setText(why if not ready else "")
        if ready:
            self._preview_timer.start()
        else:
            self.preview.setHtml(f"<p style='color:#425563'>{why}</p>")

    # --- preview, save ----------------------------------------------------------------------
    def refresh_preview(self) -> None:
        if not self._ready()[0]:
            return
        self.preview_jobs.start(
            Job(_preview, self.request(), self.register, self.profile, self.cohort_info, name="preview"),
            self._on_preview, self._on_preview_failed, label="Preparing the preview…",
        )

    def _on_preview(self, result: tuple[Any, str]) -> None:
        self.last_report, html = result
        self.preview.setHtml(html)

    def _on_preview_failed(self, message: str) -> None:
        from lmns_desktop.gui.theme import signal_colour

        self.preview.setHtml(f"<p style='color:{signal_colour('error', self)}'>{message}</p>")

    def save(self, out: Path) -> Job | None:
        if not self._ready()[0]:
            return None
        return self.jobs.start(
            Job(_save, self.request(), self.register, self.profile, self.cohort_info, Path(out),
                name="save report"),
            self._on_saved, self.failed.emit, label=f"Saving {Path(out).name}…",
        )

    def save_pdf(self, out: Path) -> Job | None:
        return self.save(Path(out).with_suffix(".pdf"))

    def _on_saved(self, path: Path) -> None:
        self.status.setText(f"Saved {path}")
        self.report_saved.emit(Path(path))
        if Path(path).suffix.lower() == ".pdf":
            self.pdf_saved.emit(Path(path))

    def prepare_print(self, preview: bool = False) -> Job | None:
        """Build the report in the worker; ``print_ready`` then carries it to the printer."""
        ready, why = self._ready()
        if not ready:
            self.failed.emit(why)
            return None
        return self.jobs.start(
            Job(_preview, self.request(), self.register, self.profile, self.cohort_info, name="print"),
            lambda result: self.print_ready.emit(result[1], result[0].title, preview),
            self.failed.emit, label="Preparing to print…",
        )
