"""Safe saving: conflicts, locks, interrupted saves, backups and crash recovery."""

from __future__ import annotations

import errno
import json
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lmns_desktop.core import file_safety as fs
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_model import RegisterDocument, update_row
from lmns_desktop.core.register_store import read_register, save_register


def _edit(doc: RegisterDocument, title: str = "Changed") -> None:
    update_row(doc, "Projects", int(doc.projects.index[0]), {"Title": title})


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- conflicts -----------------------------------------------------------------------------


def test_save_detects_a_change_made_by_someone_else(register_file: Path) -> None:
    mine = read_register(register_file)
    theirs = read_register(register_file)
    _edit(theirs, "Their title")
    save_register(theirs)
    _edit(mine, "My title")
    with pytest.raises(fs.FileChangedError, match="was changed by someone else") as info:
        save_register(mine)
    assert isinstance(info.value, UserError)
    assert read_register(register_file).projects["Title"].iloc[0] == "Their title"
    save_register(mine, overwrite=True)
    assert read_register(register_file).projects["Title"].iloc[0] == "My title"


def test_same_content_with_a_new_time_is_not_a_conflict(register_file: Path) -> None:
    doc = read_register(register_file)
    later = time.time() + 100
    os.utime(register_file, (later, later))  # a sync client rewrote it unchanged
    _edit(doc)
    save_register(doc)
    assert read_register(register_file).projects["Title"].iloc[0] == "Changed"


def test_saving_twice_in_a_row_is_not_a_conflict(opened: RegisterDocument) -> None:
    _edit(opened, "One")
    save_register(opened)
    _edit(opened, "Two")
    save_register(opened)
    assert not opened.dirty


def test_fingerprint_change_detection(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    fp = fs.Fingerprint.of_file(path)
    assert not fs.file_changed(path, fp)
    path.write_bytes(b"abcd")
    assert fs.file_changed(path, fp)
    path.unlink()
    assert not fs.file_changed(path, fp)


# --- locks ---------------------------------------------------------------------------------


def _foreign_lock(path: Path, **changes: object) -> None:
    info = {
        "user": "jsmith",
        "machine": "NHS-LAPTOP-42",
        "time": datetime.now().isoformat(),
        "pid": 4242,
        "path": path.name,
    }
    info.update(changes)
    fs.lock_path(path).write_text(json.dumps(info), encoding="utf-8")


def test_our_lock_is_written_and_released_on_save(
    opened: RegisterDocument, register_file: Path
) -> None:
    info = fs.acquire_lock(register_file)
    lock = fs.lock_path(register_file)
    assert lock.name == "~lmns-register.xlsx.lock"
    data = json.loads(lock.read_text(encoding="utf-8"))
    assert data["user"] == fs.current_user() and data["pid"] == os.getpid() == info.pid
    assert fs.check_lock(register_file) is None  # ours: no warning
    _edit(opened)
    save_register(opened)
    assert not lock.exists()


def test_someone_elses_lock_warns_and_can_be_overridden(register_file: Path) -> None:
    _foreign_lock(register_file)
    other = fs.check_lock(register_file)
    assert other is not None and other.user == "jsmith" and not other.is_stale()
    assert "jsmith on NHS-LAPTOP-42" in other.describe()
    with pytest.raises(fs.FileInUseError, match="being edited by jsmith"):
        fs.acquire_lock(register_file)
    fs.release_lock(register_file)  # not ours: left alone
    assert fs.lock_path(register_file).exists()
    fs.acquire_lock(register_file, override=True)
    assert fs.check_lock(register_file) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"time": (datetime.now() - timedelta(hours=13)).isoformat()},
        {"machine": fs.current_machine(), "pid": 999_999_999},  # this computer, process gone
        {"time": "not a time"},
    ],
    ids=["old", "dead-process", "bad-time"],
)
def test_stale_locks_are_recognised(register_file: Path, changes: dict) -> None:
    _foreign_lock(register_file, **changes)
    other = fs.check_lock(register_file)
    assert other is not None and other.is_stale()
    fs.acquire_lock(register_file)  # no override needed
    assert fs.check_lock(register_file) is None


def test_excel_owner_file_is_recognised(opened: RegisterDocument, register_file: Path) -> None:
    owner = register_file.parent / f"~${register_file.name}"
    name = "Jane Smith"
    data = bytes([len(name)]) + name.encode("cp1252")
    data = data.ljust(54, b" ") + bytes([len(name), 0]) + name.encode("utf-16-le")
    owner.write_bytes(data.ljust(165, b"\x00"))
    assert fs.excel_lock_owner(register_file) == "Jane Smith"
    before = register_file.read_bytes()
    _edit(opened)
    with pytest.raises(fs.FileInUseError, match="open in Excel by Jane Smith"):
        save_register(opened)
    assert register_file.read_bytes() == before
    save_register(opened, ignore_excel_lock=True)
    owner.unlink()
    assert fs.excel_lock_owner(register_file) is None


# --- interrupted saves ---------------------------------------------------------------------


def _assert_untouched(path: Path, before: bytes, doc: RegisterDocument) -> None:
    assert path.read_bytes() == before
    assert _leftovers(path.parent) == []
    assert doc.dirty  # the edits are still there to save elsewhere
    assert read_register(path).projects["Title"].iloc[0] == "Project 1"


def test_exception_while_writing_leaves_the_original(
    opened: RegisterDocument, register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = register_file.read_bytes()
    _edit(opened)

    def explode(handle: object, data: bytes) -> None:
        handle.write(data[:1000])  # type: ignore[attr-defined]
        raise RuntimeError("power cut")

    monkeypatch.setattr(fs, "_write_all", explode)
    with pytest.raises(fs.SaveError, match="Nothing was overwritten"):
        save_register(opened, keep_backups=0)
    _assert_untouched(register_file, before, opened)


def test_disk_full_leaves_the_original(
    opened: RegisterDocument, register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = register_file.read_bytes()
    _edit(opened)

    def disk_full(handle: object, data: bytes) -> None:
        handle.write(data[:4096])  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fs, "_write_all", disk_full)
    with pytest.raises(UserError, match="not enough space on the disk"):
        save_register(opened, keep_backups=0)
    _assert_untouched(register_file, before, opened)


def test_read_only_folder_leaves_the_original(
    opened: RegisterDocument, register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = register_file.read_bytes()
    _edit(opened)
    folder = register_file.parent
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root ignores permissions: raise what the folder would

            def denied(*args: object, **kwargs: object) -> None:
                raise PermissionError(errno.EACCES, "Permission denied")

            monkeypatch.setattr(fs.tempfile, "mkstemp", denied)
        with pytest.raises(UserError, match="do not have permission to save in the folder"):
            save_register(opened, keep_backups=0)
    finally:
        folder.chmod(0o755)
    _assert_untouched(register_file, before, opened)


def test_failed_backup_stops_the_save(
    opened: RegisterDocument, register_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = register_file.read_bytes()
    _edit(opened)

    def no_copy(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fs.shutil, "copy2", no_copy)
    with pytest.raises(fs.SaveError, match="backup .* could not be made"):
        save_register(opened)
    _assert_untouched(register_file, before, opened)


# --- backups -------------------------------------------------------------------------------


def test_backups_rotate(opened: RegisterDocument, register_file: Path) -> None:
    saved: list[bytes] = []
    for i in range(12):
        saved.append(register_file.read_bytes())
        _edit(opened, f"Title {i}")
        save_register(opened, keep_backups=10)
    backups = fs.list_backups(register_file)
    assert len(backups) == 10
    assert backups[0].parent.name == ".backups"
    assert [b.read_bytes() for b in backups] == saved[2:]  # oldest two rotated away
    save_register(opened, keep_backups=0)
    assert len(fs.list_backups(register_file)) == 10


# --- crash recovery ------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_recovery_journal_throttles_and_recovers(
    opened: RegisterDocument, register_file: Path, tmp_path: Path
) -> None:
    clock = _Clock()
    journal = fs.RecoveryJournal(tmp_path / "data", clock=clock)
    assert not journal.maybe_write(opened)  # nothing unsaved
    _edit(opened, "Unsaved 1")
    assert journal.maybe_write(opened)
    _edit(opened, "Unsaved 2")
    clock.now += 10
    assert not journal.maybe_write(opened)  # within 30 s
    clock.now += 25
    assert journal.maybe_write(opened)
    clock.now += 60
    assert not journal.maybe_write(opened)  # nothing new since the last write
    entries = journal.entries()
    assert len(entries) == 1 and entries[0].original_path == str(register_file)
    recovered = journal.recover(entries[0])
    assert recovered.dirty and recovered.path == register_file
    assert recovered.projects["Title"].iloc[0] == "Unsaved 2"
    save_register(recovered)  # the original is unchanged, so no conflict
    journal.clear(recovered.path)
    assert journal.entries() == []
    assert read_register(register_file).projects["Title"].iloc[0] == "Unsaved 2"


def test_recovered_register_still_detects_others_changes(
    opened: RegisterDocument, register_file: Path, tmp_path: Path
) -> None:
    journal = fs.RecoveryJournal(tmp_path / "data")
    _edit(opened, "Mine")
    journal.maybe_write(opened)
    other = read_register(register_file)
    _edit(other, "Theirs")
    save_register(other)
    recovered = journal.recover(journal.entries()[0])
    with pytest.raises(fs.FileChangedError):
        save_register(recovered)
