"""The profile engine: counts, percents, denominators, rates and ratios against independent pandas
computations and the ``stats`` functions, on hand-made frames and on the demo cohort."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core import stats, vocab
from lmns_desktop.core.jobs import Cancelled
from lmns_desktop.core.profiling import (
    NOT_KNOWN,
    ProfileOptions,
    prepare_cohort,
    profile_cohort,
)
from lmns_desktop.core.profiling.export import clean


def _groups(breakdown) -> dict:
    return {g.group: g.count for g in breakdown.groups}


def _plain(obj) -> object:
    """A dataclass as plain values with NaN as None, so NaN compares equal to NaN."""
    return clean(asdict(obj))


# --- breakdowns -------------------------------------------------------------------------------


def test_decile_and_quintile_counts_match_pandas_with_not_known(small_frame) -> None:
    """Each decile/quintile count is the pandas count; missing deciles form "Not known"."""
    p = profile_cohort(small_frame)
    deciles = small_frame["imd_decile"]
    expected = {d: int((deciles == d).sum()) for d in range(1, 11)}
    expected[NOT_KNOWN] = int(deciles.isna().sum())
    assert _groups(p.breakdowns["imd_decile"]) == expected
    quint = (deciles + 1) // 2
    expected_q = {q: int((quint == q).sum()) for q in range(1, 6)}
    expected_q[NOT_KNOWN] = int(quint.isna().sum())
    assert _groups(p.breakdowns["imd_quintile"]) == expected_q


def test_breakdown_percent_is_of_all_rows_with_wilson_limits(small_frame) -> None:
    p = profile_cohort(small_frame)
    n = len(small_frame)
    for row in p.breakdowns["imd_decile"].groups:
        value, low, high = stats.wilson_ci(row.count, n)
        assert row.percent == pytest.approx(100 * row.count / n)
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
    assert p.breakdowns["imd_decile"].group(NOT_KNOWN).percent == pytest.approx(100 / 12)


def test_ethnic_category_keeps_z_and_99_while_ethnic_group_pools_them(small_frame) -> None:
    p = profile_cohort(small_frame)
    cat = _groups(p.breakdowns["ethnic_category"])
    assert cat["Z"] == 1 and cat["99"] == 1 and cat[NOT_KNOWN] == 1 and cat["A"] == 3
    assert list(cat)[:-1] == list(vocab.ETHNIC_CATEGORIES)
    groups = _groups(p.breakdowns["ethnic_group"])
    assert groups == {"White": 4, "Mixed": 1, "Asian or Asian British": 2,
                      "Black or Black British": 2, "Other ethnic group": 0, NOT_KNOWN: 3}


def test_x_and_local_two_letter_codes_are_read_and_junk_is_reported(make_frame) -> None:
    frame = make_frame({"ethnic_category": ["X", "a1", " n ", "Martian", "", None]})
    p = profile_cohort(frame)
    cat = _groups(p.breakdowns["ethnic_category"])
    assert cat["99"] == 1 and cat["A"] == 1 and cat["N"] == 1 and cat[NOT_KNOWN] == 3
    assert any("Martian" in note for note in p.notes)


def test_core20_denominator_is_rows_with_a_known_decile(small_frame) -> None:
    p = profile_cohort(small_frame)
    deciles = small_frame["imd_decile"]
    count = int((deciles <= 2).sum())
    known = int(deciles.notna().sum())
    assert (p.core20.count, p.core20.denominator) == (count, known) == (4, 11)
    value, low, high = stats.wilson_ci(count, known)
    assert (p.core20.percent, p.core20.ci_low, p.core20.ci_high) == pytest.approx(
        (value, low, high))
    assert p.core20.comparison == "similar"  # 4/11 has a wide interval around 20%
    assert _groups(p.breakdowns["core20"]) == {"Core20": 4, "Not Core20": 7, NOT_KNOWN: 1}


def test_plus_flags_have_yes_no_not_known_and_age_under_20_is_derived(small_frame) -> None:
    p = profile_cohort(small_frame)
    assert _groups(p.breakdowns["homelessness"]) == {"Yes": 2, "No": 8, NOT_KNOWN: 2}
    age = small_frame["age"]
    assert _groups(p.breakdowns["age_under_20"]) == {
        "Yes": int((age < 20).sum()), "No": int((age >= 20).sum()), NOT_KNOWN: 1}
    assert p.breakdowns["age_under_20"].source == "derived from age"
    assert "interpreter_needed" not in p.breakdowns  # only flags present are reported


def test_intersections_follow_their_definitions(small_frame) -> None:
    p = profile_cohort(small_frame)
    core20 = (small_frame["imd_decile"] <= 2).astype("boolean")
    group = small_frame["ethnic_category"].map(vocab.ETHNIC_GROUP_OF_CODE.get)
    black_asian = group.isin(["Black or Black British", "Asian or Asian British"])
    known_eth = group.notna() & (group != NOT_KNOWN)
    both = (core20 & black_asian & known_eth).fillna(False)
    assert p.breakdowns["core20_black_asian"].group("Core20 and Black or Asian").count == int(
        both.sum()) == 2
    focus = p.breakdowns["core20plus5_focus"]
    bam = group.isin(["Mixed", "Black or Black British", "Asian or Asian British"])
    yes = (core20.fillna(False) | bam).sum()
    no = ((core20 == False) & known_eth & ~bam).fillna(False).sum()  # noqa: E712
    assert (focus.group("Yes").count, focus.group("No").count) == (int(yes), int(no))
    assert focus.group(NOT_KNOWN).count == len(small_frame) - yes - no


# --- outcomes ---------------------------------------------------------------------------------


def test_outcome_denominators_are_rows_with_a_known_outcome(small_frame) -> None:
    p = profile_cohort(small_frame)
    quint = ((small_frame["imd_decile"] + 1) // 2).astype("Float64").fillna(-1)
    grouped = small_frame.groupby(quint)["preterm_birth"].agg(["sum", "count"])
    rows = {r.group: r for r in p.outcomes["preterm_birth"].by_dimension["imd_quintile"]}
    for q in range(1, 6):
        num, den = (int(grouped.loc[q, "sum"]), int(grouped.loc[q, "count"])) if q in \
            grouped.index else (0, 0)
        assert (rows[q].numerator, rows[q].denominator) == (num, den)
    assert (rows[NOT_KNOWN].numerator, rows[NOT_KNOWN].denominator) == (0, 0)
    total = p.outcomes["preterm_birth"]
    assert (total.numerator, total.denominator) == (
        int(small_frame["preterm_birth"].sum()), int(small_frame["preterm_birth"].notna().sum()))


def test_rates_and_ratios_are_the_stats_functions_on_the_counts(demo_profile) -> None:
    rows = demo_profile.outcomes["low_birth_weight"].by_dimension["ethnic_group"]
    ref = next(r for r in rows if r.is_reference)
    assert ref.group == "White" and ref.ratio == 1.0 and np.isnan(ref.ratio_ci_low)
    for r in rows:
        rate = stats.wilson_ci(r.numerator, r.denominator)
        assert (r.rate, r.ci_low, r.ci_high) == pytest.approx(tuple(rate), nan_ok=True)
        if r.is_reference or r.group == NOT_KNOWN:
            continue
        rr = stats.risk_ratio(r.numerator, r.denominator, ref.numerator, ref.denominator)
        assert (r.ratio, r.ratio_ci_low, r.ratio_ci_high) == pytest.approx(tuple(rr[:3]))


def test_not_known_and_not_stated_groups_are_not_compared(demo_profile) -> None:
    cat = demo_profile.outcomes["preterm_birth"].by_dimension["ethnic_category"]
    for row in cat:
        if row.group in ("Z", "99", NOT_KNOWN):
            assert np.isnan(row.ratio) and row.reason
            assert row.denominator > 0 and not np.isnan(row.rate)


def test_sii_is_stats_sii_from_counts_over_known_quantiles(demo_profile) -> None:
    rows = demo_profile.outcomes["preterm_birth"].by_dimension["imd_decile"][:10]
    expected = stats.sii_from_counts(
        np.arange(1, 11), [r.numerator for r in rows], [r.denominator for r in rows],
        multiplier=100, reps=demo_profile.options.sii_reps, seed=demo_profile.options.sii_seed)
    sii = demo_profile.outcomes["preterm_birth"].sii["imd_decile"]
    rii = demo_profile.outcomes["preterm_birth"].rii["imd_decile"]
    assert (sii.value, sii.ci_low, sii.ci_high) == pytest.approx(
        (expected.sii, *expected.sii_ci()))
    assert (rii.value, rii.ci_low, rii.ci_high) == pytest.approx(
        (expected.rii, *expected.rii_ci()))


def test_reference_groups_can_be_chosen(demo_frame) -> None:
    options = ProfileOptions(reference_groups={"ethnic_group": "Black or Black British",
                                               "imd_quintile": "1"})
    p = profile_cohort(demo_frame, options=options)
    out = p.outcomes["preterm_birth"]
    assert out.reference_groups["ethnic_group"] == "Black or Black British"
    assert out.group("imd_quintile", 1).is_reference
    assert out.group("imd_quintile", 5).ratio < 1
    assert p.breakdowns["ethnic_group"].reference == "Black or Black British"


def test_unknown_reference_group_gives_reasons_not_errors(small_frame) -> None:
    p = profile_cohort(small_frame, options=ProfileOptions(reference_groups={"core20": "Maybe"}))
    rows = p.outcomes["preterm_birth"].by_dimension["core20"]
    assert all(np.isnan(r.ratio) and r.reason for r in rows)
    assert any("Maybe" in n for n in p.notes)


def test_continuity_overall_and_focus_group_against_target(small_frame) -> None:
    p = profile_cohort(small_frame, options=ProfileOptions(continuity_target_percent=40))
    coc = small_frame["continuity_of_carer"]
    overall = p.continuity["overall"]
    assert (overall.numerator, overall.denominator) == (int(coc.sum()), int(coc.notna().sum()))
    focus_rows = p.outcomes["continuity_of_carer"].by_dimension["core20plus5_focus"]
    yes = next(r for r in focus_rows if r.group == "Yes")
    focus = p.continuity["focus_group"]
    assert (focus.numerator, focus.denominator) == (yes.numerator, yes.denominator)
    assert focus.target_percent == 40
    assert focus.status == "not clearly different from the target"


def test_small_number_flags_use_the_threshold(small_frame) -> None:
    p = profile_cohort(small_frame, options=ProfileOptions(small_number_threshold=3))
    decile = {g.group: g for g in p.breakdowns["imd_decile"].groups}
    assert decile[1].small and decile[1].count == 2
    assert not decile[7].small  # a count of 0 is not "small", it is none
    p0 = profile_cohort(small_frame, options=ProfileOptions(small_number_threshold=0))
    assert not any(g.small for g in p0.breakdowns["imd_decile"].groups)


def test_options_limit_outcomes_and_dimensions_and_note_missing_ones(small_frame) -> None:
    options = ProfileOptions(outcomes=("preterm_birth", "stillbirth"),
                             dimensions=("core20", "trust_band"))
    p = profile_cohort(small_frame, options=options)
    assert list(p.outcomes) == ["preterm_birth"]
    assert list(p.breakdowns) == ["core20"]
    assert "stillbirth" in p.unavailable and "trust_band" in p.unavailable


def test_lower_confidence_gives_narrower_limits(demo_frame) -> None:
    wide = profile_cohort(demo_frame, options=ProfileOptions(confidence=0.99)).core20
    narrow = profile_cohort(demo_frame, options=ProfileOptions(confidence=0.8)).core20
    assert wide.percent == narrow.percent
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low


def test_extra_dimensions_break_down_by_any_column(small_frame) -> None:
    p = profile_cohort(small_frame, options=ProfileOptions(extra_dimensions=("trust",)))
    assert _groups(p.breakdowns["trust"]) == {"T1": 5, "T2": 4, "T3": 3, NOT_KNOWN: 0}
    assert p.breakdowns["trust"].reference == "T1"  # the largest group by default


def test_mask_profiles_only_the_kept_rows_and_counts_exclusions(demo_frame) -> None:
    mask = (demo_frame["trust"] == vocab.TRUSTS_DEMO[0]).to_numpy()
    masked = profile_cohort(demo_frame, mask=mask)
    subset = profile_cohort(demo_frame[mask].reset_index(drop=True))
    assert masked.n_rows == subset.n_rows == int(mask.sum())
    assert masked.n_excluded == len(demo_frame) - int(mask.sum())
    assert masked.excluded_reasons == {"outside the filter": masked.n_excluded}
    assert _plain(masked.breakdowns["ethnic_group"]) == _plain(subset.breakdowns["ethnic_group"])
    assert _plain(masked.outcomes["stillbirth"]) == _plain(subset.outcomes["stillbirth"])


def test_prepared_cohort_gives_the_same_profile_as_the_frame(demo_frame, demo_profile) -> None:
    again = profile_cohort(prepare_cohort(demo_frame))
    assert _plain(again) == _plain(demo_profile)


def test_prepared_cohort_must_hold_requested_extra_dimensions(small_frame) -> None:
    with pytest.raises(ValueError, match="extra_dimensions"):
        profile_cohort(prepare_cohort(small_frame),
                       options=ProfileOptions(extra_dimensions=("trust",)))


def test_excluded_reasons_from_import_add_to_n_excluded(small_frame) -> None:
    p = profile_cohort(small_frame, excluded_reasons={"blank rows": 3})
    assert p.n_rows == 12 and p.n_excluded == 3 and p.excluded_reasons == {"blank rows": 3}


def test_bad_mask_length_is_a_caller_error(small_frame) -> None:
    with pytest.raises(ValueError, match="mask"):
        profile_cohort(small_frame, mask=np.ones(3, dtype=bool))


def test_progress_is_reported_and_cancel_stops(demo_frame) -> None:
    seen: list[int] = []
    profile_cohort(demo_frame, progress=lambda pct, msg: seen.append(pct))
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        profile_cohort(demo_frame, is_cancelled=lambda: next(calls) >= 3)


def test_invalid_options_are_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="confidence"):
        ProfileOptions(confidence=95)
    with pytest.raises(ValueError, match="target"):
        ProfileOptions(continuity_target_percent=120)


# --- the demo cohort's built-in gradients -----------------------------------------------------


def test_demo_cohort_shows_its_deprivation_gradients(demo_profile) -> None:
    for outcome in ("preterm_birth", "stillbirth", "low_birth_weight"):
        q1 = demo_profile.outcomes[outcome].group("imd_quintile", 1)
        assert q1.ratio > 1, outcome
        sii = demo_profile.outcomes[outcome].sii["imd_quintile"]
        assert sii.value < 0 and sii.reason is None, outcome  # worse at the deprived end
    preterm = demo_profile.outcomes["preterm_birth"].group("imd_quintile", 1)
    assert preterm.ratio_ci_low > 1
    assert demo_profile.outcomes["preterm_birth"].rii["imd_quintile"].value < 1
    feeding = demo_profile.outcomes["breastfeeding_initiated"].sii["imd_decile"]
    assert feeding.value > 0 and feeding.ci_low > 0  # better at the least deprived end


def test_demo_cohort_shows_its_ethnicity_gradient_and_core20_excess(demo_profile) -> None:
    black = demo_profile.outcomes["preterm_birth"].group("ethnic_group", "Black or Black British")
    assert black.ratio_ci_low > 1
    assert demo_profile.core20.comparison == "higher"  # the demo LMNS is urban and deprived
    focus = demo_profile.continuity["focus_group"]
    assert focus.status == "below target" and focus.rate > demo_profile.continuity["overall"].rate


def test_all_dimensions_cover_every_row_of_the_demo(demo_profile) -> None:
    for name, breakdown in demo_profile.breakdowns.items():
        assert sum(g.count for g in breakdown.groups) == demo_profile.n_rows, name
        assert sum(g.percent for g in breakdown.groups) == pytest.approx(100.0), name
    assert set(demo_profile.outcomes) == set(vocab.OUTCOME_FIELDS)
    expected = {"imd_decile", "imd_quintile", "core20", "ethnic_group", "ethnic_category",
                "core20_black_asian", "core20plus5_focus", "age_under_20",
                *[f for f in vocab.PLUS_FLAG_FIELDS if f not in ("sex_worker", "justice_contact",
                                                                 "age_under_20")]}
    assert set(demo_profile.breakdowns) == expected


def test_object_yes_no_and_numeric_flags_are_accepted(make_frame) -> None:
    frame = pd.DataFrame({
        "imd_decile": ["1", "10", "eleven", 3.0],
        "preterm_birth": ["Y", "no", "maybe", None],
        "stillbirth": [1, 0, 0, 2],
    })
    p = profile_cohort(frame)
    assert _groups(p.breakdowns["imd_decile"])[NOT_KNOWN] == 1
    assert (p.outcomes["preterm_birth"].numerator, p.outcomes["preterm_birth"].denominator) == (
        1, 2)
    assert (p.outcomes["stillbirth"].numerator, p.outcomes["stillbirth"].denominator) == (1, 3)
    assert any("not whole numbers 1 to 10" in n for n in p.notes)
    assert any("were not yes or no" in n for n in p.notes)


def test_identifiers_and_high_cardinality_columns_are_never_breakdowns(demo_frame) -> None:
    options = ProfileOptions(extra_dimensions=("patient_id", "bmi", "site"))
    p = profile_cohort(demo_frame, options=options)
    assert "patient_id" not in p.breakdowns and "identifies people" in p.unavailable["patient_id"]
    assert "bmi" not in p.breakdowns and "too many" in p.unavailable["bmi"]
    assert "site" in p.breakdowns
