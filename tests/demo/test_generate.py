"""The generator of synthetic data at scale (``manage.py etage_generate``): its plans, its
determinism, that what it writes is valid for the application (a generated coordinator sees
their territory through the real selector and pages) and that it refuses a database already
holding situations."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.demo.generate import SCALES, WRITE_ORDER, GenerationPlan, generate, table_fields
from etage.demo.generate_stories import COLUMNS, Story
from etage.procedures.models import ProcedureEvent
from etage.situations.choices import OPEN_STATUSES, Status
from etage.situations.models import PathwayEvent, Situation
from etage.situations.permissions import situations_visible_to
from etage.situations.workflow import transition_for
from etage.support.models import Review
from etage.territories.models import Territory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
#: A plan smaller than ``small``, so that the tests that generate twice stay quick.
TINY = GenerationPlan("tiny", territories=2, situations=300, users_per_territory=12,
                      communes_per_territory=2)  # fmt: skip


def _fingerprint() -> list[tuple[object, ...]]:
    """The generated data without raw keys (sequences are not rolled back on PostgreSQL)."""
    situations = list(
        Situation.objects.order_by("reference").values_list(
            "reference", "status", "identified_on", "closed_on", "level", "outcome",
            "entry_debt", "household__people__last_name", "created_by__username",
        )
    )  # fmt: skip
    events = list(
        PathwayEvent.objects.order_by("situation__reference", "occurred_on", "id").values_list(
            "situation__reference", "action", "from_status", "to_status", "occurred_on",
            "actor__username",
        )
    )  # fmt: skip
    procedures = list(
        ProcedureEvent.objects.order_by("situation__reference", "occurred_on", "id").values_list(
            "situation__reference", "kind", "occurred_on", "amount"
        )
    )
    users = list(User.objects.order_by("username").values_list("username", "last_name", "role"))
    return [*situations, *events, *procedures, *users]


def _generate_and_roll_back(seed: int) -> list[tuple[object, ...]]:
    with transaction.atomic():
        generate(TINY, seed=seed, today=TODAY)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_same_seed_same_data_and_another_seed_other_data():
    first = _generate_and_roll_back(7)
    assert Situation.objects.count() == 0
    assert first == _generate_and_roll_back(7)
    assert first != _generate_and_roll_back(8)


def test_plans_scale_and_national_plan_meets_the_floors():
    summary = generate(TINY, seed=3, today=TODAY)
    assert Situation.objects.count() == TINY.situations == summary.situations
    assert Territory.objects.count() == TINY.territories
    assert User.objects.count() == TINY.users == summary.users
    assert PathwayEvent.objects.count() + ProcedureEvent.objects.count() == summary.events
    # Events per situation do not depend on the scale (same distributions): the national
    # plan's expected volume is that rate times its situations.
    per_situation = summary.events / summary.situations
    small, metropolis, national = SCALES["small"], SCALES["metropolis"], SCALES["national"]
    assert small.situations < metropolis.situations < national.situations
    assert small.users < metropolis.users < national.users
    assert national.situations >= 500_000
    assert national.users >= 5_000
    assert national.territories >= 100
    assert per_situation * national.situations >= 6_000_000
    assert per_situation * metropolis.situations >= 500_000
    sizes = national.situations_per_territory(random.Random(1))
    assert sum(sizes) == national.situations
    assert min(sizes) > 0


def test_generated_history_follows_the_workflow():
    generate(TINY, seed=5, today=TODAY)
    statuses = set(Situation.objects.values_list("status", flat=True))
    assert {Status.IN_SUPPORT, Status.CLOSED, Status.ARCHIVED} <= statuses
    assert statuses & set(OPEN_STATUSES) - {Status.IN_SUPPORT}
    for situation in Situation.objects.all()[:100]:
        events = [
            e
            for e in situation.events.order_by("occurred_on", "id")
            if e.from_status != e.to_status or e.action in ("inform", "close", "archive")
        ]
        assert events[0].action == "identify"
        for event in events[1:]:
            # Every move is one the workflow allows from where the situation was.
            assert transition_for(event.action, event.from_status) is not None, event
        assert events[-1].to_status == situation.status
        assert max(e.occurred_on for e in situation.events.all()) <= TODAY


def test_command_fills_an_empty_database_and_a_coordinator_sees_only_their_territory(capsys):
    call_command("etage_generate", scale="small", seed=1, today=TODAY)
    out = capsys.readouterr().out
    assert "G003" in out
    assert "1500" in out
    plan = SCALES["small"]
    assert Situation.objects.count() == plan.situations
    assert User.objects.count() == plan.users

    coordinator = User.objects.get(username="g001-coordination-1")
    visible = situations_visible_to(coordinator)
    own = Situation.objects.filter(platform__territory__code="G001")
    assert visible.count() == own.count() > 0
    assert set(visible.values_list("platform__territory__code", flat=True)) == {"G001"}
    assert coordinator.check_password("etage-demo-2026")

    client = Client()
    client.force_login(coordinator)
    listing = client.get(reverse("situations:list"))
    assert listing.status_code == 200
    assert "G001-" in listing.content.decode()
    assert "G002-" not in listing.content.decode()
    mine = own.filter(status=Status.IN_SUPPORT).first()
    assert mine is not None
    page = client.get(reverse("situations:detail", args=[mine.pk]))
    assert page.status_code == 200
    assert mine.reference in page.content.decode()
    other = Situation.objects.filter(platform__territory__code="G002").first()
    assert other is not None
    assert client.get(reverse("situations:detail", args=[other.pk])).status_code == 404


def test_command_refuses_a_database_with_situations_and_writes_nothing():
    generate(TINY, seed=2, today=TODAY)
    counts = (Situation.objects.count(), User.objects.count(), PathwayEvent.objects.count())
    with pytest.raises(CommandError, match="déjà"):
        call_command("etage_generate", scale="small", seed=9, today=TODAY)
    assert (Situation.objects.count(), User.objects.count(), PathwayEvent.objects.count()) == counts


def test_rows_have_exactly_the_models_columns(monkeypatch):
    # The stories write tuples, not model instances: a column missing from them (a field added
    # to a model) must stop the generator, not leave the model's default unset.
    for model in WRITE_ORDER:
        assert table_fields(model)
    table_fields.cache_clear()
    monkeypatch.setitem(COLUMNS, Review, COLUMNS[Review][:-1])
    with pytest.raises(ValueError, match="Review"):
        table_fields(Review)
    table_fields.cache_clear()


def test_an_error_while_building_stops_the_run_and_its_thread(monkeypatch):
    built = 0

    def failing_build(self: Story) -> None:
        nonlocal built
        built += 1
        if built > 50:
            raise RuntimeError("story failed")

    monkeypatch.setattr(Story, "build", failing_build)
    with pytest.raises(RuntimeError, match="story failed"):
        generate(TINY, seed=4, today=TODAY)
    assert not any(t.name == "etage-generate-stories" for t in threading.enumerate())
