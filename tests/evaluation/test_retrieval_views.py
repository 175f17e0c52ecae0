"""Retrieval, matrices and their files (evaluation.md part C): members only, filters and
context, matrices equal to a brute force over the database, CSV/XLSX/DOCX content and
formula safety, and never anything from an interview without a valid consent."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo.reference import ROLE_SLUGS
from etage.evaluation.models import Segment
from tests.evaluation.retrieval_world import (
    NO_CONSENT_MARK,
    WITHDRAWN_MARK,
    RetrievalWorld,
    build_retrieval_world,
)

pytestmark = pytest.mark.django_db

URL_NAMES = (
    "evaluation:retrieval",
    "evaluation:segments_csv",
    "evaluation:segments_xlsx",
    "evaluation:segments_docx",
    "evaluation:code_matrix",
    "evaluation:cooccurrence",
    "evaluation:project_qdpx",
)


@pytest.fixture
def world(demo_reference: dict[str, User]) -> RetrievalWorld:
    return build_retrieval_world(demo_reference)


@pytest.fixture
def lead_client(client, world):
    client.force_login(world.lead)
    return client


def url(world: RetrievalWorld, name: str) -> str:
    return reverse(name, kwargs={"project_pk": world.project.pk})


def ids_on_page(response) -> set[int]:
    return {e.segment.pk for e in response.context["excerpts"]}


def usable(world: RetrievalWorld) -> list[Segment]:
    """Brute force: the segments of E01 and E02, the two interviews with a valid consent."""
    return [
        s
        for s in Segment.objects.select_related("transcript__interview")
        if s.transcript.interview.reference in ("E01", "E02")
    ]


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_an_evaluator_who_is_not_a_member_gets_404(client, world, demo_reference, name):
    client.force_login(demo_reference["t3-evaluation"])
    assert client.get(url(world, name)).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.EVALUATOR])
def test_other_roles_get_404_even_on_the_exports(client, world, demo_reference, role):
    client.force_login(demo_reference[f"t1-{ROLE_SLUGS[role]}"])
    for name in ("evaluation:retrieval", "evaluation:segments_csv", "evaluation:project_qdpx"):
        assert client.get(url(world, name)).status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_every_member_reaches_every_page_and_file(client, world, name):
    client.force_login(world.coder)
    assert client.get(url(world, name)).status_code == 200


# --- Retrieval ------------------------------------------------------------------------------


def test_the_retrieval_shows_only_interviews_with_a_valid_consent(lead_client, world):
    response = lead_client.get(url(world, "evaluation:retrieval"))
    assert ids_on_page(response) == {s.pk for s in usable(world)}
    body = response.content.decode()
    assert WITHDRAWN_MARK not in body
    assert NO_CONSENT_MARK not in body


def test_filter_by_code_with_and_without_its_sub_codes(lead_client, world):
    early = world.codes["early"]
    alone = lead_client.get(url(world, "evaluation:retrieval"), {"code": early.pk})
    assert ids_on_page(alone) == {s.pk for s in usable(world) if s.code_id == early.pk}
    family = {early.pk, world.codes["contact"].pk}
    with_children = lead_client.get(
        url(world, "evaluation:retrieval"), {"code": early.pk, "sous_codes": "1"}
    )
    assert ids_on_page(with_children) == {s.pk for s in usable(world) if s.code_id in family}


def test_filter_by_coder_leaves_out_the_reconciled_coding(lead_client, world):
    response = lead_client.get(url(world, "evaluation:retrieval"), {"codeur": world.lead.pk})
    expected = {s.pk for s in usable(world) if s.coder_id == world.lead.pk and not s.consensus}
    assert ids_on_page(response) == expected
    consensus = lead_client.get(url(world, "evaluation:retrieval"), {"codeur": "consensus"})
    assert ids_on_page(consensus) == {s.pk for s in usable(world) if s.consensus}


def test_filter_by_interview_attributes(lead_client, world):
    retrieval = url(world, "evaluation:retrieval")
    by_type = lead_client.get(retrieval, {"type": "associative_referent"})
    e02 = {s.pk for s in usable(world) if s.transcript.interview.reference == "E02"}
    assert ids_on_page(by_type) == e02
    assert ids_on_page(lead_client.get(retrieval, {"format": "collective"})) == e02
    assert ids_on_page(lead_client.get(retrieval, {"territoire": "aucun"})) == e02
    by_territory = lead_client.get(retrieval, {"territoire": world.territories[0].pk})
    assert ids_on_page(by_territory) == {s.pk for s in usable(world)} - e02
    by_interview = lead_client.get(retrieval, {"entretien": world.interviews["E02"].pk})
    assert ids_on_page(by_interview) == e02


def test_an_interview_whose_consent_was_withdrawn_cannot_be_chosen_into_view(lead_client, world):
    response = lead_client.get(
        url(world, "evaluation:retrieval"), {"entretien": world.interviews["E03"].pk}
    )
    assert response.status_code == 200
    assert ids_on_page(response) == set()
    assert WITHDRAWN_MARK not in response.content.decode()


def test_filter_by_cooccurrence_lists_the_overlapping_segments(lead_client, world):
    s = world.segments
    response = lead_client.get(
        url(world, "evaluation:retrieval"),
        {"code": world.codes["early"].pk, "avec": world.codes["coordination"].pk},
    )
    # Only the reconciled pair overlaps in one layer; the lead's early segment overlaps the
    # second coder's coordination segment, which does not count.
    assert ids_on_page(response) == {s["e01_cons_early"].pk}


def test_the_excerpt_is_marked_in_its_speaker_turn(lead_client, world):
    segment = world.segments["e01_lead_contact"]
    response = lead_client.get(
        url(world, "evaluation:retrieval"),
        {
            "code": world.codes["contact"].pk,
            "entretien": world.interviews["E01"].pk,
            "contexte": "tour",
        },
    )
    (excerpt,) = response.context["excerpts"]
    assert excerpt.segment.pk == segment.pk
    assert excerpt.context.before == "[Ménage] 😀 On nous a "
    assert excerpt.context.after == " le premier impayé."
    body = response.content.decode()
    assert '<mark><span class="visually-hidden">Début de l\'extrait : </span>' in body
    assert f'{segment.text}<span class="visually-hidden">' in body


def test_context_in_characters_follows_the_chosen_width(lead_client, world):
    response = lead_client.get(
        url(world, "evaluation:retrieval"),
        {
            "code": world.codes["coordination"].pk,
            "codeur": world.lead.pk,
            "caracteres": 5,
            "entretien": world.interviews["E01"].pk,
        },
    )
    (excerpt,) = response.context["excerpts"]
    assert excerpt.context.before == "est venu à la maison et "[-5:]
    assert excerpt.context.after == "."
    assert excerpt.context.clipped_before
    assert not excerpt.context.clipped_after


def test_an_excerpt_whose_quotation_was_not_agreed_says_so(lead_client, world):
    response = lead_client.get(
        url(world, "evaluation:retrieval"), {"entretien": world.interviews["E02"].pk}
    )
    assert all(not e.quotable for e in response.context["excerpts"])
    assert "ne pas citer" in response.content.decode().lower()


def test_the_results_are_paginated(lead_client, world):
    e01 = world.interviews["E01"].transcript
    for i in range(25):
        Segment.objects.create(
            transcript=e01,
            code=world.codes["coordination"],
            coder=world.coder,
            start=i,
            end=i + 1,
            text=e01.text[i],
        )
    retrieval = url(world, "evaluation:retrieval")
    first = lead_client.get(retrieval, {"codeur": world.coder.pk})
    second = lead_client.get(retrieval, {"codeur": world.coder.pk, "page": 2})
    assert len(first.context["excerpts"]) == 20
    assert first.context["page"].paginator.count == 27
    assert len(second.context["excerpts"]) == 7
    assert f"codeur={world.coder.pk}&amp;page=2" in first.content.decode()


def test_a_bad_filter_is_refused_in_french_without_a_500(lead_client, world):
    response = lead_client.get(
        url(world, "evaluation:retrieval"), {"code": "abc", "caracteres": "-3"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sélectionnez un choix valide" in body
    assert response.context["page"] is None


def test_a_code_of_another_project_is_refused(lead_client, world, demo_reference):
    other = build_retrieval_world(demo_reference)
    response = lead_client.get(
        url(world, "evaluation:retrieval"), {"code": other.codes["early"].pk}
    )
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_empty_states_say_what_to_do(lead_client, world):
    none = lead_client.get(
        url(world, "evaluation:retrieval"),
        {"code": world.codes["closed"].pk, "codeur": world.lead.pk},
    )
    assert "Aucun segment codé ne correspond" in none.content.decode()
    Segment.objects.all().delete()
    empty = lead_client.get(url(world, "evaluation:retrieval"))
    assert "Rien n'est encore codé" in empty.content.decode()


# --- Matrices -------------------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["type", "territoire", "format"])
@pytest.mark.parametrize("sub_codes", [False, True])
def test_the_code_matrix_equals_a_brute_force_over_the_database(
    lead_client, world, attribute, sub_codes
):
    params = {"attribut": attribute}
    if sub_codes:
        params["sous_codes"] = "1"
    table = lead_client.get(url(world, "evaluation:code_matrix"), params).context["table"]

    def key(interview):
        if attribute == "type":
            return interview.stakeholder_type
        if attribute == "format":
            return interview.mode
        return str(interview.territory_id) if interview.territory_id else "aucun"

    children = {world.codes["early"].pk: {world.codes["contact"].pk}}
    for row in table.rows:
        codes = {row.node.code.pk} | (children.get(row.node.code.pk, set()) if sub_codes else set())
        for column, cell in zip(table.columns, row.cells, strict=True):
            kept = [
                s
                for s in usable(world)
                if s.code_id in codes and key(s.transcript.interview) == column.key
            ]
            got = (cell.segments, cell.interviews) if cell else (0, 0)
            assert got == (len(kept), len({s.transcript.interview_id for s in kept}))
    assert table.total.segments == len(usable(world))


def test_a_matrix_cell_opens_the_segments_it_counts(lead_client, world):
    response = lead_client.get(url(world, "evaluation:code_matrix"), {"attribut": "type"})
    rows = response.context["rows"]
    _row, cells, _total = next(r for r in rows if r[0].node.code.pk == world.codes["early"].pk)
    column = response.context["table"].columns.index(
        next(c for c in response.context["table"].columns if c.key == "household")
    )
    linked = lead_client.get(cells[column].url)
    assert len(ids_on_page(linked)) == cells[column].cell.segments == 2
    assert "Ménage" in response.content.decode()


def test_the_cooccurrence_page_counts_pairs_within_one_coding(lead_client, world):
    response = lead_client.get(url(world, "evaluation:cooccurrence"))
    table = response.context["table"]
    index = {n.code.pk: i for i, n in enumerate(table.nodes)}
    counts = {
        (table.nodes[i].code.pk, table.nodes[j].code.pk): c
        for i, row in enumerate(table.rows)
        for j, c in enumerate(row.counts)
    }
    early, contact, coord = (world.codes[k].pk for k in ("early", "contact", "coordination"))
    assert counts[(early, contact)] == 1  # the lead's two overlapping segments in E01
    assert counts[(early, coord)] == 1  # the reconciled pair; the cross-coder one is not
    assert counts[(contact, coord)] == 0  # E02's touching spans do not overlap
    assert counts[(early, early)] == 2
    assert world.codes["closed"].pk in index  # a closed code keeps its segments
    only_consensus = lead_client.get(url(world, "evaluation:cooccurrence"), {"codeur": "consensus"})
    assert [n.code.pk for n in only_consensus.context["table"].nodes] == [early, coord]


# --- Files ----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_holds_the_filtered_segments_and_cannot_run_a_formula(lead_client, world):
    response = lead_client.get(
        url(world, "evaluation:segments_csv"), {"entretien": world.interviews["E02"].pk}
    )
    assert response["Content-Disposition"].endswith('.csv"')
    header, *lines = read_csv(response)
    assert header[0] == "entretien"
    assert len(lines) == 4
    assert all(line[0] == "E02" for line in lines)
    cells = [cell for line in lines for cell in line]
    assert "'=1+1" in cells
    assert "'=SOMME(A1) nous tenons" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert {line[header.index("citation autorisée")] for line in lines} == {"non"}


def test_the_csv_of_everything_leaves_out_the_interviews_without_consent(lead_client, world):
    _header, *lines = read_csv(lead_client.get(url(world, "evaluation:segments_csv")))
    assert len(lines) == len(usable(world))
    assert {line[0] for line in lines} == {"E01", "E02"}


def test_the_xlsx_holds_text_cells_never_formulas(lead_client, world):
    from openpyxl import load_workbook

    response = lead_client.get(url(world, "evaluation:segments_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows()]
    assert len(values) == 1 + len(usable(world))
    for row in values:
        for cell in row:
            assert cell.data_type != "f"
    texts = {cell.value for row in values for cell in row}
    assert "'=1+1" in texts
    header = [c.value for c in values[0]]
    starts = {row[header.index("début")].value for row in values[1:]}
    assert all(isinstance(v, int) for v in starts)


def test_a_bad_export_filter_goes_back_to_the_page_with_the_errors(lead_client, world):
    response = lead_client.get(url(world, "evaluation:segments_xlsx"), {"code": "999999"})
    assert response.status_code == 302
    page = lead_client.get(response["Location"])
    assert "Sélectionnez un choix valide" in page.content.decode()


def test_the_docx_groups_the_excerpts_by_code_and_flags_those_not_to_quote(lead_client, world):
    from docx import Document

    response = lead_client.get(url(world, "evaluation:segments_docx"))
    doc = Document(io.BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert "Repérage (2)" in headings
    assert "Repérage › Premier contact (2)" in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Puis nous appelons" in text
    assert "CITATION NON AUTORISÉE" in text
    assert WITHDRAWN_MARK not in text
    assert NO_CONSENT_MARK not in text
    marked = [r.text for p in doc.paragraphs for r in p.runs if r.bold and p.style.name == "Quote"]
    assert "On nous a appelés très vite" in marked
    assert zipfile.is_zipfile(io.BytesIO(response.content))
