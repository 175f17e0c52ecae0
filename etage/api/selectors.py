"""Reads of the API, scoped to the token's technical account."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from etage.intake.models import ArrearsImport, Referral

#: Largest primary key a database row may have (64-bit signed): a larger number in a URL is a
#: 404, not an overflow in the database driver.
MAX_PK = 2**63 - 1


def referrals_of_organisation(user: Any) -> QuerySet[Referral]:
    """The referrals submitted by the user's organisation, for the organisation's technical
    account: the counterpart, at the level of the organisation, of "My referrals" (which
    lists one person's). Only what a referrer may know is ever read from them (reference,
    coarse status, dates: :class:`etage.api.serializers.ReferralSerializer`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    if user.organisation_id is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(organisation_id=user.organisation_id)
        .select_related("situation")
        .order_by("-submitted_at", "-id")
    )


def batches_of_landlord(user: Any) -> QuerySet[ArrearsImport]:
    """The arrears imports (files and API batches) of the user's organisation."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return ArrearsImport.objects.none()
    return ArrearsImport.objects.filter(landlord_id=user.organisation_id)


def valid_pk(value: Any) -> int | None:
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if 0 < key <= MAX_PK else None
