"""The REFI-QDA project export (.qdpx): a zip whose project.qde validates against the REFI-QDA
Project schema (tests/evaluation/schemas/Project-mrt2019.xsd), whose selections point at
exactly the coded words of the sources (positions in code points), and which leaves out every
interview without a valid consent."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from etage.accounts.models import User
from etage.evaluation.models import Memo, Project, ProjectMember, Segment
from etage.evaluation.qdpx import NAMESPACE, build_qdpx, guid
from tests.evaluation.retrieval_world import (
    NO_CONSENT_MARK,
    WITHDRAWN_MARK,
    RetrievalWorld,
    build_retrieval_world,
)

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).parent / "schemas" / "Project-mrt2019.xsd"
NS = {"q": NAMESPACE}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def world(demo_reference: dict[str, User]) -> RetrievalWorld:
    return build_retrieval_world(demo_reference)


@pytest.fixture
def archive(client, world) -> zipfile.ZipFile:
    client.force_login(world.coder)
    response = client.get(
        reverse("evaluation:project_qdpx", kwargs={"project_pk": world.project.pk})
    )
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="projet-{world.project.pk}.qdpx"'
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


def qde(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read("project.qde"))


def test_the_qdpx_is_a_zip_with_the_project_and_one_text_file_per_consented_source(archive, world):
    transcripts = [world.interviews[r].transcript for r in ("E01", "E02")]
    expected = {"project.qde"} | {f"sources/{guid('transcript', t.pk)}.txt" for t in transcripts}
    assert set(archive.namelist()) == expected
    for transcript in transcripts:
        data = archive.read(f"sources/{guid('transcript', transcript.pk)}.txt")
        assert not data.startswith(b"\xef\xbb\xbf")  # no BOM: positions start at the text
        assert data.decode("utf-8") == transcript.text


def test_the_project_validates_against_the_refi_qda_project_schema(archive, schema):
    document = etree.parse(io.BytesIO(archive.read("project.qde")))
    assert schema.validate(document), schema.error_log


def test_the_schema_is_not_a_rubber_stamp(archive, schema):
    root = qde(archive)
    selection = root.find(".//q:PlainTextSelection", NS)
    del selection.attrib["startPosition"]
    assert not schema.validate(etree.ElementTree(root))


def test_every_selection_is_exactly_the_coded_words_of_its_source(archive, world):
    root = qde(archive)
    segments = {guid("segment", s.pk): s for s in Segment.objects.select_related("code", "coder")}
    users = {u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    seen = []
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8")
        assert source.find("q:PlainTextContent", NS) is None  # the path, not both
        for selection in source.iterfind("q:PlainTextSelection", NS):
            segment = segments[selection.get("guid")]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == segment.text
            (coding,) = selection.iterfind("q:Coding", NS)
            code_ref = coding.find("q:CodeRef", NS).get("targetGUID")
            assert code_ref == str(segment.code.guid).upper()
            assert coding.get("creatingUser") == guid("user", segment.coder_id)
            assert coding.get("creatingUser") in users
            seen.append(segment.pk)
    usable = Segment.objects.filter(transcript__interview__reference__in=["E01", "E02"])
    assert sorted(seen) == sorted(usable.values_list("pk", flat=True))


def test_positions_are_code_points_not_utf16_units(archive, world):
    e01 = world.interviews["E01"].transcript
    segment = world.segments["e01_lead_early"]
    # The emoji before the coded words: one code point, two UTF-16 units.
    assert len(e01.text[: segment.start].encode("utf-16-le")) // 2 == segment.start + 1
    selection = qde(archive).find(
        f".//q:PlainTextSelection[@guid='{guid('segment', segment.pk)}']", NS
    )
    assert int(selection.get("startPosition")) == segment.start


def test_nothing_of_an_interview_without_a_valid_consent_is_exported(archive):
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert WITHDRAWN_MARK.encode() not in everything
    assert NO_CONSENT_MARK.encode() not in everything
    names = {s.get("name") for s in qde(archive).iterfind(".//q:TextSource", NS)}
    assert names == {"E01", "E02"}


def test_the_codebook_keeps_the_tree_and_closed_codes_are_not_codable(archive, world):
    root = qde(archive)
    codes = root.find("q:CodeBook/q:Codes", NS)
    early = codes.find(f"q:Code[@guid='{str(world.codes['early'].guid).upper()}']", NS)
    child = early.find(f"q:Code[@guid='{str(world.codes['contact'].guid).upper()}']", NS)
    assert child.get("name") == "Premier contact"
    assert "Critères d'inclusion :\nAppel, visite" in child.find("q:Description", NS).text
    assert early.get("color") == "#336699"
    closed = codes.find(f"q:Code[@guid='{str(world.codes['closed'].guid).upper()}']", NS)
    assert closed.get("isCodable") == "false"
    assert early.get("isCodable") == "true"


def test_memos_become_notes_referenced_from_what_they_are_about(archive, world):
    root = qde(archive)
    notes = {n.get("name"): n.get("guid") for n in root.iterfind("q:Notes/q:Note", NS)}
    assert set(notes) == {"Mémo général", "Sur le code", "Sur un segment"}  # not the withdrawn
    assert root.find("q:NoteRef", NS).get("targetGUID") == notes["Mémo général"]
    early = root.find(f".//q:Code[@guid='{str(world.codes['early'].guid).upper()}']", NS)
    assert early.find("q:NoteRef", NS).get("targetGUID") == notes["Sur le code"]
    selection = root.find(
        f".//q:PlainTextSelection[@guid='{guid('segment', world.segments['e01_lead_early'].pk)}']",
        NS,
    )
    assert selection.find("q:NoteRef", NS).get("targetGUID") == notes["Sur un segment"]
    note = root.find(f"q:Notes/q:Note[@guid='{notes['Sur le code']}']", NS)
    assert note.find("q:PlainTextContent", NS).text == "Définition à revoir."


def test_each_source_carries_the_interviews_attributes_as_variables(archive, world):
    root = qde(archive)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    e02 = root.find("q:Sources/q:TextSource[@name='E02']", NS)
    values = {
        variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.find("q:TextValue", NS).text
        for v in e02.iterfind("q:VariableValue", NS)
    }
    assert values == {
        "Type d'acteur": "Référent associatif",
        "Territoire": "Sans territoire",
        "Format de l'entretien": "Collectif",
    }


def test_identifiers_are_the_same_at_each_export(world):
    first = zipfile.ZipFile(io.BytesIO(build_qdpx(world.project, by=world.lead)))
    second = zipfile.ZipFile(io.BytesIO(build_qdpx(world.project, by=world.lead)))

    def guids(archive: zipfile.ZipFile) -> list[str]:
        return [e.get("guid") for e in qde(archive).iter() if e.get("guid")]

    assert guids(first) == guids(second)
    assert len(set(guids(first))) == len(guids(first))


def test_an_empty_project_still_gives_a_valid_file(world, schema):
    project = Project.objects.create(name="Vide", created_by=world.lead)
    ProjectMember.objects.create(project=project, user=world.lead, role=ProjectMember.Role.LEAD)
    archive = zipfile.ZipFile(io.BytesIO(build_qdpx(project, by=world.lead)))
    assert archive.namelist() == ["project.qde"]
    assert schema.validate(etree.parse(io.BytesIO(archive.read("project.qde"))))


def test_a_character_xml_cannot_carry_is_refused_in_french(client, world):
    Memo.objects.create(project=world.project, author=world.lead, title="Bip\x07", text="…")
    client.force_login(world.lead)
    url = reverse("evaluation:project_qdpx", kwargs={"project_pk": world.project.pk})
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "ne peut pas transporter" in response.content.decode()
