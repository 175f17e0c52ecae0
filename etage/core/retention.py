"""The retention job (data-protection.md #10, #12): a list of steps run by
``python manage.py etage_retention`` once a day.

Each :class:`RetentionStep` has a name (the key of its count in the report), a way to count
what it would do (the dry run) and a way to do it, returning how many rows it removed or
anonymised. Another app adds its steps with :func:`register_retention_step` in its
``AppConfig.ready`` (as the situation life cycle will), after the access log's own step.

A step that deletes or anonymises append-only rows does it inside
:func:`etage.core.append_only.retention_purge`; the report holds counts only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from etage.core.models import RetentionReport
from etage.core.services import access_log_expired_count, access_log_purge


@dataclass(frozen=True)
class RetentionStep:
    name: str
    count: Callable[..., int]
    run: Callable[..., int]


RETENTION_STEPS: list[RetentionStep] = [
    RetentionStep("access_log", count=access_log_expired_count, run=access_log_purge),
]


def register_retention_step(step: RetentionStep) -> None:
    """Add ``step`` to the job (idempotent: an app's ``ready`` may run twice in tests)."""
    if all(existing.name != step.name for existing in RETENTION_STEPS):
        RETENTION_STEPS.append(step)


def retention_run(*, today: dt.date, dry_run: bool) -> RetentionReport:
    """Run every step for ``today`` (or only count, when ``dry_run``) and store the report.
    Each step commits on its own: a failing step keeps what the earlier ones did, and no
    report is stored for a run that did not finish."""
    counts: dict[str, int] = {}
    for step in RETENTION_STEPS:
        with transaction.atomic():
            counts[step.name] = step.count(today=today) if dry_run else step.run(today=today)
    return RetentionReport.objects.create(dry_run=dry_run, counts=counts)
