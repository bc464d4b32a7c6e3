"""Cross-tabulation of any two dimensions, with row, column and total percentages and CIs.

Counted with one ``np.bincount`` of row group x column group; percentages are 0-100 with Wilson
limits. "Not known" is a row and a column like any other, so nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lmns_desktop.core import stats
from lmns_desktop.core.profiling.dimensions import (
    Group,
    PreparedCohort,
    encode_dimension,
    prepare_cohort,
)
from lmns_desktop.core.profiling.export import clean


@dataclass(frozen=True)
class CrossTab:
    """``counts`` is wide (rows x columns); ``cells`` is long with every percentage and CI."""

    row_dimension: str
    column_dimension: str
    row_groups: tuple[Group, ...]
    column_groups: tuple[Group, ...]
    n: int
    counts: pd.DataFrame
    cells: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        return clean({
            "row_dimension": self.row_dimension,
            "column_dimension": self.column_dimension,
            "n": self.n,
            "cells": self.cells.to_dict(orient="records"),
        })


def cross_tab(
    data: pd.DataFrame | PreparedCohort,
    row_dimension: str,
    column_dimension: str,
    *,
    mask: np.ndarray | None = None,
    confidence: float = 0.95,
) -> CrossTab:
    """Cross-tabulate two dimensions (or any two columns) of a cohort, optionally masked.

    Raises ValueError (with a plain sentence) when the cohort lacks either dimension.
    """
    if isinstance(data, pd.DataFrame):
        extra = [d for d in (row_dimension, column_dimension) if d in data.columns]
        data = prepare_cohort(data, extra_dimensions=extra)
    dims = []
    for name in (row_dimension, column_dimension):
        dim = encode_dimension(data, name)
        if dim is None:
            reason = data.unavailable.get(name, f"The cohort has no {name} data.")
            raise ValueError(f"Cannot cross-tabulate by {name}: {reason}")
        dims.append(dim)
    row_dim, col_dim = dims
    r_codes, c_codes = row_dim.codes, col_dim.codes
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)
        r_codes, c_codes = r_codes[keep], c_codes[keep]
    n_r, n_c = len(row_dim.all_groups), len(col_dim.all_groups)
    table = np.bincount(r_codes.astype(np.intp) * n_c + c_codes, minlength=n_r * n_c)
    table = table.reshape(n_r, n_c)
    n = int(table.sum())
    row_tot = np.broadcast_to(table.sum(axis=1, keepdims=True), table.shape)
    col_tot = np.broadcast_to(table.sum(axis=0, keepdims=True), table.shape)
    cols: dict[str, Any] = {
        "row": np.repeat(np.array(row_dim.all_groups, dtype=object), n_c),
        "column": np.tile(np.array(col_dim.all_groups, dtype=object), n_r),
        "count": table.ravel(),
    }
    for prefix, denominators in (("row", row_tot), ("column", col_tot),
                                 ("total", np.full(table.shape, n))):
        value, low, high = stats.wilson_ci(table, denominators, confidence)
        cols[f"{prefix}_percent"] = np.asarray(value, dtype=float).ravel()
        cols[f"{prefix}_ci_low"] = np.asarray(low, dtype=float).ravel()
        cols[f"{prefix}_ci_high"] = np.asarray(high, dtype=float).ravel()
    counts = pd.DataFrame(table, index=pd.Index(row_dim.all_groups, dtype=object,
                                                name=row_dimension),
                          columns=pd.Index(col_dim.all_groups, dtype=object,
                                           name=column_dimension))
    return CrossTab(row_dimension, column_dimension, row_dim.all_groups, col_dim.all_groups, n,
                    counts, pd.DataFrame(cols))
