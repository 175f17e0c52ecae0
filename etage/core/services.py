"""Recording reads and changes of nominative data in the access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from etage.core.models import AccessAction, AccessLogEntry

#: ``provider(user, situation_id) -> reason`` for reads whose reason comes from elsewhere (an
#: administrator's emergency access, etage.breakglass): the first non-empty answer is recorded
#: when the caller gives none.
ACCESS_LOG_REASONS: list[Callable[[Any, int | None], str]] = []


def access_log_record(
    *,
    user: Any,
    action: AccessAction | str,
    obj: Any,
    situation_id: int | None = None,
    reason: str = "",
) -> AccessLogEntry:
    """Append one entry. Called by every view, download, export and API endpoint that reads
    nominative data, after the permission check and before the data is sent."""
    if not reason:
        reason = next(
            (r for provider in ACCESS_LOG_REASONS if (r := provider(user, situation_id))), ""
        )
    organisation = getattr(user, "organisation", None)
    return AccessLogEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        organisation_code=getattr(organisation, "code", "") if organisation else "",
        action=str(action),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        situation_id=situation_id,
        reason=reason,
    )
