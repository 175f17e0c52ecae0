from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.situations.choices import Source, Status, Urgency
from etage.situations.models import Situation


class ReferralStatus(models.TextChoices):
    """What a signaller may know of the situation they referred: coarse, never the detail."""

    RECEIVED = "received", _("Received by the platform")
    IN_PROGRESS = "in_progress", _("Being assessed")
    SUPPORTED = "supported", _("Support under way")
    CLOSED = "closed", _("Closed")


_REFERRAL_STATUS = {
    Status.IDENTIFIED: ReferralStatus.RECEIVED,
    Status.INFORMED: ReferralStatus.IN_PROGRESS,
    Status.CONTACTED: ReferralStatus.IN_PROGRESS,
    Status.UNREACHABLE: ReferralStatus.IN_PROGRESS,
    Status.ASSESSED: ReferralStatus.IN_PROGRESS,
    Status.ORIENTED: ReferralStatus.SUPPORTED,
    Status.IN_SUPPORT: ReferralStatus.SUPPORTED,
    Status.SUSPENDED: ReferralStatus.SUPPORTED,
    Status.CLOSED: ReferralStatus.CLOSED,
    Status.ARCHIVED: ReferralStatus.CLOSED,
}


def referral_status_of(status: str) -> ReferralStatus:
    """The coarse status a referrer sees for a situation status."""
    return _REFERRAL_STATUS[Status(status)]


def situation_statuses_of(referral_status: str) -> list[str]:
    """The situation statuses a referrer sees as ``referral_status``."""
    return [s.value for s, r in _REFERRAL_STATUS.items() if r == referral_status]


class Referral(models.Model):
    """A signal ("signalement") by one person. Several referrals may point at one situation
    when the household was already known."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="referrals", on_delete=models.CASCADE
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        related_name="referrals",
        on_delete=models.SET_NULL,
        null=True,
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="+", on_delete=models.PROTECT
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    difficulties = models.JSONField(_("difficulties"), default=list)
    description = models.TextField(
        _("description"), blank=True, validators=[reject_national_identifier]
    )
    joined_existing = models.BooleanField(_("added to an existing situation"), default=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.situation} {self.submitted_at:%Y-%m-%d}"

    @property
    def public_status(self) -> ReferralStatus:
        return referral_status_of(self.situation.status)
