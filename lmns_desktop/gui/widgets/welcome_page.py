"""The first-run page (six big, plainly worded starting points) and the short guided tour.

Why: a manager opening the app for the first time sees three empty tabs and no clue where to
begin. The welcome page names the six things people come to do; the tour walks through the tabs
in five short steps and can be reopened from the Help menu. Both only emit signals: the main
window decides what each request does, so they can be tested and reused alone.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

#: (key, title, description): the order of the buttons, left to right and down.
WELCOME_BUTTONS: tuple[tuple[str, str, str], ...] = (
    ("demo", "Explore the demo",
     "Look around with a made-up register and cohort. Nothing you do can harm them."),
    ("open_register", "Open a register…",
     "Open your LMNS register of inclusion-health projects (an Excel workbook)."),
    ("new_register", "Create a new register…",
     "Start an empty register workbook and add your first project."),
    ("import_cohort", "Import a cohort…",
     "Profile a spreadsheet of bookings or births: Core20, PLUS groups and outcomes."),
    ("tour", "Take the tour",
     "Five short steps through the Register, Cohort profiling and Reports tabs."),
    ("guide", "Read the user guide",
     "Step-by-step help, statistics in plain English and a glossary (F1)."),
)


#: The narrowest a starting-point button gets, in average characters of its font.
CARD_CHARS = 24


class WelcomePage(QWidget):
    """Big starting-point buttons; each emits its own ``*_requested`` signal."""

    explore_demo_requested = Signal()
    open_register_requested = Signal()
    new_register_requested = Signal()
    import_cohort_requested = Signal()
    tour_requested = Signal()
    guide_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        self.setAccessibleName("Welcome")
        signals: dict[str, SignalInstance] = {
            "demo": self.explore_demo_requested,
            "open_register": self.open_register_requested,
            "new_register": self.new_register_requested,
            "import_cohort": self.import_cohort_requested,
            "tour": self.tour_requested,
            "guide": self.guide_requested,
        }
        title = QLabel("Welcome to LMNS Inclusion Health", self)
        title.setObjectName("welcome_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)  # relative, so the user's font size counts
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName("Welcome to LMNS Inclusion Health")
        intro = QLabel(
            "Keep the LMNS register of inclusion-health projects, see who a cohort reaches and "
            "how outcomes differ, and make reports for the board. Where would you like to "
            "start?", self)
        intro.setWordWrap(True)
        intro.setObjectName("welcome_intro")

        self.buttons: dict[str, QCommandLinkButton] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(12)
        for i, (key, text, description) in enumerate(WELCOME_BUTTONS):
            button = QCommandLinkButton(text, description, self)
            button.setObjectName(f"welcome_{key}_button")
            button.setAccessibleName(text.rstrip("…"))
            button.setAccessibleDescription(description)
            button.setToolTip(description)
            button.setIcon(QIcon())  # the stock arrow is black: invisible in dark mode
            button.setIconSize(QSize(0, 0))
            button.setAutoDefault(False)
            font = button.font()
            font.setPointSizeF(font.pointSizeF() * 1.15)  # bigger, relative to the system size
            button.setFont(font)
            # At least a title and two lines of description, and as tall as the description
            # needs at the button's width (height for width): with a larger text size or
            # scaling it wraps onto more lines, and a fixed height cut it off.
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
            policy.setHeightForWidth(True)
            button.setSizePolicy(policy)
            button.setMinimumWidth(button.fontMetrics().averageCharWidth() * CARD_CHARS)
            button.setMinimumHeight(button.fontMetrics().lineSpacing() * 4 + 24)
            button.clicked.connect(signals[key])
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button

        footer = QLabel("Works offline: no data leaves this computer. Press F1 at any time for "
                        "help.", self)
        footer.setWordWrap(True)
        footer.setObjectName("welcome_footer")

        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(12)
        column.addLayout(grid)
        column.addSpacing(12)
        column.addWidget(footer)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(860)  # calm line lengths on a wide screen
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 10)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setFocusProxy(self.buttons["demo"])

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt API
        """Ask for the height the wrapped descriptions need at this width.

        A window does not grow by itself for text that wraps (height for width), so without
        this the welcome window, 520 pixels high, cut the cards short with a larger text size.
        """
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None:
            needed = layout.totalHeightForWidth(self.width())
            if needed > 0 and needed != self.minimumHeight():
                self.setMinimumHeight(needed)


class TourStep(NamedTuple):
    """One step of the tour: the main-window tab to show, a title and a few sentences."""

    tab: int
    title: str
    text: str


TOUR_STEPS: tuple[TourStep, ...] = (
    TourStep(0, "The Register",
             "This tab is your LMNS register of inclusion-health projects. Type in the search box "
             "to find a project, use the drop-down lists to filter it, and press Enter or "
             "double-click a project to edit it."),
    TourStep(0, "Evidence, measures and gaps",
             "Below the table are the selected project's evidence, its measures as SPC charts "
             "and its PDSA cycles. The Coverage view shows which PLUS groups have no active "
             "project in each sub-workstream: the gaps."),
    TourStep(1, "Cohort profiling",
             "Import a spreadsheet of bookings or births here (Ctrl+I). The app matches the "
             "columns, checks the data quality and hides NHS numbers, dates of birth and "
             "postcodes. They are never saved."),
    TourStep(1, "The profile",
             "See the Core20 share, ethnic and PLUS groups, and outcomes by group with "
             "confidence intervals. Findings says what stands out in plain sentences. You can "
             "add a profile to a project's evidence."),
    TourStep(2, "Reports",
             "Choose a report, check the preview, then save it as PDF, Excel or Word, or print "
             "it. Small numbers are hidden before anything is shared. Press F1 on any tab for "
             "the user guide."),
)


class GuidedTour(QDialog):
    """A small, non-modal step-by-step tour. Connect ``show_tab`` to the tab widget."""

    show_tab = Signal(int)
    step_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None,
                 steps: tuple[TourStep, ...] | list[TourStep] = TOUR_STEPS) -> None:
        super().__init__(parent)
        if not steps:
            raise ValueError("A tour needs at least one step.")
        self.steps: list[TourStep] = list(steps)
        self.index = 0
        self.setObjectName("guided_tour")
        self.setWindowTitle("Tour of LMNS Inclusion Health")
        self.setAccessibleName("Tour")
        self.setModal(False)

        self.counter = QLabel(self)
        self.counter.setObjectName("tour_counter")
        self.title = QLabel(self)
        self.title.setObjectName("tour_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(self)
        self.text.setObjectName("tour_text")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)

        self.back_button = QPushButton("Back", self)
        self.back_button.setObjectName("tour_back_button")
        self.back_button.setToolTip("Go to the step before")
        self.next_button = QPushButton("Next", self)
        self.next_button.setObjectName("tour_next_button")
        self.next_button.setToolTip("Go to the next step")
        self.next_button.setDefault(True)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("tour_close_button")
        self.close_button.setToolTip("End the tour (Esc). Reopen it from Help > Take the tour.")
        self.close_button.setAutoDefault(False)
        self.back_button.setAutoDefault(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.reject)
        self._show_step()

    @property
    def step(self) -> TourStep:
        return self.steps[self.index]

    def start(self) -> None:
        """Show the tour from its first step (also used to reopen it)."""
        self.go_to(0)
        self._place()
        self.show()
        self.raise_()
        self.activateWindow()
        self.next_button.setFocus()

    def go_to(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        self._show_step()

    def next(self) -> None:
        """Go on a step; on the last one "Finish" closes the tour."""
        if self.index >= len(self.steps) - 1:
            self.accept()
        else:
            self.go_to(self.index + 1)

    def back(self) -> None:
        self.go_to(self.index - 1)

    def _show_step(self) -> None:
        step = self.step
        last = self.index == len(self.steps) - 1
        self.counter.setText(f"Step {self.index + 1} of {len(self.steps)}")
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.text.setAccessibleName(step.title)
        self.text.setAccessibleDescription(step.text)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setText("Finish" if last else "Next")
        self.next_button.setAccessibleName("Finish the tour" if last else "Next step")
        self.show_tab.emit(step.tab)
        self.step_changed.emit(self.index)

    def _place(self) -> None:
        """Bottom right of the main window, where it covers the least of the tab it explains."""
        parent = self.parentWidget()
        if parent is None:
            return
        self.adjustSize()
        frame = parent.window().frameGeometry()
        margin = 24
        self.move(frame.right() - self.width() - margin, frame.bottom() - self.height() - margin)
