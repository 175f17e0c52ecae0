"""The indicator catalogue of domain.md §5, as data.

Each :class:`Indicator` says what it measures (French name, definition, formula, caveats),
where it comes from (snapshot columns and events), its unit, the breakdowns it allows and
after how many months a period's figure is final. ``indicators.py`` turns the ``base``,
``kind`` and SQL fragments into grouping-set queries over the snapshot; the tests check each
one against a plain-Python oracle written from the definitions below.

Bases (what one row counted is):

- ``identified``: a situation, in the month of its identification;
- ``closed``: a closed situation, in the month of its closure;
- ``active``: a situation in support at some point of the period;
- ``reviews``: a review event, in its month;
- ``meetings``: a platform meeting held, in its month.

Left out because the snapshot does not carry them (yet): judgments granting time instead of
termination (the judgment's content is not a closed-list code), neighbourhood complaints
resolved and squalor stabilised (no closing assessment per difficulty), projected volumes
(scenarios, evaluation.md part E).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Family code → French label, in the dashboards' order.
FAMILIES: dict[str, str] = {
    "activity": "Activité",
    "entry": "Stade et dette à l'entrée",
    "outcomes": "Issues à la clôture",
    "follow_up": "Suivi à 6 et 12 mois",
    "process": "Processus",
    "cost": "Coût et échelle",
}

#: Breakdown code → French label; "all" is the figure for every situation together.
DIMENSIONS: dict[str, str] = {
    "all": "Ensemble",
    "landlord": "Bailleur",
    "level": "Niveau d'accompagnement",
    "network_profile": "Profil de réseau",
    "source": "Origine du repérage",
    "difficulty": "Difficulté",
    "outcome": "Issue",
    "entry_stage": "Stade à l'entrée",
}

#: Situation column of each breakdown (difficulty is a list: one row per difficulty).
DIMENSION_COLUMNS: dict[str, str] = {
    "landlord": "landlord",
    "level": "level",
    "network_profile": "network_profile",
    "source": "source",
    "difficulty": "difficulties",
    "outcome": "outcome",
    "entry_stage": "entry_stage",
}

#: Breakdowns whose keys partition the situations (their counts add up to "all").
PARTITIONS = frozenset(DIMENSIONS) - {"all", "difficulty"}

#: A review is on time when it comes at most 3 months (92 days) after the previous one (or
#: after the start of support), with 15 days of tolerance.
REVIEW_ON_TIME_DAYS = 107

HOUSED = ("same_dwelling", "other_social", "private")
KEPT = ("housed_no_procedure", "housed_after_procedure")
SUMMONS = ("summons", "termination_summons")
PLANS = ("amicable_plan_signed", "caf_plan")

_SIT = ("all", "landlord", "network_profile", "source", "difficulty", "entry_stage")
_SIT_LEVEL = (*_SIT, "level")
_CLOSED = (*_SIT_LEVEL, "outcome")


@dataclass(frozen=True)
class Indicator:
    code: str
    family: str
    name: str
    definition: str
    formula: str
    sources: tuple[str, ...]
    unit: str
    caveats: str
    breakdowns: tuple[str, ...]
    final_after_months: int
    base: str
    #: count | share | median | mean | per_distinct | cost
    kind: str
    #: SQL condition on the base row: who is counted (the ``cases`` of a figure).
    population: str = "TRUE"
    #: share: SQL condition of the numerator.
    numerator: str = ""
    #: median, mean: SQL expression; per_distinct: the column counted distinct.
    expression: str = ""
    #: Yearly figures only (a monthly figure would make no sense).
    yearly_only: bool = False

    @property
    def decimals(self) -> int:
        return 0 if self.unit in ("situations", "réunions", "€") else 1


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


CATALOGUE: tuple[Indicator, ...] = (
    # --- Activity -----------------------------------------------------------------------
    Indicator(
        "identified",
        "activity",
        "Situations repérées",
        "Nombre de situations repérées (identifiées) dans la période.",
        "nombre de situations dont le mois d'identification est dans la période",
        ("situations.identified_month",),
        "situations",
        "Une situation repérée deux fois (doublon fusionné) ne compte qu'une fois.",
        _SIT_LEVEL,
        1,
        "identified",
        "count",
    ),
    Indicator(
        "identified_by_partners_share",
        "activity",
        "Part repérée par des partenaires autres que le bailleur",
        "Part des situations repérées dont l'origine n'est pas le bailleur (agence, "
        "recouvrement, gardien).",
        "situations repérées hors bailleur / situations repérées × 100",
        ("situations.source_is_landlord", "situations.identified_month"),
        "%",
        "L'origine est celle saisie au repérage ; un signalement simultané compte une fois.",
        tuple(d for d in _SIT_LEVEL if d != "source"),
        1,
        "identified",
        "share",
        numerator="NOT source_is_landlord",
    ),
    Indicator(
        "days_to_first_contact_median",
        "activity",
        "Délai médian jusqu'au premier contact",
        "Médiane du nombre de jours entre le repérage et le premier contact, pour les "
        "situations contactées.",
        "médiane(premier contact − repérage), en jours, situations contactées",
        ("situations.first_contact_day",),
        "jours",
        "Les situations pas encore contactées sont exclues : la médiane est optimiste tant que "
        "la période n'est pas définitive (voir les courbes de survie pour la censure).",
        _SIT_LEVEL,
        3,
        "identified",
        "median",
        population="first_contact_day IS NOT NULL",
        expression="first_contact_day",
    ),
    Indicator(
        "days_to_orientation_median",
        "activity",
        "Délai médian jusqu'à l'orientation",
        "Médiane du nombre de jours entre le repérage et l'orientation, pour les situations "
        "orientées.",
        "médiane(orientation − repérage), en jours, situations orientées",
        ("situations.oriented_day",),
        "jours",
        "Les situations pas encore orientées sont exclues (censure) ; voir les courbes de survie.",
        _SIT_LEVEL,
        6,
        "identified",
        "median",
        population="oriented_day IS NOT NULL",
        expression="oriented_day",
    ),
    Indicator(
        "oriented_by_level",
        "activity",
        "Situations orientées vers un niveau d'accompagnement",
        "Nombre de situations repérées dans la période et orientées vers un niveau "
        "(appui conseil, coordination, AGR) ; la ventilation par niveau donne la répartition.",
        "nombre de situations repérées dont le niveau est renseigné",
        ("situations.level", "situations.identified_month"),
        "situations",
        "Le niveau est le niveau actuel (ou le dernier) : un changement de niveau déplace la "
        "situation.",
        _SIT_LEVEL,
        12,
        "identified",
        "count",
        population="level <> ''",
    ),
    Indicator(
        "level_changed_share",
        "activity",
        "Part des situations ayant changé de niveau",
        "Part des situations orientées dont le niveau d'accompagnement a changé au moins une fois.",
        "situations avec au moins un changement de niveau / situations orientées × 100",
        ("situations.level_changes", "situations.level"),
        "%",
        "Les changements ultérieurs au repérage s'ajoutent tant que la période n'est pas "
        "définitive.",
        _SIT_LEVEL,
        12,
        "identified",
        "share",
        population="level <> ''",
        numerator="level_changes > 0",
    ),
    Indicator(
        "unreachable_share",
        "activity",
        "Part des ménages injoignables",
        "Part des situations dont la tentative de contact a abouti à « injoignable ».",
        "situations injoignables / situations dont le contact est renseigné × 100",
        ("situations.contact_outcome",),
        "%",
        "Résultat du dernier contact enregistré.",
        _SIT_LEVEL,
        3,
        "identified",
        "share",
        population="contact_outcome <> ''",
        numerator="contact_outcome = 'unreachable'",
    ),
    Indicator(
        "refused_share",
        "activity",
        "Part des ménages refusant l'accompagnement",
        "Part des situations dont le contact a abouti à un refus.",
        "situations avec refus / situations dont le contact est renseigné × 100",
        ("situations.contact_outcome",),
        "%",
        "Résultat du dernier contact enregistré.",
        _SIT_LEVEL,
        3,
        "identified",
        "share",
        population="contact_outcome <> ''",
        numerator="contact_outcome = 'refused'",
    ),
    Indicator(
        "partners_mean",
        "activity",
        "Partenaires par situation",
        "Nombre moyen d'organisations partageant la situation (partage actif).",
        "moyenne(organisations avec un partage actif)",
        ("situations.partners",),
        "partenaires",
        "Compté à la date de l'instantané : les partages clos ne comptent plus.",
        _SIT_LEVEL,
        12,
        "identified",
        "mean",
        expression="partners",
    ),
    Indicator(
        "meetings_held",
        "activity",
        "Réunions de plateforme tenues",
        "Nombre de réunions de plateforme tenues dans la période.",
        "nombre de réunions au statut « tenue », par mois de tenue",
        ("meetings.status", "meetings.held_month"),
        "réunions",
        "Les réunions annulées ou prévues ne comptent pas.",
        ("all",),
        1,
        "meetings",
        "count",
    ),
    # --- Stage and debt at entry ----------------------------------------------------------
    Indicator(
        "entry_stage_known",
        "entry",
        "Situations selon le stade de la procédure à l'entrée",
        "Nombre de situations repérées dont le stade de la procédure d'expulsion au repérage "
        "est connu ; la ventilation par stade donne la répartition.",
        "nombre de situations repérées au stade connu",
        ("situations.entry_stage",),
        "situations",
        "Stade « inconnu » exclu.",
        _SIT_LEVEL,
        1,
        "identified",
        "count",
        population="entry_stage NOT IN ('', 'unknown')",
    ),
    Indicator(
        "early_identification_share",
        "entry",
        "Part repérée avant toute procédure",
        "Part des situations repérées avant tout commandement de payer (repérage précoce).",
        "situations au stade « avant toute demande formelle » / situations au stade connu × 100",
        ("situations.entry_stage",),
        "%",
        "Stade « inconnu » exclu du dénominateur.",
        tuple(d for d in _SIT_LEVEL if d != "entry_stage"),
        1,
        "identified",
        "share",
        population="entry_stage NOT IN ('', 'unknown')",
        numerator="entry_stage = 'none'",
    ),
    Indicator(
        "entry_debt_median",
        "entry",
        "Dette médiane à l'entrée (€)",
        "Médiane de la dette locative au repérage, en euros.",
        "médiane(dette à l'entrée), situations avec une dette renseignée",
        ("situations.entry_debt",),
        "€",
        "Montants arrondis à 100 € dans l'instantané.",
        _SIT_LEVEL,
        1,
        "identified",
        "median",
        population="entry_debt IS NOT NULL",
        expression="entry_debt",
    ),
    Indicator(
        "entry_debt_months_median",
        "entry",
        "Dette médiane à l'entrée (mois de loyer)",
        "Médiane de la dette au repérage exprimée en mois de loyer.",
        "médiane(dette à l'entrée / loyer mensuel), au demi-mois",
        ("situations.entry_debt_months",),
        "mois",
        "Inconnue quand le loyer n'est pas renseigné.",
        _SIT_LEVEL,
        1,
        "identified",
        "median",
        population="entry_debt_months IS NOT NULL",
        expression="entry_debt_months",
    ),
    # --- Outcomes at closure --------------------------------------------------------------
    Indicator(
        "closed",
        "outcomes",
        "Situations clôturées",
        "Nombre de situations clôturées dans la période ; la ventilation par issue donne la "
        "répartition des issues (maintien, relogement, départ, expulsion…).",
        "nombre de situations dont le mois de clôture est dans la période",
        ("situations.closed_month", "situations.outcome"),
        "situations",
        "Une situation rouverte puis reclôturée compte au mois de sa dernière clôture.",
        _CLOSED,
        2,
        "closed",
        "count",
    ),
    Indicator(
        "housed_at_closure_share",
        "outcomes",
        "Part toujours logée à la clôture",
        "Part des situations clôturées dont le ménage est logé (même logement, autre logement "
        "social ou parc privé).",
        "situations logées / situations clôturées au statut de logement connu × 100",
        ("situations.housing_status",),
        "%",
        "Hébergement et sans logement comptent comme non logés ; statut inconnu exclu.",
        _CLOSED,
        2,
        "closed",
        "share",
        population="housing_status NOT IN ('', 'unknown')",
        numerator=f"housing_status IN {_in(HOUSED)}",
    ),
    Indicator(
        "kept_in_dwelling_share",
        "outcomes",
        "Part maintenue dans le logement",
        "Part des situations clôturées avec maintien dans le logement, sans ou après procédure "
        "(plan respecté, protocole, nouveau bail).",
        "issues « maintien » / situations clôturées à l'issue renseignée × 100",
        ("situations.outcome",),
        "%",
        "",
        _SIT_LEVEL,
        2,
        "closed",
        "share",
        population="outcome <> ''",
        numerator=f"outcome IN {_in(KEPT)}",
    ),
    Indicator(
        "evicted_share",
        "outcomes",
        "Part expulsée",
        "Part des situations clôturées par une expulsion.",
        "issues « expulsé » / situations clôturées à l'issue renseignée × 100",
        ("situations.outcome",),
        "%",
        "À lire avec la part des départs volontaires.",
        _SIT_LEVEL,
        2,
        "closed",
        "share",
        population="outcome <> ''",
        numerator="outcome = 'evicted'",
    ),
    Indicator(
        "left_share",
        "outcomes",
        "Part partie d'elle-même",
        "Part des situations clôturées par un départ volontaire du ménage.",
        "issues « parti volontairement » / situations clôturées à l'issue renseignée × 100",
        ("situations.outcome",),
        "%",
        "Un départ avant l'expulsion peut être contraint.",
        _SIT_LEVEL,
        2,
        "closed",
        "share",
        population="outcome <> ''",
        numerator="outcome = 'left'",
    ),
    Indicator(
        "rehoused_share",
        "outcomes",
        "Part relogée ou mutée",
        "Part des situations clôturées par un relogement ou une mutation.",
        "issues « relogé / mutation » / situations clôturées à l'issue renseignée × 100",
        ("situations.outcome",),
        "%",
        "",
        _SIT_LEVEL,
        2,
        "closed",
        "share",
        population="outcome <> ''",
        numerator="outcome = 'rehoused'",
    ),
    Indicator(
        "debt_change_median",
        "outcomes",
        "Évolution médiane de la dette (€)",
        "Médiane de l'écart entre la dette à la sortie et la dette à l'entrée (négatif : la "
        "dette a baissé).",
        "médiane(dette à la sortie − dette à l'entrée), dettes connues aux deux dates",
        ("situations.entry_debt", "situations.exit_debt"),
        "€",
        "Montants arrondis à 100 €.",
        _CLOSED,
        2,
        "closed",
        "median",
        population="entry_debt IS NOT NULL AND exit_debt IS NOT NULL",
        expression="exit_debt - entry_debt",
    ),
    Indicator(
        "debt_reduced_share",
        "outcomes",
        "Part dont la dette a baissé",
        "Part des situations clôturées, endettées à l'entrée, dont la dette à la sortie est "
        "inférieure à la dette à l'entrée.",
        "situations avec dette de sortie < dette d'entrée / situations endettées à l'entrée × 100",
        ("situations.entry_debt", "situations.exit_debt"),
        "%",
        "Montants arrondis à 100 € : une baisse de moins de 100 € peut ne pas apparaître.",
        _CLOSED,
        2,
        "closed",
        "share",
        population="entry_debt > 0 AND exit_debt IS NOT NULL",
        numerator="exit_debt < entry_debt",
    ),
    Indicator(
        "summons_avoided_share",
        "outcomes",
        "Part sans assignation",
        "Part des situations clôturées, repérées avant toute assignation, qui ont été "
        "clôturées sans assignation.",
        "situations sans événement « assignation » / situations repérées avant assignation × 100",
        ("situations.entry_stage", "events: summons, termination_summons"),
        "%",
        "Une assignation non enregistrée dans ETAGE n'est pas vue.",
        tuple(d for d in _CLOSED if d != "entry_stage"),
        2,
        "closed",
        "share",
        population="entry_stage IN ('none', 'commandement')",
        numerator="NOT ev_summons",
    ),
    Indicator(
        "protocols_signed",
        "outcomes",
        "Protocoles de cohésion sociale signés",
        "Nombre de situations clôturées au cours desquelles un protocole a été signé.",
        "nombre de situations clôturées avec un événement « protocole signé »",
        ("events: protocol_signed",),
        "situations",
        "",
        _CLOSED,
        2,
        "closed",
        "count",
        population="ev_protocol",
    ),
    Indicator(
        "new_lease_after_protocol_share",
        "outcomes",
        "Part des protocoles menant à un nouveau bail",
        "Part des situations clôturées avec un protocole signé qui ont abouti à un nouveau bail.",
        "situations avec « nouveau bail signé » / situations avec « protocole signé » × 100",
        ("events: protocol_signed, new_lease_signed",),
        "%",
        "",
        _CLOSED,
        2,
        "closed",
        "share",
        population="ev_protocol",
        numerator="ev_new_lease",
    ),
    Indicator(
        "plan_respected_share",
        "outcomes",
        "Part des plans d'apurement respectés",
        "Part des situations clôturées avec un plan d'apurement (amiable ou CAF) dont le plan "
        "a été déclaré respecté et jamais rompu.",
        "situations « plan respecté » sans « plan rompu » / situations avec un plan × 100",
        ("events: amicable_plan_signed, caf_plan, amicable_plan_respected, amicable_plan_broken",),
        "%",
        "Un plan en cours à la clôture compte comme non respecté.",
        _CLOSED,
        2,
        "closed",
        "share",
        population="ev_plan",
        numerator="ev_plan_respected AND NOT ev_plan_broken",
    ),
    Indicator(
        "rights_opened_share",
        "outcomes",
        "Part avec ouverture de droits",
        "Part des situations clôturées au cours desquelles des droits ont été ouverts.",
        "situations avec « droits ouverts » / situations clôturées × 100",
        ("events: rights_opened",),
        "%",
        "",
        _CLOSED,
        2,
        "closed",
        "share",
        numerator="ev_rights",
    ),
    Indicator(
        "care_referral_share",
        "outcomes",
        "Part orientée vers le soin",
        "Part des situations clôturées au cours desquelles une orientation vers le soin a été "
        "enregistrée.",
        "situations avec « orientation vers le soin » / situations clôturées × 100",
        ("events: care_referral",),
        "%",
        "L'acceptation de l'orientation par le ménage n'est pas enregistrée.",
        _CLOSED,
        2,
        "closed",
        "share",
        numerator="ev_care",
    ),
    # --- Follow-up ------------------------------------------------------------------------
    Indicator(
        "housed_6m_share",
        "follow_up",
        "Part toujours logée 6 mois après la clôture",
        "Part des ménages suivis à 6 mois qui sont toujours logés.",
        "ménages logés à +6 mois / ménages dont le suivi à +6 mois est enregistré × 100",
        ("situations.follow_up_6_housed", "situations.closed_month"),
        "%",
        "Par mois de clôture ; seuls les suivis enregistrés comptent.",
        _CLOSED,
        8,
        "closed",
        "share",
        population="follow_up_6_housed IS NOT NULL",
        numerator="follow_up_6_housed",
    ),
    Indicator(
        "arrears_6m_share",
        "follow_up",
        "Part avec plus de 3 mois d'impayés 6 mois après",
        "Part des ménages suivis à 6 mois qui ont plus de 3 mois d'impayés.",
        "ménages avec impayés > 3 mois à +6 mois / ménages suivis à +6 mois × 100",
        ("situations.follow_up_6_arrears_over_3m",),
        "%",
        "Repère publié : un an après l'AVDL en Île-de-France, 7 % des ménages accompagnés "
        "contre 11 % de l'ensemble des locataires du parc social.",
        _CLOSED,
        8,
        "closed",
        "share",
        population="follow_up_6_arrears_over_3m IS NOT NULL",
        numerator="follow_up_6_arrears_over_3m",
    ),
    Indicator(
        "housed_12m_share",
        "follow_up",
        "Part toujours logée 12 mois après la clôture",
        "Part des ménages suivis à 12 mois qui sont toujours logés.",
        "ménages logés à +12 mois / ménages dont le suivi à +12 mois est enregistré × 100",
        ("situations.follow_up_12_housed", "situations.closed_month"),
        "%",
        "Par mois de clôture ; seuls les suivis enregistrés comptent.",
        _CLOSED,
        14,
        "closed",
        "share",
        population="follow_up_12_housed IS NOT NULL",
        numerator="follow_up_12_housed",
    ),
    Indicator(
        "arrears_12m_share",
        "follow_up",
        "Part avec plus de 3 mois d'impayés 12 mois après",
        "Part des ménages suivis à 12 mois qui ont plus de 3 mois d'impayés.",
        "ménages avec impayés > 3 mois à +12 mois / ménages suivis à +12 mois × 100",
        ("situations.follow_up_12_arrears_over_3m",),
        "%",
        "Repère publié : 7 % (AVDL, Île-de-France) contre 11 % des locataires du parc social.",
        _CLOSED,
        14,
        "closed",
        "share",
        population="follow_up_12_arrears_over_3m IS NOT NULL",
        numerator="follow_up_12_arrears_over_3m",
    ),
    # --- Process --------------------------------------------------------------------------
    Indicator(
        "support_duration_median",
        "process",
        "Durée médiane d'accompagnement",
        "Médiane du nombre de jours entre le début de l'accompagnement et la clôture, par "
        "mois de clôture.",
        "médiane(clôture − début d'accompagnement), en jours",
        ("situations.support_started_day", "situations.closed_day"),
        "jours",
        "Situations clôturées seulement : les accompagnements longs en cours n'y sont pas "
        "(voir les courbes de survie).",
        _CLOSED,
        2,
        "closed",
        "median",
        population="support_started_day IS NOT NULL",
        expression="closed_day - support_started_day",
    ),
    Indicator(
        "reviews_on_time_share",
        "process",
        "Part des bilans à l'heure",
        "Part des bilans tenus au plus 3 mois (et 15 jours de tolérance) après le précédent, "
        "ou après le début de l'accompagnement pour le premier.",
        f"bilans tenus ≤ {REVIEW_ON_TIME_DAYS} jours après le précédent / bilans × 100",
        ("events: category review", "situations.support_started_day"),
        "%",
        "L'intervalle réglé par plateforme peut différer de 3 mois ; un bilan manquant "
        "n'apparaît qu'au bilan suivant.",
        ("all", "landlord", "level", "network_profile"),
        2,
        "reviews",
        "share",
        population="gap IS NOT NULL",
        numerator=f"gap <= {REVIEW_ON_TIME_DAYS}",
    ),
    Indicator(
        "referent_changed_share",
        "process",
        "Part ayant changé de référent",
        "Part des situations clôturées après un accompagnement dont le référent a changé au "
        "moins une fois.",
        "situations avec au moins un changement de référent / situations accompagnées "
        "clôturées × 100",
        ("situations.referent_changes",),
        "%",
        "",
        _CLOSED,
        2,
        "closed",
        "share",
        population="support_started_day IS NOT NULL",
        numerator="referent_changes > 0",
    ),
    # --- Cost and scale -------------------------------------------------------------------
    Indicator(
        "in_support",
        "cost",
        "Situations en accompagnement",
        "Nombre de situations en accompagnement à un moment de la période.",
        "situations dont l'accompagnement a commencé avant la fin de la période et n'était "
        "pas clos avant son début",
        ("situations.support_started_day", "situations.closed_day"),
        "situations",
        "Dates recalées au premier du mois du repérage dans l'instantané : le calendrier est "
        "exact au mois près.",
        ("all", "landlord", "level", "network_profile"),
        1,
        "active",
        "count",
    ),
    Indicator(
        "caseload_per_referent",
        "cost",
        "Situations par référent",
        "Nombre moyen de situations accompagnées par référent dans la période.",
        "situations en accompagnement avec un référent / référents distincts",
        ("situations.referent", "situations.support_started_day"),
        "situations",
        "Le référent est le référent actuel (ou le dernier).",
        ("all", "landlord", "level", "network_profile"),
        1,
        "active",
        "per_distinct",
        population="referent <> ''",
        expression="referent",
    ),
    Indicator(
        "cost_per_household",
        "cost",
        "Coût par ménage accompagné (€ par an)",
        "Coût annuel d'un niveau d'accompagnement (paramètre sourcé, modifiable) divisé par "
        "le nombre de ménages accompagnés à ce niveau dans l'année.",
        "coût annuel du niveau / situations en accompagnement au niveau dans l'année",
        ("paramètres de coût", "situations.level", "situations.support_started_day"),
        "€",
        "Seulement pour les années et niveaux dont le coût est renseigné ; l'ensemble "
        "additionne les coûts des niveaux renseignés.",
        ("all", "level"),
        3,
        "active",
        "cost",
        yearly_only=True,
    ),
)

BY_CODE: dict[str, Indicator] = {indicator.code: indicator for indicator in CATALOGUE}


def indicator(code: str) -> Indicator:
    return BY_CODE[code]


def in_family(family: str) -> list[Indicator]:
    return [i for i in CATALOGUE if i.family == family]
