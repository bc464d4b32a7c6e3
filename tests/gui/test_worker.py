"""Background jobs report progress, results, failures and cancellation through signals."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QThreadPool

from lmns_desktop.core.errors import UserError
from lmns_desktop.core.jobs import check_cancelled
from lmns_desktop.gui.worker import Job, JobSlot


def _count(n: int, *, progress, is_cancelled):
    for i in range(n):
        check_cancelled(is_cancelled)
        progress(100 * i // n, f"step {i}")
        time.sleep(0.002)
    return n * 2


def _fails(*, progress, is_cancelled):
    raise UserError("The file is empty. Choose another file.")


def _crashes(*, progress, is_cancelled):
    raise KeyError("secret-cell-value")


def test_job_reports_progress_and_result(qtbot) -> None:
    job = Job(_count, 20)
    seen: list[int] = []
    job.signals.progress.connect(lambda p, m: seen.append(p))
    slot = JobSlot()
    results: list[int] = []
    with qtbot.waitSignal(slot.done, timeout=5000):
        slot.start(job, results.append, pytest.fail)
    assert results == [40]
    assert seen == sorted(seen) and seen


@pytest.mark.parametrize(("fn", "expected"), [
    (_fails, "The file is empty. Choose another file."),
    (_crashes, "Something unexpected went wrong"),
])
def test_failures_arrive_as_sentences_never_tracebacks(qtbot, fn, expected) -> None:
    slot = JobSlot()
    messages: list[str] = []
    with qtbot.waitSignal(slot.done, timeout=5000):
        slot.start(Job(fn), pytest.fail, messages.append)
    assert messages[0].startswith(expected)
    assert "secret-cell-value" not in messages[0]


def test_starting_a_new_job_cancels_the_old_and_drops_its_result(qtbot) -> None:
    slot = JobSlot()
    results: list[int] = []
    slot.start(Job(_count, 2000), results.append, pytest.fail)
    second = Job(_count, 3)
    with qtbot.waitSignal(second.signals.finished, timeout=5000):
        slot.start(second, results.append, pytest.fail)
    qtbot.wait(50)
    assert results == [6]


def test_cancel_stops_a_running_job_quickly(qtbot) -> None:
    slot = JobSlot()
    job = Job(_count, 100_000)
    slot.start(job, pytest.fail, pytest.fail, lambda: pytest.fail("stale callback"))
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 1, timeout=2000)
    started = time.monotonic()
    slot.cancel()
    assert job.stop_requested.is_set() and not slot.busy
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=2000)
    assert time.monotonic() - started < 0.5
