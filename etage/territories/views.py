"""The start-up checklist page of a platform: administrators see every territory's,
coordinators their own territories'; everyone else gets a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from etage.accounts.roles import Role
from etage.territories.checklist import checklist
from etage.territories.models import Territory


def territories_for(user: object) -> QuerySet[Territory]:
    """Territories whose start-up checklist ``user`` may read (deny by default)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Territory.objects.none()
    role = getattr(user, "role", "")
    if role == Role.ADMIN:
        return Territory.objects.all()
    if role == Role.COORDINATOR:
        return user.territories.all()  # type: ignore[attr-defined]
    return Territory.objects.none()


@login_required
def start_checklist(request: HttpRequest) -> HttpResponse:
    territories = territories_for(request.user).order_by("code")
    if not territories.exists():
        raise Http404
    code = request.GET.get("territoire", "")
    territory = territories.filter(code=code).first() if code else territories.first()
    if territory is None:
        raise Http404
    steps = checklist(territory)
    return render(
        request,
        "territories/checklist.html",
        {
            "page_title": _("Starting a platform"),
            "territories": territories,
            "territory": territory,
            "steps": steps,
            "done": sum(step.done for step in steps),
        },
    )
