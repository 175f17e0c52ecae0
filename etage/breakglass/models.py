"""Administrators' break-glass (data-protection.md #8): an administrator states why they must
read one situation; they get read-only access to its pages for a set time, every read is
written in the access log with that reason, and data-protection officers see the grant."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.core.append_only import AppendOnlyModel


class BreakGlassGrant(AppendOnlyModel):
    """One emergency access. Written once, never changed: it expires by time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("administrator"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    # A purged situation leaves the grant (and its reference) for the DPO's record.
    situation = models.ForeignKey(
        "situations.Situation",
        verbose_name=_("situation"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    situation_reference = models.CharField(_("situation reference"), max_length=20)
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("start"), db_index=True)
    expires_at = models.DateTimeField(_("expiry"))

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "situation", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="break_glass_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.situation_reference} {self.started_at:%Y-%m-%d %H:%M}"
