"""Light and dark themes: white and grey surfaces, NHS Blue used sparingly, visible focus rings.

Why our own palettes: the NHS laptops this runs on mix Windows 10 and 11, light and dark mode
and 125-150% scaling. Fusion plus a palette looks the same everywhere and honours dark mode,
where the native Windows style does not. Every text colour pair is checked for WCAG AA contrast
(4.5:1) by the tests with :func:`contrast_ratio`; focus rings and input borders meet the 3:1
asked of non-text parts. No font sizes are set, so the user's own size is kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QWidget

from lmns_desktop.paths import resource_path

log = logging.getLogger(__name__)

NHS_BLUE = "#005EB8"
THEMES: tuple[str, ...] = ("system", "light", "dark")
#: The stylesheet template; ``@name`` tokens are filled from a :class:`Palette`.
STYLE_FILE = ("style", "base.qss")


@dataclass(frozen=True)
class Palette:
    """The colours of one theme (hex strings), named by use rather than by hue."""

    name: str
    window: str
    window_text: str
    base: str
    alternate_base: str
    text: str
    muted_text: str
    placeholder: str
    disabled_text: str
    button: str
    button_text: str
    button_hover: str
    accent: str
    accent_text: str
    link: str
    link_visited: str
    heading: str
    border: str
    focus: str
    focus_on_accent: str
    tooltip_base: str
    tooltip_text: str


LIGHT = Palette(
    name="light",
    window="#F0F4F5",  # NHS pale grey
    window_text="#212B32",  # NHS black
    base="#FFFFFF",
    alternate_base="#F7F9FA",
    text="#212B32",
    muted_text="#4C6272",  # NHS dark grey
    placeholder="#4C6272",
    disabled_text="#768692",
    button="#FFFFFF",
    button_text="#212B32",
    button_hover="#E8EDEE",
    accent=NHS_BLUE,
    accent_text="#FFFFFF",
    link=NHS_BLUE,
    link_visited="#330072",  # NHS purple
    heading="#003087",  # NHS dark blue
    border="#768692",  # NHS mid grey: 3.5:1 on white, so inputs are findable
    focus="#003087",
    focus_on_accent="#000000",  # the only dark that reaches 3:1 against NHS Blue
    tooltip_base="#FFFFFF",
    tooltip_text="#212B32",
)

DARK = Palette(
    name="dark",
    window="#1E2429",
    window_text="#E8EDEE",
    base="#14191D",
    alternate_base="#1B2126",
    text="#E8EDEE",
    muted_text="#AEB7BD",
    placeholder="#AEB7BD",
    disabled_text="#6F7C86",
    button="#2A3239",
    button_text="#E8EDEE",
    button_hover="#35404A",
    accent=NHS_BLUE,
    accent_text="#FFFFFF",
    link="#6CC4F0",  # NHS light blue family, readable on dark grey
    link_visited="#C9A8F0",
    heading="#8FCBF2",
    border="#7A8893",
    focus="#6CC4F0",
    focus_on_accent="#FFFFFF",
    tooltip_base="#2A3239",
    tooltip_text="#E8EDEE",
)

PALETTES = {"light": LIGHT, "dark": DARK}
#: The palette applied last. A module variable, not a QObject property: reading an unset
#: property gives None back with a missing reference in PySide 6.12 (a crash at exit).
_in_use: Palette | None = None

#: (foreground, background) pairs that carry text: WCAG AA asks 4.5:1.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("window_text", "window"),
    ("text", "base"),
    ("text", "alternate_base"),
    ("muted_text", "window"),
    ("muted_text", "base"),
    ("placeholder", "base"),
    ("button_text", "button"),
    ("button_text", "button_hover"),
    ("accent_text", "accent"),
    ("link", "base"),
    ("link", "window"),
    ("link_visited", "base"),
    ("heading", "base"),
    ("heading", "window"),
    ("tooltip_text", "tooltip_base"),
)
#: Pairs that show where a control is (focus rings, input borders): WCAG asks 3:1.
NON_TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("focus", "window"),
    ("focus", "base"),
    ("focus", "button"),
    ("focus_on_accent", "accent"),
    ("focus_on_accent", "window"),
    ("border", "base"),
    ("border", "window"),
)


# --- contrast -------------------------------------------------------------------------------

def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", text):
        raise ValueError(f"Not a #RRGGBB colour: {colour!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 black to 1 white)."""
    def channel(value: int) -> float:
        c = value / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


# --- resolving and applying ---------------------------------------------------------------------

def system_prefers_dark(app: QGuiApplication | None = None) -> bool:
    """True when the operating system is in dark mode (Qt 6.5+; unknown counts as light)."""
    app = app or QGuiApplication.instance()
    if app is None:
        return False
    from PySide6.QtCore import Qt  # imported late: its first import costs ~40 ms

    hints = app.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(name: str, app: QGuiApplication | None = None) -> Palette:
    """The palette for a theme name; "system" follows the operating system."""
    if name not in THEMES:
        log.warning("Unknown theme %r; following the system", name)
        name = "system"
    if name == "system":
        return DARK if system_prefers_dark(app) else LIGHT
    return PALETTES[name]


def qpalette(pal: Palette) -> QPalette:
    """A QPalette with every role the widgets read, including the disabled group."""
    qp = QPalette()
    roles = {
        QPalette.ColorRole.Window: pal.window,
        QPalette.ColorRole.WindowText: pal.window_text,
        QPalette.ColorRole.Base: pal.base,
        QPalette.ColorRole.AlternateBase: pal.alternate_base,
        QPalette.ColorRole.Text: pal.text,
        QPalette.ColorRole.Button: pal.button,
        QPalette.ColorRole.ButtonText: pal.button_text,
        QPalette.ColorRole.BrightText: pal.accent_text,
        QPalette.ColorRole.Highlight: pal.accent,
        QPalette.ColorRole.HighlightedText: pal.accent_text,
        QPalette.ColorRole.Link: pal.link,
        QPalette.ColorRole.LinkVisited: pal.link_visited,
        QPalette.ColorRole.ToolTipBase: pal.tooltip_base,
        QPalette.ColorRole.ToolTipText: pal.tooltip_text,
        QPalette.ColorRole.PlaceholderText: pal.placeholder,
        QPalette.ColorRole.Light: pal.button_hover,
        QPalette.ColorRole.Midlight: pal.button_hover,
        QPalette.ColorRole.Mid: pal.border,
        QPalette.ColorRole.Dark: pal.border,
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Accent: pal.accent,
    }
    for role, colour in roles.items():
        qp.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText, QPalette.ColorRole.PlaceholderText):
        qp.setColor(disabled, role, QColor(pal.disabled_text))
    qp.setColor(disabled, QPalette.ColorRole.Highlight, QColor(pal.border))
    return qp


def stylesheet(pal: Palette) -> str:
    """The QSS template with this palette's colours filled in."""
    template = resource_path(*STYLE_FILE).read_text(encoding="utf-8")
    template = re.sub(r"/\*.*?\*/", "", template, flags=re.DOTALL)  # comments may say "@token"
    colours = {**asdict(pal), "style_dir": resource_path(STYLE_FILE[0]).as_posix()}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in colours:
            raise KeyError(f"{STYLE_FILE[-1]} uses @{key}, which no palette defines")
        return colours[key]

    return re.sub(r"@([a-z_]+)", fill, template)


class _SystemFollower(QObject):
    """Re-applies the "system" theme when Windows switches between light and dark."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.choice = "system"
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    def _on_scheme_changed(self, _scheme: object) -> None:
        if self.choice == "system":
            _apply(self.app, resolve("system", self.app))


def _apply(app: QApplication, pal: Palette) -> None:
    # Plain Fusion, no Python QProxyStyle: a Python override of polish() would run for every
    # widget the app ever shows (see the report on PySide 6.12 and Python 3.11 refcounts).
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(qpalette(pal))
    app.setStyleSheet(stylesheet(pal))
    global _in_use
    _in_use = pal


def apply_theme(app: QApplication, name: str = "system") -> Palette:
    """Apply the "system", "light" or "dark" theme to the whole application.

    With "system" the theme follows the operating system, also when it changes later.
    Returns the palette now in use.
    """
    hints = app.styleHints()
    follower = app.findChild(_SystemFollower)
    if follower is None:
        follower = _SystemFollower(app)
    follower.choice = name if name in THEMES else "system"
    # Qt 6.8+: tell Qt itself, so title bars and native file dialogs match the app.
    if follower.choice == "system":
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()
    elif hasattr(hints, "setColorScheme"):
        from PySide6.QtCore import Qt

        hints.setColorScheme(Qt.ColorScheme.Dark if follower.choice == "dark"
                             else Qt.ColorScheme.Light)
    pal = resolve(follower.choice, app)
    _apply(app, pal)
    return pal


def current_palette() -> Palette | None:
    """The palette :func:`apply_theme` last applied (None before the first call)."""
    return _in_use


def inset_spin_box_text(box: QAbstractSpinBox, pixels: int = 4) -> None:
    """Keep a spin box's or date box's text off its left border.

    Why: with a style sheet border, Qt 6.12 puts a spin box's text box flush against the left
    border and ignores ``padding-left``. Call once for each spin or date box you make; the
    margin survives theme changes.
    """
    edit = box.findChild(QLineEdit)
    if edit is not None:
        edit.setTextMargins(pixels, 0, 0, 0)


def palette_for(widget: QWidget | None = None) -> Palette:
    """The theme palette in use (by the widget's window colour when no theme was applied)."""
    if _in_use is not None:
        return _in_use
    colour = (widget.palette() if widget is not None else QGuiApplication.palette()).color(
        QPalette.ColorRole.Window)
    return DARK if colour.lightness() < 128 else LIGHT


#: Colours for meaning (problems, warnings, gaps, headline figures), readable in both themes.
SIGNAL_COLOURS = {
    "light": {"error": "#D5281B", "warning": "#8A4B00", "gap_bg": "#FFF4D6", "gap_fg": "#6B3A00",
              "figure": "#005EB8"},
    "dark": {"error": "#FF8A80", "warning": "#FFD58A", "gap_bg": "#4A3A12", "gap_fg": "#FFE3A8",
             "figure": "#8CC8FF"},
}


def signal_colour(role: str, widget: QWidget | None = None) -> str:
    """The colour for ``role`` ("error", "warning", "gap_bg", "gap_fg", "figure") in the theme
    the widget is shown in, so meaning never becomes unreadable on a dark background."""
    return SIGNAL_COLOURS["dark" if palette_for(widget).name == "dark" else "light"][role]
