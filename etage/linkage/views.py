"""The review queue (a landlord's staff decide uncertain matches) and household merges
(platform coordinators). Thin: permissions and rules live in permissions.py and services.py;
every nominative read shown here is written to the access log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.households.models import Household, Tenancy
from etage.households.text import address_key, names_similar
from etage.intake.models.arrears import ArrearsLine
from etage.linkage.forms import MergeChoiceForm, MergeConfirmForm
from etage.linkage.models import LinkReview, ReviewStatus
from etage.linkage.permissions import (
    can_merge,
    can_review_links,
    households_mergeable_by,
    merges_visible_to,
    reviews_visible_to,
)
from etage.linkage.services import (
    LinkageError,
    household_merge,
    household_merge_undo,
    link_review_decide,
    merge_preview,
)
from etage.situations.models import Situation
from etage.situations.permissions import get_situation_for_user
from etage.situations.permissions_matrix import Action

# --- Review queue ------------------------------------------------------------------------


@dataclass
class ProposedHousehold:
    household: Household
    score: int  # percent
    name: int
    address: int
    holders: list[str]
    tenancy: Tenancy | None


@dataclass
class ReviewCard:
    review: LinkReview
    line: ArrearsLine | None
    proposals: list[ProposedHousehold] = field(default_factory=list)


def _percent(value: Any) -> int:
    return round(float(value or 0) * 100)


def _cards(user: Any, reviews: list[LinkReview]) -> list[ReviewCard]:
    landlord_id = user.organisation_id
    leases = [r.lease_reference for r in reviews]
    latest: dict[str, ArrearsLine] = {}
    for line in (
        ArrearsLine.objects.filter(landlord_id=landlord_id, lease_reference__in=leases)
        .select_related("commune")
        .order_by("lease_reference", "-balance_on")
    ):
        latest.setdefault(line.lease_reference, line)
    ids = {pk for r in reviews for pk in r.proposed_ids}
    # Only tenants of this landlord, whatever the proposals say.
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in=ids, tenancies__landlord_id=landlord_id)
        .distinct()
        .prefetch_related(
            "people",
            Prefetch(
                "tenancies",
                queryset=Tenancy.objects.filter(landlord_id=landlord_id)
                .select_related("commune")
                .order_by("-is_current", "pk"),
                to_attr="landlord_tenancies",
            ),
        )
    }
    cards = []
    for review in reviews:
        card = ReviewCard(review, latest.get(review.lease_reference))
        for proposal in review.proposals:
            household = households.get(int(proposal["household"]))
            if household is None:
                continue
            people = list(household.people.all())
            holders = [p.full_name for p in people if p.relationship in ("holder", "co_holder")]
            tenancies: list[Tenancy] = household.landlord_tenancies
            card.proposals.append(
                ProposedHousehold(
                    household,
                    _percent(proposal.get("score")),
                    _percent(proposal.get("name")),
                    _percent(proposal.get("address")),
                    holders or [p.full_name for p in people[:1]],
                    tenancies[0] if tenancies else None,
                )
            )
        cards.append(card)
    return cards


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_review_links(user):
        raise PermissionDenied
    reviews = reviews_visible_to(user).filter(status=ReviewStatus.OPEN).order_by("created_at", "pk")
    page = Paginator(reviews, 20).get_page(request.GET.get("page"))
    cards = _cards(user, list(page.object_list))
    for card in cards:
        if card.line is not None:
            access_log_record(user=user, action=AccessAction.READ, obj=card.line)
        for proposal in card.proposals:
            access_log_record(user=user, action=AccessAction.READ, obj=proposal.household)
    return render(
        request,
        "linkage/queue.html",
        {"cards": cards, "page": page, "total": page.paginator.count},
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if not can_review_links(user):
        raise PermissionDenied
    choice = request.POST.get("household", "")
    household_id: int | None
    if choice == "none":
        household_id = None
    else:
        try:
            household_id = int(choice)
        except ValueError:
            messages.error(request, _("Choose a household or “None of these households”."))
            return redirect("linkage:queue")
    try:
        review = link_review_decide(user=user, review_id=pk, household_id=household_id)
    except LinkageError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if review.household_id:
            messages.success(
                request,
                _("Lease %(lease)s is now linked to the household you chose.")
                % {"lease": review.lease_reference},
            )
        else:
            messages.success(
                request,
                _("Lease %(lease)s: recorded as a household not known to ETAGE.")
                % {"lease": review.lease_reference},
            )
    return redirect("linkage:queue")


# --- Merges ----------------------------------------------------------------------------------


def _holder_names(household: Household) -> str:
    return ", ".join(p.full_name for p in household.people.all())


def _similar_households(user: Any, situation: Situation) -> list[Household]:
    """Households the coordinator may merge that look like this one: a similar family name,
    or the same address in the same commune."""
    own = list(situation.household.people.all())
    tenancy = situation.tenancy
    key = address_key(tenancy.address)
    found = []
    candidates = (
        households_mergeable_by(user)
        .exclude(pk=situation.household_id)
        .prefetch_related(
            "people", Prefetch("tenancies", queryset=Tenancy.objects.select_related("commune"))
        )
        .order_by("pk")
    )
    for household in candidates:
        people = list(household.people.all())
        if not people:
            continue  # an absorbed (empty) record
        same_name = any(names_similar(a.last_name, b.last_name) for a in own for b in people)
        same_address = any(
            t.commune_id == tenancy.commune_id and t.address_key == key
            for t in household.tenancies.all()
        )
        if same_name or same_address:
            found.append(household)
    return found


def _merge_situation(user: Any, situation_pk: int) -> Situation:
    if not can_merge(user):
        raise PermissionDenied
    return get_situation_for_user(user, situation_pk, Action.DECIDE)


@login_required
def merge_start(request: HttpRequest, situation_pk: int) -> HttpResponse:
    """Choose the other record (GET/POST), then confirm what will move (POST ``confirm``)."""
    user: Any = request.user
    situation = _merge_situation(user, situation_pk)
    kept = Household.objects.prefetch_related("people").get(pk=situation.household_id)
    candidates = _similar_households(user, situation)
    by_pk = {h.pk: h for h in candidates}
    access_log_record(user=user, action=AccessAction.READ, obj=kept, situation_id=situation.pk)
    for household in candidates:
        access_log_record(user=user, action=AccessAction.READ, obj=household)
    choices = [
        (
            h.pk,
            f"{_holder_names(h)} — "
            + "; ".join(f"{t.address}, {t.commune.name}" for t in h.tenancies.all()),
        )
        for h in candidates
    ]
    context: dict[str, Any] = {"situation": situation, "kept": kept, "candidates": candidates}
    if request.method == "POST" and "confirm" in request.POST:
        confirm = MergeConfirmForm(request.POST)
        if not confirm.is_valid() or confirm.cleaned_data["other"] not in by_pk:
            messages.error(request, _("This household cannot be merged from here."))
            return redirect("linkage:merge_start", situation_pk=situation.pk)
        absorbed = by_pk[confirm.cleaned_data["other"]]
        try:
            merge = household_merge(
                user=user,
                kept=kept,
                absorbed=absorbed,
                reason=confirm.cleaned_data["reason"],
                kept_version=confirm.cleaned_data["kept_version"],
                absorbed_version=confirm.cleaned_data["absorbed_version"],
            )
        except LinkageError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("linkage:merge_start", situation_pk=situation.pk)
        messages.success(
            request,
            _("The two records are merged (merge no. %(pk)s). You can undo it from this page.")
            % {"pk": merge.pk},
        )
        return redirect("linkage:merges")
    form = MergeChoiceForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        absorbed = by_pk[form.cleaned_data["other"]]
        context |= {
            "absorbed": absorbed,
            "preview": merge_preview(absorbed=absorbed),
            "confirm": MergeConfirmForm(
                initial={
                    "other": absorbed.pk,
                    "reason": form.cleaned_data["reason"],
                    "kept_version": kept.version,
                    "absorbed_version": absorbed.version,
                }
            ),
            "reason": form.cleaned_data["reason"],
        }
        return render(request, "linkage/merge_confirm.html", context)
    context["form"] = form
    return render(request, "linkage/merge_start.html", context)


@login_required
def merge_history(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_merge(user):
        raise PermissionDenied
    merges = list(
        merges_visible_to(user)
        .select_related("merged_by", "undone_by")
        .prefetch_related(
            "kept__people",
            "absorbed__people",
            Prefetch("situations", queryset=Situation.objects.order_by("reference")),
        )[:100]
    )
    rows = []
    for merge in merges:
        rows.append(
            {
                "merge": merge,
                "kept_names": _holder_names(merge.kept) or _holder_names(merge.absorbed),
                "situations": list(merge.situations.all()),
            }
        )
        access_log_record(user=user, action=AccessAction.READ, obj=merge.kept)
    return render(request, "linkage/merges.html", {"rows": rows})


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if not can_merge(user):
        raise PermissionDenied
    merge = merges_visible_to(user).filter(pk=pk).first()
    if merge is None:
        raise Http404
    try:
        household_merge_undo(user=user, merge=merge)
    except LinkageError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Merge no. %(pk)s undone: each record has its own people and situations again.")
            % {"pk": merge.pk},
        )
    return redirect("linkage:merges")
