"""The only doors to situations (data-protection.md #1): ``situations_visible_to(user)`` and
``get_situation_for_user(user, pk)``. Lists, search, counts, exports, API and dashboards all
go through them; a situation outside a user's scope is a 404, never a 403 (its existence is
not revealed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from etage.accounts.roles import Role
from etage.situations.archive import check_archive_read
from etage.situations.permissions_matrix import Action, Relation, allowed, relations_granting

if TYPE_CHECKING:
    from etage.situations.models import Situation, SituationQuerySet


def _relation_q(user: Any, relation: Relation) -> Q | None:
    from etage.intake.models import Referral
    from etage.situations.models import Share

    if relation is Relation.PLATFORM_COORDINATOR:
        if user.role != Role.COORDINATOR:
            return None
        return Q(platform__territory__in=user.territories.all())
    if relation is Relation.SHARING_GROUP:
        if user.organisation_id is None:
            return None
        return Q(
            Exists(
                Share.objects.filter(
                    situation=OuterRef("pk"), organisation_id=user.organisation_id, is_active=True
                )
            )
        )
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
    conditions = [
        q
        for relation in relations_granting(user.role, action)
        if (q := _relation_q(user, relation)) is not None
    ]
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
