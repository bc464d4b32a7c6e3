"""Import a cohort file: read, find the header, map, normalise, derive IMD, check.

:func:`import_cohort` does it all in one call (CLI ``lmns-desktop check``/``profile``). The GUI
can split it: :func:`start_import` reads the file and proposes a mapping, the user reviews it,
then :func:`finish_import` normalises under the confirmed mapping without reading the file
again (the read is most of the time on a big export). Progress is reported in stages;
cancellation is checked at least every 50 ms during the read (the Rust reader runs on a helper
thread) and between fields afterwards, well inside the 0.5 s the GUI promises. Every expected
problem with the file arrives as a :class:`UserError` whose message is one plain sentence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lmns_desktop.core.errors import UserError
from lmns_desktop.core.jobs import (
    CancelledFn,
    ProgressFn,
    check_cancelled,
    never_cancelled,
    no_progress,
)

from .deprivation import DeprivationReference, DeprivationResult, derive_imd
from .header import HeaderInfo, detect_header
from .mapping import (
    AUTO_ACCEPT,
    MappingProfile,
    Suggestion,
    column_samples,
    find_profile,
    load_profile,
    suggest_mapping,
    validate_mapping,
)
from .normalise import Change, Problem, normalise
from .quality import QualityReport, build_quality_report
from .readers import read_raw

log = logging.getLogger(__name__)

MappingArg = Mapping[str, "str | None"] | MappingProfile | str | Path | None


@dataclass(frozen=True)
class SourceInfo:
    """Where the cohort came from (file name only: paths can hold user names)."""

    file: str
    file_format: str
    sheet: str
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None


@dataclass
class CohortImport:
    """An imported cohort: the normalised frame and everything the user should review."""

    frame: pd.DataFrame
    mapping: list[Suggestion]
    header: HeaderInfo
    notes: list[str]
    quality: QualityReport
    source: SourceInfo
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    profile: str | None = None
    imd: DeprivationResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: {source column: up to three example values as read}; held in memory only (identifiers too).
    samples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sheet(self) -> str:
        return self.source.sheet

    @property
    def fields_mapped(self) -> dict[str, str]:
        """{canonical field: source column} of the mapping used."""
        return {s.field: s.column for s in self.mapping if s.field}

    @property
    def column_mapping(self) -> dict[str, str]:
        """{source column: canonical field}, the form mapping profiles store."""
        return {s.column: s.field for s in self.mapping if s.field}

    @property
    def grouping_fields(self) -> list[str]:
        """Unmapped columns, kept as read, available as user-defined grouping fields."""
        return list(self.quality.unmapped_columns)

    @property
    def imd_edition(self) -> str | None:
        return self.imd.edition if self.imd is not None else None


@dataclass
class PendingImport:
    """A file read and its header found, with the mapping proposed: ready for review.

    The GUI shows ``suggestions`` in the mapping dialog, then calls :func:`finish_import` with
    the mapping the user confirmed, without reading the file again.
    """

    table: pd.DataFrame
    header: HeaderInfo
    source: SourceInfo
    suggestions: list[Suggestion]
    profile: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.table.columns]


def _stage(progress: ProgressFn, lo: int, hi: int) -> ProgressFn:
    """A progress sink that maps a sub-task's 0-100 onto lo-hi of the whole import."""

    def sink(percent: int, message: str) -> None:
        progress(lo + (hi - lo) * max(0, min(100, int(percent))) // 100, message)

    return sink


def start_import(
    path: str | Path,
    *,
    sheet: str | None = None,
    password: str | None = None,
    mapping: MappingArg = None,
    profiles_dir: str | Path | None = None,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> PendingImport:
    """Read the file, find the header and propose a mapping (a saved profile if one fits)."""
    path = Path(path)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    raw = read_raw(
        path, sheet, password, progress=_stage(progress, 0, 90), is_cancelled=is_cancelled
    )
    timings["read"] = time.perf_counter() - t
    check_cancelled(is_cancelled)

    t = time.perf_counter()
    progress(92, "Finding the header row")
    table, header = detect_header(raw)
    timings["header"] = time.perf_counter() - t
    check_cancelled(is_cancelled)

    t = time.perf_counter()
    progress(96, "Matching columns to fields")
    columns = [str(c) for c in table.columns]
    suggestions, profile_name, map_notes = _resolve_mapping(mapping, columns, table, profiles_dir)
    timings["map"] = time.perf_counter() - t
    check_cancelled(is_cancelled)
    progress(100, "Columns matched")
    source = SourceInfo(
        path.name, raw.file_format, raw.sheet, raw.sheets, raw.encoding, raw.delimiter
    )
    return PendingImport(
        table,
        header,
        source,
        suggestions,
        profile_name,
        [*raw.notes, *header.notes, *map_notes],
        timings,
        column_samples(table),
    )


def finish_import(
    pending: PendingImport,
    *,
    mapping: MappingArg = None,
    reference: DeprivationReference | None = None,
    imd_edition: str | None = None,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> CohortImport:
    """Normalise under the confirmed mapping (default: the proposed one), derive IMD, check."""
    timings = dict(pending.timings)
    suggestions, profile_name, notes = pending.suggestions, pending.profile, list(pending.notes)
    if mapping is not None:
        suggestions, profile_name, map_notes = _resolve_mapping(
            mapping, pending.columns, pending.table, None
        )
        notes = [n for n in notes if n not in _mapping_notes(pending)] + map_notes
    used = {s.column: s.field for s in suggestions if s.field}

    t = time.perf_counter()
    norm = normalise(
        pending.table, used, progress=_stage(progress, 0, 60), is_cancelled=is_cancelled
    )
    timings["normalise"] = time.perf_counter() - t
    check_cancelled(is_cancelled)

    t = time.perf_counter()
    imd: DeprivationResult | None = None
    if reference is not None and (set(norm.frame.columns) & {"lsoa", "postcode"}):
        progress(62, "Working out IMD deciles")
        lsoa_column = next((s.column for s in suggestions if s.field == "lsoa"), None)
        imd = derive_imd(
            norm.frame,
            reference,
            edition=imd_edition,
            lsoa_column=lsoa_column,
            progress=_stage(progress, 60, 75),
            is_cancelled=is_cancelled,
        )
        norm.frame = imd.frame
    timings["deprivation"] = time.perf_counter() - t
    check_cancelled(is_cancelled)

    t = time.perf_counter()
    progress(80, "Checking data quality")
    source = pending.source
    quality = build_quality_report(
        norm,
        pending.header,
        suggestions,
        source={
            "file": source.file,
            "format": source.file_format,
            "sheet": source.sheet,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
        },
        imd_edition=imd.edition if imd else None,
        vintage_mismatch=imd.vintage_mismatch if imd else False,
        notes=[*notes, *norm.notes, *(imd.notes if imd else [])],
    )
    timings["quality"] = time.perf_counter() - t
    check_cancelled(is_cancelled)
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    progress(100, f"Imported {len(norm.frame):,} rows")
    log.info(
        "import file=%s sheet=%s rows=%d timings=%s",
        source.file,
        source.sheet,
        len(norm.frame),
        {k: round(v, 3) for k, v in timings.items()},
    )
    return CohortImport(
        frame=norm.frame,
        mapping=suggestions,
        header=pending.header,
        notes=quality.notes,
        quality=quality,
        source=source,
        changes=norm.changes,
        problems=norm.problems,
        profile=profile_name,
        imd=imd,
        timings=timings,
        samples=pending.samples,
    )


def import_cohort(
    path: str | Path,
    *,
    sheet: str | None = None,
    password: str | None = None,
    mapping: MappingArg = None,
    profiles_dir: str | Path | None = None,
    reference: DeprivationReference | None = None,
    imd_edition: str | None = None,
    progress: ProgressFn = no_progress,
    is_cancelled: CancelledFn = never_cancelled,
) -> CohortImport:
    """Import a cohort workbook or CSV in one call (:func:`start_import` + :func:`finish_import`).

    ``mapping``: {column: field}, a :class:`MappingProfile`, or the path of a profile JSON; when
    None a saved profile for the same layout in ``profiles_dir`` is applied, else the confident
    suggestions are used. ``reference`` supplies the IoD tables for deriving IMD deciles.
    Progress: read 0-56%, header, mapping, normalise 62-85%, IMD, quality 92-100%.
    Raises :class:`UserError` (one sentence) when the file cannot be used; raises
    :class:`~lmns_desktop.core.jobs.Cancelled` when ``is_cancelled`` returns True.
    """
    pending = start_import(
        path,
        sheet=sheet,
        password=password,
        mapping=mapping,
        profiles_dir=profiles_dir,
        progress=_stage(progress, 0, 62),
        is_cancelled=is_cancelled,
    )
    return finish_import(
        pending,
        reference=reference,
        imd_edition=imd_edition,
        progress=_stage(progress, 62, 100),
        is_cancelled=is_cancelled,
    )


def _mapping_notes(pending: PendingImport) -> set[str]:
    """Notes that came from proposing the mapping (replaced when the user confirms another)."""
    keys = ("saved mapping", "might be", "The mapping names")
    return {n for n in pending.notes if any(k in n for k in keys)}


def _resolve_mapping(
    mapping: MappingArg,
    columns: list[str],
    table: pd.DataFrame,
    profiles_dir: str | Path | None,
) -> tuple[list[Suggestion], str | None, list[str]]:
    """The mapping to use, as one Suggestion per column, plus the profile name and notes."""
    notes: list[str] = []
    profile: MappingProfile | None = None
    if isinstance(mapping, (str, Path)):
        profile = load_profile(mapping)
    elif isinstance(mapping, MappingProfile):
        profile = mapping
    elif mapping is None and profiles_dir is not None:
        profile = find_profile(profiles_dir, columns)
        if profile is not None:
            notes.append(
                f"The saved mapping '{profile.name}' was applied because this file has "
                f"the same columns as before."
            )

    if mapping is not None or profile is not None:
        explicit = validate_mapping(profile.mapping if profile is not None else mapping)  # type: ignore[arg-type]
        by_key = {c.strip().lower(): c for c in columns}
        resolved: dict[str, str] = {}
        missing = []
        for col, fld in explicit.items():
            actual = col if col in columns else by_key.get(col.strip().lower())
            if actual is None:
                missing.append(col)
            else:
                resolved[actual] = fld
        if explicit and not resolved:
            name = f"'{profile.name}'" if profile is not None else "given"
            raise UserError(
                f"The {name} mapping does not fit this file: none of its columns "
                f"({', '.join(repr(c) for c in list(explicit)[:3])}...) are in the file. Choose "
                f"another mapping or map the columns again."
            )
        if missing:
            notes.append(
                f"The mapping names {len(missing)} column{'s' if len(missing) != 1 else ''} not in "
                f"this file ({', '.join(repr(c) for c in missing[:5])}); "
                f"{'it was' if len(missing) == 1 else 'they were'} ignored."
            )
        why = f"chosen in the mapping '{profile.name}'" if profile is not None else "chosen by you"
        out = [
            Suggestion(c, resolved[c], 1.0, why)
            if c in resolved
            else Suggestion(c, None, 0.0, "not mapped; kept as a grouping field")
            for c in columns
        ]
        return out, profile.name if profile is not None else None, notes

    suggestions = suggest_mapping(columns, table.head(200))
    out = []
    for s in suggestions:
        if s.field and s.confidence < AUTO_ACCEPT:
            notes.append(
                f"Column '{s.column}' might be {s.field.replace('_', ' ')} ({s.confidence:.0%} "
                f"sure) but was not used; confirm it in the column mapping."
            )
            out.append(Suggestion(s.column, None, s.confidence, s.reason, s.alternatives))
        else:
            out.append(s)
    return out, None, notes
