"""The access-request register (data-protection.md #11): due date, pages, answer file,
concurrency, reminders, home-page card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from etage.core.home import next_steps
from etage.core.models import AccessLogEntry
from etage.privacy import services as privacy
from etage.privacy.models import AccessRequest, RequestReminder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-31", "2026-02-28"),
        ("2028-01-31", "2028-02-29"),
        ("2026-03-31", "2026-04-30"),
        ("2026-12-15", "2027-01-15"),
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(received, due):
    assert privacy.due_date(dt.date.fromisoformat(received)) == dt.date.fromisoformat(due)


def test_a_dpo_registers_a_request_through_the_page(dpo_client):
    response = dpo_client.post(
        reverse("privacy:request_create"),
        {
            "person_name": "Camille Fictive",
            "kind": "access",
            "channel": "letter",
            "received_on": "2026-01-31",
        },
    )
    request = AccessRequest.objects.get()
    assert response.status_code == 302
    assert request.number == "DA-2026-0001"
    assert request.due_on == dt.date(2026, 2, 28)
    register = dpo_client.get(reverse("privacy:register")).content.decode()
    assert "Camille Fictive" in register
    # Overdue is said in words, not by colour alone.
    assert "En retard" in register


def test_bad_input_gets_a_french_message_and_changes_nothing(dpo_client):
    response = dpo_client.post(
        reverse("privacy:request_create"),
        {"person_name": "", "kind": "nonsense", "channel": "letter", "received_on": "2099-01-01"},
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_two_officers_editing_at_once_cannot_overwrite_each_other(dpo, access_request):
    request = access_request()
    privacy.access_request_update(
        user=dpo, request_id=request.pk, expected_version=request.version, status="in_progress"
    )
    with pytest.raises(privacy.StaleRequest):
        privacy.access_request_update(
            user=dpo,
            request_id=request.pk,
            expected_version=request.version,
            status="refused",
            refusal_reason="Identité non établie",
        )
    request.refresh_from_db()
    assert request.status == "in_progress"


def test_a_refusal_needs_its_reason(dpo, access_request):
    request = access_request()
    with pytest.raises(privacy.PrivacyRefused):
        privacy.access_request_update(
            user=dpo, request_id=request.pk, expected_version=request.version, status="refused"
        )


def test_the_answer_is_checked_stored_outside_the_web_root_and_downloaded_by_dpos_only(
    dpo, dpo_client, access_request, media_root, client_for
):
    request = access_request()
    with pytest.raises(privacy.PrivacyRefused):
        privacy.access_request_update(
            user=dpo,
            request_id=request.pk,
            expected_version=request.version,
            status="answered",
            answer=SimpleUploadedFile("reponse.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert not (media_root / "privacy").exists() or not any((media_root / "privacy").iterdir())
    response = dpo_client.post(
        reverse("privacy:request_detail", args=[request.pk]),
        {
            "status": "answered",
            "version": request.version,
            "answer": SimpleUploadedFile("reponse.pdf", b"%PDF-1.4\n%fictif\n"),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    stored = media_root / "privacy" / request.answer_file.name
    assert stored.exists()
    assert "reponse" not in stored.name
    url = reverse("privacy:answer_download", args=[request.pk])
    assert client_for("t1-professionnel").get(url).status_code == 403
    download = dpo_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(action="download", object_type="privacy.accessrequest")


def test_reminders_reach_every_dpo_once_a_day(dpo, demo_reference, access_request):
    today = timezone.localdate()
    late = access_request(received_on=today - dt.timedelta(days=40))
    soon = access_request(received_on=today - dt.timedelta(days=27))
    access_request(received_on=today)  # due in a month: no reminder
    call_command("etage_privacy_reminders")
    call_command("etage_privacy_reminders")
    dpos = [u for u in demo_reference.values() if u.role == "dpo"]
    reminders = RequestReminder.objects.filter(day=today)
    assert reminders.count() == 2 * len(dpos)
    assert set(reminders.values_list("access_request", "kind")) == {
        (late.pk, "overdue"),
        (soon.pk, "due_soon"),
    }


def test_the_dpo_home_page_counts_open_overdue_and_soon_due_requests(
    dpo, access_request, demo_reference
):
    today = timezone.localdate()
    access_request(received_on=today - dt.timedelta(days=40))
    access_request(received_on=today)
    card = next(s for s in next_steps(dpo) if s.url == reverse("privacy:register"))
    assert card.count == 1
    assert "2" in str(card.description)
    assert not any(
        s.url == reverse("privacy:register") for s in next_steps(demo_reference["t1-admin"])
    )
