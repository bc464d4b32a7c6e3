"""QUndoCommands over the register's pure edit operations (``core.register_model``).

The first ``redo`` performs the operation and keeps the ``Edit`` it returns; after that undo and
redo replay the Edit exactly. The tab refreshes the sheets each Edit names.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from lmns_desktop.core.register_model import Edit, RegisterDocument


class EditCommand(QUndoCommand):
    """One undoable register change, e.g. "Edit project IH-0004"."""

    def __init__(self, text: str, doc: RegisterDocument, apply: Callable[[], Edit],
                 refresh: Callable[[tuple[str, ...]], None]) -> None:
        super().__init__(text)
        self.doc, self._apply, self._refresh = doc, apply, refresh
        self.edit: Edit | None = None

    def redo(self) -> None:
        if self.edit is None:
            self.edit = self._apply()  # may raise UserError: the caller validates first
        else:
            self.edit.redo(self.doc)
        self._refresh(self.edit.sheets)

    def undo(self) -> None:
        if self.edit is not None:
            self.edit.undo(self.doc)
            self._refresh(self.edit.sheets)
