"""Entry point of the rights of the person on data-protection officers' home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.core.home import NextStep
from etage.privacy.permissions import is_dpo
from etage.privacy.selectors import due_soon_requests, open_requests, overdue_requests


def privacy_steps(user: Any) -> list[NextStep]:
    if not is_dpo(user):
        return []
    today = timezone.localdate()
    overdue = overdue_requests(today).count()
    soon = due_soon_requests(today).count()
    return [
        NextStep(
            _("Access requests"),
            reverse("privacy:register"),
            _("%(open)s open, %(overdue)s overdue, %(soon)s due within 7 days.")
            % {"open": open_requests().count(), "overdue": overdue, "soon": soon},
            overdue + soon,
        ),
        NextStep(
            _("Everything held about a person"),
            reverse("privacy:search"),
            _("Find a person across every organisation and produce their file (JSON, PDF)."),
        ),
    ]
