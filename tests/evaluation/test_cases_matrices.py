"""The triangulation matrix of a case (theme × source) and the cross-case matrix (case ×
evaluative question): rows and counts, edits in place (HTMX) or on a page, stale versions,
and deny by default on every case-study URL."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation import services_cases
from etage.evaluation.models import (
    CaseDraw,
    CaseStudy,
    Code,
    CrossCaseCell,
    Interview,
    TimelinePin,
    TriangulationCell,
)
from etage.evaluation.selectors_cases import triangulation_grid
from etage.evaluation.services import EvaluationError
from tests.evaluation.cases_world import (
    EARLY,
    CasesWorld,
    build_cases_world,
    case_from,
)

pytestmark = pytest.mark.django_db
#: The snapshot fixtures (built, snapshot, no_snapshot).
pytest_plugins = ["tests.evaluation.cases_fixtures"]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CasesWorld:
    return build_cases_world(demo_reference)


@pytest.fixture
def case(world: CasesWorld, built: Any) -> CaseStudy:
    case = case_from(world, built.situations[0])
    for reference in ("E01", "E03"):
        interview = world.interviews[reference]
        services_cases.case_attach_interview(
            case=case, interview_pk=interview.pk, slot=interview.stakeholder_type
        )
    return case


def _url(name: str, world: CasesWorld, **kwargs: Any) -> str:
    return reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk, **kwargs})


def _tri(world: CasesWorld, case: CaseStudy, theme: Code, source: str) -> str:
    return _url("case_triangulation_cell", world, pk=case.pk) + f"?theme={theme.pk}&source={source}"


def _cross(world: CasesWorld, case: CaseStudy, number: int) -> str:
    question = world.questions[number - 1]
    return _url("cross_case_cell", world) + f"?case={case.pk}&question={question.pk}"


# -- triangulation ---------------------------------------------------------------------------


def test_themes_are_the_active_top_level_codes_and_counts_include_child_codes(world, case):
    grid = triangulation_grid(case)
    assert [row.theme.name for row in grid] == ["Repérage", "Coordination"]
    counts = {
        (row.theme.name, cell.source): len(cell.segments) for row in grid for cell in row.cells
    }
    # E01 (household) and E03 (landlord social worker) each have one "early" segment, coded
    # with the child of Repérage, and one "coordination" segment; E02 is not attached.
    assert counts[("Repérage", "household")] == 1
    assert counts[("Repérage", "landlord_social_worker")] == 1
    assert counts[("Repérage", "associative_referent")] == 0
    assert counts[("Repérage", "pathway")] == 0
    assert counts[("Coordination", "household")] == 1


def test_the_triangulation_page_links_counts_to_their_excerpts(client, world, case):
    client.force_login(world.coder)
    page = client.get(_url("case_triangulation", world, pk=case.pk)).content.decode()
    parent = world.codes["parent"]
    anchor = f"extraits-{parent.pk}-household"
    assert f'href="#{anchor}"' in page
    assert f'id="{anchor}"' in page
    assert EARLY in page
    assert "Pas encore jugé" in page


def test_a_cell_is_edited_in_place_then_a_stale_edit_is_refused(client, world, case):
    client.force_login(world.lead)
    theme = world.codes["coordination"]
    url = _tri(world, case, theme, "household")
    editor = client.get(url, **HTMX)
    assert editor.status_code == 200
    assert "<form" in editor.content.decode()
    assert "<html" not in editor.content.decode()
    response = client.post(
        url, {"verdict": "diverges", "text": "Le ménage nuance.", "version": 0}, **HTMX
    )
    body = response.content.decode()
    assert "Diverge" in body
    assert "≠" in body
    assert "<form" not in body
    cell = TriangulationCell.objects.get(case_study=case, theme=theme, source="household")
    assert (cell.verdict, cell.comment, cell.version) == ("diverges", "Le ménage nuance.", 1)
    for stale_version in (0, 5):
        response = client.post(
            url, {"verdict": "converges", "text": "", "version": stale_version}, **HTMX
        )
        assert "entre-temps" in response.content.decode()
    cell.refresh_from_db()
    assert cell.verdict == "diverges"
    response = client.post(url, {"verdict": "converges", "text": "Rejoint.", "version": 1})
    assert response.status_code == 302
    cell.refresh_from_db()
    assert (cell.verdict, cell.version) == ("converges", 2)


def test_a_cell_without_javascript_is_edited_on_its_own_page(client, world, case):
    client.force_login(world.lead)
    url = _tri(world, case, world.codes["parent"], "pathway")
    page = client.get(url).content.decode()
    assert "<html" in page
    assert 'name="verdict"' in page
    response = client.post(url, {"verdict": "maybe", "text": "", "version": 0})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TriangulationCell.objects.exists()


def test_a_theme_of_another_project_is_not_found(client, world, case, demo_reference):
    other = build_cases_world(demo_reference, name="Autre")
    client.force_login(world.lead)
    url = _tri(world, case, other.codes["parent"], "household")
    assert client.get(url).status_code == 404
    assert client.post(url, {"verdict": "silent", "version": 0}).status_code == 404
    with pytest.raises(EvaluationError):
        services_cases.triangulation_save(
            case=case,
            theme=other.codes["parent"],
            source="household",
            verdict="silent",
            comment="",
            version=0,
        )


def test_a_cell_address_without_a_theme_goes_back_to_the_matrix(client, world, case):
    client.force_login(world.lead)
    response = client.get(_url("case_triangulation_cell", world, pk=case.pk) + "?source=x")
    assert response.status_code == 302


# -- cross-case ------------------------------------------------------------------------------


def test_cross_case_cells_are_edited_and_summarised_per_question(client, world, case, built):
    second = case_from(world, built.situations[1], title="Cas 2")
    client.force_login(world.lead)
    client.post(
        _cross(world, case, 1), {"verdict": "converges", "text": "Repéré tôt.", "version": 0}
    )
    response = client.post(
        _cross(world, second, 1), {"verdict": "diverges", "text": "Tard.", "version": 0}, **HTMX
    )
    body = response.content.decode()
    assert "Diverge" in body
    assert 'hx-swap-oob="true"' in body
    assert "1 diverge" in body
    page = client.get(_url("cross_case", world)).content.decode()
    summary = page.split('data-testid="summary-q1"')[1].split("</span>\n")[0]
    assert "1 converge" in summary
    assert "1 diverge" in summary
    assert "0 muet" in summary
    q2 = page.split('data-testid="summary-q2"')[1]
    assert "2 pas encore jugés" in q2
    assert CrossCaseCell.objects.get(case_study=case).finding == "Repéré tôt."


def test_a_stale_cross_case_edit_changes_nothing(client, world, case):
    client.force_login(world.lead)
    url = _cross(world, case, 2)
    client.post(url, {"verdict": "silent", "text": "", "version": 0})
    response = client.post(url, {"verdict": "converges", "text": "Plus tard", "version": 0})
    assert response.status_code == 200
    assert "entre-temps" in response.content.decode()
    cell = CrossCaseCell.objects.get(case_study=case)
    assert (cell.verdict, cell.version) == ("silent", 1)


def test_the_cross_case_matrix_says_what_to_do_when_empty(client, world):
    client.force_login(world.lead)
    page = client.get(_url("cross_case", world)).content.decode()
    assert 'data-testid="no-case"' in page


# -- deny by default -------------------------------------------------------------------------


def _every_url(world: CasesWorld, case: CaseStudy) -> list[tuple[str, str]]:
    draw = CaseDraw.objects.create(project=world.project, draw={}, seed=1, created_by=world.lead)
    interview = Interview.objects.get(case_study=case, stakeholder_type="household")
    coded = interview.transcript.segments.first()
    assert coded is not None
    pin = TimelinePin.objects.create(
        case_study=case,
        segment=coded,
        activity="identified",
        day=0,
    )
    return [
        ("get", _url("cases", world)),
        ("get", _url("case_draw", world)),
        ("post", _url("case_draw", world)),
        ("post", _url("case_draw_verify", world, pk=draw.pk)),
        ("get", _url("case", world, pk=case.pk)),
        ("post", _url("case_summary", world, pk=case.pk)),
        ("post", _url("case_attach", world, pk=case.pk)),
        ("post", _url("case_detach", world, pk=interview.pk)),
        ("post", _url("case_pin", world, pk=case.pk)),
        ("post", _url("case_unpin", world, pk=pin.pk)),
        ("get", _url("case_triangulation", world, pk=case.pk)),
        ("get", _tri(world, case, world.codes["parent"], "household")),
        ("post", _tri(world, case, world.codes["parent"], "household")),
        ("get", _url("cross_case", world)),
        ("get", _cross(world, case, 1)),
        ("post", _cross(world, case, 1)),
    ]


@pytest.mark.parametrize("username", ["t3-evaluation", "t1-coordination", "t1-dpd", "t1-admin"])
def test_non_members_get_404_everywhere_and_change_nothing(
    client, world, case, demo_reference, username
):
    urls = _every_url(world, case)
    client.force_login(demo_reference[username])
    for method, url in urls:
        response = getattr(client, method)(url, {"verdict": "silent", "version": 0})
        assert response.status_code == 404, (method, url, response.status_code)
    assert Interview.objects.filter(case_study=case).count() == 2
    assert TimelinePin.objects.count() == 1
    assert not TriangulationCell.objects.exists()
    assert not CrossCaseCell.objects.exists()


def test_the_anonymous_visitor_is_sent_to_the_login_page(client, world, case):
    for method, url in _every_url(world, case):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_case_of_another_project_is_not_found_for_a_member(client, world, case, demo_reference):
    other = build_cases_world(demo_reference, name="Autre")
    client.force_login(world.lead)
    assert (
        client.get(
            reverse("evaluation:case", kwargs={"project_pk": other.project.pk, "pk": case.pk})
        ).status_code
        == 404
    )
    url = reverse("evaluation:case", kwargs={"project_pk": world.project.pk, "pk": case.pk + 999})
    assert client.get(url).status_code == 404
