"""The header's unread count (:func:`unread_count`) is always the door's count: the unread
notifications of :func:`visible_notifications`, whichever of its shortcuts answers."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from etage.accounts.models import User
from etage.notifications import selectors
from etage.notifications.models import Notification, NotificationKind
from etage.notifications.selectors import unread_count, visible_notifications
from etage.situations.models import Situation

pytestmark = pytest.mark.django_db

PEOPLE = ["t1-professionnel", "t1-coordination", "t1-ccas", "t2-professionnel", "t1-recouvrement"]


def _door(user: User) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def _notify(user: User, kind: str, situation: Situation | None, n: int, read: bool = False) -> None:
    Notification.objects.create(
        recipient=user,
        kind=kind,
        situation=situation,
        text="Synthétique",
        url="/",
        key=f"{kind}-{situation.pk if situation else 0}-{n}",
        delivery="digest",
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def situations(new_situation):
    """A T1 situation (seen by T1's platform and LMH) and a T2 one (seen by neither)."""
    return [new_situation("t1", "Unun"), new_situation("t2", "Deuxdeux")]


@pytest.mark.parametrize(
    "kinds",
    [
        (),
        (NotificationKind.SHARE,),
        (NotificationKind.SHARE, NotificationKind.DECISION),  # one access for both
        (NotificationKind.SHARE, NotificationKind.DEADLINE),  # two accesses
        (NotificationKind.ACTION, NotificationKind.REVIEW, NotificationKind.DEADLINE),
    ],
)
def test_the_count_is_the_doors_for_every_person(demo_reference, situations, kinds):
    counter = itertools.count()
    for username in PEOPLE:
        user = demo_reference[username]
        for kind in kinds:
            for situation in [*situations, None]:
                _notify(user, kind, situation, next(counter))
            _notify(user, kind, situations[0], next(counter), read=True)
    counts = {u: unread_count(demo_reference[u]) for u in PEOPLE}
    assert counts == {u: _door(demo_reference[u]) for u in PEOPLE}
    if kinds:
        # Some are hidden (the T2 situation, for T1's people), some are not.
        assert 0 < counts["t1-coordination"] < 2 * len(kinds) + len(kinds)


def test_beyond_the_listed_rows_the_database_counts(demo_reference, situations, monkeypatch):
    monkeypatch.setattr(selectors, "UNREAD_LISTED", 3)
    user = demo_reference["t1-coordination"]
    for n, situation in enumerate([*situations, *situations, None]):
        _notify(user, NotificationKind.SHARE, situation, n)
    assert unread_count(user) == _door(user) == 3


def test_nothing_unread_costs_one_query(demo_reference, django_assert_num_queries):
    user = demo_reference["t1-coordination"]
    with django_assert_num_queries(1):
        assert unread_count(user) == 0
