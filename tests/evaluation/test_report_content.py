"""What the evaluation report says (etage/evaluation/report/content.py, method.py): chapters
in question order, indicators' latest figures with small cells masked, excerpts only from
interviews whose consent allows quotation, inter-coder agreement as documented, annexes
without a name, and what is missing said rather than left blank."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etage.accounts.models import User
from etage.evaluation.agreement import cohen_kappa
from etage.evaluation.models import Card, EvaluativeQuestion, Project, ProjectMember, Vote
from etage.evaluation.report.blocks import Paragraph, report_blocks
from etage.evaluation.report.content import MAX_EXCERPTS, build_report
from etage.evaluation.report.method import Table
from tests.evaluation.report_world import (
    NO_CONSENT_MARK,
    NO_QUOTE_MARK,
    QUESTION_TEXTS,
    WITHDRAWN_MARK,
    ReportWorld,
    build_report_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_snapshot(settings: Any, tmp_path: Path) -> None:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "no-snapshot"


@pytest.fixture
def world(demo_reference: dict[str, User]) -> ReportWorld:
    return build_report_world(demo_reference)


def _cells(table: Table | None) -> list[str]:
    assert table is not None
    return [cell for row in table.rows for cell in row]


def test_chapters_follow_the_question_numbers_with_criterion_and_findings(world):
    EvaluativeQuestion.objects.filter(pk=world.questions[0].pk).update(number=3)
    content = build_report(world.project, charts=False)
    assert [c.number for c in content.chapters] == [2, 3]
    assert [c.text for c in content.chapters] == [QUESTION_TEXTS[1], QUESTION_TEXTS[0]]
    first = content.chapters[1]
    assert first.criterion == "Efficacité"
    assert first.findings.startswith("Le premier contact")
    assert first.codes == ("Intervention précoce", "Coordination")


def test_indicators_show_the_latest_year_and_hide_small_cells(world):
    content = build_report(world.project, charts=False)
    q1, q2 = content.chapters
    figures = {i.code: i for i in q1.indicators}
    # The latest year wins over a later month; the monthly figure of 3 situations is not used.
    assert (figures["identified"].period, figures["identified"].text) == ("2023", "131")
    assert [p for p, _v, _t in figures["identified"].series] == ["2022", "2023"]
    assert figures["days_to_orientation_median"].text == "35,0 jours"
    # A share of 4 situations tells about fewer than 5 people: masked and never charted.
    (share,) = q2.indicators
    assert share.text == "< 5"
    assert share.series == ()


def test_each_chart_comes_with_alt_text_and_the_same_figures_in_a_table(world):
    content = build_report(world.project)
    chart = content.chapters[0].chart
    assert chart is not None
    assert chart.png.startswith(b"\x89PNG")
    assert "131" in chart.alt
    assert "41,5 jours" in chart.alt
    assert ("Situations repérées", "2023", "131") in chart.table.rows
    # Nothing to draw for question 2 (its only figure is masked): no chart, no empty image.
    assert content.chapters[1].chart is None


def test_excerpts_come_only_from_interviews_whose_consent_allows_quotation(world):
    content = build_report(world.project, charts=False)
    quotes = content.chapters[0].quotes
    assert {q.reference for q in quotes} == {"E01", "E02"}
    every_text = " ".join(q.text for c in content.chapters for q in c.quotes)
    for mark in (WITHDRAWN_MARK, NO_QUOTE_MARK, NO_CONSENT_MARK):
        assert mark not in every_text
    html = "".join(str(b) for b in report_blocks(content))
    for mark in (WITHDRAWN_MARK, NO_QUOTE_MARK, NO_CONSENT_MARK):
        assert mark not in html


def test_reconciled_coding_comes_first_and_a_span_is_quoted_once(world):
    quotes = build_report(world.project, charts=False).chapters[0].quotes
    assert quotes[0].consensus
    assert quotes[0].reference == "E02"
    spans = [(q.reference, q.text) for q in quotes]
    assert len(spans) == len(set(spans))
    # E01's turn 1 was coded by both evaluators: one quote only.
    assert len(quotes) == 4


def test_excerpts_are_capped_per_question(world, demo_reference):
    from etage.evaluation.models import Segment

    transcript = world.interviews["E01"].transcript
    for start in range(0, 60, 5):
        Segment.objects.create(
            transcript=transcript,
            code=world.codes["early"],
            coder=world.lead,
            start=start,
            end=start + 4,
            text=transcript.text[start : start + 4],
        )
    chapter = build_report(world.project, charts=False).chapters[0]
    assert len(chapter.quotes) == MAX_EXCERPTS
    assert chapter.quotable > MAX_EXCERPTS


def test_agreement_averages_kappa_per_code_over_speaker_turns(world):
    agreement = build_report(world.project, charts=False).method.agreement
    assert (agreement.transcripts, agreement.coders, agreement.turns) == (2, 2, 8)
    # Per turn, present (1) or absent (0), E01's four turns then E02's.
    early_lead = [0, 1, 0, 0, 0, 1, 0, 0]
    early_coder = [0, 1, 0, 0, 0, 0, 0, 1]
    coordination = [0, 0, 0, 1, 0, 0, 0, 1]
    kappa_early = cohen_kappa(early_lead, early_coder, labels=[0, 1])
    kappa_coordination = cohen_kappa(coordination, coordination, labels=[0, 1])
    assert agreement.mean_kappa == pytest.approx((kappa_early + kappa_coordination) / 2)
    assert agreement.pooled_kappa == pytest.approx(
        cohen_kappa(early_lead + coordination, early_coder + coordination, labels=[0, 1])
    )
    assert agreement.codes_with_kappa == 2
    assert 0 < agreement.alpha < 1
    assert agreement.percent == pytest.approx(14 / 16)


def test_agreement_is_said_unmeasurable_without_double_coding(demo_reference):
    lead = demo_reference["t1-evaluation"]
    project = Project.objects.create(name="Vide", created_by=lead)
    content = build_report(project, charts=False)
    assert content.method.agreement.mean_kappa is None
    assert "ne peut pas être mesuré" in content.method.agreement_text


def test_method_counts_interviews_by_type_and_format(world):
    method = build_report(world.project, charts=False).method
    assert method.interviews is not None
    rows = {row[0]: row[1:] for row in method.interviews.rows}
    assert rows["Ménage"] == ("2", "0", "2")
    assert rows["Travailleur social du bailleur"] == ("0", "1", "4")
    assert rows["Total"] == ("4", "1", "8")
    assert method.attendees is not None
    attendees = {row[0]: row[1:] for row in method.attendees.rows}
    assert attendees["Ménage"] == ("2", "2")


def test_a_missing_snapshot_is_said_and_listed_among_the_gaps(world):
    content = build_report(world.project, charts=False)
    assert content.method.snapshot.situations is None
    assert content.method.snapshot.note
    assert any("etage_snapshot" in gap for gap in content.gaps)
    facts = dict(content.method.facts)
    assert facts["Situations analysées (données de parcours)"] == "aucun instantané disponible"


def test_the_snapshot_gives_situations_period_and_data_quality(world, settings, tmp_path, refer):
    from etage.analytics.snapshot import write_snapshot

    refer(identified_on=date(2026, 3, 2))
    refer(last_name="Autre", address="5 rue des Tilleuls", identified_on=date(2026, 4, 6))
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(settings.ETAGE_SNAPSHOT_DIR, full=True)
    content = build_report(world.project, charts=False)
    snapshot = content.method.snapshot
    assert snapshot.situations == 2
    assert snapshot.first_month == "2026-03"
    assert snapshot.note == ""
    assert snapshot.quality is not None
    assert len(snapshot.quality.rows) >= 5
    facts = dict(content.method.facts)
    assert facts["Situations analysées (données de parcours)"] == "2"
    assert "mars 2026" in facts["Période couverte par les données de parcours"]
    assert not any("etage_snapshot" in gap for gap in content.gaps)


def test_the_interview_annex_lists_references_types_and_months_never_a_name(world):
    content = build_report(world.project, charts=False)
    table = content.annexes.interviews
    assert table is not None
    assert [row[0] for row in table.rows] == ["E01", "E02", "E03", "E04", "E05"]
    assert table.rows[0][3] == "mars 2024"
    assert table.rows[2][4] == "Collectif (4 personnes)"
    interviewer = world.lead
    for cell in _cells(table):
        assert interviewer.last_name not in cell
        assert "12" not in cell  # the day of the interview is never shown


def test_workshops_annex_shows_attendees_by_type_and_retained_cards_with_votes(world):
    (workshop,) = build_report(world.project, charts=False).annexes.workshops
    assert workshop.month == "octobre 2024"
    assert "Ménage : 2" in workshop.attendees
    assert workshop.cards is not None
    ((title, _kind, votes),) = workshop.cards.rows
    assert title == "Un numéro unique"
    # The same counting as the workshop's results page: 3 dots put it first of the two cards.
    assert votes.startswith("rang 1 sur 2 — 3 gommettes (")


def test_the_annex_counts_hand_votes_as_the_results_page_does(world):
    """Hands typed in by the facilitator count: five hands for the other card put the retained
    one second, as on the workshop's results page."""
    other = Card.objects.get(title="Carte écartée")
    Vote.objects.create(card=other, method="dots", hand=True, dots=5, entered_by=world.lead)
    (workshop,) = build_report(world.project, charts=False).annexes.workshops
    ((_title, _kind, votes),) = workshop.cards.rows
    assert votes.startswith("rang 2 sur 2 — 3 gommettes (")


def test_the_codebook_annex_is_a_tree_with_definitions(world):
    codebook = build_report(world.project, charts=False).annexes.codebook
    assert codebook is not None
    names = [row[0] for row in codebook.rows]
    assert names[0] == "Repérage"
    assert names[1].endswith("└ Intervention précoce")
    assert names[2] == "Coordination"
    assert codebook.rows[1][1] == "Contact avant l'assignation."


def test_recommendations_are_grouped_by_priority(world):
    groups = build_report(world.project, charts=False).recommendations
    assert [len(g.items) for g in groups] == [1, 1]
    assert groups[0].items[0].question == 1
    assert [g.label for g in groups] == ["Priorité haute", "Priorité basse"]


def test_an_empty_project_gives_hints_and_a_document_that_says_what_is_missing(demo_reference):
    lead = demo_reference["t1-evaluation"]
    project = Project.objects.create(name="Projet vide", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    content = build_report(project)
    assert content.chapters == ()
    assert len(content.gaps) >= 5
    notes = [b.text for b in report_blocks(content) if isinstance(b, Paragraph) and b.style]
    assert len(notes) >= 8


def test_months_only_in_the_facts(world):
    facts = dict(build_report(world.project, charts=False).method.facts)
    text = " ".join(facts.values())
    assert "mars 2024" in text
    assert "12/03" not in text
    assert "2024-03" not in text
