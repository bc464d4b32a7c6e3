"""The window appears before pandas and matplotlib are imported (they load in the background)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_window_is_shown_before_heavy_imports(tmp_path) -> None:
    code = (
        "import sys\n"
        "from lmns_desktop.gui.app import make_application\n"
        "from lmns_desktop.gui.main_window import MainWindow\n"
        "from lmns_desktop.gui.settings import Settings\n"
        "app = make_application()\n"
        f"w = MainWindow(Settings(r'{tmp_path / 's.ini'}')); w.show(); app.processEvents()\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'numpy', 'openpyxl', 'reportlab') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LMNS_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
