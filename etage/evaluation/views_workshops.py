"""Participatory workshops (evaluation.md part D): the list, a workshop's page (agenda,
minutes, attendees by stakeholder type, cards), and the forms that change them. Every view
starts with :func:`~etage.evaluation.scope.require_project` (404 for anyone but the project's
members); the vote itself is in :mod:`etage.evaluation.views_workshops_voting`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from etage.evaluation import services_workshops as services
from etage.evaluation.forms_workshops import AttendeeForm, CardForm, WorkshopForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import Card, Project, Workshop, WorkshopAttendee
from etage.evaluation.scope import acting_user, require_project
from etage.evaluation.selectors_workshops import attendees_by_type, cards_of, workshop_rows
from etage.evaluation.services import EvaluationError

CURRENT = "evaluation:workshops"


def workshop_of(project: Project, pk: int) -> Workshop:
    workshop = Workshop.objects.filter(project=project, pk=pk).select_related("project").first()
    if workshop is None:
        raise Http404
    return workshop


def _card_of(project: Project, pk: int) -> Card:
    card = (
        Card.objects.filter(workshop__project=project, pk=pk)
        .select_related("workshop__project")
        .first()
    )
    if card is None:
        raise Http404
    return card


def workshop_url(workshop: Workshop, name: str = "evaluation:workshop") -> str:
    return reverse(name, kwargs={"project_pk": workshop.project_id, "pk": workshop.pk})


def render_form(
    request: HttpRequest,
    project: Project,
    *,
    form: Any,
    title: str,
    back: str,
    intro: str = "",
) -> HttpResponse:
    context = project_context(project, CURRENT, page_title=title, form=form, back=back, intro=intro)
    return render(request, "evaluation/workshops_form.html", context)


def save_or_show(
    request: HttpRequest,
    project: Project,
    *,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    next_url: Callable[[Any], str],
    title: str,
    back: str,
) -> HttpResponse:
    """The create/edit pattern: a valid form goes to ``save`` (a service that raises
    :class:`EvaluationError` with a French message when it refuses; the form is shown
    again with it, nothing changed)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, success)
            return redirect(next_url(saved))
    return render_form(request, project, form=form, title=title, back=back)


@login_required
def workshops(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    context = project_context(
        project,
        CURRENT,
        page_title=_("Participatory workshops"),
        rows=workshop_rows(project),
        action_count=project.actions.count(),
    )
    return render(request, "evaluation/workshops_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    user = acting_user(request)
    form = WorkshopForm(request.POST or None, project=project, initial={"facilitator": user})
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.workshop_save(project, data, None),
        success=_("Workshop created. Add its attendees and cards."),
        next_url=workshop_url,
        title=_("New workshop"),
        back=reverse(CURRENT, kwargs={"project_pk": project.pk}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    form = WorkshopForm(request.POST or None, instance=workshop, project=project)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.workshop_save(project, data, workshop),
        success=_("Workshop saved."),
        next_url=workshop_url,
        title=_("Edit the workshop “%(title)s”") % {"title": workshop.title},
        back=workshop_url(workshop),
    )


@login_required
def workshop(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    attendees = list(
        WorkshopAttendee.objects.filter(workshop=workshop)
        .select_related("user__organisation")
        .order_by("stakeholder_type", "pk")
    )
    context = project_context(
        project,
        CURRENT,
        page_title=workshop.title,
        workshop=workshop,
        attendees=attendees,
        by_type=attendees_by_type(attendees),
        consented=sum(1 for a in attendees if a.consent),
        cards=cards_of(workshop),
        attendee_form=AttendeeForm(workshop=workshop),
        facilitates=services.may_facilitate(request.user, workshop),
        vote_url=request.build_absolute_uri(workshop_url(workshop, "evaluation:workshop_vote")),
    )
    return render(request, "evaluation/workshops_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendee_add(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    form = AttendeeForm(request.POST or None, workshop=workshop)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.attendee_add(
            workshop,
            stakeholder_type=data["stakeholder_type"],
            user=data["user"],
            consent=data["consent"],
        ),
        success=_("Attendee added."),
        next_url=lambda _attendee: workshop_url(workshop) + "#participants",
        title=_("Add an attendee to “%(title)s”") % {"title": workshop.title},
        back=workshop_url(workshop) + "#participants",
    )


@login_required
@require_POST
def attendee_remove(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    attendee = (
        WorkshopAttendee.objects.filter(workshop__project=project, pk=pk)
        .select_related("workshop")
        .first()
    )
    if attendee is None:
        raise Http404
    ballots = services.attendee_remove(attendee)
    if ballots:
        messages.success(
            request,
            ngettext(
                "Attendee removed with %(count)s ballot.",
                "Attendee removed with %(count)s ballots.",
                ballots,
            )
            % {"count": ballots},
        )
    else:
        messages.success(request, _("Attendee removed."))
    return redirect(workshop_url(attendee.workshop) + "#participants")


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    form = CardForm(request.POST or None)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.card_save(workshop, data, None),
        success=_("Card added."),
        next_url=lambda _card: workshop_url(workshop) + "#cartes",
        title=_("New card for “%(title)s”") % {"title": workshop.title},
        back=workshop_url(workshop) + "#cartes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    card = _card_of(project, pk)
    form = CardForm(request.POST or None, instance=card)
    return save_or_show(
        request,
        project,
        form=form,
        save=lambda data: services.card_save(card.workshop, data, card),
        success=_("Card saved."),
        next_url=lambda _card: workshop_url(card.workshop) + "#cartes",
        title=_("Edit the card “%(title)s”") % {"title": card.title},
        back=workshop_url(card.workshop) + "#cartes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def card_delete(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    card = _card_of(project, pk)
    back = workshop_url(card.workshop) + "#cartes"
    if request.method == "POST":
        try:
            services.card_delete(card)
        except EvaluationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Card deleted."))
        return redirect(back)
    context = project_context(
        project, CURRENT, page_title=_("Delete the card"), subject=card, back=back
    )
    return render(request, "evaluation/workshops_confirm_delete.html", context)


@login_required
@require_POST
def card_retain(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    card = _card_of(project, pk)
    if not services.may_facilitate(request.user, card.workshop):
        raise Http404
    try:
        action = services.card_retain(card, user=acting_user(request))
    except EvaluationError as error:
        messages.error(request, error.message)
        return redirect(workshop_url(card.workshop) + "#cartes")
    messages.success(
        request,
        _("Card retained: it is now an item of the action plan. Give it an owner and a deadline."),
    )
    return redirect("evaluation:action_edit", project_pk=project.pk, pk=action.pk)
