"""Meeting pages through the test client: who reaches what (404 otherwise), planning and
editing a meeting, the home-page entry and the navigation link; bad input gets a French
message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from etage.meetings.choices import MeetingStatus
from etage.meetings.models import Meeting
from etage.territories.models import Platform

pytestmark = pytest.mark.django_db


def t2() -> Platform:
    return Platform.objects.get(territory__code="T2")


def test_coordinator_plans_a_meeting_from_the_platform_page(client_for, situation_at):
    situation = situation_at("assessed")
    client = client_for("t2-coordination")
    # One platform: the index goes straight to it.
    index = client.get(reverse("meetings:index"))
    assert index.status_code == 302
    assert index["Location"] == reverse("meetings:platform", args=[t2().pk])
    listing = client.get(index["Location"]).content.decode()
    assert "Prévoir une réunion" in listing
    starts = timezone.localtime() + dt.timedelta(days=7)
    response = client.post(
        reverse("meetings:create", args=[t2().pk]),
        {"starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "place": "Salle du conseil"},
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.created_by.username == "t2-coordination"
    assert list(meeting.items.values_list("situation", flat=True)) == [situation.pk]
    page = client.get(response["Location"]).content.decode()
    assert "Ordre du jour" in page
    assert situation.reference in page


def test_meeting_form_reports_bad_input_in_french(client_for):
    client = client_for("t2-coordination")
    url = reverse("meetings:create", args=[t2().pk])
    response = client.post(
        url,
        {
            "starts_at": "2026-12-10T14:00",
            "ends_at": "2026-12-10T13:00",
            "video_link": "pas un lien",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "La fin de la réunion doit être postérieure à son début." in page
    assert not Meeting.objects.exists()
    assert client.post(url, {"starts_at": "n'importe quoi"}).status_code == 200


def test_editing_a_meeting_with_a_stale_version_is_refused(client_for, plan_meeting):
    meeting = plan_meeting("t2", days=3)
    client = client_for("t2-coordination")
    url = reverse("meetings:edit", args=[meeting.pk])
    form = client.get(url).context["form"]
    data = {
        "starts_at": form.initial["starts_at"].strftime("%Y-%m-%dT%H:%M"),
        "place": "Mairie annexe",
        "status": MeetingStatus.PLANNED,
        "version": meeting.version,
    }
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Mairie annexe"
    stale = client.post(url, data | {"place": "Autre salle"})
    assert stale.status_code == 200
    assert escape("Rien n'a été enregistré") in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Mairie annexe"


@pytest.mark.parametrize(
    "username",
    ["t2-professionnel", "t1-coordination", "t2-signalement", "t2-pilotage", "t2-admin"],
)
def test_only_the_platform_coordinator_plans_edits_and_decides(
    client_for, plan_meeting, situation_at, username
):
    situation_at("assessed")
    meeting = plan_meeting("t2")
    item = meeting.items.get()
    client = client_for(username)
    for url in (
        reverse("meetings:create", args=[t2().pk]),
        reverse("meetings:edit", args=[meeting.pk]),
        reverse("meetings:decision", args=[meeting.pk, item.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("meetings:attendance", args=[meeting.pk]),
        reverse("meetings:agenda_add", args=[meeting.pk]),
        reverse("meetings:agenda_refresh", args=[meeting.pk]),
        reverse("meetings:agenda_up", args=[meeting.pk, item.pk]),
        reverse("meetings:agenda_withdraw", args=[meeting.pk, item.pk]),
    ):
        assert client.post(url, {"version": meeting.version}).status_code == 404, url


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("t2-coordination", 200),
        ("t2-professionnel", 200),
        ("t2-signalement", 404),
        ("t2-recouvrement", 404),
        ("t2-pilotage", 404),
        ("t2-evaluation", 404),
        ("t2-dpd", 404),
        ("t2-admin", 404),
    ],
)
def test_meeting_pages_by_role(client_for, plan_meeting, username, expected):
    meeting = plan_meeting("t2")
    client = client_for(username)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == expected
    assert client.get(reverse("meetings:platform", args=[t2().pk])).status_code == expected
    # LMH is a member of every platform: its professional chooses; one platform redirects.
    index = client.get(reverse("meetings:index"))
    assert index.status_code in ((200, 302) if expected == 200 else (404,))


def test_home_page_and_navigation_lead_to_the_meetings(client_for, plan_meeting):
    plan_meeting("t2", days=2)
    coordinator = client_for("t2-coordination").get(reverse("core:home")).content.decode()
    assert "Réunions de plateforme" in coordinator
    assert f'href="{reverse("meetings:index")}"' in coordinator
    assert '<span class="badge">1</span>' in coordinator.split("Réunions de plateforme")[1][:60]
    professional = client_for("t2-professionnel").get(reverse("core:home")).content.decode()
    assert "Réunions de plateforme" in professional
    # The navigation link is for coordinators.
    assert ">Réunions</a>" in coordinator
    assert ">Réunions</a>" not in professional
    for username in ("t2-signalement", "t2-pilotage", "t2-admin"):
        page = client_for(username).get(reverse("core:home")).content.decode()
        assert "Réunions de plateforme" not in page


def test_bad_references_and_identifiers_never_give_a_500(client_for, plan_meeting):
    meeting = plan_meeting("t2")
    client = client_for("t2-coordination")
    assert client.get(reverse("meetings:decision", args=[meeting.pk, 999999])).status_code == 404
    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404
    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]), {"reference": "x" * 30}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("meetings:attendance", args=[meeting.pk]), {"version": "abc", "present": "x"}
    )
    assert response.status_code == 302
