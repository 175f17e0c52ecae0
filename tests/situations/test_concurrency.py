"""No lost update: two people recording the same move at the same time produce one event,
and the second is told clearly, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from etage.accounts.models import User
from etage.situations.services import StaleVersion, situation_transition
from tests.situations.conftest import TODAY


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_produce_one_event(refer):
    situation = refer()
    version = situation.version
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def attempt(username: str) -> None:
        try:
            user = User.objects.get(username=username)
            barrier.wait()
            situation_transition(
                user=user,
                situation_id=situation.pk,
                action="contact_reached",
                expected_version=version,
                occurred_on=dt.date(2026, 3, 5),
                today=TODAY,
            )
            outcomes.append("recorded")
        except StaleVersion as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # anything else fails the test below, visibly
            outcomes.append(f"unexpected {exc!r}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(name,))
        for name in ("t1-professionnel", "t1-coordination")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("recorded") == 1, outcomes
    assert not any(o.startswith("unexpected") for o in outcomes), outcomes
    loser = next(o for o in outcomes if o != "recorded")
    assert len(loser) > 40  # a sentence for a person, not an error code
    situation.refresh_from_db()
    assert situation.version == version + 1
    assert situation.events.filter(action="contact_reached").count() == 1


@pytest.mark.django_db
def test_second_session_submitting_a_stale_form_is_told_and_changes_nothing(refer, client_for):
    situation = refer()
    url = reverse("situations:step", args=[situation.pk, "inform"])
    first, second = client_for("t1-professionnel"), client_for("t1-coordination")
    # Both open the form while the situation is at version 1.
    assert first.get(url).status_code == 200
    assert second.get(url).status_code == 200
    form = {"occurred_on": "2026-03-04", "version": situation.version, "method": "phone"}
    assert first.post(url, form).status_code == 302
    response = second.post(url, {**form, "method": "letter"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    situation.refresh_from_db()
    assert situation.information_method == "phone"
    assert situation.events.filter(action="inform").count() == 1
