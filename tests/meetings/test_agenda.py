"""The agenda is built from what waits for the platform — and only from situations the
coordinator may decide on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from etage.meetings import services
from etage.meetings.choices import AgendaReason, ItemState
from etage.meetings.models import SituationFlag
from etage.territories.models import Platform

pytestmark = pytest.mark.django_db


def reasons(meeting) -> dict[int, str]:
    return {i.situation_id: i.reason for i in meeting.items.all()}


def test_agenda_holds_assessed_review_due_and_flagged_situations_with_their_reason(
    situation_at, plan_meeting, demo_reference
):
    assessed = situation_at("assessed", last_name="Attente")
    due = situation_at("in_support", last_name="Revue")
    not_due = situation_at(
        "in_support", last_name="Plustard", next_review_on=dt.date.today() + dt.timedelta(days=90)
    )
    flagged = situation_at("contacted", last_name="Signale")
    services.situation_flag(
        user=demo_reference["t2-professionnel"],
        situation_id=flagged.pk,
        reason="Commandement de payer reçu.",
    )
    new = situation_at("identified", last_name="Nouveau")

    meeting = plan_meeting("t2")

    assert reasons(meeting) == {
        assessed.pk: AgendaReason.AWAITING_ORIENTATION,
        due.pk: AgendaReason.REVIEW_DUE,
        flagged.pk: AgendaReason.FLAGGED,
    }
    assert not_due.pk not in reasons(meeting)
    assert new.pk not in reasons(meeting)
    # Each item has its own order and alias, both stable.
    items = list(meeting.items.all())
    assert sorted(i.order for i in items) == [1, 2, 3]
    assert sorted(i.alias_number for i in items) == [1, 2, 3]


def test_review_due_is_judged_at_the_meeting_date(situation_at, plan_meeting):
    in_ten_days = timezone.localdate() + dt.timedelta(days=10)
    situation = situation_at("in_support", next_review_on=in_ten_days)
    assert reasons(plan_meeting("t2", days=5)) == {}
    assert reasons(plan_meeting("t2", days=15)) == {situation.pk: AgendaReason.REVIEW_DUE}
    # Already waiting on the meeting of day 15: not put on a third agenda as well.
    assert reasons(plan_meeting("t2", days=20)) == {}


def test_a_t1_coordinator_never_gets_a_t2_situation(situation_at, plan_meeting):
    t2 = situation_at("assessed", territory="t2", last_name="Venissian")
    t1 = situation_at("assessed", territory="t1", last_name="Vaudais")
    meeting_t1 = plan_meeting("t1")
    meeting_t2 = plan_meeting("t2")
    assert set(reasons(meeting_t1)) == {t1.pk}
    assert set(reasons(meeting_t2)) == {t2.pk}


def test_coordinator_adds_a_situation_by_reference_only_within_scope(
    situation_at, plan_meeting, demo_reference
):
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]
    contacted = situation_at("contacted", last_name="Ajout")
    item = services.agenda_add(
        user=coordinator, meeting_id=meeting.pk, reference=contacted.reference.lower()
    )
    assert (item.situation_id, item.reason) == (contacted.pk, AgendaReason.ADDED)

    elsewhere = situation_at("contacted", territory="t1", last_name="Ailleurs")
    for reference in (elsewhere.reference, "T2-99999", "", contacted.reference):
        with pytest.raises(services.MeetingRefused) as refused:
            services.agenda_add(user=coordinator, meeting_id=meeting.pk, reference=reference)
        if reference != contacted.reference:
            # The same answer whether it exists elsewhere or not at all.
            assert "à votre portée" in str(refused.value)
    assert not meeting.items.filter(situation=elsewhere).exists()


def test_withdrawn_items_stay_out_on_refresh_and_can_be_added_back(
    situation_at, plan_meeting, demo_reference
):
    coordinator = demo_reference["t2-coordination"]
    assessed = situation_at("assessed")
    meeting = plan_meeting("t2")
    item = meeting.items.get()
    services.agenda_withdraw(user=coordinator, meeting_id=meeting.pk, item_id=item.pk)
    assert services.agenda_refresh(user=coordinator, meeting_id=meeting.pk) == []
    item.refresh_from_db()
    assert item.state == ItemState.WITHDRAWN
    services.agenda_add(user=coordinator, meeting_id=meeting.pk, reference=assessed.reference)
    item.refresh_from_db()
    assert item.state == ItemState.PENDING


def test_refresh_adds_what_started_waiting_since(situation_at, plan_meeting, demo_reference):
    meeting = plan_meeting("t2")
    assert reasons(meeting) == {}
    assessed = situation_at("assessed")
    added = services.agenda_refresh(user=demo_reference["t2-coordination"], meeting_id=meeting.pk)
    assert [i.situation_id for i in added] == [assessed.pk]


def test_move_up_and_down_reorders_the_agenda(situation_at, plan_meeting, demo_reference):
    first, second, third = (situation_at("assessed", last_name=n) for n in ("Un", "Deux", "Trois"))
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]

    def order() -> list[int]:
        return [i.situation_id for i in meeting.items.order_by("order", "id")]

    assert order() == [first.pk, second.pk, third.pk]
    item = meeting.items.get(situation=third)
    services.agenda_move(user=coordinator, meeting_id=meeting.pk, item_id=item.pk, direction="up")
    assert order() == [first.pk, third.pk, second.pk]
    services.agenda_move(user=coordinator, meeting_id=meeting.pk, item_id=item.pk, direction="up")
    services.agenda_move(user=coordinator, meeting_id=meeting.pk, item_id=item.pk, direction="up")
    assert order() == [third.pk, first.pk, second.pk]
    services.agenda_move(user=coordinator, meeting_id=meeting.pk, item_id=item.pk, direction="down")
    assert order() == [first.pk, third.pk, second.pk]


def test_agenda_pages_move_items_with_htmx_buttons(situation_at, plan_meeting, client_for):
    situation_at("assessed", last_name="Un")
    second = situation_at("assessed", last_name="Deux")
    meeting = plan_meeting("t2")
    item = meeting.items.get(situation=second)
    client = client_for("t2-coordination")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert f'id="monter-{item.pk}"' in page
    assert "Monter" in page
    assert "Descendre" in page
    response = client.post(
        reverse("meetings:agenda_up", args=[meeting.pk, item.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.templates[0].name == "meetings/partials/agenda.html"
    item.refresh_from_db()
    assert item.order == 1
    # Without JavaScript the same button posts the form and comes back to the page.
    response = client.post(reverse("meetings:agenda_down", args=[meeting.pk, item.pk]))
    assert response.status_code == 302


def test_a_flag_needs_the_sharing_group_and_is_resolved_by_the_decision(
    situation_at, demo_reference, client_for
):
    situation = situation_at("contacted")
    # The coordinator of T2 (CCAS-VEN) sees it but is not in the sharing group; the caretaker
    # who referred it cannot even see it.
    with pytest.raises(services.MeetingRefused):
        services.situation_flag(
            user=demo_reference["t2-coordination"], situation_id=situation.pk, reason="À voir"
        )
    with pytest.raises(Http404):
        services.situation_flag(
            user=demo_reference["t2-signalement"], situation_id=situation.pk, reason="À voir"
        )
    client = client_for("t2-professionnel")
    page = client.get(reverse("situations:detail", args=[situation.pk])).content.decode()
    assert "Signaler pour la prochaine réunion de plateforme" in page
    response = client.post(
        reverse("meetings:flag", args=[situation.pk]), {"reason": "Assignation reçue."}
    )
    assert response.status_code == 302
    flag = SituationFlag.objects.get(situation=situation)
    assert flag.organisation.code == "LMH"
    assert flag.resolved_at is None
    page = client.get(reverse("situations:detail", args=[situation.pk])).content.decode()
    assert "Signalée pour la prochaine réunion de plateforme par LMH" in page
    with pytest.raises(services.MeetingRefused):
        services.situation_flag(
            user=demo_reference["t2-professionnel"], situation_id=situation.pk, reason="Encore"
        )
    outsider = client_for("t1-professionnel")
    assert (
        outsider.post(reverse("meetings:flag", args=[situation.pk]), {"reason": "x"}).status_code
        == 404
    )


def test_meeting_invites_the_platforms_active_members(plan_meeting):
    meeting = plan_meeting("t2")
    platform = Platform.objects.get(territory__code="T2")
    members = set(
        platform.memberships.filter(is_active=True).values_list("organisation__code", flat=True)
    )
    invited = set(
        meeting.attendances.filter(invited=True).values_list("organisation__code", flat=True)
    )
    assert invited == members
    assert not meeting.attendances.filter(present=True).exists()
