"""Serving reads of archived situations (data-protection.md #12): see
:mod:`etage.situations.archive`."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from etage.situations.archive import ArchiveReasonRequired, current_request


class ArchiveReadMiddleware:
    """Lets the situation door see the session, and turns
    :class:`~etage.situations.archive.ArchiveReasonRequired` into the reason form (for HTMX,
    an ``HX-Redirect`` to it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ArchiveReasonRequired):
            return None
        pk = exception.situation_id
        after = (
            request.get_full_path()
            if request.method == "GET"
            else reverse("situations:detail", args=[pk])
        )
        url = reverse("situations:archive_reason", args=[pk]) + "?" + urlencode({"next": after})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
