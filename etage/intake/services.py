"""Referrals ("signalements"): a new situation, or a new signal on an existing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.households.models import Household, Person, Tenancy
from etage.intake.models import Referral
from etage.organisations.models import Organisation
from etage.situations import signals
from etage.situations.choices import OPEN_STATUSES, EntryStage, LegalBasis
from etage.situations.models import Share, Situation, SituationDifficulty
from etage.situations.services import TransitionRefused, append_event, assign_reference
from etage.territories.models import Commune


@dataclass(frozen=True)
class ReferralData:
    last_name: str
    first_name: str
    landlord_id: int
    commune_id: int
    address: str
    source: str
    urgency: str
    difficulties: tuple[str, ...]
    lease_reference: str = ""
    phone: str = ""
    adults: int = 1
    children: int = 0
    description: str = ""
    entry_stage: str = EntryStage.UNKNOWN
    entry_debt: Decimal | None = None
    identified_on: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _check_referrer(user: Any) -> None:
    if user.organisation_id is None:
        raise TransitionRefused(_("Your account is not attached to an organisation."))


@transaction.atomic
def referral_create_situation(*, user: Any, data: ReferralData) -> Referral:
    """Create the household, its tenancy, the situation (status *identified*), its origin
    share and the first pathway event, and the referral itself."""
    _check_referrer(user)
    commune = (
        Commune.objects.select_related("territory__platform").filter(pk=data.commune_id).first()
    )
    if commune is None or commune.territory is None:
        raise TransitionRefused(_("This commune is not covered by an ETAGE platform."))
    platform = getattr(commune.territory, "platform", None)
    if platform is None:
        raise TransitionRefused(_("This territory has no platform yet."))
    landlord = Organisation.objects.landlords().filter(pk=data.landlord_id).first()
    if landlord is None:
        raise TransitionRefused(_("Choose the landlord."))
    identified_on = data.identified_on or timezone.localdate()

    household = Household.objects.create(
        adults=data.adults, children=data.children, phone=data.phone.strip()
    )
    Person.objects.create(
        household=household, last_name=data.last_name.strip(), first_name=data.first_name.strip()
    )
    tenancy = Tenancy.objects.create(
        household=household,
        landlord=landlord,
        lease_reference=data.lease_reference,
        address=data.address.strip(),
        commune=commune,
    )
    situation = Situation.objects.create(
        household=household,
        tenancy=tenancy,
        platform=platform,
        landlord=landlord,
        origin_organisation_id=user.organisation_id,
        created_by=user,
        source=data.source,
        urgency=data.urgency,
        entry_stage=data.entry_stage,
        entry_debt=data.entry_debt,
        description=data.description.strip(),
        identified_on=identified_on,
        last_activity_on=identified_on,
    )
    assign_reference(situation)
    SituationDifficulty.objects.bulk_create(
        SituationDifficulty(situation=situation, code=code)
        for code in sorted(set(data.difficulties))
    )
    # The identifying organisation holds what it entered: an explicit grant like any other,
    # so that one scoping rule serves everyone (data-protection.md #1).
    share = Share.objects.create(
        situation=situation,
        organisation_id=user.organisation_id,
        legal_basis=LegalBasis.ORIGIN,
        granted_by=user,
    )
    signals.share_granted.send(sender=Share, share=share, actor=user)
    append_event(
        situation=situation,
        action="identify",
        occurred_on=identified_on,
        user=user,
        from_status="",
        payload={
            "source": data.source,
            "urgency": data.urgency,
            "difficulties": sorted(set(data.difficulties)),
            "entry_stage": data.entry_stage,
            "entry_debt": data.entry_debt,
        },
    )
    return Referral.objects.create(
        situation=situation,
        submitted_by=user,
        organisation_id=user.organisation_id,
        source=data.source,
        urgency=data.urgency,
        difficulties=sorted(set(data.difficulties)),
        description=data.description.strip(),
    )


@transaction.atomic
def referral_join_situation(*, user: Any, situation_id: int, data: ReferralData) -> Referral:
    """Add a new signal to an open situation found as a duplicate. The referrer learns nothing
    more about it than the status of their own referral."""
    _check_referrer(user)
    situation = Situation.objects.select_for_update().filter(pk=situation_id).first()
    if situation is None or situation.status not in OPEN_STATUSES:
        raise TransitionRefused(_("This situation is no longer open: create a new referral."))
    new_codes = sorted(
        set(data.difficulties) - set(situation.difficulties.values_list("code", flat=True))
    )
    SituationDifficulty.objects.bulk_create(
        SituationDifficulty(situation=situation, code=code) for code in new_codes
    )
    today = data.identified_on or timezone.localdate()
    append_event(
        situation=situation,
        action="referral_added",
        occurred_on=today,
        user=user,
        payload={
            "source": data.source,
            "urgency": data.urgency,
            "difficulties": sorted(set(data.difficulties)),
        },
    )
    Situation.objects.filter(pk=situation.pk).update(
        last_activity_on=max(today, situation.last_activity_on)
    )
    return Referral.objects.create(
        situation=situation,
        submitted_by=user,
        organisation_id=user.organisation_id,
        source=data.source,
        urgency=data.urgency,
        difficulties=sorted(set(data.difficulties)),
        description=data.description.strip(),
        joined_existing=True,
    )
