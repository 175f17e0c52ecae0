"""Regenerating the demo history: same seed, same history; deleting it; the command generates
it once, then skips, and regenerates on --reset-history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from etage.demo.history import (
    MIN_COUNT,
    demo_build_history,
    demo_delete_history,
    demo_situations,
)
from etage.households.models import Household, Tenancy
from etage.intake.models import Referral
from etage.meetings.models import AgendaItem, Decision, Meeting, MeetingAttendance
from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.services import procedure_event_record
from etage.situations.choices import Status
from etage.situations.models import Consent, PathwayEvent, Share, Situation
from etage.situations.services import event_correct_date
from etage.support.choices import Visibility
from etage.support.models import JournalEntry, Objective, PlanAction, Review
from etage.support.services import journal_entry_add

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[str | None, str, dt.date]]:
    return list(
        Situation.objects.order_by("reference").values_list("reference", "status", "identified_on")
    )


def everything() -> dict[str, list[tuple[object, ...]]]:
    """What the history holds besides the situations, by natural keys (never primary keys)."""
    ref = "situation__reference"
    return {
        "procedure events": sorted(
            ProcedureEvent.objects.values_list(ref, "kind", "occurred_on", "amount", "details")
        ),
        "balances": sorted(ArrearsBalance.objects.values_list(ref, "on", "amount")),
        "aids": sorted(Aid.objects.values_list(ref, "kind", "status", "granted_amount")),
        "meetings": sorted(
            Meeting.objects.values_list("platform__territory__code", "starts_at", "status")
        ),
        "decisions": sorted(
            Decision.objects.values_list(
                "agenda_item__meeting__starts_at", f"agenda_item__{ref}", "kind"
            )
        ),
        "attendance": sorted(
            MeetingAttendance.objects.values_list(
                "meeting__starts_at", "organisation__code", "present"
            )
        ),
        "actions": sorted(
            PlanAction.objects.values_list(
                f"objective__{ref}",
                "objective__theme__code",
                "title",
                "owner_organisation__code",
                "due_on",
                "status",
            )
        ),
        "journal": sorted(
            JournalEntry.objects.values_list(ref, "occurred_on", "kind", "visibility", "text")
        ),
        "reviews": sorted(Review.objects.values_list(ref, "held_on", "decision")),
    }


def test_same_seed_same_history_and_another_seed_another(demo_reference):
    demo_delete_history()  # empty table: numbering restarts, as after migrate
    demo_build_history(seed=5, count=MIN_COUNT)
    first, rest = snapshot(), everything()
    assert all(rest.values())
    names = list(Household.objects.order_by("pk").values_list("people__last_name", flat=True))
    assert demo_delete_history() == MIN_COUNT
    demo_build_history(seed=5, count=MIN_COUNT)
    assert snapshot() == first
    assert everything() == rest
    again = list(Household.objects.order_by("pk").values_list("people__last_name", flat=True))
    assert again == names
    demo_delete_history()
    demo_build_history(seed=6, count=MIN_COUNT)
    assert snapshot() != first
    assert min(int(reference.split("-")[1]) for reference, _, _ in first) == 1


def test_delete_history_removes_everything_even_corrections_and_consent_shares(demo_reference):
    demo_build_history(seed=2, count=MIN_COUNT)
    household = Household.objects.create()  # not the demo's: stays
    situation = Situation.objects.filter(status=Status.IN_SUPPORT).first()
    event = situation.events.get(action="start_support")
    coordinator = demo_reference[f"{situation.platform.territory.code.lower()}-coordination"]
    event_correct_date(
        user=coordinator,
        situation_id=situation.pk,
        event_id=event.pk,
        expected_version=situation.version,
        occurred_on=event.occurred_on - dt.timedelta(days=1),
        reason="Date saisie par erreur.",
    )
    # Corrections of a procedure event and of a journal entry point at what they correct.
    fact = ProcedureEvent.objects.filter(situation=situation, corrects__isnull=True).first()
    procedure_event_record(
        user=coordinator,
        situation_id=situation.pk,
        kind=fact.kind,
        occurred_on=fact.occurred_on,
        source=fact.source,
        corrects_id=fact.pk,
        is_void=True,
    )
    entry = JournalEntry.objects.filter(
        situation=situation, visibility=Visibility.GROUP, author__organisation__isnull=False
    ).first()
    journal_entry_add(
        user=entry.author,
        situation_id=situation.pk,
        kind=entry.kind,
        occurred_on=entry.occurred_on,
        visibility=Visibility.GROUP,
        text="Date corrigée.",
        corrects_id=entry.pk,
    )
    # The PROTECT links that would stop a plain delete are there.
    assert PathwayEvent.objects.filter(corrects=event).exists()
    assert Share.objects.filter(consent__isnull=False).exists()
    assert ProcedureEvent.objects.filter(corrects=fact).exists()
    assert JournalEntry.objects.filter(corrects=entry).exists()
    assert Decision.objects.filter(pathway_event__isnull=False).exists()

    assert demo_delete_history() == MIN_COUNT
    for model in (
        Situation,
        PathwayEvent,
        Tenancy,
        Share,
        Consent,
        Referral,
        ProcedureEvent,
        ArrearsBalance,
        Aid,
        Objective,
        PlanAction,
        JournalEntry,
        Review,
        Meeting,
        AgendaItem,
        Decision,
    ):
        assert not model.objects.exists(), model
    assert list(Household.objects.all()) == [household]


def test_build_refuses_too_small_a_history(demo_reference):
    with pytest.raises(ValueError):
        demo_build_history(seed=1, count=MIN_COUNT - 1)


def test_command_generates_once_then_skips_then_resets(capsys, db):
    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT))
    out = capsys.readouterr().out
    assert demo_situations().count() == MIN_COUNT
    assert "t1-association" in out
    assert "t3-mdm" in out
    assert f"{MIN_COUNT} situations" in out
    assert "réunions de plateforme" in out
    assert str(Status.ARCHIVED.label) in out  # the French label once the catalogue has it
    before = snapshot()

    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT))
    out = capsys.readouterr().out
    assert "déjà" in out
    assert snapshot() == before

    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT), "--reset-history")
    out = capsys.readouterr().out
    assert demo_situations().count() == MIN_COUNT
    assert [(s, d) for _, s, d in snapshot()] == [(s, d) for _, s, d in before]


def test_command_without_history_and_with_a_bad_count(capsys, db):
    call_command("etage_demo", "--situations", "0")
    assert not Situation.objects.exists()
    with pytest.raises(CommandError):
        call_command("etage_demo", "--situations", "3")
