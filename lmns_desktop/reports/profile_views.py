"""A cohort profile as display tables and chart specs (Qt-free).

The Cohort tab shows these on screen and the reports print the same, so a number is worked out
in one place: ``core.profiling`` computes, this module only arranges.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from lmns_desktop.core import vocab
from lmns_desktop.core.profiling import Profile
from lmns_desktop.core.profiling.dimensions import dimension_label
from lmns_desktop.reports.content import Chart, ReferenceLine

SHARE = "share"  # the "outcome" choice that shows who is in the cohort
GRADIENT_DIMENSIONS = ("imd_decile", "imd_quintile")


def dimensions(profile: Profile) -> list[tuple[str, str]]:
    """(name, label) of every breakdown the profile has, in the profile's order."""
    return [(name, b.label or dimension_label(name)) for name, b in profile.breakdowns.items()]


def outcomes(profile: Profile) -> list[tuple[str, str]]:
    """(name, label) choices: the cohort's make-up first, then every outcome."""
    return [(SHARE, "Share of the cohort"),
            *[(name, o.label) for name, o in profile.outcomes.items()]]


def _num(value: float, digits: int | None = None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits) if digits is not None else float(value)


def _phrase(label: str) -> str:
    """A label inside a sentence: "Ethnic group" -> "ethnic group", "IMD quintile" unchanged."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def results_table(profile: Profile, dimension: str, outcome: str = SHARE) -> pd.DataFrame:
    """Group, n, %, CI and (for outcomes) ratio with CI, plus a caution column."""
    threshold = profile.options.small_number_threshold
    if outcome == SHARE:
        rows = [
            {"Group": str(g.group), "n": g.count, "%": _num(g.percent, 1), "CI low": _num(g.ci_low, 1),
             "CI high": _num(g.ci_high, 1),
             "Caution": f"fewer than {threshold}: interpret with caution" if g.small else ""}
            for g in profile.breakdowns[dimension].groups
        ]
        return pd.DataFrame(rows, columns=["Group", "n", "%", "CI low", "CI high", "Caution"])
    result = profile.outcomes[outcome]
    rows = []
    for g in result.by_dimension.get(dimension, ()):
        caution = "reference group" if g.is_reference else (g.reason or "")
        if g.small:
            caution = "; ".join(x for x in (caution, f"fewer than {threshold}: interpret with caution") if x)
        rows.append({
            "Group": str(g.group), "Events": g.numerator, "n": g.denominator,
            "Rate %": _num(g.rate, 1), "CI low": _num(g.ci_low, 1), "CI high": _num(g.ci_high, 1),
            "Ratio": _num(g.ratio, 2), "Ratio CI low": _num(g.ratio_ci_low, 2),
            "Ratio CI high": _num(g.ratio_ci_high, 2),
            "Caution": caution,
        })
    return pd.DataFrame(rows, columns=["Group", "Events", "n", "Rate %", "CI low", "CI high", "Ratio",
                                       "Ratio CI low", "Ratio CI high", "Caution"])


def bar_chart(profile: Profile, dimension: str, outcome: str = SHARE) -> Chart:
    """Bars with 95% CI whiskers; reference lines for the national Core20 share and the
    continuity-of-carer target where they apply."""
    table = results_table(profile, dimension, outcome)
    value_col = "%" if outcome == SHARE else "Rate %"
    data = [{"group": r["Group"], "value": r[value_col], "ci_low": r["CI low"], "ci_high": r["CI high"]}
            for _, r in table.iterrows()]
    dim_label = dimension_label(dimension)
    lines: list[ReferenceLine] = []
    if outcome == SHARE and dimension == "core20":
        lines.append(ReferenceLine(vocab.NATIONAL_CORE20_PERCENT, "National Core20 share (20%)"))
    if outcome == "continuity_of_carer":
        target = profile.options.continuity_target_percent
        lines.append(ReferenceLine(target, f"Target ({target:g}%)"))
    title = (f"Share of the cohort by {_phrase(dim_label)}" if outcome == SHARE
             else f"{profile.outcomes[outcome].label} by {_phrase(dim_label)}")
    described = ", ".join(f"{d['group']} {d['value']:.1f}%" for d in data if d["value"] is not None)
    return Chart("bar_ci", title, data, f"{title}: {described}.", y_label="Percent", percent=True,
                 reference_lines=tuple(lines), note=f"Whiskers: {profile.confidence:.0%} confidence intervals.")


def equiplot(profile: Profile, dimension: str) -> Chart | None:
    """One line per outcome, one dot per group (WHO HEAT style)."""
    data = []
    for name, result in profile.outcomes.items():
        for g in result.by_dimension.get(dimension, ()):
            if str(g.group) == vocab.NOT_KNOWN or _num(g.rate) is None:
                continue
            data.append({"outcome": result.label, "group": str(g.group), "value": _num(g.rate),
                         "ci_low": _num(g.ci_low), "ci_high": _num(g.ci_high)})
        del name
    if not data:
        return None
    title = f"Outcomes by {_phrase(dimension_label(dimension))}"
    return Chart("equiplot", title, data, f"{title}: one dot per group for each outcome.",
                 x_label="Rate (%)", percent=True)


def gradient_chart(profile: Profile, outcome: str, dimension: str = "imd_quintile") -> Chart | None:
    """Rates across IMD quantiles (1 = most deprived) with the fitted SII line."""
    if outcome == SHARE or dimension not in GRADIENT_DIMENSIONS or outcome not in profile.outcomes:
        return None
    result = profile.outcomes[outcome]
    shares = {str(g.group): g.count for g in profile.breakdowns[dimension].groups} \
        if dimension in profile.breakdowns else {}
    data = [{"quantile": int(g.group), "value": _num(g.rate), "ci_low": _num(g.ci_low),
             "ci_high": _num(g.ci_high), "population": shares.get(str(g.group))}
            for g in result.by_dimension.get(dimension, ()) if str(g.group).isdigit()]
    if not data:
        return None
    sii = result.sii.get(dimension)
    fit, fit_label = _sii_fit(sii, data)
    label = dimension_label(dimension)
    title = f"{result.label}: gradient across {_phrase(label)}s"
    text = f"{title}. " + (f"SII {sii.value:.1f} percentage points." if sii and _num(sii.value) is not None
                           else (sii.reason if sii and sii.reason else ""))
    return Chart("gradient", title, data, text, x_label=f"{label} (1 = most deprived)",
                 y_label="Rate (%)", percent=True, fit=fit, fit_label=fit_label)


def _sii_fit(sii: Any, data: list[dict[str, Any]]) -> tuple[tuple[float, float] | None, str]:
    """The SII line for the chart: slope = SII, through the population-weighted mean rate."""
    if sii is None or _num(sii.value) is None:
        return None, ""
    rows = [d for d in data if d["value"] is not None and d.get("population")]
    total = sum(d["population"] for d in rows)
    if not total:
        return None, ""
    # Relative ranks (cumulative-share midpoints, most deprived first) and the weighted mean.
    rank, mean, cumulative = 0.0, 0.0, 0.0
    for d in sorted(rows, key=lambda d: d["quantile"]):
        share = d["population"] / total
        rank += share * (cumulative + share / 2)
        mean += share * d["value"]
        cumulative += share
    slope = float(sii.value)
    return (mean - slope * rank, slope), f"SII {slope:+.1f} points"


def crosstab_table(crosstab: Any, percent: str = "row") -> pd.DataFrame:
    """A cross-tab as a display table: counts with row (or column/total) percentages."""
    cells = crosstab.cells
    column = {"row": "row_percent", "column": "column_percent", "total": "total_percent"}[percent]
    shown = cells.assign(
        text=[f"{int(n):,} ({p:.1f}%)" if p == p else f"{int(n):,}"
              for n, p in zip(cells["count"], cells[column])],
        row=cells["row"].astype(str), column=cells["column"].astype(str),
    )
    table = shown.pivot(index="row", columns="column", values="text")
    table = table.reindex(index=[str(g) for g in crosstab.row_groups],
                          columns=[str(g) for g in crosstab.column_groups])
    table.index.name = dimension_label(crosstab.row_dimension)
    return table.reset_index()


#: Columns never offered as filters: identifiers, and dates (they have their own range filter).
NOT_FILTERS = (*vocab.IDENTIFIER_FIELDS, "booking_date", "delivery_date")
MAX_FILTER_VALUES = 60


def filter_choices(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Values for the profile's filter drop-downs: trust, site and every other column with at
    most 60 distinct values (flags shown as Yes/No). Worked out once, off the GUI thread."""
    out: dict[str, list[str]] = {}
    for column in frame.columns:
        if column in NOT_FILTERS:
            continue
        values = frame[column].dropna()
        if values.nunique() > MAX_FILTER_VALUES and column not in ("trust", "site"):
            continue
        labels = {"Yes" if v is True else "No" if v is False else str(v) for v in values.unique()}
        out[str(column)] = sorted(labels)
    return out


def comparison_table(comparison: Any) -> pd.DataFrame:
    """Two cohorts side by side: each group's share in A and B and the difference with its CI."""
    rows = [comparison.core20] if comparison.core20 else []
    rows += list(comparison.groups)
    return pd.DataFrame(
        [{"Dimension": dimension_label(r.dimension), "Group": str(r.group),
          f"% {comparison.label_a}": _num(r.share_a, 1), f"% {comparison.label_b}": _num(r.share_b, 1),
          "Difference (points)": _num(r.difference, 1), "CI low": _num(r.ci_low, 1),
          "CI high": _num(r.ci_high, 1), "Reach": r.direction or "not computable"}
         for r in rows],
    )
