"""The profile JSON keeps the DESIGN.md section 5 shape and always serialises."""

from __future__ import annotations

import json
import math

from lmns_desktop.core.profiling import profile_cohort, profile_to_json

TOP_KEYS = {"n_rows", "n_excluded", "fields_mapped", "imd_source", "core20", "breakdowns",
            "outcomes"}
CORE20_KEYS = {"count", "denominator", "percent", "ci_low", "ci_high"}
GROUP_KEYS = {"group", "count", "percent", "ci_low", "ci_high"}
OUTCOME_ROW_KEYS = {"group", "numerator", "denominator", "rate", "ci_low", "ci_high", "ratio",
                    "ratio_ci_low", "ratio_ci_high"}
INDEX_KEYS = {"dimension", "value", "ci_low", "ci_high"}


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def test_contract_keys_are_all_present(demo_profile) -> None:
    data = profile_to_json(demo_profile, fields_mapped={"imd_decile": "IMD Decile"},
                           imd_source="IMD decile column")
    assert set(data) >= TOP_KEYS
    assert data["fields_mapped"] == {"imd_decile": "IMD Decile"}
    assert data["imd_source"] == "IMD decile column"
    assert data["n_rows"] == demo_profile.n_rows and data["n_excluded"] == 0
    assert set(data["core20"]) >= CORE20_KEYS
    for dim in ("imd_decile", "imd_quintile", "core20", "ethnic_group", "ethnic_category",
                "homelessness"):
        rows = data["breakdowns"][dim]
        assert rows and all(set(r) >= GROUP_KEYS for r in rows)
        assert rows[-1]["group"] == "Not known"
    for name, outcome in data["outcomes"].items():
        for dim in data["breakdowns"]:
            assert all(set(r) >= OUTCOME_ROW_KEYS for r in outcome[dim]), (name, dim)
        assert set(outcome["sii"]) >= INDEX_KEYS and set(outcome["rii"]) >= INDEX_KEYS
        assert outcome["sii"]["dimension"] == "imd_quintile"
        assert set(outcome["sii_by_dimension"]) == {"imd_decile", "imd_quintile"}


def test_json_dumps_with_no_nan_and_groups_keep_their_types(demo_profile) -> None:
    data = profile_to_json(demo_profile)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert [r["group"] for r in data["breakdowns"]["imd_quintile"]] == [1, 2, 3, 4, 5,
                                                                        "Not known"]
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in _walk(data))


def test_not_computable_values_are_null_with_a_reason(make_frame) -> None:
    frame = make_frame({"imd_decile": [1, 10, 10], "stillbirth": [False, False, True]})
    data = profile_to_json(profile_cohort(frame))
    rows = data["outcomes"]["stillbirth"]["imd_decile"]
    first = rows[0]
    assert first["ratio"] is None and first["ratio_ci_low"] is None and first["reason"]
    assert rows[1]["denominator"] == 0 and rows[1]["rate"] is None
    assert data["outcomes"]["stillbirth"]["sii"]["value"] is None
    assert "SII needs every" in data["outcomes"]["stillbirth"]["sii"]["reason"]
    json.dumps(data, allow_nan=False)


def test_sii_key_uses_the_chosen_dimension(demo_frame) -> None:
    from lmns_desktop.core.profiling import ProfileOptions

    p = profile_cohort(demo_frame, options=ProfileOptions(sii_dimension="imd_decile"))
    data = profile_to_json(p)
    assert data["outcomes"]["preterm_birth"]["sii"]["dimension"] == "imd_decile"
    assert data["outcomes"]["preterm_birth"]["sii"]["value"] == p.outcomes[
        "preterm_birth"].sii["imd_decile"].value


def test_extra_keys_describe_exclusions_and_continuity(demo_frame) -> None:
    mask = demo_frame["imd_decile"].notna().to_numpy()
    data = profile_to_json(profile_cohort(demo_frame, mask=mask))
    assert data["n_excluded"] == int((~mask).sum())
    assert data["excluded_reasons"] == {"outside the filter": data["n_excluded"]}
    assert set(data["continuity"]) == {"overall", "focus_group"}
    assert data["continuity"]["focus_group"]["target_percent"] == 75.0
    assert all(r["count"] == 0 for r in data["breakdowns"]["imd_decile"][-1:])
