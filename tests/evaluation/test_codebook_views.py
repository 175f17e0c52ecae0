"""The codebook's pages: the tree, creating, editing and moving codes with their history,
names unique among siblings, no cycles, no lost update, deny by default."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation.models import Code, CodeEvent, Project, ProjectMember
from etage.evaluation.models.choices import CodeEventKind
from tests.evaluation.codebook_world import CodebookWorld, build, code, segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodebookWorld:
    return build(demo_reference)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, world: CodebookWorld, **kwargs: object) -> str:
    return reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk, **kwargs})


def _form(c: Code, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": c.version,
        "name": c.name,
        "parent": c.parent_id or "",
        "definition": c.definition,
        "include": c.include,
        "exclude": c.exclude,
        "example": c.example,
        "color": c.color,
        "questions": list(c.questions.values_list("pk", flat=True)),
    }
    data.update(changes)
    return data


def test_the_codebook_shows_the_tree_with_criteria_counts_questions_and_colours(world):
    segment(world.transcript, world.access, world.lead, 0, 20)
    segment(world.transcript, world.access, world.coder, 0, 20)
    page = _client(world.coder).get(_url("codebook", world)).content.decode()
    tree = page[page.index('data-testid="codebook-tree"') :]
    # Nested: the sub-codes sit inside their parent's item, after its name.
    assert tree.index("Accès au logement") < tree.index("Premier contact")
    assert tree.index("Premier contact") < tree.index("Relations avec le bailleur")
    assert "Attribution, visite, bail." in page
    assert "Hébergement d&#x27;urgence." in page
    assert "« On a eu les clés en mars. »" in page
    assert "2 segments" in page
    assert "La plateforme agit-elle plus tôt ?" in page
    # The colour is a decorative swatch beside the name, never alone.
    assert 'fill="#1F77B4"' in page
    assert 'aria-hidden="true"' in page
    # Coders do not get the lead's merge and split links.
    assert "fusionner" not in page
    assert "scinder" not in page
    lead_page = _client(world.lead).get(_url("codebook", world)).content.decode()
    assert _url("code_merge", world, pk=world.access.pk) in lead_page


def test_an_empty_codebook_says_what_to_do_next(world):
    project = Project.objects.create(name="Vide", created_by=world.lead)
    ProjectMember.objects.create(project=project, user=world.lead, role=ProjectMember.Role.LEAD)
    response = _client(world.lead).get(reverse("evaluation:codebook", args=[project.pk]))
    page = response.content.decode()
    assert 'data-testid="codebook-empty"' in page
    assert "Le livre de codes est vide" in page
    assert reverse("evaluation:codebook_import", args=[project.pk]) in page


def test_a_member_creates_a_sub_code_linked_to_a_question_and_the_creation_is_recorded(world):
    response = _client(world.coder).post(
        _url("code_create", world),
        {
            "name": "Visite du logement",
            "parent": world.access.pk,
            "definition": "La visite avant signature.",
            "color": "#2ca02c",
            "questions": [world.questions[1].pk],
        },
    )
    assert response.status_code == 302
    created = Code.objects.get(project=world.project, name="Visite du logement")
    assert created.parent == world.access
    assert created.color == "#2CA02C"
    assert list(created.questions.all()) == [world.questions[1]]
    event = created.history.get()
    assert event.kind == CodeEventKind.CREATED
    assert event.by == world.coder
    assert event.detail["parent"] == "Accès au logement"
    assert event.detail["questions"] == ["Q2"]


def test_the_create_page_offers_the_parent_given_in_the_address(world):
    page = (
        _client(world.coder)
        .get(_url("code_create", world) + f"?parent={world.access.pk}")
        .content.decode()
    )
    assert f'<option value="{world.access.pk}" selected>' in page


def test_a_name_already_used_beside_it_is_refused_in_french_and_nothing_is_created(world):
    before = Code.objects.count()
    response = _client(world.coder).post(
        _url("code_create", world), {"name": "  premier   CONTACT ", "parent": world.access.pk}
    )
    assert response.status_code == 200
    assert "Un code nommé « premier CONTACT » existe déjà sous « Accès au logement »." in (
        response.content.decode()
    )
    assert Code.objects.count() == before
    # The same name elsewhere in the tree is fine.
    response = _client(world.coder).post(
        _url("code_create", world), {"name": "Premier contact", "parent": world.landlord.pk}
    )
    assert response.status_code == 302


def test_a_code_cannot_be_placed_under_its_own_sub_code(world):
    grandchild = code(world.project, "Appel téléphonique", world.first_contact)
    client = _client(world.coder)
    for parent, message in (
        (grandchild, "« Appel téléphonique » est un sous-code de « Accès au logement »"),
        (world.access, "Un code ne peut pas être placé sous lui-même."),
    ):
        response = client.post(
            _url("code_edit", world, pk=world.access.pk), _form(world.access, parent=parent.pk)
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    world.access.refresh_from_db()
    assert world.access.parent is None
    assert world.access.version == 1
    assert not world.access.history.exists()


def test_a_code_of_another_project_is_not_a_place_nor_a_page(world):
    other = Project.objects.create(name="Autre", created_by=world.lead)
    stranger = code(other, "Ailleurs")
    client = _client(world.lead)
    response = client.post(
        _url("code_edit", world, pk=world.landlord.pk), _form(world.landlord, parent=stranger.pk)
    )
    assert "Ce code n’existe pas dans ce projet." in response.content.decode()
    world.landlord.refresh_from_db()
    assert world.landlord.parent is None
    for name in ("code_edit", "code_history", "code_merge", "code_split"):
        assert client.get(_url(name, world, pk=stranger.pk)).status_code == 404


def test_editing_records_what_changed_and_moving_records_a_move(world):
    response = _client(world.coder).post(
        _url("code_edit", world, pk=world.orientation.pk),
        _form(
            world.orientation,
            definition="Vers quel accompagnement le ménage est orienté.",
            parent=world.landlord.pk,
            questions=[world.questions[0].pk],
        ),
    )
    assert response.status_code == 302
    world.orientation.refresh_from_db()
    assert world.orientation.parent == world.landlord
    assert world.orientation.version == 2
    assert list(world.questions[0].codes.order_by("pk")) == [world.access, world.orientation]
    edited, moved = world.orientation.history.order_by("pk")
    assert edited.kind == CodeEventKind.EDITED
    assert edited.detail["changes"] == [
        {"field": "definition", "old": "", "new": "Vers quel accompagnement le ménage est orienté."}
    ]
    assert edited.detail["questions_added"] == ["Q1"]
    assert moved.kind == CodeEventKind.MOVED
    assert moved.detail == {"from": "Accès au logement", "to": "Relations avec le bailleur"}
    history = _client(world.coder).get(_url("code_history", world, pk=world.orientation.pk))
    page = history.content.decode()
    assert "Déplacé de « Accès au logement » vers « Relations avec le bailleur »." in page
    assert "Vers quel accompagnement le ménage est orienté." in page
    assert "Relié aux questions Q1." in page


def test_saving_without_any_change_records_nothing(world):
    client = _client(world.coder)
    client.post(_url("code_edit", world, pk=world.access.pk), _form(world.access))
    world.access.refresh_from_db()
    assert world.access.version == 1
    assert not world.access.history.exists()


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    lead, coder = _client(world.lead), _client(world.coder)
    opened = _form(world.access)
    lead.post(_url("code_edit", world, pk=world.access.pk), {**opened, "definition": "Première"})
    response = coder.post(
        _url("code_edit", world, pk=world.access.pk), {**opened, "definition": "Seconde"}
    )
    assert response.status_code == 200
    assert "Quelqu'un d'autre a modifié" in html.unescape(response.content.decode())
    world.access.refresh_from_db()
    assert world.access.definition == "Première"
    assert world.access.history.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("definition", "Voir le 1 85 05 78 006 084 36.", "numéro de sécurité sociale"),
        ("color", "bleu", "Écrivez la couleur"),
        ("name", "", "Ce champ est obligatoire"),
    ],
)
def test_bad_input_is_refused_in_french_and_changes_nothing(world, field, value, message):
    response = _client(world.coder).post(
        _url("code_edit", world, pk=world.access.pk), _form(world.access, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    world.access.refresh_from_db()
    assert world.access.version == 1


def test_a_closed_code_cannot_be_edited_and_says_where_it_went(world):
    world.orientation.is_active = False
    world.orientation.merged_into = world.landlord
    world.orientation.save()
    client = _client(world.lead)
    for name in ("code_edit", "code_merge", "code_split"):
        page = client.get(_url(name, world, pk=world.orientation.pk)).content.decode()
        assert "« Orientation » a été fusionné dans « Relations avec le bailleur »" in page
    client.post(
        _url("code_edit", world, pk=world.orientation.pk), _form(world.orientation, name="Autre")
    )
    world.orientation.refresh_from_db()
    assert world.orientation.name == "Orientation"
    codebook = client.get(_url("codebook", world)).content.decode()
    closed = codebook[codebook.index('data-testid="codebook-closed"') :]
    assert "Orientation" in closed
    assert "fusionné dans « Relations avec le bailleur »" in closed


def test_the_codebook_history_lists_every_change_newest_first(world):
    client = _client(world.coder)
    client.post(_url("code_create", world), {"name": "Visite"})
    client.post(
        _url("code_edit", world, pk=world.landlord.pk),
        _form(world.landlord, name="Relations bailleur"),
    )
    page = client.get(_url("codebook_history", world)).content.decode()
    history = page[page.index('data-testid="codebook-history"') :]
    assert history.index("Modifié.") < history.index("Créé au premier niveau.")
    assert "Relations avec le bailleur" in history
    assert "Relations bailleur" in history


def _every_page(world: CodebookWorld) -> list[tuple[str, str]]:
    pk = world.access.pk
    return [
        ("get", _url("codebook", world)),
        ("get", _url("code_create", world)),
        ("post", _url("code_create", world)),
        ("get", _url("codebook_history", world)),
        ("get", _url("codebook_qdc", world)),
        ("get", _url("codebook_import", world)),
        ("post", _url("codebook_import", world)),
        ("get", _url("code_edit", world, pk=pk)),
        ("post", _url("code_edit", world, pk=pk)),
        ("get", _url("code_history", world, pk=pk)),
        ("get", _url("code_merge", world, pk=pk)),
        ("post", _url("code_merge", world, pk=pk)),
        ("get", _url("code_split", world, pk=pk)),
        ("post", _url("code_split", world, pk=pk)),
    ]


@pytest.mark.parametrize("username", ["t3-evaluation", "t1-professionnel", "t1-admin"])
def test_non_members_get_a_404_on_every_codebook_page(world, demo_reference, username):
    client = _client(demo_reference[username])
    for method, url in _every_page(world):
        assert getattr(client, method)(url, {"name": "Intrus"}).status_code == 404, url
    assert not Code.objects.filter(name="Intrus").exists()


def test_members_reach_every_page_but_merges_and_splits_are_for_leads(world):
    coder, lead = _client(world.coder), _client(world.lead)
    for method, url in _every_page(world):
        if method == "get" and "qdc" not in url:
            lead_status = lead.get(url).status_code
            assert lead_status == 200, url
            expected = 404 if ("fusionner" in url or "scinder" in url) else 200
            assert coder.get(url).status_code == expected, url
    before = list(Code.objects.values_list("pk", "parent_id", "is_active", "version"))
    assert (
        coder.post(
            _url("code_merge", world, pk=world.first_contact.pk),
            {"into": world.orientation.pk, "version": 1},
        ).status_code
        == 404
    )
    assert (
        coder.post(
            _url("code_split", world, pk=world.access.pk),
            {"version": 1, "name": "Nouveau", "place": "beside"},
        ).status_code
        == 404
    )
    assert list(Code.objects.values_list("pk", "parent_id", "is_active", "version")) == before
    assert not CodeEvent.objects.exists()
