"""The demo cohort in the importer's normalised form, so profiling can be shown and tested alone.

``demo_data.make_cohort`` writes an export with human headers, Y/N text and some free-text ethnic
labels; the importer turns such a sheet into canonical columns. This does the same for the demo
sheet only (it is not a general importer).
"""

from __future__ import annotations

import pandas as pd

from lmns_desktop.core import demo_data, vocab

#: The free-text labels the demo export uses, as NHS ethnic codes.
DEMO_ETHNIC_LABELS = {
    "White British": "A",
    "White - Other": "C",
    "Asian Pakistani": "J",
    "Black African": "N",
    "Indian": "H",
}

_YES_NO = {"Y": True, "N": False}
_BOOLEAN_FIELDS = (
    *vocab.PLUS_FLAG_FIELDS,
    *vocab.OUTCOME_FIELDS,
    "smoking_at_booking",
    "smoking_at_delivery",
)


def from_demo_export(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns and dtypes (boolean flags and outcomes, Int64 decile, NHS codes)."""
    header_to_field = {header: name for name, header in demo_data.COHORT_COLUMNS.items()}
    out = frame.rename(columns=header_to_field).copy()
    for name in _BOOLEAN_FIELDS:
        if name in out.columns:
            out[name] = out[name].map(_YES_NO).astype("boolean")
    if "imd_decile" in out.columns:
        out["imd_decile"] = pd.to_numeric(out["imd_decile"], errors="coerce").astype("Int64")
    if "ethnic_category" in out.columns:
        out["ethnic_category"] = out["ethnic_category"].replace(DEMO_ETHNIC_LABELS).astype("string")
    for name in ("booking_date", "delivery_date", "date_of_birth"):
        if name in out.columns:
            out[name] = pd.to_datetime(out[name])
    if "age" in out.columns:
        out["age"] = pd.to_numeric(out["age"], errors="coerce")
    return out


def canonical_demo_frame(
    rows: int = demo_data.DEFAULT_COHORT_ROWS, seed: int = demo_data.DEFAULT_SEED
) -> pd.DataFrame:
    """A synthetic cohort of ``rows`` rows in canonical form (deterministic for a seed)."""
    return from_demo_export(demo_data.make_cohort(rows, seed))
