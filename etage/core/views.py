from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from etage.core import audit
from etage.core.exports import csv_lines
from etage.core.home import build_home
from etage.core.models import AccessAction, AccessLogEntry
from etage.core.services import access_log_record


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"home": build_home(request.user)})


def _filters(request: HttpRequest) -> tuple[audit.AccessLogFilterForm, audit.AccessLogFilters]:
    if not audit.may_search_access_log(request.user):
        raise PermissionDenied
    form = audit.AccessLogFilterForm(request.GET or None)
    filters = audit.AccessLogFilters()
    if form.is_bound and form.is_valid():
        filters = audit.AccessLogFilters.from_form(form)
    return form, filters


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The access log, searched by a data-protection officer; everyone else gets 403."""
    form, filters = _filters(request)
    valid = not form.is_bound or form.is_valid()
    before = request.GET.get("before", "")
    page = (
        audit.access_log_page(filters, before=int(before) if before.isdigit() else None)
        if valid
        else audit.LogPage(entries=[], next_before=None)
    )
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "core/access_log.html",
        {
            "form": form,
            "valid": valid,
            "page": page,
            "query": query.urlencode(),
            "first_page": not before,
        },
    )


@login_required
def access_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered entries as CSV for French spreadsheets, streamed; the export itself is
    logged. Invalid filters export nothing: back to the page, which says why."""
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        return access_log(request)
    access_log_record(
        user=request.user,
        action=AccessAction.EXPORT,
        object_type=AccessLogEntry._meta.label_lower,
        object_id="*",
        reason=filters.describe(),
    )
    header = [str(label) for label in audit.EXPORT_HEADER]
    response = StreamingHttpResponse(
        csv_lines(header, audit.export_rows(filters)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-des-acces-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
