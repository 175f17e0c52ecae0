"""Minutes (DOCX and PDF, read back as text) and the iCalendar export: names and addresses only
where the reader's organisation shares the situation, none at all in the circulation
version or the calendar; every download checked and logged."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from etage.core.models import AccessLogEntry
from etage.meetings import services
from etage.meetings.choices import DecisionKind
from etage.situations.services import share_grant
from tests.meetings.conftest import client_of, org

pytestmark = pytest.mark.django_db

#: Fictional households of the meeting: (last name, address).
HOUSEHOLDS = [
    ("Zéphirin", "12 rue des Glycines"),
    ("Quennevat", "8 avenue des Marronniers"),
    ("Oudinetto", "41 boulevard des Peupliers"),
]


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    props = document.core_properties
    parts += [props.title or "", props.subject or "", props.comments or "", props.author or ""]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text + "\n" + str(reader.metadata or {})


def text_of(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    if response["Content-Type"] == "application/pdf":
        return pdf_text(content)
    return docx_text(content)


@pytest.fixture
def held_meeting(situation_at, plan_meeting, demo_reference):
    """A held T2 meeting with three decided situations. The first is also shared with the
    association ASSO-TDL (CASF), the others only with LMH (their origin)."""
    first, second, third = (
        situation_at("assessed", last_name=name, address=address) for name, address in HOUSEHOLDS
    )
    share_grant(
        user=demo_reference["t2-professionnel"],
        situation_id=first.pk,
        organisation_id=org("ASSO-TDL").pk,
        legal_basis="casf",
    )
    meeting = plan_meeting("t2")
    coordinator = demo_reference["t2-coordination"]
    services.attendance_record(
        user=coordinator,
        meeting_id=meeting.pk,
        expected_version=meeting.version,
        present_organisation_ids=[org("LMH").pk, org("CCAS-VEN").pk],
    )
    lead = demo_reference["t2-professionnel"]
    for situation, kind, extra in (
        (
            first,
            DecisionKind.ORIENTATION,
            {
                "orientation": "agr",
                "lead_professional_id": lead.pk,
                "referent_organisation_id": org("ASSO-TDL").pk,
                "note": "Ménage Zéphirin d'accord pour l'AGR.",
            },
        ),
        (second, DecisionKind.POSTPONEMENT, {"postponement_reason": "missing_information"}),
        (third, DecisionKind.ORIENTATION, {"orientation": "advice"}),
    ):
        situation.refresh_from_db()
        services.meeting_record_decision(
            user=coordinator,
            meeting_id=meeting.pk,
            item_id=meeting.items.get(situation=situation).pk,
            data=services.DecisionInput(kind=kind, expected_version=situation.version, **extra),
        )
    meeting.refresh_from_db()
    return meeting, (first, second, third)


def download(client, meeting, version: str, fmt: str):
    return client.get(reverse("meetings:minutes", args=[meeting.pk, version, fmt]))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_circulation_version_holds_decisions_but_no_name_or_address(held_meeting, client_for, fmt):
    meeting, situations = held_meeting
    response = download(client_for("t2-coordination"), meeting, "diffusion", fmt)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'diffusion.{fmt}"')
    text = text_of(response)
    assert "Compte rendu de la réunion" in text
    assert "Accompagnement global renforcé (AGR)" in text
    assert "Informations manquantes pour décider" in text
    assert "Lyon Métropole Habitat" in text  # present
    assert "Maison de la Métropole de Vénissieux" in text  # absent
    for name, address in HOUSEHOLDS:
        assert name.upper() not in text.upper()
        assert address.split()[-1] not in text  # the street name
        assert address not in text
    for situation in situations:
        assert situation.reference not in text
    assert "Alix" not in text  # first name of every fictional household
    assert "Situation 1" in text
    assert "d'accord pour l'AGR" not in text  # the decision note never circulates


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_members_version_names_a_household_only_for_its_sharing_group(
    held_meeting, client_for, association_referent, fmt
):
    meeting, (first, second, _third) = held_meeting
    # LMH (origin of all three) sees every name; the note of the first decision too.
    lmh = text_of(download(client_for("t2-professionnel"), meeting, "membres", fmt))
    for name, address in HOUSEHOLDS:
        assert name.upper() in lmh.upper()
        assert address in lmh
    assert "d'accord pour l'AGR" in lmh
    # The association (in the first situation's group only) sees that one household.
    asso = text_of(download(client_of(association_referent), meeting, "membres", fmt))
    assert "ZÉPHIRIN" in asso.upper()
    assert "QUENNEVAT" not in asso.upper()
    assert "OUDINETTO" not in asso.upper()
    assert "Glycines" in asso
    assert "Marronniers" not in asso
    assert second.reference in asso  # the others under their reference only
    # The coordinator's CCAS shares none of them: references only, no names.
    ccas = text_of(download(client_for("t2-coordination"), meeting, "membres", fmt))
    for name, _address in HOUSEHOLDS:
        assert name.upper() not in ccas.upper()
    assert first.reference in ccas
    assert "Accompagnement global renforcé (AGR)" in ccas


def test_downloads_are_logged_with_each_situation_shown_by_name(held_meeting, association_referent):
    meeting, (first, _second, _third) = held_meeting
    client = client_of(association_referent)
    before = AccessLogEntry.objects.count()
    download(client, meeting, "membres", "docx")
    entries = list(AccessLogEntry.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.situation_id) for e in entries] == [
        ("export", "meetings.meeting", None),
        ("export", "situations.situation", first.pk),
    ]
    before = AccessLogEntry.objects.count()
    download(client, meeting, "diffusion", "pdf")
    assert [e.object_type for e in AccessLogEntry.objects.order_by("id")[before:]] == [
        "meetings.meeting"
    ]


@pytest.mark.parametrize(
    "username",
    [
        "t1-coordination",  # another platform
        "t1-professionnel",
        "t2-signalement",
        "t2-recouvrement",
        "t2-pilotage",
        "t2-evaluation",
        "t2-dpd",
        "t2-admin",
    ],
)
def test_minutes_and_calendar_are_404_outside_the_platforms_members(
    held_meeting, client_for, username
):
    meeting, _situations = held_meeting
    client = client_for(username)
    before = AccessLogEntry.objects.count()
    for version in ("membres", "diffusion"):
        assert download(client, meeting, version, "pdf").status_code == 404
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:calendar", args=[meeting.platform_id])).status_code == 404
    assert client.get(reverse("meetings:platform", args=[meeting.platform_id])).status_code == 404
    assert AccessLogEntry.objects.count() == before


def test_calendar_lists_the_meetings_and_no_household_data(held_meeting, client_for, plan_meeting):
    meeting, situations = held_meeting
    later = plan_meeting("t2", days=10, place="Mairie annexe")
    response = client_for("t2-professionnel").get(
        reverse("meetings:calendar", args=[meeting.platform_id])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert {str(e["uid"]) for e in events} == {
        f"etage-meeting-{meeting.pk}@t2.etage",
        f"etage-meeting-{later.pk}@t2.etage",
    }
    assert {str(e["location"]) for e in events} == {"Salle du CCAS", "Mairie annexe"}
    text = response.content.decode()
    for name, address in HOUSEHOLDS:
        assert name.upper() not in text.upper()
        assert address not in text
    for situation in situations:
        assert situation.reference not in text
    assert "Alix" not in text


def test_minutes_wait_until_the_meeting_is_held(plan_meeting, client_for):
    meeting = plan_meeting("t2", days=3)
    assert download(client_for("t2-coordination"), meeting, "diffusion", "pdf").status_code == 404
    assert download(client_for("t2-coordination"), meeting, "autre", "pdf").status_code == 404


def test_members_see_the_meeting_but_not_its_agenda(held_meeting, client_for):
    meeting, (first, _second, _third) = held_meeting
    page = client_for("t2-professionnel").get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert first.reference not in html
    assert "Version de diffusion" in html
    # The coordinator runs the meeting and sees its agenda.
    page = client_for("t2-coordination").get(reverse("meetings:detail", args=[meeting.pk]))
    assert first.reference in page.content.decode()
