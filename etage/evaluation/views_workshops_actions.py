"""The project's action plan (evaluation.md parts D and E): each item traced to the workshop
card it came from, the recommendation it answers and the indicator that will show whether it
worked. Project members only (:func:`~etage.evaluation.scope.require_project`). Issue 10
extends it (follow-up, export): the list's query lives in :func:`action_rows`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from etage.evaluation import services_workshops as services
from etage.evaluation.forms_workshops import ActionForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import ActionItem, Project
from etage.evaluation.scope import require_project
from etage.evaluation.views_workshops import CURRENT, save_or_show


def action_rows(project: Project) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(project=project)
        .select_related("card__workshop", "recommendation", "indicator")
        .order_by("deadline", "pk")
    )


def _actions_url(project: Project) -> str:
    return reverse("evaluation:actions", kwargs={"project_pk": project.pk})


@login_required
def actions(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    context = project_context(
        project, CURRENT, page_title=_("Action plan"), actions=action_rows(project)
    )
    return render(request, "evaluation/workshops_actions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = ActionForm(request.POST or None, project=project)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.action_save(project, data, None),
        success=_("Action added to the plan."),
        next_url=lambda _action: _actions_url(project),
        title=_("New action"),
        back=_actions_url(project),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    action = ActionItem.objects.filter(project=project, pk=pk).first()
    if action is None:
        raise Http404
    form = ActionForm(request.POST or None, instance=action, project=project)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.action_save(project, data, action),
        success=_("Action saved."),
        next_url=lambda _action: _actions_url(project),
        title=_("Edit the action “%(title)s”") % {"title": action.title},
        back=_actions_url(project),
    )
