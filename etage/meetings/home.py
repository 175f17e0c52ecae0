"""Entry point of the meetings app on the home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.core.home import NextStep
from etage.meetings.models import Meeting
from etage.meetings.permissions import MEMBER_ROLES, member_platforms


def meeting_steps(user: Any) -> list[NextStep]:
    if user.role not in MEMBER_ROLES:
        return []
    platforms = member_platforms(user)
    if not platforms.exists():
        return []
    upcoming = Meeting.objects.upcoming().filter(platform__in=platforms.values("pk")).count()
    return [
        NextStep(
            _("Platform meetings"),
            reverse("meetings:index"),
            _("Agenda, attendance, decisions and minutes of your platform's meetings."),
            upcoming,
        )
    ]
