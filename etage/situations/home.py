"""Entry points of the situations app on the home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role
from etage.core.home import NextStep
from etage.situations.permissions import situations_visible_to


def situation_steps(user: Any) -> list[NextStep]:
    steps: list[NextStep] = []
    if user.role in (Role.SIGNALLER, Role.PROFESSIONAL, Role.COORDINATOR, Role.RENT_RECOVERY):
        if user.organisation_id is not None:
            steps.append(
                NextStep(
                    _("Refer a household"),
                    reverse("intake:referral_create"),
                    _("Two minutes: household, address, landlord, difficulties."),
                )
            )
        steps.append(
            NextStep(
                _("My referrals"),
                reverse("intake:my_referrals"),
                _("Where the households you referred stand."),
                user.referrals.count(),
            )
        )
    visible = situations_visible_to(user)
    if user.role in (Role.PROFESSIONAL, Role.COORDINATOR, Role.RENT_RECOVERY):
        steps.append(
            NextStep(
                _("Situations"),
                reverse("situations:list"),
                _("The situations shared with your organisation or your platform."),
                visible.open().count(),
            )
        )
    return steps
