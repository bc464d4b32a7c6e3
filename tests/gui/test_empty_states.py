"""Before any data is open, each tab says what it is for and offers the next step."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from lmns_desktop import paths


def _button(state, text: str):
    return next(b for b in state.buttons if b.text().replace("&", "") == text)


def test_register_tab_starts_with_next_steps_and_explore_the_demo_opens_it(make_window, qtbot) -> None:
    window = make_window()
    tab = window.register_tab
    assert tab.body.currentWidget() is tab.empty_state and tab.empty_state.isVisible()
    assert [b.text().replace("&", "") for b in tab.empty_state.buttons] == [
        "Open register…", "New register", "Explore the demo"]
    assert all(b.toolTip() and b.accessibleName() for b in tab.empty_state.buttons)
    demo = _button(tab.empty_state, "Explore the demo")
    demo.setFocus()
    qtbot.keyClick(demo, Qt.Key.Key_Space)  # keyboard only
    qtbot.waitUntil(lambda: tab.register is not None, timeout=30_000)
    assert tab.body.currentWidget() is tab.pages
    assert tab.table.frame_model.rowCount() >= 40
    qtbot.waitUntil(lambda: window.cohort_tab.cohort is not None, timeout=30_000)


def test_open_register_button_asks_for_a_file_and_opens_it(make_window, qtbot, dialog_answers, tmp_path) -> None:
    copy = tmp_path / "ours.xlsx"
    shutil.copy(paths.demo_dir() / "demo_register.xlsx", copy)
    dialog_answers.open_path = copy
    window = make_window()
    qtbot.mouseClick(_button(window.register_tab.empty_state, "Open register…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.register_tab.register is not None, timeout=30_000)
    assert window.register_path == copy
    assert "ours.xlsx" in window.windowTitle()


def test_new_register_button_starts_an_empty_register(make_window, qtbot, dialog_answers, tmp_path) -> None:
    dialog_answers.save_path = tmp_path / "new register.xlsx"
    window = make_window()
    tab = window.register_tab
    qtbot.mouseClick(_button(tab.empty_state, "New register"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.register is not None, timeout=10_000)
    assert tab.body.currentWidget() is tab.pages
    assert tab.table.frame_model.rowCount() == 0
    assert tab.new_action.isEnabled()
    assert (tmp_path / "new register.xlsx").exists()


def test_cohort_tab_empty_state_imports_the_demo_cohort(make_window, qtbot) -> None:
    window = make_window()
    tab = window.cohort_tab
    window.ui.tabs.setCurrentWidget(tab)
    assert tab.body.currentWidget() is tab.empty_state and tab.empty_state.isVisible()
    qtbot.mouseClick(_button(tab.empty_state, "Use the demo cohort"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.cohort is not None, timeout=30_000)
    assert tab.body.currentWidget() is tab.pages
    assert len(tab.cohort) == 5000
    assert window.register_tab.register is None  # only the cohort was asked for
