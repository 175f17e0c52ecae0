"""The evaluator's process analytics pages (issue 8, part E): evaluators only, filters read
from the query and kept across pages, French messages for bad values, an empty state without
a snapshot, and the very figures ``etage_analyse`` prints."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.analytics import figures, process
from etage.analytics.filters import Filters
from etage.analytics.store import connect
from tests.analytics.logs import BuiltLog, build_log

pytestmark = [pytest.mark.django_db]

#: Every page without kwargs (the others are built from the snapshot in the tests).
PAGES = (
    "analytics:process_hub",
    "analytics:process_map",
    "analytics:variants",
    "analytics:survival",
    "analytics:compliance",
    "analytics:quality",
    "analytics:typology",
)
EVALUATOR = "t1-evaluation"


@pytest.fixture
def snapshot(tmp_path: Path, settings: Any) -> BuiltLog:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    return build_log(tmp_path / "snapshot", cases=160, seed=3)


@pytest.fixture
def evaluator(client_for: Callable[[str], Client]) -> Client:
    return client_for(EVALUATOR)


def _a_variant(log: BuiltLog) -> tuple[str, str]:
    con = connect(log.directory)
    found = process.variants(con, Filters())
    first = found[0]
    return first.id, process.variant_cases(con, Filters(), first.id, 1)[0]


def _urls(log: BuiltLog) -> list[str]:
    variant, case_id = _a_variant(log)
    return [
        *(reverse(name) for name in PAGES),
        reverse("analytics:variant_cases", kwargs={"variant": variant}),
        reverse("analytics:timeline", kwargs={"case_id": case_id}),
        *(
            reverse("analytics:process_export", kwargs={"table": t})
            for t in ("edges", "variants", "survival", "compliance")
        ),
    ]


def test_the_evaluator_reaches_every_page(evaluator: Client, snapshot: BuiltLog) -> None:
    for url in _urls(snapshot):
        response = evaluator.get(url)
        assert response.status_code == 200, url


def test_every_other_persona_is_refused(
    demo_reference: dict[str, User], snapshot: BuiltLog
) -> None:
    urls = _urls(snapshot)
    others = [u for u in demo_reference.values() if u.role != "evaluator"]
    assert {u.role for u in others} >= {
        "signaller",
        "professional",
        "coordinator",
        "rent_recovery",
        "steering",
        "dpo",
        "admin",
    }
    for user in others:
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
    anonymous = Client().get(urls[0])
    assert anonymous.status_code in (302, 403)


def test_without_a_snapshot_every_page_says_so(
    evaluator: Client, tmp_path: Path, settings: Any
) -> None:
    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "nothing"
    for name in PAGES:
        response = evaluator.get(reverse(name))
        assert response.status_code == 200, name
        assert response.context["missing"]
        assert b"etage_snapshot" in response.content
        assert 'data-testid="no-snapshot"' in response.content.decode()


def test_filters_restrict_the_figures_and_follow_every_link(
    evaluator: Client, snapshot: BuiltLog
) -> None:
    query = {"territory": "T1", "level": "agr"}
    response = evaluator.get(reverse("analytics:process_map"), query)
    kept = {
        s["case_id"] for s in snapshot.situations if s["territory"] == "T1" and s["level"] == "agr"
    }
    assert response.context["case_count"] == len(kept)
    with_trace = set(snapshot.traces(("pathway", "procedure", "review"))) & kept
    assert response.context["figures"]["cases"] == len(with_trace)
    html = response.content.decode()
    # Every page of the navigation keeps the filters.
    for name in PAGES:
        assert f'href="{reverse(name)}?territory=T1&amp;level=agr"' in html, name
    # Each active filter is a chip that removes it (and keeps the other).
    chips = response.context["filter_chips"]
    assert len(chips) == 2
    assert chips[0].label == "Territoire : T1"
    assert chips[1].label == "Niveau : Accompagnement global renforcé (AGR)"
    assert "territory=T1" not in chips[0].remove_query
    assert "level=agr" in chips[0].remove_query
    assert "level=agr" not in chips[1].remove_query


def test_the_map_draws_an_edge_per_succession_with_its_figures(
    evaluator: Client, snapshot: BuiltLog
) -> None:
    response = evaluator.get(reverse("analytics:process_map"), {"territory": "T2"})
    html = response.content.decode()
    edges = response.context["figures"]["edges"]
    assert edges
    # The map: one path per succession plus the start and end arrows, each with a <title>.
    drawn = re.findall(
        r'<g class="edge edge--[a-z-]+" data-source="([^"]+)" data-target="([^"]+)"', html
    )
    pairs = {(e["source"], e["target"]) for e in edges}
    assert pairs <= set(drawn)
    assert html.count('marker-end="url(#arrow)"') == len(drawn)
    # The text alternative: one row per edge.
    assert html.count('data-testid="edge"') == len(edges)
    assert "médiane" in html


def test_an_empty_selection_draws_no_map(evaluator: Client, snapshot: BuiltLog) -> None:
    response = evaluator.get(reverse("analytics:process_map"), {"territory": "T9"})
    assert response.status_code == 200
    assert response.context["case_count"] == 0
    html = response.content.decode()
    assert 'data-testid="process-map"' not in html
    assert "Aucun événement pour cette sélection" in html
    for name in PAGES:
        assert evaluator.get(reverse(name), {"territory": "T9"}).status_code == 200, name
    for table in ("edges", "variants", "survival", "compliance"):
        url = reverse("analytics:process_export", kwargs={"table": table})
        assert evaluator.get(url, {"territory": "T9"}).status_code == 200, table


def test_the_sliders_and_the_htmx_fragment(evaluator: Client, snapshot: BuiltLog) -> None:
    default = evaluator.get(reverse("analytics:process_map")).context["figures"]
    full = evaluator.get(
        reverse("analytics:process_map"), {"activities": "100", "paths": "100"}
    ).context["figures"]
    # The map opens on the most frequent activities and successions only.
    assert len(default["activities"]) < len(full["activities"])
    assert len(default["edges"]) < len(full["edges"])
    reduced = evaluator.get(
        reverse("analytics:process_map"),
        {"activities": "30", "paths": "50"},
        HTTP_HX_REQUEST="true",
    )
    assert reduced.templates[0].name == "analytics/process_map_fragment.html"
    data = reduced.context["figures"]
    assert len(data["activities"]) < len(full["activities"])
    assert len(data["edges"]) < len(full["edges"])


def test_bad_filter_values_give_a_french_message(evaluator: Client, snapshot: BuiltLog) -> None:
    for name in PAGES:
        response = evaluator.get(
            reverse(name),
            {"period_from": "mars", "level": "nope", "min_days": "x", "variant": "zz", "k": "99"},
        )
        assert response.status_code == 200, name
        messages = response.context["filter_messages"]
        assert len(messages) == 4
        assert any("mois" in m for m in messages), messages
        assert 'role="alert"' in response.content.decode()
    assert (
        evaluator.get(reverse("analytics:survival"), {"endpoint": "x", "group": "y"}).status_code
        == 200
    )
    assert (
        evaluator.get(
            reverse("analytics:process_map"), {"activities": "abc", "metric": "z"}
        ).status_code
        == 200
    )


def test_a_timeline_shows_days_never_dates(evaluator: Client, snapshot: BuiltLog) -> None:
    _variant, case_id = _a_variant(snapshot)
    response = evaluator.get(reverse("analytics:timeline", kwargs={"case_id": case_id}))
    html = response.content.decode()
    trace = snapshot.ordered_events()
    events = [e for e in trace if e["case_id"] == case_id]
    assert html.count('data-testid="timeline-event"') == len(events)
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", html)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/20\d\d\b", html)
    # A stale pseudonym (the snapshot was rebuilt) is explained, not an error page.
    unknown = evaluator.get(reverse("analytics:timeline", kwargs={"case_id": "UNKNOWN"}))
    assert 'data-testid="not-found"' in unknown.content.decode()
    assert 'data-testid="timeline-event"' not in unknown.content.decode()


def test_variant_drill_down_lists_its_cases(evaluator: Client, snapshot: BuiltLog) -> None:
    variant, _case = _a_variant(snapshot)
    response = evaluator.get(reverse("analytics:variant_cases", kwargs={"variant": variant}))
    con = connect(snapshot.directory)
    expected = process.variant_cases(con, Filters(), variant, 50)
    assert response.context["cases"] == expected
    for case_id in expected:
        assert (
            reverse("analytics:timeline", kwargs={"case_id": case_id}) in response.content.decode()
        )
    stale = evaluator.get(reverse("analytics:variant_cases", kwargs={"variant": "0123456789"}))
    assert 'data-testid="not-found"' in stale.content.decode()


def _cli(*args: str) -> Any:
    out = StringIO()
    call_command("etage_analyse", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_page_figures_equal_the_cli_json(evaluator: Client, snapshot: BuiltLog) -> None:
    query = {"territory": "T1", "level": "agr", "period_from": "2022-03", "period_to": "2023-12"}
    cli_filters = ["--territory", "T1", "--level", "agr", "--from", "2022-03", "--to", "2023-12"]
    page = evaluator.get(
        reverse("analytics:process_map"), {**query, "activities": "60", "paths": "80"}
    )
    assert page.context["figures"] == _cli(
        "dfg", *cli_filters, "--activities", "60", "--paths", "80"
    )
    page = evaluator.get(reverse("analytics:variants"), {**query, "coverage": "90"})
    assert page.context["figures"] == _cli("variants", *cli_filters, "--coverage", "90")
    page = evaluator.get(
        reverse("analytics:survival"), {**query, "endpoint": "orientation", "group": "territory"}
    )
    assert page.context["figures"] == _cli(
        "survival", *cli_filters, "--endpoint", "orientation", "--group", "territory"
    )
    followed = {"followed_by_a": "identify", "followed_by_b": "close"}
    page = evaluator.get(reverse("analytics:variants"), {**followed, "coverage": "100"})
    assert page.context["figures"] == _cli(
        "variants", "--followed-by", "identify,close", "--coverage", "100"
    )
    assert page.context["figures"]["variants"]


def test_the_figures_are_those_of_the_engine(snapshot: BuiltLog) -> None:
    """The pages show the engine's figures, not a copy: same counts as process_map."""
    con = connect(snapshot.directory)
    filters = Filters(territories=("T3",))
    data = figures.dfg(con, filters)
    engine = process.process_map(con, filters)
    assert [(e["source"], e["target"], e["count"]) for e in data["edges"]] == [
        (e.source, e.target, e.count) for e in engine.edges
    ]
