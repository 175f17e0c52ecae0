"""URL patterns of the evaluation workspace: participatory workshops, their vote and the action
plan (see urls.py)."""

from __future__ import annotations

from django.urls import path

from etage.evaluation import views_workshops as w
from etage.evaluation import views_workshops_actions as a
from etage.evaluation import views_workshops_voting as v

_P = "projets/<int:project_pk>/"
_W = f"{_P}ateliers/<int:pk>/"

urlpatterns = [
    path(f"{_P}ateliers/", w.workshops, name="workshops"),
    path(f"{_P}ateliers/nouveau/", w.workshop_create, name="workshop_create"),
    path(_W, w.workshop, name="workshop"),
    path(f"{_W}modifier/", w.workshop_edit, name="workshop_edit"),
    path(f"{_W}participants/ajouter/", w.attendee_add, name="workshop_attendee_add"),
    path(
        f"{_P}ateliers/participants/<int:pk>/retirer/",
        w.attendee_remove,
        name="workshop_attendee_remove",
    ),
    path(f"{_W}cartes/nouvelle/", w.card_create, name="card_create"),
    path(f"{_P}ateliers/cartes/<int:pk>/modifier/", w.card_edit, name="card_edit"),
    path(f"{_P}ateliers/cartes/<int:pk>/supprimer/", w.card_delete, name="card_delete"),
    path(f"{_P}ateliers/cartes/<int:pk>/retenir/", w.card_retain, name="card_retain"),
    path(f"{_W}vote/ouvrir/", v.voting_open, name="workshop_voting_open"),
    path(f"{_W}vote/fermer/", v.voting_close, name="workshop_voting_close"),
    path(f"{_W}voter/", v.workshop_vote, name="workshop_vote"),
    path(f"{_W}votes-a-main-levee/", v.hand_votes, name="workshop_hand_votes"),
    path(f"{_W}resultats/", v.workshop_results_page, name="workshop_results"),
    path(f"{_P}plan-d-action/", a.actions, name="actions"),
    path(f"{_P}plan-d-action/nouvelle/", a.action_create, name="action_create"),
    path(f"{_P}plan-d-action/export.<str:fmt>", a.actions_export, name="actions_export"),
    path(f"{_P}plan-d-action/<int:pk>/modifier/", a.action_edit, name="action_edit"),
]
