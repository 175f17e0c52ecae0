"""The import page of a landlord's staff: send an extract, follow its progress, read the
result. Deny by default: only rent recovery and the landlord's professionals, for their own
landlord's imports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.intake.arrears.forms import ArrearsUploadForm
from etage.intake.arrears.services import arrears_import_submit, can_import_arrears
from etage.intake.arrears.tasks import run_arrears_import
from etage.intake.models import ArrearsImport, ImportStatus
from etage.situations.services import ServiceError

FINISHED = frozenset(
    {ImportStatus.DONE, ImportStatus.CHECKED, ImportStatus.REJECTED, ImportStatus.FAILED}
)


def _allowed(request: HttpRequest) -> Any:
    user: Any = request.user
    if not can_import_arrears(user):
        raise PermissionDenied
    return user


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = _allowed(request)
    posted = request.method == "POST"
    form = ArrearsUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            batch = arrears_import_submit(
                user=user, upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
        except ServiceError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            run_arrears_import.enqueue(batch.pk)
            return redirect("arrears:detail", pk=batch.pk)
    imports = ArrearsImport.objects.filter(landlord_id=user.organisation_id).select_related(
        "submitted_by"
    )[:50]
    return render(
        request,
        "intake/imports/list.html",
        {"form": form, "imports": imports, "landlord": user.organisation},
    )


def _batch_for(request: HttpRequest, pk: int) -> ArrearsImport:
    user = _allowed(request)
    # Another landlord's import is answered as if it did not exist (as situations are): a
    # 403 would confirm that the number is in use.
    batch = get_object_or_404(
        ArrearsImport.objects.select_related("landlord"),
        pk=pk,
        landlord_id=user.organisation_id,
    )
    if batch.status in FINISHED and batch.errors:
        # The report quotes the file's values (lease references, names): a nominative read.
        access_log_record(user=user, action=AccessAction.READ, obj=batch)
    return batch


def _context(batch: ArrearsImport) -> dict[str, Any]:
    total = batch.lines_total or 0
    return {
        "batch": batch,
        "finished": batch.status in FINISHED,
        "writing": batch.status == ImportStatus.RUNNING and total and batch.lines_read >= total,
        "percent": min(100, round(100 * batch.lines_read / total)) if total else 0,
        "hidden_errors": max(0, batch.error_count - len(batch.errors)),
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    return render(request, "intake/imports/detail.html", _context(batch))


@login_required
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls while the import waits or runs."""
    batch = _batch_for(request, pk)
    return render(request, "intake/imports/partials/status.html", _context(batch))
