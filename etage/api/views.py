"""Endpoints of the landlords' API (docs/api.md). Thin: check the input, call a service or a
selector, answer. Every error is JSON with a French message (etage.api.exceptions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
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
    401: OpenApiResponse(ErrorSerializer, description="Jeton absent, inconnu, révoqué ou expiré."),
    403: OpenApiResponse(ErrorSerializer, description="Organisation non autorisée."),
    429: OpenApiResponse(ErrorSerializer, description="Trop de requêtes (voir Retry-After)."),
}
_NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="Inconnu, ou appartenant à une autre organisation."
)
_INVALID = OpenApiResponse(
    ErrorSerializer, description="Données invalides : erreurs par ligne et par champ."
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
        summary="Envoyer des lignes d'impayés / Push arrears lines",
        description=(
            "Un lot de lignes d'impayés (au plus 5 000), accepté en entier ou refusé en "
            "entier. Mêmes contrôles que l'import de fichier ; un renvoi à l'identique ne "
            "change rien. `dry_run: true` contrôle sans rien écrire.\n\n"
            "A batch of arrears lines (at most 5,000), accepted or rejected whole; the same "
            "checks as the file import; `dry_run: true` checks without writing."
        ),
        request=ArrearsBatchInSerializer,
        responses={
            201: ArrearsBatchSerializer,
            200: OpenApiResponse(ArrearsBatchSerializer, description="Contrôle seul (dry_run)."),
            400: _INVALID,
            413: OpenApiResponse(ErrorSerializer, description="Corps de requête trop gros."),
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
        summary="État d'un lot / Status of a batch",
        description=(
            "L'état et les compteurs d'un lot (fichier ou API) de votre organisation. "
            "Status and counts of one of your organisation's batches."
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
        summary="Envoyer des plaintes et étapes de procédure / Push signals",
        description=(
            "Des faits datés sur des baux : plaintes (`complaint`) et étapes de procédure "
            "(`procedure`, avec `stage`). Tout ou rien. Idempotent par `external_id` : le même "
            "envoi deux fois ne crée rien ; le même `external_id` avec un autre contenu est "
            "refusé (409), rien n'est écrit.\n\n"
            "Dated facts about leases; all or nothing; idempotent by `external_id` (same "
            "content: unchanged; different content: 409, nothing written)."
        ),
        request=SignalBatchInSerializer,
        responses={
            200: SignalReportSerializer,
            400: _INVALID,
            409: OpenApiResponse(
                ErrorSerializer, description="Identifiant déjà reçu, autre contenu."
            ),
            413: OpenApiResponse(ErrorSerializer, description="Corps de requête trop gros."),
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
        summary="Vos signalements et leur état / Your referrals and their status",
        description=(
            "Les signalements faits par votre organisation, avec l'état grossier qu'un "
            "signalant peut connaître (reçu, en cours d'évaluation, accompagnement en cours, "
            "clos), la référence de la situation et les dates. Jamais le détail. Paginé ; "
            "filtres par état et par date d'envoi.\n\n"
            "Referrals sent by your organisation with their coarse status only."
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
        summary="Un signalement / One referral",
        description="Un signalement de votre organisation (état grossier seulement).",
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
