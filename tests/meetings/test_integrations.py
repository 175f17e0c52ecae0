"""Meetings with the apps beside them: a procedure deadline puts a situation on the agenda
(procedures), "support continues" is a review and actions decided go into the shared plan
(support) — each through that app's own services, never a second path.

These tests run where those apps are installed (``INSTALLED_APPS``); without them the meeting
pages leave the corresponding options out (tested at the end)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from etage.meetings import integrations, services
from etage.meetings.choices import AgendaReason, DecisionKind
from etage.situations.models import PathwayEvent
from tests.meetings.conftest import org

pytestmark = pytest.mark.django_db


def test_the_integrated_apps_are_installed():
    # These tests exercise real integrations; they must never be silently skipped.
    assert apps.is_installed("etage.support")
    assert apps.is_installed("etage.procedures")


def events_after(situation, before: int) -> list[str]:
    return list(
        PathwayEvent.objects.filter(situation=situation, pk__gt=before)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def last_event_id() -> int:
    last = PathwayEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def decide(user, meeting, situation, **fields):
    situation.refresh_from_db()
    return services.meeting_record_decision(
        user=user,
        meeting_id=meeting.pk,
        item_id=meeting.items.get(situation=situation).pk,
        data=services.DecisionInput(expected_version=situation.version, **fields),
    )


def test_a_procedure_deadline_within_30_days_puts_the_situation_on_the_agenda(
    situation_at, plan_meeting, demo_reference
):
    from etage.procedures.services import procedure_event_record

    soon = situation_at("in_support", last_name="Echeance", next_review_on=dt.date(2027, 6, 1))
    later = situation_at("in_support", last_name="Tranquille", next_review_on=dt.date(2027, 6, 1))
    today = timezone.localdate()
    for situation, days_ago in ((soon, 20), (later, 0)):
        # Formal order to pay: the tenant has 6 weeks (42 days).
        procedure_event_record(
            user=demo_reference["t2-recouvrement"],
            situation_id=situation.pk,
            kind="commandement_de_payer",
            occurred_on=today - dt.timedelta(days=days_ago),
            source="bailiff",
            details={"lease_clause": "six_weeks"},
        )
    meeting = plan_meeting("t2", days=0.01)
    assert {i.situation_id: i.reason for i in meeting.items.all()} == {
        soon.pk: AgendaReason.DEADLINE_SOON
    }


def test_support_continues_is_a_review_through_the_support_app(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    before = last_event_id()
    next_review = meeting.day + dt.timedelta(days=90)
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.CONTINUE,
        next_review_on=next_review,
    )
    situation.refresh_from_db()
    assert situation.next_review_on == next_review
    assert events_after(situation, before) == ["review"]
    assert decision.pathway_event.action == "review"
    assert decision.pathway_event.payload["decision"] == "continue"
    assert situation.reviews.get().held_on == meeting.day


def test_level_change_with_a_next_review_records_the_review_then_the_change(
    situation_at, plan_meeting, demo_reference
):
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    before = last_event_id()
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.LEVEL_CHANGE,
        level="agr",
        lead_professional_id=demo_reference["t2-professionnel"].pk,
        referent_organisation_id=org("ASSO-TDL").pk,
        next_review_on=meeting.day + dt.timedelta(days=60),
    )
    assert events_after(situation, before) == ["review", "change_level", "share_granted"]
    assert decision.pathway_event.action == "change_level"
    assert situation.reviews.get().decision == "change_level"


def test_actions_decided_go_into_the_shared_plan(situation_at, plan_meeting, demo_reference):
    from etage.references.models import Theme

    situation = situation_at("assessed")
    meeting = plan_meeting("t2")
    theme = Theme.objects.active().first()
    assert theme is not None
    before = last_event_id()
    decision = decide(
        demo_reference["t2-coordination"],
        meeting,
        situation,
        kind=DecisionKind.ORIENTATION,
        orientation="coordination",
        lead_professional_id=demo_reference["t2-professionnel"].pk,
        referent_organisation_id=org("LMH").pk,
        actions=[
            integrations.DecidedAction(
                theme_id=theme.pk,
                title="Déposer une demande FSL",
                owner_organisation_id=org("CCAS-VEN").pk,
                due_on=meeting.day + dt.timedelta(days=30),
            ),
            integrations.DecidedAction(
                theme_id=theme.pk,
                title="Proposer un plan d'apurement",
                owner_organisation_id=org("LMH").pk,
            ),
        ],
    )
    assert events_after(situation, before) == [
        "orient",
        "objective_added",
        "plan_action_added",
        "plan_action_added",
    ]
    objective = situation.objectives.get()
    titles = sorted(a.title for a in objective.actions.all())
    assert titles == ["Déposer une demande FSL", "Proposer un plan d'apurement"]
    assert sorted(decision.details["actions"]) == sorted(a.pk for a in objective.actions.all())
    # Only identifiers in the decision: the action titles live in the plan.
    assert "FSL" not in str(decision.details)


def test_decision_page_offers_actions_and_continue_with_support(
    situation_at, plan_meeting, client_for
):
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    item = meeting.items.get(situation=situation)
    page = client_for("t2-coordination").get(
        reverse("meetings:decision", args=[meeting.pk, item.pk])
    )
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["level_change", "continue", "postponement", "other"]
    assert page.context["actions"] is not None
    assert "Actions décidées" in page.content.decode()


def test_without_the_support_app_the_form_offers_neither_continue_nor_actions(
    situation_at, plan_meeting, client_for, monkeypatch
):
    monkeypatch.setattr(integrations, "support_available", lambda: False)
    situation = situation_at("in_support")
    meeting = plan_meeting("t2")
    item = meeting.items.get(situation=situation)
    page = client_for("t2-coordination").get(
        reverse("meetings:decision", args=[meeting.pk, item.pk])
    )
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["level_change", "postponement", "other"]
    assert page.context["actions"] is None
    with pytest.raises(services.MeetingRefused):
        decide(
            page.context["user"],
            meeting,
            situation,
            kind=DecisionKind.CONTINUE,
            next_review_on=meeting.day + dt.timedelta(days=30),
        )
