"""The access log's own retention (data-protection.md #10) and the retention command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from etage.core.models import AccessAction, AccessLogEntry, RetentionReport
from etage.core.retention import RETENTION_STEPS
from etage.core.services import access_log_purge, access_log_record, months_before

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def _entry_on(user, day: dt.date, hour: int = 12) -> AccessLogEntry:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with time_machine.travel(moment, tick=False):
        return access_log_record(user=user, action=AccessAction.READ, obj=user)


@pytest.fixture
def history(demo_reference) -> dict[str, AccessLogEntry]:
    user = demo_reference["t1-dpd"]
    return {
        "old": _entry_on(user, dt.date(2025, 11, 25), hour=23),  # the day before the cutoff
        "first_kept": _entry_on(user, dt.date(2025, 11, 26), hour=0),
        "recent": _entry_on(user, dt.date(2026, 11, 1)),
    }


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 26), 12, dt.date(2025, 11, 26)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
    ],
)
def test_months_before_keeps_the_day_or_the_months_last_day(day, months, expected):
    assert months_before(day, months) == expected


def test_the_purge_deletes_exactly_the_entries_older_than_the_retention(history):
    assert access_log_purge(today=TODAY) == 1
    remaining = set(AccessLogEntry.objects.values_list("pk", flat=True))
    assert remaining == {history["first_kept"].pk, history["recent"].pk}


@override_settings(ETAGE_ACCESS_LOG_RETENTION_MONTHS=6)
def test_the_retention_is_configurable(history):
    assert access_log_purge(today=TODAY) == 2
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [history["recent"].pk]


def test_the_dry_run_counts_and_changes_nothing_and_the_run_reports_counts_only(history):
    out = io.StringIO()
    call_command("etage_retention", "--dry-run", "--date", TODAY.isoformat(), stdout=out)
    assert AccessLogEntry.objects.count() == 3
    assert "access_log: 1" in out.getvalue()
    assert "rien n’a été modifié" in out.getvalue() or "rien n'a été modifié" in out.getvalue()
    dry = RetentionReport.objects.get()
    assert (dry.dry_run, dry.counts) == (
        True,
        {step.name: 0 for step in RETENTION_STEPS} | {"access_log": 1},
    )

    call_command("etage_retention", "--date", TODAY.isoformat(), stdout=io.StringIO())
    assert AccessLogEntry.objects.count() == 2
    report = RetentionReport.objects.filter(dry_run=False).get()
    assert report.counts == {step.name: 0 for step in RETENTION_STEPS} | {"access_log": 1}
    # Running again the same day finds nothing more to do.
    call_command("etage_retention", "--date", TODAY.isoformat(), stdout=io.StringIO())
    assert RetentionReport.objects.first().counts["access_log"] == 0


def test_a_malformed_date_is_refused_in_french():
    with pytest.raises(CommandError, match=r"AAAA-MM-JJ|YYYY-MM-DD"):
        call_command("etage_retention", "--date", "26/11/2026")
