"""Early-warning services: evaluate the rules after an import or after signals, and the two
decisions a landlord's social worker takes on a candidate — create a situation from it, or
dismiss it with a reason.

Life cycle of a candidate (docs/alertes.md):

- a lease that triggers at least one active rule of its territory and has no candidate gets
  an **open** one;
- an open candidate is **refreshed** (latest signal, rules, severity) at each evaluation; if
  no rule triggers any more it stays open, with no rule, for a person to close;
- a **dismissed** candidate keeps its dismissal and comes back (reopened; the dismissal stays
  in its history) **only if the signal got worse**: severity strictly above the one at
  dismissal, or a more advanced procedure stage;
- a lease whose household already has an **open situation** with the same landlord (by the
  lease reference of the situation's tenancy, or the household linked to the lease's latest
  line) gets no new candidate, and its candidate is left as it is;
- a **converted** candidate is history: if the situation closes and the rules trigger again
  later, a new candidate is raised.

Evaluating the same data twice changes nothing: the reference date comes from the data
(rules.LeaseHistory.as_of), and a row is written only when something differs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.alerts import rules as R
from etage.alerts.models import (
    ACTIVE_STATUSES,
    Candidate,
    CandidateEvent,
    CandidateEventKind,
    CandidateStatus,
    DismissalReason,
    WarningRule,
)
from etage.alerts.permissions import get_candidate_for_user
from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.households.validators import reject_national_identifier
from etage.intake.models import ArrearsImport, ArrearsLine, LeaseSignal, LinkStatus, SignalKind
from etage.intake.services import ReferralData, referral_create_situation, referral_join_situation
from etage.organisations.models import Organisation
from etage.situations.choices import OPEN_STATUSES
from etage.situations.models import Situation
from etage.situations.services import ServiceError

#: Leases evaluated per round of queries (five queries per chunk, whatever its size).
CHUNK = 1000

SNAPSHOT_FIELDS = (
    "territory_id",
    "commune_id",
    "tenant_names",
    "address",
    "monthly_rent",
    "balance",
    "months_in_arrears",
    "procedure_stage",
    "balance_on",
    "last_payment_on",
    "household_id",
    "triggers",
    "rule_kinds",
    "severity",
)

_LINE_FIELDS = (
    "lease_reference",
    "balance_on",
    "tenant_names",
    "address",
    "commune_id",
    "commune__territory_id",
    "monthly_rent",
    "balance",
    "months_in_arrears",
    "last_payment_on",
    "procedure_stage",
    "procedure_on",
    "household_id",
)


class StaleCandidate(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else acted on this candidate while you were on this page. Nothing "
                "was saved: look at the candidate as it is now."
            )
        )


@dataclass(frozen=True)
class EvaluationSummary:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    skipped_open_situation: int = 0


# --- Evaluation ----------------------------------------------------------------------------


def _active_rules() -> dict[int, list[R.RuleDefinition]]:
    by_territory: dict[int, list[R.RuleDefinition]] = defaultdict(list)
    for rule in WarningRule.objects.filter(is_active=True).order_by("order", "code"):
        if R.parameter_errors(rule.kind, rule.parameters):
            continue  # a rule saved outside the form with bad parameters never runs
        by_territory[rule.territory_id].append(
            R.RuleDefinition(rule.code, rule.kind, rule.parameters, rule.weight)
        )
    return dict(by_territory)


def _chunks(values: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def evaluate_import(*, batch: ArrearsImport) -> None:
    """Evaluate the rules on every lease the import wrote or saw (an ETAGE_POST_IMPORT_STEPS
    step, run after record linkage). A trial run writes nothing, so it is not evaluated."""
    if batch.dry_run:
        return
    references = (
        ArrearsLine.objects.filter(Q(last_import=batch) | Q(first_import=batch))
        .values_list("lease_reference", flat=True)
        .order_by("lease_reference")
        .distinct()
    )
    _evaluate(landlord_id=batch.landlord_id, references=references.iterator(chunk_size=CHUNK))


@transaction.atomic
def evaluate_leases(*, landlord: Organisation, lease_references: Iterable[str]) -> None:
    """Evaluate the rules on these leases of ``landlord`` (after signals were pushed)."""
    _evaluate(landlord_id=landlord.pk, references=iter(sorted(set(lease_references))))


def _evaluate(*, landlord_id: int, references: Iterator[str]) -> EvaluationSummary:
    rules = _active_rules()
    if not rules:
        return EvaluationSummary()
    all_rules = [r for territory_rules in rules.values() for r in territory_rules]
    depth = R.history_depth(all_rules)
    totals = [0, 0, 0, 0]
    now = timezone.now()
    for chunk in _chunks(references):
        summary = _evaluate_chunk(
            landlord_id=landlord_id, references=chunk, rules=rules, depth=depth, now=now
        )
        totals[0] += summary.created
        totals[1] += summary.updated
        totals[2] += summary.reopened
        totals[3] += summary.skipped_open_situation
    return EvaluationSummary(*totals)


def _history(lines: Sequence[dict[str, Any]], signals: Sequence[dict[str, Any]]) -> R.LeaseHistory:
    return R.LeaseHistory(
        balances=[
            R.Balance(
                balance_on=line["balance_on"],
                balance=line["balance"],
                monthly_rent=line["monthly_rent"],
                months_in_arrears=line["months_in_arrears"],
                last_payment_on=line["last_payment_on"],
                procedure_stage=line["procedure_stage"] or "",
                procedure_on=line["procedure_on"],
            )
            for line in lines
        ],
        complaints=[s["occurred_on"] for s in signals if s["kind"] == SignalKind.COMPLAINT],
        procedure_steps=[
            (s["occurred_on"], s["stage"])
            for s in signals
            if s["kind"] == SignalKind.PROCEDURE and s["stage"]
        ],
    )


def _evaluate_chunk(
    *,
    landlord_id: int,
    references: list[str],
    rules: dict[int, list[R.RuleDefinition]],
    depth: int,
    now: dt.datetime,
) -> EvaluationSummary:
    # 1. The latest `depth` balances of each lease, in one query (a window function).
    lines_by_lease: dict[str, list[dict[str, Any]]] = defaultdict(list)
    recent = (
        ArrearsLine.objects.filter(landlord_id=landlord_id, lease_reference__in=references)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("lease_reference")], order_by=F("balance_on").desc()
            )
        )
        .filter(recency__lte=depth)
        .values(*_LINE_FIELDS)
    )
    for line in recent:
        lines_by_lease[line["lease_reference"]].append(line)
    if not lines_by_lease:
        return EvaluationSummary()
    # 2. Their signals (complaints and procedure steps are a handful per lease).
    signals_by_lease: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for signal in LeaseSignal.objects.filter(
        landlord_id=landlord_id, lease_reference__in=list(lines_by_lease)
    ).values("lease_reference", "kind", "stage", "occurred_on"):
        signals_by_lease[signal["lease_reference"]].append(dict(signal))
    # 3. Leases whose household already has an open situation with this landlord.
    latest_lines = {
        ref: max(lines, key=lambda line: line["balance_on"])
        for ref, lines in lines_by_lease.items()
    }
    households = {ln["household_id"] for ln in latest_lines.values() if ln["household_id"]}
    upper_refs = {ref.strip().upper() for ref in lines_by_lease}
    followed_refs: set[str] = set()
    followed_households: set[int] = set()
    for lease_ref, household_id in (
        Situation.objects.filter(landlord_id=landlord_id, status__in=OPEN_STATUSES)
        .filter(Q(tenancy__lease_reference__in=upper_refs) | Q(household_id__in=households))
        .values_list("tenancy__lease_reference", "household_id")
    ):
        followed_refs.add(lease_ref)
        followed_households.add(household_id)
    # 4. Their current candidates, locked: a worker's dismissal waits for this evaluation and
    # then finds a new version (its own conditional update is refused with a clear message).
    existing = {
        c.lease_reference: c
        for c in Candidate.objects.select_for_update()
        .filter(
            landlord_id=landlord_id,
            lease_reference__in=list(lines_by_lease),
            status__in=ACTIVE_STATUSES,
        )
        .order_by("pk")
    }

    new: list[Candidate] = []
    changed: list[Candidate] = []
    reopened: list[Candidate] = []
    skipped = 0
    for ref, lines in lines_by_lease.items():
        latest = latest_lines[ref]
        territory_rules = rules.get(latest["commune__territory_id"])
        if not territory_rules:
            continue
        if ref.strip().upper() in followed_refs or latest["household_id"] in followed_households:
            skipped += 1
            continue
        evaluation = R.evaluate(_history(lines, signals_by_lease.get(ref, [])), territory_rules)
        snapshot = {
            "territory_id": latest["commune__territory_id"],
            "commune_id": latest["commune_id"],
            "tenant_names": latest["tenant_names"],
            "address": latest["address"],
            "monthly_rent": latest["monthly_rent"],
            "balance": latest["balance"],
            "months_in_arrears": min(evaluation.debt_months, Decimal("9999.9")),
            "procedure_stage": evaluation.stage,
            "balance_on": latest["balance_on"],
            "last_payment_on": latest["last_payment_on"],
            "household_id": latest["household_id"],
            "triggers": [t.as_json() for t in evaluation.triggers],
            "rule_kinds": " ".join(sorted({t.kind for t in evaluation.triggers})),
            "severity": evaluation.severity,
        }
        candidate = existing.get(ref)
        if candidate is None:
            if evaluation.triggered:
                new.append(
                    Candidate(
                        landlord_id=landlord_id,
                        lease_reference=ref,
                        status=CandidateStatus.OPEN,
                        created_at=now,
                        updated_at=now,
                        **snapshot,
                    )
                )
            continue
        differs = any(getattr(candidate, name) != value for name, value in snapshot.items())
        comes_back = (
            candidate.status == CandidateStatus.DISMISSED
            and evaluation.triggered
            and R.worsened(
                severity=evaluation.severity,
                stage=evaluation.stage,
                severity_at_dismissal=candidate.severity_at_dismissal or 0,
                stage_at_dismissal=candidate.stage_at_dismissal,
            )
        )
        if not differs and not comes_back:
            continue
        for name, value in snapshot.items():
            setattr(candidate, name, value)
        if comes_back:
            candidate.status = CandidateStatus.OPEN
            reopened.append(candidate)
        candidate.version += 1
        candidate.updated_at = now
        changed.append(candidate)

    if new:
        # A concurrent evaluation of the same lease may have just raised it: keep theirs.
        Candidate.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        Candidate.objects.bulk_update(
            changed, [*SNAPSHOT_FIELDS, "status", "version", "updated_at"], batch_size=500
        )
    events = (
        [
            CandidateEvent(
                candidate_id=c.pk, kind=CandidateEventKind.OPENED, at=now, severity=c.severity
            )
            for c in Candidate.objects.filter(
                landlord_id=landlord_id,
                lease_reference__in=[c.lease_reference for c in new],
                status=CandidateStatus.OPEN,
                created_at=now,
            ).only("pk", "severity")
        ]
        if new
        else []
    )
    events += [
        CandidateEvent(
            candidate_id=c.pk, kind=CandidateEventKind.REOPENED, at=now, severity=c.severity
        )
        for c in reopened
    ]
    CandidateEvent.objects.bulk_create(events)
    return EvaluationSummary(len(new), len(changed) - len(reopened), len(reopened), skipped)


# --- Decisions of a social worker ------------------------------------------------------------


def _locked_open_candidate(*, user: Any, candidate_id: int, expected_version: int) -> Candidate:
    candidate = get_candidate_for_user(user, candidate_id, for_update=True)
    if candidate.version != expected_version:
        raise StaleCandidate()
    if candidate.status != CandidateStatus.OPEN:
        raise ServiceError(_("This candidate is no longer waiting for a decision."))
    return candidate


def _bump(candidate: Candidate, expected_version: int, **fields: Any) -> None:
    updated = Candidate.objects.filter(pk=candidate.pk, version=expected_version).update(
        version=expected_version + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:  # pragma: no cover — the row is locked above; kept for SQLite's sake
        raise StaleCandidate()


@transaction.atomic
def candidate_dismiss(
    *, user: Any, candidate_id: int, expected_version: int, reason: str, comment: str = ""
) -> Candidate:
    """Dismiss an open candidate with a reason (and a comment, required for "other"). It
    comes back only if its signal gets worse."""
    candidate = _locked_open_candidate(
        user=user, candidate_id=candidate_id, expected_version=expected_version
    )
    comment = comment.strip()
    errors = []
    if reason not in DismissalReason.values:
        errors.append(_("Choose the reason for dismissing this candidate."))
    if reason == DismissalReason.OTHER and not comment:
        errors.append(_("Say in a few words why this candidate is dismissed."))
    try:
        reject_national_identifier(comment)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ServiceError(errors)
    now = timezone.now()
    _bump(
        candidate,
        expected_version,
        status=CandidateStatus.DISMISSED,
        dismissed_reason=reason,
        dismissal_comment=comment,
        dismissed_by=user,
        dismissed_at=now,
        severity_at_dismissal=candidate.severity,
        stage_at_dismissal=candidate.procedure_stage,
    )
    CandidateEvent.objects.create(
        candidate=candidate,
        kind=CandidateEventKind.DISMISSED,
        at=now,
        user=user,
        severity=candidate.severity,
        reason=reason,
        comment=comment,
    )
    access_log_record(user=user, action=AccessAction.CHANGE, obj=candidate)
    candidate.refresh_from_db()
    return candidate


@transaction.atomic
def candidate_convert(
    *,
    user: Any,
    candidate_id: int,
    expected_version: int,
    data: ReferralData,
    join_situation_id: int | None = None,
) -> Situation:
    """Create the situation the social worker checked on the pre-filled referral form (or
    add the referral to the open situation found as a duplicate), and mark the candidate
    converted. One transaction: a stale candidate or a refused referral leaves nothing."""
    candidate = _locked_open_candidate(
        user=user, candidate_id=candidate_id, expected_version=expected_version
    )
    if data.landlord_id != candidate.landlord_id:
        raise ServiceError(_("A situation from a candidate keeps the candidate's landlord."))
    if join_situation_id is None:
        situation = referral_create_situation(user=user, data=data).situation
    else:
        situation = referral_join_situation(
            user=user, situation_id=join_situation_id, data=data
        ).situation
    now = timezone.now()
    _bump(
        candidate,
        expected_version,
        status=CandidateStatus.CONVERTED,
        situation=situation,
        household_id=situation.household_id,
    )
    # A person has just decided that this lease is this household: the lines of the lease
    # are linked for good, so that record linkage neither asks again nor undoes it.
    ArrearsLine.objects.filter(
        landlord_id=candidate.landlord_id, lease_reference=candidate.lease_reference
    ).update(household_id=situation.household_id, link_status=LinkStatus.CONFIRMED)
    CandidateEvent.objects.create(
        candidate=candidate,
        kind=CandidateEventKind.CONVERTED,
        at=now,
        user=user,
        severity=candidate.severity,
    )
    access_log_record(
        user=user, action=AccessAction.CHANGE, obj=candidate, situation_id=situation.pk
    )
    return situation
