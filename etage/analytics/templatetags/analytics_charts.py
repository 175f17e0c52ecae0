"""``{% chart table %}``: a Vega-Lite chart with its data table (templates/analytics/_chart.html),
its ids derived from the figure it draws so that several charts share a page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("analytics/_chart.html")
def chart(figure: Any, chart_id: str = "") -> dict[str, Any]:
    """``figure`` has ``chart_id``, ``spec()``, ``caption``, ``columns`` and ``rows``
    (:class:`etage.analytics.tables.IndicatorTable`)."""
    chart_id = chart_id or figure.chart_id
    return {
        "chart_id": chart_id,
        "spec_id": f"{chart_id}-spec",
        "spec": figure.spec(),
        "caption": figure.caption,
        "columns": figure.columns,
        "rows": figure.rows,
    }
