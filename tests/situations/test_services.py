"""Services: every move checks permission and preconditions, changes state, appends one
event — or refuses with a message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from etage.organisations.models import Organisation
from etage.situations.choices import LegalBasis, Status
from etage.situations.models import PathwayEvent, Share, Situation
from etage.situations.services import (
    StaleVersion,
    TransitionRefused,
    consent_record,
    consent_withdraw,
    share_grant,
    situation_transition,
)
from tests.situations.conftest import TODAY

pytestmark = pytest.mark.django_db


def move(user, situation, action, payload=None, on=None, version=None):
    situation.refresh_from_db()
    return situation_transition(
        user=user,
        situation_id=situation.pk,
        action=action,
        expected_version=situation.version if version is None else version,
        occurred_on=on or situation.identified_on + dt.timedelta(days=5),
        payload=payload or {},
        today=TODAY,
    )


def test_a_referral_opens_an_identified_situation_shared_with_its_origin(refer):
    situation = refer()
    assert situation.status == Status.IDENTIFIED
    assert situation.reference == f"T1-{situation.pk:05d}"
    assert list(situation.shares.values_list("organisation__code", "legal_basis")) == [
        ("EMH", LegalBasis.ORIGIN)
    ]
    event = situation.events.get()
    assert (event.action, event.from_status, event.to_status) == ("identify", "", "identified")
    assert event.payload["difficulties"] == ["rent_arrears"]


def test_the_whole_pathway_appends_one_event_per_step(refer, advance):
    situation = advance(refer(), 5)
    assert situation.status == Status.IN_SUPPORT
    assert situation.level == "agr"
    assert situation.referent_organisation.code == "ASSO-TDL"
    actions = list(situation.events.values_list("action", flat=True))
    assert actions == [
        "identify",
        "inform",
        "contact_reached",
        "assess",
        "orient",
        "share_granted",
        "start_support",
    ]
    # The platform's orientation brings the referent into the sharing group, on shared
    # professional secrecy since no consent covers it.
    share = situation.shares.get(organisation__code="ASSO-TDL")
    assert share.legal_basis == LegalBasis.CASF
    assert situation.next_review_on == dt.date(2026, 6, 17)  # start + 3 months
    assert situation.version == 6


def test_assessment_is_refused_until_the_household_is_informed(refer, demo_reference):
    situation = refer()
    move(demo_reference["t1-professionnel"], situation, "contact_reached")
    with pytest.raises(TransitionRefused):
        move(demo_reference["t1-coordination"], situation, "assess")
    situation.refresh_from_db()
    assert situation.status == Status.CONTACTED
    assert situation.events.count() == 2


def test_a_stale_version_is_refused_and_nothing_is_recorded(refer, demo_reference):
    situation = refer()
    move(demo_reference["t1-professionnel"], situation, "inform", {"method": "phone"})
    with pytest.raises(StaleVersion) as refused:
        move(demo_reference["t1-professionnel"], situation, "contact_reached", version=1)
    assert "quelqu" in str(refused.value) or "Someone" in str(refused.value)
    assert situation.events.count() == 2


def test_a_move_absent_from_the_table_is_refused(refer, demo_reference):
    situation = refer()
    with pytest.raises(TransitionRefused):
        move(demo_reference["t1-coordination"], situation, "start_support")
    assert situation.events.count() == 1


def test_a_future_date_is_refused(refer, demo_reference):
    situation = refer()
    with pytest.raises(TransitionRefused):
        move(
            demo_reference["t1-professionnel"],
            situation,
            "contact_reached",
            on=TODAY + dt.timedelta(days=1),
        )


def test_professionals_cannot_take_platform_decisions(refer, advance, demo_reference):
    situation = advance(refer(), 2)
    with pytest.raises(TransitionRefused):
        move(demo_reference["t1-professionnel"], situation, "assess")


def test_rent_recovery_sees_but_cannot_record(refer, demo_reference):
    situation = refer()
    with pytest.raises(TransitionRefused):
        move(demo_reference["t1-recouvrement"], situation, "contact_reached")


@pytest.mark.parametrize(
    "username", ["t2-coordination", "t1-signalement", "t1-admin", "t1-pilotage"]
)
def test_people_outside_the_scope_get_not_found(refer, demo_reference, username):
    situation = refer()
    with pytest.raises(Http404):
        move(demo_reference[username], situation, "contact_reached")


def test_closure_records_outcome_and_exit_debt(refer, advance, demo_reference):
    situation = advance(refer(), 5)
    move(
        demo_reference["t1-professionnel"],
        situation,
        "close",
        {"outcome": "housed_no_procedure", "exit_debt": 120, "housing_status": "same_dwelling"},
        on=dt.date(2026, 6, 1),
    )
    situation.refresh_from_db()
    assert (situation.status, situation.outcome, situation.exit_debt) == (
        Status.CLOSED,
        "housed_no_procedure",
        120,
    )
    assert situation.closed_on == dt.date(2026, 6, 1)


def test_refusal_at_contact_closes_with_the_refused_outcome(refer, demo_reference):
    situation = refer()
    move(demo_reference["t1-professionnel"], situation, "contact_refused")
    situation.refresh_from_db()
    assert (situation.status, situation.outcome) == (Status.CLOSED, "refused")


def test_events_are_append_only(refer):
    event = refer().events.get()
    event.payload = {"tampered": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        PathwayEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        PathwayEvent.objects.filter(pk=event.pk).delete()


def test_nothing_is_shared_before_information(refer, demo_reference):
    situation = refer()
    with pytest.raises(TransitionRefused):
        share_grant(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
            legal_basis=LegalBasis.CASF,
        )
    assert situation.shares.count() == 1


def test_withdrawing_consent_ends_consent_shares_in_the_same_transaction(
    refer, advance, demo_reference
):
    situation = advance(refer(), 1)
    pro = demo_reference["t1-professionnel"]
    ccas, mdm, ccapex = (
        Organisation.objects.get(code=c) for c in ("CCAS-VAULX", "MDM-VAULX", "CCAPEX")
    )
    consent = consent_record(
        user=pro,
        situation_id=situation.pk,
        given_on=dt.date(2026, 3, 5),
        organisation_ids=[ccas.pk, mdm.pk],
    )
    share_grant(
        user=pro,
        situation_id=situation.pk,
        organisation_id=ccapex.pk,
        legal_basis=LegalBasis.CCAPEX,
    )
    assert set(
        situation.shares.filter(is_active=True).values_list("organisation__code", flat=True)
    ) == {
        "EMH",
        "CCAS-VAULX",
        "MDM-VAULX",
        "CCAPEX",
    }
    ended = consent_withdraw(
        user=pro, situation_id=situation.pk, consent_id=consent.pk, withdrawn_on=dt.date(2026, 4, 1)
    )
    assert ended == 2
    assert set(
        situation.shares.filter(is_active=True).values_list("organisation__code", flat=True)
    ) == {
        "EMH",
        "CCAPEX",
    }
    assert situation.events.filter(action="consent_withdrawn").count() == 1


def test_a_consent_share_needs_an_active_consent_covering_the_organisation(
    refer, advance, demo_reference
):
    situation = advance(refer(), 1)
    with pytest.raises(TransitionRefused):
        share_grant(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            organisation_id=Organisation.objects.get(code="CCAS-BRON").pk,
            legal_basis=LegalBasis.CONSENT,
        )
    assert not Share.objects.filter(situation=situation, organisation__code="CCAS-BRON").exists()


def test_orientation_uses_the_households_consent_when_it_covers_the_referent(
    refer, advance, demo_reference
):
    situation = advance(refer(), 3)
    consent_record(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        given_on=dt.date(2026, 3, 9),
        organisation_ids=[
            Organisation.objects.get(code="CCAS-VAULX").pk,
            Organisation.objects.get(code="ASSO-TDL").pk,
        ],
    )
    # ASSO-TDL already shares on consent: the orientation does not add a second share.
    situation = advance(Situation.objects.get(pk=situation.pk), 0)
    move(
        demo_reference["t1-coordination"],
        situation,
        "orient",
        {
            "orientation": "agr",
            "lead_professional_id": demo_reference["t1-professionnel"].pk,
            "referent_organisation_id": Organisation.objects.get(code="ASSO-TDL").pk,
        },
        on=dt.date(2026, 3, 20),
    )
    shares = situation.shares.filter(organisation__code="ASSO-TDL", is_active=True)
    assert shares.count() == 1
    assert shares.get().legal_basis == LegalBasis.CONSENT


def test_a_date_correction_keeps_the_original_and_moves_the_situation_date(
    refer, advance, demo_reference
):
    from etage.situations.services import event_correct_date

    situation = advance(refer(), 3)  # assessed on 2026-03-11
    assessed = situation.events.get(action="assess")
    correction = event_correct_date(
        user=demo_reference["t1-professionnel"],
        situation_id=situation.pk,
        event_id=assessed.pk,
        expected_version=situation.version,
        occurred_on=dt.date(2026, 3, 10),
        reason="Erreur de saisie",
        today=TODAY,
    )
    situation.refresh_from_db()
    assert situation.assessed_on == dt.date(2026, 3, 10)
    assert correction.corrects == assessed
    assessed.refresh_from_db()
    assert assessed.occurred_on == dt.date(2026, 3, 11)  # the original is untouched
    with pytest.raises(TransitionRefused):  # a step is corrected once; then its correction
        event_correct_date(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            event_id=assessed.pk,
            expected_version=situation.version,
            occurred_on=dt.date(2026, 3, 9),
            reason="Encore",
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("new_date", "reason"),
    [
        (dt.date(2026, 3, 1), "Avant le repérage"),
        (dt.date(2027, 1, 1), "Futur"),
        (dt.date(2026, 3, 10), " "),
    ],
)
def test_an_impossible_correction_is_refused(refer, advance, demo_reference, new_date, reason):
    from etage.situations.services import event_correct_date

    situation = advance(refer(), 3)
    with pytest.raises(TransitionRefused):
        event_correct_date(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            event_id=situation.events.get(action="assess").pk,
            expected_version=situation.version,
            occurred_on=new_date,
            reason=reason,
            today=TODAY,
        )
    assert not situation.events.filter(action="correction").exists()
