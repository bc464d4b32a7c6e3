"""The main window driven as a user would: open the demo, switch tabs, sort, export a PDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt

from lmns_desktop.core import vocab


def _pdf_tokens(path: Path) -> list[str]:
    return " ".join(page.extract_text() for page in PdfReader(path).pages).split()


def _contains_run(tokens: list[str], run: list[str]) -> bool:
    """True if ``run`` appears as consecutive tokens (table cells may wrap across lines)."""
    n = len(run)
    return any(tokens[i:i + n] == run for i in range(len(tokens) - n + 1))


def test_window_starts_empty_with_three_tabs(make_window) -> None:
    window = make_window()
    tabs = window.ui.tabs
    assert [tabs.tabText(i).replace("&", "") for i in range(tabs.count())] == [
        "Register", "Cohort profiling", "Reports",
    ]
    assert window.windowTitle().startswith("LMNS Inclusion Health")
    assert not window.reports_tab.save_pdf_button.isEnabled()


def test_tabs_are_built_after_the_first_paint_without_being_asked(qtbot, tmp_path) -> None:
    from lmns_desktop.gui.main_window import MainWindow
    from lmns_desktop.gui.settings import Settings

    settings = Settings(tmp_path / "s.ini")
    settings.last_tab = 2
    window = MainWindow(settings)
    qtbot.addWidget(window)
    tabs = window.ui.tabs
    assert tabs.count() == 3 and tabs.currentIndex() == 2  # the shell, on the remembered tab
    with qtbot.waitSignal(window.tabs_ready, timeout=5000):
        window.show()
    assert [tabs.widget(i) for i in range(3)] == [
        window.register_tab, window.cohort_tab, window.reports_tab]
    assert tabs.currentWidget() is window.reports_tab
    assert settings.last_tab == 2  # swapping the pages did not count as a tab change
    assert window.ui.help_action.shortcut().toString() == "F1"
    edit_menu = [a.text() for a in window.ui.edit_menu.actions() if a.text()]
    assert edit_menu.index("&Redo") < edit_menu.index(window.register_tab.new_action.text()) < \
        edit_menu.index("&Preferences…")


def test_demo_shows_projects_and_cohort_rows(demo_window) -> None:
    window = demo_window
    assert window.register_tab.table.frame_model.rowCount() == len(window.register_tab.register.projects) >= 40
    assert window.register_tab.count_label.text() == f"{len(window.register_tab.register.projects)} projects"
    assert window.cohort_tab.table.frame_model.rowCount() == 5000
    assert "5,000 rows" in window.cohort_tab.summary.text()
    assert "demo_register.xlsx (demo)" in window.windowTitle()


def test_switching_tabs_with_the_keyboard_and_remembering_the_last_one(make_window, qtbot, tmp_path) -> None:
    window = make_window(tmp_path / "s.ini")
    bar = window.ui.tabs.tabBar()
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_Right)
    qtbot.keyClick(bar, Qt.Key.Key_Right)
    assert window.ui.tabs.currentWidget() is window.reports_tab
    window.close()
    again = make_window(tmp_path / "s.ini")
    assert again.ui.tabs.currentWidget() is again.reports_tab


def test_clicking_a_register_header_sorts_the_projects(demo_window, qtbot) -> None:
    view = demo_window.register_tab.table
    model = view.frame_model
    col = list(demo_window.register_tab.register.projects.columns).index("Title")
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(col) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    titles = [model.index(r, col).data() for r in range(model.rowCount())]
    assert titles == sorted(titles, key=str.casefold) or titles == sorted(titles, key=str.casefold, reverse=True)
    assert titles != demo_window.register_tab.register.projects["Title"].tolist()


def test_search_box_filters_the_register(demo_window, qtbot) -> None:
    tab = demo_window.register_tab
    qtbot.keyClicks(tab.search, "Doula")
    qtbot.waitUntil(lambda: "of" in tab.count_label.text(), timeout=2000)
    shown = tab.table.frame_model.rowCount()
    expected = tab.register.projects["Title"].str.contains("Doula").sum()
    assert 0 < shown == expected
    qtbot.keyClick(tab, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.table.frame_model.rowCount() == len(tab.register.projects), timeout=2000)


def test_save_pdf_writes_the_board_summary_with_the_register_counts(demo_window, qtbot, dialog_answers, tmp_path) -> None:
    window = demo_window
    window.ui.tabs.setCurrentWidget(window.reports_tab)
    out = tmp_path / "board pack £.pdf"
    dialog_answers.save_path = out
    with qtbot.waitSignal(window.reports_tab.pdf_saved, timeout=30_000):
        qtbot.mouseClick(window.reports_tab.save_pdf_button, Qt.MouseButton.LeftButton)
    tokens = _pdf_tokens(out)
    projects: pd.DataFrame = window.register_tab.register.projects
    assert _contains_run(tokens, ["LMNS", "board", "summary"])
    table = pd.crosstab(projects["Sub-workstream"], projects["Status"])
    table = table.reindex(columns=[s for s in vocab.PROJECT_STATUSES], fill_value=0)
    for stream in vocab.SUB_WORKSTREAMS:
        row = [str(v) for v in table.loc[stream]] + [str(int(table.loc[stream].sum()))]
        assert _contains_run(tokens, stream.split() + row), stream
    assert _contains_run(tokens, ["Total", *(str(v) for v in table.sum()), str(len(projects))])
    assert str(out) in window.reports_tab.status.text()
    assert not list(tmp_path.glob(".~lmns-*"))  # no temp file left behind


def test_opening_a_register_adds_it_to_recent_files(make_window, qtbot, demo_files, dialog_answers) -> None:
    register, _ = demo_files
    window = make_window()
    dialog_answers.open_path = register
    window.ui.open_action.trigger()
    qtbot.waitUntil(lambda: window.register_tab.register is not None, timeout=20_000)
    assert window.settings.recent_registers[0] == register.resolve()
    labels = [a.text() for a in window.ui.recent_menu.actions()]
    assert any(register.name in label for label in labels)


def test_a_file_that_is_not_a_workbook_gives_a_clear_sentence(make_window, qtbot, tmp_path, dialog_answers) -> None:
    bad = tmp_path / "notes.xlsx"
    bad.write_bytes(b"%PDF-1.4 this is a PDF renamed")
    window = make_window()
    window.open_register(bad)
    qtbot.waitUntil(lambda: bool(dialog_answers.errors), timeout=10_000)
    title, message = dialog_answers.errors[0]
    assert "notes.xlsx" in message and "Traceback" not in message
    assert window.register_tab.register is None


def test_shortcuts_are_the_standard_ones(make_window) -> None:
    ui = make_window().ui
    assert ui.open_action.shortcut().toString() == "Ctrl+O"
    assert ui.save_action.shortcut().toString() == "Ctrl+S"
    assert ui.print_action.shortcut().toString() == "Ctrl+P"
    assert ui.help_action.shortcut().toString() == "F1"
    window = ui.tabs.window()
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Y" in [s.toString() for s in window.redo_action.shortcuts()]


def test_f1_shows_help_for_the_current_tab(make_window, qtbot) -> None:
    from lmns_desktop.gui.widgets.help_browser import HelpBrowser

    window = make_window()
    window.ui.tabs.setCurrentWidget(window.cohort_tab)
    window.ui.help_action.trigger()
    assert window.findChild(HelpBrowser).current_page == "cohort.html"
    window.ui.tabs.setCurrentWidget(window.reports_tab)
    window.ui.help_action.trigger()
    assert window.findChild(HelpBrowser).current_page == "reports.html"
