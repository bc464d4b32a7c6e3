"""Compile Qt Designer forms in ui/ into lmns_desktop/gui/forms/ui_<name>.py (committed).

Run after editing a .ui file: ``python build_scripts/compile_ui.py``. A test checks that the
committed forms match their sources.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_DIR = ROOT / "ui"
FORMS_DIR = ROOT / "lmns_desktop" / "gui" / "forms"
HEADER = "# Automatically generated from ui/{name} by build_scripts/compile_ui.py - do not edit.\n"


def uic_command() -> list[str]:
    exe = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyside6-uic"
    )
    if exe is None:
        raise SystemExit("pyside6-uic was not found; install the package first (dev.py test).")
    return [exe]


def compile_form(ui_file: Path) -> str:
    """The generated Python source for one form, with our header and no version noise."""
    out = subprocess.run(
        [*uic_command(), "--from-imports", str(ui_file)], check=True, capture_output=True, text=True
    ).stdout
    body = [line for line in out.splitlines() if not line.startswith("## ")]
    return HEADER.format(name=ui_file.name) + "\n".join(body).strip() + "\n"


def expected_forms() -> dict[Path, str]:
    return {FORMS_DIR / f"ui_{f.stem}.py": compile_form(f) for f in sorted(UI_DIR.glob("*.ui"))}


def main() -> int:
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    (FORMS_DIR / "__init__.py").write_text('"""Generated Designer forms (see ui/)."""\n')
    for target, source in expected_forms().items():
        target.write_text(source, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
