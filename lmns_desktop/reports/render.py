"""Save a report in the format its file name asks for, safely.

Why one place: every renderer writes to a temp file in the target folder and then replaces the
target, so a crash or a full disk never leaves half a report, and every renderer turns the
usual failures (no such folder, read-only folder, file open in Excel or Word) into the same plain
sentences.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lmns_desktop.core.errors import UserError
from lmns_desktop.reports.content import Report

#: Suffix -> (format name, module, function): the renderers are imported only when used.
FORMATS: dict[str, tuple[str, str, str]] = {
    ".pdf": ("PDF", "lmns_desktop.reports.pdf", "render_pdf"),
    ".xlsx": ("Excel workbook", "lmns_desktop.reports.xlsx", "render_xlsx"),
    ".docx": ("Word document", "lmns_desktop.reports.docx", "render_docx"),
}


def save_report(report: Report, out: Path | str) -> Path:
    """Write ``report`` as PDF, Excel or Word, chosen by the suffix of ``out``."""
    import importlib

    out = Path(out)
    try:
        _name, module, func = FORMATS[out.suffix.lower()]
    except KeyError:
        kinds = ", ".join(FORMATS)
        raise UserError(
            f"Reports can be saved as {kinds} files, not as '{out.suffix or 'no extension'}'. "
            "Choose one of those file types."
        ) from None
    return getattr(importlib.import_module(module), func)(report, out)  # type: ignore[no-any-return]


def atomic_save(out: Path, kind: str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temp file beside ``out``, then move it over ``out``.

    Raises :class:`UserError` with a plain sentence when the folder is missing or read-only,
    or the file is open in another program; the temp file never stays behind.
    """
    out = Path(out)
    folder = out.parent
    if not folder.is_dir():
        raise UserError(
            f"The folder {folder} does not exist. Choose another place to save the {kind}."
        )
    if out.is_dir():
        raise UserError(f"{out} is a folder. Choose a file name for the {kind}.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~lmns-", suffix=out.suffix, dir=folder)
    except OSError as exc:
        raise UserError(
            f"The folder {folder} cannot be written to (it may be read-only). "
            f"Choose another folder and save the {kind} again."
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved report gets normal rights
        os.replace(tmp, out)
    except PermissionError as exc:
        raise UserError(
            f"{out.name} could not be written: it may be open in another program or the folder "
            f"is read-only. Close it or choose another folder, then save the {kind} again."
        ) from exc
    except OSError as exc:
        if isinstance(exc, IsADirectoryError | NotADirectoryError | FileNotFoundError):
            reason = exc.strerror or "the path is not usable"
        else:
            reason = exc.strerror or str(exc)
        raise UserError(
            f"{out.name} could not be written ({reason.lower()}). Check there is space on the "
            f"drive and that you can save in {folder}, then try again."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out
