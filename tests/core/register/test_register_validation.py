"""Register validation: one table of rules, each giving one full sentence at the right row."""

from __future__ import annotations

import pandas as pd
import pytest

from lmns_desktop.core import register_model as rm
from lmns_desktop.core.register_model import RegisterDocument
from lmns_desktop.core.register_validation import (
    Problem,
    problem_rows,
    validate,
    validate_project,
    validate_row,
)


def test_small_register_is_valid(doc: RegisterDocument) -> None:
    assert validate(doc) == []


def _set(doc: RegisterDocument, sheet: str, pos: int, column: str, value: object) -> None:
    key = doc.frames[sheet].index[pos]
    doc.frames[sheet].loc[key, column] = value


def _raw(doc: RegisterDocument, sheet: str, pos: int, column: str, value: object) -> None:
    key = int(doc.frames[sheet].index[pos])
    doc.raw[sheet][(key, column)] = value


CASES = [
    ("Projects", 0, "Title", None, "Projects row 2: title is missing."),
    ("Projects", 2, "Status", None, "Projects row 4: status is missing."),
    (
        "Projects",
        1,
        "Sub-workstream",
        "Cultur",
        "Projects row 3: sub-workstream 'Cultur' is not one of the five sub-workstreams "
        "(did you mean 'Culture'?).",
    ),
    (
        "Projects",
        0,
        "Status",
        "On hold",
        "Projects row 2: status 'On hold' is not a project status in the list.",
    ),
    (
        "Projects",
        0,
        "RAG",
        "Purple",
        "Projects row 2: RAG 'Purple' is not a RAG rating (Red, Amber, Green or Blue).",
    ),
    (
        "Projects",
        2,
        "ID",
        "IH-0001",
        "Projects row 4: project ID IH-0001 is used more than once (also in row 2).",
    ),
    (
        "Projects",
        0,
        "Target end date",
        pd.Timestamp(2023, 12, 3),
        "Projects row 2: target end date 03/12/2023 is before start date 01/01/2024.",
    ),
    (
        "Projects",
        0,
        "IHI progress score",
        5.5,
        "Projects row 2: IHI progress score 5.5 must be between 0.5 and 5.0 in steps of 0.5.",
    ),
    (
        "Projects",
        0,
        "IHI progress score",
        0.7,
        "Projects row 2: IHI progress score 0.7 must be between 0.5 and 5.0 in steps of 0.5.",
    ),
    (
        "Projects",
        0,
        "Core20 focus",
        "Maybe",
        "Projects row 2: core20 focus 'Maybe' should be Yes or No.",
    ),
    (
        "Projects",
        0,
        "PLUS groups",
        "Sex workers; Martians",
        "Projects row 2: PLUS groups 'Martians' is not in the list of PLUS groups; "
        "correct it or add "
        "it to the list.",
    ),
    (
        "Projects",
        0,
        "Trust",
        "Unknown Trust",
        "Projects row 2: trust 'Unknown Trust' is not in the list of trusts.",
    ),
    (
        "Evidence",
        0,
        "Project ID",
        "IH-0099",
        "Evidence row 2: project ID IH-0099 does not match any project on the Projects sheet.",
    ),
    ("Evidence", 1, "People reached", -5, "Evidence row 3: people reached -5 cannot be negative."),
    (
        "Evidence",
        1,
        "ID",
        "EV-00001",
        "Evidence row 3: evidence ID EV-00001 is used more than once (also in row 2).",
    ),
    (
        "Evidence",
        0,
        "Type",
        "Party",
        "Evidence row 2: type 'Party' is not in the list of evidence types.",
    ),
    ("Evidence", 0, "Date", pd.NaT, "Evidence row 2: date is missing."),
    (
        "Measures",
        2,
        "Numerator",
        150,
        "Measures row 4: numerator 150 is larger than denominator 100.",
    ),
    ("Measures", 0, "Denominator", -1, "Measures row 2: denominator -1 cannot be negative."),
    (
        "Measures",
        0,
        "Project ID",
        "IH-0404",
        "Measures row 2: project ID IH-0404 does not match any project on the Projects sheet.",
    ),
    (
        "PDSA",
        0,
        "End date",
        pd.Timestamp(2024, 1, 1),
        "PDSA row 2: end date 01/01/2024 is before start date 01/03/2024.",
    ),
    ("PDSA", 0, "Cycle", 0, "PDSA row 2: cycle 0 must be 1 or more."),
    (
        "PDSA",
        0,
        "Decision",
        "Adopted",
        "PDSA row 2: decision 'Adopted' is not Adopt, Adapt or Abandon (did you mean 'Adopt'?).",
    ),
]


@pytest.mark.parametrize(
    ("sheet", "pos", "column", "value", "message"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(
    doc: RegisterDocument, sheet: str, pos: int, column: str, value: object, message: str
) -> None:
    _set(doc, sheet, pos, column, value)
    problems = validate(doc)
    assert [p.message for p in problems] == [message]
    assert problems[0].sheet == sheet and problems[0].column == column
    assert problems[0].row == int(message.split(" row ")[1].split(":")[0])
    assert len(doc.frames[sheet]) == len(doc.frames[sheet].dropna(how="all"))  # nothing dropped


@pytest.mark.parametrize(
    ("sheet", "column", "value", "message"),
    [
        (
            "Projects",
            "Start date",
            "next spring",
            "Projects row 2: start date 'next spring' is not a date; type it as dd/mm/yyyy.",
        ),
        (
            "Projects",
            "IHI progress score",
            "high",
            "Projects row 2: IHI progress score 'high' is not a number.",
        ),
        (
            "Evidence",
            "People reached",
            2.5,
            "Evidence row 2: people reached '2.5' is not a whole number.",
        ),
    ],
)
def test_values_that_did_not_fit_are_reported(
    doc: RegisterDocument, sheet: str, column: str, value: object, message: str
) -> None:
    _raw(doc, sheet, 0, column, value)
    assert [p.message for p in validate(doc)] == [message]


def test_required_text_in_a_date_cell_is_not_also_missing(doc: RegisterDocument) -> None:
    _set(doc, "Evidence", 0, "Date", pd.NaT)
    _raw(doc, "Evidence", 0, "Date", "TBC")
    assert [p.message for p in validate(doc)] == [
        "Evidence row 2: date 'TBC' is not a date; type it as dd/mm/yyyy."
    ]


def test_user_added_plus_group_becomes_valid(doc: RegisterDocument) -> None:
    _set(doc, "Projects", 0, "PLUS groups", "Young parents")
    assert len(validate(doc)) == 1
    rm.add_list_value(doc, "PLUS_GROUPS", "Young parents")
    assert validate(doc) == []


def test_row_numbers_are_excel_rows_after_deleting(opened: RegisterDocument) -> None:
    _set(opened, "Projects", 2, "Title", None)
    assert validate(opened)[0].row == 4
    rm.delete_rows(opened, "Projects", [opened.find_project("IH-0001")])
    assert validate(opened)[0].row == 3
    assert problem_rows(validate(opened), "Projects") == {3}


def test_problem_as_dict() -> None:
    assert Problem("Projects", 2, "Title", "x").as_dict() == {
        "sheet": "Projects",
        "row": 2,
        "column": "Title",
        "message": "x",
    }


def test_validate_project_for_the_edit_form(doc: RegisterDocument) -> None:
    key = doc.find_project("IH-0002")
    fields = doc.projects.loc[key].to_dict()
    assert validate_project(fields, doc, key) == {}
    fields.update(
        {
            "Title": " ",
            "Start date": "01/06/2024",
            "Target end date": "03/02/2024",
            "ID": "IH-0001",
            "IHI progress score": "6",
        }
    )
    messages = validate_project(fields, doc, key)
    assert messages == {
        "Title": "Title is missing.",
        "ID": "Project ID IH-0001 is already used in row 2.",
        "Target end date": "Target end date 03/02/2024 is before start date 01/06/2024.",
        "IHI progress score": "IHI progress score 6 must be between 0.5 and 5.0 in steps of 0.5.",
    }
    assert validate_project({"Start date": "32/13/2024"})["Start date"].startswith(
        "Start date '32/13/2024' is not a date"
    )


def test_validate_row_for_child_sheets(doc: RegisterDocument) -> None:
    assert validate_row(
        "Measures",
        {
            "Project ID": "IH-0001",
            "Measure": "m",
            "Period": "01/01/2025",
            "Numerator": 5,
            "Denominator": 4,
        },
        doc,
    ) == {"Numerator": "Numerator 5 is larger than denominator 4."}
    assert "Project ID" in validate_row(
        "Evidence", {"ID": "EV-9", "Project ID": "IH-7", "Type": "Other", "Date": "01/01/2025"}, doc
    )
