"""Reads of candidates that the pages share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from etage.alerts.models import Candidate
from etage.core.models import AccessAction
from etage.core.services import access_log_record


def log_candidates_read(*, user: Any, candidates: Iterable[Candidate]) -> None:
    """One access-log entry per candidate shown: tenants' names and addresses are
    nominative data (data-protection.md #10). Called after the permission check."""
    for candidate in candidates:
        access_log_record(user=user, action=AccessAction.READ, obj=candidate)
