"""The situations' life cycle in the retention job (data-protection.md #12, #13).

Steps added to ``manage.py etage_retention`` (:mod:`etage.core.retention`), in this order,
each counting in a dry run and acting otherwise; the report holds their counts only:

``situations_archived``
    Closed situations without contact or action (``last_activity_on``) for
    ``ETAGE_ACTIVE_MONTHS`` (24) move to the intermediate archive: status ``archived``,
    ``archived_on`` today, an ``archive`` pathway event (no actor) — reads then need a stated
    reason (:mod:`etage.situations.archive`).
``open_situations_dormant``
    Open situations without contact or action for as long are **not** archived silently: a
    household may still be in difficulty. They are counted in the report (a list for the
    platform's coordinators is still to build); their coordinators close them (then the clock
    runs) or act.
``situations_anonymised``
    Archived situations whose ``archived_on`` is ``ETAGE_ARCHIVE_MONTHS`` (36) old, not yet
    anonymised and under no legal hold are irreversibly anonymised
    (:mod:`etage.privacy.anonymise`); when every situation of the household is then
    anonymised, the household too (people, tenancies, phone, the landlords' rows of its
    leases). Rows are kept, not deleted, so that indicators survive.
``situations_held``
    Those the previous step would have anonymised but a legal hold keeps (count only).
``landlord_follow_up_erased``
    Closed or archived situations, unless an active consent records that the household
    agreed to keep it: the landlord's own follow-up — journal entries and action comments
    written by a landlord's staff (texts blanked) and documents they added (files and rows
    deleted). Held situations are left alone.
``landlord_lines_deleted``, ``landlord_signals_deleted``
    The landlords' arrears lines and signals of a lease no situation concerns, once the
    lease's latest line or signal is ``ETAGE_LANDLORD_SIGNAL_MONTHS`` (12) old; with them the
    early-warning candidates and linkage reviews of that lease that no situation came from.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from etage.core.append_only import retention_purge
from etage.core.retention import RetentionStep, register_retention_step
from etage.core.services import months_before
from etage.organisations.models import OrganisationKind
from etage.privacy.anonymise import anonymise_household, anonymise_situation
from etage.privacy.models import LegalHold
from etage.situations.choices import OPEN_STATUSES, Status
from etage.situations.models import Consent, Situation
from etage.situations.services import situation_archive_expired

# --- Cutoffs --------------------------------------------------------------------------------


def active_cutoff(today: dt.date) -> dt.date:
    """A situation whose last activity is before this day has left the active base."""
    return months_before(today, settings.ETAGE_ACTIVE_MONTHS)


def archive_cutoff(today: dt.date) -> dt.date:
    """An archived situation archived before this day has reached the end of its archive."""
    return months_before(today, settings.ETAGE_ARCHIVE_MONTHS)


def landlord_signal_cutoff(today: dt.date) -> dt.date:
    return months_before(today, settings.ETAGE_LANDLORD_SIGNAL_MONTHS)


def _held() -> Q:
    return Q(Exists(LegalHold.objects.filter(situation=OuterRef("pk"), lifted_on__isnull=True)))


# --- Selections (pure queries: the dry run and the run count the same rows) -----------------


def situations_to_archive(today: dt.date) -> QuerySet[Situation]:
    return Situation.objects.filter(status=Status.CLOSED, last_activity_on__lt=active_cutoff(today))


def situations_dormant(today: dt.date) -> QuerySet[Situation]:
    return Situation.objects.filter(
        status__in=OPEN_STATUSES, last_activity_on__lt=active_cutoff(today)
    )


def _archive_ended(today: dt.date) -> QuerySet[Situation]:
    return Situation.objects.filter(
        status=Status.ARCHIVED, purged_on__isnull=True, archived_on__lt=archive_cutoff(today)
    )


def situations_to_anonymise(today: dt.date) -> QuerySet[Situation]:
    return _archive_ended(today).exclude(_held())


def situations_held(today: dt.date) -> QuerySet[Situation]:
    return _archive_ended(today).filter(_held())


def _keeps_landlord_history() -> Q:
    return Q(
        Exists(
            Consent.objects.filter(
                situation=OuterRef("pk"), keep_landlord_history=True, withdrawn_on__isnull=True
            )
        )
    )


def situations_closing_landlord_follow_up(today: dt.date) -> QuerySet[Situation]:
    """Closed or archived situations whose landlord follow-up goes: not anonymised (nor
    about to be, so that the dry run counts what the run does), not kept by consent, not
    held."""
    return (
        Situation.objects.filter(
            status__in=(Status.CLOSED, Status.ARCHIVED), purged_on__isnull=True
        )
        .exclude(pk__in=situations_to_anonymise(today).values("pk"))
        .exclude(_keeps_landlord_history())
        .exclude(_held())
    )


def _landlord_rows(
    situations: QuerySet[Situation],
) -> tuple[QuerySet[Any], QuerySet[Any], QuerySet[Any]]:
    from etage.support.models import ActionComment, Document, JournalEntry

    landlord = OrganisationKind.LANDLORD
    entries = JournalEntry._base_manager.filter(
        situation__in=situations, author_organisation__kind=landlord
    ).exclude(text="")
    comments = ActionComment._base_manager.filter(
        action__objective__situation__in=situations, organisation__kind=landlord
    ).exclude(text="")
    documents = Document._base_manager.filter(
        situation__in=situations, uploaded_by_organisation__kind=landlord
    )
    return entries, comments, documents


# --- Landlords' rows about leases no situation concerns --------------------------------------


def _lease_keys(rows: Iterable[tuple[int, str, dt.date | None]]) -> dict[tuple[int, str], dt.date]:
    last: dict[tuple[int, str], dt.date] = {}
    for landlord_id, reference, day in rows:
        if day is None:
            continue
        key = (landlord_id, reference)
        if key not in last or day > last[key]:
            last[key] = day
    return last


def expired_leases(today: dt.date) -> set[tuple[int, str]]:
    """(landlord, lease reference) pairs whose latest arrears line and signal are older than
    the cutoff and that no situation concerns (no tenancy of that lease with a situation, no
    row of it linked to a household with a situation, no candidate turned into a situation)."""
    from etage.alerts.models import Candidate
    from etage.households.models import Tenancy
    from etage.intake.models import ArrearsLine, LeaseSignal

    last = _lease_keys(
        ArrearsLine.objects.values_list("landlord_id", "lease_reference", "balance_on")
    )
    for key, day in _lease_keys(
        LeaseSignal.objects.values_list("landlord_id", "lease_reference", "occurred_on")
    ).items():
        last[key] = max(day, last.get(key, day))
    cutoff = landlord_signal_cutoff(today)
    expired = {key for key, day in last.items() if day < cutoff}
    if not expired:
        return set()
    concerned: set[tuple[int, str]] = set(
        Tenancy.objects.filter(situations__isnull=False)
        .exclude(lease_reference="")
        .values_list("landlord_id", "lease_reference")
    )
    for model in (ArrearsLine, LeaseSignal):
        concerned |= set(
            model.objects.filter(household__situations__isnull=False).values_list(
                "landlord_id", "lease_reference"
            )
        )
    concerned |= set(
        Candidate.objects.filter(situation__isnull=False).values_list(
            "landlord_id", "lease_reference"
        )
    )
    return expired - concerned


def _lease_q(leases: set[tuple[int, str]]) -> Q:
    by_landlord: dict[int, list[str]] = defaultdict(list)
    for landlord_id, reference in leases:
        by_landlord[landlord_id].append(reference)
    condition = Q(pk__in=[])
    for landlord_id, references in by_landlord.items():
        condition |= Q(landlord_id=landlord_id, lease_reference__in=references)
    return condition


# --- The steps --------------------------------------------------------------------------------


def count_archive(*, today: dt.date) -> int:
    return situations_to_archive(today).count()


def run_archive(*, today: dt.date) -> int:
    ids = list(situations_to_archive(today).values_list("pk", flat=True))
    return sum(
        situation_archive_expired(situation_id=pk, today=today, cutoff=active_cutoff(today))
        for pk in ids
    )


def count_dormant(*, today: dt.date) -> int:
    return situations_dormant(today).count()


def count_anonymise(*, today: dt.date) -> int:
    return situations_to_anonymise(today).count()


@transaction.atomic
def run_anonymise(*, today: dt.date) -> int:
    """Anonymise every situation at the end of its archive period (legal holds excepted),
    and its household once none of the household's situations is kept any more."""
    chosen = list(situations_to_anonymise(today).select_related("household"))
    by_household: dict[int, list[Situation]] = defaultdict(list)
    for situation in chosen:
        by_household[situation.household_id].append(situation)
    with retention_purge():
        for situations in by_household.values():
            household = situations[0].household
            ids = {s.pk for s in situations}
            others_kept = (
                Situation.objects.filter(household=household, purged_on__isnull=True)
                .exclude(pk__in=ids)
                .exists()
            )
            if others_kept:
                for situation in situations:
                    anonymise_situation(situation)
            else:
                anonymise_household(household)
            Situation._base_manager.filter(pk__in=ids).update(purged_on=today)
    return len(chosen)


def count_held(*, today: dt.date) -> int:
    return situations_held(today).count()


def count_landlord_follow_up(*, today: dt.date) -> int:
    entries, comments, documents = _landlord_rows(situations_closing_landlord_follow_up(today))
    return entries.count() + comments.count() + documents.count()


@transaction.atomic
def run_landlord_follow_up(*, today: dt.date) -> int:
    entries, comments, documents = _landlord_rows(situations_closing_landlord_follow_up(today))
    with retention_purge():
        changed = entries.update(text="") + comments.update(text="")
        files = list(documents)
        for document in files:
            if document.file:
                document.file.storage.delete(str(document.file.name))
        documents.model._base_manager.filter(pk__in=[d.pk for d in files]).delete()
    return changed + len(files)


def count_landlord_lines(*, today: dt.date) -> int:
    from etage.intake.models import ArrearsLine

    leases = expired_leases(today)
    return ArrearsLine.objects.filter(_lease_q(leases)).count() if leases else 0


def count_landlord_signals(*, today: dt.date) -> int:
    from etage.intake.models import LeaseSignal

    leases = expired_leases(today)
    return LeaseSignal.objects.filter(_lease_q(leases)).count() if leases else 0


@transaction.atomic
def run_landlord_lines(*, today: dt.date) -> int:
    """Delete the arrears lines of expired leases, with the candidates and linkage reviews of
    those leases (no situation came from them, by construction)."""
    from etage.alerts.models import Candidate
    from etage.intake.models import ArrearsLine
    from etage.linkage.models import LinkReview

    leases = expired_leases(today)
    if not leases:
        return 0
    condition = _lease_q(leases)
    Candidate.objects.filter(condition, situation__isnull=True).delete()
    LinkReview.objects.filter(condition).delete()
    deleted, _ = ArrearsLine.objects.filter(condition).delete()
    return deleted


@transaction.atomic
def run_landlord_signals(*, today: dt.date) -> int:
    from etage.intake.models import LeaseSignal

    leases = expired_leases(today)
    if not leases:
        return 0
    deleted, _ = LeaseSignal.objects.filter(_lease_q(leases)).delete()
    return deleted


STEPS = (
    RetentionStep("situations_archived", count=count_archive, run=run_archive),
    RetentionStep("open_situations_dormant", count=count_dormant, run=count_dormant),
    RetentionStep("situations_anonymised", count=count_anonymise, run=run_anonymise),
    RetentionStep("situations_held", count=count_held, run=count_held),
    RetentionStep(
        "landlord_follow_up_erased", count=count_landlord_follow_up, run=run_landlord_follow_up
    ),
    # Signals first: the lines' step decides on the same leases, counted before either goes.
    RetentionStep(
        "landlord_signals_deleted", count=count_landlord_signals, run=run_landlord_signals
    ),
    RetentionStep("landlord_lines_deleted", count=count_landlord_lines, run=run_landlord_lines),
)


def register() -> None:
    for step in STEPS:
        register_retention_step(step)
