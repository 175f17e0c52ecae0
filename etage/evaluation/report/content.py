"""What the evaluation report says, in French, gathered from the workspace's models only
(pseudonymised material: interview references and stakeholder types, never a name).

:func:`build_report` returns a :class:`ReportContent` that the renderers lay out without
touching the database. Rules it applies:

- **excerpts** come only from interviews whose consent is recorded, not withdrawn, and allows
  pseudonymised quotation (data-protection.md #18); reconciled coding first; at most
  :data:`MAX_EXCERPTS` per question, the same span coded twice shown once;
- **indicators**: the figure for all territories together (``territory=""``,
  ``dimension="all"``) of the latest year computed, or of the latest month when no year is;
  the chart shows the yearly series (or the last 12 months). The report leaves the evaluators'
  hands (steering committee, partners), so a figure about fewer than
  :data:`SMALL_CELL` people is shown as "< 5" and never charted (data-protection.md #7);
- **dates** at month precision only.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from etage.analytics.catalogue import BY_CODE
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.analytics.tables import format_value
from etage.evaluation.models import (
    Card,
    Code,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    LogicModelNode,
    Project,
    Recommendation,
    Segment,
    Transcript,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import (
    LogicStage,
    Priority,
    StakeholderType,
)
from etage.evaluation.report import method
from etage.evaluation.report.method import Agreement, Snapshot, Table, month_label, month_of
from etage.evaluation.selectors_workshops import Results, workshop_results

LANGUAGE = "fr"
MAX_EXCERPTS = 5
#: Indicators drawn in one question's chart (the others are in its table).
MAX_CHARTED = 4
SMALL_CELL = 5
MONTHS_CHARTED = 12


@dataclass(frozen=True)
class IndicatorFigure:
    code: str
    name: str
    unit: str
    #: Period of the latest figure, as shown ("2024", "mars 2025"); "" if never computed.
    period: str
    #: The figure formatted in French with its unit, "< 5", or "—".
    text: str
    #: (period label, value, formatted) of the figures the chart may draw (small cells left out).
    series: tuple[tuple[str, float, str], ...] = ()


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str
    caption: str
    #: The same figures as the chart, for readers who cannot see it.
    table: Table


@dataclass(frozen=True)
class Quote:
    text: str
    reference: str
    stakeholder: str
    code: str
    consensus: bool


@dataclass(frozen=True)
class CaseFinding:
    case: str
    verdict: str
    finding: str


@dataclass(frozen=True)
class RecommendationItem:
    text: str
    priority: str
    question: int | None


@dataclass(frozen=True)
class Chapter:
    number: int
    text: str
    criterion: str
    judgement_criteria: str
    findings: str
    indicators: tuple[IndicatorFigure, ...]
    chart: Chart | None
    quotes: tuple[Quote, ...]
    #: How many distinct quotable excerpts the question's codes have (``quotes`` is the first).
    quotable: int
    codes: tuple[str, ...]
    cross_case: tuple[CaseFinding, ...]
    recommendations: tuple[RecommendationItem, ...]

    @property
    def title(self) -> str:
        return f"Q{self.number}. {self.text}"


@dataclass(frozen=True)
class Method:
    text: str
    facts: tuple[tuple[str, str], ...]
    interviews: Table | None
    attendees: Table | None
    agreement: Agreement
    agreement_text: str
    snapshot: Snapshot


@dataclass(frozen=True)
class PriorityGroup:
    label: str
    items: tuple[RecommendationItem, ...]


@dataclass(frozen=True)
class WorkshopAnnex:
    title: str
    kind: str
    month: str
    attendees: str
    cards: Table | None


@dataclass(frozen=True)
class LogicStageItems:
    label: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Annexes:
    interviews: Table | None
    workshops: tuple[WorkshopAnnex, ...]
    codebook: Table | None
    logic_model: tuple[LogicStageItems, ...]


@dataclass(frozen=True)
class ReportContent:
    project: str
    title: str
    generated: str
    summary: str
    method: Method
    chapters: tuple[Chapter, ...]
    conclusions: str
    recommendations: tuple[PriorityGroup, ...]
    annexes: Annexes
    #: What is still missing, as hints for the evaluators (the page shows them).
    gaps: tuple[str, ...] = field(default=())


def build_report(project: Project, *, charts: bool = True, quality: bool = True) -> ReportContent:
    """The report of ``project`` in French. ``charts=False`` skips drawing the charts and
    ``quality=False`` the data-quality checks over the snapshot (the report page only needs
    the outline: both cost seconds on a large snapshot)."""
    with translation.override(LANGUAGE):
        return _build(project, charts=charts, quality=quality)


def _build(project: Project, *, charts: bool, quality: bool) -> ReportContent:
    interviews = list(
        Interview.objects.filter(project=project)
        .select_related("territory", "consent")
        .order_by("reference")
    )
    transcripts = list(Transcript.objects.filter(interview__project=project))
    segments = list(Segment.objects.filter(transcript__interview__project=project))
    attendees = list(
        WorkshopAttendee.objects.filter(workshop__project=project).select_related("workshop")
    )
    snapshot = method.snapshot(quality=quality)
    agreement = method.agreement(transcripts, segments)
    chapters = tuple(_chapters(project, charts=charts))
    recommendations = _recommendations(project)
    content = ReportContent(
        project=project.name,
        title=_("Evaluation report — %(project)s") % {"project": project.name},
        generated=date_format(timezone.localdate(), "j F Y"),
        summary=project.summary.strip(),
        method=Method(
            text=project.method_limits.strip(),
            facts=_facts(project, interviews, transcripts, segments, attendees, snapshot),
            interviews=method.interviews_table(interviews),
            attendees=method.attendees_table(attendees),
            agreement=agreement,
            agreement_text=method.agreement_text(agreement),
            snapshot=snapshot,
        ),
        chapters=chapters,
        conclusions=project.conclusions.strip(),
        recommendations=recommendations,
        annexes=Annexes(
            interviews=_interview_list(interviews),
            workshops=_workshops(project),
            codebook=_codebook(project),
            logic_model=_logic_model(project),
        ),
    )
    return _with_gaps(content, transcripts=len(transcripts), segments=len(segments))


def _span(first: Any, last: Any) -> str:
    if first == last:
        return str(first)
    return _("%(first)s to %(last)s") % {"first": first, "last": last}


def _facts(
    project: Project,
    interviews: list[Interview],
    transcripts: list[Transcript],
    segments: list[Segment],
    attendees: list[WorkshopAttendee],
    snapshot: Snapshot,
) -> tuple[tuple[str, str], ...]:
    workshops = list(Workshop.objects.filter(project=project).order_by("held_on"))
    consented = sum(1 for i in interviews if i.has_valid_consent)
    facts = [
        (
            _("Interviews"),
            _(
                "%(total)s (%(individual)s individual, %(collective)s collective), "
                "%(consented)s with valid consent"
            )
            % {
                "total": len(interviews),
                "individual": sum(1 for i in interviews if i.mode == "individual"),
                "collective": sum(1 for i in interviews if i.mode == "collective"),
                "consented": consented,
            },
        ),
        (_("Transcripts"), str(len(transcripts))),
        (
            _("Coded segments"),
            _("%(segments)s by %(coders)s coders (%(consensus)s from the reconciled coding)")
            % {
                "segments": len(segments),
                "coders": len({s.coder_id for s in segments if not s.consensus}),
                "consensus": sum(1 for s in segments if s.consensus),
            },
        ),
        (_("Case studies"), str(project.case_studies.count())),
        (
            _("Workshops"),
            _("%(workshops)s, %(attendees)s attendees")
            % {"workshops": len(workshops), "attendees": len(attendees)},
        ),
    ]
    if snapshot.situations is not None:
        facts.append((_("Situations analysed (pathway data)"), str(snapshot.situations)))
        if snapshot.first_month and snapshot.last_month:
            facts.append(
                (
                    _("Period covered by the pathway data"),
                    _span(month_label(snapshot.first_month), month_label(snapshot.last_month)),
                )
            )
    else:
        facts.append((_("Situations analysed (pathway data)"), _("no snapshot available")))
    if interviews:
        days = sorted(i.held_on for i in interviews)
        facts.append((_("Interviews held"), _span(month_of(days[0]), month_of(days[-1]))))
    if workshops:
        facts.append(
            (
                _("Workshops held"),
                _span(month_of(workshops[0].held_on), month_of(workshops[-1].held_on)),
            )
        )
    return tuple(facts)


# --- Chapters -------------------------------------------------------------------------------


def hidden_figure(code: str, value: float | None, cases: int) -> bool:
    """Whether a figure tells about fewer than :data:`SMALL_CELL` people (same rule as the
    steering dashboards: the people counted, and for a share those in and out of it)."""
    indicator = BY_CODE.get(code)
    if indicator is None or indicator.base == "meetings":
        return False
    parts = [cases]
    if indicator.kind == "share" and value is not None:
        hits = round(value * cases / 100)
        parts += [hits, cases - hits]
    return any(0 < n < SMALL_CELL for n in parts)


def _format(code: str, value: float | None) -> str:
    indicator = BY_CODE.get(code)
    if indicator is None:
        return "—" if value is None else str(value)
    return format_value(indicator, value)


def indicator_figures(
    definitions: list[IndicatorDefinition],
) -> dict[str, IndicatorFigure]:
    """The latest figure and the chartable series of each indicator (all territories)."""
    values: dict[str, dict[str, tuple[float | None, int]]] = defaultdict(dict)
    for row in IndicatorValue.objects.filter(
        code__in=[d.code for d in definitions], territory="", dimension="all"
    ).values_list("code", "period", "value", "cases"):
        code, period, value, cases = row
        values[code][period] = (value, cases)
    figures = {}
    for definition in definitions:
        periods = values.get(definition.code, {})
        years = sorted(p for p in periods if len(p) == 4)
        shown = years or sorted(p for p in periods if len(p) == 7)[-MONTHS_CHARTED:]
        period = text = ""
        if shown:
            latest = shown[-1]
            value, cases = periods[latest]
            period = month_label(latest)
            text = (
                f"< {SMALL_CELL}"
                if hidden_figure(definition.code, value, cases)
                else _format(definition.code, value)
            )
        series = tuple(
            (month_label(p), float(v), _format(definition.code, v))
            for p in shown
            for v, n in [periods[p]]
            if v is not None and not hidden_figure(definition.code, v, n)
        )
        figures[definition.code] = IndicatorFigure(
            code=definition.code,
            name=definition.name,
            unit=definition.unit,
            period=period,
            text=text or "—",
            series=series,
        )
    return figures


def _chapters(project: Project, *, charts: bool) -> list[Chapter]:
    questions = list(
        EvaluativeQuestion.objects.filter(project=project)
        .prefetch_related(
            "indicators",
            Prefetch("codes", queryset=Code.objects.order_by("position", "name")),
        )
        .order_by("number")
    )
    figures = indicator_figures(
        list({d.pk: d for q in questions for d in q.indicators.all()}.values())
    )
    quotable = (
        Segment.objects.filter(
            transcript__interview__project=project,
            transcript__interview__consent__isnull=False,
            transcript__interview__consent__withdrawn_on__isnull=True,
            transcript__interview__consent__quotation=True,
        )
        .select_related("transcript__interview", "code")
        .order_by("-consensus", "transcript__interview__reference", "start", "pk")
    )
    cross_case: dict[int, list[CaseFinding]] = defaultdict(list)
    for cell in (
        CrossCaseCell.objects.filter(question__project=project)
        .select_related("case_study")
        .order_by("case_study__title", "pk")
    ):
        cross_case[cell.question_id].append(
            CaseFinding(cell.case_study.title, cell.get_verdict_display(), cell.finding.strip())
        )
    recommendations: dict[int, list[RecommendationItem]] = defaultdict(list)
    for item in Recommendation.objects.filter(project=project, question__isnull=False).order_by(
        "priority", "position", "pk"
    ):
        assert item.question_id is not None
        recommendations[item.question_id].append(_recommendation(item, None))

    from etage.evaluation.report.charts import indicator_chart

    chapters = []
    for question in questions:
        codes = list(question.codes.all())
        quotes = _quotes(quotable.filter(code__in=codes))
        indicators = tuple(figures[d.code] for d in question.indicators.all())
        chapters.append(
            Chapter(
                number=question.number,
                text=question.text.strip(),
                criterion=question.get_criterion_display(),
                judgement_criteria=question.judgement_criteria.strip(),
                findings=question.findings.strip(),
                indicators=indicators,
                chart=indicator_chart(question.number, indicators[:MAX_CHARTED])
                if charts
                else None,
                quotes=tuple(quotes[:MAX_EXCERPTS]),
                quotable=len(quotes),
                codes=tuple(c.name for c in codes),
                cross_case=tuple(cross_case[question.pk]),
                recommendations=tuple(recommendations[question.pk]),
            )
        )
    return chapters


def _quotes(segments: Any) -> list[Quote]:
    seen: set[tuple[int, int, int]] = set()
    quotes = []
    for segment in segments:
        span = (segment.transcript_id, segment.start, segment.end)
        if span in seen:
            continue
        seen.add(span)
        interview = segment.transcript.interview
        quotes.append(
            Quote(
                text=" ".join(segment.text.split()),
                reference=interview.reference,
                stakeholder=interview.get_stakeholder_type_display(),
                code=segment.code.name,
                consensus=segment.consensus,
            )
        )
    return quotes


def _recommendation(item: Recommendation, number: int | None) -> RecommendationItem:
    return RecommendationItem(item.text.strip(), item.get_priority_display(), number)


def _recommendations(project: Project) -> tuple[PriorityGroup, ...]:
    groups: dict[int, list[RecommendationItem]] = defaultdict(list)
    for item in (
        Recommendation.objects.filter(project=project)
        .select_related("question")
        .order_by("priority", "position", "pk")
    ):
        number = item.question.number if item.question is not None else None
        groups[item.priority].append(_recommendation(item, number))
    return tuple(
        PriorityGroup(
            _("Priority: %(priority)s") % {"priority": str(label).lower()}, tuple(groups[value])
        )
        for value, label in Priority.choices
        if groups[value]
    )


# --- Annexes --------------------------------------------------------------------------------


def _interview_list(interviews: list[Interview]) -> Table | None:
    if not interviews:
        return None
    rows = []
    for interview in interviews:
        mode = interview.get_mode_display()
        if interview.mode == "collective":
            mode = _("%(mode)s (%(people)s people)") % {
                "mode": mode,
                "people": interview.participants,
            }
        rows.append(
            (
                interview.reference,
                interview.get_stakeholder_type_display(),
                interview.territory.name if interview.territory else "—",
                month_of(interview.held_on),
                str(mode),
            )
        )
    return Table(
        caption=_("Anonymised list of the interviews"),
        header=(_("Reference"), _("Stakeholder type"), _("Territory"), _("Month"), _("Format")),
        rows=tuple(rows),
    )


def _votes(results: Results) -> dict[int, str]:
    """Each card's result in words, as the workshop's results page gives it (the same
    counting: hands typed in by the facilitator, Borda points, tie-breaks)."""
    texts = {}
    for row in results.rows:
        standing = row.standing
        if standing.total is None or not (standing.ballots or standing.hands):
            texts[standing.card.id] = _("no vote")
            continue
        texts[standing.card.id] = _("place %(place)s of %(cards)s — %(total)s (%(method)s)") % {
            "place": standing.place,
            "cards": len(results.rows),
            "total": row.total_text,
            "method": results.method_label,
        }
    return texts


def _workshops(project: Project) -> tuple[WorkshopAnnex, ...]:
    annexes = []
    workshops = (
        Workshop.objects.filter(project=project)
        .prefetch_related(
            "attendees",
            Prefetch(
                "cards",
                queryset=Card.objects.filter(retained=True),
                to_attr="retained_cards",
            ),
        )
        .order_by("held_on", "pk")
    )
    labels = dict(StakeholderType.choices)
    for workshop in workshops:
        counts = Counter(a.stakeholder_type for a in workshop.attendees.all())
        attendees = " ; ".join(
            f"{labels[value]} : {counts[value]}"
            for value in StakeholderType.values
            if counts[value]
        )
        cards: list[Card] = workshop.retained_cards
        table = None
        if cards:
            votes = _votes(workshop_results(workshop))
            table = Table(
                caption=_("Cards retained at the workshop “%(title)s”") % {"title": workshop.title},
                header=(_("Card"), _("Type"), _("Votes")),
                rows=tuple((c.title, c.get_kind_display(), votes[c.pk]) for c in cards),
            )
        annexes.append(
            WorkshopAnnex(
                title=workshop.title,
                kind=workshop.get_kind_display(),
                month=month_of(workshop.held_on),
                attendees=attendees or _("no attendee recorded"),
                cards=table,
            )
        )
    return tuple(annexes)


def _codebook(project: Project) -> Table | None:
    codes = list(Code.objects.filter(project=project, is_active=True).order_by("position", "name"))
    if not codes:
        return None
    ids = {c.pk for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        # A code whose parent was merged away is shown at the top level.
        children[code.parent_id if code.parent_id in ids else None].append(code)
    rows: list[tuple[str, ...]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in children[parent]:
            criteria = []
            if code.include.strip():
                criteria.append(_("Include: %(text)s") % {"text": code.include.strip()})
            if code.exclude.strip():
                criteria.append(_("Exclude: %(text)s") % {"text": code.exclude.strip()})
            rows.append(
                (
                    "\u2003" * depth + ("└ " if depth else "") + code.name,
                    code.definition.strip() or "—",
                    "\n".join(criteria) or "—",
                )
            )
            walk(code.pk, depth + 1)

    walk(None, 0)
    return Table(
        caption=_("Codebook"),
        header=(_("Code"), _("Definition"), _("Inclusion and exclusion criteria")),
        rows=tuple(rows),
    )


def _logic_model(project: Project) -> tuple[LogicStageItems, ...]:
    by_stage: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for node in (
        LogicModelNode.objects.filter(project=project)
        .prefetch_related("indicators")
        .order_by("position", "pk")
    ):
        indicators = ", ".join(d.name for d in node.indicators.all())
        by_stage[node.stage].append((node.text, indicators))
    return tuple(
        LogicStageItems(str(label), tuple(by_stage[value]))
        for value, label in LogicStage.choices
        if by_stage[value]
    )


# --- What is missing ------------------------------------------------------------------------


def _with_gaps(content: ReportContent, *, transcripts: int, segments: int) -> ReportContent:
    gaps = []
    if not content.chapters:
        gaps.append(
            _(
                "No evaluative question yet: add them in the evaluation matrix; each becomes "
                "a chapter of the report."
            )
        )
    if not content.summary:
        gaps.append(_("The executive summary is not written yet."))
    if not content.method.text:
        gaps.append(_("The method and its limits are not described yet."))
    if content.annexes.interviews is None:
        gaps.append(_("No interview is registered yet: the interview annex will be empty."))
    elif not transcripts:
        gaps.append(_("No transcript uploaded yet: no excerpt can support the findings."))
    elif not segments:
        gaps.append(_("No segment coded yet: code the transcripts to support the findings."))
    if content.chapters and not any(c.indicators for c in content.chapters):
        gaps.append(_("No indicator linked to a question yet."))
    if not content.method.agreement.transcripts and segments:
        gaps.append(_("No interview coded by two evaluators yet: agreement cannot be measured."))
    if content.method.snapshot.situations is None:
        gaps.append(
            _("No analytics snapshot: run “python manage.py etage_snapshot” before generating.")
        )
    if not content.conclusions:
        gaps.append(_("The conclusions are not written yet."))
    if not content.recommendations:
        gaps.append(_("No recommendation yet: add them in the evaluation matrix."))
    return dataclasses.replace(content, gaps=tuple(gaps))
