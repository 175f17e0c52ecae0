"""The "Procedure and deadlines" section of the situation page computes its own data, so the
situation page includes it with one line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from etage.procedures import selectors
from etage.procedures.chart import euros as format_euros

register = template.Library()


@register.simple_tag(takes_context=True)
def procedure_panel(context: template.Context) -> selectors.Panel | None:
    """The panel for the situation and actions in the context (``None`` without
    ``view_milestones``)."""
    situation, actions = context.get("situation"), context.get("actions")
    if situation is None or actions is None:
        return None
    return selectors.panel(situation, frozenset(actions))


@register.filter
def days_until(day: dt.date, today: dt.date) -> int:
    return (day - today).days


@register.filter
def days_since(day: dt.date, today: dt.date) -> int:
    return (today - day).days


@register.filter
def euros(amount: Decimal | None) -> Any:
    return "" if amount is None else format_euros(amount)
