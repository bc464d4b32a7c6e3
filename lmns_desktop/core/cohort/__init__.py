"""Cohort import: read, find the header, map columns, normalise, derive deprivation, check."""

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
from .pipeline import (
    CohortImport,
    PendingImport,
    SourceInfo,
    finish_import,
    import_cohort,
    start_import,
)
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
    "PostcodeLookup",
    "PendingImport",
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
    "start_import",
    "read_raw",
    "save_profile",
    "suggest_mapping",
]
