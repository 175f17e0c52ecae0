"""Reconciling a double coding: the turns where two coders applied different codes side by
side, the four decisions (keep A's, keep B's, keep both, keep none) written as the reconciled
coding in the reconciler's name, the progress, reopening, carrying the agreed turns over, and
the refusals (stale page, decided twice, no consent, non-members)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation.models import Memo, Segment
from etage.evaluation.selectors_coding import DROPPED_TITLE, agreement, reconciliation
from etage.evaluation.services import EvaluationError
from etage.evaluation.services_coding import reconcile_turn
from tests.evaluation.coding_world import (
    SUSPENDED,
    TURNS,
    CodingWorld,
    build_coding_world,
    code,
    code_turns,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodingWorld:
    world = build_coding_world(demo_reference)
    t, c = world.transcript, world.codes
    # Turn 2: both "early" (agreed). Turn 4: A "landlord", B "coordination". Turn 6: A only.
    code_turns(t, c["early"], world.lead, [2])
    code_turns(t, c["early"], world.coder, [2], part=True)
    code_turns(t, c["landlord"], world.lead, [4])
    code_turns(t, c["coordination"], world.coder, [4], part=True)
    code_turns(t, c["coordination"], world.lead, [6])
    return world


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(world: CodingWorld, transcript=None) -> str:
    transcript = transcript or world.transcript
    return reverse("evaluation:reconcile", args=[world.project.pk, transcript.pk])


def _state(world: CodingWorld, turn: int) -> str:
    found = reconciliation(world.transcript, world.lead, world.coder)
    return next(i.comparison.state for i in found.items if i.comparison.turn.index == turn)


def _decide(world: CodingWorld, turn: int, action: str, user: User | None = None, **extra):
    data = {
        "coder_a": world.lead.pk,
        "coder_b": world.coder.pk,
        "turn": turn,
        "action": action,
        "state": _state(world, turn) if action != "reopen" else "",
        **extra,
    }
    return _client(user or world.lead).post(_url(world), data, follow=True)


def _consensus(world: CodingWorld) -> list[tuple[str, str]]:
    return sorted(
        (s.code.name, s.text) for s in Segment.objects.filter(consensus=True).select_related("code")
    )


def test_the_page_lists_the_disagreements_side_by_side_with_the_progress(world):
    response = _client(world.coder).get(_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    table = html.split('data-testid="disagreements"')[1]
    assert 'id="tour-4"' in table
    assert 'id="tour-6"' in table
    assert 'id="tour-2"' not in table  # both applied "early": not a disagreement
    assert "Rôle du bailleur" in table
    assert "Coordination" in table
    assert SUSPENDED in table
    assert "0 désaccords résolus sur 2" in html
    assert "1 tour où les deux codeur·ses ont appliqué les mêmes codes" in html


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("keep_a", [("Rôle du bailleur", SUSPENDED)]),
        ("keep_b", [("Coordination", "Le bailleur a")]),
        ("keep_both", [("Coordination", "Le bailleur a"), ("Rôle du bailleur", SUSPENDED)]),
    ],
)
def test_keeping_writes_the_reconciled_coding_in_the_reconcilers_name(world, action, expected):
    own_before = Segment.objects.filter(consensus=False).count()
    response = _decide(world, 4, action, user=world.coder)
    assert "Tour 4 réconcilié." in response.content.decode()
    assert _consensus(world) == expected
    assert set(Segment.objects.filter(consensus=True).values_list("coder", flat=True)) == {
        world.coder.pk
    }
    # The coders' own coding is untouched, so agreement is still measured on it.
    assert Segment.objects.filter(consensus=False).count() == own_before
    assert "1 désaccords résolus sur 2" in response.content.decode()


def test_keeping_none_records_the_decision_and_its_reason_as_a_memo(world):
    response = _decide(world, 6, "drop", note="Relance de l’enquêteur, pas un constat.")
    assert "Tour 6 réconcilié : aucun code retenu." in response.content.decode()
    assert not Segment.objects.filter(consensus=True).exists()
    memo = Memo.objects.get()
    assert memo.title == DROPPED_TITLE
    assert memo.text == "Relance de l’enquêteur, pas un constat."
    assert memo.transcript == world.transcript
    found = reconciliation(world.transcript, world.lead, world.coder)
    assert (found.resolved, found.total) == (1, 2)
    assert next(i for i in found.items if i.comparison.turn.index == 6).decision == "dropped"


def test_keeping_the_coder_who_applied_nothing_is_keeping_none(world):
    _decide(world, 6, "keep_b")
    assert not Segment.objects.filter(consensus=True).exists()
    assert Memo.objects.filter(title=DROPPED_TITLE).count() == 1


def test_a_reconciled_segment_stays_inside_its_turn(world):
    t = world.transcript
    # Coder A codes from turn 4 to the end of turn 6 in one segment.
    start = t.text.index(SUSPENDED)
    wide = Segment.objects.create(
        transcript=t,
        code=world.codes["early"],
        coder=world.lead,
        start=start,
        end=len(t.text),
        text=t.text[start:],
    )
    _decide(world, 4, "keep_a")
    turn4 = Segment.objects.get(consensus=True, code=world.codes["early"])
    assert (turn4.start, turn4.text) == (wide.start, SUSPENDED)
    found = reconciliation(t, world.lead, world.coder)
    assert next(i for i in found.items if i.comparison.turn.index == 6).decision == ""


def test_a_decision_taken_on_a_stale_page_is_refused(world):
    state = _state(world, 4)
    code(world.transcript, world.codes["early"], world.coder, SUSPENDED)  # B changes turn 4
    response = _client(world.lead).post(
        _url(world),
        {
            "coder_a": world.lead.pk,
            "coder_b": world.coder.pk,
            "turn": 4,
            "action": "keep_a",
            "state": state,
        },
        follow=True,
    )
    assert "a modifié cet élément entre-temps" in response.content.decode()
    assert not Segment.objects.filter(consensus=True).exists()


def test_a_turn_decided_by_someone_else_meanwhile_is_not_decided_twice(world):
    state = _state(world, 4)
    reconcile_turn(
        transcript=world.transcript,
        user=world.coder,
        coder_a=world.lead,
        coder_b=world.coder,
        turn_index=4,
        action="keep_b",
        state=state,
    )
    with pytest.raises(EvaluationError, match="déjà réconcilié"):
        reconcile_turn(
            transcript=world.transcript,
            user=world.lead,
            coder_a=world.lead,
            coder_b=world.coder,
            turn_index=4,
            action="keep_a",
            state=state,
        )
    assert _consensus(world) == [("Coordination", "Le bailleur a")]


def test_reopening_removes_the_decision(world):
    _decide(world, 4, "keep_both")
    _decide(world, 6, "drop")
    response = _decide(world, 4, "reopen")
    assert "Le tour 4 est rouvert." in response.content.decode()
    _decide(world, 6, "reopen")
    assert not Segment.objects.filter(consensus=True).exists()
    assert not Memo.objects.exists()
    found = reconciliation(world.transcript, world.lead, world.coder)
    assert found.resolved == 0


def test_the_agreed_turns_are_carried_over_with_coder_as_segments(world):
    response = _client(world.lead).post(
        _url(world),
        {"coder_a": world.lead.pk, "coder_b": world.coder.pk, "action": "agreed"},
        follow=True,
    )
    assert "1 tours concordants reportés" in response.content.decode()
    assert _consensus(world) == [("Repérage précoce", TURNS[2])]


def test_the_agreement_ignores_the_reconciled_coding(world):
    before = agreement(world.project, world.lead, world.coder).result
    _decide(world, 4, "keep_both")
    _decide(world, 6, "keep_a")
    after = agreement(world.project, world.lead, world.coder).result
    assert before is not None
    assert after is not None
    assert after.kappa == before.kappa


@pytest.mark.parametrize(
    "data",
    [
        {"turn": 99, "action": "keep_a"},
        {"turn": 2, "action": "keep_a"},
        {"turn": "x", "action": "keep_a"},
        {"turn": 4, "action": "explode"},
        {"turn": 4, "action": "reopen"},
    ],
    ids=["no such turn", "agreed turn", "garbage turn", "unknown action", "nothing to reopen"],
)
def test_bad_decisions_are_refused_in_french_and_change_nothing(world, data):
    payload = {"coder_a": world.lead.pk, "coder_b": world.coder.pk, "state": "", **data}
    response = _client(world.lead).post(_url(world), payload, follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    assert not Segment.objects.filter(consensus=True).exists()
    assert not Memo.objects.exists()


def test_the_same_coder_twice_is_refused(world):
    response = _client(world.lead).get(
        _url(world), {"coder_a": world.lead.pk, "coder_b": world.lead.pk}
    )
    assert "Choisissez deux codeur·ses différent·es." in response.content.decode()


def test_a_transcript_coded_by_one_person_has_nothing_to_reconcile(world, demo_reference):
    from tests.evaluation.coding_world import add_transcript

    other = add_transcript(world.project, "E09", world.lead)
    code_turns(other, world.codes["early"], world.lead, [2])
    html = _client(world.lead).get(_url(world, other)).content.decode()
    assert 'data-testid="not-double-coded"' in html


def test_without_valid_consent_nothing_is_shown_or_written(world):
    transcript = world.unusable["withdrawn"]
    code_turns(transcript, world.codes["early"], world.lead, [4])
    code_turns(transcript, world.codes["landlord"], world.coder, [4])
    client = _client(world.lead)
    html = client.get(_url(world, transcript)).content.decode()
    assert 'data-testid="no-consent"' in html
    assert SUSPENDED not in html
    client.post(
        _url(world, transcript),
        {"coder_a": world.lead.pk, "coder_b": world.coder.pk, "turn": 4, "action": "keep_a"},
    )
    assert not Segment.objects.filter(consensus=True).exists()


def test_a_non_member_gets_404(world):
    client = _client(world.outsider)
    assert client.get(_url(world)).status_code == 404
    response = client.post(
        _url(world),
        {"coder_a": world.lead.pk, "coder_b": world.coder.pk, "action": "agreed"},
    )
    assert response.status_code == 404
    assert not Segment.objects.filter(consensus=True).exists()


def test_with_three_coders_the_pair_is_chosen_in_the_page(world, demo_reference):
    from etage.evaluation.models import ProjectMember

    third = demo_reference["t3-evaluation"]
    ProjectMember.objects.create(project=world.project, user=third)
    code_turns(world.transcript, world.codes["landlord"], third, [4])
    client = _client(world.lead)
    html = client.get(_url(world)).content.decode()
    assert 'name="coder_a"' in html  # the pair form is offered
    html = client.get(_url(world), {"coder_a": world.lead.pk, "coder_b": third.pk}).content.decode()
    # A and the third coder both applied "landlord" to turn 4; turns 2 and 6 are A's only.
    assert "0 désaccords résolus sur 2" in html
    assert 'id="tour-2"' in html
    assert 'id="tour-6"' in html
    assert 'id="tour-4"' not in html
