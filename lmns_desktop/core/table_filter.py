"""Vectorised row filters for tables (pandas, no Qt): quick text search across columns."""

from __future__ import annotations

import numpy as np
import pandas as pd


def text_search_mask(frame: pd.DataFrame, text: str) -> np.ndarray:
    """True for rows where any text column contains ``text`` (case-insensitive, literal)."""
    needle = text.strip().casefold()
    mask = np.zeros(len(frame), dtype=bool)
    if not needle:
        return ~mask
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        hits = column.astype("string").str.casefold().str.contains(needle, regex=False)
        mask |= hits.fillna(False).to_numpy(dtype=bool)
    return mask
