"""Cohort equity profiling (Qt-free): Core20 share, group breakdowns, outcomes by group with
confidence intervals, risk ratios and SII/RII, filters, cross-tabs, cohort comparison, findings
and register snapshots. Percentages and rates are 0-100 throughout.

Typical use (the GUI prepares once, then re-profiles on every filter change)::

    prepared = prepare_cohort(frame)
    profile = profile_cohort(prepared, mask=CohortFilter(trusts=("...",)).apply(frame))
    data = profile_to_json(profile, fields_mapped=mapping, imd_source="IMD decile column")
"""

from lmns_desktop.core.profiling.compare import CohortComparison, GroupComparison, compare_cohorts
from lmns_desktop.core.profiling.crosstab import CrossTab, cross_tab
from lmns_desktop.core.profiling.demo import canonical_demo_frame, from_demo_export
from lmns_desktop.core.profiling.dimensions import (
    DEFAULT_REFERENCE_GROUPS,
    NOT_KNOWN,
    EncodedDimension,
    PreparedCohort,
    prepare_cohort,
)
from lmns_desktop.core.profiling.engine import profile_cohort
from lmns_desktop.core.profiling.export import profile_to_json
from lmns_desktop.core.profiling.filters import CohortFilter, FilterResult
from lmns_desktop.core.profiling.findings import findings
from lmns_desktop.core.profiling.model import (
    Breakdown,
    ContinuitySummary,
    Core20Summary,
    GroupShare,
    InequalityIndex,
    OutcomeGroup,
    OutcomeProfile,
    Profile,
    ProfileOptions,
)
from lmns_desktop.core.profiling.snapshot import SnapshotTrend, compare_snapshots, profile_snapshot

__all__ = [
    "DEFAULT_REFERENCE_GROUPS",
    "NOT_KNOWN",
    "Breakdown",
    "CohortComparison",
    "CohortFilter",
    "ContinuitySummary",
    "Core20Summary",
    "CrossTab",
    "EncodedDimension",
    "FilterResult",
    "GroupComparison",
    "GroupShare",
    "InequalityIndex",
    "OutcomeGroup",
    "OutcomeProfile",
    "PreparedCohort",
    "Profile",
    "ProfileOptions",
    "SnapshotTrend",
    "canonical_demo_frame",
    "compare_cohorts",
    "compare_snapshots",
    "cross_tab",
    "findings",
    "from_demo_export",
    "prepare_cohort",
    "profile_cohort",
    "profile_snapshot",
    "profile_to_json",
]
