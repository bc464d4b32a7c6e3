"""Background jobs with progress and cancel, so the window never freezes.

A job runs a plain core function ``fn(*args, progress=..., is_cancelled=...)`` on Qt's global
thread pool and reports back through its own signals (Orange's rule: starting a new job in the
same slot cancels and disconnects the old one, so a stale result never lands on screen).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

from lmns_desktop.core.errors import user_message
from lmns_desktop.core.jobs import Cancelled

log = logging.getLogger(__name__)


class JobSignals(QObject):
    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Job(QRunnable):
    """One call of a core function in a worker thread."""

    def __init__(self, fn: Callable[..., Any], /, *args: Any, name: str = "", **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.name = name or getattr(fn, "__name__", "job")
        self.signals = JobSignals()  # created on the GUI thread
        self.stop_requested = threading.Event()
        self._last_percent = -1

    def cancel(self) -> None:
        self.stop_requested.set()

    def _progress(self, percent: int, message: str) -> None:
        percent = max(0, min(100, int(percent)))
        if percent != self._last_percent:  # do not flood the GUI thread
            self._last_percent = percent
            self._emit(self.signals.progress, percent, message)

    def run(self) -> None:  # worker thread: touch no widgets here
        try:
            result = self.fn(
                *self.args,
                progress=self._progress,
                is_cancelled=self.stop_requested.is_set,
                **self.kwargs,
            )
        except Cancelled:
            log.info("Job %s cancelled", self.name)
            self._emit(self.signals.cancelled)
        except Exception as exc:
            log.exception("Background job %s failed", self.name)
            self._emit(self.signals.failed, user_message(exc))
        else:
            if self.stop_requested.is_set():
                self._emit(self.signals.cancelled)
            else:
                self._emit(self.signals.finished, result)

    def _emit(self, signal: Any, *args: Any) -> None:
        # The window may have closed while the job ran; then there is nobody to tell.
        if isValid(self.signals):
            try:
                signal.emit(*args)
            except RuntimeError:
                log.info("Job %s finished after its window closed", self.name)


class JobSlot(QObject):
    """Runs at most one job at a time for its owner; a new job replaces the old one."""

    started = Signal(str)
    progress = Signal(int, str)
    done = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job: Job | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(
        self,
        job: Job,
        on_finished: Callable[[Any], None],
        on_failed: Callable[[str], None],
        on_cancelled: Callable[[], None] | None = None,
        label: str = "",
    ) -> Job:
        self.cancel()
        self.job = job
        job.signals.progress.connect(self.progress)
        job.signals.finished.connect(lambda result, j=job: self._end(j, on_finished, result))
        job.signals.failed.connect(lambda message, j=job: self._end(j, on_failed, message))
        job.signals.cancelled.connect(
            lambda j=job: self._end(j, (lambda _: on_cancelled()) if on_cancelled else None, None)
        )
        self.started.emit(label or job.name)
        QThreadPool.globalInstance().start(job)
        return job

    def cancel(self) -> None:
        old, self.job = self.job, None
        if old is not None:
            old.cancel()
            for signal in (old.signals.progress, old.signals.finished, old.signals.failed,
                           old.signals.cancelled):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass
            self.done.emit()

    def _end(self, job: Job, callback: Callable[[Any], None] | None, value: Any) -> None:
        if job is not self.job or not isValid(self):
            return  # a stale job, or its window has gone: the result must not land anywhere
        self.job = None
        self.done.emit()
        if callback is not None:
            callback(value)
