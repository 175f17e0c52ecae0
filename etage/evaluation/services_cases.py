"""Changes to case studies (evaluation.md part B): check → execute (one transaction) → the
record is the row itself (a draw keeps its seed, parameters and population fingerprint, so it
can be verified later). A refusal raises :class:`EvaluationError` with a French message and
changes nothing.

Consent (data-protection.md #18) is enforced here, not only in the page: an interview without
a consent record, or whose consent was withdrawn, is never attached to a case, and its
excerpts are never pinned to the case's timeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation.models import (
    CaseDraw,
    CaseStudy,
    Code,
    CrossCaseCell,
    EvaluativeQuestion,
    Interview,
    InterviewConsent,
    Project,
    Segment,
    TimelinePin,
    TriangulationCell,
)
from etage.evaluation.models.choices import CASE_INTERVIEW_SOURCES, CaseSource, Verdict
from etage.evaluation.sampling import Draw, Verification
from etage.evaluation.services import EvaluationError, save_versioned, stale
from etage.households.text import contains_nir

_NUMBERED = re.compile(r"(\d+)\s*$")


def _no_nir(*texts: str) -> None:
    """data-protection.md #15 (forms check it too; a service never trusts its caller)."""
    if any(contains_nir(t) for t in texts):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )


# -- draws -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRecorded:
    record: CaseDraw
    created: list[CaseStudy]
    #: Drawn case_ids that were already case studies of the project (not created again).
    skipped: list[str]


def _next_number(project: Project) -> int:
    numbers = [
        int(m.group(1))
        for title in CaseStudy.objects.filter(project=project).values_list("title", flat=True)
        if (m := _NUMBERED.search(title))
    ]
    return max(numbers, default=0) + 1


@transaction.atomic
def case_draw_record(
    *,
    project: Project,
    user: User,
    draw: Draw,
    snapshot: str,
    strata: Mapping[str, tuple[str, str, str]],
) -> DrawRecorded:
    """Record ``draw`` (made on the snapshot whose manifest fingerprint is ``snapshot``) and
    create one case study per drawn case not yet in the project, titled "Cas n", with the
    territory, level and outcome family it had in the snapshot (``strata``: case_id →
    those three)."""
    if draw.sample_size == 0:
        raise EvaluationError(_("This draw selects no situation: there is nothing to record."))
    # Serialise draws of one project: the numbering and the "already a case" check must see
    # the cases a concurrent draw is creating.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    existing = set(
        CaseStudy.objects.filter(project=project, case_id__in=draw.case_ids).values_list(
            "case_id", flat=True
        )
    )
    record = CaseDraw.objects.create(
        project=project,
        draw=json.loads(draw.to_json()),
        seed=draw.seed,
        snapshot=snapshot,
        created_by=user,
    )
    number = _next_number(project)
    created: list[CaseStudy] = []
    skipped: list[str] = []
    for stratum in draw.strata:
        for case_id in stratum.case_ids:
            if case_id in existing:
                skipped.append(case_id)
                continue
            territory, level, outcome = strata.get(case_id, ("", "", ""))
            created.append(
                CaseStudy.objects.create(
                    project=project,
                    case_id=case_id,
                    title=_("Case %(number)s") % {"number": number},
                    territory=territory,
                    level=level,
                    outcome=outcome,
                    draw=record,
                )
            )
            existing.add(case_id)
            number += 1
    return DrawRecorded(record, created, skipped)


# -- interviews of a case --------------------------------------------------------------------


def case_draw_record_verification(record: CaseDraw, user: User, result: Verification) -> None:
    """Keep the last verification of a draw on its record, for every member to see. Only
    these fields are written: the draw itself is never changed."""
    CaseDraw.objects.filter(pk=record.pk).update(
        verified_at=timezone.now(),
        verified_ok=result.ok,
        verification_reasons=[str(reason) for reason in result.reasons],
        verified_by=user,
    )


def _slot_taken(case: CaseStudy, source: str) -> EvaluationError:
    return EvaluationError(
        _(
            "The %(slot)s interview of %(case)s is already attached: detach it first to attach "
            "another one."
        )
        % {"slot": CaseSource(source).label, "case": case.title}
    )


def _consent_refusal(interview: Interview, consent: InterviewConsent | None) -> EvaluationError:
    if consent is None:
        return EvaluationError(
            _(
                "Interview %(reference)s has no consent record: record the interviewee's consent "
                "before attaching it to a case study."
            )
            % {"reference": interview.reference}
        )
    return EvaluationError(
        _(
            "The interviewee of %(reference)s withdrew their consent on %(date)s: the interview "
            "can no longer be attached to a case study."
        )
        % {
            "reference": interview.reference,
            "date": date_format(consent.withdrawn_on, "SHORT_DATE_FORMAT")
            if consent.withdrawn_on
            else "?",
        }
    )


@transaction.atomic
def case_attach_interview(*, case: CaseStudy, interview_pk: int, slot: str) -> Interview:
    """Attach an interview of the case's project to the ``slot`` (household, associative
    referent or landlord social worker) of ``case``."""
    if slot not in {s.value for s in CASE_INTERVIEW_SOURCES}:
        raise EvaluationError(
            _(
                "A case study has three interviews: household, associative referent and "
                "landlord social worker. Choose one of them."
            )
        )
    interview = (
        Interview.objects.select_for_update()
        .filter(project_id=case.project_id, pk=interview_pk)
        .first()
    )
    if interview is None:
        raise EvaluationError(_("Choose an interview of this project."))
    if interview.stakeholder_type != slot:
        raise EvaluationError(
            _(
                "Interview %(reference)s is a “%(type)s” interview: it cannot be the %(slot)s "
                "interview of the case."
            )
            % {
                "reference": interview.reference,
                "type": interview.get_stakeholder_type_display(),
                "slot": CaseSource(slot).label,
            }
        )
    consent = InterviewConsent.objects.filter(interview=interview).first()
    if consent is None or consent.withdrawn_on is not None:
        raise _consent_refusal(interview, consent)
    if interview.case_study_id == case.pk:
        raise EvaluationError(
            _("Interview %(reference)s is already attached to this case.")
            % {"reference": interview.reference}
        )
    if interview.case_study_id is not None:
        other = CaseStudy.objects.filter(pk=interview.case_study_id).first()
        raise EvaluationError(
            _(
                "Interview %(reference)s is already a source of %(case)s: an interview belongs "
                "to one case study only."
            )
            % {"reference": interview.reference, "case": other.title if other else "?"}
        )
    if Interview.objects.filter(case_study=case, stakeholder_type=slot).exists():
        raise _slot_taken(case, slot)
    try:
        with transaction.atomic():
            # The constraint evaluation_case_interview_once_per_source settles a race.
            updated = Interview.objects.filter(pk=interview.pk, case_study__isnull=True).update(
                case_study=case
            )
    except IntegrityError as exc:
        raise _slot_taken(case, slot) from exc
    if not updated:
        raise stale()
    interview.case_study = case
    return interview


@transaction.atomic
def case_detach_interview(*, case: CaseStudy, interview_pk: int) -> tuple[Interview, int]:
    """Detach an interview from ``case``; the excerpts of it pinned to the case's timeline
    are unpinned with it (only the case's own interviews may be pinned). Returns the
    interview and how many pins were removed."""
    interview = (
        Interview.objects.select_for_update().filter(pk=interview_pk, case_study=case).first()
    )
    if interview is None:
        raise EvaluationError(
            _("This interview is not attached to this case (any more): reload the page.")
        )
    removed, _by_model = TimelinePin.objects.filter(
        case_study=case, segment__transcript__interview=interview
    ).delete()
    Interview.objects.filter(pk=interview.pk).update(case_study=None)
    interview.case_study = None
    return interview, removed


# -- pins ------------------------------------------------------------------------------------


@transaction.atomic
def case_pin(
    *,
    case: CaseStudy,
    segment_pk: int,
    activity: str,
    day: int,
    moments: Collection[tuple[str, int]],
    note: str = "",
) -> TimelinePin:
    """Pin a coded excerpt of one of the case's interviews to a moment of its timeline
    (``moments``: the (activity, day) pairs of the case's timeline in the current
    snapshot)."""
    segment = (
        Segment.objects.select_related("transcript__interview")
        .filter(pk=segment_pk, transcript__interview__case_study=case)
        .first()
    )
    if segment is None:
        raise EvaluationError(
            _(
                "Only excerpts coded in the interviews attached to this case can be pinned to "
                "its timeline."
            )
        )
    interview = segment.transcript.interview
    consent = InterviewConsent.objects.filter(interview=interview).first()
    if consent is None or consent.withdrawn_on is not None:
        raise _consent_refusal(interview, consent)
    if (activity, day) not in moments:
        raise EvaluationError(
            _(
                "This moment is not in the case's pathway (the snapshot may have been rebuilt "
                "meanwhile): reload the page and choose a moment again."
            )
        )
    note = note.strip()
    _no_nir(note)
    duplicate = EvaluationError(_("This excerpt is already pinned to this moment."))
    if TimelinePin.objects.filter(
        case_study=case, segment=segment, activity=activity, day=day
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return TimelinePin.objects.create(
                case_study=case, segment=segment, activity=activity, day=day, note=note
            )
    except IntegrityError as exc:
        raise duplicate from exc


@transaction.atomic
def case_unpin(*, case: CaseStudy, pin_pk: int) -> None:
    deleted, _by_model = TimelinePin.objects.filter(case_study=case, pk=pin_pk).delete()
    if not deleted:
        raise EvaluationError(_("This excerpt is not pinned any more: reload the page."))


# -- texts and matrices ----------------------------------------------------------------------


@transaction.atomic
def case_summary_save(*, case: CaseStudy, summary: str, version: int) -> None:
    _no_nir(summary)
    save_versioned(case, version, summary=summary.strip())


def _check_verdict(verdict: str) -> None:
    if verdict not in Verdict.values:
        raise EvaluationError(_("Choose converges, diverges or silent."))


@transaction.atomic
def triangulation_save(
    *, case: CaseStudy, theme: Code, source: str, verdict: str, comment: str, version: int
) -> TriangulationCell:
    """Set one theme × source cell of the case's triangulation matrix. ``version`` is the
    version read (0: the cell did not exist yet)."""
    if theme.project_id != case.project_id:
        raise EvaluationError(_("This theme is not a code of this project."))
    if source not in CaseSource.values:
        raise EvaluationError(_("Choose one of the four sources of the case."))
    _check_verdict(verdict)
    comment = comment.strip()
    _no_nir(comment)
    cell = TriangulationCell.objects.filter(case_study=case, theme=theme, source=source).first()
    if version == 0:
        if cell is not None:
            raise stale()
        try:
            with transaction.atomic():
                return TriangulationCell.objects.create(
                    case_study=case, theme=theme, source=source, verdict=verdict, comment=comment
                )
        except IntegrityError as exc:  # created by someone else at the same moment
            raise stale() from exc
    if cell is None:
        raise stale()
    save_versioned(cell, version, verdict=verdict, comment=comment, updated_at=timezone.now())
    return cell


@transaction.atomic
def cross_case_save(
    *, case: CaseStudy, question: EvaluativeQuestion, verdict: str, finding: str, version: int
) -> CrossCaseCell:
    """Set what ``case`` says about ``question`` (``version`` 0: the cell did not exist)."""
    if question.project_id != case.project_id:
        raise EvaluationError(_("This question is not a question of this project."))
    _check_verdict(verdict)
    finding = finding.strip()
    _no_nir(finding)
    cell = CrossCaseCell.objects.filter(case_study=case, question=question).first()
    if version == 0:
        if cell is not None:
            raise stale()
        try:
            with transaction.atomic():
                return CrossCaseCell.objects.create(
                    case_study=case, question=question, verdict=verdict, finding=finding
                )
        except IntegrityError as exc:
            raise stale() from exc
    if cell is None:
        raise stale()
    save_versioned(cell, version, verdict=verdict, finding=finding, updated_at=timezone.now())
    return cell
