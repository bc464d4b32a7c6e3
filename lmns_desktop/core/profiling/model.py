"""The plain dataclasses a cohort profile is made of (no pandas objects, no row-level data).

Units: every percent and rate is 0-100. Numbers that cannot be computed are NaN and carry a
``reason`` sentence saying why; ``profile_to_json`` turns NaN into null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lmns_desktop.core import stats, vocab
from lmns_desktop.core.profiling.dimensions import (
    DEFAULT_REFERENCE_GROUPS,
    IMD_QUINTILE,
    Group,
)

#: Default number of simulations for SII/RII limits. The PHE tool uses 100,000; 20,000 (seeded,
#: so results repeat) keeps a whole profile of 200,000 rows under 0.3 s and moves the limits by
#: well under a tenth of their width. Reports can ask for more.
DEFAULT_SII_REPS = 20_000


@dataclass(frozen=True)
class ProfileOptions:
    """What to profile and how.

    ``reference_groups`` overrides the defaults per dimension (least deprived decile/quintile,
    White British "A", "White", "No" for PLUS flags, "Not Core20"). ``outcomes``/``dimensions``
    of None mean every one present. ``extra_dimensions`` adds other columns (trust, site, a
    user's own column) as breakdowns; their default reference is their largest group.
    ``sii_dimension`` is the SII reported under the JSON key ``"sii"``.
    """

    confidence: float = 0.95
    reference_groups: Mapping[str, Group] = field(default_factory=dict)
    small_number_threshold: int = 10
    continuity_target_percent: float = vocab.DEFAULT_CONTINUITY_TARGET_PERCENT
    outcomes: tuple[str, ...] | None = None
    dimensions: tuple[str, ...] | None = None
    extra_dimensions: tuple[str, ...] = ()
    sii_reps: int = DEFAULT_SII_REPS
    sii_seed: int = stats.DEFAULT_SEED
    sii_dimension: str = IMD_QUINTILE

    def __post_init__(self) -> None:
        stats.z_value(self.confidence)  # raises a plain ValueError for a bad level
        if self.small_number_threshold < 0:
            raise ValueError("The small-number threshold must not be negative.")
        if not 0 <= self.continuity_target_percent <= 100:
            raise ValueError("The continuity-of-carer target is a percentage from 0 to 100.")

    def reference_for(self, dimension: str) -> Group | None:
        """The chosen reference group of a dimension, or None (then the largest group is used)."""
        if dimension in self.reference_groups:
            return self.reference_groups[dimension]
        return DEFAULT_REFERENCE_GROUPS.get(dimension)


@dataclass(frozen=True)
class GroupShare:
    """One group of a breakdown: count, percent of all profiled rows with Wilson limits."""

    group: Group
    count: int
    percent: float
    ci_low: float
    ci_high: float
    small: bool


@dataclass(frozen=True)
class Breakdown:
    """A dimension's groups (known groups in order, then "Not known")."""

    dimension: str
    label: str
    source: str
    reference: Group | None
    groups: tuple[GroupShare, ...]

    def group(self, group: Group) -> GroupShare:
        """The row of ``group`` (KeyError if the dimension has no such group)."""
        for row in self.groups:
            if row.group == group:
                return row
        raise KeyError(group)


@dataclass(frozen=True)
class OutcomeGroup:
    """An outcome in one group: rate with Wilson limits and risk ratio against the reference.

    ``denominator`` counts the group's rows whose outcome is known (yes or no). ``reason`` says
    why the ratio (or rate) is missing; the reference group has ratio 1 and no limits.
    """

    group: Group
    numerator: int
    denominator: int
    rate: float
    ci_low: float
    ci_high: float
    ratio: float
    ratio_ci_low: float
    ratio_ci_high: float
    small: bool
    is_reference: bool
    reason: str | None


@dataclass(frozen=True)
class InequalityIndex:
    """SII (percentage points, least minus most deprived end) or RII across IMD quantiles."""

    dimension: str
    value: float
    ci_low: float
    ci_high: float
    reason: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutcomeProfile:
    """One outcome: overall rate, rates and ratios per dimension, SII/RII per IMD dimension."""

    outcome: str
    label: str
    numerator: int
    denominator: int
    rate: float
    ci_low: float
    ci_high: float
    by_dimension: Mapping[str, tuple[OutcomeGroup, ...]]
    reference_groups: Mapping[str, Group | None]
    sii: Mapping[str, InequalityIndex]
    rii: Mapping[str, InequalityIndex]

    def group(self, dimension: str, group: Group) -> OutcomeGroup:
        """The row for ``group`` of ``dimension`` (KeyError if absent)."""
        for row in self.by_dimension[dimension]:
            if row.group == group:
                return row
        raise KeyError((dimension, group))


@dataclass(frozen=True)
class Core20Summary:
    """Core20 share of rows with a known IMD decile, against the national 20%.

    ``comparison`` is "higher", "lower" or "similar" (the CI includes the national share).
    """

    count: int
    denominator: int
    percent: float
    ci_low: float
    ci_high: float
    national_percent: float = vocab.NATIONAL_CORE20_PERCENT
    comparison: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ContinuitySummary:
    """Share on a continuity-of-carer pathway in a group, against the target (percent)."""

    group: str
    numerator: int
    denominator: int
    rate: float
    ci_low: float
    ci_high: float
    target_percent: float
    status: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Profile:
    """A whole cohort profile: aggregates only, safe to keep, compare and print.

    ``n_rows`` is the profiled (filtered) cohort; ``n_excluded`` the rows left out, with
    ``excluded_reasons`` (reason -> rows). ``unavailable`` maps dimensions the cohort cannot
    give to the reason; ``notes`` are data-quality remarks worth showing to the user.
    """

    n_rows: int
    n_excluded: int
    excluded_reasons: Mapping[str, int]
    fields_present: tuple[str, ...]
    other_columns: tuple[str, ...]
    options: ProfileOptions
    core20: Core20Summary
    breakdowns: Mapping[str, Breakdown]
    outcomes: Mapping[str, OutcomeProfile]
    continuity: Mapping[str, ContinuitySummary]
    unavailable: Mapping[str, str]
    notes: tuple[str, ...]

    @property
    def confidence(self) -> float:
        return self.options.confidence
