"""Rights of the person (data-protection.md #11, #14): the register of access requests, the
objections that stop new shares, and the legal holds that keep a situation from erasure and
from the retention job.

Only data-protection officers read or write these (see :mod:`etage.privacy.permissions`);
nothing here is registered in the back-office.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.households.validators import reject_national_identifier
from etage.situations.models import Situation
from etage.support.storage import random_name


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection")
    RESTRICTION = "restriction", _("Restriction")


class RequestChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    THROUGH_PARTNER = "partner", _("Through a partner organisation")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")


CLOSED_REQUEST_STATUSES = (RequestStatus.ANSWERED, RequestStatus.REFUSED)


def _answer_storage() -> Storage:
    from etage.privacy.storage import answer_storage

    return answer_storage()


class AccessRequest(models.Model):
    """One request of a person exercising their rights. The person is named as they gave
    their name, and nothing more: the register must not become a second file about them."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    person_name = models.CharField(
        _("name of the person, as given"),
        max_length=150,
        validators=[reject_national_identifier],
    )
    kind = models.CharField(_("right exercised"), max_length=16, choices=RequestKind.choices)
    channel = models.CharField(_("received by"), max_length=10, choices=RequestChannel.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    refusal_reason = models.CharField(
        _("reason for refusing"),
        max_length=500,
        blank=True,
        validators=[reject_national_identifier],
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_file = models.FileField(
        _("answer sent"),
        storage=_answer_storage,
        upload_to=random_name,
        max_length=100,
        blank=True,
    )
    answer_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    answer_content_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(
        _("notes"), max_length=2000, blank=True, validators=[reject_national_identifier]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: two officers editing the same request cannot overwrite each
    # other silently.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RequestKind.values), name="access_request_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values),
                name="access_request_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="access_request_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="access_request_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_REQUEST_STATUSES


class Objection(models.Model):
    """The person objects to the processing of their situation: no new share while it is
    active (:func:`etage.privacy.selectors.objection_active`)."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="objections", on_delete=models.CASCADE
    )
    access_request = models.ForeignKey(
        AccessRequest,
        verbose_name=_("access request"),
        related_name="objections",
        on_delete=models.PROTECT,
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation"],
                condition=models.Q(lifted_on__isnull=True),
                name="one_active_objection_per_situation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.situation} {self.recorded_on}"


class LegalHold(models.Model):
    """A legal-retention ("litigation") flag: while it is set, the situation is neither erased
    on request nor purged by the retention job, and the reason says why."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="legal_holds", on_delete=models.CASCADE
    )
    reason = models.CharField(_("reason"), max_length=300, validators=[reject_national_identifier])
    set_on = models.DateField(_("set on"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-set_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation"],
                condition=models.Q(lifted_on__isnull=True),
                name="one_active_legal_hold_per_situation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.situation} {self.set_on}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due within 7 days")
    OVERDUE = "overdue", _("Overdue")


class RequestReminder(models.Model):
    """An in-app reminder to one data-protection officer about one request on one day
    (``etage_privacy_reminders``): one row per (request, officer, day), so a second run the
    same day creates nothing."""

    access_request = models.ForeignKey(
        AccessRequest, related_name="reminders", on_delete=models.CASCADE
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access-request reminder")
        verbose_name_plural = _("access-request reminders")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["access_request", "recipient", "day"], name="request_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.access_request_id} {self.recipient_id} {self.day}"


class Erasure(models.Model):
    """An erasure carried out on request: which household (by its number only: its rows are
    anonymised), when, by whom, and how many rows each step changed — counts, never values."""

    access_request = models.ForeignKey(
        AccessRequest,
        verbose_name=_("access request"),
        related_name="erasures",
        on_delete=models.PROTECT,
    )
    household_id = models.BigIntegerField(_("household"))
    erased_on = models.DateField(_("erased on"))
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_on", "-id"]

    def __str__(self) -> str:
        return f"{self.access_request_id} {self.household_id} {self.erased_on}"
