"""Cross-tabs of any two dimensions: counts against pandas, percentages with Wilson limits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core import stats, vocab
from lmns_desktop.core.profiling import NOT_KNOWN, cross_tab, prepare_cohort


def test_counts_match_pandas_crosstab_including_not_known(small_frame) -> None:
    ct = cross_tab(small_frame, "imd_quintile", "ethnic_group")
    quint = ((small_frame["imd_decile"] + 1) // 2).astype("Float64").fillna(-1).astype(int)
    group = small_frame["ethnic_category"].map(vocab.ETHNIC_GROUP_OF_CODE.get).fillna(NOT_KNOWN)
    expected = pd.crosstab(quint.replace(-1, NOT_KNOWN), group)
    for q in expected.index:
        for g in expected.columns:
            assert ct.counts.loc[q, g] == expected.loc[q, g], (q, g)
    assert ct.counts.to_numpy().sum() == ct.n == len(small_frame)
    assert list(ct.counts.columns) == [*vocab.ETHNIC_GROUPS, NOT_KNOWN]


def test_row_column_and_total_percentages_with_wilson_limits(demo_frame) -> None:
    ct = cross_tab(demo_frame, "core20", "ethnic_group", confidence=0.9)
    cells = ct.cells
    for _, part in cells.groupby("row"):
        if part["count"].sum():
            assert part["row_percent"].sum() == pytest.approx(100.0)
    for _, part in cells.groupby("column"):
        if part["count"].sum():
            assert part["column_percent"].sum() == pytest.approx(100.0)
    assert cells["total_percent"].sum() == pytest.approx(100.0)
    cell = cells[(cells["row"] == "Core20") & (cells["column"] == "Black or Black British")]
    row_total = int(cells.loc[cells["row"] == "Core20", "count"].sum())
    value, low, high = stats.wilson_ci(int(cell["count"].iloc[0]), row_total, 0.9)
    assert cell[["row_percent", "row_ci_low", "row_ci_high"]].iloc[0].tolist() == pytest.approx(
        [value, low, high])


def test_any_column_and_a_mask(demo_frame) -> None:
    mask = (demo_frame["imd_decile"] <= 2).fillna(False).to_numpy()
    ct = cross_tab(demo_frame, "trust", "core20", mask=mask)
    assert ct.n == int(mask.sum())
    assert (ct.counts["Not Core20"] == 0).all() and (ct.counts[NOT_KNOWN] == 0).all()
    expected = demo_frame.loc[mask, "trust"].value_counts()
    for trust, count in expected.items():
        assert ct.counts.loc[trust, "Core20"] == count


def test_prepared_cohort_and_json(demo_frame) -> None:
    prepared = prepare_cohort(demo_frame)
    ct = cross_tab(prepared, "imd_decile", "core20plus5_focus")
    assert ct.counts.shape == (11, 3)
    data = ct.to_json()
    json.dumps(data, allow_nan=False)
    assert len(data["cells"]) == 33 and data["n"] == len(demo_frame)
    empty = [c for c in data["cells"] if c["row"] == NOT_KNOWN and c["count"] == 0]
    assert all(c["total_percent"] == 0 for c in empty)
    # Deciles 1-2 are all in the focus group (they are the Core20).
    assert ct.counts.loc[1, "No"] == 0 and ct.counts.loc[2, "No"] == 0
    assert np.all(ct.counts.loc[[1, 2], NOT_KNOWN] == 0)


def test_unknown_column_on_a_prepared_cohort_is_a_plain_error(demo_frame) -> None:
    with pytest.raises(ValueError, match="Cannot cross-tabulate by trust"):
        cross_tab(prepare_cohort(demo_frame), "trust", "core20")


def test_identifiers_cannot_be_cross_tabulated(small_frame) -> None:
    frame = small_frame.assign(postcode=[f"AB{i} 1CD" for i in range(len(small_frame))])
    with pytest.raises(ValueError, match="identifies people"):
        cross_tab(frame, "postcode", "core20")
