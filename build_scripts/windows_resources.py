"""The Windows icon (.ico) and version resource for the PyInstaller build, made at build time.

Why generated: the icon is drawn from the one SVG the app already uses (so the two never drift)
and the version resource carries the package version, which Windows shows in the file's
Properties and IT inventories read. Both are written into the build folder, never committed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

ICON_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def make_icon(svg: Path, target: Path) -> Path:
    """Render ``svg`` at every Windows icon size into one multi-size .ico file."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    # A GUI application object is needed to paint; offscreen works on build machines too.
    app = QGuiApplication.instance() or QGuiApplication(["make_icon", "-platform", "offscreen"])  # noqa: F841
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    images = []
    for size in ICON_SIZES:
        canvas = QImage(size, size, QImage.Format.Format_ARGB32)
        canvas.fill(0)
        painter = QPainter(canvas)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        canvas.save(buffer, "PNG")
        images.append(Image.open(io.BytesIO(bytes(data))).convert("RGBA"))
    target.parent.mkdir(parents=True, exist_ok=True)
    largest = images[-1]
    largest.save(target, format="ICO", sizes=[(s, s) for s in ICON_SIZES],
                 append_images=images[:-1])
    return target


def _version_tuple(version: str) -> tuple[int, int, int, int]:
    """"1.2.3rc1" -> (1, 2, 3, 0): Windows wants four 16-bit numbers."""
    numbers = []
    for part in version.split(".")[:4]:
        leading = re.match(r"\d+", part)
        numbers.append(min(int(leading.group()) if leading else 0, 65535))
    return tuple((numbers + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


VERSION_TEMPLATE = """\
# Windows version resource for lmns-desktop.exe (PyInstaller's text form), version {version}.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080904B0', [
      StringStruct('CompanyName', 'LMNS Inclusion Health Desktop contributors'),
      StringStruct('FileDescription', 'LMNS Inclusion Health Desktop'),
      StringStruct('FileVersion', {version!r}),
      StringStruct('InternalName', 'lmns-desktop'),
      StringStruct('OriginalFilename', 'lmns-desktop.exe'),
      StringStruct('ProductName', 'LMNS Inclusion Health Desktop'),
      StringStruct('ProductVersion', {version!r})])]),
    VarFileInfo([VarStruct('Translation', [0x0809, 1200])])
  ]
)
"""


def make_version_file(version: str, target: Path) -> Path:
    """Write the version resource in the text form PyInstaller's ``version=`` option reads.

    Written as text rather than with PyInstaller's classes, which need ``pefile`` (Windows-only).
    Language 0x0809 is English (United Kingdom), code page 1200 is Unicode.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(VERSION_TEMPLATE.format(version=version, numbers=_version_tuple(version)),
                      encoding="utf-8")
    return target
