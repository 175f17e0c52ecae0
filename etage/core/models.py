"""The access log (data-protection.md #10): who read, exported or changed nominative data,
when, on what, and why when a reason is required. Append-only from the application; issue 7
adds the database trigger, the search page for data-protection officers and its retention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etage.core.append_only import AppendOnlyModel


class AccessAction(models.TextChoices):
    READ = "read", _("Read")
    DOWNLOAD = "download", _("Download")
    EXPORT = "export", _("Export")
    CHANGE = "change", _("Change")


class AccessLogEntry(AppendOnlyModel):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    username = models.CharField(_("login"), max_length=150)
    organisation_code = models.CharField(_("organisation"), max_length=24, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object"), max_length=40)
    situation_id = models.BigIntegerField(_("situation"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = pgettext_lazy("access log", "access log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} "
            f"{self.object_type}:{self.object_id}"
        )
