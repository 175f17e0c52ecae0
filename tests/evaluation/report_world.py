"""A small evaluation project built with the ORM for the report's tests: interviews of several
stakeholder types (one with its consent withdrawn, one without quotation agreed, one without
consent), double-coded transcripts, a codebook tree, two evaluative questions with indicators,
a case study, a workshop with votes, recommendations and a logic model. Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from etage.accounts.models import User
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.evaluation.models import (
    Card,
    CaseDraw,
    CaseStudy,
    Code,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    LogicModelNode,
    Project,
    ProjectMember,
    Recommendation,
    Segment,
    Transcript,
    Vote,
    Workshop,
    WorkshopAttendee,
)
from etage.territories.models import Territory

#: Words that only appear in excerpts that must never be quoted.
WITHDRAWN_MARK = "retraitconsentementzz"
NO_QUOTE_MARK = "pasdecitationzz"
NO_CONSENT_MARK = "sansconsentementzz"

QUESTION_TEXTS = (
    "Dans quelle mesure la plateforme a-t-elle permis d'intervenir plus tôt ?",
    "Le coût par ménage accompagné est-il proportionné aux résultats ?",
)

#: Four speaker turns; the segments below code them.
TURNS = (
    "[Enquêtrice] Comment s'est passé le premier contact ?\n"
    "[Ménage] On nous a appelés très vite après le premier impayé.\n"
    "[Enquêtrice] Et ensuite ?\n"
    "[Ménage] Le référent est venu à la maison et a tout coordonné."
)


@dataclass
class ReportWorld:
    project: Project
    lead: User
    coder: User
    questions: list[EvaluativeQuestion]
    codes: dict[str, Code]
    interviews: dict[str, Interview]


def _turn_span(text: str, index: int) -> tuple[int, int]:
    from etage.evaluation.transcripts import parse_turns

    turn = parse_turns(text)[index]
    return turn.start_offset, turn.end_offset


def _segment(transcript: Transcript, code: Code, coder: User, turn: int, **extra: object) -> None:
    start, end = _turn_span(transcript.text, turn)
    Segment.objects.create(
        transcript=transcript,
        code=code,
        coder=coder,
        start=start,
        end=end,
        text=transcript.text[start:end],
        **extra,
    )


def _indicator(code: str, name: str, unit: str, values: dict[str, tuple[float, int]]) -> None:
    IndicatorDefinition.objects.update_or_create(
        code=code,
        defaults={
            "family": "activity",
            "name": name,
            "definition": name,
            "formula": "—",
            "unit": unit,
            "final_after_months": 1,
        },
    )
    for period, (value, cases) in values.items():
        IndicatorValue.objects.update_or_create(
            code=code,
            period=period,
            territory="",
            dimension="all",
            key="",
            defaults={
                "value": value,
                "cases": cases,
                "computed_at": timezone.now(),
                "snapshot": "abcd1234",
            },
        )


def build_report_world(people: dict[str, User], *, name: str = "Évaluation ETAGE") -> ReportWorld:
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    project = Project.objects.create(
        name=name,
        created_by=lead,
        summary="La plateforme repère plus tôt.\n\nLes partenaires se coordonnent mieux.",
        method_limits="Entretiens semi-directifs ; échantillon raisonné.",
        conclusions="L'expérimentation mérite d'être prolongée.",
    )
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    territory = Territory.objects.order_by("code").first()

    parent = Code.objects.create(
        project=project, name="Repérage", definition="Comment.", position=1
    )
    codes = {
        "parent": parent,
        "early": Code.objects.create(
            project=project,
            parent=parent,
            name="Intervention précoce",
            definition="Contact avant l'assignation.",
            include="Premier impayé",
            position=1,
        ),
        "coordination": Code.objects.create(
            project=project, name="Coordination", definition="Travail à plusieurs.", position=2
        ),
    }

    specs = {
        "E01": ("household", "individual", 1, date(2024, 3, 12), "ok"),
        "E02": ("associative_referent", "individual", 1, date(2024, 4, 2), "ok"),
        "E03": ("landlord_social_worker", "collective", 4, date(2024, 5, 20), "withdrawn"),
        "E04": ("coordinator", "individual", 1, date(2024, 6, 3), "no_quote"),
        "E05": ("household", "individual", 1, date(2024, 6, 18), "none"),
    }
    interviews: dict[str, Interview] = {}
    marks = {"withdrawn": WITHDRAWN_MARK, "no_quote": NO_QUOTE_MARK, "none": NO_CONSENT_MARK}
    for reference, (kind, mode, participants, held_on, consent) in specs.items():
        interview = Interview.objects.create(
            project=project,
            reference=reference,
            stakeholder_type=kind,
            territory=territory,
            held_on=held_on,
            mode=mode,
            participants=participants,
            interviewer=lead,
        )
        interviews[reference] = interview
        if consent != "none":
            InterviewConsent.objects.create(
                interview=interview,
                given_on=held_on,
                form="written",
                quotation=consent != "no_quote",
                recorded_by=lead,
                withdrawn_on=date(2024, 9, 1) if consent == "withdrawn" else None,
            )
        text = (
            TURNS.replace("très vite", f"très vite {marks[consent]}") if consent in marks else TURNS
        )
        transcript = Transcript.objects.create(interview=interview, text=text, uploaded_by=lead)
        # Every interview coded by the lead: turn 1 is early intervention, turn 3 coordination.
        _segment(transcript, codes["early"], lead, 1)
        _segment(transcript, codes["coordination"], lead, 3)
    # E01 and E02 double coded by the second evaluator: E01 the same way, E02 not quite.
    e01 = interviews["E01"].transcript
    e02 = interviews["E02"].transcript
    _segment(e01, codes["early"], coder, 1)
    _segment(e01, codes["coordination"], coder, 3)
    _segment(e02, codes["early"], coder, 3)
    _segment(e02, codes["coordination"], coder, 3)
    _segment(e02, codes["early"], lead, 1, consensus=True)

    _indicator(
        "identified",
        "Situations repérées",
        "situations",
        {"2022": (118, 118), "2023": (131, 131), "2024-01": (3, 3)},
    )
    _indicator(
        "days_to_orientation_median",
        "Délai médian jusqu'à l'orientation",
        "jours",
        {"2022": (41.5, 60), "2023": (35.0, 72)},
    )
    _indicator("reviews_on_time_share", "Revues à l'heure", "%", {"2023": (50.0, 4)})

    q1 = EvaluativeQuestion.objects.create(
        project=project,
        number=1,
        text=QUESTION_TEXTS[0],
        criterion="effectiveness",
        judgement_criteria="Délai entre le repérage et le premier contact.",
        findings="Le premier contact intervient en moyenne trois semaines plus tôt.",
    )
    q2 = EvaluativeQuestion.objects.create(
        project=project, number=2, text=QUESTION_TEXTS[1], criterion="efficiency"
    )
    q1.indicators.set(
        IndicatorDefinition.objects.filter(code__in=["identified", "days_to_orientation_median"])
    )
    q2.indicators.set(IndicatorDefinition.objects.filter(code="reviews_on_time_share"))
    codes["early"].questions.add(q1)
    codes["coordination"].questions.add(q1)

    draw = CaseDraw.objects.create(
        project=project, draw={"seed": 7, "cases": ["CASE-A"]}, seed=7, created_by=lead
    )
    case = CaseStudy.objects.create(
        project=project, case_id="CASE-A", title="Cas A (T1, AGR)", territory="T1", draw=draw
    )
    CrossCaseCell.objects.create(
        case_study=case, question=q1, verdict="converges", finding="Contact en 10 jours."
    )

    Recommendation.objects.create(
        project=project, question=q1, text="Généraliser l'appel au premier impayé.", priority=1
    )
    Recommendation.objects.create(project=project, text="Former les gardiens.", priority=3)

    workshop = Workshop.objects.create(
        project=project,
        kind="platform",
        title="Atelier de plateforme T1",
        held_on=date(2024, 10, 8),
        territory=territory,
        facilitator=lead,
    )
    attendees = [
        WorkshopAttendee.objects.create(workshop=workshop, stakeholder_type=kind, consent=True)
        for kind in ("household", "household", "associative_referent")
    ]
    card = Card.objects.create(
        workshop=workshop, kind="proposal", title="Un numéro unique", retained=True
    )
    Card.objects.create(workshop=workshop, kind="proposal", title="Carte écartée", retained=False)
    Vote.objects.create(card=card, attendee=attendees[0], method="dots", dots=2, entered_by=lead)
    Vote.objects.create(card=card, attendee=attendees[1], method="dots", dots=1, entered_by=lead)

    LogicModelNode.objects.create(project=project, stage="activities", text="Appels précoces")
    LogicModelNode.objects.create(project=project, stage="outcomes", text="Moins d'expulsions")
    return ReportWorld(project, lead, coder, [q1, q2], codes, interviews)
