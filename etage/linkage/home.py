"""Entry points of record linkage on the home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.core.home import NextStep
from etage.linkage.models import ReviewStatus
from etage.linkage.permissions import (
    can_merge,
    can_review_links,
    merges_visible_to,
    reviews_visible_to,
)


def linkage_steps(user: Any) -> list[NextStep]:
    steps: list[NextStep] = []
    if can_review_links(user):
        steps.append(
            NextStep(
                _("Matches to review"),
                reverse("linkage:queue"),
                _("Imported leases that may be a household already known to ETAGE."),
                reviews_visible_to(user).filter(status=ReviewStatus.OPEN).count(),
            )
        )
    if can_merge(user):
        steps.append(
            NextStep(
                _("Household merges"),
                reverse("linkage:merges"),
                _("Two records of one household merged, and how to undo it."),
                merges_visible_to(user).filter(undone_at__isnull=True).count(),
            )
        )
    return steps
