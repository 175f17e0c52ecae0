"""Scale-up scenarios (issue 10; evaluation.md part E), kept in an evaluation project so that
the workspace's one door (:mod:`etage.evaluation.scope`) decides who reaches them.

- :class:`ContextFigure`: the editable, sourced context figures (housing stock of France, of
  the metropolis, of each landlord…) a scenario's scale is taken from;
- :class:`Scenario`: the parameters as a versioned ``etage-scenario/1`` document
  (:mod:`.params`), validated before every save;
- :class:`ScenarioRun`: one run (seed, replications, the parameters as run, the results),
  computed in the background with its progress;
- :class:`ProspectiveVariable` / :class:`Hypothesis`: the prospective table (morphological
  analysis): each scenario is tied to one hypothesis per key variable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ContextFigure(models.Model):
    key = models.SlugField(_("key"), max_length=64, unique=True)
    label = models.CharField(_("figure"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    #: Scales a scenario may start from carry a housing stock.
    is_scale = models.BooleanField(_("housing stock of a scale"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("context figure")
        verbose_name_plural = _("context figures")
        ordering = ["-is_scale", "label"]

    def __str__(self) -> str:
        return self.label


class ProspectiveVariable(models.Model):
    project = models.ForeignKey(
        "evaluation.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="prospective_variables",
    )
    name = models.CharField(_("key variable"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("key variable")
        verbose_name_plural = _("key variables")
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Hypothesis(models.Model):
    variable = models.ForeignKey(
        ProspectiveVariable,
        verbose_name=_("key variable"),
        on_delete=models.CASCADE,
        related_name="hypotheses",
    )
    label = models.CharField(_("hypothesis"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: The quantitative side: scenario parameters this hypothesis sets, as
    #: {"identification_rate": 0.015, "levels.agr.share": 0.25, …}.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("hypothesis")
        verbose_name_plural = _("hypotheses")
        ordering = ["variable", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class Scenario(models.Model):
    project = models.ForeignKey(
        "evaluation.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="scenarios",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: The ``etage-scenario/1`` document (validated by :func:`.params.scenario_from_dict`).
    parameters = models.JSONField(_("parameters"))
    #: Where the durations came from ("observed <snapshot fingerprint>", "hypothesis").
    durations_source = models.CharField(_("source of the durations"), max_length=200, blank=True)
    hypotheses = models.ManyToManyField(
        Hypothesis, verbose_name=_("hypotheses"), blank=True, related_name="scenarios"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["project", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class ScenarioRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", pgettext_lazy("simulation run", "Done")
        FAILED = "failed", _("Failed")

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="runs"
    )
    seed = models.BigIntegerField(_("seed"))
    replications = models.PositiveIntegerField(_("replications"))
    #: The parameters as run (the scenario may change later; the run stays reproducible).
    parameters = models.JSONField(_("parameters as run"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveIntegerField(_("replications done"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    tornado = models.JSONField(_("sensitivity"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scenario run")
        verbose_name_plural = _("scenario runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.seed})"
