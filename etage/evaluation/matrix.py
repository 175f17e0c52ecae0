"""What supports each evaluative question (evaluation.md part F): the selectors behind the
matrix page, the question page and the report.

:func:`question_rows` returns, per question of a project, everything the matrix shows:
criterion, judgement criteria, indicators with their latest computed value (all territories
together), sources (linked codes with their segment counts, case studies, workshops),
findings, recommendations and the **supporting excerpts** — the segments coded with the
question's codes (reconciled coding first), so each finding traces to its segments.

Excerpts are taken only from interviews whose consent is valid and allows quotation
(data-protection.md #18).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from etage.analytics.catalogue import BY_CODE
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.analytics.tables import format_value
from etage.evaluation.models import (
    Code,
    EvaluativeQuestion,
    LogicModelNode,
    Project,
    Recommendation,
    Segment,
)
from etage.evaluation.models.choices import LogicStage


@dataclass(frozen=True)
class IndicatorFigure:
    code: str
    name: str
    #: Latest period with a value ("YYYY" or "YYYY-MM"), "" when never computed.
    period: str
    value: float | None
    #: The value formatted in French with its unit, or "" when never computed.
    text: str


@dataclass(frozen=True)
class CodeSource:
    code: Code
    segments: int


@dataclass(frozen=True)
class Excerpt:
    segment: Segment
    interview_reference: str
    stakeholder_type: str
    consensus: bool


@dataclass
class QuestionRow:
    question: EvaluativeQuestion
    criterion: str
    indicators: list[IndicatorFigure] = field(default_factory=list)
    codes: list[CodeSource] = field(default_factory=list)
    case_studies: list[str] = field(default_factory=list)
    workshops: list[str] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)


def latest_figures(definitions: list[IndicatorDefinition]) -> dict[str, IndicatorFigure]:
    """The latest yearly value of each indicator for all territories together (what the
    evaluation judges; monthly figures are for the dashboards)."""
    codes = [d.code for d in definitions]
    latest: dict[str, IndicatorValue] = {}
    rows = IndicatorValue.objects.filter(code__in=codes, territory="", dimension="all").order_by(
        "code", "-period"
    )
    for row in rows:
        # Prefer a year ("2025") over months: the first year met in descending order.
        current = latest.get(row.code)
        if current is None or (len(current.period) != 4 and len(row.period) == 4):
            latest[row.code] = row
    figures = {}
    for definition in definitions:
        value = latest.get(definition.code)
        indicator = BY_CODE.get(definition.code)
        text = ""
        if value is not None and indicator is not None:
            text = format_value(indicator, value.value)
        figures[definition.code] = IndicatorFigure(
            code=definition.code,
            name=definition.name,
            period=value.period if value is not None else "",
            value=value.value if value is not None else None,
            text=text,
        )
    return figures


def quotable_segments(project: Project) -> QuerySet[Segment]:
    """Segments of the project whose interview may be quoted: consent recorded, not
    withdrawn, quotation agreed."""
    return Segment.objects.filter(
        transcript__interview__project=project,
        transcript__interview__consent__isnull=False,
        transcript__interview__consent__withdrawn_on__isnull=True,
        transcript__interview__consent__quotation=True,
    )


def question_rows(
    project: Project,
    *,
    criterion: str = "",
    question_pk: int | None = None,
    excerpts_per_question: int | None = 5,
) -> list[QuestionRow]:
    """One :class:`QuestionRow` per question of ``project`` (ordered by number), optionally
    one criterion or one question only. ``excerpts_per_question=None`` returns them all."""
    questions = (
        EvaluativeQuestion.objects.filter(project=project)
        .prefetch_related("indicators", "case_studies", "workshops")
        .order_by("number")
    )
    if criterion:
        questions = questions.filter(criterion=criterion)
    if question_pk is not None:
        questions = questions.filter(pk=question_pk)
    questions_list = list(questions)
    definitions = {d.pk: d for q in questions_list for d in q.indicators.all()}
    figures = latest_figures(list(definitions.values()))

    codes_by_question: dict[int, list[CodeSource]] = defaultdict(list)
    linked = (
        Code.objects.filter(project=project, questions__in=questions_list)
        .annotate(n=Count("segments", filter=Q(segments__transcript__interview__project=project)))
        .values_list("questions", "pk", "n")
    )
    code_objects = Code.objects.in_bulk([pk for _q, pk, _n in linked])
    for question_id, code_pk, count in linked:
        codes_by_question[question_id].append(CodeSource(code_objects[code_pk], count))

    recommendations: dict[int, list[Recommendation]] = defaultdict(list)
    for recommendation in Recommendation.objects.filter(
        project=project, question__in=questions_list
    ).order_by("priority", "position", "pk"):
        assert recommendation.question_id is not None
        recommendations[recommendation.question_id].append(recommendation)

    rows = []
    for question in questions_list:
        code_sources = sorted(codes_by_question[question.pk], key=lambda c: c.code.name)
        segments = (
            quotable_segments(project)
            .filter(code__in=[c.code.pk for c in code_sources])
            .select_related("transcript__interview", "code", "coder")
            .order_by("-consensus", "transcript__interview__reference", "start", "pk")
        )
        if excerpts_per_question is not None:
            segments = segments[:excerpts_per_question]
        rows.append(
            QuestionRow(
                question=question,
                criterion=question.get_criterion_display(),
                indicators=[figures[d.code] for d in question.indicators.all()],
                codes=code_sources,
                case_studies=[c.title for c in question.case_studies.all()],
                workshops=[w.title for w in question.workshops.all()],
                recommendations=recommendations[question.pk],
                excerpts=[
                    Excerpt(
                        segment=s,
                        interview_reference=s.transcript.interview.reference,
                        stakeholder_type=s.transcript.interview.get_stakeholder_type_display(),
                        consensus=s.consensus,
                    )
                    for s in segments
                ],
            )
        )
    return rows


@dataclass
class LogicColumn:
    stage: str
    label: str
    nodes: list[tuple[LogicModelNode, list[IndicatorFigure]]]


def logic_model(project: Project) -> list[LogicColumn]:
    """The five stages in their logical order (inputs → impact), each with its nodes and
    their indicators' latest values."""
    nodes = list(
        LogicModelNode.objects.filter(project=project)
        .prefetch_related("indicators")
        .order_by("position", "pk")
    )
    figures = latest_figures(list({d for n in nodes for d in n.indicators.all()}))
    columns = []
    for stage in LogicStage:
        columns.append(
            LogicColumn(
                stage=stage.value,
                label=str(stage.label),
                nodes=[
                    (n, [figures[d.code] for d in n.indicators.all()])
                    for n in nodes
                    if n.stage == stage.value
                ],
            )
        )
    return columns
