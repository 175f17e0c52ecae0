"""Case studies read at 360° (evaluation.md part B): drawn by stratified sampling over the
pseudonymised snapshot (the draw recorded so it can be verified), the pathway timeline of the
case plus three interviews, excerpts pinned to moments of the timeline, and the triangulation
matrices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models.choices import CaseSource, Verdict
from etage.evaluation.models.coding import Code, Segment
from etage.evaluation.models.project import Project


class CaseDraw(models.Model):
    """One stratified draw (:class:`etage.evaluation.sampling.Draw` as JSON): seed,
    parameters, filters, population fingerprint and the cases drawn."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="draws"
    )
    draw = models.JSONField(_("draw"))
    seed = models.BigIntegerField(_("seed"))
    snapshot = models.CharField(_("snapshot fingerprint"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    #: The last verification against a snapshot, kept so that every member of the project sees
    #: whether the draw still reproduces (evidence of the method, not a session detail).
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    verified_ok = models.BooleanField(_("verified"), null=True, blank=True)
    verification_reasons = models.JSONField(_("why it was not verified"), default=list, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case draw")
        verbose_name_plural = _("case draws")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} #{self.pk} (seed {self.seed})"


class CaseStudy(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="case_studies"
    )
    #: The snapshot's keyed pseudonym of the situation (never a situation id).
    case_id = models.CharField(_("pseudonymised case"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    #: Strata at the time of the draw (territory code, support level, outcome family).
    territory = models.CharField(_("territory"), max_length=32, blank=True)
    level = models.CharField(_("level"), max_length=32, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    draw = models.ForeignKey(
        CaseDraw,
        verbose_name=_("draw"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_studies",
    )
    summary = models.TextField(_("case summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["project", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "case_id"], name="evaluation_case_once")
        ]

    def __str__(self) -> str:
        return self.title


class TimelinePin(models.Model):
    """A coded excerpt pinned to a moment of the case's pathway timeline (an event of the
    snapshot, identified by its activity and its day counted from the case's start)."""

    case_study = models.ForeignKey(
        CaseStudy, verbose_name=_("case study"), on_delete=models.CASCADE, related_name="pins"
    )
    segment = models.ForeignKey(
        Segment, verbose_name=_("excerpt"), on_delete=models.CASCADE, related_name="pins"
    )
    activity = models.CharField(_("moment"), max_length=64)
    day = models.IntegerField(_("day of the pathway"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("timeline pin")
        verbose_name_plural = _("timeline pins")
        ordering = ["case_study", "day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "segment", "activity", "day"], name="evaluation_pin_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_study} J{self.day} {self.activity}"


class TriangulationCell(models.Model):
    """Theme × source of one case: does this source converge with the others on the theme,
    diverge, or say nothing?"""

    case_study = models.ForeignKey(
        CaseStudy,
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="triangulation",
    )
    theme = models.ForeignKey(
        Code, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=32, choices=CaseSource.choices)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("triangulation cell")
        verbose_name_plural = _("triangulation cells")
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "theme", "source"], name="evaluation_triangulation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_study} {self.theme} {self.source}"


class CrossCaseCell(models.Model):
    """Case × evaluative question: what this case says about the question."""

    case_study = models.ForeignKey(
        CaseStudy,
        verbose_name=_("case study"),
        on_delete=models.CASCADE,
        related_name="cross_case",
    )
    question = models.ForeignKey(
        "evaluation.EvaluativeQuestion",
        verbose_name=_("evaluative question"),
        on_delete=models.CASCADE,
        related_name="cross_case",
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    finding = models.TextField(_("finding"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("cross-case cell")
        verbose_name_plural = _("cross-case cells")
        constraints = [
            models.UniqueConstraint(
                fields=["case_study", "question"], name="evaluation_cross_case_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_study} {self.question}"
