"""The demo history: situations walked through the real services, covering every status,
orientation, level and outcome, with believable actors and dates.

The history is generated once for the module (it takes a few seconds) inside a transaction
rolled back at the end; each test runs in its own savepoint on top of it and only reads.
Deleting, regenerating and the command are in test_history_reset.py: they restart the
situation numbering, which must not happen under rows that a rollback brings back.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo.history import demo_build_history
from etage.demo.services import demo_build_reference
from etage.intake.models import Referral
from etage.meetings.choices import AgendaReason, MeetingStatus
from etage.meetings.models import AgendaItem, Decision, Meeting, MeetingAttendance
from etage.procedures.batch import upcoming_deadlines
from etage.procedures.choices import (
    AidKind,
    AidStatus,
    EventKind,
    JudgmentOutcome,
    LeaseClause,
)
from etage.procedures.deadlines import ItemKind, compute, truce_containing
from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.selectors import case_of, effective_events, latest_balances
from etage.situations.choices import (
    INTENSIVE_LEVELS,
    Difficulty,
    EntryStage,
    Level,
    Orientation,
    Outcome,
    Source,
    Status,
)
from etage.situations.models import Consent, PathwayEvent, Situation
from etage.support.choices import ActionStatus, ObjectiveStatus, Visibility
from etage.support.models import JournalEntry, Objective, PlanAction, Review
from etage.support.sensitive import find_sensitive_terms

pytestmark = pytest.mark.django_db

COUNT = 120


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build_reference(seed=1)
        yield demo_build_history(seed=11, count=COUNT)
        transaction.set_rollback(True)


def test_partner_accounts_exist_with_their_organisations(demo_reference):
    expected = {
        "t1-ccas": "CCAS-VAULX",
        "t1-mdm": "MDM-BRON",
        "t1-association": "ASSO-TDL",
        "t2-ccas": "CCAS-VEN",
        "t2-mdm": "MDM-VEN",
        "t2-association": "ASSO-TDL",
        "t3-ccas": "CCAS-LYON",
        "t3-mdm": "MDM-LYON8",
        "t3-association": "ASSO-TDL",
    }
    for username, org_code in expected.items():
        user = User.objects.get(username=username)
        assert (user.organisation.code, user.role, user.is_demo) == (
            org_code,
            Role.PROFESSIONAL,
            True,
        )
        assert user.check_password("etage-demo-2026")
        assert list(user.territories.values_list("code", flat=True)) == [username[:2].upper()]


def test_history_covers_every_status_orientation_level_and_outcome(history):
    situations = Situation.objects.all()
    assert history.created == COUNT == situations.count()
    assert set(situations.values_list("status", flat=True)) == set(Status.values)
    assert set(situations.values_list("orientation", flat=True)) - {""} == set(Orientation.values)
    assert set(situations.values_list("level", flat=True)) - {""} == set(Level.values)
    assert set(situations.values_list("outcome", flat=True)) - {""} == set(Outcome.values)
    assert set(situations.values_list("source", flat=True)) == set(Source.values)
    assert set(situations.values_list("difficulties__code", flat=True)) == set(Difficulty.values)
    assert set(situations.values_list("contact_outcome", flat=True)) >= {
        "reached",
        "unreachable",
        "refused",
    }
    open_count = situations.open().count()
    assert 0.1 * COUNT <= open_count <= 0.25 * COUNT
    assert history.by_status == dict(Counter(situations.values_list("status", flat=True)))
    assert sum(history.by_territory.values()) == COUNT


def test_history_records_the_whole_range_of_pathway_events(history):
    actions = set(PathwayEvent.objects.values_list("action", flat=True))
    assert {
        "identify",
        "inform",
        "contact_reached",
        "contact_unreachable",
        "contact_refused",
        "assess",
        "orient",
        "start_support",
        "change_level",
        "suspend",
        "resume",
        "close",
        "follow_up_6",
        "follow_up_12",
        "archive",
        "consent_recorded",
        "consent_withdrawn",
        "share_granted",
        "referral_added",
    } <= actions
    changes = PathwayEvent.objects.filter(action="change_level")
    ranks = {Level.ADVICE: 0, Level.COORDINATION: 1, Level.AGR: 2}
    directions = {ranks[e.payload["level"]] > ranks[e.payload["previous_level"]] for e in changes}
    assert directions == {True, False}  # up and down
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()
    assert Referral.objects.filter(joined_existing=True).count() >= 2


def test_events_start_with_identification_and_never_go_back_in_time(history):
    today = timezone.localdate()
    for situation in Situation.objects.prefetch_related("events"):
        events = sorted(situation.events.all(), key=lambda e: e.pk)
        assert events[0].action == "identify", situation
        assert events[0].occurred_on == situation.identified_on
        dates = [e.occurred_on for e in events]
        assert dates == sorted(dates), situation
        assert situation.identified_on <= dates[-1] <= today
        assert dt.date(2019, 6, 1) <= situation.identified_on <= dt.date(2022, 12, 31)
        assert situation.identified_on >= situation.platform.started_on


def test_closures_have_an_outcome_and_exit_debt(history):
    for situation in Situation.objects.filter(status__in=[Status.CLOSED, Status.ARCHIVED]):
        assert situation.outcome, situation
        assert situation.closed_on, situation
        # A refusal at first contact closes the situation by itself (the product asks no debt).
        if situation.events.filter(action="close").exists():
            assert situation.exit_debt is not None, situation
        else:
            assert situation.outcome == Outcome.REFUSED
    archived = Situation.objects.filter(status=Status.ARCHIVED)
    assert all(s.archived_on is not None for s in archived)


def test_intensive_support_has_a_lead_from_the_right_partner(history):
    in_support = Situation.objects.filter(status=Status.IN_SUPPORT, level__in=INTENSIVE_LEVELS)
    assert in_support.exists()
    for situation in in_support.select_related("lead_professional__organisation"):
        lead = situation.lead_professional
        assert lead is not None, situation
        assert situation.referent_organisation_id == lead.organisation_id
        if situation.level == Level.AGR:
            assert lead.organisation.code == "ASSO-TDL"
        else:
            assert lead.organisation.kind in ("ccas", "mdm", "landlord")
    decisions = PathwayEvent.objects.filter(action__in=["assess", "orient", "archive"])
    assert set(decisions.values_list("actor__role", flat=True)) == {Role.COORDINATOR}


def test_every_step_is_taken_by_someone_the_product_allows(history):
    """Steps come from professionals of the sharing group or the platform coordinator, never
    from a signaller or rent recovery; referrals from the account that matches the source."""
    steps = PathwayEvent.objects.exclude(action__in=["identify", "referral_added"])
    roles = set(steps.values_list("actor__role", flat=True))
    assert roles <= {Role.PROFESSIONAL, Role.COORDINATOR}
    first = Referral.objects.filter(joined_existing=False)
    by_source = dict(first.values_list("source", "submitted_by__role").distinct())
    assert by_source[Source.CARETAKER] == Role.SIGNALLER
    assert by_source[Source.RENT_RECOVERY] == Role.RENT_RECOVERY


def test_territories_differ_and_landlords_are_present_there(history):
    counts = history.by_territory
    assert counts["T2"] < min(counts["T1"], counts["T3"])
    for situation in Situation.objects.select_related("platform__territory", "landlord"):
        territory = situation.platform.territory
        assert territory.landlords_present.filter(pk=situation.landlord_id).exists()
        assert situation.tenancy.lease_reference.startswith(situation.landlord.code + "-")
    arrears = Situation.objects.filter(difficulties__code=Difficulty.RENT_ARREARS)
    assert not arrears.filter(entry_debt__isnull=True).exists()


# --- Procedures, balances and aids ---------------------------------------------------------

#: The procedure event that marks each stage at entry, dated by the identification at latest.
STAGE_EVENT = {
    EntryStage.COMMANDEMENT: EventKind.COMMANDEMENT_DE_PAYER,
    EntryStage.SUMMONS: EventKind.SUMMONS,
    EntryStage.JUDGMENT: EventKind.JUDGMENT,
    EntryStage.ORDER_TO_LEAVE: EventKind.ORDER_TO_LEAVE,
}


def kinds_of(situation: Situation) -> list[str]:
    return list(situation.procedure_events.values_list("kind", flat=True))


def test_rent_arrears_situations_have_a_procedure_track_matching_their_entry_stage(history):
    arrears = Situation.objects.filter(difficulties__code=Difficulty.RENT_ARREARS).distinct()
    assert arrears.exists()
    for situation in arrears:
        events = situation.procedure_events.all()
        observed = events.filter(kind=EventKind.ARREARS_OBSERVED).first()
        assert observed is not None, situation
        assert observed.occurred_on <= situation.identified_on
        assert observed.amount is not None
        assert observed.months_of_rent is not None
        marker = STAGE_EVENT.get(situation.entry_stage)
        if marker is not None:
            first = events.filter(kind=marker).order_by("occurred_on").first()
            assert first is not None, (situation, situation.entry_stage)
            assert first.occurred_on <= situation.identified_on, situation
    kinds = set(ProcedureEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.ARREARS_OBSERVED,
        EventKind.REMINDER,
        EventKind.AMICABLE_PLAN_SIGNED,
        EventKind.AMICABLE_PLAN_RESPECTED,
        EventKind.BENEFIT_THRESHOLD,
        EventKind.CAF_REPORTED,
        EventKind.FSL_APPLICATION,
        EventKind.FSL_DECISION,
        EventKind.CCAPEX_REFERRAL,
        EventKind.COMMANDEMENT_DE_PAYER,
        EventKind.SUMMONS,
        EventKind.HEARING,
        EventKind.JUDGMENT,
        EventKind.ORDER_TO_LEAVE,
        EventKind.POLICE_REQUESTED,
        EventKind.EVICTION_CARRIED_OUT,
        EventKind.PROTOCOL_SIGNED,
        EventKind.PROTOCOL_RESPECTED,
        EventKind.NEW_LEASE_SIGNED,
    } <= kinds
    clauses = {
        e.details.get("lease_clause")
        for e in ProcedureEvent.objects.filter(kind=EventKind.COMMANDEMENT_DE_PAYER)
    }
    assert {LeaseClause.TWO_MONTHS, LeaseClause.SIX_WEEKS} <= clauses  # both lease regimes
    outcomes = {
        e.details["judgment_outcome"] for e in ProcedureEvent.objects.filter(kind="judgment")
    }
    assert {JudgmentOutcome.TIME_TO_PAY, JudgmentOutcome.TERMINATION} <= outcomes
    hearings = ProcedureEvent.objects.filter(kind=EventKind.HEARING)
    assert any(h.details.get("adjourned_to") for h in hearings)  # some adjourned


def test_procedures_never_contradict_the_outcome(history):
    closed = Situation.objects.filter(status__in=[Status.CLOSED, Status.ARCHIVED])
    for situation in closed:
        kinds = kinds_of(situation)
        evicted = situation.outcome == Outcome.EVICTED
        assert (EventKind.EVICTION_CARRIED_OUT in kinds) == evicted, situation
        if evicted:
            eviction = situation.procedure_events.get(kind=EventKind.EVICTION_CARRIED_OUT)
            assert eviction.occurred_on <= situation.closed_on
            assert truce_containing(eviction.occurred_on) is None  # never in the winter truce
            assert EventKind.POLICE_GRANTED in kinds
            assert EventKind.ORDER_TO_LEAVE in kinds
        if EventKind.PROTOCOL_RESPECTED in kinds:
            assert EventKind.NEW_LEASE_SIGNED in kinds, situation
        if situation.outcome == Outcome.HOUSED_NO_PROCEDURE:
            assert not {EventKind.SUMMONS, EventKind.JUDGMENT} & set(kinds), situation
        if situation.outcome == Outcome.HOUSED_AFTER_PROCEDURE:
            assert {
                EventKind.SCHEDULE_RESPECTED,
                EventKind.NEW_LEASE_SIGNED,
                EventKind.AMICABLE_PLAN_RESPECTED,
            } & set(kinds), situation
        last = situation.procedure_events.order_by("-occurred_on").first()
        if last is not None and situation.events.filter(action="close").exists():
            assert last.occurred_on <= situation.closed_on, situation
    assert closed.filter(outcome=Outcome.EVICTED).exists()
    assert ProcedureEvent.objects.filter(kind=EventKind.PROTOCOL_RESPECTED).exists()


def test_balances_go_down_with_support_that_worked_and_end_at_the_debt_at_exit(history):
    with_exit = Situation.objects.filter(entry_debt__isnull=False, exit_debt__isnull=False)
    checked = 0
    for situation in with_exit:
        balances = latest_balances(situation.arrears_balances.all())
        if not balances:
            continue
        on_closure = [b for b in balances if b.on <= situation.closed_on][-1]
        assert on_closure.on == situation.closed_on, situation
        assert on_closure.amount == situation.exit_debt, situation
        if situation.outcome == Outcome.EVICTED:
            assert on_closure.amount > situation.entry_debt, situation
        if situation.outcome in (Outcome.HOUSED_NO_PROCEDURE, Outcome.HOUSED_AFTER_PROCEDURE):
            assert on_closure.amount <= situation.entry_debt, situation
        checked += 1
    assert checked > 20
    assert ArrearsBalance.objects.filter(monthly_rent__isnull=True).count() == 0


def test_aids_have_amounts_and_statuses(history):
    aids = Aid.objects.all()
    assert {AidKind.FSL_MAINTIEN, AidKind.CAF_PLAN} <= set(aids.values_list("kind", flat=True))
    assert {AidStatus.PAID, AidStatus.GRANTED} <= set(aids.values_list("status", flat=True))
    for aid in aids:
        assert aid.requested_amount is not None
        if aid.status in (AidStatus.GRANTED, AidStatus.PAID):
            assert aid.granted_amount, aid
            assert aid.decision_on, aid
        if aid.status == AidStatus.PAID:
            assert aid.paid_on >= aid.decision_on


def test_open_situations_of_every_territory_have_a_deadline_within_30_days(history):
    """What "My work", the situation page and the next meeting's agenda show."""
    today = timezone.localdate()
    found = upcoming_deadlines(Situation.objects.open(), today=today, horizon_days=30)
    territories = {d.situation.platform.territory.code for d in found}
    assert territories == {"T1", "T2", "T3"}
    for deadline in found:
        assert today <= deadline.item.due_on <= today + dt.timedelta(days=30)
        assert deadline.item.kind in (ItemKind.DEADLINE, ItemKind.EARLIEST)
    # The same dates the situation page computes.
    situation = found[0].situation
    events = effective_events(situation.procedure_events.all())
    items = compute(case_of(situation, events, situation.arrears_balances.all()), today=today)
    assert any(i.code == found[0].item.code and i.due_on == found[0].item.due_on for i in items)


# --- Shared plans, journal, reviews ------------------------------------------------------


def test_supported_situations_have_a_shared_plan_given_to_members_of_the_group(history):
    started = Situation.objects.filter(support_started_on__isnull=False)
    assert started.exists()
    for situation in started.prefetch_related("objectives__actions"):
        objectives = list(situation.objectives.all())
        assert 1 <= len(objectives) <= 4, situation
        shared = set(situation.shares.values_list("organisation_id", flat=True))
        for objective in objectives:
            actions = list(objective.actions.all())
            assert actions, objective
            for action in actions:
                assert action.owner_organisation_id in shared, action
                assert action.due_on is not None
                if action.owner_person_id is not None:
                    assert action.owner_person.organisation_id == action.owner_organisation_id
    never = Situation.objects.filter(support_started_on__isnull=True)
    assert not Objective.objects.filter(situation__in=never).exists()
    assert set(PlanAction.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    assert {ObjectiveStatus.ACHIEVED, ObjectiveStatus.ABANDONED, ObjectiveStatus.ACTIVE} <= set(
        Objective.objects.values_list("status", flat=True)
    )
    themes = set(Objective.objects.values_list("theme__code", flat=True))
    assert len(themes) >= 5


def test_plan_events_are_dated_within_the_support(history):
    plan_events = PathwayEvent.objects.filter(
        action__in=["objective_added", "plan_action_added", "plan_action_status"]
    ).select_related("situation")
    assert plan_events.exists()
    for event in plan_events:
        situation = event.situation
        assert situation.support_started_on <= event.occurred_on, event
        if situation.closed_on:
            assert event.occurred_on <= situation.closed_on, event


def test_journal_entries_are_short_factual_and_of_both_visibilities(history):
    entries = JournalEntry.objects.all()
    assert set(entries.values_list("visibility", flat=True)) == set(Visibility.values)
    assert len(set(entries.values_list("kind", flat=True))) >= 4
    for entry in entries:
        assert len(entry.text) < 200
        assert not find_sensitive_terms(entry.text), entry.text


def in_support_days(situation: Situation, start: dt.date, end: dt.date) -> int:
    """Days from ``start`` to ``end`` not spent suspended."""
    days = (end - start).days
    suspended_on = None
    for event in situation.events.filter(action__in=["suspend", "resume", "close"]):
        if event.action == "suspend":
            suspended_on = event.occurred_on
        elif suspended_on is not None:
            overlap = min(event.occurred_on, end) - max(suspended_on, start)
            days -= max(overlap.days, 0)
            suspended_on = None
    return days


def test_reviews_about_every_three_months_during_support(history):
    """No more than three months and a few weeks in support without a review (the review
    falls due three months after the last one; the platform may take it at its next
    meeting)."""
    closed_after_support = Situation.objects.filter(
        support_started_on__isnull=False, closed_on__isnull=False
    )
    checked = 0
    for situation in closed_after_support:
        held = sorted(situation.reviews.values_list("held_on", flat=True))
        marks = [situation.support_started_on, *held, situation.closed_on]
        for start, end in itertools.pairwise(marks):
            assert in_support_days(situation, start, end) <= 130, (situation, start, end)
        checked += bool(held)
    assert checked > 10
    in_support = Situation.objects.filter(status=Status.IN_SUPPORT)
    assert all(s.next_review_on for s in in_support)
    assert set(Review.objects.values_list("decision", flat=True)) >= {"continue", "close"}


# --- Platform meetings ---------------------------------------------------------------------


def test_platforms_meet_about_monthly_with_attendance(history):
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    per_platform = Counter(held.values_list("platform__territory__code", flat=True))
    assert per_platform["T1"] >= 30
    assert per_platform["T3"] >= 30
    assert 15 <= per_platform["T2"] < min(per_platform["T1"], per_platform["T3"])
    assert not held.filter(starts_at__date__gt=dt.date(2022, 12, 31)).exists()
    presence = Counter(MeetingAttendance.objects.values_list("present", flat=True))
    assert presence[True] > 3 * presence[False] > 0  # most present, some absent
    for meeting in held.prefetch_related("attendances"):
        assert any(a.present for a in meeting.attendances.all()), meeting


def test_orientations_are_decided_in_meetings_and_linked_to_pathway_events(history):
    decisions = Decision.objects.select_related("agenda_item__meeting", "pathway_event")
    kinds = set(decisions.values_list("kind", flat=True))
    assert {"orientation", "postponement", "continue", "level_change"} <= kinds
    for decision in decisions.exclude(kind="postponement"):
        event = decision.pathway_event
        item = decision.agenda_item
        assert event is not None, decision
        assert event.situation_id == item.situation_id
        assert event.occurred_on == item.meeting.day
        assert event.payload.get("meeting_id") == item.meeting_id or event.action == "review"
    orientations = PathwayEvent.objects.filter(action="orient")
    through_meetings = orientations.filter(payload__has_key="meeting_id").count()
    assert through_meetings > orientations.count() / 2
    postponed = AgendaItem.objects.filter(state="postponed")
    assert postponed.filter(carried_to__isnull=False).exists()  # carried to the next meeting


def test_each_platform_has_its_next_meeting_planned_with_an_agenda(history):
    today = timezone.localdate()
    planned = Meeting.objects.filter(status=MeetingStatus.PLANNED)
    assert sorted(planned.values_list("platform__territory__code", flat=True)) == [
        "T1",
        "T2",
        "T3",
    ]
    reasons = set()
    for meeting in planned:
        assert today < meeting.day <= today + dt.timedelta(days=12)
        assert meeting.items.exists(), meeting
        reasons |= set(meeting.items.values_list("reason", flat=True))
    assert AgendaReason.DEADLINE_SOON in reasons
