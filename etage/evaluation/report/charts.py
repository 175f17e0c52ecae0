"""The report's charts: one PNG per evaluative question, one bar panel per indicator (its
yearly figures, or its last months), drawn with matplotlib's object API on the Agg canvas (no
pyplot: no global figure state shared between requests, no display needed).

Each chart comes with its alt text and a table of the same figures: nothing is said by the
drawing alone, and bars are labelled with their value (no information by colour).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from etage.evaluation.report.content import Chart, IndicatorFigure
from etage.evaluation.report.method import Table

#: Width in inches and resolution: ~16 cm wide in the documents, light enough for a zip.
WIDTH = 6.4
PANEL_HEIGHT = 2.1
DPI = 110
BAR = "#1f4e79"


def indicator_chart(number: int, indicators: Sequence[IndicatorFigure]) -> Chart | None:
    """The chart of question ``number``'s indicators that have figures to draw, or None."""
    drawn = [i for i in indicators if i.series]
    if not drawn:
        return None
    height = PANEL_HEIGHT * len(drawn)
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    # Fixed margins (in inches, whatever the number of panels) rather than the constrained
    # layout, which draws every chart twice to measure it.
    rotated = any(len(i.series) > 6 for i in drawn)  # month labels, slanted
    figure.subplots_adjust(
        left=0.75 / WIDTH,
        right=0.98,
        top=1 - 0.3 / height,
        bottom=(0.7 if rotated else 0.35) / height,
        hspace=0.9 if rotated else 0.55,
    )
    axes = figure.subplots(len(drawn), 1, squeeze=False)
    for (ax,), indicator in zip(axes, drawn, strict=True):
        labels = [p for p, _v, _t in indicator.series]
        values = [v for _p, v, _t in indicator.series]
        bars = ax.bar(range(len(values)), values, color=BAR)
        ax.bar_label(bars, labels=[t for _p, _v, t in indicator.series], fontsize=7, padding=2)
        ax.set_xticks(
            range(len(values)),
            labels,
            fontsize=7,
            rotation=30 if rotated else 0,
            ha="right" if rotated else "center",
        )
        ax.set_title(textwrap.shorten(indicator.name, 90), fontsize=8.5, loc="left")
        ax.set_ylabel(indicator.unit, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.margins(y=0.25)
        ax.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    described = " ".join(
        _("%(name)s: %(figures)s.")
        % {"name": i.name, "figures": " ; ".join(f"{p} : {t}" for p, _v, t in i.series)}
        for i in drawn
    )
    return Chart(
        png=out.getvalue(),
        alt=_("Bar chart, one panel per indicator. %(figures)s") % {"figures": described},
        caption=_("Indicators of question %(number)s, all territories together")
        % {"number": number},
        table=Table(
            caption=_("Figures of the chart of question %(number)s") % {"number": number},
            header=(_("Indicator"), _("Period"), _("Value")),
            rows=tuple((i.name, p, t) for i in drawn for p, _v, t in i.series),
        ),
    )
