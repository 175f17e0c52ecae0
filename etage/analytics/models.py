"""Stored analytics (issue 8).

Indicators: :class:`IndicatorDefinition` (the catalogue of ``catalogue.py`` as rows, upserted
at each computation) and :class:`IndicatorValue` (one figure per indicator, period, territory
and breakdown). Values are anonymous statistics, never linked to a situation, so they survive
the purges (data-protection.md #12); periods older than their indicator's finality lag are
never overwritten (``indicators.store_indicators``).

:class:`CostParameter`: the editable, sourced annual cost of each support level, from which
the cost per household is computed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorDefinition(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    family = models.CharField(_("family"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    formula = models.TextField(_("formula"))
    sources = models.JSONField(_("source events and columns"), default=list)
    unit = models.CharField(_("unit"), max_length=16)
    caveats = models.TextField(_("caveats"), blank=True)
    breakdowns = models.JSONField(_("breakdowns allowed"), default=list)
    final_after_months = models.PositiveSmallIntegerField(_("final after (months)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator definition")
        verbose_name_plural = _("indicator definitions")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return self.code


class IndicatorValue(models.Model):
    code = models.CharField(_("indicator"), max_length=64)
    #: "YYYY-MM" (month) or "YYYY" (year).
    period = models.CharField(_("period"), max_length=7)
    #: Territory code, "" for all territories together.
    territory = models.CharField(_("territory"), max_length=32, blank=True)
    dimension = models.CharField(_("breakdown"), max_length=32)
    key = models.CharField(_("breakdown value"), max_length=64, blank=True)
    value = models.FloatField(_("value"), null=True)
    #: Situations (or meetings) behind the figure: what small-cell suppression looks at.
    cases = models.PositiveIntegerField(_("cases"))
    computed_at = models.DateTimeField(_("computed at"))
    snapshot = models.CharField(_("snapshot fingerprint"), max_length=16)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "period", "territory", "dimension", "key"],
                name="indicator_value_once",
            )
        ]
        indexes = [
            models.Index(fields=["territory", "period"], name="indicator_value_scope"),
            # The years a dashboard offers: the codes and periods of the territory's "all"
            # figures, read from the index alone.
            models.Index(
                fields=["territory", "dimension", "period", "code"], name="indicator_value_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.period} {self.territory or '*'} {self.dimension}={self.key}"


class CostParameter(models.Model):
    """What one year of a support level costs (staff, overheads), with its source: the cost
    per household divides it by the households supported at that level that year."""

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=16)
    #: Territory code, "" for the whole experiment.
    territory = models.CharField(_("territory"), max_length=32, blank=True)
    annual_cost = models.DecimalField(_("annual cost (€)"), max_digits=12, decimal_places=2)
    fte = models.DecimalField(_("staff (FTE)"), max_digits=6, decimal_places=2, default=0)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("cost parameter")
        verbose_name_plural = _("cost parameters")
        ordering = ["year", "territory", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "territory"], name="cost_parameter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.territory or '*'} {self.level}"


# -- Reference-pathway rules (compliance.py) -----------------------------------------------


class ReferenceRule(models.Model):
    """A rule of the reference pathway whose compliance the evaluators measure
    (``etage.analytics.compliance``). Rules are configuration: no personal data."""

    class Kind(models.TextChoices):
        WITHIN = "within", _("Activity followed by another within a delay")
        EVERY = "every", _("Activity repeated at least every N days while in a status")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    #: "within": the activity that starts the delay (its first occurrence).
    source_activity = models.CharField(_("from activity"), max_length=64, blank=True)
    #: "within": activities that satisfy the rule (any of them, comma-separated);
    #: "every": the activity that must recur.
    target_activities = models.CharField(_("expected activities"), max_length=300)
    days = models.PositiveIntegerField(_("delay (days)"))
    #: "within": measure only the cases that reached an expected activity (the delay among
    #: those who got there), instead of counting the missing ones as deviations.
    only_reached = models.BooleanField(_("only cases that reached it"), default=False)
    #: "every": the status during which the activity must recur.
    status = models.CharField(_("while in status"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reference-pathway rule")
        verbose_name_plural = _("reference-pathway rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["within", "every"]),
                name="reference_rule_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.target_activities.split(",") if t.strip())
