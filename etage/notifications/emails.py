"""E-mails of notifications: one per immediate notification, after the commit that created
it; one digest per person and day (``etage_send_digests``). Subjects and bodies are French
through gettext and carry the notification's text — references and dates, no names."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.accounts.models import User
from etage.notifications.models import Delivery, DigestRun, Notification
from etage.notifications.selectors import preferences_of, visible_notifications

logger = logging.getLogger(__name__)


def absolute(url: str) -> str:
    return settings.ETAGE_SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _message(user: User, subject: str, template: str, context: dict[str, object]) -> EmailMessage:
    body = render_to_string(
        template,
        {
            **context,
            "user": user,
            "site_url": settings.ETAGE_SITE_URL.rstrip("/"),
            "preferences_url": absolute(reverse("notifications:preferences")),
            "notifications_url": absolute(reverse("notifications:index")),
        },
    )
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_immediate(notification_ids: list[int]) -> int:
    """E-mail each of these notifications not e-mailed yet; returns how many were sent. Runs
    after the commit that created them (``transaction.on_commit``)."""
    notifications = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            emailed_at__isnull=True,
            delivery=Delivery.IMMEDIATE,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    if not notifications:
        return 0
    messages = []
    for n in notifications:
        # In the recipient's interface language, not that of the person whose action sent it.
        with translation.override(n.recipient.language or settings.LANGUAGE_CODE):
            messages.append(
                _message(
                    n.recipient,
                    _("ETAGE — %(kind)s") % {"kind": n.get_kind_display()},
                    "notifications/email/immediate.txt",
                    {"notification": n, "link": absolute(n.url)},
                )
            )
    sent = get_connection().send_messages(messages) or 0
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        emailed_at=timezone.now()
    )
    return sent


@dataclass(frozen=True)
class DigestReport:
    emails: int
    notifications: int
    skipped_users: int


def send_digests(day: dt.date) -> DigestReport:
    """One e-mail per person with what they have not received by e-mail yet and created up to
    the end of ``day``: only what they may still see and still want (their preference now).
    A person who already had the digest of ``day`` is skipped: running it again sends
    nothing."""
    tz = timezone.get_current_timezone()
    cutoff = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    pending = Notification.objects.filter(
        emailed_at__isnull=True,
        delivery__in=[Delivery.DIGEST, Delivery.IMMEDIATE],
        created_at__lt=cutoff,
    )
    served = DigestRun.objects.filter(day=day).values("user_id")
    users = (
        User.objects.filter(is_active=True, pk__in=pending.values("recipient_id"))
        .exclude(email="")
        .exclude(pk__in=served)
        .order_by("pk")
    )
    emails = notifications = skipped = 0
    connection = get_connection()
    for user in users:
        wanted = [kind for kind, delivery in preferences_of(user).items() if delivery != "off"]
        items = list(
            visible_notifications(user)
            .filter(pk__in=pending.filter(recipient=user).values("pk"), kind__in=wanted)
            .order_by("created_at", "pk")
        )
        if not items:
            skipped += 1
            continue
        try:
            with transaction.atomic():
                # The row first: a concurrent run for the same day fails here, not after
                # sending a second e-mail.
                DigestRun.objects.create(user=user, day=day, notifications=len(items))
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    subject = ngettext(
                        "ETAGE — your digest of %(date)s (%(n)s notification)",
                        "ETAGE — your digest of %(date)s (%(n)s notifications)",
                        len(items),
                    ) % {"date": day.strftime("%d/%m/%Y"), "n": len(items)}
                    message = _message(
                        user,
                        subject,
                        "notifications/email/digest.txt",
                        {
                            "day": day,
                            "items": [(n, absolute(n.url)) for n in items],
                        },
                    )
                connection.send_messages([message])
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                    emailed_at=timezone.now()
                )
        except IntegrityError:
            skipped += 1
            continue
        emails += 1
        notifications += len(items)
    return DigestReport(emails=emails, notifications=notifications, skipped_users=skipped)
