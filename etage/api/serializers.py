"""What the API reads and writes. Input serializers check the shape and the types (DRF's
messages are in French); the business rules (known commune, duplicates, NIR, formulas…) are
the import's own, run by :func:`etage.intake.arrears.services.arrears_ingest_rows`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from etage.households.validators import reject_national_identifier
from etage.intake.models import (
    ArrearsImport,
    Referral,
    ReferralStatus,
    SignalKind,
    referral_status_of,
)
from etage.procedures.choices import EventKind

MAX_LINES = 5000


class ErrorItemSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(
        allow_null=True, help_text=_("Number of the item in the list sent (from 1).")
    )
    field = serializers.CharField(allow_null=True, help_text=_("Field concerned."))
    message = serializers.CharField(
        help_text=_("Message, in French unless the request asks for English (Accept-Language).")
    )


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(
        help_text=_("Message, in French unless the request asks for English (Accept-Language).")
    )
    errors = ErrorItemSerializer(many=True)


class StrictFieldsMixin:
    """Unknown keys are refused, not silently dropped: a misspelt optional field would
    otherwise be lost without a word."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError(
                    {
                        key[:80]: [
                            _("Unknown field: expected one of %(fields)s.")
                            % {"fields": ", ".join(self.fields)}  # type: ignore[attr-defined]
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class ArrearsLineInSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    lease_reference = serializers.CharField(max_length=40)
    balance_on = serializers.DateField(help_text=_("YYYY-MM-DD"))
    tenant_names = serializers.CharField(max_length=250)
    address = serializers.CharField(max_length=250)
    commune = serializers.CharField(
        max_length=100, help_text=_("INSEE code or name of the commune.")
    )
    monthly_rent = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, coerce_to_string=False
    )
    balance = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    months_in_arrears = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )
    last_payment_on = serializers.DateField(required=False, allow_null=True)
    procedure_stage = serializers.ChoiceField(
        choices=EventKind.choices, required=False, allow_blank=True
    )
    procedure_on = serializers.DateField(required=False, allow_null=True)


class ArrearsBatchInSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    lines = ArrearsLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Check only: nothing is written.")
    )


class ArrearsBatchSerializer(serializers.ModelSerializer[ArrearsImport]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ArrearsImport
        fields = [
            "id",
            "source",
            "status",
            "status_label",
            "dry_run",
            "submitted_at",
            "finished_at",
            "lines_total",
            "lines_created",
            "lines_updated",
            "lines_unchanged",
            "error_count",
            "errors",
        ]

    @extend_schema_field(ErrorItemSerializer(many=True))
    def get_errors(self, batch: ArrearsImport) -> list[dict[str, Any]]:
        return batch_errors(batch)


def batch_errors(batch: ArrearsImport) -> list[dict[str, Any]]:
    """The import's errors in the API's shape ({line, field, message})."""
    out: list[dict[str, Any]] = []
    for error in batch.errors or []:
        if not isinstance(error, dict):
            continue
        line = error.get("line")
        out.append(
            {
                "line": line if isinstance(line, int) else None,
                "field": error.get("field") or error.get("column") or None,
                "message": str(error.get("message", "")),
            }
        )
    return out


class SignalInSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    external_id = serializers.CharField(
        max_length=64,
        validators=[reject_national_identifier],
        help_text=_("The fact's identifier at the landlord (makes sending idempotent)."),
    )
    lease_reference = serializers.CharField(max_length=40, validators=[reject_national_identifier])
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    stage = serializers.ChoiceField(
        choices=EventKind.choices,
        required=False,
        allow_blank=True,
        help_text=_("Procedure stage, required for kind=procedure."),
    )
    occurred_on = serializers.DateField(help_text=_("YYYY-MM-DD, not in the future."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        stage = attrs.get("stage", "")
        if attrs["kind"] == SignalKind.PROCEDURE and not stage:
            raise serializers.ValidationError(
                {"stage": _("A procedure step needs its stage (a procedure event code).")}
            )
        if attrs["kind"] == SignalKind.COMPLAINT and stage:
            raise serializers.ValidationError(
                {"stage": _("A complaint has no procedure stage: leave it empty.")}
            )
        if attrs["occurred_on"] > timezone.localdate():
            raise serializers.ValidationError({"occurred_on": _("This date is in the future.")})
        attrs["stage"] = stage
        return attrs


class SignalBatchInSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    signals = SignalInSerializer(many=True, min_length=1, max_length=MAX_LINES)


class SignalReportSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text=_("New facts recorded."))
    unchanged = serializers.IntegerField(help_text=_("Facts already received, identical."))


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    """What a referrer may know: the reference, the coarse status, dates. Never the detail."""

    situation_reference = serializers.CharField(source="situation.reference", read_only=True)
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    closed_on = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "situation_reference",
            "status",
            "status_label",
            "submitted_at",
            "closed_on",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=ReferralStatus.choices))
    def get_status(self, referral: Referral) -> str:
        return str(referral_status_of(referral.situation.status).value)

    def get_status_label(self, referral: Referral) -> str:
        return str(referral_status_of(referral.situation.status).label)

    def get_closed_on(self, referral: Referral) -> dt.date | None:
        if referral_status_of(referral.situation.status) != ReferralStatus.CLOSED:
            return None
        return referral.situation.closed_on


class ReferralFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    submitted_from = serializers.DateField(required=False, help_text=_("YYYY-MM-DD, included."))
    submitted_to = serializers.DateField(required=False, help_text=_("YYYY-MM-DD, included."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("submitted_from"), attrs.get("submitted_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"submitted_to": _("This date is before the start date.")}
            )
        return attrs
