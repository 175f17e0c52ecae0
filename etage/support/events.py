"""The pathway events support appends (through ``etage.situations.services.append_event``).
Their payloads hold codes, ids and dates only — never free text — so the evaluation counts
plan, journal and review activity without reading notes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

OBJECTIVE_ADDED = "objective_added"
OBJECTIVE_UPDATED = "objective_updated"
ACTION_ADDED = "plan_action_added"
ACTION_UPDATED = "plan_action_updated"
ACTION_STATUS = "plan_action_status"
ACTION_COMMENTED = "plan_action_commented"
JOURNAL_ENTRY = "journal_entry"
DOCUMENT_ADDED = "document_added"
REVIEW = "review"

LABELS: dict[str, Any] = {
    OBJECTIVE_ADDED: _("Plan: objective added"),
    OBJECTIVE_UPDATED: _("Plan: objective updated"),
    ACTION_ADDED: _("Plan: action added"),
    ACTION_UPDATED: _("Plan: action updated"),
    ACTION_STATUS: _("Plan: action status changed"),
    ACTION_COMMENTED: _("Plan: comment on an action"),
    JOURNAL_ENTRY: _("Journal entry"),
    DOCUMENT_ADDED: _("Document added"),
    REVIEW: _("Support review"),
}

#: In the pathway timeline, for those who may read social notes: the review is a step of the
#: support. The others have their own sections (with the journal's visibility rule).
SOCIAL = frozenset({REVIEW})
HIDDEN_FROM_TIMELINE = frozenset(set(LABELS) - SOCIAL)
