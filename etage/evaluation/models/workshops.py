"""Participatory workshops (evaluation.md part D): attendees by stakeholder type, cards,
votes entered live by participants or typed in by the facilitator for hand votes, and the
action-plan items retained cards become (traceability: proposal → action → indicator)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models.choices import (
    ActionStatus,
    CardKind,
    StakeholderType,
    VotingMethod,
    WorkshopKind,
)
from etage.evaluation.models.project import Project


class Workshop(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="workshops"
    )
    kind = models.CharField(_("type"), max_length=16, choices=WorkshopKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    voting_method = models.CharField(
        _("voting method"), max_length=16, choices=VotingMethod.choices, default=VotingMethod.DOTS
    )
    dots_per_person = models.PositiveSmallIntegerField(_("dots per person"), default=3)
    voting_open = models.BooleanField(_("voting open"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["project", "held_on", "pk"]

    def __str__(self) -> str:
        return self.title


class WorkshopAttendee(models.Model):
    """One attendee, by stakeholder type only. An attendee with an ETAGE account (``user``)
    may vote live from their own device while voting is open."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="attendees"
    )
    stakeholder_type = models.CharField(
        _("stakeholder type"), max_length=32, choices=StakeholderType.choices
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ETAGE account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_attendances",
    )
    #: Consent to take part in the evaluation and to appear (by type) in the minutes.
    consent = models.BooleanField(_("consent recorded"), default=False)

    class Meta:
        verbose_name = _("workshop attendee")
        verbose_name_plural = _("workshop attendees")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=models.Q(user__isnull=False),
                name="evaluation_attendee_user_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workshop} — {self.get_stakeholder_type_display()}"


class Card(models.Model):
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="cards"
    )
    kind = models.CharField(_("type"), max_length=16, choices=CardKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    retained = models.BooleanField(_("retained"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["workshop", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    """One ballot on one card: from an attendee (live), or a facilitator's entry of a hand
    vote (``hand``: ``dots`` is then the number of hands raised)."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="votes"
    )
    attendee = models.ForeignKey(
        WorkshopAttendee,
        verbose_name=_("attendee"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="votes",
    )
    hand = models.BooleanField(_("hand vote"), default=False)
    method = models.CharField(_("voting method"), max_length=16, choices=VotingMethod.choices)
    dots = models.PositiveIntegerField(_("dots"), default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    #: {criterion: 1..5} for multi-criteria scoring.
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["card", "attendee", "method"],
                condition=models.Q(attendee__isnull=False),
                name="evaluation_vote_once_per_attendee",
            ),
            models.UniqueConstraint(
                fields=["card", "method"],
                condition=models.Q(hand=True),
                name="evaluation_hand_vote_once",
            ),
            models.CheckConstraint(
                condition=models.Q(hand=True, attendee__isnull=True)
                | models.Q(hand=False, attendee__isnull=False),
                name="evaluation_vote_hand_or_attendee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.method}"


class ActionItem(models.Model):
    """An item of the action plan, traced to what it came from (a workshop card, a
    recommendation) and to the indicator that will show whether it worked."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    card = models.ForeignKey(
        Card,
        verbose_name=_("workshop card"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    recommendation = models.ForeignKey(
        "evaluation.Recommendation",
        verbose_name=_("recommendation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    scenario = models.ForeignKey(
        "scenarios.Scenario",
        verbose_name=_("scenario"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    indicator = models.ForeignKey(
        "analytics.IndicatorDefinition",
        verbose_name=_("success indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("action-plan item")
        verbose_name_plural = _("action-plan items")
        ordering = ["project", "deadline", "pk"]

    def __str__(self) -> str:
        return self.title
