"""Properties that hold for any cohort: groups partition the rows, denominators add up, masks
agree with subsets, and the JSON always serialises."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmns_desktop.core.profiling import (
    ProfileOptions,
    cross_tab,
    findings,
    profile_cohort,
    profile_to_json,
)
from lmns_desktop.core.profiling.export import clean

OPTIONS = ProfileOptions(sii_reps=1000)
PROPS = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])

bools = st.sampled_from([True, False, None])
row = st.fixed_dictionaries({
    "imd_decile": st.one_of(st.none(), st.integers(0, 11)),
    "ethnic_category": st.sampled_from(["A", "C", "D", "H", "J", "M", "N", "R", "S", "Z", "99",
                                        "X", None, "junk"]),
    "homelessness": bools,
    "preterm_birth": bools,
    "continuity_of_carer": bools,
    "age": st.one_of(st.none(), st.integers(14, 50)),
})


def _frame(rows: list[dict]) -> pd.DataFrame:
    names = ["imd_decile", "ethnic_category", "homelessness", "preterm_birth",
             "continuity_of_carer", "age"]
    cols = {k: [r[k] for r in rows] for k in names}
    return pd.DataFrame({
        "imd_decile": pd.array(cols["imd_decile"], dtype="Int64"),
        "ethnic_category": pd.array(cols["ethnic_category"], dtype="string"),
        "homelessness": pd.array(cols["homelessness"], dtype="boolean"),
        "preterm_birth": pd.array(cols["preterm_birth"], dtype="boolean"),
        "continuity_of_carer": pd.array(cols["continuity_of_carer"], dtype="boolean"),
        "age": pd.array(cols["age"], dtype="Float64"),
    })


@PROPS
@given(st.lists(row, max_size=60))
def test_groups_partition_the_rows_and_denominators_add_up(rows) -> None:
    frame = _frame(rows)
    p = profile_cohort(frame, options=OPTIONS)
    n = len(frame)
    assert p.n_rows == n
    for name, breakdown in p.breakdowns.items():
        assert sum(g.count for g in breakdown.groups) == n, name
        if n:
            assert sum(g.percent for g in breakdown.groups) == pytest.approx(100.0), name
    known = int(frame["imd_decile"].between(1, 10).fillna(False).sum())
    assert p.core20.denominator == known
    for outcome in p.outcomes.values():
        for dim, groups in outcome.by_dimension.items():
            assert sum(g.denominator for g in groups) == outcome.denominator, dim
            assert sum(g.numerator for g in groups) == outcome.numerator, dim
            assert all(0 <= g.numerator <= g.denominator for g in groups)
            assert all(g.ci_low <= g.rate <= g.ci_high for g in groups if g.denominator)
    json.dumps(profile_to_json(p), allow_nan=False)
    assert findings(p)


@PROPS
@given(st.lists(row, min_size=1, max_size=60), st.data())
def test_a_mask_gives_the_profile_of_the_subset(rows, data) -> None:
    frame = _frame(rows)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(rows),
                                       max_size=len(rows))), dtype=bool)
    masked = profile_cohort(frame, mask=mask, options=OPTIONS)
    subset = profile_cohort(frame[mask].reset_index(drop=True), options=OPTIONS)
    assert clean(asdict(masked.core20)) == clean(asdict(subset.core20))
    assert clean({k: asdict(v) for k, v in masked.breakdowns.items()}) == clean(
        {k: asdict(v) for k, v in subset.breakdowns.items()})
    assert clean({k: asdict(v) for k, v in masked.outcomes.items()}) == clean(
        {k: asdict(v) for k, v in subset.outcomes.items()})
    assert masked.n_excluded == int((~mask).sum())


@PROPS
@given(st.lists(row, max_size=60))
def test_cross_tab_margins_are_the_breakdowns(rows) -> None:
    frame = _frame(rows)
    p = profile_cohort(frame, options=OPTIONS)
    ct = cross_tab(frame, "imd_quintile", "ethnic_group")
    assert ct.counts.sum(axis=1).tolist() == [g.count for g in p.breakdowns["imd_quintile"].groups]
    assert ct.counts.sum(axis=0).tolist() == [g.count for g in p.breakdowns["ethnic_group"].groups]
