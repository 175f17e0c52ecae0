"""The interview register (evaluation.md part C, first bullet): the register with its filters
and CSV export, an interview's page, its consent and withdrawal, and the two-step transcript
upload (upload → check the pseudonymised preview → confirm). Every view starts with
:func:`~etage.evaluation.scope.require_project` (404 for anyone but the project's members);
every change goes through :mod:`etage.evaluation.services_interviews`."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from etage.core.exports import csv_lines
from etage.evaluation import services_interviews as services
from etage.evaluation.forms_interviews import (
    ConsentRecordForm,
    InterviewForm,
    RegisterFilterForm,
    TranscriptConfirmForm,
    TranscriptUploadForm,
    WithdrawForm,
)
from etage.evaluation.layout import project_context
from etage.evaluation.models import Interview, Memo, Project, Segment
from etage.evaluation.scope import acting_user, require_project
from etage.evaluation.selectors_interviews import (
    consent_words,
    counts_by_type,
    csv_header,
    csv_rows,
    interviews_of,
    register,
)
from etage.evaluation.services import EvaluationError
from etage.evaluation.services_interviews import consent_status
from etage.evaluation.transcripts import MAX_TRANSCRIPT_BYTES, parse_turns

_CURRENT = "evaluation:interviews"


def _interview(project: Project, pk: int) -> Interview:
    interview = interviews_of(project).filter(pk=pk).first()
    if interview is None:
        raise Http404
    return interview


def _detail(interview: Interview) -> HttpResponse:
    return redirect("evaluation:interview", project_pk=interview.project_id, pk=interview.pk)


# --- Register -------------------------------------------------------------------------------


@login_required
@require_GET
def interviews(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    filter_form = RegisterFilterForm(request.GET or None)
    filters = filter_form.filters()
    rows = register(project, filters)
    total = Interview.objects.filter(project=project).count()
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Interviews"),
        filter_form=filter_form,
        filters=filters,
        rows=[(row, consent_words(consent_status(row))) for row in rows],
        by_type=counts_by_type(rows),
        total=total,
        csv_query=request.GET.urlencode(),
    )
    return render(request, "evaluation/interviews_index.html", context)


@login_required
@require_GET
def interviews_csv(request: HttpRequest, project_pk: int) -> StreamingHttpResponse:
    """The register as CSV for French spreadsheets, with the page's filters; interviewees are
    described by stakeholder type only, and every cell is protected against formulas."""
    project = require_project(request.user, project_pk)
    rows = register(project, RegisterFilterForm(request.GET or None).filters())
    response = StreamingHttpResponse(
        csv_lines(csv_header(), csv_rows(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="entretiens-projet-{project.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Interview ------------------------------------------------------------------------------


@login_required
@require_GET
def interview(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    item = _interview(project, pk)
    transcript = getattr(item, "transcript", None)
    turns = parse_turns(transcript.text) if transcript else []
    segments = memos = 0
    if transcript is not None:
        segments = Segment.objects.filter(transcript=transcript).count()
        memos = (
            Memo.objects.filter(Q(transcript=transcript) | Q(segment__transcript=transcript))
            .distinct()
            .count()
        )
    status = consent_status(item)
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Interview %(reference)s") % {"reference": item.reference},
        interview=item,
        consent=getattr(item, "consent", None),
        consent_status=status,
        consent_words=consent_words(status),
        transcript=transcript,
        turns=turns,
        segments=segments,
        memos=memos,
        interviewer=item.interviewer.get_full_name() or item.interviewer.username,
    )
    return render(request, "evaluation/interviews_detail.html", context)


def _form_page(
    request: HttpRequest, project: Project, form: InterviewForm, title: str, back: str
) -> HttpResponse:
    context = project_context(project, _CURRENT, page_title=title, form=form, back=back)
    return render(request, "evaluation/interviews_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    form = InterviewForm(
        request.POST or None, project=project, initial={"held_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.interview_create(
                project=project, user=acting_user(request), data=form.cleaned_data
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Interview %(reference)s added. Record the interviewee's consent next.")
                % {"reference": created.reference},
            )
            return _detail(created)
    back = reverse("evaluation:interviews", kwargs={"project_pk": project.pk})
    return _form_page(request, project, form, _("New interview"), back)


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    item = _interview(project, pk)
    # Before validation: a ModelForm copies the submitted values onto ``item``.
    title = _("Edit interview %(reference)s") % {"reference": item.reference}
    back = reverse("evaluation:interview", kwargs={"project_pk": project.pk, "pk": item.pk})
    form = InterviewForm(request.POST or None, instance=item, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_update(
                interview=item,
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.cleaned_data,
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Interview saved."))
            return _detail(item)
    return _form_page(request, project, form, title, back)


# --- Consent --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def interview_consent(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    item = _interview(project, pk)
    consent = getattr(item, "consent", None)
    form = ConsentRecordForm(
        request.POST if consent is None and request.method == "POST" else None,
        initial={"given_on": item.held_on if item.held_on <= timezone.localdate() else None},
    )
    if consent is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                interview=item,
                user=acting_user(request),
                given_on=data["given_on"],
                form=data["form"],
                recording=data["recording"],
                quotation=data["quotation"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Consent recorded."))
            return _detail(item)
    elif consent is not None and request.method == "POST":
        messages.error(
            request,
            _(
                "A consent is already recorded for interview %(reference)s: an interview has "
                "one consent record."
            )
            % {"reference": item.reference},
        )
        return _detail(item)
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Consent for interview %(reference)s") % {"reference": item.reference},
        interview=item,
        consent=consent,
        form=form,
    )
    return render(request, "evaluation/interviews_consent.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def interview_consent_withdraw(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Confirmation page (GET), then the withdrawal (POST): it also takes the interview out
    of its case study, in the same transaction."""
    project = require_project(request.user, project_pk)
    item = _interview(project, pk)
    status = consent_status(item)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None,
        initial={"withdrawn_on": timezone.localdate()},
    )
    if request.method == "POST":
        if status != "given":
            messages.error(request, _("There is no valid consent to withdraw for this interview."))
            return _detail(item)
        if form.is_valid():
            try:
                done = services.consent_withdraw(
                    interview=item,
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                    erase_transcript=form.cleaned_data["erase_transcript"],
                )
            except EvaluationError as error:
                form.add_error(None, error.message)
            else:
                text = _("Consent withdrawn: the interview can no longer be coded or quoted.")
                if done.detached_from:
                    text += " " + ngettext(
                        "It was taken out of the case study “%(case)s” (%(pins)d excerpt "
                        "unpinned from its timeline).",
                        "It was taken out of the case study “%(case)s” (%(pins)d excerpts "
                        "unpinned from its timeline).",
                        done.pins_removed,
                    ) % {"case": done.detached_from, "pins": done.pins_removed}
                if done.transcript_erased:
                    text += " " + ngettext(
                        "The transcript was erased with its %(count)d coded excerpt.",
                        "The transcript was erased with its %(count)d coded excerpts.",
                        done.segments_erased,
                    ) % {"count": done.segments_erased}
                messages.success(request, text)
                return _detail(item)
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Withdraw the consent for interview %(reference)s")
        % {"reference": item.reference},
        interview=item,
        consent_status=status,
        form=form,
    )
    return render(request, "evaluation/interviews_withdraw.html", context)


# --- Transcript -----------------------------------------------------------------------------


class _TranscriptInMemory(FileUploadHandler):
    """Keeps the uploaded transcript in memory only: the original still holds the names, so
    it is never written to a temporary file on disk. Bytes beyond the size limit are counted,
    not kept, so that the form refuses the file as too large without holding it."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.received = False

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        # One file, in the one file field: memory stays bounded whatever is posted.
        if field_name != "file" or self.received:
            raise SkipFile
        self.received = True
        super().new_file(field_name, *args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = MAX_TRANSCRIPT_BYTES + 1 - self.size
        if room > 0:
            self.buffer.write(raw_data[:room])
        self.size += len(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            self.size,
            self.charset,
            self.content_type_extra,
        )


@login_required
@csrf_exempt  # Only to set the upload handler first; the view below is CSRF-protected.
@require_http_methods(["GET", "POST"])
def transcript_upload(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    request.upload_handlers = [_TranscriptInMemory(request)]
    return _transcript_upload(request, project_pk, pk)


@csrf_protect
def _transcript_upload(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    item = _interview(project, pk)
    user = acting_user(request)
    try:
        services.check_transcript_allowed(item)
    except EvaluationError as error:
        blocked = error.message
    else:
        blocked = ""
    form = TranscriptUploadForm()
    refused = ""  # a confirmation that could not be saved: the upload starts again
    if request.method == "POST" and blocked:
        pass  # The page says why; nothing is read or stored.
    elif request.method == "POST" and "token" in request.POST:
        confirm = TranscriptConfirmForm(request.POST)
        if not confirm.is_valid():
            refused = _("The preview is missing: upload the file again.")
        else:
            try:
                services.transcript_save(
                    interview=item, user=user, token=confirm.cleaned_data["token"]
                )
            except EvaluationError as error:
                refused = error.message
            else:
                messages.success(request, _("Transcript saved."))
                return _detail(item)
    elif request.method == "POST":
        form = TranscriptUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = services.transcript_prepare(
                    interview=item,
                    name=upload.name,
                    data=upload.read(MAX_TRANSCRIPT_BYTES + 1),
                    extra_names=form.cleaned_data["extra_names"],
                )
                token = services.preview_token(interview=item, user=user, preview=preview)
            except EvaluationError as error:
                form.add_error(None, error.message)
            else:
                return _preview(request, project, item, preview, token)
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Transcript of interview %(reference)s") % {"reference": item.reference},
        interview=item,
        blocked=blocked,
        refused=refused,
        form=form,
        replacing=hasattr(item, "transcript"),
    )
    return render(request, "evaluation/interviews_upload.html", context)


def _preview(
    request: HttpRequest,
    project: Project,
    item: Interview,
    preview: services.Preview,
    token: str,
) -> HttpResponse:
    context = project_context(
        project,
        _CURRENT,
        page_title=_("Check the pseudonymised transcript of %(reference)s")
        % {"reference": item.reference},
        interview=item,
        preview=preview,
        confirm=TranscriptConfirmForm(initial={"token": token}),
        replacing=hasattr(item, "transcript"),
    )
    response = render(request, "evaluation/interviews_preview.html", context)
    # The page shows the original names once: no cache may keep it.
    patch_cache_control(response, no_store=True, private=True)
    return response
