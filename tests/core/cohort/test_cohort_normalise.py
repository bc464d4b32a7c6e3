"""Normalisation: typed canonical fields, nothing invented, every change counted."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lmns_desktop.core import vocab
from lmns_desktop.core.cohort.normalise import (
    FLAG_FALSE,
    FLAG_TRUE,
    completed_years,
    ethnic_code,
    nhs_check_digits_ok,
    nhs_number_valid,
    normalise,
    normalise_postcode,
    parse_uk_dates,
)

FAST = settings(max_examples=60, deadline=None)


def frame_of(**cols: list[object]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    index = pd.Index(range(2, n + 2), name="row")
    return pd.DataFrame(
        {
            k: pd.array([None if v is None else str(v) for v in vals], dtype="str")
            for k, vals in cols.items()
        },
        index=index,
    )


def run(field: str, values: list[object], column: str = "col"):
    return normalise(frame_of(**{column: values}), {column: field})


def changes(result, field: str) -> dict[str, int]:
    return result.changes_by_field().get(field, {})


# --- flags ---------------------------------------------------------------------------------

_UNKNOWN = ["unknown", "Not known", "N/A", "u", "?"]


def _spell(word: str, draw_case: int, pad: int) -> str:
    w = word.upper() if draw_case == 1 else (word.title() if draw_case == 2 else word)
    return " " * pad + w + " " * (pad % 2)


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["t", "f", "blank", "unknown"]),
            st.integers(0, 1000),
            st.integers(0, 2),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_flags_property(items: list[tuple[str, int, int, int]]) -> None:
    trues, falses = sorted(FLAG_TRUE), sorted(FLAG_FALSE)
    values, expected = [], []
    for kind, pick, case, pad in items:
        if kind == "t":
            values.append(_spell(trues[pick % len(trues)], case, pad))
            expected.append(True)
        elif kind == "f":
            values.append(_spell(falses[pick % len(falses)], case, pad))
            expected.append(False)
        elif kind == "blank":
            values.append(None if pick % 2 else " " * pad)
            expected.append(None)
        else:
            values.append(_spell(_UNKNOWN[pick % len(_UNKNOWN)], case, pad))
            expected.append(None)
    result = run("homelessness", values)
    got = [None if pd.isna(v) else bool(v) for v in result.frame["homelessness"]]
    assert got == expected  # blank is unknown, never "no"
    assert result.frame["homelessness"].dtype == "boolean"
    assert changes(result, "homelessness").get("recoded", 0) == sum(e is not None for e in expected)
    assert not result.problems


def test_flag_spellings_and_invalid() -> None:
    values = [
        "Y",
        "n",
        "Yes",
        "NO",
        "1",
        "0",
        "1.0",
        "TRUE",
        "false",
        "✓",
        "x",
        "X",
        "✗",
        "ticked",
        "",
        None,
        "Unknown",
        "maybe",
        "#N/A",
    ]
    result = run("interpreter_needed", values)
    got = [None if pd.isna(v) else bool(v) for v in result.frame["interpreter_needed"]]
    assert got == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        True,
        None,
        None,
        None,
        None,
        None,
    ]
    probs = {p.kind: p.rows.tolist() for p in result.problems}
    assert probs == {"unrecognised": [19], "formula_error": [20]}


def test_smoking_words() -> None:
    result = run(
        "smoking_at_booking", ["Current smoker", "Non-smoker", "Ex-smoker", "Never smoked"]
    )
    assert result.frame["smoking_at_booking"].tolist() == [True, False, False, False]


# --- dates ---------------------------------------------------------------------------------

_FORMATS = [
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%b %d, %Y",
    "%Y%m%d",
    "serial",
]


@FAST
@given(
    st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)), st.sampled_from(_FORMATS)
)
def test_dates_property(d: date, fmt: str) -> None:
    text = str((d - date(1899, 12, 30)).days) if fmt == "serial" else d.strftime(fmt)
    values, kinds = parse_uk_dates([text])
    assert pd.Timestamp(values[0]).date() == d, (text, kinds)


@FAST
@given(st.integers(1900, 2099), st.integers(1, 12), st.integers(1, 31))
def test_impossible_dates_are_never_rolled_over(y: int, m: int, dd: int) -> None:
    values, kinds = parse_uk_dates([f"{dd:02d}/{m:02d}/{y}"])
    try:
        real = date(y, m, dd)
    except ValueError:
        assert pd.isna(values[0]) and kinds[0] == "impossible"
    else:
        assert pd.Timestamp(values[0]).date() == real


def test_day_first_two_digit_years_and_month_first() -> None:
    values, kinds = parse_uk_dates(
        ["03/04/2024", "3/4/24", "3/4/99", "04/13/2024", "13/04/2024", "not a date", "99999999"],
        pivot_year=2026,
    )
    assert [None if pd.isna(v) else str(pd.Timestamp(v).date()) for v in values] == [
        "2024-04-03",
        "2024-04-03",
        "1999-04-03",
        None,
        "2024-04-13",
        None,
        None,
    ]
    assert kinds == [
        "text",
        "two_digit_year",
        "two_digit_year",
        "month_first",
        "text",
        "unrecognised",
        "unrecognised",
    ]


def test_date_field_changes_and_time_dropped() -> None:
    result = run("booking_date", ["2024-03-01 13:45:00", "02/03/2024", "45354", "31/02/2024", None])
    assert [None if pd.isna(v) else str(v.date()) for v in result.frame["booking_date"]] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
        None,
        None,
    ]
    assert result.frame["booking_date"].dt.hour.fillna(0).eq(0).all()
    assert changes(result, "booking_date") == {
        "text_date": 1,
        "excel_serial": 1,
        "impossible_date": 1,
    }
    assert result.problems[0].rows.tolist() == [5]


# --- ethnicity -----------------------------------------------------------------------------

_LETTERS = sorted(c for c in vocab.ETHNIC_CATEGORIES if len(c) == 1 and c != "Z")


@FAST
@given(
    st.sampled_from(_LETTERS + ["Z"]),
    st.sampled_from(["", "1", "2", "9", "A", "B", "X"]),
    st.booleans(),
)
def test_ethnic_codes_with_local_suffixes(letter: str, suffix: str, lower: bool) -> None:
    text = letter + suffix
    assume(text.upper() not in _ABBREVIATIONS)
    assert ethnic_code(text.lower() if lower else text) == letter


_ABBREVIATIONS = {"NA": "99", "NK": "99", "NS": "Z", "ZZ": "Z", "XX": "99"}


def test_common_abbreviations_win_over_local_codes() -> None:
    """'NA', 'NK' and 'NS' mean not available / not known / not stated, not local N codes."""
    for text, code in _ABBREVIATIONS.items():
        assert ethnic_code(text) == code


def _label_variants() -> list[tuple[str, str]]:
    out = []
    for code, label in vocab.ETHNIC_CATEGORIES.items():
        out.append((label, code))
        if " - " in label:
            group, sub = label.split(" - ", 1)
            out.append((f"{group.split()[0]} {sub}", code))
    out += [
        ("White British", "A"),
        ("Black African", "N"),
        ("Asian Pakistani", "J"),
        ("White - Other", "C"),
        ("Indian", "H"),
        ("Mixed - other", "G"),
        ("Chinese", "R"),
        ("Prefer not to say", "Z"),
        ("Not known", "99"),
        ("Gypsy or Irish Traveller", "C"),
        ("Arab", "S"),
        ("A - White British", "A"),
        ("White British (A)", "A"),
    ]
    return out


@FAST
@given(st.sampled_from(_label_variants()), st.integers(0, 3), st.integers(0, 2))
def test_ethnic_labels_property(pair: tuple[str, str], case: int, spaces: int) -> None:
    label, code = pair
    text = [label, label.upper(), label.lower(), label.title()][case]
    text = (" " * spaces) + text.replace(" - ", " -  ").replace(" ", " " * (1 + spaces % 2)) + " "
    assert ethnic_code(text) == code, text


def test_ethnicity_field_counts_and_unmapped() -> None:
    values = [
        "A",
        "A1",
        "Black African",
        "X",
        "99",
        "Z",
        "Martian",
        "Martian",
        "Klingon",
        None,
        "#N/A",
    ]
    result = run("ethnic_category", values)
    got = result.frame["ethnic_category"].tolist()
    assert got[:6] == ["A", "A", "N", "99", "99", "Z"]
    assert all(pd.isna(v) for v in got[6:])
    assert result.frame["ethnic_group"].tolist()[:6] == [
        "White",
        "White",
        "Black or Black British",
        "Not known",
        "Not known",
        "Not known",
    ]
    assert result.unmapped_ethnicity == {"Martian": 2, "Klingon": 1}
    assert changes(result, "ethnic_category") == {
        "local_code": 1,
        "label": 1,
        "x_not_known": 1,
        "unmapped": 3,
        "formula_error": 1,
    }


# --- postcodes, LSOA, NHS numbers, IMD ----------------------------------------------------

_PC = st.tuples(
    st.sampled_from(["NF", "B", "EC", "W", "SW", "M"]),
    st.integers(1, 99),
    st.sampled_from(["", "A"]),
    st.integers(0, 9),
    st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
)


@FAST
@given(_PC, st.booleans(), st.integers(0, 3))
def test_postcode_formatting_property(parts: tuple, lower: bool, spaces: int) -> None:
    area, district, sub, sector, unit = parts
    outward = f"{area}{district}{sub}" if district < 10 or not sub else f"{area}{district}"
    canonical = f"{outward} {sector}{unit}"
    text = f"{outward}{' ' * spaces}{sector}{unit}"
    text = text.lower() if lower else text
    assert normalise_postcode(text)[0] == canonical


def test_postcode_field() -> None:
    result = run(
        "postcode", ["nf1 1ab", "NF11AB", "ZZ99 3VZ", "NF10", "12345", "GIR0AA", None, "N/A"]
    )
    assert result.frame["postcode"].tolist()[:3] == ["NF1 1AB", "NF1 1AB", "ZZ99 3VZ"]
    assert result.frame["postcode"].tolist()[5] == "GIR 0AA"
    assert changes(result, "postcode") == {
        "reformatted": 3,
        "pseudo": 1,
        "partial": 1,
        "invalid": 1,
        "missing_marker": 1,
    }
    assert {p.kind: p.rows.tolist() for p in result.problems} == {"partial": [5], "invalid": [6]}


def test_lsoa_field() -> None:
    result = run("lsoa", ["e01000001", "E01 000002", "W01000001", "E0100", "Northfield 001A"])
    assert result.frame["lsoa"].tolist()[:3] == ["E01000001", "E01000002", "W01000001"]
    assert changes(result, "lsoa") == {"reformatted": 2, "welsh": 1, "invalid": 2}


@FAST
@given(st.lists(st.text("0123456789", min_size=10, max_size=10), min_size=1, max_size=30))
def test_vectorised_check_digit_matches_scalar(numbers: list[str]) -> None:
    got = nhs_check_digits_ok(pd.Series(numbers, dtype="str"))
    assert got.tolist() == [nhs_number_valid(n) for n in numbers]


def test_nhs_number_field() -> None:
    result = run(
        "nhs_number", ["401 023 2137", "4010232137.0", "401-023-2138", "9.99E+09", "12345", None]
    )
    assert result.frame["nhs_number"].tolist()[:3] == ["4010232137", "4010232137", "4010232138"]
    kinds = {p.kind: (p.rows.tolist(), p.severity) for p in result.problems}
    assert kinds == {
        "scientific": ([5], "invalid"),
        "invalid": ([6], "invalid"),
        "check_digit": ([4], "warning"),
    }
    assert nhs_number_valid("4010232137") and not nhs_number_valid("4010232138")


def test_imd_deciles_and_derived_flags() -> None:
    result = run(
        "imd_decile", ["1", "2", "3.0", "Decile 10", "1 - most deprived", "0", "11", "3.5", None]
    )
    f = result.frame
    assert f["imd_decile"].tolist()[:5] == [1, 2, 3, 10, 1]
    assert f["imd_decile"].isna().tolist()[5:] == [True] * 4
    assert f["imd_quintile"].tolist()[:5] == [1, 1, 2, 5, 1]
    assert f["core20"].tolist()[:5] == [True, True, False, False, True]
    assert f["most_deprived_decile"].tolist()[:5] == [True, False, False, False, True]
    assert f["core20"].isna().tolist()[5:] == [True] * 4
    assert f["imd_source"].tolist()[:5] == ["given"] * 5
    assert [p.rows.tolist() for p in result.problems] == [[7, 8, 9]]


# --- numbers and derived age ---------------------------------------------------------------


def test_numbers_with_units_and_notation() -> None:
    assert run("bmi", ["27.5", "27,5", "31 kg/m2", "heavy"]).frame["bmi"].tolist()[:3] == [
        27.5,
        27.5,
        31.0,
    ]
    g = run("gestation_at_booking_weeks", ["12", "12+3", "12w 3d", "10 weeks"]).frame
    assert g["gestation_at_booking_weeks"].round(3).tolist() == [12.0, 12.429, 12.429, 10.0]
    days = run("gestation_at_booking_weeks", ["70", "91"], column="Gestation at booking (days)")
    assert days.frame["gestation_at_booking_weeks"].tolist() == [10.0, 13.0]
    assert "days_to_weeks" in changes(days, "gestation_at_booking_weeks")
    p = run("parity", ["0", "G2P1", "P3", "2+1", "lots"]).frame["parity"]
    assert p.tolist()[:4] == [0.0, 1.0, 3.0, 2.0] and np.isnan(p.iloc[4])


def test_age_from_dob_at_booking_and_under_20() -> None:
    frame = frame_of(
        DOB=["01/06/2005", "02/06/1990", "15/01/2000", None],
        Booked=["01/06/2024", "01/06/2024", None, "01/06/2024"],
        Age=[None, "33", None, "17"],
    )
    result = normalise(frame, {"DOB": "date_of_birth", "Booked": "booking_date", "Age": "age"})
    f = result.frame
    assert (
        f["age"].tolist()[:2] == [19.0, 33.0]
        and np.isnan(f["age"].iloc[2])
        and f["age"].iloc[3] == 17
    )
    assert [None if pd.isna(v) else bool(v) for v in f["age_under_20"]] == [True, False, None, True]
    assert changes(result, "age") == {"derived_from_dob": 1}
    assert changes(result, "age_under_20") == {"derived_from_age": 3}


def test_age_derived_when_not_mapped() -> None:
    frame = frame_of(DOB=["29/02/2004"], Booked=["28/02/2024"])
    result = normalise(frame, {"DOB": "date_of_birth", "Booked": "booking_date"})
    assert result.frame["age"].tolist() == [19.0]
    assert result.frame["age_under_20"].tolist() == [True]


@FAST
@given(st.dates(date(1960, 1, 1), date(2010, 12, 31)), st.integers(0, 20000))
def test_completed_years_property(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    got = completed_years(pd.Series([pd.Timestamp(born)]), pd.Series([pd.Timestamp(on)]))
    assert got.iloc[0] == expected


# --- frame assembly ------------------------------------------------------------------------


def test_unmapped_columns_kept_and_names_protected() -> None:
    frame = frame_of(ID=["P1", "P2"], age=["x", "y"], Team=["Blue", "Green"], Age=["30", "31"])
    result = normalise(frame, {"ID": "patient_id", "Age": "age"})
    assert list(result.frame.columns) == [
        "patient_id",
        "age",
        "age_under_20",
        "age (source)",
        "Team",
    ]
    assert result.grouping_columns == ["age (source)", "Team"]
    assert result.frame["Team"].tolist() == ["Blue", "Green"]
    assert result.frame.index.tolist() == [2, 3]


def test_text_fields_trimmed_and_patient_id_never_a_marker() -> None:
    result = normalise(
        frame_of(ID=["  P1 ", "NA", "P 3"], T=["  North  Trust", "Unknown", "North Trust"]),
        {"ID": "patient_id", "T": "trust"},
    )
    assert result.frame["patient_id"].tolist() == ["P1", "NA", "P 3"]
    assert result.frame["trust"].tolist()[0] == "North Trust" and pd.isna(
        result.frame["trust"].iloc[1]
    )
    assert changes(result, "trust") == {"trimmed": 1, "missing_marker": 1}


def test_cancel_between_fields() -> None:
    from lmns_desktop.core.jobs import Cancelled

    calls = []
    with pytest.raises(Cancelled):
        normalise(
            frame_of(A=["1"], B=["2"]),
            {"A": "age", "B": "bmi"},
            is_cancelled=lambda: calls.append(1) or len(calls) > 1,
        )


def test_fields_normalised_in_parallel_come_out_as_one_thread_gives_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two worker threads must not change the result, nor the order of changes and problems,
    however the threads happen to finish."""
    from lmns_desktop.core import demo_data
    from lmns_desktop.core.cohort import normalise as module
    from lmns_desktop.core.cohort.mapping import suggest_mapping

    frame = demo_data.make_cohort(3_000).astype("str")
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    mapping = {s.column: s.field for s in suggest_mapping(list(frame.columns), frame) if s.field}
    assert len(mapping) >= 25
    parallel = module.normalise(frame, mapping)
    monkeypatch.setattr(module, "_WORKERS", 1)
    single = module.normalise(frame, mapping)
    pd.testing.assert_frame_equal(parallel.frame, single.frame)
    assert parallel.changes == single.changes
    assert [(p.field, p.kind, p.rows.tolist()) for p in parallel.problems] == [
        (p.field, p.kind, p.rows.tolist()) for p in single.problems
    ]
    assert len({c.field for c in parallel.changes}) >= 5  # enough fields for the order to matter
