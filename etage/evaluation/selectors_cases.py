"""Reads of the case studies (evaluation.md part B): the snapshot a page works on, labels of
strata, the case list, a case's interview slots, excerpts and pinned timeline, and the two
triangulation grids.

Everything here is pseudonymised: case studies point at the snapshot's keyed pseudonyms, the
timeline is :func:`etage.analytics.process.timeline` (codes, bands, months and day offsets,
never a date), interviews are shown by reference and stakeholder type. Callers have already
passed :func:`etage.evaluation.scope.require_project`; every query here stays inside that
project.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
from django.db.models import Count, Prefetch, Q
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from etage.analytics import process, store
from etage.analytics.forms import ATTRIBUTE_LABELS, level_label, value_label
from etage.analytics.views_process import timeline_context
from etage.evaluation.models import (
    CaseDraw,
    CaseStudy,
    Code,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    Project,
    Segment,
    TimelinePin,
    TriangulationCell,
)
from etage.evaluation.models.choices import CASE_INTERVIEW_SOURCES, CaseSource, Verdict
from etage.evaluation.sampling import FAMILY_SLUGS, outcome_family, outcome_family_label
from etage.territories.models import Territory

#: Words and symbols of a verdict: the symbol doubles the word, never replaces it (and no
#: colour carries the meaning).
VERDICT_SYMBOLS: dict[str, str] = {
    Verdict.CONVERGES: "✓",
    Verdict.DIVERGES: "≠",
    Verdict.SILENT: "∅",
}
STRATUM_LABELS: dict[str, Any] = {
    "territory": gettext_lazy("Territory"),
    "level": gettext_lazy("Support level"),
    "outcome_family": gettext_lazy("Outcome family"),
    "landlord": gettext_lazy("Landlord"),
    "network_profile": ATTRIBUTE_LABELS["network_profile"],
    "entry_stage": ATTRIBUTE_LABELS["entry_stage"],
    "source": ATTRIBUTE_LABELS["source"],
    "urgency": ATTRIBUTE_LABELS["urgency"],
    "referent_kind": ATTRIBUTE_LABELS["referent_kind"],
}


# -- the snapshot ----------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The analytics snapshot a page reads, or why there is none (``missing``)."""

    con: duckdb.DuckDBPyConnection | None
    #: SHA-256 of the manifest: which snapshot a draw was made on (recorded with the draw).
    fingerprint: str = ""
    #: Month of the snapshot (never the exact day: see analytics.views_process).
    month: str = ""
    missing: str = ""


def manifest_fingerprint(manifest: dict[str, Any]) -> str:
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def open_snapshot() -> Iterator[Snapshot]:
    """The current snapshot (closed on exit); ``con`` is None when none was written yet."""
    try:
        manifest = store.manifest()
        con = store.connect()
    except store.SnapshotMissing as missing:
        yield Snapshot(None, missing=str(missing))
        return
    created = parse_datetime(str(manifest.get("created_at", "")))
    try:
        yield Snapshot(
            con,
            fingerprint=manifest_fingerprint(manifest),
            month=date_format(created, "F Y") if created else "",
        )
    finally:
        con.close()


def case_strata(con: duckdb.DuckDBPyConnection, case_ids: Sequence[str]) -> dict[str, tuple]:
    """case_id → (territory, level, outcome family) in the snapshot, for the cases found."""
    if not case_ids:
        return {}
    rows = con.execute(
        "SELECT case_id, coalesce(territory, ''), coalesce(level, ''), closed_day IS NOT NULL, "
        "outcome FROM situations WHERE list_contains(?, case_id)",
        [list(case_ids)],
    ).fetchall()
    return {
        str(case_id): (str(territory), str(level), outcome_family(bool(closed), outcome))
        for case_id, territory, level, closed, outcome in rows
    }


# -- labels ----------------------------------------------------------------------------------


def territory_names() -> dict[str, str]:
    return dict(Territory.objects.values_list("code", "name"))


def stratum_value_label(column: str, value: str, territories: dict[str, str]) -> str:
    if column == "territory":
        name = territories.get(value)
        return f"{value} — {name}" if name else (value or _("(empty)"))
    if column == "level":
        return level_label(value)
    if column == "outcome_family":
        return outcome_family_label(value) if value in FAMILY_SLUGS.values() else value
    return value_label(column, value)


def outcome_label(slug: str) -> str:
    if not slug:
        return "—"
    return outcome_family_label(slug) if slug in FAMILY_SLUGS.values() else slug


# -- the case list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotWord:
    source: str
    label: str
    reference: str  # "" when the slot is empty


@dataclass(frozen=True)
class CaseRow:
    case: CaseStudy
    territory: str
    level: str
    outcome: str
    slots: tuple[SlotWord, ...]

    @property
    def attached(self) -> int:
        return sum(1 for s in self.slots if s.reference)


def slot_words(interviews: Sequence[Interview]) -> tuple[SlotWord, ...]:
    by_type = {i.stakeholder_type: i.reference for i in interviews}
    return tuple(
        SlotWord(source.value, str(source.label), by_type.get(source.value, ""))
        for source in CASE_INTERVIEW_SOURCES
    )


def case_rows(project: Project) -> list[CaseRow]:
    territories = territory_names()
    cases = CaseStudy.objects.filter(project=project).prefetch_related(
        Prefetch("interviews", queryset=Interview.objects.order_by("reference"))
    )
    return [
        CaseRow(
            case=case,
            territory=stratum_value_label("territory", case.territory, territories)
            if case.territory
            else "—",
            level=level_label(case.level) if case.level else "—",
            outcome=outcome_label(case.outcome),
            slots=slot_words(list(case.interviews.all())),
        )
        for case in cases
    ]


@dataclass(frozen=True)
class DrawRow:
    draw: CaseDraw
    sample_size: int
    population_size: int
    by: tuple[str, ...]
    allocation: str
    case_titles: tuple[str, ...]


def draw_rows(project: Project) -> list[DrawRow]:
    rows = []
    draws = (
        CaseDraw.objects.filter(project=project)
        .select_related("created_by", "verified_by")
        .prefetch_related("case_studies")
    )
    for draw in draws:
        data = draw.draw if isinstance(draw.draw, dict) else {}
        strata = data.get("strata") or []
        rows.append(
            DrawRow(
                draw=draw,
                sample_size=sum(len(s.get("case_ids") or []) for s in strata),
                population_size=int(data.get("population_size") or 0),
                by=tuple(str(STRATUM_LABELS.get(c, c)) for c in data.get("by") or []),
                allocation=str(data.get("allocation") or ""),
                case_titles=tuple(c.title for c in draw.case_studies.all()),
            )
        )
    return rows


# -- a case: interview slots and excerpts ----------------------------------------------------


@dataclass
class Slot:
    source: str
    label: str
    interview: Interview | None
    consent_ok: bool = False
    segments: int = 0
    #: Interviews of the project of this stakeholder type not attached to any case.
    candidates: list[Interview] = field(default_factory=list)
    #: The attached interview's page in the interview register ("" while not installed).
    url: str = ""


def consent_words(interview: Interview) -> str:
    consent = getattr(interview, "consent", None)
    if consent is None:
        return _("no consent recorded")
    if consent.withdrawn_on is not None:
        return _("consent withdrawn")
    return _("consent recorded")


def case_slots(case: CaseStudy) -> list[Slot]:
    types = [s.value for s in CASE_INTERVIEW_SOURCES]
    interviews = (
        Interview.objects.filter(project_id=case.project_id, stakeholder_type__in=types)
        .filter(Q(case_study=case) | Q(case_study__isnull=True))
        .select_related("consent")
        .annotate(segment_count=Count("transcript__segments"))
        .order_by("reference")
    )
    slots = {s.value: Slot(s.value, str(s.label), None) for s in CASE_INTERVIEW_SOURCES}
    for interview in interviews:
        slot = slots[interview.stakeholder_type]
        if interview.case_study_id == case.pk:
            slot.interview = interview
            slot.consent_ok = interview.has_valid_consent
            slot.segments = interview.segment_count
        else:
            slot.candidates.append(interview)
    return list(slots.values())


def case_segments(case: CaseStudy) -> list[Segment]:
    """Coded segments of the transcripts of the interviews attached to ``case`` (reconciled
    coding first), with their code and interview."""
    return list(
        Segment.objects.filter(transcript__interview__case_study=case)
        .select_related("code", "transcript__interview__consent")
        .order_by("transcript__interview__reference", "-consensus", "start", "pk")
    )


def segment_label(segment: Segment) -> str:
    interview = segment.transcript.interview
    text = " ".join(segment.text.split())
    short = text if len(text) <= 80 else text[:79] + "…"
    return _("%(reference)s (%(type)s) — code “%(code)s” — “%(text)s”") % {
        "reference": interview.reference,
        "type": interview.get_stakeholder_type_display(),
        "code": segment.code.name,
        "text": short,
    }


# -- a case: the pinned timeline -------------------------------------------------------------


@dataclass(frozen=True)
class PinView:
    pin: TimelinePin
    reference: str
    stakeholder: str
    code: str
    #: The excerpt, or "" when the interview's consent is no longer valid (then hidden).
    text: str
    quotable: bool


@dataclass
class CaseTimeline:
    found: bool = False
    attributes: list[tuple[str, str]] = field(default_factory=list)
    #: timeline_context's events, each with ``pins`` (list of PinView) and ``moment``.
    events: list[dict[str, Any]] = field(default_factory=list)
    #: Pins whose moment is not in the current snapshot's timeline any more.
    orphan_pins: list[PinView] = field(default_factory=list)

    @property
    def moments(self) -> set[tuple[str, int]]:
        return {(e["activity"], e["day"]) for e in self.events}


def moment_key(activity: str, day: int) -> str:
    return f"{day}:{activity}"


def pin_views(case: CaseStudy) -> list[PinView]:
    pins = TimelinePin.objects.filter(case_study=case).select_related(
        "segment__code", "segment__transcript__interview__consent"
    )
    out = []
    for pin in pins:
        interview = pin.segment.transcript.interview
        consent = getattr(interview, "consent", None)
        valid = interview.has_valid_consent
        out.append(
            PinView(
                pin=pin,
                reference=interview.reference,
                stakeholder=interview.get_stakeholder_type_display(),
                code=pin.segment.code.name,
                text=pin.segment.text if valid else "",
                quotable=bool(valid and consent is not None and consent.quotation),
            )
        )
    return out


def case_timeline(con: duckdb.DuckDBPyConnection | None, case: CaseStudy) -> CaseTimeline:
    pins = pin_views(case)
    found = process.timeline(con, case.case_id) if con is not None else None
    if found is None:
        return CaseTimeline(found=False, orphan_pins=pins)
    context = timeline_context(found)
    by_moment: dict[tuple[str, int], list[PinView]] = defaultdict(list)
    for view in pins:
        by_moment[(view.pin.activity, view.pin.day)].append(view)
    events = []
    placed: set[tuple[str, int]] = set()
    for event in context["events"]:
        key = (event["activity"], event["day"])
        # Two events may share an activity and a day: their pins are shown once, at the first.
        event_pins = by_moment.get(key, []) if key not in placed else []
        placed.add(key)
        events.append({**event, "pins": event_pins, "moment": moment_key(*key)})
    orphans = [v for key, views in by_moment.items() if key not in placed for v in views]
    return CaseTimeline(True, context["attributes"], events, orphans)


# -- triangulation ---------------------------------------------------------------------------


def themes(project: Project) -> list[Code]:
    """The project's top-level active codes: the rows of a triangulation matrix."""
    return list(
        Code.objects.filter(project=project, parent__isnull=True, is_active=True).order_by(
            "position", "name"
        )
    )


def descendants(project: Project) -> dict[int, set[int]]:
    """Code pk → itself and every code below it (closed codes included: their segments
    still say something about the theme)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Code.objects.filter(project=project).values_list("pk", "parent_id"):
        children[parent].append(pk)
    out: dict[int, set[int]] = {}

    def walk(pk: int) -> set[int]:
        if pk not in out:
            found = {pk}
            out[pk] = found  # guards against a cycle
            for child in children.get(pk, []):
                found |= walk(child)
        return out[pk]

    for pk, _parent in Code.objects.filter(project=project).values_list("pk", "parent_id"):
        walk(pk)
    return out


@dataclass
class TriCell:
    theme: Code
    source: str
    source_label: str
    cell: TriangulationCell | None
    segments: list[Segment] = field(default_factory=list)
    #: The source has an interview attached (False for the pathway and empty slots).
    has_interview: bool = False
    #: The cell editor's address (set by the view).
    url: str = ""
    #: (segment, address of its transcript in the coding pages or "") (set by the view).
    excerpts: list[tuple[Segment, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"extraits-{self.theme.pk}-{self.source}"

    @property
    def dom_id(self) -> str:
        return f"tri-{self.theme.pk}-{self.source}"

    @property
    def verdict(self) -> str:
        return self.cell.verdict if self.cell else ""

    @property
    def verdict_label(self) -> str:
        return self.cell.get_verdict_display() if self.cell else _("Not judged yet")

    @property
    def symbol(self) -> str:
        return VERDICT_SYMBOLS.get(self.verdict, "?")

    @property
    def version(self) -> int:
        return self.cell.version if self.cell else 0


@dataclass
class TriRow:
    theme: Code
    cells: list[TriCell]


def triangulation_grid(case: CaseStudy) -> list[TriRow]:
    project = case.project
    rows = themes(project)
    below = descendants(project)
    cells = {(c.theme_id, c.source): c for c in TriangulationCell.objects.filter(case_study=case)}
    by_source: dict[str, list[Segment]] = defaultdict(list)
    attached: set[str] = set()
    for interview in Interview.objects.filter(case_study=case):
        attached.add(interview.stakeholder_type)
    for segment in case_segments(case):
        by_source[segment.transcript.interview.stakeholder_type].append(segment)
    grid = []
    for theme in rows:
        codes = below.get(theme.pk, {theme.pk})
        grid.append(
            TriRow(
                theme,
                [
                    TriCell(
                        theme=theme,
                        source=source.value,
                        source_label=str(source.label),
                        cell=cells.get((theme.pk, source.value)),
                        segments=[s for s in by_source.get(source.value, []) if s.code_id in codes],
                        has_interview=source.value in attached,
                    )
                    for source in CaseSource
                ],
            )
        )
    return grid


def triangulation_cell(case: CaseStudy, theme: Code, source: str) -> TriCell:
    for row in triangulation_grid(case):
        if row.theme.pk == theme.pk:
            return next(c for c in row.cells if c.source == source)
    # An inactive or non top-level code still has its (older) cell shown.
    cell = TriangulationCell.objects.filter(case_study=case, theme=theme, source=source).first()
    return TriCell(theme, source, str(CaseSource(source).label), cell)


# -- cross-case ------------------------------------------------------------------------------


@dataclass
class CrossCell:
    case: CaseStudy
    question: EvaluativeQuestion
    cell: CrossCaseCell | None
    #: The cell editor's address (set by the view).
    url: str = ""

    @property
    def dom_id(self) -> str:
        return f"croise-{self.case.pk}-{self.question.pk}"

    @property
    def verdict(self) -> str:
        return self.cell.verdict if self.cell else ""

    @property
    def verdict_label(self) -> str:
        return self.cell.get_verdict_display() if self.cell else _("Not judged yet")

    @property
    def symbol(self) -> str:
        return VERDICT_SYMBOLS.get(self.verdict, "?")

    @property
    def version(self) -> int:
        return self.cell.version if self.cell else 0


@dataclass
class QuestionSummary:
    question: EvaluativeQuestion
    converges: int = 0
    diverges: int = 0
    silent: int = 0
    not_judged: int = 0


@dataclass
class CrossGrid:
    questions: list[EvaluativeQuestion]
    rows: list[tuple[CaseStudy, list[CrossCell]]]
    summaries: list[QuestionSummary]


def cross_case_grid(project: Project) -> CrossGrid:
    questions = list(EvaluativeQuestion.objects.filter(project=project).order_by("number"))
    cases = list(CaseStudy.objects.filter(project=project))
    cells = {
        (c.case_study_id, c.question_id): c
        for c in CrossCaseCell.objects.filter(case_study__project=project)
    }
    summaries = {q.pk: QuestionSummary(q) for q in questions}
    rows = []
    for case in cases:
        row = []
        for question in questions:
            cell = cells.get((case.pk, question.pk))
            row.append(CrossCell(case, question, cell))
            summary = summaries[question.pk]
            if cell is None:
                summary.not_judged += 1
            elif cell.verdict == Verdict.CONVERGES:
                summary.converges += 1
            elif cell.verdict == Verdict.DIVERGES:
                summary.diverges += 1
            else:
                summary.silent += 1
        rows.append((case, row))
    return CrossGrid(questions, rows, [summaries[q.pk] for q in questions])
