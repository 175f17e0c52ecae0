"""Coordinated support of a situation: the shared plan (themes → objectives → actions, with
comments), the journal, documents and periodic reviews.

Case data: never registered in the back-office. Every change goes through
:mod:`etage.support.services`, which checks access through the situation and appends a
pathway event (without free text) so that the evaluation sees the activity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.core.append_only import AppendOnlyModel
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.references.models import Theme
from etage.situations.models import Situation
from etage.support.choices import (
    ActionStatus,
    JournalKind,
    ObjectiveStatus,
    Progress,
    ReviewDecision,
    Visibility,
)
from etage.support.storage import document_storage, random_name


def _valid(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": [c.value for c in choices]}), name=name
    )


# --- Shared plan -----------------------------------------------------------------------------


class Objective(models.Model):
    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="objectives", on_delete=models.CASCADE
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), related_name="+", on_delete=models.PROTECT
    )
    theme_other = models.CharField(
        _("theme in your own words"),
        max_length=120,
        blank=True,
        validators=[reject_national_identifier],
    )
    title = models.CharField(
        _("objective"), max_length=200, validators=[reject_national_identifier]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_by_organisation = models.ForeignKey(
        Organisation, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency, as on situations: a save holding an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["theme__order", "created_at", "id"]
        constraints = [_valid("status", ObjectiveStatus, "objective_status_valid")]

    def __str__(self) -> str:
        return self.title


class PlanAction(models.Model):
    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), related_name="actions", on_delete=models.CASCADE
    )
    title = models.CharField(_("action"), max_length=200, validators=[reject_national_identifier])
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation in charge"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]
        constraints = [_valid("status", ActionStatus, "plan_action_status_valid")]

    def __str__(self) -> str:
        return self.title


class ActionComment(AppendOnlyModel):
    action = models.ForeignKey(
        PlanAction, verbose_name=_("action"), related_name="comments", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    organisation = models.ForeignKey(
        Organisation, related_name="+", on_delete=models.SET_NULL, null=True
    )
    text = models.TextField(_("comment"), max_length=2000, validators=[reject_national_identifier])
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.created_at:%Y-%m-%d}"


# --- Journal and documents -------------------------------------------------------------------


class JournalEntry(AppendOnlyModel):
    """One fact of the support, written once. Who may read it is decided by
    :func:`etage.support.selectors.journal_visible_to` and nothing else."""

    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        related_name="journal_entries",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=JournalKind.choices)
    occurred_on = models.DateField(_("date of the fact"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    author_organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="+", on_delete=models.PROTECT
    )
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices)
    text = models.TextField(_("text"), max_length=5000, validators=[reject_national_identifier])
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        related_name="corrections",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["situation", "occurred_on"])]
        constraints = [
            _valid("kind", JournalKind, "journal_kind_valid"),
            _valid("visibility", Visibility, "journal_visibility_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.kind} {self.occurred_on}"

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.ORGANISATION


class Document(models.Model):
    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="documents", on_delete=models.CASCADE
    )
    journal_entry = models.ForeignKey(
        JournalEntry,
        verbose_name=_("journal entry"),
        related_name="documents",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(storage=document_storage, upload_to=random_name, max_length=100)
    kind_label = models.CharField(
        _("kind of document"), max_length=100, blank=True, validators=[reject_national_identifier]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    uploaded_by_organisation = models.ForeignKey(
        Organisation, related_name="+", on_delete=models.SET_NULL, null=True
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


# --- Reviews ---------------------------------------------------------------------------------


class Review(models.Model):
    """A periodic review of the support (by default every 3 months, per platform)."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="reviews", on_delete=models.CASCADE
    )
    held_on = models.DateField(_("held on"))
    decision = models.CharField(_("decision"), max_length=14, choices=ReviewDecision.choices)
    next_review_on = models.DateField(_("next review on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    recorded_by_organisation = models.ForeignKey(
        Organisation, related_name="+", on_delete=models.SET_NULL, null=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Reviews are not edited today; the version is there for the day they are, so that the
    # same optimistic check applies as on every other support record.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "-id"]
        constraints = [_valid("decision", ReviewDecision, "review_decision_valid")]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.held_on}"


class ReviewProgress(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), related_name="progress", on_delete=models.CASCADE
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        related_name="review_progress",
        on_delete=models.CASCADE,
    )
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices)
    comment = models.CharField(
        _("comment"), max_length=500, blank=True, validators=[reject_national_identifier]
    )

    class Meta:
        verbose_name = _("progress of an objective")
        verbose_name_plural = _("progress of objectives")
        constraints = [
            models.UniqueConstraint(fields=["review", "objective"], name="review_progress_once"),
            _valid("progress", Progress, "review_progress_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.objective_id} {self.progress}"
