"""Dated procedure events (append-only), the arrears balance over time, and financial aids.
Writes go through :mod:`etage.procedures.services` only; the deadlines are computed from these
rows by the pure :mod:`etage.procedures.deadlines`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.core.append_only import AppendOnlyModel
from etage.organisations.models import Organisation
from etage.procedures.choices import AidKind, AidStatus, EventKind, Source, Track
from etage.situations.models import Situation


class ProcedureEvent(AppendOnlyModel):
    """One dated fact of a procedure (domain.md §4). A correction is a new event that
    references the one it corrects and replaces it (or voids it, when it was recorded in
    error); the original stays."""

    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        related_name="procedure_events",
        on_delete=models.CASCADE,
    )
    track = models.CharField(_("procedure"), max_length=16, choices=Track.choices)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    occurred_on = models.DateField(_("date of the fact"))
    amount = models.DecimalField(
        _("amount (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    months_of_rent = models.DecimalField(
        _("months of rent"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    #: Small, choices-based details (see ``choices.DETAIL_FIELDS``); never free text.
    details = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("reported by"), max_length=16, choices=Source.choices)
    recorded_by = models.ForeignKey(
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
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        related_name="corrections",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    is_void = models.BooleanField(_("recorded in error"), default=False)

    class Meta:
        verbose_name = _("procedure event")
        verbose_name_plural = _("procedure events")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["situation", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(track__in=Track.values), name="procedure_event_track_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="procedure_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="procedure_event_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="procedure_event_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(months_of_rent__isnull=True) | models.Q(months_of_rent__gte=0),
                name="procedure_event_months_not_negative",
            ),
            # One correction per event: a later correction corrects the correction.
            models.UniqueConstraint(fields=["corrects"], name="procedure_event_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.kind} {self.occurred_on}"


class ArrearsBalance(AppendOnlyModel):
    """The arrears balance on a date. Recording a new balance for the same date supersedes
    the earlier one (the history stays)."""

    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        related_name="arrears_balances",
        on_delete=models.CASCADE,
    )
    on = models.DateField(_("balance on"))
    amount = models.DecimalField(_("arrears (€)"), max_digits=10, decimal_places=2)
    monthly_rent = models.DecimalField(
        _("monthly rent and charges (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    months = models.DecimalField(
        _("months of rent"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(_("reported by"), max_length=16, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrears balance")
        verbose_name_plural = _("arrears balances")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["situation", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="arrears_balance_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_rent__isnull=True) | models.Q(monthly_rent__gt=0),
                name="arrears_balance_rent_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.on} {self.amount}"


class Aid(models.Model):
    """A financial aid requested for the household: FSL (maintien), CAF repayment plan…
    Edited in place with an optimistic version check."""

    situation = models.ForeignKey(
        Situation, verbose_name=_("situation"), related_name="aids", on_delete=models.CASCADE
    )
    kind = models.CharField(_("aid"), max_length=20, choices=AidKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AidStatus.choices, default=AidStatus.REQUESTED
    )
    requested_amount = models.DecimalField(
        _("amount requested (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    granted_amount = models.DecimalField(
        _("amount granted (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    requested_on = models.DateField(_("requested on"))
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(
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
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    # Optimistic concurrency, as on situations: a writer holding an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("aid")
        verbose_name_plural = _("aids")
        ordering = ["requested_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AidKind.values), name="aid_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AidStatus.values), name="aid_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(requested_amount__isnull=True) | models.Q(requested_amount__gte=0)
                )
                & (models.Q(granted_amount__isnull=True) | models.Q(granted_amount__gte=0)),
                name="aid_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.situation_id} {self.kind} {self.requested_on}"
