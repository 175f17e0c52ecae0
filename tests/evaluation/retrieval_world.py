"""A small project for the retrieval, matrix and exchange tests, built with the ORM: four
interviews (two usable, one whose consent was withdrawn, one without consent), a code tree,
overlapping segments by two coders and in the reconciled coding, memos. Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etage.accounts.models import User
from etage.evaluation.models import (
    Code,
    Interview,
    InterviewConsent,
    Memo,
    Project,
    ProjectMember,
    Segment,
    Transcript,
)
from etage.territories.models import Territory

#: Words only found in interviews whose segments must never come out.
WITHDRAWN_MARK = "retraitzz"
NO_CONSENT_MARK = "sansconsentementzz"

#: E01: four speaker turns, with a non-BMP character (an emoji, two UTF-16 units but one
#: code point) before the coded words, so that offsets in code points are checked.
E01_TEXT = (
    "[Enquêtrice] Comment s'est passé le premier contact ?\n"
    "[Ménage] 😀 On nous a appelés très vite après le premier impayé.\n"
    "[Enquêtrice] Et ensuite ?\n"
    "[Ménage] Le référent est venu à la maison et a tout coordonné avec le bailleur."
)
E02_TEXT = (
    "Référente : Nous recevons les signalements du bailleur.\n"
    "Référente : Puis nous appelons la famille, souvent la semaine même.\n"
    "Enquêteur : Et la coordination ?\n"
    "Référente : =SOMME(A1) nous tenons une réunion mensuelle avec tout le monde."
)
OTHER_TEXT = "[Ménage] On nous a appelés très vite {mark} après le premier impayé."


@dataclass
class RetrievalWorld:
    project: Project
    lead: User
    coder: User
    codes: dict[str, Code]
    interviews: dict[str, Interview]
    segments: dict[str, Segment]
    territories: list[Territory]


def segment(
    transcript: Transcript, code: Code, coder: User, words: str, *, consensus: bool = False
) -> Segment:
    """Code the first occurrence of ``words`` in the transcript."""
    start = transcript.text.index(words)
    return Segment.objects.create(
        transcript=transcript,
        code=code,
        coder=coder,
        start=start,
        end=start + len(words),
        text=words,
        consensus=consensus,
    )


def build_retrieval_world(people: dict[str, User]) -> RetrievalWorld:
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    project = Project.objects.create(
        name="Évaluation ETAGE", description="Projet de test.", created_by=lead
    )
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    territories = list(Territory.objects.order_by("code")[:2])

    early = Code.objects.create(project=project, name="Repérage", position=1, color="#336699")
    contact = Code.objects.create(
        project=project,
        parent=early,
        name="Premier contact",
        definition="Le premier échange avec le ménage.",
        include="Appel, visite",
        position=1,
    )
    coordination = Code.objects.create(project=project, name="Coordination", position=2)
    # A code whose name a spreadsheet would run as a formula.
    formula = Code.objects.create(project=project, name="=1+1", position=3)
    closed = Code.objects.create(project=project, name="Ancien code", position=4, is_active=False)
    codes = {
        "early": early,
        "contact": contact,
        "coordination": coordination,
        "formula": formula,
        "closed": closed,
    }

    specs = {
        # reference: (type, mode, territory, consent, quotation, text)
        "E01": ("household", "individual", territories[0], "ok", True, E01_TEXT),
        "E02": ("associative_referent", "collective", None, "ok", False, E02_TEXT),
        "E03": (
            "household",
            "individual",
            territories[1],
            "withdrawn",
            True,
            OTHER_TEXT.format(mark=WITHDRAWN_MARK),
        ),
        "E04": (
            "household",
            "individual",
            territories[0],
            "none",
            True,
            OTHER_TEXT.format(mark=NO_CONSENT_MARK),
        ),
    }
    interviews = {}
    for reference, (kind, mode, territory, consent, quotation, text) in specs.items():
        interview = Interview.objects.create(
            project=project,
            reference=reference,
            stakeholder_type=kind,
            territory=territory,
            held_on=date(2024, 3, 12),
            mode=mode,
            interviewer=lead,
        )
        if consent != "none":
            InterviewConsent.objects.create(
                interview=interview,
                given_on=date(2024, 3, 12),
                form="written",
                quotation=quotation,
                recorded_by=lead,
                withdrawn_on=date(2024, 9, 1) if consent == "withdrawn" else None,
            )
        Transcript.objects.create(interview=interview, text=text, uploaded_by=lead)
        interviews[reference] = interview

    e01 = interviews["E01"].transcript
    e02 = interviews["E02"].transcript
    segments = {
        # E01, lead: "contact" inside "early"; "coordination" on the last turn.
        "e01_lead_early": segment(e01, early, lead, "On nous a appelés très vite"),
        "e01_lead_contact": segment(e01, contact, lead, "appelés très vite après"),
        "e01_lead_coord": segment(e01, coordination, lead, "a tout coordonné avec le bailleur"),
        # E01, second coder: overlaps the lead's, but across coders nothing co-occurs.
        "e01_coder_coord": segment(e01, coordination, coder, "très vite après le premier"),
        # E01, reconciled coding: early and coordination overlap.
        "e01_cons_early": segment(e01, early, lead, "On nous a appelés", consensus=True),
        "e01_cons_coord": segment(e01, coordination, lead, "appelés très", consensus=True),
        # E02 (quotation not agreed), lead: touching spans do not overlap.
        "e02_lead_contact": segment(e02, contact, lead, "Puis nous appelons"),
        "e02_lead_coord": segment(e02, coordination, lead, " la famille"),
        "e02_lead_formula": segment(e02, formula, lead, "=SOMME(A1) nous tenons"),
        "e02_coder_closed": segment(e02, closed, coder, "réunion mensuelle"),
    }
    # Interviews that must never come out, coded all the same.
    for reference in ("E03", "E04"):
        transcript = interviews[reference].transcript
        segments[f"{reference.lower()}_lead_early"] = segment(transcript, early, lead, "très vite")
        segments[f"{reference.lower()}_lead_contact"] = segment(
            transcript, contact, lead, "On nous a appelés"
        )

    Memo.objects.create(project=project, author=lead, title="Mémo général", text="Tendances.")
    Memo.objects.create(
        project=project, author=coder, title="Sur le code", text="Définition à revoir.", code=early
    )
    Memo.objects.create(
        project=project,
        author=lead,
        title="Sur un segment",
        text="Très parlant.",
        transcript=e01,
        segment=segments["e01_lead_early"],
    )
    Memo.objects.create(
        project=project,
        author=lead,
        title="Mémo retiré",
        text=f"Mot {WITHDRAWN_MARK}.",
        transcript=interviews["E03"].transcript,
    )
    return RetrievalWorld(project, lead, coder, codes, interviews, segments, territories)
