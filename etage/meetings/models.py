"""Platform meetings: the agenda, who was invited and present, the decision taken on each
agenda item, and the flags members raise for the next meeting.

A decision never changes a situation by itself: it records which pathway event the situation
services appended for it (``Decision.pathway_event``). Writes go through
:mod:`etage.meetings.services` only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.households.validators import reject_national_identifier
from etage.meetings.choices import (
    AgendaReason,
    DecisionKind,
    ItemState,
    MeetingStatus,
    PostponementReason,
)
from etage.organisations.models import Organisation
from etage.situations.models import PathwayEvent, Situation
from etage.territories.models import Platform


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())


class Meeting(models.Model):
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), related_name="meetings", on_delete=models.PROTECT
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Optimistic concurrency on the meeting's details and attendance, as on situations.
    version = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform meeting")
        verbose_name_plural = _("platform meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["platform", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MeetingStatus]),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.platform} — {local:%d/%m/%Y %H:%M}"

    @property
    def day(self) -> dt.date:
        """The meeting's date in local time: the date of the fact of its decisions."""
        return timezone.localtime(self.starts_at).date()


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="attendances", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="+", on_delete=models.PROTECT
    )
    invited = models.BooleanField(_("invited"), default=True)
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="meeting_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.organisation_id}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), related_name="items", on_delete=models.CASCADE
    )
    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        related_name="agenda_items",
        on_delete=models.CASCADE,
    )
    reason = models.CharField(_("reason"), max_length=24, choices=AgendaReason.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=ItemState.choices, default=ItemState.PENDING
    )
    #: Stable per-meeting alias ("Situation 3") used by the circulation version of the
    #: minutes: assigned once, never reused, independent of the reference.
    alias_number = models.PositiveIntegerField(_("alias number"))
    #: The postponed item of an earlier meeting that this one carries over.
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("carried over from"),
        related_name="carried_to",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "situation"], name="agenda_item_once"),
            models.UniqueConstraint(fields=["meeting", "alias_number"], name="agenda_alias_once"),
            models.CheckConstraint(
                condition=models.Q(reason__in=[r.value for r in AgendaReason]),
                name="agenda_item_reason_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in ItemState]),
                name="agenda_item_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.order} {self.situation_id}"


class Decision(models.Model):
    """What the platform decided on one agenda item. ``details`` holds codes and identifiers
    only (orientation, level, lead, referent, …); the one free text is ``note``, a short
    decision note shown only to the situation's sharing group."""

    agenda_item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), related_name="decision", on_delete=models.CASCADE
    )
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    note = models.CharField(
        _("decision note"),
        max_length=300,
        blank=True,
        validators=[reject_national_identifier],
        help_text=_("Short, factual; shown only to the organisations of the sharing group."),
    )
    postponement_reason = models.CharField(
        _("reason for postponing"), max_length=24, choices=PostponementReason.choices, blank=True
    )
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    pathway_event = models.ForeignKey(
        PathwayEvent,
        verbose_name=_("pathway event"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in DecisionKind]),
                name="decision_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="postponement") | ~models.Q(postponement_reason=""),
                name="postponement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item_id} {self.kind}"


class SituationFlagQuerySet(models.QuerySet["SituationFlag"]):
    def unresolved(self) -> SituationFlagQuerySet:
        return self.filter(resolved_at__isnull=True)


class SituationFlag(models.Model):
    """A member of the sharing group asks for the situation to be discussed at the next
    platform meeting."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="flags", on_delete=models.CASCADE
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), related_name="+", on_delete=models.PROTECT
    )
    reason = models.CharField(
        _("why discuss it"),
        max_length=250,
        validators=[reject_national_identifier],
        help_text=_("One or two factual sentences for the coordination."),
    )
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = SituationFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag for the platform")
        verbose_name_plural = _("flags for the platform")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_flag_per_situation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.created_at:%Y-%m-%d}"
