"""A small codebook built with the ORM for the codebook's tests: a project led by
``t1-evaluation`` with ``t2-evaluation`` as coder, a tree of codes, two evaluative questions,
and two consented interviews with transcripts to code (one whose consent was withdrawn).
Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etage.accounts.models import User
from etage.evaluation.models import (
    Code,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    Project,
    ProjectMember,
    Segment,
    Transcript,
)
from etage.evaluation.models.choices import Criterion, StakeholderType

TEXT = (
    "[Enquêtrice] Comment s'est passé le premier contact ?\n"
    "[Ménage] On nous a appelés très vite après le premier impayé.\n"
    "[Enquêtrice] Et le bailleur ?\n"
    "[Ménage] Le gardien nous a orientés vers la conseillère sociale."
)


@dataclass
class CodebookWorld:
    project: Project
    lead: User
    coder: User
    outsider: User
    #: Accès (root) › Premier contact, Orientation ; Relations bailleur (root).
    access: Code
    first_contact: Code
    orientation: Code
    landlord: Code
    questions: list[EvaluativeQuestion]
    transcript: Transcript
    withdrawn: Transcript


def code(project: Project, name: str, parent: Code | None = None, **fields: object) -> Code:
    return Code.objects.create(project=project, name=name, parent=parent, **fields)


def transcript(
    project: Project, reference: str, by: User, *, withdrawn: bool = False
) -> Transcript:
    interview = Interview.objects.create(
        project=project,
        reference=reference,
        stakeholder_type=StakeholderType.HOUSEHOLD,
        held_on=date(2024, 3, 5),
        interviewer=by,
    )
    InterviewConsent.objects.create(
        interview=interview,
        given_on=date(2024, 3, 5),
        form="written",
        recorded_by=by,
        withdrawn_on=date(2024, 4, 1) if withdrawn else None,
    )
    return Transcript.objects.create(interview=interview, text=TEXT, uploaded_by=by)


def segment(
    t: Transcript, c: Code, coder: User, start: int, end: int, consensus: bool = False
) -> Segment:
    return Segment.objects.create(
        transcript=t,
        code=c,
        coder=coder,
        start=start,
        end=end,
        text=t.text[start:end],
        consensus=consensus,
    )


def build(people: dict[str, User]) -> CodebookWorld:
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    project = Project.objects.create(name="Évaluation du livre de codes", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    access = code(
        project,
        "Accès au logement",
        definition="Tout ce qui touche à l'entrée dans un logement.",
        include="Attribution, visite, bail.",
        exclude="Hébergement d'urgence.",
        example="« On a eu les clés en mars. »",
        color="#1F77B4",
        position=1,
    )
    questions = [
        EvaluativeQuestion.objects.create(
            project=project,
            number=1,
            text="La plateforme agit-elle plus tôt ?",
            criterion=Criterion.EFFECTIVENESS,
        ),
        EvaluativeQuestion.objects.create(
            project=project,
            number=2,
            text="Le coût est-il proportionné ?",
            criterion=Criterion.EFFICIENCY,
        ),
    ]
    access.questions.add(questions[0])
    return CodebookWorld(
        project=project,
        lead=lead,
        coder=coder,
        outsider=people["t3-evaluation"],
        access=access,
        first_contact=code(project, "Premier contact", access, position=1),
        orientation=code(project, "Orientation", access, position=2),
        landlord=code(project, "Relations avec le bailleur", position=2),
        questions=questions,
        transcript=transcript(project, "E01", lead),
        withdrawn=transcript(project, "E02", lead, withdrawn=True),
    )
