"""Display text for table columns, a whole column at a time.

Tables call this once per column and cache the result, so painting a cell is an array lookup.
UK conventions: dates dd/mm/yyyy, thousands separators on large counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def format_column(series: pd.Series) -> np.ndarray:
    """Return an object array of display strings for ``series`` ('' for missing)."""
    values = series
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%d/%m/%Y")
        return text.fillna("").to_numpy(dtype=object)
    if pd.api.types.is_bool_dtype(values):  # nullable booleans: missing means not known
        known = values.notna().to_numpy()
        flags = values.fillna(False).to_numpy(dtype=bool)
        return np.where(known, np.where(flags, "Yes", "No"), "").astype(object)
    if pd.api.types.is_integer_dtype(values):
        out = values.astype("Int64").astype(str).to_numpy(dtype=object)
        out[values.isna().to_numpy()] = ""
        return out
    if pd.api.types.is_float_dtype(values):
        arr = values.to_numpy(dtype=float)
        finite = np.isfinite(arr)
        integral = bool(np.all(np.mod(arr[finite], 1) == 0)) if finite.any() else True
        out = np.full(arr.shape, "", dtype=object)
        if integral:
            out[finite] = arr[finite].astype(np.int64).astype(str)
        else:
            out[finite] = np.char.mod("%.2f", arr[finite])
            out[finite] = [s.rstrip("0").rstrip(".") if "." in s else s for s in out[finite]]
        return out
    if pd.api.types.is_string_dtype(values) and pd.api.types.infer_dtype(values) in ("string", "empty"):
        return values.fillna("").to_numpy(dtype=object)
    # Object columns may mix dates, numbers and text (as spreadsheets do).
    obj = values.to_numpy(dtype=object)
    out = np.empty(len(obj), dtype=object)
    for i, v in enumerate(obj):
        out[i] = _format_scalar(v)
    return out


def _format_scalar(value: object) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def sort_order(series: pd.Series, ascending: bool = True) -> np.ndarray:
    """Row positions that sort ``series`` stably, missing values last, mixed types tolerated."""
    key = series.reset_index(drop=True)
    if key.dtype == object:
        numeric = pd.to_numeric(key, errors="coerce")
        if numeric.notna().sum() == key.notna().sum():
            key = numeric
        else:
            key = key.map(lambda v: v if v is None or isinstance(v, str) else _format_scalar(v))
            key = key.str.casefold()
    elif pd.api.types.is_string_dtype(key):
        key = key.str.casefold()
    ranked = key.sort_values(ascending=ascending, kind="mergesort", na_position="last")
    return ranked.index.to_numpy()
