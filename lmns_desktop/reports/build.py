"""What the user asked for (:class:`ReportRequest`) and the one entry point that builds it.

Why one entry point: the Reports tab, the command line and the self-test all turn a request into
a :class:`~lmns_desktop.reports.content.Report` the same way, and every expected problem (no
register open, an unknown project ID, no cohort profiled) reaches the user as one plain sentence
(:class:`UserError`) instead of a traceback. Nothing here imports Qt or draws anything.

``cohort_info`` (for the cohort report and the board's equity headline) is a plain dict, filled
by whoever imported the cohort; every key is optional:

* ``"source"`` (str) — the data source: file name (never a full path with a user name in it).
* ``"sheet"`` (str) — the sheet read, when the file had several.
* ``"rows"`` (int) — rows read from the file, before any exclusions or filters.
* ``"quality"`` (list of str) — the data-quality summary, one plain sentence per line.
* ``"mapping"`` (dict of canonical field -> the user's column heading) — the mapping used.
* ``"mapping_name"`` (str) — the saved mapping profile's name, if one was used.
* ``"iod_edition"`` (str) — where the IMD deciles came from, e.g. "IoD2019 via LSOA 2011",
  "IoD2025 via postcode" or "IMD decile column in the file".
* ``"filters"`` (list of str) — filters applied before profiling, in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from lmns_desktop.core.errors import UserError

if TYPE_CHECKING:
    from lmns_desktop.core.disclosure import SuppressionRule
    from lmns_desktop.core.profiling.model import Profile
    from lmns_desktop.core.register_model import RegisterDocument
    from lmns_desktop.reports.content import Report

ReportKind = Literal["board", "project", "cohort"]
KINDS: tuple[str, ...] = ("board", "project", "cohort")
COHORT_INFO_KEYS: tuple[str, ...] = (
    "source", "sheet", "rows", "quality", "mapping", "mapping_name", "iod_edition", "filters",
)


@dataclass
class ReportRequest:
    """The choices behind one report (the Reports tab's form, or the command line's options).

    Dates are inclusive; leaving both out means the current calendar quarter (the quarter of
    ``today`` given to :func:`build_report`). ``trusts`` empty means every trust.
    ``project_id`` None makes one-pagers for every project (of the chosen trusts). Disclosure
    control is on unless ``unsuppressed`` is set, which prints "Unsuppressed — internal use
    only" on every page. Importing this module stays light (no pandas), so a form can use it.
    """

    kind: ReportKind = "board"
    title: str = ""
    author: str = ""
    period_start: date | None = None
    period_end: date | None = None
    trusts: Sequence[str] = field(default_factory=list)
    project_id: str | None = None
    cohort_name: str = ""
    unsuppressed: bool = False
    #: The disclosure-control rule; None means the NHS Digital default (1-7 hidden, nearest 5).
    rule: SuppressionRule | None = None

    def __post_init__(self) -> None:
        self.trusts = [str(t).strip() for t in (self.trusts or ()) if str(t).strip()]
        if self.project_id is not None:
            self.project_id = str(self.project_id).strip() or None

    @property
    def suppression_rule(self) -> SuppressionRule:
        """The rule to apply (imported only when a report is built: it brings in pandas)."""
        from lmns_desktop.core.disclosure import DEFAULT_RULE

        return self.rule or DEFAULT_RULE

    def period(self, today: date | None = None) -> tuple[date, date]:
        """(first day, last day) of the reporting period, the current quarter by default."""
        from lmns_desktop.core.coverage import quarter_bounds

        today = _as_date(today) or date.today()
        q_start, q_end = (t.date() for t in quarter_bounds(today))
        start = _as_date(self.period_start) or q_start
        end = _as_date(self.period_end) or q_end
        if start > end:
            raise UserError(
                f"The period starts on {start:%d/%m/%Y}, after it ends on {end:%d/%m/%Y}. "
                "Choose a start date on or before the end date."
            )
        return start, end


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date()  # type: ignore[attr-defined,no-any-return]
    raise UserError(f"'{value}' is not a date; give the period as dates.")


def build_report(
    request: ReportRequest,
    *,
    register: RegisterDocument | None = None,
    profile: Profile | None = None,
    cohort_info: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Report:
    """The report ``request`` asks for, built from the open register and/or cohort profile.

    Raises :class:`UserError` (one plain sentence saying what to do) when the report cannot be
    made: no register for a board summary or one-pager, an unknown project ID, no cohort profile
    for the cohort report. An empty register still gives a board summary that says it is empty.
    """
    from lmns_desktop.reports import templates

    if request.kind not in KINDS:
        raise UserError(
            f"There is no '{request.kind}' report; choose one of: {', '.join(KINDS)}."
        )
    today = _as_date(today) or date.today()
    info = dict(cohort_info or {})
    if request.kind in ("board", "project") and register is None:
        raise UserError(
            "No register is open. Open or create a register on the Register tab, then make the "
            f"{templates.TEMPLATES[request.kind].lower()} again."
        )
    if request.kind == "cohort":
        if profile is None:
            raise UserError(
                "No cohort has been profiled. Import a cohort on the Cohort profiling tab (or "
                "give --cohort), then make the cohort equity profile again."
            )
        if profile.n_rows == 0:
            raise UserError(
                "The cohort has no rows to profile (the filters may exclude everyone). Change "
                "the filters or import another cohort, then make the report again."
            )
        return templates.cohort_report(request, profile, info, today=today)
    assert register is not None
    if request.kind == "board":
        return templates.board_report(request, register, profile=profile, cohort_info=info,
                                      today=today)
    return templates.project_report(request, register, today=today)
