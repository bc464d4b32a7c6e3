"""Cohort import: read, find the header, map columns, normalise, derive deprivation, check.

The names below load their modules on first use (PEP 562), so importing this package costs
nothing and :func:`import_cohort` can start reading a workbook before pandas is loaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .deprivation import (
        DeprivationReference,
        DeprivationResult,
        ImdTable,
        PostcodeLookup,
        ReferenceFileError,
        derive_imd,
        import_reference_file,
        load_reference,
    )
    from .header import ExcludedRow, HeaderInfo, detect_header
    from .mapping import (
        MappingProfile,
        Suggestion,
        find_profile,
        layout_signature,
        list_profiles,
        load_profile,
        save_profile,
        suggest_mapping,
    )
    from .normalise import Change, Normalised, Problem
    from .pipeline import CohortImport, PendingImport, SourceInfo, finish_import, start_import
    from .quality import QualityReport, build_quality_report
    from .readers import (
        CohortFileError,
        PasswordRequired,
        RawTable,
        SheetInfo,
        WrongPassword,
        list_sheets,
        read_raw,
    )

_MODULE_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            "DeprivationReference",
            "DeprivationResult",
            "ImdTable",
            "PostcodeLookup",
            "ReferenceFileError",
            "derive_imd",
            "import_reference_file",
            "load_reference",
        ),
        "deprivation",
    ),
    **dict.fromkeys(("ExcludedRow", "HeaderInfo", "detect_header"), "header"),
    **dict.fromkeys(
        (
            "MappingProfile",
            "Suggestion",
            "find_profile",
            "layout_signature",
            "list_profiles",
            "load_profile",
            "save_profile",
            "suggest_mapping",
        ),
        "mapping",
    ),
    **dict.fromkeys(("Change", "Normalised", "Problem"), "normalise"),
    **dict.fromkeys(
        ("CohortImport", "PendingImport", "SourceInfo", "finish_import", "start_import"),
        "pipeline",
    ),
    **dict.fromkeys(("QualityReport", "build_quality_report"), "quality"),
    **dict.fromkeys(
        (
            "CohortFileError",
            "PasswordRequired",
            "RawTable",
            "SheetInfo",
            "WrongPassword",
            "list_sheets",
            "read_raw",
        ),
        "readers",
    ),
}

__all__ = [
    "Change",
    "CohortFileError",
    "CohortImport",
    "DeprivationReference",
    "DeprivationResult",
    "ExcludedRow",
    "HeaderInfo",
    "ImdTable",
    "MappingProfile",
    "Normalised",
    "PasswordRequired",
    "PendingImport",
    "PostcodeLookup",
    "Problem",
    "QualityReport",
    "RawTable",
    "ReferenceFileError",
    "SheetInfo",
    "SourceInfo",
    "Suggestion",
    "WrongPassword",
    "build_quality_report",
    "derive_imd",
    "detect_header",
    "find_profile",
    "finish_import",
    "import_cohort",
    "import_reference_file",
    "layout_signature",
    "list_profiles",
    "list_sheets",
    "load_profile",
    "load_reference",
    "read_raw",
    "save_profile",
    "start_import",
    "suggest_mapping",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def import_cohort(path: str | Path, *, sheet: str | None = None, **options: Any) -> CohortImport:
    """Import a cohort workbook or CSV in one call: :func:`.pipeline.import_cohort`, which
    documents the options, with a plain .xlsx already being read while pandas and the import
    machinery load (about 0.8 s saved on a fresh process such as ``lmns-desktop check``).
    """
    from .xlsx_read import read_ahead

    with read_ahead(path, sheet):
        from .pipeline import import_cohort as run

        return run(path, sheet=sheet, **options)
