"""The agreement page and its service equal the reference implementations (scikit-learn's
``cohen_kappa_score``, the ``krippendorff`` package) on hand-made double codings stored as
segments: full agreement, no agreement, a code one coder never used, and a code applied on
every turn (not computable). The expected decisions are written out by hand from the unit
definition (a speaker turn, a code applied when one of the coder's segments touches it), so
the test checks the unit building as well as the scores."""

from __future__ import annotations

import math
import warnings
from typing import Any

import krippendorff
import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from sklearn.metrics import cohen_kappa_score

from etage.accounts.models import User
from etage.evaluation.selectors_coding import agreement
from tests.evaluation.coding_world import (
    CodingWorld,
    add_transcript,
    build_coding_world,
    code_turns,
)

pytestmark = pytest.mark.django_db

TURNS = 6


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CodingWorld:
    return build_coding_world(demo_reference)


def decisions(turns: list[int]) -> list[int]:
    return [int(n in turns) for n in range(1, TURNS + 1)]


def sk_kappa(a: list[int], b: list[int]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b, labels=[0, 1]))


def ref_alpha(a: list[int], b: list[int]) -> float:
    try:
        return float(
            krippendorff.alpha(np.array([a, b], dtype=float), level_of_measurement="nominal")
        )
    except ValueError:  # a single value: undefined, our nan
        return math.nan


def same(ours: float | None, reference: float) -> bool:
    assert ours is not None
    if math.isnan(reference):
        return math.isnan(ours)
    return abs(ours - reference) <= 1e-9


#: name → {code: (turns coder A applied it to, turns coder B applied it to)}
CASES: dict[str, dict[str, tuple[list[int], list[int]]]] = {
    "full agreement": {
        "early": ([2], [2]),
        "landlord": ([3, 4], [3, 4]),
        "coordination": ([6], [6]),
    },
    "no agreement": {
        "early": ([1, 3, 5], [2, 4, 6]),
        "landlord": ([2, 4, 6], [1, 3, 5]),
    },
    "a code coder B never used": {
        "early": ([2, 4], [2]),
        "landlord": ([4], []),
        "coordination": ([6], [5, 6]),
    },
    "a code applied to every turn by both": {
        "early": ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]),
        "landlord": ([4], [3, 4]),
    },
}


def _store(world: CodingWorld, case: dict[str, tuple[list[int], list[int]]]) -> None:
    for name, (turns_a, turns_b) in case.items():
        # Coder B selects fewer words: the turn, not the exact span, is the unit.
        code_turns(world.transcript, world.codes[name], world.lead, turns_a)
        code_turns(world.transcript, world.codes[name], world.coder, turns_b, part=True)


@pytest.mark.parametrize("name", list(CASES))
def test_the_service_equals_scikit_learn_and_krippendorff(world, name):
    case = CASES[name]
    _store(world, case)
    found = agreement(world.project, world.lead, world.coder)
    assert found.result is not None
    codes_in_order = [c for c in ("early", "landlord", "coordination") if c in case]
    assert [found.codes[c.code].name for c in found.result.per_code] == [
        world.codes[c].name for c in codes_in_order
    ]
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for result, name_ in zip(found.result.per_code, codes_in_order, strict=True):
        a, b = (decisions(t) for t in case[name_])
        pooled_a += a
        pooled_b += b
        assert result.units == TURNS
        assert same(result.kappa, sk_kappa(a, b)), name_
        assert same(result.alpha, ref_alpha(a, b)), name_
        assert result.percent_agreement == sum(x == y for x, y in zip(a, b, strict=True)) / TURNS
    assert same(found.result.kappa, sk_kappa(pooled_a, pooled_b))
    assert same(found.result.alpha, ref_alpha(pooled_a, pooled_b))


def test_full_and_no_agreement_are_the_extremes(world):
    _store(world, CASES["no agreement"])
    found = agreement(world.project, world.lead, world.coder)
    assert found.result is not None
    assert found.result.kappa == pytest.approx(-1.0)
    assert found.result.percent_agreement == 0


def _page(world: CodingWorld, user: User | None = None, **query: Any) -> str:
    client = Client()
    client.force_login(user or world.lead)
    url = reverse("evaluation:agreement", args=[world.project.pk])
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def _french(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_the_page_shows_the_reference_scores_with_their_band(world):
    _store(world, CASES["a code coder B never used"])
    html = _page(world)
    overall = html.split('data-testid="agreement-overall"')[1].split("</tr>")[0]
    case = CASES["a code coder B never used"]
    pooled_a = [d for c in ("early", "landlord", "coordination") for d in decisions(case[c][0])]
    pooled_b = [d for c in ("early", "landlord", "coordination") for d in decisions(case[c][1])]
    kappa, alpha = sk_kappa(pooled_a, pooled_b), ref_alpha(pooled_a, pooled_b)
    assert _french(kappa) in overall
    assert _french(alpha) in overall
    assert "accord" in overall  # the Landis and Koch band, in words
    assert "L’unité est le tour de parole" in html
    assert "Rôle du bailleur" in html


def test_an_undefined_score_says_not_computable_and_why(world):
    _store(world, CASES["a code applied to every turn by both"])
    html = _page(world)
    table = html.split('data-testid="agreement"')[1]
    early = table.split("Repérage précoce")[1].split("</tr>")[0]
    assert early.count("non calculable") == 2
    assert "le hasard suffit à expliquer cet accord" in early
    assert "nan" not in table.lower().replace("nance", "")


def test_only_transcripts_both_coded_count_and_the_reconciled_coding_never(world):
    _store(world, CASES["full agreement"])
    other = add_transcript(world.project, "E09", world.lead)
    # Only coder A coded the second transcript: it cannot show (dis)agreement.
    code_turns(other, world.codes["early"], world.lead, [1, 3, 5])
    code_turns(world.transcript, world.codes["coordination"], world.lead, [1])
    segment = code_turns(world.transcript, world.codes["coordination"], world.coder, [1])[0]
    segment.consensus = True  # a reconciled segment, whoever wrote it, is not coder B's coding
    segment.save()
    found = agreement(world.project, world.lead, world.coder)
    assert [t.interview.reference for t in found.transcripts] == ["E01"]
    assert found.result is not None
    coordination = next(
        c for c in found.result.per_code if found.codes[c.code].name == "Coordination"
    )
    a, b = decisions([1, 6]), decisions([6])
    assert same(coordination.kappa, sk_kappa(a, b))


def test_the_transcript_filter_and_the_coder_pair_are_chosen_in_the_page(world, demo_reference):
    _store(world, CASES["full agreement"])
    other = add_transcript(world.project, "E09", world.lead)
    code_turns(other, world.codes["early"], world.lead, [1, 3])
    code_turns(other, world.codes["early"], world.coder, [2, 4])
    both = _page(world)
    assert "E01, E09" in both
    only = _page(
        world, coder_a=world.lead.pk, coder_b=world.coder.pk, transcript=world.transcript.pk
    )
    assert "Comparaison sur 1 transcription" in only
    overall = only.split('data-testid="agreement-overall"')[1].split("</tr>")[0]
    assert "1,00" in overall
    assert "accord presque parfait" in overall


def test_the_same_coder_twice_is_refused_in_french(world):
    _store(world, CASES["full agreement"])
    html = _page(world, coder_a=world.lead.pk, coder_b=world.lead.pk)
    assert "Choisissez deux codeur·ses différent·es." in html
    assert 'data-testid="agreement-overall"' not in html


def test_a_coder_outside_the_choices_or_garbage_is_a_form_error_not_a_500(world):
    _store(world, CASES["full agreement"])
    html = _page(world, coder_a="abc", coder_b=world.outsider.pk, transcript="x")
    assert "Sélectionnez un choix valide" in html


def test_with_a_single_coder_the_page_says_what_to_do(world):
    code_turns(world.transcript, world.codes["early"], world.lead, [2])
    html = _page(world)
    assert 'data-testid="no-double-coding"' in html


def test_a_non_member_gets_404(world):
    client = Client()
    client.force_login(world.outsider)
    url = reverse("evaluation:agreement", args=[world.project.pk])
    assert client.get(url).status_code == 404
