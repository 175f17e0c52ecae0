"""``{% meeting_flag_box situation %}``: the "flag for the next platform meeting" box of the
situation page, for the members of the sharing group."""

from __future__ import annotations

from typing import Any

from django import template

from etage.meetings.forms import FlagForm
from etage.meetings.selectors import open_flag
from etage.meetings.services import can_flag

register = template.Library()


@register.inclusion_tag("meetings/partials/flag_box.html", takes_context=True)
def meeting_flag_box(context: dict[str, Any], situation: Any) -> dict[str, Any]:
    user = context["request"].user
    allowed = situation.is_open and can_flag(user, situation)
    return {
        "situation": situation,
        "allowed": allowed,
        "flag": open_flag(situation) if allowed else None,
        "form": FlagForm(auto_id="id_flag_%s") if allowed else None,
        "csrf_token": context.get("csrf_token"),
    }
