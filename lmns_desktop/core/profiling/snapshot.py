"""Profile snapshots for the register: small, disclosure-controlled aggregates kept over time.

A snapshot is what a project stores in an "Audit or QI data" evidence row: the cohort's size,
Core20 share, group shares, outcome rates and inequality indices, with statistical disclosure
control applied (counts 1-7 hidden, others rounded to 5, percentages from the rounded numbers).
It holds no row-level data and no identifiers. Ratios and confidence limits are dropped wherever
a count behind them is hidden, so they cannot be used to recover it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import vocab
from lmns_desktop.core.disclosure import SuppressionRule, apply_to_table, round_counts
from lmns_desktop.core.profiling.dimensions import (
    CORE20,
    CORE20_BLACK_ASIAN,
    ETHNIC_GROUP,
    FOCUS_GROUP,
    IMD_QUINTILE,
)
from lmns_desktop.core.profiling.export import clean
from lmns_desktop.core.profiling.model import Profile

SNAPSHOT_SCHEMA = "lmns-profile-snapshot/1"
EVIDENCE_TYPE = "Audit or QI data"
#: Breakdowns kept in a snapshot (PLUS flags present are added); deciles and single ethnic codes
#: are left out: they are mostly suppressed at project scale and make the row long.
SNAPSHOT_DIMENSIONS: tuple[str, ...] = (
    IMD_QUINTILE, CORE20, ETHNIC_GROUP, CORE20_BLACK_ASIAN, FOCUS_GROUP
)
#: Dimensions whose outcome rates a snapshot keeps.
SNAPSHOT_OUTCOME_DIMENSIONS: tuple[str, ...] = (IMD_QUINTILE, CORE20, ETHNIC_GROUP, FOCUS_GROUP)


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _disclosed_count(value: int, rule: SuppressionRule) -> int | str:
    rounded, hidden = round_counts([value], rule)
    return rule.symbol if hidden[0] else int(rounded[0])


def _hidden(value: int, rule: SuppressionRule) -> bool:
    return bool(round_counts([value], rule)[1][0])


def _rows(records: list[dict[str, Any]], count_cols: list[str],
          pct_pairs: dict[str, tuple[str, str]], rule: SuppressionRule) -> list[dict[str, Any]]:
    if not records:
        return []
    frame = pd.DataFrame.from_records(records)
    shown = apply_to_table(frame, count_cols, pct_pairs, rule).frame
    return [{k: v for k, v in row.items() if not k.startswith("_")}
            for row in shown.to_dict(orient="records")]


def profile_snapshot(
    profile: Profile,
    *,
    cohort_name: str,
    date_range: tuple[Any, Any] | None,
    mapping: Mapping[str, str],
    iod_edition: str | None,
    rule: SuppressionRule | None = None,
    created_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """A disclosure-controlled summary of ``profile`` as a JSON-ready dict.

    Only the field names of ``mapping`` (canonical field -> the user's column) are kept: the
    register needs to know what was profiled, not the export's headers. ``date_range`` is
    (from, to), dates or ISO strings, either may be None.
    """
    rule = rule or SuppressionRule()
    created = (created_at or dt.datetime.now()).replace(microsecond=0)
    start, end = date_range if date_range is not None else (None, None)
    n = profile.n_rows

    breakdowns: dict[str, list[dict[str, Any]]] = {}
    dims = [d for d in (*SNAPSHOT_DIMENSIONS, *vocab.PLUS_FLAG_FIELDS) if d in profile.breakdowns]
    for dim in dims:
        records = [{"group": g.group, "count": g.count, "_n": n, "percent": None}
                   for g in profile.breakdowns[dim].groups]
        breakdowns[dim] = _rows(records, ["count"], {"percent": ("count", "_n")}, rule)

    c = profile.core20
    core20: dict[str, Any] = {"reason": c.reason}
    if c.reason is None:
        core20.update(_rows([{"count": c.count, "denominator": c.denominator, "percent": None}],
                            ["count", "denominator"], {"percent": ("count", "denominator")},
                            rule)[0])
        hide = _hidden(c.count, rule) or _hidden(c.denominator, rule)
        core20["national_percent"] = c.national_percent
        core20["comparison"] = None if hide else c.comparison

    outcomes: dict[str, Any] = {}
    for name, o in profile.outcomes.items():
        overall = _rows([{"numerator": o.numerator, "denominator": o.denominator, "rate": None}],
                        ["numerator", "denominator"], {"rate": ("numerator", "denominator")},
                        rule)[0]
        entry: dict[str, Any] = {"label": o.label, "overall": overall}
        for dim in SNAPSHOT_OUTCOME_DIMENSIONS:
            rows = o.by_dimension.get(dim)
            if rows is None:
                continue
            ref = next((r for r in rows if r.is_reference), None)
            ref_hidden = ref is None or _hidden(ref.numerator, rule) or _hidden(ref.denominator,
                                                                               rule)
            records = []
            for r in rows:
                hidden = ref_hidden or _hidden(r.numerator, rule) or _hidden(r.denominator, rule)
                ok = not hidden and r.reason is None and not r.is_reference
                records.append({
                    "group": r.group, "numerator": r.numerator, "denominator": r.denominator,
                    "rate": None,
                    "ratio": r.ratio if ok else (1.0 if r.is_reference and not hidden
                                                 else rule.symbol if hidden else None),
                    "ratio_ci_low": r.ratio_ci_low if ok else None,
                    "ratio_ci_high": r.ratio_ci_high if ok else None,
                    "is_reference": r.is_reference,
                })
            entry[dim] = _rows(records, ["numerator", "denominator"],
                               {"rate": ("numerator", "denominator")}, rule)
        for key, indices in (("sii", o.sii), ("rii", o.rii)):
            entry[key] = {d: {"value": i.value, "ci_low": i.ci_low, "ci_high": i.ci_high,
                              "reason": i.reason} for d, i in indices.items()}
        outcomes[name] = entry

    continuity = {}
    for key, cc in profile.continuity.items():
        if cc.reason is not None:
            continuity[key] = {"group": cc.group, "reason": cc.reason}
            continue
        row = _rows([{"numerator": cc.numerator, "denominator": cc.denominator, "rate": None}],
                    ["numerator", "denominator"], {"rate": ("numerator", "denominator")}, rule)[0]
        hide = _hidden(cc.numerator, rule) or _hidden(cc.denominator, rule)
        continuity[key] = {"group": cc.group, **row, "target_percent": cc.target_percent,
                           "status": None if hide else cc.status}

    shown_n = _disclosed_count(n, rule)
    snapshot = {
        "schema": SNAPSHOT_SCHEMA,
        "evidence_type": EVIDENCE_TYPE,
        "cohort_name": str(cohort_name),
        "created_at": created.isoformat(),
        "date_from": _iso(start),
        "date_to": _iso(end),
        "iod_edition": iod_edition,
        "fields_mapped": sorted(str(f) for f in mapping),
        "confidence": profile.confidence,
        "disclosure": {"applied": True, "lower": rule.lower, "upper": rule.upper,
                       "base": rule.base, "symbol": rule.symbol, "note": rule.note},
        "n_rows": shown_n,
        "core20": core20,
        "breakdowns": breakdowns,
        "outcomes": outcomes,
        "continuity": continuity,
    }
    snapshot["summary"] = _summary(snapshot)
    return clean(snapshot)


def _summary(snapshot: Mapping[str, Any]) -> str:
    """One line for the evidence row's summary column (disclosure-controlled numbers only)."""
    period = ""
    if snapshot["date_from"] or snapshot["date_to"]:
        period = f" ({snapshot['date_from'] or '…'} to {snapshot['date_to'] or '…'})"
    parts = [f"Cohort profile of {snapshot['cohort_name']}{period}: {snapshot['n_rows']} women"]
    core20 = snapshot["core20"]
    if "percent" in core20:
        parts.append(f"Core20 {core20['percent']}%")
    focus = snapshot["breakdowns"].get(FOCUS_GROUP)
    if focus:
        parts.append(f"focus group {focus[0]['percent']}%")
    coc = snapshot["continuity"].get("focus_group", {})
    if "rate" in coc:
        parts.append(f"continuity of carer in focus group {coc['rate']}%")
    return "; ".join(parts) + ". " + snapshot["disclosure"]["note"]


@dataclass(frozen=True)
class SnapshotTrend:
    """Snapshots side by side, oldest first: one row per snapshot, one column per measure.

    Suppressed values are blank (NaN); ``notes`` say what makes snapshots hard to compare.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return np.nan
    return float(value)


def compare_snapshots(snapshots: Sequence[Mapping[str, Any]]) -> SnapshotTrend:
    """Line up a project's snapshots over time (by period start, then creation time)."""
    notes: list[str] = []
    ordered = sorted(snapshots, key=lambda s: (s.get("date_from") or "", s.get("created_at") or ""))
    records = []
    suppressed = False
    for snap in ordered:
        values: dict[str, Any] = {
            "n_rows": snap.get("n_rows"),
            "core20_percent": snap.get("core20", {}).get("percent"),
        }
        for dim, groups in snap.get("breakdowns", {}).items():
            for g in groups:
                values[f"{dim}: {g['group']} percent"] = g.get("percent")
        for name, o in snap.get("outcomes", {}).items():
            values[f"{name} rate"] = o.get("overall", {}).get("rate")
            for dim, index in o.get("sii", {}).items():
                values[f"{name} SII ({dim})"] = index.get("value")
        for key, c in snap.get("continuity", {}).items():
            values[f"continuity_of_carer {key} rate"] = c.get("rate")
        suppressed = suppressed or any(isinstance(v, str) for v in values.values())
        records.append({
            "cohort_name": snap.get("cohort_name"),
            "date_from": snap.get("date_from"),
            "date_to": snap.get("date_to"),
            "created_at": snap.get("created_at"),
            "iod_edition": snap.get("iod_edition"),
            **{k: _number(v) for k, v in values.items()},
        })
    table = pd.DataFrame.from_records(records)
    editions = {s.get("iod_edition") for s in ordered if s.get("iod_edition")}
    if len(editions) > 1:
        notes.append("The snapshots use different IoD editions (" + ", ".join(sorted(editions))
                     + "): deprivation figures are not directly comparable.")
    rules = {(s.get("disclosure", {}).get("upper"), s.get("disclosure", {}).get("base"))
             for s in ordered}
    if len(rules) > 1:
        notes.append("The snapshots used different disclosure rules.")
    if suppressed:
        notes.append("Suppressed values (small numbers) are left blank.")
    return SnapshotTrend(table, tuple(notes))


#: Excel holds at most 32,767 characters in a cell; keep well inside it.
CELL_LIMIT = 30_000


def snapshot_text(snapshot: Mapping[str, Any], limit: int = CELL_LIMIT) -> str:
    """The snapshot for one register cell: its summary sentence, then its JSON.

    Detail is dropped, least important first (per-group outcome rates, then breakdowns), until
    it fits one Excel cell; a note in the JSON says what was left out.
    """
    import json

    trimmed = dict(snapshot)
    dropped: list[str] = []
    for key in ("outcomes", "breakdowns"):
        text = json.dumps(trimmed, separators=(",", ":"), default=str)
        if len(text) + len(str(snapshot.get("summary", ""))) < limit:
            break
        trimmed.pop(key, None)
        dropped.append(key)
    if dropped:
        trimmed["left_out"] = dropped
    body = json.dumps(trimmed, separators=(",", ":"), default=str)
    return f"{snapshot.get('summary', '')}\n{body}"[:limit]


def snapshot_from_text(text: object) -> dict[str, Any] | None:
    """The snapshot stored in a register cell by :func:`snapshot_text`, or None if it has none."""
    import json

    if not isinstance(text, str) or "\n{" not in text:
        return None
    try:
        data = json.loads(text[text.index("\n{") + 1:])
    except ValueError:
        return None
    return data if isinstance(data, dict) and str(data.get("schema", "")).startswith(
        "lmns-profile-snapshot") else None


def snapshots_in(summaries: Sequence[object]) -> list[dict[str, Any]]:
    """Every profile snapshot found in a project's evidence summaries."""
    return [s for s in (snapshot_from_text(t) for t in summaries) if s is not None]
