"""The PyInstaller one-folder build: it builds, runs from a read-only folder, passes its own
self-test with no network, and writes nothing outside the per-user data folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534

pytestmark = pytest.mark.bundle


def _pyinstaller() -> list[str]:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is not installed: the test command installs the [build] extra")
    return [sys.executable, "-m", "PyInstaller"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [*_pyinstaller(), "--noconfirm", "--distpath", str(work / "dist"), "--workpath",
         str(work / "build"), str(REPO / "build_scripts" / "lmns_desktop.spec")],
        capture_output=True, text=True, cwd=REPO, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = work / "dist" / "lmns-desktop"
    assert (folder / "lmns-desktop").exists() or (folder / "lmns-desktop.exe").exists()
    # Installed read-only, as IT puts it on a network share or in Program Files.
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return folder


def _run(bundle: Path, args: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run the frozen app as an ordinary user with a fresh home folder and no network."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen",
           "TMPDIR": str(home / "tmp"), "LANG": "C.UTF-8"}
    (home / "tmp").mkdir(exist_ok=True)
    preexec = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root ignores permissions: drop to nobody
        for path in [home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        parents = {p for p in [*bundle.parents, *home.parents] if p != Path("/")}
        for parent in parents:  # let nobody reach the bundle and home inside pytest's tmp folders
            parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)

        def preexec() -> None:
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    return subprocess.run([str(bundle / "lmns-desktop"), *args], capture_output=True, text=True,
                          env=env, timeout=300, preexec_fn=preexec)


def test_frozen_app_reports_its_version(bundle: Path, tmp_path: Path) -> None:
    result = _run(bundle, ["--version"], tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("lmns-desktop ")


def test_frozen_self_test_passes_from_a_read_only_folder_and_writes_only_user_data(
    bundle: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    before = {p for p in bundle.rglob("*")}
    result = _run(bundle, ["--self-test"], home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert {p for p in bundle.rglob("*")} == before  # nothing written into the install
    written = [p for p in home.rglob("*") if p.is_file()]
    data_dir = home / ".local" / "share" / "lmns-desktop"
    outside = [str(p.relative_to(home)) for p in written if not p.is_relative_to(data_dir)]
    assert outside == [], f"files written outside the per-user data folder: {outside}"
    assert (data_dir / "logs" / "lmns-desktop.log").exists()


def test_bundle_leaves_out_what_the_app_never_uses(bundle: Path) -> None:
    """TLS, Qt Network and Quick, Arrow Flight/S3 and the software OpenGL renderer stay out."""
    unwanted = ("libssl", "libcrypto.so", "_ssl.", "_hashlib.", "Qt6Network", "Qt6Quick",
                "Qt6Qml", "Qt6WebEngine", "arrow_flight", "arrow_s3", "opengl32sw")
    found = sorted({p.name for p in bundle.rglob("*") if any(u in p.name for u in unwanted)})
    assert found == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads ELF headers (Linux)")
def test_every_bundled_library_finds_the_bundled_libraries_it_needs(bundle: Path) -> None:
    """What the spec leaves out is needed by nothing it keeps (Qt, ICU, Arrow, NumPy's BLAS)."""
    from PyInstaller.depend.bindepend import get_imports

    ours = ("libQt6", "libicu", "libarrow", "libparquet", "libpyside", "libshiboken",
            "libscipy_openblas")
    present = {p.name for p in bundle.rglob("*.so*")}
    missing = []
    for lib in bundle.rglob("*.so*"):
        if lib.is_symlink() or not lib.is_file():
            continue
        for name, _ in get_imports(str(lib)):
            if Path(name).name.startswith(ours) and Path(name).name not in present:
                missing.append(f"{lib.relative_to(bundle)} needs {name}")
    assert missing == []
