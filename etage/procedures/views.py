"""Pages of the procedure tracker: record an event (or correct one), a balance, an aid. Thin:
the forms shape the input, the services decide. Outside the person's scope, or without the
right to record, every page is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.procedures import services
from etage.procedures.choices import EventKind
from etage.procedures.forms import AidForm, BalanceForm, EventForm, KindForm
from etage.procedures.models import Aid, ProcedureEvent
from etage.procedures.permissions import recordable_tracks
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.situations.services import ServiceError

BACK_TO_PANEL = "#procedure"


def _back(situation: Situation) -> str:
    return reverse("situations:detail", args=[situation.pk]) + BACK_TO_PANEL


def _errors(form: Any, exc: ServiceError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
def event_record(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_PROCEDURE)
    tracks = recordable_tracks(allowed_actions(request.user, situation))
    source = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or "kind" in request.GET
    kind_form = KindForm(source if bound else None, tracks=tracks, auto_id="choix_%s")
    form = None
    if kind_form.is_valid():
        kind = kind_form.cleaned_data["kind"]
        form = EventForm(
            request.POST if request.method == "POST" else None, kind=kind, tracks=tracks
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.procedure_event_record(
                    user=request.user,
                    situation_id=situation.pk,
                    kind=kind,
                    track=d.get("track", ""),
                    occurred_on=d["occurred_on"],
                    source=d["source"],
                    amount=d.get("amount"),
                    months_of_rent=d.get("months_of_rent"),
                    details=form.details(),
                )
            except ServiceError as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request, _("Event recorded: %(label)s.") % {"label": EventKind(kind).label}
                )
                return redirect(_back(situation))
    context = {"situation": situation, "kind_form": kind_form, "form": form}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "procedures/partials/event_form.html", context)
    return render(request, "procedures/event_form.html", context)


@login_required
def event_correct(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_PROCEDURE)
    tracks = recordable_tracks(allowed_actions(request.user, situation))
    event = ProcedureEvent.objects.filter(situation=situation, pk=event_pk).first()
    if event is None or event.track not in tracks:
        raise Http404
    form = EventForm(
        request.POST if request.method == "POST" else None,
        kind=event.kind,
        tracks=tracks,
        correcting=event,
        initial=EventForm.initial_from(event),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.procedure_event_record(
                user=request.user,
                situation_id=situation.pk,
                kind=event.kind,
                track=event.track,
                occurred_on=d["occurred_on"],
                source=d["source"],
                amount=d.get("amount"),
                months_of_rent=d.get("months_of_rent"),
                details=form.details(),
                corrects_id=event.pk,
                is_void=d.get("is_void", False),
            )
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Correction recorded; the original entry is kept."))
            return redirect(_back(situation))
    elif request.method != "POST":
        access_log_record(
            user=request.user, action=AccessAction.READ, obj=event, situation_id=situation.pk
        )
    return render(
        request,
        "procedures/event_correct.html",
        {"situation": situation, "event": event, "form": form},
    )


@login_required
def balance_record(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_PROCEDURE)
    form = BalanceForm(request.POST if request.method == "POST" else None, situation=situation)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.arrears_balance_record(
                user=request.user,
                situation_id=situation.pk,
                on=d["on"],
                amount=d["amount"],
                monthly_rent=d.get("monthly_rent"),
                source=d["source"],
            )
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Arrears balance recorded."))
            return redirect(_back(situation))
    return render(
        request,
        "procedures/form.html",
        {
            "situation": situation,
            "form": form,
            "title": _("Record the arrears balance"),
        },
    )


@login_required
def aid_create(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_STEP)
    form = AidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.aid_create(user=request.user, situation_id=situation.pk, **form.values())
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Aid recorded."))
            return redirect(_back(situation))
    return render(
        request,
        "procedures/form.html",
        {"situation": situation, "form": form, "title": _("Record an aid")},
    )


@login_required
def aid_update(request: HttpRequest, pk: int, aid_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_STEP)
    aid = Aid.objects.filter(situation=situation, pk=aid_pk).first()
    if aid is None:
        raise Http404
    form = AidForm(request.POST if request.method == "POST" else None, aid=aid)
    if request.method == "POST" and form.is_valid():
        try:
            services.aid_update(
                user=request.user,
                situation_id=situation.pk,
                aid_id=aid.pk,
                expected_version=form.cleaned_data["version"] or 0,
                changes=form.values(),
            )
        except services.StaleAid as exc:
            # Keep what the person typed, with the version they have now been shown, so that
            # saving again after checking is possible.
            _errors(form, exc)
            data = request.POST.copy()
            data["version"] = str(Aid.objects.get(pk=aid.pk).version)
            form.data = data
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Aid updated."))
            return redirect(_back(situation))
    elif request.method != "POST":
        access_log_record(
            user=request.user, action=AccessAction.READ, obj=aid, situation_id=situation.pk
        )
    return render(
        request,
        "procedures/form.html",
        {
            "situation": situation,
            "form": form,
            "title": _("Update the aid: %(kind)s") % {"kind": aid.get_kind_display()},
        },
    )
