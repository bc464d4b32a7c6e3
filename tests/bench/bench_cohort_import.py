"""Benchmark: cohort import against plain readers, as whole subprocesses, side by side.

Not run by the test suite. Run it as::

    python tests/bench/bench_cohort_import.py [--rows 200000] [--repeat 3] [--skip-openpyxl]

It writes a demo cohort of ``--rows`` rows with ``demo_data.write_cohort`` (cached in
/tmp/lmns_bench_cohort, as writing 200,000 rows takes over a minute) and a CSV of the same rows,
then times each reader in a fresh interpreter (best of ``--repeat``; openpyxl once), with the
peak memory of that subprocess (``os.wait4`` rusage ``ru_maxrss``). Targets from the issue:
``import_cohort`` within 1.5x of the fastest plain reader and at least 15x faster than
``pandas.read_excel(engine="openpyxl")``. Finally it measures how quickly a cancel request is
honoured at several points of an import (in-process).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(tempfile.gettempdir()) / "lmns_bench_cohort"

XLSX_CASES: dict[str, str] = {
    "python startup + import pandas": "import pandas",
    "pandas read_excel openpyxl": (
        "import pandas as pd\nd = pd.read_excel(PATH, engine='openpyxl')\nprint(d.shape)"
    ),
    "pandas read_excel calamine": (
        "import pandas as pd\nd = pd.read_excel(PATH, engine='calamine')\nprint(d.shape)"
    ),
    "python-calamine to_python": (
        "import python_calamine as pc\n"
        "wb = pc.CalamineWorkbook.from_path(PATH)\n"
        "rows = wb.get_sheet_by_index(0).to_python()\nprint(len(rows))"
    ),
    "fastexcel to_arrow": (
        "import fastexcel\n"
        "b = fastexcel.read_excel(PATH).load_sheet(0).to_arrow()\nprint(b.num_rows)"
    ),
    "fastexcel eager": (
        "import fastexcel\n"
        "b = fastexcel.read_excel(PATH).load_sheet(0, eager=True)\nprint(b.num_rows)"
    ),
    "fastexcel to_pandas": (
        "import fastexcel\nd = fastexcel.read_excel(PATH).load_sheet(0).to_pandas()\nprint(d.shape)"
    ),
    "import_cohort (ours)": (
        "from lmns_desktop.core.cohort import import_cohort\n"
        "r = import_cohort(PATH)\nprint(len(r.frame), r.timings)"
    ),
}
CSV_CASES: dict[str, str] = {
    "pandas read_csv (dtype=str)": (
        "import pandas as pd\nd = pd.read_csv(PATH, dtype=str)\nprint(d.shape)"
    ),
    "pandas read_csv (inferred)": "import pandas as pd\nd = pd.read_csv(PATH)\nprint(d.shape)",
    "import_cohort (ours)": (
        "from lmns_desktop.core.cohort import import_cohort\n"
        "r = import_cohort(PATH)\nprint(len(r.frame), r.timings)"
    ),
}
PLAIN_XLSX = (
    "pandas read_excel calamine",
    "python-calamine to_python",
    "fastexcel to_arrow",
    "fastexcel eager",
    "fastexcel to_pandas",
)


def ensure_files(rows: int) -> tuple[Path, Path]:
    """The cached demo workbook and CSV of ``rows`` rows (written once)."""
    sys.path.insert(0, str(REPO))
    from lmns_desktop.core import demo_data

    CACHE.mkdir(parents=True, exist_ok=True)
    xlsx = CACHE / f"demo_cohort_{rows}_{demo_data.DEFAULT_SEED}.xlsx"
    csv = xlsx.with_suffix(".csv")
    if not xlsx.exists():
        print(f"writing {xlsx} ({rows:,} rows; cached for next time) ...", flush=True)
        t = time.perf_counter()
        tmp = xlsx.with_suffix(".tmp.xlsx")
        demo_data.write_cohort(tmp, rows=rows)
        tmp.replace(xlsx)
        print(f"  {time.perf_counter() - t:.0f} s", flush=True)
    if not csv.exists():
        frame = demo_data.make_cohort(rows)
        tmp = csv.with_suffix(".tmp.csv")
        frame.to_csv(tmp, index=False, date_format="%d/%m/%Y")
        tmp.replace(csv)
    return xlsx, csv


def run_child(code: str, path: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one fresh interpreter running ``code``."""
    script = f"PATH = {str(path)!r}\n{code}\n"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(REPO),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"benchmark child failed:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, out.strip()


def measure(
    cases: dict[str, str], path: Path, repeat: int, once: tuple[str, ...] = ()
) -> dict[str, tuple[float, float, str]]:
    results = {}
    for name, code in cases.items():
        runs = [run_child(code, path) for _ in range(1 if name in once else repeat)]
        best = min(runs, key=lambda r: r[0])
        results[name] = (best[0], max(r[1] for r in runs), best[2])
        print(f"  {name:<34} {best[0]:7.2f} s  {results[name][1]:7.0f} MB", flush=True)
    return results


def cancel_latency(path: Path, delays: tuple[float, ...]) -> list[tuple[float, str, float]]:
    """(delay, stage at cancel, seconds from the request to Cancelled) for each delay."""
    sys.path.insert(0, str(REPO))
    from lmns_desktop.core.cohort import import_cohort
    from lmns_desktop.core.jobs import Cancelled

    out = []
    for delay in delays:
        flag = threading.Event()
        stage = {"msg": ""}
        requested: list[float] = []

        def fire(flag: threading.Event = flag, requested: list[float] = requested) -> None:
            requested.append(time.perf_counter())
            flag.set()

        timer = threading.Timer(delay, fire)
        timer.start()
        try:
            import_cohort(
                path,
                is_cancelled=flag.is_set,
                progress=lambda p, m, stage=stage: stage.__setitem__("msg", f"{p}% {m}"),
            )
        except Cancelled:
            out.append((delay, stage["msg"], time.perf_counter() - requested[0]))
        else:
            out.append((delay, "finished before the cancel", 0.0))
        timer.cancel()
        time.sleep(0.5)  # let an abandoned read finish before the next run
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-openpyxl", action="store_true", help="skip the ~1 minute openpyxl run")
    args = ap.parse_args(argv)
    xlsx, csv = ensure_files(args.rows)
    print(
        f"\n{args.rows:,}-row demo cohort: {xlsx.stat().st_size / 1e6:.1f} MB xlsx, "
        f"{csv.stat().st_size / 1e6:.1f} MB csv; {os.cpu_count()} CPUs; best of {args.repeat}\n"
    )
    cases = dict(XLSX_CASES)
    if args.skip_openpyxl:
        cases.pop("pandas read_excel openpyxl")
    print("xlsx")
    xr = measure(cases, xlsx, args.repeat, once=("pandas read_excel openpyxl",))
    print("csv")
    cr = measure(CSV_CASES, csv, args.repeat)

    ours = xr["import_cohort (ours)"][0]
    fastest_name = min(PLAIN_XLSX, key=lambda n: xr[n][0])
    fastest = xr[fastest_name][0]
    print("\n| file | reader | wall s | peak MB | vs ours |")
    print("|---|---|---:|---:|---:|")
    for name, (wall, mem, _) in xr.items():
        print(f"| xlsx | {name} | {wall:.2f} | {mem:.0f} | {wall / ours:.2f}x |")
    for name, (wall, mem, _) in cr.items():
        ours_csv = cr["import_cohort (ours)"][0]
        print(f"| csv | {name} | {wall:.2f} | {mem:.0f} | {wall / ours_csv:.2f}x |")
    print(
        f"\nimport_cohort / fastest plain reader ({fastest_name}): {ours / fastest:.2f}x "
        f"(target <= 1.5x): {'PASS' if ours <= 1.5 * fastest else 'FAIL'}"
    )
    if "pandas read_excel openpyxl" in xr:
        speedup = xr["pandas read_excel openpyxl"][0] / ours
        print(
            f"openpyxl / import_cohort: {speedup:.1f}x (target >= 15x): "
            f"{'PASS' if speedup >= 15 else 'FAIL'}"
        )
    print(
        f"import_cohort stage timings (last run): {xr['import_cohort (ours)'][2].split(' ', 1)[1]}"
    )

    print("\ncancel latency (in-process, xlsx)")
    for delay, stage, latency in cancel_latency(xlsx, (0.3, 1.5, 3.0, 4.0)):
        print(f"  cancel after {delay:.1f} s at '{stage}': stopped in {latency * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
