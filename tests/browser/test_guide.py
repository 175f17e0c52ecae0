"""The journeys of the French user guide (docs/guide/): for each person, their main tasks on
the demo data, reached from the home page as a newcomer would, each page checked for what it
must show and audited with axe-core. ``shot`` takes the guide's pictures when
``make guide`` asks for them (ETAGE_GUIDE_SHOTS); an ordinary run only checks the journeys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, log_in, shot


@pytest.fixture
def demo_history(demo_site: None, tmp_path: Path, settings: Any) -> None:
    """The demo as ``make demo`` builds it, smaller: a few years of situations, meetings and
    procedures, the landlords' arrears extracts, the pseudonymised snapshot with its
    indicators, and the evaluation project."""
    from etage.demo.analytics import demo_build_analytics
    from etage.demo.evaluation import demo_build_evaluation
    from etage.demo.history import demo_build_history
    from etage.demo.imports import demo_import_extracts
    from etage.notifications.dispatch import suppressed

    with suppressed():
        demo_build_history(seed=1, count=80)
    demo_import_extracts(seed=1)
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    demo_build_analytics()
    demo_build_evaluation(seed=1)


def home(page: Page) -> None:
    page.get_by_role("link", name="Accueil").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")


def tile(page: Page, name: str) -> None:
    """Follow a link of the home page's "Ce que vous pouvez faire"."""
    section = page.get_by_role("region", name="Ce que vous pouvez faire")
    section.get_by_role("link", name=re.compile(f"^{re.escape(name)}")).click()


def h1(page: Page) -> Any:
    return expect(page.get_by_role("heading", level=1))


# --- Signalement (caretaker, agency staff) ----------------------------------------------


@pytest.mark.usefixtures("demo_site")
def test_guide_signalement(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Connexion à ETAGE")).to_be_visible()
    audit(page)
    shot(page, "premier-jour-connexion")
    log_in(page, "t1-signalement")
    h1(page).to_contain_text("Bonjour")
    expect(page.get_by_test_id("role")).to_have_text("Signalement (gardien, agence)")
    audit(page)
    shot(page, "signalement-accueil")

    tile(page, "Signaler un ménage")
    h1(page).to_have_text("Signaler un ménage")
    audit(page)
    shot(page, "signalement-formulaire")

    # Sent empty: every missing field is named, nothing is recorded.
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    audit(page)
    shot(page, "signalement-erreurs")

    page.locator("#id_last_name").fill("Fictivel")
    page.locator("#id_first_name").fill("Camille")
    page.locator("#id_address").fill("14 rue des Acacias, bât. B")
    page.locator("#id_commune").select_option(label="Vaulx-en-Velin (69256)")
    page.locator("#id_landlord").select_option(label="Est Métropole Habitat (EMH)")
    page.get_by_label("Impayés de loyer").check()
    page.get_by_label("Isolement").check()
    page.locator("#id_description").fill("Courriers non ouverts, loyer impayé depuis deux mois.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    h1(page).to_have_text("Mes signalements")
    row = page.get_by_role("row").filter(has_text="FICTIVEL")
    expect(row).to_contain_text("Reçu par la plateforme")
    audit(page)
    shot(page, "signalement-mes-signalements")

    # The status only: no detail of the support, and the situations list is not offered.
    home(page)
    expect(page.get_by_role("navigation").get_by_role("link", name="Situations")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Reçu par la plateforme")


# --- Travailleur social, professionnel de l'accompagnement ------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_professionnel(open_as: Any) -> None:
    page = open_as("t1-professionnel")
    expect(page.get_by_test_id("role")).to_have_text("Professionnel·le de l'accompagnement")
    audit(page)
    shot(page, "professionnel-accueil")

    page.get_by_role("link", name="Voir mon travail en détail").click()
    h1(page).to_have_text("Mon travail")
    expect(page.locator("main")).to_contain_text("Échéances de procédure dans les 30 jours")
    audit(page)
    shot(page, "professionnel-mon-travail")

    home(page)
    tile(page, "Situations")
    h1(page).to_have_text("Situations")
    expect(page.locator(".results-count")).to_contain_text("situations")
    audit(page)
    shot(page, "professionnel-situations")

    page.get_by_role("table").get_by_role("link", name=re.compile(r"^T1-")).first.click()
    h1(page).to_contain_text("Situation T1-")
    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("household")).to_be_visible()
    audit(page)
    shot(page, "professionnel-situation")
    shot(page, "professionnel-situation-procedure", target=page.get_by_test_id("procedure-panel"))

    page.get_by_role("link", name="Ouvrir le plan partagé").click()
    h1(page).to_have_text("Plan partagé")
    audit(page)
    shot(page, "professionnel-plan")
    page.go_back()

    page.get_by_role("link", name="Ouvrir le journal").click()
    h1(page).to_have_text("Journal")
    page.get_by_label("Appel téléphonique").check()
    page.get_by_label("Partagée avec le groupe de partage").check()
    page.locator("#id_text").fill("Appel : rendez-vous fixé mardi pour le dossier FSL.")
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(page.locator(".message--success")).to_contain_text("Entrée ajoutée au journal.")
    expect(page.get_by_test_id("journal")).to_contain_text("rendez-vous fixé mardi")
    audit(page)
    shot(page, "professionnel-journal", target=page.get_by_test_id("journal"))

    home(page)
    tile(page, "Repérage précoce")
    h1(page).to_have_text("Repérage précoce : ménages à qualifier")
    expect(page.get_by_role("link", name=re.compile("^Créer une situation")).first).to_be_visible()
    audit(page)
    shot(page, "professionnel-reperage")

    home(page)
    tile(page, "Importer l'extraction des impayés")
    h1(page).to_have_text("Imports des impayés")
    expect(page.get_by_role("table")).to_contain_text("Importé")
    audit(page)
    shot(page, "professionnel-imports")


# --- Coordination de plateforme ---------------------------------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_coordination(open_as: Any) -> None:
    page = open_as("t1-coordination")
    expect(page.get_by_test_id("role")).to_have_text("Coordination de plateforme")
    audit(page)
    shot(page, "coordination-accueil")

    page.get_by_role("link", name=re.compile("^En attente d'une décision")).first.click()
    h1(page).to_have_text("Situations")
    expect(page.get_by_label("En attente d'une décision de la plateforme")).to_be_checked()
    audit(page)
    shot(page, "coordination-en-attente")

    page.get_by_role("navigation").get_by_role("link", name="Réunions", exact=True).click()
    h1(page).to_contain_text("Réunions — Plateforme territoriale Vaulx-en-Velin et Bron")
    audit(page)
    shot(page, "coordination-reunions")

    upcoming = page.get_by_role("table").first
    upcoming.get_by_role("link").first.click()
    h1(page).to_contain_text("Réunion du")
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Prévue")
    expect(page.get_by_test_id("agenda")).to_contain_text("À examiner")
    audit(page)
    shot(page, "coordination-ordre-du-jour", target=page.get_by_test_id("agenda"))

    page.go_back()
    past = page.get_by_role("table").nth(1)
    past.get_by_role("link").first.click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Tenue")
    expect(page.get_by_role("link", name="Version de diffusion (PDF)")).to_be_visible()
    audit(page)
    shot(page, "coordination-reunion-tenue")

    page.get_by_role("navigation").get_by_role("link", name="Indicateurs").click()
    h1(page).to_have_text("Indicateurs")
    expect(page.locator("main")).to_contain_text("Situations repérées")
    audit(page)
    shot(page, "coordination-indicateurs")


# --- Recouvrement / contentieux ---------------------------------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_recouvrement(open_as: Any) -> None:
    page = open_as("t1-recouvrement")
    expect(page.get_by_test_id("role")).to_have_text("Recouvrement / contentieux")
    audit(page)
    shot(page, "recouvrement-accueil")

    page.get_by_role("link", name=re.compile("^Échéances de procédure")).first.click()
    h1(page).to_have_text("Situations")
    audit(page)
    shot(page, "recouvrement-echeances")

    page.get_by_role("table").get_by_role("link", name=re.compile(r"^T1-")).first.click()
    h1(page).to_contain_text("Situation T1-")
    panel = page.get_by_test_id("procedure-panel")
    expect(panel.get_by_test_id("milestones")).to_be_visible()
    expect(page.get_by_test_id("level")).to_be_visible()
    # The level, the referent and the procedure; never the plan, the journal or notes.
    expect(page.get_by_test_id("plan")).to_have_count(0)
    expect(page.get_by_test_id("journal")).to_have_count(0)
    audit(page)
    shot(page, "recouvrement-situation", target=panel)

    panel.get_by_role("link", name="Enregistrer un événement de procédure").click()
    page.get_by_label("Que s’est-il passé ?").select_option("commandement_de_payer")
    expect(page.get_by_test_id("event-form")).to_be_visible()
    audit(page)
    shot(page, "recouvrement-evenement-procedure")


# --- Pilotage ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_pilotage(open_as: Any) -> None:
    page = open_as("t1-pilotage")
    expect(page.get_by_test_id("role")).to_have_text("Pilotage")
    expect(page.get_by_role("navigation").get_by_role("link", name="Situations")).to_have_count(0)
    audit(page)
    shot(page, "pilotage-accueil")

    page.get_by_role("navigation").get_by_role("link", name="Indicateurs").click()
    h1(page).to_have_text("Indicateurs")
    expect(page.locator("main")).to_contain_text("les effectifs inférieurs à 5")
    expect(page.locator("main")).to_contain_text("< 5")
    audit(page)
    shot(page, "pilotage-tableau-de-bord")
    # Each chart is drawn with its table of figures just below (no information in the picture
    # alone).
    chart = page.locator("main figure.chart").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Ensemble")
    shot(page, "pilotage-graphique", target=chart)

    page.get_by_role("link", name="Comparaison des territoires").click()
    expect(page.locator("main")).to_contain_text("T1")
    audit(page)
    shot(page, "pilotage-comparaison")

    page.get_by_role("link", name="Définitions").first.click()
    expect(page.locator("main")).to_contain_text("Situations repérées")
    audit(page)
    shot(page, "pilotage-definitions")


# --- Évaluation -------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_evaluation(open_as: Any) -> None:
    page = open_as("t1-evaluation")
    expect(page.get_by_test_id("role")).to_have_text("Évaluation")
    audit(page)
    shot(page, "evaluation-accueil")

    page.get_by_role("navigation").get_by_role("link", name="Analyse des parcours").click()
    h1(page).to_have_text("Analyse des parcours")
    audit(page)
    shot(page, "evaluation-analyse")

    page.get_by_role("navigation", name="Analyse des parcours").get_by_role(
        "link", name="Carte des processus"
    ).click()
    expect(page.get_by_test_id("process-map")).to_be_visible()
    audit(page)
    shot(page, "evaluation-carte-des-processus", target=page.get_by_test_id("process-map"))

    page.get_by_role("navigation").get_by_role("link", name="Espace d’évaluation").click()
    h1(page).to_have_text("Espace d’évaluation")
    audit(page)
    shot(page, "evaluation-espace")

    page.get_by_role("link", name="Évaluation de l'expérimentation ETAGE").click()
    h1(page).to_contain_text("Évaluation de l'expérimentation ETAGE")
    expect(page.locator("main")).to_contain_text("Recueilli à ce jour")
    audit(page)
    shot(page, "evaluation-projet")

    sections = page.get_by_role("navigation", name="Sections du projet")
    sections.get_by_role("link", name="Études de cas").click()
    expect(page.get_by_role("link", name="Tirer des études de cas").first).to_be_visible()
    audit(page)
    shot(page, "evaluation-etudes-de-cas")

    sections.get_by_role("link", name="Rapport").click()
    h1(page).to_have_text("Rapport d'évaluation")
    expect(page.get_by_test_id("report-outline")).to_be_visible()
    audit(page)
    shot(page, "evaluation-rapport")


# --- Délégué·e à la protection des données ----------------------------------------------


@pytest.mark.usefixtures("demo_history")
def test_guide_dpd(open_as: Any) -> None:
    from etage.situations.models import Situation

    situation = Situation.objects.filter(platform__territory__code="T1").order_by("pk").first()
    assert situation is not None
    person = situation.household.people.order_by("pk").first()
    assert person is not None

    page = open_as("t1-dpd")
    expect(page.get_by_test_id("role")).to_have_text("Délégué·e à la protection des données")
    audit(page)
    shot(page, "dpd-accueil")

    tile(page, "Journal des accès")
    h1(page).to_have_text("Journal des accès")
    expect(page.get_by_test_id("entry").first).to_be_visible()
    audit(page)
    shot(page, "dpd-journal-des-acces")

    home(page)
    tile(page, "Demandes d'exercice des droits")
    h1(page).to_have_text("Demandes d'exercice des droits")
    audit(page)
    shot(page, "dpd-demandes")

    page.get_by_role("link", name="Retrouver une personne").click()
    h1(page).to_have_text("Tout ce qui est détenu sur une personne")
    page.get_by_label(re.compile(r"^Nom \(")).fill(person.last_name)
    page.get_by_label("Motif").fill("Demande d'accès reçue par courrier")
    page.get_by_role("button", name="Rechercher").click()
    household = page.get_by_test_id("household").filter(has_text=situation.reference)
    expect(household).to_contain_text(person.last_name.upper(), ignore_case=True)
    expect(household.get_by_role("button", name="Produire le dossier (JSON)")).to_be_visible()
    audit(page)
    shot(page, "dpd-recherche-personne", target=household)

    home(page)
    tile(page, "Accès d’urgence")
    h1(page).to_have_text("Accès d’urgence")
    audit(page)
    shot(page, "dpd-acces-urgence")


# --- Administration ---------------------------------------------------------------------


@pytest.mark.usefixtures("demo_site")
def test_guide_admin(open_as: Any) -> None:
    page = open_as("t1-admin")
    expect(page.get_by_test_id("role")).to_have_text("Administration")
    audit(page)
    shot(page, "admin-accueil")

    tile(page, "Gérer les organisations")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="EMH", exact=True))
    expect(row).to_contain_text("Est Métropole Habitat")
    audit(page)
    shot(page, "admin-organisations")

    # The back-office's side menu leads to the accounts; "Voir le site" back to ETAGE.
    page.get_by_role("link", name="Utilisateur·rices", exact=True).first.click()
    expect(page.get_by_role("link", name="t1-signalement")).to_be_visible()
    audit(page)
    shot(page, "admin-comptes")

    page.get_by_role("link", name="Voir le site").click()
    h1(page).to_contain_text("Bonjour")
    page.get_by_role("navigation").get_by_role("link", name="Démarrer une plateforme").click()
    h1(page).to_have_text("Démarrer une plateforme")
    expect(page.locator("main")).to_contain_text(re.compile(r"\d+ étapes faites sur 10"))
    expect(page.locator("main")).to_contain_text("Fait : Communes couvertes")
    audit(page)
    shot(page, "admin-demarrer-plateforme")
