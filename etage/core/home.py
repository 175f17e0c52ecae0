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
        "Vous repérez les ménages en difficulté et les signalez à la plateforme. "
        "Vous suivez l'état de vos signalements, sans accès au détail de l'accompagnement."
    ),
    Role.PROFESSIONAL: _(
        "Vous qualifiez les situations, recueillez l'information et le consentement du ménage, "
        "suivez le plan partagé et rédigez des notes avec la bonne visibilité."
    ),
    Role.COORDINATOR: _(
        "Vous préparez l'ordre du jour de la plateforme, animez les réunions, enregistrez les "
        "décisions et orientations, et surveillez les délais et les revues."
    ),
    Role.RENT_RECOVERY: _(
        "Vous voyez le niveau d'accompagnement, le ou la référent·e et les étapes de procédure, "
        "jamais les notes sociales."
    ),
    Role.STEERING: _(
        "Vous consultez des indicateurs agrégés et comparez les territoires ; "
        "les petits effectifs sont masqués."
    ),
    Role.EVALUATOR: _(
        "Vous travaillez sur des données pseudonymisées : analyse des parcours, études de cas, "
        "entretiens, ateliers, scénarios et rapport d'évaluation."
    ),
    Role.DPO: _(
        "Vous contrôlez le journal des accès, traitez les demandes d'accès et suivez les "
        "rapports de conservation et de purge."
    ),
    Role.ADMIN: _(
        "Vous paramétrez les territoires, organisations, comptes et listes de référence. "
        "Vous ne consultez pas les situations."
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
            _("Gérer les organisations"),
            reverse("admin:organisations_organisation_changelist"),
            _("Bailleurs, CCAS, MDM, CCAPEX, associations et partenaires santé."),
            Organisation.objects.count(),
        ),
        NextStep(
            _("Gérer les territoires et plateformes"),
            reverse("admin:territories_territory_changelist"),
            _("Communes, profil du réseau partenarial, membres de chaque plateforme."),
            Territory.objects.count(),
        ),
        NextStep(
            _("Gérer les comptes"),
            reverse("admin:accounts_user_changelist"),
            _("Comptes nominatifs, rôles et territoires d'intervention."),
            User.objects.count(),
        ),
    ]


def _account_steps(user: Any) -> list[NextStep]:
    return [
        NextStep(
            _("Changer mon mot de passe"),
            reverse("accounts:password_change"),
            _("Au moins 12 caractères, différent de vos informations personnelles."),
        )
    ]


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
    steps: list[NextStep] = []
    for provider in [*NEXT_STEP_PROVIDERS, _admin_steps, _account_steps]:
        steps.extend(provider(user))
    return HomeContext(
        territories=territories,
        role_summary=str(ROLE_SUMMARIES.get(user.role, "")),
        next_steps=steps,
    )
