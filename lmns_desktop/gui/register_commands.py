"""QUndoCommands over the register's pure edit operations (``core.register_model``).

The first ``redo`` performs the operation and keeps the ``Edit`` it returns; after that undo and
redo replay the Edit exactly. The tab refreshes the sheets each Edit names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from lmns_desktop.core.register_model import Edit, RegisterDocument

log = logging.getLogger(__name__)


class EditCommand(QUndoCommand):
    """One undoable register change, e.g. "Edit project IH-0004"."""

    def __init__(self, text: str, doc: RegisterDocument, apply: Callable[[], Edit],
                 refresh: Callable[[tuple[str, ...]], None]) -> None:
        super().__init__(text)
        self.doc, self._apply, self._refresh = doc, apply, refresh
        self.edit: Edit | None = None

    def redo(self) -> None:
        if self.edit is None:
            self.edit = self._apply()  # raises before the stack changes: the caller reports it
            self._refresh(self.edit.sheets)
            return
        try:
            self.edit.redo(self.doc)
            self._refresh(self.edit.sheets)
        except Exception:
            log.exception("Redo of %r failed", self.text())

    def undo(self) -> None:
        # An exception must never escape a Qt virtual (PySide6 would crash reporting it).
        if self.edit is None:
            return
        try:
            self.edit.undo(self.doc)
            self._refresh(self.edit.sheets)
        except Exception:
            log.exception("Undo of %r failed", self.text())
