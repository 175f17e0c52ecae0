"""The evaluation matrix and the logic model (evaluation.md part F): evaluative question →
criterion → judgement criteria → indicators (the computed catalogue of the analytics) →
sources (codes, case studies, workshops) → findings → recommendations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models.choices import Criterion, LogicStage, Priority
from etage.evaluation.models.project import Project


class EvaluativeQuestion(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="questions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("evaluative question"))
    criterion = models.CharField(_("criterion"), max_length=16, choices=Criterion.choices)
    judgement_criteria = models.TextField(_("judgement criteria"), blank=True)
    indicators = models.ManyToManyField(
        "analytics.IndicatorDefinition",
        verbose_name=_("indicators"),
        blank=True,
        related_name="+",
    )
    #: Sources other than the codes (which link to questions themselves).
    case_studies = models.ManyToManyField(
        "evaluation.CaseStudy", verbose_name=_("case studies"), blank=True, related_name="+"
    )
    workshops = models.ManyToManyField(
        "evaluation.Workshop", verbose_name=_("workshops"), blank=True, related_name="+"
    )
    findings = models.TextField(_("findings"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("evaluative question")
        verbose_name_plural = _("evaluative questions")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="evaluation_question_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.text}"


class Recommendation(models.Model):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    question = models.ForeignKey(
        EvaluativeQuestion,
        verbose_name=_("evaluative question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    text = models.TextField(_("recommendation"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["project", "priority", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class LogicModelNode(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="logic_model"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=LogicStage.choices)
    text = models.CharField(_("element"), max_length=300)
    indicators = models.ManyToManyField(
        "analytics.IndicatorDefinition",
        verbose_name=_("indicators"),
        blank=True,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("logic model element")
        verbose_name_plural = _("logic model elements")
        ordering = ["project", "stage", "position", "pk"]

    def __str__(self) -> str:
        return self.text
