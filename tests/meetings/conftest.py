"""Fixtures of the meeting tests: situations of any territory brought to a status through the
real services, and meetings planned by the real service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from etage.accounts.models import User
from etage.meetings import services
from etage.meetings.models import Meeting
from etage.organisations.models import Organisation
from etage.situations.models import Situation
from etage.situations.services import situation_transition
from etage.territories.models import Platform

#: Where each territory's households live, and their landlord.
HOMES = {"t1": ("69256", "EMH"), "t2": ("69259", "LMH"), "t3": ("69387", "GLH")}

#: The moves that bring a new situation to each status, and who records them.
STEPS: list[tuple[str, str]] = [
    ("inform", "professionnel"),
    ("contact_reached", "professionnel"),
    ("assess", "coordination"),
    ("orient", "coordination"),
    ("start_support", "professionnel"),
]
STATUS_AFTER = {
    "identified": 0,
    "informed": 1,
    "contacted": 2,
    "assessed": 3,
    "oriented": 4,
    "in_support": 5,
}


@pytest.fixture
def situation_at(
    refer: Callable[..., Situation], demo_reference: dict[str, User]
) -> Callable[..., Situation]:
    """``situation_at("assessed", territory="t2", last_name="Durand")``: a situation referred
    by the territory's signaller and moved to ``status`` by its professional and
    coordinator."""

    def make(
        status: str,
        *,
        territory: str = "t2",
        last_name: str = "Fictif",
        address: str = "3 rue des Tilleuls",
        next_review_on: dt.date | None = None,
        identified_on: dt.date = dt.date(2026, 3, 2),
    ) -> Situation:
        insee, landlord = HOMES[territory]
        situation = refer(
            f"{territory}-signalement",
            insee=insee,
            landlord=landlord,
            last_name=last_name,
            address=address,
            identified_on=identified_on,
        )
        day = identified_on
        for action, who in STEPS[: STATUS_AFTER[status]]:
            day += dt.timedelta(days=3)
            payload: dict[str, Any] = {}
            if action == "inform":
                payload = {"method": "phone"}
            if action == "orient":
                lead = demo_reference[f"{territory}-professionnel"]
                payload = {
                    "orientation": "coordination",
                    "lead_professional_id": lead.pk,
                    "referent_organisation_id": lead.organisation_id,
                }
            if action == "start_support" and next_review_on is not None:
                payload = {"next_review_on": next_review_on}
            situation.refresh_from_db()
            situation_transition(
                user=demo_reference[f"{territory}-{who}"],
                situation_id=situation.pk,
                action=action,
                expected_version=situation.version,
                occurred_on=day,
                payload=payload,
            )
        situation.refresh_from_db()
        assert situation.status == status
        return situation

    return make


@pytest.fixture
def plan_meeting(demo_reference: dict[str, User]) -> Callable[..., Meeting]:
    """``plan_meeting("t2", days=-1)``: a meeting planned by the territory's coordinator,
    ``days`` from now (negative: already begun, decisions can be recorded)."""

    def make(
        territory: str = "t2", *, days: float = -0.05, place: str = "Salle du CCAS"
    ) -> Meeting:
        coordinator = demo_reference[f"{territory}-coordination"]
        platform = Platform.objects.get(territory__code=territory.upper())
        starts_at = timezone.now() + dt.timedelta(days=days)
        return services.meeting_create(
            user=coordinator, platform_id=platform.pk, starts_at=starts_at, place=place
        )

    return make


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def association_referent(demo_reference: dict[str, User]) -> User:
    """The AGR association's referent in T2 (``t2-association`` when the demo has it)."""
    from etage.accounts.roles import Role
    from etage.territories.models import Territory

    user, created = User.objects.get_or_create(
        username="t2-association",
        defaults={
            "first_name": "Noa",
            "last_name": "Référente",
            "organisation": Organisation.objects.get(code="ASSO-TDL"),
            "role": Role.PROFESSIONAL,
        },
    )
    if created:
        user.territories.set([Territory.objects.get(code="T2")])
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
