"""The Register tab driven as a user would: create, edit, undo, save, reopen, coverage, problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget

from lmns_desktop.core import register_model as rm
from lmns_desktop.core import vocab
from lmns_desktop.core.register_store import read_register, save_register
from lmns_desktop.gui.widgets.record_dialog import RecordDialog


@pytest.fixture
def register_copy(demo_files, tmp_path) -> Path:
    target = tmp_path / "LMNS register.xlsx"
    shutil.copy(demo_files[0], target)
    return target


@pytest.fixture
def window(make_window, qtbot, register_copy):
    w = make_window()
    w.open_register(register_copy)
    qtbot.waitUntil(lambda: w.register_tab.doc is not None, timeout=20_000)
    return w


def _type(qtbot, dialog: RecordDialog, header: str, text: str) -> None:
    editor = dialog.form.editors[header]
    assert isinstance(editor, QLineEdit)
    editor.clear()
    qtbot.keyClicks(editor, text)


def _pick(dialog: RecordDialog, header: str, text: str) -> None:
    combo = dialog.form.editors[header]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText(text))


def _titles(tab) -> list[str]:
    model = tab.table.frame_model
    col = list(tab.doc.projects.columns).index("Title")
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_the_form_refuses_a_project_without_title_and_says_why(qtbot) -> None:
    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.core.register_validation import validate_row

    choices = {"SUB_WORKSTREAMS": list(vocab.SUB_WORKSTREAMS), "PROJECT_STATUSES": list(vocab.PROJECT_STATUSES)}
    dialog = RecordDialog("New project", rs.PROJECT_COLUMNS, choices, {"ID": "IH-0100"},
                          lambda f: validate_row("Projects", f))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.result() != RecordDialog.DialogCode.Accepted
    assert dialog.form.error_labels["Title"].isVisible()
    assert "title" in dialog.form.error_labels["Title"].text().lower()
    _type(qtbot, dialog, "Title", "Doula support")
    _pick(dialog, "Sub-workstream", "Culture")
    _pick(dialog, "Status", "Active")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.result() == RecordDialog.DialogCode.Accepted
    assert dialog.values()["Title"] == "Doula support"


def test_create_a_project_through_the_form_then_undo_and_redo(window, qtbot, dialog_answers) -> None:
    tab = window.register_tab
    before = len(tab.doc.projects)

    def fill(dialog: RecordDialog) -> bool:
        _type(qtbot, dialog, "Title", "Peer support for Roma mothers")
        _pick(dialog, "Sub-workstream", "Service user experience")
        _pick(dialog, "Status", "Planning")
        groups: QListWidget = dialog.form.editors["PLUS groups"]
        groups.findItems("Gypsy, Roma and Traveller communities", Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Checked)
        return True

    dialog_answers.fill_form = fill
    tab.new_action.trigger()
    assert len(tab.doc.projects) == before + 1
    assert "Peer support for Roma mothers" in _titles(tab)
    assert window.isWindowModified()
    assert tab.current_project_id() == f"IH-{before + 1:04d}"
    window.undo_action.trigger()
    assert len(tab.doc.projects) == before
    assert "Peer support for Roma mothers" not in _titles(tab)
    window.redo_action.trigger()
    assert "Peer support for Roma mothers" in _titles(tab)


def test_edit_save_and_reopen_keeps_the_change(window, qtbot, dialog_answers, register_copy, make_window) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0003"))

    def fill(dialog: RecordDialog) -> bool:
        _type(qtbot, dialog, "Title", "Doula partnership (renamed)")
        return True

    dialog_answers.fill_form = fill
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # Enter opens the form, as a double-click does
    assert tab.doc.projects.at[tab.doc.find_project("IH-0003"), "Title"] == "Doula partnership (renamed)"
    with qtbot.waitSignal(tab.saved, timeout=20_000):
        window.ui.save_action.trigger()
    assert not window.isWindowModified()
    assert list((register_copy.parent / ".backups").glob("*.xlsx"))  # a backup was kept
    reopened = read_register(register_copy)
    assert reopened.projects.at[reopened.find_project("IH-0003"), "Title"] == "Doula partnership (renamed)"
    other = make_window()
    other.open_register(register_copy)
    qtbot.waitUntil(lambda: other.register_tab.doc is not None, timeout=20_000)
    assert "Doula partnership (renamed)" in _titles(other.register_tab)


def test_delete_asks_first_and_can_be_undone(window, qtbot, dialog_answers) -> None:
    tab = window.register_tab
    key = tab.doc.find_project("IH-0005")
    tab.select_project(key)
    evidence_before = len(tab.doc.evidence)
    dialog_answers.yes_no = False
    tab.delete_action.trigger()
    assert tab.doc.find_project("IH-0005") is not None
    assert "IH-0005" in dialog_answers.questions[-1]
    dialog_answers.yes_no = True
    tab.delete_action.trigger()
    assert tab.doc.find_project("IH-0005") is None
    assert len(tab.doc.evidence) < evidence_before  # its evidence went with it
    tab.undo_stack.undo()
    assert tab.doc.find_project("IH-0005") is not None
    assert len(tab.doc.evidence) == evidence_before


def test_add_evidence_to_the_selected_project(window, qtbot, dialog_answers) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0002"))
    shown_before = tab.evidence_panel.table.frame_model.rowCount()

    def fill(dialog: RecordDialog) -> bool:
        _pick(dialog, "Type", "Inclusion health outreach event")
        dialog.form.editors["Date"].setDate(dialog.form.editors["Date"].date().currentDate())
        _type(qtbot, dialog, "Title", "Drop-in at the food bank")
        return True

    dialog_answers.fill_form = fill
    qtbot.mouseClick(tab.evidence_panel.add_button, Qt.MouseButton.LeftButton)
    assert tab.evidence_panel.table.frame_model.rowCount() == shown_before + 1
    assert (tab.doc.children("Evidence", "IH-0002")["Title"] == "Drop-in at the food bank").any()


def test_filters_and_search_combine(window, qtbot) -> None:
    tab = window.register_tab
    combo = tab.filter_bar.combos["sub_workstreams"]
    combo.setCurrentIndex(combo.findText("Culture"))
    expected = (tab.doc.projects["Sub-workstream"] == "Culture").sum()
    assert tab.table.frame_model.rowCount() == expected
    qtbot.keyClicks(tab.search, "outreach")
    qtbot.waitUntil(lambda: tab.table.frame_model.rowCount() < expected, timeout=2000)
    assert "of 48 projects" in tab.count_label.text()
    qtbot.keyClick(tab, Qt.Key.Key_Escape)
    assert tab.table.frame_model.rowCount() == len(tab.doc.projects)


def test_clicking_a_coverage_cell_filters_the_projects(window, qtbot) -> None:
    tab = window.register_tab
    tab.pages.setCurrentWidget(tab.coverage)
    matrix = tab.coverage.matrix
    row = [matrix.verticalHeaderItem(r).text() for r in range(matrix.rowCount())].index(vocab.PLUS_GROUPS[0])
    count = int(matrix.item(row, 0).text()) if matrix.item(row, 0).text() != "gap" else 0
    rect = matrix.visualItemRect(matrix.item(row, 0))
    qtbot.mouseClick(matrix.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.pages.currentIndex() == 0
    model = tab.table.frame_model
    shown = model.rowCount()
    statuses = [tab.doc.projects.iloc[model.source_row(r)]["Status"] for r in range(shown)]
    active = sum(s in vocab.ACTIVE_STATUSES for s in statuses)
    assert active == count
    assert all(vocab.PLUS_GROUPS[0] in tab.doc.projects.iloc[model.source_row(r)]["PLUS groups"] for r in range(shown))


def test_gaps_are_marked_with_text_not_only_colour(window) -> None:
    matrix = window.register_tab.coverage.matrix
    texts = {matrix.item(r, c).text() for r in range(matrix.rowCount()) for c in range(matrix.columnCount())}
    assert "gap" in texts


def test_problems_panel_lists_problems_and_jumps_to_the_row(make_window, qtbot, tmp_path) -> None:
    doc = read_register(Path(__file__).resolve().parents[2] / "lmns_desktop/resources/demo/demo_register.xlsx")
    key = doc.find_project("IH-0007")
    rm.update_project(doc, key, {"Target end date": doc.projects.at[key, "Start date"] - __import__("pandas").Timedelta(days=30)})
    path = save_register(doc, tmp_path / "with problems.xlsx")
    window = make_window()
    window.open_register(path)
    qtbot.waitUntil(lambda: window.register_tab.doc is not None, timeout=20_000)
    tab = window.register_tab
    assert tab.pages.tabText(2).startswith("Problems (")
    messages = [tab.problems_view.list.item(i).text() for i in range(tab.problems_view.list.count())]
    hit = next(i for i, m in enumerate(messages) if "before" in m and "start date" in m)
    assert "Projects row" in messages[hit]
    item = tab.problems_view.list.item(hit)
    tab.problems_view.list.itemActivated.emit(item)
    assert tab.current_project_id() == "IH-0007"


def test_spc_chart_is_drawn_for_a_project_with_measures(window, qtbot) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    tab.detail_tabs.setCurrentIndex(1)
    assert tab.measure_picker.count() >= 1
    assert "points" in tab.spc_summary.text()
    assert tab.spc_chart.figure is not None and tab.spc_chart.figure.axes


def test_someone_elses_save_is_detected_and_overwrite_needs_a_choice(window, qtbot, dialog_answers, register_copy) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    dialog_answers.fill_form = lambda d: (_type(qtbot, d, "Lead", "Z. Mine"), True)[1]
    tab.edit_action.trigger()
    theirs = read_register(register_copy)
    rm.update_project(theirs, theirs.find_project("IH-0002"), {"Lead": "Y. Theirs"})
    save_register(theirs)
    dialog_answers.choice = None  # the user closes the question: nothing is written
    with qtbot.waitSignal(tab.save_conflict, timeout=20_000):
        window.ui.save_action.trigger()
    on_disk = read_register(register_copy)
    assert on_disk.projects.at[on_disk.find_project("IH-0002"), "Lead"] == "Y. Theirs"
    assert window.isWindowModified()
    dialog_answers.choice = "Overwrite"
    with qtbot.waitSignal(tab.saved, timeout=20_000):
        window.ui.save_action.trigger()
    saved = read_register(register_copy)
    assert saved.projects.at[saved.find_project("IH-0001"), "Lead"] == "Z. Mine"


def test_closing_with_unsaved_changes_asks(window, qtbot, dialog_answers) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    tab.duplicate_action.trigger()
    dialog_answers.save_discard_cancel = "cancel"
    assert not window.close()
    dialog_answers.save_discard_cancel = "discard"
    assert window.close()


def test_unsaved_edits_are_offered_back_after_a_crash(window, qtbot, make_window, dialog_answers, tmp_path) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    tab.duplicate_action.trigger()
    n = len(tab.doc.projects)
    window.journal.interval_s = 0
    tab.write_recovery()
    qtbot.waitUntil(lambda: not tab.journal_jobs.busy, timeout=10_000)
    assert window.journal.entries()
    fresh = make_window(tmp_path / "other.ini")
    dialog_answers.yes_no = True
    assert fresh.offer_recovery()
    assert len(fresh.register_tab.doc.projects) == n
    assert fresh.isWindowModified()


def test_demo_register_is_saved_somewhere_else(make_window, qtbot, dialog_answers, tmp_path) -> None:
    window = make_window()
    window.open_demo()
    qtbot.waitUntil(lambda: window.register_tab.doc is not None, timeout=20_000)
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    tab.duplicate_action.trigger()
    dialog_answers.save_path = tmp_path / "mine.xlsx"
    with qtbot.waitSignal(tab.saved, timeout=20_000):
        window.ui.save_action.trigger()
    assert (tmp_path / "mine.xlsx").exists()
    assert "mine.xlsx" in window.windowTitle() and "(demo)" not in window.windowTitle()


def test_a_header_click_sorts_and_keeps_the_selection_after_an_edit(window, qtbot, dialog_answers) -> None:
    tab = window.register_tab
    header = tab.table.horizontalHeader()
    col = list(tab.doc.projects.columns).index("Title")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(col) + 5, header.height() // 2))
    tab.select_project(tab.doc.find_project("IH-0010"))
    dialog_answers.fill_form = lambda d: (_type(qtbot, d, "Lead", "New Lead"), True)[1]
    tab.edit_action.trigger()
    assert tab.current_project_id() == "IH-0010"
    titles = _titles(tab)
    assert titles == sorted(titles, key=str.casefold) or titles == sorted(titles, key=str.casefold, reverse=True)


def test_spc_baseline_and_recalculation_change_the_chart(window, qtbot) -> None:
    tab = window.register_tab
    tab.select_project(tab.doc.find_project("IH-0001"))
    tab.detail_tabs.setCurrentIndex(1)
    assert "special cause" in tab.spc_summary.text()
    tab.baseline_spin.setValue(12)
    assert "limits fixed on the first 12 points" in tab.spc_summary.text()
    tab.baseline_spin.setValue(0)
    tab.recalc_combo.setCurrentIndex(14)  # the demo measures step up at their 15th month
    text = tab.spc_summary.text()
    assert "recalculated from" in text and tab.recalc_combo.currentText() in text
