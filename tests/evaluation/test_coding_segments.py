"""Coding a transcript: the overview, the coding page (blind by default), coding a passage
with the mouse offsets or the keyboard lists, removing one's own segment, and every refusal
(French message, nothing saved)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation.models import Memo, Segment
from tests.evaluation.coding_world import (
    CALLED,
    CAME,
    REASSURED,
    SUSPENDED,
    CodingWorld,
    build_coding_world,
    code,
    words_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodingWorld:
    return build_coding_world(demo_reference)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(world: CodingWorld, **query: str) -> str:
    url = reverse("evaluation:coding_transcript", args=[world.project.pk, world.transcript.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _create_url(world: CodingWorld, transcript=None) -> str:
    transcript = transcript or world.transcript
    return reverse("evaluation:segment_create", args=[world.project.pk, transcript.pk])


# --- Overview -----------------------------------------------------------------------------


def test_the_overview_lists_transcripts_with_coders_counts_and_double_coding(world):
    code(world.transcript, world.codes["early"], world.lead, CALLED)
    code(world.transcript, world.codes["landlord"], world.lead, SUSPENDED)
    code(world.transcript, world.codes["early"], world.coder, CALLED)
    response = _client(world.lead).get(reverse("evaluation:coding", args=[world.project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{world.lead} (2)" in html
    assert f"{world.coder} (1)" in html
    assert "Coder l’entretien E01" in html
    assert "Kappa de Cohen" in html
    # The interviews without a valid consent are listed but cannot be opened for coding.
    assert html.count("Pas de consentement valide") == 2


def test_the_overview_without_transcript_says_where_to_upload(demo_reference):
    lead = demo_reference["t1-evaluation"]
    from etage.evaluation.models import Project, ProjectMember

    project = Project.objects.create(name="Vide", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    html = _client(lead).get(reverse("evaluation:coding", args=[project.pk])).content.decode()
    assert 'data-testid="no-transcript"' in html
    assert "Aucune transcription" in html


def test_a_non_member_evaluator_gets_404_everywhere(world):
    client = _client(world.outsider)
    assert client.get(reverse("evaluation:coding", args=[world.project.pk])).status_code == 404
    assert client.get(_page(world)).status_code == 404
    start, end = words_at(world.transcript, CALLED)
    response = client.post(
        _create_url(world), {"code": world.codes["early"].pk, "start": start, "end": end}
    )
    assert response.status_code == 404
    assert not Segment.objects.exists()


# --- The coding page ----------------------------------------------------------------------


def test_the_page_shows_turns_sentences_and_only_active_codes(world):
    html = _client(world.lead).get(_page(world)).content.decode()
    assert 'id="tour-6"' in html
    assert 'id="tour-7"' not in html
    assert "Repérage précoce" in html
    assert "Ancien code fusionné" not in html
    # Turn 2 offers its two sentences to keyboard users.
    assert "Phrase 2 : « Ça nous a rassurés. »" in html
    assert "evaluation-coding.js" in html


def test_coding_blind_a_coder_sees_only_their_own_segments(world):
    code(world.transcript, world.codes["early"], world.lead, CALLED)
    mine = code(world.transcript, world.codes["landlord"], world.coder, SUSPENDED)
    html = _client(world.coder).get(_page(world)).content.decode()
    assert SUSPENDED in html  # the text itself is always shown
    segments = html.split('data-testid="segments"')[1]
    assert "Rôle du bailleur" in segments
    assert "Repérage précoce" not in segments
    assert "1 segment d’autres codeur·ses est masqué." in html
    # Only the coder's own segment is highlighted in the text.
    start, _end = words_at(world.transcript, CALLED)
    assert f'<mark data-offset="{start}"' not in html
    assert f'<mark data-offset="{mine.start}"' in html


def test_revealing_shows_the_others_segments_and_is_stored_nowhere(world):
    code(world.transcript, world.codes["early"], world.lead, CALLED)
    client = _client(world.coder)
    html = client.get(_page(world, autres="1")).content.decode()
    segments = html.split('data-testid="segments"')[1]
    assert "Repérage précoce" in segments
    assert str(world.lead) in segments
    # Going back to the page without the parameter is blind again.
    html = client.get(_page(world)).content.decode()
    assert 'data-testid="segments"' not in html


def test_a_transcript_without_valid_consent_is_not_shown_for_coding(world):
    for transcript in world.unusable.values():
        url = reverse("evaluation:coding_transcript", args=[world.project.pk, transcript.pk])
        html = _client(world.lead).get(url).content.decode()
        assert 'data-testid="no-consent"' in html
        assert CALLED not in html


# --- Coding a passage ---------------------------------------------------------------------


def test_the_mouse_offsets_code_a_segment_in_the_coders_name(world):
    start, end = words_at(world.transcript, CALLED)
    response = _client(world.lead).post(
        _create_url(world), {"code": world.codes["early"].pk, "start": start, "end": end}
    )
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert (segment.start, segment.end, segment.text) == (start, end, CALLED)
    assert segment.coder == world.lead
    assert not segment.consensus


def test_spaces_around_a_mouse_selection_are_left_out(world):
    start, end = words_at(world.transcript, REASSURED)
    _client(world.lead).post(
        _create_url(world),
        {"code": world.codes["early"].pk, "start": start - 1, "end": end + 1},
    )
    assert Segment.objects.get().text == REASSURED


def test_the_keyboard_lists_code_a_sentence_or_a_whole_turn(world):
    client = _client(world.lead)
    start, _end = words_at(world.transcript, REASSURED)
    client.post(_create_url(world), {"code": world.codes["early"].pk, "passage_start": start})
    assert Segment.objects.get().text == REASSURED
    first, _ = words_at(world.transcript, CALLED)
    _s, last = words_at(world.transcript, REASSURED)
    client.post(
        _create_url(world),
        {"code": world.codes["landlord"].pk, "passage_start": first, "passage_end": last},
    )
    assert Segment.objects.get(code=world.codes["landlord"]).text == f"{CALLED} {REASSURED}"


def test_htmx_returns_the_workspace_with_the_new_segment_and_a_status(world):
    start, end = words_at(world.transcript, CAME)
    response = _client(world.lead).post(
        _create_url(world),
        {"code": world.codes["coordination"].pk, "start": start, "end": end},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "codé avec « Coordination »" in html
    assert f'<mark data-offset="{start}"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": 10, "end": 10}, "La fin du passage doit venir après son début"),
        ({"start": 5, "end": 99999}, "en dehors de la transcription"),
        ({}, "Sélectionnez les mots à coder"),
        ({"passage_start": 3}, "Sélectionnez un choix valide"),
    ],
    ids=["empty span", "beyond the text", "nothing chosen", "not a sentence start"],
)
def test_bad_offsets_are_refused_in_french_and_save_nothing(world, data, message):
    response = _client(world.lead).post(
        _create_url(world), {"code": world.codes["early"].pk, **data}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Segment.objects.exists()


def test_a_closed_code_or_another_projects_code_is_refused(world, demo_reference):
    other = build_coding_world(demo_reference, name="Autre projet")
    start, end = words_at(world.transcript, CALLED)
    client = _client(world.lead)
    for bad in (world.codes["closed"], other.codes["early"]):
        response = client.post(_create_url(world), {"code": bad.pk, "start": start, "end": end})
        assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Segment.objects.exists()


def test_the_service_refuses_a_closed_code_even_if_the_form_let_it_through(world):
    from etage.evaluation.services import EvaluationError
    from etage.evaluation.services_coding import segment_create

    with pytest.raises(EvaluationError, match="fermé"):
        segment_create(
            transcript=world.transcript, user=world.lead, code=world.codes["closed"], start=0, end=5
        )
    assert not Segment.objects.exists()


def test_an_interview_without_valid_consent_cannot_be_coded(world):
    client = _client(world.lead)
    for transcript in world.unusable.values():
        response = client.post(
            _create_url(world, transcript),
            {"code": world.codes["early"].pk, "start": 0, "end": 5},
            HTTP_HX_REQUEST="true",
        )
        # The text is never redrawn: the browser is sent to the page, which says why.
        assert response.status_code == 204
        assert response["HX-Redirect"].endswith(f"/transcriptions/{transcript.pk}/")
        page = client.get(response["HX-Redirect"]).content.decode()
        assert "consentement" in page
        assert CALLED not in page
    assert not Segment.objects.exists()


def test_removing_a_segment_of_an_interview_whose_consent_was_withdrawn_shows_no_text(world):
    transcript = world.unusable["withdrawn"]
    mine = code(transcript, world.codes["early"], world.coder, CALLED)
    url = reverse("evaluation:segment_delete", args=[world.project.pk, mine.pk])
    response = _client(world.coder).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert CALLED not in response.content.decode()
    assert not Segment.objects.filter(pk=mine.pk).exists()


def test_coding_the_same_passage_twice_is_refused_with_a_message(world):
    start, end = words_at(world.transcript, CALLED)
    client = _client(world.lead)
    data = {"code": world.codes["early"].pk, "start": start, "end": end}
    client.post(_create_url(world), data)
    response = client.post(_create_url(world), data, HTTP_HX_REQUEST="true")
    assert "Vous avez déjà codé ce passage" in response.content.decode()
    assert Segment.objects.count() == 1


# --- Removing a segment -------------------------------------------------------------------


def test_a_coder_removes_their_own_segment_but_not_someone_elses(world):
    mine = code(world.transcript, world.codes["early"], world.coder, CALLED)
    theirs = code(world.transcript, world.codes["early"], world.lead, CALLED)
    client = _client(world.coder)
    url = reverse("evaluation:segment_delete", args=[world.project.pk, theirs.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert "que les segments que vous avez codés" in response.content.decode()
    assert Segment.objects.filter(pk=theirs.pk).exists()
    client.post(reverse("evaluation:segment_delete", args=[world.project.pk, mine.pk]))
    assert not Segment.objects.filter(pk=mine.pk).exists()


def test_a_segment_with_a_memo_is_kept_until_the_memo_moves(world):
    mine = code(world.transcript, world.codes["early"], world.coder, CALLED)
    Memo.objects.create(
        project=world.project, author=world.coder, title="Doute", text="…", segment=mine
    )
    _client(world.coder).post(
        reverse("evaluation:segment_delete", args=[world.project.pk, mine.pk])
    )
    assert Segment.objects.filter(pk=mine.pk).exists()
    assert Memo.objects.count() == 1


def test_removing_answers_get_with_405(world):
    mine = code(world.transcript, world.codes["early"], world.coder, CALLED)
    url = reverse("evaluation:segment_delete", args=[world.project.pk, mine.pk])
    assert _client(world.coder).get(url).status_code == 405


def test_a_codebook_without_open_codes_says_where_to_create_them(world):
    from etage.evaluation.models import Code

    Code.objects.filter(project=world.project).update(is_active=False)
    html = _client(world.lead).get(_page(world)).content.decode()
    assert "Le livre de codes n’a encore aucun code ouvert" in html
    assert reverse("evaluation:codebook", args=[world.project.pk]) in html
