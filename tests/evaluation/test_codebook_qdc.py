"""The codebook's REFI-QDA exchange through the pages: the ``.qdc`` download validates against
the standard's schema, an export re-imported into a fresh project gives the same codebook,
an import is previewed before anything is created, and a bad file changes nothing."""

from __future__ import annotations

import html
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import etree

from etage.accounts.models import User
from etage.evaluation.models import Code, CodeEvent, Project, ProjectMember
from etage.evaluation.models.choices import CodeEventKind
from tests.evaluation.codebook_world import CodebookWorld, build, code

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).parent / "schemas" / "Codebook.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodebookWorld:
    return build(demo_reference)


@pytest.fixture
def lead(world: CodebookWorld) -> Client:
    client = Client()
    client.force_login(world.lead)
    return client


def _fresh_project(world: CodebookWorld, name: str = "Nouveau projet") -> Project:
    project = Project.objects.create(name=name, created_by=world.lead)
    ProjectMember.objects.create(project=project, user=world.lead, role=ProjectMember.Role.LEAD)
    return project


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(data: bytes, name: str = "livre.qdc") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def _preview(client: Client, project: Project, data: bytes, name: str = "livre.qdc"):
    return client.post(
        reverse("evaluation:codebook_import", args=[project.pk]),
        {"action": "preview", "file": _upload(data, name)},
    )


def _confirm(client: Client, project: Project, preview) -> object:
    form = preview.context["preview"]["confirm"]
    return client.post(
        reverse("evaluation:codebook_import", args=[project.pk]),
        {"action": "confirm", **{k: form.initial[k] for k in ("payload", "filename", "digest")}},
    )


def _export(client: Client, project: Project) -> bytes:
    response = client.get(reverse("evaluation:codebook_qdc", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="livre-de-codes.qdc"'
    return response.content


def _shape(project: Project) -> list[tuple[object, ...]]:
    """The codebook as the round trip must keep it: hierarchy (by GUID, in sibling order),
    names, definitions, criteria, examples, colours, GUIDs."""
    rows: list[tuple[object, ...]] = []

    def walk(parent: Code | None, depth: int) -> None:
        for c in Code.objects.filter(project=project, parent=parent, is_active=True).order_by(
            "position", "name", "pk"
        ):
            rows.append(
                (depth, c.guid, c.name, c.definition, c.include, c.exclude, c.example, c.color)
            )
            walk(c, depth + 1)

    walk(None, 0)
    return rows


def _enrich(world: CodebookWorld) -> None:
    """Texts that stress the description folding, a short colour, a closed code."""
    world.orientation.definition = "Deux lignes :\nExemple :\nune ligne qui ressemble à un titre."
    world.orientation.example = "« Le référent a appelé & c'était <enfin> réglé. »"
    world.orientation.color = "#ABC"
    world.orientation.save()
    code(world.project, "Appel", world.first_contact, include="Un appel du référent.")
    code(world.project, "Ancien code", is_active=False, merged_into=world.landlord)


def test_the_export_validates_against_the_refi_qda_schema_and_leaves_closed_codes_out(
    world, lead, schema
):
    _enrich(world)
    data = _export(lead, world.project)
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log
    names = [e.get("name") for e in document.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert names == [
        "Accès au logement",
        "Premier contact",
        "Appel",
        "Orientation",
        "Relations avec le bailleur",
    ]
    first = document.find(".//{urn:QDA-XML:codebook:1.0}Code")
    assert first.get("guid") == str(world.access.guid).upper()
    assert first.get("color") == "#1F77B4"
    assert "Critères d'inclusion :\nAttribution, visite, bail." in first.findtext(
        "{urn:QDA-XML:codebook:1.0}Description"
    )


def test_an_export_re_imported_into_a_fresh_project_gives_the_same_codebook(world, lead):
    _enrich(world)
    data = _export(lead, world.project)
    fresh = _fresh_project(world)
    preview = _preview(lead, fresh, data, "livre-de-codes.qdc")
    assert preview.status_code == 200
    assert not Code.objects.filter(project=fresh).exists()
    response = _confirm(lead, fresh, preview)
    assert response.status_code == 302
    assert _shape(fresh) == _shape(world.project)
    assert len(_shape(fresh)) == 5
    events = CodeEvent.objects.filter(code__project=fresh)
    assert events.count() == 5
    assert {e.kind for e in events} == {CodeEventKind.IMPORTED}
    assert events.first().detail["file"] == "livre-de-codes.qdc"
    # And once more: exporting the copy gives the same file.
    assert _export(lead, fresh) == data


def test_the_preview_lists_what_will_be_created_and_creates_nothing(world, lead):
    data = _export(lead, world.project)
    fresh = _fresh_project(world)
    page = _text(_preview(lead, fresh, data))
    table = page[page.index('data-testid="import-new"') :]
    assert "4 codes seront créés" in table
    assert "sous « Accès au logement » (nouveau)" in table
    assert "Importer ces codes" in page
    assert not Code.objects.filter(project=fresh).exists()
    assert not CodeEvent.objects.filter(code__project=fresh).exists()


def test_codes_already_in_the_project_are_skipped_and_new_ones_go_under_them(world, lead):
    data = _export(lead, world.project)
    # The file gains a code under "Premier contact", which the project already has.
    document = etree.fromstring(data)
    ns = "{urn:QDA-XML:codebook:1.0}"
    first_contact = next(
        e for e in document.iter(f"{ns}Code") if e.get("name") == "Premier contact"
    )
    added = etree.SubElement(first_contact, f"{ns}Code")
    added.set("guid", str(uuid.uuid4()).upper())
    added.set("name", "Courrier")
    added.set("isCodable", "true")
    data = etree.tostring(document, xml_declaration=True, encoding="UTF-8")

    world.first_contact.name = "Premier contact (renommé)"
    world.first_contact.save()
    preview = _preview(lead, world.project, data)
    page = _text(preview)
    skipped = page[page.index('data-testid="import-skipped"') :]
    assert "4 codes déjà dans le projet (ignorés)" in page
    assert "Premier contact (ici : « Premier contact (renommé) »)" in skipped
    assert "sous « Premier contact (renommé) » (déjà dans le projet)" in page
    _confirm(lead, world.project, preview)
    courrier = Code.objects.get(project=world.project, name="Courrier")
    assert courrier.parent == world.first_contact
    assert Code.objects.get(pk=world.first_contact.pk).name == "Premier contact (renommé)"
    assert Code.objects.filter(project=world.project).count() == 5


def test_a_new_code_under_a_merged_one_goes_where_it_was_merged(world, lead):
    data = _export(lead, world.project)
    document = etree.fromstring(data)
    ns = "{urn:QDA-XML:codebook:1.0}"
    orientation = next(e for e in document.iter(f"{ns}Code") if e.get("name") == "Orientation")
    etree.SubElement(
        orientation, f"{ns}Code", guid=str(uuid.uuid4()), name="Relogement", isCodable="true"
    )
    Code.objects.filter(pk=world.orientation.pk).update(is_active=False, merged_into=world.landlord)
    preview = _preview(lead, world.project, etree.tostring(document))
    _confirm(lead, world.project, preview)
    assert Code.objects.get(name="Relogement").parent == world.landlord


def test_a_name_already_used_at_the_same_place_refuses_the_whole_import(world, lead):
    fresh = _fresh_project(world)
    code(fresh, "ACCÈS au logement")
    data = _export(lead, world.project)
    page = _text(_preview(lead, fresh, data))
    assert "Rien ne sera importé" in page
    assert "« Accès au logement » : un code de ce nom existe déjà au même endroit." in page
    assert "Importer ces codes" not in page
    assert Code.objects.filter(project=fresh).count() == 1


def test_a_confirmation_that_no_longer_matches_the_project_shows_the_new_preview(world, lead):
    data = _export(lead, world.project)
    fresh = _fresh_project(world)
    preview = _preview(lead, fresh, data)
    code(fresh, "Accès au logement")  # created meanwhile by someone else
    response = _confirm(lead, fresh, preview)
    page = _text(response)
    assert response.status_code == 200
    assert "Le livre de codes a changé depuis l’aperçu" in page
    assert "un code de ce nom existe déjà au même endroit" in page
    assert Code.objects.filter(project=fresh).count() == 1


def test_a_tampered_confirmation_creates_nothing(world, lead):
    fresh = _fresh_project(world)
    response = lead.post(
        reverse("evaluation:codebook_import", args=[fresh.pk]),
        {"action": "confirm", "payload": "pas du base64 !", "filename": "x.qdc", "digest": "0"},
    )
    assert response.status_code == 200
    assert "Le fichier n’a pas pu être relu" in _text(response)
    assert not Code.objects.filter(project=fresh).exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<CodeBook><Codes>", "livre.qdc", "n’est pas un livre de codes REFI-QDA valide"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
            + str(uuid.uuid4()).encode()
            + b'" name="&e;" isCodable="true"/></Codes></CodeBook>',
            "livre.qdc",
            "n’est pas un livre de codes REFI-QDA valide",
        ),
        (b"x" * (1024 * 1024 + 1), "livre.qdc", "Le fichier est trop volumineux (1 Mo au plus)."),
        (b"<CodeBook/>", "livre.docx", "Choisissez un fichier .qdc"),
    ],
    ids=["malformed", "entity", "oversized", "extension"],
)
def test_a_bad_file_gets_a_french_message_and_creates_nothing(world, lead, data, name, message):
    fresh = _fresh_project(world)
    response = _preview(lead, fresh, data, name)
    assert response.status_code == 200
    assert message in _text(response)
    assert "Importer ces codes" not in _text(response)
    assert not Code.objects.filter(project=fresh).exists()


def test_exporting_an_empty_codebook_says_so(world, lead):
    fresh = _fresh_project(world)
    response = lead.get(reverse("evaluation:codebook_qdc", args=[fresh.pk]), follow=True)
    assert "Le livre de codes est vide : il n’y a rien à exporter." in _text(response)
