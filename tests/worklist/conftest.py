"""A small world of situations in the three territories, each waiting for someone, built
through the real services (referral, pathway steps, plan, procedure events, flags)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from etage.accounts.models import User
from etage.meetings.services import situation_flag
from etage.organisations.models import Organisation
from etage.procedures.services import procedure_event_record
from etage.references.models import Theme
from etage.situations.models import Situation
from etage.situations.services import situation_transition
from etage.support.services import action_create, objective_create

#: Where each territory's households live, and their landlord.
HOMES = {"t1": ("69256", "EMH"), "t2": ("69259", "LMH"), "t3": ("69387", "GLH")}
IDENTIFIED_ON = dt.date(2026, 3, 2)
REFERENCE = re.compile(r"\bT[1-3]-\d{5}\b")


def references_in(page: str) -> set[str]:
    return set(REFERENCE.findall(page))


def walk(
    situation: Situation,
    territory: str,
    people: dict[str, User],
    moves: list[str],
    *,
    start: dt.date = IDENTIFIED_ON,
) -> Situation:
    """Record ``moves`` on ``situation`` as the territory's professional and coordinator."""
    day = start
    for action in moves:
        day += dt.timedelta(days=3)
        payload: dict[str, Any] = {}
        who = f"{territory}-professionnel"
        if action == "inform":
            payload = {"method": "phone"}
        elif action in ("assess", "orient"):
            who = f"{territory}-coordination"
        if action == "orient":
            payload = {
                "orientation": "agr",
                "lead_professional_id": people[f"{territory}-professionnel"].pk,
                "referent_organisation_id": Organisation.objects.get(code="ASSO-TDL").pk,
            }
        if action == "close":
            payload = {"outcome": "left", "exit_debt": "0"}
        situation.refresh_from_db()
        situation_transition(
            user=people[who],
            situation_id=situation.pk,
            action=action,
            expected_version=situation.version,
            occurred_on=day,
            payload=payload,
        )
    situation.refresh_from_db()
    return situation


@dataclass
class World:
    t1_support: Situation
    t1_deadline: Situation
    t2_new: Situation
    t2_contacted: Situation
    t2_closed: Situation
    t3_informed: Situation

    def all(self) -> list[Situation]:
        return [
            self.t1_support,
            self.t1_deadline,
            self.t2_new,
            self.t2_contacted,
            self.t2_closed,
            self.t3_informed,
        ]


@pytest.fixture
def new_situation(refer: Callable[..., Situation]) -> Callable[..., Situation]:
    def make(territory: str, last_name: str, **kwargs: Any) -> Situation:
        insee, landlord = HOMES[territory]
        return refer(
            f"{territory}-signalement",
            insee=insee,
            landlord=landlord,
            last_name=last_name,
            address=f"{len(last_name)} rue des {last_name}",
            identified_on=IDENTIFIED_ON,
            **kwargs,
        )

    return make


@pytest.fixture
def world(new_situation: Callable[..., Situation], demo_reference: dict[str, User]) -> World:
    people = demo_reference
    today = timezone.localdate()
    support = walk(
        new_situation("t1", "Accompagne"),
        "t1",
        people,
        ["inform", "contact_reached", "assess", "orient", "start_support"],
    )
    # Support started 17/03/2026: the first review fell in June, long before today.
    lead = people["t1-professionnel"]
    objective = objective_create(
        user=lead,
        situation_id=support.pk,
        theme_id=Theme.objects.order_by("order")[0].pk,
        title="Stabiliser le budget",
    )
    action_create(
        user=lead,
        objective_id=objective.pk,
        title="Constituer le dossier FSL",
        owner_organisation_id=Organisation.objects.get(code="EMH").pk,
        owner_person_id=lead.pk,
        due_on=today - dt.timedelta(days=2),
    )
    action_create(
        user=lead,
        objective_id=objective.pk,
        title="Rendez-vous budget",
        owner_organisation_id=Organisation.objects.get(code="ASSO-TDL").pk,
        due_on=today + dt.timedelta(days=3),
    )
    deadline = new_situation("t1", "Echeance")
    procedure_event_record(
        user=people["t1-recouvrement"],
        situation_id=deadline.pk,
        kind="commandement_de_payer",
        occurred_on=today - dt.timedelta(days=20),
        source="landlord",
    )
    contacted = walk(new_situation("t2", "Joint"), "t2", people, ["inform", "contact_reached"])
    closed = walk(new_situation("t2", "Clos"), "t2", people, ["inform", "contact_reached", "close"])
    informed = walk(new_situation("t3", "Informe"), "t3", people, ["inform"])
    situation_flag(
        user=people["t3-professionnel"], situation_id=informed.pk, reason="Point à discuter."
    )
    return World(
        t1_support=support,
        t1_deadline=deadline,
        t2_new=new_situation("t2", "Nouveau"),
        t2_contacted=contacted,
        t2_closed=closed,
        t3_informed=informed,
    )
