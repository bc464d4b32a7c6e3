"""Importing an existing register from a hand-made workbook, through the real dialog."""

from __future__ import annotations

import openpyxl

from lmns_desktop.gui.widgets.register_import_dialog import KEEP, RegisterImportDialog


def _hand_made(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Our projects 2025"
    ws.append(["North LMNS equity projects"])
    ws.append(["Updated monthly by the equity lead"])
    ws.append([])
    ws.append(["Project name", "Workstream", "Project lead", "Current status", "Budget code"])
    ws.append(["Doula outreach", "Culture", "A. Okafor", "Active", "B-1"])
    ws.append(["Easy read leaflets", "Service User Experience", "B. Hussain", "planning", "B-2"])
    ws.append(["Mystery project", "Not a workstream", "C. Walsh", "Active", "B-3"])
    wb.create_sheet("Notes").append(["not a register"])
    wb.save(path)


def test_import_maps_columns_keeps_extras_and_reports_problems(qtbot, tmp_path) -> None:
    source = tmp_path / "old register.xlsx"
    _hand_made(source)
    dialog = RegisterImportDialog(source)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.header_spin.value() == 4
    assert dialog.sheet_combo.currentText() == "Our projects 2025"
    mapping = dialog.current_mapping()
    assert mapping["Project name"] == "Title"
    assert mapping["Workstream"] == "Sub-workstream"
    assert mapping["Budget code"] is None  # kept as an extra column
    combo = dialog.mapping.cellWidget(list(mapping).index("Project lead"), 2)
    combo.setCurrentText("Lead")
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    assert dialog.preview.frame_model.rowCount() == 3
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.import_button.click()
    doc, report = dialog.result_doc, dialog.report
    assert len(doc.projects) == 3
    assert doc.projects["Lead"].tolist() == ["A. Okafor", "B. Hussain", "C. Walsh"]
    assert "Budget code" in doc.projects.columns
    assert doc.projects["Sub-workstream"].iloc[1] == "Service user experience"  # tidied
    assert any(p.row == 7 for p in report.problems)  # the unknown workstream, on its source row
    assert any("kept as extra columns" in line for line in report.summary())
    assert KEEP not in doc.projects.columns
