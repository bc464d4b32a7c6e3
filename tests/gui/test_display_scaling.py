"""Display scaling and larger text: no label, button or drop-down has its text cut off.

At 125-200% display scaling Qt scales everything alike, so what clips is what does not fit the
window's logical size (1280x720 on a 1920x1080 laptop at 150%) or a larger text size (Windows'
"Make text bigger", or a user's font). These tests give the widgets a font 1.5 times the usual
size and check that every visible label, button and drop-down is at least as wide as its text
needs. The screenshots reviewed by eye are in docs/scaling (build_scripts/screenshots.py).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui import theme

#: How much larger than the usual font the text is made (Windows "Make text bigger" at 150%).
LARGER = 1.5


@pytest.fixture
def themed(qapp: QApplication):
    """The light theme, as the app applies it; put back afterwards (other tests share the app)."""
    style, palette, sheet, font = (
        qapp.style().name(),
        qapp.palette(),
        qapp.styleSheet(),
        qapp.font(),
    )
    theme.apply_theme(qapp, "light")
    yield qapp
    follower = qapp.findChild(theme._SystemFollower)
    if follower is not None:
        follower.choice = "none"
    hints = qapp.styleHints()
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    theme._in_use = None


def enlarge(app: QApplication, factor: float = LARGER) -> None:
    """Make the application's font ``factor`` times its size, as a larger system text size does.

    The application font, not a widget's: with a style sheet in use, Qt does not pass a
    parent's font on to its children.
    """
    font = app.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    app.setFont(font)


def describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""
    if isinstance(widget, QComboBox):
        text = widget.currentText()
    return (
        f"{type(widget).__name__} {widget.objectName() or ''} “{text}” is {widget.width()} px "
        f"wide, needs {_needed_width(widget)}"
    )


def _needed_width(widget: QWidget) -> int:
    if isinstance(widget, QComboBox):
        return widget.minimumSizeHint().width()
    return widget.sizeHint().width()


def clipped(root: QWidget) -> list[str]:
    """Visible labels, buttons and drop-downs of ``root`` narrower than their text needs.

    Word-wrapped labels are left out: they fit by wrapping. A drop-down needs room for its
    current text (its minimum size hint), not for its longest item.
    """
    out = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel):
            if (
                widget.wordWrap()
                or not widget.text()
                or widget.pixmap() is not None
                and not widget.pixmap().isNull()
            ):
                continue
        elif not isinstance(widget, QAbstractButton | QComboBox):
            continue
        if isinstance(widget, QAbstractButton) and not widget.text():
            continue
        if widget.width() < _needed_width(widget):
            out.append(describe(widget))
    return out


def overlapping(widgets: list[QWidget]) -> list[str]:
    rects = [
        (w, QRect(w.mapTo(w.window(), w.rect().topLeft()), w.size()))
        for w in widgets
        if w.isVisible()
    ]
    return [
        f"{type(a).__name__} {a.objectName()} overlaps {type(b).__name__} {b.objectName()}"
        for i, (a, ra) in enumerate(rects)
        for b, rb in rects[i + 1 :]
        if ra.intersects(rb)
    ]


def show(qtbot, widget: QWidget, width: int, height: int) -> None:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    for _ in range(3):
        QApplication.processEvents()


# --- the register's filter bar ----------------------------------------------------------------


@pytest.mark.parametrize("factor", [1.0, LARGER])
def test_filter_labels_are_never_cut_off_they_wrap_instead(themed, qtbot, factor: float) -> None:
    """At 1366x768 the seven filters did not fit one row; "Sub-workstream:" lost its colon."""
    from lmns_desktop.gui.widgets.filter_bar import FilterBar

    enlarge(themed, factor)
    holder = QWidget()
    layout = QVBoxLayout(holder)
    bar = FilterBar(holder)
    bar.set_options(
        {
            "sub_workstreams": ["Learning from incidents and excellence"],
            "statuses": ["Planning", "Active"],
            "trusts": ["Northfield Hospitals NHS Foundation Trust"],
        }
    )
    layout.addWidget(bar)
    layout.addStretch(1)
    show(qtbot, holder, 1220, 400)  # the page's width in the window at 1366x768
    assert clipped(holder) == []
    pairs = [combo.parentWidget() for combo in bar.combos.values()] + [bar.clear_button]
    assert overlapping(pairs) == []
    rows = {pair.y() for pair in pairs}
    assert len(rows) >= 2, "at this width the filters should wrap onto a second row"

    holder.resize(560, 400)  # a narrow window: more rows, still nothing cut
    for _ in range(3):
        QApplication.processEvents()
    assert clipped(holder) == [] and overlapping(pairs) == []
    assert bar.height() >= bar.layout().heightForWidth(bar.width())


def test_filter_rows_are_balanced_and_full_rows_are_used(themed, qtbot) -> None:
    from lmns_desktop.gui.widgets.filter_bar import FilterBar

    bar = FilterBar()
    show(qtbot, bar, 1220, 100)
    area = bar.layout().contentsRect()
    rows = bar.layout().rows(area.width())
    assert [len(r) for r in rows] == [4, 4]  # not seven and one
    for row in rows:  # each row justified: it ends at the right edge
        assert row[-1].geometry().right() == area.right()


# --- dialogs ---------------------------------------------------------------------------------


def _suggestion(column: str, field: str | None, confidence: float = 1.0) -> SimpleNamespace:
    return SimpleNamespace(
        column=column,
        field=field,
        confidence=confidence,
        reason="test",
        high_confidence=confidence >= 0.8,
    )


@pytest.mark.parametrize("factor", [1.0, LARGER])
def test_mapping_drop_downs_show_the_whole_field_name(themed, qtbot, factor: float) -> None:
    """The four equal columns cut "Gestation at booking (weeks)" to "Gestation at booking (weel"."""
    from lmns_desktop.gui.widgets.mapping_dialog import MappingDialog

    enlarge(themed, factor)
    suggestions = [
        _suggestion("Gestation at Booking (weeks)", "gestation_at_booking_weeks"),
        _suggestion("Trust", "trust", 0.6),
        _suggestion("Notes", None),
    ]
    dialog = MappingDialog(suggestions, {"Trust": ["Riverside University Hospitals NHS Trust"] * 3})
    show(qtbot, dialog, 900, 640)
    combos = [dialog.table.cellWidget(i, 2) for i in range(dialog.table.rowCount())]
    assert combos and all(c.width() >= c.sizeHint().width() for c in combos), [
        (c.currentText(), c.width(), c.sizeHint().width()) for c in combos
    ]
    match = dialog.table.horizontalHeader().sectionSize(3)
    assert match >= dialog.table.fontMetrics().horizontalAdvance("60% — check")
    assert clipped(dialog) == []


@pytest.mark.parametrize("factor", [1.0, LARGER])
def test_preferences_labels_and_buttons_fit(themed, qtbot, factor: float) -> None:
    from lmns_desktop.gui.widgets.preferences_dialog import PreferencesDialog

    enlarge(themed, factor)
    dialog = PreferencesDialog()
    show(qtbot, dialog, dialog.sizeHint().width(), dialog.sizeHint().height())
    problems = []
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        problems += clipped(dialog)
    assert problems == []


@pytest.mark.parametrize("factor", [1.0, LARGER])
def test_record_form_fields_fit(themed, qtbot, factor: float) -> None:
    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.gui.widgets.record_dialog import RecordDialog

    enlarge(themed, factor)
    dialog = RecordDialog("Edit project", rs.PROJECT_COLUMNS, {}, {}, lambda values: {})
    show(qtbot, dialog, 640, 680)
    assert clipped(dialog) == []


@pytest.mark.parametrize("factor", [1.0, LARGER])
def test_welcome_buttons_are_as_tall_as_their_wrapped_text(themed, qtbot, factor: float) -> None:
    """A fixed height of four lines cut the descriptions off with larger text (and the rows of
    buttons overlapped); now each is as tall as its text needs at its width."""
    from PySide6.QtWidgets import QDialog

    from lmns_desktop.gui.widgets.welcome_page import WelcomePage

    enlarge(themed, factor)
    dialog = QDialog()
    page = WelcomePage(dialog)
    QVBoxLayout(dialog).addWidget(page)
    show(qtbot, dialog, 760, 520)  # the size the main window gives it
    short = {
        key: (b.height(), b.heightForWidth(b.width()))
        for key, b in page.buttons.items()
        if b.height() < b.heightForWidth(b.width())
    }
    assert short == {}
    assert overlapping(list(page.buttons.values())) == []
    assert clipped(dialog) == []


def test_help_browser_buttons_fit_with_larger_text(themed, qtbot) -> None:
    from lmns_desktop.gui.widgets.help_browser import HelpBrowser

    enlarge(themed)
    browser = HelpBrowser()
    show(qtbot, browser, browser.width(), browser.height())
    assert clipped(browser) == []


def test_dialog_buttons_have_no_blurry_stock_icons(themed, qtbot) -> None:
    """Qt's stock OK/Cancel icons are small bitmaps: blurred at 150% and dark on NHS Blue.

    Windows shows none; Linux desktops ask for them, which a style here stands in for.
    """
    from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory

    class IconsOnButtons(QProxyStyle):
        def styleHint(self, hint, option=None, widget=None, data=None):  # noqa: ANN001, ANN201, N802
            if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
                return 1
            return super().styleHint(hint, option, widget, data)

    style = IconsOnButtons(QStyleFactory.create("Fusion"))
    themed.setStyle(style)  # the theme's style sheet stays on top of it
    try:
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        qtbot.addWidget(box)
        box.show()
        assert [b.text() for b in box.buttons() if not b.icon().isNull()] == []
    finally:
        themed.setStyle("Fusion")


# --- charts ------------------------------------------------------------------------------------


def test_chart_text_keeps_its_size_while_a_report_draws_in_another_thread(qtbot) -> None:
    """Report jobs draw inside matplotlib's rc_context (72 dpi, for print). A chart made on
    screen meanwhile took 72 dpi, so its text came out at 72% of the size, now and then."""
    from matplotlib import rc_context

    from lmns_desktop.gui.widgets.chart_view import SCREEN_DPI, ChartView

    view = ChartView()
    qtbot.addWidget(view)
    with rc_context({"figure.dpi": 72}):
        view.clear("No data")
    ratio = view.canvas.device_pixel_ratio
    assert view.figure.dpi == pytest.approx(SCREEN_DPI * ratio)


def test_record_form_number_boxes_keep_their_text_off_the_border(qtbot) -> None:
    from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit

    from lmns_desktop.core import register_schema as rs
    from lmns_desktop.gui.widgets.record_form import RecordForm

    columns = [
        c for cols in rs.SHEET_COLUMNS.values() for c in cols if c.kind in ("number", "integer")
    ]
    form = RecordForm(columns, {})
    qtbot.addWidget(form)
    boxes = form.findChildren(QAbstractSpinBox)
    assert boxes and all(b.findChild(QLineEdit).textMargins().left() > 0 for b in boxes)


# --- the whole window ------------------------------------------------------------------------

#: The window's size at 150% on a 1920x1080 laptop (1280x720 for Qt, less the taskbar): the
#: tightest common case, tighter than 1366x768 at 100%.
LAPTOP_150 = (1177, 648)


def test_every_tab_fits_the_window_of_a_laptop_at_150_percent(demo_window, qtbot) -> None:
    """Nothing is pushed out of the window: each tab's minimum size fits the room it gets.

    The cohort chart's minimum height once made the profile 23 px taller than the tab, so the
    chart's legend was cut off at the bottom.
    """
    demo_window.resize(*LAPTOP_150)
    tabs = demo_window.ui.tabs
    too_big = {}
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        for _ in range(5):
            QApplication.processEvents()
        tab = tabs.currentWidget()
        need, room = tab.minimumSizeHint(), tab.size()
        if need.width() > room.width() or need.height() > room.height():
            too_big[tabs.tabText(index)] = (need.toTuple(), room.toTuple())
    assert too_big == {}
