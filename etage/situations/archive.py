"""Reads of an archived situation need a stated reason (data-protection.md #12).

One check, in :func:`etage.situations.permissions.get_situation_for_user` (the door every page
of a situation goes through): during a web request, an archived situation is given only to
someone who stated, in this session, why they read it — else
:class:`ArchiveReasonRequired`, which :class:`etage.situations.middleware.ArchiveReadMiddleware`
turns into the reason form. A reason opens the situation for ``ETAGE_ARCHIVE_READ_MINUTES``
in this session only; stating it writes a ``read`` entry with the reason, and every read
logged during the grant carries it (an ``ACCESS_LOG_REASONS`` provider).

Outside a web request (the retention job, management commands, services called by tests)
there is no one to ask and nothing is shown: the check does not apply.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.situations.choices import Status

#: The request being served (set by the middleware), so the door can ask its session.
current_request: ContextVar[HttpRequest | None] = ContextVar(
    "etage_archive_current_request", default=None
)

#: Session key: {"<situation id>": {"reason": str, "until": ISO datetime}}.
SESSION_KEY = "etage_archive_reads"

#: A reason must say something.
MIN_REASON_LENGTH = 10


class ArchiveReasonRequired(Exception):
    def __init__(self, situation_id: int) -> None:
        super().__init__(situation_id)
        self.situation_id = situation_id


class ArchiveReasonRefused(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _grants(request: HttpRequest) -> dict[str, dict[str, str]]:
    session = getattr(request, "session", None)
    if session is None:
        return {}
    grants = session.get(SESSION_KEY)
    return grants if isinstance(grants, dict) else {}


def archive_read_reason(
    request: HttpRequest, situation_id: int, *, now: dt.datetime | None = None
) -> str:
    """The reason stated in this session for ``situation_id``, while it is valid; else ""."""
    grant = _grants(request).get(str(situation_id))
    if not isinstance(grant, dict):
        return ""
    try:
        until = dt.datetime.fromisoformat(str(grant.get("until", "")))
    except ValueError:
        return ""
    if until <= (now or timezone.now()):
        return ""
    return str(grant.get("reason", ""))


def check_archive_read(situation: Any) -> None:
    """Raise :class:`ArchiveReasonRequired` when a web request reads an archived situation
    without a valid stated reason."""
    if situation.status != Status.ARCHIVED:
        return
    request = current_request.get()
    if request is None:
        return
    if not archive_read_reason(request, situation.pk):
        raise ArchiveReasonRequired(situation.pk)


def clean_reason(reason: str) -> str:
    from etage.households.validators import reject_national_identifier

    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_LENGTH:
        raise ArchiveReasonRefused(
            [
                _("State why you read this archived situation, in at least %(n)s characters.")
                % {"n": MIN_REASON_LENGTH}
            ]
        )
    try:
        reject_national_identifier(reason)
    except ValidationError as exc:
        raise ArchiveReasonRefused(list(exc.messages)) from None
    return reason[:250]


def archive_read_open(
    *, request: HttpRequest, situation: Any, reason: str, now: dt.datetime | None = None
) -> dt.datetime:
    """Open ``situation`` (archived, already checked visible to the user) for this session
    with ``reason``; write the ``read`` entry with the reason. Returns when it ends."""
    from etage.core.models import AccessAction
    from etage.core.services import access_log_record

    reason = clean_reason(reason)
    until = (now or timezone.now()) + dt.timedelta(minutes=settings.ETAGE_ARCHIVE_READ_MINUTES)
    grants = dict(_grants(request))
    grants[str(situation.pk)] = {"reason": reason, "until": until.isoformat()}
    request.session[SESSION_KEY] = grants
    access_log_record(
        user=request.user,
        action=AccessAction.READ,
        obj=situation,
        situation_id=situation.pk,
        reason=reason,
    )
    return until


def access_log_reason(user: Any, situation_id: int | None) -> str:
    """``ACCESS_LOG_REASONS`` provider: a read of an opened archived situation carries the
    reason stated for it."""
    request = current_request.get()
    if request is None or situation_id is None:
        return ""
    return archive_read_reason(request, situation_id)
