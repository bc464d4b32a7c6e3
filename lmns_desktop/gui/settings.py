"""Typed per-user settings in an INI file: the only module that touches QSettings.

Only file paths, window state and preferences are stored here; patient identifiers and cell
values never are.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from lmns_desktop import paths

MAX_RECENT = 8


class Settings:
    """Typed accessors over a QSettings INI file (per user, no registry, readable by IT)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.settings_file()
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._q.sync()

    @property
    def qsettings(self) -> QSettings:
        """The underlying store, for ``gui.preferences`` (its own typed group)."""
        return self._q

    # --- window state ---------------------------------------------------------------------
    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._q.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self._q.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._q.setValue("window/state", value)

    @property
    def last_tab(self) -> int:
        return int(self._q.value("window/last_tab", 0, type=int))

    @last_tab.setter
    def last_tab(self, index: int) -> None:
        self._q.setValue("window/last_tab", int(index))

    # --- files ----------------------------------------------------------------------------
    def _paths(self, key: str) -> list[Path]:
        value = self._q.value(key, [], type=list) or []
        return [Path(v) for v in value if v]

    def _push_path(self, key: str, path: Path) -> None:
        path = Path(path).resolve()
        items = [p for p in self._paths(key) if p != path]
        self._q.setValue(key, [str(p) for p in ([path, *items])[:MAX_RECENT]])

    @property
    def recent_registers(self) -> list[Path]:
        return self._paths("files/recent_registers")

    def add_recent_register(self, path: Path) -> None:
        self._push_path("files/recent_registers", path)

    def remove_recent_register(self, path: Path) -> None:
        items = [p for p in self.recent_registers if p != Path(path).resolve()]
        self._q.setValue("files/recent_registers", [str(p) for p in items])

    def clear_recent_registers(self) -> None:
        self._q.setValue("files/recent_registers", [])

    @property
    def recent_cohorts(self) -> list[Path]:
        return self._paths("files/recent_cohorts")

    def add_recent_cohort(self, path: Path) -> None:
        self._push_path("files/recent_cohorts", path)

    @property
    def last_folder(self) -> Path:
        value = self._q.value("files/last_folder", "", type=str)
        return Path(value) if value else Path.home()

    @last_folder.setter
    def last_folder(self, path: Path) -> None:
        self._q.setValue("files/last_folder", str(path))

    # --- reports --------------------------------------------------------------------------
    @property
    def report_author(self) -> str:
        return str(self._q.value("reports/author", "", type=str))

    @report_author.setter
    def report_author(self, value: str) -> None:
        self._q.setValue("reports/author", value)

    @property
    def report_template(self) -> str:
        return str(self._q.value("reports/template", "board", type=str))

    @report_template.setter
    def report_template(self, value: str) -> None:
        self._q.setValue("reports/template", value)

    @property
    def report_open_when_done(self) -> bool:
        return bool(self._q.value("reports/open_when_done", False, type=bool))

    @report_open_when_done.setter
    def report_open_when_done(self, value: bool) -> None:
        self._q.setValue("reports/open_when_done", bool(value))
