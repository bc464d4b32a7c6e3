"""One helper for developers and CI: set up, run on demo data, test, benchmark, bundle.

    python3 build_scripts/dev.py demo      # set up .venv if needed, open the app on the demo data
    python3 build_scripts/dev.py test      # set up .venv if needed, run the whole test suite headless
    python3 build_scripts/dev.py bench     # run the benchmarks in tests/bench
    python3 build_scripts/dev.py ui        # recompile ui/*.ui into lmns_desktop/gui/forms
    python3 build_scripts/dev.py bundle    # build the PyInstaller one-folder app

Works on Linux, macOS and Windows with only Python 3.10+ installed. On Debian/Ubuntu without
Qt's system libraries it installs them with apt when it can (root), or says which to install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".lmns-installed"
IS_WINDOWS = os.name == "nt"
#: Debian packages Qt needs to start (offscreen for tests, xcb for a real window).
QT_DEBIAN_PACKAGES = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libfreetype6",
    "libdbus-1-3", "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
    "libxcb-xkb1", "libx11-xcb1",
]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def run(cmd: list[str | Path], **kwargs: object) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)  # type: ignore[arg-type]


def ensure_venv(extras: str = "test,build") -> Path:
    """Create .venv and install the package (with extras) unless pyproject.toml is unchanged."""
    if not venv_python().exists():
        print(f"Creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        py = venv_python()
        if run([py, "-m", "pip", "install", "--upgrade", "--quiet", "pip"]) != 0:
            sys.exit("Could not upgrade pip in .venv; check the network connection to PyPI.")
        if run([py, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]"]) != 0:
            sys.exit("Could not install the package into .venv; see the pip messages above.")
        STAMP.write_text(digest)
    return venv_python()


def ensure_qt_libraries(py: Path) -> None:
    """Make sure Qt can load; on Debian install its runtime libraries with apt if we are root."""
    probe = [str(py), "-c", "from PySide6 import QtGui, QtWidgets"]
    result = subprocess.run(probe, capture_output=True, text=True, cwd=ROOT)
    if result.returncode == 0:
        return
    missing = result.stderr.strip().splitlines()[-1:] or ["unknown error"]
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"Qt could not load ({missing[0]}); installing its libraries with apt …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.call([apt, "update", "-qq"], env=env)
        subprocess.call([apt, "install", "-y", "-qq", *QT_DEBIAN_PACKAGES], env=env)
        if subprocess.run(probe, capture_output=True, cwd=ROOT).returncode == 0:
            return
    sys.exit(
        f"Qt could not load: {missing[0]}\n"
        "On Debian/Ubuntu install Qt's runtime libraries and try again:\n"
        f"  sudo apt-get install -y {' '.join(QT_DEBIAN_PACKAGES)}"
    )


def headless_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["LMNS_NO_CRASH_DIALOG"] = "1"
    return env


def cmd_demo(args: list[str]) -> int:
    py = ensure_venv()
    ensure_qt_libraries(py)
    return run([py, "-m", "lmns_desktop", "--demo", *args])


def cmd_test(args: list[str]) -> int:
    py = ensure_venv()  # with [build]: the suite builds the bundle and runs its self-test
    ensure_qt_libraries(py)
    return run([py, "-m", "pytest", *args], env=headless_env())


def cmd_bench(args: list[str]) -> int:
    py = ensure_venv()
    ensure_qt_libraries(py)
    scripts = sorted((ROOT / "tests" / "bench").glob("bench_*.py"))
    chosen = [s for s in scripts if not args or any(a in s.name for a in args)]
    status = 0
    for script in chosen:
        status |= run([py, script], env=headless_env())
    return status


def cmd_ui(args: list[str]) -> int:
    py = ensure_venv()
    return run([py, ROOT / "build_scripts" / "compile_ui.py"])


def cmd_bundle(args: list[str]) -> int:
    py = ensure_venv()
    ensure_qt_libraries(py)
    spec = ROOT / "build_scripts" / "lmns_desktop.spec"
    return run([py, "-m", "PyInstaller", "--noconfirm", "--clean", spec, *args])


COMMANDS = {"demo": cmd_demo, "test": cmd_test, "bench": cmd_bench, "ui": cmd_ui, "bundle": cmd_bundle}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
