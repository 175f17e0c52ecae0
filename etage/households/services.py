"""Changes to a household's nominative data, only through a situation the person may work on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.households.models import Household, Person
from etage.situations.permissions import can, get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.situations.services import StaleVersion, TransitionRefused, append_event

HOUSEHOLD_FIELDS = ("adults", "children", "phone", "resources_band")
PERSON_FIELDS = ("last_name", "first_name", "birth_year", "relationship")


@transaction.atomic
def household_update(
    *,
    user: Any,
    situation_id: int,
    expected_version: int,
    household: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
) -> Household:
    """Update composition, contact and people of the situation's household.

    ``people`` lists every person to keep: a mapping with ``id`` (None for a new person) and
    the person fields. People of the household that are not listed are removed. At least one
    person must remain. Refuses a stale ``expected_version`` (no lost update).
    """
    situation = get_situation_for_user(user, situation_id)
    if not can(user, situation, Action.RECORD_STEP):
        raise TransitionRefused(_("Your role does not allow you to change this household."))
    if not people:
        raise TransitionRefused(_("A household has at least one person."))
    current = Household.objects.get(pk=situation.household_id)
    if current.version != expected_version:
        raise StaleVersion()
    changes = {field: household[field] for field in HOUSEHOLD_FIELDS if field in household}
    updated = Household.objects.filter(pk=current.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleVersion()
    existing = {p.pk: p for p in current.people.all()}
    kept: set[int] = set()
    for data in people:
        pk = data.get("id")
        if pk is not None and pk not in existing:
            raise TransitionRefused(_("This person does not belong to the household."))
        person = existing[pk] if pk is not None else Person(household=current)
        for field in PERSON_FIELDS:
            if field in data:
                setattr(person, field, data[field])
        person.save()
        kept.add(person.pk)
    removed = [pk for pk in existing if pk not in kept]
    Person.objects.filter(pk__in=removed).delete()
    # What changed, not the values: the event log carries no nominative data.
    append_event(
        situation=situation,
        action="household_updated",
        occurred_on=timezone.localdate(),
        user=user,
        payload={
            "fields": sorted(k for k, v in changes.items() if getattr(current, k) != v),
            "people_added": sum(1 for d in people if d.get("id") is None),
            "people_removed": len(removed),
        },
    )
    current.refresh_from_db()
    return current
