"""A small evaluation project for the coding tests, built with the ORM: two member coders (the
lead t1-evaluation and t2-evaluation), an evaluator who is not a member (t3-evaluation), an
interview with a valid consent and its pseudonymised transcript of six speaker turns, one
without consent and one whose consent was withdrawn, and a codebook with three active codes
and a closed one. Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from etage.accounts.models import User
from etage.evaluation.models import (
    Code,
    Interview,
    InterviewConsent,
    Project,
    ProjectMember,
    Segment,
    Transcript,
)

#: Six turns with text (turn numbers 1 to 6), two sentences in turn 2.
TEXT = (
    "[Enquêteur·rice] Comment s'est passé le premier contact ?\n"
    "[Personne 1] On nous a appelés très vite après le premier impayé. "
    "Ça nous a rassurés.\n"
    "[Enquêteur·rice] Et le bailleur ?\n"
    "[Personne 1] Le bailleur a suspendu la procédure pendant deux mois.\n"
    "[Enquêteur·rice] Et le référent ?\n"
    "[Personne 1] Le référent est venu à la maison et a tout coordonné."
)
CALLED = "On nous a appelés très vite après le premier impayé."
REASSURED = "Ça nous a rassurés."
SUSPENDED = "Le bailleur a suspendu la procédure pendant deux mois."
CAME = "Le référent est venu à la maison et a tout coordonné."
#: The words of each turn (the unit of agreement), by turn number.
TURNS = {
    1: "Comment s'est passé le premier contact ?",
    2: f"{CALLED} {REASSURED}",
    3: "Et le bailleur ?",
    4: SUSPENDED,
    5: "Et le référent ?",
    6: CAME,
}


@dataclass
class CodingWorld:
    project: Project
    lead: User
    coder: User
    outsider: User
    interview: Interview
    transcript: Transcript
    #: Interviews without a valid consent: "missing" and "withdrawn", each with a transcript.
    unusable: dict[str, Transcript]
    codes: dict[str, Code]


def words_at(transcript: Transcript, words: str) -> tuple[int, int]:
    start = transcript.text.index(words)
    return start, start + len(words)


def code(transcript: Transcript, code: Code, coder: User, words: str, **extra: Any) -> Segment:
    start, end = words_at(transcript, words)
    return Segment.objects.create(
        transcript=transcript, code=code, coder=coder, start=start, end=end, text=words, **extra
    )


def code_turns(
    transcript: Transcript, code_: Code, coder: User, turns: list[int], *, part: bool = False
) -> list[Segment]:
    """``coder`` codes each of ``turns`` with ``code_``: the whole turn, or only its first
    three words (``part``), which is the same decision at the turn level."""
    made = []
    for number in turns:
        words = TURNS[number]
        made.append(code(transcript, code_, coder, " ".join(words.split()[:3]) if part else words))
    return made


def add_transcript(
    project: Project, reference: str, lead: User, *, consent: str = "given"
) -> Transcript:
    return Transcript.objects.create(
        interview=_interview(project, reference, lead, consent), text=TEXT, uploaded_by=lead
    )


def _interview(project: Project, reference: str, lead: User, consent: str) -> Interview:
    interview = Interview.objects.create(
        project=project,
        reference=reference,
        stakeholder_type="household",
        held_on=date(2025, 3, 4),
        interviewer=lead,
    )
    if consent != "missing":
        InterviewConsent.objects.create(
            interview=interview,
            given_on=date(2025, 3, 4),
            form="written",
            recorded_by=lead,
            withdrawn_on=date(2025, 4, 1) if consent == "withdrawn" else None,
        )
    return interview


def build_coding_world(people: dict[str, User], *, name: str = "Évaluation ETAGE") -> CodingWorld:
    lead, coder, outsider = (
        people["t1-evaluation"],
        people["t2-evaluation"],
        people["t3-evaluation"],
    )
    project = Project.objects.create(name=name, created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    interview = _interview(project, "E01", lead, "given")
    transcript = Transcript.objects.create(interview=interview, text=TEXT, uploaded_by=lead)
    unusable = {}
    for reference, consent in (("E02", "missing"), ("E03", "withdrawn")):
        other = _interview(project, reference, lead, consent)
        unusable[consent] = Transcript.objects.create(interview=other, text=TEXT, uploaded_by=lead)
    codes = {
        name: Code.objects.create(project=project, name=label, position=position)
        for position, (name, label) in enumerate(
            [
                ("early", "Repérage précoce"),
                ("landlord", "Rôle du bailleur"),
                ("coordination", "Coordination"),
            ]
        )
    }
    codes["closed"] = Code.objects.create(
        project=project, name="Ancien code fusionné", is_active=False, position=9
    )
    return CodingWorld(
        project=project,
        lead=lead,
        coder=coder,
        outsider=outsider,
        interview=interview,
        transcript=transcript,
        unusable=unusable,
        codes=codes,
    )
