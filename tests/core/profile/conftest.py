"""Fixtures for profiling tests: small hand-made canonical frames and the demo cohort."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from lmns_desktop.core.profiling import Profile, canonical_demo_frame, profile_cohort

DEMO_ROWS = 20_000
DEMO_SEED = 424_242


def canonical(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """A frame with the importer's dtypes: Int64 decile, string codes, boolean flags/outcomes."""
    frame = pd.DataFrame(columns)
    for name in frame.columns:
        if name == "imd_decile":
            frame[name] = pd.array(columns[name], dtype="Int64")
        elif name in ("ethnic_category", "trust", "site"):
            frame[name] = pd.array(columns[name], dtype="string")
        elif name.endswith("_date"):
            frame[name] = pd.to_datetime(pd.Series(columns[name]))
        elif name == "age":
            frame[name] = pd.to_numeric(pd.Series(columns[name]))
        elif all(v is None or isinstance(v, bool) for v in columns[name]):
            frame[name] = pd.array(columns[name], dtype="boolean")
    return frame


@pytest.fixture
def make_frame() -> Callable[[dict[str, list[Any]]], pd.DataFrame]:
    return canonical


@pytest.fixture
def small_frame() -> pd.DataFrame:
    """Twelve women with every kind of missing value the importer can give."""
    T, F, N = True, False, None
    return canonical({
        "imd_decile": [1, 2, 2, 3, 5, 9, 10, 10, None, 1, 4, 6],
        "ethnic_category": ["A", "N", "J", "Z", "99", None, "A", "C", "M", "D", "H", "A"],
        "homelessness": [T, F, F, N, F, F, F, T, F, F, N, F],
        "preterm_birth": [T, F, T, N, F, F, F, T, N, T, F, F],
        "continuity_of_carer": [T, T, F, F, N, F, F, T, T, F, T, F],
        "age": [19, 25, 31, 40, 18, None, 22, 35, 29, 30, 33, 27],
        "trust": ["T1", "T1", "T2", "T2", "T1", "T3", "T3", "T1", "T2", "T2", "T1", "T3"],
        "booking_date": ["2024-04-01", "2024-04-30", "2024-05-01", None, "2024-06-15",
                         "2024-07-01", "2024-04-15", "2024-09-30", "2024-10-01", "2024-05-20",
                         "2024-06-01", "2024-08-08"],
    })


@pytest.fixture(scope="session")
def demo_frame() -> pd.DataFrame:
    return canonical_demo_frame(DEMO_ROWS, DEMO_SEED)


@pytest.fixture(scope="session")
def demo_profile(demo_frame: pd.DataFrame) -> Profile:
    return profile_cohort(demo_frame)
