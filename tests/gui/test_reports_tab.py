"""The Reports tab driven through its buttons: Excel and Word saves, disclosure control, print."""

from __future__ import annotations

import openpyxl
import pytest
from docx import Document
from PySide6.QtCore import Qt


@pytest.fixture
def reports(demo_window, qtbot):
    tab = demo_window.reports_tab
    demo_window.ui.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.profile is not None, timeout=30_000)
    return demo_window, tab


@pytest.mark.parametrize(("button", "suffix"), [("Excel", ".xlsx"), ("Word", ".docx")])
def test_save_buttons_write_the_selected_report(reports, qtbot, dialog_answers, tmp_path, button, suffix) -> None:
    window, tab = reports
    tab.template_list.setCurrentRow(0)
    out = tmp_path / f"board{suffix}"
    dialog_answers.save_path = out
    with qtbot.waitSignal(tab.report_saved, timeout=60_000):
        qtbot.mouseClick(tab.save_buttons[button], Qt.MouseButton.LeftButton)
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(out)
        assert "Notes" in book.sheetnames
    else:
        headings = [p.text for p in Document(out).paragraphs if p.style.name.startswith("Heading")]
        assert any("Register overview" in h for h in headings)
    assert str(out) in tab.status.text()


def test_cohort_report_marks_every_page_when_disclosure_control_is_off(reports, qtbot, dialog_answers, tmp_path) -> None:
    from pypdf import PdfReader

    window, tab = reports
    tab.template_list.setCurrentRow(2)
    tab.suppress_check.setChecked(False)
    out = tmp_path / "cohort.pdf"
    dialog_answers.save_path = out
    with qtbot.waitSignal(tab.report_saved, timeout=60_000):
        qtbot.mouseClick(tab.save_buttons["PDF"], Qt.MouseButton.LeftButton)
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert all("Unsuppressed" in text for text in pages)


def test_print_preview_gets_the_rendered_report(reports, qtbot, monkeypatch) -> None:
    from lmns_desktop.gui import dialogs

    window, tab = reports
    shown = []
    monkeypatch.setattr(dialogs, "run_dialog", lambda dialog: shown.append(dialog) or False)
    with qtbot.waitSignal(tab.print_ready, timeout=60_000) as ready:
        qtbot.mouseClick(tab.preview_button, Qt.MouseButton.LeftButton)
    html, title, preview = ready.args
    assert preview and "LMNS board summary" in html
    assert shown and "Print preview" in shown[0].windowTitle()


def test_live_preview_follows_the_options(reports, qtbot) -> None:
    window, tab = reports
    qtbot.keyClicks(tab.title_edit, "March LMNS board")
    qtbot.waitUntil(lambda: "March LMNS board" in tab.preview.toPlainText(), timeout=30_000)


def test_ticking_a_trust_limits_the_report_to_it(reports, qtbot) -> None:
    window, tab = reports
    assert tab.request().trusts == []
    item = tab.trust_list.item(1)
    trust = item.text()
    item.setCheckState(Qt.CheckState.Checked)
    assert tab.request().trusts == [trust]
    tab.set_register(window.register_tab.doc)  # an edit refreshes the list; the tick stays
    assert tab.request().trusts == [trust]


def test_a_saved_report_shows_a_notice_with_open_buttons(reports, qtbot, dialog_answers, tmp_path) -> None:
    window, tab = reports
    dialog_answers.save_path = tmp_path / "board.pdf"
    with qtbot.waitSignal(tab.report_saved, timeout=60_000):
        qtbot.mouseClick(tab.save_buttons["PDF"], Qt.MouseButton.LeftButton)
    assert window.toast.isVisible()
    assert "board.pdf" in window.toast.label.text()
    assert window.toast.open_file_button.isVisible() and window.toast.open_folder_button.isVisible()
    qtbot.mouseClick(window.toast.close_button, Qt.MouseButton.LeftButton)
    assert not window.toast.isVisible()


def test_error_details_for_the_helpdesk_hold_no_data() -> None:
    from lmns_desktop.gui.dialogs import error_details

    text = error_details("The cohort could not be imported", "export.xlsx is empty. Choose another file.")
    assert "export.xlsx is empty" in text and "LMNS Inclusion Health Desktop" in text
    assert "lmns-desktop.log" in text
