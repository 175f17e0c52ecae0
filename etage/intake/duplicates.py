"""Possible duplicates of a referral: an open situation for the same household, found by the
same lease reference at the same landlord, or a similar family name at the same address."""

from __future__ import annotations

from dataclasses import dataclass

from etage.households.text import address_key, names_similar
from etage.situations.choices import OPEN_STATUSES
from etage.situations.models import Situation


@dataclass(frozen=True)
class DuplicateCandidate:
    situation: Situation
    reason: str  # "lease" or "name_address"


def find_possible_duplicates(
    *,
    landlord_id: int,
    lease_reference: str,
    last_name: str,
    address: str,
    commune_id: int,
) -> list[DuplicateCandidate]:
    """Open situations that may concern the same household. Not scoped to the user: the
    caller decides what to reveal (see intake.views — existence only, never details, for a
    situation outside the user's scope)."""
    found: dict[int, DuplicateCandidate] = {}
    open_situations = Situation.objects.filter(status__in=OPEN_STATUSES).select_related(
        "tenancy", "household"
    )
    lease = lease_reference.strip().upper()
    if lease:
        for situation in open_situations.filter(
            tenancy__landlord_id=landlord_id, tenancy__lease_reference=lease
        ):
            found[situation.pk] = DuplicateCandidate(situation, "lease")
    key = address_key(address)
    if key:
        same_address = open_situations.filter(
            tenancy__commune_id=commune_id, tenancy__address_key=key
        ).prefetch_related("household__people")
        for situation in same_address:
            if situation.pk in found:
                continue
            if any(names_similar(p.last_name, last_name) for p in situation.household.people.all()):
                found[situation.pk] = DuplicateCandidate(situation, "name_address")
    return list(found.values())
