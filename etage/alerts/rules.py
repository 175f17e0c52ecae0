"""Early-warning rules ("repérage précoce"): which of a territory's rules a lease's recent
history triggers, and how severe its situation looks. Every rule and the severity formula
live here; docs/alertes.md explains them in French.

Pure: dataclasses in (:class:`LeaseHistory`, :class:`RuleDefinition`), dataclasses out
(:class:`Evaluation`); no ORM, no settings. Amounts are ``Decimal``; dates are ``date``.

- **Debt in months of rent** is the greater of the landlord's own "months in arrears" and
  balance ÷ monthly rent: the two are computed differently by landlords, and an early warning
  should not miss a household because of the method.
- **Reference date** (``as_of``) is the latest balance date or the latest signal date,
  whichever is later — never "today": evaluating the same data again gives the same result,
  whatever the day (re-importing a file changes nothing).
- **Current procedure stage**: the most recent dated stage among the latest balance line's
  stage and the procedure signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class RuleKind(StrEnum):
    DEBT_MONTHS = "debt_months"
    DEBT_RISING = "debt_rising"
    PROCEDURE_STAGE = "procedure_stage"
    COMPLAINTS = "complaints"
    NO_PAYMENT = "no_payment"


RULE_KIND_LABELS: dict[str, StrOrPromise] = {
    RuleKind.DEBT_MONTHS: _("Debt of at least X months of rent"),
    RuleKind.DEBT_RISING: _("Debt rising by at least Y months of rent over N months"),
    RuleKind.PROCEDURE_STAGE: _("Procedure stage reached"),
    RuleKind.COMPLAINTS: _("At least K complaints within D days"),
    RuleKind.NO_PAYMENT: _("No payment for at least M days"),
}

#: How far each procedure event code takes a lease towards eviction (0: before any formal
#: demand). The ranks follow EntryStage (situations.choices): commandement 1, summons 2,
#: judgment 3, order to leave 4. Codes are those of procedures.choices.EventKind (a test
#: checks they exist there).
STAGE_RANKS: dict[str, int] = {
    "commandement_de_payer": 1,
    "dsf_requested": 1,
    "dsf_delivered": 1,
    "summons": 2,
    "prefect_notified": 2,
    "hearing": 2,
    "termination_summons": 2,
    "judgment": 3,
    "judgment_served": 3,
    "schedule_respected": 3,
    "schedule_broken": 3,
    "appeal": 3,
    "order_to_leave": 4,
    "enforcement_judge_delay": 4,
    "police_requested": 4,
    "police_granted": 4,
    "police_refused": 4,
}

#: EntryStage (situations.choices) of the referral form for each stage rank.
ENTRY_STAGE_OF_RANK: dict[int, str] = {
    0: "none",
    1: "commandement",
    2: "summons",
    3: "judgment",
    4: "order_to_leave",
}

#: The severity formula (points; docs/alertes.md). Worse debt never lowers it.
POINTS_PER_MONTH_OF_DEBT = 10
POINTS_PER_STAGE_RANK = 15
POINTS_PER_COMPLAINT = 5
POINTS_PER_MONTH_WITHOUT_PAYMENT = 2
MAX_MONTHS_WITHOUT_PAYMENT = 12
#: Complaints counted in the severity: those of the last 90 days (or the longest window of
#: the territory's complaint rules, if longer).
SEVERITY_COMPLAINT_DAYS = 90

TENTH = Decimal("0.1")


def stage_rank(stage: str) -> int:
    return STAGE_RANKS.get(stage, 0)


# --- Input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    balance_on: dt.date
    balance: Decimal
    monthly_rent: Decimal
    months_in_arrears: Decimal
    last_payment_on: dt.date | None = None
    procedure_stage: str = ""
    procedure_on: dt.date | None = None


@dataclass(frozen=True)
class LeaseHistory:
    """One lease's recent monthly balances (any order; the latest counts most), the dates of
    its complaints and its dated procedure steps ``(date, stage code)``."""

    balances: Sequence[Balance]
    complaints: Sequence[dt.date] = ()
    procedure_steps: Sequence[tuple[dt.date, str]] = ()

    @property
    def latest(self) -> Balance:
        return max(self.balances, key=lambda b: b.balance_on)

    @property
    def as_of(self) -> dt.date:
        dates = [self.latest.balance_on, *self.complaints, *(d for d, _s in self.procedure_steps)]
        return max(dates)

    def current_stage(self) -> str:
        steps = list(self.procedure_steps)
        latest = self.latest
        if latest.procedure_stage:
            steps.append((latest.procedure_on or latest.balance_on, latest.procedure_stage))
        if not steps:
            return ""
        # The most recent step; on the same day, the most advanced.
        return max(steps, key=lambda s: (s[0], stage_rank(s[1])))[1]

    def debt_months(self) -> Decimal:
        return debt_in_months(self.latest)


#: Beyond this, months of rent make no difference (and fit the database's column).
MAX_DEBT_MONTHS = Decimal(999)


def debt_in_months(b: Balance) -> Decimal:
    """Unrounded: thresholds compare the exact value (1 199,99 € on a 600 € rent is not
    2 months); pages show it to one decimal."""
    by_amount = b.balance / b.monthly_rent if b.monthly_rent > 0 else Decimal(0)
    return min(max(by_amount, b.months_in_arrears, Decimal(0)), MAX_DEBT_MONTHS)


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    kind: str
    parameters: Mapping[str, Any]
    weight: int = 10


# --- Output --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """A rule that fired, with the measured value and the threshold (as strings, so they
    store as JSON and compare exactly)."""

    rule: str
    kind: str
    value: str
    threshold: str
    extra: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "value": self.value,
            "threshold": self.threshold,
            "extra": self.extra,
        }


@dataclass(frozen=True)
class Evaluation:
    triggers: tuple[Trigger, ...]
    severity: int
    debt_months: Decimal
    stage: str
    as_of: dt.date
    complaints: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def triggered(self) -> bool:
        return bool(self.triggers)


# --- Parameters ----------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parameter_errors(kind: str, parameters: Any) -> list[str]:
    """French messages for every problem of ``parameters`` for a rule of ``kind`` (empty when
    they are valid). The configuration form and the model's ``clean`` call it."""
    if kind not in RuleKind.__members__.values():
        return [gettext("Choose a kind of rule.")]
    if not isinstance(parameters, Mapping):
        return [gettext("The parameters must be a set of named values.")]
    errors: list[str] = []

    def months(name: str, low: Decimal, high: Decimal, label: str) -> None:
        value = _decimal(parameters.get(name))
        if value is None or not value.is_finite() or not (low <= value <= high):
            errors.append(
                gettext("%(label)s: a number of months between %(low)s and %(high)s.")
                % {"label": label, "low": low, "high": high}
            )

    def integer(name: str, low: int, high: int, label: str) -> None:
        value = _integer(parameters.get(name))
        if value is None or not (low <= value <= high):
            errors.append(
                gettext("%(label)s: a whole number between %(low)s and %(high)s.")
                % {"label": label, "low": low, "high": high}
            )

    if kind == RuleKind.DEBT_MONTHS:
        months("months", Decimal("0.5"), Decimal(60), gettext("Debt threshold"))
    elif kind == RuleKind.DEBT_RISING:
        months("rise", Decimal("0.5"), Decimal(60), gettext("Rise of the debt"))
        integer("period", 1, 24, gettext("Period (months)"))
    elif kind == RuleKind.PROCEDURE_STAGE:
        stages = parameters.get("stages")
        if (
            not isinstance(stages, list)
            or not stages
            or not all(isinstance(s, str) and s in STAGE_RANKS for s in stages)
        ):
            errors.append(gettext("Choose at least one procedure stage."))
    elif kind == RuleKind.COMPLAINTS:
        integer("count", 1, 100, gettext("Number of complaints"))
        integer("days", 1, 3650, gettext("Period (days)"))
    elif kind == RuleKind.NO_PAYMENT:
        integer("days", 1, 3650, gettext("Days without payment"))
    return errors


def history_depth(rules: Iterable[RuleDefinition]) -> int:
    """How many of the latest monthly balances the rules need (at least 1)."""
    depth = 1
    for rule in rules:
        if rule.kind == RuleKind.DEBT_RISING:
            depth = max(depth, int(rule.parameters["period"]) + 1)
    return depth


def complaint_window(rules: Iterable[RuleDefinition]) -> int:
    """How many days of complaints the rules and the severity read."""
    days = SEVERITY_COMPLAINT_DAYS
    for rule in rules:
        if rule.kind == RuleKind.COMPLAINTS:
            days = max(days, int(rule.parameters["days"]))
    return days


# --- Evaluation ----------------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    return str(value.quantize(TENTH, rounding=ROUND_HALF_UP))


def _check(rule: RuleDefinition, history: LeaseHistory, as_of: dt.date) -> Trigger | None:
    p = rule.parameters
    latest = history.latest
    if rule.kind == RuleKind.DEBT_MONTHS:
        threshold = Decimal(str(p["months"]))
        debt = history.debt_months()
        if latest.balance > 0 and debt >= threshold:
            return Trigger(rule.code, rule.kind, _fmt(debt), _fmt(threshold))
    elif rule.kind == RuleKind.DEBT_RISING:
        period = int(p["period"])
        rise_min = Decimal(str(p["rise"]))
        ordered = sorted(history.balances, key=lambda b: b.balance_on)
        if len(ordered) < 2 or latest.monthly_rent <= 0:
            return None
        # The balance `period` monthly balances before the latest (or the oldest known).
        start = ordered[max(0, len(ordered) - 1 - period)]
        rise = (latest.balance - start.balance) / latest.monthly_rent
        if rise >= rise_min:
            return Trigger(rule.code, rule.kind, _fmt(rise), _fmt(rise_min), str(period))
    elif rule.kind == RuleKind.PROCEDURE_STAGE:
        stage = history.current_stage()
        if stage and stage in p["stages"]:
            return Trigger(rule.code, rule.kind, stage, "")
    elif rule.kind == RuleKind.COMPLAINTS:
        days = int(p["days"])
        count = sum(1 for d in history.complaints if as_of - dt.timedelta(days=days) < d <= as_of)
        if count >= int(p["count"]):
            return Trigger(rule.code, rule.kind, str(count), str(p["count"]), str(days))
    elif rule.kind == RuleKind.NO_PAYMENT:
        days_min = int(p["days"])
        if latest.last_payment_on is None or latest.balance <= 0:
            return None  # unknown, or nothing owed: no warning
        days = (latest.balance_on - latest.last_payment_on).days
        if days >= days_min:
            return Trigger(rule.code, rule.kind, str(days), str(days_min))
    return None


def severity_of(
    history: LeaseHistory, triggers: Sequence[Trigger], rules: Sequence[RuleDefinition]
) -> int:
    """Points: 10 per month of rent owed, 15 per procedure stage rank (commandement 1 …
    order to leave 4), 5 per complaint of the last 90 days, 2 per full month without payment
    (at most 12 months), plus the weight of each rule triggered."""
    latest = history.latest
    as_of = history.as_of
    debt = history.debt_months() if latest.balance > 0 else Decimal(0)
    points = int((debt * POINTS_PER_MONTH_OF_DEBT).to_integral_value(rounding=ROUND_HALF_UP))
    points += POINTS_PER_STAGE_RANK * stage_rank(history.current_stage())
    window = dt.timedelta(days=complaint_window(rules))
    points += POINTS_PER_COMPLAINT * sum(
        1 for d in history.complaints if as_of - window < d <= as_of
    )
    if latest.last_payment_on is not None and latest.balance > 0:
        months = (latest.balance_on - latest.last_payment_on).days // 30
        points += POINTS_PER_MONTH_WITHOUT_PAYMENT * min(max(months, 0), MAX_MONTHS_WITHOUT_PAYMENT)
    weights = {r.code: r.weight for r in rules}
    points += sum(max(weights.get(t.rule, 0), 0) for t in triggers)
    return points


def evaluate(history: LeaseHistory, rules: Sequence[RuleDefinition]) -> Evaluation:
    """Which ``rules`` the lease triggers, and its severity. ``history`` needs at least one
    balance."""
    as_of = history.as_of
    triggers = tuple(t for rule in rules if (t := _check(rule, history, as_of)) is not None)
    window = dt.timedelta(days=complaint_window(rules))
    return Evaluation(
        triggers=triggers,
        severity=severity_of(history, triggers, rules),
        debt_months=history.debt_months().quantize(TENTH, rounding=ROUND_HALF_UP),
        stage=history.current_stage(),
        as_of=as_of,
        complaints=sum(1 for d in history.complaints if as_of - window < d <= as_of),
    )


def worsened(
    *, severity: int, stage: str, severity_at_dismissal: int, stage_at_dismissal: str
) -> bool:
    """A dismissed candidate comes back only if its signal got worse: a strictly higher
    severity, or a more advanced procedure stage."""
    return severity > severity_at_dismissal or stage_rank(stage) > stage_rank(stage_at_dismissal)


# --- Words ---------------------------------------------------------------------------------


def _french_number(value: str) -> str:
    return value.replace(".", ",")


def describe(trigger: Mapping[str, str], stage_labels: Mapping[str, str] | None = None) -> str:
    """The reason in words, with the values, e.g. « Dette de 3,2 mois de loyer (seuil : 2) »."""
    kind = trigger.get("kind", "")
    value = _french_number(str(trigger.get("value", "")))
    threshold = _french_number(str(trigger.get("threshold", "")))
    threshold = threshold.removesuffix(",0")
    extra = str(trigger.get("extra", ""))
    if kind == RuleKind.DEBT_MONTHS:
        return gettext("Debt of %(value)s months of rent (threshold: %(threshold)s)") % {
            "value": value,
            "threshold": threshold,
        }
    if kind == RuleKind.DEBT_RISING:
        return gettext(
            "Debt up by %(value)s months of rent over %(period)s months (threshold: %(threshold)s)"
        ) % {"value": value, "period": extra, "threshold": threshold}
    if kind == RuleKind.PROCEDURE_STAGE:
        label = (stage_labels or {}).get(str(trigger.get("value", "")), value)
        return gettext("Procedure stage reached: %(stage)s") % {"stage": label}
    if kind == RuleKind.COMPLAINTS:
        return gettext("%(value)s complaints within %(days)s days (threshold: %(threshold)s)") % {
            "value": value,
            "days": extra,
            "threshold": threshold,
        }
    if kind == RuleKind.NO_PAYMENT:
        return gettext("No payment for %(value)s days (threshold: %(threshold)s)") % {
            "value": value,
            "threshold": threshold,
        }
    return str(trigger.get("rule", ""))
