"""The demo generator builds the real territories, their partners and one account per role."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.demo import reference as ref
from etage.demo.services import demo_build_reference
from etage.organisations.models import Organisation, OrganisationKind
from etage.territories.models import Commune, PlatformMembership, Territory

pytestmark = pytest.mark.django_db


def test_three_territories_with_their_real_communes(demo_reference):
    communes = {
        t.code: sorted(t.communes.values_list("insee_code", flat=True))
        for t in Territory.objects.all()
    }
    assert communes == {
        "T1": ["69029", "69256"],
        "T2": ["69259"],
        "T3": ["69387", "69388"],
    }
    assert Commune.objects.get(insee_code="69256").name == "Vaulx-en-Velin"


def test_landlords_present_match_their_housing(demo_reference):
    present = {
        t.code: sorted(t.landlords_present.values_list("code", flat=True))
        for t in Territory.objects.all()
    }
    assert present == {"T1": ["EMH", "GLH", "LMH"], "T2": ["LMH"], "T3": ["EMH", "GLH", "LMH"]}


def test_each_platform_has_ccas_mdm_ccapex_association_and_health_partners(demo_reference):
    for territory in Territory.objects.all():
        kinds = set(
            PlatformMembership.objects.filter(platform__territory=territory).values_list(
                "organisation__kind", flat=True
            )
        )
        assert {
            OrganisationKind.LANDLORD,
            OrganisationKind.CCAS,
            OrganisationKind.MDM,
            OrganisationKind.CCAPEX,
            OrganisationKind.ASSOCIATION,
            OrganisationKind.HEALTH,
        } <= kinds, territory.code


def test_network_profiles_are_heterogeneous(demo_reference):
    profiles = {(t.has_local_ccapex, t.ccas_mdm_grouped) for t in Territory.objects.all()}
    assert len(profiles) >= 2


def test_one_demo_account_per_role_and_territory_and_partner_professionals(demo_reference):
    partners = {tcode: len(specs) for tcode, specs in ref.PARTNER_ACCOUNTS.items()}
    for territory in Territory.objects.all():
        roles = sorted(User.objects.filter(territories=territory).values_list("role", flat=True))
        expected = sorted(Role.values + [Role.PROFESSIONAL] * partners[territory.code])
        assert roles == expected, territory.code
        slugs = {
            u.username.split("-", 1)[1]
            for u in User.objects.filter(territories=territory, role=Role.PROFESSIONAL)
        }
        assert slugs == {"professionnel", "ccas", "mdm", "association"}, territory.code
    assert User.objects.filter(is_demo=True).count() == 3 * len(Role.values) + sum(
        partners.values()
    )


def test_generator_is_deterministic_and_idempotent(demo_reference):
    before = list(
        User.objects.order_by("username").values_list("username", "first_name", "last_name")
    )
    counts = (Organisation.objects.count(), PlatformMembership.objects.count())
    demo_build_reference(seed=1)
    after = list(
        User.objects.order_by("username").values_list("username", "first_name", "last_name")
    )
    assert after == before
    assert (Organisation.objects.count(), PlatformMembership.objects.count()) == counts


def test_demo_command_prints_accounts_and_password(capsys, db):
    call_command("etage_demo", "--seed", "3", "--situations", "0")
    out = capsys.readouterr().out
    assert "mot de passe commun : etage-demo-2026" in out
    assert "t2-coordination" in out
    assert "t2-association" in out
    assert out.count("\n  t") == 3 * (len(Role.values) + 3)


def test_demo_command_refuses_where_demo_accounts_are_not_allowed(settings, db):
    settings.ETAGE_ALLOW_DEMO_ACCOUNTS = False
    with pytest.raises(CommandError, match="interdits"):
        call_command("etage_demo")
    assert not User.objects.exists()


def test_demo_restores_the_default_plan_themes_after_a_flush(db):
    from etage.references.models import Theme

    Theme.objects.all().delete()
    demo_build_reference(seed=1)
    assert Theme.objects.filter(code="budget_debt").exists()
