"""The evaluation matrix and the logic model: questions with their indicators, sources,
findings and recommendations; the excerpts that support each question; the version check;
members only."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from etage.accounts.models import User
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.evaluation.matrix import logic_model, question_rows
from etage.evaluation.models import (
    Code,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    LogicModelNode,
    Project,
    ProjectMember,
    Recommendation,
    Segment,
    Transcript,
)
from etage.evaluation.models.choices import ConsentForm, Criterion, LogicStage, StakeholderType

pytestmark = pytest.mark.django_db

TEXT = "Enquêteur : Comment s'est passé le premier contact ?\nMénage : Très bien, enfin quelqu'un."


@pytest.fixture
def people(demo_reference: dict[str, User]) -> dict[str, User]:
    return demo_reference


@pytest.fixture
def project(people: dict[str, User]) -> Project:
    project = Project.objects.create(name="Évaluation", created_by=people["t1-evaluation"])
    ProjectMember.objects.create(
        project=project, user=people["t1-evaluation"], role=ProjectMember.Role.LEAD
    )
    ProjectMember.objects.create(project=project, user=people["t2-evaluation"])
    return project


@pytest.fixture
def indicator() -> IndicatorDefinition:
    definition = IndicatorDefinition.objects.create(
        code="identified",
        family="activity",
        name="Situations repérées",
        definition="d",
        formula="f",
        unit="situations",
        final_after_months=3,
    )
    now = timezone.now()
    for period, value in (("2024", 40.0), ("2025", 52.0), ("2025-06", 5.0)):
        IndicatorValue.objects.create(
            code="identified",
            period=period,
            territory="",
            dimension="all",
            key="all",
            value=value,
            cases=int(value),
            computed_at=now,
            snapshot="x",
        )
    return definition


def _interview(
    project: Project, user: User, reference: str, *, quotation: bool = True
) -> Transcript:
    interview = Interview.objects.create(
        project=project,
        reference=reference,
        stakeholder_type=StakeholderType.HOUSEHOLD,
        held_on=dt.date(2025, 3, 1),
        interviewer=user,
    )
    InterviewConsent.objects.create(
        interview=interview,
        given_on=dt.date(2025, 3, 1),
        form=ConsentForm.WRITTEN,
        quotation=quotation,
        recorded_by=user,
    )
    return Transcript.objects.create(interview=interview, text=TEXT, uploaded_by=user)


def _segment(
    transcript: Transcript, code: Code, coder: User, *, consensus: bool = False
) -> Segment:
    start = TEXT.index("Très bien")
    return Segment.objects.create(
        transcript=transcript,
        code=code,
        coder=coder,
        start=start,
        end=len(TEXT),
        text=TEXT[start:],
        consensus=consensus,
    )


def test_a_member_adds_a_question_with_its_sources_and_sees_it_in_the_matrix(
    client_for, project, people, indicator
):
    code = Code.objects.create(project=project, name="Premier contact")
    client = client_for("t2-evaluation")
    response = client.post(
        reverse("evaluation:question_create", args=[project.pk]),
        {
            "number": 1,
            "text": "Le repérage précoce a-t-il évité des expulsions ?",
            "criterion": Criterion.EFFECTIVENESS,
            "judgement_criteria": "Part des ménages maintenus dans le logement",
            "indicators": [indicator.pk],
            "codes": [code.pk],
            "findings": "Oui, dans la plupart des cas.",
        },
    )
    assert response.status_code == 302
    question = EvaluativeQuestion.objects.get(project=project)
    assert list(question.codes.all()) == [code]
    page = client.get(reverse("evaluation:matrix", args=[project.pk])).content.decode()
    assert "Le repérage précoce a-t-il évité des expulsions ?" in page
    assert "Efficacité" in page
    # The latest yearly value, not a month.
    assert "52" in page
    assert "(2025)" in page


def test_the_same_number_twice_is_refused_in_french(client_for, project):
    EvaluativeQuestion.objects.create(project=project, number=1, text="A", criterion="impact")
    response = client_for("t1-evaluation").post(
        reverse("evaluation:question_create", args=[project.pk]),
        {"number": 1, "text": "B", "criterion": Criterion.IMPACT},
    )
    assert response.status_code == 200
    assert "La question 1 existe déjà dans ce projet" in response.content.decode()
    assert EvaluativeQuestion.objects.filter(project=project).count() == 1


def test_a_stale_edit_is_refused_and_changes_nothing(client_for, project):
    question = EvaluativeQuestion.objects.create(
        project=project, number=1, text="A", criterion="impact"
    )
    url = reverse("evaluation:question_edit", args=[project.pk, question.pk])
    client = client_for("t1-evaluation")
    first = {"number": 1, "text": "Première version", "criterion": "impact", "version": 1}
    assert client.post(url, first).status_code == 302
    second = {"number": 1, "text": "Écrasée ?", "criterion": "impact", "version": 1}
    response = client.post(url, second)
    assert "Quelqu'un d'autre a modifié cet élément entre-temps" in html.unescape(
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.text == "Première version"
    assert question.version == 2


def test_supporting_excerpts_come_from_the_questions_codes_with_quotable_consent(project, people):
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    question = EvaluativeQuestion.objects.create(
        project=project, number=1, text="Q", criterion="relevance"
    )
    linked = Code.objects.create(project=project, name="Confiance")
    linked.questions.add(question)
    other = Code.objects.create(project=project, name="Autre thème")
    quotable = _interview(project, lead, "E01")
    not_quotable = _interview(project, lead, "E02", quotation=False)
    kept = _segment(quotable, linked, coder)
    consensus = _segment(quotable, linked, lead, consensus=True)
    _segment(quotable, other, coder)
    _segment(not_quotable, linked, coder)
    # Another project's segment with a code of the same name is never used.
    elsewhere = Project.objects.create(name="Autre", created_by=lead)
    _segment(
        _interview(elsewhere, lead, "E01"),
        Code.objects.create(project=elsewhere, name="Confiance"),
        coder,
    )

    [row] = question_rows(project, excerpts_per_question=None)
    assert [e.segment for e in row.excerpts] == [consensus, kept]
    assert [(c.code, c.segments) for c in row.codes] == [(linked, 3)]


def test_the_question_page_shows_its_excerpts(client_for, project, people):
    question = EvaluativeQuestion.objects.create(
        project=project, number=2, text="Q2", criterion="coherence"
    )
    code = Code.objects.create(project=project, name="Confiance")
    code.questions.add(question)
    _segment(_interview(project, people["t1-evaluation"], "E07"), code, people["t2-evaluation"])
    page = client_for("t2-evaluation").get(
        reverse("evaluation:question", args=[project.pk, question.pk])
    )
    assert "Très bien, enfin quelqu" in page.content.decode()
    assert "E07" in page.content.decode()


def test_a_question_with_recommendations_cannot_be_deleted(client_for, project):
    question = EvaluativeQuestion.objects.create(
        project=project, number=1, text="Q", criterion="impact"
    )
    Recommendation.objects.create(project=project, question=question, text="Pérenniser")
    url = reverse("evaluation:question_delete", args=[project.pk, question.pk])
    client = client_for("t1-evaluation")
    response = client.post(url, follow=True)
    assert "Cette question a des recommandations" in html.unescape(response.content.decode())
    assert EvaluativeQuestion.objects.filter(pk=question.pk).exists()
    Recommendation.objects.all().delete()
    client.post(url)
    assert not EvaluativeQuestion.objects.filter(pk=question.pk).exists()


def test_recommendations_are_listed_by_priority(client_for, project):
    url = reverse("evaluation:recommendation_create", args=[project.pk])
    client = client_for("t1-evaluation")
    client.post(url, {"text": "Basse priorité", "priority": 3, "position": 0})
    client.post(url, {"text": "Haute priorité", "priority": 1, "position": 0})
    page = client.get(reverse("evaluation:matrix", args=[project.pk])).content.decode()
    assert page.index("Haute priorité") < page.index("Basse priorité")


def test_the_logic_model_reads_from_inputs_to_impact(client_for, project, indicator):
    client = client_for("t1-evaluation")
    url = reverse("evaluation:logic_node_create", args=[project.pk])
    for stage, text in (
        (LogicStage.IMPACT, "Moins d'expulsions"),
        (LogicStage.INPUTS, "Deux coordinatrices"),
        (LogicStage.OUTCOMES, "Dettes apurées"),
    ):
        client.post(
            url, {"stage": stage, "text": text, "position": 0, "indicators": [indicator.pk]}
        )
    columns = logic_model(project)
    assert [c.stage for c in columns] == [
        "inputs",
        "activities",
        "outputs",
        "outcomes",
        "impact",
    ]
    page = client.get(reverse("evaluation:logic_model", args=[project.pk])).content.decode()
    assert (
        page.index("Deux coordinatrices")
        < page.index("Dettes apurées")
        < page.index("Moins d&#x27;expulsions")
    )
    assert LogicModelNode.objects.filter(project=project).count() == 3


@pytest.mark.parametrize(
    "username", ["t3-evaluation", "t1-pilotage", "t1-coordination", "t1-admin"]
)
def test_non_members_get_404(client_for, project, username):
    question = EvaluativeQuestion.objects.create(
        project=project, number=1, text="Q", criterion="impact"
    )
    client = client_for(username)
    for url in (
        reverse("evaluation:matrix", args=[project.pk]),
        reverse("evaluation:question", args=[project.pk, question.pk]),
        reverse("evaluation:logic_model", args=[project.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("evaluation:question_edit", args=[project.pk, question.pk]),
        {"number": 1, "text": "Piraté", "criterion": "impact", "version": 1},
    )
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.text == "Q"


def test_an_object_of_another_project_is_not_reached_through_this_one(client_for, project, people):
    other = Project.objects.create(name="Autre", created_by=people["t1-evaluation"])
    question = EvaluativeQuestion.objects.create(
        project=other, number=1, text="Q", criterion="impact"
    )
    response = client_for("t1-evaluation").get(
        reverse("evaluation:question", args=[project.pk, question.pk])
    )
    assert response.status_code == 404
