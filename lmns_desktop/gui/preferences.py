"""The user's preferences: typed, validated, stored in the ``preferences`` group of QSettings.

Why a dataclass and not loose settings keys: every preference has one default, one validator and
one conversion, so a hand-edited INI (``backups_kept=lots``, ``show_welcome_page=false``) can never
crash the app or turn "false" into True; a bad value falls back to its default. Core objects are
made from here (:meth:`Preferences.to_profile_options`, :meth:`Preferences.to_suppression_rule`),
with their heavy imports deferred so the window still opens fast.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from lmns_desktop.core import vocab

if TYPE_CHECKING:
    from lmns_desktop.core.disclosure import SuppressionRule
    from lmns_desktop.core.profiling.model import ProfileOptions

log = logging.getLogger(__name__)

GROUP = "preferences"
#: Confidence levels offered, in percent (99.8% is the Fingertips "control limit" level).
CI_LEVELS: tuple[float, ...] = (90.0, 95.0, 99.0, 99.8)
THEMES: tuple[str, ...] = ("system", "light", "dark")
THEME_LABELS = {"system": "Follow Windows (light or dark)", "light": "Light", "dark": "Dark"}
#: Reference group for deprivation ratios: the least or the most deprived end.
IMD_REFERENCES: tuple[str, ...] = ("least", "most")
IMD_REFERENCE_LABELS = {
    "least": "Least deprived (decile 10, quintile 5)",
    "most": "Most deprived (decile 1, quintile 1)",
}
#: Ethnic codes that can be a reference group ("not stated" and "not known" cannot).
REFERENCE_ETHNIC_CODES: tuple[str, ...] = tuple(c for c in vocab.ETHNIC_CATEGORIES if c not in ("Z", "99"))
MAX_BACKUPS = 100
MAX_SUPPRESSED = 100
MAX_LIST_ITEMS = 200
MAX_ITEM_LENGTH = 120


@dataclass(frozen=True)
class Preferences:
    """Everything a user may change about how the app works (not window state or recent files).

    Percentages are 0-100. ``data_folder`` None means the default per-user folder. The extra
    PLUS groups and trusts are offered in addition to the workbook's and the built-in lists.
    """

    data_folder: Path | None = None
    backups_kept: int = 10
    suppression_lower: int = 1
    suppression_upper: int = 7
    rounding_base: int = 5
    small_number_threshold: int = 10
    imd_reference: str = "least"
    ethnic_category_reference: str = "A"
    ethnic_group_reference: str = "White"
    ci_level: float = 95.0
    continuity_target: float = vocab.DEFAULT_CONTINUITY_TARGET_PERCENT
    extra_plus_groups: tuple[str, ...] = ()
    extra_trusts: tuple[str, ...] = ()
    theme: str = "system"
    show_welcome_page: bool = True

    # --- checks ---------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Plain sentences saying what is wrong; empty when the preferences can be used."""
        out = [message for name, message in _field_problems(self)]
        if self.suppression_upper < self.suppression_lower:
            out.append("The largest suppressed count must not be smaller than the smallest.")
        return out

    def is_valid(self) -> bool:
        return not self.problems()

    # --- conversions to core objects --------------------------------------------------------
    @property
    def confidence(self) -> float:
        """The confidence level as a fraction (0.95), as ``core.stats`` expects."""
        return self.ci_level / 100.0

    def reference_groups(self) -> dict[str, int | str]:
        """Reference group per breakdown dimension (keys as in ``core.profiling.dimensions``)."""
        least = self.imd_reference == "least"
        return {
            "imd_decile": 10 if least else 1,
            "imd_quintile": 5 if least else 1,
            "core20": "Not Core20" if least else "Core20",
            "ethnic_category": self.ethnic_category_reference,
            "ethnic_group": self.ethnic_group_reference,
        }

    def to_profile_options(self, **overrides: Any) -> ProfileOptions:
        """Profile options with these preferences; ``overrides`` set any other option."""
        from lmns_desktop.core.profiling.model import ProfileOptions

        values: dict[str, Any] = {
            "confidence": self.confidence,
            "reference_groups": self.reference_groups(),
            "small_number_threshold": self.small_number_threshold,
            "continuity_target_percent": float(self.continuity_target),
        }
        values.update(overrides)
        return ProfileOptions(**values)

    def to_suppression_rule(self) -> SuppressionRule:
        """The disclosure-control rule for reports and evidence snapshots."""
        from lmns_desktop.core.disclosure import SuppressionRule

        return SuppressionRule(lower=self.suppression_lower, upper=self.suppression_upper,
                               base=self.rounding_base)

    def plus_groups(self) -> tuple[str, ...]:
        """The built-in PLUS groups followed by this user's own (no duplicates)."""
        return _unique((*vocab.PLUS_GROUPS, *self.extra_plus_groups))


DEFAULTS = Preferences()


# --- field rules ------------------------------------------------------------------------------

def _is_int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _is_list(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) <= MAX_LIST_ITEMS
            and all(isinstance(v, str) and v.strip() and len(v) <= MAX_ITEM_LENGTH for v in value))


#: name -> (check, sentence shown when the check fails)
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "data_folder": (lambda v: v is None or (isinstance(v, Path) and v.is_absolute()),
                    "The data folder must be a full path, such as C:\\Users\\me\\LMNS data."),
    "backups_kept": (_is_int_in(1, MAX_BACKUPS),
                     f"Keep between 1 and {MAX_BACKUPS} backups of each register."),
    "suppression_lower": (_is_int_in(1, MAX_SUPPRESSED),
                          "The smallest suppressed count must be at least 1, so 0 stays 0."),
    "suppression_upper": (_is_int_in(1, MAX_SUPPRESSED),
                          f"The largest suppressed count must be between 1 and {MAX_SUPPRESSED}."),
    "rounding_base": (_is_int_in(1, 100), "Counts must be rounded to a multiple of 1 to 100."),
    "small_number_threshold": (_is_int_in(0, 10_000),
                               "The small-number threshold must be a whole number from 0 to 10,000."),
    "imd_reference": (lambda v: v in IMD_REFERENCES,
                      "Choose the least or the most deprived group as the reference."),
    "ethnic_category_reference": (lambda v: v in REFERENCE_ETHNIC_CODES,
                                  "Choose an NHS ethnic category (A to S) as the reference."),
    "ethnic_group_reference": (lambda v: v in vocab.ETHNIC_GROUPS,
                               "Choose one of the five ethnic groups as the reference."),
    "ci_level": (lambda v: isinstance(v, float) and v in CI_LEVELS,
                 "Choose a confidence level of 90%, 95%, 99% or 99.8%."),
    "continuity_target": (lambda v: isinstance(v, float) and 0.0 <= v <= 100.0,
                          "The continuity-of-carer target is a percentage from 0 to 100."),
    "extra_plus_groups": (_is_list, f"Keep each PLUS group under {MAX_ITEM_LENGTH} characters."),
    "extra_trusts": (_is_list, f"Keep each trust name under {MAX_ITEM_LENGTH} characters."),
    "theme": (lambda v: v in THEMES, "Choose the system, light or dark theme."),
    "show_welcome_page": (lambda v: isinstance(v, bool), "Show the welcome page: yes or no."),
}


def _field_problems(prefs: Preferences) -> list[tuple[str, str]]:
    return [(f.name, _RULES[f.name][1]) for f in fields(prefs)
            if not _RULES[f.name][0](getattr(prefs, f.name))]


# --- typed conversion from QSettings values ------------------------------------------------------

class _Invalid(ValueError):
    """A stored value that cannot be read as its preference's type."""


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid(value)
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        raise _Invalid(value) from None
    if not number.is_integer():
        raise _Invalid(value)
    return int(number)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise _Invalid(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise _Invalid(value) from None


def _to_bool(value: Any) -> bool:
    """QSettings INI gives back the string "false"; ``bool("false")`` would be True."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise _Invalid(value)


def _to_str(value: Any) -> str:
    if isinstance(value, (list, tuple, dict)):
        raise _Invalid(value)
    return str(value).strip()


def _to_path(value: Any) -> Path | None:
    text = _to_str(value)
    return Path(text) if text else None


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def clean_list(items: Iterable[Any]) -> tuple[str, ...]:
    """Trimmed, non-empty, de-duplicated (ignoring case) strings, in the order given."""
    return _unique(str(i).strip() for i in items if str(i).strip())


def _to_list(value: Any) -> tuple[str, ...]:
    """Lists are stored as JSON text: QSettings' own INI lists mangle items with commas."""
    if isinstance(value, (list, tuple)):
        return clean_list(value)
    text = str(value).strip()
    if not text:
        return ()
    try:
        loaded = json.loads(text)
    except ValueError:
        raise _Invalid(value) from None
    if not isinstance(loaded, list):
        raise _Invalid(value)
    return clean_list(loaded)


_READERS: dict[str, Callable[[Any], Any]] = {
    "data_folder": _to_path,
    "backups_kept": _to_int,
    "suppression_lower": _to_int,
    "suppression_upper": _to_int,
    "rounding_base": _to_int,
    "small_number_threshold": _to_int,
    "imd_reference": _to_str,
    "ethnic_category_reference": _to_str,
    "ethnic_group_reference": _to_str,
    "ci_level": _to_float,
    "continuity_target": _to_float,
    "extra_plus_groups": _to_list,
    "extra_trusts": _to_list,
    "theme": _to_str,
    "show_welcome_page": _to_bool,
}


def _to_stored(name: str, value: Any) -> Any:
    if name in ("extra_plus_groups", "extra_trusts"):
        return json.dumps(list(value), ensure_ascii=False)
    if name == "data_folder":
        return "" if value is None else str(value)
    return value


def load_preferences(qsettings: QSettings) -> Preferences:
    """Read the ``preferences`` group; a missing or unreadable value gets its default."""
    values: dict[str, Any] = {}
    qsettings.beginGroup(GROUP)
    try:
        for f in fields(Preferences):
            if not qsettings.contains(f.name):
                continue
            raw = qsettings.value(f.name)
            try:
                value = _READERS[f.name](raw)
            except _Invalid:
                log.warning("Preference %s could not be read; using the default", f.name)
                continue
            if _RULES[f.name][0](value):
                values[f.name] = value
            else:
                log.warning("Preference %s is out of range; using the default", f.name)
    finally:
        qsettings.endGroup()
    prefs = replace(DEFAULTS, **values)
    if prefs.suppression_upper < prefs.suppression_lower:
        log.warning("Suppression thresholds are the wrong way round; using the defaults")
        prefs = replace(prefs, suppression_lower=DEFAULTS.suppression_lower,
                        suppression_upper=DEFAULTS.suppression_upper)
    return prefs


def save_preferences(qsettings: QSettings, prefs: Preferences) -> None:
    """Write every preference (defaults too, so the INI shows IT what is in force)."""
    problems = prefs.problems()
    if problems:
        raise ValueError(" ".join(problems))
    qsettings.beginGroup(GROUP)
    try:
        for f in fields(prefs):
            qsettings.setValue(f.name, _to_stored(f.name, getattr(prefs, f.name)))
    finally:
        qsettings.endGroup()
    qsettings.sync()
