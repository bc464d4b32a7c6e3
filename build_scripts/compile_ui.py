"""Compile Qt Designer forms in ui/ into lmns_desktop/gui/forms/ui_<name>.py (committed).

Run after editing a .ui file: ``python build_scripts/compile_ui.py``. A test checks that the
committed forms match their sources.
"""

from __future__ import annotations

import ast
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


def prune_imports(source: str) -> str:
    """Keep only the Qt names the form uses: each imported PySide6 name costs start-up time
    (PySide6 initialises a type when it is imported), ~40 ms for uic's full lists."""
    tree = ast.parse(source)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    lines = source.splitlines()
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6"):
            names = sorted(a.name for a in node.names if a.name in used)
            if names:
                out.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.ClassDef):
            out.append("")
            out.extend(lines[node.lineno - 1 - len(node.decorator_list):])
            break
    return "\n".join(out)


def compile_form(ui_file: Path) -> str:
    """The generated Python source for one form, with our header and no version noise."""
    out = subprocess.run(
        [*uic_command(), "--from-imports", str(ui_file)], check=True, capture_output=True, text=True
    ).stdout
    return HEADER.format(name=ui_file.name) + prune_imports(out).strip() + "\n"


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
