"""Where things live: bundled resources and the per-user data folder.

One place resolves resource paths for source, installed and PyInstaller runs, and one place
decides the per-user folder for settings, logs, caches and crash-recovery files (no admin rights,
no registry). ``LMNS_DATA_DIR`` overrides the folder (tests, portable use).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "LMNS Inclusion Health"
APP_ORG = "LMNS"
APP_DIR_NAME = "LMNS Desktop"


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resource_path(*parts: str) -> Path:
    """A bundled resource, whether run from source, an installed wheel or a PyInstaller build."""
    if is_frozen():
        base = Path(sys._MEIPASS) / "lmns_desktop" / "resources"  # type: ignore[attr-defined]
    else:
        base = Path(__file__).resolve().parent / "resources"
    return base.joinpath(*parts)


def user_data_dir() -> Path:
    """The per-user data folder (created on first use)."""
    override = os.environ.get("LMNS_DATA_DIR")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / APP_ORG / APP_DIR_NAME
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "lmns-desktop"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from lmns_desktop.core.errors import UserError

        raise UserError(
            f"The app's data folder {base} cannot be created ({exc.strerror}). Ask IT to give "
            "you write access to it, or set LMNS_DATA_DIR to a folder you can write to."
        ) from exc
    return base


def log_dir() -> Path:
    path = user_data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_file() -> Path:
    return user_data_dir() / "settings.ini"


def demo_dir() -> Path:
    return resource_path("demo")


def configure_runtime() -> None:
    """Point matplotlib's config and font cache at the per-user folder.

    Its default (beside the install, or in a home folder IT may lock down) fails when the app
    runs from a read-only network share; this costs nothing at start-up (no imports).
    """
    os.environ.setdefault("MPLCONFIGDIR", str(user_data_dir() / "matplotlib"))
