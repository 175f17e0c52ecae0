"""Meeting pages. Thin: permissions come from :mod:`etage.meetings.permissions` (404 outside
the scope), writes from :mod:`etage.meetings.services`, documents from :mod:`etage.reports`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.core.models import AccessAction
from etage.core.services import access_log_record, access_log_record_many
from etage.meetings import selectors, services
from etage.meetings.choices import ItemState, MeetingStatus, MinutesVersion
from etage.meetings.forms import (
    AgendaAddForm,
    DecisionForm,
    FlagForm,
    MeetingEditForm,
    MeetingForm,
    actions_formset,
)
from etage.meetings.models import Meeting
from etage.meetings.permissions import (
    MEMBER_ROLES,
    get_meeting_for_user,
    get_platform_for_user,
    is_platform_coordinator,
    member_platforms,
)
from etage.situations.permissions import get_situation_for_user
from etage.situations.permissions_matrix import Action


def _require_member_role(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in MEMBER_ROLES:
        raise Http404


@login_required
def meeting_index(request: HttpRequest) -> HttpResponse:
    _require_member_role(request)
    platforms = list(member_platforms(request.user).select_related("territory"))
    if len(platforms) == 1:
        return redirect("meetings:platform", platform_pk=platforms[0].pk)
    return render(request, "meetings/index.html", {"platforms": platforms})


@login_required
def meeting_list(request: HttpRequest, platform_pk: int) -> HttpResponse:
    platform = get_platform_for_user(request.user, platform_pk)
    meetings = list(selectors.meetings_of(request.user, platform.pk))
    now = timezone.now()
    return render(
        request,
        "meetings/list.html",
        {
            "platform": platform,
            "upcoming": [m for m in reversed(meetings) if m.starts_at >= now],
            "past": [m for m in meetings if m.starts_at < now],
            "is_coordinator": is_platform_coordinator(request.user, platform),
        },
    )


@login_required
def meeting_create(request: HttpRequest, platform_pk: int) -> HttpResponse:
    platform = get_platform_for_user(request.user, platform_pk, manage=True)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_create(
                user=request.user,
                platform_id=platform.pk,
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                video_link=d["video_link"],
            )
        except services.ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            count = meeting.items.count()
            messages.success(
                request,
                _("Meeting planned; situations on the agenda: %(n)s.") % {"n": count},
            )
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"platform": platform, "form": form})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    if request.method == "POST":
        form = MeetingEditForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.meeting_update(
                    user=request.user,
                    meeting_id=meeting.pk,
                    expected_version=d["version"],
                    starts_at=d["starts_at"],
                    ends_at=d["ends_at"],
                    place=d["place"],
                    video_link=d["video_link"],
                    status=d["status"],
                )
            except services.ServiceError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Meeting updated."))
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingEditForm.for_meeting(meeting)
    return render(
        request,
        "meetings/form.html",
        {"platform": meeting.platform, "form": form, "meeting": meeting},
    )


def _agenda_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    items = list(selectors.agenda(meeting))
    pending = [i for i in items if i.state == ItemState.PENDING]
    # The agenda names each situation's household: one read per situation shown.
    access_log_record_many(
        user=request.user, action=AccessAction.READ, situations=[i.situation for i in items]
    )
    return {
        "meeting": meeting,
        "items": items,
        "pending_ids": [i.pk for i in pending],
        "agenda_open": meeting.status == MeetingStatus.PLANNED,
        "can_decide": meeting.status != MeetingStatus.CANCELLED
        and meeting.day <= timezone.localdate(),
        "waiting": len(selectors.agenda_candidates(request.user, meeting))
        if meeting.status == MeetingStatus.PLANNED
        else 0,
        "add_form": AgendaAddForm(),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    context: dict[str, Any] = {
        "meeting": meeting,
        "platform": meeting.platform,
        "attendance": list(selectors.attendance(meeting)),
        "is_coordinator": is_platform_coordinator(request.user, meeting.platform),
        "minutes_versions": MinutesVersion,
        "minutes_ready": meeting.status == MeetingStatus.HELD,
    }
    if context["is_coordinator"]:
        context |= _agenda_context(request, meeting)
    return render(request, "meetings/detail.html", context)


def _back_to_agenda(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        meeting.refresh_from_db()
        return render(request, "meetings/partials/agenda.html", _agenda_context(request, meeting))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#ordre-du-jour")


def _report(request: HttpRequest, exc: services.ServiceError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    try:
        version = int(request.POST.get("version", ""))
        present = [int(v) for v in request.POST.getlist("present")]
    except ValueError:
        messages.error(request, _("The attendance form is not valid."))
        return redirect("meetings:detail", pk=meeting.pk)
    try:
        services.attendance_record(
            user=request.user,
            meeting_id=meeting.pk,
            expected_version=version,
            present_organisation_ids=present,
        )
    except services.ServiceError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Attendance recorded."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#presences")


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    form = AgendaAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reference of the situation."))
    else:
        try:
            services.agenda_add(
                user=request.user, meeting_id=meeting.pk, reference=form.cleaned_data["reference"]
            )
        except services.ServiceError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Situation added to the agenda."))
    return _back_to_agenda(request, meeting)


@login_required
@require_POST
def agenda_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    try:
        added = services.agenda_refresh(user=request.user, meeting_id=meeting.pk)
    except services.ServiceError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Agenda updated; situations added: %(n)s.") % {"n": len(added)})
    return _back_to_agenda(request, meeting)


@login_required
@require_POST
def agenda_move(request: HttpRequest, pk: int, item_pk: int, direction: str) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    if direction not in ("up", "down"):
        raise Http404
    try:
        services.agenda_move(
            user=request.user, meeting_id=meeting.pk, item_id=item_pk, direction=direction
        )
    except services.ServiceError as exc:
        _report(request, exc)
    return _back_to_agenda(request, meeting)


@login_required
@require_POST
def agenda_withdraw(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    try:
        services.agenda_withdraw(user=request.user, meeting_id=meeting.pk, item_id=item_pk)
    except services.ServiceError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Situation withdrawn from the agenda."))
    return _back_to_agenda(request, meeting)


@login_required
def decision(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    item = meeting.items.filter(pk=item_pk).select_related("situation").first()
    if item is None:
        raise Http404
    situation = get_situation_for_user(request.user, item.situation_id, Action.DECIDE)
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, situation=situation, meeting_day=meeting.day)
    actions = actions_formset(situation, data)
    if (
        request.method == "POST"
        and item.state == ItemState.PENDING
        and form.is_valid()
        and (actions is None or actions.is_valid())
    ):
        decision_input = form.to_input()
        if actions is not None:
            decision_input.actions = [
                a for a in (f.to_action() for f in actions.forms) if a is not None
            ]
        try:
            services.meeting_record_decision(
                user=request.user, meeting_id=meeting.pk, item_id=item.pk, data=decision_input
            )
        except services.ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Decision recorded for situation %(ref)s.") % {"ref": situation.reference},
            )
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#ordre-du-jour")
    access_log_record(
        user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
    )
    return render(
        request,
        "meetings/decision.html",
        {
            "meeting": meeting,
            "item": item,
            "situation": situation,
            "people": list(situation.household.people.all()),
            "form": form,
            "actions": actions,
            "can_decide": item.state == ItemState.PENDING
            and meeting.status != MeetingStatus.CANCELLED
            and meeting.day <= timezone.localdate(),
        },
    )


@login_required
def minutes(request: HttpRequest, pk: int, version: str, fmt: str) -> HttpResponse:
    from etage.reports import minutes as builder

    meeting = get_meeting_for_user(request.user, pk)
    if version not in MinutesVersion.values or fmt not in ("docx", "pdf"):
        raise Http404
    if meeting.status != MeetingStatus.HELD:
        raise Http404
    document = builder.minutes_for(meeting, version=MinutesVersion(version), reader=request.user)
    # Logged before the file leaves: the meeting, and each situation shown by name.
    access_log_record(user=request.user, action=AccessAction.EXPORT, obj=meeting)
    for situation in document.nominative_situations:
        access_log_record(
            user=request.user,
            action=AccessAction.EXPORT,
            obj=situation,
            situation_id=situation.pk,
        )
    if fmt == "docx":
        content = builder.minutes_docx(document)
        content_type = builder.DOCX_CONTENT_TYPE
    else:
        content = builder.minutes_pdf(document)
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.file_name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def calendar(request: HttpRequest, platform_pk: int) -> HttpResponse:
    from etage.reports.calendar import platform_calendar

    platform = get_platform_for_user(request.user, platform_pk)
    meetings = selectors.meetings_of(request.user, platform.pk)
    response = HttpResponse(
        platform_calendar(platform, meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="reunions-{platform.territory.code.lower()}.ics"'
    )
    return response


@login_required
@require_POST
def flag(request: HttpRequest, situation_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, situation_pk)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            services.situation_flag(
                user=request.user, situation_id=situation.pk, reason=form.cleaned_data["reason"]
            )
        except services.ServiceError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Situation flagged for the next platform meeting."))
    return redirect(reverse("situations:detail", args=[situation.pk]) + "#reunion-titre")
