"""One shape for every error of the API: ``{"detail": "<French sentence>", "errors": [...]}``,
where each error is ``{"line": int | null, "field": str | null, "message": str}`` (``line``
counts from 1 in the list sent)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This request conflicts with data already received.")
    default_code = "conflict"


class Rejected(APIException):
    """Refused by the service (a business rule), with its errors line by line."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("The data sent was refused: nothing was recorded.")
    default_code = "rejected"

    def __init__(
        self, detail: str | None = None, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail)
        self.errors = errors or []


class ImportFailed(APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = gettext_lazy("The import failed unexpectedly: nothing was written.")
    default_code = "import_failed"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def _flatten(
    detail: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, (*path, key))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                yield path, str(item)
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, (*path, index))
    else:
        yield path, str(detail)


def errors_of(detail: Any) -> list[dict[str, Any]]:
    """DRF's nested validation errors as a flat list of {line, field, message}."""
    errors: list[dict[str, Any]] = []
    for path, message in _flatten(detail):
        line: int | None = None
        names: list[str] = []
        for part in path:
            if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
                line = int(part) + 1
                names = []
            elif part != "non_field_errors":
                names.append(str(part))
        errors.append(
            {"line": line, "field": ".".join(names) if names else None, "message": message}
        )
    return errors


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        body: dict[str, Any] = {
            "detail": _("The data sent is not valid: nothing was recorded."),
            "errors": errors_of(exc.detail),
        }
    else:
        data = response.data
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {"detail": str(detail), "errors": getattr(exc, "errors", [])}
    response.data = body
    return response
