"""The SQL query count of each hot page does not grow with the data (issue 11): each page is
requested on the demo history, then again once the history has grown threefold; the counts
must be equal. A page that loads related rows one by one (N+1) fails here, whatever the
machine's speed (performance itself is measured in benchmarks/, never asserted by timing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etage.accounts.models import User
from etage.demo.history import MIN_COUNT
from etage.situations.permissions import situations_visible_to
from tests import replay

#: (persona, URL builder) of the hot pages of issue 11.
PAGES: dict[str, tuple[str, Callable[[User], str]]] = {
    "situation list": ("t1-coordination", lambda u: reverse("situations:list")),
    "situation list, filtered": (
        "t1-coordination",
        lambda u: reverse("situations:list") + "?status=in_support&q=a",
    ),
    "my work (professional)": ("t1-professionnel", lambda u: reverse("worklist:index")),
    "my work (coordinator)": ("t1-coordination", lambda u: reverse("worklist:index")),
    "steering dashboard": ("t1-pilotage", lambda u: reverse("analytics:dashboard")),
}


@pytest.fixture(scope="module")
def growing(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Callable[[], object]]:
    """The demo history at its smallest, and a function that triples it."""
    with django_db_blocker.unblock(), transaction.atomic():
        replay.demo_reference(seed=1)
        replay.demo_history(seed=3, count=MIN_COUNT)
        yield lambda: replay.demo_history(seed=4, count=2 * MIN_COUNT)
        transaction.set_rollback(True)


def _queries(username: str, url: str) -> int:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(url)  # warm the per-process caches (translations, content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.django_db
def test_hot_pages_run_the_same_number_of_queries_at_two_data_sizes(growing):
    before = {
        name: _queries(user, build(User.objects.get(username=user)))
        for name, (user, build) in PAGES.items()
    }
    growing()
    after = {
        name: _queries(user, build(User.objects.get(username=user)))
        for name, (user, build) in PAGES.items()
    }
    assert after == before


def _clone(rows: Any, times: int) -> int:
    """Insert ``times`` copies of each row (same situation and content, new ids)."""
    made = 0
    for row in list(rows):
        for _ in range(times):
            row.pk = None
            row._state.adding = True
            row.save()
            made += 1
    return made


@pytest.mark.django_db
def test_the_situation_page_does_not_query_per_row_of_its_history(growing):
    """The busiest situation's page, then the same page once its pathway events, journal
    entries and procedure events have been multiplied: same number of queries."""
    from etage.procedures.models import ProcedureEvent
    from etage.situations.models import PathwayEvent
    from etage.support.models import JournalEntry

    user = User.objects.get(username="t1-professionnel")
    situation = (
        situations_visible_to(user)
        .filter(archived_on__isnull=True, purged_on__isnull=True)
        .annotate(n=Count("events") + Count("journal_entries") + Count("procedure_events"))
        .order_by("-n", "pk")
        .first()
    )
    assert situation is not None
    url = reverse("situations:detail", args=[situation.pk])
    before = _queries(user.username, url)
    added = sum(
        _clone(model.objects.filter(situation=situation)[:3], 4)
        for model in (PathwayEvent, JournalEntry, ProcedureEvent)
    )
    assert added > 0
    assert _queries(user.username, url) == before
