"""Who reaches the workshop pages: the project's members; the workshop's attendees registered
with their ETAGE account — any role — reach its voting page and nothing else of the project;
the facilitator or a lead evaluator opens and closes the vote, types in hand votes, retains
cards. Everyone else: 404."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation import urls_workshops
from etage.evaluation.models import ActionItem, Card, Vote, Workshop, WorkshopAttendee
from tests.evaluation.workshops_world import WorkshopWorld, build_workshop_world

pytestmark = pytest.mark.django_db

POST_ONLY = {
    "workshop_attendee_remove",
    "card_retain",
    "workshop_voting_open",
    "workshop_voting_close",
}


@pytest.fixture
def world(demo_reference: dict[str, User]) -> WorkshopWorld:
    return build_workshop_world(demo_reference)


def _kwargs(world: WorkshopWorld, name: str, action: ActionItem) -> dict[str, Any]:
    """The kwargs of every workshop URL, on ``world``'s first workshop and its objects."""
    project = world.project.pk
    by_kind = {
        "workshop_attendee_remove": world.household.pk,
        "card_edit": world.cards[0].pk,
        "card_delete": world.cards[0].pk,
        "card_retain": world.cards[0].pk,
        "action_edit": action.pk,
    }
    if name in ("workshops", "workshop_create", "actions", "action_create"):
        return {"project_pk": project}
    if name == "actions_export":
        return {"project_pk": project, "fmt": "csv"}
    return {"project_pk": project, "pk": by_kind.get(name, world.workshop.pk)}


def _request(client: Client, name: str, kwargs: dict[str, Any]) -> int:
    url = reverse(f"evaluation:{name}", kwargs=kwargs)
    return (client.post(url) if name in POST_ONLY else client.get(url)).status_code


def test_an_attendee_of_any_role_reaches_only_the_voting_page_of_their_workshop(world, client_for):
    action = ActionItem.objects.create(project=world.project, title="Action")
    for username in ("t1-professionnel", "t1-pilotage"):
        client = client_for(username)
        vote_url = reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])
        assert client.get(vote_url).status_code == 200
        for pattern in urls_workshops.urlpatterns:
            name = pattern.name or ""
            if name == "workshop_vote":
                continue
            assert _request(client, name, _kwargs(world, name, action)) == 404, name
        for name in ("project", "matrix", "logic_model", "members", "report"):
            url = reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk})
            assert client.get(url).status_code == 404, name
        assert client.get(reverse("evaluation:index")).status_code == 404
    # Nothing was changed by all those requests.
    world.household.refresh_from_db()
    assert not ActionItem.objects.exclude(pk=action.pk).exists()


def test_an_attendee_finds_the_open_vote_on_their_home_page_and_only_then(world, client_for):
    vote_url = reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])
    client = client_for("t1-professionnel")
    assert vote_url not in client.get("/").content.decode()  # the vote is not open yet
    Workshop.objects.filter(pk=world.workshop.pk).update(voting_open=True)
    home = client.get("/").content.decode()
    assert vote_url in home
    assert f"Voter à l'atelier « {world.workshop.title} »" in html.unescape(home)
    # Someone who does not attend it does not see it.
    assert vote_url not in client_for("t2-professionnel").get("/").content.decode()
    world.voter.delete()
    assert vote_url not in client.get("/").content.decode()


def test_an_attendee_gets_a_404_on_other_workshops_voting_pages(world, client_for):
    client = client_for("t1-professionnel")
    for project_pk, workshop_pk in (
        (world.project.pk, world.sibling.pk),
        (world.other_project.pk, world.other_workshop.pk),
        # Their own workshop under another project's number.
        (world.other_project.pk, world.workshop.pk),
    ):
        url = reverse("evaluation:workshop_vote", args=[project_pk, workshop_pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_a_member_sees_the_voting_page_without_a_ballot_and_an_outsider_gets_a_404(
    world, client_for
):
    url = reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])
    page = client_for("t2-evaluation").get(url)
    assert page.status_code == 200
    assert "Vous n'êtes pas inscrit comme participant" in page.content.decode()
    assert client_for("t3-evaluation").get(url).status_code == 404
    assert client_for("t1-coordination").get(url).status_code == 404
    other = reverse(
        "evaluation:workshop_vote", args=[world.other_project.pk, world.other_workshop.pk]
    )
    assert client_for("t3-evaluation").get(other).status_code == 200


def test_an_attendee_whose_account_is_deactivated_loses_the_voting_page(world, client_for):
    client = client_for("t1-professionnel")
    url = reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])
    User.objects.filter(pk=world.voter.user_id).update(is_active=False)
    assert client.get(url).status_code in (302, 404)


def test_an_attendee_removed_from_the_workshop_loses_the_voting_page(world, client_for):
    client = client_for("t1-professionnel")
    url = reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])
    world.voter.delete()
    assert client.get(url).status_code == 404


def test_a_coder_who_does_not_facilitate_cannot_run_the_vote(world, client_for):
    client = client_for("t2-evaluation")
    args = [world.project.pk, world.workshop.pk]
    assert client.get(reverse("evaluation:workshop_hand_votes", args=args)).status_code == 404
    assert client.post(reverse("evaluation:workshop_voting_open", args=args)).status_code == 404
    retain = reverse("evaluation:card_retain", args=[world.project.pk, world.cards[0].pk])
    assert client.post(retain).status_code == 404
    world.workshop.refresh_from_db()
    assert not world.workshop.voting_open
    assert not ActionItem.objects.exists()
    # The coder facilitates the sibling workshop: there they run the vote.
    sibling = [world.project.pk, world.sibling.pk]
    assert client.get(reverse("evaluation:workshop_hand_votes", args=sibling)).status_code == 200
    client.post(reverse("evaluation:workshop_voting_open", args=sibling))
    world.sibling.refresh_from_db()
    assert world.sibling.voting_open


def test_members_see_the_results_page_and_attendees_do_not(world, client_for):
    url = reverse("evaluation:workshop_results", args=[world.project.pk, world.workshop.pk])
    assert client_for("t2-evaluation").get(url).status_code == 200
    assert client_for("t1-professionnel").get(url).status_code == 404


def test_a_post_only_page_refuses_get(world, client_for):
    url = reverse("evaluation:card_retain", args=[world.project.pk, world.cards[0].pk])
    assert client_for("t1-evaluation").get(url).status_code == 405
    assert not Vote.objects.exists()


#: Evaluators in and out of the project, attendees of two roles, and roles with no business here.
MATRIX_PERSONAS = (
    "t1-evaluation",
    "t2-evaluation",
    "t3-evaluation",
    "t1-professionnel",
    "t1-pilotage",
    "t2-professionnel",
    "t1-coordination",
    "t1-dpd",
    "t1-admin",
)


def test_the_declared_matrix_holds_on_every_workshop_page(world, demo_reference):
    """The leak hunt's oracle (tests/security/url_matrix.py), run here on a world that has
    workshops: every persona requests every workshop URL on every object; refused requests
    get no page, allowed ones are not refused, nothing answers 500."""
    from tests.security import url_matrix as matrix
    from tests.security.test_leak_hunt import Findings

    ActionItem.objects.create(project=world.project, title="Action", card=world.cards[1])
    ActionItem.objects.create(project=world.other_project, title="Ailleurs")
    names = {f"evaluation:{p.name}" for p in urls_workshops.urlpatterns}
    routes = {name: route for name, route in matrix.ROUTES.items() if name in names}
    assert set(routes) == names
    for username in (*MATRIX_PERSONAS, None):
        user = demo_reference[username] if username else None
        client = Client()
        if user is not None:
            client.force_login(user)
        findings = Findings(username or "anonyme")
        for name, route in routes.items():
            for target in route.targets(None, user):
                url = reverse(name, kwargs=target.kwargs)
                allowed = route.may(None, user, target.subject)
                if route.post_only:
                    findings.check(name, url, client.get(url), allowed=False, reached=frozenset())
                    if not allowed:
                        response = client.post(url, {})
                        if response.status_code not in (*matrix.DENIED, 302):
                            findings.leaks.append(f"{name} {url} (POST) → {response.status_code}")
                    continue
                findings.check(name, url, client.get(url), allowed=allowed, reached=route.reached)
        assert findings.requests > 40
        findings.assert_clean()
    # The refused POSTs changed nothing.
    assert WorkshopAttendee.objects.filter(workshop=world.workshop).count() == 3
    assert not Card.objects.filter(retained=True).exists()
    assert not Workshop.objects.filter(voting_open=True).exists()
