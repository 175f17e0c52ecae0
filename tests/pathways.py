"""A situation factory that goes through the real services, so tests set up state the way
the product does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from etage.accounts.models import User
from etage.intake.services import ReferralData, referral_create_situation
from etage.organisations.models import Organisation
from etage.situations.models import Situation
from etage.situations.services import situation_transition
from etage.territories.models import Commune

TODAY = dt.date(2026, 6, 15)

#: The moves that bring a new situation to each status, with their payloads.
PATH: list[tuple[str, dict[str, Any], str]] = [
    ("inform", {"method": "phone"}, "t1-professionnel"),
    ("contact_reached", {}, "t1-professionnel"),
    ("assess", {}, "t1-coordination"),
    ("orient", {"orientation": "agr"}, "t1-coordination"),
    ("start_support", {}, "t1-professionnel"),
]


@pytest.fixture
def refer(demo_reference: dict[str, User]) -> Callable[..., Situation]:
    def make(
        username: str = "t1-signalement",
        *,
        insee: str = "69256",
        landlord: str = "EMH",
        last_name: str = "Fictif",
        address: str = "3 rue des Tilleuls",
        lease: str = "",
        difficulties: tuple[str, ...] = ("rent_arrears",),
        identified_on: dt.date = dt.date(2026, 3, 2),
        description: str = "Retards de loyer depuis trois mois.",
    ) -> Situation:
        referral = referral_create_situation(
            user=demo_reference[username],
            data=ReferralData(
                last_name=last_name,
                first_name="Alix",
                landlord_id=Organisation.objects.get(code=landlord).pk,
                commune_id=Commune.objects.get(insee_code=insee).pk,
                address=address,
                source="caretaker",
                urgency="normal",
                difficulties=difficulties,
                lease_reference=lease,
                description=description,
                identified_on=identified_on,
            ),
        )
        return referral.situation

    return make


@pytest.fixture
def advance(demo_reference: dict[str, User]) -> Callable[..., Situation]:
    """Run the first ``steps`` moves of :data:`PATH` on a T1 situation."""

    def run(situation: Situation, steps: int, **overrides: Any) -> Situation:
        day = situation.identified_on
        for action, payload, username in PATH[:steps]:
            day += dt.timedelta(days=3)
            payload = dict(payload)
            if action == "orient":
                payload |= {
                    "lead_professional_id": overrides.get(
                        "lead", demo_reference["t1-professionnel"]
                    ).pk,
                    "referent_organisation_id": Organisation.objects.get(
                        code=overrides.get("referent", "ASSO-TDL")
                    ).pk,
                }
            situation.refresh_from_db()
            situation_transition(
                user=demo_reference[username],
                situation_id=situation.pk,
                action=action,
                expected_version=situation.version,
                occurred_on=day,
                payload=payload,
                today=TODAY,
            )
        situation.refresh_from_db()
        return situation

    return run
