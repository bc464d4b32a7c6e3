"""The bad-input corpus: every awkward file gives a clear sentence or imports with notes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cohort_corpus import CASES

from lmns_desktop.core.cohort import import_cohort  # with the read-ahead, as the CLI runs it
from lmns_desktop.core.cohort.readers import PasswordRequired
from lmns_desktop.core.errors import UserError


def test_corpus_has_at_least_forty_files(bad_corpus: dict[str, Path]) -> None:
    assert len(bad_corpus) >= 40
    assert all(p.exists() for p in bad_corpus.values())


@pytest.mark.parametrize(
    ("name", "expectation"), [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(bad_corpus: dict[str, Path], name: str, expectation: tuple[str, object]) -> None:
    path = bad_corpus[name]
    kind, what = expectation
    if kind == "error":
        with pytest.raises(UserError) as info:
            import_cohort(path)
        message = str(info.value)
        assert str(what).lower() in message.lower(), message
        assert "\n" not in message and "Traceback" not in message
        assert path.name in message or "sheet" in message or "mapping" in message
    else:
        result = import_cohort(path)
        assert what(result), (what.__name__, result.notes, len(result.frame))  # type: ignore[operator]


def test_password_protected_file_opens_with_password(bad_corpus: dict[str, Path]) -> None:
    path = bad_corpus["protected.xlsx"]
    with pytest.raises(PasswordRequired):
        import_cohort(path)
    with pytest.raises(PasswordRequired, match="not correct"):
        import_cohort(path, password="wrong")
    result = import_cohort(path, password="Pa55word")
    assert len(result.frame) == 6
    assert any("password-protected" in n for n in result.notes)


def test_locked_file_gives_a_sentence(bad_corpus: dict[str, Path]) -> None:
    """A file the user may not open (as Excel's lock does on Windows) is a clear sentence.

    As root, permissions are not enforced, so the import runs in a forked child that has
    dropped to the 'nobody' user; the child reports the message through a pipe.
    """
    path = bad_corpus["locked.xlsx"]
    if os.geteuid() != 0:
        with pytest.raises(UserError, match="cannot be opened"):
            import_cohort(path)
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        status = 1
        try:
            os.setgid(65534)
            os.setuid(65534)
            import_cohort(path)
            message = "IMPORTED"
        except UserError as exc:
            message, status = f"USERERROR: {exc}", 3
        except BaseException as exc:  # report anything else to the parent
            message = f"OTHER: {type(exc).__name__}"
        os.write(write_end, message.encode("utf-8"))
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        message = fh.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3, message
    assert "cannot be opened" in message and "locked" in message


def test_missing_file_and_unknown_sheet(tmp_path: Path, bad_corpus: dict[str, Path]) -> None:
    with pytest.raises(UserError, match="was not found"):
        import_cohort(tmp_path / "nope.xlsx")
    with pytest.raises(UserError, match="has no sheet called 'Nope'"):
        import_cohort(bad_corpus["macros.xlsm"], sheet="Nope")


def test_formula_errors_are_counted_not_used(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["formula_errors.xlsx"])
    fields = result.quality.to_dict()["fields"]
    assert fields["age"]["invalid"][0]["kind"] == "formula_error"
    assert fields["age"]["invalid"][0]["rows"] == [3]
    assert fields["bmi"]["invalid"][0]["rows"] == [4, 5]
    assert result.frame.loc[3, "age"] != result.frame.loc[3, "age"]  # NaN
    assert result.frame.loc[6, "ethnic_category"] != "A"


def test_mixed_types_are_normalised_with_counts(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["mixed_types.xlsx"])
    f = result.frame
    assert [str(d.date()) if d == d else None for d in f["booking_date"]] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
        "2024-03-04",
        None,
        None,
    ]  # 45354 = 3 March
    assert f["parity"].tolist()[:4] == [0, 1, 1, 2]
    assert f["homelessness"].tolist()[:4] == [True, True, True, True]
    assert f["homelessness"].isna().tolist()[4:] == [True, True]
    changes = result.quality.to_dict()["fields"]["booking_date"]["changes"]
    assert changes == {
        "text_date": 1,
        "month_name_date": 1,
        "excel_serial": 1,
        "impossible_date": 1,
    }


def test_non_latin_text_survives(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["emoji_non_latin.xlsx"])
    assert "Notes 备注" in result.frame.columns and "اسم" in result.frame.columns
    assert result.frame["Notes 备注"].iloc[0] == "😀 تجربة 日本語 ✓"
    assert result.frame["ethnic_category"].tolist() == ["A", "N", "R", "A", "N"]


def test_scientific_nhs_numbers_are_flagged(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["nhs_scientific.csv"])
    assert result.frame["nhs_number"].tolist()[1:] == ["9993291623", "9993291624"]
    invalid = result.quality.to_dict()["fields"]["nhs_number"]["invalid"]
    assert invalid[0]["kind"] == "scientific" and invalid[0]["rows"] == [2]


def test_nhs_numbers_stored_as_numbers_stay_text(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["nhs_as_numbers.xlsx"])
    assert result.frame["nhs_number"].tolist() == ["9993291623", "4010232137", "4010232137"]
    assert result.frame["nhs_number"].dtype == "str"
    assert result.quality.duplicates["nhs_number"].rows == (3, 4)


def test_impossible_and_month_first_dates_are_not_invented(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["impossible_dates.csv"])
    booking = result.frame["booking_date"]
    assert booking.isna().tolist() == [True, True, False]
    q = result.quality.to_dict()["fields"]
    assert q["booking_date"]["invalid"][0] == {
        "kind": "impossible_date",
        "description": q["booking_date"]["invalid"][0]["description"],
        "count": 2,
        "rows": [2, 3],
        "more": 0,
    }
    assert [i["kind"] for i in q["date_of_birth"]["invalid"]] == ["month_first"]


def test_all_date_styles(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["date_styles.csv"])
    assert set(result.frame["booking_date"].dt.strftime("%Y-%m-%d")) == {"2024-03-01"}


def test_two_row_merged_header(bad_corpus: dict[str, Path]) -> None:
    result = import_cohort(bad_corpus["two_row_header.xlsx"])
    assert list(result.header.columns) == [
        "Pseudo ID",
        "Dates - Booking",
        "Dates - Delivery",
        "Outcomes - Preterm",
        "Outcomes - Stillbirth",
    ]
    assert result.fields_mapped["booking_date"] == "Dates - Booking"
    assert result.fields_mapped["preterm_birth"] == "Outcomes - Preterm"
    assert result.header.header_rows == (1, 2)
