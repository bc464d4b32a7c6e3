"""Saving the user's file safely on a shared drive: atomic writes, backups, locks, recovery.

Why: registers live on shared drives and synced Teams folders. A save must never leave a
half-written file, must not silently overwrite a colleague's changes, should warn when someone
else is editing, and a crash must not lose an afternoon's edits.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmns_desktop.core.errors import UserError

if TYPE_CHECKING:
    from lmns_desktop.core.register_model import RegisterDocument

DEFAULT_BACKUPS = 10
BACKUP_DIR = ".backups"
#: A lock not refreshed for this long is treated as left behind by a crash.
STALE_LOCK_AGE = timedelta(hours=12)
RECOVERY_INTERVAL_S = 30.0


class FileChangedError(UserError):
    """The file on disk changed since it was opened: offer reload, save as a copy, or overwrite."""


class FileInUseError(UserError):
    """Someone has the file open in Excel (its ``~$`` owner file exists)."""


class SaveError(UserError):
    """A save failed; the original file is unchanged."""


def current_user() -> str:
    """The Windows/Unix user name (for locks and the register's ``saved by``)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError/KeyError without a user database
        return "unknown user"


def current_machine() -> str:
    return socket.gethostname() or "unknown computer"


# --- fingerprints --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What a file looked like when it was opened or saved: mtime, size and content hash."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of_bytes(cls, path: Path, data: bytes) -> Fingerprint:
        st = Path(path).stat()
        return cls(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: Path) -> Fingerprint:
        data = Path(path).read_bytes()
        return cls.of_bytes(path, data)


def file_changed(path: Path, fingerprint: Fingerprint | None) -> bool:
    """True when ``path`` no longer holds what ``fingerprint`` saw.

    mtime and size decide quickly; when they differ the content hash decides, because sync
    clients (OneDrive, Teams) rewrite files and change the time without changing a byte.
    A file that has disappeared is not "changed": saving simply writes it again.
    """
    if fingerprint is None:
        return False
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if st.st_mtime_ns == fingerprint.mtime_ns and st.st_size == fingerprint.size:
        return False
    if st.st_size != fingerprint.size:
        return True
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() != fingerprint.sha256
    except OSError:
        return True


def check_not_changed(path: Path, fingerprint: Fingerprint | None) -> None:
    """Raise :class:`FileChangedError` when the file changed since it was opened."""
    if file_changed(path, fingerprint):
        path = Path(path)
        when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%d/%m/%Y at %H:%M")
        raise FileChangedError(
            f"{path.name} was changed by someone else on {when}, after you opened it. "
            "Reload it to see their changes, save yours as a copy, or overwrite theirs."
        )


# --- atomic write --------------------------------------------------------------------------


def _describe_os_error(exc: OSError, path: Path) -> str:
    folder = path.parent
    if exc.errno == errno.ENOSPC:
        return f"There is not enough space on the disk to save {path.name}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        if path.exists() and os.name == "nt":
            return (
                f"{path.name} could not be replaced: it may be open in Excel or another "
                "program, or you do not have permission to change it."
            )
        return f"You do not have permission to save in the folder {folder}."
    if exc.errno == errno.ENOENT:
        return f"The folder {folder} does not exist or is not available."
    reason = exc.strerror or exc.__class__.__name__
    return f"{path.name} could not be saved ({reason})."


def atomic_write(path: Path, write: Callable[[object], None] | bytes) -> None:
    """Write a file so that readers see either the old or the new file, never half of one.

    Writes a temporary file in the same folder (same drive, so ``os.replace`` is atomic),
    flushes and fsyncs it, then replaces the target. On any failure the temporary file is
    removed, the original is untouched and :class:`SaveError` says what happened.
    """
    path = Path(path)
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, bytes | bytearray):
                _write_all(handle, bytes(write))
            else:
                write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                shutil.copymode(path, tmp_name)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise SaveError(
            f"{_describe_os_error(exc, path)} Nothing was overwritten: the file on disk is as it "
            "was. Free some space or choose another folder, then save again."
        ) from exc
    except Exception as exc:
        raise SaveError(
            f"{path.name} could not be saved because of an unexpected problem. Nothing was "
            "overwritten: the file on disk is as it was."
        ) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _write_all(handle: Any, data: bytes) -> None:
    """The one place bytes reach the disk (tests inject disk-full and I/O errors here)."""
    view = memoryview(data)
    while view:
        written = handle.write(view)
        view = view[written:]


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles for this)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- backups -------------------------------------------------------------------------------


def backup_dir(path: Path) -> Path:
    return Path(path).parent / BACKUP_DIR


def list_backups(path: Path) -> list[Path]:
    """Backups of ``path``, oldest first."""
    path = Path(path)
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    pattern = re.compile(
        rf"^{re.escape(path.stem)}\.\d{{8}}-\d{{6}}-\d{{6}}{re.escape(path.suffix)}$"
    )
    return sorted(p for p in folder.iterdir() if pattern.match(p.name))


def make_backup(path: Path, keep: int = DEFAULT_BACKUPS) -> Path | None:
    """Copy the current file into ``.backups`` beside it and keep only the newest ``keep``.

    Why timestamped copies: a colleague can always go back to an earlier save, and a wrong
    save can be undone outside the app. Returns the backup's path (None when nothing to copy).
    """
    path = Path(path)
    if keep <= 0 or not path.exists():
        return None
    folder = backup_dir(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    try:
        folder.mkdir(exist_ok=True)
        if os.name == "nt":
            with contextlib.suppress(Exception):
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(folder), 0x02)  # hidden
        shutil.copy2(path, target)
    except OSError as exc:
        raise SaveError(
            f"A backup of {path.name} could not be made, so it was not saved: "
            f"{_describe_os_error(exc, target)} The file on disk is as it was."
        ) from exc
    for old in list_backups(path)[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


# --- locks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockInfo:
    """Who is editing a register: written beside it while they have unsaved changes."""

    user: str
    machine: str
    time: str
    pid: int
    path: str = ""

    @property
    def when(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.time)
        except ValueError:
            return None

    def is_ours(self) -> bool:
        return (
            self.user == current_user()
            and self.machine == current_machine()
            and self.pid == os.getpid()
        )

    def is_stale(self, now: datetime | None = None, max_age: timedelta = STALE_LOCK_AGE) -> bool:
        """Left behind by a crash: the process is gone (same computer) or it is too old."""
        now = now or datetime.now()
        when = self.when
        if when is None or now - when > max_age:
            return True
        return bool(self.machine == current_machine() and not _pid_alive(self.pid))

    def describe(self) -> str:
        when = self.when.strftime("%d/%m/%Y at %H:%M") if self.when else "an unknown time"
        return f"{self.user} on {self.machine} (since {when})"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        try:
            import ctypes

            handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
            if handle:
                ctypes.windll.kernel32.CloseHandle(handle)
                return True
            return False
        except Exception:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(path: Path) -> Path:
    path = Path(path)
    return path.parent / f"~lmns-{path.name}.lock"


def read_lock(path: Path) -> LockInfo | None:
    """The lock beside ``path`` (anyone's, ours included); None when there is none or unreadable."""
    try:
        data = json.loads(lock_path(path).read_text(encoding="utf-8"))
        return LockInfo(
            user=str(data["user"]),
            machine=str(data["machine"]),
            time=str(data["time"]),
            pid=int(data["pid"]),
            path=str(data.get("path", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_lock(path: Path) -> LockInfo | None:
    """Someone else's lock on ``path`` (stale or not: ``is_stale()`` tells).

    None when there is no lock or it is ours.
    """
    info = read_lock(path)
    if info is None or info.is_ours():
        return None
    return info


def acquire_lock(path: Path, override: bool = False) -> LockInfo:
    """Write our lock (called when the first unsaved edit is made); refreshes our own lock.

    Another person's live lock raises :class:`FileInUseError` unless ``override`` (the user
    chose to edit anyway, or the lock is stale).
    """
    other = check_lock(path)
    if other is not None and not override and not other.is_stale():
        raise FileInUseError(
            f"{Path(path).name} is being edited by {other.describe()}. Wait for them to save, "
            "or open it read-only."
        )
    info = LockInfo(
        current_user(),
        current_machine(),
        datetime.now().isoformat(timespec="seconds"),
        os.getpid(),
        str(Path(path).name),
    )
    try:
        atomic_write(lock_path(path), json.dumps(asdict(info), indent=1).encode("utf-8"))
    except UserError:
        pass  # a read-only folder: the lock is a courtesy, saving will report the real problem
    return info


def release_lock(path: Path) -> None:
    """Remove our lock (after a save or when closing); someone else's lock is left alone."""
    info = read_lock(path)
    if info is not None and info.is_ours():
        with contextlib.suppress(OSError):
            lock_path(path).unlink()


def excel_lock_owner(path: Path) -> str | None:
    """Who has ``path`` open in Excel, from Excel's ``~$name.xlsx`` owner file; None if nobody.

    The owner file starts with a byte giving the length of the user name, then the name
    (ANSI), padded; a UTF-16 copy of the name follows at byte 54 in newer versions.
    """
    path = Path(path)
    candidates = [path.parent / f"~${path.name}"]
    if len(path.name) > 2:
        candidates.append(path.parent / f"~${path.name[2:]}")
    for owner_file in candidates:
        try:
            data = owner_file.read_bytes()
        except OSError:
            continue
        return _owner_name(data) or "another user"
    return None


def _owner_name(data: bytes) -> str | None:
    if len(data) > 56:
        n = data[54]
        chunk = data[56 : 56 + 2 * n]
        with contextlib.suppress(UnicodeDecodeError):
            name = chunk.decode("utf-16-le").strip("\x00 ")
            if n and name and name.isprintable():
                return name
    if data:
        n = data[0]
        with contextlib.suppress(UnicodeDecodeError):
            name = data[1 : 1 + n].decode("cp1252").strip("\x00 ")
            if name and name.isprintable():
                return name
    return None


# --- crash recovery ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecoveryEntry:
    """An unsaved register found on start: where it belonged and when it was written."""

    original_path: str
    written_at: str
    user: str
    data_file: Path
    #: The original file as the user had opened it, so saving still detects others' changes.
    fingerprint: Fingerprint | None = None

    def describe(self) -> str:
        name = Path(self.original_path).name or "an unsaved register"
        return f"{name} (unsaved changes from {self.written_at})"


class RecoveryJournal:
    """Keeps a copy of an unsaved register in the user's data folder, at most every 30 s.

    Why: a crash or power cut must not lose a session's edits. The caller's timer calls
    :meth:`maybe_write` often; the journal writes only when there is something new and the
    interval has passed. Registers hold no patient identifiers, so keeping a copy is safe.
    """

    def __init__(
        self,
        data_dir: Path,
        interval_s: float = RECOVERY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = Path(data_dir) / "recovery"
        self.interval_s = interval_s
        self._clock = clock
        self._last_write: dict[str, float] = {}
        self._last_version: dict[str, int] = {}

    @staticmethod
    def _slot(original: Path | None) -> str:
        text = str(Path(original).resolve()) if original else "untitled"
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(original).stem if original else "untitled")
        return f"{stem[:40]}-{digest}"

    def _files(self, original: Path | None) -> tuple[Path, Path]:
        slot = self._slot(original)
        return self.folder / f"{slot}.xlsx", self.folder / f"{slot}.json"

    def maybe_write(self, doc: RegisterDocument, force: bool = False) -> bool:
        """Write ``doc`` if it has unsaved changes not yet written and the interval passed."""
        slot = self._slot(doc.path)
        if not doc.dirty:
            return False
        if self._last_version.get(slot) == doc.version and not force:
            return False
        now = self._clock()
        last = self._last_write.get(slot)
        if not force and last is not None and now - last < self.interval_s:
            return False
        self.write(doc)
        self._last_write[slot] = now
        self._last_version[slot] = doc.version
        return True

    def write(self, doc: RegisterDocument) -> Path:
        """Write now (normally through :meth:`maybe_write`)."""
        from lmns_desktop.core.register_store import to_bytes

        data_file, info_file = self._files(doc.path)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(data_file, to_bytes(doc))
        state = doc.store_state
        fingerprint = getattr(state, "fingerprint", None)
        info = {
            "original_path": str(doc.path) if doc.path else "",
            "written_at": datetime.now().isoformat(timespec="seconds"),
            "user": current_user(),
            "fingerprint": asdict(fingerprint) if fingerprint is not None else None,
        }
        atomic_write(info_file, json.dumps(info, indent=1).encode("utf-8"))
        return data_file

    def entries(self) -> list[RecoveryEntry]:
        """Recoverable registers, newest first (shown on start)."""
        if not self.folder.is_dir():
            return []
        found = []
        for info_file in self.folder.glob("*.json"):
            data_file = info_file.with_suffix(".xlsx")
            try:
                info = json.loads(info_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if data_file.exists():
                fp = info.get("fingerprint")
                try:
                    fingerprint = Fingerprint(**fp) if isinstance(fp, dict) else None
                except TypeError:
                    fingerprint = None
                found.append(
                    RecoveryEntry(
                        str(info.get("original_path", "")),
                        str(info.get("written_at", "")),
                        str(info.get("user", "")),
                        data_file,
                        fingerprint,
                    )
                )
        return sorted(found, key=lambda e: e.written_at, reverse=True)

    def recover(self, entry: RecoveryEntry) -> RegisterDocument:
        """Open a recovered register: unsaved (dirty), and saving goes to its original file."""
        from lmns_desktop.core.register_store import read_register

        doc = read_register(entry.data_file)
        doc.path = Path(entry.original_path) if entry.original_path else None
        if doc.store_state is not None:
            doc.store_state.fingerprint = entry.fingerprint
        doc.dirty = True
        return doc

    def clear(self, original: Path | None) -> None:
        """Forget the copy of ``original`` (after a successful save or a discard)."""
        slot = self._slot(original)
        for file in self._files(original):
            with contextlib.suppress(OSError):
                file.unlink()
        self._last_write.pop(slot, None)
        self._last_version.pop(slot, None)

    def discard(self, entry: RecoveryEntry) -> None:
        for file in (entry.data_file, entry.data_file.with_suffix(".json")):
            with contextlib.suppress(OSError):
                file.unlink()
