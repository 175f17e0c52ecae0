"""The declared permission matrix, cell by cell, against real objects: for every role and
every relation to a situation, the scoping door and the page checks grant exactly what the
matrix says — no more, no less."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.breakglass.models import BreakGlassGrant
from etage.intake.models import Referral
from etage.organisations.models import Organisation
from etage.situations.choices import LegalBasis
from etage.situations.models import Share
from etage.situations.permissions import allowed_actions, situations_visible_to
from etage.situations.permissions_matrix import MATRIX, Action, Relation, allowed
from etage.territories.models import Territory
from tests import replay


def test_every_role_has_a_row_for_every_relation() -> None:
    assert set(MATRIX) == set(Role)
    for role, row in MATRIX.items():
        assert set(row) == set(Relation), role


def test_every_action_is_granted_somewhere() -> None:
    granted = {a for row in MATRIX.values() for cell in row.values() for a in cell}
    assert granted == set(Action)


def test_no_relation_grants_nothing_at_all() -> None:
    for role in Role:
        assert allowed(role, {Relation.NONE}) == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize("relation", list(Relation))
@pytest.mark.parametrize("role", list(Role))
def test_scope_and_checks_follow_the_matrix(refer, role: Role, relation: Relation) -> None:
    situation = refer()  # T1, identified by EMH
    org = Organisation.objects.get(code="CCAS-BRON")
    user = User.objects.create(username=f"u-{role}-{relation}", organisation=org, role=role)
    territory = "T1" if relation is Relation.PLATFORM_COORDINATOR else "T2"
    user.territories.set([Territory.objects.get(code=territory)])
    if relation is Relation.SHARING_GROUP:
        Share.objects.create(situation=situation, organisation=org, legal_basis=LegalBasis.CASF)
    if relation is Relation.REFERRER:
        Referral.objects.create(
            situation=situation,
            submitted_by=user,
            organisation=org,
            source="ccas",
            urgency="normal",
        )
    if relation is Relation.BREAK_GLASS:
        # An open emergency access; only administrators' count (the door checks the role).
        now = timezone.now()
        BreakGlassGrant.objects.create(
            user=user,
            situation=situation,
            situation_reference=situation.reference,
            reason="matrix",
            started_at=now,
            expires_at=now + dt.timedelta(minutes=30),
        )
    # Only coordinators can hold the platform relation; for any other role that cell must
    # grant nothing, which the expectation below checks too.
    expected = (
        MATRIX[role][relation]
        if (relation is not Relation.PLATFORM_COORDINATOR or role == Role.COORDINATOR)
        else frozenset()
    )
    assert allowed_actions(user, situation) == expected
    for action in Action:
        in_scope = situations_visible_to(user, action).filter(pk=situation.pk).exists()
        assert in_scope is (action in expected), action


@pytest.mark.django_db
def test_an_inactive_share_grants_nothing(refer) -> None:
    situation = refer()
    org = Organisation.objects.get(code="CCAS-BRON")
    user = User.objects.create(username="ccas", organisation=org, role=Role.PROFESSIONAL)
    Share.objects.create(
        situation=situation, organisation=org, legal_basis=LegalBasis.CASF, is_active=False
    )
    assert not situations_visible_to(user).exists()
    assert allowed_actions(user, situation) == frozenset()


@pytest.mark.django_db
def test_a_deactivated_account_sees_nothing(refer, demo_reference) -> None:
    refer()
    coordinator = demo_reference["t1-coordination"]
    assert situations_visible_to(coordinator).count() == 1
    coordinator.is_active = False
    coordinator.save()
    assert situations_visible_to(coordinator).count() == 0


@pytest.mark.django_db
def test_the_scope_is_what_each_situation_check_grants(demo_reference) -> None:
    """The door's SQL (platform keys, shares as a key array inside an OR, semi-joins when
    alone) against the per-situation check, which reads each relation on its own: for every
    persona kind, every action and every situation of a history, the same answer. A
    coordinator's organisation also shares situations outside their platform, and holds an
    ended share, so that every branch and their OR are exercised."""
    from etage.demo.history import MIN_COUNT
    from etage.situations.models import Situation

    replay.demo_history(seed=3, count=MIN_COUNT)
    coordinator = demo_reference["t1-coordination"]
    elsewhere = list(Situation.objects.exclude(platform__territory__code="T1").order_by("pk")[:3])
    for situation, active in zip(elsewhere, (True, True, False), strict=True):
        Share.objects.filter(situation=situation, organisation=coordinator.organisation).delete()
        Share.objects.create(
            situation=situation,
            organisation=coordinator.organisation,
            legal_basis=LegalBasis.CASF,
            is_active=active,
        )
    situations = list(Situation.objects.select_related("platform"))
    usernames = [
        "t1-coordination",
        "t2-coordination",
        "t1-professionnel",
        "t1-recouvrement",
        "t1-signalement",
        "t1-pilotage",
    ]
    for username in usernames:
        user = User.objects.get(username=username)
        granted = {s.pk: allowed_actions(user, s) for s in situations}
        for action in Action:
            expected = {pk for pk, actions in granted.items() if action in actions}
            scoped = set(situations_visible_to(user, action).values_list("pk", flat=True))
            assert scoped == expected, (username, action)
    # The OR was exercised: shared situations outside the coordinator's platform are in.
    visible = set(situations_visible_to(coordinator).values_list("pk", flat=True))
    assert {s.pk for s in elsewhere[:2]} <= visible


@pytest.mark.django_db
def test_a_coordinator_scope_follows_a_change_of_territory(refer, demo_reference) -> None:
    """The platforms' keys are read once per user object: changing the territories through
    that object must not leave the old platforms in scope, nor miss the new ones."""
    situation = refer()  # T1
    coordinator = demo_reference["t1-coordination"]
    assert situations_visible_to(coordinator).filter(pk=situation.pk).exists()
    coordinator.territories.set([Territory.objects.get(code="T2")])
    assert not situations_visible_to(coordinator).filter(pk=situation.pk).exists()
    coordinator.territories.add(Territory.objects.get(code="T1"))
    assert situations_visible_to(coordinator).filter(pk=situation.pk).exists()
    coordinator.territories.clear()
    assert not situations_visible_to(coordinator).exists()
