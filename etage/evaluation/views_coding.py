"""The coding pages (evaluation.md part C): the project's transcripts and who coded them,
coding one transcript (blind by default), memos, agreement between two coders and the
reconciliation of a double coding. Every view starts with
:func:`~etage.evaluation.scope.require_project` (404 for anyone but the project's members);
the reads are in :mod:`~etage.evaluation.selectors_coding`, the changes in
:mod:`~etage.evaluation.services_coding`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from etage.accounts.models import User
from etage.evaluation import services_coding
from etage.evaluation.coding_units import landis_koch
from etage.evaluation.forms_coding import (
    AgreementForm,
    DecisionForm,
    MemoForm,
    PairForm,
    SegmentForm,
)
from etage.evaluation.layout import project_context
from etage.evaluation.models import Code, Memo, Project, Segment, Transcript
from etage.evaluation.scope import acting_user, require_project
from etage.evaluation.selectors_coding import (
    agreement,
    coder_segments,
    coders_of,
    coding_overview,
    double_coded_transcripts,
    is_usable,
    reconciliation,
    transcript_coders,
    transcript_view,
    undefined_reason,
)
from etage.evaluation.services import EvaluationError

#: The page's address says whether the coder chose to see the others' coding: the choice is
#: theirs, for this page, and recorded nowhere else (see selectors_coding).
REVEAL = "autres"


def _transcript(project: Project, pk: int) -> Transcript:
    transcript = (
        Transcript.objects.filter(interview__project=project, pk=pk)
        .select_related("interview")
        .first()
    )
    if transcript is None:
        raise Http404
    return transcript


def _reveal(request: HttpRequest) -> bool:
    return (request.POST.get(REVEAL) or request.GET.get(REVEAL)) == "1"


def _coding_url(transcript: Transcript, *, reveal: bool = False) -> str:
    url = reverse(
        "evaluation:coding_transcript",
        kwargs={"project_pk": transcript.interview.project_id, "pk": transcript.pk},
    )
    return f"{url}?{REVEAL}=1" if reveal else url


def _section_url(project: Project, name: str) -> str:
    try:  # INTEGRATION: the interview and codebook pages are other parts'.
        return reverse(name, kwargs={"project_pk": project.pk})
    except NoReverseMatch:
        return reverse("evaluation:project", kwargs={"project_pk": project.pk})


def _interviews_url(project: Project) -> str:
    return _section_url(project, "evaluation:interviews")


# --- Overview ------------------------------------------------------------------------------


@login_required
def coding(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    rows = coding_overview(project)
    context = project_context(
        project,
        "evaluation:coding",
        page_title=_("Coding and agreement"),
        rows=rows,
        interviews_url=_interviews_url(project),
        double_coded=sum(1 for row in rows if row.double_coded),
    )
    return render(request, "evaluation/coding_index.html", context)


# --- Coding one transcript -----------------------------------------------------------------


def _workspace_context(
    request: HttpRequest,
    project: Project,
    transcript: Transcript,
    *,
    form: SegmentForm | None = None,
    message: str = "",
    swapped: bool = False,
) -> dict[str, Any]:
    user = acting_user(request)
    reveal = _reveal(request)
    view = transcript_view(transcript, user, reveal=reveal)
    if form is None:
        form = SegmentForm(project=project, turns=view.turns)
    return {
        "project": project,
        "transcript": transcript,
        "interview": transcript.interview,
        "view": view,
        "form": form,
        "reveal": reveal,
        "message": message,
        "swapped": swapped,
        "has_codes": Code.objects.filter(project=project, is_active=True).exists(),
        "codebook_url": _section_url(project, "evaluation:codebook"),
        "create_url": reverse(
            "evaluation:segment_create", kwargs={"project_pk": project.pk, "pk": transcript.pk}
        ),
    }


def _page(
    request: HttpRequest, project: Project, transcript: Transcript, form: SegmentForm | None
) -> HttpResponse:
    usable = is_usable(transcript)
    reveal = _reveal(request)
    context = project_context(
        project,
        "evaluation:coding",
        page_title=_("Coding interview %(reference)s") % {"reference": transcript.interview},
        usable=usable,
        reveal_url=_coding_url(transcript, reveal=not reveal),
        coders=len(transcript_coders(transcript)),
        interviews_url=_interviews_url(project),
    )
    if usable:
        context.update(_workspace_context(request, project, transcript, form=form))
    else:
        context.update(transcript=transcript, reveal=reveal)
    return render(request, "evaluation/coding_transcript.html", context)


@login_required
@require_http_methods(["GET"])
def coding_transcript(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    return _page(request, project, _transcript(project, pk), None)


def _after_change(
    request: HttpRequest,
    project: Project,
    transcript: Transcript,
    *,
    form: SegmentForm | None,
    message: str,
    error: str = "",
) -> HttpResponse:
    """HTMX: the coding workspace again (text, form, segments) with the message; otherwise
    back to the page (or the page with the form's errors)."""
    if request.htmx and not is_usable(transcript):  # type: ignore[attr-defined]
        # Never redraw the text of an interview whose consent is missing or withdrawn: send
        # the browser to the page, which says why.
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _coding_url(transcript)
        return response
    if request.htmx:  # type: ignore[attr-defined]
        context = _workspace_context(
            request, project, transcript, form=form, message=error or message, swapped=True
        )
        context["error"] = bool(error)
        return render(request, "evaluation/coding_workspace.html", context)
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    if form is not None and form.errors:
        return _page(request, project, transcript, form)
    return redirect(_coding_url(transcript, reveal=_reveal(request)))


@login_required
@require_POST
def segment_create(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    transcript = _transcript(project, pk)
    user = acting_user(request)
    if not is_usable(transcript):
        return _after_change(
            request,
            project,
            transcript,
            form=None,
            message="",
            error=_("This interview has no valid consent: its transcript cannot be coded."),
        )
    view = transcript_view(transcript, user, reveal=False)
    form = SegmentForm(request.POST, project=project, turns=view.turns)
    if form.is_valid():
        start, end = form.cleaned_data["span"]
        code = form.cleaned_data["code"]
        try:
            segment = services_coding.segment_create(
                transcript=transcript, user=user, code=code, start=start, end=end
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            fresh = SegmentForm(project=project, turns=view.turns, initial={"code": code.pk})
            message = _("« %(excerpt)s » coded with « %(code)s ».") % {
                "excerpt": _short(segment.text),
                "code": code.name,
            }
            return _after_change(request, project, transcript, form=fresh, message=message)
    return _after_change(request, project, transcript, form=form, message="")


def _short(text: str, length: int = 60) -> str:
    words = " ".join(text.split())
    return words if len(words) <= length else words[: length - 1].rstrip() + "…"


@login_required
@require_POST
def segment_delete(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    segment = (
        Segment.objects.filter(transcript__interview__project=project, pk=pk)
        .select_related("transcript__interview", "code")
        .first()
    )
    if segment is None:
        raise Http404
    transcript = segment.transcript
    try:
        services_coding.segment_delete(segment=segment, user=acting_user(request))
    except EvaluationError as error:
        return _after_change(
            request, project, transcript, form=None, message="", error=error.message
        )
    message = _("Segment « %(excerpt)s » (%(code)s) removed.") % {
        "excerpt": _short(segment.text),
        "code": segment.code.name,
    }
    return _after_change(request, project, transcript, form=None, message=message)


# --- Memos ---------------------------------------------------------------------------------


def _memo_back(project: Project, memo: Memo | None, transcript: Transcript | None) -> str:
    target = (memo.transcript if memo is not None else None) or transcript
    if target is not None:
        return _coding_url(target) + "#memos"
    return reverse("evaluation:coding", kwargs={"project_pk": project.pk})


def _segment_for_memo(project: Project, user: User, raw: str) -> Segment | None:
    """The segment a new memo is about (own or reconciled: blind coding), or 404."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    segment = (
        Segment.objects.filter(transcript__interview__project=project, pk=int(raw))
        .select_related("transcript__interview", "code")
        .first()
    )
    if segment is None or not (segment.consensus or segment.coder_id == user.pk):
        raise Http404
    return segment


def _memo_data(form: MemoForm, segment: Segment | None) -> services_coding.MemoData:
    data = form.cleaned_data
    return services_coding.MemoData(
        title=data["title"],
        text=data["text"],
        transcript=data.get("transcript"),
        code=data.get("code"),
        segment=segment,
    )


@login_required
@require_http_methods(["GET", "POST"])
def memo_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    user = acting_user(request)
    source = request.POST if request.method == "POST" else request.GET
    segment = _segment_for_memo(project, user, source.get("segment", ""))
    initial: dict[str, Any] = {}
    for name in ("transcript", "code"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = value
    if segment is not None:
        initial["transcript"] = segment.transcript_id
        initial["code"] = segment.code_id
    form = MemoForm(request.POST or None, project=project, initial=initial)
    chosen = form["transcript"].value()
    transcript = (
        Transcript.objects.filter(interview__project=project, pk=chosen).first()
        if str(chosen or "").isdigit()
        else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            memo = services_coding.memo_create(
                project=project, user=user, data=_memo_data(form, segment)
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Memo saved."))
            return redirect(_memo_back(project, memo, None))
    context = project_context(
        project,
        "evaluation:coding",
        page_title=_("New memo"),
        form=form,
        segment=segment,
        back=_memo_back(project, None, transcript),
    )
    return render(request, "evaluation/coding_memo_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def memo_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    user = acting_user(request)
    # A memo is edited by its author only; the others read it on the coding page.
    memo = (
        Memo.objects.filter(project=project, pk=pk, author=user)
        .select_related("segment__code", "segment__transcript__interview", "transcript")
        .first()
    )
    if memo is None:
        raise Http404
    form = MemoForm(request.POST or None, instance=memo, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services_coding.memo_update(
                memo=memo,
                user=user,
                data=_memo_data(form, memo.segment),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Memo saved."))
            return redirect(_memo_back(project, memo, None))
    context = project_context(
        project,
        "evaluation:coding",
        page_title=_("Edit the memo"),
        form=form,
        segment=memo.segment,
        back=_memo_back(project, memo, None),
    )
    return render(request, "evaluation/coding_memo_form.html", context)


# --- Agreement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A score as the page shows it: the number, its band in words, or why it is missing."""

    value: float | None
    band: str
    reason: str

    @property
    def defined(self) -> bool:
        return self.value is not None and not math.isnan(self.value)


@dataclass(frozen=True)
class ScoreRow:
    label: str
    units: int
    percent: float | None
    kappa: Score
    alpha: Score


def _score(value: float | None, units: int) -> Score:
    return Score(value, landis_koch(value), undefined_reason(units, value))


def _row(label: str, units: int, percent: float, kappa: float | None, alpha: float) -> ScoreRow:
    return ScoreRow(
        label=label,
        units=units,
        percent=None if math.isnan(percent) else percent,
        kappa=_score(kappa, units),
        alpha=_score(alpha, units),
    )


def _default_pair(project: Project, coders: list[User]) -> tuple[int, int]:
    """The two coders who share the most transcripts (the first two by name on a tie)."""
    coded: dict[int, set[int]] = {}
    for coder_id, transcript_id in coder_segments(project).values_list("coder_id", "transcript_id"):
        coded.setdefault(coder_id, set()).add(transcript_id)
    order = [u.pk for u in coders]
    best = max(
        combinations(order, 2),
        key=lambda pair: (len(coded[pair[0]] & coded[pair[1]]), -order.index(pair[0])),
    )
    return best


@login_required
@require_http_methods(["GET"])
def agreement_page(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    coders = coders_of(project)
    transcripts = double_coded_transcripts(project)
    context = project_context(
        project, "evaluation:coding", page_title=_("Inter-coder agreement"), coders=coders
    )
    if len(coders) < 2:
        return render(request, "evaluation/coding_agreement.html", context)
    data: Any = request.GET
    if "coder_a" not in data:
        first, second = _default_pair(project, coders)
        data = {"coder_a": first, "coder_b": second, "transcript": data.get("transcript", "")}
    form = AgreementForm(data, coders=coders, transcripts=transcripts)
    context["form"] = form
    if form.is_valid():
        people = {u.pk: u for u in coders}
        chosen = form.cleaned_data["transcript"]
        transcript = next((t for t in transcripts if t.pk == chosen), None)
        found = agreement(
            project,
            people[form.cleaned_data["coder_a"]],
            people[form.cleaned_data["coder_b"]],
            transcript=transcript,
        )
        context["found"] = found
        result = found.result
        if result is not None:
            context["overall"] = _row(
                _("All codes (every turn × code decision)"),
                len(result.units) * len(result.per_code),
                result.percent_agreement,
                result.kappa,
                result.alpha,
            )
            context["per_code"] = [
                _row(found.codes[c.code].name, c.units, c.percent_agreement, c.kappa, c.alpha)
                for c in result.per_code
            ]
            context["turns"] = len(result.units)
    return render(request, "evaluation/coding_agreement.html", context)


# --- Reconciliation ------------------------------------------------------------------------


def _reconcile_url(transcript: Transcript, coder_a: int, coder_b: int, anchor: str = "") -> str:
    url = reverse(
        "evaluation:reconcile",
        kwargs={"project_pk": transcript.interview.project_id, "pk": transcript.pk},
    )
    query = urlencode({"coder_a": coder_a, "coder_b": coder_b})
    return f"{url}?{query}{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    transcript = _transcript(project, pk)
    coders = transcript_coders(transcript)
    usable = is_usable(transcript)
    context = project_context(
        project,
        "evaluation:coding",
        page_title=_("Reconciling interview %(reference)s") % {"reference": transcript.interview},
        transcript=transcript,
        usable=usable,
        coders=coders,
        coding_url=_coding_url(transcript),
    )
    if not usable or len(coders) < 2:
        return render(request, "evaluation/coding_reconcile.html", context)
    source: Any = request.POST if request.method == "POST" else request.GET
    if "coder_a" not in source:
        source = {"coder_a": coders[0].pk, "coder_b": coders[1].pk}
    pair = PairForm(source, coders=coders)
    context["pair"] = pair
    if not pair.is_valid():
        return render(request, "evaluation/coding_reconcile.html", context)
    people = {u.pk: u for u in coders}
    a, b = pair.cleaned_data["coder_a"], pair.cleaned_data["coder_b"]
    if request.method == "POST":
        decision = DecisionForm(request.POST)
        anchor = ""
        if not decision.is_valid():
            messages.error(request, _("This decision could not be read: reload the page."))
        else:
            data = decision.cleaned_data
            try:
                if data["action"] == "agreed":
                    carried = services_coding.reconcile_agreed(
                        transcript=transcript,
                        user=acting_user(request),
                        coder_a=people[a],
                        coder_b=people[b],
                    )
                    done = _("%(count)s concordant turns carried into the reconciled coding.") % {
                        "count": carried
                    }
                else:
                    if data["turn"] is None:
                        raise EvaluationError(_("This turn does not exist in the transcript."))
                    anchor = f"#tour-{data['turn']}"
                    done = services_coding.reconcile_turn(
                        transcript=transcript,
                        user=acting_user(request),
                        coder_a=people[a],
                        coder_b=people[b],
                        turn_index=data["turn"],
                        action=data["action"],
                        state=data["state"],
                        note=data["note"],
                    )
            except EvaluationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, done)
        return redirect(_reconcile_url(transcript, a, b, anchor))
    context["found"] = reconciliation(transcript, people[a], people[b])
    context["coder_a"], context["coder_b"] = people[a], people[b]
    return render(request, "evaluation/coding_reconcile.html", context)
