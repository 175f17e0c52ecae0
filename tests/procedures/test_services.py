"""Services of the procedure tracker: who may record what, inside which scope; bad input is
refused with a French message and changes nothing; an aid edited by two people at once never
loses a change silently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from etage.core.models import AccessLogEntry
from etage.procedures import selectors
from etage.procedures.models import Aid, ArrearsBalance, ProcedureEvent
from etage.procedures.services import (
    ProcedureRefused,
    StaleAid,
    aid_create,
    aid_update,
    arrears_balance_record,
    procedure_event_record,
)
from etage.situations.models import Situation
from etage.situations.permissions import allowed_actions
from tests.procedures.conftest import TODAY

pytestmark = pytest.mark.django_db


def record(user, situation, kind="commandement_de_payer", on="2026-05-04", **kw):
    kw.setdefault("source", "bailiff")
    return procedure_event_record(
        user=user,
        situation_id=situation.pk,
        kind=kind,
        occurred_on=dt.date.fromisoformat(on) if isinstance(on, str) else on,
        today=TODAY,
        **kw,
    )


def codes(user, situation, today=TODAY):
    panel = selectors.panel(situation, allowed_actions(user, situation), today=today)
    assert panel is not None
    return {i.code: i for i in panel.items}


def counts():
    return (
        ProcedureEvent.objects.count(),
        ArrearsBalance.objects.count(),
        Aid.objects.count(),
        AccessLogEntry.objects.count(),
    )


# --- Who records, who reads ------------------------------------------------------------


def test_rent_recovery_records_a_commandement_and_sees_the_summons_date(situation, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    event = record(officer, situation, details={"lease_clause": "two_months"}, source="bailiff")
    assert (event.track, event.organisation.code, event.details) == (
        "arrears",
        "EMH",
        {"lease_clause": "two_months"},
    )
    items = codes(officer, situation)
    # A lease of 2015 whose clause gives two months: 4 May + 2 months.
    assert items["summons_earliest"].due_on == dt.date(2026, 7, 4)
    entry = AccessLogEntry.objects.get(object_type="procedures.procedureevent")
    assert (entry.action, entry.situation_id) == ("change", situation.pk)


def test_rent_recovery_records_the_balance_in_months_of_the_tenancy_rent(situation, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    balance = arrears_balance_record(
        user=officer,
        situation_id=situation.pk,
        on=dt.date(2026, 5, 1),
        amount="1250",
        source="landlord",
        today=TODAY,
    )
    assert (balance.amount, balance.monthly_rent, balance.months) == (
        Decimal("1250.00"),
        Decimal("500.00"),
        Decimal("2.5"),
    )
    # Over 2 months of rent: the CAF report is due 2 months later.
    assert codes(officer, situation)["caf_report"].due_on == dt.date(2026, 7, 1)


def test_a_later_balance_for_the_same_date_supersedes_the_earlier(situation, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    for amount in ("1250", "300"):
        arrears_balance_record(
            user=officer,
            situation_id=situation.pk,
            on=dt.date(2026, 5, 1),
            amount=amount,
            monthly_rent="600",
            source="landlord",
            today=TODAY,
        )
    panel = selectors.panel(situation, allowed_actions(officer, situation), today=TODAY)
    assert [r.balance.amount for r in panel.balances] == [Decimal("300.00")]
    assert ArrearsBalance.objects.count() == 2  # the history stays


@pytest.mark.parametrize("username", ["t2-recouvrement", "t2-coordination", "t1-signalement"])
def test_outside_the_scope_every_write_is_a_404(situation, demo_reference, username):
    user = demo_reference[username]
    before = counts()
    with pytest.raises(Http404):
        record(user, situation)
    with pytest.raises(Http404):
        arrears_balance_record(
            user=user,
            situation_id=situation.pk,
            on=TODAY,
            amount="10",
            source="landlord",
            today=TODAY,
        )
    with pytest.raises(Http404):
        aid_create(user=user, situation_id=situation.pk, kind="fsl_maintien", requested_on=TODAY)
    assert counts() == before


def test_rent_recovery_never_records_nor_sees_the_rights_and_health_track(
    situation, demo_reference
):
    officer = demo_reference["t1-recouvrement"]
    professional = demo_reference["t1-professionnel"]
    with pytest.raises(ProcedureRefused):
        record(officer, situation, kind="care_referral", source="professional")
    record(professional, situation, kind="legal_protection", details={"measure": "curatorship"})
    record(professional, situation, kind="summons", details={"hearing_on": dt.date(2026, 9, 1)})
    seen_by_officer = selectors.panel(
        situation, allowed_actions(officer, situation), today=TODAY
    ).milestones
    assert [m.event.kind for m in seen_by_officer] == ["summons"]
    seen_by_professional = selectors.panel(
        situation, allowed_actions(professional, situation), today=TODAY
    ).milestones
    assert {m.event.kind for m in seen_by_professional} == {"summons", "legal_protection"}


def test_aids_are_recorded_by_the_professionals_and_read_by_rent_recovery(
    situation, demo_reference
):
    officer = demo_reference["t1-recouvrement"]
    with pytest.raises(ProcedureRefused):
        aid_create(user=officer, situation_id=situation.pk, kind="fsl_maintien", requested_on=TODAY)
    aid = aid_create(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        kind="fsl_maintien",
        requested_on=dt.date(2026, 5, 2),
        requested_amount="800",
        today=TODAY,
    )
    panel = selectors.panel(situation, allowed_actions(officer, situation), today=TODAY)
    assert panel.aids == [aid]
    assert not panel.can_record_aid
    assert panel.can_record_event
    assert panel.can_record_balance


def test_the_platform_coordinator_records_procedure_events(situation, demo_reference):
    event = record(demo_reference["t1-coordination"], situation, kind="ccapex_referral")
    assert event.organisation.code == "CCAS-VAULX"


# --- Bad input: a French message, nothing changed -----------------------------------------

BAD_EVENTS = [
    pytest.param({"amount": "-10"}, "négative", id="negative_amount"),
    pytest.param({"months_of_rent": "-1"}, "négative", id="negative_months"),
    pytest.param({"amount": "abc"}, "nombre", id="amount_not_a_number"),
    pytest.param({"amount": "NaN"}, "nombre", id="amount_nan"),
    pytest.param({"amount": "1e12"}, "trop", id="amount_too_large"),
    pytest.param({"on": "2026-06-16"}, "futur", id="future_date"),
    pytest.param({"on": "2015-04-30"}, "bail", id="before_the_lease"),
    pytest.param({"kind": "teleportation"}, "liste", id="unknown_kind"),
    pytest.param({"kind": "complaint", "track": "arrears"}, "procédure", id="wrong_track"),
    pytest.param({"track": "consent"}, "procédure", id="unknown_track"),
    pytest.param({"source": "rumour"}, "signalé", id="unknown_source"),
    pytest.param({"details": {"colour": "red"}}, "détail", id="unknown_detail"),
    pytest.param({"details": {"lease_clause": "forever"}}, "liste", id="bad_detail_choice"),
    pytest.param(
        {"kind": "summons", "details": {"hearing_on": dt.date(2026, 5, 1)}},
        "audience",
        id="hearing_before_the_summons",
    ),
    pytest.param(
        {"kind": "protocol_signed", "details": {"months": 30}},
        "24",
        id="protocol_longer_than_two_years",
    ),
    pytest.param(
        {"kind": "protocol_extended", "details": {"months": 12}},
        "protocole",
        id="extension_without_protocol",
    ),
    pytest.param({"kind": "reminder", "amount": "100"}, "montant", id="amount_for_a_reminder"),
    pytest.param({"on": None}, "date", id="no_date"),
]


@pytest.mark.parametrize(("change", "word"), BAD_EVENTS)
def test_bad_procedure_event_is_refused_in_french_and_changes_nothing(
    situation, demo_reference, change, word
):
    args = {"kind": "commandement_de_payer", "on": "2026-05-04"} | change
    before = counts()
    with pytest.raises(ProcedureRefused) as refused:
        record(demo_reference["t1-professionnel"], situation, **args)
    assert word in str(refused.value), str(refused.value)
    assert counts() == before


def test_a_fact_more_than_ten_years_before_identification_is_refused(refer, demo_reference):
    situation = refer()  # no lease date known
    with pytest.raises(ProcedureRefused) as refused:
        record(demo_reference["t1-professionnel"], situation, on="2015-01-01")
    assert "10 ans" in str(refused.value)


def test_a_fact_before_identification_is_accepted_as_the_stage_at_entry(situation, demo_reference):
    # The commandement was served before the platform heard of the household: that is what
    # the "stage at entry" indicator measures, and its deadlines matter most.
    event = record(demo_reference["t1-recouvrement"], situation, on="2026-01-15")
    assert event.occurred_on < situation.identified_on


def test_an_archived_situation_takes_no_more_records(situation, demo_reference):
    Situation.objects.filter(pk=situation.pk).update(
        status="archived", closed_on=dt.date(2026, 4, 1)
    )
    with pytest.raises(ProcedureRefused) as refused:
        record(demo_reference["t1-recouvrement"], situation)
    assert "archivée" in str(refused.value)


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"amount": "-1"}, "négative"),
        ({"amount": None}, "montant"),
        ({"monthly_rent": "0"}, "zéro"),
        ({"on": dt.date(2026, 7, 1)}, "futur"),
        ({"source": "x"}, "signalé"),
    ],
)
def test_bad_balance_is_refused_and_changes_nothing(situation, demo_reference, change, word):
    args = {"on": dt.date(2026, 5, 1), "amount": "100", "source": "landlord"} | change
    before = counts()
    with pytest.raises(ProcedureRefused) as refused:
        arrears_balance_record(
            user=demo_reference["t1-recouvrement"],
            situation_id=situation.pk,
            today=TODAY,
            **args,
        )
    assert word in str(refused.value)
    assert counts() == before


# --- Corrections -------------------------------------------------------------------------


def test_a_correction_replaces_the_event_in_the_deadlines_and_keeps_the_original(
    situation, demo_reference
):
    officer = demo_reference["t1-recouvrement"]
    original = record(officer, situation, on="2026-05-04")
    correction = record(officer, situation, on="2026-05-11", corrects_id=original.pk)
    assert correction.corrects == original
    assert ProcedureEvent.objects.count() == 2
    # 11 May + 42 days (the clause was not recorded: 6 weeks, with a warning).
    assert codes(officer, situation)["summons_earliest"].due_on == dt.date(2026, 6, 22)
    with pytest.raises(ProcedureRefused):
        record(officer, situation, on="2026-05-12", corrects_id=original.pk)


def test_an_entry_recorded_in_error_is_cancelled_not_deleted(situation, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    original = record(officer, situation)
    void = record(officer, situation, corrects_id=original.pk, is_void=True)
    assert void.is_void
    assert void.kind == original.kind
    assert "summons_earliest" not in codes(officer, situation)
    with pytest.raises(ProcedureRefused):
        record(officer, situation, corrects_id=void.pk)


def test_a_correction_of_another_situations_event_is_a_404(refer, situation, demo_reference):
    officer = demo_reference["t1-recouvrement"]
    other = refer(last_name="Autre")
    event = record(officer, other)
    with pytest.raises(Http404):
        record(officer, situation, corrects_id=event.pk)


def test_procedure_records_are_append_only(situation, demo_reference):
    event = record(demo_reference["t1-recouvrement"], situation)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        ProcedureEvent.objects.filter(pk=event.pk).update(occurred_on=TODAY)
    with pytest.raises(PermissionError):
        ProcedureEvent.objects.all().delete()


def test_protocol_extensions_stop_at_three_more_years(situation, demo_reference):
    user = demo_reference["t1-professionnel"]
    record(user, situation, kind="protocol_signed", on="2026-01-05", details={"months": 24})
    record(user, situation, kind="protocol_extended", on="2026-03-05", details={"months": 24})
    with pytest.raises(ProcedureRefused) as refused:
        record(user, situation, kind="protocol_extended", on="2026-04-05", details={"months": 13})
    assert "12" in str(refused.value)
    record(user, situation, kind="protocol_extended", on="2026-04-05", details={"months": 12})
    assert codes(user, situation)["protocol_end"].due_on == dt.date(2031, 1, 5)


# --- Aids --------------------------------------------------------------------------------


def new_aid(user, situation, **kw):
    args = {
        "kind": "fsl_maintien",
        "requested_on": dt.date(2026, 5, 2),
        "requested_amount": "800",
    } | kw
    return aid_create(user=user, situation_id=situation.pk, today=TODAY, **args)


def test_an_aid_goes_from_requested_to_granted_to_paid(situation, demo_reference):
    user = demo_reference["t1-professionnel"]
    aid = new_aid(user, situation)
    aid = aid_update(
        user=user,
        situation_id=situation.pk,
        aid_id=aid.pk,
        expected_version=1,
        changes={"status": "granted", "decision_on": dt.date(2026, 5, 20), "granted_amount": 600},
        today=TODAY,
    )
    aid = aid_update(
        user=user,
        situation_id=situation.pk,
        aid_id=aid.pk,
        expected_version=2,
        changes={"status": "paid", "paid_on": dt.date(2026, 6, 1)},
        today=TODAY,
    )
    assert (aid.status, aid.granted_amount, aid.version) == ("paid", Decimal("600.00"), 3)


def test_a_stale_aid_update_is_refused_with_what_changed_and_nothing_changes(
    situation, demo_reference
):
    first, second = demo_reference["t1-professionnel"], demo_reference["t1-coordination"]
    aid = new_aid(first, situation)
    aid_update(
        user=first,
        situation_id=situation.pk,
        aid_id=aid.pk,
        expected_version=1,
        changes={"status": "refused", "decision_on": dt.date(2026, 5, 20)},
        today=TODAY,
    )
    with pytest.raises(StaleAid) as stale:
        aid_update(
            user=second,
            situation_id=situation.pk,
            aid_id=aid.pk,
            expected_version=1,
            changes={"requested_amount": "900"},
            today=TODAY,
        )
    assert "Refusée" in str(stale.value)
    assert "Personne" in str(stale.value) or "quelqu" in str(stale.value).lower()
    aid.refresh_from_db()
    assert (aid.status, aid.requested_amount, aid.version) == ("refused", Decimal("800.00"), 2)


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ({"requested_amount": "-5"}, "négative"),
        ({"kind": "lottery"}, "liste"),
        ({"status": "maybe"}, "liste"),
        ({"requested_on": dt.date(2026, 7, 1)}, "futur"),
        ({"status": "granted", "decision_on": dt.date(2026, 5, 20)}, "accordé"),
        ({"status": "granted", "granted_amount": "100"}, "décision"),
        ({"decision_on": dt.date(2026, 5, 1), "status": "refused"}, "demande"),
        (
            {
                "status": "paid",
                "decision_on": dt.date(2026, 5, 20),
                "granted_amount": "100",
                "paid_on": dt.date(2026, 5, 10),
            },
            "décision",
        ),
        ({"decision_on": dt.date(2026, 5, 20)}, "attente"),
    ],
)
def test_bad_aid_is_refused_in_french_and_changes_nothing(situation, demo_reference, values, word):
    before = counts()
    with pytest.raises(ProcedureRefused) as refused:
        new_aid(demo_reference["t1-professionnel"], situation, **values)
    assert word in str(refused.value), str(refused.value)
    assert counts() == before


def test_a_bad_aid_update_changes_nothing(situation, demo_reference):
    user = demo_reference["t1-professionnel"]
    aid = new_aid(user, situation)
    with pytest.raises(ProcedureRefused):
        aid_update(
            user=user,
            situation_id=situation.pk,
            aid_id=aid.pk,
            expected_version=1,
            changes={"granted_amount": "-3", "status": "granted"},
            today=TODAY,
        )
    aid.refresh_from_db()
    assert (aid.status, aid.granted_amount, aid.version) == ("requested", None, 1)


def test_an_aid_of_another_situation_is_a_404(refer, situation, demo_reference):
    user = demo_reference["t1-professionnel"]
    aid = new_aid(user, refer(last_name="Autre"))
    with pytest.raises(Http404):
        aid_update(
            user=user,
            situation_id=situation.pk,
            aid_id=aid.pk,
            expected_version=1,
            changes={},
            today=TODAY,
        )


# --- Settings ----------------------------------------------------------------------------


def test_rules_come_from_settings_with_iso_dates(settings):
    settings.ETAGE_PROCEDURE_RULES = {"truce_end_overrides": ["2027-04-15"], "soon_days": 15}
    rules = selectors.rules_from_settings()
    assert rules.truce_end_overrides == (dt.date(2027, 4, 15),)
    assert rules.soon_days == 15


def test_an_unknown_rule_in_settings_is_an_error(settings):
    settings.ETAGE_PROCEDURE_RULES = {"truce_length": 5}
    with pytest.raises(ValueError, match="truce_length"):
        selectors.rules_from_settings()
