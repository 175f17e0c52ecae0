from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from etage.core.models import AccessAction
from etage.core.services import access_log_record, access_log_record_many
from etage.organisations.models import Organisation
from etage.situations import selectors, services, workflow
from etage.situations.choices import Difficulty, Level, Status
from etage.situations.forms import (
    FORMS,
    ConsentForm,
    CorrectDateForm,
    RevokeShareForm,
    ShareForm,
    WithdrawConsentForm,
)
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.territories.models import Territory


class FilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Name, reference, lease reference or address."),
    )
    territory = forms.ModelChoiceField(
        label=gettext_lazy("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=pgettext_lazy("filter: any value", "All"),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    landlord = forms.ModelChoiceField(
        label=gettext_lazy("Landlord"),
        queryset=Organisation.objects.landlords(),
        required=False,
        empty_label=pgettext_lazy("filter: any value", "All"),
    )
    difficulty = forms.ChoiceField(label=gettext_lazy("Difficulty"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("Needs my action"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue"), required=False)
    include_closed = forms.BooleanField(label=gettext_lazy("Include closed"), required=False)

    #: Check boxes shown under "More filters"; the work filters have their own group.
    TOGGLES = ("mine", "overdue", "include_closed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", pgettext_lazy("filter: any value", "All"))]
        self.fields["status"].choices = every + list(Status.choices)  # type: ignore[attr-defined]
        self.fields["level"].choices = every + list(Level.choices)  # type: ignore[attr-defined]
        self.fields["difficulty"].choices = every + list(Difficulty.choices)  # type: ignore[attr-defined]
        for name, work_filter in selectors.WORK_FILTERS.items():
            self.fields[name] = forms.BooleanField(label=work_filter.label, required=False)

    def grid_fields(self) -> list[forms.BoundField]:
        hidden = {*self.TOGGLES, *selectors.WORK_FILTERS}
        return [self[name] for name in self.fields if name not in hidden]

    def toggle_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.TOGGLES]

    def work_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in selectors.WORK_FILTERS]


@login_required
def situation_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = selectors.SituationFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.SituationFilters(
            q=d["q"],
            territory=d["territory"].pk if d["territory"] else None,
            status=d["status"],
            level=d["level"],
            landlord=d["landlord"].pk if d["landlord"] else None,
            difficulty=d["difficulty"],
            mine=d["mine"],
            overdue=d["overdue"],
            include_closed=d["include_closed"],
            work=tuple(name for name in selectors.WORK_FILTERS if d.get(name)),
        )
    qs = selectors.search_situations(request.user, filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    # The results show households' names: one entry per situation shown.
    access_log_record_many(user=request.user, action=AccessAction.READ, situations=page)
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "situations/partials/results.html" if request.htmx else "situations/list.html"  # type: ignore[attr-defined]
    )
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


@login_required
def situation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk)
    actions = allowed_actions(request.user, situation)
    access_log_record(
        user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
    )
    context = {
        "situation": situation,
        "actions": actions,
        "can": {a.name.lower(): a in actions for a in Action},
        "people": list(situation.household.people.all()),
        "difficulties": selectors.visible_difficulties(situation, actions),
        "timeline": selectors.timeline(situation, actions),
        "next_steps": selectors.next_steps(request.user, situation),
        "shares": situation.shares.filter(is_active=True).select_related("organisation"),
        "consents": situation.consents.prefetch_related("scope"),
    }
    return render(request, "situations/detail.html", context)


@login_required
def situation_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk)
    form_class = FORMS.get(action)
    if form_class is None:
        raise Http404
    transition = workflow.transition_for(action, situation.status)
    allowed = transition is not None and transition.permission in allowed_actions(
        request.user, situation
    )
    form = form_class(request.POST if request.method == "POST" else None, situation=situation)
    if request.method == "POST" and form.is_valid():
        # The service is the authority (permission, table, version): the page only reports.
        try:
            services.situation_transition(
                user=request.user,
                situation_id=situation.pk,
                action=action,
                expected_version=form.cleaned_data["version"],
                occurred_on=form.cleaned_data["occurred_on"],
                payload=form.payload(),
            )
        except services.ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Step recorded: %(label)s.") % {"label": workflow.ACTION_LABELS[action]}
            )
            return redirect("situations:detail", pk=situation.pk)
    access_log_record(
        user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
    )
    return render(
        request,
        "situations/step.html",
        {
            "situation": situation,
            "form": form,
            "action": action,
            "label": workflow.ACTION_LABELS[action],
            "allowed": allowed or request.method == "POST",
            "transition_exists": transition is not None,
        },
    )


@login_required
def situation_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.MANAGE_SHARING)
    consent_form = ConsentForm(situation=situation, prefix="consent")
    share_form = ShareForm(prefix="share")
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "consent":
                consent_form = ConsentForm(request.POST, situation=situation, prefix="consent")
                if consent_form.is_valid():
                    services.consent_record(
                        user=request.user,
                        situation_id=situation.pk,
                        given_on=consent_form.cleaned_data["given_on"],
                        organisation_ids=[o.pk for o in consent_form.cleaned_data["organisations"]],
                        note=consent_form.cleaned_data["note"],
                        keep_landlord_history=consent_form.cleaned_data["keep_landlord_history"],
                    )
                    messages.success(request, _("Consent recorded."))
                    return redirect("situations:sharing", pk=situation.pk)
            elif kind == "share":
                share_form = ShareForm(request.POST, prefix="share")
                if share_form.is_valid():
                    services.share_grant(
                        user=request.user,
                        situation_id=situation.pk,
                        organisation_id=share_form.cleaned_data["organisation"].pk,
                        legal_basis=share_form.cleaned_data["legal_basis"],
                    )
                    messages.success(
                        request, _("The organisation now takes part in the situation.")
                    )
                    return redirect("situations:sharing", pk=situation.pk)
        except services.ServiceError as exc:
            target = consent_form if kind == "consent" else share_form
            for message in exc.messages:
                target.add_error(None, message)
    else:
        access_log_record(
            user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
        )
    return render(
        request,
        "situations/sharing.html",
        {
            "situation": situation,
            "consent_form": consent_form,
            "share_form": share_form,
            "shares": situation.shares.select_related("organisation", "consent").order_by(
                "-is_active", "granted_at"
            ),
            "consents": situation.consents.prefetch_related("scope"),
            "withdraw_form": WithdrawConsentForm(),
            "revoke_form": RevokeShareForm(),
        },
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.MANAGE_SHARING)
    form = WithdrawConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid withdrawal date."))
        return redirect("situations:sharing", pk=situation.pk)
    try:
        ended = services.consent_withdraw(
            user=request.user,
            situation_id=situation.pk,
            consent_id=consent_pk,
            withdrawn_on=form.cleaned_data["withdrawn_on"],
        )
    except services.ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Consent withdrawn; shares ended: %(n)s.") % {"n": ended})
    return redirect("situations:sharing", pk=situation.pk)


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.MANAGE_SHARING)
    form = RevokeShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for ending this share."))
        return redirect("situations:sharing", pk=situation.pk)
    try:
        services.share_revoke(
            user=request.user,
            situation_id=situation.pk,
            share_id=share_pk,
            reason=form.cleaned_data["reason"],
        )
    except services.ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sharing ended."))
    return redirect("situations:sharing", pk=situation.pk)


@login_required
def event_correct(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_STEP)
    event = situation.events.filter(pk=event_pk).first()
    if event is None:
        raise Http404
    form = CorrectDateForm(
        request.POST if request.method == "POST" else None,
        initial={"occurred_on": event.occurred_on, "version": situation.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_correct_date(
                user=request.user,
                situation_id=situation.pk,
                event_id=event.pk,
                expected_version=form.cleaned_data["version"],
                occurred_on=form.cleaned_data["occurred_on"],
                reason=form.cleaned_data["reason"],
            )
        except services.ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Date corrected; the original entry is kept."))
            return redirect("situations:detail", pk=situation.pk)
    access_log_record(
        user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
    )
    return render(
        request,
        "situations/correct.html",
        {
            "situation": situation,
            "event": event,
            "label": selectors._label(event.action),
            "form": form,
        },
    )
