"""The legal deadlines, table-driven: each row is a dated case (what happened, and when we
look at it) and the dates and states the rules must give. No database.

Dates are read as the courts count them: calendar months clamp to the month's last day,
6 weeks are 42 days, and no eviction is carried out during the winter truce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from etage.procedures.choices import EventKind
from etage.procedures.deadlines import (
    DEFAULT_RULES,
    Balance,
    Case,
    Fact,
    Item,
    ItemKind,
    ItemState,
    K,
    Rules,
    add_months,
    compute,
    out_of_truce,
    protocol_extension_left,
    state_of,
    truce_containing,
    upcoming,
)

PAST, SOON, LATER = ItemState.PAST, ItemState.SOON, ItemState.LATER
UNSET = object()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def f(kind: str, on: str, **details: object) -> Fact:
    converted = {
        k: d(v) if isinstance(v, str) and k != "lease_clause" else v for k, v in details.items()
    }
    return Fact(kind=kind, on=d(on), **converted)  # type: ignore[arg-type]


def bal(on: str, amount: str, rent: str | None = None) -> Balance:
    return Balance(d(on), Decimal(amount), Decimal(rent) if rent else None)


@dataclass(frozen=True)
class Exp:
    due: str
    state: ItemState | None = None
    met: object = UNSET  # a date string, None (not met), or UNSET (not checked)


@dataclass(frozen=True)
class Row:
    id: str
    facts: tuple[Fact, ...] = ()
    today: str = "2026-06-15"
    expect: dict[str, Exp] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    lease: str | None = "2024-01-10"
    rent: str | None = "500"
    balances: tuple[Balance, ...] = ()
    rules: Rules = DEFAULT_RULES


NEW_LEASE, OLD_LEASE = "2024-01-10", "2015-05-01"
CDP, CCAPEX, SUMMONS, HEARING = (
    K.COMMANDEMENT,
    K.CCAPEX_REFERRAL,
    K.SUMMONS,
    K.HEARING,
)
CQL, POLICE = K.ORDER_TO_LEAVE, K.POLICE_REQUESTED

ROWS: list[Row] = [
    # --- CAF report: within 2 months of the threshold (debt of 2 months of rent) ---------
    Row(
        "caf_report_two_months_after_the_threshold_end_of_month",
        (f(K.BENEFIT_THRESHOLD, "2026-01-31"),),
        today="2026-03-10",
        expect={"caf_report": Exp("2026-03-31", SOON, None)},
    ),
    Row(
        "caf_report_leap_year_february_29",
        (f(K.BENEFIT_THRESHOLD, "2023-12-31"),),
        today="2024-01-05",
        expect={"caf_report": Exp("2024-02-29", LATER)},
    ),
    Row(
        "caf_report_non_leap_february_28_and_overdue",
        (f(K.BENEFIT_THRESHOLD, "2025-12-31"),),
        today="2026-03-01",
        expect={"caf_report": Exp("2026-02-28", PAST, None)},
    ),
    Row(
        "caf_report_threshold_found_in_the_balances",
        balances=(bal("2026-01-10", "400"), bal("2026-02-10", "1000")),
        today="2026-03-15",
        expect={"caf_report": Exp("2026-04-10", SOON)},
    ),
    Row(
        "caf_report_uses_each_balances_own_rent",
        balances=(bal("2026-01-10", "900", "400"),),
        rent="600",
        expect={"caf_report": Exp("2026-03-10", PAST)},
    ),
    Row(
        "caf_report_new_episode_after_the_debt_was_cleared",
        balances=(bal("2025-01-10", "1200"), bal("2025-05-10", "0"), bal("2026-01-10", "1100")),
        expect={"caf_report": Exp("2026-03-10", PAST)},
    ),
    Row(
        "caf_report_below_the_threshold_gives_nothing",
        balances=(bal("2026-01-10", "999.99"),),
        absent=("caf_report",),
    ),
    Row(
        "caf_report_met_by_the_report",
        (f(K.BENEFIT_THRESHOLD, "2026-01-15"), f(K.CAF_REPORTED, "2026-02-01")),
        expect={"caf_report": Exp("2026-03-15", PAST, "2026-02-01")},
    ),
    Row(
        "caf_report_not_needed_once_the_debt_is_paid",
        (f(K.BENEFIT_THRESHOLD, "2026-01-15"),),
        balances=(bal("2026-02-20", "0"),),
        expect={"caf_report": Exp("2026-03-15", PAST, "2026-02-20")},
    ),
    # --- Formal order to pay: 6 weeks, or 2 months for earlier leases whose clause says so --
    Row(
        "commandement_six_weeks_for_a_lease_signed_after_the_reform",
        (f(CDP, "2026-03-02", lease_clause="two_months"),),
        today="2026-03-20",
        expect={
            "commandement_period_end": Exp("2026-04-13", SOON),
            "summons_earliest": Exp("2026-04-13", SOON, None),
            "ccapex_referral_missing": Exp("2026-04-13"),
        },
        absent=("lease_clause_unknown", "lease_date_unknown"),
    ),
    Row(
        "commandement_two_months_for_an_earlier_lease_whose_clause_says_so",
        (f(CDP, "2026-03-02", lease_clause="two_months"),),
        lease=OLD_LEASE,
        expect={"summons_earliest": Exp("2026-05-02")},
    ),
    Row(
        "commandement_six_weeks_for_an_earlier_lease_whose_clause_does_not",
        (f(CDP, "2026-03-02", lease_clause="six_weeks"),),
        lease=OLD_LEASE,
        expect={"summons_earliest": Exp("2026-04-13")},
        absent=("lease_clause_unknown",),
    ),
    Row(
        "commandement_earlier_lease_clause_not_checked_warns_and_assumes_six_weeks",
        (f(CDP, "2026-03-02", lease_clause="unknown"),),
        lease=OLD_LEASE,
        expect={
            "summons_earliest": Exp("2026-04-13"),
            "lease_clause_unknown": Exp("2026-04-13"),
        },
    ),
    Row(
        "commandement_lease_signed_on_29_july_2023_is_under_the_new_law",
        (f(CDP, "2026-03-02", lease_clause="two_months"),),
        lease="2023-07-29",
        expect={"commandement_period_end": Exp("2026-04-13")},
    ),
    Row(
        "commandement_lease_signed_on_28_july_2023_keeps_its_clause",
        (f(CDP, "2026-03-02", lease_clause="two_months"),),
        lease="2023-07-28",
        expect={"commandement_period_end": Exp("2026-05-02")},
    ),
    Row(
        "commandement_lease_date_unknown_warns_and_assumes_six_weeks",
        (f(CDP, "2026-03-02", lease_clause="two_months"),),
        lease=None,
        expect={
            "commandement_period_end": Exp("2026-04-13"),
            "lease_date_unknown": Exp("2026-04-13"),
        },
    ),
    Row(
        "commandement_two_months_clamped_to_february_28",
        (f(CDP, "2025-12-31", lease_clause="two_months"),),
        lease=OLD_LEASE,
        expect={"commandement_period_end": Exp("2026-02-28")},
    ),
    Row(
        "commandement_two_months_clamped_to_leap_february_29",
        (f(CDP, "2023-12-31", lease_clause="two_months"),),
        lease=OLD_LEASE,
        expect={"commandement_period_end": Exp("2024-02-29")},
    ),
    Row(
        "commandement_six_weeks_across_a_leap_february",
        (f(CDP, "2024-02-01"),),
        expect={"commandement_period_end": Exp("2024-03-14")},
    ),
    Row(
        "summons_waits_two_months_after_a_later_ccapex_referral",
        (f(CDP, "2026-03-02"), f(CCAPEX, "2026-03-20")),
        today="2026-04-20",
        expect={"summons_earliest": Exp("2026-05-20", SOON)},
        absent=("ccapex_referral_missing",),
    ),
    Row(
        "summons_after_the_period_when_the_ccapex_referral_came_first",
        (f(CCAPEX, "2026-01-05"), f(CDP, "2026-03-02")),
        expect={"summons_earliest": Exp("2026-04-13")},
    ),
    Row(
        "summons_served_too_early_is_flagged",
        (f(CDP, "2026-03-02"), f(CCAPEX, "2026-03-02"), f(SUMMONS, "2026-04-01")),
        expect={
            "summons_earliest": Exp("2026-05-02", PAST, "2026-04-01"),
            "summons_too_early": Exp("2026-04-01"),
        },
    ),
    # --- Préfet notified at least 6 weeks before the hearing --------------------------
    Row(
        "prefect_six_weeks_before_the_hearing",
        (f(SUMMONS, "2026-04-20", hearing_on="2026-06-30"),),
        today="2026-05-01",
        expect={"prefect_notification": Exp("2026-05-19", SOON, None)},
    ),
    Row(
        "prefect_adjourned_hearing_the_latest_date_counts",
        (
            f(SUMMONS, "2026-04-20", hearing_on="2026-06-30"),
            f(HEARING, "2026-06-30", adjourned_to="2026-09-15"),
        ),
        expect={"prefect_notification": Exp("2026-08-04", LATER)},
    ),
    Row(
        "prefect_notified_in_time",
        (
            f(SUMMONS, "2026-04-20", hearing_on="2026-06-30"),
            f(K.PREFECT_NOTIFIED, "2026-05-10"),
        ),
        expect={"prefect_notification": Exp("2026-05-19", PAST, "2026-05-10")},
        absent=("prefect_notified_late",),
    ),
    Row(
        "prefect_notified_late_is_flagged",
        (
            f(SUMMONS, "2026-04-20", hearing_on="2026-06-30"),
            f(K.PREFECT_NOTIFIED, "2026-06-01"),
        ),
        expect={
            "prefect_notification": Exp("2026-05-19", PAST, None),
            "prefect_notified_late": Exp("2026-06-01"),
        },
    ),
    Row(
        "prefect_hearing_date_missing_is_flagged",
        (f(SUMMONS, "2026-04-20"),),
        expect={"hearing_date_missing": Exp("2026-04-20")},
        absent=("prefect_notification",),
    ),
    # --- Appeal: one month from service of the judgment --------------------------------
    Row(
        "appeal_one_month_clamped_to_february",
        (f(K.JUDGMENT_SERVED, "2026-01-31"),),
        today="2026-02-20",
        expect={"appeal_window_end": Exp("2026-02-28", SOON, None)},
    ),
    Row(
        "appeal_lodged_meets_the_window",
        (f(K.JUDGMENT_SERVED, "2026-01-31"), f(K.APPEAL, "2026-02-15")),
        expect={"appeal_window_end": Exp("2026-02-28", PAST, "2026-02-15")},
    ),
    # --- Order to leave, police assistance, winter truce --------------------------------
    Row(
        "eviction_two_months_after_the_order_to_leave",
        (f(CQL, "2026-05-10"),),
        expect={
            "order_to_leave_period_end": Exp("2026-07-10", SOON),
            "eviction_earliest": Exp("2026-07-10", SOON, None),
        },
    ),
    Row(
        "eviction_on_31_october_is_before_the_truce",
        (f(CQL, "2026-08-31"),),
        expect={"eviction_earliest": Exp("2026-10-31", LATER)},
    ),
    Row(
        "eviction_on_1_november_waits_for_1_april",
        (f(CQL, "2026-09-01"),),
        expect={
            "order_to_leave_period_end": Exp("2026-11-01"),
            "eviction_earliest": Exp("2027-04-01", LATER),
        },
        absent=("winter_truce",),
    ),
    Row(
        "eviction_on_31_march_waits_for_1_april",
        (f(CQL, "2026-01-31"),),
        today="2026-01-31",
        expect={
            "order_to_leave_period_end": Exp("2026-03-31"),
            "eviction_earliest": Exp("2026-04-01", LATER),
            "winter_truce": Exp("2026-03-31", LATER),
        },
    ),
    Row(
        "eviction_on_1_april_is_after_the_truce",
        (f(CQL, "2026-02-01"),),
        expect={"eviction_earliest": Exp("2026-04-01", PAST)},
    ),
    Row(
        "eviction_truce_extended_to_15_april",
        (f(CQL, "2026-02-01"),),
        rules=Rules(truce_end_overrides=(d("2026-04-15"),)),
        expect={"eviction_earliest": Exp("2026-04-16")},
    ),
    Row(
        "eviction_truce_extension_of_another_winter_changes_nothing",
        (f(CQL, "2026-02-01"),),
        rules=Rules(truce_end_overrides=(d("2027-04-15"),)),
        expect={"eviction_earliest": Exp("2026-04-01")},
    ),
    Row(
        "eviction_truce_starting_later",
        (f(CQL, "2026-09-01"),),
        rules=Rules(truce_starts=(11, 15)),
        expect={"eviction_earliest": Exp("2026-11-01")},
    ),
    Row(
        "eviction_waits_for_the_prefects_deemed_answer",
        (f(CQL, "2026-03-01"), f(POLICE, "2026-05-05")),
        expect={
            "police_answer": Exp("2026-07-05", SOON, None),
            "eviction_earliest": Exp("2026-07-05", SOON),
        },
        absent=("police_deemed_refused",),
    ),
    Row(
        "eviction_from_the_grant_of_police_assistance",
        (f(CQL, "2026-03-01"), f(POLICE, "2026-05-05"), f(K.POLICE_GRANTED, "2026-06-01")),
        expect={
            "police_answer": Exp("2026-07-05", SOON, "2026-06-01"),
            "eviction_earliest": Exp("2026-06-01", PAST),
        },
    ),
    Row(
        "eviction_not_computed_when_police_assistance_is_refused",
        (f(CQL, "2026-03-01"), f(POLICE, "2026-05-05"), f(K.POLICE_REFUSED, "2026-06-01")),
        expect={"police_refused": Exp("2026-06-01")},
        absent=("eviction_earliest",),
    ),
    Row(
        "police_silence_for_two_months_is_a_refusal",
        (f(POLICE, "2026-01-10"),),
        expect={
            "police_answer": Exp("2026-03-10", PAST, None),
            "police_deemed_refused": Exp("2026-03-10"),
        },
    ),
    Row(
        "eviction_after_the_enforcement_judges_extra_time",
        (f(CQL, "2026-03-01"), f(K.ENFORCEMENT_JUDGE_DELAY, "2026-04-10", until="2026-10-15")),
        expect={"eviction_earliest": Exp("2026-10-16")},
    ),
    Row(
        "eviction_extra_time_ending_in_the_truce_is_pushed_after_it",
        (f(CQL, "2026-03-01"), f(K.ENFORCEMENT_JUDGE_DELAY, "2026-04-10", until="2026-12-31")),
        expect={"eviction_earliest": Exp("2027-04-01")},
    ),
    Row(
        "eviction_police_answer_due_in_the_truce_is_pushed_after_it",
        (f(CQL, "2026-08-01"), f(POLICE, "2026-09-15")),
        expect={"eviction_earliest": Exp("2027-04-01")},
    ),
    Row(
        "truce_in_progress_today_is_a_warning",
        (f(CQL, "2025-08-01"),),
        today="2025-12-01",
        expect={
            "eviction_earliest": Exp("2025-10-01", PAST),
            "winter_truce": Exp("2026-03-31", LATER),
        },
    ),
    Row(
        "eviction_carried_out_meets_the_date",
        (f(CQL, "2026-01-05"), f(K.EVICTION_CARRIED_OUT, "2026-04-20")),
        expect={"eviction_earliest": Exp("2026-04-01", PAST, "2026-04-20")},
    ),
    Row(
        "eviction_not_computed_while_a_later_protocol_runs",
        (f(CQL, "2026-01-05"), f(K.PROTOCOL_SIGNED, "2026-02-01")),
        expect={"protocol_end": Exp("2028-02-01", LATER)},
        absent=("eviction_earliest",),
    ),
    # --- Social cohesion protocol: 2 years, extendable; new lease within 3 months --------
    Row(
        "protocol_two_years",
        (f(K.PROTOCOL_SIGNED, "2024-03-15"),),
        expect={"protocol_end": Exp("2026-03-15", PAST, None)},
    ),
    Row(
        "protocol_signed_on_29_february_ends_on_28_february",
        (f(K.PROTOCOL_SIGNED, "2024-02-29", months=24),),
        expect={"protocol_end": Exp("2026-02-28")},
    ),
    Row(
        "protocol_extended_to_three_years",
        (f(K.PROTOCOL_SIGNED, "2024-03-15"), f(K.PROTOCOL_EXTENDED, "2026-01-10", months=12)),
        expect={"protocol_end": Exp("2027-03-15", LATER)},
    ),
    Row(
        "protocol_extensions_capped_at_three_more_years",
        (
            f(K.PROTOCOL_SIGNED, "2024-03-15"),
            f(K.PROTOCOL_EXTENDED, "2026-01-10", months=24),
            f(K.PROTOCOL_EXTENDED, "2027-12-10", months=24),
        ),
        expect={"protocol_end": Exp("2029-03-15")},
    ),
    Row(
        "protocol_longer_than_two_years_is_read_as_two",
        (f(K.PROTOCOL_SIGNED, "2024-03-15", months=30),),
        expect={"protocol_end": Exp("2026-03-15")},
    ),
    Row(
        "protocol_respected_new_lease_due_within_three_months_due_today",
        (f(K.PROTOCOL_SIGNED, "2024-03-15"), f(K.PROTOCOL_RESPECTED, "2026-03-15")),
        expect={
            "protocol_end": Exp("2026-03-15", PAST, "2026-03-15"),
            "new_lease_due": Exp("2026-06-15", SOON, None),
        },
    ),
    Row(
        "protocol_new_lease_signed",
        (f(K.PROTOCOL_RESPECTED, "2026-03-15"), f(K.NEW_LEASE_SIGNED, "2026-05-02")),
        expect={"new_lease_due": Exp("2026-06-15", SOON, "2026-05-02")},
    ),
    Row(
        "protocol_broken_is_flagged",
        (f(K.PROTOCOL_SIGNED, "2025-03-15"), f(K.PROTOCOL_BROKEN, "2026-01-10")),
        expect={
            "protocol_end": Exp("2027-03-15", LATER, "2026-01-10"),
            "protocol_broken": Exp("2026-01-10"),
        },
        absent=("new_lease_due",),
    ),
    Row("nothing_recorded_gives_nothing", absent=("caf_report", "summons_earliest")),
]


def _items(row: Row) -> dict[str, Item]:
    case = Case(
        facts=row.facts,
        balances=row.balances,
        lease_signed_on=d(row.lease) if row.lease else None,
        monthly_rent=Decimal(row.rent) if row.rent else None,
    )
    items = compute(case, today=d(row.today), rules=row.rules)
    codes = [i.code for i in items]
    assert len(codes) == len(set(codes)), codes
    return {i.code: i for i in items}


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_deadline_table(row: Row) -> None:
    items = _items(row)
    for code, exp in row.expect.items():
        assert code in items, f"{code} missing; got {sorted(items)}"
        item = items[code]
        assert item.due_on == d(exp.due), code
        if exp.state is not None:
            assert item.state is exp.state, code
        if exp.met is not UNSET:
            assert item.met_on == (d(exp.met) if isinstance(exp.met, str) else exp.met), code
    for code in row.absent:
        assert code not in items, code


def test_the_table_has_at_least_thirty_dated_cases() -> None:
    assert sum(1 for r in ROWS if r.expect) >= 30


# --- The building blocks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-08-31", 6, "2027-02-28"),
        ("2026-12-15", 2, "2027-02-15"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-05-15", 0, "2026-05-15"),
    ],
)
def test_calendar_months_clamp_to_the_last_day(start: str, months: int, expected: str) -> None:
    assert add_months(d(start), months) == d(expected)


@pytest.mark.parametrize(
    ("day", "in_truce", "free_from"),
    [
        ("2026-10-31", False, "2026-10-31"),
        ("2026-11-01", True, "2027-04-01"),
        ("2027-01-15", True, "2027-04-01"),
        ("2027-03-31", True, "2027-04-01"),
        ("2027-04-01", False, "2027-04-01"),
        ("2028-02-29", True, "2028-04-01"),
    ],
)
def test_winter_truce_boundaries(day: str, in_truce: bool, free_from: str) -> None:
    assert (truce_containing(d(day)) is not None) is in_truce
    assert out_of_truce(d(day)) == d(free_from)


@pytest.mark.parametrize(
    ("due", "state"),
    [("2026-06-14", PAST), ("2026-06-15", SOON), ("2026-07-15", SOON), ("2026-07-16", LATER)],
)
def test_soon_means_today_to_thirty_days_ahead(due: str, state: ItemState) -> None:
    assert state_of(d(due), d("2026-06-15")) is state


def test_upcoming_leaves_out_what_is_done_or_past() -> None:
    case = Case(
        facts=(
            f(K.PROTOCOL_RESPECTED, "2026-03-15"),
            f(K.JUDGMENT_SERVED, "2026-01-31"),
            f(K.BENEFIT_THRESHOLD, "2026-05-01"),
            f(K.CAF_REPORTED, "2026-05-02"),
        )
    )
    items = compute(case, today=d("2026-06-01"))
    assert [i.code for i in upcoming(items)] == ["new_lease_due"]
    overdue = [i.code for i in items if i.is_overdue]
    assert overdue == ["appeal_window_end"]


def test_every_item_has_a_label_a_reference_and_a_known_kind() -> None:
    facts = tuple(
        f(kind, "2026-01-10", hearing_on="2026-03-30")
        if kind == K.SUMMONS
        else f(kind, "2026-01-10")
        for kind in sorted(K.all())
        if kind not in (K.POLICE_REFUSED, K.PROTOCOL_BROKEN)
    )
    items = compute(Case(facts=facts, lease_signed_on=d(OLD_LEASE)), today=d("2026-02-01"))
    assert len(items) >= 8
    for item in items:
        assert str(item.label)
        assert str(item.reference)
        assert item.kind in ItemKind


def test_protocol_extension_left_counts_the_amendments() -> None:
    signed = f(K.PROTOCOL_SIGNED, "2024-03-15")
    assert protocol_extension_left(Case()) == 0
    assert protocol_extension_left(Case(facts=(signed,))) == 36
    extended = f(K.PROTOCOL_EXTENDED, "2026-01-10", months=12)
    assert protocol_extension_left(Case(facts=(signed, extended))) == 24


def test_the_rules_read_only_kinds_that_exist() -> None:
    assert K.all() <= set(EventKind.values)
