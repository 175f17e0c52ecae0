"""The early-warning rules and the severity, as pure functions (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etage.alerts import rules as R
from etage.alerts.defaults import DEFAULT_RULES
from etage.procedures.choices import EventKind

D = dt.date


def bal(
    on: dt.date,
    balance: str,
    *,
    rent: str = "400",
    months: str = "0",
    paid: dt.date | None = None,
    stage: str = "",
    stage_on: dt.date | None = None,
) -> R.Balance:
    return R.Balance(
        balance_on=on,
        balance=Decimal(balance),
        monthly_rent=Decimal(rent),
        months_in_arrears=Decimal(months),
        last_payment_on=paid,
        procedure_stage=stage,
        procedure_on=stage_on,
    )


def rule(kind: str, weight: int = 10, **parameters: object) -> R.RuleDefinition:
    return R.RuleDefinition(code=f"r_{kind}", kind=kind, parameters=parameters, weight=weight)


DEFAULTS = [R.RuleDefinition(code, str(kind), p, w) for code, kind, p, w, _o in DEFAULT_RULES]


@pytest.mark.parametrize(
    ("balance", "months", "fires"),
    [
        ("799.99", "0", False),  # just under 2 months of a 400 € rent
        ("800", "0", True),  # exactly 2 months: the threshold is "at least"
        ("100", "2.0", True),  # the landlord's own count says 2 months
        ("0", "3", False),  # nothing owed: no debt warning whatever the count says
    ],
)
def test_debt_in_months_fires_at_the_threshold(balance: str, months: str, fires: bool) -> None:
    history = R.LeaseHistory([bal(D(2026, 5, 31), balance, months=months)])
    result = R.evaluate(history, [rule(R.RuleKind.DEBT_MONTHS, months="2")])
    assert result.triggered is fires


def test_debt_uses_the_greater_of_the_landlords_count_and_balance_over_rent() -> None:
    assert R.debt_in_months(bal(D(2026, 1, 31), "1280", rent="400", months="1")) == Decimal("3.2")
    assert R.debt_in_months(bal(D(2026, 1, 31), "100", rent="400", months="4")) == Decimal("4")
    assert R.debt_in_months(bal(D(2026, 1, 31), "100", rent="0", months="0")) == Decimal("0")


def test_the_reason_says_the_value_and_the_threshold_in_french_words() -> None:
    history = R.LeaseHistory([bal(D(2026, 5, 31), "1280")])
    (trigger,) = R.evaluate(history, [rule(R.RuleKind.DEBT_MONTHS, months="2")]).triggers
    assert R.describe(trigger.as_json()) == "Dette de 3,2 mois de loyer (seuil : 2)"


def test_rising_debt_compares_with_the_balance_n_months_before() -> None:
    rising = rule(R.RuleKind.DEBT_RISING, rise="1", period=3)
    months = [D(2026, m, 28) for m in (1, 2, 3, 4)]
    up_one_month = [bal(d, b) for d, b in zip(months, ["200", "300", "450", "600"], strict=True)]
    assert R.evaluate(R.LeaseHistory(up_one_month), [rising]).triggered
    # 399.99 € more over three months on a 400 € rent is not a month of rent.
    up_less = [bal(d, b) for d, b in zip(months, ["200", "300", "450", "598"], strict=True)]
    assert not R.evaluate(R.LeaseHistory(up_less), [rising]).triggered
    # An older, lower balance beyond the period does not count.
    older = [bal(D(2025, 12, 31), "0"), *up_less]
    assert not R.evaluate(R.LeaseHistory(older), [rising]).triggered
    # One balance only: no trend.
    assert not R.evaluate(R.LeaseHistory([bal(months[0], "5000")]), [rising]).triggered


def test_procedure_stage_reads_the_latest_step_from_lines_and_signals() -> None:
    stage_rule = rule(R.RuleKind.PROCEDURE_STAGE, stages=["commandement_de_payer", "summons"])
    before = R.LeaseHistory([bal(D(2026, 5, 31), "500", stage="reminder")])
    assert not R.evaluate(before, [stage_rule]).triggered
    by_line = R.LeaseHistory(
        [bal(D(2026, 5, 31), "500", stage="commandement_de_payer", stage_on=D(2026, 5, 2))]
    )
    assert R.evaluate(by_line, [stage_rule]).triggered
    by_signal = R.LeaseHistory(
        [bal(D(2026, 5, 31), "500")], procedure_steps=[(D(2026, 6, 3), "summons")]
    )
    result = R.evaluate(by_signal, [stage_rule])
    assert result.triggered
    assert result.stage == "summons"
    assert (
        R.describe(result.triggers[0].as_json(), {"summons": "Assignation"})
        == "Stade de procédure atteint : Assignation"
    )


def test_complaints_count_within_the_period_before_the_reference_date() -> None:
    complaints = rule(R.RuleKind.COMPLAINTS, count=3, days=90)
    as_of = D(2026, 5, 31)
    inside = [as_of - dt.timedelta(days=n) for n in (0, 30, 89)]
    assert R.evaluate(R.LeaseHistory([bal(as_of, "0")], complaints=inside), [complaints]).triggered
    one_too_old = [as_of - dt.timedelta(days=n) for n in (0, 30, 90)]
    assert not R.evaluate(
        R.LeaseHistory([bal(as_of, "0")], complaints=one_too_old), [complaints]
    ).triggered


def test_no_payment_counts_days_up_to_the_balance_date_and_needs_a_debt() -> None:
    no_payment = rule(R.RuleKind.NO_PAYMENT, days=60)
    on = D(2026, 5, 31)
    assert R.evaluate(
        R.LeaseHistory([bal(on, "50", paid=on - dt.timedelta(days=60))]), [no_payment]
    ).triggered
    assert not R.evaluate(
        R.LeaseHistory([bal(on, "50", paid=on - dt.timedelta(days=59))]), [no_payment]
    ).triggered
    assert not R.evaluate(
        R.LeaseHistory([bal(on, "0", paid=on - dt.timedelta(days=300))]), [no_payment]
    ).triggered
    assert not R.evaluate(R.LeaseHistory([bal(on, "900")]), [no_payment]).triggered


def test_the_reference_date_comes_from_the_data_not_from_today() -> None:
    history = R.LeaseHistory([bal(D(2026, 4, 30), "900")], complaints=[D(2026, 5, 10)])
    assert history.as_of == D(2026, 5, 10)
    assert R.evaluate(history, DEFAULTS) == R.evaluate(history, DEFAULTS)


def test_severity_adds_debt_stage_complaints_months_without_payment_and_weights() -> None:
    on = D(2026, 5, 31)
    history = R.LeaseHistory(
        [bal(on, "1280", paid=on - dt.timedelta(days=95), stage="summons")],
        complaints=[on - dt.timedelta(days=5)],
    )
    debt = rule(R.RuleKind.DEBT_MONTHS, weight=20, months="2")
    result = R.evaluate(history, [debt])
    # 3.2 months × 10 + summons (rank 2) × 15 + 1 complaint × 5 + 3 months unpaid × 2 + 20
    assert result.severity == 32 + 30 + 5 + 6 + 20


@pytest.mark.parametrize(
    ("kind", "parameters", "valid"),
    [
        (R.RuleKind.DEBT_MONTHS, {"months": "2"}, True),
        (R.RuleKind.DEBT_MONTHS, {"months": "0"}, False),
        (R.RuleKind.DEBT_MONTHS, {"months": "deux"}, False),
        (R.RuleKind.DEBT_MONTHS, {}, False),
        (R.RuleKind.DEBT_RISING, {"rise": "1", "period": 3}, True),
        (R.RuleKind.DEBT_RISING, {"rise": "1", "period": 0}, False),
        (R.RuleKind.PROCEDURE_STAGE, {"stages": ["summons"]}, True),
        (R.RuleKind.PROCEDURE_STAGE, {"stages": []}, False),
        (R.RuleKind.PROCEDURE_STAGE, {"stages": ["reminder"]}, False),
        (R.RuleKind.COMPLAINTS, {"count": 3, "days": 90}, True),
        (R.RuleKind.COMPLAINTS, {"count": True, "days": 90}, False),
        (R.RuleKind.NO_PAYMENT, {"days": 60}, True),
        (R.RuleKind.NO_PAYMENT, {"days": -1}, False),
        ("nonsense", {}, False),
    ],
)
def test_parameters_are_checked_per_kind(kind: str, parameters: dict, valid: bool) -> None:
    errors = R.parameter_errors(kind, parameters)
    assert (errors == []) is valid
    if not valid:
        assert all(isinstance(e, str) and e for e in errors)


def test_default_rules_are_valid_and_stage_codes_exist() -> None:
    for _code, kind, parameters, _w, _o in DEFAULT_RULES:
        assert R.parameter_errors(str(kind), parameters) == []
    assert set(R.STAGE_RANKS) <= set(EventKind.values)


def test_a_dismissed_candidate_comes_back_only_when_worse() -> None:
    assert not R.worsened(severity=50, stage="", severity_at_dismissal=50, stage_at_dismissal="")
    assert R.worsened(severity=51, stage="", severity_at_dismissal=50, stage_at_dismissal="")
    assert R.worsened(
        severity=40,
        stage="summons",
        severity_at_dismissal=50,
        stage_at_dismissal="commandement_de_payer",
    )


amounts = st.decimals(min_value=0, max_value=20000, places=2)


@given(
    balance=amounts,
    extra=st.decimals(min_value=0, max_value=5000, places=2),
    previous=amounts,
    rent=st.decimals(min_value=100, max_value=1500, places=2),
    months=st.decimals(min_value=0, max_value=40, places=1),
    days_unpaid=st.integers(min_value=0, max_value=400),
    stage=st.sampled_from(["", "reminder", "commandement_de_payer", "summons", "judgment"]),
    complaints=st.integers(min_value=0, max_value=5),
)
def test_worse_debt_never_lowers_the_severity(
    balance: Decimal,
    extra: Decimal,
    previous: Decimal,
    rent: Decimal,
    months: Decimal,
    days_unpaid: int,
    stage: str,
    complaints: int,
) -> None:
    on = D(2026, 5, 31)
    paid = on - dt.timedelta(days=days_unpaid)
    complaint_dates = [on - dt.timedelta(days=i) for i in range(complaints)]

    def history(latest_balance: Decimal) -> R.LeaseHistory:
        return R.LeaseHistory(
            [
                bal(D(2026, 2, 28), str(previous), rent=str(rent)),
                bal(
                    on,
                    str(latest_balance),
                    rent=str(rent),
                    months=str(months),
                    paid=paid,
                    stage=stage,
                ),
            ],
            complaints=complaint_dates,
        )

    assert (
        R.evaluate(history(balance + extra), DEFAULTS).severity
        >= R.evaluate(history(balance), DEFAULTS).severity
    )
