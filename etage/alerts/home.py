"""The candidates' entry point on a landlord social worker's home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.alerts.permissions import candidates_visible_to, may_see_candidates
from etage.core.home import NextStep


def candidate_steps(user: Any) -> list[NextStep]:
    if not may_see_candidates(user):
        return []
    return [
        NextStep(
            _("Early warning: households to qualify"),
            reverse("alerts:candidate_list"),
            _(
                "Tenants whose arrears, procedure or complaints reached a warning rule: "
                "create a situation or dismiss with a reason."
            ),
            candidates_visible_to(user).open().count(),
        )
    ]
