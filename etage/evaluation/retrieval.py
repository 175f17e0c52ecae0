"""Retrieval with context, code × attribute matrices and code co-occurrence (evaluation.md
part C), over the coded segments of a project.

Two layers. The **pure core** (``Span`` … ``context_turns``) works on small frozen records and
is tested against brute force; the **selectors** below it read the database (always through a
project the caller obtained from :func:`etage.evaluation.scope.require_project`) and feed the
pages and the exports.

Rules shared by every page and file of this part:

- Only segments of interviews whose **consent is recorded and not withdrawn** are read
  (data-protection.md #18: without it an interview is not coded). Whether the consent allows
  *quotation* is shown next to each excerpt and written in the exports.
- A **coding layer** is either one coder's own coding or the reconciled coding (the
  ``consensus`` segments, whoever wrote them). Two segments co-occur only within one layer:
  a code of coder A overlapping a code of coder B says nothing about the codes.
- Offsets are Python ``str`` indices, i.e. Unicode code points, end excluded; two spans overlap
  when they share at least one character (spans that merely touch do not).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from etage.evaluation.models import Code, Interview, Project, Segment
from etage.evaluation.models.choices import InterviewMode, StakeholderType
from etage.evaluation.transcripts import Turn, parse_turns

# --- Pure core ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One coded segment, reduced to what the computations need."""

    id: int
    transcript: int
    interview: int
    code: int
    coder: int
    consensus: bool
    start: int
    end: int

    @property
    def layer(self) -> tuple[bool, int]:
        """The coding layer: the reconciled coding (all consensus segments together) or one
        coder's own coding."""
        return (True, 0) if self.consensus else (False, self.coder)


def overlap(a: Span, b: Span) -> bool:
    """Whether two half-open spans share at least one character."""
    return a.start < b.end and b.start < a.end


@dataclass(frozen=True)
class Cell:
    """A cell of the code × attribute matrix: how many segments, in how many interviews."""

    segments: int
    interviews: int


@dataclass(frozen=True)
class AttributeCounts:
    #: (row, column) → cell; absent when no segment.
    cells: dict[tuple[int, Hashable], Cell]
    #: row → all its segments, whatever the column.
    rows: dict[int, Cell]
    #: column → segments of any code in that column (each segment once).
    columns: dict[Hashable, Cell]
    total: Cell


def _rows_of(covers: Mapping[int, frozenset[int]]) -> dict[int, list[int]]:
    """code → the rows whose cover holds it."""
    rows: dict[int, list[int]] = defaultdict(list)
    for row, codes in covers.items():
        for code in codes:
            rows[code].append(row)
    return rows


def _cell(segments: set[int], interviews: set[int]) -> Cell:
    return Cell(segments=len(segments), interviews=len(interviews))


def attribute_counts(
    spans: Iterable[Span],
    covers: Mapping[int, frozenset[int]],
    column_of: Mapping[int, Hashable],
) -> AttributeCounts:
    """The code × attribute matrix. ``covers[row]`` is the set of codes a row counts (the code
    alone, or the code and its descendants); ``column_of[interview]`` is the interview's value
    of the attribute. A segment counts once per row that covers its code."""
    rows_of = _rows_of(covers)
    cell_segments: dict[tuple[int, Hashable], set[int]] = defaultdict(set)
    cell_interviews: dict[tuple[int, Hashable], set[int]] = defaultdict(set)
    row_segments: dict[int, set[int]] = defaultdict(set)
    row_interviews: dict[int, set[int]] = defaultdict(set)
    column_segments: dict[Hashable, set[int]] = defaultdict(set)
    column_interviews: dict[Hashable, set[int]] = defaultdict(set)
    all_segments: set[int] = set()
    all_interviews: set[int] = set()
    for span in spans:
        column = column_of[span.interview]
        rows = rows_of.get(span.code, [])
        if not rows:
            continue
        for row in rows:
            cell_segments[(row, column)].add(span.id)
            cell_interviews[(row, column)].add(span.interview)
            row_segments[row].add(span.id)
            row_interviews[row].add(span.interview)
        column_segments[column].add(span.id)
        column_interviews[column].add(span.interview)
        all_segments.add(span.id)
        all_interviews.add(span.interview)
    return AttributeCounts(
        cells={k: _cell(v, cell_interviews[k]) for k, v in cell_segments.items()},
        rows={k: _cell(v, row_interviews[k]) for k, v in row_segments.items()},
        columns={k: _cell(v, column_interviews[k]) for k, v in column_segments.items()},
        total=_cell(all_segments, all_interviews),
    )


def overlapping_pairs(spans: Iterable[Span]) -> Iterator[tuple[Span, Span]]:
    """Every unordered pair of distinct spans that overlap in the same transcript and the same
    coding layer. A sweep over each transcript's spans sorted by start: a span overlaps the
    earlier ones that have not ended before it starts."""
    groups: dict[tuple[int, tuple[bool, int]], list[Span]] = defaultdict(list)
    for span in spans:
        groups[(span.transcript, span.layer)].append(span)
    for group in groups.values():
        group.sort(key=lambda s: (s.start, s.end, s.id))
        active: list[Span] = []
        for span in group:
            active = [a for a in active if a.end > span.start]
            for earlier in active:
                yield earlier, span
            active.append(span)


def cooccurrence_counts(
    spans: Iterable[Span], covers: Mapping[int, frozenset[int]]
) -> dict[tuple[int, int], int]:
    """The code × code co-occurrence matrix. Off the diagonal, ``(A, B)`` is the number of
    unordered pairs of overlapping segments (same transcript, same layer) of which one is
    covered by row A and the other by row B; it is symmetric. On the diagonal, ``(A, A)`` is
    the number of segments covered by row A. Absent keys are zero."""
    rows_of = _rows_of(covers)
    spans = list(spans)
    counts: Counter[tuple[int, int]] = Counter()
    for span in spans:
        for row in rows_of.get(span.code, []):
            counts[(row, row)] += 1
    for a, b in overlapping_pairs(spans):
        keys: set[tuple[int, int]] = set()
        for row_a in rows_of.get(a.code, []):
            for row_b in rows_of.get(b.code, []):
                if row_a != row_b:
                    keys.add((row_a, row_b))
                    keys.add((row_b, row_a))
        for key in keys:
            counts[key] += 1
    return dict(counts)


def cooccurring(spans: Iterable[Span], codes: frozenset[int], others: frozenset[int]) -> set[int]:
    """Ids of the spans coded with one of ``codes`` that overlap a distinct span coded with one
    of ``others`` (same transcript, same layer): what a co-occurrence cell lists."""
    found: set[int] = set()
    for a, b in overlapping_pairs(spans):
        if a.code in codes and b.code in others:
            found.add(a.id)
        if b.code in codes and a.code in others:
            found.add(b.id)
    return found


@dataclass(frozen=True)
class Context:
    """An excerpt with the text around it, as shown: ``before`` + ``excerpt`` + ``after`` is a
    slice of the transcript; ``clipped_*`` say that the transcript goes on beyond it."""

    before: str
    excerpt: str
    after: str
    clipped_before: bool
    clipped_after: bool


def _context(text: str, start: int, end: int, context_start: int, context_end: int) -> Context:
    context_start = max(0, min(context_start, start))
    context_end = min(len(text), max(context_end, end))
    return Context(
        before=text[context_start:start],
        excerpt=text[start:end],
        after=text[end:context_end],
        clipped_before=context_start > 0,
        clipped_after=context_end < len(text),
    )


def context_chars(text: str, start: int, end: int, chars: int) -> Context:
    """The excerpt with up to ``chars`` characters on each side."""
    return _context(text, start, end, start - max(0, chars), end + max(0, chars))


def context_turns(
    text: str, start: int, end: int, turns: Sequence[Turn], *, around: int = 0, cap: int = 2000
) -> Context:
    """The excerpt with the speaker turn(s) it lies in, from the speaker's name on, plus
    ``around`` turns before and after; never more than ``cap`` characters on each side (a
    transcript without speaker markers is one long turn)."""
    if not turns:
        return context_chars(text, start, end, cap)
    # A turn's block starts at the beginning of its line, so that the speaker's name shows.
    blocks = [text.rfind("\n", 0, turn.start_offset) + 1 for turn in turns]
    first = max(0, bisect.bisect_right(blocks, start) - 1 - around)
    last = min(len(turns) - 1, max(0, bisect.bisect_right(blocks, end - 1) - 1) + around)
    context_start = max(blocks[first], start - cap)
    context_end = min(max(turns[last].end_offset, end), end + cap)
    return _context(text, start, end, context_start, context_end)


# --- Selectors -----------------------------------------------------------------------------

#: Query-string names of the filters (French URLs), shared by the pages, links and exports.
P_CODE = "code"
P_DESCENDANTS = "sous_codes"
P_CODER = "codeur"
P_TYPE = "type"
P_TERRITORY = "territoire"
P_INTERVIEW = "entretien"
P_FORMAT = "format"
P_WITH = "avec"
P_CONTEXT = "contexte"
P_CHARS = "caracteres"
P_ATTRIBUTE = "attribut"

#: The value of ``codeur`` that keeps the reconciled coding only, and of ``territoire`` that
#: keeps the interviews without a territory.
CONSENSUS = "consensus"
NO_TERRITORY = "aucun"

CONTEXT_CHARS = "caracteres"
CONTEXT_TURN = "tour"
CONTEXT_TURNS = "tours"
DEFAULT_CHARS = 200
MAX_CHARS = 2000


@dataclass(frozen=True)
class SegmentFilter:
    """What the retrieval keeps (every field optional; the empty filter keeps every usable
    segment of the project)."""

    code: int | None = None
    #: Whether ``code`` (and ``cooccurs_with``) also take in their descendants.
    descendants: bool = False
    coder: int | None = None
    consensus_only: bool = False
    stakeholder_type: str = ""
    territory: int | None = None
    no_territory: bool = False
    interview: int | None = None
    mode: str = ""
    #: Only the segments that overlap a segment of this code (same transcript and layer).
    cooccurs_with: int | None = None
    context: str = CONTEXT_CHARS
    chars: int = DEFAULT_CHARS

    def params(self, **changes: Any) -> dict[str, str]:
        """The query-string parameters that reproduce this filter (with ``changes``)."""
        flt = replace(self, **changes) if changes else self
        params: dict[str, str] = {}
        if flt.code is not None:
            params[P_CODE] = str(flt.code)
        if flt.descendants:
            params[P_DESCENDANTS] = "1"
        if flt.consensus_only:
            params[P_CODER] = CONSENSUS
        elif flt.coder is not None:
            params[P_CODER] = str(flt.coder)
        if flt.stakeholder_type:
            params[P_TYPE] = flt.stakeholder_type
        if flt.no_territory:
            params[P_TERRITORY] = NO_TERRITORY
        elif flt.territory is not None:
            params[P_TERRITORY] = str(flt.territory)
        if flt.interview is not None:
            params[P_INTERVIEW] = str(flt.interview)
        if flt.mode:
            params[P_FORMAT] = flt.mode
        if flt.cooccurs_with is not None:
            params[P_WITH] = str(flt.cooccurs_with)
        if flt.context != CONTEXT_CHARS:
            params[P_CONTEXT] = flt.context
        if flt.chars != DEFAULT_CHARS:
            params[P_CHARS] = str(flt.chars)
        return params

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def usable_segments(project: Project) -> QuerySet[Segment]:
    """The project's segments whose interview has a consent recorded and not withdrawn."""
    return Segment.objects.filter(
        transcript__interview__project=project,
        transcript__interview__consent__isnull=False,
        transcript__interview__consent__withdrawn_on__isnull=True,
    )


@dataclass(frozen=True)
class CodeNode:
    code: Code
    depth: int
    #: "Parent › Child": how exports name a code without the tree around it.
    path: str
    #: The code and every code below it.
    subtree: frozenset[int] = field(default_factory=frozenset)


def code_tree(project: Project) -> list[CodeNode]:
    """The project's codes in codebook order (depth first, by position then name)."""
    codes = list(Code.objects.filter(project=project).order_by("position", "name", "pk"))
    ids = {c.pk for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)
    nodes: list[CodeNode] = []
    seen: set[int] = set()

    def walk(code: Code, depth: int, prefix: str) -> frozenset[int]:
        seen.add(code.pk)
        path = f"{prefix} › {code.name}" if prefix else code.name
        index = len(nodes)
        nodes.append(CodeNode(code, depth, path))
        subtree = {code.pk}
        for child in children.get(code.pk, []):
            if child.pk not in seen:  # a damaged tree must not loop
                subtree |= walk(child, depth + 1, path)
        nodes[index] = CodeNode(code, depth, path, frozenset(subtree))
        return frozenset(subtree)

    for root in children[None]:
        walk(root, 0, "")
    for code in codes:  # codes caught in a cycle still get a row
        if code.pk not in seen:
            walk(code, 0, "")
    return nodes


def covers(nodes: Iterable[CodeNode], descendants: bool) -> dict[int, frozenset[int]]:
    return {n.code.pk: n.subtree if descendants else frozenset({n.code.pk}) for n in nodes}


def _cover(project: Project, code: int, descendants: bool) -> frozenset[int]:
    if not descendants:
        return frozenset({code})
    for node in code_tree(project):
        if node.code.pk == code:
            return node.subtree
    return frozenset({code})


def spans_of(segments: QuerySet[Segment]) -> list[Span]:
    rows = segments.values_list(
        "pk",
        "transcript_id",
        "transcript__interview_id",
        "code_id",
        "coder_id",
        "consensus",
        "start",
        "end",
    )
    return [Span(*row) for row in rows]


def _without_code(project: Project, flt: SegmentFilter) -> QuerySet[Segment]:
    """The usable segments kept by every criterion of ``flt`` but the codes."""
    segments = usable_segments(project)
    if flt.consensus_only:
        segments = segments.filter(consensus=True)
    elif flt.coder is not None:
        segments = segments.filter(coder_id=flt.coder, consensus=False)
    if flt.stakeholder_type:
        segments = segments.filter(transcript__interview__stakeholder_type=flt.stakeholder_type)
    if flt.no_territory:
        segments = segments.filter(transcript__interview__territory__isnull=True)
    elif flt.territory is not None:
        segments = segments.filter(transcript__interview__territory_id=flt.territory)
    if flt.interview is not None:
        segments = segments.filter(transcript__interview_id=flt.interview)
    if flt.mode:
        segments = segments.filter(transcript__interview__mode=flt.mode)
    return segments


def filtered_segments(project: Project, flt: SegmentFilter) -> QuerySet[Segment]:
    """The usable segments of ``project`` that ``flt`` keeps, in reading order (interview
    reference, position in the transcript)."""
    segments = _without_code(project, flt)
    if flt.code is not None:
        segments = segments.filter(code_id__in=_cover(project, flt.code, flt.descendants))
    if flt.cooccurs_with is not None:
        codes = (
            _cover(project, flt.code, flt.descendants)
            if flt.code is not None
            else frozenset(Code.objects.filter(project=project).values_list("pk", flat=True))
        )
        others = _cover(project, flt.cooccurs_with, flt.descendants)
        candidates = _without_code(project, flt).filter(code_id__in=codes | others)
        segments = segments.filter(pk__in=cooccurring(spans_of(candidates), codes, others))
    return segments.select_related(
        "transcript__interview__consent", "transcript__interview__territory", "code", "coder"
    ).order_by("transcript__interview__reference", "start", "end", "code__position", "pk")


@dataclass(frozen=True)
class Excerpt:
    segment: Segment
    path: str
    context: Context
    #: Whether the interviewee agreed to pseudonymised quotations.
    quotable: bool


def excerpts(
    segments: Iterable[Segment], flt: SegmentFilter, paths: Mapping[int, str]
) -> list[Excerpt]:
    """The segments with their context (``flt.context``: characters, speaker turn, or the turn
    with the one before and the one after). Turns are parsed once per transcript."""
    turns: dict[int, list[Turn]] = {}
    result = []
    for segment in segments:
        text = segment.transcript.text
        if flt.context == CONTEXT_CHARS:
            context = context_chars(text, segment.start, segment.end, flt.chars)
        else:
            if segment.transcript_id not in turns:
                turns[segment.transcript_id] = parse_turns(text)
            context = context_turns(
                text,
                segment.start,
                segment.end,
                turns[segment.transcript_id],
                around=1 if flt.context == CONTEXT_TURNS else 0,
            )
        consent = segment.transcript.interview.consent
        result.append(
            Excerpt(
                segment=segment,
                path=paths.get(segment.code_id, segment.code.name),
                context=context,
                quotable=consent.quotation,
            )
        )
    return result


# --- Code × attribute matrix ---------------------------------------------------------------

ATTRIBUTE_TYPE = "type"
ATTRIBUTE_TERRITORY = "territoire"
ATTRIBUTE_FORMAT = "format"
ATTRIBUTES = (ATTRIBUTE_TYPE, ATTRIBUTE_TERRITORY, ATTRIBUTE_FORMAT)


@dataclass(frozen=True)
class Column:
    #: The value to put in the retrieval's query string for this column.
    key: str
    label: str


@dataclass(frozen=True)
class MatrixRow:
    node: CodeNode
    cells: list[Cell | None]
    total: Cell | None


@dataclass(frozen=True)
class MatrixTable:
    attribute: str
    columns: list[Column]
    rows: list[MatrixRow]
    column_totals: list[Cell | None]
    total: Cell


def _columns(project: Project, attribute: str) -> tuple[list[Column], dict[int, str]]:
    """The attribute's values among the project's consented interviews, in a stable order,
    and each interview's value."""
    interviews = Interview.objects.filter(
        project=project, consent__isnull=False, consent__withdrawn_on__isnull=True
    ).select_related("territory")
    value_of: dict[int, str] = {}
    if attribute == ATTRIBUTE_TERRITORY:
        labels: dict[str, tuple[str, str]] = {}
        for interview in interviews:
            if interview.territory is None:
                key = NO_TERRITORY
                labels[key] = ("\uffff", _("No territory"))  # sorted last
            else:
                key = str(interview.territory_id)
                labels[key] = (interview.territory.code, interview.territory.name)
            value_of[interview.pk] = key
        ordered = sorted(labels.items(), key=lambda item: item[1][0])
        return [Column(key, label) for key, (_sort, label) in ordered], value_of
    choices = InterviewMode.choices if attribute == ATTRIBUTE_FORMAT else StakeholderType.choices
    present = set()
    for interview in interviews:
        key = interview.mode if attribute == ATTRIBUTE_FORMAT else interview.stakeholder_type
        value_of[interview.pk] = key
        present.add(key)
    return [Column(value, str(label)) for value, label in choices if value in present], value_of


def code_matrix(project: Project, attribute: str, flt: SegmentFilter) -> MatrixTable:
    """Codes (rows, codebook order) × the values of ``attribute`` (columns); each cell the
    number of segments and of interviews, for the coding layer(s) ``flt`` keeps."""
    columns, value_of = _columns(project, attribute)
    nodes = code_tree(project)
    spans = spans_of(_without_code(project, replace(flt, code=None, cooccurs_with=None)))
    counts = attribute_counts(spans, covers(nodes, flt.descendants), value_of)
    rows = [
        MatrixRow(
            node=node,
            cells=[counts.cells.get((node.code.pk, c.key)) for c in columns],
            total=counts.rows.get(node.code.pk),
        )
        for node in nodes
        # A closed (merged) code without segments has nothing to show.
        if node.code.is_active or node.code.pk in counts.rows
    ]
    return MatrixTable(
        attribute=attribute,
        columns=columns,
        rows=rows,
        column_totals=[counts.columns.get(c.key) for c in columns],
        total=counts.total,
    )


# --- Co-occurrence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CooccurrenceRow:
    node: CodeNode
    #: One count per column (the same codes as the rows), the diagonal included.
    counts: list[int]


@dataclass(frozen=True)
class CooccurrenceTable:
    nodes: list[CodeNode]
    rows: list[CooccurrenceRow]


def cooccurrence_table(project: Project, flt: SegmentFilter) -> CooccurrenceTable:
    """Code × code co-occurrence (see :func:`cooccurrence_counts`) over the codes that have
    at least one segment kept by ``flt``."""
    all_nodes = code_tree(project)
    spans = spans_of(_without_code(project, replace(flt, code=None, cooccurs_with=None)))
    counts = cooccurrence_counts(spans, covers(all_nodes, flt.descendants))
    nodes = [n for n in all_nodes if counts.get((n.code.pk, n.code.pk))]
    rows = [
        CooccurrenceRow(
            node=row, counts=[counts.get((row.code.pk, col.code.pk), 0) for col in nodes]
        )
        for row in nodes
    ]
    return CooccurrenceTable(nodes=nodes, rows=rows)
