"""The workshop pages: the list (French dates, attendees by type, the vote in words), creating
and editing a workshop (versioned), attendees with their consent, cards, and the action plan
(versioned, traced to its card, recommendation and indicator)."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.http import HttpResponse
from django.urls import reverse

from etage.accounts.models import User
from etage.analytics.models import IndicatorDefinition
from etage.evaluation.models import (
    ActionItem,
    Card,
    Project,
    ProjectMember,
    Recommendation,
    Vote,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import StakeholderType, VotingMethod
from tests.evaluation.workshops_world import WorkshopWorld, build_workshop_world

pytestmark = pytest.mark.django_db

STALE = "Quelqu'un d'autre a modifié cet élément entre-temps."


@pytest.fixture
def world(demo_reference: dict[str, User]) -> WorkshopWorld:
    return build_workshop_world(demo_reference)


def text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def workshop_data(world: WorkshopWorld, **changes: object) -> dict[str, object]:
    return {
        "kind": "platform",
        "title": "Atelier plateforme de Vaulx",
        "held_on": "2026-03-12",
        "facilitator": world.lead.pk,
        "voting_method": VotingMethod.DOTS,
        "dots_per_person": 3,
        "version": 1,
        **changes,
    }


def test_the_list_gives_type_french_date_attendees_by_type_cards_and_vote(world, client_for):
    page = text(
        client_for("t2-evaluation").get(reverse("evaluation:workshops", args=[world.project.pk]))
    )
    assert "Atelier de plateforme" in page
    assert "12 mars 2026" in page
    assert "Ménage : 1" in page
    assert "Vote fermé" in page
    assert world.other_workshop.title not in page


def test_a_project_without_workshop_says_what_to_do(client_for, demo_reference):
    lead = demo_reference["t1-evaluation"]
    project = Project.objects.create(name="Vide", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    page = text(client_for("t1-evaluation").get(reverse("evaluation:workshops", args=[project.pk])))
    assert "Aucun atelier pour l'instant. Créez le premier" in page


def test_a_member_creates_a_workshop_led_by_a_project_member_only(world, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:workshop_create", args=[world.project.pk])
    outsider = User.objects.get(username="t3-evaluation")
    refused = client.post(
        url, workshop_data(world, title="Nouvel atelier", facilitator=outsider.pk)
    )
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in text(refused)
    response = client.post(url, workshop_data(world, title="Nouvel atelier"))
    created = Workshop.objects.get(title="Nouvel atelier")
    assert response.url == reverse("evaluation:workshop", args=[world.project.pk, created.pk])
    assert created.held_on == date(2026, 3, 12)


def test_a_stale_workshop_edit_is_refused_and_changes_nothing(world, client_for):
    client = client_for("t1-evaluation")
    url = reverse("evaluation:workshop_edit", args=[world.project.pk, world.workshop.pk])
    assert client.post(url, workshop_data(world, minutes="Premier compte rendu")).status_code == 302
    response = client.post(url, workshop_data(world, minutes="Écrase ?"))
    assert STALE in text(response)
    world.workshop.refresh_from_db()
    assert world.workshop.minutes == "Premier compte rendu"


def test_the_workshop_page_gives_attendees_by_type_with_consent_counts(world, client_for):
    page = text(
        client_for("t2-evaluation").get(
            reverse("evaluation:workshop", args=[world.project.pk, world.workshop.pk])
        )
    )
    assert "2 participants sur 3 ont donné leur consentement." in page
    assert "Professionnel des services sociaux" in page or "services sociaux" in page
    assert "1. Accueil" in page
    assert "/voter/" in page


def test_any_active_account_can_be_added_as_an_attendee_once(world, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:workshop_attendee_add", args=[world.project.pk, world.workshop.pk])
    signaller = User.objects.get(username="t1-signalement")
    data = {"stakeholder_type": StakeholderType.LANDLORD_MANAGEMENT, "user": signaller.pk}
    assert client.post(url, {**data, "consent": "on"}).status_code == 302
    attendee = WorkshopAttendee.objects.get(workshop=world.workshop, user=signaller)
    assert attendee.consent
    again = client.post(url, data)
    assert "Sélectionnez un choix valide" in text(again)
    assert WorkshopAttendee.objects.filter(user=signaller).count() == 1
    inactive = User.objects.get(username="t2-signalement")
    inactive.is_active = False
    inactive.save()
    refused = client.post(url, {**data, "user": inactive.pk})
    assert "Sélectionnez un choix valide" in text(refused)


def test_removing_an_attendee_removes_their_ballots(world, client_for):
    Workshop.objects.filter(pk=world.workshop.pk).update(voting_open=True)
    Vote.objects.create(
        card=world.cards[0],
        attendee=world.voter,
        method=VotingMethod.DOTS,
        dots=2,
        entered_by=world.voter.user,
    )
    client = client_for("t2-evaluation")
    url = reverse("evaluation:workshop_attendee_remove", args=[world.project.pk, world.voter.pk])
    response = client.post(url, follow=True)
    assert "Participant retiré" in text(response)
    assert not Vote.objects.exists()
    assert not WorkshopAttendee.objects.filter(pk=world.voter.pk).exists()


def test_a_card_holding_a_social_security_number_is_refused(world, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:card_create", args=[world.project.pk, world.workshop.pk])
    response = client.post(
        url, {"kind": "proposal", "title": "Idée", "description": "Pour 1 85 05 78 006 084 36"}
    )
    assert "numéro de sécurité sociale" in text(response)
    assert not Card.objects.filter(title="Idée").exists()


def test_a_card_is_added_at_the_end_and_a_stale_edit_is_refused(world, client_for):
    client = client_for("t2-evaluation")
    create = reverse("evaluation:card_create", args=[world.project.pk, world.workshop.pk])
    client.post(create, {"kind": "action", "title": "Nouvelle carte"})
    card = Card.objects.get(title="Nouvelle carte")
    assert card.position == 3
    edit = reverse("evaluation:card_edit", args=[world.project.pk, card.pk])
    assert client.post(edit, {"kind": "action", "title": "V2", "version": 1}).status_code == 302
    response = client.post(edit, {"kind": "action", "title": "V2 bis", "version": 1})
    assert STALE in text(response)
    card.refresh_from_db()
    assert card.title == "V2"


def test_an_action_is_traced_to_its_card_recommendation_and_indicator(world, client_for):
    indicator, _created = IndicatorDefinition.objects.update_or_create(
        code="test_orientation_delay",
        defaults={
            "family": "activity",
            "name": "Délai d'orientation (test)",
            "definition": "—",
            "formula": "—",
            "unit": "days",
            "final_after_months": 1,
        },
    )
    recommendation = Recommendation.objects.create(project=world.project, text="Aller plus vite")
    foreign = Recommendation.objects.create(project=world.other_project, text="Ailleurs")
    Card.objects.filter(pk=world.cards[0].pk).update(retained=True)
    action = ActionItem.objects.create(project=world.project, title="Action", card=world.cards[0])
    client = client_for("t2-evaluation")
    url = reverse("evaluation:action_edit", args=[world.project.pk, action.pk])
    data = {
        "title": "Numéro unique",
        "owner": "Direction de la plateforme",
        "deadline": "2026-09-30",
        "budget": "12 500,50",
        "status": "in_progress",
        "card": world.cards[0].pk,
        "recommendation": recommendation.pk,
        "indicator": indicator.pk,
        "version": 1,
    }
    assert client.post(url, {**data, "recommendation": foreign.pk}).status_code == 200
    assert client.post(url, {**data, "budget": "-3"}).status_code == 200
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.indicator, action.recommendation, str(action.budget)) == (
        indicator,
        recommendation,
        "12500.50",
    )
    stale = client.post(url, {**data, "title": "Écrasé ?"})
    assert STALE in text(stale)
    action.refresh_from_db()
    assert action.title == "Numéro unique"
    page = text(client.get(reverse("evaluation:actions", args=[world.project.pk])))
    assert "Délai d'orientation (test)" in page
    assert "30 septembre 2026" in page


def test_an_action_can_be_added_directly(world, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:action_create", args=[world.project.pk])
    assert (
        client.post(url, {"title": "Former les gardiens", "status": "planned"}).status_code == 302
    )
    assert ActionItem.objects.get().project == world.project
