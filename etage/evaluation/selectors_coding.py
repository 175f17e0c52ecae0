"""Reads of the coding pages (evaluation.md part C): the project's transcripts with who coded
them, one transcript as a coder sees it, agreement between two coders, and the disagreements
to reconcile. Every function takes a project (or a transcript of it) that the caller obtained
through :func:`etage.evaluation.scope.require_project`; none of them widens it.

**Blind by default.** Double coding is only worth its agreement score if the two codings are
independent, so a coder sees only their own segments (and the memos about them) until they
choose to reveal the others'. The choice lives in the page's address, never in the database:
it is theirs, for that page, and leaves no trace another coder could read. Counts of segments
per coder (the overview) say nothing about what was coded and stay visible.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from etage.accounts.models import User
from etage.evaluation.agreement import SegmentAgreement
from etage.evaluation.coding_units import (
    CodedSpan,
    Piece,
    TurnComparison,
    TurnUnit,
    coders_agreement,
    compare_turns,
    overlaps,
    pieces,
    sentence_spans,
    turn_units,
)
from etage.evaluation.models import Code, Interview, Memo, Project, Segment, Transcript
from etage.evaluation.services_interviews import interview_usable, usable_interviews

#: The title of the memo that records a "drop" decision of the reconciliation: dropping both
#: codings of a turn writes no segment, so the decision is kept as a memo about one of the
#: dropped segments (with the reconciler's reason). A stored marker, like the pseudonyms of
#: ``transcripts.py``: the memos are found again by it, so it never changes with the
#: interface language (memos already written hold it). Pages show :data:`DROPPED_TITLE_SHOWN`
#: instead (see :func:`memo_title`).
DROPPED_TITLE = "Réconciliation : codage écarté"
#: What a page calls the memo of :data:`DROPPED_TITLE`, in the reader's language.
DROPPED_TITLE_SHOWN = gettext_lazy("Reconciliation: coding dropped")


def memo_title(memo: Memo) -> str:
    """The title of ``memo`` as a page shows it: the stored marker of a reconciliation drop
    in the reader's language, any other title as written."""
    return str(DROPPED_TITLE_SHOWN) if memo.title == DROPPED_TITLE else memo.title


def _spans(rows: Iterable[Segment]) -> list[CodedSpan]:
    return [CodedSpan(s.pk, s.transcript_id, s.coder_id, s.code_id, s.start, s.end) for s in rows]


def coder_segments(project: Project) -> QuerySet[Segment]:
    """The coders' own segments of ``project`` (never the reconciled coding), light rows."""
    return (
        Segment.objects.filter(transcript__interview__project=project, consensus=False)
        .only("pk", "transcript_id", "coder_id", "code_id", "start", "end")
        .order_by("pk")
    )


def coders_of(project: Project) -> list[User]:
    """The people who coded at least one segment of ``project``, by name."""
    ids = Segment.objects.filter(
        transcript__interview__project=project, consensus=False
    ).values_list("coder_id", flat=True)
    return sorted(User.objects.filter(pk__in=ids), key=lambda u: (str(u).casefold(), u.pk))


def double_coded_transcripts(project: Project) -> list[Transcript]:
    """The transcripts of ``project`` coded by two people or more, by interview reference."""
    return list(
        Transcript.objects.filter(interview__project=project)
        .annotate(
            coders=Count("segments__coder", distinct=True, filter=Q(segments__consensus=False))
        )
        .filter(coders__gte=2)
        .select_related("interview")
        .order_by("interview__reference")
    )


def codes_of(project: Project) -> list[Code]:
    return list(Code.objects.filter(project=project).order_by("position", "name", "pk"))


# --- The project's transcripts --------------------------------------------------------------


@dataclass(frozen=True)
class CoderCount:
    coder: User
    segments: int


@dataclass(frozen=True)
class Progress:
    """Reconciliation of one pair of coders on one transcript: ``resolved`` of the
    ``disagreements`` turns have a decision."""

    coder_a: User
    coder_b: User
    resolved: int
    disagreements: int


@dataclass(frozen=True)
class TranscriptRow:
    transcript: Transcript
    interview: Interview
    usable: bool
    coders: tuple[CoderCount, ...]
    consensus: int
    #: Agreement of every coder of the transcript (kappa only when they are two).
    agreement: SegmentAgreement | None
    progress: Progress | None

    @property
    def double_coded(self) -> bool:
        return len(self.coders) >= 2


def coding_overview(project: Project) -> list[TranscriptRow]:
    """Every transcript of ``project`` (by interview reference) with its coders and their
    segment counts, its reconciled segments, the agreement of its coders and the
    reconciliation progress of its first two coders."""
    transcripts = list(
        Transcript.objects.filter(interview__project=project)
        .select_related("interview")
        .order_by("interview__reference")
    )
    usable = set(
        Interview.objects.filter(project=project)
        .filter(usable_interviews())
        .values_list("pk", flat=True)
    )
    spans = _spans(coder_segments(project))
    by_transcript: dict[int, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        by_transcript[span.transcript].append(span)
    users = {u.pk: u for u in coders_of(project)}
    consensus = _consensus_spans(project)
    dropped = _dropped_spans(project)
    rows = []
    for transcript in transcripts:
        mine = by_transcript.get(transcript.pk, [])
        counts: dict[int, int] = defaultdict(int)
        for span in mine:
            counts[span.coder] += 1
        coders = tuple(
            CoderCount(users[pk], counts[pk])
            for pk in sorted(counts, key=lambda pk: (str(users[pk]).casefold(), pk))
        )
        agreement = progress = None
        if len(coders) >= 2:
            turns = turn_units(transcript.text)
            agreement = coders_agreement({transcript.pk: turns}, mine, [c.coder.pk for c in coders])
            first, second = coders[0].coder, coders[1].coder
            comparisons = compare_turns(
                turns,
                [s for s in mine if s.coder == first.pk],
                [s for s in mine if s.coder == second.pk],
            )
            decided = _Decided(consensus.get(transcript.pk, []), dropped.get(transcript.pk, []))
            disagreeing = [c for c in comparisons if not c.agrees]
            progress = Progress(
                first,
                second,
                sum(1 for c in disagreeing if decided(c.turn)),
                len(disagreeing),
            )
        rows.append(
            TranscriptRow(
                transcript=transcript,
                interview=transcript.interview,
                usable=transcript.interview_id in usable,
                coders=coders,
                consensus=len(consensus.get(transcript.pk, [])),
                agreement=agreement,
                progress=progress,
            )
        )
    return rows


# --- One transcript, as a coder sees it ----------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    number: int
    preview: str


@dataclass(frozen=True)
class TurnView:
    unit: TurnUnit
    pieces: tuple[Piece, ...]
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class VisibleSegment:
    segment: Segment
    own: bool
    #: The turns it touches (numbers), for the list.
    turns: tuple[int, ...]


@dataclass(frozen=True)
class TranscriptView:
    transcript: Transcript
    turns: tuple[TurnView, ...]
    segments: tuple[VisibleSegment, ...]
    memos: tuple[Memo, ...]
    #: Segments of others (and reconciled ones) the coder chose not to see.
    hidden: int
    others_memos_hidden: int = 0
    code_memos: tuple[Memo, ...] = field(default_factory=tuple)


PREVIEW_LENGTH = 70


def _preview(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= PREVIEW_LENGTH else words[: PREVIEW_LENGTH - 1].rstrip() + "…"


def visible_segments(transcript: Transcript, user: User, *, reveal: bool) -> Q:
    """The condition of the segments ``user`` sees on ``transcript``: their own coding, and
    everyone's (the reconciled coding included) once they chose to reveal it."""
    condition = Q(transcript=transcript)
    return condition if reveal else condition & Q(coder=user, consensus=False)


def transcript_view(transcript: Transcript, user: User, *, reveal: bool) -> TranscriptView:
    """The text of ``transcript`` cut into turns, sentences and highlighted pieces, the
    segments ``user`` sees (see :func:`visible_segments`) and the memos about the transcript,
    its visible segments and the codes of the project."""
    text = transcript.text
    segments = list(
        Segment.objects.filter(visible_segments(transcript, user, reveal=reveal))
        .select_related("code", "coder")
        .order_by("start", "end", "pk")
    )
    total = Segment.objects.filter(transcript=transcript).count()
    units = turn_units(text)
    marks = [(s.start, s.end, s.pk) for s in segments]
    turns = []
    for unit in units:
        sentences = tuple(
            Sentence(start, end, number, _preview(text[start:end]))
            for number, (start, end) in enumerate(
                sentence_spans(text, unit.start, unit.end), start=1
            )
        )
        turns.append(TurnView(unit, tuple(pieces(text, unit.start, unit.end, marks)), sentences))
    visible = tuple(
        VisibleSegment(
            s,
            own=s.coder_id == user.pk and not s.consensus,
            turns=tuple(u.index for u in units if overlaps(s.start, s.end, u.start, u.end)),
        )
        for s in segments
    )
    shown = {s.pk for s in segments}
    about = (
        Memo.objects.filter(Q(transcript=transcript) | Q(segment__transcript=transcript))
        .select_related("author", "code", "segment", "segment__code")
        .distinct()
    )
    about_all = list(about)
    memos = [m for m in about_all if m.segment_id is None or m.segment_id in shown]
    code_memos = tuple(
        Memo.objects.filter(project_id=transcript.interview.project_id, code__isnull=False)
        .filter(transcript__isnull=True, segment__isnull=True)
        .select_related("author", "code")
    )
    return TranscriptView(
        transcript=transcript,
        turns=tuple(turns),
        segments=visible,
        memos=tuple(memos),
        hidden=total - len(segments),
        others_memos_hidden=len(about_all) - len(memos),
        code_memos=code_memos,
    )


# --- Agreement between two coders ----------------------------------------------------------


@dataclass(frozen=True)
class AgreementResult:
    coder_a: User
    coder_b: User
    #: The transcripts both coded, within the filter.
    transcripts: tuple[Transcript, ...]
    result: SegmentAgreement | None
    codes: dict[Any, Code]


def agreement(
    project: Project, coder_a: User, coder_b: User, *, transcript: Transcript | None = None
) -> AgreementResult:
    """Agreement of two coders of ``project`` over the transcripts both coded (only
    ``transcript`` when given), per code (every code either applied there, in codebook
    order) and overall. The reconciled coding never counts."""
    rows = coder_segments(project).filter(coder__in=[coder_a, coder_b])
    if transcript is not None:
        rows = rows.filter(transcript=transcript)
    spans = _spans(rows)
    coded_by: dict[int, set[int]] = defaultdict(set)
    for span in spans:
        coded_by[span.transcript].add(span.coder)
    shared = sorted(pk for pk, coders in coded_by.items() if {coder_a.pk, coder_b.pk} <= coders)
    transcripts = list(
        Transcript.objects.filter(pk__in=shared)
        .select_related("interview")
        .order_by("interview__reference")
    )
    turns = {t.pk: turn_units(t.text) for t in transcripts}
    used = {s.code for s in spans if s.transcript in turns}
    codes = {c.pk: c for c in codes_of(project) if c.pk in used}
    result = coders_agreement(turns, spans, [coder_a.pk, coder_b.pk], codes=list(codes))
    return AgreementResult(coder_a, coder_b, tuple(transcripts), result, dict(codes))


def undefined_reason(units: int, value: float | None) -> str:
    """Why a score is not computable: ``"no_units"`` (no turn coded by both) or
    ``"constant"`` (every decision was the same, so chance explains all the agreement);
    ``""`` when the score is defined."""
    if value is not None and not math.isnan(value):
        return ""
    return "no_units" if units == 0 else "constant"


# --- Reconciliation ------------------------------------------------------------------------


def _consensus_spans(project: Project) -> dict[int, list[tuple[int, int]]]:
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transcript_id, start, end in Segment.objects.filter(
        transcript__interview__project=project, consensus=True
    ).values_list("transcript_id", "start", "end"):
        found[transcript_id].append((start, end))
    return found


def _dropped_spans(project: Project) -> dict[int, list[tuple[int, int]]]:
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transcript_id, start, end in Memo.objects.filter(
        project=project, title=DROPPED_TITLE, segment__isnull=False
    ).values_list("segment__transcript_id", "segment__start", "segment__end"):
        found[transcript_id].append((start, end))
    return found


class _Decided:
    """Whether a turn has a reconciliation decision: a reconciled segment in it, or a "drop"
    memo about a segment in it."""

    def __init__(
        self, consensus: Sequence[tuple[int, int]], dropped: Sequence[tuple[int, int]]
    ) -> None:
        self.consensus = consensus
        self.dropped = dropped

    def kept(self, turn: TurnUnit) -> bool:
        return any(overlaps(s, e, turn.start, turn.end) for s, e in self.consensus)

    def dropped_in(self, turn: TurnUnit) -> bool:
        return any(overlaps(s, e, turn.start, turn.end) for s, e in self.dropped)

    def __call__(self, turn: TurnUnit) -> bool:
        return self.kept(turn) or self.dropped_in(turn)


@dataclass(frozen=True)
class Item:
    """One turn where the two coders disagree, with its decision if any."""

    comparison: TurnComparison
    excerpt: str
    segments_a: tuple[Segment, ...]
    segments_b: tuple[Segment, ...]
    #: "" (open), "kept" (reconciled segments written) or "dropped".
    decision: str
    reconciled: tuple[Segment, ...]


@dataclass(frozen=True)
class Reconciliation:
    transcript: Transcript
    coder_a: User
    coder_b: User
    items: tuple[Item, ...]
    #: Turns where both applied the same codes (at least one), not yet carried over.
    agreed_open: int

    @property
    def resolved(self) -> int:
        return sum(1 for item in self.items if item.decision)

    @property
    def total(self) -> int:
        return len(self.items)


def transcript_coders(transcript: Transcript) -> list[User]:
    ids = Segment.objects.filter(transcript=transcript, consensus=False).values_list(
        "coder_id", flat=True
    )
    return sorted(User.objects.filter(pk__in=ids), key=lambda u: (str(u).casefold(), u.pk))


def comparisons(
    transcript: Transcript, coder_a: User, coder_b: User
) -> tuple[list[TurnUnit], list[TurnComparison]]:
    """The turns of ``transcript`` and the comparison of the two coders' own segments."""
    spans = _spans(
        Segment.objects.filter(
            transcript=transcript, consensus=False, coder__in=[coder_a, coder_b]
        ).order_by("start", "end", "pk")
    )
    turns = turn_units(transcript.text)
    found = compare_turns(
        turns,
        [s for s in spans if s.coder == coder_a.pk],
        [s for s in spans if s.coder == coder_b.pk],
    )
    return turns, found


def decided_for(transcript: Transcript) -> _Decided:
    consensus = list(
        Segment.objects.filter(transcript=transcript, consensus=True).values_list("start", "end")
    )
    dropped = list(
        Memo.objects.filter(title=DROPPED_TITLE, segment__transcript=transcript).values_list(
            "segment__start", "segment__end"
        )
    )
    return _Decided(consensus, dropped)


def reconciliation(transcript: Transcript, coder_a: User, coder_b: User) -> Reconciliation:
    """The turns of ``transcript`` where ``coder_a`` and ``coder_b`` applied different codes,
    side by side, each with its decision (see :data:`DROPPED_TITLE`)."""
    _turns, found = comparisons(transcript, coder_a, coder_b)
    decided = decided_for(transcript)
    ids = {s.id for c in found for s in (*c.spans_a, *c.spans_b)}
    segments = {s.pk: s for s in Segment.objects.filter(pk__in=ids).select_related("code")}
    consensus = list(
        Segment.objects.filter(transcript=transcript, consensus=True)
        .select_related("code", "coder")
        .order_by("start", "pk")
    )
    items = []
    agreed_open = 0
    for comparison in found:
        turn = comparison.turn
        if comparison.agrees:
            agreed_open += not decided(turn)
            continue
        decision = "kept" if decided.kept(turn) else "dropped" if decided.dropped_in(turn) else ""
        items.append(
            Item(
                comparison=comparison,
                excerpt=transcript.text[turn.start : turn.end],
                segments_a=tuple(segments[s.id] for s in comparison.spans_a),
                segments_b=tuple(segments[s.id] for s in comparison.spans_b),
                decision=decision,
                reconciled=tuple(
                    s for s in consensus if overlaps(s.start, s.end, turn.start, turn.end)
                ),
            )
        )
    return Reconciliation(transcript, coder_a, coder_b, tuple(items), agreed_open)


def is_usable(transcript: Transcript) -> bool:
    return interview_usable(transcript.interview)
