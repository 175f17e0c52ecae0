"""Double coding in a real browser: the lead evaluator codes a passage selected with the mouse
and another with the keyboard lists; a second coder, member of the project, codes the same
transcript blind (the first coder's segments are not shown) with the keyboard; the agreement
page shows Cohen's kappa and Krippendorff's alpha, equal to scikit-learn's; the
reconciliation page lists the disagreement. Every page passes the axe-core audit."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sklearn.metrics import cohen_kappa_score

from etage.accounts.models import User
from etage.evaluation.models import Segment
from tests.browser.conftest import audit
from tests.evaluation.coding_world import (
    CALLED,
    SUSPENDED,
    CodingWorld,
    build_coding_world,
    words_at,
)


@pytest.fixture
def world(demo_site: None) -> CodingWorld:
    people = {u.username: u for u in User.objects.filter(username__endswith="-evaluation")}
    return build_coding_world(people)


def _select_with_the_mouse(page: Page, words: str) -> None:
    """Drag over ``words`` in the transcript: press at their first character, release after
    their last (the text runs carry their offsets, the page turns the selection into them)."""
    run = page.locator("#transcript-text [data-offset]", has_text=words).first
    box = page.evaluate(
        """([run, words]) => {
            const node = run.firstChild;
            const start = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, start + words.length - 1);
            range.setEnd(node, start + words.length);
            const last = range.getBoundingClientRect();
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right, y2: last.top + last.height / 2};
        }""",
        [run.element_handle(), words],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def _open_transcript(page: Page, world: CodingWorld) -> None:
    page.goto(f"/evaluation/projets/{world.project.pk}/")
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Codage et accord inter-codeurs"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codage et accord inter-codeurs")
    audit(page)
    page.get_by_role("link", name="Coder l’entretien E01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codage de l’entretien E01")


def _kappa(a: list[int], b: list[int]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(a, b, labels=[0, 1]))
    return f"{value:.2f}".replace(".", ",")


def test_two_coders_code_blind_and_the_agreement_page_shows_kappa_and_alpha(
    open_as: Any, world: CodingWorld
) -> None:
    lead = open_as("t1-evaluation")
    _open_transcript(lead, world)
    audit(lead)

    # The lead selects words with the mouse and codes them.
    _select_with_the_mouse(lead, CALLED)
    start, end = words_at(world.transcript, CALLED)
    expect(lead.locator("#selection-preview")).to_contain_text(f"caractères {start} à {end}")
    lead.locator("#id_code").select_option(label="Repérage précoce")
    lead.get_by_role("button", name="Coder le passage").click()
    expect(lead.get_by_role("status")).to_contain_text("codé avec « Repérage précoce »")
    segments = lead.get_by_test_id("segments")
    expect(segments).to_contain_text(CALLED)
    expect(lead.locator(f'#transcript-text mark[data-offset="{start}"]')).to_have_count(1)
    # The keyboard focus comes back to the code list, ready for the next passage.
    expect(lead.locator("#id_code")).to_be_focused()

    # A second passage, chosen with the keyboard lists (no mouse).
    lead.locator("#id_code").select_option(label="Rôle du bailleur")
    lead.locator("#id_passage_start").select_option(label=f"Phrase 1 : « {SUSPENDED} »")
    lead.get_by_role("button", name="Coder le passage").click()
    expect(lead.get_by_role("status")).to_contain_text("codé avec « Rôle du bailleur »")
    expect(segments).to_contain_text(SUSPENDED)
    audit(lead)
    assert Segment.objects.filter(coder=world.lead).count() == 2

    # The second coder codes the same transcript blind.
    coder = open_as("t2-evaluation")
    _open_transcript(coder, world)
    expect(coder.get_by_test_id("blind-state")).to_contain_text(
        "2 segments d’autres codeur·ses sont masqués."
    )
    expect(coder.get_by_test_id("segments")).to_have_count(0)
    expect(coder.locator("#transcript-text mark")).to_have_count(0)
    audit(coder)
    coder.locator("#id_code").select_option(label="Repérage précoce")
    coder.locator("#id_passage_start").select_option(label="Tout le tour 2")
    coder.get_by_role("button", name="Coder le passage").click()
    expect(coder.get_by_role("status")).to_contain_text("codé avec « Repérage précoce »")
    expect(coder.get_by_test_id("segments")).not_to_contain_text("Rôle du bailleur")
    audit(coder)

    # Revealing shows the lead's coding too (the choice lives in the address only).
    coder.get_by_role("link", name="Voir le codage des autres").click()
    expect(coder.get_by_test_id("segments")).to_contain_text("Rôle du bailleur")
    audit(coder)

    # The agreement page: turns 2 agree on "early"; turn 4 has "landlord" from A only.
    lead.goto(f"/evaluation/projets/{world.project.pk}/codage/accord/")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Accord inter-codeurs")
    overall = lead.get_by_test_id("agreement-overall")
    early = [0, 1, 0, 0, 0, 0]
    landlord_a, landlord_b = [0, 0, 0, 1, 0, 0], [0] * 6
    expect(overall).to_contain_text(_kappa(early + landlord_a, early + landlord_b))
    expect(overall).to_contain_text("accord")
    table = lead.get_by_test_id("agreement")
    expect(table.get_by_role("row", name="Repérage précoce")).to_contain_text("1,00")
    expect(table.get_by_role("row", name="Rôle du bailleur")).to_contain_text(
        _kappa(landlord_a, landlord_b)
    )
    expect(lead.get_by_text("L’unité est le tour de parole")).to_be_visible()
    audit(lead)

    # The reconciliation lists turn 4 and resolves it.
    lead.goto(
        f"/evaluation/projets/{world.project.pk}/codage/transcriptions/{world.transcript.pk}/reconciliation/"
    )
    expect(lead.get_by_test_id("reconcile-progress")).to_contain_text("0 désaccords résolus sur 1")
    audit(lead)
    lead.get_by_role("button", name="Garder A — tour 4").click()
    expect(lead.get_by_test_id("reconcile-progress")).to_contain_text("1 désaccords résolus sur 1")
    audit(lead)


def test_a_memo_is_written_from_a_segment(open_as: Any, world: CodingWorld) -> None:
    start, end = words_at(world.transcript, CALLED)
    Segment.objects.create(
        transcript=world.transcript,
        code=world.codes["early"],
        coder=world.coder,
        start=start,
        end=end,
        text=CALLED,
    )
    coder = open_as("t2-evaluation")
    coder.goto(
        f"/evaluation/projets/{world.project.pk}/codage/transcriptions/{world.transcript.pk}/"
    )
    coder.get_by_test_id("segments").get_by_role("link", name="Écrire un mémo").click()
    expect(coder.get_by_role("heading", level=1)).to_have_text("Nouveau mémo")
    audit(coder)
    coder.get_by_label("Titre").fill("Repérage par téléphone")
    coder.get_by_label("Texte").fill("Le premier contact est un appel.")
    coder.get_by_role("button", name="Enregistrer le mémo").click()
    expect(coder.locator("#memos")).to_contain_text("Repérage par téléphone")
    audit(coder)
