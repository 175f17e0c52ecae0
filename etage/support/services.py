"""Every write of coordinated support: check → execute → record.

Each service reaches the situation through ``get_situation_for_user`` (404 outside the
scope), with ``view_social`` (the plan and the journal are social data: rent-recovery
officers never reach them) and then requires ``record_step``. It writes, then appends a
pathway event whose payload holds codes, ids and dates only — never free text.

Objectives and actions carry a version: a save holding an older one is refused with
:class:`StaleEdit`, which lists, field by field, what is now saved and what the person typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation
from etage.references.models import Theme
from etage.situations.choices import Status
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.situations.services import ServiceError, StaleVersion, append_event
from etage.situations.workflow import _months_after
from etage.support import events, signals, uploads
from etage.support.choices import (
    ActionStatus,
    JournalKind,
    ObjectiveStatus,
    Progress,
    ReviewDecision,
    Visibility,
)
from etage.support.models import (
    ActionComment,
    Document,
    JournalEntry,
    Objective,
    PlanAction,
    Review,
    ReviewProgress,
)
from etage.support.selectors import journal_visible_to
from etage.support.sensitive import SensitiveMatch, find_sensitive_terms
from etage.support.storage import document_storage, random_name
from etage.territories.models import PlatformMembership

#: The plan is worked on from orientation until closure.
PLAN_STATUSES = frozenset({Status.ORIENTED, Status.IN_SUPPORT, Status.SUSPENDED})


class SupportRefused(ServiceError):
    pass


@dataclass(frozen=True)
class FieldChange:
    """One field of a refused stale save: what is saved now, and what the person typed."""

    field: str
    label: str
    saved: str
    typed: str


class StaleEdit(ServiceError):
    """Someone saved the record since the person opened it. Nothing was written; ``changes``
    say where the saved values and the typed ones differ, ``current_version`` lets the person
    save again on the new version."""

    def __init__(
        self, *, changes: list[FieldChange], current_version: int, changed_by: str
    ) -> None:
        self.changes = changes
        self.current_version = current_version
        self.changed_by = changed_by
        if changes:
            message = _(
                "%(who)s saved a change while you were editing. Nothing of yours has been "
                "saved yet, and what you typed is kept below: compare it with what is now "
                "saved, then save again."
            ) % {"who": changed_by}
        else:
            message = _(
                "%(who)s saved a change while you were editing; what you typed is the same as "
                "what is now saved. Save again to confirm."
            ) % {"who": changed_by}
        super().__init__(message)


class SensitiveTermsFound(ServiceError):
    """The text touches a sensitive category and the writer has not confirmed it is needed
    (data-protection.md #16). Nothing was saved."""

    def __init__(self, matches: list[SensitiveMatch]) -> None:
        self.matches = matches
        listed = "; ".join(f"{m.label} ({', '.join(m.words)})" for m in matches)
        super().__init__(
            _(
                "This text mentions sensitive matters: %(list)s. Write only what the support "
                "needs, in factual terms. Nothing has been saved: remove what is not necessary, "
                "or confirm that these details are necessary."
            )
            % {"list": listed}
        )


# --- Shared checks ----------------------------------------------------------------------------


def _situation_for_writing(user: Any, situation_id: int) -> Situation:
    situation = get_situation_for_user(user, situation_id, Action.VIEW_SOCIAL)
    if Action.RECORD_STEP not in allowed_actions(user, situation):
        raise SupportRefused(
            _("Your role does not allow you to change the support of this situation.")
        )
    return situation


def _check_plan_open(situation: Situation) -> None:
    if situation.status not in PLAN_STATUSES:
        raise SupportRefused(
            _(
                "The shared plan is worked on from orientation until closure; the situation is "
                "“%(status)s”."
            )
            % {"status": situation.get_status_display()}
        )


def _check_not_archived(situation: Situation) -> None:
    if situation.status == Status.ARCHIVED:
        raise SupportRefused(_("This situation is archived: nothing more can be added to it."))


def _text(value: str, *, label: str, required: bool = True, max_length: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise SupportRefused(_("%(field)s is required.") % {"field": label})
    if len(text) > max_length:
        raise SupportRefused(
            _("%(field)s is too long (%(n)s characters at most).")
            % {"field": label, "n": max_length}
        )
    try:
        reject_national_identifier(text)
    except ValidationError as exc:
        raise SupportRefused(list(exc.messages)) from None
    return text


def _check_sensitive(text: str, confirmed: bool) -> list[SensitiveMatch]:
    matches = find_sensitive_terms(text)
    if matches and not confirmed:
        raise SensitiveTermsFound(matches)
    return matches


def _touch(situation: Situation, on: dt.date) -> None:
    """Push the situation's last activity forward (the clock of the retention period,
    data-protection.md #12). Not a change of state: no version bump, so that a note written
    during a visit never makes a colleague's open step form stale."""
    Situation.objects.filter(pk=situation.pk, last_activity_on__lt=on).update(last_activity_on=on)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else str(_("none"))


def _who(user: User | None) -> str:
    if user is None:
        return str(_("Someone"))
    org = user.organisation.code if user.organisation_id and user.organisation else ""
    name = user.get_full_name() or user.username
    return f"{name} ({org})" if org else name


def _diff(rows: Sequence[tuple[str, Any, str, str]]) -> list[FieldChange]:
    """(field, label, saved, typed) → the fields where they differ."""
    return [
        FieldChange(field, str(label), saved, typed)
        for field, label, saved, typed in rows
        if saved != typed
    ]


def _locate(model: type[Model], pk: int, path: str) -> int:
    """The situation id of a support record, or 404 (the situation check comes next)."""
    situation_id = model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    if situation_id is None:
        raise Http404
    return int(situation_id)


# --- Objectives -------------------------------------------------------------------------------


def _theme(theme_id: int | None, *, keep: int | None = None) -> Theme:
    # An inactive theme is no longer offered, but an objective that has it may keep it.
    theme = Theme.objects.filter(pk=theme_id).first() if theme_id else None
    if theme is None or not (theme.active or theme.pk == keep):
        raise SupportRefused(_("Choose a theme."))
    return theme


@transaction.atomic
def objective_create(
    *,
    user: Any,
    situation_id: int,
    theme_id: int,
    title: str,
    theme_other: str = "",
    today: dt.date | None = None,
) -> Objective:
    """Add an objective to the situation's shared plan. ``today`` is the day the change is
    recorded (the date of its pathway event), today by default."""
    situation = _situation_for_writing(user, situation_id)
    _check_plan_open(situation)
    theme = _theme(theme_id)
    title = _text(title, label=str(_("The objective")))
    theme_other = _text(theme_other, label=str(_("The theme")), required=False, max_length=120)
    objective = Objective.objects.create(
        situation=situation,
        theme=theme,
        theme_other=theme_other,
        title=title,
        created_by=user,
        created_by_organisation_id=user.organisation_id,
        updated_by=user,
    )
    today = today or timezone.localdate()
    append_event(
        situation=situation,
        action=events.OBJECTIVE_ADDED,
        occurred_on=today,
        user=user,
        payload={"objective": objective.pk, "theme": theme.code},
    )
    _touch(situation, today)
    return objective


def _objective_rows(
    current: Objective, theme: Theme, theme_other: str, title: str, status: str
) -> list[tuple[str, Any, str, str]]:
    return [
        ("theme", _("Theme"), current.theme.label, theme.label),
        ("theme_other", _("Theme in your own words"), current.theme_other, theme_other),
        ("title", _("Objective"), current.title, title),
        (
            "status",
            _("Status"),
            str(current.get_status_display()),
            str(ObjectiveStatus(status).label),
        ),
    ]


@transaction.atomic
def objective_update(
    *,
    user: Any,
    objective_id: int,
    expected_version: int,
    theme_id: int,
    title: str,
    status: str,
    theme_other: str = "",
    today: dt.date | None = None,
) -> Objective:
    """Change an objective. Refuses a stale ``expected_version`` with :class:`StaleEdit`.
    ``today`` is the day the change is recorded, today by default."""
    situation = _situation_for_writing(user, _locate(Objective, objective_id, "situation_id"))
    _check_plan_open(situation)
    current = (
        Objective.objects.select_related("theme", "updated_by__organisation")
        .filter(pk=objective_id, situation=situation)
        .get()
    )
    theme = _theme(theme_id, keep=current.theme_id)
    title = _text(title, label=str(_("The objective")))
    theme_other = _text(theme_other, label=str(_("The theme")), required=False, max_length=120)
    if status not in ObjectiveStatus.values:
        raise SupportRefused(_("Choose the status of the objective."))
    rows = _objective_rows(current, theme, theme_other, title, status)
    if current.version != expected_version:
        raise StaleEdit(
            changes=_diff(rows),
            current_version=current.version,
            changed_by=_who(current.updated_by),
        )
    updated = Objective.objects.filter(pk=current.pk, version=expected_version).update(
        version=F("version") + 1,
        theme=theme,
        theme_other=theme_other,
        title=title,
        status=status,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover — a concurrent save between the read and the write
        current.refresh_from_db()
        raise StaleEdit(
            changes=_diff(_objective_rows(current, theme, theme_other, title, status)),
            current_version=current.version,
            changed_by=_who(current.updated_by),
        )
    today = today or timezone.localdate()
    append_event(
        situation=situation,
        action=events.OBJECTIVE_UPDATED,
        occurred_on=today,
        user=user,
        payload={
            "objective": current.pk,
            "theme": theme.code,
            "status": status,
            "fields": sorted(c.field for c in _diff(rows)),
        },
    )
    _touch(situation, today)
    current.refresh_from_db()
    return current


# --- Actions ----------------------------------------------------------------------------------


def _owner(
    situation: Situation, organisation_id: int | None, person_id: int | None
) -> tuple[Organisation, User | None]:
    member = (
        PlatformMembership.objects.filter(
            platform_id=situation.platform_id,
            organisation_id=organisation_id,
            is_active=True,
            organisation__is_active=True,
        )
        .select_related("organisation")
        .first()
        if organisation_id
        else None
    )
    if member is None:
        raise SupportRefused(_("Choose the organisation in charge among the platform's members."))
    person = None
    if person_id:
        person = User.objects.filter(
            pk=person_id, is_active=True, organisation_id=member.organisation_id
        ).first()
        if person is None:
            raise SupportRefused(
                _("The person in charge must work for %(org)s.") % {"org": member.organisation.name}
            )
    return member.organisation, person


def _plan_action_for_writing(user: Any, action_id: int) -> tuple[Situation, PlanAction]:
    situation = _situation_for_writing(
        user, _locate(PlanAction, action_id, "objective__situation_id")
    )
    _check_plan_open(situation)
    action = (
        PlanAction.objects.select_related(
            "objective", "owner_organisation", "owner_person", "updated_by__organisation"
        )
        .filter(pk=action_id, objective__situation=situation)
        .get()
    )
    return situation, action


@transaction.atomic
def action_create(
    *,
    user: Any,
    objective_id: int,
    title: str,
    owner_organisation_id: int,
    owner_person_id: int | None = None,
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> PlanAction:
    """Add an action to an objective still in progress, with the organisation in charge
    (a member of the platform) and optionally a person of that organisation. ``today`` is
    the day the change is recorded, today by default."""
    situation = _situation_for_writing(user, _locate(Objective, objective_id, "situation_id"))
    _check_plan_open(situation)
    objective = Objective.objects.filter(pk=objective_id, situation=situation).get()
    if objective.status != ObjectiveStatus.ACTIVE:
        raise SupportRefused(
            _("This objective is no longer in progress: reopen it to add an action.")
        )
    title = _text(title, label=str(_("The action")))
    organisation, person = _owner(situation, owner_organisation_id, owner_person_id)
    action = PlanAction.objects.create(
        objective=objective,
        title=title,
        owner_organisation=organisation,
        owner_person=person,
        due_on=due_on,
        created_by=user,
        updated_by=user,
    )
    today = today or timezone.localdate()
    append_event(
        situation=situation,
        action=events.ACTION_ADDED,
        occurred_on=today,
        user=user,
        payload={
            "objective": objective.pk,
            "action": action.pk,
            "owner": organisation.code,
            "due_on": due_on,
        },
    )
    _touch(situation, today)
    signals.plan_action_assigned.send(sender=PlanAction, action=action, actor=user)
    return action


def _action_rows(
    current: PlanAction,
    *,
    title: str,
    organisation: Organisation,
    person: User | None,
    due_on: dt.date | None,
    status: str,
) -> list[tuple[str, Any, str, str]]:
    def person_name(p: User | None) -> str:
        return p.get_full_name() or p.username if p else str(_("nobody in particular"))

    return [
        ("title", _("Action"), current.title, title),
        (
            "owner_organisation",
            _("Organisation in charge"),
            current.owner_organisation.name,
            organisation.name,
        ),
        (
            "owner_person",
            _("Person in charge"),
            person_name(current.owner_person),
            person_name(person),
        ),
        ("due_on", _("Due date"), _date(current.due_on), _date(due_on)),
        ("status", _("Status"), str(current.get_status_display()), str(ActionStatus(status).label)),
    ]


def _save_action(
    *,
    user: Any,
    situation: Situation,
    current: PlanAction,
    expected_version: int,
    rows: list[tuple[str, Any, str, str]],
    changes: Mapping[str, Any],
    today: dt.date | None = None,
) -> PlanAction:
    if current.version != expected_version:
        raise StaleEdit(
            changes=_diff(rows),
            current_version=current.version,
            changed_by=_who(current.updated_by),
        )
    updated = PlanAction.objects.filter(pk=current.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now(), **changes
    )
    if updated != 1:  # pragma: no cover — a concurrent save between the read and the write
        raise StaleEdit(
            changes=_diff(rows), current_version=current.version + 1, changed_by=_who(None)
        )
    today = today or timezone.localdate()
    changed = sorted(c.field for c in _diff(rows))
    base = {"objective": current.objective_id, "action": current.pk}
    if "status" in changed:
        append_event(
            situation=situation,
            action=events.ACTION_STATUS,
            occurred_on=today,
            user=user,
            payload={**base, "status": changes["status"], "previous": current.status},
        )
    if set(changed) - {"status"}:
        append_event(
            situation=situation,
            action=events.ACTION_UPDATED,
            occurred_on=today,
            user=user,
            payload={**base, "fields": [f for f in changed if f != "status"]},
        )
    _touch(situation, today)
    current.refresh_from_db()
    return current


@transaction.atomic
def action_update(
    *,
    user: Any,
    action_id: int,
    expected_version: int,
    title: str,
    owner_organisation_id: int,
    owner_person_id: int | None,
    due_on: dt.date | None,
    status: str,
) -> PlanAction:
    """Change an action. Refuses a stale ``expected_version`` with :class:`StaleEdit`."""
    situation, current = _plan_action_for_writing(user, action_id)
    title = _text(title, label=str(_("The action")))
    organisation, person = _owner(situation, owner_organisation_id, owner_person_id)
    if status not in ActionStatus.values:
        raise SupportRefused(_("Choose the status of the action."))
    rows = _action_rows(
        current, title=title, organisation=organisation, person=person, due_on=due_on, status=status
    )
    owner_before = (current.owner_organisation_id, current.owner_person_id)
    saved = _save_action(
        user=user,
        situation=situation,
        current=current,
        expected_version=expected_version,
        rows=rows,
        changes={
            "title": title,
            "owner_organisation": organisation,
            "owner_person": person,
            "due_on": due_on,
            "status": status,
        },
    )
    if (saved.owner_organisation_id, saved.owner_person_id) != owner_before:
        signals.plan_action_assigned.send(sender=PlanAction, action=saved, actor=user)
    return saved


@transaction.atomic
def action_set_status(
    *,
    user: Any,
    action_id: int,
    expected_version: int,
    status: str,
    today: dt.date | None = None,
) -> PlanAction:
    """Change only the status of an action (planned, in progress, done, abandoned, blocked):
    any professional of the sharing group may, e.g. the CCAS worker who did it. ``today`` is
    the day the change is recorded, today by default."""
    situation, current = _plan_action_for_writing(user, action_id)
    if status not in ActionStatus.values:
        raise SupportRefused(_("Choose the status of the action."))
    rows: list[tuple[str, Any, str, str]] = [
        ("status", _("Status"), str(current.get_status_display()), str(ActionStatus(status).label))
    ]
    return _save_action(
        user=user,
        situation=situation,
        current=current,
        expected_version=expected_version,
        rows=rows,
        changes={"status": status},
        today=today,
    )


@transaction.atomic
def action_comment_add(
    *, user: Any, action_id: int, text: str, confirm_sensitive: bool = False
) -> ActionComment:
    """Comment on an action (append-only). Sensitive terms need the writer's confirmation."""
    situation, action = _plan_action_for_writing(user, action_id)
    text = _text(text, label=str(_("The comment")), max_length=2000)
    _check_sensitive(text, confirm_sensitive)
    comment = ActionComment.objects.create(
        action=action, author=user, organisation_id=user.organisation_id, text=text
    )
    today = timezone.localdate()
    append_event(
        situation=situation,
        action=events.ACTION_COMMENTED,
        occurred_on=today,
        user=user,
        payload={"objective": action.objective_id, "action": action.pk},
    )
    _touch(situation, today)
    return comment


# --- Journal ----------------------------------------------------------------------------------


@transaction.atomic
def journal_entry_add(
    *,
    user: Any,
    situation_id: int,
    kind: str,
    occurred_on: dt.date,
    visibility: str,
    text: str,
    confirm_sensitive: bool = False,
    corrects_id: int | None = None,
    today: dt.date | None = None,
) -> JournalEntry:
    """Write a journal entry (append-only). A correction is a new entry that references the
    one it corrects, by the same organisation; a private entry's correction stays private.

    Raises :class:`SensitiveTermsFound` (nothing saved) when the text touches a sensitive
    category and ``confirm_sensitive`` is false."""
    today = today or timezone.localdate()
    situation = _situation_for_writing(user, situation_id)
    _check_not_archived(situation)
    if kind not in JournalKind.values:
        raise SupportRefused(_("Choose the kind of entry."))
    if visibility not in Visibility.values:
        raise SupportRefused(_("Choose who may read this entry."))
    if occurred_on > today:
        raise SupportRefused(_("The date of the fact cannot be in the future."))
    if occurred_on < situation.identified_on:
        raise SupportRefused(
            _("The date cannot be before the identification date (%(d)s).")
            % {"d": situation.identified_on.strftime("%d/%m/%Y")}
        )
    corrects = None
    if corrects_id is not None:
        corrects = journal_visible_to(user, situation).filter(pk=corrects_id).first()
        if corrects is None or corrects.author_organisation_id != user.organisation_id:
            raise SupportRefused(_("Only the organisation that wrote an entry may correct it."))
        if corrects.corrections.exists():
            raise SupportRefused(
                _("This entry has already been corrected: correct the correction.")
            )
        if corrects.is_private and visibility != Visibility.ORGANISATION:
            raise SupportRefused(_("The correction of a private entry stays private."))
    text = _text(text, label=str(_("The text")), max_length=5000)
    matches = _check_sensitive(text, confirm_sensitive)
    entry = JournalEntry.objects.create(
        situation=situation,
        kind=kind,
        occurred_on=occurred_on,
        author=user,
        author_organisation_id=user.organisation_id,
        visibility=visibility,
        text=text,
        corrects=corrects,
    )
    append_event(
        situation=situation,
        action=events.JOURNAL_ENTRY,
        occurred_on=occurred_on,
        user=user,
        payload={
            "entry": entry.pk,
            "kind": kind,
            "visibility": visibility,
            "corrects": corrects.pk if corrects else None,
            "sensitive_categories": sorted(m.category for m in matches),
        },
    )
    _touch(situation, occurred_on)
    return entry


# --- Documents --------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MiB") % {"n": f"{size / (1024 * 1024):.1f}".replace(".", ",")}
    if size >= 1024:
        return _("%(n)s KiB") % {"n": f"{size / 1024:.0f}"}
    return _("%(n)s bytes") % {"n": size}


def check_upload(upload: UploadedFile[bytes]) -> tuple[str, uploads.Kind]:
    """The file's clean name and its checked kind, or :class:`SupportRefused` with a message
    that says why and what to do. Reads the file; writes nothing."""
    name = _UNSAFE_NAME.sub("_", os.path.basename(upload.name or "")).strip() or "document"
    name = name[-200:]
    if find_nir := _nir_in(name):
        raise SupportRefused(find_nir)
    size = upload.size or 0
    limit = settings.ETAGE_MAX_UPLOAD_BYTES
    if size <= 0:
        raise SupportRefused(
            _("The file “%(name)s” is empty (0 bytes): nothing was saved. Choose the right file.")
            % {"name": name}
        )
    if size > limit:
        raise SupportRefused(
            _(
                "The file “%(name)s” weighs %(size)s, more than the %(limit)s allowed: nothing "
                "was saved. Reduce it (scan in black and white or at a lower resolution, or "
                "split it) and add it again."
            )
            % {"name": name, "size": _human_size(size), "limit": _human_size(limit)}
        )
    expected = uploads.BY_EXTENSION.get(uploads.extension_of(name))
    if expected is None:
        raise SupportRefused(
            _("Files like “%(name)s” are not accepted: nothing was saved. Accepted: %(kinds)s.")
            % {"name": name, "kinds": uploads.accepted_labels()}
        )
    upload.seek(0)
    head = upload.read(16)
    if uploads.is_executable(head):
        raise SupportRefused(
            _(
                "The file “%(name)s” is a program, not a document, whatever its name says: it "
                "was refused and nothing was saved."
            )
            % {"name": name}
        )
    actual = uploads.sniff(upload)
    if actual != expected:
        raise SupportRefused(
            _(
                "The content of “%(name)s” is not a %(kind)s file, whatever its name says: "
                "nothing was saved. Save the document again as %(kind)s from the program that "
                "made it, then add it."
            )
            % {"name": name, "kind": expected.label}
        )
    return name, expected


def _nir_in(text: str) -> str | None:
    try:
        reject_national_identifier(text)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


@transaction.atomic
def document_add(
    *,
    user: Any,
    situation_id: int,
    upload: UploadedFile[bytes],
    kind_label: str = "",
    journal_entry_id: int | None = None,
) -> Document:
    """Store a document of the situation, optionally attached to a journal entry the person
    may read (it then has that entry's visibility). Every check runs before anything is
    written; a refusal leaves no row and no file."""
    situation = _situation_for_writing(user, situation_id)
    _check_not_archived(situation)
    kind_label = _text(
        kind_label, label=str(_("The kind of document")), required=False, max_length=100
    )
    entry = None
    if journal_entry_id is not None:
        entry = journal_visible_to(user, situation).filter(pk=journal_entry_id).first()
        if entry is None:
            raise SupportRefused(_("Choose a journal entry of this situation."))
    name, kind = check_upload(upload)
    size = int(upload.size or 0)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    storage = document_storage()
    stored = storage.save(random_name(None, name), upload)
    try:
        document = Document.objects.create(
            situation=situation,
            journal_entry=entry,
            original_name=name,
            content_type=kind.content_type,
            size=size,
            sha256=digest.hexdigest(),
            file=stored,
            kind_label=kind_label,
            uploaded_by=user,
            uploaded_by_organisation_id=user.organisation_id,
        )
        today = timezone.localdate()
        append_event(
            situation=situation,
            action=events.DOCUMENT_ADDED,
            occurred_on=today,
            user=user,
            payload={
                "document": document.pk,
                "type": kind.code,
                "size": size,
                "entry": entry.pk if entry else None,
            },
        )
    except BaseException:
        # The row did not make it: the file must not stay behind.
        storage.delete(stored)
        raise
    return document


# --- Reviews ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    objective_id: int
    progress: str
    comment: str = ""


def default_next_review(situation: Situation, held_on: dt.date) -> dt.date:
    return _months_after(held_on, situation.platform.review_interval_months)


@transaction.atomic
def review_record(
    *,
    user: Any,
    situation_id: int,
    expected_version: int,
    held_on: dt.date,
    decision: str,
    next_review_on: dt.date,
    progress: Sequence[ProgressInput] = (),
    today: dt.date | None = None,
) -> Review:
    """Record a periodic review of a situation in support: progress per objective, the
    decision and the next review date, which the situation takes (conditional version update,
    as for pathway steps). A change of level or a closure is then recorded on its own
    pathway step: this service changes neither."""
    today = today or timezone.localdate()
    situation = _situation_for_writing(user, situation_id)
    if situation.version != expected_version:
        raise StaleVersion()
    if situation.status != Status.IN_SUPPORT:
        raise SupportRefused(_("A review is recorded while the situation is in support."))
    if decision not in ReviewDecision.values:
        raise SupportRefused(_("Choose the decision of the review."))
    if held_on > today:
        raise SupportRefused(_("The date of the fact cannot be in the future."))
    start = situation.support_started_on or situation.identified_on
    if held_on < start:
        raise SupportRefused(
            _("The review cannot be before the start of the support (%(d)s).")
            % {"d": start.strftime("%d/%m/%Y")}
        )
    if next_review_on <= held_on:
        raise SupportRefused(_("The next review must come after this one."))
    objectives = set(situation.objectives.values_list("pk", flat=True))
    seen: set[int] = set()
    rows: list[ReviewProgress] = []
    for item in progress:
        if item.objective_id not in objectives or item.objective_id in seen:
            raise SupportRefused(_("Each objective of this plan is reviewed once."))
        if item.progress not in Progress.values:
            raise SupportRefused(_("Choose the progress of each objective."))
        seen.add(item.objective_id)
        rows.append(
            ReviewProgress(
                objective_id=item.objective_id,
                progress=item.progress,
                comment=_text(
                    item.comment, label=str(_("The comment")), required=False, max_length=500
                ),
            )
        )
    updated = Situation.objects.filter(pk=situation.pk, version=expected_version).update(
        version=F("version") + 1,
        next_review_on=next_review_on,
        last_activity_on=max(held_on, situation.last_activity_on),
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise StaleVersion()
    review = Review.objects.create(
        situation=situation,
        held_on=held_on,
        decision=decision,
        next_review_on=next_review_on,
        recorded_by=user,
        recorded_by_organisation_id=user.organisation_id,
    )
    for row in rows:
        row.review = review
    ReviewProgress.objects.bulk_create(rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.progress] = counts.get(row.progress, 0) + 1
    situation.refresh_from_db()
    append_event(
        situation=situation,
        action=events.REVIEW,
        occurred_on=held_on,
        user=user,
        payload={
            "review": review.pk,
            "decision": decision,
            "next_review_on": next_review_on,
            "progress": counts,
        },
    )
    return review


__all__ = [
    "FieldChange",
    "ProgressInput",
    "SensitiveTermsFound",
    "ServiceError",
    "StaleEdit",
    "StaleVersion",
    "SupportRefused",
    "action_comment_add",
    "action_create",
    "action_set_status",
    "action_update",
    "check_upload",
    "document_add",
    "journal_entry_add",
    "objective_create",
    "objective_update",
    "review_record",
]
