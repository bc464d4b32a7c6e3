"""The user guide, its browser, the welcome page and the guided tour."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser

from lmns_desktop.gui.widgets.help_browser import (
    HOME,
    PAGES,
    TAB_TOPICS,
    TOPICS,
    HelpBrowser,
    help_dir,
    topic_target,
)
from lmns_desktop.gui.widgets.welcome_page import (
    TOUR_STEPS,
    WELCOME_BUTTONS,
    GuidedTour,
    WelcomePage,
)

HELP = help_dir()


class _Page(HTMLParser):
    """Collects a page's links, anchors, title, language and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.anchors: set[str] = set()
        self.lang = ""
        self.title = ""
        self.stylesheets: list[dict[str, str]] = []
        self.text: list[str] = []
        self.kbd: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._in.append(tag)
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a)
        if "src" in a:
            self.srcs.append(a["src"])
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.anchors.add(a[key])

    def handle_endtag(self, tag: str) -> None:
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title += data
        elif "kbd" in self._in:
            self.kbd.append(data.strip())
        if not {"head", "style", "script"} & set(self._in):
            self.text.append(data)


def _parse(name: str) -> _Page:
    page = _Page()
    page.feed((HELP / name).read_text(encoding="utf-8"))
    return page


HTML_FILES = sorted(p.name for p in HELP.glob("*.html"))


def test_the_contents_list_is_exactly_the_pages_on_disk_and_the_index_links_them_all() -> None:
    assert sorted(page for page, _ in PAGES) == HTML_FILES
    linked = {href.split("#")[0] for href in _parse(HOME).hrefs}
    assert {page for page, _ in PAGES} - {HOME} <= linked


@pytest.mark.parametrize("name", HTML_FILES)
def test_every_link_in_a_page_reaches_an_existing_page_and_anchor(name: str) -> None:
    page = _parse(name)
    broken = []
    for href in page.hrefs:
        target, _, anchor = href.partition("#")
        target = target or name
        if not (HELP / target).is_file():
            broken.append(f"{href}: no file {target}")
        elif anchor and anchor not in _parse(target).anchors:
            broken.append(f"{href}: no anchor #{anchor} in {target}")
    assert not broken, f"{name}: " + "; ".join(broken)


@pytest.mark.parametrize("name", HTML_FILES)
def test_pages_are_offline_uk_english_with_a_title_and_the_shared_style(name: str) -> None:
    page = _parse(name)
    external = [u for u in page.hrefs + page.srcs if re.match(r"[a-z]+:", u)]
    assert external == [], "the guide must work with no network"
    assert page.lang == "en-GB"
    assert page.title.strip()
    # QTextBrowser ignores a style sheet link without type="text/css".
    assert [s.get("href") for s in page.stylesheets if s.get("type") == "text/css"] == ["help.css"]
    text = " ".join(page.text).lower()
    us = [w for w in ("color", "behavior", "organization", "analyze", "center", "favorite",
                      "program ", "labeled", "canceled", "license ") if w in text]
    assert us == [], f"US spellings in {name}"


def test_help_css_sets_no_colours_or_pixel_font_sizes() -> None:
    """Colours come from the theme (dark mode); sizes follow the reader's font."""
    css = (HELP / "help.css").read_text(encoding="utf-8")
    body = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"(^|[;{\s])(color|background)\s*:", body)
    assert not re.search(r"font-size\s*:\s*[\d.]+\s*(px|pt)", body)


def test_every_topic_name_resolves_to_a_page_and_anchor() -> None:
    for topic in (*TOPICS, *TAB_TOPICS):
        page, anchor = topic_target(topic)
        assert page != HOME or topic in ("index", "contents"), topic
        assert not anchor or anchor in _parse(page).anchors, topic
    assert TAB_TOPICS == ("register", "cohort", "reports")


def test_an_unknown_topic_or_path_shows_the_contents() -> None:
    assert topic_target("no-such-topic") == (HOME, "")
    assert topic_target("../../secrets.html") == (HOME, "")
    assert topic_target("glossary.html#lsoa") == ("glossary.html", "lsoa")
    assert topic_target("statistics#sii") == ("statistics.html", "sii")


def test_the_guide_covers_what_the_issue_asks_for() -> None:
    def text(name: str) -> str:
        return " ".join(_parse(name).text)

    glossary = text("glossary.html")
    for term in ("Core20", "PLUS", "Core20PLUS5", "LSOA", "IMD", "decile", "quintile", "IoD",
                 "MNVP", "SPC", "PDSA", "RAG", "IHI progress score", "MSDS"):
        assert term in glossary, term
    stats = text("statistics.html")
    for term in ("Wilson", "Byar", "1.6×", "SII", "RII", "process limits", "Shift", "Trend",
                 "improvement", "concern", "mean"):
        assert term in stats, term
    assert "1 to 7" in text("suppression.html") and "nearest 5" in text("suppression.html")
    assert "Unsuppressed — internal use only" in text("reports.html")
    register = text("register.html")
    for term in (".backups", "Reload", "Overwrite", "lock", "recover", "Import register"):
        assert term in register, term
    cohort = text("cohort.html")
    for term in ("IoD2019", "IoD2025", "postcode", "Show identifiers", "Cross-tab", "Findings",
                 "Copy table", "Add to project evidence"):
        assert term in cohort, term
    files = text("files.html")
    assert "registry" in files and "settings.ini" in files and "lmns-desktop.log" in files


def test_the_shortcuts_page_lists_every_shortcut_of_the_main_window(make_window) -> None:
    """A shortcut added to a menu without a line in the guide fails here."""
    window = make_window()
    documented = set(_parse("shortcuts.html").kbd)
    for required in ("Ctrl+O", "Ctrl+S", "Ctrl+Shift+S", "Ctrl+N", "Ctrl+Shift+N", "Ctrl+E",
                     "Ctrl+D", "Delete", "Ctrl+I", "Ctrl+P", "Ctrl+Z", "Ctrl+Y", "F1", "Esc",
                     "Enter"):
        assert required in documented, required
    missing = set()
    for action in window.findChildren(type(window.ui.open_action)):
        for key in action.shortcuts():
            text = {"Del": "Delete", "Return": "Enter"}.get(key.toString(), key.toString())
            if text and text not in documented and text != "Ctrl+Shift+Z":  # Redo's alias
                missing.add(f"{text} ({action.text().replace('&', '')})")
    assert not missing, f"shortcuts not in shortcuts.html: {sorted(missing)}"


# --- the browser ----------------------------------------------------------------------------

@pytest.fixture
def browser(qtbot) -> HelpBrowser:
    window = HelpBrowser()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _visible_text(view: QTextBrowser) -> str:
    """The text at the top of the viewport."""
    cursor = view.cursorForPosition(QPoint(10, 10))
    return cursor.block().text()


def _click_link(qtbot, view: QTextBrowser, href: str) -> None:
    """Click the first link to ``href`` as a user would (scrolling it into view first)."""
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position() + 1)
                view.setTextCursor(cursor)
                view.ensureCursorVisible()
                rect = view.cursorRect(cursor)
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                                 pos=QPoint(rect.left(), rect.center().y()))
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href} on {view.source().fileName()}")


def test_show_topic_opens_the_page_and_the_contents_follow(browser: HelpBrowser) -> None:
    browser.open_topic("glossary")
    assert browser.current_page == "glossary.html"
    assert browser.contents.currentItem().text() == "Glossary"
    assert "Core20PLUS5" in browser.browser.toPlainText()
    assert "Glossary" in browser.windowTitle()


def test_a_topic_with_an_anchor_scrolls_to_that_section(browser: HelpBrowser, qtbot) -> None:
    browser.resize(700, 400)
    browser.open_topic("backups")
    assert browser.current_page == "register.html"
    qtbot.waitUntil(lambda: browser.browser.verticalScrollBar().value() > 0, timeout=2000)
    assert _visible_text(browser.browser).startswith("Backups")


def test_show_topic_reuses_one_guide_window_per_parent(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    first = HelpBrowser.show_topic(parent, "register")
    second = HelpBrowser.show_topic(parent, "shortcuts")
    assert first is second and first.isVisible()
    assert second.current_page == "shortcuts.html"


def test_links_between_pages_work_and_back_forward_home_retrace_them(browser: HelpBrowser,
                                                                      qtbot) -> None:
    _click_link(qtbot, browser.browser, "glossary.html")
    qtbot.waitUntil(lambda: browser.current_page == "glossary.html", timeout=2000)
    _click_link(qtbot, browser.browser, "statistics.html#spc")
    qtbot.waitUntil(lambda: browser.current_page == "statistics.html", timeout=2000)
    assert browser.back_button.isEnabled() and not browser.forward_button.isEnabled()
    qtbot.mouseClick(browser.back_button, Qt.MouseButton.LeftButton)
    assert browser.current_page == "glossary.html"
    qtbot.mouseClick(browser.forward_button, Qt.MouseButton.LeftButton)
    assert browser.current_page == "statistics.html"
    qtbot.mouseClick(browser.home_button, Qt.MouseButton.LeftButton)
    assert browser.current_page == HOME


def test_choosing_a_page_in_the_contents_opens_it(browser: HelpBrowser) -> None:
    row = [p for p, _ in PAGES].index("shortcuts.html")
    browser.contents.setCurrentRow(row)
    assert browser.current_page == "shortcuts.html"


def test_find_goes_to_the_page_with_the_word_and_selects_it(browser: HelpBrowser, qtbot) -> None:
    assert browser.current_page == HOME
    qtbot.keyClicks(browser.search_edit, "Byar")
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    assert browser.current_page == "statistics.html"
    assert browser.browser.textCursor().selectedText().lower() == "byar"
    assert "Found" in browser.status.text()
    first = browser.browser.textCursor().selectionStart()
    qtbot.mouseClick(browser.find_button, Qt.MouseButton.LeftButton)  # the next one
    assert browser.browser.textCursor().selectionStart() > first


def test_find_says_so_when_no_page_has_the_word(browser: HelpBrowser, qtbot) -> None:
    qtbot.keyClicks(browser.search_edit, "zebracorn")
    assert not browser.find_next()
    assert "No page of the guide mentions" in browser.status.text()
    assert browser.current_page == HOME


def test_ctrl_f_puts_the_cursor_in_the_find_box(browser: HelpBrowser, qtbot) -> None:
    browser.activateWindow()
    browser.browser.setFocus()
    qtbot.keyClick(browser.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(browser.search_edit.hasFocus, timeout=2000)


# --- welcome page and tour -------------------------------------------------------------------

SIGNAL_OF = {
    "demo": "explore_demo_requested",
    "open_register": "open_register_requested",
    "new_register": "new_register_requested",
    "import_cohort": "import_cohort_requested",
    "tour": "tour_requested",
    "guide": "guide_requested",
}


@pytest.mark.parametrize("key", [k for k, _, _ in WELCOME_BUTTONS])
def test_each_welcome_button_emits_its_own_signal(qtbot, key: str) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    page.show()
    fired: list[str] = []
    for name in SIGNAL_OF.values():
        getattr(page, name).connect(lambda n=name: fired.append(n))
    qtbot.mouseClick(page.buttons[key], Qt.MouseButton.LeftButton)
    assert fired == [SIGNAL_OF[key]]


def test_welcome_buttons_are_in_the_order_asked_and_fully_labelled(qtbot) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    titles = [page.buttons[k].text() for k, _, _ in WELCOME_BUTTONS]
    assert titles == ["Explore the demo", "Open a register…", "Create a new register…",
                      "Import a cohort…", "Take the tour", "Read the user guide"]
    for button in page.buttons.values():
        assert button.accessibleName() and button.toolTip() and button.accessibleDescription()
    assert page.focusProxy() is page.buttons["demo"]


def test_the_tour_walks_its_steps_and_asks_for_each_tab(qtbot) -> None:
    tour = GuidedTour()
    qtbot.addWidget(tour)
    tabs: list[int] = []
    tour.show_tab.connect(tabs.append)
    tour.start()
    assert not tour.isModal() and tour.isVisible()
    assert 4 <= len(tour.steps) <= 5 and {s.tab for s in tour.steps} == {0, 1, 2}
    assert not tour.back_button.isEnabled()
    for _ in range(len(tour.steps) - 1):
        qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    assert tabs == [s.tab for s in TOUR_STEPS]
    assert tour.next_button.text() == "Finish"
    assert tour.title.text() == TOUR_STEPS[-1].title
    qtbot.mouseClick(tour.back_button, Qt.MouseButton.LeftButton)
    assert tour.counter.text() == f"Step {len(TOUR_STEPS) - 1} of {len(TOUR_STEPS)}"
    qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tour.next_button, Qt.MouseButton.LeftButton)  # Finish
    assert not tour.isVisible()
    tour.start()  # reopened from Help: back at the start
    assert tour.isVisible() and tour.counter.text().startswith("Step 1 of")
    qtbot.mouseClick(tour.close_button, Qt.MouseButton.LeftButton)
    assert not tour.isVisible()


def test_escape_closes_the_tour(qtbot) -> None:
    tour = GuidedTour()
    qtbot.addWidget(tour)
    tour.start()
    qtbot.keyClick(tour, Qt.Key.Key_Escape)
    assert not tour.isVisible()


def test_a_tour_needs_a_step() -> None:
    with pytest.raises(ValueError):
        GuidedTour(steps=[])


def test_the_help_folder_is_inside_the_package_resources() -> None:
    """PyInstaller copies lmns_desktop/resources as it is, so the guide ships with the exe."""
    assert Path(__file__).resolve().parents[2] / "lmns_desktop" / "resources" / "help" == HELP
