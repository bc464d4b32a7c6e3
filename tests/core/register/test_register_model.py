"""Register model: operations, IDs, and the undo/redo data they return."""

from __future__ import annotations

import pandas as pd
import pytest
from register_fixtures import TODAY

from lmns_desktop.core import register_model as rm
from lmns_desktop.core.errors import UserError
from lmns_desktop.core.register_model import RegisterDocument


def _snapshot(doc: RegisterDocument) -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in doc.frames.items()}


def _assert_same(doc: RegisterDocument, snap: dict[str, pd.DataFrame]) -> None:
    for name, frame in snap.items():
        pd.testing.assert_frame_equal(doc.frames[name], frame)


def test_add_project_takes_the_next_free_id_and_undoes(doc: RegisterDocument) -> None:
    snap = _snapshot(doc)
    assert rm.next_project_id(doc) == "IH-0004"
    edit = rm.add_project(doc, {"Title": "New hub", "Status": "Idea"}, today=TODAY)
    assert doc.dirty and edit.sheets == ("Projects",)
    key = edit.keys[0]
    assert doc.projects.at[key, "ID"] == "IH-0004"
    assert doc.projects.at[key, "Last updated"] == pd.Timestamp(TODAY)
    assert list(doc.projects.index)[-1] == key
    edit.undo(doc)
    _assert_same(doc, snap)
    edit.redo(doc)
    assert doc.find_project("IH-0004") == key


def test_next_id_uses_the_highest_number_not_the_count(doc: RegisterDocument) -> None:
    rm.update_project(doc, doc.find_project("IH-0003"), {"ID": "IH-0041"})
    assert rm.next_project_id(doc) == "IH-0042"
    assert rm.next_evidence_id(doc) == "EV-00003"


def test_add_project_refuses_a_used_id(doc: RegisterDocument) -> None:
    with pytest.raises(UserError, match="IH-0002 is already used"):
        rm.add_project(doc, {"ID": "IH-0002"})


def test_insert_at_position(doc: RegisterDocument) -> None:
    edit = rm.add_project(doc, {"Title": "First"}, position=0)
    assert doc.projects.index[0] == edit.keys[0]


def test_update_records_before_and_after(doc: RegisterDocument) -> None:
    key = doc.find_project("IH-0002")
    edit = rm.update_project(doc, key, {"RAG": "Red", "IHI progress score": "3.5"}, today=TODAY)
    assert edit.before["RAG"] == "Amber" and edit.after["RAG"] == "Red"
    assert doc.projects.at[key, "IHI progress score"] == 3.5
    edit.undo(doc)
    assert (
        doc.projects.at[key, "RAG"] == "Amber"
        and doc.projects.at[key, "IHI progress score"] == 3.5 - 0.0
    )
    assert pd.isna(doc.projects.at[key, "Last updated"])


def test_update_rejects_values_of_the_wrong_kind(doc: RegisterDocument) -> None:
    key = doc.find_project("IH-0001")
    with pytest.raises(UserError, match="Start date 'soon' is not a date"):
        rm.update_project(doc, key, {"Start date": "soon"})
    with pytest.raises(UserError, match="People reached '2.5' is not a whole number"):
        rm.update_row(doc, "Evidence", int(doc.evidence.index[0]), {"People reached": "2.5"})
    rm.update_project(doc, key, {"Start date": "03/02/2024"})
    assert doc.projects.at[key, "Start date"] == pd.Timestamp(2024, 2, 3)


def test_renaming_a_project_carries_its_children(doc: RegisterDocument) -> None:
    snap = _snapshot(doc)
    edit = rm.update_project(doc, doc.find_project("IH-0001"), {"ID": "IH-0100"}, today=TODAY)
    assert set(edit.sheets) == {"Evidence", "Measures", "PDSA", "Projects"}
    assert len(doc.children("Measures", "IH-0100")) == 3
    assert len(doc.children("Evidence", "IH-0001")) == 0
    edit.undo(doc)
    _assert_same(doc, snap)
    with pytest.raises(UserError, match="IH-0002 is already used"):
        rm.update_project(doc, doc.find_project("IH-0001"), {"ID": "IH-0002"})


def test_delete_project_with_children_and_undo_in_place(doc: RegisterDocument) -> None:
    snap = _snapshot(doc)
    edit = rm.delete_project(doc, doc.find_project("IH-0001"))
    assert doc.find_project("IH-0001") is None
    assert len(doc.measures) == 0 and len(doc.pdsa) == 0 and len(doc.evidence) == 1
    edit.undo(doc)
    _assert_same(doc, snap)
    edit.redo(doc)
    assert len(doc.projects) == 2
    edit.undo(doc)
    _assert_same(doc, snap)


def test_delete_middle_rows_restores_order(doc: RegisterDocument) -> None:
    order = list(doc.measures.index)
    edit = rm.delete_rows(doc, "Measures", [order[2], order[0]])
    assert list(doc.measures.index) == [order[1]]
    edit.undo(doc)
    assert list(doc.measures.index) == order


def test_duplicate_project(doc: RegisterDocument) -> None:
    key = doc.find_project("IH-0002")
    edit = rm.duplicate_project(doc, key, today=TODAY)
    new = edit.keys[0]
    assert list(doc.projects.index).index(new) == list(doc.projects.index).index(key) + 1
    row = doc.projects.loc[new]
    assert row["ID"] == "IH-0004" and row["Title"] == "Project 2 (copy)"
    assert row["Lead"] == "Lead 2" and len(doc.children("Evidence", "IH-0004")) == 0
    edit.undo(doc)
    assert len(doc.projects) == 3


def test_evidence_measure_and_pdsa_rows(doc: RegisterDocument) -> None:
    ev = rm.add_evidence(
        doc, {"Project ID": "IH-0003", "Type": "Other", "Date": "01/05/2025", "People reached": 7}
    )
    assert doc.evidence.at[ev.keys[0], "ID"] == "EV-00003"
    assert doc.evidence.at[ev.keys[0], "Date"] == pd.Timestamp(2025, 5, 1)
    me = rm.add_measure(
        doc,
        {
            "Project ID": "IH-0003",
            "Measure": "x",
            "Period": "2025-04-01",
            "Numerator": 3,
            "Denominator": 9,
        },
    )
    assert doc.measures.at[me.keys[0], "Denominator"] == 9
    pd_edit = rm.add_pdsa(doc, {"Project ID": "IH-0003", "Cycle": 2})
    assert doc.pdsa.at[pd_edit.keys[0], "Cycle"] == 2
    assert str(doc.measures["Numerator"].dtype) == "Int64"  # dtypes survive appends
    for edit in (pd_edit, me, ev):
        edit.undo(doc)
    assert (len(doc.evidence), len(doc.measures), len(doc.pdsa)) == (2, 3, 1)


def test_raw_values_are_cleared_by_an_edit_and_restored_by_undo(doc: RegisterDocument) -> None:
    key = doc.find_project("IH-0001")
    doc.raw["Projects"][(key, "Start date")] = "next spring"
    doc.projects.loc[key, "Start date"] = pd.NaT
    edit = rm.update_project(doc, key, {"Start date": "01/06/2024"})
    assert (key, "Start date") not in doc.raw["Projects"]
    edit.undo(doc)
    assert doc.raw["Projects"][(key, "Start date")] == "next spring"


def test_user_lists_add_remove_undo(doc: RegisterDocument) -> None:
    edit = rm.add_list_value(doc, "PLUS_GROUPS", "Young parents")
    assert doc.list_values("PLUS_GROUPS")[-1] == "Young parents"
    with pytest.raises(UserError, match="already in the list"):
        rm.add_list_value(doc, "PLUS_GROUPS", "young parents")
    with pytest.raises(UserError, match="is fixed"):
        rm.add_list_value(doc, "SUB_WORKSTREAMS", "Money")
    with pytest.raises(UserError, match="not one of your own"):
        rm.remove_list_value(doc, "PLUS_GROUPS", "Sex workers")
    removed = rm.remove_list_value(doc, "PLUS_GROUPS", "Young parents")
    assert "Young parents" not in doc.list_values("PLUS_GROUPS")
    removed.undo(doc)
    edit.undo(doc)
    assert doc.user_lists["PLUS_GROUPS"] == []


def test_dirty_and_version(doc: RegisterDocument) -> None:
    assert not doc.dirty and doc.version == 0
    edit = rm.update_row(doc, "PDSA", int(doc.pdsa.index[0]), {"Result": "Better"})
    assert doc.dirty and doc.version == 1
    edit.undo(doc)
    assert doc.version == 2


def test_row_numbers_follow_structure(opened: RegisterDocument) -> None:
    key = opened.find_project("IH-0003")
    assert opened.row_number("Projects", key) == 4
    rm.delete_rows(opened, "Projects", [opened.find_project("IH-0001")])
    assert opened.row_number("Projects", key) == 3


def test_multi_helpers() -> None:
    assert rm.split_multi("a; b;\nc ;") == ["a", "b", "c"]
    assert rm.split_multi(None) == []
    assert rm.join_multi(["a", "b"]) == "a; b"
