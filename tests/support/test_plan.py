"""The shared plan: objectives and actions of several organisations, through the services —
who may write, what the evaluation sees, and no lost update when two people edit at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from etage.organisations.models import Organisation
from etage.references.models import Theme
from etage.support import events
from etage.support.models import Objective, PlanAction
from etage.support.services import (
    StaleEdit,
    SupportRefused,
    action_comment_add,
    action_create,
    action_set_status,
    action_update,
    objective_create,
    objective_update,
)

pytestmark = pytest.mark.django_db


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def theme(code: str = "budget_debt") -> Theme:
    return Theme.objects.get(code=code)


@pytest.fixture
def objective(supported, cast) -> Objective:
    return objective_create(
        user=cast["t1-association"],
        situation_id=supported.pk,
        theme_id=theme().pk,
        title="Stopper la progression de la dette",
    )


@pytest.fixture
def action(objective, cast) -> PlanAction:
    return action_create(
        user=cast["t1-association"],
        objective_id=objective.pk,
        title="Déposer une demande FSL maintien",
        owner_organisation_id=org("CCAS-VAULX").pk,
        owner_person_id=cast["t1-ccas"].pk,
        due_on=dt.date(2026, 12, 15),
    )


def test_the_referent_builds_the_plan_and_the_event_log_carries_no_free_text(
    supported, objective, action
):
    assert objective.theme.code == "budget_debt"
    assert action.owner_organisation.code == "CCAS-VAULX"
    logged = list(supported.events.filter(action__startswith="objective").values("payload"))
    logged += list(supported.events.filter(action=events.ACTION_ADDED).values("payload"))
    assert logged == [
        {"payload": {"objective": objective.pk, "theme": "budget_debt"}},
        {
            "payload": {
                "objective": objective.pk,
                "action": action.pk,
                "owner": "CCAS-VAULX",
                "due_on": "2026-12-15",
            }
        },
    ]
    for event in supported.events.all():
        assert "FSL" not in str(event.payload)
        assert "dette" not in str(event.payload)


def test_a_ccas_worker_of_the_sharing_group_completes_an_action(supported, action, cast):
    done = action_set_status(
        user=cast["t1-ccas"], action_id=action.pk, expected_version=action.version, status="done"
    )
    assert (done.status, done.version, done.updated_by) == ("done", 2, cast["t1-ccas"])
    event = supported.events.get(action=events.ACTION_STATUS)
    assert event.payload == {
        "objective": action.objective_id,
        "action": action.pk,
        "status": "done",
        "previous": "planned",
    }
    assert event.organisation.code == "CCAS-VAULX"


@pytest.mark.parametrize("username", ["t1-recouvrement", "t1-signalement", "t2-coordination"])
def test_people_without_social_access_cannot_reach_the_plan(supported, action, cast, username):
    user = cast[username]
    with pytest.raises(Http404):
        objective_create(
            user=user, situation_id=supported.pk, theme_id=theme().pk, title="Un objectif"
        )
    with pytest.raises(Http404):
        action_set_status(
            user=user, action_id=action.pk, expected_version=action.version, status="done"
        )
    with pytest.raises(Http404):
        action_comment_add(user=user, action_id=action.pk, text="Vu.")
    action.refresh_from_db()
    assert action.status == "planned"


def test_the_plan_opens_at_orientation(refer, advance, cast):
    situation = advance(refer(), 2)  # contact made, not oriented
    with pytest.raises(SupportRefused, match="orientation"):
        objective_create(
            user=cast["t1-professionnel"],
            situation_id=situation.pk,
            theme_id=theme().pk,
            title="Trop tôt",
        )


def test_the_organisation_in_charge_is_a_platform_member_and_the_person_works_there(
    objective, cast
):
    with pytest.raises(SupportRefused, match="membres de la plateforme"):
        action_create(
            user=cast["t1-association"],
            objective_id=objective.pk,
            title="Action",
            owner_organisation_id=org("CCAS-VEN").pk,  # a T2 partner
        )
    with pytest.raises(SupportRefused, match="CCAS de Vaulx-en-Velin"):
        action_create(
            user=cast["t1-association"],
            objective_id=objective.pk,
            title="Action",
            owner_organisation_id=org("CCAS-VAULX").pk,
            owner_person_id=cast["t1-professionnel"].pk,  # works for EMH
        )


def test_a_social_security_number_is_refused_in_a_title(supported, cast):
    with pytest.raises(SupportRefused, match="NIR"):
        objective_create(
            user=cast["t1-association"],
            situation_id=supported.pk,
            theme_id=theme().pk,
            title="Dossier 1 84 12 76 451 089 46",
        )
    assert not Objective.objects.exists()


def test_a_stale_objective_edit_is_refused_and_shows_what_changed(objective, cast):
    seen = objective.version
    objective_update(
        user=cast["t1-ccas"],
        objective_id=objective.pk,
        expected_version=seen,
        theme_id=theme().pk,
        title="Résorber la dette",
        status="active",
    )
    with pytest.raises(StaleEdit) as refused:
        objective_update(
            user=cast["t1-association"],
            objective_id=objective.pk,
            expected_version=seen,
            theme_id=theme("rights").pk,
            title="Stopper la progression de la dette",
            status="achieved",
        )
    exc = refused.value
    assert exc.current_version == seen + 1
    assert f"{cast['t1-ccas'].get_full_name()} (CCAS-VAULX)" in exc.messages[0]
    assert [(c.label, c.saved, c.typed) for c in exc.changes] == [
        ("Thème", "Budget et dettes", "Accès aux droits"),
        ("Objectif", "Résorber la dette", "Stopper la progression de la dette"),
        ("Statut", "En cours", "Atteint"),
    ]
    objective.refresh_from_db()
    assert (objective.title, objective.status) == ("Résorber la dette", "active")


def test_a_stale_action_edit_is_refused_field_by_field_and_succeeds_on_the_new_version(
    action, cast
):
    seen = action.version
    action_set_status(
        user=cast["t1-ccas"], action_id=action.pk, expected_version=seen, status="in_progress"
    )
    typed = {
        "title": "Déposer une demande FSL maintien",
        "owner_organisation_id": org("CCAS-VAULX").pk,
        "owner_person_id": None,
        "due_on": dt.date(2027, 1, 10),
        "status": "blocked",
    }
    with pytest.raises(StaleEdit) as refused:
        action_update(
            user=cast["t1-association"], action_id=action.pk, expected_version=seen, **typed
        )
    changes = {c.field: (c.saved, c.typed) for c in refused.value.changes}
    assert changes == {
        "owner_person": (cast["t1-ccas"].get_full_name(), "personne en particulier"),
        "due_on": ("15/12/2026", "10/01/2027"),
        "status": ("En cours", "Bloquée"),
    }
    saved = action_update(
        user=cast["t1-association"],
        action_id=action.pk,
        expected_version=refused.value.current_version,
        **typed,
    )
    assert (saved.status, saved.due_on, saved.version) == ("blocked", dt.date(2027, 1, 10), 3)


def test_comments_are_append_only_and_sensitive_terms_need_confirmation(action, cast):
    from etage.support.services import SensitiveTermsFound

    with pytest.raises(SensitiveTermsFound):
        action_comment_add(
            user=cast["t1-ccas"], action_id=action.pk, text="Hospitalisation prévue."
        )
    assert not action.comments.exists()
    comment = action_comment_add(
        user=cast["t1-ccas"],
        action_id=action.pk,
        text="Hospitalisation prévue.",
        confirm_sensitive=True,
    )
    comment.text = "Autre"
    with pytest.raises(PermissionError):
        comment.save()
    with pytest.raises(PermissionError):
        action.comments.all().delete()


def test_no_action_is_added_to_an_achieved_objective(objective, cast):
    objective_update(
        user=cast["t1-association"],
        objective_id=objective.pk,
        expected_version=objective.version,
        theme_id=objective.theme_id,
        title=objective.title,
        status="achieved",
    )
    with pytest.raises(SupportRefused, match="plus en cours"):
        action_create(
            user=cast["t1-association"],
            objective_id=objective.pk,
            title="Encore une",
            owner_organisation_id=org("ASSO-TDL").pk,
        )
