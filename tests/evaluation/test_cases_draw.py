"""Drawing case studies from the snapshot: preview, confirmation, reproducibility, the record
kept, its verification, the empty state without a snapshot, and deny by default."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.analytics.filters import Filters
from etage.analytics.store import connect, manifest
from etage.evaluation import services_cases
from etage.evaluation.models import CaseDraw, CaseStudy
from etage.evaluation.sampling import draw_cases, outcome_family
from etage.evaluation.selectors_cases import case_strata, manifest_fingerprint
from tests.analytics.logs import BuiltLog, write_log
from tests.evaluation.cases_world import (
    CasesWorld,
    build_cases_world,
    snapshot_at,
)

pytestmark = pytest.mark.django_db
#: The snapshot fixtures (built, snapshot, no_snapshot).
pytest_plugins = ["tests.evaluation.cases_fixtures"]


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CasesWorld:
    return build_cases_world(demo_reference)


def _url(name: str, world: CasesWorld, **kwargs: Any) -> str:
    return reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk, **kwargs})


def _settings(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": "total",
        "size": 10,
        "allocation": "proportional",
        "by": ["territory", "level", "outcome_family"],
        "seed": 42,
    }
    data.update(changes)
    return data


def _preview(client: Any, world: CasesWorld, **changes: Any) -> tuple[Any, str]:
    response = client.post(_url("case_draw", world), {**_settings(**changes), "action": "preview"})
    assert response.status_code == 200
    match = re.search(r'name="preview" value="([0-9a-f]{64})"', response.content.decode())
    assert match, "the preview carries the digest of the draw shown"
    return response, match.group(1)


def _confirm(client: Any, world: CasesWorld, **changes: Any) -> Any:
    _response, digest = _preview(client, world, **changes)
    return client.post(
        _url("case_draw", world), {**_settings(**changes), "action": "confirm", "preview": digest}
    )


def _expected(built: BuiltLog, **kwargs: Any) -> Any:
    con = connect(built.directory)
    try:
        return draw_cases(con, **kwargs)
    finally:
        con.close()


def test_the_draw_form_proposes_a_random_seed(client, world, snapshot):
    client.force_login(world.lead)
    seeds = set()
    for _ in range(3):
        page = client.get(_url("case_draw", world)).content.decode()
        seeds.add(re.search(r'name="seed" value="(\d+)"', page).group(1))
    assert len(seeds) > 1


def test_the_preview_shows_the_strata_and_records_nothing(client, world, snapshot):
    client.force_login(world.lead)
    response, _digest = _preview(client, world)
    page = response.content.decode()
    expected = _expected(snapshot, total=10, seed=42)
    assert 'data-testid="strata"' in page
    for case_id in expected.case_ids:
        assert case_id in page
    assert not CaseDraw.objects.exists()
    assert not CaseStudy.objects.exists()


def test_confirming_records_the_draw_and_creates_one_case_per_situation(client, world, snapshot):
    client.force_login(world.lead)
    response = _confirm(client, world)
    assert response.status_code == 302
    expected = _expected(snapshot, total=10, seed=42)
    record = CaseDraw.objects.get(project=world.project)
    assert record.seed == 42
    assert record.created_by == world.lead
    assert record.draw == json.loads(expected.to_json())
    assert record.snapshot == manifest_fingerprint(manifest(snapshot.directory))
    cases = CaseStudy.objects.filter(project=world.project).order_by("pk")
    assert sorted(c.case_id for c in cases) == sorted(expected.case_ids)
    assert [c.title for c in cases] == [f"Cas {n}" for n in range(1, 11)]
    rows = {r["case_id"]: r for r in snapshot.situations}
    for case in cases:
        row = rows[case.case_id]
        assert case.draw == record
        assert (case.territory, case.level) == (row["territory"], row["level"] or "")
        assert case.outcome == outcome_family(row["closed_day"] is not None, row["outcome"])
    page = client.get(_url("cases", world)).content.decode()
    assert "Cas 10" in page
    assert "42" in page


def test_the_same_seed_gives_the_same_cases_and_another_seed_others(client, people_pair, snapshot):
    first, second = people_pair
    client.force_login(first.lead)
    _confirm(client, first, seed=7, size=8)
    _confirm(client, second, seed=7, size=8)
    drawn = [
        set(CaseStudy.objects.filter(project=w.project).values_list("case_id", flat=True))
        for w in (first, second)
    ]
    assert drawn[0] == drawn[1]
    assert len(drawn[0]) == 8
    assert set(_expected(snapshot, total=8, seed=8).case_ids) != drawn[0]


@pytest.fixture
def people_pair(demo_reference: dict[str, User]) -> tuple[CasesWorld, CasesWorld]:
    return (
        build_cases_world(demo_reference, name="Projet A"),
        build_cases_world(demo_reference, name="Projet B"),
    )


def test_per_stratum_and_filters_are_applied(client, world, snapshot):
    client.force_login(world.lead)
    _confirm(client, world, mode="per_stratum", size=1, territory=["T2"], by=["level"])
    expected = _expected(
        snapshot, filters=Filters(territories=("T2",)), by=("level",), per_stratum=1, seed=42
    )
    assert set(CaseStudy.objects.values_list("case_id", flat=True)) == set(expected.case_ids)
    assert set(CaseStudy.objects.values_list("territory", flat=True)) == {"T2"}
    record = CaseDraw.objects.get()
    assert record.draw["filters"] == {"query": {"territory": ["T2"]}}


def test_a_confirmation_that_does_not_match_the_preview_records_nothing(client, world, snapshot):
    client.force_login(world.lead)
    _response, digest = _preview(client, world, seed=1)
    response = client.post(
        _url("case_draw", world), {**_settings(seed=2), "action": "confirm", "preview": digest}
    )
    assert response.status_code == 200
    assert "depuis l’aperçu" in response.content.decode()
    assert not CaseDraw.objects.exists()


def test_situations_already_studied_are_skipped_and_said_so(client, world, snapshot):
    expected = _expected(snapshot, total=10, seed=42)
    known = expected.case_ids[3]
    CaseStudy.objects.create(project=world.project, case_id=known, title="Cas 4")
    client.force_login(world.lead)
    response = _confirm(client, world)
    page = client.get(response["Location"]).content.decode()
    assert known in page
    assert "pas été créée" in page
    assert CaseStudy.objects.filter(project=world.project, case_id=known).count() == 1
    titles = set(CaseStudy.objects.exclude(case_id=known).values_list("title", flat=True))
    assert titles == {f"Cas {n}" for n in range(5, 14)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"size": 0}, "supérieure ou égale à 1"),
        ({"seed": -3}, "supérieure ou égale à 0"),
        ({"seed": "abc"}, "Saisissez un nombre entier"),
        ({"by": []}, "Ce champ est obligatoire"),
        ({"period_from": "2024-13"}, "AAAA-MM"),
        ({"period_from": "2024-06", "period_to": "2024-01"}, "avant le mois de début"),
        ({"mode": "everything"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_settings_are_refused_in_french_and_record_nothing(
    client, world, snapshot, changes, message
):
    client.force_login(world.lead)
    data = {**_settings(**changes), "action": "confirm", "preview": "0" * 64}
    response = client.post(_url("case_draw", world), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CaseDraw.objects.exists()


def test_a_filter_matching_nothing_shows_an_empty_preview(client, world, snapshot):
    client.force_login(world.lead)
    response, _digest = _preview(client, world, period_from="2030-01")
    assert "Aucune situation" in response.content.decode()
    response = _confirm(client, world, period_from="2030-01")
    assert not CaseDraw.objects.exists()


def _record(world: CasesWorld, built: BuiltLog, **kwargs: Any) -> CaseDraw:
    con = connect(built.directory)
    try:
        draw = draw_cases(con, seed=11, **kwargs)
        strata = case_strata(con, draw.case_ids)
    finally:
        con.close()
    return services_cases.case_draw_record(
        project=world.project, user=world.lead, draw=draw, snapshot="x", strata=strata
    ).record


def test_a_recorded_draw_is_verified_then_not_once_the_population_changed(
    client, world, snapshot, settings, tmp_path: Path
):
    record = _record(world, snapshot, total=12, filters=Filters(territories=("T1", "T3")))
    client.force_login(world.lead)
    response = client.post(_url("case_draw_verify", world, pk=record.pk), follow=True)
    page = response.content.decode()
    assert "Tirage vérifié" in page
    assert re.search(r'data-testid="draw-check">\s*<strong>✓ vérifié', page)
    # A later snapshot: one situation of T3 was purged.
    gone = next(r for r in snapshot.situations if r["territory"] == "T3")
    write_log(
        tmp_path / "later",
        [r for r in snapshot.situations if r is not gone],
        [e for e in snapshot.events if e["case_id"] != gone["case_id"]],
    )
    snapshot_at(settings, tmp_path / "later")
    response = client.post(_url("case_draw_verify", world, pk=record.pk), follow=True)
    page = response.content.decode()
    assert "Tirage non vérifié" in page
    assert "a changé depuis le tirage" in page
    assert "T3" in page
    assert "✗ non vérifié" in page
    # The verification is kept on the draw: another member sees it in another session.
    record.refresh_from_db()
    assert (record.verified_ok, record.verified_by) == (False, world.lead)
    assert any("T3" in reason for reason in record.verification_reasons)
    other = Client()
    other.force_login(world.coder)
    page = other.get(_url("cases", world)).content.decode()
    assert "✗ non vérifié" in page
    assert "a changé depuis le tirage" in page


def test_without_a_snapshot_the_pages_say_how_to_build_one(client, world, no_snapshot):
    client.force_login(world.lead)
    page = client.get(_url("case_draw", world)).content.decode()
    assert 'data-testid="no-snapshot"' in page
    assert "etage_snapshot" in page
    response = client.post(_url("case_draw", world), {**_settings(), "action": "confirm"})
    assert response.status_code == 200
    assert not CaseDraw.objects.exists()
    case = CaseStudy.objects.create(project=world.project, case_id="ABC", title="Cas 1")
    page = client.get(_url("case", world, pk=case.pk)).content.decode()
    assert 'data-testid="no-snapshot"' in page
    record = CaseDraw.objects.create(project=world.project, draw={}, seed=1, created_by=world.lead)
    response = client.post(_url("case_draw_verify", world, pk=record.pk), follow=True)
    assert response.status_code == 200
    assert "etage_snapshot" in response.content.decode()


def test_an_unreadable_recorded_draw_is_reported_not_verified(client, world, snapshot):
    record = CaseDraw.objects.create(
        project=world.project, draw={"format": 99}, seed=1, created_by=world.lead
    )
    client.force_login(world.lead)
    page = client.post(_url("case_draw_verify", world, pk=record.pk), follow=True)
    assert "Tirage non vérifié" in page.content.decode()


def test_an_empty_draw_is_not_recorded(world, snapshot):
    con = connect(snapshot.directory)
    try:
        draw = draw_cases(con, Filters(period_from="2030-01"), total=5, seed=1)
    finally:
        con.close()
    with pytest.raises(services_cases.EvaluationError):
        services_cases.case_draw_record(
            project=world.project, user=world.lead, draw=draw, snapshot="", strata={}
        )
    assert not CaseDraw.objects.exists()
