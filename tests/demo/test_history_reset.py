"""Regenerating the demo history: same seed, same history; deleting it; the command generates
it once, then skips, and regenerates on --reset-history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from etage.demo.history import (
    MIN_COUNT,
    demo_build_history,
    demo_delete_history,
    demo_situations,
)
from etage.households.models import Household, Tenancy
from etage.intake.models import Referral
from etage.situations.choices import Status
from etage.situations.models import Consent, PathwayEvent, Share, Situation
from etage.situations.services import event_correct_date

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple[str | None, str, dt.date]]:
    return list(
        Situation.objects.order_by("reference").values_list("reference", "status", "identified_on")
    )


def test_same_seed_same_history_and_another_seed_another(demo_reference):
    demo_delete_history()  # empty table: numbering restarts, as after migrate
    demo_build_history(seed=5, count=MIN_COUNT)
    first = snapshot()
    names = list(Household.objects.order_by("pk").values_list("people__last_name", flat=True))
    assert demo_delete_history() == MIN_COUNT
    demo_build_history(seed=5, count=MIN_COUNT)
    assert snapshot() == first
    again = list(Household.objects.order_by("pk").values_list("people__last_name", flat=True))
    assert again == names
    demo_delete_history()
    demo_build_history(seed=6, count=MIN_COUNT)
    assert snapshot() != first
    assert min(int(reference.split("-")[1]) for reference, _, _ in first) == 1


def test_delete_history_removes_everything_even_corrections_and_consent_shares(demo_reference):
    demo_build_history(seed=2, count=MIN_COUNT)
    household = Household.objects.create()  # not the demo's: stays
    situation = Situation.objects.filter(status=Status.IN_SUPPORT).first()
    event = situation.events.get(action="start_support")
    coordinator = demo_reference[f"{situation.platform.territory.code.lower()}-coordination"]
    event_correct_date(
        user=coordinator,
        situation_id=situation.pk,
        event_id=event.pk,
        expected_version=situation.version,
        occurred_on=event.occurred_on - dt.timedelta(days=1),
        reason="Date saisie par erreur.",
    )
    # Both PROTECT links that would stop a plain delete are there.
    assert PathwayEvent.objects.filter(corrects=event).exists()
    assert Share.objects.filter(consent__isnull=False).exists()

    assert demo_delete_history() == MIN_COUNT
    for model in (Situation, PathwayEvent, Tenancy, Share, Consent, Referral):
        assert not model.objects.exists(), model
    assert list(Household.objects.all()) == [household]


def test_build_refuses_too_small_a_history(demo_reference):
    with pytest.raises(ValueError):
        demo_build_history(seed=1, count=MIN_COUNT - 1)


def test_command_generates_once_then_skips_then_resets(capsys, db):
    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT))
    out = capsys.readouterr().out
    assert demo_situations().count() == MIN_COUNT
    assert "t1-association" in out
    assert "t3-mdm" in out
    assert f"{MIN_COUNT} situations" in out
    assert str(Status.ARCHIVED.label) in out  # the French label once the catalogue has it
    before = snapshot()

    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT))
    out = capsys.readouterr().out
    assert "déjà" in out
    assert snapshot() == before

    call_command("etage_demo", "--seed", "4", "--situations", str(MIN_COUNT), "--reset-history")
    out = capsys.readouterr().out
    assert demo_situations().count() == MIN_COUNT
    assert [(s, d) for _, s, d in snapshot()] == [(s, d) for _, s, d in before]


def test_command_without_history_and_with_a_bad_count(capsys, db):
    call_command("etage_demo", "--situations", "0")
    assert not Situation.objects.exists()
    with pytest.raises(CommandError):
        call_command("etage_demo", "--situations", "3")
