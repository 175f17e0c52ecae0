"""The import page's entry on the home page of the landlord's staff who may import."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from etage.core.home import NextStep
from etage.intake.arrears.services import can_import_arrears


def import_steps(user: Any) -> list[NextStep]:
    if not can_import_arrears(user):
        return []
    return [
        NextStep(
            _("Import the arrears extract"),
            reverse("arrears:list"),
            _(
                "The landlord's monthly extract (CSV or XLSX), checked whole before anything "
                "is written."
            ),
        )
    ]
