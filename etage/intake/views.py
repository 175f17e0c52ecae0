from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from etage.core.models import AccessAction
from etage.core.services import access_log_record_many
from etage.intake.duplicates import find_possible_duplicates
from etage.intake.forms import ReferralForm
from etage.intake.models import ReferralStatus, situation_statuses_of
from etage.intake.services import ReferralData, referral_create_situation, referral_join_situation
from etage.situations.permissions import situations_visible_to
from etage.situations.services import ServiceError


def _data(cleaned: dict[str, Any]) -> ReferralData:
    return ReferralData(
        last_name=cleaned["last_name"],
        first_name=cleaned["first_name"],
        landlord_id=cleaned["landlord"].pk,
        commune_id=cleaned["commune"].pk,
        address=cleaned["address"],
        source=cleaned["source"],
        urgency=cleaned["urgency"],
        difficulties=tuple(cleaned["difficulties"]),
        lease_reference=cleaned["lease_reference"],
        phone=cleaned["phone"],
        adults=cleaned["adults"],
        children=cleaned["children"],
        description=cleaned["description"],
        entry_stage=cleaned["entry_stage"],
    )


@login_required
def referral_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.organisation_id is None:
        messages.error(request, _("Your account is not attached to an organisation."))
        return redirect("core:home")
    form = ReferralForm(request.POST if request.method == "POST" else None, user=user)
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = _data(form.cleaned_data)
        candidates = find_possible_duplicates(
            landlord_id=data.landlord_id,
            lease_reference=data.lease_reference,
            last_name=data.last_name,
            address=data.address,
            commune_id=data.commune_id,
        )
        decision = request.POST.get("decision", "")
        try:
            if decision == "new" or (not candidates and decision == ""):
                referral = referral_create_situation(user=user, data=data)
                messages.success(
                    request,
                    _("Referral sent to the platform. Reference: %(ref)s.")
                    % {"ref": referral.situation.reference},
                )
                return redirect("intake:my_referrals")
            if decision.startswith("join:"):
                chosen = decision.split(":", 1)[1]
                # Only a situation found as a duplicate of *these* details may be joined.
                match = next((c for c in candidates if str(c.situation.pk) == chosen), None)
                if match is None:
                    form.add_error(None, _("This situation no longer matches: check the details."))
                else:
                    referral_join_situation(user=user, situation_id=match.situation.pk, data=data)
                    messages.success(
                        request,
                        _(
                            "Your referral was added to the situation already open for this "
                            "household."
                        ),
                    )
                    return redirect("intake:my_referrals")
        except ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        visible = set(
            situations_visible_to(user)
            .filter(pk__in=[c.situation.pk for c in candidates])
            .values_list("pk", flat=True)
        )
        duplicates = [
            {
                "pk": c.situation.pk,
                "reason": c.reason,
                "visible": c.situation.pk in visible,
                "situation": c.situation if c.situation.pk in visible else None,
            }
            for c in candidates
        ]
    return render(request, "intake/referral_form.html", {"form": form, "duplicates": duplicates})


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    referrals = (
        request.user.referrals.select_related(  # type: ignore[union-attr]
            "situation__platform__territory", "situation__tenancy__commune"
        )
        .prefetch_related("situation__household__people")
        .order_by("-submitted_at")
    )
    # ``?status=received``: the referrals a referrer sees with this coarse status (the counts
    # of "My work" link here).
    status = request.GET.get("status", "")
    shown_status = None
    if status in ReferralStatus.values:
        shown_status = ReferralStatus(status)
        referrals = referrals.filter(situation__status__in=situation_statuses_of(status))
    referrals = list(referrals)
    # The list names each referred household: one entry per situation shown.
    access_log_record_many(
        user=request.user,
        action=AccessAction.READ,
        situations=[r.situation for r in referrals if r.situation_id],
    )
    return render(
        request,
        "intake/my_referrals.html",
        {"referrals": referrals, "total": len(referrals), "shown_status": shown_status},
    )
