"""Coverage matrix, summary cards and vectorised table filters."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core import coverage as cov
from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab
from lmns_desktop.core.register_model import RegisterDocument

SUBS = vocab.SUB_WORKSTREAMS
GROUPS = vocab.PLUS_GROUPS


def _projects(rows: list[dict]) -> pd.DataFrame:
    return RegisterDocument({rs.SHEET_PROJECTS: pd.DataFrame(rows)}).projects


@pytest.fixture
def projects() -> pd.DataFrame:
    return _projects(
        [
            {
                "ID": "IH-0001",
                "Title": "Hub",
                "Sub-workstream": SUBS[0],
                "Status": "Active",
                "PLUS groups": f"{GROUPS[0]}; {GROUPS[8]}",
                "Core20 focus": "Yes",
                "RAG": "Green",
                "Trust": "Trust A",
                "Lead": "A. Okafor",
            },
            {
                "ID": "IH-0002",
                "Title": "Walks",
                "Sub-workstream": SUBS[0],
                "Status": "Planning",
                "PLUS groups": GROUPS[0],
                "Core20 focus": "No",
                "RAG": "Amber",
                "Trust": "Trust B",
                "Lead": "B. Hussain",
            },
            {
                "ID": "IH-0003",
                "Title": "Done",
                "Sub-workstream": SUBS[1],
                "Status": "Complete",
                "PLUS groups": GROUPS[0],
                "Core20 focus": "y",
                "RAG": "Blue",
                "Trust": "Trust A",
                "Lead": "A. Okafor",
            },
            {
                "ID": "IH-0004",
                "Title": "Gypsy Roma outreach",
                "Sub-workstream": SUBS[4],
                "Status": "Sustaining",
                "PLUS groups": GROUPS[8] + ";Young parents",
                "Core20 focus": "TRUE",
                "RAG": None,
                "Trust": "Trust B",
                "Lead": "C. Evans",
            },
        ]
    )


def test_coverage_matrix_counts_active_projects(projects: pd.DataFrame) -> None:
    m = cov.coverage_matrix(projects)
    assert list(m.columns) == list(SUBS)
    assert list(m.index) == [*GROUPS, "Core20"]
    assert m.loc[GROUPS[0], SUBS[0]] == 2  # a multi-tagged project counts in each of its groups
    assert m.loc[GROUPS[0], SUBS[1]] == 0  # complete projects are not active
    assert m.loc[GROUPS[8], SUBS[0]] == 1 and m.loc[GROUPS[8], SUBS[4]] == 1
    assert m.loc["Core20", SUBS[0]] == 1 and m.loc["Core20", SUBS[4]] == 1
    assert int(m.to_numpy().sum()) == 6
    gaps = cov.coverage_gaps(m)
    assert (GROUPS[1], SUBS[0]) in gaps and (GROUPS[0], SUBS[0]) not in gaps
    assert len(gaps) == m.size - int((m.to_numpy() > 0).sum())


def test_coverage_matrix_with_user_groups(projects: pd.DataFrame) -> None:
    m = cov.coverage_matrix(projects, [*GROUPS, "Young parents"])
    assert m.loc["Young parents", SUBS[4]] == 1


def test_quarter_bounds() -> None:
    assert cov.quarter_bounds(date(2025, 5, 20)) == (
        pd.Timestamp(2025, 4, 1),
        pd.Timestamp(2025, 6, 30),
    )
    assert cov.quarter_bounds(date(2025, 12, 31)) == (
        pd.Timestamp(2025, 10, 1),
        pd.Timestamp(2025, 12, 31),
    )


def test_summary_cards(doc: RegisterDocument) -> None:
    cards = cov.summary_cards(doc, today=date(2025, 5, 20))
    assert cards.projects == 3 and cards.active_projects == 2
    assert cards.by_status.to_dict() == {"Planning": 1, "Active": 1, "Complete": 1}
    assert list(cards.by_rag.index) == ["Amber", "Green", "Blue"]
    assert cards.evidence_this_quarter == 1 and cards.people_reached_this_quarter == 12
    q1 = cov.summary_cards(doc, today=date(2025, 1, 1))
    assert q1.evidence_this_quarter == 1 and q1.people_reached_this_quarter == 40


def test_filters(projects: pd.DataFrame) -> None:
    assert cov.filter_mask(projects).all()
    assert cov.filter_mask(projects, text="okafor").tolist() == [True, False, True, False]
    assert cov.filter_mask(projects, text="roma OUTREACH").tolist() == [False, False, False, True]
    assert cov.filter_mask(projects, sub_workstreams=[SUBS[0]]).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert cov.filter_mask(projects, statuses=["active", "Sustaining"]).tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert cov.filter_mask(projects, rags=["Not known"]).tolist() == [False, False, False, True]
    assert cov.filter_mask(projects, plus_groups=[GROUPS[8]]).tolist() == [True, False, False, True]
    assert (
        cov.filter_mask(projects, plus_groups=["Young"]).tolist() == [False] * 4
    )  # whole items only
    assert cov.filter_mask(projects, trusts=["Trust A"], leads=["A. Okafor"]).tolist() == [
        True,
        False,
        True,
        False,
    ]
    assert cov.filter_mask(projects, core20=True).tolist() == [True, False, True, True]
    assert cov.filter_mask(projects, core20=False, active_only=True).tolist() == [
        False,
        True,
        False,
        False,
    ]
    assert cov.multi_mask(
        projects["PLUS groups"], [GROUPS[0], GROUPS[8]], match_all=True
    ).tolist() == [True, False, False, False]


def test_filters_are_fast_on_2000_projects() -> None:
    from lmns_desktop.core import demo_data

    base = demo_data.make_register()[rs.SHEET_PROJECTS]
    big = pd.concat([base] * 42, ignore_index=True).iloc[:2000]
    projects = RegisterDocument({rs.SHEET_PROJECTS: big}).projects
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        mask = cov.filter_mask(
            projects,
            text="interpreter",
            statuses=["Active", "Planning"],
            plus_groups=None,
            core20=True,
        )
        timings.append(time.perf_counter() - start)
    assert isinstance(mask, np.ndarray) and mask.dtype == bool and len(mask) == 2000
    assert 0 < mask.sum() < 2000
    assert min(timings) < 0.05
