"""Reads of emergency accesses: the open grant behind a read (for the access log's reason and
the permission door), and the register shown to data-protection officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from etage.accounts.roles import Role
from etage.breakglass.models import BreakGlassGrant
from etage.core.models import AccessLogEntry


def open_grants(user: Any, now: dt.datetime | None = None) -> QuerySet[BreakGlassGrant]:
    """The emergency accesses of ``user`` open now (none for anyone but an administrator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return BreakGlassGrant.objects.none()
    if not user.is_administrator:
        return BreakGlassGrant.objects.none()
    now = now or timezone.now()
    return BreakGlassGrant.objects.filter(user=user, started_at__lte=now, expires_at__gt=now)


def access_log_reason(user: Any, situation_id: int | None) -> str:
    """The reason the access log records for a read under an emergency access."""
    if situation_id is None or getattr(user, "role", None) != Role.ADMIN:
        return ""
    grant = open_grants(user).filter(situation_id=situation_id).order_by("-started_at").first()
    if grant is None:
        return ""
    return f"break-glass #{grant.pk}: {grant.reason}"[:250]


@dataclass(frozen=True)
class GrantRow:
    grant: BreakGlassGrant
    is_open: bool
    reads: list[AccessLogEntry]


def register_for(user: Any, now: dt.datetime | None = None) -> list[GrantRow]:
    """Every emergency access on the situations of the data-protection officer's territories
    (and those of purged situations), newest first, with the pages read under each."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.DPO:
        return []
    now = now or timezone.now()
    grants = list(
        BreakGlassGrant.objects.filter(
            Q(situation__platform__territory__in=user.territories.all()) | Q(situation__isnull=True)
        )
        .select_related("user__organisation")
        .order_by("-started_at", "-id")[:200]
    )
    rows = []
    for grant in grants:
        reads = list(
            AccessLogEntry.objects.filter(
                user_id=grant.user_id,
                situation_id=grant.situation_id,
                at__gte=grant.started_at,
                at__lte=grant.expires_at,
            ).order_by("at", "id")
        )
        rows.append(GrantRow(grant=grant, is_open=grant.expires_at > now, reads=reads))
    return rows
