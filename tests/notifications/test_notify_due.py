"""``etage_notify_due``: procedure deadlines within 30 days and reviews due within 7 days,
announced once to the people in charge who may see them; running it again creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from etage.notifications.dispatch import notify_due
from etage.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def who(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_deadlines_and_reviews_reach_the_people_in_charge(world, mailoutbox):
    report = notify_due(timezone.localdate())
    # The commandement's deadline (T1, identified by EMH, not oriented): EMH's rent recovery
    # and its social worker. Nobody of another territory.
    assert who(NotificationKind.DEADLINE) == {"t1-recouvrement", "t1-professionnel"}
    # The review of the T1 situation in support: its lead professional and the coordinator.
    assert who(NotificationKind.REVIEW) == {"t1-professionnel", "t1-coordination"}
    # The end of the period to pay and the first day of a summons fall on the same day: one
    # notification per person for that date.
    assert report.deadlines == 2
    assert report.reviews == 2
    deadline = Notification.objects.filter(kind=NotificationKind.DEADLINE).first()
    assert deadline is not None
    assert deadline.text.startswith("Échéance de procédure le ")
    assert world.t1_deadline.reference in deadline.text
    assert deadline.url.endswith("#procedure")
    assert mailoutbox == []  # both kinds come in the digest by default


def test_running_it_again_creates_nothing(world):
    today = timezone.localdate()
    notify_due(today)
    before = Notification.objects.count()
    again = notify_due(today)
    assert (again.deadlines, again.reviews) == (0, 0)
    assert notify_due(today + dt.timedelta(days=1)).deadlines == 0
    assert Notification.objects.count() == before


def test_the_command_is_idempotent_for_a_day(world, capsys):
    day = timezone.localdate().isoformat()
    call_command("etage_notify_due", "--date", day)
    first = Notification.objects.count()
    call_command("etage_notify_due", "--date", day)
    assert Notification.objects.count() == first > 0
    out = capsys.readouterr().out
    assert "0 échéance(s) de procédure, 0 bilan(s) à faire" in out


def test_a_review_far_ahead_is_not_announced_yet(world):
    long_ago = dt.date(2026, 1, 10)
    assert notify_due(long_ago).reviews == 0
