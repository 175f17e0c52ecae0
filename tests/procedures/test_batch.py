"""The deadlines of many situations at once (``procedures.batch``) are the ones each
situation's own panel computes, in three queries whatever the number of situations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from etage.procedures import deadlines
from etage.procedures.batch import MILESTONE_TRACKS, upcoming_deadlines
from etage.procedures.choices import TRACKS_OF, Track
from etage.procedures.selectors import panel
from etage.procedures.services import arrears_balance_record, procedure_event_record
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions, situations_visible_to
from etage.situations.permissions_matrix import Action

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def test_the_rules_read_no_event_of_the_rights_and_health_track():
    # So a rent-recovery officer, who never reads that track, gets the same dates as the
    # professionals who do, and the batch can read the milestone tracks only.
    assert Track.RIGHTS_HEALTH not in MILESTONE_TRACKS
    for kind in deadlines.K.all():
        assert Track.RIGHTS_HEALTH not in TRACKS_OF[kind], kind


def _situations_with_procedures(refer, officer, count: int) -> list[Situation]:
    made = []
    for i in range(count):
        situation = refer(last_name=f"Batch{i}", address=f"{i} rue du Lot")
        procedure_event_record(
            user=officer,
            situation_id=situation.pk,
            kind="commandement_de_payer",
            occurred_on=days_ago(10 + i),
            source="bailiff",
            details={"lease_clause": "six_weeks"},
        )
        arrears_balance_record(
            user=officer,
            situation_id=situation.pk,
            on=days_ago(40 + i),
            amount=Decimal(1200),
            monthly_rent=Decimal(500),
            source="landlord",
        )
        made.append(situation)
    return made


@pytest.mark.parametrize("username", ["t1-recouvrement", "t1-professionnel"])
def test_the_batch_finds_what_each_situation_panel_shows(refer, demo_reference, username):
    officer = demo_reference["t1-recouvrement"]
    made = _situations_with_procedures(refer, officer, 3)
    refer(last_name="SansProcedure")  # no event, no balance: not a candidate
    user = demo_reference[username]
    today = timezone.localdate()
    found = upcoming_deadlines(
        situations_visible_to(user, Action.VIEW_MILESTONES).open(), today=today
    )
    by_situation: dict[int, set[tuple[str, dt.date]]] = {}
    for d in found:
        by_situation.setdefault(d.situation.pk, set()).add((d.item.code, d.item.due_on))
    for situation in made:
        situation = Situation.objects.select_related("tenancy").get(pk=situation.pk)
        shown = panel(situation, allowed_actions(user, situation), today=today)
        assert shown is not None
        expected = {
            (i.code, i.due_on)
            for i in shown.soon
            if i.kind in (deadlines.ItemKind.DEADLINE, deadlines.ItemKind.EARLIEST)
        }
        assert expected, "the fixture should give a deadline within 30 days"
        assert by_situation[situation.pk] == expected


def test_the_batch_costs_four_queries_whatever_the_number_of_situations(refer, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    scope = situations_visible_to(officer, Action.VIEW_MILESTONES)
    _situations_with_procedures(refer, officer, 2)
    with CaptureQueriesContext(connection) as few:
        upcoming_deadlines(scope, today=timezone.localdate())
    _situations_with_procedures(refer, officer, 6)
    with CaptureQueriesContext(connection) as many:
        found = upcoming_deadlines(scope, today=timezone.localdate())
    assert len(few) == len(many) == 4
    assert len({d.situation.pk for d in found}) == 8


def test_outside_the_scope_nothing_is_computed(refer, demo_reference):
    _situations_with_procedures(refer, demo_reference["t1-recouvrement"], 1)
    outsider = demo_reference["t2-recouvrement"]
    scope = situations_visible_to(outsider, Action.VIEW_MILESTONES)
    assert upcoming_deadlines(scope, today=timezone.localdate()) == []
