"""The offline user guide: a contents list, the page, back/forward/contents and a find box.

Why a QTextBrowser and not a web view: the pages are plain HTML bundled with the app, links
between them must work with no network (and QtWebEngine would add 100 MB to the build). The
window is not modal, so a user can keep the guide open beside the app while following it.
"""

from __future__ import annotations

import html
import logging
import re
from functools import cache
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.gui import theme
from lmns_desktop.paths import resource_path

log = logging.getLogger(__name__)

#: (file, title) in reading order: the contents list.
PAGES: tuple[tuple[str, str], ...] = (
    ("index.html", "Contents"),
    ("getting-started.html", "Getting started"),
    ("register.html", "Register tasks"),
    ("cohort.html", "Cohort tasks"),
    ("reports.html", "Reports"),
    ("statistics.html", "Statistics in plain English"),
    ("suppression.html", "Why small numbers are suppressed"),
    ("glossary.html", "Glossary"),
    ("shortcuts.html", "Keyboard shortcuts"),
    ("files.html", "Where files live"),
)
HOME = PAGES[0][0]

#: Topic names the app uses -> "page.html" or "page.html#anchor".
TOPICS: dict[str, str] = {
    "index": "index.html",
    "contents": "index.html",
    "getting-started": "getting-started.html",
    "demo": "getting-started.html#demo",
    "register": "register.html",
    "search": "register.html#search",
    "evidence": "register.html#evidence",
    "measures": "register.html#measures",
    "coverage": "register.html#coverage",
    "problems": "register.html#problems",
    "saving": "register.html#saving",
    "backups": "register.html#backups",
    "locks": "register.html#locks",
    "recovery": "register.html#recovery",
    "import-register": "register.html#import-old",
    "cohort": "cohort.html",
    "mapping": "cohort.html#mapping",
    "quality": "cohort.html#quality",
    "identifiers": "cohort.html#identifiers",
    "deprivation": "cohort.html#deprivation",
    "profile": "cohort.html#profile",
    "reports": "reports.html",
    "disclosure": "suppression.html",
    "suppression": "suppression.html",
    "statistics": "statistics.html",
    "confidence-intervals": "statistics.html#proportions",
    "ratios": "statistics.html#ratios",
    "sii": "statistics.html#sii",
    "spc": "statistics.html#spc",
    "glossary": "glossary.html",
    "shortcuts": "shortcuts.html",
    "files": "files.html",
    "preferences": "files.html#settings",
}
#: Topic for F1 on each main-window tab, in tab order.
TAB_TOPICS: tuple[str, ...] = ("register", "cohort", "reports")


def help_dir() -> Path:
    return resource_path("help")


def topic_target(topic: str) -> tuple[str, str]:
    """(page file, anchor) for a topic name or a "page.html#anchor" string; unknown -> contents."""
    target = TOPICS.get(topic.strip().lower(), topic.strip())
    page, _, anchor = target.partition("#")
    if page and not page.endswith(".html"):
        page += ".html"
    if not page or "/" in page or "\\" in page or not (help_dir() / page).is_file():
        log.warning("No help page for topic %r; showing the contents", topic)
        return HOME, ""
    return page, anchor


def page_url(page: str, anchor: str = "") -> QUrl:
    url = QUrl.fromLocalFile(str(help_dir() / page))
    if anchor:
        url.setFragment(anchor)
    return url


@cache
def _page_text(page: str) -> str:
    """A page's visible text (lower case), for finding words across the guide."""
    source = (help_dir() / page).read_text(encoding="utf-8")
    body = re.sub(r"(?is)<(head|style|script)\b.*?</\1>", " ", source)
    return html.unescape(re.sub(r"<[^>]+>", " ", body)).casefold()


class HelpBrowser(QDialog):
    """The user guide window. Use :meth:`show_topic` to open it at a page or section."""

    page_changed = Signal(str)  # the page file now shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_browser")
        self.setWindowTitle("User guide — LMNS Inclusion Health")
        self.setAccessibleName("User guide")
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self._build()
        self._apply_colours()
        self._fit_to_screen()
        self.browser.setSource(page_url(HOME))
        self.browser.setFocus()  # keyboard users start in the page (arrows and Page Down)

    # --- building -------------------------------------------------------------------------
    def _tool(self, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)  # words, not stock icons: those are black on the dark theme
        button.setToolTip(tip)
        button.setAccessibleName(text.strip("←→ "))
        button.setAccessibleDescription(tip)
        return button

    def _build(self) -> None:
        self.back_button = self._tool("← Back", "Go back to the page before (Alt+Left)",
                                      "help_back_button")
        self.forward_button = self._tool("Forward →", "Go forward again (Alt+Right)",
                                         "help_forward_button")
        self.home_button = self._tool("Contents", "Go to the guide's contents page",
                                      "help_home_button")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("help_search")
        self.search_edit.setPlaceholderText("Word or phrase")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Find in the guide")
        self.search_edit.setToolTip("Type a word and press Enter to find it in the guide (Ctrl+F)")
        find_label = QLabel("&Find:", self)
        find_label.setBuddy(self.search_edit)
        self.find_button = QPushButton("Find next", self)
        self.find_button.setObjectName("help_find_button")
        self.find_button.setAutoDefault(False)
        self.find_button.setToolTip("Find the next place the word appears, on this page or the "
                                    "next page that has it (F3)")
        self.status = QLabel(self)
        self.status.setObjectName("help_status")
        self.status.setAccessibleName("Find result")

        bar = QHBoxLayout()
        for button in (self.back_button, self.forward_button, self.home_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(find_label)
        bar.addWidget(self.search_edit, 2)
        bar.addWidget(self.find_button)

        self.contents = QListWidget(self)
        self.contents.setObjectName("help_contents")
        self.contents.setAccessibleName("Guide contents")
        self.contents.setToolTip("The pages of the guide: choose one to read it")
        self.contents.setWordWrap(True)
        self.contents.setSpacing(3)
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for page, title in PAGES:
            item = QListWidgetItem(title, self.contents)
            item.setData(256, page)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("help_page")
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenExternalLinks(False)  # the guide is offline: no link leaves the app
        self.browser.setSearchPaths([str(help_dir())])
        split = QSplitter(parent=self)
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        widest = max(self.contents.fontMetrics().horizontalAdvance(t) for _, t in PAGES)
        split.setSizes([widest + 40, 640])
        split.setChildrenCollapsible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        close.setToolTip("Close the guide (Esc)")
        buttons.rejected.connect(self.reject)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(lambda: self.open_topic("index"))
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.browser.sourceChanged.connect(self._on_source_changed)
        self.browser.anchorClicked.connect(self._on_anchor_clicked)
        self.contents.currentRowChanged.connect(self._on_contents_row)
        self.search_edit.returnPressed.connect(self.find_next)
        self.search_edit.textChanged.connect(lambda _: self.status.clear())
        self.find_button.clicked.connect(self.find_next)
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self._focus_search),
            (QKeySequence.StandardKey.FindNext, self.find_next),
            (QKeySequence.StandardKey.Back, self.browser.backward),
            (QKeySequence.StandardKey.Forward, self.browser.forward),
        ):
            QShortcut(QKeySequence(keys), self, slot)

    def _fit_to_screen(self) -> None:
        """Big enough to read, small enough for a 1366x768 laptop with the app beside it."""
        screen = self.screen().availableGeometry()
        self.resize(min(920, int(screen.width() * 0.7)), min(680, int(screen.height() * 0.85)))

    def _apply_colours(self) -> None:
        """Headings and table rules in the theme's colours (help.css itself has none)."""
        pal = theme.palette_for(self)
        self.browser.document().setDefaultStyleSheet(
            f"h1, h2, h3 {{ color: {pal.heading}; }} "
            f"a {{ color: {pal.link}; }} "
            f"th {{ background-color: {pal.alternate_base}; }} "
            f"table {{ border-color: {pal.border}; }} "
            f".note {{ background-color: {pal.alternate_base}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "browser"):
            self._apply_colours()
            self.browser.reload()

    # --- navigation -----------------------------------------------------------------------
    @property
    def current_page(self) -> str:
        return Path(self.browser.source().toLocalFile()).name

    def open_topic(self, topic: str) -> None:
        """Show a topic ("register", "glossary", "statistics#sii", "cohort.html#mapping")."""
        page, anchor = topic_target(topic)
        if page == self.current_page and anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.setSource(page_url(page, anchor))
        if not anchor:
            self.browser.verticalScrollBar().setValue(0)

    @classmethod
    def show_topic(cls, parent: QWidget | None, topic: str = "index") -> HelpBrowser:
        """Open (or bring forward) the guide of ``parent`` at ``topic``; returns the window."""
        browser = parent.findChild(cls) if parent is not None else None
        if browser is None:
            browser = cls(parent)
        browser.open_topic(topic)
        browser.show()
        browser.raise_()
        browser.activateWindow()
        return browser

    def _on_source_changed(self, url: QUrl) -> None:
        page = Path(url.toLocalFile()).name
        rows = [p for p, _ in PAGES]
        if page in rows:
            self.contents.blockSignals(True)
            self.contents.setCurrentRow(rows.index(page))
            self.contents.blockSignals(False)
        title = self.browser.documentTitle() or dict(PAGES).get(page, "")
        self.setWindowTitle(f"{title} — User guide" if title else "User guide")
        self.page_changed.emit(page)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() not in ("", "file"):
            # QTextBrowser would not follow it anyway; say why rather than doing nothing.
            self.status.setText("Links to websites are not opened from the guide: the app works "
                                "offline.")

    def _on_contents_row(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.open_topic(PAGES[row][0])

    # --- finding --------------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def find_next(self) -> bool:
        """Find the search box's text after the cursor, then from the top, then on later pages."""
        return self.find_text(self.search_edit.text())

    def find_text(self, text: str) -> bool:
        """Select the next occurrence of ``text``: on this page, then on the next pages that
        have it, then from the top of this page. False (and the status line says so) if none."""
        text = text.strip()
        if not text:
            self.status.clear()
            return False
        if self.browser.find(text):
            self.status.setText(f"Found “{text}”.")
            return True
        pages = [p for p, _ in PAGES]
        here = pages.index(self.current_page) if self.current_page in pages else len(pages)
        needle = text.casefold()
        for page in pages[here + 1:] + pages[:here]:
            if needle in _page_text(page):
                self.browser.setSource(page_url(page))
                self.browser.setTextCursor(QTextCursor(self.browser.document()))
                if self.browser.find(text):
                    self.status.setText(f"Found “{text}” on the page “{dict(PAGES)[page]}”.")
                    return True
        self.browser.setTextCursor(QTextCursor(self.browser.document()))
        if self.browser.find(text):
            self.status.setText(f"Found “{text}” (from the top of this page).")
            return True
        self.status.setText(f"No page of the guide mentions “{text}”.")
        return False
