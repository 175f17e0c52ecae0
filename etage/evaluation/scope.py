"""THE door to the evaluation workspace (data-protection.md #1 and #7): every list, page,
export, report and command of this app reaches projects through :func:`projects_for` and
workshops' voting through :func:`voting_workshops_for`. Deny by default:

- a **project** is reached by its members only, and only while they hold the evaluator role
  (an account moved to another role loses the workspace at once); its **lead evaluators**
  manage members, the codebook's merges and splits, and the report;
- a **workshop's voting page** is also reached by the attendees registered with their ETAGE
  account (any role), for that workshop only: its cards and live results, nothing else of
  the project;
- everyone else gets a 404 (the existence of a project is not revealed).

Everything in the workspace is pseudonymised evaluation material: transcripts are stored only
after names were replaced, case studies point at the snapshot's keyed pseudonyms.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.evaluation.models import Project, ProjectMember, Workshop


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a request that went through ``login_required`` (typed)."""
    if not _active(request.user):
        raise Http404
    return cast(User, request.user)


def may_use_workspace(user: Any) -> bool:
    """Whether ``user`` has the evaluation workspace at all (the navigation link)."""
    return _active(user) and user.role == Role.EVALUATOR


def projects_for(user: Any) -> QuerySet[Project]:
    """The projects ``user`` is a member of (evaluators only)."""
    if not may_use_workspace(user):
        return Project.objects.none()
    return Project.objects.filter(members__user=user).distinct()


def require_project(user: Any, pk: Any) -> Project:
    """The project ``pk`` if ``user`` is a member, else 404."""
    project = projects_for(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def is_lead(user: Any, project: Project) -> bool:
    return (
        may_use_workspace(user)
        and ProjectMember.objects.filter(
            project=project, user=user, role=ProjectMember.Role.LEAD
        ).exists()
    )


def require_lead(user: Any, project: Project) -> None:
    """Lead-only actions (members, merges and splits, report): 404 for other members too,
    so that the answer does not depend on what the page would have done."""
    if not is_lead(user, project):
        raise Http404


def voting_workshops_for(user: Any) -> QuerySet[Workshop]:
    """Workshops whose voting page ``user`` may open: those of their projects, and those they
    attend with their ETAGE account."""
    if not _active(user):
        return Workshop.objects.none()
    attending = attended_workshops_for(user)
    return (attending | Workshop.objects.filter(project__in=projects_for(user))).distinct()


def attended_workshops_for(user: Any) -> QuerySet[Workshop]:
    """Workshops ``user`` attends with their ETAGE account (an active account only)."""
    if not _active(user):
        return Workshop.objects.none()
    return Workshop.objects.filter(attendees__user=user)
