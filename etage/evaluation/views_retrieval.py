"""Retrieval of coded segments with their context, the code × attribute matrix, the
co-occurrence of codes, and the files (CSV, XLSX, DOCX of a retrieval; REFI-QDA ``.qdpx`` of
the project). Every view starts with :func:`~etage.evaluation.scope.require_project` (404 for
anyone but the project's members); all are read-only GETs, open to every member."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from etage.core.exports import XLSX_CONTENT_TYPE
from etage.evaluation import qdpx
from etage.evaluation import retrieval as r
from etage.evaluation import retrieval_exports as exports
from etage.evaluation.forms_retrieval import RetrievalForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import Project
from etage.evaluation.scope import acting_user, require_project

PAGE_SIZE = 20
CURRENT = "evaluation:retrieval"
#: The filters each page shows (the form knows them all; the links carry them all).
RETRIEVAL_FIELDS = (
    "code",
    "sous_codes",
    "avec",
    "codeur",
    "type",
    "territoire",
    "format",
    "entretien",
    "contexte",
    "caracteres",
)
MATRIX_FIELDS = ("attribut", "codeur", "sous_codes")
COOCCURRENCE_FIELDS = ("codeur", "sous_codes", "type", "territoire", "format")


def _retrieval_url(project: Project, flt: r.SegmentFilter, **changes: Any) -> str:
    url = reverse("evaluation:retrieval", kwargs={"project_pk": project.pk})
    query = flt.query(**changes)
    return f"{url}?{query}" if query else url


def _context(
    project: Project, form: RetrievalForm, title: str, fields: tuple[str, ...], **extra: Any
) -> dict[str, object]:
    return project_context(
        project,
        CURRENT,
        page_title=title,
        form=form,
        filter_fields=[form[name] for name in fields],
        has_segments=r.usable_segments(project).exists(),
        **extra,
    )


@login_required
@require_GET
def retrieval(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = RetrievalForm(project, request.GET)
    flt = form.segment_filter()
    page = None
    items: list[r.Excerpt] = []
    interviews = 0
    if form.is_valid():
        segments = r.filtered_segments(project, flt)
        page = Paginator(segments, PAGE_SIZE).get_page(request.GET.get("page"))
        items = r.excerpts(page.object_list, flt, form.paths())
        interviews = segments.values("transcript__interview").distinct().count()
    context = _context(
        project,
        form,
        _("Retrieval of coded segments"),
        RETRIEVAL_FIELDS,
        valid=page is not None,
        page=page,
        excerpts=items,
        interviews=interviews,
        query=flt.query(),
        summary=form.summary(),
    )
    return render(request, "evaluation/retrieval_index.html", context)


@dataclass(frozen=True)
class LinkedCell:
    cell: r.Cell | None
    url: str


def _column_changes(attribute: str, key: str) -> dict[str, Any]:
    if attribute == r.ATTRIBUTE_TERRITORY:
        if key == r.NO_TERRITORY:
            return {"territory": None, "no_territory": True}
        return {"territory": int(key), "no_territory": False}
    if attribute == r.ATTRIBUTE_FORMAT:
        return {"mode": key}
    return {"stakeholder_type": key}


@login_required
@require_GET
def code_matrix(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = RetrievalForm(project, request.GET)
    flt = form.segment_filter()
    table = None
    rows: list[tuple[r.MatrixRow, list[LinkedCell], LinkedCell]] = []
    totals: list[LinkedCell] = []
    if form.is_valid():
        attribute = form.attribute()
        # The matrix is over every code and every interview: only the coding layer and the
        # sub-codes option carry over from the filter.
        flt = r.SegmentFilter(
            coder=flt.coder, consensus_only=flt.consensus_only, descendants=flt.descendants
        )
        table = r.code_matrix(project, attribute, flt)
        changes = [_column_changes(attribute, c.key) for c in table.columns]
        for row in table.rows:
            code = row.node.code.pk
            cells = [
                LinkedCell(cell, _retrieval_url(project, flt, code=code, **change))
                for cell, change in zip(row.cells, changes, strict=True)
            ]
            rows.append(
                (row, cells, LinkedCell(row.total, _retrieval_url(project, flt, code=code)))
            )
        totals = [
            LinkedCell(cell, _retrieval_url(project, flt, **change))
            for cell, change in zip(table.column_totals, changes, strict=True)
        ]
    context = _context(
        project,
        form,
        _("Codes × attributes"),
        MATRIX_FIELDS,
        table=table,
        rows=rows,
        totals=totals,
        total=LinkedCell(table.total if table else None, _retrieval_url(project, flt)),
        attribute_label=form.attribute_label(),
    )
    return render(request, "evaluation/retrieval_matrix.html", context)


@login_required
@require_GET
def cooccurrence(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = RetrievalForm(project, request.GET)
    flt = form.segment_filter()
    table = None
    rows: list[tuple[r.CodeNode, list[tuple[int, str]]]] = []
    if form.is_valid():
        flt = replace(flt, code=None, cooccurs_with=None, interview=None)
        table = r.cooccurrence_table(project, flt)
        for row in table.rows:
            a = row.node.code.pk
            links: list[tuple[int, str]] = []
            for column, count in zip(table.nodes, row.counts, strict=True):
                b = column.code.pk
                if not count:
                    links.append((count, ""))
                elif a == b:
                    links.append((count, _retrieval_url(project, flt, code=a)))
                else:
                    links.append((count, _retrieval_url(project, flt, code=a, cooccurs_with=b)))
            rows.append((row.node, links))
    context = _context(
        project,
        form,
        _("Co-occurrence of codes"),
        COOCCURRENCE_FIELDS,
        table=table,
        rows=rows,
    )
    return render(request, "evaluation/retrieval_cooccurrence.html", context)


# --- Files ---------------------------------------------------------------------------------


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _valid_form(request: HttpRequest, project: Project) -> RetrievalForm | HttpResponse:
    """The filter form of an export; back to the retrieval page (which shows the errors)
    when the filter is not valid."""
    form = RetrievalForm(project, request.GET)
    if form.is_valid():
        return form
    messages.error(request, _("The filters are not valid: correct them, then export again."))
    url = reverse("evaluation:retrieval", kwargs={"project_pk": project.pk})
    return redirect(f"{url}?{request.GET.urlencode()}")


@login_required
@require_GET
def segments_csv(request: HttpRequest, project_pk: int) -> HttpResponseBase:
    project = require_project(request.user, project_pk)
    form = _valid_form(request, project)
    if isinstance(form, HttpResponse):
        return form
    segments = r.filtered_segments(project, form.segment_filter())
    return exports.csv_response(
        exports.rows(segments.iterator(chunk_size=500), form.paths()),
        f"segments-projet-{project.pk}.csv",
    )


@login_required
@require_GET
def segments_xlsx(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = _valid_form(request, project)
    if isinstance(form, HttpResponse):
        return form
    segments = r.filtered_segments(project, form.segment_filter())
    data = exports.xlsx_bytes(exports.rows(segments, form.paths()))
    return _attachment(data, XLSX_CONTENT_TYPE, f"segments-projet-{project.pk}.xlsx")


@login_required
@require_GET
def segments_docx(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = _valid_form(request, project)
    if isinstance(form, HttpResponse):
        return form
    flt = form.segment_filter()
    items = r.excerpts(r.filtered_segments(project, flt), flt, form.paths())
    data = exports.docx_bytes(project, items, form.summary())
    return _attachment(data, exports.DOCX_CONTENT_TYPE, f"extraits-projet-{project.pk}.docx")


@login_required
@require_GET
def project_qdpx(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    try:
        data = qdpx.build_qdpx(project, by=acting_user(request))
    except qdpx.QdpxError as error:
        messages.error(request, str(error))
        return redirect("evaluation:retrieval", project_pk=project.pk)
    return _attachment(data, qdpx.CONTENT_TYPE, f"projet-{project.pk}.qdpx")
