"""The evaluation workspace's entry: the projects one is a member of, a project's overview
(what has been gathered so far, what to do next) and its members (lead evaluators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.evaluation.forms_projects import MemberForm, ProjectForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import (
    Code,
    Interview,
    ProjectMember,
    Segment,
    Transcript,
)
from etage.evaluation.scope import (
    acting_user,
    is_lead,
    may_use_workspace,
    projects_for,
    require_lead,
)
from etage.evaluation.scope import require_project as _require_project


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not may_use_workspace(request.user):
        raise Http404
    projects = projects_for(request.user).annotate(
        interview_count=Count("interviews", distinct=True),
        case_count=Count("case_studies", distinct=True),
        workshop_count=Count("workshops", distinct=True),
    )
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            project = form.save(commit=False)
            project.created_by = acting_user(request)
            project.save()
            ProjectMember.objects.create(
                project=project, user=acting_user(request), role=ProjectMember.Role.LEAD
            )
        messages.success(request, _("Project created. You are its lead evaluator."))
        return redirect("evaluation:project", project_pk=project.pk)
    return render(
        request,
        "evaluation/index.html",
        {"projects": projects, "form": form, "page_title": _("Evaluation workspace")},
    )


@login_required
def project(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _require_project(request.user, project_pk)
    interviews = Interview.objects.filter(project=project)
    transcripts = Transcript.objects.filter(interview__project=project)
    counts = {
        "interviews": interviews.count(),
        "consented": interviews.filter(
            consent__isnull=False, consent__withdrawn_on__isnull=True
        ).count(),
        "transcripts": transcripts.count(),
        "codes": Code.objects.filter(project=project, is_active=True).count(),
        "segments": Segment.objects.filter(transcript__interview__project=project).count(),
        "cases": project.case_studies.count(),
        "workshops": project.workshops.count(),
        "questions": project.questions.count(),
        "recommendations": project.recommendations.count(),
    }
    by_type = (
        interviews.values("stakeholder_type").annotate(n=Count("pk")).order_by("stakeholder_type")
    )
    labels = dict(Interview._meta.get_field("stakeholder_type").choices or [])
    context = project_context(
        project,
        "evaluation:project",
        page_title=project.name,
        counts=counts,
        by_type=[(labels.get(row["stakeholder_type"], ""), row["n"]) for row in by_type],
        members=project.members.select_related("user").order_by("role", "user__last_name"),
        lead=is_lead(request.user, project),
    )
    return render(request, "evaluation/project.html", context)


@login_required
def members(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _require_project(request.user, project_pk)
    require_lead(request.user, project)
    form = MemberForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        ProjectMember.objects.get_or_create(
            project=project,
            user=form.cleaned_data["user"],
            defaults={"role": form.cleaned_data["role"]},
        )
        messages.success(request, _("Member added."))
        return redirect("evaluation:members", project_pk=project.pk)
    context = project_context(
        project,
        "evaluation:project",
        page_title=_("Project members"),
        form=form,
        members=project.members.select_related("user").order_by("role", "user__last_name"),
    )
    return render(request, "evaluation/members.html", context)


@login_required
@require_POST
def member_remove(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = _require_project(request.user, project_pk)
    require_lead(request.user, project)
    member = ProjectMember.objects.filter(project=project, pk=pk).first()
    if member is None:
        raise Http404
    if member.role == ProjectMember.Role.LEAD and (
        project.members.filter(role=ProjectMember.Role.LEAD).count() == 1
    ):
        messages.error(request, _("A project keeps at least one lead evaluator."))
    else:
        member.delete()
        messages.success(request, _("Member removed."))
    return redirect("evaluation:members", project_pk=project.pk)
