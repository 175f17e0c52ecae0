"""THE scoping function of every dashboard, export and analytics page (data-protection.md #1
and #7): :func:`analytics_scope`. Deny by default: a role not named here has no analytics.

- evaluators: every territory, pseudonymised figures, no suppression, process analytics;
- steering: their assigned territories, aggregates only, small cells suppressed;
- coordinators: the territories they coordinate (every situation of those is visible to
  them), no suppression;
- everyone else: nothing (the views answer 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from etage.accounts.roles import Role


@dataclass(frozen=True)
class AnalyticsScope:
    role: str
    #: Territory codes whose figures may be shown; meaningless when ``all_territories``.
    territories: frozenset[str]
    #: Every territory, and the figures of all territories together (territory "").
    all_territories: bool
    suppress: bool
    process: bool
    #: Small-cell threshold (data-protection.md #7).
    threshold: int = 5

    @property
    def allowed(self) -> bool:
        return self.all_territories or bool(self.territories)

    def may_see(self, territory: str) -> bool:
        """Whether figures of ``territory`` ("" = all territories together) may be shown."""
        if self.all_territories:
            return True
        return territory != "" and territory in self.territories

    def cases_sql(self) -> tuple[str, list[Any]]:
        """A ``SELECT case_id`` over the snapshot restricted to the scope (for part E's
        filters: ``Filters(cases=...)``)."""
        if self.all_territories:
            return "SELECT case_id FROM situations", []
        codes = sorted(self.territories)
        if not codes:
            return "SELECT case_id FROM situations WHERE false", []
        marks = ", ".join("?" for _ in codes)
        return f"SELECT case_id FROM situations WHERE territory IN ({marks})", codes  # noqa: S608

    def cases(self, con: Any) -> frozenset[str] | None:
        """Case ids of the snapshot within the scope; ``None`` = no restriction."""
        if self.all_territories:
            return None
        sql, params = self.cases_sql()
        return frozenset(row[0] for row in con.execute(sql, params).fetchall())


NO_SCOPE = AnalyticsScope(
    role="", territories=frozenset(), all_territories=False, suppress=True, process=False
)


def analytics_scope(user: Any) -> AnalyticsScope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    role = user.role
    if role == Role.EVALUATOR:
        return AnalyticsScope(
            role=role, territories=frozenset(), all_territories=True, suppress=False, process=True
        )
    if role in (Role.STEERING, Role.COORDINATOR):
        codes = frozenset(user.territories.values_list("code", flat=True))
        return AnalyticsScope(
            role=role,
            territories=codes,
            all_territories=False,
            suppress=role == Role.STEERING,
            process=False,
        )
    return AnalyticsScope(
        role=role, territories=frozenset(), all_territories=False, suppress=True, process=False
    )


def require_dashboard(user: Any) -> AnalyticsScope:
    """The scope of a user who has a dashboard, or 403."""
    scope = analytics_scope(user)
    if not scope.allowed:
        raise PermissionDenied
    return scope


def require_process(user: Any) -> AnalyticsScope:
    """The scope of a user allowed the process analytics (evaluators), or 403."""
    scope = analytics_scope(user)
    if not scope.process:
        raise PermissionDenied
    return scope
