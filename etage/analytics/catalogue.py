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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


class Labels(Mapping[str, str]):
    """Code → label, translated when read (the catalogue is built at import, before any
    request says its language): always a plain ``str``, so JSON, CSV and XLSX take it."""

    def __init__(self, labels: dict[str, Promise]) -> None:
        self._labels = labels

    def __getitem__(self, code: str) -> str:
        return str(self._labels[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


#: Family code → label, in the dashboards' order.
FAMILIES = Labels(
    {
        "activity": pgettext_lazy("indicator", "Activity"),
        "entry": pgettext_lazy("indicator", "Stage and debt at entry"),
        "outcomes": pgettext_lazy("indicator", "Outcomes at closure"),
        "follow_up": pgettext_lazy("indicator", "Follow-up at 6 and 12 months"),
        "process": pgettext_lazy("indicator", "Process"),
        "cost": pgettext_lazy("indicator", "Cost and scale"),
    }
)

#: Breakdown code → label; "all" is the figure for every situation together.
DIMENSIONS = Labels(
    {
        "all": pgettext_lazy("indicator", "All"),
        "landlord": pgettext_lazy("indicator", "Landlord"),
        "level": pgettext_lazy("indicator", "Level of support"),
        "network_profile": pgettext_lazy("indicator", "Network profile"),
        "source": pgettext_lazy("indicator", "Origin of identification"),
        "difficulty": pgettext_lazy("indicator", "Difficulty"),
        "outcome": pgettext_lazy("indicator", "Outcome"),
        "entry_stage": pgettext_lazy("indicator", "Stage at entry"),
    }
)

#: Unit code (stored with the indicator definitions, compared by the tables) → label.
UNITS = Labels(
    {
        "%": pgettext_lazy("indicator unit", "%"),
        "€": pgettext_lazy("indicator unit", "€"),
        "jours": pgettext_lazy("indicator unit", "days"),
        "mois": pgettext_lazy("indicator unit", "months"),
        "réunions": pgettext_lazy("indicator unit", "meetings"),
        "situations": pgettext_lazy("indicator unit", "situations"),
    }
)

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
    """An indicator. Its texts are English msgids (``pgettext_lazy("indicator", …)``), read
    translated through :attr:`name`, :attr:`definition`, :attr:`formula`, :attr:`caveats`
    and :attr:`unit`; ``unit_code`` is what code compares."""

    code: str
    family: str
    name_text: Any
    definition_text: Any
    formula_text: Any
    sources: tuple[str, ...]
    unit_code: str
    caveats_text: Any
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
    def name(self) -> str:
        return str(self.name_text)

    @property
    def definition(self) -> str:
        return str(self.definition_text)

    @property
    def formula(self) -> str:
        return str(self.formula_text) % {"days": REVIEW_ON_TIME_DAYS}

    @property
    def caveats(self) -> str:
        return str(self.caveats_text)

    @property
    def unit(self) -> str:
        return UNITS.get(self.unit_code, self.unit_code)

    @property
    def decimals(self) -> int:
        return 0 if self.unit_code in ("situations", "réunions", "€") else 1


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


CATALOGUE: tuple[Indicator, ...] = (
    # --- Activity -----------------------------------------------------------------------
    Indicator(
        "identified",
        "activity",
        pgettext_lazy("indicator", "Situations identified"),
        pgettext_lazy("indicator", "Number of situations identified in the period."),
        pgettext_lazy(
            "indicator", "number of situations whose month of identification is in the period"
        ),
        ("situations.identified_month",),
        "situations",
        pgettext_lazy("indicator", "A situation identified twice (merged duplicate) counts once."),
        _SIT_LEVEL,
        1,
        "identified",
        "count",
    ),
    Indicator(
        "identified_by_partners_share",
        "activity",
        pgettext_lazy("indicator", "Share identified by partners other than the landlord"),
        pgettext_lazy(
            "indicator",
            "Share of the situations identified whose origin is not the landlord (agency, rent "
            "recovery, caretaker).",
        ),
        pgettext_lazy(
            "indicator", "situations identified outside the landlord / situations identified × 100"
        ),
        ("situations.source_is_landlord", "situations.identified_month"),
        "%",
        pgettext_lazy(
            "indicator",
            "The origin is the one recorded at identification; a simultaneous referral counts "
            "once.",
        ),
        tuple(d for d in _SIT_LEVEL if d != "source"),
        1,
        "identified",
        "share",
        numerator="NOT source_is_landlord",
    ),
    Indicator(
        "days_to_first_contact_median",
        "activity",
        pgettext_lazy("indicator", "Median time to first contact"),
        pgettext_lazy(
            "indicator",
            "Median number of days between identification and first contact, for the situations "
            "contacted.",
        ),
        pgettext_lazy(
            "indicator", "median(first contact − identification), in days, situations contacted"
        ),
        ("situations.first_contact_day",),
        "jours",
        pgettext_lazy(
            "indicator",
            "Situations not contacted yet are left out: the median is optimistic as long as the "
            "period is not final (see the survival curves for censoring).",
        ),
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
        pgettext_lazy("indicator", "Median time to orientation"),
        pgettext_lazy(
            "indicator",
            "Median number of days between identification and orientation, for the situations "
            "oriented.",
        ),
        pgettext_lazy(
            "indicator", "median(orientation − identification), in days, situations oriented"
        ),
        ("situations.oriented_day",),
        "jours",
        pgettext_lazy(
            "indicator",
            "Situations not oriented yet are left out (censoring); see the survival curves.",
        ),
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
        pgettext_lazy("indicator", "Situations oriented to a level of support"),
        pgettext_lazy(
            "indicator",
            "Number of situations identified in the period and oriented to a level (advice, "
            "coordination, AGR); the breakdown by level gives the distribution.",
        ),
        pgettext_lazy("indicator", "number of situations identified whose level is recorded"),
        ("situations.level", "situations.identified_month"),
        "situations",
        pgettext_lazy(
            "indicator",
            "The level is the current (or last) one: a change of level moves the situation.",
        ),
        _SIT_LEVEL,
        12,
        "identified",
        "count",
        population="level <> ''",
    ),
    Indicator(
        "level_changed_share",
        "activity",
        pgettext_lazy("indicator", "Share of situations that changed level"),
        pgettext_lazy(
            "indicator",
            "Share of the situations oriented whose level of support changed at least once.",
        ),
        pgettext_lazy(
            "indicator", "situations with at least one change of level / situations oriented × 100"
        ),
        ("situations.level_changes", "situations.level"),
        "%",
        pgettext_lazy(
            "indicator",
            "Changes after identification are added as long as the period is not final.",
        ),
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
        pgettext_lazy("indicator", "Share of households unreachable"),
        pgettext_lazy(
            "indicator", "Share of the situations whose contact attempt ended in “unreachable”."
        ),
        pgettext_lazy(
            "indicator", "situations unreachable / situations whose contact is recorded × 100"
        ),
        ("situations.contact_outcome",),
        "%",
        pgettext_lazy("indicator", "Result of the last contact recorded."),
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
        pgettext_lazy("indicator", "Share of households refusing support"),
        pgettext_lazy("indicator", "Share of the situations whose contact ended in a refusal."),
        pgettext_lazy(
            "indicator", "situations with a refusal / situations whose contact is recorded × 100"
        ),
        ("situations.contact_outcome",),
        "%",
        pgettext_lazy("indicator", "Result of the last contact recorded."),
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
        pgettext_lazy("indicator", "Partners per situation"),
        pgettext_lazy(
            "indicator", "Mean number of organisations sharing the situation (active share)."
        ),
        pgettext_lazy("indicator", "mean(organisations with an active share)"),
        ("situations.partners",),
        "partenaires",
        pgettext_lazy(
            "indicator", "Counted at the date of the snapshot: closed shares no longer count."
        ),
        _SIT_LEVEL,
        12,
        "identified",
        "mean",
        expression="partners",
    ),
    Indicator(
        "meetings_held",
        "activity",
        pgettext_lazy("indicator", "Platform meetings held"),
        pgettext_lazy("indicator", "Number of platform meetings held in the period."),
        pgettext_lazy("indicator", "number of meetings with the status “held”, by month held"),
        ("meetings.status", "meetings.held_month"),
        "réunions",
        pgettext_lazy("indicator", "Cancelled or planned meetings do not count."),
        ("all",),
        1,
        "meetings",
        "count",
    ),
    # --- Stage and debt at entry ----------------------------------------------------------
    Indicator(
        "entry_stage_known",
        "entry",
        pgettext_lazy("indicator", "Situations by stage of the procedure at entry"),
        pgettext_lazy(
            "indicator",
            "Number of situations identified whose stage of the eviction procedure at "
            "identification is known; the breakdown by stage gives the distribution.",
        ),
        pgettext_lazy("indicator", "number of situations identified at a known stage"),
        ("situations.entry_stage",),
        "situations",
        pgettext_lazy("indicator", "Stage “unknown” left out."),
        _SIT_LEVEL,
        1,
        "identified",
        "count",
        population="entry_stage NOT IN ('', 'unknown')",
    ),
    Indicator(
        "early_identification_share",
        "entry",
        pgettext_lazy("indicator", "Share identified before any procedure"),
        pgettext_lazy(
            "indicator",
            "Share of the situations identified before any order to pay (early identification).",
        ),
        pgettext_lazy(
            "indicator",
            "situations at the stage “before any formal demand” / situations at a known stage × "
            "100",
        ),
        ("situations.entry_stage",),
        "%",
        pgettext_lazy("indicator", "Stage “unknown” left out of the denominator."),
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
        pgettext_lazy("indicator", "Median debt at entry (€)"),
        pgettext_lazy("indicator", "Median rent debt at identification, in euros."),
        pgettext_lazy("indicator", "median(debt at entry), situations with a recorded debt"),
        ("situations.entry_debt",),
        "€",
        pgettext_lazy("indicator", "Amounts rounded to €100 in the snapshot."),
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
        pgettext_lazy("indicator", "Median debt at entry (months of rent)"),
        pgettext_lazy("indicator", "Median debt at identification expressed in months of rent."),
        pgettext_lazy("indicator", "median(debt at entry / monthly rent), to the half-month"),
        ("situations.entry_debt_months",),
        "mois",
        pgettext_lazy("indicator", "Unknown when the rent is not recorded."),
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
        pgettext_lazy("indicator", "Situations closed"),
        pgettext_lazy(
            "indicator",
            "Number of situations closed in the period; the breakdown by outcome gives the "
            "distribution of outcomes (kept in the dwelling, rehousing, departure, eviction…).",
        ),
        pgettext_lazy("indicator", "number of situations whose month of closure is in the period"),
        ("situations.closed_month", "situations.outcome"),
        "situations",
        pgettext_lazy(
            "indicator",
            "A situation reopened then closed again counts in the month of its last closure.",
        ),
        _CLOSED,
        2,
        "closed",
        "count",
    ),
    Indicator(
        "housed_at_closure_share",
        "outcomes",
        pgettext_lazy("indicator", "Share still housed at closure"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed whose household is housed (same dwelling, other "
            "social housing or private sector).",
        ),
        pgettext_lazy(
            "indicator", "situations housed / situations closed with a known housing status × 100"
        ),
        ("situations.housing_status",),
        "%",
        pgettext_lazy(
            "indicator", "Shelter and no housing count as not housed; unknown status left out."
        ),
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
        pgettext_lazy("indicator", "Share kept in the dwelling"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed with the household kept in the dwelling, without or "
            "after a procedure (plan respected, protocol, new lease).",
        ),
        pgettext_lazy(
            "indicator",
            "outcomes “kept in the dwelling” / situations closed with a recorded outcome × 100",
        ),
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
        pgettext_lazy("indicator", "Share evicted"),
        pgettext_lazy("indicator", "Share of the situations closed by an eviction."),
        pgettext_lazy(
            "indicator", "outcomes “evicted” / situations closed with a recorded outcome × 100"
        ),
        ("situations.outcome",),
        "%",
        pgettext_lazy("indicator", "To be read with the share of voluntary departures."),
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
        pgettext_lazy("indicator", "Share who left of their own accord"),
        pgettext_lazy(
            "indicator", "Share of the situations closed by a voluntary departure of the household."
        ),
        pgettext_lazy(
            "indicator",
            "outcomes “left voluntarily” / situations closed with a recorded outcome × 100",
        ),
        ("situations.outcome",),
        "%",
        pgettext_lazy("indicator", "A departure before eviction may be forced."),
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
        pgettext_lazy("indicator", "Share rehoused or transferred"),
        pgettext_lazy("indicator", "Share of the situations closed by a rehousing or a transfer."),
        pgettext_lazy(
            "indicator",
            "outcomes “rehoused / transfer” / situations closed with a recorded outcome × 100",
        ),
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
        pgettext_lazy("indicator", "Median change in debt (€)"),
        pgettext_lazy(
            "indicator",
            "Median difference between the debt at exit and the debt at entry (negative: the debt "
            "went down).",
        ),
        pgettext_lazy(
            "indicator", "median(debt at exit − debt at entry), debts known at both dates"
        ),
        ("situations.entry_debt", "situations.exit_debt"),
        "€",
        pgettext_lazy("indicator", "Amounts rounded to €100."),
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
        pgettext_lazy("indicator", "Share whose debt went down"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed, in debt at entry, whose debt at exit is lower than "
            "the debt at entry.",
        ),
        pgettext_lazy(
            "indicator",
            "situations with exit debt < entry debt / situations in debt at entry × 100",
        ),
        ("situations.entry_debt", "situations.exit_debt"),
        "%",
        pgettext_lazy(
            "indicator", "Amounts rounded to €100: a decrease of less than €100 may not show."
        ),
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
        pgettext_lazy("indicator", "Share without a summons"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed, identified before any summons, that were closed "
            "without a summons.",
        ),
        pgettext_lazy(
            "indicator",
            "situations without a “summons” event / situations identified before a summons × 100",
        ),
        ("situations.entry_stage", "events: summons, termination_summons"),
        "%",
        pgettext_lazy("indicator", "A summons not recorded in ETAGE is not seen."),
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
        pgettext_lazy("indicator", "Social cohesion protocols signed"),
        pgettext_lazy(
            "indicator", "Number of situations closed during which a protocol was signed."
        ),
        pgettext_lazy("indicator", "number of situations closed with a “protocol signed” event"),
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
        pgettext_lazy("indicator", "Share of protocols leading to a new lease"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed with a signed protocol that led to a new lease.",
        ),
        pgettext_lazy(
            "indicator",
            "situations with “new lease signed” / situations with “protocol signed” × 100",
        ),
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
        pgettext_lazy("indicator", "Share of repayment plans respected"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed with a repayment plan (amicable or CAF) whose plan "
            "was declared respected and never broken.",
        ),
        pgettext_lazy(
            "indicator",
            "situations “plan respected” without “plan broken” / situations with a plan × 100",
        ),
        ("events: amicable_plan_signed, caf_plan, amicable_plan_respected, amicable_plan_broken",),
        "%",
        pgettext_lazy("indicator", "A plan still running at closure counts as not respected."),
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
        pgettext_lazy("indicator", "Share with rights opened"),
        pgettext_lazy(
            "indicator", "Share of the situations closed during which rights were opened."
        ),
        pgettext_lazy("indicator", "situations with “rights opened” / situations closed × 100"),
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
        pgettext_lazy("indicator", "Share referred to care"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed during which a referral to care was recorded.",
        ),
        pgettext_lazy("indicator", "situations with “referral to care” / situations closed × 100"),
        ("events: care_referral",),
        "%",
        pgettext_lazy("indicator", "Whether the household accepted the referral is not recorded."),
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
        pgettext_lazy("indicator", "Share still housed 6 months after closure"),
        pgettext_lazy(
            "indicator", "Share of the households followed up at 6 months who are still housed."
        ),
        pgettext_lazy(
            "indicator",
            "households housed at +6 months / households whose follow-up at +6 months is recorded "
            "× 100",
        ),
        ("situations.follow_up_6_housed", "situations.closed_month"),
        "%",
        pgettext_lazy("indicator", "By month of closure; only the follow-ups recorded count."),
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
        pgettext_lazy("indicator", "Share with more than 3 months of arrears 6 months after"),
        pgettext_lazy(
            "indicator",
            "Share of the households followed up at 6 months who have more than 3 months of "
            "arrears.",
        ),
        pgettext_lazy(
            "indicator",
            "households with arrears > 3 months at +6 months / households followed up at +6 "
            "months × 100",
        ),
        ("situations.follow_up_6_arrears_over_3m",),
        "%",
        pgettext_lazy(
            "indicator",
            "Published benchmark: one year after AVDL in Île-de-France, 7 per cent of the "
            "households supported against 11 per cent of all social housing tenants.",
        ),
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
        pgettext_lazy("indicator", "Share still housed 12 months after closure"),
        pgettext_lazy(
            "indicator", "Share of the households followed up at 12 months who are still housed."
        ),
        pgettext_lazy(
            "indicator",
            "households housed at +12 months / households whose follow-up at +12 months is "
            "recorded × 100",
        ),
        ("situations.follow_up_12_housed", "situations.closed_month"),
        "%",
        pgettext_lazy("indicator", "By month of closure; only the follow-ups recorded count."),
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
        pgettext_lazy("indicator", "Share with more than 3 months of arrears 12 months after"),
        pgettext_lazy(
            "indicator",
            "Share of the households followed up at 12 months who have more than 3 months of "
            "arrears.",
        ),
        pgettext_lazy(
            "indicator",
            "households with arrears > 3 months at +12 months / households followed up at +12 "
            "months × 100",
        ),
        ("situations.follow_up_12_arrears_over_3m",),
        "%",
        pgettext_lazy(
            "indicator",
            "Published benchmark: 7 per cent (AVDL, Île-de-France) against 11 per cent of "
            "social housing tenants.",
        ),
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
        pgettext_lazy("indicator", "Median length of support"),
        pgettext_lazy(
            "indicator",
            "Median number of days between the start of support and closure, by month of closure.",
        ),
        pgettext_lazy("indicator", "median(closure − start of support), in days"),
        ("situations.support_started_day", "situations.closed_day"),
        "jours",
        pgettext_lazy(
            "indicator",
            "Closed situations only: long support still running is not included (see the survival "
            "curves).",
        ),
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
        pgettext_lazy("indicator", "Share of reviews on time"),
        pgettext_lazy(
            "indicator",
            "Share of the reviews held at most 3 months (with 15 days of tolerance) after the "
            "previous one, or after the start of support for the first.",
        ),
        pgettext_lazy(
            "indicator", "reviews held ≤ %(days)s days after the previous one / reviews × 100"
        ),
        ("events: category review", "situations.support_started_day"),
        "%",
        pgettext_lazy(
            "indicator",
            "The interval set by each platform may differ from 3 months; a missing review only "
            "shows at the next review.",
        ),
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
        pgettext_lazy("indicator", "Share that changed referent"),
        pgettext_lazy(
            "indicator",
            "Share of the situations closed after support whose referent changed at least once.",
        ),
        pgettext_lazy(
            "indicator",
            "situations with at least one change of referent / situations supported and closed × "
            "100",
        ),
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
        pgettext_lazy("indicator", "Situations in support"),
        pgettext_lazy("indicator", "Number of situations in support at some point of the period."),
        pgettext_lazy(
            "indicator",
            "situations whose support started before the end of the period and was not closed "
            "before its start",
        ),
        ("situations.support_started_day", "situations.closed_day"),
        "situations",
        pgettext_lazy(
            "indicator",
            "Dates moved to the first of the month of identification in the snapshot: the "
            "calendar is exact to the month.",
        ),
        ("all", "landlord", "level", "network_profile"),
        1,
        "active",
        "count",
    ),
    Indicator(
        "caseload_per_referent",
        "cost",
        pgettext_lazy("indicator", "Situations per referent"),
        pgettext_lazy(
            "indicator", "Mean number of situations supported per referent in the period."
        ),
        pgettext_lazy("indicator", "situations in support with a referent / distinct referents"),
        ("situations.referent", "situations.support_started_day"),
        "situations",
        pgettext_lazy("indicator", "The referent is the current (or last) one."),
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
        pgettext_lazy("indicator", "Cost per household supported (€ per year)"),
        pgettext_lazy(
            "indicator",
            "Yearly cost of a level of support (a sourced, editable parameter) divided by the "
            "number of households supported at that level in the year.",
        ),
        pgettext_lazy(
            "indicator",
            "yearly cost of the level / situations in support at that level in the year",
        ),
        ("paramètres de coût", "situations.level", "situations.support_started_day"),
        "€",
        pgettext_lazy(
            "indicator",
            "Only for the years and levels whose cost is recorded; the total adds the costs of "
            "the levels recorded.",
        ),
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
