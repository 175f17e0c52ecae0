"""Case studies and the workshop of the demo evaluation project (see
:mod:`etage.demo.evaluation`).

The three case studies are a real stratified draw (:func:`etage.evaluation.sampling.draw_cases`)
over the analytics snapshot, recorded as a :class:`CaseDraw` that
:func:`etage.evaluation.sampling.verify_draw` confirms. Each drawn case gets the narrative
(three interviews) that fits its pathway best; what the pathway data says in its
triangulation matrix is read from its timeline, and excerpts are pinned to moments that exist
in that timeline.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from etage.accounts.models import User
from etage.analytics import store
from etage.analytics.models import IndicatorDefinition
from etage.analytics.process import CaseTimeline, TimelineEvent, timeline
from etage.demo.evaluation_data import cases as cs
from etage.demo.evaluation_data.interviews import CODER_A, CODER_B, LEAD
from etage.demo.evaluation_data.matrix import QUESTIONS
from etage.evaluation.models import (
    ActionItem,
    Card,
    CaseDraw,
    CaseStudy,
    Code,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    Project,
    Recommendation,
    Segment,
    TimelinePin,
    Transcript,
    TriangulationCell,
    Vote,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import CaseSource, VotingMethod, WorkshopKind
from etage.evaluation.sampling import Draw, draw_cases, outcome_family
from etage.situations.choices import Level


@dataclass
class DrawnCases:
    """The case studies created from the draw, and what the interviews need from them."""

    case_of_narrative: dict[str, CaseStudy] = field(default_factory=dict)
    narrative_of_case: dict[int, cs.Narrative] = field(default_factory=dict)
    timelines: dict[str, CaseTimeline] = field(default_factory=dict)
    #: case_id → landlord code in the snapshot.
    landlords: dict[str, str] = field(default_factory=dict)


def manifest_fingerprint(manifest: dict[str, Any]) -> str:
    """Which snapshot a draw was made on: SHA-256 of its manifest (as the case pages
    record it)."""
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _connect() -> duckdb.DuckDBPyConnection:
    try:
        return store.connect()
    except store.SnapshotMissing:
        from etage.demo.analytics import demo_build_analytics

        demo_build_analytics()
        return store.connect()


def demo_draw(con: duckdb.DuckDBPyConnection, *, seed: int) -> Draw:
    """The first design of :data:`cs.DRAW_DESIGNS` that yields the wanted number of cases
    (or the last one)."""
    draw: Draw | None = None
    for filters in cs.DRAW_DESIGNS:
        draw = draw_cases(con, filters, by=cs.DRAW_BY, per_stratum=1, seed=seed)
        if draw.sample_size >= cs.CASES_WANTED:
            break
    assert draw is not None
    return draw


def _score(narrative: cs.Narrative, events: Sequence[TimelineEvent]) -> int:
    seen = {e.activity for e in events}
    return len(seen & set(narrative.wants)) - 2 * len(seen & set(narrative.avoids))


def _assign(case_ids: list[str], timelines: dict[str, CaseTimeline]) -> dict[str, cs.Narrative]:
    """Each drawn case gets the narrative its pathway fits best (best total over the
    possible assignments; ties keep the order of the draw)."""
    best: tuple[int, tuple[cs.Narrative, ...]] | None = None
    for chosen in itertools.permutations(cs.NARRATIVES, len(case_ids)):
        total = sum(_score(n, timelines[c].events) for c, n in zip(case_ids, chosen, strict=True))
        if best is None or total > best[0]:
            best = (total, chosen)
    return dict(zip(case_ids, best[1], strict=True)) if best else {}


def draw_demo_cases(*, seed: int, project: Project, user: User) -> DrawnCases:
    """Draw the cases, record the draw and create the case studies "Cas 1", "Cas 2"…"""
    con = _connect()
    try:
        snapshot = manifest_fingerprint(store.manifest())
        draw = demo_draw(con, seed=seed)
        case_ids = list(draw.case_ids[: len(cs.NARRATIVES)])
        found = [timeline(con, case_id) for case_id in case_ids]
    finally:
        con.close()
    timelines = {t.case_id: t for t in found if t is not None}
    case_ids = [c for c in case_ids if c in timelines]
    drawn = DrawnCases(timelines=timelines)
    if not case_ids:
        # An empty history: nothing to draw, and an empty draw is not worth recording.
        return drawn
    record = CaseDraw.objects.create(
        project=project,
        draw=json.loads(draw.to_json()),
        seed=draw.seed,
        snapshot=snapshot,
        created_by=user,
    )
    for number, (case_id, narrative) in enumerate(_assign(case_ids, timelines).items(), 1):
        attributes = timelines[case_id].attributes
        closed = bool(attributes.get("closed_month"))
        case = CaseStudy.objects.create(
            project=project,
            case_id=case_id,
            title=f"Cas {number}",
            territory=str(attributes.get("territory") or ""),
            level=str(attributes.get("level") or ""),
            outcome=outcome_family(closed, attributes.get("outcome")),
            draw=record,
            summary=narrative.summary,
        )
        drawn.case_of_narrative[narrative.key] = case
        drawn.narrative_of_case[case.pk] = narrative
        drawn.landlords[case_id] = str(attributes.get("landlord") or "")
    return drawn


# -- case contents ---------------------------------------------------------------------------


def find_segment(transcript: Transcript, cue: str) -> Segment | None:
    """The segment holding ``cue``: reconciled first, then coder A's, then coder B's."""
    at = transcript.text.find(cue)
    if at < 0:
        return None
    candidates = Segment.objects.filter(
        transcript=transcript, start__lte=at, end__gte=at + len(cue)
    ).select_related("coder")
    order = {LEAD: 0, CODER_A: 1, CODER_B: 2}
    return min(
        candidates,
        key=lambda s: (not s.consensus, order.get(s.coder.username, 3), s.pk),
        default=None,
    )


#: French words for the pathway's comments (data written into the matrices).
_LEVERS = {
    "fsl_application": "demande FSL",
    "fsl_decision": "décision FSL",
    "amicable_plan_signed": "plan d'apurement",
    "protocol_signed": "protocole de cohésion sociale",
    "caf_plan": "plan CAF",
    "dsf_delivered": "diagnostic social et financier",
}
_OUTCOMES = {
    "kept_housed": "maintien dans le logement",
    "rehoused": "relogement ou mutation",
    "mainstream": "relais vers le droit commun",
    "left": "départ volontaire",
    "evicted": "expulsion",
    "refused": "refus ou abandon de l'accompagnement",
    "other": "autre issue",
}
_PROCEDURE = ("commandement_de_payer", "summons", "hearing", "judgment")


def _first(events: Sequence[TimelineEvent], *activities: str) -> TimelineEvent | None:
    return next((e for e in events if e.activity in activities), None)


def _level_words(level: str) -> str:
    return str(Level(level).label) if level in Level.values else "non précisé"


def pathway_cells(narrative: cs.Narrative, case: CaseTimeline) -> dict[str, tuple[str, str]]:
    """What the pathway data says on each theme, read from the case's timeline."""
    events = case.events
    cells: dict[str, tuple[str, str]] = {}
    procedure_first = any(e.activity in _PROCEDURE and e.day <= 0 for e in events)
    contact = _first(events, "contact_reached")
    when = f"premier contact établi à J{contact.day}" if contact else "aucun contact enregistré"
    stage = "après le début de la procédure" if procedure_first else "avant toute procédure"
    verdict = "diverges" if procedure_first == narrative.early else "converges"
    cells["reperage"] = (verdict, f"Repérage {stage} ; {when}.")
    cells["relation"] = (
        "silent",
        "Les données de parcours ne disent rien de la relation ; seul indice, le délai "
        "jusqu'au premier contact.",
    )
    orient = _first(events, "orient")
    shares = sum(1 for e in events if e.activity == "share_granted")
    cells["coordination"] = (
        (
            "converges",
            f"Orientation à J{orient.day} ({_level_words(orient.level)}) ; "
            f"{shares} partage(s) d'information enregistré(s).",
        )
        if orient
        else ("silent", "Aucune orientation enregistrée dans le parcours.")
    )
    levers = list(dict.fromkeys(_LEVERS[e.activity] for e in events if e.activity in _LEVERS))
    cells["leviers"] = (
        ("converges", "Leviers enregistrés : " + ", ".join(levers) + ".")
        if levers
        else ("silent", "Aucun levier financier enregistré dans le parcours.")
    )
    close = _first(events, "close")
    kept = case.attributes.get("housing_status") == "same_dwelling"
    if close is None:
        cells["effets"] = ("silent", "Situation encore ouverte à la date de l'instantané.")
    else:
        family = outcome_family(True, case.attributes.get("outcome"))
        closure = f"Clôture à J{close.day} ({_OUTCOMES.get(family, 'autre issue')})"
        cells["effets"] = (
            ("converges", f"{closure}, ménage dans le même logement.")
            if kept
            else ("diverges", f"{closure}, ménage hors de son logement.")
        )
    return cells


def _moment(events: Sequence[TimelineEvent], wanted: Sequence[str]) -> TimelineEvent | None:
    for activity in wanted:
        event = _first(events, activity)
        if event is not None:
            return event
    return _first(events, "identify") or (events[0] if events else None)


def build_cases(
    *,
    drawn: DrawnCases,
    codes: dict[str, Code],
    questions: dict[int, EvaluativeQuestion],
    interviews: dict[str, Interview],
) -> None:
    """Pins, triangulation and cross-case cells of each drawn case; the cases as sources of
    the questions that use them."""
    sources = (
        CaseSource.HOUSEHOLD,
        CaseSource.ASSOCIATIVE_REFERENT,
        CaseSource.LANDLORD_SOCIAL_WORKER,
    )
    for case in drawn.case_of_narrative.values():
        narrative = drawn.narrative_of_case[case.pk]
        case_timeline = drawn.timelines[case.case_id]
        for pin in narrative.pins:
            interview = interviews[pin.interview]
            segment = find_segment(interview.transcript, pin.cue)
            moment = _moment(case_timeline.events, pin.activities)
            if segment is None or moment is None or interview.case_study_id != case.pk:
                continue
            TimelinePin.objects.get_or_create(
                case_study=case,
                segment=segment,
                activity=moment.activity,
                day=moment.day,
                defaults={"note": pin.note},
            )
        pathway = pathway_cells(narrative, case_timeline)
        cells = []
        for theme in cs.THEMES:
            verdict, comment = pathway[theme]
            cells.append(
                TriangulationCell(
                    case_study=case,
                    theme=codes[theme],
                    source=CaseSource.PATHWAY,
                    verdict=verdict,
                    comment=comment,
                )
            )
            for source, (letter, text) in zip(sources, narrative.triangulation[theme], strict=True):
                cells.append(
                    TriangulationCell(
                        case_study=case,
                        theme=codes[theme],
                        source=source,
                        verdict=cs.VERDICTS[letter],
                        comment=text,
                    )
                )
        TriangulationCell.objects.bulk_create(cells)
        CrossCaseCell.objects.bulk_create(
            CrossCaseCell(
                case_study=case,
                question=questions[number],
                verdict=cs.VERDICTS[letter],
                finding=finding,
            )
            for number, (letter, finding) in narrative.cross_case.items()
        )
    cases = list(drawn.case_of_narrative.values())
    for spec in QUESTIONS:
        if spec.with_cases:
            questions[spec.number].case_studies.set(cases)


# -- the workshop ----------------------------------------------------------------------------


def build_workshop(
    *,
    project: Project,
    users: dict[str, User],
    questions: dict[int, EvaluativeQuestion],
    recommendations: list[Recommendation],
) -> Workshop:
    """The prospective workshop: attendees by type, six cards, live dot votes of the two
    account holders and hand votes typed by the facilitator, the two retained cards turned
    into action-plan items."""
    facilitator = users[LEAD]
    workshop = Workshop.objects.create(
        project=project,
        kind=WorkshopKind.PROSPECTIVE,
        title=cs.WORKSHOP_TITLE,
        held_on=cs.WORKSHOP_DATE,
        agenda=cs.WORKSHOP_AGENDA,
        minutes=cs.WORKSHOP_MINUTES,
        facilitator=facilitator,
        voting_method=VotingMethod.DOTS,
        dots_per_person=cs.DOTS_PER_PERSON,
        voting_open=False,
    )
    attendees: dict[str, WorkshopAttendee] = {}
    for stakeholder, username in cs.ATTENDEES:
        attendee = WorkshopAttendee.objects.create(
            workshop=workshop,
            stakeholder_type=stakeholder,
            user=users[username] if username else None,
            consent=True,
        )
        if username:
            attendees[username] = attendee
    cards: list[Card] = []
    for position, spec in enumerate(cs.CARDS):
        card = Card.objects.create(
            workshop=workshop,
            kind=spec.kind,
            title=spec.title,
            description=spec.description,
            retained=spec.retained,
            position=position,
        )
        cards.append(card)
        for username, dots in spec.live.items():
            Vote.objects.create(
                card=card,
                attendee=attendees[username],
                method=VotingMethod.DOTS,
                dots=dots,
                entered_by=users[username],
            )
        Vote.objects.create(
            card=card, hand=True, method=VotingMethod.DOTS, dots=spec.hands, entered_by=facilitator
        )
    for action in cs.ACTIONS:
        card = cards[action.card]
        ActionItem.objects.create(
            project=project,
            title=card.title,
            description=action.description,
            owner=action.owner,
            deadline=action.deadline,
            budget=action.budget,
            card=card,
            recommendation=recommendations[action.recommendation],
            indicator=IndicatorDefinition.objects.filter(code=action.indicator).first(),
            status=action.status,
        )
    for question in QUESTIONS:
        if question.with_workshop:
            questions[question.number].workshops.set([workshop])
    return workshop
