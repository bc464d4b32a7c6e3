"""Themes: contrast of every text colour pair, the style sheet, and applying a theme."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui import theme
from lmns_desktop.paths import resource_path


@pytest.fixture
def app(qapp: QApplication):
    """The application, put back as it was afterwards (other tests share it)."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield qapp
    hints = qapp.styleHints()
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()
    follower = qapp.findChild(theme._SystemFollower)
    if follower is not None:
        follower.choice = "none"  # stop following the system for the rest of the session
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    theme._in_use = None


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert theme.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast_ratio("#005EB8", "#FFFFFF") == pytest.approx(6.38, abs=0.01)
    assert theme.contrast_ratio("#fff", "#000") == theme.contrast_ratio("#000000", "#ffffff")
    with pytest.raises(ValueError):
        theme.contrast_ratio("blue", "#FFFFFF")


@pytest.mark.parametrize("pal", [theme.LIGHT, theme.DARK], ids=lambda p: p.name)
@pytest.mark.parametrize(("fg", "bg"), theme.TEXT_PAIRS, ids=lambda v: v)
def test_text_colours_meet_wcag_aa(pal: theme.Palette, fg: str, bg: str) -> None:
    ratio = theme.contrast_ratio(getattr(pal, fg), getattr(pal, bg))
    assert ratio >= 4.5, f"{pal.name}: {fg} on {bg} is {ratio:.2f}:1"


@pytest.mark.parametrize("pal", [theme.LIGHT, theme.DARK], ids=lambda p: p.name)
@pytest.mark.parametrize(("fg", "bg"), theme.NON_TEXT_PAIRS, ids=lambda v: v)
def test_focus_rings_and_borders_stand_out(pal: theme.Palette, fg: str, bg: str) -> None:
    ratio = theme.contrast_ratio(getattr(pal, fg), getattr(pal, bg))
    assert ratio >= 3.0, f"{pal.name}: {fg} on {bg} is {ratio:.2f}:1"


def test_nhs_blue_is_the_accent_of_both_themes() -> None:
    assert theme.LIGHT.accent == theme.DARK.accent == "#005EB8"


@pytest.mark.parametrize("pal", [theme.LIGHT, theme.DARK], ids=lambda p: p.name)
def test_the_style_sheet_is_complete_and_keeps_the_system_font_size(pal: theme.Palette) -> None:
    sheet = theme.stylesheet(pal)
    assert "@" not in sheet  # every token was filled in
    assert not re.search(r"font(-size)?\s*:[^;]*\d\s*(px|pt)", sheet)
    assert pal.focus in sheet and pal.accent in sheet
    assert sheet.count("{") == sheet.count("}")
    for url in re.findall(r'url\("([^"]+)"\)', sheet):
        assert url.endswith(f"-{pal.name}.svg") and resource_path("style", url.rsplit("/", 1)[-1]).is_file()
    assert re.search(r":focus\s*\{[^}]*border:\s*2px solid", sheet)


def test_apply_theme_sets_the_palette_and_says_which(app: QApplication) -> None:
    used = theme.apply_theme(app, "dark")
    assert used is theme.DARK and theme.current_palette() is theme.DARK
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(theme.DARK.window)
    assert app.palette().color(QPalette.ColorRole.Highlight) == QColor("#005EB8")
    assert theme.palette_for() is theme.DARK
    theme.apply_theme(app, "light")
    assert app.palette().color(QPalette.ColorRole.Base) == QColor("#FFFFFF")
    assert theme.palette_for() is theme.LIGHT


def test_system_follows_the_operating_system(app: QApplication, monkeypatch) -> None:
    monkeypatch.setattr(theme, "system_prefers_dark", lambda app=None: True)
    assert theme.apply_theme(app, "system") is theme.DARK
    monkeypatch.setattr(theme, "system_prefers_dark", lambda app=None: False)
    assert theme.apply_theme(app, "system") is theme.LIGHT
    assert theme.apply_theme(app, "sepia") is theme.LIGHT  # unknown name: follow the system


def test_a_later_switch_to_dark_mode_is_followed_only_for_system(app: QApplication,
                                                                 monkeypatch) -> None:
    follower_pref = {"dark": False}
    monkeypatch.setattr(theme, "system_prefers_dark", lambda app=None: follower_pref["dark"])
    theme.apply_theme(app, "system")
    follower = app.findChild(theme._SystemFollower)
    follower_pref["dark"] = True
    follower._on_scheme_changed(Qt.ColorScheme.Dark)  # what Qt calls when Windows switches
    assert theme.current_palette() is theme.DARK
    theme.apply_theme(app, "light")
    follower._on_scheme_changed(Qt.ColorScheme.Dark)
    assert theme.current_palette() is theme.LIGHT


def _ring_width(image, colour: QColor, y: int) -> int:
    """How many pixels from the left edge, on row ``y``, are the focus colour."""
    width = 0
    for x in range(6):
        if image.pixelColor(x, y) == colour:
            width += 1
    return width


@pytest.mark.parametrize("kind", [QLineEdit, QPushButton, QSpinBox])
def test_keyboard_focus_draws_a_2px_ring_in_the_focus_colour(app: QApplication, qtbot,
                                                             kind: type) -> None:
    theme.apply_theme(app, "light")
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    first, target = QLineEdit(holder), kind(holder)
    if isinstance(target, QPushButton):
        target.setText("Save")
    layout.addWidget(first)
    layout.addWidget(target)
    holder.show()
    holder.activateWindow()
    qtbot.waitActive(holder)
    ring = QColor(theme.LIGHT.focus)
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    y = target.height() // 2
    assert _ring_width(target.grab().toImage(), ring, y) == 0
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    qtbot.waitUntil(target.hasFocus)
    assert _ring_width(target.grab().toImage(), ring, y) == 2


def test_spin_box_text_can_be_kept_off_the_border(app: QApplication, qtbot) -> None:
    theme.apply_theme(app, "light")
    spin = QSpinBox()
    qtbot.addWidget(spin)
    edit = spin.findChild(QLineEdit)
    assert edit.textMargins().left() == 0  # what Qt does with a style sheet border
    theme.inset_spin_box_text(spin)
    spin.show()
    theme.apply_theme(app, "dark")  # a theme change keeps it
    assert edit.textMargins().left() == 4


def test_signal_colours_keep_contrast_in_both_themes() -> None:
    from lmns_desktop.gui.theme import DARK, LIGHT, SIGNAL_COLOURS, contrast_ratio

    for name, pal in (("light", LIGHT), ("dark", DARK)):
        colours = SIGNAL_COLOURS[name]
        for role in ("error", "warning", "figure"):
            assert contrast_ratio(colours[role], pal.base) >= 4.5, (name, role)
        assert contrast_ratio(colours["gap_fg"], colours["gap_bg"]) >= 4.5, name
