"""Architecture guards: the core is Qt-free and the app never uses pyplot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_imports_with_pyside6_blocked() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "sys.modules['PySide6'] = None\n"
        "import lmns_desktop.core as core\n"
        "names = [m.name for m in pkgutil.walk_packages(core.__path__, 'lmns_desktop.core.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "import lmns_desktop.reports.content, lmns_desktop.reports.templates, lmns_desktop.reports.pdf\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "print(len(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 5


def test_no_source_file_imports_pyplot() -> None:
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "lmns_desktop").rglob("*.py")
        if "matplotlib.pyplot" in p.read_text(encoding="utf-8") or "import pylab" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
