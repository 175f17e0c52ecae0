"""The interview register's changes (evaluation.md part C; data-protection.md #18): interviews,
their consent record, its withdrawal, and the pseudonymised transcript. Check → execute in one
transaction → nothing half-saved; every refusal is an :class:`EvaluationError` in French.

Other parts ask :func:`interview_usable` (or filter with :func:`usable_interviews`) before
coding a transcript or quoting it: an interview without a valid consent is not material.

Transcripts are uploaded in two steps so that the evaluator sees what the helper replaced
before anything is stored: :func:`transcript_prepare` reads and pseudonymises the file and
returns the preview; :func:`preview_token` signs the *pseudonymised* text (never an
original, which would otherwise travel back to the server and sit in a form or a session);
:func:`transcript_save` checks the signature again and stores the text. The replacement map
(original → pseudonym) is only ever rendered on the preview page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation import transcripts
from etage.evaluation.models import (
    Interview,
    InterviewConsent,
    Project,
    Segment,
    TimelinePin,
    Transcript,
)
from etage.evaluation.services import EvaluationError, save_versioned
from etage.households.text import contains_nir

#: The interview's own fields an evaluator edits (the case study is attached from the case
#: pages, which check the consent; the interviewer is whoever created the interview).
INTERVIEW_FIELDS = (
    "reference",
    "stakeholder_type",
    "organisation",
    "territory",
    "held_on",
    "mode",
    "participants",
    "notes",
)

#: How long a transcript preview may wait for its confirmation.
PREVIEW_MAX_AGE = datetime.timedelta(hours=1)
_PREVIEW_SALT = "etage.evaluation.transcript-preview"
#: Extra names typed on the upload form: enough for a collective interview, bounded so that
#: the helper's pattern stays reasonable.
MAX_EXTRA_NAMES = 200
MAX_NAME_LENGTH = 100


# --- Consent --------------------------------------------------------------------------------


def usable_interviews() -> Q:
    """The condition of :func:`interview_usable` for a queryset of interviews
    (``Interview.objects.filter(usable_interviews())``)."""
    return Q(consent__isnull=False, consent__withdrawn_on__isnull=True)


def interview_usable(interview: Interview) -> bool:
    """Whether the interview may be coded, quoted or attached to a case: its consent is
    recorded and not withdrawn (data-protection.md #18). Read from the database, not from a
    possibly stale ``interview.consent``: a withdrawal elsewhere takes effect at once."""
    return InterviewConsent.objects.filter(
        interview_id=interview.pk, withdrawn_on__isnull=True
    ).exists()


def consent_status(interview: Interview) -> str:
    """``"given"``, ``"withdrawn"`` or ``"missing"`` (from the loaded ``consent``)."""
    consent = getattr(interview, "consent", None)
    if consent is None:
        return "missing"
    return "withdrawn" if consent.withdrawn_on is not None else "given"


def _not_in_future(day: datetime.date, message: str) -> None:
    if day > timezone.localdate():
        raise EvaluationError(message)


@transaction.atomic
def consent_record(
    *,
    interview: Interview,
    user: User,
    given_on: datetime.date,
    form: str,
    recording: bool,
    quotation: bool,
) -> InterviewConsent:
    """Record the interviewee's consent: one record per interview, dated today or before."""
    _not_in_future(given_on, _("The date of consent cannot be in the future."))
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if InterviewConsent.objects.filter(interview=locked).exists():
        raise EvaluationError(
            _(
                "A consent is already recorded for interview %(reference)s: an interview has "
                "one consent record."
            )
            % {"reference": locked.reference}
        )
    try:
        with transaction.atomic():
            return InterviewConsent.objects.create(
                interview=locked,
                given_on=given_on,
                form=form,
                recording=recording,
                quotation=quotation,
                recorded_by=user,
            )
    except IntegrityError as exc:  # recorded by someone else at the same moment
        raise EvaluationError(
            _("A consent was recorded for this interview in the meantime: reload the page.")
        ) from exc


@dataclass(frozen=True)
class Withdrawal:
    detached_from: str
    pins_removed: int
    #: Coded segments erased with the transcript (0 when the transcript is kept).
    segments_erased: int = 0
    transcript_erased: bool = False


@transaction.atomic
def consent_withdraw(
    *, interview: Interview, withdrawn_on: datetime.date, erase_transcript: bool = False
) -> Withdrawal:
    """Withdraw the consent and, in the same transaction, take the interview out of its case
    study (with the excerpts of it pinned to the case's timeline): without consent the
    interview is no longer material of the evaluation (data-protection.md #18). By default the
    transcript is kept but unusable: :func:`interview_usable` is false from now on, so it is
    neither coded nor quoted. When the interviewee also asks for their words to be erased
    (GDPR art. 17-1-b: consent withdrawn and no other ground), ``erase_transcript`` deletes
    the transcript with its coded segments and memos; the register keeps the interview's
    line (type, date, consent and withdrawal dates), which names no one."""
    # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    consent = InterviewConsent.objects.select_for_update().filter(interview=locked).first()
    if consent is None:
        raise EvaluationError(
            _("Interview %(reference)s has no consent record: there is nothing to withdraw.")
            % {"reference": locked.reference}
        )
    if consent.withdrawn_on is not None:
        raise EvaluationError(
            _("This consent was already withdrawn on %(date)s.")
            % {"date": date_format(consent.withdrawn_on, "SHORT_DATE_FORMAT")}
        )
    _not_in_future(withdrawn_on, _("The date of withdrawal cannot be in the future."))
    if withdrawn_on < consent.given_on:
        raise EvaluationError(
            _("A consent cannot be withdrawn before it was given (%(date)s).")
            % {"date": date_format(consent.given_on, "SHORT_DATE_FORMAT")}
        )
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    case = locked.case_study
    pins_removed = 0
    if case is not None:
        pins_removed, _by_model = TimelinePin.objects.filter(
            case_study=case, segment__transcript__interview=locked
        ).delete()
        # The interview changed: an edit form opened before the withdrawal is now stale.
        Interview.objects.filter(pk=locked.pk).update(case_study=None, version=F("version") + 1)
        interview.case_study = None
        interview.version = locked.version + 1
    segments_erased = 0
    transcript = Transcript.objects.filter(interview=locked).first()
    if erase_transcript and transcript is not None:
        segments_erased = Segment.objects.filter(transcript=transcript).count()
        transcript.delete()
    return Withdrawal(
        detached_from=str(case) if case else "",
        pins_removed=pins_removed,
        segments_erased=segments_erased,
        transcript_erased=erase_transcript and transcript is not None,
    )


# --- Interviews -----------------------------------------------------------------------------


def _reference_taken(reference: str) -> EvaluationError:
    return EvaluationError(
        _("Reference %(reference)s is already used in this project: choose another one.")
        % {"reference": reference}
    )


def _no_nir(text: str) -> None:
    """data-protection.md #15 (the form checks it too; a service never trusts its caller)."""
    if contains_nir(text):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )


@transaction.atomic
def interview_create(*, project: Project, user: User, data: dict[str, Any]) -> Interview:
    """Create an interview of ``project`` conducted by ``user`` (``data``: INTERVIEW_FIELDS)."""
    fields = {name: data[name] for name in INTERVIEW_FIELDS}
    _no_nir(fields["notes"])
    if Interview.objects.filter(project=project, reference=fields["reference"]).exists():
        raise _reference_taken(fields["reference"])
    try:
        with transaction.atomic():
            return Interview.objects.create(project=project, interviewer=user, **fields)
    except IntegrityError as exc:  # the same reference given at the same moment
        raise _reference_taken(fields["reference"]) from exc


@transaction.atomic
def interview_update(
    *, interview: Interview, expected_version: int, data: dict[str, Any]
) -> Interview:
    """Save the edited fields if nobody saved the interview since ``expected_version``."""
    fields = {name: data[name] for name in INTERVIEW_FIELDS}
    _no_nir(fields["notes"])
    # Read from the database: a ModelForm has already copied the edited values onto
    # ``interview`` while validating.
    stored = Interview.objects.select_related("case_study").get(pk=interview.pk)
    if stored.case_study is not None and fields["stakeholder_type"] != stored.stakeholder_type:
        # The type is the interview's place among the case's sources (household, referent,
        # landlord social worker): changing it would move it to another source of the case.
        raise EvaluationError(
            _(
                "Interview %(reference)s is a source of the case study “%(case)s”: take it out "
                "of the case before changing its stakeholder type."
            )
            % {"reference": stored.reference, "case": stored.case_study}
        )
    taken = Interview.objects.filter(
        project_id=interview.project_id, reference=fields["reference"]
    ).exclude(pk=interview.pk)
    if taken.exists():
        raise _reference_taken(fields["reference"])
    try:
        with transaction.atomic():
            save_versioned(interview, expected_version, **fields)
    except IntegrityError as exc:
        raise _reference_taken(fields["reference"]) from exc
    return interview


# --- Transcripts ----------------------------------------------------------------------------


def _needs_consent(interview: Interview) -> None:
    if not interview_usable(interview):
        raise EvaluationError(
            _(
                "Record the interviewee's consent before uploading the transcript of "
                "interview %(reference)s (a withdrawn consent does not count)."
            )
            % {"reference": interview.reference}
        )


def _not_coded(interview: Interview) -> None:
    # Coded segments are offsets into the stored text: a new text would move them.
    if Segment.objects.filter(transcript__interview_id=interview.pk).exists():
        raise EvaluationError(
            _(
                "The transcript of interview %(reference)s is already coded: it cannot be "
                "replaced, because the coded segments point into its text."
            )
            % {"reference": interview.reference}
        )


def check_transcript_allowed(interview: Interview) -> None:
    """Raise the French reason why no transcript can be uploaded now, if any."""
    _needs_consent(interview)
    _not_coded(interview)


@dataclass(frozen=True)
class Preview:
    """What the preview page shows: the pseudonymised text with its turns, the name it will
    be stored under, and the replacements (originals: shown once, never stored)."""

    text: str
    turns: tuple[transcripts.Turn, ...]
    file_name: str
    replacements: tuple[tuple[str, str], ...]


def _extra_names(raw: str) -> list[str]:
    names = [" ".join(line.split()) for line in raw.splitlines()]
    names = [name for name in names if name]
    if len(names) > MAX_EXTRA_NAMES:
        raise EvaluationError(
            _("Give at most %(count)d names to replace.") % {"count": MAX_EXTRA_NAMES}
        )
    if any(len(name) > MAX_NAME_LENGTH for name in names):
        raise EvaluationError(
            _("A name to replace is longer than %(count)d characters: one name per line.")
            % {"count": MAX_NAME_LENGTH}
        )
    return names


_PLACEHOLDERS = frozenset(
    {transcripts.EMAIL_PLACEHOLDER, transcripts.PHONE_PLACEHOLDER, transcripts.ADDRESS_PLACEHOLDER}
)


def _safe_file_name(name: str, names: list[str]) -> str:
    """The uploaded file's name without the names found in its text ("entretien_Aicha.docx"
    would otherwise store the name the text no longer holds)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    readable = " ".join(stem.replace("_", " ").split())
    if names and readable:
        readable = transcripts.pseudonymise_transcript(
            transcripts.Transcript(name="", text=readable, turns=()), names
        ).text
    result = f"{readable}{dot}{extension}" if readable else base
    return result[-200:]


def transcript_prepare(
    *, interview: Interview, name: str, data: bytes, extra_names: str = ""
) -> Preview:
    """Read an uploaded .txt/.docx and pseudonymise it (nothing stored). Refused without a
    valid consent, once the current transcript is coded, or when the file cannot be read."""
    check_transcript_allowed(interview)
    names = _extra_names(extra_names)
    try:
        read = transcripts.read_transcript(name, data)
    except transcripts.TranscriptError as error:
        raise EvaluationError(str(error)) from error
    result = transcripts.pseudonymise_transcript(read, names)
    _no_nir(result.text)
    personal = [o for o, p in result.replacements.items() if p not in _PLACEHOLDERS]
    return Preview(
        text=result.text,
        turns=result.turns,
        file_name=_safe_file_name(name, [*names, *personal]),
        replacements=tuple(result.replacements.items()),
    )


def _limit() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # The form's other fields and the multipart overhead need a little room.
    return None if limit is None else limit - 64 * 1024


def preview_token(*, interview: Interview, user: User, preview: Preview) -> str:
    """Sign what the confirmation will store (the pseudonymised text, the safe file name, the
    number of replacements), bound to this interview and this user. Holds no original."""
    token = signing.dumps(
        {
            "interview": interview.pk,
            "user": user.pk,
            "text": preview.text,
            "file": preview.file_name,
            "replacements": len(preview.replacements),
        },
        salt=_PREVIEW_SALT,
        compress=True,
    )
    limit = _limit()
    if limit is not None and len(token) > limit:
        raise EvaluationError(
            _(
                "This transcript is too long to be previewed in one piece: split it into "
                "several files or remove what is not part of the interview."
            )
        )
    return token


@dataclass(frozen=True)
class Signed:
    text: str
    file_name: str
    replacements: int


def read_preview_token(*, interview: Interview, user: User, token: str) -> Signed:
    """The content signed by :func:`preview_token`, if untouched, recent, and made for this
    interview by this user."""
    refused = EvaluationError(
        _(
            "This preview could not be verified (it was altered, or it is more than an hour "
            "old): upload the file again."
        )
    )
    try:
        payload = signing.loads(token, salt=_PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise refused from exc
    if (
        not isinstance(payload, dict)
        or payload.get("interview") != interview.pk
        or payload.get("user") != user.pk
        or not isinstance(payload.get("text"), str)
        or not isinstance(payload.get("file"), str)
        or not isinstance(payload.get("replacements"), int)
    ):
        raise refused
    return Signed(payload["text"], payload["file"], payload["replacements"])


@transaction.atomic
def transcript_save(*, interview: Interview, user: User, token: str) -> Transcript:
    """Store the previewed, pseudonymised transcript (creating or replacing it). The checks
    run again under the interview's lock: consent may have been withdrawn, or coding may have
    started, while the preview was open."""
    signed = read_preview_token(interview=interview, user=user, token=token)
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    check_transcript_allowed(locked)
    _no_nir(signed.text)
    transcript, _created = Transcript.objects.update_or_create(
        interview=locked,
        defaults={
            "text": signed.text,
            "original_name": signed.file_name,
            "replacements": signed.replacements,
            "uploaded_by": user,
            "uploaded_at": timezone.now(),
        },
    )
    return transcript
