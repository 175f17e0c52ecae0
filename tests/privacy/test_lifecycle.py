"""The situations' life cycle (data-protection.md #12, #13): the retention command on a
generated history archives and anonymises exactly the expected situations, a legal hold keeps
its situation, a dry run changes nothing, no column of an anonymised household holds personal
data afterwards, documents leave the storage, and closed-period indicators are unchanged."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from etage.core.models import RetentionReport
from etage.demo.history import MIN_COUNT
from etage.households.models import Household
from etage.intake.models import ArrearsImport, ArrearsLine, LeaseSignal
from etage.organisations.models import Organisation, OrganisationKind
from etage.privacy import services as privacy
from etage.privacy.indicators import EndedRow, closed_period_figures, ended_rows
from etage.privacy.models import LegalHold
from etage.procedures import services as procedures
from etage.situations.choices import OPEN_STATUSES, Status
from etage.situations.models import Consent, PathwayEvent, Situation
from etage.situations.services import consent_record, situation_transition
from etage.support.models import ActionComment, Document, JournalEntry
from etage.support.services import journal_entry_add
from etage.territories.models import Commune
from tests import replay
from tests.privacy.conftest import ADDRESS, JOURNAL, LAST_NAME, LEASE, PHONE

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
ACTIVE_CUTOFF = dt.date(2024, 11, 26)  # 24 months before TODAY
ARCHIVE_CUTOFF = dt.date(2023, 11, 26)  # 36 months before TODAY
PERIOD = (dt.date(2019, 1, 1), dt.date(2030, 12, 31))


def months_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def retention(day: dt.date, *, dry_run: bool = False) -> dict[str, int]:
    args = ["etage_retention", "--date", day.isoformat()] + (["--dry-run"] if dry_run else [])
    call_command(*args, stdout=io.StringIO())
    report = RetentionReport.objects.first()
    assert report is not None
    return report.counts


def table_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def rows_of(household: Household) -> list[models.Model]:
    """Every row reachable from the household through reverse links (situations, their
    events, plans, journal, documents, meetings…)."""
    seen: dict[tuple[str, object], models.Model] = {}
    frontier: list[models.Model] = [household]
    while frontier:
        obj = frontier.pop()
        key = (obj._meta.label_lower, obj.pk)
        if key in seen:
            continue
        seen[key] = obj
        for rel in obj._meta.related_objects:
            if rel.related_model._meta.app_label in ("accounts", "notifications", "core"):
                continue
            if rel.one_to_many or rel.one_to_one:
                frontier.extend(rel.related_model._base_manager.filter(**{rel.field.name: obj}))
    return list(seen.values())


def texts_of(row: models.Model) -> list[str]:
    return [
        str(getattr(row, field.attname))
        for field in row._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def personal_tokens(household: Household) -> set[str]:
    tokens = {household.phone} if household.phone else set()
    for person in household.people.all():
        tokens |= {person.last_name, person.first_name}
    for tenancy in household.tenancies.all():
        tokens |= {tenancy.address, tenancy.lease_reference}
    return {t.lower() for t in tokens if t and len(t) >= 4}


# --- On the demo history ---------------------------------------------------------------------


@pytest.fixture
def history(demo_reference, media_root):
    moment = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    with time_machine.travel(moment, tick=False):
        replay.demo_history(seed=5, count=MIN_COUNT)


def test_the_retention_on_a_generated_history_does_exactly_what_is_expected(
    history, demo_reference
):
    situations = list(Situation.objects.all())
    expected_archived = {
        s.pk for s in situations if s.status == Status.CLOSED and s.last_activity_on < ACTIVE_CUTOFF
    }
    archive_ended = sorted(
        s.pk
        for s in situations
        if s.status == Status.ARCHIVED and s.archived_on and s.archived_on < ARCHIVE_CUTOFF
    )
    dormant = {
        s.pk for s in situations if s.status in OPEN_STATUSES and s.last_activity_on < ACTIVE_CUTOFF
    }
    assert expected_archived
    assert len(archive_ended) >= 2
    held = Situation.objects.get(pk=archive_ended[0])
    LegalHold.objects.create(situation=held, reason="Contentieux prud'homal", set_on=TODAY)
    expected_anonymised = set(archive_ended) - {held.pk}
    held_before = Situation.objects.filter(pk=held.pk).values().get()
    held_people = list(held.household.people.values_list("last_name", flat=True))
    # Households whose every situation goes: they are anonymised whole.
    gone = [
        h
        for h in Household.objects.filter(situations__pk__in=expected_anonymised).distinct()
        if set(h.situations.values_list("pk", flat=True)) <= expected_anonymised
    ]
    assert gone
    tokens = {h.pk: personal_tokens(h) for h in gone}
    landlords = OrganisationKind.LANDLORD
    follow_up_situations = [
        s.pk
        for s in Situation.objects.filter(status__in=(Status.CLOSED, Status.ARCHIVED))
        if s.pk not in expected_anonymised
        and s.pk != held.pk
        and not Consent.objects.filter(
            situation=s, keep_landlord_history=True, withdrawn_on__isnull=True
        ).exists()
    ]
    expected_follow_up = (
        JournalEntry.objects.filter(
            situation__in=follow_up_situations, author_organisation__kind=landlords
        )
        .exclude(text="")
        .count()
        + ActionComment.objects.filter(
            action__objective__situation__in=follow_up_situations, organisation__kind=landlords
        )
        .exclude(text="")
        .count()
        + Document.objects.filter(
            situation__in=follow_up_situations, uploaded_by_organisation__kind=landlords
        ).count()
    )
    figures = closed_period_figures(ended_rows(closed_from=PERIOD[0], closed_to=PERIOD[1]))
    before = table_counts()

    dry = retention(TODAY, dry_run=True)

    after_dry = table_counts()
    assert after_dry.pop("core.RetentionReport") == before.pop("core.RetentionReport") + 1
    assert after_dry == before
    assert Situation.objects.filter(status=Status.ARCHIVED, archived_on=TODAY).count() == 0
    assert (
        dry["situations_archived"],
        dry["situations_anonymised"],
        dry["situations_held"],
        dry["open_situations_dormant"],
        dry["landlord_follow_up_erased"],
    ) == (len(expected_archived), len(expected_anonymised), 1, len(dormant), expected_follow_up)

    report = retention(TODAY)

    assert {k: v for k, v in report.items() if k != "access_log"} == {
        k: v for k, v in dry.items() if k != "access_log"
    }
    assert (
        set(
            Situation.objects.filter(status=Status.ARCHIVED, archived_on=TODAY).values_list(
                "pk", flat=True
            )
        )
        == expected_archived
    )
    assert set(Situation.objects.filter(purged_on=TODAY).values_list("pk", flat=True)) == (
        expected_anonymised
    )
    # Each archive is a pathway event, without actor, that does not restart the clock.
    for pk in expected_archived:
        event = PathwayEvent.objects.filter(situation_id=pk, action="archive").get()
        assert (event.actor_id, event.occurred_on, event.to_status) == (None, TODAY, "archived")
        assert Situation.objects.get(pk=pk).last_activity_on < ACTIVE_CUTOFF
    # The legal hold keeps its situation exactly as it was.
    assert Situation.objects.filter(pk=held.pk).values().get() == held_before
    assert list(held.household.people.values_list("last_name", flat=True)) == held_people
    # No column of an anonymised household holds its personal data any more.
    for household in gone:
        rows = rows_of(Household.objects.get(pk=household.pk))
        for row in rows:
            for text in texts_of(row):
                for token in tokens[household.pk]:
                    assert token not in text.lower(), (row._meta.label, token)
    # Indicators of the closed periods are the same.
    assert closed_period_figures(ended_rows(closed_from=PERIOD[0], closed_to=PERIOD[1])) == figures
    # A second run the same day finds nothing more to do.
    again = retention(TODAY)
    assert (
        again["situations_archived"],
        again["situations_anonymised"],
        again["landlord_follow_up_erased"],
    ) == (0, 0, 0)
    assert again["situations_held"] == 1


# --- On one household with something in every table ----------------------------------------


def _close(situation: Situation, user, on: dt.date) -> None:
    situation.refresh_from_db()
    situation_transition(
        user=user,
        situation_id=situation.pk,
        action="close",
        expected_version=situation.version,
        occurred_on=on,
        payload={"outcome": "housed_no_procedure", "exit_debt": "120"},
    )


def test_a_held_household_waits_then_is_anonymised_with_its_documents_and_landlord_rows(
    rich, demo_reference, media_root
):
    today = timezone.localdate()
    _close(rich.situation, demo_reference["t1-professionnel"], today)
    files = [d.file.path for d in Document.objects.filter(situation=rich.situation)]
    assert files
    assert all(os.path.exists(path) for path in files)
    figures = closed_period_figures(ended_rows(closed_from=PERIOD[0], closed_to=PERIOD[1]))
    archived_day = months_after(today, 25)

    first = retention(archived_day)

    situation = Situation.objects.get(pk=rich.situation.pk)
    assert (situation.status, situation.archived_on) == (Status.ARCHIVED, archived_day)
    assert first["situations_archived"] == 1
    end_of_archive = months_after(archived_day, 37)
    held = retention(end_of_archive)
    assert (held["situations_anonymised"], held["situations_held"]) == (0, 1)
    assert Household.objects.get(pk=rich.household.pk).phone == PHONE

    privacy.legal_hold_lift(user=rich.dpo, hold_id=rich.situation.legal_holds.get().pk)
    done = retention(end_of_archive)

    assert (done["situations_anonymised"], done["situations_held"]) == (1, 0)
    tokens = [LAST_NAME, ADDRESS, PHONE, LEASE, JOURNAL, "zorglubien"]
    rows = rows_of(Household.objects.get(pk=rich.household.pk))
    rows += list(ArrearsLine.objects.all()) + list(LeaseSignal.objects.all())
    assert len(rows) > 20
    for row in rows:
        for text in texts_of(row):
            for token in tokens:
                assert token.lower() not in text.lower(), (row._meta.label, token, text)
    assert not Document.objects.filter(situation=rich.situation).exists()
    assert not any(os.path.exists(path) for path in files)
    assert closed_period_figures(ended_rows(closed_from=PERIOD[0], closed_to=PERIOD[1])) == figures


def test_documents_files_leave_the_storage(rich, demo_reference, media_root):
    today = timezone.localdate()
    _close(rich.situation, demo_reference["t1-professionnel"], today)
    paths = [d.file.path for d in Document.objects.filter(situation=rich.situation)]
    assert paths
    assert all(os.path.exists(p) for p in paths)
    privacy.legal_hold_lift(user=rich.dpo, hold_id=rich.situation.legal_holds.get().pk)
    retention(months_after(today, 25))
    retention(months_after(today, 25 + 37))
    assert not any(os.path.exists(p) for p in paths)


# --- Landlord follow-up (data-protection.md #13) ---------------------------------------------


def _landlord_user(demo_reference):
    return next(
        u
        for u in demo_reference.values()
        if u.role == "professional"
        and u.organisation
        and u.organisation.kind == OrganisationKind.LANDLORD
        and u.username.startswith("t1-")
    )


@pytest.mark.parametrize("keep", [False, True])
def test_the_landlords_follow_up_goes_at_closure_unless_the_household_agreed(
    refer, advance, demo_reference, keep
):
    landlord_worker = _landlord_user(demo_reference)
    situation = advance(refer(identified_on=dt.date(2026, 3, 2)), 2)
    if keep:
        consent_record(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            given_on=dt.date(2026, 3, 5),
            organisation_ids=[landlord_worker.organisation_id],
            keep_landlord_history=True,
        )
    situation.refresh_from_db()
    if not situation.shares.filter(organisation=landlord_worker.organisation).exists():
        pytest.skip("the landlord's worker is not in the sharing group of this pathway")
    note = journal_entry_add(
        user=landlord_worker,
        situation_id=situation.pk,
        kind="phone_call",
        occurred_on=dt.date(2026, 3, 20),
        visibility="organisation",
        text="Appel du bailleur : échéancier proposé.",
    )
    day = dt.date(2026, 4, 1)
    assert retention(day, dry_run=True)["landlord_follow_up_erased"] == 0  # still open
    _close(situation, demo_reference["t1-professionnel"], dt.date(2026, 3, 25))

    counts = retention(day)

    note = JournalEntry.objects.get(pk=note.pk)
    if keep:
        assert counts["landlord_follow_up_erased"] == 0
        assert note.text.startswith("Appel du bailleur")
    else:
        assert counts["landlord_follow_up_erased"] == 1
        assert note.text == ""
        assert retention(day)["landlord_follow_up_erased"] == 0


# --- Landlords' lines of leases no situation concerns ----------------------------------------


def _line(landlord, lease: str, on: dt.date, batch, commune, names="DUPONTEL") -> ArrearsLine:
    return ArrearsLine.objects.create(
        landlord=landlord,
        lease_reference=lease,
        balance_on=on,
        tenant_names=names,
        address="1 rue Imaginaire",
        commune=commune,
        monthly_rent=Decimal("400"),
        balance=Decimal("900"),
        months_in_arrears=Decimal("2.2"),
        content_hash="x",
        first_import=batch,
        last_import=batch,
    )


def test_landlord_lines_and_signals_of_a_lease_no_situation_concerns_go_after_twelve_months(
    refer, demo_reference
):
    landlord = Organisation.objects.get(code="EMH")
    commune = Commune.objects.get(insee_code="69256")
    batch = ArrearsImport.objects.create(landlord=landlord, file_name="emh.csv", status="done")
    _line(landlord, "OLD-1", dt.date(2025, 1, 31), batch, commune)
    _line(landlord, "OLD-1", dt.date(2025, 2, 28), batch, commune)
    LeaseSignal.objects.create(
        landlord=landlord,
        external_id="S-OLD",
        lease_reference="OLD-1",
        kind="complaint",
        occurred_on=dt.date(2025, 1, 10),
    )
    _line(landlord, "RECENT-1", dt.date(2025, 1, 31), batch, commune)
    LeaseSignal.objects.create(
        landlord=landlord,
        external_id="S-RECENT",
        lease_reference="RECENT-1",
        kind="complaint",
        occurred_on=dt.date(2026, 1, 10),
    )
    refer(lease="LINKED-1", identified_on=dt.date(2025, 1, 5))
    _line(landlord, "LINKED-1", dt.date(2025, 1, 31), batch, commune)
    day = dt.date(2026, 3, 1)  # cutoff 2025-03-01

    dry = retention(day, dry_run=True)
    assert (dry["landlord_lines_deleted"], dry["landlord_signals_deleted"]) == (2, 1)
    assert ArrearsLine.objects.count() == 4

    done = retention(day)

    assert (done["landlord_lines_deleted"], done["landlord_signals_deleted"]) == (2, 1)
    assert sorted(ArrearsLine.objects.values_list("lease_reference", flat=True)) == [
        "LINKED-1",
        "RECENT-1",
    ]
    assert list(LeaseSignal.objects.values_list("external_id", flat=True)) == ["S-RECENT"]


# --- The retention clock -----------------------------------------------------------------------


def test_every_pathway_procedure_and_support_write_pushes_the_last_activity(
    refer, advance, demo_reference
):
    pro = demo_reference["t1-professionnel"]
    situation = advance(refer(identified_on=dt.date(2026, 1, 5)), 5)
    Situation.objects.filter(pk=situation.pk).update(last_activity_on=dt.date(2026, 1, 5))
    procedures.procedure_event_record(
        user=pro,
        situation_id=situation.pk,
        kind="reminder",
        occurred_on=dt.date(2026, 2, 2),
        source="landlord",
    )
    assert Situation.objects.get(pk=situation.pk).last_activity_on == dt.date(2026, 2, 2)
    procedures.arrears_balance_record(
        user=pro,
        situation_id=situation.pk,
        on=dt.date(2026, 2, 9),
        amount=Decimal("300"),
        source="landlord",
    )
    assert Situation.objects.get(pk=situation.pk).last_activity_on == dt.date(2026, 2, 9)
    consent_record(
        user=pro,
        situation_id=situation.pk,
        given_on=dt.date(2026, 2, 16),
        organisation_ids=[Organisation.objects.get(code="MDM-BRON").pk],
    )
    assert Situation.objects.get(pk=situation.pk).last_activity_on == dt.date(2026, 2, 16)
    # Never backwards, and no version bump (open forms stay valid).
    version = Situation.objects.get(pk=situation.pk).version
    procedures.procedure_event_record(
        user=pro,
        situation_id=situation.pk,
        kind="reminder",
        occurred_on=dt.date(2026, 2, 3),
        source="landlord",
    )
    after = Situation.objects.get(pk=situation.pk)
    assert (after.last_activity_on, after.version) == (dt.date(2026, 2, 16), version)


# --- The indicators, alone ---------------------------------------------------------------------


def test_closed_period_figures_count_by_territory_month_outcome_and_level():
    rows = [
        EndedRow("T1", dt.date(2024, 1, 20), dt.date(2024, 7, 3), "housed", "agr", None, None),
        EndedRow(
            "T1", dt.date(2024, 3, 1), dt.date(2024, 7, 30), "housed", "agr", Decimal("10"), None
        ),
        EndedRow("T2", dt.date(2024, 5, 1), dt.date(2024, 6, 1), "refused", "", None, Decimal(5)),
    ]
    figures = closed_period_figures(rows)
    assert figures.counts == {
        ("T1", "2024-07", "housed", "agr"): 2,
        ("T2", "2024-06", "refused", ""): 1,
    }
    assert figures.mean_months == {"T1": Decimal("5.00"), "T2": Decimal("1.00")}
    assert figures.debts == {"T1": (Decimal(10), Decimal(0)), "T2": (Decimal(0), Decimal(5))}
    # The same at month precision (what anonymisation keeps).
    first = [
        EndedRow(
            r.territory,
            r.identified_on.replace(day=1),
            r.closed_on.replace(day=1),
            r.outcome,
            r.level,
            r.entry_debt,
            r.exit_debt,
        )
        for r in rows
    ]
    assert closed_period_figures(first) == figures
