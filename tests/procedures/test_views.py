"""The "Procedure and deadlines" section and the recording pages through the test client:
each concerned role sees and records what it may, everyone else gets a 404, bad input is
explained and changes nothing, and the section's query count does not grow with its rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.services import (
    aid_create,
    arrears_balance_record,
    procedure_event_record,
)

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def detail(client, situation):
    response = client.get(reverse("situations:detail", args=[situation.pk]))
    assert response.status_code == 200
    return html(response)


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-coordination", "t1-recouvrement"])
def test_the_section_shows_for_each_role_that_reads_milestones(situation, client_for, username):
    page = detail(client_for(username), situation)
    assert 'data-testid="procedure-panel"' in page
    assert "Procédure et échéances" in page
    assert reverse("procedures:event_record", args=[situation.pk]) in page
    assert reverse("procedures:balance_record", args=[situation.pk]) in page


def test_an_upcoming_deadline_appears_on_the_situation_page(situation, client_for, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    # A formal order to pay 20 days ago on a recent lease: 22 days left before a summons.
    procedure_event_record(
        user=officer,
        situation_id=situation.pk,
        kind="commandement_de_payer",
        occurred_on=days_ago(20),
        source="bailiff",
        details={"lease_clause": "six_weeks"},
    )
    page = detail(client_for("t1-recouvrement"), situation)
    assert 'data-testid="upcoming-deadlines"' in page
    assert 'data-code="summons_earliest"' in page
    assert "Dans les 30 jours" in page
    assert (days_ago(20) + dt.timedelta(days=42)).strftime("%d/%m/%Y") in page
    assert "Assignation possible à partir du" in page


def test_rent_recovery_sees_milestones_balances_and_aids_but_not_the_health_track(
    situation, client_for, demo_reference
):
    professional = demo_reference["t1-professionnel"]
    procedure_event_record(
        user=professional,
        situation_id=situation.pk,
        kind="care_referral",
        occurred_on=days_ago(3),
        source="professional",
    )
    procedure_event_record(
        user=professional,
        situation_id=situation.pk,
        kind="ccapex_referral",
        occurred_on=days_ago(3),
        source="landlord",
    )
    arrears_balance_record(
        user=professional,
        situation_id=situation.pk,
        on=days_ago(40),
        amount="700",
        source="landlord",
    )
    arrears_balance_record(
        user=professional,
        situation_id=situation.pk,
        on=days_ago(5),
        amount="1100",
        source="landlord",
    )
    aid_create(
        user=professional,
        situation_id=situation.pk,
        kind="fsl_maintien",
        requested_on=days_ago(2),
        requested_amount="900",
    )
    page = detail(client_for("t1-recouvrement"), situation)
    assert "Saisine de la CCAPEX par le bailleur" in page
    assert "Orientation vers le soin" not in page
    assert 'data-testid="balances"' in page
    assert "<svg" in page
    assert "1\u202f100\u00a0€" in page
    assert 'data-testid="aids"' in page
    assert reverse("procedures:aid_create", args=[situation.pk]) not in page
    professional_page = detail(client_for("t1-professionnel"), situation)
    assert "Orientation vers le soin" in professional_page
    assert reverse("procedures:aid_create", args=[situation.pk]) in professional_page


@pytest.mark.parametrize("username", ["t2-recouvrement", "t2-coordination", "t1-signalement"])
def test_every_procedure_page_is_a_404_outside_the_scope(situation, client_for, username):
    client = client_for(username)
    for name in ("event_record", "balance_record", "aid_create"):
        assert client.get(reverse(f"procedures:{name}", args=[situation.pk])).status_code == 404
        assert client.post(reverse(f"procedures:{name}", args=[situation.pk])).status_code == 404


def test_aid_pages_are_a_404_for_rent_recovery(situation, client_for, demo_reference):
    aid = aid_create(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        kind="caf_plan",
        requested_on=days_ago(1),
    )
    client = client_for("t1-recouvrement")
    assert client.get(reverse("procedures:aid_create", args=[situation.pk])).status_code == 404
    url = reverse("procedures:aid_update", args=[situation.pk, aid.pk])
    assert client.get(url).status_code == 404


def test_recording_an_event_in_two_steps_then_it_is_listed(situation, client_for):
    client = client_for("t1-recouvrement")
    url = reverse("procedures:event_record", args=[situation.pk])
    chooser = client.get(url)
    assert chooser.status_code == 200
    assert 'data-testid="event-form"' not in html(chooser)
    form = client.get(url, {"kind": "summons"})
    assert "Date de l’audience" in html(form) or "Date de l'audience" in html(form)
    response = client.post(
        url,
        {
            "kind": "summons",
            "track": "arrears",
            "occurred_on": days_ago(2).isoformat(),
            "source": "bailiff",
            "amount": "1500",
            "hearing_on": (days_ago(2) + dt.timedelta(days=70)).isoformat(),
        },
    )
    assert response.status_code == 302
    event = ProcedureEvent.objects.get()
    assert (event.kind, event.amount) == ("summons", 1500)
    page = detail(client, situation)
    assert 'data-code="prefect_notification"' in page


def test_the_kind_chooser_answers_htmx_with_the_fragment_only(situation, client_for):
    response = client_for("t1-professionnel").get(
        reverse("procedures:event_record", args=[situation.pk]),
        {"kind": "protocol_signed"},
        headers={"HX-Request": "true"},
    )
    body = html(response)
    assert "<html" not in body
    assert 'id="formulaire-evenement"' in body
    assert 'name="months"' in body


def test_a_judicial_step_asks_which_procedure_it_belongs_to(situation, client_for):
    body = html(
        client_for("t1-professionnel").get(
            reverse("procedures:event_record", args=[situation.pk]), {"kind": "hearing"}
        )
    )
    assert 'name="track"' in body
    assert 'value="neighbourhood"' in body


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "teleportation"},
        {"kind": "reminder", "occurred_on": "pas une date", "source": "landlord"},
        {"kind": "reminder", "occurred_on": "2999-01-01", "source": "landlord"},
        {"kind": "reminder", "occurred_on": "2026-01-01", "source": "rumour"},
        {
            "kind": "arrears_observed",
            "occurred_on": "2026-01-01",
            "source": "landlord",
            "amount": "-5",
        },
        {"kind": "care_referral", "occurred_on": "2026-01-01", "source": "landlord"},
    ],
)
def test_bad_event_input_is_explained_and_changes_nothing(situation, client_for, data):
    response = client_for("t1-recouvrement").post(
        reverse("procedures:event_record", args=[situation.pk]), data
    )
    assert response.status_code == 200
    body = html(response)
    assert 'role="alert"' in body or "field__error" in body
    assert ProcedureEvent.objects.count() == 0


def test_recording_a_balance(situation, client_for):
    client = client_for("t1-recouvrement")
    url = reverse("procedures:balance_record", args=[situation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"on": days_ago(1).isoformat(), "amount": "1000", "source": "landlord"}
    )
    assert response.status_code == 302
    assert ArrearsBalance.objects.get().months == 2
    bad = client.post(url, {"on": days_ago(1).isoformat(), "amount": "-1", "source": "landlord"})
    assert 'role="alert"' in html(bad)
    assert ArrearsBalance.objects.count() == 1


def test_correcting_an_event_from_the_page(situation, client_for, demo_reference):
    event = procedure_event_record(
        user=demo_reference["t1-recouvrement"],
        situation_id=situation.pk,
        kind="order_to_leave",
        occurred_on=days_ago(30),
        source="bailiff",
    )
    client = client_for("t1-recouvrement")
    page = detail(client, situation)
    url = reverse("procedures:event_correct", args=[situation.pk, event.pk])
    assert url in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"occurred_on": days_ago(25).isoformat(), "source": "bailiff"})
    assert response.status_code == 302
    assert ProcedureEvent.objects.filter(corrects=event).exists()
    assert url not in detail(client, situation)
    other = client_for("t2-recouvrement")
    assert other.get(url).status_code == 404


def test_an_aid_created_then_updated_and_a_stale_update_keeps_the_input(situation, client_for):
    client = client_for("t1-professionnel")
    response = client.post(
        reverse("procedures:aid_create", args=[situation.pk]),
        {
            "kind": "fsl_maintien",
            "status": "requested",
            "requested_on": days_ago(10).isoformat(),
            "requested_amount": "800",
        },
    )
    assert response.status_code == 302
    aid = Aid.objects.get()
    url = reverse("procedures:aid_update", args=[situation.pk, aid.pk])
    granted = {
        "kind": "fsl_maintien",
        "status": "granted",
        "requested_on": days_ago(10).isoformat(),
        "requested_amount": "800",
        "decision_on": days_ago(2).isoformat(),
        "granted_amount": "650",
        "version": "1",
    }
    assert client.post(url, granted).status_code == 302
    stale = client_for("t1-coordination").post(url, granted | {"granted_amount": "700"})
    body = html(stale)
    assert stale.status_code == 200
    assert 'role="alert"' in body
    assert 'value="700"' in body or 'value="700.00"' in body  # what they typed is kept
    assert 'name="version" value="2"' in body
    aid.refresh_from_db()
    assert (aid.granted_amount, aid.version) == (650, 2)


def test_the_section_query_count_does_not_grow_with_its_rows(
    situation, client_for, demo_reference, django_assert_max_num_queries
):
    client = client_for("t1-professionnel")
    user = demo_reference["t1-professionnel"]

    def add_rows(n: int, start: int) -> None:
        for i in range(start, start + n):
            procedure_event_record(
                user=user,
                situation_id=situation.pk,
                kind="reminder",
                occurred_on=days_ago(100 + i),
                source="landlord",
            )
            arrears_balance_record(
                user=user,
                situation_id=situation.pk,
                on=days_ago(100 + i),
                amount=str(100 * i),
                source="landlord",
            )
            aid_create(
                user=user,
                situation_id=situation.pk,
                kind="other",
                requested_on=days_ago(100 + i),
            )

    add_rows(2, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The clock stands, so the session is written by the first request only (its idle
    # timeout moves at most once a minute), before counting.
    with time_machine.travel(timezone.now(), tick=False):
        detail(client, situation)
        with CaptureQueriesContext(connection) as few:
            detail(client, situation)
        add_rows(15, 2)
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = detail(client, situation)
    assert page.count("<circle") == 17
