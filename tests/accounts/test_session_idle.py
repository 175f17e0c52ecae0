"""The idle timeout: a session ends ``SESSION_COOKIE_AGE`` after the last request (to the
minute, never later), and the session is written at most once a minute, not per page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def _expiry() -> dt.datetime:
    return Session.objects.get().expire_date


def _writes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")) for q in captured)


def test_pages_within_a_minute_do_not_write_the_session_then_one_moves_the_expiry(client_for):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for("t1-professionnel")
        client.get(HOME)
        first = _expiry()
        traveller.shift(dt.timedelta(seconds=30))
        assert _writes(client, HOME) == 0
        assert _expiry() == first
        traveller.shift(dt.timedelta(seconds=40))
        assert _writes(client, HOME) == 1
        assert _expiry() == first + dt.timedelta(seconds=70)


def test_a_session_idle_for_longer_than_the_timeout_ends_and_one_in_use_does_not(client_for):
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for("t1-professionnel")
        assert client.get(HOME).status_code == 200
        # In use: a request every 20 minutes keeps it open for an hour and more.
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=20))
            response = client.get(reverse("worklist:index"))
            assert response.status_code == 200, response.get("Location")
        # Idle: once the timeout has passed since the last request, the login page.
        traveller.shift(idle + dt.timedelta(seconds=1))
        response = client.get(reverse("worklist:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
