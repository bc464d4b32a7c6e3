"""Compare two cohort profiles: is a project reaching the Core20PLUS?

For each dimension and group, the share of each cohort with the difference in percentage points
and its Newcombe interval (``stats.difference_ci``). "More" or "less" is claimed only when the
interval excludes 0. Shares are of all rows, as in the breakdowns; Core20 is of rows with a
known IMD decile, as in the profile.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lmns_desktop.core import stats
from lmns_desktop.core.profiling.dimensions import Group
from lmns_desktop.core.profiling.export import clean
from lmns_desktop.core.profiling.model import Profile
from lmns_desktop.core.profiling.wording import capitalise, pct, points, women

INDEPENDENCE_NOTE = (
    "The intervals treat the two cohorts as independent samples; when one is part of the other "
    "(participants within all bookings) they are a little wider than they need to be."
)


@dataclass(frozen=True)
class GroupComparison:
    """A group's share (percent) in cohort A and B, and A minus B in percentage points."""

    dimension: str
    group: Group
    count_a: int
    n_a: int
    share_a: float
    count_b: int
    n_b: int
    share_b: float
    difference: float
    ci_low: float
    ci_high: float
    direction: str | None  # "more", "less", "similar" or None (not computable)
    statement: str


@dataclass(frozen=True)
class CohortComparison:
    """Every group of every dimension both profiles have, plus the Core20 headline."""

    label_a: str
    label_b: str
    confidence: float
    core20: GroupComparison | None
    groups: tuple[GroupComparison, ...]
    notes: tuple[str, ...]

    def statements(self, *, include_similar: bool = True) -> list[str]:
        """Reach statements, Core20 first; ``include_similar=False`` keeps only differences."""
        rows = ([self.core20] if self.core20 else []) + list(self.groups)
        return [r.statement for r in rows
                if include_similar or r.direction in ("more", "less")]

    def to_json(self) -> dict[str, Any]:
        return clean({
            "label_a": self.label_a,
            "label_b": self.label_b,
            "confidence": self.confidence,
            "core20": asdict(self.core20) if self.core20 else None,
            "groups": [asdict(g) for g in self.groups],
            "notes": list(self.notes),
        })


def _compare(
    dimension: str, group: Group, who: str, x_a: int, n_a: int, x_b: int, n_b: int,
    label_a: str, label_b: str, confidence: float,
) -> GroupComparison:
    share_a = float(stats.wilson_ci(x_a, n_a, confidence).value)
    share_b = float(stats.wilson_ci(x_b, n_b, confidence).value)
    level = f"{confidence * 100:g}%"
    if n_a == 0 or n_b == 0:
        empty = label_a if n_a == 0 else label_b
        return GroupComparison(dimension, group, x_a, n_a, share_a, x_b, n_b, share_b,
                               math.nan, math.nan, math.nan, None,
                               f"{capitalise(who)} cannot be compared: {empty} has no one to "
                               "count.")
    d, lo, hi = (float(v) for v in stats.difference_ci(x_a, n_a, x_b, n_b, confidence))
    head = f"{capitalise(who)} are {pct(share_a)} of {label_a} vs {pct(share_b)} of {label_b}"
    if lo > 0 or hi < 0:
        direction = "more" if d > 0 else "less"
        word = "higher" if d > 0 else "lower"
        statement = (f"{head}: a {word} share ({points(d)} {direction}, {level} CI "
                     f"{abs(lo if d > 0 else hi):.1f} to {abs(hi if d > 0 else lo):.1f}).")
    else:
        direction = "similar"
        statement = (f"{head}: a similar share (the {level} CI of the difference, "
                     f"{lo:+.1f} to {hi:+.1f} percentage points, includes no difference).")
    return GroupComparison(dimension, group, x_a, n_a, share_a, x_b, n_b, share_b,
                           d, lo, hi, direction, statement)


def compare_cohorts(
    profile_a: Profile,
    profile_b: Profile,
    label_a: str = "participants",
    label_b: str = "all bookings",
) -> CohortComparison:
    """Compare group shares of cohort A (e.g. a project's participants) with cohort B."""
    confidence = profile_a.confidence
    notes = [INDEPENDENCE_NOTE]
    if not np.isclose(profile_a.confidence, profile_b.confidence):
        notes.append(f"The profiles use different confidence levels; "
                     f"{confidence * 100:g}% is used here.")
    a, b = profile_a.core20, profile_b.core20
    core20 = None
    if a.reason is None and b.reason is None:
        core20 = _compare("core20", "Core20", "Core20 women", a.count, a.denominator,
                          b.count, b.denominator, label_a, label_b, confidence)
    else:
        notes.append("Core20 shares cannot be compared: "
                     + (a.reason if a.reason is not None else b.reason or "") )
    rows: list[GroupComparison] = []
    for dim, breakdown_a in profile_a.breakdowns.items():
        breakdown_b = profile_b.breakdowns.get(dim)
        if breakdown_b is None:
            notes.append(f"{breakdown_a.label} is only in the {label_a} profile.")
            continue
        counts_b = {g.group: g.count for g in breakdown_b.groups}
        for g in breakdown_a.groups:
            rows.append(_compare(dim, g.group, women(dim, g.group), g.count, profile_a.n_rows,
                                 counts_b.get(g.group, 0), profile_b.n_rows, label_a, label_b,
                                 confidence))
    for dim, breakdown_b in profile_b.breakdowns.items():
        if dim not in profile_a.breakdowns:
            notes.append(f"{breakdown_b.label} is only in the {label_b} profile.")
    return CohortComparison(label_a, label_b, confidence, core20, tuple(rows), tuple(notes))
