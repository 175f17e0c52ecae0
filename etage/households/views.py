from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.households.forms import HouseholdForm, PersonFormSet
from etage.households.models import Household
from etage.households.services import household_update
from etage.situations.permissions import get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.situations.services import ServiceError


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    situation = get_situation_for_user(request.user, pk, Action.RECORD_STEP)
    household = Household.objects.get(pk=situation.household_id)
    bound = request.method == "POST"
    form = HouseholdForm(
        request.POST if bound else None, instance=household, initial={"version": household.version}
    )
    people = PersonFormSet(request.POST if bound else None, instance=household, prefix="personnes")
    if bound and form.is_valid() and people.is_valid():
        kept: list[dict[str, Any]] = []
        for person_form in people.forms:
            data = person_form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            kept.append(
                {
                    "id": data["id"].pk if data.get("id") else None,
                    **{
                        f: data.get(f)
                        for f in ("last_name", "first_name", "birth_year", "relationship")
                    },
                }
            )
        try:
            household_update(
                user=request.user,
                situation_id=situation.pk,
                expected_version=form.cleaned_data["version"],
                household={
                    k: form.cleaned_data[k]
                    for k in ("adults", "children", "phone", "resources_band")
                },
                people=kept,
            )
        except ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Household updated."))
            return redirect("situations:detail", pk=situation.pk)
    if not bound:
        access_log_record(
            user=request.user, action=AccessAction.READ, obj=household, situation_id=situation.pk
        )
    return render(
        request,
        "households/edit.html",
        {"situation": situation, "form": form, "people": people},
    )
