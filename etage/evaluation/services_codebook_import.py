"""Importing a REFI-QDA codebook (``.qdc``) into a project (evaluation.md part C,
"Exchange"): :func:`import_plan` says what the file would do — the preview — and
:func:`codebook_import` does it, all or nothing, after re-planning under the project's lock.
The XML itself is read by :mod:`etage.evaluation.refiqda`."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation import refiqda
from etage.evaluation.models import Code, Project
from etage.evaluation.models.choices import CodeEventKind
from etage.evaluation.services import EvaluationError
from etage.evaluation.services_codebook import NAME_MAX, _key, _lock, _next_position, _record
from etage.households.text import contains_nir

#: How many problems of an import are listed before "and N more".
MAX_LISTED = 20


@dataclass(frozen=True)
class PlannedCode:
    """A code of the file that will be created."""

    source: refiqda.Code
    guid: uuid.UUID
    depth: int
    #: The existing code it goes under (its parent in the file is already in the project), …
    parent: Code | None
    #: … or the new code of the file it goes under.
    parent_guid: uuid.UUID | None


@dataclass(frozen=True)
class SkippedCode:
    """A code of the file whose identifier is already in the project: left as it is."""

    name: str
    existing: Code


@dataclass
class ImportPlan:
    new: list[PlannedCode] = field(default_factory=list)
    skipped: list[SkippedCode] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Problems not listed (beyond :data:`MAX_LISTED`).
    more_problems: int = 0
    ignored_not_codable: int = 0

    def problem(self, message: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(message)
        else:
            self.more_problems += 1

    def digest(self, data: bytes) -> str:
        """What the user confirms: the file and what it would do to the project now."""
        shape = {
            "file": hashlib.sha256(data).hexdigest(),
            "new": [
                [str(p.guid), p.parent.pk if p.parent else None, str(p.parent_guid or "")]
                for p in self.new
            ],
            "skipped": [s.existing.pk for s in self.skipped],
            "problems": self.problems,
        }
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def _open_anchor(code: Code) -> Code | None:
    """Where new sub-codes of an existing code go: the code itself, or, if it was merged,
    the open code it ended up in (a chain of merges is followed)."""
    seen = set()
    while not code.is_active:
        if code.merged_into_id is None or code.pk in seen:
            return None
        seen.add(code.pk)
        code = Code.objects.get(pk=code.merged_into_id)
    return code


def _guid(text: str) -> uuid.UUID:
    return uuid.UUID(text.strip().strip("{}"))


def import_plan(project: Project, codebook: refiqda.Codebook) -> ImportPlan:
    """What importing ``codebook`` into ``project`` would do, and every reason to refuse it.

    Codes whose identifier (GUID) is already in the project are **skipped**: not updated,
    listed; the new codes under them in the file go under them (or, if they were merged,
    under the code they were merged into)."""
    plan = ImportPlan()
    existing = {c.guid: c for c in Code.objects.filter(project=project)}
    #: (existing parent pk or None, planned parent guid or None) → names (keys) in use.
    names: dict[tuple[int | None, uuid.UUID | None], set[str]] = {}
    seen: set[uuid.UUID] = set()

    def taken(anchor: Code | None, parent_guid: uuid.UUID | None) -> set[str]:
        group = (anchor.pk if anchor else None, parent_guid)
        if group not in names:
            names[group] = (
                {
                    _key(n)
                    for n in Code.objects.filter(
                        project=project, parent=anchor, is_active=True
                    ).values_list("name", flat=True)
                }
                if parent_guid is None
                else set()
            )
        return names[group]

    def walk(
        code: refiqda.Code, depth: int, anchor: Code | None, parent_guid: uuid.UUID | None
    ) -> None:
        guid = _guid(code.guid)
        if guid in seen:
            plan.problem(_("Two codes of the file share the identifier %(guid)s.") % {"guid": guid})
            return
        seen.add(guid)
        if guid in existing:
            plan.skipped.append(SkippedCode(code.name, existing[guid]))
            here = _open_anchor(existing[guid])
            for child in code.children:
                walk(child, depth + 1, here, None)
            return
        name = " ".join(code.name.split())
        where = {"name": name or "…"}
        if not name:
            plan.problem(_("A code of the file has an empty name."))
        elif len(name) > NAME_MAX:
            plan.problem(
                _("“%(name)s”: a code's name has %(max)s characters at most.")
                % {"name": name[:60] + "…", "max": NAME_MAX}
            )
        elif _key(name) in taken(anchor, parent_guid):
            plan.problem(
                _("“%(name)s”: a code of that name already exists at the same place.") % where
            )
        else:
            taken(anchor, parent_guid).add(_key(name))
        if any(
            contains_nir(t)
            for t in (code.name, code.definition, code.include, code.exclude, code.example)
        ):
            plan.problem(
                _("“%(name)s”: the text looks like it contains a social-security number (NIR).")
                % where
            )
        if not code.is_codable:
            plan.ignored_not_codable += 1
        plan.new.append(PlannedCode(code, guid, depth, anchor, parent_guid))
        for child in code.children:
            walk(child, depth + 1, None, guid)

    for root in codebook.codes:
        walk(root, 0, None, None)
    return plan


@dataclass(frozen=True)
class ImportResult:
    created: list[Code]
    skipped: list[SkippedCode]


@transaction.atomic
def codebook_import(
    *, project: Project, user: User, codebook: refiqda.Codebook, filename: str
) -> ImportResult:
    """Create the codes of ``codebook`` in ``project``, all or nothing (see
    :func:`import_plan`); each new code keeps its GUID and gets an ``imported`` event."""
    _lock(project)
    plan = import_plan(project, codebook)
    if plan.problems:
        raise EvaluationError(
            _("Nothing was imported: %(problems)s") % {"problems": " ".join(plan.problems)}
        )
    created: dict[uuid.UUID, Code] = {}
    positions: dict[tuple[int | None, uuid.UUID | None], int] = {}
    for planned in plan.new:
        parent = created[planned.parent_guid] if planned.parent_guid else planned.parent
        group = (planned.parent.pk if planned.parent else None, planned.parent_guid)
        if group not in positions:
            positions[group] = _next_position(project, parent)
        source = planned.source
        code = Code.objects.create(
            project=project,
            parent=parent,
            guid=planned.guid,
            name=" ".join(source.name.split()),
            definition=source.definition,
            include=source.include,
            exclude=source.exclude,
            example=source.example,
            color=source.color or "",
            position=positions[group],
        )
        positions[group] += 1
        created[planned.guid] = code
        _record(
            code,
            CodeEventKind.IMPORTED,
            user,
            {
                "file": filename,
                "origin": codebook.origin,
                "parent": parent.name if parent else None,
            },
        )
    return ImportResult(created=list(created.values()), skipped=plan.skipped)
