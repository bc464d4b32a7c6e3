"""Estimate the Windows one-folder size from a Linux build (PyInstaller cannot cross-build).

    python3 build_scripts/dev.py bundle
    .venv/bin/python build_scripts/windows_size.py      # downloads Windows wheels (about 160 MB)

For every package in ``dist/lmns-desktop/_internal`` it downloads the Windows wheel of the same
version and counts the binaries and data files that correspond to files the Linux build kept
(``libQt6Core.so.6`` <-> ``Qt6Core.dll``, ``lib.cpython-311-x86_64-linux-gnu.so`` <->
``lib.cp311-win_amd64.pyd``), plus the Windows-only pieces (the ``qwindows`` platform plugin, Windows styles, MSVC runtimes).
The rest (Python runtime, the executable with the app's code, resources) is taken from the
Linux build, without its Linux system libraries and Pillow's separate Linux libraries.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from importlib.metadata import packages_distributions, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "dist" / "lmns-desktop"
WHEELS = Path(tempfile.gettempdir()) / "lmns-windows-wheels"
#: Files only a Windows build has: the platform plugin, the Windows styles, C++ runtimes.
WINDOWS_ONLY = re.compile(r"plugins/(platforms/qwindows|styles/)|msvcp140|vcruntime140|concrt140")
MB = 1024 * 1024


def file_key(path: str) -> str:
    """One name for a file on both systems: directory plus the bare library or module name."""
    *folders, name = path.split("/")
    name = re.sub(r"\.(cpython-311-x86_64-linux-gnu|abi3|cp311-win_amd64)(\.so|\.pyd)$", "", name)
    name = re.sub(r"(\.so(\.\d+)*|\.dll|\.pyd)$", "", name)
    name = re.sub(r"^lib", "", name)
    name = re.sub(r"-[0-9a-f]{8,}$", "", name)  # auditwheel/delvewheel hash
    name = re.sub(r"[.-]\d+(\.\d+)*$", "", name).lower().rstrip("_-")
    if folders and folders[0] == "PySide6":  # Qt's layout differs: PySide6/Qt/lib vs PySide6/
        return "PySide6//" + name
    return "/".join([*folders, name])


def _size(path: Path) -> int:
    files = [path] if path.is_file() else path.rglob("*")
    return sum(f.stat().st_size for f in files if f.is_file() and not f.is_symlink())


def main() -> int:
    internal = BUILD / "_internal"
    if not internal.is_dir():
        sys.exit("No build found: run `python3 build_scripts/dev.py bundle` first.")
    kept = {
        file_key(p.relative_to(internal).as_posix()) for p in internal.rglob("*") if p.is_file()
    }
    providers = packages_distributions()  # import name -> distributions, from this venv
    dists = sorted(
        {
            dist
            for p in internal.iterdir()
            for dist in providers.get(p.name.removesuffix(".libs"), [])
        }
    )
    WHEELS.mkdir(exist_ok=True)
    for name in dists:
        if name == "lmns-desktop":
            continue
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                "win_amd64",
                "--python-version",
                "3.11",
                "--implementation",
                "cp",
                "--dest",
                str(WHEELS),
                f"{name}=={version(name)}",
            ],
            check=False,
            capture_output=True,
        )
    windows: dict[str, int] = defaultdict(int)
    for wheel in WHEELS.glob("*win_amd64.whl"):
        for info in zipfile.ZipFile(wheel).infolist():
            name = info.filename
            if name.endswith(("/", ".py", ".pyi")) or ".dist-info/" in name:
                continue
            if file_key(name) in kept or WINDOWS_ONLY.search(name):
                windows[name.split("/")[0]] += info.file_size
    packages = set(windows)
    linux_packages = sum(_size(internal / p) for p in packages if (internal / p).exists())
    linux_only = sum(_size(p) for p in internal.glob("*.so*") if not p.name.startswith("libpython"))
    linux_only += sum(_size(p) for p in internal.glob("*.libs") if p.name not in packages)
    rest = _size(BUILD) - linux_packages - linux_only
    total = sum(windows.values()) + rest
    for name, size in sorted(windows.items(), key=lambda kv: -kv[1]):
        if size >= MB:
            print(f"  {name:20s} {size / MB:6.1f} MB (Linux {_size(internal / name) / MB:6.1f})")
    print(f"  {'Python, app, rest':20s} {rest / MB:6.1f} MB")
    print(f"Linux build {_size(BUILD) / MB:.0f} MB; Windows estimate {total / MB:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
