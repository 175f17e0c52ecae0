"""Changes to the codebook (evaluation.md part C): create, edit and move a code, merge a code
into another, split a code in two (the REFI-QDA import is in
:mod:`etage.evaluation.services_codebook_import`).

Each service checks (permission, closed codes, cycles, names unique among siblings, lost
updates) → executes in one transaction → records: every change appends a
:class:`~etage.evaluation.models.CodeEvent` on each code it touched, with what changed, so
that the codebook's history can be read back after merges and splits. A refusal raises
:class:`EvaluationError` with a French message and changes nothing.

Structural changes lock the project row first: two evaluators moving codes at the same
moment could otherwise build a cycle (A under B and B under A) or two siblings of the same
name, each check passing on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation.models import (
    Code,
    CodeEvent,
    EvaluativeQuestion,
    Memo,
    Project,
    Segment,
    TimelinePin,
    TriangulationCell,
)
from etage.evaluation.models.choices import CodeEventKind
from etage.evaluation.scope import is_lead
from etage.evaluation.services import EvaluationError, save_versioned, stale
from etage.households.text import contains_nir

NAME_MAX = Code._meta.get_field("name").max_length or 120


# -- checks -----------------------------------------------------------------------------------


def _lock(project: Project) -> None:
    Project.objects.select_for_update().filter(pk=project.pk).first()


def _no_nir(*texts: str) -> None:
    """data-protection.md #15 (the form checks it too; a service never trusts its caller)."""
    if any(contains_nir(t) for t in texts):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def subtree_ids(code: Code) -> set[int]:
    """``code`` and every code below it (closed ones included)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Code.objects.filter(project_id=code.project_id).values_list(
        "pk", "parent_id"
    ):
        children[parent].append(pk)
    found = {code.pk}
    todo = [code.pk]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:  # a damaged tree must not loop
                found.add(child)
                todo.append(child)
    return found


def _clash(project: Project, parent: Code | None, name: str, *, besides: int | None) -> bool:
    """Whether an active code of that name (case and spacing aside) already sits there."""
    siblings = Code.objects.filter(project=project, parent=parent, is_active=True).values_list(
        "pk", "name"
    )
    return any(_key(other) == _key(name) and pk != besides for pk, other in siblings)


def _clash_error(name: str, parent: Code | None) -> EvaluationError:
    if parent is None:
        return EvaluationError(
            _("A code named “%(name)s” already exists at the top level of the codebook.")
            % {"name": name}
        )
    return EvaluationError(
        _("A code named “%(name)s” already exists under “%(parent)s”.")
        % {"name": name, "parent": parent.name}
    )


def _closed_error(code: Code) -> EvaluationError:
    if code.merged_into_id is not None:
        return EvaluationError(
            _("“%(name)s” was merged into “%(into)s”: it is closed and can no longer change.")
            % {"name": code.name, "into": code.merged_into.name}  # type: ignore[union-attr]
        )
    return EvaluationError(
        _("“%(name)s” is closed and can no longer change.") % {"name": code.name}
    )


def _check_parent(project: Project, code: Code | None, parent: Code | None) -> None:
    if parent is None:
        return
    if parent.project_id != project.pk:
        raise EvaluationError(_("This code does not exist in this project."))
    if not parent.is_active:
        raise EvaluationError(
            _("“%(name)s” is closed: a code cannot be placed under it.") % {"name": parent.name}
        )
    if code is not None and parent.pk in subtree_ids(code):
        if parent.pk == code.pk:
            raise EvaluationError(_("A code cannot be placed under itself."))
        raise EvaluationError(
            _(
                "“%(parent)s” is a sub-code of “%(name)s”: a code cannot be placed under its "
                "own sub-code."
            )
            % {"parent": parent.name, "name": code.name}
        )


def _next_position(project: Project, parent: Code | None) -> int:
    top = Code.objects.filter(project=project, parent=parent).aggregate(top=Max("position"))
    return (top["top"] or 0) + 1


def _question_label(question: EvaluativeQuestion) -> str:
    return f"Q{question.number}"


def _record(
    code: Code, kind: str, user: User, detail: dict[str, Any], other: Code | None = None
) -> CodeEvent:
    return CodeEvent.objects.create(code=code, kind=kind, by=user, detail=detail, other=other)


def _require_lead(user: User, project: Project) -> None:
    if not is_lead(user, project):
        raise EvaluationError(_("Only the project's lead evaluators may merge or split codes."))


# -- create, edit, move ---------------------------------------------------------------------


@transaction.atomic
def code_create(
    *,
    project: Project,
    user: User,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    include: str = "",
    exclude: str = "",
    example: str = "",
    color: str = "",
    questions: Iterable[EvaluativeQuestion] = (),
) -> Code:
    _lock(project)
    name = " ".join(name.split())
    _no_nir(name, definition, include, exclude, example)
    if parent is not None:
        parent = Code.objects.get(pk=parent.pk)
    _check_parent(project, None, parent)
    if _clash(project, parent, name, besides=None):
        raise _clash_error(name, parent)
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        definition=definition,
        include=include,
        exclude=exclude,
        example=example,
        color=color,
        position=_next_position(project, parent),
    )
    linked = list(EvaluativeQuestion.objects.filter(project=project, pk__in=_pks(questions)))
    code.questions.set(linked)
    _record(
        code,
        CodeEventKind.CREATED,
        user,
        {
            "parent": parent.name if parent else None,
            "questions": [_question_label(q) for q in sorted(linked, key=lambda q: q.number)],
        },
    )
    return code


def _pks(objects: Iterable[Any]) -> list[int]:
    return [o.pk for o in objects]


@transaction.atomic
def code_update(
    *,
    code: Code,
    user: User,
    expected_version: int,
    name: str,
    parent: Code | None,
    definition: str,
    include: str,
    exclude: str,
    example: str,
    color: str,
    questions: Iterable[EvaluativeQuestion],
) -> Code:
    """Edit a code and, when ``parent`` differs, move it (one ``edited`` and/or one ``moved``
    event). Nothing changed, nothing recorded."""
    project = code.project
    _lock(project)
    fresh = Code.objects.select_related("parent", "merged_into").get(pk=code.pk)
    if fresh.version != expected_version:
        raise stale()
    if not fresh.is_active:
        raise _closed_error(fresh)
    name = " ".join(name.split())
    _no_nir(name, definition, include, exclude, example)
    if parent is not None:
        parent = Code.objects.get(pk=parent.pk)
    _check_parent(project, fresh, parent)
    if _clash(project, parent, name, besides=fresh.pk):
        raise _clash_error(name, parent)

    wanted = {
        "name": name,
        "definition": definition,
        "include": include,
        "exclude": exclude,
        "example": example,
        "color": color,
    }
    changes = [
        {"field": f, "old": getattr(fresh, f), "new": v}
        for f, v in wanted.items()
        if getattr(fresh, f) != v
    ]
    old_questions = {q.pk: q for q in fresh.questions.all()}
    new_questions = {
        q.pk: q for q in EvaluativeQuestion.objects.filter(project=project, pk__in=_pks(questions))
    }
    added = sorted((q for pk, q in new_questions.items() if pk not in old_questions), key=_num)
    removed = sorted((q for pk, q in old_questions.items() if pk not in new_questions), key=_num)
    moved = fresh.parent_id != (parent.pk if parent else None)
    if not (changes or added or removed or moved):
        return fresh

    old_parent = fresh.parent
    updates: dict[str, Any] = dict(wanted)
    if moved:
        updates.update(parent=parent, position=_next_position(project, parent))
    save_versioned(fresh, expected_version, **updates)
    fresh.questions.set(list(new_questions.values()))
    if changes or added or removed:
        _record(
            fresh,
            CodeEventKind.EDITED,
            user,
            {
                "changes": changes,
                "questions_added": [_question_label(q) for q in added],
                "questions_removed": [_question_label(q) for q in removed],
            },
        )
    if moved:
        _record(
            fresh,
            CodeEventKind.MOVED,
            user,
            {
                "from": old_parent.name if old_parent else None,
                "to": parent.name if parent else None,
            },
            other=parent,
        )
    return fresh


def _num(question: EvaluativeQuestion) -> int:
    return question.number


# -- merge ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergePlan:
    """What merging ``source`` into ``target`` would do (the confirmation page)."""

    source: Code
    target: Code
    #: Segments re-coded from ``source`` to ``target``.
    moving: int
    #: Segments of ``source`` that ``target`` already codes (same span, coder and layer):
    #: dropped, their memos and timeline pins handed to the segment kept.
    duplicates: int
    children: list[Code]
    #: Names of ``source``'s sub-codes that ``target`` already has among its own.
    clashes: list[str]


def merge_refusal(source: Code, target: Code) -> str | None:
    """Why ``source`` cannot be merged into ``target`` (French), or None."""
    if target.project_id != source.project_id:
        return _("This code does not exist in this project.")
    if not source.is_active:
        return _closed_error(source).message
    if target.pk == source.pk:
        return _("A code cannot be merged into itself.")
    if not target.is_active:
        return _("“%(name)s” is closed: nothing can be merged into it.") % {"name": target.name}
    if target.pk in subtree_ids(source):
        return _(
            "“%(target)s” is a sub-code of “%(name)s”: a code cannot be merged into its own "
            "sub-code."
        ) % {"target": target.name, "name": source.name}
    return None


def _duplicates(source: Code, target: Code) -> dict[int, int]:
    """Segment of ``source`` → the segment of ``target`` on the same span by the same coder
    in the same layer (what the unique constraint would refuse)."""
    kept = {
        (t, coder, start, end, consensus): pk
        for pk, t, coder, start, end, consensus in Segment.objects.filter(code=target).values_list(
            "pk", "transcript_id", "coder_id", "start", "end", "consensus"
        )
    }
    found = {}
    for pk, t, coder, start, end, consensus in Segment.objects.filter(code=source).values_list(
        "pk", "transcript_id", "coder_id", "start", "end", "consensus"
    ):
        twin = kept.get((t, coder, start, end, consensus))
        if twin is not None:
            found[pk] = twin
    return found


def merge_plan(source: Code, target: Code) -> MergePlan:
    duplicates = _duplicates(source, target)
    total = Segment.objects.filter(code=source).count()
    children = list(Code.objects.filter(parent=source).order_by("position", "name", "pk"))
    taken = {
        _key(n)
        for n in Code.objects.filter(parent=target, is_active=True).values_list("name", flat=True)
    }
    clashes = [c.name for c in children if c.is_active and _key(c.name) in taken]
    return MergePlan(
        source=source,
        target=target,
        moving=total - len(duplicates),
        duplicates=len(duplicates),
        children=children,
        clashes=clashes,
    )


@dataclass(frozen=True)
class MergeResult:
    moved: int
    dropped: int
    children: int


def _hand_over(duplicate: int, kept: int) -> None:
    """Give a dropped segment's memos and pins to its twin before it goes (a pin the twin
    already has at the same moment is dropped with it)."""
    Memo.objects.filter(segment_id=duplicate).update(segment_id=kept)
    for pin in TimelinePin.objects.filter(segment_id=duplicate):
        twin_pinned = TimelinePin.objects.filter(
            case_study_id=pin.case_study_id, segment_id=kept, activity=pin.activity, day=pin.day
        ).exists()
        if not twin_pinned:
            pin.segment_id = kept
            pin.save(update_fields=["segment"])


def _merge_triangulation(source: Code, target: Code) -> None:
    """Move the triangulation cells on ``source`` to ``target``. Where a case already has a
    cell on ``target`` for the same source of information, that cell's verdict stands and the
    merged cell's comment is appended to it, so that nothing written is lost."""
    for cell in TriangulationCell.objects.filter(theme=source):
        twin = TriangulationCell.objects.filter(
            case_study_id=cell.case_study_id, theme=target, source=cell.source
        ).first()
        if twin is None:
            TriangulationCell.objects.filter(pk=cell.pk).update(
                theme=target, version=F("version") + 1
            )
            continue
        if cell.comment.strip():
            note = _("From “%(name)s” (%(verdict)s): %(comment)s") % {
                "name": source.name,
                "verdict": cell.get_verdict_display(),
                "comment": cell.comment.strip(),
            }
            comment = f"{twin.comment.rstrip()}\n\n{note}" if twin.comment.strip() else note
            TriangulationCell.objects.filter(pk=twin.pk).update(
                comment=comment, version=F("version") + 1
            )
        cell.delete()


@transaction.atomic
def code_merge(*, source: Code, target: Code, user: User, expected_version: int) -> MergeResult:
    """Merge ``source`` into ``target`` (lead evaluators): its segments are re-coded, its
    sub-codes move under ``target``, its evaluative questions are linked to ``target``, and
    it is closed (``merged_into``), never deleted."""
    project = source.project
    _require_lead(user, project)
    _lock(project)
    source = Code.objects.select_related("merged_into").get(pk=source.pk)
    target = Code.objects.get(pk=target.pk)
    if source.version != expected_version:
        raise stale()
    refusal = merge_refusal(source, target)
    if refusal:
        raise EvaluationError(refusal)
    plan = merge_plan(source, target)
    if plan.clashes:
        raise EvaluationError(
            _(
                "“%(target)s” already has sub-codes named like those of “%(name)s”: "
                "%(names)s. Rename or merge them first."
            )
            % {"target": target.name, "name": source.name, "names": ", ".join(plan.clashes)}
        )

    duplicates = _duplicates(source, target)
    for duplicate, kept in duplicates.items():
        _hand_over(duplicate, kept)
    Segment.objects.filter(pk__in=duplicates).delete()
    moved = Segment.objects.filter(code=source).update(code=target)
    # What was written about the code follows its segments: memos, and the case studies'
    # triangulation on it as a theme.
    memos = Memo.objects.filter(code=source).update(code=target)
    _merge_triangulation(source, target)

    position = _next_position(project, target)
    for offset, child in enumerate(plan.children):
        # Bumping the version makes a form opened on the child before the merge stale
        # instead of putting it back under a closed code.
        Code.objects.filter(pk=child.pk).update(
            parent=target, position=position + offset, version=F("version") + 1
        )
        _record(
            child,
            CodeEventKind.MOVED,
            user,
            {"from": source.name, "to": target.name, "merge": True},
            other=target,
        )
    inherited = sorted(
        (q for q in source.questions.all() if not target.questions.filter(pk=q.pk).exists()),
        key=_num,
    )
    target.questions.add(*inherited)
    save_versioned(source, expected_version, is_active=False, merged_into=target)

    detail = {
        "segments": moved,
        "duplicates": len(duplicates),
        "children": [c.name for c in plan.children],
        "questions": [_question_label(q) for q in inherited],
        "memos": memos,
    }
    _record(
        source,
        CodeEventKind.MERGED,
        user,
        {"role": "source", "into": target.name, **detail},
        target,
    )
    _record(
        target,
        CodeEventKind.MERGED,
        user,
        {"role": "target", "from": source.name, **detail},
        source,
    )
    return MergeResult(moved=moved, dropped=len(duplicates), children=len(plan.children))


# -- split ------------------------------------------------------------------------------------


@transaction.atomic
def code_split(
    *,
    code: Code,
    user: User,
    expected_version: int,
    name: str,
    definition: str = "",
    under: bool = False,
    segment_ids: Collection[int] = (),
) -> Code:
    """Split ``code`` (lead evaluators): a new code, beside it or under it, takes the chosen
    segments and the same evaluative questions; ``code`` stays open with the others."""
    project = code.project
    _require_lead(user, project)
    _lock(project)
    source = Code.objects.select_related("parent", "merged_into").get(pk=code.pk)
    if source.version != expected_version:
        raise stale()
    if not source.is_active:
        raise _closed_error(source)
    name = " ".join(name.split())
    _no_nir(name, definition)
    parent = source if under else source.parent
    if _clash(project, parent, name, besides=None):
        raise _clash_error(name, parent)
    wanted = set(segment_ids)
    segments = Segment.objects.filter(code=source, pk__in=wanted)
    if segments.count() != len(wanted):
        # Someone re-coded or merged some of them since the page was opened.
        raise stale()

    new = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        definition=definition,
        position=_next_position(project, parent),
    )
    questions = sorted(source.questions.all(), key=_num)
    new.questions.set(questions)
    moved = segments.update(code=new)
    save_versioned(source, expected_version)
    _record(
        source, CodeEventKind.SPLIT, user, {"role": "source", "new": name, "segments": moved}, new
    )
    _record(
        new,
        CodeEventKind.SPLIT,
        user,
        {
            "role": "new",
            "from": source.name,
            "segments": moved,
            "parent": parent.name if parent else None,
            "questions": [_question_label(q) for q in questions],
        },
        source,
    )
    return new
