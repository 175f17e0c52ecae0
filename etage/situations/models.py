"""Situations (one household's episode on one platform), their append-only pathway events,
consent records and shares. State changes go through :mod:`etage.situations.services` only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.core.append_only import AppendOnlyModel
from etage.households.models import Household, Tenancy
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.situations.choices import (
    OPEN_STATUSES,
    ContactOutcome,
    Difficulty,
    EntryStage,
    HousingStatus,
    InformationMethod,
    LegalBasis,
    Level,
    Orientation,
    Outcome,
    Source,
    Status,
    SuspensionReason,
    Urgency,
)
from etage.territories.models import Platform


class SituationQuerySet(models.QuerySet["Situation"]):
    def open(self) -> SituationQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, user: Any) -> SituationQuerySet:
        from etage.situations.permissions import scope_situations

        return scope_situations(self, user)


class Situation(models.Model):
    # NULL until the row exists (the reference embeds the primary key); NULLs never collide
    # under the unique constraint, empty strings would.
    reference = models.CharField(  # noqa: DJ001
        _("reference"), max_length=20, unique=True, null=True
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), related_name="situations", on_delete=models.PROTECT
    )
    tenancy = models.ForeignKey(
        Tenancy, verbose_name=_("tenancy"), related_name="situations", on_delete=models.PROTECT
    )
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), related_name="situations", on_delete=models.PROTECT
    )
    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="landlord_situations",
        on_delete=models.PROTECT,
    )
    origin_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("identified by"),
        related_name="originated_situations",
        on_delete=models.PROTECT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IDENTIFIED
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    entry_stage = models.CharField(
        _("procedure stage at entry"),
        max_length=16,
        choices=EntryStage.choices,
        default=EntryStage.UNKNOWN,
    )
    entry_debt = models.DecimalField(
        _("debt at entry (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(
        _("description"), blank=True, validators=[reject_national_identifier]
    )

    # Information gate (data-protection.md #3).
    informed_on = models.DateField(_("information given on"), null=True, blank=True)
    information_method = models.CharField(
        _("information given"), max_length=12, choices=InformationMethod.choices, blank=True
    )
    contact_outcome = models.CharField(
        _("contact outcome"), max_length=12, choices=ContactOutcome.choices, blank=True
    )
    orientation = models.CharField(
        _("orientation"), max_length=12, choices=Orientation.choices, blank=True
    )
    level = models.CharField(_("support level"), max_length=12, choices=Level.choices, blank=True)
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead professional"),
        related_name="led_situations",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    referent_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("referent organisation"),
        related_name="referent_situations",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    suspension_reason = models.CharField(
        _("suspension reason"), max_length=20, choices=SuspensionReason.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    exit_debt = models.DecimalField(
        _("debt at exit (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    housing_status = models.CharField(
        _("housing at exit"), max_length=16, choices=HousingStatus.choices, blank=True
    )

    identified_on = models.DateField(_("identified on"))
    first_contact_on = models.DateField(_("first contact on"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    oriented_on = models.DateField(_("oriented on"), null=True, blank=True)
    support_started_on = models.DateField(_("support started on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    last_activity_on = models.DateField(_("last activity on"))
    #: When the retention job anonymised it, at the end of its archive period
    #: (data-protection.md #12); the row stays for the indicators, without personal data.
    purged_on = models.DateField(_("anonymised on"), null=True, blank=True)

    # Optimistic concurrency: every change bumps the version; a writer holding an older one is
    # refused instead of overwriting (no lost update).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SituationQuerySet.as_manager()

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["-identified_on", "-id"]
        indexes = [
            models.Index(fields=["platform", "status"]),
            models.Index(fields=["status", "identified_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="situation_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="situation_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def information_recorded(self) -> bool:
        return self.informed_on is not None


class SituationDifficulty(models.Model):
    situation = models.ForeignKey(Situation, related_name="difficulties", on_delete=models.CASCADE)
    code = models.CharField(_("difficulty"), max_length=24, choices=Difficulty.choices)

    class Meta:
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")
        constraints = [
            models.UniqueConstraint(fields=["situation", "code"], name="situation_difficulty_once")
        ]

    def __str__(self) -> str:
        return str(self.get_code_display())


class PathwayEvent(AppendOnlyModel):
    """One dated step of a situation's pathway. Append-only: a correction is a new event that
    references the one it corrects. This log is the evaluation's tracking data."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="events", on_delete=models.CASCADE
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    occurred_on = models.DateField(_("date of the fact"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        related_name="corrections",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("pathway event")
        verbose_name_plural = _("pathway events")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["situation", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.action} {self.occurred_on}"


class Consent(models.Model):
    """The household's consent to share, with its scope (which organisations)."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="consents", on_delete=models.CASCADE
    )
    given_on = models.DateField(_("given on"))
    scope = models.ManyToManyField(
        Organisation, verbose_name=_("organisations covered"), related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    recorded_by_organisation = models.ForeignKey(
        Organisation, related_name="+", on_delete=models.SET_NULL, null=True
    )
    note = models.CharField(
        _("how it was collected"),
        max_length=250,
        blank=True,
        validators=[reject_national_identifier],
    )
    #: The household agreed that the landlord keeps its own social follow-up after the
    #: situation closes (data-protection.md #13); otherwise the retention job blanks it.
    keep_landlord_history = models.BooleanField(
        _("landlord follow-up kept after closure"),
        default=False,
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.situation} {self.given_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class Share(models.Model):
    """An organisation's access to a situation, always with a legal basis
    (data-protection.md #1–2)."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="shares", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="shares",
        on_delete=models.PROTECT,
    )
    legal_basis = models.CharField(_("legal basis"), max_length=12, choices=LegalBasis.choices)
    consent = models.ForeignKey(
        Consent, related_name="shares", on_delete=models.PROTECT, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    revocation_reason = models.CharField(_("reason"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["situation", "organisation"],
                condition=models.Q(is_active=True),
                name="one_active_share_per_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(legal_basis="consent") | models.Q(consent__isnull=False),
                name="consent_share_has_consent",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return f"{self.situation} → {self.organisation.code}"
