"""Merging two records of one household, and undoing it."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from etage.alerts.models import Candidate
from etage.core.models import AccessAction, AccessLogEntry
from etage.households.models import Household, Person, Tenancy
from etage.intake.models.arrears import ArrearsLine, LeaseSignal, SignalKind
from etage.linkage.models import HouseholdMerge
from etage.linkage.services import LinkageError, household_merge, household_merge_undo
from etage.situations.models import Situation

pytestmark = pytest.mark.django_db

MODELS = (Person, Tenancy, Situation, ArrearsLine, LeaseSignal, Candidate)


def snapshot() -> dict[str, list[tuple[int, int | None]]]:
    return {
        m.__name__: list(m.objects.order_by("pk").values_list("pk", "household_id")) for m in MODELS
    }


@pytest.fixture
def twins(refer, new_batch, add_line):
    """One household recorded twice (two referrals), with imported lines and a signal."""
    first = refer(last_name="Fictif", lease="EMH-0042")
    second = refer("t1-professionnel", last_name="Fictive", lease="")
    batch = new_batch()
    line = add_line(batch, "EMH-0042", "FICTIF Alix")
    ArrearsLine.objects.filter(pk=line.pk).update(household=second.household)
    LeaseSignal.objects.create(
        landlord=batch.landlord,
        external_id="sig-1",
        lease_reference="EMH-0042",
        kind=SignalKind.COMPLAINT,
        occurred_on="2026-05-02",
        household=second.household,
    )
    Candidate.objects.create(
        landlord=batch.landlord,
        lease_reference="EMH-0042",
        territory=line.commune.territory,
        commune=line.commune,
        tenant_names=line.tenant_names,
        address=line.address,
        monthly_rent=line.monthly_rent,
        balance=line.balance,
        months_in_arrears=line.months_in_arrears,
        balance_on=line.balance_on,
        household=second.household,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return first, second


def test_merge_moves_everything_and_undo_restores_exactly(demo_reference, twins):
    first, second = twins
    coordinator = demo_reference["t1-coordination"]
    before = snapshot()
    merge = household_merge(
        user=coordinator, kept=first.household, absorbed=second.household, reason="Doublon"
    )
    assert not Person.objects.filter(household=second.household).exists()
    assert Situation.objects.filter(household=first.household).count() == 2
    assert ArrearsLine.objects.get().household_id == first.household_id
    assert LeaseSignal.objects.get().household_id == first.household_id
    assert Candidate.objects.get().household_id == first.household_id
    assert Household.objects.filter(pk=second.household_id).exists()  # kept, empty
    assert merge.count("people") == 1
    assert merge.count("situations") == 1
    household_merge_undo(user=coordinator, merge=merge)
    assert snapshot() == before
    merge.refresh_from_db()
    assert merge.undone_by == coordinator
    assert merge.undone_at is not None


def test_merge_and_undo_write_change_entries_in_the_access_log(demo_reference, twins):
    first, second = twins
    coordinator = demo_reference["t1-coordination"]
    merge = household_merge(
        user=coordinator, kept=first.household, absorbed=second.household, reason="Doublon"
    )
    household_merge_undo(user=coordinator, merge=merge)
    entries = AccessLogEntry.objects.filter(
        action=AccessAction.CHANGE, object_type="households.household"
    )
    assert {(e.object_id, e.username) for e in entries} == {
        (str(first.household_id), "t1-coordination"),
        (str(second.household_id), "t1-coordination"),
    }
    assert entries.count() == 4


@pytest.mark.parametrize("username", ["t2-coordination", "t3-coordination"])
def test_a_coordinator_of_another_platform_cannot_merge(demo_reference, twins, username):
    first, second = twins
    before = snapshot()
    with pytest.raises(Http404):
        household_merge(
            user=demo_reference[username],
            kept=first.household,
            absorbed=second.household,
            reason="x",
        )
    assert snapshot() == before


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-recouvrement", "t1-admin"])
def test_other_roles_cannot_merge(demo_reference, twins, username):
    first, second = twins
    with pytest.raises(LinkageError):
        household_merge(
            user=demo_reference[username],
            kept=first.household,
            absorbed=second.household,
            reason="x",
        )
    assert not HouseholdMerge.objects.exists()


def test_a_stale_version_refuses_the_merge(demo_reference, twins):
    first, second = twins
    coordinator = demo_reference["t1-coordination"]
    version = second.household.version
    Household.objects.filter(pk=second.household_id).update(version=version + 1)
    before = snapshot()
    with pytest.raises(LinkageError, match="a changé pendant que vous confirmiez"):
        household_merge(
            user=coordinator,
            kept=first.household,
            absorbed=second.household,
            reason="Doublon",
            kept_version=first.household.version,
            absorbed_version=version,
        )
    assert snapshot() == before
    assert not HouseholdMerge.objects.exists()


def test_an_absorbed_household_cannot_be_merged_again_and_undo_happens_once(
    demo_reference, twins, refer
):
    first, second = twins
    third = refer(last_name="Fictif", address="3 rue des Tilleuls")
    coordinator = demo_reference["t1-coordination"]
    merge = household_merge(
        user=coordinator, kept=first.household, absorbed=second.household, reason="Doublon"
    )
    # The emptied record has no situation left: nobody reaches it any more.
    with pytest.raises(Http404):
        household_merge(
            user=coordinator, kept=third.household, absorbed=second.household, reason="x"
        )
    household_merge_undo(user=coordinator, merge=merge)
    with pytest.raises(LinkageError, match="déjà été annulée"):
        household_merge_undo(user=coordinator, merge=merge)


def test_undo_is_refused_when_a_later_merge_moved_the_rows(demo_reference, twins, refer):
    first, second = twins
    third = refer(last_name="Fictif", address="3 rue des Tilleuls")
    coordinator = demo_reference["t1-coordination"]
    earlier = household_merge(
        user=coordinator, kept=first.household, absorbed=second.household, reason="Doublon"
    )
    household_merge(
        user=coordinator, kept=third.household, absorbed=first.household, reason="Encore"
    )
    before = snapshot()
    with pytest.raises(LinkageError, match="Annulez d’abord la fusion la plus récente"):
        household_merge_undo(user=coordinator, merge=earlier)
    assert snapshot() == before
    earlier.refresh_from_db()
    assert earlier.undone_at is None
