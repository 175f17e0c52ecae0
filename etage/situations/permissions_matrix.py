"""The declared permission matrix: role × relation to the situation → allowed actions.

Pure data (no ORM). :mod:`etage.situations.permissions` turns it into the one scoping
function behind every list, search, count, export and page; a parametrised test walks every
cell and fails when a role or a relation has no row.
"""

from __future__ import annotations

from enum import StrEnum

from etage.accounts.roles import Role


class Relation(StrEnum):
    #: The user coordinates the platform of the situation's territory.
    PLATFORM_COORDINATOR = "platform_coordinator"
    #: The user's organisation holds an active share (origin, consent, CASF, CCAPEX, care team).
    SHARING_GROUP = "sharing_group"
    #: The user submitted a referral for this situation.
    REFERRER = "referrer"
    #: An administrator holds an open emergency access to it (etage.breakglass): stated
    #: reason, limited in time, every read logged with the reason (data-protection.md #8).
    BREAK_GLASS = "break_glass"
    #: None of the above.
    NONE = "none"


class Action(StrEnum):
    VIEW = "view"  # the situation page: household, pathway, level, referent, sharing group
    VIEW_SOCIAL = "view_social"  # free description and social notes
    VIEW_SENSITIVE = "view_sensitive"  # health, mental health, addiction, violence
    VIEW_MILESTONES = "view_milestones"  # procedure milestones and deadlines
    RECORD_STEP = "record_step"  # information, contact, support steps, closure, follow-ups
    RECORD_PROCEDURE = "record_procedure"  # procedure events and arrears balances
    DECIDE = "decide"  # platform decisions: assessment, orientation, level change, archive
    MANAGE_SHARING = "manage_sharing"  # consent records and shares
    VIEW_REFERRAL_STATUS = "view_referral_status"  # the coarse status of one's own referral


A = Action
_NOTHING: frozenset[Action] = frozenset()
_GROUP_PROFESSIONAL = frozenset(
    {
        A.VIEW,
        A.VIEW_SOCIAL,
        A.VIEW_SENSITIVE,
        A.VIEW_MILESTONES,
        A.RECORD_STEP,
        A.RECORD_PROCEDURE,
        A.MANAGE_SHARING,
    }
)
_COORDINATOR = _GROUP_PROFESSIONAL | {A.DECIDE}
_REFERRER = frozenset({A.VIEW_REFERRAL_STATUS})
#: Read-only, and never the sensitive difficulties (data-protection.md #5: never by admins).
_BREAK_GLASS = frozenset({A.VIEW, A.VIEW_SOCIAL, A.VIEW_MILESTONES})

MATRIX: dict[Role, dict[Relation, frozenset[Action]]] = {
    Role.SIGNALLER: {
        Relation.PLATFORM_COORDINATOR: _NOTHING,
        # A caretaker's organisation (the landlord) shares the situation, but the caretaker
        # only ever sees the status of their own referrals.
        Relation.SHARING_GROUP: _NOTHING,
        Relation.REFERRER: _REFERRER,
        Relation.BREAK_GLASS: _NOTHING,
        Relation.NONE: _NOTHING,
    },
    Role.PROFESSIONAL: {
        Relation.PLATFORM_COORDINATOR: _NOTHING,
        Relation.SHARING_GROUP: _GROUP_PROFESSIONAL,
        Relation.REFERRER: _REFERRER,
        Relation.BREAK_GLASS: _NOTHING,
        Relation.NONE: _NOTHING,
    },
    Role.COORDINATOR: {
        Relation.PLATFORM_COORDINATOR: _COORDINATOR,
        Relation.SHARING_GROUP: _GROUP_PROFESSIONAL,
        Relation.REFERRER: _REFERRER,
        Relation.BREAK_GLASS: _NOTHING,
        Relation.NONE: _NOTHING,
    },
    Role.RENT_RECOVERY: {
        Relation.PLATFORM_COORDINATOR: _NOTHING,
        # data-protection.md #4: level, referent and milestones; never social notes or
        # sensitive difficulties. They are the source of the procedure events and of the
        # arrears balance, so they record them.
        Relation.SHARING_GROUP: frozenset({A.VIEW, A.VIEW_MILESTONES, A.RECORD_PROCEDURE}),
        Relation.REFERRER: _REFERRER,
        Relation.BREAK_GLASS: _NOTHING,
        Relation.NONE: _NOTHING,
    },
    # data-protection.md #7–8: aggregates, pseudonymised data or configuration only.
    Role.STEERING: dict.fromkeys(Relation, _NOTHING),
    Role.EVALUATOR: dict.fromkeys(Relation, _NOTHING),
    Role.DPO: dict.fromkeys(Relation, _NOTHING),
    Role.ADMIN: {**dict.fromkeys(Relation, _NOTHING), Relation.BREAK_GLASS: _BREAK_GLASS},
}


def allowed(role: str, relations: set[Relation]) -> frozenset[Action]:
    """Union of what each relation grants ``role``; unknown roles get nothing."""
    rows = MATRIX.get(Role(role)) if role in Role.values else None
    if rows is None:
        return _NOTHING
    granted: set[Action] = set()
    for relation in relations:
        granted |= rows[relation]
    return frozenset(granted)


def relations_granting(role: str, action: Action) -> set[Relation]:
    rows = MATRIX.get(Role(role)) if role in Role.values else None
    if rows is None:
        return set()
    return {relation for relation, actions in rows.items() if action in actions}
