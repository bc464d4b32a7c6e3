"""Deterministic synthetic demo data: an LMNS register and a cohort of maternity bookings.

Nothing here describes a real person. NHS numbers sit in the 999 test range *and* fail the
Modulus 11 check; postcodes use made-up areas (NF, RV, CW, EM). Outcome rates are built to differ
by deprivation and ethnicity so that profiles show real gradients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from lmns_desktop.core import register_schema as rs
from lmns_desktop.core import vocab

DEFAULT_SEED = 20251030
DEFAULT_COHORT_ROWS = 5_000
REGISTER_FILE = "demo_register.xlsx"
COHORT_FILE = "demo_cohort.xlsx"
COHORT_SHEET = "Bookings"

#: Column headers of the demo cohort, as a maternity system export might name them.
COHORT_COLUMNS: dict[str, str] = {
    "patient_id": "Pseudo ID",
    "nhs_number": "NHS Number",
    "date_of_birth": "Mother DOB",
    "age": "Age at Booking",
    "booking_date": "Booking Date",
    "delivery_date": "Delivery Date",
    "postcode": "Postcode",
    "lsoa": "LSOA 2011",
    "imd_decile": "IMD Decile",
    "ethnic_category": "Ethnic Category",
    "trust": "Trust",
    "site": "Site",
    "gestation_at_booking_weeks": "Gestation at Booking (weeks)",
    "parity": "Parity",
    "bmi": "BMI",
    "smoking_at_booking": "Smoker at Booking",
    "smoking_at_delivery": "Smoker at Delivery",
    "interpreter_needed": "Interpreter Required",
    "homelessness": "Homeless",
    "substance_misuse": "Substance Misuse",
    "asylum_seeker_refugee": "Asylum Seeker/Refugee",
    "learning_disability_autism": "Learning Disability/Autism",
    "gypsy_roma_traveller": "Gypsy Roma Traveller",
    "domestic_abuse": "Domestic Abuse",
    "safeguarding": "Safeguarding Concern",
    "preterm_birth": "Preterm (<37 wks)",
    "stillbirth": "Stillbirth",
    "neonatal_death": "Neonatal Death",
    "low_birth_weight": "Low Birth Weight",
    "pph_1500ml": "PPH >=1500ml",
    "third_fourth_degree_tear": "3rd/4th Degree Tear",
    "caesarean": "Caesarean",
    "breastfeeding_initiated": "Breastfeeding Initiated",
    "continuity_of_carer": "CoC Pathway",
}

_SITES = {
    vocab.TRUSTS_DEMO[0]: ("Northfield General", "Northfield Birth Centre"),
    vocab.TRUSTS_DEMO[1]: ("Riverside Royal", "St Anne's"),
    vocab.TRUSTS_DEMO[2]: ("Coastway District",),
    vocab.TRUSTS_DEMO[3]: ("Eastmoor Midwife-led Unit",),
}
_POSTCODE_AREAS = ("NF", "RV", "CW", "EM")

_ETHNIC_CODES = np.array(list("ABCDEFGHJKLMNPRSZ") + ["99"])
_ETHNIC_WEIGHTS = np.array(
    [58, 1, 9, 1, 1, 1, 1, 4, 6, 2.5, 2, 1.5, 5, 1, 1, 2, 1.5, 1.5], dtype=float
)
#: Free-text labels some rows carry instead of a code (as real exports do).
_ETHNIC_LABELS = {
    "A": "White British",
    "C": "White - Other",
    "J": "Asian Pakistani",
    "N": "Black African",
    "H": "Indian",
}


@dataclass(frozen=True)
class _Outcome:
    """Baseline risk in decile 10 for a White British woman, and the gradients applied to it."""

    base: float
    deprivation_rr: float  # risk ratio of decile 1 against decile 10
    black_rr: float = 1.0
    asian_rr: float = 1.0


_OUTCOMES = {
    "preterm_birth": _Outcome(0.062, 1.6, 1.35, 1.15),
    "stillbirth": _Outcome(0.0032, 2.0, 2.1, 1.5),
    "neonatal_death": _Outcome(0.0015, 1.8, 1.8, 1.4),
    "low_birth_weight": _Outcome(0.05, 1.9, 1.6, 1.7),
    "pph_1500ml": _Outcome(0.03, 1.2, 1.4, 1.1),
    "third_fourth_degree_tear": _Outcome(0.028, 0.9, 1.1, 1.6),
    "caesarean": _Outcome(0.36, 0.95, 1.2, 1.05),
    "breastfeeding_initiated": _Outcome(0.86, 0.78, 1.1, 1.05),
}


def _graded(decile: np.ndarray, rr_most_deprived: float) -> np.ndarray:
    """Risk multiplier that moves log-linearly from rr (decile 1) to 1.0 (decile 10)."""
    return np.exp(np.log(rr_most_deprived) * (10 - decile) / 9.0)


def _yes_no(rng: np.random.Generator, p: np.ndarray, missing: float = 0.01) -> np.ndarray:
    values = np.where(rng.random(p.shape) < p, "Y", "N").astype(object)
    values[rng.random(p.shape) < missing] = None
    return values


def _invalid_nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ten-digit numbers in the 999 test range whose Modulus 11 check digit is wrong."""
    body = np.column_stack(
        [np.full(n, 9), np.full(n, 9), np.full(n, 9), rng.integers(0, 10, size=(n, 6))]
    )
    weights = np.arange(10, 1, -1)
    check = 11 - (body @ weights) % 11
    check = np.where(check == 11, 0, check)
    wrong = (np.where(check == 10, 0, check) + 1 + rng.integers(0, 8, n)) % 10
    wrong = np.where(wrong == check, (wrong + 1) % 10, wrong)
    digits = np.column_stack([body, wrong])
    return np.array(["".join(map(str, row)) for row in digits], dtype=object)


def make_cohort(rows: int = DEFAULT_COHORT_ROWS, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A synthetic booking cohort, one row per pregnancy, headed as a real export might be."""
    rng = np.random.default_rng(seed)
    n = int(rows)

    # Deprivation: an urban LMNS with more people in the deprived deciles.
    lsoa_pool = 600
    pool_codes = np.array([f"E01{c:06d}" for c in rng.choice(32_000, lsoa_pool, replace=False) + 1])
    pool_decile = rng.choice(np.arange(1, 11), lsoa_pool, p=np.linspace(1.6, 0.5, 10) / 10.5)
    pool_area = rng.integers(0, len(_POSTCODE_AREAS), lsoa_pool)
    lsoa_idx = rng.integers(0, lsoa_pool, n)
    decile = pool_decile[lsoa_idx].astype(float)

    eth = rng.choice(_ETHNIC_CODES, n, p=_ETHNIC_WEIGHTS / _ETHNIC_WEIGHTS.sum())
    black = np.isin(eth, ["M", "N", "P", "E", "D"])
    asian = np.isin(eth, ["H", "J", "K", "L"])
    not_white_british = eth != "A"

    age = np.clip(np.round(rng.normal(30.5, 5.6, n) - (10 - decile) * 0.25), 15, 48).astype(int)
    booking = date(2024, 4, 1) + np.array(
        [timedelta(days=int(d)) for d in rng.integers(0, 730, n)]
    )
    booking = pd.to_datetime(booking)
    gest_booking = np.clip(np.round(rng.gamma(9.0, 1.15, n) + (10 - decile) * 0.3), 6, 36)
    dob = booking - pd.to_timedelta(age * 365.25 + rng.integers(0, 365, n), unit="D")
    term_weeks = np.clip(rng.normal(39.3, 1.6, n), 24, 42)

    trusts = np.array(vocab.TRUSTS_DEMO)[rng.choice(4, n, p=[0.36, 0.32, 0.18, 0.14])]
    site = np.array([_SITES[t][i % len(_SITES[t])] for t, i in zip(trusts, rng.integers(0, 2, n))])

    dep = (10 - decile) / 9.0  # 0 least deprived .. 1 most deprived
    flags = {
        "interpreter_needed": _yes_no(rng, 0.01 + 0.18 * (not_white_british & (eth != "Z"))),
        "homelessness": _yes_no(rng, 0.001 + 0.01 * dep),
        "substance_misuse": _yes_no(rng, 0.01 + 0.05 * dep),
        "asylum_seeker_refugee": _yes_no(rng, 0.002 + 0.06 * (black | asian) * dep),
        "learning_disability_autism": _yes_no(rng, np.full(n, 0.012)),
        "gypsy_roma_traveller": _yes_no(rng, 0.001 + 0.006 * dep),
        "domestic_abuse": _yes_no(rng, 0.02 + 0.05 * dep),
        "safeguarding": _yes_no(rng, 0.02 + 0.09 * dep),
    }

    outcomes = {}
    for name, spec in _OUTCOMES.items():
        p = spec.base * _graded(decile, spec.deprivation_rr)
        p = p * np.where(black, spec.black_rr, 1.0) * np.where(asian, spec.asian_rr, 1.0)
        outcomes[name] = _yes_no(rng, np.clip(p, 0, 0.99), missing=0.015)
    preterm = outcomes["preterm_birth"] == "Y"
    term_weeks = np.where(preterm, rng.uniform(24, 36.9, n), np.maximum(term_weeks, 37))
    delivery = booking + pd.to_timedelta((term_weeks - gest_booking) * 7, unit="D").round("D")
    core20 = decile <= 2
    targeted = core20 | black | asian
    outcomes["continuity_of_carer"] = _yes_no(rng, np.where(targeted, 0.38, 0.14), missing=0.02)

    smoking_p = 0.03 + 0.17 * dep
    smoke_booking = _yes_no(rng, smoking_p)
    smoke_delivery = np.where(
        smoke_booking == "Y", np.where(rng.random(n) < 0.7, "Y", "N"), smoke_booking
    )

    # Missingness and free-text labels, as in real exports.
    decile_out = decile.astype(object)
    decile_out[rng.random(n) < 0.03] = None
    eth_out = eth.astype(object)
    eth_out[rng.random(n) < 0.01] = None
    relabel = rng.random(n) < 0.06
    for code, label in _ETHNIC_LABELS.items():
        eth_out[relabel & (eth == code)] = label

    postcodes = np.array(
        [
            f"{_POSTCODE_AREAS[pool_area[i]]}{1 + i % 19} {rng.integers(1, 10)}{chr(65 + j % 26)}{chr(65 + (j * 7) % 26)}"
            for i, j in zip(lsoa_idx, rng.integers(0, 676, n))
        ]
    )

    frame = pd.DataFrame(
        {
            "patient_id": [f"P{seed % 1000:03d}-{i + 1:07d}" for i in range(n)],
            "nhs_number": _invalid_nhs_numbers(rng, n),
            "date_of_birth": dob.normalize(),
            "age": age,
            "booking_date": booking,
            "delivery_date": delivery,
            "postcode": postcodes,
            "lsoa": pool_codes[lsoa_idx],
            "imd_decile": decile_out,
            "ethnic_category": eth_out,
            "trust": trusts,
            "site": site,
            "gestation_at_booking_weeks": gest_booking.astype(int),
            "parity": np.minimum(rng.poisson(0.9, n), 8),
            "bmi": np.round(np.clip(rng.normal(26.5 + dep, 5.2, n), 15, 60), 1),
            "smoking_at_booking": smoke_booking,
            "smoking_at_delivery": smoke_delivery,
            **flags,
            **outcomes,
        }
    )
    return frame.rename(columns=COHORT_COLUMNS)[list(COHORT_COLUMNS.values())]


# --- Register -----------------------------------------------------------------------------

_PROJECT_THEMES = (
    ("Community antenatal hub in {place}", "Book 70% of women in the hub's postcodes by 10 weeks"),
    ("Interpreter-first booking appointments", "Every booking with an interpreter need has one booked"),
    ("Doula partnership for asylum-seeking women", "Continuous support in labour for women seeking asylum"),
    ("Continuity of carer team for {place}", "75% of Core20 women on a continuity pathway"),
    ("Smoke-free pregnancy outreach", "Halve smoking at delivery among Core20 women"),
    ("Anti-racism training for maternity staff", "All staff complete training within 12 months"),
    ("Easy-read maternity information", "Easy-read leaflets for every antenatal pathway"),
    ("Travellers' site antenatal clinic", "Antenatal care delivered on site at {place}"),
    ("Perinatal mental health drop-in", "Shorter waits for women referred from deprived areas"),
    ("Black maternal health listening events", "Co-produce actions with Black women and the MNVP"),
    ("Vitamin D and folic acid campaign", "Raise supplement use in the most deprived quintile"),
    ("Learning from PMRT reviews with families", "Themes shared with every unit each quarter"),
    ("Digital inclusion for booking", "Offer a phone or face-to-face route to every referral"),
    ("Homeless pregnancy pathway", "Named midwife within 5 days for women without a home"),
    ("Substance misuse specialist midwife clinic", "Joint clinics with the drug and alcohol service"),
    ("Learning disability passport", "A maternity passport for every woman with a learning disability"),
)
_PLACES = ("Northfield East", "Riverside", "Coastway Bay", "Eastmoor", "Harbour Ward", "Millgate")
_LEADS = (
    "A. Okafor", "B. Hussain", "C. Walsh", "D. Patel", "E. Kowalska", "F. Mensah",
    "G. Brennan", "H. Ahmed", "J. Clarke", "K. Nowak", "L. Begum", "M. Osei",
)
_MEASURE_NAMES = (
    ("% booked by 10 weeks (Core20)", "Higher is better"),
    ("% on continuity of carer pathway", "Higher is better"),
    ("Smoking at delivery %", "Lower is better"),
    ("Interpreter used at booking %", "Higher is better"),
)


def make_register(seed: int = DEFAULT_SEED, projects: int = 48) -> dict[str, pd.DataFrame]:
    """A demo register: projects across every sub-workstream and PLUS group, evidence, measures."""
    rng = np.random.default_rng(seed + 1)
    today = date(2026, 11, 1)
    rows = []
    for i in range(projects):
        title_t, aim_t = _PROJECT_THEMES[i % len(_PROJECT_THEMES)]
        place = _PLACES[i % len(_PLACES)]
        start = date(2023, 4, 1) + timedelta(days=int(rng.integers(0, 900)))
        end = start + timedelta(days=int(rng.integers(180, 900)))
        plus = {vocab.PLUS_GROUPS[i % len(vocab.PLUS_GROUPS)]}
        plus |= set(rng.choice(vocab.PLUS_GROUPS, int(rng.integers(0, 3)), replace=False))
        status = vocab.PROJECT_STATUSES[
            rng.choice(7, p=[0.06, 0.14, 0.42, 0.14, 0.14, 0.06, 0.04])
        ]
        rag = "Blue" if status == "Complete" else str(rng.choice(["Red", "Amber", "Green"], p=[0.15, 0.3, 0.55]))
        repeat = i >= len(_PROJECT_THEMES) and "{place}" not in title_t
        suffix = f" ({place})" if repeat else (" (phase 2)" if i >= len(_PROJECT_THEMES) else "")
        rows.append(
            {
                "ID": f"IH-{i + 1:04d}",
                "Title": title_t.format(place=place) + suffix,
                "Aim": aim_t.format(place=place) + f" by {end:%B %Y}.",
                "Sub-workstream": vocab.SUB_WORKSTREAMS[i % 5],
                "PLUS groups": rs.MULTI_SEPARATOR.join(sorted(plus)),
                "Core20 focus": "Yes" if rng.random() < 0.6 else "No",
                "Clinical area": vocab.DEFAULT_CLINICAL_AREA if rng.random() < 0.9 else "Severe mental illness",
                "Trust": vocab.TRUSTS_DEMO[i % len(vocab.TRUSTS_DEMO)],
                "Lead": _LEADS[i % len(_LEADS)],
                "Status": status,
                "RAG": rag,
                "Start date": pd.Timestamp(start),
                "Target end date": pd.Timestamp(end),
                "Outcome measures": "Preterm birth rate in Core20 women",
                "Process measures": _MEASURE_NAMES[i % len(_MEASURE_NAMES)][0],
                "Balancing measures": "Midwife caseload per WTE",
                "Co-production (MNVP)": "Yes" if rng.random() < 0.55 else "No",
                "Co-production note": "Co-designed with the MNVP" if i % 3 == 0 else None,
                "IHI progress score": float(rng.choice(list(vocab.IHI_PROGRESS_SCORES))),
                "Equity priority": vocab.EQUITY_PRIORITIES[i % 5],
                "Pledge prong": vocab.PLEDGE_PRONGS[(i * 3) % 5],
                "Next steps": "Review at next equity steering group",
                "Last updated": pd.Timestamp(today - timedelta(days=int(rng.integers(0, 200)))),
                "Notes": None,
            }
        )
    projects_df = pd.DataFrame(rows, columns=rs.headers(rs.SHEET_PROJECTS))

    evidence = []
    for proj in rows:
        for _ in range(int(rng.integers(1, 7))):
            etype = vocab.EVIDENCE_TYPES[int(rng.choice(7, p=[0.3, 0.2, 0.2, 0.12, 0.1, 0.05, 0.03]))]
            when = proj["Start date"] + pd.Timedelta(days=int(rng.integers(0, 700)))
            evidence.append(
                {
                    "ID": f"EV-{len(evidence) + 1:05d}",
                    "Project ID": proj["ID"],
                    "Type": etype,
                    "Date": min(when, pd.Timestamp(today)),
                    "Title": f"{etype} - {proj['Title'][:40]}",
                    "People reached": int(rng.integers(5, 150)),
                    "Groups reached": proj["PLUS groups"],
                    "Summary": "Attendance and feedback recorded by the project team.",
                    "Link": None,
                }
            )
    evidence_df = pd.DataFrame(evidence, columns=rs.headers(rs.SHEET_EVIDENCE))

    measures = []
    for i, proj in enumerate(rows[: projects // 2]):
        name, direction = _MEASURE_NAMES[i % len(_MEASURE_NAMES)]
        level = float(rng.uniform(30, 60))
        step = 8.0 if direction == "Higher is better" else -6.0
        for m in range(24):
            period = pd.Timestamp(2024, 11, 1) + pd.DateOffset(months=m)
            denominator = int(rng.integers(40, 120))
            rate = np.clip(level + (step if m >= 14 else 0) + rng.normal(0, 4), 0, 100)
            numerator = int(round(rate / 100 * denominator))
            measures.append(
                {
                    "Project ID": proj["ID"],
                    "Measure": name,
                    "Period": period,
                    "Value": round(100 * numerator / denominator, 1),
                    "Numerator": numerator,
                    "Denominator": denominator,
                    "Improvement direction": direction,
                }
            )
    measures_df = pd.DataFrame(measures, columns=rs.headers(rs.SHEET_MEASURES))

    pdsa = []
    for proj in rows[::4]:
        for cycle in (1, 2):
            start = proj["Start date"] + pd.Timedelta(days=60 * cycle)
            pdsa.append(
                {
                    "Project ID": proj["ID"],
                    "Cycle": cycle,
                    "Change idea": "Text reminder in the woman's preferred language",
                    "Prediction": "More women attend their first appointment",
                    "Start date": start,
                    "End date": start + pd.Timedelta(days=28),
                    "Result": "Attendance rose from 61% to 72%" if cycle == 1 else "Sustained",
                    "Decision": "Adapt" if cycle == 1 else "Adopt",
                }
            )
    pdsa_df = pd.DataFrame(pdsa, columns=rs.headers(rs.SHEET_PDSA))
    return {
        rs.SHEET_PROJECTS: projects_df,
        rs.SHEET_EVIDENCE: evidence_df,
        rs.SHEET_MEASURES: measures_df,
        rs.SHEET_PDSA: pdsa_df,
    }


def write_register(path: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo register workbook (the register store's own writer does the formatting)."""
    from lmns_desktop.core.register_store import write_new_register

    write_new_register(path, make_register(seed))
    return path


def write_cohort(path: Path, rows: int = DEFAULT_COHORT_ROWS, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo cohort as a one-sheet export, dates as real Excel dates."""
    frame = make_cohort(rows, seed)
    path = Path(path)
    with pd.ExcelWriter(
        path, engine="xlsxwriter", date_format="dd/mm/yyyy", datetime_format="dd/mm/yyyy"
    ) as xw:
        frame.to_excel(xw, sheet_name=COHORT_SHEET, index=False)
        sheet = xw.sheets[COHORT_SHEET]
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(frame.columns) - 1, 14)
        workbook = xw.book
        workbook.set_properties({"title": "Synthetic demo cohort", "comments": "No real person's data."})
    return path


def write_demo_files(out_dir: Path, rows: int = DEFAULT_COHORT_ROWS, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write ``demo_register.xlsx`` and ``demo_cohort.xlsx`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return write_register(out / REGISTER_FILE, seed), write_cohort(out / COHORT_FILE, rows, seed)
