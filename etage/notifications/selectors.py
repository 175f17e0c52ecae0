"""Reads of notifications. :func:`visible_notifications` is the only door: a notification
whose situation the person may no longer see (a share ended, consent withdrawn) disappears
from the page, the unread count and the digest — it must not reveal the situation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from etage.notifications.models import (
    DEFAULT_DELIVERY,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from etage.situations.permissions import situations_visible_to
from etage.situations.permissions_matrix import Action

#: What a person must be allowed on the situation to receive, and to keep seeing, each kind:
#: what its link opens (the situation, the shared plan and reviews, the procedure section).
REQUIRED_ACTION: dict[str, Action] = {
    NotificationKind.SHARE: Action.VIEW,
    NotificationKind.DECISION: Action.VIEW,
    NotificationKind.ACTION: Action.VIEW_SOCIAL,
    NotificationKind.DEADLINE: Action.VIEW_MILESTONES,
    NotificationKind.REVIEW: Action.VIEW_SOCIAL,
}


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """``user``'s notifications whose situation they may still see, with the access each kind
    needs (one query, with a subquery per access)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    by_action: dict[Action, list[str]] = {}
    for kind, action in REQUIRED_ACTION.items():
        by_action.setdefault(action, []).append(kind)
    condition = Q(situation__isnull=True)
    for action, kinds in by_action.items():
        condition |= Q(
            kind__in=kinds, situation__in=situations_visible_to(user, action).values("pk")
        )
    return Notification.objects.filter(recipient=user).filter(condition)


def unread_count(user: Any) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def preferences_of(user: Any) -> dict[str, str]:
    """Delivery of each kind for ``user``: their choices over the defaults."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind.values}
