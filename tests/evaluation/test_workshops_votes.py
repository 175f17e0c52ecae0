"""Voting at a workshop: attendees' live ballots (dots within the per-person limit, full
rankings, scores on four criteria), refused once the vote is closed; the facilitator's hand
votes replacing each other; live results; retained cards becoming action-plan items."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation import services_workshops as services
from etage.evaluation.models import ActionItem, Card, Vote, Workshop
from etage.evaluation.models.choices import VotingMethod
from etage.evaluation.services import EvaluationError
from tests.evaluation.workshops_world import CARD_TITLES, WorkshopWorld, build_workshop_world

pytestmark = pytest.mark.django_db

CRITERIA = ("impact", "feasibility", "cost", "acceptability")


@pytest.fixture
def world(demo_reference: dict[str, User]) -> WorkshopWorld:
    return build_workshop_world(demo_reference)


def text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def use_method(world: WorkshopWorld, method: str) -> None:
    Workshop.objects.filter(pk=world.workshop.pk).update(voting_method=method)
    world.workshop.refresh_from_db()


def open_vote(world: WorkshopWorld) -> None:
    services.voting_set(world.workshop, user=world.lead, is_open=True)
    world.workshop.refresh_from_db()


def close_vote(world: WorkshopWorld) -> None:
    services.voting_set(world.workshop, user=world.lead, is_open=False)
    world.workshop.refresh_from_db()


def vote_url(world: WorkshopWorld) -> str:
    return reverse("evaluation:workshop_vote", args=[world.project.pk, world.workshop.pk])


def results_url(world: WorkshopWorld) -> str:
    return reverse("evaluation:workshop_results", args=[world.project.pk, world.workshop.pk])


def hand_url(world: WorkshopWorld) -> str:
    return reverse("evaluation:workshop_hand_votes", args=[world.project.pk, world.workshop.pk])


def ballot(world: WorkshopWorld, **by_index: Any) -> dict[str, Any]:
    """``ballot(world, a=2, b=1)`` → the POST data of the dots or rank fields."""
    keys = "abc"
    return {f"card_{world.cards[keys.index(k)].pk}": v for k, v in by_index.items()}


def dots_of(world: WorkshopWorld) -> dict[str, int]:
    return {
        v.card.title: v.dots
        for v in Vote.objects.filter(attendee=world.voter, method=VotingMethod.DOTS)
    }


def result_order(response: HttpResponse) -> list[str]:
    content = text(response)
    positions = {title: content.index(f'<th scope="row">{title}</th>') for title in CARD_TITLES}
    return sorted(positions, key=positions.__getitem__)


A, B, C = CARD_TITLES


def test_an_attendee_spreads_dots_within_the_limit_and_may_change_their_mind(world, client_for):
    open_vote(world)
    client = client_for("t1-professionnel")
    response = client.post(vote_url(world), ballot(world, a=2, b=1))
    assert response.status_code == 302
    assert dots_of(world) == {A: 2, B: 1}
    client.post(vote_url(world), ballot(world, c=3))
    assert dots_of(world) == {C: 3}
    assert Vote.objects.get(attendee=world.voter).entered_by == world.voter.user


def test_dots_over_the_limit_are_refused_in_french_and_nothing_is_saved(world, client_for):
    open_vote(world)
    client = client_for("t1-professionnel")
    client.post(vote_url(world), ballot(world, a=1))
    response = client.post(vote_url(world), ballot(world, a=2, b=2))
    assert response.status_code == 200
    assert "Vous avez donné 4 gommettes mais chaque personne en a 3" in text(response)
    assert dots_of(world) == {A: 1}


def test_a_negative_or_non_numeric_dot_count_is_refused(world, client_for):
    open_vote(world)
    client = client_for("t1-professionnel")
    for value in ("-1", "beaucoup"):
        response = client.post(vote_url(world), ballot(world, a=value))
        assert response.status_code == 200
        assert "Le formulaire contient des erreurs" in text(response)
    assert not Vote.objects.exists()


def test_a_closed_vote_refuses_ballots_and_keeps_the_last_one(world, client_for):
    open_vote(world)
    client = client_for("t1-professionnel")
    client.post(vote_url(world), ballot(world, a=1))
    close_vote(world)
    response = client.post(vote_url(world), ballot(world, b=3))
    assert "Le vote est fermé : votre bulletin n'a pas été enregistré." in text(response)
    assert dots_of(world) == {A: 1}
    with pytest.raises(EvaluationError):
        services.ballot_cast(world.workshop, attendee=world.voter, values={world.cards[1].pk: 1})
    assert dots_of(world) == {A: 1}


def test_a_ranking_is_a_full_order_without_ties(world, client_for):
    use_method(world, VotingMethod.RANKING)
    open_vote(world)
    client = client_for("t1-professionnel")
    tied = client.post(vote_url(world), ballot(world, a=1, b=1, c=2))
    assert "le rang 1 a été donné à plusieurs cartes" in text(tied)
    partial = client.post(vote_url(world), ballot(world, a=2, b=1))
    assert "1 carte n'a pas de rang" in text(partial)
    assert not Vote.objects.exists()
    client.post(vote_url(world), ballot(world, a=2, b=1, c=3))
    ranks = {v.card.title: v.rank for v in Vote.objects.filter(attendee=world.voter)}
    assert ranks == {A: 2, B: 1, C: 3}


def test_scores_go_criterion_by_criterion_and_a_half_scored_card_is_refused(world, client_for):
    use_method(world, VotingMethod.SCORING)
    open_vote(world)
    client = client_for("t1-professionnel")
    a, b = world.cards[0].pk, world.cards[1].pk
    full = {f"card_{a}_{c}": s for c, s in zip(CRITERIA, (5, 4, 2, 3), strict=True)}
    response = client.post(vote_url(world), {**full, f"card_{b}_impact": 4})
    assert f"Notez « {B} » sur les quatre critères" in text(response)
    assert not Vote.objects.exists()
    client.post(vote_url(world), full)
    vote = Vote.objects.get(attendee=world.voter)
    assert (vote.card_id, vote.scores) == (
        a,
        {"impact": 5, "feasibility": 4, "cost": 2, "acceptability": 3},
    )


def test_hand_votes_replace_the_previous_entry_and_reorder_the_results(world, client_for):
    open_vote(world)
    services.ballot_cast(world.workshop, attendee=world.voter, values={world.cards[2].pk: 3})
    client = client_for("t1-evaluation")
    assert result_order(client.get(results_url(world))) == [C, A, B]
    response = client.post(hand_url(world), ballot(world, b=5))
    assert response.status_code == 302
    assert result_order(client.get(results_url(world))) == [B, C, A]
    client.post(hand_url(world), ballot(world, b=2))
    hands = Vote.objects.filter(hand=True)
    assert [(v.card.title, v.dots, v.entered_by) for v in hands] == [(B, 2, world.lead)]
    assert result_order(client.get(results_url(world))) == [C, B, A]
    client.post(hand_url(world), ballot(world, b=""))
    assert not Vote.objects.filter(hand=True).exists()


def test_hand_votes_in_scoring_take_french_decimals_and_need_all_five_figures(world, client_for):
    use_method(world, VotingMethod.SCORING)
    client = client_for("t1-evaluation")
    a = world.cards[0].pk
    partial = client.post(hand_url(world), {f"card_{a}_people": 4, f"card_{a}_impact": "4,5"})
    assert "saisissez le nombre de personnes et les quatre moyennes" in text(partial)
    assert not Vote.objects.exists()
    means = {f"card_{a}_{c}": "4,5" for c in CRITERIA}
    client.post(hand_url(world), {f"card_{a}_people": 4, **means})
    vote = Vote.objects.get(hand=True)
    assert (vote.dots, vote.scores["impact"], vote.method) == (4, 4.5, VotingMethod.SCORING)
    page = text(client.get(results_url(world)))
    assert "4,50 sur 5" in page


def test_the_live_results_answer_no_content_until_a_figure_changes(world, client_for):
    client = client_for("t1-evaluation")
    live = {"HTTP_HX_REQUEST": "true"}
    first = client.get(results_url(world), {"partie": "resultats"}, **live)
    assert first.status_code == 200
    assert 'hx-swap-oob="innerHTML"' in text(first)
    digest = first.content.decode().split('data-digest="')[1].split('"')[0]
    again = client.get(results_url(world), {"partie": "resultats", "etat": digest}, **live)
    assert again.status_code == 204
    client.post(hand_url(world), ballot(world, a=4))
    changed = client.get(results_url(world), {"partie": "resultats", "etat": digest}, **live)
    assert changed.status_code == 200
    assert "4 gommettes" in text(changed)
    # The attendee's voting page polls the same way.
    voter = client_for("t1-professionnel")
    polled = voter.get(vote_url(world), {"partie": "resultats", "etat": digest}, **live)
    assert polled.status_code == 200


def test_a_tie_is_explained_on_the_results_page(world, client_for):
    open_vote(world)
    services.ballot_cast(world.workshop, attendee=world.voter, values={world.cards[1].pk: 2})
    services.ballot_cast(
        world.workshop,
        attendee=world.steering_voter,
        values={world.cards[0].pk: 1, world.cards[2].pk: 1},
    )
    client = client_for("t1-evaluation")
    client.post(hand_url(world), ballot(world, a=1))
    page = client.get(results_url(world))
    # A: 1 dot + 1 hand = 2 dots from 2 people; B: 2 dots from 1 person.
    assert result_order(page)[:2] == [A, B]
    assert (
        f"Ex aequo avec « {B} » (2 gommettes). Placée devant parce que plus de personnes "
        "lui ont donné au moins une gommette (2 contre 1)."
    ) in text(page)


def test_retaining_a_card_makes_it_an_action_of_the_plan(world, client_for):
    client = client_for("t1-evaluation")
    url = reverse("evaluation:card_retain", args=[world.project.pk, world.cards[0].pk])
    response = client.post(url)
    action = ActionItem.objects.get()
    assert response.url == reverse("evaluation:action_edit", args=[world.project.pk, action.pk])
    assert (action.project, action.card, action.title) == (world.project, world.cards[0], A)
    assert Card.objects.get(pk=world.cards[0].pk).retained
    again = client.post(url, follow=True)
    assert "Cette carte est déjà retenue." in text(again)
    assert ActionItem.objects.count() == 1
    actions = text(client.get(reverse("evaluation:actions", args=[world.project.pk])))
    assert A in actions
    assert world.workshop.title in actions


def test_no_card_is_retained_while_the_vote_is_open(world):
    open_vote(world)
    with pytest.raises(EvaluationError, match="fermez-le avant de retenir"):
        services.card_retain(world.cards[0], user=world.lead)
    assert not ActionItem.objects.exists()


def test_a_card_with_votes_keeps_its_wording_and_stays(world, client_for):
    open_vote(world)
    services.ballot_cast(world.workshop, attendee=world.voter, values={world.cards[0].pk: 1})
    close_vote(world)
    client = client_for("t1-evaluation")
    edit = reverse("evaluation:card_edit", args=[world.project.pk, world.cards[0].pk])
    response = client.post(edit, {"kind": "proposal", "title": "Autre chose", "version": 1})
    assert "Cette carte a reçu des votes" in text(response)
    delete = reverse("evaluation:card_delete", args=[world.project.pk, world.cards[0].pk])
    client.post(delete)
    assert Card.objects.get(pk=world.cards[0].pk).title == A


def test_cards_wait_for_the_vote_to_close_and_opening_needs_enough_cards(world, client_for):
    open_vote(world)
    client = client_for("t1-evaluation")
    create = reverse("evaluation:card_create", args=[world.project.pk, world.workshop.pk])
    response = client.post(create, {"kind": "proposal", "title": "Tardive"})
    assert "Le vote est ouvert : fermez-le avant d'ajouter une carte." in text(response)
    assert not Card.objects.filter(title="Tardive").exists()
    Workshop.objects.filter(pk=world.sibling.pk).update(voting_method=VotingMethod.RANKING)
    world.sibling.refresh_from_db()
    with pytest.raises(EvaluationError, match="Ajoutez au moins 2 cartes"):
        services.voting_set(world.sibling, user=world.lead, is_open=True)
    world.sibling.refresh_from_db()
    assert not world.sibling.voting_open


def test_the_method_does_not_change_while_the_vote_is_open(world, client_for):
    open_vote(world)
    client = client_for("t1-evaluation")
    url = reverse("evaluation:workshop_edit", args=[world.project.pk, world.workshop.pk])
    data = {
        "kind": world.workshop.kind,
        "title": world.workshop.title,
        "held_on": "2026-03-12",
        "facilitator": world.lead.pk,
        "voting_method": VotingMethod.RANKING,
        "dots_per_person": 3,
        "version": world.workshop.version,
    }
    response = client.post(url, data)
    assert "fermez-le avant de changer la méthode de vote" in text(response)
    world.workshop.refresh_from_db()
    assert world.workshop.voting_method == VotingMethod.DOTS
