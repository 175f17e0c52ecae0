"""Record linkage after an import, the review queue's decisions, and household merges.

``link_import`` is the first of ``settings.ETAGE_POST_IMPORT_STEPS``. It is set-based: the
lease-reference rules are a handful of UPDATE statements whatever the number of lines; only
the leases left over are matched one by one (once per lease, not per line), against the
landlord's own known tenancies held in memory (:class:`etage.linkage.matching.CandidateIndex`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Trim, Upper
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.alerts.models import Candidate
from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.households.models import Household, Person, Tenancy
from etage.intake.models.arrears import ArrearsImport, ArrearsLine, LeaseSignal, LinkStatus
from etage.linkage import matching
from etage.linkage.models import HouseholdMerge, LinkReview, ReviewDecision, ReviewStatus
from etage.linkage.permissions import (
    can_merge,
    can_review_links,
    households_mergeable_by,
    merges_visible_to,
    reviews_visible_to,
)
from etage.situations.models import Situation
from etage.situations.services import ServiceError

#: Statuses of a line linked to a household.
LINKED = (LinkStatus.EXACT, LinkStatus.PROBABLE, LinkStatus.CONFIRMED)
#: Leases per UPDATE … CASE statement.
CHUNK = 500

T = TypeVar("T")


class LinkageError(ServiceError):
    pass


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _known_tenancies(landlord_id: int) -> list[matching.KnownTenancy]:
    """The landlord's current tenancies known to ETAGE, with their people (two queries)."""
    people: dict[int, list[matching.PersonName]] = defaultdict(list)
    for household_id, last, first in (
        Person.objects.filter(household__tenancies__landlord_id=landlord_id)
        .distinct()
        .order_by("household_id", "pk")
        .values_list("household_id", "last_name", "first_name")
    ):
        people[household_id].append(matching.PersonName(last, first))
    return [
        matching.KnownTenancy(
            household_id=household_id,
            landlord_id=landlord_id,
            lease_reference=lease,
            address=address,
            commune_id=commune_id,
            people=tuple(people.get(household_id, ())),
            address_key=key,
        )
        for household_id, lease, address, commune_id, key in Tenancy.objects.filter(
            landlord_id=landlord_id, is_current=True
        ).values_list("household_id", "lease_reference", "address", "commune_id", "address_key")
    ]


def _update_per_lease(
    lines: Any, values: Mapping[str, tuple[int | None, float | None]], status: str
) -> None:
    """Give each lease of ``values`` its (household, score), CHUNK leases per statement.
    (Typed values: PostgreSQL reads an untyped NULL in a CASE as text.)"""
    leases = sorted(values)
    for chunk in _chunks(leases):
        changes: dict[str, Any] = {
            "link_status": status,
            "link_score": Case(
                *[
                    When(
                        lease_reference=lease,
                        then=Value(values[lease][1], output_field=FloatField()),
                    )
                    for lease in chunk
                ],
                output_field=FloatField(),
            ),
        }
        if any(values[lease][0] is not None for lease in chunk):
            changes["household_id"] = Case(
                *[
                    When(
                        lease_reference=lease,
                        then=Value(values[lease][0], output_field=BigIntegerField()),
                    )
                    for lease in chunk
                ],
                output_field=BigIntegerField(),
            )
        else:
            changes["household_id"] = None
        lines.filter(lease_reference__in=chunk).update(**changes)


def _proposals_json(proposals: Iterable[matching.Proposal]) -> list[dict[str, Any]]:
    return [
        {
            "household": p.household_id,
            "score": p.score,
            "name": p.name_similarity,
            "address": p.address_similarity,
        }
        for p in proposals
    ]


@transaction.atomic
def link_import(*, batch: ArrearsImport) -> None:
    """Match the lines this import created or corrected to known households of the same
    landlord. Idempotent: a second run finds nothing pending and changes nothing; a lease
    already in the review queue is not queued again."""
    landlord_id = batch.landlord_id
    lines = ArrearsLine.objects.filter(landlord_id=landlord_id, last_import=batch)
    # New lines, and lines this import corrected (their names or address may have changed);
    # a person's confirmation stands.
    lines.filter(~Q(first_import=batch)).exclude(
        link_status__in=(LinkStatus.CONFIRMED, LinkStatus.PENDING)
    ).update(link_status=LinkStatus.PENDING, household=None, link_score=None)
    pending = lines.filter(link_status=LinkStatus.PENDING)

    # 1. The same lease reference at the same landlord. The landlord's known leases are few
    #    (households ETAGE knows); the batch's lines may be a million, just written in this
    #    transaction, so the database has no statistics on them yet: one scan finds the
    #    lines of known leases, then updates go through the natural-key index, CHUNK leases
    #    per statement (no correlated subquery whose plan would depend on statistics).
    owners: dict[str, list[int]] = defaultdict(list)
    for lease, household_id in (
        Tenancy.objects.filter(landlord_id=landlord_id)
        .exclude(lease_reference="")
        .order_by("-is_current", "pk")
        .values_list("lease_reference", "household_id")
    ):
        if household_id not in owners[lease]:
            owners[lease].append(household_id)
    shared = {lease: sorted(pks) for lease, pks in owners.items() if len(pks) > 1}
    single = {lease: pks[0] for lease, pks in owners.items() if len(pks) == 1}
    exact: dict[str, tuple[int | None, float | None]] = {}
    for chunk in _chunks(sorted(single), 5000):
        for raw in (
            pending.annotate(normalised=Upper(Trim("lease_reference")))
            .filter(normalised__in=chunk)
            .order_by()
            .values_list("lease_reference", flat=True)
            .distinct()
        ):
            exact[raw] = (single[matching.normalise_lease(raw)], 1.0)
    _update_per_lease(pending, exact, LinkStatus.EXACT)

    # 2. A person's decision on this lease stands for later lines, as long as the household
    #    chosen is still a tenant of this landlord (a merge may have emptied it).
    decisions: dict[str, tuple[str, int | None]] = {}
    for lease, decision, household_id in (
        LinkReview.objects.filter(landlord_id=landlord_id, status=ReviewStatus.RESOLVED)
        .order_by("lease_reference", "decided_at", "pk")
        .values_list("lease_reference", "decision", "household_id")
    ):
        decisions[lease] = (decision, household_id)
    if decisions:
        tenants = set(
            Tenancy.objects.filter(
                landlord_id=landlord_id,
                household_id__in={h for _d, h in decisions.values() if h is not None},
            ).values_list("household_id", flat=True)
        )
        confirmed = {
            lease: (household_id, 1.0)
            for lease, (decision, household_id) in decisions.items()
            if decision == ReviewDecision.LINKED and household_id in tenants
        }
        _update_per_lease(pending, confirmed, LinkStatus.CONFIRMED)
        refused = [lease for lease, (d, _h) in decisions.items() if d == ReviewDecision.NO_MATCH]
        for chunk in _chunks(refused):
            pending.filter(lease_reference__in=chunk).update(link_status=LinkStatus.UNKNOWN)

    # 3. The same lease already linked by an earlier import: keep that household.
    earlier = (
        ArrearsLine.objects.filter(
            landlord_id=landlord_id,
            lease_reference=OuterRef("lease_reference"),
            link_status__in=LINKED,
            household__isnull=False,
        )
        .filter(
            Exists(
                Tenancy.objects.filter(landlord_id=landlord_id, household_id=OuterRef("household"))
            )
        )
        .order_by("-balance_on", "-pk")
    )
    pending.filter(Exists(earlier)).update(
        household_id=Subquery(earlier.values("household_id")[:1]),
        link_status=Subquery(earlier.values("link_status")[:1]),
        link_score=Subquery(earlier.values("link_score")[:1]),
    )

    # 4. A lease already waiting in the review queue joins it (never queued twice).
    pending.filter(
        Exists(
            LinkReview.objects.filter(
                landlord_id=landlord_id,
                lease_reference=OuterRef("lease_reference"),
                status=ReviewStatus.OPEN,
            )
        )
    ).update(link_status=LinkStatus.REVIEW)

    # 5. Similar name at the same address: once per lease, on its latest line.
    index = matching.CandidateIndex(landlord_id, _known_tenancies(landlord_id))
    probable: dict[str, tuple[int | None, float | None]] = {}
    review: dict[str, tuple[int | None, float | None]] = {}
    queued: list[LinkReview] = []
    if index or shared:
        seen = ""
        rows = (
            pending.order_by("lease_reference", "-balance_on")
            .values_list("lease_reference", "tenant_names", "address", "commune_id")
            .iterator(chunk_size=2000)
        )
        for lease, names, address, commune_id in rows:
            if lease == seen:
                continue
            seen = lease
            imported = matching.ImportedLease(landlord_id, lease, names, address, commune_id)
            holders = shared.get(matching.normalise_lease(lease))
            if holders:
                result = matching.MatchResult(
                    matching.REVIEW,
                    None,
                    1.0,
                    tuple(matching.Proposal(pk, 1.0, 0.0, 0.0) for pk in holders),
                )
            else:
                result = index.match(imported)
            if result.status == matching.PROBABLE:
                probable[lease] = (result.household_id, result.score)
            elif result.status == matching.REVIEW:
                review[lease] = (None, result.score)
                queued.append(
                    LinkReview(
                        landlord_id=landlord_id,
                        lease_reference=lease,
                        batch=batch,
                        proposals=_proposals_json(result.proposals),
                    )
                )
    _update_per_lease(pending, probable, LinkStatus.PROBABLE)
    LinkReview.objects.bulk_create(queued, batch_size=CHUNK, ignore_conflicts=True)
    _update_per_lease(pending, review, LinkStatus.REVIEW)
    pending.update(link_status=LinkStatus.UNKNOWN)


# --- The review queue -------------------------------------------------------------------


def _already_decided() -> LinkageError:
    return LinkageError(
        _(
            "Someone else has already decided on this lease. Nothing was changed: the queue "
            "now shows what remains to review."
        )
    )


@transaction.atomic
def link_review_decide(*, user: Any, review_id: int, household_id: int | None) -> LinkReview:
    """Link every line of the review's lease to ``household_id`` (one of the proposed
    households), or record that none of them is this lease's household (``None``). A review
    already decided (by someone else, a moment ago) is refused and nothing changes."""
    if not can_review_links(user):
        raise Http404
    review = reviews_visible_to(user).filter(pk=review_id).first()
    if review is None:
        raise Http404
    if review.status != ReviewStatus.OPEN:
        raise _already_decided()
    household: Household | None = None
    if household_id is not None:
        if household_id not in review.proposed_ids:
            raise LinkageError(_("This household was not proposed for this lease."))
        household = Household.objects.filter(
            pk=household_id, tenancies__landlord_id=review.landlord_id
        ).first()
        if household is None:
            raise LinkageError(
                _(
                    "This household is no longer a tenant of your organisation in ETAGE "
                    "(merged with another record?). Choose another one or “None of these "
                    "households”."
                )
            )
    now = timezone.now()
    updated = LinkReview.objects.filter(pk=review.pk, status=ReviewStatus.OPEN).update(
        status=ReviewStatus.RESOLVED,
        decision=ReviewDecision.LINKED if household else ReviewDecision.NO_MATCH,
        household=household,
        decided_by=user,
        decided_at=now,
    )
    if updated != 1:
        raise _already_decided()
    lines = ArrearsLine.objects.filter(
        landlord_id=review.landlord_id, lease_reference=review.lease_reference
    )
    if household is not None:
        lines.update(household=household, link_status=LinkStatus.CONFIRMED, link_score=1.0)
        access_log_record(
            user=user,
            action=AccessAction.CHANGE,
            obj=household,
            reason=_("Imported lease %(lease)s linked to this household")
            % {"lease": review.lease_reference},
        )
    else:
        lines.update(household=None, link_status=LinkStatus.UNKNOWN, link_score=None)
    access_log_record(user=user, action=AccessAction.CHANGE, obj=review)
    review.refresh_from_db()
    return review


# --- Merges -------------------------------------------------------------------------------

#: What moves with a household: (key in HouseholdMerge.moved, model).
MOVED: tuple[tuple[str, Any], ...] = (
    ("people", Person),
    ("tenancies", Tenancy),
    ("situations", Situation),
    ("arrears_lines", ArrearsLine),
    ("lease_signals", LeaseSignal),
    # Early-warning candidates point at the household linkage found for their lease.
    ("candidates", Candidate),
)


@dataclass(frozen=True)
class MergePreview:
    """What a merge would move, for the confirmation page."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def merge_preview(*, absorbed: Household) -> MergePreview:
    return MergePreview(
        {key: model.objects.filter(household=absorbed).count() for key, model in MOVED}
    )


def _stale_households() -> LinkageError:
    return LinkageError(
        _(
            "One of the two households changed while you were confirming (another merge or "
            "an update). Nothing was changed: check both households again."
        )
    )


def _lock(*pks: int) -> dict[int, Household]:
    """Both households, locked in a fixed order (no deadlock between two merges)."""
    return {
        h.pk: h for h in Household.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    }


def _is_absorbed(household_id: int) -> bool:
    return HouseholdMerge.objects.filter(absorbed_id=household_id, undone_at__isnull=True).exists()


@transaction.atomic
def household_merge(
    *,
    user: Any,
    kept: Household,
    absorbed: Household,
    reason: str,
    kept_version: int | None = None,
    absorbed_version: int | None = None,
) -> HouseholdMerge:
    """Move everything of ``absorbed`` (people, tenancies, situations, arrears lines,
    landlords' signals) onto ``kept``. The absorbed record stays, empty, for the undo. Both
    versions go up; a version that changed since the confirmation page refuses the merge."""
    if not can_merge(user):
        raise LinkageError(_("Only platform coordinators merge households."))
    mergeable = households_mergeable_by(user)
    if not mergeable.filter(pk=kept.pk).exists() or not mergeable.filter(pk=absorbed.pk).exists():
        raise Http404
    if kept.pk == absorbed.pk:
        raise LinkageError(_("Choose two different households."))
    reason = (reason or "").strip()
    if not reason:
        raise LinkageError(_("Say why these two records are the same household."))
    locked = _lock(kept.pk, absorbed.pk)
    if kept_version is not None and locked[kept.pk].version != kept_version:
        raise _stale_households()
    if absorbed_version is not None and locked[absorbed.pk].version != absorbed_version:
        raise _stale_households()
    if _is_absorbed(kept.pk) or _is_absorbed(absorbed.pk):
        raise LinkageError(
            _("One of these households was already merged into another; undo that merge first.")
        )
    moved: dict[str, list[int]] = {}
    for key, model in MOVED:
        ids = sorted(model.objects.filter(household=absorbed).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(household=kept)
        moved[key] = ids
    if not moved["people"] and not moved["situations"]:
        raise LinkageError(_("This household has nothing left to merge."))
    Household.objects.filter(pk__in=[kept.pk, absorbed.pk]).update(version=F("version") + 1)
    merge = HouseholdMerge.objects.create(
        kept=kept, absorbed=absorbed, moved=moved, reason=reason[:250], merged_by=user
    )
    merge.situations.set(Situation.objects.filter(household=kept))
    for household in (kept, absorbed):
        access_log_record(
            user=user,
            action=AccessAction.CHANGE,
            obj=household,
            reason=_("Household merge #%(pk)s") % {"pk": merge.pk},
        )
    return merge


@transaction.atomic
def household_merge_undo(*, user: Any, merge: HouseholdMerge) -> HouseholdMerge:
    """Split again: move back exactly the rows the merge moved. Refused when one of them has
    since moved elsewhere (a later merge: undo that one first). Rows deleted since are gone
    from both sides and are not an obstacle."""
    if not can_merge(user):
        raise LinkageError(_("Only platform coordinators merge households."))
    if not merges_visible_to(user).filter(pk=merge.pk).exists():
        raise Http404
    _lock(merge.kept_id, merge.absorbed_id)
    updated = HouseholdMerge.objects.filter(pk=merge.pk, undone_at__isnull=True).update(
        undone_by=user, undone_at=timezone.now()
    )
    if updated != 1:
        raise LinkageError(_("This merge has already been undone."))
    for key, model in MOVED:
        ids = merge.moved.get(key, [])
        model.objects.filter(pk__in=ids, household_id=merge.kept_id).update(
            household_id=merge.absorbed_id
        )
        if model.objects.filter(pk__in=ids).exclude(household_id=merge.absorbed_id).exists():
            raise LinkageError(
                _(
                    "Some records of this merge have moved since (a later merge?). Undo the "
                    "later merge first. Nothing was changed."
                )
            )
    Household.objects.filter(pk__in=[merge.kept_id, merge.absorbed_id]).update(
        version=F("version") + 1
    )
    merge.refresh_from_db()
    for household in (merge.kept, merge.absorbed):
        access_log_record(
            user=user,
            action=AccessAction.CHANGE,
            obj=household,
            reason=_("Undo of household merge #%(pk)s") % {"pk": merge.pk},
        )
    return merge
