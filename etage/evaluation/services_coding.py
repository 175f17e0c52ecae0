"""Changes of the coding pages (evaluation.md part C): coding and uncoding a segment, memos,
and the reconciliation of a double coding. Check → execute in one transaction → nothing
half-saved; every refusal is an :class:`EvaluationError` with its French message.

The services check what they are given themselves (membership, the code's project, the
interview's consent, the offsets) rather than trusting the form that called them: the same
rules then hold for the page, its HTMX requests and any later caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation.coding_units import CodedSpan, TurnComparison, TurnUnit, clip, trim_span
from etage.evaluation.models import Code, Memo, Project, Segment, Transcript
from etage.evaluation.scope import projects_for
from etage.evaluation.selectors_coding import (
    DROPPED_TITLE,
    comparisons,
    decided_for,
)
from etage.evaluation.services import EvaluationError, save_versioned, stale
from etage.evaluation.services_interviews import interview_usable
from etage.households.text import contains_nir


def _member(user: User, project_id: int) -> None:
    # The views answer 404 first; this keeps the rule where the change is made.
    if not projects_for(user).filter(pk=project_id).exists():
        raise EvaluationError(_("Only the members of this project can change its coding."))


def _usable(transcript: Transcript) -> None:
    if not interview_usable(transcript.interview):
        raise EvaluationError(
            _(
                "Interview %(reference)s has no valid consent (missing or withdrawn): its "
                "transcript cannot be coded."
            )
            % {"reference": transcript.interview.reference}
        )


# --- Segments ------------------------------------------------------------------------------


@transaction.atomic
def segment_create(
    *, transcript: Transcript, user: User, code: Code, start: int, end: int
) -> Segment:
    """Code ``transcript[start:end]`` with ``code`` as ``user`` (spaces at both ends of the
    selection are left out)."""
    project_id = transcript.interview.project_id
    _member(user, project_id)
    _usable(transcript)
    # Locked: a code merged or closed at this moment must not receive the segment.
    locked = Code.objects.select_for_update().filter(pk=code.pk).first()
    if locked is None or locked.project_id != project_id:
        raise EvaluationError(_("This code is not in the codebook of this project."))
    if not locked.is_active:
        raise EvaluationError(
            _("Code « %(code)s » is closed (merged or split): choose an active code.")
            % {"code": locked.name}
        )
    text = transcript.text
    if not (0 <= start <= len(text) and 0 <= end <= len(text)):
        raise EvaluationError(
            _("The passage lies outside the transcript (it has %(length)s characters).")
            % {"length": len(text)}
        )
    if end <= start:
        raise EvaluationError(_("The end of the passage must come after its start."))
    start, end = trim_span(text, start, end)
    if end <= start:
        raise EvaluationError(_("The passage holds only spaces: select words to code."))
    try:
        with transaction.atomic():
            return Segment.objects.create(
                transcript=transcript,
                code=locked,
                coder=user,
                start=start,
                end=end,
                text=text[start:end],
            )
    except IntegrityError as exc:
        raise EvaluationError(
            _("You already coded this passage with « %(code)s ».") % {"code": locked.name}
        ) from exc


@transaction.atomic
def segment_delete(*, segment: Segment, user: User) -> None:
    """Remove ``user``'s own segment; the reconciled coding is undone in the reconciliation
    page, and a segment that memos or case timelines rely on is kept until they are moved."""
    _member(user, segment.transcript.interview.project_id)
    if segment.consensus or segment.coder_id != user.pk:
        raise EvaluationError(_("You can only remove segments you coded yourself."))
    if segment.pins.exists():
        raise EvaluationError(
            _(
                "This segment is pinned to the timeline of a case study: remove the pin from "
                "the case study first."
            )
        )
    if segment.memos.exists():
        raise EvaluationError(
            _("Memos are written about this segment: delete or re-attach them first.")
        )
    segment.delete()


# --- Memos ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoData:
    title: str
    text: str
    transcript: Transcript | None
    code: Code | None
    segment: Segment | None


def _no_nir(*texts: str) -> None:
    if any(contains_nir(text) for text in texts):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )


def _check_subject(project: Project, user: User, data: MemoData) -> MemoData:
    transcript, code, segment = data.transcript, data.code, data.segment
    if segment is not None:
        if segment.transcript.interview.project_id != project.pk:
            raise EvaluationError(_("This segment does not belong to this project."))
        if not segment.consensus and segment.coder_id != user.pk:
            # Blind coding: a memo is written about what one sees without revealing others.
            raise EvaluationError(_("You can only write memos about your own segments."))
        if transcript is not None and transcript.pk != segment.transcript_id:
            raise EvaluationError(_("The segment is not in the chosen transcript."))
        transcript = segment.transcript
    if transcript is not None and transcript.interview.project_id != project.pk:
        raise EvaluationError(_("This transcript does not belong to this project."))
    if code is not None and code.project_id != project.pk:
        raise EvaluationError(_("This code is not in the codebook of this project."))
    if transcript is None and code is None:
        raise EvaluationError(_("Say what the memo is about: a transcript, a code or a segment."))
    return MemoData(data.title, data.text, transcript, code, segment)


@transaction.atomic
def memo_create(*, project: Project, user: User, data: MemoData) -> Memo:
    _member(user, project.pk)
    _no_nir(data.title, data.text)
    data = _check_subject(project, user, data)
    return Memo.objects.create(
        project=project,
        author=user,
        title=data.title,
        text=data.text,
        transcript=data.transcript,
        code=data.code,
        segment=data.segment,
    )


@transaction.atomic
def memo_update(*, memo: Memo, user: User, data: MemoData, expected_version: int) -> Memo:
    """Save ``user``'s own memo if nobody saved it since ``expected_version``; the segment
    a memo is about stays (the memo follows the segment)."""
    _member(user, memo.project_id)
    if memo.author_id != user.pk:
        raise EvaluationError(_("Only the author of a memo can change it."))
    _no_nir(data.title, data.text)
    data = _check_subject(
        memo.project,
        user,
        MemoData(data.title, data.text, data.transcript, data.code, memo.segment),
    )
    save_versioned(
        memo,
        expected_version,
        title=data.title,
        text=data.text,
        transcript=data.transcript,
        code=data.code,
    )
    return memo


# --- Reconciliation ------------------------------------------------------------------------

KEEP_A = "keep_a"
KEEP_B = "keep_b"
KEEP_BOTH = "keep_both"
DROP = "drop"
REOPEN = "reopen"
ACTIONS = (KEEP_A, KEEP_B, KEEP_BOTH, DROP, REOPEN)


def _lock(transcript: Transcript) -> None:
    # One reconciliation decision at a time per transcript: two reconcilers deciding the same
    # turn at once would otherwise both write their reconciled segments.
    Transcript.objects.select_for_update().filter(pk=transcript.pk).first()


def _check_pair(transcript: Transcript, user: User, coder_a: User, coder_b: User) -> None:
    _member(user, transcript.interview.project_id)
    _usable(transcript)
    if coder_a.pk == coder_b.pk:
        raise EvaluationError(_("Choose two different coders."))


def _write(transcript: Transcript, user: User, turn: TurnUnit, spans: Iterable[CodedSpan]) -> int:
    """Write the parts inside ``turn`` of the chosen segments as ``user``'s reconciled coding
    (one segment per code and span, however many coders had it)."""
    wanted = {(s.code, *clip(s, turn)) for s in spans}
    codes = {c.pk: c for c in Code.objects.filter(pk__in={code for code, _s, _e in wanted})}
    text = transcript.text
    for code, start, end in sorted(wanted):
        Segment.objects.get_or_create(
            transcript=transcript,
            code=codes[code],
            coder=user,
            start=start,
            end=end,
            consensus=True,
            defaults={"text": text[start:end]},
        )
    return len(wanted)


def _find(found: list[TurnComparison], turn_index: int) -> TurnComparison | None:
    return next((c for c in found if c.turn.index == turn_index), None)


@transaction.atomic
def reconcile_turn(
    *,
    transcript: Transcript,
    user: User,
    coder_a: User,
    coder_b: User,
    turn_index: int,
    action: str,
    state: str,
    note: str = "",
) -> str:
    """Decide turn ``turn_index`` where the two coders disagree: keep A's segments, B's,
    both, or drop them (recorded as a memo, see ``DROPPED_TITLE``); or reopen a decided
    turn. ``state`` is the fingerprint of the two codings the page showed: a decision taken
    on a stale page is refused. Returns the French message of what was done."""
    if action not in ACTIONS:
        raise EvaluationError(_("Unknown reconciliation action."))
    _check_pair(transcript, user, coder_a, coder_b)
    _no_nir(note)
    _lock(transcript)
    turns, found = comparisons(transcript, coder_a, coder_b)
    decided = decided_for(transcript)
    turn = next((t for t in turns if t.index == turn_index), None)
    if turn is None:
        raise EvaluationError(_("This turn does not exist in the transcript."))
    if action == REOPEN:
        removed, _by_model = Segment.objects.filter(
            transcript=transcript, consensus=True, start__lt=turn.end, end__gt=turn.start
        ).delete()
        memos, _by_model = Memo.objects.filter(
            title=DROPPED_TITLE,
            segment__transcript=transcript,
            segment__start__lt=turn.end,
            segment__end__gt=turn.start,
        ).delete()
        if not removed and not memos:
            raise EvaluationError(_("This turn has no decision to undo."))
        return _("Turn %(turn)s is open again.") % {"turn": turn.index}
    comparison = _find(found, turn_index)
    if comparison is None or comparison.state != state:
        raise stale()
    if comparison.agrees:
        raise EvaluationError(_("Both coders applied the same codes to this turn."))
    if decided(turn):
        raise EvaluationError(
            _("Turn %(turn)s is already reconciled: reopen it to decide again.")
            % {"turn": turn.index}
        )
    chosen = {
        KEEP_A: comparison.spans_a,
        KEEP_B: comparison.spans_b,
        KEEP_BOTH: (*comparison.spans_a, *comparison.spans_b),
        DROP: (),
    }[action]
    if chosen:
        _write(transcript, user, turn, chosen)
        return _("Turn %(turn)s reconciled.") % {"turn": turn.index}
    # Nothing kept (drop, or keeping the coder who applied no code): the decision is a memo
    # about one of the segments set aside, so that it counts as resolved and is explained.
    first = min((*comparison.spans_a, *comparison.spans_b), key=lambda s: (s.start, s.id))
    Memo.objects.create(
        project_id=transcript.interview.project_id,
        author=user,
        title=DROPPED_TITLE,
        text=note.strip()
        or _("No code kept for turn %(turn)s after comparing both codings.") % {"turn": turn.index},
        transcript=transcript,
        segment_id=first.id,
    )
    return _("Turn %(turn)s reconciled: no code kept.") % {"turn": turn.index}


@transaction.atomic
def reconcile_agreed(*, transcript: Transcript, user: User, coder_a: User, coder_b: User) -> int:
    """Carry every turn where both coders applied the same codes (and that has no decision
    yet) into the reconciled coding, with coder A's segments. Returns how many turns."""
    _check_pair(transcript, user, coder_a, coder_b)
    _lock(transcript)
    _turns, found = comparisons(transcript, coder_a, coder_b)
    decided = decided_for(transcript)
    carried = 0
    for comparison in found:
        if comparison.agrees and not decided(comparison.turn):
            _write(transcript, user, comparison.turn, comparison.spans_a)
            carried += 1
    return carried
