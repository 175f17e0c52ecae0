"""Writes of notifications by their recipient: mark as read, choose how each kind comes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from etage.notifications.models import Delivery, Notification, NotificationKind
from etage.notifications.models import NotificationPreference as Preference
from etage.notifications.selectors import visible_notifications


def notification_for_user(user: Any, pk: Any) -> Notification:
    """One of ``user``'s visible notifications, or 404 (someone else's, or about a situation
    they may no longer see)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    notification = visible_notifications(user).filter(pk=key).first()
    if notification is None:
        raise Http404
    return notification


@transaction.atomic
def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    notification = notification_for_user(user, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    return int(
        Notification.objects.filter(
            pk__in=visible_notifications(user).filter(read_at__isnull=True).values("pk")
        ).update(read_at=timezone.now())
    )


@transaction.atomic
def preferences_save(*, user: Any, deliveries: Mapping[str, str]) -> None:
    """Record how each kind comes; unknown kinds or deliveries are refused (ValueError)."""
    for kind, delivery in deliveries.items():
        if kind not in NotificationKind.values or delivery not in Delivery.values:
            raise ValueError(f"{kind}={delivery}")
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
