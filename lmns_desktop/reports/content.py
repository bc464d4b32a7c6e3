"""The report content model: a report is a title and a list of blocks.

Templates build blocks from the register and profile results; each renderer (PDF, print/HTML,
Excel, Word) turns the same blocks into its format, so a template is written once. Charts are
*specs* (kind + plain data), not pictures, so every renderer can draw them its own way (vector
in the PDF, native charts in Excel, PNG in Word). Nothing here imports Qt or matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

#: Printed on every page of a report made with disclosure control switched off.
UNSUPPRESSED_TEXT = "Unsuppressed — internal use only"

ChartKind = Literal["bar_ci", "equiplot", "gradient", "spc", "coverage"]

#: The data keys each chart kind reads: (required, optional). Other keys are kept (and shown
#: in the Excel data table) but not drawn.
CHART_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bar_ci": (("group", "value"), ("ci_low", "ci_high", "label")),
    "equiplot": (("outcome", "group", "value"), ("ci_low", "ci_high")),
    "gradient": (("quantile", "value"), ("ci_low", "ci_high", "population")),
    "spc": (
        ("x", "value"),
        ("mean", "lower_limit", "upper_limit", "classification", "direction"),
    ),
    "coverage": (("row", "column", "count"), ()),
}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Note:
    """Small print: methods, sources, suppression notes."""

    text: str


@dataclass(frozen=True)
class KeyFigures:
    """A row of headline numbers, each (label, value text)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table of display values; numbers stay numbers so the Excel renderer can format them."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    title: str = ""
    note: str = ""
    #: Column indexes that hold numbers (right-aligned).
    numeric: tuple[int, ...] = ()
    #: Rows shown in bold (totals).
    emphasis_rows: tuple[int, ...] = ()
    #: Put the table on landscape pages (the PDF also does so when it is too wide for portrait).
    landscape: bool = False
    #: Optional number format per column: "count" (#,##0), "percent" (0.0, values 0-100),
    #: "decimal" (0.0), "ratio" (0.00) or "" (by value: ints as counts, floats as 0.0).
    formats: tuple[str, ...] = ()

    def format_of(self, column: int) -> str:
        return self.formats[column] if column < len(self.formats) else ""


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class ReferenceLine:
    """A labelled line across a chart, e.g. the national Core20 share (20%) or a 75% target."""

    value: float
    label: str
    #: "value" draws it across the value axis (the usual case); "x" across the category axis.
    axis: Literal["value", "x"] = "value"


@dataclass(frozen=True)
class Chart:
    """A chart spec: what to draw, in plain data, so each renderer can draw it.

    ``data`` is a sequence of records (dicts), or a DataFrame (turned into records); the keys
    each ``kind`` reads are in :data:`CHART_KEYS`:

    * ``bar_ci`` — one bar per ``group``: ``value`` with optional 95% CI ``ci_low``/``ci_high``
      and a ``label`` shown instead of the value (e.g. "*" when suppressed; a value of None
      draws no bar).
    * ``equiplot`` — one line per ``outcome`` (or dimension), one dot per ``group`` on it
      (WHO HEAT style), optional CIs.
    * ``gradient`` — ``value`` by deprivation ``quantile`` (1 = most deprived; 5 or 10 of them),
      CI whiskers, optional ``population`` (for the ranks) and the fitted SII line ``fit``.
    * ``spc`` — an XmR chart of ``value`` over ``x`` (labels or dates); limits are computed with
      :func:`lmns_desktop.core.spc.xmr` unless the records carry ``mean``, ``lower_limit``,
      ``upper_limit`` and ``classification`` (see :func:`spc_chart`).
    * ``coverage`` — a heatmap of ``count`` by ``row`` (PLUS group) and ``column``
      (sub-workstream); zero cells are marked as gaps.
    """

    kind: ChartKind
    title: str
    data: Any
    #: What the chart shows, in words, for screen readers (Word/Excel/HTML alt text).
    alt_text: str
    subtitle: str = ""
    x_label: str = ""
    y_label: str = ""
    reference_lines: tuple[ReferenceLine, ...] = ()
    #: Values are percentages (0-100): axis ticks and labels get a % sign.
    percent: bool = False
    #: Small print under the chart (source, method).
    note: str = ""
    #: "full" page width, or "half" (two half-width charts in a row sit side by side).
    width: Literal["full", "half"] = "full"
    #: bar_ci: "auto" (horizontal when there are many or long group names), or forced.
    orientation: Literal["auto", "vertical", "horizontal"] = "auto"
    #: gradient: the fitted SII line as (intercept, slope) on the relative rank scale, where
    #: rank 0 is the most deprived end and rank 1 the least; ``fit_label`` names it.
    fit: tuple[float, float] | None = None
    fit_label: str = ""
    #: spc: which way is better ("increase", "decrease", "neutral"), optional target, and the
    #: positions where limits were recalculated.
    improvement: Literal["increase", "decrease", "neutral"] = "increase"
    target: float | None = None
    recalc_at: tuple[int, ...] = ()
    #: Height in inches; None picks one from the kind and the amount of data.
    height_in: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHART_KEYS:
            raise ValueError(
                f"Unknown chart kind {self.kind!r}; use one of {', '.join(CHART_KEYS)}."
            )
        records = _records(self.data)
        required = CHART_KEYS[self.kind][0]
        for i, rec in enumerate(records):
            missing = [k for k in required if k not in rec]
            if missing:
                raise ValueError(
                    f"Chart {self.title!r} ({self.kind}): record {i} lacks {', '.join(missing)}."
                )
        object.__setattr__(self, "data", records)
        object.__setattr__(self, "reference_lines", tuple(self.reference_lines))

    @property
    def records(self) -> tuple[dict[str, Any], ...]:
        return self.data  # type: ignore[no-any-return]

    def columns(self) -> list[str]:
        """The data keys in first-seen order (for data tables beside the chart)."""
        keys: dict[str, None] = {}
        for rec in self.records:
            keys.update(dict.fromkeys(rec))
        return list(keys)


def _records(data: Any) -> tuple[dict[str, Any], ...]:
    """Records as a tuple of dicts, with numpy/pandas scalars and NaN made plain."""
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # a DataFrame, without pandas
        data = data.to_dict("records")
    if isinstance(data, Mapping):
        raise TypeError("Chart data must be a list of records (dicts) or a DataFrame.")
    return tuple({str(k): _plain(v) for k, v in dict(rec).items()} for rec in data)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()  # numpy scalar -> Python scalar
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is not None and type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


Block = Heading | Paragraph | Note | KeyFigures | Table | PageBreak | Chart


@dataclass(frozen=True)
class ReportOptions:
    """What the user chose when asking for the report (shown on the title page and Notes)."""

    period: str = ""
    trusts: tuple[str, ...] = ()
    title: str = ""
    author: str = ""

    def lines(self) -> list[str]:
        out = []
        if self.period:
            out.append(f"Period: {self.period}")
        if self.trusts:
            out.append(f"Trusts: {', '.join(self.trusts)}")
        return out


@dataclass
class Report:
    """A whole report: what every renderer needs, and nothing about how it looks."""

    kind: Literal["board", "project", "cohort"]
    title: str
    subtitle: str = ""
    author: str = ""
    generated: datetime = field(default_factory=datetime.now)
    blocks: list[Block] = field(default_factory=list)
    #: Printed on every page (e.g. "Draft"); see also ``unsuppressed``.
    watermark: str = ""
    #: The disclosure-control sentence printed on every page when counts were suppressed.
    suppression_note: str = ""
    #: Disclosure control was switched off: every page says "Unsuppressed — internal use only".
    unsuppressed: bool = False
    options: ReportOptions = field(default_factory=ReportOptions)

    def __post_init__(self) -> None:
        if not self.title and self.options.title:
            self.title = self.options.title
        if not self.author and self.options.author:
            self.author = self.options.author

    def add(self, *blocks: Block) -> Report:
        self.blocks.extend(blocks)
        return self

    @property
    def page_marks(self) -> list[str]:
        """The warnings every page carries (the unsuppressed warning first)."""
        marks = [UNSUPPRESSED_TEXT] if self.unsuppressed else []
        if self.watermark and self.watermark not in marks:
            marks.append(self.watermark)
        return marks

    def info_lines(self) -> list[str]:
        """Title-page facts: options, author and the generated date."""
        lines = self.options.lines()
        if self.author:
            lines.append(f"Author: {self.author}")
        lines.append(f"Generated: {self.generated:%d/%m/%Y %H:%M}")
        return lines

    def notes(self) -> list[str]:
        """Every note in the report, in order: Note blocks, table and chart notes."""
        out = []
        for block in self.blocks:
            if isinstance(block, Note):
                out.append(block.text)
            elif isinstance(block, Table | Chart) and block.note:
                out.append(block.note)
        return out

    def text(self) -> str:
        """All visible text, in order (for tests and search)."""
        parts = [self.title, self.subtitle, *self.page_marks, self.suppression_note]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph | Note):
                parts.append(block.text)
            elif isinstance(block, KeyFigures):
                parts.extend(f"{label} {value}" for label, value in block.items)
            elif isinstance(block, Table):
                parts.append(block.title)
                parts.append(" ".join(block.columns))
                parts.extend(" ".join(str(v) for v in row) for row in block.rows)
                parts.append(block.note)
            elif isinstance(block, Chart):
                parts.extend((block.title, block.subtitle, block.alt_text, block.note))
        return "\n".join(p for p in parts if p)


def spc_chart(
    result: Any,
    x: Sequence[Any] | None = None,
    *,
    title: str,
    alt_text: str,
    **kwargs: Any,
) -> Chart:
    """A ``spc`` Chart from an :class:`~lmns_desktop.core.spc.XmrResult` (limits as computed)."""
    points = result.points
    labels: Iterable[Any] = points.index if x is None else x
    cols = ("value", "mean", "lower_limit", "upper_limit", "classification", "direction")
    records = [
        {"x": label, **{c: row[c] for c in cols}}
        for label, (_, row) in zip(labels, points.iterrows(), strict=True)
    ]
    kwargs.setdefault("improvement", result.improvement)
    kwargs.setdefault("target", result.target)
    return Chart("spc", title, records, alt_text, **kwargs)
