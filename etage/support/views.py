"""Pages of coordinated support: the shared plan, the journal, documents and reviews.

Every view starts from ``get_situation_for_user(user, pk, view_social)`` — a 404 for anyone
outside the scope, rent-recovery officers included — and leaves every decision to the
services; reads of these pages are written to the access log.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from etage.core.models import AccessAction
from etage.core.services import access_log_record
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.permissions_matrix import Action
from etage.support import selectors, services
from etage.support.choices import ObjectiveStatus
from etage.support.forms import (
    ActionEditForm,
    ActionForm,
    ActionStatusForm,
    CommentForm,
    DocumentForm,
    JournalEntryForm,
    JournalFilterForm,
    ObjectiveEditForm,
    ObjectiveForm,
    ProgressForm,
    ReviewForm,
)
from etage.support.models import Objective, PlanAction
from etage.support.storage import document_storage


def _open(request: HttpRequest, pk: int) -> tuple[Situation, frozenset[Action], dict[str, bool]]:
    situation = get_situation_for_user(request.user, pk, Action.VIEW_SOCIAL)
    actions = allowed_actions(request.user, situation)
    return situation, actions, {a.name.lower(): a in actions for a in Action}


def _log_read(request: HttpRequest, situation: Situation) -> None:
    access_log_record(
        user=request.user, action=AccessAction.READ, obj=situation, situation_id=situation.pk
    )


def _refused(form: Any, exc: services.ServiceError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _rebound(form_class: Any, request: HttpRequest, exc: services.StaleEdit, **kwargs: Any) -> Any:
    """The person's form again, with what they typed and the version now saved, so that
    saving again is one click and nothing they typed is lost."""
    data = request.POST.copy()
    data["version"] = str(exc.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()  # the conflict panel says what happened; the fields keep their input
    return form


# --- Plan -------------------------------------------------------------------------------------


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    situation, actions, can = _open(request, pk)
    plan_open = situation.status in services.PLAN_STATUSES
    form = ObjectiveForm(request.POST or None) if can["record_step"] and plan_open else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                objective = services.objective_create(
                    user=request.user,
                    situation_id=situation.pk,
                    theme_id=form.cleaned_data["theme"].pk,
                    theme_other=form.cleaned_data["theme_other"],
                    title=form.cleaned_data["title"],
                )
            except services.ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Objective added: now add its first action."))
                return redirect("support:action_add", pk=situation.pk, objective_pk=objective.pk)
    else:
        _log_read(request, situation)
    return render(
        request,
        "support/plan.html",
        {
            "situation": situation,
            "can": can,
            "plan": selectors.plan_of(request.user, situation, actions=actions),
            "plan_open": plan_open,
            "form": form,
            "status_form": ActionStatusForm,
        },
    )


def _objective(situation: Situation, objective_pk: int) -> Objective:
    objective = situation.objectives.select_related("theme").filter(pk=objective_pk).first()
    if objective is None:
        raise Http404
    return objective


@login_required
def objective_edit(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    situation, _actions, can = _open(request, pk)
    if not can["record_step"]:
        raise Http404
    objective = _objective(situation, objective_pk)
    conflict = None
    initial = {
        "theme": objective.theme_id,
        "theme_other": objective.theme_other,
        "title": objective.title,
        "status": objective.status,
        "version": objective.version,
    }
    form = ObjectiveEditForm(request.POST or None, initial=initial, objective=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                user=request.user,
                objective_id=objective.pk,
                expected_version=form.cleaned_data["version"],
                theme_id=form.cleaned_data["theme"].pk,
                theme_other=form.cleaned_data["theme_other"],
                title=form.cleaned_data["title"],
                status=form.cleaned_data["status"],
            )
        except services.StaleEdit as exc:
            conflict = exc
            form = _rebound(ObjectiveEditForm, request, exc, objective=objective)
        except services.ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Objective updated."))
            return redirect(
                reverse("support:plan", args=[situation.pk]) + f"#objectif-{objective.pk}"
            )
    _log_read(request, situation)
    return render(
        request,
        "support/objective_form.html",
        {"situation": situation, "objective": objective, "form": form, "conflict": conflict},
    )


@login_required
def action_add(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    situation, _actions, can = _open(request, pk)
    if not can["record_step"]:
        raise Http404
    objective = _objective(situation, objective_pk)
    form = ActionForm(request.POST or None, situation=situation, objective=objective)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["owner_person"]
        try:
            services.action_create(
                user=request.user,
                objective_id=objective.pk,
                title=form.cleaned_data["title"],
                owner_organisation_id=form.cleaned_data["owner_organisation"].pk,
                owner_person_id=person.pk if person else None,
                due_on=form.cleaned_data["due_on"],
            )
        except services.ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Action added to the plan."))
            if "another" in request.POST:
                return redirect("support:action_add", pk=situation.pk, objective_pk=objective.pk)
            return redirect(
                reverse("support:plan", args=[situation.pk]) + f"#objectif-{objective.pk}"
            )
    return render(
        request,
        "support/action_form.html",
        {
            "situation": situation,
            "objective": objective,
            "form": form,
            "objective_closed": objective.status != ObjectiveStatus.ACTIVE,
        },
    )


def _plan_action(situation: Situation, action_pk: int) -> PlanAction:
    action = (
        PlanAction.objects.select_related(
            "objective__theme", "owner_organisation", "owner_person", "updated_by__organisation"
        )
        .filter(pk=action_pk, objective__situation=situation)
        .first()
    )
    if action is None:
        raise Http404
    return action


@login_required
def action_detail(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """An action with its comments: edit it (with the version check) or comment on it."""
    situation, _actions, can = _open(request, pk)
    action = _plan_action(situation, action_pk)
    conflict = sensitive = None
    form = comment_form = None
    if can["record_step"]:
        form = ActionEditForm(situation=situation, action=action)
        comment_form = CommentForm(prefix="commentaire")
    if request.method == "POST":
        if form is None:
            raise Http404
        if request.POST.get("form") == "comment":
            comment_form = CommentForm(request.POST, prefix="commentaire")
            if comment_form.is_valid():
                try:
                    services.action_comment_add(
                        user=request.user,
                        action_id=action.pk,
                        text=comment_form.cleaned_data["text"],
                        confirm_sensitive=comment_form.cleaned_data["confirm_sensitive"],
                    )
                except services.SensitiveTermsFound as exc:
                    sensitive = exc
                except services.ServiceError as exc:
                    _refused(comment_form, exc)
                else:
                    messages.success(request, _("Comment added."))
                    return redirect("support:action_detail", pk=situation.pk, action_pk=action.pk)
        else:
            form = ActionEditForm(request.POST, situation=situation, action=action)
            if form.is_valid():
                person = form.cleaned_data["owner_person"]
                try:
                    services.action_update(
                        user=request.user,
                        action_id=action.pk,
                        expected_version=form.cleaned_data["version"],
                        title=form.cleaned_data["title"],
                        owner_organisation_id=form.cleaned_data["owner_organisation"].pk,
                        owner_person_id=person.pk if person else None,
                        due_on=form.cleaned_data["due_on"],
                        status=form.cleaned_data["status"],
                    )
                except services.StaleEdit as exc:
                    conflict = exc
                    form = _rebound(
                        ActionEditForm, request, exc, situation=situation, action=action
                    )
                except services.ServiceError as exc:
                    _refused(form, exc)
                else:
                    messages.success(request, _("Action updated."))
                    return redirect(
                        reverse("support:plan", args=[situation.pk])
                        + f"#objectif-{action.objective_id}"
                    )
    else:
        _log_read(request, situation)
    return render(
        request,
        "support/action_detail.html",
        {
            "situation": situation,
            "action": action,
            "overdue": selectors.is_overdue(action, timezone.localdate()),
            "comments": selectors.action_comments(action),
            "form": form,
            "comment_form": comment_form,
            "conflict": conflict,
            "sensitive": sensitive,
            "can": can,
        },
    )


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Change an action's status in place (HTMX: the action's block comes back; without
    JavaScript: back to the page the person came from, with a message)."""
    situation, _actions, can = _open(request, pk)
    action = _plan_action(situation, action_pk)
    form = ActionStatusForm(request.POST)
    error = conflict = None
    typed = None
    if form.is_valid():
        typed = form.cleaned_data["status"]
        try:
            action = services.action_set_status(
                user=request.user,
                action_id=action.pk,
                expected_version=form.cleaned_data["version"],
                status=typed,
            )
        except services.StaleEdit as exc:
            conflict = exc
            action = _plan_action(situation, action_pk)
        except services.ServiceError as exc:
            error = " ".join(exc.messages)
        else:
            typed = None
    else:
        error = _("Choose the status of the action.")
    if request.htmx:  # type: ignore[attr-defined]
        row = selectors.ActionRow(
            action,
            overdue=selectors.is_overdue(action, timezone.localdate()),
            owner_outside_group=not situation.shares.filter(
                organisation_id=action.owner_organisation_id, is_active=True
            ).exists(),
        )
        return render(
            request,
            "support/partials/action.html",
            {
                "situation": situation,
                "row": row,
                "can": can,
                "status_error": error,
                "conflict": conflict,
                "typed_status": typed,
                "status_saved": error is None and conflict is None,
            },
        )
    if conflict is not None:
        messages.error(
            request,
            " ".join(
                [
                    *conflict.messages,
                    *(
                        _("%(field)s: now “%(saved)s”, you chose “%(typed)s”.")
                        % {"field": c.label, "saved": c.saved, "typed": c.typed}
                        for c in conflict.changes
                    ),
                ]
            ),
        )
    elif error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Status of “%(action)s”: %(status)s.")
            % {"action": action.title, "status": action.get_status_display()},
        )
    back = request.POST.get("next", "")
    if back != "situation":
        return redirect(reverse("support:plan", args=[situation.pk]) + f"#action-{action.pk}")
    return redirect(reverse("situations:detail", args=[situation.pk]) + "#plan-titre")


# --- Journal ----------------------------------------------------------------------------------

JOURNAL_PAGE_SIZE = 20


@login_required
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    situation, actions, can = _open(request, pk)
    writable = can["record_step"] and situation.status != "archived"
    sensitive = None
    corrects = None
    correct_pk = request.GET.get("corriger") or request.POST.get("corrects")
    if correct_pk:
        corrects = (
            selectors.journal_visible_to(request.user, situation, actions=actions)
            .filter(pk=int(correct_pk) if str(correct_pk).isdigit() else 0)
            .first()
        )
        if corrects is None:
            raise Http404
    initial: dict[str, Any] = {}
    if corrects is not None:
        initial = {
            "corrects": corrects.pk,
            "kind": corrects.kind,
            "visibility": corrects.visibility,
            "occurred_on": corrects.occurred_on,
            "text": corrects.text,
        }
    form = (
        JournalEntryForm(
            request.POST if request.method == "POST" else None,
            situation=situation,
            user=request.user,
            initial=initial,
        )
        if writable
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.journal_entry_add(
                    user=request.user,
                    situation_id=situation.pk,
                    kind=form.cleaned_data["kind"],
                    occurred_on=form.cleaned_data["occurred_on"],
                    visibility=form.cleaned_data["visibility"],
                    text=form.cleaned_data["text"],
                    confirm_sensitive=form.cleaned_data["confirm_sensitive"],
                    corrects_id=form.cleaned_data["corrects"],
                )
            except services.SensitiveTermsFound as exc:
                sensitive = exc
            except services.ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Entry added to the journal."))
                return redirect(
                    reverse("support:journal", args=[situation.pk]) + "#journal-entries"
                )
    filters = JournalFilterForm(request.GET or None)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
    entries = list(
        selectors.journal_page(request.user, situation, actions=actions, kind=kind)[
            :JOURNAL_PAGE_SIZE
        ]
    )
    if request.method == "GET":
        _log_read(request, situation)
    return render(
        request,
        "support/journal.html",
        {
            "situation": situation,
            "can": can,
            "entries": entries,
            "filters": filters,
            "kind": kind,
            "form": form,
            "sensitive": sensitive,
            "corrects": corrects,
            "page_size": JOURNAL_PAGE_SIZE,
        },
    )


# --- Documents --------------------------------------------------------------------------------


@login_required
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    situation, actions, can = _open(request, pk)
    writable = can["record_step"] and situation.status != "archived"
    limit = settings.ETAGE_MAX_UPLOAD_BYTES
    form = None
    if writable:
        form = DocumentForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            entries=selectors.journal_visible_to(request.user, situation, actions=actions)
            .select_related("author_organisation")
            .order_by("-occurred_on", "-id"),
            limit=limit,
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            entry = form.cleaned_data["journal_entry"]
            try:
                document = services.document_add(
                    user=request.user,
                    situation_id=situation.pk,
                    upload=form.cleaned_data["file"],
                    kind_label=form.cleaned_data["kind_label"],
                    journal_entry_id=entry.pk if entry else None,
                )
            except services.ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request, _("Document added: %(name)s.") % {"name": document.original_name}
                )
                return redirect("support:documents", pk=situation.pk)
    else:
        _log_read(request, situation)
    return render(
        request,
        "support/documents.html",
        {
            "situation": situation,
            "can": can,
            "documents": selectors.documents_visible_to(
                request.user, situation, actions=actions
            ).select_related("uploaded_by", "uploaded_by_organisation", "journal_entry"),
            "form": form,
        },
    )


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The only way out for a document: permission check, access-log entry, attachment."""
    situation, actions, _can = _open(request, pk)
    document = (
        selectors.documents_visible_to(request.user, situation, actions=actions)
        .filter(pk=document_pk)
        .first()
    )
    if document is None:
        raise Http404
    try:
        handle = document_storage().open(str(document.file.name), "rb")
    except FileNotFoundError:
        raise Http404 from None
    access_log_record(
        user=request.user, action=AccessAction.DOWNLOAD, obj=document, situation_id=situation.pk
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Reviews ----------------------------------------------------------------------------------


@login_required
def reviews(request: HttpRequest, pk: int) -> HttpResponse:
    situation, actions, can = _open(request, pk)
    in_support = situation.status == "in_support"
    objectives = list(selectors.active_objectives(situation)) if in_support else []
    form = None
    progress_forms: list[ProgressForm] = []
    if can["record_step"] and in_support:
        today = timezone.localdate()
        bound = request.POST if request.method == "POST" else None
        form = ReviewForm(
            bound,
            initial={
                "held_on": today,
                "next_review_on": services.default_next_review(situation, today),
                "version": situation.version,
            },
        )
        progress_forms = [ProgressForm(bound, objective=o) for o in objectives]
    if request.method == "POST":
        if form is None:
            raise Http404
        # Every form is validated, so that every error shows at once.
        results = [form.is_valid(), *(f.is_valid() for f in progress_forms)]
        if all(results):
            decision = form.cleaned_data["decision"]
            try:
                services.review_record(
                    user=request.user,
                    situation_id=situation.pk,
                    expected_version=form.cleaned_data["version"],
                    held_on=form.cleaned_data["held_on"],
                    decision=decision,
                    next_review_on=form.cleaned_data["next_review_on"],
                    progress=[
                        services.ProgressInput(
                            f.objective.pk, f.cleaned_data["progress"], f.cleaned_data["comment"]
                        )
                        for f in progress_forms
                    ],
                )
            except services.ServiceError as exc:
                _refused(form, exc)
            else:
                # No second path for state changes: the level change and the closure are
                # recorded on their own pathway steps.
                if decision in ("change_level", "close"):
                    messages.success(
                        request,
                        _("Review recorded. Now record the closure on its pathway step.")
                        if decision == "close"
                        else _("Review recorded. Now record the new level on its pathway step."),
                    )
                    return redirect("situations:step", pk=situation.pk, action=decision)
                messages.success(request, _("Review recorded."))
                return redirect(reverse("situations:detail", args=[situation.pk]) + "#bilans-titre")
    else:
        _log_read(request, situation)
    return render(
        request,
        "support/reviews.html",
        {
            "situation": situation,
            "can": can,
            "summary": selectors.reviews_of(request.user, situation, actions=actions),
            "history": selectors.review_history(situation),
            "form": form,
            "progress_forms": progress_forms,
            "in_support": in_support,
        },
    )
