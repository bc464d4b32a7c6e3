"""Plain-English names for groups and numbers, shared by findings and cohort comparisons.

Numbers: percentages to whole numbers in sentences (one decimal below 10%), ratios to one
decimal (two when one decimal would blur a limit into 1.0), percentage points to one decimal.
"""

from __future__ import annotations

import math

from lmns_desktop.core import vocab
from lmns_desktop.core.profiling.dimensions import (
    CORE20,
    CORE20_BLACK_ASIAN,
    ETHNIC_CATEGORY,
    ETHNIC_GROUP,
    FOCUS_GROUP,
    IMD_DECILE,
    IMD_QUINTILE,
    NOT_KNOWN,
    Group,
    lower_label,
)

_ETHNIC_GROUP_WOMEN = {
    "White": "White women",
    "Mixed": "women of Mixed ethnicity",
    "Asian or Asian British": "Asian or Asian British women",
    "Black or Black British": "Black or Black British women",
    "Other ethnic group": "women of other ethnic groups",
}
_NOT_KNOWN_WHAT = {
    CORE20: "Core20 status",
    FOCUS_GROUP: "focus-group membership",
    CORE20_BLACK_ASIAN: "Core20 status or ethnicity",
}
_INTERSECTION_WOMEN = {
    "Core20 and Black or Asian": "Core20 women who are Black or Asian",
    "Core20, not Black or Asian": "Core20 women who are not Black or Asian",
    "Not Core20, Black or Asian": "Black or Asian women outside the Core20",
    "Not Core20, not Black or Asian": "women neither in the Core20 nor Black or Asian",
}


def women(dimension: str, group: Group) -> str:
    """Who a group is, as a noun phrase: "Core20 women", "women in IMD quintile 3", ..."""
    if group == NOT_KNOWN:
        what = _NOT_KNOWN_WHAT.get(dimension) or lower_label(dimension)
        return f"women whose {what} is not known"
    if dimension in (IMD_DECILE, IMD_QUINTILE):
        unit = "decile" if dimension == IMD_DECILE else "quintile"
        last = 10 if dimension == IMD_DECILE else 5
        if group == 1:
            return f"women in the most deprived {unit}"
        if group == last:
            return f"women in the least deprived {unit}"
        return f"women in IMD {unit} {group}"
    if dimension == CORE20:
        return "Core20 women" if group == "Core20" else "women outside the Core20"
    if dimension == ETHNIC_GROUP:
        return _ETHNIC_GROUP_WOMEN.get(str(group), f"women in the {group} group")
    if dimension == ETHNIC_CATEGORY:
        return f"women recorded as {vocab.ETHNIC_CATEGORIES.get(str(group), str(group))}"
    if dimension == CORE20_BLACK_ASIAN:
        return _INTERSECTION_WOMEN.get(str(group), str(group))
    if dimension == FOCUS_GROUP:
        return ("women in the Core20PLUS5 maternity focus group" if group == "Yes"
                else "women outside the focus group")
    if dimension in vocab.PLUS_FLAG_FIELDS:
        label = vocab.FIELD_LABELS[dimension]
        return f"women flagged '{label}'" if group == "Yes" else f"women not flagged '{label}'"
    return f"women with {lower_label(dimension)} {group}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def pct(value: float) -> str:
    """A percentage for a sentence: "31%", "4.2%", "0.4%"."""
    if not math.isfinite(value):
        return "not known"
    if abs(value) < 10 and round(value) != value:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def ratio_text(value: float, low: float, high: float) -> str:
    """ "1.6× (1.3–2.0)"; more decimals when one would show a limit as 1.0 or hide a gap."""
    for places in (1, 2, 3):
        shown = [f"{v:.{places}f}" for v in (value, low, high)]
        if "1." + "0" * places not in shown[1:] and len(set(shown)) == 3:
            break
    return f"{shown[0]}× ({shown[1]}–{shown[2]})"


def points(value: float) -> str:
    """Percentage points with one decimal, always positive (direction is said in words)."""
    return f"{abs(value):.1f} percentage point{'' if round(abs(value), 1) == 1 else 's'}"
