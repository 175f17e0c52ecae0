"""A small evaluation project for the case-study tests, built with the ORM over a synthetic
snapshot (tests/analytics/logs.py): interviews of the three case sources with and without
consent, a coded transcript, a codebook tree and two evaluative questions. Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from etage.accounts.models import User
from etage.evaluation.models import (
    CaseStudy,
    Code,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    Project,
    ProjectMember,
    Segment,
    Transcript,
)
from etage.evaluation.sampling import outcome_family
from tests.analytics.logs import BuiltLog

TEXT = (
    "[Enquêtrice] Comment s'est passé le premier contact ?\n"
    "[Ménage] On nous a appelés très vite après le premier impayé.\n"
    "[Enquêtrice] Et ensuite ?\n"
    "[Ménage] Le référent est venu à la maison et a tout coordonné."
)
EARLY = "On nous a appelés très vite après le premier impayé."
TOGETHER = "Le référent est venu à la maison et a tout coordonné."


@dataclass
class CasesWorld:
    project: Project
    lead: User
    coder: User
    outsider: User
    interviews: dict[str, Interview]
    codes: dict[str, Code]
    questions: list[EvaluativeQuestion]


def snapshot_at(settings: Any, directory: Path) -> None:
    settings.ETAGE_SNAPSHOT_DIR = directory


def segment(transcript: Transcript, code: Code, coder: User, words: str, **extra: Any) -> Segment:
    start = transcript.text.index(words)
    return Segment.objects.create(
        transcript=transcript,
        code=code,
        coder=coder,
        start=start,
        end=start + len(words),
        text=words,
        **extra,
    )


#: reference → (stakeholder type, consent: "ok", "withdrawn" or "none")
INTERVIEWS = {
    "E01": ("household", "ok"),
    "E02": ("associative_referent", "ok"),
    "E03": ("landlord_social_worker", "ok"),
    "E04": ("household", "none"),
    "E05": ("household", "withdrawn"),
    "E06": ("coordinator", "ok"),
    "E07": ("household", "ok"),
}


def build_cases_world(people: dict[str, User], *, name: str = "Évaluation ETAGE") -> CasesWorld:
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    project = Project.objects.create(name=name, created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    parent = Code.objects.create(project=project, name="Repérage", position=1)
    codes = {
        "parent": parent,
        "early": Code.objects.create(
            project=project, parent=parent, name="Intervention précoce", position=1
        ),
        "coordination": Code.objects.create(project=project, name="Coordination", position=2),
        "closed": Code.objects.create(
            project=project, name="Ancien thème", position=3, is_active=False
        ),
    }
    interviews = {}
    for reference, (kind, consent) in INTERVIEWS.items():
        interview = Interview.objects.create(
            project=project,
            reference=reference,
            stakeholder_type=kind,
            held_on=date(2024, 3, 12),
            interviewer=lead,
        )
        if consent != "none":
            InterviewConsent.objects.create(
                interview=interview,
                given_on=date(2024, 3, 12),
                form="written",
                recorded_by=lead,
                withdrawn_on=date(2024, 9, 1) if consent == "withdrawn" else None,
            )
        transcript = Transcript.objects.create(interview=interview, text=TEXT, uploaded_by=lead)
        segment(transcript, codes["early"], lead, EARLY)
        segment(transcript, codes["coordination"], lead, TOGETHER)
        interviews[reference] = interview
    questions = [
        EvaluativeQuestion.objects.create(
            project=project,
            number=1,
            text="La plateforme repère-t-elle plus tôt ?",
            criterion="effectiveness",
        ),
        EvaluativeQuestion.objects.create(
            project=project, number=2, text="Le coût est-il proportionné ?", criterion="efficiency"
        ),
    ]
    return CasesWorld(project, lead, coder, people["t3-evaluation"], interviews, codes, questions)


def case_from(world: CasesWorld, row: dict[str, Any], title: str = "Cas 1") -> CaseStudy:
    """A case study of one situation of the synthetic snapshot."""
    return CaseStudy.objects.create(
        project=world.project,
        case_id=row["case_id"],
        title=title,
        territory=row["territory"],
        level=row["level"] or "",
        outcome=outcome_family(row["closed_day"] is not None, row["outcome"]),
    )


def with_events(built: BuiltLog, minimum: int = 3) -> dict[str, Any]:
    """A situation of the snapshot with at least ``minimum`` events."""
    counts: dict[str, int] = {}
    for event in built.events:
        counts[event["case_id"]] = counts.get(event["case_id"], 0) + 1
    return next(r for r in built.situations if counts.get(r["case_id"], 0) >= minimum)
