"""The access log (data-protection.md #10): who read, exported or changed nominative data,
when, on what, and why when a reason is required. Append-only in the application and, on
PostgreSQL, by a database trigger (etage/core/append_only.py); searched and exported by
data-protection officers (etage/core/audit.py); purged after its own retention period by the
retention job (etage/core/retention.py), whose reports are :class:`RetentionReport` rows."""

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
    # The entry outlives the account: deleting a user must not rewrite the log (the trigger
    # would refuse the SET NULL anyway), so no database constraint and no cascade; the login
    # is copied in ``username``.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
    )
    username = models.CharField(_("login"), max_length=150)
    organisation_code = models.CharField(_("organisation"), max_length=24, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object"), max_length=40)
    situation_id = models.BigIntegerField(_("situation"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = pgettext_lazy("access log", "access log")
        ordering = ["-at", "-id"]
        # The data-protection officers' search filters on these, newest first (audit.py).
        indexes = [
            models.Index(fields=["username", "-at"], name="core_log_user_at"),
            models.Index(fields=["organisation_code", "-at"], name="core_log_org_at"),
            models.Index(fields=["object_type", "-at"], name="core_log_type_at"),
            models.Index(fields=["situation_id", "-at"], name="core_log_situation_at"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} "
            f"{self.object_type}:{self.object_id}"
        )


class RetentionReport(models.Model):
    """One run of ``manage.py etage_retention``: when, whether it was a dry run, and how many
    rows each step removed (or would remove). Counts only, never what was removed."""

    run_at = models.DateTimeField(_("run at"), auto_now_add=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("retention report")
        verbose_name_plural = _("retention reports")
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.run_at:%Y-%m-%d %H:%M} {self.counts}"
