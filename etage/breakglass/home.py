"""Entry points of emergency access on the home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role
from etage.core.home import NextStep


def break_glass_steps(user: Any) -> list[NextStep]:
    if user.role == Role.ADMIN:
        return [
            NextStep(
                _("Emergency access to a situation"),
                reverse("breakglass:open"),
                _(
                    "Only when needed: state the reason; limited in time, logged and shown to "
                    "the data-protection officer."
                ),
            )
        ]
    if user.role == Role.DPO:
        from etage.breakglass.selectors import register_for

        since = timezone.now() - dt.timedelta(days=30)
        return [
            NextStep(
                _("Emergency accesses"),
                reverse("breakglass:register"),
                _(
                    "Administrators' emergency accesses to situations, with their reason and "
                    "the pages read (last 30 days counted)."
                ),
                sum(1 for row in register_for(user) if row.grant.started_at >= since),
            )
        ]
    return []
