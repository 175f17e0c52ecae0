"""Pages of the rights of the person, for data-protection officers only (403 for everyone
else). Thin: forms shape the input, services decide and log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.privacy import selectors, services
from etage.privacy.collector import collect_person_file
from etage.privacy.documents import person_file_json, person_file_pdf
from etage.privacy.forms import AccessRequestForm, AccessRequestUpdateForm, PersonSearchForm
from etage.privacy.models import AccessRequest, LegalHold, Objection, RequestKind, RequestReminder
from etage.privacy.permissions import is_dpo
from etage.privacy.storage import answer_storage


def _officer(request: HttpRequest) -> Any:
    if not is_dpo(request.user):
        raise PermissionDenied
    return request.user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("privacy:search")


def _refused(request: HttpRequest, exc: services.PrivacyRefused) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- The register ----------------------------------------------------------------------------


@login_required
def register(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    today = timezone.localdate()
    show_all = request.GET.get("toutes") == "1"
    requests = AccessRequest.objects.all() if show_all else selectors.open_requests()
    rows = [(r, selectors.deadline_state(r, today)) for r in requests.order_by("due_on", "id")]
    reminders = (
        RequestReminder.objects.filter(recipient=user, day=today)
        .select_related("access_request")
        .order_by("access_request__due_on")
    )
    return render(
        request,
        "privacy/register.html",
        {"rows": rows, "show_all": show_all, "reminders": reminders, "today": today},
    )


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.access_request_create(user=user, **form.cleaned_data)
        except services.PrivacyRefused as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Request %(number)s registered; answer due on %(date)s.")
                % {"number": created.number, "date": created.due_on.strftime("%d/%m/%Y")},
            )
            return redirect("privacy:request_detail", pk=created.pk)
    return render(request, "privacy/request_form.html", {"form": form})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    access_request = AccessRequest.objects.filter(pk=pk).first()
    if access_request is None:
        raise Http404
    if request.method == "POST":
        form = AccessRequestUpdateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.access_request_update(
                    user=user,
                    request_id=access_request.pk,
                    expected_version=data["version"],
                    status=data["status"],
                    refusal_reason=data["refusal_reason"],
                    answered_on=data["answered_on"],
                    notes=data["notes"],
                    answer=data["answer"],
                )
            except services.PrivacyRefused as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Request %(number)s saved.") % {"number": access_request.number}
                )
                return redirect("privacy:request_detail", pk=access_request.pk)
    else:
        form = AccessRequestUpdateForm(
            initial={
                "status": access_request.status,
                "refusal_reason": access_request.refusal_reason,
                "answered_on": access_request.answered_on,
                "notes": access_request.notes,
                "version": access_request.version,
            }
        )
    # The request names the person: reading it is logged like any nominative page.
    access_log_record(user=user, action=AccessAction.READ, obj=access_request)
    return render(
        request,
        "privacy/request_detail.html",
        {
            "access_request": access_request,
            "form": form,
            "deadline": selectors.deadline_state(access_request, timezone.localdate()),
            "search_url": reverse("privacy:search"),
        },
    )


@login_required
def answer_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _officer(request)
    access_request = AccessRequest.objects.filter(pk=pk).first()
    if access_request is None or not access_request.answer_file:
        raise Http404
    try:
        handle = answer_storage().open(str(access_request.answer_file.name), "rb")
    except FileNotFoundError:
        raise Http404 from None
    access_log_record(user=user, action=AccessAction.DOWNLOAD, obj=access_request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=access_request.answer_file_name or "reponse",
        content_type=access_request.answer_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Finding a person and producing their file -----------------------------------------------


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form = PersonSearchForm(request.GET or None)
    households = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        households = selectors.find_households(
            selectors.PersonQuery(
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_year=data["birth_year"],
                commune=data["commune"],
                lease_reference=data["lease_reference"],
            )
        )
        try:
            services.person_search_record(user=user, households=households, reason=data["reason"])
        except services.PrivacyRefused as exc:
            for message in exc.messages:
                form.add_error("reason", message)
            households = None
    open_requests = list(selectors.open_requests().order_by("due_on"))
    situations = [s for h in households or [] for s in h.situations.all()]
    objections = {
        o.situation_id: o
        for o in Objection.objects.filter(situation__in=situations, lifted_on__isnull=True)
    }
    holds = {
        h.situation_id: h
        for h in LegalHold.objects.filter(situation__in=situations, lifted_on__isnull=True)
    }
    for situation in situations:
        situation.active_objection = objections.get(situation.pk)  # type: ignore[attr-defined]
        situation.active_hold = holds.get(situation.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "privacy/search.html",
        {
            "form": form,
            "households": households,
            "reason": form.cleaned_data.get("reason", "") if form.is_bound else "",
            "here": request.get_full_path(),
            "objection_requests": [
                r
                for r in open_requests
                if r.kind in (RequestKind.OBJECTION, RequestKind.RESTRICTION)
            ],
            "erasure_requests": [r for r in open_requests if r.kind == RequestKind.ERASURE],
        },
    )


@login_required
@require_POST
def person_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the household's people, as JSON or PDF, logged with its
    reason."""
    user = _officer(request)
    household = selectors.household_for_dpo(user, pk)
    kind = request.POST.get("format", "")
    if kind not in ("json", "pdf"):
        raise Http404
    try:
        services.person_file_record(
            user=user, household=household, reason=request.POST.get("reason", "")
        )
    except services.PrivacyRefused as exc:
        _refused(request, exc)
        return redirect(_next(request))
    collected = collect_person_file(household)
    reason = request.POST.get("reason", "").strip()
    if kind == "json":
        response = HttpResponse(person_file_json(collected), content_type="application/json")
    else:
        response = HttpResponse(
            person_file_pdf(collected, reason=reason), content_type="application/pdf"
        )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="donnees-menage-{household.pk}-{stamp}.{kind}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Objection, legal hold, erasure ----------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _act(request: HttpRequest, action: Callable[[], str]) -> HttpResponse:
    """Run one officer's action (the service checks and records it); its French success
    message, or the refusal, is shown on the page the officer came from."""
    try:
        done = action()
    except services.PrivacyRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect(_next(request))


@login_required
@require_POST
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)

    def record() -> str:
        recorded = services.objection_record(
            user=user, situation_id=pk, request_id=_int(request.POST.get("request"))
        )
        return _(
            "Objection recorded on situation %(ref)s: no new share; the organisations "
            "sharing it are told."
        ) % {"ref": recorded.situation.reference}

    return _act(request, record)


@login_required
@require_POST
def objection_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)

    def lift() -> str:
        services.objection_lift(user=user, objection_id=pk)
        return _("Objection lifted.")

    return _act(request, lift)


@login_required
@require_POST
def legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)

    def hold() -> str:
        held = services.legal_hold_set(
            user=user, situation_id=pk, reason=request.POST.get("reason", "")
        )
        return _("Legal hold set on situation %(ref)s.") % {"ref": held.situation.reference}

    return _act(request, hold)


@login_required
@require_POST
def legal_hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)

    def lift() -> str:
        services.legal_hold_lift(user=user, hold_id=pk)
        return _("Legal hold lifted.")

    return _act(request, lift)


@login_required
@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    try:
        outcome = services.household_erase(
            user=user, household_id=pk, request_id=_int(request.POST.get("request"))
        )
    except services.PrivacyRefused as exc:
        _refused(request, exc)
    else:
        if outcome.erased:
            messages.success(
                request,
                _(
                    "The household's data was erased: names, address, phone, lease reference and "
                    "free texts are gone; anonymous statistics remain."
                ),
            )
        else:
            messages.error(
                request,
                _("Erasure refused and recorded on the request: %(reason)s")
                % {"reason": outcome.reason},
            )
    return redirect(_next(request))
