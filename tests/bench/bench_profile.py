"""Cohort profile at 200,000 rows: full profile and recompute after a filter change.

Targets: full profile (every dimension x every outcome, CIs, ratios, SII/RII on deciles and
quintiles) < 300 ms; recompute after a filter change < 150 ms. SII/RII limits use the default
20,000 seeded simulations (the PHE tool uses 100,000; the 100,000 figure is printed for reference).
Run: .venv/bin/python tests/bench/bench_profile.py
"""

from __future__ import annotations

import statistics
import time

from lmns_desktop.core.profiling import (
    CohortFilter,
    ProfileOptions,
    canonical_demo_frame,
    prepare_cohort,
    profile_cohort,
    profile_to_json,
)

ROWS = 200_000
REPEATS = 7


def _time(fn, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    start = time.perf_counter()
    frame = canonical_demo_frame(ROWS, seed=20251030)
    print(f"canonical demo cohort: {len(frame):,} rows x {frame.shape[1]} columns "
          f"(made in {time.perf_counter() - start:.1f} s)")

    full_ms, profile = _time(lambda: profile_cohort(frame))
    dims, outcomes = len(profile.breakdowns), len(profile.outcomes)
    print(f"full profile from the frame ({dims} dimensions x {outcomes} outcomes, "
          f"SII reps {profile.options.sii_reps:,}): {full_ms:.0f} ms (target < 300 ms)")

    prep_ms, prepared = _time(lambda: prepare_cohort(frame))
    print(f"  of which preparing (encoding) the cohort: {prep_ms:.0f} ms")

    filters = [
        CohortFilter(trusts=("Riverside University Hospitals NHS Trust",)),
        CohortFilter(date_from="2025-01-01", date_to="2025-12-31"),
        CohortFilter(values={"ethnic_group": ["Black or Black British",
                                              "Asian or Asian British"]}),
        CohortFilter(date_from="2024-06-01", values={"core20": "Core20",
                                                     "interpreter_needed": "Yes"}),
    ]
    for flt in filters:
        ms, p = _time(lambda flt=flt: profile_cohort(prepared, mask=flt.apply(frame, prepared)))
        print(f"recompute after filter change ({p.n_rows:,} rows kept; {flt.describe()}): "
              f"{ms:.0f} ms (target < 150 ms)")

    json_ms, _ = _time(lambda: profile_to_json(profile))
    print(f"profile_to_json: {json_ms:.0f} ms")
    slow_ms, _ = _time(lambda: profile_cohort(prepared, options=ProfileOptions(sii_reps=100_000)),
                       repeats=3)
    print(f"for reference, full profile with 100,000 SII reps (PHE default): {slow_ms:.0f} ms")


if __name__ == "__main__":
    main()
