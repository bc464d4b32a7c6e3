"""First, simple cohort loading for the walking skeleton: the first sheet of a workbook or a CSV.

The full importer (header detection, mapping, normalisation) replaces this in ``core.cohort``.
"""

from __future__ import annotations

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


def load_cohort_table(
    path: Path, *, progress: ProgressFn = no_progress, is_cancelled: CancelledFn = never_cancelled
) -> pd.DataFrame:
    """Read the first sheet (or CSV) with the fast calamine reader; identifiers stay text."""
    path = Path(path)
    progress(5, f"Reading {path.name}")
    check_cancelled(is_cancelled)
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        else:
            frame = pd.read_excel(path, sheet_name=0, engine="calamine")
    except FileNotFoundError as exc:
        raise UserError(f"{path.name} was not found. Check the folder and try again.") from exc
    except Exception as exc:
        raise UserError(
            f"{path.name} could not be read as a spreadsheet. Check that it is an Excel, "
            "OpenDocument or CSV file and is not open in another program."
        ) from exc
    check_cancelled(is_cancelled)
    progress(100, f"Read {len(frame):,} rows")
    return frame
