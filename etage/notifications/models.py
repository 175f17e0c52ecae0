"""In-app notifications, their e-mail delivery and each person's preferences.

A notification names a situation by its **reference** only: its text is built from a
translated template with codes, dates and references — never a household's name, a note, a
sensitive difficulty or a plan action's wording (data-protection.md, "Notifications"). Rows
are created only by :mod:`etage.notifications.dispatch`, after checking that the recipient may
see the situation; every read goes through
:func:`etage.notifications.selectors.visible_notifications`, which checks it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.situations.models import Situation


class NotificationKind(models.TextChoices):
    SHARE = "share", _("New situation shared with my organisation")
    DECISION = "decision", _("Platform decision concerning me")
    ACTION = "action", _("Plan action given to me or my organisation")
    DEADLINE = "deadline", _("Procedure deadline approaching")
    REVIEW = "review", _("Support review due")
    #: For data-protection officers; about no situation the officer could open (reference only).
    BREAK_GLASS = "break_glass", _("Emergency access opened by an administrator")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Right away (in ETAGE and by e-mail)")
    DIGEST = "digest", _("In ETAGE, and once a day in a digest e-mail")
    OFF = "off", _("Never")


#: What each kind is by default: what someone did that concerns me comes right away; the
#: reminders computed every night come in the digest.
DEFAULT_DELIVERY: dict[str, str] = {
    NotificationKind.SHARE: Delivery.IMMEDIATE,
    NotificationKind.DECISION: Delivery.IMMEDIATE,
    NotificationKind.ACTION: Delivery.IMMEDIATE,
    NotificationKind.DEADLINE: Delivery.DIGEST,
    NotificationKind.REVIEW: Delivery.DIGEST,
    NotificationKind.BREAK_GLASS: Delivery.IMMEDIATE,
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        related_name="notifications",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    # A purged situation takes its notifications with it.
    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        related_name="+",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    #: What the notification is about (``share:12``, ``deadline:4:caf_report:2026-12-01``…):
    #: one notification per recipient and key, so that repeating a run creates nothing.
    key = models.CharField(_("key"), max_length=120)
    #: How it is delivered by e-mail, as the recipient's preference said when it was created.
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "delivery"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=[Delivery.IMMEDIATE, Delivery.DIGEST]),
                name="notification_delivery_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.key}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants one kind of notification; missing rows take
    :data:`DEFAULT_DELIVERY`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="notification_preferences",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="notification_preference_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values),
                name="notification_preference_delivery_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.delivery}"


class DigestRun(models.Model):
    """One digest e-mail sent to one person for one day: a second run for that day skips
    them (``etage_send_digests`` is idempotent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), related_name="+", on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    notifications = models.PositiveIntegerField(_("notifications sent"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
