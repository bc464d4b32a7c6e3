"""Plain-English findings: stated only when the interval excludes no difference."""

from __future__ import annotations

from lmns_desktop.core.profiling import ProfileOptions, findings, profile_cohort
from lmns_desktop.core.profiling.wording import ratio_text


def _quintile_frame(make_frame, q1: tuple[int, int], q5: tuple[int, int]):
    """Preterm births (events, women) in decile 1 and decile 10 only."""
    (x1, n1), (x5, n5) = q1, q5
    return make_frame({
        "imd_decile": [1] * n1 + [10] * n5,
        "preterm_birth": [True] * x1 + [False] * (n1 - x1) + [True] * x5 + [False] * (n5 - x5),
    })


def test_ratio_finding_wording(make_frame) -> None:
    p = profile_cohort(_quintile_frame(make_frame, (400, 2000), (250, 2000)))
    assert ("Preterm birth (<37 weeks) is 1.6× (1.4–1.9) as common among women in the most "
            "deprived quintile as among women in the least deprived quintile.") in findings(p)


def test_no_finding_when_the_interval_includes_one(make_frame) -> None:
    p = profile_cohort(_quintile_frame(make_frame, (205, 2000), (200, 2000)))
    assert not [f for f in findings(p) if "Preterm" in f]


def test_small_groups_and_few_events_are_mentioned(make_frame) -> None:
    frame = make_frame({
        "ethnic_category": ["A"] * 2000 + ["D"] * 8 + ["N"] * 20,
        "preterm_birth": [True] * 100 + [False] * 1900 + [True] * 6 + [False] * 2
        + [True] * 9 + [False] * 11,
    })
    text = findings(profile_cohort(frame))
    mixed = next(f for f in text if "Mixed" in f)
    assert mixed.endswith("as among White women (a small group: 8 women with a known outcome).")
    black = next(f for f in text if "Black or Black British women" in f)
    assert black.endswith("(based on only 9 events).")


def test_core20_statement_against_the_national_share(make_frame) -> None:
    def first(core20: int, other: int) -> str:
        frame = make_frame({"imd_decile": [2] * core20 + [7] * other})
        return findings(profile_cohort(frame))[0]

    assert first(310, 690).endswith("of the 1,000 women with a known IMD decile, more than the "
                                    "national 20%.")
    assert first(310, 690).startswith("Core20 women (IMD deciles 1–2) are 31% (95% CI ")
    assert first(100, 900).endswith("fewer than the national 20%.")
    assert first(21, 79).endswith("similar to the national 20%.")


def test_demo_findings_include_sii_and_continuity(demo_profile) -> None:
    text = findings(demo_profile)
    assert any(f.startswith("Across IMD quintiles, preterm birth (<37 weeks) is")
               and "higher at the most deprived end" in f for f in text)
    assert any(f.startswith("Across IMD quintiles, breastfeeding initiated is")
               and "higher at the least deprived end" in f for f in text)
    assert any("Core20PLUS5 maternity focus group are on a continuity-of-carer pathway: "
               "below target of 75%." in f for f in text)
    # Deciles and single ethnic codes are left to the tables.
    assert not any("decile 3" in f or "recorded as" in f for f in text)


def test_findings_can_look_at_chosen_dimensions(demo_profile) -> None:
    only = findings(demo_profile, dimensions=["core20"])
    assert any("among Core20 women as among women outside the Core20" in f for f in only)
    assert not any("White women" in f for f in only)


def test_findings_respect_the_confidence_level(demo_frame) -> None:
    strict = findings(profile_cohort(demo_frame, options=ProfileOptions(confidence=0.999)))
    loose = findings(profile_cohort(demo_frame, options=ProfileOptions(confidence=0.8)))
    assert len(loose) > len(strict)
    assert "99.9% CI" in strict[0]


def test_ratio_text_never_shows_a_limit_as_one() -> None:
    assert ratio_text(1.6, 1.3, 2.0) == "1.6× (1.3–2.0)"
    assert ratio_text(0.95, 0.90, 0.996) == "0.950× (0.900–0.996)"
    assert ratio_text(1.13, 1.06, 1.21) == "1.13× (1.06–1.21)"
