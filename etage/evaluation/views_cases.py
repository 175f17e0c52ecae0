"""Case studies (evaluation.md part B): the list of cases and draws, the stratified draw with
its preview, the verification of a recorded draw, and a case's dossier (pseudonymised pathway
timeline, the three interview slots, excerpts pinned to moments, summary).

Every view starts with :func:`~etage.evaluation.scope.require_project` (404 for anyone but the
project's members) and reaches a case, a draw, an interview or a pin only inside that project.
Pages read the analytics snapshot through :func:`selectors_cases.open_snapshot`; without one
they say so and how to build it, never a 500.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from etage.analytics.forms import level_label
from etage.evaluation import selectors_cases as sel
from etage.evaluation import services_cases
from etage.evaluation.forms_cases import AttachForm, DrawForm, PinForm, SummaryForm
from etage.evaluation.layout import project_context
from etage.evaluation.models import CaseDraw, CaseStudy, Interview, Project, TimelinePin
from etage.evaluation.sampling import Draw, Verification, draw_cases, verify_draw
from etage.evaluation.scope import acting_user, require_project
from etage.evaluation.services import EvaluationError

#: Session key of the last verification of each draw (no model field holds it).


def _case(project: Project, pk: int) -> CaseStudy:
    case = CaseStudy.objects.filter(project=project, pk=pk).select_related("project").first()
    if case is None:
        raise Http404
    return case


def optional_url(name: str, **kwargs: Any) -> str:
    """A link to another part's page, or "" while that part is not installed."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _cases_url(project: Project) -> str:
    return reverse("evaluation:cases", kwargs={"project_pk": project.pk})


def _case_url(case: CaseStudy, anchor: str = "") -> str:
    url = reverse("evaluation:case", kwargs={"project_pk": case.project_id, "pk": case.pk})
    return f"{url}#{anchor}" if anchor else url


# -- the list --------------------------------------------------------------------------------


@login_required
def cases(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    context = project_context(
        project,
        "evaluation:cases",
        page_title=_("Case studies"),
        rows=sel.case_rows(project),
        draws=sel.draw_rows(project),
    )
    return render(request, "evaluation/cases_index.html", context)


# -- the draw --------------------------------------------------------------------------------


def _territory_choices(snapshot: sel.Snapshot) -> list[tuple[str, str]]:
    assert snapshot.con is not None
    names = sel.territory_names()
    codes = [
        str(r[0])
        for r in snapshot.con.execute(
            "SELECT DISTINCT territory FROM situations WHERE territory IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    return [(c, sel.stratum_value_label("territory", c, names)) for c in codes]


def _digest(draw: Draw) -> str:
    return hashlib.sha256(draw.to_json().encode("utf-8")).hexdigest()


def _preview(project: Project, draw: Draw) -> dict[str, Any]:
    names = sel.territory_names()
    existing = set(
        CaseStudy.objects.filter(project=project, case_id__in=draw.case_ids).values_list(
            "case_id", flat=True
        )
    )
    strata = [
        {
            "values": [
                sel.stratum_value_label(column, value, names)
                for column, value in zip(draw.by, stratum.key, strict=True)
            ],
            "population": stratum.population,
            "drawn": len(stratum.case_ids),
            "cases": [(c, c in existing) for c in stratum.case_ids],
        }
        for stratum in draw.strata
    ]
    return {
        "columns": [str(sel.STRATUM_LABELS.get(c, c)) for c in draw.by],
        "strata": strata,
        "population": draw.population_size,
        "sample": draw.sample_size,
        "existing": len(existing),
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_draw(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    user = acting_user(request)
    context = project_context(project, "evaluation:cases", page_title=_("Draw case studies"))
    with sel.open_snapshot() as snapshot:
        if snapshot.con is None:
            context["missing"] = snapshot.missing
            return render(request, "evaluation/cases_draw.html", context)
        territories = _territory_choices(snapshot)
        context["snapshot_month"] = snapshot.month
        if request.method == "GET":
            form = DrawForm(initial={"seed": secrets.randbelow(2**31)}, territories=territories)
            context["form"] = form
            return render(request, "evaluation/cases_draw.html", context)
        form = DrawForm(request.POST, territories=territories)
        if not form.is_valid():
            context["form"] = form
            return render(request, "evaluation/cases_draw.html", context)
        data = form.cleaned_data
        per_stratum = data["size"] if data["mode"] == "per_stratum" else None
        try:
            draw = draw_cases(
                snapshot.con,
                form.filters(),
                by=form.columns,
                per_stratum=per_stratum,
                total=None if per_stratum is not None else data["size"],
                allocation=data["allocation"],
                seed=data["seed"],
            )
        except ValueError:
            form.add_error(None, _("These settings cannot be drawn: check them and try again."))
            context["form"] = form
            return render(request, "evaluation/cases_draw.html", context)
        digest = _digest(draw)
        if request.POST.get("action") == "confirm":
            if data.get("preview") != digest:
                messages.warning(
                    request,
                    _(
                        "The settings or the snapshot changed since the preview: check this "
                        "new preview, then confirm it."
                    ),
                )
            else:
                strata = sel.case_strata(snapshot.con, draw.case_ids)
                try:
                    recorded = services_cases.case_draw_record(
                        project=project,
                        user=user,
                        draw=draw,
                        snapshot=snapshot.fingerprint,
                        strata=strata,
                    )
                except EvaluationError as error:
                    form.add_error(None, error.message)
                else:
                    _announce(request, recorded)
                    return redirect(_cases_url(project))
        bound = request.POST.copy()
        bound["preview"] = digest
        form = DrawForm(bound, territories=territories)
        form.is_valid()
        context.update(form=form, preview=_preview(project, draw))
        return render(request, "evaluation/cases_draw.html", context)


def _announce(request: HttpRequest, recorded: services_cases.DrawRecorded) -> None:
    created = len(recorded.created)
    messages.success(
        request,
        ngettext(
            "Draw recorded (seed %(seed)s): %(count)s case study created.",
            "Draw recorded (seed %(seed)s): %(count)s case studies created.",
            created,
        )
        % {"seed": recorded.record.seed, "count": created},
    )
    if recorded.skipped:
        messages.info(
            request,
            ngettext(
                "%(count)s drawn situation was already a case study of the project: it was not "
                "created again (%(cases)s).",
                "%(count)s drawn situations were already case studies of the project: they "
                "were not created again (%(cases)s).",
                len(recorded.skipped),
            )
            % {"count": len(recorded.skipped), "cases": ", ".join(recorded.skipped)},
        )


@login_required
@require_POST
def case_draw_verify(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    record = CaseDraw.objects.filter(project=project, pk=pk).first()
    if record is None:
        raise Http404
    back = _cases_url(project) + f"#tirage-{record.pk}"
    with sel.open_snapshot() as snapshot:
        if snapshot.con is None:
            messages.error(request, snapshot.missing)
            return redirect(back)
        try:
            draw = Draw.from_json(json.dumps(record.draw))
        except ValueError:
            result = Verification(
                False, (_("The recorded draw cannot be read any more: it cannot be verified."),)
            )
        else:
            result = verify_draw(snapshot.con, draw)
        rebuilt = record.snapshot != snapshot.fingerprint
    services_cases.case_draw_record_verification(record, acting_user(request), result)
    if result.ok:
        text = _("Draw verified: the snapshot gives the same cases with this seed.")
        if rebuilt:
            text += " " + _(
                "The snapshot was rebuilt since the draw, but the population it was drawn from "
                "is unchanged."
            )
        messages.success(request, text)
    else:
        messages.error(request, _("Draw not verified.") + " " + result.reason)
    return redirect(back)


# -- a case's dossier ------------------------------------------------------------------------


def _moment_label(event: dict[str, Any]) -> str:
    return _("Day %(day)s (month %(month)s) — %(activity)s") % {
        "day": event["day"],
        "month": event["month"],
        "activity": event["label"],
    }


def _render_case(
    request: HttpRequest,
    case: CaseStudy,
    *,
    summary_form: SummaryForm | None = None,
    pin_form: PinForm | None = None,
    slot_errors: dict[str, str] | None = None,
) -> HttpResponse:
    project = case.project
    with sel.open_snapshot() as snapshot:
        timeline = sel.case_timeline(snapshot.con, case)
        missing = snapshot.missing
    segments = [s for s in sel.case_segments(case) if s.transcript.interview.has_valid_consent]
    if pin_form is None:
        pin_form = PinForm(
            moments=[(e["moment"], _moment_label(e)) for e in timeline.events],
            segments=[(s.pk, sel.segment_label(s)) for s in segments],
        )
    slots = sel.case_slots(case)
    for slot in slots:
        if slot.interview is not None:
            slot.url = optional_url(
                "evaluation:interview", project_pk=project.pk, pk=slot.interview.pk
            )
    errors = slot_errors or {}
    context = project_context(
        project,
        "evaluation:cases",
        page_title=case.title,
        case=case,
        territory=sel.stratum_value_label("territory", case.territory, sel.territory_names())
        if case.territory
        else "—",
        level=level_label(case.level) if case.level else "—",
        outcome=sel.outcome_label(case.outcome),
        missing=missing,
        timeline=timeline,
        slots=[
            {"slot": s, "error": errors.get(s.source, ""), "consent": _consent_of(s)} for s in slots
        ],
        pin_form=pin_form,
        can_pin=bool(timeline.events and segments),
        has_segments=bool(segments),
        summary_form=summary_form
        or SummaryForm(initial={"summary": case.summary, "version": case.version}),
        interviews_url=optional_url("evaluation:interviews", project_pk=project.pk),
    )
    return render(request, "evaluation/cases_case.html", context)


def _consent_of(slot: sel.Slot) -> str:
    return sel.consent_words(slot.interview) if slot.interview is not None else ""


@login_required
def case(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    return _render_case(request, _case(project, pk))


@login_required
@require_POST
def case_summary(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _case(project, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            services_cases.case_summary_save(
                case=instance,
                summary=form.cleaned_data["summary"],
                version=form.cleaned_data["version"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Summary saved."))
            return redirect(_case_url(instance, "synthese"))
    return _render_case(request, instance, summary_form=form)


@login_required
@require_POST
def case_attach(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _case(project, pk)
    form = AttachForm(request.POST)
    slot = str(request.POST.get("slot", ""))
    if not form.is_valid():
        return _render_case(
            request, instance, slot_errors={slot: _("Choose the interview to attach.")}
        )
    try:
        interview = services_cases.case_attach_interview(
            case=instance,
            interview_pk=form.cleaned_data["interview"],
            slot=form.cleaned_data["slot"],
        )
    except EvaluationError as error:
        return _render_case(request, instance, slot_errors={slot: error.message})
    messages.success(
        request,
        _("Interview %(reference)s attached to %(case)s.")
        % {"reference": interview.reference, "case": instance.title},
    )
    return redirect(_case_url(instance, "entretiens"))


@login_required
@require_POST
def case_detach(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Detach interview ``pk`` from the case it is attached to."""
    project = require_project(request.user, project_pk)
    interview = (
        Interview.objects.filter(project=project, pk=pk, case_study__isnull=False)
        .select_related("case_study__project")
        .first()
    )
    if interview is None or interview.case_study is None:
        raise Http404
    instance = interview.case_study
    try:
        _interview, removed = services_cases.case_detach_interview(
            case=instance, interview_pk=interview.pk
        )
    except EvaluationError as error:
        messages.error(request, error.message)
        return redirect(_case_url(instance, "entretiens"))
    text = _("Interview %(reference)s detached from %(case)s.") % {
        "reference": interview.reference,
        "case": instance.title,
    }
    if removed:
        text += " " + ngettext(
            "%(count)s pinned excerpt of it was unpinned.",
            "%(count)s pinned excerpts of it were unpinned.",
            removed,
        ) % {"count": removed}
    messages.success(request, text)
    return redirect(_case_url(instance, "entretiens"))


@login_required
@require_POST
def case_pin(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project = require_project(request.user, project_pk)
    instance = _case(project, pk)
    with sel.open_snapshot() as snapshot:
        timeline = sel.case_timeline(snapshot.con, instance)
    segments = sel.case_segments(instance)
    form = PinForm(
        request.POST,
        moments=[(e["moment"], _moment_label(e)) for e in timeline.events],
        segments=[(s.pk, sel.segment_label(s)) for s in segments],
    )
    if form.is_valid():
        activity, day = form.chosen_moment()
        try:
            services_cases.case_pin(
                case=instance,
                segment_pk=form.cleaned_data["segment"],
                activity=activity,
                day=day,
                moments=timeline.moments,
                note=form.cleaned_data["note"],
            )
        except EvaluationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Excerpt pinned to the timeline."))
            return redirect(_case_url(instance, f"moment-{day}-{activity}"))
    return _render_case(request, instance, pin_form=form)


@login_required
@require_POST
def case_unpin(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    """Unpin pin ``pk``."""
    project = require_project(request.user, project_pk)
    pin = (
        TimelinePin.objects.filter(case_study__project=project, pk=pk)
        .select_related("case_study__project")
        .first()
    )
    if pin is None:
        raise Http404
    instance = pin.case_study
    try:
        services_cases.case_unpin(case=instance, pin_pk=pin.pk)
    except EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Excerpt unpinned."))
    return redirect(_case_url(instance, "parcours"))
