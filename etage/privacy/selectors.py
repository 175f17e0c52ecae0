"""Reads of the privacy app: the person search of data-protection officers, the register's
deadlines, and the two flags other apps ask about (objection, legal hold)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from etage.households.models import Household, Person, Tenancy
from etage.households.text import name_key
from etage.privacy.models import (
    CLOSED_REQUEST_STATUSES,
    AccessRequest,
    LegalHold,
    Objection,
)
from etage.situations.models import Situation

#: A request is "due soon" within this many days of its due date (and reminded of).
DUE_SOON_DAYS = 7


def objection_active(situation_id: int) -> bool:
    """Whether the person objected to the processing of this situation (no new share)."""
    return Objection.objects.filter(situation_id=situation_id, lifted_on__isnull=True).exists()


def situation_on_legal_hold(situation: Situation | int) -> bool:
    """Whether a legal-retention flag keeps this situation from erasure and purge. The
    retention job asks this before deleting or anonymising anything."""
    situation_id = situation if isinstance(situation, int) else situation.pk
    return LegalHold.objects.filter(situation_id=situation_id, lifted_on__isnull=True).exists()


def situations_on_legal_hold() -> QuerySet[Situation]:
    """Every situation under an active legal hold (for the retention job's exclusion)."""
    return Situation.objects.filter(legal_holds__lifted_on__isnull=True).distinct()


# --- The register -----------------------------------------------------------------------------


def open_requests() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.exclude(status__in=CLOSED_REQUEST_STATUSES)


def overdue_requests(today: dt.date) -> QuerySet[AccessRequest]:
    return open_requests().filter(due_on__lt=today)


def due_soon_requests(today: dt.date) -> QuerySet[AccessRequest]:
    return open_requests().filter(
        due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
    )


def deadline_state(request: AccessRequest, today: dt.date) -> str:
    """ "overdue", "due_soon" or "" for a request, as the register shows it."""
    if not request.is_open:
        return ""
    if request.due_on < today:
        return "overdue"
    if request.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


# --- The person search ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonQuery:
    last_name: str
    first_name: str = ""
    birth_year: int | None = None
    commune: str = ""
    lease_reference: str = ""


def find_households(query: PersonQuery, *, limit: int = 50) -> list[Household]:
    """Households with a person of that last name (accents, case and spacing ignored),
    narrowed by first name, year of birth, commune (name or INSEE code) and lease reference
    when given. Across every organisation: for data-protection officers only."""
    key = name_key(query.last_name)
    if not key:
        return []
    people = Person.objects.filter(last_name_key=key)
    if query.first_name.strip():
        people = people.filter(first_name__iexact=query.first_name.strip())
    if query.birth_year is not None:
        people = people.filter(birth_year=query.birth_year)
    households = Household.objects.filter(pk__in=people.values("household_id"))
    commune = query.commune.strip()
    if commune:
        households = households.filter(
            Q(tenancies__commune__insee_code=commune) | Q(tenancies__commune__name__iexact=commune)
        )
    lease = query.lease_reference.strip().upper()
    if lease:
        households = households.filter(tenancies__lease_reference=lease)
    return list(
        households.distinct()
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("id")),
            Prefetch(
                "tenancies",
                queryset=Tenancy.objects.select_related("commune", "landlord").order_by("id"),
            ),
            Prefetch(
                "situations",
                queryset=Situation.objects.select_related("platform").order_by("identified_on"),
            ),
        )
        .order_by("pk")[:limit]
    )


def household_for_dpo(user: Any, household_id: Any) -> Household:
    """The household, for a data-protection officer (checked by the caller), or 404."""
    from django.http import Http404

    try:
        key = int(household_id)
    except (TypeError, ValueError):
        raise Http404 from None
    household = Household.objects.filter(pk=key).first()
    if household is None:
        raise Http404
    return household
