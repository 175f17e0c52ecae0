"""The start-up checklist of a new platform (issue 10, reproduction kit): what must be in
place before the first referral, each step checked against the configuration itself, with
what to do when it is not done. Counts only: no personal data."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.alerts.models import WarningRule
from etage.intake.models.arrears import ImportProfile
from etage.territories.models import Platform, PlatformMembership, Territory


@dataclass(frozen=True)
class Step:
    title: Promise
    done: bool
    detail: str
    todo: Promise


def checklist(territory: Territory) -> list[Step]:
    platform = Platform.objects.filter(territory=territory).first()
    members = (
        PlatformMembership.objects.filter(platform=platform, is_active=True)
        if platform
        else PlatformMembership.objects.none()
    )
    member_orgs = members.values("organisation")
    landlords = territory.landlords_present.all()
    users = User.objects.filter(is_active=True)
    coordinators = users.filter(role=Role.COORDINATOR, territories=territory).count()
    professionals = users.filter(role=Role.PROFESSIONAL, organisation__in=member_orgs).count()
    signallers = users.filter(role=Role.SIGNALLER, organisation__in=landlords).count()
    rules = WarningRule.objects.filter(territory=territory, is_active=True).count()
    profiles = ImportProfile.objects.filter(landlord__in=landlords).count()
    dpos = users.filter(role=Role.DPO).count()
    communes = territory.communes.count()
    return [
        Step(
            _("Communes covered"),
            communes > 0,
            str(communes),
            _("Attach the territory's communes (back-office, Communes), or import a kit."),
        ),
        Step(
            _("Network profile and landlords present"),
            landlords.exists(),
            ", ".join(sorted(landlords.values_list("code", flat=True))),
            _("Record the landlords present and the local CCAPEX and CCAS/MDM set-up."),
        ),
        Step(
            _("Platform and its review interval"),
            platform is not None,
            str(platform.review_interval_months) if platform else "",
            _("Create the platform of the territory (back-office, Platforms)."),
        ),
        Step(
            _("Member organisations"),
            members.count() >= 2,
            str(members.count()),
            _("Add the partners of the platform (landlords, CCAS, MDM, associations)."),
        ),
        Step(
            _("Platform coordination account"),
            coordinators > 0,
            str(coordinators),
            _("Create the coordinator's account and assign the territory to it."),
        ),
        Step(
            _("Support professionals' accounts"),
            professionals > 0,
            str(professionals),
            _("Create named accounts for the professionals of the member organisations."),
        ),
        Step(
            _("Signalling accounts of the landlords"),
            signallers > 0,
            str(signallers),
            _("Create accounts for caretakers and local offices of the landlords present."),
        ),
        Step(
            _("Early-warning rules"),
            rules > 0,
            str(rules),
            _("Set the early-warning rules of the territory (back-office) or import a kit."),
        ),
        Step(
            _("Arrears extract layout of each landlord"),
            profiles >= landlords.count() > 0,
            f"{profiles}/{landlords.count()}",
            _("Describe each landlord's file layout (back-office, Import profiles)."),
        ),
        Step(
            _("Data-protection officer"),
            dpos > 0,
            str(dpos),
            _("Create the data-protection officer's account: they answer access requests."),
        ),
    ]
