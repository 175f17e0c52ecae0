"""Case studies in a real browser: the evaluator draws cases from the snapshot (preview, then
confirm), verifies the draw, attaches a consented interview (an unconsented one is refused),
pins an excerpt to a moment of the pathway, and edits the triangulation and cross-case
matrices in place. Every page passes the axe-core audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from etage.accounts.models import User
from tests.analytics.logs import build_log
from tests.browser.conftest import audit
from tests.evaluation.cases_world import EARLY, CasesWorld, build_cases_world


@pytest.fixture
def world(demo_site: None, tmp_path: Path, settings: Any) -> CasesWorld:
    settings.ETAGE_SNAPSHOT_DIR = build_log(tmp_path / "snapshot", cases=60, seed=3).directory
    people = {u.username: u for u in User.objects.filter(username__endswith="-evaluation")}
    return build_cases_world(people)


def test_the_evaluator_draws_reads_and_triangulates_a_case(open_as: Any, world: CasesWorld):
    page = open_as("t1-evaluation")
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Études de cas"
    ).click()
    expect(page.get_by_test_id("no-case")).to_be_visible()
    audit(page)

    # The draw: a random seed is proposed; the preview records nothing; confirm records.
    page.get_by_role("link", name="Tirer des études de cas").first.click()
    expect(page.get_by_label("Graine")).to_have_value(re.compile(r"^\d+$"))
    audit(page)
    page.get_by_label("Nombre de cas").fill("6")
    page.get_by_label("Graine").fill("2025")
    page.get_by_role("button", name="Voir l’aperçu du tirage").click()
    expect(page.get_by_test_id("strata")).to_be_visible()
    expect(page.get_by_text("6 situations tirées sur 60.")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Confirmer et enregistrer ce tirage").click()
    expect(
        page.get_by_text("Tirage enregistré (graine 2025) : 6 études de cas créées.")
    ).to_be_visible()
    expect(page.get_by_test_id("case-row")).to_have_count(6)
    audit(page)
    page.get_by_role("button", name=re.compile("Vérifier avec l’instantané actuel")).click()
    expect(page.get_by_text(re.compile("Tirage vérifié"))).to_be_visible()
    expect(page.get_by_test_id("draw-check")).to_contain_text("vérifié")

    # The dossier: the pathway in days; an unconsented interview is refused, E01 attached.
    page.get_by_role("link", name="Cas 1", exact=True).click()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    audit(page)
    household = page.get_by_test_id("slot-household")
    household.get_by_label("Entretien").select_option(str(world.interviews["E04"].pk))
    household.get_by_role("button", name=re.compile("Rattacher")).click()
    expect(page.get_by_test_id("slot-error")).to_contain_text("aucun consentement enregistré")
    audit(page)
    page.get_by_test_id("slot-household").get_by_label("Entretien").select_option(
        str(world.interviews["E01"].pk)
    )
    page.get_by_test_id("slot-household").get_by_role(
        "button", name=re.compile("Rattacher")
    ).click()
    expect(page.get_by_text("Entretien E01 rattaché à Cas 1.")).to_be_visible()

    # Pin the household's excerpt to the first moment of the pathway.
    moment = page.get_by_label("Moment du parcours")
    first_moment = moment.locator("option").nth(1).get_attribute("value")
    moment.select_option(first_moment)
    page.get_by_label("Extrait codé").select_option(index=1)
    page.get_by_role("button", name="Épingler", exact=True).click()
    expect(page.get_by_text("Extrait épinglé sur le parcours.")).to_be_visible()
    day, _sep, activity = (first_moment or "").partition(":")
    row = page.locator(f'[id="moment-{day}-{activity}"]')
    expect(row.get_by_test_id("pin")).to_have_count(1)
    audit(page)

    # Triangulation: edit a cell in place, keyboard focus lands in the editor.
    page.get_by_role("link", name="Matrice de triangulation de ce cas").click()
    audit(page)
    theme = world.codes["coordination"]
    cell = page.get_by_test_id(f"cell-{theme.pk}-household")
    expect(cell).to_contain_text("Pas encore jugé")
    cell.get_by_role("link", name=re.compile("Modifier")).click()
    expect(cell.get_by_label("Converge")).to_be_focused()
    cell.get_by_label("Diverge").check()
    cell.get_by_label("Commentaire").fill("Le ménage décrit une coordination tardive.")
    cell.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(cell.get_by_test_id("verdict")).to_have_text(re.compile("≠\\s+Diverge"))
    expect(cell.get_by_role("status")).to_have_text("Enregistré.")
    expect(page.get_by_text(EARLY).first).to_be_visible()
    audit(page)

    # Cross-case: a verdict and the question's count updated at once.
    page.goto(f"/evaluation/projets/{world.project.pk}/cas/croise/")
    audit(page)
    first = page.locator("[data-testid^='croise-']").first
    first.get_by_role("link", name=re.compile("Modifier")).click()
    first.get_by_label("Converge").check()
    first.get_by_label("Constat").fill("Repérage précoce confirmé par le ménage.")
    first.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(first.get_by_test_id("verdict")).to_contain_text("Converge")
    expect(page.get_by_test_id("summary-q1")).to_contain_text("1 converge")
    audit(page)
