"""URL patterns of the evaluation workspace: the interview register, consent and
transcripts (see urls.py)."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_interviews as v

_P = "projets/<int:project_pk>/entretiens/"

urlpatterns = [
    path(_P, v.interviews, name="interviews"),
    path(f"{_P}export.csv", v.interviews_csv, name="interviews_csv"),
    path(f"{_P}nouveau/", v.interview_create, name="interview_create"),
    path(f"{_P}<int:pk>/", v.interview, name="interview"),
    path(f"{_P}<int:pk>/modifier/", v.interview_edit, name="interview_edit"),
    path(f"{_P}<int:pk>/consentement/", v.interview_consent, name="interview_consent"),
    path(
        f"{_P}<int:pk>/consentement/retrait/",
        v.interview_consent_withdraw,
        name="interview_consent_withdraw",
    ),
    path(f"{_P}<int:pk>/transcription/", v.transcript_upload, name="transcript_upload"),
]
