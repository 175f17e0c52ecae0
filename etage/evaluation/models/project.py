"""An evaluation project and the evaluators who work on it (deny by default: a project is
reached by its members only, see :mod:`etage.evaluation.scope`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: Executive summary and method notes written by the evaluators for the report.
    summary = models.TextField(_("executive summary"), blank=True)
    method_limits = models.TextField(_("method and its limits"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: Optimistic concurrency: bumped at each change of the texts above.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("evaluation project")
        verbose_name_plural = _("evaluation projects")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead evaluator")
        CODER = "coder", _("Evaluator")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="evaluation_memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CODER)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="evaluation_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.user}"
