"""Consent of an interview (data-protection.md #18): recorded once, never dated in the future;
withdrawn after a confirmation, which takes the interview out of its case study in the same
transaction and makes it unusable for coding (``interview_usable``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from etage.evaluation.models import (
    CaseStudy,
    Code,
    Interview,
    InterviewConsent,
    Segment,
    TimelinePin,
)
from etage.evaluation.models.choices import ConsentForm
from etage.evaluation.services import EvaluationError
from etage.evaluation.services_interviews import (
    consent_withdraw,
    interview_usable,
    usable_interviews,
)
from tests.evaluation.interviews_world import add_interview

pytestmark = pytest.mark.django_db
#: The project with its lead (t1-evaluation) and coder (t2-evaluation).
pytest_plugins = ["tests.evaluation.interviews_fixtures"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _record(client: Client, interview: Interview, **overrides: object):
    data: dict[str, object] = {
        "given_on": "2025-03-10",
        "form": ConsentForm.ORAL,
        "recording": "on",
    }
    data.update(overrides)
    url = reverse("evaluation:interview_consent", args=[interview.project_id, interview.pk])
    return client.post(url, data)


def _withdraw(client: Client, interview: Interview, day: dt.date | None = None):
    url = reverse(
        "evaluation:interview_consent_withdraw", args=[interview.project_id, interview.pk]
    )
    return client.post(url, {"withdrawn_on": (day or timezone.localdate()).isoformat()})


def test_recording_the_consent_makes_the_interview_usable(project, coder):
    interview = add_interview(project, "E01", consent="missing")
    assert not interview_usable(interview)
    response = _record(_client(coder), interview)
    consent = InterviewConsent.objects.get(interview=interview)
    assert response.status_code == 302
    assert (consent.given_on, consent.form, consent.recording, consent.quotation) == (
        dt.date(2025, 3, 10),
        ConsentForm.ORAL,
        True,
        False,
    )
    assert consent.recorded_by == coder
    assert interview_usable(interview)


def test_a_consent_dated_in_the_future_is_refused(project, lead):
    interview = add_interview(project, "E01", consent="missing")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _record(_client(lead), interview, given_on=tomorrow.isoformat())
    assert response.status_code == 200
    assert "Cette date est dans le futur." in response.content.decode()
    assert not InterviewConsent.objects.exists()


def test_an_interview_has_one_consent_record(project, lead):
    interview = add_interview(project, "E01")
    client = _client(lead)
    page = client.get(reverse("evaluation:interview_consent", args=[project.pk, interview.pk]))
    assert 'data-testid="consent-exists"' in page.content.decode()
    response = _record(client, interview, given_on="2025-01-01")
    assert response.status_code == 302
    assert InterviewConsent.objects.get().given_on == dt.date(2025, 3, 12)


def test_withdrawal_asks_for_confirmation_first(project, lead):
    interview = add_interview(project, "E01")
    url = reverse("evaluation:interview_consent_withdraw", args=[project.pk, interview.pk])
    page = _client(lead).get(url).content.decode()
    assert "Confirmer le retrait" in page
    assert InterviewConsent.objects.get().withdrawn_on is None


def test_withdrawal_detaches_from_the_case_and_unpins_its_excerpts(project, lead):
    case = CaseStudy.objects.create(project=project, case_id="K1", title="Cas Nord")
    interview = add_interview(project, "E01", transcript="Personne 1 : oui.", case_study=case)
    code = Code.objects.create(project=project, name="Premier contact")
    segment = Segment.objects.create(
        transcript=interview.transcript, code=code, coder=lead, start=0, end=10, text="Personne 1"
    )
    TimelinePin.objects.create(case_study=case, segment=segment, activity="identified", day=0)
    assert interview_usable(interview)

    response = _withdraw(_client(lead), interview)

    interview.refresh_from_db()
    assert response.status_code == 302
    assert interview.case_study is None
    assert interview.version == 2
    assert InterviewConsent.objects.get().withdrawn_on == timezone.localdate()
    assert not TimelinePin.objects.exists()
    assert not interview_usable(interview)
    assert not Interview.objects.filter(usable_interviews()).exists()


def test_withdrawal_keeps_the_transcript_unless_erasure_is_asked(project, lead):
    code = Code.objects.create(project=project, name="Premier contact")
    kept = add_interview(project, "E01", transcript="Personne 1 : oui.")
    erased = add_interview(project, "E02", transcript="Personne 2 : non, merci.")
    for interview in (kept, erased):
        Segment.objects.create(
            transcript=interview.transcript, code=code, coder=lead, start=0, end=10, text="x"
        )
    client = _client(lead)
    _withdraw(client, kept)
    url = reverse("evaluation:interview_consent_withdraw", args=[project.pk, erased.pk])
    response = client.post(
        url, {"withdrawn_on": timezone.localdate().isoformat(), "erase_transcript": "on"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "La transcription a été effacée, avec 1 extrait codé." in page
    # The kept one is still there (unusable); the erased one is gone with its segment, while
    # the register keeps the interview's line and its withdrawn consent.
    assert Segment.objects.filter(transcript__interview=kept).count() == 1
    assert not Segment.objects.filter(text="x", transcript__interview=erased).exists()
    assert Interview.objects.filter(pk=erased.pk, transcript__isnull=True).exists()
    assert InterviewConsent.objects.get(interview=erased).withdrawn_on == timezone.localdate()
    assert Code.objects.filter(pk=code.pk).exists()


def test_usable_interviews_keeps_only_valid_consents(project):
    add_interview(project, "E01")
    add_interview(project, "E02", consent="withdrawn")
    add_interview(project, "E03", consent="missing")
    usable = Interview.objects.filter(usable_interviews())
    assert list(usable.values_list("reference", flat=True)) == ["E01"]


def test_interview_usable_reads_the_database_not_a_stale_object(project, lead):
    interview = add_interview(project, "E01")
    stale_copy = Interview.objects.select_related("consent").get(pk=interview.pk)
    consent_withdraw(interview=interview, withdrawn_on=timezone.localdate())
    assert not interview_usable(stale_copy)


def test_a_withdrawal_before_the_consent_or_in_the_future_is_refused(project, lead):
    interview = add_interview(project, "E01")
    client = _client(lead)
    before = _withdraw(client, interview, dt.date(2025, 3, 1))
    assert "ne peut pas être retiré avant d'avoir été donné" in before.content.decode().replace(
        "&#x27;", "'"
    )
    future = _withdraw(client, interview, timezone.localdate() + dt.timedelta(days=2))
    assert "Cette date est dans le futur." in future.content.decode()
    assert InterviewConsent.objects.get().withdrawn_on is None


def test_withdrawing_twice_or_without_consent_changes_nothing(project, lead):
    withdrawn = add_interview(project, "E01", consent="withdrawn")
    missing = add_interview(project, "E02", consent="missing")
    client = _client(lead)
    assert _withdraw(client, withdrawn).status_code == 302
    assert InterviewConsent.objects.get(interview=withdrawn).withdrawn_on == dt.date(2025, 4, 1)
    assert _withdraw(client, missing).status_code == 302
    assert not InterviewConsent.objects.filter(interview=missing).exists()
    page = client.get(
        reverse("evaluation:interview_consent_withdraw", args=[project.pk, missing.pk])
    )
    assert 'data-testid="nothing-to-withdraw"' in page.content.decode()
    with pytest.raises(EvaluationError):
        consent_withdraw(interview=withdrawn, withdrawn_on=timezone.localdate())


def test_the_interview_page_says_what_the_consent_allows(project, lead):
    missing = add_interview(project, "E01", consent="missing")
    withdrawn = add_interview(project, "E02", consent="withdrawn")
    client = _client(lead)
    page = client.get(reverse("evaluation:interview", args=[project.pk, missing.pk]))
    assert "Enregistrer le consentement" in page.content.decode()
    assert "Téléverser la transcription" not in page.content.decode()
    page = client.get(reverse("evaluation:interview", args=[project.pk, withdrawn.pk]))
    assert "État :</strong> Retiré" in page.content.decode()
