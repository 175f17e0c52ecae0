"""The interview register (evaluation.md part C): who was interviewed (by type, never by
name), the consent record each interview needs before it is used (data-protection.md #18),
and the pseudonymised transcript."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models.choices import ConsentForm, InterviewMode, StakeholderType
from etage.evaluation.models.project import Project


class Interview(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="interviews"
    )
    #: Short anonymous reference ("E07"): what the report's annex lists.
    reference = models.CharField(_("reference"), max_length=16)
    stakeholder_type = models.CharField(
        _("stakeholder type"), max_length=32, choices=StakeholderType.choices
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    held_on = models.DateField(_("date"))
    mode = models.CharField(
        _("format"), max_length=16, choices=InterviewMode.choices, default=InterviewMode.INDIVIDUAL
    )
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The case study this interview is one of the three sources of, if any.
    case_study = models.ForeignKey(
        "evaluation.CaseStudy",
        verbose_name=_("case study"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
    )
    notes = models.TextField(_("context notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["project", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reference"], name="evaluation_interview_reference_once"
            ),
            models.UniqueConstraint(
                fields=["case_study", "stakeholder_type"],
                name="evaluation_case_interview_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def has_valid_consent(self) -> bool:
        consent = getattr(self, "consent", None)
        return consent is not None and consent.withdrawn_on is None


class InterviewConsent(models.Model):
    """The interviewee's consent (data-protection.md #18): without it (or once withdrawn) the
    interview cannot be attached to a case study, coded or quoted."""

    interview = models.OneToOneField(
        Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="consent"
    )
    given_on = models.DateField(_("given on"))
    form = models.CharField(_("form"), max_length=16, choices=ConsentForm.choices)
    #: What was agreed: recording, quoting pseudonymised excerpts, use in the report.
    recording = models.BooleanField(_("recording agreed"), default=True)
    quotation = models.BooleanField(_("pseudonymised quotations agreed"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("interview consent")
        verbose_name_plural = _("interview consents")

    def __str__(self) -> str:
        return f"{self.interview} ({self.given_on})"


class Transcript(models.Model):
    """The pseudonymised text of an interview. Offsets of coded segments point into
    ``text``, which is therefore frozen once a segment exists."""

    interview = models.OneToOneField(
        Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="transcript"
    )
    text = models.TextField(_("pseudonymised text"))
    original_name = models.CharField(_("uploaded file"), max_length=200, blank=True)
    #: How many replacements the pseudonymisation helper made (the map itself is never stored).
    replacements = models.PositiveIntegerField(_("replacements made"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")

    def __str__(self) -> str:
        return f"{self.interview}"
