"""The codebook pages (evaluation.md part C): the tree of codes, creating and editing a code
(its place, its criteria, its evaluative questions), merging and splitting codes (lead
evaluators), the history of a code and of the whole codebook, and the REFI-QDA ``.qdc``
export and import.

Every view starts with :func:`~etage.evaluation.scope.require_project` (404 for anyone but
the project's members) and reaches a code only inside that project; merges and splits also
need :func:`~etage.evaluation.scope.require_lead` (404 for the other members). Writes go
through :mod:`etage.evaluation.services_codebook`.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from etage.evaluation import refiqda
from etage.evaluation import selectors_codebook as sel
from etage.evaluation import services_codebook as services
from etage.evaluation import services_codebook_import as importing
from etage.evaluation.forms_codebook import (
    CodeForm,
    ImportConfirmForm,
    ImportForm,
    MergeForm,
    SplitForm,
)
from etage.evaluation.layout import project_context
from etage.evaluation.models import Code, Project, Segment
from etage.evaluation.scope import acting_user, is_lead, require_lead, require_project
from etage.evaluation.services import EvaluationError

CURRENT = "evaluation:codebook"
QDC_FILENAME = "livre-de-codes.qdc"
EVENTS_PER_PAGE = 50


def _code(project: Project, pk: int) -> Code:
    code = Code.objects.filter(project=project, pk=pk).select_related("parent", "merged_into")
    found = code.first()
    if found is None:
        raise Http404
    return found


def _codebook_url(project: Project, anchor: Code | None = None) -> str:
    url = reverse("evaluation:codebook", kwargs={"project_pk": project.pk})
    return f"{url}#code-{anchor.pk}" if anchor is not None else url


def _history_url(code: Code) -> str:
    return reverse("evaluation:code_history", kwargs={"project_pk": code.project_id, "pk": code.pk})


def _closed(request: HttpRequest, project: Project, code: Code) -> HttpResponse:
    """A closed code's edit, merge and split pages: what happened to it, and where to go."""
    context = project_context(
        project,
        CURRENT,
        page_title=_("“%(name)s” is closed") % {"name": code.name},
        code=code,
    )
    return render(request, "evaluation/codebook_closed.html", context)


@login_required
@require_GET
def codebook(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = acting_user(request)
    project = require_project(user, project_pk)
    tree = sel.codebook_tree(project)
    context = project_context(
        project,
        CURRENT,
        page_title=_("Codebook"),
        tree=tree,
        open_count=sum(1 for _node in sel.walk(tree)),
        closed=list(sel.closed_codes(project)),
        lead=is_lead(user, project),
    )
    return render(request, "evaluation/codebook_index.html", context)


def _code_fields(form: CodeForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "parent": data["parent"],
        "definition": data["definition"],
        "include": data["include"],
        "exclude": data["exclude"],
        "example": data["example"],
        "color": data["color"],
        "questions": data["questions"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def code_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = acting_user(request)
    project = require_project(user, project_pk)
    initial: dict[str, Any] = {}
    parent = request.GET.get("parent", "")
    if parent.isdigit() and Code.objects.filter(project=project, pk=parent, is_active=True):
        initial["parent"] = parent
    form = CodeForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            code = services.code_create(project=project, user=user, **_code_fields(form))
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Code “%(name)s” created.") % {"name": code.name})
            return redirect(_codebook_url(project, code))
    context = project_context(
        project, CURRENT, page_title=_("New code"), form=form, back=_codebook_url(project)
    )
    return render(request, "evaluation/codebook_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def code_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    user = acting_user(request)
    project = require_project(user, project_pk)
    code = _code(project, pk)
    if not code.is_active:
        return _closed(request, project, code)
    form = CodeForm(request.POST or None, project=project, code=code)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_update(
                code=code,
                user=user,
                expected_version=form.cleaned_data.get("version") or 0,
                **_code_fields(form),
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Code saved."))
            return redirect(_codebook_url(project, code))
    context = project_context(
        project,
        CURRENT,
        page_title=_("Edit the code “%(name)s”") % {"name": code.name},
        form=form,
        code=code,
        back=_codebook_url(project, code),
    )
    return render(request, "evaluation/codebook_form.html", context)


@login_required
@require_GET
def code_history(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(acting_user(request), project_pk)
    code = _code(project, pk)
    context = project_context(
        project,
        CURRENT,
        page_title=_("History of the code “%(name)s”") % {"name": code.name},
        code=code,
        rows=sel.code_events(code),
        merged_from=list(code.merged_from.order_by("name")),
    )
    return render(request, "evaluation/codebook_history.html", context)


@login_required
@require_GET
def codebook_history(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(acting_user(request), project_pk)
    page = Paginator(sel.project_events(project), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = project_context(
        project,
        CURRENT,
        page_title=_("History of the codebook"),
        page=page,
        rows=[sel.describe(e) for e in page.object_list],
        whole=True,
    )
    return render(request, "evaluation/codebook_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def code_merge(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Choose the code to merge into (GET ``?into=``), read what will happen, confirm (POST)."""
    user = acting_user(request)
    project = require_project(user, project_pk)
    require_lead(user, project)
    code = _code(project, pk)
    if not code.is_active:
        return _closed(request, project, code)
    bound = request.POST if request.method == "POST" else request.GET
    form = MergeForm(bound if "into" in bound else None, project=project, code=code)
    target = None
    if form.is_bound and form.is_valid():
        target = form.cleaned_data["into"]
        refusal = services.merge_refusal(code, target)
        if refusal:
            form.add_error("into", refusal)
            target = None
        elif request.method == "POST":
            version = request.POST.get("version", "")
            try:
                result = services.code_merge(
                    source=code,
                    target=target,
                    user=user,
                    expected_version=int(version) if version.isdigit() else 0,
                )
            except EvaluationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "“%(name)s” merged into “%(into)s”: %(count)s segment re-coded.",
                        "“%(name)s” merged into “%(into)s”: %(count)s segments re-coded.",
                        result.moved,
                    )
                    % {"name": code.name, "into": target.name, "count": result.moved},
                )
                return redirect(_codebook_url(project, target))
    plan = services.merge_plan(code, target) if target is not None else None
    context = project_context(
        project,
        CURRENT,
        page_title=_("Merge the code “%(name)s”") % {"name": code.name},
        code=code,
        form=form,
        plan=plan,
        back=_codebook_url(project, code),
    )
    return render(request, "evaluation/codebook_merge.html", context)


def _split_segments(code: Code) -> list[Segment]:
    return list(
        Segment.objects.filter(code=code)
        .select_related("transcript__interview__consent", "coder")
        .order_by("transcript__interview__reference", "start", "end", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def code_split(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    user = acting_user(request)
    project = require_project(user, project_pk)
    require_lead(user, project)
    code = _code(project, pk)
    if not code.is_active:
        return _closed(request, project, code)
    form = SplitForm(request.POST or None, code=code, segments=_split_segments(code))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.code_split(
                code=code,
                user=user,
                expected_version=data["version"],
                name=data["name"],
                definition=data["definition"],
                under=data["place"] == "under",
                segment_ids=data["segments"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            moved = len(data["segments"])
            messages.success(
                request,
                ngettext(
                    "“%(name)s” created from “%(from)s” with %(count)s segment.",
                    "“%(name)s” created from “%(from)s” with %(count)s segments.",
                    moved,
                )
                % {"name": new.name, "from": code.name, "count": moved},
            )
            return redirect(_codebook_url(project, new))
    context = project_context(
        project,
        CURRENT,
        page_title=_("Split the code “%(name)s”") % {"name": code.name},
        code=code,
        form=form,
        back=_codebook_url(project, code),
    )
    return render(request, "evaluation/codebook_split.html", context)


@login_required
@require_GET
def codebook_qdc(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(acting_user(request), project_pk)
    try:
        data = sel.project_qdc(project)
    except refiqda.QdcError as error:
        messages.error(request, str(error))
        return redirect(_codebook_url(project))
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{QDC_FILENAME}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _filename(name: str) -> str:
    return " ".join((name or "").split())[:200] or QDC_FILENAME


@login_required
@require_http_methods(["GET", "POST"])
def codebook_import(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Upload a ``.qdc`` → preview (what will be created, what is skipped, what prevents the
    import) → confirm. The confirmation re-reads the file and re-plans: if the project
    changed meanwhile so that the import would do something else, the new preview is shown
    instead."""
    user = acting_user(request)
    project = require_project(user, project_pk)
    upload = ImportForm()
    preview: dict[str, Any] | None = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        confirm = ImportConfirmForm(request.POST)
        if not confirm.is_valid():
            fallback = _("The file could not be read again: upload it once more.")
            for error in confirm.non_field_errors() or [fallback]:
                messages.error(request, str(error))
        else:
            data, codebook = confirm.data_bytes, confirm.codebook
            filename = _filename(confirm.cleaned_data["filename"])
            plan = importing.import_plan(project, codebook)
            if plan.digest(data) != confirm.cleaned_data["digest"]:
                messages.warning(
                    request,
                    _(
                        "The codebook changed since the preview: check this new preview, "
                        "then confirm it."
                    ),
                )
                preview = _preview(plan, data, filename)
            else:
                try:
                    result = importing.codebook_import(
                        project=project, user=user, codebook=codebook, filename=filename
                    )
                except EvaluationError as error:
                    messages.error(request, error.message)
                    preview = _preview(importing.import_plan(project, codebook), data, filename)
                else:
                    messages.success(request, _imported(len(result.created), len(result.skipped)))
                    return redirect(_codebook_url(project))
    elif request.method == "POST":
        upload = ImportForm(request.POST, request.FILES)
        if upload.is_valid():
            filename = _filename(upload.cleaned_data["file"].name)
            plan = importing.import_plan(project, upload.codebook)
            preview = _preview(plan, upload.data_bytes, filename)
    context = project_context(
        project,
        CURRENT,
        page_title=_("Import a codebook"),
        form=upload,
        preview=preview,
        back=_codebook_url(project),
    )
    return render(request, "evaluation/codebook_import.html", context)


def _preview(plan: importing.ImportPlan, data: bytes, filename: str) -> dict[str, Any]:
    names = {p.guid: p.source.name for p in plan.new}
    rows = [
        {
            "planned": p,
            "indent": "— " * p.depth,
            "new_parent": names.get(p.parent_guid) if p.parent_guid else None,
        }
        for p in plan.new
    ]
    return {
        "plan": plan,
        "rows": rows,
        "filename": filename,
        "confirm": ImportConfirmForm(
            initial={
                "payload": base64.b64encode(data).decode("ascii"),
                "filename": filename,
                "digest": plan.digest(data),
            }
        ),
    }


def _imported(created: int, skipped: int) -> str:
    text = ngettext("%(count)s code imported.", "%(count)s codes imported.", created) % {
        "count": created
    }
    if skipped:
        text += " " + ngettext(
            "%(count)s code of the file was already in the project and was left as it is.",
            "%(count)s codes of the file were already in the project and were left as they are.",
            skipped,
        ) % {"count": skipped}
    return text
