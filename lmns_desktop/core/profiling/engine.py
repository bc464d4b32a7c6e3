"""The cohort equity profile: who is in the cohort and how outcomes differ between groups.

All counting is vectorised. Outcome values (not known / no / yes for up to nine outcomes) are
packed into one "pattern" number per row, so each dimension needs a single ``np.bincount`` of
group x pattern, and a small matrix product turns pattern counts into numerators and denominators
for every outcome at once. Statistics come from :mod:`lmns_desktop.core.stats` only.

Denominators (DESIGN.md section 5): a breakdown's percent is of all profiled rows; Core20's
denominator is the rows with a known IMD decile; an outcome's denominator in a group is that
group's rows whose outcome is known. "Not known" groups are reported but never compared.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import stats, vocab
from lmns_desktop.core.jobs import (
    CancelledFn,
    ProgressFn,
    check_cancelled,
    never_cancelled,
    no_progress,
)
from lmns_desktop.core.profiling.dimensions import (
    CORE20,
    CORE_DIMENSIONS,
    DEPRIVATION_DIMENSIONS,
    FOCUS_GROUP,
    EncodedDimension,
    Group,
    PreparedCohort,
    prepare_cohort,
)
from lmns_desktop.core.profiling.filters import FilterResult
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

CONTINUITY = "continuity_of_carer"
NAN = float("nan")

REASON_NOT_KNOWN = "'Not known' groups are reported but not compared."
REASON_NOT_STATED = "Not stated or not known ethnicity is reported but not compared."
REASON_EMPTY = "No one in this group has a known outcome."


# --- counting ---------------------------------------------------------------------------------


class _Patterns:
    """Rows' outcome states packed into pattern ids, with each pattern's yes/known indicators."""

    def __init__(self, states: list[np.ndarray], n: int) -> None:
        n_out = len(states)
        if n_out == 0:
            self.ids = np.zeros(n, dtype=np.intp)
            self.count = 1
            self.yes = np.zeros((1, 0))
            self.known = np.zeros((1, 0))
            return
        code = np.zeros(n, dtype=np.int64)
        for j, s in enumerate(states):
            code += s.astype(np.int64) * 3**j
        # One bin per possible pattern: 3**9 = 19,683 for the nine canonical outcomes.
        used = np.bincount(code, minlength=3**n_out) > 0
        patterns = np.flatnonzero(used)
        self.ids = (np.cumsum(used) - 1)[code].astype(np.intp)
        self.count = max(len(patterns), 1)
        digits = (patterns[:, None] // (3 ** np.arange(n_out))[None, :]) % 3
        if len(patterns) == 0:
            digits = np.zeros((1, n_out), dtype=np.int64)
        self.yes = (digits == 2).astype(float)
        self.known = (digits > 0).astype(float)

    def by_group(self, codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, ...]:
        """(rows, yes, known) per group: shapes (G,), (G, outcomes), (G, outcomes)."""
        key = codes.astype(np.intp) * self.count + self.ids
        cells = np.bincount(key, minlength=n_groups * self.count).reshape(n_groups, self.count)
        rows = cells.sum(axis=1)
        weights = cells.astype(float)
        yes = np.rint(weights @ self.yes).astype(np.int64)
        known = np.rint(weights @ self.known).astype(np.int64)
        return rows, yes, known


# --- helpers ----------------------------------------------------------------------------------


def _f(value: Any) -> float:
    return float(value)


def _find_group(groups: tuple[Group, ...], wanted: Group | None) -> int | None:
    """Index of ``wanted`` among ``groups`` (matching "10" to 10 and ignoring case), or None."""
    if wanted is None:
        return None
    key = str(wanted).strip().casefold()
    for i, group in enumerate(groups):
        if str(group).casefold() == key:
            return i
    if key in (label.casefold() for label in vocab.ETHNIC_CATEGORIES.values()):
        code = next(c for c, lab in vocab.ETHNIC_CATEGORIES.items() if lab.casefold() == key)
        return _find_group(groups, code)
    return None


def _compare_to(ci_low: float, ci_high: float, target: float) -> str | None:
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return None
    if ci_low > target:
        return "higher"
    if ci_high < target:
        return "lower"
    return "similar"


def _resolve_mask(
    mask: np.ndarray | pd.Series | FilterResult | None, n: int
) -> tuple[np.ndarray | None, dict[str, int]]:
    if mask is None:
        return None, {}
    if isinstance(mask, FilterResult):
        reasons = dict(mask.excluded)
        mask = mask.mask
    else:
        reasons = {}
    if isinstance(mask, pd.Series):
        arr = mask.to_numpy(dtype=bool, na_value=False)
    else:
        arr = np.asarray(mask, dtype=bool)
    if arr.shape != (n,):
        raise ValueError(f"The filter mask has {arr.size} values for a cohort of {n} rows.")
    dropped = int(n - np.count_nonzero(arr))
    if dropped and not reasons:
        reasons = {"outside the filter": dropped}
    return arr, reasons


# --- the profile ------------------------------------------------------------------------------


def profile_cohort(
    data: pd.DataFrame | PreparedCohort,
    *,
    options: ProfileOptions | None = None,
    mask: np.ndarray | pd.Series | FilterResult | None = None,
    excluded_reasons: Mapping[str, int] | None = None,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> Profile:
    """Profile a normalised cohort (canonical columns), optionally only the rows in ``mask``.

    ``data`` is the importer's frame or a :class:`PreparedCohort` of it (prepare once and pass a
    new mask after each filter change: recomputing is then several times faster).
    ``excluded_reasons`` adds rows dropped before profiling (e.g. on import) to ``n_excluded``.
    Bad or missing data never raises: what cannot be computed carries a reason.
    """
    options = options or ProfileOptions()
    progress(0, "Preparing the cohort")
    if isinstance(data, PreparedCohort):
        prepared = data
        missing_extra = [d for d in options.extra_dimensions if d not in prepared.dimensions]
        if missing_extra:
            raise ValueError(
                "Prepare the cohort with extra_dimensions="
                f"{tuple(options.extra_dimensions)!r} to profile by {', '.join(missing_extra)}."
            )
    else:
        prepared = prepare_cohort(data, extra_dimensions=options.extra_dimensions)
    check_cancelled(is_cancelled)

    keep, reasons = _resolve_mask(mask, prepared.n_rows)
    for reason, count in (excluded_reasons or {}).items():
        reasons[reason] = reasons.get(reason, 0) + int(count)
    n_excluded = int(sum(reasons.values()))
    notes: list[str] = list(prepared.notes)
    unavailable: dict[str, str] = dict(prepared.unavailable)

    def rows_of(codes: np.ndarray) -> np.ndarray:
        return codes if keep is None else codes[keep]

    # Which outcomes and dimensions.
    if options.outcomes is None:
        outcome_names = [o for o in vocab.OUTCOME_FIELDS if o in prepared.outcomes]
    else:
        outcome_names = []
        for name in options.outcomes:
            if name in prepared.outcomes:
                outcome_names.append(name)
            else:
                label = vocab.FIELD_LABELS.get(name, name)
                unavailable[name] = f"The cohort has no {label} column."
    if options.dimensions is None:
        wanted_dims = [*CORE_DIMENSIONS, *vocab.PLUS_FLAG_FIELDS, *options.extra_dimensions]
        dim_names = [d for d in wanted_dims if d in prepared.dimensions]
    else:
        dim_names = []
        for name in (*options.dimensions, *options.extra_dimensions):
            if name in prepared.dimensions and name not in dim_names:
                dim_names.append(name)
            elif name not in prepared.dimensions:
                unavailable.setdefault(name, f"The cohort has no {name} data.")
    if not outcome_names:
        notes.append("No outcome columns to profile, so no outcome rates were computed.")

    n_rows = prepared.n_rows if keep is None else int(np.count_nonzero(keep))
    if n_rows == 0:
        notes.append("No rows to profile: every count is 0 and no rate can be computed.")
    patterns = _Patterns([rows_of(prepared.outcomes[o]) for o in outcome_names], n_rows)
    threshold = options.small_number_threshold
    level = options.confidence

    # Overall outcome totals.
    pattern_rows = np.bincount(patterns.ids, minlength=patterns.count).astype(float)
    total_yes = np.rint(pattern_rows @ patterns.yes).astype(np.int64)
    total_known = np.rint(pattern_rows @ patterns.known).astype(np.int64)
    overall = stats.wilson_ci(total_yes, total_known, level)

    breakdowns: dict[str, Breakdown] = {}
    tables: dict[str, tuple[EncodedDimension, int | None, np.ndarray, np.ndarray, np.ndarray]] = {}
    rate_tables: dict[str, tuple[np.ndarray, ...]] = {}
    # Core20 and the focus group are needed for summaries even when not chosen as breakdowns.
    count_dims = list(dim_names) + [d for d in (CORE20, FOCUS_GROUP)
                                    if d in prepared.dimensions and d not in dim_names]
    for i, name in enumerate(count_dims):
        check_cancelled(is_cancelled)
        progress(5 + 40 * i // max(len(count_dims), 1), f"Counting by {name}")
        dim = prepared.dimensions[name]
        rows, yes, known = patterns.by_group(rows_of(dim.codes), len(dim.all_groups))
        ref_index = _reference_index(dim, options, rows, notes)
        tables[name] = (dim, ref_index, rows, yes, known)
        if name in dim_names:
            breakdowns[name] = _breakdown(dim, ref_index, rows, n_rows, level, threshold)
            rate_tables[name] = _rate_tables(ref_index, yes, known, level)

    core20 = _core20_summary(tables.get(CORE20), level, unavailable)

    outcomes: dict[str, OutcomeProfile] = {}
    for j, outcome in enumerate(outcome_names):
        check_cancelled(is_cancelled)
        progress(45 + 50 * j // max(len(outcome_names), 1),
                 f"Outcomes: {vocab.FIELD_LABELS[outcome]}")
        by_dim: dict[str, tuple[OutcomeGroup, ...]] = {}
        references: dict[str, Group | None] = {}
        sii: dict[str, InequalityIndex] = {}
        rii: dict[str, InequalityIndex] = {}
        for name in dim_names:
            dim, ref_index, _rows, yes, known = tables[name]
            columns = tuple(t[:, j] for t in rate_tables[name])
            by_dim[name] = _outcome_rows(dim, ref_index, yes[:, j], known[:, j], columns, threshold)
            references[name] = None if ref_index is None else dim.groups[ref_index]
            if name in DEPRIVATION_DIMENSIONS:
                sii[name], rii[name] = _inequality(dim, yes[:, j], known[:, j], options)
        outcomes[outcome] = OutcomeProfile(
            outcome=outcome,
            label=vocab.FIELD_LABELS[outcome],
            numerator=int(total_yes[j]),
            denominator=int(total_known[j]),
            rate=_f(np.asarray(overall.value)[j]),
            ci_low=_f(np.asarray(overall.lower)[j]),
            ci_high=_f(np.asarray(overall.upper)[j]),
            by_dimension=by_dim,
            reference_groups=references,
            sii=sii,
            rii=rii,
        )

    continuity = _continuity(outcome_names, total_yes, total_known, tables.get(FOCUS_GROUP),
                             options)
    progress(100, "Profile ready")
    return Profile(
        n_rows=n_rows,
        n_excluded=n_excluded,
        excluded_reasons=reasons,
        fields_present=prepared.fields_present,
        other_columns=prepared.other_columns,
        options=options,
        core20=core20,
        breakdowns=breakdowns,
        outcomes=outcomes,
        continuity=continuity,
        unavailable=unavailable,
        notes=tuple(notes),
    )


def _reference_index(
    dim: EncodedDimension, options: ProfileOptions, rows: np.ndarray, notes: list[str]
) -> int | None:
    wanted = options.reference_for(dim.name)
    if wanted is None:
        known = rows[: dim.not_known_code]
        if known.size == 0 or known.max() == 0:
            return None
        index = int(np.argmax(known))
        notes.append(f"{dim.label}: ratios compare each group with the largest group "
                     f"({dim.groups[index]}).")
        return index
    index = _find_group(dim.groups, wanted)
    if index is not None and dim.groups[index] in dim.uncompared:
        index = None
    if index is None:
        notes.append(f"{dim.label}: the reference group {wanted!r} is not one of its groups, so "
                     "no ratios were computed.")
    return index


def _breakdown(
    dim: EncodedDimension,
    ref_index: int | None,
    rows: np.ndarray,
    n_rows: int,
    level: float,
    threshold: int,
) -> Breakdown:
    ci = stats.wilson_ci(rows, np.full(rows.shape, n_rows), level)
    pct, lo, hi = (np.asarray(v, dtype=float) for v in ci)
    groups = tuple(
        GroupShare(group, int(rows[i]), _f(pct[i]), _f(lo[i]), _f(hi[i]),
                   bool(0 < rows[i] < threshold))
        for i, group in enumerate(dim.all_groups)
    )
    reference = None if ref_index is None else dim.groups[ref_index]
    return Breakdown(dim.name, dim.label, dim.source, reference, groups)


def _ratio_reasons(
    dim: EncodedDimension,
    ref_index: int | None,
    yes: np.ndarray,
    known: np.ndarray,
) -> list[str | None]:
    k = len(dim.all_groups)
    reasons: list[str | None] = [None] * k
    nk = dim.not_known_code
    if ref_index is None:
        ref_problem = "No reference group, so no ratio."
    elif known[ref_index] == 0:
        ref_problem = (f"The reference group ({dim.groups[ref_index]}) has no one with a known "
                       "outcome, so no ratio.")
    elif yes[ref_index] == 0:
        ref_problem = (f"Not computable: no events in the reference group "
                       f"({dim.groups[ref_index]}); a ratio to zero has no interval.")
    else:
        ref_problem = None
    for i, group in enumerate(dim.all_groups):
        if i == nk:
            reasons[i] = REASON_NOT_KNOWN
        elif group in dim.uncompared:
            reasons[i] = REASON_NOT_STATED
        elif known[i] == 0:
            reasons[i] = REASON_EMPTY
        elif i == ref_index:
            reasons[i] = None
        elif ref_problem is not None:
            reasons[i] = ref_problem
        elif yes[i] == 0:
            reasons[i] = ("Not computable: no events in this group; a ratio from zero has no "
                          "interval.")
    return reasons


def _rate_tables(
    ref_index: int | None, yes: np.ndarray, known: np.ndarray, level: float
) -> tuple[np.ndarray, ...]:
    """Rates, limits and risk ratios for every group x outcome of a dimension in one go."""
    rate, lo, hi = (np.asarray(v, dtype=float) for v in stats.wilson_ci(yes, known, level))
    if ref_index is not None and yes.size:
        rr = stats.risk_ratio(yes, known, yes[ref_index], known[ref_index], level)
        ratio, r_lo, r_hi = (np.asarray(v, dtype=float) for v in rr[:3])
    else:
        ratio = r_lo = r_hi = np.full(yes.shape, NAN)
    return rate, lo, hi, ratio, r_lo, r_hi


def _outcome_rows(
    dim: EncodedDimension,
    ref_index: int | None,
    yes: np.ndarray,
    known: np.ndarray,
    tables: tuple[np.ndarray, ...],
    threshold: int,
) -> tuple[OutcomeGroup, ...]:
    rate, lo, hi, ratio, r_lo, r_hi = tables
    reasons = _ratio_reasons(dim, ref_index, yes, known)
    out = []
    for i, group in enumerate(dim.all_groups):
        is_ref = i == ref_index
        computed = reasons[i] is None and not is_ref
        out.append(
            OutcomeGroup(
                group=group,
                numerator=int(yes[i]),
                denominator=int(known[i]),
                rate=_f(rate[i]),
                ci_low=_f(lo[i]),
                ci_high=_f(hi[i]),
                ratio=1.0 if is_ref and known[i] > 0 else (_f(ratio[i]) if computed else NAN),
                ratio_ci_low=_f(r_lo[i]) if computed else NAN,
                ratio_ci_high=_f(r_hi[i]) if computed else NAN,
                small=bool(known[i] < threshold),
                is_reference=is_ref,
                reason=reasons[i],
            )
        )
    return tuple(out)


def _inequality(
    dim: EncodedDimension, yes: np.ndarray, known: np.ndarray, options: ProfileOptions
) -> tuple[InequalityIndex, InequalityIndex]:
    """SII (percentage points) and RII across the known IMD quantiles; never raises."""
    groups = np.asarray(dim.groups, dtype=float)
    x = yes[: dim.not_known_code]
    n = known[: dim.not_known_code]
    empty = [str(g) for g, d in zip(dim.groups, n, strict=True) if d == 0]
    reason = None
    unit = "decile" if dim.name == "imd_decile" else "quintile"
    if empty:
        which = ", ".join(empty)
        reason = (f"Not computable: IMD {unit}{'s' if len(empty) > 1 else ''} {which} "
                  f"{'have' if len(empty) > 1 else 'has'} no one with a known outcome; the "
                  f"SII needs every {unit}.")
    elif x.sum() == 0:
        reason = "Not computable: there are no events in any IMD group."
    if reason is None:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res = stats.sii_from_counts(
                    groups, x, n, multiplier=100, confidence=(options.confidence,),
                    reps=options.sii_reps, seed=options.sii_seed,
                )
        except (ValueError, np.linalg.LinAlgError) as exc:
            reason = f"Not computable: {exc}"
        else:
            s_lo, s_hi = res.sii_ci()
            r_lo, r_hi = res.rii_ci()
            return (
                InequalityIndex(dim.name, res.sii, s_lo, s_hi, None, res.notes),
                InequalityIndex(dim.name, res.rii, r_lo, r_hi, None, res.notes),
            )
    return (InequalityIndex(dim.name, NAN, NAN, NAN, reason),
            InequalityIndex(dim.name, NAN, NAN, NAN, reason))


def _core20_summary(
    table: tuple[EncodedDimension, int | None, np.ndarray, np.ndarray, np.ndarray] | None,
    level: float,
    unavailable: Mapping[str, str],
) -> Core20Summary:
    if table is None:
        reason = unavailable.get(CORE20, "The cohort has no deprivation data.")
        return Core20Summary(0, 0, NAN, NAN, NAN, reason=f"Not computable: {reason}")
    rows = table[2]
    count, denominator = int(rows[0]), int(rows[0] + rows[1])
    if denominator == 0:
        return Core20Summary(count, 0, NAN, NAN, NAN,
                             reason="Not computable: no row has a known IMD decile.")
    pct, lo, hi = (float(v) for v in stats.wilson_ci(count, denominator, level))
    comparison = _compare_to(lo, hi, vocab.NATIONAL_CORE20_PERCENT)
    return Core20Summary(count, denominator, pct, lo, hi, comparison=comparison)


def _continuity(
    outcome_names: list[str],
    total_yes: np.ndarray,
    total_known: np.ndarray,
    focus: tuple[EncodedDimension, int | None, np.ndarray, np.ndarray, np.ndarray] | None,
    options: ProfileOptions,
) -> dict[str, ContinuitySummary]:
    target = options.continuity_target_percent
    labels = {"overall": "All women", "focus_group": "Core20PLUS5 maternity focus group"}
    if CONTINUITY not in outcome_names:
        reason = "Not computable: the cohort has no continuity-of-carer column."
        return {key: ContinuitySummary(label, 0, 0, NAN, NAN, NAN, target, reason=reason)
                for key, label in labels.items()}
    j = outcome_names.index(CONTINUITY)
    counts = {"overall": (int(total_yes[j]), int(total_known[j]))}
    if focus is not None:
        counts["focus_group"] = (int(focus[3][0, j]), int(focus[4][0, j]))
    out: dict[str, ContinuitySummary] = {}
    for key, label in labels.items():
        if key not in counts:
            out[key] = ContinuitySummary(
                label, 0, 0, NAN, NAN, NAN, target,
                reason="Not computable: the cohort has no deprivation or ethnicity data.")
            continue
        num, den = counts[key]
        if den == 0:
            out[key] = ContinuitySummary(label, num, den, NAN, NAN, NAN, target,
                                         reason="Not computable: no one with a known value.")
            continue
        pct, lo, hi = (float(v) for v in stats.wilson_ci(num, den, options.confidence))
        status = {"higher": "above target", "lower": "below target",
                  "similar": "not clearly different from the target"}[
            _compare_to(lo, hi, target) or "similar"]
        out[key] = ContinuitySummary(label, num, den, pct, lo, hi, target, status)
    return out
