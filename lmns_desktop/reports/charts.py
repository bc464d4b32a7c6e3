"""Draw report charts on a matplotlib ``Figure`` (never pyplot), from a :class:`Chart` spec.

Why one module: the GUI canvas, the PDF (vector), Word and Excel (PNG) all draw the same chart
from the same spec, so a chart looks the same everywhere. No Qt here; pyplot is never imported
(it keeps every figure alive in a long-running program).

Accessibility: colour-blind-safe colours (NHS identity and Okabe–Ito), and every colour is
doubled by a marker shape, a line style, a hatch or a text label, so nothing is told by colour
alone.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from lmns_desktop.reports.content import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FULL_WIDTH_IN",
    "HALF_WIDTH_IN",
    "chart_figure",
    "chart_png",
    "chart_size",
    "chart_svg",
    "draw_chart",
    "fit_from_sii",
]

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41B6E6"
NHS_ORANGE = "#ED8B00"
NHS_PURPLE = "#330072"
NHS_GREY = "#768692"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#E8EDEE"
TEXT = "#212B32"
#: Okabe–Ito, reordered so neighbours differ most for every kind of colour vision.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
             "#F0E442")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")
REF_STYLES = ((0, (5, 3)), (0, (1, 2)), (0, (6, 2, 1, 2)), (0, (3, 1)))

#: A4 portrait with 18 mm margins leaves 174 mm; charts are drawn at their printed size.
FULL_WIDTH_IN = 6.85
HALF_WIDTH_IN = 3.35

_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans"],
    "font.size": 8,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "axes.edgecolor": NHS_DARK_GREY,
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": NHS_DARK_GREY,
    "ytick.color": NHS_DARK_GREY,
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "hatch.color": NHS_DARK_GREY,
    "hatch.linewidth": 0.6,
    "svg.fonttype": "none",  # SVG text stays text
    "pdf.fonttype": 42,
    "figure.dpi": 72,
}


@contextmanager
def chart_style() -> Iterator[None]:
    """The house chart style, applied while drawing (fonts are resolved when artists are made)."""
    from matplotlib import rc_context

    with rc_context(_RC):
        yield


def chart_size(spec: Chart) -> tuple[float, float]:
    """(width, height) in inches at the printed size, from the kind and amount of data."""
    width = HALF_WIDTH_IN if spec.width == "half" else FULL_WIDTH_IN
    if spec.height_in:
        return width, spec.height_in
    recs = spec.records
    if spec.kind == "bar_ci":
        n = len(recs)
        height = 1.3 + 0.27 * n if _horizontal(spec) else 2.9
        height += 0.25 * bool(spec.reference_lines)
    elif spec.kind == "equiplot":
        n = len({r["outcome"] for r in recs})
        groups = len({r["group"] for r in recs})
        height = 1.5 + 0.38 * n + 0.18 * ((groups + 3) // 4)
    elif spec.kind == "coverage":
        n = len({r["row"] for r in recs})
        height = 1.6 + 0.27 * n
    else:
        height = 3.0
    if spec.subtitle:
        height += 0.15
    title_lines = len(_wrap(spec.title, int((width * 72 - 70) / 6.0)).split("\n"))
    height += 0.17 * (title_lines - 1)
    return width, max(2.2, min(height, 8.5))


def chart_figure(spec: Chart, width_in: float | None = None, height_in: float | None = None
                 ) -> Figure:
    """A new Figure of the given size (default: the printed size) with the chart drawn."""
    from matplotlib.figure import Figure

    w, h = chart_size(spec)
    fig = Figure(figsize=(width_in or w, height_in or h), dpi=72, layout="constrained")
    draw_chart(fig, spec)
    return fig


def chart_png(spec: Chart, dpi: int = 200, width_in: float | None = None,
              height_in: float | None = None) -> bytes:
    """The chart as PNG bytes (for Word, Excel and the HTML preview)."""
    fig = chart_figure(spec, width_in, height_in)
    buf = io.BytesIO()
    with chart_style():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def chart_svg(spec: Chart, width_in: float | None = None, height_in: float | None = None) -> bytes:
    """The chart as SVG bytes, text kept as text (for the web and for editing)."""
    fig = chart_figure(spec, width_in, height_in)
    buf = io.BytesIO()
    with chart_style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def draw_chart(fig: Figure, spec: Chart) -> None:
    """Draw ``spec`` on ``fig`` (cleared first). Use a constrained-layout Figure."""
    fig.clear()
    if fig.get_layout_engine() is None:  # the legend sits outside the axes
        fig.set_layout_engine("constrained")
    with chart_style():
        fig.set_facecolor("white")
        ax = fig.add_subplot()
        _DRAW[spec.kind](fig, ax, spec)
        # wrap to the width left of the axes' left edge (about 6 pt a bold character)
        room = fig.get_figwidth() * 72 - 70
        ax.set_title(_wrap(spec.title, int(room / 6.0)), pad=14 if spec.subtitle else 6)
        if spec.subtitle:
            ax.annotate(_wrap(spec.subtitle, int(room / 4.3)), (0, 1), xycoords="axes fraction",
                        xytext=(0, 4),
                        textcoords="offset points", va="bottom", ha="left", fontsize=7.5,
                        color=NHS_DARK_GREY)


def fit_from_sii(result: Any) -> tuple[float, float]:
    """(intercept, slope) of the fitted SII line from :class:`~lmns_desktop.core.stats.SIIResult`.

    Why: ``sii = multiplier x (fit(1) - fit(0))`` and ``intercept = |multiplier| x fit(0)``, so
    the line on the plotted scale has slope ``sii x sign(multiplier)``.
    """
    sign = 1.0 if result.multiplier >= 0 else -1.0
    return float(result.intercept), float(result.sii) * sign


# --- helpers -----------------------------------------------------------------------------------


def _wrap(text: Any, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) if text else ""


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if out != out else out  # NaN


def _fmt(value: float, percent: bool) -> str:
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.replace("-", "\u2212") + ("%" if percent else "")


def _value_formatter(ax: Axes, axis: str, percent: bool) -> None:
    from matplotlib.ticker import FuncFormatter

    if percent:
        fmt = FuncFormatter(lambda v, _pos: f"{v:g}%".replace("-", "\u2212"))
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _reference_lines(ax: Axes, spec: Chart, value_axis: str) -> list[Any]:
    """Dashed reference lines, each with its own dash pattern, named in the legend."""
    handles = []
    for i, ref in enumerate(spec.reference_lines):
        style = REF_STYLES[i % len(REF_STYLES)]
        draw = ax.axvline if (ref.axis == "value") == (value_axis == "x") else ax.axhline
        line = draw(ref.value, color=TEXT, lw=1.1, ls=style, zorder=1.5, label=ref.label)
        handles.append(line)
    return handles


def _legend(fig: Figure, ax: Axes, handles: Sequence[Any]) -> None:
    """A legend under the chart, in as many columns as fit the width (rows filled evenly)."""
    if not handles:
        return
    labels = [str(h.get_label()) for h in handles]
    width_pt = fig.get_figwidth() * 72
    item = max(len(s) for s in labels) * 4.6 + 40  # 7.5 pt text, handle and spacing
    fit = max(1, min(len(labels), int(width_pt // item)))
    rows = -(-len(labels) // fit)
    cols = -(-len(labels) // rows)
    fig.legend(handles, labels, loc="outside lower center", ncols=cols, handlelength=2.6,
               columnspacing=1.4)


def _extent(values: Sequence[float | None]) -> tuple[float, float]:
    vals = [v for v in values if v is not None]
    if not vals:
        return 0.0, 1.0
    return min(vals), max(vals)


def _horizontal(spec: Chart) -> bool:
    if spec.orientation != "auto":
        return spec.orientation == "horizontal"
    groups = [str(r["group"]) for r in spec.records]
    return len(groups) > 6 or max((len(g) for g in groups), default=0) > 12


# --- bar chart with 95% CI whiskers ----------------------------------------------------------


def _draw_bar_ci(fig: Figure, ax: Axes, spec: Chart) -> None:
    recs = spec.records
    horizontal = _horizontal(spec)
    groups = [_wrap(r["group"], 26 if horizontal else 14) for r in recs]
    values = [_num(r.get("value")) for r in recs]
    lows = [_num(r.get("ci_low")) for r in recs]
    highs = [_num(r.get("ci_high")) for r in recs]
    pos = list(range(len(recs)))
    heights = [v if v is not None else 0.0 for v in values]
    bar = ax.barh if horizontal else ax.bar
    bar(pos, heights, 0.62, color=NHS_BLUE, edgecolor=NHS_DARK_BLUE, linewidth=0.5, zorder=2)
    top = max(_extent([*values, *highs, *[r.value for r in spec.reference_lines
                                          if r.axis == "value"]])[1], 0.0) or 1.0
    for p, v, lo, hi, rec in zip(pos, values, lows, highs, recs, strict=True):
        if v is not None and lo is not None and hi is not None:
            err = [[max(v - lo, 0.0)], [max(hi - v, 0.0)]]
            kw = {"xerr": err} if horizontal else {"yerr": err}
            ax.errorbar([v] if horizontal else [p], [p] if horizontal else [v], fmt="none",
                        ecolor=TEXT, elinewidth=1.0, capsize=3, capthick=1.0, zorder=3, **kw)
        label = rec.get("label")
        text = str(label) if label not in (None, "") else (
            _fmt(v, spec.percent) if v is not None else "n/a")
        end = max(x for x in (v, hi, 0.0) if x is not None)
        if horizontal:
            ax.annotate(text, (end, p), xytext=(4, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=7.5, color=TEXT)
        else:
            ax.annotate(text, (p, end), xytext=(0, 3), textcoords="offset points",
                        va="bottom", ha="center", fontsize=7.5, color=TEXT)
    handles = _reference_lines(ax, spec, "x" if horizontal else "y")
    if horizontal:
        ax.set_yticks(pos, groups)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.16)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=NHS_PALE_GREY, lw=0.6, zorder=0)
        ax.set_xlabel(spec.y_label)
        ax.set_ylabel(spec.x_label)
    else:
        ax.set_xticks(pos, groups)
        ax.set_ylim(0, top * 1.14)
        ax.grid(axis="y", color=NHS_PALE_GREY, lw=0.6, zorder=0)
        ax.set_ylabel(spec.y_label)
        ax.set_xlabel(spec.x_label)
    ax.set_axisbelow(True)
    _value_formatter(ax, "x" if horizontal else "y", spec.percent)
    if any(lo is not None for lo in lows):
        from matplotlib.lines import Line2D

        whisker = Line2D([], [], color=TEXT, marker="|", markersize=7, lw=1.0,
                         label="95% confidence interval")
        handles = [whisker, *handles]
    _legend(fig, ax, handles)


# --- equity dot plot (equiplot) ----------------------------------------------------------------


def _draw_equiplot(fig: Figure, ax: Axes, spec: Chart) -> None:
    recs = spec.records
    outcomes = list(dict.fromkeys(r["outcome"] for r in recs))
    groups = list(dict.fromkeys(r["group"] for r in recs))
    style = {g: (OKABE_ITO[i % len(OKABE_ITO)], MARKERS[i % len(MARKERS)])
             for i, g in enumerate(groups)}
    all_vals: list[float | None] = []
    for row, outcome in enumerate(outcomes):
        vals = [_num(r["value"]) for r in recs if r["outcome"] == outcome]
        known = [v for v in vals if v is not None]
        if known:
            ax.plot([min(known), max(known)], [row, row], color="#AEB7BD", lw=2.2, zorder=1,
                    solid_capstyle="round")
        all_vals += vals
    for r in recs:
        v = _num(r["value"])
        if v is None:
            continue
        row = outcomes.index(r["outcome"])
        colour, marker = style[r["group"]]
        lo, hi = _num(r.get("ci_low")), _num(r.get("ci_high"))
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [row, row], color=colour, lw=0.9, alpha=0.8, zorder=2)
        ax.plot([v], [row], marker=marker, ms=7.5, color=colour, mec="white", mew=0.8,
                ls="none", zorder=3)
    lo_all, hi_all = _extent(all_vals)
    span = (hi_all - lo_all) or max(abs(hi_all), 1.0)
    left = 0.0 if lo_all >= 0 and spec.percent else lo_all - 0.05 * span
    right = hi_all + 0.22 * span
    ax.set_xlim(left, right)
    for row, outcome in enumerate(outcomes):
        known = [v for v in (_num(r["value"]) for r in recs if r["outcome"] == outcome)
                 if v is not None]
        if len(known) >= 2:
            gap = max(known) - min(known)
            unit = " pts" if spec.percent else ""
            ax.text(right, row, f"gap {_fmt(gap, False)}{unit}", ha="right", va="center",
                    fontsize=7, color=NHS_DARK_GREY)
    ax.set_yticks(range(len(outcomes)), [_wrap(o, 24) for o in outcomes])
    ax.set_ylim(max(len(outcomes), 1) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color=NHS_PALE_GREY, lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(spec.y_label or spec.x_label)
    _value_formatter(ax, "x", spec.percent)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=m, color=c, mec="white", ms=7.5, ls="none", label=str(g))
               for g, (c, m) in style.items()]
    handles += _reference_lines(ax, spec, "x")
    _legend(fig, ax, handles)


# --- deprivation gradient with SII line --------------------------------------------------------


def _draw_gradient(fig: Figure, ax: Axes, spec: Chart) -> None:
    import numpy as np

    recs = sorted(spec.records, key=lambda r: int(r["quantile"]))
    q = [int(r["quantile"]) for r in recs]
    k = max(q) if q else 10
    values = [_num(r["value"]) for r in recs]
    handles = []
    known = [(x, v, _num(r.get("ci_low")), _num(r.get("ci_high")))
             for x, v, r in zip(q, values, recs, strict=True) if v is not None]
    if known:
        xs = [x for x, *_ in known]
        ys = [v for _, v, _, _ in known]
        err = [[v - lo if lo is not None else 0.0 for _, v, lo, _ in known],
               [hi - v if hi is not None else 0.0 for _, v, _, hi in known]]
        handles.append(ax.errorbar(
            xs, ys, yerr=err, fmt="o", ms=6, color=NHS_BLUE, mec="white", mew=0.7, ecolor=TEXT,
            elinewidth=1.0, capsize=3, zorder=3, label="Value with 95% confidence interval"))
    if spec.fit is not None and recs:
        pops = [_num(r.get("population")) for r in recs]
        if all(p is not None and p > 0 for p in pops):
            cum = np.concatenate([[0.0], np.cumsum(pops) / float(np.sum(pops))])
        else:
            cum = np.linspace(0.0, 1.0, len(recs) + 1)
        edges = np.concatenate([[q[0] - 0.5], np.asarray(q, dtype=float) + 0.5])
        rank = np.linspace(0.0, 1.0, 101)
        x_line = np.interp(rank, cum, edges)
        intercept, slope = spec.fit
        (line,) = ax.plot(x_line, intercept + slope * rank, color=NHS_ORANGE, lw=1.6,
                          ls=(0, (6, 2)), zorder=2, label=spec.fit_label or "Fitted SII line")
        handles.append(line)
    handles += _reference_lines(ax, spec, "y")
    ax.set_xticks(range(1, k + 1))
    ax.set_xlim(0.4, k + 0.6)
    name = "quintile" if k <= 5 else "decile"
    ax.set_xlabel(spec.x_label or f"IMD {name} (1 = most deprived)")
    ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", color=NHS_PALE_GREY, lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    if spec.percent:
        ax.set_ylim(bottom=0)
    _value_formatter(ax, "y", spec.percent)
    _legend(fig, ax, handles)


# --- SPC XmR chart (Making Data Count) --------------------------------------------------------

_SPC_STYLE = {
    # classification: (face, edge, marker, size, legend label)
    "common": ("#A6ADB4", "#768692", "o", 4.5, "Common cause variation"),
    "improvement": (NHS_LIGHT_BLUE, NHS_BLUE, "s", 6.5, "Special cause: improvement"),
    "concern": (NHS_ORANGE, "#8A5100", "D", 6.0, "Special cause: concern"),
    "neither": ("#8B5FBF", NHS_PURPLE, "h", 6.5, "Special cause: neither"),
}


def _spc_points(spec: Chart) -> list[dict[str, Any]]:
    """Records with mean, limits and classification (computed by core.spc when missing)."""
    recs = [dict(r) for r in spec.records]
    needed = ("mean", "lower_limit", "upper_limit", "classification")
    if recs and all(all(k in r for k in needed) for r in recs):
        return recs
    from lmns_desktop.core.spc import xmr

    values = [_num(r["value"]) for r in recs]
    result = xmr([float("nan") if v is None else v for v in values],
                 improvement=spec.improvement, recalc_at=list(spec.recalc_at) or None,
                 target=spec.target)
    for rec, (_, row) in zip(recs, result.points.iterrows(), strict=True):
        for key in ("mean", "lower_limit", "upper_limit", "classification", "direction"):
            value = row[key]
            rec[key] = None if value is None or (isinstance(value, float) and value != value) \
                else (value.item() if hasattr(value, "item") else value)
    return recs


def _x_labels(xs: Sequence[Any]) -> list[str]:
    out = []
    for x in xs:
        if isinstance(x, datetime | date) or hasattr(x, "strftime"):
            out.append(x.strftime("%b %y"))
        else:
            out.append(str(x))
    return out


def _segments(values: Sequence[float | None], seg_ids: Sequence[int]) -> Iterator[list[int]]:
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or seg_ids[i] != seg_ids[start]:
            yield list(range(start, i))
            start = i


def _draw_spc(fig: Figure, ax: Axes, spec: Chart) -> None:
    from matplotlib.lines import Line2D

    recs = _spc_points(spec)
    n = len(recs)
    xs = list(range(n))
    ys = [_num(r["value"]) for r in recs]
    means = [_num(r.get("mean")) for r in recs]
    # a new segment wherever the mean or limits change (recalculated limits)
    seg_ids, seg = [], 0
    for i in range(n):
        if i and (means[i] != means[i - 1] or _num(recs[i].get("upper_limit")) !=
                  _num(recs[i - 1].get("upper_limit"))):
            seg += 1
        seg_ids.append(seg)
    for idx in _segments(ys, seg_ids):
        x0, x1 = idx[0] - 0.4, idx[-1] + 0.4
        first = recs[idx[0]]
        mean = _num(first.get("mean"))
        lo, hi = _num(first.get("lower_limit")), _num(first.get("upper_limit"))
        if mean is not None:
            ax.plot([x0, x1], [mean, mean], color=TEXT, lw=1.2, zorder=2)
        for limit in (lo, hi):
            if limit is not None:
                ax.plot([x0, x1], [limit, limit], color=NHS_GREY, lw=1.0, ls=(0, (4, 3)),
                        zorder=2)
        if idx[0] > 0:
            ax.axvline(idx[0] - 0.5, color=NHS_PALE_GREY, lw=1.0, zorder=0)
    ax.plot([x for x, y in zip(xs, ys, strict=True) if y is not None],
            [y for y in ys if y is not None], color="#AEB7BD", lw=1.0, zorder=3)
    present = []
    for cls, (face, edge, marker, size, _label) in _SPC_STYLE.items():
        pts = [(x, y) for x, y, r in zip(xs, ys, recs, strict=True)
               if y is not None and (r.get("classification") or "common") == cls]
        if pts:
            present.append(cls)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], ls="none", marker=marker,
                    ms=size, mfc=face, mec=edge, mew=0.8, zorder=4)
    handles: list[Any] = [
        Line2D([], [], ls="none", marker=_SPC_STYLE[c][2], ms=_SPC_STYLE[c][3],
               mfc=_SPC_STYLE[c][0], mec=_SPC_STYLE[c][1], label=_SPC_STYLE[c][4])
        for c in present
    ]
    handles.append(Line2D([], [], color=TEXT, lw=1.2, label="Mean"))
    handles.append(Line2D([], [], color=NHS_GREY, lw=1.0, ls=(0, (4, 3)),
                          label="Process limits"))
    if spec.target is not None:
        ax.axhline(spec.target, color="#DA291C", lw=1.3, ls=(0, (6, 2, 1, 2)), zorder=2)
        handles.append(Line2D([], [], color="#DA291C", lw=1.3, ls=(0, (6, 2, 1, 2)),
                              label=f"Target {spec.target:g}{'%' if spec.percent else ''}"))
    handles += _reference_lines(ax, spec, "y")
    labels = _x_labels([r["x"] for r in recs])
    step = max(1, -(-n // (12 if spec.width == "full" else 6)))
    ticks = xs[::step]
    ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=0 if step > 1 or n <= 12 else 45)
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    ax.grid(axis="y", color=NHS_PALE_GREY, lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    _value_formatter(ax, "y", spec.percent)
    _legend(fig, ax, handles)


# --- coverage heatmap -------------------------------------------------------------------------


def _draw_coverage(fig: Figure, ax: Axes, spec: Chart) -> None:
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Patch, Rectangle

    recs = spec.records
    rows = list(dict.fromkeys(r["row"] for r in recs))
    cols = list(dict.fromkeys(r["column"] for r in recs))
    counts = {(r["row"], r["column"]): _num(r["count"]) or 0.0 for r in recs}
    top = max(counts.values(), default=0.0) or 1.0
    cmap = LinearSegmentedColormap.from_list("nhs", ["#DCE9F6", NHS_BLUE, NHS_DARK_BLUE])
    gaps = 0
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            c = counts.get((row, col), 0.0)
            if c <= 0:
                gaps += 1
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white", edgecolor="white",
                                       hatch="////", lw=0, zorder=1))
                ax.text(j + 0.5, i + 0.5, "× gap", ha="center", va="center", fontsize=7,
                        color=TEXT, zorder=3,
                        bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"})
            else:
                shade = 0.15 + 0.85 * (c / top)
                face = cmap(shade)
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, lw=0, zorder=1))
                ax.text(j + 0.5, i + 0.5, f"{c:,.0f}", ha="center", va="center", fontsize=8,
                        fontweight="bold", color="white" if shade > 0.45 else TEXT, zorder=3)
    for j in range(len(cols) + 1):  # white grid lines separate the cells
        ax.axvline(j, color="white", lw=1.5, zorder=2)
    for i in range(len(rows) + 1):
        ax.axhline(i, color="white", lw=1.5, zorder=2)
    ax.set_xlim(0, max(len(cols), 1))
    ax.set_ylim(max(len(rows), 1), 0)
    width = 16 if spec.width == "full" else 9
    ax.set_xticks([j + 0.5 for j in range(len(cols))], [_wrap(c, width) for c in cols])
    ax.set_yticks([i + 0.5 for i in range(len(rows))], [_wrap(r, 34) for r in rows])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    handles = [Patch(facecolor="white", edgecolor=NHS_DARK_GREY, hatch="////", lw=0.5,
                     label=f"× gap: no projects ({gaps} cells)")]
    handles.append(Patch(facecolor=NHS_BLUE, label="Number of projects (darker = more)"))
    _legend(fig, ax, handles)


_DRAW = {
    "bar_ci": _draw_bar_ci,
    "equiplot": _draw_equiplot,
    "gradient": _draw_gradient,
    "spc": _draw_spc,
    "coverage": _draw_coverage,
}
