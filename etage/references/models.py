"""Reference lists that administrators edit in the back-office (configuration, never case
data): the themes of the shared plan and suggested actions for each theme.

Labels are data, in French, because administrators write them; codes are stable English
identifiers that exports and the evaluation may use.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{1,39}$",
    _("Lower-case letters, digits and underscores (2 to 40 characters), e.g. budget_debt."),
)


class ThemeQuerySet(models.QuerySet["Theme"]):
    def active(self) -> ThemeQuerySet:
        return self.filter(active=True)


class Theme(models.Model):
    """A theme of the shared plan (budget and debt, rights, housing…)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CODE_VALIDATOR])
    label = models.CharField(_("label"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive themes are no longer offered.")
    )

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan theme")
        verbose_name_plural = _("plan themes")
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


class ActionTemplateQuerySet(models.QuerySet["ActionTemplate"]):
    def active(self) -> ActionTemplateQuerySet:
        return self.filter(active=True, theme__active=True)


class ActionTemplate(models.Model):
    """A suggested action for a theme; people may still write their own."""

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), related_name="action_templates", on_delete=models.CASCADE
    )
    label = models.CharField(_("label"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    objects = ActionTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggested action")
        verbose_name_plural = _("suggested actions")
        ordering = ["theme__order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "label"], name="action_template_unique")
        ]

    def __str__(self) -> str:
        return self.label
