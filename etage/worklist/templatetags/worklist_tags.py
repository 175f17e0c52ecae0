"""``{% work_summary %}``: the counts of "My work" at the top of the home page."""

from __future__ import annotations

from typing import Any

from django import template

from etage.worklist.selectors import my_work

register = template.Library()


@register.inclusion_tag("worklist/partials/summary.html", takes_context=True)
def work_summary(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"work": my_work(user, with_rows=False)}
