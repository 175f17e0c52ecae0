"""Entry point of the reference lists on the administrators' home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.core.home import NextStep
from etage.references.models import Theme


def reference_steps(user: Any) -> list[NextStep]:
    if not user.is_administrator:
        return []
    return [
        NextStep(
            _("Manage the themes of the shared plan"),
            reverse("admin:references_theme_changelist"),
            _("Themes of the plan and the actions suggested for each."),
            Theme.objects.count(),
        )
    ]
