"""The candidate list of a landlord's social workers, and the two decisions on a candidate:
create a situation from it (the pre-filled referral form), or dismiss it with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from etage.alerts.forms import CandidateFilterForm, CandidateReferralForm, DismissForm
from etage.alerts.models import Candidate, CandidateStatus
from etage.alerts.permissions import (
    candidates_visible_to,
    get_candidate_for_user,
    may_see_candidates,
)
from etage.alerts.selectors import log_candidates_read
from etage.alerts.services import candidate_convert, candidate_dismiss
from etage.intake.duplicates import find_possible_duplicates
from etage.intake.services import ReferralData
from etage.situations.permissions import situations_visible_to
from etage.situations.services import ServiceError

PAGE_SIZE = 50


def _require_landlord_social_worker(request: HttpRequest) -> Any:
    if not may_see_candidates(request.user):
        raise PermissionDenied
    return request.user


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    user = _require_landlord_social_worker(request)
    form = CandidateFilterForm(request.GET or None, user=user)
    scoped = candidates_visible_to(user)
    status = CandidateStatus.OPEN.value
    if form.is_valid():
        data = form.cleaned_data
        if data["territory"]:
            scoped = scoped.filter(territory=data["territory"])
        if data["commune"]:
            scoped = scoped.filter(commune=data["commune"])
        if data["rule"]:
            scoped = scoped.filter(rule_kinds__contains=data["rule"])
        status = data["status"] or status
    counts = scoped.aggregate(
        **{s.value: Count("pk", filter=Q(status=s.value)) for s in CandidateStatus}
    )
    candidates = scoped.filter(status=status).select_related("commune", "territory")
    page = Paginator(candidates.order_by("-severity", "lease_reference"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Names and addresses of tenants: a read of nominative data, logged per candidate shown.
    log_candidates_read(user=user, candidates=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "status": status,
        "status_label": CandidateStatus(status).label,
        "counts": [(s, s.label, counts[s.value]) for s in CandidateStatus],
        "total": page.paginator.count,
        "query": query.urlencode(),
        "any_candidate": any(counts.values()),
    }
    template = "alerts/partials/results.html" if request.htmx else "alerts/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _referral_data(cleaned: dict[str, Any], candidate: Candidate) -> ReferralData:
    return ReferralData(
        last_name=cleaned["last_name"],
        first_name=cleaned["first_name"],
        landlord_id=candidate.landlord_id,
        commune_id=cleaned["commune"].pk,
        address=cleaned["address"],
        source=cleaned["source"],
        urgency=cleaned["urgency"],
        difficulties=tuple(cleaned["difficulties"]),
        lease_reference=candidate.lease_reference,
        phone=cleaned["phone"],
        adults=cleaned["adults"],
        children=cleaned["children"],
        description=cleaned["description"],
        entry_stage=cleaned["entry_stage"],
        entry_debt=cleaned["entry_debt"],
    )


@login_required
def candidate_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_landlord_social_worker(request)
    candidate = get_candidate_for_user(user, pk)
    if candidate.status != CandidateStatus.OPEN:
        messages.error(request, _("This candidate is no longer waiting for a decision."))
        return redirect("alerts:candidate_list")
    log_candidates_read(user=user, candidates=[candidate])
    form = CandidateReferralForm(
        request.POST if request.method == "POST" else None, user=user, candidate=candidate
    )
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = _referral_data(form.cleaned_data, candidate)
        found = find_possible_duplicates(
            landlord_id=data.landlord_id,
            lease_reference=data.lease_reference,
            last_name=data.last_name,
            address=data.address,
            commune_id=data.commune_id,
        )
        decision = request.POST.get("decision", "")
        version = form.cleaned_data["version"]
        try:
            if decision == "new" or (not found and decision == ""):
                situation = candidate_convert(
                    user=user, candidate_id=candidate.pk, expected_version=version, data=data
                )
                messages.success(
                    request,
                    _("Situation created from the candidate. Reference: %(ref)s.")
                    % {"ref": situation.reference},
                )
                if situations_visible_to(user).filter(pk=situation.pk).exists():
                    return redirect("situations:detail", situation.pk)
                return redirect("alerts:candidate_list")
            if decision.startswith("join:"):
                chosen = decision.split(":", 1)[1]
                # Only a situation found as a duplicate of *these* details may be joined.
                match = next((c for c in found if str(c.situation.pk) == chosen), None)
                if match is None:
                    form.add_error(None, _("This situation no longer matches: check the details."))
                else:
                    candidate_convert(
                        user=user,
                        candidate_id=candidate.pk,
                        expected_version=version,
                        data=data,
                        join_situation_id=match.situation.pk,
                    )
                    messages.success(
                        request,
                        _(
                            "The candidate was added to the situation already open for this "
                            "household."
                        ),
                    )
                    return redirect("alerts:candidate_list")
        except ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        visible = set(
            situations_visible_to(user)
            .filter(pk__in=[c.situation.pk for c in found])
            .values_list("pk", flat=True)
        )
        duplicates = [
            {
                "pk": c.situation.pk,
                "reason": c.reason,
                "visible": c.situation.pk in visible,
                "situation": c.situation if c.situation.pk in visible else None,
            }
            for c in found
        ]
    return render(
        request,
        "alerts/convert.html",
        {"form": form, "candidate": candidate, "duplicates": duplicates},
    )


@login_required
def candidate_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_landlord_social_worker(request)
    candidate = get_candidate_for_user(user, pk)
    if candidate.status != CandidateStatus.OPEN:
        messages.error(request, _("This candidate is no longer waiting for a decision."))
        return redirect("alerts:candidate_list")
    log_candidates_read(user=user, candidates=[candidate])
    form = DismissForm(
        request.POST if request.method == "POST" else None,
        initial={"version": candidate.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            candidate_dismiss(
                user=user,
                candidate_id=candidate.pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Candidate %(lease)s dismissed. It comes back only if the signal gets worse.")
                % {"lease": candidate.lease_reference},
            )
            return redirect("alerts:candidate_list")
    return render(request, "alerts/dismiss.html", {"form": form, "candidate": candidate})
