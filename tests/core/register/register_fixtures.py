"""Shared test data for the register tests: a small valid register."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab

TODAY = date(2025, 5, 20)


def small_sheets() -> dict[str, pd.DataFrame]:
    """Three valid projects with evidence, measures and a PDSA cycle."""
    projects = pd.DataFrame(
        [
            {
                "ID": f"IH-000{i}",
                "Title": f"Project {i}",
                "Sub-workstream": vocab.SUB_WORKSTREAMS[i % 5],
                "PLUS groups": vocab.PLUS_GROUPS[i],
                "Core20 focus": "Yes" if i == 1 else "No",
                "Trust": vocab.TRUSTS_DEMO[i % 4],
                "Lead": f"Lead {i}",
                "Status": ("Active", "Planning", "Complete")[i - 1],
                "RAG": ("Green", "Amber", "Blue")[i - 1],
                "Start date": pd.Timestamp(2024, i, 1),
                "Target end date": pd.Timestamp(2025, i, 1),
                "IHI progress score": 1.5 + i,
            }
            for i in (1, 2, 3)
        ],
        columns=rs.headers(rs.SHEET_PROJECTS),
    )
    evidence = pd.DataFrame(
        [
            {
                "ID": "EV-00001",
                "Project ID": "IH-0001",
                "Type": vocab.EVIDENCE_TYPES[0],
                "Date": pd.Timestamp(2025, 2, 10),
                "People reached": 40,
            },
            {
                "ID": "EV-00002",
                "Project ID": "IH-0002",
                "Type": vocab.EVIDENCE_TYPES[1],
                "Date": pd.Timestamp(2025, 5, 3),
                "People reached": 12,
            },
        ],
        columns=rs.headers(rs.SHEET_EVIDENCE),
    )
    measures = pd.DataFrame(
        [
            {
                "Project ID": "IH-0001",
                "Measure": "% booked by 10 weeks",
                "Period": pd.Timestamp(2025, m, 1),
                "Value": 50.0 + m,
                "Numerator": 50 + m,
                "Denominator": 100,
                "Improvement direction": "Higher is better",
            }
            for m in (1, 2, 3)
        ],
        columns=rs.headers(rs.SHEET_MEASURES),
    )
    pdsa = pd.DataFrame(
        [
            {
                "Project ID": "IH-0001",
                "Cycle": 1,
                "Change idea": "Text reminders",
                "Start date": pd.Timestamp(2024, 3, 1),
                "End date": pd.Timestamp(2024, 4, 1),
                "Decision": "Adapt",
            }
        ],
        columns=rs.headers(rs.SHEET_PDSA),
    )
    return {
        rs.SHEET_PROJECTS: projects,
        rs.SHEET_EVIDENCE: evidence,
        rs.SHEET_MEASURES: measures,
        rs.SHEET_PDSA: pdsa,
    }
