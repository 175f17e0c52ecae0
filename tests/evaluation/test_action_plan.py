"""Issue 10's action plan: the follow-up (status counts, late actions, budget, the success
indicator's latest value), its filters, the scenario an action prepares, and the export of the
plan as CSV and XLSX (formula-safe, the same rows as the page)."""

from __future__ import annotations

import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from etage.accounts.models import User
from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.evaluation.action_plan import follow_up, is_overdue
from etage.evaluation.models import ActionItem
from etage.evaluation.models.choices import ActionStatus
from etage.scenarios.models import Scenario
from tests.evaluation.workshops_world import WorkshopWorld, build_workshop_world

TODAY = dt.date(2026, 6, 15)


def _item(status: str, deadline: dt.date | None, budget: str | None = None) -> ActionItem:
    return ActionItem(
        title="a", status=status, deadline=deadline, budget=Decimal(budget) if budget else None
    )


# --- The pure follow-up ------------------------------------------------------------------------


def test_only_open_actions_past_their_deadline_are_late() -> None:
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    assert is_overdue(ActionStatus.PLANNED, yesterday, TODAY)
    assert is_overdue(ActionStatus.IN_PROGRESS, yesterday, TODAY)
    assert not is_overdue(ActionStatus.PLANNED, TODAY, TODAY)  # due today is not late yet
    assert not is_overdue(ActionStatus.PLANNED, tomorrow, TODAY)
    assert not is_overdue(ActionStatus.DONE, yesterday, TODAY)
    assert not is_overdue(ActionStatus.DROPPED, yesterday, TODAY)
    assert not is_overdue(ActionStatus.PLANNED, None, TODAY)


def test_the_follow_up_counts_statuses_late_and_due_soon_actions_and_the_budget() -> None:
    actions = [
        _item(ActionStatus.PLANNED, TODAY - dt.timedelta(days=3), "1000"),  # late
        _item(ActionStatus.IN_PROGRESS, TODAY + dt.timedelta(days=10), "500.50"),  # due soon
        _item(ActionStatus.PLANNED, TODAY + dt.timedelta(days=90)),
        _item(ActionStatus.DONE, TODAY - dt.timedelta(days=30), "250"),
        _item(ActionStatus.DROPPED, TODAY - dt.timedelta(days=30), "9999"),  # not counted
    ]
    summary = follow_up(actions, TODAY)
    assert summary.total == 5
    assert {s.status: s.count for s in summary.by_status} == {
        "planned": 2,
        "in_progress": 1,
        "done": 1,
        "dropped": 1,
    }
    assert [s.label for s in summary.by_status] == ["Prévue", "En cours", "Terminée", "Abandonnée"]
    assert (summary.overdue, summary.due_soon) == (1, 1)
    assert summary.budget == Decimal("1750.50")
    assert summary.budget_done == Decimal("250")
    assert summary.done_share == pytest.approx(1 / 4)


def test_an_empty_or_all_dropped_plan_has_no_done_share() -> None:
    assert follow_up([], TODAY).done_share is None
    assert follow_up([_item(ActionStatus.DROPPED, None)], TODAY).done_share is None


# --- Pages and exports -------------------------------------------------------------------------


@pytest.fixture
def world(demo_reference: dict[str, User], db: None) -> WorkshopWorld:
    return build_workshop_world(demo_reference)


def text(response: HttpResponse) -> str:
    # French number formatting separates thousands with a no-break space.
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def plan(world: WorkshopWorld) -> dict[str, ActionItem]:
    today = timezone.localdate()
    indicator = IndicatorDefinition.objects.create(
        code="identified",
        family="activity",
        name="Situations repérées",
        definition="d",
        formula="f",
        unit="situations",
        final_after_months=3,
    )
    IndicatorValue.objects.create(
        code="identified",
        period="2025",
        territory="",
        dimension="all",
        key="all",
        value=52.0,
        cases=52,
        computed_at=timezone.now(),
        snapshot="x",
    )
    scenario = Scenario.objects.create(
        project=world.project, name="Métropole 2028", parameters={}, created_by=world.lead
    )
    return {
        "late": ActionItem.objects.create(
            project=world.project,
            title='=HYPERLINK("http://exemple.invalid")',
            owner="Direction de la plateforme",
            deadline=today - dt.timedelta(days=5),
            budget=Decimal("1200"),
            status=ActionStatus.IN_PROGRESS,
            indicator=indicator,
            scenario=scenario,
        ),
        "done": ActionItem.objects.create(
            project=world.project,
            title="Former les gardiens",
            deadline=today - dt.timedelta(days=40),
            budget=Decimal("300"),
            status=ActionStatus.DONE,
        ),
        "later": ActionItem.objects.create(
            project=world.project,
            title="Numéro unique",
            deadline=today + dt.timedelta(days=120),
            status=ActionStatus.PLANNED,
        ),
        "elsewhere": ActionItem.objects.create(
            project=world.other_project, title="Action d'un autre projet"
        ),
    }


def test_the_follow_up_page_shows_counts_lateness_budget_scenario_and_indicator_value(
    world, plan, client_for
):
    url = reverse("evaluation:actions", args=[world.project.pk])
    page = text(client_for("t2-evaluation").get(url))
    assert "Suivi" in page
    assert "1 action dont l'échéance est passée" in page
    assert "1 500,00 € prévus, dont 300,00 € pour les actions terminées" in page
    assert "33 % des actions maintenues" in page
    # Lateness is said in words, not by colour alone.
    assert page.count('tag--late">en retard<') == 1
    assert "Métropole 2028" in page
    assert reverse("scenarios:detail", args=[world.project.pk, plan["late"].scenario_id]) in page
    assert "Situations repérées" in page
    assert "52" in page
    assert "(2025)" in page
    assert "Action d'un autre projet" not in page
    assert "3 actions affichées sur 3." in page


def test_the_filters_keep_a_status_or_the_late_actions_only(world, plan, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:actions", args=[world.project.pk])
    late = text(client.get(url, {"overdue": "on"}))
    assert "1 action affichée sur 3." in late
    assert "HYPERLINK" in late
    assert "Numéro unique" not in late
    done = text(client.get(url, {"status": "done"}))
    assert "Former les gardiens" in done
    assert "Numéro unique" not in done
    none = text(client.get(url, {"status": "dropped"}))
    assert "Aucune action ne correspond à ces filtres." in none
    # A status that does not exist: a French error, every action still shown, no 500.
    wrong = client.get(url, {"status": "nimporte"})
    assert wrong.status_code == 200
    assert "Sélectionnez un choix valide" in text(wrong)
    assert "3 actions affichées sur 3." in text(wrong)


def test_the_csv_export_holds_the_filtered_plan_with_formulas_neutralised(world, plan, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:actions_export", args=[world.project.pk, "csv"])
    response = client.get(url, {"overdue": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'plan-d-action-projet-{world.project.pk}.csv"')
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("Action;Description;Pilote;Échéance;Budget (€);Statut;En retard")
    assert len(lines) == 2
    # The formula is written as text (leading apostrophe), quoted by the CSV writer.
    assert lines[1].startswith('"\'=HYPERLINK(""http://exemple.invalid"")"')
    assert "En cours;oui" in lines[1]
    assert "Métropole 2028;Situations repérées;52" in lines[1]


def test_the_xlsx_export_holds_every_action_with_numbers_as_numbers(world, plan, client_for):
    client = client_for("t2-evaluation")
    url = reverse("evaluation:actions_export", args=[world.project.pk, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Plan d'action"
    assert rows[0][:3] == ("Action", "Description", "Pilote")
    titles = [row[0] for row in rows[1:]]
    assert titles == [
        "Former les gardiens",
        '\'=HYPERLINK("http://exemple.invalid")',
        "Numéro unique",
    ]
    budgets = {row[0]: row[4] for row in rows[1:]}
    assert budgets["Former les gardiens"] == 300


def test_an_unknown_export_format_is_not_found(world, plan, client_for):
    url = reverse("evaluation:actions_export", args=[world.project.pk, "pdf"])
    assert client_for("t2-evaluation").get(url).status_code == 404


def test_an_action_prepares_a_scenario_of_its_own_project_only(world, client_for):
    mine = Scenario.objects.create(
        project=world.project, name="Métropole", parameters={}, created_by=world.lead
    )
    theirs = Scenario.objects.create(
        project=world.other_project, name="Ailleurs", parameters={}, created_by=world.lead
    )
    client = client_for("t2-evaluation")
    url = reverse("evaluation:action_create", args=[world.project.pk])
    form_page = text(client.get(url))
    assert "Métropole" in form_page
    assert "Ailleurs" not in form_page
    refused = client.post(url, {"title": "Préparer", "status": "planned", "scenario": theirs.pk})
    assert refused.status_code == 200
    assert not ActionItem.objects.exists()
    accepted = client.post(url, {"title": "Préparer", "status": "planned", "scenario": mine.pk})
    assert accepted.status_code == 302
    assert ActionItem.objects.get().scenario == mine
