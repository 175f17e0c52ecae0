"""The evaluation matrix (question → criterion → judgement criteria → indicators → sources →
findings → recommendations) and the logic model. Every view starts with
:func:`~etage.evaluation.scope.require_project` (404 for anyone but the project's members)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from etage.evaluation import services_matrix
from etage.evaluation.forms_matrix import LogicNodeForm, QuestionForm, RecommendationForm
from etage.evaluation.layout import project_context
from etage.evaluation.matrix import logic_model, question_rows
from etage.evaluation.models import (
    EvaluativeQuestion,
    LogicModelNode,
    Project,
    Recommendation,
)
from etage.evaluation.models.choices import Criterion, LogicStage
from etage.evaluation.scope import require_project
from etage.evaluation.services import EvaluationError


def _one(model: type[Model], project: Project, pk: int) -> Any:
    obj = model._default_manager.filter(project=project, pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@login_required
def matrix(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    criterion = request.GET.get("critere", "")
    if criterion not in Criterion.values:
        criterion = ""
    context = project_context(
        project,
        "evaluation:matrix",
        page_title=_("Evaluation matrix"),
        rows=question_rows(project, criterion=criterion, excerpts_per_question=0),
        criteria=Criterion.choices,
        criterion=criterion,
        recommendations=Recommendation.objects.filter(project=project)
        .select_related("question")
        .order_by("priority", "position", "pk"),
    )
    return render(request, "evaluation/matrix_index.html", context)


@login_required
def question(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    _one(EvaluativeQuestion, project, pk)
    rows = question_rows(project, question_pk=pk, excerpts_per_question=None)
    context = project_context(
        project,
        "evaluation:matrix",
        page_title=str(rows[0].question),
        row=rows[0],
    )
    return render(request, "evaluation/matrix_question.html", context)


def _edit(
    request: HttpRequest,
    project: Project,
    *,
    form: Any,
    save: Any,
    title: str,
    success: str,
    back: str,
    current: str = "evaluation:matrix",
) -> HttpResponse:
    """The create/edit pattern of this module: a valid form is saved by ``save`` (a service
    raising :class:`EvaluationError` with a French message when it refuses)."""
    if request.method == "POST" and form.is_valid():
        try:
            save(project, form)
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, success)
            return redirect(back)
    context = project_context(project, current, page_title=title, form=form, back=back)
    return render(request, "evaluation/matrix_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    following = (
        max(EvaluativeQuestion.objects.filter(project=project).values_list("number", flat=True)) + 1
        if EvaluativeQuestion.objects.filter(project=project).exists()
        else 1
    )
    form = QuestionForm(request.POST or None, project=project, initial={"number": following})
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.question_save,
        title=_("New evaluative question"),
        success=_("Question added to the matrix."),
        back=_matrix_url(project),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _one(EvaluativeQuestion, project, pk)
    form = QuestionForm(request.POST or None, instance=instance, project=project)
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.question_save,
        title=_("Edit question %(number)s") % {"number": instance.number},
        success=_("Question saved."),
        back=_question_url(instance),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _one(EvaluativeQuestion, project, pk)
    if request.method == "POST":
        try:
            services_matrix.question_delete(instance)
        except EvaluationError as error:
            messages.error(request, error.message)
            return redirect(_question_url(instance))
        messages.success(request, _("Question deleted."))
        return redirect(_matrix_url(project))
    context = project_context(
        project,
        "evaluation:matrix",
        page_title=_("Delete question %(number)s") % {"number": instance.number},
        subject=instance,
        back=_question_url(instance),
    )
    return render(request, "evaluation/matrix_confirm_delete.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    initial = {}
    question_pk = request.GET.get("question", "")
    if question_pk.isdigit():
        initial["question"] = question_pk
    form = RecommendationForm(request.POST or None, project=project, initial=initial)
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.recommendation_save,
        title=_("New recommendation"),
        success=_("Recommendation added."),
        back=_matrix_url(project) + "#recommandations",
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _one(Recommendation, project, pk)
    form = RecommendationForm(request.POST or None, instance=instance, project=project)
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.recommendation_save,
        title=_("Edit the recommendation"),
        success=_("Recommendation saved."),
        back=_matrix_url(project) + "#recommandations",
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_delete(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    return _delete(
        request,
        project,
        _one(Recommendation, project, pk),
        title=_("Delete the recommendation"),
        success=_("Recommendation deleted."),
        back=_matrix_url(project) + "#recommandations",
    )


@login_required
def logic_model_page(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    context = project_context(
        project,
        "evaluation:logic_model",
        page_title=_("Logic model"),
        columns=logic_model(project),
    )
    return render(request, "evaluation/matrix_logic_model.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def logic_node_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    initial = {}
    stage = request.GET.get("etape", "")
    if stage in LogicStage.values:
        initial["stage"] = stage
    form = LogicNodeForm(request.POST or None, project=project, initial=initial)
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.node_save,
        title=_("New element of the logic model"),
        success=_("Element added to the logic model."),
        back=_logic_url(project),
        current="evaluation:logic_model",
    )


@login_required
@require_http_methods(["GET", "POST"])
def logic_node_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _one(LogicModelNode, project, pk)
    form = LogicNodeForm(request.POST or None, instance=instance, project=project)
    return _edit(
        request,
        project,
        form=form,
        save=services_matrix.node_save,
        title=_("Edit the element"),
        success=_("Element saved."),
        back=_logic_url(project),
        current="evaluation:logic_model",
    )


@login_required
@require_http_methods(["GET", "POST"])
def logic_node_delete(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    return _delete(
        request,
        project,
        _one(LogicModelNode, project, pk),
        title=_("Delete the element"),
        success=_("Element deleted."),
        back=_logic_url(project),
        current="evaluation:logic_model",
    )


def _delete(
    request: HttpRequest,
    project: Project,
    instance: Model,
    *,
    title: str,
    success: str,
    back: str,
    current: str = "evaluation:matrix",
) -> HttpResponse:
    """The confirm-then-delete pattern of the elements that nothing else depends on."""
    if request.method == "POST":
        instance.delete()
        messages.success(request, success)
        return redirect(back)
    context = project_context(project, current, page_title=title, subject=instance, back=back)
    return render(request, "evaluation/matrix_confirm_delete.html", context)


def _matrix_url(project: Project) -> str:
    return reverse("evaluation:matrix", kwargs={"project_pk": project.pk})


def _logic_url(project: Project) -> str:
    return reverse("evaluation:logic_model", kwargs={"project_pk": project.pk})


def _question_url(question: EvaluativeQuestion) -> str:
    return reverse(
        "evaluation:question", kwargs={"project_pk": question.project_id, "pk": question.pk}
    )
