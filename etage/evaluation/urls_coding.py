"""URL patterns of the evaluation workspace: coding, memos, agreement and reconciliation."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_coding as v

_P = "projets/<int:project_pk>/"

urlpatterns = [
    path(f"{_P}codage/", v.coding, name="coding"),
    path(f"{_P}codage/transcriptions/<int:pk>/", v.coding_transcript, name="coding_transcript"),
    path(f"{_P}codage/transcriptions/<int:pk>/coder/", v.segment_create, name="segment_create"),
    path(f"{_P}codage/segments/<int:pk>/retirer/", v.segment_delete, name="segment_delete"),
    path(f"{_P}codage/memos/nouveau/", v.memo_create, name="memo_create"),
    path(f"{_P}codage/memos/<int:pk>/modifier/", v.memo_edit, name="memo_edit"),
    path(f"{_P}codage/accord/", v.agreement_page, name="agreement"),
    path(f"{_P}codage/transcriptions/<int:pk>/reconciliation/", v.reconcile, name="reconcile"),
]
