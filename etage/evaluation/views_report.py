"""The report page: the outline of the report with its counts, what is still missing, the
downloads (DOCX, PDF, HTML, data bundle) for every member, and the three texts the lead
evaluators write. Every view starts with
:func:`~etage.evaluation.scope.require_project` (404 for anyone but the project's members);
editing the texts also needs :func:`~etage.evaluation.scope.require_lead`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from etage.evaluation.layout import project_context
from etage.evaluation.report import services
from etage.evaluation.report.bundle import ZIP_CONTENT_TYPE, build_bundle
from etage.evaluation.report.content import ReportContent, build_report
from etage.evaluation.report.forms import ReportTextsForm
from etage.evaluation.scope import acting_user, is_lead, require_lead, require_project
from etage.evaluation.services import EvaluationError


def _docx(content: ReportContent) -> bytes:
    from etage.evaluation.report.docx import render_docx

    return render_docx(content)


def _pdf(content: ReportContent) -> bytes:
    from etage.evaluation.report.pdf import render_pdf

    return render_pdf(content)


def _html(content: ReportContent) -> bytes:
    from etage.evaluation.report.html import render_html

    return render_html(content).encode("utf-8")


#: URL format → (renderer, content type).
FORMATS: dict[str, tuple[Callable[[ReportContent], bytes], str]] = {
    "docx": (
        _docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (_pdf, "application/pdf"),
    "html": (_html, "text/html; charset=utf-8"),
}


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    lead = is_lead(request.user, project)
    form = ReportTextsForm.for_project(project) if lead else None
    if request.method == "POST":
        require_lead(request.user, project)
        form = ReportTextsForm.for_project(project, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_texts_save(
                    project,
                    by=acting_user(request),
                    expected_version=data["version"],
                    summary=data["summary"],
                    method_limits=data["method_limits"],
                    conclusions=data["conclusions"],
                )
            except EvaluationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The report's texts are saved."))
                return redirect("evaluation:report", project_pk=project.pk)
    content = build_report(project, charts=False, quality=False)
    context = project_context(
        project,
        "evaluation:report",
        page_title=_("Evaluation report"),
        content=content,
        form=form,
        lead=lead,
        codes=len(content.annexes.codebook.rows) if content.annexes.codebook else 0,
        interviews=len(content.annexes.interviews.rows) if content.annexes.interviews else 0,
        recommendations=sum(len(g.items) for g in content.recommendations),
        logic_items=sum(len(s.items) for s in content.annexes.logic_model),
    )
    return render(request, "evaluation/report_index.html", context)


@login_required
@require_GET
def report_download(request: HttpRequest, project_pk: int, fmt: str) -> HttpResponse:
    project = require_project(request.user, project_pk)
    if fmt not in FORMATS:
        raise Http404
    render_document, content_type = FORMATS[fmt]
    data = render_document(build_report(project))
    return _attachment(data, content_type, f"rapport-evaluation-{project.pk}.{fmt}")


@login_required
@require_GET
def report_bundle(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    return _attachment(
        build_bundle(project), ZIP_CONTENT_TYPE, f"donnees-evaluation-{project.pk}.zip"
    )
