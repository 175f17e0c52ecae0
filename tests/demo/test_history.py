"""The demo history: situations walked through the real services, covering every status,
orientation, level and outcome, with believable actors and dates.

The history is generated once for the module (it takes a few seconds) inside a transaction
rolled back at the end; each test runs in its own savepoint on top of it and only reads.
Deleting, regenerating and the command are in test_history_reset.py: they restart the
situation numbering, which must not happen under rows that a rollback brings back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo.history import demo_build_history
from etage.demo.services import demo_build_reference
from etage.intake.models import Referral
from etage.situations.choices import (
    INTENSIVE_LEVELS,
    Difficulty,
    Level,
    Orientation,
    Outcome,
    Source,
    Status,
)
from etage.situations.models import Consent, PathwayEvent, Situation

pytestmark = pytest.mark.django_db

COUNT = 120


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build_reference(seed=1)
        yield demo_build_history(seed=11, count=COUNT)
        transaction.set_rollback(True)


def test_partner_accounts_exist_with_their_organisations(demo_reference):
    expected = {
        "t1-ccas": "CCAS-VAULX",
        "t1-mdm": "MDM-BRON",
        "t1-association": "ASSO-TDL",
        "t2-ccas": "CCAS-VEN",
        "t2-mdm": "MDM-VEN",
        "t2-association": "ASSO-TDL",
        "t3-ccas": "CCAS-LYON",
        "t3-mdm": "MDM-LYON8",
        "t3-association": "ASSO-TDL",
    }
    for username, org_code in expected.items():
        user = User.objects.get(username=username)
        assert (user.organisation.code, user.role, user.is_demo) == (
            org_code,
            Role.PROFESSIONAL,
            True,
        )
        assert user.check_password("etage-demo-2026")
        assert list(user.territories.values_list("code", flat=True)) == [username[:2].upper()]


def test_history_covers_every_status_orientation_level_and_outcome(history):
    situations = Situation.objects.all()
    assert history.created == COUNT == situations.count()
    assert set(situations.values_list("status", flat=True)) == set(Status.values)
    assert set(situations.values_list("orientation", flat=True)) - {""} == set(Orientation.values)
    assert set(situations.values_list("level", flat=True)) - {""} == set(Level.values)
    assert set(situations.values_list("outcome", flat=True)) - {""} == set(Outcome.values)
    assert set(situations.values_list("source", flat=True)) == set(Source.values)
    assert set(situations.values_list("difficulties__code", flat=True)) == set(Difficulty.values)
    assert set(situations.values_list("contact_outcome", flat=True)) >= {
        "reached",
        "unreachable",
        "refused",
    }
    open_count = situations.open().count()
    assert 0.1 * COUNT <= open_count <= 0.25 * COUNT
    assert history.by_status == dict(Counter(situations.values_list("status", flat=True)))
    assert sum(history.by_territory.values()) == COUNT


def test_history_records_the_whole_range_of_pathway_events(history):
    actions = set(PathwayEvent.objects.values_list("action", flat=True))
    assert {
        "identify",
        "inform",
        "contact_reached",
        "contact_unreachable",
        "contact_refused",
        "assess",
        "orient",
        "start_support",
        "change_level",
        "suspend",
        "resume",
        "close",
        "follow_up_6",
        "follow_up_12",
        "archive",
        "consent_recorded",
        "consent_withdrawn",
        "share_granted",
        "referral_added",
    } <= actions
    changes = PathwayEvent.objects.filter(action="change_level")
    ranks = {Level.ADVICE: 0, Level.COORDINATION: 1, Level.AGR: 2}
    directions = {ranks[e.payload["level"]] > ranks[e.payload["previous_level"]] for e in changes}
    assert directions == {True, False}  # up and down
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()
    assert Referral.objects.filter(joined_existing=True).count() >= 2


def test_events_start_with_identification_and_never_go_back_in_time(history):
    today = timezone.localdate()
    for situation in Situation.objects.prefetch_related("events"):
        events = sorted(situation.events.all(), key=lambda e: e.pk)
        assert events[0].action == "identify", situation
        assert events[0].occurred_on == situation.identified_on
        dates = [e.occurred_on for e in events]
        assert dates == sorted(dates), situation
        assert situation.identified_on <= dates[-1] <= today
        assert dt.date(2019, 6, 1) <= situation.identified_on <= dt.date(2022, 12, 31)
        assert situation.identified_on >= situation.platform.started_on


def test_closures_have_an_outcome_and_exit_debt(history):
    for situation in Situation.objects.filter(status__in=[Status.CLOSED, Status.ARCHIVED]):
        assert situation.outcome, situation
        assert situation.closed_on, situation
        # A refusal at first contact closes the situation by itself (the product asks no debt).
        if situation.events.filter(action="close").exists():
            assert situation.exit_debt is not None, situation
        else:
            assert situation.outcome == Outcome.REFUSED
    archived = Situation.objects.filter(status=Status.ARCHIVED)
    assert all(s.archived_on is not None for s in archived)


def test_intensive_support_has_a_lead_from_the_right_partner(history):
    in_support = Situation.objects.filter(status=Status.IN_SUPPORT, level__in=INTENSIVE_LEVELS)
    assert in_support.exists()
    for situation in in_support.select_related("lead_professional__organisation"):
        lead = situation.lead_professional
        assert lead is not None, situation
        assert situation.referent_organisation_id == lead.organisation_id
        if situation.level == Level.AGR:
            assert lead.organisation.code == "ASSO-TDL"
        else:
            assert lead.organisation.kind in ("ccas", "mdm", "landlord")
    decisions = PathwayEvent.objects.filter(action__in=["assess", "orient", "archive"])
    assert set(decisions.values_list("actor__role", flat=True)) == {Role.COORDINATOR}


def test_every_step_is_taken_by_someone_the_product_allows(history):
    """Steps come from professionals of the sharing group or the platform coordinator, never
    from a signaller or rent recovery; referrals from the account that matches the source."""
    steps = PathwayEvent.objects.exclude(action__in=["identify", "referral_added"])
    roles = set(steps.values_list("actor__role", flat=True))
    assert roles <= {Role.PROFESSIONAL, Role.COORDINATOR}
    first = Referral.objects.filter(joined_existing=False)
    by_source = dict(first.values_list("source", "submitted_by__role").distinct())
    assert by_source[Source.CARETAKER] == Role.SIGNALLER
    assert by_source[Source.RENT_RECOVERY] == Role.RENT_RECOVERY


def test_territories_differ_and_landlords_are_present_there(history):
    counts = history.by_territory
    assert counts["T2"] < min(counts["T1"], counts["T3"])
    for situation in Situation.objects.select_related("platform__territory", "landlord"):
        territory = situation.platform.territory
        assert territory.landlords_present.filter(pk=situation.landlord_id).exists()
        assert situation.tenancy.lease_reference.startswith(situation.landlord.code + "-")
    arrears = Situation.objects.filter(difficulties__code=Difficulty.RENT_ARREARS)
    assert not arrears.filter(entry_debt__isnull=True).exists()
