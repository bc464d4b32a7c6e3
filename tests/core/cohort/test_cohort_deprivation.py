"""Deprivation reference files: real IoD2019, 2025-layout fixtures, postcode lookups, vintages."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lmns_desktop.core.cohort.deprivation import (
    DeprivationReference,
    ImdTable,
    PostcodeLookup,
    ReferenceFileError,
    choose_edition,
    derive_imd,
    import_reference_file,
    load_reference,
    read_imd_file,
    read_postcode_lookup,
)
from lmns_desktop.core.cohort.pipeline import import_cohort

# Codes 2011 and 2021 share: E01000001..E01000008; 2011 only: E01000009, E01000010;
# 2021 only (new in 2021): E01033769..E01033772.
SHARED = [f"E01{i:06d}" for i in range(1, 9)]
ONLY_2011 = ["E01000009", "E01000010"]
ONLY_2021 = [f"E01{i:06d}" for i in range(33769, 33773)]

HEAD_2025 = [
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD)\nDecile (where 1 is most deprived 10% of LSOAs)",
]


def write_iod2025(path: Path, header: list[str] = HEAD_2025, sheet: str = "IMD25") -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb["Notes"]["A1"] = "English Indices of Deprivation 2025 (test fixture)"
    ws = wb.create_sheet(sheet)
    ws.append(header)
    for i, code in enumerate(SHARED + ONLY_2021):
        ws.append([code, f"Area {i:03d}A", "E06000001", "Somewhere", 1000 + i, 1 + i % 10])
    wb.save(path)
    return path


def write_file7_2019(path: Path) -> Path:
    head = [
        "LSOA code (2011)",
        "LSOA name (2011)",
        "Local Authority District code (2019)",
        "Local Authority District name (2019)",
        "Index of Multiple Deprivation (IMD) Score",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
        "Income Score (rate)",
        "Income Decile (where 1 is most deprived 10% of LSOAs)",
        "Total population: mid 2015 (excluding prisoners)",
    ]
    rows = [",".join(f'"{h}"' for h in head)]
    for i, code in enumerate(SHARED + ONLY_2011):
        decile = 10 - i % 10
        score, rank, income = f"{30 - i}.5", 500 + i, 1 + i % 10
        rows.append(
            f"{code},Area {i},E06000001,Somewhere,{score},{rank},{decile},0.1,{income},1500"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_nspl(path: Path, vintages: tuple[str, ...] = ("11", "21")) -> Path:
    cols = (
        ["pcd", "pcd2", "pcds", "dointr", "doterm", "usertype"]
        + [f"lsoa{v}" for v in vintages]
        + ["imd"]
    )
    lines = [",".join(cols)]
    entries = [
        ("NF1 1AA", SHARED[0], SHARED[0]),
        ("NF1 1AB", ONLY_2011[0], ONLY_2021[0]),
        ("RV10 2CD", SHARED[1], SHARED[1]),
        ("SC1 1AA", "S01000001", "S01000001"),
    ]
    for pcds, l11, l21 in entries:
        pcd = pcds.replace(" ", "").ljust(7)
        codes = {"11": l11, "21": l21}
        lines.append(
            ",".join(
                [pcd, pcds.ljust(8), pcds, "198001", "", "0"]
                + [codes[v] for v in vintages]
                + ["1234"]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cohort(**cols: list[object]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    data = {k: pd.array(v, dtype="Int8" if k == "imd_decile" else "str") for k, v in cols.items()}
    return pd.DataFrame(data, index=pd.Index(range(2, n + 2), name="row"))


# --- the real IoD2019 file -----------------------------------------------------------------


def test_real_iod2019_file(iod2019_path: Path, tmp_path: Path) -> None:
    table = read_imd_file(iod2019_path)
    assert table.edition == "IoD2019" and table.lsoa_vintage == "2011"
    assert len(table) == 32_844
    assert table.lsoa[0] == b"E01000001" and table.lsoa[-1] == b"E01033768"
    assert np.bincount(table.decile, minlength=11)[1:].min() >= 3284  # national deciles
    looked = table.lookup(pd.Series(["E01000001", "E01000002", "E99999999", None, "E010000011"]))
    assert looked.tolist()[:2] == [9, 10] and looked.isna().tolist()[2:] == [True, True, True]
    cached = import_reference_file(iod2019_path, tmp_path / "cache")
    assert isinstance(cached, ImdTable)
    parquet = tmp_path / "cache" / "imd_IoD2019.parquet"
    assert parquet.is_file() and parquet.stat().st_size < 400_000


def test_reference_folder_is_read_not_written(iod2019_path: Path, tmp_path: Path) -> None:
    ref_dir = iod2019_path.parent
    before = sorted(os.listdir(ref_dir))
    cache = tmp_path / "cache"
    ref = load_reference(cache, ref_dir)
    assert ref.editions == ["IoD2019"] and (cache / "imd_IoD2019.parquet").is_file()
    assert sorted(os.listdir(ref_dir)) == before
    mtime = (cache / "imd_IoD2019.parquet").stat().st_mtime_ns
    again = load_reference(cache, ref_dir)  # same source file: the cache is used, not rebuilt
    assert again.editions == ["IoD2019"]
    assert (cache / "imd_IoD2019.parquet").stat().st_mtime_ns == mtime


def test_2021_codes_against_iod2019_are_explained(iod2019_path: Path) -> None:
    table = read_imd_file(iod2019_path)
    ref = DeprivationReference(imd={"IoD2019": table})
    frame = cohort(lsoa=[c.decode() for c in table.lsoa[:4]] + ONLY_2021)
    result = derive_imd(frame, ref, lsoa_column="LSOA 2021")
    assert result.vintage_mismatch
    text = " ".join(result.notes)
    assert "LSOA 2021 codes that did not exist in 2011" in text and "IoD2025" in text
    assert "headed 'LSOA 2021'" in text
    assert result.counts == {"IoD2019 via LSOA": 4, "not known": 4}


# --- 2025 layout fixtures ------------------------------------------------------------------


def test_iod2025_file1_fixture(tmp_path: Path) -> None:
    table = read_imd_file(write_iod2025(tmp_path / "File_1_IoD2025.xlsx"))
    assert table.edition == "IoD2025" and len(table) == 12
    assert table.lookup(pd.Series([ONLY_2021[0]])).tolist() == [9]


def test_edition_from_sheet_name_when_headers_have_no_year(tmp_path: Path) -> None:
    header = [
        "LSOA code",
        "LSOA name",
        "Local Authority District code",
        "Local Authority District name",
        "Index of Multiple Deprivation Rank",
        "Index of Multiple Deprivation Decile",
    ]
    table = read_imd_file(write_iod2025(tmp_path / "imd.xlsx", header=header, sheet="IMD25"))
    assert table.edition == "IoD2025"
    # no year anywhere, but codes that only exist from 2021 settle it
    table = read_imd_file(write_iod2025(tmp_path / "deprivation.xlsx", header=header, sheet="Data"))
    assert table.edition == "IoD2025"


def test_file7_csv_2019_layout(tmp_path: Path) -> None:
    table = read_imd_file(write_file7_2019(tmp_path / "File_7.csv"))
    assert table.edition == "IoD2019" and len(table) == 10
    assert table.lookup(pd.Series(["E01000001"])).tolist() == [10]  # the IMD decile, not income


def test_not_an_iod_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="does not look like the English Indices"):
        read_imd_file(path)


def test_lsoa_2011_heading_with_iod2025_is_a_mismatch(tmp_path: Path) -> None:
    ref = DeprivationReference(imd={"IoD2025": read_imd_file(write_iod2025(tmp_path / "f.xlsx"))})
    frame = cohort(lsoa=SHARED + ONLY_2011, imd_decile=[None] * 10)
    result = derive_imd(frame, ref, lsoa_column="LSOA 2011")
    assert result.edition == "IoD2025" and result.vintage_mismatch
    assert any("headed 'LSOA 2011'" in n and "Import the IoD2019 file" in n for n in result.notes)
    assert any("2 LSOA codes (20.0%) were not found in IoD2025" in n for n in result.notes)
    assert result.lsoa_not_found == 2


def test_both_editions_choose_the_one_that_fits(tmp_path: Path) -> None:
    ref = DeprivationReference(
        imd={
            "IoD2025": read_imd_file(write_iod2025(tmp_path / "f25.xlsx")),
            "IoD2019": read_imd_file(write_file7_2019(tmp_path / "f19.csv")),
        }
    )
    assert choose_edition(cohort(lsoa=SHARED + ONLY_2021), ref) == "IoD2025"
    assert choose_edition(cohort(lsoa=SHARED + ONLY_2011), ref) == "IoD2019"
    assert choose_edition(cohort(lsoa=SHARED), ref, "LSOA11CD") == "IoD2019"
    assert choose_edition(cohort(lsoa=SHARED), ref) == "IoD2025"  # a tie: the newest
    result = derive_imd(cohort(lsoa=SHARED + ONLY_2011), ref, edition="IoD2025")
    assert any("are in IoD2019" in n for n in result.notes) and result.vintage_mismatch


def test_derive_keeps_given_deciles_and_records_sources(tmp_path: Path) -> None:
    ref = DeprivationReference(imd={"IoD2025": read_imd_file(write_iod2025(tmp_path / "f.xlsx"))})
    frame = cohort(lsoa=[SHARED[0], SHARED[1], None, "E01099999"], imd_decile=[5, None, None, None])
    result = derive_imd(frame, ref)
    f = result.frame
    assert f["imd_decile"].tolist()[:2] == [5, 2] and f["imd_decile"].isna().tolist()[2:] == [
        True,
        True,
    ]
    assert f["imd_source"].tolist()[:2] == ["given", "IoD2025 via LSOA"]
    assert f["core20"].tolist()[:2] == [False, True] and f["imd_quintile"].tolist()[:2] == [3, 1]
    assert result.counts == {"given": 1, "IoD2025 via LSOA": 1, "not known": 2}
    assert any("two places" in n for n in result.notes)


# --- postcode lookups ----------------------------------------------------------------------


def test_postcode_lookup_and_derivation(tmp_path: Path) -> None:
    lookup = read_postcode_lookup(write_nspl(tmp_path / "NSPL_TEST.csv"))
    assert isinstance(lookup, PostcodeLookup) and lookup.vintages == ("2011", "2021")
    assert lookup.lookup(pd.Series(["nf1 1ab", "NF11AA", "XX1 1XX"]), "2021").tolist()[:2] == [
        ONLY_2021[0],
        SHARED[0],
    ]
    ref = DeprivationReference(
        imd={"IoD2025": read_imd_file(write_iod2025(tmp_path / "f.xlsx"))}, postcodes=lookup
    )
    frame = cohort(postcode=["NF1 1AB", "RV10 2CD", "ZZ99 3VZ", "EM1 1AA"])
    result = derive_imd(frame, ref)
    assert result.frame["imd_decile"].tolist()[:2] == [9, 2]
    assert result.frame["imd_source"].tolist()[:2] == ["IoD2025 via postcode"] * 2
    assert result.postcode_not_found == 1  # EM1 1AA; the ZZ99 pseudo-postcode is not looked up
    assert any("not found in the postcode lookup" in n for n in result.notes)


def test_postcode_lookup_of_the_wrong_vintage(tmp_path: Path) -> None:
    ref = DeprivationReference(
        imd={"IoD2025": read_imd_file(write_iod2025(tmp_path / "f.xlsx"))},
        postcodes=read_postcode_lookup(write_nspl(tmp_path / "nspl.csv", vintages=("11",))),
    )
    result = derive_imd(cohort(postcode=["NF1 1AA"]), ref)
    assert result.frame["imd_decile"].isna().all()
    assert any("IoD2025 needs LSOA 2021 codes" in n for n in result.notes)


def test_reference_folder_with_2025_and_postcodes(tmp_path: Path) -> None:
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    write_iod2025(ref_dir / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx")
    write_nspl(ref_dir / "NSPL_extract.csv")
    (ref_dir / "readme.txt").write_text("not a reference file")
    os.chmod(ref_dir, 0o555)
    try:
        cache = tmp_path / "cache"
        ref = load_reference(cache, ref_dir)
        assert ref.editions == ["IoD2025"] and ref.postcodes is not None
        assert sorted(p.name for p in cache.iterdir()) == [
            "imd_IoD2025.parquet",
            "postcode_lsoa.parquet",
        ]
        cached_only = load_reference(cache)
        assert cached_only.describe() == ref.describe()
        assert np.array_equal(cached_only.postcodes.postcode, ref.postcodes.postcode)
    finally:
        os.chmod(ref_dir, 0o755)


def test_no_reference_explains_itself() -> None:
    result = derive_imd(cohort(lsoa=SHARED[:2]), None)
    assert result.frame["imd_decile"].isna().all() and result.edition is None
    assert any("No IMD reference file is loaded" in n for n in result.notes)


def test_import_cohort_with_reference_derives_deciles(tmp_path: Path) -> None:
    ref = DeprivationReference(imd={"IoD2025": read_imd_file(write_iod2025(tmp_path / "f.xlsx"))})
    path = tmp_path / "c.csv"
    path.write_text("Pseudo ID,LSOA 2021\nP1,E01033769\nP2,e01000002\nP3,\n", encoding="utf-8")
    result = import_cohort(path, reference=ref)
    assert result.frame["imd_decile"].tolist()[:2] == [9, 2]
    assert result.imd_edition == "IoD2025"
    assert result.quality.to_dict()["imd_source"] == {"IoD2025 via LSOA": 2, "not known": 1}
