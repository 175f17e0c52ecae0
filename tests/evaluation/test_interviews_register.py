"""The interview register: its rows and words, filters, counts, CSV export, creating and
editing an interview (unique reference, version check), and members only on every page."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.roles import Role
from etage.demo.reference import ROLE_SLUGS
from etage.evaluation.models import CaseStudy, Interview, Project
from etage.evaluation.models.choices import InterviewMode, StakeholderType
from etage.territories.models import Territory
from tests.evaluation.interviews_world import add_interview

pytestmark = pytest.mark.django_db
#: The project with its lead (t1-evaluation) and coder (t2-evaluation).
pytest_plugins = ["tests.evaluation.interviews_fixtures"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _register(client: Client, project: Project, **query: str) -> str:
    response = client.get(reverse("evaluation:interviews", args=[project.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def _csv(client: Client, project: Project, **query: str) -> list[list[str]]:
    response = client.get(reverse("evaluation:interviews_csv", args=[project.pk]), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8")
    return [line.split(";") for line in text.lstrip("\ufeff").splitlines()]


@pytest.fixture
def territories() -> list[Territory]:
    return list(Territory.objects.order_by("code")[:2])


@pytest.fixture
def filled(project: Project, territories: list[Territory]) -> Project:
    case = CaseStudy.objects.create(project=project, case_id="K1", title="Cas Nord")
    add_interview(project, "E01", territory=territories[0], transcript="a", case_study=case)
    add_interview(project, "E02", territory=territories[1], consent="withdrawn")
    add_interview(
        project,
        "E03",
        stakeholder_type=StakeholderType.ASSOCIATIVE_REFERENT,
        territory=territories[0],
        consent="missing",
        mode=InterviewMode.COLLECTIVE,
        participants=4,
    )
    return project


def test_the_register_shows_each_interview_in_words_with_french_dates(filled, lead):
    page = _register(_client(lead), filled)
    assert "12/03/2025" in page
    for words in ("Donné", "Retiré", "Manquant"):
        assert words in page
    assert "Oui (2 remplacements)" in page
    assert "Cas Nord" in page
    assert "Collectif" in page
    assert "3 entretiens affichés sur 3." in page


def test_filters_by_stakeholder_type_territory_and_consent(filled, lead, territories):
    client = _client(lead)
    by_type = _register(client, filled, type=StakeholderType.ASSOCIATIVE_REFERENT)
    assert "E03" in by_type
    assert "E01" not in by_type
    assert "E02" not in by_type
    by_territory = _register(client, filled, territoire=str(territories[1].pk))
    assert "E02" in by_territory
    assert "E01" not in by_territory
    for status, expected in (("given", "E01"), ("withdrawn", "E02"), ("missing", "E03")):
        page = _register(client, filled, consentement=status)
        assert "1 entretien affiché sur 3." in page
        assert f">{expected}</a>" in page


def test_an_unknown_filter_value_is_ignored_and_the_others_still_apply(filled, lead):
    page = _register(_client(lead), filled, consentement="given", type="nope")
    assert "1 entretien affiché sur 3." in page


def test_counts_per_stakeholder_type_follow_the_filters(filled, lead):
    client = _client(lead)
    page = _register(client, filled)
    assert '<th scope="row">Ménage</th><td>2</td>' in page
    assert '<th scope="row">Référent associatif</th><td>1</td>' in page
    filtered = _register(client, filled, consentement="missing")
    assert '<th scope="row">Ménage</th>' not in filtered


def test_empty_register_and_empty_filter_say_what_to_do(project, lead, filled):
    client = _client(lead)
    empty = Project.objects.create(name="Vide", created_by=lead)
    empty.members.create(user=lead, role="lead")
    assert 'data-testid="no-interview"' in _register(client, empty)
    page = _register(client, filled, type=StakeholderType.INSTITUTION)
    assert 'data-testid="no-match"' in page
    assert "Aucun entretien ne correspond à ces filtres." in page


def test_the_csv_has_the_filtered_rows_in_french_and_no_names(filled, lead, coder):
    rows = _csv(_client(coder), filled, consentement="given")
    header, *body = rows
    assert header[0] == "Référence"
    assert "Consentement" in header
    assert [row[0] for row in body] == ["E01"]
    assert body[0][4] == "12/03/2025"
    assert body[0][7] == "Donné"
    assert body[0][-1] == "Cas Nord"
    text = ";".join(";".join(row) for row in rows)
    for name in (lead.last_name, lead.first_name, lead.username):
        assert name not in text


def test_the_csv_neutralises_formulas(project, lead):
    case = CaseStudy.objects.create(project=project, case_id="K9", title="=HYPERLINK(1)")
    add_interview(project, "+E1", case_study=case)
    (_header, row) = _csv(_client(lead), project)
    assert row[0] == "'+E1"
    assert row[-1] == "'=HYPERLINK(1)"


# --- Create and edit --------------------------------------------------------------------------


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "reference": "E10",
        "stakeholder_type": StakeholderType.LANDLORD_SOCIAL_WORKER,
        "organisation": "",
        "territory": "",
        "held_on": "2025-05-02",
        "mode": InterviewMode.INDIVIDUAL,
        "participants": "1",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_an_evaluator_creates_an_interview_and_is_its_interviewer(project, coder):
    response = _client(coder).post(
        reverse("evaluation:interview_create", args=[project.pk]), _form()
    )
    interview = Interview.objects.get(project=project, reference="E10")
    assert response.status_code == 302
    assert interview.interviewer == coder
    assert interview.held_on == dt.date(2025, 5, 2)


def test_a_reference_is_unique_in_its_project_with_a_french_message(project, lead):
    add_interview(project, "E10")
    response = _client(lead).post(
        reverse("evaluation:interview_create", args=[project.pk]), _form()
    )
    assert response.status_code == 200
    assert "La référence E10 est déjà utilisée dans ce projet" in response.content.decode()
    assert Interview.objects.filter(project=project).count() == 1


def test_the_same_reference_is_free_in_another_project(project, lead):
    other = Project.objects.create(name="Autre", created_by=lead)
    other.members.create(user=lead, role="lead")
    add_interview(other, "E10")
    _client(lead).post(reverse("evaluation:interview_create", args=[project.pk]), _form())
    assert Interview.objects.filter(project=project, reference="E10").exists()


def test_a_collective_interview_needs_two_participants(project, lead):
    response = _client(lead).post(
        reverse("evaluation:interview_create", args=[project.pk]),
        _form(mode=InterviewMode.COLLECTIVE, participants="1"),
    )
    assert "Un entretien collectif réunit au moins deux participants." in (
        response.content.decode()
    )
    assert not Interview.objects.exists()


def test_a_social_security_number_in_the_notes_is_refused(project, lead):
    response = _client(lead).post(
        reverse("evaluation:interview_create", args=[project.pk]),
        _form(notes="NIR 1 85 05 78 006 084 36"),
    )
    assert response.status_code == 200
    assert "numéro de sécurité sociale" in response.content.decode()
    assert not Interview.objects.exists()


def test_an_edit_is_saved_and_bumps_the_version(project, lead):
    interview = add_interview(project, "E01")
    url = reverse("evaluation:interview_edit", args=[project.pk, interview.pk])
    response = _client(lead).post(url, _form(reference="E01b", version="1"))
    interview.refresh_from_db()
    assert response.status_code == 302
    assert (interview.reference, interview.version) == ("E01b", 2)


def test_a_stale_edit_is_refused_and_changes_nothing(project, lead, coder):
    interview = add_interview(project, "E01")
    url = reverse("evaluation:interview_edit", args=[project.pk, interview.pk])
    assert _client(coder).post(url, _form(reference="E01", version="1")).status_code == 302
    response = _client(lead).post(url, _form(reference="E99", participants="3", version="1"))
    interview.refresh_from_db()
    assert response.status_code == 200
    assert "a modifié cet élément entre-temps" in response.content.decode()
    assert interview.reference == "E01"
    assert interview.participants == 1


def test_editing_to_another_interviews_reference_is_refused(project, lead):
    add_interview(project, "E01")
    second = add_interview(project, "E02")
    url = reverse("evaluation:interview_edit", args=[project.pk, second.pk])
    response = _client(lead).post(url, _form(reference="E01", version="1"))
    assert "La référence E01 est déjà utilisée" in response.content.decode()
    second.refresh_from_db()
    assert second.reference == "E02"


def test_the_interview_page_shows_metadata_consent_turns_and_memos(project, lead):
    from etage.evaluation.models import Memo

    interview = add_interview(
        project, "E01", transcript="Enquêtrice : Bonjour.\nPersonne 1 : Bonjour à vous."
    )
    Memo.objects.create(
        project=project, author=lead, title="m", text="t", transcript=interview.transcript
    )
    page = (
        _client(lead)
        .get(reverse("evaluation:interview", args=[project.pk, interview.pk]))
        .content.decode()
    )
    assert "État :</strong> Donné" in page
    assert '<strong class="transcript__speaker">Personne 1 :</strong> Bonjour à vous.' in page
    assert 'data-testid="memo-count">1<' in page


# --- Access -----------------------------------------------------------------------------------

PAGES = [
    ("evaluation:interviews", False),
    ("evaluation:interviews_csv", False),
    ("evaluation:interview_create", False),
    ("evaluation:interview", True),
    ("evaluation:interview_edit", True),
    ("evaluation:interview_consent", True),
    ("evaluation:interview_consent_withdraw", True),
    ("evaluation:transcript_upload", True),
]


def _url(name: str, with_pk: bool, project: Project, interview: Interview) -> str:
    args = [project.pk, interview.pk] if with_pk else [project.pk]
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "with_pk"), PAGES)
def test_members_reach_every_page(project, coder, name, with_pk):
    interview = add_interview(project, "E01")
    assert _client(coder).get(_url(name, with_pk, project, interview)).status_code == 200


@pytest.mark.parametrize(("name", "with_pk"), PAGES)
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.EVALUATOR])
def test_other_roles_get_a_404_everywhere(project, people, name, with_pk, role):
    interview = add_interview(project, "E01")
    client = _client(people[f"t1-{ROLE_SLUGS[role]}"])
    url = _url(name, with_pk, project, interview)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reference": "X"}).status_code in (404, 405)
    assert Interview.objects.get().reference == "E01"


@pytest.mark.parametrize(("name", "with_pk"), PAGES)
def test_an_evaluator_who_is_not_a_member_gets_a_404(project, people, name, with_pk):
    interview = add_interview(project, "E01")
    client = _client(people["t3-evaluation"])
    url = _url(name, with_pk, project, interview)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in (404, 405)


def test_anonymous_visitors_are_sent_to_the_login_page(project):
    interview = add_interview(project, "E01")
    response = Client().get(reverse("evaluation:interview", args=[project.pk, interview.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_interview_under_another_projects_number_is_a_404(project, lead):
    other = Project.objects.create(name="Autre", created_by=lead)
    other.members.create(user=lead, role="lead")
    foreign = add_interview(other, "X1")
    client = _client(lead)
    for name in (
        "evaluation:interview",
        "evaluation:interview_edit",
        "evaluation:transcript_upload",
    ):
        assert client.get(reverse(name, args=[project.pk, foreign.pk])).status_code == 404


def test_the_type_of_an_interview_attached_to_a_case_is_not_changed_here(project, lead):
    case = CaseStudy.objects.create(project=project, case_id="K1", title="Cas Nord")
    interview = add_interview(project, "E01", case_study=case)
    url = reverse("evaluation:interview_edit", args=[project.pk, interview.pk])
    response = _client(lead).post(url, _form(reference="E01", version="1"))
    assert "retirez-le du cas avant de changer son type d'acteur" in html.unescape(
        response.content.decode()
    )
    interview.refresh_from_db()
    assert interview.stakeholder_type == StakeholderType.HOUSEHOLD
