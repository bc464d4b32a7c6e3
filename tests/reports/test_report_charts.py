"""Charts: every kind draws on a plain Figure, PNG/SVG bytes are valid, pyplot is never used."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import report_samples as samples
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lmns_desktop.reports.charts import (
    FULL_WIDTH_IN,
    HALF_WIDTH_IN,
    chart_figure,
    chart_png,
    chart_size,
    chart_svg,
    draw_chart,
    fit_from_sii,
)
from lmns_desktop.reports.content import Chart

REPO = Path(__file__).resolve().parents[2]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
            if t.get_text()]


@pytest.mark.parametrize("make", samples.ALL_CHARTS, ids=lambda f: f.__name__)
def test_each_kind_draws_title_and_legend(make) -> None:  # noqa: ANN001
    spec = make()
    fig = chart_figure(spec)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title(loc="left").replace("\n", " ") == spec.title
    texts = _texts(fig)
    assert fig.legends or spec.kind == "coverage" or texts
    png = chart_png(spec, dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_draw_chart_reuses_a_figure() -> None:
    fig = Figure(layout="constrained")
    draw_chart(fig, samples.bar_chart())
    draw_chart(fig, samples.spc_chart_spec())
    assert len(fig.axes) == 1  # cleared, not stacked
    assert fig.axes[0].get_title(loc="left").startswith("Continuity of carer")


def test_bar_chart_labels_values_suppression_and_reference_line() -> None:
    fig = chart_figure(samples.bar_chart())
    texts = _texts(fig)
    assert "41.0%" in texts and "*" in " ".join(texts)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["95% confidence interval", "National Core20 share 20%"]


def test_equiplot_marks_groups_with_shapes_not_colour_alone() -> None:
    fig = chart_figure(samples.equiplot_chart())
    handles = fig.legends[0].legend_handles
    markers = {h.get_marker() for h in handles}
    assert len(markers) == len(handles) == 5
    assert any(t.startswith("gap ") for t in _texts(fig))


def test_gradient_draws_sii_line_from_rank_zero_to_one() -> None:
    spec = samples.gradient_chart()
    fig = chart_figure(spec)
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("SII"))
    x, y = line.get_data()
    assert (x[0], x[-1]) == pytest.approx((0.5, 10.5))
    assert (y[0], y[-1]) == pytest.approx((11.6, 5.6))


def test_fit_from_sii_follows_the_multiplier_sign() -> None:
    class R:
        intercept, sii, multiplier = 12.0, 5.0, -100.0

    assert fit_from_sii(R) == (12.0, -5.0)
    R.multiplier = 100.0
    assert fit_from_sii(R) == (12.0, 5.0)


def test_spc_colours_and_shapes_per_classification() -> None:
    fig = chart_figure(samples.spc_chart_spec())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Special cause: improvement" in legend and "Special cause: concern" in legend
    assert "Target 75%" in legend and "Process limits" in legend
    handles = {t.get_text(): h for t, h in zip(fig.legends[0].get_texts(),
                                               fig.legends[0].legend_handles, strict=True)}
    shapes = {handles[k].get_marker() for k in legend if k.startswith(("Special", "Common"))}
    assert len(shapes) == 3


def test_spc_uses_given_limits_without_recomputing() -> None:
    data = [{"x": i, "value": v, "mean": 5.0, "lower_limit": 1.0, "upper_limit": 9.0,
             "classification": "common"} for i, v in enumerate([4, 5, 6, 5])]
    fig = chart_figure(Chart("spc", "Given", data, alt_text="a"))
    ys = {tuple(ln.get_ydata()) for ln in fig.axes[0].get_lines()}
    assert (9.0, 9.0) in ys and (5.0, 5.0) in ys


def test_coverage_marks_gaps_with_hatch_and_text() -> None:
    spec = samples.coverage_chart()
    zeros = sum(1 for r in spec.records if r["count"] == 0)
    fig = chart_figure(spec)
    hatched = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(hatched) == zeros > 0
    assert sum(t == "× gap" for t in _texts(fig)) == zeros


def test_sizes_follow_width_and_data() -> None:
    assert chart_size(samples.bar_chart())[0] == FULL_WIDTH_IN
    assert chart_size(samples.bar_chart_vertical())[0] == HALF_WIDTH_IN
    small = Chart("coverage", "c", [{"row": "a", "column": "b", "count": 1}], alt_text="a")
    assert chart_size(samples.coverage_chart())[1] > chart_size(small)[1]


def test_svg_is_valid_xml_with_text_kept_as_text() -> None:
    svg = chart_svg(samples.bar_chart())
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"Core20 share by ethnic group" in svg


def test_no_pyplot_import_in_a_fresh_interpreter() -> None:
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests/reports')\n"
        "import report_samples as s\n"
        "from lmns_desktop.reports import charts, pdf, xlsx, docx, render, html\n"
        "for make in s.ALL_CHARTS: charts.chart_png(make(), dpi=30)\n"
        "charts.chart_svg(s.bar_chart())\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert 'PySide6' not in sys.modules, 'Qt imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("kind", ["bar_ci", "equiplot", "gradient", "spc", "coverage"])
def test_empty_data_still_draws(kind: str) -> None:
    png = chart_png(Chart(kind, f"Nothing to show ({kind})", [], alt_text="No data."), dpi=40)
    assert png[:4] == b"\x89PNG"


def test_figure_without_layout_gets_one() -> None:
    fig = Figure(figsize=(6, 3))
    draw_chart(fig, samples.spc_chart_spec())
    assert fig.get_layout_engine() is not None
