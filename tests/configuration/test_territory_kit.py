"""The reproduction kit: a territory exported from the demo and imported under a new name
runs a full pathway, referral to closure, with no code change; a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.alerts.models import WarningRule
from etage.intake.models import ImportProfile
from etage.intake.services import ReferralData, referral_create_situation
from etage.organisations.models import Organisation
from etage.situations.choices import Status
from etage.situations.services import situation_transition
from etage.territories.kit import KitError, dump, export_territory, import_territory, load
from etage.territories.models import Commune, Platform, Territory

pytestmark = pytest.mark.django_db


def _exported(tmp_path: Path) -> Path:
    out = tmp_path / "t1.yaml"
    call_command("etage_territory", "export", "T1", "--out", str(out), stdout=io.StringIO())
    return out


def _as_new_territory(path: Path) -> Path:
    """What a new platform does with the kit: list its own communes (fictitious codes)."""
    data = load(path.read_bytes())
    data["communes"] = [{"insee_code": "69991", "name": "Villeneuve-des-Essais"}]
    new = path.with_name("t9.yaml")
    new.write_text(dump(data), encoding="utf-8")
    return new


def test_the_export_is_documented_and_holds_no_personal_data(demo_reference, tmp_path):
    text = _exported(tmp_path).read_text(encoding="utf-8")
    assert text.startswith("# ETAGE — kit de reproduction")
    data = yaml.safe_load(text)
    assert data["territory"]["code"] == "T1"
    assert data["communes"]
    assert data["organisations"]
    assert data["warning_rules"]
    for user in User.objects.all():
        assert user.username not in text
        if user.last_name:
            assert user.last_name not in text


def test_an_imported_territory_runs_a_full_pathway(demo_reference, tmp_path):
    kit = _as_new_territory(_exported(tmp_path))
    out = io.StringIO()
    call_command(
        "etage_territory",
        "import",
        str(kit),
        "--code",
        "T9",
        "--name",
        "Territoire neuf",
        stdout=out,
    )
    territory = Territory.objects.get(code="T9")
    t1 = Territory.objects.get(code="T1")
    assert territory.name == "Territoire neuf"
    assert Platform.objects.get(territory=territory).review_interval_months == (
        t1.platform.review_interval_months
    )
    assert set(territory.landlords_present.values_list("code", flat=True)) == set(
        t1.landlords_present.values_list("code", flat=True)
    )
    assert WarningRule.objects.filter(territory=territory).count() == (
        WarningRule.objects.filter(territory=t1).count()
    )

    # Its people: accounts are not configuration; the new platform creates them.
    landlord = territory.landlords_present.first()
    association = Organisation.objects.get(code="ASSO-TDL")
    signaller = User.objects.create_user(
        username="t9-signalement", password="x", role=Role.SIGNALLER, organisation=landlord
    )
    coordinator = User.objects.create_user(
        username="t9-coordination", password="x", role=Role.COORDINATOR, organisation=association
    )
    coordinator.territories.add(territory)
    # The landlord's social worker, as on the demo's territories.
    professional = User.objects.create_user(
        username="t9-professionnel", password="x", role=Role.PROFESSIONAL, organisation=landlord
    )
    assert territory.platform.memberships.filter(organisation=association).exists()

    situation = referral_create_situation(
        user=signaller,
        data=ReferralData(
            last_name="Fictif",
            first_name="Alix",
            landlord_id=landlord.pk,
            commune_id=Commune.objects.get(insee_code="69991").pk,
            address="1 place de l'Essai",
            source="caretaker",
            urgency="normal",
            difficulties=("rent_arrears",),
            lease_reference="",
            description="Retards de loyer.",
            identified_on=dt.date(2026, 3, 2),
        ),
    ).situation
    assert situation.platform.territory == territory
    day = dt.date(2026, 3, 2)
    for user, action, payload in (
        (professional, "inform", {"method": "phone"}),
        (professional, "contact_reached", {}),
        (coordinator, "assess", {}),
        (
            coordinator,
            "orient",
            {
                "orientation": "agr",
                "lead_professional_id": professional.pk,
                "referent_organisation_id": association.pk,
            },
        ),
        (professional, "start_support", {}),
        (
            professional,
            "close",
            {"outcome": "housed_no_procedure", "exit_debt": 0, "housing_status": "same_dwelling"},
        ),
    ):
        day += dt.timedelta(days=3)
        situation.refresh_from_db()
        situation_transition(
            user=user,
            situation_id=situation.pk,
            action=action,
            expected_version=situation.version,
            occurred_on=day,
            payload=payload,
            today=dt.date(2026, 6, 15),
        )
    situation.refresh_from_db()
    assert situation.status == Status.CLOSED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="autre"), "format"),
        (lambda d: d.pop("communes"), "communes"),
        (lambda d: d["warning_rules"][0].update(parameters={"months": "beaucoup"}), "repérage"),
        (lambda d: d["territory"].update(landlords_present=["INCONNU"]), "INCONNU"),
        (lambda d: d["organisations"].append({"code": "NEW", "kind": "martien"}), "martien"),
    ],
)
def test_a_bad_kit_is_refused_in_french_and_creates_nothing(demo_reference, change, message):
    data = export_territory(Territory.objects.get(code="T1"))
    data["communes"] = [{"insee_code": "69991", "name": "Villeneuve-des-Essais"}]
    change(data)
    before = (Territory.objects.count(), Commune.objects.count(), WarningRule.objects.count())
    with translation.override("fr"), pytest.raises(KitError, match=message):
        import_territory(load(dump(data)), code="T9", name="Neuf")
    after = (Territory.objects.count(), Commune.objects.count(), WarningRule.objects.count())
    assert after == before


def test_communes_of_another_territory_are_refused(demo_reference, tmp_path):
    kit = _exported(tmp_path)
    with translation.override("fr"), pytest.raises(CommandError, match="appartient déjà"):
        call_command("etage_territory", "import", str(kit), "--code", "T9", "--name", "Neuf")
    assert not Territory.objects.filter(code="T9").exists()


def test_an_existing_code_and_a_broken_file_are_refused(demo_reference, tmp_path):
    kit = _as_new_territory(_exported(tmp_path))
    with translation.override("fr"):
        with pytest.raises(CommandError, match="existe déjà"):
            call_command("etage_territory", "import", str(kit), "--code", "T1", "--name", "Neuf")
        broken = tmp_path / "broken.yaml"
        broken.write_text("format: [etage", encoding="utf-8")
        with pytest.raises(CommandError, match="YAML"):
            call_command("etage_territory", "import", str(broken))


def test_the_landlords_extract_layouts_travel_with_the_kit(demo_reference):
    """A landlord present on the territory keeps its layout; a landlord that the kit creates
    gets the layout the file gives; an existing layout is never overwritten."""
    t1 = Territory.objects.get(code="T1")
    landlord = t1.landlords_present.order_by("code").first()
    ImportProfile.objects.update_or_create(
        landlord=landlord, defaults={"column_mapping": {"lease_reference": "N° bail"}}
    )
    data = export_territory(t1)
    assert {"landlord": landlord.code, "column_mapping": {"lease_reference": "N° bail"}} in data[
        "import_profiles"
    ]

    data["communes"] = [{"insee_code": "69991", "name": "Villeneuve-des-Essais"}]
    data["organisations"].append({"code": "BNEUF", "name": "Bailleur neuf", "kind": "landlord"})
    data["territory"]["landlords_present"].append("BNEUF")
    data["import_profiles"] = [
        {"landlord": landlord.code, "column_mapping": {"lease_reference": "Autre en-tête"}},
        {"landlord": "BNEUF", "column_mapping": {"lease_reference": " Réf. contrat "}},
    ]
    import_territory(load(dump(data)), code="T9", name="Neuf")
    assert ImportProfile.objects.get(landlord=landlord).column_mapping == {
        "lease_reference": "N° bail"
    }
    assert ImportProfile.objects.get(landlord__code="BNEUF").column_mapping == {
        "lease_reference": "Réf. contrat"
    }


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"landlord": "BNEUF", "column_mapping": {"loyer_du_mois": "Loyer"}}, "loyer_du_mois"),
        ({"landlord": "AILLEURS", "column_mapping": {}}, "AILLEURS"),
        ({"column_mapping": {}}, "bailleur"),
    ],
)
def test_a_bad_extract_layout_refuses_the_whole_kit(demo_reference, profile, message):
    data = export_territory(Territory.objects.get(code="T1"))
    data["communes"] = [{"insee_code": "69991", "name": "Villeneuve-des-Essais"}]
    data["organisations"].append({"code": "BNEUF", "name": "Bailleur neuf", "kind": "landlord"})
    data["territory"]["landlords_present"].append("BNEUF")
    data["import_profiles"] = [profile]
    with translation.override("fr"), pytest.raises(KitError, match=message):
        import_territory(load(dump(data)), code="T9", name="Neuf")
    assert not Territory.objects.filter(code="T9").exists()
    assert not Organisation.objects.filter(code="BNEUF").exists()
