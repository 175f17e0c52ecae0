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


#: Beyond this many unread notifications, :func:`unread_count` counts in the database.
UNREAD_LISTED = 200


def unread_count(user: Any) -> int:
    """How many of :func:`visible_notifications` are unread: the header of every page.

    The door's count, in fewer steps in the usual cases. The unread rows are listed first
    (one indexed query): nothing unread, nothing more to do; when they all need the same
    access, only the situations they name are checked, in one scoped query. Otherwise (several
    accesses, or more than :data:`UNREAD_LISTED` rows) the database counts through the door,
    whose single query is then cheaper than one per access."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    unread = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "kind", "situation_id"
        )[: UNREAD_LISTED + 1]
    )
    if not unread:
        return 0
    actions = {
        REQUIRED_ACTION.get(kind) for kind, situation_id in unread if situation_id is not None
    }
    if len(unread) > UNREAD_LISTED or len(actions) > 1 or None in actions:
        return visible_notifications(user).filter(read_at__isnull=True).count()
    ids = {situation_id for _kind, situation_id in unread if situation_id is not None}
    seen: set[int] = set()
    if actions:
        (action,) = actions
        assert action is not None  # refused above
        seen = set(
            situations_visible_to(user, action).filter(pk__in=ids).values_list("pk", flat=True)
        )
    return sum(1 for _kind, situation_id in unread if situation_id is None or situation_id in seen)


def preferences_of(user: Any) -> dict[str, str]:
    """Delivery of each kind for ``user``: their choices over the defaults."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind.values}
