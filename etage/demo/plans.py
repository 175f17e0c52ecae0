"""What the demo's shared plans, journals and meetings say: themes chosen from the household's
difficulties, objective titles, fallback action titles, short factual journal texts and
decision notes. Data, in French like the rest of the demo content; synthetic, and free of the
sensitive terms the support app asks the writer to confirm (``etage.support.sensitive``).
"""

from __future__ import annotations

from etage.meetings.choices import PostponementReason
from etage.situations.choices import Difficulty
from etage.support.choices import JournalKind

#: Plan themes (codes of ``etage.references``' default themes) for each difficulty, most
#: likely first.
THEMES_BY_DIFFICULTY: dict[str, tuple[str, ...]] = {
    Difficulty.RENT_ARREARS: ("budget_debt", "rights"),
    Difficulty.BUDGET: ("budget_debt", "employment_training"),
    Difficulty.NON_TAKE_UP: ("rights",),
    Difficulty.NEIGHBOURHOOD: ("neighbourhood",),
    Difficulty.SQUALOR: ("hygiene",),
    Difficulty.MENTAL_HEALTH: ("health",),
    Difficulty.ADDICTION: ("health",),
    Difficulty.ISOLATION: ("social_ties",),
    Difficulty.AUTONOMY: ("housing", "health"),
    Difficulty.OCCUPANCY: ("housing",),
    Difficulty.DOMESTIC_VIOLENCE: ("housing",),
    Difficulty.OTHER: ("other",),
}

OBJECTIVE_TITLES: dict[str, tuple[str, ...]] = {
    "budget_debt": (
        "Résorber la dette locative",
        "Stabiliser le budget du ménage",
        "Reprendre le paiement régulier du loyer",
    ),
    "rights": ("Ouvrir les droits aux aides au logement", "Faire valoir les droits du ménage"),
    "housing": (
        "Trouver un logement adapté à la composition familiale",
        "Préparer une mutation dans le parc social",
    ),
    "health": ("Renouer avec un suivi adapté", "Mettre en place un relais de proximité"),
    "social_ties": ("Rompre l'isolement", "Recréer des liens avec le quartier"),
    "neighbourhood": ("Apaiser les relations de voisinage",),
    "hygiene": ("Retrouver un logement entretenu", "Organiser l'entretien du logement"),
    "employment_training": ("Reprendre une activité ou une formation",),
    "other": ("Stabiliser la situation familiale",),
}

#: Action titles for themes that have no suggested action in the reference lists.
FALLBACK_ACTIONS: tuple[str, ...] = (
    "Faire le point avec le ménage sur les démarches en cours",
    "Rassembler les pièces justificatives",
)

#: Which kind of member usually carries an action of each theme (codes of organisation
#: kinds, in order of preference; the first one in the sharing group is chosen most often).
OWNER_KINDS: dict[str, tuple[str, ...]] = {
    "budget_debt": ("landlord", "ccas", "mdm", "association"),
    "rights": ("mdm", "ccas", "association"),
    "housing": ("landlord", "mdm", "association"),
    "health": ("health", "mdm", "association"),
    "social_ties": ("ccas", "association"),
    "neighbourhood": ("association", "landlord"),
    "hygiene": ("landlord", "ccas", "association"),
    "employment_training": ("mdm", "ccas"),
    "other": ("ccas", "mdm", "landlord"),
}

#: Short, factual journal texts by kind of entry. Nothing nominative, nothing sensitive.
JOURNAL_TEXTS: dict[str, tuple[str, ...]] = {
    JournalKind.PHONE_CALL: (
        "Appel au ménage pour préparer le prochain rendez-vous.",
        "Échange téléphonique avec le bailleur sur le montant de la dette.",
        "Message laissé, le ménage a rappelé le lendemain.",
        "Point téléphonique avec la CAF sur le dossier du ménage.",
    ),
    JournalKind.HOME_VISIT: (
        "Visite à domicile : point sur le budget et les courriers en attente.",
        "Visite à domicile avec la chargée de recouvrement, plan d'apurement expliqué.",
        "Visite à domicile : le ménage a trié les papiers administratifs.",
    ),
    JournalKind.OFFICE_MEETING: (
        "Rendez-vous au service : dossier FSL complété avec le ménage.",
        "Entretien au service : budget revu, échéancier proposé au bailleur.",
        "Rendez-vous au service pour préparer la demande de mutation.",
    ),
    JournalKind.EMAIL_LETTER: (
        "Courrier envoyé au ménage pour rappeler le rendez-vous.",
        "Dossier transmis à la CAF par courriel.",
        "Courrier du bailleur reçu et expliqué au ménage.",
    ),
    JournalKind.PARTNER_MEETING: (
        "Réunion avec le CCAS et le bailleur : répartition des actions.",
        "Point de coordination avec la Maison de la Métropole.",
        "Échange avec l'association référente sur l'avancement du plan.",
    ),
    JournalKind.NOTE: (
        "Pièces justificatives reçues, dossier complet.",
        "Premier versement du plan d'apurement constaté.",
        "Le ménage tient les échéances depuis deux mois.",
    ),
}

JOURNAL_KIND_WEIGHTS: dict[str, float] = {
    JournalKind.PHONE_CALL: 30,
    JournalKind.HOME_VISIT: 20,
    JournalKind.OFFICE_MEETING: 20,
    JournalKind.EMAIL_LETTER: 10,
    JournalKind.PARTNER_MEETING: 10,
    JournalKind.NOTE: 10,
}

#: The one free text of a decision, shown to the sharing group only.
DECISION_NOTES: dict[str, tuple[str, ...]] = {
    "orientation": (
        "Orientation validée en séance.",
        "Orientation validée ; premier rendez-vous à fixer par le référent.",
        "Orientation validée après échange avec les partenaires présents.",
    ),
    "level_change": (
        "Changement de niveau validé au vu de l'évolution de la situation.",
        "Niveau ajusté ; le référent informe le ménage.",
    ),
    "continue": (
        "Accompagnement poursuivi, plan inchangé.",
        "Accompagnement poursuivi ; point d'étape au prochain bilan.",
    ),
}

POSTPONEMENT_WEIGHTS: dict[str, float] = {
    PostponementReason.MISSING_INFORMATION: 35,
    PostponementReason.HOUSEHOLD_NOT_MET: 25,
    PostponementReason.CONSENT_PENDING: 15,
    PostponementReason.PARTNER_ABSENT: 10,
    PostponementReason.NO_TIME: 15,
}

#: Where each platform meets (fictional rooms of real kinds of places).
MEETING_PLACES: dict[str, str] = {
    "T1": "CCAS de Vaulx-en-Velin, salle du conseil",
    "T2": "Maison de la Métropole de Vénissieux, salle 2",
    "T3": "CCAS de Lyon, antenne du 8e, salle de réunion",
}
