"""The generated half of the report's "method and limits": what was gathered (interviews,
workshops, coding, case studies), how far the coders agreed, what the pathway data covers,
and the data-quality annex. Reads the workspace's models and the analytics snapshot only.

Inter-coder agreement
---------------------
Units are the **speaker turns** of each transcript coded by two coders or more (outside the
reconciled coding): a coder applied a code to a turn when one of their segments with that code
overlaps it. For every code, each coder's decision on each turn is present (1) or absent (0).

- **Cohen's kappa** is computed *per code* over every pair of coders of the same transcript
  (their turns pooled across transcripts) and then **averaged** over the codes where it is
  defined (a plain mean; a code nobody used or everyone used everywhere has no kappa). The
  pooled kappa over every (turn, code) decision is given next to it.
- **Krippendorff's alpha** (nominal) pools every (turn, code) decision of every coder, the
  turns of a transcript a coder did not code counting as missing.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from etage.evaluation.agreement import CodedUnit, segment_agreement
from etage.evaluation.models import Code, Interview, Segment, Transcript
from etage.evaluation.models.choices import InterviewMode, StakeholderType, WorkshopKind
from etage.evaluation.models.workshops import WorkshopAttendee
from etage.evaluation.transcripts import parse_turns


@dataclass(frozen=True)
class Table:
    """A table as every renderer shows it: a caption, column headers, and rows whose first
    cell names the row (``row_headers``)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_headers: bool = True


@dataclass(frozen=True)
class Agreement:
    transcripts: int
    turns: int
    coders: int
    mean_kappa: float | None
    codes_with_kappa: int
    pooled_kappa: float | None
    alpha: float | None
    percent: float | None
    per_code: Table | None


@dataclass(frozen=True)
class Snapshot:
    """What the pathway data (the analytics snapshot) covers; ``situations`` is None when
    there is no snapshot (``note`` says so)."""

    situations: int | None
    first_month: str
    last_month: str
    quality: Table | None
    note: str


def decimal(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "—"
    return number_format(value, digits)


def percent(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "—"
    return f"{number_format(value * 100, 0)} %"


def month_of(day: date) -> str:
    return date_format(day, "F Y")


def month_label(period: str) -> str:
    """ "2024-03" → "mars 2024" (French through the active language); a year stays as is."""
    if len(period) == 7:
        return month_of(date(int(period[:4]), int(period[5:7]), 1))
    return period


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


# --- Counts ---------------------------------------------------------------------------------


def interviews_table(interviews: list[Interview]) -> Table | None:
    """Interviews by stakeholder type: individual, collective, people met."""
    if not interviews:
        return None
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for interview in interviews:
        counts = by_type[interview.stakeholder_type]
        counts[interview.mode] += 1
        counts["people"] += interview.participants
    rows = []
    total: Counter[str] = Counter()
    for value, label in StakeholderType.choices:
        if value in by_type:
            counts = by_type[value]
            total.update(counts)
            rows.append(_count_row(str(label), counts))
    rows.append(_count_row(_("Total"), total))
    return Table(
        caption=_("Interviews by stakeholder type and format"),
        header=(
            _("Stakeholder type"),
            _("Individual interviews"),
            _("Collective interviews"),
            _("People met"),
        ),
        rows=tuple(rows),
    )


def _count_row(label: str, counts: Counter[str]) -> tuple[str, ...]:
    return (
        label,
        str(counts[InterviewMode.INDIVIDUAL]),
        str(counts[InterviewMode.COLLECTIVE]),
        str(counts["people"]),
    )


def attendees_table(attendees: list[WorkshopAttendee]) -> Table | None:
    """Workshop attendees by stakeholder type (rows) and workshop type (columns)."""
    if not attendees:
        return None
    counts: Counter[tuple[str, str]] = Counter(
        (a.stakeholder_type, a.workshop.kind) for a in attendees
    )
    kinds = [k for k in WorkshopKind.values if any(kind == k for _t, kind in counts)]
    labels = dict(WorkshopKind.choices)
    rows = []
    for value, label in StakeholderType.choices:
        if any(t == value for t, _k in counts):
            cells = [str(counts[(value, kind)]) for kind in kinds]
            total = sum(counts[(value, kind)] for kind in kinds)
            rows.append((str(label), *cells, str(total)))
    totals = [str(sum(n for (_t, k), n in counts.items() if k == kind)) for kind in kinds]
    rows.append((_("Total"), *totals, str(len(attendees))))
    return Table(
        caption=_("Workshop attendees by stakeholder type and workshop type"),
        header=(_("Stakeholder type"), *(str(labels[k]) for k in kinds), _("Total")),
        rows=tuple(rows),
    )


# --- Agreement ------------------------------------------------------------------------------


def _turn_spans(text: str) -> list[tuple[int, int]]:
    return [
        (t.start_offset, t.end_offset) for t in parse_turns(text) if t.end_offset > t.start_offset
    ]


def agreement(transcripts: list[Transcript], segments: list[Segment]) -> Agreement:
    """Agreement over the double-coded transcripts (see the module docstring)."""
    by_transcript: dict[int, dict[int, list[Segment]]] = defaultdict(lambda: defaultdict(list))
    for segment in segments:
        if not segment.consensus:
            by_transcript[segment.transcript_id][segment.coder_id].append(segment)
    texts = {t.pk: t.text for t in transcripts}

    pairs: list[CodedUnit] = []
    pair_units: list[Hashable] = []
    coded: list[CodedUnit] = []
    units: list[Hashable] = []
    coverage: dict[int, list[Hashable]] = defaultdict(list)
    codes: set[int] = set()
    double_coded = turns = 0
    for transcript_pk, by_coder in sorted(by_transcript.items()):
        spans = _turn_spans(texts.get(transcript_pk, ""))
        if len(by_coder) < 2 or not spans:
            continue
        double_coded += 1
        turns += len(spans)
        applied: dict[int, list[frozenset[int]]] = {}
        for coder, coder_segments in by_coder.items():
            applied[coder] = [
                frozenset(s.code_id for s in coder_segments if s.start < end and s.end > start)
                for start, end in spans
            ]
            codes.update(s.code_id for s in coder_segments)
            for index, found in enumerate(applied[coder]):
                unit = (transcript_pk, index)
                coded.append(CodedUnit(coder, unit, found))
                coverage[coder].append(unit)
        units.extend((transcript_pk, index) for index in range(len(spans)))
        for first, second in itertools.combinations(sorted(applied), 2):
            for index in range(len(spans)):
                pair_unit = (transcript_pk, first, second, index)
                pair_units.append(pair_unit)
                pairs.append(CodedUnit("a", pair_unit, applied[first][index]))
                pairs.append(CodedUnit("b", pair_unit, applied[second][index]))

    if not double_coded:
        return Agreement(0, 0, 0, None, 0, None, None, None, None)
    code_list = sorted(codes)
    by_pair = segment_agreement(pairs, coders=("a", "b"), codes=code_list, units=pair_units)
    covered: dict[Hashable, list[Hashable]] = dict(coverage.items())
    overall = segment_agreement(
        coded, coders=sorted(coverage), codes=code_list, units=units, coverage=covered
    )
    kappas = [c.kappa for c in by_pair.per_code if c.kappa is not None and not math.isnan(c.kappa)]
    names: dict[Hashable, str] = dict(
        Code.objects.filter(pk__in=code_list).values_list("pk", "name")
    )
    per_code = Table(
        caption=_("Agreement by code (speaker turns of the double-coded interviews)"),
        header=(_("Code"), _("Observed agreement"), _("Cohen's kappa")),
        rows=tuple(
            (names.get(c.code, "?"), percent(c.percent_agreement), decimal(c.kappa))
            for c in sorted(by_pair.per_code, key=lambda c: names.get(c.code, ""))
        ),
    )
    return Agreement(
        transcripts=double_coded,
        turns=turns,
        coders=len(coverage),
        mean_kappa=sum(kappas) / len(kappas) if kappas else None,
        codes_with_kappa=len(kappas),
        pooled_kappa=_finite(by_pair.kappa),
        alpha=_finite(overall.alpha),
        percent=_finite(overall.percent_agreement),
        per_code=per_code,
    )


def agreement_text(result: Agreement) -> str:
    if not result.transcripts:
        return _(
            "No interview has been coded by two evaluators yet: inter-coder agreement cannot "
            "be measured."
        )
    return _(
        "Inter-coder agreement was measured on %(transcripts)s interviews coded independently "
        "by two evaluators or more (%(coders)s coders, %(turns)s speaker turns as units). "
        "Cohen's kappa, computed code by code and then averaged over the %(codes)s codes "
        "where it is defined: %(mean)s (kappa pooled over every turn × code decision: "
        "%(pooled)s). Krippendorff's alpha (nominal, every decision pooled): %(alpha)s. "
        "Observed agreement: %(percent)s."
    ) % {
        "transcripts": result.transcripts,
        "coders": result.coders,
        "turns": result.turns,
        "codes": result.codes_with_kappa,
        "mean": decimal(result.mean_kappa),
        "pooled": decimal(result.pooled_kappa),
        "alpha": decimal(result.alpha),
        "percent": percent(result.percent),
    }


# --- Pathway data (the analytics snapshot) --------------------------------------------------


def snapshot(*, quality: bool = True) -> Snapshot:
    """The number of situations of the snapshot, the months it covers and (``quality``) its
    data-quality checks; a note instead when there is no snapshot."""
    from etage.analytics import store
    from etage.analytics.filters import Filters
    from etage.analytics.quality import data_quality

    try:
        con = store.connect()
    except store.SnapshotMissing:
        return Snapshot(
            None,
            "",
            "",
            None,
            _(
                "No analytics snapshot was available when this report was generated: the "
                "number of situations analysed, the period covered by the pathway data and "
                "the data-quality report are missing."
            ),
        )
    try:
        row = con.execute(
            "SELECT count(*), min(identified_month) FILTER (WHERE identified_month <> '') "
            "FROM situations"
        ).fetchone()
        last = con.execute("SELECT max(month) FILTER (WHERE month <> '') FROM events").fetchone()
        checks = data_quality(con, Filters()) if quality else None
    finally:
        con.close()
    assert row is not None
    assert last is not None
    if checks is None:
        return Snapshot(int(row[0]), row[1] or "", last[0] or "", None, "")
    table = Table(
        caption=_("Data quality of the pathway data"),
        header=(_("Check"), _("What it looks for"), _("Count"), _("Counted in")),
        rows=tuple(
            (
                c.label,
                c.description,
                str(c.count),
                pgettext("data-quality unit", "events")
                if c.unit == "events"
                else pgettext("data-quality unit", "situations"),
            )
            for c in checks
        ),
    )
    return Snapshot(int(row[0]), row[1] or "", last[0] or "", table, "")
