"""Build the demo reference data. Deterministic for a given seed and idempotent: running it
twice leaves the same rows (keyed by stable codes and login names)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from etage.accounts.models import User
from etage.alerts.defaults import seed_default_rules
from etage.demo import reference as ref
from etage.organisations.models import Organisation
from etage.references.defaults import seed_default_references
from etage.references.models import ActionTemplate, Theme
from etage.scenarios.context_figures import seed_context_figures
from etage.scenarios.models import ContextFigure
from etage.territories.models import Commune, Platform, PlatformMembership, Territory


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role_label: str
    organisation_code: str
    territory_code: str


@transaction.atomic
def demo_build_reference(*, seed: int) -> list[DemoAccount]:
    """Create or update territories, organisations, platforms, one account per role per
    territory and the partner professionals of each territory (``PARTNER_ACCOUNTS``).
    Returns the demo accounts in a stable order, grouped by territory."""
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not security
    # Normally seeded by a migration; ensured here too for databases flushed since.
    seed_default_references(Theme, ActionTemplate)
    seed_context_figures(ContextFigure)
    orgs: dict[str, Organisation] = {}
    for spec in ref.ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "is_active": True,
                "email": f"contact.{spec.code.lower()}@exemple.invalid",
            },
        )
        orgs[spec.code] = org

    territories: dict[str, Territory] = {}
    for tspec in ref.TERRITORIES:
        territory, _ = Territory.objects.update_or_create(
            code=tspec.code,
            defaults={
                "name": tspec.name,
                "has_local_ccapex": tspec.has_local_ccapex,
                "ccas_mdm_grouped": tspec.ccas_mdm_grouped,
            },
        )
        territory.landlords_present.set([orgs[c] for c in tspec.landlords])
        for insee, name in tspec.communes:
            Commune.objects.update_or_create(
                insee_code=insee, defaults={"name": name, "territory": territory}
            )
        platform, _ = Platform.objects.update_or_create(
            territory=territory,
            defaults={
                "name": f"Plateforme territoriale {tspec.name}",
                "started_on": date.fromisoformat(tspec.started_on),
            },
        )
        for spec in ref.ORGANISATIONS:
            if tspec.code in spec.territories:
                PlatformMembership.objects.update_or_create(
                    platform=platform,
                    organisation=orgs[spec.code],
                    defaults={"joined_on": platform.started_on, "is_active": True},
                )
        territories[tspec.code] = territory
        # Default early-warning rules (docs/alertes.md); those already there are kept.
        seed_default_rules(territory)

    # One account per role and territory, then the partner professionals: drawn after them,
    # so that partner accounts never shift the names the role accounts get for a seed.
    by_territory: dict[str, list[DemoAccount]] = {code: [] for code in ref.ROLE_ORGS}
    for tcode, role_orgs in ref.ROLE_ORGS.items():
        for role, org_code in role_orgs.items():
            by_territory[tcode].append(
                _demo_account(
                    rng,
                    username=f"{tcode.lower()}-{ref.ROLE_SLUGS[role]}",
                    role=role,
                    organisation=orgs[org_code],
                    territory=territories[tcode],
                )
            )
    for tcode, partners in ref.PARTNER_ACCOUNTS.items():
        for partner in partners:
            by_territory[tcode].append(
                _demo_account(
                    rng,
                    username=f"{tcode.lower()}-{partner.slug}",
                    role=partner.role,
                    organisation=orgs[partner.organisation],
                    territory=territories[tcode],
                )
            )
    return [account for accounts in by_territory.values() for account in accounts]


def _demo_account(
    rng: random.Random,
    *,
    username: str,
    role: str,
    organisation: Organisation,
    territory: Territory,
) -> DemoAccount:
    first, last = rng.choice(ref.FIRST_NAMES), rng.choice(ref.LAST_NAMES)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "organisation": organisation,
            "role": role,
        },
    )
    user.organisation = organisation
    user.role = role
    user.is_demo = True
    user.is_active = True
    user.email = f"{username}@exemple.invalid"
    if created or not user.check_password(ref.DEMO_PASSWORD):
        user.set_password(ref.DEMO_PASSWORD)
    user.save()
    user.territories.set([territory])
    return DemoAccount(
        username=username,
        full_name=user.get_full_name(),
        role_label=str(user.get_role_display()),
        organisation_code=organisation.code,
        territory_code=territory.code,
    )
