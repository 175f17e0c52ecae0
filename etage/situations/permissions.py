"""The only doors to situations (data-protection.md #1): ``situations_visible_to(user)`` and
``get_situation_for_user(user, pk)``. Lists, search, counts, exports, API and dashboards all
go through them; a situation outside a user's scope is a 404, never a 403 (its existence is
not revealed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import m2m_changed
from django.http import Http404
from django.utils import timezone

from etage.accounts.roles import Role
from etage.situations.archive import check_archive_read
from etage.situations.permissions_matrix import Action, Relation, allowed, relations_granting

if TYPE_CHECKING:
    from etage.situations.models import Situation, SituationQuerySet


#: Where :func:`territory_platform_ids` keeps its answer on the user object.
_PLATFORMS_CACHE = "_etage_territory_platform_ids"


def territory_platform_ids(user: Any) -> list[int]:
    """The keys of the platforms of the person's territories, read once per user object
    (like Django's permission cache: a request loads its user afresh; changing this user's
    territories through this object forgets it, see ``_forget_platforms``).

    A literal list rather than a subquery of the territories: PostgreSQL then knows how many
    situations the platform branch of a scope holds and serves it from the (platform, status)
    index; through a subquery it guessed half of the country's situations and read them all."""
    cached = getattr(user, _PLATFORMS_CACHE, None)
    if cached is None:
        from etage.territories.models import Platform

        cached = list(
            Platform.objects.filter(territory__in=user.territories.all())
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        setattr(user, _PLATFORMS_CACHE, cached)
    return list(cached)


def _forget_platforms(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "").startswith("post_"):
        instance.__dict__.pop(_PLATFORMS_CACHE, None)


m2m_changed.connect(_forget_platforms, dispatch_uid="etage_forget_territory_platforms")


class KeyIn(Expression):
    """``column IN (subquery)``, written ``column = ANY(ARRAY(subquery))`` on PostgreSQL.

    Same rows either way (the subqueries used here return no NULL). Inside an OR, PostgreSQL
    can serve the array form from the column's index and combine it with the other
    branches' indexes (a BitmapOr); an ``IN``/``EXISTS`` subquery there is only a filter, so
    every row of the other conditions (all situations in support of the country) was read
    to test it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, subquery: QuerySet[Any]) -> None:
        super().__init__()
        self.column: Any = F(column)
        self.subquery: Any = Subquery(subquery)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.subquery = exprs

    def _compile(self, compiler: Any, template: str) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return template.format(column=column, subquery=subquery), (
            *column_params,
            *subquery_params,
        )

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._compile(compiler, "{column} IN {subquery}")

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._compile(compiler, "{column} = ANY(ARRAY{subquery})")


def _relation_q(user: Any, relation: Relation, *, alone: bool) -> Q | None:
    """The situations ``user`` holds ``relation`` with. ``alone``: the scope has no other
    branch (no OR), so the share branch stays a semi-join PostgreSQL estimates well."""
    from etage.intake.models import Referral
    from etage.situations.models import Share

    if relation is Relation.PLATFORM_COORDINATOR:
        if user.role != Role.COORDINATOR:
            return None
        return Q(platform_id__in=territory_platform_ids(user))
    if relation is Relation.SHARING_GROUP:
        if user.organisation_id is None:
            return None
        shares = Share.objects.filter(organisation_id=user.organisation_id, is_active=True)
        if alone:
            return Q(Exists(shares.filter(situation=OuterRef("pk"))))
        return Q(KeyIn("pk", shares.order_by().values("situation_id")))
    if relation is Relation.REFERRER:
        return Q(Exists(Referral.objects.filter(situation=OuterRef("pk"), submitted_by=user)))
    if relation is Relation.BREAK_GLASS:
        if user.role != Role.ADMIN:
            return None
        return Q(Exists(_open_grants(user).filter(situation=OuterRef("pk"))))
    return None


def _open_grants(user: Any) -> Any:
    """The administrator's emergency accesses open now; they expire by time alone."""
    from etage.breakglass.models import BreakGlassGrant

    now = timezone.now()
    return BreakGlassGrant.objects.filter(user=user, started_at__lte=now, expires_at__gt=now)


def scope_situations(
    queryset: SituationQuerySet, user: Any, action: Action = Action.VIEW
) -> SituationQuerySet:
    """``queryset`` narrowed to the situations on which ``user`` may perform ``action``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    # In the relations' declared order (the platform first: an OR stops at its first true
    # branch), not a set's, so that the SQL is the same in every process.
    relations = [r for r in Relation if r in relations_granting(user.role, action)]
    branches = [
        (relation, q)
        for relation in relations
        if (q := _relation_q(user, relation, alone=False)) is not None
    ]
    conditions = [q for _relation, q in branches]
    if len(branches) == 1:
        only = _relation_q(user, branches[0][0], alone=True)
        conditions = [only] if only is not None else []
    if not conditions:
        return queryset.none()
    combined = conditions[0]
    for q in conditions[1:]:
        combined |= q
    return queryset.filter(combined)


def situations_visible_to(user: Any, action: Action = Action.VIEW) -> SituationQuerySet:
    from etage.situations.models import Situation

    return scope_situations(Situation.objects.all(), user, action)


def relations_of(user: Any, situation: Situation) -> set[Relation]:
    """Every relation ``user`` has with ``situation`` (a coordinator may also be in the
    sharing group and have referred it)."""
    from etage.intake.models import Referral

    relations: set[Relation] = set()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {Relation.NONE}
    if (
        user.role == Role.COORDINATOR
        and user.territories.filter(pk=situation.platform.territory_id).exists()
    ):
        relations.add(Relation.PLATFORM_COORDINATOR)
    if (
        user.organisation_id is not None
        and situation.shares.filter(organisation_id=user.organisation_id, is_active=True).exists()
    ):
        relations.add(Relation.SHARING_GROUP)
    if Referral.objects.filter(situation=situation, submitted_by=user).exists():
        relations.add(Relation.REFERRER)
    if user.role == Role.ADMIN and _open_grants(user).filter(situation=situation).exists():
        relations.add(Relation.BREAK_GLASS)
    return relations or {Relation.NONE}


def allowed_actions(user: Any, situation: Situation) -> frozenset[Action]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return allowed(user.role, relations_of(user, situation))


def can(user: Any, situation: Situation, action: Action) -> bool:
    return action in allowed_actions(user, situation)


def get_situation_for_user(user: Any, pk: Any, action: Action = Action.VIEW) -> Situation:
    """The situation if ``user`` may perform ``action`` on it; otherwise 404. During a web
    request, an archived situation also needs a reason stated in the session
    (:mod:`etage.situations.archive`)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    situation = (
        situations_visible_to(user, action)
        .select_related("platform__territory", "household", "tenancy__commune", "landlord")
        .filter(pk=key)
        .first()
    )
    if situation is None:
        raise Http404
    # An archived situation is read only for a stated reason (data-protection.md #12).
    check_archive_read(situation)
    return situation
