from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from etage.notifications.dispatch import NOTIFIED_ROLES


class _UnreadCount:
    """Counted when a template first asks, once: pages and fragments that do not show the
    header cost no query."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            from etage.notifications.selectors import unread_count

            self._value = unread_count(self.user)
        return self._value


def notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in NOTIFIED_ROLES:
        return {"notifications_enabled": False}
    return {"notifications_enabled": True, "notifications_unread": _UnreadCount(user)}
