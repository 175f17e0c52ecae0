"""The project's action plan (evaluation.md parts D and E): each item traced to the workshop
card it came from, the recommendation it answers, the scenario it prepares and the indicator
that will show whether it worked; its follow-up (where each action stands, which are late, the
budget, the indicators' latest values) and its export as CSV or XLSX. Project members only
(:func:`~etage.evaluation.scope.require_project`); the follow-up is computed by
:mod:`etage.evaluation.action_plan`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from etage.core.exports import csv_response, xlsx_response
from etage.evaluation import action_plan
from etage.evaluation import services_workshops as services
from etage.evaluation.forms_workshops import ActionFilterForm, ActionForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import ActionItem, Project
from etage.evaluation.scope import require_project
from etage.evaluation.views_workshops import CURRENT, save_or_show

EXPORT_FORMATS = ("csv", "xlsx")


def _filtered(
    request: HttpRequest, project: Project
) -> tuple[ActionFilterForm, action_plan.FollowUp, list[action_plan.ActionLine]]:
    # An unknown status in the address shows every action, with the form's error, rather
    # than an error page.
    form = ActionFilterForm(request.GET or None)
    status, overdue = "", False
    if form.is_bound and form.is_valid():
        status, overdue = form.cleaned_data["status"], form.cleaned_data["overdue"]
    summary, lines = action_plan.action_lines(
        project, timezone.localdate(), status=status, overdue_only=overdue
    )
    return form, summary, lines


def _actions_url(project: Project) -> str:
    return reverse("evaluation:actions", kwargs={"project_pk": project.pk})


@login_required
@require_GET
def actions(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form, summary, lines = _filtered(request, project)
    context = project_context(
        project,
        CURRENT,
        page_title=_("Action plan"),
        form=form,
        summary=summary,
        lines=lines,
        query=request.GET.urlencode(),
    )
    return render(request, "evaluation/workshops_actions.html", context)


@login_required
@require_GET
def actions_export(request: HttpRequest, project_pk: int, fmt: str) -> HttpResponseBase:
    project = require_project(request.user, project_pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, _summary, lines = _filtered(request, project)
    name = f"plan-d-action-projet-{project.pk}.{fmt}"
    header = action_plan.export_header()
    rows = action_plan.export_rows(lines)
    if fmt == "csv":
        return csv_response(name, header, rows)
    return xlsx_response(name, _("Action plan"), header, rows)


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
