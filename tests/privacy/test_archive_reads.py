"""Reads of an archived situation need a stated reason, are time-limited and logged
(data-protection.md #12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etage.core.models import AccessLogEntry
from etage.situations.choices import Status
from etage.situations.models import Situation
from etage.situations.services import situation_archive_expired, situation_transition

pytestmark = pytest.mark.django_db

REASON = "Demande d'accès du ménage reçue par courrier"


@pytest.fixture
def archived(refer, advance, demo_reference) -> Situation:
    situation = advance(refer(last_name="Vermicellier", identified_on=dt.date(2024, 1, 8)), 2)
    situation_transition(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        action="close",
        expected_version=situation.version,
        occurred_on=dt.date(2024, 2, 1),
        payload={"outcome": "housed_no_procedure", "exit_debt": "0"},
    )
    assert situation_archive_expired(
        situation_id=situation.pk, today=dt.date(2026, 11, 2), cutoff=dt.date(2026, 11, 2)
    )
    situation.refresh_from_db()
    assert situation.status == Status.ARCHIVED
    return situation


def _reason_url(situation: Situation, after: str) -> str:
    return reverse("situations:archive_reason", args=[situation.pk]) + f"?next={after}"


def test_an_archived_situation_asks_the_reason_first_and_shows_no_household_data(
    archived, client_for
):
    client = client_for("t1-coordination")
    detail = reverse("situations:detail", args=[archived.pk])
    response = client.get(detail)
    assert response.status_code == 302
    assert response["Location"] == _reason_url(archived, detail.replace("/", "%2F"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert archived.reference in text
    assert "Pourquoi consultez-vous cette situation archivée" in text
    assert "vermicellier" not in text.lower()
    assert "tilleuls" not in text.lower()
    assert not AccessLogEntry.objects.filter(situation_id=archived.pk, reason__gt="").exists()


def test_the_reason_is_required_and_a_short_one_changes_nothing(archived, client_for):
    client = client_for("t1-coordination")
    url = reverse("situations:archive_reason", args=[archived.pk])
    response = client.post(url, {"reason": "Voir", "next": "/"})
    assert response.status_code == 400
    assert "erreurs" in response.content.decode()
    assert client.get(reverse("situations:detail", args=[archived.pk])).status_code == 302
    assert not AccessLogEntry.objects.filter(situation_id=archived.pk, reason__gt="").exists()


def test_a_stated_reason_opens_every_page_for_a_limited_time_and_each_read_is_logged(
    archived, client_for
):
    client = client_for("t1-coordination")
    detail = reverse("situations:detail", args=[archived.pk])
    journal = reverse("support:journal", args=[archived.pk])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(
            reverse("situations:archive_reason", args=[archived.pk]),
            {"reason": REASON, "next": detail},
        )
        assert response.status_code == 302
        assert response["Location"] == detail
        page = client.get(detail)
        assert page.status_code == 200
        assert "vermicellier" in page.content.decode().lower()
        assert client.get(journal).status_code == 200
    entries = AccessLogEntry.objects.filter(situation_id=archived.pk)
    assert entries.count() >= 3
    assert set(entries.values_list("reason", flat=True)) == {REASON}
    # 31 minutes later, the reason is asked again.
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert client.get(detail).status_code == 302
        assert client.get(journal).status_code == 302
    # Another person (even in the same organisation) states their own reason.
    assert client_for("t1-professionnel").get(detail).status_code == 302


def test_htmx_requests_are_sent_to_the_reason_form(archived, client_for):
    client = client_for("t1-coordination")
    response = client.get(
        reverse("situations:detail", args=[archived.pk]), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"].startswith(
        reverse("situations:archive_reason", args=[archived.pk])
    )


def test_outside_the_scope_the_reason_page_is_a_404_and_an_open_situation_needs_none(
    archived, refer, client_for
):
    assert (
        client_for("t2-coordination")
        .get(reverse("situations:archive_reason", args=[archived.pk]))
        .status_code
        == 404
    )
    open_one = refer(last_name="Ouvert")
    client = client_for("t1-coordination")
    detail = reverse("situations:detail", args=[open_one.pk])
    assert client.get(detail).status_code == 200
    response = client.get(reverse("situations:archive_reason", args=[open_one.pk]))
    assert response.status_code == 302
    assert response["Location"] == detail


def test_a_foreign_next_address_is_not_followed(archived, client_for):
    client = client_for("t1-coordination")
    response = client.post(
        reverse("situations:archive_reason", args=[archived.pk]),
        {"reason": REASON, "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == reverse("situations:detail", args=[archived.pk])
