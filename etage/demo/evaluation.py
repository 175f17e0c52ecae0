"""The demo's evaluation project (issue 9): a codebook, a dozen pseudonymised synthetic
interview transcripts coded by two evaluators, three case studies drawn from the analytics
snapshot, a prospective workshop with votes, and a filled evaluation matrix — so that every
page of the workspace, and the report, has content.

Rebuilt whole at each run, like the snapshot it draws its case studies from: the snapshot's
keyed pseudonyms change when the demo history is generated again, and a draw recorded on an
older snapshot would no longer verify. Only the demo project (its name, created by the demo
lead evaluator) is deleted; any other project is left alone.

Deterministic for a given seed (the seed of the case draw) and a given snapshot. The content
is written for the demo (:mod:`etage.demo.evaluation_data`); transcripts go through the same
reading and pseudonymisation as an upload (:mod:`etage.evaluation.transcripts`), so the
stored text holds none of the fictional names of the raw files.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from etage.accounts.models import User
from etage.analytics.indicators import definitions_upsert
from etage.analytics.models import IndicatorDefinition
from etage.demo.evaluation_cases import (
    DrawnCases,
    build_cases,
    build_workshop,
    draw_demo_cases,
    find_segment,
)
from etage.demo.evaluation_data import codebook as cb
from etage.demo.evaluation_data import interviews as iv
from etage.demo.evaluation_data import matrix as mx
from etage.demo.evaluation_data.cases import ASSOCIATION_OF_TERRITORY
from etage.evaluation import refiqda
from etage.evaluation.models import (
    Code,
    CodeEvent,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    LogicModelNode,
    Memo,
    Project,
    ProjectMember,
    Recommendation,
    Segment,
    Transcript,
    TriangulationCell,
)
from etage.evaluation.models.choices import CodeEventKind
from etage.evaluation.transcripts import pseudonymise_transcript, read_transcript
from etage.organisations.models import Organisation
from etage.territories.models import Territory

TRANSCRIPTS_DIR = Path(__file__).resolve().parent / "evaluation_data" / "transcripts"
#: Fixed namespace of the codes' REFI-QDA identifiers, so a re-import recognises them.
GUID_NAMESPACE = uuid.UUID("6f0d5a52-2f1e-4c55-9a57-6a5f3f1e0e09")
_SENTENCE_END = ".?!"
_ABBREVIATIONS = frozenset({"M", "Mme", "Mlle", "Dr"})


@dataclass
class _Built:
    """What later steps need from earlier ones."""

    project: Project
    users: dict[str, User]
    codes: dict[str, Code]
    questions: dict[int, EvaluativeQuestion]
    recommendations: list[Recommendation]
    interviews: dict[str, Interview]


def demo_users() -> dict[str, User]:
    usernames = {iv.LEAD, iv.CODER_A, iv.CODER_B, "t1-coordination", "t1-professionnel"}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = sorted(usernames - set(users))
    if missing:
        raise LookupError(
            f"demo accounts missing ({', '.join(missing)}): build the demo reference first"
        )
    return users


def demo_evaluation_projects() -> list[Project]:
    """The demo project(s): the demo's name, created by the demo lead evaluator."""
    return list(
        Project.objects.filter(
            name=mx.PROJECT_NAME, created_by__username=iv.LEAD, created_by__is_demo=True
        )
    )


def demo_delete_evaluation() -> int:
    """Delete the demo project(s) with everything in them; returns how many."""
    projects = demo_evaluation_projects()
    for project in projects:
        # Codes are protected (segments, triangulation rows, parents, merges point at them):
        # remove what points at them first, then the project cascades.
        Segment.objects.filter(transcript__interview__project=project).delete()
        TriangulationCell.objects.filter(case_study__project=project).delete()
        Code.objects.filter(project=project).update(parent=None, merged_into=None)
        project.delete()
    return len(projects)


def demo_evaluation_counts(project: Project) -> dict[str, object]:
    """What the demo command prints about the project."""
    return {
        "name": project.name,
        "interviews": project.interviews.count(),
        "segments": Segment.objects.filter(transcript__interview__project=project).count(),
        "cases": project.case_studies.count(),
        "workshops": project.workshops.count(),
    }


@transaction.atomic
def demo_build_evaluation(*, seed: int) -> Project:
    """Build (again) the demo evaluation project; ``seed`` is the seed of the case draw.
    The demo reference accounts must exist; the analytics snapshot is written if missing."""
    users = demo_users()
    demo_delete_evaluation()
    lead = users[iv.LEAD]
    project = Project.objects.create(
        name=mx.PROJECT_NAME,
        description=mx.PROJECT_DESCRIPTION,
        summary=mx.SUMMARY,
        method_limits=mx.METHOD_LIMITS,
        conclusions=mx.CONCLUSIONS,
        created_by=lead,
    )
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    for username in (iv.CODER_A, iv.CODER_B):
        ProjectMember.objects.create(
            project=project, user=users[username], role=ProjectMember.Role.CODER
        )
    # Normally written with the first indicator refresh; ensured here for the links below.
    if not IndicatorDefinition.objects.exists():
        definitions_upsert()
    built = _Built(project, users, _codebook(project, lead), {}, [], {})
    _matrix(built)
    drawn = draw_demo_cases(seed=seed, project=project, user=lead)
    _interviews(built, drawn)
    _merge(built)
    _memos(built)
    build_cases(
        drawn=drawn,
        codes=built.codes,
        questions=built.questions,
        interviews=built.interviews,
    )
    build_workshop(
        project=project,
        users=users,
        questions=built.questions,
        recommendations=built.recommendations,
    )
    return project


# -- codebook --------------------------------------------------------------------------------


def _qdc_code(spec: cb.CodeSpec) -> refiqda.Code:
    edited_key, imported_definition = cb.EDITED
    return refiqda.Code(
        guid=str(uuid.uuid5(GUID_NAMESPACE, spec.key)).upper(),
        name=spec.name,
        definition=imported_definition if spec.key == edited_key else spec.definition,
        include=spec.include,
        exclude=spec.exclude,
        example=spec.example,
        color=spec.color,
        children=[_qdc_code(child) for child in spec.children],
    )


def _keys(specs: tuple[cb.CodeSpec, ...]) -> dict[str, cb.CodeSpec]:
    """guid → spec of every code of the tree."""
    out: dict[str, cb.CodeSpec] = {}
    for spec in specs:
        out[str(uuid.uuid5(GUID_NAMESPACE, spec.key)).upper()] = spec
        out.update(_keys(spec.children))
    return out


def _codebook(project: Project, lead: User) -> dict[str, Code]:
    """The codebook as the lead would import it: written as a REFI-QDA ``.qdc`` file, read
    back, each code recorded as imported; then one definition clarified. The history's
    details have the shape the codebook pages read (``services_codebook``)."""
    data = refiqda.codebook_to_qdc(refiqda.Codebook([_qdc_code(s) for s in cb.CODEBOOK]))
    imported = refiqda.codebook_from_qdc(data)
    specs = _keys(cb.CODEBOOK)
    codes: dict[str, Code] = {}

    def create(node: refiqda.Code, parent: Code | None, position: int) -> None:
        code = Code.objects.create(
            project=project,
            parent=parent,
            name=node.name,
            definition=node.definition,
            include=node.include,
            exclude=node.exclude,
            example=node.example,
            color=node.color or "",
            guid=uuid.UUID(node.guid),
            position=position,
        )
        CodeEvent.objects.create(
            code=code,
            kind=CodeEventKind.IMPORTED,
            detail={
                "file": cb.QDC_NAME,
                "origin": imported.origin,
                "parent": parent.name if parent else None,
            },
            by=lead,
        )
        codes[specs[node.guid].key] = code
        for index, child in enumerate(node.children):
            create(child, code, index)

    for index, node in enumerate(imported.codes):
        create(node, None, index)

    key, old = cb.EDITED
    edited = codes[key]
    edited.definition = next(s.definition for s in specs.values() if s.key == key)
    edited.version += 1
    edited.save(update_fields=["definition", "version"])
    CodeEvent.objects.create(
        code=edited,
        kind=CodeEventKind.EDITED,
        detail={
            "changes": [{"field": "definition", "old": old, "new": edited.definition}],
            "questions_added": [],
            "questions_removed": [],
        },
        by=lead,
    )
    return codes


def _merge(built: _Built) -> None:
    """Merge :data:`cb.MERGED` as the codebook's merge does: its segments re-coded with the
    target (a span the coder had already coded with the target is dropped as a duplicate),
    the code closed, one event on each side."""
    source_key, target_key = cb.MERGED
    source, target = built.codes[source_key], built.codes[target_key]
    lead = built.users[iv.LEAD]
    segments = list(Segment.objects.filter(code=source))
    taken = set(
        Segment.objects.filter(code=target).values_list(
            "transcript_id", "coder_id", "start", "end", "consensus"
        )
    )
    duplicates = [
        s.pk
        for s in segments
        if (s.transcript_id, s.coder_id, s.start, s.end, s.consensus) in taken
    ]
    Segment.objects.filter(pk__in=duplicates).delete()
    moved = Segment.objects.filter(code=source).update(code=target)
    source.is_active, source.merged_into = False, target
    source.version += 1
    source.save(update_fields=["is_active", "merged_into", "version"])
    detail = {"segments": moved, "duplicates": len(duplicates), "children": [], "questions": []}
    CodeEvent.objects.create(
        code=source,
        kind=CodeEventKind.MERGED,
        other=target,
        detail={"role": "source", "into": target.name, **detail},
        by=lead,
    )
    CodeEvent.objects.create(
        code=target,
        kind=CodeEventKind.MERGED,
        other=source,
        detail={"role": "target", "from": source.name, **detail},
        by=lead,
    )


# -- matrix ----------------------------------------------------------------------------------


def _indicators(codes: tuple[str, ...]) -> list[IndicatorDefinition]:
    found = list(IndicatorDefinition.objects.filter(code__in=codes))
    return sorted(found, key=lambda d: codes.index(d.code))


def _matrix(built: _Built) -> None:
    project = built.project
    for spec in mx.QUESTIONS:
        question = EvaluativeQuestion.objects.create(
            project=project,
            number=spec.number,
            text=spec.text,
            criterion=spec.criterion,
            judgement_criteria=spec.judgement_criteria,
            findings=spec.findings,
        )
        question.indicators.set(_indicators(spec.indicators))
        question.codes.set([built.codes[key] for key in spec.codes])
        built.questions[spec.number] = question
    for position, rec in enumerate(mx.RECOMMENDATIONS):
        built.recommendations.append(
            Recommendation.objects.create(
                project=project,
                question=built.questions[rec.question],
                text=rec.text,
                priority=rec.priority,
                position=position,
            )
        )
    positions: dict[str, int] = {}
    for node_spec in mx.LOGIC_MODEL:
        position = positions.get(node_spec.stage, 0)
        positions[node_spec.stage] = position + 1
        node = LogicModelNode.objects.create(
            project=project, stage=node_spec.stage, text=node_spec.text, position=position
        )
        node.indicators.set(_indicators(node_spec.indicators))


# -- interviews and coding -------------------------------------------------------------------


def _organisation(spec: iv.InterviewSpec, territory: str, landlord: str) -> Organisation | None:
    code = spec.organisation
    if code == "LANDLORD":
        code = landlord
    elif code == "ASSOCIATION":
        code = ASSOCIATION_OF_TERRITORY.get(territory, "ASSO-TDL")
    return Organisation.objects.filter(code=code).first() if code else None


def _interviews(built: _Built, drawn: DrawnCases) -> None:
    territories = {t.code: t for t in Territory.objects.all()}
    lead = built.users[iv.LEAD]
    for spec in (*iv.INTERVIEWS, iv.WITHDRAWN):
        case = drawn.case_of_narrative.get(spec.narrative) if spec.narrative else None
        territory = spec.territory or (case.territory if case else "")
        landlord = drawn.landlords.get(case.case_id, "") if case else ""
        interview = Interview.objects.create(
            project=built.project,
            reference=spec.reference,
            stakeholder_type=spec.stakeholder,
            organisation=_organisation(spec, territory, landlord),
            territory=territories.get(territory),
            held_on=spec.held_on,
            mode=spec.mode,
            participants=spec.participants,
            interviewer=built.users[spec.interviewer],
            notes=spec.notes,
        )
        consent = InterviewConsent.objects.create(
            interview=interview,
            given_on=spec.held_on,
            form=spec.consent_form,
            quotation=spec.quotation,
            recorded_by=built.users[spec.interviewer],
        )
        built.interviews[spec.reference] = interview
        if spec is iv.WITHDRAWN:
            # Withdrawn: the transcript is gone, the register keeps the interview and its
            # consent record so that the rule shows (never coded, never attached).
            consent.withdrawn_on = iv.WITHDRAWN_ON
            consent.save(update_fields=["withdrawn_on"])
            continue
        transcript = _upload(interview, spec, lead)
        _code(transcript, spec, built)
        if case is not None and interview.has_valid_consent:
            Interview.objects.filter(pk=interview.pk).update(case_study=case)
            interview.case_study = case


def _upload(interview: Interview, spec: iv.InterviewSpec, by: User) -> Transcript:
    """What the upload does: read the file, replace the names (those the evaluator typed and
    the speakers found), store only the pseudonymised text."""
    read = read_transcript(spec.file, (TRANSCRIPTS_DIR / spec.file).read_bytes())
    result = pseudonymise_transcript(read, spec.names)
    return Transcript.objects.create(
        interview=interview,
        text=result.text,
        original_name=spec.file,
        replacements=len(result.replacements),
        uploaded_by=by,
    )


def _turn_of(text: str, position: int) -> tuple[int, int]:
    from etage.evaluation.transcripts import parse_turns

    for turn in parse_turns(text):
        if turn.start_offset <= position < turn.end_offset:
            return turn.start_offset, turn.end_offset
    raise ValueError(f"offset {position} is in no speaker turn")


def _is_sentence_end(text: str, index: int) -> bool:
    if text[index] not in _SENTENCE_END:
        return False
    word = text[:index].rsplit(None, 1)[-1] if text[:index].strip() else ""
    return word not in _ABBREVIATIONS


def sentence_span(text: str, cue: str) -> tuple[int, int]:
    """The sentence of ``text`` holding ``cue`` (which must occur exactly once), within its
    speaker turn."""
    if text.count(cue) != 1:
        raise ValueError(f"cue {cue!r} found {text.count(cue)} times in the transcript")
    at = text.index(cue)
    turn_start, turn_end = _turn_of(text, at)
    start = at
    while start > turn_start and not _is_sentence_end(text, start - 1):
        start -= 1
    while start < at and text[start].isspace():
        start += 1
    end = at + len(cue)
    while end < turn_end and not _is_sentence_end(text, end - 1):
        end += 1
    return start, end


def _code(transcript: Transcript, spec: iv.InterviewSpec, built: _Built) -> None:
    text = transcript.text
    wanted: set[tuple[str, int, int, str, bool]] = set()  # (coder, start, end, code, consensus)
    for cue, key, who in spec.codings:
        sentence = sentence_span(text, cue)
        turn = _turn_of(text, sentence[0])
        if "A" in who and "A" in spec.coders:
            wanted.add((iv.CODER_A, *sentence, key, False))
        if "B" in who and "B" in spec.coders:
            wanted.add((iv.CODER_B, *turn, key, False))
        if spec.reconciled and (who == "AB" or who.endswith("+")):
            wanted.add((iv.LEAD, *sentence, key, True))
    Segment.objects.bulk_create(
        [
            Segment(
                transcript=transcript,
                code=built.codes[key],
                coder=built.users[coder],
                start=start,
                end=end,
                text=text[start:end],
                consensus=consensus,
            )
            for coder, start, end, key, consensus in sorted(wanted)
        ]
    )


def _memos(built: _Built) -> None:
    for spec in iv.MEMOS:
        transcript = None
        segment = None
        if spec.interview:
            transcript = built.interviews[spec.interview].transcript
        reference, cue = spec.segment
        if reference:
            segment = find_segment(built.interviews[reference].transcript, cue)
        Memo.objects.create(
            project=built.project,
            author=built.users[spec.author],
            title=spec.title,
            text=spec.text,
            transcript=transcript,
            code=built.codes[spec.code] if spec.code else None,
            segment=segment,
        )
