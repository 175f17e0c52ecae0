"""Endpoints of the landlords' API (docs/api.md). Thin: check the input, call a service or a
selector, answer. Every error is JSON with a French message (etage.api.exceptions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from etage.api.exceptions import Conflict, ImportFailed, Rejected
from etage.api.permissions import HasToken, IsLandlord, token_of
from etage.api.selectors import batches_of_landlord, referrals_of_organisation, valid_pk
from etage.api.serializers import (
    ArrearsBatchInSerializer,
    ArrearsBatchSerializer,
    ErrorSerializer,
    ReferralFilterSerializer,
    ReferralSerializer,
    SignalBatchInSerializer,
    SignalReportSerializer,
    batch_errors,
)
from etage.api.services import SignalConflict, SignalData, lease_signals_receive
from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.intake.arrears.services import arrears_ingest_rows
from etage.intake.models import ImportSource, ImportStatus, Referral, situation_statuses_of
from etage.situations.services import ServiceError

_ERR = {
    401: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Token missing, unknown, revoked or expired.")
    ),
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Organisation not allowed.")),
    429: OpenApiResponse(
        ErrorSerializer, description=gettext_lazy("Too many requests (see Retry-After).")
    ),
}
_NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Unknown, or belonging to another organisation.")
)
_INVALID = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Invalid data: errors by line and by field.")
)


class ApiView(APIView):
    permission_classes = [HasToken]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ArrearsBatchListView(ApiView):
    permission_classes = [HasToken, IsLandlord]

    @extend_schema(
        operation_id="arrears_batch_create",
        summary=gettext_lazy("Push arrears lines"),
        description=gettext_lazy(
            "A batch of arrears lines (at most 5,000), accepted or rejected whole. The same "
            "checks as the file import; sending the same batch again changes nothing. "
            "`dry_run: true` checks without writing anything."
        ),
        request=ArrearsBatchInSerializer,
        responses={
            201: ArrearsBatchSerializer,
            200: OpenApiResponse(
                ArrearsBatchSerializer, description=gettext_lazy("Check only (dry_run).")
            ),
            400: _INVALID,
            413: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("Request body too large.")
            ),
            **_ERR,
        },
    )
    def post(self, request: Request) -> Response:
        token = token_of(request)
        incoming = ArrearsBatchInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        rows = [dict(line.items()) for line in incoming.validated_data["lines"]]
        try:
            batch = arrears_ingest_rows(
                landlord=token.organisation,
                rows=rows,
                submitted_by=request.user,
                dry_run=incoming.validated_data["dry_run"],
                source=ImportSource.API,
            )
        except ServiceError as exc:
            raise Rejected(" ".join(exc.messages)) from None
        if batch.status == ImportStatus.FAILED:
            # A fault of ETAGE, not of the data: said as such (and logged by the import).
            raise ImportFailed(" ".join(e["message"] for e in batch_errors(batch)))
        if batch.status == ImportStatus.REJECTED:
            raise Rejected(
                _("The batch was rejected: nothing was recorded (batch %(id)s).")
                % {"id": batch.pk},
                errors=batch_errors(batch),
            )
        code = status.HTTP_200_OK if batch.dry_run else status.HTTP_201_CREATED
        return Response(ArrearsBatchSerializer(batch).data, status=code)


class ArrearsBatchDetailView(ApiView):
    permission_classes = [HasToken, IsLandlord]

    @extend_schema(
        operation_id="arrears_batch_retrieve",
        summary=gettext_lazy("Status of a batch"),
        description=gettext_lazy(
            "The status and counts of one of your organisation's batches (file or API)."
        ),
        responses={200: ArrearsBatchSerializer, 404: _NOT_FOUND, **_ERR},
    )
    def get(self, request: Request, pk: int) -> Response:
        key = valid_pk(pk)
        batch = batches_of_landlord(request.user).filter(pk=key).first() if key else None
        if batch is None:
            raise NotFound(_("No batch of your organisation has this number."))
        return Response(ArrearsBatchSerializer(batch).data)


class SignalListView(ApiView):
    permission_classes = [HasToken, IsLandlord]

    @extend_schema(
        operation_id="signals_create",
        summary=gettext_lazy("Push complaints and procedure steps"),
        description=gettext_lazy(
            "Dated facts about leases: complaints (`complaint`) and procedure steps "
            "(`procedure`, with `stage`). All or nothing. Idempotent by `external_id`: the "
            "same sending twice creates nothing; the same `external_id` with other content is "
            "refused (409) and nothing is written."
        ),
        request=SignalBatchInSerializer,
        responses={
            200: SignalReportSerializer,
            400: _INVALID,
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("Identifier already received, with other content."),
            ),
            413: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("Request body too large.")
            ),
            **_ERR,
        },
    )
    def post(self, request: Request) -> Response:
        token = token_of(request)
        incoming = SignalBatchInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = [
            SignalData(
                external_id=item["external_id"],
                lease_reference=item["lease_reference"],
                kind=item["kind"],
                stage=item["stage"],
                occurred_on=item["occurred_on"],
            )
            for item in incoming.validated_data["signals"]
        ]
        try:
            report = lease_signals_receive(
                user=request.user,
                landlord=token.organisation,
                signals=data,
            )
        except SignalConflict as exc:
            raise Conflict(" ".join(exc.messages)) from None
        except ServiceError as exc:
            raise Rejected(" ".join(exc.messages)) from None
        return Response(
            SignalReportSerializer({"created": report.created, "unchanged": report.unchanged}).data
        )


def _log_reads(user: Any, referrals: list[Referral]) -> None:
    for referral in referrals:
        access_log_record(
            user=user,
            action=AccessAction.READ,
            obj=referral,
            situation_id=referral.situation_id,
            reason="api",
        )


class ReferralListView(ListAPIView):
    permission_classes = [HasToken]
    serializer_class = ReferralSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="referrals_list",
        summary=gettext_lazy("Your referrals and their status"),
        description=gettext_lazy(
            "The referrals sent by your organisation, with the coarse status a referrer may "
            "know (received, being assessed, in support, closed), the situation's reference "
            "and the dates. Never the detail. Paginated; filters by status and by date sent."
        ),
        parameters=[ReferralFilterSerializer],
        responses={200: ReferralSerializer(many=True), 400: _INVALID, 404: _NOT_FOUND, **_ERR},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Referral]:
        filters = ReferralFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        chosen: dict[str, Any] = filters.validated_data
        referrals = referrals_of_organisation(self.request.user)
        if chosen.get("status"):
            referrals = referrals.filter(
                situation__status__in=situation_statuses_of(chosen["status"])
            )
        start: dt.date | None = chosen.get("submitted_from")
        end: dt.date | None = chosen.get("submitted_to")
        if start:
            referrals = referrals.filter(submitted_at__date__gte=start)
        if end:
            referrals = referrals.filter(submitted_at__date__lte=end)
        return referrals

    def paginate_queryset(self, queryset: Any) -> list[Referral] | None:
        page = super().paginate_queryset(queryset)
        # Each referral sent is a read of nominative data (its situation's reference).
        _log_reads(self.request.user, list(page or []))
        return page


class ReferralDetailView(ApiView):
    @extend_schema(
        operation_id="referrals_retrieve",
        summary=gettext_lazy("One referral"),
        description=gettext_lazy("A referral of your organisation (coarse status only)."),
        responses={200: ReferralSerializer, 404: _NOT_FOUND, **_ERR},
    )
    def get(self, request: Request, pk: int) -> Response:
        key = valid_pk(pk)
        referral = referrals_of_organisation(request.user).filter(pk=key).first() if key else None
        if referral is None:
            raise NotFound(_("No referral of your organisation has this number."))
        _log_reads(request.user, [referral])
        return Response(ReferralSerializer(referral).data)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/: a JSON 404, like the rest of the API."""
    return JsonResponse(
        {"detail": _("This address of the API does not exist."), "errors": []}, status=404
    )
