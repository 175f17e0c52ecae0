"""The indicator dashboards on the demo history (issue 8, must-show): every persona reaches
them or is refused by role; steering sees no count under 5 — in the page, its charts, the CSV
and the XLSX —; coordinators' figures are the counts over the situations they may see in their
territories; nobody picks a territory outside their scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.analytics.catalogue import BY_CODE, CATALOGUE
from etage.analytics.indicators import refresh_indicators
from etage.analytics.models import IndicatorValue
from etage.analytics.snapshot import write_snapshot
from etage.demo.history import MIN_COUNT
from etage.notifications.dispatch import suppressed
from etage.situations.models import Situation
from etage.situations.permissions import situations_visible_to
from tests import replay
from tests.security.world import PERSONAS

pytestmark = pytest.mark.django_db

PAGES = ("dashboard", "compare", "definitions", "export_csv", "export_xlsx")
ALLOWED = {Role.EVALUATOR, Role.STEERING, Role.COORDINATOR}
COUNTS = {i.code for i in CATALOGUE if i.kind == "count" and i.base != "meetings"}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, User]]:
    root = tmp_path_factory.mktemp("dashboards")
    with (
        override_settings(MEDIA_ROOT=str(root / "media"), ETAGE_SNAPSHOT_DIR=root / "snapshot"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        replay.demo_reference(seed=1)
        with suppressed():
            replay.demo_history(seed=5, count=MIN_COUNT)
        write_snapshot(full=True)
        refresh_indicators()
        yield {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
        transaction.set_rollback(True)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Tables(HTMLParser):
    """Cells of every chart's table, by indicator code, and the charts' specs."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, list[str]] = {}
        self.specs: dict[str, Any] = {}
        self._code: str | None = None
        self._script: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figure" and (values.get("data-chart") or "").startswith("chart-"):
            self._code = (values["data-chart"] or "")[len("chart-") : -len("-spec")]
            self.cells[self._code] = []
        elif tag == "script" and values.get("type") == "application/json" and self._code:
            self._script = ""
        elif tag == "td" and self._code:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data
        elif self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None and self._code:
            self.specs[self._code] = json.loads(self._script)
            self._script = None
        elif tag == "td" and self._cell is not None and self._code:
            self.cells[self._code].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "figure":
            self._code = None


def parse(html: str) -> Tables:
    tables = Tables()
    tables.feed(html)
    return tables


def as_count(text: str) -> int | None:
    digits = re.sub(r"[\s\u202f\xa0]", "", text)
    return int(digits) if digits.isdigit() else None


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def small(text: str) -> bool:
    count = as_count(text)
    return count is not None and 0 < count < 5


@pytest.mark.parametrize("username", PERSONAS)
def test_every_persona_reaches_the_dashboards_by_role(demo: dict[str, User], username: str) -> None:
    user = demo[username]
    client = client_for(user)
    for page in PAGES:
        response = client.get(reverse(f"analytics:{page}"))
        expected = 200 if user.role in ALLOWED else 403
        assert response.status_code == expected, (page, response.status_code)
        if expected == 403:
            assert "Accès refusé" in response.content.decode() or response.status_code == 403
    definition = client.get(reverse("analytics:definition", args=["identified"]))
    assert definition.status_code == (200 if user.role in ALLOWED else 403)


def test_the_navigation_links_the_dashboard_for_its_readers(demo: dict[str, User]) -> None:
    url = reverse("analytics:dashboard")
    for username in ("t1-pilotage", "t1-evaluation", "t1-coordination", "t1-professionnel"):
        user = demo[username]
        home = client_for(user).get(reverse("core:home")).content.decode()
        assert (f'href="{url}"' in home) is (user.role in ALLOWED), username


def _steering() -> list[str]:
    return [p for p in PERSONAS if p.endswith("-pilotage")]


@pytest.mark.parametrize("username", _steering())
def test_steering_sees_no_count_under_five(demo: dict[str, User], username: str) -> None:
    user = demo[username]
    client = client_for(user)
    evaluator = client_for(demo["t1-evaluation"])
    territory = user.territories.order_by("code").first()
    assert territory is not None
    small_for_evaluator = 0
    for year in sorted(
        {p for p in IndicatorValue.objects.values_list("period", flat=True) if len(p) == 4}
    ):
        for dimension in ("all", "level", "landlord", "outcome"):
            query = {"annee": year, "territoire": territory.code, "ventilation": dimension}
            page = client.get(reverse("analytics:dashboard"), query)
            assert page.status_code == 200
            assert page.context["board"].territory == territory.code
            tables = parse(page.content.decode())
            assert set(tables.cells) >= COUNTS
            for code in COUNTS:
                shown = [c for c in tables.cells[code] if small(c)]
                assert not shown, (year, dimension, code, shown)
                points = [p["valeur"] for p in tables.specs[code]["data"]["values"]]
                assert not [v for v in points if 0 < v < 5], (year, code)
            # The same selection as the evaluator does show small counts: suppression works.
            plain = parse(evaluator.get(reverse("analytics:dashboard"), query).content.decode())
            small_for_evaluator += sum(1 for c in COUNTS for cell in plain.cells[c] if small(cell))
            # The exports hold the same cells.
            rows = list(
                csv.reader(
                    io.StringIO(streamed(client.get(reverse("analytics:export_csv"), query))),
                    delimiter=";",
                )
            )
            book = openpyxl.load_workbook(
                io.BytesIO(client.get(reverse("analytics:export_xlsx"), query).content)
            )
            xlsx = [
                [str(c) if c is not None else "" for c in r]
                for r in book.active.iter_rows(values_only=True)
            ]
            assert rows == xlsx
            assert len(rows) > 1
            for row in rows[1:]:
                if row[1] in COUNTS:
                    assert not small(row[7]), row
            page_cells = Counter(c for code in COUNTS for c in tables.cells[code])
            export_cells = Counter(row[7] for row in rows[1:] if row[1] in COUNTS)
            assert page_cells == export_cells
    assert small_for_evaluator > 0


def test_steering_cannot_choose_another_territory(demo: dict[str, User]) -> None:
    user = demo["t1-pilotage"]
    own = set(user.territories.values_list("code", flat=True))
    other = sorted({"T1", "T2", "T3"} - own)[0]
    client = client_for(user)
    page = client.get(reverse("analytics:dashboard"), {"territoire": other})
    assert page.context["board"].territory in own
    page = client.get(reverse("analytics:dashboard"), {"territoire": ""})
    assert page.context["board"].territory in own
    rows = streamed(client.get(reverse("analytics:export_csv"), {"territoire": other}))
    assert f";{other};" not in rows
    compare = client.get(reverse("analytics:compare"))
    assert {code for code, _label in compare.context["comparison"].territories} == own


@pytest.mark.parametrize("username", [p for p in PERSONAS if p.endswith("-coordination")])
def test_coordinator_figures_are_the_counts_of_their_situations(
    demo: dict[str, User], username: str
) -> None:
    user = demo[username]
    client = client_for(user)
    visible = situations_visible_to(user)
    codes = sorted(user.territories.values_list("code", flat=True))
    assert codes
    for code in codes:
        mine = visible.filter(platform__territory__code=code)
        # Coordinators see every situation of their territories.
        assert mine.count() == Situation.objects.filter(platform__territory__code=code).count()
        by_month = Counter(f"{d:%Y-%m}" for d in mine.values_list("identified_on", flat=True))
        closed = Counter(
            f"{d:%Y-%m}"
            for d in mine.filter(closed_on__isnull=False).values_list("closed_on", flat=True)
        )
        for year in sorted({m[:4] for m in by_month}):
            page = client.get(
                reverse("analytics:dashboard"),
                {"annee": year, "territoire": code, "ventilation": "all"},
            )
            board = page.context["board"]
            assert board.territory == code
            tables = {t.indicator.code: t for _f, _l, ts in board.sections for t in ts}
            for indicator, expected in (("identified", by_month), ("closed", closed)):
                cells = tables[indicator].lines[0][2]
                for month in board.periods:
                    assert cells[month].number == expected.get(month, 0), (indicator, month)
                total = sum(n for m, n in expected.items() if m.startswith(year))
                assert cells["year"].number == total, (indicator, year)


def test_evaluators_see_all_territories_together(demo: dict[str, User]) -> None:
    client = client_for(demo["t2-evaluation"])
    page = client.get(reverse("analytics:dashboard"), {"territoire": ""})
    board = page.context["board"]
    assert board.territory == ""
    tables = {t.indicator.code: t for _f, _l, ts in board.sections for t in ts}
    year = board.year
    expected = Situation.objects.filter(identified_on__year=int(year)).count()
    assert tables["identified"].lines[0][2]["year"].number == expected


def test_definition_pages(demo: dict[str, User]) -> None:
    client = client_for(demo["t1-pilotage"])
    for indicator in CATALOGUE:
        page = client.get(reverse("analytics:definition", args=[indicator.code]))
        assert page.status_code == 200
        text = page.content.decode()
        assert indicator.formula.split(" ")[0] in text
        assert indicator.name.replace("'", "&#x27;") in text
    assert client.get(reverse("analytics:definition", args=["nope"])).status_code == 404
    assert (
        BY_CODE["identified"].name in client.get(reverse("analytics:definitions")).content.decode()
    )


def test_empty_state_says_what_to_do(demo: dict[str, User]) -> None:
    """Without figures (no snapshot computed yet), the page says who runs what."""
    IndicatorValue.objects.all().delete()  # rolled back with the test
    page = client_for(demo["t1-evaluation"]).get(reverse("analytics:dashboard"))
    assert page.status_code == 200
    assert "etage_indicators" in page.content.decode()
    exported = client_for(demo["t1-evaluation"]).get(reverse("analytics:export_csv"))
    assert len(streamed(exported).splitlines()) == 1


def test_stored_rows_name_their_snapshot(demo: dict[str, User]) -> None:
    """Stored rows carry the snapshot they come from and when they were computed."""
    row = IndicatorValue.objects.first()
    assert row is not None
    assert row.snapshot
    assert row.computed_at.date() <= dt.date.today()


def test_the_comparison_puts_territories_side_by_side_with_their_network_profile(
    demo: dict[str, User],
) -> None:
    from etage.analytics.snapshot import network_profile
    from etage.territories.models import Territory

    client = client_for(demo["t1-evaluation"])
    page = client.get(reverse("analytics:compare"), {"famille": "activity"})
    comparison = page.context["comparison"]
    last = max(Situation.objects.values_list("identified_on", flat=True))
    assert comparison.year == str(last.year)
    for code, label in comparison.territories:
        territory = Territory.objects.get(code=code)
        profile = network_profile(territory.has_local_ccapex, territory.ccas_mdm_grouped)
        assert label == f"{code} ({profile})"
    identified = dict(comparison.rows)[BY_CODE["identified"]]
    for (code, _label), cell in zip(comparison.territories, identified, strict=True):
        count = Situation.objects.filter(
            platform__territory__code=code, identified_on__year=last.year
        ).count()
        assert as_count(cell) == count
