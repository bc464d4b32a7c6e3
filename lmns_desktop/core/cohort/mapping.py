"""Suggest which column holds which canonical field, and remember the user's choices.

Suggestions come from a synonyms table (headings seen in MSDS, BadgerNet/K2/Cerner/EPIC exports
and project spreadsheets), then token containment, then fuzzy similarity (difflib), and are
checked against sample values (ten-digit numbers look like NHS numbers, E01... like LSOA codes).
Each suggestion carries a confidence from 0 to 1 and a reason the GUI can show.

Mapping profiles are small JSON files holding column *names* and field names only, never values,
saved in a folder the caller passes in (the GUI passes the per-user data folder). A profile
records :func:`layout_signature` of its columns so it is re-applied automatically when a file
with the same columns is opened again. Columns not mapped stay in the cohort as user-defined
grouping fields.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lmns_desktop.core import vocab
from lmns_desktop.core.errors import UserError

from ._util import header_key

#: Suggestions at or above this are shown as "high confidence" and need no review.
HIGH_CONFIDENCE = 0.8
#: Suggestions at or above this are used when importing without review (CLI, re-import).
AUTO_ACCEPT = 0.6
PROFILE_VERSION = 1

# Headings per field, written naturally; they are reduced with header_key() for matching.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "patient_id": (
        "Pseudo ID",
        "Pseudo-ID",
        "Pseudonymised ID",
        "Pseudonym",
        "Patient ID",
        "Patient identifier",
        "Local patient ID",
        "Local ID",
        "MRN",
        "Hospital number",
        "Hospital no",
        "Unit number",
        "Record ID",
        "Client ID",
        "Person ID",
        "Case ID",
        "Study ID",
        "PID",
        "Mother ID",
        "Woman ID",
        "Pregnancy ID",
        "ID",
        "Local patient identifier (mother)",
        "LocalPatientIdMother",
        "Person_ID_Mother",
        "Token ID",
    ),
    "nhs_number": (
        "NHS Number",
        "NHS No",
        "NHS Num",
        "NHSNo",
        "NHS",
        "NHS number (mother)",
        "Mother NHS number",
        "NHSNumberMother",
        "NHS_Number",
        "New NHS number",
    ),
    "date_of_birth": (
        "Date of birth",
        "DOB",
        "Mother DOB",
        "Birth date",
        "Maternal DOB",
        "Mothers DOB",
        "D.O.B.",
        "PersonBirthDateMother",
        "Date of birth (mother)",
        "Birthdate",
    ),
    "age": (
        "Age",
        "Age at Booking",
        "Maternal age",
        "Mothers age",
        "Age (years)",
        "Age years",
        "AgeAtBookingMother",
        "Age at booking (years)",
        "Mother age",
        "Age at first booking",
    ),
    "booking_date": (
        "Booking Date",
        "Date of booking",
        "Booking appointment date",
        "Antenatal booking date",
        "AntenatalAppDate",
        "Booked date",
        "Date booked",
        "Booking",
        "First booking date",
        "Booking appt date",
    ),
    "delivery_date": (
        "Delivery Date",
        "Date of delivery",
        "Birth date (baby)",
        "Baby DOB",
        "Date of birth (baby)",
        "Baby date of birth",
        "Delivery",
        "Date delivered",
        "Labour and delivery date",
        "PersonBirthDateBaby",
        "Date of birth baby",
    ),
    "postcode": (
        "Postcode",
        "Post code",
        "Postal code",
        "Mother postcode",
        "Home postcode",
        "Postcode of usual address",
        "Patient postcode",
        "Residence postcode",
        "PCode",
        "Postcode (mother)",
    ),
    "lsoa": (
        "LSOA",
        "LSOA code",
        "LSOA 2011",
        "LSOA 2021",
        "LSOA11",
        "LSOA21",
        "LSOA11CD",
        "LSOA21CD",
        "LSOAMother2011",
        "Lower super output area",
        "LSOA of residence",
        "LSOA code (2011)",
        "LSOA code (2021)",
    ),
    "imd_decile": (
        "IMD Decile",
        "IMD",
        "Deprivation decile",
        "IMD 2019 decile",
        "IMD2019 decile",
        "IMD 2025 decile",
        "Index of Multiple Deprivation decile",
        "Rank_IMD_Decile_2015",
        "DeprivationDecileAtBooking",
        "IMD decile (1 = most deprived)",
        "Deprivation decile at booking",
        "Index of Multiple Deprivation (IMD) Decile",
    ),
    "ethnic_category": (
        "Ethnic Category",
        "Ethnicity",
        "Ethnic group",
        "Ethnic origin",
        "Ethnic code",
        "EthnicCategoryMother",
        "Mother ethnicity",
        "Ethnic category code",
        "Ethnicity (mother)",
        "Maternal ethnicity",
    ),
    "trust": (
        "Trust",
        "Provider",
        "Organisation",
        "Trust name",
        "Provider name",
        "Org",
        "Org code",
        "Organisation name",
        "Provider code",
        "OrgCodeProvider",
    ),
    "site": (
        "Site",
        "Hospital",
        "Unit",
        "Location",
        "Site name",
        "Hospital site",
        "Maternity unit",
        "Birth unit",
        "Site code",
    ),
    "gestation_at_booking_weeks": (
        "Gestation at Booking (weeks)",
        "Gestation at booking",
        "Gest at booking",
        "Booking gestation",
        "Gestation booking",
        "GestAgeBooking",
        "Weeks at booking",
        "GA at booking",
        "Gestational age at booking",
        "Gestation at booking (days)",
        "Gestation (weeks) at booking",
    ),
    "parity": (
        "Parity",
        "Previous live births",
        "Para",
        "PreviousLiveBirths",
        "Number of previous births",
        "Previous births",
    ),
    "bmi": (
        "BMI",
        "BMI at booking",
        "Body mass index",
        "Booking BMI",
        "PersonBMIBooking",
        "Maternal BMI",
    ),
    "smoking_at_booking": (
        "Smoker at Booking",
        "Smoking at booking",
        "Smoking status at booking",
        "SmokingStatusBooking",
        "Smoker booking",
        "Smoking booking",
        "Smoking status (booking)",
        "Smoker",
        "Smoking status",
        "Current smoker",
    ),
    "smoking_at_delivery": (
        "Smoker at Delivery",
        "Smoking at delivery",
        "Smoking status at delivery",
        "SmokingStatusDelivery",
        "SATOD",
        "Smoking at time of delivery",
        "Smoker delivery",
    ),
    "interpreter_needed": (
        "Interpreter Required",
        "Interpreter needed",
        "Interpreter",
        "Needs interpreter",
        "Interpreter req",
        "Language interpreter",
        "Interpreter used",
        "Interpreter required (Y/N)",
    ),
    "homelessness": (
        "Homeless",
        "Homelessness",
        "No fixed abode",
        "NFA",
        "Housing insecurity",
        "Experiencing homelessness",
        "Homeless (Y/N)",
    ),
    "substance_misuse": (
        "Substance Misuse",
        "Substance use",
        "Drug and alcohol",
        "Drugs and alcohol",
        "Drug misuse",
        "Drug or alcohol misuse",
        "Substance misuse (Y/N)",
        "Drug and alcohol dependence",
    ),
    "asylum_seeker_refugee": (
        "Asylum Seeker/Refugee",
        "Asylum seeker",
        "Refugee",
        "Asylum seeker or refugee",
        "Refugee/asylum seeker",
        "Vulnerable migrant",
        "Asylum status",
        "Recent migrant",
    ),
    "learning_disability_autism": (
        "Learning Disability/Autism",
        "Learning disability",
        "Learning disability or autism",
        "LD/Autism",
        "Autism",
        "Learning disabilities",
        "LD",
    ),
    "gypsy_roma_traveller": (
        "Gypsy Roma Traveller",
        "GRT",
        "Traveller",
        "Gypsy Traveller",
        "Gypsy, Roma and Traveller",
        "Gypsy or Irish Traveller",
        "Traveller community",
    ),
    "sex_worker": ("Sex worker", "Sex work", "Sex working"),
    "justice_contact": (
        "Justice contact",
        "Contact with the justice system",
        "Criminal justice",
        "Prison",
        "Offender",
        "Justice system",
        "In contact with justice system",
        "Probation",
    ),
    "domestic_abuse": (
        "Domestic Abuse",
        "Domestic violence",
        "DV",
        "DA",
        "Domestic abuse disclosed",
        "Domestic violence and abuse",
        "DVA",
    ),
    "safeguarding": (
        "Safeguarding Concern",
        "Safeguarding",
        "Safeguarding concerns",
        "Social care involvement",
        "Child protection",
        "Safeguarding flag",
        "Social services involvement",
    ),
    "age_under_20": (
        "Under 20",
        "Age under 20",
        "Aged under 20",
        "Teenage pregnancy",
        "Teenager",
        "Young parent",
        "Under 20 at booking",
    ),
    "preterm_birth": (
        "Preterm (<37 wks)",
        "Preterm",
        "Preterm birth",
        "Premature",
        "Born before 37 weeks",
        "Preterm (<37 weeks)",
        "Pre-term",
        "Preterm delivery",
    ),
    "stillbirth": ("Stillbirth", "Still birth", "Stillborn", "Stillbirth (Y/N)"),
    "neonatal_death": ("Neonatal Death", "NND", "Neonatal death (<28 days)", "Neonatal mortality"),
    "low_birth_weight": (
        "Low Birth Weight",
        "LBW",
        "Low birthweight",
        "Birthweight under 2500g",
        "Low birth weight (<2500g)",
        "Birth weight under 2500 g",
    ),
    "pph_1500ml": (
        "PPH >=1500ml",
        "PPH",
        "Postpartum haemorrhage",
        "PPH 1500",
        "PPH over 1500ml",
        "Major PPH",
        "PPH >1.5L",
        "PPH 1500ml or more",
        "Postpartum haemorrhage >= 1500ml",
    ),
    "third_fourth_degree_tear": (
        "3rd/4th Degree Tear",
        "Third or fourth degree tear",
        "OASI",
        "OASIS",
        "Obstetric anal sphincter injury",
        "3rd/4th tear",
        "Severe perineal tear",
        "3rd or 4th degree tear",
        "Third/fourth degree tear",
    ),
    "caesarean": (
        "Caesarean",
        "C-section",
        "CS",
        "Caesarean section",
        "Cesarean",
        "LSCS",
        "Caesarean birth",
        "Caesarean delivery",
    ),
    "breastfeeding_initiated": (
        "Breastfeeding Initiated",
        "Breastfeeding",
        "Breast feeding initiated",
        "BF initiated",
        "First feed breast milk",
        "BabyFirstFeedBreastMilkStatus",
        "Breastfeeding initiation",
        "Breast milk at first feed",
    ),
    "continuity_of_carer": (
        "CoC Pathway",
        "Continuity of carer",
        "CoC",
        "Continuity of care",
        "MCoC",
        "ContCarePathInd",
        "On CoC pathway",
        "Continuity pathway",
        "Continuity of carer pathway",
    ),
}

#: Single words too generic to match by containment ("Unit ID" is not a site).
_GENERIC = frozenset(
    {
        "id",
        "unit",
        "org",
        "date",
        "location",
        "hospital",
        "provider",
        "organisation",
        "decile",
        "age",
        "booking",
        "birth",
        "delivery",
        "code",
        "number",
        "status",
        "group",
        "nhs",
        "para",
        "ld",
        "da",
        "dv",
        "cs",
        "pid",
        "nfa",
        "imd",
        "coc",
        "smoker",
        "interpreter",
        "prison",
    }
)
_FILLER = frozenset(
    {
        "mother",
        "mothers",
        "maternal",
        "patient",
        "patients",
        "woman",
        "womans",
        "client",
        "the",
        "of",
        "yn",
        "y",
        "n",
    }
)


def _build_index() -> tuple[dict[str, str], dict[str, str], list[tuple[str, frozenset[str], str]]]:
    exact: dict[str, str] = {}
    compact: dict[str, str] = {}
    tokens: list[tuple[str, frozenset[str], str]] = []
    for fld in vocab.CANONICAL_FIELDS:
        names = (fld.replace("_", " "), vocab.FIELD_LABELS.get(fld, ""), *SYNONYMS.get(fld, ()))
        for name in names:
            key = header_key(name)
            if not key:
                continue
            exact.setdefault(key, fld)
            compact.setdefault(key.replace(" ", ""), fld)
            tokens.append((key, frozenset(key.split()), fld))
    return exact, compact, tokens


_EXACT, _COMPACT, _TOKENS = _build_index()


@lru_cache(maxsize=4096)
def heading_match(heading: str, fuzzy: bool = False) -> tuple[str | None, float, str]:
    """Best canonical field for a heading alone: (field or None, confidence, reason)."""
    key = header_key(heading)
    if not key:
        return None, 0.0, "the heading is blank"
    if key in _EXACT:
        return _EXACT[key], 1.0, f"the heading is a known name for {_label(_EXACT[key])}"
    squeezed = key.replace(" ", "")
    if squeezed in _COMPACT:
        return (
            _COMPACT[squeezed],
            0.97,
            f"the heading is a known name for {_label(_COMPACT[squeezed])}",
        )
    words = key.split()
    trimmed = " ".join(w for w in words if w not in _FILLER)
    if trimmed and trimmed != key and trimmed in _EXACT:
        fld = _EXACT[trimmed]
        return fld, 0.95, f"the heading is a known name for {_label(fld)}"
    word_set = frozenset(words)
    best: tuple[str | None, float, str] = (None, 0.0, "no known heading matched")
    for syn_key, syn_tokens, fld in _TOKENS:
        if len(syn_tokens) == 1 and (syn_key in _GENERIC or len(syn_key) < 4):
            continue
        if syn_tokens <= word_set:
            conf = 0.7 + 0.2 * len(syn_tokens) / len(word_set)
            if conf > best[1]:
                best = (fld, round(conf, 3), f"the heading contains '{syn_key}'")
    if best[0] is not None or not fuzzy or len(key) < 6:
        return best
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    for syn_key, _tokens, fld in _TOKENS:
        matcher.set_seq1(syn_key)
        if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
            continue
        ratio = matcher.ratio()
        if ratio >= 0.8 and 0.9 * ratio > best[1]:
            best = (
                fld,
                round(0.9 * ratio, 3),
                f"the heading looks like '{syn_key}' ({ratio:.0%} similar)",
            )
    return best


def _label(fld: str) -> str:
    return vocab.FIELD_LABELS.get(fld, fld)


# --- What the values look like -------------------------------------------------------------

_NHS = re.compile(r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.I)
_LSOA = re.compile(r"^[EW]0[1]\d{6}$", re.I)
_FLAGS = frozenset(
    {
        "y",
        "n",
        "yes",
        "no",
        "true",
        "false",
        "1",
        "0",
        "x",
        "✓",
        "✔",
        "ticked",
        "t",
        "f",
        "1.0",
        "0.0",
        "unknown",
        "not known",
    }
)
_DATEISH = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T][\d:.]+)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$|"
    r"^\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}$"
)


def value_kind(values: Iterable[object]) -> tuple[str | None, float]:
    """What most sample values look like: "nhs_number", "postcode", "lsoa", "flag", "date", ..."""
    texts = [str(v).strip() for v in values if v is not None and not pd.isna(v) and str(v).strip()]
    if not texts:
        return None, 0.0
    n = len(texts)
    tests = (
        ("nhs_number", lambda t: bool(_NHS.match(t))),
        ("lsoa", lambda t: bool(_LSOA.match(t))),
        ("postcode", lambda t: bool(_POSTCODE.match(t))),
        ("flag", lambda t: t.lower() in _FLAGS),
        ("date", lambda t: bool(_DATEISH.match(t))),
    )
    for kind, test in tests:
        share = sum(1 for t in texts if test(t)) / n
        if share >= 0.8:
            return kind, share
    from .normalise import ethnic_code

    # Ethnic codes are categories: a column of mostly different values ("P1", "P2") is IDs.
    distinct = len(set(texts))
    if n >= 10 and distinct <= max(25, n // 2):
        share = sum(1 for t in texts if ethnic_code(t) is not None) / n
        if share >= 0.8:
            return "ethnicity", share
    return None, 0.0


_KIND_FIELD = {
    "nhs_number": "nhs_number",
    "lsoa": "lsoa",
    "postcode": "postcode",
    "ethnicity": "ethnic_category",
}
_DATE_FIELDS = frozenset({"date_of_birth", "booking_date", "delivery_date"})
_FLAG_FIELDS = frozenset(
    vocab.PLUS_FLAG_FIELDS + vocab.OUTCOME_FIELDS + ("smoking_at_booking", "smoking_at_delivery")
)


@dataclass(frozen=True)
class Suggestion:
    """A proposed field for one column: ``field`` None means "leave unmapped"."""

    column: str
    field: str | None
    confidence: float
    reason: str
    alternatives: tuple[str, ...] = ()

    @property
    def high_confidence(self) -> bool:
        return self.field is not None and self.confidence >= HIGH_CONFIDENCE


def _samples_for(sample_values: object, column: str) -> Sequence[object]:
    if sample_values is None:
        return ()
    if isinstance(sample_values, pd.DataFrame):
        if column not in sample_values.columns:
            return ()
        col = sample_values[column]
        if isinstance(col, pd.DataFrame):
            col = col.iloc[:, 0]
        return col.dropna().head(200).tolist()
    if isinstance(sample_values, Mapping):
        return list(sample_values.get(column, ()))[:200]
    return ()


_EXCEL_DATE_CELL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}:\d{2}):\d{2})?$")


def _day_first(m: re.Match[str]) -> str:
    time = f" {m.group(4)}" if m.group(4) and m.group(4) != "00:00" else ""
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}{time}"


def column_samples(table: pd.DataFrame, count: int = 3, scan: int = 200) -> dict[str, list[str]]:
    """The first ``count`` different filled values of each column among the first ``scan`` rows,
    as text read from the file (date cells shown day first, as Excel shows them in the UK): what
    the mapping dialog shows as examples."""
    out: dict[str, list[str]] = {}
    head = table.head(scan)
    for j, column in enumerate(head.columns):
        seen: list[str] = []
        for value in head.iloc[:, j].dropna().tolist():
            text = _EXCEL_DATE_CELL.sub(_day_first, str(value).strip())
            if text and text not in seen:
                seen.append(text)
                if len(seen) == count:
                    break
        out[str(column)] = seen
    return out


def suggest_mapping(
    columns: Sequence[str],
    sample_values: pd.DataFrame | Mapping[str, Sequence[object]] | None = None,
) -> list[Suggestion]:
    """One suggestion per column, in column order; each field is proposed for one column only."""
    proposals: list[tuple[float, int, str, str]] = []  # (confidence, column index, field, reason)
    per_column: dict[int, list[tuple[float, str, str]]] = {}
    for i, col in enumerate(columns):
        fld, conf, reason = heading_match(str(col), fuzzy=True)
        kind, share = value_kind(_samples_for(sample_values, col))
        options: list[tuple[float, str, str]] = []
        if fld is not None:
            conf, reason = _check_values(fld, conf, reason, kind)
            options.append((conf, fld, reason))
        by_value = _KIND_FIELD.get(kind or "")
        if by_value and by_value != fld:
            options.append(
                (0.7, by_value, f"the values look like {_label(by_value).lower()}s ({share:.0%})")
            )
        options.sort(reverse=True)
        per_column[i] = options
        proposals.extend((c, i, f, r) for c, f, r in options)

    proposals.sort(key=lambda p: (-p[0], p[1]))
    taken_fields: dict[str, int] = {}
    chosen: dict[int, tuple[float, str, str]] = {}
    for conf, i, fld, reason in proposals:
        if i in chosen or fld in taken_fields or conf <= 0:
            continue
        chosen[i] = (conf, fld, reason)
        taken_fields[fld] = i

    out = []
    for i, col in enumerate(columns):
        alts = tuple(f for _c, f, _r in per_column[i])
        if i in chosen:
            conf, fld, reason = chosen[i]
            out.append(Suggestion(col, fld, round(conf, 3), reason, alts))
            continue
        if per_column[i]:
            conf, fld, _r = per_column[i][0]
            other = columns[taken_fields[fld]] if fld in taken_fields else None
            why = (
                f"it also looks like {_label(fld)}, but '{other}' matched better"
                if other
                else "no known heading matched"
            )
        else:
            why = "no known heading matched; it stays available as a grouping field"
        out.append(Suggestion(col, None, 0.0, why, alts))
    return out


def _check_values(fld: str, conf: float, reason: str, kind: str | None) -> tuple[float, str]:
    """Nudge a heading-based confidence up or down with what the values look like."""
    if kind is None:
        return conf, reason
    if _KIND_FIELD.get(kind) == fld:
        return min(1.0, conf + 0.05), reason + " and the values fit"
    if fld in _FLAG_FIELDS and kind == "flag":
        return min(1.0, conf + 0.03), reason + " and the values are yes/no"
    if fld in _DATE_FIELDS and kind == "date":
        return min(1.0, conf + 0.03), reason + " and the values are dates"
    strong = ("nhs_number", "lsoa", "postcode")
    if (kind in strong and _KIND_FIELD[kind] != fld) or (
        fld in _KIND_FIELD.values() and kind in _KIND_FIELD and _KIND_FIELD[kind] != fld
    ):
        return max(
            0.0, conf - 0.35
        ), reason + f", but the values look like {_label(_KIND_FIELD[kind]).lower()}s"
    if fld in _FLAG_FIELDS and kind == "date":
        return max(0.0, conf - 0.3), reason + ", but the values are dates"
    return conf, reason


def mapping_from_suggestions(
    suggestions: Iterable[Suggestion], threshold: float = AUTO_ACCEPT
) -> dict[str, str]:
    """{column: field} of the suggestions confident enough to use without review."""
    return {s.column: s.field for s in suggestions if s.field and s.confidence >= threshold}


def validate_mapping(
    mapping: Mapping[str, str | None], columns: Sequence[str] | None = None
) -> dict[str, str]:
    """Clean a {column: field} mapping: known fields only, one column per field."""
    out: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, fld in mapping.items():
        if not fld:
            continue
        if fld not in vocab.CANONICAL_FIELDS:
            raise UserError(
                f"The mapping sends column '{column}' to '{fld}', which is not a field this app "
                f"knows; choose one of the listed fields."
            )
        if fld in used:
            raise UserError(
                f"The mapping sends both '{used[fld]}' and '{column}' to {_label(fld)}; choose "
                f"one column for each field."
            )
        used[fld] = column
        out[str(column)] = fld
    return out


# --- Profiles ------------------------------------------------------------------------------


def layout_signature(columns: Iterable[str]) -> str:
    """A short fingerprint of a set of column headings (order, case and spacing ignored)."""
    keys = sorted({header_key(c) for c in columns if header_key(c)})
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]


@dataclass
class MappingProfile:
    """A named, saved mapping for one file layout. Holds names only, never values."""

    name: str
    mapping: dict[str, str]
    columns: list[str] = field(default_factory=list)
    signature: str = ""
    saved_at: str = ""
    path: Path | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "version": PROFILE_VERSION,
            "name": self.name,
            "signature": self.signature or layout_signature(self.columns),
            "saved_at": self.saved_at,
            "columns": list(self.columns),
            "mapping": dict(self.mapping),
        }


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return (slug or "profile")[:80]


def save_profile(
    profiles_dir: str | Path,
    name: str,
    mapping: Mapping[str, str | None],
    columns: Sequence[str],
) -> MappingProfile:
    """Save (or replace) a named profile as JSON, atomically so a crash never corrupts it."""
    if not name.strip():
        raise UserError("A mapping profile needs a name; type a name and save again.")
    clean = validate_mapping(mapping, columns)
    folder = Path(profiles_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise UserError(
            f"The folder '{folder}' for mapping profiles cannot be created; check you can save "
            f"files there."
        ) from None
    profile = MappingProfile(
        name=name.strip(),
        mapping=clean,
        columns=[str(c) for c in columns],
        signature=layout_signature(columns),
        saved_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    target = folder / f"{_slug(name)}.json"
    fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(profile.to_json(), fh, indent=2, ensure_ascii=False)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UserError(
            f"The mapping profile could not be saved in '{folder}'; check the folder is not "
            f"read-only and try again."
        ) from None
    profile.path = target
    return profile


def load_profile(path: str | Path) -> MappingProfile:
    """Read a profile file; also accepts a plain {"column": "field"} JSON object."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"The mapping file '{path.name}' was not found; choose it again.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(
            f"The mapping file '{path.name}' is not valid JSON; save the mapping again from the "
            f"app."
        ) from None
    if not isinstance(data, dict):
        raise UserError(
            f"The mapping file '{path.name}' does not hold a mapping of columns to fields."
        )
    if isinstance(data.get("mapping"), dict):
        mapping = data["mapping"]
        columns = data.get("columns") or list(mapping)
        name = str(data.get("name") or path.stem)
    else:
        mapping, columns, name = data, list(data), path.stem
    if not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
    ):
        raise UserError(f"The mapping file '{path.name}' must map column names to field names.")
    clean = validate_mapping(mapping)
    return MappingProfile(
        name=name,
        mapping=clean,
        columns=[str(c) for c in columns],
        signature=str(data.get("signature") or layout_signature(columns)),
        saved_at=str(data.get("saved_at", "")),
        path=path,
    )


def list_profiles(profiles_dir: str | Path | None) -> list[MappingProfile]:
    """All readable profiles in the folder, newest first; unreadable files are skipped."""
    if profiles_dir is None:
        return []
    folder = Path(profiles_dir)
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.glob("*.json")):
        if p.name.startswith("."):
            continue
        try:
            out.append(load_profile(p))
        except UserError:
            continue
    out.sort(key=lambda pr: pr.saved_at, reverse=True)
    return out


def find_profile(profiles_dir: str | Path | None, columns: Sequence[str]) -> MappingProfile | None:
    """The most recently saved profile made for this layout of columns, if any."""
    sig = layout_signature(columns)
    for profile in list_profiles(profiles_dir):
        if profile.signature == sig:
            return profile
    return None


def delete_profile(profiles_dir: str | Path, name: str) -> bool:
    """Delete a profile by name; True if one was deleted."""
    for profile in list_profiles(profiles_dir):
        if profile.name == name and profile.path is not None:
            profile.path.unlink(missing_ok=True)
            return True
    return False
