"""The only door to early-warning candidates (data-protection.md #1, #8).

Candidates are the landlord's own data about its tenants, before anybody decided to share
anything: only the **social workers of that landlord** (role professional, organisation of
kind landlord) see them, and only on their assigned territories. Everyone else — partners,
coordinators, rent recovery, steering, evaluators, data-protection officers, administrators,
other landlords — sees none. A page of the candidates answers 403 to a role that never sees
any, and 404 for a candidate outside the person's scope (its existence is not revealed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from etage.accounts.roles import Role
from etage.organisations.models import OrganisationKind

if TYPE_CHECKING:
    from etage.alerts.models import Candidate, CandidateQuerySet


def may_see_candidates(user: Any) -> bool:
    """Whether ``user`` is a landlord's social worker (whatever the candidates)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    organisation = getattr(user, "organisation", None)
    return (
        user.role == Role.PROFESSIONAL
        and organisation is not None
        and organisation.kind == OrganisationKind.LANDLORD
        and organisation.is_active
    )


def candidates_visible_to(user: Any) -> CandidateQuerySet:
    """The candidates of the user's own landlord on the user's territories; none otherwise."""
    from etage.alerts.models import Candidate

    if not may_see_candidates(user):
        return Candidate.objects.none()
    return Candidate.objects.filter(
        landlord_id=user.organisation_id, territory__in=user.territories.all()
    )


def get_candidate_for_user(user: Any, pk: Any, *, for_update: bool = False) -> Candidate:
    """The candidate if ``user`` may see it; otherwise 404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    queryset = candidates_visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    candidate = queryset.select_related("commune", "territory", "landlord").filter(pk=key).first()
    if candidate is None:
        raise Http404
    return candidate
