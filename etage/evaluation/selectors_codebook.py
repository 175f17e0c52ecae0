"""Reads of the codebook (evaluation.md part C): the tree of open codes with their segment
counts and questions, the closed (merged) codes, the choices of a code's place, the history
told in French, and the REFI-QDA export. Callers pass a project they obtained from
:func:`etage.evaluation.scope.require_project`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.evaluation import refiqda
from etage.evaluation.models import Code, CodeEvent, EvaluativeQuestion, Project
from etage.evaluation.models.choices import CodeEventKind


@dataclass
class CodeNode:
    code: Code
    depth: int
    segments: int
    questions: list[EvaluativeQuestion]
    children: list[CodeNode] = field(default_factory=list)

    @property
    def heading_level(self) -> int:
        """h2 for the main themes, one level deeper per depth (h6 at most)."""
        return min(self.depth + 2, 6)


def codebook_tree(project: Project) -> list[CodeNode]:
    """The open codes as a tree (roots first, by position then name), with their segment
    counts (every coder, reconciled coding included) and linked questions."""
    codes = list(
        Code.objects.filter(project=project, is_active=True)
        .annotate(segment_count=Count("segments"))
        .prefetch_related(
            Prefetch("questions", queryset=EvaluativeQuestion.objects.order_by("number"))
        )
        .order_by("position", "name", "pk")
    )
    ids = {c.pk for c in codes}
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        # An open code under a closed one cannot happen through the services (a merge moves
        # the sub-codes); if the data says otherwise, show it at the top rather than lose it.
        by_parent[code.parent_id if code.parent_id in ids else None].append(code)
    seen: set[int] = set()

    def build(code: Code, depth: int) -> CodeNode:
        seen.add(code.pk)
        node = CodeNode(code, depth, code.segment_count, list(code.questions.all()))  # type: ignore[attr-defined]
        node.children = [build(c, depth + 1) for c in by_parent[code.pk] if c.pk not in seen]
        return node

    roots = [build(c, 0) for c in by_parent[None]]
    roots += [build(c, 0) for c in codes if c.pk not in seen]  # codes caught in a cycle
    return roots


def walk(nodes: Iterable[CodeNode]) -> Iterable[CodeNode]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def closed_codes(project: Project) -> QuerySet[Code]:
    return (
        Code.objects.filter(project=project, is_active=False)
        .select_related("merged_into", "parent")
        .annotate(segment_count=Count("segments"))
        .order_by("name", "pk")
    )


def place_choices(project: Project, *, without: Code | None = None) -> list[tuple[int, str]]:
    """Open codes in tree order, indented by depth, for a "place" select; ``without`` and its
    sub-codes are left out (the services refuse them anyway)."""
    choices = []

    def add(nodes: list[CodeNode]) -> None:
        for node in nodes:
            if without is not None and node.code.pk == without.pk:
                continue
            choices.append((node.code.pk, "— " * node.depth + node.code.name))
            add(node.children)

    add(codebook_tree(project))
    return choices


# -- REFI-QDA export --------------------------------------------------------------------------


def project_codebook(project: Project) -> refiqda.Codebook:
    """The open codes of ``project`` as a REFI-QDA codebook: names, hierarchy, definitions,
    criteria, examples, colours and GUIDs (closed codes stay in ETAGE's history)."""

    def convert(node: CodeNode) -> refiqda.Code:
        code = node.code
        return refiqda.Code(
            guid=str(code.guid).upper(),
            name=code.name,
            definition=code.definition,
            include=code.include,
            exclude=code.exclude,
            example=code.example,
            color=code.color or None,
            children=[convert(child) for child in node.children],
        )

    return refiqda.Codebook(codes=[convert(node) for node in codebook_tree(project)])


def project_qdc(project: Project) -> bytes:
    """The ``.qdc`` file; raises :class:`refiqda.QdcError` (French) for an empty codebook."""
    return refiqda.codebook_to_qdc(project_codebook(project))


# -- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class EventRow:
    event: CodeEvent
    summary: str
    notes: list[str]
    changes: list[Change]


def _field_label(name: str) -> str:
    try:
        return str(capfirst(Code._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    except Exception:  # a field name this version does not know: show it as written
        return name


def _names(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def _moved(detail: dict[str, Any]) -> str:
    source, target = detail.get("from"), detail.get("to")
    if source and target:
        return _("Moved from “%(from)s” to “%(to)s”.") % {"from": source, "to": target}
    if source:
        return _("Moved from “%(from)s” to the top level.") % {"from": source}
    if target:
        return _("Moved from the top level to “%(to)s”.") % {"to": target}
    return _("Moved.")


def _merge_notes(detail: dict[str, Any]) -> list[str]:
    notes = []
    segments = int(detail.get("segments") or 0)
    notes.append(
        ngettext("%(count)s segment re-coded.", "%(count)s segments re-coded.", segments)
        % {"count": segments}
    )
    duplicates = int(detail.get("duplicates") or 0)
    if duplicates:
        notes.append(
            ngettext(
                "%(count)s duplicate segment dropped (the same span was already coded the "
                "same way).",
                "%(count)s duplicate segments dropped (the same spans were already coded the "
                "same way).",
                duplicates,
            )
            % {"count": duplicates}
        )
    if detail.get("children"):
        notes.append(_("Sub-codes moved: %(names)s.") % {"names": _names(detail["children"])})
    if detail.get("questions"):
        notes.append(
            _("Evaluative questions handed over: %(names)s.")
            % {"names": _names(detail["questions"])}
        )
    return notes


def _describe(event: CodeEvent) -> tuple[str, list[str], list[Change]]:
    detail: dict[str, Any] = event.detail if isinstance(event.detail, dict) else {}
    kind = event.kind
    notes: list[str] = []
    changes: list[Change] = []
    if kind == CodeEventKind.CREATED:
        parent = detail.get("parent")
        summary = (
            _("Created under “%(parent)s”.") % {"parent": parent}
            if parent
            else _("Created at the top level.")
        )
        if detail.get("questions"):
            notes.append(
                _("Linked to the questions %(names)s.") % {"names": _names(detail["questions"])}
            )
    elif kind == CodeEventKind.EDITED:
        summary = _("Edited.")
        changes = [
            Change(_field_label(str(c.get("field"))), str(c.get("old", "")), str(c.get("new", "")))
            for c in detail.get("changes") or []
        ]
        if detail.get("questions_added"):
            notes.append(
                _("Linked to the questions %(names)s.")
                % {"names": _names(detail["questions_added"])}
            )
        if detail.get("questions_removed"):
            notes.append(
                _("Unlinked from the questions %(names)s.")
                % {"names": _names(detail["questions_removed"])}
            )
    elif kind == CodeEventKind.MOVED:
        summary = _moved(detail)
        if detail.get("merge"):
            notes.append(
                _("Its parent code “%(from)s” was merged into “%(to)s”.")
                % {"from": detail.get("from"), "to": detail.get("to")}
            )
    elif kind == CodeEventKind.MERGED:
        if detail.get("role") == "target":
            summary = _("“%(name)s” was merged into this code.") % {"name": detail.get("from")}
        else:
            summary = _("Merged into “%(name)s”; this code is closed.") % {
                "name": detail.get("into")
            }
        notes = _merge_notes(detail)
    elif kind == CodeEventKind.SPLIT:
        segments = int(detail.get("segments") or 0)
        if detail.get("role") == "new":
            summary = ngettext(
                "Created by splitting “%(name)s”, with %(count)s segment.",
                "Created by splitting “%(name)s”, with %(count)s segments.",
                segments,
            ) % {"name": detail.get("from"), "count": segments}
            if detail.get("questions"):
                notes.append(
                    _("Linked to the questions %(names)s.") % {"names": _names(detail["questions"])}
                )
        else:
            summary = ngettext(
                "Split: “%(name)s” created with %(count)s of its segments.",
                "Split: “%(name)s” created with %(count)s of its segments.",
                segments,
            ) % {"name": detail.get("new"), "count": segments}
    elif kind == CodeEventKind.IMPORTED:
        summary = _("Imported from the file “%(file)s”.") % {"file": detail.get("file") or "—"}
        if detail.get("origin"):
            notes.append(_("Codebook made with %(origin)s.") % {"origin": detail["origin"]})
        if detail.get("parent"):
            notes.append(_("Placed under “%(parent)s”.") % {"parent": detail["parent"]})
    else:
        summary = str(event.get_kind_display())
    return summary, notes, changes


def describe(event: CodeEvent) -> EventRow:
    try:
        summary, notes, changes = _describe(event)
    except (TypeError, ValueError, AttributeError):
        # A detail written by another version: the kind alone still says what happened.
        summary, notes, changes = str(event.get_kind_display()), [], []
    return EventRow(event, summary, notes, changes)


def code_events(code: Code) -> list[EventRow]:
    """A code's history, newest first."""
    events = (
        CodeEvent.objects.filter(code=code).select_related("by", "other").order_by("-at", "-pk")
    )
    return [describe(e) for e in events]


def project_events(project: Project) -> QuerySet[CodeEvent]:
    """Every change of the project's codebook, newest first (paginated by the page)."""
    return (
        CodeEvent.objects.filter(code__project=project)
        .select_related("code", "by", "other")
        .order_by("-at", "-pk")
    )
