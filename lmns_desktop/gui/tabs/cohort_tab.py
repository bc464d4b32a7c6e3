"""The Cohort profiling tab: import a patient-level spreadsheet, check its mapping and quality,
and profile it. Identifiers are masked on screen and never leave memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.widgets.empty_state import EmptyState
from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.widgets.profile_view import ProfileView
from lmns_desktop.gui.worker import Job, JobSlot


@dataclass
class ImportOutcome:
    """The worker's answer: an import, or a password the user must type first."""

    imported: Any = None
    prepared: Any = None
    needs_password: str = ""
    choices: dict[str, list[str]] | None = None  # filter drop-down values, worked out off-screen


def _import(path: Path, sheet: str | None, password: str | None, mapping: Any, data_dir: Path,
            reference_dir: Path | None, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core.cohort.deprivation import load_reference
    from lmns_desktop.core.cohort.pipeline import import_cohort
    from lmns_desktop.core.cohort.readers import PasswordRequired
    from lmns_desktop.core.profiling import prepare_cohort

    reference = load_reference(data_dir / "reference", reference_dir)
    try:
        imported = import_cohort(path, sheet=sheet, password=password, mapping=mapping,
                                 profiles_dir=data_dir / "mapping-profiles", reference=reference,
                                 progress=progress, is_cancelled=is_cancelled)
    except PasswordRequired as exc:
        return ImportOutcome(needs_password=str(exc))
    progress(97, "Preparing the profile")
    prepared = prepare_cohort(imported.frame, extra_dimensions=tuple(
        c for c in imported.grouping_fields if c in imported.frame.columns))
    from lmns_desktop.reports.profile_views import filter_choices

    return ImportOutcome(imported, prepared, choices=filter_choices(imported.frame))


def _import_for_comparison(path: Path, data_dir: Path, reference_dir: Path | None, options: Any,
                           *, progress, is_cancelled):  # noqa: ANN001, ANN202
    """Import and profile a second cohort (e.g. all bookings) to compare the first one with."""
    from lmns_desktop.core.profiling import profile_cohort

    outcome = _import(path, None, None, None, data_dir, reference_dir, progress=progress,
                      is_cancelled=is_cancelled)
    if outcome.needs_password:
        from lmns_desktop.core.errors import UserError

        raise UserError(f"{path.name} is protected by a password; save an unprotected copy to compare with it.")
    return profile_cohort(outcome.prepared, options=options)


class CohortTab(QWidget):
    """Imports in the background and shows the data, its quality and its profile."""

    cohort_loaded = Signal(object)
    profile_ready = Signal(object, object)  # profile, cohort_info for the reports
    snapshot_requested = Signal(object)  # a disclosure-controlled snapshot dict
    load_failed = Signal(str)
    import_requested = Signal()
    compare_requested = Signal()
    password_needed = Signal(Path, str)
    message = Signal(str)
    demo_requested = Signal()  # from the empty state: import the demo cohort

    def __init__(self, parent: QWidget | None = None, *, data_dir: Path | None = None,
                 reference_dir: Path | None = None) -> None:
        super().__init__(parent)
        from lmns_desktop import paths

        self.data_dir = data_dir or paths.user_data_dir()
        self.reference_dir = reference_dir
        self.imported: Any = None
        self.source: Path | None = None
        self._password: str | None = None
        self.jobs = JobSlot(self)

        self.import_button = QPushButton("Import cohort…", self)
        self.import_button.setToolTip("Import a patient-level spreadsheet (Ctrl+I), or drop a file on the window")
        self.import_button.setAccessibleName("Import cohort")
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_combo.setToolTip("The sheet of the workbook to import")
        self.sheet_combo.setEnabled(False)
        self.mapping_button = QPushButton("Check mapping…", self)
        self.mapping_button.setToolTip("See and change which column is which field; save the mapping")
        self.mapping_button.setEnabled(False)
        self.show_ids = QCheckBox("Show identifiers", self)
        self.show_ids.setToolTip("NHS number, date of birth, postcode and pseudo-ID are hidden on "
                                 "screen unless ticked; they are never saved anywhere")
        self.summary = QLabel("No cohort imported. Use Import cohort… or drop a file here.", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Cohort summary")

        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(QLabel("Sheet:", self))
        top.addWidget(self.sheet_combo)
        top.addWidget(self.mapping_button)
        top.addWidget(self.show_ids)
        top.addStretch(1)

        self.table = FrameView(self, accessible_name="Cohort table")
        self.quality = QTextBrowser(self)
        self.quality.setAccessibleName("Data-quality report")
        self.profile_view = ProfileView(self)
        self.pages = QTabWidget(self)
        self.pages.setAccessibleName("Cohort views")
        self.pages.addTab(self.profile_view, "Profile")
        self.pages.addTab(self.table, "Data")
        self.pages.addTab(self.quality, "Data quality")
        self.compare_button = QPushButton("Choose the cohort to compare with…", self)
        self.compare_button.setToolTip("For example the whole booking population, to see whether a "
                                       "project reaches the Core20PLUS groups")
        self.compare_button.setEnabled(False)
        self.compare_statements = QTextBrowser(self)
        self.compare_statements.setAccessibleName("Reach statements")
        self.compare_table = FrameView(self, accessible_name="Comparison of the two cohorts")
        compare_page = QWidget(self)
        compare_layout = QVBoxLayout(compare_page)
        intro = QLabel("Compare this cohort (for example a project's participants) with another "
                       "(for example all bookings): each group's share in both, and the difference "
                       "with its 95% confidence interval.", compare_page)
        intro.setWordWrap(True)
        compare_layout.addWidget(intro)
        compare_layout.addWidget(self.compare_button)
        compare_layout.addWidget(self.compare_statements, 1)
        compare_layout.addWidget(self.compare_table, 2)
        self.pages.addTab(compare_page, "Compare")
        self.compare_button.clicked.connect(self.compare_requested)
        self.comparison: Any = None

        self.empty_state = EmptyState(
            "No cohort imported",
            "Import a patient-level spreadsheet (Excel or CSV) to profile it by deprivation, "
            "ethnicity and PLUS groups. The file is only read: nothing leaves this computer and "
            "NHS numbers, names and postcodes are never saved.", self)
        self.empty_state.add_button("&Import cohort…", "Choose a spreadsheet to import (Ctrl+I), "
                                    "or drop one on the window", self.import_requested.emit,
                                    default=True)
        self.empty_state.add_button("Use the de&mo cohort", "Import the made-up demo cohort of "
                                    "5,000 bookings", self.demo_requested.emit)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.empty_state)
        self.body.addWidget(self.pages)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.body, 1)

        self.import_button.clicked.connect(self.import_requested)
        self.sheet_combo.activated.connect(lambda _: self._reload(sheet=self.sheet_combo.currentText()))
        self.mapping_button.clicked.connect(self.review_mapping)
        self.show_ids.toggled.connect(self._apply_masking)
        self.profile_view.profile_ready.connect(lambda p: self.profile_ready.emit(p, self.cohort_info()))
        self.profile_view.snapshot_requested.connect(self._on_snapshot_requested)

    @property
    def cohort(self) -> Any:
        return None if self.imported is None else self.imported.frame

    # --- importing --------------------------------------------------------------------------
    def load(self, path: Path, *, sheet: str | None = None, password: str | None = None,
             mapping: Any = None) -> Job:
        path = Path(path)
        self._password = password
        return self.jobs.start(
            Job(_import, path, sheet, password, mapping, self.data_dir, self.reference_dir,
                name="import cohort"),
            lambda outcome: self._on_imported(path, outcome),
            self.load_failed.emit,
            label=f"Importing {path.name}…",
        )

    def _reload(self, **changes: Any) -> None:
        if self.source is not None:
            self.load(self.source, password=self._password, **changes)

    def _on_imported(self, path: Path, outcome: ImportOutcome) -> None:
        if outcome.needs_password:
            self.password_needed.emit(path, outcome.needs_password)
            return
        imported = outcome.imported
        self.imported, self.source = imported, path
        self.body.setCurrentWidget(self.pages)
        frame = imported.frame
        self.table.frame_model.set_frame(frame)
        self._apply_masking()
        self.table.fit_columns()
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(imported.source.sheets) or [imported.source.sheet])
        self.sheet_combo.setCurrentText(imported.source.sheet)
        self.sheet_combo.setEnabled(len(imported.source.sheets) > 1)
        self.sheet_combo.blockSignals(False)
        self.mapping_button.setEnabled(True)
        self.compare_button.setEnabled(True)
        lines = imported.quality.summary()
        mapped = sum(1 for s in imported.mapping if s.field)
        unsure = [s.column for s in imported.mapping if s.field and not s.high_confidence]
        head = (f"<b>{path.name}</b> ({imported.source.sheet}): {len(frame):,} rows, "
                f"{mapped} of {len(imported.mapping)} columns mapped")
        if imported.profile:
            head += f" using the saved mapping “{imported.profile}”"
        if unsure:
            from lmns_desktop.gui.theme import signal_colour

            head += (f". <span style='color:{signal_colour('warning', self)}'>Check the mapping of "
                     f"{', '.join(unsure[:4])}.</span>")
        self.summary.setText(head + "<br>" + " ".join(lines[1:]))
        self.quality.setHtml(_quality_html(imported))
        self.profile_view.set_cohort(frame, outcome.prepared, outcome.choices or {})
        self.cohort_loaded.emit(frame)

    def compare_with(self, path: Path) -> Job | None:
        """Import ``path`` as cohort B and compare the current profile (A) with it."""
        if self.profile_view.profile is None or self.source is None:
            return None
        path = Path(path)
        return self.jobs.start(
            Job(_import_for_comparison, path, self.data_dir, self.reference_dir,
                self.profile_view.options, name="compare cohorts"),
            lambda profile_b: self._on_compared(path, profile_b),
            self.load_failed.emit, label=f"Importing {path.name} to compare…",
        )

    def _on_compared(self, path: Path, profile_b: Any) -> None:
        from html import escape

        from lmns_desktop.core.profiling import compare_cohorts
        from lmns_desktop.reports.profile_views import comparison_table

        assert self.source is not None
        comparison = compare_cohorts(self.profile_view.profile, profile_b,
                                     label_a=self.source.stem, label_b=path.stem)
        self.comparison = comparison
        lines = comparison.statements(include_similar=False) or [
            "No group's share differs between the two cohorts by more than chance would explain."]
        self.compare_statements.setHtml("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in lines)
                                        + "</ul>" + "".join(f"<p><small>{escape(n)}</small></p>"
                                                            for n in comparison.notes))
        self.compare_table.frame_model.set_frame(comparison_table(comparison))
        self.compare_table.fit_columns()
        self.pages.setCurrentIndex(3)

    def _apply_masking(self) -> None:
        from lmns_desktop.core import vocab

        frame = self.table.frame_model.frame()
        if frame is None:
            return
        hidden = set() if self.show_ids.isChecked() else {
            c for c in frame.columns if c in vocab.IDENTIFIER_FIELDS}
        self.table.frame_model.set_masked_columns(hidden)

    def review_mapping(self) -> None:
        """Show the mapping dialog; re-import with the user's choices (and save them if named)."""
        if self.imported is None:
            return
        from lmns_desktop.core.cohort.mapping import save_profile
        from lmns_desktop.core.errors import UserError
        from lmns_desktop.gui import dialogs

        result = dialogs.review_mapping(self, self.imported.mapping, self.imported.samples)
        if result is None:
            return
        mapping, name = result
        if name:
            try:
                save_profile(self.data_dir / "mapping-profiles", name, mapping,
                             [s.column for s in self.imported.mapping])
                self.message.emit(f"Saved the mapping “{name}”; it will be used for files with the same columns.")
            except UserError as exc:
                self.load_failed.emit(str(exc))
        self._reload(sheet=self.imported.source.sheet, mapping={c: f for c, f in mapping.items() if f})

    def cohort_info(self) -> dict[str, Any]:
        """What the reports print about the data source (no identifiers, no values)."""
        if self.imported is None:
            return {}
        imp = self.imported
        return {"source": imp.source.file, "sheet": imp.source.sheet, "rows": len(imp.frame),
                "quality": imp.quality.summary(), "mapping": imp.fields_mapped,
                "iod_edition": imp.imd_edition or "IMD decile as given in the file"}

    def _on_snapshot_requested(self, profile: Any) -> None:
        if profile is None or self.imported is None:
            return
        from lmns_desktop.core.profiling import profile_snapshot

        info = self.cohort_info()
        frame = self.imported.frame
        dates = frame["booking_date"].dropna() if "booking_date" in frame.columns else []
        period = (dates.min().date(), dates.max().date()) if len(dates) else None
        snapshot = profile_snapshot(profile, cohort_name=info["source"], date_range=period,
                                    mapping=info["mapping"], iod_edition=info["iod_edition"])
        self.snapshot_requested.emit(snapshot)


def _quality_html(imported: Any) -> str:
    """The quality report as simple HTML (row numbers and counts, never identifiers)."""
    from html import escape

    from lmns_desktop.core import vocab

    q = imported.quality
    parts = ["<h3>Data quality</h3><ul>"]
    parts += [f"<li>{escape(line)}</li>" for line in q.summary()]
    parts.append("</ul>")
    if imported.notes:
        parts.append("<h4>Notes</h4><ul>" + "".join(f"<li>{escape(n)}</li>" for n in imported.notes) + "</ul>")
    parts.append("<h4>Completeness by field</h4><table border='1' cellspacing='0' cellpadding='3'>"
                 "<tr><th>Field</th><th>Column</th><th>Filled</th><th>Problems</th></tr>")
    for name, fq in q.fields.items():
        issues = [*fq.invalid, *fq.warnings]
        if fq.out_of_range is not None:
            issues.append(fq.out_of_range[2])
        text = "; ".join(f"{escape(i.description)} ({i.count:,} rows{_rows(i.rows)})" for i in issues[:3])
        parts.append(f"<tr><td>{escape(vocab.FIELD_LABELS.get(name, name))}</td>"
                     f"<td>{escape(str(fq.column or ''))}</td><td>{fq.completeness:.1f}%</td><td>{text}</td></tr>")
    parts.append("</table>")
    if q.unmapped_ethnicity:
        parts.append("<h4>Ethnicity values that could not be matched to a code</h4><ul>")
        parts += [f"<li>{escape(str(v))}: {c:,} rows</li>" for v, c in list(q.unmapped_ethnicity.items())[:15]]
        parts.append("</ul>")
    if q.excluded_rows:
        parts.append("<h4>Rows left out</h4><ul>")
        parts += [f"<li>Row {r.row}: {escape(r.reason)}</li>" for r in q.excluded_rows[:20]]
        parts.append("</ul>")
    return "".join(parts)


def _rows(rows: tuple[int, ...]) -> str:
    """A few spreadsheet row numbers as examples."""
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:5])
    return f", e.g. row{'s' if len(rows) > 1 else ''} {shown}"
