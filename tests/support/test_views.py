"""Support pages through the test client: each role sees what it may, writes what it may,
reads are logged, conflicts and sensitive terms are explained, and the situation page's
support sections cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from etage.core.models import AccessLogEntry
from etage.organisations.models import Organisation
from etage.references.models import Theme
from etage.support.models import JournalEntry, Objective, PlanAction
from etage.support.services import (
    action_comment_add,
    action_create,
    action_set_status,
    journal_entry_add,
    objective_create,
)

pytestmark = pytest.mark.django_db

PAGES = ["support:plan", "support:journal", "support:documents", "support:reviews"]
READERS = ["t1-association", "t1-ccas", "t1-professionnel", "t1-coordination"]
NO_SOCIAL = ["t1-recouvrement", "t1-signalement", "t2-coordination", "t1-admin"]


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def build_plan(situation, cast, objectives: int = 1, actions: int = 1, entries: int = 1):
    owner = Organisation.objects.get(code="CCAS-VAULX")
    themes = list(Theme.objects.all())
    for i in range(objectives):
        objective = objective_create(
            user=cast["t1-association"],
            situation_id=situation.pk,
            theme_id=themes[i % len(themes)].pk,
            title=f"Objectif {i}",
        )
        for j in range(actions):
            action = action_create(
                user=cast["t1-association"],
                objective_id=objective.pk,
                title=f"Action {i}.{j}",
                owner_organisation_id=owner.pk,
                owner_person_id=cast["t1-ccas"].pk,
                due_on=dt.date(2026, 5, 1) if j % 2 else None,
            )
            action_comment_add(user=cast["t1-ccas"], action_id=action.pk, text="Fait le point.")
    for k in range(entries):
        journal_entry_add(
            user=cast["t1-association"],
            situation_id=situation.pk,
            kind="home_visit",
            occurred_on=dt.date(2026, 4, 1) + dt.timedelta(days=k),
            visibility="group" if k % 2 else "organisation",
            text=f"Visite {k}.",
        )


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", READERS)
def test_the_sharing_group_and_the_platform_open_every_support_page(
    supported, client_as, page, username
):
    before = AccessLogEntry.objects.count()
    response = client_as(username).get(reverse(page, args=[supported.pk]))
    assert response.status_code == 200
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.first()
    assert (entry.username, entry.action, entry.situation_id) == (username, "read", supported.pk)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", NO_SOCIAL)
def test_rent_recovery_signallers_outsiders_and_admins_get_404(
    supported, client_as, page, username
):
    url = reverse(page, args=[supported.pk])
    assert client_as(username).get(url).status_code == 404
    assert client_as(username).post(url, {}).status_code == 404


def test_the_situation_page_shows_support_sections_only_with_social_access(
    supported, cast, client_as
):
    build_plan(supported, cast)
    group = text(client_as("t1-association").get(reverse("situations:detail", args=[supported.pk])))
    for section in (
        'data-testid="plan"',
        'data-testid="journal"',
        'data-testid="documents"',
        'data-testid="reviews"',
    ):
        assert section in group
    assert "Objectif 0" in group
    assert "Action 0.0" in group
    recovery = text(
        client_as("t1-recouvrement").get(reverse("situations:detail", args=[supported.pk]))
    )
    for leak in (
        "Plan partagé",
        "Journal",
        "Objectif 0",
        "Action 0.0",
        "Visite 0",
        "Bilans",
        "Plan :",
    ):
        assert leak not in recovery, leak


def test_plan_events_stay_out_of_the_pathway_timeline(supported, cast, client_as):
    build_plan(supported, cast)
    page = text(client_as("t1-association").get(reverse("situations:detail", args=[supported.pk])))
    timeline = page.split('data-testid="timeline"')[1]
    assert "Plan : action ajoutée" not in timeline
    assert "Entrée de journal" not in timeline


def test_empty_states_say_what_to_do(supported, client_as):
    page = text(client_as("t1-association").get(reverse("situations:detail", args=[supported.pk])))
    assert "Aucun objectif pour l'instant" in page
    assert "Aucune entrée pour l'instant" in page
    assert "Aucun document" in page
    assert "Bilan en retard" in page


def test_a_referent_adds_an_objective_then_an_action_from_a_suggestion(supported, client_as):
    client = client_as("t1-association")
    theme = Theme.objects.get(code="budget_debt")
    response = client.post(
        reverse("support:plan", args=[supported.pk]),
        {"theme": theme.pk, "theme_other": "", "title": "Stopper la dette"},
    )
    objective = Objective.objects.get()
    assert response["Location"] == reverse("support:action_add", args=[supported.pk, objective.pk])
    form_page = text(client.get(response["Location"]))
    assert "Déposer une demande FSL maintien" in form_page  # a suggestion of the theme
    template = theme.action_templates.get(label="Déposer une demande FSL maintien")
    response = client.post(
        response["Location"],
        {
            "template": template.pk,
            "title": "",
            "owner_organisation": Organisation.objects.get(code="CCAS-VAULX").pk,
            "owner_person": "",
            "due_on": "2026-12-01",
        },
    )
    assert response.status_code == 302
    assert PlanAction.objects.get().title == "Déposer une demande FSL maintien"


def test_an_action_needs_a_suggestion_or_a_wording(supported, cast, client_as):
    build_plan(supported, cast, actions=0, entries=0)
    objective = Objective.objects.get()
    response = client_as("t1-association").post(
        reverse("support:action_add", args=[supported.pk, objective.pk]),
        {"template": "", "title": "", "owner_organisation": ""},
    )
    assert response.status_code == 200
    assert "Choisissez une action proposée ou écrivez la vôtre." in text(response)
    assert not PlanAction.objects.exists()


def test_the_status_changes_inline_with_htmx(supported, cast, client_as):
    build_plan(supported, cast, entries=0)
    action = PlanAction.objects.get()
    response = client_as("t1-ccas").post(
        reverse("support:action_status", args=[supported.pk, action.pk]),
        {"status": "done", "version": action.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = text(response)
    assert html.startswith('<li class="plan-action"')
    assert "Statut enregistré." in html
    assert re.search(r'data-testid="action-status">Terminée<', html)
    action.refresh_from_db()
    assert action.status == "done"


def test_a_stale_inline_status_shows_the_change_and_keeps_the_choice(supported, cast, client_as):
    build_plan(supported, cast, entries=0)
    action = PlanAction.objects.get()
    seen = action.version
    action_set_status(
        user=cast["t1-association"], action_id=action.pk, expected_version=seen, status="blocked"
    )
    response = client_as("t1-ccas").post(
        reverse("support:action_status", args=[supported.pk, action.pk]),
        {"status": "done", "version": seen},
        HTTP_HX_REQUEST="true",
    )
    html = text(response)
    assert "Statut : maintenant « Bloquée », vous aviez choisi « Terminée »." in html
    assert '<option value="done" selected>' in html
    assert f'name="version" value="{seen + 1}"' in html
    action.refresh_from_db()
    assert action.status == "blocked"


def test_without_javascript_the_status_form_returns_to_the_page(supported, cast, client_as):
    build_plan(supported, cast, entries=0)
    action = PlanAction.objects.get()
    response = client_as("t1-ccas").post(
        reverse("support:action_status", args=[supported.pk, action.pk]),
        {"status": "in_progress", "version": action.version, "next": "situation"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("situations:detail", args=[supported.pk]))


def test_a_stale_action_form_shows_what_changed_and_keeps_what_was_typed(
    supported, cast, client_as
):
    build_plan(supported, cast, entries=0)
    action = PlanAction.objects.get()
    url = reverse("support:action_detail", args=[supported.pk, action.pk])
    seen = action.version
    action_set_status(
        user=cast["t1-ccas"], action_id=action.pk, expected_version=seen, status="done"
    )
    typed = {
        "form": "action",
        "version": seen,
        "title": "Action retouchée",
        "owner_organisation": action.owner_organisation_id,
        "owner_person": "",
        "due_on": "2027-01-15",
        "status": "blocked",
    }
    response = client_as("t1-association").post(url, typed)
    assert response.status_code == 200
    html = text(response)
    assert 'data-testid="conflict"' in html
    table = html.split('data-testid="conflict"')[1].split("</table>")[0]
    assert '<th scope="row">Action</th><td>Action 0.0</td><td>Action retouchée</td>' in table
    assert "<td>Terminée</td><td>Bloquée</td>" in table
    assert 'value="Action retouchée"' in html  # nothing typed is lost
    assert f'name="version" value="{seen + 1}"' in html
    typed["version"] = seen + 1
    assert client_as("t1-association").post(url, typed).status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status) == ("Action retouchée", "blocked")


def test_the_journal_warns_on_sensitive_terms_and_saves_only_once_confirmed(supported, client_as):
    client = client_as("t1-association")
    url = reverse("support:journal", args=[supported.pk])
    data = {
        "kind": "home_visit",
        "occurred_on": "2026-04-02",
        "visibility": "group",
        "text": "Mme parle de sa dépression.",
    }
    first = text(client.post(url, data))
    assert 'data-testid="sensitive-warning"' in first
    assert "santé mentale" in first
    assert "dépression" in first
    assert "Je confirme que ces précisions sont nécessaires" in first
    assert "Mme parle de sa dépression." in first  # kept in the form
    assert not JournalEntry.objects.exists()
    confirmed = client.post(url, {**data, "confirm_sensitive": "on"})
    assert confirmed.status_code == 302
    assert JournalEntry.objects.get().text == "Mme parle de sa dépression."


def test_the_journal_shows_guidance_visibility_in_words_and_filters_by_kind(
    supported, cast, client_as
):
    build_plan(supported, cast, objectives=0, entries=2)
    journal_entry_add(
        user=cast["t1-ccas"],
        situation_id=supported.pk,
        kind="phone_call",
        occurred_on=dt.date(2026, 4, 5),
        visibility="group",
        text="Appel CCAS.",
    )
    client = client_as("t1-association")
    url = reverse("support:journal", args=[supported.pk])
    page = text(client.get(url))
    assert "Factuel, pertinent, non excessif" in page
    assert "Privée à Association Trait d'Union Logement (fictive)" in page
    assert "Partagée avec le groupe de partage" in page
    calls = text(client.get(url, {"kind": "phone_call"}))
    assert "Appel CCAS." in calls
    assert "Visite 0." not in calls
    landlord = text(client_as("t1-professionnel").get(url))
    assert "Visite 1." in landlord
    assert "Visite 0." not in landlord


def test_a_correction_is_offered_to_the_authors_organisation_only(supported, cast, client_as):
    build_plan(supported, cast, objectives=0, entries=2)
    shared = JournalEntry.objects.get(visibility="group")
    url = reverse("support:journal", args=[supported.pk])
    assert f"?corriger={shared.pk}" in text(client_as("t1-association").get(url))
    assert f"?corriger={shared.pk}" not in text(client_as("t1-ccas").get(url))
    page = text(client_as("t1-association").get(url, {"corriger": shared.pk}))
    assert "Corriger l'entrée du" in page
    response = client_as("t1-association").post(
        url,
        {
            "kind": "home_visit",
            "occurred_on": shared.occurred_on.isoformat(),
            "visibility": "group",
            "text": "Visite 1, corrigée.",
            "corrects": shared.pk,
        },
    )
    assert response.status_code == 302
    assert JournalEntry.objects.get(corrects=shared).text == "Visite 1, corrigée."
    assert "Corrigée par une entrée ultérieure" in text(client_as("t1-ccas").get(url))


def test_situation_page_support_sections_cost_a_fixed_number_of_queries(supported, cast, client_as):
    client = client_as("t1-association")
    url = reverse("situations:detail", args=[supported.pk])
    build_plan(supported, cast, objectives=1, actions=1, entries=1)
    # The clock stands, so the session is written by the first request only (its idle
    # timeout moves at most once a minute), before counting.
    with time_machine.travel(timezone.now(), tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        build_plan(supported, cast, objectives=4, actions=3, entries=6)
        with CaptureQueriesContext(connection) as large:
            assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_support_partials_query_count_is_pinned(supported, cast, rf):
    from django.template.loader import render_to_string

    from etage.situations.permissions import allowed_actions

    build_plan(supported, cast, objectives=3, actions=2, entries=4)
    user = cast["t1-association"]
    actions = allowed_actions(user, supported)
    request = rf.get("/")
    request.user = user
    context = {
        "situation": supported,
        "actions": actions,
        "can": {"view_social": True, "record_step": True},
        "user": user,
        "request": request,
    }
    expected = {
        # active shares, objectives, actions with their comment counts
        "support/partials/plan.html": 3,
        # entries with author and correction target, visible corrections, documents
        "support/partials/journal.html": 3,
        "support/partials/documents.html": 1,
        # latest review, count
        "support/partials/reviews.html": 2,
    }
    for template, count in expected.items():
        with CaptureQueriesContext(connection) as queries:
            render_to_string(template, context, request=request)
        assert len(queries) == count, (template, [q["sql"] for q in queries])
