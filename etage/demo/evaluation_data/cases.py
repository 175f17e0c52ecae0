"""The three case narratives of the demo (A, B, C) and the workshop.

A narrative is what the three interviews of a case say (household, associative referent,
landlord social worker). The cases themselves are drawn from the snapshot; each narrative goes
to the drawn case whose pathway fits it best (``wants``/``avoids``: activities of the
timeline). What the pathway data says in the triangulation is computed from the case's
timeline, never written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from etage.analytics.filters import Filters

#: The draw: one case per territory among the situations supported at coordination or AGR
#: level and still in the same dwelling at closure (the case studies examine how households
#: were kept housed). Relaxed in this order when the snapshot has too few such situations
#: (a small history): any supported situation, any situation reached, any situation.
DRAW_BY = ("territory",)
DRAW_DESIGNS: tuple[Filters | None, ...] = (
    Filters(levels=("coordination", "agr"), attributes=(("housing_status", "same_dwelling"),)),
    Filters(followed_by=("orient", "start_support")),
    Filters(followed_by=("identify", "contact_reached")),
    None,
)
CASES_WANTED = 3

#: Verdict letters: converges, diverges, silent.
VERDICTS = {"c": "converges", "d": "diverges", "s": "silent"}
#: Theme keys (top-level codes of :mod:`.codebook`) in matrix order.
THEMES = ("reperage", "relation", "coordination", "leviers", "effets")
SOURCES = ("household", "associative_referent", "landlord_social_worker")


@dataclass(frozen=True)
class PinSpec:
    interview: str
    cue: str
    #: Moments of the timeline to pin to, by preference (the first one present is used).
    activities: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Narrative:
    key: str
    summary: str
    wants: tuple[str, ...]
    avoids: tuple[str, ...]
    #: Whether the households of this narrative were identified before any procedure.
    early: bool
    #: theme → three (verdict letter, comment), for household, referent, landlord worker.
    triangulation: dict[str, tuple[tuple[str, str], ...]]
    #: question number → (verdict letter, finding).
    cross_case: dict[int, tuple[str, str]]
    pins: tuple[PinSpec, ...]


SILENT = "Thème non abordé dans l'entretien."

NARRATIVES: tuple[Narrative, ...] = (
    Narrative(
        "A",
        "Mère seule avec un enfant, impayés après la perte d'un emploi. Repérée par la "
        "travailleuse sociale du bailleur au deuxième mois d'impayés, accompagnée par une "
        "référente associative : FSL, APL recalculée, plan d'apurement respecté ; aucune "
        "procédure engagée.",
        wants=("fsl_application", "fsl_decision", "amicable_plan_signed", "start_support"),
        avoids=("summons", "commandement_de_payer", "hearing", "eviction_carried_out"),
        early=True,
        triangulation={
            "reperage": (
                ("c", "Appelée puis visitée au deuxième mois d'impayés."),
                ("c", "Confirme un repérage « très tôt », à deux mois d'impayés."),
                ("c", "Décrit la liste mensuelle et la visite à domicile."),
            ),
            "relation": (
                ("c", "Honte et courriers non ouverts, puis confiance dans la référente."),
                ("c", "Plusieurs semaines avant un premier appel spontané du ménage."),
                ("s", SILENT),
            ),
            "coordination": (
                ("c", "Une seule interlocutrice, qui sait déjà ce que sait le bailleur."),
                ("c", "Ne partage en réunion que ce qui sert la décision."),
                ("d", "Insiste sur le temps de préparation des fiches, absent des autres récits."),
            ),
            "leviers": (
                ("c", "FSL, APL recalculée, plan à 40 euros par mois."),
                ("c", "Mêmes leviers ; délai du FSL jugé trop long."),
                ("d", "Relances automatiques parties malgré le signalement dans le logiciel."),
            ),
            "effets": (
                ("c", "Plan respecté depuis un an, maintien dans le logement."),
                ("s", SILENT),
                ("s", SILENT),
            ),
        },
        cross_case={
            1: ("c", "Ménage inconnu des services, atteint grâce au repérage du bailleur."),
            2: ("c", "Une référente unique, pas de suivi en doublon."),
            3: ("c", "Repérage au deuxième mois d'impayés, aucune procédure engagée."),
            4: ("c", "Visites supplémentaires du bailleur, compensées par une orientation rapide."),
            5: ("c", "Droits rétablis, emploi retrouvé, plan respecté."),
            6: ("c", "Les relances automatiques devraient être suspendues d'office."),
        },
        pins=(
            PinSpec(
                "E01",
                "Elle m'a appelée, puis elle est passée à la maison",
                ("contact_reached", "inform", "identify"),
                "Premier contact : un appel puis une visite.",
            ),
            PinSpec(
                "E04",
                "Le FSL maintien, la mise à jour des droits CAF",
                ("fsl_application", "fsl_decision", "start_support", "orient"),
                "Les leviers mobilisés au début de l'accompagnement.",
            ),
            PinSpec(
                "E01",
                "Le plan est respecté depuis un an",
                ("amicable_plan_respected", "schedule_respected", "close", "review"),
                "Le ménage décrit le plan tenu.",
            ),
        ),
    ),
    Narrative(
        "B",
        "Couple avec enfants, APL suspendue pendant une longue maladie. Repéré après le "
        "commandement de payer ; visite commune du bailleur et de l'association, APL rétablie, "
        "délais accordés à l'audience puis protocole de cohésion sociale.",
        wants=("summons", "hearing", "commandement_de_payer", "protocol_signed", "caf_reported"),
        avoids=(),
        early=False,
        triangulation={
            "reperage": (
                ("c", "Arrivé par la CAF, après le commandement de payer."),
                ("c", "« Pas du tout un repérage précoce. »"),
                ("c", "Connu par le contentieux, tardivement."),
            ),
            "relation": (
                ("c", "Méfiance envers le bailleur levée par la visite commune."),
                ("c", "La visite commune montre que tous disent la même chose."),
                ("c", "Ménage très fermé au départ, rassuré par le référent associatif."),
            ),
            "coordination": (
                ("d", "Trois semaines sans nouvelles pendant le congé du référent."),
                ("c", "Reconnaît la rupture ; un binôme a été mis en place."),
                ("s", SILENT),
            ),
            "leviers": (
                ("c", "APL rétablie, délais du juge, protocole à 60 euros par mois."),
                ("c", "Diagnostic social et financier, protocole de cohésion sociale."),
                ("c", "L'APL d'abord, le protocole ensuite."),
            ),
            "effets": (
                ("c", "Toujours dans le logement, enfants dans la même école."),
                ("c", "Un nouveau bail est possible à terme."),
                ("s", SILENT),
            ),
        },
        cross_case={
            1: ("d", "Ménage déjà connu de la CAF, repéré tard par la plateforme."),
            2: ("d", "La plateforme et la CCAPEX s'ignorent : avis découverts après coup."),
            3: (
                "d",
                "Repéré après le commandement : délais judiciaires plutôt que procédure évitée.",
            ),
            4: ("c", "La continuité a un coût : rupture pendant un congé."),
            5: ("c", "APL rétablie, courriers de nouveau ouverts."),
            6: ("c", "Le financement annuel des référents fragilise le suivi."),
        },
        pins=(
            PinSpec(
                "E02",
                "il y avait un commandement de payer sur la table",
                ("commandement_de_payer", "summons", "identify"),
                "Le commandement de payer, vécu par le ménage.",
            ),
            PinSpec(
                "E05",
                "On a préparé l'audience ensemble",
                ("hearing", "judgment", "ccapex_referral", "orient"),
                "Préparation de l'audience avec le diagnostic social et financier.",
            ),
            PinSpec(
                "E02",
                "le bailleur a proposé un protocole",
                ("protocol_signed", "amicable_plan_signed", "judgment", "start_support"),
                "Le protocole proposé après le jugement.",
            ),
        ),
    ),
    Narrative(
        "C",
        "Mère seule avec trois enfants, endettement global (crédit à la consommation). "
        "Premier contact par un mot laissé à la porte ; dossier de surendettement, FSL refusé "
        "puis redéposé, relances gelées par le bailleur ; maintien dans le logement, fragile.",
        wants=("fsl_decision", "amicable_plan_signed", "home_visit", "close"),
        avoids=("summons", "hearing"),
        early=True,
        triangulation={
            "reperage": (
                ("c", "Porte non ouverte, mot laissé, rappel par la fille aînée."),
                ("s", SILENT),
                ("c", "Trois courriers sans réponse, puis visite et mot manuscrit."),
            ),
            "relation": (
                ("c", "Pensait que le bailleur ne voulait que son argent."),
                ("c", "Se croyait surveillée au début ; confiance venue avec le temps."),
                ("s", SILENT),
            ),
            "coordination": (
                ("d", "Ne sait pas ce qui se dit en réunion de plateforme."),
                ("c", "Reconnaît l'absence de retour au ménage après les réunions."),
                ("d", "Décrit la réunion comme le lieu du gel des relances, sans le ménage."),
            ),
            "leviers": (
                ("c", "Surendettement, FSL refusé puis redéposé, plan pour le reste."),
                ("c", "Surendettement d'abord, sinon aucun plan ne tenait."),
                ("c", "Relances gelées pendant l'instruction du surendettement."),
            ),
            "effets": (
                ("c", "Toujours dans l'appartement, mais « c'est fragile »."),
                ("c", "Maintien acquis pour l'instant ; souhaite une sortie progressive."),
                ("c", "Loyer payé depuis huit mois ; inquiet pour la fin de l'accompagnement."),
            ),
        },
        cross_case={
            1: ("c", "Ménage qui ignorait ses droits et l'aide possible du bailleur."),
            2: ("c", "Gel des relances décidé en réunion avec le recouvrement."),
            3: ("c", "Aucune procédure ; maintien obtenu par le surendettement."),
            4: ("s", "Pas d'élément sur les moyens dans ce cas."),
            5: ("d", "Maintien fragile, fin d'accompagnement redoutée par le ménage."),
            6: ("c", "Un suivi léger après la clôture est demandé par tous."),
        },
        pins=(
            PinSpec(
                "E09",
                "J'ai laissé un mot manuscrit",
                ("contact_reached", "inform", "identify"),
                "Le mot laissé à la porte, premier contact réussi.",
            ),
            PinSpec(
                "E06",
                "Le dossier de surendettement d'abord",
                ("fsl_application", "start_support", "orient"),
                "Priorité donnée au surendettement.",
            ),
            PinSpec(
                "E03",
                "On est toujours là, dans l'appartement",
                ("close", "follow_up_6", "review"),
                "Le maintien, fragile, vu par le ménage.",
            ),
        ),
    ),
)

#: Association working with the households of each territory (demo configuration).
ASSOCIATION_OF_TERRITORY = {"T1": "ASSO-MEDIA", "T2": "ASSO-TDL", "T3": "ASSO-HABAUT"}


# -- the workshop ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSpec:
    kind: str
    title: str
    description: str
    #: Hands raised (typed by the facilitator) and the live dots of the two account holders.
    hands: int
    live: dict[str, int]
    retained: bool = False


WORKSHOP_TITLE = "Atelier prospectif : pérenniser et étendre les plateformes"
WORKSHOP_DATE = dt.date(2023, 6, 20)
WORKSHOP_AGENDA = (
    "1. Restitution des premiers résultats de l'évaluation (20 min)\n"
    "2. Propositions des participants, par petits groupes (40 min)\n"
    "3. Vote par gommettes : trois gommettes par personne (20 min)\n"
    "4. Des propositions retenues au plan d'action (20 min)"
)
WORKSHOP_MINUTES = (
    "Douze participants : deux ménages accompagnés, deux référents associatifs, deux "
    "travailleurs sociaux de bailleurs, la coordinatrice de plateforme, deux professionnels "
    "des services sociaux de secteur, un agent du recouvrement, un représentant de la "
    "direction d'un bailleur et une représentante de la Métropole. Tous ont donné leur accord "
    "pour figurer, par type d'acteur, dans ce compte rendu.\n\n"
    "Après la restitution, six propositions ont été formulées. Deux participants ont voté "
    "depuis leur compte ETAGE ; les votes à main levée des autres ont été saisis par "
    "l'animatrice. Deux propositions arrivent en tête à égalité : inscrire la règle des deux "
    "mois dans les procédures des bailleurs et suspendre automatiquement les relances dès "
    "l'orientation. Elles sont retenues et inscrites au plan d'action.\n\n"
    "Les ménages présents ont insisté pour recevoir un compte rendu des décisions prises à "
    "leur sujet ; la proposition est reprise dans les recommandations de l'évaluation."
)
#: Attendees by stakeholder type; the two ETAGE accounts vote live.
ATTENDEES: tuple[tuple[str, str], ...] = (
    ("household", ""),
    ("household", ""),
    ("associative_referent", ""),
    ("associative_referent", ""),
    ("landlord_social_worker", "t1-professionnel"),
    ("landlord_social_worker", ""),
    ("coordinator", "t1-coordination"),
    ("social_service", ""),
    ("social_service", ""),
    ("rent_recovery", ""),
    ("landlord_management", ""),
    ("institution", ""),
)
DOTS_PER_PERSON = 3

CARDS: tuple[CardSpec, ...] = (
    CardSpec(
        "proposal",
        "Inscrire la règle des deux mois dans les procédures des bailleurs",
        "Tout impayé de deux mois sans procédure est transmis au service social du bailleur, "
        "par écrit et dans les procédures internes, au-delà de l'expérimentation.",
        hands=7,
        live={"t1-coordination": 2, "t1-professionnel": 1},
        retained=True,
    ),
    CardSpec(
        "proposal",
        "Financer la coordination sur trois ans",
        "Convention entre la Métropole, les bailleurs et la CAF pour le poste de coordination.",
        hands=5,
        live={},
    ),
    CardSpec(
        "scenario",
        "Étendre la plateforme à tout le parc des trois OPH",
        "Une plateforme par bassin d'habitat, sur l'ensemble du parc des trois offices.",
        hands=3,
        live={},
    ),
    CardSpec(
        "action",
        "Remettre un compte rendu de décision au ménage",
        "Après chaque réunion de plateforme, le référent remet au ménage ce qui a été décidé "
        "et par qui.",
        hands=5,
        live={"t1-professionnel": 1},
    ),
    CardSpec(
        "action",
        "Instruction FSL accélérée pour les ménages suivis",
        "Un circuit court au FSL pour les dossiers préparés en plateforme.",
        hands=2,
        live={},
    ),
    CardSpec(
        "proposal",
        "Suspendre automatiquement les relances dès l'orientation",
        "Le logiciel du recouvrement bloque les relances automatiques d'une situation "
        "orientée par la plateforme.",
        hands=8,
        live={"t1-coordination": 1, "t1-professionnel": 1},
        retained=True,
    ),
)


@dataclass(frozen=True)
class ActionSpec:
    card: int  # index in CARDS
    recommendation: int  # index in matrix.RECOMMENDATIONS
    owner: str
    deadline: dt.date
    budget: Decimal | None
    indicator: str
    status: str
    description: str


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        0,
        0,
        "Directions du recouvrement des trois OPH",
        dt.date(2024, 3, 31),
        None,
        "early_identification_share",
        "in_progress",
        "Note de procédure commune aux trois offices, validée en comité de pilotage.",
    ),
    ActionSpec(
        5,
        1,
        "Services informatiques des bailleurs, avec la coordination",
        dt.date(2024, 6, 30),
        Decimal("15000.00"),
        "summons_avoided_share",
        "planned",
        "Indicateur « suivi plateforme » bloquant les relances dans le logiciel de recouvrement.",
    ),
)
