"""The demo data generator: deterministic, realistic, synthetic, and the bundled copy matches it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmns_desktop import paths
from lmns_desktop.core import demo_data, vocab
from lmns_desktop.core.register_store import read_register


def _nhs_checksum_valid(number: str) -> bool:
    digits = [int(c) for c in number]
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def test_same_seed_gives_the_same_cohort_and_another_seed_does_not() -> None:
    a = demo_data.make_cohort(500, seed=7)
    b = demo_data.make_cohort(500, seed=7)
    c = demo_data.make_cohort(500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize("rows", [1, 37, 5000])
def test_cohort_has_the_requested_rows_and_export_headers(rows: int) -> None:
    frame = demo_data.make_cohort(rows)
    assert len(frame) == rows
    assert list(frame.columns) == list(demo_data.COHORT_COLUMNS.values())


def test_nhs_numbers_are_synthetic_and_fail_the_checksum() -> None:
    numbers = demo_data.make_cohort(3000)["NHS Number"]
    assert numbers.str.fullmatch(r"999\d{7}").all()
    assert not any(_nhs_checksum_valid(n) for n in numbers)


def test_outcomes_differ_by_deprivation_and_ethnicity() -> None:
    frame = demo_data.make_cohort(60_000, seed=3)
    decile = pd.to_numeric(frame["IMD Decile"])
    preterm = frame["Preterm (<37 wks)"] == "Y"
    known = frame["Preterm (<37 wks)"].notna()
    most, least = (decile <= 2) & known, (decile >= 9) & known
    assert preterm[most].mean() > 1.3 * preterm[least].mean()
    black = frame["Ethnic Category"].isin(["M", "N", "P"]) & known
    white_british = (frame["Ethnic Category"] == "A") & known
    assert preterm[black].mean() > preterm[white_british].mean()


def test_cohort_carries_every_ethnic_code_and_some_unknowns() -> None:
    frame = demo_data.make_cohort(20_000)
    codes = set(frame["Ethnic Category"].dropna())
    assert set(vocab.ETHNIC_CATEGORIES) <= codes | {"A"}  # every code appears
    assert frame["IMD Decile"].isna().any()


def test_register_covers_every_sub_workstream_and_plus_group() -> None:
    sheets = demo_data.make_register()
    projects = sheets["Projects"]
    assert len(projects) >= 40
    assert set(projects["Sub-workstream"]) == set(vocab.SUB_WORKSTREAMS)
    groups = {g for cell in projects["PLUS groups"] for g in cell.split("; ")}
    assert groups == set(vocab.PLUS_GROUPS)
    assert projects["ID"].is_unique
    evidence = sheets["Evidence"]
    assert {"Inclusion health outreach event", "Local learning event"} <= set(evidence["Type"])
    assert set(evidence["Project ID"]) <= set(projects["ID"])
    measures = sheets["Measures"]
    assert measures.groupby(["Project ID", "Measure"]).size().min() >= 20


def test_bundled_demo_workbooks_match_the_generator() -> None:
    bundled = paths.demo_dir()
    register = read_register(bundled / demo_data.REGISTER_FILE)
    expected = demo_data.make_register()
    for sheet, frame in expected.items():
        got = register.sheets[sheet]
        assert list(got.columns) == list(frame.columns), sheet
        assert len(got) == len(frame), sheet
        for column in ("ID", "Project ID", "Title", "Measure", "Value"):
            if column in frame:
                assert got[column].astype(str).tolist() == frame[column].astype(str).tolist(), (sheet, column)
    cohort = pd.read_excel(bundled / demo_data.COHORT_FILE, engine="calamine", dtype=str)
    made = demo_data.make_cohort()
    assert cohort.shape == made.shape
    for column in ("Pseudo ID", "NHS Number", "Ethnic Category", "LSOA 2011", "CoC Pathway"):
        assert cohort[column].fillna("").tolist() == made[column].fillna("").tolist(), column


def test_demo_files_written_to_a_folder(tmp_path: Path) -> None:
    register, cohort = demo_data.write_demo_files(tmp_path / "out", rows=120, seed=11)
    assert register.exists() and cohort.exists()
    assert len(pd.read_excel(cohort, engine="calamine")) == 120
    assert np.isin(read_register(register).projects["Status"], vocab.PROJECT_STATUSES).all()
