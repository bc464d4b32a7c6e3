"""Saving: dispatch on the suffix, atomic writes, and plain sentences for the usual failures."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import report_samples as samples

from lmns_desktop.core.errors import UserError
from lmns_desktop.reports.content import Paragraph, Report, Table
from lmns_desktop.reports.html import render_html
from lmns_desktop.reports.render import save_report

REPO = Path(__file__).resolve().parents[2]
SUFFIXES = (".pdf", ".xlsx", ".docx")
MAGIC = {".pdf": b"%PDF", ".xlsx": b"PK\x03\x04", ".docx": b"PK\x03\x04"}


def _small() -> Report:
    return Report("board", "Small", blocks=[Paragraph("Hi"), Table(("a", "b"), (("x", 1),))])


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".~lmns-")]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_non_ascii_file_name_saves(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / "Équité 報告"
    folder.mkdir()
    out = save_report(_small(), folder / f"Rapport d'équité – Zoë{suffix}")
    assert out.read_bytes().startswith(MAGIC[suffix])
    assert _leftovers(folder) == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_missing_folder_is_a_user_error(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(UserError, match="does not exist"):
        save_report(_small(), tmp_path / "nope" / f"r{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\.pdf, \.xlsx, \.docx"):
        save_report(_small(), tmp_path / "r.odt")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_target_that_is_a_folder_leaves_no_temp_file(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"r{suffix}").mkdir()
    with pytest.raises(UserError, match="is a folder"):
        save_report(_small(), tmp_path / f"r{suffix}")
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_file_open_elsewhere_keeps_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """Windows refuses to replace a file open in Excel or Word with a PermissionError."""
    out = tmp_path / f"r{suffix}"
    out.write_bytes(b"old")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError, match="open in another program"):
        save_report(_small(), out)
    assert out.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def _attempt(target: str) -> str:
    try:
        save_report(Report("board", "R", blocks=[Paragraph("x")]), target)
    except UserError as exc:
        return f"USERERROR {exc}"
    return "saved"


def _read_only_attempt(folder: Path) -> str:
    """Try to save into ``folder`` (read-only); return one outcome line per format.

    Root ignores folder permissions (CI containers run as root), so there the attempt runs in
    a forked child that has dropped to the 'nobody' user first.
    """
    targets = [str(folder / f"r{suffix}") for suffix in SUFFIXES]
    if os.geteuid() != 0:
        return "\n".join(_attempt(t) for t in targets)
    import lmns_desktop.reports.docx  # noqa: F401 - imported before the fork, as the child
    import lmns_desktop.reports.pdf  # noqa: F401   may not read the parent's files
    import lmns_desktop.reports.xlsx  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            result = "\n".join(_attempt(t) for t in targets)
            code = 0
        except BaseException as exc:  # report anything unexpected to the parent
            result = f"child failed: {exc!r}"
        finally:
            os.write(write_end, result.encode("utf-8"))
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        out = pipe.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out


def test_read_only_folder_is_a_user_error() -> None:
    base = Path(tempfile.mkdtemp(prefix="lmns-ro-"))
    try:
        os.chmod(base, 0o755)
        folder = base / "read only"
        folder.mkdir()
        os.chmod(folder, 0o555)
        out = _read_only_attempt(folder)
        lines = out.splitlines()
        assert len(lines) == 3, out
        for line, kind in zip(lines, ("PDF", "Excel workbook", "Word document"), strict=True):
            assert line.startswith("USERERROR The folder"), line
            assert "cannot be written to" in line and kind in line
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(base / "read only", 0o755)
        shutil.rmtree(base)


def test_html_preview_embeds_charts_with_alt_text() -> None:
    html = render_html(samples.sample_report(unsuppressed=True))
    assert html.count('<img src="data:image/png;base64,') == 7
    assert 'alt="Bar chart: Core20 share is highest' in html
    assert "Unsuppressed — internal use only" in html and "Period: April 2024" in html
    light = render_html(samples.sample_report(), charts=False)
    assert "<img" not in light and "Coverage: PLUS groups × sub-workstreams" in light
