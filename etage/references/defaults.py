"""Default reference lists: the themes of the shared plan and a few suggested actions for
each (domain.md §3). Labels are French data that administrators may edit in the back-office;
codes are stable. Used by the seeding migration and by anything that must find them present
(demo data, tests that flush the database)."""

from __future__ import annotations

from typing import Any

THEMES = [
    (
        "budget_debt",
        "Budget et dettes",
        [
            "Établir un budget avec le ménage",
            "Proposer un plan d'apurement au bailleur",
            "Déposer une demande FSL maintien",
            "Accompagner un dossier de surendettement",
        ],
    ),
    (
        "rights",
        "Accès aux droits",
        [
            "Vérifier les droits CAF (APL, prime d'activité)",
            "Accompagner une demande de RSA ou d'AAH",
            "Demander la complémentaire santé solidaire",
        ],
    ),
    (
        "housing",
        "Logement",
        [
            "Déposer une demande de mutation",
            "Préparer un recours DALO",
            "Vérifier l'assurance habitation",
        ],
    ),
    (
        "health",
        "Santé",
        [
            "Orienter vers un médecin traitant",
            "Mettre en lien avec l'équipe mobile psychiatrie-précarité",
        ],
    ),
    (
        "social_ties",
        "Liens sociaux",
        [
            "Présenter un centre social ou une association de quartier",
            "Mettre en place des visites de convivialité",
        ],
    ),
    (
        "neighbourhood",
        "Voisinage",
        [
            "Organiser une médiation de voisinage",
            "Rappeler les règles du bail",
        ],
    ),
    (
        "hygiene",
        "Hygiène et entretien du logement",
        [
            "Organiser un désencombrement",
            "Mettre en place une aide à domicile",
        ],
    ),
    (
        "employment_training",
        "Emploi et formation",
        [
            "Orienter vers France Travail",
            "Présenter une formation ou un chantier d'insertion",
        ],
    ),
    ("other", "Autre", []),
]


def seed_default_references(theme_model: Any, action_template_model: Any) -> None:
    """Create the default themes and suggestions that are missing; never overwrite an
    administrator's edits. Takes the model classes so that migrations can pass historical ones."""
    for order, (code, label, actions) in enumerate(THEMES, start=1):
        theme, _ = theme_model.objects.get_or_create(
            code=code, defaults={"label": label, "order": order * 10}
        )
        for action in actions:
            action_template_model.objects.get_or_create(theme=theme, label=action)
