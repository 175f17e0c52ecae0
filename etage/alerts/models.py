"""Early warning ("repérage précoce"): per-territory rules evaluated on the landlords' data,
and the candidates they raise for the landlord's social workers to qualify. A candidate is a
*signal*, not a situation: nothing is shared with a partner until a person creates a
situation from it (docs/alertes.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.alerts.rules import RULE_KIND_LABELS, RuleKind, parameter_errors
from etage.core.append_only import AppendOnlyModel
from etage.households.models import Household
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation, OrganisationKind
from etage.procedures.choices import EventKind
from etage.territories.models import Commune, Territory

RULE_KIND_CHOICES = [(k.value, RULE_KIND_LABELS[k]) for k in RuleKind]


class WarningRule(models.Model):
    """One rule of a territory. ``parameters`` depend on the kind (etage.alerts.rules):
    debt_months {"months"}, debt_rising {"rise", "period"}, procedure_stage {"stages"},
    complaints {"count", "days"}, no_payment {"days"}."""

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        related_name="warning_rules",
        on_delete=models.CASCADE,
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable identifier, e.g. debt_2_months.")
    )
    kind = models.CharField(_("kind of rule"), max_length=20, choices=RULE_KIND_CHOICES)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=10,
        help_text=_("Points added to the severity of a candidate when this rule triggers."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("early-warning rule")
        verbose_name_plural = _("early-warning rules")
        ordering = ["territory__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "code"], name="warning_rule_code"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in RuleKind]),
                name="warning_rule_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id} · {self.get_kind_display()} ({self.code})"

    def clean(self) -> None:
        errors = parameter_errors(self.kind, self.parameters)
        if errors:
            raise ValidationError({"parameters": errors})


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("To qualify")
    DISMISSED = "dismissed", _("Dismissed")
    CONVERTED = "converted", _("Situation created")


class DismissalReason(models.TextChoices):
    SUPPORTED_ELSEWHERE = "supported_elsewhere", _("Already supported elsewhere")
    REPAYING = "repaying", _("Debt being repaid")
    DATA_ERROR = "data_error", _("Error in the landlord's data")
    REFUSED = "refused", _("Household refused")
    OTHER = "other", _("Other (say why)")


#: Statuses under which a lease may have only one candidate (converted ones are history).
ACTIVE_STATUSES = (CandidateStatus.OPEN, CandidateStatus.DISMISSED)


class CandidateQuerySet(models.QuerySet["Candidate"]):
    def open(self) -> CandidateQuerySet:
        return self.filter(status=CandidateStatus.OPEN)


class Candidate(models.Model):
    """A lease that triggered early-warning rules, with the latest signal copied from its
    latest arrears line (so that the list needs one query)."""

    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="warning_candidates",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrganisationKind.LANDLORD},
    )
    lease_reference = models.CharField(
        _("lease reference"), max_length=40, validators=[reject_national_identifier]
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), related_name="+", on_delete=models.PROTECT
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), related_name="+", on_delete=models.PROTECT
    )
    # The latest signal (a copy of the latest ArrearsLine of the lease).
    tenant_names = models.CharField(_("tenant name(s)"), max_length=250)
    address = models.CharField(_("address"), max_length=250)
    monthly_rent = models.DecimalField(_("monthly rent (€)"), max_digits=8, decimal_places=2)
    balance = models.DecimalField(_("balance due (€)"), max_digits=10, decimal_places=2)
    months_in_arrears = models.DecimalField(
        _("debt in months of rent"), max_digits=5, decimal_places=1
    )
    procedure_stage = models.CharField(
        _("procedure stage"), max_length=32, choices=EventKind.choices, blank=True
    )
    balance_on = models.DateField(_("balance date"))
    last_payment_on = models.DateField(_("last payment date"), null=True, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    #: [{"rule", "kind", "value", "threshold", "extra"}] (etage.alerts.rules.Trigger).
    triggers = models.JSONField(_("rules triggered"), default=list, blank=True)
    #: The kinds of the rules triggered, space-separated, for the list's filter (no JSON
    #: lookups on SQLite).
    rule_kinds = models.CharField(max_length=200, blank=True, editable=False)
    severity = models.PositiveIntegerField(_("severity"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    dismissed_reason = models.CharField(
        _("reason for dismissal"), max_length=24, choices=DismissalReason.choices, blank=True
    )
    dismissal_comment = models.TextField(
        _("comment"), blank=True, validators=[reject_national_identifier]
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    severity_at_dismissal = models.PositiveIntegerField(
        _("severity when dismissed"), null=True, blank=True
    )
    stage_at_dismissal = models.CharField(
        _("procedure stage when dismissed"), max_length=32, blank=True
    )
    situation = models.ForeignKey(
        "situations.Situation",
        verbose_name=_("situation"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    #: Optimistic concurrency: every change bumps it; a writer holding an older one is refused.
    version = models.PositiveIntegerField(default=1)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-severity", "lease_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "lease_reference"],
                condition=models.Q(status__in=["open", "dismissed"]),
                name="candidate_one_per_lease",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CandidateStatus.values), name="candidate_status"
            ),
            models.CheckConstraint(
                condition=models.Q(dismissed_reason__in=["", *DismissalReason.values]),
                name="candidate_dismissed_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(dismissed_reason="other") | ~models.Q(dismissal_comment=""),
                name="candidate_other_reason_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["landlord", "status", "-severity"])]

    def __str__(self) -> str:
        return f"{self.landlord_id} {self.lease_reference} ({self.status})"

    def reasons(self) -> list[str]:
        from etage.alerts.rules import describe

        labels: dict[str, Any] = dict(EventKind.choices)
        return [describe(t, {k: str(v) for k, v in labels.items()}) for t in self.triggers]

    @property
    def first_tenant(self) -> tuple[str, str]:
        """(family name, first name) of the first tenant named — see split_tenant_names."""
        from etage.alerts.names import split_tenant_names

        return split_tenant_names(self.tenant_names)


class CandidateEventKind(models.TextChoices):
    OPENED = "opened", _("Raised by the rules")
    REOPENED = "reopened", _("Back after a dismissal: the signal got worse")
    DISMISSED = "dismissed", _("Dismissed")
    CONVERTED = "converted", _("Situation created")


class CandidateEvent(AppendOnlyModel):
    """The history of a candidate (append-only): a dismissal stays here when the candidate
    comes back."""

    candidate = models.ForeignKey(Candidate, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(_("what"), max_length=10, choices=CandidateEventKind.choices)
    at = models.DateTimeField(_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    severity = models.PositiveIntegerField(_("severity"), default=0)
    reason = models.CharField(
        _("reason for dismissal"), max_length=24, choices=DismissalReason.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("candidate event")
        verbose_name_plural = _("candidate events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.kind} {self.at:%Y-%m-%d}"
