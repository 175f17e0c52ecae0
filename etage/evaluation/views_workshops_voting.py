"""A workshop's vote: opening and closing it, the live voting page, the facilitator's hand
votes and the live results.

Who reaches what (deny by default, 404 otherwise):

- the **voting page** (``evaluation:workshop_vote``) goes through
  :func:`~etage.evaluation.scope.voting_workshops_for`: the project's members, and the
  workshop's attendees registered with their ETAGE account — whatever their role — for that
  workshop only (it is the one page of the project they reach: no project navigation there);
- the **results page** is for the project's members; opening and closing the vote and the
  **hand votes** for the workshop's facilitator or a lead evaluator.

Both the voting and the results pages refresh their results every 5 seconds with HTMX: the
page sends the fingerprint of what it shows (``etat``) and gets ``204 No Content`` while
nothing changed, so that screen readers hear a polite announcement only when a figure moved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from etage.evaluation import services_workshops as services
from etage.evaluation.forms_workshops import BallotForm, HandVotesForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import Card, Workshop, WorkshopAttendee
from etage.evaluation.scope import acting_user, projects_for, require_project, voting_workshops_for
from etage.evaluation.selectors_workshops import (
    Results,
    hand_entries,
    own_ballot,
    workshop_results,
)
from etage.evaluation.services import EvaluationError
from etage.evaluation.views_workshops import CURRENT, workshop_of, workshop_url

#: The query of the results fragment the pages poll (``?partie=resultats&etat=<digest>``).
FRAGMENT = "resultats"


def _cards(workshop: Workshop) -> list[Card]:
    return list(Card.objects.filter(workshop=workshop).order_by("position", "pk"))


def _live(request: HttpRequest, workshop: Workshop, results: Results, url: str) -> HttpResponse:
    """The polled fragment: 204 while the figures did not change, the new results (and a
    polite announcement swapped out of band into the page's status line) otherwise."""
    if request.GET.get("etat") == results.digest:
        return HttpResponse(status=204)
    context = {
        "workshop": workshop,
        "results": results,
        "poll_url": url,
        "announce": True,
        "updated_at": timezone.localtime(),
    }
    return render(request, "evaluation/workshops_results_live.html", context)


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and request.GET.get("partie") == FRAGMENT


@login_required
@require_POST
def voting_open(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    return _voting_set(request, project_pk, pk, is_open=True)


@login_required
@require_POST
def voting_close(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    return _voting_set(request, project_pk, pk, is_open=False)


def _voting_set(request: HttpRequest, project_pk: int, pk: int, *, is_open: bool) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    if not services.may_facilitate(request.user, workshop):
        raise Http404
    try:
        services.voting_set(workshop, user=acting_user(request), is_open=is_open)
    except EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The vote is open: attendees with an account can vote from their device.")
            if is_open
            else _("The vote is closed: ballots are no longer accepted."),
        )
    return redirect(workshop_url(workshop) + "#vote")


@login_required
@require_http_methods(["GET", "POST"])
def workshop_vote(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    user = acting_user(request)
    workshop = (
        voting_workshops_for(user)
        .filter(pk=pk, project_id=project_pk)
        .select_related("project")
        .first()
    )
    if workshop is None:
        raise Http404
    url = workshop_url(workshop, "evaluation:workshop_vote")
    if _wants_fragment(request):
        return _live(request, workshop, workshop_results(workshop), url)
    attendee = WorkshopAttendee.objects.filter(workshop=workshop, user=user).first()
    form = None
    if attendee is not None:
        form = BallotForm(
            request.POST if request.method == "POST" else None,
            workshop=workshop,
            cards=_cards(workshop),
            ballot=own_ballot(workshop, attendee),
        )
        if request.method == "POST" and form.is_valid():
            try:
                count = services.ballot_cast(workshop, attendee=attendee, values=form.values())
            except EvaluationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Your ballot is recorded. You may change it until the vote is closed.")
                    if count
                    else _("Your ballot is empty: you give nothing to any card."),
                )
                return redirect(url)
    elif request.method == "POST":
        messages.error(request, _("Only this workshop's attendees vote here."))
        return redirect(url)
    workshop.refresh_from_db(fields=["voting_open", "voting_method", "dots_per_person"])
    context = {
        "page_title": _("Vote — %(title)s") % {"title": workshop.title},
        "workshop": workshop,
        "attendee": attendee,
        "form": form,
        "results": workshop_results(workshop),
        "poll_url": url,
        "is_member": projects_for(user).filter(pk=workshop.project_id).exists(),
    }
    return render(request, "evaluation/workshops_vote.html", context)


@login_required
def workshop_results_page(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    url = workshop_url(workshop, "evaluation:workshop_results")
    results = workshop_results(workshop)
    if _wants_fragment(request):
        return _live(request, workshop, results, url)
    context = project_context(
        project,
        CURRENT,
        page_title=_("Results — %(title)s") % {"title": workshop.title},
        workshop=workshop,
        results=results,
        poll_url=url,
        facilitates=services.may_facilitate(request.user, workshop),
    )
    return render(request, "evaluation/workshops_results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hand_votes(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    workshop = workshop_of(project, pk)
    if not services.may_facilitate(request.user, workshop):
        raise Http404
    cards = _cards(workshop)
    form = HandVotesForm(
        request.POST or None, workshop=workshop, cards=cards, entries=hand_entries(workshop)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hand_votes_save(workshop, user=acting_user(request), entries=form.entries())
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Hand votes saved: the results include them."))
            return redirect(reverse("evaluation:workshop_results", args=[project.pk, workshop.pk]))
    context = project_context(
        project,
        CURRENT,
        page_title=_("Hand votes — %(title)s") % {"title": workshop.title},
        workshop=workshop,
        form=form,
        cards=cards,
    )
    return render(request, "evaluation/workshops_hand_votes.html", context)
