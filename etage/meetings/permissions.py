"""Who may reach a platform's meetings (deny by default, 404 otherwise).

- The **coordinators of the platform** (role ``coordinator`` with the platform's territory
  assigned) prepare the agenda, run the meeting and record decisions.
- The **professionals of its member organisations** (roles ``professional`` and
  ``coordinator`` in an organisation with an active membership) see the meetings, export the
  calendar and download the minutes: the members' version shows them nominative details only
  for the situations their organisation shares (see :mod:`etage.reports.minutes`).
- Everyone else — signallers, rent recovery, steering, evaluators, data-protection officers,
  administrators, other platforms — gets a 404.

Situations on an agenda are reached only through
:func:`etage.situations.permissions.situations_visible_to`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from etage.accounts.roles import Role
from etage.territories.models import Platform

if TYPE_CHECKING:
    from etage.meetings.models import Meeting

#: Roles of the people who take part in platform meetings.
MEMBER_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR})


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def coordinated_platforms(user: Any) -> QuerySet[Platform]:
    """Platforms whose meetings ``user`` runs."""
    if not _active(user) or user.role != Role.COORDINATOR:
        return Platform.objects.none()
    return Platform.objects.filter(territory__in=user.territories.all())


def member_platforms(user: Any) -> QuerySet[Platform]:
    """Platforms whose meetings ``user`` may see: those they coordinate and those their
    organisation is an active member of (for the roles that take part in meetings)."""
    if not _active(user) or user.role not in MEMBER_ROLES:
        return Platform.objects.none()
    condition = Q(pk__in=coordinated_platforms(user).values("pk"))
    if user.organisation_id is not None:
        condition |= Q(
            memberships__organisation_id=user.organisation_id, memberships__is_active=True
        )
    return Platform.objects.filter(condition).distinct()


def is_platform_coordinator(user: Any, platform: Platform) -> bool:
    return coordinated_platforms(user).filter(pk=platform.pk).exists()


def get_platform_for_user(user: Any, pk: Any, *, manage: bool = False) -> Platform:
    """The platform if ``user`` may see its meetings (or run them, with ``manage``); else 404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    scope = coordinated_platforms(user) if manage else member_platforms(user)
    platform = scope.select_related("territory").filter(pk=key).first()
    if platform is None:
        raise Http404
    return platform


def get_meeting_for_user(user: Any, pk: Any, *, manage: bool = False) -> Meeting:
    """The meeting if ``user`` may see it (or run it, with ``manage``); else 404."""
    from etage.meetings.models import Meeting

    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    scope = coordinated_platforms(user) if manage else member_platforms(user)
    meeting = (
        Meeting.objects.select_related("platform__territory")
        .filter(pk=key, platform__in=scope.values("pk"))
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting
