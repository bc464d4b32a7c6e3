"""GUI fixtures: a main window factory and message boxes that never block."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lmns_desktop.gui import dialogs


class DialogRecorder:
    """Stands in for message boxes and file dialogs; tests set the answers."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.infos: list[tuple[str, str]] = []
        self.open_path: Path | None = None
        self.save_path: Path | None = None
        self.yes_no = True
        self.save_discard_cancel = "discard"
        self.questions: list[str] = []
        self.choice: str | None = None
        #: Fills a real RecordDialog as a user would; returns True to press OK, False to cancel.
        self.fill_form = None
        self.forms: list[object] = []


@pytest.fixture(autouse=True)
def dialog_answers(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    rec = DialogRecorder()
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg: rec.errors.append((title, msg)))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, msg: rec.infos.append((title, msg)))
    def ask_yes_no(parent, title, question):
        rec.questions.append(question)
        return rec.yes_no

    def edit_record(parent, title, columns, choices, values, validate):
        from lmns_desktop.gui.widgets.record_dialog import RecordDialog

        dialog = RecordDialog(title, columns, choices, values, validate, parent)
        dialog.show()
        rec.forms.append(dialog)
        accepted = rec.fill_form(dialog) if rec.fill_form else True
        if accepted:
            dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        result = dialog.values() if dialog.result() == RecordDialog.DialogCode.Accepted else None
        dialog.close()
        return result

    def choose(parent, title, message, options):
        rec.questions.append(message)
        return rec.choice

    monkeypatch.setattr(dialogs, "ask_yes_no", ask_yes_no)
    monkeypatch.setattr(dialogs, "edit_record", edit_record)
    monkeypatch.setattr(dialogs, "choose", choose)
    monkeypatch.setattr(dialogs, "ask_save_discard_cancel", lambda parent, title, q: rec.save_discard_cancel)
    monkeypatch.setattr(dialogs, "open_file", lambda parent, title, folder, flt: rec.open_path)
    monkeypatch.setattr(dialogs, "save_file", lambda parent, title, suggested, flt: rec.save_path)
    return rec


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Callable[..., object]:
    """Factory for main windows sharing one settings file; all are closed at teardown."""
    from lmns_desktop.gui.main_window import MainWindow
    from lmns_desktop.gui.settings import Settings

    made: list[MainWindow] = []

    def _make(settings_file: Path | None = None) -> MainWindow:
        window = MainWindow(Settings(settings_file or tmp_path / "settings.ini"))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        # Shortcuts are installed just after the first paint (start-up speed).
        qtbot.waitUntil(lambda: bool(window.ui.help_action.shortcut().toString()), timeout=5000)
        made.append(window)
        return window

    yield _make
    for window in made:
        for slot in (window.register_tab.jobs, window.cohort_tab.jobs, window.reports_tab.jobs):
            slot.cancel()


@pytest.fixture
def demo_window(make_window, qtbot):
    """A main window with the bundled demo register and cohort loaded."""
    window = make_window()
    window.open_demo()
    qtbot.waitUntil(lambda: window.register_tab.register is not None, timeout=30_000)
    qtbot.waitUntil(lambda: window.cohort_tab.cohort is not None, timeout=30_000)
    return window


@pytest.fixture(autouse=True)
def fail_on_logged_errors(caplog):
    """A GUI test fails if the app logged an error (e.g. an exception swallowed in a Qt slot)."""
    yield
    errors = [r for r in caplog.records if r.levelno >= 40 and r.name.startswith("lmns_desktop")]
    assert not errors, "\n".join(f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in errors)


@pytest.fixture(scope="session", autouse=True)
def drain_worker_threads():
    """Let background jobs finish before Qt shuts down (a job still running at exit crashes)."""
    yield
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from lmns_desktop.gui import clipboard

    QThreadPool.globalInstance().waitForDone(30_000)
    clipboard.release()
    app = QApplication.instance()
    if app is not None:
        for widget in app.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        app.processEvents()
