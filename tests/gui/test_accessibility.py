"""Accessibility of the whole window: names a screen reader can read, and keyboard-only use.

A control's name is what Qt's Windows accessibility gives a screen reader (NVDA, JAWS,
Narrator): its accessible name, else a button's text, else the text of a QLabel whose buddy it
is (including QFormLayout row labels). A tab bar is named by its tab texts.
Offenders are printed with their class, object name, the attribute that holds them and their
parent chain, so they can be found and fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
               QTabBar, QCheckBox, QDateEdit, QPlainTextEdit, QTextBrowser, QSlider)
#: Widgets whose children are parts of one control that Qt names as a whole: a spin box's
#: text box, a drop-down's list, a table's corner button and editors, a tab bar's scroll
#: arrows, a line edit's clear button, a calendar's navigation.
COMPOSITES = (QAbstractSpinBox, QComboBox, QAbstractItemView, QTabBar, QLineEdit, QCalendarWidget)


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def accessible_name(widget: QWidget) -> str:
    """The name a Windows screen reader announces for ``widget`` ("" when it has none).

    As Qt's Windows accessibility does it: the accessible name, else a button's text, else the
    text of a QLabel that is a sibling and has the widget as its buddy (QFormLayout row labels
    are). Qt's Linux bridge names a combo box by its current value instead, so Qt's own
    interface is not asked. A group box title is not counted: it is shared by its controls.
    """
    if isinstance(widget, QTabBar):
        texts = [_plain(widget.tabText(i)) for i in range(widget.count())]
        return ", ".join(texts) if texts and all(texts) else ""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QAbstractButton) and _plain(widget.text()):
        return _plain(widget.text())
    parent = widget.parentWidget()
    if parent is not None:
        for sibling in parent.children():
            if isinstance(sibling, QLabel) and sibling.buddy() is widget and _plain(sibling.text()):
                return _plain(sibling.text())
    return ""


def _is_part_of_another_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """Visible controls a user can reach or operate under ``root`` (disabled ones included)."""
    out = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QHeaderView):
            continue
        if widget.isVisible() and not _is_part_of_another_control(widget):
            out.append(widget)
    return out


def _attribute_path(widget: QWidget) -> str:
    """"Owner.attribute" of the nearest ancestor that keeps ``widget`` in an attribute."""
    parent = widget.parentWidget()
    while parent is not None:
        for name, value in vars(parent).items():
            if value is widget:
                return f"{type(parent).__name__}.{name}"
            if isinstance(value, dict) and any(v is widget for v in value.values()):
                key = next(k for k, v in value.items() if v is widget)
                return f"{type(parent).__name__}.{name}[{key!r}]"
        parent = parent.parentWidget()
    return "(not kept in an attribute)"


def describe(widget: QWidget) -> str:
    chain = []
    parent = widget.parentWidget()
    while parent is not None:
        chain.append(f"{type(parent).__name__}({parent.objectName()})" if parent.objectName()
                     else type(parent).__name__)
        parent = parent.parentWidget()
    hints = [f"tooltip={widget.toolTip()!r}" if widget.toolTip() else ""]
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        hints.append(f"placeholder={widget.placeholderText()!r}")
    if isinstance(widget, QComboBox) and widget.count():
        hints.append(f"first item={widget.itemText(0)!r}")
    return (f"{type(widget).__name__} objectName={widget.objectName()!r} "
            f"at {_attribute_path(widget)} {' '.join(h for h in hints if h)}\n"
            f"      in {' > '.join(chain)}")


def _settle(qtbot) -> None:
    qtbot.wait(30)
    QApplication.processEvents()


def _nested_tab_states(root: QWidget) -> Iterable[None]:
    """Show every page of every tab widget under ``root`` in turn (nested pages too)."""
    seen: set[int] = set()

    def walk(widget: QWidget) -> Iterable[None]:
        yield None
        for tabs in widget.findChildren(QTabWidget):
            if id(tabs) in seen or not tabs.isVisible():
                continue
            seen.add(id(tabs))
            original = tabs.currentIndex()
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                yield from walk(tabs.widget(i))
            tabs.setCurrentIndex(original)

    yield from walk(root)


def unnamed_controls(window: QWidget, qtbot) -> list[str]:
    """Every visible control of ``window``, on every tab and inner page, that has no name."""
    offenders: dict[int, str] = {}
    for _ in _nested_tab_states(window):
        _settle(qtbot)
        for widget in interactive_widgets(window):
            if id(widget) not in offenders and not accessible_name(widget):
                offenders[id(widget)] = describe(widget)
    return list(offenders.values())


def test_every_control_of_the_main_window_has_an_accessible_name(demo_window, qtbot) -> None:
    demo_window.resize(1366, 768)
    offenders = unnamed_controls(demo_window, qtbot)
    checked = len(interactive_widgets(demo_window))
    print(f"\n{len(offenders)} unnamed control(s):\n  " + "\n  ".join(offenders))
    assert checked > 20  # the walk really saw the window
    assert offenders == [], f"{len(offenders)} controls have no accessible name:\n  " + \
        "\n  ".join(offenders)


def _menu_actions(menu: QMenu, path: str) -> Iterable[tuple[str, QAction]]:
    for action in menu.actions():
        if action.isSeparator():
            continue
        yield f"{path} > {action.text()}", action
        if action.menu() is not None:
            yield from _menu_actions(action.menu(), f"{path} > {action.text()}")


def test_every_menu_item_has_text(demo_window) -> None:
    bar = demo_window.menuBar()
    items = []
    for top in bar.actions():
        assert top.text().replace("&", "").strip(), "a menu with no title"
        items += list(_menu_actions(top.menu(), top.text()))
    blank = [path for path, action in items if not action.text().replace("&", "").strip()]
    assert len(items) > 10 and blank == []


def test_no_two_actions_of_the_window_share_a_shortcut(demo_window) -> None:
    """An ambiguous shortcut does nothing at all in Qt, so a keyboard user is stuck."""
    owners: dict[str, list[str]] = {}
    for action in demo_window.findChildren(QAction):
        for key in action.shortcuts():
            if key.toString():
                owners.setdefault(key.toString(), []).append(action.text().replace("&", ""))
    clashes = {k: v for k, v in owners.items() if len(set(v)) > 1}
    assert clashes == {}


MAIN_CONTROLS = {
    0: ("register_tab.search", "register_tab.filter_bar.combos['statuses']", "register_tab.table",
        "register_tab.pages.tabBar()"),
    1: ("cohort_tab.import_button", "cohort_tab.pages.tabBar()",
        "cohort_tab.profile_view.trust_combo", "cohort_tab.profile_view.outcome_combo"),
    2: ("reports_tab.template_list", "reports_tab.title_edit", "reports_tab.save_pdf_button",
        "reports_tab.print_button"),
}


#: Tab presses that may stay in one control (a date box moves day, month, year) before it counts
#: as a keyboard trap.
STUCK_AFTER = 6


def _resolve(window: QWidget, path: str) -> QWidget:
    return eval(f"window.{path}", {"window": window})  # noqa: S307 - fixed strings above


@pytest.mark.parametrize("tab", [0, 1, 2])
def test_tab_key_order_reaches_the_main_controls(demo_window, qtbot, tab: int) -> None:
    window = demo_window
    window.ui.tabs.setCurrentIndex(tab)
    window.activateWindow()
    qtbot.waitActive(window)
    bar = window.ui.tabs.tabBar()
    bar.setFocus()
    qtbot.waitUntil(bar.hasFocus)
    reached: list[QWidget] = []
    traps: list[str] = []
    stuck = 0
    for _ in range(200):
        before = QApplication.focusWidget()
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is bar:
            break  # round the whole window once
        if focus is not before:
            reached.append(focus)
            stuck = 0
            continue
        stuck += 1
        if stuck >= STUCK_AFTER:  # Tab keeps moving inside the control: a keyboard trap
            traps.append(describe(focus))
            focus = _next_in_tab_order(focus)  # step past it by hand to map the rest
            focus.setFocus(Qt.FocusReason.TabFocusReason)
            stuck = 0
            if focus is bar:
                break
            reached.append(focus)
    missing = [p for p in MAIN_CONTROLS[tab] if _resolve(window, p) not in reached]
    order = [f"{type(w).__name__}:{accessible_name(w) or w.objectName()}" for w in reached]
    assert (traps, missing) == ([], []), (
        f"keyboard traps (Tab stays in the control): {sorted(set(traps))}\n"
        f"never reached with Tab: {missing}\norder: {order}")


def _next_in_tab_order(widget: QWidget) -> QWidget:
    """The next widget Tab would go to if ``widget`` let it (visible, enabled, tab-focusable)."""
    candidate = widget.nextInFocusChain()
    while candidate is not widget:
        if (candidate.isVisible() and candidate.isEnabled() and candidate.window() is widget.window()
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not _is_part_of_another_control(candidate)):
            return candidate
        candidate = candidate.nextInFocusChain()
    return widget


def test_keyboard_only_demo_tabs_search_enter_and_escape(demo_window, qtbot, dialog_answers) -> None:
    window = demo_window
    tabs = window.ui.tabs
    register = window.register_tab
    window.activateWindow()
    qtbot.waitActive(window)
    tabs.setCurrentIndex(0)
    register.search.setFocus()
    qtbot.waitUntil(register.search.hasFocus)

    def key(k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        focus = QApplication.focusWidget()
        assert focus is not None, "nothing has the keyboard focus"
        qtbot.keyClick(focus, k, mods)

    ctrl = Qt.KeyboardModifier.ControlModifier
    key(Qt.Key.Key_Tab, ctrl)
    assert tabs.currentWidget() is window.cohort_tab
    key(Qt.Key.Key_Tab, ctrl)
    assert tabs.currentWidget() is window.reports_tab
    key(Qt.Key.Key_Backtab, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.currentWidget() is window.cohort_tab
    tabs.tabBar().setFocus()
    qtbot.waitUntil(tabs.tabBar().hasFocus)
    key(Qt.Key.Key_Left)
    assert tabs.currentWidget() is register

    for _ in range(40):  # Tab from the tab bar to the search box
        if register.search.hasFocus():
            break
        key(Qt.Key.Key_Tab)
    assert register.search.hasFocus(), "Tab does not reach the search box"
    qtbot.keyClicks(register.search, "Doula")
    qtbot.waitUntil(lambda: " of " in register.count_label.text(), timeout=3000)
    shown = register.table.frame_model.rowCount()
    assert 0 < shown < len(register.doc.projects)

    for _ in range(40):  # on to the table of projects
        if register.table.hasFocus():
            break
        key(Qt.Key.Key_Tab)
    assert register.table.hasFocus(), "Tab does not reach the projects table"
    if not register.table.currentIndex().isValid():
        key(Qt.Key.Key_Down)
    row = register.table.currentIndex().row()
    expected_title = register.table.frame_model.index(
        row, list(register.doc.projects.columns).index("Title")).data()

    seen: dict[str, object] = {}

    def press_escape(dialog) -> bool:  # noqa: ANN001 - a RecordDialog
        seen["title"] = dialog.form.editors["Title"].text()
        # The test double shows the form instead of exec(); exec() would make it active.
        dialog.activateWindow()
        qtbot.waitActive(dialog)
        qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()), timeout=2000)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        seen["open_after_escape"] = dialog.isVisible()
        return False

    dialog_answers.fill_form = press_escape
    key(Qt.Key.Key_Return)
    assert seen.get("title") == expected_title, "Enter did not open the selected project's form"
    assert seen["open_after_escape"] is False, "Escape did not close the form"
    assert not window.isWindowModified()

    window.activateWindow()  # what the operating system does when the form closes
    qtbot.waitActive(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is register.table, timeout=2000)
    key(Qt.Key.Key_Escape)  # Esc clears the search
    qtbot.waitUntil(lambda: register.table.frame_model.rowCount() == len(register.doc.projects),
                    timeout=3000)
    assert register.search.text() == ""


# --- our own windows pass the same check -------------------------------------------------------

def test_the_help_welcome_tour_and_preferences_windows_name_every_control(qtbot) -> None:
    from lmns_desktop.gui.widgets.help_browser import HelpBrowser
    from lmns_desktop.gui.widgets.preferences_dialog import PreferencesDialog
    from lmns_desktop.gui.widgets.welcome_page import GuidedTour, WelcomePage

    offenders = []
    for widget in (HelpBrowser(), WelcomePage(), GuidedTour(), PreferencesDialog()):
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        offenders += unnamed_controls(widget, qtbot)
        assert interactive_widgets(widget)
    assert offenders == [], "\n".join(offenders)


def test_the_check_itself_catches_an_unnamed_control(qtbot) -> None:
    """The walk must be able to fail: a bare combo box and an icon-only button are reported."""
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton

    root = QWidget()
    qtbot.addWidget(root)
    layout = QHBoxLayout(root)
    bare, labelled, icon_only = QComboBox(root), QComboBox(root), QToolButton(root)
    icon_only.setToolTip("a tooltip is not a name")
    label = QLabel("&Trust:", root)
    label.setBuddy(labelled)
    scroll_area_child = QAbstractScrollArea(root)  # not interactive by itself: not reported
    for w in (bare, label, labelled, icon_only, scroll_area_child):
        layout.addWidget(w)
    root.show()
    qtbot.waitExposed(root)
    offenders = unnamed_controls(root, qtbot)
    assert len(offenders) == 2
    assert offenders[0].startswith("QComboBox") and offenders[1].startswith("QToolButton")
    assert accessible_name(labelled) == "Trust:"
