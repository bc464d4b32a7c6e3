"""The app's fixed lists: Core20PLUS5 vocabulary, NHS ethnic codes and canonical field names.

One Qt-free module so that the register, the cohort importer, the reports and the tests all
speak the same words (DESIGN.md section 2, DOMAIN.md sections 1-6).
"""

from __future__ import annotations

from types import MappingProxyType

# --- Register vocabulary -------------------------------------------------------------------

SUB_WORKSTREAMS: tuple[str, ...] = (
    "Culture",
    "Service user experience",
    "Systems and processes",
    "Learning from incidents and excellence",
    "Clinical innovation and excellence",
)

PLUS_GROUPS: tuple[str, ...] = (
    "Ethnic minority communities",
    "People with learning disabilities and autistic people",
    "Coastal communities",
    "People with multi-morbidities",
    "People with protected characteristics",
    "People experiencing homelessness",
    "Drug and alcohol dependence",
    "Vulnerable migrants (asylum seekers and refugees)",
    "Gypsy, Roma and Traveller communities",
    "Sex workers",
    "People in contact with the justice system",
    "Other socially excluded groups",
)

PROJECT_STATUSES: tuple[str, ...] = (
    "Idea",
    "Planning",
    "Active",
    "Sustaining",
    "Complete",
    "Paused",
    "Stopped",
)
#: Statuses that count as "active" in the coverage matrix.
ACTIVE_STATUSES: frozenset[str] = frozenset({"Planning", "Active", "Sustaining"})

RAG_RATINGS: tuple[str, ...] = ("Red", "Amber", "Green", "Blue")

CLINICAL_AREAS_ADULT: tuple[str, ...] = (
    "Maternity",
    "Severe mental illness",
    "Chronic respiratory disease",
    "Early cancer diagnosis",
    "Hypertension case-finding",
)
CLINICAL_AREAS_CYP: tuple[str, ...] = (
    "CYP: Asthma",
    "CYP: Diabetes",
    "CYP: Epilepsy",
    "CYP: Oral health",
    "CYP: Mental health",
)
CLINICAL_AREAS: tuple[str, ...] = CLINICAL_AREAS_ADULT + CLINICAL_AREAS_CYP
DEFAULT_CLINICAL_AREA = "Maternity"

EVIDENCE_TYPES: tuple[str, ...] = (
    "Inclusion health outreach event",
    "Local learning event",
    "Service user feedback / co-production (MNVP)",
    "Audit or QI data",
    "Training delivered",
    "Policy or pathway change",
    "Other",
)

#: The five health-inequalities priorities of the LMNS equity and equality guidance (DOMAIN 3b).
EQUITY_PRIORITIES: tuple[str, ...] = (
    "1 Restore NHS services inclusively",
    "2 Mitigate against digital exclusion",
    "3 Ensure datasets are complete and timely",
    "4 Accelerate preventative programmes",
    "5 Strengthen leadership and accountability",
)

#: The five prongs of pledge 1 of the LMNS equity and equality guidance (DOMAIN 3b).
PLEDGE_PRONGS: tuple[str, ...] = (
    "Understand your population and co-produce action plans",
    "Maternal mortality, morbidity and experience",
    "Perinatal mortality and morbidity",
    "Support maternity and neonatal staff",
    "Create the conditions to achieve equity",
)

#: IHI / Life QI progress scores (DOMAIN 6b).
IHI_PROGRESS_SCORES = MappingProxyType(
    {
        0.5: "Intent to participate",
        1.0: "Charter and team established",
        1.5: "Planning for the project has begun",
        2.0: "Activity, but no changes",
        2.5: "Changes tested, but no improvement",
        3.0: "Modest improvement",
        3.5: "Improvement",
        4.0: "Significant improvement",
        4.5: "Sustainable improvement",
        5.0: "Outstanding sustainable results",
    }
)

PDSA_DECISIONS: tuple[str, ...] = ("Adopt", "Adapt", "Abandon")

TRUSTS_DEMO: tuple[str, ...] = (
    "Northfield Hospitals NHS Foundation Trust",
    "Riverside University Hospitals NHS Trust",
    "Coastway Healthcare NHS Trust",
    "Eastmoor Community NHS Trust",
)

# --- NHS ethnic category (2001 census, 16+1; DOMAIN 1) ------------------------------------

ETHNIC_CATEGORIES = MappingProxyType(
    {
        "A": "White - British",
        "B": "White - Irish",
        "C": "White - Any other White background",
        "D": "Mixed - White and Black Caribbean",
        "E": "Mixed - White and Black African",
        "F": "Mixed - White and Asian",
        "G": "Mixed - Any other mixed background",
        "H": "Asian or Asian British - Indian",
        "J": "Asian or Asian British - Pakistani",
        "K": "Asian or Asian British - Bangladeshi",
        "L": "Asian or Asian British - Any other Asian background",
        "M": "Black or Black British - Caribbean",
        "N": "Black or Black British - African",
        "P": "Black or Black British - Any other Black background",
        "R": "Other Ethnic Groups - Chinese",
        "S": "Other Ethnic Groups - Any other ethnic group",
        "Z": "Not stated",
        "99": "Not known",
    }
)

ETHNIC_GROUPS: tuple[str, ...] = (
    "White",
    "Mixed",
    "Asian or Asian British",
    "Black or Black British",
    "Other ethnic group",
)
NOT_KNOWN = "Not known"

_GROUP_OF_LETTER = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
}
#: Ethnic code -> high-level group; Z, 99 and X all fall in "Not known" (DESIGN.md section 5).
ETHNIC_GROUP_OF_CODE = MappingProxyType(
    {**_GROUP_OF_LETTER, "Z": NOT_KNOWN, "99": NOT_KNOWN, "X": NOT_KNOWN}
)

# --- Canonical cohort fields (DESIGN.md section 5) ----------------------------------------

IDENTIFIER_FIELDS: tuple[str, ...] = ("patient_id", "nhs_number", "date_of_birth", "postcode")
"""Fields that identify a person: held in memory only, never in settings, caches, logs or reports."""

DEMOGRAPHIC_FIELDS: tuple[str, ...] = (
    "patient_id",
    "nhs_number",
    "date_of_birth",
    "age",
    "booking_date",
    "delivery_date",
    "postcode",
    "lsoa",
    "imd_decile",
    "ethnic_category",
    "trust",
    "site",
    "gestation_at_booking_weeks",
    "parity",
    "bmi",
    "smoking_at_booking",
    "smoking_at_delivery",
)

PLUS_FLAG_FIELDS: tuple[str, ...] = (
    "interpreter_needed",
    "homelessness",
    "substance_misuse",
    "asylum_seeker_refugee",
    "learning_disability_autism",
    "gypsy_roma_traveller",
    "sex_worker",
    "justice_contact",
    "domestic_abuse",
    "safeguarding",
    "age_under_20",
)

OUTCOME_FIELDS: tuple[str, ...] = (
    "preterm_birth",
    "stillbirth",
    "neonatal_death",
    "low_birth_weight",
    "pph_1500ml",
    "third_fourth_degree_tear",
    "caesarean",
    "breastfeeding_initiated",
    "continuity_of_carer",
)

CANONICAL_FIELDS: tuple[str, ...] = DEMOGRAPHIC_FIELDS + PLUS_FLAG_FIELDS + OUTCOME_FIELDS

FIELD_LABELS = MappingProxyType(
    {
        "patient_id": "Pseudo-ID",
        "nhs_number": "NHS number",
        "date_of_birth": "Date of birth",
        "age": "Age at booking",
        "booking_date": "Booking date",
        "delivery_date": "Delivery date",
        "postcode": "Postcode",
        "lsoa": "LSOA code",
        "imd_decile": "IMD decile",
        "ethnic_category": "Ethnic category",
        "trust": "Trust",
        "site": "Site",
        "gestation_at_booking_weeks": "Gestation at booking (weeks)",
        "parity": "Parity",
        "bmi": "BMI at booking",
        "smoking_at_booking": "Smoking at booking",
        "smoking_at_delivery": "Smoking at delivery",
        "interpreter_needed": "Interpreter needed",
        "homelessness": "Homelessness",
        "substance_misuse": "Substance misuse",
        "asylum_seeker_refugee": "Asylum seeker or refugee",
        "learning_disability_autism": "Learning disability or autism",
        "gypsy_roma_traveller": "Gypsy, Roma or Traveller",
        "sex_worker": "Sex worker",
        "justice_contact": "Contact with the justice system",
        "domestic_abuse": "Domestic abuse",
        "safeguarding": "Safeguarding concern",
        "age_under_20": "Aged under 20",
        "preterm_birth": "Preterm birth (<37 weeks)",
        "stillbirth": "Stillbirth",
        "neonatal_death": "Neonatal death",
        "low_birth_weight": "Low birth weight (<2,500 g)",
        "pph_1500ml": "PPH of 1,500 ml or more",
        "third_fourth_degree_tear": "3rd or 4th degree tear",
        "caesarean": "Caesarean birth",
        "breastfeeding_initiated": "Breastfeeding initiated",
        "continuity_of_carer": "Continuity of carer pathway",
    }
)

#: Outcomes where a higher rate is better (used for wording findings and SPC colours).
FAVOURABLE_OUTCOMES: frozenset[str] = frozenset({"breastfeeding_initiated", "continuity_of_carer"})

#: National share of the population in the Core20 (IMD deciles 1-2), percent.
NATIONAL_CORE20_PERCENT = 20.0
#: Default continuity-of-carer target, percent (a setting; DOMAIN 3a).
DEFAULT_CONTINUITY_TARGET_PERCENT = 75.0


def ethnic_group(code: str | None) -> str:
    """Return the high-level ethnic group of an NHS ethnic code ("Not known" when unknown)."""
    if code is None:
        return NOT_KNOWN
    return ETHNIC_GROUP_OF_CODE.get(str(code).strip().upper(), NOT_KNOWN)


def imd_quintile(decile: int) -> int:
    """National IMD quintile of a decile (1-2 -> 1, ..., 9-10 -> 5; 1 = most deprived)."""
    if not 1 <= int(decile) <= 10:
        raise ValueError(f"IMD decile must be 1 to 10, not {decile}")
    return (int(decile) + 1) // 2
