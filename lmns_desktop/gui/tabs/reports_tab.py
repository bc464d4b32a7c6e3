"""The Reports tab: choose a template, set its options, save it as PDF or print it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.worker import Job, JobSlot

if TYPE_CHECKING:
    from lmns_desktop.core.register_store import Register

# Kept here (not imported from reports.templates) so the window opens before pandas loads.
TEMPLATES = (
    ("board", "LMNS board summary", "Register overview for the LMNS board: projects by "
     "sub-workstream, status and RAG."),
    ("project", "Project one-pager", "One page per project: aim, groups served, evidence and "
     "measures. (Coming with the register work.)"),
    ("cohort", "Cohort equity profile", "Who the cohort is and how outcomes differ by "
     "deprivation and ethnicity. (Coming with cohort profiling.)"),
)
READY = {"board"}


def build_report(kind: str, register: Register, title: str, author: str):  # noqa: ANN201
    """Build the report content (runs in the worker; imports pandas)."""
    from lmns_desktop.reports import templates

    if kind != "board":
        raise ValueError(kind)
    return templates.board_summary(register, title=title, author=author)


def _save_pdf(kind: str, register: Register, title: str, author: str, out: Path, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.reports.pdf import render_pdf

    progress(10, "Building the report")
    report = build_report(kind, register, title, author)
    progress(50, "Writing the PDF")
    return render_pdf(report, out)


class ReportsTab(QWidget):
    """Lists the report templates; Save PDF works once a register is open."""

    pdf_saved = Signal(Path)
    save_pdf_requested = Signal()
    print_requested = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register: Register | None = None
        self.jobs = JobSlot(self)

        self.template_list = QListWidget(self)
        self.template_list.setAccessibleName("Report templates")
        self.template_list.setToolTip("Choose the report to make")
        for key, name, description in TEMPLATES:
            item = QListWidgetItem(name)
            item.setData(256, key)
            item.setToolTip(description)
            self.template_list.addItem(item)
        self.template_list.setMaximumWidth(300)

        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Report title")
        self.title_edit.setToolTip("Leave blank to use the template's name")
        self.author_edit = QLineEdit(self)
        self.author_edit.setAccessibleName("Report author")
        self.author_edit.setToolTip("Printed in the PDF's properties")
        self.save_pdf_button = QPushButton("Save PDF…", self)
        self.save_pdf_button.setAccessibleName("Save PDF")
        self.save_pdf_button.setToolTip("Save the selected report as an A4 PDF")
        self.print_button = QPushButton("Print…", self)
        self.print_button.setAccessibleName("Print report")
        self.print_button.setToolTip("Print the selected report (Ctrl+P)")
        self.status = QLabel("Open a register to make reports.", self)
        self.status.setWordWrap(True)

        options = QGroupBox("Options", self)
        form = QFormLayout(options)
        form.addRow("Title:", self.title_edit)
        form.addRow("Author:", self.author_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_pdf_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.description)
        right.addWidget(options)
        right.addLayout(buttons)
        right.addWidget(self.status)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.template_list)
        layout.addLayout(right, 1)

        self.template_list.currentRowChanged.connect(self._on_template_changed)
        self.save_pdf_button.clicked.connect(self.save_pdf_requested)
        self.print_button.clicked.connect(self.print_requested)
        self.template_list.setCurrentRow(0)

    @property
    def template_key(self) -> str:
        item = self.template_list.currentItem()
        return str(item.data(256)) if item else "board"

    def set_register(self, register: Register) -> None:
        self.register = register
        self._refresh()

    def _on_template_changed(self, row: int) -> None:
        self.description.setText(TEMPLATES[row][2] if 0 <= row < len(TEMPLATES) else "")
        self._refresh()

    def _refresh(self) -> None:
        ready = self.register is not None and self.template_key in READY
        self.save_pdf_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        if self.register is None:
            self.status.setText("Open a register to make reports.")
        elif self.template_key not in READY:
            self.status.setText("This template is not available yet.")
        else:
            self.status.setText(f"Ready: {len(self.register.projects):,} projects in the register.")

    def report_content(self):  # noqa: ANN201 - used by printing on the GUI thread (small)
        if self.register is None:
            return None
        return build_report(
            self.template_key, self.register, self.title_edit.text().strip(),
            self.author_edit.text().strip(),
        )

    def save_pdf(self, out: Path) -> Job | None:
        if self.register is None:
            return None
        return self.jobs.start(
            Job(
                _save_pdf, self.template_key, self.register, self.title_edit.text().strip(),
                self.author_edit.text().strip(), Path(out), name="save PDF",
            ),
            self._on_saved,
            self.failed.emit,
            label="Saving PDF…",
        )

    def _on_saved(self, path: Path) -> None:
        self.status.setText(f"Saved {path}")
        self.pdf_saved.emit(path)
