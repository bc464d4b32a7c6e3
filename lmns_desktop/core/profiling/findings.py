"""Short, cautious plain-English findings from a profile, for the board pack and the screen.

A difference is stated only where its confidence interval excludes "no difference" (a ratio of
1, an SII of 0); small groups and few events are said aloud. The Core20 share is always stated
against the national 20%, and continuity of carer against its target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lmns_desktop.core import vocab
from lmns_desktop.core.profiling.dimensions import (
    ETHNIC_GROUP,
    FOCUS_GROUP,
    IMD_QUINTILE,
)
from lmns_desktop.core.profiling.model import OutcomeGroup, Profile
from lmns_desktop.core.profiling.wording import capitalise, pct, points, ratio_text, women

#: Dimensions findings look at, in order (PLUS flags follow). Deciles and single ethnic codes are
#: left to the tables: they split the cohort too finely for headline statements.
#: The Core20 x Black or Asian intersection is left to the tables too: it repeats the focus group.
FINDING_DIMENSIONS: tuple[str, ...] = (IMD_QUINTILE, ETHNIC_GROUP, FOCUS_GROUP)


def _caveat(row: OutcomeGroup, threshold: int) -> str:
    if row.denominator < threshold:
        return f" (a small group: {row.denominator} women with a known outcome)"
    if row.numerator < threshold:
        return f" (based on only {row.numerator} events)"
    return ""


def core20_finding(profile: Profile) -> str:
    """The Core20 share against the national 20% (always given, or why it cannot be)."""
    c = profile.core20
    national = f"{c.national_percent:g}%"
    if c.reason is not None or not math.isfinite(c.percent):
        return f"The Core20 share cannot be worked out: {c.reason or 'no data'}"
    level = f"{profile.confidence * 100:g}%"
    share = (f"Core20 women (IMD deciles 1–2) are {pct(c.percent)} ({level} CI "
             f"{c.ci_low:.1f}–{c.ci_high:.1f}%) of the {c.denominator:,} women with a known IMD "
             "decile")
    if c.comparison == "higher":
        return f"{share}, more than the national {national}."
    if c.comparison == "lower":
        return f"{share}, fewer than the national {national}."
    return f"{share}, similar to the national {national}."


def continuity_findings(profile: Profile) -> list[str]:
    """Continuity-of-carer shares against the target, where they can be computed."""
    out = []
    for key, c in profile.continuity.items():
        if c.reason is not None:
            continue
        who = "of all women" if key == "overall" else "of the Core20PLUS5 maternity focus group"
        out.append(f"{pct(c.rate)} ({c.ci_low:.1f}–{c.ci_high:.1f}%) {who} are on a "
                   f"continuity-of-carer pathway: {c.status} of {c.target_percent:g}%.")
    return out


def findings(profile: Profile, *, dimensions: Sequence[str] | None = None) -> list[str]:
    """Plain-English statements: Core20 share, continuity, then outcome differences.

    ``dimensions`` defaults to IMD quintile (most deprived only; the SII covers the gradient),
    ethnic group, the Core20PLUS5 focus group and the PLUS flags.
    """
    out = [core20_finding(profile), *continuity_findings(profile)]
    threshold = profile.options.small_number_threshold
    wanted = dimensions if dimensions is not None else (*FINDING_DIMENSIONS,
                                                        *vocab.PLUS_FLAG_FIELDS)
    dims = [d for d in wanted if d in profile.breakdowns]
    level = f"{profile.confidence * 100:g}%"
    for outcome in profile.outcomes.values():
        sii = outcome.sii.get(profile.options.sii_dimension)
        if sii is not None and sii.reason is None and (sii.ci_low > 0 or sii.ci_high < 0):
            unit = "deciles" if sii.dimension == "imd_decile" else "quintiles"
            end, other = (("most", "least") if sii.value < 0 else ("least", "most"))
            low, high = sorted((abs(sii.ci_low), abs(sii.ci_high)))
            out.append(
                f"Across IMD {unit}, {outcome.label.lower()} is {points(sii.value)} "
                f"({level} CI {low:.1f} to {high:.1f}) higher at the "
                f"{end} deprived end than at the {other} deprived end (slope index of "
                "inequality)."
            )
        for dim in dims:
            rows = outcome.by_dimension.get(dim, ())
            ref = next((r for r in rows if r.is_reference), None)
            if ref is None:
                continue
            for row in rows:
                if row.reason is not None or row.is_reference or not math.isfinite(row.ratio):
                    continue
                if dim == IMD_QUINTILE and row.group != 1:
                    continue  # the gradient is the SII's job; headline the most deprived only
                if row.ratio_ci_low <= 1 <= row.ratio_ci_high:
                    continue
                ratio = ratio_text(row.ratio, row.ratio_ci_low, row.ratio_ci_high)
                out.append(
                    f"{outcome.label} is {ratio} as common among {women(dim, row.group)} as among "
                    f"{women(dim, ref.group)}{_caveat(row, threshold)}."
                )
    return [capitalise(s) for s in out]
