"""A whole demo session opens no network connection."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise AssertionError("the app tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_demo_session_opens_no_socket(no_network, make_window, qtbot, dialog_answers, tmp_path) -> None:
    window = make_window()
    window.open_demo()
    qtbot.waitUntil(lambda: window.register_tab.register is not None, timeout=30_000)
    qtbot.waitUntil(lambda: window.cohort_tab.cohort is not None, timeout=30_000)
    for i in range(window.ui.tabs.count()):
        window.ui.tabs.setCurrentIndex(i)
        qtbot.wait(20)
    dialog_answers.save_path = tmp_path / "board.pdf"
    with qtbot.waitSignal(window.reports_tab.pdf_saved, timeout=30_000):
        qtbot.mouseClick(window.reports_tab.save_pdf_button, Qt.MouseButton.LeftButton)
    assert no_network == []
    assert dialog_answers.errors == []
