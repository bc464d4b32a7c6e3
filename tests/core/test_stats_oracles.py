"""The statistics agree with the published PHEindicatormethods test results (the oracles).

The oracle CSVs live outside the repository in ``../shared/oracles`` (see its README for sources,
methods and tolerances). Ratios and differences have no oracle there: they are checked against
closed-form numbers worked out from the formulas with literal inputs, and against Newcombe's
published table.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lmns_desktop.core import stats

ORACLES = Path(__file__).resolve().parents[2].parent / "shared" / "oracles"

if not ORACLES.is_dir():
    pytest.skip(
        f"oracle folder {ORACLES} is absent (it sits beside the repository, not inside it)",
        allow_module_level=True,
    )

REL = 1e-8


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(ORACLES / name)


def _rows(frame: pd.DataFrame, id_cols: list[str]) -> list:
    return [
        pytest.param(row, id="-".join(str(row[c]) for c in id_cols))
        for row in frame.to_dict("records")
    ]


def _assert_close_or_nan(actual: float, expected: float, rel: float = REL) -> None:
    if pd.isna(expected):
        assert math.isnan(actual), f"expected NaN, got {actual}"
    else:
        assert actual == pytest.approx(expected, rel=rel, abs=1e-13)


# ---------------------------------------------------------------------------------------------
# proportions, counts, rates


@pytest.mark.parametrize("row", _rows(_read("proportion_wilson.csv"), ["case_id", "confidence"]))
def test_wilson_matches_phe_proportion(row: dict) -> None:
    result = stats.wilson_ci(
        row["numerator"], row["denominator"], row["confidence"], multiplier=row["multiplier"]
    )
    _assert_close_or_nan(result.value, row["value"])
    _assert_close_or_nan(result.lower, row["lower_cl"])
    _assert_close_or_nan(result.upper, row["upper_cl"])


def test_wilson_whole_oracle_file_at_once_as_arrays() -> None:
    """The vectorised call gives the same answers as one call per row."""
    frame = _read("proportion_wilson.csv")
    frame = frame[frame["confidence"] == 0.95]
    frame = frame[frame["multiplier"] == 1]
    value, lower, upper = stats.wilson_ci(
        frame["numerator"], frame["denominator"], 0.95, multiplier=1
    )
    np.testing.assert_allclose(lower, frame["lower_cl"], rtol=REL, equal_nan=True)
    np.testing.assert_allclose(upper, frame["upper_cl"], rtol=REL, equal_nan=True)
    np.testing.assert_allclose(value, frame["value"], rtol=REL, equal_nan=True)


@pytest.mark.parametrize("row", _rows(_read("byars_count_ci.csv"), ["case_id"]))
def test_byars_count_limits(row: dict) -> None:
    result = stats.byars_count_ci(row["observed"], row["confidence"])
    _assert_close_or_nan(result.lower, row["lower_cl_count"])
    _assert_close_or_nan(result.upper, row["upper_cl_count"])


@pytest.mark.parametrize("row", _rows(_read("rate_byars_exact.csv"), ["case_id", "confidence"]))
def test_rate_matches_phe_rate(row: dict) -> None:
    result = stats.rate_ci(
        row["numerator"], row["denominator"], row["confidence"], multiplier=row["multiplier"]
    )
    _assert_close_or_nan(result.value, row["value"])
    _assert_close_or_nan(result.lower, row["lower_cl"])
    _assert_close_or_nan(result.upper, row["upper_cl"])


def test_rate_oracle_uses_exact_limits_below_ten_and_byars_from_ten() -> None:
    """The method switch is at 10 events: the oracle's method column says which was used."""
    frame = _read("rate_byars_exact.csv").dropna(subset=["numerator", "denominator"])
    for row in frame.to_dict("records"):
        counts = stats.poisson_count_ci(row["numerator"], row["confidence"])
        byars = stats.byars_count_ci(row["numerator"], row["confidence"])
        uses_byars = counts.upper == pytest.approx(byars.upper, rel=1e-12)
        assert uses_byars == (row["method"] == "Byars"), row["case_id"]


# ---------------------------------------------------------------------------------------------
# means and DSRs


def _mean_cases() -> list:
    inputs = _read("mean_inputs.csv")
    expected = _read("mean_expected.csv")
    cases = []
    for row in expected.to_dict("records"):
        values = (
            inputs["values"]
            if row["area"] == "No grouping"
            else (inputs.loc[inputs["area"] == row["area"], "values"])
        )
        for level, lo, hi in (
            (0.95, "lower95_0cl", "upper95_0cl"),
            (0.998, "lower99_8cl", "upper99_8cl"),
        ):
            cases.append(
                pytest.param(values.to_numpy(), level, row, lo, hi, id=f"{row['area']}-{level}")
            )
    return cases


@pytest.mark.parametrize(("values", "level", "row", "lo", "hi"), _mean_cases())
def test_mean_matches_phe_mean(values, level, row, lo, hi) -> None:
    result = stats.mean_ci(values, level)
    assert result.n == row["value_count"]
    assert result.value == pytest.approx(row["value"], rel=REL)
    assert result.sd == pytest.approx(row["stdev"], rel=REL)
    assert result.lower == pytest.approx(row[lo], rel=REL)
    assert result.upper == pytest.approx(row[hi], rel=REL)


def _dsr_cases() -> list:
    expected = _read("dsr_expected.csv")
    multi = _read("dsr_inputs_multiarea.csv")
    old = _read("dsr_inputs_1976.csv").rename(columns={"esp1976": "std"})
    nonind = _read("dsr_inputs_nonindependent.csv").rename(columns={"esp2013": "std"})
    multi = multi.rename(columns={"esp2013": "std"})
    cases = []
    for i, row in enumerate(expected.to_dict("records")):
        area = row["area"]
        source = old if area == "testdata_1976" else nonind if "nonind" in area else multi
        data = source[source["area"] == area]
        # the 1976 row's 99.8% limits are wrong (x10) upstream and never asserted there
        levels = [(0.95, "lower95_0cl", "upper95_0cl")]
        if area != "testdata_1976":
            levels.append((0.998, "lower99_8cl", "upper99_8cl"))
        mult = row["multiplier"] if not pd.isna(row["multiplier"]) else 100_000
        for level, lo, hi in levels:
            cases.append(pytest.param(data, row, mult, level, lo, hi, id=f"{i}-{area}-{level}"))
    return cases


@pytest.mark.parametrize(("data", "row", "mult", "level", "lo", "hi"), _dsr_cases())
def test_dsr_matches_calculate_dsr(data, row, mult, level, lo, hi) -> None:
    persons = None
    if not row["independent_events"]:
        persons = {f: data[f"f{f}"] for f in (1, 2, 3, 4)}
    result = stats.dsr_ci(
        data["count"],
        data["pop"],
        data["std"],
        level,
        multiplier=mult,
        persons_by_frequency=persons,
    )
    assert result.total_count == row["total_count"]
    assert result.total_pop == row["total_pop"]
    _assert_close_or_nan(result.value, row["value"])
    _assert_close_or_nan(result.lower, row[lo])
    _assert_close_or_nan(result.upper, row[hi])


# ---------------------------------------------------------------------------------------------
# SII / RII

SII_INPUTS = _read("sii_inputs.csv")
SII_EXPECTED = _read("sii_expected.csv")


def _sii_rows(first: int, last: int) -> pd.DataFrame:
    """Rows by upstream's 1-based, inclusive row index (as ``SII_test_grouped[a:b, ]``)."""
    idx = SII_INPUTS["upstream_row_index"]
    return SII_INPUTS[(idx >= first) & (idx <= last)]


def _sii_sources(note: str) -> list[str]:
    sources = []
    if note.startswith("se"):
        sources.append("se")
    if "CLs" in note:
        sources.append("cls")
    if "Count" in note:
        sources.append("count")
    return sources


def _sii_cases() -> list:
    cases = []
    for row in SII_EXPECTED.to_dict("records"):
        for source in _sii_sources(row["se_source_in_test"]):
            cases.append(
                pytest.param(row, source, id=f"{row['scenario_id']}-{row['area']}-{source}")
            )
    return cases


def _run_sii(row: dict, source: str) -> stats.SIIResult:
    data = _sii_rows(int(row["input_row_first"]), int(row["input_row_last"]))
    levels = [row["confidence_1"]]
    if not pd.isna(row["confidence_2"]):
        levels.append(row["confidence_2"])
    kwargs = {
        "value_type": int(row["value_type"]),
        "transform": bool(row["transform"]),
        "multiplier": row["multiplier"],
        "confidence": levels,
    }
    if source == "se":
        return stats.sii_rii(
            data["Quantile"], data["Population"], data["Value"], se=data["StandardError"], **kwargs
        )
    if source == "count":
        return stats.sii_rii(
            data["Quantile"],
            data["Population"],
            count=data["Count"],
            lower=data["LowerCL"],
            upper=data["UpperCL"],
            **kwargs,
        )
    return stats.sii_rii(
        data["Quantile"],
        data["Population"],
        data["Value"],
        lower=data["LowerCL"],
        upper=data["UpperCL"],
        **kwargs,
    )


def _assert_within_width(actual: float, lower: float, upper: float, expected: float) -> None:
    """Simulated limits: within 2% of the expected interval's width (README recommendation)."""
    width = abs(upper - lower)
    assert abs(actual - expected) <= 0.02 * width, (actual, expected, width)


@pytest.mark.parametrize(("row", "source"), _sii_cases())
def test_sii_matches_phe_sii(row: dict, source: str) -> None:
    result = _run_sii(row, source)
    assert result.sii == pytest.approx(row["sii"], rel=1e-9)
    if row["scenario_id"] == "default_quintiles":
        return  # only the SII is asserted upstream
    if row["rii_requested"]:
        assert result.rii == pytest.approx(row["rii"], rel=1e-9)
    if not pd.isna(row["intercept"]):
        assert result.intercept == pytest.approx(row["intercept"], rel=1e-9)
    for i, suffix in enumerate(["1", "2"][: len(result.confidence)]):
        lo, hi = row[f"sii_lower_{suffix}"], row[f"sii_upper_{suffix}"]
        _assert_within_width(result.sii_lower[i], lo, hi, lo)
        _assert_within_width(result.sii_upper[i], lo, hi, hi)
        if row["rii_requested"]:
            lo, hi = row[f"rii_lower_{suffix}"], row[f"rii_upper_{suffix}"]
            _assert_within_width(result.rii_lower[i], lo, hi, lo)
            _assert_within_width(result.rii_upper[i], lo, hi, hi)


def test_sii_oracle_covers_every_expected_row() -> None:
    """Guard: every expected row is exercised by at least one input source."""
    assert len(SII_EXPECTED) == 44
    assert all(_sii_sources(note) for note in SII_EXPECTED["se_source_in_test"])


def _sii_call(first: int, last: int, **kwargs) -> stats.SIIResult:
    data = _sii_rows(first, last)
    args = {"quantile": data["Quantile"], "population": data["Population"]}
    for key, column in (
        ("value", "Value"),
        ("se", "StandardError"),
        ("lower", "LowerCL"),
        ("upper", "UpperCL"),
        ("count", "Count"),
    ):
        if kwargs.pop(key, False):
            args[key] = data[column]
    return stats.sii_rii(**args, reps=1000, **kwargs)


@pytest.mark.parametrize(
    ("first", "last", "kwargs", "message"),
    [
        pytest.param(151, 160, {"value": True, "se": True}, "population", id="negative-population"),
        pytest.param(161, 165, {"value": True, "se": True}, "Standard errors", id="negative-se"),
        pytest.param(191, 200, {"value": True, "se": True}, "Standard errors", id="missing-se"),
        pytest.param(
            191,
            200,
            {"value": True, "lower": True, "upper": True},
            "both confidence",
            id="missing-cls",
        ),
        pytest.param(
            166,
            170,
            {"count": True, "se": True, "value_type": 2},
            "count above zero",
            id="zero-count",
        ),
        pytest.param(
            1,
            10,
            {"value": True, "se": True, "value_type": 2},
            "between 0 and 1",
            id="value-not-a-proportion",
        ),
        pytest.param(
            171,
            175,
            {"value": True, "lower": True, "upper": True, "value_type": 2},
            "between 0 and 1",
            id="upper-cl-not-a-proportion",
        ),
        pytest.param(
            176,
            180,
            {"value": True, "lower": True, "upper": True, "value_type": 2},
            "between 0 and 1",
            id="lower-cl-not-a-proportion",
        ),
        pytest.param(181, 190, {"value": True, "se": True}, "needs a value", id="missing-values"),
        pytest.param(
            201, 210, {"value": True, "se": True}, "population", id="missing-population-and-value"
        ),
        pytest.param(
            1,
            3,
            {"value": True, "lower": True, "upper": True},
            "between 5 and 100",
            id="too-few-quantiles",
        ),
        pytest.param(
            1,
            10,
            {"value": True, "lower": True, "upper": True, "transform": True},
            "rate' or 'proportion",
            id="transform-needs-rate-or-proportion",
        ),
        pytest.param(
            71,
            80,
            {"value": True, "se": True, "transform": True, "value_type": 1},
            "not a standard error",
            id="transform-needs-limits-not-se",
        ),
        pytest.param(
            1, 10, {"value": True, "se": True, "value_type": 3}, "value_type", id="bad-value-type"
        ),
        pytest.param(
            1,
            10,
            {"value": True, "se": True, "confidence": 1.35},
            "between 0 and 1",
            id="bad-confidence",
        ),
    ],
)
def test_sii_rejects_what_upstream_rejects(first, last, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        _sii_call(first, last, **kwargs)


def test_sii_rejects_too_few_repetitions() -> None:
    data = _sii_rows(1, 10)
    with pytest.raises(ValueError, match="1,000"):
        stats.sii_rii(
            data["Quantile"], data["Population"], data["Value"], se=data["StandardError"], reps=999
        )


def test_sii_rejects_a_repeated_quantile() -> None:
    data = _sii_rows(1, 10)
    quantiles = data["Quantile"].to_numpy().copy()
    quantiles[1] = 1
    with pytest.raises(ValueError, match="once"):
        stats.sii_rii(quantiles, data["Population"], data["Value"], se=data["StandardError"])


def test_sii_warns_but_computes_with_more_than_ten_quantiles() -> None:
    with pytest.warns(UserWarning, match="more than 10 quantiles"):
        result = _sii_call(211, 225, value=True, lower=True, upper=True)
    assert result.n_quantiles == 15
    assert math.isfinite(result.sii)
    assert result.notes


def test_sii_is_reproducible_with_a_seed_and_varies_without_one_fixed() -> None:
    data = _sii_rows(1, 10)
    args = (data["Quantile"], data["Population"], data["Value"])
    first = stats.sii_rii(*args, se=data["StandardError"], reps=2000, seed=7)
    again = stats.sii_rii(*args, se=data["StandardError"], reps=2000, seed=7)
    other = stats.sii_rii(*args, se=data["StandardError"], reps=2000, seed=8)
    assert first == again
    assert first.sii_lower != other.sii_lower
    assert first.sii == other.sii


def test_sii_order_of_rows_does_not_matter() -> None:
    data = _sii_rows(1, 10).iloc[::-1]
    result = stats.sii_rii(
        data["Quantile"], data["Population"], data["Value"], se=data["StandardError"], reps=1000
    )
    assert result.sii == pytest.approx(6.93461647366882, rel=1e-9)


def test_sii_with_100k_reps_for_ten_quantiles_is_fast() -> None:
    data = _sii_rows(306, 315)
    args = (data["Quantile"], data["Population"], data["Value"])
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        stats.sii_rii(
            *args,
            lower=data["LowerCL"],
            upper=data["UpperCL"],
            value_type="rate",
            transform=True,
            reps=100_000,
        )
        best = min(best, time.perf_counter() - start)
    assert best < 0.150


def test_sii_from_counts_equals_sii_rii_on_wilson_limits() -> None:
    """The convenience wrapper is the PHE method on logit-scale SEs from 95% Wilson limits."""
    data = _sii_rows(91, 100)
    n = data["Population"].to_numpy()
    x = data["Count"].to_numpy()
    p, lo, hi = stats.wilson_ci(x, n, 0.95, multiplier=1)
    direct = stats.sii_rii(
        data["Quantile"],
        n,
        p,
        lower=lo,
        upper=hi,
        value_type="proportion",
        multiplier=100,
        reps=5000,
        seed=3,
    )
    wrapped = stats.sii_from_counts(data["Quantile"], x, n, reps=5000, seed=3)
    assert wrapped == direct
    assert wrapped.se_scale == "logit"
    # point estimate agrees with the oracle's (value = Count / Population in these rows)
    assert wrapped.sii == pytest.approx(-10.7200323337305, rel=1e-9)


def test_sii_from_counts_with_a_zero_group_falls_back_to_the_percentage_scale() -> None:
    groups = [1, 2, 3, 4, 5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = stats.sii_from_counts(
            groups, [12, 8, 5, 3, 0], [200, 210, 190, 205, 180], reps=2000
        )
    assert result.se_scale == "raw"
    assert result.notes and "0% or 100%" in result.notes[-1]
    assert result.sii < 0
    assert result.sii_lower[0] < result.sii < result.sii_upper[0]
    with pytest.raises(ValueError, match="logit"):
        stats.sii_from_counts(
            groups, [12, 8, 5, 3, 0], [200, 210, 190, 205, 180], transform=True, reps=2000
        )


def test_sii_from_counts_needs_people_in_every_group() -> None:
    with pytest.raises(ValueError, match="at least one person"):
        stats.sii_from_counts([1, 2, 3, 4, 5], [1, 2, 0, 1, 1], [10, 20, 0, 10, 10])


# ---------------------------------------------------------------------------------------------
# ratios and differences (no oracle file: hand-computed from the formulas)

Z95 = 1.959963984540054  # norm.ppf(0.975)


def test_z_value_matches_the_normal_quantile() -> None:
    assert stats.z_value(0.95) == pytest.approx(Z95, rel=1e-12)
    assert stats.z_value(0.998) == pytest.approx(3.090232306167813, rel=1e-12)
    with pytest.raises(ValueError):
        stats.z_value(95)


def test_risk_ratio_katz_hand_computed() -> None:
    # a=20, n1=100, b=10, n0=100: RR = 0.2 / 0.1 = 2;
    # SE(ln RR) = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13)
    result = stats.risk_ratio(20, 100, 10, 100)
    assert result.ratio == pytest.approx(2.0, rel=1e-12)
    assert result.lower == pytest.approx(math.exp(math.log(2) - Z95 * math.sqrt(0.13)), rel=1e-12)
    assert result.upper == pytest.approx(math.exp(math.log(2) + Z95 * math.sqrt(0.13)), rel=1e-12)
    assert result.lower == pytest.approx(0.98656, abs=5e-6)
    assert result.upper == pytest.approx(4.05448, abs=5e-6)
    assert result.zero_count is False


def test_risk_ratio_unequal_groups_hand_computed() -> None:
    # a=15, n1=60, b=30, n0=240: RR = 0.25 / 0.125 = 2;
    # SE = sqrt(1/15 - 1/60 + 1/30 - 1/240) = sqrt(0.0791666...) ; 99% uses z = 2.5758293035489
    result = stats.risk_ratio(15, 60, 30, 240, confidence=0.99)
    se = math.sqrt(1 / 15 - 1 / 60 + 1 / 30 - 1 / 240)
    assert result.ratio == pytest.approx(2.0, rel=1e-12)
    assert result.lower == pytest.approx(math.exp(math.log(2) - 2.5758293035489 * se), rel=1e-9)
    assert result.upper == pytest.approx(math.exp(math.log(2) + 2.5758293035489 * se), rel=1e-9)


def test_rate_ratio_log_method_hand_computed() -> None:
    # a=30 per 10,000, b=15 per 10,000: RR = 2; SE = sqrt(1/30 + 1/15) = sqrt(0.1)
    result = stats.rate_ratio(30, 10_000, 15, 10_000)
    assert result.ratio == pytest.approx(2.0, rel=1e-12)
    assert result.lower == pytest.approx(math.exp(math.log(2) - Z95 * math.sqrt(0.1)), rel=1e-12)
    assert result.upper == pytest.approx(math.exp(math.log(2) + Z95 * math.sqrt(0.1)), rel=1e-12)
    assert result.lower == pytest.approx(1.07611, abs=5e-6)


def test_ratios_with_a_zero_count_are_flagged_not_computable() -> None:
    for func in (stats.risk_ratio, stats.rate_ratio):
        result = func([0, 4, 3, 5], [50, 50, 50, 50], [5, 0, 6, 5], [50, 50, 50, None])
        assert list(result.zero_count) == [True, True, False, False]
        assert np.isnan(result.ratio[:2]).all() and np.isnan(result.lower[:2]).all()
        assert result.ratio[2] == pytest.approx(0.5)
        # a missing denominator gives NaN but is not a zero count
        assert np.isnan(result.ratio[3]) and not result.zero_count[3]


def test_risk_ratio_rejects_numerator_above_denominator() -> None:
    with pytest.raises(ValueError, match="larger than its denominator"):
        stats.risk_ratio(11, 10, 1, 10)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe RG. Stat Med 1998;17:873-890, Table II, method 10 (hybrid score)
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((0, 10, 0, 10), (-0.2775, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
        ((10, 10, 0, 10), (0.6075, 1.0000)),
    ],
)
def test_difference_ci_matches_newcombe_table(counts, expected) -> None:
    result = stats.difference_ci(*counts, multiplier=1)
    assert result.value == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert result.lower == pytest.approx(expected[0], abs=5e-5)
    assert result.upper == pytest.approx(expected[1], abs=5e-5)


def test_difference_ci_defaults_to_percentage_points() -> None:
    result = stats.difference_ci(56, 70, 48, 80)
    assert result.value == pytest.approx(20.0)
    assert result.lower == pytest.approx(5.24, abs=5e-3)
