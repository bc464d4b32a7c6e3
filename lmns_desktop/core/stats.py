"""Confidence intervals and inequality measures, as used in English public-health reporting.

Every function is vectorised (numbers or arrays in, numbers or arrays out) and follows the methods
of the OHID/UKHSA Fingertips tools (R package PHEindicatormethods), so the app's figures agree with
the ones NHS boards already see. Oracles for the methods live in ``../shared/oracles``.

Conventions
-----------
* ``confidence`` is a fraction (0.95, 0.998, ...); any level strictly between 0 and 1 is allowed.
* Proportions come back per ``multiplier`` (100 gives percent, 0-100); rates per ``multiplier``
  people (e.g. 1,000 births).
* Missing inputs (NaN/None) give NaN outputs instead of errors, so a table with a blank row still
  computes; impossible inputs (negative counts, numerator above denominator) raise ``ValueError``.
* Scalars in give floats out; arrays in give numpy arrays out.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np

from lmns_desktop.core.special import expit, gammaincinv, logit, ndtri, stdtrit

FloatOrArray = float | np.ndarray
ValueType = Literal["other", "rate", "proportion"]

#: Seed for the SII simulation: a fixed default makes the same data give the same CI every time,
#: so a report printed twice shows the same numbers.
DEFAULT_SEED = 20_240_601

#: The z value upstream always uses to turn 95% limits into a standard error for the SII.
_Z95 = float(ndtri(0.975))

__all__ = [
    "CI",
    "DEFAULT_SEED",
    "MeanCI",
    "DSRResult",
    "RatioCI",
    "SIIResult",
    "byars_count_ci",
    "difference_ci",
    "dsr_ci",
    "mean_ci",
    "poisson_count_ci",
    "rate_ci",
    "rate_ratio",
    "risk_ratio",
    "sii_from_counts",
    "sii_rii",
    "wilson_ci",
    "z_value",
]


class CI(NamedTuple):
    """A point estimate with its lower and upper confidence limits."""

    value: FloatOrArray
    lower: FloatOrArray
    upper: FloatOrArray


class RatioCI(NamedTuple):
    """A ratio with its confidence limits.

    ``zero_count`` is True where a count was 0: the ratio and its limits are then NaN and should
    be shown as "not computable" (a ratio to or from zero has no finite log-scale interval).
    """

    ratio: FloatOrArray
    lower: FloatOrArray
    upper: FloatOrArray
    zero_count: bool | np.ndarray


class MeanCI(NamedTuple):
    """A mean with its Student-t confidence limits, the number of values and their SD."""

    value: float
    lower: float
    upper: float
    n: int
    sd: float


class DSRResult(NamedTuple):
    """A directly standardised rate (per multiplier) with Dobson limits and the totals used."""

    value: float
    lower: float
    upper: float
    total_count: float
    total_pop: float


# --------------------------------------------------------------------------------------------
# helpers


def _check_confidence(confidence: float) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ValueError("The confidence level must be a number such as 0.95.") from None
    if not 0.0 < level < 1.0:
        raise ValueError(
            f"The confidence level must be a fraction between 0 and 1 (for example 0.95), "
            f"not {confidence!r}."
        )
    return level


def _as_float(values: Any) -> np.ndarray:
    """Numbers as a float array, with None/NA/NaN as NaN (pandas extension types included)."""
    if hasattr(values, "to_numpy"):
        try:
            return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        except (TypeError, ValueError):
            values = values.to_numpy(dtype=object)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        import pandas as pd  # only for odd inputs such as lists holding pd.NA

        obj = np.asarray(values, dtype=object)
        flat = [np.nan if pd.isna(v) else float(v) for v in obj.ravel()]
        return np.asarray(flat, dtype=float).reshape(obj.shape)


def _out(arr: np.ndarray) -> FloatOrArray:
    """Plain float for a scalar result, the array otherwise."""
    arr = np.asarray(arr)
    return float(arr) if arr.ndim == 0 else arr


def _reject(bad: np.ndarray, message: str) -> None:
    if np.any(bad):
        raise ValueError(message)


# --------------------------------------------------------------------------------------------
# single proportions, counts and rates


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95, 3.0902 for 0.998)."""
    level = _check_confidence(confidence)
    return float(ndtri(1.0 - (1.0 - level) / 2.0))


def wilson_ci(
    numerator: Any, denominator: Any, confidence: float = 0.95, multiplier: float = 100
) -> CI:
    """Proportion with Wilson score limits (no continuity correction), per ``multiplier``.

    Why Wilson: it is the OHID/PHE standard for proportions and stays inside 0-100% even when the
    numerator is 0 or equals the denominator. A denominator of 0 or a missing input gives NaN.
    Fractional numerators are allowed (as upstream's ``wilson_lower``).
    """
    z = z_value(confidence)
    x, n = np.broadcast_arrays(_as_float(numerator), _as_float(denominator))
    _reject(x < 0, "Numerators must not be negative.")
    _reject(n < 0, "Denominators must not be negative.")
    _reject(x > n, "A numerator is larger than its denominator, so it cannot be a proportion.")
    valid = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        root = z * np.sqrt(z * z + 4.0 * x * (1.0 - p))
        denom = 2.0 * (n + z * z)
        lower = (2.0 * x + z * z - root) / denom
        upper = (2.0 * x + z * z + root) / denom
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip(upper, 0.0, 1.0))
    nan = np.nan
    return CI(
        _out(np.where(valid, p * multiplier, nan)),
        _out(np.where(valid, lower * multiplier, nan)),
        _out(np.where(valid, upper * multiplier, nan)),
    )


def byars_count_ci(observed: Any, confidence: float = 0.95) -> CI:
    """Byar's approximate Poisson limits for a count (no denominator).

    The lower limit is NaN where Byar's formula goes negative or is undefined (very small counts
    at high confidence, and 0), as upstream; use :func:`poisson_count_ci` for small counts.
    """
    z = z_value(confidence)
    x = _as_float(observed)
    _reject(x < 0, "Counts must not be negative.")
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))) ** 3
        x1 = x + 1.0
        upper = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))) ** 3
    lower = np.where(lower < 0, np.nan, lower)
    return CI(_out(x), _out(lower), _out(upper))


def _exact_poisson_limits(counts: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits chi2.ppf(alpha/2, 2x)/2 and chi2.ppf(1 - alpha/2, 2x + 2)/2 per count x."""
    k = counts.size
    # chi2.ppf(q, 2x) / 2 == gammaincinv(x, q); lower and upper limits in one call
    limits = gammaincinv(
        np.concatenate([np.where(counts > 0, counts, 1.0), counts + 1.0]),
        np.concatenate([np.full(k, alpha / 2.0), np.full(k, 1.0 - alpha / 2.0)]),
    )
    return np.where(counts > 0, limits[:k], 0.0), limits[k:]


@functools.lru_cache(maxsize=16)
def _exact_poisson_table(alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits for the whole counts 0-9, the usual case: worked out once per level."""
    lower, upper = _exact_poisson_limits(np.arange(10.0), alpha)
    lower.setflags(write=False)
    upper.setflags(write=False)
    return lower, upper


def poisson_count_ci(observed: Any, confidence: float = 0.95) -> CI:
    """Limits for a Poisson count: exact (chi-squared) below 10 events, Byar's from 10 up.

    This is the PHE convention for rates: Byar's approximation is poor for small counts.
    """
    level = _check_confidence(confidence)
    alpha = 1.0 - level
    x = _as_float(observed)
    _reject(x < 0, "Counts must not be negative.")
    byars = byars_count_ci(x, level)
    lower = np.array(byars.lower, dtype=float)
    upper = np.array(byars.upper, dtype=float)
    small = x < 10  # False for NaN, which keeps Byar's NaN
    if np.any(small):
        counts = x[small]
        table_lower, table_upper = _exact_poisson_table(alpha)
        whole = counts == np.floor(counts)
        index = np.where(whole, counts, 0.0).astype(int)
        exact_lower, exact_upper = table_lower[index], table_upper[index]
        if not whole.all():  # fractional counts (allowed, as upstream): once per distinct value
            values, where = np.unique(counts[~whole], return_inverse=True)
            value_lower, value_upper = _exact_poisson_limits(values, alpha)
            exact_lower[~whole] = value_lower[where]
            exact_upper[~whole] = value_upper[where]
        lower[small] = exact_lower
        upper[small] = exact_upper
    return CI(_out(x), _out(lower), _out(upper))


def rate_ci(
    observed: Any, denominator: Any, confidence: float = 0.95, multiplier: float = 1000
) -> CI:
    """Crude rate per ``multiplier`` with exact (x < 10) or Byar's limits, as ``phe_rate``.

    The numerator may exceed the denominator (events per person-time). A denominator of 0 or a
    missing input gives NaN.
    """
    x, n = np.broadcast_arrays(_as_float(observed), _as_float(denominator))
    _reject(n < 0, "Denominators must not be negative.")
    counts = poisson_count_ci(x, confidence)
    valid = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(valid, multiplier / np.where(valid, n, 1.0), np.nan)
    return CI(
        _out(x * scale),
        _out(np.asarray(counts.lower) * scale),
        _out(np.asarray(counts.upper) * scale),
    )


# --------------------------------------------------------------------------------------------
# comparisons of two groups


def _ratio_ci(
    a: np.ndarray, n1: np.ndarray, b: np.ndarray, n0: np.ndarray, var: np.ndarray, z: float
) -> RatioCI:
    zero = (a == 0) | (b == 0)
    ok = ~zero & (n1 > 0) & (n0 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (a / n1) / (b / n0)
        half = z * np.sqrt(var)
        lower = np.exp(np.log(ratio) - half)
        upper = np.exp(np.log(ratio) + half)
    return RatioCI(
        _out(np.where(ok, ratio, np.nan)),
        _out(np.where(ok, lower, np.nan)),
        _out(np.where(ok, upper, np.nan)),
        bool(zero) if zero.ndim == 0 else zero,
    )


def risk_ratio(a: Any, n1: Any, b: Any, n0: Any, confidence: float = 0.95) -> RatioCI:
    """Ratio of two proportions (a/n1) / (b/n0) with the Katz log-method interval.

    SE(ln RR) = sqrt(1/a - 1/n1 + 1/b - 1/n0). Group 0 (``b``, ``n0``) is the reference group.
    When either count is 0 the ratio is not computable: NaN, with ``zero_count`` True.
    """
    z = z_value(confidence)
    a, n1, b, n0 = np.broadcast_arrays(_as_float(a), _as_float(n1), _as_float(b), _as_float(n0))
    _reject((a < 0) | (b < 0) | (n1 < 0) | (n0 < 0), "Counts must not be negative.")
    _reject((a > n1) | (b > n0), "A numerator is larger than its denominator.")
    with np.errstate(invalid="ignore", divide="ignore"):
        var = 1.0 / a - 1.0 / n1 + 1.0 / b - 1.0 / n0
    return _ratio_ci(a, n1, b, n0, np.maximum(var, 0.0), z)


def rate_ratio(a: Any, n1: Any, b: Any, n0: Any, confidence: float = 0.95) -> RatioCI:
    """Ratio of two rates (a/n1) / (b/n0) with the log-method interval on the counts.

    SE(ln RR) = sqrt(1/a + 1/b): the denominators (births, person-time) are treated as fixed.
    When either count is 0 the ratio is not computable: NaN, with ``zero_count`` True.
    """
    z = z_value(confidence)
    a, n1, b, n0 = np.broadcast_arrays(_as_float(a), _as_float(n1), _as_float(b), _as_float(n0))
    _reject((a < 0) | (b < 0) | (n1 < 0) | (n0 < 0), "Counts must not be negative.")
    with np.errstate(invalid="ignore", divide="ignore"):
        var = 1.0 / a + 1.0 / b
    return _ratio_ci(a, n1, b, n0, var, z)


def difference_ci(
    x1: Any, n1: Any, x2: Any, n2: Any, confidence: float = 0.95, multiplier: float = 100
) -> CI:
    """Difference of two proportions p1 - p2 with Newcombe's hybrid Wilson score interval.

    Newcombe (1998) method 10: it combines the two Wilson intervals, so it behaves well near 0%
    and 100% where the simple Wald interval fails. Returned in percentage points by default.
    """
    p1, l1, u1 = (np.asarray(v) for v in wilson_ci(x1, n1, confidence, multiplier=1))
    p2, l2, u2 = (np.asarray(v) for v in wilson_ci(x2, n2, confidence, multiplier=1))
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return CI(_out(d * multiplier), _out(lower * multiplier), _out(upper * multiplier))


# --------------------------------------------------------------------------------------------
# means and standardised rates


def mean_ci(values: Any, confidence: float = 0.95) -> MeanCI:
    """Mean with a Student-t interval (sd with n-1), as ``phe_mean``; missing values are dropped.

    Fewer than two values give NaN limits (there is no spread to estimate).
    """
    level = _check_confidence(confidence)
    x = _as_float(values).ravel()
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return MeanCI(np.nan, np.nan, np.nan, 0, np.nan)
    mean = float(x.mean())
    if n < 2:
        return MeanCI(mean, np.nan, np.nan, n, np.nan)
    sd = float(x.std(ddof=1))
    half = float(stdtrit(n - 1, 1.0 - (1.0 - level) / 2.0)) * sd / np.sqrt(n)
    return MeanCI(mean, float(mean - half), float(mean + half), n, sd)


def dsr_ci(
    counts: Any,
    populations: Any,
    standard_populations: Any,
    confidence: float = 0.95,
    multiplier: float = 100_000,
    *,
    persons_by_frequency: Mapping[float, Any] | None = None,
) -> DSRResult:
    """Directly standardised rate with Dobson et al. (1991) limits, as ``calculate_dsr``.

    One value per age band in each argument. Missing counts count as 0. The rate is NaN when the
    total count is below 10, where the method is unreliable (the Fingertips rule).

    Events are assumed independent unless ``persons_by_frequency`` is given: a mapping from an
    event frequency f (1, 2, 3, ...) to the number of people per age band who had f events (e.g.
    several admissions each). The variance then uses f squared times those people, which widens
    the interval as upstream's ``independent_events = FALSE``; missing numbers count as 0.
    """
    z_value(confidence)  # validates
    count = np.nan_to_num(_as_float(counts).ravel(), nan=0.0)
    pop = _as_float(populations).ravel()
    std = _as_float(standard_populations).ravel()
    if not count.size == pop.size == std.size:
        raise ValueError("Counts, populations and standard populations need one value per band.")
    _reject(count < 0, "Counts must not be negative.")
    _reject(~(pop > 0), "Every age band needs a population above zero.")
    _reject(~(std >= 0), "Standard populations must not be negative or missing.")
    total = float(count.sum())
    total_pop = float(pop.sum())
    if total < 10:
        return DSRResult(np.nan, np.nan, np.nan, total, total_pop)
    w = std / (pop * std.sum())
    dsr = float(np.sum(w * count))
    if persons_by_frequency is None:
        var = float(np.sum(w * w * count))
    else:
        weighted = np.zeros_like(count)
        for freq, persons in persons_by_frequency.items():
            people = np.nan_to_num(_as_float(persons).ravel(), nan=0.0)
            if people.size != count.size:
                raise ValueError("Give one number of people per age band for each frequency.")
            _reject(people < 0, "Numbers of people must not be negative.")
            weighted += float(freq) ** 2 * people
        var = float(np.sum(w * w * weighted))
    byars = byars_count_ci(total, confidence)
    scale = np.sqrt(var / total)
    lower = dsr + scale * (float(byars.lower) - total)
    upper = dsr + scale * (float(byars.upper) - total)
    return DSRResult(dsr * multiplier, lower * multiplier, upper * multiplier, total, total_pop)


# --------------------------------------------------------------------------------------------
# slope and relative index of inequality


@dataclass(frozen=True)
class SIIResult:
    """Slope and relative index of inequality with Monte Carlo confidence limits.

    ``sii`` is the fitted difference between the least deprived end (rank 1) and the most
    deprived end (rank 0), times the multiplier; ``rii`` is their ratio (inverted when the
    multiplier is negative). ``intercept`` is the fitted value at rank 0 (times |multiplier|).
    The limit tuples are in the order of ``confidence``.
    """

    sii: float
    rii: float
    intercept: float
    confidence: tuple[float, ...]
    sii_lower: tuple[float, ...]
    sii_upper: tuple[float, ...]
    rii_lower: tuple[float, ...]
    rii_upper: tuple[float, ...]
    n_quantiles: int
    reps: int
    value_type: str
    transform: bool
    multiplier: float
    se_scale: str
    notes: tuple[str, ...] = ()

    def sii_ci(self, confidence: float | None = None) -> tuple[float, float]:
        """(lower, upper) SII limits at ``confidence`` (default: the first level computed)."""
        i = self._index(confidence)
        return self.sii_lower[i], self.sii_upper[i]

    def rii_ci(self, confidence: float | None = None) -> tuple[float, float]:
        """(lower, upper) RII limits at ``confidence`` (default: the first level computed)."""
        i = self._index(confidence)
        return self.rii_lower[i], self.rii_upper[i]

    def _index(self, confidence: float | None) -> int:
        if confidence is None:
            return 0
        for i, level in enumerate(self.confidence):
            if abs(level - confidence) < 1e-12:
                return i
        raise ValueError(f"No limits were computed at confidence {confidence}.")


_VALUE_TYPE_CODES: dict[Any, str] = {
    0: "other",
    1: "rate",
    2: "proportion",
    "other": "other",
    "rate": "rate",
    "proportion": "proportion",
}


def _value_type(value_type: Any) -> str:
    try:
        return _VALUE_TYPE_CODES[value_type]
    except (KeyError, TypeError):
        raise ValueError(
            "value_type must be 'other' (0), 'rate' (1) or 'proportion' (2)."
        ) from None


def _link(value_type: str) -> tuple[Any, Any, str]:
    """(transform, inverse, scale name) for a value type: log for rates, logit for proportions."""
    if value_type == "rate":
        return np.log, np.exp, "log"
    if value_type == "proportion":
        return logit, expit, "logit"
    return (lambda v: v), (lambda v: v), "raw"


def _confidences(confidence: float | Sequence[float]) -> tuple[float, ...]:
    levels = (confidence,) if np.ndim(confidence) == 0 else tuple(confidence)  # type: ignore[arg-type]
    if not levels:
        raise ValueError("Give at least one confidence level.")
    return tuple(_check_confidence(c) for c in levels)


def _column(name: str, values: Any, k: int) -> np.ndarray:
    arr = _as_float(values).ravel()
    if arr.size != k:
        raise ValueError(f"{name} needs one value per quantile ({k}), not {arr.size}.")
    return arr


def sii_rii(
    quantile: Any,
    population: Any,
    value: Any = None,
    se: Any = None,
    lower: Any = None,
    upper: Any = None,
    *,
    count: Any = None,
    value_type: ValueType | int = "other",
    transform: bool = False,
    multiplier: float = 1,
    confidence: float | Sequence[float] = (0.95,),
    reps: int = 100_000,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> SIIResult:
    """Slope (SII) and relative (RII) index of inequality by the PHE method (Low & Low 2004).

    Why this method: it is what Fingertips publishes, so local figures are comparable. Each
    quantile (1 = most deprived) gets a rank at the midpoint of its cumulative population share;
    the values are fitted by least squares weighted by population share; the SII is the fitted
    value at rank 1 minus that at rank 0. Limits come from simulating every quantile's value from
    a normal distribution with its standard error (on the log scale for rates and the logit scale
    for proportions) and refitting, ``reps`` times, with a seeded generator so results repeat.

    Parameters
    ----------
    quantile, population
        Numeric quantile labels (1 = most deprived; 5 to 100 of them) and their populations (> 0).
    value
        Indicator value per quantile. For proportions it may be omitted if ``count`` is given.
    se, lower, upper
        The standard error (on the transformed scale for rates and proportions), or the 95%
        confidence limits from which it is derived. With ``transform`` give the limits.
    value_type
        "other" (0), "rate" (1) or "proportion" (2, values 0-1).
    transform
        Fit on log (rate) or logit (proportion) values and back-transform the results.
    multiplier
        Scale for the SII (100 for percentage points); negative flips polarity and inverts RII.

    Raises
    ------
    ValueError
        For inputs upstream rejects: missing or non-positive populations, missing values,
        negative or missing standard errors, missing limits, proportions outside 0-1, fewer than
        5 or more than 100 quantiles, repeated quantiles, fewer than 1,000 repetitions.
    """
    vtype = _value_type(value_type)
    levels = _confidences(confidence)
    if int(reps) < 1000:
        raise ValueError("The SII needs at least 1,000 simulation repetitions.")
    reps = int(reps)
    if transform and vtype == "other":
        raise ValueError("A log or logit transform needs value_type 'rate' or 'proportion'.")
    if transform and se is not None:
        raise ValueError(
            "With transform=True give the confidence limits, not a standard error, so the "
            "standard error is worked out on the log or logit scale."
        )
    mult = float(multiplier)
    if mult == 0 or not np.isfinite(mult):
        raise ValueError("The multiplier must be a non-zero number.")

    q = _as_float(quantile).ravel()
    k = q.size
    _reject(np.isnan(q), "Every row needs a quantile number.")
    if np.unique(q).size != k:
        raise ValueError("Each quantile must appear once.")
    if k < 5 or k > 100:
        raise ValueError(f"The SII needs between 5 and 100 quantiles; there are {k}.")
    notes: list[str] = []
    if k > 10:
        message = "Small numbers can make the SII unstable when there are more than 10 quantiles."
        warnings.warn(message, UserWarning, stacklevel=2)
        notes.append(message)

    pop = _column("population", population, k)
    _reject(~(pop > 0), "Every quantile needs a population above zero.")

    if value is None:
        if count is None:
            raise ValueError("Give the indicator values, or counts for a proportion.")
        if vtype != "proportion":
            raise ValueError("Counts can stand in for values only for proportions.")
        x = _column("count", count, k)
        _reject(~(x > 0), "Every quantile needs a count above zero for a proportion.")
        val = x / pop
    else:
        val = _column("value", value, k)
    _reject(np.isnan(val), "Every quantile needs a value.")
    if vtype == "proportion":
        _reject((val < 0) | (val > 1), "Proportions must be between 0 and 1.")

    forward, inverse, scale = _link(vtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = forward(val)
        if se is not None:
            sd = _column("standard error", se, k)
            _reject(np.isnan(sd) | (sd < 0), "Standard errors must not be negative or missing.")
        elif lower is not None and upper is not None:
            lo = _column("lower limit", lower, k)
            hi = _column("upper limit", upper, k)
            _reject(np.isnan(lo) | np.isnan(hi), "Every quantile needs both confidence limits.")
            if vtype == "proportion":
                _reject(
                    (lo < 0) | (lo > 1) | (hi < 0) | (hi > 1),
                    "Confidence limits of proportions must be between 0 and 1.",
                )
            sd = (forward(hi) - forward(lo)) / (2.0 * _Z95)
        else:
            raise ValueError("Give standard errors, or both lower and upper confidence limits.")
    if vtype != "other":
        _reject(
            ~np.isfinite(centre) | ~np.isfinite(sd),
            f"Values and limits must be above zero{' and below 1' if vtype == 'proportion' else ''}"
            f" to work on the {scale} scale; use value_type 'other' for such data.",
        )
    _reject(~np.isfinite(sd) | (sd < 0), "Standard errors must be finite and not negative.")

    order = np.argsort(q, kind="stable")
    pop, val, centre, sd = pop[order], val[order], centre[order], sd[order]
    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2.0
    root = np.sqrt(share)
    design = np.column_stack([root, rank * root])
    # (X'X)^-1 X': turns weighted y values into (intercept, slope), for one or many y vectors.
    proj = np.linalg.solve(design.T @ design, design.T)

    fit_y = centre if transform else val
    b0, b1 = proj @ (fit_y * root)

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    slopes = np.empty(reps)
    intercepts = np.empty(reps)
    # Draw rows of k values in blocks: memory stays bounded and the random stream, hence the
    # result, does not depend on the block size.
    block = max(1, 2_000_000 // k)
    for start in range(0, reps, block):
        m = min(block, reps - start)
        draws = centre + sd * rng.standard_normal((m, k))
        if not transform:
            draws = inverse(draws)
        coefs = (draws * root) @ proj.T
        intercepts[start : start + m] = coefs[:, 0]
        slopes[start : start + m] = coefs[:, 1]

    probs = np.array([p for level in levels for p in ((1 - level) / 2, 1 - (1 - level) / 2)])
    if transform:
        # Pivot the simulated slopes about the fitted value at rank 0.5, then back-transform.
        mid = b0 + b1 / 2.0
        s = np.quantile(slopes, probs)
        hi_end, lo_end = inverse(mid + s / 2.0), inverse(mid - s / 2.0)
        sii_q = (hi_end - lo_end) * mult
        with np.errstate(divide="ignore", invalid="ignore"):
            rii_q = hi_end / lo_end
        sii = float((inverse(b0 + b1) - inverse(b0)) * mult)
        rii = float(inverse(b0 + b1) / inverse(b0))
        intercept = float(inverse(b0) * abs(mult))
    else:
        sii_q = np.quantile(slopes, probs) * mult
        with np.errstate(divide="ignore", invalid="ignore"):
            rii_q = np.quantile((intercepts + slopes) / intercepts, probs)
            rii = float((b0 + b1) / b0)
        sii = float(b1 * mult)
        intercept = float(b0 * abs(mult))
    if mult < 0:
        with np.errstate(divide="ignore"):
            rii = 1.0 / rii
            rii_q = 1.0 / rii_q
    sii_pairs = np.sort(sii_q.reshape(-1, 2), axis=1)
    rii_pairs = np.sort(rii_q.reshape(-1, 2), axis=1)
    return SIIResult(
        sii=sii,
        rii=rii,
        intercept=intercept,
        confidence=levels,
        sii_lower=tuple(float(v) for v in sii_pairs[:, 0]),
        sii_upper=tuple(float(v) for v in sii_pairs[:, 1]),
        rii_lower=tuple(float(v) for v in rii_pairs[:, 0]),
        rii_upper=tuple(float(v) for v in rii_pairs[:, 1]),
        n_quantiles=k,
        reps=reps,
        value_type=vtype,
        transform=bool(transform),
        multiplier=mult,
        se_scale=scale,
        notes=tuple(notes),
    )


def sii_from_counts(
    groups: Any,
    numerators: Any,
    denominators: Any,
    *,
    multiplier: float = 100,
    confidence: float | Sequence[float] = (0.95,),
    transform: bool = False,
    reps: int = 100_000,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
) -> SIIResult:
    """SII/RII of a proportion from counts per deprivation quantile (1 = most deprived).

    Why: the profile has numerators and denominators per decile or quintile, not standard errors.
    Each group's standard error comes from its 95% Wilson limits on the logit scale. When a group
    has 0% or 100% those limits are infinite on the logit scale, so all groups then use the
    Wilson limits on the proportion scale instead (``se_scale`` is "raw" and a note says so).
    With the default multiplier the SII is in percentage points.
    """
    x = _as_float(numerators).ravel()
    n = _as_float(denominators).ravel()
    if x.size != n.size:
        raise ValueError("Give one numerator per denominator.")
    _reject(np.isnan(x) | np.isnan(n), "Every group needs a numerator and a denominator.")
    _reject(~(n > 0), "Every group needs at least one person with a known outcome.")
    p, lo, hi = (np.asarray(v) for v in wilson_ci(x, n, 0.95, multiplier=1))
    inside = bool(np.all((x > 0) & (x < n)))
    if inside:
        return sii_rii(
            groups,
            n,
            p,
            lower=lo,
            upper=hi,
            value_type="proportion",
            transform=transform,
            multiplier=multiplier,
            confidence=confidence,
            reps=reps,
            seed=seed,
        )
    if transform:
        raise ValueError(
            "A logit transform is not possible when a group has 0% or 100%; use transform=False."
        )
    result = sii_rii(
        groups,
        n,
        p,
        se=(hi - lo) / (2.0 * _Z95),
        value_type="other",
        multiplier=multiplier,
        confidence=confidence,
        reps=reps,
        seed=seed,
    )
    note = (
        "A group had 0% or 100%, so standard errors were taken from the Wilson limits on the "
        "percentage scale rather than the logit scale."
    )
    return SIIResult(**{**result.__dict__, "notes": (*result.notes, note)})
