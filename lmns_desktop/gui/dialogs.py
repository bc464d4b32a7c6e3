"""Every message box goes through here, so tests can replace one place and nothing blocks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

EXCEL_FILTER = "Excel workbooks (*.xlsx)"
WORKBOOK_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv);;All files (*)"
COHORT_FILTER = (
    "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv);;Excel (*.xlsx *.xlsm *.xls);;"
    "OpenDocument (*.ods);;CSV (*.csv);;All files (*)"
)


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """What happened and what to do, with "Copy details" for the IT helpdesk."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    copy.clicked.disconnect()  # keep the box open after copying
    copy.clicked.connect(lambda: copy_details(title, message))
    box.exec()


def error_details(title: str, message: str) -> str:
    """Text for the helpdesk: the message, version, system and where the log is (no data)."""
    import platform

    import lmns_desktop
    from lmns_desktop import paths

    return (f"{title}\n{message}\n\nLMNS Inclusion Health Desktop {lmns_desktop.__version__}\n"
            f"{platform.platform()}; Python {platform.python_version()}\n"
            f"Log file: {paths.log_dir() / 'lmns-desktop.log'}")


def copy_details(title: str, message: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(error_details(title, message))


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


def ask_save_discard_cancel(parent: QWidget | None, title: str, question: str) -> str:
    """Return "save", "discard" or "cancel"."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, question, parent=parent)
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {
        QMessageBox.StandardButton.Save: "save",
        QMessageBox.StandardButton.Discard: "discard",
    }.get(QMessageBox.StandardButton(answer), "cancel")


def open_file(parent: QWidget | None, title: str, folder: Path, file_filter: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), file_filter)
    return Path(name) if name else None


def save_file(parent: QWidget | None, title: str, suggested: Path, file_filter: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    return Path(name) if name else None


def edit_record(parent: QWidget | None, title: str, columns, choices, values, validate):  # noqa: ANN001, ANN201
    """Show a record form; returns the valid values, or None if cancelled."""
    from lmns_desktop.gui.widgets.record_dialog import RecordDialog

    dialog = RecordDialog(title, columns, choices, values, validate, parent)
    return dialog.values() if dialog.exec() == RecordDialog.DialogCode.Accepted else None


def choose(parent: QWidget | None, title: str, message: str, options: list[str]) -> str | None:
    """Ask the user to pick one of several actions (buttons); None if they closed the box."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
    buttons = {box.addButton(text, QMessageBox.ButtonRole.AcceptRole): text for text in options}
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return buttons.get(box.clickedButton())


def import_register(parent: QWidget | None, path: Path):  # noqa: ANN201
    """Run the import-register dialog; returns (document, report) or (None, None)."""
    from lmns_desktop.gui.widgets.register_import_dialog import RegisterImportDialog

    dialog = RegisterImportDialog(path, parent)
    if dialog.exec() == RegisterImportDialog.DialogCode.Accepted:
        return dialog.result_doc, dialog.report
    return None, None


def run_dialog(dialog) -> bool:  # noqa: ANN001
    """Show a modal dialog (print, print preview); tests replace this to avoid blocking."""
    return bool(dialog.exec())


def review_mapping(parent: QWidget | None, suggestions, samples):  # noqa: ANN001, ANN201
    """The mapping dialog: returns (mapping, profile name) or None if cancelled."""
    from lmns_desktop.gui.widgets.mapping_dialog import MappingDialog

    dialog = MappingDialog(suggestions, samples, parent=parent)
    if dialog.exec() == MappingDialog.DialogCode.Accepted:
        return dialog.mapping(), dialog.profile_name()
    return None


def ask_password(parent: QWidget | None, title: str, message: str) -> str | None:
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    text, ok = QInputDialog.getText(parent, title, message, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def choose_item(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    from PySide6.QtWidgets import QInputDialog

    item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return item if ok else None
