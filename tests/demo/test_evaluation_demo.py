"""The demo's evaluation project: a codebook with its history, a dozen pseudonymised
interview transcripts double-coded with a realistic agreement, three case studies drawn from
the snapshot (a draw that verifies), a prospective workshop with votes, and a filled matrix.
Built once for the module on a short demo history, inside a transaction rolled back after."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from etage.analytics import store
from etage.analytics.process import timeline
from etage.demo import reference as ref
from etage.demo.analytics import demo_build_analytics
from etage.demo.evaluation import (
    TRANSCRIPTS_DIR,
    demo_build_evaluation,
    demo_evaluation_projects,
)
from etage.demo.evaluation_data import interviews as iv
from etage.demo.evaluation_data.matrix import PROJECT_NAME
from etage.evaluation.agreement import CodedUnit, segment_agreement
from etage.evaluation.models import (
    ActionItem,
    CaseDraw,
    CaseStudy,
    Code,
    CodeEvent,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    LogicModelNode,
    Memo,
    Project,
    ProjectMember,
    Recommendation,
    Segment,
    Transcript,
    TriangulationCell,
    Vote,
    Workshop,
)
from etage.evaluation.models.choices import CASE_INTERVIEW_SOURCES, CaseSource, LogicStage
from etage.evaluation.sampling import Draw, verify_draw
from etage.evaluation.transcripts import parse_turns, read_transcript
from etage.notifications.dispatch import suppressed as notifications_suppressed
from tests import replay

pytestmark = pytest.mark.django_db

SEED = 2019


@pytest.fixture(scope="module")
def project(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    snapshot = tmp_path_factory.mktemp("snapshot")
    with (
        override_settings(ETAGE_SNAPSHOT_DIR=snapshot),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        replay.demo_reference(seed=1)
        with notifications_suppressed():
            replay.demo_history(seed=SEED, count=40)
        demo_build_analytics()
        yield demo_build_evaluation(seed=SEED)
        transaction.set_rollback(True)


@pytest.fixture
def snapshot_con(project: Project) -> Iterator[Any]:
    con = store.connect()
    yield con
    con.close()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _contains_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", _fold(text)) is not None


def _raw_names() -> set[str]:
    """Every name part of the fictional people of the raw transcripts: those the evaluator
    typed for the helper and the speakers."""
    names: set[str] = set()
    for spec in iv.INTERVIEWS:
        raw = read_transcript(spec.file, (TRANSCRIPTS_DIR / spec.file).read_bytes())
        speakers = {t.speaker for t in parse_turns(raw.text) if t.speaker}
        for full in (*spec.names, *speakers):
            names.update(
                part
                for part in full.split()
                if part not in {"M.", "Mme"} and not part.startswith("Enquêt")
            )
    return names


def test_the_project_has_the_three_demo_evaluators(project):
    roles = dict(
        ProjectMember.objects.filter(project=project).values_list("user__username", "role")
    )
    assert roles == {
        "t1-evaluation": ProjectMember.Role.LEAD,
        "t2-evaluation": ProjectMember.Role.CODER,
        "t3-evaluation": ProjectMember.Role.CODER,
    }
    assert project.name == PROJECT_NAME
    assert project.summary
    assert project.method_limits
    assert project.conclusions


def test_stored_transcripts_hold_none_of_the_fictional_names_of_the_raw_files(project):
    names = _raw_names()
    assert {"Keddache", "Ferrandon", "Jean-Luc", "Sissokho", "Nassim"} <= names
    texts = list(
        Transcript.objects.filter(interview__project=project).values_list("text", flat=True)
    )
    assert len(texts) == 12
    leaked = sorted({n for text in texts for n in names if _contains_word(text, n)})
    assert not leaked
    joined = "\n".join(texts)
    # The helper's placeholders are there instead (a phone number and an address were said).
    assert "[téléphone]" in joined
    assert "06 39 98" not in joined
    assert "[adresse]" in joined
    assert "Capucines" not in joined
    assert "Personne 1" in joined
    assert "Enquêteur·rice" in joined
    # Nor any name of the demo's households and professionals.
    demo_names = {n for n in (*ref.FIRST_NAMES, *ref.LAST_NAMES) if len(n) > 2}
    assert not sorted(n for n in demo_names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", joined))


def test_a_dozen_transcripts_of_250_to_600_words_from_varied_stakeholders(project):
    transcripts = Transcript.objects.filter(interview__project=project).select_related("interview")
    words = {t.interview.reference: len(t.text.split()) for t in transcripts}
    assert len(words) == 12
    assert all(250 <= n <= 600 for n in words.values()), words
    types = defaultdict(int)
    for stakeholder in Interview.objects.filter(project=project).values_list(
        "stakeholder_type", flat=True
    ):
        types[stakeholder] += 1
    assert types["household"] == types["associative_referent"] == 3
    assert types["landlord_social_worker"] == 3
    assert types["coordinator"] == types["rent_recovery"] == types["institution"] == 1
    collective = Interview.objects.get(project=project, stakeholder_type="institution")
    assert (collective.mode, collective.participants) == ("collective", 4)
    assert len(parse_turns(collective.transcript.text)) >= 10
    assert all(t.replacements > 0 for t in transcripts)


def test_every_interview_has_a_consent_record_and_the_withdrawn_one_is_left_out(project):
    interviews = Interview.objects.filter(project=project).select_related("consent")
    assert all(i.consent for i in interviews)
    withdrawn = [i for i in interviews if not i.has_valid_consent]
    assert len(withdrawn) == 1
    (interview,) = withdrawn
    assert interview.consent.withdrawn_on is not None
    assert interview.case_study is None
    assert not Transcript.objects.filter(interview=interview).exists()
    assert not Segment.objects.filter(transcript__interview=interview).exists()


def _turn_units(text: str) -> list[tuple[int, int]]:
    return [
        (t.start_offset, t.end_offset) for t in parse_turns(text) if t.end_offset > t.start_offset
    ]


def _agreement(project: Project) -> tuple[int, float, float]:
    """Turns as units, as the report measures it: (transcripts, pooled kappa, alpha)."""
    by_transcript: dict[int, dict[int, list[Segment]]] = defaultdict(lambda: defaultdict(list))
    for segment in Segment.objects.filter(transcript__interview__project=project, consensus=False):
        by_transcript[segment.transcript_id][segment.coder_id].append(segment)
    texts = dict(Transcript.objects.filter(interview__project=project).values_list("pk", "text"))
    coded: list[CodedUnit] = []
    units: list[tuple[int, int]] = []
    codes: set[int] = set()
    double = 0
    for pk, by_coder in by_transcript.items():
        if len(by_coder) < 2:
            continue
        double += 1
        spans = _turn_units(texts[pk])
        for rank, segments in enumerate(sorted(by_coder.items())):
            for index, (start, end) in enumerate(spans):
                found = frozenset(s.code_id for s in segments[1] if s.start < end and s.end > start)
                coded.append(CodedUnit(rank, (pk, index), found))
                codes |= found
        units.extend((pk, index) for index in range(len(spans)))
    result = segment_agreement(coded, coders=(0, 1), codes=sorted(codes), units=units)
    assert result.kappa is not None
    return double, result.kappa, result.alpha


def test_two_coders_on_at_least_six_transcripts_with_a_realistic_agreement(project):
    double, kappa, alpha = _agreement(project)
    assert double >= 6
    # Coders agree well but not perfectly: there is something to reconcile.
    assert 0.6 <= kappa <= 0.8, kappa
    assert not math.isnan(alpha)
    coders = set(
        Segment.objects.filter(transcript__interview__project=project, consensus=False)
        .values_list("coder__username", flat=True)
        .distinct()
    )
    assert coders == {"t2-evaluation", "t3-evaluation"}


def test_reconciled_coding_on_two_transcripts_by_the_lead(project):
    reconciled = Segment.objects.filter(transcript__interview__project=project, consensus=True)
    assert set(reconciled.values_list("transcript__interview__reference", flat=True)) == {
        "E01",
        "E04",
    }
    assert set(reconciled.values_list("coder__username", flat=True)) == {"t1-evaluation"}
    for segment in reconciled.select_related("transcript"):
        assert segment.transcript.text[segment.start : segment.end] == segment.text


def test_codebook_has_themes_codes_and_a_history_with_an_import_and_a_merge(project):
    codes = Code.objects.filter(project=project)
    themes = codes.filter(parent__isnull=True)
    assert themes.count() == 5
    active = codes.filter(is_active=True, parent__isnull=False)
    assert 15 <= active.count() <= 20
    assert all(c.definition and c.include and c.exclude and c.example and c.color for c in active)
    imported = CodeEvent.objects.filter(code__project=project, kind="imported")
    assert set(imported.values_list("code", flat=True)) == set(codes.values_list("pk", flat=True))
    assert CodeEvent.objects.filter(code__project=project, kind="edited").exists()
    (merged,) = codes.filter(is_active=False)
    assert merged.merged_into is not None
    assert merged.merged_into.is_active
    event = CodeEvent.objects.get(code=merged, kind="merged")
    assert event.other == merged.merged_into
    assert event.detail["role"] == "source"
    # Merged after the first coding round: its segments were re-coded with the target.
    assert event.detail["segments"] >= 1
    assert event.detail["duplicates"] >= 1
    assert CodeEvent.objects.get(code=merged.merged_into, kind="merged").other == merged
    assert not Segment.objects.filter(code=merged).exists()


def test_memos_on_the_project_a_code_a_transcript_and_a_segment(project):
    memos = Memo.objects.filter(project=project)
    assert memos.count() >= 4
    assert memos.filter(code__isnull=False).exists()
    assert memos.filter(transcript__isnull=False).exists()
    assert memos.filter(segment__isnull=False).exists()


def test_the_recorded_draw_verifies_against_the_snapshot(project, snapshot_con):
    (record,) = CaseDraw.objects.filter(project=project)
    draw = Draw.from_json(json.dumps(record.draw))
    assert record.seed == SEED == draw.seed
    assert verify_draw(snapshot_con, draw).ok
    assert set(CaseStudy.objects.filter(project=project).values_list("case_id", flat=True)) == set(
        draw.case_ids
    )


def test_three_case_studies_each_with_its_three_consented_interviews(project, snapshot_con):
    cases = list(CaseStudy.objects.filter(project=project).order_by("title"))
    assert [c.title for c in cases] == ["Cas 1", "Cas 2", "Cas 3"]
    themes = Code.objects.filter(project=project, parent__isnull=True, is_active=True)
    questions = EvaluativeQuestion.objects.filter(project=project)
    for case in cases:
        interviews = list(case.interviews.select_related("consent"))
        assert sorted(i.stakeholder_type for i in interviews) == sorted(CASE_INTERVIEW_SOURCES)
        assert all(i.has_valid_consent for i in interviews)
        assert {i.territory.code for i in interviews} == {case.territory}
        moments = {(e.activity, e.day) for e in timeline(snapshot_con, case.case_id).events}
        pins = list(case.pins.select_related("segment__transcript__interview"))
        assert 2 <= len(pins) <= 3
        for pin in pins:
            assert (pin.activity, pin.day) in moments
            assert pin.segment.transcript.interview.case_study_id == case.pk
        cells = TriangulationCell.objects.filter(case_study=case)
        assert cells.count() == themes.count() * len(CaseSource.values)
        assert set(cells.values_list("theme", flat=True)) == set(
            themes.values_list("pk", flat=True)
        )
        assert CrossCaseCell.objects.filter(case_study=case).count() == questions.count()


def test_every_question_traces_to_coded_segments_and_indicators(project):
    questions = EvaluativeQuestion.objects.filter(project=project).order_by("number")
    assert sorted(questions.values_list("criterion", flat=True)) == sorted(
        ["relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability"]
    )
    for question in questions:
        assert question.judgement_criteria
        assert question.findings
        assert question.indicators.exists(), question.number
        assert Segment.objects.filter(code__questions=question).exists(), question.number
        assert question.case_studies.exists() or question.workshops.exists()
    assert 6 <= Recommendation.objects.filter(project=project).count() <= 8
    assert Recommendation.objects.filter(project=project, priority=1).exists()
    for stage in LogicStage.values:
        nodes = LogicModelNode.objects.filter(project=project, stage=stage)
        assert 2 <= nodes.count() <= 3, stage
        assert nodes.filter(indicators__isnull=False).exists(), stage


def test_the_workshop_has_live_and_hand_votes_and_two_retained_cards_in_the_plan(project):
    workshop = Workshop.objects.get(project=project)
    attendees = workshop.attendees.all()
    assert attendees.count() == 12
    assert set(attendees.filter(user__isnull=False).values_list("user__username", flat=True)) == {
        "t1-coordination",
        "t1-professionnel",
    }
    assert len({a.stakeholder_type for a in attendees}) >= 6
    assert workshop.cards.count() == 6
    votes = Vote.objects.filter(card__workshop=workshop)
    for attendee in attendees.filter(user__isnull=False):
        live = votes.filter(attendee=attendee)
        assert live.exists()
        assert sum(v.dots for v in live) <= workshop.dots_per_person
        assert {v.entered_by for v in live} == {attendee.user}
    hands = votes.filter(hand=True)
    assert hands.count() == 6
    assert set(hands.values_list("entered_by__username", flat=True)) == {"t1-evaluation"}
    assert sum(v.dots for v in hands) <= (12 - 2) * workshop.dots_per_person
    retained = workshop.cards.filter(retained=True)
    assert retained.count() == 2
    actions = ActionItem.objects.filter(project=project)
    assert set(actions.values_list("card", flat=True)) == set(retained.values_list("pk", flat=True))
    assert all(a.indicator and a.recommendation and a.owner for a in actions)
    assert workshop.minutes


def test_building_again_replaces_the_demo_project_the_same_way(project):
    other = Project.objects.create(name="Autre projet", created_by=project.created_by)

    def content(p: Project) -> tuple[Any, ...]:
        return (
            sorted(CaseStudy.objects.filter(project=p).values_list("title", "case_id")),
            sorted(
                Transcript.objects.filter(interview__project=p).values_list(
                    "interview__reference", "text"
                )
            ),
            sorted(
                Segment.objects.filter(transcript__interview__project=p).values_list(
                    "transcript__interview__reference",
                    "code__name",
                    "coder__username",
                    "start",
                    "end",
                    "consensus",
                )
            ),
        )

    before = content(project)
    again = demo_build_evaluation(seed=SEED)
    assert [p.pk for p in demo_evaluation_projects()] == [again.pk]
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Project.objects.filter(pk=other.pk).exists()
    assert content(again) == before


def test_the_demo_command_builds_the_evaluation_project_after_the_analytics(project, capsys):
    call_command("etage_demo", "--seed", str(SEED), "--situations", "0")
    out = capsys.readouterr().out
    assert out.index("Instantané d'analyse") < out.index(f"Projet d'évaluation « {PROJECT_NAME} »")
    assert len(demo_evaluation_projects()) == 1
