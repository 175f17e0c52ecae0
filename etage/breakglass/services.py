"""Opening an emergency access: check → execute → record."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.breakglass.models import BreakGlassGrant
from etage.situations.models import Situation

#: A reason must say something: at least this many characters.
MIN_REASON_LENGTH = 20


class BreakGlassError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def break_glass_open(
    *, user: User, reference: str, reason: str, now: dt.datetime | None = None
) -> BreakGlassGrant:
    """Give administrator ``user`` read-only access to the situation ``reference`` for
    ``ETAGE_BREAK_GLASS_MINUTES``; the data-protection officers are told after the commit."""
    if not (user.is_active and user.is_administrator):
        raise PermissionError("Only administrators open an emergency access.")
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise BreakGlassError(
            _(
                "State the reason in at least %(n)s characters: it is shown to the "
                "data-protection officer."
            )
            % {"n": MIN_REASON_LENGTH}
        )
    situation = Situation.objects.filter(reference=reference.strip().upper()).first()
    if situation is None or not reference.strip():
        raise BreakGlassError(_("No situation has this reference."))
    now = now or timezone.now()
    # One open access per administrator and situation: two clicks make one grant.
    User.objects.select_for_update().filter(pk=user.pk).first()
    current = BreakGlassGrant.objects.filter(
        user=user, situation=situation, started_at__lte=now, expires_at__gt=now
    ).first()
    if current is not None:
        return current
    grant = BreakGlassGrant.objects.create(
        user=user,
        situation=situation,
        situation_reference=situation.reference or "",
        reason=reason,
        started_at=now,
        expires_at=now + dt.timedelta(minutes=settings.ETAGE_BREAK_GLASS_MINUTES),
    )
    from etage.notifications.dispatch import break_glass_opened

    transaction.on_commit(partial(break_glass_opened, grant.pk), robust=True)
    return grant
