"""Entry point of a workshop's voting page on the home page of its attendees: someone who
attends with their ETAGE account (a professional, a steering member…) sees nothing else of
the evaluation workspace, so the home page is where they find the vote while it is open."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from etage.core.home import NextStep
from etage.evaluation.scope import attended_workshops_for


def workshop_steps(user: Any) -> list[NextStep]:
    workshops = attended_workshops_for(user).filter(voting_open=True).order_by("held_on", "pk")
    return [
        NextStep(
            _("Vote at the workshop “%(title)s”") % {"title": workshop.title},
            reverse(
                "evaluation:workshop_vote",
                kwargs={"project_pk": workshop.project_id, "pk": workshop.pk},
            ),
            _("The vote is open: give your votes from this device."),
        )
        for workshop in workshops
    ]
