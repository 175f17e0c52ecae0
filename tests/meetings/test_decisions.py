"""Recording a decision moves the pathway through the situation services — exactly the events
a step recorded on the situation page would append — and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from etage.meetings import services
from etage.meetings.choices import AgendaReason, DecisionKind, ItemState, MeetingStatus
from etage.meetings.models import AgendaItem, Decision, SituationFlag
from etage.situations.choices import Status
from etage.situations.models import PathwayEvent
from tests.meetings.conftest import org

pytestmark = pytest.mark.django_db


def events_after(situation, before: int) -> list[str]:
    return list(
        PathwayEvent.objects.filter(situation=situation, pk__gt=before)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def last_event_id() -> int:
    last = PathwayEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def decide(user, meeting, situation, **fields) -> Decision:
    situation.refresh_from_db()
    item = meeting.items.get(situation=situation)
    return services.meeting_record_decision(
        user=user,
        meeting_id=meeting.pk,
        item_id=item.pk,
        data=services.DecisionInput(expected_version=situation.version, **fields),
    )


def test_agr_orientation_of_an_assessed_situation_appends_orient_and_the_referent_share(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    before = last_event_id()
    lead = demo_reference["t2-professionnel"]
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.ORIENTATION,
        orientation="agr",
        lead_professional_id=lead.pk,
        referent_organisation_id=org("ASSO-TDL").pk,
        note="Accord du ménage pour un accompagnement renforcé.",
    )
    situation.refresh_from_db()
    assert (situation.status, situation.level) == (Status.ORIENTED, "agr")
    assert situation.lead_professional == lead
    assert situation.oriented_on == meeting.day
    assert events_after(situation, before) == ["orient", "share_granted"]
    assert decision.pathway_event.action == "orient"
    assert decision.pathway_event.payload["meeting_id"] == meeting.pk
    assert decision.agenda_item.state == ItemState.DECIDED
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_orientation_of_a_contacted_situation_records_the_assessment_first(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("contacted")
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]
    services.agenda_add(user=coordinator, meeting_id=meeting.pk, reference=situation.reference)
    before = last_event_id()
    decision = decide(
        coordinator, meeting, situation, kind=DecisionKind.ORIENTATION, orientation="advice"
    )
    situation.refresh_from_db()
    assert events_after(situation, before) == ["assess", "orient"]
    assert (situation.status, situation.assessed_on, situation.oriented_on) == (
        Status.ORIENTED,
        meeting.day,
        meeting.day,
    )
    assert decision.pathway_event.action == "orient"


def test_a_refused_orientation_records_nothing_not_even_the_assessment(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("contacted")
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]
    services.agenda_add(user=coordinator, meeting_id=meeting.pk, reference=situation.reference)
    before = last_event_id()
    with pytest.raises(services.ServiceError, match=r"lead professional|référent"):
        # AGR without a lead professional: refused by the pathway table.
        decide(coordinator, meeting, situation, kind=DecisionKind.ORIENTATION, orientation="agr")
    situation.refresh_from_db()
    assert situation.status == Status.CONTACTED
    assert events_after(situation, before) == []
    assert not Decision.objects.exists()
    assert meeting.items.get().state == ItemState.PENDING


def test_level_change_goes_through_change_level(situation_at, plan_meeting, demo_reference):
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    before = last_event_id()
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.LEVEL_CHANGE,
        level="advice",
    )
    situation.refresh_from_db()
    assert situation.level == "advice"
    assert events_after(situation, before) == ["change_level"]
    assert decision.details["previous_level"] == "coordination"


def test_postponement_appends_no_event_and_carries_the_item_to_the_next_meeting(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    flagged = SituationFlag.objects.create(
        situation=situation,
        flagged_by=demo_reference["t2-professionnel"],
        organisation=org("LMH"),
        reason="Relance",
    )
    meeting = plan_meeting("t2")
    next_meeting = plan_meeting("t2", days=14)
    assert not next_meeting.items.exists()  # it waits on the first one
    before = last_event_id()
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.POSTPONEMENT,
        postponement_reason="missing_information",
    )
    assert events_after(situation, before) == []
    assert decision.pathway_event is None
    assert decision.agenda_item.state == ItemState.POSTPONED
    carried = next_meeting.items.get()
    assert (carried.situation_id, carried.reason) == (situation.pk, AgendaReason.CARRIED_OVER)
    assert carried.carried_from == decision.agenda_item
    flagged.refresh_from_db()
    assert flagged.resolved_at is not None


def test_a_postponed_item_is_carried_to_a_meeting_planned_later(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.POSTPONEMENT,
        postponement_reason="no_time",
    )
    later = plan_meeting("t2", days=21)
    item = later.items.get()
    assert item.reason == AgendaReason.CARRIED_OVER
    assert item.carried_from.meeting == meeting
    # Carried once: a third meeting does not get it again.
    AgendaItem.objects.filter(pk=item.pk).update(state=ItemState.WITHDRAWN)
    assert not plan_meeting("t2", days=30).items.filter(reason=AgendaReason.CARRIED_OVER).exists()


def test_postponement_needs_a_reason(situation_at, plan_meeting, demo_reference):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    with pytest.raises(services.MeetingRefused):
        decide(demo_reference["t2-coordination"], meeting, situation, kind="postponement")
    assert not Decision.objects.exists()


def test_stale_version_is_refused_and_nothing_is_recorded(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    item = meeting.items.get()
    before = last_event_id()
    with pytest.raises(services.StaleVersion) as refused:
        services.meeting_record_decision(
            user=demo_reference["t2-coordination"],
            meeting_id=meeting.pk,
            item_id=item.pk,
            data=services.DecisionInput(
                kind=DecisionKind.ORIENTATION,
                orientation="advice",
                expected_version=situation.version - 1,
            ),
        )
    assert "Rien n'a été enregistré" in str(refused.value)
    assert events_after(situation, before) == []
    assert not Decision.objects.exists()
    item.refresh_from_db()
    assert item.state == ItemState.PENDING


def test_stale_meeting_version_is_refused(plan_meeting, demo_reference):
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]
    lmh = org("LMH")
    services.attendance_record(
        user=coordinator,
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        present_organisation_ids=[lmh.pk],
    )
    with pytest.raises(services.StaleMeeting):
        services.attendance_record(
            user=coordinator,
            meeting_id=meeting.pk,
            expected_version=meeting.version,  # the version seen before the first save
            present_organisation_ids=[],
        )
    assert list(
        meeting.attendances.filter(present=True).values_list("organisation", flat=True)
    ) == [lmh.pk]


def test_attendance_is_kept_with_absent_invited_organisations(plan_meeting, demo_reference):
    meeting = plan_meeting("t2")
    present = [org("LMH").pk, org("CCAS-VEN").pk]
    services.attendance_record(
        user=demo_reference["t2-coordination"],
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        present_organisation_ids=present,
    )
    rows = {a.organisation.code: (a.invited, a.present) for a in meeting.attendances.all()}
    assert rows["LMH"] == (True, True)
    assert rows["CCAS-VEN"] == (True, True)
    assert rows["MDM-VEN"] == (True, False)
    with pytest.raises(services.MeetingRefused):
        services.attendance_record(
            user=demo_reference["t2-coordination"],
            meeting_id=meeting.pk,
            expected_version=meeting.version + 1,
            present_organisation_ids=[org("EMH").pk],  # not a member of T2
        )


def test_decisions_wait_for_the_meeting_day_and_never_for_a_cancelled_meeting(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    coordinator = demo_reference["t2-coordination"]
    future = plan_meeting("t2", days=3)
    with pytest.raises(services.MeetingRefused):
        decide(coordinator, future, situation, kind="orientation", orientation="advice")
    services.meeting_update(
        user=coordinator,
        meeting_id=future.pk,
        expected_version=future.version,
        starts_at=future.starts_at,
        ends_at=None,
        place=future.place,
        video_link="",
        status=MeetingStatus.CANCELLED,
    )
    with pytest.raises(services.MeetingRefused):
        decide(coordinator, future, situation, kind="orientation", orientation="advice")


def test_only_the_platform_coordinator_records_decisions(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    for username in ("t1-coordination", "t2-professionnel", "t2-signalement", "t2-pilotage"):
        with pytest.raises(Http404):
            decide(
                demo_reference[username],
                meeting,
                situation,
                kind="orientation",
                orientation="advice",
            )
    assert not Decision.objects.exists()


def test_decision_page_records_an_orientation_and_reports_errors_in_french(
    situation_at, plan_meeting, client_for, demo_reference
):
    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    item = meeting.items.get()
    client = client_for("t2-coordination")
    url = reverse("meetings:decision", args=[meeting.pk, item.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Only the decisions open to an assessed situation.
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["orientation", "postponement", "other"]
    empty_actions = {"actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0"}
    refused = client.post(
        url,
        {"kind": "orientation", "orientation": "agr", "version": situation.version} | empty_actions,
    )
    assert refused.status_code == 200
    assert "AGR" in refused.content.decode()
    assert not Decision.objects.exists()
    lead = demo_reference["t2-professionnel"]
    done = client.post(
        url,
        {
            "kind": "orientation",
            "orientation": "agr",
            "lead_professional": lead.pk,
            "version": situation.version,
        }
        | empty_actions,
    )
    assert done.status_code == 302, done.context["form"].errors
    situation.refresh_from_db()
    assert situation.referent_organisation == lead.organisation
    # Once decided, the page says so and records nothing more.
    again = client.post(url, {"kind": "other", "version": situation.version} | empty_actions)
    assert again.status_code == 200
    assert Decision.objects.count() == 1


def test_next_review_date_must_follow_the_meeting(situation_at, plan_meeting, demo_reference):
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    with pytest.raises(services.MeetingRefused):
        decide(
            demo_reference["t2-coordination"],
            meeting,
            situation,
            kind=DecisionKind.CONTINUE,
            next_review_on=meeting.day - dt.timedelta(days=1),
        )
