"""The cohort profile on screen: filters, a dimension/outcome picker, the results table beside a
chart, headline figures, findings and a cross-tab. Recomputes in the worker when a filter changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui.widgets.chart_view import ChartView
from lmns_desktop.gui.widgets.date_edit import EMPTY_DATE, DateEdit
from lmns_desktop.gui.widgets.frame_view import FrameView
from lmns_desktop.gui.worker import Job, JobSlot

ANY = "Any"
CHART_KINDS = (("bars", "Bars with 95% CI"), ("equiplot", "Equity dot plot (all outcomes)"),
               ("gradient", "Deprivation gradient with SII line"))


def _profile(prepared, frame, cohort_filter, options, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core.profiling import findings, profile_cohort

    progress(10, "Profiling the cohort")
    result = cohort_filter.apply(frame, prepared)
    profile = profile_cohort(prepared, options=options, mask=result, progress=progress,
                             is_cancelled=is_cancelled)
    return profile, findings(profile)


def _crosstab(prepared, frame, cohort_filter, rows, columns, *, progress, is_cancelled):  # noqa: ANN001, ANN202
    from lmns_desktop.core.profiling import cross_tab

    mask = cohort_filter.apply(frame, prepared).mask
    return cross_tab(prepared, rows, columns, mask=mask)


class ProfileView(QWidget):
    """Shows one cohort's profile; ``profile_ready`` fires after every recompute."""

    profile_ready = Signal(object)
    snapshot_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame: Any = None
        self.prepared: Any = None
        self.choices: dict[str, list[str]] = {}
        self.options: Any = None  # ProfileOptions from the user's preferences (None: defaults)
        self.profile: Any = None
        self.jobs = JobSlot(self)
        self.crosstab_jobs = JobSlot(self)
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.recompute)

    # --- building -------------------------------------------------------------------------
    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        return combo

    def _date(self, name: str) -> DateEdit:
        edit = DateEdit(self, empty_text="any")
        edit.setAccessibleName(name)
        edit.setToolTip(f"{name} (booking date); 'any' means no limit")
        return edit

    def _build(self) -> None:
        self.date_from = self._date("Booked from")
        self.date_to = self._date("Booked to")
        self.trust_combo = self._combo("Filter by trust", "Profile one trust only")
        self.site_combo = self._combo("Filter by site", "Profile one site only")
        self.field_combo = self._combo("Filter by another field", "Choose any mapped or extra column")
        self.value_combo = self._combo("Value of that field", "Keep rows with this value")
        self.reset_button = QPushButton("Reset filters", self)
        self.reset_button.setToolTip("Profile the whole cohort again")
        filters = QGroupBox("Filters", self)
        grid = QGridLayout(filters)
        grid.addWidget(QLabel("Booked from", self), 0, 0)
        grid.addWidget(self.date_from, 0, 1)
        grid.addWidget(QLabel("to", self), 0, 2)
        grid.addWidget(self.date_to, 0, 3)
        grid.addWidget(QLabel("Trust", self), 0, 4)
        grid.addWidget(self.trust_combo, 0, 5)
        grid.addWidget(QLabel("Site", self), 0, 6)
        grid.addWidget(self.site_combo, 0, 7)
        grid.addWidget(QLabel("Field", self), 1, 0)
        grid.addWidget(self.field_combo, 1, 1, 1, 3)
        grid.addWidget(QLabel("is", self), 1, 4)
        grid.addWidget(self.value_combo, 1, 5, 1, 3)
        grid.addWidget(self.reset_button, 0, 8, 2, 1)

        self.headline = QLabel("Import a cohort to see its profile.", self)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Headline figures")
        self.outcome_combo = self._combo("Show", "What to show: who is in the cohort, or an outcome's rate")
        self.dimension_combo = self._combo("By", "The groups to compare")
        self.chart_combo = self._combo("Chart", "The kind of chart")
        for key, label in CHART_KINDS:
            self.chart_combo.addItem(label, key)
        pickers = QHBoxLayout()
        for label, combo in (("Show:", self.outcome_combo), ("By:", self.dimension_combo),
                             ("Chart:", self.chart_combo)):
            pickers.addWidget(QLabel(label, self))
            pickers.addWidget(combo, 1)

        self.table = FrameView(self, accessible_name="Profile results table")
        self.chart = ChartView(self, accessible_name="Profile chart")
        # 200, not more: at 150% on a 1920x1080 laptop (1280x720 for Qt) the tab has ~565 px,
        # and a taller minimum pushed the chart's legend off the bottom of the window.
        self.chart.setMinimumHeight(200)
        self.copy_table_button = QPushButton("Copy table", self)
        self.copy_table_button.setToolTip("Copy the table to paste into Word, PowerPoint or Excel")
        self.copy_chart_button = QPushButton("Copy chart", self)
        self.copy_chart_button.setToolTip("Copy the chart as a picture")
        self.snapshot_button = QPushButton("Add to project evidence…", self)
        self.snapshot_button.setToolTip("Store these aggregate figures (disclosure-controlled, no "
                                        "patient data) as an 'Audit or QI data' evidence item of a project")
        actions = QHBoxLayout()
        for b in (self.copy_table_button, self.copy_chart_button, self.snapshot_button):
            actions.addWidget(b)
        actions.addStretch(1)

        results_split = QSplitter(parent=self)
        results_split.addWidget(self.table)
        results_split.addWidget(self.chart)
        results_split.setSizes([520, 600])
        results_page = QWidget(self)
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addLayout(pickers)
        results_layout.addWidget(results_split, 1)
        results_layout.addLayout(actions)

        self.findings = QListWidget(self)
        self.findings.setAccessibleName("Findings in plain English")
        self.findings.setWordWrap(True)
        self.row_dim = self._combo("Cross-tab rows", "Groups down the side")
        self.col_dim = self._combo("Cross-tab columns", "Groups across the top")
        self.percent_combo = self._combo("Percentages of", "Row, column or total percentages")
        for label in ("row", "column", "total"):
            self.percent_combo.addItem(f"{label} total", label)
        self.crosstab = FrameView(self, accessible_name="Cross-tab")
        crosstab_page = QWidget(self)
        crosstab_layout = QVBoxLayout(crosstab_page)
        row = QHBoxLayout()
        for label, combo in (("Rows:", self.row_dim), ("Columns:", self.col_dim), ("%:", self.percent_combo)):
            row.addWidget(QLabel(label, self))
            row.addWidget(combo, 1)
        crosstab_layout.addLayout(row)
        crosstab_layout.addWidget(self.crosstab, 1)

        self.inner = QTabWidget(self)
        self.inner.addTab(results_page, "Results")
        self.inner.addTab(self.findings, "Findings")
        self.inner.addTab(crosstab_page, "Cross-tab")
        self.inner.currentChanged.connect(lambda _: self._compute_crosstab())
        layout = QVBoxLayout(self)
        layout.addWidget(filters)
        layout.addWidget(self.headline)
        layout.addWidget(self.inner, 1)

        for signal in (self.date_from.dateChanged, self.date_to.dateChanged,
                       self.trust_combo.currentIndexChanged, self.site_combo.currentIndexChanged,
                       self.value_combo.currentIndexChanged):
            signal.connect(lambda *_: self._timer.start())
        self.field_combo.currentIndexChanged.connect(self._fill_values)
        self.reset_button.clicked.connect(self.reset_filters)
        for combo in (self.outcome_combo, self.dimension_combo, self.chart_combo):
            combo.currentIndexChanged.connect(lambda *_: self._show_results())
        for combo in (self.row_dim, self.col_dim, self.percent_combo):
            combo.currentIndexChanged.connect(lambda *_: self._compute_crosstab())
        self.copy_table_button.clicked.connect(self.copy_table)
        self.copy_chart_button.clicked.connect(self.chart.copy_to_clipboard)
        self.snapshot_button.clicked.connect(lambda: self.snapshot_requested.emit(self.profile))
        self.setEnabled(False)

    # --- data -----------------------------------------------------------------------------
    def set_options(self, options: Any) -> None:
        """Confidence level, reference groups and targets from the preferences; recomputes."""
        self.options = options
        if self.prepared is not None:
            self._timer.start()

    def set_cohort(self, frame: Any, prepared: Any, choices: dict[str, list[str]]) -> None:
        """Show a new cohort; ``choices`` are the filter values (worked out in the worker)."""
        from lmns_desktop.core import vocab

        self.frame, self.prepared, self.choices = frame, prepared, choices
        for combo, column in ((self.trust_combo, "trust"), (self.site_combo, "site")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ANY)
            combo.addItems(choices.get(column, []))
            combo.setEnabled(column in choices)
            combo.blockSignals(False)
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        self.field_combo.addItem(ANY, None)
        for column in choices:
            if column not in ("trust", "site"):
                self.field_combo.addItem(vocab.FIELD_LABELS.get(column, column), column)
        self.field_combo.blockSignals(False)
        self._fill_values()
        self.setEnabled(True)
        self._timer.stop()  # filling the drop-downs queued a recompute; do it once, now
        self.recompute()

    def _fill_values(self) -> None:
        column = self.field_combo.currentData()
        self.value_combo.blockSignals(True)
        self.value_combo.clear()
        self.value_combo.addItem(ANY)
        if column is not None:
            self.value_combo.addItems(self.choices.get(column, []))
        self.value_combo.blockSignals(False)
        self._timer.start()

    def reset_filters(self) -> None:
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(EMPTY_DATE)
            edit.blockSignals(False)
        for combo in (self.trust_combo, self.site_combo, self.field_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._fill_values()

    def current_filter(self) -> Any:
        from lmns_desktop.core.profiling import CohortFilter

        def date_of(edit: DateEdit) -> Any:
            return None if edit.is_empty() else edit.date().toPython()

        values: dict[str, list[Any]] = {}
        column = self.field_combo.currentData()
        if column is not None and self.value_combo.currentIndex() > 0:
            text = self.value_combo.currentText()
            values[column] = [True if text == "Yes" else False if text == "No" else text]
        return CohortFilter(
            date_from=date_of(self.date_from), date_to=date_of(self.date_to),
            trusts=(self.trust_combo.currentText(),) if self.trust_combo.currentIndex() > 0 else (),
            sites=(self.site_combo.currentText(),) if self.site_combo.currentIndex() > 0 else (),
            values=values,
        )

    def recompute(self) -> None:
        if self.prepared is None:
            return
        self.jobs.start(Job(_profile, self.prepared, self.frame, self.current_filter(), self.options,
                            name="profile"),
                        self._on_profiled, self._on_failed, label="Profiling…")

    def _on_failed(self, message: str) -> None:
        self.headline.setText(message)

    def _on_profiled(self, result: tuple[Any, list[str]]) -> None:
        from lmns_desktop.reports import profile_views as pv

        profile, lines = result
        self.profile = profile
        self._refill(self.outcome_combo, pv.outcomes(profile))
        dims = pv.dimensions(profile)
        self._refill(self.dimension_combo, dims, prefer="imd_quintile")
        self._refill(self.row_dim, dims, prefer="imd_quintile")
        self._refill(self.col_dim, dims, prefer="ethnic_group")
        self.headline.setText(self._headline(profile))
        self.findings.clear()
        self.findings.addItems(lines or ["No differences large enough to be sure of were found."])
        self._show_results()
        self._compute_crosstab()
        self.profile_ready.emit(profile)

    def _refill(self, combo: QComboBox, items: list[tuple[str, str]], prefer: str | None = None) -> None:
        current = combo.currentData() or prefer
        combo.blockSignals(True)
        combo.clear()
        for key, label in items:
            combo.addItem(label, key)
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    @staticmethod
    def _headline(profile: Any) -> str:
        core20 = profile.core20
        parts = [f"<b>{profile.n_rows:,}</b> rows profiled"]
        if profile.n_excluded:
            parts[0] += f" ({profile.n_excluded:,} filtered out)"
        if core20.reason is None and core20.denominator:
            parts.append(f"Core20: <b>{core20.percent:.1f}%</b> ({core20.ci_low:.1f}–{core20.ci_high:.1f}) "
                         f"of {core20.denominator:,} with a known IMD decile; national share 20%")
        elif core20.reason:
            parts.append(f"Core20: {core20.reason}")
        coc = profile.continuity.get("all") or next(iter(profile.continuity.values()), None)
        if coc is not None and coc.reason is None:
            parts.append(f"Continuity of carer: <b>{coc.rate:.1f}%</b> (target {coc.target_percent:g}%)")
        return " · ".join(parts)

    def _show_results(self) -> None:
        if self.profile is None or self.dimension_combo.currentData() is None:
            return
        from lmns_desktop.reports import profile_views as pv
        from lmns_desktop.reports.charts import draw_chart

        outcome = self.outcome_combo.currentData() or pv.SHARE
        dimension = self.dimension_combo.currentData()
        if outcome != pv.SHARE and dimension not in self.profile.outcomes[outcome].by_dimension:
            dimension = next(iter(self.profile.outcomes[outcome].by_dimension), dimension)
        table = pv.results_table(self.profile, dimension, outcome)
        self.table.frame_model.set_frame(table)
        self.table.fit_columns()
        kind = self.chart_combo.currentData()
        spec = None
        if kind == "equiplot":
            spec = pv.equiplot(self.profile, dimension)
        elif kind == "gradient":
            spec = pv.gradient_chart(self.profile, outcome,
                                     dimension if dimension in pv.GRADIENT_DIMENSIONS else "imd_quintile")
            if spec is None:
                self.chart.clear("The deprivation gradient needs an outcome and IMD deciles or quintiles.")
                return
        if spec is None:
            spec = pv.bar_chart(self.profile, dimension, outcome)
        self.chart.draw(lambda fig: draw_chart(fig, spec), spec.alt_text)

    def _compute_crosstab(self) -> None:
        if self.inner.currentIndex() != 2:  # only when the Cross-tab page is shown
            return
        rows, cols = self.row_dim.currentData(), self.col_dim.currentData()
        if self.prepared is None or rows is None or cols is None or rows == cols:
            return
        self.crosstab_jobs.start(
            Job(_crosstab, self.prepared, self.frame, self.current_filter(), rows, cols, name="cross-tab"),
            self._on_crosstab, self._on_failed)

    def _on_crosstab(self, crosstab: Any) -> None:
        from lmns_desktop.reports.profile_views import crosstab_table

        self.crosstab.frame_model.set_frame(crosstab_table(crosstab, self.percent_combo.currentData() or "row"))
        self.crosstab.fit_columns()

    # --- clipboard ------------------------------------------------------------------------
    def copy_table(self) -> None:
        """Copy the results table as rich text (Word, PowerPoint) and tab-separated (Excel)."""
        frame = self.table.frame_model.frame()
        if frame is None:
            return
        from html import escape

        model = self.table.frame_model
        rows = [[model.index(r, c).data() or "" for c in range(model.columnCount())]
                for r in range(model.rowCount())]
        headers = [str(c) for c in frame.columns]
        tsv = "\n".join("\t".join(r) for r in [headers, *rows])
        html = ("<table border='1' cellspacing='0' cellpadding='3'><tr>"
                + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>"
                + "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows)
                + "</table>")
        from lmns_desktop.gui.clipboard import copy_rich

        copy_rich(tsv, html)
