"""The Cohort profiling tab driven as a user would: import, mapping, filters, dimensions, charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from lmns_desktop.core import vocab


@pytest.fixture
def cohort_window(make_window, qtbot, demo_files):
    window = make_window()
    window.import_cohort(demo_files[1])
    tab = window.cohort_tab
    qtbot.waitUntil(lambda: tab.imported is not None, timeout=30_000)
    qtbot.waitUntil(lambda: tab.profile_view.profile is not None, timeout=30_000)
    return window


def _column(view, name: str) -> list[str]:
    model = view.frame_model
    col = list(model.frame().columns).index(name)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_import_maps_the_demo_and_masks_identifiers(cohort_window) -> None:
    tab = cohort_window.cohort_tab
    frame = tab.imported.frame
    assert len(frame) == 5000
    assert {"nhs_number", "imd_decile", "ethnic_category", "preterm_birth"} <= set(frame.columns)
    assert "5,000 rows" in tab.summary.text()
    assert set(_column(tab.table, "nhs_number")) == {"••••••"}
    tab.show_ids.setChecked(True)
    assert _column(tab.table, "nhs_number")[0].startswith("999")
    assert "Completeness" in tab.quality.toHtml()


def test_profile_shows_core20_and_a_dimension_table(cohort_window) -> None:
    view = cohort_window.cohort_tab.profile_view
    profile = view.profile
    assert "Core20" in view.headline.text()
    assert f"{profile.core20.percent:.1f}%" in view.headline.text()
    view.outcome_combo.setCurrentIndex(view.outcome_combo.findData("share"))
    view.dimension_combo.setCurrentIndex(view.dimension_combo.findData("ethnic_group"))
    groups = _column(view.table, "Group")
    assert groups[:5] == list(vocab.ETHNIC_GROUPS) and groups[-1] == "Not known"
    counts = [int(x.replace(",", "")) for x in _column(view.table, "n")]
    assert sum(counts) == profile.n_rows


def test_changing_a_filter_recomputes_without_blocking(cohort_window, qtbot) -> None:
    view = cohort_window.cohort_tab.profile_view
    before = view.profile.n_rows
    trust = view.trust_combo.itemText(1)
    frame = cohort_window.cohort_tab.imported.frame
    expected = int((frame["trust"] == trust).sum())
    view.trust_combo.setCurrentIndex(1)
    assert view.isEnabled()  # the window stays usable while the worker recomputes
    qtbot.waitUntil(lambda: view.profile.n_rows == expected, timeout=20_000)
    assert expected < before
    assert "filtered out" in view.headline.text()


def test_choosing_an_outcome_shows_rates_ratios_and_a_gradient(cohort_window, qtbot) -> None:
    view = cohort_window.cohort_tab.profile_view
    view.dimension_combo.setCurrentIndex(view.dimension_combo.findData("imd_quintile"))
    view.outcome_combo.setCurrentIndex(view.outcome_combo.findData("preterm_birth"))
    ratios = _column(view.table, "Ratio")
    assert ratios[4] == "1"  # quintile 5 is the reference
    assert float(ratios[0]) > 1  # the demo's gradient: more preterm births in quintile 1
    view.chart_combo.setCurrentIndex(view.chart_combo.findData("gradient"))
    assert view.chart.figure.axes
    assert "gradient" in view.chart.canvas.accessibleDescription().lower()


def test_copy_table_puts_rich_text_and_tab_separated_on_the_clipboard(cohort_window) -> None:
    view = cohort_window.cohort_tab.profile_view
    view.copy_table()
    data = QApplication.clipboard().mimeData()
    assert data.text().splitlines()[0].startswith("Group\t")
    assert "<table" in data.html()


def test_findings_are_written_in_plain_english(cohort_window) -> None:
    view = cohort_window.cohort_tab.profile_view
    lines = [view.findings.item(i).text() for i in range(view.findings.count())]
    assert any("Core20" in line for line in lines)
    assert any("most deprived" in line for line in lines)


def test_crosstab_of_two_dimensions(cohort_window, qtbot) -> None:
    view = cohort_window.cohort_tab.profile_view
    view.inner.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.crosstab.frame_model.rowCount() > 0, timeout=10_000)
    assert view.crosstab.frame_model.rowCount() == 6  # five quintiles and Not known


def test_reviewing_the_mapping_reimports_and_saves_a_profile(cohort_window, qtbot, monkeypatch, user_data_dir) -> None:
    from lmns_desktop.gui import dialogs

    tab = cohort_window.cohort_tab

    def review(parent, suggestions, samples):
        mapping = {s.column: s.field for s in suggestions}
        mapping["Site"] = None  # the user unmaps a column
        assert "hidden" not in str(samples.get("Age at Booking", ""))
        # examples are the file's own text, not the cleaned values (Y/N, not True/False)
        assert samples["Smoker at Booking"] and set(samples["Smoker at Booking"]) <= {"Y", "N"}
        assert all(v.isdigit() for v in samples["Age at Booking"])
        return mapping, "Demo export"

    monkeypatch.setattr(dialogs, "review_mapping", review)
    tab.mapping_button.click()
    qtbot.waitUntil(lambda: "site" not in tab.imported.frame.columns, timeout=30_000)
    assert "Site" in tab.imported.frame.columns  # kept as a grouping field
    saved = list((user_data_dir / "mapping-profiles").glob("*.json"))
    assert saved and "9993" not in saved[0].read_text()  # names only, never values


def test_dropping_a_file_on_the_window_imports_it(make_window, qtbot, demo_files) -> None:
    window = make_window()
    window.ui.tabs.setCurrentWidget(window.cohort_tab)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(demo_files[1]))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.cohort_tab.imported is not None, timeout=30_000)
    assert window.ui.tabs.currentWidget() is window.cohort_tab


def test_a_bad_file_gives_a_sentence_and_the_app_stays_usable(make_window, qtbot, tmp_path, dialog_answers, demo_files) -> None:
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"")
    window = make_window()
    window.import_cohort(bad)
    qtbot.waitUntil(lambda: bool(dialog_answers.errors), timeout=10_000)
    assert "export.xlsx" in dialog_answers.errors[0][1]
    window.import_cohort(demo_files[1])
    qtbot.waitUntil(lambda: window.cohort_tab.imported is not None, timeout=30_000)


def _protected_cohort(write, path: Path, password: str) -> Path:
    """A small cohort with a password: .xlsx (Agile encryption) or .xls (RC4 CryptoAPI)."""
    rows = [["Pseudo ID", "NHS Number", "Booking Date", "Ethnic Category", "IMD Decile"]]
    rows += [[f"P{i:03d}", f"999{i:07d}", date(2024, 5, 1 + i % 28), "A", 1 + i % 10] for i in range(20)]
    return write(path, rows, password)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_password_protected_workbook_asks_for_the_password(make_window, qtbot, tmp_path, monkeypatch,
                                                             dialog_answers, protected_workbook, suffix) -> None:
    from lmns_desktop.gui import dialogs

    path = _protected_cohort(protected_workbook, tmp_path / f"cohort{suffix}", "open sesame")
    answers = iter(["Open Sesame", "open sesame"])  # a wrong one first: the prompt comes back
    prompts: list[str] = []

    def ask_password(parent, title, message):
        prompts.append(message)
        return next(answers)

    monkeypatch.setattr(dialogs, "ask_password", ask_password)
    window = make_window()
    window.import_cohort(path)
    tab = window.cohort_tab
    qtbot.waitUntil(lambda: tab.imported is not None, timeout=30_000)
    assert len(prompts) == 2
    assert "protected with a password" in prompts[0] and f"cohort{suffix}" in prompts[0]
    assert "not correct" in prompts[1]
    assert len(tab.imported.frame) == 20
    assert any("password-protected" in n for n in tab.imported.notes)
    assert not dialog_answers.errors


def test_profile_snapshot_is_added_to_a_projects_evidence(cohort_window, qtbot, demo_files, monkeypatch) -> None:
    from lmns_desktop.gui import dialogs

    window = cohort_window
    window.open_register(demo_files[0])
    qtbot.waitUntil(lambda: window.register_tab.doc is not None, timeout=20_000)
    monkeypatch.setattr(dialogs, "choose_item", lambda parent, title, label, items: items[2])
    before = len(window.register_tab.doc.children("Evidence", "IH-0003"))
    window.cohort_tab.profile_view.snapshot_button.click()
    rows = window.register_tab.doc.children("Evidence", "IH-0003")
    assert len(rows) == before + 1
    added = rows.iloc[-1]
    assert added["Type"] == "Audit or QI data"
    assert "Core20" in added["Summary"] and "9993" not in added["Summary"]
    assert window.isWindowModified()


def test_reports_tab_gets_the_profile_for_the_cohort_report(cohort_window, qtbot) -> None:
    reports = cohort_window.reports_tab
    reports.template_list.setCurrentRow(2)
    assert reports.save_buttons["PDF"].isEnabled()
    assert isinstance(cohort_window.cohort_tab.cohort, pd.DataFrame)


def test_dropping_a_workbook_on_the_register_tab_opens_it_as_the_register(make_window, qtbot, demo_files) -> None:
    window = make_window()
    window.ui.tabs.setCurrentWidget(window.register_tab)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(demo_files[0]))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: window.register_tab.doc is not None, timeout=20_000)


def test_compare_two_cohorts_shows_shares_differences_and_reach(cohort_window, qtbot, dialog_answers, tmp_path) -> None:
    from lmns_desktop.core import demo_data

    tab = cohort_window.cohort_tab
    everyone = demo_data.write_cohort(tmp_path / "all bookings.xlsx", rows=3000, seed=99)
    dialog_answers.open_path = everyone
    qtbot.mouseClick(tab.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.comparison is not None, timeout=30_000)
    frame = tab.compare_table.frame_model.frame()
    assert {"% demo_cohort", "% all bookings", "Difference (points)", "Reach"} <= set(frame.columns)
    core20 = frame.iloc[0]
    assert core20["Group"] == "Core20"
    assert abs(core20["Difference (points)"] - (core20["% demo_cohort"] - core20["% all bookings"])) < 0.11
    assert tab.pages.currentIndex() == 3 and tab.compare_statements.toPlainText()


def test_a_projects_snapshots_can_be_compared_over_time(cohort_window, qtbot, demo_files, monkeypatch) -> None:
    from lmns_desktop.gui import dialogs

    window = cohort_window
    window.open_register(demo_files[0])
    qtbot.waitUntil(lambda: window.register_tab.doc is not None, timeout=20_000)
    monkeypatch.setattr(dialogs, "choose_item", lambda parent, title, label, items: items[0])
    window.cohort_tab.profile_view.snapshot_button.click()
    view = window.cohort_tab.profile_view
    trust = view.trust_combo.itemText(1)
    view.trust_combo.setCurrentIndex(1)
    frame = window.cohort_tab.imported.frame
    qtbot.waitUntil(lambda: view.profile.n_rows == int((frame["trust"] == trust).sum()), timeout=20_000)
    view.snapshot_button.click()
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    button = tab.evidence_panel.trend_button
    assert button.isEnabled() and len(tab.evidence_panel.snapshots) == 2
    button.click()
    table = tab.snapshot_dialog.findChild(type(tab.table)).frame_model.frame()
    assert table.shape[1] == 3  # the measure names and one column per snapshot
    assert "core20_percent" in set(table["Measure"])
