"""Who may see and decide record linkage, and who may merge households.

- The review queue belongs to the landlord: only its own staff (professionals — its social
  workers — and rent-recovery officers) see its reviews; another landlord's review is a 404.
  The households proposed are always tenants of that landlord (etage.linkage.matching).
- Merging two households is a platform decision: coordinators, on households of situations on
  which they may decide (``situations_visible_to(user, Action.DECIDE)``, the same door as
  the pages).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from etage.accounts.roles import Role
from etage.households.models import Household
from etage.linkage.models import HouseholdMerge, LinkReview
from etage.organisations.models import OrganisationKind
from etage.situations.models import Situation
from etage.situations.permissions import situations_visible_to
from etage.situations.permissions_matrix import Action

REVIEW_ROLES = frozenset({Role.PROFESSIONAL, Role.RENT_RECOVERY})


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_review_links(user: Any) -> bool:
    """Staff of a landlord who handle its tenants' accounts."""
    return (
        _active(user)
        and user.role in REVIEW_ROLES
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.LANDLORD
    )


def reviews_visible_to(user: Any) -> QuerySet[LinkReview]:
    """The reviews of the user's own landlord; none for anyone else."""
    if not can_review_links(user):
        return LinkReview.objects.none()
    return LinkReview.objects.filter(landlord_id=user.organisation_id)


def can_merge(user: Any) -> bool:
    return _active(user) and user.role == Role.COORDINATOR


def mergeable_situations(user: Any) -> QuerySet[Situation]:
    if not can_merge(user):
        return Situation.objects.none()
    return situations_visible_to(user, Action.DECIDE)


def households_mergeable_by(user: Any) -> QuerySet[Household]:
    """Households with at least one situation the coordinator may decide on."""
    if not can_merge(user):
        return Household.objects.none()
    return Household.objects.filter(
        Exists(mergeable_situations(user).filter(household_id=OuterRef("pk")))
    )


def merges_visible_to(user: Any) -> QuerySet[HouseholdMerge]:
    """Merges of which the coordinator may decide on at least one situation (those of both
    households when they were merged)."""
    if not can_merge(user):
        return HouseholdMerge.objects.none()
    through = HouseholdMerge.situations.through
    return HouseholdMerge.objects.filter(
        Exists(
            through.objects.filter(
                householdmerge_id=OuterRef("pk"),
                situation_id__in=mergeable_situations(user).values("pk"),
            )
        )
    )
