"""``analytics_scope``: the one scoping function of the dashboards, exports and analytics
pages (data-protection.md #1, #7) — deny by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from etage.accounts.roles import Role
from etage.analytics.scope import analytics_scope, require_dashboard, require_process
from etage.analytics.store import connect
from tests.analytics.logs import build_log

pytestmark = pytest.mark.django_db


def _codes(user: Any) -> frozenset[str]:
    return frozenset(user.territories.values_list("code", flat=True))


def test_each_role_gets_its_scope(demo_reference: dict[str, Any]) -> None:
    seen_roles = set()
    for username, user in demo_reference.items():
        scope = analytics_scope(user)
        seen_roles.add(user.role)
        if user.role == Role.EVALUATOR:
            assert scope.all_territories
            assert not scope.suppress
            assert scope.process
            assert scope.may_see("")
            assert scope.may_see("T2")
        elif user.role == Role.STEERING:
            assert not scope.all_territories
            assert scope.suppress
            assert not scope.process
            assert scope.territories == _codes(user) != frozenset()
            assert not scope.may_see("")
        elif user.role == Role.COORDINATOR:
            assert not scope.all_territories
            assert not scope.suppress
            assert not scope.process
            assert scope.territories == _codes(user) != frozenset()
        else:
            assert not scope.allowed, username
            with pytest.raises(PermissionDenied):
                require_dashboard(user)
        if user.role != Role.EVALUATOR:
            with pytest.raises(PermissionDenied):
                require_process(user)
    assert {Role.EVALUATOR, Role.STEERING, Role.COORDINATOR, Role.PROFESSIONAL} <= seen_roles


def test_territories_outside_are_refused(demo_reference: dict[str, Any]) -> None:
    steering = demo_reference["t1-pilotage"]
    scope = analytics_scope(steering)
    others = {"T1", "T2", "T3"} - _codes(steering)
    assert others
    for code in others:
        assert not scope.may_see(code)


def test_inactive_and_anonymous_users_have_no_scope(demo_reference: dict[str, Any]) -> None:
    evaluator = demo_reference["t1-evaluation"]
    evaluator.is_active = False
    assert not analytics_scope(evaluator).allowed
    assert not analytics_scope(AnonymousUser()).allowed


def test_a_steering_account_without_territory_has_no_dashboard(
    demo_reference: dict[str, Any],
) -> None:
    steering = demo_reference["t2-pilotage"]
    steering.territories.clear()
    with pytest.raises(PermissionDenied):
        require_dashboard(steering)


def test_cases_lists_the_snapshot_cases_of_the_territories(
    demo_reference: dict[str, Any], tmp_path: Path
) -> None:
    log = build_log(tmp_path, cases=80, seed=2)
    con = connect(tmp_path)
    try:
        coordinator = demo_reference["t2-coordination"]
        codes = _codes(coordinator)
        expected = {s["case_id"] for s in log.situations if s["territory"] in codes}
        assert expected
        assert analytics_scope(coordinator).cases(con) == expected
        assert analytics_scope(demo_reference["t2-evaluation"]).cases(con) is None
    finally:
        con.close()
