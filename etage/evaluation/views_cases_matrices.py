"""The two triangulation matrices of the case studies (evaluation.md part B): per case, theme
× source (converges / diverges / silent, with a comment), and across cases, case × evaluative
question (verdict and finding), with a summary per question.

A cell is edited in place with HTMX (the editor replaces the cell, saving puts the cell back)
or, without JavaScript, on a page of its own. Cells are versioned: a stale edit is refused
with the French message of :func:`etage.evaluation.services.stale` and changes nothing.
Every view starts with :func:`~etage.evaluation.scope.require_project`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from etage.evaluation import selectors_cases as sel
from etage.evaluation import services_cases
from etage.evaluation.forms_cases import CellForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import CaseStudy, Code, EvaluativeQuestion, Project
from etage.evaluation.models.choices import CaseSource
from etage.evaluation.scope import require_project
from etage.evaluation.services import EvaluationError
from etage.evaluation.views_cases import optional_url


def _case(project: Project, pk: int) -> CaseStudy:
    case = CaseStudy.objects.filter(project=project, pk=pk).select_related("project").first()
    if case is None:
        raise Http404
    return case


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _pk(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


# -- per case: theme × source ----------------------------------------------------------------


def _triangulation_url(case: CaseStudy) -> str:
    return reverse(
        "evaluation:case_triangulation", kwargs={"project_pk": case.project_id, "pk": case.pk}
    )


def _tri_cell_url(case: CaseStudy, theme: Code, source: str, **extra: str) -> str:
    url = reverse(
        "evaluation:case_triangulation_cell",
        kwargs={"project_pk": case.project_id, "pk": case.pk},
    )
    query: dict[str, str | int] = {"theme": theme.pk, "source": source, **extra}
    return f"{url}?{urlencode(query)}"


@login_required
def case_triangulation(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    case = _case(project, pk)
    grid = sel.triangulation_grid(case)
    links: dict[int, str] = {}
    for row in grid:
        for cell in row.cells:
            cell.url = _tri_cell_url(case, cell.theme, cell.source)
            for segment in cell.segments:
                if segment.transcript_id not in links:
                    links[segment.transcript_id] = optional_url(
                        "evaluation:coding_transcript",
                        project_pk=project.pk,
                        pk=segment.transcript_id,
                    )
                cell.excerpts.append((segment, links[segment.transcript_id]))
    context = project_context(
        project,
        "evaluation:cases",
        page_title=_("Triangulation of %(case)s") % {"case": case.title},
        case=case,
        grid=grid,
        sources=[(s.value, s.label) for s in CaseSource],
        codebook_url=optional_url("evaluation:codebook", project_pk=project.pk),
    )
    return render(request, "evaluation/cases_triangulation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_triangulation_cell(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Edit one cell: ``?theme=<code pk>&source=<source>``."""
    project = require_project(request.user, project_pk)
    case = _case(project, pk)
    # The cell is named in the query string, for the editor and for its form's action alike.
    params = request.GET
    theme_pk, source = _pk(params.get("theme")), str(params.get("source", ""))
    if theme_pk is None or source not in CaseSource.values:
        return redirect(_triangulation_url(case))
    theme = Code.objects.filter(project=project, pk=theme_pk).first()
    if theme is None:
        raise Http404
    current = sel.triangulation_cell(case, theme, source)
    current.url = _tri_cell_url(case, theme, source)
    dom_id = current.dom_id
    form_kwargs: dict[str, Any] = {"auto_id": f"{dom_id}-%s", "text_label": _("Comment")}
    context: dict[str, Any] = {
        "case": case,
        "cell": current,
        "dom_id": dom_id,
        "action": current.url,
        "cancel": _tri_cell_url(case, theme, source, vue="cellule"),
        "back": f"{_triangulation_url(case)}#{dom_id}",
        "kind": "triangulation",
        "subject": _("%(theme)s — %(source)s")
        % {"theme": theme.name, "source": current.source_label},
    }
    if request.method == "GET":
        if _htmx(request) and request.GET.get("vue") == "cellule":
            return render(request, "evaluation/cases_tri_cell.html", context)
        form = CellForm(
            initial={
                "verdict": current.verdict,
                "text": current.cell.comment if current.cell else "",
                "version": current.version,
            },
            **form_kwargs,
        )
        return _cell_editor(request, project, context, form)
    form = CellForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            services_cases.triangulation_save(
                case=case,
                theme=theme,
                source=source,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            if _htmx(request):
                context["cell"] = sel.triangulation_cell(case, theme, source)
                context["cell"].url = current.url
                context["saved"] = True
                return render(request, "evaluation/cases_tri_cell.html", context)
            messages.success(request, _("Cell saved."))
            return redirect(context["back"])
    return _cell_editor(request, project, context, form)


def _cell_editor(
    request: HttpRequest, project: Project, context: dict[str, Any], form: CellForm
) -> HttpResponse:
    context["form"] = form
    context["inline"] = _htmx(request)
    if _htmx(request):
        return render(request, "evaluation/cases_cell_form.html", context)
    page = project_context(
        project,
        "evaluation:cases",
        page_title=_("Edit a cell: %(subject)s") % {"subject": context["subject"]},
        **context,
    )
    return render(request, "evaluation/cases_cell_page.html", page)


# -- across cases: case × evaluative question ------------------------------------------------


def _cross_url(project: Project) -> str:
    return reverse("evaluation:cross_case", kwargs={"project_pk": project.pk})


def _cross_cell_url(project: Project, case: CaseStudy, question: Any, **extra: str) -> str:
    url = reverse("evaluation:cross_case_cell", kwargs={"project_pk": project.pk})
    query: dict[str, str | int] = {"case": case.pk, "question": question.pk, **extra}
    return f"{url}?{urlencode(query)}"


@login_required
def cross_case(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    grid = sel.cross_case_grid(project)
    for _case_study, cells in grid.rows:
        for cell in cells:
            cell.url = _cross_cell_url(project, cell.case, cell.question)
    context = project_context(
        project,
        "evaluation:cases",
        page_title=_("Cross-case matrix"),
        grid=grid,
        matrix_url=optional_url("evaluation:matrix", project_pk=project.pk),
    )
    return render(request, "evaluation/cases_cross_case.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cross_case_cell(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Edit one cell: ``?case=<case pk>&question=<question pk>``."""
    project = require_project(request.user, project_pk)
    params = request.GET
    case_pk, question_pk = _pk(params.get("case")), _pk(params.get("question"))
    if case_pk is None or question_pk is None:
        return redirect(_cross_url(project))
    case = _case(project, case_pk)
    question = EvaluativeQuestion.objects.filter(project=project, pk=question_pk).first()
    if question is None:
        raise Http404
    current = sel.CrossCell(
        case,
        question,
        case.cross_case.filter(question=question).first(),
        url=_cross_cell_url(project, case, question),
    )
    dom_id = current.dom_id
    form_kwargs: dict[str, Any] = {"auto_id": f"{dom_id}-%s", "text_label": _("Finding")}
    context: dict[str, Any] = {
        "case": case,
        "cell": current,
        "dom_id": dom_id,
        "action": current.url,
        "cancel": _cross_cell_url(project, case, question, vue="cellule"),
        "back": f"{_cross_url(project)}#{dom_id}",
        "kind": "cross",
        "subject": _("%(case)s — Q%(number)s") % {"case": case.title, "number": question.number},
    }
    if request.method == "GET":
        if _htmx(request) and request.GET.get("vue") == "cellule":
            return render(request, "evaluation/cases_cross_cell.html", context)
        form = CellForm(
            initial={
                "verdict": current.verdict,
                "text": current.cell.finding if current.cell else "",
                "version": current.version,
            },
            **form_kwargs,
        )
        return _cell_editor(request, project, context, form)
    form = CellForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            saved = services_cases.cross_case_save(
                case=case,
                question=question,
                verdict=form.cleaned_data["verdict"],
                finding=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            if _htmx(request):
                context["cell"] = sel.CrossCell(case, question, saved, url=current.url)
                context["saved"] = True
                # The question's summary row changes too: sent out of band.
                summaries = sel.cross_case_grid(project).summaries
                context["summary"] = next(s for s in summaries if s.question.pk == question.pk)
                return render(request, "evaluation/cases_cross_cell.html", context)
            messages.success(request, _("Cell saved."))
            return redirect(context["back"])
    return _cell_editor(request, project, context, form)
