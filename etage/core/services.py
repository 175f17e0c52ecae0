"""Recording reads and changes of nominative data in the access log, and purging the log
after its own retention period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from etage.core.append_only import retention_purge
from etage.core.models import AccessAction, AccessLogEntry

#: ``provider(user, situation_id) -> reason`` for reads whose reason comes from elsewhere (an
#: administrator's emergency access, etage.breakglass): the first non-empty answer is recorded
#: when the caller gives none.
ACCESS_LOG_REASONS: list[Callable[[Any, int | None], str]] = []


def access_log_record(
    *,
    user: Any,
    action: AccessAction | str,
    obj: Any = None,
    situation_id: int | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AccessLogEntry:
    """Append one entry. Called by every view, download, export and API endpoint that reads
    nominative data, after the permission check and before the data is sent.

    ``obj`` is the model instance read; for a read of many rows at once (an export of a
    search), give ``object_type`` and ``object_id`` instead (e.g. ``"*"``)."""
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
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        situation_id=situation_id,
        reason=reason[:250],
    )


def access_log_record_many(
    *, user: Any, action: AccessAction | str, situations: Iterable[Any]
) -> int:
    """Append one entry per situation of a list shown by name (a page of search results, the
    referrals of a signaller), in one query; return how many."""
    organisation = getattr(user, "organisation", None)
    entries = [
        AccessLogEntry(
            user=user if getattr(user, "pk", None) else None,
            username=getattr(user, "username", "") or "",
            organisation_code=getattr(organisation, "code", "") if organisation else "",
            action=str(action),
            object_type=situation._meta.label_lower,
            object_id=str(situation.pk),
            situation_id=situation.pk,
        )
        for situation in situations
    ]
    return len(AccessLogEntry.objects.bulk_create(entries))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, or the month's last day when it has fewer days
    (31 March minus one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")  # pragma: no cover


def access_log_cutoff(*, today: dt.date) -> dt.datetime:
    """Entries recorded before this instant (midnight, local time, retention months before
    ``today``) are past their retention."""
    months: int = settings.ETAGE_ACCESS_LOG_RETENTION_MONTHS
    first_kept = months_before(today, months)
    return timezone.make_aware(dt.datetime.combine(first_kept, dt.time.min))


def access_log_expired_count(*, today: dt.date) -> int:
    """How many entries :func:`access_log_purge` would delete (the dry run's count)."""
    return AccessLogEntry.objects.filter(at__lt=access_log_cutoff(today=today)).count()


@transaction.atomic
def access_log_purge(*, today: dt.date) -> int:
    """Delete the entries older than ``ETAGE_ACCESS_LOG_RETENTION_MONTHS`` before ``today``;
    return how many. The only deletion of the log the application performs, inside
    :func:`retention_purge` (the database trigger refuses it anywhere else)."""
    expired = AccessLogEntry._base_manager.filter(at__lt=access_log_cutoff(today=today))
    with retention_purge():
        deleted, _ = expired.delete()
    return deleted
