"""What the home page shows each person: their organisation, their territories with the
platform's partners, and the next things their role lets them do.

Other apps add their entry points to :data:`NEXT_STEPS` providers as they are built, so that
the home page never links to a page that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etage.accounts.roles import Role
from etage.territories.models import PlatformMembership, Territory

StrOrPromise = str | Promise


@dataclass(frozen=True)
class NextStep:
    label: StrOrPromise
    url: str
    description: StrOrPromise = ""
    count: int | None = None


@dataclass
class HomeContext:
    territories: list[Territory]
    role_summary: str
    next_steps: list[NextStep] = field(default_factory=list)


ROLE_SUMMARIES: dict[str, Any] = {
    Role.SIGNALLER: _(
        "You spot households in difficulty and refer them to the platform. "
        "You follow the status of your referrals, without access to the details of the support."
    ),
    Role.PROFESSIONAL: _(
        "You assess situations, gather the household's information and consent, "
        "follow the shared plan and write notes with the right visibility."
    ),
    Role.COORDINATOR: _(
        "You prepare the platform's agenda, run its meetings, record decisions and referrals, "
        "and watch deadlines and reviews."
    ),
    Role.RENT_RECOVERY: _(
        "You see the level of support, the case worker and the procedure steps, "
        "never the social notes."
    ),
    Role.STEERING: _(
        "You consult aggregated indicators and compare territories; small counts are hidden."
    ),
    Role.EVALUATOR: _(
        "You work on pseudonymised data: pathway analysis, case studies, interviews, "
        "workshops, scenarios and the evaluation report."
    ),
    Role.DPO: _(
        "You review the access log, handle access requests and follow the retention "
        "and purge reports."
    ),
    Role.ADMIN: _(
        "You configure territories, organisations, accounts and reference lists. "
        "You do not view situations."
    ),
}

NextStepProvider = Callable[[Any], list[NextStep]]
#: Apps register ``provider(user) -> [NextStep]`` here (see each app's ``apps.ready``).
NEXT_STEP_PROVIDERS: list[NextStepProvider] = []


def _admin_steps(user: Any) -> list[NextStep]:
    if not user.is_administrator:
        return []
    from etage.accounts.models import User
    from etage.organisations.models import Organisation

    return [
        NextStep(
            _("Manage organisations"),
            reverse("admin:organisations_organisation_changelist"),
            _("Landlords, CCAS, MDM, CCAPEX, associations and health partners."),
            Organisation.objects.count(),
        ),
        NextStep(
            _("Manage territories and platforms"),
            reverse("admin:territories_territory_changelist"),
            _("Communes, partner network profile, members of each platform."),
            Territory.objects.count(),
        ),
        NextStep(
            _("Manage accounts"),
            reverse("admin:accounts_user_changelist"),
            _("Named accounts, roles and assigned territories."),
            User.objects.count(),
        ),
    ]


def _dpo_steps(user: Any) -> list[NextStep]:
    if user.role != Role.DPO:
        return []
    return [
        NextStep(
            _("Access log"),
            reverse("core:access_log"),
            _("Who read, exported or changed nominative data, when and why; search and export."),
        )
    ]


def _account_steps(user: Any) -> list[NextStep]:
    return [
        NextStep(
            pgettext_lazy("account", "Change my password"),
            reverse("accounts:password_change"),
            _("At least 12 characters, different from your personal information."),
        )
    ]


def next_steps(user: Any) -> list[NextStep]:
    """Every entry point offered to ``user``: the apps' providers, the back-office for
    administrators, the account. Each links to a page that exists."""
    steps: list[NextStep] = []
    for provider in [*NEXT_STEP_PROVIDERS, _dpo_steps, _admin_steps, _account_steps]:
        steps.extend(provider(user))
    return steps


def build_home(user: Any) -> HomeContext:
    """Everything the home page shows ``user``; only reference data, never case data."""
    memberships = PlatformMembership.objects.filter(is_active=True).select_related("organisation")
    territories = list(
        user.territories.all()
        .select_related("platform")
        .prefetch_related(
            "communes",
            "landlords_present",
            Prefetch("platform__memberships", queryset=memberships, to_attr="active_memberships"),
        )
        .order_by("code")
    )
    return HomeContext(
        territories=territories,
        role_summary=str(ROLE_SUMMARIES.get(user.role, "")),
        next_steps=next_steps(user),
    )
