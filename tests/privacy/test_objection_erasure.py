"""Objection and erasure (data-protection.md #14)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from etage.households.models import Household
from etage.notifications.models import Notification
from etage.organisations.models import Organisation
from etage.privacy import services as privacy
from etage.privacy.models import Erasure, RequestStatus
from etage.privacy.selectors import situation_on_legal_hold
from etage.situations.models import Situation
from etage.situations.services import TransitionRefused, share_grant
from tests.privacy.conftest import ADDRESS, FIRST_NAME, JOURNAL, LAST_NAME, LEASE, PHONE

pytestmark = pytest.mark.django_db


def test_an_objection_stops_new_shares_and_tells_the_organisations_already_sharing(
    refer, advance, demo_reference, dpo, access_request, django_capture_on_commit_callbacks
):
    situation = advance(refer(), 2)
    pro = demo_reference["t1-professionnel"]
    with django_capture_on_commit_callbacks(execute=True):
        privacy.objection_record(
            user=dpo, situation_id=situation.pk, request_id=access_request("objection").pk
        )
    told = Notification.objects.filter(key__startswith="objection:")
    assert set(told.values_list("recipient__username", flat=True)) == {"t1-professionnel"}
    assert situation.reference in told.first().text
    with pytest.raises(TransitionRefused, match="s'oppose au traitement"):
        share_grant(
            user=pro,
            situation_id=situation.pk,
            organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
            legal_basis="casf",
        )
    assert not situation.shares.filter(organisation__code="CCAS-VAULX").exists()


def test_an_objection_needs_an_open_objection_request(refer, dpo, access_request):
    situation = refer()
    with pytest.raises(privacy.PrivacyRefused):
        privacy.objection_record(
            user=dpo, situation_id=situation.pk, request_id=access_request("access").pk
        )
    assert not situation.objections.exists()


def test_erasure_is_refused_under_a_legal_hold_with_the_reason_recorded(rich, access_request):
    request = access_request("erasure")
    assert situation_on_legal_hold(rich.situation)
    outcome = privacy.household_erase(
        user=rich.dpo, household_id=rich.household.pk, request_id=request.pk
    )
    assert not outcome.erased
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert "Contentieux en cours" in request.refusal_reason
    assert rich.household.people.get().last_name == LAST_NAME
    assert not Erasure.objects.exists()


def _rows_of(household: Household) -> list[models.Model]:
    """Every row reachable from the household through reverse links (situations, their
    events, plans, journal, documents, meetings…), and the landlords' rows of its lease."""
    seen: dict[tuple[str, object], models.Model] = {}
    frontier: list[models.Model] = [household]
    while frontier:
        obj = frontier.pop()
        key = (obj._meta.label_lower, obj.pk)
        if key in seen:
            continue
        seen[key] = obj
        for rel in obj._meta.related_objects:
            if rel.related_model._meta.app_label in ("accounts", "notifications", "core"):
                continue
            if not (rel.one_to_many or rel.one_to_one):
                continue
            frontier.extend(rel.related_model._base_manager.filter(**{rel.field.name: obj})[:500])
    for label in ("intake.arrearsline", "intake.leasesignal"):
        model = apps.get_model(label)
        frontier = list(model._base_manager.all())
        seen.update({(label, r.pk): r for r in frontier})
    return list(seen.values())


def _texts(row: models.Model) -> list[str]:
    values = []
    for field in row._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            values.append(str(getattr(row, field.attname)))
    return values


def test_after_erasure_no_column_holds_personal_data_and_statistics_survive(rich, access_request):
    privacy.legal_hold_lift(user=rich.dpo, hold_id=rich.situation.legal_holds.get().pk)
    request = access_request("erasure")
    tokens = [LAST_NAME, LAST_NAME.upper(), ADDRESS, PHONE, LEASE, JOURNAL, "zorglubien"]
    before = Counter(Situation.objects.values_list("status", "outcome", "level"))
    texts = [t for row in _rows_of(rich.household) for t in _texts(row)]
    assert any(LAST_NAME in t for t in texts)  # the scan does see the data before

    outcome = privacy.household_erase(
        user=rich.dpo, household_id=rich.household.pk, request_id=request.pk
    )

    assert outcome.erased
    rows = _rows_of(Household.objects.get(pk=rich.household.pk))
    assert len(rows) > 20
    for row in rows:
        for text in _texts(row):
            for token in tokens:
                assert token.lower() not in text.lower(), (row._meta.label, token, text)
    assert Counter(Situation.objects.values_list("status", "outcome", "level")) == before
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert Erasure.objects.get().counts["households.person"] == 1
    situation = Situation.objects.get(pk=rich.situation.pk)
    assert situation.identified_on.day == 1
    assert not list(rich.situation.documents.all())
    assert FIRST_NAME not in [p.first_name for p in rich.household.people.all()]


def test_the_dpo_erases_through_the_page(rich, access_request, dpo_client):
    privacy.legal_hold_lift(user=rich.dpo, hold_id=rich.situation.legal_holds.get().pk)
    request = access_request("erasure")
    response = dpo_client.post(
        reverse("privacy:erase", args=[rich.household.pk]), {"request": request.pk}
    )
    assert response.status_code == 302
    assert rich.household.people.get().last_name == "ANONYME"
