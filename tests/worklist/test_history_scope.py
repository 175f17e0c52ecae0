"""My work over the demo history (situations of 2019–2022 in the three territories, at every
status): for every demo account, the page and the home page name only situations the person
may see, and every count is the total of the list it links to."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from etage.situations.permissions import situations_visible_to
from etage.worklist.selectors import my_work
from tests import replay
from tests.worklist.conftest import references_in
from tests.worklist.test_pages import EVERY_DEMO_ACCOUNT

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        replay.demo_reference(seed=1)
        yield replay.demo_history(seed=5, count=40)
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", EVERY_DEMO_ACCOUNT)
def test_my_work_over_the_demo_history_stays_within_scope(
    history, client_for, demo_reference, username
):
    user = demo_reference[username]
    visible = set(situations_visible_to(user).values_list("reference", flat=True))
    client = client_for(username)
    for url in (reverse("worklist:index"), reverse("core:home")):
        shown = references_in(client.get(url).content.decode())
        assert shown <= visible, (username, url, shown - visible)
    work = my_work(user)
    for section in work.sections:
        response = client.get(section.url)
        assert response.context["total"] == section.count, (username, section.name)
        assert references_in(response.content.decode()) <= visible


def test_the_history_gives_the_coordinators_work_to_show(history, demo_reference):
    # So that the scope test above reads pages with rows, not empty ones.
    coordinators = ("t1-coordination", "t2-coordination", "t3-coordination")
    counts = [s.count for u in coordinators for s in my_work(demo_reference[u]).sections]
    assert sum(counts) > 0
