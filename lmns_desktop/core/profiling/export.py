"""The profile as JSON, in the stable shape of DESIGN.md section 5 (keys are added, never renamed).

Contract keys: ``n_rows, n_excluded, fields_mapped, imd_source, core20{count, denominator, percent,
ci_low, ci_high}, breakdowns{dim: [{group, count, percent, ci_low, ci_high}]},
outcomes{outcome: {dim: [{group, numerator, denominator, rate, ci_low, ci_high, ratio,
ratio_ci_low, ratio_ci_high}], sii{dimension, value, ci_low, ci_high}, rii{...}}}``.
Extra keys carry reasons, small-number flags, both SIIs, continuity of carer and notes.
NaN becomes null; everything is plain Python, so ``json.dumps`` works.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from lmns_desktop.core.profiling.dimensions import DEPRIVATION_DIMENSIONS
from lmns_desktop.core.profiling.model import InequalityIndex, OutcomeProfile, Profile

SCHEMA = "lmns-cohort-profile/1"


def clean(value: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, numpy scalars -> Python, tuples -> lists."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item") and not isinstance(value, int | float):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return int(value)
    return str(value)


def _index_json(index: InequalityIndex) -> dict[str, Any]:
    return {
        "dimension": index.dimension,
        "value": index.value,
        "ci_low": index.ci_low,
        "ci_high": index.ci_high,
        "reason": index.reason,
        "notes": list(index.notes),
    }


def _missing_index(dimension: str, reason: str) -> dict[str, Any]:
    return {"dimension": dimension, "value": None, "ci_low": None, "ci_high": None,
            "reason": reason, "notes": []}


def _outcome_json(outcome: OutcomeProfile, primary: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dim, rows in outcome.by_dimension.items():
        out[dim] = [
            {
                "group": r.group,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "rate": r.rate,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "ratio": r.ratio,
                "ratio_ci_low": r.ratio_ci_low,
                "ratio_ci_high": r.ratio_ci_high,
                "small": r.small,
                "is_reference": r.is_reference,
                "reason": r.reason,
            }
            for r in rows
        ]
    # The contract has one "sii"/"rii": the chosen dimension, else the other IMD dimension.
    order = [primary, *(d for d in DEPRIVATION_DIMENSIONS if d != primary)]
    chosen = next((d for d in order if d in outcome.sii), None)
    reason = "Not computable: the cohort has no IMD deprivation data."
    for key, indices in (("sii", outcome.sii), ("rii", outcome.rii)):
        out[key] = (_index_json(indices[chosen]) if chosen is not None
                    else _missing_index(primary, reason))
        out[f"{key}_by_dimension"] = {d: _index_json(v) for d, v in indices.items()}
    out["label"] = outcome.label
    out["overall"] = {
        "numerator": outcome.numerator,
        "denominator": outcome.denominator,
        "rate": outcome.rate,
        "ci_low": outcome.ci_low,
        "ci_high": outcome.ci_high,
    }
    out["reference_groups"] = dict(outcome.reference_groups)
    return out


def profile_to_json(
    profile: Profile,
    *,
    fields_mapped: Mapping[str, str] | None = None,
    imd_source: str | None = None,
) -> dict[str, Any]:
    """The profile as a JSON-ready dict (DESIGN.md section 5 keys first, extras after).

    ``fields_mapped`` (canonical field -> the user's column) and ``imd_source`` (e.g. "IMD
    decile column" or "IoD2025 via LSOA 2021") come from the importer, which knows them.
    """
    core20 = profile.core20
    data: dict[str, Any] = {
        "n_rows": profile.n_rows,
        "n_excluded": profile.n_excluded,
        "fields_mapped": dict(fields_mapped or {}),
        "imd_source": imd_source,
        "core20": {
            "count": core20.count,
            "denominator": core20.denominator,
            "percent": core20.percent,
            "ci_low": core20.ci_low,
            "ci_high": core20.ci_high,
            "national_percent": core20.national_percent,
            "comparison": core20.comparison,
            "reason": core20.reason,
        },
        "breakdowns": {
            dim: [
                {
                    "group": g.group,
                    "count": g.count,
                    "percent": g.percent,
                    "ci_low": g.ci_low,
                    "ci_high": g.ci_high,
                    "small": g.small,
                }
                for g in b.groups
            ]
            for dim, b in profile.breakdowns.items()
        },
        "outcomes": {
            name: _outcome_json(o, profile.options.sii_dimension)
            for name, o in profile.outcomes.items()
        },
        # Extra keys (allowed by the contract).
        "schema": SCHEMA,
        "confidence": profile.options.confidence,
        "small_number_threshold": profile.options.small_number_threshold,
        "excluded_reasons": dict(profile.excluded_reasons),
        "fields_present": list(profile.fields_present),
        "reference_groups": {dim: b.reference for dim, b in profile.breakdowns.items()},
        "breakdown_sources": {dim: b.source for dim, b in profile.breakdowns.items()},
        "continuity": {key: asdict(c) for key, c in profile.continuity.items()},
        "unavailable": dict(profile.unavailable),
        "notes": list(profile.notes),
        "sii_reps": profile.options.sii_reps,
        "deprivation_dimensions": [d for d in DEPRIVATION_DIMENSIONS if d in profile.breakdowns],
    }
    return clean(data)
