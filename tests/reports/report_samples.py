"""Small sample reports and chart specs shared by the report tests and the benchmark."""

from __future__ import annotations

import math
import random
from datetime import date, datetime

from lmns_desktop.core import vocab
from lmns_desktop.reports.content import (
    Chart,
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    ReferenceLine,
    Report,
    ReportOptions,
    Table,
)

ETHNIC_GROUPS = ("White", "Mixed", "Asian or Asian British", "Black or Black British",
                 "Other ethnic group", "Not known")


def bar_chart(width: str = "full") -> Chart:
    values = (18.2, 24.9, 31.5, 41.0, 22.3, 9.8)
    data = [
        {"group": g, "value": v, "ci_low": v - 3.1 - i * 0.4, "ci_high": v + 3.4 + i * 0.3}
        for i, (g, v) in enumerate(zip(ETHNIC_GROUPS, values, strict=True))
    ]
    data.append({"group": "Gypsy, Roma and Traveller", "value": None, "ci_low": None,
                 "ci_high": None, "label": "*"})
    return Chart("bar_ci", "Core20 share by ethnic group", data,
                 alt_text="Bar chart: Core20 share is highest in Black or Black British women "
                          "(41.0%) and lowest where ethnicity is not known (9.8%).",
                 y_label="Women living in Core20 areas (%)", percent=True, width=width,
                 reference_lines=(ReferenceLine(20.0, "National Core20 share 20%"),),
                 note="Source: demo cohort. Whiskers are Wilson 95% confidence intervals.")


def bar_chart_vertical() -> Chart:
    data = [{"group": f"Trust {c}", "value": v, "ci_low": v - 6, "ci_high": v + 5}
            for c, v in zip("ABC", (61.0, 72.5, 80.2), strict=True)]
    return Chart("bar_ci", "Continuity of carer by trust", data,
                 alt_text="Continuity of carer: Trust A 61%, Trust B 72.5%, Trust C 80.2%.",
                 y_label="Continuity of carer (%)", percent=True, width="half",
                 reference_lines=(ReferenceLine(75.0, "Target 75%"),))


def equiplot_chart() -> Chart:
    outcomes = ("Preterm birth", "Low birth weight", "Caesarean", "Breastfeeding initiated")
    rnd = random.Random(3)
    data = [
        {"outcome": o, "group": g, "value": round(base + rnd.uniform(-6, 9), 1)}
        for o, base in zip(outcomes, (8, 7, 30, 72), strict=True)
        for g in ETHNIC_GROUPS[:5]
    ]
    return Chart("equiplot", "Outcomes by ethnic group", data,
                 alt_text="Dot plot of four outcomes across five ethnic groups; the widest gap "
                          "is in breastfeeding initiation.",
                 y_label="Percentage of births", percent=True)


def gradient_chart(k: int = 10) -> Chart:
    data = []
    for q in range(1, k + 1):
        v = 11.5 - 0.6 * q * (10 / k)
        data.append({"quantile": q, "value": v, "ci_low": v - 1.5, "ci_high": v + 1.6,
                     "population": 900 - 40 * q})
    return Chart("gradient", "Preterm birth by IMD decile", data,
                 alt_text="Preterm birth falls from 10.9% in the most deprived decile to 5.5% in "
                          "the least deprived.",
                 y_label="Preterm birth (%)", percent=True, fit=(11.6, -6.0),
                 fit_label="SII −6.0 points (95% CI −8.1 to −3.9)",
                 reference_lines=(ReferenceLine(7.9, "England 7.9%"),))


def spc_chart_spec(n: int = 24, width: str = "full") -> Chart:
    values = [52 + 4 * math.sin(i / 2) + (9 if i >= n - 8 else 0) for i in range(n)]
    values[5] = 30.0  # an astronomical low point
    months = [date(2023 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(n)]
    data = [{"x": m, "value": v} for m, v in zip(months, values, strict=True)]
    return Chart("spc", "Continuity of carer: women on a continuity pathway", data,
                 alt_text="XmR chart: the last eight months are above the mean (special cause "
                          "improvement); one low point in September 2023.",
                 subtitle="Monthly, all trusts; improvement is up",
                 y_label="Women on pathway (%)", percent=True, target=75.0, width=width)


def coverage_chart() -> Chart:
    groups = ("Ethnic minority communities", "People with learning disabilities and autistic "
              "people", "Coastal communities", "People experiencing homelessness",
              "Vulnerable migrants", "Gypsy, Roma and Traveller communities", "Sex workers")
    rnd = random.Random(7)
    data = [{"row": g, "column": s, "count": rnd.choice((0, 0, 1, 2, 3, 5, 8))}
            for g in groups for s in vocab.SUB_WORKSTREAMS]
    return Chart("coverage", "Coverage: PLUS groups × sub-workstreams", data,
                 alt_text="Heatmap of projects per PLUS group and sub-workstream; gaps are "
                          "marked with a cross.")


ALL_CHARTS = (bar_chart, bar_chart_vertical, equiplot_chart, gradient_chart, spc_chart_spec,
              coverage_chart)


def wide_table() -> Table:
    cols = ("Trust", *[f"Quarter {q} 20{y}" for y in (24, 25) for q in (1, 2, 3, 4)], "Total")
    rows = tuple((f"Trust {c}", *[100 * i + j for j in range(8)], 800 * i + 28)
                 for i, c in enumerate("ABCDE", start=1))
    return Table(cols, rows, title="Evidence items by trust and quarter (wide)",
                 numeric=tuple(range(1, 10)), landscape=True)


def sample_report(*, unsuppressed: bool = False) -> Report:
    """A small report with every block type and every chart kind."""
    report = Report(
        kind="cohort", title="Cohort equity profile — Ærø test", subtitle="Demo LMNS",
        author="Zoë Ní Bhriain", generated=datetime(2025, 11, 3, 9, 30),
        suppression_note="Counts of 1 to 7 are shown as * and others are rounded to the nearest "
                         "5; percentages are calculated from the rounded numbers.",
        unsuppressed=unsuppressed,
        options=ReportOptions(period="April 2024 to March 2025", trusts=("Trust A", "Trust B")),
    )
    report.add(
        Heading("Who is in the cohort"),
        KeyFigures((("Women", "4,985"), ("Core20", "31.2%"), ("Not known IMD", "120"))),
        Paragraph("This profile compares outcomes by deprivation and ethnic group."),
        Table(("Ethnic group", "Women", "Percent"),
              tuple((g, 100 * (i + 1), 12.5 + i) for i, g in enumerate(ETHNIC_GROUPS))
              + (("Total", 2100, 100.0),),
              title="Women by ethnic group", numeric=(1, 2), emphasis_rows=(6,),
              note="Percent of all women in the cohort.", formats=("", "count", "percent")),
        bar_chart(),
        Heading("Outcomes", level=1),
        Heading("By ethnic group", level=2),
        equiplot_chart(),
        gradient_chart(),
        Heading("Continuity of carer", level=1),
        spc_chart_spec(),
        bar_chart_vertical(),
        Chart("bar_ci", "Continuity by IMD quintile", [
            {"group": str(q), "value": 60 + 4 * q, "ci_low": 55 + 4 * q, "ci_high": 65 + 4 * q}
            for q in range(1, 6)], alt_text="Continuity rises with quintile.", percent=True,
              width="half", x_label="IMD quintile"),
        PageBreak(),
        Heading("Coverage and evidence"),
        coverage_chart(),
        wide_table(),
        Note("Method: Wilson score intervals for proportions; Byar's method for rates."),
        Note("Source: demo cohort generated by lmns-desktop demo-data."),
    )
    return report
