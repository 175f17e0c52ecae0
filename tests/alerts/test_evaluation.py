"""Evaluating the rules on landlords' lines: candidates raised, refreshed, left alone, and
brought back only when worse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from etage.accounts.models import User
from etage.alerts.models import (
    Candidate,
    CandidateEvent,
    CandidateStatus,
    DismissalReason,
    WarningRule,
)
from etage.alerts.services import candidate_dismiss, evaluate_import, evaluate_leases
from etage.intake.models import ArrearsImport, LeaseSignal, SignalKind
from etage.situations.models import Situation
from etage.territories.models import Territory
from tests.alerts.conftest import MONTHS

pytestmark = pytest.mark.django_db

Arrears = Callable[..., ArrearsImport]


def snapshot() -> list[dict[str, Any]]:
    return [dict(row) for row in Candidate.objects.order_by("pk").values()]


def test_a_lease_owing_two_months_of_rent_becomes_a_candidate_with_its_latest_signal(
    arrears: Arrears,
) -> None:
    batch = arrears("B-001", [(MONTHS[0], "400"), (MONTHS[1], "1280")], tenant_names="FICTIF Alix")
    evaluate_import(batch=batch)
    candidate = Candidate.objects.get()
    assert candidate.status == CandidateStatus.OPEN
    assert candidate.lease_reference == "B-001"
    assert candidate.territory.code == "T1"
    assert candidate.balance == Decimal("1280.00")
    assert candidate.balance_on == MONTHS[1]
    assert candidate.months_in_arrears == Decimal("3.2")
    assert candidate.tenant_names == "FICTIF Alix"
    assert "Dette de 3,2 mois de loyer (seuil : 2)" in candidate.reasons()
    # Debt 3.2 → 32, rule weights: 2 months (20) + rising by ≥ 1 month (10).
    assert candidate.severity == 32 + 20 + 10
    assert list(candidate.events.values_list("kind", flat=True)) == ["opened"]


def test_a_lease_under_every_threshold_raises_nothing(arrears: Arrears) -> None:
    evaluate_import(batch=arrears("B-002", [(MONTHS[0], "300"), (MONTHS[1], "350")]))
    assert not Candidate.objects.exists()


def test_evaluating_the_same_data_again_changes_nothing(arrears: Arrears) -> None:
    batch = arrears("B-003", [(MONTHS[0], "900"), (MONTHS[1], "1300")])
    arrears("B-004", [(MONTHS[1], "2000")], batch=batch)
    evaluate_import(batch=batch)
    before, events = snapshot(), CandidateEvent.objects.count()
    evaluate_import(batch=batch)
    evaluate_leases(landlord=batch.landlord, lease_references=["B-003", "B-004"])
    assert snapshot() == before
    assert CandidateEvent.objects.count() == events


def test_an_open_candidate_is_refreshed_by_a_new_extract(arrears: Arrears) -> None:
    evaluate_import(batch=arrears("B-005", [(MONTHS[0], "900")]))
    first = Candidate.objects.get()
    evaluate_import(batch=arrears("B-005", [(MONTHS[1], "1500")]))
    refreshed = Candidate.objects.get()
    assert refreshed.pk == first.pk
    assert refreshed.balance == Decimal("1500.00")
    assert refreshed.balance_on == MONTHS[1]
    assert refreshed.severity > first.severity
    assert refreshed.version == first.version + 1


def test_a_dismissed_candidate_comes_back_only_when_the_signal_gets_worse(
    arrears: Arrears, demo_reference: dict[str, User]
) -> None:
    worker = demo_reference["t1-professionnel"]
    evaluate_import(batch=arrears("B-006", [(MONTHS[0], "1000")]))
    candidate = Candidate.objects.get()
    candidate_dismiss(
        user=worker,
        candidate_id=candidate.pk,
        expected_version=candidate.version,
        reason=DismissalReason.REPAYING,
    )
    # Less debt next month: still dismissed.
    evaluate_import(batch=arrears("B-006", [(MONTHS[1], "900")]))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED
    # The same severity as when dismissed: still dismissed.
    evaluate_import(batch=arrears("B-006", [(MONTHS[2], "1000")]))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED
    # Worse: it comes back, and its history keeps the dismissal.
    evaluate_import(batch=arrears("B-006", [(MONTHS[3], "1600")]))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN
    assert candidate.dismissed_reason == DismissalReason.REPAYING
    assert list(candidate.events.values_list("kind", flat=True)) == [
        "opened",
        "dismissed",
        "reopened",
    ]


def test_a_more_advanced_procedure_stage_brings_a_dismissed_candidate_back(
    arrears: Arrears, demo_reference: dict[str, User]
) -> None:
    evaluate_import(
        batch=arrears("B-007", [(MONTHS[0], "1000")], procedure_stage="commandement_de_payer")
    )
    candidate = Candidate.objects.get()
    candidate_dismiss(
        user=demo_reference["t1-professionnel"],
        candidate_id=candidate.pk,
        expected_version=candidate.version,
        reason=DismissalReason.SUPPORTED_ELSEWHERE,
    )
    # Debt almost repaid (lower severity) but the summons came.
    evaluate_import(batch=arrears("B-007", [(MONTHS[1], "100")], procedure_stage="summons"))
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_a_household_with_an_open_situation_gets_no_candidate(
    arrears: Arrears, refer: Callable[..., Situation]
) -> None:
    refer("t1-professionnel", lease="b-008", landlord="EMH")
    evaluate_import(batch=arrears("B-008", [(MONTHS[0], "3000")]))
    assert not Candidate.objects.exists()


def test_the_same_lease_at_another_landlord_is_another_candidate_and_stays_apart(
    arrears: Arrears,
) -> None:
    emh = arrears("B-009", [(MONTHS[0], "1000")], landlord="EMH")
    glh = arrears("B-009", [(MONTHS[0], "2000")], landlord="GLH")
    evaluate_import(batch=emh)
    assert list(Candidate.objects.values_list("landlord__code", flat=True)) == ["EMH"]
    evaluate_import(batch=glh)
    by_landlord = dict(Candidate.objects.values_list("landlord__code", "balance"))
    assert by_landlord == {"EMH": Decimal("1000.00"), "GLH": Decimal("2000.00")}


def test_a_trial_run_and_a_territory_without_rules_raise_nothing(
    arrears: Arrears,
) -> None:
    batch = arrears("B-010", [(MONTHS[0], "3000")])
    batch.dry_run = True
    evaluate_import(batch=batch)
    assert not Candidate.objects.exists()
    WarningRule.objects.filter(territory__code="T1").update(is_active=False)
    batch.dry_run = False
    evaluate_import(batch=batch)
    assert not Candidate.objects.exists()


def test_complaints_pushed_later_raise_a_candidate(arrears: Arrears) -> None:
    batch = arrears("B-011", [(MONTHS[0], "0")])
    evaluate_import(batch=batch)
    assert not Candidate.objects.exists()
    for n, day in enumerate([dt.date(2026, 2, 1), dt.date(2026, 2, 20), dt.date(2026, 3, 15)]):
        LeaseSignal.objects.create(
            landlord=batch.landlord,
            external_id=f"P-{n}",
            lease_reference="B-011",
            kind=SignalKind.COMPLAINT,
            occurred_on=day,
        )
    evaluate_leases(landlord=batch.landlord, lease_references=["B-011"])
    candidate = Candidate.objects.get()
    assert candidate.rule_kinds == "complaints"
    assert candidate.reasons() == ["3 plaintes en 90 jours (seuil : 3)"]


def test_evaluation_costs_the_same_queries_for_3_or_60_leases(
    arrears: Arrears, django_assert_max_num_queries: Any, new_batch: Callable[..., Any]
) -> None:
    def batch_of(count: int, prefix: str) -> ArrearsImport:
        batch = new_batch()
        for n in range(count):
            arrears(
                f"{prefix}-{n}",
                [(MONTHS[0], "500"), (MONTHS[1], "900"), (MONTHS[2], "1300")],
                batch=batch,
            )
        return batch

    small, large = batch_of(3, "S"), batch_of(60, "L")
    with django_assert_max_num_queries(12):
        evaluate_import(batch=small)
    with django_assert_max_num_queries(12):
        evaluate_import(batch=large)
    assert Candidate.objects.count() == 63


def test_a_rule_with_bad_parameters_is_refused_with_a_french_message(
    demo_reference: dict[str, User],
) -> None:
    rule = WarningRule(
        territory=Territory.objects.get(code="T1"),
        code="trop",
        kind="debt_months",
        parameters={"months": "0"},
    )
    with pytest.raises(ValidationError) as exc:
        rule.clean()
    assert "Seuil de dette" in " ".join(exc.value.messages)
