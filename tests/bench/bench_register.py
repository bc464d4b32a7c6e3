"""Register benchmark: 2,000 projects, 20,000 evidence rows and 50,000 measure rows.

Run as a script (not part of the default test run)::

    python tests/bench/bench_register.py [--keep DIR]

Targets: open < 2 s, save < 3 s, table filter < 50 ms. Prints the figures and exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from lmns_desktop.core import coverage, demo_data
from lmns_desktop.core import register_model as rm
from lmns_desktop.core import register_schema as rs
from lmns_desktop.core.register_model import RegisterDocument
from lmns_desktop.core.register_store import read_register, save_register
from lmns_desktop.core.register_validation import validate

N_PROJECTS, N_EVIDENCE, N_MEASURES = 2_000, 20_000, 50_000
TARGETS = {"open": 2.0, "save": 3.0, "filter": 0.05}


def _grow(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    reps = -(-n // len(frame))
    return pd.concat([frame] * reps, ignore_index=True).iloc[:n].copy()


def build_sheets() -> dict[str, pd.DataFrame]:
    """The demo register scaled up, with valid IDs and references (and one unknown column)."""
    base = demo_data.make_register()
    projects = _grow(base[rs.SHEET_PROJECTS], N_PROJECTS)
    ids = np.array([f"IH-{i + 1:04d}" for i in range(N_PROJECTS)], dtype=object)
    projects["ID"] = ids
    projects["Budget code"] = [f"BC{i % 97:03d}" for i in range(N_PROJECTS)]  # unknown column
    evidence = _grow(base[rs.SHEET_EVIDENCE], N_EVIDENCE)
    evidence["ID"] = [f"EV-{i + 1:05d}" for i in range(N_EVIDENCE)]
    evidence["Project ID"] = ids[np.arange(N_EVIDENCE) % N_PROJECTS]
    measures = _grow(base[rs.SHEET_MEASURES], N_MEASURES)
    measures["Project ID"] = ids[np.arange(N_MEASURES) % N_PROJECTS]
    return {
        rs.SHEET_PROJECTS: projects,
        rs.SHEET_EVIDENCE: evidence,
        rs.SHEET_MEASURES: measures,
        rs.SHEET_PDSA: base[rs.SHEET_PDSA],
    }


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(best, median) seconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="folder to keep the benchmark workbook in")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lmns-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench_register.xlsx"

    start = time.perf_counter()
    doc = RegisterDocument(build_sheets())
    save_register(doc, path, keep_backups=0)
    print(
        f"built and wrote {path.name}: {path.stat().st_size / 1e6:.1f} MB "
        f"in {time.perf_counter() - start:.2f} s"
    )

    results: dict[str, float] = {}
    best, median, opened = best_of(lambda: read_register(path), args.repeat)
    results["open"] = best
    print(f"open:     best {best:.3f} s, median {median:.3f} s  (target < {TARGETS['open']} s)")
    assert isinstance(opened, RegisterDocument)
    rows = (len(opened.projects), len(opened.evidence), len(opened.measures))
    assert rows == (N_PROJECTS, N_EVIDENCE, N_MEASURES), rows

    counter = iter(range(10_000))

    def edit_and_save() -> None:
        key = int(opened.projects.index[0])
        rm.update_row(opened, rs.SHEET_PROJECTS, key, {"Title": f"Edited {next(counter)}"})
        save_register(opened, keep_backups=0)

    best, median, _ = best_of(edit_and_save, args.repeat)
    results["save"] = best
    print(f"save:     best {best:.3f} s, median {median:.3f} s  (target < {TARGETS['save']} s)")

    projects = opened.projects
    best, median, mask = best_of(
        lambda: coverage.filter_mask(
            projects,
            text="interpreter",
            statuses=["Active", "Planning"],
            plus_groups=["Ethnic minority communities"],
            core20=True,
        ),
        20,
    )
    results["filter"] = median
    print(
        f"filter:   best {best * 1000:.1f} ms, median {median * 1000:.1f} ms "
        f"({int(np.sum(mask))} rows shown; target < {TARGETS['filter'] * 1000:.0f} ms)"
    )
    best, _, _ = best_of(lambda: coverage.text_mask(projects, "okafor"), 20)
    print(f"search:   best {best * 1000:.1f} ms (quick text search alone)")
    best, _, problems = best_of(lambda: validate(opened), 1)
    print(f"validate: {best:.3f} s ({len(problems)} problems)")  # type: ignore[arg-type]
    best, _, _ = best_of(lambda: coverage.coverage_matrix(projects), 5)
    print(f"coverage: {best * 1000:.1f} ms")

    missed = [k for k, limit in TARGETS.items() if results[k] >= limit]
    if missed:
        print("MISSED: " + ", ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
