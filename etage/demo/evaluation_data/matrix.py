"""The demo evaluation matrix: the project's texts, six evaluative questions (one per
criterion) with their judgement criteria, indicators (catalogue codes of
``etage/analytics/catalogue.py``), linked codes (keys of :mod:`.codebook`) and findings; the
recommendations and the logic model."""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_NAME = "Évaluation de l'expérimentation ETAGE"
PROJECT_DESCRIPTION = (
    "Évaluation de l'expérimentation des plateformes territoriales de prévention des "
    "expulsions (Vaulx-en-Velin et Bron, Vénissieux, Lyon 7e et 8e) : entretiens, études de "
    "cas à 360°, atelier prospectif et indicateurs de parcours. Projet de démonstration : "
    "toutes les données sont fictives."
)
SUMMARY = (
    "Les plateformes territoriales repèrent plus tôt des ménages qui, auparavant, n'étaient "
    "connus qu'au stade de l'assignation. Lorsque le repérage intervient dans les premiers "
    "mois d'impayés, l'accompagnement mobilise le FSL, les droits CAF et un plan d'apurement "
    "avant toute procédure, et les ménages rencontrés sont restés dans leur logement. Les "
    "conditions de la pérennisation tiennent à un financement pluriannuel de la coordination, "
    "à la suspension effective des relances automatiques et à un retour d'information vers "
    "les ménages."
)
METHOD_LIMITS = (
    "Douze entretiens retranscrits et pseudonymisés (ménages, référents associatifs, "
    "travailleurs sociaux des bailleurs, coordination, recouvrement, institutions), dont sept "
    "codés indépendamment par deux évaluateurs puis réconciliés sur deux d'entre eux. Trois "
    "études de cas tirées au sort parmi les situations accompagnées et maintenues dans leur "
    "logement : elles éclairent les mécanismes du maintien, pas la fréquence des échecs. Un "
    "entretien a été retiré après le retrait du consentement de la personne. Les indicateurs "
    "de parcours portent sur des données pseudonymisées ; les petits effectifs ne sont pas "
    "diffusés hors de l'équipe d'évaluation."
)
CONCLUSIONS = (
    "L'expérimentation atteint son objectif principal là où le bailleur transmet tôt les "
    "impayés : la plateforme devient alors le lieu où le recouvrement et l'action sociale "
    "construisent un compromis écrit. Ses limites sont connues des acteurs eux-mêmes : "
    "continuité du référent, délais du FSL, relances automatiques, information des ménages. "
    "L'extension suppose d'en faire une règle des bailleurs et un financement partagé."
)


@dataclass(frozen=True)
class QuestionSpec:
    number: int
    criterion: str
    text: str
    judgement_criteria: str
    indicators: tuple[str, ...]
    codes: tuple[str, ...]
    findings: str
    #: Sources other than codes: the case studies, the workshop.
    with_cases: bool = False
    with_workshop: bool = False


QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        1,
        "relevance",
        "Dans quelle mesure les plateformes atteignent-elles des ménages en impayés qui "
        "échappaient jusqu'ici à tout accompagnement ?",
        "Part des ménages repérés par d'autres acteurs que le recouvrement ; part repérée "
        "avant toute procédure ; ménages qui déclarent ne pas avoir connu les aides avant.",
        ("identified_by_partners_share", "early_identification_share", "unreachable_share"),
        ("precoce", "non_recours", "honte"),
        "Les ménages rencontrés n'avaient pas sollicité d'aide : la honte et la peur des "
        "courriers les tenaient à l'écart. Le repérage par le bailleur les a atteints, mais "
        "un tiers des ménages repérés reste injoignable selon la coordination.",
        with_cases=True,
    ),
    QuestionSpec(
        2,
        "coherence",
        "La plateforme s'articule-t-elle avec les dispositifs existants (FSL, CCAPEX, "
        "services sociaux de secteur, CAF) sans les doublonner ?",
        "Partenaires mobilisés par situation ; absence de doublons de suivi ; circulation de "
        "l'information avec la CCAPEX et la CAF.",
        ("partners_mean", "meetings_held"),
        ("plateforme", "articulation", "partage"),
        "La réunion de plateforme évite les suivis parallèles et rend possibles des "
        "compromis entre recouvrement et action sociale (gel des relances). L'articulation "
        "avec la CCAPEX reste faible : les avis arrivent après coup.",
        with_workshop=True,
    ),
    QuestionSpec(
        3,
        "effectiveness",
        "Dans quelle mesure le repérage précoce a-t-il permis d'éviter des expulsions ?",
        "Part des situations sans assignation ; part maintenue dans le logement à la "
        "clôture ; part expulsée ; récits de procédures évitées.",
        (
            "summons_avoided_share",
            "kept_in_dwelling_share",
            "evicted_share",
            "housed_at_closure_share",
        ),
        ("precoce", "procedure", "maintien", "apurement"),
        "Les situations repérées avant procédure se résolvent le plus souvent par un plan "
        "d'apurement et le FSL, sans huissier. Repérées après l'assignation, elles aboutissent "
        "plutôt à des délais judiciaires et à un protocole : l'effet existe mais il est "
        "moindre.",
        with_cases=True,
    ),
    QuestionSpec(
        4,
        "efficiency",
        "Les moyens mobilisés (temps des référents, coordination) sont-ils proportionnés aux "
        "résultats obtenus ?",
        "Coût par ménage accompagné ; situations par référent ; durée médiane "
        "d'accompagnement ; temps évité par la réduction des doublons.",
        ("cost_per_household", "caseload_per_referent", "support_duration_median"),
        ("charge", "referent_unique"),
        "La démarche ajoute des visites et de la saisie, mais réduit le temps passé à "
        "chercher des interlocuteurs. Les files actives des référents dépassent ce qui était "
        "prévu, ce qui fragilise la continuité.",
        with_workshop=True,
    ),
    QuestionSpec(
        5,
        "impact",
        "Quels effets durables l'accompagnement a-t-il sur la situation des ménages, au-delà "
        "de la dette ?",
        "Part toujours logée 12 mois après la clôture ; part avec impayés à 12 mois ; "
        "ouverture de droits ; autonomie déclarée face aux courriers et aux démarches.",
        ("housed_12m_share", "arrears_12m_share", "rights_opened_share", "debt_reduced_share"),
        ("maintien", "droits", "confiance"),
        "Les ménages disent savoir à qui s'adresser et ouvrir de nouveau leurs courriers. Les "
        "droits rétablis (APL) sont le levier le plus durable. La fin de l'accompagnement "
        "inquiète les ménages les plus fragiles.",
        with_cases=True,
    ),
    QuestionSpec(
        6,
        "sustainability",
        "À quelles conditions la démarche peut-elle être pérennisée et étendue à d'autres "
        "territoires et bailleurs ?",
        "Financement identifié au-delà de l'expérimentation ; règles inscrites dans les "
        "procédures des bailleurs ; indicateurs communs suivis partout.",
        ("in_support", "cost_per_household"),
        ("perennite", "articulation"),
        "Trois conditions reviennent : un financement pluriannuel et partagé de la "
        "coordination, la règle des deux mois inscrite dans les procédures des bailleurs, et "
        "des indicateurs communs. Les institutions demandent une coordination légère.",
        with_workshop=True,
    ),
)


@dataclass(frozen=True)
class RecommendationSpec:
    question: int
    priority: int  # 1 high, 2 medium, 3 low
    text: str


RECOMMENDATIONS: tuple[RecommendationSpec, ...] = (
    RecommendationSpec(
        3,
        1,
        "Inscrire dans les procédures de recouvrement des trois OPH la transmission au "
        "service social de tout impayé de deux mois sans procédure engagée.",
    ),
    RecommendationSpec(
        2,
        1,
        "Suspendre automatiquement les relances du bailleur dès qu'une situation est "
        "orientée par la plateforme.",
    ),
    RecommendationSpec(
        6,
        1,
        "Financer la coordination des plateformes sur trois ans, par une convention entre "
        "la Métropole, les bailleurs et la CAF.",
    ),
    RecommendationSpec(
        4,
        2,
        "Organiser la suppléance des référents (binômes) pour qu'aucun dossier ne reste sans "
        "suivi pendant une absence.",
    ),
    RecommendationSpec(
        2,
        2,
        "Prévoir avec le FSL une instruction accélérée pour les ménages suivis par une plateforme.",
    ),
    RecommendationSpec(
        5,
        2,
        "Remettre au ménage un compte rendu simple des décisions prises à son sujet en "
        "réunion de plateforme.",
    ),
    RecommendationSpec(
        5,
        3,
        "Proposer un contact de suivi léger à six mois après la clôture pour les ménages "
        "les plus fragiles.",
    ),
)


@dataclass(frozen=True)
class NodeSpec:
    stage: str
    text: str
    indicators: tuple[str, ...] = ()


LOGIC_MODEL: tuple[NodeSpec, ...] = (
    NodeSpec("inputs", "Coordination de plateforme à mi-temps par territoire", ("in_support",)),
    NodeSpec(
        "inputs",
        "Référents associatifs et travailleurs sociaux des bailleurs",
        ("caseload_per_referent",),
    ),
    NodeSpec("inputs", "Listes mensuelles d'impayés transmises par les bailleurs"),
    NodeSpec(
        "activities",
        "Repérage des impayés de deux mois et aller-vers",
        ("days_to_first_contact_median",),
    ),
    NodeSpec(
        "activities",
        "Réunions de plateforme et orientation vers un niveau d'accompagnement",
        ("meetings_held", "days_to_orientation_median"),
    ),
    NodeSpec("activities", "Accompagnement par un référent unique", ("support_duration_median",)),
    NodeSpec("outputs", "Ménages repérés avant toute procédure", ("early_identification_share",)),
    NodeSpec(
        "outputs",
        "Plans d'apurement et dossiers FSL préparés",
        ("plan_respected_share",),
    ),
    NodeSpec("outcomes", "Droits rétablis et dette réduite", ("rights_opened_share",)),
    NodeSpec("outcomes", "Procédures d'expulsion évitées", ("summons_avoided_share",)),
    NodeSpec("outcomes", "Ménages maintenus dans leur logement", ("kept_in_dwelling_share",)),
    NodeSpec("impact", "Moins d'expulsions locatives dans la Métropole", ("evicted_share",)),
    NodeSpec("impact", "Stabilité résidentielle durable des ménages", ("housed_12m_share",)),
)
