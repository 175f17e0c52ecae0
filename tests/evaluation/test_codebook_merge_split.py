"""Merging and splitting codes (lead evaluators): segments re-coded, duplicates dropped rather
than breaking the unique constraint, sub-codes moved, the closed code kept with its history;
cycles and stale pages refused; a split moves the chosen segments only."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from etage.accounts.models import User
from etage.evaluation import services_codebook
from etage.evaluation.models import CaseStudy, Code, CodeEvent, Memo, Segment, TriangulationCell
from etage.evaluation.models.choices import CodeEventKind
from etage.evaluation.services import EvaluationError
from tests.evaluation.codebook_world import CodebookWorld, build, code, segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodebookWorld:
    return build(demo_reference)


@pytest.fixture
def lead(world: CodebookWorld) -> Client:
    client = Client()
    client.force_login(world.lead)
    return client


def _url(name: str, world: CodebookWorld, pk: int) -> str:
    return reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk, "pk": pk})


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_confirmation_says_how_many_segments_move_before_anything_changes(world, lead):
    segment(world.transcript, world.orientation, world.lead, 0, 20)
    segment(world.transcript, world.orientation, world.coder, 0, 20)
    segment(world.transcript, world.first_contact, world.lead, 0, 20)
    response = lead.get(
        _url("code_merge", world, world.orientation.pk) + f"?into={world.first_contact.pk}"
    )
    page = _text(response)
    plan = page[page.index('data-testid="merge-plan"') :]
    assert "Fusionner « Orientation » dans « Premier contact »" in plan
    assert "1 segment sera recodé avec « Premier contact »." in plan
    assert "1 segment est déjà codé avec « Premier contact »" in plan
    assert Segment.objects.filter(code=world.orientation).count() == 2
    assert Code.objects.get(pk=world.orientation.pk).is_active


def test_merging_recodes_segments_moves_sub_codes_closes_the_code_and_records_both_sides(
    world, lead
):
    phone = code(world.project, "Appel", world.first_contact)
    moved = segment(world.transcript, world.first_contact, world.coder, 0, 20)
    # The same span by the same coder is already coded with the target: a duplicate.
    duplicate = segment(world.transcript, world.first_contact, world.lead, 30, 60)
    kept = segment(world.transcript, world.landlord, world.lead, 30, 60)
    memo = Memo.objects.create(
        project=world.project, author=world.lead, title="Vite", text="…", segment=duplicate
    )
    world.first_contact.questions.add(world.questions[1])

    response = lead.post(
        _url("code_merge", world, world.first_contact.pk),
        {"into": world.landlord.pk, "version": world.first_contact.version},
    )
    assert response.status_code == 302

    source = Code.objects.get(pk=world.first_contact.pk)
    assert not source.is_active
    assert source.merged_into == world.landlord
    assert Segment.objects.get(pk=moved.pk).code == world.landlord
    assert not Segment.objects.filter(pk=duplicate.pk).exists()
    assert Segment.objects.filter(code=world.landlord).count() == 2
    assert Memo.objects.get(pk=memo.pk).segment_id == kept.pk
    assert Code.objects.get(pk=phone.pk).parent == world.landlord
    assert world.questions[1] in world.landlord.questions.all()

    on_source = CodeEvent.objects.get(code=source)
    on_target = CodeEvent.objects.get(code=world.landlord)
    assert on_source.kind == on_target.kind == CodeEventKind.MERGED
    assert on_source.other == world.landlord
    assert on_target.other == source
    assert on_source.detail["segments"] == 1
    assert on_source.detail["duplicates"] == 1
    assert on_source.detail["children"] == ["Appel"]
    assert CodeEvent.objects.get(code=phone).kind == CodeEventKind.MOVED

    history = _text(lead.get(_url("code_history", world, world.landlord.pk)))
    assert "« Premier contact » a été fusionné dans ce code." in history
    assert "1 segment recodé." in history
    assert "1 segment en double abandonné" in history
    codebook = _text(lead.get(reverse("evaluation:codebook", args=[world.project.pk])))
    closed = codebook[codebook.index('data-testid="codebook-closed"') :]
    assert "Premier contact" in closed
    assert "fusionné dans « Relations avec le bailleur »" in closed


def test_a_merge_carries_the_codes_memos_and_triangulation_without_losing_a_comment(world):
    source, target = world.first_contact, world.landlord
    memo = Memo.objects.create(
        project=world.project, author=world.lead, title="Sens", text="…", code=source
    )
    case = CaseStudy.objects.create(project=world.project, case_id="K1", title="Cas 1")
    alone = TriangulationCell.objects.create(
        case_study=case, theme=source, source="household", verdict="converges", comment="Net."
    )
    clash = TriangulationCell.objects.create(
        case_study=case,
        theme=source,
        source="landlord_social_worker",
        verdict="diverges",
        comment="Non.",
    )
    twin = TriangulationCell.objects.create(
        case_study=case,
        theme=target,
        source="landlord_social_worker",
        verdict="converges",
        comment="Oui.",
    )
    with translation.override("fr"):
        services_codebook.code_merge(
            source=source, target=target, user=world.lead, expected_version=source.version
        )
    assert Memo.objects.get(pk=memo.pk).code == target
    assert TriangulationCell.objects.get(pk=alone.pk).theme == target
    assert not TriangulationCell.objects.filter(pk=clash.pk).exists()
    twin.refresh_from_db()
    # The target's verdict stands; the merged cell's comment is kept beside it.
    assert twin.verdict == "converges"
    assert twin.comment.startswith("Oui.\n\n")
    assert "« Premier contact »" in twin.comment
    assert "Non." in twin.comment
    assert not TriangulationCell.objects.filter(theme=source).exists()


@pytest.mark.parametrize("into", ["self", "child", "grandchild"])
def test_a_code_is_never_merged_into_itself_or_its_own_sub_codes(world, lead, into):
    grandchild = code(world.project, "Appel", world.first_contact)
    target = {"self": world.access, "child": world.first_contact, "grandchild": grandchild}[into]
    segment(world.transcript, world.access, world.lead, 0, 20)
    url = _url("code_merge", world, world.access.pk)
    for response in (
        lead.get(url + f"?into={target.pk}"),
        lead.post(url, {"into": target.pk, "version": world.access.version}),
    ):
        assert response.status_code == 200
        page = _text(response)
        assert (
            "ne peut pas être fusionné dans lui-même" in page
            or "ne peut pas être fusionné dans l’un de ses propres sous-codes" in page
        )
        assert 'data-testid="merge-plan"' not in page
    assert Code.objects.get(pk=world.access.pk).is_active
    assert Segment.objects.filter(code=world.access).count() == 1
    assert not CodeEvent.objects.exists()


def test_the_merge_page_only_offers_codes_outside_the_merged_one(world, lead):
    page = _text(lead.get(_url("code_merge", world, world.access.pk)))
    assert f'value="{world.landlord.pk}"' in page
    assert f'value="{world.first_contact.pk}"' not in page


def test_a_merge_whose_sub_codes_would_clash_is_refused(world, lead):
    code(world.project, "Orientation", world.landlord)
    url = _url("code_merge", world, world.access.pk)
    page = _text(lead.get(url + f"?into={world.landlord.pk}"))
    assert "a déjà des sous-codes portant ces noms : Orientation" in page
    response = lead.post(url, {"into": world.landlord.pk, "version": world.access.version})
    assert "Renommez-les ou fusionnez-les d’abord." in _text(response)
    assert Code.objects.get(pk=world.access.pk).is_active


def test_a_merge_confirmed_on_a_stale_page_is_refused(world, lead):
    version = world.orientation.version
    Code.objects.filter(pk=world.orientation.pk).update(version=version + 1)
    response = lead.post(
        _url("code_merge", world, world.orientation.pk),
        {"into": world.landlord.pk, "version": version},
    )
    assert "Quelqu'un d'autre a modifié" in _text(response)
    assert Code.objects.get(pk=world.orientation.pk).is_active


def test_the_services_check_the_lead_themselves(world):
    with pytest.raises(EvaluationError):
        services_codebook.code_merge(
            source=world.orientation, target=world.landlord, user=world.coder, expected_version=1
        )
    with pytest.raises(EvaluationError):
        services_codebook.code_split(
            code=world.orientation, user=world.coder, expected_version=1, name="Autre"
        )
    assert Code.objects.get(pk=world.orientation.pk).is_active
    assert not Code.objects.filter(name="Autre").exists()


def test_splitting_moves_the_chosen_segments_and_keeps_the_code_open(world, lead):
    a = segment(world.transcript, world.access, world.lead, 0, 20)
    b = segment(world.transcript, world.access, world.coder, 30, 60)
    c = segment(world.transcript, world.access, world.lead, 70, 90, consensus=True)
    response = lead.post(
        _url("code_split", world, world.access.pk),
        {
            "version": world.access.version,
            "name": "Signature du bail",
            "definition": "Le jour de la signature.",
            "place": "beside",
            "segments": [a.pk, c.pk],
        },
    )
    assert response.status_code == 302
    new = Code.objects.get(project=world.project, name="Signature du bail")
    assert new.parent is None
    assert new.definition == "Le jour de la signature."
    assert set(Segment.objects.filter(code=new).values_list("pk", flat=True)) == {a.pk, c.pk}
    assert list(Segment.objects.filter(code=world.access)) == [b]
    assert list(new.questions.all()) == list(world.access.questions.all())
    source = Code.objects.get(pk=world.access.pk)
    assert source.is_active
    assert source.version == world.access.version + 1
    on_source, on_new = CodeEvent.objects.get(code=source), CodeEvent.objects.get(code=new)
    assert on_source.kind == on_new.kind == CodeEventKind.SPLIT
    assert on_source.other == new
    assert on_new.other == source
    assert on_source.detail["segments"] == 2
    history = _text(lead.get(_url("code_history", world, new.pk)))
    assert "Créé en scindant « Accès au logement », avec 2 segments." in history


def test_a_split_can_place_the_new_code_under_the_split_one(world, lead):
    lead.post(
        _url("code_split", world, world.access.pk),
        {"version": world.access.version, "name": "Visite", "place": "under"},
    )
    assert Code.objects.get(name="Visite").parent == world.access


def test_a_split_refuses_a_name_used_at_the_same_place_and_a_stale_page(world, lead):
    mine = segment(world.transcript, world.access, world.lead, 0, 20)
    url = _url("code_split", world, world.access.pk)
    response = lead.post(
        url,
        {"version": world.access.version, "name": "relations avec le BAILLEUR", "place": "beside"},
    )
    assert "existe déjà au premier niveau" in _text(response)
    # The segment was re-coded by someone else since the page was opened.
    other = segment(world.transcript, world.orientation, world.lead, 30, 60)
    response = lead.post(
        url,
        {
            "version": world.access.version,
            "name": "Nouveau",
            "place": "beside",
            "segments": [mine.pk, other.pk],
        },
    )
    assert "Quelqu'un d'autre a modifié" in _text(response)
    assert not Code.objects.filter(name="Nouveau").exists()
    assert Segment.objects.get(pk=other.pk).code == world.orientation


def test_the_split_page_hides_the_words_of_an_interview_without_valid_consent(world, lead):
    segment(world.transcript, world.access, world.lead, 0, 20)
    hidden = segment(world.withdrawn, world.access, world.lead, 58, 90)
    page = _text(lead.get(_url("code_split", world, world.access.pk)))
    assert world.transcript.text[0:20] in page
    assert "E02, caractères 58–90" in page
    assert "extrait masqué" in page
    assert hidden.text not in page
