"""Memos about a transcript, a code or one's own segment: written from the coding page, read
by the project's members (blind coding hides the memos about the others' segments), edited by
their author only, with the version check against lost updates."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation.models import Memo
from tests.evaluation.coding_world import CALLED, CodingWorld, build_coding_world, code

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodingWorld:
    return build_coding_world(demo_reference)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _create(world: CodingWorld) -> str:
    return reverse("evaluation:memo_create", args=[world.project.pk])


def _coding(world: CodingWorld, **query: str) -> str:
    url = reverse("evaluation:coding_transcript", args=[world.project.pk, world.transcript.pk])
    return url + ("?autres=1" if query.get("autres") else "")


def test_a_memo_about_the_transcript_is_read_by_the_other_members(world):
    response = _client(world.lead).post(
        _create(world),
        {"title": "Premier contact", "text": "Appel rapide.", "transcript": world.transcript.pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(_coding(world) + "#memos")
    memo = Memo.objects.get()
    assert memo.author == world.lead
    assert memo.project == world.project
    html = _client(world.coder).get(_coding(world)).content.decode()
    assert "Premier contact" in html
    # Only the author gets the edit link.
    assert reverse("evaluation:memo_edit", args=[world.project.pk, memo.pk]) not in html


def test_a_memo_about_ones_own_segment_takes_its_transcript_and_code(world):
    segment = code(world.transcript, world.codes["early"], world.coder, CALLED)
    client = _client(world.coder)
    page = client.get(_create(world), {"segment": segment.pk}).content.decode()
    assert CALLED in page
    client.post(_create(world), {"title": "Doute", "text": "Précoce ?", "segment": segment.pk})
    memo = Memo.objects.get()
    assert memo.segment == segment
    assert memo.transcript == world.transcript


def test_blind_coding_hides_memos_about_the_others_segments(world):
    theirs = code(world.transcript, world.codes["early"], world.lead, CALLED)
    Memo.objects.create(
        project=world.project, author=world.lead, title="Mémo caché", text="…", segment=theirs
    )
    client = _client(world.coder)
    blind = client.get(_coding(world)).content.decode()
    assert "Mémo caché" not in blind
    assert "1 mémo sur les segments des autres codeur·ses est masqué" in blind
    assert "Mémo caché" in client.get(_coding(world, autres="1")).content.decode()


def test_a_memo_about_someone_elses_segment_cannot_be_written(world):
    theirs = code(world.transcript, world.codes["early"], world.lead, CALLED)
    client = _client(world.coder)
    assert client.get(_create(world), {"segment": theirs.pk}).status_code == 404
    response = client.post(_create(world), {"title": "x", "text": "y", "segment": theirs.pk})
    assert response.status_code == 404
    assert not Memo.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Sans objet", "text": "…"}, "Indiquez sur quoi porte le mémo"),
        ({"title": "", "text": "…", "code": "CODE"}, "Ce champ est obligatoire"),
        (
            {"title": "NIR", "text": "Numéro 1 85 05 78 006 084 36", "code": "CODE"},
            "numéro de sécurité sociale",
        ),
    ],
    ids=["no subject", "no title", "a NIR"],
)
def test_bad_memos_are_refused_in_french_and_save_nothing(world, data, message):
    data = {k: (world.codes["early"].pk if v == "CODE" else v) for k, v in data.items()}
    response = _client(world.lead).post(_create(world), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Memo.objects.exists()


def test_another_projects_transcript_is_not_a_choice(world, demo_reference):
    other = build_coding_world(demo_reference, name="Autre projet")
    response = _client(world.lead).post(
        _create(world), {"title": "x", "text": "y", "transcript": other.transcript.pk}
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Memo.objects.exists()


def test_the_author_edits_the_memo_and_a_stale_form_is_refused(world):
    memo = Memo.objects.create(
        project=world.project,
        author=world.lead,
        title="Avant",
        text="…",
        code=world.codes["early"],
    )
    url = reverse("evaluation:memo_edit", args=[world.project.pk, memo.pk])
    client = _client(world.lead)
    data = {"title": "Après", "text": "Revu.", "code": world.codes["early"].pk, "version": 1}
    assert client.post(url, data).status_code == 302
    memo.refresh_from_db()
    assert (memo.title, memo.version) == ("Après", 2)
    # A second form opened on version 1 would overwrite the first change: refused.
    response = client.post(url, {**data, "title": "Écrasé"})
    assert "a modifié cet élément entre-temps" in response.content.decode()
    memo.refresh_from_db()
    assert memo.title == "Après"


def test_only_the_author_opens_the_edit_form(world):
    memo = Memo.objects.create(
        project=world.project, author=world.lead, title="À moi", text="…", code=world.codes["early"]
    )
    url = reverse("evaluation:memo_edit", args=[world.project.pk, memo.pk])
    assert _client(world.coder).get(url).status_code == 404
    assert _client(world.coder).post(url, {"title": "x", "text": "y"}).status_code == 404
    assert _client(world.outsider).get(url).status_code == 404
    memo.refresh_from_db()
    assert memo.title == "À moi"
